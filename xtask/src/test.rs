//! `cargo xtask test`: every test, with the services they need started here.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use anyhow::{Context, Result};

use crate::display::Xvfb;
use crate::postgres::{self, Cluster};
use crate::{cargo, setup, ui};

/// Installs what is missing, builds the UI and the app, starts PostgreSQL and Xvfb, runs
/// `cargo test` over the workspace, and ends with one summary line.
pub fn test(extra: &[String]) -> Result<()> {
    setup::ensure()?;
    setup::ensure_outside_clients()?;
    ui::build()?;
    let app = cargo::build_app_and_county()?;

    // A throwaway cluster per run, unless DATABASE_URL names one.
    let pg_dir = tempfile::Builder::new().prefix("redvest-pg-").tempdir()?;
    let (database_url, _cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let cluster = Cluster::start(pg_dir.path(), postgres::free_port()?)?;
            (cluster.url(), Some(cluster))
        }
    };
    let xvfb = Xvfb::start()?;
    let artifacts = cargo::target_dir()?.join("artifacts");

    // `-- -p NAME` narrows the run to those packages; otherwise every one but the wasm UI.
    let picks_packages = extra.iter().any(|a| a == "-p" || a.starts_with("--package"));
    let scope: &[&str] = if picks_packages { &[] } else { &["--workspace", "--exclude", "redvest-ui"] };
    let mut child = cargo::cargo()?
        .arg("test")
        .args(scope)
        .args(extra)
        .env("DATABASE_URL", &database_url)
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("REDVEST_APP_BIN", &app)
        .env("TAURI_DRIVER", setup::tauri_driver()?)
        .env("REDVEST_ARTIFACTS", &artifacts)
        .env("REDVEST_TOOLS", setup::tools_dir()?)
        .stdout(Stdio::piped())
        .spawn()
        .context("running cargo test")?;

    // Pass the output through, adding up every test binary's result line.
    let mut totals = Totals::default();
    let stdout = child.stdout.take().context("cargo test stdout")?;
    let mut out = std::io::stdout().lock();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        totals.add(&line);
        writeln!(out, "{line}")?;
    }
    let status = child.wait()?;
    drop(xvfb);
    eprintln!("xtask: screenshots and other artifacts are in {}", artifacts.display());
    writeln!(out, "summary: {} passed, {} failed, {} skipped", totals.passed, totals.failed, totals.ignored)?;
    crate::check(status, "cargo test")
}

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Totals {
    /// Adds a `test result: ok. 3 passed; 0 failed; 1 ignored; …` line; ignores others.
    fn add(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else { return };
        for part in rest.split(['.', ';']) {
            let mut words = part.split_whitespace();
            let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
            let Ok(n) = n.parse::<u64>() else { continue };
            match what {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Totals;

    #[test]
    fn adds_up_result_lines() {
        let mut t = Totals::default();
        t.add("test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        t.add("test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.50s");
        t.add("running 3 tests");
        assert_eq!((t.passed, t.failed, t.ignored), (4, 2, 1));
    }
}
