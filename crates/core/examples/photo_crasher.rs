//! Stores one photo in the first patrol of a database and aborts the process right after the
//! step named on the command line (`processed`, `temp_synced`, `renamed`, `recorded`), like a
//! phone killed mid-save. The atomicity test then reopens the database and checks it.

use redvest_core::photo::PhotoStep;
use redvest_core::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(photo), Some(stop)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: photo_crasher <db> <photo> <processed|temp_synced|renamed|recorded>".into());
    };
    let stop = match stop.as_str() {
        "processed" => PhotoStep::Processed,
        "temp_synced" => PhotoStep::TempSynced,
        "renamed" => PhotoStep::Renamed,
        "recorded" => PhotoStep::Recorded,
        other => return Err(format!("unknown step {other}").into()),
    };
    let store = Store::open(&db)?;
    let patrol = store.list_patrols()?.first().ok_or("no patrol in the database")?.id;
    let input = std::fs::read(&photo)?;
    store.add_photo_observed(patrol, &photo, &input, chrono::Utc::now(), |step| {
        if step == stop {
            std::process::abort();
        }
    })?;
    Err("the photo was stored without reaching the step to stop at".into())
}
