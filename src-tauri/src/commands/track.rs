//! Track commands: the live summary, the points to draw, and exports.

use redvest_shared::observation::Spot;
use redvest_shared::track::{LocationStatus, TrackPoint, TrackSummary};
use serde::Deserialize;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::error::Error;
use crate::AppState;

/// Distance, times, fixes, dropped fixes and gaps.
#[tauri::command(async, rename_all = "snake_case")]
pub fn track_summary(state: State<'_, AppState>, patrol_id: Uuid) -> Result<TrackSummary, Error> {
    let store = state.store()?;
    Ok(store.track_summary(patrol_id, &store.track_settings(patrol_id)?)?)
}

/// The kept points, to draw.
#[tauri::command(async, rename_all = "snake_case")]
pub fn track_points(state: State<'_, AppState>, patrol_id: Uuid) -> Result<Vec<TrackPoint>, Error> {
    Ok(state.store()?.track(patrol_id)?)
}

/// Where the phone is now, for a hazard's 用我的位置 (`None` without a recent fix).
#[tauri::command(async, rename_all = "snake_case")]
pub fn last_spot(state: State<'_, AppState>, patrol_id: Uuid) -> Result<Option<Spot>, Error> {
    Ok(state.store()?.last_spot(patrol_id, chrono::Utc::now())?)
}

/// Export formats.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// GPX 1.1.
    Gpx,
    /// GeoJSON.
    Geojson,
}

/// Writes the track to `<data dir>/exports/` and returns the file's path.
#[tauri::command(async, rename_all = "snake_case")]
pub fn export_track(state: State<'_, AppState>, patrol_id: Uuid, format: ExportFormat) -> Result<String, Error> {
    let store = state.store()?;
    let points = store.track(patrol_id)?;
    let name = format!("redvest-{patrol_id}");
    let (text, ext) = match format {
        ExportFormat::Gpx => (redvest_core::track_export::gpx(&name, &points), "gpx"),
        ExportFormat::Geojson => (redvest_core::track_export::geojson(&name, &points), "geojson"),
    };
    Ok(state.write_export(&format!("{name}.{ext}"), text.as_bytes())?.display().to_string())
}

/// Asks for the location permission and starts recording positions for an open patrol.
#[tauri::command(async, rename_all = "snake_case")]
pub fn start_location<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    watch: State<'_, crate::location::Watch>,
    patrol_id: Uuid,
) -> Result<LocationStatus, Error> {
    crate::location::start(&app, &state, &watch, patrol_id)
}
