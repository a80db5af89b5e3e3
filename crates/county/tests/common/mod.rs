//! Shared by the sync tests: a county on loopback, a device with a sealed patrol, a proxy.

#![allow(dead_code, unused_imports)]

pub mod proxy;

use redvest_county::photos::PhotoStore;
use std::net::SocketAddr;

use chrono::Utc;
pub use redvest_core::fixtures::{device, enrolled_device, sealed_patrol, Device};
use redvest_core::sync::SyncOptions;
use redvest_county::app::{app_with, Limits};
use redvest_county::{admin, app, Db};
use redvest_shared::team::Role;
use uuid::Uuid;

/// Serves the county on a free port; returns its address and the server task.
pub async fn serve(db: Db) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    serve_with(db, Limits::default()).await
}

/// [`serve`] with other limits.
pub async fn serve_with(db: Db, limits: Limits) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app_with(db, limits).into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (addr, task)
}

/// Serves the county for the rest of the test; returns its base URL.
pub async fn base_url(db: Db) -> String {
    let (addr, server) = serve(db).await;
    std::mem::forget(server);
    format!("http://{addr}")
}

/// Serves again on the same address (after the first server was killed).
pub async fn serve_at(db: Db, addr: SocketAddr) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.expect("rebind");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app(db).into_make_service_with_connect_info::<SocketAddr>()).await;
    })
}

/// A phone of the team, set up in the order users take: enrolled, roster pulled, then PINs.
pub async fn team_device(server: String, code: String, options: SyncOptions) -> std::sync::Arc<Device> {
    let d = tokio::task::spawn_blocking(move || enrolled_device(&server, &code, options)).await.expect("join").expect("enrolled device");
    std::sync::Arc::new(d)
}

/// Where `cargo xtask test` installed the outside clients (tuspy, schemathesis, moto,
/// tus-js-client).
pub fn tools() -> std::path::PathBuf {
    std::env::var_os("REDVEST_TOOLS").map(std::path::PathBuf::from).expect("REDVEST_TOOLS: run through `cargo xtask test`, which installs the outside clients")
}

/// A phone of the team whose sealed patrol (no photos) is at the county: a record that
/// tests then make name the photos they upload.
pub async fn phone_with_patrol(server: String, code: String) -> (std::sync::Arc<Device>, Uuid) {
    let phone = team_device(server, code, SyncOptions::default()).await;
    let p = phone.clone();
    let patrol = tokio::task::spawn_blocking(move || {
        let (patrol, _, _) = sealed_patrol(&p, 0, 20);
        redvest_core::sync::sync_once(&p.store, SyncOptions::default(), &|_| {}).expect("sync");
        patrol
    })
    .await
    .expect("join");
    (phone, patrol)
}

/// A migrated county with one team (李强 leader, 王芳 volunteer); returns the team and a fresh enrolment code.
pub async fn county(pool: sqlx::PgPool) -> (Db, Uuid, String) {
    county_with(pool, PhotoStore::memory()).await
}

/// [`county`] keeping photo bytes in `photos`.
pub async fn county_with(pool: sqlx::PgPool, photos: PhotoStore) -> (Db, Uuid, String) {
    let db = Db::from_pool(pool, photos);
    db.migrate().await.expect("migrate");
    let team = admin::create_team(&db, "城关镇红马甲巡防队").await.expect("team");
    admin::add_member(&db, team, "李强", Role::Leader, None).await.expect("leader");
    admin::add_member(&db, team, "王芳", Role::Volunteer, None).await.expect("volunteer");
    let code = admin::issue_code(&db, team, Utc::now()).await.expect("code");
    (db, team, code)
}


/// The device's bearer token, read from its store (tests call the API directly with it).
pub fn token_of(d: &Device) -> String {
    let conn = rusqlite::Connection::open(d.dir.path().join("redvest.sqlite3")).expect("open");
    conn.query_row("SELECT json_extract(value, '$.token') FROM setting WHERE key = 'sync.enrolment'", [], |r| r.get(0)).expect("token")
}

/// Pushes `records` as the device with `token` would; the results, one per record.
pub async fn push_records(base: &str, token: &str, records: Vec<redvest_shared::wire::PushRecord>) -> Vec<redvest_shared::wire::PushResult> {
    let r = reqwest::Client::new().post(format!("{base}/api/v1/push")).bearer_auth(token).json(&redvest_shared::wire::PushBatch { records }).send().await.expect("post");
    let status = r.status();
    let text = r.text().await.expect("body");
    assert_eq!(status, 200, "a push is answered per record: {text}");
    serde_json::from_str::<redvest_shared::wire::PushResults>(&text).expect("json").results
}

/// A rapid report (一键报警) as a push record with a fresh id.
pub fn rapid_record(report: redvest_shared::rapid::RapidReport) -> redvest_shared::wire::PushRecord {
    let body = redvest_shared::wire::RecordBody::Rapid(report);
    redvest_shared::wire::PushRecord { id: Uuid::now_v7(), content_sha256: redvest_shared::wire::content_sha256(&body), body }
}

/// The newest roster the county published for the device with `token`, as a phone pulls it.
pub async fn pulled_roster(base: &str, token: &str) -> Vec<redvest_shared::wire::RosterMember> {
    let http = reqwest::Client::new();
    let (mut after, mut roster) = (0, None);
    loop {
        let page: redvest_shared::wire::PullPage =
            http.get(format!("{base}/api/v1/pull?after={after}")).bearer_auth(token).send().await.expect("pull").json().await.expect("a pull page");
        for item in page.items {
            if let redvest_shared::wire::Published::Roster { members, .. } = item.body {
                roster = Some(members);
            }
        }
        after = page.next;
        if !page.more {
            return roster.expect("a roster is published");
        }
    }
}
