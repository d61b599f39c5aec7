//! The service record types (售后, seven-step process) and their typed views.
//!
//! A repair order (`repair_order`, 工单/委托书) holds the reception facts, the status through the
//! seven steps, the QC checks (a log: every check is kept) and the signatures (a log: never
//! overwritten). Each line of it (`ro_line`) is its own record, so two people editing one RO
//! merge line by line, and a real conflict (two prices for one line) is a conflict of that
//! line's field. A labour line is also the job (作业) done on it: the technician (`technician_id`,
//! set at dispatch) and the clock events (`clock`, a log) live on the line, so the rule "no work
//! and no billing on a line not approved" is checked on one record by the device and the server.
//!
//! The customer's decision on a line (`decision`) is a log written once: its one entry has the
//! line's own id as entry id, so a second, different decision is refused by the generic rule
//! (`entry_id_reused`) and one under another id by `service::policy` (`line_decision_final`).

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use super::field::{self, LogItem};
use crate::service::repair_order::{
    Arrival, DEFAULT_BUFFER, DEFAULT_COMEBACK_DAYS, Job, LineDecision, LineKind, LineOrigin,
    QcCheck, RoStatus, parse_hours,
};
use crate::sync::{FieldDef, RecordState, RecordType, StateMachine};
use crate::time::StoreClock;

/// The repair order status: the seven steps after the appointment (`RoStatus`).
/// 接待 → 估价 → 客户确认 → 派工/施工 ⇄ 质检 → 待交车 → 已交车, or 取消 before work starts.
pub static REPAIR_ORDER_STATUS: StateMachine = StateMachine {
    states: &[
        "received",
        "estimated",
        "approved",
        "in_work",
        "qc",
        "ready",
        "handed_over",
        "cancelled",
    ],
    initial: "received",
    transitions: &[
        ("received", "estimated"),
        ("estimated", "approved"),
        ("approved", "in_work"),
        ("in_work", "qc"),
        ("qc", "in_work"),
        ("qc", "ready"),
        ("ready", "handed_over"),
        ("received", "cancelled"),
        ("estimated", "cancelled"),
        ("approved", "cancelled"),
    ],
};

/// Repair order (工单/委托书).
pub static REPAIR_ORDER: RecordType = RecordType {
    name: "repair_order",
    fields: &[
        FieldDef::scalar("c_card_id"),
        FieldDef::scalar("appointment_id"),
        FieldDef::scalar("customer_name"),
        FieldDef::scalar("phone"),
        FieldDef::scalar("plate"),
        FieldDef::scalar("vin"),
        FieldDef::scalar("advisor_id"),
        // `appointment` or `walk_in` (counts for 预约率).
        FieldDef::scalar("arrival"),
        FieldDef::scalar("received_at"),
        FieldDef::scalar("odometer"),
        // Fuel level in eighths (0–8).
        FieldDef::scalar("fuel"),
        // 客户陈述: the customer's own words.
        FieldDef::scalar("customer_words"),
        // The complaint's category (for comebacks: same vehicle, same complaint).
        FieldDef::scalar("complaint"),
        FieldDef::scalar("valuables"),
        // The advisor's own estimate in minutes (else the sum of the lines' standard hours).
        FieldDef::scalar("estimate_minutes"),
        FieldDef::scalar("promised_at"),
        FieldDef::scalar("handed_over_at"),
        FieldDef::scalar("on_time"),
        // The RO this one is a comeback (返修) of.
        FieldDef::scalar("comeback_of"),
        // The key of the customer's status link (`service::workshop::status_token`): 32 hex
        // digits, random; without it the RO has no link.
        FieldDef::scalar("status_key"),
        FieldDef::status("status", &REPAIR_ORDER_STATUS),
        FieldDef::log("qc_checks"),
        FieldDef::log("signatures"),
        FieldDef::log("damage_marks"),
        // Photos taken at reception (blob ids), beside those of the damage marks.
        FieldDef::log("photos"),
    ],
};

/// Repair order line: a labour operation (standard hours × the store's hourly rate) or a part
/// (quantity × price); a labour line is the job done on it.
pub static RO_LINE: RecordType = RecordType {
    name: "ro_line",
    fields: &[
        FieldDef::scalar("ro_id"),
        // `labour` or `part`.
        FieldDef::scalar("kind"),
        // `estimate` or `added_work` (增项, from a finding).
        FieldDef::scalar("origin"),
        FieldDef::scalar("code"),
        FieldDef::scalar("description"),
        FieldDef::scalar("std_hours"),
        FieldDef::scalar("qty"),
        FieldDef::scalar("unit_price_fen"),
        FieldDef::scalar("technician_id"),
        FieldDef::scalar("billed"),
        FieldDef::log("decision"),
        FieldDef::log("clock"),
        FieldDef::log("findings"),
    ],
};

/// Store service settings, one record per store.
pub static SERVICE_SETTINGS: RecordType = RecordType {
    name: "service_settings",
    fields: &[
        FieldDef::scalar("hourly_rate_fen"),
        FieldDef::scalar("comeback_days"),
        FieldDef::scalar("promise_buffer_minutes"),
        // The labour price list (工时价目): `service::desk::LabourOp` as JSON.
        FieldDef::set("labour_ops"),
        // Technician minutes on duty per day, all technicians together (the workshop's hours).
        FieldDef::scalar("shop_minutes_per_day"),
    ],
};

/// Past service (维修保养记录) imported from a store's old DMS: one visit of one vehicle before the
/// store used forecourt, so the care schedule (first maintenance, mileage reminders, lost
/// customers) works from day one. All scalar, written once by the import (managers only,
/// [`super::may_write`]); readable by whoever may read C-cards or repair orders.
pub static SERVICE_HISTORY: RecordType = RecordType {
    name: "service_history",
    fields: &[
        FieldDef::scalar("c_card_id"),
        FieldDef::scalar("vin"),
        FieldDef::scalar("plate"),
        // `YYYY-MM-DD`.
        FieldDef::scalar("date"),
        // km, an integer as text.
        FieldDef::scalar("odometer"),
        FieldDef::scalar("ro_number"),
        // [`HistoryKind`].
        FieldDef::scalar("kind"),
        // Yuan as decimal text, e.g. `680.00`.
        FieldDef::scalar("amount"),
        // The advisor's name as the old system wrote it.
        FieldDef::scalar("advisor"),
        FieldDef::scalar("note"),
    ],
};

/// The kind of a past service (`service_history.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryKind {
    /// 首保
    FirstMaintenance,
    /// 保养
    Maintenance,
    /// 维修
    Repair,
    /// 保修 / 索赔
    Warranty,
    /// 其他
    Other,
}

impl HistoryKind {
    pub const ALL: [HistoryKind; 5] = [
        HistoryKind::FirstMaintenance,
        HistoryKind::Maintenance,
        HistoryKind::Repair,
        HistoryKind::Warranty,
        HistoryKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HistoryKind::FirstMaintenance => "first_maintenance",
            HistoryKind::Maintenance => "maintenance",
            HistoryKind::Repair => "repair",
            HistoryKind::Warranty => "warranty",
            HistoryKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<HistoryKind> {
        HistoryKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            HistoryKind::FirstMaintenance => "首保",
            HistoryKind::Maintenance => "保养",
            HistoryKind::Repair => "维修",
            HistoryKind::Warranty => "保修",
            HistoryKind::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HistoryKind::FirstMaintenance => "First maintenance",
            HistoryKind::Maintenance => "Maintenance",
            HistoryKind::Repair => "Repair",
            HistoryKind::Warranty => "Warranty",
            HistoryKind::Other => "Other",
        }
    }
}

/// A past service (`service_history`).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHistory {
    pub id: Uuid,
    pub c_card_id: Option<Uuid>,
    pub vin: Option<String>,
    pub plate: Option<String>,
    pub date: Option<NaiveDate>,
    pub odometer_km: Option<i64>,
    pub ro_number: Option<String>,
    /// `other` when missing or unreadable.
    pub kind: HistoryKind,
    /// In fen (`680.00` yuan = 68 000).
    pub amount_fen: Option<i64>,
    pub advisor: Option<String>,
    pub note: Option<String>,
}

impl ServiceHistory {
    pub fn of(r: &RecordState) -> ServiceHistory {
        ServiceHistory {
            id: r.id,
            c_card_id: field::uuid(r, "c_card_id"),
            vin: field::string(r, "vin"),
            plate: field::string(r, "plate"),
            date: field::text(r, "date")
                .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok()),
            odometer_km: field::integer(r, "odometer"),
            ro_number: field::string(r, "ro_number"),
            kind: field::text(r, "kind")
                .and_then(HistoryKind::parse)
                .unwrap_or(HistoryKind::Other),
            amount_fen: field::text(r, "amount").and_then(yuan_to_fen),
            advisor: field::string(r, "advisor"),
            note: field::string(r, "note"),
        }
    }
}

/// `680`, `680.5`, `680.00`, `-12.30` (yuan) → fen; `None` for anything else (more than two
/// decimals, letters).
pub fn yuan_to_fen(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    let fen = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if neg { -fen } else { fen })
}

/// Why an op on a past service (`service_history`) was refused ([`check_history`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("a past service is written once, by the import")]
    Final,
    #[error("a past service needs its date and its vehicle (VIN or plate)")]
    Incomplete,
    #[error("`{field}` of a past service is not valid: {value}")]
    Invalid { field: String, value: String },
}

impl crate::sales::UserError for HistoryError {
    fn code(&self) -> &'static str {
        match self {
            HistoryError::Final => "service_history_final",
            HistoryError::Incomplete => "service_history_incomplete",
            HistoryError::Invalid { .. } => "service_history_invalid",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            HistoryError::Final => "历史维修记录由导入一次写入,之后不能修改(可移入回收站)".into(),
            HistoryError::Incomplete => "历史维修记录需要日期和车辆(VIN 或车牌)".into(),
            HistoryError::Invalid { field, value } => {
                format!("历史维修记录的“{field}”无效:{value}")
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            HistoryError::Final => {
                "A past service is written once by the import and not changed afterwards (it may go to the bin)".into()
            }
            HistoryError::Incomplete => "A past service needs its date and its vehicle (VIN or plate)".into(),
            HistoryError::Invalid { field, value } => {
                format!("“{field}” of a past service is not valid: {value}")
            }
        }
    }
}

/// The rules of a past service, checked at push: it is written once, whole (a date
/// `YYYY-MM-DD`, a VIN or a plate, a [`HistoryKind`], an odometer of whole km, an amount in
/// yuan); afterwards only the bin (delete, restore) touches it.
pub fn check_history(stored: &RecordState, op: &crate::sync::Op) -> Result<(), HistoryError> {
    use crate::sync::Change;
    if op.record_type != SERVICE_HISTORY.name {
        return Ok(());
    }
    let bin_only = op
        .changes
        .iter()
        .all(|c| matches!(c, Change::Delete { .. } | Change::Restore { .. }));
    if !stored.is_empty() {
        return if bin_only {
            Ok(())
        } else {
            Err(HistoryError::Final)
        };
    }
    let mut values: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for c in &op.changes {
        if let Change::Set { field, value, .. } = c {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            values.insert(field.as_str(), text);
        }
    }
    let get = |f: &str| values.get(f).map(|v| v.trim()).filter(|v| !v.is_empty());
    if get("date").is_none() || (get("vin").is_none() && get("plate").is_none()) {
        return Err(HistoryError::Incomplete);
    }
    let invalid = |field: &str, value: &str| HistoryError::Invalid {
        field: field.to_owned(),
        value: value.to_owned(),
    };
    if let Some(d) = get("date")
        && NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
    {
        return Err(invalid("date", d));
    }
    if let Some(k) = get("kind")
        && HistoryKind::parse(k).is_none()
    {
        return Err(invalid("kind", k));
    }
    if let Some(o) = get("odometer")
        && o.parse::<u32>().is_err()
    {
        return Err(invalid("odometer", o));
    }
    if let Some(a) = get("amount")
        && yuan_to_fen(a).is_none()
    {
        return Err(invalid("amount", a));
    }
    Ok(())
}

/// A repair order (`repair_order`).
#[derive(Debug, Clone, PartialEq)]
pub struct RepairOrder {
    pub id: Uuid,
    pub c_card_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub customer_name: Option<String>,
    pub phone: Option<String>,
    pub plate: Option<String>,
    pub vin: Option<String>,
    pub advisor_id: Option<String>,
    pub arrival: Option<Arrival>,
    pub received_at: Option<NaiveDateTime>,
    pub odometer: Option<i64>,
    pub fuel: Option<i64>,
    pub customer_words: Option<String>,
    pub complaint: Option<String>,
    pub valuables: Option<String>,
    pub estimate_minutes: Option<i64>,
    pub promised_at: Option<NaiveDateTime>,
    pub handed_over_at: Option<NaiveDateTime>,
    pub on_time: Option<bool>,
    pub comeback_of: Option<Uuid>,
    /// The key of the customer's status link.
    pub status_key: Option<String>,
    /// `received` when never moved or unreadable.
    pub status: RoStatus,
    pub qc_checks: Vec<QcCheck>,
    pub signatures: Vec<LogItem>,
}

impl RepairOrder {
    pub fn of(r: &RecordState, clock: StoreClock) -> RepairOrder {
        RepairOrder {
            id: r.id,
            c_card_id: field::uuid(r, "c_card_id"),
            appointment_id: field::uuid(r, "appointment_id"),
            customer_name: field::string(r, "customer_name"),
            phone: field::string(r, "phone"),
            plate: field::string(r, "plate"),
            vin: field::string(r, "vin"),
            advisor_id: field::string(r, "advisor_id"),
            arrival: field::text(r, "arrival").and_then(Arrival::parse),
            received_at: field::time(r, "received_at", clock),
            odometer: field::integer(r, "odometer"),
            fuel: field::integer(r, "fuel"),
            customer_words: field::string(r, "customer_words"),
            complaint: field::string(r, "complaint"),
            valuables: field::string(r, "valuables"),
            estimate_minutes: field::integer(r, "estimate_minutes"),
            promised_at: field::time(r, "promised_at", clock),
            handed_over_at: field::time(r, "handed_over_at", clock),
            on_time: field::opt_flag(r, "on_time"),
            comeback_of: field::uuid(r, "comeback_of"),
            status_key: field::string(r, "status_key"),
            status: field::status(r, "status")
                .as_deref()
                .and_then(RoStatus::parse)
                .unwrap_or(RoStatus::Received),
            qc_checks: r
                .log("qc_checks")
                .into_iter()
                .filter_map(|e| QcCheck::of(e, clock))
                .collect(),
            signatures: field::log(r, "signatures", clock),
        }
    }
}

/// A repair order line (`ro_line`).
#[derive(Debug, Clone, PartialEq)]
pub struct RoLine {
    pub id: Uuid,
    pub ro_id: Option<Uuid>,
    /// `labour` when missing or unreadable.
    pub kind: LineKind,
    /// `estimate` when missing or unreadable.
    pub origin: LineOrigin,
    pub code: Option<String>,
    pub description: Option<String>,
    /// Standard hours in hundredths of an hour (1.5 h = 150).
    pub std_centihours: Option<i64>,
    pub qty: Option<i64>,
    pub unit_price_fen: Option<i64>,
    pub technician_id: Option<String>,
    pub billed: bool,
    /// The customer's decision; `None` = proposed, not decided yet.
    pub decision: Option<LineDecision>,
    pub job: Job,
    pub findings: Vec<LogItem>,
}

impl RoLine {
    pub fn of(r: &RecordState, clock: StoreClock) -> RoLine {
        RoLine {
            id: r.id,
            ro_id: field::uuid(r, "ro_id"),
            kind: field::text(r, "kind")
                .and_then(LineKind::parse)
                .unwrap_or(LineKind::Labour),
            origin: field::text(r, "origin")
                .and_then(LineOrigin::parse)
                .unwrap_or(LineOrigin::Estimate),
            code: field::string(r, "code"),
            description: field::string(r, "description"),
            std_centihours: r.value("std_hours").and_then(parse_hours),
            qty: field::integer(r, "qty"),
            unit_price_fen: field::integer(r, "unit_price_fen"),
            technician_id: field::string(r, "technician_id"),
            billed: field::flag(r, "billed"),
            decision: LineDecision::of_line(r, clock),
            job: Job::of(&r.log("clock"), clock, field::string(r, "technician_id")),
            findings: field::log(r, "findings", clock),
        }
    }
}

/// The store's service settings as the rules use them, with the defaults for what is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSettings {
    /// The hourly labour rate in fen (0 until the store sets it).
    pub hourly_rate_fen: i64,
    /// The comeback window in days (default 30).
    pub comeback_days: i64,
    /// The promise buffer in minutes (default 10, held within 5–10 by `promised_time`).
    pub promise_buffer_minutes: i64,
}

impl ServiceSettings {
    /// The settings of `record` (`None`: the store has none yet).
    pub fn of(record: Option<&RecordState>) -> ServiceSettings {
        let int = |f: &str| record.and_then(|r| field::integer(r, f)).filter(|n| *n > 0);
        ServiceSettings {
            hourly_rate_fen: int("hourly_rate_fen").unwrap_or(0),
            comeback_days: int("comeback_days").unwrap_or(DEFAULT_COMEBACK_DAYS),
            promise_buffer_minutes: int("promise_buffer_minutes").unwrap_or(DEFAULT_BUFFER),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::repair_order::RoStatus;

    #[test]
    fn settings_default_to_the_seeds_figures() {
        let none = ServiceSettings::of(None);
        assert_eq!(
            (
                none.hourly_rate_fen,
                none.comeback_days,
                none.promise_buffer_minutes
            ),
            (0, 30, 10)
        );
        let mut r = RecordState::new(Uuid::from_u128(1), "service_settings", "demo");
        let e = crate::sync::Edit::new(&r, &SERVICE_SETTINGS);
        let op = crate::sync::Op {
            op_id: Uuid::from_u128(2),
            device_id: Uuid::from_u128(3),
            user_id: "gm".into(),
            store_id: "demo".into(),
            record_id: r.id,
            record_type: "service_settings".into(),
            hlc: crate::sync::Hlc::new(1_000, 0),
            changes: vec![
                e.set("hourly_rate_fen", serde_json::json!(18_000)).unwrap(),
                e.set("comeback_days", serde_json::json!(45)).unwrap(),
                e.set("promise_buffer_minutes", serde_json::json!(-3))
                    .unwrap(),
            ],
        };
        crate::sync::apply(&mut r, &op, &SERVICE_SETTINGS).unwrap();
        let s = ServiceSettings::of(Some(&r));
        assert_eq!(
            (s.hourly_rate_fen, s.comeback_days, s.promise_buffer_minutes),
            (18_000, 45, 10)
        );
    }

    #[test]
    fn past_services_read_back() {
        let mut r = RecordState::new(Uuid::from_u128(1), "service_history", "demo");
        let e = crate::sync::Edit::new(&r, &SERVICE_HISTORY);
        let op = crate::sync::Op {
            op_id: Uuid::from_u128(2),
            device_id: Uuid::from_u128(3),
            user_id: "gm".into(),
            store_id: "demo".into(),
            record_id: r.id,
            record_type: "service_history".into(),
            hlc: crate::sync::Hlc::new(1_000, 0),
            changes: vec![
                e.set("date", serde_json::json!("2025-03-08")).unwrap(),
                e.set("odometer", serde_json::json!("5123")).unwrap(),
                e.set("kind", serde_json::json!("first_maintenance"))
                    .unwrap(),
                e.set("amount", serde_json::json!("680.00")).unwrap(),
            ],
        };
        crate::sync::apply(&mut r, &op, &SERVICE_HISTORY).unwrap();
        let h = ServiceHistory::of(&r);
        assert_eq!(h.date, NaiveDate::from_ymd_opt(2025, 3, 8));
        assert_eq!(h.odometer_km, Some(5123));
        assert_eq!(h.kind, HistoryKind::FirstMaintenance);
        assert_eq!(h.amount_fen, Some(68_000));
        assert_eq!(h.c_card_id, None);
    }

    #[test]
    fn a_past_service_is_written_once_and_whole() {
        let empty = RecordState::new(Uuid::from_u128(1), "service_history", "demo");
        let e = crate::sync::Edit::new(&empty, &SERVICE_HISTORY);
        let op = |changes| crate::sync::Op {
            op_id: Uuid::from_u128(2),
            device_id: Uuid::from_u128(3),
            user_id: "gm".into(),
            store_id: "demo".into(),
            record_id: empty.id,
            record_type: "service_history".into(),
            hlc: crate::sync::Hlc::new(1_000, 0),
            changes,
        };
        let set = |f: &str, v: &str| e.set(f, serde_json::json!(v)).unwrap();
        let good = op(vec![
            set("date", "2025-03-08"),
            set("vin", "LVGBE40K78G123456"),
            set("kind", "maintenance"),
            set("odometer", "5123"),
            set("amount", "680.00"),
        ]);
        assert_eq!(check_history(&empty, &good), Ok(()));
        assert_eq!(
            check_history(&empty, &op(vec![set("date", "2025-03-08")])),
            Err(HistoryError::Incomplete)
        );
        for (f, v) in [
            ("date", "2025/03/08"),
            ("kind", "tuning"),
            ("odometer", "5千"),
            ("amount", "¥680"),
        ] {
            let mut changes = vec![set("date", "2025-03-08"), set("plate", "粤B12345")];
            changes.retain(|c| c.field() != Some(f));
            changes.push(set(f, v));
            assert!(
                matches!(
                    check_history(&empty, &op(changes)),
                    Err(HistoryError::Invalid { .. })
                ),
                "{f}"
            );
        }
        let mut stored = empty.clone();
        crate::sync::apply(&mut stored, &good, &SERVICE_HISTORY).unwrap();
        let later = crate::sync::Edit::new(&stored, &SERVICE_HISTORY);
        assert_eq!(
            check_history(
                &stored,
                &op(vec![
                    later.set("amount", serde_json::json!("1.00")).unwrap()
                ])
            ),
            Err(HistoryError::Final)
        );
        assert_eq!(check_history(&stored, &op(vec![later.delete()])), Ok(()));
    }

    #[test]
    fn yuan_amounts() {
        assert_eq!(yuan_to_fen("680"), Some(68_000));
        assert_eq!(yuan_to_fen("680.5"), Some(68_050));
        assert_eq!(yuan_to_fen(" 0.07 "), Some(7));
        assert_eq!(yuan_to_fen("-12.30"), Some(-1230));
        assert_eq!(yuan_to_fen("1.234"), None);
        assert_eq!(yuan_to_fen("12a"), None);
        assert_eq!(yuan_to_fen(".5"), None);
        for k in HistoryKind::ALL {
            assert_eq!(HistoryKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn the_ro_machine_agrees_with_the_status_enum() {
        let names: Vec<&str> = RoStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, REPAIR_ORDER_STATUS.states);
        assert_eq!(REPAIR_ORDER_STATUS.initial, RoStatus::Received.as_str());
        for (from, to) in REPAIR_ORDER_STATUS.transitions {
            assert!(
                RoStatus::parse(from).is_some() && RoStatus::parse(to).is_some(),
                "{from} → {to}"
            );
        }
    }
}
