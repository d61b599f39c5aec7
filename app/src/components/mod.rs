//! Pieces shared by the pages: one file per component.

pub mod area_gate;
pub mod header;
pub mod language_switch;
pub mod nav;
pub mod search;
pub mod sync_status;
pub mod update_banner;
