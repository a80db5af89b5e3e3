//! The county endpoint: an axum server over PostgreSQL, and the clerk's admin commands.
//!
//! SQL lives only in [`db`], photo bytes only in [`photos`]; handlers in [`http`], [`push`], [`tus`] and the clerks'
//! [`console`] call it.

pub mod admin;
pub mod app;
pub mod auth;
pub mod beijing;
pub mod console;
pub mod db;
pub mod error;
pub mod http;
pub mod photos;
pub mod push;
pub mod report;
pub mod sheet;
pub mod tus;
pub mod volume;

pub use db::Db;
pub use app::app;
