//! Teams, members, enrolment codes, devices and their tokens, and members' signing keys.

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

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
    /// 入户下访 quota, households a month (30, 50 or 80), if the county set one.
    pub visit_quota: Option<i32>,
    /// A phone number the county keeps for them (published with the roster).
    pub phone: Option<String>,
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

/// Whose a signing key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyOwner {
    /// The team that registered it.
    pub team_id: Uuid,
    /// The member it signs for.
    pub member_id: Uuid,
}

/// A key the county accepted for a member of the team.
#[derive(Debug, Clone)]
pub struct KnownKey {
    /// Public key bytes.
    pub public_key: Vec<u8>,
    /// Whose: the member after merges.
    pub member_id: Uuid,
    /// Whose, as the phone named them (a proposal's id before a merge, which its
    /// signatures keep naming).
    pub signer_id: Uuid,
    /// Whether a clerk revoked it.
    pub revoked: bool,
    /// When, if so.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Db {
    /// Creates a team.
    pub async fn create_team(&self, name: &str) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO team (id, name) VALUES ($1, $2)").bind(id).bind(name).execute(&self.pool).await?;
        Ok(id)
    }

    /// Adds a member, with a phone number if any; returns their id.
    pub async fn add_member(&self, team: Uuid, name: &str, role: &str, phone: Option<&str>) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO member (id, team_id, name, role, phone) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(team)
            .bind(name)
            .bind(role)
            .bind(phone)
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
            "SELECT k.public_key, coalesce(m.merged_into, k.member_id), k.member_id, k.revoked_at
             FROM signer_key k LEFT JOIN member m ON m.id = k.member_id WHERE k.team_id = $1",
        )
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let revoked_at: Option<DateTime<Utc>> = r.get(3);
                KnownKey { public_key: r.get(0), member_id: r.get(1), signer_id: r.get(2), revoked: revoked_at.is_some(), revoked_at }
            })
            .collect())
    }

    /// The key with these bytes: (team, member as the device named them).
    pub async fn key_owner(&self, public_key: &[u8]) -> Result<Option<KeyOwner>, DbError> {
        let row = sqlx::query("SELECT team_id, member_id FROM signer_key WHERE public_key = $1").bind(public_key).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| KeyOwner { team_id: r.get(0), member_id: r.get(1) }))
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
        let row = sqlx::query("SELECT id, team_id, name, role, status, merged_into, visit_quota, phone FROM member WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
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
        let rows = sqlx::query("SELECT id, team_id, name, role, status, merged_into, visit_quota, phone FROM member WHERE team_id = $1 ORDER BY created_at, id")
            .bind(team)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(member_row).collect())
    }

    /// Sets (or, with `None`, clears) an active member's monthly 入户下访 quota; false when
    /// the team has no such active member.
    pub async fn set_visit_quota(&self, team: Uuid, member: Uuid, households: Option<i32>) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE member SET visit_quota = $3 WHERE id = $2 AND team_id = $1 AND status = 'active'")
            .bind(team)
            .bind(member)
            .bind(households)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets (or, with `None`, clears) an active member's phone number, of `team` if given;
    /// returns their team, or `None` when there is no such active member.
    pub async fn set_member_phone(&self, team: Option<Uuid>, member: Uuid, phone: Option<&str>) -> Result<Option<Uuid>, DbError> {
        Ok(sqlx::query_scalar("UPDATE member SET phone = $3 WHERE id = $2 AND ($1::uuid IS NULL OR team_id = $1) AND status = 'active' RETURNING team_id")
            .bind(team)
            .bind(member)
            .bind(phone)
            .fetch_optional(&self.pool)
            .await?)
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

    /// How many members of a team are confirmed (a team of one may countersign its own).
    pub async fn active_members(&self, team: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM member WHERE team_id = $1 AND status = 'active'").bind(team).fetch_one(&self.pool).await?)
    }
}

fn member_row(r: sqlx::postgres::PgRow) -> MemberRow {
    MemberRow { id: r.get(0), team_id: r.get(1), name: r.get(2), role: r.get(3), status: r.get(4), merged_into: r.get(5), visit_quota: r.get(6), phone: r.get(7) }
}
