//! Device settings: recorder thresholds, the UI language and theme, and the lock over the
//! team's settings.

use redvest_shared::display::Theme;
use redvest_shared::team::SettingsAccess;
use redvest_shared::track::TrackSettings;
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::AppState;

/// The recorder thresholds.
#[tauri::command(async)]
pub fn track_defaults(state: State<'_, AppState>) -> Result<TrackSettings, Error> {
    Ok(state.store()?.track_defaults()?)
}

/// Changes the recorder thresholds.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_track_defaults(state: State<'_, AppState>, settings: TrackSettings) -> Result<(), Error> {
    Ok(state.store()?.set_track_defaults(&settings)?)
}

/// Who may change the team's settings now.
#[tauri::command(async)]
pub fn settings_access(state: State<'_, AppState>) -> Result<SettingsAccess, Error> {
    Ok(state.store()?.settings_access(chrono::Utc::now())?)
}

/// A leader's password opens the team's settings for a while.
#[tauri::command(async, rename_all = "snake_case")]
pub fn unlock_settings(state: State<'_, AppState>, leader_id: Uuid, pin: String) -> Result<SettingsAccess, Error> {
    Ok(state.store()?.unlock_settings(leader_id, &pin, chrono::Utc::now())?)
}

/// Locks the team's settings again.
#[tauri::command(async)]
pub fn lock_settings(state: State<'_, AppState>) -> Result<(), Error> {
    state.store()?.lock_settings();
    Ok(())
}

/// The chosen UI language (`zh`/`en`), if any.
#[tauri::command(async)]
pub fn language(state: State<'_, AppState>) -> Result<Option<String>, Error> {
    Ok(state.store()?.language()?)
}

/// Remembers the UI language.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_language(state: State<'_, AppState>, code: String) -> Result<(), Error> {
    Ok(state.store()?.set_language(&code)?)
}

/// The theme chosen on this phone.
#[tauri::command(async)]
pub fn theme(state: State<'_, AppState>) -> Result<Theme, Error> {
    Ok(state.store()?.theme()?)
}

/// Remembers the theme.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_theme(state: State<'_, AppState>, theme: Theme) -> Result<(), Error> {
    Ok(state.store()?.set_theme(theme)?)
}
