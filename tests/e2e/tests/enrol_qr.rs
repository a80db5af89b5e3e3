//! A new phone connects to the county by scanning the enrolment QR code the console's team
//! page shows (the test camera plays the picture of it): the address and the one-time code
//! fill in by themselves, and 连接 enrols the phone.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use redvest_e2e::county::{clerk, fresh_database, serve};
use redvest_e2e::{exclusive, Driver};
use redvest_shared::team::EnrolQr;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_enrols_by_scanning_the_countys_qr_code() -> Result<()> {
    let _turn = exclusive().await;
    let db = fresh_database("enrolqr")?;
    let team = clerk(&db, &["team-create", "--name", "城关镇红马甲巡防队"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "王芳", "--role", "volunteer"])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _county = serve(&db, port)?;
    let server = format!("http://127.0.0.1:{port}");
    let code = clerk(&db, &["enrol-code", "--team", &team])?;

    // What the console draws, as a picture the camera takes of the clerk's screen.
    let camera = tempfile::tempdir()?;
    let text = EnrolQr { server: server.clone(), code: code.clone() }.to_text();
    qrcode::QrCode::new(text.as_bytes())?.render::<image::Luma<u8>>().min_dimensions(320, 320).build().save(camera.path().join("000.png"))?;

    let data = tempfile::tempdir()?;
    let camera_dir = camera.path().to_string_lossy().into_owned();
    let driver = Driver::start_with_env(data.path(), &[("REDVEST_CAMERA_DIR", &camera_dir)])?;
    let app = driver.launch().await?;
    app.click("#open-sync").await?;
    app.wait_text("#enrol", |_| true).await?;
    app.click("#enrol-scan").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.prop("input[name='sync.code']", "value").await? != code {
        ensure!(Instant::now() < deadline, "the scanned code never filled the form");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.prop("input[name='sync.server']", "value").await?, server, "the county's address came with it");
    app.screenshot("enrol-scanned").await?;
    app.click("#enrol-button").await?;
    app.wait_text("#last-success", |t| t.contains("成功") && !t.contains("从未")).await?;
    app.quit().await?;
    Ok(())
}
