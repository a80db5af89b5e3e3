//! `/healthz` served over real TCP, against a real PostgreSQL started by the test harness.

use redvest_county::photos::PhotoStore;
use redvest_county::{app, Db};
use redvest_shared::wire::{DatabaseStatus, Health};
use sqlx::PgPool;

async fn serve(db: Db) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app(db)).await });
    format!("http://{addr}")
}

#[sqlx::test(migrations = false)]
async fn healthz_reports_version_and_database(pool: PgPool) {
    let db = Db::from_pool(pool.clone(), PhotoStore::memory());
    db.migrate().await.expect("county migrations apply");
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'team'")
        .fetch_one(&pool)
        .await
        .expect("query");
    assert_eq!(tables, 1, "migrations created the team table");

    let base = serve(db).await;
    let resp = reqwest::get(format!("{base}/healthz")).await.expect("request");
    assert_eq!(resp.status(), 200);
    let health: Health = resp.json().await.expect("json");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(health.database, DatabaseStatus::Ok);
}

#[tokio::test]
async fn healthz_says_when_database_is_down() {
    // Nothing listens on port 1; the pool is lazy so the server still starts.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(2))
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .expect("lazy pool");
    let base = serve(Db::from_pool(pool, PhotoStore::memory())).await;
    let resp = reqwest::get(format!("{base}/healthz")).await.expect("request");
    assert_eq!(resp.status(), 503);
    let health: Health = resp.json().await.expect("json");
    assert_eq!(health.database, DatabaseStatus::Unavailable);
}
