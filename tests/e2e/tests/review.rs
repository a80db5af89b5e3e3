//! The leader signs on their own phone: two app instances with their own data folders, one
//! after the other, against the real county. 王芳's phone signs two patrols and syncs; 李强's
//! phone pulls them as 队长待审, countersigns one and sends the other back with a reason, and
//! syncs; 王芳's phone then shows the first sealed and the second editable with the reason,
//! and the county holds the sealed patrol once.

use anyhow::Result;
use redvest_e2e::county::{clerk, fresh_database, query as county_query, serve};
use redvest_e2e::{exclusive, patrol_ids, query_db, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leader_reviews_on_their_own_phone_and_the_volunteer_sees_the_decisions() -> Result<()> {
    let _turn = exclusive().await;
    let db = fresh_database("review")?;
    let team = clerk(&db, &["team-create", "--name", "城关镇红马甲巡防队"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "李强", "--role", "leader"])?;
    clerk(&db, &["member-add", "--team", &team, "--name", "王芳", "--role", "volunteer"])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _county = serve(&db, port)?;
    let server = format!("http://127.0.0.1:{port}");

    // 王芳's phone: enrolled with its own code, her PIN, two patrols signed and sent.
    let wang_data = tempfile::tempdir()?;
    let wang_path = wang_data.path().to_path_buf();
    {
        let driver = Driver::start(&wang_path)?;
        let app = driver.launch().await?;
        app.enrol(&server, &clerk(&db, &["enrol-code", "--team", &team])?).await?;
        app.click("#open-settings").await?;
        app.set_pin("王芳", "2468").await?;
        app.click("#back").await?;
        for (assignment, title) in [("zone.town_centre", "场镇集中区"), ("post.night_patrol", "夜巡岗")] {
            app.start_patrol(assignment, title).await?;
            app.mark_present(2).await?;
            if assignment == "zone.town_centre" {
                app.click("li[data-code='WS-01'] button[data-outcome='Problem']").await?;
                app.click("li[data-code='PO-01'] button[data-outcome='Normal']").await?;
            }
            app.sign("王芳", "2468").await?;
            app.wait_text("#patrol-state", |t| t == "待队长签字").await?;
            app.wait_text("#submitted-note", |t| t.contains("队长可在自己的手机上审核")).await?;
            app.click("#back").await?;
        }
        app.sync_now().await?;
        app.quit().await?;
    }
    let ids = patrol_ids(&wang_path)?;
    anyhow::ensure!(ids.len() == 2, "two patrols: {ids:?}");
    let (sealed, returned) = (&ids[0], &ids[1]);
    for id in &ids {
        assert_eq!(county_query(&db, &format!("SELECT state FROM patrol WHERE id = '{id}'"))?, "submitted", "the county holds {id} for the leader");
    }

    // 李强's phone: his own code and PIN; both wait for him on the home page.
    let li_data = tempfile::tempdir()?;
    let li_path = li_data.path().to_path_buf();
    {
        let driver = Driver::start(&li_path)?;
        let app = driver.launch().await?;
        app.enrol(&server, &clerk(&db, &["enrol-code", "--team", &team])?).await?;
        app.click("#open-settings").await?;
        app.set_pin("李强", "13579").await?;
        app.sync_now().await?;
        app.wait_text("#reviews-count", |t| t.starts_with('2')).await?;
        app.wait_count(".review-row", 2, "data-id").await?;
        app.screenshot("review-list").await?;

        // The first: read-only, signed by 王芳; he countersigns.
        app.click(&format!(".review-row[data-id='{sealed}']")).await?;
        app.wait_text("#review-volunteer", |t| t == "王芳").await?;
        app.wait_count("#record-attendance li", 2, "class").await?;
        app.wait_text("#signatures", |t| t.contains("王芳")).await?;
        // Her answers by their text under their domains, in catalog order, as on her phone.
        let checks = app.wait_text("#record-checks", |t| t.contains("疏散通道、安全出口是否被占用、堵塞、封闭 · 发现问题")).await?;
        let at = |s: &str| checks.find(s).unwrap_or(usize::MAX);
        anyhow::ensure!(at("社会治安") < at("公共场所有无聚众赌博") && at("公共场所有无聚众赌博") < at("安全生产"), "grouped in catalog order: {checks}");
        anyhow::ensure!(!checks.contains("WS-01") && !checks.contains("PO-01"), "no codes: {checks}");
        app.page_in_both_themes("review", 10).await?;
        app.countersign("13579").await?;
        app.wait_text("#review-done", |t| t.contains("已复核签字")).await?;
        app.click("#back").await?;

        // The second: sent back with a reason.
        app.click(&format!(".review-row[data-id='{returned}']")).await?;
        app.type_into("#leader-pin", "13579").await?;
        app.type_into("#return-reason", "请补充隐患照片").await?;
        app.click("#send-back").await?;
        app.wait_text("#patrol-state", |t| t == "已退回").await?;
        app.sync_now().await?;
        app.quit().await?;
    }
    assert_eq!(county_query(&db, &format!("SELECT state FROM patrol WHERE id = '{sealed}'"))?, "countersigned");
    assert_eq!(county_query(&db, &format!("SELECT returned_reason FROM patrol WHERE id = '{returned}'"))?, "请补充隐患照片");

    // 王芳's phone again: the decisions arrive with the next sync.
    {
        let driver = Driver::start(&wang_path)?;
        let app = driver.launch().await?;
        app.sync_now().await?;
        app.wait_text(&format!(".patrol-row[data-id='{sealed}'] .badge"), |t| t == "已签字封存").await?;
        app.wait_text(&format!(".patrol-row[data-id='{returned}'] .badge"), |t| t == "已退回").await?;
        app.click(&format!(".patrol-row[data-id='{returned}']")).await?;
        app.wait_text("#returned-reason", |t| t.contains("请补充隐患照片")).await?;
        app.wait_text("#finish", |_| true).await?; // editable again: the finish-and-sign form is back
        app.screenshot("review-returned").await?;
        app.quit().await?;
    }
    let chained = query_db(&wang_path, "SELECT CAST(count(*) AS TEXT) FROM chain")?;
    assert_eq!(chained.as_deref(), Some("1"), "the countersigned patrol is in her chain");
    assert_eq!(county_query(&db, &format!("SELECT count(*) FROM record WHERE kind = 'patrol' AND id = '{sealed}'"))?, "1", "the county holds the sealed patrol once");
    assert_eq!(county_query(&db, "SELECT count(*) FROM patrol")?, "2");
    Ok(())
}
