//! Duty schedule and the home page's overview.

use chrono::Local;
use redvest_shared::duty::{Duty, NewDuty};
use redvest_shared::today::Today;
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::AppState;

/// The schedule.
#[tauri::command(async)]
pub fn list_duties(state: State<'_, AppState>) -> Result<Vec<Duty>, Error> {
    Ok(state.store()?.list_duties()?)
}

/// Adds a duty.
#[tauri::command(async, rename_all = "snake_case")]
pub fn add_duty(state: State<'_, AppState>, duty: NewDuty) -> Result<Duty, Error> {
    Ok(state.store()?.add_duty(&duty)?)
}

/// Takes a duty off the schedule.
#[tauri::command(async, rename_all = "snake_case")]
pub fn remove_duty(state: State<'_, AppState>, duty_id: Uuid) -> Result<(), Error> {
    Ok(state.store()?.remove_duty(duty_id)?)
}

/// Today's duties, open hazards, the unfinished patrol and the counts.
#[tauri::command(async)]
pub fn today(state: State<'_, AppState>) -> Result<Today, Error> {
    Ok(state.store()?.today(Local::now().fixed_offset())?)
}
