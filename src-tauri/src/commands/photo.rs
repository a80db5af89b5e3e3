//! Photo commands. The photo's bytes arrive as the raw IPC body (no base64 in JSON); the
//! patrol and the file's name ride in headers.

use chrono::Utc;
use redvest_shared::photo::{Photo, PhotoBacklog, PhotoSettings};
use redvest_shared::{ErrorCode, IpcError};
use tauri::ipc::{InvokeBody, Request, Response};
use tauri::State;
use uuid::Uuid;

use crate::error::Error;
use crate::AppState;

/// The patrol the photo is for.
pub const PATROL_HEADER: &str = "x-patrol-id";
/// The file's name, percent-encoded (headers are ASCII).
pub const NAME_HEADER: &str = "x-photo-name";

fn bad_request(message: &str) -> Error {
    Error::Unavailable(IpcError::new(ErrorCode::Unknown, message).with_field("photo"))
}

/// Stores one photo for an open patrol: body = the file's bytes.
#[tauri::command(async)]
pub fn add_photo(request: Request<'_>, state: State<'_, AppState>) -> Result<Photo, Error> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(bad_request("add_photo expects the photo as a raw byte body"));
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let patrol = header(PATROL_HEADER)
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| bad_request("add_photo needs the x-patrol-id header"))?;
    let name = header(NAME_HEADER)
        .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
        .unwrap_or_else(|| "photo".into());
    Ok(state.store()?.add_photo(patrol, &name, bytes, Utc::now())?)
}

/// A stored photo (or its thumbnail) as raw JPEG bytes.
#[tauri::command(async, rename_all = "snake_case")]
pub fn photo_bytes(state: State<'_, AppState>, sha256: String, thumbnail: bool) -> Result<Response, Error> {
    Ok(Response::new(state.store()?.photo_bytes(&sha256, thumbnail)?))
}

/// Takes a photo off an observation of an open patrol.
#[tauri::command(async, rename_all = "snake_case")]
pub fn remove_photo(state: State<'_, AppState>, observation_id: Uuid, sha256: String) -> Result<(), Error> {
    Ok(state.store()?.remove_photo(observation_id, &sha256)?)
}

/// Photos not yet at the county: how many, how many bytes.
#[tauri::command(async)]
pub fn photo_backlog(state: State<'_, AppState>) -> Result<PhotoBacklog, Error> {
    Ok(state.store()?.photo_backlog()?)
}

/// How photos are shrunk.
#[tauri::command(async)]
pub fn photo_settings(state: State<'_, AppState>) -> Result<PhotoSettings, Error> {
    Ok(state.store()?.photo_settings()?)
}

/// Changes how photos are shrunk.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_photo_settings(state: State<'_, AppState>, settings: PhotoSettings) -> Result<(), Error> {
    Ok(state.store()?.set_photo_settings(&settings)?)
}
