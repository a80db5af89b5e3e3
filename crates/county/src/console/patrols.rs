//! Patrols (巡查记录): the list with its filters, a patrol's page with its verification in
//! words, its photos, and the audit log.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use redvest_shared::checklist::{item_text, CheckDomain, CheckOutcome, CATALOG_V1};
use redvest_shared::observation::Observation;
use redvest_shared::patrol::{PatrolRecord, Presence, PATROL_RECORD_V1};
use redvest_shared::seal::{chain_link, countersign_message, sha256, verifies};
use redvest_shared::wire::WireSignature;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{self, render};
use super::session::Clerk;
use crate::db::{AuditRow, Named, PatrolFilter, PatrolListRow};
use crate::beijing::{self, format as beijing};
use crate::app::AppState;

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


struct Line {
    ok: bool,
    text: String,
}

struct Signature {
    role: &'static str,
    name: String,
    at: String,
    image: String,
}

struct Finding {
    kind: &'static str,
    text: String,
    photos: Vec<String>,
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
    attendance: Vec<(String, &'static str, String)>,
    checks: Vec<(&'static str, Vec<(String, &'static str)>)>,
    findings: Vec<Finding>,
    remarks: String,
    signatures: Vec<Signature>,
    verification: Vec<Line>,
    track: Track,
}

/// The track as the page draws it (SVG, no map tiles).
enum Track {
    /// None recorded, or not at the county yet.
    None,
    /// Its bytes do not read.
    Unreadable,
    /// Drawn: segments, start, end, fixes.
    Drawn { segments: Vec<String>, start: (String, String), end: (String, String), fixes: usize },
}

fn track(rvtk: Option<&str>) -> Track {
    let Some(b64) = rvtk else { return Track::None };
    let points = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64)
        .ok()
        .and_then(|bytes| redvest_shared::track_codec::decode(&bytes).ok());
    match points.as_deref().and_then(|p| redvest_shared::track::draw(p, 720.0, 420.0, 16.0).map(|d| (d, p.len()))) {
        Some((d, fixes)) => Track::Drawn {
            segments: d.segments,
            start: (format!("{:.1}", d.start.0), format!("{:.1}", d.start.1)),
            end: (format!("{:.1}", d.end.0), format!("{:.1}", d.end.1)),
            fixes,
        },
        None => Track::Unreadable,
    }
}

fn outcome_zh(outcome: CheckOutcome) -> &'static str {
    match outcome {
        CheckOutcome::Normal => "正常",
        CheckOutcome::Problem => "发现问题",
        CheckOutcome::NotApplicable => "不适用",
    }
}


fn finding(o: &Observation) -> (&'static str, String) {
    match o {
        Observation::Hazard(h) => ("隐患", format!("{}(程度:{})· 地点:{}", h.description, h.severity.zh(), h.place)),
        Observation::Dispute { summary, place, handed_to_village } => {
            ("矛盾纠纷", format!("{summary} · 地点:{place}{}", if *handed_to_village { " · 已移交村(社区)" } else { "" }))
        }
        Observation::Sighting { description, place, passed_to_police, .. } => {
            ("可疑情况", format!("{description} · 地点:{place}{}", if *passed_to_police { " · 已报告派出所" } else { "" }))
        }
        Observation::HouseVisit { household, people_met, notes } => ("入户走访", format!("{household} · 见到 {people_met} 人 · {notes}")),
        Observation::Outreach { audience, notes, .. } => ("宣传", format!("受众 {audience} 人 · {notes}")),
    }
}

/// One patrol: everything it records, its signatures, and their verification in words.
pub async fn page(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else { return page::not_found() };
    let row = match state.db.patrol_page(id, clerk.scope()).await {
        Ok(Some(r)) => r,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let Some(record) = row.canonical.as_bytes().strip_prefix(PATROL_RECORD_V1).and_then(|j| serde_json::from_slice::<PatrolRecord>(j).ok()) else {
        return page::problem(StatusCode::INTERNAL_SERVER_ERROR, "这条记录的签名内容无法读取,请联系维护人员核查。");
    };
    let keys = match state.db.team_keys(row.team_id).await {
        Ok(k) => k,
        Err(e) => return page::unavailable(e),
    };
    let hash = sha256(&[row.canonical.as_bytes()]);
    let volunteer: Option<WireSignature> = serde_json::from_value(row.volunteer.clone()).ok();
    let leader: Option<WireSignature> = row.leader.clone().and_then(|l| serde_json::from_value(l).ok());
    let checked = |sig: &WireSignature, message: &[u8]| {
        let public = hex::decode(&sig.public_key).unwrap_or_default();
        let known = keys.iter().any(|k| k.public_key == public && k.member_id == sig.member_id && !k.revoked);
        known && verifies(&public, message, &hex::decode(&sig.signature).unwrap_or_default())
    };
    let mut verification = vec![Line { ok: true, text: format!("内容哈希 {}…,与签名时一致", &hex::encode(hash)[..16]) }];
    let volunteer_sig = volunteer.as_ref().map(|v| hex::decode(&v.signature).unwrap_or_default()).unwrap_or_default();
    match &volunteer {
        Some(v) if checked(v, &hash) => verification.push(Line { ok: true, text: "巡查人签名有效(县平台登记的密钥)".into() }),
        _ => verification.push(Line { ok: false, text: "巡查人签名无效或密钥未登记".into() }),
    }
    match &leader {
        Some(l) if checked(l, &countersign_message(&hash, &volunteer_sig)) => verification.push(Line { ok: true, text: "队长复核签名有效".into() }),
        Some(_) => verification.push(Line { ok: false, text: "队长复核签名无效或密钥未登记".into() }),
        None => verification.push(Line { ok: true, text: "尚待队长复核签字".into() }),
    }
    match &row.chain {
        Some((seq, Some(prev), link)) => {
            let follows = <[u8; 32]>::try_from(prev.as_slice()).is_ok_and(|p| chain_link(&p, id, &hash).as_slice() == link.as_slice());
            verification.push(Line { ok: follows, text: if follows { format!("装订链第 {seq} 条,链接有效") } else { format!("装订链第 {seq} 条,链接与内容不符") } });
        }
        _ => verification.push(Line { ok: true, text: "巡查人手机的装订记录尚未收到".into() }),
    }
    let name_of = |member: Uuid| record.attendance.iter().find(|a| a.member_id == Some(member)).map(|a| a.name.clone()).unwrap_or_default();
    let signatures = [("巡查人", volunteer.as_ref()), ("队长", leader.as_ref())]
        .into_iter()
        .filter_map(|(role, s)| s.map(|s| (role, s)))
        .map(|(role, s)| Signature { role, name: name_of(s.member_id), at: beijing(s.signed_at), image: format!("data:image/png;base64,{}", s.handwriting_png) })
        .collect();
    // Grouped by domain, in catalog order, by the items' text (a code the catalog does not
    // know is shown as it is, under 其他).
    let domains = [CheckDomain::PublicOrder, CheckDomain::WorkSafety, CheckDomain::FireSafety];
    let mut checks: Vec<(&'static str, Vec<(String, &'static str)>)> = domains.iter().map(|d| (d.zh(), vec![])).chain([("其他", vec![])]).collect();
    // Only version 1 is named by the shared catalog: a later catalog may reuse a code.
    let named = |c: &&redvest_shared::checklist::CheckResult| c.catalog_version == 1 && item_text(&c.code).is_some();
    let answered = |code: &str| record.checks.iter().filter(named).find(|c| c.code == code).map(|c| outcome_zh(c.outcome));
    for (code, domain, text) in CATALOG_V1 {
        if let Some(outcome) = answered(code) {
            let group = domains.iter().position(|d| *d == domain).unwrap_or(3);
            checks[group].1.push((text.to_owned(), outcome));
        }
    }
    for c in record.checks.iter().filter(|c| !named(c)) {
        checks[3].1.push((c.code.clone(), outcome_zh(c.outcome)));
    }
    checks.retain(|(_, v)| !v.is_empty());
    render(&PatrolPage {
        frame: frame(&state, &clerk).await,
        team: row.team,
        township: row.township.unwrap_or_default(),
        state: state_zh(&row.state),
        returned_reason: row.returned_reason,
        assignment: assignment_zh(record.assignment.key()),
        route: record.route.clone(),
        started: beijing(record.started_at),
        ended: record.ended_at.map(beijing).unwrap_or_default(),
        attendance: record
            .attendance
            .iter()
            .map(|a| (a.name.clone(), match a.presence { Presence::Present => "到岗", Presence::Late => "迟到", Presence::Absent => "缺勤" }, a.reason.clone()))
            .collect(),
        checks,
        findings: record
            .observations
            .iter()
            .map(|o| {
                let (kind, text) = finding(&o.body);
                Finding { kind, text, photos: o.photos.iter().map(|p| p.sha256.clone()).collect() }
            })
            .collect(),
        remarks: record.remarks.clone(),
        signatures,
        verification,
        track: track(row.track_rvtk.as_deref()),
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
