//! The Tauri shell: opens the device store, registers the commands, runs the window.
//! Commands are thin; the rules live in `redvest-core`.

mod commands;
mod dial;
mod error;
mod location;
mod replay;
mod state;
mod sync;

use tauri::{Manager, Runtime};
use tracing_subscriber::EnvFilter;

pub use state::AppState;

/// Registers the plugin, the state and the commands on a builder.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_geolocation::init())
        // Used from Rust only (dial.rs): no script of its own in the page, which old WebViews
        // would have to parse.
        .plugin(tauri_plugin_opener::Builder::new().open_js_links_on_click(false).build())
        .plugin(dial::init())
        .manage(location::Watch::default())
        .manage(commands::handover::Scan::default())
        .setup(|app| {
            let state = AppState::open(app.handle());
            if let Ok(store) = state.store() {
                // Before the UI can add photos: clear what a killed save left behind.
                if let Err(e) = store.check_photos() {
                    tracing::error!(error = %e, "photo check failed");
                }
                replay::start(store.clone());
            }
            let worker = match state.store() {
                Ok(store) => sync::start(store.clone(), redvest_core::sync::SyncOptions::default()),
                Err(_) => sync::SyncWorker::idle(),
            };
            app.manage(worker);
            app.manage(state);
            Ok(())
        })
        // Back in front (a phone unlocked, a window focused): sync what waits.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Focused(true) = event {
                if let Some(worker) = window.try_state::<sync::SyncWorker>() {
                    worker.wake();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::patrol::list_patrols,
            commands::patrol::start_patrol,
            commands::patrol::patrol_detail,
            commands::patrol::set_attendance,
            commands::patrol::checklist,
            commands::patrol::set_check,
            commands::patrol::add_observation,
            commands::patrol::submit_patrol,
            commands::patrol::return_patrol,
            commands::patrol::countersign,
            commands::patrol::start_amendment,
            commands::patrol::verify,
            commands::review::review_detail,
            commands::review::review_track,
            commands::review::review_photo,
            commands::review::countersign_review,
            commands::review::return_review,
            commands::handover::handover_signed,
            commands::handover::handover_countersigned,
            commands::handover::scan_start,
            commands::handover::scan_frame,
            commands::handover::camera_test_frames,
            commands::handover::camera_test_frame,
            commands::team::list_members,
            commands::team::add_member,
            commands::team::create_key,
            commands::team::change_pin,
            commands::team::lift_pin_lock,
            commands::team::public_keys,
            commands::duty::list_duties,
            commands::duty::add_duty,
            commands::duty::remove_duty,
            commands::duty::today,
            commands::hazard::hazard,
            commands::hazard::change_hazard,
            commands::draft::save_draft,
            commands::draft::load_draft,
            commands::draft::clear_draft,
            commands::track::track_summary,
            commands::track::track_points,
            commands::track::last_spot,
            commands::rapid::report_rapid,
            commands::rapid::rapid_reports,
            commands::rapid::rapid_contacts,
            commands::track::export_track,
            commands::track::start_location,
            commands::settings::track_defaults,
            commands::settings::set_track_defaults,
            commands::settings::language,
            commands::settings::set_language,
            commands::settings::theme,
            commands::settings::set_theme,
            commands::settings::settings_access,
            commands::settings::unlock_settings,
            commands::settings::lock_settings,
            commands::photo::add_photo,
            commands::photo::photo_bytes,
            commands::photo::remove_photo,
            commands::photo::photo_backlog,
            commands::photo::photo_settings,
            commands::photo::set_photo_settings,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::sync::sync_resend_refused,
            commands::sync::enrol,
        ])
}

/// The app's entry point, on desktop (`main.rs`) and mobile alike.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    if let Err(e) = builder(tauri::Builder::default()).run(tauri::tauri_build_context!()) {
        tracing::error!(error = %e, "the app could not start");
        std::process::exit(1);
    }
}
