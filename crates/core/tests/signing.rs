//! Signing, freezing, amendments and the hash chain, as a team would meet them.

use chrono::{DateTime, TimeZone, Utc};
use redvest_core::{Error, Store};
use redvest_shared::checklist::{CheckDomain, CheckOutcome};
use redvest_shared::duty::{Assignment, Zone};
use redvest_shared::observation::{Handling, HazardReport, Observation, Severity};
use redvest_shared::patrol::{AttendanceEntry, PatrolState, Presence, Problem, SignPatrol, StartPatrol};
use redvest_shared::team::{Member, NewMember, Role};
use redvest_shared::ErrorCode;
use uuid::Uuid;

/// A tiny valid PNG header plus payload: the core checks the magic, not the pixels.
fn handwriting() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(b"....drawn signature....");
    png
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).single().expect("time")
}

struct Team {
    store: Store,
    volunteer: Member,
    leader: Member,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn team() -> Team {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("redvest.sqlite3");
    let store = Store::open(&path).expect("open");
    let volunteer = store.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("v");
    let leader = store.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("l");
    store.create_key(volunteer.id, "2468", at(8, 0)).expect("volunteer key");
    store.create_key(leader.id, "13579", at(8, 0)).expect("leader key");
    Team { store, volunteer, leader, _dir: dir, path }
}

fn recorded_patrol(t: &Team) -> Uuid {
    let s = &t.store;
    let p = s
        .start_patrol(
            &StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::TownCentre)), route: "场镇主街".into(), planned_start: None },
            at(20, 0),
        )
        .expect("start");
    s.set_attendance(
        p.id,
        &[
            AttendanceEntry { member_id: Some(t.volunteer.id), name: String::new(), role: Role::Volunteer, presence: Presence::Present, reason: String::new() },
            AttendanceEntry { member_id: Some(t.leader.id), name: String::new(), role: Role::Leader, presence: Presence::Present, reason: String::new() },
        ],
    )
    .expect("attendance");
    s.set_check(p.id, "PO-01", CheckOutcome::Normal).expect("check");
    s.set_check(p.id, "WS-01", CheckOutcome::Problem).expect("check");
    s.set_check(p.id, "FS-02", CheckOutcome::NotApplicable).expect("check");
    s.add_observation(
        p.id,
        &Observation::Hazard(HazardReport {
            domain: CheckDomain::WorkSafety,
            item: Some("WS-01".into()),
            description: "安全出口堵塞".into(),
            severity: Severity::Medium,
            place: "超市".into(),
            spot: None,
            handling: Handling::Rectify { responsible: "张老板".into(), unit: "超市".into(), deadline: at(20, 0).date_naive() },
        }),
        &[],
        at(20, 10),
    )
    .expect("hazard");
    p.id
}

fn sign(patrol: Uuid, member: &Member, pin: &str) -> SignPatrol {
    SignPatrol { patrol_id: patrol, member_id: member.id, pin: pin.into(), handwriting_png: handwriting(), remarks: "一切正常".into() }
}

fn sealed_patrol(t: &Team) -> Uuid {
    let p = recorded_patrol(t);
    t.store.submit_patrol(&sign(p, &t.volunteer, "2468"), at(21, 0)).expect("submit");
    t.store.countersign(&sign(p, &t.leader, "13579"), at(21, 30)).expect("countersign");
    p
}

#[test]
fn sign_countersign_seal_and_verify() {
    let t = team();
    let p = sealed_patrol(&t);
    let detail = t.store.patrol_detail(p).expect("detail");
    assert_eq!(detail.state, PatrolState::Sealed);
    assert_eq!(detail.signatures.len(), 2);
    assert_eq!(detail.record.remarks, "一切正常");
    assert_eq!(detail.record.ended_at, Some(at(21, 0)));
    assert!(t.store.verify().expect("verify").is_empty(), "an untouched volume verifies");
    assert_eq!(t.store.public_keys().expect("keys").len(), 2);
}

#[test]
fn wrong_pin_and_bad_pin_are_refused() {
    let t = team();
    let p = recorded_patrol(&t);
    let err = t.store.submit_patrol(&sign(p, &t.volunteer, "0000"), at(21, 0)).expect_err("wrong pin");
    assert!(matches!(err, Error::WrongPin), "{err:?}");
    let err = t.store.submit_patrol(&sign(p, &t.volunteer, "12a"), at(21, 0)).expect_err("bad pin");
    assert!(matches!(err, Error::Invalid { field: "signer.pin", code: ErrorCode::PinFormat, .. }), "{err:?}");
    assert_eq!(t.store.patrol_state(p).expect("state"), PatrolState::Open, "nothing changed");
}

#[test]
fn finishing_needs_someone_present_and_a_drawn_signature() {
    let t = team();
    let p = t
        .store
        .start_patrol(&StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::Rural)), route: String::new(), planned_start: None }, at(9, 0))
        .expect("start");
    let err = t.store.submit_patrol(&sign(p.id, &t.volunteer, "2468"), at(10, 0)).expect_err("nobody");
    assert!(matches!(err, Error::Invalid { field: "attendance", code: ErrorCode::NoPresentMember, .. }), "{err:?}");

    let p = recorded_patrol(&t);
    let mut req = sign(p, &t.volunteer, "2468");
    req.handwriting_png.clear();
    let err = t.store.submit_patrol(&req, at(21, 0)).expect_err("no drawing");
    assert!(matches!(err, Error::Invalid { field: "signature.handwriting", .. }), "{err:?}");
    let err = t.store.submit_patrol(&sign(p, &t.volunteer, "2468"), at(19, 0)).expect_err("end before start");
    assert!(matches!(err, Error::Invalid { field: "patrol.ended_at", code: ErrorCode::EndBeforeStart, .. }), "{err:?}");
}

#[test]
fn only_the_leader_countersigns_and_returning_reopens() {
    let t = team();
    let p = recorded_patrol(&t);
    t.store.submit_patrol(&sign(p, &t.volunteer, "2468"), at(21, 0)).expect("submit");
    let err = t.store.set_check(p, "PO-01", CheckOutcome::Problem).expect_err("submitted is not editable");
    assert!(matches!(err, Error::WrongState(_)), "{err:?}");
    let err = t.store.countersign(&sign(p, &t.volunteer, "2468"), at(21, 30)).expect_err("not a leader");
    assert!(matches!(err, Error::NotAllowed(_)), "{err:?}");

    t.store.return_patrol(p, t.leader.id, "13579", "缺少现场照片说明", at(21, 10)).expect("return");
    let detail = t.store.patrol_detail(p).expect("detail");
    assert_eq!(detail.state, PatrolState::Returned);
    assert_eq!(detail.returned_reason.as_deref(), Some("缺少现场照片说明"));
    let today = t.store.today(at(21, 15).fixed_offset()).expect("today");
    assert_eq!(today.unfinished.map(|u| u.id), Some(p), "home offers 继续");
    assert_eq!(today.recording, None, "but the app does not jump to it at launch");
    t.store.set_check(p, "PO-01", CheckOutcome::Problem).expect("editable again");
    t.store.submit_patrol(&sign(p, &t.volunteer, "2468"), at(22, 0)).expect("resubmit");
    t.store.countersign(&sign(p, &t.leader, "13579"), at(22, 30)).expect("countersign");
    assert!(t.store.verify().expect("verify").is_empty());
}

#[test]
fn sealed_rows_are_refused_by_the_database_itself() {
    let t = team();
    let p = sealed_patrol(&t);
    let conn = rusqlite::Connection::open(&t.path).expect("raw");
    for sql in [
        "UPDATE patrol SET remarks = 'changed'",
        "DELETE FROM patrol",
        "UPDATE attendance SET presence = 'absent'",
        "DELETE FROM attendance",
        "UPDATE check_result SET outcome = 'normal'",
        "DELETE FROM observation",
        "UPDATE signature SET handwriting = x'00'",
        "DELETE FROM chain",
    ] {
        let err = conn.execute(sql, []).expect_err(sql);
        let text = err.to_string();
        assert!(text.contains("frozen") || text.contains("append-only"), "{sql}: {text}");
    }
    let err = t.store.set_check(p, "PO-01", CheckOutcome::Problem).expect_err("core refuses too");
    assert!(matches!(err, Error::WrongState(_)), "{err:?}");
}

#[test]
fn tampering_is_detected_and_named() {
    let t = team();
    let first = sealed_patrol(&t);
    let second = sealed_patrol(&t);
    let conn = rusqlite::Connection::open(&t.path).expect("raw");
    // Someone with the SQLite file drops the guard and edits the first record's remarks.
    conn.execute_batch("DROP TRIGGER patrol_sealed_no_update; UPDATE patrol SET remarks = '改过了' WHERE rowid = (SELECT rowid FROM patrol ORDER BY id LIMIT 1);")
        .expect("tamper");
    let findings = t.store.verify().expect("verify");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].patrol_id, findings[0].problem), (Some(first), Problem::ContentChanged));

    // Flip one byte of the second record's stored signed bytes.
    conn.execute_batch(
        "DROP TRIGGER signed_record_no_update;
         UPDATE signed_record SET canonical = CAST(replace(CAST(canonical AS TEXT), '一切正常', '一切正當') AS BLOB)
          WHERE patrol_id = (SELECT id FROM patrol ORDER BY id DESC LIMIT 1);",
    )
    .expect("flip");
    let findings = t.store.verify().expect("verify");
    assert!(findings.iter().any(|f| f.patrol_id == Some(second) && f.problem == Problem::SignedBytesChanged), "{findings:?}");
}

#[test]
fn a_broken_chain_link_is_found() {
    let t = team();
    sealed_patrol(&t);
    let second = sealed_patrol(&t);
    let conn = rusqlite::Connection::open(&t.path).expect("raw");
    conn.execute_batch("DROP TRIGGER chain_no_update; UPDATE chain SET link = zeroblob(32) WHERE seq = 2;").expect("tamper");
    let findings = t.store.verify().expect("verify");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].patrol_id, findings[0].seq, findings[0].problem), (Some(second), Some(2), Problem::ChainBroken));
}

#[test]
fn amendment_references_the_original_and_is_signed_in_its_own_right() {
    let t = team();
    let original = sealed_patrol(&t);
    let amendment = t.store.start_amendment(original, at(23, 0)).expect("amend");
    let rec = t.store.patrol_record(amendment).expect("record");
    assert_eq!(rec.amends, Some(original));
    assert_eq!(rec.checks.len(), 3);
    assert_eq!(rec.observations.len(), 1);
    t.store.set_check(amendment, "WS-01", CheckOutcome::Normal).expect("correct it");
    t.store.submit_patrol(&sign(amendment, &t.volunteer, "2468"), at(23, 10)).expect("submit");
    t.store.countersign(&sign(amendment, &t.leader, "13579"), at(23, 20)).expect("countersign");
    assert_eq!(t.store.patrol_state(original).expect("state"), PatrolState::Sealed, "the original stays as it was");
    assert!(t.store.verify().expect("verify").is_empty());
}

#[test]
fn canonical_bytes_are_pinned() {
    use redvest_shared::patrol::{canonical_bytes, PatrolRecord};
    let record = PatrolRecord {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        amends: None,
        duty_id: None,
        assignment: Assignment::Zone(Zone::Highland),
        route: "高山村".into(),
        planned_start: None,
        started_at: at(9, 0),
        ended_at: Some(at(11, 0)),
        attendance: vec![],
        checks: vec![],
        observations: vec![],
        remarks: String::new(),
        track_sha256: None,
    };
    let bytes = canonical_bytes(&record);
    let expected = "redvest/patrol-record/v1\n{\"id\":\"01900000-0000-7000-8000-000000000001\",\"amends\":null,\"duty_id\":null,\"assignment\":{\"zone\":\"highland\"},\"route\":\"高山村\",\"planned_start\":null,\"started_at\":\"2026-11-24T09:00:00Z\",\"ended_at\":\"2026-11-24T11:00:00Z\",\"attendance\":[],\"checks\":[],\"observations\":[],\"remarks\":\"\",\"track_sha256\":null}";
    assert_eq!(String::from_utf8(bytes).expect("utf8"), expected, "signed bytes must never change for v1");
}

#[test]
fn the_signature_covers_the_track() {
    use redvest_shared::track::{Fix, FixSource, TrackSettings};
    let t = team();
    let p = recorded_patrol(&t);
    for i in 0..5i64 {
        let time = at(20, 0) + chrono::Duration::seconds(i * 10);
        let fix = Fix { lat: 29.9321 + i as f64 * 15.0 / 111_320.0, lon: 107.8812, altitude_m: None, accuracy_m: 5.0, speed_mps: None, bearing_deg: None, time, source: FixSource::Gps };
        t.store.record_fix(p, &fix, &TrackSettings::default(), time).expect("fix");
    }
    t.store.submit_patrol(&sign(p, &t.volunteer, "2468"), at(21, 0)).expect("submit");
    t.store.countersign(&sign(p, &t.leader, "13579"), at(21, 30)).expect("countersign");
    assert!(t.store.patrol_record(p).expect("record").track_sha256.is_some());
    assert!(t.store.verify().expect("verify").is_empty());
    // Moving one track point after sealing is found.
    let conn = rusqlite::Connection::open(&t.path).expect("raw");
    conn.execute_batch("DROP TRIGGER track_point_no_update; UPDATE track_point SET lat = lat + 0.001 WHERE seq = 2;").expect("tamper");
    let findings = t.store.verify().expect("verify");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].patrol_id, findings[0].problem), (Some(p), Problem::ContentChanged));
    // An amendment carries the track over.
    let amendment = t.store.start_amendment(p, at(23, 0)).expect("amend");
    assert_eq!(t.store.track(amendment).expect("track").len(), 5);
}

#[test]
fn the_signature_covers_the_photos() {
    let jpeg = |shade: u8| {
        let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([shade, (x % 256) as u8, (y % 256) as u8]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).expect("encode");
        out
    };
    let t = team();
    let p = recorded_patrol(&t);
    let photo = t.store.add_photo(p, "出口堵塞.jpg", &jpeg(10), at(20, 20)).expect("photo");
    let body = Observation::Sighting {
        subject: redvest_shared::observation::SightingSubject::Vehicle,
        description: "无牌三轮车".into(),
        place: "桥头".into(),
        passed_to_police: false,
    };
    t.store.add_observation(p, &body, std::slice::from_ref(&photo.sha256), at(20, 21)).expect("observation");
    t.store.submit_patrol(&sign(p, &t.volunteer, "2468"), at(21, 0)).expect("submit");
    t.store.countersign(&sign(p, &t.leader, "13579"), at(21, 30)).expect("countersign");
    let canonical = redvest_shared::patrol::canonical_bytes(&t.store.patrol_record(p).expect("record"));
    assert!(String::from_utf8_lossy(&canonical).contains(&photo.sha256), "the signed bytes name the photo");
    assert!(t.store.verify().expect("verify").is_empty());

    // Someone swaps the photo file for another picture.
    let file = t.store.photo_dir().join(format!("{}.jpg", photo.sha256));
    std::fs::write(&file, jpeg(200)).expect("swap");
    let findings = t.store.verify().expect("verify");
    assert_eq!(findings.iter().map(|f| (f.patrol_id, f.problem)).collect::<Vec<_>>(), [(Some(p), Problem::PhotoChanged)]);
}

/// The leader who recorded and signed a patrol as its volunteer cannot countersign it as
/// well: another leader must. A team of one may.
#[test]
fn nobody_signs_one_patrol_in_two_roles_unless_they_are_the_whole_team() {
    let t = team();
    let p = recorded_patrol(&t);
    let sign = |m: &Member, pin: &str| SignPatrol { patrol_id: p, member_id: m.id, pin: pin.into(), handwriting_png: handwriting(), remarks: String::new() };
    t.store.submit_patrol(&sign(&t.leader, "13579"), at(21, 0)).expect("the leader signs as the one who recorded");
    let err = t.store.countersign(&sign(&t.leader, "13579"), at(21, 5)).expect_err("not twice");
    assert!(matches!(err, Error::Invalid { field: "signature.member", code: ErrorCode::SameSigner, .. }), "{err:?}");
    assert_eq!(t.store.patrol_state(p).expect("state"), PatrolState::Submitted, "still waiting for another leader");

    let dir = tempfile::tempdir().expect("tempdir");
    let alone = Store::open(dir.path().join("redvest.sqlite3")).expect("open");
    let li = alone.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("l");
    alone.create_key(li.id, "13579", at(8, 0)).expect("key");
    let p = alone
        .start_patrol(&StartPatrol { duty_id: None, assignment: Some(Assignment::Zone(Zone::Highland)), route: String::new(), planned_start: None }, at(20, 0))
        .expect("start");
    alone
        .set_attendance(p.id, &[AttendanceEntry { member_id: Some(li.id), name: String::new(), role: Role::Leader, presence: Presence::Present, reason: String::new() }])
        .expect("attendance");
    let sign = |pin: &str| SignPatrol { patrol_id: p.id, member_id: li.id, pin: pin.into(), handwriting_png: handwriting(), remarks: String::new() };
    alone.submit_patrol(&sign("13579"), at(21, 0)).expect("sign");
    alone.countersign(&sign("13579"), at(21, 1)).expect("a team of one countersigns its own");
    assert_eq!(alone.patrol_state(p.id).expect("state"), PatrolState::Sealed);
}
