//! Test fixtures shared by the county's sync tests and the end-to-end tests (feature
//! `fixtures`): a device with a volunteer and a leader who have keys, and a sealed patrol
//! with a hazard, photos and a track.

use chrono::{Duration, TimeZone, Utc};
use redvest_shared::checklist::CheckDomain;
use redvest_shared::duty::{Assignment, Zone};
use redvest_shared::observation::{EscalateTo, Handling, HazardReport, Observation, Severity};
use redvest_shared::patrol::{AttendanceEntry, Presence, SignPatrol, StartPatrol};
use redvest_shared::team::{Member, NewMember, Role};
use redvest_shared::track::{Fix, FixSource, TrackSettings};
use uuid::Uuid;

use crate::Store;

/// A device: a volunteer and a leader with keys.
pub struct Device {
    /// Its store.
    pub store: Store,
    /// 王芳, PIN 2468.
    pub volunteer: Member,
    /// 李强, PIN 13579.
    pub leader: Member,
    /// Its data folder.
    pub dir: tempfile::TempDir,
}

/// A device in a fresh temporary folder.
pub fn device() -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    device_in(dir)
}

/// A device whose data lives in `dir` (the app's data folder, for end-to-end tests).
pub fn device_in(dir: tempfile::TempDir) -> Device {
    let store = Store::open(dir.path().join("redvest.sqlite3")).expect("open");
    let volunteer = store.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("v");
    let leader = store.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("l");
    let now = Utc::now();
    store.create_key(volunteer.id, "2468", now).expect("key");
    store.create_key(leader.id, "13579", now).expect("key");
    Device { store, volunteer, leader, dir }
}

/// A phone as a team really starts one: enrolled first (in town, with the clerk's code),
/// the county's roster pulled, and only then 王芳 (PIN 2468) and 李强 (PIN 13579) set their
/// PINs on it. The county's roster must list both.
pub fn enrolled_device(server: &str, code: &str, options: crate::sync::SyncOptions) -> Result<Device, crate::sync::SyncFailure> {
    enrolled_phone(server, code, "测试手机", &[("王芳", "2468"), ("李强", "13579")], options)
}

/// A phone of one or more members, in the order users take: enrolled with `code`, the
/// county's roster pulled, then each of `pins` (name, PIN) set on it. 王芳's own phone
/// has only her PIN; 李强's only his.
pub fn enrolled_phone(server: &str, code: &str, name: &str, pins: &[(&str, &str)], options: crate::sync::SyncOptions) -> Result<Device, crate::sync::SyncFailure> {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().join("redvest.sqlite3"))?;
    store.enrol(server, code, name, options)?;
    crate::sync::sync_once(&store, options, &|_| {})?;
    let members = store.list_members()?;
    let named = |name: &str| members.iter().find(|m| m.name == name).cloned().unwrap_or_else(|| panic!("the county's roster lists {name}: {members:?}"));
    for (who, pin) in pins {
        store.create_key(named(who).id, pin, Utc::now())?;
    }
    let (volunteer, leader) = (store.member(named("王芳").id)?, store.member(named("李强").id)?);
    Ok(Device { store, volunteer, leader, dir })
}

/// A JPEG of `w`×`h` with some texture, `seed` making each one different.
pub fn jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    // Smooth shapes and a little grain: stored at the default settings it is the size of a
    // phone photo (a few hundred KB), and every seed gives different bytes.
    let phase = f64::from(seed % 1000) * 0.731;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (f64::from(x) / f64::from(w), f64::from(y) / f64::from(h));
        let shade = 0.5 + 0.25 * (fx * 9.0 + phase).sin() * (fy * 7.0 - phase).cos() + 0.15 * ((fx + fy) * 40.0 + phase).sin();
        let grain = f64::from((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ seed.wrapping_mul(97)) % 23) - 11.0;
        let v = |k: f64| (shade * k * 230.0 + grain).clamp(0.0, 255.0) as u8;
        image::Rgb([v(1.0), v(0.85), v(0.7)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).expect("encode");
    out
}

/// Records, signs and seals a patrol with a hazard, `photos` photos and a `fixes`-fix track.
/// Returns the patrol, the hazard, and the photos' hashes.
pub fn sealed_patrol(d: &Device, photos: u32, fixes: u32) -> (Uuid, Uuid, Vec<String>) {
    sealed_patrol_signed(d, (&d.volunteer, "2468"), (&d.leader, "13579"), photos, fixes)
}

/// [`sealed_patrol`], signed by `volunteer` and countersigned by `leader`, each with their PIN.
pub fn sealed_patrol_signed(d: &Device, volunteer: (&Member, &str), leader: (&Member, &str), photos: u32, fixes: u32) -> (Uuid, Uuid, Vec<String>) {
    let (p, hazard, shas) = submitted_patrol(d, volunteer, leader.0, photos, fixes);
    let end = d.store.patrol_record(p).expect("record").ended_at.expect("ended");
    d.store.countersign(&handwritten(p, leader.0, leader.1), end + Duration::minutes(1)).expect("countersign");
    (p, hazard, shas)
}

/// A patrol for a planned duty, started at `at` by the device's volunteer, signed and
/// countersigned (no track, no findings). The duty must be on the device (pulled).
pub fn patrol_for_duty(d: &Device, duty: Uuid, at: chrono::DateTime<Utc>) -> Uuid {
    let s = &d.store;
    let p = s.start_patrol(&StartPatrol { duty_id: Some(duty), assignment: None, route: "计划路线".into(), planned_start: None }, at).expect("start");
    let present = |m: &Member, role| AttendanceEntry { member_id: Some(m.id), name: String::new(), role, presence: Presence::Present, reason: String::new() };
    s.set_attendance(p.id, &[present(&d.volunteer, Role::Volunteer), present(&d.leader, Role::Leader)]).expect("attendance");
    s.submit_patrol(&handwritten(p.id, &d.volunteer, "2468"), at + Duration::minutes(30)).expect("submit");
    s.countersign(&handwritten(p.id, &d.leader, "13579"), at + Duration::minutes(31)).expect("countersign");
    p.id
}

/// A signing request with a drawn signature ([`signature_png`]).
pub fn handwritten(patrol: Uuid, m: &Member, pin: &str) -> SignPatrol {
    SignPatrol { patrol_id: patrol, member_id: m.id, pin: pin.into(), handwriting_png: signature_png(u32::from(m.id.as_bytes()[15])), remarks: "正常".into() }
}

/// A drawn signature as the signing pad makes one: a dark stroke on white, 300×100 PNG;
/// `seed` shapes the stroke.
pub fn signature_png(seed: u32) -> Vec<u8> {
    let img = image::GrayImage::from_fn(300, 100, |x, y| {
        let stroke = 50.0 + 28.0 * (f64::from(x) / 17.0 + f64::from(seed)).sin() * (f64::from(x) / 90.0).cos();
        image::Luma([if (f64::from(y) - stroke).abs() < 2.5 { 25 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encode");
    out.into_inner()
}

/// The patrol of [`sealed_patrol_signed`], signed by `volunteer` (with `with` present too)
/// and waiting for a leader: the volunteer's phone has it as 待队长审核.
pub fn submitted_patrol(d: &Device, volunteer: (&Member, &str), with: &Member, photos: u32, fixes: u32) -> (Uuid, Uuid, Vec<String>) {
    let s = &d.store;
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).single().expect("time");
    let p = s
        .start_patrol(&StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: "场镇主街".into(), planned_start: None }, start)
        .expect("start");
    s.set_attendance(
        p.id,
        &[
            AttendanceEntry { member_id: Some(volunteer.0.id), name: String::new(), role: Role::Volunteer, presence: Presence::Present, reason: String::new() },
            AttendanceEntry { member_id: Some(with.id), name: String::new(), role: Role::Leader, presence: Presence::Present, reason: String::new() },
        ],
    )
    .expect("attendance");
    let track: Vec<Fix> = (0..fixes)
        .map(|i| Fix {
            lat: 29.93 + f64::from(i) * 2.0 / 111_320.0,
            lon: 107.88 + f64::from(i % 7) * 1.0e-6,
            altitude_m: Some(400.0),
            accuracy_m: 5.0,
            speed_mps: None,
            bearing_deg: None,
            time: start + Duration::seconds(i64::from(i)),
            source: FixSource::Replay,
        })
        .collect();
    let settings = TrackSettings::default();
    s.record_fixes(p.id, &track, &settings, |f| f.time).expect("track");
    let shas: Vec<String> = (0..photos)
        .map(|i| s.add_photo(p.id, &format!("IMG_{i}.jpg"), &jpeg(1200, 900, i ^ u32::from_le_bytes([p.id.as_bytes()[12], p.id.as_bytes()[13], p.id.as_bytes()[14], p.id.as_bytes()[15]])), start).expect("photo").sha256)
        .collect();
    s.set_check(p.id, "WS-01", redvest_shared::checklist::CheckOutcome::Problem).expect("check");
    let entry = s
        .add_observation(
            p.id,
            &Observation::Hazard(HazardReport {
                domain: CheckDomain::FireSafety,
                item: None,
                description: "安全出口堵塞".into(),
                severity: Severity::Medium,
                place: "超市".into(),
                spot: None,
                handling: Handling::Escalated { to: EscalateTo::Centre },
            }),
            &shas,
            start + Duration::minutes(10),
        )
        .expect("hazard");
    let end = start + Duration::seconds(i64::from(fixes) + 60);
    s.submit_patrol(&handwritten(p.id, volunteer.0, volunteer.1), end).expect("submit");
    (p.id, entry.hazard_id.expect("hazard id"), shas)
}
