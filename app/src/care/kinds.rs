//! The care record types as the shared screens (conflicts, the bin) show them. (`care_task`
//! is declared with the sales kinds, where it started.)

use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, text};

fn settings_title(_: &RecordState) -> String {
    String::new()
}

fn settings_summary(_: &Look, _: &RecordState) -> String {
    String::new()
}

fn message_title(r: &RecordState) -> String {
    [text(r, "to_name"), text(r, "to_phone")]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn message_summary(_: &Look, r: &RecordState) -> String {
    format!("{} · {}", message_title(r), text(r, "body"))
}

/// The care record types.
pub static KINDS: [Kind; 2] = [
    Kind::plain(
        "care_settings",
        |i| t_string!(i, care.kinds.care_settings).to_string(),
        settings_title,
        settings_summary,
    ),
    Kind::plain(
        "message",
        |i| t_string!(i, care.kinds.message).to_string(),
        message_title,
        message_summary,
    ),
];
