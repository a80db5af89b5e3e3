//! `cargo xtask bench NAME`: each benchmark is an optimised example binary of the crate it
//! measures; its stdout (JSON lines) passes through untouched.

use anyhow::{bail, Context, Result};

/// Benchmarks by name: (package, example).
const BENCHES: &[(&str, &str, &str)] = &[("track", "redvest-core", "bench_track"), ("photo", "redvest-core", "bench_photo")];

/// Builds and runs the benchmark `name`.
pub fn bench(name: &str) -> Result<()> {
    let Some((_, package, example)) = BENCHES.iter().find(|(n, _, _)| *n == name) else {
        let names: Vec<_> = BENCHES.iter().map(|(n, _, _)| *n).collect();
        bail!("no benchmark called {name:?}; there are: {}", names.join(", "));
    };
    let status = crate::cargo::cargo()?
        .args(["run", "--quiet", "--release", "-p", package, "--example", example])
        .status()
        .context("running the benchmark")?;
    crate::check(status, &format!("benchmark {name}"))
}
