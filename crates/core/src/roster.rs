//! The team roster on this device: the county's roster as last pulled, and the people added
//! here that the county has not confirmed yet.

use chrono::{DateTime, Utc};
use redvest_shared::sync::OutboxKind;
use redvest_shared::team::{Member, NewMember};
use redvest_shared::wire::{MemberMerge, RosterMember};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::field::{enum_from, enum_text, text};
use crate::{Error, Result, Store};

impl Store {
    /// Adds a member to the roster. The county's roster is the truth: a person added here is
    /// proposed to the county (queued in the same transaction) and stays unconfirmed until a
    /// clerk confirms them or merges them into a member the county already has.
    /// Refused while the team's settings are locked ([`crate::settings_lock`]).
    pub fn add_member(&self, new: &NewMember) -> Result<Member> {
        self.may_change_settings()?;
        let name = text("member.name", &new.name, 40, true)?;
        let id = Uuid::now_v7();
        let now = Utc::now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO member (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, name, enum_text(&new.role)?, now],
        )?;
        crate::outbox::enqueue(&tx, OutboxKind::Member, &id.to_string(), 0, now)?;
        tx.commit()?;
        Ok(Member { id, name, role: new.role, has_key: false, confirmed: false, pin_locked: false })
    }

    /// The roster, leaders first, then by name; merged proposals are not listed (the member
    /// they were merged into is).
    pub fn list_members(&self) -> Result<Vec<Member>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, m.name, m.role, k.member_id IS NOT NULL, m.confirmed,
                    EXISTS (SELECT 1 FROM pin_failure f WHERE f.member_id = m.id AND f.failed >= ?1)
             FROM member m LEFT JOIN signer_key k ON k.member_id = m.id WHERE m.merged_into IS NULL
             ORDER BY m.role <> 'leader', m.name, m.id",
        )?;
        let rows = stmt.query_map([crate::signing::LOCK_AFTER], |r| {
            Ok((r.get::<_, Uuid>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?, r.get::<_, bool>(4)?, r.get::<_, bool>(5)?))
        })?;
        rows.map(|row| {
            let (id, name, role, has_key, confirmed, pin_locked) = row?;
            Ok(Member { id, name, role: enum_from(&role)?, has_key, confirmed, pin_locked })
        })
        .collect()
    }

    /// One member, or [`Error::NotFound`].
    pub fn member(&self, id: Uuid) -> Result<Member> {
        let row = self
            .conn()
            .query_row(
                "SELECT m.name, m.role, EXISTS (SELECT 1 FROM signer_key k WHERE k.member_id = m.id), m.confirmed,
                        EXISTS (SELECT 1 FROM pin_failure f WHERE f.member_id = m.id AND f.failed >= ?2)
                 FROM member m WHERE m.id = ?1",
                rusqlite::params![id, crate::signing::LOCK_AFTER],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, bool>(3)?, r.get::<_, bool>(4)?)),
            )
            .optional()?;
        let (name, role, has_key, confirmed, pin_locked) = row.ok_or_else(|| Error::NotFound(format!("member {id}")))?;
        Ok(Member { id, name, role: enum_from(&role)?, has_key, confirmed, pin_locked })
    }

    pub(crate) fn member_name(&self, id: Uuid) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT name FROM member WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }
}

/// Applies the county's roster in `tx`: names and roles as the county has them, confirmed or
/// pending, and each merge folded (the proposal hidden, its key moved to the member it is the
/// same person as when that member has none here). Returns whether anything changed.
pub(crate) fn apply_roster(tx: &Connection, members: &[RosterMember], merged: &[MemberMerge], now: DateTime<Utc>) -> Result<bool> {
    let mut changed = 0;
    for m in members {
        changed += tx.execute(
            "INSERT INTO member (id, name, role, created_at, confirmed, phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, confirmed = excluded.confirmed, merged_into = NULL,
                 phone = excluded.phone
             WHERE name IS NOT excluded.name OR role IS NOT excluded.role OR confirmed IS NOT excluded.confirmed OR merged_into IS NOT NULL
                 OR phone IS NOT excluded.phone",
            params![m.id, m.name, enum_text(&m.role)?, now, !m.pending, m.phone.as_deref().filter(|p| redvest_shared::rapid::is_phone_number(p))],
        )?;
        // The keys the county accepted for them, as it now has them (revoked ones gone).
        tx.execute("DELETE FROM roster_key WHERE member_id = ?1", [m.id])?;
        for key in &m.keys {
            if let Ok(public) = hex::decode(key) {
                tx.execute("INSERT OR REPLACE INTO roster_key (public_key, member_id) VALUES (?1, ?2)", params![public, m.id])?;
            }
        }
    }
    for merge in merged {
        let folded = tx.execute(
            "UPDATE member SET merged_into = ?2 WHERE id = ?1 AND merged_into IS NOT ?2 AND EXISTS (SELECT 1 FROM member WHERE id = ?2)",
            params![merge.from, merge.into],
        )?;
        if folded > 0 {
            changed += folded;
            let moved = tx.execute(
                "UPDATE signer_key SET member_id = ?2 WHERE member_id = ?1 AND NOT EXISTS (SELECT 1 FROM signer_key WHERE member_id = ?2)",
                params![merge.from, merge.into],
            )?;
            // Wrong PINs go with the key they were tried on.
            if moved > 0 {
                tx.execute("UPDATE pin_failure SET member_id = ?2 WHERE member_id = ?1", params![merge.from, merge.into])?;
            }
        }
    }
    Ok(changed > 0)
}

#[cfg(test)]
mod tests {
    use redvest_shared::team::Role;

    use super::*;

    #[test]
    fn members_are_listed_leader_first() {
        let store = Store::open_in_memory().expect("open");
        store.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("add");
        store.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("add");
        let names: Vec<_> = store.list_members().expect("list").into_iter().map(|m| m.name).collect();
        assert_eq!(names, vec!["李强", "王芳"]);
    }

    #[test]
    fn empty_name_is_refused_with_the_field() {
        let store = Store::open_in_memory().expect("open");
        let err = store.add_member(&NewMember { name: " ".into(), role: Role::Member }).expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "member.name", .. }), "{err:?}");
    }
}
