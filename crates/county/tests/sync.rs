//! Sync against the real county server and a real PostgreSQL, on loopback: enrolment, a
//! full patrol with its track and photos, pulls, faults on the way, and refusals.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveTime, Utc};
use common::proxy::{Fault, Proxy};
use common::{county, device, sealed_patrol, serve, serve_at, Device};
use redvest_core::sync::{sync_once, SyncFailure, SyncOptions, SyncReport};
use redvest_county::{admin, Db};
use redvest_shared::duty::{Assignment, Post};
use redvest_shared::hazard::HazardState;
use redvest_shared::sync::{OutboxKind, OutboxState};
use redvest_shared::wire::{content_sha256, ApiError, PlanDuty, PushBatch, PushOutcome, PushRecord, PushResults, RecordBody};
use sqlx::PgPool;
use uuid::Uuid;

fn fast() -> SyncOptions {
    SyncOptions { timeout: Duration::from_secs(3), chunk: 16 * 1024, batch: 20, fresh_connections: true }
}

async fn enrol(d: &Arc<Device>, server: String, code: String) -> Result<(), SyncFailure> {
    let d = d.clone();
    tokio::task::spawn_blocking(move || d.store.enrol(&server, &code, "测试手机", fast()).map(|_| ())).await.expect("join")
}

async fn sync(d: &Arc<Device>) -> Result<SyncReport, SyncFailure> {
    let d = d.clone();
    tokio::task::spawn_blocking(move || sync_once(&d.store, fast(), &|_| {})).await.expect("join")
}

/// The county holds every record once and every photo byte-identical.
async fn county_holds(db: &Db, pool: &PgPool, team: Uuid, d: &Device, records: i64, photos: &[String]) {
    assert_eq!(db.count_records(team).await.expect("count"), records, "every record exactly once");
    for sha in photos {
        let done: Option<bool> = sqlx::query_scalar("SELECT completed_at IS NOT NULL FROM upload WHERE sha256 = $1").bind(sha).fetch_optional(pool).await.expect("q");
        assert_eq!(done, Some(true), "photo {sha} complete");
        let bytes = db.upload_bytes(sha).await.expect("bytes").expect("upload");
        assert_eq!(bytes, d.store.photo_bytes(sha, false).expect("local"), "photo {sha} byte-identical");
    }
}

#[sqlx::test(migrations = false)]
async fn enrol_push_a_patrol_with_track_and_photos_then_pull_plan_alert_and_decision(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = Arc::new(device());
    enrol(&d, format!("http://{addr}"), code).await.expect("enrol");
    let (patrol, hazard, photos) = sealed_patrol(&d, 3, 600);
    assert_eq!(d.store.outbox_due(OutboxKind::Photo).expect("due").len(), 3, "queued with the seal");

    let report = sync(&d).await.expect("sync");
    assert_eq!((report.accepted, report.photos, report.refused), (1, 3, 0), "{report:?}");
    assert!(report.pulled >= 1, "the roster came back: {report:?}");
    county_holds(&db, &pool, team, &d, 1, &photos).await;
    assert!(d.store.outbox_pending().expect("pending").is_empty());
    assert_eq!(d.store.photo_backlog().expect("backlog").count, 0);
    let track: Option<String> = sqlx::query_scalar("SELECT body->>'track_rvtk' FROM record WHERE id = $1").bind(patrol).fetch_one(&pool).await.expect("q");
    assert!(track.is_some_and(|t| t.len() > 100), "the compact track went with the record");

    // The county publishes: a plan, an alert, a decision on the hazard.
    let date = Utc::now().date_naive();
    let month = date.format("%Y-%m").to_string();
    let duty = PlanDuty { id: Uuid::now_v7(), assignment: Assignment::Post(Post::NightPatrol), place: "场镇主街".into(), time: NaiveTime::from_hms_opt(21, 0, 0).expect("t"), dates: vec![date] };
    admin::publish_plan(&db, team, &month, vec![duty.clone()]).await.expect("plan");
    admin::publish_alert(&db, team, "今晚有大风,注意广告牌", "场镇", Utc::now() - chrono::Duration::hours(1), Utc::now() + chrono::Duration::hours(12)).await.expect("alert");
    admin::set_hazard_state(&db, hazard, HazardState::Closed, "县里复查已整改", Utc::now()).await.expect("decision");

    let report = sync(&d).await.expect("sync again");
    assert_eq!((report.accepted, report.repeats, report.photos), (0, 0, 0), "nothing sent twice: {report:?}");
    assert_eq!(report.pulled, 3);
    let alerts = d.store.alerts(Utc::now()).expect("alerts");
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].text.contains("大风"));
    let duties = d.store.list_duties().expect("duties");
    assert!(duties.iter().any(|x| x.id == duty.id), "the plan's duty is on the device");
    let history = d.store.hazard_on(hazard, date).expect("hazard");
    assert_eq!(history.state, HazardState::Closed, "the county's decision merged into the history");
    assert!(history.history.iter().any(|e| e.by == "县综治中心"));
    county_holds(&db, &pool, team, &d, 1, &photos).await;
}

#[sqlx::test(migrations = false)]
async fn the_same_id_twice_is_a_repeat_and_different_content_is_a_conflict(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = Arc::new(device());
    enrol(&d, format!("http://{addr}"), code).await.expect("enrol");
    let (patrol, _, _) = sealed_patrol(&d, 0, 20);
    let body = RecordBody::Patrol(d.store.patrol_push(patrol).expect("push body"));
    let token = token_of(&d);
    let post = |records: Vec<PushRecord>| {
        let url = format!("http://{addr}/api/v1/push");
        let token = token.clone();
        async move {
            let r = reqwest::Client::new().post(url).bearer_auth(token).json(&PushBatch { records }).send().await.expect("post");
            assert_eq!(r.status(), 200);
            r.json::<PushResults>().await.expect("json").results
        }
    };
    let record = PushRecord { id: patrol, content_sha256: content_sha256(&body), body: body.clone() };
    assert_eq!(post(vec![record.clone()]).await[0].outcome, PushOutcome::Accepted);
    let again = post(vec![record.clone()]).await;
    assert_eq!((again[0].status, again[0].outcome), (200, PushOutcome::Repeat));

    let RecordBody::Patrol(mut changed) = body else { unreachable!() };
    changed.signatures[0].signed_at += chrono::Duration::seconds(1);
    let changed = RecordBody::Patrol(changed);
    let conflict = post(vec![PushRecord { id: patrol, content_sha256: content_sha256(&changed), body: changed }]).await;
    assert_eq!((conflict[0].status, conflict[0].outcome), (409, PushOutcome::Conflict));
    assert!(conflict[0].reason.as_deref().is_some_and(|r| r.contains("never overwritten")));
    assert_eq!(db.count_records(team).await.expect("count"), 1);
}

/// The device's bearer token, read from its store (tests call the API directly with it).
fn token_of(d: &Device) -> String {
    let conn = rusqlite::Connection::open(d.dir.path().join("redvest.sqlite3")).expect("open");
    conn.query_row("SELECT json_extract(value, '$.token') FROM setting WHERE key = 'sync.enrolment'", [], |r| r.get(0)).expect("token")
}

#[sqlx::test(migrations = false)]
async fn refusals_carry_the_right_status(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();

    // Wrong token.
    let r = http.get(format!("{base}/api/v1/pull")).bearer_auth("not-a-token").send().await.expect("get");
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<ApiError>().await.expect("json").error, "unauthorized");

    // Enrol, then replay the same code.
    let d = Arc::new(device());
    enrol(&d, base.clone(), code.clone()).await.expect("enrol");
    let replay = Arc::new(device());
    let err = enrol(&replay, base.clone(), code).await.expect_err("a used code");
    assert!(matches!(err, SyncFailure::Unauthorized(_)), "{err:?}");

    // A record whose signature was altered: 422 for it, the rest of the batch lands.
    let (first, _, _) = sealed_patrol(&d, 0, 10);
    let (second, _, _) = sealed_patrol(&d, 0, 10);
    let token = token_of(&d);
    let RecordBody::Patrol(mut forged) = RecordBody::Patrol(d.store.patrol_push(first).expect("p1")) else { unreachable!() };
    let last = forged.signatures[0].signature.pop().expect("hex");
    forged.signatures[0].signature.push(if last == '0' { '1' } else { '0' });
    let forged = RecordBody::Patrol(forged);
    let good = RecordBody::Patrol(d.store.patrol_push(second).expect("p2"));
    let batch = PushBatch {
        records: vec![
            PushRecord { id: first, content_sha256: content_sha256(&forged), body: forged },
            PushRecord { id: second, content_sha256: content_sha256(&good), body: good.clone() },
        ],
    };
    let results = http.post(format!("{base}/api/v1/push")).bearer_auth(&token).json(&batch).send().await.expect("post").json::<PushResults>().await.expect("json").results;
    assert_eq!((results[0].status, results[0].outcome), (422, PushOutcome::Rejected));
    assert!(results[0].reason.as_deref().is_some_and(|r| r.contains("signature")), "{:?}", results[0].reason);
    // The second patrol's chain link follows the first, which was refused: also refused, by name.
    assert_eq!(results[1].status, 422);
    assert!(results[1].reason.as_deref().is_some_and(|r| r.contains("chain")), "{:?}", results[1].reason);

    // A device of another team pushing this team's patrol: its keys are not that team's.
    let other_team = admin::create_team(&db, "栗子乡巡防队").await.expect("team");
    let other_code = admin::issue_code(&db, other_team, Utc::now()).await.expect("code");
    let other = Arc::new(device());
    enrol(&other, base.clone(), other_code).await.expect("enrol other");
    let stolen = PushBatch { records: vec![PushRecord { id: second, content_sha256: content_sha256(&good), body: good }] };
    let results = http.post(format!("{base}/api/v1/push")).bearer_auth(token_of(&other)).json(&stolen).send().await.expect("post").json::<PushResults>().await.expect("json").results;
    assert_eq!(results[0].status, 422);
    assert!(results[0].reason.as_deref().is_some_and(|r| r.contains("not enrolled for this team")), "{:?}", results[0].reason);
    assert_eq!(db.count_records(team).await.expect("count"), 0);
    assert_eq!(db.count_records(other_team).await.expect("count"), 0);

    // Bad input: broken JSON, unknown fields, wrong types, a huge body: 4xx with a JSON reason.
    for (body, status, code) in [
        ("{\"records\": [", 400, "bad_json"),
        ("{\"records\": [], \"extra\": 1}", 422, "bad_field"),
        ("{\"records\": \"many\"}", 422, "bad_field"),
    ] {
        let r = http.post(format!("{base}/api/v1/push")).bearer_auth(&token).header("content-type", "application/json").body(body).send().await.expect("post");
        assert_eq!(r.status(), status, "{body}");
        assert_eq!(r.json::<ApiError>().await.expect("json error").error, code, "{body}");
    }
    let huge = format!("{{\"records\": [], \"pad\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
    let r = http.post(format!("{base}/api/v1/push")).bearer_auth(&token).header("content-type", "application/json").body(huge).send().await.expect("post");
    assert_eq!(r.status(), 413);

    // Revoked: 401, and the client says so.
    let device_id = d.store.sync_status(None, Utc::now()).expect("status").enrolled.expect("enrolled").device_id;
    admin::revoke_device(&db, device_id).await.expect("revoke");
    let err = sync(&d).await.expect_err("revoked");
    assert!(matches!(err, SyncFailure::Revoked(_)), "{err:?}");
}

/// Each fault once on the way, then a clean run: every record exactly once, every photo
/// byte-identical, and no photo sent again from zero.
#[sqlx::test(migrations = false)]
async fn faults_on_the_way_lose_and_double_nothing(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, server) = serve(db.clone()).await;
    let mut server = Some(server);
    let proxy = Proxy::start(addr).await;
    let d = Arc::new(device());
    enrol(&d, format!("http://{}", proxy.addr), code).await.expect("enrol");
    let (_, _, photos) = sealed_patrol(&d, 2, 300);
    let (_, _, more) = sealed_patrol(&d, 1, 50);
    let photos: Vec<String> = photos.into_iter().chain(more).collect();
    let photo_bytes: u64 = photos.iter().map(|s| d.store.photo_bytes(s, false).expect("b").len() as u64).sum();

    let plan = [
        (Some("POST /api/v1/push"), Fault::CutRequestBody),
        (Some("POST /api/v1/push"), Fault::CutResponse),
        (Some("POST /api/v1/push"), Fault::Delay(Duration::from_secs(5))),
        (Some("POST /api/v1/push"), Fault::Duplicate),
        (Some("PATCH /api/v1/photos"), Fault::CutRequestBody),
        (Some("PATCH /api/v1/photos"), Fault::CutResponse),
        (Some("PATCH /api/v1/photos"), Fault::Duplicate),
        (Some("PATCH /api/v1/photos"), Fault::Status(500)),
        (Some("GET /api/v1/pull"), Fault::Status(503)),
        (Some("PATCH /api/v1/photos"), Fault::Delay(Duration::from_secs(10))),
    ];
    for (matching, fault) in plan {
        proxy.plan(matching, fault);
    }
    let mut sent = 0;
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(runs < 30, "never converged");
        match sync(&d).await {
            Ok(report) => {
                sent += report.photo_bytes_sent;
                if d.store.outbox_pending().expect("pending").is_empty() {
                    break;
                }
            }
            Err(e) => assert!(e.is_transient(), "a fault must look transient: {e:?}"),
        }
        // Half way through, the county is killed and comes back.
        if let Some(server) = server.take_if(|_| runs == 3) {
            server.abort();
            let _ = server.await;
            assert!(sync(&d).await.is_err(), "the county is down");
            let _restarted = serve_at(db.clone(), addr).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    county_holds(&db, &pool, team, &d, 2, &photos).await;
    assert!(d.store.outbox_recent(50).expect("log").iter().all(|i| i.state == OutboxState::Sent));
    // Resent bytes: at most the chunks in flight when a fault hit, never a whole photo again.
    assert!(sent <= photo_bytes + 5 * 16 * 1024, "sent {sent} photo bytes for {photo_bytes}");
}

/// A county behind a fault proxy, and an enrolled device holding a sealed patrol with one
/// photo: (county, team, proxy, device, photo hashes).
async fn behind_proxy(pool: PgPool) -> (Db, Uuid, Proxy, Arc<Device>, Vec<String>) {
    let (db, team, code) = county(pool).await;
    // The server task is detached, not stopped, when its handle is dropped.
    let (addr, _) = serve(db.clone()).await;
    let proxy = Proxy::start(addr).await;
    let d = Arc::new(device());
    enrol(&d, format!("http://{}", proxy.addr), code).await.expect("enrol");
    let (_, _, photos) = sealed_patrol(&d, 1, 30);
    (db, team, proxy, d, photos)
}

/// The app killed (SIGKILL) in the middle of a photo upload: the next run resumes from the
/// county's offset and sends no photo from zero.
#[sqlx::test(migrations = false)]
async fn app_killed_mid_upload_resumes_from_the_countys_offset(pool: PgPool) {
    let (db, team, proxy, d, photos) = behind_proxy(pool.clone()).await;
    let size = d.store.photo_bytes(&photos[0], false).expect("photo").len();
    assert!(size > 5 * 16 * 1024, "the photo spans several chunks ({size} B)");
    // Three chunks go through; the fourth's answer hangs, and the app is killed meanwhile.
    for _ in 0..3 {
        proxy.plan(Some("PATCH"), Fault::Pass);
    }
    proxy.plan(Some("PATCH"), Fault::Delay(Duration::from_secs(30)));

    let exe = std::env::current_exe().expect("exe");
    let runner = exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("examples/sync_runner");
    let mut child = std::process::Command::new(&runner).arg(d.dir.path().join("redvest.sqlite3")).spawn().expect("spawn sync_runner");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while proxy.seen.lock().expect("seen").iter().filter(|(l, _)| l.starts_with("PATCH")).count() < 4 {
        assert!(std::time::Instant::now() < deadline, "the upload never reached its fourth chunk");
        assert!(child.try_wait().expect("wait").is_none(), "the runner ended early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();

    let report = sync(&d).await.expect("the next run");
    assert_eq!(report.photos, 1);
    assert!(report.photo_bytes_resumed >= 3 * 16 * 1024, "resumed from the county's offset: {report:?}");
    assert!(report.photo_bytes_sent as usize <= size - 3 * 16 * 1024, "nothing sent again from zero: {report:?}");
    county_holds(&db, &pool, team, &d, 1, &photos).await;
}

/// A photo chunk cut off mid-body: the county keeps what arrived, and the next run goes on
/// from there.
#[sqlx::test(migrations = false)]
async fn a_cut_chunk_keeps_what_arrived(pool: PgPool) {
    let (db, team, proxy, d, photos) = behind_proxy(pool.clone()).await;
    proxy.plan(Some("PATCH"), Fault::CutRequestBody);
    assert!(sync(&d).await.is_err(), "the cut shows as a failed run");
    let mut kept = None;
    for _ in 0..50 {
        kept = db.upload(&photos[0]).await.expect("upload").map(|u| u.received).filter(|r| *r > 0);
        if kept.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kept = kept.expect("the county kept the first half of the cut chunk");
    assert!(kept >= 8 * 1024, "kept {kept} bytes of a 16 KB chunk");
    let report = sync(&d).await.expect("the next run");
    assert_eq!(report.photo_bytes_resumed, kept as u64, "went on from what the county kept");
    county_holds(&db, &pool, team, &d, 1, &photos).await;
}
