//! How the parts screens read their records: the catalogue with each part's stock figures, the
//! reservations, the emergency orders (the three parts types are held whole by the device:
//! `domain::records::index::WHOLE_TYPES`), and the repair orders in the workshop with their part
//! lines.

use domain::parts::orders::EmergencyOrder;
use domain::parts::reservations::{Reservation, held};
use domain::parts::stock::{StockMove, moves_of, stock};
use domain::records::parts::Part;
use domain::records::service::{RepairOrder, RoLine};
use domain::service::repair_order::{LineKind, RoStatus};
use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::store_clock;
use crate::sync::SyncCtx;

/// One catalogue part as the stock list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartRow {
    pub part: Part,
    pub moves: Vec<StockMove>,
    pub stock: domain::parts::stock::Stock,
}

/// Every reservation on the device.
pub fn reservations(sync: SyncCtx) -> Vec<Reservation> {
    sync.records("part_reservation")
        .iter()
        .map(|r| Reservation::of(r, store_clock()))
        .collect()
}

/// Every emergency order on the device, newest first.
pub fn orders(sync: SyncCtx) -> Vec<EmergencyOrder> {
    let mut out: Vec<EmergencyOrder> = sync
        .records("parts_order")
        .iter()
        .map(|r| EmergencyOrder::of(r, store_clock()))
        .collect();
    out.sort_by_key(|o| std::cmp::Reverse(o.id));
    out
}

/// The catalogue with the stock figures, by part number.
pub fn parts(sync: SyncCtx) -> Vec<PartRow> {
    let holds = held(&reservations(sync));
    let mut out: Vec<PartRow> = sync
        .records("part")
        .iter()
        .map(|r: &RecordState| {
            let moves = moves_of(r, store_clock());
            PartRow {
                part: Part::of(r),
                stock: stock(r.id, &moves, &holds),
                moves,
            }
        })
        .collect();
    out.sort_by(|a, b| a.part.part_no.cmp(&b.part.part_no));
    out
}

/// `(id, "零件号 名称")` of every part, for a select.
pub fn part_options(sync: SyncCtx) -> Vec<(String, String)> {
    parts(sync)
        .into_iter()
        .map(|p| {
            (
                p.part.id.to_string(),
                format!("{} {}", p.part.part_no, p.part.name),
            )
        })
        .collect()
}

/// The repair orders in the workshop (not handed over nor cancelled), newest first.
pub fn open_ros(sync: SyncCtx) -> Vec<RepairOrder> {
    let mut out: Vec<RepairOrder> = sync
        .records("repair_order")
        .iter()
        .map(|r| RepairOrder::of(r, store_clock()))
        .filter(|r| !matches!(r.status, RoStatus::HandedOver | RoStatus::Cancelled))
        .collect();
    out.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
    out
}

/// The part lines of repair order `ro`, in the order they were made.
pub fn part_lines(sync: SyncCtx, ro: Uuid) -> Vec<RoLine> {
    let mut out: Vec<RoLine> = sync
        .records("ro_line")
        .iter()
        .filter(|r| domain::records::field::uuid(r, "ro_id") == Some(ro))
        .map(|r| RoLine::of(r, store_clock()))
        .filter(|l| l.kind == LineKind::Part)
        .collect();
    out.sort_by_key(|l| l.id);
    out
}

/// An RO as a select shows it: plate and customer.
pub fn ro_label(r: &RepairOrder) -> String {
    crate::ui::kinds::joined(vec![
        r.plate.clone().unwrap_or_default(),
        r.customer_name.clone().unwrap_or_default(),
    ])
}

/// A quantity typed in a form: a whole number above zero.
pub fn qty_of(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|q| *q > 0)
}

/// A memo of the catalogue with stock figures.
pub fn use_parts(sync: SyncCtx) -> Memo<Vec<PartRow>> {
    Memo::new(move |_| parts(sync))
}
