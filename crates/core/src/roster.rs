//! The team roster on this device.

use chrono::Utc;
use redvest_shared::team::{Member, NewMember};
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use crate::field::{enum_from, enum_text, text};
use crate::{Error, Result, Store};

impl Store {
    /// Adds a member to the roster.
    pub fn add_member(&self, new: &NewMember) -> Result<Member> {
        let name = text("member.name", &new.name, 40, true)?;
        let id = Uuid::now_v7();
        self.conn().execute(
            "INSERT INTO member (id, name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, name, enum_text(&new.role)?, Utc::now()],
        )?;
        Ok(Member { id, name, role: new.role, has_key: false })
    }

    /// The roster, leaders first, then by name.
    pub fn list_members(&self) -> Result<Vec<Member>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, m.name, m.role, k.member_id IS NOT NULL FROM member m
             LEFT JOIN signer_key k ON k.member_id = m.id
             ORDER BY m.role <> 'leader', m.name, m.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, Uuid>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?))
        })?;
        rows.map(|row| {
            let (id, name, role, has_key) = row?;
            Ok(Member { id, name, role: enum_from(&role)?, has_key })
        })
        .collect()
    }

    /// One member, or [`Error::NotFound`].
    pub fn member(&self, id: Uuid) -> Result<Member> {
        let row = self
            .conn()
            .query_row(
                "SELECT m.name, m.role, EXISTS (SELECT 1 FROM signer_key k WHERE k.member_id = m.id)
                 FROM member m WHERE m.id = ?1",
                [id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)),
            )
            .optional()?;
        let (name, role, has_key) = row.ok_or_else(|| Error::NotFound(format!("member {id}")))?;
        Ok(Member { id, name, role: enum_from(&role)?, has_key })
    }

    pub(crate) fn member_name(&self, id: Uuid) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT name FROM member WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }
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
