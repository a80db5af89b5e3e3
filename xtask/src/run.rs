//! `cargo xtask run`: the app, with a county endpoint and its PostgreSQL, on this machine.

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::postgres::Cluster;
use crate::{cargo, display, setup, ui};

/// The dev cluster's port (a private cluster under `.redvest/pg`).
const PG_PORT: u16 = 54329;
const COUNTY_LISTEN: &str = "127.0.0.1:8787";

/// Builds everything, starts PostgreSQL and the county endpoint, opens the app, and
/// stops what it started when the app window closes.
pub fn run() -> Result<()> {
    if !display::available() {
        bail!(
            "no display: DISPLAY is not set, so the app window has nowhere to open. \
             On a machine without a screen run it under a virtual one: xvfb-run -a cargo xtask run"
        );
    }
    setup::ensure()?;
    ui::build()?;
    let app = cargo::build_app_and_county()?;
    let state = cargo::root().join(".redvest");
    // Ctrl-C reaches the app and the county server too (same process group); xtask itself
    // stays to stop what it started once the app has exited.
    ctrlc::set_handler(|| {}).context("installing the Ctrl-C handler")?;

    let (database_url, _cluster) = match std::env::var("DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let cluster = Cluster::start(&state.join("pg"), PG_PORT)?;
            (cluster.url(), Some(cluster))
        }
    };

    let listen = std::env::var("REDVEST_COUNTY_LISTEN").unwrap_or_else(|_| COUNTY_LISTEN.into());
    let county_bin = cargo::target_dir()?.join("debug").join("redvest-county");
    let mut county = Command::new(&county_bin)
        .args(["serve", "--listen", &listen])
        .env("DATABASE_URL", &database_url)
        .env("REDVEST_PHOTOS", std::env::var_os("REDVEST_PHOTOS").unwrap_or_else(|| state.join("county-photos").into()))
        .spawn()
        .with_context(|| format!("starting {}", county_bin.display()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(&listen).is_err() {
        if let Some(status) = county.try_wait()? {
            bail!("the county endpoint exited before listening ({status}); see its log above");
        }
        if Instant::now() > deadline {
            let _ = county.kill();
            bail!("the county endpoint did not listen on {listen}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("xtask: county endpoint on http://{listen} (GET /healthz)");
    let code = demo_enrolment_code(&county_bin, &database_url, &state)?;
    if let Err(e) = demo_clerk(&county_bin, &database_url, &state) {
        eprintln!("xtask: no demo clerk for the console ({e:#}); add one with redvest-county clerk-add");
    }
    eprintln!("xtask: to connect the app (同步 → 连接县平台): address http://{listen}, one-time code {code}");
    if let Ok(password) = std::fs::read_to_string(state.join("console-password")) {
        eprintln!("xtask: the county console: http://{listen}/console (login demo, password {})", password.trim());
    }

    let data_dir: std::path::PathBuf =
        std::env::var_os("REDVEST_DATA_DIR").map(Into::into).unwrap_or_else(|| state.join("app"));
    eprintln!("xtask: opening the app; its data is in {}", data_dir.display());
    // The simulated GPS: the shipped sample walk, replayed into each patrol while it is open.
    let replay: std::path::PathBuf =
        std::env::var_os("REDVEST_REPLAY").map(Into::into).unwrap_or_else(|| cargo::root().join("samples/night-patrol.gpx"));
    eprintln!("xtask: simulated GPS replays {} (REDVEST_REPLAY, REDVEST_REPLAY_SPEED change it)", replay.display());
    let status = Command::new(&app)
        .env("REDVEST_DATA_DIR", &data_dir)
        .env("REDVEST_REPLAY", &replay)
        .env("REDVEST_COUNTY_URL", format!("http://{listen}"))
        .status()
        .with_context(|| format!("starting {}", app.display()));
    let _ = county.kill();
    let _ = county.wait();
    let status = status?;
    // Ctrl-C is how a person stops it: not a failure.
    if std::os::unix::process::ExitStatusExt::signal(&status) == Some(libc::SIGINT) {
        return Ok(());
    }
    crate::check(status, "the app")
}

/// A county clerk `demo` for the console, made once; its password is kept in
/// `.redvest/console-password`.
fn demo_clerk(county_bin: &std::path::Path, database_url: &str, state: &std::path::Path) -> Result<()> {
    if state.join("console-password").exists() {
        return Ok(());
    }
    let password = random_password()?;
    let mut add = Command::new(county_bin)
        .args(["clerk-add", "--login", "demo", "--name", "演示管理员", "--admin"])
        .env("DATABASE_URL", database_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("redvest-county clerk-add")?;
    if let Some(mut stdin) = add.stdin.take() {
        use std::io::Write;
        writeln!(stdin, "{password}")?;
    }
    crate::check(add.wait()?, "redvest-county clerk-add")?;
    std::fs::write(state.join("console-password"), &password)?;
    Ok(())
}

/// 18 hex digits from the kernel's random source.
fn random_password() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 9];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).context("reading /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A demo team at the county in a demo township (made once, remembered in
/// `.redvest/team-id`) and a fresh one-time enrolment code for it, as a county clerk would
/// issue.
fn demo_enrolment_code(county_bin: &std::path::Path, database_url: &str, state: &std::path::Path) -> Result<String> {
    let clerk = |args: &[&str]| -> Result<String> {
        let out = Command::new(county_bin).args(args).env("DATABASE_URL", database_url).output().context("redvest-county")?;
        if !out.status.success() {
            bail!("redvest-county {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let team_file = state.join("team-id");
    if let Ok(team) = std::fs::read_to_string(&team_file) {
        if let Ok(code) = clerk(&["enrol-code", "--team", team.trim()]) {
            return Ok(code);
        }
        // A new database (the cluster was removed): make the team (and the clerk) again.
        let _ = std::fs::remove_file(state.join("console-password"));
    }
    let township = clerk(&["township-create", "--name", "演示镇"])?;
    let team = clerk(&["team-create", "--name", "演示巡防队", "--township", &township])?;
    // A made-up number (the 138-0013-8000 range used in examples): 一键报警 offers it.
    clerk(&["member-add", "--team", &team, "--name", "李强", "--role", "leader", "--phone", "13800138000"])?;
    clerk(&["member-add", "--team", &team, "--name", "王芳", "--role", "volunteer"])?;
    std::fs::write(&team_file, &team)?;
    clerk(&["enrol-code", "--team", &team])
}
