//! The sync worker: one thread that runs `redvest_core::sync` at start, when the window
//! comes back to the front, after a record is sealed, on 立即同步, and on the schedule the
//! core decides (every few minutes while something waits; backoff with jitter after
//! failures; at once after a cut that got something through).

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use redvest_core::sync::{sync_into, Schedule, SyncOptions, SyncReport};
use redvest_core::Store;
use redvest_shared::sync::Progress;

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

/// Starts the worker; the first run is immediate.
pub fn start(store: Arc<Store>, options: SyncOptions) -> SyncWorker {
    let (wake, woken) = mpsc::channel();
    let progress = Arc::new(Mutex::new(None));
    let worker = SyncWorker { wake, progress: progress.clone() };
    std::thread::spawn(move || {
        let mut schedule = Schedule::default();
        let mut wait = Duration::ZERO;
        loop {
            match woken.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            while woken.try_recv().is_ok() {} // several wake-ups, one run
            let set = |p: Option<Progress>| *progress.lock().unwrap_or_else(|e| e.into_inner()) = p;
            set(Some(Progress::default()));
            let mut report = SyncReport::default();
            let outcome = sync_into(&store, options, &|p| set(Some(p)), &mut report);
            set(None);
            if let Err(e) = store.record_sync_outcome(&outcome, Utc::now()) {
                tracing::error!(error = %e, "could not record the sync outcome");
            }
            match &outcome {
                Ok(()) => tracing::info!(?report, "sync run done"),
                Err(e) => tracing::warn!(error = %e, ?report, "sync run failed"),
            }
            let pending = store.outbox_pending().map(|p| !p.is_empty()).unwrap_or(true);
            wait = schedule.after(&outcome, &report, pending);
        }
    });
    worker
}
