//! 旬报 figures from a fixture month made the way users make it (a published plan, a phone's
//! signed and countersigned patrols, the county's decisions), against figures counted by hand
//! below; and the CSV and the Excel workbook read back with the same figures as the screen.
//!
//! November 2026, team 城关镇红马甲巡防队 (城关镇), duty 护学岗 08:00 on the 5th, 11th, 12th, 13th:
//! - 上旬: 11-05 the duty is done (P0).
//! - 中旬: 11-11 nobody comes (missed); 11-12 P1 (2 present; a dispute handed to the village, a
//!   house visit meeting 3, outreach to 40; hazard H1 消防安全/较大 to rectify by 11-15, never
//!   closed: overdue); 11-13 P2 (1 present, 1 absent; H2 安全生产/一般 fixed on the spot; a
//!   sighting passed to the police); 11-15 P3 in the evening, no duty (2 present; H3
//!   社会治安/重大 to rectify by 11-30, checked on 11-24 and closed by the county on 11-25, in 下旬); 11-16 P4 (a house
//!   visit meeting 2), then amended twice: counted once.
//! Every patrol lasts an hour; P1 walks 1 000 m and P2 500 m.

mod common;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use common::{base_url, county, county_with, team_device, Device};
use redvest_core::fixtures::{handwritten, sealed_patrol, submitted_patrol};
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::admin;
use redvest_county::db::CountyDecision;
use redvest_county::report::{Level, Period, Report};
use redvest_county::photos::PhotoStore;
use redvest_county::volume;
use redvest_shared::checklist::CheckDomain;
use redvest_shared::duty::{Assignment, Post, Zone};
use redvest_shared::hazard::CountyAction;
use redvest_shared::observation::{Handling, HazardReport, Observation, OutreachKind, Severity, SightingSubject};
use redvest_shared::patrol::{AttendanceEntry, Presence, StartPatrol};
use redvest_shared::team::Role;
use redvest_shared::track::{Fix, FixSource, TrackSettings};
use redvest_shared::wire::PlanDuty;
use sqlx::PgPool;
use uuid::Uuid;

fn beijing(day: u32, hour: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600).expect("offset").with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().expect("time").with_timezone(&Utc)
}

/// A patrol signed by 王芳 and countersigned by 李强, walking `metres` north at 2 m/s from its
/// start; returns it and its hazards' ids.
fn patrol(d: &Device, start: DateTime<Utc>, duty: Option<Uuid>, absent: bool, metres: u32, observations: &[Observation]) -> (Uuid, Vec<Uuid>) {
    let s = &d.store;
    let assignment = if duty.is_some() { Assignment::Post(Post::SchoolGate) } else { Assignment::Zone(Zone::TownCentre) };
    let p = s.start_patrol(&StartPatrol { duty_id: duty, assignment: Some(assignment), route: "场镇主街".into(), planned_start: None }, start).expect("start");
    let leader = if absent { Presence::Absent } else { Presence::Present };
    s.set_attendance(
        p.id,
        &[
            AttendanceEntry { member_id: Some(d.volunteer.id), name: String::new(), role: Role::Volunteer, presence: Presence::Present, reason: String::new() },
            AttendanceEntry { member_id: Some(d.leader.id), name: String::new(), role: Role::Leader, presence: leader, reason: if absent { "生病".into() } else { String::new() } },
        ],
    )
    .expect("attendance");
    let fixes: Vec<Fix> = (0..=metres / 2)
        .map(|i| Fix {
            lat: 29.93 + f64::from(i) * 2.0 / 111_000.0,
            lon: 107.88,
            altitude_m: None,
            accuracy_m: 5.0,
            speed_mps: None,
            bearing_deg: None,
            time: start + Duration::seconds(i64::from(i)),
            source: FixSource::Replay,
        })
        .collect();
    s.record_fixes(p.id, &fixes, &TrackSettings::default(), |f| f.time).expect("track");
    let hazards = observations
        .iter()
        .enumerate()
        .filter_map(|(i, o)| s.add_observation(p.id, o, &[], start + Duration::minutes(i as i64 + 1)).expect("observation").hazard_id)
        .collect();
    seal(d, p.id, start);
    (p.id, hazards)
}

fn seal(d: &Device, patrol: Uuid, start: DateTime<Utc>) {
    d.store.submit_patrol(&handwritten(patrol, &d.volunteer, "2468"), start + Duration::hours(1)).expect("submit");
    d.store.countersign(&handwritten(patrol, &d.leader, "13579"), start + Duration::hours(1) + Duration::minutes(5)).expect("countersign");
}

fn hazard(domain: CheckDomain, severity: Severity, handling: Handling) -> Observation {
    Observation::Hazard(HazardReport { domain, item: None, description: "隐患".into(), severity, place: "街上".into(), spot: None, handling })
}

fn rectify(by: u32) -> Handling {
    Handling::Rectify { responsible: "张三".into(), unit: "镇安办".into(), deadline: NaiveDate::from_ymd_opt(2026, 11, by).expect("date") }
}

/// What a poppler-utils tool prints for the PDF at `path`.
fn poppler(tool: &str, args: &[&str], path: &std::path::Path) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils; `cargo xtask test` installs it): {e}"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDF's pages and its text, kept as an artifact under `name`.
fn read_pdf(pdf: &[u8], name: &str) -> (tempfile::TempDir, std::path::PathBuf, String, usize) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(name);
    std::fs::write(&path, pdf).expect("write");
    if let Some(artifacts) = std::env::var_os("REDVEST_ARTIFACTS").map(std::path::PathBuf::from) {
        let _ = std::fs::create_dir_all(&artifacts).and_then(|()| std::fs::write(artifacts.join(name), pdf));
    }
    let printed = poppler("pdftotext", &["-layout"], &path);
    let pages: usize = poppler("pdfinfo", &[], &path).lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("Pages");
    assert!(printed.contains(&format!("共 {pages} 页")), "the footer counts the file's {pages} pages:\n{printed}");
    (dir, path, printed, pages)
}

/// The team's November bound: four sealed patrols (one of them an amendment, one at 23:30 on
/// the 30th), one waiting for the leader and one just after midnight on 1 December (Beijing)
/// left out; every field, the signatures as images, a photo's thumbnail, the chain verified
/// on the last page; a record altered at the county is named there.
#[sqlx::test(migrations = false)]
async fn a_team_month_binds_into_a_volume_that_verifies_its_chain(pool: PgPool) {
    let pool_for_checks = pool.clone();
    let photos = tempfile::tempdir().expect("photo dir");
    let photos_at = photos.path().to_str().expect("utf-8 path").to_owned();
    let (db, _, code) = county_with(pool, PhotoStore::open(&photos_at).expect("photo store")).await;
    let team = volume::team(&db, "城关镇红马甲巡防队", None).await.expect("the team by name").id;
    let township = admin::create_township(&db, "城关镇").await.expect("township");
    admin::set_team_township(&db, team, township).await.expect("in township");
    let base = base_url(db.clone()).await;
    let phone = team_device(base, code, SyncOptions::default()).await;
    let (first, amendment, with_photo, late, photo) = {
        let d = phone.clone();
        tokio::task::spawn_blocking(move || {
            let visit = Observation::HouseVisit { household: "二组5号".into(), people_met: 3, notes: "独居老人".into() };
            let (first, _) = patrol(&d, beijing(5, 8), None, false, 1_000, &[visit]);
            let amendment = d.store.start_amendment(first, beijing(6, 9)).expect("amend");
            seal(&d, amendment, beijing(6, 9));
            let (with_photo, _, shas) = sealed_patrol(&d, 1, 200);
            let (late, _) = patrol(&d, beijing(30, 23) + Duration::minutes(30), None, false, 0, &[]);
            patrol(&d, beijing(30, 23) + Duration::minutes(90), None, false, 0, &[]);
            submitted_patrol(&d, (&d.volunteer, "2468"), &d.leader, 0, 10);
            let report = sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("sync");
            assert_eq!(report.refused, 0, "{report:?}");
            (first, amendment, with_photo, late, shas[0].clone())
        })
        .await
        .expect("join")
    };
    let month = volume::month("2026-11").expect("a month");
    assert!(volume::month("2026-11-中旬").is_err(), "a 旬 is not a month");
    let team_row = volume::team(&db, &team.to_string(), None).await.expect("the team by id");
    assert!(volume::team(&db, "城关镇红马甲巡防队", Some(admin::create_township(&db, "河西镇").await.expect("t"))).await.is_err(), "not in 河西镇");
    let bound = volume::build(&db, &team_row, &month).await.expect("volume");
    let pdf = volume::pdf(&bound).expect("pdf");
    assert!(pdf == volume::pdf(&volume::build(&db, &team_row, &month).await.expect("again")).expect("pdf"), "the same records give the same bytes");
    let (_dir, path, printed, pages) = read_pdf(&pdf, "volume-2026-11.pdf");
    // The command line gives the same bytes from another process.
    let database = pool_for_checks.connect_options().get_database().expect("the test's database").to_owned();
    let mut url = reqwest::Url::parse(&std::env::var("DATABASE_URL").expect("DATABASE_URL")).expect("url");
    url.set_path(&database);
    let cli = |month: &str, out: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_redvest-county"))
            .args(["volume", "--team", "城关镇红马甲巡防队", "--month", month, "--photos", &photos_at, "--out"])
            .arg(out)
            .env("DATABASE_URL", url.as_str())
            .output()
            .expect("redvest-county volume")
    };
    let out = path.with_file_name("cli.pdf");
    let ran = cli("2026-11", &out);
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    assert!(std::fs::read(&out).expect("written") == pdf, "the command line's volume is the same bytes");
    let refused = cli("2026-11-中旬", &out);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("--month"), "a 旬 is refused, naming the flag: {}", String::from_utf8_lossy(&refused.stderr));
    let hash = |id: Uuid| {
        let pool = pool_for_checks.clone();
        async move { sqlx::query_scalar::<_, String>("SELECT encode(sha256(convert_to(canonical, 'UTF8')), 'hex') FROM patrol WHERE id = $1").bind(id).fetch_one(&pool).await.expect("hash") }
    };
    let mut needles = vec![
        "城关镇红马甲巡防队 巡查日志 2026年11月".to_owned(),
        "4 条(队长已签字封存)".into(),
        "1 条待队长签字或已退回,未装订".into(),
        "第 1 条 · 场镇集中区 · 2026-11-05 08:00".into(),
        "第 2 条 · 场镇集中区 · 2026-11-05 08:00".into(),
        "本条已由本册第 2 条更正".into(),
        "本条更正本册第 1 条".into(),
        "二组5号 · 见到 3 人 · 独居老人".into(),
        "第 4 条 · 场镇集中区 · 2026-11-30 23:30".into(),
        "巡查人:王芳".into(),
        "队长:李强".into(),
        "装订链核验".into(),
        "共 4 条记录,签名与装订链全部核验通过。".into(),
        "装订链第 2 条,链接有效,与第 1 条相接".into(),
    ];
    for id in [first, amendment, with_photo, late] {
        needles.push(hash(id).await);
    }
    for needle in &needles {
        assert!(printed.contains(needle.as_str()), "{needle:?} not in the volume's text:\n{printed}");
    }
    assert!(!printed.contains("· 场镇集中区 · 2026-12-01 00:30"), "the patrol of 1 December belongs to the next volume");
    assert!(pages >= 6, "a cover, a page or more per record, the closing page: {pages}");
    let fonts = poppler("pdffonts", &[], &path);
    assert!(fonts.lines().any(|l| l.contains("+NotoSans") && l.split_whitespace().filter(|w| *w == "yes").count() >= 2), "an embedded subset of Noto Sans CJK:\n{fonts}");
    // Two handwritten signatures per record and the hazard's photo, as images.
    let images = poppler("pdfimages", &["-list"], &path);
    let drawn: Vec<(u32, u32)> = images.lines().skip(2).filter_map(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        Some((w.get(3)?.parse().ok()?, w.get(4)?.parse().ok()?))
    }).collect();
    assert_eq!(drawn.iter().filter(|(w, h)| (*w, *h) == (300, 100)).count(), 8, "4 × 2 signatures:\n{images}");
    assert_eq!(drawn.iter().filter(|(w, h)| (*w, *h) == (400, 300)).count(), 1, "the photo's 400 px thumbnail:\n{images}");

    // Altered at the county after it was signed: the volume says which record fails and why.
    // Record 3's bytes changed; record 4 names another link before it (its own link redone to
    // match, as a forger would); record 1's signature is a JPEG, whatever the phone called it;
    // the photo in the store is damaged. The volume is still made.
    sqlx::query("UPDATE patrol SET canonical = replace(canonical, '场镇主街', '场镇后街') WHERE id = $1").bind(with_photo).execute(&pool_for_checks).await.expect("alter");
    let hash: Vec<u8> = sqlx::query_scalar("SELECT sha256(convert_to(canonical, 'UTF8')) FROM patrol WHERE id = $1").bind(late).fetch_one(&pool_for_checks).await.expect("hash");
    let forged = redvest_shared::seal::chain_link(&[0x11; 32], late, &hash);
    sqlx::query("UPDATE chain_link SET prev = $2, link = $3 WHERE patrol_id = $1").bind(late).bind(&[0x11u8; 32][..]).bind(&forged[..]).execute(&pool_for_checks).await.expect("forge");
    let jpeg = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, redvest_core::fixtures::jpeg(320, 90, 7));
    sqlx::query("UPDATE patrol SET volunteer = jsonb_set(volunteer, '{handwriting_png}', to_jsonb($2::text)) WHERE id = $1").bind(first).bind(jpeg).execute(&pool_for_checks).await.expect("jpeg");
    std::fs::write(photos.path().join("photos").join(&photo[..2]).join(&photo), b"not a jpeg").expect("damage the photo");
    let altered = volume::pdf(&volume::build(&db, &team_row, &month).await.expect("volume")).expect("pdf");
    let (_dir, path, printed, _) = read_pdf(&altered, "volume-2026-11-altered.pdf");
    for needle in ["共 4 条记录,2 条未通过核验:第 3、4 条。", "2 条未通过,见末页", "巡查人签名无效或密钥未登记", "链接与内容不符", "装订链第 4 条,与第 3 条接不上", "另有 1 张照片尚未收到或无法读取"] {
        assert!(printed.contains(needle), "{needle:?} not in the altered volume:\n{printed}");
    }
    let images = poppler("pdfimages", &["-list"], &path);
    assert!(images.lines().any(|l| l.split_whitespace().skip(3).take(2).collect::<Vec<_>>() == ["320", "90"]), "the JPEG signature drawn:\n{images}");

    // Two teams of one name: the id decides (in any case), the name alone is refused.
    admin::create_team(&db, "城关镇红马甲巡防队").await.expect("a second team of that name");
    assert!(matches!(volume::team(&db, "城关镇红马甲巡防队", None).await, Err(volume::VolumeError::Ambiguous(..))), "the name alone is ambiguous");
    assert_eq!(volume::team(&db, &team.to_string().to_uppercase(), None).await.expect("by id").id, team);
}

#[sqlx::test(migrations = false)]
async fn a_fixture_month_gives_the_hand_counted_figures(pool: PgPool) {
    let pool_for_checks = pool.clone();
    let (db, team, code) = county(pool).await;
    let township = admin::create_township(&db, "城关镇").await.expect("township");
    admin::set_team_township(&db, team, township).await.expect("in township");
    let duty = Uuid::now_v7();
    let dates = [5, 11, 12, 13].map(|d| NaiveDate::from_ymd_opt(2026, 11, d).expect("date")).to_vec();
    let plan = PlanDuty { id: duty, assignment: Assignment::Post(Post::SchoolGate), place: "城关小学".into(), time: NaiveTime::from_hms_opt(8, 0, 0).expect("time"), dates };
    admin::publish_plan(&db, team, "2026-11", vec![plan]).await.expect("plan");
    let base = base_url(db.clone()).await;
    let phone = team_device(base, code, SyncOptions::default()).await;
    // 入户定额: 李强 50 households a month (王芳, who records every visit, none yet).
    assert!(db.set_visit_quota(team, phone.leader.id, Some(50)).await.expect("quota"), "an active member of the team");
    assert!(!db.set_visit_quota(Uuid::now_v7(), phone.volunteer.id, Some(30)).await.expect("quota"), "not another team's member");
    let h3 = {
        let d = phone.clone();
        tokio::task::spawn_blocking(move || {
            sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("plan pulled");
            patrol(&d, beijing(5, 8), Some(duty), false, 0, &[]);
            patrol(
                &d,
                beijing(12, 8),
                Some(duty),
                false,
                1_000,
                &[
                    Observation::Dispute { summary: "宅基地".into(), place: "二组".into(), handed_to_village: true },
                    Observation::HouseVisit { household: "二组5号".into(), people_met: 3, notes: String::new() },
                    Observation::Outreach { kind: OutreachKind::Leaflets, audience: 40, notes: String::new() },
                    hazard(CheckDomain::FireSafety, Severity::Medium, rectify(15)),
                ],
            );
            patrol(
                &d,
                beijing(13, 8),
                Some(duty),
                true,
                500,
                &[
                    hazard(CheckDomain::WorkSafety, Severity::Low, Handling::FixedOnSpot),
                    Observation::Sighting { subject: SightingSubject::Vehicle, description: "无牌车".into(), place: "桥头".into(), passed_to_police: true },
                ],
            );
            let (_, h3) = patrol(&d, beijing(15, 20), None, false, 0, &[hazard(CheckDomain::PublicOrder, Severity::High, rectify(30))]);
            let (p4, _) = patrol(&d, beijing(16, 20), None, false, 0, &[Observation::HouseVisit { household: "三组2号".into(), people_met: 2, notes: String::new() }]);
            // Amended twice: the later amendment counts, once.
            for day in [17, 18] {
                let amendment = d.store.start_amendment(p4, beijing(day, 9)).expect("amend");
                seal(&d, amendment, beijing(day, 9));
            }
            let report = sync_once(&d.store, SyncOptions::default(), &|_| {}).expect("sync");
            assert_eq!(report.refused, 0, "{report:?}");
            h3[0]
        })
        .await
        .expect("join")
    };
    // The county checks H3 fixed (复查) and closes it (销号), both in 下旬.
    for (action, day) in [(CountyAction::Recheck, 24), (CountyAction::Close, 25)] {
        let decision = CountyDecision { action, by: "县综治中心".into(), reason: "已整改".into(), responsible: None, deadline: None, clerk: None };
        admin::decide_hazard(&db, h3, None, decision, beijing(day, 10)).await.expect("decided in 下旬");
    }

    let report = Report::build(&db, Period::parse("2026-11-中旬").expect("period"), None).await.expect("report");
    assert_eq!(report.rows.iter().map(|r| r.level).collect::<Vec<_>>(), vec![Level::Team, Level::Township, Level::County]);
    let f = &report.rows[0].now;
    assert_eq!((f.duties_planned, f.duties_due, f.duties_done, f.duties_missed), (3, 3, 2, 1), "11th missed, 12th and 13th done");
    assert_eq!((f.patrols, f.attendances), (4, 7), "P1–P3 and P4 once; 2 + 1 + 2 + 2 present");
    assert!((f.hours - 4.0).abs() < 1e-6, "four hours: {}", f.hours);
    // P1 walked 1 000 m and P2 500 m north (2 m a second, 1/111 000 of a degree for 2 m: the
    // meridian's degree is about 110 860 m at 30°N, so 0.998 of that).
    assert!((f.km - 1.5 * 110_860.0 / 111_000.0).abs() < 0.01, "1.5 km walked: {}", f.km);
    assert_eq!((f.hazards_found, f.by_domain, f.by_severity), (3, [1, 1, 1], [1, 1, 1]));
    assert_eq!((f.fixed_on_spot, f.rectified_of_found, f.closed, f.overdue), (1, 1, 0, 1), "H2 on the spot; H3 closed only in 下旬; H1 overdue");
    assert_eq!((f.disputes, f.disputes_handed, f.sightings, f.sightings_passed), (1, 1, 1, 1));
    assert_eq!((f.house_visits, f.people_met, f.outreach, f.audience), (2, 5, 1, 40), "P4's visit once, though amended");
    // 10 of November's 30 days: 50 × 10 / 30; both visits were 王芳's, who has no quota.
    assert!((f.visit_quota - 50.0 / 3.0).abs() < 1e-9 && f.quota_visits == 0, "李强's quota prorated, no visit of his: {f:?}");
    let before = &report.rows[0].before;
    assert_eq!((report.previous.label.as_str(), before.duties_planned, before.duties_done, before.patrols), ("2026年11月上旬", 1, 1, 1));
    assert_eq!(report.rows[2].now, *f, "one team: the township and the county are its figures");
    assert_eq!(report.by_assignment, vec![("护学岗", 2), ("场镇集中区", 2)]);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM patrol WHERE doc IS NOT NULL").fetch_one(&pool_for_checks).await.expect("q");
    assert_eq!(stored, 7, "every patrol held with its record as JSON (P0–P4 and two amendments)");
    let screen: Vec<String> = Report::cells(&report.rows[0]).iter().map(|c| c.text()).collect();
    let column = |name: &str| Report::header().iter().position(|h| *h == name).unwrap_or_else(|| panic!("column {name}"));
    assert_eq!(screen[column("覆盖率")], "66.7%");
    assert_eq!(screen[column("整改率")], "33.3%");
    assert_eq!(screen[column("巡查次数增减")], "3");
    assert_eq!(screen[column("巡查里程(公里)")], "1.5");

    // A township's report: its teams only, summed under its name.
    let scoped = Report::build(&db, Period::parse("2026-11-中旬").expect("period"), Some(township)).await.expect("report");
    assert_eq!((scoped.rows.len(), scoped.rows[2].township.as_str(), &scoped.rows[2].now), (3, "城关镇", f));
    let other = admin::create_township(&db, "河西镇").await.expect("township");
    let elsewhere = Report::build(&db, Period::parse("2026-11-中旬").expect("period"), Some(other)).await.expect("report");
    assert_eq!((elsewhere.rows.len(), elsewhere.rows[0].now.patrols), (1, 0), "河西镇 has none of 城关镇's patrols");

    // 下旬: H3's 销号 counts there; nothing was found.
    let late = Report::build(&db, Period::parse("2026-11-下旬").expect("period"), None).await.expect("report");
    assert_eq!((late.rows[0].now.closed, late.rows[0].now.hazards_found, late.rows[0].now.overdue), (1, 0, 1), "H3 closed; H1 still overdue");

    // The CSV: a BOM, then the same cells as the screen.
    let csv_bytes = report.csv().expect("csv");
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&csv_bytes[3..]);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv row")).collect();
    assert_eq!(&records[0][0], "红马甲巡防 2026年11月中旬 统计");
    assert_eq!(records[2].iter().collect::<Vec<_>>(), Report::header());
    assert_eq!(records[3].iter().map(str::to_owned).collect::<Vec<_>>(), screen, "the team's row as on screen");
    assert!(records.iter().any(|r| r[0].starts_with("整改率 =")), "the definition printed next to it");

    // The PDF, read as a clerk's printer would be checked: the Chinese headings, the team and
    // its numbers found by pdftotext, the CJK font embedded as a subset, the page count in the
    // footer equal to the file's, and the same bytes when printed again.
    let pdf = report.pdf().expect("pdf");
    assert!(pdf == report.pdf().expect("again"), "the same report gives the same bytes");
    let (_dir, path, printed, _) = read_pdf(&pdf, "report-2026-11-中旬.pdf");
    let poppler = |tool: &str, args: &[&str]| poppler(tool, args, &path);
    for needle in ["红马甲巡防 2026年11月中旬 统计", "对比上期", "城关镇红马甲巡防队", "覆盖率", "66.7%", "33.3%", "整改率 =", "全县"] {
        assert!(printed.contains(needle), "{needle:?} not in the PDF's text:\n{printed}");
    }
    let fonts = poppler("pdffonts", &[]);
    assert!(fonts.lines().any(|l| l.contains("+NotoSansCJK") && l.split_whitespace().filter(|w| *w == "yes").count() >= 2), "an embedded subset of Noto Sans CJK:\n{fonts}");

    // The workbook: numbers as numbers, the same figures.
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(report.xlsx().expect("xlsx"))).expect("open xlsx");
    let sheet = book.worksheet_range("统计").expect("sheet");
    let cell = |r: u32, c: usize| sheet.get_value((r, c as u32)).cloned().unwrap_or(calamine::Data::Empty);
    assert_eq!(cell(3, column("队伍")), calamine::Data::String("城关镇红马甲巡防队".into()));
    // The period's first and last days are dates, not text.
    for (c, day) in [(1, "2026-11-11"), (3, "2026-11-20")] {
        match cell(1, c) {
            // Excel counts days from 1899-12-30.
            calamine::Data::DateTime(d) => assert_eq!((NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch") + Duration::days(d.as_f64() as i64)).to_string(), day),
            other => panic!("the period's day is a date: {other:?}"),
        }
    }
    assert_eq!(cell(3, column("巡查次数")), calamine::Data::Float(4.0));
    assert_eq!(cell(3, column("入户走访(户)")), calamine::Data::Float(2.0));
    match cell(3, column("整改率")) {
        calamine::Data::Float(x) => assert!((x - 1.0 / 3.0).abs() < 1e-9, "a share, shown as a percent: {x}"),
        other => panic!("整改率 is a number: {other:?}"),
    }
    assert_eq!((cell(5, column("层级")), cell(5, column("乡镇"))), (calamine::Data::String("合计".into()), calamine::Data::String("全县".into())));
    let posts = book.worksheet_range("按岗位").expect("sheet");
    assert_eq!(posts.get_value((1, 0)).cloned(), Some(calamine::Data::String("护学岗".into())));

    // 王芳 30 a month too: (30 + 50) × 10 / 30 = 26.7 for the 旬, her 2 visits against it.
    assert!(db.set_visit_quota(team, phone.volunteer.id, Some(30)).await.expect("quota"));
    let report = Report::build(&db, Period::parse("2026-11-中旬").expect("period"), None).await.expect("report");
    let screen: Vec<String> = Report::cells(&report.rows[0]).iter().map(|c| c.text()).collect();
    assert_eq!((screen[column("入户定额(户)")].as_str(), screen[column("定额完成率")].as_str()), ("27", "7.5%"));
    let month = Report::build(&db, Period::parse("2026-11").expect("period"), None).await.expect("report");
    assert_eq!((month.rows[0].now.visit_quota.round(), month.rows[0].now.quota_visits), (80.0, 2), "a whole month: the quotas themselves");
}
