//! Ten wrong PINs locked 王芳's signature on this phone: the settings page says so, and 李强,
//! the leader, unlocks it there with his own PIN (a wrong one first, refused by name).

use anyhow::Result;
use redvest_e2e::{exclusive, query_db, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_unlocks_a_signature_locked_by_wrong_pins() -> Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;
    {
        let app = driver.launch().await?;
        app.click("#open-settings").await?;
        for (name, role) in [("李强", "队长"), ("王芳", "平安志愿者")] {
            app.type_into("#member-name", name).await?;
            app.select_text("#roster .inline-form select", role).await?;
            app.click("#add-member").await?;
            app.wait_text(&format!("li.member-row[data-member='{name}']"), |t| t.contains(role)).await?;
        }
        app.set_pin("李强", "1357").await?;
        app.set_pin("王芳", "2468").await?;
        app.quit().await?;
    }
    // What ten wrong tries leave behind (the waits between them take a quarter of an hour).
    let wang = query_db(data.path(), "SELECT hex(id) FROM member WHERE name = '王芳'")?.expect("王芳");
    rusqlite::Connection::open(data.path().join("redvest.sqlite3"))?
        .execute(&format!("INSERT INTO pin_failure (member_id, failed, first_failed_at, last_failed_at) VALUES (x'{wang}', 10, '2099-01-01 00:00:00+00:00', '2099-01-01 00:00:00+00:00')"), [])?;

    let app = driver.launch().await?;
    app.click("#open-settings").await?;
    let row = "li.member-row[data-member='王芳']";
    app.wait_text(row, |t| t.contains("已锁定")).await?;
    app.screenshot("pin-locked").await?;
    app.set_value(&format!("{row} input.lift-pin"), "9999").await?;
    app.click(&format!("{row} button.lift-lock-button")).await?;
    app.wait_text(row, |t| t.contains("密码不正确")).await?;
    app.set_value(&format!("{row} input.lift-pin"), "1357").await?;
    app.click(&format!("{row} button.lift-lock-button")).await?;
    app.wait_text(row, |t| t.contains("已设签字密钥") && !t.contains("已锁定")).await?;
    assert_eq!(query_db(data.path(), "SELECT CAST(count(*) AS TEXT) FROM pin_failure WHERE member_id = (SELECT id FROM member WHERE name = '王芳')")?.as_deref(), Some("0"));
    app.quit().await?;
    Ok(())
}
