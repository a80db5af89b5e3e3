//! Components used by more than one page.

pub mod lang_toggle;
pub mod patrol_list;
