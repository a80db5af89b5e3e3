//! The county's printed reports: tables such as the 旬报 and 月报 as A4 PDF, typeset by typst
//! used as a library, with the CJK font found on the machine at run time (Debian's
//! `fonts-noto-cjk`; only the glyphs used are embedded). A crate of the county's own: the
//! phone's build never carries typst.
//!
//! The same table gives the same bytes: no clock, no random ids (`date: none`, a stable
//! document identifier), so a report printed twice can be compared.

use std::path::{Path, PathBuf};

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Why a PDF was not made.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// No CJK font was found: install Debian's `fonts-noto-cjk`, or point
    /// `REDVEST_CJK_FONTS` at a folder holding `NotoSansCJK-Regular.ttc`.
    #[error("no CJK font: install fonts-noto-cjk (apt) or set REDVEST_CJK_FONTS to a folder with NotoSansCJK-Regular.ttc; looked in {0}")]
    NoFont(String),
    /// Typesetting failed (a bug in the template or the data).
    #[error("typesetting the PDF failed: {0}")]
    Typeset(String),
}

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

/// The CJK fonts, read once per process (the two collections are ≈ 40 MB).
pub fn cjk_fonts() -> Result<&'static [Font], PrintError> {
    static FONTS: std::sync::OnceLock<Result<Vec<Font>, String>> = std::sync::OnceLock::new();
    match FONTS.get_or_init(|| load_fonts().map_err(|e| match e {
        PrintError::NoFont(looked) => looked,
        other => other.to_string(),
    })) {
        Ok(fonts) => Ok(fonts),
        Err(looked) => Err(PrintError::NoFont(looked.clone())),
    }
}

/// `NotoSansCJK-Regular.ttc` and `-Bold.ttc` under `REDVEST_CJK_FONTS` or `/usr/share/fonts`.
fn load_fonts() -> Result<Vec<Font>, PrintError> {
    let roots: Vec<PathBuf> = match std::env::var_os("REDVEST_CJK_FONTS") {
        Some(dir) => vec![dir.into()],
        None => vec!["/usr/share/fonts".into(), "/usr/local/share/fonts".into()],
    };
    let mut fonts = Vec::new();
    for name in ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"] {
        if let Some(path) = roots.iter().find_map(|r| find(r, name, 4)) {
            if let Ok(data) = std::fs::read(&path) {
                fonts.extend(Font::iter(Bytes::new(data)));
            }
        }
    }
    if fonts.is_empty() {
        return Err(PrintError::NoFont(roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ")));
    }
    Ok(fonts)
}

/// `name` somewhere under `dir`, at most `depth` folders down.
fn find(dir: &Path, name: &str, depth: usize) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
        if depth > 0 && path.is_dir() {
            subdirs.push(path);
        }
    }
    subdirs.sort();
    subdirs.iter().find_map(|d| find(d, name, depth - 1))
}

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
    let json = serde_json::to_vec(&data).map_err(|e| PrintError::Typeset(e.to_string()))?;
    let world = Sheet::new(TEMPLATE, json, fonts);
    let document = typst::compile::<typst_layout::PagedDocument>(&world).output.map_err(|errors| {
        PrintError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    let options = typst_pdf::PdfOptions {
        // A stable identifier from the content, not a random one.
        ident: Smart::Custom(table.title.clone()),
        creator: Smart::Custom(Some("Redvest".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PrintError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))
}

/// The world typst sees: one source, one data file, the fonts; nothing from the disk.
struct Sheet {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data_id: FileId,
    data: Bytes,
}

fn file_id(path: &str) -> FileId {
    // Both paths are constants that normalise.
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| unreachable!("{path} is a plain virtual path"));
    FileId::new(RootedPath::new(VirtualRoot::Project, vpath))
}

impl Sheet {
    fn new(template: &str, data: Vec<u8>, fonts: &[Font]) -> Self {
        Sheet {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(fonts)),
            fonts: fonts.to_vec(),
            main: Source::new(file_id("/main.typ"), template.to_owned()),
            data_id: file_id("/data.json"),
            data: Bytes::new(data),
        }
    }
}

impl World for Sheet {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None // no clock in a printed report
    }
}
