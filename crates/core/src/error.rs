//! Errors of the device store.

use std::path::PathBuf;

/// Why the device store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was written by a newer Redvest. It is left exactly as it was.
    #[error(
        "the database {path} has schema version {found}, but this app only knows up to {supported}; \
         install the newer app version (the database was not changed)"
    )]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: usize,
        /// The newest schema version this build knows.
        supported: usize,
    },
    /// The embedded migrations are malformed (a build problem, caught by the tests).
    #[error("the embedded migrations are invalid: {0}")]
    Migrations(#[source] rusqlite_migration::Error),
    /// Opening, reading or writing SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl From<rusqlite_migration::Error> for StoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::Sqlite(err),
            other => StoreError::Migrations(other),
        }
    }
}
