//! Sync with the county, as an outbox. Enrolment gives the phone a token (its hash chain
//! outlives the token); each run sends people and keys first, then patrols and hazard entries,
//! then photos (tus, resumed from the county's offset, never from zero), then pulls what the
//! county published (the roster first of all). Every step is idempotent, so a cut connection
//! costs a retry and never a lost or doubled record. A record the county refuses never holds
//! back the ones after it. Blocking: the [`Worker`] runs it on its own thread.

mod enrolment;
mod fetch;
mod outgoing;
mod pull;
mod run;
mod schedule;
mod worker;

use std::time::Duration;

use redvest_shared::sync::SyncProblem;
use redvest_shared::wire::ApiError;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;

pub use pull::Applied;
pub use enrolment::county_address;
pub use run::{sync_into, sync_once};
pub use schedule::{backoff, Plan, Schedule, AFTER_CUT, FIRST_BACKOFF, IDLE, MAX_BACKOFF, PROBE_EVERY, WHILE_PENDING};
pub use worker::Worker;

use crate::Error;

/// How a run talks to the county.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    /// Per request; a slower answer counts as a cut connection.
    pub timeout: Duration,
    /// Photo bytes per `PATCH`: what a cut connection can cost at most.
    pub chunk: usize,
    /// Records per push.
    pub batch: usize,
    /// A new connection per request (tests that cut connections one request at a time);
    /// normally connections are reused, which matters on a slow link.
    pub fresh_connections: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        // 256 KB: most photos in one round trip; a cut loses little, since the county keeps
        // what arrived of a cut-off chunk.
        Self { timeout: Duration::from_secs(30), chunk: 256 * 1024, batch: 20, fresh_connections: false }
    }
}

/// Why a run stopped. Records the county refused are not failures of the run: they are
/// marked in the outbox and the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    /// Not enrolled yet.
    #[error("this device is not enrolled with the county")]
    NotEnrolled,
    /// No connection.
    #[error("no connection to the county: {0}")]
    Offline(String),
    /// No answer in time.
    #[error("the county did not answer in time: {0}")]
    Timeout(String),
    /// 5xx or 429.
    #[error("the county is busy or failing ({0}): {1}")]
    ServerBusy(u16, String),
    /// The county revoked this device.
    #[error("the county revoked this device: {0}")]
    Revoked(String),
    /// The county does not know the token, or refused the enrolment code.
    #[error("the county refused this device: {0}")]
    Unauthorized(String),
    /// An answer that does not follow the API.
    #[error("unexpected answer from the county: {0}")]
    Protocol(String),
    /// The device store failed.
    #[error(transparent)]
    Store(#[from] Error),
}

impl SyncFailure {
    /// The kind of problem, for the UI's words.
    pub fn problem(&self) -> SyncProblem {
        match self {
            SyncFailure::NotEnrolled => SyncProblem::NotEnrolled,
            SyncFailure::Offline(_) => SyncProblem::Offline,
            SyncFailure::Timeout(_) => SyncProblem::Timeout,
            SyncFailure::ServerBusy(..) => SyncProblem::ServerBusy,
            SyncFailure::Revoked(_) => SyncProblem::Revoked,
            SyncFailure::Unauthorized(_) => SyncProblem::Unauthorized,
            SyncFailure::Protocol(_) => SyncProblem::Protocol,
            SyncFailure::Store(_) => SyncProblem::Storage,
        }
    }

    /// The code the UI chooses its words by, for failures it shows beside a field.
    pub fn ipc_error(&self) -> Option<redvest_shared::IpcError> {
        use redvest_shared::{ErrorCode, IpcError};
        match self {
            SyncFailure::Store(_) => None,
            SyncFailure::Unauthorized(_) | SyncFailure::Revoked(_) => Some(IpcError::new(ErrorCode::EnrolRefused, self.to_string()).with_field("sync.code")),
            _ => Some(IpcError::new(ErrorCode::CountyUnreachable, self.to_string()).with_field("sync.server")),
        }
    }

    /// Whether retrying later can help (not for a revoked or unknown device).
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncFailure::Offline(_) | SyncFailure::Timeout(_) | SyncFailure::ServerBusy(..) | SyncFailure::Protocol(_))
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records the county stored now.
    pub accepted: u32,
    /// Records it already had (a resend after a cut answer).
    pub repeats: u32,
    /// Records it refused for good (until 重新发送), marked in the outbox.
    pub refused: u32,
    /// Records it refused for a cause it may lose (a key, a roster change): held as 待上传.
    pub held: u32,
    /// Photos completed.
    pub photos: u32,
    /// Photo bytes sent.
    pub photo_bytes_sent: u64,
    /// Photo bytes not sent because the county already had them (a resumed upload).
    pub photo_bytes_resumed: u64,
    /// Items pulled and applied.
    pub pulled: u32,
    /// Answers received from the county: the link worked at some point in the run.
    pub answers: u32,
}

impl SyncReport {
    /// Whether the run got anything through: records, photo bytes, or any answer at all (a
    /// hold made on the phone alone is no sign of a link).
    pub fn progressed(&self) -> bool {
        self.accepted + self.repeats + self.refused + self.photos + self.pulled + self.answers > 0 || self.photo_bytes_sent > 0
    }
}

fn http(options: SyncOptions) -> Result<Client, SyncFailure> {
    let builder = Client::builder();
    let builder = if options.fresh_connections { builder.pool_max_idle_per_host(0) } else { builder };
    builder
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| SyncFailure::Protocol(format!("HTTP client: {e}")))
}

fn transport(e: reqwest::Error) -> SyncFailure {
    if e.is_timeout() {
        SyncFailure::Timeout(e.to_string())
    } else if e.is_decode() {
        SyncFailure::Protocol(e.to_string())
    } else {
        SyncFailure::Offline(e.to_string())
    }
}

/// Sends a request; non-success answers become failures, with the county's message.
fn send(request: RequestBuilder) -> Result<Response, SyncFailure> {
    send_checked(request.send().map_err(transport)?)
}

/// Turns a non-success answer into a failure, with the county's message.
fn send_checked(response: Response) -> Result<Response, SyncFailure> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Option<ApiError> = response.json().ok();
    let message = body.as_ref().map_or_else(|| status.to_string(), |b| b.message.clone());
    Err(match (status, body.as_ref().map(|b| b.error.as_str())) {
        (StatusCode::UNAUTHORIZED, Some("revoked")) => SyncFailure::Revoked(message),
        (StatusCode::UNAUTHORIZED, _) => SyncFailure::Unauthorized(message),
        (s, _) if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => SyncFailure::ServerBusy(s.as_u16(), message),
        (s, _) => SyncFailure::Protocol(format!("{s}: {message}")),
    })
}

fn header_number(response: &Response, name: &str) -> Result<usize, SyncFailure> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| SyncFailure::Protocol(format!("no {name} in the county's answer")))
}
