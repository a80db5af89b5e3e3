//! Who is calling: the bearer token names a device (the county keeps only the token's
//! SHA-256), and each device has a request budget.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use redvest_shared::seal::sha256;
use uuid::Uuid;

use crate::db::DeviceAuth;
use crate::error::Failure;
use crate::http::AppState;

/// Requests per second per device, and the burst allowed.
const PER_SECOND: u32 = 50;
const BURST: u32 = 300;

/// The per-device rate limiter.
pub type Limiter = Arc<DefaultKeyedRateLimiter<Uuid>>;

/// A limiter with the county's quota.
pub fn limiter() -> Limiter {
    let quota = Quota::per_second(NonZeroU32::new(PER_SECOND).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN));
    Arc::new(RateLimiter::keyed(quota))
}

/// Enrolments and requests with unknown tokens per address, a minute, after a first burst.
const STRANGER_PER_MINUTE: u32 = 30;
const STRANGER_BURST: u32 = 60;

/// The per-address limiter for enrolments and unknown tokens.
pub type IpLimiter = Arc<DefaultKeyedRateLimiter<IpAddr>>;

/// A limiter with the county's quota for strangers.
pub fn ip_limiter() -> IpLimiter {
    let quota = Quota::per_minute(NonZeroU32::new(STRANGER_PER_MINUTE).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(STRANGER_BURST).unwrap_or(NonZeroU32::MIN));
    Arc::new(RateLimiter::keyed(quota))
}

/// The address a request comes from, for per-address limits: the peer, or — when the peer is
/// a reverse proxy on this host — the first `X-Forwarded-For` entry. `None` for a local tool
/// (loopback without that header: tests, benchmarks, `cargo xtask run`), which is not limited.
/// Phones behind a carrier's NAT share addresses: the limits count failures, never a device
/// with a good token.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = || {
            parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()).and_then(|v| v.trim().parse::<IpAddr>().ok())
        };
        Ok(ClientIp(match peer {
            Some(ip) if ip.is_loopback() => forwarded(),
            Some(ip) => Some(ip),
            None => forwarded(),
        }))
    }
}

impl ClientIp {
    /// Counts one stranger's attempt (an enrolment, a request with an unknown token) against
    /// this address; `Err` with a 429 once it has had too many.
    pub fn count(&self, strangers: &IpLimiter) -> Result<(), Failure> {
        match self.0 {
            Some(ip) if strangers.check_key(&ip).is_err() => {
                tracing::warn!(%ip, "too many failed enrolments or unknown tokens");
                Err(Failure::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many failed attempts from this address; wait a minute"))
            }
            _ => Ok(()),
        }
    }
}

/// The hash a token is stored and looked up by.
pub fn token_hash(token: &str) -> [u8; 32] {
    sha256(&[token.as_bytes()])
}

/// An authenticated, not revoked, not rate-limited device.
#[derive(Debug, Clone, Copy)]
pub struct Device(pub DeviceAuth);

impl FromRequestParts<AppState> for Device {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let unauthorized = || Failure::new(StatusCode::UNAUTHORIZED, "unauthorized", "send Authorization: Bearer <token> from enrolment");
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthorized)?;
        let Some(auth) = state.db.device_by_token(&token_hash(token.trim())).await? else {
            let ip = ClientIp::from_request_parts(parts, state).await.unwrap_or(ClientIp(None));
            ip.count(&state.strangers)?;
            return Err(unauthorized());
        };
        if auth.revoked {
            return Err(Failure::new(StatusCode::UNAUTHORIZED, "revoked", "this device was revoked by the county; enrol it again"));
        }
        if state.limiter.check_key(&auth.device_id).is_err() {
            return Err(Failure::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests from this device; slow down"));
        }
        Ok(Device(auth))
    }
}

/// Makes a new random token (32 bytes, hex).
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
