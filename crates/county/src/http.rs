//! The device API's own handlers: `/healthz`, enrolment and pull (push and photos are in
//! [`crate::push`] and [`crate::tus`]), and the OpenAPI 3.1 document at
//! `/api/v1/openapi.json` that describes them all (generated from this code by utoipa).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use redvest_shared::seal::sha256;
use redvest_shared::wire::{ApiError, DatabaseStatus, EnrolRequest, Enrolment, Health, PullPage};
use serde::Deserialize;
use utoipa::OpenApi;

use crate::app::AppState;
use crate::auth::{new_token, token_hash, ClientIp, Device};
use crate::error::{ApiJson, Failure};
use crate::db::EnrolOutcome;
use crate::{push, tus};


/// The most items one pull page carries.
pub const MAX_PAGE: i64 = 200;

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Redvest county API", description = "Devices enrol, push records, upload photos (tus 1.0) and pull what the county publishes."),
    paths(healthz, enrol, pull, openapi_json, push::push, tus::options, tus::create, tus::head, tus::patch, tus::get),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        }
    }
}

/// The server's version and whether PostgreSQL answers (200, or 503 if not).
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, description = "PostgreSQL does not answer", body = Health)))]
pub(crate) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let (status, database) = match state.db.ping().await {
        Ok(()) => (StatusCode::OK, DatabaseStatus::Ok),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, DatabaseStatus::Unavailable)
        }
    };
    (status, Json(Health { version: env!("CARGO_PKG_VERSION").into(), database }))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200, description = "OpenAPI 3.1")))]
pub(crate) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Enrols a device with a one-time code. The same phone enrolling again (its `chain_id`)
/// gets a new token and continues its chain; its earlier tokens stop working.
#[utoipa::path(post, path = "/api/v1/enrol", tag = "sync", request_body = EnrolRequest,
    responses(
        (status = 201, body = Enrolment),
        (status = 400, description = "Not JSON", body = ApiError),
        (status = 401, description = "Unknown, used or expired code", body = ApiError),
        (status = 413, description = "Body over the limit", body = ApiError),
        (status = 415, description = "Not Content-Type: application/json", body = ApiError),
        (status = 422, description = "A field is wrong", body = ApiError),
        (status = 429, description = "Too many wrong codes from this address; wait a minute", body = ApiError),
    ))]
pub(crate) async fn enrol(State(state): State<AppState>, ip: ClientIp, ApiJson(req): ApiJson<EnrolRequest>) -> Result<(StatusCode, Json<Enrolment>), Failure> {
    // An address that guessed too many codes is turned away before the code is looked at.
    if ip.blocked(&state.strangers) {
        return Err(Failure::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many wrong enrolment codes from this address; wait a minute"));
    }
    if req.code.trim().is_empty() || req.code.chars().count() > 64 {
        return Err(Failure::invalid("code", "the enrolment code is 1–64 characters"));
    }
    if req.device_name.trim().is_empty() || req.device_name.chars().count() > 100 {
        return Err(Failure::invalid("device_name", "a device name is 1–100 characters"));
    }
    let token = new_token();
    let code_hash = sha256(&[req.code.trim().as_bytes()]);
    match state.db.enrol(&code_hash, req.device_name.trim(), &token_hash(&token), req.chain_id).await? {
        EnrolOutcome::Enrolled { device, team, team_name } => {
            tracing::info!(device_id = %device, team_id = %team, chain_id = %req.chain_id, "device enrolled");
            Ok((StatusCode::CREATED, Json(Enrolment { device_id: device, token, team_id: team, team_name })))
        }
        EnrolOutcome::BadCode => {
            ip.failed(&state.strangers);
            Err(Failure::new(StatusCode::UNAUTHORIZED, "bad_code", "this enrolment code is unknown, already used or expired; ask the county for a new one").field("code"))
        }
        EnrolOutcome::ChainOfOtherTeam => Err(Failure::invalid("chain_id", "this phone's records belong to another team; enrol it with a code of that team")),
    }
}

/// Pull query: the cursor and the page size.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The last `seq` applied (0 at first).
    #[serde(default)]
    #[param(minimum = 0)]
    pub after: i64,
    /// Items per page (1–200, default 100).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Everything published for the device's team after the cursor, oldest first.
#[utoipa::path(get, path = "/api/v1/pull", tag = "sync", params(PullQuery), security(("bearer" = [])),
    responses((status = 200, body = PullPage), (status = 400, description = "A query parameter that is not a number, or unknown", body = ApiError),
        (status = 401, description = "Unknown token or revoked device", body = ApiError),
        (status = 422, description = "after below 0, or limit outside 1–200", body = ApiError), (status = 429, description = "Rate limited", body = ApiError)))]
pub(crate) async fn pull(State(state): State<AppState>, Device(auth): Device, query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>) -> Result<Json<PullPage>, Failure> {
    let Query(q) = query.map_err(|e| Failure::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))?;
    if q.after < 0 {
        return Err(Failure::invalid("after", "after is a seq already applied: 0 or more"));
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Failure::invalid("limit", format!("limit is 1..={MAX_PAGE}")));
    }
    let mut items = state.db.pull(auth.team_id, q.after, limit + 1).await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next = items.last().map_or(q.after, |i| i.seq);
    Ok(Json(PullPage { items, next, more }))
}
