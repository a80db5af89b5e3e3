//! One run: push, photos, pull; and again once if the pull let held records go (a key or a
//! leader the county has now). How the run ended is kept for the sync page.

use chrono::{DateTime, Utc};
use redvest_shared::sync::{OutboxKind, Progress, SyncError, SyncStatus};
use reqwest::blocking::Client;

use super::enrolment::StoredEnrolment;
use super::{http, SyncFailure, SyncOptions, SyncReport};
use crate::{Result, Store};

const LAST_SUCCESS: &str = "sync.last_success";
const LAST_ERROR: &str = "sync.last_error";

/// A run under way: the store, the HTTP client and the enrolment it speaks for.
pub(super) struct Run<'a> {
    pub store: &'a Store,
    pub client: Client,
    pub enrolment: StoredEnrolment,
    pub options: SyncOptions,
}

impl Run<'_> {
    /// An API address on the enrolled county, e.g. `url("/push")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.enrolment.server)
    }
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
    // A phone enrolled at a plain-http address before this rule sends nothing there.
    super::enrolment::county_address(&enrolment.server)?;
    let run = Run { store, client: http(options)?, enrolment, options };
    let outcome = run.send_all(report, progress).and_then(|()| run.pull(report)).and_then(|released| {
        // The roster brought what held records waited for, or a leader's countersignature
        // sealed a patrol: send them in this run.
        if released > 0 { run.send_all(report, progress) } else { Ok(()) }
    });
    if outcome.is_err() {
        // Cut off: what was on its way waits again (the county tells repeats apart).
        store.outbox_unsent_again(Utc::now())?;
    }
    outcome
}

impl Run<'_> {
    fn send_all(&self, report: &mut SyncReport, progress: &dyn Fn(Progress)) -> Result<(), SyncFailure> {
        self.push(report)?;
        let photos = self.store.outbox_due(OutboxKind::Photo)?;
        let mut done = Progress { done_bytes: 0, total_bytes: photos.iter().map(|p| p.bytes).sum() };
        progress(done);
        self.photos(&photos, report, &mut done, progress)
    }
}

impl Store {
    /// Remembers how a run ended; a revoked token is kept as such until the phone enrols again.
    pub fn record_sync_outcome(&self, outcome: &Result<(), SyncFailure>, now: DateTime<Utc>) -> Result<()> {
        match outcome {
            Ok(_) => {
                self.set_setting(LAST_SUCCESS, &now)?;
                self.conn().execute("DELETE FROM setting WHERE key = ?1", [LAST_ERROR])?;
            }
            Err(e) => {
                if matches!(e, SyncFailure::Revoked(_)) {
                    self.mark_revoked()?;
                }
                self.set_setting(LAST_ERROR, &SyncError { problem: e.problem(), detail: e.to_string(), at: now })?;
            }
        }
        Ok(())
    }

    /// Everything the sync page shows.
    pub fn sync_status(&self, progress: Option<Progress>, next_attempt: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<SyncStatus> {
        Ok(SyncStatus {
            enrolled: self.enrolment_stored()?.map(|e| e.public()),
            pending: self.outbox_pending()?,
            refused: self.outbox_refused()?,
            waiting: self.outbox_waiting()?,
            next_attempt,
            items: self.outbox_recent(50)?,
            progress,
            last_success: self.setting(LAST_SUCCESS)?,
            last_error: self.setting(LAST_ERROR)?,
            alerts: self.alerts(now)?,
        })
    }
}
