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
use crate::app::AppState;

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

/// Failed enrolments and unknown tokens per address, a minute, after a first burst.
const STRANGER_PER_MINUTE: u32 = 30;
const STRANGER_BURST: u32 = 60;
/// How long an address that used up its budget is turned away.
const BLOCKED_FOR: std::time::Duration = std::time::Duration::from_secs(60);
/// Addresses remembered before the forgotten ones are dropped.
const REMEMBERED: usize = 10_000;

/// Failures per address, and the addresses turned away for now.
#[derive(Clone)]
pub struct Strangers {
    failures: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    blocked: Arc<std::sync::Mutex<std::collections::HashMap<IpAddr, std::time::Instant>>>,
}

/// The county's limits for strangers.
pub fn strangers() -> Strangers {
    let quota = Quota::per_minute(NonZeroU32::new(STRANGER_PER_MINUTE).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(STRANGER_BURST).unwrap_or(NonZeroU32::MIN));
    Strangers { failures: Arc::new(RateLimiter::keyed(quota)), blocked: Arc::default() }
}

/// The address a request comes from, for per-address limits: the peer, or — when the peer is
/// a reverse proxy on this host — the last `X-Forwarded-For` entry (the one that proxy added;
/// set it with `proxy_set_header X-Forwarded-For $remote_addr`). `None` for a local tool
/// (loopback without that header: tests, benchmarks, `cargo xtask run`), which is not limited.
/// IPv6 addresses count by their /64 (one subscriber's). Phones share addresses behind
/// carriers' NAT: only failures count, never a device with a good token.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_canonical()) else {
            return Ok(ClientIp(None)); // served without peer addresses: nothing to go by
        };
        let ip = if peer.is_loopback() {
            parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.rsplit(',').next()).and_then(|v| v.trim().parse::<IpAddr>().ok())
        } else {
            Some(peer)
        };
        Ok(ClientIp(ip.map(|ip| match ip.to_canonical() {
            IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
            v4 => v4,
        })))
    }
}

impl ClientIp {
    /// Whether this address used up its failures and is turned away for now.
    pub fn blocked(&self, strangers: &Strangers) -> bool {
        let Some(ip) = self.0 else { return false };
        let blocked = strangers.blocked.lock().unwrap_or_else(|p| p.into_inner());
        blocked.get(&ip).is_some_and(|until| *until > std::time::Instant::now())
    }

    /// Counts a failure (a refused enrolment code, an unknown token); past the budget the
    /// address is turned away for a minute.
    pub fn failed(&self, strangers: &Strangers) {
        let Some(ip) = self.0 else { return };
        if strangers.failures.len() > REMEMBERED {
            strangers.failures.retain_recent();
        }
        if strangers.failures.check_key(&ip).is_err() {
            tracing::warn!(%ip, "too many failed enrolments or unknown tokens: turned away for a minute");
            let mut blocked = strangers.blocked.lock().unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            if blocked.len() > REMEMBERED {
                blocked.retain(|_, until| *until > now);
            }
            blocked.insert(ip, now + BLOCKED_FOR);
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
        let ip = ClientIp::from_request_parts(parts, state).await.unwrap_or(ClientIp(None));
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthorized)?;
        let Some(auth) = state.db.device_by_token(&token_hash(token.trim())).await? else {
            // A good token always works, whatever its neighbours behind the same NAT do. An
            // address that sent too many unknown ones is slowed down (and still hears 401, so
            // a phone that lost its enrolment does what it does for any unknown token).
            if ip.blocked(&state.strangers) {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                return Err(Failure::new(StatusCode::UNAUTHORIZED, "rate_limited", "too many unknown tokens from this address; wait a minute"));
            }
            ip.failed(&state.strangers);
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
