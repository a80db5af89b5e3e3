//! Tauri commands, one module per area; each calls the core and nothing else.

pub mod patrol;
