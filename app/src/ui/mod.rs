//! Shared screen parts: form fields, alerts, error words, the edit hook, tables with their
//! Excel export, the record-page frame, people's and times' words, the record-kind registry, and
//! the photo, signature and picture parts (`PhotoInput`, `SignaturePad`, `BlobImage`), an area's
//! sub-navigation (`sub_nav::SubNav`).
//!
//! Depends on no area (`crate::sales`, `service`, `care`): areas use `ui`, never the reverse.
//! (The record page draws `crate::history`, which reads the areas' words only through the
//! record-kind registry, `crate::kinds`.)

pub mod alert;
pub mod blob_image;
pub mod button;
pub mod dialog;
pub mod edit;
pub mod error;
pub mod export;
pub mod field;
pub mod kinds;
pub mod kpi_drill;
pub mod labels;
pub mod list;
pub mod panel;
pub mod photo;
pub mod reads;
pub mod record_page;
pub mod signature;
pub mod sub_nav;
pub mod table;
