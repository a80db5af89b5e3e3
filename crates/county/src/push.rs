//! `POST /api/v1/push`: each record is checked on its own (content hash; signatures by keys
//! the county accepted, of members its roster lists in the role they signed; the link of the
//! phone's hash chain; the track's hash) and stored exactly once; a rapid report (一键报警)
//! is checked for sense only. A refused record never
//! stops the rest of the batch, nor any later record of the same phone: gaps and breaks in a
//! chain are what the county's chain verification names.

use axum::extract::State;
use axum::Json;
use base64::Engine;
use redvest_shared::observation::Observation;
use redvest_shared::patrol::{PatrolRecord, SignerRole, PATROL_RECORD_V1};
use redvest_shared::rapid::RapidReport;
use redvest_shared::seal::{chain_link, countersign_message, key_message, return_message, sha256, verifies};
use redvest_shared::wire::{
    content_sha256, CountersignPush, KeyPush, MemberProposal, PatrolPush, PushBatch, PushOutcome, PushRecord, PushResult, PushResults, RecordBody, Refusal,
    ReturnPush, SubmissionPush, MAX_BATCH, MAX_TEXT,
};
use uuid::Uuid;

use crate::admin::enum_text;
use crate::auth::Device;
use crate::db::{DbError, DeviceAuth, Effect, HazardEntry, Inserted, MemberRow, NewRecord, PatrolChange, PatrolCopy};
use crate::error::{ApiJson, Failure};
use crate::app::AppState;

/// Push a batch of records.
#[utoipa::path(post, path = "/api/v1/push", tag = "sync", request_body = PushBatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One result per record, in order", body = PushResults),
        (status = 400, description = "Not JSON", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError),
        (status = 413, description = "Body over the limit", body = redvest_shared::wire::ApiError),
        (status = 415, description = "Not Content-Type: application/json", body = redvest_shared::wire::ApiError),
        (status = 422, description = "Wrong types, unknown fields, too many records", body = redvest_shared::wire::ApiError),
        (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
    ))]
pub async fn push(State(state): State<AppState>, Device(auth): Device, ApiJson(batch): ApiJson<PushBatch>) -> Result<Json<PushResults>, Failure> {
    if batch.records.len() > MAX_BATCH {
        return Err(Failure::invalid("records", format!("{} records; send at most {MAX_BATCH} per push", batch.records.len())));
    }
    let mut results = Vec::with_capacity(batch.records.len());
    let mut roster_changed = false;
    // In order: a key sent ahead of the patrol it signed is known when the patrol is checked.
    for record in batch.records {
        let id = record.id;
        let seq = match &record.body {
            RecordBody::Patrol(p) => Some(p.chain.seq),
            _ => None,
        };
        // A person proposed or a key added: every phone of the team hears it with the roster.
        let proposal = matches!(record.body, RecordBody::Member(_) | RecordBody::Key(_));
        let result = match push_one(&state, auth, record).await {
            Ok(result) => {
                // A repeat too: the first copy's publish may have failed after it was stored.
                roster_changed |= proposal && matches!(result.outcome, PushOutcome::Accepted | PushOutcome::Repeat);
                result
            }
            Err(Refused::Rejected(code, reason)) => refused(&state, auth, id, seq, code, reason).await?,
            // A constraint that refuses this record refuses it alone; the batch goes on.
            Err(Refused::Db(DbError::Conflict(constraint))) => {
                tracing::warn!(%id, %constraint, "record refused by a constraint");
                refused(&state, auth, id, seq, Refusal::Conflict, "conflicts with what the county holds".into()).await?
            }
            Err(Refused::Db(DbError::Invalid(constraint))) => {
                tracing::warn!(%id, %constraint, "record refused by a rule");
                refused(&state, auth, id, seq, Refusal::Malformed, "the county's rules refuse it".into()).await?
            }
            Err(Refused::Db(e)) => return Err(e.into()),
        };
        results.push(result);
    }
    if roster_changed {
        // Every phone of the team shows the proposed person once, marked as pending.
        crate::admin::publish_roster(&state.db, auth.team_id).await.map_err(|e| match e {
            crate::admin::AdminError::Db(e) => Failure::from(e),
            other => Failure::internal(other),
        })?;
    }
    Ok(Json(PushResults { results }))
}

enum Refused {
    Rejected(Refusal, String),
    Db(DbError),
}

/// A refused record's answer (409 for a conflict, 422 otherwise), logged for the clerk.
async fn refused(state: &AppState, auth: DeviceAuth, id: Uuid, seq: Option<i64>, code: Refusal, reason: String) -> Result<PushResult, Failure> {
    state.db.log_refusal(auth, id, seq, &enum_text(code), &reason).await?;
    let conflict = code == Refusal::Conflict;
    let (status, outcome) = if conflict { (409, PushOutcome::Conflict) } else { (422, PushOutcome::Rejected) };
    Ok(PushResult { id, status, outcome, code: Some(code), reason: Some(reason) })
}

impl From<DbError> for Refused {
    fn from(e: DbError) -> Self {
        Refused::Db(e)
    }
}

fn reject<T>(code: Refusal, reason: impl Into<String>) -> Result<T, Refused> {
    Err(Refused::Rejected(code, reason.into()))
}

async fn push_one(state: &AppState, auth: DeviceAuth, record: PushRecord) -> Result<PushResult, Refused> {
    let id = record.id;
    let result = |status, outcome| PushResult { id, status, outcome, code: None, reason: None };
    let content = content_sha256(&record.body);
    if content != record.content_sha256 {
        return reject(Refusal::ContentHash, format!("content_sha256 {} does not match the body ({content})", record.content_sha256));
    }
    if let Some(stored) = state.db.record(id).await? {
        return if stored.team_id == auth.team_id && stored.content_sha256 == content {
            Ok(result(200, PushOutcome::Repeat))
        } else {
            reject(Refusal::Conflict, format!("record {id} is already stored with different content; it is never overwritten"))
        };
    }
    let body = serde_json::to_value(&record.body).unwrap_or(serde_json::Value::Null);
    let new = |kind| NewRecord { id, kind, content_sha256: content.clone(), body: body.clone(), chain: None, effect: Effect::None, hazards: vec![], photos: vec![], patrol: None };
    let new = match &record.body {
        RecordBody::Patrol(p) => check_patrol(state, auth, id, p).await?.with(new("patrol")),
        RecordBody::HazardEvent(e) => {
            if state.db.hazard_team(e.hazard_id).await? != Some(auth.team_id) {
                return reject(Refusal::NotTeamHazard, format!("hazard {} is not one of this team's hazards", e.hazard_id));
            }
            if e.reason.len() > MAX_TEXT || e.by_name.len() > MAX_TEXT {
                return reject(Refusal::Malformed, "reason or by_name is too long");
            }
            let change = HazardEntry::Changed {
                event_id: id,
                hazard_id: e.hazard_id,
                at: e.at,
                by: e.by_name.clone(),
                state: e.state,
                reason: e.reason.clone(),
                responsible: e.responsible.clone(),
                deadline: e.deadline,
            };
            NewRecord { hazards: vec![change], ..new("hazard_event") }
        }
        RecordBody::Key(k) => NewRecord { effect: check_key(state, auth, k).await?, ..new("key") },
        RecordBody::Member(m) => NewRecord { effect: check_member(state, auth, m).await?, ..new("member") },
        RecordBody::Submission(sub) => {
            let (copy, _, photos) = check_submission(state, auth, sub).await?;
            // Its photos may come now: the leader sees them before countersigning.
            NewRecord { patrol: Some(PatrolChange::Submitted(copy)), photos, ..new("submission") }
        }
        RecordBody::Countersign(c) => NewRecord { patrol: Some(check_countersign(state, auth, c).await?), ..new("countersign") },
        RecordBody::Return(r) => NewRecord { patrol: Some(check_return(state, auth, r).await?), ..new("return") },
        RecordBody::Rapid(r) => {
            check_rapid(r)?;
            new("rapid")
        }
    };
    match state.db.insert_record(auth, &new).await? {
        Inserted::Stored => Ok(result(201, PushOutcome::Accepted)),
        Inserted::Fork => reject(Refusal::ChainFork, "another record already holds this place in the phone's chain"),
        Inserted::Refused(code, reason) => reject(code, reason),
        // The same request delivered twice, racing: the other copy landed first.
        Inserted::AlreadyThere => match state.db.record(id).await? {
            Some(stored) if stored.content_sha256 == content => Ok(result(200, PushOutcome::Repeat)),
            _ => reject(Refusal::Conflict, format!("record {id} is already stored with different content")),
        },
    }
}

fn unhex(field: &str, value: &str) -> Result<Vec<u8>, Refused> {
    hex::decode(value).or_else(|_| reject(Refusal::Malformed, format!("{field} is not hex")))
}

/// What a patrol adds to its record: the chain link, hazards and photos.
struct PatrolParts {
    chain: (i64, Vec<u8>, Vec<u8>),
    hazards: Vec<HazardEntry>,
    photos: Vec<String>,
    patrol: PatrolChange,
}

impl PatrolParts {
    fn with(self, base: NewRecord) -> NewRecord {
        NewRecord { chain: Some(self.chain), hazards: self.hazards, photos: self.photos, patrol: Some(self.patrol), ..base }
    }
}

/// A member of this team by the county's roster (after merges), or the refusal naming them.
async fn roster_member(state: &AppState, auth: DeviceAuth, id: Uuid) -> Result<MemberRow, Refused> {
    match state.db.member_resolved(id).await? {
        Some(m) if m.team_id == auth.team_id && m.status != "merged" => Ok(m),
        _ => reject(Refusal::NotOnRoster, format!("member {id} is not on this team's roster at the county")),
    }
}

/// The signed bytes of a patrol record, parsed, with their hash.
fn signed_record(canonical: &str) -> Result<(PatrolRecord, [u8; 32]), Refused> {
    let bytes = canonical.as_bytes();
    let Some(json) = bytes.strip_prefix(PATROL_RECORD_V1) else {
        return reject(Refusal::Malformed, "canonical does not start with redvest/patrol-record/v1");
    };
    match serde_json::from_slice(json) {
        Ok(record) => Ok((record, sha256(&[bytes]))),
        Err(e) => reject(Refusal::Malformed, format!("canonical is not a patrol record: {e}")),
    }
}

/// A signature by a key the county accepted and has not revoked, of a member its roster
/// lists (a leader's: a confirmed 队长), over `message`. Returns the signer.
async fn check_signature(state: &AppState, auth: DeviceAuth, role: SignerRole, member_id: Uuid, public_hex: &str, signature_hex: &str, message: &[u8]) -> Result<MemberRow, Refused> {
    let public = unhex("signatures.public_key", public_hex)?;
    let keys = state.db.team_keys(auth.team_id).await?;
    let Some(key) = keys.iter().find(|k| k.public_key == public) else {
        return reject(Refusal::UnknownKey, format!("the {role:?} signature is by key {public_hex} which the county has not accepted for this team"));
    };
    if key.revoked {
        return reject(Refusal::KeyRevoked, format!("the {role:?} signature is by key {public_hex}, which the county revoked"));
    }
    let member = roster_member(state, auth, member_id).await?;
    if key.member_id != member.id {
        return reject(Refusal::KeyOfOtherMember, format!("the {role:?} signature's key belongs to another member"));
    }
    if role == SignerRole::Leader && !(member.status == "active" && member.role == "leader") {
        return reject(Refusal::NotLeader, format!("{} is not a confirmed leader on the county's roster", member.name));
    }
    if !verifies(&public, message, &unhex("signatures.signature", signature_hex)?) {
        return reject(Refusal::SignatureInvalid, format!("the {role:?} signature does not verify against the record"));
    }
    Ok(member)
}

/// The same person does not sign one patrol as volunteer and as leader, unless the county's
/// roster has them alone in the team.
async fn check_two_people(state: &AppState, auth: DeviceAuth, volunteer: &MemberRow, leader: &MemberRow) -> Result<(), Refused> {
    if volunteer.id == leader.id && state.db.active_members(auth.team_id).await? > 1 {
        return reject(Refusal::SameSigner, format!("{} signed this patrol as volunteer and cannot countersign it too", leader.name));
    }
    Ok(())
}

/// The track the record names: the same bytes, or (`required` false) none yet.
fn check_track(record: &PatrolRecord, track_rvtk: Option<&String>, required: bool) -> Result<(), Refused> {
    match (&record.track_sha256, track_rvtk) {
        (None, None) => Ok(()),
        (Some(expected), Some(b64)) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).or_else(|_| reject(Refusal::Malformed, "track_rvtk is not base64"))?;
            if &hex::encode(sha256(&[&bytes])) != expected {
                return reject(Refusal::TrackMismatch, "track_rvtk does not have the hash the record signs");
            }
            Ok(())
        }
        (Some(_), None) if !required => Ok(()),
        (Some(_), None) => reject(Refusal::TrackMismatch, "the record signs a track but none was sent"),
        (None, Some(_)) => reject(Refusal::TrackMismatch, "a track was sent but the record signs none"),
    }
}

async fn check_patrol(state: &AppState, auth: DeviceAuth, id: Uuid, p: &PatrolPush) -> Result<PatrolParts, Refused> {
    let (record, hash) = signed_record(&p.canonical)?;
    if record.id != id {
        return reject(Refusal::Malformed, format!("the signed record is patrol {}, not {id}", record.id));
    }
    let volunteer = p.signatures.iter().find(|s| s.role == SignerRole::Volunteer);
    let leader = p.signatures.iter().find(|s| s.role == SignerRole::Leader);
    let (Some(volunteer), Some(leader)) = (volunteer, leader) else {
        return reject(Refusal::Malformed, "a patrol needs the volunteer's signature and the leader's countersignature");
    };
    let volunteer_sig = unhex("signatures.signature", &volunteer.signature)?;
    let by = check_signature(state, auth, SignerRole::Volunteer, volunteer.member_id, &volunteer.public_key, &volunteer.signature, &hash).await?;
    let countersign = countersign_message(&hash, &volunteer_sig);
    let leader_member = check_signature(state, auth, SignerRole::Leader, leader.member_id, &leader.public_key, &leader.signature, &countersign).await?;
    check_two_people(state, auth, &by, &leader_member).await?;

    // The link must follow from its own record. Whether it follows the link before it is the
    // county's chain verification's business: a refused record never holds back the next.
    let prev: [u8; 32] = unhex("chain.prev", &p.chain.prev)?.try_into().or_else(|_| reject(Refusal::Malformed, "chain.prev is not 32 bytes"))?;
    let link = unhex("chain.link", &p.chain.link)?;
    if chain_link(&prev, id, &hash).as_slice() != link.as_slice() {
        return reject(Refusal::ChainInvalid, "chain.link does not follow from chain.prev and the record");
    }
    if p.chain.seq < 1 {
        return reject(Refusal::Malformed, "chain.seq starts at 1");
    }
    check_track(&record, p.track_rvtk.as_ref(), true)?;

    let copy = PatrolCopy {
        patrol_id: id,
        record_hash: hash.to_vec(),
        canonical: p.canonical.clone(),
        volunteer: volunteer.clone(),
        track_rvtk: p.track_rvtk.clone(),
        started_at: record.started_at,
        assignment: record.assignment.key(),
        duty_id: record.duty_id,
    };
    Ok(PatrolParts {
        chain: (p.chain.seq, prev.to_vec(), link),
        hazards: record
            .observations
            .iter()
            .filter_map(|o| match (&o.body, o.hazard_id) {
                (Observation::Hazard(report), Some(hazard)) => Some(HazardEntry::Found {
                    id: hazard,
                    patrol_id: id,
                    at: record.started_at,
                    report: report.clone(),
                    photos: o.photos.iter().map(|p| p.sha256.clone()).collect(),
                }),
                _ => None,
            })
            .collect(),
        photos: record.observations.iter().flat_map(|o| &o.photos).map(|p| p.sha256.clone()).collect(),
        patrol: PatrolChange::Countersigned { copy, leader: leader.clone(), strict: false },
    })
}

/// A record signed by its volunteer, for a leader: the county holds it (track or not) and
/// tells the team's leaders.
async fn check_submission(state: &AppState, auth: DeviceAuth, s: &SubmissionPush) -> Result<(PatrolCopy, MemberRow, Vec<String>), Refused> {
    let (record, hash) = signed_record(&s.canonical)?;
    let sig = &s.signature;
    if sig.role != SignerRole::Volunteer {
        return reject(Refusal::Malformed, "a submission carries the volunteer's signature");
    }
    let volunteer = check_signature(state, auth, SignerRole::Volunteer, sig.member_id, &sig.public_key, &sig.signature, &hash).await?;
    check_track(&record, s.track_rvtk.as_ref(), false)?;
    let copy = PatrolCopy {
        patrol_id: record.id,
        record_hash: hash.to_vec(),
        canonical: s.canonical.clone(),
        volunteer: sig.clone(),
        track_rvtk: s.track_rvtk.clone(),
        started_at: record.started_at,
        assignment: record.assignment.key(),
        duty_id: record.duty_id,
    };
    let photos = record.observations.iter().flat_map(|o| &o.photos).map(|p| p.sha256.clone()).collect();
    Ok((copy, volunteer, photos))
}

/// A leader's countersignature over a submission: refused when another decision came first.
async fn check_countersign(state: &AppState, auth: DeviceAuth, c: &CountersignPush) -> Result<PatrolChange, Refused> {
    let (copy, volunteer, _) = check_submission(state, auth, &c.submission).await?;
    let sig = &c.signature;
    if sig.role != SignerRole::Leader {
        return reject(Refusal::Malformed, "a countersignature carries the leader's signature");
    }
    let message = countersign_message(&copy.record_hash, &unhex("signatures.signature", &copy.volunteer.signature)?);
    let leader = check_signature(state, auth, SignerRole::Leader, sig.member_id, &sig.public_key, &sig.signature, &message).await?;
    check_two_people(state, auth, &volunteer, &leader).await?;
    Ok(PatrolChange::Countersigned { copy, leader: sig.clone(), strict: true })
}

/// A leader sends a record back, signed.
async fn check_return(state: &AppState, auth: DeviceAuth, r: &ReturnPush) -> Result<PatrolChange, Refused> {
    let (copy, _, _) = check_submission(state, auth, &r.submission).await?;
    if r.reason.trim().is_empty() || r.reason.chars().count() > 200 {
        return reject(Refusal::Malformed, "a reason is 1–200 characters");
    }
    let message = return_message(&copy.record_hash, &r.reason);
    let leader = check_signature(state, auth, SignerRole::Leader, r.member_id, &r.public_key, &r.signature, &message).await?;
    Ok(PatrolChange::Returned { copy, by: leader.id, reason: r.reason.clone(), at: r.returned_at })
}

/// A member's new key: for a member on the roster (or proposed); a PIN change must be endorsed
/// by the key it replaces.
async fn check_key(state: &AppState, auth: DeviceAuth, k: &KeyPush) -> Result<Effect, Refused> {
    let public = unhex("public_key", &k.public_key)?;
    if public.len() != 32 {
        return reject(Refusal::Malformed, "an Ed25519 public key is 64 hex digits");
    }
    let member = roster_member(state, auth, k.member_id).await?;
    if let Some(crate::db::KeyOwner { team_id: team, member_id: owner }) = state.db.key_owner(&public).await? {
        let same = team == auth.team_id && state.db.member_resolved(owner).await?.is_some_and(|m| m.id == member.id);
        if !same {
            return reject(Refusal::Conflict, "this key is already registered for someone else");
        }
    }
    let previous_key = match (&k.previous_key, &k.endorsement) {
        (None, _) => None,
        (Some(previous), Some(endorsement)) => {
            let previous = unhex("previous_key", previous)?;
            let owned = state.db.team_keys(auth.team_id).await?.iter().any(|key| key.public_key == previous && key.member_id == member.id);
            if !owned || !verifies(&previous, &key_message(k.member_id, &public), &unhex("endorsement", endorsement)?) {
                return reject(Refusal::KeyEndorsement, "the previous key named is not this member's, or its endorsement does not verify");
            }
            Some(previous)
        }
        (Some(_), None) => return reject(Refusal::KeyEndorsement, "a key that replaces another needs that key's endorsement"),
    };
    Ok(Effect::Key { member_id: k.member_id, public_key: public, previous_key })
}

/// 一键报警: unsigned (the device's token says whose), stored as sent. The patrol it names is
/// not checked: the county may not hold it yet (the report goes up ahead of everything).
fn check_rapid(r: &RapidReport) -> Result<(), Refused> {
    if r.reporter.trim().is_empty() || r.reporter.chars().count() > 100 {
        return reject(Refusal::Malformed, "reporter is 1–100 characters, not only spaces");
    }
    if r.spot.is_some_and(|s| !s.is_plausible()) {
        return reject(Refusal::Malformed, "spot is not a plausible position (off the earth, or the zeroed fix of a source that has none)");
    }
    Ok(())
}

/// A person proposed from a phone: kept as a proposal until a clerk confirms or merges it.
async fn check_member(state: &AppState, auth: DeviceAuth, m: &MemberProposal) -> Result<Effect, Refused> {
    if m.name.trim().is_empty() || m.name.chars().count() > 100 {
        return reject(Refusal::Malformed, "a name is 1–100 characters");
    }
    if state.db.member(m.member_id).await?.is_some_and(|known| known.team_id != auth.team_id) {
        return reject(Refusal::Conflict, format!("member {} belongs to another team", m.member_id));
    }
    Ok(Effect::Member { id: m.member_id, name: m.name.trim().into(), role: enum_text(m.role) })
}
