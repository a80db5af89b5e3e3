//! Patrols (巡查记录): the list with its filters, a patrol's page with its verification in
//! words, its photos, and the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{self, render};
use super::session::Clerk;
use crate::db::{AuditRow, Named, PatrolFilter, PatrolListRow};
use crate::beijing::{self, format as beijing};
use crate::app::AppState;
use crate::sheet::{Sheet, Track};

/// Rows per page of the patrol list.
const PAGE: i64 = 50;


/// The Chinese name of a post or zone key.
pub(crate) fn assignment_zh(key: &str) -> &'static str {
    match key {
        "post.school_gate" => "护学岗",
        "post.night_patrol" => "夜巡岗",
        "post.market_street" => "集市街面岗",
        "zone.town_centre" => "场镇集中区",
        "zone.industrial" => "企业生产区",
        "zone.highland" => "高山留守区",
        "zone.rural" => "农村",
        _ => "其他",
    }
}

fn state_zh(state: &str) -> &'static str {
    match state {
        "submitted" => "待队长签字",
        "returned" => "已退回",
        "countersigned" => "已签字封存",
        _ => "未知",
    }
}

/// The page frame: who is logged in.
pub struct Frame {
    /// The clerk's name.
    pub name: String,
    /// Their scope, in words.
    pub scope: String,
    /// Whether they manage clerks (the nav shows 用户管理).
    pub is_admin: bool,
}

pub(super) async fn frame(state: &AppState, clerk: &Clerk) -> Frame {
    let scope = match clerk.scope() {
        None => "全县".to_owned(),
        Some(t) => state.db.townships(Some(t)).await.ok().and_then(|v| v.into_iter().next()).map_or_else(|| "乡镇".to_owned(), |w| w.name),
    };
    Frame { name: clerk.0.name.clone(), scope, is_admin: clerk.0.is_admin }
}

/// The list's filters, as the form sends them (empty fields mean "any").
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    township: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    assignment: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    page: Option<i64>,
}

struct Row {
    id: Uuid,
    started: String,
    team: String,
    township: String,
    assignment: &'static str,
    volunteer: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "patrols.html")]
struct ListPage {
    frame: Frame,
    q: ListQuery,
    townships: Vec<Named>,
    teams: Vec<Named>,
    assignments: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    error: Option<String>,
    query_without_page: String,
}

fn day(field: &str, text: &str) -> Result<Option<DateTime<Utc>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| format!("{field}的日期格式应为 2026-11-24"))?;
    Ok(Some(beijing::day_start(date)))
}

/// The patrol list, filtered and paged.
pub async fn list(State(state): State<AppState>, clerk: Clerk, Query(q): Query<ListQuery>) -> Response {
    let id = |text: &str| Uuid::parse_str(text.trim()).ok();
    // A date that does not read is named above the list, which shows without it.
    let mut error = None;
    let from = day("开始日期", &q.from).unwrap_or_else(|e| {
        error = Some(e);
        None
    });
    let to = day("结束日期", &q.to)
        .unwrap_or_else(|e| {
            error.get_or_insert(e);
            None
        })
        .map(|t| t + chrono::Duration::days(1));
    let page = q.page.unwrap_or(1).max(1);
    let filter = PatrolFilter {
        scope: clerk.scope(),
        township: id(&q.township),
        team: id(&q.team),
        from,
        to,
        assignment: Some(q.assignment.trim().to_owned()).filter(|a| !a.is_empty()),
        state: Some(q.state.trim().to_owned()).filter(|s| !s.is_empty()),
        offset: (page - 1) * PAGE,
        limit: PAGE,
    };
    render_list(&state, &clerk, q, filter, page, error).await
}

async fn render_list(state: &AppState, clerk: &Clerk, q: ListQuery, filter: PatrolFilter, page: i64, error: Option<String>) -> Response {
    let result = async {
        let (rows, total) = state.db.patrol_list(&filter).await?;
        Ok::<_, crate::db::DbError>((rows, total, state.db.townships(clerk.scope()).await?, state.db.teams_in(clerk.scope()).await?))
    }
    .await;
    let (rows, total, townships, teams) = match result {
        Ok(r) => r,
        Err(e) => return page::unavailable(e),
    };
    let rows = rows
        .into_iter()
        .map(|r: PatrolListRow| Row {
            id: r.id,
            started: r.started_at.map(beijing).unwrap_or_default(),
            team: r.team,
            township: r.township.unwrap_or_default(),
            assignment: r.assignment.as_deref().map_or("", assignment_zh),
            volunteer: r.volunteer.unwrap_or_default(),
            state: state_zh(&r.state),
        })
        .collect();
    let query_without_page =
        page::filter_query(&[("township", &q.township), ("team", &q.team), ("from", &q.from), ("to", &q.to), ("assignment", &q.assignment), ("state", &q.state)]);
    render(&ListPage {
        frame: frame(state, clerk).await,
        assignments: redvest_shared::duty::Assignment::ALL.iter().map(|a| (a.key(), assignment_zh(a.key()))).collect(),
        q,
        townships,
        teams,
        rows,
        total,
        page,
        pages: page::page_count(total, PAGE),
        error,
        query_without_page,
    })
}


#[derive(Template)]
#[template(path = "patrol.html")]
struct PatrolPage {
    frame: Frame,
    team: String,
    township: String,
    state: &'static str,
    returned_reason: Option<String>,
    assignment: &'static str,
    route: String,
    started: String,
    ended: String,
    sheet: Sheet,
}

/// One patrol: everything it records, its signatures, and their verification in words.
pub async fn page(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else { return page::not_found() };
    let row = match state.db.patrol_page(id, clerk.scope()).await {
        Ok(Some(r)) => r,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let keys = match state.db.team_keys(row.team_id).await {
        Ok(k) => k,
        Err(e) => return page::unavailable(e),
    };
    let Some(sheet) = Sheet::read(&row, &keys) else {
        return page::problem(StatusCode::INTERNAL_SERVER_ERROR, "这条记录的签名内容无法读取,请联系维护人员核查。");
    };
    let record = &sheet.record;
    render(&PatrolPage {
        frame: frame(&state, &clerk).await,
        state: state_zh(&row.state),
        returned_reason: row.returned_reason,
        assignment: assignment_zh(record.assignment.key()),
        route: record.route.clone(),
        started: beijing(record.started_at),
        ended: record.ended_at.map(beijing).unwrap_or_default(),
        team: row.team,
        township: row.township.unwrap_or_default(),
        sheet,
    })
}

/// A photo of a patrol the clerk may see.
pub async fn photo(State(state): State<AppState>, clerk: Clerk, Path(sha): Path<String>) -> Response {
    if sha.len() != 64 || !sha.bytes().all(|c| c.is_ascii_hexdigit()) {
        return page::not_found();
    }
    match state.db.photo_visible(&sha, clerk.scope()).await {
        Ok(Some(bytes)) => ([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=86400")], bytes).into_response(),
        Ok(None) => page::not_found(),
        Err(e) => page::unavailable(e),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    lines: Vec<(String, String, String, String)>,
}

/// The audit log, newest first.
pub async fn audit(State(state): State<AppState>, clerk: Clerk) -> Response {
    match state.db.audit_lines(clerk.scope(), 500).await {
        Ok(lines) => render(&AuditPage {
            frame: frame(&state, &clerk).await,
            lines: lines.into_iter().map(|a: AuditRow| (beijing(a.at), a.login, a.action, a.detail)).collect(),
        }),
        Err(e) => page::unavailable(e),
    }
}
