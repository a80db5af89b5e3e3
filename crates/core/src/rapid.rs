//! 一键报警: a rapid report is saved the moment its kind is tapped, with the time, who is on
//! the patrol being recorded and the last position, and queued ahead of everything else: the
//! sync worker sends rapid reports before people, keys, patrols and photos.

use chrono::{DateTime, Utc};
use redvest_shared::patrol::{PatrolState, Presence};
use redvest_shared::rapid::{RapidContacts, RapidEntry, RapidKind, RapidReport};
use redvest_shared::sync::{OutboxKind, OutboxState};
use redvest_shared::team::Role;
use rusqlite::params;
use uuid::Uuid;

use crate::field::{enum_from, enum_text};
use crate::{outbox, Error, Result, Store};

/// The longest reporter text the county takes (characters).
const REPORTER_MAX: usize = 100;

impl Store {
    /// Saves a rapid report of `kind` made `now` and queues it first. The report names
    /// `patrol` (the one whose page it was made from), else the patrol being recorded, the
    /// people present on it (else the team) and its newest fix of at most 10 minutes ago.
    pub fn report_rapid(&self, kind: RapidKind, patrol: Option<Uuid>, now: DateTime<Utc>) -> Result<RapidEntry> {
        let patrol = match patrol {
            Some(patrol) => {
                self.patrol_state(patrol)?; // one this phone holds
                Some(patrol)
            }
            None => self.list_patrols()?.into_iter().find(|p| p.state == PatrolState::Open).map(|p| p.id),
        };
        let spot = match patrol {
            Some(patrol) => self.last_spot(patrol, now)?,
            None => None,
        };
        let report = RapidReport { kind, at: now, reporter: self.reporter(patrol)?, patrol, spot };
        let id = Uuid::now_v7();
        let body = serde_json::to_string(&report)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("INSERT INTO rapid_report (id, at, body) VALUES (?1, ?2, ?3)", params![id, now, body])?;
        outbox::enqueue(&tx, OutboxKind::Rapid, &id.to_string(), 0, now)?;
        tx.commit()?;
        Ok(RapidEntry { id, report, state: OutboxState::Pending })
    }

    /// Who reports: the people present on the patrol being recorded, else the team's phone.
    fn reporter(&self, patrol: Option<Uuid>) -> Result<String> {
        let present: Vec<String> = match patrol {
            Some(patrol) => {
                let conn = self.conn();
                let mut stmt = conn.prepare("SELECT name FROM attendance WHERE patrol_id = ?1 AND presence <> ?2 ORDER BY position")?;
                let rows = stmt.query_map(params![patrol, enum_text(&Presence::Absent)?], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                rows
            }
            None => Vec::new(),
        };
        let reporter = if present.is_empty() {
            match self.enrolment_stored()? {
                Some(enrolment) => format!("{}的手机", enrolment.team_name),
                None => "未登记的手机".to_owned(),
            }
        } else {
            present.join("、")
        };
        Ok(reporter.chars().take(REPORTER_MAX).collect())
    }

    /// The newest `limit` rapid reports, newest first, each with whether the county holds it.
    pub fn rapid_reports(&self, limit: u32) -> Result<Vec<RapidEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT r.id, r.body, coalesce(o.state, 'pending') FROM rapid_report r
             LEFT JOIN outbox o ON o.kind = 'rapid' AND unhex(o.ref, '-') = r.id
             ORDER BY r.at DESC, r.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| Ok((r.get::<_, Uuid>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(id, body, state)| Ok(RapidEntry { id, report: serde_json::from_str(&body)?, state: enum_from(&state)? })).collect()
    }

    /// A rapid report as the county receives it.
    pub(crate) fn rapid_push(&self, id: Uuid) -> Result<RapidReport> {
        let body: String = self
            .conn()
            .query_row("SELECT body FROM rapid_report WHERE id = ?1", [id], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::Corrupt(format!("outbox names rapid report {id}, which is not kept")),
                e => e.into(),
            })?;
        Ok(serde_json::from_str(&body)?)
    }

    /// Whom the 一键报警 page offers to call besides 110/119/120: the team's leaders with a
    /// number on the county's roster.
    pub fn rapid_contacts(&self) -> Result<RapidContacts> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT name, phone FROM member WHERE role = ?1 AND phone IS NOT NULL AND phone <> '' AND merged_into IS NULL ORDER BY created_at, id",
        )?;
        let leaders = stmt.query_map([enum_text(&Role::Leader)?], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        drop(conn);
        Ok(RapidContacts { leaders, enrolled: self.enrolment_stored()?.is_some() })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use redvest_shared::duty::{Assignment, Zone};
    use redvest_shared::patrol::StartPatrol;
    use redvest_shared::sync::OutboxKind;
    use redvest_shared::team::Role;
    use redvest_shared::track::{Fix, FixSource, TrackSettings};
    use redvest_shared::wire::RosterMember;

    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, minute, 0).single().expect("time")
    }

    #[test]
    fn a_rapid_report_is_kept_and_queued_ahead_of_a_sealed_patrol() {
        let store = Store::open_in_memory().expect("open");
        // Something else waits already: a patrol queued before the alarm.
        crate::outbox::enqueue(&store.conn(), OutboxKind::Patrol, &Uuid::now_v7().to_string(), 0, at(0)).expect("queue");
        let entry = store.report_rapid(RapidKind::Fire, None, at(5)).expect("report");
        assert_eq!((entry.report.kind, entry.report.patrol, entry.report.spot, entry.state), (RapidKind::Fire, None, None, OutboxState::Pending));
        assert_eq!(entry.report.reporter, "未登记的手机");
        assert_eq!(store.rapid_reports(10).expect("list"), vec![entry.clone()]);
        assert_eq!(store.rapid_push(entry.id).expect("push"), entry.report);
        let pending = store.outbox_pending().expect("pending");
        assert_eq!(pending.first().map(|p| p.kind), Some(OutboxKind::Rapid), "{pending:?}");
        store.mark_outbox(OutboxKind::Rapid, &entry.id.to_string(), OutboxState::Sent, None, at(6)).expect("sent");
        assert_eq!(store.rapid_reports(10).expect("list")[0].state, OutboxState::Sent);
    }

    #[test]
    fn on_patrol_it_names_who_is_there_and_the_last_fix() {
        let store = Store::open_in_memory().expect("open");
        let patrol = store
            .start_patrol(&StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: "城关".into(), planned_start: None }, at(0))
            .expect("start");
        let fix = Fix { lat: 26.5801, lon: 106.7123, altitude_m: None, accuracy_m: 7.2, speed_mps: None, bearing_deg: None, time: at(9), source: FixSource::Gps };
        store.record_fix(patrol.id, &fix, &TrackSettings::default(), at(9)).expect("fix");
        let entry = store.report_rapid(RapidKind::Injury, None, at(10)).expect("report");
        assert_eq!(entry.report.patrol, Some(patrol.id));
        let spot = entry.report.spot.expect("the last fix");
        assert_eq!((spot.lat_e7, spot.lon_e7, spot.accuracy_m), (265_801_000, 1_067_123_000, 8));
        // Twenty minutes on, the fix is too old to send people to.
        let later = store.report_rapid(RapidKind::Other, Some(patrol.id), at(10) + Duration::minutes(20)).expect("report");
        assert_eq!(later.report.patrol, Some(patrol.id));
        assert_eq!(later.report.spot, None);
        assert_eq!(store.rapid_reports(1).expect("list")[0].id, later.id, "newest first");
    }

    #[test]
    fn the_leaders_number_comes_from_the_roster() {
        let store = Store::open_in_memory().expect("open");
        let leader = RosterMember { id: Uuid::now_v7(), name: "李强".into(), role: Role::Leader, pending: false, keys: vec![], phone: Some("13800138000".into()) };
        let volunteer = RosterMember { id: Uuid::now_v7(), name: "王芳".into(), role: Role::Volunteer, pending: false, keys: vec![], phone: Some("13900139000".into()) };
        let conn = store.conn();
        crate::roster::apply_roster(&conn, &[leader.clone(), volunteer], &[], at(0)).expect("roster");
        drop(conn);
        let contacts = store.rapid_contacts().expect("contacts");
        assert_eq!(contacts.leaders, vec![("李强".to_owned(), "13800138000".to_owned())]);
        assert!(!contacts.enrolled, "not enrolled: the page says reports stay on the phone");
        let conn = store.conn();
        crate::roster::apply_roster(&conn, &[RosterMember { phone: None, ..leader }], &[], at(1)).expect("roster");
        drop(conn);
        assert!(store.rapid_contacts().expect("contacts").leaders.is_empty(), "a number the county removed is gone");
    }
}
