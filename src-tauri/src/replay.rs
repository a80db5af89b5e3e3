//! The desktop location source: replays a GPX/NMEA file into the open patrol's track.
//!
//! `REDVEST_REPLAY=<file>` turns it on; `REDVEST_REPLAY_SPEED=<n>` plays n× faster
//! (default 1). Each time a patrol is open, the file plays from its start, timed from now.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use redvest_core::{replay, Store};
use uuid::Uuid;

/// The file to replay, from the environment.
pub const REPLAY_ENV: &str = "REDVEST_REPLAY";
/// How many times faster than real time.
pub const SPEED_ENV: &str = "REDVEST_REPLAY_SPEED";

/// Whether a replay file feeds the tracks (instead of the location service).
pub fn enabled() -> bool {
    std::env::var_os(REPLAY_ENV).is_some()
}

/// Starts the replay thread if `REDVEST_REPLAY` is set.
pub fn start(store: Arc<Store>) {
    let Some(path) = std::env::var_os(REPLAY_ENV).map(PathBuf::from) else { return };
    let speed: f64 = std::env::var(SPEED_ENV).ok().and_then(|s| s.parse().ok()).filter(|s: &f64| *s > 0.0).unwrap_or(1.0);
    let fixes = match replay::load(&path) {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, "replay source not started");
            return;
        }
    };
    tracing::info!(file = %path.display(), fixes = fixes.len(), speed, "replay source ready");
    std::thread::spawn(move || {
        let mut played: Option<Uuid> = None;
        loop {
            let open = store.list_patrols().ok().and_then(|ps| ps.into_iter().find(|p| p.state.is_editable()));
            let Some(patrol) = open.filter(|p| Some(p.id) != played) else {
                std::thread::sleep(Duration::from_millis(500));
                continue;
            };
            played = Some(patrol.id);
            let Ok(settings) = store.track_settings(patrol.id) else { continue };
            let start = Utc::now();
            let fixes = replay::retime(&fixes, start);
            let mut last = start;
            for fix in &fixes {
                let wait = (fix.time - last).to_std().unwrap_or_default().div_f64(speed);
                std::thread::sleep(wait);
                last = fix.time;
                // The replay's own clock is the device clock for these fixes.
                if let Err(e) = store.record_fix(patrol.id, fix, &settings, fix.time) {
                    tracing::warn!(error = %e, "replay stopped for this patrol");
                    break;
                }
            }
        }
    });
}
