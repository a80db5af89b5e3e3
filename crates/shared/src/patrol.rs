//! Patrols (巡查) as the UI lists them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One patrol as shown in a list: its id and when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolSummary {
    /// UUIDv7, made on the device when the patrol starts; sorts by creation time.
    pub id: Uuid,
    /// When the patrol started (UTC; the UI shows local time).
    pub started_at: DateTime<Utc>,
}
