//! A volunteer photographs a blocked exit: picks the photo for a hazard, sees the thumbnail at
//! once, opens it full screen, sees a broken file refused by name, saves the hazard with its
//! photo, and finds the bytes waiting on the sync page.

use redvest_e2e::{exclusive, query_db, test_jpeg, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hazard_photo_is_attached_shown_and_waits_to_be_sent() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let files = tempfile::tempdir()?;
    let photo = files.path().join("安全出口.jpg");
    test_jpeg(&photo)?;
    let broken = files.path().join("broken.jpg");
    let whole = std::fs::read(&photo)?;
    std::fs::write(&broken, &whole[..whole.len() / 2])?;

    let driver = Driver::start(data.path())?;
    let app = driver.launch().await?;
    app.begin_hazard("安全出口被杂物堵塞", "农贸市场东门").await?;

    // The photo: a thumbnail appears in the form, drawn from the stored JPEG.
    app.upload("#pick-photos input", &photo).await?;
    let thumbs = app.wait_count("#observation-form img.thumb[src^='blob:']", 1, "data-sha256").await?;
    let sha = thumbs[0].clone();
    assert_eq!(sha.len(), 64, "thumbnail names its photo: {sha}");
    assert_eq!(app.image_width("#observation-form img.thumb").await?, 320, "the thumbnail decodes, 320 px wide");

    // A cut-off file is refused with its name and the reason; the good photo stays.
    app.upload("#pick-photos input", &broken).await?;
    let error = app.wait_text(".photo-error", |t| !t.is_empty()).await?;
    assert!(error.contains("broken.jpg") && error.contains("不完整"), "error names the file and why: {error}");
    app.wait_count("#observation-form img.thumb", 1, "data-sha256").await?;

    // Full screen, then back.
    app.click("#observation-form .thumb-button").await?;
    app.wait_count("#photo-full img.full[src^='blob:']", 1, "data-sha256").await?;
    assert_eq!(app.image_width("#photo-full img.full").await?, 1200, "small photos are not scaled up");
    app.page_in_both_themes("photo-full-screen", 1).await?;
    app.click("#close-photo").await?;

    // Beyond the team: 上报 to the centre.
    app.set_value("select[name='hazard.handling']", "escalate").await?;
    app.click("#save-observation").await?;
    let saved = app.wait_count("#observation-list img.thumb", 1, "data-sha256").await?;
    assert_eq!(saved[0], sha, "the saved hazard carries the photo");
    app.scroll_to("#observations").await?;
    app.screenshot("hazard-with-photo").await?;
    let on_disk = data.path().join("photos").join(format!("{sha}.jpg"));
    assert!(on_disk.exists(), "stored under its hash: {}", on_disk.display());
    let attached = query_db(data.path(), "SELECT sha256 FROM observation_photo")?;
    assert_eq!(attached.as_deref(), Some(sha.as_str()));

    // Home lists it as 已上报; 隐患详情 shows every field with its label, and the photo.
    app.click("#back").await?;
    app.wait_text("#hazard-list", |t| t.contains("安全出口被杂物堵塞") && t.contains("已上报")).await?;
    app.click("#hazard-list li.hazard-row").await?;
    app.wait_text("#hazard-fields", |t| t.contains("农贸市场东门") && t.contains("处置方式") && t.contains("上报")).await?;
    let shown = app.wait_count("#hazard-photos img.thumb", 1, "data-sha256").await?;
    assert_eq!(shown[0], sha, "隐患详情 shows the photo");
    app.screenshot("hazard-details").await?;
    app.click("#back").await?;

    // The sync page shows the bytes waiting.
    let bytes = std::fs::metadata(&on_disk)?.len();
    app.click("#open-sync").await?;
    app.wait_text("#photo-backlog-count", |t| t == "1").await?;
    let shown = app.wait_text("#photo-backlog-bytes", |t| t.ends_with("KB")).await?;
    assert_eq!(shown, format!("{} KB", bytes / 1000), "{bytes} bytes waiting");
    app.screenshot("sync-photo-backlog").await?;
    app.quit().await?;
    Ok(())
}
