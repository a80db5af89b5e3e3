//! Every row is its team's: a device of team B tries team A's ids and hashes on every route
//! (push, pull, tus create / head / patch, photo fetch, hazard events, keys) and is refused
//! or served only its own; team A's data and upload progress are unchanged, and A's photo,
//! which B tried to create first with a wrong length and to fill with junk, still arrives
//! byte-identical.

mod common;

use chrono::Utc;
use common::{base_url, county, sealed_patrol, team_device, token_of};
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::admin;
use redvest_shared::hazard::HazardState;
use redvest_shared::team::Role;
use redvest_shared::wire::{content_sha256, HazardEventPush, KeyPush, PushBatch, PushRecord, PushResults, RecordBody, Refusal};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrations = false)]
async fn a_device_of_another_team_cannot_read_or_disturb_a_teams_rows(pool: PgPool) {
    let (db, team_a, code_a) = county(pool.clone()).await;
    let team_b = admin::create_team(&db, "河西镇巡防队").await.expect("team B");
    admin::add_member(&db, team_b, "李强", Role::Leader, None).await.expect("leader");
    admin::add_member(&db, team_b, "王芳", Role::Volunteer, None).await.expect("volunteer");
    let code_b = admin::issue_code(&db, team_b, Utc::now()).await.expect("code");
    let base = base_url(db.clone()).await;
    let (a, b) = (team_device(base.clone(), code_a, SyncOptions::default()).await, team_device(base.clone(), code_b, SyncOptions::default()).await);
    let sync = |d: std::sync::Arc<redvest_core::fixtures::Device>| async move {
        tokio::task::spawn_blocking(move || sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("sync")).await.expect("join")
    };
    // A seals a patrol with a photo but has not synced it; B has its own patrol at the county.
    let (patrol_a, hazard_a, photos_a) = {
        let a = a.clone();
        tokio::task::spawn_blocking(move || sealed_patrol(&a, 1, 20)).await.expect("join")
    };
    let sha = photos_a[0].clone();
    let (patrol_b, _, _) = {
        let b = b.clone();
        tokio::task::spawn_blocking(move || sealed_patrol(&b, 0, 20)).await.expect("join")
    };
    sync(b.clone()).await;
    // B's own record names A's photo's hash (it may know the hash: it is no secret).
    sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3)").bind(team_b).bind(&sha).bind(patrol_b).execute(&pool).await.expect("ref");

    let http = reqwest::Client::new();
    let token_b = token_of(&b);
    let tus = |method: reqwest::Method, path: String| http.request(method, format!("{base}{path}")).bearer_auth(&token_b).header("Tus-Resumable", "1.0.0");
    // B creates "A's" upload first, with a wrong length, and fills it with junk.
    let meta = format!("sha256 {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &sha));
    let created = tus(reqwest::Method::POST, "/api/v1/photos".into()).header("Upload-Length", "10").header("Upload-Metadata", &meta).send().await.expect("post");
    assert_eq!(created.status(), 201, "B's own upload of that hash");
    let patched = tus(reqwest::Method::PATCH, format!("/api/v1/photos/{sha}"))
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(vec![0u8; 10])
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 422, "junk does not have the hash");

    // A syncs: its record, then its photo, untouched by B's attempts.
    let report = sync(a.clone()).await;
    assert_eq!((report.refused, report.photos), (0, 1), "{report:?}");
    let held = db.upload(team_a, &sha).await.expect("q").expect("A's upload");
    assert!(held.complete, "A's photo complete");
    assert_eq!(db.upload_bytes(team_a, &sha).await.expect("q").expect("bytes"), a.store.photo_bytes(&sha, false).expect("local"), "byte-identical");

    // B asks after it: its own (reset) upload, never A's offset or bytes.
    let head = tus(reqwest::Method::HEAD, format!("/api/v1/photos/{sha}")).send().await.expect("head");
    assert_eq!(head.headers().get("Upload-Length").and_then(|v| v.to_str().ok()), Some("10"), "B sees only its own upload");
    assert_eq!(head.headers().get("Upload-Offset").and_then(|v| v.to_str().ok()), Some("0"));
    let fetched = http.get(format!("{base}/api/v1/photos/{sha}")).bearer_auth(&token_b).send().await.expect("get");
    assert_eq!(fetched.status(), 404, "A's photo is not B's to read");
    let junk = tus(reqwest::Method::PATCH, format!("/api/v1/photos/{sha}"))
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(vec![1u8; 10])
        .send()
        .await
        .expect("patch");
    assert_eq!(junk.status(), 422);
    assert!(db.upload(team_a, &sha).await.expect("q").is_some_and(|u| u.complete && u.received == held.length), "A's progress unchanged");

    // Push: A's hazard, A's leader's key, A's record id — each refused; A's rows unchanged.
    let key_a: Vec<u8> = sqlx::query_scalar("SELECT public_key FROM signer_key WHERE team_id = $1 LIMIT 1").bind(team_a).fetch_one(&pool).await.expect("A's key");
    let record = |id: Uuid, body: RecordBody| PushRecord { id, content_sha256: content_sha256(&body), body };
    let event = RecordBody::HazardEvent(HazardEventPush {
        hazard_id: hazard_a,
        at: Utc::now(),
        by_name: "李强".into(),
        state: HazardState::Closed,
        reason: "不是我们队的".into(),
        responsible: None,
        deadline: None,
    });
    let key = RecordBody::Key(KeyPush { member_id: b.leader.id, public_key: hex::encode(&key_a), created_at: Utc::now(), previous_key: None, endorsement: None });
    let records = vec![record(Uuid::now_v7(), event.clone()), record(Uuid::now_v7(), key), record(patrol_a, event)];
    let results = http.post(format!("{base}/api/v1/push")).bearer_auth(&token_b).json(&PushBatch { records }).send().await.expect("push");
    let results = results.json::<PushResults>().await.expect("json").results;
    let codes: Vec<_> = results.iter().map(|r| (r.status, r.code)).collect();
    assert_eq!(codes, [(422, Some(Refusal::NotTeamHazard)), (409, Some(Refusal::Conflict)), (409, Some(Refusal::Conflict))], "{results:?}");
    let state: String = sqlx::query_scalar("SELECT state FROM hazard WHERE id = $1").bind(hazard_a).fetch_one(&pool).await.expect("q");
    assert_eq!(state, "escalated", "A's hazard as A left it");
    let owner: Uuid = sqlx::query_scalar("SELECT team_id FROM signer_key WHERE public_key = $1").bind(&key_a).fetch_one(&pool).await.expect("q");
    assert_eq!(owner, team_a);
    let kind: String = sqlx::query_scalar("SELECT kind FROM record WHERE id = $1").bind(patrol_a).fetch_one(&pool).await.expect("q");
    assert_eq!(kind, "patrol", "A's record as A sent it");

    // Pull: B's feed says nothing of A's patrol.
    let feed = http.get(format!("{base}/api/v1/pull?after=0&limit=500")).bearer_auth(&token_b).send().await.expect("pull").text().await.expect("text");
    assert!(!feed.contains(&patrol_a.to_string()) && !feed.contains(&hazard_a.to_string()), "B's feed holds nothing of A's");
}
