//! The hazard register (隐患台账): every hazard's state is the last entry of its history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::observation::{Handling, HazardReport};

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
    /// Its name in Chinese, as the phones and the county show it.
    pub fn zh(self) -> &'static str {
        match self {
            HazardState::Reported => "已发现",
            HazardState::Assigned => "已交办",
            HazardState::Rectifying => "整改中",
            HazardState::Verified => "已复查",
            HazardState::Closed => "已销号",
            HazardState::FixedOnSpot => "当场整改",
            HazardState::Escalated => "已上报",
        }
    }

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

/// A hazard's first state, responsible person and deadline, by how it was handled when found:
/// the phone and the county open it the same way.
pub fn opened(report: &HazardReport) -> (HazardState, Option<String>, Option<NaiveDate>) {
    match &report.handling {
        Handling::FixedOnSpot => (HazardState::FixedOnSpot, None, None),
        Handling::Rectify { responsible, deadline, .. } => (HazardState::Assigned, Some(responsible.clone()), Some(*deadline)),
        Handling::Escalated { .. } => (HazardState::Escalated, None, None),
    }
}

/// What the county decides on a hazard (县综治中心 or a township's 综治中心), appended to its
/// history and pulled by the team's phones.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountyAction {
    /// 交办: a responsible person and a deadline.
    Assign,
    /// 督办: pressed to finish; the state stays, a new deadline may be set.
    Supervise,
    /// 复查: checked as fixed.
    Recheck,
    /// 销号: closed for good.
    Close,
    /// 退回: not accepted, with a reason: a fix back to rectifying, an escalation back to
    /// the team.
    Return,
}

impl CountyAction {
    /// Every action, in the order a clerk meets them.
    pub const ALL: [CountyAction; 5] = [CountyAction::Assign, CountyAction::Supervise, CountyAction::Recheck, CountyAction::Close, CountyAction::Return];

    /// The key forms and the database use.
    pub fn key(self) -> &'static str {
        match self {
            CountyAction::Assign => "assign",
            CountyAction::Supervise => "supervise",
            CountyAction::Recheck => "recheck",
            CountyAction::Close => "close",
            CountyAction::Return => "return",
        }
    }

    /// The action for a key.
    pub fn from_key(key: &str) -> Option<CountyAction> {
        CountyAction::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Its name in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            CountyAction::Assign => "交办",
            CountyAction::Supervise => "督办",
            CountyAction::Recheck => "复查",
            CountyAction::Close => "销号",
            CountyAction::Return => "退回",
        }
    }

    /// The state a hazard in `from` is in after this action; `None` when the action does not
    /// apply there (a closed hazard takes none).
    pub fn target(self, from: HazardState) -> Option<HazardState> {
        use HazardState::*;
        match (self, from) {
            (_, Closed | FixedOnSpot) => None,
            (CountyAction::Assign, Reported | Escalated | Assigned) => Some(Assigned),
            (CountyAction::Supervise, s) => Some(s),
            (CountyAction::Recheck, Assigned | Rectifying) => Some(Verified),
            (CountyAction::Close, Verified | Escalated) => Some(Closed),
            (CountyAction::Return, Verified) => Some(Rectifying),
            (CountyAction::Return, Escalated) => Some(Reported),
            _ => None,
        }
    }

    /// Whether the clerk must give a responsible person and a deadline.
    pub fn needs_assignee(self) -> bool {
        self == CountyAction::Assign
    }

    /// Whether the clerk must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, CountyAction::Supervise | CountyAction::Return)
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
    /// The photos taken when it was found (SHA-256), in the order they were added.
    #[serde(default)]
    pub photos: Vec<String>,
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

    #[test]
    fn county_actions_follow_the_register() {
        use super::CountyAction::*;
        assert_eq!(Close.target(Escalated), Some(Closed), "an escalated hazard is closed by the county");
        assert_eq!(Close.target(Reported), None, "closing needs a check first");
        assert_eq!(Recheck.target(Rectifying), Some(Verified));
        assert_eq!(Return.target(Verified), Some(Rectifying));
        assert_eq!(Supervise.target(Assigned), Some(Assigned), "督办 keeps the state");
        assert_eq!(Assign.target(Closed), None, "nothing reopens a closed hazard");
        for a in super::CountyAction::ALL {
            assert_eq!(super::CountyAction::from_key(a.key()), Some(a));
        }
    }
}
