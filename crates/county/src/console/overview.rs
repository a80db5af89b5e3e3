//! The overview (首页): today for every team in the clerk's scope — duties due, done, in
//! progress, missed; open and overdue hazards; devices silent for 3 days — and the alerts in
//! force. Teams that need a look come first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;

use super::page::{self, render};
use super::patrols::{frame, Frame};
use super::session::Clerk;
use crate::beijing::{self, format as beijing};
use crate::db::{AlertRow, TeamDay};
use crate::app::AppState;

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    frame: Frame,
    today: String,
    total: TeamDay,
    teams: Vec<TeamDay>,
    alerts: Vec<(String, String, String, String)>,
}

/// 首页.
pub async fn overview(State(state): State<AppState>, clerk: Clerk) -> Response {
    let now = beijing::local(Utc::now());
    let today = now.date();
    let start = beijing::day_start(today);
    let result = async {
        let teams = state.db.overview(clerk.scope(), today, now, (start, start + chrono::Duration::days(1))).await?;
        Ok::<_, crate::db::DbError>((teams, state.db.alerts_in_force(clerk.scope()).await?))
    }
    .await;
    let (mut teams, alerts) = match result {
        Ok(r) => r,
        Err(e) => return page::unavailable(e),
    };
    let mut total = TeamDay::default();
    for t in &teams {
        total.due += t.due;
        total.done += t.done;
        total.in_progress += t.in_progress;
        total.missed += t.missed;
        total.open_hazards += t.open_hazards;
        total.overdue_hazards += t.overdue_hazards;
        total.silent_devices += t.silent_devices;
    }
    // What needs a look first: missed duties, overdue hazards, silent phones.
    teams.sort_by_key(|t| std::cmp::Reverse((t.missed, t.overdue_hazards, t.silent_devices)));
    render(&OverviewPage {
        frame: frame(&state, &clerk).await,
        today: today.to_string(),
        total,
        teams,
        alerts: alerts.into_iter().map(|a: AlertRow| (a.team, a.text, a.area, beijing(a.valid_to))).collect(),
    })
}
