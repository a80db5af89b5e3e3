//! Photo uploads (tus): what each team's upload is and how far it got. The bytes are in the
//! photo store ([`crate::photos`]); a row per part received points at its object.

use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

/// An upload's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadState {
    /// Declared length.
    pub length: i64,
    /// Bytes received so far.
    pub received: i64,
    /// Whether it completed and verified.
    pub complete: bool,
}

/// A part of an upload, as one `PATCH` brought it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPart {
    /// Its first byte's offset in the photo.
    pub start: i64,
    /// Its length.
    pub length: i64,
    /// Its object in the photo store.
    pub object_key: String,
}

/// An upload whose bytes are still in PostgreSQL (written before the photo store).
#[derive(Debug, Clone)]
pub struct LegacyUpload {
    /// Its team.
    pub team_id: Uuid,
    /// The photo's hash.
    pub sha256: String,
    /// Whether it completed and verified.
    pub complete: bool,
    /// The bytes received.
    pub data: Vec<u8>,
}

fn state(r: &sqlx::postgres::PgRow) -> UploadState {
    UploadState { length: r.get("length"), received: r.get("received"), complete: r.get("complete") }
}

impl Db {
    /// Whether a team's records name this photo.
    pub async fn photo_referenced(&self, team: Uuid, sha: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM photo_ref WHERE team_id = $1 AND sha256 = $2)")
            .bind(team)
            .bind(sha)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Creates a team's upload (tus creation). A complete one stays as it is; an unfinished
    /// one starts again from 0 with the new length, as a new upload does (a client resumes
    /// with `HEAD`, not `POST`). Returns its state and the objects of the parts let go.
    pub async fn create_upload(&self, team: Uuid, sha: &str, length: i64) -> Result<(UploadState, Vec<String>), DbError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO upload (team_id, sha256, length) VALUES ($1, $2, $3)
             ON CONFLICT (team_id, sha256) DO UPDATE SET length = $3, received = 0 WHERE upload.completed_at IS NULL
             RETURNING length, received, completed_at IS NOT NULL AS complete",
        )
        .bind(team)
        .bind(sha)
        .bind(length)
        .fetch_optional(&mut *tx)
        .await?;
        let (created, dropped) = match row {
            Some(r) => (state(&r), drop_parts(&mut tx, team, sha).await?),
            // Complete: the conflict's condition kept it as it is.
            None => {
                let r = sqlx::query("SELECT length, received, true AS complete FROM upload WHERE team_id = $1 AND sha256 = $2").bind(team).bind(sha).fetch_one(&mut *tx).await?;
                (state(&r), Vec::new())
            }
        };
        tx.commit().await?;
        Ok((created, dropped))
    }

    /// The bytes a team's uploads take (declared lengths, finished or not).
    pub async fn team_upload_bytes(&self, team: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT coalesce(sum(length), 0)::bigint FROM upload WHERE team_id = $1").bind(team).fetch_one(&self.pool).await?)
    }

    /// A team's upload's progress.
    pub async fn upload(&self, team: Uuid, sha: &str) -> Result<Option<UploadState>, DbError> {
        let row = sqlx::query("SELECT length, received, completed_at IS NOT NULL AS complete FROM upload WHERE team_id = $1 AND sha256 = $2")
            .bind(team)
            .bind(sha)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(state))
    }

    /// Adds a part of `length` bytes at `offset`, already written to `object_key`; `None` if
    /// the offset is not where the upload stands (another request moved it meanwhile).
    pub async fn append_part(&self, team: Uuid, sha: &str, offset: i64, length: i64, object_key: &str) -> Result<Option<UploadState>, DbError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE upload SET received = received + $4
             WHERE team_id = $1 AND sha256 = $2 AND received = $3 AND completed_at IS NULL AND received + $4 <= length
             RETURNING length, received, false AS complete",
        )
        .bind(team)
        .bind(sha)
        .bind(offset)
        .bind(length)
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_some() {
            add_part(&mut tx, team, sha, offset, length, object_key).await?;
        }
        tx.commit().await?;
        Ok(row.as_ref().map(state))
    }

    /// The parts of a team's upload, in order.
    pub async fn upload_parts(&self, team: Uuid, sha: &str) -> Result<Vec<UploadPart>, DbError> {
        let rows = sqlx::query("SELECT start, length, object_key FROM upload_part WHERE team_id = $1 AND sha256 = $2 ORDER BY start")
            .bind(team)
            .bind(sha)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| UploadPart { start: r.get(0), length: r.get(1), object_key: r.get(2) }).collect())
    }

    /// Marks a team's upload verified and complete (its photo is in the store) if it still
    /// stands fully received and unfinished (another server may have started it again
    /// meanwhile); returns the objects of its parts, no longer needed.
    pub async fn complete_upload(&self, team: Uuid, sha: &str) -> Result<Vec<String>, DbError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE upload SET completed_at = now() WHERE team_id = $1 AND sha256 = $2 AND received = length AND completed_at IS NULL")
            .bind(team)
            .bind(sha)
            .execute(&mut *tx)
            .await?;
        let parts = if done.rows_affected() == 1 { drop_parts(&mut tx, team, sha).await? } else { Vec::new() };
        tx.commit().await?;
        Ok(parts)
    }

    /// Throws away a team's unfinished upload so it starts again (its bytes failed their
    /// hash); returns its parts' objects.
    pub async fn reset_upload(&self, team: Uuid, sha: &str) -> Result<Vec<String>, DbError> {
        self.restart_upload(team, sha, false).await
    }

    /// Starts again a complete upload whose photo is missing from the store, so the phone
    /// sends it again.
    pub async fn reopen_upload(&self, team: Uuid, sha: &str) -> Result<Vec<String>, DbError> {
        self.restart_upload(team, sha, true).await
    }

    async fn restart_upload(&self, team: Uuid, sha: &str, complete_too: bool) -> Result<Vec<String>, DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE upload SET received = 0, completed_at = NULL WHERE team_id = $1 AND sha256 = $2 AND ($3 OR completed_at IS NULL)")
            .bind(team)
            .bind(sha)
            .bind(complete_too)
            .execute(&mut *tx)
            .await?;
        let parts = drop_parts(&mut tx, team, sha).await?;
        tx.commit().await?;
        Ok(parts)
    }

    /// Which of these part objects an upload still needs.
    pub async fn live_parts(&self, keys: &[String]) -> Result<Vec<String>, DbError> {
        Ok(sqlx::query_scalar("SELECT object_key FROM upload_part WHERE object_key = ANY($1)").bind(keys).fetch_all(&self.pool).await?)
    }

    /// A team's complete photo's bytes (`None` if its upload is not complete).
    pub async fn upload_bytes(&self, team: Uuid, sha: &str) -> Result<Option<Vec<u8>>, DbError> {
        if !self.upload(team, sha).await?.is_some_and(|u| u.complete) {
            return Ok(None);
        }
        Ok(self.photos.photo_bytes(sha).await?.map(|b| b.to_vec()))
    }

    /// Up to `limit` uploads whose bytes are still in PostgreSQL.
    pub async fn legacy_uploads(&self, limit: i64) -> Result<Vec<LegacyUpload>, DbError> {
        let rows = sqlx::query(
            "SELECT team_id, sha256, completed_at IS NOT NULL, data FROM upload WHERE octet_length(data) > 0 ORDER BY team_id, sha256 LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| LegacyUpload { team_id: r.get(0), sha256: r.get(1), complete: r.get(2), data: r.get(3) }).collect())
    }

    /// Records that a legacy upload's bytes are in the store: as the complete photo, as one
    /// part at 0 (`part`), or thrown away (neither: they did not have the hash, so the phone
    /// sends the photo again).
    /// (Another server moving the same row at once finds it emptied and changes nothing.)
    pub async fn moved_upload(&self, team: Uuid, sha: &str, bytes: i64, part: Option<&str>, verified: bool) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        let received = if part.is_some() || verified { bytes } else { 0 };
        let moved = sqlx::query(
            "UPDATE upload SET data = ''::bytea, received = $3, completed_at = CASE WHEN $4 THEN completed_at END
             WHERE team_id = $1 AND sha256 = $2 AND octet_length(data) > 0",
        )
        .bind(team)
        .bind(sha)
        .bind(received)
        .bind(verified)
        .execute(&mut *tx)
        .await?;
        if let Some(key) = part.filter(|_| moved.rows_affected() == 1) {
            add_part(&mut tx, team, sha, 0, received, key).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Lets go of an upload's parts; returns their objects.
async fn drop_parts(tx: &mut sqlx::PgConnection, team: Uuid, sha: &str) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar("DELETE FROM upload_part WHERE team_id = $1 AND sha256 = $2 RETURNING object_key").bind(team).bind(sha).fetch_all(&mut *tx).await?)
}

async fn add_part(tx: &mut sqlx::PgConnection, team: Uuid, sha: &str, start: i64, length: i64, object_key: &str) -> Result<(), DbError> {
    sqlx::query("INSERT INTO upload_part (team_id, sha256, start, length, object_key) VALUES ($1, $2, $3, $4, $5)")
        .bind(team)
        .bind(sha)
        .bind(start)
        .bind(length)
        .bind(object_key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
