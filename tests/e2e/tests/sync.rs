//! Sync through the real app, in the order people take: a new phone enrols with the county
//! from the sync page, the county's roster arrives, each member sets a PIN in settings, a
//! patrol with a hazard photo is signed and sealed, and everything goes up without anyone
//! pressing a button (the record once, two keys, the photo byte-identical). The county then
//! revokes a key: the next patrol it signs is refused, said in Chinese on the sync page and
//! the home page. Finally a plan and an alert the county publishes come back and show.

use anyhow::{Context, Result};
use redvest_e2e::county::{self, clerk, fresh_database, query as county_query, serve};
use redvest_e2e::{exclusive, query_db, test_jpeg, App, Driver};

/// On an open patrol: both members present, 王芳 signs, 李强 countersigns.
async fn sign_and_seal(app: &App) -> Result<()> {
    app.mark_present(2).await?;
    app.sign("王芳", "2468").await?;
    app.wait_text("#patrol-state", |t| t == "待队长签字").await?;
    app.countersign("13579").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_set_pins_seal_send_be_refused_and_see_the_countys_plan_and_alert() -> Result<()> {
    let _turn = exclusive().await;
    let db = fresh_database("sync")?;
    let team = clerk(&db, &["team-create", "--name", "城关镇红马甲巡防队"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "李强", "--role", "leader"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "王芳", "--role", "volunteer"])?;
    let code = clerk(&db, &["enrol-code", "--team", &team])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _county = serve(&db, port)?;
    let files = tempfile::tempdir()?;
    let photo = files.path().join("安全出口.jpg");
    test_jpeg(&photo)?;

    // A new phone: an empty data folder, nobody on its roster.
    let data = tempfile::tempdir()?;
    let data_path = data.path().to_path_buf();
    let driver = Driver::start(&data_path)?;
    let app = driver.launch().await?;

    // Enrol first: a wrong code is refused beside its field, the clerk's code connects.
    app.click("#open-sync").await?;
    app.wait_text("#enrol", |_| true).await?;
    app.set_value("input[name='sync.server']", &format!("http://127.0.0.1:{port}")).await?;
    app.set_value("input[name='sync.code']", "0000-0000-0000").await?;
    app.click("#enrol-button").await?;
    let refused = app.wait_text(".field-error[data-field='sync.code']", |t| !t.is_empty()).await?;
    assert!(refused.contains("登记码无效"), "a wrong code is refused beside its field: {refused}");
    app.set_value("input[name='sync.code']", &code).await?;
    app.click("#enrol-button").await?;
    app.wait_text("#sync-team", |t| t == "城关镇红马甲巡防队").await?;
    // The first run after enrolling pulls the county's roster.
    app.wait_text("#last-success", |t| t.contains("成功") && !t.contains("从未")).await?;

    // Settings: the county's roster is here, confirmed; each member sets a PIN.
    app.click("#back").await?;
    app.click("#open-settings").await?;
    app.wait_text("li.member-row[data-member='李强']", |t| t.contains("队长")).await?;
    app.wait_text("li.member-row[data-member='王芳']", |t| t.contains("平安志愿者")).await?;
    app.wait_count("#roster .badge.pending", 0, "class").await?;
    app.set_pin("李强", "13579").await?;
    app.set_pin("王芳", "2468").await?;
    app.click("#back").await?;

    // A night patrol with a hazard and its photo, chosen through the file input; sealed.
    app.begin_hazard("安全出口被杂物堵塞", "农贸市场东门").await?;
    app.upload("#pick-photos input", &photo).await?;
    app.wait_count("#observation-form img.thumb[src^='blob:']", 1, "data-sha256").await?;
    app.click("#save-observation").await?;
    app.wait_count("#observation-list img.thumb", 1, "data-sha256").await?;
    sign_and_seal(&app).await?;

    // The worker sends it all by itself: the two keys, the patrol, then its photo.
    app.click("#back").await?;
    app.click("#open-sync").await?;
    app.wait_text("#nothing-pending", |t| t.contains("全部已上传")).await?;
    // (The signed record for the leader went too if the worker ran between the two signatures;
    // otherwise it was not needed. Either way the sealed patrol is what counts here.)
    app.wait_count(".outbox-row[data-state='Sent']:not([data-kind='Submission'])", 4, "data-kind").await?;
    app.page_in_both_themes("sync-sent", 5).await?;
    let sent = query_db(&data_path, "SELECT group_concat(kind, ',') FROM (SELECT kind FROM outbox WHERE state = 'sent' AND kind <> 'submission' ORDER BY kind)")?;
    assert_eq!(sent.as_deref(), Some("key,key,patrol,photo"));
    assert_eq!(county_query(&db, "SELECT count(*) FROM record WHERE kind = 'patrol'")?, "1", "the county holds the patrol once");
    let keys = clerk(&db, &["key-list", "--team", &team])?;
    assert_eq!(keys.lines().count(), 2, "one key per member: {keys}");
    let sha = query_db(&data_path, "SELECT sha256 FROM photo")?.context("the photo is stored")?;
    let on_phone = std::fs::read(data_path.join("photos").join(format!("{sha}.jpg")))?;
    assert_eq!(county_query(&db, &format!("SELECT count(*) FROM upload WHERE sha256 = '{sha}' AND completed_at IS NOT NULL"))?, "1", "the upload is complete");
    let at_county = county::photo(&db, &sha)?;
    assert!(at_county == on_phone, "the county holds the photo byte-identical ({} bytes on the phone, {} at the county)", on_phone.len(), at_county.len());

    // The county revokes 王芳's key: the next patrol she signs is refused, said in Chinese.
    let wang_key = keys
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.get(2) == Some(&"王芳"))
        .and_then(|f| f.first().map(|k| k.to_string()))
        .context("王芳's key in key-list")?;
    clerk(&db, &["key-revoke", "--key", &wang_key])?;
    app.click("#back").await?;
    app.start_patrol("zone.town_centre", "场镇集中区").await?;
    sign_and_seal(&app).await?;
    app.click("#back").await?;
    app.click("#open-sync").await?;
    app.click("#sync-now").await?;
    app.wait_text("#refused-banner", |t| t.contains("签名密钥已被县平台停用") && t.contains("1 条记录被县平台拒收")).await?;
    app.wait_count("li.refused-row[data-code='KeyRevoked']", 1, "data-kind").await?;
    let last = app.wait_text("#last-success", |t| t.contains("有 1 条被拒收")).await?;
    assert!(!last.contains("成功"), "never 成功 while something is refused: {last}");
    assert!(app.prop("#last-success", "className").await?.contains("refused"));
    app.page_in_both_themes("sync-refused", 5).await?;

    // The county publishes a plan for today and an alert; 立即同步 brings them.
    let today = chrono::Local::now().date_naive();
    let plan = files.path().join("plan.json");
    std::fs::write(
        &plan,
        serde_json::json!([{ "id": "019ab000-0000-7000-8000-000000000001", "assignment": {"post": "night_patrol"},
            "place": "县城东门", "time": "21:30:00", "dates": [today.to_string()] }])
        .to_string(),
    )?;
    clerk(&db, &["plan-publish", "--team", &team, "--month", &today.format("%Y-%m").to_string(), "--file", &plan.to_string_lossy()])?;
    let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let to = (chrono::Utc::now() + chrono::Duration::hours(12)).to_rfc3339();
    clerk(&db, &["alert-publish", "--team", &team, "--text", "今晚有大风,注意广告牌", "--area", "场镇", "--from", &from, "--to", &to])?;
    app.click("#sync-now").await?;
    app.wait_text("#alerts", |t| t.contains("今晚有大风")).await?;
    app.screenshot("sync-alert").await?;

    // Home: the plan's duty, the refusal, and the refused patrol still not at the county.
    app.click("#back").await?;
    app.wait_text("body", |t| t.contains("县城东门")).await?;
    app.wait_text("#refused-count", |t| t.contains("1 条记录被县平台拒收")).await?;
    app.wait_text("#unsynced", |t| t.starts_with('1')).await?;
    app.screenshot("home-plan-duty").await?;
    app.quit().await?;
    Ok(())
}
