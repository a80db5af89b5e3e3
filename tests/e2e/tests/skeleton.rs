//! The walking skeleton, through the real webview: start a patrol, quit, relaunch, still there.
//! Also checks the home page's empty states on a fresh device.

use redvest_e2e::{exclusive, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_patrol_is_listed_again_after_relaunch() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;

    let app = driver.launch().await?;
    app.wait_text("h1", |t| t == "今日巡查").await?;
    app.wait_text("#no-patrols", |t| t.contains("还没有巡查记录")).await?;
    app.wait_text("#no-duties", |t| t.contains("今天没有排班")).await?;
    app.wait_text("#no-hazards", |t| t.contains("没有待整改的隐患")).await?;
    app.wait_text("#unsynced", |t| t.starts_with("0 ")).await?;
    app.wait_text("#start-patrol", |t| t == "开始巡查").await?;
    app.click("#start-patrol").await?;
    app.wait_text("h1", |t| t == "选择岗位或区域").await?;
    app.type_into("#route", "场镇主街—农贸市场").await?;
    app.click("button[data-assignment='post.night_patrol']").await?;
    app.wait_text("h1", |t| t == "夜巡岗").await?;
    app.wait_text("#patrol-route", |t| t == "场镇主街—农贸市场").await?;
    app.click("#back").await?;
    app.wait_text("h1", |t| t == "今日巡查").await?;
    app.wait_text("#patrol-list .patrol-row", |t| t.contains("夜巡岗") && t.contains("进行中")).await?;
    let ids = app.wait_count("#patrol-list .patrol-row", 1, "data-id").await?;
    app.quit().await?;

    assert!(data.path().join("redvest.sqlite3").exists(), "the database lives in the data folder given to the app");

    let app = driver.launch().await?;
    // The patrol is still open, so the app reopens it; back to the home page.
    app.wait_text("h1", |t| t == "夜巡岗").await?;
    app.click("#back").await?;
    app.wait_text("h1", |t| t == "今日巡查").await?;
    let again = app.wait_count("#patrol-list .patrol-row", 1, "data-id").await?;
    assert_eq!(again, ids, "the same patrol is listed after relaunch");
    app.wait_text("#unsynced", |t| t.starts_with("1 ")).await?;
    let shot = app.screenshot("skeleton-after-relaunch").await?;
    // English is one tap away.
    app.click("#lang-toggle").await?;
    app.wait_text("h1", |t| t == "Today's patrols").await?;
    app.wait_text("#start-patrol", |t| t == "Start patrol").await?;
    app.wait_text("#patrol-list .patrol-row", |t| t.contains("Night patrol")).await?;
    app.quit().await?;
    // The choice is remembered across a restart.
    let app = driver.launch().await?;
    app.wait_text("#back", |t| t == "Back").await?;
    app.click("#back").await?;
    app.wait_text("h1", |t| t == "Today's patrols").await?;
    eprintln!("screenshot: {}", shot.display());
    app.quit().await?;
    Ok(())
}
