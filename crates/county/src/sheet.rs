//! A patrol as the console shows it and the bound volume prints it: the record read from its
//! signed bytes, the checklist by domain in catalog order, the findings in words, the
//! signatures, the track drawn, and the verification of signatures and chain link in words.
//! One reading for both, so the screen and the paper never disagree.

use redvest_shared::checklist::{group_answers, CheckDomain, CheckOutcome, CheckResult, ChecklistItem, CATALOG_V1};
use redvest_shared::observation::Observation;
use redvest_shared::patrol::{PatrolRecord, Presence, PATROL_RECORD_V1};
use redvest_shared::seal::{countersign_message, sha256, verifies};
use redvest_shared::track::TrackPoint;
use redvest_shared::wire::WireSignature;
use uuid::Uuid;

use crate::admin::{self, Before, ChainProblem};
use crate::beijing::format as beijing;
use crate::db::{ChainPlace, KnownKey, PatrolPageRow};

/// One line of verification: whether it holds, in words.
#[derive(Debug, Clone)]
pub struct Line {
    /// It holds.
    pub ok: bool,
    /// What was checked and found.
    pub text: String,
}

/// A handwritten signature with who and when.
#[derive(Debug, Clone)]
pub struct Signature {
    /// 巡查人 or 队长.
    pub role: &'static str,
    /// Their name, from the record's attendance.
    pub name: String,
    /// When (Beijing).
    pub at: String,
    /// The drawn signature, PNG as base64.
    pub png_base64: String,
}

/// A finding in words with its photos.
#[derive(Debug, Clone)]
pub struct Finding {
    /// 隐患, 矛盾纠纷, …
    pub kind: &'static str,
    /// What, where, what was done.
    pub text: String,
    /// The photos' SHA-256 (hex), in the order they were taken.
    pub photos: Vec<String>,
}

/// The track as drawn (SVG coordinates, no map tiles).
#[derive(Debug, Clone)]
pub enum Track {
    /// None recorded, or not at the county yet.
    None,
    /// Its bytes do not read.
    Unreadable,
    /// Drawn in a 720 × 420 box: segments (SVG `points`), start, end, fixes, metres walked.
    Drawn { segments: Vec<String>, start: (String, String), end: (String, String), fixes: usize, metres: f64 },
}

impl Track {
    /// Reads a base64 `RVTK` track.
    pub fn read(rvtk: Option<&str>) -> Track {
        let Some(b64) = rvtk else { return Track::None };
        let points: Option<Vec<TrackPoint>> = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64)
            .ok()
            .and_then(|bytes| redvest_shared::track_codec::decode(&bytes).ok());
        match points.as_deref().and_then(|p| redvest_shared::track::draw(p, 720.0, 420.0, 16.0).map(|d| (d, p))) {
            Some((d, p)) => Track::Drawn {
                segments: d.segments,
                start: (format!("{:.1}", d.start.0), format!("{:.1}", d.start.1)),
                end: (format!("{:.1}", d.end.0), format!("{:.1}", d.end.1)),
                fixes: p.len(),
                metres: redvest_shared::track::distance_within_segments(p),
            },
            None => Track::Unreadable,
        }
    }

    /// The drawing as a standalone SVG document (the patrol's page shows it, the volume
    /// prints it), if there is one.
    pub fn svg(&self) -> Option<String> {
        let Track::Drawn { segments, start, end, fixes, .. } = self else { return None };
        let lines: String = segments
            .iter()
            .map(|pts| format!(r##"<polyline class="track-line" points="{pts}" fill="none" stroke="#c8102e" stroke-width="3" stroke-linejoin="round"/>"##))
            .collect();
        Some(format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="track-svg" viewBox="0 0 720 420" width="720" height="420" role="img" aria-label="巡查轨迹,{fixes} 个定位点"><rect width="720" height="420" fill="#f3f0ec"/>{lines}<circle cx="{}" cy="{}" r="7" fill="#1b7a3a"/><circle cx="{}" cy="{}" r="7" fill="#111"/></svg>"##,
            start.0, start.1, end.0, end.1
        ))
    }

    /// The line under the drawing.
    pub fn caption(&self) -> String {
        match self {
            Track::Drawn { segments, fixes, metres, .. } => {
                format!("{fixes} 个定位点,{} 段,{:.2} 公里(段与段之间是没有信号的间断)。绿点起点,黑点终点。", segments.len(), metres / 1000.0)
            }
            Track::Unreadable => "轨迹数据无法读取,请联系维护人员。".into(),
            Track::None => "没有轨迹,或尚未收到。".into(),
        }
    }
}

/// A patrol read for people.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The signed content.
    pub record: PatrolRecord,
    /// SHA-256 of the signed bytes.
    pub hash: [u8; 32],
    /// Attendance: name, role, 到岗/迟到/缺勤, reason.
    pub attendance: Vec<(String, &'static str, &'static str, String)>,
    /// Checklist answers by domain in catalog order: (domain, [(item text, outcome)]).
    pub checks: Vec<(&'static str, Vec<(String, &'static str)>)>,
    /// Findings in words.
    pub findings: Vec<Finding>,
    /// Volunteer's, then leader's signature.
    pub signatures: Vec<Signature>,
    /// Signatures and the chain link, checked.
    pub verification: Vec<Line>,
    /// The track.
    pub track: Track,
}

fn outcome_zh(outcome: CheckOutcome) -> &'static str {
    match outcome {
        CheckOutcome::Normal => "正常",
        CheckOutcome::Problem => "发现问题",
        CheckOutcome::NotApplicable => "不适用",
    }
}

fn finding(o: &Observation) -> (&'static str, String) {
    match o {
        Observation::Hazard(h) => {
            let spot = h.spot.map_or_else(String::new, |s| format!(" · 手机定位:{:.5}, {:.5}(±{} 米)", s.lat(), s.lon(), s.accuracy_m));
            ("隐患", format!("{}(程度:{})· 地点:{}{spot}", h.description, h.severity.zh(), h.place))
        }
        Observation::Dispute { summary, place, handed_to_village } => {
            ("矛盾纠纷", format!("{summary} · 地点:{place}{}", if *handed_to_village { " · 已移交村(社区)" } else { "" }))
        }
        Observation::Sighting { description, place, passed_to_police, .. } => {
            ("可疑情况", format!("{description} · 地点:{place}{}", if *passed_to_police { " · 已报告派出所" } else { "" }))
        }
        Observation::HouseVisit { household, people_met, notes } => ("入户走访", format!("{household} · 见到 {people_met} 人 · {notes}")),
        Observation::Outreach { audience, notes, .. } => ("宣传", format!("受众 {audience} 人 · {notes}")),
    }
}

/// Checklist answers grouped by domain, in catalog order, by the items' text; a code the
/// county's catalog (version 1) does not know is shown as it is, under 其他.
fn checks(answers: &[CheckResult]) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let catalog: Vec<(u32, ChecklistItem)> = CATALOG_V1
        .iter()
        .map(|(code, domain, text)| (1, ChecklistItem { code: (*code).into(), domain: *domain, text_zh: (*text).into(), text_en: (*text).into(), phrases_zh: Vec::new(), phrases_en: Vec::new() }))
        .collect();
    group_answers(answers, &catalog)
        .into_iter()
        .map(|g| (g.domain.map_or("其他", CheckDomain::zh), g.items.into_iter().map(|i| (i.text_zh, outcome_zh(i.outcome))).collect()))
        .collect()
}

impl Sheet {
    /// Reads a patrol row; `keys` are its team's signing keys. `None` when the signed bytes
    /// do not read as a record (shown as a problem, never as an empty patrol).
    pub fn read(row: &PatrolPageRow, keys: &[KnownKey]) -> Option<Sheet> {
        let record: PatrolRecord = serde_json::from_slice(row.canonical.as_bytes().strip_prefix(PATROL_RECORD_V1)?).ok()?;
        let hash = sha256(&[row.canonical.as_bytes()]);
        let volunteer: Option<WireSignature> = serde_json::from_value(row.volunteer.clone()).ok();
        let leader: Option<WireSignature> = row.leader.clone().and_then(|l| serde_json::from_value(l).ok());
        // The key the county accepted for this signer (the member the phone named, or the one
        // a clerk merged that proposal into), if the signature verifies with it.
        let checked = |sig: &WireSignature, message: &[u8]| {
            let public = hex::decode(&sig.public_key).unwrap_or_default();
            keys.iter()
                .find(|k| k.public_key == public && (k.signer_id == sig.member_id || k.member_id == sig.member_id))
                .filter(|_| verifies(&public, message, &hex::decode(&sig.signature).unwrap_or_default()))
        };
        // A key revoked later does not undo what the county accepted while it was valid (the
        // county refuses a revoked key's signatures when they arrive).
        let valid = |who: &str, key: &KnownKey| match key.revoked_at {
            None => Line { ok: true, text: format!("{who}有效(县平台登记的密钥)") },
            Some(at) => Line { ok: true, text: format!("{who}有效(收到时密钥有效;该密钥已于 {} 作废)", beijing(at)) },
        };
        let mut verification = vec![Line { ok: true, text: format!("内容哈希 {}…,与签名时一致", &hex::encode(hash)[..16]) }];
        let volunteer_sig = volunteer.as_ref().map(|v| hex::decode(&v.signature).unwrap_or_default()).unwrap_or_default();
        match volunteer.as_ref().and_then(|v| checked(v, &hash)) {
            Some(key) => verification.push(valid("巡查人签名", key)),
            None => verification.push(Line { ok: false, text: "巡查人签名无效或密钥未登记".into() }),
        }
        match &leader {
            Some(l) => match checked(l, &countersign_message(&hash, &volunteer_sig)) {
                Some(key) => verification.push(valid("队长复核签名", key)),
                None => verification.push(Line { ok: false, text: "队长复核签名无效或密钥未登记".into() }),
            },
            None => verification.push(Line { ok: true, text: "尚待队长复核签字".into() }),
        }
        verification.push(match &row.chain {
            Some(c) => {
                let (ok, text) = c.check(row.id, &hash);
                Line { ok, text }
            }
            None => Line { ok: true, text: "巡查人手机的装订记录尚未收到".into() },
        });
        let name_of = |member: Uuid| record.attendance.iter().find(|a| a.member_id == Some(member)).map(|a| a.name.clone()).unwrap_or_default();
        let signatures = [("巡查人", volunteer.as_ref()), ("队长", leader.as_ref())]
            .into_iter()
            .filter_map(|(role, s)| s.map(|s| (role, s)))
            .map(|(role, s)| Signature { role, name: name_of(s.member_id), at: beijing(s.signed_at), png_base64: s.handwriting_png.clone() })
            .collect();
        Some(Sheet {
            attendance: record
                .attendance
                .iter()
                .map(|a| {
                    let presence = match a.presence {
                        Presence::Present => "到岗",
                        Presence::Late => "迟到",
                        Presence::Absent => "缺勤",
                    };
                    (a.name.clone(), a.role.zh(), presence, a.reason.clone())
                })
                .collect(),
            checks: checks(&record.checks),
            findings: record
                .observations
                .iter()
                .map(|o| {
                    let (kind, text) = finding(&o.body);
                    Finding { kind, text, photos: o.photos.iter().map(|p| p.sha256.clone()).collect() }
                })
                .collect(),
            signatures,
            verification,
            track: Track::read(row.track_rvtk.as_deref()),
            hash,
            record,
        })
    }

    /// Whether every line of the verification holds.
    pub fn verified(&self) -> bool {
        self.verification.iter().all(|l| l.ok)
    }
}

impl ChainPlace {
    /// Whether the link follows from its record and from the link the county holds before it
    /// (32 zero bytes for the first), by [`admin::check_place`]; in words. A place whose
    /// predecessor the county does not hold cannot be shown to join: not passed, and said why.
    pub fn check(&self, id: Uuid, hash: &[u8; 32]) -> (bool, String) {
        let seq = self.seq;
        let before = match (seq, self.held_before.as_deref()) {
            (1, _) => Before::Start,
            (_, Some(link)) => Before::Held(link),
            (_, None) => Before::Unknown,
        };
        let problems = admin::check_place(before, self.prev.as_deref(), &self.link, id, Some(hash));
        if problems.contains(&ChainProblem::RecordAltered) {
            return (false, format!("装订链第 {seq} 条,链接与内容不符"));
        }
        if problems.contains(&ChainProblem::DoesNotFollow) {
            return (false, if seq == 1 { "装订链第 1 条,起点不是全零".into() } else { format!("装订链第 {seq} 条,与第 {} 条接不上", seq - 1) });
        }
        match before {
            Before::Start => (true, "装订链第 1 条,链接有效".into()),
            Before::Held(_) => (true, format!("装订链第 {seq} 条,链接有效,与第 {} 条相接", seq - 1)),
            Before::Unknown if self.refused_before => (false, format!("装订链第 {seq} 条,链接有效;第 {} 条被县平台拒收,无法核验衔接", seq - 1)),
            Before::Unknown => (false, format!("装订链第 {seq} 条,链接有效;第 {} 条县平台尚未收到,无法核验衔接", seq - 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redvest_shared::seal::chain_link;

    /// A place with its link computed from `prev`, and the link held before it.
    fn place(seq: i64, prev: [u8; 32], held_before: Option<[u8; 32]>, refused_before: bool, id: Uuid, hash: &[u8; 32]) -> ChainPlace {
        ChainPlace { seq, prev: Some(prev.to_vec()), link: chain_link(&prev, id, hash).to_vec(), held_before: held_before.map(|h| h.to_vec()), refused_before, device: "手机1".into() }
    }

    #[test]
    fn a_hazard_reads_with_the_phone_position_beside_the_place() {
        use redvest_shared::checklist::CheckDomain;
        use redvest_shared::observation::{Handling, HazardReport, Severity, Spot};
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 0).expect("time");
        let mut h = HazardReport {
            domain: CheckDomain::FireSafety,
            item: None,
            description: "消防通道堵塞".into(),
            severity: Severity::Medium,
            place: "集市东口".into(),
            spot: None,
            handling: Handling::FixedOnSpot,
        };
        assert_eq!(finding(&Observation::Hazard(h.clone())).1, "消防通道堵塞(程度:较大)· 地点:集市东口");
        h.spot = Some(Spot::new(29.93214, 107.88123, 11.2, at));
        assert_eq!(finding(&Observation::Hazard(h)).1, "消防通道堵塞(程度:较大)· 地点:集市东口 · 手机定位:29.93214, 107.88123(±12 米)");
    }

    #[test]
    fn a_chain_place_passes_only_when_it_joins_what_the_county_holds() {
        let (id, hash) = (Uuid::now_v7(), [7u8; 32]);
        let before = [3u8; 32];
        assert_eq!(place(1, [0; 32], None, false, id, &hash).check(id, &hash), (true, "装订链第 1 条,链接有效".into()));
        assert!(!place(1, before, None, false, id, &hash).check(id, &hash).0, "a first link follows zeros");
        assert_eq!(place(5, before, Some(before), false, id, &hash).check(id, &hash), (true, "装订链第 5 条,链接有效,与第 4 条相接".into()));
        assert_eq!(place(5, before, Some([4; 32]), false, id, &hash).check(id, &hash), (false, "装订链第 5 条,与第 4 条接不上".into()));
        assert_eq!(place(5, before, Some(before), false, id, &hash).check(id, &[8; 32]), (false, "装订链第 5 条,链接与内容不符".into()));
        let (ok, text) = place(5, before, None, false, id, &hash).check(id, &hash);
        assert!(!ok && text.contains("第 4 条县平台尚未收到"), "{text}");
        let (ok, text) = place(5, before, None, true, id, &hash).check(id, &hash);
        assert!(!ok && text.contains("第 4 条被县平台拒收"), "{text}");
    }
}
