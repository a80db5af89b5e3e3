//! Hazard photos: what is kept about each one, and the settings that shape them.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// How photos are shrunk before they are stored (and later sent over 2G).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoSettings {
    /// The long edge of the stored photo, in pixels; larger photos are scaled down.
    pub long_edge_px: u32,
    /// JPEG quality of the stored photo, 1–100.
    pub jpeg_quality: u8,
    /// The long edge of the thumbnail, in pixels.
    pub thumbnail_px: u32,
}

impl Default for PhotoSettings {
    fn default() -> Self {
        Self { long_edge_px: 1600, jpeg_quality: 80, thumbnail_px: 320 }
    }
}

/// Where the device was when the photo was attached: the patrol's last recorded fix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PhotoPlace {
    /// Latitude, WGS 84 degrees.
    pub lat: f64,
    /// Longitude, WGS 84 degrees.
    pub lon: f64,
    /// Horizontal accuracy of the fix, metres.
    pub accuracy_m: f64,
    /// When that fix was taken.
    pub fixed_at: DateTime<Utc>,
}

/// A stored photo. Its SHA-256 names the file, and a signed record lists it, so a swapped
/// photo no longer matches what was signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    /// SHA-256 of the stored JPEG, lower-case hex.
    pub sha256: String,
    /// Size of the stored JPEG.
    pub bytes: u64,
    /// Width after orientation and scaling.
    pub width: u32,
    /// Height after orientation and scaling.
    pub height: u32,
    /// When the device took it in (the device clock, UTC).
    pub taken_at: DateTime<Utc>,
    /// The camera's own time (EXIF DateTimeOriginal, local time, no zone), if it had one.
    pub camera_time: Option<NaiveDateTime>,
    /// Where the patrol last had a fix, if it had one.
    pub place: Option<PhotoPlace>,
    /// Which device stored it (`os/device-id`).
    pub device: String,
}

/// Photos that have not reached the county yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoBacklog {
    /// How many.
    pub count: u32,
    /// Their stored size in bytes.
    pub bytes: u64,
}

/// The largest file accepted from the camera or the gallery.
pub const MAX_INPUT_BYTES: usize = 30 * 1024 * 1024;

/// The most pixels a photo may decode to (8000 × 8000): a 48–50 MP phone photo fits; a
/// "decompression bomb" (huge dimensions in a small file) does not.
pub const MAX_PIXELS: u64 = 64_000_000;
