//! The hazard register (隐患台账): every change is a new history entry, never an edit.

use chrono::{DateTime, NaiveDate, Utc};
use redvest_shared::hazard::{Hazard, HazardChange, HazardEvent, HazardState};
use redvest_shared::sync::OutboxKind;
use redvest_shared::ErrorCode;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::field::{enum_from, enum_text, text};
use crate::{Error, Result, Store};

/// Appends one history entry.
#[allow(clippy::too_many_arguments)]
pub(crate) fn append_event(
    conn: &Connection,
    hazard: Uuid,
    at: DateTime<Utc>,
    by: &str,
    state: HazardState,
    reason: &str,
    responsible: Option<&str>,
    deadline: Option<NaiveDate>,
    patrol: Option<Uuid>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO hazard_event (id, hazard_id, at, by_name, state, reason, responsible, deadline, patrol_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, hazard, at, by, enum_text(&state)?, reason, responsible, deadline, patrol],
    )?;
    Ok(id)
}

impl Store {
    /// A hazard with its whole history; `today` decides whether it is overdue.
    pub fn hazard_on(&self, id: Uuid, today: NaiveDate) -> Result<Hazard> {
        let conn = self.conn();
        let report: String = conn
            .query_row("SELECT report FROM hazard WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("hazard {id}")))?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, by_name, state, reason, responsible, deadline, patrol_id, keeps_state
             FROM hazard_event WHERE hazard_id = ?1 ORDER BY at, id",
        )?;
        let history = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, Uuid>(0)?,
                    r.get::<_, DateTime<Utc>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<NaiveDate>>(6)?,
                    r.get::<_, Option<Uuid>>(7)?,
                    r.get::<_, bool>(8)?,
                ))
            })?
            .map(|row| {
                let (id, at, by, state, reason, responsible, deadline, patrol_id, keeps_state) = row?;
                Ok((HazardEvent { id, at, by, state: enum_from(&state)?, reason, responsible, deadline, patrol_id }, keeps_state))
            })
            .collect::<Result<Vec<_>>>()?;
        // The newest entry says the state, but a county's 督办 (it keeps the state) never does:
        // the county's register reads its history the same way.
        let last = history.iter().rev().find(|(_, keeps)| !keeps).or(history.last());
        let state = last.ok_or_else(|| Error::Corrupt(format!("hazard {id} has no history")))?.0.state;
        let history: Vec<HazardEvent> = history.into_iter().map(|(e, _)| e).collect();
        let deadline = history.iter().rev().find_map(|e| e.deadline);
        // The photos of the finding that opened it (the first observation naming it).
        let mut stmt = conn.prepare_cached(
            "SELECT p.sha256 FROM observation_photo p
             JOIN (SELECT id FROM observation WHERE hazard_id = ?1 ORDER BY created_at, id LIMIT 1) o ON o.id = p.observation_id
             ORDER BY p.position",
        )?;
        let photos = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(Hazard {
            id,
            report: serde_json::from_str(&report)?,
            state,
            deadline,
            overdue: state.is_open() && deadline.is_some_and(|d| d < today),
            history,
            photos,
        })
    }

    /// A hazard as of today (UTC date).
    pub fn hazard(&self, id: Uuid) -> Result<Hazard> {
        self.hazard_on(id, Utc::now().date_naive())
    }

    /// Every open hazard, overdue ones first, then by deadline.
    pub fn open_hazards(&self, today: NaiveDate) -> Result<Vec<Hazard>> {
        let ids: Vec<Uuid> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached("SELECT id FROM hazard ORDER BY id")?;
            let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            ids
        };
        let mut open = Vec::new();
        for id in ids {
            let h = self.hazard_on(id, today)?;
            if h.state.is_open() {
                open.push(h);
            }
        }
        open.sort_by_key(|h| (!h.overdue, h.deadline.is_none(), h.deadline));
        Ok(open)
    }

    /// Moves a hazard along its lifecycle by appending an entry.
    pub fn change_hazard(&self, change: &HazardChange, now: DateTime<Utc>) -> Result<Hazard> {
        let by = self
            .member_name(change.by_member)?
            .ok_or_else(|| Error::NotFound(format!("member {}", change.by_member)))?;
        let reason = text("hazard_change.reason", &change.reason, 200, true)?;
        let current = self.hazard_on(change.hazard_id, now.date_naive())?;
        if !current.state.can_go_to(change.state) {
            return Err(Error::WrongState(format!("a hazard cannot go from {:?} to {:?}", current.state, change.state)));
        }
        let (responsible, deadline) = if change.state == HazardState::Assigned {
            let responsible = text("hazard_change.responsible", change.responsible.as_deref().unwrap_or(""), 40, true)?;
            let deadline = change.deadline.ok_or_else(|| {
                Error::invalid("hazard_change.deadline", ErrorCode::Required, "an assigned hazard needs a deadline")
            })?;
            if deadline < now.date_naive() {
                return Err(Error::invalid("hazard_change.deadline", ErrorCode::OutOfRange, "the deadline is in the past; pick today or later"));
            }
            (Some(responsible), Some(deadline))
        } else {
            (None, None)
        };
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            let event = append_event(&tx, change.hazard_id, now, &by, change.state, &reason, responsible.as_deref(), deadline, None)?;
            crate::outbox::enqueue(&tx, OutboxKind::HazardEvent, &event.to_string(), 0, now)?;
            tx.commit()?;
        }
        self.hazard_on(change.hazard_id, now.date_naive())
    }
}

#[cfg(test)]
mod tests {
    use redvest_shared::checklist::CheckDomain;
    use redvest_shared::observation::{Handling, HazardReport, Observation, Severity};
    use redvest_shared::team::{NewMember, Role};

    use super::*;
    use crate::patrol::tests::{ad_hoc, at};

    fn reported(store: &Store, deadline_days: i64) -> Uuid {
        let p = ad_hoc(store, 9);
        let report = HazardReport {
            domain: CheckDomain::FireSafety,
            item: None,
            description: "消火栓被摊位遮挡".into(),
            severity: Severity::High,
            place: "集市".into(),
            spot: None,
            handling: Handling::Rectify {
                responsible: "摊主".into(),
                unit: String::new(),
                deadline: at(9).date_naive() + chrono::Duration::days(deadline_days),
            },
        };
        store.add_observation(p.id, &Observation::Hazard(report), &[], at(9)).expect("add").hazard_id.expect("hazard")
    }

    #[test]
    fn lifecycle_appends_history_and_refuses_shortcuts() {
        let store = Store::open_in_memory().expect("open");
        let leader = store.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("m");
        let id = reported(&store, 3);
        let change = |state, reason: &str| HazardChange {
            hazard_id: id,
            state,
            by_member: leader.id,
            reason: reason.into(),
            responsible: None,
            deadline: None,
        };
        let err = store.change_hazard(&change(HazardState::Closed, "直接销号"), at(10)).expect_err("refused");
        assert!(matches!(err, Error::WrongState(_)), "{err:?}");
        store.change_hazard(&change(HazardState::Rectifying, "已开始整改"), at(10)).expect("rectifying");
        store.change_hazard(&change(HazardState::Rectifying, "复查：仍未整改完"), at(11)).expect("recheck");
        store.change_hazard(&change(HazardState::Verified, "复查合格"), at(12)).expect("verified");
        let closed = store.change_hazard(&change(HazardState::Closed, "销号"), at(13)).expect("closed");
        let states: Vec<_> = closed.history.iter().map(|e| e.state).collect();
        use HazardState::*;
        assert_eq!(states, vec![Assigned, Rectifying, Rectifying, Verified, Closed]);
        assert_eq!(closed.history[4].by, "李强");
        assert!(store.open_hazards(at(13).date_naive()).expect("open").is_empty());
    }

    #[test]
    fn overdue_hazards_are_flagged_and_listed_first() {
        let store = Store::open_in_memory().expect("open");
        let later = reported(&store, 10);
        let soon = reported(&store, 1);
        let in_five_days = at(9).date_naive() + chrono::Duration::days(5);
        let open = store.open_hazards(in_five_days).expect("open");
        assert_eq!(open.iter().map(|h| (h.id, h.overdue)).collect::<Vec<_>>(), vec![(soon, true), (later, false)]);
    }

    #[test]
    fn history_rows_cannot_be_edited() {
        let store = Store::open_in_memory().expect("open");
        reported(&store, 3);
        let err = store.conn().execute("UPDATE hazard_event SET reason = 'x'", []).expect_err("trigger");
        assert!(err.to_string().contains("append-only"), "{err}");
        let err = store.conn().execute("DELETE FROM hazard_event", []).expect_err("trigger");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}
