//! The console's overview (首页): per team, today's duties against the patrols that answer
//! them, open and overdue hazards, silent devices; and the alerts in force.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

/// One team's day.
#[derive(Debug, Clone, Default)]
pub struct TeamDay {
    /// The team.
    pub team_id: Uuid,
    /// Its name.
    pub team: String,
    /// Its township.
    pub township: Option<String>,
    /// Duties of today not yet started, their time not long passed.
    pub due: i64,
    /// Duties answered by a countersigned patrol.
    pub done: i64,
    /// Duties answered by a patrol still waiting for its leader (or sent back).
    pub in_progress: i64,
    /// Duties past their time by more than [`redvest_shared::duty::MISSED_AFTER`] with no
    /// patrol at the county.
    pub missed: i64,
    /// Hazards not closed.
    pub open_hazards: i64,
    /// Open hazards past their deadline.
    pub overdue_hazards: i64,
    /// Devices not revoked that have not reached the county for 3 days.
    pub silent_devices: i64,
}

/// An alert in force.
#[derive(Debug, Clone)]
pub struct AlertRow {
    /// Its team.
    pub team: String,
    /// The text.
    pub text: String,
    /// The area.
    pub area: String,
    /// Until.
    pub valid_to: DateTime<Utc>,
}

impl Db {
    /// Every team in the clerk's scope with its day. `today` and `now_local` are Beijing's
    /// date and wall-clock time, which duties are planned in; `day_start..day_end` is today
    /// as instants.
    pub async fn overview(
        &self,
        scope: Option<Uuid>,
        today: NaiveDate,
        now_local: NaiveDateTime,
        day: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<TeamDay>, DbError> {
        let rows = sqlx::query(
            "WITH teams AS (
                 SELECT t.id, t.name, w.name AS township FROM team t LEFT JOIN township w ON w.id = t.township_id
                 WHERE $1::uuid IS NULL OR t.township_id = $1),
             duty AS (
                 SELECT d.team_id,
                        CASE WHEN EXISTS (SELECT 1 FROM patrol p WHERE p.duty_id = d.id AND p.started_at >= $4 AND p.started_at < $5
                                          AND p.state = 'countersigned') THEN 'done'
                             WHEN EXISTS (SELECT 1 FROM patrol p WHERE p.duty_id = d.id AND p.started_at >= $4 AND p.started_at < $5) THEN 'in_progress'
                             WHEN $2::date + d.time + $6::interval < $3 THEN 'missed'
                             ELSE 'due' END AS status
                 FROM plan_duty d JOIN teams ON teams.id = d.team_id WHERE d.dates @> ARRAY[$2::date]),
             duties AS (
                 SELECT team_id, count(*) FILTER (WHERE status = 'due') AS due, count(*) FILTER (WHERE status = 'done') AS done,
                        count(*) FILTER (WHERE status = 'in_progress') AS in_progress, count(*) FILTER (WHERE status = 'missed') AS missed
                 FROM duty GROUP BY team_id),
             hazards AS (
                 SELECT h.team_id, count(*) AS open, count(*) FILTER (WHERE h.deadline < $2) AS overdue
                 FROM hazard h JOIN teams ON teams.id = h.team_id WHERE h.state NOT IN ('closed', 'fixed_on_spot') GROUP BY h.team_id),
             devices AS (
                 SELECT d.team_id, count(*) AS silent FROM device d JOIN teams ON teams.id = d.team_id
                 WHERE d.revoked_at IS NULL AND coalesce(d.last_seen_at, d.created_at) < now() - interval '3 days' GROUP BY d.team_id)
             SELECT teams.id, teams.name, teams.township, coalesce(duties.due, 0), coalesce(duties.done, 0), coalesce(duties.in_progress, 0),
                    coalesce(duties.missed, 0), coalesce(hazards.open, 0), coalesce(hazards.overdue, 0), coalesce(devices.silent, 0)
             FROM teams LEFT JOIN duties ON duties.team_id = teams.id LEFT JOIN hazards ON hazards.team_id = teams.id
                  LEFT JOIN devices ON devices.team_id = teams.id
             ORDER BY teams.township NULLS LAST, teams.name",
        )
        .bind(scope)
        .bind(today)
        .bind(now_local)
        .bind(day.0)
        .bind(day.1)
        .bind(redvest_shared::duty::MISSED_AFTER)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| TeamDay {
                team_id: r.get(0),
                team: r.get(1),
                township: r.get(2),
                due: r.get(3),
                done: r.get(4),
                in_progress: r.get(5),
                missed: r.get(6),
                open_hazards: r.get(7),
                overdue_hazards: r.get(8),
                silent_devices: r.get(9),
            })
            .collect())
    }

    /// Alerts in force now for teams in the clerk's scope, soonest to end first.
    pub async fn alerts_in_force(&self, scope: Option<Uuid>) -> Result<Vec<AlertRow>, DbError> {
        let rows = sqlx::query(
            "SELECT t.name, p.body ->> 'text', p.body ->> 'area', (p.body ->> 'valid_to')::timestamptz AS until
             FROM published p JOIN team t ON t.id = p.team_id
             WHERE p.body ->> 'kind' = 'alert' AND ($1::uuid IS NULL OR t.township_id = $1)
               AND (p.body ->> 'valid_from')::timestamptz <= now() AND (p.body ->> 'valid_to')::timestamptz > now()
             ORDER BY until",
        )
        .bind(scope)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| AlertRow { team: r.get(0), text: r.get(1), area: r.get(2), valid_to: r.get(3) }).collect())
    }
}
