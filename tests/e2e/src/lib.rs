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

use anyhow::{bail, ensure, Context, Result};
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

/// A free TCP port on loopback.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The UI as the app ships it (`dist/`, written by `cargo xtask ui`).
pub fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist")
}

/// The shipped wasm's bytes and its size gzipped at the best level (as a server or an app
/// store would send it).
pub fn ui_wasm() -> Result<(Vec<u8>, usize)> {
    use std::io::Write;
    let path = dist().join("redvest_ui_bg.wasm");
    let wasm = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&wasm)?;
    let gzipped = gz.finish()?.len();
    Ok((wasm, gzipped))
}

/// A line on the test's output (kept with the test's log when it fails).
fn log_line(line: &str) {
    eprintln!("e2e: {line}");
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
        Self::start_with_env(data_dir, &[])
    }

    /// As [`Driver::start`], with more environment for the app (e.g. the replay source).
    pub fn start_with_env(data_dir: &Path, env: &[(&str, &str)]) -> Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let child = Command::new(env_path("TAURI_DRIVER")?)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("REDVEST_DATA_DIR", data_dir)
            .envs(env.iter().copied())
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
                Ok(client) => {
                    let app = App { client };
                    app.started().await?;
                    return Ok(app);
                }
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
    /// Waits until the UI has started; a UI that could not start (boot.js's message) fails
    /// with the error main.js caught.
    async fn started(&self) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let state = self
                .client
                .execute("const m = document.getElementById('boot-message');
                          if (m && !m.hidden) return 'failed: ' + (window.redvestBootError || '(no error caught)');
                          return document.querySelector('main') ? 'up' : null;", vec![])
                .await
                .unwrap_or_default();
            match state.as_str() {
                Some("up") => return Ok(()),
                Some(failed) => bail!("the UI did not start: {failed}"),
                None if Instant::now() > deadline => bail!("the UI did not start in time"),
                None => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Polls until `css` matches an element whose text satisfies `ok`; returns that text.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = String::from("<no element>");
        loop {
            // A hidden step's text reads empty: its tab is tapped first.
            let _ = self.reveal(css).await;
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
        let deadline = Instant::now() + PATIENCE;
        loop {
            let el = self
                .client
                .wait()
                .at_most(PATIENCE)
                .for_element(Locator::Css(css))
                .await
                .with_context(|| format!("waiting for {css}"))?;
            self.reveal(css).await?;
            // A page that re-renders between finding and clicking leaves a stale element:
            // find it again.
            match el.click().await {
                Ok(()) => return Ok(()),
                Err(e) if Instant::now() > deadline => return Err(e).with_context(|| format!("clicking {css}")),
                Err(e) => {
                    // WebKitWebDriver sometimes refuses a pointer click on a visible button
                    // (seen under load, with an empty message): the DOM click a tap causes.
                    log_line(&format!("pointer click on {css} refused ({e}); clicking through the DOM"));
                    if self.dom_click(css).await {
                        return Ok(());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// The DOM click a tap causes, on the element matching `css`; whether there was one.
    async fn dom_click(&self, css: &str) -> bool {
        let clicked = self.client.execute("const el = document.querySelector(arguments[0]); if (!el) return false; el.click(); return true;", vec![json!(css)]).await;
        matches!(clicked, Ok(serde_json::Value::Bool(true)))
    }

    /// Types `text` into the input matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let el = self.reach(css).await?;
        el.send_keys(text).await.with_context(|| format!("typing into {css}"))?;
        Ok(())
    }

    /// From the home page: starts an ad hoc patrol of `assignment` (e.g. `zone.town_centre`)
    /// and waits for its page, headed `title`.
    pub async fn start_patrol(&self, assignment: &str, title: &str) -> Result<()> {
        self.click("#start-patrol").await?;
        self.click(&format!("button[data-assignment='{assignment}']")).await?;
        self.wait_text("h1", |t| t == title).await?;
        Ok(())
    }

    /// From the home page: starts an ad hoc night patrol (夜巡岗) and opens the hazard form
    /// with `description` and `place` typed in.
    pub async fn begin_hazard(&self, description: &str, place: &str) -> Result<()> {
        self.start_patrol("post.night_patrol", "夜巡岗").await?;
        self.click("#add-hazard").await?;
        self.type_into("textarea[name='hazard.description']", description).await?;
        self.type_into("input[name='hazard.place']", place).await
    }

    /// In settings: gives `name` a signing PIN through their roster row, and waits until the
    /// row says the key is made.
    pub async fn set_pin(&self, name: &str, pin: &str) -> Result<()> {
        let row = format!("li.member-row[data-member='{name}']");
        self.type_into(&format!("{row} input.pin"), pin).await?;
        self.type_into(&format!("{row} input.pin-again"), pin).await?;
        self.click(&format!("{row} button.set-pin")).await?;
        self.wait_text(&row, |t| t.contains("已设签字密钥")).await?;
        Ok(())
    }

    /// On an open patrol: marks the first `n` people of the attendance list present.
    pub async fn mark_present(&self, n: usize) -> Result<()> {
        for i in 1..=n {
            self.click(&format!("#attendance li.attendance-row:nth-of-type({i}) button[data-presence='Present']")).await?;
        }
        Ok(())
    }

    /// On an open patrol: `signer` (one of those present) signs with `pin` and a drawn
    /// signature. Does not wait for the answer: a wrong PIN is refused beside its field.
    pub async fn sign(&self, signer: &str, pin: &str) -> Result<()> {
        self.select_text("#signer", signer).await?;
        self.type_into("#pin", pin).await?;
        self.draw("#finish canvas").await?;
        self.click("#sign-submit").await
    }

    /// Back to the home page from wherever the app opened (it reopens an unfinished patrol,
    /// such as one the leader sent back).
    pub async fn home(&self) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while self.client.find(Locator::Css("#open-sync")).await.is_err() {
            if let Ok(back) = self.client.find(Locator::Css("#back")).await {
                if back.click().await.is_err() {
                    // A pointer click WebKitWebDriver refuses (see `click`).
                    self.dom_click("#back").await;
                }
            }
            if Instant::now() > deadline {
                let seen = self.client.execute("return document.body.innerText.slice(0, 400) + ' ' + (window.redvestBootError || '');", vec![]).await.unwrap_or_default();
                bail!("the home page did not come; the page shows: {seen}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(())
    }

    /// From wherever the app is: 立即同步 on the sync page, until everything is up; back home.
    pub async fn sync_now(&self) -> Result<()> {
        self.home().await?;
        self.click("#open-sync").await?;
        self.click("#sync-now").await?;
        self.wait_text("#nothing-pending", |t| t.contains("全部已上传")).await?;
        self.click("#back").await
    }

    /// A new phone enrols from the sync page with the clerk's `code`, and waits for the first
    /// run (which pulls the county's roster).
    pub async fn enrol(&self, server: &str, code: &str) -> Result<()> {
        self.click("#open-sync").await?;
        self.wait_text("#enrol", |_| true).await?;
        self.set_value("input[name='sync.server']", server).await?;
        self.set_value("input[name='sync.code']", code).await?;
        self.click("#enrol-button").await?;
        self.wait_text("#last-success", |t| t.contains("成功") && !t.contains("从未")).await?;
        self.click("#back").await
    }

    /// On a signed patrol: the leader countersigns with `pin`; waits until it is sealed.
    pub async fn countersign(&self, pin: &str) -> Result<()> {
        self.type_into("#leader-pin", pin).await?;
        self.draw("#review canvas").await?;
        self.click("#countersign").await?;
        self.wait_text("#patrol-state", |t| t == "已签字封存").await?;
        Ok(())
    }

    /// Chooses `file` in the file input matching `css`, as the file picker would.
    pub async fn upload(&self, css: &str, file: &Path) -> Result<()> {
        self.type_into(css, &file.to_string_lossy()).await.with_context(|| format!("choosing {}", file.display()))
    }

    /// Sets a `<select>` (by option value) or a date input, firing the events a person's
    /// choice would.
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.reach(css).await?;
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]); el.value = arguments[1];
                 el.dispatchEvent(new Event('input', {bubbles: true}));
                 el.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![json!(css), json!(value)],
            )
            .await
            .with_context(|| format!("setting {css}"))?;
        Ok(())
    }

    /// Chooses the option whose text contains `text` in the `<select>` matching `css`.
    pub async fn select_text(&self, css: &str, text: &str) -> Result<()> {
        self.reach(css).await?;
        let ok = self
            .client
            .execute(
                "const el = document.querySelector(arguments[0]);
                 const o = [...el.options].find(o => o.text.includes(arguments[1]));
                 if (!o) return false;
                 el.value = o.value; el.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                vec![json!(css), json!(text)],
            )
            .await?;
        if ok != json!(true) {
            bail!("no option containing {text:?} in {css}");
        }
        Ok(())
    }

    /// Draws a stroke across the canvas matching `css` with pointer events, as a finger would.
    pub async fn draw(&self, css: &str) -> Result<()> {
        self.reach(css).await?;
        self.client
            .execute(
                "const c = document.querySelector(arguments[0]); const r = c.getBoundingClientRect();
                 const at = (type, fx, fy) => c.dispatchEvent(new PointerEvent(type, {bubbles: true,
                     clientX: r.left + r.width * fx, clientY: r.top + r.height * fy, pointerId: 1}));
                 at('pointerdown', 0.1, 0.6);
                 for (let i = 1; i <= 20; i++) at('pointermove', 0.1 + i * 0.04, 0.6 - Math.sin(i / 3) * 0.3);
                 at('pointerup', 0.9, 0.5);",
                vec![json!(css)],
            )
            .await
            .with_context(|| format!("drawing on {css}"))?;
        Ok(())
    }

    /// Scrolls the element matching `css` to the top of the window (for screenshots).
    pub async fn scroll_to(&self, css: &str) -> Result<()> {
        self.reach(css).await?;
        self.client
            .execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", vec![json!(css)])
            .await?;
        Ok(())
    }

    /// A DOM property (e.g. `value`) of the element matching `css`.
    pub async fn prop(&self, css: &str, name: &str) -> Result<String> {
        let el = self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await
            .with_context(|| format!("waiting for {css}"))?;
        Ok(el.prop(name).await?.unwrap_or_default())
    }

    /// Polls a DOM property of the element matching `css` until `ok` accepts it (a click's
    /// effect lands a moment after the click returns); returns it.
    pub async fn wait_prop(&self, css: &str, name: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let value = self.prop(css, name).await?;
            if ok(&value) {
                return Ok(value);
            }
            if Instant::now() > deadline {
                bail!("{css}.{name} is still {value:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The decoded width of the `<img>` matching `css` (0 until the image has loaded).
    pub async fn image_width(&self, css: &str) -> Result<u64> {
        self.reach(css).await?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let width = self
                .client
                .execute("const i = document.querySelector(arguments[0]); return i && i.complete ? i.naturalWidth : 0;", vec![json!(css)])
                .await?
                .as_u64()
                .unwrap_or(0);
            if width > 0 || Instant::now() > deadline {
                return Ok(width);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the element matching `css`, and shows its step if it is in a hidden one.
    async fn reach(&self, css: &str) -> Result<fantoccini::elements::Element> {
        let el = self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await
            .with_context(|| format!("waiting for {css}"))?;
        self.reveal(css).await?;
        Ok(el)
    }

    /// The recording page shows one step at a time: an element in a hidden step is reached as
    /// a volunteer would, by tapping that step's tab in the bar at the bottom.
    async fn reveal(&self, css: &str) -> Result<()> {
        let hidden_in = self
            .client
            .execute("const el = document.querySelector(arguments[0]); const s = el && el.closest('[data-step]');
                      return s && s.hidden ? s.dataset.step : null;", vec![json!(css)])
            .await?;
        if let Some(step) = hidden_in.as_str() {
            self.step(step).await?;
        }
        Ok(())
    }

    /// On a patrol being recorded: taps the tab of `step` (attendance, checklist, findings,
    /// sign) and waits until that step shows.
    pub async fn step(&self, step: &str) -> Result<()> {
        let tab = self.client.wait().at_most(PATIENCE).for_element(Locator::Css(&format!("#step-{step}"))).await;
        tab.with_context(|| format!("the tab of step {step}"))?.click().await?;
        self.shows_step(step).await
    }

    /// Waits until the recording page shows `step`, and that step alone.
    pub async fn shows_step(&self, step: &str) -> Result<()> {
        self.wait_count(&format!("[data-step='{step}']:not([hidden])"), 1, "data-step").await?;
        let shown = self.wait_count(".step:not([hidden])", 1, "data-step").await?;
        ensure!(shown == [step], "the page shows {shown:?}, not {step} alone");
        Ok(())
    }

    /// The id of the element that has the focus now (empty for the page itself).
    pub async fn focused(&self) -> Result<String> {
        let v = self.client.execute("return document.activeElement ? document.activeElement.id : '';", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Whether the element matching `css` shows whole in the lower third of the window, where
    /// the thumb of the hand holding the phone reaches, and is what a tap at its middle hits
    /// (not covered by the step bar or anything else).
    pub async fn in_thumb_reach(&self, css: &str) -> Result<bool> {
        self.reach(css).await?;
        let v = self
            .client
            .execute("const el = document.querySelector(arguments[0]); const r = el.getBoundingClientRect();
                      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                      return r.height > 0 && r.top >= window.innerHeight * 2 / 3 && r.bottom <= window.innerHeight
                          && hit !== null && (hit === el || el.contains(hit));", vec![json!(css)])
            .await?;
        Ok(v == json!(true))
    }

    /// Lays the page out as a WebView before 84 would: no flexbox `gap` (switched off on
    /// every flex container, grids keep theirs), and the `no-flex-gap` class `main.js` sets on
    /// such an engine, whose margins stand in.
    pub async fn without_flex_gap(&self) -> Result<()> {
        self.client
            .execute(
                "document.documentElement.classList.add('no-flex-gap');
                 for (const el of document.querySelectorAll('*')) {
                   const d = getComputedStyle(el).display;
                   if (d === 'flex' || d === 'inline-flex') {
                     el.style.setProperty('column-gap', '0', 'important');
                     el.style.setProperty('row-gap', '0', 'important');
                   }
                 }",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// The least horizontal space, in CSS pixels, between neighbouring children of any
    /// visible element matching `css` that sit on one row (negative where they overlap); none
    /// when no two share a row.
    pub async fn least_space_between(&self, css: &str) -> Result<Option<f64>> {
        let v = self
            .client
            .execute(
                "let least = null;
                 for (const box of document.querySelectorAll(arguments[0])) {
                   if (box.offsetParent === null) continue;
                   const kids = Array.from(box.children).map(k => k.getBoundingClientRect()).filter(r => r.width > 0);
                   for (let i = 1; i < kids.length; i++) {
                     if (Math.abs(kids[i].top - kids[i - 1].top) > 1) continue;
                     const space = kids[i].left - kids[i - 1].right;
                     if (least === null || space < least) least = space;
                   }
                 }
                 return least;",
                vec![json!(css)],
            )
            .await?;
        Ok(v.as_f64())
    }

    /// Whether the page is longer than the window (so reaching its end takes scrolling).
    pub async fn scrolls(&self) -> Result<bool> {
        let v = self.client.execute("return document.documentElement.scrollHeight > window.innerHeight;", vec![]).await?;
        v.as_bool().context("no answer about the page's height")
    }

    /// The window at a common phone's size in CSS pixels (412×915).
    pub async fn phone_size(&self) -> Result<()> {
        self.client.set_window_size(412, 915).await.context("setting the window to 412×915")
    }

    /// Whether the control matching `css` takes no input (itself or by a disabled fieldset
    /// around it); waits for it to be there.
    pub async fn is_disabled(&self, css: &str) -> Result<bool> {
        self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await.with_context(|| format!("waiting for {css}"))?;
        let v = self.client.execute("return document.querySelector(arguments[0]).matches(':disabled');", vec![json!(css)]).await?;
        v.as_bool().with_context(|| format!("{css}: not a control"))
    }

    /// The theme the page shows: `data-theme` on `<html>` (`day` or `night`).
    pub async fn theme(&self) -> Result<String> {
        let v = self.client.execute("return document.documentElement.getAttribute('data-theme') || '';", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Polls until the page shows `theme` (see [`App::theme`]).
    pub async fn wait_theme(&self, theme: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let now = self.theme().await?;
            if now == theme {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the page shows the theme {now:?}, not {theme:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether the webview's own setting (the phone's) asks for dark pages.
    pub async fn phone_prefers_dark(&self) -> Result<bool> {
        let v = self.client.execute("return window.matchMedia('(prefers-color-scheme: dark)').matches;", vec![]).await?;
        v.as_bool().context("matchMedia did not answer")
    }

    /// Every visible text on the page (and every placeholder of an empty field) whose
    /// contrast with what is behind it is below `minimum` (WCAG's ratio, from the computed
    /// colours; disabled controls and drawings left out), as "text: ratio"; and how many
    /// texts were checked.
    pub async fn low_contrast(&self, minimum: f64) -> Result<(Vec<String>, u64)> {
        let found = self.client.execute(CONTRAST_JS, vec![json!(minimum)]).await?;
        let low = found.get("low").and_then(|l| l.as_array()).context("the contrast script gave no list")?;
        let checked = found.get("checked").and_then(serde_json::Value::as_u64).context("the contrast script gave no count")?;
        Ok((low.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(), checked))
    }

    /// Fails naming `what` when any text reads below 4.5:1 ([`App::low_contrast`]), or when
    /// fewer than `at_least` texts were checked (too few to mean it).
    pub async fn readable(&self, what: &str, at_least: u64) -> Result<()> {
        let (low, checked) = self.low_contrast(4.5).await?;
        anyhow::ensure!(low.is_empty(), "{what} has text below 4.5:1: {low:?}");
        anyhow::ensure!(checked >= at_least, "{what}: only {checked} texts were checked");
        Ok(())
    }

    /// The page shown now, in `theme`: no text under 4.5:1 (and at least `at_least` texts
    /// checked, to mean it), then kept as `page-<name>-<theme>.png` in the artifacts.
    pub async fn page(&self, name: &str, theme: &str, at_least: u64) -> Result<()> {
        self.readable(&format!("{name} in the {theme} theme"), at_least).await?;
        self.screenshot(&format!("page-{name}-{theme}")).await?;
        Ok(())
    }

    /// The page shown now in both themes, each read as [`App::page`] does. The palette is
    /// switched on the page itself (the attribute the theme's code sets) and put back, so a
    /// page deep in a flow (a review from another phone) is read without leaving it; `pages.rs`
    /// and `night.rs` go through the volunteer's own choice.
    pub async fn page_in_both_themes(&self, name: &str, at_least: u64) -> Result<()> {
        const SET: &str = "document.documentElement.setAttribute('data-theme', arguments[0]);";
        let before = self.theme().await?;
        for theme in ["day", "night"] {
            self.client.execute(SET, vec![json!(theme)]).await?;
            self.page(name, theme, at_least).await?;
        }
        self.client.execute(SET, vec![json!(before)]).await?;
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

    /// A picture of the screen with the element matching `css` in the middle, as PNG: what a
    /// camera pointed at this phone would take (frames for another instance's test camera).
    pub async fn picture_of(&self, css: &str) -> Result<Vec<u8>> {
        self.client.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await.with_context(|| format!("waiting for {css}"))?;
        self.client
            .execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", vec![json!(css)])
            .await
            .with_context(|| format!("scrolling to {css}"))?;
        Ok(self.client.screenshot().await?)
    }

    /// Ends a session whose app was killed; the driver may answer with an error, which is fine.
    pub async fn forget(self) {
        let _ = self.client.close().await;
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// WCAG contrast of each visible text against the first opaque background behind it.
const CONTRAST_JS: &str = r#"
const minimum = arguments[0];
const rgba = s => { const p = (s.match(/[\d.]+/g) || ['0', '0', '0', '0']).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const behind = el => { for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
const low = [];
let checked = 0;
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg, canvas, option, :disabled, [hidden]')) continue;
  const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
  const field = el.tagName === 'INPUT' || el.tagName === 'TEXTAREA';
  const value = field ? el.value : (el.tagName === 'SELECT' ? (el.selectedOptions[0] || {}).text || '' : '');
  // An empty field shows its placeholder, in the placeholder's colour.
  const placeholder = field && !el.value && el.placeholder;
  const text = own || value || placeholder || '';
  if (!text || el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
  const fg = rgba(getComputedStyle(el, placeholder ? '::placeholder' : null).color), bg = behind(el);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  checked += 1;
  if (ratio < minimum) low.push(text.slice(0, 30) + ': ' + ratio.toFixed(2));
}
return { low, checked };
"#;

/// Kills the app that uses `data_dir` with SIGKILL, as a phone's OS or a flat battery would.
pub fn kill_app_hard(data_dir: &Path) -> Result<()> {
    let app = std::fs::canonicalize(env_path("REDVEST_APP_BIN")?)?;
    let marker = format!("REDVEST_DATA_DIR={}", data_dir.display());
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let exe = std::fs::read_link(entry.path().join("exe")).ok();
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let ours = environ.split(|b| *b == 0).any(|kv| kv == marker.as_bytes());
        if exe.as_deref() == Some(app.as_path()) && ours {
            // SAFETY: sending a signal to a process we found by its executable and data dir.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            killed += 1;
        }
    }
    if killed == 0 {
        bail!("no running app found for {}", data_dir.display());
    }
    Ok(())
}

/// Writes a 1200 × 900 JPEG test photo (a colour gradient) to `path`.
pub fn test_jpeg(path: &Path) -> Result<()> {
    let img = image::RgbImage::from_fn(1200, 900, |x, y| image::Rgb([(x / 5) as u8, (y / 4) as u8, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img)?;
    std::fs::write(path, out)?;
    Ok(())
}

/// Reads one value from the app's SQLite database, as a check of what is durable on disk.
pub fn query_db(data_dir: &Path, sql: &str) -> Result<Option<String>> {
    let conn = rusqlite::Connection::open_with_flags(
        data_dir.join("redvest.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    match conn.query_row(sql, [], |r| r.get::<_, String>(0)) {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The patrols in an app's data folder, oldest first, as the UI names them (UUID text).
pub fn patrol_ids(data_dir: &Path) -> Result<Vec<String>> {
    let hex = query_db(data_dir, "SELECT group_concat(lower(hex(id)), ',') FROM (SELECT id FROM patrol ORDER BY started_at)")?.unwrap_or_default();
    Ok(hex
        .split(',')
        .filter(|h| h.len() == 32)
        .map(|h| format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
        .collect())
}

/// The real county next to the app: its binary, a database of its own on the test cluster,
/// the clerk's commands, and the server on a port.
pub mod county {
    use std::net::TcpStream;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use anyhow::{bail, Context, Result};

    fn bin() -> Result<std::path::PathBuf> {
        let app = std::env::var_os("REDVEST_APP_BIN").context("REDVEST_APP_BIN is set by `cargo xtask test`")?;
        Ok(std::path::Path::new(&app).with_file_name("redvest-county"))
    }

    /// A fresh database on the test cluster (`DATABASE_URL`), named after `test`.
    pub fn fresh_database(test: &str) -> Result<String> {
        let url = std::env::var("DATABASE_URL").context("DATABASE_URL is set by `cargo xtask test`")?;
        let name = format!("e2e_{test}_{}", std::process::id());
        let status = Command::new("psql").arg(&url).args(["-q", "-c", &format!("CREATE DATABASE {name}")]).status().context("psql")?;
        anyhow::ensure!(status.success(), "creating database {name}");
        let (server, _) = url.rsplit_once('/').context("DATABASE_URL has a database name")?;
        Ok(format!("{server}/{name}"))
    }

    /// A clerk's command (`team-create`, `enrol-code`, …); its output, trimmed.
    pub fn clerk(db: &str, args: &[&str]) -> Result<String> {
        let out = Command::new(bin()?).arg("--database-url").arg(db).args(args).output().context("redvest-county")?;
        anyhow::ensure!(out.status.success(), "redvest-county {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// One value from the county's database.
    pub fn query(db: &str, sql: &str) -> Result<String> {
        let out = Command::new("psql").arg(db).args(["-tA", "-c", sql]).output().context("psql")?;
        anyhow::ensure!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    /// The county serving; stopped when dropped.
    pub struct County(Child);

    impl Drop for County {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Where the county serving `db` keeps photo bytes (the same across restarts).
    pub fn photos_dir(db: &str) -> std::path::PathBuf {
        let name = db.rsplit('/').next().unwrap_or("county");
        std::env::temp_dir().join("redvest-e2e-county-photos").join(name)
    }

    /// A complete photo's bytes as the county serving `db` stored them.
    pub fn photo(db: &str, sha: &str) -> Result<Vec<u8>> {
        let path = photos_dir(db).join("photos").join(sha.get(..2).unwrap_or_default()).join(sha);
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    }

    /// Serves `db` on `127.0.0.1:port` once it listens.
    pub fn serve(db: &str, port: u16) -> Result<County> {
        let child = Command::new(bin()?)
            .arg("--database-url")
            .arg(db)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--photos")
            .arg(photos_dir(db))
            .stdout(Stdio::null())
            .spawn()
            .context("starting the county")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("the county did not listen on {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(County(child))
    }
}
