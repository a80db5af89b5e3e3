//! 一键报警 at phone size, in the order a volunteer takes: the phone enrols with signal (the
//! county's roster brings the leader's number), goes up the mountain without signal, sets
//! the signing passwords (their keys wait in the outbox) and starts a night patrol with the
//! GPS running. A fire: two taps save a report with the time, who is there and the last fix;
//! it waits first in the outbox, 119 is the first number offered, the leader's number is a
//! tap away, and a tap on a number leaves the app where it was. Signal returns: the county
//! receives the rapid report before anything else.

use anyhow::{Context, Result};
use redvest_e2e::county::{clerk, fresh_database, query as county_query, serve};
use redvest_e2e::{exclusive, free_port, query_db, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fire_is_reported_in_two_taps_waits_first_and_reaches_the_county_first() -> Result<()> {
    let _turn = exclusive().await;
    let db = fresh_database("rapid")?;
    let team = clerk(&db, &["team-create", "--name", "高山村巡防队"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "李强", "--role", "leader", "--phone", "13800138000"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "王芳", "--role", "volunteer"])?;
    let code = clerk(&db, &["enrol-code", "--team", &team])?;
    let port = free_port()?;
    let county = serve(&db, port)?;

    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/night-patrol.gpx");
    let data = tempfile::tempdir()?;
    let driver = Driver::start_with_env(data.path(), &[("REDVEST_REPLAY", &sample.to_string_lossy()), ("REDVEST_REPLAY_SPEED", "50")])?;
    let app = driver.launch().await?;
    app.phone_size().await?;
    app.enrol(&format!("http://127.0.0.1:{port}"), &code).await?;

    // No signal from here on.
    drop(county);
    app.click("#open-settings").await?;
    app.set_pin("李强", "13579").await?;
    app.set_pin("王芳", "2468").await?;
    app.click("#back").await?;
    app.start_patrol("post.night_patrol", "夜巡岗").await?;
    app.click("#location-allow").await?;
    app.wait_text("#track-fixes", |t| t.parse::<u32>().is_ok_and(|n| n >= 5)).await?;
    app.mark_present(2).await?;

    // Two taps: 一键报警, then 火情.
    app.click("#rapid-open").await?;
    app.wait_text("#rapid-no-call", |t| t.contains("不会替你拨打 110 / 119 / 120")).await?;
    app.click("#rapid-kind-fire").await?;
    app.wait_text("#rapid-state", |t| t.contains("已保存,排在上传队列第一位")).await?;
    let spot = app.wait_text("#rapid-spot", |t| !t.is_empty()).await?;
    anyhow::ensure!(spot.contains("29.93") && spot.contains("±"), "the last fix goes with the report: {spot}");
    let first_call = app.prop("#rapid-calls a.call", "href").await?;
    assert_eq!(first_call, "tel:119", "a fire: 119 comes first");
    let leader = app.prop("#rapid-calls a.call.leader", "href").await?;
    assert_eq!(leader, "tel:13800138000", "the leader's number from the county's roster");
    app.wait_text("#rapid-calls a.call.leader", |t| t.contains("李强")).await?;
    app.page_in_both_themes("rapid-saved", 10).await?;
    // A tap on a number hands it to the phone's dialer; the app stays where it was.
    app.click("#call-119").await?;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    app.wait_text("#rapid-state", |t| t.contains("已保存")).await?;
    app.wait_text("#rapid-list li.rapid-row[data-state='Pending']", |t| t.contains("火情") && t.contains("等待信号")).await?;

    // Saved on the phone as it happened, naming the patrol and who is on it.
    let body = query_db(data.path(), "SELECT body FROM rapid_report")?.context("the report is saved")?;
    let report: serde_json::Value = serde_json::from_str(&body)?;
    let patrol = query_db(data.path(), "SELECT lower(hex(id)) FROM patrol")?.context("the patrol")?;
    assert_eq!(report["what"], "fire");
    assert_eq!(report["patrol"].as_str().map(|p| p.replace('-', "")), Some(patrol), "{body}");
    // Those marked present (the two taps' saves may land in either order).
    assert!(report["reporter"].as_str().is_some_and(|r| r.starts_with("李强")), "{body}");

    // Back on the patrol, at the step it was left on (not where a reopened patrol starts).
    app.click("#back").await?;
    app.shows_step("attendance").await?;

    // First in the outbox, ahead of the two keys made before it.
    app.home().await?;
    app.click("#open-sync").await?;
    let kinds = app.wait_count("li.pending-row", 2, "data-kind").await?;
    assert_eq!(kinds, ["Rapid", "Key"], "rapid reports are listed and sent first");

    // Signal again: the county receives the report before anything else.
    let _county = serve(&db, port)?;
    app.click("#sync-now").await?;
    app.wait_text("#nothing-pending", |t| t.contains("全部已上传")).await?;
    let order = county_query(&db, "SELECT string_agg(kind, ',' ORDER BY received_at, id) FROM record")?;
    assert!(order.starts_with("rapid,"), "the county heard the fire first: {order}");
    assert_eq!(county_query(&db, "SELECT body->>'what' || ' ' || (body->'spot' IS NOT NULL)::text FROM record WHERE kind = 'rapid'")?, "fire true");
    app.click("#back").await?;
    app.click("#rapid-open").await?;
    app.wait_text("#rapid-list li.rapid-row[data-state='Sent']", |t| t.contains("县平台已收到")).await?;
    app.quit().await?;
    Ok(())
}
