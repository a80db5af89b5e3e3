//! Tauri commands, one module per area; each calls the core and nothing else.

pub mod draft;
pub mod duty;
pub mod handover;
pub mod hazard;
pub mod patrol;
pub mod photo;
pub mod rapid;
pub mod review;
pub mod settings;
pub mod sync;
pub mod team;
pub mod track;
