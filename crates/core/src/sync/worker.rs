//! The sync worker: one thread that runs the sync at start, whenever it is woken (the window
//! comes to the front, the network comes back, a record is sealed, 立即同步), and on the
//! [`Schedule`]; while it waits out a backoff with something to send, it probes the county
//! and runs as soon as the county answers.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use redvest_shared::sync::Progress;

use super::{sync_into, Schedule, SyncOptions, SyncReport};
use crate::Store;

/// What the worker tells the sync page.
#[derive(Debug, Default)]
struct Shared {
    progress: Option<Progress>,
    next_attempt: Option<DateTime<Utc>>,
}

/// Handle to the worker: wake it, read its progress and when it tries next.
#[derive(Clone)]
pub struct Worker {
    wake: Sender<()>,
    shared: Arc<Mutex<Shared>>,
}

impl Worker {
    /// Starts the worker; the first run is immediate.
    pub fn spawn(store: Arc<Store>, options: SyncOptions) -> Self {
        let (wake, woken) = mpsc::channel();
        let worker = Self { wake, shared: Arc::default() };
        let shared = worker.shared.clone();
        std::thread::spawn(move || {
            let mut schedule = Schedule::default();
            let probe = Probe::new(options);
            let mut run_at = Instant::now();
            let mut probe_every = None;
            loop {
                // Wait for the run, a wake-up, or a probe that finds the county answering.
                loop {
                    let now = Instant::now();
                    if now >= run_at {
                        break;
                    }
                    let wait = probe_every.map_or(run_at - now, |p: Duration| p.min(run_at - now));
                    lock(&shared).next_attempt = Some(Utc::now() + wait);
                    match woken.recv_timeout(wait) {
                        Ok(()) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                        Err(RecvTimeoutError::Timeout) if Instant::now() >= run_at => break,
                        Err(RecvTimeoutError::Timeout) => {
                            if probe.answers(&store) {
                                break;
                            }
                        }
                    }
                }
                while woken.try_recv().is_ok() {} // several wake-ups, one run
                {
                    let mut s = lock(&shared);
                    s.next_attempt = None;
                    s.progress = Some(Progress::default());
                }
                let mut report = SyncReport::default();
                let outcome = sync_into(&store, options, &|p| lock(&shared).progress = Some(p), &mut report);
                lock(&shared).progress = None;
                if let Err(e) = store.record_sync_outcome(&outcome, Utc::now()) {
                    tracing::error!(error = %e, "could not record the sync outcome");
                }
                match &outcome {
                    Ok(()) => tracing::info!(?report, "sync run done"),
                    Err(e) => tracing::warn!(error = %e, ?report, "sync run failed"),
                }
                let pending = store.outbox_due_any().unwrap_or(true);
                let plan = schedule.after(&outcome, &report, pending);
                run_at = Instant::now() + plan.run_in;
                probe_every = plan.probe_every;
            }
        });
        worker
    }

    /// A worker that never runs (the store could not be opened; the UI says why).
    pub fn idle() -> Self {
        let (wake, _) = mpsc::channel();
        Self { wake, shared: Arc::default() }
    }

    /// Asks for a run now (coalesced with one already due).
    pub fn wake(&self) {
        let _ = self.wake.send(());
    }

    /// Progress of the run under way, if one is.
    pub fn progress(&self) -> Option<Progress> {
        lock(&self.shared).progress
    }

    /// When the worker tries next: a run, or a probe of the county.
    pub fn next_attempt(&self) -> Option<DateTime<Utc>> {
        lock(&self.shared).next_attempt
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// `GET /healthz`: one small request (a few hundred bytes each way over plain HTTP; a SYN
/// and nothing else while the county cannot be reached).
struct Probe {
    client: Option<reqwest::blocking::Client>,
}

impl Probe {
    fn new(options: SyncOptions) -> Self {
        let timeout = options.timeout.min(Duration::from_secs(10));
        Self { client: reqwest::blocking::Client::builder().timeout(timeout).connect_timeout(timeout).build().ok() }
    }

    /// Whether the enrolled county answers now.
    fn answers(&self, store: &Store) -> bool {
        let (Some(client), Ok(Some(enrolment))) = (&self.client, store.enrolment_stored()) else { return false };
        client.get(format!("{}/healthz", enrolment.server)).send().is_ok_and(|r| r.status().is_success())
    }
}
