//! What the county publishes to a team's phones, in order: the devices' pull feed.

use redvest_shared::wire::{Published, PullItem};
use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

impl Db {
    /// Publishes a monthly plan and keeps its duties for the overview, together.
    pub async fn publish_plan(&self, team: Uuid, month: &str, duties: &[redvest_shared::wire::PlanDuty]) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        for d in duties {
            sqlx::query(
                "INSERT INTO plan_duty (id, team_id, month, assignment, place, time, dates) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET month = excluded.month, assignment = excluded.assignment, place = excluded.place,
                     time = excluded.time, dates = excluded.dates
                 WHERE plan_duty.team_id = excluded.team_id",
            )
            .bind(d.id)
            .bind(team)
            .bind(month)
            .bind(d.assignment.key())
            .bind(&d.place)
            .bind(d.time)
            .bind(&d.dates)
            .execute(&mut *tx)
            .await?;
        }
        publish_in(&mut tx, team, &Published::Plan { month: month.into(), duties: duties.to_vec() }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes an item to a team's feed; returns its cursor position.
    pub async fn publish(&self, team: Uuid, body: &Published) -> Result<i64, DbError> {
        let json = serde_json::to_value(body).map_err(|e| DbError::Other(sqlx::Error::Encode(Box::new(e))))?;
        Ok(sqlx::query_scalar("INSERT INTO published (team_id, body) VALUES ($1, $2) RETURNING seq")
            .bind(team)
            .bind(json)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Up to `limit` items after `after` for a team.
    pub async fn pull(&self, team: Uuid, after: i64, limit: i64) -> Result<Vec<PullItem>, DbError> {
        let rows = sqlx::query("SELECT seq, body FROM published WHERE team_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
            .bind(team)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let body: serde_json::Value = r.get(1);
                let body = serde_json::from_value(body).map_err(|e| DbError::Other(sqlx::Error::Decode(Box::new(e))))?;
                Ok(PullItem { seq: r.get(0), body })
            })
            .collect()
    }
}

pub(super) fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, DbError> {
    serde_json::to_value(value).map_err(|e| DbError::Other(sqlx::Error::Encode(Box::new(e))))
}

pub(super) async fn publish_in(tx: &mut sqlx::PgConnection, team: Uuid, body: &Published) -> Result<(), DbError> {
    sqlx::query("INSERT INTO published (team_id, body) VALUES ($1, $2)").bind(team).bind(json(body)?).execute(tx).await?;
    Ok(())
}
