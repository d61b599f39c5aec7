//! The store's monthly costs (`store_costs`, 经营费用): the fixed operating costs the GM enters
//! per month for the absorption rate (吸收率 = service gross profit ÷ fixed operating costs), and
//! optionally the cost of the parts sold that month (so the gross profit counts the parts'
//! margin).
//!
//! One record per store and month: its id is derived from the store and the month
//! ([`store_costs_record_id`]), so two devices entering the same month offline write one record
//! (a real disagreement is a conflict of the field). Only the general manager writes it
//! ([`super::may_write`]); the server also checks the values ([`check`]): `month` is the
//! record's month (`YYYY-MM`, never changed), the amounts are whole fen, not negative.

use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use super::field;
use crate::roles::{Actor, Role};
use crate::sales::UserError;
use crate::sync::{Change, FieldDef, Op, RecordState, RecordType};

/// Store monthly costs.
pub static STORE_COSTS: RecordType = RecordType {
    name: "store_costs",
    fields: &[
        // `YYYY-MM`.
        FieldDef::scalar("month"),
        // Fixed operating costs of the month in fen (固定运营费用).
        FieldDef::scalar("fixed_costs_fen"),
        // Cost of the parts sold in the month in fen (零件销售成本), optional.
        FieldDef::scalar("parts_cost_fen"),
        FieldDef::scalar("note"),
    ],
};

/// The amount fields (fen, whole, ≥ 0).
pub const AMOUNT_FIELDS: [&str; 2] = ["fixed_costs_fen", "parts_cost_fen"];

/// The record id of a store's costs for a month (`year`, `month` 1–12).
pub fn store_costs_record_id(store_id: &str, year: i32, month: u32) -> Uuid {
    crate::sales::settings::derived_record_id(&format!(
        "store_costs/{store_id}/{year:04}-{month:02}"
    ))
}

/// `YYYY-MM` as (year, month).
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// The typed view of a `store_costs` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCosts {
    pub year: i32,
    pub month: u32,
    pub fixed_costs_fen: Option<i64>,
    pub parts_cost_fen: Option<i64>,
    pub note: Option<String>,
}

impl StoreCosts {
    /// `None` when the record has no readable month.
    pub fn of(r: &RecordState) -> Option<StoreCosts> {
        let (year, month) = field::text(r, "month").and_then(parse_month)?;
        let amount = |f: &str| field::integer(r, f).filter(|n| *n >= 0);
        Some(StoreCosts {
            year,
            month,
            fixed_costs_fen: amount("fixed_costs_fen"),
            parts_cost_fen: amount("parts_cost_fen"),
            note: field::string(r, "note"),
        })
    }
}

/// Why a write of the store's costs was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CostsError {
    #[error("only the general manager enters the store's costs")]
    GeneralManagerOnly,
    #[error("`{field}` must be an amount in whole fen, not negative")]
    BadAmount { field: String },
    #[error("the month must be YYYY-MM and match the record")]
    BadMonth,
}

impl UserError for CostsError {
    fn code(&self) -> &'static str {
        match self {
            CostsError::GeneralManagerOnly => "store_costs_gm_only",
            CostsError::BadAmount { .. } => "store_costs_bad_amount",
            CostsError::BadMonth => "store_costs_bad_month",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            CostsError::GeneralManagerOnly => "只有总经理可以录入经营费用".into(),
            CostsError::BadAmount { .. } => "费用金额须为不小于零的数字".into(),
            CostsError::BadMonth => "月份须为“年-月”,且与该月记录一致".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            CostsError::GeneralManagerOnly => {
                "Only the general manager enters the store's costs".into()
            }
            CostsError::BadAmount { .. } => "A cost must be an amount, not negative".into(),
            CostsError::BadMonth => {
                "The month must be YYYY-MM and match the month of the record".into()
            }
        }
    }
}

fn amount_ok(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Number(n) => n.as_i64().is_some_and(|n| n >= 0),
        Value::String(s) => s.trim().is_empty() || s.trim().parse::<i64>().is_ok_and(|n| n >= 0),
        _ => false,
    }
}

/// The rules for an op on a `store_costs` record of store `store_id` (checked by the server at
/// push through [`crate::policy::check_op`], and by the screen before it writes).
pub fn check(actor: &Actor, op: &Op) -> Result<(), CostsError> {
    if !actor.roles.contains(&Role::GeneralManager) {
        return Err(CostsError::GeneralManagerOnly);
    }
    for change in &op.changes {
        if let Change::Set { field, value, .. } = change {
            if AMOUNT_FIELDS.contains(&field.as_str()) && !amount_ok(value) {
                return Err(CostsError::BadAmount {
                    field: field.clone(),
                });
            }
            if field == "month" {
                let month = value.as_str().and_then(parse_month);
                let matches = month.is_some_and(|(y, m)| {
                    store_costs_record_id(&op.store_id, y, m) == op.record_id
                });
                if !matches {
                    return Err(CostsError::BadMonth);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Edit, Hlc, apply};
    use serde_json::json;

    fn op(actor: &str, record_id: Uuid, changes: &[(&str, Value)]) -> Op {
        let r = RecordState::new(record_id, "store_costs", "demo");
        let e = Edit::new(&r, &STORE_COSTS);
        Op {
            op_id: Uuid::from_u128(7),
            device_id: Uuid::from_u128(8),
            user_id: actor.into(),
            store_id: "demo".into(),
            record_id,
            record_type: "store_costs".into(),
            hlc: Hlc::new(1_000, 0),
            changes: changes
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).expect("declared field"))
                .collect(),
        }
    }

    #[test]
    fn one_record_per_store_and_month() {
        let a = store_costs_record_id("demo", 2026, 11);
        assert_eq!(a, store_costs_record_id("demo", 2026, 11));
        assert_ne!(a, store_costs_record_id("demo", 2026, 12));
        assert_ne!(a, store_costs_record_id("other", 2026, 11));
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("2026-1"), None);
    }

    #[test]
    fn only_the_gm_with_sound_values() {
        let id = store_costs_record_id("demo", 2026, 11);
        let gm = Actor::new("gm", &[Role::GeneralManager]);
        let good = op(
            "gm",
            id,
            &[
                ("month", json!("2026-11")),
                ("fixed_costs_fen", json!(50_000_000)),
            ],
        );
        assert_eq!(check(&gm, &good), Ok(()));
        for role in [
            Role::SalesManager,
            Role::ServiceAdvisor,
            Role::CustomerServiceManager,
        ] {
            assert_eq!(
                check(&Actor::new("x", &[role]), &good),
                Err(CostsError::GeneralManagerOnly)
            );
        }
        let negative = op("gm", id, &[("fixed_costs_fen", json!(-1))]);
        assert!(matches!(
            check(&gm, &negative),
            Err(CostsError::BadAmount { .. })
        ));
        let text = op("gm", id, &[("parts_cost_fen", json!("12.5"))]);
        assert!(matches!(
            check(&gm, &text),
            Err(CostsError::BadAmount { .. })
        ));
        let other_month = op("gm", id, &[("month", json!("2026-12"))]);
        assert_eq!(check(&gm, &other_month), Err(CostsError::BadMonth));
    }

    #[test]
    fn the_view_reads_the_month_and_amounts() {
        let id = store_costs_record_id("demo", 2026, 11);
        let mut r = RecordState::new(id, "store_costs", "demo");
        let o = op(
            "gm",
            id,
            &[
                ("month", json!("2026-11")),
                ("fixed_costs_fen", json!("50000000")),
                ("parts_cost_fen", json!(-5)),
            ],
        );
        apply(&mut r, &o, &STORE_COSTS).expect("applies");
        let c = StoreCosts::of(&r).expect("a month");
        assert_eq!((c.year, c.month), (2026, 11));
        assert_eq!(c.fixed_costs_fen, Some(50_000_000));
        assert_eq!(c.parts_cost_fen, None, "a negative amount is not read");
    }
}
