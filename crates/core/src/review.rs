//! The leader's review on their own phone (队长待审): patrols signed on other phones arrive
//! (from the county, or by QR), are checked against the roster's keys, shown read-only, and
//! countersigned or sent back; the decision goes to the county. Decisions made elsewhere
//! come back the same way: the volunteer's phone seals its patrol or opens it again.

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::Signer;
use redvest_shared::patrol::{
    PatrolDetail, PatrolRecord, PatrolState, ReviewSummary, SignPatrol, SignatureInfo, SignerRole, PATROL_RECORD_V1,
};
use redvest_shared::seal::{countersign_message, return_message, sha256, verifies};
use redvest_shared::sync::OutboxKind;
use redvest_shared::track::{TrackPoint, TrackSettings, TrackSummary};
use redvest_shared::wire::{CountersignPush, Decision, DecisionItem, ReturnPush, SubmissionPush, WireSignature};
use redvest_shared::ErrorCode;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::field::text;
use crate::signing::{check_handwriting, insert_signature, seal, NewSignature};
use crate::{Error, Result, Store};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Where a review came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Pulled from the county.
    County,
    /// Scanned from the volunteer's phone.
    Qr,
}

/// A signed record read back: its content, hash and volunteer's signature bytes.
struct Signed {
    record: PatrolRecord,
    hash: [u8; 32],
    signature: Vec<u8>,
    public_key: Vec<u8>,
}

fn unhex(field: &'static str, value: &str) -> Result<Vec<u8>> {
    hex::decode(value).map_err(|_| Error::invalid(field, ErrorCode::QrInvalid, format!("{field} is not hex")))
}

/// Parses and checks a submission's bytes and the volunteer's signature over them.
fn signed(s: &SubmissionPush) -> Result<Signed> {
    let bytes = s.canonical.as_bytes();
    let json = bytes
        .strip_prefix(PATROL_RECORD_V1)
        .ok_or_else(|| Error::invalid("record", ErrorCode::QrInvalid, "not a Redvest patrol record"))?;
    let record: PatrolRecord = serde_json::from_slice(json).map_err(|e| Error::invalid("record", ErrorCode::QrInvalid, format!("not a patrol record: {e}")))?;
    let hash = sha256(&[bytes]);
    let signature = unhex("record.signature", &s.signature.signature)?;
    let public_key = unhex("record.signature", &s.signature.public_key)?;
    if s.signature.role != SignerRole::Volunteer || !verifies(&public_key, &hash, &signature) {
        return Err(Error::invalid("record.signature", ErrorCode::Tampered, "the volunteer's signature does not verify: the record was altered"));
    }
    Ok(Signed { record, hash, signature, public_key })
}

/// Whether the roster (or this phone) knows `public_key` as `member`'s key.
fn key_known(conn: &Connection, member: Uuid, public_key: &[u8]) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM roster_key k LEFT JOIN member m ON m.id = ?1
                        WHERE k.public_key = ?2 AND (k.member_id = ?1 OR k.member_id = m.merged_into))
             OR EXISTS (SELECT 1 FROM key_record WHERE public_key = ?2 AND member_id = ?1)",
        params![member, public_key],
        |r| r.get(0),
    )?)
}

/// Stores a record signed on another phone for a leader here; a newer version of the same
/// patrol supersedes an older one still waiting. A patrol recorded on this phone is reviewed
/// on its own page instead.
pub(crate) fn receive(tx: &Connection, s: &SubmissionPush, source: Source, now: DateTime<Utc>) -> Result<Uuid> {
    let signed = signed(s)?;
    let id = signed.record.id;
    let local: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM patrol WHERE id = ?1)", [id], |r| r.get(0))?;
    if local {
        return Ok(id);
    }
    let track = s.track_rvtk.as_deref().map(|t| B64.decode(t)).transpose().map_err(|e| Error::Corrupt(format!("track of {id}: {e}")))?;
    tx.execute(
        "INSERT INTO review (patrol_id, record_hash, canonical, volunteer, track_rvtk, source, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (patrol_id, record_hash) DO UPDATE SET track_rvtk = coalesce(review.track_rvtk, excluded.track_rvtk)",
        params![id, signed.hash.as_slice(), s.canonical.as_bytes(), serde_json::to_string(&s.signature)?, track, if source == Source::Qr { "qr" } else { "county" }, now],
    )?;
    tx.execute(
        "UPDATE review SET decision = 'superseded', decided_at = ?3 WHERE patrol_id = ?1 AND record_hash <> ?2 AND decision IS NULL",
        params![id, signed.hash.as_slice(), now],
    )?;
    Ok(id)
}

/// [`receive`], for a record that did not come through the county: its volunteer's key must
/// be the one the county's roster lists for them (or one made on this phone).
pub(crate) fn receive_checked(tx: &Connection, s: &SubmissionPush, source: Source, now: DateTime<Utc>) -> Result<Uuid> {
    let checked = signed(s)?;
    if !key_known(tx, s.signature.member_id, &checked.public_key)? {
        return Err(unknown_signer());
    }
    receive(tx, s, source, now)
}

fn unknown_signer() -> Error {
    Error::invalid("record.signature", ErrorCode::UnknownSigner, "the signer's key is not on the county's roster; sync once with signal, or ask them to sync")
}

/// A countersignature that did not come through the county: by a leader of the roster, with
/// the key the roster lists for them.
pub(crate) fn check_leader_key(tx: &Connection, sig: &WireSignature) -> Result<()> {
    let leader: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM member p JOIN member m ON m.id = coalesce(p.merged_into, p.id)
                        WHERE p.id = ?1 AND m.role = 'leader' AND m.confirmed = 1)",
        [sig.member_id],
        |r| r.get(0),
    )?;
    if !leader {
        return Err(Error::NotAllowed("the countersignature is not by a leader the county's roster confirms".into()));
    }
    let key = hex::decode(&sig.public_key).map_err(|_| Error::invalid("record.signature", ErrorCode::QrInvalid, "the key is not hex"))?;
    if !key_known(tx, sig.member_id, &key)? {
        return Err(unknown_signer());
    }
    Ok(())
}

/// Applies a leader's decision published by the county: the volunteer's phone seals its
/// patrol (checking the countersignature) or opens it again with the reason; every phone
/// takes the record off 队长待审. Returns whether a patrol of this phone was sealed.
pub(crate) fn apply_decision(tx: &Connection, d: &DecisionItem, now: DateTime<Utc>) -> Result<bool> {
    let hash = hex::decode(&d.record_hash).map_err(|e| Error::Corrupt(format!("decision hash: {e}")))?;
    let (decision, leader, reason) = match &d.decision {
        Decision::Countersigned { signature } => ("countersigned", Some(serde_json::to_string(signature)?), None),
        Decision::Returned { reason, .. } => ("returned", None, Some(reason.clone())),
    };
    // The county's decision stands on every phone, over one made here that lost the race.
    tx.execute(
        "UPDATE review SET decision = ?3, leader = ?4, reason = ?5, decided_at = ?6,
             decision_id = CASE WHEN decision IS ?3 THEN decision_id END
         WHERE patrol_id = ?1 AND record_hash = ?2 AND (decision IS NULL OR decision <> 'superseded')",
        params![d.patrol_id, hash, decision, leader, reason, now],
    )?;
    // The volunteer's phone: only the version that waits here, its newest, is decided on.
    let waiting: Option<(Vec<u8>, Vec<u8>)> = tx
        .query_row(
            "SELECT s.record_hash, s.signature FROM patrol p JOIN signature s ON s.patrol_id = p.id AND s.role = 'volunteer'
             WHERE p.id = ?1 AND p.state = 'submitted' ORDER BY s.signed_at DESC, s.id DESC LIMIT 1",
            [d.patrol_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((_, volunteer_sig)) = waiting.filter(|(latest, _)| *latest == hash) else { return Ok(false) };
    match &d.decision {
        Decision::Countersigned { signature } => {
            let public_key: [u8; 32] = hex::decode(&signature.public_key).ok().and_then(|k| k.try_into().ok()).ok_or_else(|| Error::Corrupt("countersignature key".into()))?;
            let sig: [u8; 64] = hex::decode(&signature.signature).ok().and_then(|k| k.try_into().ok()).ok_or_else(|| Error::Corrupt("countersignature".into()))?;
            if !verifies(&public_key, &countersign_message(&hash, &volunteer_sig), &sig) {
                return Err(Error::Corrupt(format!("the county's countersignature of patrol {} does not verify", d.patrol_id)));
            }
            let known: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM member WHERE id = ?1)", [signature.member_id], |r| r.get(0))?;
            if !known {
                return Err(Error::NotFound(format!("countersigner {} on this phone's roster", signature.member_id)));
            }
            let handwriting = B64.decode(&signature.handwriting_png).map_err(|e| Error::Corrupt(format!("handwriting: {e}")))?;
            let row = NewSignature {
                patrol_id: d.patrol_id,
                role: SignerRole::Leader,
                member_id: signature.member_id,
                public_key,
                record_hash: &hash,
                signature: sig,
                handwriting: &handwriting,
                signed_at: signature.signed_at,
            };
            insert_signature(tx, &row)?;
            seal(tx, d.patrol_id, &hash, now)?;
            Ok(true)
        }
        Decision::Returned { reason, .. } => {
            tx.execute("UPDATE patrol SET state = 'returned', returned_reason = ?2 WHERE id = ?1 AND state = 'submitted'", params![d.patrol_id, reason])?;
            Ok(false)
        }
    }
}

type ReviewRow = (Vec<u8>, String, Option<String>, Option<String>, Option<String>);

impl Store {
    /// The volunteer's signed record as the leader's phone receives it; `None` once the
    /// patrol was decided on this phone (countersigned here, or sent back and signed again).
    pub fn submission_push(&self, signature_id: Uuid) -> Result<Option<SubmissionPush>> {
        let row: Option<(Uuid, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT s.patrol_id, s.record_hash FROM signature s JOIN patrol p ON p.id = s.patrol_id
                 WHERE s.id = ?1 AND p.state = 'submitted'",
                [signature_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((patrol, hash)) = row else { return Ok(None) };
        let (latest, _) = self.latest_signature(patrol, SignerRole::Volunteer)?;
        if latest != hash {
            return Ok(None);
        }
        let (canonical, signatures, track_rvtk) = self.signed_parts(patrol, &hash)?;
        let signature = signatures.into_iter().rev().find(|s| s.role == SignerRole::Volunteer).ok_or_else(|| Error::Corrupt(format!("volunteer signature of {patrol}")))?;
        Ok(Some(SubmissionPush { canonical, signature, track_rvtk }))
    }

    /// A patrol of this phone signed by its volunteer and waiting for a leader, without its
    /// track (as handed over by QR, or sent back here: the track follows through the county).
    pub(crate) fn waiting_submission(&self, patrol: Uuid) -> Result<SubmissionPush> {
        if self.patrol_state(patrol)? != PatrolState::Submitted {
            return Err(Error::WrongState(format!("patrol {patrol} is not waiting for a leader")));
        }
        let (hash, _) = self.latest_signature(patrol, SignerRole::Volunteer)?;
        let (canonical, signatures, _) = self.signed_parts(patrol, &hash)?;
        let signature = signatures.into_iter().rev().find(|s| s.role == SignerRole::Volunteer).ok_or_else(|| Error::Corrupt(format!("volunteer signature of {patrol}")))?;
        Ok(SubmissionPush { canonical, signature, track_rvtk: None })
    }

    /// The countersignature made on this phone for a received patrol, with the hash it covers.
    pub(crate) fn countersignature_here(&self, patrol: Uuid) -> Result<(Vec<u8>, WireSignature)> {
        let row: Option<(Vec<u8>, String)> = self
            .conn()
            .query_row(
                "SELECT record_hash, leader FROM review WHERE patrol_id = ?1 AND decision = 'countersigned' AND decision_id IS NOT NULL",
                [patrol],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (hash, leader) = row.ok_or_else(|| Error::WrongState(format!("patrol {patrol} was not countersigned on this phone")))?;
        Ok((hash, serde_json::from_str(&leader)?))
    }

    /// Whether a record received for review names this photo.
    pub(crate) fn review_names_photo(&self, sha256: &str) -> Result<bool> {
        let canonicals: Vec<Vec<u8>> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT canonical FROM review WHERE instr(canonical, ?1) > 0")?;
            let rows = stmt.query_map([sha256.as_bytes()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        for c in canonicals {
            if parse(&c)?.observations.iter().flat_map(|o| &o.photos).any(|p| p.sha256 == sha256) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether a leader on this phone has a signing key: only then does it show 队长待审.
    fn leader_here(&self) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM member m JOIN signer_key k ON k.member_id = m.id WHERE m.role = 'leader' AND m.merged_into IS NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// 队长待审: patrols signed by their volunteer that wait for a leader on this phone,
    /// oldest first: received from other phones, and recorded here.
    pub fn reviews(&self) -> Result<Vec<ReviewSummary>> {
        if !self.leader_here()? {
            return Ok(vec![]);
        }
        let rows: Vec<(Vec<u8>, String)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT canonical, volunteer FROM review WHERE decision IS NULL ORDER BY received_at, patrol_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        let mut out = Vec::new();
        for (canonical, volunteer) in rows {
            let record = parse(&canonical)?;
            let volunteer: WireSignature = serde_json::from_str(&volunteer)?;
            out.push(ReviewSummary {
                patrol_id: record.id,
                volunteer: self.signer_name(&record, volunteer.member_id)?,
                started_at: record.started_at,
                assignment: record.assignment,
                route: record.route,
                on_this_phone: false,
            });
        }
        for p in self.list_patrols()?.into_iter().filter(|p| p.state == PatrolState::Submitted) {
            let volunteer = self.signatures(p.id)?.into_iter().rev().find(|s| s.role == SignerRole::Volunteer).map(|s| s.name).unwrap_or_default();
            out.push(ReviewSummary { patrol_id: p.id, volunteer, started_at: p.started_at, assignment: p.assignment, route: p.route, on_this_phone: true });
        }
        Ok(out)
    }

    /// The name of a signer: the roster's, or as the record's attendance has it.
    fn signer_name(&self, record: &PatrolRecord, member: Uuid) -> Result<String> {
        if let Some(name) = self.member_name(member)? {
            return Ok(name);
        }
        Ok(record.attendance.iter().find(|a| a.member_id == Some(member)).map(|a| a.name.clone()).unwrap_or_default())
    }

    fn review_row(&self, patrol: Uuid) -> Result<ReviewRow> {
        self.conn()
            .query_row(
                "SELECT canonical, volunteer, decision, leader, reason FROM review WHERE patrol_id = ?1
                 ORDER BY decision = 'superseded', received_at DESC LIMIT 1",
                [patrol],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("review of patrol {patrol}")))
    }

    /// A received patrol, read-only, as the leader reviews it: submitted while it waits,
    /// sealed once countersigned (this phone's copy of the sealed record), or returned.
    pub fn review_detail(&self, patrol: Uuid) -> Result<PatrolDetail> {
        let (canonical, volunteer, decision, leader, reason) = self.review_row(patrol)?;
        let record = parse(&canonical)?;
        let state = match decision.as_deref() {
            None | Some("superseded") => PatrolState::Submitted,
            Some("countersigned") => PatrolState::Sealed,
            _ => PatrolState::Returned,
        };
        let mut signatures = Vec::new();
        for sig in std::iter::once(Some(volunteer)).chain(std::iter::once(leader)).flatten() {
            let sig: WireSignature = serde_json::from_str(&sig)?;
            signatures.push(SignatureInfo {
                role: sig.role,
                member_id: sig.member_id,
                name: self.signer_name(&record, sig.member_id)?,
                signed_at: sig.signed_at,
                handwriting_png: B64.decode(&sig.handwriting_png).map_err(|e| Error::Corrupt(format!("handwriting: {e}")))?,
            });
        }
        let checks = self.answered(&record.checks)?;
        Ok(PatrolDetail { record, state, returned_reason: reason, signatures, checks })
    }

    /// A received patrol's track and its numbers (no points when it has none, or when it was
    /// handed over by QR and follows through the county).
    pub fn review_track(&self, patrol: Uuid) -> Result<(Vec<TrackPoint>, TrackSummary)> {
        let track: Option<Vec<u8>> = self
            .conn()
            .query_row("SELECT track_rvtk FROM review WHERE patrol_id = ?1 AND track_rvtk IS NOT NULL ORDER BY received_at DESC LIMIT 1", [patrol], |r| r.get(0))
            .optional()?;
        let points = match track {
            None => vec![],
            Some(bytes) => crate::track_codec::decode(&bytes).map_err(|e| Error::Corrupt(format!("track of {patrol}: {e}")))?,
        };
        let assignment = parse(&self.review_row(patrol)?.0)?.assignment;
        let settings = TrackSettings { mode: TrackSettings::for_assignment(assignment).mode, ..self.track_defaults()? };
        let summary = crate::track::summarise(&points, &settings);
        Ok((points, summary))
    }

    /// The waiting version of a received patrol: its submission and checked signature.
    fn waiting(&self, patrol: Uuid) -> Result<(SubmissionPush, Signed)> {
        let (canonical, volunteer, decision, _, _) = self.review_row(patrol)?;
        if decision.is_some() {
            return Err(Error::WrongState(format!("patrol {patrol} was decided already")));
        }
        let canonical = String::from_utf8(canonical).map_err(|e| Error::Corrupt(format!("signed record: {e}")))?;
        let submission = SubmissionPush { canonical, signature: serde_json::from_str(&volunteer)?, track_rvtk: None };
        let checked = signed(&submission)?;
        if !key_known(&self.conn(), submission.signature.member_id, &checked.public_key)? {
            return Err(unknown_signer());
        }
        Ok((submission, checked))
    }

    /// The leader countersigns a patrol received from another phone: checked against the
    /// roster's keys, signed with the leader's key, kept here as the sealed record, and queued
    /// for the county.
    pub fn countersign_review(&self, req: &SignPatrol, now: DateTime<Utc>) -> Result<()> {
        self.require_leader(req.member_id)?;
        check_handwriting(&req.handwriting_png)?;
        let (submission, checked) = self.waiting(req.patrol_id)?;
        self.check_two_people(submission.signature.member_id, req.member_id)?;
        let key = self.unlock(req.member_id, &req.pin, now)?;
        let signature = key.sign(&countersign_message(&checked.hash, &checked.signature));
        let leader = WireSignature {
            role: SignerRole::Leader,
            member_id: req.member_id,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            signature: hex::encode(signature.to_bytes()),
            signed_at: now,
            handwriting_png: B64.encode(&req.handwriting_png),
        };
        let id = Uuid::now_v7();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let decided = tx.execute(
            "UPDATE review SET decision = 'countersigned', decision_id = ?3, leader = ?4, decided_at = ?5
             WHERE patrol_id = ?1 AND record_hash = ?2 AND decision IS NULL",
            params![req.patrol_id, checked.hash.as_slice(), id, serde_json::to_string(&leader)?, now],
        )?;
        if decided == 0 {
            return Err(Error::WrongState(format!("patrol {} was decided meanwhile", req.patrol_id)));
        }
        crate::outbox::enqueue(&tx, OutboxKind::Countersign, &id.to_string(), 0, now)?;
        tx.commit()?;
        Ok(())
    }

    /// The leader sends a received patrol back to its volunteer, with a reason, signed.
    pub fn return_review(&self, patrol: Uuid, leader: Uuid, pin: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
        let reason = text("return.reason", reason, 200, true)?;
        self.require_leader(leader)?;
        let (_, checked) = self.waiting(patrol)?;
        let key = self.unlock(leader, pin, now)?;
        let signature = key.sign(&return_message(&checked.hash, &reason));
        let id = Uuid::now_v7();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let decided = tx.execute(
            "UPDATE review SET decision = 'returned', decision_id = ?3, reason = ?4, decided_at = ?5, returned_by = ?6, return_key = ?7, return_sig = ?8
             WHERE patrol_id = ?1 AND record_hash = ?2 AND decision IS NULL",
            params![patrol, checked.hash.as_slice(), id, reason, now, leader, key.verifying_key().to_bytes().as_slice(), signature.to_bytes().as_slice()],
        )?;
        if decided == 0 {
            return Err(Error::WrongState(format!("patrol {patrol} was decided meanwhile")));
        }
        crate::outbox::enqueue(&tx, OutboxKind::Return, &id.to_string(), 0, now)?;
        tx.commit()?;
        Ok(())
    }

    /// A countersignature made here, as the county receives it (with the record it covers).
    pub(crate) fn countersign_push(&self, decision_id: Uuid) -> Result<CountersignPush> {
        let row: (Vec<u8>, String, Option<String>, Option<Vec<u8>>) = self.conn().query_row(
            "SELECT canonical, volunteer, leader, track_rvtk FROM review WHERE decision_id = ?1",
            [decision_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let (canonical, volunteer, leader, track) = row;
        let leader = leader.ok_or_else(|| Error::Corrupt(format!("countersignature {decision_id}")))?;
        Ok(CountersignPush {
            submission: SubmissionPush {
                canonical: String::from_utf8(canonical).map_err(|e| Error::Corrupt(format!("signed record: {e}")))?,
                signature: serde_json::from_str(&volunteer)?,
                track_rvtk: track.map(|t| B64.encode(t)),
            },
            signature: serde_json::from_str(&leader)?,
        })
    }

    /// A return made here, as the county receives it (with the record it covers).
    pub(crate) fn return_push(&self, decision_id: Uuid) -> Result<ReturnPush> {
        type Row = (Vec<u8>, String, Option<Vec<u8>>, Option<String>, Option<DateTime<Utc>>, Option<Uuid>, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Row = self.conn().query_row(
            "SELECT canonical, volunteer, track_rvtk, reason, decided_at, returned_by, return_key, return_sig FROM review WHERE decision_id = ?1",
            [decision_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )?;
        let (canonical, volunteer, track, reason, at, by, key, sig) = row;
        let missing = || Error::Corrupt(format!("return {decision_id}"));
        Ok(ReturnPush {
            submission: SubmissionPush {
                canonical: String::from_utf8(canonical).map_err(|e| Error::Corrupt(format!("signed record: {e}")))?,
                signature: serde_json::from_str(&volunteer)?,
                track_rvtk: track.map(|t| B64.encode(t)),
            },
            member_id: by.ok_or_else(missing)?,
            public_key: hex::encode(key.ok_or_else(missing)?),
            reason: reason.ok_or_else(missing)?,
            returned_at: at.ok_or_else(missing)?,
            signature: hex::encode(sig.ok_or_else(missing)?),
        })
    }
}

/// Keeps a return made on the volunteer's own phone the way a leader's phone keeps one, and
/// queues it: the county may hold the signed record already, and must hear it was sent back.
pub(crate) fn record_local_return(tx: &Connection, s: &SubmissionPush, leader: Uuid, key: &ed25519_dalek::SigningKey, reason: &str, now: DateTime<Utc>) -> Result<()> {
    let checked = signed(s)?;
    let signature = key.sign(&return_message(&checked.hash, reason));
    let id = Uuid::now_v7();
    let track = s.track_rvtk.as_deref().map(|t| B64.decode(t)).transpose().map_err(|e| Error::Corrupt(format!("track: {e}")))?;
    tx.execute(
        "INSERT INTO review (patrol_id, record_hash, canonical, volunteer, track_rvtk, source, received_at,
                             decision, decision_id, reason, decided_at, returned_by, return_key, return_sig)
         VALUES (?1, ?2, ?3, ?4, ?5, 'local', ?6, 'returned', ?7, ?8, ?6, ?9, ?10, ?11)
         ON CONFLICT (patrol_id, record_hash) DO NOTHING",
        params![
            checked.record.id,
            checked.hash.as_slice(),
            s.canonical.as_bytes(),
            serde_json::to_string(&s.signature)?,
            track,
            now,
            id,
            reason,
            leader,
            key.verifying_key().to_bytes().as_slice(),
            signature.to_bytes().as_slice()
        ],
    )?;
    crate::outbox::enqueue(tx, OutboxKind::Return, &id.to_string(), 0, now)?;
    Ok(())
}

fn parse(canonical: &[u8]) -> Result<PatrolRecord> {
    let json = canonical.strip_prefix(PATROL_RECORD_V1).ok_or_else(|| Error::Corrupt("signed record without its version tag".into()))?;
    Ok(serde_json::from_slice(json)?)
}
