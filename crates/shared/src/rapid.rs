//! 一键报警: a rapid report made with one tap on the phone, saved at once with the time and
//! the last position, and sent to the county ahead of everything else in the outbox. Not
//! signed: a volunteer in trouble does not stop for the signing password; the county knows
//! the phone by its token.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::observation::Spot;

/// What is happening.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RapidKind {
    /// 治安警情: a fight, a theft, a crime seen.
    Security,
    /// 火情.
    Fire,
    /// 伤病: someone hurt or ill.
    Injury,
    /// 可疑人员.
    Suspicious,
    /// 其他紧急情况.
    Other,
}

impl RapidKind {
    /// Every kind, in the order the phone offers them.
    pub const ALL: [RapidKind; 5] = [RapidKind::Security, RapidKind::Fire, RapidKind::Injury, RapidKind::Suspicious, RapidKind::Other];

    /// Its name in Chinese, as the phones and the county show it.
    pub fn zh(self) -> &'static str {
        match self {
            RapidKind::Security => "治安警情",
            RapidKind::Fire => "火情",
            RapidKind::Injury => "伤病",
            RapidKind::Suspicious => "可疑人员",
            RapidKind::Other => "其他紧急情况",
        }
    }

    /// The public number that answers it (110 police, 119 fire, 120 ambulance).
    pub fn emergency_number(self) -> &'static str {
        match self {
            RapidKind::Fire => "119",
            RapidKind::Injury => "120",
            RapidKind::Security | RapidKind::Suspicious | RapidKind::Other => "110",
        }
    }
}

/// A rapid report as the phone saves it and the county receives it (`RecordBody::Rapid`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RapidReport {
    /// What is happening. `what` on the wire: the record body's own tag is `kind`.
    #[serde(rename = "what")]
    pub kind: RapidKind,
    /// When the button was pressed.
    pub at: DateTime<Utc>,
    /// Who pressed it: the volunteer of the patrol being recorded, else the phone's name.
    pub reporter: String,
    /// The patrol being recorded then, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patrol: Option<Uuid>,
    /// The last position the phone had (at most 10 minutes old), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot: Option<Spot>,
}

/// A rapid report on the phone, with where it stands in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RapidEntry {
    /// Its id (UUIDv7), the record's id at the county.
    pub id: Uuid,
    /// The report.
    pub report: RapidReport,
    /// Where it stands in the outbox (待上传 until the county holds it; refused ones wait for
    /// 重新发送 on the sync page).
    pub state: crate::sync::OutboxState,
}

/// What the 一键报警 page needs besides the reports: whom to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RapidContacts {
    /// The team's leaders with a phone number on the county's roster: name and number.
    pub leaders: Vec<(String, String)>,
    /// Whether the phone is enrolled with a county: if not, reports stay on the phone.
    pub enrolled: bool,
}

/// Whether `number` can be dialled from a `tel:` link: 3 to 20 digits, an optional leading
/// `+`, and `-` or spaces between digits.
pub fn is_phone_number(number: &str) -> bool {
    let rest = number.strip_prefix('+').unwrap_or(number);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    (3..=20).contains(&digits)
        && rest.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.ends_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        for yes in ["110", "13800138000", "+86 138 0013 8000", "0851-1234567"] {
            assert!(is_phone_number(yes), "{yes}");
        }
        for no in ["", "12", "abc", "138-", "+", "1380013800012345678901", "138\n0013"] {
            assert!(!is_phone_number(no), "{no}");
        }
    }

    #[test]
    fn fire_calls_119_injury_120_the_rest_110() {
        let numbers: Vec<_> = RapidKind::ALL.iter().map(|k| k.emergency_number()).collect();
        assert_eq!(numbers, ["110", "119", "120", "110", "110"]);
    }
}
