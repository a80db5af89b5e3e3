//! Killing the app (SIGKILL) in the middle of the hazard form loses nothing typed: on
//! relaunch the unfinished patrol reopens with the form as it was.

use redvest_e2e::{exclusive, kill_app_hard, query_db, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hazard_draft_survives_kill_9() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;
    let app = driver.launch().await?;

    app.begin_hazard("消防通道被三轮车堵住", "农贸市场东门").await?;

    // Wait until the last keystroke is on disk, then pull the plug.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let body = query_db(data.path(), "SELECT body FROM draft WHERE key LIKE 'observation:%'")?;
        if body.is_some_and(|b| b.contains("农贸市场东门")) {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the draft never reached the database");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    kill_app_hard(data.path())?;
    app.forget().await;

    let app = driver.launch().await?;
    // The unfinished patrol reopens by itself, with the form as it was.
    app.wait_text("h1", |t| t == "夜巡岗").await?;
    // At its findings, where the form is open.
    app.shows_step("findings").await?;
    app.wait_text("#observation-form", |_| true).await?;
    assert_eq!(app.prop("textarea[name='hazard.description']", "value").await?, "消防通道被三轮车堵住");
    assert_eq!(app.prop("input[name='hazard.place']", "value").await?, "农贸市场东门");
    app.screenshot("draft-after-kill").await?;
    app.quit().await?;
    Ok(())
}
