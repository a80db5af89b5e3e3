//! Types shared by the UI (wasm), the Tauri shell, the core and the county server.
//!
//! Nothing here may pull in sqlx, tokio, reqwest or rusqlite: this crate compiles to
//! wasm32 for the UI. Each concept has exactly one type, defined here.

pub mod checklist;
pub mod display;
pub mod duty;
pub mod error;
pub mod handover;
pub mod hazard;
pub mod observation;
pub mod patrol;
pub mod photo;
pub mod rapid;
#[cfg(feature = "crypto")]
pub mod seal;
pub mod sync;
pub mod team;
pub mod today;
pub mod track;
#[cfg(feature = "track-codec")]
pub mod track_codec;
pub mod wire;

pub use error::{ErrorCode, IpcError};
pub use patrol::PatrolSummary;
