//! The care record types as the shared screens (conflicts, the bin) show them. (`care_task`
//! is declared with the sales kinds, where it started.)

use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, no_field_label, no_href, no_value_text, text};

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

const fn kind(
    name: &'static str,
    label: fn(I18nContext<Locale>) -> String,
    title: fn(&RecordState) -> String,
    summary: fn(&Look, &RecordState) -> String,
) -> Kind {
    Kind {
        name,
        label,
        short_label: None,
        title,
        summary,
        counted: summary,
        href: no_href,
        field_label: no_field_label,
        value_text: no_value_text,
        missing: None,
    }
}

/// The care record types.
pub static KINDS: [Kind; 2] = [
    kind(
        "care_settings",
        |i| t_string!(i, care.kinds.care_settings).to_string(),
        settings_title,
        settings_summary,
    ),
    kind(
        "message",
        |i| t_string!(i, care.kinds.message).to_string(),
        message_title,
        message_summary,
    ),
];
