//! Builds the Leptos UI into `dist/`: cargo for wasm32, then wasm-bindgen as a library
//! (pinned to Cargo.lock's version, so no tool download and no version skew).

use std::path::Path;

use anyhow::{Context, Result};

const ASSETS: &[&str] = &["index.html", "main.js", "style.css"];

/// Builds the UI; files in `dist/` are rewritten only when their bytes change, so an
/// unchanged UI does not make cargo re-embed it into the app.
pub fn build() -> Result<()> {
    let status = crate::cargo::cargo()?
        .args(["build", "-p", "redvest-ui", "--release", "--target", "wasm32-unknown-unknown"])
        .status()
        .context("running cargo build for the UI")?;
    crate::check(status, "cargo build of the UI (wasm32)")?;

    let target = crate::cargo::target_dir()?;
    let wasm = target.join("wasm32-unknown-unknown/release/redvest-ui.wasm");
    let staging = target.join("ui-bindgen");
    std::fs::create_dir_all(&staging)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .typescript(false)
        .out_name("redvest_ui")
        // Let init() find redvest_ui_bg.wasm next to the JS by itself.
        .omit_default_module_path(false)
        .generate(&staging)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;

    let root = crate::cargo::root();
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist)?;
    for name in ["redvest_ui.js", "redvest_ui_bg.wasm"] {
        sync(&staging.join(name), &dist.join(name))?;
    }
    for name in ASSETS {
        sync(&root.join("src-ui").join(name), &dist.join(name))?;
    }
    Ok(())
}

fn sync(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).with_context(|| format!("reading {}", from.display()))?;
    if std::fs::read(to).ok().as_deref() != Some(&bytes[..]) {
        std::fs::write(to, &bytes).with_context(|| format!("writing {}", to.display()))?;
    }
    Ok(())
}
