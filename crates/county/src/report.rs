//! 旬报 and 月报: the period a report covers, its rows (each team, each township, the county)
//! against the period before, and the files a county office sends upward: CSV (UTF-8 with a
//! BOM, so Excel opens 中文 as text), XLSX and PDF. The figures are SQL ([`crate::db::Figures`]);
//! townships and the county are sums of their teams' rows.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::{DbError, Figures};
use crate::Db;

/// Why a period was not understood: English for the command line, [`PeriodError::zh`] for
/// the console.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not written as a 旬, a month or a range.
    #[error("{0:?} is not a period: write 2026-11-中旬 (上旬, 中旬, 下旬), 2026-11, or 2026-11-03..2026-11-17")]
    Unreadable(String),
    /// A range that ends before it starts.
    #[error("the period ends ({last}) before it starts ({first})")]
    Reversed { first: NaiveDate, last: NaiveDate },
    /// A range longer than a year.
    #[error("a period is at most a year; {first}..{last} is longer")]
    TooLong { first: NaiveDate, last: NaiveDate },
}

impl PeriodError {
    /// What the clerk reads.
    pub fn zh(&self) -> String {
        match self {
            PeriodError::Unreadable(_) => "请写成 2026-11-中旬(上旬、中旬、下旬)、2026-11 或 2026-11-03..2026-11-17。".into(),
            PeriodError::Reversed { first, last } => format!("结束日 {last} 早于开始日 {first}。"),
            PeriodError::TooLong { .. } => "一段统计期最长一年。".into(),
        }
    }
}

/// The days a report covers, inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// First day (Beijing).
    pub first: NaiveDate,
    /// Last day (Beijing).
    pub last: NaiveDate,
    /// How people write it: 2026年11月中旬, 2026年11月, 2026-11-03 至 2026-11-17.
    pub label: String,
    kind: PeriodKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodKind {
    /// 上旬 (1), 中旬 (2), 下旬 (3).
    Xun(u8),
    Month,
    Range,
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt())
}

impl Period {
    /// `2026-11-上旬` / `中旬` / `下旬` (1–10, 11–20, 21 to the month's end), `2026-11` (the
    /// month), or `2026-11-03..2026-11-17` (any range, inclusive).
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let text = text.trim();
        let bad = || PeriodError::Unreadable(text.to_owned());
        if let Some((a, b)) = text.split_once("..") {
            let first = NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            let last = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            if last < first {
                return Err(PeriodError::Reversed { first, last });
            }
            if (last - first).num_days() > 366 {
                return Err(PeriodError::TooLong { first, last });
            }
            return Ok(Period::range(first, last));
        }
        let mut parts = text.splitn(3, '-');
        let year: i32 = parts.next().and_then(|y| y.parse().ok()).ok_or_else(bad)?;
        let month: u32 = parts.next().and_then(|m| m.parse().ok()).ok_or_else(bad)?;
        NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        match parts.next() {
            None => Period::month(year, month).ok_or_else(bad),
            Some("上旬") => Period::xun(year, month, 1).ok_or_else(bad),
            Some("中旬") => Period::xun(year, month, 2).ok_or_else(bad),
            Some("下旬") => Period::xun(year, month, 3).ok_or_else(bad),
            Some(_) => Err(bad()),
        }
    }

    fn xun(year: i32, month: u32, n: u8) -> Option<Period> {
        let first = NaiveDate::from_ymd_opt(year, month, 1 + 10 * (u32::from(n) - 1))?;
        let last = if n == 3 { month_end(year, month)? } else { NaiveDate::from_ymd_opt(year, month, 10 * u32::from(n))? };
        let name = ["上旬", "中旬", "下旬"][usize::from(n - 1)];
        Some(Period { first, last, label: format!("{year}年{month}月{name}"), kind: PeriodKind::Xun(n) })
    }

    fn month(year: i32, month: u32) -> Option<Period> {
        Some(Period { first: NaiveDate::from_ymd_opt(year, month, 1)?, last: month_end(year, month)?, label: format!("{year}年{month}月"), kind: PeriodKind::Month })
    }

    fn range(first: NaiveDate, last: NaiveDate) -> Period {
        Period { first, last, label: format!("{first} 至 {last}"), kind: PeriodKind::Range }
    }

    /// The period before: the 旬 before, the month before, or as many days just before.
    pub fn previous(&self) -> Period {
        let (y, m) = (self.first.year(), self.first.month());
        let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        let before = match self.kind {
            PeriodKind::Xun(1) => Period::xun(py, pm, 3),
            PeriodKind::Xun(n) => Period::xun(y, m, n - 1),
            PeriodKind::Month => Period::month(py, pm),
            PeriodKind::Range => None,
        };
        before.unwrap_or_else(|| {
            let days = (self.last - self.first).num_days();
            let last = self.first - Duration::days(1);
            Period::range(last - Duration::days(days), last)
        })
    }

    /// The text that names it on the command line and in links.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::Xun(n) => format!("{}-{}", self.first.format("%Y-%m"), ["上旬", "中旬", "下旬"][usize::from(n - 1)]),
            PeriodKind::Month => self.first.format("%Y-%m").to_string(),
            PeriodKind::Range => format!("{}..{}", self.first, self.last),
        }
    }
}

/// What a row sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One team.
    Team,
    /// A township's teams.
    Township,
    /// Every team in the report.
    County,
}

/// One row of a report: this period and the one before.
#[derive(Debug, Clone)]
pub struct Row {
    /// Team, township or county.
    pub level: Level,
    /// The township's name (teams and townships).
    pub township: String,
    /// The team's name (teams).
    pub team: String,
    /// This period.
    pub now: Figures,
    /// The period before.
    pub before: Figures,
}

/// A 旬报 or 月报.
#[derive(Debug, Clone)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The period it is compared with.
    pub previous: Period,
    /// Teams, each township after its teams, the county last.
    pub rows: Vec<Row>,
    /// Counted patrols by post or zone (Chinese name, count).
    pub by_assignment: Vec<(&'static str, i64)>,
}

/// How 整改率 is counted, printed next to it.
pub const RECTIFICATION_RATE: &str = "整改率 = 本期发现的隐患中，到本期末已当场整改或已销号的数量 ÷ 本期发现的隐患数";
/// How 定额完成率 is counted.
pub const VISIT_QUOTA: &str = "定额完成率 = 有入户定额的成员本期记录的入户走访户数 ÷ 入户定额（入户定额：县平台为成员设定的每月 30、50 或 80 户，按本期到今天已过的天数折算；没有定额的队显示 —）";
/// How 覆盖率 is counted.
pub const COVERAGE: &str = "覆盖率 = 完成班次 ÷ 已到时间的计划班次（计划班次：已发布排班表中本期每一天的每个班次；完成：队长已签字封存的巡查记录；待队长签字的不算错过）";

/// The definitions printed under every report.
pub const NOTES: [&str; 3] = [RECTIFICATION_RATE, COVERAGE, VISIT_QUOTA];

fn add(sum: &mut Figures, f: &Figures) {
    macro_rules! each {
        ($($field:ident),*) => { $( sum.$field += f.$field; )* };
    }
    each!(duties_planned, duties_due, duties_done, duties_missed, patrols, attendances, hours, km, hazards_found, fixed_on_spot, rectified_of_found, closed, overdue);
    each!(disputes, disputes_handed, sightings, sightings_passed, house_visits, people_met, outreach, audience, visit_quota, quota_visits);
    for i in 0..3 {
        sum.by_domain[i] += f.by_domain[i];
        sum.by_severity[i] += f.by_severity[i];
    }
}

impl Report {
    /// Builds the report for `period` over the clerk's `scope` (a township, or the county).
    pub async fn build(db: &Db, period: Period, scope: Option<Uuid>) -> Result<Report, DbError> {
        let now = Utc::now();
        let missed = redvest_shared::duty::MISSED_AFTER;
        let previous = period.previous();
        // This period and the one before at once (two connections of the pool).
        let (teams, before) = tokio::try_join!(
            db.report_teams(period.first, period.last, now, missed, scope),
            db.report_teams(previous.first, previous.last, now, missed, scope),
        )?;
        let mut rows: Vec<Row> = Vec::new();
        // The last row sums every team of the report: the county's, or a township clerk's.
        let whole = if scope.is_some() { teams.first().and_then(|t| t.township.clone()).unwrap_or_default() } else { "全县".into() };
        let mut county = Row { level: Level::County, township: whole, team: String::new(), now: Figures::default(), before: Figures::default() };
        let mut i = 0;
        while i < teams.len() {
            // Teams come ordered by township: each township's teams, then its sum.
            let key = teams[i].township.clone();
            let township = key.clone().unwrap_or_else(|| "未分乡镇".into());
            let mut sum = Row { level: Level::Township, township: township.clone(), team: String::new(), now: Figures::default(), before: Figures::default() };
            while i < teams.len() && teams[i].township == key {
                let t = &teams[i];
                let earlier = before.iter().find(|b| b.team_id == t.team_id).map(|b| b.figures.clone()).unwrap_or_default();
                add(&mut sum.now, &t.figures);
                add(&mut sum.before, &earlier);
                rows.push(Row { level: Level::Team, township: township.clone(), team: t.team.clone(), now: t.figures.clone(), before: earlier });
                i += 1;
            }
            add(&mut county.now, &sum.now);
            add(&mut county.before, &sum.before);
            rows.push(sum);
        }
        rows.push(county);
        let by_assignment = db
            .report_assignments(period.first, period.last, scope)
            .await?
            .into_iter()
            .map(|(key, n)| (crate::console::assignment_zh(&key), n))
            .collect();
        Ok(Report { period, previous, rows, by_assignment })
    }

    /// The header of the table, as printed.
    pub fn header() -> Vec<&'static str> {
        COLUMNS.iter().map(|c| c.0).collect()
    }

    /// A row's cells, as printed (numbers as numbers; rates as percents with one decimal, or
    /// "—" where nothing was planned or found).
    pub fn cells(row: &Row) -> Vec<Cell> {
        COLUMNS.iter().map(|c| (c.1)(row)).collect()
    }

    /// The report as CSV, UTF-8 with a BOM (Excel then reads 中文 as text): two title lines,
    /// the table, the definitions.
    pub fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record([format!("红马甲巡防 {} 统计", self.period.label)])?;
        w.write_record([format!("对比上期：{}", self.previous.label)])?;
        w.write_record(Self::header())?;
        for row in &self.rows {
            w.write_record(Self::cells(row).iter().map(Cell::text))?;
        }
        for note in NOTES {
            w.write_record([note])?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }

    /// The report as an A4 PDF (landscape; the wide table in parts that repeat who each row
    /// is; page numbers), typeset with the machine's CJK font. The same report gives the
    /// same bytes.
    pub fn pdf(&self) -> Result<Vec<u8>, redvest_print::PrintError> {
        let table = redvest_print::Table {
            title: format!("红马甲巡防 {} 统计", self.period.label),
            subtitle: format!("对比上期：{}　只统计队长已签字封存的巡查记录", self.previous.label),
            header: Self::header().into_iter().map(str::to_owned).collect(),
            rows: self.rows.iter().map(|r| Self::cells(r).iter().map(Cell::text).collect()).collect(),
            sums: self.rows.iter().map(|r| r.level != Level::Team).collect(),
            keep: 3,
            notes: NOTES.iter().map(|n| (*n).to_owned()).collect(),
        };
        redvest_print::table_pdf(&table, redvest_print::cjk_fonts()?)
    }

    /// The report as an Excel workbook: one sheet of the table (numbers as numbers, column
    /// widths for Chinese), one of patrols by post or zone.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let percent = Format::new().set_num_format("0.0%");
        let tenths = Format::new().set_num_format("0.0");
        let sheet = book.add_worksheet();
        sheet.set_name("统计")?;
        sheet.write_string_with_format(0, 0, format!("红马甲巡防 {} 统计", self.period.label), &bold)?;
        // The period's days as dates (Excel sorts and filters them as dates, not text).
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let excel_date = |d: NaiveDate| ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8);
        sheet.write_string(1, 0, "统计期")?;
        sheet.write_datetime_with_format(1, 1, &excel_date(self.period.first)?, &date)?;
        sheet.write_string(1, 2, "至")?;
        sheet.write_datetime_with_format(1, 3, &excel_date(self.period.last)?, &date)?;
        sheet.write_string(1, 4, format!("对比上期：{}", self.previous.label))?;
        for (c, name) in Self::header().iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(2, c, *name, &bold)?;
            // Chinese characters are about two columns wide.
            sheet.set_column_width(c, (name.chars().count() as f64 * 2.2).max(8.0))?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 3;
            for (c, cell) in Self::cells(row).iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, t.as_str()).map(|_| ())?,
                    Cell::Count(n) => sheet.write_number(r, c, *n as f64).map(|_| ())?,
                    Cell::Tenths(h) => sheet.write_number_with_format(r, c, *h, &tenths).map(|_| ())?,
                    Cell::Rate(Some(x)) => sheet.write_number_with_format(r, c, *x, &percent).map(|_| ())?,
                    Cell::Rate(None) => sheet.write_string(r, c, "—").map(|_| ())?,
                }
            }
        }
        let notes = self.rows.len() as u32 + 4;
        for (i, note) in NOTES.iter().enumerate() {
            sheet.write_string(notes + i as u32, 0, *note)?;
        }
        let posts = book.add_worksheet();
        posts.set_name("按岗位")?;
        posts.write_string_with_format(0, 0, "岗位/片区", &bold)?;
        posts.write_string_with_format(0, 1, "巡查次数", &bold)?;
        posts.set_column_width(0, 16)?;
        for (r, (name, n)) in self.by_assignment.iter().enumerate() {
            posts.write_string(r as u32 + 1, 0, *name)?;
            posts.write_number(r as u32 + 1, 1, *n as f64)?;
        }
        book.save_to_buffer()
    }
}

/// A printed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Words.
    Text(String),
    /// A count.
    Count(i64),
    /// A measure shown with one decimal (hours, kilometres).
    Tenths(f64),
    /// A share (0–1), or none when there was nothing to divide by.
    Rate(Option<f64>),
}

impl Cell {
    /// As text, the way the CSV and the screen show it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Tenths(h) => format!("{h:.1}"),
            Cell::Rate(Some(x)) => format!("{:.1}%", x * 100.0),
            Cell::Rate(None) => "—".into(),
        }
    }
}

/// `part` of `whole` (a count, or a prorated quota), or none when there is nothing to divide by.
fn rate(part: i64, whole: f64) -> Cell {
    Cell::Rate((whole > 0.0).then(|| part as f64 / whole))
}

type Column = (&'static str, fn(&Row) -> Cell);

/// The columns, in order: who, duties, patrols, hazards, the rest, then the change.
const COLUMNS: &[Column] = &[
    ("层级", |r| Cell::Text(match r.level { Level::Team => "队伍", Level::Township => "乡镇合计", Level::County => "合计" }.into())),
    ("乡镇", |r| Cell::Text(r.township.clone())),
    ("队伍", |r| Cell::Text(r.team.clone())),
    ("计划班次", |r| Cell::Count(r.now.duties_planned)),
    ("完成班次", |r| Cell::Count(r.now.duties_done)),
    ("错过班次", |r| Cell::Count(r.now.duties_missed)),
    ("覆盖率", |r| rate(r.now.duties_done, r.now.duties_due as f64)),
    ("巡查次数", |r| Cell::Count(r.now.patrols)),
    ("参与人次", |r| Cell::Count(r.now.attendances)),
    ("巡查时长(小时)", |r| Cell::Tenths(r.now.hours)),
    ("巡查里程(公里)", |r| Cell::Tenths(r.now.km)),
    ("发现隐患", |r| Cell::Count(r.now.hazards_found)),
    ("社会治安", |r| Cell::Count(r.now.by_domain[0])),
    ("安全生产", |r| Cell::Count(r.now.by_domain[1])),
    ("消防安全", |r| Cell::Count(r.now.by_domain[2])),
    ("一般", |r| Cell::Count(r.now.by_severity[0])),
    ("较大", |r| Cell::Count(r.now.by_severity[1])),
    ("重大", |r| Cell::Count(r.now.by_severity[2])),
    ("当场整改", |r| Cell::Count(r.now.fixed_on_spot)),
    ("本期销号", |r| Cell::Count(r.now.closed)),
    ("逾期未整改", |r| Cell::Count(r.now.overdue)),
    ("整改率", |r| rate(r.now.rectified_of_found, r.now.hazards_found as f64)),
    ("矛盾纠纷", |r| Cell::Count(r.now.disputes)),
    ("移交村(社区)调解", |r| Cell::Count(r.now.disputes_handed)),
    ("可疑情况", |r| Cell::Count(r.now.sightings)),
    ("移交公安", |r| Cell::Count(r.now.sightings_passed)),
    ("入户走访(户)", |r| Cell::Count(r.now.house_visits)),
    ("入户定额(户)", |r| Cell::Count(r.now.visit_quota.round() as i64)),
    ("定额完成率", |r| rate(r.now.quota_visits, r.now.visit_quota)),
    ("走访人数", |r| Cell::Count(r.now.people_met)),
    ("宣传次数", |r| Cell::Count(r.now.outreach)),
    ("宣传覆盖人数", |r| Cell::Count(r.now.audience)),
    ("上期巡查次数", |r| Cell::Count(r.before.patrols)),
    ("巡查次数增减", |r| Cell::Count(r.now.patrols - r.before.patrols)),
    ("上期发现隐患", |r| Cell::Count(r.before.hazards_found)),
    ("发现隐患增减", |r| Cell::Count(r.now.hazards_found - r.before.hazards_found)),
    ("上期整改率", |r| rate(r.before.rectified_of_found, r.before.hazards_found as f64)),
    ("上期入户走访", |r| Cell::Count(r.before.house_visits)),
];

#[cfg(test)]
mod tests {
    use super::Period;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn periods_and_the_ones_before() {
        let mid = Period::parse("2026-11-中旬").expect("中旬");
        assert_eq!((mid.first, mid.last, mid.label.as_str()), (d("2026-11-11"), d("2026-11-20"), "2026年11月中旬"));
        assert_eq!(mid.previous().label, "2026年11月上旬");
        let late_feb = Period::parse("2028-02-下旬").expect("下旬");
        assert_eq!((late_feb.first, late_feb.last), (d("2028-02-21"), d("2028-02-29")), "a leap year's February");
        let early_jan = Period::parse("2027-01-上旬").expect("上旬");
        assert_eq!((early_jan.previous().first, early_jan.previous().last), (d("2026-12-21"), d("2026-12-31")));
        let month = Period::parse("2026-12").expect("month");
        assert_eq!((month.first, month.last, month.previous().label.as_str()), (d("2026-12-01"), d("2026-12-31"), "2026年11月"));
        let range = Period::parse("2026-11-03..2026-11-17").expect("range");
        assert_eq!((range.previous().first, range.previous().last), (d("2026-10-19"), d("2026-11-02")));
        assert_eq!(Period::parse(&mid.key()).expect("key"), mid);
        for bad in ["2026-13", "2026-11-中", "11月", "2026-11-17..2026-11-03", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
