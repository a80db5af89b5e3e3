//! The phone's location source: `tauri-plugin-geolocation`, started when a patrol is being
//! recorded. On desktop the plugin answers with a zeroed position and never calls the watch
//! back; the recorder drops that fix as invalid, and desktop uses the replay source instead.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use redvest_shared::track::{Fix, FixSource, LocationPermission, LocationSource, LocationStatus};
use redvest_shared::{ErrorCode, IpcError};
use tauri::plugin::PermissionState;
use tauri::{AppHandle, Runtime};
use tauri_plugin_geolocation::{GeolocationExt, PermissionType, Position, PositionOptions, WatchEvent};
use uuid::Uuid;

use crate::error::Error;
use crate::AppState;

/// The watch running for a patrol, so opening the patrol page again does not start another.
#[derive(Default)]
pub struct Watch(Mutex<Option<(Uuid, u32)>>);

fn plugin_error(e: impl std::fmt::Display) -> Error {
    Error::Unavailable(IpcError::new(ErrorCode::Unknown, format!("location: {e}")))
}

/// A plugin position as a fix; an unreadable timestamp becomes the epoch, which the
/// recorder rejects as invalid.
fn fix_from(p: &Position) -> Fix {
    Fix {
        lat: p.coords.latitude,
        lon: p.coords.longitude,
        altitude_m: p.coords.altitude,
        accuracy_m: p.coords.accuracy,
        speed_mps: p.coords.speed,
        bearing_deg: p.coords.heading,
        time: i64::try_from(p.timestamp).ok().and_then(DateTime::from_timestamp_millis).unwrap_or(DateTime::UNIX_EPOCH),
        source: FixSource::Gps,
    }
}

fn record(state: &AppState, patrol: Uuid, position: &Position) {
    let Ok(store) = state.store() else { return };
    let result = store.track_settings(patrol).and_then(|s| store.record_fix(patrol, &fix_from(position), &s, Utc::now()));
    if let Err(e) = result {
        tracing::warn!(error = %e, "position not recorded");
    }
}

/// Asks for the location permission (the UI has explained why first) and starts watching
/// positions for `patrol`. With a replay file set, the replay feeds the track instead.
pub fn start<R: Runtime>(app: &AppHandle<R>, state: &AppState, watch: &Watch, patrol: Uuid) -> Result<LocationStatus, Error> {
    if crate::replay::enabled() {
        return Ok(LocationStatus { source: LocationSource::Replay, permission: LocationPermission::Granted });
    }
    let geo = app.geolocation();
    let mut status = geo.check_permissions().map_err(plugin_error)?.location;
    if status != PermissionState::Granted {
        status = geo.request_permissions(Some(vec![PermissionType::Location])).map_err(plugin_error)?.location;
    }
    let permission = match status {
        PermissionState::Granted => LocationPermission::Granted,
        PermissionState::Denied => LocationPermission::Denied,
        _ => LocationPermission::NotAnswered,
    };
    if permission == LocationPermission::Denied {
        return Ok(LocationStatus { source: LocationSource::Device, permission });
    }
    let mut current = watch.0.lock().unwrap_or_else(|p| p.into_inner());
    if current.is_some_and(|(p, _)| p == patrol) {
        return Ok(LocationStatus { source: LocationSource::Device, permission });
    }
    if let Some((_, id)) = current.take() {
        let _ = geo.clear_watch(id);
    }
    let options = PositionOptions { enable_high_accuracy: true, timeout: 10_000, maximum_age: 0 };
    // Infallible on desktop, fallible on mobile.
    #[allow(irrefutable_let_patterns)]
    if let Ok(position) = geo.get_current_position(Some(options.clone())) {
        record(state, patrol, &position);
    }
    let handle = app.clone();
    let id = geo
        .watch_position(options, move |event| match event {
            WatchEvent::Position(position) => {
                use tauri::Manager;
                record(&handle.state::<AppState>(), patrol, &position);
            }
            WatchEvent::Error(message) => tracing::warn!(%message, "location error"),
        })
        .map_err(plugin_error)?;
    *current = Some((patrol, id));
    Ok(LocationStatus { source: LocationSource::Device, permission })
}
