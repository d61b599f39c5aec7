//! The parts record types (零件, issue 16): the catalogue with its stock, reservations and
//! emergency orders. The rules over them are in [`crate::parts`].
//!
//! Stock is kept as **events**: every receipt, issue, return and manager's settlement is one
//! entry of the part's `moves` log ([`crate::parts::stock::StockMove`]), written once under its
//! own entry id and never changed. The level is the sum of the entries. Two devices moving
//! stock offline add different entries; the merge is their union, so nothing is lost and every
//! device ends with the same level whatever the order the ops arrive in. A level below zero is
//! kept as it is (never clipped), shown red with the moves that took it there, until a manager
//! settles it with a `settle` move.

use super::field;
use crate::sync::{FieldDef, RecordState, RecordType, StateMachine};

/// Part (零件): one catalogue entry and its stock moves.
pub static PART: RecordType = RecordType {
    name: "part",
    fields: &[
        // 零件号, unique in the store (the catalogue import matches on it).
        FieldDef::scalar("part_no"),
        FieldDef::scalar("name"),
        // Selling price in fen.
        FieldDef::scalar("price_fen"),
        // 库位.
        FieldDef::scalar("bin"),
        FieldDef::scalar("supplier"),
        // Stock events (`parts::stock::StockMove` as JSON); the level is their sum.
        FieldDef::log("moves"),
    ],
};

/// A reservation (预留): held for a job until the part is issued to it or released.
pub static PART_RESERVATION_STATUS: StateMachine = StateMachine {
    states: &["held", "issued", "released"],
    initial: "held",
    transitions: &[("held", "issued"), ("held", "released")],
};

/// Part reservation (预留): a quantity of one part held for an appointment or a repair order,
/// so it is not offered to another job (available = on hand − held).
pub static PART_RESERVATION: RecordType = RecordType {
    name: "part_reservation",
    fields: &[
        FieldDef::scalar("part_id"),
        FieldDef::scalar("appointment_id"),
        FieldDef::scalar("ro_id"),
        FieldDef::scalar("qty"),
        // The day the job needs it (YYYY-MM-DD): the appointment's day.
        FieldDef::scalar("for_date"),
        FieldDef::status("status", &PART_RESERVATION_STATUS),
    ],
};

/// An emergency order (紧急订货): ordered, arrived, then fitted (装车) or returned to the
/// supplier (退货); cancelled before it arrives.
pub static PARTS_ORDER_STATUS: StateMachine = StateMachine {
    states: &["ordered", "arrived", "fitted", "returned", "cancelled"],
    initial: "ordered",
    transitions: &[
        ("ordered", "arrived"),
        ("ordered", "cancelled"),
        ("arrived", "fitted"),
        ("arrived", "returned"),
    ],
};

/// Emergency order (紧急订货) of a part missing for a job. While ordered, its repair order is
/// on Parts Hold (等待配件); arrived and not fitted, it is on the wall of shame (到货未装).
pub static PARTS_ORDER: RecordType = RecordType {
    name: "parts_order",
    fields: &[
        // The catalogue part, when it is in the catalogue.
        FieldDef::scalar("part_id"),
        FieldDef::scalar("part_no"),
        FieldDef::scalar("name"),
        FieldDef::scalar("qty"),
        FieldDef::scalar("supplier"),
        // 承诺到货日期 (YYYY-MM-DD).
        FieldDef::scalar("promised_date"),
        FieldDef::scalar("ro_id"),
        FieldDef::scalar("ro_line_id"),
        FieldDef::scalar("appointment_id"),
        FieldDef::scalar("ordered_at"),
        FieldDef::scalar("arrived_at"),
        FieldDef::scalar("note"),
        FieldDef::status("status", &PARTS_ORDER_STATUS),
    ],
};

/// A catalogue part as the screens and rules use it (the moves are read by
/// [`crate::parts::stock::moves_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: uuid::Uuid,
    pub part_no: String,
    pub name: String,
    pub price_fen: Option<i64>,
    pub bin: String,
    pub supplier: String,
}

impl Part {
    pub fn of(r: &RecordState) -> Part {
        Part {
            id: r.id,
            part_no: field::shown(r, "part_no"),
            name: field::shown(r, "name"),
            price_fen: field::integer(r, "price_fen"),
            bin: field::shown(r, "bin"),
            supplier: field::shown(r, "supplier"),
        }
    }
}
