//! A small harness around tauri-driver for driving the real Redvest app.
//!
//! `cargo xtask test` builds the app and sets the environment this needs:
//! `REDVEST_APP_BIN` (the app binary), `TAURI_DRIVER`, `DISPLAY` (its own Xvfb) and
//! `REDVEST_ARTIFACTS` (where screenshots go).

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Upper bound for any wait on the UI. Generous: it bounds a hang, it does not measure speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// WebKitWebDriver holds one session at a time, so tests that drive the app take turns.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Waits for the turn to drive an app; hold the guard for the whole test.
pub async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_APP_AT_A_TIME.lock().await
}

fn env_path(name: &str) -> Result<PathBuf> {
    std::env::var_os(name).map(PathBuf::from).with_context(|| {
        format!("{name} is not set: end-to-end tests run through `cargo xtask test`, which builds the app and sets it")
    })
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Where this test run keeps screenshots.
pub fn artifacts_dir() -> Result<PathBuf> {
    let dir = env_path("REDVEST_ARTIFACTS")?.join("e2e");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A tauri-driver of our own (fresh per test, as a crashed client would block a shared one),
/// launching the app with `data_dir` as its data folder.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// Starts tauri-driver; the app it launches stores its data in `data_dir`.
    pub fn start(data_dir: &Path) -> Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let child = Command::new(env_path("TAURI_DRIVER")?)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("REDVEST_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            // Own process group, so Drop can stop the driver, WebKitWebDriver and the app together.
            .process_group(0)
            .spawn()
            .context("starting tauri-driver")?;
        let driver = Self { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// Launches the app and returns a session driving its window.
    pub async fn launch(&self) -> Result<App> {
        let app_bin = env_path("REDVEST_APP_BIN")?;
        let caps = json!({ "tauri:options": { "application": app_bin } });
        let caps = caps.as_object().cloned().context("capabilities")?;
        let mut last = None;
        // The first connection right after the driver starts is occasionally reset.
        for _ in 0..3 {
            match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&self.url).await {
                Ok(client) => return Ok(App { client }),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        bail!("could not start an app session: {last:?}")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pgid = self.child.id() as i32;
        // SAFETY: signalling our own child's process group; no memory is touched.
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        std::thread::sleep(Duration::from_millis(200));
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// One running app window, driven through WebDriver.
pub struct App {
    client: Client,
}

impl App {
    /// Polls until `css` matches an element whose text satisfies `ok`; returns that text.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = String::from("<no element>");
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if ok(&text) {
                        return Ok(text);
                    }
                    seen = text;
                }
            }
            if Instant::now() > deadline {
                bail!("waited for {css}; last text seen: {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls until exactly `n` elements match `css`; returns each one's `attr`.
    pub async fn wait_count(&self, css: &str, n: usize, attr: &str) -> Result<Vec<String>> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = 0;
        loop {
            if let Ok(els) = self.client.find_all(Locator::Css(css)).await {
                if els.len() == n {
                    let mut values = Vec::with_capacity(n);
                    for el in els {
                        values.push(el.attr(attr).await?.unwrap_or_default());
                    }
                    return Ok(values);
                }
                seen = els.len();
            }
            if Instant::now() > deadline {
                bail!("expected {n} × {css}, found {seen}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matching `css`, waiting for it to appear.
    pub async fn click(&self, css: &str) -> Result<()> {
        let el = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for {css}"))?;
        el.click().await.with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    /// Saves a PNG of the window as `<artifacts>/e2e/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // The frame just changed may not be painted yet: wait two animation frames.
        self.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let path = artifacts_dir()?.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}
