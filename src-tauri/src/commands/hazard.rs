//! Hazard register commands.

use chrono::{Local, Utc};
use redvest_shared::hazard::{Hazard, HazardChange};
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// A hazard with its history.
#[tauri::command(async, rename_all = "snake_case")]
pub fn hazard(state: State<'_, AppState>, hazard_id: Uuid) -> Result<Hazard, Error> {
    Ok(state.store()?.hazard_on(hazard_id, Local::now().date_naive())?)
}

/// Moves a hazard along its lifecycle.
#[tauri::command(async, rename_all = "snake_case")]
pub fn change_hazard(state: State<'_, AppState>, worker: State<'_, SyncWorker>, change: HazardChange) -> Result<Hazard, Error> {
    let hazard = state.store()?.change_hazard(&change, Utc::now())?;
    worker.wake(); // the new entry is queued for the county
    Ok(hazard)
}
