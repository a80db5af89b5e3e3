//! One team, many phones, on the phone's side: people added here are proposed to the county,
//! PINs can be set or changed at any time (the old key endorses the new one), and the
//! county's roster folds a proposal into the member it is the same person as.

use chrono::Utc;
use redvest_core::{Error, Store};
use redvest_shared::seal::{key_message, verifies};
use redvest_shared::sync::{OutboxKind, OutboxState};
use redvest_shared::team::{ChangePin, NewMember, Role};
use redvest_shared::wire::{MemberMerge, PullItem, PullPage, Published, Refusal, RosterMember};
use uuid::Uuid;

fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().join("redvest.sqlite3")).expect("open");
    (store, dir)
}

fn kinds(store: &Store) -> Vec<(OutboxKind, String)> {
    let mut items = store.outbox_due(OutboxKind::Member).expect("members");
    items.extend(store.outbox_due(OutboxKind::Key).expect("keys"));
    items.sort_by_key(|i| i.seq);
    items.into_iter().map(|i| (i.kind, i.reference)).collect()
}

fn roster(next: i64, members: Vec<RosterMember>, merged: Vec<MemberMerge>) -> PullPage {
    PullPage { items: vec![PullItem { seq: next, body: Published::Roster { members, merged } }], next, more: false }
}

#[test]
fn a_person_added_here_is_proposed_and_their_pin_goes_up_as_a_key_ahead_of_what_it_signs() {
    let (s, _dir) = store();
    let wang = s.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("add");
    assert!(!wang.confirmed, "not on the county's roster yet");
    let key = s.create_key(wang.id, "2468", Utc::now()).expect("PIN");
    assert_eq!(kinds(&s), vec![(OutboxKind::Member, wang.id.to_string()), (OutboxKind::Key, key.public_key_hex.clone())], "the person, then the key");
}

#[test]
fn changing_a_pin_needs_the_old_one_and_the_old_key_endorses_the_new() {
    let (s, _dir) = store();
    let wang = s.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("add");
    let first = s.create_key(wang.id, "2468", Utc::now()).expect("PIN");
    let err = s.create_key(wang.id, "1111", Utc::now()).expect_err("one key per person per phone");
    assert!(matches!(err, Error::WrongState(_)), "{err:?}");

    let wrong = s.change_pin(&ChangePin { member_id: wang.id, old_pin: "0000".into(), new_pin: "8642".into() }, Utc::now()).expect_err("wrong PIN");
    assert!(matches!(wrong, Error::WrongPin), "{wrong:?}");
    let bad = s.change_pin(&ChangePin { member_id: wang.id, old_pin: "2468".into(), new_pin: "86".into() }, Utc::now()).expect_err("short PIN");
    assert!(matches!(bad, Error::Invalid { field: "pin.new", .. }), "{bad:?}");

    let second = s.change_pin(&ChangePin { member_id: wang.id, old_pin: "2468".into(), new_pin: "8642".into() }, Utc::now()).expect("changed");
    assert_ne!(first.public_key_hex, second.public_key_hex);
    let keys = s.public_keys().expect("keys");
    assert_eq!(keys.len(), 1, "one current key per person on this phone");
    assert_eq!(keys[0].public_key_hex, second.public_key_hex);
    let again = s.change_pin(&ChangePin { member_id: wang.id, old_pin: "2468".into(), new_pin: "1357".into() }, Utc::now()).expect_err("the old PIN is gone");
    assert!(matches!(again, Error::WrongPin), "{again:?}");

    // The key record the county receives: the previous key and its endorsement.
    let conn = rusqlite::Connection::open(_dir.path().join("redvest.sqlite3")).expect("open");
    let (previous, endorsement): (Vec<u8>, Vec<u8>) = conn
        .query_row("SELECT previous_key, endorsement FROM key_record WHERE public_key = ?1", [hex::decode(&second.public_key_hex).expect("hex")], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("key record");
    assert_eq!(hex::encode(&previous), first.public_key_hex);
    let new_public = hex::decode(&second.public_key_hex).expect("hex");
    assert!(verifies(&previous, &key_message(wang.id, &new_public), &endorsement), "the old key signed the new one");
    assert!(!verifies(&previous, &key_message(Uuid::now_v7(), &new_public), &endorsement), "for this member only");
    assert_eq!(kinds(&s).iter().filter(|(k, _)| *k == OutboxKind::Key).count(), 2, "both keys go to the county, in order");
}

#[test]
fn the_countys_roster_folds_a_proposal_into_its_member_and_lets_held_records_go() {
    let (s, _dir) = store();
    let local = s.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("add");
    let key = s.create_key(local.id, "13579", Utc::now()).expect("PIN");
    s.mark_outbox(OutboxKind::Key, &key.public_key_hex, OutboxState::Sent, None, Utc::now()).expect("sent");
    s.hold_outbox(OutboxKind::Member, &local.id.to_string(), Refusal::NotLeader, "not confirmed", Utc::now()).expect("hold");
    assert_eq!(s.outbox_waiting().expect("waiting").len(), 1);

    // The county lists its own 李强 and this phone's proposal, pending.
    let county_li = Uuid::now_v7();
    let m = |id, pending| RosterMember { id, name: "李强".into(), role: Role::Leader, pending, keys: vec![], phone: None };
    let applied = s.apply_pulled(&roster(1, vec![m(county_li, false), m(local.id, true)], vec![])).expect("apply");
    assert_eq!(applied.released, 1, "a roster change lets held records try again");
    assert_eq!(s.list_members().expect("members").len(), 2, "both entries until the clerk decides");

    // The clerk merges the proposal into the county's 李强.
    let applied = s.apply_pulled(&roster(2, vec![m(county_li, false)], vec![MemberMerge { from: local.id, into: county_li }])).expect("apply");
    assert_eq!(applied.items, 1);
    let members = s.list_members().expect("members");
    assert_eq!(members.len(), 1, "one 李强: {members:?}");
    assert_eq!(members[0].id, county_li);
    assert!(members[0].confirmed && members[0].has_key, "the county's member holds the phone's key");
    assert_eq!(s.public_keys().expect("keys")[0].public_key_hex, key.public_key_hex);

    // The same page again changes nothing.
    assert_eq!(s.apply_pulled(&roster(3, vec![m(county_li, false)], vec![MemberMerge { from: local.id, into: county_li }])).expect("apply").released, 0);
}
