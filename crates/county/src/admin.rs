//! What a county clerk does from a terminal (`redvest-county team create`, …): each
//! function changes the database and, where devices must learn of it, publishes to the
//! team's feed.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use redvest_shared::hazard::HazardState;
use redvest_shared::seal::sha256;
use redvest_shared::team::Role;
use redvest_shared::wire::{Alert, HazardDecision, PlanDuty, Published, RosterMember};
use uuid::Uuid;

use crate::db::DbError;
use crate::Db;

/// How long an enrolment code stays usable.
pub const CODE_VALID_DAYS: i64 = 7;

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The database refused or is unreachable.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The thing named does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// An argument breaks a rule.
    #[error("{0}")]
    Invalid(String),
}

fn enum_text<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Creates a team.
pub async fn create_team(db: &Db, name: &str) -> Result<Uuid, AdminError> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(AdminError::Invalid("a team name is 1–200 characters".into()));
    }
    Ok(db.create_team(name.trim()).await?)
}

/// Adds a member and publishes the team's roster as it now is.
pub async fn add_member(db: &Db, team: Uuid, name: &str, role: Role) -> Result<Uuid, AdminError> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AdminError::Invalid("a name is 1–100 characters".into()));
    }
    let id = db.add_member(team, name.trim(), &enum_text(role)).await?;
    let members = db
        .roster(team)
        .await?
        .into_iter()
        .map(|(id, name, role)| {
            let role = serde_json::from_value(serde_json::Value::String(role)).unwrap_or(Role::Volunteer);
            RosterMember { id, name, role }
        })
        .collect();
    db.publish(team, &Published::Roster { members }).await?;
    Ok(id)
}

/// Issues a one-time enrolment code (12 digits in groups of 4, valid 7 days); only its hash
/// is stored.
pub async fn issue_code(db: &Db, team: Uuid, now: DateTime<Utc>) -> Result<String, AdminError> {
    let digits: String = {
        let mut rng = rand::rngs::OsRng;
        (0..12).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
    };
    let code = format!("{}-{}-{}", &digits[0..4], &digits[4..8], &digits[8..12]);
    db.add_enrolment_code(team, &sha256(&[code.as_bytes()]), now + Duration::days(CODE_VALID_DAYS)).await?;
    Ok(code)
}

/// Revokes a device: its token stops working at once.
pub async fn revoke_device(db: &Db, device: Uuid) -> Result<(), AdminError> {
    if db.revoke_device(device).await? {
        Ok(())
    } else {
        Err(AdminError::NotFound(format!("device {device} (or it was already revoked)")))
    }
}

/// Publishes a monthly plan (`YYYY-MM`) of duties by date.
pub async fn publish_plan(db: &Db, team: Uuid, month: &str, duties: Vec<PlanDuty>) -> Result<i64, AdminError> {
    if chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(AdminError::Invalid(format!("month {month:?} is not YYYY-MM")));
    }
    for d in &duties {
        if d.dates.is_empty() || d.dates.iter().any(|date| date.format("%Y-%m").to_string() != month) {
            return Err(AdminError::Invalid(format!("duty {} must have dates in {month}", d.id)));
        }
    }
    Ok(db.publish(team, &Published::Plan { month: month.into(), duties }).await?)
}

/// Publishes an alert (提示短信).
pub async fn publish_alert(db: &Db, team: Uuid, text: &str, area: &str, valid_from: DateTime<Utc>, valid_to: DateTime<Utc>) -> Result<Uuid, AdminError> {
    if text.trim().is_empty() || text.chars().count() > 500 {
        return Err(AdminError::Invalid("an alert's text is 1–500 characters".into()));
    }
    if valid_to <= valid_from {
        return Err(AdminError::Invalid("valid_to must be after valid_from".into()));
    }
    let id = Uuid::now_v7();
    db.publish(team, &Published::Alert(Alert { id, text: text.trim().into(), area: area.trim().into(), valid_from, valid_to })).await?;
    Ok(id)
}

/// Changes a hazard's state at the county and tells its team's devices.
pub async fn set_hazard_state(db: &Db, hazard: Uuid, state: HazardState, reason: &str, now: DateTime<Utc>) -> Result<Uuid, AdminError> {
    let team = db.set_hazard_state(hazard, &enum_text(state)).await?.ok_or_else(|| AdminError::NotFound(format!("hazard {hazard}")))?;
    let id = Uuid::now_v7();
    db.publish(team, &Published::HazardDecision(HazardDecision { id, hazard_id: hazard, state, reason: reason.trim().into(), at: now })).await?;
    Ok(id)
}
