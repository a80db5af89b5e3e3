//! Hazard photos: what the camera or gallery gives becomes a small upright JPEG without the
//! original EXIF, stored once under its SHA-256, and attached to observations.
//!
//! Files live in `photos/` beside the database: `<sha256>.jpg` and `<sha256>.thumb.jpg`.
//! Each is written to `photos/tmp/`, synced and renamed into place before its row is
//! written, so a kill at any point leaves either nothing usable (cleaned up by
//! [`Store::check_photos`] at start-up) or a complete photo.

use std::fs::{self, File};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use redvest_shared::photo::{Photo, PhotoBacklog, PhotoPlace, PhotoSettings, MAX_INPUT_BYTES, MAX_PIXELS};
use redvest_shared::ErrorCode;
use rusqlite::{params, OptionalExtension, Row};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Error, Result, Store};

/// The most photos one observation may carry.
pub const MAX_PER_OBSERVATION: usize = 12;

/// JPEG quality of thumbnails: they are only ever seen small.
const THUMBNAIL_QUALITY: u8 = 70;

/// Why a file could not be taken as a photo. Nothing is stored when this happens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoProblem {
    /// 0 bytes.
    #[error("the file is empty (0 bytes); take the photo again")]
    Empty,
    /// Over [`MAX_INPUT_BYTES`].
    #[error("the file is {0} bytes; the limit is 30 MB, lower the camera resolution")]
    TooLarge(usize),
    /// Not JPEG, PNG or WebP.
    #[error("not a photo this app reads; use JPEG, PNG or WebP")]
    NotAnImage,
    /// HEIC/HEIF or AVIF: no well-kept pure-Rust decoder exists for phones yet.
    #[error("HEIC/AVIF photos cannot be read; set the camera to JPEG (\"Most Compatible\") or convert the photo to JPEG")]
    Heic,
    /// The file stops before the image does.
    #[error("the file is cut off (incomplete); copy or take it again")]
    Truncated,
    /// More than [`MAX_PIXELS`] pixels.
    #[error("{width}×{height} pixels is too large to open safely (limit 64 megapixels)")]
    TooManyPixels {
        /// Width the file claims.
        width: u32,
        /// Height the file claims.
        height: u32,
    },
    /// The image data is damaged.
    #[error("the image data is damaged: {0}")]
    Damaged(String),
}

impl PhotoProblem {
    /// The code the UI chooses its words by.
    pub fn code(&self) -> ErrorCode {
        match self {
            PhotoProblem::Empty => ErrorCode::PhotoEmpty,
            PhotoProblem::TooLarge(_) => ErrorCode::PhotoTooLarge,
            PhotoProblem::NotAnImage | PhotoProblem::Damaged(_) => ErrorCode::NotAnImage,
            PhotoProblem::Heic => ErrorCode::PhotoFormat,
            PhotoProblem::Truncated => ErrorCode::PhotoTruncated,
            PhotoProblem::TooManyPixels { .. } => ErrorCode::PhotoTooManyPixels,
        }
    }
}

/// A photo ready to store: the JPEG, its thumbnail, and what was read from the original.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The stored JPEG (upright, scaled, no EXIF).
    pub jpeg: Vec<u8>,
    /// The thumbnail JPEG.
    pub thumbnail: Vec<u8>,
    /// Width of `jpeg`.
    pub width: u32,
    /// Height of `jpeg`.
    pub height: u32,
    /// SHA-256 of `jpeg`, lower-case hex.
    pub sha256: String,
    /// The camera's EXIF DateTimeOriginal, if any.
    pub camera_time: Option<NaiveDateTime>,
}

/// Decodes, turns upright, scales and re-encodes one photo. Pure: touches no disk.
pub fn process(input: &[u8], settings: &PhotoSettings) -> Result<Processed, PhotoProblem> {
    if input.is_empty() {
        return Err(PhotoProblem::Empty);
    }
    if input.len() > MAX_INPUT_BYTES {
        return Err(PhotoProblem::TooLarge(input.len()));
    }
    let format = match image::guess_format(input) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        Ok(ImageFormat::Avif) => return Err(PhotoProblem::Heic),
        _ if is_heif(input) => return Err(PhotoProblem::Heic),
        _ => return Err(PhotoProblem::NotAnImage),
    };
    // zune-jpeg pads a cut-off scan with grey instead of failing; look for the end marker.
    if format == ImageFormat::Jpeg && !jpeg_is_complete(input) {
        return Err(PhotoProblem::Truncated);
    }
    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(problem)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoProblem::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let camera_time = decoder.exif_metadata().ok().flatten().and_then(|exif| camera_time(exif));
    let mut decoded = DynamicImage::from_decoder(decoder).map_err(problem)?;
    decoded.apply_orientation(orientation);
    let upright = decoded.into_rgb8();

    let stored = shrink(&upright, settings.long_edge_px);
    let jpeg = encode(&stored, settings.jpeg_quality)?;
    let thumbnail = encode(&shrink(&stored, settings.thumbnail_px), THUMBNAIL_QUALITY)?;
    Ok(Processed {
        sha256: hex::encode(Sha256::digest(&jpeg)),
        width: stored.width(),
        height: stored.height(),
        jpeg,
        thumbnail,
        camera_time,
    })
}

fn problem(e: ImageError) -> PhotoProblem {
    match e {
        ImageError::Limits(_) => PhotoProblem::TooManyPixels { width: 0, height: 0 },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => PhotoProblem::Truncated,
        other => {
            let text = other.to_string();
            if text.to_ascii_lowercase().contains("eof") || text.contains("end of file") {
                PhotoProblem::Truncated
            } else {
                PhotoProblem::Damaged(text)
            }
        }
    }
}

/// HEIF-family files (HEIC, HEIF, AVIF) start with an `ftyp` box naming their brand.
fn is_heif(b: &[u8]) -> bool {
    b.len() >= 12
        && &b[4..8] == b"ftyp"
        && matches!(&b[8..12], b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif" | b"avis")
}

/// Whether a JPEG reaches its end-of-image marker: walk the segments to the first scan,
/// then the entropy-coded data (and any segments between progressive scans).
fn jpeg_is_complete(b: &[u8]) -> bool {
    let segment_len = |i: usize| b.get(i + 2..i + 4).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])));
    let mut i = 2;
    loop {
        match (b.get(i), b.get(i + 1)) {
            (Some(0xFF), Some(0xFF)) => i += 1,
            (Some(0xFF), Some(0xD9)) => return true,
            (Some(0xFF), Some(&marker)) => {
                let Some(len) = segment_len(i) else { return false };
                i += 2 + len;
                if marker == 0xDA {
                    break;
                }
            }
            _ => return false,
        }
    }
    while i + 1 < b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        match b[i + 1] {
            0xD9 => return true,
            0x00 | 0xD0..=0xD7 => i += 2,
            0xFF => i += 1,
            _ => match segment_len(i) {
                Some(len) => i += 2 + len,
                None => return false,
            },
        }
    }
    false
}

/// The camera's DateTimeOriginal from a raw EXIF (TIFF) block.
fn camera_time(exif: Vec<u8>) -> Option<NaiveDateTime> {
    let exif = exif::Reader::new().read_raw(exif).ok()?;
    let field = exif.get_field(exif::Tag::DateTimeOriginal, exif::In::PRIMARY)?;
    let exif::Value::Ascii(ref parts) = field.value else { return None };
    let t = exif::DateTime::from_ascii(parts.first()?).ok()?;
    NaiveDate::from_ymd_opt(t.year.into(), t.month.into(), t.day.into())?
        .and_hms_opt(t.hour.into(), t.minute.into(), t.second.into())
}

/// Scales so the long edge is at most `long_edge` (never up).
fn shrink(img: &RgbImage, long_edge: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= long_edge {
        return img.clone();
    }
    let scale = f64::from(long_edge) / f64::from(long);
    let nw = ((f64::from(w) * scale).round() as u32).max(1);
    let nh = ((f64::from(h) * scale).round() as u32).max(1);
    image::imageops::resize(img, nw, nh, FilterType::Triangle)
}

fn encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoProblem> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| PhotoProblem::Damaged(e.to_string()))?;
    Ok(out)
}

/// The steps of storing a photo, in order; [`Store::add_photo_observed`] reports each
/// one as it completes, so tests can kill the process between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoStep {
    /// Decoded and re-encoded in memory.
    Processed,
    /// Both files written and synced under `photos/tmp/`.
    TempSynced,
    /// Both files renamed into place (the directory synced).
    Renamed,
    /// The row is committed.
    Recorded,
}

/// What the start-up check cleaned up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhotoCheck {
    /// Half-written temporary files removed.
    pub temp_files: usize,
    /// Rows of photos attached to nothing (and in no unsaved form) removed.
    pub unattached_rows: usize,
    /// Files with no row removed.
    pub orphan_files: usize,
    /// Rows whose file is missing (left for `verify` to report; a sign of tampering).
    pub missing_files: usize,
}

/// Whether `s` is a SHA-256 in lower-case hex: the only names served from the photo folder.
fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::File { path: path.to_path_buf(), source }
}

/// Writes `bytes` to a fresh file in `tmp` and syncs it; returns its path.
fn write_synced(tmp: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let path = tmp.join(format!("{}.part", Uuid::now_v7()));
    let mut file = File::create(&path).map_err(file_error(&path))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(file_error(&path))?;
    Ok(path)
}

/// Makes renames in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).map_err(file_error(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(crate) fn photo_from_row(r: &Row<'_>) -> rusqlite::Result<(Photo, Option<String>)> {
    Ok((
        Photo {
            sha256: r.get("sha256")?,
            bytes: r.get::<_, i64>("bytes")?.try_into().unwrap_or(0),
            width: r.get("width")?,
            height: r.get("height")?,
            taken_at: r.get("taken_at")?,
            camera_time: r.get("camera_time")?,
            place: None,
            device: r.get("device")?,
        },
        r.get("place")?,
    ))
}

/// A photo row read back, with its place parsed.
pub(crate) fn photo_with_place((mut photo, place): (Photo, Option<String>)) -> Result<Photo> {
    photo.place = place.map(|p| serde_json::from_str(&p)).transpose()?;
    Ok(photo)
}

impl Store {
    /// The folder the photos live in.
    pub fn photo_dir(&self) -> &Path {
        &self.photo_dir
    }

    fn photo_path(&self, sha256: &str, thumbnail: bool) -> PathBuf {
        self.photo_dir.join(if thumbnail { format!("{sha256}.thumb.jpg") } else { format!("{sha256}.jpg") })
    }

    /// Takes a photo for an open patrol: processes it, stores it once under its SHA-256 and
    /// returns it, ready to attach to an observation. `name` is the file's name, for errors.
    pub fn add_photo(&self, patrol: Uuid, name: &str, input: &[u8], now: DateTime<Utc>) -> Result<Photo> {
        self.add_photo_observed(patrol, name, input, now, |_| ())
    }

    /// [`Store::add_photo`], calling `step` after each step (for crash tests).
    #[doc(hidden)]
    pub fn add_photo_observed(
        &self,
        patrol: Uuid,
        name: &str,
        input: &[u8],
        now: DateTime<Utc>,
        step: impl Fn(PhotoStep),
    ) -> Result<Photo> {
        self.editable(patrol)?;
        let settings = self.photo_settings()?;
        let processed = process(input, &settings).map_err(|problem| Error::Photo { name: name.to_owned(), problem })?;
        step(PhotoStep::Processed);
        if let Some(existing) = self.photo(&processed.sha256)? {
            return Ok(existing); // the same photo again: stored once
        }

        let tmp = self.photo_dir.join("tmp");
        fs::create_dir_all(&tmp).map_err(file_error(&tmp))?;
        let thumb_tmp = write_synced(&tmp, &processed.thumbnail)?;
        let jpeg_tmp = write_synced(&tmp, &processed.jpeg)?;
        step(PhotoStep::TempSynced);
        // The thumbnail first: a row is only written once the photo itself is in place.
        for (from, to) in [(thumb_tmp, self.photo_path(&processed.sha256, true)), (jpeg_tmp, self.photo_path(&processed.sha256, false))] {
            fs::rename(&from, &to).map_err(file_error(&to))?;
        }
        sync_dir(&self.photo_dir)?;
        step(PhotoStep::Renamed);

        let place = self.last_fix(patrol)?;
        let photo = Photo {
            sha256: processed.sha256,
            bytes: processed.jpeg.len() as u64,
            width: processed.width,
            height: processed.height,
            taken_at: now,
            camera_time: processed.camera_time,
            place,
            device: format!("{}/{}", std::env::consts::OS, self.device_id()?),
        };
        self.conn().execute(
            "INSERT INTO photo (sha256, bytes, width, height, taken_at, camera_time, place, device)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (sha256) DO NOTHING",
            params![
                photo.sha256,
                photo.bytes as i64,
                photo.width,
                photo.height,
                photo.taken_at,
                photo.camera_time,
                photo.place.map(|p| serde_json::to_string(&p)).transpose()?,
                photo.device
            ],
        )?;
        step(PhotoStep::Recorded);
        tracing::info!(sha256 = %photo.sha256, bytes = photo.bytes, input = input.len(), "photo stored");
        Ok(photo)
    }

    /// A stored photo's record.
    pub fn photo(&self, sha256: &str) -> Result<Option<Photo>> {
        let row = self
            .conn()
            .query_row("SELECT * FROM photo WHERE sha256 = ?1", [sha256], photo_from_row)
            .optional()?;
        row.map(photo_with_place).transpose()
    }

    /// The stored JPEG (or its thumbnail).
    pub fn photo_bytes(&self, sha256: &str, thumbnail: bool) -> Result<Vec<u8>> {
        if !is_sha256_hex(sha256) || self.photo(sha256)?.is_none() {
            return Err(Error::NotFound(format!("photo {sha256}")));
        }
        let path = self.photo_path(sha256, thumbnail);
        fs::read(&path).map_err(file_error(&path))
    }

    /// The patrol's last kept fix, as the place a photo was taken.
    fn last_fix(&self, patrol: Uuid) -> Result<Option<PhotoPlace>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT lat, lon, accuracy_m, time FROM track_point WHERE patrol_id = ?1 ORDER BY seq DESC LIMIT 1",
                [patrol],
                |r| Ok(PhotoPlace { lat: r.get(0)?, lon: r.get(1)?, accuracy_m: r.get(2)?, fixed_at: r.get(3)? }),
            )
            .optional()?)
    }

    /// Checks the photos named exist, for attaching them to an observation.
    pub(crate) fn check_attachable(&self, photos: &[String]) -> Result<()> {
        if photos.len() > MAX_PER_OBSERVATION {
            return Err(Error::invalid("photo", ErrorCode::OutOfRange, format!("at most {MAX_PER_OBSERVATION} photos per record")));
        }
        for sha in photos {
            if self.photo(sha)?.is_none() {
                return Err(Error::NotFound(format!("photo {sha}")));
            }
        }
        Ok(())
    }

}

/// An observation's photos, in the order they were added.
pub(crate) fn observation_photos(conn: &rusqlite::Connection, observation: Uuid) -> Result<Vec<Photo>> {
    {
        let mut stmt = conn.prepare_cached(
            "SELECT p.* FROM observation_photo op JOIN photo p ON p.sha256 = op.sha256
             WHERE op.observation_id = ?1 ORDER BY op.position",
        )?;
        let rows = stmt.query_map([observation], photo_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(photo_with_place).collect()
    }
}

impl Store {
    /// Takes a photo off an observation of a patrol that is still open.
    pub fn remove_photo(&self, observation: Uuid, sha256: &str) -> Result<()> {
        let patrol: Uuid = self
            .conn()
            .query_row("SELECT patrol_id FROM observation WHERE id = ?1", [observation], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("observation {observation}")))?;
        self.editable(patrol)?;
        self.conn().execute(
            "DELETE FROM observation_photo WHERE observation_id = ?1 AND sha256 = ?2",
            params![observation, sha256],
        )?;
        Ok(())
    }

    /// Photos attached to records that the county does not hold yet.
    pub fn photo_backlog(&self) -> Result<PhotoBacklog> {
        Ok(self.conn().query_row(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM photo
             WHERE uploaded_at IS NULL AND EXISTS (SELECT 1 FROM observation_photo op WHERE op.sha256 = photo.sha256)",
            [],
            |r| Ok(PhotoBacklog { count: r.get(0)?, bytes: r.get::<_, i64>(1)?.try_into().unwrap_or(0) }),
        )?)
    }

    /// The start-up check: removes half-written files, photos attached to nothing (and not
    /// in an unsaved form), and files without a row. Run it before the UI can add photos.
    pub fn check_photos(&self) -> Result<PhotoCheck> {
        let mut check = PhotoCheck::default();
        let tmp = self.photo_dir.join("tmp");
        if let Ok(entries) = fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                if fs::remove_file(entry.path()).is_ok() {
                    check.temp_files += 1;
                }
            }
        }
        // A photo picked in a form that is not saved yet is named in that form's draft.
        check.unattached_rows = self.conn().execute(
            "DELETE FROM photo
             WHERE NOT EXISTS (SELECT 1 FROM observation_photo op WHERE op.sha256 = photo.sha256)
               AND NOT EXISTS (SELECT 1 FROM draft WHERE instr(draft.body, photo.sha256) > 0)",
            [],
        )?;
        let known: std::collections::HashSet<String> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT sha256 FROM photo")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            rows
        };
        if let Ok(entries) = fs::read_dir(&self.photo_dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(sha) = name.strip_suffix(".thumb.jpg").or_else(|| name.strip_suffix(".jpg")) else { continue };
                if is_sha256_hex(sha) && !known.contains(sha) && fs::remove_file(entry.path()).is_ok() {
                    check.orphan_files += 1;
                }
            }
        }
        check.missing_files = known.iter().filter(|sha| !self.photo_path(sha, false).exists()).count();
        if check != PhotoCheck::default() {
            tracing::warn!(?check, "photo check cleaned up");
        }
        Ok(check)
    }

    /// Whether a listed photo's file still has the hash it is named by (for `verify`).
    pub(crate) fn photo_intact(&self, sha256: &str) -> bool {
        fs::read(self.photo_path(sha256, false)).is_ok_and(|bytes| hex::encode(Sha256::digest(bytes)) == sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_off_jpeg_is_seen() {
        let img = RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let jpeg = encode(&img, 90).expect("encode");
        assert!(jpeg_is_complete(&jpeg));
        for cut in [jpeg.len() - 2, jpeg.len() / 2, 200] {
            assert!(!jpeg_is_complete(&jpeg[..cut]), "cut at {cut} of {}", jpeg.len());
        }
    }

    #[test]
    fn small_photos_are_not_scaled_up() {
        let img = RgbImage::new(300, 200);
        assert_eq!(shrink(&img, 1600).dimensions(), (300, 200));
        assert_eq!(shrink(&RgbImage::new(4000, 3000), 1600).dimensions(), (1600, 1200));
        assert_eq!(shrink(&RgbImage::new(3000, 4000), 320).dimensions(), (240, 320));
    }
}
