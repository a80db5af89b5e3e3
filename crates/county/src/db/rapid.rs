//! 一键报警: the rapid reports phones pushed (records of kind `rapid`), for the team's page.

use chrono::{DateTime, Utc};
use redvest_shared::rapid::RapidReport;
use redvest_shared::wire::RecordBody;
use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

/// A rapid report as the county holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RapidRow {
    /// The record's id (the phone's UUIDv7).
    pub id: Uuid,
    /// The report, as the phone sent it.
    pub report: RapidReport,
    /// When the county received it.
    pub received_at: DateTime<Utc>,
    /// Whether the county holds the patrol it names (its page can be opened).
    pub patrol_held: bool,
}

impl Db {
    /// A team's newest rapid reports by arrival, at most `limit`, and how many it holds in
    /// all. A body that does not read as a rapid report (none is stored so: each was checked
    /// on arrival) is logged and left out, never shown half.
    pub async fn rapid_reports(&self, team: Uuid, limit: i64) -> Result<(Vec<RapidRow>, i64), DbError> {
        let rows = sqlx::query(
            "SELECT id, body, received_at FROM record WHERE team_id = $1 AND kind = 'rapid'
             ORDER BY received_at DESC, id DESC LIMIT $2",
        )
        .bind(team)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM record WHERE team_id = $1 AND kind = 'rapid'").bind(team).fetch_one(&self.pool).await?;
        let mut reports = Vec::with_capacity(rows.len());
        for r in rows {
            let id: Uuid = r.get(0);
            match serde_json::from_value::<RecordBody>(r.get(1)) {
                Ok(RecordBody::Rapid(report)) => reports.push(RapidRow { id, report, received_at: r.get(2), patrol_held: false }),
                Ok(_) => tracing::error!(%id, "a record of kind rapid holds another body"),
                Err(e) => tracing::error!(%id, error = %e, "a rapid report's body does not read"),
            }
        }
        let named: Vec<Uuid> = reports.iter().filter_map(|r| r.report.patrol).collect();
        if !named.is_empty() {
            let held: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM patrol WHERE team_id = $1 AND id = ANY($2)").bind(team).bind(&named).fetch_all(&self.pool).await?;
            for r in &mut reports {
                r.patrol_held = r.report.patrol.is_some_and(|p| held.contains(&p));
            }
        }
        Ok((reports, total))
    }
}
