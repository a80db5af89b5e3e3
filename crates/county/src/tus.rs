//! Photo uploads, resumable: a tus 1.0 server with the creation and checksum extensions,
//! that standard clients (tuspy, tus-js-client) use with their defaults. `POST` creates
//! (content-addressed by SHA-256), `HEAD` answers the offset, `PATCH` continues from it with
//! a body of any length, streamed to the photo store as it arrives. The bytes are verified
//! against their hash on completion. A photo is accepted only once a record of the team names
//! it (text first, media after). A `PATCH` cut off mid-body keeps what arrived (as the
//! protocol recommends), so a client on a link that drops every few seconds loses only the
//! bytes in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use redvest_shared::photo::MAX_INPUT_BYTES;
use sha2::Digest;
use tokio::io::AsyncWriteExt;
use tokio::sync::{watch, OwnedMutexGuard};

use crate::auth::Device;
use crate::error::Failure;
use crate::app::AppState;
use crate::photos::{PhotoStore, PhotoStoreError};

/// The `PATCH` under way for each photo. A client only sends a new `PATCH` for a photo once
/// it has given up on the last one (its connection was cut), so a new one tells the old one
/// to stop and keep what it has; then the new one checks its offset against that. A `POST`
/// that starts an upload again stops it the same way.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashMap<String, Arc<Slot>>>>);

struct Slot {
    generation: watch::Sender<u64>,
    lock: Arc<tokio::sync::Mutex<()>>,
}

/// Photos with a slot kept before the idle ones are dropped: the map stays bounded.
const SLOTS_KEPT: usize = 1024;

/// A request's turn on one photo: the lock, and word when a later request wants it.
struct Turn {
    guard: OwnedMutexGuard<()>,
    superseded: watch::Receiver<u64>,
    generation: u64,
}

impl InFlight {
    /// Tells the request holding this photo to stop, and waits for its turn.
    async fn turn(&self, team: uuid::Uuid, sha: &str) -> Turn {
        let slot = {
            let mut slots = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if slots.len() >= SLOTS_KEPT {
                // A slot no handler holds, whose lock no task holds and whose generation nobody
                // watches, belongs to no request under way.
                slots.retain(|_, slot| Arc::strong_count(slot) > 1 || Arc::strong_count(&slot.lock) > 1 || slot.generation.receiver_count() > 0);
            }
            slots
                .entry(format!("{team}/{sha}"))
                .or_insert_with(|| Arc::new(Slot { generation: watch::channel(0).0, lock: Arc::default() }))
                .clone()
        };
        let mut generation = 0;
        slot.generation.send_modify(|g| {
            *g += 1;
            generation = *g;
        });
        let superseded = slot.generation.subscribe();
        let guard = slot.lock.clone().lock_owned().await;
        Turn { guard, superseded, generation }
    }
}

/// The protocol version spoken.
pub const TUS_VERSION: &str = "1.0.0";
/// The extensions spoken.
pub const TUS_EXTENSIONS: &str = "creation,checksum";
/// The checksum algorithms `Upload-Checksum` may name.
pub const CHECKSUM_ALGORITHMS: &str = "sha1,sha256";

/// Headers on every answer of the photo routes, refusals included: `Tus-Resumable`, and on a
/// 412 the versions this server speaks.
pub async fn protocol_headers(mut response: Response) -> Response {
    let refused_version = response.status() == StatusCode::PRECONDITION_FAILED;
    let headers = response.headers_mut();
    headers.insert("Tus-Resumable", HeaderValue::from_static(TUS_VERSION));
    headers.insert("Cache-Control", HeaderValue::from_static("no-store"));
    if refused_version {
        headers.insert("Tus-Version", HeaderValue::from_static(TUS_VERSION));
    }
    response
}

fn with_headers(status: StatusCode, pairs: &[(&'static str, String)]) -> Response {
    let mut response = status.into_response();
    for (name, value) in pairs {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, v);
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

/// `Tus-Resumable` must be 1.0.0: another version is 412 (as tus says, with `Tus-Version`);
/// no header, or one that is no version at all, is a malformed request (400).
fn check_version(headers: &HeaderMap) -> Result<(), Failure> {
    match headers.get("Tus-Resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        Some(v) if v.split('.').count() == 3 && v.split('.').all(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())) => {
            Err(Failure::new(StatusCode::PRECONDITION_FAILED, "tus_version", format!("this server speaks tus {TUS_VERSION}, not {v}")))
        }
        _ => Err(Failure::new(StatusCode::BAD_REQUEST, "tus_version", "send Tus-Resumable: 1.0.0").field("Tus-Resumable")),
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

/// What `Upload-Checksum` says a `PATCH`'s body hashes to, and the hash as it arrives.
enum Checksum {
    Sha1(sha1::Sha1, Vec<u8>),
    Sha256(sha2::Sha256, Vec<u8>),
}

impl Checksum {
    fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, Failure> {
        let Some(value) = headers.get("Upload-Checksum") else { return Ok(None) };
        let bad = || Failure::new(StatusCode::BAD_REQUEST, "bad_checksum", "Upload-Checksum is `<algorithm> <base64 of the digest>`").field("Upload-Checksum");
        let (algorithm, digest) = value.to_str().ok().and_then(|v| v.trim().split_once(' ')).ok_or_else(bad)?;
        let digest = base64::engine::general_purpose::STANDARD.decode(digest.trim()).map_err(|_| bad())?;
        match algorithm {
            "sha1" if digest.len() == 20 => Ok(Some(Checksum::Sha1(sha1::Sha1::new(), digest))),
            "sha256" if digest.len() == 32 => Ok(Some(Checksum::Sha256(sha2::Sha256::new(), digest))),
            "sha1" | "sha256" => Err(bad()),
            _ => Err(Failure::new(StatusCode::BAD_REQUEST, "checksum_algorithm", format!("Upload-Checksum algorithms: {CHECKSUM_ALGORITHMS}")).field("Upload-Checksum")),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Checksum::Sha1(h, _) => h.update(data),
            Checksum::Sha256(h, _) => h.update(data),
        }
    }

    fn matches(self) -> bool {
        match self {
            Checksum::Sha1(h, want) => h.finalize()[..] == want[..],
            Checksum::Sha256(h, want) => h.finalize()[..] == want[..],
        }
    }
}

/// `OPTIONS`: what this server supports.
#[utoipa::path(options, path = "/api/v1/photos", tag = "photos", responses((status = 204, description = "Tus-Version, Tus-Extension, Tus-Checksum-Algorithm, Tus-Max-Size")))]
pub async fn options() -> Response {
    with_headers(
        StatusCode::NO_CONTENT,
        &[
            ("Tus-Version", TUS_VERSION.into()),
            ("Tus-Extension", TUS_EXTENSIONS.into()),
            ("Tus-Checksum-Algorithm", CHECKSUM_ALGORITHMS.into()),
            ("Tus-Max-Size", MAX_INPUT_BYTES.to_string()),
        ],
    )
}

/// Creates an upload. `Upload-Metadata: sha256 <base64 of the hex hash>`. As the creation
/// extension says, a new `POST` starts an unfinished upload again from 0 (a client resumes
/// with `HEAD`); a photo already complete stays so, and its `PATCH` answers at once.
#[utoipa::path(post, path = "/api/v1/photos", tag = "photos", security(("bearer" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = "^1\\.0\\.0$"),
        ("Upload-Length" = i64, Header, description = "The photo's size in bytes, 1 to Tus-Max-Size (over it: 413)", minimum = 1),
        ("Upload-Metadata" = String, Header, description = "sha256 <base64 of the lower-case hex SHA-256>", pattern = "^(.*,)?\\s*sha256 \\S+\\s*(,.*)?$"),
    ),
    responses(
        (status = 201, description = "Created: Location, Upload-Offset (0, or the length of a photo already complete)"),
        (status = 400, description = "A header missing or malformed (Tus-Resumable, Upload-Length, Upload-Metadata without `sha256`)", body = redvest_shared::wire::ApiError),
        (status = 412, description = "Tus-Resumable is another version (Tus-Version says which this server speaks)", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
        (status = 413, description = "Upload-Length over Tus-Max-Size", body = redvest_shared::wire::ApiError),
        (status = 409, description = "No record of the team names this photo (or the sha256 is no SHA-256) yet, the team's photo quota is used up (`team_quota`), or the photo is complete with another length", body = redvest_shared::wire::ApiError),
        (status = 503, description = "The database or the photo store is unavailable", body = redvest_shared::wire::ApiError),
    ))]
pub async fn create(State(state): State<AppState>, Device(auth): Device, headers: HeaderMap) -> Result<Response, Failure> {
    check_version(&headers)?;
    let length = number(&headers, "Upload-Length")?;
    let encoded = headers
        .get("Upload-Metadata")
        .and_then(|v| v.to_str().ok())
        .and_then(|m| m.split(',').map(str::trim).find_map(|pair| pair.strip_prefix("sha256 ")))
        .ok_or_else(|| Failure::new(StatusCode::BAD_REQUEST, "bad_metadata", "Upload-Metadata must carry `sha256 <base64>`").field("Upload-Metadata"))?;
    // A value that is no SHA-256 in hex names no photo any record names: 409 like those.
    let sha = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|sha| check_sha(sha).is_ok());
    let referenced = match &sha {
        Some(sha) => state.db.photo_referenced(auth.team_id, sha).await?,
        None => false,
    };
    let Some(sha) = sha.filter(|_| referenced) else {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "record_first",
            "no record of this team names a photo with this sha256 (the lower-case hex SHA-256 of the photo, base64-encoded); push the record first",
        ));
    };
    // Which photo first, then its size: a photo no record names is 409 whatever its length.
    if length == 0 {
        return Err(Failure::new(StatusCode::BAD_REQUEST, "bad_header", "a photo is never empty: Upload-Length is at least 1").field("Upload-Length"));
    }
    if length as usize > MAX_INPUT_BYTES {
        return Err(Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("Upload-Length must be 1..={MAX_INPUT_BYTES} (Tus-Max-Size)")));
    }
    let turn = state.uploads.turn(auth.team_id, &sha).await;
    let existing = settled(&state.db, auth.team_id, &sha).await?;
    if existing.is_none() && state.db.team_upload_bytes(auth.team_id).await? + length > state.limits.team_upload_bytes {
        // 409 like a photo the county does not take yet: the phone keeps it and goes on with
        // the rest of its run (its pull above all).
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "team_quota",
            format!("this team's photos have used up its quota of {} bytes; ask the county to raise it", state.limits.team_upload_bytes),
        ));
    }
    let (upload, dropped) = state.db.create_upload(auth.team_id, &sha, length).await?;
    drop(turn);
    state.db.photos().forget(&dropped).await;
    if upload.length != length {
        return Err(Failure::new(StatusCode::CONFLICT, "length_mismatch", format!("this photo was completed with Upload-Length {}", upload.length)));
    }
    Ok(with_headers(StatusCode::CREATED, &[("Location", format!("/api/v1/photos/{sha}")), ("Upload-Offset", upload.received.to_string())]))
}

/// A team's upload, checked first if it was fully received but never checked (the request
/// that brought its last byte went away before), and started again if it is complete but its
/// photo is not in the store (a store lost or pointed elsewhere): the phone sends it again.
/// Called with the photo's turn held.
async fn settled(db: &crate::Db, team: uuid::Uuid, sha: &str) -> Result<Option<crate::db::UploadState>, crate::db::DbError> {
    match db.upload(team, sha).await? {
        Some(u) if u.received == u.length && !u.complete => {
            finish(db, team, sha).await?;
            db.upload(team, sha).await
        }
        Some(u) if u.complete && !db.photos().has_photo(sha).await? => {
            tracing::error!(%team, %sha, "a complete photo is missing from the photo store; the phone will send it again");
            let parts = db.reopen_upload(team, sha).await?;
            db.photos().forget(&parts).await;
            db.upload(team, sha).await
        }
        other => Ok(other),
    }
}

/// Checks a fully received upload against its hash while writing the complete photo from its
/// parts: complete (true), or emptied to start again (false).
async fn finish(db: &crate::Db, team: uuid::Uuid, sha: &str) -> Result<bool, crate::db::DbError> {
    let photos = db.photos();
    let parts = db.upload_parts(team, sha).await?;
    // The same bytes from another team are there already: only the hash is checked.
    let mut writer = if photos.has_photo(sha).await? { None } else { Some(photos.photo_writer(sha)) };
    let mut hash = sha2::Sha256::new();
    let mut contiguous = true;
    let mut at = 0;
    let copied: Result<(), PhotoStoreError> = async {
        for part in &parts {
            contiguous &= part.start == at;
            at = part.start + part.length;
            let mut bytes = photos.read(&part.object_key).await?;
            while let Some(chunk) = bytes.next().await {
                let chunk = chunk?;
                hash.update(&chunk);
                if let Some(w) = writer.as_mut() {
                    w.write_all(&chunk).await?;
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = copied {
        // Nothing half-written is left in the store (an S3 multipart upload is cancelled).
        if let Some(w) = writer.as_mut() {
            let _ = w.abort().await;
        }
        return Err(e.into());
    }
    let verified = contiguous && hex::encode(hash.finalize()) == sha;
    let parts = if verified {
        if let Some(w) = writer.as_mut() {
            w.shutdown().await.map_err(PhotoStoreError::from)?;
        }
        tracing::info!(%sha, bytes = at, "photo complete");
        db.complete_upload(team, sha).await?
    } else {
        if let Some(w) = writer.as_mut() {
            let _ = w.abort().await;
        }
        tracing::warn!(%sha, "upload did not have its hash; it starts again");
        db.reset_upload(team, sha).await?
    };
    photos.forget(&parts).await;
    Ok(verified)
}

/// Where an upload stands.
#[utoipa::path(head, path = "/api/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The photo's SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$"),
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = "^1\\.0\\.0$"),
    ),
    responses((status = 200, description = "Upload-Offset and Upload-Length"), (status = 404, description = "No such upload"),
        (status = 412, description = "Tus-Resumable is another version (Tus-Version says which this server speaks)"),
        (status = 400, description = "Not a SHA-256 in lower-case hex, or no Tus-Resumable", body = redvest_shared::wire::ApiError), (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
        (status = 503, description = "The database or the photo store is unavailable", body = redvest_shared::wire::ApiError)))]
pub async fn head(State(state): State<AppState>, Device(auth): Device, Path(sha): Path<String>, headers: HeaderMap) -> Result<Response, Failure> {
    check_version(&headers)?;
    check_sha(&sha)?;
    if !state.db.photo_referenced(auth.team_id, &sha).await? {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    // A client asks where it stands once it gave up on its last PATCH: that one stops and
    // keeps what came before the offset is read, so the answer is where to go on.
    let _turn = state.uploads.turn(auth.team_id, &sha).await;
    let Some(upload) = settled(&state.db, auth.team_id, &sha).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    Ok(with_headers(StatusCode::OK, &[("Upload-Offset", upload.received.to_string()), ("Upload-Length", upload.length.to_string())]))
}

/// Reads a body to its end, or until `deadline`, and throws it away.
async fn drain(mut body: Body, deadline: tokio::time::Instant) {
    while let Ok(Some(Ok(_))) = tokio::time::timeout_at(deadline, body.frame()).await {}
}

/// Continues an upload at `Upload-Offset`.
#[utoipa::path(patch, path = "/api/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The photo's SHA-256, lower-case hex", pattern = "^[0-9a-f]{64}$"),
        ("Tus-Resumable" = String, Header, description = "1.0.0", pattern = "^1\\.0\\.0$"),
        ("Upload-Offset" = i64, Header, description = "Where this chunk starts; must equal the server's offset", minimum = 0),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha1 <base64>` or `sha256 <base64>` of this body: checked, and the body kept only if it matches", pattern = "^(sha1|sha256) [A-Za-z0-9+/]+={0,2}$"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Stored: the new Upload-Offset; Server-Timing: what storing the part, the body's first and last MiB, and completing took"),
        (status = 400, description = "Tus-Resumable or Upload-Offset missing, a bad hash or checksum header, or the body cut off (ask with HEAD and go on)", body = redvest_shared::wire::ApiError),
        (status = 404, description = "No such upload for this team", body = redvest_shared::wire::ApiError),
        (status = 408, description = "The body did not arrive in time; what came is kept", body = redvest_shared::wire::ApiError),
        (status = 412, description = "Tus-Resumable is another version (Tus-Version says which this server speaks)", body = redvest_shared::wire::ApiError),
        (status = 413, description = "More bytes than the upload has left", body = redvest_shared::wire::ApiError),
        (status = 415, description = "Content-Type is not application/offset+octet-stream", body = redvest_shared::wire::ApiError),
        (status = 401, description = "Unknown token or revoked device", body = redvest_shared::wire::ApiError), (status = 429, description = "Rate limited", body = redvest_shared::wire::ApiError),
        (status = 409, description = "Upload-Offset is not the server's offset", body = redvest_shared::wire::ApiError),
        (status = 422, description = "Complete, but the bytes do not have the hash; start again", body = redvest_shared::wire::ApiError),
        (status = 460, description = "The body does not match Upload-Checksum; nothing of it was kept", body = redvest_shared::wire::ApiError),
        (status = 503, description = "The database or the photo store is unavailable", body = redvest_shared::wire::ApiError),
    ))]
pub async fn patch(State(state): State<AppState>, Device(auth): Device, Path(sha): Path<String>, headers: HeaderMap, body: Body) -> Result<Response, Failure> {
    check_version(&headers)?;
    check_sha(&sha)?;
    let offset = number(&headers, "Upload-Offset")?;
    // Which upload first, then what the request carries for it.
    if !state.db.photo_referenced(auth.team_id, &sha).await? {
        return Err(Failure::new(StatusCode::NOT_FOUND, "not_found", "no such upload for this team"));
    }
    if headers.get("Content-Type").and_then(|v| v.to_str().ok()) != Some("application/offset+octet-stream") {
        return Err(Failure::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_type", "send Content-Type: application/offset+octet-stream"));
    }
    let mut checksum = Checksum::from_headers(&headers)?;
    // Stop an earlier PATCH of this photo (its client has moved on) and wait for it to keep
    // what it received; only then is the offset known.
    let Turn { guard, mut superseded, generation } = state.uploads.turn(auth.team_id, &sha).await;
    // The body is read by the request's deadline (what came is kept), so a client that
    // stalls holds no lock past it.
    let deadline = tokio::time::Instant::now() + state.limits.request_timeout;
    let Some(current) = settled(&state.db, auth.team_id, &sha).await? else {
        return Err(Failure::new(StatusCode::NOT_FOUND, "not_found", "create the upload with POST first"));
    };
    if current.complete {
        // A client that created a photo the county already has sends it whole: taken in
        // and thrown away, so its connection ends cleanly.
        drop(guard);
        drain(body, deadline).await;
        return Ok(with_headers(StatusCode::NO_CONTENT, &[("Upload-Offset", current.length.to_string())]));
    }
    if current.received != offset {
        return Err(Failure::new(StatusCode::CONFLICT, "offset", format!("Upload-Offset {offset} is not where the upload stands ({}); ask again", current.received)));
    }
    // Read what arrives and keep it, even if the connection drops: its own task, because
    // the server drops this handler when the client goes away.
    let (db, team) = (state.db.clone(), auth.team_id);
    let stored = tokio::spawn(async move {
        let _guard = guard;
        let key = PhotoStore::part_key(team, &sha);
        let mut part = db.photos().writer(&key);
        let room = current.length - offset;
        let mut written: i64 = 0;
        // When each MiB of the body was taken in: the answer's Server-Timing says what the
        // part, its first and last MiB, and completing cost (flat, whatever the offset).
        let mut mib_stamps = vec![tokio::time::Instant::now()];
        let mut body = body;
        let mut cut = false;
        loop {
            // Bytes already here are kept before a later request's word is heeded.
            let next = tokio::select! {
                biased;
                frame = body.frame() => Some(frame),
                _ = superseded.wait_for(|g| *g != generation) => None,
                () = tokio::time::sleep_until(deadline) => None,
            };
            let data = match next {
                Some(None) => break,
                // Cut off, or superseded by the client's next request: keep what came.
                None | Some(Some(Err(_))) => {
                    cut = true;
                    break;
                }
                Some(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue, // trailers
                },
            };
            if written + data.len() as i64 > room {
                let _ = part.abort().await;
                return Err(Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("this upload has {room} bytes left from offset {offset}")));
            }
            if let Some(c) = checksum.as_mut() {
                c.update(&data);
            }
            if let Err(e) = part.write_all(&data).await {
                let _ = part.abort().await;
                return Err(PhotoStoreError::from(e).into());
            }
            written += data.len() as i64;
            if written >= mib_stamps.len() as i64 * MIB {
                mib_stamps.push(tokio::time::Instant::now());
            }
        }
        if let Some(c) = checksum {
            // A body that came whole and matches its checksum, or nothing of it.
            if cut || !c.matches() {
                let _ = part.abort().await;
                return Ok(Stored::ChecksumRefused { cut });
            }
        }
        if written == 0 {
            let _ = part.abort().await;
            return Ok(Stored::Kept { received: offset, cut, verified: None, timing: None });
        }
        part.shutdown().await.map_err(PhotoStoreError::from)?;
        let Some(after) = db.append_part(team, &sha, offset, written, &key).await? else {
            db.photos().forget(&[key]).await;
            return Ok(Stored::OutOfStep);
        };
        if cut {
            tracing::info!(%sha, kept = written, "PATCH cut off; kept what arrived");
        }
        // Checked and completed here too, so a handler dropped meanwhile strands nothing.
        let stored_at = tokio::time::Instant::now();
        let verified = if after.received == after.length { Some(finish(&db, team, &sha).await?) } else { None };
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        // The first and the last whole MiB of the body as they were taken in and written.
        let mib = |i: usize| mib_stamps.get(i + 1).map(|end| ms(*end - mib_stamps[i]));
        let (first, last) = (mib(0), mib(mib_stamps.len().saturating_sub(2)));
        let mut timing = format!("part;dur={:.2}, complete;dur={:.2}", ms(stored_at - mib_stamps[0]), ms(stored_at.elapsed()));
        if let (Some(first), Some(last)) = (first, last) {
            timing.push_str(&format!(", first-mib;dur={first:.2}, last-mib;dur={last:.2}"));
        }
        Ok(Stored::Kept { received: after.received, cut, verified, timing: Some(timing) })
    })
    .await
    .map_err(Failure::internal)??;
    match stored {
        Stored::OutOfStep => Err(Failure::new(StatusCode::CONFLICT, "offset", "another request moved this upload meanwhile; ask with HEAD")),
        Stored::ChecksumRefused { cut: true } => Err(Failure::new(StatusCode::BAD_REQUEST, "cut", "the body was cut off; with Upload-Checksum nothing of it is kept; send it again")),
        Stored::ChecksumRefused { cut: false } => Err(Failure::new(checksum_mismatch(), "checksum_mismatch", "the body does not match Upload-Checksum; nothing of it was kept")),
        Stored::Kept { cut: true, .. } => Err(Failure::new(StatusCode::BAD_REQUEST, "cut", "the body was cut off; ask with HEAD and go on")),
        Stored::Kept { verified: Some(false), .. } => {
            Err(Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch", "the uploaded bytes do not have the photo's SHA-256; upload it again from 0"))
        }
        Stored::Kept { received, timing, .. } => {
            let mut headers = vec![("Upload-Offset", received.to_string())];
            headers.extend(timing.map(|t| ("Server-Timing", t)));
            Ok(with_headers(StatusCode::NO_CONTENT, &headers))
        }
    }
}

/// What a `PATCH`'s task did with the body.
enum Stored {
    /// Kept: where the upload stands now, whether the body was cut, and the hash check if it
    /// completed the upload.
    Kept { received: i64, cut: bool, verified: Option<bool>, timing: Option<String> },
    /// Another request moved the upload first; the part was let go.
    OutOfStep,
    /// `Upload-Checksum` refused the body (or it was cut, so could not be checked).
    ChecksumRefused { cut: bool },
}

const MIB: i64 = 1024 * 1024;

/// tus's 460 Checksum Mismatch.
fn checksum_mismatch() -> StatusCode {
    StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST)
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
        (status = 503, description = "The database or the photo store is unavailable", body = redvest_shared::wire::ApiError),
    ))]
pub async fn get(State(state): State<AppState>, Device(auth): Device, Path(sha): Path<String>) -> Result<Response, Failure> {
    check_sha(&sha)?;
    let not_found = || Failure::new(StatusCode::NOT_FOUND, "not_found", "no complete photo of this team has that hash (yet)");
    let Some(upload) = state.db.upload(auth.team_id, &sha).await?.filter(|u| u.complete) else { return Err(not_found()) };
    if !state.db.photo_referenced(auth.team_id, &sha).await? {
        return Err(not_found());
    }
    let Some(bytes) = state.db.photos().photo(&sha).await? else {
        tracing::error!(%sha, "a complete upload's photo is missing from the photo store");
        return Err(not_found());
    };
    let mut response = Body::from_stream(bytes).into_response();
    response.headers_mut().insert("Content-Type", HeaderValue::from_static("image/jpeg"));
    if let Ok(length) = HeaderValue::from_str(&upload.length.to_string()) {
        response.headers_mut().insert("Content-Length", length);
    }
    Ok(response)
}
