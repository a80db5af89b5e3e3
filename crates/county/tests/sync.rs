//! Sync against the real county server and a real PostgreSQL, on loopback: enrolment, a
//! full patrol with its track and photos, pulls, faults on the way, and refusals.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveTime, Utc};
use common::proxy::{Fault, Proxy};
use common::{county, device, sealed_patrol, serve, serve_at, team_device, token_of, Device};
use redvest_core::fixtures::sealed_patrol_signed;
use redvest_core::sync::{sync_once, SyncFailure, SyncOptions, SyncReport};
use redvest_county::db::CountyDecision;
use redvest_county::{admin, Db};
use redvest_shared::duty::{Assignment, Post};
use redvest_shared::hazard::{CountyAction, HazardState};
use redvest_shared::sync::{OutboxKind, OutboxState};
use redvest_shared::wire::{content_sha256, ApiError, PlanDuty, PushBatch, PushOutcome, PushRecord, PushResults, RecordBody, Refusal};
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

/// How many patrols the county holds for a team.
async fn patrols_held(pool: &PgPool, team: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM record WHERE team_id = $1 AND kind = 'patrol'").bind(team).fetch_one(pool).await.expect("count")
}

/// The county holds every patrol once and every photo byte-identical.
async fn county_holds(db: &Db, pool: &PgPool, team: Uuid, d: &Device, patrols: i64, photos: &[String]) {
    assert_eq!(patrols_held(pool, team).await, patrols, "every patrol exactly once");
    for sha in photos {
        let done = db.upload(team, sha).await.expect("q").map(|u| u.complete);
        assert_eq!(done, Some(true), "photo {sha} complete");
        let bytes = db.upload_bytes(team, sha).await.expect("bytes").expect("upload");
        assert_eq!(bytes, d.store.photo_bytes(sha, false).expect("local"), "photo {sha} byte-identical");
    }
}

/// In the order users take: the phone is enrolled in town, the roster comes down, then the
/// volunteer and the leader set their PINs on it, and a patrol is recorded and sealed.
#[sqlx::test(migrations = false)]
async fn enrol_then_set_pins_then_push_a_patrol_with_track_and_photos_then_pull_plan_alert_and_decision(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = team_device(format!("http://{addr}"), code, fast()).await;
    assert!(d.volunteer.confirmed && d.leader.confirmed, "both came from the county's roster");
    let (patrol, hazard, photos) = sealed_patrol(&d, 3, 600);
    assert_eq!(d.store.outbox_due(OutboxKind::Photo).expect("due").len(), 3, "queued with the seal");

    let report = sync(&d).await.expect("sync");
    // The two keys set after enrolment, then the patrol they signed.
    assert_eq!((report.accepted, report.photos, report.refused, report.held), (3, 3, 0, 0), "{report:?}");
    let keys = admin::list_keys(&db, team).await.expect("keys");
    assert_eq!(keys.len(), 2, "both keys accepted for their members");
    assert!(keys.iter().any(|k| k.member_id == d.leader.id && k.name == "李强"));
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
    let close = CountyDecision { action: CountyAction::Close, by: "县综治中心".into(), reason: "县里复查已整改".into(), responsible: None, deadline: None, clerk: None };
    admin::decide_hazard(&db, hazard, None, close, Utc::now()).await.expect("decision");

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
    let d = team_device(format!("http://{addr}"), code, fast()).await;
    let (patrol, _, _) = sealed_patrol(&d, 0, 20);
    sync(&d).await.expect("the keys go up");
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
    let _ = post(vec![]).await;
    let first = post(vec![record.clone()]).await;
    assert_eq!(first[0].outcome, PushOutcome::Repeat, "the sync sent it already");
    let again = post(vec![record.clone()]).await;
    assert_eq!((again[0].status, again[0].outcome), (200, PushOutcome::Repeat));

    let RecordBody::Patrol(mut changed) = body else { unreachable!() };
    changed.signatures[0].signed_at += chrono::Duration::seconds(1);
    let changed = RecordBody::Patrol(changed);
    let conflict = post(vec![PushRecord { id: patrol, content_sha256: content_sha256(&changed), body: changed }]).await;
    assert_eq!((conflict[0].status, conflict[0].outcome), (409, PushOutcome::Conflict));
    assert!(conflict[0].reason.as_deref().is_some_and(|r| r.contains("never overwritten")));
    assert_eq!(patrols_held(&pool, team).await, 1);
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
    let d = team_device(base.clone(), code.clone(), fast()).await;
    let replay = Arc::new(device());
    let err = enrol(&replay, base.clone(), code).await.expect_err("a used code");
    assert!(matches!(err, SyncFailure::Unauthorized(_)), "{err:?}");

    // A record whose signature was altered: 422 for it, the rest of the batch lands.
    let (first, _, _) = sealed_patrol(&d, 0, 10);
    let (second, _, _) = sealed_patrol(&d, 0, 10);
    let keys_only = d.store.outbox_due(OutboxKind::Patrol).expect("due");
    for item in &keys_only {
        d.store.mark_outbox(OutboxKind::Patrol, &item.reference, OutboxState::Sent, None, Utc::now()).expect("keep the patrols back");
    }
    sync(&d).await.expect("the keys go up");
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
    assert_eq!((results[0].status, results[0].outcome, results[0].code), (422, PushOutcome::Rejected, Some(Refusal::SignatureInvalid)));
    assert!(results[0].reason.as_deref().is_some_and(|r| r.contains("signature")), "{:?}", results[0].reason);
    // The second patrol's link follows the refused one: it lands all the same (nothing jams),
    // and the county's chain verification names the place of the refused one.
    assert_eq!((results[1].status, results[1].outcome), (201, PushOutcome::Accepted), "{:?}", results[1]);
    let findings = admin::verify_chains(&db, team).await.expect("verify");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].seq, 1);
    assert!(matches!(&findings[0].problem, admin::ChainProblem::Refused(code, _) if code == "signature_invalid"), "{findings:?}");

    // A device of another team pushing this team's patrol: its keys are not that team's.
    let other_team = admin::create_team(&db, "栗子乡巡防队").await.expect("team");
    let other_code = admin::issue_code(&db, other_team, Utc::now()).await.expect("code");
    let other = Arc::new(device());
    enrol(&other, base.clone(), other_code).await.expect("enrol other");
    let (third, _, _) = sealed_patrol(&d, 0, 10);
    let unsent = RecordBody::Patrol(d.store.patrol_push(third).expect("p3"));
    let stolen = PushBatch { records: vec![PushRecord { id: third, content_sha256: content_sha256(&unsent), body: unsent }] };
    let results = http.post(format!("{base}/api/v1/push")).bearer_auth(token_of(&other)).json(&stolen).send().await.expect("post").json::<PushResults>().await.expect("json").results;
    assert_eq!((results[0].status, results[0].code), (422, Some(Refusal::UnknownKey)));
    assert!(results[0].reason.as_deref().is_some_and(|r| r.contains("not accepted for this team")), "{:?}", results[0].reason);
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
    let device_id = d.store.sync_status(None, None, Utc::now()).expect("status").enrolled.expect("enrolled").device_id;
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
    let d = team_device(format!("http://{}", proxy.addr), code, fast()).await;
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
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(runs < 30, "never converged");
        match sync(&d).await {
            Ok(_) => {
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
    // Everything sent; the signed-for-the-leader entries were not needed (sealed on this phone).
    assert!(d.store.outbox_recent(50).expect("log").iter().all(|i| i.state == OutboxState::Sent || (i.kind == OutboxKind::Submission && i.state == OutboxState::Superseded)));
    // Resent bytes: at most the chunks in flight when a fault hit, never a whole photo again.
    // Counted on the wire at the proxy, failed runs included (a run's own report counts only
    // what it knows it sent).
    let sent: usize = proxy.seen.lock().expect("seen").iter().filter(|(line, _)| line.starts_with("PATCH /api/v1/photos")).map(|(_, n)| n).sum();
    let sent = sent as u64;
    assert!(sent >= photo_bytes, "every photo byte crossed the wire: {sent} of {photo_bytes}");
    assert!(sent <= photo_bytes + 5 * 16 * 1024, "sent {sent} photo bytes for {photo_bytes}");
}

/// A county behind a fault proxy, and an enrolled device holding a sealed patrol with one
/// photo: (county, team, proxy, device, photo hashes).
async fn behind_proxy(pool: PgPool) -> (Db, Uuid, Proxy, Arc<Device>, Vec<String>) {
    let (db, team, code) = county(pool).await;
    // The server task is detached, not stopped, when its handle is dropped.
    let (addr, _) = serve(db.clone()).await;
    let proxy = Proxy::start(addr).await;
    let d = team_device(format!("http://{}", proxy.addr), code, fast()).await;
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
        kept = db.upload(team, &photos[0]).await.expect("upload").map(|u| u.received).filter(|r| *r > 0);
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

/// Seals a patrol on the phone, on a worker thread.
async fn seal(d: &Arc<Device>, photos: u32) -> (Uuid, Vec<String>) {
    let d = d.clone();
    tokio::task::spawn_blocking(move || {
        let (patrol, _, shas) = sealed_patrol(&d, photos, 20);
        (patrol, shas)
    })
    .await
    .expect("join")
}

/// The outbox entry of a patrol.
fn entry(d: &Device, patrol: Uuid) -> redvest_shared::sync::OutboxItem {
    d.store.outbox_recent(200).expect("log").into_iter().find(|i| i.kind == OutboxKind::Patrol && i.reference == patrol.to_string()).expect("queued")
}

/// A key the county revoked: what it signed is refused with that code; the member sets a new
/// PIN, and their later records land.
#[sqlx::test(migrations = false)]
async fn a_revoked_key_is_refused_by_code_and_later_records_still_land(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = team_device(format!("http://{addr}"), code, fast()).await;
    let (first, _) = seal(&d, 0).await;
    sync(&d).await.expect("sync");
    assert_eq!(entry(&d, first).state, OutboxState::Sent);

    let volunteer_key = d.store.public_keys().expect("keys").into_iter().find(|k| k.member_id == d.volunteer.id).expect("key").public_key_hex;
    admin::revoke_key(&db, &volunteer_key).await.expect("revoke");
    // What the county accepted before stays verified, saying the key was revoked since.
    let sheet = read_sheet(&db, team, first).await;
    assert!(sheet.verified() && sheet.verification.iter().any(|l| l.text.contains("巡查人签名有效(收到时密钥有效;该密钥已于")), "{:?}", sheet.verification);
    let (second, _) = seal(&d, 0).await;
    let report = sync(&d).await.expect("the run itself goes through");
    assert_eq!(report.refused, 1, "{report:?}");
    let refused = entry(&d, second);
    assert_eq!((refused.state, refused.code), (OutboxState::Failed, Some(Refusal::KeyRevoked)));
    let status = d.store.sync_status(None, None, Utc::now()).expect("status");
    assert_eq!(status.refused.len(), 1, "the sync page lists it");
    assert_eq!(d.store.today(Utc::now().fixed_offset()).expect("today").refused, 1, "the home page counts it");
    let findings = admin::verify_chains(&db, team).await.expect("verify");
    assert!(
        matches!(findings.as_slice(), [admin::ChainFinding { seq: 2, problem: admin::ChainProblem::Refused(code, _), .. }] if code == "key_revoked"),
        "the refused last place of the chain is named: {findings:?}"
    );

    // 王芳 sets a new PIN; the old key endorses the new one; her next patrol lands.
    let new = redvest_shared::team::ChangePin { member_id: d.volunteer.id, old_pin: "2468".into(), new_pin: "8642".into() };
    d.store.change_pin(&new, Utc::now()).expect("new PIN");
    let third = {
        let d = d.clone();
        tokio::task::spawn_blocking(move || sealed_patrol_signed(&d, (&d.volunteer, "8642"), (&d.leader, "13579"), 0, 20).0).await.expect("join")
    };
    let report = sync(&d).await.expect("sync");
    assert_eq!((report.accepted, report.refused), (2, 0), "the new key, then the patrol: {report:?}");
    assert_eq!(entry(&d, third).state, OutboxState::Sent);
    assert_eq!(entry(&d, second).state, OutboxState::Failed, "the refused one stays refused, by name");
    let keys = admin::list_keys(&db, team).await.expect("keys");
    assert_eq!(keys.iter().filter(|k| k.member_id == d.volunteer.id).count(), 2);
}

/// A key the county refuses takes what it signs with it: the patrol shows as refused (not
/// held for a key that will never land), and 重新发送 puts both back.
#[sqlx::test(migrations = false)]
async fn a_patrol_signed_with_a_refused_key_is_refused_with_it(pool: PgPool) {
    let (db, _team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = team_device(format!("http://{addr}"), code, fast()).await;
    let new = redvest_shared::team::ChangePin { member_id: d.volunteer.id, old_pin: "2468".into(), new_pin: "8642".into() };
    d.store.change_pin(&new, Utc::now()).expect("new PIN");
    // The old key's endorsement of the new one is damaged (here: in the phone's file).
    rusqlite::Connection::open(d.dir.path().join("redvest.sqlite3"))
        .and_then(|c| c.execute_batch("DROP TRIGGER key_record_no_update; UPDATE key_record SET endorsement = zeroblob(64) WHERE previous_key IS NOT NULL;"))
        .expect("damage the endorsement");
    let patrol = {
        let d = d.clone();
        tokio::task::spawn_blocking(move || sealed_patrol_signed(&d, (&d.volunteer, "8642"), (&d.leader, "13579"), 0, 20).0).await.expect("join")
    };
    let report = sync(&d).await.expect("the run itself goes through");
    assert_eq!((report.refused, report.held), (1, 0), "the key refused, nothing held: {report:?}");
    let e = entry(&d, patrol);
    assert_eq!((e.state, e.code), (OutboxState::Failed, Some(Refusal::KeyEndorsement)), "refused with its key");
    let status = d.store.sync_status(None, None, Utc::now()).expect("status");
    assert_eq!((status.refused.len(), status.waiting.len()), (2, 0), "both shown as refused: {status:?}");
    assert_eq!(d.store.resend_refused(Utc::now()).expect("resend"), 2, "重新发送 puts the key and the patrol back");
}

/// 赵敏, added on the phone as a second leader (a proposal the county has not confirmed), PIN
/// 5555.
fn second_leader_on_phone(d: &Device) -> redvest_shared::team::Member {
    d.store.unlock_settings(d.leader.id, "13579", Utc::now()).expect("李强 unlocks the settings");
    let zhao = d.store.add_member(&redvest_shared::team::NewMember { name: "赵敏".into(), role: redvest_shared::team::Role::Leader }).expect("add");
    d.store.create_key(zhao.id, "5555", Utc::now()).expect("key");
    zhao
}

/// Five patrols; the third is countersigned by a leader the county has not confirmed: the
/// other four land, the third waits as 待上传 (not refused), and once the clerk confirms
/// the leader it goes up by itself. The county's verification names a removed or altered
/// record all the same.
#[sqlx::test(migrations = false)]
async fn a_refused_record_in_the_middle_does_not_hold_back_the_rest(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = team_device(format!("http://{addr}"), code, fast()).await;
    let zhao = second_leader_on_phone(&d);
    let patrols = {
        let (d, zhao) = (d.clone(), zhao.clone());
        tokio::task::spawn_blocking(move || {
            (0..5)
                .map(|i| {
                    let leader = if i == 2 { (&zhao, "5555") } else { (&d.leader, "13579") };
                    sealed_patrol_signed(&d, (&d.volunteer, "2468"), leader, 0, 20).0
                })
                .collect::<Vec<_>>()
        })
        .await
        .expect("join")
    };
    let report = sync(&d).await.expect("sync");
    assert_eq!((report.refused, report.held), (0, 1), "{report:?}");
    for (i, p) in patrols.iter().enumerate() {
        let e = entry(&d, *p);
        if i == 2 {
            assert_eq!((e.state, e.code), (OutboxState::Pending, Some(Refusal::NotLeader)), "waits as 待上传");
        } else {
            assert_eq!(e.state, OutboxState::Sent, "patrol {i} landed");
        }
    }
    assert_eq!(patrols_held(&pool, team).await, 4);
    let findings = admin::verify_chains(&db, team).await.expect("verify");
    assert_eq!(findings.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![3], "the gap is named: {findings:?}");

    // The clerk confirms 赵敏 as a leader; the next run pulls the roster and sends the third.
    admin::confirm_member(&db, zhao.id, redvest_shared::team::Role::Leader).await.expect("confirm");
    let report = sync(&d).await.expect("sync");
    assert_eq!(report.accepted, 1, "{report:?}");
    assert_eq!(entry(&d, patrols[2]).state, OutboxState::Sent);
    assert!(admin::verify_chains(&db, team).await.expect("verify").is_empty(), "complete and intact");
    assert!(d.store.sync_status(None, None, Utc::now()).expect("status").waiting.is_empty());

    // Removed at the county, and altered at the county: both named by place.
    sqlx::query("DELETE FROM photo_ref WHERE record_id = $1").bind(patrols[1]).execute(&pool).await.expect("q");
    sqlx::query("DELETE FROM record WHERE id = $1").bind(patrols[1]).execute(&pool).await.expect("remove");
    sqlx::query("UPDATE record SET body = jsonb_set(body, '{canonical}', to_jsonb(replace(body->>'canonical', '场镇主街', '场镇后街'))) WHERE id = $1")
        .bind(patrols[3])
        .execute(&pool)
        .await
        .expect("alter");
    let findings = admin::verify_chains(&db, team).await.expect("verify");
    let named: Vec<_> = findings.iter().map(|f| (f.seq, f.problem.clone())).collect();
    assert_eq!(named, vec![(2, admin::ChainProblem::Missing), (4, admin::ChainProblem::RecordAltered)]);
}

/// A patrol countersigned by someone the county then confirms as a volunteer, not a leader:
/// it stops waiting and shows as refused, where the user can see it and act.
#[sqlx::test(migrations = false)]
async fn a_held_patrol_whose_cause_will_not_go_away_is_refused(pool: PgPool) {
    let (db, _team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = team_device(format!("http://{addr}"), code, fast()).await;
    let zhao = second_leader_on_phone(&d);
    let patrol = {
        let (d, zhao) = (d.clone(), zhao.clone());
        tokio::task::spawn_blocking(move || sealed_patrol_signed(&d, (&d.volunteer, "2468"), (&zhao, "5555"), 0, 20).0).await.expect("join")
    };
    sync(&d).await.expect("sync");
    assert_eq!(entry(&d, patrol).state, OutboxState::Pending, "waits for the county to confirm 赵敏");

    admin::confirm_member(&db, zhao.id, redvest_shared::team::Role::Volunteer).await.expect("confirm");
    sync(&d).await.expect("sync");
    let e = entry(&d, patrol);
    assert_eq!((e.state, e.code), (OutboxState::Failed, Some(Refusal::NotLeader)), "refused for good");
    let status = d.store.sync_status(None, None, Utc::now()).expect("status");
    assert_eq!((status.refused.len(), status.waiting.len()), (1, 0), "{status:?}");
}

/// The county revokes the phone; it enrols again with a new code: a new token, the same
/// chain, and nothing sent twice.
#[sqlx::test(migrations = false)]
async fn enrolling_the_same_phone_again_continues_its_chain(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let base = format!("http://{addr}");
    let d = team_device(base.clone(), code, fast()).await;
    seal(&d, 1).await;
    sync(&d).await.expect("sync");
    let before = d.store.sync_status(None, None, Utc::now()).expect("status").enrolled.expect("enrolled");
    admin::revoke_device(&db, before.device_id).await.expect("revoke");
    let (second, photos) = seal(&d, 1).await;
    assert!(matches!(sync(&d).await, Err(SyncFailure::Revoked(_))));
    d.store.record_sync_outcome(&Err(SyncFailure::Revoked("revoked".into())), Utc::now()).expect("record");
    assert!(d.store.sync_status(None, None, Utc::now()).expect("status").enrolled.expect("enrolled").revoked, "the sync page offers re-enrolment");

    let again = admin::issue_code(&db, team, Utc::now()).await.expect("code");
    enrol(&d, base, again).await.expect("enrol again");
    let after = d.store.sync_status(None, None, Utc::now()).expect("status").enrolled.expect("enrolled");
    assert!(!after.revoked && after.device_id != before.device_id);
    let report = sync(&d).await.expect("sync");
    assert_eq!((report.accepted, report.repeats, report.photos, report.refused), (1, 0, 1, 0), "only the new patrol and its photo: {report:?}");
    assert_eq!(entry(&d, second).state, OutboxState::Sent);
    county_holds(&db, &pool, team, &d, 2, &photos).await;
    assert!(admin::verify_chains(&db, team).await.expect("verify").is_empty(), "one chain, seq 1 and 2, across two tokens");
}

/// The team wrote its roster and PINs on the phone before it was enrolled; the county has the
/// same two people. The patrol waits (not refused) until the clerk merges the proposals; then
/// it lands, and both sides show each person once.
#[sqlx::test(migrations = false)]
async fn a_person_added_on_the_phone_and_at_the_county_is_one_member_after_the_merge(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let d = Arc::new(device()); // 王芳 and 李强 with keys, made on the phone
    let (patrol, _) = seal(&d, 0).await;
    enrol(&d, format!("http://{addr}"), code).await.expect("enrol");
    let report = sync(&d).await.expect("sync");
    assert_eq!(report.refused, 0, "{report:?}");
    let waiting = entry(&d, patrol);
    assert_eq!((waiting.state, waiting.code), (OutboxState::Pending, Some(Refusal::NotLeader)), "waits for the county to confirm its leader");
    let names = |ms: Vec<redvest_shared::team::Member>| { let mut n: Vec<_> = ms.into_iter().map(|m| m.name).collect(); n.sort(); n };
    assert_eq!(names(d.store.list_members().expect("members")), vec!["李强", "李强", "王芳", "王芳"], "both sides' entries, before the clerk acts");

    let rows = admin::list_members(&db, team).await.expect("members");
    for (proposal, name) in [(d.leader.id, "李强"), (d.volunteer.id, "王芳")] {
        assert!(rows.iter().any(|m| m.id == proposal && m.status == "proposed"), "{name} proposed under the phone's id");
        let existing = rows.iter().find(|m| m.name == name && m.status == "active").expect("on the county's roster").id;
        admin::merge_member(&db, proposal, existing).await.expect("merge");
    }
    let report = sync(&d).await.expect("sync");
    assert_eq!(report.accepted, 1, "the held patrol went by itself: {report:?}");
    assert_eq!(entry(&d, patrol).state, OutboxState::Sent);
    let members = d.store.list_members().expect("members");
    assert_eq!(names(members.clone()), vec!["李强", "王芳"], "one of each on the phone");
    assert!(members.iter().all(|m| m.confirmed && m.has_key), "the county's members, holding the phone's keys: {members:?}");
    let active: Vec<_> = admin::list_members(&db, team).await.expect("members").into_iter().filter(|m| m.status != "merged").map(|m| m.name).collect();
    assert_eq!(active.len(), 2, "one of each at the county: {active:?}");
    // Its signatures name the proposals; the page and the volume count them as the members'.
    let sheet = read_sheet(&db, team, patrol).await;
    assert!(sheet.verified(), "{:?}", sheet.verification);
}

/// A patrol as the console's page and the bound volume read it.
async fn read_sheet(db: &Db, team: Uuid, patrol: Uuid) -> redvest_county::sheet::Sheet {
    let row = db.patrol_page(patrol, None).await.expect("page").expect("held");
    redvest_county::sheet::Sheet::read(&row, &db.team_keys(team).await.expect("keys")).expect("reads")
}

/// 一键报警: a rapid report is stored once (201, then 200 for the same again), the same id
/// with other content is a conflict, and a report that makes no sense (an implausible spot,
/// no reporter) is refused as malformed naming the field; none of those is stored.
#[sqlx::test(migrations = false)]
async fn a_rapid_report_is_stored_once_and_a_senseless_one_is_refused(pool: PgPool) {
    use redvest_shared::observation::Spot;
    use redvest_shared::rapid::{RapidKind, RapidReport};

    let (db, team, code) = county(pool.clone()).await;
    let (addr, _server) = serve(db.clone()).await;
    let base = format!("http://{addr}");
    let d = team_device(base.clone(), code, fast()).await;
    let token = token_of(&d);
    let at = Utc::now();
    let report = RapidReport {
        kind: RapidKind::Fire,
        at,
        reporter: "王芳".into(),
        patrol: Some(Uuid::now_v7()),
        spot: Some(Spot::new(26.5801, 106.7123, 7.2, at - chrono::Duration::minutes(2))),
    };
    let record = common::rapid_record(report.clone());
    let first = common::push_records(&base, &token, vec![record.clone()]).await;
    assert_eq!((first[0].status, first[0].outcome), (201, PushOutcome::Accepted), "{:?}", first[0]);
    let again = common::push_records(&base, &token, vec![record.clone()]).await;
    assert_eq!((again[0].status, again[0].outcome), (200, PushOutcome::Repeat));

    let other = RecordBody::Rapid(RapidReport { kind: RapidKind::Injury, ..report.clone() });
    let conflict = common::push_records(&base, &token, vec![PushRecord { id: record.id, content_sha256: content_sha256(&other), body: other }]).await;
    assert_eq!((conflict[0].status, conflict[0].outcome, conflict[0].code), (409, PushOutcome::Conflict, Some(Refusal::Conflict)));

    let nowhere = common::rapid_record(RapidReport { spot: Some(Spot::new(0.0, 0.0, 5.0, at)), ..report.clone() });
    let nobody = common::rapid_record(RapidReport { reporter: "  ".into(), ..report.clone() });
    let refused = common::push_records(&base, &token, vec![nowhere, nobody]).await;
    assert_eq!((refused[0].status, refused[0].outcome, refused[0].code), (422, PushOutcome::Rejected, Some(Refusal::Malformed)));
    assert!(refused[0].reason.as_deref().is_some_and(|r| r.contains("spot")), "{:?}", refused[0].reason);
    assert_eq!((refused[1].status, refused[1].code), (422, Some(Refusal::Malformed)));
    assert!(refused[1].reason.as_deref().is_some_and(|r| r.contains("reporter")), "{:?}", refused[1].reason);

    // Held once, as sent; the patrol it names is not one the county holds (yet).
    let (held, total) = db.rapid_reports(team, 50).await.expect("rapid reports");
    assert_eq!(total, 1);
    assert_eq!((held[0].id, &held[0].report, held[0].patrol_held), (record.id, &report, false));
}
