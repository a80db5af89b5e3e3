//! The device's view of its sync with the county, for the sync page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::wire::Alert;

/// What an outbox entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    /// A sealed patrol with everything in it.
    Patrol,
    /// A hazard history entry.
    HazardEvent,
    /// A photo's bytes.
    Photo,
}

/// Where an outbox entry stands (待上传 / 上传中 / 已上传 / 失败 / 冲突).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent.
    Pending,
    /// Being sent now.
    Sending,
    /// The county holds it.
    Sent,
    /// The county refused it (422); it will not be retried.
    Failed,
    /// The county holds different content under its id (409); it will not be retried.
    Conflict,
}

/// One outbox entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// Its place in the queue.
    pub seq: i64,
    /// What it carries.
    pub kind: OutboxKind,
    /// The record's id or the photo's hash.
    pub reference: String,
    /// Where it stands.
    pub state: OutboxState,
    /// Why it failed or conflicted (English detail from the county).
    pub reason: Option<String>,
    /// Its size, for photos.
    pub bytes: u64,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// How much of one kind waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The kind.
    pub kind: OutboxKind,
    /// How many entries.
    pub count: u32,
    /// Their bytes (photos).
    pub bytes: u64,
}

/// Why the last sync attempt failed, for the UI to say in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncProblem {
    /// The device has not enrolled with the county.
    NotEnrolled,
    /// No connection to the county (no signal, server down).
    Offline,
    /// The county did not answer in time.
    Timeout,
    /// The county answered with a server error (5xx) or asked to slow down (429).
    ServerBusy,
    /// The county revoked this device (401).
    Revoked,
    /// The county does not know this device's token (401).
    Unauthorized,
    /// The county's answer could not be understood (a version mismatch).
    Protocol,
    /// The device could not read or write its own store.
    Storage,
}

/// The last failure: what, in detail, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncError {
    /// Which kind of problem.
    pub problem: SyncProblem,
    /// English detail.
    pub detail: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Progress while sending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Bytes (records and photos) sent in this run.
    pub done_bytes: u64,
    /// Bytes this run set out to send.
    pub total_bytes: u64,
}

/// The device's enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    /// The county endpoint's base URL.
    pub server: String,
    /// The device's id at the county.
    pub device_id: Uuid,
    /// The team's name.
    pub team_name: String,
}

/// Everything the sync page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The enrolment, if any.
    pub enrolled: Option<Enrolled>,
    /// How much waits, per kind.
    pub pending: Vec<Pending>,
    /// The newest entries, newest first.
    pub items: Vec<OutboxItem>,
    /// Progress while a run is sending.
    pub progress: Option<Progress>,
    /// When the last run succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure, if the last run failed.
    pub last_error: Option<SyncError>,
    /// Alerts from the county still in force.
    pub alerts: Vec<Alert>,
}
