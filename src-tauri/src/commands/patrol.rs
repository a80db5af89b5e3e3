//! Patrol commands.

use chrono::Utc;
use redvest_shared::PatrolSummary;
use tauri::State;

use crate::error::Error;
use crate::AppState;

/// Lists the device's patrols, newest first.
#[tauri::command(async)]
pub fn list_patrols(state: State<'_, AppState>) -> Result<Vec<PatrolSummary>, Error> {
    Ok(state.store()?.list_patrols()?)
}

/// Starts a patrol now and returns it once saved.
#[tauri::command(async)]
pub fn start_patrol(state: State<'_, AppState>) -> Result<PatrolSummary, Error> {
    Ok(state.store()?.start_patrol(Utc::now())?)
}
