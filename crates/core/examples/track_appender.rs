//! Appends fixes to the first patrol of a database forever, printing the count after each
//! commit. The crash test kills it with SIGKILL mid-stream and counts what survived.

use chrono::{Duration, TimeZone, Utc};
use redvest_core::Store;
use redvest_shared::track::{Fix, FixSource, TrackSettings};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: track_appender <db>")?;
    let store = Store::open(&path)?;
    let patrol = store.list_patrols()?.first().ok_or("no patrol in the database")?.id;
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).single().ok_or("time")?;
    let settings = TrackSettings::default();
    for i in 0i64.. {
        let time = start + Duration::seconds(i * 5);
        let fix = Fix {
            lat: 29.9321 + i as f64 * 12.0 / 111_320.0,
            lon: 107.8812,
            altitude_m: None,
            accuracy_m: 5.0,
            speed_mps: None,
            bearing_deg: None,
            time,
            source: FixSource::Replay,
        };
        store.record_fix(patrol, &fix, &settings, time)?;
        println!("{}", i + 1);
    }
    Ok(())
}
