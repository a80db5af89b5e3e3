//! The hand-over by QR on the mountain, through two app instances with their own data
//! folders, one after the other. In town both phones enrol and set their PINs (the keys reach
//! the county and come back with the roster). Then there is no signal: 王芳's phone shows her
//! signed patrol as a loop of QR codes; pictures of that screen are 李强's camera (the test
//! camera source, a folder of frames); his phone shows the record, he countersigns, and his
//! screen's QR codes go back to her camera; her patrol is sealed. Back in signal both phones
//! sync, and the county holds the patrol once.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use redvest_e2e::county::{clerk, fresh_database, query as county_query, serve};
use redvest_e2e::{exclusive, patrol_ids, App, Driver};

/// Pictures of the QR loop on screen, taken the way a camera would: at its own pace, some
/// frames twice, some never.
async fn film(app: &App, into: &Path, pictures: usize) -> Result<()> {
    std::fs::create_dir_all(into)?;
    for i in 0..pictures {
        std::fs::write(into.join(format!("{i:03}.png")), app.picture_of("#qr-frame").await?)?;
        tokio::time::sleep(Duration::from_millis(70)).await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patrol_goes_over_by_qr_and_comes_back_countersigned_then_reaches_the_county_once() -> Result<()> {
    let _turn = exclusive().await;
    let db = fresh_database("handover")?;
    let team = clerk(&db, &["team-create", "--name", "高山片区巡防队"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "李强", "--role", "leader"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "王芳", "--role", "volunteer"])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut county = Some(serve(&db, port)?);
    let server = format!("http://127.0.0.1:{port}");
    let (wang, li, camera) = (tempfile::tempdir()?, tempfile::tempdir()?, tempfile::tempdir()?);
    let (to_li, to_wang) = (camera.path().join("to-li"), camera.path().join("to-wang"));

    // In town: each phone enrols and its member sets a PIN; the keys go up.
    for (data, who, pin) in [(wang.path(), "王芳", "2468"), (li.path(), "李强", "13579")] {
        let driver = Driver::start(data)?;
        let app = driver.launch().await?;
        app.enrol(&server, &clerk(&db, &["enrol-code", "--team", &team])?).await?;
        app.click("#open-settings").await?;
        app.set_pin(who, pin).await?;
        app.sync_now().await?;
        app.quit().await?;
    }

    // 王芳's phone pulls the roster once more (李强's key with it); then the signal is gone.
    {
        let driver = Driver::start(wang.path())?;
        let app = driver.launch().await?;
        app.sync_now().await?;
        county.take();
        app.start_patrol("zone.highland", "高山留守区").await?;
        app.mark_present(2).await?;
        app.sign("王芳", "2468").await?;
        app.wait_text("#patrol-state", |t| t == "待队长签字").await?;
        app.click("#show-qr").await?;
        film(&app, &to_li, 40).await?;
        app.page_in_both_themes("handover-qr", 3).await?;
        app.quit().await?;
    }
    let patrol = patrol_ids(wang.path())?.pop().context("her patrol")?;

    // 李强's camera: the pictures of her screen. His phone shows the record; he countersigns
    // and shows his countersignature.
    {
        let camera = to_li.to_string_lossy().into_owned();
        let driver = Driver::start_with_env(li.path(), &[("REDVEST_CAMERA_DIR", &camera)])?;
        let app = driver.launch().await?;
        app.home().await?;
        app.click("#scan").await?;
        app.wait_text("#review-volunteer", |t| t == "王芳").await?;
        app.wait_count("#record-attendance li", 2, "class").await?;
        app.screenshot("handover-received").await?;
        app.countersign("13579").await?;
        app.click("#show-countersign-qr").await?;
        film(&app, &to_wang, 20).await?;
        app.quit().await?;
    }

    // 王芳's camera: his screen. Her patrol is sealed.
    {
        let camera = to_wang.to_string_lossy().into_owned();
        let driver = Driver::start_with_env(wang.path(), &[("REDVEST_CAMERA_DIR", &camera)])?;
        let app = driver.launch().await?;
        app.home().await?;
        app.click(&format!(".patrol-row[data-id='{patrol}']")).await?;
        app.click("#scan-countersign").await?;
        app.wait_text("#patrol-state", |t| t == "已签字封存").await?;
        app.wait_text("#signatures", |t| t.contains("李强")).await?;
        app.screenshot("handover-sealed").await?;

        // Back in signal: her phone sends the sealed patrol.
        county = Some(serve(&db, port)?);
        app.sync_now().await?;
        app.quit().await?;
    }
    // His phone sends his countersignature too; the county holds the patrol once.
    {
        let driver = Driver::start(li.path())?;
        let app = driver.launch().await?;
        app.sync_now().await?;
        app.quit().await?;
    }
    assert!(county.is_some());
    assert_eq!(county_query(&db, &format!("SELECT count(*) || ' ' || min(state) FROM patrol WHERE id = '{patrol}'"))?, "1 countersigned");
    assert_eq!(county_query(&db, &format!("SELECT count(*) FROM record WHERE kind = 'patrol' AND id = '{patrol}'"))?, "1", "her sealed record, once");
    assert_eq!(county_query(&db, "SELECT count(*) FROM record WHERE kind = 'countersign'")?, "1", "his countersignature, accepted as the same");
    assert_eq!(county_query(&db, "SELECT count(*) FROM refusal")?, "0", "nothing refused");
    Ok(())
}
