//! One module per page.

pub mod hazard;
pub mod home;
pub mod patrol;
pub mod rapid;
pub mod review;
pub mod settings;
pub mod start;
pub mod sync;
