//! Tables: the 旬报 and 月报, wide tables split into parts that fit A4 landscape.

use std::collections::BTreeMap;

use serde::Serialize;
use typst::text::Font;

use crate::{typeset, PrintError};

/// A table to print: a title, a line under it, the columns and rows (as text), which rows are
/// sums, and notes under the table. Columns that do not fit the page's width continue in a
/// table of their own below, repeating the first `keep` columns (who the row is).
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// The title, e.g. "红马甲巡防 2026年11月中旬 统计".
    pub title: String,
    /// The line under it (the period compared with, the scope).
    pub subtitle: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as many cells as the header.
    pub rows: Vec<Vec<String>>,
    /// Which rows are sums (printed bold on a tint).
    pub sums: Vec<bool>,
    /// The leading columns repeated in every part of a wide table.
    pub keep: usize,
    /// Definitions and remarks printed under the table.
    pub notes: Vec<String>,
}

/// Data columns per part of a wide table, besides the `keep` ones (A4 landscape, 9 pt).
const COLUMNS_PER_PART: usize = 10;

#[derive(Serialize)]
struct Part {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Serialize)]
struct Data<'a> {
    title: &'a str,
    subtitle: &'a str,
    keep: usize,
    sums: &'a [bool],
    notes: &'a [String],
    parts: Vec<Part>,
}

const TEMPLATE: &str = r##"
#let d = json("/data.json")
#set document(title: d.title, date: none)
#set page(paper: "a4", flipped: true, margin: (x: 1.4cm, y: 1.5cm),
  footer: context align(center, text(size: 8pt)[第 #counter(page).display() 页,共 #counter(page).final().first() 页]))
#set text(font: ("Noto Sans CJK SC",), size: 9pt, lang: "zh", region: "cn", cjk-latin-spacing: none)
#align(center, text(size: 16pt, weight: "bold", d.title))
#align(center, d.subtitle)
#v(6pt)
#for part in d.parts [
  #table(
    columns: part.header.len(),
    inset: 4pt,
    align: (x, y) => if x < d.keep { left } else { right },
    fill: (x, y) => if y == 0 { luma(225) } else if d.sums.at(y - 1) { rgb("#fbf3e4") } else { none },
    table.header(..part.header.map(h => text(weight: "bold", h))),
    ..part.rows.enumerate().map(((i, row)) => row.map(c => if d.sums.at(i) { text(weight: "bold", c) } else { c })).flatten(),
  )
  #v(8pt)
]
#for n in d.notes [#text(size: 8pt, n) \ ]
"##;

/// The table as a PDF, typeset with `fonts` ([`cjk_fonts`]).
pub fn table_pdf(table: &Table, fonts: &[Font]) -> Result<Vec<u8>, PrintError> {
    let keep = table.keep.min(table.header.len());
    let mut parts = Vec::new();
    let data_columns: Vec<usize> = (keep..table.header.len()).collect();
    for chunk in data_columns.chunks(COLUMNS_PER_PART).map(<[usize]>::to_vec).chain(data_columns.is_empty().then(Vec::new)) {
        let columns: Vec<usize> = (0..keep).chain(chunk).collect();
        let pick = |row: &Vec<String>| columns.iter().map(|&c| row.get(c).cloned().unwrap_or_default()).collect::<Vec<_>>();
        parts.push(Part { header: pick(&table.header), rows: table.rows.iter().map(pick).collect() });
    }
    let mut sums = table.sums.clone();
    sums.resize(table.rows.len(), false);
    let data = Data { title: &table.title, subtitle: &table.subtitle, keep, sums: &sums, notes: &table.notes, parts };
    typeset(TEMPLATE, &data, &BTreeMap::new(), &table.title, fonts)
}

