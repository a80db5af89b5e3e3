//! `cargo xtask <command>`: install what is missing, build, run, test.

mod bench;
mod cargo;
mod display;
mod postgres;
mod setup;
mod test;
mod ui;
mod run;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Redvest's build, run and test commands")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install what is missing, build, and open the app with a local county endpoint.
    Run,
    /// Install what is missing and run every test: unit, county + PostgreSQL, end to end.
    Test {
        /// Extra arguments for `cargo test` (after `--`), e.g. a test name filter.
        #[arg(last = true)]
        cargo_args: Vec<String>,
    },
    /// Build the UI (wasm + JS glue + assets) into dist/.
    Ui,
    /// Install the system packages, the wasm target and tauri-driver, if missing.
    Setup,
    /// Run a benchmark: JSON lines on stdout, one per case (names: track).
    Bench {
        /// Which benchmark.
        name: String,
    },
}

fn main() {
    let result = match Cli::parse().command {
        Cmd::Run => run::run(),
        Cmd::Test { cargo_args } => test::test(&cargo_args),
        Cmd::Ui => setup::ensure().and_then(|()| ui::build()),
        Cmd::Setup => setup::ensure(),
        Cmd::Bench { name } => bench::bench(&name),
    };
    if let Err(e) = result {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(1);
    }
}

/// An error naming `what` unless the process succeeded.
pub(crate) fn check(status: std::process::ExitStatus, what: &str) -> Result<()> {
    anyhow::ensure!(status.success(), "{what} failed ({status})");
    Ok(())
}
