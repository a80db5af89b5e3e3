//! Plans and alerts (计划与提示): the monthly plan from the 联席会议 — duties by post or zone,
//! place, time and days, for a team — and 提示短信 alerts for an area and a time. Both reach
//! the team's phones on their next pull; both go to the audit log.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use redvest_shared::duty::Assignment;
use redvest_shared::wire::PlanDuty;
use uuid::Uuid;

use super::page::{self, render};
use super::patrols::{assignment_zh, frame, Frame};
use super::session::Clerk;
use crate::admin::{self, AdminError};
use crate::db::Named;
use crate::app::AppState;

/// Duty rows the plan form offers.
const ROWS: usize = 8;

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    frame: Frame,
    teams: Vec<Named>,
    assignments: Vec<(&'static str, &'static str)>,
    rows: Vec<usize>,
    done: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, clerk: &Clerk, done: Option<String>, error: Option<String>) -> Response {
    match state.db.teams_in(clerk.scope()).await {
        Ok(teams) => render(&PlansPage {
            frame: frame(state, clerk).await,
            teams,
            assignments: Assignment::ALL.iter().map(|a| (a.key(), assignment_zh(a.key()))).collect(),
            rows: (0..ROWS).collect(),
            done,
            error,
        }),
        Err(e) => page::unavailable(e),
    }
}

/// The plan and alert forms.
pub async fn form(State(state): State<AppState>, clerk: Clerk) -> Response {
    show(&state, &clerk, None, None).await
}

/// A team the clerk may publish for, from a form field.
async fn team_in_scope(state: &AppState, clerk: &Clerk, field: Option<&str>) -> Result<Uuid, String> {
    let id = field.map(str::trim).filter(|t| !t.is_empty()).ok_or("请选择队伍。")?;
    match super::teams::team_in_scope(state, clerk, id).await {
        Ok(Some(team)) => Ok(team.id),
        Ok(None) => Err("没有这个队伍,或者您无权为它发布。".into()),
        Err(_) => Err("县平台数据库暂时无法访问,请稍后再试。".into()),
    }
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The duties of the plan form: each filled row, its days of `month` as dates.
fn duties(fields: &[(String, String)], month: &str) -> Result<Vec<PlanDuty>, String> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").map_err(|_| "月份的格式应为 2026-12。".to_owned())?;
    let mut out = Vec::new();
    for row in 0..ROWS {
        let get = |name: &str| value(fields, &format!("{name}{row}")).unwrap_or("").trim();
        let (place, days) = (get("place"), get("days"));
        if place.is_empty() && days.is_empty() {
            continue;
        }
        let n = row + 1;
        let assignment = Assignment::from_key(get("assignment")).ok_or(format!("第 {n} 行:请选择岗位或区域。"))?;
        if place.is_empty() || place.chars().count() > 100 {
            return Err(format!("第 {n} 行:请填写地点(100 字以内)。"));
        }
        let time = NaiveTime::parse_from_str(get("time"), "%H:%M").map_err(|_| format!("第 {n} 行:时间的格式应为 21:30。"))?;
        let mut dates = Vec::new();
        for d in days.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace()).filter(|d| !d.is_empty()) {
            let date = d.parse::<u32>().ok().and_then(|d| first.with_day(d));
            dates.push(date.ok_or(format!("第 {n} 行:日期请填本月的日子,用逗号分开,如 1,3,5。"))?);
        }
        if dates.is_empty() {
            return Err(format!("第 {n} 行:请填写日期,如 1,3,5。"));
        }
        out.push(PlanDuty { id: Uuid::now_v7(), assignment, place: place.to_owned(), time, dates });
    }
    if out.is_empty() {
        return Err("请至少填写一行勤务。".into());
    }
    Ok(out)
}

/// Publishes a monthly plan for a team.
pub async fn publish_plan(State(state): State<AppState>, clerk: Clerk, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let team = match team_in_scope(&state, &clerk, value(&fields, "team")).await {
        Ok(t) => t,
        Err(e) => return show(&state, &clerk, None, Some(e)).await,
    };
    let month = value(&fields, "month").unwrap_or("").trim().to_owned();
    let duties = match duties(&fields, &month) {
        Ok(d) => d,
        Err(e) => return show(&state, &clerk, None, Some(e)).await,
    };
    let count = duties.len();
    match admin::publish_plan(&state.db, team, &month, duties).await {
        Ok(_) => {
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "发布勤务计划", &format!("队伍 {team},{month},{count} 项勤务")).await;
            show(&state, &clerk, Some(format!("{month} 的勤务计划已发布({count} 项),队员手机下次同步时收到。")), None).await
        }
        Err(AdminError::Db(e)) => page::unavailable(e),
        Err(e) => {
            // The form's own checks name the field first; this is the rule behind them.
            tracing::warn!(error = %e, "console: publishing refused");
            show(&state, &clerk, None, Some("没有发布:内容不符合要求,请检查各项后再发布。".into())).await
        }
    }
}

/// A `datetime-local` field, in Beijing time.
fn beijing_time(field: &str, text: &str) -> Result<DateTime<Utc>, String> {
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").map_err(|_| format!("请填写{field}。"))?;
    Ok(crate::beijing::instant(local))
}

/// Publishes an alert (提示短信) for a team.
pub async fn publish_alert(State(state): State<AppState>, clerk: Clerk, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let checked = async {
        let team = team_in_scope(&state, &clerk, value(&fields, "alert_team")).await?;
        let text = value(&fields, "text").unwrap_or("").trim().to_owned();
        if text.is_empty() || text.chars().count() > 500 {
            return Err("提示内容请填写(500 字以内)。".to_owned());
        }
        let from = beijing_time("开始时间", value(&fields, "from").unwrap_or(""))?;
        let to = beijing_time("结束时间", value(&fields, "to").unwrap_or(""))?;
        if to <= from {
            return Err("结束时间应晚于开始时间。".to_owned());
        }
        Ok((team, text, value(&fields, "area").unwrap_or("").trim().to_owned(), from, to))
    }
    .await;
    let (team, text, area, from, to) = match checked {
        Ok(c) => c,
        Err(e) => return show(&state, &clerk, None, Some(e)).await,
    };
    match admin::publish_alert(&state.db, team, &text, &area, from, to).await {
        Ok(_) => {
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "发布提示短信", &format!("队伍 {team}:{text}")).await;
            show(&state, &clerk, Some("提示已发布,队员手机下次同步时收到。".into()), None).await
        }
        Err(AdminError::Db(e)) => page::unavailable(e),
        Err(e) => {
            // The form's own checks name the field first; this is the rule behind them.
            tracing::warn!(error = %e, "console: publishing refused");
            show(&state, &clerk, None, Some("没有发布:内容不符合要求,请检查各项后再发布。".into())).await
        }
    }
}
