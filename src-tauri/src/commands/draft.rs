//! Form drafts, saved as they are typed.

use tauri::State;

use crate::error::Error;
use crate::AppState;

/// Saves a draft.
#[tauri::command(async, rename_all = "snake_case")]
pub fn save_draft(state: State<'_, AppState>, key: String, body: String) -> Result<(), Error> {
    Ok(state.store()?.save_draft(&key, &body)?)
}

/// Loads a draft.
#[tauri::command(async, rename_all = "snake_case")]
pub fn load_draft(state: State<'_, AppState>, key: String) -> Result<Option<String>, Error> {
    Ok(state.store()?.load_draft(&key)?)
}

/// Forgets a draft.
#[tauri::command(async, rename_all = "snake_case")]
pub fn clear_draft(state: State<'_, AppState>, key: String) -> Result<(), Error> {
    Ok(state.store()?.clear_draft(&key)?)
}
