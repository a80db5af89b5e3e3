//! The outbox: what must reach the county, queued in the same transaction that makes a
//! record final, and where each entry stands. Entries are never deleted: a sent one says so.

use chrono::{DateTime, Utc};
use redvest_shared::sync::{OutboxItem, OutboxKind, OutboxState, Pending};
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

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, String, Option<String>, i64, DateTime<Utc>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

impl Store {
    /// Entries still to send (pending, or left `sending` by a run that was cut), oldest first.
    pub fn outbox_due(&self, kind: OutboxKind) -> Result<Vec<OutboxItem>> {
        self.outbox_query("WHERE kind = ?1 AND state IN ('pending', 'sending') ORDER BY seq", params![enum_text(&kind)?])
    }

    /// The newest `limit` entries, newest first.
    pub fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxItem>> {
        self.outbox_query("ORDER BY seq DESC LIMIT ?1", params![limit])
    }

    fn outbox_query(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<OutboxItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT seq, kind, ref, state, reason, bytes, updated_at FROM outbox {tail}"))?;
        let rows = stmt.query_map(args, item)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(seq, kind, reference, state, reason, bytes, updated_at)| {
                Ok(OutboxItem { seq, kind: enum_from(&kind)?, reference, state: enum_from(&state)?, reason, bytes: bytes.max(0) as u64, updated_at })
            })
            .collect()
    }

    /// Moves an entry to `state` (with the county's reason for a refusal).
    pub fn mark_outbox(&self, kind: OutboxKind, reference: &str, state: OutboxState, reason: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET state = ?3, reason = ?4, updated_at = ?5,
                 attempts = attempts + (CASE WHEN ?3 = 'sending' THEN 1 ELSE 0 END)
             WHERE kind = ?1 AND ref = ?2",
            params![enum_text(&kind)?, reference, enum_text(&state)?, reason, now],
        )?;
        if kind == OutboxKind::Photo && state == OutboxState::Sent {
            tx.execute("UPDATE photo SET uploaded_at = ?2 WHERE sha256 = ?1 AND uploaded_at IS NULL", params![reference, now])?;
        }
        tx.commit()?;
        Ok(())
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

    /// How much waits, per kind.
    pub fn outbox_pending(&self) -> Result<Vec<Pending>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT kind, count(*), coalesce(sum(bytes), 0) FROM outbox WHERE state IN ('pending', 'sending') GROUP BY kind ORDER BY kind",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(kind, count, bytes)| Ok(Pending { kind: enum_from(&kind)?, count, bytes: bytes.max(0) as u64 })).collect()
    }
}
