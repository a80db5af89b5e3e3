//! Hazard photos as a volunteer's phone meets them: odd files, sideways cameras, the same
//! photo twice, and the app killed mid-save.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use image::{Rgb, RgbImage};
use redvest_core::{Error, Store};
use redvest_shared::duty::{Assignment, Zone};
use redvest_shared::observation::{Handling, HazardReport, Observation, Severity};
use redvest_shared::patrol::StartPatrol;
use redvest_shared::photo::PhotoSettings;
use redvest_shared::ErrorCode;
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 30, 0).single().expect("time")
}

fn open(dir: &Path) -> (Store, Uuid) {
    let store = Store::open(dir.join("redvest.sqlite3")).expect("open");
    let patrol = match store.list_patrols().expect("list").first() {
        Some(p) => p.id,
        None => {
            store
                .start_patrol(
                    &StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: String::new(), planned_start: None },
                    now(),
                )
                .expect("start")
                .id
        }
    };
    (store, patrol)
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).expect("encode");
    out
}

/// A photo-like test picture: smooth shading with some texture.
fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let t = ((x * 7 + y * 13) % 23) as u8;
        Rgb([(x * 255 / w) as u8 ^ t, (y * 255 / h) as u8, 128u8.wrapping_add(t * 3)])
    })
}

/// A TIFF-format EXIF block with Orientation and, in the Exif sub-IFD, DateTimeOriginal.
fn exif_block(orientation: u16, taken: &str) -> Vec<u8> {
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: two entries (Orientation, ExifIFDPointer), then next-IFD 0.
    t.extend(2u16.to_be_bytes());
    t.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend(orientation.to_be_bytes());
    t.extend([0, 0]);
    let sub_ifd = 8 + 2 + 12 * 2 + 4;
    t.extend([0x87, 0x69, 0, 4, 0, 0, 0, 1]);
    t.extend((sub_ifd as u32).to_be_bytes());
    t.extend(0u32.to_be_bytes());
    // Exif sub-IFD: one entry (DateTimeOriginal, ASCII, 20 bytes, stored after the IFD).
    let data = sub_ifd + 2 + 12 + 4;
    t.extend(1u16.to_be_bytes());
    t.extend([0x90, 0x03, 0, 2, 0, 0, 0, 20]);
    t.extend((data as u32).to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend(taken.as_bytes());
    t.push(0);
    t
}

/// `jpeg` with an APP1 EXIF segment inserted after SOI.
fn with_exif(jpeg: &[u8], exif: &[u8]) -> Vec<u8> {
    let payload: Vec<u8> = [b"Exif\0\0".as_slice(), exif].concat();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((payload.len() + 2) as u16).to_be_bytes());
    out.extend(payload);
    out.extend(&jpeg[2..]);
    out
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().filter(|e| e.path().is_file()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn hazard(photos: &[String]) -> (Observation, Vec<String>) {
    (
        Observation::Hazard(HazardReport {
            domain: redvest_shared::checklist::CheckDomain::FireSafety,
            item: None,
            description: "消防栓被摊位遮挡".into(),
            severity: Severity::Medium,
            place: "农贸市场东门".into(),
            spot: None,
            handling: Handling::FixedOnSpot,
        }),
        photos.to_vec(),
    )
}

#[test]
fn a_phone_photo_becomes_a_small_upright_jpeg_without_exif() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    let input = with_exif(&jpeg(&picture(2400, 1800), 92), &exif_block(1, "2026:11:25 17:29:51"));
    let photo = store.add_photo(patrol, "IMG_0001.jpg", &input, now()).expect("stored");
    assert_eq!((photo.width, photo.height), (1600, 1200), "long edge scaled to the 1600 px default");
    assert_eq!(photo.camera_time.map(|t| t.to_string()).as_deref(), Some("2026-11-25 17:29:51"));
    assert_eq!(photo.taken_at, now());
    assert!(photo.device.contains('/'), "device is os/id: {}", photo.device);

    let stored = store.photo_bytes(&photo.sha256, false).expect("bytes");
    assert_eq!(hex::encode(Sha256::digest(&stored)), photo.sha256, "the name is the content's hash");
    assert_eq!(stored.len() as u64, photo.bytes);
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "the original EXIF is dropped");
    let thumb = image::load_from_memory(&store.photo_bytes(&photo.sha256, true).expect("thumb")).expect("decode thumb");
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
}

#[test]
fn settings_change_the_size_and_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    let err = store.set_photo_settings(&PhotoSettings { long_edge_px: 100, ..PhotoSettings::default() }).expect_err("too small");
    assert!(matches!(err, Error::Invalid { field: "photo.long_edge_px", code: ErrorCode::OutOfRange, .. }), "{err:?}");
    store.set_photo_settings(&PhotoSettings { long_edge_px: 800, jpeg_quality: 60, thumbnail_px: 200 }).expect("set");
    let photo = store.add_photo(patrol, "a.png", &png(&picture(1000, 1000)), now()).expect("stored");
    assert_eq!((photo.width, photo.height), (800, 800));
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::WebP).expect("webp");
    out.into_inner()
}

#[test]
fn png_and_webp_are_taken_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    for (name, input) in [("screen.png", png(&picture(400, 300))), ("chat.webp", webp(&picture(400, 300)))] {
        let photo = store.add_photo(patrol, name, &input, now()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((photo.width, photo.height), (400, 300), "{name}: small photos are not scaled up");
    }
}

/// Every bad file gets an error naming it and the problem, and nothing is stored.
#[test]
fn bad_files_are_refused_by_name_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    let good = jpeg(&picture(640, 480), 90);
    let good_png = png(&picture(64, 64));

    // A PNG whose header claims 50000 × 50000 pixels (7.5 GB decoded) in a few bytes.
    let mut bomb_png = good_png.clone();
    bomb_png[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bomb_png[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = crc32(&bomb_png[12..29]);
    bomb_png[29..33].copy_from_slice(&crc.to_be_bytes());
    // A JPEG whose frame header claims 65535 × 65535.
    let mut bomb_jpeg = good.clone();
    let sof = bomb_jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("SOF0");
    bomb_jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);

    let cases: Vec<(&str, Vec<u8>, ErrorCode)> = vec![
        ("empty.jpg", Vec::new(), ErrorCode::PhotoEmpty),
        ("notes.txt", "巡查记录：一切正常".as_bytes().to_vec(), ErrorCode::NotAnImage),
        ("cut.jpg", good[..good.len() / 2].to_vec(), ErrorCode::PhotoTruncated),
        ("cut.png", good_png[..good_png.len() - 30].to_vec(), ErrorCode::PhotoTruncated),
        ("huge.jpg", [good.as_slice(), &vec![0u8; 31 * 1024 * 1024]].concat(), ErrorCode::PhotoTooLarge),
        ("bomb.png", bomb_png, ErrorCode::PhotoTooManyPixels),
        ("bomb.jpg", bomb_jpeg, ErrorCode::PhotoTooManyPixels),
        ("IMG_0002.HEIC", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic....".to_vec(), ErrorCode::PhotoFormat),
    ];
    for (name, input, code) in cases {
        let err = store.add_photo(patrol, name, &input, now()).expect_err(name);
        match &err {
            Error::Photo { name: n, problem } => {
                assert_eq!(n, name);
                assert_eq!(problem.code(), code, "{name}: {err}");
            }
            other => panic!("{name}: expected a photo error, got {other:?}"),
        }
        assert!(err.to_string().contains(name), "the message names the file: {err}");
    }
    assert_eq!(files_in(store.photo_dir()), Vec::<String>::new(), "nothing stored");
    assert_eq!(store.photo_backlog().expect("backlog").count, 0);
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The stored pixels for each EXIF orientation, given what should be seen upright. Written
/// from the EXIF definitions (row 0 / column 0 meaning), not with the code under test.
fn as_camera_stores(upright: &RgbImage, orientation: u16) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    let transpose = |img: &RgbImage| RgbImage::from_fn(img.height(), img.width(), |x, y| *img.get_pixel(y, x));
    match orientation {
        1 => upright.clone(),
        2 => flip_horizontal(upright),
        3 => rotate180(upright),
        4 => flip_vertical(upright),
        5 => transpose(upright),
        // 6: shown after turning 90° clockwise, so stored turned 90° anticlockwise.
        6 => rotate270(upright),
        7 => rotate180(&transpose(upright)),
        8 => rotate90(upright),
        _ => unreachable!(),
    }
}

#[test]
fn every_exif_orientation_comes_out_upright() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    // 300 × 200, upright: red top-left, green top-right, blue bottom-left, white bottom-right.
    let upright = RgbImage::from_fn(300, 200, |x, y| match (x < 150, y < 100) {
        (true, true) => Rgb([230, 20, 20]),
        (false, true) => Rgb([20, 200, 20]),
        (true, false) => Rgb([20, 20, 230]),
        (false, false) => Rgb([240, 240, 240]),
    });
    for orientation in 1..=8u16 {
        let stored = as_camera_stores(&upright, orientation);
        let input = with_exif(&jpeg(&stored, 95), &exif_block(orientation, "2026:11:25 08:00:00"));
        let photo = store.add_photo(patrol, &format!("o{orientation}.jpg"), &input, now()).expect("stored");
        let out = image::load_from_memory(&store.photo_bytes(&photo.sha256, false).expect("bytes")).expect("decode").into_rgb8();
        assert_eq!(out.dimensions(), (300, 200), "orientation {orientation}: upright size");
        let near = |p: &Rgb<u8>, c: [u8; 3]| p.0.iter().zip(c).all(|(a, b)| a.abs_diff(b) < 40);
        for ((x, y), colour, what) in
            [((40, 40), [230, 20, 20], "red top-left"), ((260, 40), [20, 200, 20], "green top-right"), ((40, 160), [20, 20, 230], "blue bottom-left")]
        {
            assert!(near(out.get_pixel(x, y), colour), "orientation {orientation}: {what}, got {:?}", out.get_pixel(x, y));
        }
    }
}

#[test]
fn the_same_photo_twice_is_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    let input = jpeg(&picture(800, 600), 90);
    let a = store.add_photo(patrol, "a.jpg", &input, now()).expect("a");
    let b = store.add_photo(patrol, "copy of a.jpg", &input, now()).expect("b");
    assert_eq!(a.sha256, b.sha256);
    let (body, photos) = hazard(&[a.sha256.clone(), b.sha256.clone()]);
    let entry = store.add_observation(patrol, &body, &photos, now()).expect("observation");
    assert_eq!(entry.photos.len(), 1, "attached once");
    assert_eq!(files_in(store.photo_dir()).len(), 2, "one photo and its thumbnail: {:?}", files_in(store.photo_dir()));
    let backlog = store.photo_backlog().expect("backlog");
    assert_eq!((backlog.count, backlog.bytes), (1, a.bytes), "waiting to be sent: the photo's stored bytes");
}

#[test]
fn photos_attach_to_an_observation_and_come_off_before_signing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    let first = store.add_photo(patrol, "1.jpg", &jpeg(&picture(500, 400), 90), now()).expect("1");
    let second = store.add_photo(patrol, "2.jpg", &jpeg(&picture(400, 500), 90), now()).expect("2");
    let (body, photos) = hazard(&[first.sha256.clone(), second.sha256.clone()]);
    let entry = store.add_observation(patrol, &body, &photos, now()).expect("observation");
    let record = store.patrol_record(patrol).expect("record");
    let shas: Vec<&str> = record.observations[0].photos.iter().map(|p| p.sha256.as_str()).collect();
    assert_eq!(shas, [first.sha256.as_str(), second.sha256.as_str()], "in the order added");
    // 隐患详情 shows them too, in the same order.
    let hazard = store.hazard(entry.hazard_id.expect("a hazard")).expect("hazard");
    assert_eq!(hazard.photos, [first.sha256.clone(), second.sha256.clone()]);

    store.remove_photo(entry.id, &first.sha256).expect("remove");
    let record = store.patrol_record(patrol).expect("record");
    assert_eq!(record.observations[0].photos.len(), 1);
    assert_eq!(store.check_photos().expect("check").unattached_rows, 1, "the removed photo is cleaned up at the next start");
    assert!(store.photo(&first.sha256).expect("read").is_none());

    let err = store.add_observation(patrol, &body, &["0".repeat(64)], now()).expect_err("unknown photo");
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[test]
fn start_up_check_removes_orphans_and_keeps_what_forms_still_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, patrol) = open(dir.path());
    let attached = store.add_photo(patrol, "attached.jpg", &jpeg(&picture(300, 300), 90), now()).expect("a");
    let in_form = store.add_photo(patrol, "in-form.jpg", &jpeg(&picture(310, 300), 90), now()).expect("b");
    let abandoned = store.add_photo(patrol, "abandoned.jpg", &jpeg(&picture(320, 300), 90), now()).expect("c");
    let (body, photos) = hazard(&[attached.sha256.clone()]);
    store.add_observation(patrol, &body, &photos, now()).expect("observation");
    store.save_draft(&format!("observation:{patrol}"), &format!(r#"{{"photos":["{}"]}}"#, in_form.sha256)).expect("draft");
    let photo_dir = store.photo_dir().to_path_buf();
    std::fs::write(photo_dir.join("tmp").join("half.part"), b"half a photo").expect("temp");
    std::fs::write(photo_dir.join(format!("{}.jpg", "ab".repeat(32))), b"no row").expect("orphan");

    let check = store.check_photos().expect("check");
    assert_eq!((check.temp_files, check.unattached_rows, check.orphan_files, check.missing_files), (1, 1, 3, 0), "{check:?}");
    assert!(store.photo(&attached.sha256).expect("read").is_some());
    assert!(store.photo(&in_form.sha256).expect("read").is_some(), "a photo in an unsaved form survives");
    assert!(store.photo(&abandoned.sha256).expect("read").is_none());
    let mut expected = vec![
        format!("{}.jpg", attached.sha256),
        format!("{}.thumb.jpg", attached.sha256),
        format!("{}.jpg", in_form.sha256),
        format!("{}.thumb.jpg", in_form.sha256),
    ];
    expected.sort();
    assert_eq!(files_in(&photo_dir), expected);
}

/// Kills the app (abort, no clean-up) after each step of storing a photo; after the start-up
/// check there is either no trace of it or a complete photo whose file matches its name.
#[test]
fn killed_between_steps_leaves_nothing_or_a_complete_photo() {
    let exe = std::env::current_exe().expect("exe");
    let crasher = exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("examples/photo_crasher");
    for step in ["processed", "temp_synced", "renamed", "recorded"] {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(open(dir.path()));
        let photo_file = dir.path().join("IMG_0100.jpg");
        std::fs::write(&photo_file, jpeg(&picture(900, 700), 90)).expect("write");
        let status = Command::new(&crasher).arg(dir.path().join("redvest.sqlite3")).arg(&photo_file).arg(step).status().expect("run crasher");
        assert!(!status.success(), "{step}: the crasher must die mid-save");

        // Before the start-up check: every row has its whole file (never a dangling row).
        let rows: Vec<String> = {
            let conn = rusqlite::Connection::open(dir.path().join("redvest.sqlite3")).expect("raw open");
            let mut stmt = conn.prepare("SELECT sha256 FROM photo").expect("prepare");
            let rows = stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows");
            rows
        };
        assert_eq!(rows.len(), usize::from(step == "recorded"), "{step}: the row comes last");
        let (store, _) = open(dir.path());
        for sha in &rows {
            let bytes = store.photo_bytes(sha, false).expect("the row's file exists");
            assert_eq!(&hex::encode(Sha256::digest(bytes)), sha, "{step}: the row's file is complete");
            store.photo_bytes(sha, true).expect("and its thumbnail");
        }
        let check = store.check_photos().expect("check");
        assert!(files_in(&store.photo_dir().join("tmp")).is_empty(), "{step}: no half-written file survives");
        // The photo was in no form, so the check clears even a complete one: nothing is left.
        assert_eq!(files_in(store.photo_dir()), Vec::<String>::new(), "{step}: {check:?}");
        assert_eq!(check.missing_files, 0, "{step}");
    }
}
