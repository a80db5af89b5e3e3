//! The device's view of its sync with the county, for the sync page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::wire::{Alert, Refusal};

/// What an outbox entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    /// 一键报警: a rapid report, sent before anything else.
    Rapid,
    /// A sealed patrol with everything in it.
    Patrol,
    /// A hazard history entry.
    HazardEvent,
    /// A photo's bytes.
    Photo,
    /// A member's signing key (set or changed PIN).
    Key,
    /// A person added on this phone, proposed for the county's roster.
    Member,
    /// A patrol signed by its volunteer, for the leader to review on their own phone.
    Submission,
    /// A leader's countersignature made on this phone.
    Countersign,
    /// A leader sent a patrol back from this phone.
    Return,
}

/// Where an outbox entry stands (待上传 / 上传中 / 已上传 / 失败 / 冲突).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent (待上传); with a `code`, it waits for that cause to go away (a key
    /// the county has not accepted yet, a leader it has not confirmed) and is sent again by
    /// itself when it does.
    Pending,
    /// Being sent now.
    Sending,
    /// The county holds it.
    Sent,
    /// The county refused it (422) for a reason that does not go away by itself; 重新发送
    /// on the sync page tries again once the cause is fixed.
    Failed,
    /// The county holds different content under its id (409); not retried by itself, only by
    /// 重新发送.
    Conflict,
    /// Not needed any more: a signed patrol decided on this phone before it went (the leader
    /// countersigned it here and it goes up whole, or sent it back here), or a photo taken
    /// off the patrol it was queued with.
    Superseded,
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
    /// Why it was refused or waits, as a code the UI words.
    pub code: Option<Refusal>,
    /// Why it failed or conflicted (English detail from the county, for the log).
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
    /// The county revoked this device: the sync page offers to enrol it again (same chain).
    pub revoked: bool,
}

/// Everything the sync page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The enrolment, if any.
    pub enrolled: Option<Enrolled>,
    /// How much waits, per kind.
    pub pending: Vec<Pending>,
    /// Entries the county refused (失败 / 冲突), to resend once the cause is fixed.
    pub refused: Vec<OutboxItem>,
    /// Entries that wait for a cause at the county (a key, a leader's confirmation).
    pub waiting: Vec<OutboxItem>,
    /// When the worker tries next (a run, or a small probe of whether the county answers).
    pub next_attempt: Option<DateTime<Utc>>,
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

/// Whether `host` (as in a URL or a `Host` header, with or without a port) is this machine's
/// own loopback: the one place a county may be reached over plain `http://`.
pub fn loopback_host(host: &str) -> bool {
    let host = host.trim();
    let bare = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None if host.matches(':').count() == 1 => host.split(':').next().unwrap_or_default(),
        None => host,
    };
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod loopback_tests {
    use super::loopback_host;

    #[test]
    fn loopback_hosts_with_and_without_ports() {
        for yes in ["127.0.0.1", "127.0.0.1:8787", "127.9.9.9", "localhost", "LOCALHOST:80", "[::1]", "[::1]:8787", "::1"] {
            assert!(loopback_host(yes), "{yes}");
        }
        for no in ["127.example.com", "localhost.evil", "10.0.0.1:8787", "[::2]:80", "xian.example.gov.cn", ""] {
            assert!(!loopback_host(no), "{no}");
        }
    }
}
