//! The API's errors: every 4xx/5xx is JSON ([`ApiError`]) naming the problem, never a panic.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use redvest_shared::wire::ApiError;
use serde::de::DeserializeOwned;

use crate::db::DbError;

/// A failed call: a status and the JSON body.
#[derive(Debug)]
pub struct Failure(pub StatusCode, pub ApiError);

impl Failure {
    /// A failure with `status`, a stable `code` and a message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self(status, ApiError { error: code.into(), message: message.into(), field: None })
    }

    /// The same failure, naming the field at fault.
    pub fn field(mut self, field: &str) -> Self {
        self.1.field = Some(field.into());
        self
    }

    /// 500 for a failure inside the county: logged in full, never sent (its text may name
    /// internals).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal failure");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something failed inside the county; it is logged for the operator")
    }

    /// 422 for input that breaks a rule.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message).field(field)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        match e {
            // The constraint's name is the county's business: logged, not sent.
            DbError::Conflict(constraint) => {
                tracing::warn!(%constraint, "refused: conflict");
                Failure::new(StatusCode::CONFLICT, "conflict", "this conflicts with what the county holds")
            }
            DbError::Invalid(constraint) => {
                tracing::warn!(%constraint, "refused: a rule of the county's database");
                Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "the county's rules refuse this")
            }
            DbError::Unavailable(e) => {
                tracing::error!(error = %e, "database unavailable");
                Failure::new(StatusCode::SERVICE_UNAVAILABLE, "database", "the county database is unavailable; try again later")
            }
            DbError::Photos(e) => e.into(),
            e => Failure::internal(e),
        }
    }
}

impl From<crate::photos::PhotoStoreError> for Failure {
    fn from(e: crate::photos::PhotoStoreError) -> Self {
        tracing::error!(error = %e, "photo store unavailable");
        Failure::new(StatusCode::SERVICE_UNAVAILABLE, "photo_store", "the county's photo store is unavailable; try again later")
    }
}

/// `Json<T>` whose rejections are [`ApiError`]s: 400 for broken JSON, 422 for wrong types or
/// unknown fields, 413 for too large, 415 without `Content-Type: application/json`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match &rejection {
                JsonRejection::JsonDataError(e) => Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_field", e.body_text()),
                JsonRejection::JsonSyntaxError(e) => Failure::new(StatusCode::BAD_REQUEST, "bad_json", e.body_text()),
                JsonRejection::MissingJsonContentType(_) => {
                    Failure::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_type", "send Content-Type: application/json")
                }
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the request body is over the limit; send smaller batches")
                }
                other => Failure::new(other.status(), "bad_body", other.body_text()),
            }),
        }
    }
}
