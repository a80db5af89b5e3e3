//! Sync through the real app: a device holding a sealed patrol (track, photos) enrols with the
//! county from the sync page, everything goes up without anyone pressing a button, then a plan
//! and an alert the county publishes come back and show in the app.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use redvest_core::fixtures::{device_in, sealed_patrol};
use redvest_e2e::{exclusive, query_db, Driver};

/// The county binary next to the app's.
fn county_bin() -> Result<std::path::PathBuf> {
    let app = std::env::var_os("REDVEST_APP_BIN").context("REDVEST_APP_BIN is set by `cargo xtask test`")?;
    Ok(std::path::Path::new(&app).with_file_name("redvest-county"))
}

/// A fresh database on the test cluster for this county.
fn fresh_database() -> Result<String> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL is set by `cargo xtask test`")?;
    let name = format!("e2e_sync_{}", std::process::id());
    let status = Command::new("psql").arg(&url).args(["-q", "-c", &format!("CREATE DATABASE {name}")]).status().context("psql")?;
    anyhow::ensure!(status.success(), "creating database {name}");
    let (server, _) = url.rsplit_once('/').context("DATABASE_URL has a database name")?;
    Ok(format!("{server}/{name}"))
}

fn clerk(db: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(county_bin()?).arg("--database-url").arg(db).args(args).output().context("redvest-county")?;
    anyhow::ensure!(out.status.success(), "redvest-county {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

struct County(Child);

impl Drop for County {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &str, port: u16) -> Result<County> {
    let child = Command::new(county_bin()?)
        .arg("--database-url")
        .arg(db)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .spawn()
        .context("starting the county")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("the county did not listen on {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(County(child))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_send_everything_and_see_the_countys_plan_and_alert() -> Result<()> {
    let _turn = exclusive().await;
    let db = fresh_database()?;
    let team = clerk(&db, &["team-create", "--name", "城关镇红马甲巡防队"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "李强", "--role", "leader"])?;
    let code = clerk(&db, &["enrol-code", "--team", &team])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _county = serve(&db, port)?;

    // The phone already holds a sealed patrol with a track and two photos, not yet sent.
    let data = tempfile::tempdir()?;
    let data_path = data.path().to_path_buf();
    let (patrol, _, photos) = {
        let d = device_in(data);
        let sealed = sealed_patrol(&d, 2, 120);
        drop(d.store);
        std::mem::forget(d.dir); // the app uses the folder; the test removes it at the end
        sealed
    };

    let driver = Driver::start(&data_path)?;
    let app = driver.launch().await?;
    app.click("#open-sync").await?;
    app.wait_text("#enrol", |_| true).await?;
    app.set_value("input[name='sync.server']", &format!("http://127.0.0.1:{port}")).await?;
    app.set_value("input[name='sync.code']", "0000-0000-0000").await?;
    app.click("#enrol-button").await?;
    let refused = app.wait_text(".field-error[data-field='sync.code']", |t| !t.is_empty()).await?;
    assert!(refused.contains("登记码无效"), "a wrong code is refused beside its field: {refused}");
    app.set_value("input[name='sync.code']", &code).await?;
    app.click("#enrol-button").await?;

    // Enrolled: the worker sends everything by itself.
    app.wait_text("#sync-team", |t| t == "城关镇红马甲巡防队").await?;
    app.wait_text("#nothing-pending", |t| t.contains("全部已上传")).await?;
    app.wait_count(".outbox-row[data-state='Sent']", 3, "data-kind").await?;
    app.screenshot("sync-all-sent").await?;
    let sent = query_db(&data_path, "SELECT count(*) || '' FROM outbox WHERE state = 'sent'")?;
    assert_eq!(sent.as_deref(), Some("3"), "the patrol and its {} photos", photos.len());
    let on_county = Command::new("psql").arg(&db).args(["-tA", "-c", &format!("SELECT count(*) FROM record WHERE id = '{patrol}'")]).output()?;
    assert_eq!(String::from_utf8_lossy(&on_county.stdout).trim(), "1", "the county holds the patrol once");

    // The county publishes a plan for today and an alert; 立即同步 brings them.
    let today = chrono::Local::now().date_naive();
    let plan = data_path.join("plan.json");
    std::fs::write(
        &plan,
        serde_json::json!([{ "id": "019ab000-0000-7000-8000-000000000001", "assignment": {"post": "night_patrol"},
            "place": "县城东门", "time": "21:30:00", "dates": [today.to_string()] }])
        .to_string(),
    )?;
    clerk(&db, &["plan-publish", "--team", &team, "--month", &today.format("%Y-%m").to_string(), "--file", &plan.to_string_lossy()])?;
    let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let to = (chrono::Utc::now() + chrono::Duration::hours(12)).to_rfc3339();
    clerk(&db, &["alert-publish", "--team", &team, "--text", "今晚有大风,注意广告牌", "--area", "场镇", "--from", &from, "--to", &to])?;
    app.click("#sync-now").await?;
    app.wait_text("#alerts", |t| t.contains("今晚有大风")).await?;
    app.screenshot("sync-alert").await?;
    app.click("#back").await?;
    app.wait_text("body", |t| t.contains("县城东门")).await?;
    app.wait_text("#unsynced", |t| t.starts_with('0')).await?;
    app.screenshot("home-plan-duty").await?;
    app.quit().await?;
    let _ = std::fs::remove_dir_all(&data_path);
    Ok(())
}
