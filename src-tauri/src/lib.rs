//! The Tauri shell: opens the device store, registers the commands, runs the window.
//! Commands are thin; the rules live in `redvest-core`.

mod commands;
mod error;
mod state;

use tauri::{Manager, Runtime};
use tracing_subscriber::EnvFilter;

pub use state::AppState;

/// Registers state and commands on a builder; generic over the runtime so tests can use
/// `tauri::test::mock_builder()`.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .setup(|app| {
            app.manage(AppState::open(app.handle()));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::patrol::list_patrols,
            commands::patrol::start_patrol,
        ])
}

/// The app's entry point, on desktop (`main.rs`) and mobile alike.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    if let Err(e) = builder(tauri::Builder::default()).run(tauri::generate_context!()) {
        tracing::error!(error = %e, "the app could not start");
        std::process::exit(1);
    }
}
