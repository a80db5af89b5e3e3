//! Errors of the core.

use std::path::PathBuf;

use redvest_shared::ErrorCode;

/// Why the core could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
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
    /// Input that breaks a rule; `field` names the input, `code` the rule.
    #[error("{field}: {message}")]
    Invalid {
        /// The input field, e.g. `hazard.responsible`.
        field: &'static str,
        /// The rule broken.
        code: ErrorCode,
        /// What to do, in English.
        message: String,
    },
    /// The record is in a state that does not allow this.
    #[error("not allowed now: {0}")]
    WrongState(String),
    /// This person may not do this.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// The team's settings are locked on this phone; a leader's password unlocks them.
    #[error("the team's settings are locked; a leader must unlock them with their password")]
    SettingsLocked,
    /// No such thing.
    #[error("not found: {0}")]
    NotFound(String),
    /// The PIN did not unlock the key.
    #[error("the PIN is wrong")]
    WrongPin,
    /// Too many wrong PINs: try again after this many seconds.
    #[error("too many wrong PINs; try again in {0} s")]
    PinWait(i64),
    /// Ten wrong PINs: the key stays locked until a leader lifts the lock.
    #[error("{0}'s key is locked after too many wrong PINs; a leader can lift the lock")]
    PinLocked(String),
    /// The person has no signing key yet.
    #[error("{0} has no signing key on this device; set a PIN first")]
    NoKey(String),
    /// A file could not be taken as a photo; nothing was stored.
    #[error("photo {name}: {problem}")]
    Photo {
        /// The file's name as the user picked it.
        name: String,
        /// What is wrong with it.
        problem: crate::photo::PhotoProblem,
    },
    /// Reading or writing a file in the app's data folder failed (disk full, permissions).
    #[error("file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A stored value could not be read back (a bug or a damaged database).
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

impl Error {
    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: &'static str, code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Invalid { field, code, message: message.into() }
    }
}

impl From<rusqlite_migration::Error> for Error {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => Error::Sqlite(err),
            other => Error::Migrations(other),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}

/// Results of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
