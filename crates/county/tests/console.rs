//! The county console through a real browser: Debian's `chromium` driven by `chromedriver`
//! (package `chromium-driver`, installed by `cargo xtask test`), against the real server and
//! PostgreSQL, with a patrol pushed by the real device client.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{base_url, county, sealed_patrol, team_device};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::admin;
use sqlx::PgPool;

const PASSWORD: &str = "县里的密码-2026";

/// chromedriver on a free port; stopped when dropped.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian package chromium-driver; `cargo xtask test` installs it)");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver(child, port)
}

async fn browser(driver: &Driver) -> Client {
    let caps = serde_json::json!({
        "goog:chromeOptions": { "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--lang=zh-CN"] }
    });
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps.as_object().cloned().expect("caps"))
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a chromium session")
}

async fn text(c: &Client, css: &str) -> String {
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

/// Waits until the element's text holds `needle` (after a click, the page before may still be
/// showing an element of the same id), and returns it.
async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if now.contains(needle) {
            return now;
        }
        assert!(Instant::now() < deadline, "{css} never said {needle:?}; it says {now:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Posts a form from the page the browser is on (its session, its origin); the status.
async fn post_form(c: &Client, path: &str, form: &str) -> serde_json::Value {
    c.execute(
        "return fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: arguments[1]}).then(r => r.status);",
        vec![serde_json::json!(path), serde_json::json!(form)],
    )
    .await
    .expect("fetch")
}

async fn login(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/console/login")).await.expect("login page");
    c.find(Locator::Css("#login")).await.expect("login").send_keys(user).await.expect("type");
    c.find(Locator::Css("#password")).await.expect("password").send_keys(password).await.expect("type");
    c.find(Locator::Css("#login-button")).await.expect("button").click().await.expect("click");
    // The answer: the console (its header names the clerk) or the form with the refusal.
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#who, #login-error")).await.expect("the login answered");
}

async fn screenshot(c: &Client, name: &str) {
    let Some(dir) = std::env::var_os("REDVEST_ARTIFACTS").map(|d| std::path::PathBuf::from(d).join("console")) else { return };
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// The county most tests start from: 城关镇 with the team, 河西镇 without; a county admin
/// `zhangli` and a 河西镇 clerk `hexi`; the server; the team's phone, which has pushed a sealed
/// patrol with a photo, a 60-fix track and an escalated hazard.
struct Scene {
    team: uuid::Uuid,
    base: String,
    phone: std::sync::Arc<redvest_core::fixtures::Device>,
    patrol: uuid::Uuid,
    hazard: uuid::Uuid,
}

async fn scene(pool: &PgPool) -> Scene {
    let (db, team, code) = county(pool.clone()).await;
    let chengguan = admin::create_township(&db, "城关镇").await.expect("township");
    let hexi = admin::create_township(&db, "河西镇").await.expect("township");
    admin::set_team_township(&db, team, chengguan).await.expect("team in 城关镇");
    admin::add_clerk(&db, "zhangli", "张丽(县综治中心)", PASSWORD, None, true).await.expect("county clerk");
    admin::add_clerk(&db, "hexi", "河西镇综治中心", PASSWORD, Some(hexi), false).await.expect("township clerk");
    let base = base_url(db.clone()).await;
    let phone = team_device(base.clone(), code, SyncOptions::default()).await;
    let d = phone.clone();
    let (patrol, hazard) = tokio::task::spawn_blocking(move || {
        let (patrol, hazard, _) = sealed_patrol(&d, 1, 60);
        sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("sync");
        (patrol, hazard)
    })
    .await
    .expect("join");
    Scene { team, base, phone, patrol, hazard }
}

#[sqlx::test(migrations = false)]
async fn a_clerk_logs_in_sees_a_pushed_patrol_verified_and_a_township_clerk_sees_only_their_own(pool: PgPool) {
    // A patrol with a photo and a track, pushed by the real device client.
    let Scene { base, phone: d, patrol, .. } = scene(&pool).await;

    let driver = chromedriver();
    let c = browser(&driver).await;
    // Not logged in: the console sends you to the login page.
    c.goto(&format!("{base}/console/patrols")).await.expect("goto");
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#login-form")).await.expect("sent to the login page");
    login(&c, &base, "zhangli", "wrong-password").await;
    assert!(text(&c, "#login-error").await.contains("用户名或密码不对"));
    screenshot(&c, "login-refused").await;
    login(&c, &base, "zhangli", PASSWORD).await;
    c.goto(&format!("{base}/console/patrols")).await.expect("patrols");
    assert!(text(&c, "#total").await.contains("共 1 条"));
    assert!(text(&c, "#who").await.contains("全县"));
    screenshot(&c, "patrols").await;
    c.find(Locator::Css("a.patrol-link")).await.expect("row").click().await.expect("open");
    let verification = text(&c, "#verification").await;
    assert!(verification.contains("巡查人签名有效") && verification.contains("队长复核签名有效"), "{verification}");
    assert!(verification.contains("装订链第 1 条,链接有效"), "{verification}");
    assert!(text(&c, "#attendance").await.contains("王芳"));
    assert!(text(&c, "#findings").await.contains("安全出口堵塞"));
    let checks = text(&c, "#checks").await;
    assert!(checks.contains("疏散通道、安全出口是否被占用、堵塞、封闭 · 发现问题") && !checks.contains("WS-01"), "items by their text: {checks}");
    let photo_loaded = c
        .execute("const i = document.querySelector('#findings img.thumb'); return i.complete && i.naturalWidth > 0;", vec![])
        .await
        .expect("js");
    assert_eq!(photo_loaded, serde_json::json!(true), "the photo shows");
    let fixes = d.store.track(patrol).expect("her track").len();
    let drawn = text(&c, "#track").await;
    assert!(fixes > 1 && drawn.contains(&format!("{fixes} 个定位点")), "the track is drawn with its {fixes} fixes: {drawn}");
    assert!(c.find(Locator::Css("#track svg polyline")).await.is_ok(), "as an SVG line");
    screenshot(&c, "patrol").await;

    // The session expires: back to the login page.
    sqlx::query("UPDATE clerk_session SET expires_at = now() - interval '1 second'").execute(&pool).await.expect("expire");
    c.goto(&format!("{base}/console/patrols/{patrol}")).await.expect("goto");
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#login-form")).await.expect("an expired session logs out");

    // A township clerk of 河西镇 sees none of 城关镇's patrols, not even by link.
    login(&c, &base, "hexi", PASSWORD).await;
    c.goto(&format!("{base}/console/patrols")).await.expect("patrols");
    assert!(text(&c, "#total").await.contains("共 0 条"));
    c.goto(&format!("{base}/console/patrols/{patrol}")).await.expect("goto");
    assert!(text(&c, "#problem").await.contains("无权查看"));
    c.goto(&format!("{base}/console/patrols")).await.expect("goto");
    c.find(Locator::Css("#logout")).await.expect("logout").click().await.expect("click");
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#login-form")).await.expect("logged out, at the login page");

    // The audit log has it all; a county clerk reads it.
    login(&c, &base, "zhangli", PASSWORD).await;
    c.goto(&format!("{base}/console/audit")).await.expect("goto");
    let audit = text(&c, "#audit-table").await;
    for what in ["登录失败", "登录", "退出"] {
        assert!(audit.contains(what), "{what} in the audit log: {audit}");
    }
    screenshot(&c, "audit").await;
    c.close().await.expect("close");

    // A form posted from anywhere but the console itself is refused (CSRF), with or without
    // an Origin.
    let http = reqwest::Client::new();
    for origin in [None, Some("http://evil.example")] {
        let mut post = http.post(format!("{base}/console/login")).form(&[("login", "zhangli"), ("password", PASSWORD)]);
        if let Some(o) = origin {
            post = post.header("Origin", o);
        }
        assert_eq!(post.send().await.expect("post").status(), 403, "origin {origin:?}");
    }
}

/// Wrong passwords make the next try wait, and the wait is said in Chinese.
#[sqlx::test(migrations = false)]
async fn wrong_passwords_make_the_next_try_wait(pool: PgPool) {
    let (db, _, _) = county(pool.clone()).await;
    admin::add_clerk(&db, "zhangli", "张丽", PASSWORD, None, false).await.expect("clerk");
    let base = base_url(db.clone()).await;
    let http = reqwest::Client::new();
    let post = |password: &'static str| {
        http.post(format!("{base}/console/login")).header("Origin", base.clone()).form(&[("login", "zhangli"), ("password", password)]).send()
    };
    for _ in 0..3 {
        assert!(post("nope-nope-nope").await.expect("post").text().await.expect("text").contains("用户名或密码不对"));
    }
    // The fourth try, even with the right password, must wait.
    let page = post(PASSWORD).await.expect("post").text().await.expect("text");
    assert!(page.contains("密码错误次数过多"), "{page}");
}

async fn set(c: &Client, css: &str, value: &str) {
    c.execute("document.querySelector(arguments[0]).value = arguments[1];", vec![serde_json::json!(css), serde_json::json!(value)])
        .await
        .unwrap_or_else(|e| panic!("setting {css}: {e}"));
}

/// A clerk publishes the month's plan and an alert in the console; the team's phone has the
/// duty in today's list and the alert after its next sync; both are in the audit log.
#[sqlx::test(migrations = false)]
async fn a_plan_and_an_alert_published_in_the_console_reach_the_phone(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    admin::add_clerk(&db, "zhangli", "张丽(县综治中心)", PASSWORD, None, false).await.expect("clerk");
    let base = base_url(db.clone()).await;
    let d = team_device(base.clone(), code, SyncOptions::default()).await;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let now = chrono::Utc::now().with_timezone(&beijing);

    let driver = chromedriver();
    let c = browser(&driver).await;
    login(&c, &base, "zhangli", PASSWORD).await;
    c.goto(&format!("{base}/console/plans")).await.expect("plans");
    set(&c, "#plan-team", &team.to_string()).await;
    set(&c, "#plan-month", &now.format("%Y-%m").to_string()).await;
    set(&c, "select[name='assignment0']", "post.night_patrol").await;
    set(&c, "input[name='place0']", "县城东门").await;
    set(&c, "input[name='time0']", "21:30").await;
    set(&c, "input[name='days0']", "99").await;
    c.find(Locator::Css("#publish-plan")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#error", "第 1 行").await;
    set(&c, "#plan-team", &team.to_string()).await;
    set(&c, "#plan-month", &now.format("%Y-%m").to_string()).await;
    set(&c, "select[name='assignment0']", "post.night_patrol").await;
    set(&c, "input[name='place0']", "县城东门").await;
    set(&c, "input[name='time0']", "21:30").await;
    set(&c, "input[name='days0']", &now.format("%-d").to_string()).await;
    c.find(Locator::Css("#publish-plan")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#done", "勤务计划已发布(1 项)").await;

    set(&c, "#alert-team", &team.to_string()).await;
    set(&c, "#alert-text", "今晚有大风,注意广告牌").await;
    set(&c, "#alert-area", "场镇").await;
    set(&c, "#alert-from", &(now - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string()).await;
    set(&c, "#alert-to", &(now + chrono::Duration::hours(12)).format("%Y-%m-%dT%H:%M").to_string()).await;
    c.find(Locator::Css("#publish-alert")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#done", "提示已发布").await;
    screenshot(&c, "plans").await;
    c.goto(&format!("{base}/console/audit")).await.expect("audit");
    let audit = text(&c, "#audit-table").await;
    assert!(audit.contains("发布勤务计划") && audit.contains("发布提示短信"), "{audit}");
    c.close().await.expect("close");

    let d2 = d.clone();
    tokio::task::spawn_blocking(move || sync_once(&d2.store, SyncOptions::default(), &|_| {})).await.expect("join").expect("sync");
    let today = d.store.today(now).expect("today");
    assert!(today.duties.iter().any(|t| t.duty.place == "县城东门"), "the plan's duty is in today's list: {:?}", today.duties);
    assert!(d.store.alerts(chrono::Utc::now()).expect("alerts").iter().any(|a| a.text.contains("大风")));
}

/// A hazard a volunteer escalated is in the register with its photo; a clerk who tries to
/// assign it without a responsible person is told what is missing; 销号 goes into its history
/// and reaches the phone on its next pull; another township's clerk cannot open it.
#[sqlx::test(migrations = false)]
async fn a_hazard_closed_in_the_console_reaches_the_phone(pool: PgPool) {
    let Scene { team, base, phone: d, hazard, .. } = scene(&pool).await;

    let driver = chromedriver();
    let c = browser(&driver).await;
    login(&c, &base, "zhangli", PASSWORD).await;
    c.goto(&format!("{base}/console/hazards")).await.expect("register");
    assert!(text(&c, "#total").await.contains("共 1 条"));
    let listed = text(&c, "#hazard-table").await;
    assert!(listed.contains("安全出口堵塞") && listed.contains("已上报"), "{listed}");
    screenshot(&c, "hazards").await;
    c.find(Locator::Css("a.hazard-link")).await.expect("row").click().await.expect("open");
    assert!(text(&c, "#history").await.contains("巡查发现"));
    let photo_loaded = c
        .execute("const i = document.querySelector('#report img.thumb'); return !!i && i.complete && i.naturalWidth > 0;", vec![])
        .await
        .expect("js");
    assert_eq!(photo_loaded, serde_json::json!(true), "the hazard's photo shows");

    set(&c, "#action", "assign").await;
    c.find(Locator::Css("#decide-button")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#error", "责任人").await;
    set(&c, "#action", "close").await;
    set(&c, "#reason", "县里复查已整改").await;
    c.find(Locator::Css("#decide-button")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#done", "已销号").await;
    assert_eq!(text(&c, "#state").await, "已销号");
    let history = text(&c, "#history").await;
    assert!(history.contains("销号") && history.contains("县里复查已整改") && history.contains("县综治中心"), "{history}");
    assert!(c.find(Locator::Css("#decision-form")).await.is_err(), "a closed hazard takes no more decisions");
    screenshot(&c, "hazard").await;
    c.goto(&format!("{base}/console/audit")).await.expect("audit");
    assert!(text(&c, "#audit-table").await.contains("销号隐患"));

    // Another township's clerk: not by the list, not by link.
    c.find(Locator::Css("#logout")).await.expect("logout").click().await.expect("click");
    login(&c, &base, "hexi", PASSWORD).await;
    c.goto(&format!("{base}/console/hazards?state=all")).await.expect("register");
    assert!(text(&c, "#total").await.contains("共 0 条"));
    c.goto(&format!("{base}/console/hazards/{hazard}")).await.expect("goto");
    assert!(text(&c, "#problem").await.contains("无权查看"));
    // Nor by a form of their own: a decision, an enrolment code, a revocation.
    let device: uuid::Uuid = sqlx::query_scalar("SELECT id FROM device LIMIT 1").fetch_one(&pool).await.expect("device");
    c.goto(&format!("{base}/console/hazards")).await.expect("own page");
    for (path, form) in [
        (format!("/console/hazards/{hazard}"), "action=assign&responsible=x&deadline=2099-01-01"),
        (format!("/console/teams/{team}/code"), ""),
        (format!("/console/teams/{team}/devices/{device}/revoke"), ""),
    ] {
        assert_eq!(post_form(&c, &path, form).await, serde_json::json!(404), "{path}");
    }
    let untouched: (i64, i64) = sqlx::query_as("SELECT (SELECT count(*) FROM enrolment_code WHERE team_id = $1), (SELECT count(*) FROM device WHERE revoked_at IS NOT NULL)")
        .bind(team)
        .fetch_one(&pool)
        .await
        .expect("q");
    assert_eq!(untouched, (1, 0), "no code issued, no phone revoked");
    c.close().await.expect("close");

    let d2 = d.clone();
    tokio::task::spawn_blocking(move || sync_once(&d2.store, SyncOptions::default(), &|_| {})).await.expect("join").expect("sync");
    let on_phone = d.store.hazard_on(hazard, chrono::Utc::now().date_naive()).expect("hazard");
    assert_eq!(on_phone.state, redvest_shared::hazard::HazardState::Closed, "the phone has the county's 销号");
    assert!(on_phone.history.iter().any(|e| e.by == "县综治中心" && e.reason == "县里复查已整改"), "{:?}", on_phone.history);
}

/// The overview counts today's duties against the patrols that arrived, names a phone silent
/// for 4 days and the alert in force; the team page shows the roster with keys and issues an
/// enrolment code a new phone enrols with; a revoked phone can no longer sync.
#[sqlx::test(migrations = false)]
async fn the_overview_counts_the_day_and_the_team_page_enrols_and_revokes_phones(pool: PgPool) {
    let (db, team, code) = county(pool.clone()).await;
    admin::add_clerk(&db, "zhangli", "张丽(县综治中心)", PASSWORD, None, false).await.expect("clerk");
    let base = base_url(db.clone()).await;
    let d = team_device(base.clone(), code, SyncOptions::default()).await;
    let second = team_device(base.clone(), admin::issue_code(&db, team, chrono::Utc::now()).await.expect("code"), SyncOptions::default()).await;

    // Today's plan (Beijing): one duty patrolled, one late tonight, one at midnight that is
    // missed once 02:00 has passed.
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let now = chrono::Utc::now().with_timezone(&beijing);
    let duty = |time: (u32, u32), place: &str| redvest_shared::wire::PlanDuty {
        id: uuid::Uuid::now_v7(),
        assignment: redvest_shared::duty::Assignment::Post(redvest_shared::duty::Post::NightPatrol),
        place: place.into(),
        time: chrono::NaiveTime::from_hms_opt(time.0, time.1, 0).expect("time"),
        dates: vec![now.date_naive()],
    };
    let (patrolled, tonight, midnight) = (duty((23, 58), "东门"), duty((23, 59), "西门"), duty((0, 0), "南门"));
    let month = now.format("%Y-%m").to_string();
    admin::publish_plan(&db, team, &month, vec![patrolled.clone(), tonight, midnight]).await.expect("plan");
    admin::publish_alert(&db, team, "今晚有大风,注意广告牌", "场镇", chrono::Utc::now() - chrono::Duration::hours(1), chrono::Utc::now() + chrono::Duration::hours(6))
        .await
        .expect("alert");
    {
        let d = d.clone();
        tokio::task::spawn_blocking(move || {
            sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("the plan reaches the phone");
            redvest_core::fixtures::patrol_for_duty(&d, patrolled.id, chrono::Utc::now());
            sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("the patrol reaches the county");
        })
        .await
        .expect("join");
    }
    let second_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM device WHERE team_id = $1 ORDER BY created_at DESC LIMIT 1").bind(team).fetch_one(&pool).await.expect("q");
    sqlx::query("UPDATE device SET last_seen_at = now() - interval '4 days' WHERE id = $1").bind(second_id).execute(&pool).await.expect("4 days silent");

    let driver = chromedriver();
    let c = browser(&driver).await;
    login(&c, &base, "zhangli", PASSWORD).await;
    // Missed once its time is more than two hours past (the overview's rule), read at the
    // moment the page is asked for.
    let local = chrono::Utc::now().with_timezone(&beijing);
    let missed = i64::from(local.time() > chrono::NaiveTime::from_hms_opt(2, 0, 0).expect("02:00"));
    assert_eq!(text(&c, "#done").await, "1", "the patrolled duty is done");
    assert_eq!(text(&c, "#missed").await, missed.to_string());
    assert_eq!(text(&c, "#due").await, (2 - missed).to_string());
    assert_eq!(text(&c, "#silent").await, "1", "the phone silent for 4 days");
    assert!(text(&c, "#alerts").await.contains("今晚有大风"));
    screenshot(&c, "overview").await;

    c.goto(&format!("{base}/console/teams/{team}")).await.expect("team");
    assert!(text(&c, "main").await.contains("已确认成员 2 人"));
    let members = text(&c, "#members").await;
    assert!(members.contains("李强") && members.contains("队长") && members.contains("有效"), "the leader with a key: {members}");
    c.find(Locator::Css("#issue-code")).await.expect("button").click().await.expect("click");
    let code = text(&c, "#code").await;
    assert!(code.len() == 14 && code.chars().filter(char::is_ascii_digit).count() == 12, "a 12-digit code: {code}");
    assert!(c.find(Locator::Css("#enrol svg")).await.is_ok(), "and its QR code");
    screenshot(&c, "team").await;
    let third = team_device(base.clone(), code, SyncOptions::default()).await;
    c.goto(&format!("{base}/console/teams/{team}")).await.expect("team");
    assert_eq!(c.find_all(Locator::Css("#devices button.revoke")).await.expect("rows").len(), 3, "the new phone is listed");
    c.find(Locator::Css("#devices button.revoke")).await.expect("revoke").click().await.expect("click");
    wait_text(&c, "#done", "已停用").await;
    c.close().await.expect("close");
    // The newest phone is first in the list: the one just enrolled, now refused.
    let refused = tokio::task::spawn_blocking(move || sync_once(&third.store, SyncOptions::default(), &|_| {})).await.expect("join");
    assert!(matches!(refused, Err(redvest_core::sync::SyncFailure::Revoked(_))), "a revoked phone cannot sync: {refused:?}");
    drop(second);
}

async fn log_out(c: &Client) {
    c.find(Locator::Css("#logout")).await.expect("logout").click().await.expect("click");
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#login-form")).await.expect("logged out");
}

/// A county admin adds a township clerk in the console (a mismatched password and a taken
/// login are refused by name first); the new clerk logs in to their township, cannot manage
/// users, changes their password; the admin disables them and they can no longer log in.
#[sqlx::test(migrations = false)]
async fn an_admin_adds_a_clerk_who_changes_their_password_and_is_then_disabled(pool: PgPool) {
    let (db, _, _) = county(pool.clone()).await;
    let chengguan = admin::create_township(&db, "城关镇").await.expect("township");
    admin::add_clerk(&db, "zhangli", "张丽(县综治中心)", PASSWORD, None, true).await.expect("county admin");
    let base = base_url(db.clone()).await;
    let driver = chromedriver();
    let c = browser(&driver).await;
    login(&c, &base, "zhangli", PASSWORD).await;
    c.goto(&format!("{base}/console/clerks")).await.expect("clerks");
    let fill = |login: &'static str, second: &'static str| {
        let c = c.clone();
        async move {
            set(&c, "#new-login", login).await;
            set(&c, "#new-name", "城关镇综治中心").await;
            set(&c, "#new-township", &chengguan.to_string()).await;
            set(&c, "#new-password", "初始密码-123456").await;
            set(&c, "#new-password2", second).await;
            c.find(Locator::Css("#add-clerk")).await.expect("button").click().await.expect("click");
        }
    };
    fill("chengguan", "另一个密码-123456").await;
    wait_text(&c, "#error", "两次输入的初始密码不一样").await;
    fill("zhangli", "初始密码-123456").await;
    wait_text(&c, "#error", "这个登录名已经有人用了").await;
    fill("chengguan", "初始密码-123456").await;
    wait_text(&c, "#done", "已添加用户 chengguan").await;
    assert!(text(&c, "#clerk-table").await.contains("城关镇"));
    screenshot(&c, "clerks").await;
    let by: String = sqlx::query_scalar("SELECT login FROM audit_log WHERE action = '添加用户' AND detail LIKE 'chengguan%'").fetch_one(&pool).await.expect("audit");
    assert_eq!(by, "zhangli", "the audit log names the admin who added the clerk");
    log_out(&c).await;

    login(&c, &base, "chengguan", "初始密码-123456").await;
    assert!(text(&c, "#who").await.contains("城关镇"));
    c.goto(&format!("{base}/console/clerks")).await.expect("clerks");
    assert!(text(&c, "#problem").await.contains("无权查看"), "not an admin");
    c.goto(&format!("{base}/console/password")).await.expect("password");
    set(&c, "#old-password", "不是原密码-000").await;
    set(&c, "#new-password", "新的密码-7654321").await;
    set(&c, "#new-password2", "新的密码-7654321").await;
    c.find(Locator::Css("#change-password")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#error", "原密码不对").await;
    set(&c, "#old-password", "初始密码-123456").await;
    set(&c, "#new-password", "新的密码-7654321").await;
    set(&c, "#new-password2", "新的密码-7654321").await;
    c.find(Locator::Css("#change-password")).await.expect("button").click().await.expect("click");
    wait_text(&c, "#done", "密码已修改").await;
    log_out(&c).await;
    login(&c, &base, "chengguan", "新的密码-7654321").await;
    assert!(text(&c, "#who").await.contains("城关镇"), "the new password logs in");
    log_out(&c).await;

    login(&c, &base, "zhangli", PASSWORD).await;
    c.goto(&format!("{base}/console/clerks")).await.expect("clerks");
    c.find(Locator::Css("button.disable[data-login='chengguan']")).await.expect("disable").click().await.expect("click");
    wait_text(&c, "#done", "已停用").await;
    log_out(&c).await;
    login(&c, &base, "chengguan", "新的密码-7654321").await;
    assert!(text(&c, "#login-error").await.contains("用户名或密码不对"), "a disabled clerk cannot log in");

    // A township admin manages their township only: no county clerk to disable, no admin to
    // make, no clerk of another township.
    admin::add_clerk(&db, "cgadmin", "城关镇管理员", PASSWORD, Some(chengguan), true).await.expect("township admin");
    let zhangli: uuid::Uuid = sqlx::query_scalar("SELECT id FROM clerk WHERE login = 'zhangli'").fetch_one(&pool).await.expect("id");
    login(&c, &base, "cgadmin", PASSWORD).await;
    c.goto(&format!("{base}/console/clerks")).await.expect("clerks");
    assert!(!text(&c, "#clerk-table").await.contains("zhangli"), "the county's clerks are not theirs to see");
    assert_eq!(post_form(&c, &format!("/console/clerks/{zhangli}/disable"), "").await, serde_json::json!(404));
    let form = "login=xiaowang&name=%E5%B0%8F%E7%8E%8B&township=&admin=on&password=%E5%88%9D%E5%A7%8B%E5%AF%86%E7%A0%81-123456&password2=%E5%88%9D%E5%A7%8B%E5%AF%86%E7%A0%81-123456";
    assert_eq!(post_form(&c, "/console/clerks", form).await, serde_json::json!(200));
    let (township, is_admin): (Option<uuid::Uuid>, bool) =
        sqlx::query_as("SELECT township_id, is_admin FROM clerk WHERE login = 'xiaowang'").fetch_one(&pool).await.expect("added");
    assert_eq!((township, is_admin), (Some(chengguan), false), "added to 城关镇, and not as an admin");
    let disabled: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar("SELECT disabled_at FROM clerk WHERE login = 'zhangli'").fetch_one(&pool).await.expect("q");
    assert!(disabled.is_none());
    c.close().await.expect("close");
}

/// Keyboard only: the login form and the navigation work with Tab and Enter. On a tablet
/// (768 wide) no page is wider than the screen (wide tables scroll within themselves).
#[sqlx::test(migrations = false)]
async fn the_console_works_by_keyboard_and_fits_a_tablet(pool: PgPool) {
    let Scene { team, base, patrol, hazard, .. } = scene(&pool).await;
    let driver = chromedriver();
    let c = browser(&driver).await;
    const TAB: &str = "\u{E004}";
    const ENTER: &str = "\u{E007}";
    c.goto(&format!("{base}/console/login")).await.expect("login page");
    // The login field has the focus on arrival.
    c.active_element().await.expect("focus").send_keys(&format!("zhangli{TAB}{PASSWORD}{ENTER}")).await.expect("type");
    assert!(text(&c, "#who").await.contains("张丽"), "logged in by keyboard");
    // Tab through the page to 隐患台账 and open it with Enter.
    let mut reached = false;
    for _ in 0..20 {
        c.active_element().await.expect("focus").send_keys(TAB).await.expect("tab");
        let focused = c.execute("return document.activeElement.textContent.trim();", vec![]).await.expect("js");
        if focused == serde_json::json!("隐患台账") {
            reached = true;
            break;
        }
    }
    assert!(reached, "隐患台账 is reachable by Tab");
    c.active_element().await.expect("focus").send_keys(ENTER).await.expect("enter");
    assert!(text(&c, "h1").await.contains("隐患台账"));

    // Every page, as a clerk's 1366×768 screen shows it (kept as artifacts), then on a tablet.
    let pages = [
        "/console".to_owned(),
        "/console/teams".to_owned(),
        format!("/console/teams/{team}"),
        "/console/patrols".to_owned(),
        format!("/console/patrols/{patrol}"),
        "/console/hazards".to_owned(),
        format!("/console/hazards/{hazard}"),
        "/console/plans".to_owned(),
        "/console/audit".to_owned(),
        "/console/clerks".to_owned(),
        "/console/password".to_owned(),
    ];
    for path in &pages {
        c.goto(&format!("{base}{path}")).await.expect("page");
        text(&c, "h1").await;
        let name = path.trim_start_matches("/console").trim_start_matches('/').split('/').next().filter(|p| !p.is_empty()).unwrap_or("overview");
        let name = if path.matches('/').count() > 2 { format!("1366-{name}-one") } else { format!("1366-{name}") };
        screenshot(&c, &name).await;
    }
    c.set_window_size(768, 1024).await.expect("tablet");
    for path in &pages {
        c.goto(&format!("{base}{path}")).await.expect("page");
        text(&c, "h1").await;
        let fits = c.execute("return document.documentElement.scrollWidth <= window.innerWidth + 1;", vec![]).await.expect("js");
        assert_eq!(fits, serde_json::json!(true), "{path} is wider than a tablet");
    }
    c.goto(&format!("{base}/console/hazards")).await.expect("page");
    screenshot(&c, "tablet-hazards").await;
    c.close().await.expect("close");
}

#[sqlx::test(migrations = false)]
async fn the_report_page_shows_the_period_and_downloads_it_within_the_clerks_scope(pool: PgPool) {
    let s = scene(&pool).await;
    let driver = chromedriver();
    let c = browser(&driver).await;
    login(&c, &s.base, "zhangli", PASSWORD).await;
    c.find(Locator::Css("nav a[href='/console/reports']")).await.expect("统计报表 in the menu").click().await.expect("click");
    text(&c, "#period").await;
    // The scene's patrol started on 2026-11-25 (Beijing): 下旬.
    set(&c, "#period", "2026-11-下旬").await;
    c.find(Locator::Css("form.filters button")).await.expect("查看").click().await.expect("click");
    wait_text(&c, "#title", "2026年11月下旬 统计").await;
    let table = text(&c, "#report-table").await;
    assert!(table.contains("城关镇红马甲巡防队") && table.contains("全县"), "{table}");
    let row = text(&c, "#report-table tbody tr:first-child").await;
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells.get(7).copied(), Some("1"), "巡查次数 of the team: {row}");
    screenshot(&c, "reports").await;
    let head: serde_json::Value = c
        .execute(
            "return fetch(document.querySelector('#download-csv').href).then(r => r.arrayBuffer()).then(b => { const a = new Uint8Array(b); return [Array.from(a.slice(0, 3)), new TextDecoder().decode(a.slice(3))]; });",
            vec![],
        )
        .await
        .expect("fetch the CSV");
    assert_eq!(head[0], serde_json::json!([0xEF, 0xBB, 0xBF]), "the CSV starts with a BOM");
    assert!(head[1].as_str().is_some_and(|t| t.contains("城关镇红马甲巡防队")), "{head}");
    let xlsx: serde_json::Value = c
        .execute("return fetch(document.querySelector('#download-xlsx').href).then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b).slice(0, 2)));", vec![])
        .await
        .expect("fetch the workbook");
    assert_eq!(xlsx, serde_json::json!([0x50, 0x4B]), "an xlsx is a zip");
    set(&c, "#period", "2026-11-中").await;
    c.find(Locator::Css("form.filters button")).await.expect("查看").click().await.expect("click");
    let said = wait_text(&c, "#error", "统计期写法不对").await;
    assert!(said.contains("请写成 2026-11-中旬") && !said.contains("is not"), "told in Chinese how to write it: {said}");

    // The team's bound volume: offered on its page for a month, downloaded as a PDF named in
    // Chinese; a month written wrong is told in Chinese.
    c.goto(&format!("{}/console/teams/{}", s.base, s.team)).await.expect("team page");
    // 入户定额: 50 households a month for 王芳, kept and shown.
    let quota = c.find(Locator::Css("select[aria-label='王芳 的入户定额']")).await.expect("王芳's quota");
    quota.select_by_value("50").await.expect("choose 50");
    quota.find(Locator::XPath("./ancestor::form//button")).await.expect("保存").click().await.expect("click");
    wait_text(&c, "#done", "入户定额已改为每月 50 户").await;
    let kept: String = c.find(Locator::Css("select[aria-label='王芳 的入户定额'] option:checked")).await.expect("option").text().await.expect("text");
    assert_eq!(kept, "50 户");
    text(&c, "#volume-pdf").await;
    let fetch_volume = |month: &str| format!(
        "return fetch('/console/teams/{}/volume.pdf?month={month}').then(async r => [r.status, r.headers.get('content-disposition') || '', new TextDecoder().decode(new Uint8Array(await r.arrayBuffer()).slice(0, 5))]);",
        s.team
    );
    let got: serde_json::Value = c.execute(&fetch_volume("2026-11"), vec![]).await.expect("fetch the volume");
    assert_eq!((&got[0], &got[2]), (&serde_json::json!(200), &serde_json::json!("%PDF-")), "{got}");
    assert!(got[1].as_str().is_some_and(|d| d.contains("volume-2026-11.pdf") && d.contains("filename*=UTF-8''")), "{got}");
    let bad: serde_json::Value = c.execute(&fetch_volume("2026-11-%E4%B8%AD%E6%97%AC"), vec![]).await.expect("fetch");
    assert_eq!(bad[0], serde_json::json!(400), "a 旬 is not a month: {bad}");
    log_out(&c).await;

    // A 河西镇 clerk's report holds no 城关镇 team, nor can they bind its volume.
    login(&c, &s.base, "hexi", PASSWORD).await;
    c.goto(&format!("{}/console/reports?period=2026-11-%E4%B8%8B%E6%97%AC", s.base)).await.expect("reports");
    let table = wait_text(&c, "#report-table", "合计").await;
    assert!(!table.contains("城关镇红马甲巡防队"), "{table}");
    let theirs: serde_json::Value = c.execute(&fetch_volume("2026-11"), vec![]).await.expect("fetch");
    assert_eq!(theirs[0], serde_json::json!(404), "another township's volume: {theirs}");
    c.close().await.expect("close");
}

/// 一键报警 comes first on the team's page, newest first, in Chinese (time in Beijing, the
/// place or 无定位, a link to the patrol the county holds); a leader's phone number set in
/// the console reaches the roster the phones pull; a wrong one is refused in Chinese, naming
/// 电话 and the fix, and nothing changes.
#[sqlx::test(migrations = false)]
async fn rapid_reports_lead_the_team_page_and_a_leaders_phone_reaches_the_roster(pool: PgPool) {
    use redvest_shared::observation::Spot;
    use redvest_shared::rapid::{RapidKind, RapidReport};

    let s = scene(&pool).await;
    let driver = chromedriver();
    let c = browser(&driver).await;
    login(&c, &s.base, "zhangli", PASSWORD).await;
    let team_page = format!("{}/console/teams/{}", s.base, s.team);
    c.goto(&team_page).await.expect("team page");
    assert!(text(&c, "#rapid").await.contains("暂无一键报警"));

    // Two reports: a fire on the scene's patrol with a position, then a security report
    // naming a patrol the county does not hold, without one. 14:05 and 14:20 in Beijing.
    let token = common::token_of(&s.phone);
    let at = |h, m| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 2, h, m, 0).single().expect("time");
    let fire = RapidReport { kind: RapidKind::Fire, at: at(6, 5), reporter: "王芳".into(), patrol: Some(s.patrol), spot: Some(Spot::new(26.5801, 106.7123, 7.2, at(6, 4))) };
    let unknown = uuid::Uuid::now_v7();
    let security = RapidReport { kind: RapidKind::Security, at: at(6, 20), reporter: "李强".into(), patrol: Some(unknown), spot: None };
    for report in [fire, security] {
        let results = common::push_records(&s.base, &token, vec![common::rapid_record(report)]).await;
        assert_eq!(results[0].status, 201, "{:?}", results[0]);
    }

    c.goto(&team_page).await.expect("team page");
    let first: serde_json::Value = c.execute("return document.querySelector('main section').id;", vec![]).await.expect("js");
    assert_eq!(first, "rapid", "一键报警 is the first section of the page");
    assert_eq!(text(&c, "#rapid h2").await, "一键报警");
    let rows = c.find_all(Locator::Css("#rapid tr.rapid-report")).await.expect("rows");
    assert_eq!(rows.len(), 2);
    let newest = rows[0].text().await.expect("text");
    for said in ["2026-12-02 14:20", "治安警情", "李强", "无定位", &unknown.to_string(), "尚未收到"] {
        assert!(newest.contains(said), "the newest row says {said}: {newest}");
    }
    let older = rows[1].text().await.expect("text");
    for said in ["2026-12-02 14:05", "火情", "王芳", "26.58010, 106.71230(±8 米)", "查看巡查记录"] {
        assert!(older.contains(said), "the older row says {said}: {older}");
    }
    assert!(c.find(Locator::Css(&format!("#rapid a[href='/console/patrols/{}']", s.patrol))).await.is_ok(), "the patrol the county holds is a link");
    screenshot(&c, "team-rapid").await;

    // 李强's phone number, saved in the console, reaches the roster a phone pulls.
    let phone = c.find(Locator::Css("input[aria-label='李强 的电话']")).await.expect("李强's phone");
    phone.send_keys("138 0013 8000").await.expect("type");
    phone.find(Locator::XPath("./ancestor::form//button")).await.expect("保存").click().await.expect("click");
    wait_text(&c, "#done", "电话已改为 138 0013 8000").await;
    // 王芳's number is kept at the county, never sent to the phones: only leaders' are called.
    let wang = c.find(Locator::Css("input[aria-label='王芳 的电话']")).await.expect("王芳's phone");
    wang.send_keys("13900139000").await.expect("type");
    wang.find(Locator::XPath("./ancestor::form//button")).await.expect("保存").click().await.expect("click");
    wait_text(&c, "#done", "电话已改为 13900139000").await;
    let roster = common::pulled_roster(&s.base, &token).await;
    let li = roster.iter().find(|m| m.name == "李强").expect("李强 on the roster");
    assert_eq!(li.phone.as_deref(), Some("138 0013 8000"));
    assert!(roster.iter().filter(|m| m.name != "李强").all(|m| m.phone.is_none()), "only leaders' numbers go out: {roster:?}");

    // A wrong number: told in Chinese which field and how to write it; nothing kept or published.
    let published = |pool: PgPool| async move { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM published").fetch_one(&pool).await.expect("count") };
    let before = published(pool.clone()).await;
    let phone = c.find(Locator::Css("input[aria-label='李强 的电话']")).await.expect("李强's phone");
    phone.clear().await.expect("clear");
    phone.send_keys("138-abcd").await.expect("type");
    phone.find(Locator::XPath("./ancestor::form//button")).await.expect("保存").click().await.expect("click");
    let said = wait_text(&c, "#error", "电话").await;
    assert!(said.contains("电话号码写法不对") && said.contains("13800138000") && !said.contains("digits"), "the field and the fix, in Chinese: {said}");
    let kept: Option<String> = sqlx::query_scalar("SELECT phone FROM member WHERE name = '李强'").fetch_one(&pool).await.expect("phone");
    assert_eq!(kept.as_deref(), Some("138 0013 8000"), "unchanged");
    assert_eq!(published(pool.clone()).await, before, "no roster published");

    // Empty clears it.
    let phone = c.find(Locator::Css("input[aria-label='李强 的电话']")).await.expect("李强's phone");
    phone.clear().await.expect("clear");
    phone.find(Locator::XPath("./ancestor::form//button")).await.expect("保存").click().await.expect("click");
    wait_text(&c, "#done", "电话已清除").await;
    let roster = common::pulled_roster(&s.base, &token).await;
    assert!(roster.iter().all(|m| m.phone.is_none()), "{roster:?}");
    c.close().await.expect("close");
}
