//! Everything the county server asks PostgreSQL. No SQL anywhere else.

use sqlx::postgres::{PgPool, PgPoolOptions};

/// Errors from the database layer, converted from sqlx in one place.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Applying the embedded migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database failure.
    #[error("database error: {0}")]
    Other(#[from] sqlx::Error),
}

/// The county database.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// Connects to `url` (a `postgres://` URL).
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    /// Wraps an existing pool (tests get theirs from `#[sqlx::test]`).
    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Brings the schema up to date with `crates/county/migrations`.
    pub async fn migrate(&self) -> Result<(), DbError> {
        sqlx::migrate!("./migrations").run(&self.pool).await?;
        Ok(())
    }

    /// Answers whether the database can be reached right now.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

// ---- sync ------------------------------------------------------------------------------

use chrono::{DateTime, Utc};
use redvest_shared::wire::{Published, PullItem};
use sqlx::Row;
use uuid::Uuid;

/// A device as the token names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceAuth {
    /// The device.
    pub device_id: Uuid,
    /// Its team.
    pub team_id: Uuid,
    /// Whether the county revoked it.
    pub revoked: bool,
}

/// A key registered at enrolment.
#[derive(Debug, Clone)]
pub struct KnownKey {
    /// Public key bytes.
    pub public_key: Vec<u8>,
    /// Whose.
    pub member_id: Uuid,
    /// Their role, as text (`leader`, …).
    pub role: String,
}

/// A stored record's identity, for repeat/conflict decisions.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    /// Its team.
    pub team_id: Uuid,
    /// Its content hash.
    pub content_sha256: String,
}

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

/// What to write when a record is accepted.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The record's id.
    pub id: Uuid,
    /// `patrol` or `hazard_event`.
    pub kind: &'static str,
    /// Its content hash.
    pub content_sha256: String,
    /// The pushed body.
    pub body: serde_json::Value,
    /// The chain entry of a patrol: (seq, link).
    pub chain: Option<(i64, Vec<u8>)>,
    /// Hazards it registers (state `None`) or moves to a new state.
    pub hazards: Vec<(Uuid, Option<String>)>,
    /// Photos it names.
    pub photos: Vec<String>,
}

impl Db {
    /// Creates a team.
    pub async fn create_team(&self, name: &str) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO team (id, name) VALUES ($1, $2)").bind(id).bind(name).execute(&self.pool).await?;
        Ok(id)
    }

    /// Adds a member; returns their id.
    pub async fn add_member(&self, team: Uuid, name: &str, role: &str) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO member (id, team_id, name, role) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(team)
            .bind(name)
            .bind(role)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// The team's roster: (id, name, role).
    pub async fn roster(&self, team: Uuid) -> Result<Vec<(Uuid, String, String)>, DbError> {
        let rows = sqlx::query("SELECT id, name, role FROM member WHERE team_id = $1 ORDER BY created_at, id")
            .bind(team)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    /// Stores a one-time code's hash.
    pub async fn add_enrolment_code(&self, team: Uuid, code_hash: &[u8], expires_at: DateTime<Utc>) -> Result<(), DbError> {
        sqlx::query("INSERT INTO enrolment_code (code_hash, team_id, expires_at) VALUES ($1, $2, $3)")
            .bind(code_hash)
            .bind(team)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uses a code and registers the device with its keys, in one transaction. `None` when
    /// the code is unknown, used or expired.
    pub async fn enrol(
        &self,
        code_hash: &[u8],
        device_name: &str,
        token_hash: &[u8],
        keys: &[(Vec<u8>, Uuid, String, String)],
    ) -> Result<Option<(Uuid, Uuid, String)>, DbError> {
        let mut tx = self.pool.begin().await?;
        let team: Option<Uuid> = sqlx::query_scalar(
            "UPDATE enrolment_code SET used_at = now()
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING team_id",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(team) = team else { return Ok(None) };
        let device = Uuid::now_v7();
        sqlx::query("INSERT INTO device (id, team_id, name, token_hash) VALUES ($1, $2, $3, $4)")
            .bind(device)
            .bind(team)
            .bind(device_name)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        for (public_key, member_id, name, role) in keys {
            sqlx::query(
                "INSERT INTO signer_key (public_key, team_id, device_id, member_id, name, role) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (public_key) DO NOTHING",
            )
            .bind(public_key)
            .bind(team)
            .bind(device)
            .bind(member_id)
            .bind(name)
            .bind(role)
            .execute(&mut *tx)
            .await?;
        }
        let team_name: String = sqlx::query_scalar("SELECT name FROM team WHERE id = $1").bind(team).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some((device, team, team_name)))
    }

    /// The device a token hash belongs to.
    pub async fn device_by_token(&self, token_hash: &[u8]) -> Result<Option<DeviceAuth>, DbError> {
        let row = sqlx::query("SELECT id, team_id, revoked_at IS NOT NULL FROM device WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| DeviceAuth { device_id: r.get(0), team_id: r.get(1), revoked: r.get(2) }))
    }

    /// Revokes a device; false if there is no such device.
    pub async fn revoke_device(&self, device: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE device SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
            .bind(device)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The team's enrolled signing keys.
    pub async fn team_keys(&self, team: Uuid) -> Result<Vec<KnownKey>, DbError> {
        let rows = sqlx::query("SELECT public_key, member_id, role FROM signer_key WHERE team_id = $1")
            .bind(team)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| KnownKey { public_key: r.get(0), member_id: r.get(1), role: r.get(2) }).collect())
    }

    /// A stored record, if any.
    pub async fn record(&self, id: Uuid) -> Result<Option<StoredRecord>, DbError> {
        let row = sqlx::query("SELECT team_id, content_sha256 FROM record WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| StoredRecord { team_id: r.get(0), content_sha256: r.get(1) }))
    }

    /// The link a device's chain has at `seq`.
    pub async fn chain_link(&self, device: Uuid, seq: i64) -> Result<Option<Vec<u8>>, DbError> {
        Ok(sqlx::query_scalar("SELECT link FROM chain_link WHERE device_id = $1 AND seq = $2")
            .bind(device)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The team a hazard belongs to.
    pub async fn hazard_team(&self, hazard: Uuid) -> Result<Option<Uuid>, DbError> {
        Ok(sqlx::query_scalar("SELECT team_id FROM hazard WHERE id = $1").bind(hazard).fetch_optional(&self.pool).await?)
    }

    /// Stores an accepted record with its chain link, hazards and photo references, once.
    /// Returns false when a record with this id got there first (a request delivered twice).
    pub async fn insert_record(&self, auth: DeviceAuth, rec: &NewRecord) -> Result<bool, DbError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO record (id, team_id, device_id, kind, content_sha256, body) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(rec.id)
        .bind(auth.team_id)
        .bind(auth.device_id)
        .bind(rec.kind)
        .bind(&rec.content_sha256)
        .bind(&rec.body)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !inserted {
            return Ok(false);
        }
        if let Some((seq, link)) = &rec.chain {
            sqlx::query("INSERT INTO chain_link (device_id, seq, patrol_id, link) VALUES ($1, $2, $3, $4)")
                .bind(auth.device_id)
                .bind(seq)
                .bind(rec.id)
                .bind(link)
                .execute(&mut *tx)
                .await?;
        }
        for (hazard, state) in &rec.hazards {
            sqlx::query(
                "INSERT INTO hazard (id, team_id, state) VALUES ($1, $2, coalesce($3, 'reported'))
                 ON CONFLICT (id) DO UPDATE SET state = coalesce($3, hazard.state), updated_at = now()",
            )
            .bind(hazard)
            .bind(auth.team_id)
            .bind(state.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        for sha in &rec.photos {
            sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(auth.team_id)
                .bind(sha)
                .bind(rec.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// How many records the county holds with this id (tests: exactly once).
    pub async fn count_records(&self, team: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM record WHERE team_id = $1").bind(team).fetch_one(&self.pool).await?)
    }

    /// Whether a team's records name this photo.
    pub async fn photo_referenced(&self, team: Uuid, sha: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM photo_ref WHERE team_id = $1 AND sha256 = $2)")
            .bind(team)
            .bind(sha)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Starts an upload (or finds the one already there).
    pub async fn create_upload(&self, sha: &str, length: i64) -> Result<UploadState, DbError> {
        sqlx::query("INSERT INTO upload (sha256, length) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
            .bind(sha)
            .bind(length)
            .execute(&self.pool)
            .await?;
        self.upload(sha).await?.ok_or(DbError::Other(sqlx::Error::RowNotFound))
    }

    /// An upload's progress.
    pub async fn upload(&self, sha: &str) -> Result<Option<UploadState>, DbError> {
        let row = sqlx::query("SELECT length, received, completed_at IS NOT NULL FROM upload WHERE sha256 = $1")
            .bind(sha)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| UploadState { length: r.get(0), received: r.get(1), complete: r.get(2) }))
    }

    /// Appends `chunk` at `offset`; `None` if the offset is not where the upload stands.
    pub async fn append_upload(&self, sha: &str, offset: i64, chunk: &[u8]) -> Result<Option<UploadState>, DbError> {
        let row = sqlx::query(
            "UPDATE upload SET data = data || $3, received = received + length($3)
             WHERE sha256 = $1 AND received = $2 AND completed_at IS NULL AND received + length($3) <= length
             RETURNING length, received",
        )
        .bind(sha)
        .bind(offset)
        .bind(chunk)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| UploadState { length: r.get(0), received: r.get(1), complete: false }))
    }

    /// The received bytes of an upload.
    pub async fn upload_bytes(&self, sha: &str) -> Result<Option<Vec<u8>>, DbError> {
        Ok(sqlx::query_scalar("SELECT data FROM upload WHERE sha256 = $1").bind(sha).fetch_optional(&self.pool).await?)
    }

    /// Marks an upload verified and complete.
    pub async fn complete_upload(&self, sha: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE upload SET completed_at = now() WHERE sha256 = $1").bind(sha).execute(&self.pool).await?;
        Ok(())
    }

    /// Throws away a failed upload so it starts again.
    pub async fn reset_upload(&self, sha: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE upload SET data = ''::bytea, received = 0 WHERE sha256 = $1").bind(sha).execute(&self.pool).await?;
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

    /// Records a county decision on a hazard; returns the hazard's team.
    pub async fn set_hazard_state(&self, hazard: Uuid, state: &str) -> Result<Option<Uuid>, DbError> {
        Ok(sqlx::query_scalar("UPDATE hazard SET state = $2, updated_at = now() WHERE id = $1 RETURNING team_id")
            .bind(hazard)
            .bind(state)
            .fetch_optional(&self.pool)
            .await?)
    }
}
