//! The core of Redvest: everything the app does that is not drawing or platform glue.
//!
//! The API is synchronous (rusqlite blocks); the Tauri shell calls it off the main thread.
//! Each module adds the methods for its part of the patrol log to [`Store`].

pub mod checklist;
pub mod draft;
pub mod duty;
pub mod error;
mod field;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod handover;
pub mod hazard;
pub mod outbox;
pub mod patrol;
pub mod photo;
pub mod rapid;
pub mod replay;
pub mod review;
pub mod roster;
pub mod settings;
pub mod settings_lock;
pub mod signing;
pub mod store;
pub mod sync;
pub mod today;
pub mod track;
pub use redvest_shared::track_codec;
pub mod track_export;

pub use error::{Error, Result};
pub use store::Store;
