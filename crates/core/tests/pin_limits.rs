//! Wrong PINs on a phone: three free tries, then each next one waits longer, and after ten
//! the key is locked — even the right PIN is refused — until a leader lifts the lock with
//! their own PIN. A right PIN clears the count.

use chrono::{Duration, Utc};
use redvest_core::fixtures::device;
use redvest_core::Error;
use redvest_shared::team::{ChangePin, LiftPinLock};

#[test]
fn wrong_pins_wait_then_lock_until_a_leader_lifts_the_lock() {
    let d = device();
    // After the fixture made the keys (at the real clock): the lock is newer than them.
    let mut now = Utc::now() + Duration::minutes(1);
    let change = |old: &str| ChangePin { member_id: d.volunteer.id, old_pin: old.into(), new_pin: "2468".into() };
    for _ in 0..3 {
        assert!(matches!(d.store.change_pin(&change("0000"), now), Err(Error::WrongPin)));
    }
    // The fourth try must wait, whatever the PIN; a clock set back does not make it longer.
    assert!(matches!(d.store.change_pin(&change("2468"), now), Err(Error::PinWait(30))));
    assert!(matches!(d.store.change_pin(&change("2468"), now - Duration::days(400)), Err(Error::PinWait(30))), "counted from the new now, no longer");
    let mut waited = 0;
    loop {
        now += Duration::seconds(901);
        match d.store.change_pin(&change("1111"), now) {
            Err(Error::WrongPin) => waited += 1,
            Err(Error::PinLocked(name)) => {
                assert_eq!(name, "王芳");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(waited, 6, "tries 4 to 9 wait and fail; the tenth locks");
    now += Duration::days(1);
    assert!(matches!(d.store.change_pin(&change("2468"), now), Err(Error::PinLocked(_))), "locked: even the right PIN");
    assert!(d.store.list_members().expect("members").iter().any(|m| m.name == "王芳" && m.pin_locked), "the settings page shows the lock");

    // Only a leader, with their own right PIN, lifts it.
    let lift = |leader_pin: &str| LiftPinLock { leader_id: d.leader.id, leader_pin: leader_pin.into(), member_id: d.volunteer.id };
    assert!(matches!(d.store.lift_pin_lock(&lift("0000"), now), Err(Error::WrongPin)));
    let by_herself = LiftPinLock { leader_id: d.volunteer.id, leader_pin: "2468".into(), member_id: d.volunteer.id };
    assert!(matches!(d.store.lift_pin_lock(&by_herself, now), Err(Error::NotAllowed(_))));
    // A 队长 added on the phone after the lock, with a PIN set for the purpose, does not count.
    // Adding one takes a leader's password in the first place (the settings are locked).
    let zhao = redvest_shared::team::NewMember { name: "赵刚".into(), role: redvest_shared::team::Role::Leader };
    assert!(matches!(d.store.add_member(&zhao), Err(Error::SettingsLocked)));
    d.store.unlock_settings(d.leader.id, "13579", now).expect("the leader unlocks the settings");
    let newcomer = d.store.add_member(&zhao).expect("add");
    d.store.create_key(newcomer.id, "8642", now).expect("key");
    let by_newcomer = LiftPinLock { leader_id: newcomer.id, leader_pin: "8642".into(), member_id: d.volunteer.id };
    assert!(matches!(d.store.lift_pin_lock(&by_newcomer, now), Err(Error::NotAllowed(_))), "a key newer than the lock");
    d.store.lift_pin_lock(&lift("13579"), now).expect("lifted");
    d.store.change_pin(&change("2468"), now).expect("her right PIN works again");
    // The leader's one wrong PIN was cleared by their right one; hers by hers.
    assert!(d.store.list_members().expect("members").iter().all(|m| !m.pin_locked));
}
