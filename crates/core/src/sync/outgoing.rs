//! Outgoing: what the outbox holds, as the county receives it, sent in an order that lets
//! every record be judged: people and keys first, then patrols and hazard entries, then the
//! photos of patrols the county holds. A refusal marks its entry and the rest goes on; a
//! refusal that only waits for the county (a key, a roster change) holds its entry as 待上传.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use redvest_shared::patrol::SignerRole;
use redvest_shared::sync::{OutboxItem, OutboxKind, OutboxState, Progress};
use redvest_shared::wire::{
    content_sha256, ChainEntry, HazardEventPush, KeyPush, MemberProposal, PatrolPush, PushBatch, PushOutcome, PushRecord, PushResults, RecordBody,
    Refusal, WireSignature,
};
use reqwest::blocking::RequestBuilder;
use reqwest::StatusCode;
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use super::run::Run;
use super::{header_number, send, send_checked, transport, SyncFailure, SyncReport};
use crate::field::enum_from;
use crate::{Error, Result, Store};

impl Store {
    /// The sealed patrol as the county receives it.
    pub fn patrol_push(&self, patrol: Uuid) -> Result<PatrolPush> {
        let (seq, hash, link, prev) = {
            let conn = self.conn();
            let (seq, hash, link): (i64, Vec<u8>, Vec<u8>) = conn
                .query_row("SELECT seq, record_hash, link FROM chain WHERE patrol_id = ?1", [patrol], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?
                .ok_or_else(|| Error::WrongState(format!("patrol {patrol} is not sealed")))?;
            let prev: Vec<u8> = conn
                .query_row("SELECT link FROM chain WHERE seq < ?1 ORDER BY seq DESC LIMIT 1", [seq], |r| r.get(0))
                .optional()?
                .unwrap_or_else(|| vec![0; 32]);
            (seq, hash, link, prev)
        };
        let (canonical, signatures, track_rvtk) = self.signed_parts(patrol, &hash)?;
        Ok(PatrolPush { canonical, signatures, chain: ChainEntry { seq, prev: hex::encode(prev), link: hex::encode(link) }, track_rvtk })
    }

    /// A patrol's signed bytes at `hash`, the signatures over them and its track, as sent.
    pub(crate) fn signed_parts(&self, patrol: Uuid, hash: &[u8]) -> Result<(String, Vec<WireSignature>, Option<String>)> {
        let record = self.patrol_record(patrol)?;
        let conn = self.conn();
        let canonical: Vec<u8> = conn.query_row("SELECT canonical FROM signed_record WHERE hash = ?1", [hash], |r| r.get(0))?;
        let canonical = String::from_utf8(canonical).map_err(|e| Error::Corrupt(format!("signed record is not UTF-8: {e}")))?;
        let mut stmt = conn.prepare(
            "SELECT role, member_id, public_key, signature, signed_at, handwriting FROM signature
             WHERE patrol_id = ?1 AND record_hash = ?2 ORDER BY signed_at, id",
        )?;
        let b64 = base64::engine::general_purpose::STANDARD;
        let signatures = stmt
            .query_map(params![patrol, hash], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Uuid>(1)?, r.get::<_, Vec<u8>>(2)?, r.get::<_, Vec<u8>>(3)?, r.get::<_, DateTime<Utc>>(4)?, r.get::<_, Vec<u8>>(5)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(role, member_id, public, sig, signed_at, png)| {
                Ok(WireSignature {
                    role: enum_from::<SignerRole>(&role)?,
                    member_id,
                    public_key: hex::encode(public),
                    signature: hex::encode(sig),
                    signed_at,
                    handwriting_png: b64.encode(png),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        drop(stmt);
        drop(conn);
        let track_rvtk = record.track_sha256.is_some().then(|| Ok::<_, Error>(b64.encode(crate::track_codec::encode(&self.track(patrol)?)))).transpose()?;
        Ok((canonical, signatures, track_rvtk))
    }

    /// A hazard history entry as the county receives it, and the patrol that opened the hazard.
    fn hazard_event_push(&self, event: Uuid) -> Result<(HazardEventPush, Uuid)> {
        let row = self.conn().query_row(
            "SELECT e.hazard_id, e.at, e.by_name, e.state, e.reason, e.responsible, e.deadline, h.first_patrol
             FROM hazard_event e JOIN hazard h ON h.id = e.hazard_id WHERE e.id = ?1",
            [event],
            |r| Ok((r.get::<_, Uuid>(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get::<_, Uuid>(7)?)),
        )?;
        let (hazard_id, at, by_name, state, reason, responsible, deadline, first_patrol) = row;
        Ok((HazardEventPush { hazard_id, at, by_name, state: enum_from(&state)?, reason, responsible, deadline }, first_patrol))
    }

    /// Whether the county holds a patrol's text: sealed, or signed for the leader.
    fn text_at_county(&self, patrol: Uuid) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = 'patrol' AND ref = ?1 AND state = 'sent')
                 OR EXISTS (SELECT 1 FROM outbox o JOIN signature s ON unhex(o.ref, '-') = s.id
                            WHERE o.kind = 'submission' AND o.state = 'sent' AND s.patrol_id = ?2)",
            params![patrol.to_string(), patrol],
            |r| r.get(0),
        )?)
    }

    /// The patrols that carry a photo.
    fn photo_patrols(&self, sha: &str) -> Result<Vec<Uuid>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT o.patrol_id FROM observation_photo op JOIN observation o ON o.id = op.observation_id WHERE op.sha256 = ?1",
        )?;
        let rows = stmt.query_map([sha], |r| r.get(0))?.collect::<rusqlite::Result<Vec<Uuid>>>()?;
        Ok(rows)
    }

    /// A key record as the county receives it, with the record's id.
    fn key_push(&self, public_hex: &str) -> Result<(Uuid, KeyPush)> {
        let public = hex::decode(public_hex).map_err(|e| Error::Corrupt(format!("outbox key {public_hex}: {e}")))?;
        let (id, member_id, previous, endorsement, created_at): (Uuid, Uuid, Option<Vec<u8>>, Option<Vec<u8>>, DateTime<Utc>) = self.conn().query_row(
            "SELECT id, member_id, previous_key, endorsement, created_at FROM key_record WHERE public_key = ?1",
            [&public],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let key = KeyPush { member_id, public_key: public_hex.into(), created_at, previous_key: previous.map(hex::encode), endorsement: endorsement.map(hex::encode) };
        Ok((id, key))
    }

    /// A person added on this phone, as proposed to the county.
    fn member_push(&self, id: Uuid) -> Result<MemberProposal> {
        let m = self.member(id)?;
        Ok(MemberProposal { member_id: id, name: m.name, role: m.role })
    }

    /// The public keys (hex) of the signatures an entry carries that were made on this phone:
    /// each must reach the county before the record it signs.
    fn signer_keys(&self, kind: OutboxKind, reference: &str) -> Result<Vec<String>> {
        let conn = self.conn();
        let (sql, key): (&str, Vec<u8>) = match kind {
            OutboxKind::Patrol => (
                "SELECT DISTINCT s.public_key FROM signature s JOIN chain c ON c.patrol_id = s.patrol_id AND c.record_hash = s.record_hash
                 WHERE s.patrol_id = ?1",
                Uuid::parse_str(reference).map_err(|e| Error::Corrupt(format!("outbox ref {reference}: {e}")))?.as_bytes().to_vec(),
            ),
            OutboxKind::Submission => (
                "SELECT public_key FROM signature WHERE id = ?1",
                Uuid::parse_str(reference).map_err(|e| Error::Corrupt(format!("outbox ref {reference}: {e}")))?.as_bytes().to_vec(),
            ),
            OutboxKind::Countersign | OutboxKind::Return => (
                "SELECT coalesce(return_key, unhex(json_extract(leader, '$.public_key'))) FROM review WHERE decision_id = ?1",
                Uuid::parse_str(reference).map_err(|e| Error::Corrupt(format!("outbox ref {reference}: {e}")))?.as_bytes().to_vec(),
            ),
            _ => return Ok(vec![]),
        };
        let mut stmt = conn.prepare(sql)?;
        let keys = stmt.query_map([key], |r| r.get::<_, Option<Vec<u8>>>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(keys.into_iter().flatten().map(hex::encode).collect())
    }

    /// Marks an entry the county no longer needs: a submission whose patrol was decided on
    /// this phone (countersigned here and sent whole, or sent back and signed again), a photo
    /// no record names any more.
    fn outbox_superseded(&self, kind: OutboxKind, reference: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state = 'superseded', held = 0, updated_at = ?3 WHERE kind = ?1 AND ref = ?2",
            params![crate::field::enum_text(&kind)?, reference, now],
        )?;
        Ok(())
    }

    /// Whether a "not yet" answer (see [`Refusal::waits`]) can still come right by itself. A
    /// countersigner the pulled roster lists as confirmed in another role will not become 队长:
    /// such a patrol is refused (shown, with 重新发送), not held for a confirmation that will
    /// not come.
    fn may_come_right(&self, kind: OutboxKind, reference: &str, code: Refusal) -> Result<bool> {
        if !code.waits() {
            return Ok(false);
        }
        let sql = match (kind, code) {
            (OutboxKind::Patrol, Refusal::NotLeader) => "SELECT s.member_id FROM signature s WHERE s.patrol_id = ?1 AND s.role = 'leader'",
            (OutboxKind::Countersign, Refusal::NotLeader) => "SELECT json_extract(leader, '$.member_id') FROM review WHERE decision_id = ?1",
            (OutboxKind::Return, Refusal::NotLeader) => "SELECT returned_by FROM review WHERE decision_id = ?1",
            _ => return Ok(true),
        };
        let id = Uuid::parse_str(reference).map_err(|e| Error::Corrupt(format!("outbox ref {reference}: {e}")))?;
        let leaders: Vec<Uuid> = {
            let conn = self.conn();
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([id], |r| r.get::<_, rusqlite::types::Value>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .filter_map(|v| match v {
                    rusqlite::types::Value::Blob(b) => Uuid::from_slice(&b).ok(),
                    rusqlite::types::Value::Text(t) => Uuid::parse_str(&t).ok(),
                    _ => None,
                })
                .collect()
        };
        for leader in leaders {
            let other_role: bool = self.conn().query_row(
                "SELECT EXISTS (SELECT 1 FROM member p JOIN member m ON m.id = coalesce(p.merged_into, p.id)
                 WHERE p.id = ?1 AND m.confirmed = 1 AND m.role <> 'leader')",
                [leader],
                |r| r.get(0),
            )?;
            if other_role {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The outbox entry of a key the county does not hold yet: its state and refusal code.
    fn key_unsent(&self, public_hex: &str) -> Result<Option<(OutboxState, Option<Refusal>)>> {
        let row: Option<(String, Option<String>)> = self
            .conn()
            .query_row("SELECT state, code FROM outbox WHERE kind = 'key' AND ref = ?1 AND state <> 'sent'", [public_hex], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(state, code)| Ok((enum_from(&state)?, code.as_deref().map(enum_from).transpose()?))).transpose()
    }
}

/// How a photo's upload ended.
enum Upload {
    /// The county holds it.
    Done,
    /// The county does not take it yet.
    NotYet,
    /// The county refuses its bytes, with why.
    Refused(String),
}

impl Run<'_> {
    fn auth(&self, request: RequestBuilder) -> RequestBuilder {
        request.bearer_auth(&self.enrolment.token)
    }

    /// Every record due: rapid reports before anything else (someone may be in danger), then
    /// people and keys, so the patrols they sign can be judged.
    pub(super) fn push(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        self.push_rapid(report)?;
        self.push_kinds(&[OutboxKind::Member, OutboxKind::Key], report)?;
        self.push_kinds(&[OutboxKind::Patrol, OutboxKind::HazardEvent, OutboxKind::Submission, OutboxKind::Countersign, OutboxKind::Return], report)
    }

    /// Rapid reports due now, in their own request; also between photos, so one pressed
    /// while photos go up does not wait for them. A county that refuses the request whole (one
    /// from before rapid reports answers 422 to the unknown kind) refuses the reports alone:
    /// they are marked refused (重新发送 tries again) and the run goes on.
    pub(super) fn push_rapid(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        match self.push_kinds(&[OutboxKind::Rapid], report) {
            Err(SyncFailure::Protocol(reason)) => {
                report.refused += self.store.refuse_sending(OutboxKind::Rapid, &reason, Utc::now())?;
                Ok(())
            }
            other => other,
        }
    }

    /// Records of `kinds`, oldest first, in batches. A patrol whose signer's key has not
    /// reached the county waits for it; a hazard entry waits for the patrol that opened its
    /// hazard.
    fn push_kinds(&self, kinds: &[OutboxKind], report: &mut SyncReport) -> Result<(), SyncFailure> {
        let mut due: Vec<OutboxItem> = kinds.iter().map(|k| self.store.outbox_due(*k)).collect::<Result<Vec<_>>>()?.into_iter().flatten().collect();
        due.sort_by_key(|i| i.seq);
        let mut in_batch_patrols = Vec::new();
        let mut records = Vec::new();
        for item in due {
            let uuid = || Uuid::parse_str(&item.reference).map_err(|e| Error::Corrupt(format!("outbox ref {}: {e}", item.reference)));
            let (id, body) = match item.kind {
                OutboxKind::Rapid => (uuid()?, RecordBody::Rapid(self.store.rapid_push(uuid()?)?)),
                OutboxKind::Member => (uuid()?, RecordBody::Member(self.store.member_push(uuid()?)?)),
                OutboxKind::Key => {
                    let (id, key) = self.store.key_push(&item.reference)?;
                    (id, RecordBody::Key(key))
                }
                OutboxKind::Patrol | OutboxKind::Submission | OutboxKind::Countersign | OutboxKind::Return => {
                    let id = uuid()?;
                    if item.kind == OutboxKind::Submission && self.store.submission_push(id)?.is_none() {
                        self.store.outbox_superseded(item.kind, &item.reference, Utc::now())?;
                        continue;
                    }
                    let (mut waiting_key, mut refused_key) = (None, None);
                    for key in self.store.signer_keys(item.kind, &item.reference)? {
                        match self.store.key_unsent(&key)? {
                            Some((OutboxState::Failed | OutboxState::Conflict, code)) => refused_key = Some((key, code)),
                            Some(_) => waiting_key = Some(key),
                            None => {}
                        }
                    }
                    // Its signer's key was refused: the record is refused with it (shown, and
                    // 重新发送 sends both again), not held for a key that will never land.
                    if let Some((key, code)) = refused_key {
                        let reason = format!("its signer's key {key} was refused by the county");
                        self.store.mark_outbox(item.kind, &item.reference, OutboxState::Failed, Some((code.unwrap_or(Refusal::Other), &reason)), Utc::now())?;
                        continue;
                    }
                    if let Some(key) = waiting_key {
                        report.held += 1;
                        let reason = format!("waits for key {key} to reach the county");
                        self.store.hold_outbox(item.kind, &item.reference, Refusal::UnknownKey, &reason, Utc::now())?;
                        continue;
                    }
                    let body = match item.kind {
                        OutboxKind::Patrol => {
                            in_batch_patrols.push(id);
                            RecordBody::Patrol(self.store.patrol_push(id)?)
                        }
                        OutboxKind::Submission => match self.store.submission_push(id)? {
                            Some(s) => RecordBody::Submission(s),
                            None => continue,
                        },
                        OutboxKind::Countersign => RecordBody::Countersign(self.store.countersign_push(id)?),
                        _ => RecordBody::Return(self.store.return_push(id)?),
                    };
                    (id, body)
                }
                OutboxKind::HazardEvent => {
                    let id = uuid()?;
                    let (event, patrol) = self.store.hazard_event_push(id)?;
                    if !in_batch_patrols.contains(&patrol) && !self.store.outbox_sent(OutboxKind::Patrol, &patrol.to_string())? {
                        continue; // its hazard reaches the county with that patrol
                    }
                    (id, RecordBody::HazardEvent(event))
                }
                OutboxKind::Photo => continue,
            };
            records.push((item.kind, item.reference.clone(), PushRecord { id, content_sha256: content_sha256(&body), body }));
            if records.len() == self.options.batch {
                self.push_batch(std::mem::take(&mut records), report)?;
            }
        }
        if !records.is_empty() {
            self.push_batch(records, report)?;
        }
        Ok(())
    }

    fn push_batch(&self, records: Vec<(OutboxKind, String, PushRecord)>, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let now = Utc::now();
        for (kind, reference, _) in &records {
            self.store.mark_outbox(*kind, reference, OutboxState::Sending, None, now)?;
        }
        let batch = PushBatch { records: records.iter().map(|(_, _, r)| r.clone()).collect() };
        let results: PushResults = send(self.auth(self.client.post(self.url("/push")).json(&batch)))?.json().map_err(transport)?;
        report.answers += 1;
        for result in results.results {
            let Some((kind, reference, _)) = records.iter().find(|(_, _, r)| r.id == result.id) else { continue };
            let reason = result.reason.as_deref().unwrap_or_default();
            let now = Utc::now();
            match (result.outcome, result.code) {
                (PushOutcome::Accepted, _) => {
                    report.accepted += 1;
                    self.store.mark_outbox(*kind, reference, OutboxState::Sent, None, now)?;
                }
                (PushOutcome::Repeat, _) => {
                    report.repeats += 1;
                    self.store.mark_outbox(*kind, reference, OutboxState::Sent, None, now)?;
                }
                (PushOutcome::Rejected, Some(code)) if self.store.may_come_right(*kind, reference, code)? => {
                    report.held += 1;
                    self.store.hold_outbox(*kind, reference, code, reason, now)?;
                }
                (outcome, code) => {
                    report.refused += 1;
                    let state = if outcome == PushOutcome::Conflict { OutboxState::Conflict } else { OutboxState::Failed };
                    let code = code.unwrap_or(if outcome == PushOutcome::Conflict { Refusal::Conflict } else { Refusal::Malformed });
                    self.store.mark_outbox(*kind, reference, state, Some((code, reason)), now)?;
                }
            }
        }
        Ok(())
    }

    /// Each photo whose record the county holds: resumed from the county's offset.
    pub(super) fn photos(&self, due: &[OutboxItem], report: &mut SyncReport, done: &mut Progress, progress: &dyn Fn(Progress)) -> Result<(), SyncFailure> {
        for item in due {
            self.push_rapid(report)?;
            let patrols = self.store.photo_patrols(&item.reference)?;
            if patrols.is_empty() {
                // Taken off the patrol it was queued with (sent back, then corrected).
                self.store.outbox_superseded(OutboxKind::Photo, &item.reference, Utc::now())?;
                continue;
            }
            let mut ready = false;
            for patrol in patrols {
                ready |= self.store.text_at_county(patrol)?;
            }
            if !ready {
                continue; // text first, media after
            }
            self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Sending, None, Utc::now())?;
            match self.upload(&item.reference, report, done, progress)? {
                Upload::Done => self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Sent, None, Utc::now())?,
                // The county does not take it yet (the version naming it has not landed): it
                // waits, and the rest of the run goes on.
                Upload::NotYet => self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Pending, None, Utc::now())?,
                Upload::Refused(reason) => {
                    report.refused += 1;
                    let refusal = Some((Refusal::ContentHash, reason.as_str()));
                    self.store.mark_outbox(OutboxKind::Photo, &item.reference, OutboxState::Failed, refusal, Utc::now())?;
                }
            }
        }
        Ok(())
    }

    /// The county's offset for a photo: asked with `HEAD`, and the upload created only if the
    /// county has none (a `POST` starts an unfinished upload again, as tus says).
    /// `None` when the county does not take the photo now (409: no record it holds names it).
    fn offset(&self, sha: &str, length: usize) -> Result<Option<usize>, SyncFailure> {
        let response = self
            .auth(self.client.head(self.url(&format!("/photos/{sha}"))))
            .header("Tus-Resumable", "1.0.0")
            .send()
            .map_err(transport)?;
        if response.status() != StatusCode::NOT_FOUND {
            let response = send_checked(response)?;
            if header_number(&response, "Upload-Length")? == length {
                return Ok(Some(header_number(&response, "Upload-Offset")?));
            }
        }
        let metadata = format!("sha256 {}", base64::engine::general_purpose::STANDARD.encode(sha));
        let response = self
            .auth(self.client.post(self.url("/photos")))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string())
            .header("Upload-Metadata", metadata)
            .send()
            .map_err(transport)?;
        if response.status() == StatusCode::CONFLICT {
            return Ok(None);
        }
        Ok(Some(header_number(&send_checked(response)?, "Upload-Offset")?))
    }

    /// Uploads one photo.
    fn upload(&self, sha: &str, report: &mut SyncReport, done: &mut Progress, progress: &dyn Fn(Progress)) -> Result<Upload, SyncFailure> {
        let bytes = self.store.photo_bytes(sha, false)?;
        let Some(mut offset) = self.offset(sha, bytes.len())? else { return Ok(Upload::NotYet) };
        report.answers += 1;
        report.photo_bytes_resumed += offset as u64;
        done.done_bytes += offset as u64;
        progress(*done);
        let mut restarts = 0;
        while offset < bytes.len() {
            let end = (offset + self.options.chunk).min(bytes.len());
            let response = self
                .auth(self.client.patch(self.url(&format!("/photos/{sha}"))))
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", offset.to_string())
                .header("Content-Type", "application/offset+octet-stream")
                // A big chunk on a slow link takes long: allow it 4 KB/s on top.
                .timeout(self.options.timeout + Duration::from_secs_f64((end - offset) as f64 / 4_000.0))
                .body(bytes[offset..end].to_vec())
                .send()
                .map_err(transport)?;
            match response.status() {
                StatusCode::CONFLICT => match self.offset(sha, bytes.len())? {
                    Some(o) => offset = o, // out of step: ask again
                    None => return Ok(Upload::NotYet),
                },
                StatusCode::UNPROCESSABLE_ENTITY if restarts == 0 => {
                    restarts += 1;
                    offset = 0; // the county threw the bytes away; once more from the start
                }
                StatusCode::UNPROCESSABLE_ENTITY => return Ok(Upload::Refused("the county received different bytes than the photo's hash twice".into())),
                _ => {
                    let response = send_checked(response)?;
                    report.answers += 1;
                    let new = header_number(&response, "Upload-Offset")?;
                    report.photo_bytes_sent += (end - offset) as u64;
                    done.done_bytes += (new.saturating_sub(offset)) as u64;
                    progress(*done);
                    offset = new;
                }
            }
        }
        report.photos += 1;
        Ok(Upload::Done)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use chrono::Utc;
    use redvest_shared::rapid::RapidKind;
    use redvest_shared::sync::{OutboxKind, OutboxState};
    use redvest_shared::wire::Refusal;
    use uuid::Uuid;

    use crate::sync::enrolment::StoredEnrolment;
    use crate::sync::{sync_once, SyncOptions};
    use crate::Store;

    /// A county from before rapid reports, on loopback: every push is refused whole, as axum
    /// refuses a body with an unknown `kind` (422); the pull has nothing new. One request per
    /// connection.
    fn old_county() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let (mut head, mut length) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    head.push_str(&line);
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let (status, answer) = if head.starts_with("POST /api/v1/push") {
                    ("422 Unprocessable Entity", r#"{"error":"bad_field","message":"records[0].body: unknown variant `rapid`"}"#)
                } else if head.starts_with("GET /api/v1/pull") {
                    ("200 OK", r#"{"items":[],"next":0,"more":false}"#)
                } else {
                    ("404 Not Found", r#"{"error":"not_found","message":"no such route"}"#)
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        address
    }

    #[test]
    fn a_county_without_rapid_reports_refuses_them_alone_and_the_run_goes_on() {
        let store = Store::open_in_memory().expect("open");
        let enrolment = StoredEnrolment {
            server: old_county(),
            device_id: Uuid::now_v7(),
            token: "token".into(),
            team_id: Uuid::now_v7(),
            team_name: "高山村巡防队".into(),
            revoked: false,
        };
        store.set_setting(super::super::enrolment::ENROLMENT, &enrolment).expect("enrol");
        let entry = store.report_rapid(RapidKind::Fire, None, Utc::now()).expect("report");
        let report = sync_once(&store, SyncOptions::default(), &|_| {}).expect("the run reaches the pull");
        assert_eq!(report.refused, 1);
        let refused = store.outbox_refused().expect("refused");
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!((refused[0].kind, refused[0].reference.clone(), refused[0].state, refused[0].code), (OutboxKind::Rapid, entry.id.to_string(), OutboxState::Failed, Some(Refusal::Other)));
        assert!(refused[0].reason.as_deref().is_some_and(|r| r.contains("unknown variant")), "{refused:?}");
        assert_eq!(store.rapid_reports(1).expect("list")[0].state, OutboxState::Failed, "the page says 县平台拒收");
    }
}
