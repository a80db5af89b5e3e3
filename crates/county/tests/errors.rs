//! Database failures are told apart in one place: a refused row is a conflict (409) or a
//! broken rule (422) for the caller to answer; only a database that cannot be reached is 503.

mod common;

use redvest_county::photos::PhotoStore;
use axum::http::StatusCode;
use redvest_county::db::DbError;
use redvest_county::error::Failure;
use redvest_county::Db;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn constraint_violations_and_an_unreachable_database_are_told_apart(pool: PgPool) {
    let db = Db::from_pool(pool.clone(), PhotoStore::memory());
    db.migrate().await.expect("migrate");
    db.add_clerk("zhangli", "张丽", "x", None, false).await.expect("first");
    let twice = db.add_clerk("zhangli", "张丽", "x", None, false).await.expect_err("the same login twice");
    assert!(matches!(&twice, DbError::Conflict(c) if c.contains("login")), "{twice:?}");
    assert_eq!(Failure::from(twice).0, StatusCode::CONFLICT);
    let empty = db.create_township("").await.expect_err("a township needs a name");
    assert!(matches!(&empty, DbError::Invalid(c) if c.contains("name")), "{empty:?}");
    assert_eq!(Failure::from(empty).0, StatusCode::UNPROCESSABLE_ENTITY);
    pool.close().await;
    let gone = db.townships(None).await.expect_err("the pool is closed");
    assert!(matches!(gone, DbError::Unavailable(_)), "{gone:?}");
    let answer = Failure::from(gone);
    assert_eq!(answer.0, StatusCode::SERVICE_UNAVAILABLE);
    let internal = Failure::internal("task 7 panicked at src/secret.rs:12");
    assert_eq!(internal.0, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!internal.1.message.contains("secret.rs"), "internals are logged, not sent");
}

/// A client that stalls mid-request is answered 408 when the timeout runs out, and holds
/// nothing after.
#[sqlx::test(migrations = false)]
async fn a_stalled_request_times_out(pool: PgPool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = Db::from_pool(pool, PhotoStore::memory());
    db.migrate().await.expect("migrate");
    let limits = redvest_county::app::Limits { request_timeout: std::time::Duration::from_secs(1), ..Default::default() };
    let (addr, _server) = common::serve_with(db, limits).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    // Half a body, then nothing.
    stream
        .write_all(b"POST /api/v1/enrol HTTP/1.1\r\nHost: county\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\":")
        .await
        .expect("write");
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut answer)).await.expect("an answer, not a hang").expect("read");
    let head = String::from_utf8_lossy(&answer[..n]);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(head.contains("request_timeout"), "{head}");
}
