//! The outbox: what must reach the county, queued in the same transaction that makes a
//! record final, and where each entry stands. Entries are never deleted: a sent one says so.
//! A refusal that only waits for the county (a key, a roster change) holds its entry, which
//! goes again by itself; any other refusal waits for 重新发送.

use chrono::{DateTime, Utc};
use redvest_shared::sync::{OutboxItem, OutboxKind, OutboxState, Pending};
use redvest_shared::wire::Refusal;
use rusqlite::{params, Connection};
use uuid::Uuid;

use crate::field::{enum_from, enum_text};
use crate::{Result, Store};

/// Queues `kind`/`reference` (once: a second queueing of the same thing is a no-op).
pub(crate) fn enqueue(conn: &Connection, kind: OutboxKind, reference: &str, bytes: u64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "INSERT INTO outbox (kind, ref, bytes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (kind, ref) DO NOTHING",
        params![enum_text(&kind)?, reference, bytes as i64, now],
    )?;
    Ok(())
}

/// Queues a sealed patrol and then each of its photos (text first, media after).
pub(crate) fn enqueue_patrol(conn: &Connection, patrol: Uuid, now: DateTime<Utc>) -> Result<()> {
    enqueue(conn, OutboxKind::Patrol, &patrol.to_string(), 0, now)?;
    enqueue_photos(conn, patrol, now)
}

/// Queues each photo of a patrol (once): they go when the county holds the patrol's text, as
/// a signed record for the leader or sealed.
pub(crate) fn enqueue_photos(conn: &Connection, patrol: Uuid, now: DateTime<Utc>) -> Result<()> {
    let photos: Vec<(String, i64)> = {
        let mut stmt = conn.prepare(
            "SELECT p.sha256, p.bytes FROM observation o JOIN observation_photo op ON op.observation_id = o.id
             JOIN photo p ON p.sha256 = op.sha256 WHERE o.patrol_id = ?1 ORDER BY o.id, op.position",
        )?;
        let rows = stmt.query_map([patrol], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        rows
    };
    for (sha, bytes) in photos {
        enqueue(conn, OutboxKind::Photo, &sha, bytes.max(0) as u64, now)?;
    }
    Ok(())
}

/// A patrol was decided on this phone (sealed, or sent back): its signed records for the
/// leader that have not reached the county are not needed any more, whether they still wait
/// or were refused.
pub(crate) fn supersede_submissions(conn: &Connection, patrol: Uuid, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'superseded', held = 0, updated_at = ?2
         WHERE kind = 'submission' AND state <> 'sent'
           AND unhex(ref, '-') IN (SELECT id FROM signature WHERE patrol_id = ?1 AND role = 'volunteer')",
        params![patrol, now],
    )?;
    Ok(())
}

type Row = (i64, String, String, String, Option<String>, Option<String>, i64, DateTime<Utc>);

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

/// Lets held entries go again: the cause they waited on (a key, the roster) may have gone.
/// Returns how many.
pub(crate) fn release_held(conn: &Connection) -> Result<usize> {
    Ok(conn.execute("UPDATE outbox SET held = 0 WHERE held = 1", [])?)
}

impl Store {
    /// Entries to send now (pending, or left `sending` by a run that was cut; not held),
    /// oldest first.
    pub fn outbox_due(&self, kind: OutboxKind) -> Result<Vec<OutboxItem>> {
        self.outbox_query("WHERE kind = ?1 AND state IN ('pending', 'sending') AND held = 0 ORDER BY seq", params![enum_text(&kind)?])
    }

    /// The newest `limit` entries, newest first.
    pub fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxItem>> {
        self.outbox_query("ORDER BY seq DESC LIMIT ?1", params![limit])
    }

    /// Entries the county refused (失败, 冲突), oldest first.
    pub fn outbox_refused(&self) -> Result<Vec<OutboxItem>> {
        self.outbox_query("WHERE state IN ('failed', 'conflict') ORDER BY seq", params![])
    }

    /// Entries held until their cause goes away (a key, a leader's confirmation), oldest first.
    pub fn outbox_waiting(&self) -> Result<Vec<OutboxItem>> {
        self.outbox_query("WHERE state = 'pending' AND held = 1 ORDER BY seq", params![])
    }

    fn outbox_query(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<OutboxItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT seq, kind, ref, state, code, reason, bytes, updated_at FROM outbox {tail}"))?;
        let rows = stmt.query_map(args, item)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(seq, kind, reference, state, code, reason, bytes, updated_at)| {
                Ok(OutboxItem {
                    seq,
                    kind: enum_from(&kind)?,
                    reference,
                    state: enum_from(&state)?,
                    code: code.as_deref().map(enum_from).transpose()?,
                    reason,
                    bytes: bytes.max(0) as u64,
                    updated_at,
                })
            })
            .collect()
    }

    /// Moves an entry to `state`, with the county's code and reason for a refusal. A key the
    /// county accepted lets what it signed go again.
    pub fn mark_outbox(&self, kind: OutboxKind, reference: &str, state: OutboxState, refusal: Option<(Refusal, &str)>, now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let code = refusal.map(|(c, _)| enum_text(&c)).transpose()?;
        tx.execute(
            "UPDATE outbox SET state = ?3, code = ?4, reason = ?5, held = 0, updated_at = ?6,
                 attempts = attempts + (CASE WHEN ?3 = 'sending' THEN 1 ELSE 0 END)
             WHERE kind = ?1 AND ref = ?2",
            params![enum_text(&kind)?, reference, enum_text(&state)?, code, refusal.map(|(_, r)| r), now],
        )?;
        if kind == OutboxKind::Photo && state == OutboxState::Sent {
            tx.execute("UPDATE photo SET uploaded_at = ?2 WHERE sha256 = ?1 AND uploaded_at IS NULL", params![reference, now])?;
        }
        if kind == OutboxKind::Key && state == OutboxState::Sent {
            release_held(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Holds an entry as 待上传 until `code`'s cause may have gone (see [`Refusal::waits`]).
    pub fn hold_outbox(&self, kind: OutboxKind, reference: &str, code: Refusal, reason: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state = 'pending', held = 1, code = ?3, reason = ?4, updated_at = ?5 WHERE kind = ?1 AND ref = ?2",
            params![enum_text(&kind)?, reference, enum_text(&code)?, reason, now],
        )?;
        Ok(())
    }

    /// 重新发送: refused entries go again (once the user has fixed the cause). Returns how many.
    pub fn resend_refused(&self, now: DateTime<Utc>) -> Result<u32> {
        let n = self.conn().execute(
            "UPDATE outbox SET state = 'pending', held = 0, code = NULL, reason = NULL, updated_at = ?1 WHERE state IN ('failed', 'conflict')",
            [now],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Marks `kind`'s entries on their way as refused (`Refusal::Other`, with `reason`), when
    /// the county refused their request whole. Returns how many.
    pub(crate) fn refuse_sending(&self, kind: OutboxKind, reason: &str, now: DateTime<Utc>) -> Result<u32> {
        let n = self.conn().execute(
            "UPDATE outbox SET state = 'failed', held = 0, code = ?2, reason = ?3, updated_at = ?4 WHERE kind = ?1 AND state = 'sending'",
            params![enum_text(&kind)?, enum_text(&Refusal::Other)?, reason, now],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Puts entries a cut-off run left `sending` back to `pending`.
    pub fn outbox_unsent_again(&self, now: DateTime<Utc>) -> Result<()> {
        self.conn().execute("UPDATE outbox SET state = 'pending', updated_at = ?1 WHERE state = 'sending'", [now])?;
        Ok(())
    }

    /// Whether an entry has reached the county.
    pub fn outbox_sent(&self, kind: OutboxKind, reference: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = ?1 AND ref = ?2 AND state = 'sent')",
            params![enum_text(&kind)?, reference],
            |r| r.get(0),
        )?)
    }

    /// Whether anything waits that a run could send now: held entries wait for a pull (a key
    /// or roster change), which the idle schedule brings.
    pub fn outbox_due_any(&self) -> Result<bool> {
        Ok(self.conn().query_row("SELECT EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending', 'sending') AND held = 0)", [], |r| r.get(0))?)
    }

    /// How much waits, per kind (held entries included: they are still 待上传); rapid reports
    /// first, as they are sent.
    pub fn outbox_pending(&self) -> Result<Vec<Pending>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT kind, count(*), coalesce(sum(bytes), 0) FROM outbox WHERE state IN ('pending', 'sending') GROUP BY kind
             ORDER BY kind <> 'rapid', kind",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(kind, count, bytes)| Ok(Pending { kind: enum_from(&kind)?, count, bytes: bytes.max(0) as u64 })).collect()
    }
}
