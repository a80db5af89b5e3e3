//! The hazard register (隐患台账) at the county: hazards as their patrols report them, every
//! entry of their history, and the county's decisions, each published to the team's phones
//! in the same transaction as it is written.

use chrono::{DateTime, NaiveDate, Utc};
use redvest_shared::hazard::{CountyAction, HazardState};
use redvest_shared::observation::{Handling, HazardReport};
use redvest_shared::wire::{HazardDecision, Published};
use sqlx::Row;
use uuid::Uuid;

use super::{publish_in, Db, DbError};
use crate::admin::{enum_text, from_key};

/// What an accepted record does to the register.
#[derive(Debug, Clone)]
pub enum HazardEntry {
    /// Found on a patrol: registered with what was reported.
    Found {
        /// The hazard.
        id: Uuid,
        /// The patrol that found it.
        patrol_id: Uuid,
        /// When the patrol started.
        at: DateTime<Utc>,
        /// What was reported.
        report: HazardReport,
        /// Its photos (SHA-256, hex).
        photos: Vec<String>,
    },
    /// A change the team made on a phone after the patrol.
    Changed {
        /// The entry's id (its record's).
        event_id: Uuid,
        /// The hazard.
        hazard_id: Uuid,
        /// When.
        at: DateTime<Utc>,
        /// Who, as on the roster.
        by: String,
        /// The new state.
        state: HazardState,
        /// Why.
        reason: String,
        /// 责任人.
        responsible: Option<String>,
        /// 整改期限.
        deadline: Option<NaiveDate>,
    },
}

/// Writes a register entry within an accepted record's transaction. A hazard id another team
/// already holds is left alone.
pub(super) async fn write_entry(tx: &mut sqlx::PgConnection, team: Uuid, entry: &HazardEntry) -> Result<(), DbError> {
    match entry {
        HazardEntry::Found { id, patrol_id, at, report, photos } => {
            let (state, responsible, deadline) = redvest_shared::hazard::opened(report);
            let unit = match &report.handling {
                Handling::Rectify { unit, .. } => Some(unit.clone()),
                _ => None,
            };
            let new = sqlx::query(
                "INSERT INTO hazard (id, team_id, state, patrol_id, found_at, domain, item, description, severity, place, unit, responsible, deadline, photos)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(team)
            .bind(enum_text(state))
            .bind(patrol_id)
            .bind(at)
            .bind(enum_text(report.domain))
            .bind(&report.item)
            .bind(&report.description)
            .bind(enum_text(report.severity))
            .bind(&report.place)
            .bind(unit)
            .bind(&responsible)
            .bind(deadline)
            .bind(photos)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if new {
                append(tx, *id, Uuid::now_v7(), *at, "巡查发现", "found", state, "", responsible.as_deref(), deadline, Some(*patrol_id), None).await?;
            }
        }
        HazardEntry::Changed { event_id, hazard_id, at, by, state, reason, responsible, deadline } => {
            let mine: Option<Uuid> = sqlx::query_scalar("SELECT id FROM hazard WHERE id = $1 AND team_id = $2 FOR UPDATE")
                .bind(hazard_id)
                .bind(team)
                .fetch_optional(&mut *tx)
                .await?;
            if mine.is_some() {
                append(tx, *hazard_id, *event_id, *at, by, "team", *state, reason, responsible.as_deref(), *deadline, None, None).await?;
                settle(tx, *hazard_id).await?;
            }
        }
    }
    Ok(())
}

/// Sets a hazard's state, responsible person and deadline from its history, by the phones'
/// rule: the newest entry (by time, then id) says the state — a change that arrives late
/// does not undo a later one — and the newest entry naming a responsible person or a deadline
/// says those. 督办 entries keep the state they found, so they never say it.
async fn settle(tx: &mut sqlx::PgConnection, hazard: Uuid) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE hazard h SET
             state = coalesce((SELECT e.state FROM hazard_event e WHERE e.hazard_id = h.id AND e.action <> 'supervise'
                               ORDER BY e.at DESC, e.id DESC LIMIT 1), h.state),
             responsible = coalesce((SELECT e.responsible FROM hazard_event e WHERE e.hazard_id = h.id AND e.responsible IS NOT NULL
                                     ORDER BY e.at DESC, e.id DESC LIMIT 1), h.responsible),
             deadline = coalesce((SELECT e.deadline FROM hazard_event e WHERE e.hazard_id = h.id AND e.deadline IS NOT NULL
                                  ORDER BY e.at DESC, e.id DESC LIMIT 1), h.deadline),
             updated_at = now()
         WHERE h.id = $1",
    )
    .bind(hazard)
    .execute(tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one column each
async fn append(
    tx: &mut sqlx::PgConnection,
    hazard: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
    by: &str,
    action: &str,
    state: HazardState,
    reason: &str,
    responsible: Option<&str>,
    deadline: Option<NaiveDate>,
    patrol: Option<Uuid>,
    clerk: Option<Uuid>,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO hazard_event (id, hazard_id, at, by_name, action, state, reason, responsible, deadline, patrol_id, clerk_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(hazard)
    .bind(at)
    .bind(by)
    .bind(action)
    .bind(enum_text(state))
    .bind(reason)
    .bind(responsible)
    .bind(deadline)
    .bind(patrol)
    .bind(clerk)
    .execute(tx)
    .await?;
    Ok(())
}

/// A county decision, as a clerk (or the command line) makes it.
#[derive(Debug, Clone)]
pub struct CountyDecision {
    /// 交办, 督办, 复查, 销号 or 退回.
    pub action: CountyAction,
    /// Who decides, as the phones show it (县综治中心, 城关镇综治中心).
    pub by: String,
    /// Why.
    pub reason: String,
    /// 责任人 (交办).
    pub responsible: Option<String>,
    /// 整改期限 (交办; 督办 may set a new one).
    pub deadline: Option<NaiveDate>,
    /// The clerk, when made in the console.
    pub clerk: Option<Uuid>,
}

/// What became of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Written and published to the team: the hazard's new state.
    Done(HazardState),
    /// No such hazard in the clerk's scope.
    NotFound,
    /// The action does not apply to a hazard in this state.
    NotAllowed(HazardState),
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    /// The clerk's township (`None`: every township).
    pub scope: Option<Uuid>,
    /// One township.
    pub township: Option<Uuid>,
    /// One team.
    pub team: Option<Uuid>,
    /// `open`, `overdue`, `closed`, or a state's key.
    pub state: Option<String>,
    /// A domain's key.
    pub domain: Option<String>,
    /// Today in Beijing: what "overdue" is measured against.
    pub today: NaiveDate,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to show.
    pub limit: i64,
}

/// One hazard as the register lists it, and as its page heads it.
#[derive(Debug, Clone)]
pub struct HazardRow {
    /// The hazard.
    pub id: Uuid,
    /// Its team.
    pub team: String,
    /// The team's township.
    pub township: Option<String>,
    /// When it was found.
    pub found_at: Option<DateTime<Utc>>,
    /// Domain key.
    pub domain: Option<String>,
    /// What is wrong.
    pub description: String,
    /// Severity key.
    pub severity: Option<String>,
    /// Where.
    pub place: String,
    /// Its state's key.
    pub state: String,
    /// 责任人.
    pub responsible: Option<String>,
    /// 整改期限.
    pub deadline: Option<NaiveDate>,
    /// Open past its deadline.
    pub overdue: bool,
}

/// A hazard's page: the row, and what the list leaves out.
#[derive(Debug, Clone)]
pub struct HazardDetail {
    /// What the list shows.
    pub row: HazardRow,
    /// The checklist item it answers.
    pub item: Option<String>,
    /// 责任单位.
    pub unit: Option<String>,
    /// The patrol that found it.
    pub patrol_id: Option<Uuid>,
    /// Its photos.
    pub photos: Vec<String>,
    /// Its history, oldest first.
    pub history: Vec<HistoryRow>,
}

/// One entry of a hazard's history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// `found`, `team` or a [`CountyAction`] key.
    pub action: String,
    /// The state after it.
    pub state: String,
    /// Why.
    pub reason: String,
    /// 责任人.
    pub responsible: Option<String>,
    /// 整改期限.
    pub deadline: Option<NaiveDate>,
    /// The patrol it was recorded on.
    pub patrol_id: Option<Uuid>,
}

/// The register's rows a clerk may see: $1 scope, $2 township, $3 team, $4 state filter,
/// $5 domain, $6 today.
macro_rules! hazards_matching {
    () => {
        "FROM hazard h JOIN team t ON t.id = h.team_id LEFT JOIN township w ON w.id = t.township_id
         WHERE ($1::uuid IS NULL OR t.township_id = $1) AND ($2::uuid IS NULL OR t.township_id = $2)
           AND ($3::uuid IS NULL OR h.team_id = $3) AND ($5::text IS NULL OR h.domain = $5)
           AND CASE $4::text
                 WHEN 'open' THEN h.state NOT IN ('closed', 'fixed_on_spot')
                 WHEN 'overdue' THEN h.state NOT IN ('closed', 'fixed_on_spot') AND h.deadline < $6
                 WHEN 'closed' THEN h.state IN ('closed', 'fixed_on_spot')
                 ELSE $4 IS NULL OR h.state = $4 END"
    };
}

/// The columns [`hazard_row`] reads, with the parameter that holds today.
macro_rules! hazard_columns {
    ($today:literal) => {
        concat!(
            "SELECT h.id, t.name, w.name, h.found_at, h.domain, h.description, h.severity, h.place, h.state, h.responsible, h.deadline,
                coalesce(h.state NOT IN ('closed', 'fixed_on_spot') AND h.deadline < ",
            $today,
            ", false) AS overdue "
        )
    };
}

fn hazard_row(r: &sqlx::postgres::PgRow) -> HazardRow {
    HazardRow {
        id: r.get(0),
        team: r.get(1),
        township: r.get(2),
        found_at: r.get(3),
        domain: r.get(4),
        description: r.get(5),
        severity: r.get(6),
        place: r.get(7),
        state: r.get(8),
        responsible: r.get(9),
        deadline: r.get(10),
        overdue: r.get(11),
    }
}

const HAZARD_COUNT: &str = concat!("SELECT count(*) ", hazards_matching!());
const HAZARD_PAGE: &str = concat!(
    hazard_columns!("$6"),
    hazards_matching!(),
    " ORDER BY overdue DESC, (h.state IN ('closed', 'fixed_on_spot')), h.deadline NULLS LAST, h.found_at DESC NULLS LAST, h.id LIMIT $7 OFFSET $8"
);

impl Db {
    /// A page of the register — overdue first, then open by deadline, then closed — and how
    /// many match in all.
    pub async fn hazard_list(&self, f: &HazardFilter) -> Result<(Vec<HazardRow>, i64), DbError> {
        let bind = |sql| sqlx::query(sql).bind(f.scope).bind(f.township).bind(f.team).bind(f.state.clone()).bind(f.domain.clone()).bind(f.today);
        let total: i64 = bind(HAZARD_COUNT).fetch_one(&self.pool).await?.get(0);
        let rows = bind(HAZARD_PAGE).bind(f.limit).bind(f.offset).fetch_all(&self.pool).await?;
        Ok((rows.iter().map(hazard_row).collect(), total))
    }

    /// A hazard with its whole history, if the clerk's scope holds it.
    pub async fn hazard_detail(&self, id: Uuid, scope: Option<Uuid>, today: NaiveDate) -> Result<Option<HazardDetail>, DbError> {
        let Some(r) = sqlx::query(concat!(
            hazard_columns!("$3"),
            ", h.item, h.unit, h.patrol_id, h.photos FROM hazard h JOIN team t ON t.id = h.team_id LEFT JOIN township w ON w.id = t.township_id
             WHERE h.id = $1 AND ($2::uuid IS NULL OR t.township_id = $2)"
        ))
        .bind(id)
        .bind(scope)
        .bind(today)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let history = sqlx::query(
            "SELECT at, by_name, action, state, reason, responsible, deadline, patrol_id FROM hazard_event WHERE hazard_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|e| HistoryRow {
            at: e.get(0),
            by: e.get(1),
            action: e.get(2),
            state: e.get(3),
            reason: e.get(4),
            responsible: e.get(5),
            deadline: e.get(6),
            patrol_id: e.get(7),
        })
        .collect();
        Ok(Some(HazardDetail { row: hazard_row(&r), item: r.get(12), unit: r.get(13), patrol_id: r.get(14), photos: r.get(15), history }))
    }

    /// Writes a county decision on a hazard in the clerk's scope, appends it to the history
    /// and publishes it to the team, all or nothing.
    pub async fn decide_hazard(&self, hazard: Uuid, scope: Option<Uuid>, d: &CountyDecision, now: DateTime<Utc>) -> Result<Decided, DbError> {
        let mut tx = self.pool.begin().await?;
        let Some(row) = sqlx::query(
            "SELECT h.team_id, h.state FROM hazard h JOIN team t ON t.id = h.team_id
             WHERE h.id = $1 AND ($2::uuid IS NULL OR t.township_id = $2) FOR UPDATE OF h",
        )
        .bind(hazard)
        .bind(scope)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(Decided::NotFound);
        };
        let team: Uuid = row.get(0);
        let Some(from) = from_key::<HazardState>(&row.get::<String, _>(1)) else {
            return Err(DbError::Other(sqlx::Error::Decode(format!("hazard {hazard} has an unknown state").into())));
        };
        let Some(to) = d.action.target(from) else { return Ok(Decided::NotAllowed(from)) };
        // The decision is the newest entry, whatever the clocks of the phones whose entries
        // came before it, or of a clerk deciding at the same moment (the row is locked).
        let newest: Option<DateTime<Utc>> = sqlx::query_scalar("SELECT max(at) FROM hazard_event WHERE hazard_id = $1").bind(hazard).fetch_one(&mut *tx).await?;
        let now = newest.map_or(now, |n| now.max(n + chrono::Duration::microseconds(1)));
        let id = Uuid::now_v7();
        append(&mut tx, hazard, id, now, &d.by, d.action.key(), to, &d.reason, d.responsible.as_deref(), d.deadline, None, d.clerk).await?;
        settle(&mut tx, hazard).await?;
        // A phone's history shows the reason: it names the action where the state does not.
        let reason = match d.action {
            CountyAction::Supervise | CountyAction::Return => format!("{}：{}", d.action.zh(), d.reason),
            _ => d.reason.clone(),
        };
        let decision = HazardDecision {
            id,
            hazard_id: hazard,
            state: to,
            reason,
            at: now,
            by: Some(d.by.clone()),
            action: Some(d.action),
            responsible: d.responsible.clone(),
            deadline: d.deadline,
        };
        publish_in(&mut tx, team, &Published::HazardDecision(decision)).await?;
        tx.commit().await?;
        Ok(Decided::Done(to))
    }
}
