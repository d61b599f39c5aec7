//! How the parts screens read their records: the catalogue with each part's stock figures, the
//! reservations, the emergency orders (the three parts types are held whole by the device:
//! `domain::records::index::WHOLE_TYPES`), and the repair orders in the workshop with their part
//! lines.

use domain::parts::orders::EmergencyOrder;
use domain::parts::reservations::{Reservation, held};
use domain::parts::stock::{StockMove, moves_of, stock};
use domain::records::parts::Part;
use domain::records::service::{RepairOrder, RoLine};
use domain::service::repair_order::LineKind;
use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::store_clock;
use crate::service::data as service_data;
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

/// The repair orders in the workshop (not handed over nor cancelled), newest first: one
/// `by_status` page per open status (`crate::service::data::use_repair_orders`), never every RO;
/// empty until read.
pub fn use_open_ros() -> Memo<Vec<RepairOrder>> {
    let ros = service_data::use_repair_orders(service_data::open_statuses(), || None);
    Memo::new(move |_| ros.get().unwrap_or_default())
}

/// The part lines of the repair order `ro` gives (its lines by `by_link`, not every line), in
/// the order they were made.
pub fn use_part_lines(ro: impl Fn() -> Option<Uuid> + Send + Sync + 'static) -> Memo<Vec<RoLine>> {
    let ro = std::sync::Arc::new(ro);
    let lines = service_data::use_lines_of({
        let ro = ro.clone();
        move || ro()
    });
    Memo::new(move |_| {
        let chosen = ro();
        lines.with(|ls| {
            ls.iter()
                .filter(|(_, l)| l.kind == LineKind::Part && l.ro_id.is_some() && l.ro_id == chosen)
                .map(|(_, l)| l.clone())
                .collect()
        })
    })
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
