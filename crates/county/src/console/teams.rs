//! Teams (队伍): the team's 一键报警 first, then members and roles (the roster the phones
//! pull) with their signing keys and phone numbers, devices with their last sync and a revoke
//! button, and one-time enrolment codes shown as text and as a QR code.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{Datelike, Utc};
use redvest_shared::team::Role;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{self, render};
use super::patrols::{frame, Frame};
use super::session::Clerk;
use crate::admin::{self, from_key};
use crate::beijing::format as beijing;
use crate::db::{DbError, TeamRow};
use crate::app::AppState;
use crate::volume;

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    frame: Frame,
    /// Each team with its last sync in words.
    teams: Vec<(String, TeamRow)>,
}

/// Every team in the clerk's scope.
pub async fn list(State(state): State<AppState>, clerk: Clerk) -> Response {
    match state.db.team_rows(clerk.scope(), None).await {
        Ok(teams) => render(&TeamsPage {
            frame: frame(&state, &clerk).await,
            teams: teams.into_iter().map(|t| (t.last_seen.map(beijing).unwrap_or_else(|| "从未".into()), t)).collect(),
        }),
        Err(e) => page::unavailable(e),
    }
}

struct Member {
    id: Uuid,
    active: bool,
    visit_quota: Option<i32>,
    phone: String,
    name: String,
    role: &'static str,
    status: &'static str,
    keys: Vec<String>,
}

struct Device {
    id: Uuid,
    name: String,
    enrolled: String,
    seen: String,
    revoked: Option<String>,
}

/// One 一键报警 as the clerk reads it.
struct Rapid {
    /// When the button was pressed (Beijing).
    at: String,
    /// 治安警情, 火情, ….
    kind: &'static str,
    reporter: String,
    /// `26.58010, 106.71230(±8 米)`, or `None`: 无定位.
    place: Option<String>,
    /// The patrol named: its id, and whether the county holds it (a link then).
    patrol: Option<(Uuid, bool)>,
    /// When the county received it (Beijing).
    received: String,
}

/// How many rapid reports the team's page lists.
const RAPID_SHOWN: i64 = 50;

/// A freshly issued enrolment code, shown once.
struct Code {
    text: String,
    server: String,
    valid_days: i64,
    qr_svg: String,
    /// Plain http to another machine: phones refuse it.
    insecure: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    frame: Frame,
    team: TeamRow,
    rapid: Vec<Rapid>,
    /// Rapid reports held beyond those listed.
    rapid_more: i64,
    members: Vec<Member>,
    devices: Vec<Device>,
    code: Option<Code>,
    done: Option<String>,
    error: Option<String>,
    months: Vec<(String, String)>,
    quotas: [i32; 3],
}

/// The team, if it is in the clerk's scope.
pub(super) async fn team_in_scope(state: &AppState, clerk: &Clerk, id: &str) -> Result<Option<TeamRow>, DbError> {
    let Ok(id) = Uuid::parse_str(id) else { return Ok(None) };
    Ok(state.db.team_rows(clerk.scope(), Some(id)).await?.into_iter().next())
}

async fn show(state: &AppState, clerk: &Clerk, team: TeamRow, code: Option<Code>, done: Option<String>, error: Option<String>) -> Response {
    let result = async {
        Ok::<_, DbError>((
            state.db.rapid_reports(team.id, RAPID_SHOWN).await?,
            state.db.members(team.id).await?,
            state.db.list_keys(team.id).await?,
            state.db.team_devices(team.id).await?,
        ))
    }
    .await;
    let ((rapid, rapid_total), members, keys, devices) = match result {
        Ok(r) => r,
        Err(e) => return page::unavailable(e),
    };
    let rapid_more = rapid_total - rapid.len() as i64;
    let rapid = rapid
        .into_iter()
        .map(|r| Rapid {
            at: beijing(r.report.at),
            kind: r.report.kind.zh(),
            place: r.report.spot.map(|s| format!("{:.5}, {:.5}(±{} 米)", s.lat(), s.lon(), s.accuracy_m)),
            patrol: r.report.patrol.map(|p| (p, r.patrol_held)),
            received: beijing(r.received_at),
            reporter: r.report.reporter,
        })
        .collect();
    let members = members
        .into_iter()
        .filter(|m| m.merged_into.is_none())
        .map(|m| Member {
            id: m.id,
            active: m.status == "active",
            visit_quota: m.visit_quota,
            phone: m.phone.unwrap_or_default(),
            role: from_key::<Role>(&m.role).map_or("", Role::zh),
            status: if m.status == "active" { "已确认" } else { "待确认(手机上新增)" },
            keys: keys
                .iter()
                .filter(|k| k.member_id == m.id)
                .map(|k| {
                    let fingerprint = &hex::encode(&k.public_key)[..16];
                    match k.revoked_at {
                        Some(at) => format!("{fingerprint}… 已作废({})", beijing(at)),
                        None => format!("{fingerprint}… 有效(登记于 {})", beijing(k.accepted_at)),
                    }
                })
                .collect(),
            name: m.name,
        })
        .collect();
    let devices = devices
        .into_iter()
        .map(|d| Device {
            id: d.id,
            name: d.name,
            enrolled: beijing(d.created_at),
            seen: d.last_seen_at.map(beijing).unwrap_or_else(|| "从未".into()),
            revoked: d.revoked_at.map(beijing),
        })
        .collect();
    render(&TeamPage { frame: frame(state, clerk).await, team, rapid, rapid_more, members, devices, code, done, error, months: months(), quotas: VISIT_QUOTAS })
}

/// The months a volume can be bound for: this one, then the eleven before (key, label).
fn months() -> Vec<(String, String)> {
    let today = crate::beijing::today();
    let mut first = today.with_day(1).unwrap_or(today);
    let mut out = Vec::new();
    for _ in 0..12 {
        out.push((first.format("%Y-%m").to_string(), first.format("%Y年%-m月").to_string()));
        first = first.pred_opt().and_then(|d| d.with_day(1)).unwrap_or(first);
    }
    out
}

/// `?month=2026-11`.
#[derive(Debug, Deserialize)]
pub struct VolumeQuery {
    #[serde(default)]
    month: String,
}

/// The team's bound 巡查日志 for a month, as a PDF.
pub async fn volume(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>, Query(q): Query<VolumeQuery>) -> Response {
    let team = match team_in_scope(&state, &clerk, &id).await {
        Ok(Some(team)) => team,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let Ok(month) = volume::month(&q.month) else {
        return page::problem(StatusCode::BAD_REQUEST, "月份写法不对:请选择月份,或写成 2026-11 这样的年月。");
    };
    let bound = match volume::build(&state.db, &team, &month).await {
        Ok(v) => v,
        Err(volume::VolumeError::Db(e)) => return page::unavailable(e),
        Err(e) => {
            tracing::error!(error = %e, "gathering a volume");
            return page::problem(StatusCode::INTERNAL_SERVER_ERROR, "装订册没有生成(照片存储暂时无法读取),请稍后再试。");
        }
    };
    // Typesetting is CPU work: off the async threads.
    match tokio::task::spawn_blocking(move || volume::pdf(&bound)).await {
        Ok(Ok(bytes)) => page::attachment(&format!("巡查日志-{}-{}.pdf", team.name, month.key()), &format!("volume-{}.pdf", month.key()), "application/pdf", bytes),
        failed => {
            tracing::error!(error = ?failed.map(|r| r.err()), "typesetting a volume");
            page::problem(StatusCode::INTERNAL_SERVER_ERROR, "装订册没有生成,请稍后再试;如果一直这样,请联系维护人员。")
        }
    }
}

/// A team's page.
pub async fn team(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>) -> Response {
    match team_in_scope(&state, &clerk, &id).await {
        Ok(Some(team)) => show(&state, &clerk, team, None, None, None).await,
        Ok(None) => page::not_found(),
        Err(e) => page::unavailable(e),
    }
}

/// Issues a one-time enrolment code for the team and shows it once, as text and as a QR code
/// that carries this server's address with it.
pub async fn issue_code(
    State(state): State<AppState>,
    clerk: Clerk,
    served: Option<axum::Extension<crate::app::ServedOverHttps>>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let team = match team_in_scope(&state, &clerk, &id).await {
        Ok(Some(t)) => t,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let code = match admin::issue_code(&state.db, team.id, Utc::now()).await {
        Ok(c) => c,
        Err(admin::AdminError::Db(e)) => return page::unavailable(e),
        Err(e) => {
            tracing::error!(error = %e, "issuing an enrolment code");
            return show(&state, &clerk, team, None, None, Some("没有生成注册码,请稍后再试。".into())).await;
        }
    };
    let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "生成登记码", &format!("队伍 {}", team.name)).await;
    // The address the clerk's browser reached: the one the phones reach on the intranet,
    // https when the county serves it or a proxy in front says so (phones take no other).
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    // Like X-Forwarded-For, the header counts only from a proxy on this host.
    let from_proxy = peer.is_some_and(|p| p.0 .0.ip().to_canonical().is_loopback());
    let proxied_https = from_proxy && headers.get("X-Forwarded-Proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let https = served.is_some() || proxied_https;
    let server = format!("{}://{host}", if https { "https" } else { "http" });
    let loopback = redvest_shared::sync::loopback_host(host);
    let payload = redvest_shared::team::EnrolQr { server: server.clone(), code: code.clone() }.to_text();
    let qr_svg = qrcode::QrCode::new(payload.as_bytes())
        .map(|q| q.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).build())
        .unwrap_or_default();
    let insecure = !https && !loopback;
    show(&state, &clerk, team, Some(Code { text: code, server, valid_days: admin::CODE_VALID_DAYS, qr_svg, insecure }), None, None).await
}

/// The monthly 入户下访 quotas a clerk can set (seed 001: 30, 50 or 80 households).
const VISIT_QUOTAS: [i32; 3] = [30, 50, 80];

/// `households=30|50|80`, or empty for none.
#[derive(Debug, Deserialize)]
pub struct QuotaForm {
    #[serde(default)]
    households: String,
}

/// Sets or clears a member's monthly 入户下访 quota.
pub async fn set_quota(State(state): State<AppState>, clerk: Clerk, Path((id, member)): Path<(String, String)>, Form(form): Form<QuotaForm>) -> Response {
    let team = match team_in_scope(&state, &clerk, &id).await {
        Ok(Some(t)) => t,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let Ok(member) = Uuid::parse_str(&member) else { return page::not_found() };
    let households = match form.households.trim() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(n) if VISIT_QUOTAS.contains(&n) => Some(n),
            _ => return show(&state, &clerk, team, None, None, Some("入户定额只能选 30、50 或 80 户,或者“无”。".into())).await,
        },
    };
    match state.db.set_visit_quota(team.id, member, households).await {
        Ok(true) => {
            let what = households.map_or_else(|| "无".to_owned(), |n| format!("每月 {n} 户"));
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "设定入户定额", &format!("队伍 {},成员 {member}:{what}", team.name)).await;
            show(&state, &clerk, team, None, Some(format!("入户定额已改为{what}。")), None).await
        }
        Ok(false) => show(&state, &clerk, team, None, None, Some("只能给本队已确认的成员设定入户定额。".into())).await,
        Err(e) => page::unavailable(e),
    }
}

/// `phone=13800138000`, or empty to clear it.
#[derive(Debug, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
}

/// Sets or clears a member's phone number (a leader's: the phones' 一键报警 page calls it);
/// the roster is published again so the team's phones hear it.
pub async fn set_phone(State(state): State<AppState>, clerk: Clerk, Path((id, member)): Path<(String, String)>, Form(form): Form<PhoneForm>) -> Response {
    let team = match team_in_scope(&state, &clerk, &id).await {
        Ok(Some(t)) => t,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let Ok(member) = Uuid::parse_str(&member) else { return page::not_found() };
    let phone = match admin::phone_number(&form.phone) {
        Ok(phone) => phone,
        Err(refused) => return show(&state, &clerk, team, None, None, Some(refused.zh().into())).await,
    };
    match admin::set_member_phone(&state.db, Some(team.id), member, phone.as_deref()).await {
        Ok(_) => {
            let what = phone.as_deref().map_or_else(|| "无".to_owned(), str::to_owned);
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "设定电话", &format!("队伍 {},成员 {member}:{what}", team.name)).await;
            let done = match &phone {
                Some(p) => format!("电话已改为 {p},本队手机下次同步后可一键拨打。"),
                None => "电话已清除。".to_owned(),
            };
            show(&state, &clerk, team, None, Some(done), None).await
        }
        Err(admin::AdminError::NotFound(_)) => show(&state, &clerk, team, None, None, Some("只能给本队已确认的成员设定电话。".into())).await,
        Err(admin::AdminError::Db(e)) => page::unavailable(e),
        Err(e) => {
            tracing::error!(error = %e, "setting a phone number");
            show(&state, &clerk, team, None, None, Some("电话没有保存,请稍后再试。".into())).await
        }
    }
}

/// Revokes one of the team's devices: its token stops working at once.
pub async fn revoke_device(State(state): State<AppState>, clerk: Clerk, Path((id, device)): Path<(String, String)>) -> Response {
    let team = match team_in_scope(&state, &clerk, &id).await {
        Ok(Some(t)) => t,
        Ok(None) => return page::not_found(),
        Err(e) => return page::unavailable(e),
    };
    let Ok(device) = Uuid::parse_str(&device) else { return page::not_found() };
    match state.db.revoke_team_device(team.id, device).await {
        Ok(true) => {
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "停用手机", &format!("队伍 {},设备 {device}", team.name)).await;
            show(&state, &clerk, team, None, Some("这部手机已停用,它不能再同步;它上面还没上传的记录请另行处理。".into()), None).await
        }
        Ok(false) => show(&state, &clerk, team, None, None, Some("这部手机已经停用,或者不属于这个队伍。".into())).await,
        Err(e) => page::unavailable(e),
    }
}
