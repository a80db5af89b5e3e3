//! Roster and signing-key commands.

use chrono::Utc;
use redvest_shared::team::{ChangePin, LiftPinLock, Member, NewMember, PublicKeyInfo};
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::sync::SyncWorker;
use crate::AppState;

/// The roster.
#[tauri::command(async)]
pub fn list_members(state: State<'_, AppState>) -> Result<Vec<Member>, Error> {
    Ok(state.store()?.list_members()?)
}

/// Adds a member (proposed to the county with the next sync).
#[tauri::command(async, rename_all = "snake_case")]
pub fn add_member(state: State<'_, AppState>, worker: State<'_, SyncWorker>, member: NewMember) -> Result<Member, Error> {
    let member = state.store()?.add_member(&member)?;
    worker.wake();
    Ok(member)
}

/// Creates a member's signing key, sealed by their PIN; its public half goes to the county.
#[tauri::command(async, rename_all = "snake_case")]
pub fn create_key(state: State<'_, AppState>, worker: State<'_, SyncWorker>, member_id: Uuid, pin: String) -> Result<PublicKeyInfo, Error> {
    let key = state.store()?.create_key(member_id, &pin, Utc::now())?;
    worker.wake();
    Ok(key)
}

/// Changes a member's PIN: the old key endorses a new one, which then goes to the county.
#[tauri::command(async)]
pub fn change_pin(state: State<'_, AppState>, worker: State<'_, SyncWorker>, req: ChangePin) -> Result<PublicKeyInfo, Error> {
    let key = state.store()?.change_pin(&req, Utc::now())?;
    worker.wake();
    Ok(key)
}

/// A leader lifts the lock wrong PINs put on a member's key, with their own PIN.
#[tauri::command(async)]
pub fn lift_pin_lock(state: State<'_, AppState>, req: LiftPinLock) -> Result<(), Error> {
    Ok(state.store()?.lift_pin_lock(&req, Utc::now())?)
}

/// Everyone's public key.
#[tauri::command(async)]
pub fn public_keys(state: State<'_, AppState>) -> Result<Vec<PublicKeyInfo>, Error> {
    Ok(state.store()?.public_keys()?)
}
