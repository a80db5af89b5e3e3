//! The desktop app records a replayed walk during a patrol: live numbers while recording,
//! and the signed patrol's page draws the track with its distance, gaps and exports.

use redvest_e2e::{exclusive, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_walk_is_recorded_and_drawn() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/night-patrol.gpx");
    let sample = sample.to_string_lossy().to_string();
    // The 22-minute sample at 50× plays in under half a minute.
    let driver = Driver::start_with_env(data.path(), &[("REDVEST_REPLAY", &sample), ("REDVEST_REPLAY_SPEED", "50")])?;
    let app = driver.launch().await?;

    app.click("#open-settings").await?;
    app.type_into("#member-name", "王芳").await?;
    app.select_text("#roster .inline-form select", "平安志愿者").await?;
    app.click("#add-member").await?;
    let row = "li.member-row[data-member='王芳']";
    app.type_into(&format!("{row} input.pin"), "2468").await?;
    app.type_into(&format!("{row} input.pin-again"), "2468").await?;
    app.click(&format!("{row} button.set-pin")).await?;
    app.wait_text(row, |t| t.contains("已设签字密钥")).await?;
    // A threshold that makes no sense is refused beside its field; a sensible one is kept.
    app.type_into("input[name='track.max_accuracy_m']", "x").await?;
    app.click("#save-track-settings").await?;
    app.wait_text("p.error[data-field='track.max_accuracy_m']", |t| !t.is_empty()).await?;
    // Another field changed meanwhile leaves what was typed here as it is.
    app.set_value("input[name='track.min_move_m']", "10").await?;
    let typed = app.prop("input[name='track.max_accuracy_m']", "value").await?;
    anyhow::ensure!(typed.ends_with('x'), "the field still shows what was typed: {typed:?}");
    app.set_value("input[name='track.max_accuracy_m']", "2").await?;
    app.click("#save-track-settings").await?;
    app.wait_text("p.error[data-field='track.max_accuracy_m']", |t| t.contains("数值")).await?;
    let stored = |data: &std::path::Path| redvest_e2e::query_db(data, "SELECT value FROM setting WHERE key = 'track'");
    assert_eq!(stored(data.path())?, None, "the core refused 2 m");
    app.set_value("input[name='track.max_accuracy_m']", "40").await?;
    app.click("#save-track-settings").await?;
    app.wait_text("#track-settings-saved", |_| true).await?;
    assert!(stored(data.path())?.is_some_and(|v| v.contains("\"max_accuracy_m\":40.0")));
    app.click("#back").await?;

    app.click("#start-patrol").await?;
    app.click("button[data-assignment='post.night_patrol']").await?;
    // The location card explains, then asks; on desktop with a replay file the replay answers.
    app.wait_text("#location-why", |t| t.contains("定位权限")).await?;
    app.click("#location-allow").await?;
    app.wait_text("#location-state", |t| t.contains("回放定位")).await?;
    app.click("#attendance li.attendance-row:nth-of-type(1) button[data-presence='Present']").await?;

    // Live: fixes arrive and the distance grows while the replay plays.
    app.wait_text("#track-fixes", |t| t.parse::<u32>().is_ok_and(|n| n >= 20)).await?;
    app.screenshot("track-live").await?;
    // The whole loop is 1.1 km: wait for the replay to reach the end.
    app.wait_text("#track-distance", |t| t.trim_end_matches(" km").parse::<f64>().is_ok_and(|km| km >= 1.05)).await?;

    // A hazard where the walk ended: 用我的位置 puts the last fix beside the typed place.
    app.click("#add-hazard").await?;
    app.type_into("textarea[name='hazard.description']", "路灯不亮").await?;
    app.type_into("input[name='hazard.place']", "桥头").await?;
    app.click("#use-my-location").await?;
    let line = app.wait_text("#spot-line", |t| t.contains("±")).await?;
    anyhow::ensure!(line.contains("29.932") && line.contains("107.88") && line.contains("米"), "{line}");
    app.scroll_to("#save-observation").await?;
    app.click("#save-observation").await?;
    app.wait_text("#observation-list", |t| t.contains("路灯不亮")).await?;
    let body = redvest_e2e::query_db(data.path(), "SELECT body FROM observation")?.unwrap_or_default();
    let spot: serde_json::Value = serde_json::from_str::<serde_json::Value>(&body)?["spot"].clone();
    let lat = spot["lat_e7"].as_i64().unwrap_or_default() as f64 / 1e7;
    anyhow::ensure!((29.92..29.94).contains(&lat) && spot["accuracy_m"].as_u64().is_some(), "stored beside the place: {body}");

    app.type_into("#pin", "2468").await?;
    app.draw("#finish canvas").await?;
    app.click("#sign-submit").await?;
    app.wait_text("#patrol-state", |t| t == "待队长签字").await?;

    // The read-only page draws the track and reports the gap under the bridge.
    app.wait_count("#track-svg polyline", 1, "class").await?;
    let km: f64 = app.wait_text("#track #track-distance", |_| true).await?.trim_end_matches(" km").parse()?;
    assert!((1.05..1.25).contains(&km), "distance {km} km");
    app.wait_text("#track-gaps", |t| t.contains('–')).await?;
    // The exports are folded away under 更多 (the volunteer's screen has no GPX in sight).
    app.click("#track-details > summary").await?;
    app.click("#export-gpx").await?;
    let path = app.wait_text("#exported", |t| t.contains(".gpx")).await?;
    let path = path.split_once('：').map(|(_, p)| p.trim().to_string()).unwrap_or_default();
    let gpx = std::fs::read_to_string(&path)?;
    assert!(gpx.contains("<trkseg>") && gpx.matches("<trkpt").count() > 50, "{path}");
    app.scroll_to("#track").await?;
    app.screenshot("track-drawn").await?;
    app.quit().await?;
    Ok(())
}

/// Without a replay, desktop has only the geolocation plugin's stub: asking gets no answer,
/// and the zeroed position it returns is dropped as invalid and counted, never drawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_plugin_zero_fix_is_rejected_and_counted() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;
    let app = driver.launch().await?;
    app.click("#start-patrol").await?;
    app.click("button[data-assignment='zone.rural']").await?;
    app.click("#location-allow").await?;
    app.wait_text("#location-state", |t| t.contains("没有答复定位权限")).await?;
    // No fix: 用我的位置 says so instead of inventing a place.
    app.click("#add-hazard").await?;
    app.click("#use-my-location").await?;
    app.wait_text("#spot-note", |t| t.contains("还没有最近的定位")).await?;
    let dropped = redvest_e2e::query_db(data.path(), "SELECT reason || ':' || count FROM track_drop")?;
    assert_eq!(dropped.as_deref(), Some("invalid:1"));
    let kept = redvest_e2e::query_db(data.path(), "SELECT CAST(count(*) AS TEXT) FROM track_point")?;
    assert_eq!(kept.as_deref(), Some("0"));
    app.quit().await?;
    Ok(())
}
