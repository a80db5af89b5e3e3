//! The sync worker lives in the core (`redvest_core::sync::Worker`): a thread that runs the
//! sync at start, when woken, on its schedule, and as soon as a probe finds the county
//! answering again. The shell only starts it and wakes it.

use std::sync::Arc;

use redvest_core::sync::{SyncOptions, Worker};
use redvest_core::Store;

/// Handle to the worker, managed as app state.
pub type SyncWorker = Worker;

/// Starts the worker; the first run is immediate.
pub fn start(store: Arc<Store>, options: SyncOptions) -> SyncWorker {
    Worker::spawn(store, options)
}
