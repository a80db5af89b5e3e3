//! What a patrol records besides attendance and the checklist: hazards, disputes,
//! sightings, house visits and outreach (seed 004, 002, 001).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checklist::CheckDomain;
use crate::photo::Photo;

/// How serious a hazard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 一般.
    Low,
    /// 较大.
    Medium,
    /// 重大.
    High,
}

impl Severity {
    /// Its name in Chinese, as the phones and the county show it.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Low => "一般",
            Severity::Medium => "较大",
            Severity::High => "重大",
        }
    }
}

/// Where an escalated hazard went (上报).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalateTo {
    /// 综治中心 (township centre).
    Centre,
    /// 县/区委政法委.
    County,
}

/// How a hazard was handled when found (seed 001: fix on the spot, else a deadline plan,
/// else escalate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Handling {
    /// 当场整改.
    FixedOnSpot,
    /// 限期整改: a responsible person and unit, and a deadline.
    Rectify {
        /// 责任人.
        responsible: String,
        /// 责任单位.
        unit: String,
        /// 整改期限.
        deadline: NaiveDate,
    },
    /// 上报.
    Escalated {
        /// To whom.
        to: EscalateTo,
    },
}

/// Where the phone was when the volunteer tapped 用我的位置: the newest fix of the patrol's
/// track, kept beside the typed place. Whole 1e-7 degrees (≈ 1 cm), so the signed bytes have
/// one spelling.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spot {
    /// Latitude, 1e-7 degrees (WGS 84).
    pub lat_e7: i32,
    /// Longitude, 1e-7 degrees (WGS 84).
    pub lon_e7: i32,
    /// Horizontal accuracy (radius), whole metres, rounded up.
    pub accuracy_m: u32,
    /// When the fix was taken.
    pub at: DateTime<Utc>,
}

impl Spot {
    /// From a fix's degrees and accuracy.
    pub fn new(lat: f64, lon: f64, accuracy_m: f64, at: DateTime<Utc>) -> Self {
        // `as` saturates: an out-of-range input becomes an implausible spot, refused on saving.
        let e7 = |deg: f64| (deg * 1e7).round() as i32;
        Self { lat_e7: e7(lat), lon_e7: e7(lon), accuracy_m: accuracy_m.max(0.0).ceil() as u32, at }
    }

    /// Latitude in degrees.
    pub fn lat(&self) -> f64 {
        f64::from(self.lat_e7) / 1e7
    }

    /// Longitude in degrees.
    pub fn lon(&self) -> f64 {
        f64::from(self.lon_e7) / 1e7
    }

    /// On the earth, and not the zeroed position a location source gives when it has none.
    pub fn is_plausible(&self) -> bool {
        self.lat_e7.unsigned_abs() <= 900_000_000 && self.lon_e7.unsigned_abs() <= 1_800_000_000 && (self.lat_e7, self.lon_e7) != (0, 0)
    }
}

/// 隐患: a hazard found on patrol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardReport {
    /// The domain it belongs to.
    pub domain: CheckDomain,
    /// The checklist item it answers, if any.
    pub item: Option<String>,
    /// What is wrong.
    pub description: String,
    /// How serious.
    pub severity: Severity,
    /// Where.
    pub place: String,
    /// Where the phone was (用我的位置), if the volunteer asked for it. Absent from the bytes
    /// when not given, so reports signed before it existed verify unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot: Option<Spot>,
    /// What was done.
    pub handling: Handling,
}

/// What kind of thing a sighting was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SightingSubject {
    /// 可疑人员.
    Person,
    /// 可疑车辆.
    Vehicle,
    /// 可疑物品.
    Item,
}

/// What kind of outreach was done (边巡边宣).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutreachKind {
    /// 发放传单.
    Leaflets,
    /// 宣讲.
    Talk,
    /// 广播喇叭.
    Loudspeaker,
}

/// One observation's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Observation {
    /// 隐患.
    Hazard(HazardReport),
    /// 矛盾纠纷: kept to the least that does the job (no names of the parties).
    Dispute {
        /// What the dispute is about.
        summary: String,
        /// Where.
        place: String,
        /// Whether it was handed to the village to mediate.
        handed_to_village: bool,
    },
    /// 可疑人员/车辆/物品.
    Sighting {
        /// Person, vehicle or item.
        subject: SightingSubject,
        /// What was seen.
        description: String,
        /// Where.
        place: String,
        /// Whether it was passed to the police.
        passed_to_police: bool,
    },
    /// 入户走访.
    HouseVisit {
        /// The household (e.g. house number or head of household).
        household: String,
        /// How many people were met.
        people_met: u32,
        /// Notes.
        notes: String,
    },
    /// 宣传.
    Outreach {
        /// Leaflets, talk or loudspeaker.
        kind: OutreachKind,
        /// Roughly how many people were reached.
        audience: u32,
        /// Notes.
        notes: String,
    },
}

/// An observation stored in a patrol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationEntry {
    /// UUIDv7.
    pub id: Uuid,
    /// Its content.
    pub body: Observation,
    /// The hazard register entry it opened, for hazards.
    pub hazard_id: Option<Uuid>,
    /// Its photos, in the order they were added. Left out of the JSON when there are none,
    /// so records without photos keep their v1 canonical bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_without_a_spot_keeps_the_bytes_it_had() {
        let report = HazardReport {
            domain: CheckDomain::FireSafety,
            item: None,
            description: "消防通道堵塞".into(),
            severity: Severity::Low,
            place: "集市".into(),
            spot: None,
            handling: Handling::FixedOnSpot,
        };
        let before = r#"{"domain":"fire_safety","item":null,"description":"消防通道堵塞","severity":"low","place":"集市","handling":{"kind":"fixed_on_spot"}}"#;
        assert_eq!(serde_json::to_string(&report).expect("json"), before);
        assert_eq!(serde_json::from_str::<HazardReport>(before).expect("old bytes read"), report);
    }
}
