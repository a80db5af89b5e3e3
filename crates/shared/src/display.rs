//! How the app looks: the theme, day or night, kept on the phone.

use serde::{Deserialize, Serialize};

use crate::duty::{Assignment, Post};

/// The theme chosen on the phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// As the phone's own setting says (light or dark); the 夜巡岗 in the night theme.
    #[default]
    System,
    /// Always the day theme.
    Day,
    /// Always the night theme.
    Night,
}

/// The theme a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The day theme.
    Day,
    /// The night theme.
    Night,
    /// Whichever the phone's setting asks for (`prefers-color-scheme`).
    PhoneSetting,
}

impl Theme {
    /// What a page shows under this choice, while a patrol of `on_patrol` is open (the
    /// night patrol opens at night: in the night theme, unless the day theme was chosen).
    pub fn shown(self, on_patrol: Option<Assignment>) -> Shown {
        match (self, on_patrol) {
            (Theme::Day, _) => Shown::Day,
            (Theme::Night, _) | (Theme::System, Some(Assignment::Post(Post::NightPatrol))) => Shown::Night,
            (Theme::System, _) => Shown::PhoneSetting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::Zone;

    #[test]
    fn the_night_patrol_opens_at_night_unless_day_was_chosen() {
        let night = Some(Assignment::Post(Post::NightPatrol));
        assert_eq!(Theme::System.shown(night), Shown::Night);
        assert_eq!(Theme::System.shown(Some(Assignment::Zone(Zone::Rural))), Shown::PhoneSetting);
        assert_eq!(Theme::System.shown(None), Shown::PhoneSetting);
        assert_eq!(Theme::Day.shown(night), Shown::Day);
        assert_eq!(Theme::Night.shown(None), Shown::Night);
    }
}
