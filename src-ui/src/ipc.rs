//! The typed client for the shell's commands: the only code that touches `invoke`/`JsValue`.

use redvest_shared::checklist::{CheckOutcome, ChecklistItem};
use redvest_shared::display::Theme;
use redvest_shared::duty::{Assignment, Duty, NewDuty};
use redvest_shared::handover::{QrShow, ScanState};
use redvest_shared::hazard::{Hazard, HazardChange};
use redvest_shared::observation::{Observation, ObservationEntry};
use redvest_shared::patrol::{AttendanceEntry, Finding, PatrolDetail, SignPatrol, StartPatrol};
use redvest_shared::photo::{Photo, PhotoBacklog, PhotoSettings};
use redvest_shared::sync::{Enrolled, SyncStatus};
use redvest_shared::team::{ChangePin, LiftPinLock, Member, NewMember, PublicKeyInfo};
use redvest_shared::today::Today;
use redvest_shared::track::{LocationStatus, TrackPoint, TrackSettings, TrackSummary};
use redvest_shared::{ErrorCode, IpcError, PatrolSummary};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke_with(cmd: &str, args: JsValue, options: JsValue) -> Result<JsValue, JsValue>;
}

fn rejected(cmd: &str, err: JsValue) -> IpcError {
    // The shell rejects with `{code, message, field}`; anything else (no Tauri, a JS
    // exception) is kept as text for the bug report.
    serde_wasm_bindgen::from_value(err.clone()).unwrap_or_else(|_| IpcError::new(ErrorCode::Unknown, format!("{cmd}: {err:?}")))
}

async fn call<T: DeserializeOwned>(cmd: &str, args: JsValue) -> Result<T, IpcError> {
    match tauri_invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| IpcError::new(ErrorCode::Unknown, format!("{cmd}: unexpected reply: {e}"))),
        Err(err) => Err(rejected(cmd, err)),
    }
}

/// Calls `cmd` with `args` serialised as a plain object (field names as the shell expects).
async fn call_with<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, IpcError> {
    let args = args
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| IpcError::new(ErrorCode::Unknown, format!("{cmd}: arguments: {e}")))?;
    call(cmd, args).await
}

/// Defines a command wrapper: `fn name(arg: Type, ...) -> Result<Out, IpcError>`.
macro_rules! command {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $out:ty) => {
        $(#[$doc])*
        pub async fn $name($($arg: $ty),*) -> Result<$out, IpcError> {
            #[derive(Serialize)]
            struct Args { $($arg: $ty),* }
            call_with(stringify!($name), &Args { $($arg),* }).await
        }
    };
}

command!(/// All patrols, newest first.
    list_patrols() -> Vec<PatrolSummary>);
command!(/// Starts a patrol now; returns it once saved on the device.
    start_patrol(start: StartPatrol) -> PatrolSummary);
command!(/// Today's duties, open hazards, the unfinished patrol and the unsynced count.
    today() -> Today);
command!(/// A patrol with everything in it.
    patrol_detail(patrol_id: Uuid) -> PatrolDetail);
command!(/// Replaces the attendance list.
    set_attendance(patrol_id: Uuid, entries: Vec<AttendanceEntry>) -> ());
command!(/// The checklist for a post or zone.
    checklist(assignment: Assignment) -> Vec<ChecklistItem>);
command!(/// Answers one checklist item.
    set_check(patrol_id: Uuid, code: String, outcome: CheckOutcome) -> ());
command!(/// Adds an observation with photos already stored by [`add_photo`].
    add_observation(patrol_id: Uuid, body: Observation, photos: Vec<String>) -> ObservationEntry);
command!(/// The volunteer finishes and signs.
    submit_patrol(req: SignPatrol) -> ());
command!(/// The leader sends a patrol back.
    return_patrol(patrol_id: Uuid, leader_id: Uuid, pin: String, reason: String) -> ());
command!(/// The leader countersigns.
    countersign(req: SignPatrol) -> ());
command!(/// A patrol received for review, read-only.
    review_detail(patrol_id: Uuid) -> PatrolDetail);
command!(/// A received patrol's track and its numbers.
    review_track(patrol_id: Uuid) -> (Vec<TrackPoint>, TrackSummary));
command!(/// The leader countersigns a received patrol.
    countersign_review(req: SignPatrol) -> ());
command!(/// The leader sends a received patrol back.
    return_review(patrol_id: Uuid, leader_id: Uuid, pin: String, reason: String) -> ());
command!(/// Starts an amendment of a frozen patrol.
    start_amendment(patrol_id: Uuid) -> Uuid);
command!(/// Verifies every signed record and the chain.
    verify() -> Vec<Finding>);
command!(/// The roster.
    list_members() -> Vec<Member>);
command!(/// Adds a member.
    add_member(member: NewMember) -> Member);
command!(/// Creates a member's signing key.
    create_key(member_id: Uuid, pin: String) -> PublicKeyInfo);
command!(/// Changes a member's PIN (a new key, endorsed by the old one).
    change_pin(req: ChangePin) -> PublicKeyInfo);
command!(/// A leader lifts the lock wrong PINs put on a member's key.
    lift_pin_lock(req: LiftPinLock) -> ());
command!(/// Who may change the team's settings now.
    settings_access() -> redvest_shared::team::SettingsAccess);
command!(/// A leader's password opens the team's settings for a while.
    unlock_settings(leader_id: Uuid, pin: String) -> redvest_shared::team::SettingsAccess);
command!(/// Locks the team's settings again.
    lock_settings() -> ());
command!(/// Everyone's public key.
    public_keys() -> Vec<PublicKeyInfo>);
command!(/// The duty schedule.
    list_duties() -> Vec<Duty>);
command!(/// Adds a duty.
    add_duty(duty: NewDuty) -> Duty);
command!(/// Removes a duty.
    remove_duty(duty_id: Uuid) -> ());
command!(/// A hazard with its history.
    hazard(hazard_id: Uuid) -> Hazard);
command!(/// Moves a hazard along its lifecycle.
    change_hazard(change: HazardChange) -> Hazard);
command!(/// Saves a form draft.
    save_draft(key: String, body: String) -> ());
command!(/// Loads a form draft.
    load_draft(key: String) -> Option<String>);
command!(/// Forgets a form draft.
    clear_draft(key: String) -> ());
command!(/// The track's live summary.
    track_summary(patrol_id: Uuid) -> TrackSummary);
command!(/// The track's kept points.
    track_points(patrol_id: Uuid) -> Vec<TrackPoint>);
command!(/// Where the phone is now (a hazard's 用我的位置); `None` before the first fix.
    last_spot(patrol_id: Uuid) -> Option<redvest_shared::observation::Spot>);
command!(/// 一键报警: saves a rapid report now, queued first.
    report_rapid(kind: redvest_shared::rapid::RapidKind, patrol_id: Option<Uuid>) -> redvest_shared::rapid::RapidEntry);
command!(/// The newest rapid reports, each with whether the county has it.
    rapid_reports() -> Vec<redvest_shared::rapid::RapidEntry>);
command!(/// The leaders with a phone number on the county's roster.
    rapid_contacts() -> redvest_shared::rapid::RapidContacts);
command!(/// Writes the track as `gpx` or `geojson`; returns the file's path.
    export_track(patrol_id: Uuid, format: String) -> String);
command!(/// Asks for the location permission and starts recording positions.
    start_location(patrol_id: Uuid) -> LocationStatus);
command!(/// The recorder thresholds.
    track_defaults() -> TrackSettings);
command!(/// Changes the recorder thresholds.
    set_track_defaults(settings: TrackSettings) -> ());
command!(/// The chosen UI language, if any.
    language() -> Option<String>);
command!(/// Remembers the UI language.
    set_language(code: String) -> ());
command!(/// The theme chosen on this phone.
    theme() -> Theme);
command!(/// Remembers the theme.
    set_theme(theme: Theme) -> ());
command!(/// Takes a photo off an observation of an open patrol.
    remove_photo(observation_id: Uuid, sha256: String) -> ());
command!(/// Photos not yet at the county.
    photo_backlog() -> PhotoBacklog);
command!(/// How photos are shrunk.
    photo_settings() -> PhotoSettings);
command!(/// Changes how photos are shrunk.
    set_photo_settings(settings: PhotoSettings) -> ());

/// Stores a photo for a patrol. The bytes go as the raw IPC body, not as JSON.
pub async fn add_photo(patrol_id: Uuid, name: &str, bytes: js_sys::Uint8Array) -> Result<Photo, IpcError> {
    let headers = js_sys::Object::new();
    let options = js_sys::Object::new();
    let set = |target: &js_sys::Object, key: &str, value: &JsValue| js_sys::Reflect::set(target, &key.into(), value).map(|_| ());
    set(&headers, "x-patrol-id", &patrol_id.to_string().into())
        // Headers are ASCII: the (often Chinese) file name goes percent-encoded.
        .and_then(|()| set(&headers, "x-photo-name", &js_sys::encode_uri_component(name).into()))
        .and_then(|()| set(&options, "headers", &headers))
        .map_err(|e| IpcError::new(ErrorCode::Unknown, format!("add_photo: {e:?}")))?;
    let reply = tauri_invoke_with("add_photo", bytes.into(), options.into()).await.map_err(|e| rejected("add_photo", e))?;
    serde_wasm_bindgen::from_value(reply).map_err(|e| IpcError::new(ErrorCode::Unknown, format!("add_photo: unexpected reply: {e}")))
}

/// A command's raw byte answer as a `blob:` URL of type `mime`; revoke it when done.
async fn blob_url<A: Serialize>(cmd: &str, args: &A, mime: &str) -> Result<String, IpcError> {
    let args = serde_wasm_bindgen::to_value(args).map_err(|e| IpcError::new(ErrorCode::Unknown, e.to_string()))?;
    let reply = tauri_invoke(cmd, args).await.map_err(|e| rejected(cmd, e))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::new(&reply));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
        .map_err(|e| IpcError::new(ErrorCode::Unknown, format!("{cmd}: {e:?}")))
}

/// A stored photo (or its thumbnail) as a `blob:` URL for an `<img>`; revoke it when done.
/// `remote`: a photo of a patrol under review, fetched from the county the first time.
pub async fn photo_url(sha256: &str, thumbnail: bool, remote: bool) -> Result<String, IpcError> {
    #[derive(Serialize)]
    struct Args<'a> {
        sha256: &'a str,
        thumbnail: bool,
    }
    blob_url(if remote { "review_photo" } else { "photo_bytes" }, &Args { sha256, thumbnail }, "image/jpeg").await
}

/// A test camera frame (`REDVEST_CAMERA_DIR`) as a `blob:` URL; revoke it when done.
pub async fn camera_test_frame_url(index: u32) -> Result<String, IpcError> {
    #[derive(Serialize)]
    struct Args {
        index: u32,
    }
    blob_url("camera_test_frame", &Args { index }, "image/png").await
}
command!(/// The signed patrol as QR codes for the leader's phone.
    handover_signed(patrol_id: Uuid) -> QrShow);
command!(/// The countersignature made here as QR codes for the volunteer's phone.
    handover_countersigned(patrol_id: Uuid) -> QrShow);
command!(/// Starts a new scan.
    scan_start() -> ());
command!(/// One decoded QR text.
    scan_frame(text: String) -> ScanState);
command!(/// How many test camera frames there are (0: the real camera).
    camera_test_frames() -> u32);
command!(/// Everything the sync page shows.
    sync_status() -> SyncStatus);
command!(/// 立即同步.
    sync_now() -> ());
command!(/// 重新发送: the refused entries go back to 待上传; how many.
    sync_resend_refused() -> u32);
command!(/// Enrols with the county with the clerk's one-time code.
    enrol(server: String, code: String, device_name: String) -> Enrolled);
