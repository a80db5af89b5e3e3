//! GPS tracks: the fixes a patrol records, the recorder's settings, and its health summary.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a fix came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixSource {
    /// The phone's location service (tauri-plugin-geolocation).
    Gps,
    /// A GPX or NMEA file replayed (desktop, tests, demos).
    Replay,
}

/// One position fix as a location source reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// Latitude, degrees (WGS 84).
    pub lat: f64,
    /// Longitude, degrees (WGS 84).
    pub lon: f64,
    /// Altitude above the ellipsoid or sea level, metres, if known.
    pub altitude_m: Option<f64>,
    /// Horizontal accuracy (radius), metres.
    pub accuracy_m: f64,
    /// Ground speed, m/s, if reported.
    pub speed_mps: Option<f64>,
    /// Course over ground, degrees, if reported.
    pub bearing_deg: Option<f64>,
    /// When the fix was taken.
    pub time: DateTime<Utc>,
    /// Which source.
    pub source: FixSource,
}

/// How the patrol moves, which bounds a plausible speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    /// Walking (door to door, school gate, night patrol).
    OnFoot,
    /// By vehicle (the weekly industrial-zone patrol of seed 004).
    Vehicle,
}

impl TravelMode {
    /// The fastest believable speed, m/s: a run on foot, a fast road in a vehicle.
    pub fn max_speed_mps(self) -> f64 {
        match self {
            TravelMode::OnFoot => 7.0,
            TravelMode::Vehicle => 45.0,
        }
    }
}

/// The recorder's thresholds (each a setting; these are the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrackSettings {
    /// Drop fixes whose accuracy is worse than this, metres.
    pub max_accuracy_m: f64,
    /// Keep a fix only after this much movement from the last kept one, metres.
    pub min_move_m: f64,
    /// A jump longer than this starts a new segment, metres.
    pub max_jump_m: f64,
    /// A pause in fixes longer than this starts a new segment, seconds.
    pub max_gap_s: i64,
    /// A pause in fixes longer than this is listed in the health summary, seconds.
    pub gap_report_s: i64,
    /// Drop fixes whose time is further than this from the device clock, seconds.
    pub max_clock_skew_s: i64,
    /// Time between kept fixes longer than this is idle, not moving, seconds.
    pub idle_after_s: i64,
    /// On foot or by vehicle.
    pub mode: TravelMode,
}

impl TrackSettings {
    /// The defaults, by vehicle for the industrial zone (seed 004: weekly, by vehicle on a
    /// planned route) and on foot everywhere else.
    pub fn for_assignment(assignment: crate::duty::Assignment) -> Self {
        let mode = match assignment {
            crate::duty::Assignment::Zone(crate::duty::Zone::Industrial) => TravelMode::Vehicle,
            _ => TravelMode::OnFoot,
        };
        Self { mode, ..Self::default() }
    }
}

impl Default for TrackSettings {
    fn default() -> Self {
        Self {
            max_accuracy_m: 50.0,
            min_move_m: 10.0,
            max_jump_m: 200.0,
            max_gap_s: 300,
            gap_report_s: 120,
            max_clock_skew_s: 600,
            idle_after_s: 30,
            mode: TravelMode::OnFoot,
        }
    }
}

/// Why a fix was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Not a position: (0, 0) at time 0 (what the plugin returns on desktop), NaN, out of range.
    Invalid,
    /// Accuracy worse than the setting.
    Inaccurate,
    /// Time far from the device clock.
    ClockSkew,
    /// Older than the last kept fix.
    OutOfOrder,
    /// Same time as the last kept fix.
    Duplicate,
    /// Less movement than the setting: standing still.
    Stationary,
    /// Faster than the travel mode allows.
    TooFast,
}

/// A kept fix, as stored and drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Altitude, metres, if known.
    pub altitude_m: Option<f64>,
    /// Accuracy, metres.
    pub accuracy_m: f64,
    /// When.
    pub time: DateTime<Utc>,
    /// Which segment (0-based); a jump or a long pause starts the next.
    pub segment: u32,
}

/// A stretch with no fixes while recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The last fix before it.
    pub start: DateTime<Utc>,
    /// How long, seconds.
    pub seconds: i64,
}

/// What the recorder did with a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Kept, in this segment.
    Kept {
        /// The segment it belongs to.
        segment: u32,
    },
    /// Not kept.
    Dropped(DropReason),
}

/// The numbers a leader checks: how far, how long, and where the track is thin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackSummary {
    /// Kept fixes.
    pub fixes: u32,
    /// Segments.
    pub segments: u32,
    /// Distance on the ellipsoid within segments, metres.
    pub distance_m: f64,
    /// Time moving, seconds.
    pub moving_s: i64,
    /// First to last kept fix, seconds.
    pub elapsed_s: i64,
    /// Dropped fixes by reason.
    pub dropped: Vec<(DropReason, u32)>,
    /// Pauses longer than the report setting.
    pub gaps: Vec<Gap>,
    /// Accuracy of the newest kept fix.
    pub last_accuracy_m: Option<f64>,
    /// Time of the newest fix received (kept or not).
    pub last_received_at: Option<DateTime<Utc>>,
}

/// Where a patrol's positions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    /// The phone's location service.
    Device,
    /// A replayed file (desktop, tests, demos).
    Replay,
}

/// The answer to the location permission request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationPermission {
    /// Allowed.
    Granted,
    /// Refused: the patrol goes on without a track.
    Denied,
    /// No answer (desktop has no location service; the OS may still ask later).
    NotAnswered,
}

/// What starting the location source did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationStatus {
    /// Device or replay.
    pub source: LocationSource,
    /// The permission state.
    pub permission: LocationPermission,
}

/// A track scaled into a `w`×`h` picture with a margin of `pad` (equirectangular at the
/// track's latitude: fine at a patrol's scale): each segment's points as the text of an SVG
/// `points` attribute, so gaps show as gaps, and where it starts and ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// One `x,y x,y …` per segment.
    pub segments: Vec<String>,
    /// The first point.
    pub start: (f64, f64),
    /// The last point.
    pub end: (f64, f64),
}

/// Draws `points` (see [`Drawn`]); `None` for an empty track.
pub fn draw(points: &[TrackPoint], w: f64, h: f64, pad: f64) -> Option<Drawn> {
    let (first, last) = (points.first()?, points.last()?);
    let (min_lat, max_lat) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.lat), b.max(p.lat)));
    let (min_lon, max_lon) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.lon), b.max(p.lon)));
    let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let span_x = ((max_lon - min_lon) * k).max(1e-9);
    let span_y = (max_lat - min_lat).max(1e-9);
    let scale = ((w - 2.0 * pad) / span_x).min((h - 2.0 * pad) / span_y);
    let xy = |p: &TrackPoint| (pad + (p.lon - min_lon) * k * scale, h - pad - (p.lat - min_lat) * scale);
    let segments = points
        .chunk_by(|a, b| a.segment == b.segment)
        .map(|seg| seg.iter().map(|p| { let (x, y) = xy(p); format!("{x:.1},{y:.1}") }).collect::<Vec<_>>().join(" "))
        .collect();
    Some(Drawn { segments, start: xy(first), end: xy(last) })
}

/// Distance on the WGS 84 ellipsoid, metres (Karney's algorithm): the one measure the phone's
/// summary and the county's reports use.
#[cfg(feature = "track-codec")]
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    use geographiclib_rs::{Geodesic, InverseGeodesic};
    let s12: f64 = Geodesic::wgs84().inverse(lat1, lon1, lat2, lon2);
    s12
}

/// Distance patrolled, metres: along the kept points within each segment (a jump or a long
/// pause between segments was not walked).
#[cfg(feature = "track-codec")]
pub fn distance_within_segments(points: &[TrackPoint]) -> f64 {
    points.windows(2).filter(|p| p[0].segment == p[1].segment).map(|p| distance_m(p[0].lat, p[0].lon, p[1].lat, p[1].lon)).sum()
}
