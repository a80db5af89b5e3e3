//! `POST /api/v1/push`: each record is checked on its own (content hash, signatures against
//! the team's enrolled keys, the device's hash chain, the track's hash) and stored exactly
//! once; a refused record never stops the rest of the batch.

use axum::extract::State;
use axum::Json;
use base64::Engine;
use redvest_shared::patrol::{PatrolRecord, SignerRole, PATROL_RECORD_V1};
use redvest_shared::seal::{chain_link, countersign_message, sha256, verifies};
use redvest_shared::wire::{content_sha256, PatrolPush, PushBatch, PushOutcome, PushRecord, PushResult, PushResults, RecordBody, MAX_BATCH, MAX_TEXT};
use uuid::Uuid;

use crate::auth::Device;
use crate::db::{DeviceAuth, NewRecord};
use crate::error::{ApiJson, Failure};
use crate::http::AppState;

/// Push a batch of records.
#[utoipa::path(post, path = "/api/v1/push", tag = "sync", request_body = PushBatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One result per record, in order", body = PushResults),
        (status = 400, description = "Not JSON", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError),
        (status = 413, description = "Body over the limit", body = redvest_shared::wire::ApiError),
        (status = 422, description = "Wrong types, unknown fields, too many records", body = redvest_shared::wire::ApiError),
        (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
    ))]
pub async fn push(State(state): State<AppState>, Device(auth): Device, ApiJson(batch): ApiJson<PushBatch>) -> Result<Json<PushResults>, Failure> {
    if batch.records.len() > MAX_BATCH {
        return Err(Failure::invalid("records", format!("{} records; send at most {MAX_BATCH} per push", batch.records.len())));
    }
    let mut results = Vec::with_capacity(batch.records.len());
    for record in batch.records {
        let id = record.id;
        let result = match push_one(&state, auth, record).await {
            Ok(outcome) => outcome,
            Err(Refusal::Rejected(reason)) => PushResult { id, status: 422, outcome: PushOutcome::Rejected, reason: Some(reason) },
            Err(Refusal::Db(e)) => return Err(e.into()),
        };
        results.push(result);
    }
    Ok(Json(PushResults { results }))
}

enum Refusal {
    Rejected(String),
    Db(crate::db::DbError),
}

impl From<crate::db::DbError> for Refusal {
    fn from(e: crate::db::DbError) -> Self {
        Refusal::Db(e)
    }
}

fn reject<T>(reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::Rejected(reason.into()))
}

async fn push_one(state: &AppState, auth: DeviceAuth, record: PushRecord) -> Result<PushResult, Refusal> {
    let id = record.id;
    let result = |status, outcome, reason: Option<String>| PushResult { id, status, outcome, reason };
    let content = content_sha256(&record.body);
    if content != record.content_sha256 {
        return reject(format!("content_sha256 {} does not match the body ({content})", record.content_sha256));
    }
    if let Some(stored) = state.db.record(id).await? {
        return Ok(if stored.team_id == auth.team_id && stored.content_sha256 == content {
            result(200, PushOutcome::Repeat, None)
        } else {
            result(409, PushOutcome::Conflict, Some(format!("record {id} is already stored with different content; it is never overwritten")))
        });
    }
    let new = match &record.body {
        RecordBody::Patrol(p) => check_patrol(state, auth, id, p).await?,
        RecordBody::HazardEvent(e) => {
            if state.db.hazard_team(e.hazard_id).await? != Some(auth.team_id) {
                return reject(format!("hazard {} is not one of this team's hazards", e.hazard_id));
            }
            if e.reason.len() > MAX_TEXT || e.by_name.len() > MAX_TEXT {
                return reject("reason or by_name is too long");
            }
            let state_text = serde_json::to_value(e.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            NewRecord { id, kind: "hazard_event", content_sha256: content.clone(), body: body_json(&record.body), chain: None, hazards: vec![(e.hazard_id, Some(state_text))], photos: vec![] }
        }
    };
    let new = NewRecord { content_sha256: content.clone(), ..new };
    if state.db.insert_record(auth, &new).await? {
        Ok(result(201, PushOutcome::Accepted, None))
    } else {
        // The same request delivered twice, racing: the other copy landed first.
        match state.db.record(id).await? {
            Some(stored) if stored.content_sha256 == content => Ok(result(200, PushOutcome::Repeat, None)),
            _ => Ok(result(409, PushOutcome::Conflict, Some(format!("record {id} is already stored with different content")))),
        }
    }
}

fn body_json(body: &RecordBody) -> serde_json::Value {
    serde_json::to_value(body).unwrap_or(serde_json::Value::Null)
}

fn unhex(field: &str, value: &str) -> Result<Vec<u8>, Refusal> {
    hex::decode(value).or_else(|_| reject(format!("{field} is not hex")))
}

async fn check_patrol(state: &AppState, auth: DeviceAuth, id: Uuid, p: &PatrolPush) -> Result<NewRecord, Refusal> {
    let canonical = p.canonical.as_bytes();
    let Some(json) = canonical.strip_prefix(PATROL_RECORD_V1) else {
        return reject("canonical does not start with redvest/patrol-record/v1");
    };
    let record: PatrolRecord = match serde_json::from_slice(json) {
        Ok(r) => r,
        Err(e) => return reject(format!("canonical is not a patrol record: {e}")),
    };
    if record.id != id {
        return reject(format!("the signed record is patrol {}, not {id}", record.id));
    }
    let hash = sha256(&[canonical]);

    // Signatures: the volunteer's over the hash, the leader's over hash + volunteer's.
    let keys = state.db.team_keys(auth.team_id).await?;
    let volunteer = p.signatures.iter().find(|s| s.role == SignerRole::Volunteer);
    let leader = p.signatures.iter().find(|s| s.role == SignerRole::Leader);
    let (Some(volunteer), Some(leader)) = (volunteer, leader) else {
        return reject("a patrol needs the volunteer's signature and the leader's countersignature");
    };
    let volunteer_sig = unhex("signatures.signature", &volunteer.signature)?;
    for sig in [volunteer, leader] {
        let public = unhex("signatures.public_key", &sig.public_key)?;
        let Some(key) = keys.iter().find(|k| k.public_key == public) else {
            return reject(format!("the {:?} signature is by a key not enrolled for this team", sig.role));
        };
        if key.member_id != sig.member_id {
            return reject(format!("the {:?} signature's key belongs to another member", sig.role));
        }
        if sig.role == SignerRole::Leader && key.role != "leader" {
            return reject("the countersignature is not by a team leader");
        }
        let message = match sig.role {
            SignerRole::Volunteer => hash.to_vec(),
            SignerRole::Leader => countersign_message(&hash, &volunteer_sig),
        };
        if !verifies(&public, &message, &unhex("signatures.signature", &sig.signature)?) {
            return reject(format!("the {:?} signature does not verify against the record", sig.role));
        }
    }

    // The device's hash chain: this link follows from the one before it.
    let prev: [u8; 32] = unhex("chain.prev", &p.chain.prev)?.try_into().or_else(|_| reject("chain.prev is not 32 bytes"))?;
    let link = unhex("chain.link", &p.chain.link)?;
    if chain_link(&prev, id, &hash).as_slice() != link.as_slice() {
        return reject("chain.link does not follow from chain.prev and the record");
    }
    if p.chain.seq < 1 {
        return reject("chain.seq starts at 1");
    }
    let expected_prev = if p.chain.seq == 1 { Some(vec![0u8; 32]) } else { state.db.chain_link(auth.device_id, p.chain.seq - 1).await? };
    match expected_prev {
        None => return reject(format!("chain: link {} has not been received yet; send in order", p.chain.seq - 1)),
        Some(expected) if expected != prev => return reject(format!("chain: link {} does not match the one received before", p.chain.seq - 1)),
        Some(_) => {}
    }

    // The track the record names.
    match (&record.track_sha256, &p.track_rvtk) {
        (None, None) => {}
        (Some(expected), Some(b64)) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).or_else(|_| reject("track_rvtk is not base64"))?;
            if &hex::encode(sha256(&[&bytes])) != expected {
                return reject("track_rvtk does not have the hash the record signs");
            }
        }
        (Some(_), None) => return reject("the record signs a track but none was sent"),
        (None, Some(_)) => return reject("a track was sent but the record signs none"),
    }

    let hazards = record.observations.iter().filter_map(|o| o.hazard_id).map(|h| (h, None)).collect();
    let photos = record.observations.iter().flat_map(|o| &o.photos).map(|p| p.sha256.clone()).collect();
    Ok(NewRecord {
        id,
        kind: "patrol",
        content_sha256: String::new(),
        body: body_json(&RecordBody::Patrol(p.clone())),
        chain: Some((p.chain.seq, link)),
        hazards,
        photos,
    })
}
