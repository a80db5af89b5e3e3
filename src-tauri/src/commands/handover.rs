//! The hand-over by QR with no signal: showing a signed patrol or a countersignature as a
//! loop of QR codes, and taking in the frames the webview's camera scanner decodes.
//!
//! `REDVEST_CAMERA_DIR=<folder>` replaces the camera with the PNG frames in that folder, in
//! name order (tests and demos, the way `REDVEST_REPLAY` replaces the location service).

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::Utc;
use redvest_core::handover::{read_payload, show, Receiver};
use redvest_shared::handover::{QrShow, ScanState};
use tauri::ipc::Response;
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// The folder of test camera frames, from the environment.
pub const CAMERA_ENV: &str = "REDVEST_CAMERA_DIR";

/// The scan under way: the frames taken in so far.
#[derive(Default)]
pub struct Scan(Mutex<Receiver>);

/// The volunteer's signed patrol, as QR codes for the leader's phone.
#[tauri::command(async, rename_all = "snake_case")]
pub fn handover_signed(state: State<'_, AppState>, patrol_id: Uuid) -> Result<QrShow, Error> {
    Ok(show(&state.store()?.handover_signed(patrol_id)?)?)
}

/// The leader's countersignature made here, as QR codes for the volunteer's phone.
#[tauri::command(async, rename_all = "snake_case")]
pub fn handover_countersigned(state: State<'_, AppState>, patrol_id: Uuid) -> Result<QrShow, Error> {
    Ok(show(&state.store()?.handover_countersigned(patrol_id)?)?)
}

/// Starts a new scan.
#[tauri::command(async)]
pub fn scan_start(scan: State<'_, Scan>) {
    *scan.0.lock().unwrap_or_else(|p| p.into_inner()) = Receiver::default();
}

/// One text the scanner decoded. Once the frames make a whole hand-over it is checked and
/// kept, and the scan starts afresh; a damaged frame is refused by name, the rest stay.
#[tauri::command(async)]
pub fn scan_frame(state: State<'_, AppState>, worker: State<'_, SyncWorker>, scan: State<'_, Scan>, text: String) -> Result<ScanState, Error> {
    let mut rx = scan.0.lock().unwrap_or_else(|p| p.into_inner());
    let progress = rx.receive(&text)?;
    // Whole or not adding up, the next frames start a new hand-over.
    let payload = match rx.payload() {
        Ok(None) => return Ok(ScanState { frames: progress.frames, received: None }),
        whole => {
            *rx = Receiver::default();
            whole?
        }
    };
    let Some(payload) = payload else { return Ok(ScanState { frames: progress.frames, received: None }) };
    let received = state.store()?.accept_handover(&read_payload(&payload)?, Utc::now())?;
    // A sealed patrol goes to the county whenever there is signal.
    worker.wake();
    Ok(ScanState { frames: progress.frames, received: Some(received) })
}

fn camera_frames() -> Vec<PathBuf> {
    let Some(dir) = std::env::var_os(CAMERA_ENV) else { return vec![] };
    let mut frames: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "png")).collect())
        .unwrap_or_default();
    frames.sort();
    frames
}

/// How many test camera frames there are (0: use the real camera).
#[tauri::command(async)]
pub fn camera_test_frames() -> u32 {
    u32::try_from(camera_frames().len()).unwrap_or(u32::MAX)
}

/// One test camera frame, PNG.
#[tauri::command(async)]
pub fn camera_test_frame(index: u32) -> Result<Response, Error> {
    let frames = camera_frames();
    let path = frames.get(index as usize).ok_or_else(|| redvest_core::Error::NotFound(format!("camera frame {index}")))?;
    let bytes = std::fs::read(path).map_err(|source| redvest_core::Error::File { path: path.clone(), source })?;
    Ok(Response::new(bytes))
}
