//! The hand-over by QR between two phones with no signal: the volunteer's signed patrol goes
//! to the leader's phone as fountain-coded frames (some lost, out of order), is checked
//! against the roster's keys, countersigned, and the countersignature comes back the same
//! way; both phones then hold the sealed record.

use chrono::Utc;
use redvest_core::fixtures::{handwritten, submitted_patrol, Device};
use redvest_core::handover::{frames, payload, read_payload, Handover, Receiver};
use redvest_shared::handover::Received;
use redvest_core::{Error, Store};
use redvest_shared::patrol::PatrolState;
use redvest_shared::team::Role;
use redvest_shared::wire::{PullItem, PullPage, Published, RosterMember};
use redvest_shared::ErrorCode;
use uuid::Uuid;

/// The county's roster as the phones pulled it in town: 李强 leader, 王芳 volunteer, with the
/// keys the county had accepted by then.
fn roster(li: Uuid, wang: Uuid, li_keys: Vec<String>, wang_keys: Vec<String>) -> PullPage {
    let members = vec![
        RosterMember { id: li, name: "李强".into(), role: Role::Leader, pending: false, keys: li_keys, phone: None },
        RosterMember { id: wang, name: "王芳".into(), role: Role::Volunteer, pending: false, keys: wang_keys, phone: None },
    ];
    PullPage { items: vec![PullItem { seq: 1, body: Published::Roster { members, merged: vec![] } }], next: 1, more: false }
}

fn phone(li: Uuid, wang: Uuid, who: Uuid, pin: &str) -> Device {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().join("redvest.sqlite3")).expect("open");
    store.apply_pulled(&roster(li, wang, vec![], vec![])).expect("roster");
    store.create_key(who, pin, Utc::now()).expect("key");
    let (volunteer, leader) = (store.member(wang).expect("王芳"), store.member(li).expect("李强"));
    Device { store, volunteer, leader, dir }
}

/// Shows `h` as frames in a loop and scans it with a camera slower than the screen (it
/// catches one frame in 1.7, so it misses some and sees others again), until whole.
fn scan(h: &Handover) -> Handover {
    let bytes = payload(h).expect("payload");
    let f = frames(&bytes, 0).expect("frames");
    let shown = frames(&bytes, f.fragments * 4).expect("frames").parts;
    let mut rx = Receiver::default();
    for picture in 0..shown.len() * 20 {
        let part = &shown[(picture * 17 / 10) % shown.len()];
        if rx.receive(part).expect("a good frame").complete {
            return read_payload(&rx.payload().expect("adds up").expect("complete")).expect("reads");
        }
    }
    panic!("not whole after 20 loops of {} frames", shown.len());
}

#[test]
fn a_signed_patrol_goes_over_by_qr_is_countersigned_and_comes_back_sealed() {
    let (li, wang) = (Uuid::now_v7(), Uuid::now_v7());
    let v = phone(li, wang, wang, "2468");
    let l = phone(li, wang, li, "13579");
    let (patrol, _, _) = submitted_patrol(&v, (&v.volunteer, "2468"), &v.leader, 1, 120);

    // The leader's phone has not heard of her key: the record is refused by name.
    let signed = scan(&v.store.handover_signed(patrol).expect("handover"));
    let err = l.store.accept_handover(&signed, Utc::now()).expect_err("unknown key");
    assert!(matches!(err, Error::Invalid { code: ErrorCode::UnknownSigner, .. }), "{err:?}");
    assert!(l.store.today(Utc::now().fixed_offset()).expect("today").reviews.is_empty(), "nothing kept");

    // In town, both keys reached the county and both phones pulled the roster with them.
    let key = |d: &Device, who| d.store.public_keys().expect("keys").into_iter().find(|k| k.member_id == who).expect("key").public_key_hex;
    let town = roster(li, wang, vec![key(&l, li)], vec![key(&v, wang)]);
    l.store.apply_pulled(&town).expect("roster");
    v.store.apply_pulled(&town).expect("roster");
    assert_eq!(l.store.accept_handover(&signed, Utc::now()).expect("accepted"), Received::Review(patrol));
    let shown = l.store.review_detail(patrol).expect("detail");
    assert_eq!((shown.state, shown.record.observations.len()), (PatrolState::Submitted, 1));
    assert!(l.store.review_track(patrol).expect("track").0.is_empty(), "the track follows through the county");

    l.store.countersign_review(&handwritten(patrol, &l.leader, "13579"), Utc::now()).expect("countersign");
    let back = scan(&l.store.handover_countersigned(patrol).expect("handover"));
    assert_eq!(v.store.accept_handover(&back, Utc::now()).expect("accepted"), Received::Sealed(patrol));
    assert_eq!(v.store.patrol_state(patrol).expect("state"), PatrolState::Sealed);
    assert!(v.store.verify().expect("verify").is_empty(), "her chain and both signatures verify");
    assert_eq!(l.store.review_detail(patrol).expect("detail").state, PatrolState::Sealed, "his copy is sealed too");

    // Scanned twice: nothing waits for it any more, and nothing changes.
    let err = v.store.accept_handover(&back, Utc::now()).expect_err("once");
    assert!(matches!(err, Error::WrongState(_)), "{err:?}");
}

/// A countersignature by someone who is not a leader on the roster is refused.
#[test]
fn a_countersignature_by_a_volunteer_is_refused() {
    let (li, wang) = (Uuid::now_v7(), Uuid::now_v7());
    let v = phone(li, wang, wang, "2468");
    let (patrol, _, _) = submitted_patrol(&v, (&v.volunteer, "2468"), &v.leader, 0, 10);
    let Handover::Signed(s) = v.store.handover_signed(patrol).expect("handover") else { panic!("kind") };
    // Her own signature dressed up as a leader's.
    let forged = Handover::Countersigned(redvest_shared::wire::DecisionItem {
        patrol_id: patrol,
        record_hash: hex::encode(redvest_shared::seal::sha256(&[s.canonical.as_bytes()])),
        decision: redvest_shared::wire::Decision::Countersigned {
            signature: redvest_shared::wire::WireSignature { role: redvest_shared::patrol::SignerRole::Leader, ..s.signature },
        },
    });
    let err = v.store.accept_handover(&forged, Utc::now()).expect_err("refused");
    assert!(matches!(err, Error::NotAllowed(_)), "{err:?}");
    assert_eq!(v.store.patrol_state(patrol).expect("state"), PatrolState::Submitted);
}
