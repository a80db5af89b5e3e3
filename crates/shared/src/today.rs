//! The home page's overview (今日巡查).

use serde::{Deserialize, Serialize};

use crate::duty::TodayDuty;
use crate::hazard::Hazard;
use crate::patrol::{PatrolSummary, ReviewSummary};

/// What the home page shows at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Today {
    /// Today's duties with their status.
    pub duties: Vec<TodayDuty>,
    /// Duty occurrences missed over the last 7 days (today included).
    #[serde(default)]
    pub missed_week: u32,
    /// The same over the last 30 days.
    #[serde(default)]
    pub missed_month: u32,
    /// Open hazards, overdue first.
    pub open_hazards: Vec<Hazard>,
    /// The patrol still to be finished: being recorded, or sent back by the leader (继续).
    pub unfinished: Option<PatrolSummary>,
    /// The patrol being recorded when the app was last closed: the app reopens it at launch.
    /// Not one sent back, which the background sync may pull while the home page is up.
    #[serde(default)]
    pub recording: Option<uuid::Uuid>,
    /// Patrols the volunteer signed that wait for the leader's countersignature.
    pub awaiting_review: u32,
    /// Records on the device not yet sent to the county.
    pub unsynced: u32,
    /// Records the county refused: the home page says so and leads to the sync page.
    pub refused: u32,
    /// 队长待审: patrols waiting for a leader on this phone (empty when no leader has a key here).
    pub reviews: Vec<ReviewSummary>,
}
