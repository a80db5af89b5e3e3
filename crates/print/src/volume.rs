//! The bound 巡查日志 (装订成册): a cover, a page or more per record (every field, the
//! handwritten signatures, the track drawn small, photo thumbnails), and a closing page with
//! each record's hash and chain link and the result of verifying them. A4 portrait.

use std::collections::BTreeMap;

use serde::Serialize;
use typst::text::Font;

use crate::{typeset, PrintError};

/// A bound volume. Images are named by rooted paths (`/img/…`) that [`Volume::add_image`]
/// hands out; only images that decode are kept, so a damaged one never stops the volume.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Volume {
    /// The document's title, also printed at the foot of every page.
    pub title: String,
    /// The cover's main line (the team).
    pub cover_title: String,
    /// The cover's table: label, value.
    pub cover: Vec<(String, String)>,
    /// The line at the cover's foot.
    pub cover_note: String,
    /// The records, in order.
    pub records: Vec<Record>,
    /// The closing page: each record's place in its phone's chain.
    pub chain: Vec<ChainRow>,
    /// The closing page's verdict, in words.
    pub verdict: String,
    /// Whether every record verified.
    pub all_verified: bool,
    /// A stable document identifier (who and which month), never random.
    pub ident: String,
    #[serde(skip)]
    images: BTreeMap<String, Vec<u8>>,
}

/// One record's pages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    /// The heading, e.g. "第 3 条 · 夜巡岗 · 2026-11-03 20:00".
    pub heading: String,
    /// Every field of the record: label, value.
    pub fields: Vec<(String, String)>,
    /// Attendance: name, role, presence, reason.
    pub attendance: Vec<[String; 4]>,
    /// Checklist by domain: (domain, [(item, outcome)]).
    pub checks: Vec<(String, Vec<(String, String)>)>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// The volunteer's remarks.
    pub remarks: String,
    /// Handwritten signatures.
    pub signatures: Vec<SignatureImage>,
    /// The track drawing's image path, if drawn.
    pub track: Option<String>,
    /// The line under the track.
    pub track_caption: String,
    /// The record's verification: holds, in words.
    pub verification: Vec<(bool, String)>,
}

/// A finding with its photos' thumbnails.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Finding {
    /// 隐患, 矛盾纠纷, …
    pub kind: String,
    /// In words.
    pub text: String,
    /// Thumbnail image paths.
    pub photos: Vec<String>,
    /// Photos the record names that cannot be shown (not received yet, or damaged), in words;
    /// empty when all are shown.
    pub photos_missing: String,
}

/// A handwritten signature.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignatureImage {
    /// Who, in which capacity, when.
    pub label: String,
    /// The image path, or `None` when the drawing does not read.
    pub image: Option<String>,
}

/// A line of the closing page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChainRow {
    /// The record's number in the volume.
    pub no: usize,
    /// When it started.
    pub started: String,
    /// Which phone, which place in its chain.
    pub place: String,
    /// The record's SHA-256, hex.
    pub hash: String,
    /// Its chain link, hex.
    pub link: String,
    /// Whether its signatures and link verified.
    pub ok: bool,
    /// The result in words.
    pub result: String,
}

/// The longest edge of an image kept as it came; larger ones are scaled down.
const MAX_EDGE: u32 = 1600;

impl Volume {
    /// An empty volume: its title (printed at every page's foot), the cover's main line, and
    /// its stable identifier.
    pub fn new(title: String, cover_title: String, ident: String) -> Volume {
        Volume { title, cover_title, ident, ..Default::default() }
    }

    fn keep(&mut self, extension: &str, bytes: Vec<u8>) -> String {
        let path = format!("/img/{}.{extension}", self.images.len() + 1);
        self.images.insert(path.clone(), bytes);
        path
    }

    /// Keeps an image (a drawn signature) and returns its path; `None` for bytes that do not
    /// decode. typst reads an image by its name's extension, so only a PNG or JPEG of a
    /// sensible size is kept as it came; anything else (another format, whatever a phone
    /// called it, or a huge one) is redrawn as a PNG.
    pub fn add_image(&mut self, bytes: Vec<u8>) -> Option<String> {
        use image::ImageFormat;
        let format = image::guess_format(&bytes).ok()?;
        let decoded = image::load_from_memory_with_format(&bytes, format).ok()?;
        let small = decoded.width().max(decoded.height()) <= MAX_EDGE;
        Some(match format {
            ImageFormat::Png if small => self.keep("png", bytes),
            ImageFormat::Jpeg if small => self.keep("jpg", bytes),
            _ => {
                let mut png = std::io::Cursor::new(Vec::new());
                decoded.thumbnail(MAX_EDGE, MAX_EDGE).write_to(&mut png, ImageFormat::Png).ok()?;
                self.keep("png", png.into_inner())
            }
        })
    }

    /// Keeps a JPEG thumbnail of a photo, its long edge at most `long_edge` pixels, and
    /// returns its path; `None` when the photo does not decode.
    pub fn add_thumbnail(&mut self, photo: &[u8], long_edge: u32) -> Option<String> {
        let small = image::load_from_memory(photo).ok()?.thumbnail(long_edge, long_edge).into_rgb8();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70).encode_image(&small).ok()?;
        Some(self.keep("jpg", jpeg))
    }

    /// Keeps an SVG this program drew (a track) and returns its path.
    pub fn add_svg(&mut self, svg: String) -> String {
        self.keep("svg", svg.into_bytes())
    }
}

const TEMPLATE: &str = r##"
#let d = json("/data.json")
#set document(title: d.title, date: none)
#set page(paper: "a4", margin: (x: 1.8cm, top: 1.6cm, bottom: 2cm),
  footer: context [#set text(size: 8pt, fill: luma(80)); #d.title #h(1fr) 第 #counter(page).display() 页,共 #counter(page).final().first() 页])
#set text(font: ("Noto Sans CJK SC",), size: 9.5pt, lang: "zh", region: "cn", cjk-latin-spacing: none)
#set table(inset: 4pt, stroke: 0.4pt + luma(170))
#let mono(t) = text(font: ("Noto Sans Mono CJK SC",), size: 6.5pt, t)
#let label(t) = text(fill: luma(70), t)
#let sub(t) = block(above: 9pt, below: 4pt, text(weight: "bold", size: 10.5pt, t))
#let verdict(ok) = if ok { text(fill: rgb("#1b7a3a"), weight: "bold", "通过") } else { text(fill: rgb("#c8102e"), weight: "bold", "未通过") }

#v(3cm)
#align(center, text(size: 32pt, weight: "bold", "巡 查 日 志"))
#v(0.5cm)
#align(center, text(size: 17pt, d.cover_title))
#v(2cm)
#align(center, table(columns: (4cm, 9cm), inset: 9pt, align: left,
  ..d.cover.map(((k, v)) => (label(k), text(size: 12pt, v))).flatten()))
#v(1fr)
#align(center, text(size: 8.5pt, fill: luma(70), d.cover_note))
#pagebreak()

#for r in d.records [
  #block(below: 6pt, text(size: 13pt, weight: "bold", r.heading))
  #table(columns: (3.2cm, 1fr), ..r.fields.map(((k, v)) => (label(k), v)).flatten())
  #sub[人员到位]
  #table(columns: (1fr, 1fr, 0.7fr, 2fr),
    table.header(..("姓名", "角色", "到位", "说明").map(h => text(weight: "bold", h))),
    ..r.attendance.flatten())
  #sub[巡查重点]
  #if r.checks.len() == 0 [#label[没有勾选巡查重点。]]
  #for (domain, items) in r.checks [
    #text(weight: "bold", domain)
    #table(columns: (1fr, 2.2cm), ..items.flatten())
  ]
  #sub[巡查发现]
  #if r.findings.len() == 0 [#label[没有记录巡查发现。]]
  #for f in r.findings [
    #block(below: 3pt)[#text(weight: "bold", f.kind) #f.text]
    #if f.photos.len() > 0 { grid(columns: 4, gutter: 4pt, ..f.photos.map(p => image(p, width: 3.9cm))) }
    #if f.photos_missing != "" [#label(f.photos_missing)]
  ]
  #sub[备注]
  #if r.remarks == "" [#label[(无)]] else [#r.remarks]
  #sub[签字]
  #grid(columns: (1fr, 1fr), gutter: 10pt, ..r.signatures.map(s => block[
    #label(s.label) \
    #if s.image != none { box(stroke: 0.4pt + luma(190), image(s.image, height: 1.7cm)) } else [#text(fill: rgb("#c8102e"), "签名图像无法读取")]
  ]))
  #sub[轨迹]
  #if r.track != none { image(r.track, width: 8.5cm) }
  #label(r.track_caption)
  #sub[核验]
  #for (ok, line) in r.verification [#verdict(ok) #line \ ]
  #pagebreak(weak: true)
]

#align(center, text(size: 15pt, weight: "bold", "装订链核验"))
#v(4pt)
每条记录的内容哈希(SHA-256)与其手机装订链的链接;核验检查两个签名、链接是否由前一链接与本条内容算出,以及是否与县平台收到的前一条相接。
#v(4pt)
#table(columns: (1cm, 2.8cm, 2.8cm, 1fr, 2cm),
  table.header(..("序号", "开始时间", "手机 · 链序", "记录哈希 / 链接", "核验").map(h => text(weight: "bold", h))),
  ..d.chain.map(c => (str(c.no), c.started, c.place, [#mono(c.hash) \ #mono(c.link)], [#verdict(c.ok) \ #text(size: 7pt, c.result)])).flatten())
#v(8pt)
#text(size: 11pt, weight: "bold", fill: if d.all_verified { rgb("#1b7a3a") } else { rgb("#c8102e") }, d.verdict)
"##;

/// The volume as a PDF, typeset with `fonts` ([`crate::cjk_fonts`]).
pub fn volume_pdf(volume: &Volume, fonts: &[Font]) -> Result<Vec<u8>, PrintError> {
    typeset(TEMPLATE, volume, &volume.images, &volume.ident, fonts)
}
