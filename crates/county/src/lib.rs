//! The county endpoint: an axum server over PostgreSQL.
//!
//! SQL lives only in [`db`]; handlers in [`http`] call it.

pub mod db;
pub mod http;

pub use db::Db;
pub use http::app;
