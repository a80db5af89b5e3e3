//! The team roster (巡防队): who can turn up for a patrol and who signs.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
