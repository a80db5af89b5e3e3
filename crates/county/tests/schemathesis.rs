//! The API document is judged by an outside client: `schemathesis` (PyPI, installed by
//! `cargo xtask test`) reads `/api/v1/openapi.json` from the running county and sends what the
//! document allows and what it forbids, with an enrolled device's token, every check on and a
//! bounded number of examples per operation. Any failure fails this test with its report.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{county, serve, team_device, token_of};
use redvest_core::sync::SyncOptions;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn schemathesis_finds_nothing_against_the_api_document(pool: PgPool) {
    let tools = common::tools();
    let (db, _, code) = county(pool).await;
    let (addr, _server) = serve(db).await;
    let phone = team_device(format!("http://{addr}"), code, SyncOptions::default()).await;
    let token = token_of(&phone);
    let report = tempfile::tempdir().expect("report dir");
    let mut run = Command::new(tools.join("py/bin/schemathesis"));
    run.current_dir(report.path())
        .arg("run")
        .arg(format!("http://{addr}/api/v1/openapi.json"))
        .args(["--url", &format!("http://{addr}")])
        .args(["--checks", "all", "--max-examples", "25", "--no-color", "--workers", "1"])
        // A fixed seed, so a run is repeatable; another one to explore with.
        .args(["--seed", &std::env::var("REDVEST_SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261202".into())])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // The one addition to its defaults: a serializer for tus's `application/offset+octet-stream`.
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("NO_COLOR", "1");
    let out = tokio::task::spawn_blocking(move || run.output().expect("schemathesis")).await.expect("join");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if let Some(dir) = std::env::var_os("REDVEST_ARTIFACTS").map(PathBuf::from) {
        let _ = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join("schemathesis.txt"), &text));
    }
    assert!(out.status.success(), "schemathesis found failures:\n{text}");
}
