//! Photo uploads, resumable, following the tus 1.0 core protocol with the creation
//! extension: `POST` creates (content-addressed by SHA-256), `HEAD` answers the offset,
//! `PATCH` continues from it. The bytes are verified against their hash on completion.
//! A photo is accepted only once a record of the team names it (text first, media after).
//! A `PATCH` cut off mid-body keeps what arrived (as the protocol recommends), so a client on
//! a link that drops every few seconds loses only the bytes in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use http_body_util::BodyExt;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use redvest_shared::photo::MAX_INPUT_BYTES;
use redvest_shared::seal::sha256;
use tokio::sync::watch;

use crate::auth::Device;
use crate::error::Failure;
use crate::http::AppState;

/// The `PATCH` under way for each photo. A client only sends a new `PATCH` for a photo once
/// it has given up on the last one (its connection was cut), so a new one tells the old one
/// to stop and keep what it has; then the new one checks its offset against that.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashMap<String, Arc<Slot>>>>);

struct Slot {
    generation: watch::Sender<u64>,
    lock: Arc<tokio::sync::Mutex<()>>,
}

/// Photos with a slot kept before the idle ones are dropped: the map stays bounded.
const SLOTS_KEPT: usize = 1024;

impl InFlight {
    fn slot(&self, team: uuid::Uuid, sha: &str) -> Arc<Slot> {
        let mut slots = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() >= SLOTS_KEPT {
            // A slot no handler holds, whose lock no task holds and whose generation nobody
            // watches, belongs to no PATCH under way.
            slots.retain(|_, slot| Arc::strong_count(slot) > 1 || Arc::strong_count(&slot.lock) > 1 || slot.generation.receiver_count() > 0);
        }
        slots
            .entry(format!("{team}/{sha}"))
            .or_insert_with(|| Arc::new(Slot { generation: watch::channel(0).0, lock: Arc::default() }))
            .clone()
    }
}

/// The protocol version spoken.
pub const TUS_VERSION: &str = "1.0.0";
/// The largest chunk one `PATCH` may carry.
pub const MAX_CHUNK: usize = 1024 * 1024;

fn tus_headers(mut response: Response, pairs: &[(&'static str, String)]) -> Response {
    let headers = response.headers_mut();
    headers.insert("Tus-Resumable", HeaderValue::from_static(TUS_VERSION));
    headers.insert("Cache-Control", HeaderValue::from_static("no-store"));
    for (name, value) in pairs {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(*name, v);
        }
    }
    response
}

fn check_sha(sha: &str) -> Result<(), Failure> {
    if sha.len() == 64 && sha.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
        Ok(())
    } else {
        Err(Failure::new(StatusCode::BAD_REQUEST, "bad_sha256", "photos are addressed by their SHA-256 in lower-case hex").field("sha256"))
    }
}

fn check_version(headers: &HeaderMap) -> Result<(), Failure> {
    match headers.get("Tus-Resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(Failure::new(StatusCode::PRECONDITION_FAILED, "tus_version", "send Tus-Resumable: 1.0.0")),
    }
}

fn number(headers: &HeaderMap, name: &str) -> Result<i64, Failure> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| Failure::new(StatusCode::BAD_REQUEST, "bad_header", format!("{name} must be a non-negative integer")).field(name))
}

/// `OPTIONS`: what this server supports.
#[utoipa::path(options, path = "/api/v1/photos", tag = "photos", responses((status = 204, description = "Tus-Version, Tus-Extension, Tus-Max-Size")))]
pub async fn options() -> Response {
    tus_headers(
        StatusCode::NO_CONTENT.into_response(),
        &[("Tus-Version", TUS_VERSION.into()), ("Tus-Extension", "creation".into()), ("Tus-Max-Size", MAX_INPUT_BYTES.to_string())],
    )
}

/// Creates an upload. `Upload-Metadata: sha256 <base64 of the hex hash>`. Uploads are
/// addressed by their hash, so creating one that exists answers 201 with its offset: a
/// client learns where to go on in one round trip.
#[utoipa::path(post, path = "/api/v1/photos", tag = "photos", security(("bearer" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = "^1\\.0\\.0$"),
        ("Upload-Length" = i64, Header, description = "The photo's size in bytes"),
        ("Upload-Metadata" = String, Header, description = "sha256 <base64 of the lower-case hex SHA-256>"),
    ),
    responses(
        (status = 201, description = "Created (or already there): Location, Upload-Offset"),
        (status = 400, description = "A header missing or not a number, or Upload-Metadata without `sha256`", body = redvest_shared::wire::ApiError),
        (status = 412, description = "Tus-Resumable is not 1.0.0", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
        (status = 413, description = "Over the size limit", body = redvest_shared::wire::ApiError),
        (status = 409, description = "No record of the team names this photo yet, or the team's photo quota is used up (`team_quota`)", body = redvest_shared::wire::ApiError),
    ))]
pub async fn create(State(state): State<AppState>, Device(auth): Device, headers: HeaderMap) -> Result<Response, Failure> {
    check_version(&headers)?;
    let length = number(&headers, "Upload-Length")?;
    if length == 0 || length as usize > MAX_INPUT_BYTES {
        return Err(Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("Upload-Length must be 1..={MAX_INPUT_BYTES}")));
    }
    let sha = headers
        .get("Upload-Metadata")
        .and_then(|v| v.to_str().ok())
        .and_then(|m| m.split(',').map(str::trim).find_map(|pair| pair.strip_prefix("sha256 ")))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Failure::new(StatusCode::BAD_REQUEST, "bad_metadata", "Upload-Metadata must carry `sha256 <base64>`").field("Upload-Metadata"))?;
    check_sha(&sha)?;
    if !state.db.photo_referenced(auth.team_id, &sha).await? {
        return Err(Failure::new(StatusCode::CONFLICT, "record_first", "no record of this team names this photo yet; push the record first"));
    }
    if state.db.upload(auth.team_id, &sha).await?.is_none() && state.db.team_upload_bytes(auth.team_id).await? + length > state.limits.team_upload_bytes {
        // 409 like a photo the county does not take yet: the phone keeps it and goes on with
        // the rest of its run (its pull above all).
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "team_quota",
            format!("this team's photos have used up its quota of {} bytes; ask the county to raise it", state.limits.team_upload_bytes),
        ));
    }
    let mut upload = state.db.create_upload(auth.team_id, &sha, length).await?;
    // Fully received but never checked (its PATCH's handler went away): checked now.
    if upload.received == upload.length && !upload.complete {
        if !finish(&state.db, auth.team_id, &sha).await? {
            upload.received = 0;
        }
    }
    if upload.length != length {
        return Err(Failure::new(StatusCode::CONFLICT, "length_mismatch", format!("this photo was created with Upload-Length {}", upload.length)));
    }
    Ok(tus_headers(
        StatusCode::CREATED.into_response(),
        &[("Location", format!("/api/v1/photos/{sha}")), ("Upload-Offset", upload.received.to_string())],
    ))
}

/// Checks a fully received upload against its hash: complete (true), or emptied to start
/// again (false).
async fn finish(db: &crate::Db, team: uuid::Uuid, sha: &str) -> Result<bool, crate::db::DbError> {
    let bytes = db.upload_bytes(team, sha).await?.unwrap_or_default();
    if hex::encode(sha256(&[&bytes])) != sha {
        db.reset_upload(team, sha).await?;
        return Ok(false);
    }
    db.complete_upload(team, sha).await?;
    tracing::info!(%sha, bytes = bytes.len(), "photo complete");
    Ok(true)
}

/// Where an upload stands.
#[utoipa::path(head, path = "/api/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, description = "Upload-Offset and Upload-Length"), (status = 404, description = "No such upload"),
        (status = 400, description = "Not a SHA-256 in lower-case hex", body = redvest_shared::wire::ApiError), (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError)))]
pub async fn head(State(state): State<AppState>, Device(auth): Device, Path(sha): Path<String>) -> Result<Response, Failure> {
    check_sha(&sha)?;
    let upload = match state.db.upload(auth.team_id, &sha).await? {
        Some(u) if state.db.photo_referenced(auth.team_id, &sha).await? => u,
        _ => return Ok(tus_headers(StatusCode::NOT_FOUND.into_response(), &[])),
    };
    Ok(tus_headers(
        StatusCode::OK.into_response(),
        &[("Upload-Offset", upload.received.to_string()), ("Upload-Length", upload.length.to_string())],
    ))
}

/// Continues an upload at `Upload-Offset`.
#[utoipa::path(patch, path = "/api/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The photo's SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$"),
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = "^1\\.0\\.0$"),
        ("Upload-Offset" = i64, Header, description = "Where this chunk starts; must equal the server's offset"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Stored: the new Upload-Offset"),
        (status = 400, description = "Upload-Offset missing, a bad hash, or the body cut off (ask with HEAD and go on)", body = redvest_shared::wire::ApiError),
        (status = 404, description = "No such upload for this team", body = redvest_shared::wire::ApiError),
        (status = 408, description = "The body did not arrive in time; what came is kept", body = redvest_shared::wire::ApiError),
        (status = 412, description = "Tus-Resumable is not 1.0.0", body = redvest_shared::wire::ApiError),
        (status = 413, description = "More than 1 MiB in one PATCH", body = redvest_shared::wire::ApiError),
        (status = 415, description = "Content-Type is not application/offset+octet-stream", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
        (status = 409, description = "Upload-Offset is not the server's offset", body = redvest_shared::wire::ApiError),
        (status = 422, description = "Complete, but the bytes do not have the hash; start again", body = redvest_shared::wire::ApiError),
    ))]
pub async fn patch(State(state): State<AppState>, Device(auth): Device, Path(sha): Path<String>, headers: HeaderMap, body: Body) -> Result<Response, Failure> {
    check_version(&headers)?;
    check_sha(&sha)?;
    if headers.get("Content-Type").and_then(|v| v.to_str().ok()) != Some("application/offset+octet-stream") {
        return Err(Failure::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_type", "send Content-Type: application/offset+octet-stream"));
    }
    let offset = number(&headers, "Upload-Offset")?;
    if !state.db.photo_referenced(auth.team_id, &sha).await? {
        return Err(Failure::new(StatusCode::NOT_FOUND, "not_found", "no such upload for this team"));
    }
    // Stop an earlier PATCH of this photo (its client has moved on) and wait for it to keep
    // what it received; only then is the offset known.
    let slot = state.uploads.slot(auth.team_id, &sha);
    let mut generation = 0;
    slot.generation.send_modify(|g| {
        *g += 1;
        generation = *g;
    });
    let mut superseded = slot.generation.subscribe();
    let guard = slot.lock.clone().lock_owned().await;
    let Some(current) = state.db.upload(auth.team_id, &sha).await? else {
        return Err(Failure::new(StatusCode::NOT_FOUND, "not_found", "create the upload with POST first"));
    };
    if current.complete {
        return Ok(tus_headers(StatusCode::NO_CONTENT.into_response(), &[("Upload-Offset", current.length.to_string())]));
    }
    if current.received != offset {
        return Err(Failure::new(StatusCode::CONFLICT, "offset", format!("Upload-Offset {offset} is not where the upload stands ({}); ask again", current.received)));
    }
    // Read what arrives and keep it, even if the connection drops: its own task, because
    // the server drops this handler when the client goes away.
    let (db, sha_task, team) = (state.db.clone(), sha.clone(), auth.team_id);
    // The task stops reading by the request's deadline too (what came is kept), so a client
    // that stalls holds no lock and no memory past it.
    let deadline = tokio::time::Instant::now() + state.limits.request_timeout;
    let stored = tokio::spawn(async move {
        let _guard = guard;
        let mut body = body;
        let mut chunk = Vec::new();
        let mut cut = false;
        loop {
            let next = tokio::select! {
                frame = body.frame() => Some(frame),
                _ = superseded.wait_for(|g| *g != generation) => None,
                () = tokio::time::sleep_until(deadline) => None,
            };
            match next {
                Some(None) => break,
                // Cut off, or superseded by the client's next PATCH: keep what came.
                None | Some(Some(Err(_))) => {
                    cut = true;
                    break;
                }
                Some(Some(Ok(frame))) => {
                    if let Some(data) = frame.data_ref() {
                        chunk.extend_from_slice(data);
                    }
                    if chunk.len() > MAX_CHUNK {
                        return Err(Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("send at most {MAX_CHUNK} bytes per PATCH")));
                    }
                }
            }
        }
        let after = db.append_upload(team, &sha_task, offset, &chunk).await?;
        if cut {
            tracing::info!(sha = %sha_task, kept = chunk.len(), "PATCH cut off; kept what arrived");
        }
        // Checked and completed here too, so a handler dropped meanwhile strands nothing.
        let verified = match after {
            Some(a) if a.received == a.length => Some(finish(&db, team, &sha_task).await?),
            _ => None,
        };
        Ok((after, cut, verified))
    })
    .await
    .map_err(Failure::internal)?;
    let (after, cut, verified) = stored?;
    let Some(after) = after else {
        return Err(Failure::new(StatusCode::CONFLICT, "offset", format!("Upload-Offset {offset} is not where the upload stands ({}); ask with HEAD", current.received)));
    };
    if cut {
        return Err(Failure::new(StatusCode::BAD_REQUEST, "cut", "the body was cut off; ask with HEAD and go on"));
    }
    if verified == Some(false) {
        return Err(Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch", "the uploaded bytes do not have the photo's SHA-256; upload it again from 0"));
    }
    Ok(tus_headers(StatusCode::NO_CONTENT.into_response(), &[("Upload-Offset", after.received.to_string())]))
}

/// A complete photo a record of the device's team names (a leader's phone shows the photos
/// of a patrol it reviews).
#[utoipa::path(get, path = "/api/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The JPEG", content_type = "image/jpeg", body = Vec<u8>),
        (status = 404, description = "No complete photo of this team with that hash", body = redvest_shared::wire::ApiError),
        (status = 400, description = "Not a SHA-256 in lower-case hex", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
    ))]
pub async fn get(State(state): State<AppState>, Device(auth): Device, Path(sha): Path<String>) -> Result<Response, Failure> {
    check_sha(&sha)?;
    let complete = state.db.upload(auth.team_id, &sha).await?.is_some_and(|u| u.complete);
    let bytes = match state.db.upload_bytes(auth.team_id, &sha).await? {
        Some(bytes) if complete && state.db.photo_referenced(auth.team_id, &sha).await? => bytes,
        _ => return Err(Failure::new(StatusCode::NOT_FOUND, "not_found", "no complete photo of this team has that hash (yet)")),
    };
    let mut response = bytes.into_response();
    response.headers_mut().insert("Content-Type", HeaderValue::from_static("image/jpeg"));
    Ok(response)
}
