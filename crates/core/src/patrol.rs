//! Patrols (巡查): starting one and listing them.

use chrono::{DateTime, Utc};
use redvest_shared::PatrolSummary;
use rusqlite::params;
use uuid::Uuid;

use crate::{Store, StoreError};

impl Store {
    /// Starts a patrol at `started_at` and returns it once it is committed to disk.
    pub fn start_patrol(&self, started_at: DateTime<Utc>) -> Result<PatrolSummary, StoreError> {
        let patrol = PatrolSummary { id: Uuid::now_v7(), started_at };
        self.conn().execute(
            "INSERT INTO patrol (id, started_at) VALUES (?1, ?2)",
            params![patrol.id, patrol.started_at],
        )?;
        Ok(patrol)
    }

    /// All patrols on this device, newest first.
    pub fn list_patrols(&self) -> Result<Vec<PatrolSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT id, started_at FROM patrol ORDER BY started_at DESC, id DESC")?;
        let rows = stmt.query_map([], |row| {
            Ok(PatrolSummary { id: row.get(0)?, started_at: row.get(1)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn started_patrol_is_listed_after_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite3");
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).single().expect("time");
        let started = Store::open(&path).expect("open").start_patrol(at).expect("start");
        assert_eq!(started.id.get_version_num(), 7);

        let listed = Store::open(&path).expect("reopen").list_patrols().expect("list");
        assert_eq!(listed, vec![started]);
    }

    #[test]
    fn newest_patrol_comes_first() {
        let store = Store::open_in_memory().expect("open");
        let early = Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).single().expect("time");
        let late = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).single().expect("time");
        let a = store.start_patrol(early).expect("a");
        let b = store.start_patrol(late).expect("b");
        assert_eq!(store.list_patrols().expect("list"), vec![b, a]);
    }
}
