//! The device↔county HTTP wire types.

use serde::{Deserialize, Serialize};

/// `GET /healthz` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// The server's crate version.
    pub version: String,
    /// Whether PostgreSQL answered.
    pub database: DatabaseStatus,
}

/// Whether the county's database answered a ping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseStatus {
    /// It answered.
    Ok,
    /// It did not; the server answers 503 meanwhile.
    Unavailable,
}
