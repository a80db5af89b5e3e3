//! The bound 巡查日志 (装订成册): one PDF per team and month, as the paper system kept for
//! inspection. Its records are the team's countersigned patrols that started in the month
//! (Beijing), in the order they started, each read by [`crate::sheet`] exactly as the
//! console's patrol page reads it; the closing page lists each record's hash and chain link
//! and the result of verifying them. The same records give the same bytes.

use std::collections::HashMap;

use redvest_print::{ChainRow, Finding, Record, SignatureImage, Volume};
use uuid::Uuid;

use crate::beijing::{self, format as beijing};
use crate::console::assignment_zh;
use crate::db::{DbError, TeamRow};
use crate::report::Period;
use crate::sheet::Sheet;
use crate::Db;

/// Long edge of a photo's thumbnail, pixels (about 3.9 cm wide at 250 dpi).
const THUMBNAIL_PX: u32 = 400;

/// Why a volume was not made.
#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    /// The month is not written as `2026-11`.
    #[error("{0}")]
    Month(String),
    /// No such team in the clerk's scope.
    #[error("no team {0} (or it is not in your township)")]
    NoTeam(String),
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The photo store.
    #[error("reading a photo: {0}")]
    Photos(String),
}

/// The month a volume binds: `2026-11`.
pub fn month(text: &str) -> Result<Period, VolumeError> {
    let period = Period::parse(text).map_err(VolumeError::Month)?;
    if period.key() != text.trim() || period.key().len() != 7 {
        return Err(VolumeError::Month(format!("{:?} is not a month: a volume binds one month, written 2026-11", text.trim())));
    }
    Ok(period)
}

/// The team a clerk named: its id, or its exact name; within `scope` (`None`: every township).
pub async fn team(db: &Db, named: &str, scope: Option<Uuid>) -> Result<TeamRow, VolumeError> {
    let teams = db.team_rows(scope, Uuid::parse_str(named.trim()).ok()).await?;
    teams.into_iter().find(|t| t.id.to_string() == named.trim() || t.name == named.trim()).ok_or_else(|| VolumeError::NoTeam(named.trim().to_owned()))
}

/// Gathers the team's month: records, signatures, tracks, thumbnails, chain.
pub async fn build(db: &Db, team: &TeamRow, month: &Period) -> Result<Volume, VolumeError> {
    let from = beijing::day_start(month.first);
    let until = beijing::day_start(month.last + chrono::Duration::days(1));
    let (rows, unsealed) = db.volume_patrols(team.id, from, until).await?;
    let keys = db.team_keys(team.id).await?;
    let township = team.township.clone().unwrap_or_else(|| "(未划入乡镇)".into());
    let mut volume = Volume::new(format!("{} 巡查日志 {}", team.name, month.label), team.name.clone(), format!("redvest-volume/{}/{}", team.id, month.key()));
    let sheets: Vec<Option<Sheet>> = rows.iter().map(|r| Sheet::read(r, &keys)).collect();
    let number: HashMap<Uuid, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i + 1)).collect();
    let mut amended_by: HashMap<Uuid, usize> = HashMap::new();
    for (i, sheet) in sheets.iter().enumerate() {
        if let Some(old) = sheet.as_ref().and_then(|s| s.record.amends) {
            amended_by.insert(old, i + 1);
        }
    }
    let mut failed = Vec::new();
    for ((row, sheet), no) in rows.iter().zip(&sheets).zip(1..) {
        let Some(sheet) = sheet else {
            volume.records.push(Record {
                heading: format!("第 {no} 条 · 记录无法读取"),
                fields: vec![("记录编号".into(), row.id.to_string())],
                verification: vec![(false, "签名内容无法读取,请联系维护人员核查".into())],
                ..Default::default()
            });
            volume.chain.push(ChainRow { no, place: "—".into(), ok: false, result: "内容无法读取".into(), ..Default::default() });
            failed.push(no);
            continue;
        };
        let record = &sheet.record;
        let mut fields = vec![
            ("岗位 / 区域".into(), assignment_zh(record.assignment.key()).to_owned()),
            ("路线".into(), record.route.clone()),
            ("计划开始".into(), record.planned_start.map(beijing).unwrap_or_else(|| "(不在排班表上)".into())),
            ("开始".into(), beijing(record.started_at)),
            ("结束".into(), record.ended_at.map(beijing).unwrap_or_default()),
            ("记录编号".into(), record.id.to_string()),
        ];
        if let Some(old) = record.amends {
            let which = number.get(&old).map_or_else(|| format!("记录 {old}(不在本册)"), |n| format!("本册第 {n} 条"));
            fields.push(("更正".into(), format!("本条更正{which}")));
        }
        if let Some(n) = amended_by.get(&record.id) {
            fields.push(("已被更正".into(), format!("本条已由本册第 {n} 条更正,统计只计更正后的记录")));
        }
        let mut findings = Vec::new();
        for f in &sheet.findings {
            let mut photos = Vec::new();
            for sha in &f.photos {
                let bytes = db.photo_visible(sha, None).await.map_err(|e| VolumeError::Photos(e.to_string()))?;
                if let Some(path) = bytes.and_then(|b| redvest_print::thumbnail(&b, THUMBNAIL_PX)).and_then(|t| volume.add_image("jpg", t)) {
                    photos.push(path);
                }
            }
            let missing = f.photos.len() - photos.len();
            let photos_missing = if missing == 0 { String::new() } else { format!("另有 {missing} 张照片尚未收到或无法读取。") };
            findings.push(Finding { kind: f.kind.to_owned(), text: f.text.clone(), photos, photos_missing });
        }
        let signatures = sheet
            .signatures
            .iter()
            .map(|s| SignatureImage {
                label: format!("{}:{} · {}", s.role, s.name, s.at),
                image: base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &s.png_base64).ok().and_then(|png| volume.add_image("png", png)),
            })
            .collect();
        let track = sheet.track.svg().and_then(|svg| volume.add_image("svg", svg.into_bytes()));
        let link = row.chain.as_ref();
        let ok = sheet.verified();
        if !ok {
            failed.push(no);
        }
        volume.chain.push(ChainRow {
            no,
            started: beijing(record.started_at),
            place: link.map_or_else(|| "装订记录尚未收到".into(), |c| format!("{} · 第 {} 条", c.device, c.seq)),
            hash: hex::encode(sheet.hash),
            link: link.map(|c| hex::encode(&c.link)).unwrap_or_default(),
            ok,
            result: sheet.verification.iter().find(|l| !l.ok).map_or_else(|| "签名与链接有效".into(), |l| l.text.clone()),
        });
        volume.records.push(Record {
            heading: format!("第 {no} 条 · {} · {}", assignment_zh(record.assignment.key()), beijing(record.started_at)),
            fields,
            attendance: sheet.attendance.iter().map(|(name, role, presence, reason)| [name.clone(), (*role).to_owned(), (*presence).to_owned(), reason.clone()]).collect(),
            checks: sheet.checks.iter().map(|(d, items)| ((*d).to_owned(), items.iter().map(|(t, o)| (t.clone(), (*o).to_owned())).collect())).collect(),
            findings,
            remarks: record.remarks.clone(),
            signatures,
            track,
            track_caption: sheet.track.caption(),
            verification: sheet.verification.iter().map(|l| (l.ok, l.text.clone())).collect(),
        });
    }
    let count = volume.records.len();
    volume.cover = vec![
        ("队伍".into(), team.name.clone()),
        ("乡镇(街道)".into(), township),
        ("月份".into(), month.label.clone()),
        ("记录条数".into(), format!("{count} 条(队长已签字封存)")),
        ("尚未封存".into(), if unsealed == 0 { "无".into() } else { format!("{unsealed} 条待队长签字或已退回,未装订") }),
        ("核验".into(), if failed.is_empty() { "全部通过".into() } else { format!("{} 条未通过,见末页", failed.len()) }),
    ];
    volume.cover_note = format!("县平台据已收到的签名记录装订 · 记录按开始时间排列 · 册号 {}", volume.ident);
    volume.all_verified = failed.is_empty();
    volume.verdict = match (count, failed.as_slice()) {
        (0, _) => "本月没有已封存的巡查记录。".into(),
        (n, []) => format!("共 {n} 条记录,签名与装订链全部核验通过。"),
        (n, bad) => format!("共 {n} 条记录,{} 条未通过核验:第 {} 条。", bad.len(), bad.iter().map(usize::to_string).collect::<Vec<_>>().join("、")),
    };
    Ok(volume)
}

/// The volume as a PDF (CPU work: call it off the async threads).
pub fn pdf(volume: &Volume) -> Result<Vec<u8>, redvest_print::PrintError> {
    redvest_print::volume_pdf(volume, redvest_print::cjk_fonts()?)
}
