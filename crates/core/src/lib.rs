//! The core of Redvest: everything the app does that is not drawing or platform glue.
//!
//! The API is synchronous (rusqlite blocks); the Tauri shell calls it off the main thread.

pub mod error;
pub mod patrol;
pub mod store;

pub use error::StoreError;
pub use store::Store;
