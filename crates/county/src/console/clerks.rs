//! Clerks (用户管理): an admin lists the clerks of their scope, adds one, and disables one who
//! left (never deleted: the audit log keeps naming them). Every clerk changes their own
//! password (修改密码). A county admin may add county clerks and admins; a township admin
//! only clerks of their township.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{self, render};
use super::patrols::{frame, Frame};
use super::session::{hash_password, password_matches, session_hash, wait_after, Clerk};
use crate::admin::{self, AdminError, NewClerk};
use crate::beijing::format as beijing;
use crate::db::Named;
use crate::app::AppState;

/// Wrong old passwords on 修改密码 after which the session ends.
const LOG_OUT_AFTER: i32 = 5;

struct Row {
    id: Uuid,
    login: String,
    name: String,
    scope: String,
    is_admin: bool,
    disabled: Option<String>,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "clerks.html")]
struct ClerksPage {
    frame: Frame,
    rows: Vec<Row>,
    townships: Vec<Named>,
    county_admin: bool,
    done: Option<String>,
    error: Option<String>,
}

async fn show(state: &AppState, clerk: &Clerk, done: Option<String>, error: Option<String>) -> Response {
    let result = async { Ok::<_, crate::db::DbError>((state.db.clerks(clerk.scope()).await?, state.db.townships(clerk.scope()).await?)) }.await;
    let (clerks, townships) = match result {
        Ok(r) => r,
        Err(e) => return page::unavailable(e),
    };
    let rows = clerks
        .into_iter()
        .map(|c| Row {
            is_me: c.id == clerk.0.id,
            id: c.id,
            login: c.login,
            name: c.name,
            scope: c.township.unwrap_or_else(|| "全县".into()),
            is_admin: c.is_admin,
            disabled: c.disabled_at.map(beijing),
        })
        .collect();
    render(&ClerksPage { frame: frame(state, clerk).await, rows, townships, county_admin: clerk.scope().is_none(), done, error })
}

/// The clerks of the admin's scope, and the form to add one. Not an admin: 404.
pub async fn list(State(state): State<AppState>, clerk: Clerk) -> Response {
    if !clerk.0.is_admin {
        return page::not_found();
    }
    show(&state, &clerk, None, None).await
}

/// The add form, as posted.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    /// A township id, or empty for the county.
    #[serde(default)]
    township: String,
    /// `on` when ticked.
    #[serde(default)]
    admin: Option<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// Adds a clerk within the admin's scope.
pub async fn add(State(state): State<AppState>, clerk: Clerk, Form(f): Form<AddForm>) -> Response {
    if !clerk.0.is_admin {
        return page::not_found();
    }
    // A township admin adds clerks of their township only, and no admins.
    let township = match clerk.scope() {
        Some(own) => Some(own),
        None => match f.township.trim() {
            "" => None,
            id => match Uuid::parse_str(id) {
                Ok(id) => Some(id),
                Err(_) => return show(&state, &clerk, None, Some("请选择乡镇,或选“全县”。".into())).await,
            },
        },
    };
    if f.password != f.password2 {
        return show(&state, &clerk, None, Some("两次输入的初始密码不一样,请重新输入。".into())).await;
    }
    let new = NewClerk { login: &f.login, name: &f.name, password: &f.password, township, is_admin: f.admin.is_some() && clerk.scope().is_none() };
    match admin::add_clerk_by(&state.db, &new, Some((clerk.0.id, &clerk.0.login))).await {
        Ok(_) => show(&state, &clerk, Some(format!("已添加用户 {},请把初始密码当面告诉本人,登录后修改。", f.login.trim())), None).await,
        Err(AdminError::Clerk(r)) => show(&state, &clerk, None, Some(r.zh().into())).await,
        Err(AdminError::Db(e)) => page::unavailable(e),
        Err(e) => {
            tracing::error!(error = %e, "adding a clerk");
            show(&state, &clerk, None, Some("没有添加成功,请稍后再试。".into())).await
        }
    }
}

/// Disables a clerk of the admin's scope (not themselves) and ends their sessions.
pub async fn disable(State(state): State<AppState>, clerk: Clerk, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else { return page::not_found() };
    if !clerk.0.is_admin || id == clerk.0.id {
        return page::not_found();
    }
    match state.db.disable_clerk(id, clerk.scope()).await {
        Ok(Some(who)) => {
            let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "停用用户", &who).await;
            show(&state, &clerk, Some("已停用,这个用户不能再登录。".into()), None).await
        }
        Ok(None) => page::not_found(),
        Err(e) => page::unavailable(e),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    frame: Frame,
    done: Option<String>,
    error: Option<String>,
}

/// The form to change one's own password.
pub async fn password_form(State(state): State<AppState>, clerk: Clerk) -> Response {
    render(&PasswordPage { frame: frame(&state, &clerk).await, done: None, error: None })
}

/// What the password form sends.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    new2: String,
}

/// Changes one's own password; the clerk's other sessions end.
pub async fn change_password(State(state): State<AppState>, clerk: Clerk, headers: HeaderMap, Form(f): Form<PasswordForm>) -> Response {
    let again = |error: &'static str| async { render(&PasswordPage { frame: frame(&state, &clerk).await, done: None, error: Some(error.into()) }) };
    // Guessing the old password from an unattended session meets the login's delays, and
    // ends the session after a few tries.
    let wait = wait_after(clerk.0.failed_logins);
    if clerk.0.last_failed_at.is_some_and(|at| at + wait > Utc::now()) {
        return again("密码错误次数过多,请稍后再试。").await;
    }
    if !password_matches(&clerk.0.password_hash, &f.old).await {
        let _ = state.db.login_failed(clerk.0.id).await;
        let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "修改密码失败", "原密码不对").await;
        if clerk.0.failed_logins + 1 >= LOG_OUT_AFTER {
            let _ = state.db.end_sessions_of(clerk.0.id).await;
            return Redirect::to("/console/login").into_response();
        }
        return again("原密码不对。").await;
    }
    if f.new.chars().count() < 10 {
        return again("新密码至少 10 个字符。").await;
    }
    if f.new != f.new2 {
        return again("两次输入的新密码不一样,请重新输入。").await;
    }
    let new = f.new.clone();
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || hash_password(&new)).await else {
        return again("没有修改成功,请稍后再试。").await;
    };
    if let Err(e) = state.db.set_password(clerk.0.id, &hash, session_hash(&headers).as_deref()).await {
        return page::unavailable(e);
    }
    let _ = state.db.audit(Some(clerk.0.id), &clerk.0.login, "修改密码", "").await;
    render(&PasswordPage { frame: frame(&state, &clerk).await, done: Some("密码已修改;在其他电脑上的登录已退出。".into()), error: None })
}
