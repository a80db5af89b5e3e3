//! The figures of the 旬报 and 月报: each a SQL query over the records a reviewer can read
//! here, never a counter kept by hand. A team's row for a period; townships and the county
//! are sums of teams' rows ([`crate::report`]).
//!
//! What counts:
//! - a patrol: countersigned, started in the period (Beijing dates); a patrol an amendment
//!   replaces is counted once, as its amendment;
//! - a duty: each date of a published plan's duty in the period; done when a counted patrol
//!   answers it that day; missed when no patrol at all answers it,
//!   [`redvest_shared::duty::MISSED_AFTER`] after its time;
//! - hazards by when they were found (`hazard.found_at`), 销号 by the first history entry that
//!   closed it (county or team), fixed on the spot by any entry saying so, overdue when the
//!   deadline (the last set) passed before the period's end (or today, if sooner) and it was
//!   not closed by then;
//! - 入户定额: each active member's monthly quota (the roster's 30, 50 or 80 households) times
//!   the share of each month the period has run by now; a visit counts against it when its
//!   patrol's volunteer (or the member their proposal was merged into) has a quota. The
//!   quotas are the roster's current ones, for past periods too (no history is kept).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Db, DbError};

/// One team's figures for a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Duty dates of the published plans in the period.
    pub duties_planned: i64,
    /// Of those, answered by a counted patrol that day.
    pub duties_done: i64,
    /// Of those, whose time has come (覆盖率's denominator: later ones cannot be done yet).
    pub duties_due: i64,
    /// Of those, with no patrol at all (not even one waiting for its leader) past their time.
    pub duties_missed: i64,
    /// Counted patrols.
    pub patrols: i64,
    /// 参与人次: attendance entries present or late.
    pub attendances: i64,
    /// Hours patrolled (start to end of each counted patrol).
    pub hours: f64,
    /// Kilometres walked, from the tracks (within segments; a patrol without a track counts 0).
    pub km: f64,
    /// Hazards found.
    pub hazards_found: i64,
    /// Of those, 社会治安 / 安全生产 / 消防安全.
    pub by_domain: [i64; 3],
    /// Of those, 一般 / 较大 / 重大.
    pub by_severity: [i64; 3],
    /// Of those, fixed on the spot.
    pub fixed_on_spot: i64,
    /// Of those, fixed on the spot or 销号 by the period's end (整改率's numerator).
    pub rectified_of_found: i64,
    /// 销号 in the period, whenever found.
    pub closed: i64,
    /// Open past their deadline at the period's end.
    pub overdue: i64,
    /// 矛盾纠纷 recorded.
    pub disputes: i64,
    /// Of those, handed to the village (社区) to mediate.
    pub disputes_handed: i64,
    /// 可疑人员/车辆/物品 recorded.
    pub sightings: i64,
    /// Of those, passed to the police.
    pub sightings_passed: i64,
    /// 入户走访: households visited.
    pub house_visits: i64,
    /// People met on those visits.
    pub people_met: i64,
    /// 宣传 done.
    pub outreach: i64,
    /// People reached.
    pub audience: i64,
    /// 入户定额: households the members with a quota are due to visit in the period (each
    /// one's monthly quota prorated by the period's days in each month, up to today;
    /// unrounded, so sums of teams stay exact).
    pub visit_quota: f64,
    /// Households visited by those members (the patrol's volunteer).
    pub quota_visits: i64,
}

/// A team's row.
#[derive(Debug, Clone)]
pub struct TeamFigures {
    /// The team.
    pub team_id: Uuid,
    /// Its name.
    pub team: String,
    /// Its township, if set.
    pub township: Option<String>,
    /// Its figures.
    pub figures: Figures,
}

/// The patrols counted in a period ($1 first day, $2 last day, Beijing), within the scope
/// ($3: a township, or every one). A macro, so each query stays one literal.
macro_rules! counted {
    () => {
        "
    counted AS (
        SELECT p.id, p.team_id, p.duty_id, p.assignment, p.doc, p.distance_m, (p.started_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
               p.volunteer ->> 'member_id' AS volunteer_id
        FROM patrol p JOIN team t ON t.id = p.team_id
        WHERE p.state = 'countersigned' AND p.doc IS NOT NULL
          AND p.started_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND p.started_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND ($3::uuid IS NULL OR t.township_id = $3)
          -- amended: its (countersigned, same team) amendment counts instead
          AND NOT EXISTS (SELECT 1 FROM patrol a WHERE a.amends = p.id AND a.team_id = p.team_id AND a.state = 'countersigned')
          -- amended twice: the later amendment counts
          AND NOT (p.amends IS NOT NULL AND EXISTS (SELECT 1 FROM patrol b WHERE b.amends = p.amends AND b.team_id = p.team_id AND b.state = 'countersigned' AND b.id > p.id))
    )"
    };
}

impl Db {
    /// Each team's figures for the period `first..=last`; duties count as missed once
    /// `missed_after` past their time before `now`.
    pub async fn report_teams(&self, first: NaiveDate, last: NaiveDate, now: DateTime<Utc>, missed_after: chrono::Duration, scope: Option<Uuid>) -> Result<Vec<TeamFigures>, DbError> {
        let sql = concat!(
            "WITH ",
            counted!(),
            ",
            duty_days AS (
                SELECT d.team_id, d.id, day, (day + d.time) AT TIME ZONE 'Asia/Shanghai' AS due
                FROM plan_duty d, unnest(d.dates) AS day
                WHERE day BETWEEN $1 AND $2
            ),
            duties AS (
                SELECT team_id, count(*) AS planned, count(*) FILTER (WHERE due <= $4) AS due, count(*) FILTER (WHERE done) AS done,
                       count(*) FILTER (WHERE NOT patrolled AND due + make_interval(secs => $5) < $4) AS missed
                FROM (SELECT dd.team_id, dd.due,
                             EXISTS (SELECT 1 FROM counted c WHERE c.duty_id = dd.id AND c.day = dd.day) AS done,
                             -- a patrol waiting for its leader (or sent back) is not a missed duty
                             EXISTS (SELECT 1 FROM patrol q WHERE q.duty_id = dd.id AND q.team_id = dd.team_id
                                     AND (q.started_at AT TIME ZONE 'Asia/Shanghai')::date = dd.day) AS patrolled
                      FROM duty_days dd) x
                GROUP BY team_id
            ),
            patrols AS (
                SELECT team_id, count(*) AS patrols,
                       sum((SELECT count(*) FROM jsonb_array_elements(doc -> 'attendance') a WHERE a ->> 'presence' IN ('present', 'late'))) AS attendances,
                       sum(extract(epoch FROM (doc ->> 'ended_at')::timestamptz - (doc ->> 'started_at')::timestamptz)) / 3600.0 AS hours,
                       sum(coalesce(distance_m, 0)) / 1000.0 AS km
                FROM counted GROUP BY team_id
            ),
            -- members with a visit quota, and proposals merged into them (as the signatures name them)
            quota_members AS (
                SELECT v.id::text AS id FROM member v JOIN member m ON m.id = coalesce(v.merged_into, v.id) WHERE m.visit_quota IS NOT NULL
            ),
            observed AS (
                SELECT c.team_id,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'dispute') AS disputes,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'dispute' AND (o -> 'body' ->> 'handed_to_village')::boolean) AS disputes_handed,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'sighting') AS sightings,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'sighting' AND (o -> 'body' ->> 'passed_to_police')::boolean) AS sightings_passed,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'house_visit') AS house_visits,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'house_visit' AND c.volunteer_id IN (SELECT id FROM quota_members)) AS quota_visits,
                       coalesce(sum((o -> 'body' ->> 'people_met')::bigint) FILTER (WHERE o -> 'body' ->> 'type' = 'house_visit'), 0) AS people_met,
                       count(*) FILTER (WHERE o -> 'body' ->> 'type' = 'outreach') AS outreach,
                       coalesce(sum((o -> 'body' ->> 'audience')::bigint) FILTER (WHERE o -> 'body' ->> 'type' = 'outreach'), 0) AS audience
                FROM counted c, jsonb_array_elements(c.doc -> 'observations') o
                GROUP BY c.team_id
            ),
            -- each active member's monthly quota, prorated by the period's days in each month
            -- that have begun by now (Beijing)
            quotas AS (
                SELECT team_id, sum(visit_quota) * (SELECT coalesce(sum(1.0 / extract(day FROM date_trunc('month', d) + interval '1 month' - interval '1 day')), 0)
                                                    FROM generate_series($1::date, least($2::date, ($4 AT TIME ZONE 'Asia/Shanghai')::date), interval '1 day') d) AS quota
                FROM member WHERE visit_quota IS NOT NULL AND status = 'active' GROUP BY team_id
            ),
            hazard_life AS (
                SELECT h.team_id, h.domain, h.severity, h.deadline,
                       h.found_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai') AND h.found_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS found_in,
                       h.found_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS found_by_end,
                       -- by the state an entry gave, whoever made it (the team can close, or fix
                       -- on the spot later; the county's older command-line entries are 'set')
                       coalesce(e.on_spot, false) AS on_spot, e.closed_at
                FROM hazard h JOIN team t ON t.id = h.team_id
                LEFT JOIN (SELECT hazard_id, bool_or(state = 'fixed_on_spot') AS on_spot, min(at) FILTER (WHERE state = 'closed') AS closed_at
                           FROM hazard_event GROUP BY hazard_id) e ON e.hazard_id = h.id
                WHERE h.found_at IS NOT NULL AND ($3::uuid IS NULL OR t.township_id = $3)
            ),
            hazards AS (
                SELECT team_id,
                       count(*) FILTER (WHERE found_in) AS found,
                       count(*) FILTER (WHERE found_in AND domain = 'public_order') AS public_order,
                       count(*) FILTER (WHERE found_in AND domain = 'work_safety') AS work_safety,
                       count(*) FILTER (WHERE found_in AND domain = 'fire_safety') AS fire_safety,
                       count(*) FILTER (WHERE found_in AND severity = 'low') AS low,
                       count(*) FILTER (WHERE found_in AND severity = 'medium') AS medium,
                       count(*) FILTER (WHERE found_in AND severity = 'high') AS high,
                       count(*) FILTER (WHERE found_in AND on_spot) AS on_spot,
                       count(*) FILTER (WHERE found_in AND (on_spot OR closed_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))) AS rectified,
                       count(*) FILTER (WHERE closed_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai') AND closed_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS closed,
                       count(*) FILTER (WHERE found_by_end AND NOT on_spot AND deadline < least($2::date + 1, ($4 AT TIME ZONE 'Asia/Shanghai')::date)
                                        AND (closed_at IS NULL OR closed_at >= (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))) AS overdue
                FROM hazard_life GROUP BY team_id
            )
            SELECT t.id, t.name, tw.name,
                   coalesce(d.planned, 0), coalesce(d.done, 0), coalesce(d.missed, 0), coalesce(d.due, 0),
                   coalesce(p.patrols, 0), coalesce(p.attendances, 0)::bigint, coalesce(p.hours, 0)::float8, coalesce(p.km, 0)::float8,
                   coalesce(h.found, 0), coalesce(h.public_order, 0), coalesce(h.work_safety, 0), coalesce(h.fire_safety, 0),
                   coalesce(h.low, 0), coalesce(h.medium, 0), coalesce(h.high, 0),
                   coalesce(h.on_spot, 0), coalesce(h.rectified, 0), coalesce(h.closed, 0), coalesce(h.overdue, 0),
                   coalesce(o.disputes, 0), coalesce(o.disputes_handed, 0), coalesce(o.sightings, 0), coalesce(o.sightings_passed, 0),
                   coalesce(o.house_visits, 0), coalesce(o.people_met, 0)::bigint, coalesce(o.outreach, 0), coalesce(o.audience, 0)::bigint,
                   coalesce(q.quota, 0)::float8, coalesce(o.quota_visits, 0)
            FROM team t
            LEFT JOIN township tw ON tw.id = t.township_id
            LEFT JOIN duties d ON d.team_id = t.id
            LEFT JOIN patrols p ON p.team_id = t.id
            LEFT JOIN observed o ON o.team_id = t.id
            LEFT JOIN hazards h ON h.team_id = t.id
            LEFT JOIN quotas q ON q.team_id = t.id
            WHERE ($3::uuid IS NULL OR t.township_id = $3)
            ORDER BY tw.name NULLS LAST, t.name"
        );
        // PostgreSQL's JIT compiles this large query for longer (≈ 1.4 s over the benchmark's
        // year) than it then runs (≈ 0.6 s): off, for this query only.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
        let rows = sqlx::query(sql)
            .bind(first)
            .bind(last)
            .bind(scope)
            .bind(now)
            .bind(missed_after.num_seconds() as f64)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|r| TeamFigures {
                team_id: r.get(0),
                team: r.get(1),
                township: r.get(2),
                figures: Figures {
                    duties_planned: r.get(3),
                    duties_done: r.get(4),
                    duties_missed: r.get(5),
                    duties_due: r.get(6),
                    patrols: r.get(7),
                    attendances: r.get(8),
                    hours: r.get(9),
                    km: r.get(10),
                    hazards_found: r.get(11),
                    by_domain: [r.get(12), r.get(13), r.get(14)],
                    by_severity: [r.get(15), r.get(16), r.get(17)],
                    fixed_on_spot: r.get(18),
                    rectified_of_found: r.get(19),
                    closed: r.get(20),
                    overdue: r.get(21),
                    disputes: r.get(22),
                    disputes_handed: r.get(23),
                    sightings: r.get(24),
                    sightings_passed: r.get(25),
                    house_visits: r.get(26),
                    people_met: r.get(27),
                    outreach: r.get(28),
                    audience: r.get(29),
                    visit_quota: r.get(30),
                    quota_visits: r.get(31),
                },
            })
            .collect())
    }

    /// Counted patrols by post or zone (its key), most first.
    pub async fn report_assignments(&self, first: NaiveDate, last: NaiveDate, scope: Option<Uuid>) -> Result<Vec<(String, i64)>, DbError> {
        let sql = concat!("WITH ", counted!(), " SELECT assignment, count(*) FROM counted WHERE assignment IS NOT NULL GROUP BY assignment ORDER BY count(*) DESC, assignment");
        let rows = sqlx::query(sql).bind(first).bind(last).bind(scope).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
