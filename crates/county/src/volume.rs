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
use crate::db::{DbError, PatrolPageRow, TeamRow};
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
    /// Several teams have that name.
    #[error("several teams are named {0}: give one of their ids ({1})")]
    Ambiguous(String, String),
    /// The database.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The photo store, or the layout's thread.
    #[error("gathering the volume: {0}")]
    Photos(String),
}

/// The month a volume binds: `2026-11`.
pub fn month(text: &str) -> Result<Period, VolumeError> {
    let period = Period::parse(text).map_err(|e| VolumeError::Month(e.to_string()))?;
    if period.key() != text.trim() || period.key().len() != 7 {
        return Err(VolumeError::Month(format!("{:?} is not a month: a volume binds one month, written 2026-11", text.trim())));
    }
    Ok(period)
}

/// The team a clerk named: its id, or its exact name; within `scope` (`None`: every township).
pub async fn team(db: &Db, named: &str, scope: Option<Uuid>) -> Result<TeamRow, VolumeError> {
    let named = named.trim();
    let id = Uuid::parse_str(named).ok();
    let mut teams: Vec<TeamRow> = db.team_rows(scope, id).await?.into_iter().filter(|t| Some(t.id) == id || t.name == named).collect();
    match teams.len() {
        0 => Err(VolumeError::NoTeam(named.to_owned())),
        1 => Ok(teams.remove(0)),
        _ => Err(VolumeError::Ambiguous(named.to_owned(), teams.iter().map(|t| t.id.to_string()).collect::<Vec<_>>().join(", "))),
    }
}

/// Gathers the team's month from the database and the photo store, then lays it out
/// (thumbnails, signatures, tracks: CPU work, off the async threads).
pub async fn build(db: &Db, team: &TeamRow, month: &Period) -> Result<Volume, VolumeError> {
    let from = beijing::day_start(month.first);
    let until = beijing::day_start(month.last + chrono::Duration::days(1));
    let (rows, unsealed) = db.volume_patrols(team.id, from, until).await?;
    let keys = db.team_keys(team.id).await?;
    let sheets: Vec<Option<Sheet>> = rows.iter().map(|r| Sheet::read(r, &keys)).collect();
    let mut named: Vec<String> = Vec::new();
    for sheet in sheets.iter().flatten() {
        named.extend(sheet.findings.iter().flat_map(|f| f.photos.iter().cloned()));
    }
    named.sort();
    named.dedup();
    let mut photos: HashMap<String, Vec<u8>> = HashMap::new();
    for sha in named {
        if let Some(bytes) = db.team_photo(team.id, &sha).await.map_err(|e| VolumeError::Photos(e.to_string()))? {
            photos.insert(sha, bytes);
        }
    }
    let (team, month) = (team.clone(), month.clone());
    tokio::task::spawn_blocking(move || assemble(&team, &month, &rows, &sheets, unsealed, &photos))
        .await
        .map_err(|e| VolumeError::Photos(e.to_string()))
}

/// Lays out the volume from what [`build`] gathered.
fn assemble(team: &TeamRow, month: &Period, rows: &[PatrolPageRow], sheets: &[Option<Sheet>], unsealed: i64, photos: &HashMap<String, Vec<u8>>) -> Volume {
    let township = team.township.clone().unwrap_or_else(|| "(未划入乡镇)".into());
    let mut volume = Volume::new(format!("{} 巡查日志 {}", team.name, month.label), team.name.clone(), format!("redvest-volume/{}/{}", team.id, month.key()));
    let number: HashMap<Uuid, usize> = rows.iter().enumerate().map(|(i, r)| (r.id, i + 1)).collect();
    // Each amended patrol's latest amendment in the volume (by id, as the report picks it):
    // it replaces the patrol and any earlier amendment.
    let mut latest: HashMap<Uuid, Uuid> = HashMap::new();
    for (id, old) in sheets.iter().flatten().filter_map(|s| Some((s.record.id, s.record.amends?))) {
        let e = latest.entry(old).or_insert(id);
        if id > *e {
            *e = id;
        }
    }
    let replaced_by = |record: &redvest_shared::patrol::PatrolRecord| {
        let by = latest.get(&record.id).or_else(|| record.amends.and_then(|old| latest.get(&old)).filter(|l| **l != record.id))?;
        number.get(by).copied()
    };
    let mut failed = Vec::new();
    for ((row, sheet), no) in rows.iter().zip(sheets).zip(1..) {
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
        if let Some(n) = replaced_by(record) {
            fields.push(("已被更正".into(), format!("本条已由本册第 {n} 条更正,统计只计第 {n} 条")));
        }
        let findings = sheet
            .findings
            .iter()
            .map(|f| {
                let shown: Vec<String> = f.photos.iter().filter_map(|sha| photos.get(sha).and_then(|b| volume.add_thumbnail(b, THUMBNAIL_PX))).collect();
                let missing = f.photos.len() - shown.len();
                let photos_missing = if missing == 0 { String::new() } else { format!("另有 {missing} 张照片尚未收到或无法读取。") };
                Finding { kind: f.kind.to_owned(), text: f.text.clone(), photos: shown, photos_missing }
            })
            .collect();
        let signatures = sheet
            .signatures
            .iter()
            .map(|s| SignatureImage {
                label: format!("{}:{} · {}", s.role, s.name, s.at),
                image: base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &s.png_base64).ok().and_then(|png| volume.add_image(png)),
            })
            .collect();
        let track = sheet.track.svg().map(|svg| volume.add_svg(svg));
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
    volume
}

/// The volume as a PDF (CPU work: call it off the async threads).
pub fn pdf(volume: &Volume) -> Result<Vec<u8>, redvest_print::PrintError> {
    redvest_print::volume_pdf(volume, redvest_print::cjk_fonts()?)
}
