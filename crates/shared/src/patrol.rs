//! Patrols (巡查): the 巡查日志 of one outing, from start to the leader's countersignature.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checklist::CheckResult;
use crate::duty::Assignment;
use crate::observation::ObservationEntry;
use crate::team::Role;

/// Where a patrol stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatrolState {
    /// Under way: attendance, checklist and observations can change.
    Open,
    /// Finished and signed by the volunteer; waiting for the leader.
    Submitted,
    /// Sent back by the leader with a reason; editable again.
    Returned,
    /// Countersigned by the leader: frozen.
    Sealed,
}

impl PatrolState {
    /// Whether attendance, checklist and observations may still change.
    pub fn is_editable(self) -> bool {
        matches!(self, PatrolState::Open | PatrolState::Returned)
    }
}

/// One patrol as shown in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolSummary {
    /// UUIDv7, made on the device when the patrol starts; sorts by creation time.
    pub id: Uuid,
    /// When the patrol started (UTC; the UI shows local time).
    pub started_at: DateTime<Utc>,
    /// Post or zone.
    pub assignment: Assignment,
    /// Route name.
    pub route: String,
    /// Where it stands.
    pub state: PatrolState,
}

/// A patrol waiting for a leader's countersignature (队长待审).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    /// The patrol.
    pub patrol_id: Uuid,
    /// Who signed it.
    pub volunteer: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Post or zone.
    pub assignment: Assignment,
    /// Route name.
    pub route: String,
    /// Recorded on this phone (its own page reviews it), or received from another phone.
    pub on_this_phone: bool,
}

/// What the volunteer enters to start a patrol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartPatrol {
    /// The duty it fulfils, if any (its post or zone is then used).
    pub duty_id: Option<Uuid>,
    /// Post or zone; required for an ad hoc patrol.
    pub assignment: Option<Assignment>,
    /// Route name (may be empty).
    pub route: String,
    /// When it was planned to start, if planned.
    pub planned_start: Option<DateTime<Utc>>,
}

/// Whether a person turned up (人员到位情况).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// 到岗.
    Present,
    /// 迟到.
    Late,
    /// 缺勤.
    Absent,
}

/// One line of attendance: a roster member, or a guest (no `member_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceEntry {
    /// The roster member, or `None` for a guest.
    pub member_id: Option<Uuid>,
    /// Name (copied from the roster for members, so the signed record reads on its own).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Present, late or absent.
    pub presence: Presence,
    /// Why late or absent (required then).
    pub reason: String,
}

/// Who signs, in which capacity.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    /// The volunteer who recorded the patrol.
    Volunteer,
    /// The team leader's countersignature.
    Leader,
}

/// A signature as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureInfo {
    /// Volunteer or leader.
    pub role: SignerRole,
    /// Who.
    pub member_id: Uuid,
    /// Their name.
    pub name: String,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// The handwritten signature, PNG.
    pub handwriting_png: Vec<u8>,
}

/// The content a patrol's signatures cover. Its canonical bytes ([`canonical_bytes`]) must
/// never change for a given version: a golden-vector test pins them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolRecord {
    /// The patrol's id.
    pub id: Uuid,
    /// The patrol this one corrects, for an amendment.
    pub amends: Option<Uuid>,
    /// The duty it fulfilled.
    pub duty_id: Option<Uuid>,
    /// Post or zone.
    pub assignment: Assignment,
    /// Route name.
    pub route: String,
    /// Planned start.
    pub planned_start: Option<DateTime<Utc>>,
    /// Actual start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub ended_at: Option<DateTime<Utc>>,
    /// Who turned up.
    pub attendance: Vec<AttendanceEntry>,
    /// The checklist answers.
    pub checks: Vec<CheckResult>,
    /// Hazards, disputes, sightings, visits, outreach.
    pub observations: Vec<ObservationEntry>,
    /// The volunteer's remarks at the end.
    pub remarks: String,
    /// SHA-256 (hex) of the GPS track in its sync encoding (`RVTK`), if there is a track.
    pub track_sha256: Option<String>,
}

/// The version tag that starts every signed patrol record.
pub const PATROL_RECORD_V1: &[u8] = b"redvest/patrol-record/v1\n";

/// The exact bytes signed: a version tag, then the record as JSON in field order.
pub fn canonical_bytes(record: &PatrolRecord) -> Vec<u8> {
    let mut out = PATROL_RECORD_V1.to_vec();
    // Serialising plain data with derived impls cannot fail; an empty body would fail
    // every later verification loudly rather than pass.
    out.extend(serde_json::to_vec(record).unwrap_or_default());
    out
}

/// A patrol with everything in it, for the patrol page and the read-only view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolDetail {
    /// The content.
    pub record: PatrolRecord,
    /// Where it stands.
    pub state: PatrolState,
    /// The leader's reason, when sent back.
    pub returned_reason: Option<String>,
    /// Signatures, oldest first.
    pub signatures: Vec<SignatureInfo>,
    /// The checklist answers by domain, in catalog order, with the items' text.
    pub checks: Vec<crate::checklist::AnsweredGroup>,
}

/// Finishing a patrol: the volunteer's remarks and signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignPatrol {
    /// The patrol.
    pub patrol_id: Uuid,
    /// Who signs.
    pub member_id: Uuid,
    /// Their PIN, to unlock their key.
    pub pin: String,
    /// The handwritten signature drawn on screen, PNG.
    pub handwriting_png: Vec<u8>,
    /// Remarks (volunteer only; ignored for the leader).
    pub remarks: String,
}

/// What verification found wrong with the signed records on a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The patrol concerned, if the problem is with one record.
    pub patrol_id: Option<Uuid>,
    /// The chain position concerned, for chain problems.
    pub seq: Option<i64>,
    /// What is wrong.
    pub problem: Problem,
}

/// A verification failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The stored rows no longer produce the hash that was signed.
    ContentChanged,
    /// The stored signed bytes no longer hash to their recorded hash.
    SignedBytesChanged,
    /// A signature does not verify against its bytes and public key.
    SignatureInvalid,
    /// A chain link does not follow from the one before.
    ChainBroken,
    /// A sealed patrol is missing from the chain.
    NotInChain,
    /// A photo the record lists is missing, or its file no longer has the signed hash.
    PhotoChanged,
}
