//! The parts part of [`crate::policy::check_op`]: what a stock move, a catalogue entry, a
//! reservation and an emergency order must hold, and who settles stock.
//!
//! - A stock move ([`super::stock::check_move`]) has a known kind and a whole quantity above
//!   zero (at most [`MAX_MOVE_QTY`]); an issue (出库) and a return (退料) name their repair-order line; a settlement
//!   (调整) is a manager's (the general manager: `Actor::manages(Area::Service)`), with its
//!   reason. A move is never changed once written (the log's entry ids).
//! - A catalogue part has its part number; its price, when written, is whole fen, not below 0.
//! - A reservation names its part, its job (an appointment or a repair order) and a quantity
//!   above zero.
//! - An emergency order names its supplier, its promised date, the part (number or name) and
//!   a quantity above zero; its move to arrived carries the arrival time.
//! - Every id these records name (a move's line, a reservation's part and job, an order's part,
//!   job and line) must be a stored record of the right type: [`references`] lists them and
//!   the server looks each up in the push's write transaction
//!   ([`PartsPolicyError::MissingReference`]).

use thiserror::Error;
use uuid::Uuid;

use super::stock::{MoveKind, MoveProblem, check_move};
use crate::records::field;
use crate::records::parts::{PART_RESERVATION, PARTS_ORDER};
use crate::roles::{Actor, Area};
use crate::sales::UserError;
use crate::sync::{Change, Op, RecordState, apply};
use crate::time::StoreClock;

/// At most this many of one part in one stock move: a level is a sum of moves, and a quantity
/// no delivery or count has (10¹⁸ …) would only break the sums.
pub const MAX_MOVE_QTY: u64 = 1_000_000;

/// Why an op on a parts record was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PartsPolicyError {
    #[error("a stock move is not valid: {problem:?}")]
    MoveInvalid { problem: MoveProblem },
    #[error("only a manager settles stock")]
    SettleManagerOnly,
    #[error("a part needs its part number")]
    PartWithoutNumber,
    #[error("a price is whole fen, not below zero")]
    PriceInvalid,
    #[error("a reservation needs its part, its job and a quantity above zero")]
    ReservationIncomplete,
    #[error("an emergency order needs its supplier, promised date, part and quantity")]
    OrderIncomplete,
    #[error("an arrival needs its time")]
    ArrivalWithoutTime,
    #[error("`{field}` is not a record id")]
    BadReference { field: String },
    #[error("`{field}` names no stored {expected}")]
    MissingReference {
        field: String,
        expected: &'static str,
    },
}

impl PartsPolicyError {
    /// Whether the refusal is about who the actor is (403) rather than the op itself (422).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, PartsPolicyError::SettleManagerOnly)
    }
}

fn expected_zh(t: &str) -> &'static str {
    match t {
        "ro_line" => "工单项目",
        "repair_order" => "工单",
        "appointment" => "预约",
        "part" => "零件",
        _ => "记录",
    }
}

fn expected_en(t: &str) -> &'static str {
    match t {
        "ro_line" => "repair-order line",
        "repair_order" => "repair order",
        "appointment" => "appointment",
        "part" => "part",
        _ => "record",
    }
}

impl UserError for PartsPolicyError {
    fn code(&self) -> &'static str {
        use PartsPolicyError as E;
        match self {
            E::MoveInvalid { problem } => match problem {
                MoveProblem::UnknownKind => "stock_move_unknown_kind",
                MoveProblem::BadQty => "stock_move_bad_qty",
                MoveProblem::NoLine => "stock_move_without_line",
                MoveProblem::NoReason => "settle_without_reason",
            },
            E::SettleManagerOnly => "settle_manager_only",
            E::PartWithoutNumber => "part_without_number",
            E::PriceInvalid => "part_price_invalid",
            E::ReservationIncomplete => "reservation_incomplete",
            E::OrderIncomplete => "parts_order_incomplete",
            E::ArrivalWithoutTime => "arrival_without_time",
            E::BadReference { .. } => "parts_reference_invalid",
            E::MissingReference { .. } => "parts_reference_missing",
        }
    }

    fn message_zh(&self) -> String {
        use PartsPolicyError as E;
        match self {
            E::MoveInvalid { problem } => match problem {
                MoveProblem::UnknownKind => "无法识别的出入库类型".into(),
                MoveProblem::BadQty => "数量须为大于零的整数".into(),
                MoveProblem::NoLine => "出库和退料须选择工单项目".into(),
                MoveProblem::NoReason => "库存调整须写明原因".into(),
            },
            E::SettleManagerOnly => "只有经理可以调整库存".into(),
            E::PartWithoutNumber => "零件须填写零件号".into(),
            E::PriceInvalid => "价格须为不小于零的金额".into(),
            E::ReservationIncomplete => "预留须选择零件、预约或工单,数量须大于零".into(),
            E::OrderIncomplete => "紧急订货须填写供应商、承诺到货日期、零件和数量".into(),
            E::ArrivalWithoutTime => "登记到货须填写到货时间".into(),
            E::BadReference { .. } => "引用的记录编号无效".into(),
            E::MissingReference { expected, .. } => {
                format!("所选的{}不存在,请同步后重试", expected_zh(expected))
            }
        }
    }

    fn message_en(&self) -> String {
        use PartsPolicyError as E;
        match self {
            E::MoveInvalid { problem } => match problem {
                MoveProblem::UnknownKind => "Unknown kind of stock move".into(),
                MoveProblem::BadQty => "The quantity must be a whole number above zero".into(),
                MoveProblem::NoLine => {
                    "An issue or a return must name its repair-order line".into()
                }
                MoveProblem::NoReason => "A stock settlement needs its reason".into(),
            },
            E::SettleManagerOnly => "Only a manager settles stock".into(),
            E::PartWithoutNumber => "A part needs its part number".into(),
            E::PriceInvalid => "A price must be an amount not below zero".into(),
            E::ReservationIncomplete => {
                "A reservation needs its part, an appointment or a repair order, and a quantity above zero"
                    .into()
            }
            E::OrderIncomplete => {
                "An emergency order needs its supplier, promised date, part and quantity".into()
            }
            E::ArrivalWithoutTime => "An arrival needs its time".into(),
            E::BadReference { field } => format!("“{field}” is not a record id"),
            E::MissingReference { expected, .. } => format!(
                "The {} chosen does not exist; sync and try again",
                expected_en(expected)
            ),
        }
    }
}

/// A record another record names, which must be stored with the type given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub id: Uuid,
    pub field: &'static str,
    pub record_type: &'static str,
}

impl Reference {
    /// The refusal when the record is missing or of another type.
    pub fn missing(&self) -> PartsPolicyError {
        PartsPolicyError::MissingReference {
            field: self.field.to_owned(),
            expected: self.record_type,
        }
    }
}

/// The id fields of each parts record type, with the type they name.
fn id_fields(record_type: &str) -> &'static [(&'static str, &'static str)] {
    match record_type {
        "part_reservation" => &[
            ("part_id", "part"),
            ("appointment_id", "appointment"),
            ("ro_id", "repair_order"),
        ],
        "parts_order" => &[
            ("part_id", "part"),
            ("appointment_id", "appointment"),
            ("ro_id", "repair_order"),
            ("ro_line_id", "ro_line"),
        ],
        _ => &[],
    }
}

fn id_of(v: &serde_json::Value) -> Option<Result<Uuid, ()>> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.trim().is_empty() => None,
        serde_json::Value::String(s) => Some(Uuid::parse_str(s.trim()).map_err(|_| ())),
        _ => Some(Err(())),
    }
}

/// The records `op` names that must be stored (see the module docs); the server looks each up.
pub fn references(op: &Op) -> Vec<Reference> {
    let mut out = Vec::new();
    for change in &op.changes {
        match change {
            Change::Append { field, value, .. } if op.record_type == "part" && field == "moves" => {
                let line = value.get("ro_line_id").and_then(id_of);
                if let Some(Ok(id)) = line {
                    out.push(Reference {
                        id,
                        field: "ro_line_id",
                        record_type: "ro_line",
                    });
                }
            }
            Change::Set { field, value, .. } => {
                if let Some((f, t)) = id_fields(&op.record_type).iter().find(|(f, _)| f == field)
                    && let Some(Ok(id)) = id_of(value)
                {
                    out.push(Reference {
                        id,
                        field: f,
                        record_type: t,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The parts rules for `op` by `actor` on the record as stored (`stored`: empty for a new
/// record).
pub fn check(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), PartsPolicyError> {
    for change in &op.changes {
        if let Change::Set { field, value, .. } = change
            && id_fields(&op.record_type).iter().any(|(f, _)| f == field)
            && let Some(Err(())) = id_of(value)
        {
            return Err(PartsPolicyError::BadReference {
                field: field.clone(),
            });
        }
    }
    match op.record_type.as_str() {
        "part" => check_part(actor, stored, op),
        "part_reservation" => check_reservation(stored, op),
        "parts_order" => check_order(stored, op, clock),
        _ => Ok(()),
    }
}

fn sets<'a>(op: &'a Op, field: &str) -> Option<&'a serde_json::Value> {
    op.changes.iter().find_map(|c| match c {
        Change::Set {
            field: f, value, ..
        } if f == field => Some(value),
        _ => None,
    })
}

fn check_part(actor: &Actor, stored: &RecordState, op: &Op) -> Result<(), PartsPolicyError> {
    for change in &op.changes {
        if let Change::Append { field, value, .. } = change
            && field == "moves"
        {
            let (kind, qty) =
                check_move(value).map_err(|problem| PartsPolicyError::MoveInvalid { problem })?;
            if qty.unsigned_abs() > MAX_MOVE_QTY {
                return Err(PartsPolicyError::MoveInvalid {
                    problem: MoveProblem::BadQty,
                });
            }
            if kind == MoveKind::Settle && !actor.manages(Area::Service) {
                return Err(PartsPolicyError::SettleManagerOnly);
            }
        }
    }
    let number = sets(op, "part_no");
    let blank = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    let new = stored.applied.is_empty() && field::text(stored, "part_no").is_none();
    if number.is_some_and(blank) || (new && number.is_none()) {
        return Err(PartsPolicyError::PartWithoutNumber);
    }
    if let Some(p) = sets(op, "price_fen")
        && p.as_i64().is_none_or(|p| p < 0)
    {
        return Err(PartsPolicyError::PriceInvalid);
    }
    Ok(())
}

/// The record after the op (the rules on whole records read it).
fn after(stored: &RecordState, op: &Op, rt: &crate::sync::RecordType) -> RecordState {
    let mut s = stored.clone();
    // An op that does not apply is refused by the merge itself, after this check.
    let _ = apply(&mut s, op, rt);
    s
}

fn touches(op: &Op, fields: &[&str]) -> bool {
    op.changes
        .iter()
        .any(|c| c.field().is_some_and(|f| fields.contains(&f)))
}

fn check_reservation(stored: &RecordState, op: &Op) -> Result<(), PartsPolicyError> {
    let new = stored.applied.is_empty();
    if !new && !touches(op, &["part_id", "appointment_id", "ro_id", "qty"]) {
        return Ok(());
    }
    let r = after(stored, op, &PART_RESERVATION);
    let complete = field::uuid(&r, "part_id").is_some()
        && (field::uuid(&r, "appointment_id").is_some() || field::uuid(&r, "ro_id").is_some())
        && field::integer(&r, "qty").is_some_and(|q| q > 0);
    if complete {
        Ok(())
    } else {
        Err(PartsPolicyError::ReservationIncomplete)
    }
}

fn check_order(stored: &RecordState, op: &Op, clock: StoreClock) -> Result<(), PartsPolicyError> {
    let new = stored.applied.is_empty();
    let r = after(stored, op, &PARTS_ORDER);
    if new || touches(op, &["supplier", "promised_date", "part_no", "name", "qty"]) {
        let complete = field::text(&r, "supplier").is_some()
            && field::date(&r, "promised_date", clock).is_some()
            && (field::text(&r, "part_no").is_some() || field::text(&r, "name").is_some())
            && field::integer(&r, "qty").is_some_and(|q| q > 0);
        if !complete {
            return Err(PartsPolicyError::OrderIncomplete);
        }
    }
    let arrives = op.changes.iter().any(|c| {
        matches!(c, Change::Transition { field, to, .. } if field == "status" && to == "arrived")
    });
    if arrives && field::time(&r, "arrived_at", clock).is_none() {
        return Err(PartsPolicyError::ArrivalWithoutTime);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::orders::EmergencyOrder;
    use crate::parts::plan::{
        CatalogueEntry, JobRef, NewOrder, arrival_plan, emergency_order_plan, issue_plan,
        part_plan, reserve_plan, settle_plan,
    };
    use crate::plan::Plan;
    use crate::records::parts::PART;
    use crate::roles::Role;
    use crate::sync::{Hlc, new_id};
    use chrono::NaiveDate;
    use serde_json::json;

    const NOW: u64 = 1_780_000_000_000;
    const C: StoreClock = StoreClock::CHINA;

    fn clerk() -> Actor {
        Actor::new("clerk", &[Role::PartsClerk])
    }

    fn gm() -> Actor {
        Actor::new("gm", &[Role::GeneralManager])
    }

    /// The ops of a plan against empty or given states, in order, applied as they go.
    fn ops(plan: &Plan, states: &mut Vec<RecordState>) -> Vec<Op> {
        let mut out = Vec::new();
        for (i, w) in plan.writes.iter().enumerate() {
            let pos = states.iter().position(|s| s.id == w.record_id);
            let state = match pos {
                Some(p) => states[p].clone(),
                None => RecordState::new(w.record_id, w.record_type.name, "demo"),
            };
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: Uuid::from_u128(1),
                user_id: "u".into(),
                store_id: "demo".into(),
                record_id: w.record_id,
                record_type: w.record_type.name.into(),
                hlc: Hlc::new(NOW, i as u32),
                changes: w.changes(&state).unwrap(),
            };
            let mut next = state;
            apply(&mut next, &op, w.record_type).unwrap();
            match pos {
                Some(p) => states[p] = next,
                None => states.push(next),
            }
            out.push(op);
        }
        out
    }

    fn stored(plan: &Plan) -> RecordState {
        let mut states = Vec::new();
        ops(plan, &mut states);
        states.remove(0)
    }

    fn part() -> RecordState {
        stored(&part_plan(
            new_id(NOW, [9; 10]),
            &CatalogueEntry {
                part_no: "90915-YZZE1".into(),
                name: "机油滤芯".into(),
                ..CatalogueEntry::default()
            },
        ))
    }

    fn op_on(state: &RecordState, changes: Vec<Change>) -> Op {
        Op {
            op_id: new_id(NOW, [77; 10]),
            device_id: Uuid::from_u128(1),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id: state.id,
            record_type: state.record_type.clone(),
            hlc: Hlc::new(NOW, 50),
            changes,
        }
    }

    #[test]
    fn a_part_needs_its_number_and_a_sound_price() {
        let fresh = RecordState::new(new_id(NOW, [1; 10]), "part", "demo");
        let plan = part_plan(
            fresh.id,
            &CatalogueEntry {
                name: "机油滤芯".into(),
                ..CatalogueEntry::default()
            },
        );
        let op = &ops(&plan, &mut vec![])[0];
        assert_eq!(
            check(&clerk(), &fresh, op, C),
            Err(PartsPolicyError::PartWithoutNumber)
        );
        let p = part();
        let e = crate::sync::Edit::new(&p, &PART);
        let op = op_on(&p, vec![e.set("price_fen", json!(-5)).unwrap()]);
        assert_eq!(
            check(&clerk(), &p, &op, C),
            Err(PartsPolicyError::PriceInvalid)
        );
        let op = op_on(&p, vec![e.set("part_no", json!(" ")).unwrap()]);
        assert_eq!(
            check(&clerk(), &p, &op, C),
            Err(PartsPolicyError::PartWithoutNumber)
        );
        let op = op_on(&p, vec![e.set("bin", json!("A-01-02")).unwrap()]);
        assert_eq!(check(&clerk(), &p, &op, C), Ok(()));
    }

    #[test]
    fn a_move_of_an_absurd_quantity_is_refused() {
        let p = part();
        let e = crate::sync::Edit::new(&p, &PART);
        for (who, v) in [
            (
                clerk(),
                json!({"kind": "receipt", "qty": 1_000_000_000_000_i64}),
            ),
            (
                gm(),
                json!({"kind": "settle", "qty": -9_000_000, "note": "盘点"}),
            ),
        ] {
            let op = op_on(&p, vec![e.append("moves", Uuid::from_u128(5), v).unwrap()]);
            assert_eq!(
                check(&who, &p, &op, C),
                Err(PartsPolicyError::MoveInvalid {
                    problem: MoveProblem::BadQty
                })
            );
        }
        let v = json!({"kind": "receipt", "qty": MAX_MOVE_QTY});
        let op = op_on(&p, vec![e.append("moves", Uuid::from_u128(6), v).unwrap()]);
        assert_eq!(check(&clerk(), &p, &op, C), Ok(()));
    }

    #[test]
    fn only_a_manager_settles_stock() {
        let p = part();
        let plan = settle_plan(p.id, 3, "盘点");
        let op = &ops(&plan, &mut vec![p.clone()])[0];
        let err = check(&clerk(), &p, op, C).unwrap_err();
        assert_eq!(err, PartsPolicyError::SettleManagerOnly);
        assert!(err.is_forbidden());
        assert_eq!(err.code(), "settle_manager_only");
        assert!(err.message_zh().contains("经理"));
        assert_eq!(check(&gm(), &p, op, C), Ok(()));
    }

    #[test]
    fn an_issue_names_its_line_which_must_exist() {
        let p = part();
        let e = crate::sync::Edit::new(&p, &PART);
        let op = op_on(
            &p,
            vec![
                e.append("moves", Uuid::now_v7(), json!({"kind": "issue", "qty": 1}))
                    .unwrap(),
            ],
        );
        assert_eq!(
            check(&clerk(), &p, &op, C).unwrap_err().code(),
            "stock_move_without_line"
        );
        let line = new_id(NOW, [3; 10]);
        let plan = issue_plan(p.id, line, None, 1, None);
        let op = &ops(&plan, &mut vec![p.clone()])[0];
        assert_eq!(check(&clerk(), &p, op, C), Ok(()));
        assert_eq!(
            references(op),
            vec![Reference {
                id: line,
                field: "ro_line_id",
                record_type: "ro_line"
            }]
        );
        assert_eq!(
            references(op)[0].missing().code(),
            "parts_reference_missing"
        );
    }

    #[test]
    fn a_reservation_names_its_part_job_and_quantity() {
        let (part_id, appt) = (new_id(NOW, [1; 10]), new_id(NOW, [2; 10]));
        let id = new_id(NOW, [3; 10]);
        let fresh = RecordState::new(id, "part_reservation", "demo");
        let good = reserve_plan(
            id,
            part_id,
            JobRef {
                appointment_id: Some(appt),
                ro_id: None,
            },
            2,
            None,
        );
        let op = &ops(&good, &mut vec![])[0];
        assert_eq!(check(&clerk(), &fresh, op, C), Ok(()));
        let refs: Vec<_> = references(op).iter().map(|r| r.record_type).collect();
        assert_eq!(refs, vec!["part", "appointment"]);
        let no_job = reserve_plan(id, part_id, JobRef::default(), 2, None);
        let op = &ops(&no_job, &mut vec![])[0];
        assert_eq!(
            check(&clerk(), &fresh, op, C),
            Err(PartsPolicyError::ReservationIncomplete)
        );
        let none = reserve_plan(
            id,
            part_id,
            JobRef {
                appointment_id: Some(appt),
                ro_id: None,
            },
            0,
            None,
        );
        let op = &ops(&none, &mut vec![])[0];
        assert_eq!(
            check(&clerk(), &fresh, op, C),
            Err(PartsPolicyError::ReservationIncomplete)
        );
        let mut bad = op.clone();
        bad.changes = vec![Change::Set {
            field: "part_id".into(),
            value: json!("not-an-id"),
            supersedes: vec![],
        }];
        assert_eq!(
            check(&clerk(), &fresh, &bad, C).unwrap_err().code(),
            "parts_reference_invalid"
        );
    }

    #[test]
    fn an_emergency_order_needs_its_supplier_and_promised_date_and_an_arrival_its_time() {
        let id = new_id(NOW, [4; 10]);
        let fresh = RecordState::new(id, "parts_order", "demo");
        let mut o = NewOrder {
            order_id: id,
            name: "后视镜".into(),
            qty: 1,
            supplier: "广汽配件".into(),
            promised_date: NaiveDate::from_ymd_opt(2026, 3, 5),
            ..NewOrder::default()
        };
        let op = &ops(&emergency_order_plan(&o), &mut vec![])[0];
        assert_eq!(check(&clerk(), &fresh, op, C), Ok(()));
        o.promised_date = None;
        let op = &ops(&emergency_order_plan(&o), &mut vec![])[0];
        assert_eq!(
            check(&clerk(), &fresh, op, C),
            Err(PartsPolicyError::OrderIncomplete)
        );
        o.promised_date = NaiveDate::from_ymd_opt(2026, 3, 5);
        o.supplier = String::new();
        let op = &ops(&emergency_order_plan(&o), &mut vec![])[0];
        assert_eq!(
            check(&clerk(), &fresh, op, C),
            Err(PartsPolicyError::OrderIncomplete)
        );
        o.supplier = "广汽配件".into();
        let s = stored(&emergency_order_plan(&o));
        let at = NaiveDate::from_ymd_opt(2026, 3, 4)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let arrival = arrival_plan(&EmergencyOrder::of(&s, C), at);
        let op = &ops(&arrival, &mut vec![s.clone()])[0];
        assert_eq!(check(&clerk(), &s, op, C), Ok(()));
        let bare = op_on(
            &s,
            vec![
                crate::sync::Edit::new(&s, &PARTS_ORDER)
                    .transition("status", "arrived")
                    .unwrap(),
            ],
        );
        assert_eq!(
            check(&clerk(), &s, &bare, C),
            Err(PartsPolicyError::ArrivalWithoutTime)
        );
    }
}
