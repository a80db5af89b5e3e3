//! Device settings: the track recorder's thresholds, the UI language and theme.

use redvest_shared::display::Theme;
use redvest_shared::photo::PhotoSettings;
use redvest_shared::track::TrackSettings;
use redvest_shared::ErrorCode;
use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{Error, Result, Store};

const TRACK: &str = "track";
const LANGUAGE: &str = "language";
const PHOTO: &str = "photo";
const DEVICE_ID: &str = "device_id";
const THEME: &str = "theme";

impl Store {
    pub(crate) fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let value: Option<String> =
            self.conn().query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        value.map(|v| serde_json::from_str(&v).map_err(Error::from)).transpose()
    }

    pub(crate) fn set_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        self.conn().execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, serde_json::to_string(value)?],
        )?;
        Ok(())
    }

    /// The recorder thresholds for this device (the defaults until changed).
    pub fn track_defaults(&self) -> Result<TrackSettings> {
        Ok(self.setting(TRACK)?.unwrap_or_default())
    }

    /// Changes the recorder thresholds; each must be within a range that still records a
    /// usable track.
    /// Refused while the team's settings are locked ([`crate::settings_lock`]).
    pub fn set_track_defaults(&self, s: &TrackSettings) -> Result<()> {
        self.may_change_settings()?;
        let check = |field: &'static str, value: f64, min: f64, max: f64| {
            if value.is_finite() && (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::invalid(field, ErrorCode::OutOfRange, format!("must be between {min} and {max}")))
            }
        };
        check("track.max_accuracy_m", s.max_accuracy_m, 5.0, 500.0)?;
        check("track.min_move_m", s.min_move_m, 0.0, 100.0)?;
        check("track.max_jump_m", s.max_jump_m, 20.0, 10_000.0)?;
        check("track.max_gap_s", s.max_gap_s as f64, 30.0, 3_600.0)?;
        check("track.gap_report_s", s.gap_report_s as f64, 10.0, 3_600.0)?;
        check("track.max_clock_skew_s", s.max_clock_skew_s as f64, 10.0, 86_400.0)?;
        check("track.idle_after_s", s.idle_after_s as f64, 1.0, 600.0)?;
        self.set_setting(TRACK, s)
    }

    /// How photos are shrunk (the defaults until changed).
    pub fn photo_settings(&self) -> Result<PhotoSettings> {
        Ok(self.setting(PHOTO)?.unwrap_or_default())
    }

    /// Changes how photos are shrunk, within sizes that stay readable and cheap to send.
    /// Refused while the team's settings are locked ([`crate::settings_lock`]).
    pub fn set_photo_settings(&self, s: &PhotoSettings) -> Result<()> {
        self.may_change_settings()?;
        let check = |field: &'static str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::invalid(field, ErrorCode::OutOfRange, format!("must be between {min} and {max}")))
            }
        };
        check("photo.long_edge_px", s.long_edge_px, 640, 4096)?;
        check("photo.jpeg_quality", s.jpeg_quality.into(), 40, 95)?;
        check("photo.thumbnail_px", s.thumbnail_px, 120, 640)?;
        self.set_setting(PHOTO, s)
    }

    /// This device's id, made on first use and kept.
    pub fn device_id(&self) -> Result<uuid::Uuid> {
        if let Some(id) = self.setting(DEVICE_ID)? {
            return Ok(id);
        }
        let id = uuid::Uuid::now_v7();
        self.set_setting(DEVICE_ID, &id)?;
        Ok(id)
    }

    /// The UI language code (`zh` or `en`), if one was chosen.
    pub fn language(&self) -> Result<Option<String>> {
        self.setting(LANGUAGE)
    }

    /// Remembers the UI language.
    pub fn set_language(&self, code: &str) -> Result<()> {
        if !matches!(code, "zh" | "en") {
            return Err(Error::invalid("language", ErrorCode::OutOfRange, "zh or en"));
        }
        self.set_setting(LANGUAGE, &code)
    }

    /// The theme chosen on this phone ([`Theme::System`] until one is).
    pub fn theme(&self) -> Result<Theme> {
        Ok(self.setting(THEME)?.unwrap_or_default())
    }

    /// Remembers the theme.
    pub fn set_theme(&self, theme: Theme) -> Result<()> {
        self.set_setting(THEME, &theme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_kept_and_checked() {
        let store = Store::open_in_memory().expect("open");
        assert_eq!(store.track_defaults().expect("defaults"), TrackSettings::default());
        let changed = TrackSettings { min_move_m: 5.0, max_accuracy_m: 30.0, ..TrackSettings::default() };
        store.set_track_defaults(&changed).expect("set");
        assert_eq!(store.track_defaults().expect("read"), changed);
        let bad = TrackSettings { max_accuracy_m: 0.5, ..changed };
        let err = store.set_track_defaults(&bad).expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "track.max_accuracy_m", .. }), "{err:?}");
        assert_eq!(store.track_defaults().expect("read"), changed, "nothing saved is lost");
    }

    #[test]
    fn the_theme_is_remembered() {
        let store = Store::open_in_memory().expect("open");
        assert_eq!(store.theme().expect("theme"), Theme::System);
        store.set_theme(Theme::Night).expect("set");
        assert_eq!(store.theme().expect("theme"), Theme::Night);
    }

    #[test]
    fn language_is_remembered() {
        let store = Store::open_in_memory().expect("open");
        assert_eq!(store.language().expect("lang"), None);
        store.set_language("en").expect("set");
        assert_eq!(store.language().expect("lang").as_deref(), Some("en"));
        assert!(store.set_language("fr").is_err());
    }
}
