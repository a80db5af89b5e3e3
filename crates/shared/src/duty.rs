//! Duties (勤务): which post or zone a team covers, where, when, and how often.
//! Schedules follow seed 004 (护学岗, 夜巡岗, 街面岗 on days ending in 3/6/9, zones by frequency).

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A fixed post (岗) staffed at a set time.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// 护学岗: at a school gate when pupils arrive or leave.
    SchoolGate,
    /// 夜巡岗: the evening patrol.
    NightPatrol,
    /// 街面岗: the street on market days.
    MarketStreet,
}

/// An area (区域) patrolled at some frequency.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// 场镇集中区: the township centre, daily.
    TownCentre,
    /// 企业生产区: factories and works, weekly by vehicle.
    Industrial,
    /// 高山留守区: highland villages, monthly door to door.
    Highland,
    /// 农村: rural villages, twice a week (seed 001).
    Rural,
}

/// What a duty or patrol covers: a post or a zone.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// A fixed post.
    Post(Post),
    /// An area.
    Zone(Zone),
}

impl Assignment {
    /// Every assignment, in the order the UI offers them.
    pub const ALL: [Assignment; 7] = [
        Assignment::Post(Post::SchoolGate),
        Assignment::Post(Post::NightPatrol),
        Assignment::Post(Post::MarketStreet),
        Assignment::Zone(Zone::TownCentre),
        Assignment::Zone(Zone::Industrial),
        Assignment::Zone(Zone::Highland),
        Assignment::Zone(Zone::Rural),
    ];

    /// A stable text key, e.g. `post.school_gate`, used in storage and in the UI's dictionaries.
    pub fn key(self) -> &'static str {
        match self {
            Assignment::Post(Post::SchoolGate) => "post.school_gate",
            Assignment::Post(Post::NightPatrol) => "post.night_patrol",
            Assignment::Post(Post::MarketStreet) => "post.market_street",
            Assignment::Zone(Zone::TownCentre) => "zone.town_centre",
            Assignment::Zone(Zone::Industrial) => "zone.industrial",
            Assignment::Zone(Zone::Highland) => "zone.highland",
            Assignment::Zone(Zone::Rural) => "zone.rural",
        }
    }

    /// The assignment with this [`key`](Self::key).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// How often a duty recurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Recurrence {
    /// Every day.
    Daily,
    /// On these weekdays (e.g. Friday and Sunday for the middle school's 护学岗).
    Weekdays {
        /// The weekdays.
        days: Vec<Weekday>,
    },
    /// On market days: days of the month whose last digit is one of `digits` (逢"369").
    MarketDays {
        /// Last digits of the day of month, e.g. `[3, 6, 9]`.
        digits: Vec<u8>,
    },
    /// Once a week on `weekday`, moved to the next day when that is a market day (3/6/9).
    WeeklyNonMarket {
        /// The planned weekday.
        weekday: Weekday,
    },
    /// Once a month on this day (clamped to the month's last day).
    Monthly {
        /// Day of month, 1–31.
        day: u8,
    },
    /// On given dates: a monthly plan published by the county (联席会议).
    Dates {
        /// The dates.
        dates: Vec<NaiveDate>,
    },
}

/// The last digits of the market days of seed 004 (逢3、6、9赶集).
pub const MARKET_DAY_DIGITS: [u8; 3] = [3, 6, 9];

/// The market days of seed 004: days ending in 3, 6 or 9.
pub fn is_market_day(date: NaiveDate) -> bool {
    MARKET_DAY_DIGITS.contains(&((date.day() % 10) as u8))
}

impl Recurrence {
    /// On the market days of seed 004 (逢3、6、9).
    pub fn market_days() -> Self {
        Recurrence::MarketDays { digits: MARKET_DAY_DIGITS.to_vec() }
    }

    /// Whether the duty falls on `date`.
    pub fn occurs_on(&self, date: NaiveDate) -> bool {
        match self {
            Recurrence::Daily => true,
            Recurrence::Weekdays { days } => days.contains(&date.weekday()),
            Recurrence::MarketDays { digits } => digits.contains(&((date.day() % 10) as u8)),
            Recurrence::WeeklyNonMarket { weekday } => {
                // The planned day of this week, pushed forward past market days.
                let offset = (date.weekday().num_days_from_monday() as i64)
                    - (weekday.num_days_from_monday() as i64);
                let mut planned = date - chrono::Duration::days(offset);
                while is_market_day(planned) {
                    planned = planned.succ_opt().unwrap_or(planned);
                }
                planned == date
            }
            Recurrence::Monthly { day } => {
                let last = last_day_of_month(date);
                date.day() == u32::from(*day).clamp(1, last)
            }
            Recurrence::Dates { dates } => dates.contains(&date),
        }
    }
}

fn last_day_of_month(date: NaiveDate) -> u32 {
    (28..=31).rev().find(|d| date.with_day(*d).is_some()).unwrap_or(28)
}

/// A duty in the team's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    /// UUIDv7.
    pub id: Uuid,
    /// Post or zone.
    pub assignment: Assignment,
    /// Where, in words (e.g. 栗子乡中心校).
    pub place: String,
    /// Local start time.
    pub time: NaiveTime,
    /// How often.
    pub recurrence: Recurrence,
}

/// A duty as the leader enters it in settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDuty {
    /// Post or zone.
    pub assignment: Assignment,
    /// Where.
    pub place: String,
    /// Local start time.
    pub time: NaiveTime,
    /// How often.
    pub recurrence: Recurrence,
}

/// How long after its time a duty with no patrol counts as missed (the phone's today list
/// and the county's overview alike).
pub const MISSED_AFTER: chrono::Duration = chrono::Duration::hours(2);

/// Where a duty of today stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyStatus {
    /// Not yet started; its time has not long passed.
    Due,
    /// A patrol for it is under way.
    InProgress,
    /// A patrol for it was finished today.
    Done,
    /// Its time passed by more than the grace period with no patrol.
    Missed,
}

impl DutyStatus {
    /// Whether a patrol for it can be started now: one not started yet, late or not (a late
    /// patrol is still a patrol; its planned time is kept beside the real start).
    pub fn can_start(self) -> bool {
        matches!(self, DutyStatus::Due | DutyStatus::Missed)
    }
}

/// One of today's duties with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayDuty {
    /// The duty.
    pub duty: Duty,
    /// Done, due, in progress or missed.
    pub status: DutyStatus,
    /// The patrol recorded for it today, if any.
    pub patrol_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn market_days_end_in_3_6_9() {
        let r = Recurrence::market_days();
        let days: Vec<u32> = (1..=30).filter(|n| r.occurs_on(d(2026, 11, *n))).collect();
        assert_eq!(days, vec![3, 6, 9, 13, 16, 19, 23, 26, 29]);
    }

    #[test]
    fn weekly_non_market_moves_off_market_days() {
        // Mondays in November 2026: 16 and 23 are market days (end in 6 and 3), 30 is not.
        let r = Recurrence::WeeklyNonMarket { weekday: Weekday::Mon };
        assert!(r.occurs_on(d(2026, 11, 30)));
        assert!(!r.occurs_on(d(2026, 11, 16)), "16 ends in 6: market day");
        assert!(r.occurs_on(d(2026, 11, 17)), "moved to Tuesday");
        assert!(!r.occurs_on(d(2026, 11, 23)) && r.occurs_on(d(2026, 11, 24)));
        assert!(!r.occurs_on(d(2026, 11, 25)), "once a week only");
    }

    #[test]
    fn monthly_clamps_to_month_end() {
        let r = Recurrence::Monthly { day: 31 };
        assert!(r.occurs_on(d(2026, 11, 30)));
        assert!(!r.occurs_on(d(2026, 11, 29)));
        assert!(r.occurs_on(d(2026, 12, 31)));
    }

    #[test]
    fn weekdays_pick_their_days() {
        let r = Recurrence::Weekdays { days: vec![Weekday::Fri, Weekday::Sun] };
        assert!(r.occurs_on(d(2026, 11, 27)));
        assert!(r.occurs_on(d(2026, 11, 29)));
        assert!(!r.occurs_on(d(2026, 11, 28)));
    }

    #[test]
    fn assignment_keys_round_trip() {
        for a in Assignment::ALL {
            assert_eq!(Assignment::from_key(a.key()), Some(a));
        }
    }
}
