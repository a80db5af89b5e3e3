//! `cargo xtask bench NAME`: each benchmark is an optimised example binary of the crate it
//! measures; its stdout (JSON lines) passes through untouched.

use anyhow::{bail, Context, Result};

/// Benchmarks by name: (package, example).
const BENCHES: &[(&str, &str, &str)] = &[
    ("track", "redvest-core", "bench_track"),
    ("photo", "redvest-core", "bench_photo"),
    ("sync", "redvest-county", "bench_sync"),
    ("qr", "redvest-core", "bench_qr"),
    ("county", "redvest-county", "bench_county"),
    ("county-load", "redvest-county", "bench_county_load"),
    // The 月报 over the same generated county year (its `county_month` case only).
    ("reports", "redvest-county", "bench_county"),
    // The UI's wasm as shipped and the release app's cold start (see `ui_app`).
    ("ui", "redvest-e2e", "bench_ui"),
];

/// Builds and runs the benchmark `name`.
pub fn bench(name: &str) -> Result<()> {
    let Some((_, package, example)) = BENCHES.iter().find(|(n, _, _)| *n == name) else {
        let names: Vec<_> = BENCHES.iter().map(|(n, _, _)| *n).collect();
        bail!("no benchmark called {name:?}; there are: {}", names.join(", "));
    };
    // The county's benchmarks run it against a throwaway PostgreSQL, like the tests.
    let pg_dir = tempfile::Builder::new().prefix("redvest-bench-pg-").tempdir()?;
    let cluster = if *package == "redvest-county" {
        crate::setup::ensure()?;
        Some(crate::postgres::Cluster::start(pg_dir.path(), crate::postgres::free_port()?)?)
    } else {
        None
    };
    let mut command = crate::cargo::cargo()?;
    let _xvfb = if name == "ui" {
        let (command_for_ui, xvfb) = ui_app()?;
        command = command_for_ui;
        Some(xvfb)
    } else {
        None
    };
    command.args(["run", "--quiet", "--release", "-p", package, "--example", example]);
    if let Some(cluster) = &cluster {
        command.env("DATABASE_URL", cluster.url());
    }
    if name == "reports" {
        command.env("REDVEST_BENCH_CASES", "county_month,volume_month");
    }
    let status = command.status().context("running the benchmark")?;
    crate::check(status, &format!("benchmark {name}"))
}

/// For `bench ui`: the UI built as shipped, the app built for release around it, and an Xvfb
/// to open it on; returns the cargo command with the environment the example needs.
fn ui_app() -> Result<(std::process::Command, crate::display::Xvfb)> {
    crate::setup::ensure()?;
    crate::ui::build()?;
    let status = crate::cargo::cargo()?
        .args(["build", "--release", "-p", "redvest-app"])
        .status()
        .context("building the release app")?;
    crate::check(status, "cargo build --release of the app")?;
    let xvfb = crate::display::Xvfb::start()?;
    let mut command = crate::cargo::cargo()?;
    command
        .env("REDVEST_APP_BIN", crate::cargo::target_dir()?.join("release").join("redvest"))
        .env("TAURI_DRIVER", crate::setup::tauri_driver()?)
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY");
    Ok((command, xvfb))
}
