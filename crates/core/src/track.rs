//! The track recorder: which fixes to keep, storing each kept one durably, and the summary.

use chrono::{DateTime, Utc};
use redvest_shared::observation::Spot;
use redvest_shared::track::{Decision, DropReason, Fix, Gap, TrackPoint, TrackSettings, TrackSummary};
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use crate::field::{enum_from, enum_text};
use crate::{Error, Result, Store};

pub use redvest_shared::track::distance_m;

/// How old the newest fix may be for 用我的位置 to offer it.
pub const SPOT_FRESH_FOR: chrono::Duration = chrono::Duration::minutes(10);

/// Decides what to do with `fix`, given the last kept point and when the last fix (kept or
/// not) arrived. Pure: the rules in one place.
pub fn decide(
    settings: &TrackSettings,
    last: Option<&TrackPoint>,
    last_received: Option<DateTime<Utc>>,
    fix: &Fix,
    now: DateTime<Utc>,
) -> Decision {
    use Decision::*;
    let valid = fix.lat.is_finite()
        && fix.lon.is_finite()
        && (-90.0..=90.0).contains(&fix.lat)
        && (-180.0..=180.0).contains(&fix.lon)
        && fix.accuracy_m.is_finite()
        && fix.accuracy_m >= 0.0
        // The geolocation plugin's desktop stub: (0, 0) at the epoch with accuracy 0.
        && !(fix.lat == 0.0 && fix.lon == 0.0)
        && fix.time.timestamp() != 0;
    if !valid {
        return Dropped(DropReason::Invalid);
    }
    if (fix.time - now).num_seconds().abs() > settings.max_clock_skew_s {
        return Dropped(DropReason::ClockSkew);
    }
    if fix.accuracy_m > settings.max_accuracy_m {
        return Dropped(DropReason::Inaccurate);
    }
    let Some(last) = last else { return Kept { segment: 0 } };
    let dt_ms = (fix.time - last.time).num_milliseconds();
    if dt_ms < 0 {
        return Dropped(DropReason::OutOfOrder);
    }
    if dt_ms == 0 {
        return Dropped(DropReason::Duplicate);
    }
    let dist = distance_m(last.lat, last.lon, fix.lat, fix.lon);
    let dt_s = dt_ms as f64 / 1000.0;
    // A pause in fixes, not time standing still (which keeps sending fixes), breaks the line.
    if last_received.is_some_and(|r| (now - r).num_seconds() > settings.max_gap_s) {
        return Kept { segment: last.segment + 1 };
    }
    if dist / dt_s > settings.mode.max_speed_mps() {
        return Dropped(DropReason::TooFast);
    }
    if dist > settings.max_jump_m {
        return Kept { segment: last.segment + 1 };
    }
    if dist < settings.min_move_m {
        return Dropped(DropReason::Stationary);
    }
    Kept { segment: last.segment }
}

/// A track's numbers from its points alone (no dropped fixes or gaps: those are known only
/// where it was recorded).
pub fn summarise(points: &[TrackPoint], settings: &TrackSettings) -> TrackSummary {
    let (distance_m, moving_s) = measure(points, settings);
    TrackSummary {
        fixes: u32::try_from(points.len()).unwrap_or(u32::MAX),
        segments: points.last().map_or(0, |p| p.segment + 1),
        distance_m,
        moving_s,
        elapsed_s: match (points.first(), points.last()) {
            (Some(a), Some(b)) => (b.time - a.time).num_seconds(),
            _ => 0,
        },
        dropped: vec![],
        gaps: vec![],
        last_accuracy_m: points.last().map(|p| p.accuracy_m),
        last_received_at: None,
    }
}

/// Distance within segments, and time moving (kept fixes close together in time).
pub fn measure(points: &[TrackPoint], settings: &TrackSettings) -> (f64, i64) {
    let mut distance = 0.0;
    let mut moving = 0;
    for pair in points.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.segment != b.segment {
            continue;
        }
        distance += distance_m(a.lat, a.lon, b.lat, b.lon);
        let dt = (b.time - a.time).num_seconds();
        if dt <= settings.idle_after_s {
            moving += dt;
        }
    }
    (distance, moving)
}

fn insert_point(tx: &rusqlite::Transaction<'_>, patrol: Uuid, seq: i64, segment: u32, fix: &Fix) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO track_point (patrol_id, seq, segment, lat, lon, altitude_m, accuracy_m, time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![patrol, seq, segment, fix.lat, fix.lon, fix.altitude_m, fix.accuracy_m, fix.time])?;
    Ok(())
}

impl Store {
    fn last_point(&self, patrol: Uuid) -> Result<Option<(i64, TrackPoint)>> {
        let row = self
            .conn()
            .query_row(
                "SELECT seq, lat, lon, altitude_m, accuracy_m, time, segment FROM track_point
                 WHERE patrol_id = ?1 ORDER BY seq DESC LIMIT 1",
                [patrol],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        TrackPoint {
                            lat: r.get(1)?,
                            lon: r.get(2)?,
                            altitude_m: r.get(3)?,
                            accuracy_m: r.get(4)?,
                            time: r.get(5)?,
                            segment: r.get(6)?,
                        },
                    ))
                },
            )
            .optional()?;
        Ok(row)
    }

    /// Feeds one fix to a patrol's track. A kept fix is committed to disk before this
    /// returns; a pause since the last fix received is recorded as a gap.
    pub fn record_fix(&self, patrol: Uuid, fix: &Fix, settings: &TrackSettings, now: DateTime<Utc>) -> Result<Decision> {
        let decisions = self.record_fixes(patrol, std::slice::from_ref(fix), settings, |_| now)?;
        decisions.into_iter().next().ok_or_else(|| Error::Corrupt("no decision".into()))
    }

    /// Feeds a batch of fixes (a replay, or a burst the OS delivered at once) in one
    /// transaction; `now_of` gives the device clock at each fix's arrival.
    pub fn record_fixes(
        &self,
        patrol: Uuid,
        fixes: &[Fix],
        settings: &TrackSettings,
        now_of: impl Fn(&Fix) -> DateTime<Utc>,
    ) -> Result<Vec<Decision>> {
        let state = self.patrol_state(patrol)?;
        if !state.is_editable() {
            return Err(Error::WrongState(format!("patrol {patrol} is {state:?}; its track is closed")));
        }
        let mut last = self.last_point(patrol)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut last_received: Option<DateTime<Utc>> = tx
            .query_row("SELECT last_received_at FROM track_state WHERE patrol_id = ?1", [patrol], |r| r.get(0))
            .optional()?;
        let mut pending = None;
        let mut decisions = Vec::with_capacity(fixes.len());
        for fix in fixes {
            let now = now_of(fix);
            let decision = decide(settings, last.as_ref().map(|(_, p)| p), last_received, fix, now);
            // Gaps are judged on the phone's clock, so a relaunch after a crash shows as one.
            if let Some(prev) = last_received {
                let seconds = (now - prev).num_seconds();
                if seconds > settings.gap_report_s {
                    tx.execute("INSERT INTO track_gap (patrol_id, start, seconds) VALUES (?1, ?2, ?3)", params![patrol, prev, seconds])?;
                }
            }
            last_received = Some(now);
            pending = None;
            match decision {
                Decision::Kept { segment } => {
                    let seq = last.as_ref().map_or(0, |(s, _)| s + 1);
                    insert_point(&tx, patrol, seq, segment, fix)?;
                    let point = TrackPoint { lat: fix.lat, lon: fix.lon, altitude_m: fix.altitude_m, accuracy_m: fix.accuracy_m, time: fix.time, segment };
                    last = Some((seq, point));
                }
                Decision::Dropped(reason) => {
                    if reason == DropReason::Stationary {
                        pending = Some(serde_json::to_string(fix)?);
                    }
                    tx.prepare_cached(
                        "INSERT INTO track_drop (patrol_id, reason, count) VALUES (?1, ?2, 1)
                         ON CONFLICT (patrol_id, reason) DO UPDATE SET count = count + 1",
                    )?
                    .execute(params![patrol, enum_text(&reason)?])?;
                }
            }
            decisions.push(decision);
        }
        if let Some(now) = last_received {
            tx.execute(
                "INSERT INTO track_state (patrol_id, last_received_at, pending_fix) VALUES (?1, ?2, ?3)
                 ON CONFLICT (patrol_id) DO UPDATE SET last_received_at = excluded.last_received_at, pending_fix = excluded.pending_fix",
                params![patrol, now, pending],
            )?;
        }
        tx.commit()?;
        Ok(decisions)
    }

    /// The newest fix received that was dropped for standing still, kept for `close_track`.
    fn pending_fix(&self, patrol: Uuid) -> Result<Option<Fix>> {
        let pending: Option<Option<String>> = self
            .conn()
            .query_row("SELECT pending_fix FROM track_state WHERE patrol_id = ?1", [patrol], |r| r.get(0))
            .optional()?;
        Ok(pending.flatten().map(|fix| serde_json::from_str(&fix)).transpose()?)
    }

    /// Where the phone is, for a hazard's 用我的位置: the newer of the track's last point and
    /// a fix held back for standing still (a volunteer stands still at a hazard). `None`
    /// before the first fix, and when the newest is older than [`SPOT_FRESH_FOR`] (a patrol
    /// reopened later is not where it was).
    pub fn last_spot(&self, patrol: Uuid, now: DateTime<Utc>) -> Result<Option<Spot>> {
        let point = self.last_point(patrol)?.map(|(_, p)| Spot::new(p.lat, p.lon, p.accuracy_m, p.time));
        let held = self.pending_fix(patrol)?.map(|f| Spot::new(f.lat, f.lon, f.accuracy_m, f.time));
        let newest = match (point, held) {
            (Some(point), Some(held)) => Some(if held.at > point.at { held } else { point }),
            (point, held) => point.or(held),
        };
        Ok(newest.filter(|spot| now - spot.at <= SPOT_FRESH_FOR))
    }

    /// Ends a track: the last fix received is kept even if it was dropped for standing still,
    /// so the track ends where the patrol did. Returns whether a point was added.
    pub fn close_track(&self, patrol: Uuid) -> Result<bool> {
        let Some(fix) = self.pending_fix(patrol)? else { return Ok(false) };
        let last = self.last_point(patrol)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some((seq, point)) = last {
            if fix.time > point.time {
                insert_point(&tx, patrol, seq + 1, point.segment, &fix)?;
            }
        }
        tx.execute("UPDATE track_state SET pending_fix = NULL WHERE patrol_id = ?1", [patrol])?;
        tx.commit()?;
        Ok(true)
    }

    /// The recorder settings for a patrol: this device's thresholds, by vehicle in the
    /// industrial zone and on foot elsewhere.
    pub fn track_settings(&self, patrol: Uuid) -> Result<TrackSettings> {
        let key: Option<String> =
            self.conn().query_row("SELECT assignment FROM patrol WHERE id = ?1", [patrol], |r| r.get(0)).optional()?;
        let key = key.ok_or_else(|| Error::NotFound(format!("patrol {patrol}")))?;
        let assignment = redvest_shared::duty::Assignment::from_key(&key).ok_or_else(|| Error::Corrupt(format!("assignment {key:?}")))?;
        Ok(TrackSettings { mode: TrackSettings::for_assignment(assignment).mode, ..self.track_defaults()? })
    }

    /// A patrol's kept fixes, in order.
    pub fn track(&self, patrol: Uuid) -> Result<Vec<TrackPoint>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT lat, lon, altitude_m, accuracy_m, time, segment FROM track_point WHERE patrol_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([patrol], |r| {
            Ok(TrackPoint { lat: r.get(0)?, lon: r.get(1)?, altitude_m: r.get(2)?, accuracy_m: r.get(3)?, time: r.get(4)?, segment: r.get(5)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Distance, times, segments, dropped fixes and gaps of a patrol's track.
    pub fn track_summary(&self, patrol: Uuid, settings: &TrackSettings) -> Result<TrackSummary> {
        let points = self.track(patrol)?;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT reason, count FROM track_drop WHERE patrol_id = ?1 ORDER BY reason")?;
        let dropped = stmt
            .query_map([patrol], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
            .map(|row| {
                let (reason, n) = row?;
                Ok((enum_from::<DropReason>(&reason)?, n))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut stmt = conn.prepare_cached("SELECT start, seconds FROM track_gap WHERE patrol_id = ?1 ORDER BY start")?;
        let gaps = stmt
            .query_map([patrol], |r| Ok(Gap { start: r.get(0)?, seconds: r.get(1)? }))?
            .collect::<Result<Vec<_>, _>>()?;
        let last_received_at = conn
            .query_row("SELECT last_received_at FROM track_state WHERE patrol_id = ?1", [patrol], |r| r.get(0))
            .optional()?;
        Ok(TrackSummary { dropped, gaps, last_received_at, ..summarise(&points, settings) })
    }
}
