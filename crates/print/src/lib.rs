//! The county's printed reports: tables such as the 旬报 and 月报 ([`table`]) and the bound
//! 巡查日志 ([`volume`]) as A4 PDF, typeset by typst used as a library, with the CJK font found on the machine at run time (Debian's
//! `fonts-noto-cjk`; only the glyphs used are embedded). A crate of the county's own: the
//! phone's build never carries typst.
//!
//! The same table gives the same bytes: no clock, no random ids (`date: none`, a stable
//! document identifier), so a report printed twice can be compared.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

mod table;
mod volume;

pub use table::{table_pdf, Table};
pub use volume::{volume_pdf, ChainRow, Finding, Record, SignatureImage, Volume};

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

/// Typesets `template` (typst markup reading `/data.json`) with `data` and the `files` it
/// names (images, by rooted path such as `/img/1.png`) into PDF bytes; `ident` is the PDF's
/// stable document identifier (from the content, never random).
fn typeset(template: &str, data: &impl Serialize, files: &BTreeMap<String, Vec<u8>>, ident: &str, fonts: &[Font]) -> Result<Vec<u8>, PrintError> {
    let json = serde_json::to_vec(data).map_err(|e| PrintError::Typeset(e.to_string()))?;
    let world = Desk::new(template, json, files, fonts)?;
    let messages = |errors: &[typst::diag::SourceDiagnostic]| errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ");
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        creator: Smart::Custom(Some("Redvest".into())),
        ..Default::default()
    };
    let pdf = typst::compile::<typst_layout::PagedDocument>(&world)
        .output
        .map_err(|e| PrintError::Typeset(messages(&e)))
        .and_then(|document| typst_pdf::pdf(&document, &options).map_err(|e| PrintError::Typeset(messages(&e))));
    // typst memoizes layouts and images across documents in a process-wide cache: in a
    // server that runs for months it would only grow, and a volume asked for again would cost
    // nothing, which no benchmark should believe. Each document starts cold.
    typst::comemo::evict(0);
    pdf
}

/// The world typst sees: one source, the data, the images, the fonts; nothing from the disk.
struct Desk {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    files: HashMap<FileId, Bytes>,
}

fn file_id(path: &str) -> Result<FileId, PrintError> {
    let vpath = VirtualPath::new(path).map_err(|_| PrintError::Typeset(format!("{path:?} is not a plain path")))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

impl Desk {
    fn new(template: &str, data: Vec<u8>, files: &BTreeMap<String, Vec<u8>>, fonts: &[Font]) -> Result<Self, PrintError> {
        let mut by_id = HashMap::from([(file_id("/data.json")?, Bytes::new(data))]);
        for (path, bytes) in files {
            by_id.insert(file_id(path)?, Bytes::new(bytes.clone()));
        }
        Ok(Desk {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(fonts)),
            fonts: fonts.to_vec(),
            main: Source::new(file_id("/main.typ")?, template.to_owned()),
            files: by_id,
        })
    }
}

impl World for Desk {
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
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None // no clock in a printed report
    }
}
