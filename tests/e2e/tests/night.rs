//! Night use at phone size: the theme chosen by hand is kept after a restart; with 跟随手机
//! the 夜巡岗 being recorded opens in the night theme and a patrol of the town centre follows
//! the phone's own setting; every text (and placeholder) on the home, settings and recording
//! pages, with a hazard form and its refusal open, reads at 4.5:1 or more in both themes.

use redvest_e2e::{exclusive, App, Driver};

/// The home and settings pages, checked and kept as screenshots in the theme shown now.
async fn readable(app: &App, theme: &str) -> anyhow::Result<()> {
    app.wait_text("#no-duties, #duty-list", |_| true).await?;
    app.readable(&format!("home in the {theme} theme"), 8).await?;
    app.screenshot(&format!("home-{theme}")).await?;
    app.click("#open-settings").await?;
    app.wait_text("#keys", |_| true).await?;
    app.readable(&format!("settings in the {theme} theme"), 8).await?;
    app.screenshot(&format!("settings-{theme}")).await?;
    app.click("#back").await?;
    Ok(())
}

/// On a patrol being recorded: the checklist, an item answered 发现问题 turned into a hazard,
/// and the form's refusal, checked.
async fn recording_readable(app: &App, theme: &str) -> anyhow::Result<()> {
    app.wait_text("#checklist li.check-row", |_| true).await?;
    let item = app.wait_count("#checklist ul.plain:first-of-type > li.check-row:first-of-type", 1, "data-code").await?.remove(0);
    app.click(&format!("li[data-code='{item}'] button[data-outcome='Problem']")).await?;
    app.click(&format!("li[data-code='{item}'] button.report-problem")).await?;
    // The form opens filled and scrolls into view: save once it is there and still.
    app.wait_text("#observation-form[data-kind='hazard']", |_| true).await?;
    anyhow::ensure!(!app.prop("textarea[name='hazard.description']", "value").await?.is_empty(), "the item's wording filled in");
    app.scroll_to("#save-observation").await?;
    app.click("#save-observation").await?;
    app.wait_text("#observation-form p.error", |t| !t.is_empty()).await?;
    app.readable(&format!("the recording page in the {theme} theme"), 8).await?;
    app.screenshot(&format!("patrol-{theme}")).await?;
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

    // 跟随手机: the phone's own setting, except for a night patrol being recorded.
    let phone = if app.phone_prefers_dark().await? { "night" } else { "day" };
    app.click("#open-settings").await?;
    app.click("#theme-system").await?;
    app.wait_theme(phone).await?;
    app.click("#back").await?;
    app.start_patrol("post.night_patrol", "夜巡岗").await?;
    app.wait_theme("night").await?;
    recording_readable(&app, "night").await?;
    app.click("#back").await?;
    app.wait_theme(phone).await?;
    // The unfinished night patrol, resumed from home, is at night again.
    app.click("#resume").await?;
    app.wait_theme("night").await?;
    app.click("#back").await?;
    app.wait_theme(phone).await?;
    app.quit().await?;

    // A fresh phone (跟随手机 by default): a town-centre patrol follows the phone's setting;
    // in the day theme its recording page reads too.
    let other = tempfile::tempdir()?;
    drop(driver);
    let driver = Driver::start(other.path())?;
    let app = driver.launch().await?;
    app.start_patrol("zone.town_centre", "场镇集中区").await?;
    app.wait_theme(phone).await?;
    app.click("#back").await?;
    app.click("#open-settings").await?;
    app.click("#theme-day").await?;
    app.click("#back").await?;
    app.click("#resume").await?;
    app.wait_theme("day").await?;
    recording_readable(&app, "day").await?;
    app.quit().await?;
    Ok(())
}
