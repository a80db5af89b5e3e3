//! Installs what the commands need and is missing; skips each thing that is already there.

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// Debian packages: WebKitGTK and friends for Tauri, Xvfb and WebKitWebDriver for the
/// end-to-end tests, CJK fonts so Chinese renders, PostgreSQL for the county server, and
/// Chromium with its driver for the county console's tests.
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "fonts-noto-cjk",
    "postgresql",
    "chromium",
    "chromium-driver",
    // The outside clients the county is tried with (tuspy, schemathesis; tus-js-client).
    "python3-venv",
    "nodejs",
    // pdftotext, pdffonts, pdfinfo: the printed reports are checked with them.
    "poppler-utils",
    // wasm-validate: the UI's wasm is checked against old WebViews' feature set.
    "wabt",
];

/// Outside clients from PyPI, pinned: the county must work with them as they come.
/// `moto` plays an S3-compatible store for the photo store's test.
pub const PYTHON_TOOLS: &[&str] = &["tuspy==1.1.0", "schemathesis==4.32.5", "moto[server]==5.1.18"];
/// Outside clients from npm, pinned.
pub const NODE_TOOLS: &[&str] = &["tus-js-client@4.3.1"];
/// The UI build's tools from npm, pinned: binaryen's `wasm-opt` (Debian's 108 lacks the
/// lowering passes old WebViews need), `esbuild` to lower the JS, `acorn` to check it parses
/// as ES2018.
pub const UI_TOOLS: &[&str] = &["binaryen@132.0.0", "esbuild@0.28.2", "acorn@8.19.0"];

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// tauri-driver, the WebDriver bridge to the app's webview (crates.io).
pub const TAURI_DRIVER_VERSION: &str = "2.1.0";

/// Installs every missing prerequisite.
pub fn ensure() -> Result<()> {
    ensure_apt()?;
    ensure_wasm_target()?;
    ensure_tauri_driver()?;
    Ok(())
}

/// Where the outside clients are installed: a Python venv (`py`) and an npm prefix (`node`),
/// in the cache outside the clone.
pub fn tools_dir() -> Result<std::path::PathBuf> {
    Ok(crate::cargo::cache()?.join("tools"))
}

/// Installs the outside clients the tests run (PyPI into a venv: Debian's Python is
/// externally managed; npm into a prefix of its own), each only if missing.
pub fn ensure_outside_clients() -> Result<()> {
    let tools = tools_dir()?;
    let py = tools.join("py");
    let pip = py.join("bin").join("pip");
    let frozen = Command::new(&pip).arg("freeze").output().map(|o| String::from_utf8_lossy(&o.stdout).to_lowercase()).unwrap_or_default();
    // `pip freeze` names a package without its extras: `moto[server]==5.1.18` is `moto==5.1.18`.
    let frozen_as = |pin: &str| match pin.split_once('[') {
        Some((name, rest)) => format!("{name}{}", rest.split_once(']').map_or("", |(_, version)| version)).to_lowercase(),
        None => pin.to_lowercase(),
    };
    if PYTHON_TOOLS.iter().any(|pin| !frozen.lines().any(|l| l == frozen_as(pin))) {
        eprintln!("xtask: installing {} from PyPI into {}", PYTHON_TOOLS.join(" "), py.display());
        let status = Command::new("python3").args(["-m", "venv"]).arg(&py).status().context("python3 -m venv")?;
        crate::check(status, "python3 -m venv")?;
        let status = Command::new(&pip).args(["install", "-q", "--disable-pip-version-check"]).args(PYTHON_TOOLS).status().context("pip install")?;
        crate::check(status, "pip install")?;
    }
    ensure_npm(NODE_TOOLS)
}

/// Installs the UI build's tools ([`UI_TOOLS`]) if missing.
pub fn ensure_ui_tools() -> Result<()> {
    ensure_npm(UI_TOOLS)
}

/// An installed npm tool's command, e.g. `node_bin("wasm-opt")`.
pub fn node_bin(name: &str) -> Result<std::path::PathBuf> {
    Ok(tools_dir()?.join("node").join("node_modules").join(".bin").join(name))
}

/// `npm install` of the pinned packages into the tools' own prefix, unless all are there.
fn ensure_npm(pins: &[&str]) -> Result<()> {
    let node = tools_dir()?.join("node");
    let installed = |pin: &&str| {
        let (name, version) = pin.rsplit_once('@').unwrap_or((pin, ""));
        std::fs::read_to_string(node.join("node_modules").join(name).join("package.json"))
            .is_ok_and(|manifest| manifest.contains(&format!("\"version\": \"{version}\"")))
    };
    if !pins.iter().all(installed) {
        if Command::new("npm").arg("--version").stdout(Stdio::null()).status().is_err() {
            // Debian's nodejs comes without npm (NodeSource's has it built in).
            apt_install(&["npm"])?;
        }
        eprintln!("xtask: installing {} from npm into {}", pins.join(" "), node.display());
        std::fs::create_dir_all(&node)?;
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(&node)
            .args(pins)
            .status()
            .context("npm install")?;
        crate::check(status, "npm install")?;
    }
    Ok(())
}

fn ensure_apt() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES.iter().copied().filter(|p| !dpkg_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing)
}

fn apt_install(packages: &[&str]) -> Result<()> {
    eprintln!("xtask: installing Debian packages: {}", packages.join(" "));
    let root = unsafe { libc::geteuid() } == 0;
    let sudo: &[&str] = if root { &[] } else { &["sudo", "-n"] };
    let apt = |args: &[&str]| -> Result<()> {
        let mut argv: Vec<&str> = sudo.to_vec();
        argv.push("apt-get");
        argv.extend_from_slice(args);
        let status = Command::new(argv[0])
            .args(&argv[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| format!("running {}", argv.join(" ")))?;
        crate::check(status, &argv.join(" "))
    };
    apt(&["update", "-q"])
        .and_then(|()| {
            let mut args = vec!["install", "-y", "-q"];
            args.extend(packages);
            apt(&args)
        })
        .with_context(|| {
            format!("could not install Debian packages; as root run: apt-get install -y {}", packages.join(" "))
        })
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(crate::cargo::root())
        .output()
        .context("running rustup (this project needs a rustup-managed toolchain)")?;
    if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    eprintln!("xtask: adding the {WASM_TARGET} target");
    let status = Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .current_dir(crate::cargo::root())
        .status()?;
    crate::check(status, "rustup target add")
}

/// Where `cargo install` puts tauri-driver.
pub fn tauri_driver() -> Result<std::path::PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?;
    Ok(home.join("bin").join("tauri-driver"))
}

fn ensure_tauri_driver() -> Result<()> {
    let out = Command::new(crate::cargo::cargo_bin())
        .args(["install", "--list"])
        .output()
        .context("running cargo install --list")?;
    let listed = format!("tauri-driver v{TAURI_DRIVER_VERSION}:");
    if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == listed) && tauri_driver()?.exists() {
        return Ok(());
    }
    eprintln!("xtask: installing tauri-driver {TAURI_DRIVER_VERSION} from crates.io");
    let status = Command::new(crate::cargo::cargo_bin())
        .args(["install", "tauri-driver", "--version", TAURI_DRIVER_VERSION, "--locked"])
        .status()?;
    crate::check(status, "cargo install tauri-driver")?;
    if !tauri_driver()?.exists() {
        bail!("tauri-driver was installed but is not at {}", tauri_driver()?.display());
    }
    Ok(())
}
