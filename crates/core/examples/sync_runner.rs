//! Runs one sync of the device database named on the command line, with small photo chunks
//! and a new connection per request. The county's crash test kills it with SIGKILL in the
//! middle of a photo upload, like a phone whose app is swiped away.

use std::time::Duration;

use redvest_core::sync::{sync_once, SyncOptions};
use redvest_core::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = std::env::args().nth(1).ok_or("usage: sync_runner <db>")?;
    let store = Store::open(db)?;
    let options = SyncOptions { timeout: Duration::from_secs(60), chunk: 16 * 1024, batch: 20, fresh_connections: true };
    let report = sync_once(&store, options, &|_| {})?;
    println!("{report:?}");
    Ok(())
}
