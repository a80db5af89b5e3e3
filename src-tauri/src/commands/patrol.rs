//! Patrol commands: start, record, sign, review.

use chrono::Utc;
use redvest_shared::checklist::{CheckOutcome, ChecklistItem};
use redvest_shared::duty::Assignment;
use redvest_shared::observation::{Observation, ObservationEntry};
use redvest_shared::patrol::{AttendanceEntry, Finding, PatrolDetail, PatrolSummary, SignPatrol, StartPatrol};
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// Lists the device's patrols, newest first.
#[tauri::command(async)]
pub fn list_patrols(state: State<'_, AppState>) -> Result<Vec<PatrolSummary>, Error> {
    Ok(state.store()?.list_patrols()?)
}

/// Starts a patrol now and returns it once saved.
#[tauri::command(async, rename_all = "snake_case")]
pub fn start_patrol(state: State<'_, AppState>, start: StartPatrol) -> Result<PatrolSummary, Error> {
    Ok(state.store()?.start_patrol(&start, Utc::now())?)
}

/// A patrol with everything in it.
#[tauri::command(async, rename_all = "snake_case")]
pub fn patrol_detail(state: State<'_, AppState>, patrol_id: Uuid) -> Result<PatrolDetail, Error> {
    Ok(state.store()?.patrol_detail(patrol_id)?)
}

/// Replaces the attendance list.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_attendance(state: State<'_, AppState>, patrol_id: Uuid, entries: Vec<AttendanceEntry>) -> Result<(), Error> {
    Ok(state.store()?.set_attendance(patrol_id, &entries)?)
}

/// The checklist items for a post or zone.
#[tauri::command(async, rename_all = "snake_case")]
pub fn checklist(state: State<'_, AppState>, assignment: Assignment) -> Result<Vec<ChecklistItem>, Error> {
    Ok(state.store()?.checklist(assignment)?)
}

/// Answers one checklist item.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_check(state: State<'_, AppState>, patrol_id: Uuid, code: String, outcome: CheckOutcome) -> Result<(), Error> {
    Ok(state.store()?.set_check(patrol_id, &code, outcome)?)
}

/// Adds a hazard, dispute, sighting, visit or outreach.
#[tauri::command(async, rename_all = "snake_case")]
pub fn add_observation(state: State<'_, AppState>, patrol_id: Uuid, body: Observation, photos: Vec<String>) -> Result<ObservationEntry, Error> {
    Ok(state.store()?.add_observation(patrol_id, &body, &photos, Utc::now())?)
}

/// The volunteer finishes and signs; the signed record goes to the county for the leader.
#[tauri::command(async, rename_all = "snake_case")]
pub fn submit_patrol(state: State<'_, AppState>, worker: State<'_, SyncWorker>, req: SignPatrol) -> Result<(), Error> {
    state.store()?.submit_patrol(&req, Utc::now())?;
    worker.wake();
    Ok(())
}

/// The leader sends a patrol back with a reason, on this phone.
#[tauri::command(async, rename_all = "snake_case")]
pub fn return_patrol(state: State<'_, AppState>, worker: State<'_, SyncWorker>, patrol_id: Uuid, leader_id: Uuid, pin: String, reason: String) -> Result<(), Error> {
    state.store()?.return_patrol(patrol_id, leader_id, &pin, &reason, Utc::now())?;
    worker.wake();
    Ok(())
}

/// The leader countersigns; the patrol is frozen.
#[tauri::command(async, rename_all = "snake_case")]
pub fn countersign(state: State<'_, AppState>, worker: State<'_, SyncWorker>, req: SignPatrol) -> Result<(), Error> {
    state.store()?.countersign(&req, Utc::now())?;
    worker.wake(); // sealed and queued: send it while there is signal
    Ok(())
}

/// Starts an amendment of a frozen patrol; returns the new patrol's id.
#[tauri::command(async, rename_all = "snake_case")]
pub fn start_amendment(state: State<'_, AppState>, patrol_id: Uuid) -> Result<Uuid, Error> {
    Ok(state.store()?.start_amendment(patrol_id, Utc::now())?)
}

/// Verifies every signed record and the chain.
#[tauri::command(async)]
pub fn verify(state: State<'_, AppState>) -> Result<Vec<Finding>, Error> {
    Ok(state.store()?.verify()?)
}
