//! Everything the county server asks PostgreSQL. No SQL anywhere else.

mod console;
mod hazard;
mod overview;
mod uploads;

pub use console::{AuditRow, ClerkListRow, ClerkRow, DeviceRow, Named, PatrolFilter, PatrolListRow, PatrolPageRow, TeamRow};
pub use overview::{AlertRow, TeamDay};
pub use uploads::{LegacyUpload, UploadPart, UploadState};
pub use hazard::{CountyDecision, Decided, HazardDetail, HazardEntry, HazardFilter, HazardRow, HistoryRow};

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::photos::PhotoStore;

/// Errors from the database layer, converted from sqlx in one place ([`From`] below), so
/// callers answer by what happened: a refused row is the caller's business (409, 422), an
/// unreachable database is the only 503.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Applying the embedded migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique or foreign-key constraint refused the row (its name).
    #[error("conflict with {0}")]
    Conflict(String),
    /// A check or not-null constraint refused the row (its name, or the column).
    #[error("refused by {0}")]
    Invalid(String),
    /// PostgreSQL could not be reached or did not answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// Any other database failure (a bug or data that does not read).
    #[error("database error: {0}")]
    Other(sqlx::Error),
    /// The photo store failed (photo bytes live there, not in PostgreSQL).
    #[error(transparent)]
    Photos(#[from] crate::photos::PhotoStoreError),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match e {
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().or(db.table()).unwrap_or("a constraint").to_owned();
                // Class 08 (connection), 53 (resources), 57P0x (shutting down), 40001/40P01
                // (serialization, deadlock): the database cannot take it now; try again.
                let retry = db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") || c == "40001" || c == "40P01");
                match db.kind() {
                    ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation => DbError::Conflict(constraint),
                    ErrorKind::CheckViolation | ErrorKind::NotNullViolation => DbError::Invalid(constraint),
                    _ if retry => DbError::Unavailable(sqlx::Error::Database(db)),
                    _ => DbError::Other(sqlx::Error::Database(db)),
                }
            }
            e @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed) => {
                DbError::Unavailable(e)
            }
            e => DbError::Other(e),
        }
    }
}

/// The county's store: rows in PostgreSQL, photo bytes in the photo store.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    photos: PhotoStore,
}

impl Db {
    /// Connects to `url` (a `postgres://` URL); photo bytes go to `photos`.
    pub async fn connect(url: &str, photos: PhotoStore) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool, photos })
    }

    /// Wraps an existing pool (tests get theirs from `#[sqlx::test]`).
    pub fn from_pool(pool: PgPool, photos: PhotoStore) -> Self {
        Self { pool, photos }
    }

    /// Where photo bytes are kept.
    pub fn photos(&self) -> &PhotoStore {
        &self.photos
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
use redvest_shared::wire::{Decision, DecisionItem, Published, PullItem, Refusal, ReviewItem, SubmissionPush, WireSignature};
use sqlx::Row;
use uuid::Uuid;

/// A device as the token names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceAuth {
    /// The device.
    pub device_id: Uuid,
    /// Its team.
    pub team_id: Uuid,
    /// The phone's hash chain (kept across re-enrolments).
    pub chain_id: Uuid,
    /// Whether the county revoked it.
    pub revoked: bool,
}

/// How an enrolment went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrolOutcome {
    /// The device is enrolled.
    Enrolled {
        /// Its new id.
        device: Uuid,
        /// Its team.
        team: Uuid,
        /// The team's name.
        team_name: String,
    },
    /// The code is unknown, used or expired.
    BadCode,
    /// The chain belongs to a phone of another team.
    ChainOfOtherTeam,
}

/// A roster entry, with its status at the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// Its id.
    pub id: Uuid,
    /// Its team.
    pub team_id: Uuid,
    /// Name.
    pub name: String,
    /// Role, as text.
    pub role: String,
    /// `active`, `proposed` or `merged`.
    pub status: String,
    /// The member a merged proposal is the same person as.
    pub merged_into: Option<Uuid>,
}

/// A key as the clerk lists it.
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// Public key bytes.
    pub public_key: Vec<u8>,
    /// Whose (after merges).
    pub member_id: Uuid,
    /// Their name.
    pub name: String,
    /// The device that sent it.
    pub device_id: Uuid,
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One link of a phone's chain as the county holds it, with the record it links.
#[derive(Debug, Clone)]
pub struct LinkRow {
    /// The chain.
    pub chain_id: Uuid,
    /// Position.
    pub seq: i64,
    /// The previous link the device named.
    pub prev: Option<Vec<u8>>,
    /// This link.
    pub link: Vec<u8>,
    /// The patrol.
    pub patrol_id: Uuid,
    /// The record's signed bytes, if the record is still there.
    pub canonical: Option<String>,
}

/// The last refusal the county logged for a place in a phone's chain.
#[derive(Debug, Clone)]
pub struct RefusalRow {
    /// The chain.
    pub chain_id: Uuid,
    /// The place.
    pub seq: i64,
    /// The refusal's code (`key_revoked`, …).
    pub code: String,
    /// Its detail.
    pub reason: String,
}

/// A key the county accepted for a member of the team.
#[derive(Debug, Clone)]
pub struct KnownKey {
    /// Public key bytes.
    pub public_key: Vec<u8>,
    /// Whose: the member after merges.
    pub member_id: Uuid,
    /// Whether a clerk revoked it.
    pub revoked: bool,
}

/// A stored record's identity, for repeat/conflict decisions.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    /// Its team.
    pub team_id: Uuid,
    /// Its content hash.
    pub content_sha256: String,
}

/// What an accepted record adds besides itself.
#[derive(Debug, Clone, Default)]
pub enum Effect {
    /// Nothing.
    #[default]
    None,
    /// A member's key.
    Key {
        /// Whose (as the device named them).
        member_id: Uuid,
        /// The key.
        public_key: Vec<u8>,
        /// The key it replaces.
        previous_key: Option<Vec<u8>>,
    },
    /// A proposed member.
    Member {
        /// Their id.
        id: Uuid,
        /// Name.
        name: String,
        /// Proposed role, as text.
        role: String,
    },
}

/// What became of an insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Stored now.
    Stored,
    /// A record with this id got there first (a request delivered twice).
    AlreadyThere,
    /// Another record holds this place in the phone's chain.
    Fork,
    /// The patrol it decides on is decided otherwise, or not this team's: nothing stored.
    Refused(Refusal, String),
}

/// A patrol's signed record as the county holds it once.
#[derive(Debug, Clone)]
pub struct PatrolCopy {
    /// The patrol.
    pub patrol_id: Uuid,
    /// SHA-256 of the signed bytes.
    pub record_hash: Vec<u8>,
    /// The signed bytes.
    pub canonical: String,
    /// The volunteer's signature.
    pub volunteer: WireSignature,
    /// The track (base64 `RVTK`), if this record brought it.
    pub track_rvtk: Option<String>,
    /// When the patrol started (from the signed record).
    pub started_at: DateTime<Utc>,
    /// Its post or zone key (from the signed record).
    pub assignment: &'static str,
    /// The duty it answers (from the signed record).
    pub duty_id: Option<Uuid>,
}

/// What an accepted record does to the county's one copy of its patrol; the team's phones
/// hear of each change through the feed, in the same transaction.
#[derive(Debug, Clone)]
pub enum PatrolChange {
    /// Signed by its volunteer: waits for a leader (队长待审), or a new version after a return.
    Submitted(PatrolCopy),
    /// Countersigned. `strict` for a leader's countersignature, which is refused when the
    /// patrol was decided otherwise; a sealed patrol from the volunteer's phone is not.
    Countersigned {
        /// The record.
        copy: PatrolCopy,
        /// The countersignature.
        leader: WireSignature,
        /// Refuse it when another decision came first.
        strict: bool,
    },
    /// Sent back by a leader.
    Returned {
        /// The record sent back.
        copy: PatrolCopy,
        /// The leader.
        by: Uuid,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

/// A patrol as the county holds it, for tests and the clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolRow {
    /// Its team.
    pub team_id: Uuid,
    /// `submitted`, `returned` or `countersigned`.
    pub state: String,
    /// SHA-256 of the signed bytes held.
    pub record_hash: Vec<u8>,
    /// Whether the track is there.
    pub has_track: bool,
    /// The countersigner.
    pub leader: Option<Uuid>,
    /// Why it was sent back.
    pub returned_reason: Option<String>,
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
    /// The chain entry of a patrol: (seq, prev, link).
    pub chain: Option<(i64, Vec<u8>, Vec<u8>)>,
    /// What else the record brings: a key or a proposed member.
    pub effect: Effect,
    /// What it adds to the hazard register.
    pub hazards: Vec<HazardEntry>,
    /// Photos it names.
    pub photos: Vec<String>,
    /// What it does to the county's copy of its patrol.
    pub patrol: Option<PatrolChange>,
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

    /// Uses a code and registers the device, in one transaction. A chain the team already
    /// knows (the same phone enrolling again) continues: earlier tokens of that chain stop
    /// working, the new device carries on from the last link received.
    pub async fn enrol(&self, code_hash: &[u8], device_name: &str, token_hash: &[u8], chain_id: Uuid) -> Result<EnrolOutcome, DbError> {
        let mut tx = self.pool.begin().await?;
        let team: Option<Uuid> = sqlx::query_scalar(
            "UPDATE enrolment_code SET used_at = now()
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING team_id",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(team) = team else { return Ok(EnrolOutcome::BadCode) };
        // Two enrolments of one chain at once wait for each other, so a chain never ends up
        // in two teams (the lock ends with the transaction).
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))").bind(chain_id).execute(&mut *tx).await?;
        let chain_team: Option<Uuid> = sqlx::query_scalar("SELECT team_id FROM device WHERE chain_id = $1 LIMIT 1")
            .bind(chain_id)
            .fetch_optional(&mut *tx)
            .await?;
        if chain_team.is_some_and(|t| t != team) {
            // The code stays unused: the transaction is dropped.
            return Ok(EnrolOutcome::ChainOfOtherTeam);
        }
        sqlx::query("UPDATE device SET revoked_at = now() WHERE chain_id = $1 AND revoked_at IS NULL")
            .bind(chain_id)
            .execute(&mut *tx)
            .await?;
        let device = Uuid::now_v7();
        sqlx::query("INSERT INTO device (id, team_id, name, token_hash, chain_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(device)
            .bind(team)
            .bind(device_name)
            .bind(token_hash)
            .bind(chain_id)
            .execute(&mut *tx)
            .await?;
        let team_name: String = sqlx::query_scalar("SELECT name FROM team WHERE id = $1").bind(team).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(EnrolOutcome::Enrolled { device, team, team_name })
    }

    /// The device a token hash belongs to; notes when a device in use was last seen (at most
    /// once a minute, so a sync run does not write a row per request).
    pub async fn device_by_token(&self, token_hash: &[u8]) -> Result<Option<DeviceAuth>, DbError> {
        let row = sqlx::query(
            "SELECT id, team_id, chain_id, revoked_at IS NOT NULL,
                    revoked_at IS NULL AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')
             FROM device WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let auth = DeviceAuth { device_id: r.get(0), team_id: r.get(1), chain_id: r.get(2), revoked: r.get(3) };
        if r.get::<bool, _>(4) {
            sqlx::query("UPDATE device SET last_seen_at = now() WHERE id = $1").bind(auth.device_id).execute(&self.pool).await?;
        }
        Ok(Some(auth))
    }

    /// Revokes a device; false if there is no such device.
    pub async fn revoke_device(&self, device: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE device SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
            .bind(device)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The team's accepted signing keys, each with its member after merges.
    pub async fn team_keys(&self, team: Uuid) -> Result<Vec<KnownKey>, DbError> {
        let rows = sqlx::query(
            "SELECT k.public_key, coalesce(m.merged_into, k.member_id), k.revoked_at IS NOT NULL
             FROM signer_key k LEFT JOIN member m ON m.id = k.member_id WHERE k.team_id = $1",
        )
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| KnownKey { public_key: r.get(0), member_id: r.get(1), revoked: r.get(2) }).collect())
    }

    /// The key with these bytes: (team, member as the device named them).
    pub async fn key_owner(&self, public_key: &[u8]) -> Result<Option<(Uuid, Uuid)>, DbError> {
        let row = sqlx::query("SELECT team_id, member_id FROM signer_key WHERE public_key = $1").bind(public_key).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Revokes a key; false if there is no such key or it was revoked already.
    pub async fn revoke_key(&self, public_key: &[u8]) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE signer_key SET revoked_at = now() WHERE public_key = $1 AND revoked_at IS NULL")
            .bind(public_key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A team's keys with their owners' names, newest first.
    pub async fn list_keys(&self, team: Uuid) -> Result<Vec<KeyRow>, DbError> {
        let rows = sqlx::query(
            "SELECT k.public_key, coalesce(m.merged_into, k.member_id), coalesce(t.name, m.name, '?'), k.device_id, k.accepted_at, k.revoked_at
             FROM signer_key k LEFT JOIN member m ON m.id = k.member_id LEFT JOIN member t ON t.id = m.merged_into
             WHERE k.team_id = $1 ORDER BY k.accepted_at DESC",
        )
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| KeyRow { public_key: r.get(0), member_id: r.get(1), name: r.get(2), device_id: r.get(3), accepted_at: r.get(4), revoked_at: r.get(5) })
            .collect())
    }

    /// A member (any status), if any.
    pub async fn member(&self, id: Uuid) -> Result<Option<MemberRow>, DbError> {
        let row = sqlx::query("SELECT id, team_id, name, role, status, merged_into FROM member WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(member_row))
    }

    /// The member a signature names, after merges (the merged proposal's target).
    pub async fn member_resolved(&self, id: Uuid) -> Result<Option<MemberRow>, DbError> {
        match self.member(id).await? {
            Some(MemberRow { merged_into: Some(into), .. }) => self.member(into).await,
            other => Ok(other),
        }
    }

    /// Every roster entry of a team (all statuses), in the order they were added.
    pub async fn members(&self, team: Uuid) -> Result<Vec<MemberRow>, DbError> {
        let rows = sqlx::query("SELECT id, team_id, name, role, status, merged_into FROM member WHERE team_id = $1 ORDER BY created_at, id")
            .bind(team)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(member_row).collect())
    }

    /// Folds proposal `from` into member `into`: the proposal's keys count for `into`.
    /// False when, by now, `from` is no proposal or `into` no active member of its team (two
    /// clerks at once).
    pub async fn merge_member(&self, from: Uuid, into: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE member SET status = 'merged', merged_into = $2 WHERE id = $1 AND status = 'proposed'
             AND EXISTS (SELECT 1 FROM member t WHERE t.id = $2 AND t.team_id = member.team_id AND t.status = 'active')",
        )
        .bind(from)
        .bind(into)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Confirms a proposal as an active member with `role`; false when it is no proposal (any
    /// more).
    pub async fn confirm_member(&self, id: Uuid, role: &str) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE member SET status = 'active', role = $2 WHERE id = $1 AND status = 'proposed'")
            .bind(id)
            .bind(role)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Logs a refused record, so a gap in a chain can say why.
    pub async fn log_refusal(&self, auth: DeviceAuth, record: Uuid, chain_seq: Option<i64>, code: &str, reason: &str) -> Result<(), DbError> {
        sqlx::query("INSERT INTO refusal (record_id, device_id, chain_seq, code, reason) VALUES ($1, $2, $3, $4, $5)")
            .bind(record)
            .bind(auth.device_id)
            .bind(chain_seq)
            .bind(code)
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The chains of a team's phones, link by link, with the records they link.
    pub async fn chain_links(&self, team: Uuid) -> Result<Vec<LinkRow>, DbError> {
        let rows = sqlx::query(
            "SELECT c.chain_id, c.seq, c.prev, c.link, c.patrol_id, r.body->>'canonical'
             FROM chain_link c JOIN device d ON d.id = c.device_id LEFT JOIN record r ON r.id = c.patrol_id
             WHERE d.team_id = $1 ORDER BY c.chain_id, c.seq",
        )
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| LinkRow { chain_id: r.get(0), seq: r.get(1), prev: r.get(2), link: r.get(3), patrol_id: r.get(4), canonical: r.get(5) })
            .collect())
    }

    /// The last refusal logged for each place in each chain of a team's phones.
    pub async fn chain_refusals(&self, team: Uuid) -> Result<Vec<RefusalRow>, DbError> {
        let rows = sqlx::query(
            "SELECT DISTINCT ON (d.chain_id, f.chain_seq) d.chain_id, f.chain_seq, f.code, f.reason
             FROM refusal f JOIN device d ON d.id = f.device_id
             WHERE d.team_id = $1 AND f.chain_seq IS NOT NULL ORDER BY d.chain_id, f.chain_seq, f.at DESC",
        )
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| RefusalRow { chain_id: r.get(0), seq: r.get(1), code: r.get(2), reason: r.get(3) }).collect())
    }

    /// A stored record, if any.
    pub async fn record(&self, id: Uuid) -> Result<Option<StoredRecord>, DbError> {
        let row = sqlx::query("SELECT team_id, content_sha256 FROM record WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| StoredRecord { team_id: r.get(0), content_sha256: r.get(1) }))
    }

    /// The team a hazard belongs to.
    pub async fn hazard_team(&self, hazard: Uuid) -> Result<Option<Uuid>, DbError> {
        Ok(sqlx::query_scalar("SELECT team_id FROM hazard WHERE id = $1").bind(hazard).fetch_optional(&self.pool).await?)
    }

    /// Stores an accepted record with its chain link, hazards, photo references and
    /// effect (a key, a proposed member), all or nothing.
    pub async fn insert_record(&self, auth: DeviceAuth, rec: &NewRecord) -> Result<Inserted, DbError> {
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
            return Ok(Inserted::AlreadyThere);
        }
        if let Some((seq, prev, link)) = &rec.chain {
            let linked = sqlx::query(
                "INSERT INTO chain_link (device_id, chain_id, seq, patrol_id, prev, link) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (chain_id, seq) DO NOTHING",
            )
            .bind(auth.device_id)
            .bind(auth.chain_id)
            .bind(seq)
            .bind(rec.id)
            .bind(prev)
            .bind(link)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !linked {
                return Ok(Inserted::Fork); // dropped: the record is not stored either
            }
        }
        for entry in &rec.hazards {
            hazard::write_entry(&mut tx, auth.team_id, entry).await?;
        }
        for sha in &rec.photos {
            sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(auth.team_id)
                .bind(sha)
                .bind(rec.id)
                .execute(&mut *tx)
                .await?;
        }
        match &rec.effect {
            Effect::None => {}
            Effect::Key { member_id, public_key, previous_key } => {
                let new = sqlx::query(
                    "INSERT INTO signer_key (public_key, team_id, device_id, member_id, previous_key) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (public_key) DO NOTHING",
                )
                .bind(public_key)
                .bind(auth.team_id)
                .bind(auth.device_id)
                .bind(member_id)
                .bind(previous_key)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                // Registered meanwhile (the check before raced another push): fine when it is
                // this team's key of the same member, refused otherwise, never silently dropped.
                if !new {
                    let owner: Option<(Uuid, Uuid)> = sqlx::query_as("SELECT team_id, member_id FROM signer_key WHERE public_key = $1")
                        .bind(public_key)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if owner != Some((auth.team_id, *member_id)) {
                        return Ok(Inserted::Refused(Refusal::Conflict, "this key is already registered for someone else".into()));
                    }
                }
            }
            Effect::Member { id, name, role } => {
                sqlx::query("INSERT INTO member (id, team_id, name, role, status) VALUES ($1, $2, $3, $4, 'proposed') ON CONFLICT (id) DO NOTHING")
                    .bind(id)
                    .bind(auth.team_id)
                    .bind(name)
                    .bind(role)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Some(change) = &rec.patrol {
            if let Some((code, reason)) = apply_patrol_change(&mut tx, auth.team_id, change).await? {
                return Ok(Inserted::Refused(code, reason)); // dropped: nothing is stored
            }
        }
        tx.commit().await?;
        Ok(Inserted::Stored)
    }

    /// The county's copy of a patrol, if it has one.
    pub async fn patrol(&self, id: Uuid) -> Result<Option<PatrolRow>, DbError> {
        let row = sqlx::query(
            "SELECT team_id, state, record_hash, track_rvtk IS NOT NULL, (leader->>'member_id')::uuid, returned_reason FROM patrol WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PatrolRow { team_id: r.get(0), state: r.get(1), record_hash: r.get(2), has_track: r.get(3), leader: r.get(4), returned_reason: r.get(5) }))
    }

    /// How many members of a team are confirmed (a team of one may countersign its own).
    pub async fn active_members(&self, team: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM member WHERE team_id = $1 AND status = 'active'").bind(team).fetch_one(&self.pool).await?)
    }

    /// How many records the county holds with this id (tests: exactly once).
    pub async fn count_records(&self, team: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM record WHERE team_id = $1").bind(team).fetch_one(&self.pool).await?)
    }

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

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, DbError> {
    serde_json::to_value(value).map_err(|e| DbError::Other(sqlx::Error::Encode(Box::new(e))))
}

async fn publish_in(tx: &mut sqlx::PgConnection, team: Uuid, body: &Published) -> Result<(), DbError> {
    sqlx::query("INSERT INTO published (team_id, body) VALUES ($1, $2)").bind(team).bind(json(body)?).execute(tx).await?;
    Ok(())
}

/// Holds `copy` as the patrol's record in `state` (a new version replaces the one sent back;
/// its track is kept when the same version comes again without one).
async fn store_copy(tx: &mut sqlx::PgConnection, team: Uuid, copy: &PatrolCopy, state: &str, leader: Option<&WireSignature>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO patrol (id, team_id, record_hash, canonical, volunteer, track_rvtk, state, leader, started_at, assignment, duty_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET canonical = excluded.canonical, volunteer = excluded.volunteer, state = excluded.state,
             started_at = excluded.started_at, assignment = excluded.assignment, duty_id = excluded.duty_id,
             leader = excluded.leader, returned_by = NULL, returned_reason = NULL, updated_at = now(),
             track_rvtk = coalesce(excluded.track_rvtk, CASE WHEN patrol.record_hash = excluded.record_hash THEN patrol.track_rvtk END),
             record_hash = excluded.record_hash",
    )
    .bind(copy.patrol_id)
    .bind(team)
    .bind(&copy.record_hash)
    .bind(&copy.canonical)
    .bind(json(&copy.volunteer)?)
    .bind(&copy.track_rvtk)
    .bind(state)
    .bind(leader.map(json).transpose()?)
    .bind(copy.started_at)
    .bind(copy.assignment)
    .bind(copy.duty_id)
    .execute(tx)
    .await?;
    Ok(())
}

/// The track of the version held, when it was missing and `copy` brings it.
async fn fill_track(tx: &mut sqlx::PgConnection, copy: &PatrolCopy) -> Result<(), DbError> {
    sqlx::query("UPDATE patrol SET track_rvtk = $3 WHERE id = $1 AND record_hash = $2 AND track_rvtk IS NULL AND $3::text IS NOT NULL")
        .bind(copy.patrol_id)
        .bind(&copy.record_hash)
        .bind(&copy.track_rvtk)
        .execute(tx)
        .await?;
    Ok(())
}

/// Applies `change` to the county's one copy of its patrol and publishes what the team's
/// phones must hear; `Some(refusal)` when it cannot apply (the transaction is then dropped).
/// Changes to one patrol take turns (two leaders deciding at once: the first one wins).
async fn apply_patrol_change(tx: &mut sqlx::PgConnection, team: Uuid, change: &PatrolChange) -> Result<Option<(Refusal, String)>, DbError> {
    let (PatrolChange::Submitted(copy) | PatrolChange::Countersigned { copy, .. } | PatrolChange::Returned { copy, .. }) = change;
    let patrol_id = copy.patrol_id;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 1))").bind(patrol_id).execute(&mut *tx).await?;
    let held = sqlx::query("SELECT team_id, state, record_hash, leader->>'signature' FROM patrol WHERE id = $1")
        .bind(patrol_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.get::<Uuid, _>(0), r.get::<String, _>(1), r.get::<Vec<u8>, _>(2), r.get::<Option<String>, _>(3)));
    if held.as_ref().is_some_and(|(t, ..)| *t != team) {
        return Ok(Some((Refusal::Conflict, format!("patrol {patrol_id} belongs to another team"))));
    }
    Ok(match change {
        PatrolChange::Submitted(copy) => match held {
            Some((_, state, hash, _)) if state == "countersigned" || hash == copy.record_hash => {
                fill_track(tx, copy).await?;
                None // decided already, or this version is held: nothing new for the leaders
            }
            _ => {
                store_copy(tx, team, copy, "submitted", None).await?;
                let submission = SubmissionPush { canonical: copy.canonical.clone(), signature: copy.volunteer.clone(), track_rvtk: copy.track_rvtk.clone() };
                publish_in(tx, team, &Published::Review(ReviewItem { patrol_id: copy.patrol_id, submission })).await?;
                None
            }
        },
        PatrolChange::Countersigned { copy, leader, strict } => match held {
            // The same version countersigned again (the other phone's copy, or another
            // leader's countersignature of the same bytes): held once, the first one stands.
            Some((_, state, hash, held_sig)) if state == "countersigned" && hash == copy.record_hash => {
                fill_track(tx, copy).await?;
                (*strict && held_sig.as_deref() != Some(leader.signature.as_str()))
                    .then(|| (Refusal::AlreadyDecided, format!("patrol {patrol_id} was countersigned by another leader first")))
            }
            Some((_, state, ..)) if state == "countersigned" => {
                Some((Refusal::Conflict, format!("the county holds another countersigned version of patrol {patrol_id}")))
            }
            Some((_, state, hash, _)) if *strict && state == "returned" && hash == copy.record_hash => {
                Some((Refusal::AlreadyDecided, format!("patrol {patrol_id} was sent back to its volunteer first")))
            }
            // A leader's countersignature of an older version: a newer one waits for review.
            // (A sealed patrol from the volunteer's phone is always its newest version.)
            Some((_, _, hash, _)) if *strict && hash != copy.record_hash => {
                Some((Refusal::Outdated, format!("a newer version of patrol {patrol_id} waits; countersign that one")))
            }
            _ => {
                store_copy(tx, team, copy, "countersigned", Some(leader)).await?;
                let decision = Decision::Countersigned { signature: leader.clone() };
                publish_in(tx, team, &Published::Decision(DecisionItem { patrol_id, record_hash: hex::encode(&copy.record_hash), decision })).await?;
                None
            }
        },
        PatrolChange::Returned { copy, by, reason, at } => match held {
            Some((_, state, hash, _)) if state == "returned" && hash == copy.record_hash => None,
            Some((_, state, hash, _)) if state == "submitted" && hash == copy.record_hash => {
                sqlx::query("UPDATE patrol SET state = 'returned', returned_by = $2, returned_reason = $3, updated_at = now() WHERE id = $1")
                    .bind(patrol_id)
                    .bind(by)
                    .bind(reason)
                    .execute(&mut *tx)
                    .await?;
                publish_return(tx, team, copy, *by, reason, *at).await?;
                None
            }
            Some((_, state, hash, _)) if state == "countersigned" || hash == copy.record_hash => {
                Some((Refusal::AlreadyDecided, format!("patrol {patrol_id} was decided already")))
            }
            Some(_) => Some((Refusal::Outdated, format!("a newer version of patrol {patrol_id} waits; decide on that one"))),
            // Received by QR and sent back before the volunteer's phone reached the county.
            None => {
                store_copy(tx, team, copy, "returned", None).await?;
                sqlx::query("UPDATE patrol SET returned_by = $2, returned_reason = $3 WHERE id = $1").bind(patrol_id).bind(by).bind(reason).execute(&mut *tx).await?;
                publish_return(tx, team, copy, *by, reason, *at).await?;
                None
            }
        },
    })
}

async fn publish_return(tx: &mut sqlx::PgConnection, team: Uuid, copy: &PatrolCopy, by: Uuid, reason: &str, at: DateTime<Utc>) -> Result<(), DbError> {
    let decision = Decision::Returned { by, reason: reason.to_owned(), at };
    publish_in(tx, team, &Published::Decision(DecisionItem { patrol_id: copy.patrol_id, record_hash: hex::encode(&copy.record_hash), decision })).await
}

fn member_row(r: sqlx::postgres::PgRow) -> MemberRow {
    MemberRow { id: r.get(0), team_id: r.get(1), name: r.get(2), role: r.get(3), status: r.get(4), merged_into: r.get(5) }
}
