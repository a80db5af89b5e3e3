//! Logging in and out: Argon2id passwords, a session cookie (HttpOnly, SameSite=Strict, a new
//! id at every login, 8 hours), a growing wait after wrong passwords, all in the audit log.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{self, render};
use crate::auth::{new_token, token_hash};
use crate::db::ClerkRow;
use crate::app::AppState;

const COOKIE: &str = "redvest_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;
/// Wrong passwords allowed before each try has to wait.
const FREE_TRIES: i32 = 3;

/// The Argon2id PHC string of a password.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default().hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))?.to_string())
}

/// Whether `password` is the one `hash` keeps (Argon2 takes its time off the async threads).
pub async fn password_matches(hash: &str, password: &str) -> bool {
    let (hash, password) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()))
        .await
        .unwrap_or(false)
}

/// The session token the browser sent, hashed as it is kept.
pub fn session_hash(headers: &HeaderMap) -> Option<Vec<u8>> {
    session_token(headers).map(|t| token_hash(&t).to_vec())
}

/// How long the next try must wait after `failed` wrong passwords: nothing for the first
/// three, then 2, 4, 8 … seconds, at most 15 minutes.
pub fn wait_after(failed: i32) -> Duration {
    if failed < FREE_TRIES {
        return Duration::zero();
    }
    Duration::seconds((1i64 << (failed - FREE_TRIES + 1).min(10)).min(900))
}

/// A clerk with a live session.
#[derive(Debug, Clone)]
pub struct Clerk(pub ClerkRow);

impl Clerk {
    /// The township they are limited to (`None`: the county, every township).
    pub fn scope(&self) -> Option<Uuid> {
        self.0.township_id
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_owned))
}

impl FromRequestParts<AppState> for Clerk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/console/login").into_response();
        let token = session_token(&parts.headers).ok_or_else(to_login)?;
        match state.db.session_clerk(&token_hash(&token)).await {
            Ok(Some(clerk)) => Ok(Clerk(clerk)),
            Ok(None) => Err(to_login()),
            Err(e) => Err(page::unavailable(e)),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    login: String,
}

/// The login form.
pub async fn login_form() -> Response {
    render(&LoginPage { error: None, login: String::new() })
}

/// What the login form sends.
#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

/// Checks the password; starts a session with a new id.
pub async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let again = |error: &str| render(&LoginPage { error: Some(error.into()), login: form.login.clone() });
    let clerk = match state.db.clerk_by_login(form.login.trim()).await {
        Ok(c) => c,
        Err(e) => return page::unavailable(e),
    };
    let Some(clerk) = clerk else {
        // As long as a wrong password takes, so the answer's timing tells no names.
        let password = form.password.clone();
        let _ = tokio::task::spawn_blocking(move || hash_password(&password)).await;
        let _ = state.db.audit(None, form.login.trim(), "登录失败", "没有这个用户名").await;
        return again("用户名或密码不对。");
    };
    let wait = wait_after(clerk.failed_logins);
    if let Some(until) = clerk.last_failed_at.map(|at| at + wait).filter(|until| *until > Utc::now()) {
        let seconds = (until - Utc::now()).num_seconds().max(1);
        let _ = state.db.audit(Some(clerk.id), &clerk.login, "登录被延迟", &format!("密码连续错误 {} 次", clerk.failed_logins)).await;
        return again(&format!("密码错误次数过多,请 {seconds} 秒后再试。"));
    }
    if !password_matches(&clerk.password_hash, &form.password).await {
        let _ = state.db.login_failed(clerk.id).await;
        let _ = state.db.audit(Some(clerk.id), &clerk.login, "登录失败", "密码不对").await;
        return again("用户名或密码不对。");
    }
    let token = new_token();
    if let Err(e) = state.db.start_session(clerk.id, &token_hash(&token), Utc::now() + Duration::hours(SESSION_HOURS)).await {
        return page::unavailable(e);
    }
    let _ = state.db.audit(Some(clerk.id), &clerk.login, "登录", "").await;
    let cookie = format!("{COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}", SESSION_HOURS * 3600);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/console")).into_response()
}

/// Ends the session.
pub async fn logout(State(state): State<AppState>, clerk: Clerk, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers) {
        let _ = state.db.end_session(&token_hash(&token)).await;
    }
    let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "退出", "").await;
    let cookie = format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/console/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_passwords_make_the_next_try_wait_longer() {
        assert_eq!(wait_after(2), Duration::zero());
        assert_eq!(wait_after(3), Duration::seconds(2));
        assert_eq!(wait_after(4), Duration::seconds(4));
        assert_eq!(wait_after(40), Duration::seconds(900));
    }
}
