//! The compact track encoding for the sync (feature `track-codec`: the device that records
//! and sends tracks, and the county that draws them). Layout and version rule:
//! `docs/track-codec.md`.
//!
//! Coordinates in 1e-6 degree and altitude in decimetres as the error of a constant-velocity
//! prediction (delta of deltas); time (seconds or milliseconds) and accuracy as deltas; all
//! zigzag varints, laid out column by column, then zstd over the whole body.

use std::io::Read;

use chrono::{DateTime, Utc};
use crate::track::TrackPoint;

/// The first bytes of every encoded track.
pub const MAGIC: &[u8; 4] = b"RVTK";
/// The current format version.
pub const VERSION: u8 = 1;
/// Refuse to decode more points than this (a 24-hour day at 10 Hz, with margin).
pub const MAX_POINTS: u64 = 1_000_000;
const MAX_BODY: u64 = 64 << 20;
const ZSTD_LEVEL: i32 = 19;
const FLAG_NEW_SEGMENT: u8 = 1;
const FLAG_ALTITUDE: u8 = 2;

/// Why a buffer is not a track.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    /// It does not start with `RVTK`.
    #[error("not a Redvest track (bad magic)")]
    Magic,
    /// A version this build does not know.
    #[error("track format version {0} is newer than this app (knows {VERSION})")]
    Version(u8),
    /// zstd could not decompress it.
    #[error("compressed body is damaged: {0}")]
    Compression(String),
    /// The body ends in the middle of a value.
    #[error("track is truncated")]
    Truncated,
    /// A value is out of range (overflow, impossible coordinate or time).
    #[error("track is corrupt: {0}")]
    Corrupt(&'static str),
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CodecError> {
        let b = *self.bytes.get(self.pos).ok_or(CodecError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, CodecError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CodecError::Corrupt("varint longer than 64 bits"))
    }

    fn signed(&mut self) -> Result<i64, CodecError> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
}

/// Predicts each value from the previous two (constant velocity) and codes the error.
#[derive(Default)]
struct Channel {
    last: i64,
    delta: i64,
}

impl Channel {
    fn encode(&mut self, out: &mut Vec<u8>, value: i64) {
        let delta = value - self.last;
        put_signed(out, delta - self.delta);
        self.last = value;
        self.delta = delta;
    }

    fn decode(&mut self, r: &mut Reader<'_>) -> Result<i64, CodecError> {
        let dod = r.signed()?;
        let delta = self.delta.checked_add(dod).ok_or(CodecError::Corrupt("delta overflow"))?;
        let value = self.last.checked_add(delta).ok_or(CodecError::Corrupt("value overflow"))?;
        self.last = value;
        self.delta = delta;
        Ok(value)
    }
}

fn e6(deg: f64) -> i64 {
    (deg * 1e6).round() as i64
}

/// Encodes a track. Coordinates keep 1e-6 degree (~0.11 m), times milliseconds, accuracy
/// whole metres (capped at 255), altitude decimetres. Columns, not rows: each channel's
/// values sit together, which is what lets zstd find their repetition.
pub fn encode(points: &[TrackPoint]) -> Vec<u8> {
    // Phones at 1 Hz report whole seconds; then time is coded in seconds, else milliseconds.
    let time_unit: i64 = if points.iter().all(|p| p.time.timestamp_subsec_millis() == 0) { 1000 } else { 1 };
    let mut flags = Vec::with_capacity(points.len());
    let mut steps = Vec::new();
    let (mut times, mut lats, mut lons, mut accs, mut alts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut lat, mut lon, mut alt) = (Channel::default(), Channel::default(), Channel::default());
    let (mut last_time, mut last_acc) = (0i64, 0i64);
    let mut segment = 0;
    for p in points {
        let mut f = 0;
        if p.segment != segment {
            f |= FLAG_NEW_SEGMENT;
            put_varint(&mut steps, u64::from(p.segment.saturating_sub(segment)));
            segment = p.segment;
        }
        if let Some(a) = p.altitude_m {
            f |= FLAG_ALTITUDE;
            alt.encode(&mut alts, (a * 10.0).round() as i64);
        }
        flags.push(f);
        // Time and accuracy: plain deltas (their steps are irregular, so no prediction).
        let t = p.time.timestamp_millis() / time_unit;
        put_signed(&mut times, t - last_time);
        last_time = t;
        lat.encode(&mut lats, e6(p.lat));
        lon.encode(&mut lons, e6(p.lon));
        let acc = p.accuracy_m.round().clamp(0.0, 255.0) as i64;
        put_signed(&mut accs, acc - last_acc);
        last_acc = acc;
    }
    let mut body = Vec::with_capacity(points.len() * 6 + 16);
    put_varint(&mut body, points.len() as u64);
    put_varint(&mut body, time_unit as u64);
    for column in [&flags, &steps, &times, &lats, &lons, &accs, &alts] {
        body.extend_from_slice(column);
    }
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    // Compressing an in-memory buffer only fails on allocation failure.
    out.extend(zstd::bulk::compress(&body, ZSTD_LEVEL).unwrap_or_default());
    out
}

/// Decodes a track; damaged input gives an error, never a panic.
pub fn decode(bytes: &[u8]) -> Result<Vec<TrackPoint>, CodecError> {
    if bytes.len() < 5 || &bytes[..4] != MAGIC {
        return Err(CodecError::Magic);
    }
    if bytes[4] != VERSION {
        return Err(CodecError::Version(bytes[4]));
    }
    // Read at most MAX_BODY bytes, so a decompression bomb stops early.
    let mut body = Vec::new();
    let decoder = zstd::stream::read::Decoder::new(&bytes[5..]).map_err(|e| CodecError::Compression(e.to_string()))?;
    decoder
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|e| CodecError::Compression(e.to_string()))?;
    if body.len() as u64 > MAX_BODY {
        return Err(CodecError::Corrupt("body larger than any real track"));
    }
    let mut r = Reader { bytes: &body, pos: 0 };
    let n = r.varint()?;
    // Every point takes at least five bytes (flags, time, lat, lon, accuracy).
    if n > MAX_POINTS || n.saturating_mul(5) > body.len() as u64 {
        return Err(CodecError::Corrupt("point count larger than the body"));
    }
    let n = n as usize;
    let time_unit = match r.varint()? {
        1 => 1i64,
        1000 => 1000,
        _ => return Err(CodecError::Corrupt("unknown time unit")),
    };
    let flags: Vec<u8> = (0..n).map(|_| r.byte()).collect::<Result<_, _>>()?;
    if flags.iter().any(|f| f & !(FLAG_NEW_SEGMENT | FLAG_ALTITUDE) != 0) {
        return Err(CodecError::Corrupt("unknown flags"));
    }
    let mut segments = Vec::with_capacity(n);
    let mut segment: u32 = 0;
    for f in &flags {
        if f & FLAG_NEW_SEGMENT != 0 {
            let step = u32::try_from(r.varint()?).map_err(|_| CodecError::Corrupt("segment step"))?;
            segment = segment.checked_add(step).ok_or(CodecError::Corrupt("segment overflow"))?;
        }
        segments.push(segment);
    }
    let mut times = Vec::with_capacity(n);
    let mut t = 0i64;
    for _ in 0..n {
        t = t.checked_add(r.signed()?).ok_or(CodecError::Corrupt("time overflow"))?;
        let ms = t.checked_mul(time_unit).ok_or(CodecError::Corrupt("time overflow"))?;
        times.push(DateTime::<Utc>::from_timestamp_millis(ms).ok_or(CodecError::Corrupt("time out of range"))?);
    }
    let mut column = |limit: i64, what: &'static str| -> Result<Vec<i64>, CodecError> {
        let mut ch = Channel::default();
        let values = (0..n).map(|_| ch.decode(&mut r)).collect::<Result<Vec<_>, _>>()?;
        if values.iter().any(|v| v.abs() > limit) {
            return Err(CodecError::Corrupt(what));
        }
        Ok(values)
    };
    let lats = column(90_000_000, "latitude out of range")?;
    let lons = column(180_000_000, "longitude out of range")?;
    let mut accs = Vec::with_capacity(n);
    let mut acc = 0i64;
    for _ in 0..n {
        acc = acc.checked_add(r.signed()?).ok_or(CodecError::Corrupt("accuracy overflow"))?;
        if !(0..=255).contains(&acc) {
            return Err(CodecError::Corrupt("accuracy out of range"));
        }
        accs.push(acc);
    }
    let mut alt = Channel::default();
    let mut points = Vec::with_capacity(n);
    for i in 0..n {
        let altitude_m = if flags[i] & FLAG_ALTITUDE != 0 { Some(alt.decode(&mut r)? as f64 / 10.0) } else { None };
        points.push(TrackPoint {
            lat: lats[i] as f64 / 1e6,
            lon: lons[i] as f64 / 1e6,
            altitude_m,
            accuracy_m: accs[i] as f64,
            time: times[i],
            segment: segments[i],
        });
    }
    if r.pos != body.len() {
        return Err(CodecError::Corrupt("bytes after the last point"));
    }
    Ok(points)
}
