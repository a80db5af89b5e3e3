//! Sync commands: the status for the sync page, 立即同步, and enrolment.

use chrono::Utc;
use redvest_core::sync::SyncOptions;
use redvest_shared::sync::{Enrolled, SyncStatus};
use redvest_shared::IpcError;
use tauri::State;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// Pending counts, progress, the last success and error, recent entries, alerts.
#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>, worker: State<'_, SyncWorker>) -> Result<SyncStatus, Error> {
    Ok(state.store()?.sync_status(worker.progress(), Utc::now())?)
}

/// 立即同步: a run now.
#[tauri::command(async)]
pub fn sync_now(worker: State<'_, SyncWorker>) {
    worker.wake();
}

/// Enrols with the county using the clerk's one-time code, then syncs.
#[tauri::command(rename_all = "snake_case")]
pub async fn enrol(state: State<'_, AppState>, worker: State<'_, SyncWorker>, server: String, code: String, device_name: String) -> Result<Enrolled, Error> {
    let store = state.store()?.clone();
    // The blocking HTTP client has its own runtime: run it where blocking is allowed.
    let outcome = tauri::async_runtime::spawn_blocking(move || store.enrol(&server, &code, &device_name, SyncOptions::default()))
        .await
        .map_err(|e| Error::Unavailable(IpcError::new(redvest_shared::ErrorCode::Unknown, e.to_string())))?;
    let enrolled = outcome.map_err(|e| match e.ipc_error() {
        Some(ipc) => Error::Unavailable(ipc),
        None => match e {
            redvest_core::sync::SyncFailure::Store(e) => Error::Core(e),
            other => Error::Unavailable(IpcError::new(redvest_shared::ErrorCode::Unknown, other.to_string())),
        },
    })?;
    worker.wake();
    Ok(enrolled)
}
