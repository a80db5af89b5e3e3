//! Beijing time (UTC+8, no daylight saving): what clerks read, and what plans, deadlines and
//! "today" are reckoned in.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// UTC+8.
pub fn offset() -> FixedOffset {
    // 8 hours is within ±24 h: the constructor cannot refuse it.
    FixedOffset::east_opt(8 * 3600).unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
}

/// The wall clock in Beijing at `t`.
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&offset()).naive_local()
}

/// Today's date in Beijing.
pub fn today() -> NaiveDate {
    local(Utc::now()).date()
}

/// `t` as clerks read it: 2026-12-02 21:30.
pub fn format(t: DateTime<Utc>) -> String {
    local(t).format("%Y-%m-%d %H:%M").to_string()
}

/// A Beijing wall-clock time as an instant.
pub fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    offset().from_utc_datetime(&(local - chrono::Duration::hours(8))).with_timezone(&Utc)
}

/// Midnight at the start of `date` in Beijing, as an instant.
pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    instant(date.and_time(chrono::NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn a_beijing_day_starts_at_16_utc_the_day_before() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        assert_eq!(super::day_start(date), chrono::Utc.with_ymd_and_hms(2026, 12, 1, 16, 0, 0).single().expect("t"));
        assert_eq!(super::format(super::day_start(date)), "2026-12-02 00:00");
    }
}
