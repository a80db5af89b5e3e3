//! What the county console asks PostgreSQL: townships, clerks and their sessions, the audit
//! log, and the patrols a clerk may see (a township clerk only their township's).

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

/// A clerk's account.
#[derive(Debug, Clone)]
pub struct ClerkRow {
    /// Their id.
    pub id: Uuid,
    /// What they log in with.
    pub login: String,
    /// Their name.
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Their township; `None` for a county clerk (every township).
    pub township_id: Option<Uuid>,
    /// May manage clerks.
    pub is_admin: bool,
    /// Wrong passwords since the last good one.
    pub failed_logins: i32,
    /// When the last wrong password was given.
    pub last_failed_at: Option<DateTime<Utc>>,
}

/// The patrols a list shows: who may see what, and the filters chosen.
#[derive(Debug, Clone, Default)]
pub struct PatrolFilter {
    /// The clerk's township (`None`: every township).
    pub scope: Option<Uuid>,
    /// One township.
    pub township: Option<Uuid>,
    /// One team.
    pub team: Option<Uuid>,
    /// Started on or after.
    pub from: Option<DateTime<Utc>>,
    /// Started before.
    pub to: Option<DateTime<Utc>>,
    /// Post or zone key.
    pub assignment: Option<String>,
    /// `submitted`, `returned` or `countersigned`.
    pub state: Option<String>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to show.
    pub limit: i64,
}

/// One row of the patrol list.
#[derive(Debug, Clone)]
pub struct PatrolListRow {
    /// The patrol.
    pub id: Uuid,
    /// Its team.
    pub team: String,
    /// The team's township.
    pub township: Option<String>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// Post or zone key.
    pub assignment: Option<String>,
    /// Where it stands.
    pub state: String,
    /// Who signed it as volunteer.
    pub volunteer: Option<String>,
}

/// A patrol as its page shows it.
#[derive(Debug, Clone)]
pub struct PatrolPageRow {
    /// The patrol.
    pub id: Uuid,
    /// Its team.
    pub team_id: Uuid,
    /// The team's name.
    pub team: String,
    /// The township's name.
    pub township: Option<String>,
    /// The signed bytes.
    pub canonical: String,
    /// The volunteer's signature (`wire::WireSignature` as JSON).
    pub volunteer: serde_json::Value,
    /// The countersignature, once countersigned.
    pub leader: Option<serde_json::Value>,
    /// Where it stands.
    pub state: String,
    /// Why it was sent back.
    pub returned_reason: Option<String>,
    /// The track (base64 `RVTK`), if the county has it.
    pub track_rvtk: Option<String>,
    /// Its place in the recording phone's chain.
    pub chain: Option<ChainPlace>,
}

/// A patrol's place in its phone's hash chain, as the county holds it (checked by
/// [`crate::sheet`]).
#[derive(Debug, Clone)]
pub struct ChainPlace {
    /// Position, from 1.
    pub seq: i64,
    /// The link before, as the phone sent it.
    pub prev: Option<Vec<u8>>,
    /// This link.
    pub link: Vec<u8>,
    /// The link the county holds at `seq - 1` of the same chain, if it has it.
    pub held_before: Option<Vec<u8>>,
    /// Whether the county refused the record at `seq - 1` (when it holds none there).
    pub refused_before: bool,
    /// The phone's name.
    pub device: String,
}

/// The columns [`patrol_page_row`] reads: a patrol with its team, township, track and place
/// in its phone's chain (with the link held before it, and the phone's name).
macro_rules! patrol_page_select {
    () => {
        "SELECT p.id, p.team_id, t.name, w.name, p.canonical, p.volunteer, p.leader, p.state, p.returned_reason,
                coalesce(p.track_rvtk, r.body->>'track_rvtk'), c.seq, c.prev, c.link, b.link, d.name,
                EXISTS (SELECT 1 FROM refusal x JOIN device xd ON xd.id = x.device_id WHERE xd.chain_id = c.chain_id AND x.chain_seq = c.seq - 1)
         FROM patrol p JOIN team t ON t.id = p.team_id LEFT JOIN township w ON w.id = t.township_id
         LEFT JOIN record r ON r.id = p.id AND r.kind = 'patrol' LEFT JOIN chain_link c ON c.patrol_id = p.id
         LEFT JOIN chain_link b ON b.chain_id = c.chain_id AND b.seq = c.seq - 1 LEFT JOIN device d ON d.id = c.device_id"
    };
}

fn patrol_page_row(r: &sqlx::postgres::PgRow) -> PatrolPageRow {
    let seq: Option<i64> = r.get(10);
    let link: Option<Vec<u8>> = r.get(12);
    PatrolPageRow {
        id: r.get(0),
        team_id: r.get(1),
        team: r.get(2),
        township: r.get(3),
        canonical: r.get(4),
        volunteer: r.get(5),
        leader: r.get(6),
        state: r.get(7),
        returned_reason: r.get(8),
        track_rvtk: r.get(9),
        chain: seq.zip(link).map(|(seq, link)| ChainPlace { seq, prev: r.get(11), link, held_before: r.get(13), device: r.get::<Option<String>, _>(14).unwrap_or_default(), refused_before: r.get(15) }),
    }
}

/// One line of the audit log.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub login: String,
    /// What.
    pub action: String,
    /// On what.
    pub detail: String,
}

/// A choice for a filter: id and name.
#[derive(Debug, Clone)]
pub struct Named {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

fn clerk_row(r: sqlx::postgres::PgRow) -> ClerkRow {
    ClerkRow {
        id: r.get(0),
        login: r.get(1),
        name: r.get(2),
        password_hash: r.get(3),
        township_id: r.get(4),
        is_admin: r.get(5),
        failed_logins: r.get(6),
        last_failed_at: r.get(7),
    }
}

/// The columns [`clerk_row`] reads, of `clerk c`.
macro_rules! clerk_columns {
    () => {
        "c.id, c.login, c.name, c.password_hash, c.township_id, c.is_admin, c.failed_logins, c.last_failed_at"
    };
}

impl Db {
    /// Creates a township (乡镇); returns its id.
    pub async fn create_township(&self, name: &str) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO township (id, name) VALUES ($1, $2)").bind(id).bind(name).execute(&self.pool).await?;
        Ok(id)
    }

    /// Puts a team in a township; false if there is no such team.
    pub async fn set_team_township(&self, team: Uuid, township: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE team SET township_id = $2 WHERE id = $1").bind(team).bind(township).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds a clerk; returns their id.
    pub async fn add_clerk(&self, login: &str, name: &str, password_hash: &str, township: Option<Uuid>, is_admin: bool) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO clerk (id, login, name, password_hash, township_id, is_admin) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(login)
            .bind(name)
            .bind(password_hash)
            .bind(township)
            .bind(is_admin)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// Sets a clerk's password and ends their sessions but `keep` (the one that changed it).
    pub async fn set_password(&self, clerk: Uuid, password_hash: &str, keep: Option<&[u8]>) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE clerk SET password_hash = $2, failed_logins = 0, last_failed_at = NULL WHERE id = $1")
            .bind(clerk)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM clerk_session WHERE clerk_id = $1 AND token_hash IS DISTINCT FROM $2").bind(clerk).bind(keep).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a clerk (in use or disabled) has this login.
    pub async fn clerk_login_taken(&self, login: &str) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM clerk WHERE login = $1)").bind(login).fetch_one(&self.pool).await?)
    }

    /// The clerk who logs in with `login`, unless disabled.
    pub async fn clerk_by_login(&self, login: &str) -> Result<Option<ClerkRow>, DbError> {
        let row = sqlx::query(concat!("SELECT ", clerk_columns!(), " FROM clerk c WHERE c.login = $1 AND c.disabled_at IS NULL")).bind(login).fetch_optional(&self.pool).await?;
        Ok(row.map(clerk_row))
    }

    /// Counts a wrong password.
    pub async fn login_failed(&self, clerk: Uuid) -> Result<(), DbError> {
        sqlx::query("UPDATE clerk SET failed_logins = failed_logins + 1, last_failed_at = now() WHERE id = $1").bind(clerk).execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a session (clears the count of wrong passwords, and every expired session).
    pub async fn start_session(&self, clerk: Uuid, token_hash: &[u8], expires_at: DateTime<Utc>) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE clerk SET failed_logins = 0, last_failed_at = NULL WHERE id = $1").bind(clerk).execute(&mut *tx).await?;
        // Sessions that ran out are of no use to anyone: gone at the next login.
        sqlx::query("DELETE FROM clerk_session WHERE expires_at < now()").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO clerk_session (token_hash, clerk_id, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(clerk)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The clerk a session cookie belongs to, while it has not expired.
    pub async fn session_clerk(&self, token_hash: &[u8]) -> Result<Option<ClerkRow>, DbError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            clerk_columns!(),
            " FROM clerk_session s JOIN clerk c ON c.id = s.clerk_id
              WHERE s.token_hash = $1 AND s.expires_at > now() AND c.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(clerk_row))
    }

    /// Ends a session.
    pub async fn end_session(&self, token_hash: &[u8]) -> Result<(), DbError> {
        sqlx::query("DELETE FROM clerk_session WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// Appends to the audit log.
    pub async fn audit(&self, clerk: Option<Uuid>, login: &str, action: &str, detail: &str) -> Result<(), DbError> {
        sqlx::query("INSERT INTO audit_log (clerk_id, login, action, detail) VALUES ($1, $2, $3, $4)")
            .bind(clerk)
            .bind(login)
            .bind(action)
            .bind(detail)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The newest `limit` audit lines: all of them for a county clerk, those of the township's
    /// clerks for a township clerk.
    pub async fn audit_lines(&self, scope: Option<Uuid>, limit: i64) -> Result<Vec<AuditRow>, DbError> {
        let rows = sqlx::query(
            "SELECT a.at, a.login, a.action, a.detail FROM audit_log a LEFT JOIN clerk c ON c.id = a.clerk_id
             WHERE $1::uuid IS NULL OR c.township_id = $1 ORDER BY a.id DESC LIMIT $2",
        )
        .bind(scope)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| AuditRow { at: r.get(0), login: r.get(1), action: r.get(2), detail: r.get(3) }).collect())
    }

    /// Townships a clerk may choose from.
    pub async fn townships(&self, scope: Option<Uuid>) -> Result<Vec<Named>, DbError> {
        let rows = sqlx::query("SELECT id, name FROM township WHERE $1::uuid IS NULL OR id = $1 ORDER BY name").bind(scope).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| Named { id: r.get(0), name: r.get(1) }).collect())
    }

    /// Teams a clerk may choose from.
    pub async fn teams_in(&self, scope: Option<Uuid>) -> Result<Vec<Named>, DbError> {
        let rows = sqlx::query("SELECT id, name FROM team WHERE $1::uuid IS NULL OR township_id = $1 ORDER BY name").bind(scope).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| Named { id: r.get(0), name: r.get(1) }).collect())
    }

    /// A page of patrols, newest first, and how many match in all.
    pub async fn patrol_list(&self, f: &PatrolFilter) -> Result<(Vec<PatrolListRow>, i64), DbError> {
        let bind = |sql| {
            sqlx::query(sql).bind(f.scope).bind(f.township).bind(f.team).bind(f.from).bind(f.to).bind(f.assignment.clone()).bind(f.state.clone())
        };
        let total: i64 = bind(PATROL_COUNT).fetch_one(&self.pool).await?.get(0);
        let rows = bind(PATROL_PAGE).bind(f.limit).bind(f.offset).fetch_all(&self.pool).await?;
        let rows = rows
            .into_iter()
            .map(|r| PatrolListRow { id: r.get(0), team: r.get(1), township: r.get(2), started_at: r.get(3), assignment: r.get(4), state: r.get(5), volunteer: r.get(6) })
            .collect();
        Ok((rows, total))
    }

    /// A complete photo that one of the team's own records names.
    pub async fn team_photo(&self, team: Uuid, sha: &str) -> Result<Option<Vec<u8>>, DbError> {
        let named: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM photo_ref r JOIN upload u ON u.sha256 = r.sha256
             WHERE r.team_id = $1 AND r.sha256 = $2 AND u.completed_at IS NOT NULL)",
        )
        .bind(team)
        .bind(sha)
        .fetch_one(&self.pool)
        .await?;
        self.photo_if(named, sha).await
    }

    /// A complete photo, if a team in the clerk's scope uploaded it.
    pub async fn photo_visible(&self, sha: &str, scope: Option<Uuid>) -> Result<Option<Vec<u8>>, DbError> {
        let visible: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM upload u JOIN team t ON t.id = u.team_id
             WHERE u.sha256 = $1 AND u.completed_at IS NOT NULL AND ($2::uuid IS NULL OR t.township_id = $2))",
        )
        .bind(sha)
        .bind(scope)
        .fetch_one(&self.pool)
        .await?;
        self.photo_if(visible, sha).await
    }

    /// The photo's bytes from the store, when the caller may see it.
    async fn photo_if(&self, allowed: bool, sha: &str) -> Result<Option<Vec<u8>>, DbError> {
        if !allowed {
            return Ok(None);
        }
        Ok(self.photos.photo_bytes(sha).await?.map(|b| b.to_vec()))
    }

    /// A patrol with its chain link, if the clerk's scope (`None`: every township) holds it.
    pub async fn patrol_page(&self, id: Uuid, scope: Option<Uuid>) -> Result<Option<PatrolPageRow>, DbError> {
        let row = sqlx::query(concat!(patrol_page_select!(), " WHERE p.id = $1 AND ($2::uuid IS NULL OR t.township_id = $2)"))
            .bind(id)
            .bind(scope)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(patrol_page_row))
    }

    /// A team's countersigned patrols started between `from` and `until` (exclusive), in the
    /// order they started, if the clerk's scope holds the team; and how many of its patrols
    /// of those days still wait for the leader or were sent back.
    pub async fn volume_patrols(&self, team: Uuid, from: DateTime<Utc>, until: DateTime<Utc>) -> Result<(Vec<PatrolPageRow>, i64), DbError> {
        let sealed = sqlx::query(concat!(
            patrol_page_select!(),
            " WHERE p.team_id = $1 AND p.state = 'countersigned' AND p.started_at >= $2 AND p.started_at < $3 ORDER BY p.started_at, p.id"
        ))
        .bind(team)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let unsealed: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM patrol WHERE team_id = $1 AND state <> 'countersigned' AND started_at >= $2 AND started_at < $3",
        )
        .bind(team)
        .bind(from)
        .bind(until)
        .fetch_one(&self.pool)
        .await?;
        Ok((sealed.iter().map(patrol_page_row).collect(), unsealed))
    }
}

/// The patrols a clerk may see, filtered: $1 scope, $2 township, $3 team, $4 from, $5 to,
/// $6 assignment, $7 state.
macro_rules! patrols_matching {
    () => {
        "FROM patrol p JOIN team t ON t.id = p.team_id LEFT JOIN township w ON w.id = t.township_id
         LEFT JOIN member m ON m.id = (p.volunteer ->> 'member_id')::uuid
         WHERE ($1::uuid IS NULL OR t.township_id = $1) AND ($2::uuid IS NULL OR t.township_id = $2)
           AND ($3::uuid IS NULL OR p.team_id = $3) AND ($4::timestamptz IS NULL OR p.started_at >= $4)
           AND ($5::timestamptz IS NULL OR p.started_at < $5) AND ($6::text IS NULL OR p.assignment = $6)
           AND ($7::text IS NULL OR p.state = $7)"
    };
}
const PATROL_COUNT: &str = concat!("SELECT count(*) ", patrols_matching!());
const PATROL_PAGE: &str = concat!(
    "SELECT p.id, t.name, w.name, p.started_at, p.assignment, p.state, m.name ",
    patrols_matching!(),
    " ORDER BY p.started_at DESC NULLS LAST, p.id DESC LIMIT $8 OFFSET $9"
);

/// A team as the console's list shows it.
#[derive(Debug, Clone)]
pub struct TeamRow {
    /// The team.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: Option<String>,
    /// Members of the roster (not proposals made on a phone).
    pub members: i64,
    /// Devices not revoked.
    pub devices: i64,
    /// When one of its devices in use last reached the county.
    pub last_seen: Option<DateTime<Utc>>,
}

/// A team's device.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    /// The device.
    pub id: Uuid,
    /// The name it enrolled with.
    pub name: String,
    /// When it enrolled.
    pub created_at: DateTime<Utc>,
    /// When it last reached the county.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Db {
    /// The teams in a clerk's scope (`None`: every township), or the one team `only`.
    pub async fn team_rows(&self, scope: Option<Uuid>, only: Option<Uuid>) -> Result<Vec<TeamRow>, DbError> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, w.name,
                    (SELECT count(*) FROM member m WHERE m.team_id = t.id AND m.status = 'active'),
                    (SELECT count(*) FROM device d WHERE d.team_id = t.id AND d.revoked_at IS NULL),
                    (SELECT max(d.last_seen_at) FROM device d WHERE d.team_id = t.id AND d.revoked_at IS NULL)
             FROM team t LEFT JOIN township w ON w.id = t.township_id
             WHERE ($1::uuid IS NULL OR t.township_id = $1) AND ($2::uuid IS NULL OR t.id = $2)
             ORDER BY w.name NULLS LAST, t.name",
        )
        .bind(scope)
        .bind(only)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| TeamRow { id: r.get(0), name: r.get(1), township: r.get(2), members: r.get(3), devices: r.get(4), last_seen: r.get(5) })
            .collect())
    }

    /// A team's devices, newest first.
    pub async fn team_devices(&self, team: Uuid) -> Result<Vec<DeviceRow>, DbError> {
        let rows = sqlx::query("SELECT id, name, created_at, last_seen_at, revoked_at FROM device WHERE team_id = $1 ORDER BY created_at DESC")
            .bind(team)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| DeviceRow { id: r.get(0), name: r.get(1), created_at: r.get(2), last_seen_at: r.get(3), revoked_at: r.get(4) }).collect())
    }

    /// Revokes a device of `team`; false if the team has no such device still in use.
    pub async fn revoke_team_device(&self, team: Uuid, device: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query("UPDATE device SET revoked_at = now() WHERE id = $1 AND team_id = $2 AND revoked_at IS NULL")
            .bind(device)
            .bind(team)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// A clerk as the console's user list shows them.
#[derive(Debug, Clone)]
pub struct ClerkListRow {
    /// Their id.
    pub id: Uuid,
    /// What they log in with.
    pub login: String,
    /// Their name.
    pub name: String,
    /// Their township's name; `None` for a county clerk.
    pub township: Option<String>,
    /// May manage clerks.
    pub is_admin: bool,
    /// When they were disabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl Db {
    /// The clerks of a scope (`None`: every clerk; a township: that township's).
    pub async fn clerks(&self, scope: Option<Uuid>) -> Result<Vec<ClerkListRow>, DbError> {
        let rows = sqlx::query(
            "SELECT c.id, c.login, c.name, w.name, c.is_admin, c.disabled_at FROM clerk c LEFT JOIN township w ON w.id = c.township_id
             WHERE $1::uuid IS NULL OR c.township_id = $1 ORDER BY c.disabled_at IS NOT NULL, w.name NULLS FIRST, c.login",
        )
        .bind(scope)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ClerkListRow { id: r.get(0), login: r.get(1), name: r.get(2), township: r.get(3), is_admin: r.get(4), disabled_at: r.get(5) })
            .collect())
    }

    /// Disables a clerk of the scope and ends their sessions; their `login(name)`, or `None` if
    /// there is no such clerk in use there.
    pub async fn disable_clerk(&self, clerk: Uuid, scope: Option<Uuid>) -> Result<Option<String>, DbError> {
        let mut tx = self.pool.begin().await?;
        let who: Option<String> = sqlx::query_scalar(
            "UPDATE clerk SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL AND ($2::uuid IS NULL OR township_id = $2)
             RETURNING login || '(' || name || ')'",
        )
        .bind(clerk)
        .bind(scope)
        .fetch_optional(&mut *tx)
        .await?;
        if who.is_some() {
            sqlx::query("DELETE FROM clerk_session WHERE clerk_id = $1").bind(clerk).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(who)
    }

    /// Ends every session of a clerk.
    pub async fn end_sessions_of(&self, clerk: Uuid) -> Result<(), DbError> {
        sqlx::query("DELETE FROM clerk_session WHERE clerk_id = $1").bind(clerk).execute(&self.pool).await?;
        Ok(())
    }
}
