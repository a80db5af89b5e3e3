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
use crate::hazard::{CountyAction, HazardState};
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

/// `POST /api/v1/enrol`. Keys and members are not declared here: they reach the county as
/// records of their own ([`KeyPush`], [`MemberProposal`]), whenever they are made.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The one-time code the county clerk issued (spaces around it are ignored).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64, pattern = "\\S"))]
    pub code: String,
    /// A name for the device, e.g. "王芳的手机" (spaces around it are ignored).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100, pattern = "\\S"))]
    pub device_name: String,
    /// The device's hash chain, made once on the phone. Enrolling the same phone again (a
    /// new token after a revocation) continues this chain instead of starting a new one.
    pub chain_id: Uuid,
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

/// A member's signing key, made when they set or change their PIN on a phone. It reaches the
/// county ahead of anything it signed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPush {
    /// Whose key: a member of the team's roster (or a proposal from this phone).
    pub member_id: Uuid,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// When the PIN was set.
    pub created_at: DateTime<Utc>,
    /// The key it replaces on this phone (a PIN change), hex.
    #[serde(default)]
    pub previous_key: Option<String>,
    /// The previous key's signature over `redvest/key/v1\n` + member id (16 bytes) + the new
    /// public key (32 bytes), hex; present with `previous_key`.
    #[serde(default)]
    pub endorsement: Option<String>,
}

/// A person added to the roster on a phone (offline, or before the county listed them). The
/// county keeps it as a proposal until a clerk confirms it or merges it into a member.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberProposal {
    /// The id the phone gave them; the county keeps it (one person, one id).
    pub member_id: Uuid,
    /// Name.
    pub name: String,
    /// The role the phone proposes; the county's roster decides.
    pub role: Role,
}

/// A patrol its volunteer signed, for a leader's countersignature (队长待审). Sent by the
/// volunteer's phone, or by the leader's phone that received it by QR.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionPush {
    /// The exact signed bytes (`redvest/patrol-record/v1` + JSON).
    pub canonical: String,
    /// The volunteer's signature.
    pub signature: WireSignature,
    /// The track in its `RVTK` encoding, base64; absent when it follows later (a record
    /// handed over by QR carries no track).
    #[serde(default)]
    pub track_rvtk: Option<String>,
}

/// A leader's countersignature, with the submission it covers (so it reads on its own,
/// whichever phone reaches the county first).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountersignPush {
    /// The volunteer's signed record.
    pub submission: SubmissionPush,
    /// The leader's countersignature.
    pub signature: WireSignature,
}

/// A leader sends a signed patrol back to its volunteer, with a reason; with the record it
/// covers, so it reads on its own (a record received by QR may not be at the county yet).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnPush {
    /// The volunteer's signed record sent back.
    pub submission: SubmissionPush,
    /// The leader.
    pub member_id: Uuid,
    /// The leader's Ed25519 public key, hex.
    pub public_key: String,
    /// Why (shown to the volunteer).
    pub reason: String,
    /// When.
    pub returned_at: DateTime<Utc>,
    /// The leader's signature over `redvest/return/v1\n` + record hash + reason, hex.
    pub signature: String,
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
    /// A member's signing key.
    Key(KeyPush),
    /// A person proposed for the roster.
    Member(MemberProposal),
    /// A patrol signed by its volunteer, waiting for a leader.
    Submission(SubmissionPush),
    /// A leader's countersignature.
    Countersign(CountersignPush),
    /// A leader sent a patrol back.
    Return(ReturnPush),
    /// 一键报警: a rapid report (unsigned; the device's token says whose).
    Rapid(crate::rapid::RapidReport),
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

/// Why the county refused a record: a stable code the phone chooses its words by.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The body does not have the content hash it came with.
    ContentHash,
    /// The same id is stored with other content (409).
    Conflict,
    /// The record is malformed (not hex, not the signed bytes, a field too long).
    Malformed,
    /// Signed with a key the county has not accepted (yet).
    UnknownKey,
    /// Signed with a key the county revoked.
    KeyRevoked,
    /// The key belongs to another member than the signature names.
    KeyOfOtherMember,
    /// A new key names a previous key whose endorsement does not verify.
    KeyEndorsement,
    /// The person is not on the team's roster.
    NotOnRoster,
    /// The countersignature is not by a leader on the county's roster.
    NotLeader,
    /// A signature does not verify.
    SignatureInvalid,
    /// The chain link does not follow from its own record.
    ChainInvalid,
    /// Another record already holds this place in the device's chain.
    ChainFork,
    /// The track is not the one the record signs.
    TrackMismatch,
    /// The hazard is not this team's.
    NotTeamHazard,
    /// The same person signed as volunteer and as leader of one patrol (allowed only in a
    /// team of one).
    SameSigner,
    /// A leader already decided on this record (countersigned or sent back).
    AlreadyDecided,
    /// A newer version of this patrol waits (sent back and signed again): decide on that one.
    Outdated,
    /// A code this app does not know (from a newer county): refused, with the detail shown.
    #[serde(other)]
    Other,
}

impl Refusal {
    /// Whether the record only waits for something the county will have later (a key, a
    /// roster change): the phone holds it as 待上传 and sends it again by itself.
    pub fn waits(self) -> bool {
        matches!(self, Refusal::UnknownKey | Refusal::NotOnRoster | Refusal::NotLeader)
    }
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
    /// Why, as a code, for 409 and 422.
    #[serde(default)]
    pub code: Option<Refusal>,
    /// Why, in English detail, for 409 and 422.
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
    /// Proposed from a phone and not yet confirmed by a clerk: may sign as a volunteer, never
    /// countersign as a leader.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
    /// The signing keys the county accepted for them and has not revoked (Ed25519, hex): a
    /// leader's phone checks a record handed over by QR against these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// A phone number the county keeps for them (leaders: the 一键报警 page calls it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A proposal a clerk merged into an existing member: the phone folds `from` into `into`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberMerge {
    /// The proposed id.
    pub from: Uuid,
    /// The member it is the same person as.
    pub into: Uuid,
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
    /// Why (for 督办 and 退回, the action's name first).
    pub reason: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who decided, as the phone shows it (县综治中心 or a township's 综治中心); phones before
    /// this field say 县综治中心.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What the county did; for 督办 the phone keeps the state it has (the county's may be
    /// older than the team's last change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<CountyAction>,
    /// 责任人, when 交办.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<String>,
    /// 整改期限, when 交办 or 督办 sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
}

/// A patrol waiting for a leader's countersignature, as the county publishes it to the team.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The patrol.
    pub patrol_id: Uuid,
    /// The signed record (with its track if the county has it).
    pub submission: SubmissionPush,
}

/// What a leader decided on a signed record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    /// Countersigned: the record is sealed.
    Countersigned {
        /// The leader's countersignature.
        signature: WireSignature,
    },
    /// Sent back to the volunteer.
    Returned {
        /// The leader.
        by: Uuid,
        /// Why.
        reason: String,
        /// When.
        at: DateTime<Utc>,
    },
}

/// A leader's decision on a record, as the county publishes it to the team: the volunteer's
/// phone seals the patrol or opens it again; other leaders' phones take it off 队长待审.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionItem {
    /// The patrol.
    pub patrol_id: Uuid,
    /// SHA-256 of the signed bytes decided on, hex.
    pub record_hash: String,
    /// What was decided.
    pub decision: Decision,
}

/// Something the county published for a team.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Published {
    /// The whole roster, as it now is: the one truth for who is in the team and in what role.
    Roster {
        /// Members.
        members: Vec<RosterMember>,
        /// Proposals merged into members.
        #[serde(default)]
        merged: Vec<MemberMerge>,
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
    /// A patrol waiting for a leader (队长待审).
    Review(ReviewItem),
    /// A leader's decision on a patrol.
    Decision(DecisionItem),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A newer county may send a code this app does not know: the answer still reads, and the
    /// record counts as refused (not a protocol error that would retry the push for ever).
    #[test]
    fn an_unknown_refusal_code_reads_as_other_and_does_not_wait() {
        let result: PushResult = serde_json::from_value(serde_json::json!({
            "id": "019ab000-0000-7000-8000-000000000001", "status": 422, "outcome": "rejected",
            "code": "photo_quota_exceeded", "reason": "too many photos"
        }))
        .expect("reads");
        assert_eq!(result.code, Some(Refusal::Other));
        assert!(!Refusal::Other.waits());
        let known: Refusal = serde_json::from_value(serde_json::json!("key_revoked")).expect("reads");
        assert_eq!(known, Refusal::KeyRevoked);
    }
}
