//! What phones push: records, their chain links and refusals, and the county's copy of each
//! sealed patrol with the leader's review.

use chrono::{DateTime, Utc};
use redvest_shared::wire::{Decision, DecisionItem, Published, Refusal, ReviewItem, SubmissionPush, WireSignature};
use sqlx::Row;
use uuid::Uuid;

use super::{hazard, json, publish_in, Db, DbError, DeviceAuth, HazardEntry};

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

    /// How many records the county holds with this id (tests: exactly once).
    pub async fn count_records(&self, team: Uuid) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM record WHERE team_id = $1").bind(team).fetch_one(&self.pool).await?)
    }
}

/// Holds `copy` as the patrol's record in `state` (a new version replaces the one sent back;
/// its track is kept when the same version comes again without one).
async fn store_copy(tx: &mut sqlx::PgConnection, team: Uuid, copy: &PatrolCopy, state: &str, leader: Option<&WireSignature>) -> Result<(), DbError> {
    // The record as JSON for the reports, and the patrol it amends; none when the bytes are
    // not a v1 record jsonb can hold (it refuses \u0000), so such a record is still taken.
    let doc: Option<serde_json::Value> = copy
        .canonical
        .as_bytes()
        .strip_prefix(redvest_shared::patrol::PATROL_RECORD_V1)
        .filter(|body| !body.windows(6).any(|w| w == b"\\u0000"))
        .and_then(|body| serde_json::from_slice(body).ok());
    let amends = doc.as_ref().and_then(|d| d.get("amends")).and_then(|a| a.as_str()).and_then(|a| Uuid::parse_str(a).ok());
    sqlx::query(
        "INSERT INTO patrol (id, team_id, record_hash, canonical, volunteer, track_rvtk, state, leader, started_at, assignment, duty_id, doc, amends, distance_m)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO UPDATE SET canonical = excluded.canonical, volunteer = excluded.volunteer, state = excluded.state,
             started_at = excluded.started_at, assignment = excluded.assignment, duty_id = excluded.duty_id,
             doc = excluded.doc, amends = excluded.amends,
             leader = excluded.leader, returned_by = NULL, returned_reason = NULL, updated_at = now(),
             track_rvtk = coalesce(excluded.track_rvtk, CASE WHEN patrol.record_hash = excluded.record_hash THEN patrol.track_rvtk END),
             distance_m = coalesce(excluded.distance_m, CASE WHEN patrol.record_hash = excluded.record_hash THEN patrol.distance_m END),
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
    .bind(doc)
    .bind(amends)
    .bind(copy.track_rvtk.as_deref().and_then(track_distance_m))
    .execute(tx)
    .await?;
    Ok(())
}

/// The track of the version held, when it was missing and `copy` brings it.
async fn fill_track(tx: &mut sqlx::PgConnection, copy: &PatrolCopy) -> Result<(), DbError> {
    sqlx::query("UPDATE patrol SET track_rvtk = $3, distance_m = $4 WHERE id = $1 AND record_hash = $2 AND track_rvtk IS NULL AND $3::text IS NOT NULL")
        .bind(copy.patrol_id)
        .bind(&copy.record_hash)
        .bind(&copy.track_rvtk)
        .bind(copy.track_rvtk.as_deref().and_then(track_distance_m))
        .execute(tx)
        .await?;
    Ok(())
}

/// The distance a track (base64 `RVTK`) walked, metres; `None` if it does not decode (the
/// push checks tracks against their hash, so that is a bug, not a phone's doing).
pub(super) fn track_distance_m(rvtk_base64: &str) -> Option<f64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(rvtk_base64).ok()?;
    let points = redvest_shared::track_codec::decode(&bytes).ok()?;
    Some(redvest_shared::track::distance_within_segments(&points))
}

impl Db {
    /// Measures up to `limit` held tracks that have no distance yet (patrols stored before
    /// distances were kept); returns how many.
    pub async fn measure_tracks(&self, limit: i64) -> Result<usize, DbError> {
        let rows = sqlx::query("SELECT id, track_rvtk FROM patrol WHERE track_rvtk IS NOT NULL AND distance_m IS NULL LIMIT $1").bind(limit).fetch_all(&self.pool).await?;
        for r in &rows {
            let track: String = r.get(1);
            // A track that does not decode gets 0, so it is not read again at every start.
            let distance = track_distance_m(&track).unwrap_or(0.0);
            sqlx::query("UPDATE patrol SET distance_m = $2 WHERE id = $1").bind(r.get::<Uuid, _>(0)).bind(distance).execute(&self.pool).await?;
        }
        Ok(rows.len())
    }
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
