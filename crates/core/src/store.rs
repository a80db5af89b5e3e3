//! The device SQLite database: opening it, migrating it, and the connection everyone shares.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use include_dir::{include_dir, Dir};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, SchemaVersion};

use crate::error::Error;

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../migrations");

/// The device schema, from `migrations/NN-name/up.sql`; the version is SQLite's `user_version`.
fn migrations() -> Result<Migrations<'static>, Error> {
    Ok(Migrations::from_directory(&MIGRATIONS_DIR)?)
}

/// The newest schema version this build knows.
pub fn schema_version() -> usize {
    MIGRATIONS_DIR.dirs().count()
}

/// The device's local store. One per app; cheap to share behind a reference.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// Where photos live: `photos/` beside the database.
    pub(crate) photo_dir: PathBuf,
    /// Until when, and by which leader, the team's settings are unlocked (`settings_lock`).
    /// In memory only: a restarted app starts locked.
    settings_unlocked: Mutex<Option<(chrono::DateTime<chrono::Utc>, String)>>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// A database written by a newer app is refused with [`Error::SchemaTooNew`]
    /// before anything is written to it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path)?;
        Self::init(conn, path)
    }

    /// An in-memory store, for tests and benchmarks. Its photos go to a fresh folder
    /// under the system's temporary directory.
    pub fn open_in_memory() -> Result<Self, Error> {
        let mut store = Self::init(Connection::open_in_memory()?, PathBuf::from(":memory:"))?;
        store.photo_dir = std::env::temp_dir().join(format!("redvest-photos-{}", uuid::Uuid::now_v7()));
        Ok(store)
    }

    fn init(mut conn: Connection, path: PathBuf) -> Result<Self, Error> {
        let migrations = migrations()?;
        if let SchemaVersion::Outside(found) = migrations.current_version(&conn)? {
            return Err(Error::SchemaTooNew {
                path,
                found: found.get(),
                supported: schema_version(),
            });
        }
        // WAL keeps readers off the writer's back; FULL makes a commit survive power loss,
        // which is the promise the UI makes when it shows "saved".
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations.to_latest(&mut conn)?;
        tracing::info!(path = %path.display(), version = schema_version(), "device store open");
        let photo_dir = path.parent().unwrap_or(Path::new(".")).join("photos");
        Ok(Self { conn: Mutex::new(conn), path, photo_dir, settings_unlocked: Mutex::new(None) })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The settings lock's state (see `settings_lock`).
    pub(crate) fn unlocked(&self) -> MutexGuard<'_, Option<(chrono::DateTime<chrono::Utc>, String)>> {
        self.settings_unlocked.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The connection, for the modules that read and write their own tables.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (the transaction
        // rolls back), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().expect("load").validate().expect("validate");
        assert!(schema_version() >= 1);
    }

    #[test]
    fn fresh_database_is_migrated_to_latest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path().join("db.sqlite3")).expect("open");
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("user_version");
        assert_eq!(v, schema_version() as i64);
    }

    #[test]
    fn newer_schema_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite3");
        drop(Store::open(&path).expect("open"));
        let newer = schema_version() + 3;
        {
            let conn = Connection::open(&path).expect("raw open");
            conn.pragma_update(None, "user_version", newer as i64).expect("bump");
        }
        let before = std::fs::read(&path).expect("read");

        let err = Store::open(&path).err().expect("a newer schema must be refused");
        match &err {
            Error::SchemaTooNew { found, supported, .. } => {
                assert_eq!(*found, newer);
                assert_eq!(*supported, schema_version());
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        assert!(err.to_string().contains("install the newer app version"));
        assert_eq!(std::fs::read(&path).expect("read"), before, "file must not change");
    }
}
