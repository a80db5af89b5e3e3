//! The hazard register (隐患台账): every hazard's state is the last entry of its history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::observation::HazardReport;

/// A hazard's place in its lifecycle (DOMAIN.md).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardState {
    /// Found, not yet assigned.
    Reported,
    /// A responsible person and a deadline are set.
    Assigned,
    /// Being fixed.
    Rectifying,
    /// Checked as fixed.
    Verified,
    /// 销号: closed for good.
    Closed,
    /// Fixed on the spot when found.
    FixedOnSpot,
    /// Sent to the centre or the county.
    Escalated,
}

impl HazardState {
    /// Every state.
    pub const ALL: [HazardState; 7] = [
        HazardState::Reported,
        HazardState::Assigned,
        HazardState::Rectifying,
        HazardState::Verified,
        HazardState::Closed,
        HazardState::FixedOnSpot,
        HazardState::Escalated,
    ];

    /// Whether the hazard is still open in this state.
    pub fn is_open(self) -> bool {
        !matches!(self, HazardState::Closed | HazardState::FixedOnSpot)
    }

    /// Whether a change from `self` to `to` is allowed. Staying in the same open state is a
    /// re-check ("still open") and is allowed.
    pub fn can_go_to(self, to: HazardState) -> bool {
        use HazardState::*;
        match (self, to) {
            (Closed | FixedOnSpot, _) => false,
            (from, to) if from == to => true,
            (Reported, Assigned | FixedOnSpot | Escalated) => true,
            (Assigned, Rectifying | Escalated) => true,
            (Rectifying, Verified | Escalated) => true,
            (Verified, Closed | Rectifying) => true,
            (Escalated, Assigned | Closed) => true,
            _ => false,
        }
    }
}

/// One entry in a hazard's history. Entries are only ever appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardEvent {
    /// UUIDv7.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (name as on the roster, or "县政法委").
    pub by: String,
    /// The state after this entry.
    pub state: HazardState,
    /// Why, in words.
    pub reason: String,
    /// Responsible person, when assigned.
    pub responsible: Option<String>,
    /// Deadline, when assigned.
    pub deadline: Option<NaiveDate>,
    /// The patrol it was recorded on, if any.
    pub patrol_id: Option<Uuid>,
}

/// A hazard with its history, as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    /// UUIDv7.
    pub id: Uuid,
    /// What was reported.
    pub report: HazardReport,
    /// The current state (the last event's).
    pub state: HazardState,
    /// The current deadline, if any.
    pub deadline: Option<NaiveDate>,
    /// Whether the deadline has passed while the hazard is open.
    pub overdue: bool,
    /// Every change, oldest first.
    pub history: Vec<HazardEvent>,
}

/// A change to a hazard's state, as a leader enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardChange {
    /// The hazard.
    pub hazard_id: Uuid,
    /// The new state.
    pub state: HazardState,
    /// Who makes the change (a roster member).
    pub by_member: Uuid,
    /// Why (required).
    pub reason: String,
    /// Responsible person (required when assigning).
    pub responsible: Option<String>,
    /// Deadline (required when assigning).
    pub deadline: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::HazardState::*;

    #[test]
    fn lifecycle_allows_the_documented_paths() {
        assert!(Reported.can_go_to(Assigned));
        assert!(Assigned.can_go_to(Rectifying));
        assert!(Rectifying.can_go_to(Verified));
        assert!(Verified.can_go_to(Closed));
        assert!(Reported.can_go_to(Escalated));
        assert!(Rectifying.can_go_to(Rectifying), "re-checked, still open");
    }

    #[test]
    fn lifecycle_refuses_shortcuts_and_reopening() {
        assert!(!Reported.can_go_to(Closed), "closing needs verification");
        assert!(!Assigned.can_go_to(Verified));
        assert!(!Closed.can_go_to(Reported));
        assert!(!FixedOnSpot.can_go_to(Assigned));
        assert!(!Closed.can_go_to(Closed));
    }
}
