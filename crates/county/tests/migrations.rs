//! The console's migrations on a county that already holds records: hazards registered before
//! the register get their report from the patrol that found them and their whole history
//! (found, the team's changes, the county's earlier decisions), and their state follows from
//! it; plans published before keep their duties for the overview; uploads belong to the team
//! whose records name them.

use redvest_core::fixtures::{device, sealed_patrol};
use redvest_shared::seal::sha256;
use sqlx::{PgPool, Row};
use uuid::Uuid;

/// The county's migrations up to the console's first part, then the two after it.
const BEFORE: [&str; 5] = [
    include_str!("../migrations/20261124000000_team.sql"),
    include_str!("../migrations/20261125000000_sync.sql"),
    include_str!("../migrations/20261126000000_team_phones.sql"),
    include_str!("../migrations/20261201000000_review.sql"),
    include_str!("../migrations/20261202000000_console.sql"),
];
const AFTER: [&str; 3] = [
    include_str!("../migrations/20261203000000_hazard_register.sql"),
    include_str!("../migrations/20261204000000_overview.sql"),
    include_str!("../migrations/20261205000000_team_uploads.sql"),
];

#[sqlx::test(migrations = false)]
async fn hazards_and_plans_already_at_the_county_are_carried_into_the_register_and_the_overview(pool: PgPool) {
    for sql in BEFORE {
        sqlx::raw_sql(sql).execute(&pool).await.expect("an earlier migration");
    }
    // What an earlier county held: a sealed patrol with an escalated hazard and its photo, a
    // change the team made on a phone, a state the county set by the command line, a plan.
    let d = device();
    let (patrol, hazard, photos) = sealed_patrol(&d, 1, 20);
    let push = d.store.patrol_push(patrol).expect("push");
    let (team, device_id) = (Uuid::now_v7(), Uuid::now_v7());
    sqlx::query("INSERT INTO team (id, name) VALUES ($1, '城关镇红马甲巡防队')").bind(team).execute(&pool).await.expect("team");
    sqlx::query("INSERT INTO device (id, team_id, name, token_hash, chain_id) VALUES ($1, $2, '手机', '\\x00', $1)")
        .bind(device_id)
        .bind(team)
        .execute(&pool)
        .await
        .expect("device");
    let record = serde_json::from_str::<serde_json::Value>(push.canonical.strip_prefix("redvest/patrol-record/v1\n").expect("v1")).expect("json");
    sqlx::query(
        "INSERT INTO patrol (id, team_id, record_hash, canonical, volunteer, state, leader, started_at, assignment)
         VALUES ($1, $2, $3, $4, $5, 'countersigned', $6, ($7 ->> 'started_at')::timestamptz, 'zone.town_centre')",
    )
    .bind(patrol)
    .bind(team)
    .bind(sha256(&[push.canonical.as_bytes()]).to_vec())
    .bind(&push.canonical)
    .bind(serde_json::to_value(&push.signatures[0]).expect("json"))
    .bind(serde_json::to_value(&push.signatures[1]).expect("json"))
    .bind(&record)
    .execute(&pool)
    .await
    .expect("patrol");
    sqlx::query("INSERT INTO hazard (id, team_id, state) VALUES ($1, $2, 'closed')").bind(hazard).bind(team).execute(&pool).await.expect("hazard");
    let change = Uuid::now_v7();
    let body = serde_json::json!({"kind": "hazard_event", "hazard_id": hazard, "at": "2026-11-26T02:00:00Z", "by_name": "李强",
                                  "state": "rectifying", "reason": "已通知超市清理", "responsible": "张老板", "deadline": "2026-11-30"});
    sqlx::query("INSERT INTO record (id, team_id, device_id, kind, content_sha256, body) VALUES ($1, $2, $3, 'hazard_event', '', $4)")
        .bind(change)
        .bind(team)
        .bind(device_id)
        .bind(&body)
        .execute(&pool)
        .await
        .expect("record");
    let decision = serde_json::json!({"kind": "hazard_decision", "id": Uuid::now_v7(), "hazard_id": hazard, "state": "closed",
                                      "reason": "县里复查已整改", "at": "2026-11-28T02:00:00Z"});
    let duty = Uuid::now_v7();
    let plan = serde_json::json!({"kind": "plan", "month": "2026-12", "duties": [
        {"id": duty, "assignment": {"post": "night_patrol"}, "place": "场镇主街", "time": "21:00:00", "dates": ["2026-12-01", "2026-12-03"]}]});
    for body in [decision, plan] {
        sqlx::query("INSERT INTO published (team_id, body) VALUES ($1, $2)").bind(team).bind(body).execute(&pool).await.expect("published");
    }

    // The photo's upload, from before uploads belonged to a team.
    sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3)").bind(team).bind(&photos[0]).bind(change).execute(&pool).await.expect("ref");
    sqlx::query("INSERT INTO upload (sha256, length, received, data, completed_at) VALUES ($1, 3, 3, '\\x010203', now())")
        .bind(&photos[0])
        .execute(&pool)
        .await
        .expect("upload");

    for sql in AFTER {
        sqlx::raw_sql(sql).execute(&pool).await.expect("the new migration on old data");
    }

    let h = sqlx::query("SELECT state, description, place, domain, severity, patrol_id, responsible, deadline::text, photos FROM hazard WHERE id = $1")
        .bind(hazard)
        .fetch_one(&pool)
        .await
        .expect("hazard");
    assert_eq!(h.get::<String, _>(0), "closed", "the county's later decision says the state");
    assert_eq!((h.get::<String, _>(1), h.get::<String, _>(2)), ("安全出口堵塞".to_owned(), "超市".to_owned()));
    assert_eq!((h.get::<String, _>(3), h.get::<String, _>(4)), ("fire_safety".to_owned(), "medium".to_owned()));
    assert_eq!(h.get::<Uuid, _>(5), patrol);
    assert_eq!((h.get::<String, _>(6), h.get::<String, _>(7)), ("张老板".to_owned(), "2026-11-30".to_owned()), "from the team's change");
    assert_eq!(h.get::<Vec<String>, _>(8), photos);
    let history: Vec<(String, String)> = sqlx::query_as("SELECT action, state FROM hazard_event WHERE hazard_id = $1 ORDER BY at, id")
        .bind(hazard)
        .fetch_all(&pool)
        .await
        .expect("history");
    let expected = [("found", "escalated"), ("team", "rectifying"), ("set", "closed")].map(|(a, s)| (a.to_owned(), s.to_owned()));
    assert_eq!(history, expected, "found as its handling opened it, then what came after, in order");
    let dates: Vec<String> = sqlx::query_scalar("SELECT d::text FROM plan_duty, unnest(dates) d WHERE id = $1 ORDER BY d").bind(duty).fetch_all(&pool).await.expect("duty");
    assert_eq!(dates, ["2026-12-01", "2026-12-03"], "the published plan's duty, for the overview");
    let owner: Uuid = sqlx::query_scalar("SELECT team_id FROM upload WHERE sha256 = $1").bind(&photos[0]).fetch_one(&pool).await.expect("upload");
    assert_eq!(owner, team, "the upload belongs to the team whose record names it");
    // The history is kept as it was written.
    assert!(sqlx::query("DELETE FROM hazard_event").execute(&pool).await.is_err());
    assert!(sqlx::query("TRUNCATE hazard_event").execute(&pool).await.is_err());
}
