//! The hazard register between the county and a phone that changes hazards offline: the
//! county and the phone read a hazard's history by the same rule and end with the same state,
//! whatever order things arrive in and whatever the phone's clock says. A change the phone
//! made before the county's later decision does not undo it when it arrives late; 督办
//! presses without saying the state.

mod common;

use chrono::{Duration, Utc};
use common::{base_url, county, sealed_patrol, team_device};
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::db::CountyDecision;
use redvest_county::{admin, Db};
use redvest_shared::hazard::{CountyAction, HazardChange, HazardState};
use sqlx::PgPool;
use uuid::Uuid;

async fn county_state(pool: &PgPool, hazard: Uuid) -> String {
    sqlx::query_scalar("SELECT state FROM hazard WHERE id = $1").bind(hazard).fetch_one(pool).await.expect("hazard")
}

async fn decide(db: &Db, hazard: Uuid, action: CountyAction, reason: &str) -> HazardState {
    let (responsible, deadline) = match action {
        CountyAction::Assign => (Some("张老板".to_owned()), Some(redvest_county::beijing::today() + Duration::days(7))),
        _ => (None, None),
    };
    let d = CountyDecision { action, by: "县综治中心".into(), reason: reason.into(), responsible, deadline, clerk: None };
    admin::decide_hazard(db, hazard, None, d, Utc::now()).await.expect("decision")
}

#[sqlx::test(migrations = false)]
async fn the_county_and_the_phone_agree_on_a_hazard_whatever_arrives_late(pool: PgPool) {
    let (db, _, code) = county(pool.clone()).await;
    let d = team_device(base_url(db.clone()).await, code, SyncOptions::default()).await;
    let run = |d: std::sync::Arc<redvest_core::fixtures::Device>| async move {
        tokio::task::spawn_blocking(move || sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("sync")).await.expect("join")
    };
    let hazard = {
        let d = d.clone();
        tokio::task::spawn_blocking(move || sealed_patrol(&d, 0, 10).1).await.expect("join")
    };
    run(d.clone()).await;
    assert_eq!(county_state(&pool, hazard).await, "escalated");
    assert_eq!(decide(&db, hazard, CountyAction::Assign, "").await, HazardState::Assigned);
    run(d.clone()).await;
    let on_phone = d.store.hazard_on(hazard, Utc::now().date_naive()).expect("hazard");
    assert_eq!(on_phone.state, HazardState::Assigned);
    assert_eq!(on_phone.history.last().and_then(|e| e.responsible.clone()).as_deref(), Some("张老板"), "the 交办's responsible person");

    // The county presses (督办) and the phone hears it; then the team starts the work on a
    // phone whose clock is behind: its 整改中 is stamped between the 交办 and the 督办.
    assert_eq!(decide(&db, hazard, CountyAction::Supervise, "请本周内完成").await, HazardState::Assigned, "督办 keeps the state");
    run(d.clone()).await;
    let at = |action: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, chrono::DateTime<Utc>>("SELECT at FROM hazard_event WHERE hazard_id = $1 AND action = $2")
                .bind(hazard)
                .bind(action)
                .fetch_one(&pool)
                .await
                .expect("entry")
        }
    };
    let (assigned, supervised) = (at("assign").await, at("supervise").await);
    let change = |state, reason: &str| HazardChange { hazard_id: hazard, state, by_member: d.leader.id, reason: reason.into(), responsible: None, deadline: None };
    let on_phone = d.store.change_hazard(&change(HazardState::Rectifying, "已开始清理"), assigned + (supervised - assigned) / 2).expect("rectifying");
    assert_eq!(on_phone.state, HazardState::Rectifying, "the team's change counts on the phone, 督办 or not");
    let pressed = on_phone.history.iter().find(|e| e.reason.starts_with("督办")).expect("the 督办 entry");
    assert_eq!(pressed.state, HazardState::Assigned, "督办 shows the state it found");
    run(d.clone()).await;
    assert_eq!(county_state(&pool, hazard).await, "rectifying", "and at the county, by the same rule");

    // The county checks the fix (复查); a re-check the phone made earlier arrives after it.
    assert_eq!(decide(&db, hazard, CountyAction::Recheck, "现场已清理").await, HazardState::Verified);
    d.store.change_hazard(&change(HazardState::Rectifying, "仍在整改"), Utc::now() - Duration::minutes(10)).expect("an earlier re-check");
    run(d.clone()).await;
    assert_eq!(county_state(&pool, hazard).await, "verified", "a change made before the 复查 does not undo it");
    assert_eq!(d.store.hazard_on(hazard, Utc::now().date_naive()).expect("h").state, HazardState::Verified, "the phone agrees");
    assert_eq!(decide(&db, hazard, CountyAction::Close, "").await, HazardState::Closed, "and 销号 is still open to the county");
    let history: Vec<String> = sqlx::query_scalar("SELECT action FROM hazard_event WHERE hazard_id = $1 ORDER BY at, id").bind(hazard).fetch_all(&pool).await.expect("q");
    // In time order: the late re-check was made ten minutes back, before the 交办.
    assert_eq!(history, ["found", "team", "assign", "team", "supervise", "recheck", "close"]);
}
