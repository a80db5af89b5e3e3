//! Builds the Leptos UI into `dist/` for Android WebView 69 and later (phones in villages,
//! and phones without Google services, rarely update theirs):
//! 1. cargo for wasm32 with profile `ui` (size first) and without the wasm features newer
//!    than WebView 69 (`.cargo/config.toml`);
//! 2. wasm-bindgen as a library (pinned to Cargo.lock's version: no download, no skew);
//! 3. binaryen's `wasm-opt` lowers what the prebuilt standard library still uses and shrinks;
//! 4. esbuild bundles `main.js` with the glue into one module lowered to the same floor.
//!
//! The tests check the result (`tests/e2e/tests/old_webview.rs`).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::setup::node_bin;

/// Copied as they are. `boot.js` (ES5) speaks where the rest cannot run.
const ASSETS: &[&str] = &["index.html", "style.css", "boot.js"];

/// The oldest engine the UI is built for, in esbuild's terms: Chrome 69, and no syntax past
/// ES2018 (which the tests check), so optional catch binding is lowered too.
const FLOOR: &str = "es2018,chrome69";

/// What the build leaves in `dist/`, besides [`ASSETS`].
const BUILT: &[&str] = &["main.js", "redvest_ui_bg.wasm"];

/// Builds the UI; files in `dist/` are rewritten only when their bytes change, so an
/// unchanged UI does not make cargo re-embed it into the app.
pub fn build() -> Result<()> {
    crate::setup::ensure_ui_tools()?;
    let status = crate::cargo::cargo()?
        .args(["build", "-p", "redvest-ui", "--profile", "ui", "--target", "wasm32-unknown-unknown"])
        .status()
        .context("running cargo build for the UI")?;
    crate::check(status, "cargo build of the UI (wasm32)")?;

    let target = crate::cargo::target_dir()?;
    let wasm = target.join("wasm32-unknown-unknown/ui/redvest-ui.wasm");
    let bytes = std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let mut module = walrus::ModuleConfig::new()
        .strict_validate(false)
        .parse(&bytes)
        .with_context(|| format!("parsing {}", wasm.display()))?;
    // The linker writes the prebuilt standard library's features here; wasm-bindgen would
    // read reference-types from it and emit externref glue that WebView 69–95 cannot run.
    module.customs.remove_raw("target_features");

    let staging = target.join("ui-bindgen");
    std::fs::create_dir_all(&staging)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_module("redvest_ui", module)
        .web(true)?
        .typescript(false)
        .out_name("redvest_ui")
        // main.js names the wasm: the default path uses `import.meta` (not ES2018).
        .omit_default_module_path(true)
        .generate(&staging)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;

    let lowered = staging.join("lowered.wasm");
    let status = Command::new(node_bin("wasm-opt")?)
        .arg(staging.join("redvest_ui_bg.wasm"))
        // Read what the standard library uses, then lower it away.
        .args(["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals"])
        .args(["--llvm-memory-copy-fill-lowering", "--llvm-nontrapping-fptoint-lowering", "--signext-lowering"])
        .args(["-Oz", "--strip-debug", "--strip-producers", "-o"])
        .arg(&lowered)
        .status()
        .context("running wasm-opt (binaryen from npm)")?;
    crate::check(status, "wasm-opt on the UI")?;

    let root = crate::cargo::root();
    std::fs::copy(root.join("src-ui/main.js"), staging.join("main.js"))?;
    let bundle = staging.join("bundle");
    let status = Command::new(node_bin("esbuild")?)
        .arg(staging.join("main.js"))
        .args(["--bundle", "--format=esm", "--minify", "--legal-comments=none", "--log-level=warning"])
        .arg(format!("--target={FLOOR}"))
        .arg(format!("--outdir={}", bundle.display()))
        .status()
        .context("running esbuild (npm)")?;
    crate::check(status, "esbuild on the UI's JS")?;

    let dist = root.join("dist");
    std::fs::create_dir_all(&dist)?;
    sync(&bundle.join("main.js"), &dist.join("main.js"))?;
    sync(&lowered, &dist.join("redvest_ui_bg.wasm"))?;
    for name in ASSETS {
        sync(&root.join("src-ui").join(name), &dist.join(name))?;
    }
    // The app embeds the whole folder: nothing left from an older build goes with it.
    for entry in std::fs::read_dir(&dist)? {
        let entry = entry?;
        let name = entry.file_name();
        if !ASSETS.iter().chain(BUILT).any(|keep| name == *keep) {
            std::fs::remove_file(entry.path()).with_context(|| format!("removing {}", entry.path().display()))?;
        }
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
