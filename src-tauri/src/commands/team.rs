//! Roster and signing-key commands.

use chrono::Utc;
use redvest_shared::team::{Member, NewMember, PublicKeyInfo};
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::AppState;

/// The roster.
#[tauri::command(async)]
pub fn list_members(state: State<'_, AppState>) -> Result<Vec<Member>, Error> {
    Ok(state.store()?.list_members()?)
}

/// Adds a member.
#[tauri::command(async, rename_all = "snake_case")]
pub fn add_member(state: State<'_, AppState>, member: NewMember) -> Result<Member, Error> {
    Ok(state.store()?.add_member(&member)?)
}

/// Creates a member's signing key, sealed by their PIN.
#[tauri::command(async, rename_all = "snake_case")]
pub fn create_key(state: State<'_, AppState>, member_id: Uuid, pin: String) -> Result<PublicKeyInfo, Error> {
    Ok(state.store()?.create_key(member_id, &pin, Utc::now())?)
}

/// Everyone's public key.
#[tauri::command(async)]
pub fn public_keys(state: State<'_, AppState>) -> Result<Vec<PublicKeyInfo>, Error> {
    Ok(state.store()?.public_keys()?)
}
