//! `cargo xtask bench qr`: the hand-over by QR on the mountain. A typical patrol (attendance
//! of 6, 20 checklist answers, 3 hazards, 2 house visits, both signatures drawn on the 600×240
//! signing box, no photos) goes from the volunteer's phone to the leader's as fountain-coded
//! frames, and the countersignature comes back.
//!
//! Link model: the screen shows the frames in a loop at 8 frames per second; the camera
//! misses each frame with probability 0.2, independently; the scan ends when the payload is
//! whole. `seconds` is the median over 5 runs with different losses. One JSON object per line
//! on stdout; human text on stderr.

use chrono::{Duration, TimeZone, Utc};
use redvest_core::handover::{frames, payload, Handover, Receiver, FRAGMENT_LEN};
use redvest_core::Store;
use redvest_shared::checklist::{CheckDomain, CheckOutcome};
use redvest_shared::duty::{Assignment, Zone};
use redvest_shared::observation::{EscalateTo, Handling, HazardReport, Observation, Severity};
use redvest_shared::patrol::{AttendanceEntry, Presence, SignPatrol, StartPatrol};
use redvest_shared::team::Role;
use redvest_shared::wire::{PullItem, PullPage, Published, RosterMember};
use serde_json::json;
use uuid::Uuid;

const FPS: f64 = 8.0;
const LOSS: f64 = 0.2;
const RUNS: u64 = 5;

/// A drawn signature as the signing box exports it: 600×240 RGBA, transparent paper, a 4 px
/// pen, a few cursive strokes with soft edges.
fn drawing(seed: f64) -> Vec<u8> {
    let mut img = image::RgbaImage::new(600, 240);
    for stroke in 0..4 {
        let x0 = 60.0 + f64::from(stroke) * 120.0;
        for i in 0..400 {
            let t = f64::from(i) / 400.0;
            let x = x0 + t * 110.0;
            let y = 120.0 + 60.0 * (t * 9.0 + seed + f64::from(stroke)).sin() * (1.0 - t * 0.5);
            for dy in -3i32..=3 {
                for dx in -3i32..=3 {
                    let d = f64::from(dx * dx + dy * dy).sqrt();
                    if d <= 2.5 {
                        let (px, py) = ((x as i32 + dx) as u32, (y as i32 + dy) as u32);
                        if px < 600 && py < 240 {
                            let a = ((2.5 - d).min(1.0) * 255.0) as u8;
                            let p = img.get_pixel_mut(px, py);
                            p.0 = [17, 17, 17, p.0[3].max(a)];
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    out
}

fn roster(ids: &[(Uuid, &str, Role)], keys: &[(Uuid, String)]) -> PullPage {
    let members = ids
        .iter()
        .map(|(id, name, role)| RosterMember {
            id: *id,
            name: (*name).into(),
            role: *role,
            pending: false,
            keys: keys.iter().filter(|(m, _)| m == id).map(|(_, k)| k.clone()).collect(),
            phone: None,
        })
        .collect();
    PullPage { items: vec![PullItem { seq: 1, body: Published::Roster { members, merged: vec![] } }], next: 1, more: false }
}

/// How many frames the screen shows until the camera has the payload, missing each with
/// probability `LOSS` (xorshift seeded by `seed`).
fn frames_until_whole(parts: &[String], seed: u64) -> usize {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut rx = Receiver::default();
    for shown in 1..=parts.len() * 50 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let caught = (s >> 11) as f64 / (1u64 << 53) as f64 >= LOSS;
        if caught && rx.receive(&parts[(shown - 1) % parts.len()]).expect("frame").complete {
            return shown;
        }
    }
    usize::MAX
}

fn measure(case: &str, h: &Handover) -> serde_json::Value {
    let bytes = payload(h).expect("payload");
    let first = frames(&bytes, 0).expect("frames");
    // The loop the screen shows: each fragment, then three times as many mixes.
    let parts = frames(&bytes, first.fragments * 4).expect("frames").parts;
    let mut seconds: Vec<f64> = (1..=RUNS).map(|seed| frames_until_whole(&parts, seed) as f64 / FPS).collect();
    seconds.sort_by(f64::total_cmp);
    let chars = parts.iter().map(String::len).max().unwrap_or(0);
    let version = qrcode::QrCode::with_error_correction_level(parts[0].as_bytes(), qrcode::EcLevel::L).map(|q| format!("{:?}", q.version())).unwrap_or_default();
    eprintln!("{case}: {} bytes, {} frames of {chars} characters ({version}), {:.1} s median at {FPS} fps with {:.0} % lost", bytes.len(), first.fragments, seconds[seconds.len() / 2], LOSS * 100.0);
    json!({
        "case": case,
        "bytes": bytes.len(),
        "frames": first.fragments,
        "fragment_bytes": FRAGMENT_LEN,
        "frame_chars": chars,
        "qr_version": version,
        "seconds": seconds[seconds.len() / 2],
        "seconds_runs": seconds,
        "fps": FPS,
        "loss": LOSS,
        "target_s": 10,
        "link": "loop of 4×frames shown at 8 fps, each missed with p=0.2; median of 5 runs",
    })
}

fn main() {
    let ids: Vec<(Uuid, &str, Role)> = vec![
        (Uuid::now_v7(), "李强", Role::Leader),
        (Uuid::now_v7(), "王芳", Role::Volunteer),
        (Uuid::now_v7(), "张伟", Role::Volunteer),
        (Uuid::now_v7(), "刘洋", Role::Member),
        (Uuid::now_v7(), "陈静", Role::Volunteer),
        (Uuid::now_v7(), "杨帆", Role::Member),
    ];
    let (li, wang) = (ids[0].0, ids[1].0);
    let dir = tempfile::tempdir().expect("tempdir");
    let v = Store::open(dir.path().join("v.sqlite3")).expect("open");
    let l = Store::open(dir.path().join("l.sqlite3")).expect("open");
    let now = Utc::now();
    for s in [&v, &l] {
        s.apply_pulled(&roster(&ids, &[])).expect("roster");
    }
    let wang_key = v.create_key(wang, "2468", now).expect("key").public_key_hex;
    let li_key = l.create_key(li, "13579", now).expect("key").public_key_hex;
    for s in [&v, &l] {
        s.apply_pulled(&roster(&ids, &[(wang, wang_key.clone()), (li, li_key.clone())])).expect("roster");
    }

    let start = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).single().expect("time");
    let p = v
        .start_patrol(&StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::Highland)), route: "高山片区三组".into(), planned_start: None }, start)
        .expect("start")
        .id;
    let attendance: Vec<AttendanceEntry> = ids
        .iter()
        .map(|(id, _, role)| AttendanceEntry { member_id: Some(*id), name: String::new(), role: *role, presence: Presence::Present, reason: String::new() })
        .collect();
    v.set_attendance(p, &attendance).expect("attendance");
    let codes = ["PO-01", "PO-02", "PO-03", "PO-04", "PO-05", "PO-06", "PO-07", "PO-08", "PO-09", "WS-01", "WS-02", "WS-03", "WS-04", "WS-05", "WS-06", "WS-07", "FS-01", "FS-02", "FS-03", "FS-05"];
    for (i, code) in codes.iter().enumerate() {
        let outcome = if i % 7 == 3 { CheckOutcome::Problem } else { CheckOutcome::Normal };
        v.set_check(p, code, outcome).expect("check");
    }
    for (i, (what, place)) in [("安全出口被杂物堵塞", "三组村民活动室"), ("电线老化裸露", "李家院坝"), ("电动车在楼道充电", "村小学旁出租房")].iter().enumerate() {
        let hazard = Observation::Hazard(HazardReport {
            domain: [CheckDomain::FireSafety, CheckDomain::WorkSafety, CheckDomain::FireSafety][i],
            item: None,
            description: (*what).into(),
            severity: Severity::Medium,
            place: (*place).into(),
            spot: None,
            handling: Handling::Escalated { to: EscalateTo::Centre },
        });
        v.add_observation(p, &hazard, &[], start + Duration::minutes(10 + i as i64)).expect("hazard");
    }
    for (household, notes) in [("三组 张大爷家", "独居老人,身体尚好,提醒冬季用火安全"), ("三组 刘家", "家中无人,已留联系卡")] {
        let visit = Observation::HouseVisit { household: household.into(), people_met: 1, notes: notes.into() };
        v.add_observation(p, &visit, &[], start + Duration::minutes(40)).expect("visit");
    }
    let sign = |member, pin: &str, seed| SignPatrol { patrol_id: p, member_id: member, pin: pin.into(), handwriting_png: drawing(seed), remarks: "巡查正常,已上报三处隐患".into() };
    eprintln!("drawn signatures: {} and {} bytes as PNG", drawing(0.3).len(), drawing(1.7).len());
    v.submit_patrol(&sign(wang, "2468", 0.3), start + Duration::hours(3)).expect("sign");

    let signed = v.handover_signed(p).expect("handover");
    println!("{}", measure("patrol_qr", &signed));

    l.accept_handover(&signed, now).expect("accepted");
    l.countersign_review(&sign(li, "13579", 1.7), now).expect("countersign");
    let back = l.handover_countersigned(p).expect("handover");
    println!("{}", measure("countersign_qr", &back));
}
