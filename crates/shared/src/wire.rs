//! The device↔county HTTP wire types.

use serde::{Deserialize, Serialize};

/// `GET /healthz` body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// The server's crate version.
    pub version: String,
    /// Whether PostgreSQL answered.
    pub database: DatabaseStatus,
}

/// Whether the county's database answered a ping.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseStatus {
    /// It answered.
    Ok,
    /// It did not; the server answers 503 meanwhile.
    Unavailable,
}

// ---- /api/v1: what a device and the county say to each other ----------------------------

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use crate::duty::Assignment;
use crate::hazard::HazardState;
use crate::patrol::SignerRole;
use crate::team::Role;

/// The longest text any wire field may carry (a hazard description is at most 500).
pub const MAX_TEXT: usize = 4_000;
/// The most records in one push.
pub const MAX_BATCH: usize = 50;

/// Every 4xx/5xx body: a stable code, an English message naming the problem, and the field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable code, e.g. `bad_json`, `unauthorized`, `revoked`, `too_large`, `rate_limited`.
    pub error: String,
    /// What is wrong, in English.
    pub message: String,
    /// The field at fault, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A person who signs on the enrolling device: their key's public half.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignerKey {
    /// The member's id on the device.
    pub member_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
}

/// `POST /api/v1/enrol`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time code the county clerk issued.
    pub code: String,
    /// A name for the device, e.g. "王芳的手机".
    pub device_name: String,
    /// The signing keys on the device.
    pub signers: Vec<SignerKey>,
}

/// The answer to an enrolment: who the device now is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The device's id at the county.
    pub device_id: Uuid,
    /// The bearer token for every later call (the county keeps only its hash).
    pub token: String,
    /// The team.
    pub team_id: Uuid,
    /// The team's name.
    pub team_name: String,
}

/// A signature as sent to the county.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireSignature {
    /// Volunteer or leader.
    pub role: SignerRole,
    /// Who.
    pub member_id: Uuid,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// Over the record hash (volunteer) or the countersign message (leader), hex.
    pub signature: String,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// The drawn signature, PNG, base64.
    pub handwriting_png: String,
}

/// A sealed patrol's place in the device's hash chain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainEntry {
    /// Position, from 1.
    pub seq: i64,
    /// The previous link (64 zeros for the first), hex.
    pub prev: String,
    /// This link, hex.
    pub link: String,
}

/// A sealed patrol with everything in it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatrolPush {
    /// The exact signed bytes (`redvest/patrol-record/v1` + JSON), which are UTF-8.
    pub canonical: String,
    /// The volunteer's and the leader's signatures.
    pub signatures: Vec<WireSignature>,
    /// Its chain entry.
    pub chain: ChainEntry,
    /// The track in its `RVTK` encoding, base64, if there is one.
    pub track_rvtk: Option<String>,
}

/// A hazard history entry made on the device after its patrol (e.g. 已整改).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardEventPush {
    /// The hazard.
    pub hazard_id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by_name: String,
    /// The new state.
    pub state: HazardState,
    /// Why.
    pub reason: String,
    /// 责任人, when assigned.
    pub responsible: Option<String>,
    /// 整改期限, when assigned.
    pub deadline: Option<NaiveDate>,
}

/// What a pushed record is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RecordBody {
    /// A sealed patrol.
    Patrol(PatrolPush),
    /// A hazard history entry.
    HazardEvent(HazardEventPush),
}

/// One record in a push: the client's UUIDv7, the SHA-256 of `body` as JSON, the body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRecord {
    /// The record's id on the device.
    pub id: Uuid,
    /// SHA-256 (hex) of `serde_json::to_vec(&body)`.
    pub content_sha256: String,
    /// The record.
    pub body: RecordBody,
}

/// `POST /api/v1/push`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushBatch {
    /// At most [`MAX_BATCH`] records.
    pub records: Vec<PushRecord>,
}

/// What became of one pushed record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored now (201).
    Accepted,
    /// The same id with the same content was stored before (200); nothing new.
    Repeat,
    /// The same id with different content was stored before (409); never overwritten.
    Conflict,
    /// It failed a check (422): a signature, the chain, the team, the content hash.
    Rejected,
}

/// One record's answer in a push.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResult {
    /// The record.
    pub id: Uuid,
    /// 201, 200, 409 or 422.
    pub status: u16,
    /// What happened.
    pub outcome: PushOutcome,
    /// Why, for 409 and 422.
    pub reason: Option<String>,
}

/// The answer to a push: one result per record, in order. The rest of a batch lands even
/// when one record is refused.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResults {
    /// Per record.
    pub results: Vec<PushResult>,
}

/// A person on the roster the county publishes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterMember {
    /// The member's id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// A duty on the monthly plan (from the 联席会议), on given dates.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDuty {
    /// The duty's id (the device keeps it).
    pub id: Uuid,
    /// Post or zone.
    pub assignment: Assignment,
    /// Where.
    pub place: String,
    /// Local start time.
    pub time: NaiveTime,
    /// The dates it falls on.
    pub dates: Vec<NaiveDate>,
}

/// 提示短信: an alert for an area, valid for a time.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Its id.
    pub id: Uuid,
    /// The text.
    pub text: String,
    /// The area it concerns.
    pub area: String,
    /// From.
    pub valid_from: DateTime<Utc>,
    /// Until.
    pub valid_to: DateTime<Utc>,
}

/// A county decision on a hazard (e.g. closed after inspection), merged into its history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardDecision {
    /// The decision's id (applied once).
    pub id: Uuid,
    /// The hazard.
    pub hazard_id: Uuid,
    /// The new state.
    pub state: HazardState,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Something the county published for a team.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Published {
    /// The whole roster, as it now is.
    Roster {
        /// Members.
        members: Vec<RosterMember>,
    },
    /// A monthly plan.
    Plan {
        /// `YYYY-MM`.
        month: String,
        /// Its duties.
        duties: Vec<PlanDuty>,
    },
    /// The checklist catalog version in force.
    Checklist {
        /// Version.
        version: u32,
    },
    /// An alert.
    Alert(Alert),
    /// A hazard decision.
    HazardDecision(HazardDecision),
}

/// One published item and its place in the team's feed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullItem {
    /// Position in the feed; the cursor.
    pub seq: i64,
    /// What.
    pub body: Published,
}

/// `GET /api/v1/pull?after=<cursor>&limit=<n>`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullPage {
    /// The items after the cursor, oldest first.
    pub items: Vec<PullItem>,
    /// The cursor to send next (store it only after applying this page).
    pub next: i64,
    /// Whether more items wait.
    pub more: bool,
}

/// SHA-256 of `body`'s JSON, hex: the content hash a [`PushRecord`] carries.
#[cfg(feature = "crypto")]
pub fn content_sha256(body: &RecordBody) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    hex::encode(crate::seal::sha256(&[&json]))
}
