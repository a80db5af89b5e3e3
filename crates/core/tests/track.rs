//! The track recorder's rules, each with a fixture; distance; segments; gaps; crash-resume;
//! the sync encoding; GPX and GeoJSON read back by independent parsers; the replay source.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use redvest_core::track::{decide, distance_m};
use redvest_core::{replay, track_codec, track_export, Store};
use redvest_shared::duty::{Assignment, Zone};
use redvest_shared::patrol::StartPatrol;
use redvest_shared::track::{Decision, DropReason, Fix, FixSource, TrackPoint, TrackSettings, TravelMode};
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).single().expect("time")
}

/// A fix `north_m` / `east_m` metres from a base point, `secs` after t0.
fn fix(north_m: f64, east_m: f64, secs: i64, accuracy_m: f64) -> Fix {
    let (lat0, lon0) = (29.9321, 107.8812);
    Fix {
        lat: lat0 + north_m / 111_320.0,
        lon: lon0 + east_m / (111_320.0 * lat0.to_radians().cos()),
        altitude_m: Some(310.0),
        accuracy_m,
        speed_mps: None,
        bearing_deg: None,
        time: t0() + Duration::seconds(secs),
        source: FixSource::Gps,
    }
}

fn point(f: &Fix, segment: u32) -> TrackPoint {
    TrackPoint { lat: f.lat, lon: f.lon, altitude_m: f.altitude_m, accuracy_m: f.accuracy_m, time: f.time, segment }
}

fn patrol(store: &Store) -> Uuid {
    store
        .start_patrol(&StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: String::new(), planned_start: None }, t0())
        .expect("start")
        .id
}

#[test]
fn each_rule_has_its_fixture() {
    let s = TrackSettings::default();
    let last = point(&fix(0.0, 0.0, 0, 5.0), 0);
    let now = t0() + Duration::seconds(10);
    let cases = [
        ("first fix is kept", None, fix(0.0, 0.0, 0, 5.0), Decision::Kept { segment: 0 }),
        ("accuracy worse than 50 m", Some(&last), fix(30.0, 0.0, 10, 80.0), Decision::Dropped(DropReason::Inaccurate)),
        ("moved less than 10 m: standing still", Some(&last), fix(4.0, 3.0, 10, 5.0), Decision::Dropped(DropReason::Stationary)),
        ("moved 12 m", Some(&last), fix(12.0, 0.0, 10, 5.0), Decision::Kept { segment: 0 }),
        ("older than the last kept", Some(&last), fix(20.0, 0.0, -5, 5.0), Decision::Dropped(DropReason::OutOfOrder)),
        ("same timestamp", Some(&last), fix(20.0, 0.0, 0, 5.0), Decision::Dropped(DropReason::Duplicate)),
        ("150 m in 10 s on foot", Some(&last), fix(150.0, 0.0, 10, 5.0), Decision::Dropped(DropReason::TooFast)),
        ("300 m after 3 min: a jump, new segment", Some(&last), fix(300.0, 0.0, 180, 5.0), Decision::Kept { segment: 1 }),
        ("6 minutes without fixes: new segment", Some(&last), fix(20.0, 0.0, 360, 5.0), Decision::Kept { segment: 1 }),
    ];
    for (what, last, f, expected) in cases {
        let now = if f.time > now { f.time } else { now };
        // The last fix received was the last kept one, at t0.
        assert_eq!(decide(&s, last, last.map(|p| p.time), &f, now), expected, "{what}");
    }
    // Standing still for 6 minutes keeps sending fixes: no pause, so no new segment.
    let moved = fix(20.0, 0.0, 360, 5.0);
    assert_eq!(decide(&s, Some(&last), Some(moved.time - Duration::seconds(1)), &moved, moved.time), Decision::Kept { segment: 0 });
    let vehicle = TrackSettings { mode: TravelMode::Vehicle, ..s };
    assert_eq!(decide(&vehicle, Some(&last), Some(last.time), &fix(150.0, 0.0, 10, 5.0), now), Decision::Kept { segment: 0 }, "15 m/s by vehicle");
}

#[test]
fn the_desktop_plugin_zero_fix_and_clock_skew_are_invalid() {
    let s = TrackSettings::default();
    let zero = Fix { lat: 0.0, lon: 0.0, altitude_m: None, accuracy_m: 0.0, speed_mps: None, bearing_deg: None, time: DateTime::<Utc>::from_timestamp(0, 0).expect("epoch"), source: FixSource::Gps };
    assert_eq!(decide(&s, None, None, &zero, t0()), Decision::Dropped(DropReason::Invalid));
    let nan = Fix { lat: f64::NAN, ..fix(0.0, 0.0, 0, 5.0) };
    assert_eq!(decide(&s, None, None, &nan, t0()), Decision::Dropped(DropReason::Invalid));
    let stale = fix(0.0, 0.0, -3600, 5.0);
    assert_eq!(decide(&s, None, None, &stale, t0()), Decision::Dropped(DropReason::ClockSkew));
}

#[test]
fn distance_on_known_geodesics() {
    // One degree of longitude on the equator: 111 319.491 m on WGS 84.
    assert!((distance_m(0.0, 0.0, 0.0, 1.0) - 111_319.491).abs() < 0.01);
    // One degree of latitude from the equator: 110 574.389 m.
    assert!((distance_m(0.0, 0.0, 1.0, 0.0) - 110_574.389).abs() < 0.01);
    // Beijing (Tiananmen) to Chongqing (Jiefangbei), about 1 458 km.
    let d = distance_m(39.9075, 116.3972, 29.5577, 106.5773);
    assert!((1_450_000.0..1_470_000.0).contains(&d), "{d}");
}

#[test]
fn a_walk_is_measured_segmented_and_its_gaps_reported() {
    let store = Store::open_in_memory().expect("open");
    let p = patrol(&store);
    let s = TrackSettings::default();
    let feed = |f: Fix| store.record_fix(p, &f, &s, f.time).expect("record");
    // 10 fixes walking north 15 m every 10 s; standing 60 s with jitter; a 4-minute gap.
    for i in 0..10 {
        feed(fix(i as f64 * 15.0, 0.0, i * 10, 5.0));
    }
    for i in 0..6 {
        feed(fix(135.0 + (i % 2) as f64 * 2.0, 1.0, 100 + i * 10, 6.0));
    }
    feed(fix(150.0, 0.0, 400, 5.0));
    feed(fix(165.0, 0.0, 410, 5.0));
    let summary = store.track_summary(p, &s).expect("summary");
    assert_eq!(summary.fixes, 12);
    assert_eq!(summary.segments, 1, "a 4-minute pause is under the 5-minute segment break");
    assert!((summary.distance_m - 165.0).abs() < 1.0, "{}", summary.distance_m);
    assert_eq!(summary.elapsed_s, 410);
    assert_eq!(summary.moving_s, 100, "the 310 s from the last moving fix to the next are idle");
    assert_eq!(summary.dropped, vec![(DropReason::Stationary, 6)]);
    assert_eq!(summary.gaps.len(), 1);
    assert_eq!((summary.gaps[0].start, summary.gaps[0].seconds), (t0() + Duration::seconds(150), 250));
}

#[test]
fn closing_keeps_the_last_position() {
    let store = Store::open_in_memory().expect("open");
    let p = patrol(&store);
    let s = TrackSettings::default();
    assert_eq!(store.last_spot(p, t0()).expect("spot"), None, "no fix yet: 用我的位置 has nothing to offer");
    for f in [fix(0.0, 0.0, 0, 5.0), fix(20.0, 0.0, 10, 5.0), fix(25.0, 0.0, 20, 4.2)] {
        store.record_fix(p, &f, &s, f.time).expect("record");
    }
    assert_eq!(store.track(p).expect("track").len(), 2, "the last fix was standing still");
    // 用我的位置 offers where the volunteer stands, though the track held that fix back.
    let held = fix(25.0, 0.0, 20, 4.2);
    let spot = store.last_spot(p, held.time + Duration::minutes(10)).expect("spot").expect("a spot");
    assert_eq!((spot.at, spot.accuracy_m), (held.time, 5), "accuracy rounded up to whole metres");
    assert!((spot.lat() - held.lat).abs() < 1e-7 && (spot.lon() - held.lon).abs() < 1e-7, "{spot:?}");
    assert_eq!(store.last_spot(p, held.time + Duration::minutes(11)).expect("spot"), None, "too old to be where the phone is");
    assert!(store.close_track(p).expect("close"));
    let track = store.track(p).expect("track");
    assert_eq!(track.len(), 3);
    assert_eq!(track[2].time, t0() + Duration::seconds(20));
}

#[test]
fn kill_9_while_appending_loses_at_most_the_fix_in_flight() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("redvest.sqlite3");
    let p = patrol(&Store::open(&db).expect("open"));
    // cargo test builds the examples next to the test binaries: target/<profile>/examples.
    let exe = std::env::current_exe().expect("exe");
    let appender = exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("examples/track_appender");
    let mut child = Command::new(&appender)
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn appender");
    let mut acknowledged = 0u64;
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut ack = |line: std::io::Result<String>| {
        if let Ok(n) = line.expect("line").trim().parse::<u64>() {
            acknowledged = n;
        }
        acknowledged
    };
    for line in lines.by_ref() {
        if ack(line) >= 200 {
            break;
        }
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    // What it acknowledged before it died, to its last line (the pipe ends with it).
    for line in lines {
        ack(line);
    }
    let kept = Store::open(&db).expect("reopen").track(p).expect("track").len() as u64;
    // Every acknowledged fix is on disk; at most the one in flight (stored, not yet said) more.
    assert!(kept >= acknowledged && kept <= acknowledged + 1, "acknowledged {acknowledged}, on disk {kept}");
}

#[test]
fn relaunch_resumes_the_same_track_marking_the_gap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("redvest.sqlite3");
    let s = TrackSettings::default();
    let p = {
        let store = Store::open(&db).expect("open");
        let p = patrol(&store);
        for i in 0..5 {
            let f = fix(i as f64 * 15.0, 0.0, i * 10, 5.0);
            store.record_fix(p, &f, &s, f.time).expect("record");
        }
        p
    };
    let store = Store::open(&db).expect("relaunch");
    let f = fix(80.0, 0.0, 200, 5.0);
    store.record_fix(p, &f, &s, f.time).expect("record");
    let summary = store.track_summary(p, &s).expect("summary");
    assert_eq!(summary.fixes, 6);
    assert_eq!(summary.gaps.len(), 1, "{:?}", summary.gaps);
    assert_eq!(summary.gaps[0].seconds, 160);
}

fn walk(n: usize) -> Vec<TrackPoint> {
    (0..n)
        .map(|i| {
            let f = fix(i as f64 * 11.0, (i as f64 / 7.0).sin() * 20.0, i as i64 * 8, 4.0 + (i % 5) as f64);
            point(&f, (i / 100) as u32)
        })
        .collect()
}

#[test]
fn codec_round_trip_is_exact_at_stored_precision() {
    let points = walk(500);
    let decoded = track_codec::decode(&track_codec::encode(&points)).expect("decode");
    assert_eq!(decoded.len(), points.len());
    for (a, b) in points.iter().zip(&decoded) {
        assert!((a.lat - b.lat).abs() <= 0.5e-6 && (a.lon - b.lon).abs() <= 0.5e-6);
        assert_eq!((a.time, a.segment, a.accuracy_m.round()), (b.time, b.segment, b.accuracy_m));
        assert!((a.altitude_m.unwrap_or(0.0) - b.altitude_m.unwrap_or(0.0)).abs() <= 0.05);
    }
    // Decoding what was decoded and encoded again gives the same bytes: the format is stable.
    let once = track_codec::encode(&decoded);
    assert_eq!(track_codec::encode(&track_codec::decode(&once).expect("decode")), once);
}

#[test]
fn codec_refuses_damaged_buffers() {
    let bytes = track_codec::encode(&walk(50));
    assert_eq!(track_codec::decode(b"GPX!\x01"), Err(track_codec::CodecError::Magic));
    assert_eq!(track_codec::decode(b"RVTK\x09abc"), Err(track_codec::CodecError::Version(9)));
    for cut in [5, 6, bytes.len() / 2, bytes.len() - 1] {
        assert!(track_codec::decode(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn codec_never_panics_on_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"RVTK\x01".to_vec();
        bytes.extend(&body);
        let _ = track_codec::decode(&bytes);
        let _ = track_codec::decode(&body);
    }

    #[test]
    fn codec_never_panics_on_damaged_real_tracks(flip in 5usize..2000, bit in 0u8..8) {
        let mut bytes = track_codec::encode(&walk(200));
        let i = flip % bytes.len();
        bytes[i] ^= 1 << bit;
        let _ = track_codec::decode(&bytes);
    }

    #[test]
    fn codec_round_trips_arbitrary_tracks(
        steps in proptest::collection::vec((-500i64..500, -500i64..500, 1i64..120_000, 0u8..100, any::<bool>()), 1..200)
    ) {
        let (mut lat, mut lon, mut t, mut seg) = (29_000_000i64, 107_000_000i64, t0().timestamp_millis(), 0u32);
        let points: Vec<TrackPoint> = steps.iter().map(|(dla, dlo, dt, acc, new_seg)| {
            lat += dla; lon += dlo; t += dt; if *new_seg { seg += 1; }
            TrackPoint { lat: lat as f64 / 1e6, lon: lon as f64 / 1e6, altitude_m: None, accuracy_m: f64::from(*acc),
                time: DateTime::<Utc>::from_timestamp_millis(t).expect("t"), segment: seg }
        }).collect();
        let decoded = track_codec::decode(&track_codec::encode(&points)).expect("decode");
        prop_assert_eq!(decoded, points);
    }
}

#[test]
fn gpx_and_geojson_read_back_point_for_point() {
    let points = walk(250);
    let gpx = gpx::read(track_export::gpx("夜巡岗 <测试>", &points).as_bytes()).expect("independent GPX parser");
    let segs = &gpx.tracks[0].segments;
    assert_eq!(segs.len(), 3);
    let read: Vec<_> = segs.iter().flat_map(|s| &s.points).collect();
    assert_eq!(read.len(), points.len());
    for (a, b) in points.iter().zip(read) {
        assert!((a.lat - b.point().y()).abs() < 1e-7 && (a.lon - b.point().x()).abs() < 1e-7);
        let t = b.time.as_ref().and_then(|t| t.format().ok()).expect("time");
        assert_eq!(DateTime::parse_from_rfc3339(&t).expect("rfc3339").with_timezone(&Utc), a.time);
    }

    let geo: geojson::GeoJson = track_export::geojson("夜巡岗", &points).parse().expect("independent GeoJSON parser");
    let geojson::GeoJson::FeatureCollection(fc) = geo else { panic!("not a FeatureCollection") };
    let geometry = fc.features[0].geometry.as_ref().expect("geometry");
    let geojson::GeometryValue::MultiLineString { coordinates: lines } = &geometry.value else { panic!("not a MultiLineString") };
    assert_eq!(lines.len(), 3);
    let coords: Vec<_> = lines.iter().flatten().collect();
    assert_eq!(coords.len(), points.len());
    for (a, c) in points.iter().zip(coords) {
        assert!((a.lon - c[0]).abs() < 1e-12 && (a.lat - c[1]).abs() < 1e-12);
    }
}

#[test]
fn the_shipped_sample_replays_through_the_recorder() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/night-patrol.gpx");
    let fixes = replay::retime(&replay::load(&path).expect("sample loads"), t0());
    assert!(fixes.len() > 1000);
    assert_eq!(fixes[0].time, t0());
    let store = Store::open_in_memory().expect("open");
    let p = patrol(&store);
    let s = TrackSettings::default();
    for f in &fixes {
        store.record_fix(p, f, &s, f.time).expect("record");
    }
    let summary = store.track_summary(p, &s).expect("summary");
    // The loop is 1 104 m; noise must not add much, the 8-minute stop must add nothing.
    assert!((1_050.0..1_250.0).contains(&summary.distance_m), "{}", summary.distance_m);
    assert!(summary.dropped.iter().any(|(r, n)| *r == DropReason::Stationary && *n > 400));
    assert_eq!(summary.gaps.len(), 1, "the 3-minute gap under the bridge: {:?}", summary.gaps);
}

#[test]
fn nmea_rmc_sentences_replay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("walk.nmea");
    std::fs::write(
        &path,
        "$GPGGA,120000.00,2955.926,N,10752.872,E,1,08,0.9,310.0,M,0.0,M,,*56\n\
         $GPRMC,120000.00,A,2955.926,N,10752.872,E,0.0,0.0,241126,,,A*55\n\
         garbage line\n\
         $GPRMC,120010.00,A,2955.934,N,10752.872,E,2.6,0.0,241126,,,A*53\n",
    )
    .expect("write");
    let fixes = replay::load(&path).expect("nmea");
    assert_eq!(fixes.len(), 2);
    assert!((fixes[0].lat - 29.932_1).abs() < 1e-4 && (fixes[0].lon - 107.881_2).abs() < 1e-4);
    assert_eq!((fixes[1].time - fixes[0].time).num_seconds(), 10);
    assert_eq!(fixes[0].altitude_m, Some(310.0));
}
