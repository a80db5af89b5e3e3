//! Patrols (巡查): starting one, attendance, the checklist, observations, and reading it back.

use chrono::{DateTime, NaiveDate, Utc};
use redvest_shared::checklist::{CheckOutcome, CheckResult};
use redvest_shared::duty::Assignment;
use redvest_shared::observation::{Handling, Observation, ObservationEntry};
use redvest_shared::patrol::{
    AttendanceEntry, PatrolDetail, PatrolRecord, PatrolState, PatrolSummary, Presence, StartPatrol,
};
use redvest_shared::ErrorCode;
use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;

use crate::photo::observation_photos;
use crate::field::{enum_from, enum_text, text};
use crate::{Error, Result, Store};

impl Store {
    /// Starts a patrol at `now`, for a duty or ad hoc, and returns it once committed.
    pub fn start_patrol(&self, start: &StartPatrol, now: DateTime<Utc>) -> Result<PatrolSummary> {
        let route = text("patrol.route", &start.route, 60, false)?;
        let assignment = match (start.duty_id, start.assignment) {
            (Some(duty), _) => self
                .list_duties()?
                .into_iter()
                .find(|d| d.id == duty)
                .map(|d| d.assignment)
                .ok_or_else(|| Error::NotFound(format!("duty {duty}")))?,
            (None, Some(a)) => a,
            (None, None) => {
                return Err(Error::invalid("patrol.assignment", ErrorCode::Required, "choose a post or zone"))
            }
        };
        let id = Uuid::now_v7();
        self.conn().execute(
            "INSERT INTO patrol (id, started_at, duty_id, assignment, route, planned_start, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open')",
            params![id, now, start.duty_id, assignment.key(), route, start.planned_start],
        )?;
        Ok(PatrolSummary { id, started_at: now, assignment, route, state: PatrolState::Open })
    }

    /// All patrols on this device, newest first.
    pub fn list_patrols(&self) -> Result<Vec<PatrolSummary>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, started_at, assignment, route, state FROM patrol ORDER BY started_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Uuid>(0)?,
                r.get::<_, DateTime<Utc>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, started_at, assignment, route, state) = row?;
            Ok(PatrolSummary { id, started_at, assignment: assignment_from(&assignment)?, route, state: enum_from(&state)? })
        })
        .collect()
    }

    /// Where a patrol stands.
    pub fn patrol_state(&self, id: Uuid) -> Result<PatrolState> {
        let state: Option<String> = self
            .conn()
            .query_row("SELECT state FROM patrol WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        enum_from(&state.ok_or_else(|| Error::NotFound(format!("patrol {id}")))?)
    }

    pub(crate) fn editable(&self, id: Uuid) -> Result<()> {
        let state = self.patrol_state(id)?;
        if !state.is_editable() {
            return Err(Error::WrongState(format!("patrol {id} is {state:?}; only an open patrol can change")));
        }
        Ok(())
    }

    /// Replaces the attendance list (人员到位) of an open patrol.
    pub fn set_attendance(&self, patrol: Uuid, entries: &[AttendanceEntry]) -> Result<()> {
        self.editable(patrol)?;
        let mut clean = Vec::with_capacity(entries.len());
        for e in entries {
            let mut e = e.clone();
            e.reason = text("attendance.reason", &e.reason, 100, e.presence != Presence::Present)?;
            e.name = match e.member_id {
                Some(id) => self.member_name(id)?.ok_or_else(|| Error::NotFound(format!("member {id}")))?,
                None => text("attendance.guest_name", &e.name, 40, true)?,
            };
            clean.push(e);
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM attendance WHERE patrol_id = ?1", [patrol])?;
        for (position, e) in clean.iter().enumerate() {
            tx.execute(
                "INSERT INTO attendance (patrol_id, position, member_id, name, role, presence, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![patrol, position as i64, e.member_id, e.name, enum_text(&e.role)?, enum_text(&e.presence)?, e.reason],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Answers one checklist item of an open patrol.
    pub fn set_check(&self, patrol: Uuid, code: &str, outcome: CheckOutcome) -> Result<()> {
        self.editable(patrol)?;
        let version = self.catalog_version()?;
        let known: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM checklist_item WHERE version = ?1 AND code = ?2)",
            params![version, code],
            |r| r.get(0),
        )?;
        if !known {
            return Err(Error::NotFound(format!("checklist item {code} in catalog v{version}")));
        }
        self.conn().execute(
            "INSERT INTO check_result (patrol_id, code, catalog_version, outcome) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (patrol_id, code) DO UPDATE SET outcome = excluded.outcome, catalog_version = excluded.catalog_version",
            params![patrol, code, version, enum_text(&outcome)?],
        )?;
        Ok(())
    }

    /// Adds an observation, with photos already stored by [`Store::add_photo`], to an open
    /// patrol. A hazard also opens an entry in the hazard register, in the same transaction.
    pub fn add_observation(&self, patrol: Uuid, body: &Observation, photos: &[String], now: DateTime<Utc>) -> Result<ObservationEntry> {
        self.editable(patrol)?;
        let body = self.checked_observation(body, now.date_naive())?;
        self.check_attachable(photos)?;
        let id = Uuid::now_v7();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let hazard_id = match &body {
            Observation::Hazard(report) => Some(open_hazard(&tx, patrol, report, now)?),
            _ => None,
        };
        tx.execute(
            "INSERT INTO observation (id, patrol_id, body, hazard_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, patrol, serde_json::to_string(&body)?, hazard_id, now],
        )?;
        let mut seen = std::collections::HashSet::new();
        for (position, sha) in photos.iter().filter(|sha| seen.insert(*sha)).enumerate() {
            tx.execute(
                "INSERT INTO observation_photo (observation_id, sha256, position) VALUES (?1, ?2, ?3)",
                params![id, sha, position as i64],
            )?;
        }
        let photos = observation_photos(&tx, id)?;
        tx.commit()?;
        Ok(ObservationEntry { id, body, hazard_id, photos })
    }

    fn checked_observation(&self, body: &Observation, today: NaiveDate) -> Result<Observation> {
        Ok(match body {
            Observation::Hazard(h) => {
                let mut h = h.clone();
                h.description = text("hazard.description", &h.description, 500, true)?;
                h.place = text("hazard.place", &h.place, 100, true)?;
                if h.spot.is_some_and(|spot| !spot.is_plausible()) {
                    return Err(Error::invalid("hazard.spot", ErrorCode::OutOfRange, "the position is not on the earth; tap 用我的位置 again, or leave it out"));
                }
                if let Handling::Rectify { responsible, unit, deadline } = &mut h.handling {
                    *responsible = text("hazard.responsible", responsible, 40, true)?;
                    *unit = text("hazard.unit", unit, 60, false)?;
                    if *deadline < today {
                        return Err(Error::invalid("hazard.deadline", ErrorCode::OutOfRange, "the deadline is in the past; pick today or later"));
                    }
                }
                Observation::Hazard(h)
            }
            Observation::Dispute { summary, place, handed_to_village } => Observation::Dispute {
                summary: text("dispute.summary", summary, 500, true)?,
                place: text("dispute.place", place, 100, false)?,
                handed_to_village: *handed_to_village,
            },
            Observation::Sighting { subject, description, place, passed_to_police } => Observation::Sighting {
                subject: *subject,
                description: text("sighting.description", description, 500, true)?,
                place: text("sighting.place", place, 100, false)?,
                passed_to_police: *passed_to_police,
            },
            Observation::HouseVisit { household, people_met, notes } => {
                if *people_met > 100 {
                    return Err(Error::invalid("visit.people_met", ErrorCode::OutOfRange, "at most 100 people per household"));
                }
                Observation::HouseVisit {
                    household: text("visit.household", household, 60, true)?,
                    people_met: *people_met,
                    notes: text("visit.notes", notes, 500, false)?,
                }
            }
            Observation::Outreach { kind, audience, notes } => {
                if *audience > 100_000 {
                    return Err(Error::invalid("outreach.audience", ErrorCode::OutOfRange, "at most 100000 people"));
                }
                Observation::Outreach { kind: *kind, audience: *audience, notes: text("outreach.notes", notes, 500, false)? }
            }
        })
    }

    /// The patrol's content, exactly as a signature covers it.
    pub fn patrol_record(&self, id: Uuid) -> Result<PatrolRecord> {
        let track = self.track(id)?;
        let track_sha256 = (!track.is_empty()).then(|| {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(crate::track_codec::encode(&track)))
        });
        let conn = self.conn();
        let head = conn
            .query_row(
                "SELECT amends, duty_id, assignment, route, planned_start, started_at, ended_at, remarks
                 FROM patrol WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, Option<Uuid>>(0)?,
                        r.get::<_, Option<Uuid>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<DateTime<Utc>>>(4)?,
                        r.get::<_, DateTime<Utc>>(5)?,
                        r.get::<_, Option<DateTime<Utc>>>(6)?,
                        r.get::<_, String>(7)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("patrol {id}")))?;
        let (amends, duty_id, assignment, route, planned_start, started_at, ended_at, remarks) = head;

        let mut stmt = conn.prepare_cached(
            "SELECT member_id, name, role, presence, reason FROM attendance WHERE patrol_id = ?1 ORDER BY position",
        )?;
        let attendance = stmt
            .query_map([id], |r| {
                Ok((r.get::<_, Option<Uuid>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
            })?
            .map(|row| {
                let (member_id, name, role, presence, reason) = row?;
                Ok(AttendanceEntry { member_id, name, role: enum_from(&role)?, presence: enum_from(&presence)?, reason })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut stmt = conn.prepare_cached(
            "SELECT code, catalog_version, outcome FROM check_result WHERE patrol_id = ?1 ORDER BY code",
        )?;
        let checks = stmt
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, String>(2)?)))?
            .map(|row| {
                let (code, catalog_version, outcome) = row?;
                Ok(CheckResult { code, catalog_version, outcome: enum_from(&outcome)? })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut stmt =
            conn.prepare_cached("SELECT id, body, hazard_id FROM observation WHERE patrol_id = ?1 ORDER BY id")?;
        let observations = stmt
            .query_map([id], |r| Ok((r.get::<_, Uuid>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<Uuid>>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(id, body, hazard_id)| {
                Ok(ObservationEntry { id, body: serde_json::from_str(&body)?, hazard_id, photos: observation_photos(&conn, id)? })
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(PatrolRecord {
            id,
            amends,
            duty_id,
            assignment: assignment_from(&assignment)?,
            route,
            planned_start,
            started_at,
            ended_at,
            attendance,
            checks,
            observations,
            remarks,
            track_sha256,
        })
    }

    /// Everything about a patrol, for its page.
    pub fn patrol_detail(&self, id: Uuid) -> Result<PatrolDetail> {
        let record = self.patrol_record(id)?;
        let (state, returned_reason): (String, Option<String>) = self.conn().query_row(
            "SELECT state, returned_reason FROM patrol WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let checks = self.answered(&record.checks)?;
        Ok(PatrolDetail { record, state: enum_from(&state)?, returned_reason, signatures: self.signatures(id)?, checks })
    }
}

fn assignment_from(key: &str) -> Result<Assignment> {
    Assignment::from_key(key).ok_or_else(|| Error::Corrupt(format!("assignment {key:?}")))
}

/// Opens a hazard in the register with its first history entry, by how it was handled.
fn open_hazard(tx: &Transaction<'_>, patrol: Uuid, report: &redvest_shared::observation::HazardReport, now: DateTime<Utc>) -> Result<Uuid> {
    let id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO hazard (id, first_patrol, report, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, patrol, serde_json::to_string(report)?, now],
    )?;
    let (state, responsible, deadline) = redvest_shared::hazard::opened(report);
    crate::hazard::append_event(tx, id, now, "巡查发现", state, "", responsible.as_deref(), deadline, Some(patrol))?;
    Ok(id)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone;
    use redvest_shared::checklist::CheckDomain;
    use redvest_shared::duty::{Post, Zone};
    use redvest_shared::hazard::HazardState;
    use redvest_shared::observation::{HazardReport, Severity};
    use redvest_shared::team::{NewMember, Role};

    use super::*;

    pub(crate) fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, 0, 0).single().expect("time")
    }

    pub(crate) fn ad_hoc(store: &Store, h: u32) -> PatrolSummary {
        store
            .start_patrol(
                &StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: "场镇主街".into(), planned_start: None },
                at(h),
            )
            .expect("start")
    }

    #[test]
    fn started_patrol_is_listed_after_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite3");
        let started = ad_hoc(&Store::open(&path).expect("open"), 20);
        assert_eq!(started.id.get_version_num(), 7);
        let listed = Store::open(&path).expect("reopen").list_patrols().expect("list");
        assert_eq!(listed, vec![started]);
    }

    #[test]
    fn newest_patrol_comes_first() {
        let store = Store::open_in_memory().expect("open");
        let a = ad_hoc(&store, 16);
        let b = ad_hoc(&store, 20);
        assert_eq!(store.list_patrols().expect("list"), vec![b, a]);
    }

    #[test]
    fn ad_hoc_patrol_needs_a_post_or_zone() {
        let store = Store::open_in_memory().expect("open");
        let err = store
            .start_patrol(&StartPatrol { duty_id: None, assignment: None, route: String::new(), planned_start: None }, at(9))
            .expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "patrol.assignment", code: ErrorCode::Required, .. }), "{err:?}");
    }

    #[test]
    fn late_or_absent_needs_a_reason() {
        let store = Store::open_in_memory().expect("open");
        let p = ad_hoc(&store, 9);
        let m = store.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("member");
        let late = AttendanceEntry { member_id: Some(m.id), name: String::new(), role: Role::Volunteer, presence: Presence::Late, reason: " ".into() };
        let err = store.set_attendance(p.id, &[late.clone()]).expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "attendance.reason", .. }), "{err:?}");

        let ok = AttendanceEntry { reason: "送孩子上学".into(), ..late };
        store.set_attendance(p.id, &[ok]).expect("saved");
        let rec = store.patrol_record(p.id).expect("record");
        assert_eq!(rec.attendance[0].name, "王芳", "member names are copied from the roster");
    }

    #[test]
    fn hazard_with_deadline_needs_responsible_person_and_opens_register_entry() {
        let store = Store::open_in_memory().expect("open");
        let p = ad_hoc(&store, 9);
        let mut report = HazardReport {
            domain: CheckDomain::WorkSafety,
            item: Some("WS-01".into()),
            description: "超市后门安全出口被货物堵塞".into(),
            severity: Severity::Medium,
            place: "场镇主街 12 号".into(),
            spot: None,
            handling: Handling::Rectify { responsible: "".into(), unit: "超市".into(), deadline: at(9).date_naive() },
        };
        let err = store.add_observation(p.id, &Observation::Hazard(report.clone()), &[], at(9)).expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "hazard.responsible", .. }), "{err:?}");

        report.handling = Handling::Rectify { responsible: "张老板".into(), unit: "超市".into(), deadline: at(9).date_naive() - chrono::Duration::days(1) };
        let err = store.add_observation(p.id, &Observation::Hazard(report.clone()), &[], at(9)).expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "hazard.deadline", .. }), "{err:?}");

        report.handling = Handling::Rectify { responsible: "张老板".into(), unit: "超市".into(), deadline: at(9).date_naive() + chrono::Duration::days(7) };
        // 用我的位置 with the zeroed position a source without a fix gives: refused, by field.
        report.spot = Some(redvest_shared::observation::Spot::new(0.0, 0.0, 0.0, at(9)));
        let err = store.add_observation(p.id, &Observation::Hazard(report.clone()), &[], at(9)).expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "hazard.spot", .. }), "{err:?}");

        report.spot = Some(redvest_shared::observation::Spot::new(29.9321, 107.8812, 7.5, at(9)));
        let entry = store.add_observation(p.id, &Observation::Hazard(report), &[], at(9)).expect("added");
        let hazard = store.hazard(entry.hazard_id.expect("register entry")).expect("hazard");
        assert_eq!(hazard.state, HazardState::Assigned);
        let spot = hazard.report.spot.expect("the place beside the typed one");
        assert_eq!((spot.lat_e7, spot.lon_e7, spot.accuracy_m), (299_321_000, 1_078_812_000, 8));
        assert_eq!(hazard.history[0].responsible.as_deref(), Some("张老板"));
    }

    #[test]
    fn unknown_checklist_code_is_refused() {
        let store = Store::open_in_memory().expect("open");
        let p = ad_hoc(&store, 9);
        store.set_check(p.id, "PO-01", CheckOutcome::Normal).expect("known");
        store.set_check(p.id, "PO-01", CheckOutcome::Problem).expect("changed");
        assert!(matches!(store.set_check(p.id, "XX-99", CheckOutcome::Normal), Err(Error::NotFound(_))));
        assert_eq!(store.patrol_record(p.id).expect("rec").checks[0].outcome, CheckOutcome::Problem);
    }

    #[test]
    fn duty_patrol_takes_the_duty_post() {
        let store = Store::open_in_memory().expect("open");
        let duty = store
            .add_duty(&redvest_shared::duty::NewDuty {
                assignment: Assignment::Post(Post::NightPatrol),
                place: "场镇".into(),
                time: chrono::NaiveTime::from_hms_opt(20, 0, 0).expect("t"),
                recurrence: redvest_shared::duty::Recurrence::Daily,
            })
            .expect("duty");
        let p = store
            .start_patrol(&StartPatrol { duty_id: Some(duty.id), assignment: None, route: String::new(), planned_start: None }, at(20))
            .expect("start");
        assert_eq!(p.assignment, Assignment::Post(Post::NightPatrol));
    }
}
