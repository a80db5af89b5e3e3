//! Everything the county server asks PostgreSQL, by concern: devices (teams, members,
//! enrolment, keys), records (what phones push), uploads (photos), feed (what phones pull),
//! and the console's hazards, overview, rapid reports (一键报警) and pages. No SQL anywhere else.

mod console;
mod devices;
mod feed;
mod hazard;
mod overview;
mod rapid;
mod records;
mod report;
mod uploads;

pub use devices::{DeviceAuth, EnrolOutcome, KeyOwner, KeyRow, KnownKey, MemberRow};
pub use rapid::RapidRow;
pub use report::{Figures, TeamFigures};
pub use records::{Effect, Inserted, LinkRow, NewRecord, PatrolChange, PatrolCopy, PatrolRow, RefusalRow, StoredRecord};
use feed::{json, publish_in};
pub use console::{AuditRow, ClerkListRow, ClerkRow, DeviceRow, Named, PatrolFilter, PatrolListRow, PatrolPageRow, ChainPlace, TeamRow};
pub use overview::{AlertRow, TeamDay};
pub use uploads::{LegacyUpload, UploadPart, UploadState};
pub use hazard::{CountyDecision, Decided, HazardDetail, HazardEntry, HazardFilter, HazardRow, HistoryRow};

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::photos::PhotoStore;

/// Errors from the database layer, converted from sqlx in one place ([`From`] below), so
/// callers answer by what happened: a refused row is the caller's business (409, 422), an
/// unreachable database is the only 503.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Applying the embedded migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique or foreign-key constraint refused the row (its name).
    #[error("conflict with {0}")]
    Conflict(String),
    /// A check or not-null constraint refused the row (its name, or the column).
    #[error("refused by {0}")]
    Invalid(String),
    /// PostgreSQL could not be reached or did not answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// Any other database failure (a bug or data that does not read).
    #[error("database error: {0}")]
    Other(sqlx::Error),
    /// The photo store failed (photo bytes live there, not in PostgreSQL).
    #[error(transparent)]
    Photos(#[from] crate::photos::PhotoStoreError),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match e {
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().or(db.table()).unwrap_or("a constraint").to_owned();
                // Class 08 (connection), 53 (resources), 57P0x (shutting down), 40001/40P01
                // (serialization, deadlock): the database cannot take it now; try again.
                let retry = db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("53") || c.starts_with("57P") || c == "40001" || c == "40P01");
                match db.kind() {
                    ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation => DbError::Conflict(constraint),
                    ErrorKind::CheckViolation | ErrorKind::NotNullViolation => DbError::Invalid(constraint),
                    _ if retry => DbError::Unavailable(sqlx::Error::Database(db)),
                    _ => DbError::Other(sqlx::Error::Database(db)),
                }
            }
            e @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed) => {
                DbError::Unavailable(e)
            }
            e => DbError::Other(e),
        }
    }
}

/// The county's store: rows in PostgreSQL, photo bytes in the photo store.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    photos: PhotoStore,
}

impl Db {
    /// Connects to `url` (a `postgres://` URL); photo bytes go to `photos`.
    pub async fn connect(url: &str, photos: PhotoStore) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool, photos })
    }

    /// Wraps an existing pool (tests get theirs from `#[sqlx::test]`).
    pub fn from_pool(pool: PgPool, photos: PhotoStore) -> Self {
        Self { pool, photos }
    }

    /// Where photo bytes are kept.
    pub fn photos(&self) -> &PhotoStore {
        &self.photos
    }

    /// Brings the schema up to date with `crates/county/migrations`.
    pub async fn migrate(&self) -> Result<(), DbError> {
        sqlx::migrate!("./migrations").run(&self.pool).await?;
        Ok(())
    }

    /// Answers whether the database can be reached right now.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
