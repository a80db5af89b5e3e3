//! The desktop location source: fixes read from a GPX 1.1 or NMEA 0183 file, replayed.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use redvest_shared::track::{Fix, FixSource};

/// Why a replay file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not valid GPX.
    #[error("{path} is not valid GPX: {message}")]
    Gpx {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// No timed positions in it.
    #[error("{0} has no positions with a time; a replay needs timed track points or RMC sentences")]
    Empty(String),
}

/// Reads the timed positions of a `.gpx` or NMEA (`.nmea`, `.txt`, `.log`) file.
pub fn load(path: &Path) -> Result<Vec<Fix>, ReplayError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReplayError::Io { path: name.clone(), source })?;
    let is_gpx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpx"));
    let fixes = if is_gpx { from_gpx(&bytes, &name)? } else { from_nmea(&String::from_utf8_lossy(&bytes)) };
    if fixes.is_empty() {
        return Err(ReplayError::Empty(name));
    }
    Ok(fixes)
}

fn from_gpx(bytes: &[u8], name: &str) -> Result<Vec<Fix>, ReplayError> {
    let doc = gpx::read(bytes).map_err(|e| ReplayError::Gpx { path: name.into(), message: e.to_string() })?;
    let mut fixes = Vec::new();
    for point in doc.tracks.iter().flat_map(|t| &t.segments).flat_map(|s| &s.points) {
        let Some(time) = point.time.as_ref().and_then(|t| t.format().ok()) else { continue };
        let Ok(time) = DateTime::parse_from_rfc3339(&time) else { continue };
        let p = point.point();
        fixes.push(Fix {
            lat: p.y(),
            lon: p.x(),
            altitude_m: point.elevation,
            // GPX has no accuracy; hdop × 5 m is the usual rough conversion.
            accuracy_m: point.hdop.map_or(5.0, |h| h * 5.0),
            speed_mps: point.speed,
            bearing_deg: None,
            time: time.with_timezone(&Utc),
            source: FixSource::Replay,
        });
    }
    Ok(fixes)
}

/// RMC sentences give date, time, position, speed and course; a GGA just before adds
/// altitude and HDOP. Sentences that do not parse are skipped, as receivers emit noise.
fn from_nmea(text: &str) -> Vec<Fix> {
    use nmea0183::{ParseResult, Parser};
    let mut parser = Parser::new();
    let mut fixes = Vec::new();
    let (mut altitude, mut hdop) = (None, None);
    for line in text.lines().map(str::trim).filter(|l| l.starts_with('$')) {
        // The parser wants each sentence ended by CR LF, whatever the file used.
        let sentence = format!("{line}\r\n");
        for result in parser.parse_from_bytes(sentence.as_bytes()) {
            match result {
                Ok(ParseResult::GGA(Some(gga))) => {
                    altitude = gga.altitude.map(|a| f64::from(a.meters));
                    hdop = Some(f64::from(gga.hdop));
                }
                Ok(ParseResult::RMC(Some(rmc))) => {
                    let (d, t) = (&rmc.datetime.date, &rmc.datetime.time);
                    let Some(time) = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                        .and_then(|date| date.and_hms_opt(u32::from(t.hours), u32::from(t.minutes), 0))
                        .map(|dt| dt.and_utc() + chrono::Duration::milliseconds((f64::from(t.seconds) * 1000.0).round() as i64))
                    else {
                        continue;
                    };
                    fixes.push(Fix {
                        lat: rmc.latitude.as_f64(),
                        lon: rmc.longitude.as_f64(),
                        altitude_m: altitude,
                        accuracy_m: hdop.map_or(5.0, |h| h * 5.0),
                        speed_mps: Some(f64::from(rmc.speed.as_mps())),
                        bearing_deg: rmc.course.map(|c| f64::from(c.degrees)),
                        time,
                        source: FixSource::Replay,
                    });
                }
                _ => {}
            }
        }
    }
    fixes
}

/// The same fixes moved in time so the first is at `start`, intervals kept: a replay
/// looks like a walk happening now (the recorder refuses fixes far from the clock).
pub fn retime(fixes: &[Fix], start: DateTime<Utc>) -> Vec<Fix> {
    let Some(first) = fixes.first().map(|f| f.time) else { return Vec::new() };
    fixes.iter().map(|f| Fix { time: start + (f.time - first), ..f.clone() }).collect()
}
