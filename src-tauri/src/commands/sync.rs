//! Sync commands: the status for the sync page, 立即同步, 重新发送, and enrolment.

use chrono::Utc;
use redvest_core::sync::SyncOptions;
use redvest_shared::sync::{Enrolled, SyncStatus};
use redvest_shared::IpcError;
use tauri::State;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// Pending, refused and waiting entries, progress, the next attempt, the last success and
/// error, recent entries, alerts.
#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>, worker: State<'_, SyncWorker>) -> Result<SyncStatus, Error> {
    Ok(state.store()?.sync_status(worker.progress(), worker.next_attempt(), Utc::now())?)
}

/// 立即同步: a run now.
#[tauri::command(async)]
pub fn sync_now(worker: State<'_, SyncWorker>) {
    worker.wake();
}

/// 重新发送: puts the entries the county refused back to 待上传, then syncs; how many.
#[tauri::command(async)]
pub fn sync_resend_refused(state: State<'_, AppState>, worker: State<'_, SyncWorker>) -> Result<u32, Error> {
    let count = state.store()?.resend_refused(Utc::now())?;
    worker.wake();
    Ok(count)
}

/// Enrols with the county using the clerk's one-time code, then syncs.
#[tauri::command(rename_all = "snake_case")]
pub async fn enrol(state: State<'_, AppState>, worker: State<'_, SyncWorker>, server: String, code: String, device_name: String) -> Result<Enrolled, Error> {
    let store = state.store()?.clone();
    // The blocking HTTP client has its own runtime: run it where blocking is allowed.
    let outcome = tauri::async_runtime::spawn_blocking(move || store.enrol(&server, &code, &device_name, SyncOptions::default()))
        .await
        .map_err(|e| Error::Unavailable(IpcError::new(redvest_shared::ErrorCode::Unknown, e.to_string())))?;
    let enrolled = outcome?;
    worker.wake();
    Ok(enrolled)
}
