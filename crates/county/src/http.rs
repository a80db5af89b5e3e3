//! Routes and handlers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use redvest_shared::wire::{DatabaseStatus, Health};

use crate::Db;

/// The whole HTTP surface, apart from `main` so tests can serve it on any listener.
pub fn app(db: Db) -> Router {
    Router::new().route("/healthz", get(healthz)).with_state(db)
}

/// `GET /healthz`: the server's version and whether PostgreSQL answers (200, or 503 if not).
async fn healthz(State(db): State<Db>) -> (StatusCode, Json<Health>) {
    let (status, database) = match db.ping().await {
        Ok(()) => (StatusCode::OK, DatabaseStatus::Ok),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, DatabaseStatus::Unavailable)
        }
    };
    (status, Json(Health { version: env!("CARGO_PKG_VERSION").into(), database }))
}
