//! The leader's review on their own phone (队长待审, listed with the home page's overview):
//! patrols signed on other phones, their track and photos, countersigning and sending back.

use chrono::Utc;
use redvest_core::sync::SyncOptions;
use redvest_shared::patrol::{PatrolDetail, SignPatrol};
use redvest_shared::track::{TrackPoint, TrackSummary};
use tauri::ipc::Response;
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// A patrol received for review, read-only.
#[tauri::command(async, rename_all = "snake_case")]
pub fn review_detail(state: State<'_, AppState>, patrol_id: Uuid) -> Result<PatrolDetail, Error> {
    Ok(state.store()?.review_detail(patrol_id)?)
}

/// Its track and the track's numbers.
#[tauri::command(async, rename_all = "snake_case")]
pub fn review_track(state: State<'_, AppState>, patrol_id: Uuid) -> Result<(Vec<TrackPoint>, TrackSummary), Error> {
    Ok(state.store()?.review_track(patrol_id)?)
}

/// One of its photos (or the thumbnail), fetched from the county the first time.
#[tauri::command(async, rename_all = "snake_case")]
pub fn review_photo(state: State<'_, AppState>, sha256: String, thumbnail: bool) -> Result<Response, Error> {
    Ok(Response::new(state.store()?.review_photo(&sha256, thumbnail, SyncOptions::default())?))
}

/// The leader countersigns; the decision goes to the county with the next sync (now, if
/// there is signal).
#[tauri::command(async, rename_all = "snake_case")]
pub fn countersign_review(state: State<'_, AppState>, worker: State<'_, SyncWorker>, req: SignPatrol) -> Result<(), Error> {
    state.store()?.countersign_review(&req, Utc::now())?;
    worker.wake();
    Ok(())
}

/// The leader sends it back with a reason.
#[tauri::command(async, rename_all = "snake_case")]
pub fn return_review(state: State<'_, AppState>, worker: State<'_, SyncWorker>, patrol_id: Uuid, leader_id: Uuid, pin: String, reason: String) -> Result<(), Error> {
    state.store()?.return_review(patrol_id, leader_id, &pin, &reason, Utc::now())?;
    worker.wake();
    Ok(())
}
