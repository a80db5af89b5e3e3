//! `cargo xtask bench track`: durable append latency, bulk throughput against raw SQLite,
//! and the sync encoding's size against GPX and GeoJSON. One JSON object per line on stdout;
//! human text on stderr.

use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use redvest_core::track::decide;
use redvest_core::{replay, track_codec, track_export, Store};
use redvest_shared::duty::{Assignment, Zone};
use redvest_shared::patrol::StartPatrol;
use redvest_shared::track::{Decision, Fix, FixSource, TrackPoint, TrackSettings};
use serde_json::json;

/// A deterministic pseudo-random stream (xorshift), so every run measures the same walk.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn gauss(&mut self) -> f64 {
        (0..12).map(|_| self.next()).sum::<f64>() - 6.0
    }
}

/// 8 hours at 1 Hz: walking with turns, stops at posts, a 10-minute vehicle stretch, two
/// signal gaps, correlated GPS noise and the odd bad fix.
fn walk_8h(start: DateTime<Utc>) -> Vec<Fix> {
    let mut rng = Rng(0x5eed_2026_1124);
    let (mut north, mut east, mut heading) = (0.0f64, 0.0f64, 0.0f64);
    let (mut nn, mut ne) = (0.0, 0.0);
    let mut fixes = Vec::with_capacity(28_800);
    for s in 0..28_800i64 {
        let minute = s / 60;
        let speed = match minute {
            m if m % 90 < 12 => 0.0,            // standing at a post
            m if (200..210).contains(&m) => 15.0, // by vehicle
            _ => 1.3,
        };
        heading += rng.gauss() * 0.05;
        north += heading.cos() * speed;
        east += heading.sin() * speed;
        if (120..123).contains(&minute) || (400..402).contains(&minute) {
            continue; // no signal
        }
        nn = 0.85 * nn + rng.gauss() * 0.8;
        ne = 0.85 * ne + rng.gauss() * 0.8;
        let accuracy = if rng.next() < 0.01 { 80.0 } else { 3.0 + rng.next() * 10.0 };
        fixes.push(Fix {
            lat: 29.9321 + (north + nn) / 111_320.0,
            lon: 107.8812 + (east + ne) / (111_320.0 * 29.9321f64.to_radians().cos()),
            altitude_m: Some(310.0 + (s as f64 / 900.0).sin() * 40.0 + rng.gauss()),
            accuracy_m: accuracy,
            speed_mps: Some(speed),
            bearing_deg: None,
            time: start + Duration::seconds(s),
            source: FixSource::Replay,
        });
    }
    fixes
}

/// `n` fixes every 5 s, 12 m apart in a straight line, accuracy 5 m: all of them kept.
fn steady_walk(start: DateTime<Utc>, n: i64) -> Vec<Fix> {
    (0..n)
        .map(|i| Fix {
            lat: 29.9321 + i as f64 * 12.0 / 111_320.0,
            lon: 107.8812,
            altitude_m: Some(310.0),
            accuracy_m: 5.0,
            speed_mps: None,
            bearing_deg: None,
            time: start + Duration::seconds(i * 5),
            source: FixSource::Replay,
        })
        .collect()
}

/// The value of a `track_point` column for the plain-INSERT baseline.
fn column_value(column: &str, patrol: uuid::Uuid, i: usize, f: &Fix) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match column {
        "patrol_id" => Value::Blob(patrol.as_bytes().to_vec()),
        "seq" => Value::Integer(i as i64),
        "lat" => Value::Real(f.lat),
        "lon" => Value::Real(f.lon),
        "altitude_m" => f.altitude_m.map_or(Value::Null, Value::Real),
        "accuracy_m" => Value::Real(f.accuracy_m),
        "time" | "received_at" => Value::Text(f.time.to_rfc3339()),
        "segment" => Value::Integer(0),
        _ => Value::Null,
    }
}

/// The file system `path` is on, from /proc/mounts (the longest mount point above it).
fn file_system(path: &std::path::Path) -> String {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let (_, point, kind) = (parts.next()?, parts.next()?, parts.next()?);
            path.starts_with(point).then(|| (point.len(), kind.to_owned()))
        })
        .max()
        .map_or_else(|| "unknown".into(), |(_, kind)| kind)
}

fn kept(fixes: &[Fix], settings: &TrackSettings) -> Vec<TrackPoint> {
    let mut points: Vec<TrackPoint> = Vec::new();
    let mut received = None;
    for f in fixes {
        let decision = decide(settings, points.last(), received, f, f.time);
        received = Some(f.time);
        if let Decision::Kept { segment } = decision {
            points.push(TrackPoint { lat: f.lat, lon: f.lon, altitude_m: f.altitude_m, accuracy_m: f.accuracy_m, time: f.time, segment });
        }
    }
    points
}

fn codec_case(case: &str, fixes: &[Fix]) {
    let settings = TrackSettings::default();
    let points = kept(fixes, &settings);
    let t = Instant::now();
    let bytes = track_codec::encode(&points);
    let encode_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let decoded = track_codec::decode(&bytes).map(|d| d.len()).unwrap_or(0);
    let decode_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(decoded, points.len(), "round trip");
    let gpx = track_export::gpx(case, &points).len();
    let geojson = track_export::geojson(case, &points).len();
    println!(
        "{}",
        json!({
            "case": case,
            "fixes": fixes.len(),
            "kept_fixes": points.len(),
            "codec_bytes": bytes.len(),
            "codec_bytes_per_fix": bytes.len() as f64 / fixes.len() as f64,
            "codec_bytes_per_kept_fix": bytes.len() as f64 / points.len().max(1) as f64,
            "gpx_bytes": gpx,
            "geojson_bytes": geojson,
            "ratio_gpx_over_codec": gpx as f64 / bytes.len() as f64,
            "encode_ms": encode_ms,
            "decode_ms": decode_ms,
        })
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).single().ok_or("time")?;
    let walk = walk_8h(start);
    // On the file system the app's data folder is on (`REDVEST_DATA_DIR`, or where Tauri puts
    // it on Linux: $XDG_DATA_HOME or ~/.local/share): /tmp may be memory, which fsyncs for free.
    let root = std::env::var_os("REDVEST_DATA_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("XDG_DATA_HOME").map(std::path::PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/share")))
        .ok_or("no data folder: set REDVEST_DATA_DIR")?;
    std::fs::create_dir_all(&root)?;
    let dir = tempfile::Builder::new().prefix("redvest-bench-").tempdir_in(&root)?;
    let fs = file_system(dir.path());
    eprintln!("measuring in {} ({fs})", dir.path().display());
    let store = Store::open(dir.path().join("bench.sqlite3"))?;
    let new_patrol = || {
        store.start_patrol(
            &StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: String::new(), planned_start: None },
            start,
        )
    };
    let settings = TrackSettings::default();

    eprintln!("durable append: one committed transaction (fsync) per fix, as they arrive");
    let p = new_patrol()?.id;
    let mut lat_us: Vec<f64> = Vec::new();
    for f in walk.iter().take(3000) {
        let t = Instant::now();
        store.record_fix(p, f, &settings, f.time)?;
        lat_us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    lat_us.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({"case": "durable_append", "fixes": lat_us.len(), "file_system": fs,
               "durable_append_p50_us": percentile(&lat_us, 0.5), "durable_append_p99_us": percentile(&lat_us, 0.99)})
    );

    // Like with like: a walk whose every fix the recorder keeps (12 m apart, good accuracy),
    // so both sides write the same rows; the recorder's extra is its rules and counters.
    let steady = steady_walk(start, 20_000);
    let all_kept = kept(&steady, &settings).len();
    assert_eq!(all_kept, steady.len(), "every fix of the steady walk is kept");
    eprintln!("bulk: the recorder over {} kept fixes in one transaction, against a plain INSERT of the same rows into the same table", steady.len());
    let p = new_patrol()?.id;
    let t = Instant::now();
    store.record_fixes(p, &steady, &settings, |f| f.time)?;
    let bulk = steady.len() as f64 / t.elapsed().as_secs_f64();
    let raw = {
        // The same database file and table the recorder writes, under another patrol.
        let conn = rusqlite::Connection::open(dir.path().join("bench.sqlite3"))?;
        let other = new_patrol()?.id;
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('track_point') ORDER BY cid")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let t = Instant::now();
        let tx = conn.unchecked_transaction()?;
        {
            let sql = format!("INSERT INTO track_point ({}) VALUES ({})", columns.join(", "), (1..=columns.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", "));
            let mut stmt = tx.prepare(&sql)?;
            for (i, f) in steady.iter().enumerate() {
                let values: Vec<rusqlite::types::Value> = columns.iter().map(|c| column_value(c, other, i, f)).collect();
                stmt.execute(rusqlite::params_from_iter(values))?;
            }
        }
        tx.commit()?;
        steady.len() as f64 / t.elapsed().as_secs_f64()
    };
    println!(
        "{}",
        json!({"case": "bulk_append", "fixes": steady.len(), "file_system": fs, "bulk_fixes_per_s": bulk, "raw_sqlite_rows_per_s": raw, "ratio_bulk_over_raw": bulk / raw})
    );

    eprintln!("sync encoding: the kept fixes of the walk and of the shipped sample");
    codec_case("walk_8h_1hz", &walk);
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/night-patrol.gpx");
    codec_case("sample_night_patrol", &replay::retime(&replay::load(&sample)?, start));
    Ok(())
}
