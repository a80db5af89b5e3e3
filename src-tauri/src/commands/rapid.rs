//! 一键报警 commands.

use chrono::Utc;
use redvest_shared::rapid::{RapidContacts, RapidEntry, RapidKind};
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// Saves a rapid report now (made on `patrol_id`'s page, if any) and wakes the sync worker,
/// which sends it before anything else.
#[tauri::command(async, rename_all = "snake_case")]
pub fn report_rapid(state: State<'_, AppState>, worker: State<'_, SyncWorker>, kind: RapidKind, patrol_id: Option<Uuid>) -> Result<RapidEntry, Error> {
    let entry = state.store()?.report_rapid(kind, patrol_id, Utc::now())?;
    worker.wake();
    Ok(entry)
}

/// The newest rapid reports, newest first, each with whether the county holds it.
#[tauri::command(async, rename_all = "snake_case")]
pub fn rapid_reports(state: State<'_, AppState>) -> Result<Vec<RapidEntry>, Error> {
    Ok(state.store()?.rapid_reports(20)?)
}

/// The leaders the page offers to call.
#[tauri::command(async, rename_all = "snake_case")]
pub fn rapid_contacts(state: State<'_, AppState>) -> Result<RapidContacts, Error> {
    Ok(state.store()?.rapid_contacts()?)
}
