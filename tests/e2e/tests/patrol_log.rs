//! A whole patrol through the real webview at phone size (412×915): roster and PINs in
//! settings, then the recording page's steps — attendance, three checklist items, one turned
//! into a hazard with a deadline, a house visit, the volunteer's signature — the leader's
//! countersignature, and the frozen read-only view.

use redvest_e2e::{exclusive, Driver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_patrol_is_recorded_signed_and_frozen() -> anyhow::Result<()> {
    let _turn = exclusive().await;
    let data = tempfile::tempdir()?;
    let driver = Driver::start(data.path())?;
    let app = driver.launch().await?;
    app.phone_size().await?;

    // Settings: the team leader and a volunteer, each with a signing PIN. Open while the
    // team sets the phone up.
    app.click("#open-settings").await?;
    app.wait_text("#settings-open", |t| t.contains("队长设置签字密码后")).await?;
    // A new member is a 平安志愿者 unless chosen otherwise (a hurried tap makes no 队长).
    app.wait_text("#roster .inline-form select option:checked", |t| t.contains("平安志愿者")).await?;
    app.type_into("#member-name", "李强").await?;
    app.select_text("#roster .inline-form select", "队长").await?;
    app.click("#add-member").await?;
    app.wait_text("li.member-row[data-member='李强']", |t| t.contains("队长")).await?;
    app.wait_text("#roster .inline-form select option:checked", |t| t.contains("平安志愿者")).await?;
    app.type_into("#member-name", "王芳").await?;
    app.select_text("#roster .inline-form select", "平安志愿者").await?;
    app.click("#add-member").await?;
    // The roster redraws when a member is added: type PINs only once it has.
    app.wait_text("li.member-row[data-member='王芳']", |t| t.contains("平安志愿者")).await?;
    app.set_pin("李强", "1357").await?;
    app.set_pin("王芳", "2468").await?;
    // The key list below follows without reopening the page.
    app.wait_text("#keys", |t| t.contains("李强") && t.contains("王芳")).await?;
    // The leader has a password now: the roster and duties are read-only to whoever holds
    // the phone, until a leader unlocks them. 王芳, a volunteer, cannot: only leaders are
    // offered, and her own password under the leader's name is refused.
    app.wait_text("#settings-locked", |t| t.contains("已锁定")).await?;
    for control in ["#add-member", "#member-name", "#add-duty", "#save-track-settings"] {
        assert!(app.is_disabled(control).await?, "{control} is read-only");
    }
    app.screenshot("settings-locked").await?;
    let offered = app.prop("#unlock-leader", "textContent").await?;
    anyhow::ensure!(offered.contains("李强") && !offered.contains("王芳"), "only leaders unlock: {offered}");
    app.type_into("#unlock-pin", "2468").await?;
    app.click("#unlock-settings").await?;
    app.wait_text("#settings-lock-error", |t| t.contains("密码")).await?;
    app.set_value("#unlock-pin", "1357").await?;
    app.click("#unlock-settings").await?;
    app.wait_text("#settings-unlocked", |t| t.contains("李强 已解锁设置")).await?;
    for control in ["#add-duty", "#save-track-settings", "#duty-time"] {
        assert!(!app.is_disabled(control).await?, "{control} unlocked");
    }
    // A daily night patrol at 21:30 in the schedule shows among today's duties.
    app.set_value("#duty-assignment", "1").await?;
    app.type_into("#duty-place", "场镇主街").await?;
    app.set_value("#duty-time", "21:30").await?;
    app.wait_text("#duties .picker-text", |t| t == "21:30").await?;
    // A weekly duty's days are named in Chinese, not by the system's English.
    app.set_value("#duty-recurrence", "weekly").await?;
    let days = app.prop("#duty-weekday", "textContent").await?;
    anyhow::ensure!(days.starts_with("周一") && days.ends_with("周日"), "the weekdays: {days}");
    // A day chosen, the kind changed and changed back: the select still says that day.
    app.set_value("#duty-weekday", "2").await?;
    app.set_value("#duty-recurrence", "daily").await?;
    app.set_value("#duty-recurrence", "weekly").await?;
    app.wait_text("#duty-weekday option:checked", |t| t == "周三").await?;
    app.set_value("#duty-recurrence", "daily").await?;
    app.click("#add-duty").await?;
    app.wait_text("#duty-schedule", |t| t.contains("21:30 夜巡岗") && t.contains("每天")).await?;
    app.click("#lock-settings").await?;
    app.wait_text("#settings-locked", |t| t.contains("已锁定")).await?;
    app.click("#back").await?;
    app.wait_text("#duty-list", |t| t.contains("21:30 夜巡岗") && t.contains("场镇主街")).await?;

    // Start an ad hoc patrol of the town centre.
    app.start_patrol("zone.town_centre", "场镇集中区").await?;

    // The page is in steps, one shown at a time, opening at 人员到位; their bar sits at the
    // bottom of the screen, where the thumb is, and says what each holds.
    app.shows_step("attendance").await?;
    anyhow::ensure!(app.in_thumb_reach("#step-bar").await?, "the step bar at the bottom of the screen");
    app.wait_text("#step-bar", |t| ["人员到位", "巡查重点", "巡查发现", "签字"].iter().all(|s| t.contains(s))).await?;
    app.wait_text("#step-attendance .step-count", |t| t == "0 人").await?;

    // Attendance: both present, counted on the step's tab; 下一步 goes on to the checklist.
    app.mark_present(2).await?;
    app.wait_text("#step-attendance.done .step-count", |t| t == "2 人").await?;
    app.click("#next-attendance").await?;
    app.shows_step("checklist").await?;
    // The focus goes with it, to the new step's tab (the 下一步 tapped is hidden now).
    assert_eq!(app.focused().await?, "step-checklist");
    // With people present the patrol is under way: reopened, it is at the checklist.
    app.click("#back").await?;
    app.click("#resume").await?;
    app.wait_text("#step-attendance .step-count", |t| t == "2 人").await?;
    app.shows_step("checklist").await?;

    // Three checklist items, counted against the list's length.
    app.click("li[data-code='PO-01'] button[data-outcome='Normal']").await?;
    app.click("li[data-code='WS-01'] button[data-outcome='Problem']").await?;
    app.click("li[data-code='FS-02'] button[data-outcome='NotApplicable']").await?;
    let items = app.count("#checklist li.check-row").await?;
    app.wait_text("#step-checklist .step-count", |t| t == format!("3/{items}")).await?;

    // The item answered 发现问题 becomes a hazard: the findings step opens by itself with the
    // form filled from the item's domain and wording, the photo first, and its common
    // wordings a tap away.
    app.click("li[data-code='WS-01'] button.report-problem").await?;
    app.shows_step("findings").await?;
    app.wait_text("#observation-form[data-kind='hazard']", |_| true).await?;
    anyhow::ensure!(app.prop("select[name='hazard.domain']", "value").await? == "work_safety", "the item's domain");
    let description = "textarea[name='hazard.description']";
    anyhow::ensure!(app.prop(description, "value").await? == "疏散通道、安全出口是否被占用、堵塞、封闭", "the item's wording");
    app.click("#hazard-phrases button.phrase").await?;
    app.wait_prop(description, "value", |v| v.ends_with(",通道堵塞")).await.map_err(|e| e.context("a tap adds the wording"))?;
    let form = app.prop("#observation-form", "innerText").await?;
    anyhow::ensure!(form.find("照片").unwrap_or(usize::MAX) < form.find("情况描述").unwrap_or(0), "the photo comes first: {form}");
    app.screenshot("hazard-from-checklist").await?;
    // A hazard to rectify by a deadline: first without a responsible person, which is refused
    // beside the field; then complete.
    app.set_value(description, "超市后门安全出口被货物堵塞").await?;
    app.type_into("input[name='hazard.place']", "场镇主街12号").await?;
    app.set_value("select[name='hazard.handling']", "rectify").await?;
    app.wait_text("#observation-form .picker-text", |t| t == "点此选择日期").await?;
    app.set_value("input[name='hazard.deadline']", "2099-12-31").await?;
    // The date reads as the app writes dates, not in the WebView's locale format.
    app.wait_text("#observation-form .picker-text", |t| t == "2099-12-31").await?;
    app.scroll_to("#observation-form .picker").await?;
    app.screenshot("hazard-deadline").await?;
    app.click("#save-observation").await?;
    app.wait_text("p.error[data-field='hazard.responsible']", |t| t.contains("必填")).await?;
    app.type_into("input[name='hazard.responsible']", "张老板").await?;
    app.click("#save-observation").await?;
    app.wait_text("#observation-list", |t| t.contains("超市后门安全出口被货物堵塞")).await?;

    // A house visit.
    app.click("#add-visit").await?;
    app.type_into("input[name='visit.household']", "高山村3组 李家").await?;
    assert_eq!(app.prop("input[name='visit.people_met']", "inputMode").await?, "numeric", "a count opens the number pad");
    app.type_into("input[name='visit.people_met']", "3").await?;
    app.click("#save-observation").await?;
    app.wait_text("#observation-list", |t| t.contains("入户走访") && t.contains("李家")).await?;

    app.scroll_to("#attendance").await?;
    app.screenshot("patrol-attendance").await?;
    app.scroll_to("#observations").await?;
    app.screenshot("patrol-findings").await?;

    app.wait_text("#step-findings.done .step-count", |t| t == "2 条").await?;

    // Finish: the summary counts, remarks, the volunteer signs.
    app.click("#step-sign").await?;
    app.shows_step("sign").await?;
    // The step is longer than the screen; 结束巡查并签字 waits above the bar all the same.
    anyhow::ensure!(app.scrolls().await?, "the sign step is longer than the screen");
    anyhow::ensure!(app.in_thumb_reach("#sign-submit").await?, "结束巡查并签字 at the bottom of the screen");
    app.screenshot("patrol-sign").await?;
    app.wait_text("#finish-summary", |t| t.contains("到岗人数 2") && t.contains("已查项目 3") && t.contains("巡查发现 2")).await?;
    app.type_into("#remarks", "巡查正常结束").await?;
    app.sign("王芳", "0000").await?;
    app.wait_text("p.error[data-field='signer.pin']", |t| t.contains("密码不正确")).await?;
    app.set_value("#pin", "2468").await?;
    app.click("#sign-submit").await?;
    app.wait_text("#patrol-state", |t| t == "待队长签字").await?;

    // The leader countersigns.
    app.countersign("1357").await?;
    app.wait_text("#frozen-note", |t| t.contains("不能修改")).await?;
    let roles = app.wait_count("#signatures li.signature-row", 2, "data-role").await?;
    assert_eq!(roles, vec!["Volunteer", "Leader"]);
    app.wait_text("#record-remarks", |t| t == "巡查正常结束").await?;
    // Each answer by its text, under its domain, the domains in catalog order.
    let checks = app
        .wait_text("#record-checks", |t| t.contains("疏散通道、安全出口是否被占用、堵塞、封闭 · 发现问题") && t.contains("挂牌重大火灾隐患单位(区域) · 不适用"))
        .await?;
    let at = |s: &str| checks.find(s).unwrap_or(usize::MAX);
    anyhow::ensure!(at("社会治安") < at("公共场所有无聚众赌博") && at("公共场所有无聚众赌博") < at("安全生产") && at("安全生产") < at("消防安全"), "grouped in catalog order: {checks}");
    anyhow::ensure!(!checks.contains("WS-01"), "no codes: {checks}");
    // Frozen: no editing controls are offered.
    app.wait_count("#attendance", 0, "id").await?;
    app.page_in_both_themes("patrol-sealed", 10).await?;

    // The open hazard shows on the home page with its deadline, and its history opens.
    app.click("#back").await?;
    app.wait_text("#hazard-list", |t| t.contains("超市后门安全出口被货物堵塞") && t.contains("2099-12-31") && t.contains("已交办")).await?;
    app.click("#hazard-list li.hazard-row").await?;
    // Every field with its label: the checklist item by its text, the responsible person, the deadline.
    app.wait_text("#hazard-fields", |t| {
        t.contains("疏散通道、安全出口是否被占用、堵塞、封闭") && t.contains("张老板") && t.contains("责任单位") && t.contains("2099-12-31")
    })
    .await?;
    app.wait_text("#hazard-history", |t| t.contains("已交办") && t.contains("张老板")).await?;
    app.screenshot("hazard-history").await?;
    // The volunteer records that rectifying has begun: without a reason it is refused beside
    // the field, with one the page reads the new state and the history its entry.
    app.select_text("#hazard-new-state", "整改中").await?;
    app.click("#hazard-save").await?;
    app.wait_text("p.error[data-field='hazard_change.reason']", |t| !t.is_empty()).await?;
    app.type_into("#hazard-reason", "已通知张老板清理货物").await?;
    app.click("#hazard-save").await?;
    app.wait_text("#hazard-state", |t| t == "整改中").await?;
    app.wait_text("#hazard-history", |t| t.contains("整改中") && t.contains("已通知张老板清理货物")).await?;
    app.quit().await?;
    Ok(())
}
