//! Night use at phone size: the theme chosen by hand is kept after a restart; with 跟随手机
//! the 夜巡岗 opens in the night theme and other patrols follow the phone; every text on the
//! home, settings and recording pages reads at 4.5:1 or more in both themes.

use redvest_e2e::{exclusive, App, Driver};

/// The pages a volunteer reads most, checked for contrast in the theme shown now.
async fn readable(app: &App, theme: &str) -> anyhow::Result<()> {
    for (page, open) in [("home", None), ("settings", Some("#open-settings"))] {
        if let Some(button) = open {
            app.click(button).await?;
            app.wait_text("#theme-choice", |_| true).await?;
        }
        let low = app.low_contrast(4.5).await?;
        anyhow::ensure!(low.is_empty(), "{page} in the {theme} theme has text below 4.5:1: {low:?}");
        app.screenshot(&format!("{page}-{theme}")).await?;
        if open.is_some() {
            app.click("#back").await?;
            app.wait_text("#start-patrol", |_| true).await?;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn night_mode_is_kept_and_every_text_reads_in_both_themes() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;
    {
        let app = driver.launch().await?;
        for theme in ["day", "night"] {
            app.click("#open-settings").await?;
            app.click(&format!("#theme-{theme}")).await?;
            app.wait_theme(theme).await?;
            app.wait_text(&format!("#theme-{theme}[aria-pressed='true']"), |_| true).await?;
            app.click("#back").await?;
            readable(&app, theme).await?;
        }
        app.quit().await?;
    }

    // Kept on the phone: the next start opens at night.
    let app = driver.launch().await?;
    app.wait_text("#start-patrol", |_| true).await?;
    app.wait_theme("night").await?;

    // 跟随手机: a night patrol opens in the night theme (and the recording page reads), a
    // patrol of the town centre follows the phone's own setting.
    app.click("#open-settings").await?;
    app.click("#theme-system").await?;
    app.wait_theme("").await?;
    app.click("#back").await?;
    app.start_patrol("post.night_patrol", "夜巡岗").await?;
    app.wait_theme("night").await?;
    let low = app.low_contrast(4.5).await?;
    anyhow::ensure!(low.is_empty(), "the night patrol's page has text below 4.5:1: {low:?}");
    app.screenshot("patrol-night").await?;
    app.click("#back").await?;
    app.wait_theme("").await?;
    app.quit().await?;
    Ok(())
}
