//! Abuse: guessing enrolment codes or tokens from one address is turned away without
//! touching other addresses or devices with good tokens; a team's photos stop at its quota
//! while its phones go on syncing everything else.

mod common;

use common::{base_url, county, sealed_patrol, serve_with, team_device, token_of};
use redvest_core::sync::SyncOptions;
use redvest_county::app::Limits;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;


#[sqlx::test(migrations = false)]
async fn guessing_from_one_address_is_cut_off_and_nobody_else_is(pool: PgPool) {
    let (db, _, code) = county(pool).await;
    let base = base_url(db).await;
    let http = reqwest::Client::new();
    // Behind the county's own reverse proxy: the client's address comes in X-Forwarded-For.
    let enrol = |from: &'static str, code: String| {
        let from = from.to_owned();
        http.post(format!("{base}/api/v1/enrol"))
            .header("X-Forwarded-For", from)
            .json(&json!({"code": code, "device_name": "猜码的", "chain_id": Uuid::now_v7()}))
            .send()
    };
    let mut statuses = Vec::new();
    for i in 0..62 {
        statuses.push(enrol("203.0.113.7", format!("0000-0000-{i:04}")).await.expect("post").status().as_u16());
    }
    assert!(statuses[..61].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[61], 429, "past 60 wrong codes the address is turned away");
    assert_eq!(enrol("203.0.113.7", code.clone()).await.expect("post").status(), 429, "even with a right code: the code is not looked at");
    // A forged first entry does not change who is counted: the proxy's own entry is last.
    assert_eq!(enrol("10.9.9.9, 203.0.113.7", code.clone()).await.expect("post").status(), 429);
    assert_eq!(enrol("203.0.113.8", "0000-0000-9999".into()).await.expect("post").status(), 401, "another address is not affected");

    // Unknown tokens from one address; a device with a good token there still works.
    let d = team_device(base.clone(), code, SyncOptions::default()).await;
    let pull = |from: &'static str, token: String| http.get(format!("{base}/api/v1/pull?after=0")).header("X-Forwarded-For", from).bearer_auth(token).send();
    let mut answers = Vec::new();
    for i in 0..62 {
        let r = pull("198.51.100.9", format!("guess-{i}")).await.expect("get");
        let status = r.status().as_u16();
        answers.push((status, r.json::<serde_json::Value>().await.expect("json")["error"].as_str().unwrap_or_default().to_owned()));
    }
    assert!(answers[..61].iter().all(|(s, e)| *s == 401 && e == "unauthorized"), "{answers:?}");
    assert_eq!(answers[61], (401, "rate_limited".to_owned()), "turned away without a lookup; still 401, as for any unknown token");
    assert_eq!(pull("198.51.100.9", token_of(&d)).await.expect("get").status(), 200, "a good token behind the same NAT is never cut off");
}

#[sqlx::test(migrations = false)]
async fn a_teams_photos_stop_at_its_quota(pool: PgPool) {
    let (db, _, code) = county(pool.clone()).await;
    let (addr, _server) = serve_with(db, Limits { team_upload_bytes: 50_000, ..Default::default() }).await;
    let base = format!("http://{addr}");
    let d = team_device(base.clone(), code, SyncOptions::default()).await;
    let (patrol, _, photos) = {
        let d = d.clone();
        tokio::task::spawn_blocking(move || sealed_patrol(&d, 1, 20)).await.expect("join")
    };
    // The app sends the keys and the record that names the photo; the photo itself is refused.
    {
        let d = d.clone();
        let report = tokio::task::spawn_blocking(move || redvest_core::sync::sync_once(&d.store, SyncOptions::default(), &|_| {}))
            .await
            .expect("join")
            .expect("the run goes on past the refused photo");
        assert!(report.pulled > 0, "and pulls what the county published: {report:?}");
    }
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM record WHERE id = $1").bind(patrol).fetch_one(&pool).await.expect("q");
    assert_eq!(held, 1, "the record itself is taken");
    assert_eq!(d.store.photo_backlog().expect("backlog").count, 1, "the photo waits on the phone");
    let http = reqwest::Client::new();
    let token = token_of(&d);
    let size = d.store.photo_bytes(&photos[0], false).expect("photo").len();
    assert!(size > 50_000, "the photo is over the tiny quota ({size} B)");
    let meta = format!("sha256 {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &photos[0]));
    let created = http
        .post(format!("{base}/api/v1/photos"))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", size.to_string())
        .header("Upload-Metadata", meta)
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), 409, "like a photo not taken yet: the phone keeps it and goes on");
    let answer: serde_json::Value = created.json().await.expect("json");
    assert_eq!(answer["error"], "team_quota");
}
