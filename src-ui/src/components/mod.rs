//! Components used by pages.

pub mod attendance;
pub mod checklist;
pub mod field_error;
pub mod lang_toggle;
pub mod load_error;
pub mod observation_form;
pub mod patrol_list;
pub mod photos;
pub mod picker;
pub mod qr;
pub mod signature_pad;
pub mod subpage;
pub mod track;
