//! The county server as a whole: what every handler shares ([`AppState`]), the limits it
//! runs with, the router that puts the device API, the photo uploads and the clerks' console
//! together, and serving it over plain HTTP or HTTPS.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::{limiter, strangers, Limiter, Strangers};
use crate::error::Failure;
use crate::{http, push, tus, Db};

/// The largest JSON body accepted (a push batch); photos stream through tus.
pub const MAX_JSON_BODY: usize = 8 * 1024 * 1024;

/// Limits a county server runs with.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long any request may take, slow links included (a phone sends photos in small
    /// chunks; a cut PATCH keeps what arrived): a client that stalls holds nothing longer.
    pub request_timeout: std::time::Duration,
    /// Photo bytes a team may store in all (a year of a team's photos is about 1 GB).
    pub team_upload_bytes: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { request_timeout: std::time::Duration::from_secs(120), team_upload_bytes: 10 * 1024 * 1024 * 1024 }
    }
}
/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Per-device request budget.
    pub limiter: Limiter,
    /// Failed enrolments and unknown tokens per address.
    pub strangers: Strangers,
    /// The limits this server runs with.
    pub limits: Limits,
    /// The `PATCH` under way for each photo.
    pub uploads: tus::InFlight,
}

/// The whole HTTP surface, apart from `main` so tests can serve it on any listener.
pub fn app(db: Db) -> Router {
    app_with(db, Limits::default())
}

/// [`app`] with other limits (tests, operators).
pub fn app_with(db: Db, limits: Limits) -> Router {
    let timeout = limits.request_timeout;
    let state = AppState { db, limiter: limiter(), strangers: strangers(), limits, uploads: tus::InFlight::default() };
    let api = Router::new()
        .route("/enrol", post(http::enrol))
        .route("/push", post(push::push))
        .route("/pull", get(http::pull))
        .merge(
            Router::new()
                .route("/photos", post(tus::create).options(tus::options))
                .route("/photos/{sha256}", axum::routing::head(tus::head).patch(tus::patch).get(tus::get))
                .layer(axum::middleware::map_response(tus::protocol_headers)),
        )
        .route("/openapi.json", get(http::openapi_json))
        .fallback(|| async { Failure::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; see /api/v1/openapi.json") });
    Router::new()
        .route("/healthz", get(http::healthz))
        .nest("/api/v1", api)
        .nest("/console", crate::console::router())
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| async move {
            let photos = request.uri().path().starts_with("/api/v1/photos");
            match tokio::time::timeout(timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => {
                    let response = axum::response::IntoResponse::into_response(Failure::new(
                        StatusCode::REQUEST_TIMEOUT,
                        "request_timeout",
                        format!("the request took longer than {} s; send it again", timeout.as_secs()),
                    ));
                    // Cut off outside the photo routes' own layer: their header all the same.
                    if photos { tus::protocol_headers(response).await } else { response }
                }
            }
        }))
        .with_state(state)
}


/// A certificate chain and its private key, PEM files: the county serving HTTPS itself.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Installs the process's rustls provider (ring: no C build) for the county's HTTPS and the
/// photo store's S3 client, whichever asks first.
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Marks requests that came over the county's own HTTPS (the console gives phones an
/// `https://` address then).
#[derive(Debug, Clone, Copy)]
pub struct ServedOverHttps;

/// Serves `app` on `listener` until `shutdown` resolves: HTTPS with `tls`, else plain HTTP
/// (on loopback, or behind a reverse proxy that terminates TLS).
pub async fn serve(listener: std::net::TcpListener, app: Router, tls: Option<&TlsFiles>, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let Some(tls) = tls else {
        listener.set_nonblocking(true)?;
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        return axum::serve(tokio::net::TcpListener::from_std(listener)?, service).with_graceful_shutdown(shutdown).await;
    };
    let service = app.layer(axum::Extension(ServedOverHttps)).into_make_service_with_connect_info::<SocketAddr>();
    tls_provider();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key).await?;
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    axum_server::from_tcp_rustls(listener, config)?.handle(handle).serve(service).await
}
