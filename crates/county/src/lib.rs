//! The county endpoint: an axum server over PostgreSQL, and the clerk's admin commands.
//!
//! SQL lives only in [`db`]; handlers in [`http`], [`push`] and [`tus`] call it.

pub mod admin;
pub mod auth;
pub mod db;
pub mod error;
pub mod http;
pub mod push;
pub mod tus;

pub use db::Db;
pub use http::app;
