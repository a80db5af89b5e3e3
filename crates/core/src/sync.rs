//! Sync with the county: enrolment, then each run pushes records (patrols, hazard entries),
//! uploads photos (tus, resumed from the county's offset, never from zero), and pulls what
//! the county published. Every step is idempotent, so a cut connection costs a retry and
//! never a lost or doubled record. Blocking: the shell runs it on its own thread.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use redvest_shared::patrol::SignerRole;
use redvest_shared::sync::{Enrolled, OutboxItem, OutboxKind, OutboxState, Progress, SyncError, SyncProblem, SyncStatus};
use redvest_shared::wire::{
    content_sha256, ApiError, ChainEntry, EnrolRequest, Enrolment, HazardEventPush, PatrolPush, PullPage, Published, PushBatch,
    PushOutcome, PushRecord, PushResults, RecordBody, SignerKey, WireSignature,
};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field::{enum_from, enum_text};
use crate::{Error, Result, Store};

const ENROLMENT: &str = "sync.enrolment";
const CURSOR: &str = "sync.cursor";
const LAST_SUCCESS: &str = "sync.last_success";
const LAST_ERROR: &str = "sync.last_error";

/// What the device keeps of its enrolment (the token never leaves the device store).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredEnrolment {
    server: String,
    device_id: Uuid,
    token: String,
    team_id: Uuid,
    team_name: String,
}

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

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Records the county stored now.
    pub accepted: u32,
    /// Records it already had (a resend after a cut answer).
    pub repeats: u32,
    /// Records it refused (409/422), marked in the outbox.
    pub refused: u32,
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

impl Store {
    fn enrolment_stored(&self) -> Result<Option<StoredEnrolment>> {
        self.setting(ENROLMENT)
    }

    /// Enrols this device with the county: sends the one-time code and the public keys of
    /// everyone who signs on it; keeps the token.
    pub fn enrol(&self, server: &str, code: &str, device_name: &str, options: SyncOptions) -> Result<Enrolled, SyncFailure> {
        let server = server.trim().trim_end_matches('/').to_owned();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(Error::invalid("sync.server", redvest_shared::ErrorCode::OutOfRange, "the county address starts with http:// or https://").into());
        }
        let members = self.list_members()?;
        let signers = self
            .public_keys()?
            .into_iter()
            .filter_map(|k| {
                let member = members.iter().find(|m| m.id == k.member_id)?;
                Some(SignerKey { member_id: k.member_id, name: member.name.clone(), role: member.role, public_key: k.public_key_hex })
            })
            .collect();
        let request = EnrolRequest { code: code.trim().into(), device_name: device_name.trim().into(), signers };
        let client = http(options)?;
        let enrolment: Enrolment = send(client.post(format!("{server}/api/v1/enrol")).json(&request))?
            .json()
            .map_err(transport)?;
        let stored = StoredEnrolment {
            server: server.clone(),
            device_id: enrolment.device_id,
            token: enrolment.token,
            team_id: enrolment.team_id,
            team_name: enrolment.team_name.clone(),
        };
        self.set_setting(ENROLMENT, &stored)?;
        Ok(Enrolled { server, device_id: stored.device_id, team_name: stored.team_name })
    }

    /// The sealed patrol as the county receives it.
    pub fn patrol_push(&self, patrol: Uuid) -> Result<PatrolPush> {
        let record = self.patrol_record(patrol)?;
        let conn = self.conn();
        let (seq, hash, link): (i64, Vec<u8>, Vec<u8>) = conn
            .query_row("SELECT seq, record_hash, link FROM chain WHERE patrol_id = ?1", [patrol], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?
            .ok_or_else(|| Error::WrongState(format!("patrol {patrol} is not sealed")))?;
        let prev: Vec<u8> = conn
            .query_row("SELECT link FROM chain WHERE seq < ?1 ORDER BY seq DESC LIMIT 1", [seq], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| vec![0; 32]);
        let canonical: Vec<u8> = conn.query_row("SELECT canonical FROM signed_record WHERE hash = ?1", [&hash], |r| r.get(0))?;
        let canonical = String::from_utf8(canonical).map_err(|e| Error::Corrupt(format!("signed record is not UTF-8: {e}")))?;
        let mut stmt = conn.prepare(
            "SELECT role, member_id, public_key, signature, signed_at, handwriting FROM signature
             WHERE patrol_id = ?1 AND record_hash = ?2 ORDER BY signed_at, id",
        )?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let signatures = stmt
            .query_map(params![patrol, hash], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Uuid>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, Vec<u8>>(3)?, r.get::<_, DateTime<Utc>>(4)?, r.get::<_, Vec<u8>>(5)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(role, member_id, public, sig, signed_at, png)| {
                Ok(WireSignature {
                    role: enum_from::<SignerRole>(&role)?,
                    member_id,
                    public_key: hex::encode(public),
                    signature: hex::encode(sig),
                    signed_at,
                    handwriting_png: b64.encode(png),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        drop(stmt);
        drop(conn);
        let track_rvtk = record.track_sha256.is_some().then(|| Ok::<_, Error>(b64.encode(crate::track_codec::encode(&self.track(patrol)?)))).transpose()?;
        Ok(PatrolPush {
            canonical,
            signatures,
            chain: ChainEntry { seq, prev: hex::encode(prev), link: hex::encode(link) },
            track_rvtk,
        })
    }

    /// A hazard history entry as the county receives it, and the patrol that opened the hazard.
    fn hazard_event_push(&self, event: Uuid) -> Result<(HazardEventPush, Uuid)> {
        let row = self.conn().query_row(
            "SELECT e.hazard_id, e.at, e.by_name, e.state, e.reason, e.responsible, e.deadline, h.first_patrol
             FROM hazard_event e JOIN hazard h ON h.id = e.hazard_id WHERE e.id = ?1",
            [event],
            |r| Ok((r.get::<_, Uuid>(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get::<_, Uuid>(7)?)),
        )?;
        let (hazard_id, at, by_name, state, reason, responsible, deadline, first_patrol) = row;
        Ok((HazardEventPush { hazard_id, at, by_name, state: enum_from(&state)?, reason, responsible, deadline }, first_patrol))
    }

    /// The patrols that carry a photo.
    fn photo_patrols(&self, sha: &str) -> Result<Vec<Uuid>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT o.patrol_id FROM observation_photo op JOIN observation o ON o.id = op.observation_id WHERE op.sha256 = ?1",
        )?;
        let rows = stmt.query_map([sha], |r| r.get(0))?.collect::<rusqlite::Result<Vec<Uuid>>>()?;
        Ok(rows)
    }

    /// Applies a pulled page and stores its cursor, in one transaction.
    pub fn apply_pulled(&self, page: &PullPage) -> Result<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = Utc::now();
        for item in &page.items {
            match &item.body {
                Published::Roster { members } => {
                    for m in members {
                        tx.execute(
                            "INSERT INTO member (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)
                             ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role",
                            params![m.id, m.name, enum_text(&m.role)?, now],
                        )?;
                    }
                }
                Published::Plan { duties, .. } => {
                    for d in duties {
                        let recurrence = redvest_shared::duty::Recurrence::Dates { dates: d.dates.clone() };
                        tx.execute(
                            "INSERT INTO duty (id, assignment, place, time, recurrence) VALUES (?1, ?2, ?3, ?4, ?5)
                             ON CONFLICT (id) DO UPDATE SET assignment = excluded.assignment, place = excluded.place,
                                 time = excluded.time, recurrence = excluded.recurrence, removed_at = NULL",
                            params![d.id, d.assignment.key(), d.place, d.time.format("%H:%M:%S").to_string(), serde_json::to_string(&recurrence)?],
                        )?;
                    }
                }
                Published::Checklist { version } => {
                    tx.execute(
                        "INSERT INTO setting (key, value) VALUES ('sync.checklist_version', ?1)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [version.to_string()],
                    )?;
                }
                Published::Alert(a) => {
                    tx.execute(
                        "INSERT INTO alert (id, text, area, valid_from, valid_to) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                        params![a.id, a.text, a.area, a.valid_from, a.valid_to],
                    )?;
                }
                Published::HazardDecision(d) => {
                    // Appended to the history (never replacing a local entry); once, by its id.
                    tx.execute(
                        "INSERT INTO hazard_event (id, hazard_id, at, by_name, state, reason)
                         SELECT ?1, ?2, ?3, '县综治中心', ?4, ?5 WHERE EXISTS (SELECT 1 FROM hazard WHERE id = ?2)
                         ON CONFLICT (id) DO NOTHING",
                        params![d.id, d.hazard_id, d.at, enum_text(&d.state)?, d.reason],
                    )?;
                }
            }
        }
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR, page.next.to_string()],
        )?;
        tx.commit()?;
        Ok(page.items.len() as u32)
    }

    /// Alerts in force at `now`.
    pub fn alerts(&self, now: DateTime<Utc>) -> Result<Vec<redvest_shared::wire::Alert>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, text, area, valid_from, valid_to FROM alert WHERE valid_to > ?1 ORDER BY valid_from DESC")?;
        let rows = stmt
            .query_map([now], |r| Ok(redvest_shared::wire::Alert { id: r.get(0)?, text: r.get(1)?, area: r.get(2)?, valid_from: r.get(3)?, valid_to: r.get(4)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Remembers how a run ended.
    pub fn record_sync_outcome(&self, outcome: &Result<(), SyncFailure>, now: DateTime<Utc>) -> Result<()> {
        match outcome {
            Ok(_) => {
                self.set_setting(LAST_SUCCESS, &now)?;
                self.conn().execute("DELETE FROM setting WHERE key = ?1", [LAST_ERROR])?;
            }
            Err(e) => self.set_setting(LAST_ERROR, &SyncError { problem: e.problem(), detail: e.to_string(), at: now })?,
        }
        Ok(())
    }

    /// Everything the sync page shows.
    pub fn sync_status(&self, progress: Option<Progress>, now: DateTime<Utc>) -> Result<SyncStatus> {
        let enrolled = self
            .enrolment_stored()?
            .map(|e| Enrolled { server: e.server, device_id: e.device_id, team_name: e.team_name });
        Ok(SyncStatus {
            enrolled,
            pending: self.outbox_pending()?,
            items: self.outbox_recent(50)?,
            progress,
            last_success: self.setting(LAST_SUCCESS)?,
            last_error: self.setting(LAST_ERROR)?,
            alerts: self.alerts(now)?,
        })
    }

    /// The pull cursor.
    pub fn pull_cursor(&self) -> Result<i64> {
        Ok(self.setting::<i64>(CURSOR)?.unwrap_or(0))
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

/// One sync run: push, photos, pull. `progress` hears the bytes sent as they go.
pub fn sync_once(store: &Store, options: SyncOptions, progress: &dyn Fn(Progress)) -> Result<SyncReport, SyncFailure> {
    let mut report = SyncReport::default();
    sync_into(store, options, progress, &mut report)?;
    Ok(report)
}

/// [`sync_once`], counting into `report` even when the run is cut short, so the caller
/// can tell a cut connection that made progress from a dead one.
pub fn sync_into(store: &Store, options: SyncOptions, progress: &dyn Fn(Progress), report: &mut SyncReport) -> Result<(), SyncFailure> {
    let enrolment = store.enrolment_stored()?.ok_or(SyncFailure::NotEnrolled)?;
    let run = Run { store, client: http(options)?, enrolment, options };
    let photos = store.outbox_due(OutboxKind::Photo)?;
    let mut done = Progress { done_bytes: 0, total_bytes: photos.iter().map(|p| p.bytes).sum() };
    progress(done);
    let outcome = run.push(report).and_then(|()| run.photos(&photos, report, &mut done, progress)).and_then(|()| run.pull(report));
    if outcome.is_err() {
        // Cut off: what was on its way waits again (the county tells repeats apart).
        store.outbox_unsent_again(Utc::now())?;
    }
    outcome
}

impl SyncReport {
    /// Whether the run got anything through: records, photo bytes, or any answer at all.
    pub fn progressed(&self) -> bool {
        self.accepted + self.repeats + self.refused + self.photos + self.pulled + self.answers > 0 || self.photo_bytes_sent > 0
    }
}

/// Between runs while records or photos wait (and nothing failed).
pub const WHILE_PENDING: Duration = Duration::from_secs(3 * 60);
/// Between runs when nothing waits: still pulls the county's plans and alerts.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// After a run that was cut off but got something through: the link works, go on.
pub const AFTER_CUT: Duration = Duration::from_millis(200);
/// The first retry after a failure that got nothing through; doubled each time up to
/// [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(20);
/// The longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);

/// When to run next, from how runs went.
#[derive(Debug, Default)]
pub struct Schedule {
    failures: u32,
}

impl Schedule {
    /// The wait after a run that ended with `outcome`, having done `report`; `pending`
    /// says whether anything still waits to be sent.
    pub fn after(&mut self, outcome: &Result<(), SyncFailure>, report: &SyncReport, pending: bool) -> Duration {
        match outcome {
            Ok(()) => {
                self.failures = 0;
                if pending { WHILE_PENDING } else { IDLE }
            }
            // Not enrolled, revoked: nothing changes until someone acts (and wakes the worker).
            Err(e) if !e.is_transient() => IDLE,
            // A hilltop with two minutes of signal: a cut after progress retries at once.
            Err(_) if report.progressed() => {
                self.failures = 0;
                AFTER_CUT
            }
            Err(_) => {
                self.failures += 1;
                backoff(self.failures)
            }
        }
    }
}

/// The wait before retry `failures` (1, 2, …): doubling, capped, ±50 % jitter so a valley
/// full of phones does not hit the county at the same second.
pub fn backoff(failures: u32) -> Duration {
    let base = FIRST_BACKOFF.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    base.mul_f64(0.5 + f64::from(nanos % 1000) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for failures in 1..=20 {
            let base = FIRST_BACKOFF.saturating_mul(1 << (failures - 1).min(16)).min(MAX_BACKOFF);
            let wait = backoff(failures);
            assert!(wait >= base.mul_f64(0.5) && wait <= base.mul_f64(1.5), "{failures}: {wait:?} around {base:?}");
        }
        assert!(backoff(30) <= MAX_BACKOFF.mul_f64(1.5));
    }

    #[test]
    fn a_cut_after_progress_retries_at_once_and_success_resets() {
        let mut s = Schedule::default();
        let offline = Err(SyncFailure::Offline("no route".into()));
        let nothing = SyncReport::default();
        assert!(s.after(&offline, &nothing, true) >= FIRST_BACKOFF / 2);
        assert!(s.after(&offline, &nothing, true) >= FIRST_BACKOFF, "doubles");
        let some = SyncReport { photo_bytes_sent: 1, ..SyncReport::default() };
        assert_eq!(s.after(&offline, &some, true), AFTER_CUT);
        assert!(s.after(&offline, &nothing, true) <= FIRST_BACKOFF.mul_f64(1.5), "progress reset the backoff");
        assert_eq!(s.after(&Ok(()), &some, false), IDLE);
        assert_eq!(s.after(&Err(SyncFailure::Revoked("x".into())), &nothing, true), IDLE, "no hammering when revoked");
    }
}

struct Run<'a> {
    store: &'a Store,
    client: Client,
    enrolment: StoredEnrolment,
    options: SyncOptions,
}

impl Run<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.enrolment.server)
    }

    fn auth(&self, request: RequestBuilder) -> RequestBuilder {
        request.bearer_auth(&self.enrolment.token)
    }

    /// Records, oldest first, in batches; a hazard entry waits for the patrol that opened
    /// its hazard.
    fn push(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let mut due: Vec<OutboxItem> = [OutboxKind::Patrol, OutboxKind::HazardEvent]
            .into_iter()
            .map(|k| self.store.outbox_due(k))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        due.sort_by_key(|i| i.seq);
        let mut in_batch_patrols = Vec::new();
        let mut records = Vec::new();
        for item in due {
            let id = Uuid::parse_str(&item.reference).map_err(|e| Error::Corrupt(format!("outbox ref {}: {e}", item.reference)))?;
            let body = match item.kind {
                OutboxKind::Patrol => {
                    in_batch_patrols.push(id);
                    RecordBody::Patrol(self.store.patrol_push(id)?)
                }
                _ => {
                    let (event, patrol) = self.store.hazard_event_push(id)?;
                    if !in_batch_patrols.contains(&patrol) && !self.store.outbox_sent(OutboxKind::Patrol, &patrol.to_string())? {
                        continue; // its hazard reaches the county with that patrol
                    }
                    RecordBody::HazardEvent(event)
                }
            };
            records.push((item.kind, PushRecord { id, content_sha256: content_sha256(&body), body }));
            if records.len() == self.options.batch {
                self.push_batch(std::mem::take(&mut records), report)?;
            }
        }
        if !records.is_empty() {
            self.push_batch(records, report)?;
        }
        Ok(())
    }

    fn push_batch(&self, records: Vec<(OutboxKind, PushRecord)>, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let now = Utc::now();
        for (kind, r) in &records {
            self.store.mark_outbox(*kind, &r.id.to_string(), OutboxState::Sending, None, now)?;
        }
        let batch = PushBatch { records: records.iter().map(|(_, r)| r.clone()).collect() };
        let results: PushResults = send(self.auth(self.client.post(self.url("/push")).json(&batch)))?.json().map_err(transport)?;
        report.answers += 1;
        for result in results.results {
            let Some((kind, _)) = records.iter().find(|(_, r)| r.id == result.id) else { continue };
            let (state, counter) = match result.outcome {
                PushOutcome::Accepted => (OutboxState::Sent, &mut report.accepted),
                PushOutcome::Repeat => (OutboxState::Sent, &mut report.repeats),
                PushOutcome::Conflict => (OutboxState::Conflict, &mut report.refused),
                PushOutcome::Rejected => (OutboxState::Failed, &mut report.refused),
            };
            *counter += 1;
            self.store.mark_outbox(*kind, &result.id.to_string(), state, result.reason.as_deref(), Utc::now())?;
        }
        Ok(())
    }

    /// Each photo whose record the county holds: resumed from the county's offset.
    fn photos(&self, due: &[OutboxItem], report: &mut SyncReport, done: &mut Progress, progress: &dyn Fn(Progress)) -> Result<(), SyncFailure> {
        for item in due {
            let mut ready = false;
            for patrol in self.store.photo_patrols(&item.reference)? {
                ready |= self.store.outbox_sent(OutboxKind::Patrol, &patrol.to_string())?;
            }
            if !ready {
                continue; // text first, media after
            }
            self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Sending, None, Utc::now())?;
            match self.upload(&item.reference, report, done, progress)? {
                None => self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Sent, None, Utc::now())?,
                Some(reason) => {
                    report.refused += 1;
                    self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Failed, Some(&reason), Utc::now())?;
                }
            }
        }
        Ok(())
    }

    /// The county's offset for a photo, creating the upload if it has none.
    /// One round trip: uploads are addressed by their hash, so creating one that exists
    /// answers where it stands (a `HEAD` first would cost a second round trip on 2G).
    fn offset(&self, sha: &str, length: usize) -> Result<usize, SyncFailure> {
        let metadata = format!("sha256 {}", base64::engine::general_purpose::STANDARD.encode(sha));
        let response = send(
            self.auth(self.client.post(self.url("/photos")))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", length.to_string())
                .header("Upload-Metadata", metadata),
        )?;
        header_number(&response, "Upload-Offset")
    }

    /// Uploads one photo; `Some(reason)` if the county refuses its bytes.
    fn upload(&self, sha: &str, report: &mut SyncReport, done: &mut Progress, progress: &dyn Fn(Progress)) -> Result<Option<String>, SyncFailure> {
        let bytes = self.store.photo_bytes(sha, false)?;
        let mut offset = self.offset(sha, bytes.len())?;
        report.answers += 1;
        report.photo_bytes_resumed += offset as u64;
        done.done_bytes += offset as u64;
        progress(*done);
        let mut restarts = 0;
        while offset < bytes.len() {
            let end = (offset + self.options.chunk).min(bytes.len());
            let response = self
                .auth(self.client.patch(self.url(&format!("/photos/{sha}"))))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", offset.to_string())
                .header("Content-Type", "application/offset+octet-stream")
                // A big chunk on a slow link takes long: allow it 4 KB/s on top.
                .timeout(self.options.timeout + Duration::from_secs_f64((end - offset) as f64 / 4_000.0))
                .body(bytes[offset..end].to_vec())
                .send()
                .map_err(transport)?;
            match response.status() {
                StatusCode::CONFLICT => offset = self.offset(sha, bytes.len())?, // out of step: ask again
                StatusCode::UNPROCESSABLE_ENTITY if restarts == 0 => {
                    restarts += 1;
                    offset = 0; // the county threw the bytes away; once more from the start
                }
                StatusCode::UNPROCESSABLE_ENTITY => return Ok(Some("the county received different bytes than the photo's hash twice".into())),
                _ => {
                    let response = send_checked(response)?;
                    report.answers += 1;
                    let new = header_number(&response, "Upload-Offset")?;
                    report.photo_bytes_sent += (end - offset) as u64;
                    done.done_bytes += (new.saturating_sub(offset)) as u64;
                    progress(*done);
                    offset = new;
                }
            }
        }
        report.photos += 1;
        Ok(None)
    }

    /// Pages of what the county published; the cursor is stored with each applied page.
    fn pull(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        loop {
            let after = self.store.pull_cursor()?;
            let page: PullPage = send(self.auth(self.client.get(self.url("/pull")).query(&[("after", after), ("limit", 100)])))?
                .json()
                .map_err(transport)?;
            report.answers += 1;
            report.pulled += self.store.apply_pulled(&page)?;
            if !page.more || page.items.is_empty() {
                return Ok(());
            }
        }
    }
}

fn header_number(response: &Response, name: &str) -> Result<usize, SyncFailure> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| SyncFailure::Protocol(format!("no {name} in the county's answer")))
}
