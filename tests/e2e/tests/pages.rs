//! Every page a volunteer's phone shows, at phone size (412×915), in the day and the night
//! theme: each read for contrast (every text at 4.5:1 or more) and kept as a screenshot
//! (`page-<name>-<theme>.png` in the artifacts), the recording page step by step
//! (`page-recording-<step>-<theme>.png`; with a hazard form open in `night.rs`). The pages
//! that need a county, a second phone or a report are read where their tests reach them
//! (`App::page_in_both_themes`): 一键报警 after a report in `rapid.rs`, the leader's review in
//! `review.rs`, the QR hand-over in `handover.rs`, the enrolled outbox in `sync.rs`, the
//! sealed record in `patrol_log.rs`, a photo full screen in `photo.rs`.

use redvest_e2e::{exclusive, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reads_in_both_themes_at_phone_size() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;
    let app = driver.launch().await?;
    app.phone_size().await?;

    // Something on every page: a volunteer with a password, a signed patrol with a hazard to
    // rectify by a deadline (it stays open on the home page).
    app.click("#open-settings").await?;
    app.type_into("#member-name", "王芳").await?;
    app.click("#add-member").await?;
    app.wait_text("li.member-row[data-member='王芳']", |_| true).await?;
    app.set_pin("王芳", "2468").await?;
    app.click("#back").await?;
    app.begin_hazard("消防通道被三轮车堵住", "农贸市场东门").await?;
    app.set_value("select[name='hazard.handling']", "rectify").await?;
    app.type_into("input[name='hazard.responsible']", "市场管理员").await?;
    app.set_value("input[name='hazard.deadline']", "2099-12-31").await?;
    app.scroll_to("#save-observation").await?;
    app.click("#save-observation").await?;
    app.wait_text("#observation-list", |t| t.contains("消防通道被三轮车堵住")).await?;
    app.mark_present(1).await?;
    app.sign("王芳", "2468").await?;
    app.wait_text("#patrol-state", |t| t == "待队长签字").await?;
    app.click("#back").await?;
    let signed = app.wait_count(".patrol-row", 1, "data-id").await?.remove(0);
    // And one being recorded, for its steps.
    app.start_patrol("zone.town_centre", "场镇集中区").await?;
    app.click("#back").await?;

    for theme in ["day", "night"] {
        app.click("#open-settings").await?;
        app.click(&format!("#theme-{theme}")).await?;
        app.wait_theme(theme).await?;
        app.wait_text("#keys", |t| t.contains("王芳")).await?;
        app.page("settings", theme, 5).await?;
        app.click("#back").await?;

        app.wait_text("#hazard-list", |t| t.contains("消防通道被三轮车堵住")).await?;
        app.page("home", theme, 5).await?;

        app.click("#open-sync").await?;
        app.wait_text("#enrol", |_| true).await?;
        app.page("sync", theme, 5).await?;
        app.click("#back").await?;

        app.click("#start-patrol").await?;
        app.wait_text("button[data-assignment='zone.town_centre']", |_| true).await?;
        app.page("start", theme, 5).await?;
        app.click("#back").await?;

        app.click(&format!(".patrol-row[data-id='{signed}']")).await?;
        app.wait_text("#patrol-state", |t| t == "待队长签字").await?;
        app.page("patrol-signed", theme, 5).await?;
        app.click("#back").await?;

        app.click("#resume").await?;
        for step in ["attendance", "checklist", "findings", "sign"] {
            app.step(step).await?;
            app.page(&format!("recording-{step}"), theme, 5).await?;
        }
        app.click("#back").await?;

        app.click(".hazard-row").await?;
        app.wait_text("#hazard-fields", |t| t.contains("市场管理员")).await?;
        app.page("hazard", theme, 5).await?;
        app.click("#back").await?;

        app.click("#rapid-open").await?;
        app.wait_text("#no-leader-phone", |_| true).await?;
        app.page("rapid", theme, 5).await?;
        app.click("#back").await?;
    }
    // A WebView before 84 lays out flex rows without `gap`: the margins main.js turns on
    // keep the checklist's answers and the add-a-finding buttons apart all the same.
    app.click("#resume").await?;
    app.step("checklist").await?;
    app.without_flex_gap().await?;
    let answers = app.least_space_between(".toggles").await?;
    anyhow::ensure!(answers.is_some_and(|s| s >= 4.0), "the answers' buttons without flex gap: {answers:?} px apart");
    app.screenshot("page-recording-checklist-no-flex-gap").await?;
    app.step("findings").await?;
    let buttons = app.least_space_between(".add-buttons").await?;
    anyhow::ensure!(buttons.is_some_and(|s| s >= 4.0), "the add-a-finding buttons without flex gap: {buttons:?} px apart");
    app.screenshot("page-recording-findings-no-flex-gap").await?;
    app.quit().await?;
    Ok(())
}
