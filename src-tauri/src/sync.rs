//! The sync worker: one thread that runs `redvest_core::sync::sync_once` at start, when the
//! window comes back to the front, after a record is sealed, every few minutes while
//! something waits, and when the volunteer presses 立即同步; with exponential backoff and
//! jitter after failures, reset by a success.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_core::Store;
use redvest_shared::sync::Progress;

/// Between runs while records or photos wait (and nothing failed).
const WHILE_PENDING: Duration = Duration::from_secs(3 * 60);
/// Between runs when nothing waits: still pulls the county's plans and alerts.
const IDLE: Duration = Duration::from_secs(15 * 60);
/// The first retry after a failure; doubled each time up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(20);
const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);

/// Handle to the worker: wake it, read its progress.
#[derive(Clone)]
pub struct SyncWorker {
    wake: Sender<()>,
    progress: Arc<Mutex<Option<Progress>>>,
}

impl SyncWorker {
    /// Asks for a run now (coalesced with one already due).
    pub fn wake(&self) {
        let _ = self.wake.send(());
    }

    /// A worker that never runs (the store could not be opened; the UI says why).
    pub fn idle() -> Self {
        let (wake, _) = mpsc::channel();
        Self { wake, progress: Arc::default() }
    }

    /// Progress of the run under way, if one is.
    pub fn progress(&self) -> Option<Progress> {
        *self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The wait before retry `failures` (1, 2, …): doubling, capped, ±50 % jitter so a valley
/// full of phones does not hit the county at the same second.
pub fn backoff(failures: u32) -> Duration {
    let base = FIRST_BACKOFF.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    base.mul_f64(0.5 + f64::from(nanos % 1000) / 1000.0)
}

/// Starts the worker; the first run is immediate.
pub fn start(store: Arc<Store>, options: SyncOptions) -> SyncWorker {
    let (wake, woken) = mpsc::channel();
    let progress = Arc::new(Mutex::new(None));
    let worker = SyncWorker { wake, progress: progress.clone() };
    std::thread::spawn(move || {
        let mut failures = 0u32;
        let mut wait = Duration::ZERO;
        loop {
            match woken.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            while woken.try_recv().is_ok() {} // several wake-ups, one run
            let set = |p: Option<Progress>| *progress.lock().unwrap_or_else(|e| e.into_inner()) = p;
            set(Some(Progress::default()));
            let outcome = sync_once(&store, options, &|p| set(Some(p)));
            set(None);
            if let Err(e) = store.record_sync_outcome(&outcome, Utc::now()) {
                tracing::error!(error = %e, "could not record the sync outcome");
            }
            wait = match &outcome {
                Ok(report) => {
                    failures = 0;
                    tracing::info!(?report, "sync run done");
                    let pending = store.outbox_pending().map(|p| !p.is_empty()).unwrap_or(true);
                    if pending { WHILE_PENDING } else { IDLE }
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(error = %e, failures, "sync run failed");
                    // Not enrolled, revoked: nothing changes until someone acts (and wakes us).
                    if e.is_transient() { backoff(failures) } else { IDLE }
                }
            };
        }
    });
    worker
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
}
