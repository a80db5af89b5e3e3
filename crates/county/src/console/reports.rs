//! 统计报表: the 旬报 or 月报 of the clerk's scope on screen, and the same as CSV, Excel or PDF.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::page::{self, render};
use super::patrols::{frame, Frame};
use super::session::Clerk;
use crate::app::AppState;
use crate::beijing;
use crate::report::{Period, PeriodError, Report, NOTES};

/// `?period=2026-11-中旬`: the 旬 that ended last by default.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    period: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    frame: Frame,
    period: String,
    error: Option<String>,
    title: String,
    previous: String,
    header: Vec<&'static str>,
    rows: Vec<(bool, Vec<String>)>,
    by_assignment: Vec<(&'static str, i64)>,
    choices: Vec<(String, String)>,
    notes: [&'static str; 3],
}

/// The 旬 before the one today falls in (the last complete one).
fn last_xun() -> Period {
    let today = beijing::today();
    let current = Period::parse(&format!("{}-{}", today.format("%Y-%m"), ["上旬", "中旬", "下旬"][((chrono::Datelike::day(&today) - 1) / 10).min(2) as usize]));
    current.map(|p| p.previous()).unwrap_or_else(|_| Period::parse("2026-11").expect("a month parses"))
}

async fn build(state: &AppState, clerk: &Clerk, q: &ReportQuery) -> Result<Report, Result<PeriodError, crate::db::DbError>> {
    let period = if q.period.trim().is_empty() { last_xun() } else { Period::parse(&q.period).map_err(Ok)? };
    Report::build(&state.db, period, clerk.scope()).await.map_err(Err)
}

/// The report on screen, with its files to download.
pub async fn page(State(state): State<AppState>, clerk: Clerk, Query(q): Query<ReportQuery>) -> Response {
    let latest = last_xun();
    let mut choices = vec![(latest.key(), latest.label.clone())];
    let mut p = latest.clone();
    for _ in 0..5 {
        p = p.previous();
        choices.push((p.key(), p.label.clone()));
    }
    let (report, error) = match build(&state, &clerk, &q).await {
        Ok(r) => (Some(r), None),
        Err(Ok(problem)) => (None, Some(format!("统计期写法不对:{}", problem.zh()))),
        Err(Err(e)) => return page::unavailable(e),
    };
    let frame = frame(&state, &clerk).await;
    let Some(report) = report else {
        return render(&ReportPage { frame, period: q.period.clone(), error, title: String::new(), previous: String::new(), header: Vec::new(), rows: Vec::new(), by_assignment: Vec::new(), choices, notes: NOTES });
    };
    render(&ReportPage {
        frame,
        period: report.period.key(),
        error,
        title: format!("{} 统计", report.period.label),
        previous: report.previous.label.clone(),
        header: Report::header(),
        rows: report.rows.iter().map(|r| (r.level != crate::report::Level::Team, Report::cells(r).iter().map(|c| c.text()).collect())).collect(),
        by_assignment: report.by_assignment.clone(),
        choices,
        notes: NOTES,
    })
}

/// The report as CSV (UTF-8 with a BOM).
pub async fn csv(State(state): State<AppState>, clerk: Clerk, Query(q): Query<ReportQuery>) -> Response {
    download(&state, &clerk, &q, "csv", "text/csv; charset=utf-8", |r| r.csv().map_err(|e| e.to_string())).await
}

/// The report as a PDF to print.
pub async fn pdf(State(state): State<AppState>, clerk: Clerk, Query(q): Query<ReportQuery>) -> Response {
    download(&state, &clerk, &q, "pdf", "application/pdf", |r| r.pdf().map_err(|e| e.to_string())).await
}

/// The report as an Excel workbook.
pub async fn xlsx(State(state): State<AppState>, clerk: Clerk, Query(q): Query<ReportQuery>) -> Response {
    download(&state, &clerk, &q, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", |r| r.xlsx().map_err(|e| e.to_string())).await
}

async fn download(
    state: &AppState,
    clerk: &Clerk,
    q: &ReportQuery,
    ext: &str,
    content_type: &'static str,
    file: impl FnOnce(&Report) -> Result<Vec<u8>, String> + Send + 'static,
) -> Response {
    let report = match build(state, clerk, q).await {
        Ok(r) => r,
        Err(Ok(problem)) => return page::problem(axum::http::StatusCode::BAD_REQUEST, &format!("统计期写法不对:{}", problem.zh())),
        Err(Err(e)) => return page::unavailable(e),
    };
    // Writing the file (typesetting a PDF above all) is CPU work: off the async threads.
    let Ok((written, report)) = tokio::task::spawn_blocking(move || (file(&report), report)).await else {
        return page::problem(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "报表文件没有生成,请稍后再试。");
    };
    let bytes = match written {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "writing a report file");
            return page::problem(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "报表文件没有生成,请稍后再试。");
        }
    };
    page::attachment(&format!("红马甲巡防统计-{}.{ext}", report.period.key()), &format!("report-{}.{ext}", report.period.first), content_type, bytes)
}
