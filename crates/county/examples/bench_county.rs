//! `cargo xtask bench county`: the console's pages over a county's year, one JSON object per
//! line on stdout (human text on stderr).
//!
//! Data: 20 townships, 300 teams, one patrol a day per team for 365 days (109 500 patrols),
//! each a copy of one real patrol pushed by the device client (signed bytes with a fresh id,
//! its 1-hour track of 720 fixes, signatures; no photo bytes; the copies' signatures do not
//! match their new ids, so their pages say so — the same checks, the same work), each for its
//! team's morning duty of the day; 9 in 10 patrols found a hazard
//! (≈ 98 500 hazards, 3 history entries each ≈ 295 000 entries; most closed, some open, some
//! overdue); two duties a day per team on the plan; two phones per team.
//!
//! Load model: one county clerk (every township) in one browser session, one request at a
//! time, on loopback, each page fetched in full; the time is from sending the request to the
//! last byte of the page, so it is the server's time plus loopback. Each case runs 3 rounds of
//! 30 requests after 5 warm-up requests; `p50_ms` and `p95_ms` are the medians of the rounds'
//! figures (each round's are listed). Cases: `overview` (首页, all 300 teams), `patrol_list`
//! (one township, one month, page 2), `patrol_page` (a random patrol, verified on the page),
//! `hazard_register` (open hazards, overdue first, all townships). Target: `p95_ms` ≤ 200.
//! And the reports (`cargo xtask bench reports` runs only these): `county_month`, the 月报 of
//! the last full month for the 300 teams: `seconds`, median of 3, target ≤ 2; `volume_month`,
//! the bound 巡查日志 of one team's month of 60 countersigned patrols (copies of the real one:
//! two handwritten 300×100 signatures and a 720-fix track each, no photos), gathered from the
//! database and typeset: `seconds` (median of 3, after one run that loads the fonts) and the
//! PDF's `bytes`; target ≤ 5 s and ≤ 10 MB.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use rand::seq::SliceRandom;
use redvest_core::fixtures::{sealed_patrol, Device};
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::{admin, app, Db};
use redvest_shared::team::Role;
use serde_json::json;
use tokio::net::TcpListener;
use uuid::Uuid;

const ROUNDS: usize = 3;
const PER_ROUND: usize = 30;
const PASSWORD: &str = "bench-password-2026";

fn percentile(mut ms: Vec<f64>, p: f64) -> f64 {
    ms.sort_by(f64::total_cmp);
    let rank = ((ms.len() as f64 - 1.0) * p).round() as usize;
    ms[rank.min(ms.len() - 1)]
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The data set, generated in PostgreSQL from one real patrol.
async fn generate(pool: &sqlx::PgPool, template: Uuid) -> anyhow::Result<()> {
    let started = Instant::now();
    let steps: &[(&str, &'static str)] = &[
        ("townships", "INSERT INTO township (id, name) SELECT gen_random_uuid(), '第' || n || '镇' FROM generate_series(1, 20) n"),
        (
            "teams",
            "INSERT INTO team (id, name, township_id)
             SELECT gen_random_uuid(), w.name || '巡防' || k || '队', w.id FROM township w, generate_series(1, 15) k",
        ),
        (
            "members",
            "INSERT INTO member (id, team_id, name, role) SELECT gen_random_uuid(), t.id, r.name, r.role
             FROM team t, (VALUES ('队长', 'leader'), ('队员', 'volunteer')) r(name, role) WHERE t.name LIKE '第%'",
        ),
        (
            "devices",
            "INSERT INTO device (id, team_id, name, token_hash, chain_id, last_seen_at)
             SELECT gen_random_uuid(), t.id, '手机' || k, sha256((t.id::text || k)::bytea), gen_random_uuid(), now() - (random() * interval '6 days')
             FROM team t, generate_series(1, 2) k WHERE t.name LIKE '第%'",
        ),
        (
            "plan",
            "INSERT INTO plan_duty (id, team_id, month, assignment, place, time, dates)
             SELECT gen_random_uuid(), t.id, to_char(m, 'YYYY-MM'), 'post.night_patrol', '场镇主街', (k * 9 || ':00')::time,
                    ARRAY(SELECT d::date FROM generate_series(m, m + interval '1 month' - interval '1 day', interval '1 day') d)
             FROM team t, generate_series(date_trunc('month', now() - interval '11 months'), date_trunc('month', now()), interval '1 month') m,
                  generate_series(1, 2) k WHERE t.name LIKE '第%'",
        ),
    ];
    for (what, sql) in steps {
        sqlx::query(*sql).execute(pool).await?;
        eprintln!("  {what}: done ({:.0} s)", started.elapsed().as_secs_f64());
    }
    // One patrol a day per team: the template's signed bytes under a fresh id.
    sqlx::query(
        "INSERT INTO patrol (id, team_id, record_hash, canonical, volunteer, track_rvtk, state, leader, started_at, assignment, doc, distance_m)
         SELECT g.id, g.team_id, tp.record_hash, replace(tp.canonical, tp.id::text, g.id::text), tp.volunteer,
                coalesce(tp.track_rvtk, r.body ->> 'track_rvtk'), CASE WHEN random() < 0.97 THEN 'countersigned' ELSE 'submitted' END,
                tp.leader, g.started_at, (ARRAY['post.night_patrol', 'zone.town_centre', 'zone.rural', 'post.school_gate'])[1 + (g.day % 4)],
                jsonb_set(tp.doc, '{id}', to_jsonb(g.id::text)), tp.distance_m
         FROM (SELECT gen_random_uuid() AS id, t.id AS team_id, day,
                      date_trunc('day', now()) - day * interval '1 day' + interval '12 hours' + random() * interval '8 hours' AS started_at
               FROM team t, generate_series(0, 364) day WHERE t.name LIKE '第%') g,
              patrol tp LEFT JOIN record r ON r.id = tp.id
         WHERE tp.id = $1",
    )
    .bind(template)
    .execute(pool)
    .await?;
    // Each patrol answers its team's morning duty of that (Beijing) day.
    sqlx::query(
        "UPDATE patrol p SET duty_id = d.id FROM plan_duty d
         WHERE d.team_id = p.team_id AND d.time = '09:00' AND d.dates @> ARRAY[((p.started_at AT TIME ZONE 'UTC') + interval '8 hours')::date]",
    )
    .execute(pool)
    .await?;
    eprintln!("  patrols: done ({:.0} s)", started.elapsed().as_secs_f64());
    sqlx::query(
        "INSERT INTO hazard (id, team_id, state, patrol_id, found_at, domain, description, severity, place, responsible, deadline)
         SELECT gen_random_uuid(), p.team_id,
                CASE WHEN p.started_at < now() - interval '30 days' THEN 'closed' WHEN random() < 0.5 THEN 'assigned' ELSE 'rectifying' END,
                p.id, p.started_at, (ARRAY['public_order', 'work_safety', 'fire_safety'])[1 + floor(random() * 3)::int],
                '安全出口堵塞', 'medium', '超市', '张老板', (p.started_at + interval '14 days')::date
         FROM patrol p JOIN team t ON t.id = p.team_id WHERE t.name LIKE '第%' AND random() < 0.9",
    )
    .execute(pool)
    .await?;
    eprintln!("  hazards: done ({:.0} s)", started.elapsed().as_secs_f64());
    sqlx::query(
        "INSERT INTO hazard_event (id, hazard_id, at, by_name, action, state, reason, responsible, deadline, patrol_id)
         SELECT gen_random_uuid(), h.id, h.found_at + (k - 1) * interval '3 days', CASE k WHEN 1 THEN '巡查发现' ELSE '县综治中心' END,
                (ARRAY['found', 'assign', 'close'])[k], (ARRAY['assigned', 'assigned', h.state])[k], '', h.responsible, h.deadline,
                CASE k WHEN 1 THEN h.patrol_id END
         FROM hazard h JOIN team t ON t.id = h.team_id, generate_series(1, 3) k WHERE t.name LIKE '第%'",
    )
    .execute(pool)
    .await?;
    eprintln!("  hazard history: done ({:.0} s)", started.elapsed().as_secs_f64());
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// A team of its own with 60 countersigned patrols in the last full month (two a day), bound.
async fn volume_month(db: &Db, pool: &sqlx::PgPool, template: Uuid) -> anyhow::Result<()> {
    let month_key = (redvest_county::beijing::today().with_day(1).and_then(|d| d.pred_opt())).map(|d| d.format("%Y-%m").to_string()).unwrap_or_default();
    let month = redvest_county::volume::month(&month_key)?;
    let team = admin::create_team(db, "装订样本巡防队").await?;
    sqlx::query(
        "INSERT INTO patrol (id, team_id, record_hash, canonical, volunteer, track_rvtk, state, leader, started_at, assignment, doc, distance_m)
         SELECT g.id, $2, tp.record_hash, replace(tp.canonical, tp.id::text, g.id::text), tp.volunteer, coalesce(tp.track_rvtk, r.body ->> 'track_rvtk'),
                'countersigned', tp.leader, g.started_at, 'post.night_patrol', jsonb_set(tp.doc, '{id}', to_jsonb(g.id::text)), tp.distance_m
         FROM (SELECT gen_random_uuid() AS id, $3::timestamptz + (k / 2) * interval '1 day' + (k % 2) * interval '10 hours' + interval '1 hour' AS started_at
               FROM generate_series(0, 59) k) g,
              patrol tp LEFT JOIN record r ON r.id = tp.id
         WHERE tp.id = $1",
    )
    .bind(template)
    .bind(team)
    .bind(redvest_county::beijing::day_start(month.first))
    .execute(pool)
    .await?;
    let row = redvest_county::volume::team(db, "装订样本巡防队", None).await?;
    let bind = || async {
        let bound = redvest_county::volume::build(db, &row, &month).await?;
        let records = bound.records.len();
        let pdf = tokio::task::spawn_blocking(move || redvest_county::volume::pdf(&bound)).await??;
        anyhow::Ok((records, pdf))
    };
    let t = Instant::now();
    let (records, first) = bind().await?;
    let cold = t.elapsed().as_secs_f64();
    anyhow::ensure!(records == 60, "volume_month: {records} records bound, not 60");
    let mut runs = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let (_, pdf) = bind().await?;
        runs.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(pdf == first, "volume_month: the same records gave different bytes");
    }
    let seconds = median(runs.clone());
    // The page tree's count (typst writes `/Type/Pages/Count N` in the clear).
    let tag = b"/Type/Pages/Count ";
    let pages: usize = first
        .windows(tag.len())
        .position(|w| w == tag)
        .map(|at| first[at + tag.len()..].iter().take_while(|c| c.is_ascii_digit()).map(|c| char::from(*c)).collect::<String>())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    anyhow::ensure!(pages > 60, "volume_month: {pages} pages for 60 records");
    eprintln!("volume_month ({}): {seconds:.2} s, {} bytes, {pages} pages, 60 records", month.label, first.len());
    println!(
        "{}",
        json!({
            "case": "volume_month",
            "month": month.key(),
            "records": records,
            "pages": pages,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "bytes": first.len(),
            "target_s": 5,
            "target_bytes": 10_000_000,
            "runs_s": runs.iter().map(|r| (r * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
            "first_run_s": (cold * 1000.0).round() / 1000.0,
            "load_model": "one volume at a time, in the benchmark's process against its PostgreSQL on loopback; 60 patrols with two signatures and a 720-fix track each, no photos; the first run also reads the CJK fonts",
        })
    );
    Ok(())
}

/// The session cookie of a clerk who logged in.
async fn log_in(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let answer = http.post(format!("{base}/console/login")).header("Origin", base).form(&[("login", "bench"), ("password", PASSWORD)]).send().await?;
    let cookie = answer
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("redvest_session="))
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie at login"))?;
    Ok(cookie.to_owned())
}

async fn fetch(http: &reqwest::Client, cookie: &str, url: &str) -> anyhow::Result<(f64, String)> {
    let t = Instant::now();
    let answer = http.get(url).header(reqwest::header::COOKIE, cookie).send().await?;
    let status = answer.status();
    let body = answer.bytes().await?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let body = String::from_utf8_lossy(&body).into_owned();
    anyhow::ensure!(status.is_success(), "{url}: {status}: {}", body.chars().take(300).collect::<String>());
    Ok((ms, body))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("DATABASE_URL: run through `cargo xtask bench county`"))?;
    let db = Db::connect(&url, redvest_county::photos::PhotoStore::memory()).await?;
    db.migrate().await?;
    let pool = sqlx::PgPool::connect(&url).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server_db = db.clone();
    tokio::spawn(async move { axum::serve(listener, app(server_db)).await });

    eprintln!("pushing one real patrol (720 fixes) to copy…");
    let team = admin::create_team(&db, "样板巡防队").await?;
    admin::add_member(&db, team, "李强", Role::Leader, None).await?;
    admin::add_member(&db, team, "王芳", Role::Volunteer, None).await?;
    let code = admin::issue_code(&db, team, Utc::now()).await?;
    let server = base.clone();
    let template = tokio::task::spawn_blocking(move || -> anyhow::Result<Uuid> {
        let d: Arc<Device> = Arc::new(redvest_core::fixtures::enrolled_device(&server, &code, SyncOptions::default())?);
        let (patrol, _, _) = sealed_patrol(&d, 0, 720);
        sync_once(&d.store, SyncOptions::default(), &|_| {})?;
        Ok(patrol)
    })
    .await??;
    eprintln!("generating a county's year…");
    generate(&pool, template).await?;
    let counts: (i64, i64, i64) = sqlx::query_as("SELECT (SELECT count(*) FROM patrol), (SELECT count(*) FROM hazard), (SELECT count(*) FROM hazard_event)")
        .fetch_one(&pool)
        .await?;
    eprintln!("patrols {}, hazards {}, hazard history entries {}", counts.0, counts.1, counts.2);

    admin::add_clerk(&db, "bench", "县综治中心", PASSWORD, None, false).await?;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let cookie = log_in(&http, &base).await?;
    let (township, month_start): (Uuid, chrono::NaiveDate) =
        sqlx::query_as("SELECT id, (date_trunc('month', now()) - interval '2 months')::date FROM township WHERE name = '第7镇'").fetch_one(&pool).await?;
    let month_end = month_start + chrono::Months::new(1) - chrono::Days::new(1);
    let patrols: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM patrol ORDER BY random() LIMIT 200").fetch_all(&pool).await?;

    // Each case with what its page must show: a bench of error pages measures nothing.
    type Url<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let cases: Vec<(&str, &str, Url)> = vec![
        ("overview", "各队今日", Box::new(|_| format!("{base}/console"))),
        ("patrol_list", "第 2 / ", Box::new(|_| format!("{base}/console/patrols?township={township}&from={month_start}&to={month_end}&page=2"))),
        ("patrol_page", "个定位点", Box::new(|i| format!("{base}/console/patrols/{}", patrols[i % patrols.len()]))),
        ("hazard_register", "class=\"hazard-link\"", Box::new(|_| format!("{base}/console/hazards"))),
    ];
    let mut order: Vec<usize> = (0..patrols.len()).collect();
    order.shuffle(&mut rand::thread_rng());
    // `REDVEST_BENCH_CASES` picks cases (`cargo xtask bench reports` runs `county_month`).
    let only: Option<Vec<String>> = std::env::var("REDVEST_BENCH_CASES").ok().map(|v| v.split(',').map(str::to_owned).collect());
    let wanted = |case: &str| only.as_ref().is_none_or(|o| o.iter().any(|c| c == case));
    for (case, shows, url) in cases.iter().filter(|(case, _, _)| wanted(case)) {
        for i in 0..5 {
            let (_, page) = fetch(&http, &cookie, &url(order[i])).await?;
            anyhow::ensure!(page.contains(shows), "{case}: the page does not show {shows:?}");
        }
        let mut rounds = Vec::new();
        for round in 0..ROUNDS {
            let mut ms = Vec::new();
            for i in 0..PER_ROUND {
                ms.push(fetch(&http, &cookie, &url(order[(round * PER_ROUND + i) % order.len()])).await?.0);
            }
            rounds.push((percentile(ms.clone(), 0.5), percentile(ms, 0.95)));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let p50 = median(rounds.iter().map(|r| r.0).collect());
        let p95 = median(rounds.iter().map(|r| r.1).collect());
        eprintln!("{case}: p50 {p50:.1} ms, p95 {p95:.1} ms");
        println!(
            "{}",
            json!({
                "case": case,
                "p50_ms": (p50 * 10.0).round() / 10.0,
                "p95_ms": (p95 * 10.0).round() / 10.0,
                "target_p95_ms": 200,
                "rounds": rounds.iter().map(|r| json!({"p50_ms": (r.0 * 10.0).round() / 10.0, "p95_ms": (r.1 * 10.0).round() / 10.0})).collect::<Vec<_>>(),
                "requests_per_round": PER_ROUND,
                "patrols": counts.0,
                "hazards": counts.1,
                "hazard_history": counts.2,
            })
        );
    }

    if wanted("county_month") {
        // The 月报 of the last full month for all 300 teams: every figure's query, the
        // townships' and the county's sums, and the month before (Report::build).
        let today = redvest_county::beijing::today();
        let month = chrono::Datelike::month(&today);
        let last_month = if month == 1 { format!("{}-12", chrono::Datelike::year(&today) - 1) } else { format!("{}-{:02}", chrono::Datelike::year(&today), month - 1) };
        let period = redvest_county::report::Period::parse(&last_month)?;
        let warm = redvest_county::report::Report::build(&db, period.clone(), None).await?;
        let counted = warm.rows.last().map_or(0, |r| r.now.patrols);
        anyhow::ensure!(counted > 0, "county_month: the generated month counts no patrols");
        let mut runs = Vec::new();
        for _ in 0..ROUNDS {
            let t = Instant::now();
            redvest_county::report::Report::build(&db, period.clone(), None).await?;
            runs.push(t.elapsed().as_secs_f64());
        }
        let seconds = median(runs.clone());
        eprintln!("county_month ({}): {seconds:.2} s, {counted} patrols counted", period.label);
        println!(
            "{}",
            json!({
                "case": "county_month",
                "period": period.key(),
                "teams": warm.rows.iter().filter(|r| r.level == redvest_county::report::Level::Team).count(),
                "patrols_counted": counted,
                "seconds": (seconds * 1000.0).round() / 1000.0,
                "target_s": 2,
                "runs_s": runs.iter().map(|r| (r * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
                "load_model": "one report at a time, in the benchmark's process against its PostgreSQL on loopback; this month and the month before",
            })
        );
    }
    if wanted("volume_month") {
        volume_month(&db, &pool, template).await?;
    }
    Ok(())
}
