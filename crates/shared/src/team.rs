//! The team roster (巡防队): who can turn up for a patrol and who signs.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who may change the team's settings (roster, duties, recorder and photo settings) on this
/// phone now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SettingsAccess {
    /// No leader has a password on this phone yet: the team is setting it up.
    Open,
    /// A leader unlocked them with their password until `until`.
    Unlocked {
        /// When they lock again by themselves.
        until: chrono::DateTime<chrono::Utc>,
        /// The leader who unlocked them.
        by: String,
    },
    /// Read-only until a leader unlocks them.
    Locked,
}

/// A member's role (DOMAIN.md, 2+2+X).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 队长: checks and countersigns the team's patrol logs.
    Leader,
    /// 平安守护志愿者 (红马甲).
    Volunteer,
    /// 巡防队员.
    Member,
    /// 网格员.
    GridWorker,
    /// 调解员.
    Mediator,
    /// 综治专干.
    Officer,
    /// 民警.
    Police,
    /// 辅警.
    AuxPolice,
    /// 值班人员.
    DutyStaff,
    /// 保安.
    Guard,
}

impl Role {
    /// Its name in Chinese, as the phones and the county show it.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Leader => "队长",
            Role::Volunteer => "平安志愿者",
            Role::Member => "巡防队员",
            Role::GridWorker => "网格员",
            Role::Mediator => "调解员",
            Role::Officer => "综治专干",
            Role::Police => "民警",
            Role::AuxPolice => "辅警",
            Role::DutyStaff => "值班人员",
            Role::Guard => "保安",
        }
    }

    /// Every role, in the order the UI offers them.
    pub const ALL: [Role; 10] = [
        Role::Leader,
        Role::Volunteer,
        Role::Member,
        Role::GridWorker,
        Role::Mediator,
        Role::Officer,
        Role::Police,
        Role::AuxPolice,
        Role::DutyStaff,
        Role::Guard,
    ];
}

/// A person on the team roster.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// UUIDv7.
    pub id: Uuid,
    /// Name as the team writes it.
    pub name: String,
    /// Role in the team.
    pub role: Role,
    /// Whether this member has a signing key on this device.
    pub has_key: bool,
    /// Whether the county's roster lists this member as confirmed. A person added on the
    /// phone is proposed to the county and shows as 待县平台确认 until a clerk confirms or
    /// merges them.
    pub confirmed: bool,
    /// Whether wrong PINs have locked this member's key on this phone (a leader lifts it).
    #[serde(default)]
    pub pin_locked: bool,
}

/// A leader lifts the lock that wrong PINs put on a member's key on this phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiftPinLock {
    /// The leader, with a key on this phone.
    pub leader_id: Uuid,
    /// The leader's PIN.
    pub leader_pin: String,
    /// Whose key is locked.
    pub member_id: Uuid,
}

/// A member changes their PIN: the old PIN unlocks the old key, which endorses the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePin {
    /// Whose.
    pub member_id: Uuid,
    /// The PIN now.
    pub old_pin: String,
    /// The new PIN, 4–8 digits.
    pub new_pin: String,
}

/// A member as entered on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMember {
    /// Name, 1–40 characters.
    pub name: String,
    /// Role in the team.
    pub role: Role,
}

/// A signing key's public half, as shown in settings (and sent to the county with the sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyInfo {
    /// Whose key.
    pub member_id: Uuid,
    /// Their name.
    pub name: String,
    /// Ed25519 public key, lowercase hex.
    pub public_key_hex: String,
}

/// What the county's enrolment QR code carries: its address and a one-time code, as
/// `redvest:enrol?server=<address>&code=<code>`. The phone's 连接县平台 screen fills both
/// from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolQr {
    /// The county's address, e.g. `http://10.1.2.3:8787`.
    pub server: String,
    /// The one-time enrolment code, e.g. `1234-5678-9012`.
    pub code: String,
}

impl EnrolQr {
    const PREFIX: &'static str = "redvest:enrol?";

    /// The text the QR code holds.
    pub fn to_text(&self) -> String {
        // The address and the code use no `&`, `=` or spaces: nothing to escape, and the
        // text stays short for a small QR code.
        format!("{}server={}&code={}", Self::PREFIX, self.server, self.code)
    }

    /// Reads a scanned text; `None` for anything else (a hand-over frame, another app's QR).
    pub fn parse(text: &str) -> Option<EnrolQr> {
        let query = text.trim().strip_prefix(Self::PREFIX)?;
        let (mut server, mut code) = (None, None);
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("server", v)) if v.starts_with("http://") || v.starts_with("https://") => server = Some(v.to_owned()),
                Some(("code", v)) if !v.is_empty() && v.len() <= 32 => code = Some(v.to_owned()),
                _ => {}
            }
        }
        Some(EnrolQr { server: server?, code: code? })
    }
}

#[cfg(test)]
mod enrol_qr_tests {
    use super::EnrolQr;

    #[test]
    fn the_enrolment_qr_reads_back_and_nothing_else_reads_as_one() {
        let qr = EnrolQr { server: "http://10.1.2.3:8787".into(), code: "1234-5678-9012".into() };
        assert_eq!(EnrolQr::parse(&qr.to_text()), Some(qr));
        assert_eq!(EnrolQr::parse("UR:BYTES/1-10/LPADBBCS"), None, "a hand-over frame");
        assert_eq!(EnrolQr::parse("redvest:enrol?server=ftp://x&code=1"), None, "not a web address");
        assert_eq!(EnrolQr::parse("redvest:enrol?server=http://x"), None, "no code");
    }
}
