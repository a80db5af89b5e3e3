//! The team's settings on this phone — the roster, the duties, the recorder's thresholds and
//! the photo settings — change only with a leader's password once a leader has a signing key
//! here. Before that the team is still setting the phone up and everything is open. The UI
//! shows them read-only to a volunteer; the core refuses the change whatever the UI does.

use chrono::{DateTime, Duration, Utc};
use redvest_shared::team::{Role, SettingsAccess};
use uuid::Uuid;

use crate::{Error, Result, Store};

/// How long a leader's password keeps the settings open: long enough to add a member and a
/// duty, short enough that a phone handed back is locked again soon.
pub const UNLOCKED_FOR: Duration = Duration::minutes(10);

impl Store {
    /// Who may change the team's settings now.
    pub fn settings_access(&self, now: DateTime<Utc>) -> Result<SettingsAccess> {
        let leader_has_key: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM signer_key k JOIN member m ON m.id = k.member_id WHERE m.role = 'leader' AND m.merged_into IS NULL)",
            [],
            |r| r.get(0),
        )?;
        if !leader_has_key {
            return Ok(SettingsAccess::Open);
        }
        Ok(match &*self.unlocked() {
            Some((until, by)) if now < *until => SettingsAccess::Unlocked { until: *until, by: by.clone() },
            _ => SettingsAccess::Locked,
        })
    }

    /// A leader's password opens the settings for [`UNLOCKED_FOR`]. Wrong passwords count
    /// towards the leader's PIN lock, as when signing.
    pub fn unlock_settings(&self, leader: Uuid, pin: &str, now: DateTime<Utc>) -> Result<SettingsAccess> {
        let member = self.member(leader)?;
        if member.role != Role::Leader {
            return Err(Error::NotAllowed("only a team leader's password opens the settings".into()));
        }
        self.unlock(leader, pin, now)?;
        *self.unlocked() = Some((now + UNLOCKED_FOR, member.name));
        self.settings_access(now)
    }

    /// Locks the settings again before the time is up.
    pub fn lock_settings(&self) {
        *self.unlocked() = None;
    }

    /// Refuses a change to the team's settings unless they are open or unlocked now.
    pub(crate) fn may_change_settings(&self) -> Result<()> {
        self.may_change_settings_at(Utc::now())
    }

    fn may_change_settings_at(&self, now: DateTime<Utc>) -> Result<()> {
        match self.settings_access(now)? {
            SettingsAccess::Locked => Err(Error::SettingsLocked),
            SettingsAccess::Open | SettingsAccess::Unlocked { .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use redvest_shared::team::{NewMember, Role, SettingsAccess};

    use super::UNLOCKED_FOR;
    use crate::{Error, Store};

    #[test]
    fn a_leaders_password_opens_the_settings_for_a_while() {
        let store = Store::open_in_memory().expect("open");
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 20, 0, 0).single().expect("time");
        let wang = store.add_member(&NewMember { name: "王芳".into(), role: Role::Volunteer }).expect("open while setting up");
        let li = store.add_member(&NewMember { name: "李强".into(), role: Role::Leader }).expect("open while setting up");
        let zhao = store.add_member(&NewMember { name: "赵敏".into(), role: Role::Leader }).expect("open while setting up");
        store.create_key(wang.id, "2468", now).expect("key");
        assert_eq!(store.settings_access(now).expect("access"), SettingsAccess::Open, "a volunteer's key does not lock");
        store.create_key(li.id, "1357", now).expect("key");
        assert_eq!(store.settings_access(now).expect("access"), SettingsAccess::Locked);
        let err = store.add_member(&NewMember { name: "张三".into(), role: Role::Volunteer }).expect_err("locked");
        assert!(matches!(err, Error::SettingsLocked), "{err:?}");

        assert!(matches!(store.unlock_settings(wang.id, "2468", now), Err(Error::NotAllowed(_))), "a volunteer cannot open them");
        assert!(matches!(store.unlock_settings(li.id, "9999", now), Err(Error::WrongPin)));
        let open = store.unlock_settings(li.id, "1357", now).expect("unlock");
        assert_eq!(open, SettingsAccess::Unlocked { until: now + UNLOCKED_FOR, by: "李强".into() });
        store.may_change_settings_at(now + UNLOCKED_FOR - chrono::Duration::seconds(1)).expect("still open");
        assert!(matches!(store.may_change_settings_at(now + UNLOCKED_FOR), Err(Error::SettingsLocked)), "closed when the time is up");
        store.lock_settings();
        assert_eq!(store.settings_access(now).expect("access"), SettingsAccess::Locked, "locked by hand");
        // Nor can whoever holds the phone give a second leader a password to unlock with.
        assert!(matches!(store.create_key(zhao.id, "8642", now), Err(Error::SettingsLocked)));
    }
}
