//! The hazard register (隐患台账): overdue first; a hazard's page with its whole history and
//! the county's decisions (交办, 督办, 复查, 销号, 退回), which the team's phones pull.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use redvest_shared::checklist::{item_text, CheckDomain};
use redvest_shared::hazard::{CountyAction, HazardState};
use redvest_shared::observation::Severity;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{self, render};
use super::patrols::{frame, Frame};
use super::session::Clerk;
use crate::admin::{self, from_key, AdminError};
use crate::beijing::{self, format as beijing};
use crate::db::{CountyDecision, HazardFilter, HazardRow, Named};
use crate::app::AppState;

/// Rows per page of the register.
const PAGE: i64 = 50;

/// A state key's Chinese name ("" for a key no state has).
fn state_zh(key: &str) -> &'static str {
    from_key(key).map_or("", HazardState::zh)
}

/// The register's filters, as the form sends them (empty: any).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    township: String,
    #[serde(default)]
    team: String,
    /// `open` (the default), `overdue`, `closed`, `all`.
    #[serde(default)]
    state: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    page: Option<i64>,
}

/// A hazard as a row of the register shows it.
struct Row {
    id: Uuid,
    found: String,
    township: String,
    team: String,
    domain: &'static str,
    description: String,
    place: String,
    severity: &'static str,
    state: &'static str,
    responsible: String,
    deadline: String,
    overdue: bool,
}

fn row(r: HazardRow) -> Row {
    Row {
        id: r.id,
        found: r.found_at.map(beijing).unwrap_or_default(),
        township: r.township.unwrap_or_default(),
        team: r.team,
        domain: r.domain.as_deref().and_then(from_key).map_or("", CheckDomain::zh),
        description: r.description,
        place: r.place,
        severity: r.severity.as_deref().and_then(from_key).map_or("", Severity::zh),
        state: state_zh(&r.state),
        responsible: r.responsible.unwrap_or_default(),
        deadline: r.deadline.map(|d| d.to_string()).unwrap_or_default(),
        overdue: r.overdue,
    }
}

#[derive(Template)]
#[template(path = "hazards.html")]
struct ListPage {
    frame: Frame,
    q: ListQuery,
    townships: Vec<Named>,
    teams: Vec<Named>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    query_without_page: String,
}

/// The register, overdue first.
pub async fn list(State(state): State<AppState>, clerk: Clerk, Query(mut q): Query<ListQuery>) -> Response {
    if q.state.is_empty() {
        q.state = "open".into();
    }
    let page = q.page.unwrap_or(1).max(1);
    let id = |text: &str| Uuid::parse_str(text.trim()).ok();
    let filter = HazardFilter {
        scope: clerk.scope(),
        township: id(&q.township),
        team: id(&q.team),
        state: Some(q.state.clone()).filter(|s| s != "all"),
        domain: Some(q.domain.clone()).filter(|d| !d.is_empty()),
        today: beijing::today(),
        offset: (page - 1) * PAGE,
        limit: PAGE,
    };
    let result = async {
        let (rows, total) = state.db.hazard_list(&filter).await?;
        Ok::<_, crate::db::DbError>((rows, total, state.db.townships(clerk.scope()).await?, state.db.teams_in(clerk.scope()).await?))
    }
    .await;
    let (rows, total, townships, teams) = match result {
        Ok(r) => r,
        Err(e) => return page::unavailable(e),
    };
    let query_without_page = page::filter_query(&[("township", &q.township), ("team", &q.team), ("state", &q.state), ("domain", &q.domain)]);
    render(&ListPage {
        frame: frame(&state, &clerk).await,
        q,
        townships,
        teams,
        rows: rows.into_iter().map(row).collect(),
        total,
        page,
        pages: page::page_count(total, PAGE),
        query_without_page,
    })
}

/// One entry of the history as the page shows it.
struct Entry {
    at: String,
    by: String,
    action: &'static str,
    state: &'static str,
    reason: String,
    assignee: String,
    patrol: Option<Uuid>,
}

#[derive(Template)]
#[template(path = "hazard.html")]
struct HazardPage {
    frame: Frame,
    id: Uuid,
    head: Row,
    item: String,
    unit: String,
    patrol: Option<Uuid>,
    photos: Vec<String>,
    history: Vec<Entry>,
    actions: Vec<(&'static str, &'static str)>,
    done: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, clerk: &Clerk, id: Uuid, done: Option<String>, error: Option<String>) -> Response {
    let detail = match state.db.hazard_detail(id, clerk.scope(), beijing::today()).await {
        Ok(Some(d)) => d,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let current: Option<HazardState> = from_key(&detail.row.state);
    let history = detail
        .history
        .into_iter()
        .map(|e| Entry {
            at: beijing(e.at),
            by: e.by,
            action: match e.action.as_str() {
                "found" => "巡查发现",
                "team" => "队伍更新",
                "set" => "县级更改状态",
                key => CountyAction::from_key(key).map_or("", CountyAction::zh),
            },
            state: state_zh(&e.state),
            reason: e.reason,
            assignee: match (e.responsible, e.deadline) {
                (Some(r), Some(d)) => format!("责任人 {r},期限 {d}"),
                (Some(r), None) => format!("责任人 {r}"),
                (None, Some(d)) => format!("期限 {d}"),
                (None, None) => String::new(),
            },
            patrol: e.patrol_id,
        })
        .collect();
    render(&HazardPage {
        frame: frame(state, clerk).await,
        id,
        item: detail.item.map(|code| item_text(&code).map_or(code, str::to_owned)).unwrap_or_default(),
        unit: detail.unit.unwrap_or_default(),
        patrol: detail.patrol_id,
        photos: detail.photos,
        head: row(detail.row),
        history,
        // Only what applies to the hazard as it stands is offered.
        actions: CountyAction::ALL.into_iter().filter(|a| current.is_some_and(|s| a.target(s).is_some())).map(|a| (a.key(), a.zh())).collect(),
        done,
        error,
    })
}

/// What the page says after a decision.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

/// A hazard's page: what was reported, its photos, its whole history, and the decision form.
pub async fn hazard(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>, Query(q): Query<Done>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else { return page::not_found() };
    let done = CountyAction::from_key(&q.done).map(|a| format!("已{},队伍手机下次同步时收到。", a.zh()));
    show(&state, &clerk, id, done, None).await
}

/// The decision form, as posted.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    deadline: String,
}

/// A clerk's decision on a hazard: written, published to the team, kept in the audit log.
pub async fn decide(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>, Form(f): Form<DecisionForm>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else { return page::not_found() };
    let Some(action) = CountyAction::from_key(f.action.trim()) else {
        return show(&state, &clerk, id, None, Some("请选择办理方式。".into())).await;
    };
    let deadline = match f.deadline.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return show(&state, &clerk, id, None, Some("整改期限的格式应为 2026-12-20。".into())).await,
        },
    };
    // Who decided, as the phones will show it for good: never a guess.
    let by = match clerk.scope() {
        None => "县综治中心".to_owned(),
        Some(township) => match state.db.townships(Some(township)).await.map(|w| w.into_iter().next()) {
            Ok(Some(w)) => format!("{}综治中心", w.name),
            Ok(None) => return page::not_found(),
            Err(e) => return page::unavailable(e),
        },
    };
    let decision = CountyDecision { action, by, reason: f.reason, responsible: Some(f.responsible), deadline, clerk: Some(clerk.0.id) };
    match admin::decide_hazard(&state.db, id, clerk.scope(), decision, Utc::now()).await {
        Ok(to) => {
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, &format!("{}隐患", action.zh()), &format!("隐患 {id}:{}", to.zh())).await;
            // Back to the page by GET, so a reload does not post the decision twice.
            Redirect::to(&format!("/console/hazards/{id}?done={}", action.key())).into_response()
        }
        Err(AdminError::Decision(r)) => show(&state, &clerk, id, None, Some(r.zh())).await,
        Err(AdminError::Db(e)) => page::unavailable(e),
        Err(e) => {
            tracing::error!(error = %e, "hazard decision");
            show(&state, &clerk, id, None, Some("没有办理成功,请稍后再试。".into())).await
        }
    }
}
