//! The UI as a cheap phone's old WebView gets it (`dist/`, built by `cargo xtask test`): a
//! wasm with nothing newer than WebView 69 (checked by wabt's `wasm-validate`), scripts that
//! parse as ES2018 (acorn), at most 600 KB gzipped, and a plain-HTML message in Chinese where
//! no wasm can run (Debian's chromium, on pages that take WebAssembly away or forbid it the
//! way the CSP of a WebView before 97 does).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use redvest_e2e::{dist, free_port};

/// wabt's switches for what Chrome/WebView added after 69: sign-ext and importing or
/// exporting mutable globals (74), bulk memory and saturating float-to-int (75), multi-value
/// (85), reference types (96).
const NEWER_THAN_69: &[&str] = &[
    "--disable-sign-extension",
    "--disable-mutable-globals",
    "--disable-bulk-memory",
    "--disable-saturating-float-to-int",
    "--disable-multi-value",
    "--disable-reference-types",
];

fn node_tool(name: &str) -> Result<PathBuf> {
    let tools = std::env::var_os("REDVEST_TOOLS").context("REDVEST_TOOLS is not set: run through `cargo xtask test`")?;
    Ok(PathBuf::from(tools).join("node/node_modules/.bin").join(name))
}

fn run(command: &mut Command) -> Result<std::process::Output> {
    command.output().with_context(|| format!("running {command:?}"))
}

fn wasm_validate(file: &Path) -> Result<std::process::Output> {
    run(Command::new("wasm-validate").args(NEWER_THAN_69).arg(file))
}

#[test]
fn the_wasm_uses_nothing_newer_than_webview_69() -> Result<()> {
    let wasm = dist().join("redvest_ui_bg.wasm");
    ensure!(wasm.exists(), "{} is missing: `cargo xtask test` builds it", wasm.display());
    let out = wasm_validate(&wasm)?;
    ensure!(out.status.success(), "wasm-validate refuses the UI for WebView 69: {}", String::from_utf8_lossy(&out.stderr));

    // The check itself can fail: one sign-extension instruction is enough.
    let dir = tempfile::tempdir()?;
    let (wat, newer) = (dir.path().join("newer.wat"), dir.path().join("newer.wasm"));
    std::fs::write(&wat, "(module (func (param i32) (result i32) local.get 0 i32.extend8_s))")?;
    let built = run(Command::new("wat2wasm").arg(&wat).arg("-o").arg(&newer))?;
    ensure!(built.status.success(), "wat2wasm: {}", String::from_utf8_lossy(&built.stderr));
    ensure!(!wasm_validate(&newer)?.status.success(), "wasm-validate passed a module that needs WebView 74");
    Ok(())
}

#[test]
fn every_shipped_script_parses_as_es2018() -> Result<()> {
    let acorn = node_tool("acorn")?;
    let mut scripts = Vec::new();
    for entry in std::fs::read_dir(dist())? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            scripts.push(path);
        }
    }
    scripts.sort();
    let names: Vec<_> = scripts.iter().filter_map(|p| p.file_name()?.to_str()).collect();
    assert_eq!(names, ["boot.js", "main.js"], "the scripts index.html loads, and no others");
    for script in &scripts {
        // boot.js must run on any engine, to say what is missing: plain ES5.
        let dialect: &[&str] = if script.ends_with("boot.js") { &["--ecma5"] } else { &["--ecma2018", "--module"] };
        let out = run(Command::new(&acorn).args(dialect).arg("--silent").arg(script))?;
        ensure!(out.status.success(), "{} does not parse as {dialect:?}: {}", script.display(), String::from_utf8_lossy(&out.stderr));
    }

    // The check itself can fail: optional chaining (Chrome 80) is not ES2018.
    let dir = tempfile::tempdir()?;
    let newer = dir.path().join("newer.js");
    std::fs::write(&newer, "export const x = window?.y;\n")?;
    ensure!(!run(Command::new(&acorn).args(["--ecma2018", "--module", "--silent"]).arg(&newer))?.status.success(), "acorn passed ES2020");
    Ok(())
}

#[test]
fn the_wasm_is_at_most_600_kb_gzipped() -> Result<()> {
    let (wasm, gzipped) = redvest_e2e::ui_wasm()?;
    eprintln!("redvest_ui_bg.wasm: {} bytes, {gzipped} gzipped", wasm.len());
    ensure!(gzipped <= 600 * 1024, "the UI's wasm is {gzipped} bytes gzipped; the target is 600 KB");
    Ok(())
}

/// A child process stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn listening(port: u16, what: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("{what} did not listen on {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

async fn chromium(driver_port: u16) -> Result<Client> {
    let args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=412,915", "--lang=zh-CN"];
    let caps = serde_json::json!({ "goog:chromeOptions": { "args": args } });
    let caps = caps.as_object().cloned().context("capabilities")?;
    Ok(ClientBuilder::new(HttpConnector::new()).capabilities(caps).connect(&format!("http://127.0.0.1:{driver_port}")).await?)
}

/// Waits until `css` is shown (`true`) or present and hidden (`false`).
async fn wait_shown(c: &Client, css: &str, shown: bool) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.is_displayed().await? == shown {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("{css} never {}", if shown { "shown" } else { "hidden" });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `dist/` as `name/` under `root`, with `head` put first in index.html's `<head>`.
fn variant(root: &Path, name: &str, head: &str, files: &[(&str, &str)]) -> Result<()> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir)?;
    for entry in std::fs::read_dir(dist())? {
        let path = entry?.path();
        std::fs::copy(&path, dir.join(path.file_name().context("a file name")?))?;
    }
    let index = std::fs::read_to_string(dir.join("index.html"))?;
    ensure!(index.contains("<head>"), "index.html has no <head>");
    std::fs::write(dir.join("index.html"), index.replacen("<head>", &format!("<head>{head}"), 1))?;
    for (file, text) in files {
        std::fs::write(dir.join(file), text)?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webview_that_cannot_run_the_wasm_says_what_to_update_in_chinese() -> Result<()> {
    // The app as shipped, and two WebViews it cannot run on: one without WebAssembly, and
    // one whose CSP lacks what it needs to compile wasm (as before Chrome 97 without
    // 'unsafe-eval').
    let root = tempfile::tempdir()?;
    variant(root.path(), "app", "", &[])?;
    variant(root.path(), "no-wasm", r#"<script src="no-wasm.js"></script>"#, &[("no-wasm.js", "delete window.WebAssembly;\n")])?;
    variant(root.path(), "strict-csp", r#"<meta http-equiv="Content-Security-Policy" content="script-src 'self'">"#, &[])?;
    let web_port = free_port()?;
    let _web = Running(
        Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
            .arg(root.path())
            .arg(web_port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("python3 -m http.server")?,
    );
    listening(web_port, "the static server")?;
    let driver_port = free_port()?;
    let _driver = Running(
        Command::new("chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("chromedriver (Debian chromium-driver)")?,
    );
    listening(driver_port, "chromedriver")?;
    let page = |name: &str| format!("http://127.0.0.1:{web_port}/{name}/index.html");

    // The message, not a white page.
    for name in ["no-wasm", "strict-csp"] {
        let c = chromium(driver_port).await?;
        c.goto(&page(name)).await?;
        wait_shown(&c, "#boot-message", true).await.with_context(|| format!("on {name}"))?;
        let text = c.find(Locator::Css("#boot-message")).await?.text().await?;
        c.close().await?;
        for words in ["此手机无法打开红马甲巡防", "Android System WebView", "69", "不会丢失"] {
            ensure!(text.contains(words), "on {name} the message lacks {words:?}: {text}");
        }
    }

    // A current engine runs the app (outside Tauri its calls fail, but the page is drawn)
    // and keeps the message hidden; flexbox gap is there, so no margins stand in.
    let c = chromium(driver_port).await?;
    c.goto(&page("app")).await?;
    wait_shown(&c, "#open-sync", true).await?;
    wait_shown(&c, "#boot-message", false).await?;
    let fallback = c.execute("return document.documentElement.classList.contains('no-flex-gap')", vec![]).await?;
    c.close().await?;
    ensure!(fallback == serde_json::Value::Bool(false), "a current engine was taken for one without flex gap");
    Ok(())
}
