//! Paths of the workspace and of the shared build cache, and `cargo` invocations using them.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result};

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where builds go: `$CARGO_TARGET_DIR`, else a cache outside the clone, so that a fresh
/// clone (CI) reuses what an earlier one built.
pub fn target_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Ok(PathBuf::from(dir));
    }
    Ok(cache()?.join("target"))
}

/// `~/.cache/redvest` (or under `$XDG_CACHE_HOME`): kept across clones.
pub fn cache() -> Result<PathBuf> {
    let cache = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".cache"),
    };
    Ok(cache.join("redvest"))
}

/// The cargo that runs xtask (so the same toolchain builds everything).
pub fn cargo_bin() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A `cargo` command in the workspace root, building into [`target_dir`].
pub fn cargo() -> Result<Command> {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(root()).env("CARGO_TARGET_DIR", target_dir()?);
    Ok(cmd)
}

/// Builds the desktop app and the county server (debug); returns the app binary.
///
/// It builds every target of the workspace, tests included, so that features are unified
/// exactly as `cargo test` unifies them: otherwise the app's cdylib, whose file name carries
/// no hash, would be rebuilt back and forth between `run` and `test`.
pub fn build_app_and_county() -> Result<PathBuf> {
    let status = cargo()?
        .args(["build", "--workspace", "--exclude", "redvest-ui", "--all-targets"])
        .status()
        .context("running cargo build")?;
    crate::check(status, "cargo build of the app and the county server")?;
    Ok(target_dir()?.join("debug").join("redvest"))
}
