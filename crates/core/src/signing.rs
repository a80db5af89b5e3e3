//! Signing (签字): per-person Ed25519 keys unlocked by PIN, the volunteer's signature, the
//! leader's countersignature that freezes a patrol, amendments, and the hash chain
//! (the bound volume, 装订成册) with its verification.

use argon2::Argon2;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey};
use rand_core::{OsRng, RngCore};
use redvest_shared::patrol::{
    canonical_bytes, Finding, PatrolState, Presence, Problem, SignPatrol, SignatureInfo, SignerRole,
};
use redvest_shared::sync::OutboxKind;
use redvest_shared::team::{ChangePin, LiftPinLock, Member, PublicKeyInfo, Role};
use redvest_shared::ErrorCode;
use rusqlite::{params, OptionalExtension};
use redvest_shared::seal::{chain_link, countersign_message, key_message, sha256, verifies};
use uuid::Uuid;

use crate::field::{enum_from, enum_text, text};
use crate::{Error, Result, Store};

const MAX_HANDWRITING: usize = 512 * 1024;

fn check_pin(pin: &str) -> Result<()> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("signer.pin", ErrorCode::PinFormat, "the PIN must be 4 to 8 digits"));
    }
    Ok(())
}

/// Wrong PINs before each next try waits.
pub const WAIT_AFTER: i64 = 3;
/// Wrong PINs that lock a key until a leader lifts the lock.
pub const LOCK_AFTER: i64 = 10;

/// Seconds the next try waits after `failed` wrong PINs: none for the first three, then 30,
/// 60, 120 … (at most 15 minutes).
fn pin_wait(failed: i64) -> i64 {
    if failed < WAIT_AFTER {
        return 0;
    }
    (30 * (1i64 << (failed - WAIT_AFTER).min(5))).min(900)
}

/// The key that seals a secret key: Argon2id over the PIN, so guessing PINs is slow.
fn pin_key(pin: &str, salt: &[u8]) -> Result<ChaCha20Poly1305> {
    let mut key = [0u8; 32];
    Argon2::default()
        .hash_password_into(pin.as_bytes(), salt, &mut key)
        .map_err(|e| Error::Corrupt(format!("key derivation: {e}")))?;
    ChaCha20Poly1305::new_from_slice(&key).map_err(|e| Error::Corrupt(format!("cipher key: {e}")))
}

pub(crate) fn check_handwriting(png: &[u8]) -> Result<()> {
    const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() <= PNG_MAGIC.len() {
        return Err(Error::invalid("signature.handwriting", ErrorCode::Required, "draw the signature before signing"));
    }
    if !png.starts_with(PNG_MAGIC) || png.len() > MAX_HANDWRITING {
        return Err(Error::invalid("signature.handwriting", ErrorCode::OutOfRange, "the drawn signature must be a PNG under 512 KB; clear it and draw again"));
    }
    Ok(())
}

impl Store {
    /// Creates `member`'s signing key, sealed by `pin`: the member sets their PIN on this
    /// phone, before or after it is enrolled. The public key is queued for the county in the
    /// same transaction, ahead of anything it will sign. A leader's first PIN, once another
    /// leader has one here, takes the settings unlocked: a leader's password opens them.
    pub fn create_key(&self, member: Uuid, pin: &str, now: DateTime<Utc>) -> Result<PublicKeyInfo> {
        check_pin(pin)?;
        let m = self.member(member)?;
        if m.role == Role::Leader {
            self.may_change_settings()?;
        }
        if m.has_key {
            return Err(Error::WrongState(format!("{} already has a signing key on this device; change the PIN instead", m.name)));
        }
        self.install_key(&m, None, pin, now)
    }

    /// A member changes their PIN: the old PIN unlocks the old key, a new key is made and
    /// sealed by the new PIN, and the old key signs the new one so the county accepts it as
    /// the same person's.
    pub fn change_pin(&self, req: &ChangePin, now: DateTime<Utc>) -> Result<PublicKeyInfo> {
        if check_pin(&req.new_pin).is_err() {
            return Err(Error::invalid("pin.new", ErrorCode::PinFormat, "the new PIN must be 4 to 8 digits"));
        }
        let m = self.member(req.member_id)?;
        let old = self.unlock(req.member_id, &req.old_pin, now)?;
        self.install_key(&m, Some(&old), &req.new_pin, now)
    }

    /// Makes, seals and stores a key for `m` (replacing `previous`, which endorses it), and
    /// queues its key record.
    fn install_key(&self, m: &Member, previous: Option<&SigningKey>, pin: &str, now: DateTime<Utc>) -> Result<PublicKeyInfo> {
        let secret = SigningKey::generate(&mut OsRng);
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let sealed = pin_key(pin, &salt)?
            .encrypt(&Nonce::from(nonce), secret.to_bytes().as_slice())
            .map_err(|e| Error::Corrupt(format!("sealing the key: {e}")))?;
        let public = secret.verifying_key().to_bytes();
        let previous_key = previous.map(|k| k.verifying_key().to_bytes().to_vec());
        let endorsement = previous.map(|k| k.sign(&key_message(m.id, &public)).to_bytes().to_vec());
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // A first key only where there is none, a new one only over the key it replaces: a
        // double tap, or two changes at once, cannot swap a key behind the other's back.
        let stored = match previous {
            None => tx.execute(
                "INSERT INTO signer_key (member_id, public_key, kdf_salt, nonce, sealed_secret, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (member_id) DO NOTHING",
                params![m.id, public.as_slice(), salt.as_slice(), nonce.as_slice(), sealed, now],
            )?,
            Some(old) => tx.execute(
                "UPDATE signer_key SET public_key = ?2, kdf_salt = ?3, nonce = ?4, sealed_secret = ?5, created_at = ?6
                 WHERE member_id = ?1 AND public_key = ?7",
                params![m.id, public.as_slice(), salt.as_slice(), nonce.as_slice(), sealed, now, old.verifying_key().to_bytes().as_slice()],
            )?,
        };
        if stored == 0 {
            return Err(Error::WrongState(format!("{}'s signing key changed on this device meanwhile; look again and retry", m.name)));
        }
        tx.execute(
            "INSERT INTO key_record (id, member_id, public_key, previous_key, endorsement, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![Uuid::now_v7(), m.id, public.as_slice(), previous_key, endorsement, now],
        )?;
        crate::outbox::enqueue(&tx, OutboxKind::Key, &hex::encode(public), 0, now)?;
        tx.commit()?;
        Ok(PublicKeyInfo { member_id: m.id, name: m.name.clone(), public_key_hex: hex::encode(public) })
    }

    /// Everyone's public key on this device, for settings.
    pub fn public_keys(&self) -> Result<Vec<PublicKeyInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT k.member_id, m.name, k.public_key FROM signer_key k JOIN member m ON m.id = k.member_id ORDER BY m.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PublicKeyInfo { member_id: r.get(0)?, name: r.get(1)?, public_key_hex: hex::encode(r.get::<_, Vec<u8>>(2)?) })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The member's signing key, if `pin` opens it. Wrong PINs are counted per member: after
    /// [`WAIT_AFTER`] each try waits longer, after [`LOCK_AFTER`] the key stays locked until a
    /// leader lifts it ([`Store::lift_pin_lock`]); the right PIN clears the count.
    pub(crate) fn unlock(&self, member: Uuid, pin: &str, now: DateTime<Utc>) -> Result<SigningKey> {
        check_pin(pin)?;
        let failures: Option<(i64, DateTime<Utc>)> = self
            .conn()
            .query_row("SELECT failed, last_failed_at FROM pin_failure WHERE member_id = ?1", [member], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((failed, last)) = failures {
            if failed >= LOCK_AFTER {
                return Err(Error::PinLocked(self.member(member)?.name));
            }
            if now < last {
                // The clock was set back (a phone whose battery ran flat): the wait counts from
                // now, never longer than its length.
                self.conn().execute("UPDATE pin_failure SET last_failed_at = ?2 WHERE member_id = ?1", params![member, now])?;
            }
            let wait = pin_wait(failed) - (now - last).num_seconds().max(0);
            if wait > 0 {
                return Err(Error::PinWait(wait));
            }
        }
        match self.open_key(member, pin) {
            Err(Error::WrongPin) => {
                let failed: i64 = self.conn().query_row(
                    "INSERT INTO pin_failure (member_id, failed, first_failed_at, last_failed_at) VALUES (?1, 1, ?2, ?2)
                     ON CONFLICT (member_id) DO UPDATE SET failed = failed + 1, last_failed_at = excluded.last_failed_at
                     RETURNING failed",
                    params![member, now],
                    |r| r.get(0),
                )?;
                Err(if failed >= LOCK_AFTER { Error::PinLocked(self.member(member)?.name) } else { Error::WrongPin })
            }
            Ok(key) => {
                self.conn().execute("DELETE FROM pin_failure WHERE member_id = ?1", [member])?;
                Ok(key)
            }
            Err(e) => Err(e),
        }
    }

    /// A leader lifts the lock wrong PINs put on a member's key, with their own PIN. Only
    /// another leader whose key on this phone is older than the first wrong PIN: a key made
    /// afterwards (a 队长 added on the phone, a PIN set for the purpose) does not lift it.
    pub fn lift_pin_lock(&self, req: &LiftPinLock, now: DateTime<Utc>) -> Result<()> {
        let leader = self.member(req.leader_id)?;
        if leader.role != Role::Leader || req.leader_id == req.member_id {
            return Err(Error::NotAllowed("only another person in the leader role lifts a PIN lock".into()));
        }
        let older: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM signer_key k, pin_failure f WHERE k.member_id = ?1 AND f.member_id = ?2 AND k.created_at < f.first_failed_at)",
            params![req.leader_id, req.member_id],
            |r| r.get(0),
        )?;
        if !older {
            return Err(Error::NotAllowed("this leader's key is newer than the lock; a leader whose PIN was set before it lifts it".into()));
        }
        self.unlock(req.leader_id, &req.leader_pin, now)?;
        self.conn().execute("DELETE FROM pin_failure WHERE member_id = ?1", [req.member_id])?;
        Ok(())
    }

    fn open_key(&self, member: Uuid, pin: &str) -> Result<SigningKey> {
        let row: Option<(Vec<u8>, Vec<u8>, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT kdf_salt, nonce, sealed_secret FROM signer_key WHERE member_id = ?1",
                [member],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((salt, nonce, sealed)) = row else {
            return Err(Error::NoKey(self.member(member)?.name));
        };
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| Error::Corrupt(format!("key nonce of {member}")))?;
        let secret = pin_key(pin, &salt)?
            .decrypt(&Nonce::from(nonce), sealed.as_slice())
            .map_err(|_| Error::WrongPin)?;
        let secret: [u8; 32] = secret.try_into().map_err(|_| Error::Corrupt(format!("secret key of {member}")))?;
        Ok(SigningKey::from_bytes(&secret))
    }

    /// The volunteer finishes the patrol: remarks, end time, handwritten and Ed25519 signature.
    pub fn submit_patrol(&self, req: &SignPatrol, now: DateTime<Utc>) -> Result<()> {
        let state = self.patrol_state(req.patrol_id)?;
        if !state.is_editable() {
            return Err(Error::WrongState(format!("patrol is {state:?}; only an open patrol can be finished")));
        }
        check_handwriting(&req.handwriting_png)?;
        let remarks = text("patrol.remarks", &req.remarks, 1000, false)?;
        // The track is closed first (keeping the last position): the record signed is the
        // one the leader will see.
        self.close_track(req.patrol_id)?;
        let mut record = self.patrol_record(req.patrol_id)?;
        if !record.attendance.iter().any(|a| a.presence != Presence::Absent) {
            return Err(Error::invalid("attendance", ErrorCode::NoPresentMember, "mark at least one member present"));
        }
        if !record.attendance.iter().any(|a| a.member_id == Some(req.member_id) && a.presence != Presence::Absent) {
            return Err(Error::invalid("signature.member", ErrorCode::NotAllowed, "the signer must be a member present on this patrol"));
        }
        if now < record.started_at {
            return Err(Error::invalid("patrol.ended_at", ErrorCode::EndBeforeStart, "the end is before the start; check the phone's clock"));
        }
        let key = self.unlock(req.member_id, &req.pin, now)?;
        // An amendment corrects a patrol that ended when it did; any other patrol ends when
        // it is signed (a patrol sent back and signed again is a new version, with a new end).
        let ended_at = record.ended_at.filter(|_| record.amends.is_some()).unwrap_or(now);
        record.ended_at = Some(ended_at);
        record.remarks = remarks;
        let bytes = canonical_bytes(&record);
        let hash = sha256(&[&bytes]);
        let signature = key.sign(&hash);

        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE patrol SET ended_at = ?2, remarks = ?3, state = 'submitted', returned_reason = NULL WHERE id = ?1",
            params![req.patrol_id, ended_at, record.remarks],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO signed_record (hash, patrol_id, canonical) VALUES (?1, ?2, ?3)",
            params![hash.as_slice(), req.patrol_id, bytes],
        )?;
        let signed = insert_signature(&tx, &NewSignature::made(req, SignerRole::Volunteer, &key, &hash, &signature, now))?;
        // Queued with the signature, photos after it: the leader reviews it on their own
        // phone once it syncs.
        crate::outbox::enqueue(&tx, OutboxKind::Submission, &signed.to_string(), 0, now)?;
        crate::outbox::enqueue_photos(&tx, req.patrol_id, now)?;
        tx.commit()?;
        Ok(())
    }

    /// The leader sends a submitted patrol back to the volunteer with a reason, on this phone;
    /// the signed return goes to the county too (it may hold the signed record already).
    pub fn return_patrol(&self, patrol: Uuid, leader: Uuid, pin: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
        let reason = text("return.reason", reason, 200, true)?;
        self.require_leader(leader)?;
        let key = self.unlock(leader, pin, now)?;
        if self.patrol_state(patrol)? != PatrolState::Submitted {
            return Err(Error::WrongState("only a submitted patrol can be sent back".into()));
        }
        let submission = self.waiting_submission(patrol)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("UPDATE patrol SET state = 'returned', returned_reason = ?2 WHERE id = ?1", params![patrol, reason])?;
        crate::outbox::supersede_submissions(&tx, patrol, now)?;
        crate::review::record_local_return(&tx, &submission, leader, &key, &reason, now)?;
        tx.commit()?;
        Ok(())
    }

    /// The leader countersigns: the patrol is sealed, chained, and frozen by the database.
    pub fn countersign(&self, req: &SignPatrol, now: DateTime<Utc>) -> Result<()> {
        self.require_leader(req.member_id)?;
        check_handwriting(&req.handwriting_png)?;
        if self.patrol_state(req.patrol_id)? != PatrolState::Submitted {
            return Err(Error::WrongState("only a patrol signed by its volunteer can be countersigned".into()));
        }
        self.check_two_people(self.volunteer_signer(req.patrol_id)?, req.member_id)?;
        let key = self.unlock(req.member_id, &req.pin, now)?;
        let (hash, volunteer_sig) = self.latest_signature(req.patrol_id, SignerRole::Volunteer)?;
        let current = sha256(&[&canonical_bytes(&self.patrol_record(req.patrol_id)?)]);
        if current.as_slice() != hash.as_slice() {
            return Err(Error::WrongState("the patrol changed after the volunteer signed it; send it back".into()));
        }
        let signature = key.sign(&countersign_message(&hash, &volunteer_sig));

        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_signature(&tx, &NewSignature::made(req, SignerRole::Leader, &key, &hash, &signature, now))?;
        seal(&tx, req.patrol_id, &hash, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Who signed a submitted patrol as its volunteer.
    fn volunteer_signer(&self, patrol: Uuid) -> Result<Uuid> {
        Ok(self.conn().query_row(
            "SELECT member_id FROM signature WHERE patrol_id = ?1 AND role = 'volunteer' ORDER BY signed_at DESC, id DESC LIMIT 1",
            [patrol],
            |r| r.get(0),
        )?)
    }

    /// One person does not sign a patrol as volunteer and as leader, unless they are the
    /// whole team.
    pub(crate) fn check_two_people(&self, volunteer: Uuid, leader: Uuid) -> Result<()> {
        let members: i64 = self.conn().query_row("SELECT count(*) FROM member WHERE merged_into IS NULL", [], |r| r.get(0))?;
        if volunteer == leader && members > 1 {
            return Err(Error::invalid("signature.member", ErrorCode::SameSigner, "the volunteer who signed cannot countersign; another leader must"));
        }
        Ok(())
    }

    /// Starts an amendment of a sealed patrol: a new open patrol with the same content (and
    /// track) that references the original, to be corrected and signed in its own right.
    pub fn start_amendment(&self, original: Uuid, now: DateTime<Utc>) -> Result<Uuid> {
        if self.patrol_state(original)? != PatrolState::Sealed {
            return Err(Error::WrongState("only a countersigned patrol is amended; edit an open one directly".into()));
        }
        let id = Uuid::now_v7();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO patrol (id, started_at, ended_at, duty_id, assignment, route, planned_start, remarks, state, amends)
             SELECT ?2, started_at, ended_at, duty_id, assignment, route, planned_start, remarks, 'open', id FROM patrol WHERE id = ?1",
            params![original, id],
        )?;
        tx.execute(
            "INSERT INTO attendance (patrol_id, position, member_id, name, role, presence, reason)
             SELECT ?2, position, member_id, name, role, presence, reason FROM attendance WHERE patrol_id = ?1",
            params![original, id],
        )?;
        tx.execute(
            "INSERT INTO check_result (patrol_id, code, catalog_version, outcome)
             SELECT ?2, code, catalog_version, outcome FROM check_result WHERE patrol_id = ?1",
            params![original, id],
        )?;
        tx.execute(
            "INSERT INTO track_point (patrol_id, seq, segment, lat, lon, altitude_m, accuracy_m, time)
             SELECT ?2, seq, segment, lat, lon, altitude_m, accuracy_m, time FROM track_point WHERE patrol_id = ?1",
            params![original, id],
        )?;
        let observations: Vec<(Uuid, String, Option<Uuid>)> = {
            let mut stmt = tx.prepare("SELECT id, body, hazard_id FROM observation WHERE patrol_id = ?1 ORDER BY id")?;
            let rows = stmt.query_map([original], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
            rows
        };
        for (old, body, hazard_id) in observations {
            let new = Uuid::now_v7();
            tx.execute(
                "INSERT INTO observation (id, patrol_id, body, hazard_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new, id, body, hazard_id, now],
            )?;
            tx.execute(
                "INSERT INTO observation_photo (observation_id, sha256, position)
                 SELECT ?2, sha256, position FROM observation_photo WHERE observation_id = ?1",
                params![old, new],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    pub(crate) fn require_leader(&self, member: Uuid) -> Result<()> {
        if self.member(member)?.role != Role::Leader {
            return Err(Error::NotAllowed("only the team leader can review and countersign".into()));
        }
        Ok(())
    }

    pub(crate) fn latest_signature(&self, patrol: Uuid, role: SignerRole) -> Result<(Vec<u8>, Vec<u8>)> {
        self.conn()
            .query_row(
                "SELECT record_hash, signature FROM signature WHERE patrol_id = ?1 AND role = ?2 ORDER BY signed_at DESC, id DESC LIMIT 1",
                params![patrol, enum_text(&role)?],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("{role:?} signature of patrol {patrol}")))
    }

    /// A patrol's signatures, oldest first.
    pub fn signatures(&self, patrol: Uuid) -> Result<Vec<SignatureInfo>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.role, s.member_id, m.name, s.signed_at, s.handwriting FROM signature s
             JOIN member m ON m.id = s.member_id WHERE s.patrol_id = ?1 ORDER BY s.signed_at, s.id",
        )?;
        let rows = stmt.query_map([patrol], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        rows.map(|row| {
            let (role, member_id, name, signed_at, handwriting_png) = row?;
            Ok(SignatureInfo { role: enum_from(&role)?, member_id, name, signed_at, handwriting_png })
        })
        .collect()
    }

    /// Checks every sealed patrol and the chain. An empty list means all is intact.
    pub fn verify(&self) -> Result<Vec<Finding>> {
        let mut findings = Vec::new();
        let found = |patrol_id, seq, problem| Finding { patrol_id, seq, problem };
        let sealed: Vec<Uuid> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT id FROM patrol WHERE state = 'sealed' ORDER BY id")?;
            let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            ids
        };
        for id in &sealed {
            let (hash, volunteer_sig) = self.latest_signature(*id, SignerRole::Volunteer)?;
            let record = self.patrol_record(*id)?;
            let rows_hash = sha256(&[&canonical_bytes(&record)]);
            if rows_hash.as_slice() != hash.as_slice() {
                findings.push(found(Some(*id), None, Problem::ContentChanged));
            }
            if record.observations.iter().flat_map(|o| &o.photos).any(|p| !self.photo_intact(&p.sha256)) {
                findings.push(found(Some(*id), None, Problem::PhotoChanged));
            }
            let canonical: Option<Vec<u8>> = self
                .conn()
                .query_row("SELECT canonical FROM signed_record WHERE hash = ?1", [&hash], |r| r.get(0))
                .optional()?;
            if canonical.is_none_or(|c| sha256(&[&c]).as_slice() != hash.as_slice()) {
                findings.push(found(Some(*id), None, Problem::SignedBytesChanged));
            }
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT role, public_key, record_hash, signature FROM signature WHERE patrol_id = ?1 ORDER BY signed_at, id",
            )?;
            let sigs = stmt
                .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, Vec<u8>>(3)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            drop(stmt);
            drop(conn);
            for (role, public, signed_hash, sig) in sigs {
                if signed_hash != hash {
                    continue; // an earlier round, superseded after the patrol was sent back
                }
                let message = match enum_from::<SignerRole>(&role)? {
                    SignerRole::Volunteer => signed_hash.clone(),
                    SignerRole::Leader => countersign_message(&signed_hash, &volunteer_sig),
                };
                if !verifies(&public, &message, &sig) {
                    findings.push(found(Some(*id), None, Problem::SignatureInvalid));
                }
            }
        }

        let links: Vec<(i64, Uuid, Vec<u8>, Vec<u8>)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT seq, patrol_id, record_hash, link FROM chain ORDER BY seq")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
            rows
        };
        let mut prev = [0u8; 32];
        for (seq, patrol, record_hash, link) in &links {
            let signed = self.latest_signature(*patrol, SignerRole::Leader).ok().map(|(h, _)| h);
            if chain_link(&prev, *patrol, record_hash).as_slice() != link.as_slice() || signed.as_ref() != Some(record_hash) {
                findings.push(found(Some(*patrol), Some(*seq), Problem::ChainBroken));
            }
            prev = link.as_slice().try_into().unwrap_or([0; 32]);
        }
        for id in sealed {
            if !links.iter().any(|(_, p, _, _)| *p == id) {
                findings.push(found(Some(id), None, Problem::NotInChain));
            }
        }
        Ok(findings)
    }
}

/// A signature to store: made here, or received (a countersignature from another phone).
pub(crate) struct NewSignature<'a> {
    pub patrol_id: Uuid,
    pub role: SignerRole,
    pub member_id: Uuid,
    pub public_key: [u8; 32],
    pub record_hash: &'a [u8],
    pub signature: [u8; 64],
    pub handwriting: &'a [u8],
    pub signed_at: DateTime<Utc>,
}

impl<'a> NewSignature<'a> {
    fn made(req: &'a SignPatrol, role: SignerRole, key: &SigningKey, hash: &'a [u8], signature: &Signature, now: DateTime<Utc>) -> Self {
        NewSignature {
            patrol_id: req.patrol_id,
            role,
            member_id: req.member_id,
            public_key: key.verifying_key().to_bytes(),
            record_hash: hash,
            signature: signature.to_bytes(),
            handwriting: &req.handwriting_png,
            signed_at: now,
        }
    }
}

/// Stores a signature; returns its id.
pub(crate) fn insert_signature(tx: &rusqlite::Connection, s: &NewSignature<'_>) -> Result<Uuid> {
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO signature (id, patrol_id, role, member_id, public_key, record_hash, signature, handwriting, signed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, s.patrol_id, enum_text(&s.role)?, s.member_id, s.public_key.as_slice(), s.record_hash, s.signature.as_slice(), s.handwriting, s.signed_at],
    )?;
    Ok(id)
}

/// Seals a countersigned patrol: its link in this phone's chain, frozen, and queued for the
/// county in the same transaction (a sealed patrol is never left behind).
pub(crate) fn seal(tx: &rusqlite::Connection, patrol: Uuid, hash: &[u8], now: DateTime<Utc>) -> Result<()> {
    let prev: Option<Vec<u8>> = tx.query_row("SELECT link FROM chain ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).optional()?;
    let prev: [u8; 32] = match prev {
        Some(p) => p.try_into().map_err(|_| Error::Corrupt("chain link length".into()))?,
        None => [0; 32],
    };
    tx.execute(
        "INSERT INTO chain (patrol_id, record_hash, link) VALUES (?1, ?2, ?3)",
        params![patrol, hash, chain_link(&prev, patrol, hash).as_slice()],
    )?;
    tx.execute("UPDATE patrol SET state = 'sealed' WHERE id = ?1", [patrol])?;
    crate::outbox::supersede_submissions(tx, patrol, now)?;
    crate::outbox::enqueue_patrol(tx, patrol, now)?;
    Ok(())
}
