//! Rendering the console's pages, and its error pages (in Chinese, never a server's English).

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::db::DbError;

/// Pages of `per` rows that `total` rows fill (at least one).
pub fn page_count(total: i64, per: i64) -> i64 {
    ((total + per - 1) / per).max(1)
}

/// A list's filters as a query string for its paging links (empty ones left out).
pub fn filter_query(pairs: &[(&str, &String)]) -> String {
    serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
}

/// A rendered template; a template that fails to render is a 500 page, logged.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console page did not render");
            problem(StatusCode::INTERNAL_SERVER_ERROR, "页面出错了,请稍后再试;如果一直这样,请联系维护人员。")
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct Problem<'a> {
    status: u16,
    message: &'a str,
}

/// A page that says what went wrong.
pub fn problem(status: StatusCode, message: &str) -> Response {
    let html = Problem { status: status.as_u16(), message }.render().unwrap_or_else(|_| message.to_owned());
    (status, Html(html)).into_response()
}

/// A file to download: `name` in Chinese (RFC 5987, as UTF-8) and `ascii_name` for old
/// browsers.
pub fn attachment(name: &str, ascii_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = name.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
    let disposition = format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// 404: no such page, or not one this clerk may see (the same answer, so it says nothing).
pub fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "没有这个页面,或者您无权查看。")
}

/// 503 when the database did not answer; 500 (logged) for any other database failure.
pub fn unavailable(e: DbError) -> Response {
    tracing::error!(error = %e, "console: database failure");
    match e {
        DbError::Unavailable(_) => problem(StatusCode::SERVICE_UNAVAILABLE, "县平台数据库暂时无法访问,请稍后再试。"),
        _ => problem(StatusCode::INTERNAL_SERVER_ERROR, "出错了,已记录下来;请稍后再试,如果一直这样,请联系维护人员。"),
    }
}
