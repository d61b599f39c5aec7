//! The parts record types as the shared screens (conflicts, the bin, the record history) show
//! them.

use domain::sync::RecordState;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, joined, text};

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
    joined(vec![text(r, "qty"), text(r, "for_date")])
}

fn reservation_summary(_: &Look, r: &RecordState) -> String {
    reservation_title(r)
}

fn order_summary(_: &Look, r: &RecordState) -> String {
    joined(vec![
        part_title(r),
        text(r, "supplier"),
        text(r, "promised_date"),
    ])
}

/// The parts record types.
pub static KINDS: [Kind; 3] = [
    Kind::plain(
        "part",
        |i| t_string!(i, parts.kinds.part).to_string(),
        part_title,
        part_summary,
    ),
    Kind::plain(
        "part_reservation",
        |i| t_string!(i, parts.kinds.part_reservation).to_string(),
        reservation_title,
        reservation_summary,
    ),
    Kind::plain(
        "parts_order",
        |i| t_string!(i, parts.kinds.parts_order).to_string(),
        part_title,
        order_summary,
    ),
];
