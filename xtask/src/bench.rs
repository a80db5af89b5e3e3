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
