//! The console for the county's clerks (县政法委, 乡镇综治中心): server-rendered pages in the
//! same server, templates checked at compile time (askama), htmx served by the county
//! itself. Every page needs a session; every `POST` must come from the console's own origin
//! (CSRF); what a clerk does goes to the audit log. A township clerk sees only their
//! township: anything else is 404, by link too.

mod clerks;
mod hazards;
mod overview;
mod page;
mod patrols;
mod plans;
mod reports;
mod session;
mod teams;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;

pub use session::{hash_password, Clerk};
pub(crate) use patrols::assignment_zh;

/// The console's routes, under `/console`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::overview))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/patrols", get(patrols::list))
        .route("/patrols/{id}", get(patrols::page))
        .route("/photos/{sha256}", get(patrols::photo))
        .route("/teams", get(teams::list))
        .route("/teams/{id}", get(teams::team))
        .route("/teams/{id}/code", post(teams::issue_code))
        .route("/teams/{id}/volume.pdf", get(teams::volume))
        .route("/teams/{id}/members/{member}/quota", post(teams::set_quota))
        .route("/teams/{id}/members/{member}/phone", post(teams::set_phone))
        .route("/teams/{id}/devices/{device}/revoke", post(teams::revoke_device))
        .route("/hazards", get(hazards::list))
        .route("/hazards/{id}", get(hazards::hazard).post(hazards::decide))
        .route("/audit", get(patrols::audit))
        .route("/reports", get(reports::page))
        .route("/reports.csv", get(reports::csv))
        .route("/reports.xlsx", get(reports::xlsx))
        .route("/reports.pdf", get(reports::pdf))
        .route("/clerks", get(clerks::list).post(clerks::add))
        .route("/clerks/{id}/disable", post(clerks::disable))
        .route("/password", get(clerks::password_form).post(clerks::change_password))
        .route("/plans", get(plans::form))
        .route("/plans/plan", post(plans::publish_plan))
        .route("/plans/alert", post(plans::publish_alert))
        .route("/static/htmx.min.js", get(|| async { asset("text/javascript", include_str!("../../static/htmx.min.js")) }))
        .route("/static/console.css", get(|| async { asset("text/css", include_str!("../../static/console.css")) }))
        .fallback(|| async { page::not_found() })
        .layer(middleware::from_fn(same_origin))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=86400")], body).into_response()
}

/// Refuses a `POST` whose `Origin` is not this server (a form another site made a clerk's
/// browser send): the browser sends `Origin` with every form post.
async fn same_origin(request: Request, next: Next) -> Response {
    if request.method() == Method::POST {
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let origin = request.headers().get(header::ORIGIN).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let ours = !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"));
        if !ours {
            tracing::warn!(%origin, %host, "console POST refused: not our origin");
            return page::problem(StatusCode::FORBIDDEN, "请求来源不符,已拒绝。请从县平台页面重新操作。");
        }
    }
    let mut response = next.run(request).await;
    // Nothing of the console is framed, sniffed or loaded from elsewhere.
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"),
    );
    response
}
