//! The duty schedule and today's duties.

use chrono::{DateTime, FixedOffset, NaiveTime, Utc};
use redvest_shared::duty::{Assignment, Duty, DutyStatus, NewDuty, Recurrence, TodayDuty};
use redvest_shared::patrol::PatrolState;
use redvest_shared::ErrorCode;
use rusqlite::params;
use uuid::Uuid;

use crate::field::{enum_from, text};
use crate::{Error, Result, Store};

pub use redvest_shared::duty::MISSED_AFTER;

fn check_recurrence(r: &Recurrence) -> Result<()> {
    let bad = |msg: &str| Err(Error::invalid("duty.recurrence", ErrorCode::OutOfRange, msg));
    match r {
        Recurrence::Weekdays { days } if days.is_empty() => bad("pick at least one weekday"),
        Recurrence::MarketDays { digits } if digits.is_empty() || digits.iter().any(|d| *d > 9) => {
            bad("market days need last digits between 0 and 9, e.g. 3, 6, 9")
        }
        Recurrence::Monthly { day } if !(1..=31).contains(day) => bad("day of month must be 1–31"),
        _ => Ok(()),
    }
}

impl Store {
    /// Adds a duty to the schedule.
    /// Refused while the team's settings are locked ([`crate::settings_lock`]).
    pub fn add_duty(&self, new: &NewDuty) -> Result<Duty> {
        self.may_change_settings()?;
        let place = text("duty.place", &new.place, 60, true)?;
        check_recurrence(&new.recurrence)?;
        let duty = Duty {
            id: Uuid::now_v7(),
            assignment: new.assignment,
            place,
            time: new.time,
            recurrence: new.recurrence.clone(),
        };
        self.conn().execute(
            "INSERT INTO duty (id, assignment, place, time, recurrence) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                duty.id,
                duty.assignment.key(),
                duty.place,
                duty.time.format("%H:%M:%S").to_string(),
                serde_json::to_string(&duty.recurrence)?
            ],
        )?;
        Ok(duty)
    }

    /// Takes a duty off the schedule (patrols already recorded for it keep it).
    /// Refused while the team's settings are locked ([`crate::settings_lock`]).
    pub fn remove_duty(&self, id: Uuid) -> Result<()> {
        self.may_change_settings()?;
        let n = self.conn().execute(
            "UPDATE duty SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
            params![id, Utc::now()],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("duty {id}")));
        }
        Ok(())
    }

    /// The schedule, by time of day.
    pub fn list_duties(&self) -> Result<Vec<Duty>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, assignment, place, time, recurrence FROM duty WHERE removed_at IS NULL ORDER BY time, place",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Uuid>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, assignment, place, time, recurrence) = row?;
            Ok(Duty {
                id,
                assignment: Assignment::from_key(&assignment)
                    .ok_or_else(|| Error::Corrupt(format!("duty assignment {assignment:?}")))?,
                place,
                time: NaiveTime::parse_from_str(&time, "%H:%M:%S")
                    .map_err(|e| Error::Corrupt(format!("duty time {time:?}: {e}")))?,
                recurrence: serde_json::from_str(&recurrence)?,
            })
        })
        .collect()
    }

    /// Today's duties (in `now`'s time zone) with whether each is done, due, under way or missed.
    pub fn today_duties(&self, now: DateTime<FixedOffset>) -> Result<Vec<TodayDuty>> {
        let today = now.date_naive();
        let mut out = Vec::new();
        for duty in self.list_duties()? {
            if !duty.recurrence.occurs_on(today) {
                continue;
            }
            let patrol = self.todays_patrol_for(duty.id, now)?;
            let status = match patrol {
                Some((_, PatrolState::Open | PatrolState::Returned)) => DutyStatus::InProgress,
                Some((_, PatrolState::Submitted | PatrolState::Sealed)) => DutyStatus::Done,
                None if now.naive_local() > today.and_time(duty.time) + MISSED_AFTER => DutyStatus::Missed,
                None => DutyStatus::Due,
            };
            out.push(TodayDuty { duty, status, patrol_id: patrol.map(|(id, _)| id) });
        }
        Ok(out)
    }

    /// Duty occurrences missed in the `days` days up to `now` (today included, in `now`'s
    /// time zone): no patrol at all for the duty that day, [`MISSED_AFTER`] past its time.
    /// A duty counts only from when it was made (its UUIDv7's time) and, once removed, until
    /// then; a duty whose id carries no time counts over the whole window.
    pub fn missed_duties(&self, now: DateTime<FixedOffset>, days: u32) -> Result<u32> {
        let tz = *now.offset();
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT id, time, recurrence, removed_at FROM duty")?;
        let duties = stmt
            .query_map([], |r| Ok((r.get::<_, Uuid>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<DateTime<Utc>>>(3)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = conn.prepare_cached("SELECT duty_id, started_at FROM patrol WHERE duty_id IS NOT NULL")?;
        let patrolled: std::collections::HashSet<(Uuid, chrono::NaiveDate)> = stmt
            .query_map([], |r| Ok((r.get::<_, Uuid>(0)?, r.get::<_, DateTime<Utc>>(1)?)))?
            .map(|row| row.map(|(duty, at)| (duty, at.with_timezone(&tz).date_naive())))
            .collect::<rusqlite::Result<_>>()?;
        let mut missed = 0u32;
        for (id, time, recurrence, removed_at) in duties {
            let time = NaiveTime::parse_from_str(&time, "%H:%M:%S").map_err(|e| Error::Corrupt(format!("duty time {time:?}: {e}")))?;
            let recurrence: Recurrence = serde_json::from_str(&recurrence)?;
            let made = id.get_timestamp().and_then(|t| {
                let (secs, nanos) = t.to_unix();
                DateTime::<Utc>::from_timestamp(i64::try_from(secs).ok()?, nanos)
            });
            for back in 0..i64::from(days) {
                let day = now.date_naive() - chrono::Duration::days(back);
                let Some(due) = day.and_time(time).and_local_timezone(tz).single() else { continue };
                let existed = made.is_none_or(|m| m <= due) && removed_at.is_none_or(|r| due < r);
                if existed && recurrence.occurs_on(day) && now > due + MISSED_AFTER && !patrolled.contains(&(id, day)) {
                    missed += 1;
                }
            }
        }
        Ok(missed)
    }

    fn todays_patrol_for(&self, duty: Uuid, now: DateTime<FixedOffset>) -> Result<Option<(Uuid, PatrolState)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, started_at, state FROM patrol WHERE duty_id = ?1 ORDER BY started_at DESC",
        )?;
        let rows = stmt.query_map([duty], |r| {
            Ok((r.get::<_, Uuid>(0)?, r.get::<_, DateTime<Utc>>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (id, started, state) = row?;
            if started.with_timezone(now.offset()).date_naive() == now.date_naive() {
                return Ok(Some((id, enum_from(&state)?)));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use redvest_shared::duty::{Post, Zone};
    use redvest_shared::patrol::StartPatrol;

    use super::*;

    fn beijing(h: u32, m: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .expect("offset")
            .with_ymd_and_hms(2026, 11, 26, h, m, 0)
            .single()
            .expect("time")
    }

    fn duty(store: &Store, assignment: Assignment, time: (u32, u32), recurrence: Recurrence) -> Duty {
        store
            .add_duty(&NewDuty {
                assignment,
                place: "栗子乡中心校".into(),
                time: NaiveTime::from_hms_opt(time.0, time.1, 0).expect("time"),
                recurrence,
            })
            .expect("add duty")
    }

    #[test]
    fn today_shows_due_missed_and_done() {
        let store = Store::open_in_memory().expect("open");
        // 2026-11-26 ends in 6: a market day.
        let gate = duty(&store, Assignment::Post(Post::SchoolGate), (16, 0), Recurrence::Daily);
        let market = duty(&store, Assignment::Post(Post::MarketStreet), (10, 0), Recurrence::MarketDays { digits: vec![3, 6, 9] });
        let night = duty(&store, Assignment::Post(Post::NightPatrol), (20, 0), Recurrence::Daily);
        duty(&store, Assignment::Zone(Zone::Highland), (9, 0), Recurrence::Monthly { day: 1 });

        let now = beijing(15, 0);
        let p = store
            .start_patrol(&StartPatrol { duty_id: Some(gate.id), assignment: None, route: String::new(), planned_start: None }, now.with_timezone(&Utc))
            .expect("start");
        let today = store.today_duties(now).expect("today");
        let status: Vec<_> = today.iter().map(|t| (t.duty.id, t.status)).collect();
        assert_eq!(
            status,
            vec![(market.id, DutyStatus::Missed), (gate.id, DutyStatus::InProgress), (night.id, DutyStatus::Due)]
        );
        assert_eq!(today[1].patrol_id, Some(p.id));
    }

    #[test]
    fn bad_recurrence_names_the_field() {
        let store = Store::open_in_memory().expect("open");
        let err = store
            .add_duty(&NewDuty {
                assignment: Assignment::Zone(Zone::Rural),
                place: "村".into(),
                time: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
                recurrence: Recurrence::Weekdays { days: vec![] },
            })
            .expect_err("refused");
        assert!(matches!(err, Error::Invalid { field: "duty.recurrence", .. }), "{err:?}");
    }

    #[test]
    fn missed_duties_count_over_the_week_and_the_month_from_when_each_duty_was_made() {
        use chrono::TimeZone;
        let store = Store::open_in_memory().expect("open");
        let tz = FixedOffset::east_opt(8 * 3600).expect("tz");
        let now = tz.with_ymd_and_hms(2026, 12, 20, 21, 0, 0).single().expect("now");
        // A daily 08:00 duty made on 2026-12-05 at 09:00 (its first occurrence the 6th), and one
        // removed on the 18th at noon after being made on 2026-11-01.
        let at = |d: u32, h: u32| tz.with_ymd_and_hms(2026, 12, d, h, 0, 0).single().expect("t");
        let v7 = |t: DateTime<FixedOffset>| Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, t.timestamp() as u64, 0));
        let daily = serde_json::to_string(&Recurrence::Daily).expect("json");
        let (fresh, gone) = (v7(at(5, 9)), v7(tz.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("t")));
        for (id, removed) in [(fresh, None), (gone, Some(at(18, 12).to_utc().to_rfc3339()))] {
            store
                .conn()
                .execute("INSERT INTO duty (id, assignment, place, time, recurrence, removed_at) VALUES (?1, 'zone.rural', '村口', '08:00:00', ?2, ?3)", params![id, daily, removed])
                .expect("duty");
        }
        // The fresh duty was patrolled on the 19th.
        store.start_patrol(&redvest_shared::patrol::StartPatrol { duty_id: Some(fresh), assignment: None, route: String::new(), planned_start: None }, at(19, 8).to_utc()).expect("patrol");
        // Week (14th–20th): fresh misses 6 of 7 (not the 19th), gone misses the 14th–18th: 11.
        assert_eq!(store.missed_duties(now, 7).expect("week"), 6 + 5);
        // Month (21 Nov–20 Dec): fresh misses the 6th–20th but the 19th (14), gone the 21st of
        // November to the 18th of December (28).
        assert_eq!(store.missed_duties(now, 30).expect("month"), 14 + 28);
        // Before 10:00 today's 08:00 is not missed yet.
        assert_eq!(store.missed_duties(at(20, 9), 1).expect("today"), 0);
    }

}
