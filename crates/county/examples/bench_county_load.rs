//! `cargo xtask bench county-load`: the county under many phones, one JSON object per line on
//! stdout (human text on stderr). The county runs in this process on loopback, on a
//! throwaway PostgreSQL, with photo bytes in a directory (fsynced, as served).
//!
//! - `sync_storm`: 2,000 phones (`REDVEST_BENCH_DEVICES`), 10 per team, each with its keys at
//!   the county already, end a day's patrol (a sealed patrol of 1,200 fixes and one photo)
//!   and sync it: push the record, ask after the photo (HEAD), create it (POST) and send it
//!   in one PATCH: what the app's sync sends for it. Load model: the evening's 10 minutes
//!   compressed into `REDVEST_BENCH_STORM_S` (60 s): phones arrive evenly spread over it,
//!   at most 256 requests in flight (a county's proxy would queue the rest). Link: loopback.
//!   `stored_once`: every record and every photo is at the county exactly once (rows, and
//!   files in the photo store).
//! - `tus_10mb`: one 10 MB photo in 1 MiB PATCHes, and another in one PATCH; the server's
//!   time for the first and for the last MiB, as its `Server-Timing` answer says (1 MiB
//!   PATCHes: storing the first and the last part; one PATCH: taking in and writing its first
//!   and last MiB). Flat means the cost of a MiB does not grow with the offset:
//!   `growth_last_over_first`, median of 3 runs; `complete_ms` (checking the hash and writing
//!   the photo from its parts) is apart.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::Utc;
use futures_util::StreamExt;
use rand::RngCore;
use redvest_core::fixtures::{enrolled_device, sealed_patrol};
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::photos::PhotoStore;
use redvest_county::{admin, app, Db};
use redvest_shared::team::Role;
use redvest_shared::wire::{content_sha256, PushBatch, PushRecord, RecordBody};
use serde_json::json;
use uuid::Uuid;

/// What one phone sends in the storm.
struct Phone {
    token: String,
    batch: PushBatch,
    sha: String,
    photo: Vec<u8>,
}

/// A phone of `team`, its keys at the county, with a day's sealed patrol and one photo.
async fn phone(db: &Db, team: Uuid, server: &str) -> anyhow::Result<Phone> {
    let code = admin::issue_code(db, team, Utc::now()).await?;
    let server = server.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Phone> {
        let d = enrolled_device(&server, &code, SyncOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
        sync_once(&d.store, SyncOptions::default(), &|_| {}).map_err(|e| anyhow::anyhow!("{e}"))?; // keys up
        let (patrol, _, shas) = sealed_patrol(&d, 1, 1_200);
        let body = RecordBody::Patrol(d.store.patrol_push(patrol)?);
        let batch = PushBatch { records: vec![PushRecord { id: patrol, content_sha256: content_sha256(&body), body }] };
        let photo = d.store.photo_bytes(&shas[0], false)?;
        let conn = rusqlite::Connection::open(d.dir.path().join("redvest.sqlite3"))?;
        let token = conn.query_row("SELECT json_extract(value, '$.token') FROM setting WHERE key = 'sync.enrolment'", [], |r| r.get(0))?;
        Ok(Phone { token, batch, sha: shas[0].clone(), photo })
    })
    .await?
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// One phone's sync of its day, each request timed; the statuses it got.
async fn sync_day(http: &reqwest::Client, base: &str, p: &Phone, gate: &tokio::sync::Semaphore, times: &Mutex<Vec<f64>>) -> anyhow::Result<Vec<u16>> {
    let meta = format!("sha256 {}", base64::engine::general_purpose::STANDARD.encode(&p.sha));
    let photo = format!("{base}/api/v1/photos/{}", p.sha);
    let requests = [
        http.post(format!("{base}/api/v1/push")).bearer_auth(&p.token).json(&p.batch),
        http.head(&photo).bearer_auth(&p.token).header("Tus-Resumable", "1.0.0"),
        http.post(format!("{base}/api/v1/photos"))
            .bearer_auth(&p.token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", p.photo.len().to_string())
            .header("Upload-Metadata", meta),
        http.patch(&photo)
            .bearer_auth(&p.token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .body(p.photo.clone()),
    ];
    let mut statuses = Vec::new();
    for request in requests {
        let _permit = gate.acquire().await?;
        let start = Instant::now();
        let response = request.send().await?;
        let status = response.status().as_u16();
        response.bytes().await?;
        times.lock().expect("times").push(start.elapsed().as_secs_f64() * 1000.0);
        statuses.push(status);
    }
    Ok(statuses)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("DATABASE_URL: run through `cargo xtask bench county-load`"))?;
    let store_dir = tempfile::Builder::new().prefix("redvest-bench-photos-").tempdir()?;
    let db = Db::connect(&url, PhotoStore::open(&store_dir.path().display().to_string())?).await?;
    db.migrate().await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let served = db.clone();
    tokio::spawn(async move { app::serve(listener, app(served), None, std::future::pending()).await });
    let pool = sqlx::PgPool::connect(&url).await?;

    // ---- sync_storm ------------------------------------------------------------------------
    let devices: usize = std::env::var("REDVEST_BENCH_DEVICES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let window = Duration::from_secs(std::env::var("REDVEST_BENCH_STORM_S").ok().and_then(|v| v.parse().ok()).unwrap_or(60));
    eprintln!("preparing {devices} phones (enrolled, keys up, a sealed patrol with one photo each)…");
    let prepared = Instant::now();
    let mut teams = Vec::new();
    for t in 0..devices.div_ceil(10) {
        let team = admin::create_team(&db, &format!("第{}巡防队", t + 1)).await?;
        admin::add_member(&db, team, "李强", Role::Leader, None).await?;
        admin::add_member(&db, team, "王芳", Role::Volunteer, None).await?;
        teams.push(team);
    }
    let done = AtomicU64::new(0);
    let phones: Vec<Phone> = futures_util::stream::iter((0..devices).map(|i| {
        let (db, base, done) = (&db, &base, &done);
        let team = teams[i / 10];
        async move {
            let p = phone(db, team, base).await;
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n % 200 == 0 {
                eprintln!("  {n} phones ready");
            }
            p
        }
    }))
    .buffer_unordered(4)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect::<anyhow::Result<_>>()?;
    eprintln!("prepared in {:.0} s; the storm: {devices} phones over {} s…", prepared.elapsed().as_secs_f64(), window.as_secs());

    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let times = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let phones = Arc::new(phones);
    let mut tasks = Vec::new();
    for i in 0..devices {
        let (http, base, gate, times, phones) = (http.clone(), base.clone(), gate.clone(), times.clone(), phones.clone());
        let at = start + window.mul_f64(i as f64 / devices as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            sync_day(&http, &base, &phones[i], &gate, &times).await
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.extend(task.await??);
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut times = times.lock().expect("times").clone();
    times.sort_by(f64::total_cmp);
    let server_errors = statuses.iter().filter(|s| **s >= 500).count();
    let unexpected: Vec<_> = statuses.chunks(4).filter(|s| s != &[200, 404, 201, 204]).take(5).collect();
    if !unexpected.is_empty() {
        eprintln!("unexpected answers (push, HEAD, POST, PATCH), first ones: {unexpected:?}");
    }
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM record WHERE kind = 'patrol'").fetch_one(&pool).await?;
    let complete: i64 = sqlx::query_scalar("SELECT count(*) FROM upload WHERE completed_at IS NOT NULL").fetch_one(&pool).await?;
    let files = walk(&store_dir.path().join("photos"));
    let distinct: std::collections::HashSet<_> = phones.iter().map(|p| p.sha.clone()).collect();
    let stored_once = records == devices as i64 && complete == devices as i64 && files == distinct.len();
    eprintln!("sync_storm: {} requests in {seconds:.1} s; {records} patrols, {complete} photos complete, {files} photo files", statuses.len());
    println!(
        "{}",
        json!({
            "case": "sync_storm",
            "devices": devices,
            "window_s": window.as_secs(),
            "load_model": "arrivals evenly spread over window_s; each phone: push, HEAD, POST, one PATCH; at most 256 requests in flight",
            "link": "loopback",
            "requests": statuses.len(),
            "seconds": seconds,
            "requests_per_s": statuses.len() as f64 / seconds,
            "p50_ms": percentile(&times, 0.5),
            "p99_ms": percentile(&times, 0.99),
            "server_errors": server_errors,
            "stored_once": stored_once,
        })
    );

    // ---- tus_10mb ------------------------------------------------------------------------
    let subject = phones[0].token.clone();
    let record = phones[0].batch.records[0].id;
    let team: Uuid = sqlx::query_scalar("SELECT team_id FROM record WHERE id = $1").bind(record).fetch_one(&pool).await?;
    const MB: usize = 1024 * 1024;
    let (mut chunked, mut whole) = (Vec::new(), Vec::new());
    for round in 1..=3 {
        for one_patch in [false, true] {
            let mut bytes = vec![0u8; 10 * MB];
            rand::thread_rng().fill_bytes(&mut bytes);
            let sha = hex::encode(redvest_shared::seal::sha256(&[&bytes]));
            sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3)").bind(team).bind(&sha).bind(record).execute(&pool).await?;
            let meta = format!("sha256 {}", base64::engine::general_purpose::STANDARD.encode(&sha));
            let created = http
                .post(format!("{base}/api/v1/photos"))
                .bearer_auth(&subject)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", bytes.len().to_string())
                .header("Upload-Metadata", meta)
                .send()
                .await?;
            anyhow::ensure!(created.status() == 201, "create: {}", created.status());
            let patch = |offset: usize| {
                http.patch(format!("{base}/api/v1/photos/{sha}"))
                    .bearer_auth(&subject)
                    .header("Tus-Resumable", "1.0.0")
                    .header("Upload-Offset", offset.to_string())
                    .header("Content-Type", "application/offset+octet-stream")
            };
            // The server's own timings (Server-Timing), not the loopback's buffering.
            let timing = |response: &reqwest::Response, name: &str| -> anyhow::Result<f64> {
                let header = response.headers().get("Server-Timing").and_then(|v| v.to_str().ok()).unwrap_or_default();
                header
                    .split(", ")
                    .find_map(|m| m.strip_prefix(&format!("{name};dur=")))
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| anyhow::anyhow!("no {name} in Server-Timing {header:?}"))
            };
            let (first, last, complete) = if one_patch {
                let response = patch(0).body(bytes.clone()).send().await?;
                anyhow::ensure!(response.status() == 204, "one PATCH: {}", response.status());
                (timing(&response, "first-mib")?, timing(&response, "last-mib")?, timing(&response, "complete")?)
            } else {
                let mut parts = Vec::new();
                let mut complete = 0.0;
                for (i, chunk) in bytes.chunks(MB).enumerate() {
                    let response = patch(i * MB).body(chunk.to_vec()).send().await?;
                    anyhow::ensure!(response.status() == 204, "PATCH {i}: {}", response.status());
                    parts.push(timing(&response, "part")?);
                    complete = timing(&response, "complete")?;
                }
                (parts[0], parts[parts.len() - 1], complete)
            };
            let landed = db.upload(team, &sha).await?.is_some_and(|u| u.complete);
            anyhow::ensure!(landed, "the 10 MB photo did not complete");
            eprintln!(
                "tus_10mb round {round}, {}: first MiB {first:.1} ms, last MiB {last:.1} ms, completing {complete:.1} ms",
                if one_patch { "one PATCH" } else { "1 MiB PATCHes" }
            );
            if one_patch { &mut whole } else { &mut chunked }.push((first, last, complete));
        }
    }
    for (name, runs) in [("1mib_patches", &chunked), ("one_patch", &whole)] {
        let first = median(runs.iter().map(|r| r.0).collect());
        let last = median(runs.iter().map(|r| r.1).collect());
        println!(
            "{}",
            json!({
                "case": "tus_10mb",
                "mode": name,
                "link": "loopback",
                "first_mib_ms": first,
                "last_mib_ms": last,
                "growth_last_over_first": median(runs.iter().map(|r| r.1 / r.0).collect()),
                "complete_ms": median(runs.iter().map(|r| r.2).collect()),
                "runs": runs.iter().map(|r| json!({"first_mib_ms": r.0, "last_mib_ms": r.1, "complete_ms": r.2})).collect::<Vec<_>>(),
            })
        );
    }
    Ok(())
}

/// Files under `dir`, counted.
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}
