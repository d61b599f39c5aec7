//! The parts record types as the shared screens (conflicts, the bin, the record history) show
//! them.

use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, no_field_label, no_href, no_value_text, text};

/// "零件号 名称" of a part, or of an emergency order's part.
fn part_title(r: &RecordState) -> String {
    [text(r, "part_no"), text(r, "name")]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn part_summary(_: &Look, r: &RecordState) -> String {
    part_title(r)
}

fn reservation_title(r: &RecordState) -> String {
    let qty = text(r, "qty");
    let date = text(r, "for_date");
    [qty, date]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn reservation_summary(_: &Look, r: &RecordState) -> String {
    reservation_title(r)
}

fn order_summary(_: &Look, r: &RecordState) -> String {
    [part_title(r), text(r, "supplier"), text(r, "promised_date")]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
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

/// The parts record types.
pub static KINDS: [Kind; 3] = [
    kind(
        "part",
        |i| t_string!(i, parts.kinds.part).to_string(),
        part_title,
        part_summary,
    ),
    kind(
        "part_reservation",
        |i| t_string!(i, parts.kinds.part_reservation).to_string(),
        reservation_title,
        reservation_summary,
    ),
    kind(
        "parts_order",
        |i| t_string!(i, parts.kinds.parts_order).to_string(),
        part_title,
        order_summary,
    ),
];
