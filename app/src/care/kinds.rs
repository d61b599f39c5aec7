//! The care record types (settings, messages, the monthly report's comment) as the shared
//! screens (conflicts, the bin) show them. (`care_task` is declared with the sales kinds, where
//! it started.)

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

fn report_title(r: &RecordState) -> String {
    text(r, "month")
}

fn report_summary(_: &Look, r: &RecordState) -> String {
    format!("{} · {}", text(r, "month"), text(r, "comment"))
}

/// The care record types.
pub static KINDS: [Kind; 3] = [
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
    Kind::plain(
        "care_report",
        |i| t_string!(i, care.kinds.care_report).to_string(),
        report_title,
        report_summary,
    ),
];
