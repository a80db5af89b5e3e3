//! The home page's overview, assembled in one place.

use chrono::{DateTime, FixedOffset};
use redvest_shared::patrol::PatrolState;
use redvest_shared::today::Today;

use crate::{Result, Store};

impl Store {
    /// Today's duties, open hazards, the unfinished patrol and the counts, as of `now`
    /// in the phone's time zone.
    pub fn today(&self, now: DateTime<FixedOffset>) -> Result<Today> {
        let patrols = self.list_patrols()?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let sent: std::collections::HashSet<String> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT ref FROM outbox WHERE kind = 'patrol' AND state = 'sent'")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        Ok(Today {
            duties: self.today_duties(now)?,
            missed_week: self.missed_duties(now, 7)?,
            missed_month: self.missed_duties(now, 30)?,
            open_hazards: self.open_hazards(now.date_naive())?,
            unfinished: patrols.iter().find(|p| p.state.is_editable()).cloned(),
            recording: patrols.iter().find(|p| p.state == PatrolState::Open).map(|p| p.id),
            awaiting_review: count(patrols.iter().filter(|p| p.state == PatrolState::Submitted).count()),
            // Every patrol the county does not hold yet, finished or not.
            unsynced: count(patrols.iter().filter(|p| !sent.contains(&p.id.to_string())).count()),
            refused: count(self.outbox_refused()?.len()),
            reviews: self.reviews()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone};
    use redvest_shared::duty::{Assignment, Zone};
    use redvest_shared::patrol::StartPatrol;

    use crate::Store;

    #[test]
    fn overview_reopens_the_unfinished_patrol_and_counts() {
        let store = Store::open_in_memory().expect("open");
        let now = FixedOffset::east_opt(8 * 3600).expect("tz").with_ymd_and_hms(2026, 11, 24, 21, 0, 0).single().expect("t");
        let empty = store.today(now).expect("today");
        assert_eq!((empty.unfinished, empty.unsynced, empty.awaiting_review), (None, 0, 0));
        let p = store
            .start_patrol(
                &StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::Rural)), route: String::new(), planned_start: None },
                now.to_utc(),
            )
            .expect("start");
        let today = store.today(now).expect("today");
        assert_eq!(today.unfinished.map(|u| u.id), Some(p.id));
        assert_eq!(today.recording, Some(p.id));
        assert_eq!((today.unsynced, today.awaiting_review), (1, 0));
    }
}
