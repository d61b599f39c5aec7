//! The writes of each parts step, as [`Plan`]s: a catalogue entry, receiving a delivery,
//! issuing to a repair-order line, returns, a manager's settlement, reservations and emergency
//! orders. The server checks each resulting op by [`super::policy`].

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use super::orders::EmergencyOrder;
use super::stock::{MoveKind, move_value};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::parts::{PART, PART_RESERVATION, PARTS_ORDER};
use crate::time::{stored_date, stored_time};

/// A catalogue entry as typed or imported (blank fields are not written).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogueEntry {
    pub part_no: String,
    pub name: String,
    pub price_fen: Option<i64>,
    pub bin: String,
    pub supplier: String,
}

/// Add or update a catalogue part.
pub fn part_plan(part_id: Uuid, e: &CatalogueEntry) -> Plan {
    let mut w = PlannedWrite::new(part_id, &PART);
    for (f, v) in [
        ("part_no", &e.part_no),
        ("name", &e.name),
        ("bin", &e.bin),
        ("supplier", &e.supplier),
    ] {
        if !v.trim().is_empty() {
            w = w.set(f, v.trim());
        }
    }
    if let Some(p) = e.price_fen {
        w = w.set("price_fen", p);
    }
    Plan::new().then(w)
}

fn append_move(part_id: Uuid, value: serde_json::Value) -> PlannedWrite {
    PlannedWrite::new(part_id, &PART).with(Step::Append("moves", Uuid::now_v7(), value))
}

/// A supplier's delivery (入库): several lines of parts and quantities.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    pub supplier: String,
    /// The delivery note number (送货单号).
    pub delivery_no: String,
    pub lines: Vec<(Uuid, i64)>,
}

/// Receiving a delivery: one receipt per part (two lines of one part are one receipt of their
/// sum); lines of no quantity are skipped.
pub fn receive_plan(d: &Delivery) -> Plan {
    let mut per_part: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut order = Vec::new();
    for (part, qty) in &d.lines {
        if *qty <= 0 {
            continue;
        }
        if !per_part.contains_key(part) {
            order.push(*part);
        }
        *per_part.entry(*part).or_default() += qty;
    }
    let mut plan = Plan::new();
    for part in order {
        let qty = per_part.get(&part).copied().unwrap_or(0);
        plan.push(append_move(
            part,
            move_value(
                MoveKind::Receipt,
                qty,
                None,
                None,
                &[("supplier", &d.supplier), ("delivery", &d.delivery_no)],
            ),
        ));
    }
    plan
}

/// Issuing (出库) `qty` of a part to a repair-order line; the reservation it fills (if any) is
/// moved to issued.
pub fn issue_plan(
    part_id: Uuid,
    ro_line_id: Uuid,
    ro_id: Option<Uuid>,
    qty: i64,
    reservation: Option<Uuid>,
) -> Plan {
    let mut plan = Plan::new().then(append_move(
        part_id,
        move_value(MoveKind::Issue, qty, Some(ro_line_id), ro_id, &[]),
    ));
    if let Some(r) = reservation {
        plan.push(PlannedWrite::new(r, &PART_RESERVATION).with(Step::Move("status", "issued")));
    }
    plan
}

/// A part back from the workshop (退料) to stock.
pub fn return_plan(
    part_id: Uuid,
    ro_line_id: Uuid,
    ro_id: Option<Uuid>,
    qty: i64,
    note: &str,
) -> Plan {
    Plan::new().then(append_move(
        part_id,
        move_value(
            MoveKind::Return,
            qty,
            Some(ro_line_id),
            ro_id,
            &[("note", note)],
        ),
    ))
}

/// A part sent back to the supplier (退货).
pub fn supplier_return_plan(part_id: Uuid, qty: i64, supplier: &str, note: &str) -> Plan {
    Plan::new().then(append_move(
        part_id,
        move_value(
            MoveKind::SupplierReturn,
            qty,
            None,
            None,
            &[("supplier", supplier), ("note", note)],
        ),
    ))
}

/// A manager's settlement (调整): the signed correction and its reason.
pub fn settle_plan(part_id: Uuid, delta: i64, reason: &str) -> Plan {
    Plan::new().then(append_move(
        part_id,
        move_value(MoveKind::Settle, delta, None, None, &[("note", reason)]),
    ))
}

/// The correction that brings a level to zero (what the manager settles a negative level with
/// after a count finds nothing on the shelf), `None` when the level is not below zero.
pub fn settle_to_zero(on_hand: i64) -> Option<i64> {
    (on_hand < 0).then_some(-on_hand)
}

/// The job a reservation or an emergency order is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobRef {
    pub appointment_id: Option<Uuid>,
    pub ro_id: Option<Uuid>,
}

/// Reserving (预留) `qty` of a part for a job on a day.
pub fn reserve_plan(
    reservation_id: Uuid,
    part_id: Uuid,
    job: JobRef,
    qty: i64,
    for_date: Option<NaiveDate>,
) -> Plan {
    let mut w = PlannedWrite::new(reservation_id, &PART_RESERVATION)
        .set("part_id", part_id.to_string())
        .set("qty", qty);
    if let Some(a) = job.appointment_id {
        w = w.set("appointment_id", a.to_string());
    }
    if let Some(r) = job.ro_id {
        w = w.set("ro_id", r.to_string());
    }
    if let Some(d) = for_date {
        w = w.set("for_date", stored_date(d));
    }
    Plan::new().then(w)
}

/// Releasing a reservation (the job no longer needs it).
pub fn release_plan(reservation_id: Uuid) -> Plan {
    Plan::new().then(
        PlannedWrite::new(reservation_id, &PART_RESERVATION).with(Step::Move("status", "released")),
    )
}

/// A new emergency order (紧急订货).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewOrder {
    pub order_id: Uuid,
    pub part_id: Option<Uuid>,
    pub part_no: String,
    pub name: String,
    pub qty: i64,
    pub supplier: String,
    pub promised_date: Option<NaiveDate>,
    pub job: JobRef,
    pub ro_line_id: Option<Uuid>,
    pub ordered_at: Option<NaiveDateTime>,
    pub note: String,
}

/// Raising an emergency order; its repair order is on Parts Hold until it arrives.
pub fn emergency_order_plan(o: &NewOrder) -> Plan {
    let mut w = PlannedWrite::new(o.order_id, &PARTS_ORDER).set("qty", o.qty);
    for (f, v) in [
        ("part_no", &o.part_no),
        ("name", &o.name),
        ("supplier", &o.supplier),
        ("note", &o.note),
    ] {
        if !v.trim().is_empty() {
            w = w.set(f, v.trim());
        }
    }
    for (f, v) in [
        ("part_id", o.part_id),
        ("ro_id", o.job.ro_id),
        ("appointment_id", o.job.appointment_id),
        ("ro_line_id", o.ro_line_id),
    ] {
        if let Some(id) = v {
            w = w.set(f, id.to_string());
        }
    }
    if let Some(d) = o.promised_date {
        w = w.set("promised_date", stored_date(d));
    }
    if let Some(t) = o.ordered_at {
        w = w.set("ordered_at", stored_time(t));
    }
    Plan::new().then(w)
}

/// The order arrived (到货): moved to arrived with its time, and received into stock when the
/// part is in the catalogue.
pub fn arrival_plan(o: &EmergencyOrder, at: NaiveDateTime) -> Plan {
    let mut plan = Plan::new().then(
        PlannedWrite::new(o.id, &PARTS_ORDER)
            .set("arrived_at", stored_time(at))
            .with(Step::Move("status", "arrived")),
    );
    if let (Some(part), Some(qty)) = (o.part_id, o.qty.filter(|q| *q > 0)) {
        plan.push(append_move(
            part,
            move_value(
                MoveKind::Receipt,
                qty,
                None,
                None,
                &[("supplier", &o.supplier), ("note", "紧急订货到货")],
            ),
        ));
    }
    plan
}

/// The arrived part was fitted (装车): moved to fitted, and issued to its line when the part is
/// in the catalogue and the order names the line.
pub fn fitted_plan(o: &EmergencyOrder) -> Plan {
    let mut plan = Plan::new()
        .then(PlannedWrite::new(o.id, &PARTS_ORDER).with(Step::Move("status", "fitted")));
    if let (Some(part), Some(line), Some(qty)) = (o.part_id, o.ro_line_id, o.qty.filter(|q| *q > 0))
    {
        plan.push(append_move(
            part,
            move_value(MoveKind::Issue, qty, Some(line), o.ro_id, &[]),
        ));
    }
    plan
}

/// The arrived part went back to the supplier (退货): moved to returned, and out of stock when
/// the part is in the catalogue.
pub fn order_returned_plan(o: &EmergencyOrder) -> Plan {
    let mut plan = Plan::new()
        .then(PlannedWrite::new(o.id, &PARTS_ORDER).with(Step::Move("status", "returned")));
    if let (Some(part), Some(qty)) = (o.part_id, o.qty.filter(|q| *q > 0)) {
        plan.push(append_move(
            part,
            move_value(
                MoveKind::SupplierReturn,
                qty,
                None,
                None,
                &[("supplier", &o.supplier), ("note", "紧急订货退货")],
            ),
        ));
    }
    plan
}

/// Cancelling an order that has not arrived.
pub fn cancel_order_plan(order_id: Uuid) -> Plan {
    Plan::new()
        .then(PlannedWrite::new(order_id, &PARTS_ORDER).with(Step::Move("status", "cancelled")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::orders::OrderStatus;
    use crate::parts::stock::check_move;

    fn appended(w: &PlannedWrite) -> &serde_json::Value {
        w.steps
            .iter()
            .find_map(|s| match s {
                Step::Append("moves", _, v) => Some(v),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn a_delivery_is_one_receipt_per_part() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let plan = receive_plan(&Delivery {
            supplier: "广汽配件".into(),
            delivery_no: "SH-001".into(),
            lines: vec![(a, 2), (b, 1), (a, 3), (b, 0)],
        });
        assert_eq!(plan.writes.len(), 2);
        assert_eq!(plan.writes[0].record_id, a);
        let v = appended(&plan.writes[0]);
        assert_eq!(check_move(v), Ok((MoveKind::Receipt, 5)));
        assert_eq!(v["delivery"], "SH-001");
        assert_eq!(
            check_move(appended(&plan.writes[1])),
            Ok((MoveKind::Receipt, 1))
        );
        assert!(receive_plan(&Delivery::default()).is_empty());
    }

    #[test]
    fn an_issue_names_its_line_and_fills_its_reservation() {
        let line = Uuid::from_u128(5);
        let plan = issue_plan(Uuid::from_u128(1), line, None, 2, Some(Uuid::from_u128(9)));
        let v = appended(&plan.writes[0]);
        assert_eq!(check_move(v), Ok((MoveKind::Issue, 2)));
        assert_eq!(v["ro_line_id"], line.to_string());
        assert_eq!(plan.writes[1].move_of("status"), Some("issued"));
        assert_eq!(
            issue_plan(Uuid::from_u128(1), line, None, 2, None)
                .writes
                .len(),
            1
        );
    }

    #[test]
    fn settlement_brings_a_negative_level_to_zero() {
        assert_eq!(settle_to_zero(-3), Some(3));
        assert_eq!(settle_to_zero(0), None);
        let plan = settle_plan(Uuid::from_u128(1), 3, "盘点");
        assert_eq!(
            check_move(appended(&plan.writes[0])),
            Ok((MoveKind::Settle, 3))
        );
    }

    #[test]
    fn an_order_arrives_into_stock_and_is_fitted_to_its_line() {
        let o = EmergencyOrder {
            id: Uuid::from_u128(30),
            part_id: Some(Uuid::from_u128(1)),
            part_no: "P1".into(),
            name: "后视镜".into(),
            qty: Some(1),
            supplier: "s".into(),
            promised_date: None,
            ro_id: Some(Uuid::from_u128(40)),
            ro_line_id: Some(Uuid::from_u128(41)),
            appointment_id: None,
            ordered_at: None,
            arrived_at: None,
            note: String::new(),
            status: OrderStatus::Ordered,
        };
        let at = NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let plan = arrival_plan(&o, at);
        assert_eq!(plan.writes[0].move_of("status"), Some("arrived"));
        assert_eq!(
            plan.writes[0].value_of("arrived_at"),
            Some(&serde_json::json!("2026-03-02T09:00:00"))
        );
        assert_eq!(
            check_move(appended(&plan.writes[1])),
            Ok((MoveKind::Receipt, 1))
        );
        let plan = fitted_plan(&o);
        assert_eq!(plan.writes[0].move_of("status"), Some("fitted"));
        assert_eq!(
            check_move(appended(&plan.writes[1])),
            Ok((MoveKind::Issue, 1))
        );
        let plan = order_returned_plan(&o);
        assert_eq!(
            check_move(appended(&plan.writes[1])),
            Ok((MoveKind::SupplierReturn, 1))
        );
        // Not in the catalogue: only the order moves.
        let loose = EmergencyOrder { part_id: None, ..o };
        assert_eq!(arrival_plan(&loose, at).writes.len(), 1);
        assert_eq!(fitted_plan(&loose).writes.len(), 1);
    }

    #[test]
    fn an_emergency_order_writes_what_was_given() {
        let plan = emergency_order_plan(&NewOrder {
            order_id: Uuid::from_u128(1),
            name: "后视镜".into(),
            qty: 1,
            supplier: "广汽配件".into(),
            promised_date: NaiveDate::from_ymd_opt(2026, 3, 5),
            job: JobRef {
                appointment_id: None,
                ro_id: Some(Uuid::from_u128(2)),
            },
            ..NewOrder::default()
        });
        let w = &plan.writes[0];
        assert_eq!(
            w.value_of("promised_date"),
            Some(&serde_json::json!("2026-03-05"))
        );
        assert_eq!(
            w.value_of("ro_id"),
            Some(&serde_json::json!(Uuid::from_u128(2).to_string()))
        );
        assert_eq!(w.value_of("part_no"), None);
    }
}
