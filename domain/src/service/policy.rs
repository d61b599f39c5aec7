//! The service part of [`crate::policy::check_op`]: appointments, repair orders and their lines.
//!
//! - A booking's time (`slot_at`) is checked by the three-hour rule ([`check_slot`]) whenever
//!   an op writes a new value to it (a new booking, or moving one): against the op's HLC time
//!   read in store time, so a booking cannot be made late by a device and pushed later as if it
//!   were made in time. Writing the same value again (a form saving other fields) is not a new
//!   booking. A time that does not read as a time is left to the screens. A no-show (失约) needs
//!   its reason.
//! - A repair order's status moves are made by the roles of [`may_move`]; the move to handed
//!   over needs a passed final QC check (the record after the op: the check may come in the
//!   same op). QC checks are written by the QC inspector; a failed check says why.
//! - A line's decision (the customer's approval or refusal) is written once, under the line's
//!   own id, with its proof (a signature, or who/when/what of a phone approval), by the advisor.
//!   An approved line's figures no longer change. Clocking on (work) and billing need the line
//!   approved. Dispatch (the line's technician) is the advisor's. A line's figures are those the
//!   estimate form accepts ([`check_line_figure`]: no negative, fractional or absurd quantity,
//!   price or hours).
//! - A repair order's reception and handover times are recorded as they happen, its promise is
//!   not in the past when made, and none of its times changes once it is handed over or
//!   cancelled ([`check_ro_times`]: 准时交车率 cannot be rewritten).
//! - The service settings are the service managers' (the general manager).
//!
//! The general manager (who manages service) may do all of it.

use thiserror::Error;

use super::appointment::{SlotError, check_slot};
use super::repair_order::{
    ClockEvent, LineDecision, QcCheck, RoStatus, final_qc_passed, line_approved, may_move,
};
use crate::records::field::is_true;
use crate::records::service::{REPAIR_ORDER, RO_LINE};
use crate::roles::{Actor, Area, Role};
use crate::sales::UserError;
use crate::sync::{Change, Op, RecordState, apply};
use crate::time::StoreClock;

/// Why an op on a service record was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ServicePolicyError {
    #[error(transparent)]
    Slot(SlotError),
    #[error("a no-show needs its reason")]
    NoShowWithoutReason,
    #[error("this role may not move a repair order from `{from}` to `{to}`")]
    RoMoveForbidden { from: String, to: String },
    #[error("no handover without a passed final QC check")]
    HandoverWithoutFinalQc,
    #[error("only the QC inspector records QC checks")]
    QcInspectorOnly,
    #[error("a QC check needs its level and result, and a failed one its reason")]
    QcCheckIncomplete,
    #[error("the customer's decision on a line is written once")]
    LineDecisionFinal,
    #[error("a decision needs a signature or a logged phone approval (who, when, what)")]
    ApprovalWithoutProof,
    #[error("only the service advisor records the customer's decision")]
    DecisionAdvisorOnly,
    #[error("an approved line's `{field}` cannot change")]
    ApprovedLineLocked { field: String },
    #[error("no work on a line the customer has not approved")]
    WorkNotApproved,
    #[error("no billing of a line the customer has not approved")]
    BillingNotApproved,
    #[error("only technicians clock on and off")]
    ClockTechnicianOnly,
    #[error("only the service advisor dispatches work")]
    DispatchAdvisorOnly,
    #[error("only a service manager changes the service settings")]
    SettingsManagerOnly,
    #[error("a line's `{field}` is not a sound figure")]
    LineFigureInvalid { field: String },
    #[error("`{field}` is recorded by the device when it happens, not typed")]
    RoTimeNotNow { field: String },
    #[error("a promised time is not in the past when it is made")]
    PromiseInPast,
    #[error("a handed-over or cancelled repair order's `{field}` no longer changes")]
    RoClosed { field: String },
    #[error("the lines of a handed-over or cancelled repair order no longer change")]
    LineOfClosedRo,
}

impl ServicePolicyError {
    /// Whether the refusal is about who the actor is (403) rather than the op itself (422).
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            ServicePolicyError::RoMoveForbidden { .. }
                | ServicePolicyError::QcInspectorOnly
                | ServicePolicyError::DecisionAdvisorOnly
                | ServicePolicyError::ClockTechnicianOnly
                | ServicePolicyError::DispatchAdvisorOnly
                | ServicePolicyError::SettingsManagerOnly
        )
    }
}

impl UserError for ServicePolicyError {
    fn code(&self) -> &'static str {
        use ServicePolicyError as E;
        match self {
            E::Slot(e) => e.code(),
            E::NoShowWithoutReason => "no_show_without_reason",
            E::RoMoveForbidden { .. } => "ro_move_forbidden",
            E::HandoverWithoutFinalQc => "handover_without_final_qc",
            E::QcInspectorOnly => "qc_inspector_only",
            E::QcCheckIncomplete => "qc_check_incomplete",
            E::LineDecisionFinal => "line_decision_final",
            E::ApprovalWithoutProof => "approval_without_proof",
            E::DecisionAdvisorOnly => "decision_advisor_only",
            E::ApprovedLineLocked { .. } => "approved_line_locked",
            E::WorkNotApproved => "work_not_approved",
            E::BillingNotApproved => "billing_not_approved",
            E::ClockTechnicianOnly => "clock_technician_only",
            E::DispatchAdvisorOnly => "dispatch_advisor_only",
            E::SettingsManagerOnly => "service_settings_manager_only",
            E::LineFigureInvalid { .. } => "line_figure_invalid",
            E::RoTimeNotNow { .. } => "ro_time_not_now",
            E::PromiseInPast => "ro_promise_in_past",
            E::RoClosed { .. } => "ro_closed",
            E::LineOfClosedRo => "ro_line_closed",
        }
    }

    fn message_zh(&self) -> String {
        use ServicePolicyError as E;
        match self {
            E::Slot(e) => e.message_zh(),
            E::NoShowWithoutReason => "登记失约须填写原因".into(),
            E::RoMoveForbidden { from, to } => {
                let label =
                    |s: &str| RoStatus::parse(s).map_or(s.to_owned(), |x| x.label_zh().into());
                format!("您的角色不能把工单从“{}”改为“{}”", label(from), label(to))
            }
            E::HandoverWithoutFinalQc => "终检未通过,不能交车".into(),
            E::QcInspectorOnly => "只有质检员可以登记质检结果".into(),
            E::QcCheckIncomplete => "质检须填写级别和结果,不合格须写明原因".into(),
            E::LineDecisionFinal => "客户对该项目的确认已登记,不能更改".into(),
            E::ApprovalWithoutProof => "客户确认须有签名,或电话确认的人、时间和内容".into(),
            E::DecisionAdvisorOnly => "只有服务顾问可以登记客户的确认".into(),
            E::ApprovedLineLocked { .. } => "客户已确认的项目不能再修改工时、数量或价格".into(),
            E::WorkNotApproved => "客户未确认的项目不能开工".into(),
            E::BillingNotApproved => "客户未确认的项目不能结算".into(),
            E::ClockTechnicianOnly => "只有技师可以开工、暂停和完工".into(),
            E::DispatchAdvisorOnly => "只有服务顾问可以派工".into(),
            E::SettingsManagerOnly => "只有售后经理可以修改售后设置".into(),
            E::LineFigureInvalid { field } => format!(
                "项目的{}无效:工时须大于 0 且不超过 {MAX_STD_HOURS} 小时,数量须为 1 到 {MAX_QTY} 的整数,单价须为 0 到 {} 元的金额",
                figure_zh(field),
                MAX_UNIT_PRICE_FEN / 100
            ),
            E::RoTimeNotNow { field } => format!(
                "工单的{}由设备在登记时自动记录,不能补填或改成其他时间",
                if field == "received_at" {
                    "接车时间"
                } else {
                    "交车时间"
                }
            ),
            E::PromiseInPast => "承诺交车时间不能早于现在".into(),
            E::RoClosed { .. } => "工单已交车或已取消,交车时间和承诺时间不能再修改".into(),
            E::LineOfClosedRo => "工单已交车或已取消,不能再增加或修改维修项目".into(),
        }
    }

    fn message_en(&self) -> String {
        use ServicePolicyError as E;
        match self {
            E::Slot(e) => e.message_en(),
            E::NoShowWithoutReason => "A no-show needs its reason".into(),
            E::RoMoveForbidden { from, to } => {
                format!("Your role may not move a repair order from “{from}” to “{to}”")
            }
            E::HandoverWithoutFinalQc => {
                "The final QC check has not passed; the car cannot be handed over".into()
            }
            E::QcInspectorOnly => "Only the QC inspector records QC checks".into(),
            E::QcCheckIncomplete => {
                "A QC check needs its level and result, and a failed one its reason".into()
            }
            E::LineDecisionFinal => {
                "The customer's decision on this line is recorded and cannot change".into()
            }
            E::ApprovalWithoutProof => {
                "The customer's decision needs a signature, or who, when and what of a phone approval"
                    .into()
            }
            E::DecisionAdvisorOnly => {
                "Only the service advisor records the customer's decision".into()
            }
            E::ApprovedLineLocked { field } => {
                format!("The customer approved this line; its “{field}” cannot change")
            }
            E::WorkNotApproved => "No work on a line the customer has not approved".into(),
            E::BillingNotApproved => "No billing of a line the customer has not approved".into(),
            E::ClockTechnicianOnly => "Only technicians clock on, pause and off".into(),
            E::DispatchAdvisorOnly => "Only the service advisor dispatches work".into(),
            E::SettingsManagerOnly => "Only a service manager changes the service settings".into(),
            E::LineFigureInvalid { field } => format!(
                "The line's “{field}” is not valid: standard hours above 0 and at most {MAX_STD_HOURS}, a whole quantity from 1 to {MAX_QTY}, a unit price from ¥0 to ¥{}",
                MAX_UNIT_PRICE_FEN / 100
            ),
            E::RoTimeNotNow { field } => format!(
                "The repair order's “{field}” is recorded by the device when it happens; it cannot be typed in later or changed"
            ),
            E::PromiseInPast => "A promised time cannot be earlier than now".into(),
            E::RoClosed { field } => format!(
                "The repair order is handed over or cancelled; its “{field}” no longer changes"
            ),
            E::LineOfClosedRo => {
                "The repair order is handed over or cancelled; its lines cannot be added to or changed"
                    .into()
            }
        }
    }
}

fn has(actor: &Actor, role: Role) -> bool {
    actor.roles.contains(&role) || actor.manages(Area::Service)
}

/// At most this many standard hours on one labour line.
pub const MAX_STD_HOURS: f64 = 100.0;
/// At most this many of one part on one line.
pub const MAX_QTY: i64 = 9_999;
/// At most this unit price (fen) on one line: ¥1,000,000.
pub const MAX_UNIT_PRICE_FEN: i64 = 100_000_000;

fn figure_zh(field: &str) -> &'static str {
    match field {
        "std_hours" => "工时",
        "qty" => "数量",
        _ => "单价",
    }
}

/// A line's figures as the estimate form and 改价 accept them: standard hours above zero (at
/// most [`MAX_STD_HOURS`]), a whole quantity from 1 to [`MAX_QTY`], a whole unit price in fen
/// from 0 to [`MAX_UNIT_PRICE_FEN`]. Other fields are not figures (`Ok`).
pub fn check_line_figure(field: &str, value: &serde_json::Value) -> Result<(), ServicePolicyError> {
    let ok = match field {
        "std_hours" => value
            .as_f64()
            .is_some_and(|h| h > 0.0 && h <= MAX_STD_HOURS),
        "qty" => value.as_i64().is_some_and(|q| (1..=MAX_QTY).contains(&q)),
        "unit_price_fen" => value
            .as_i64()
            .is_some_and(|p| (0..=MAX_UNIT_PRICE_FEN).contains(&p)),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ServicePolicyError::LineFigureInvalid {
            field: field.to_owned(),
        })
    }
}

/// The figures the customer approved (a line's price).
const LOCKED: &[&str] = &["kind", "code", "std_hours", "qty", "unit_price_fen"];

/// The service rules for `op` by `actor` on the record as stored (`stored`: empty for a new
/// record).
pub fn check(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), ServicePolicyError> {
    match op.record_type.as_str() {
        "appointment" => check_appointment(stored, op, clock),
        "repair_order" => check_repair_order(actor, stored, op, clock),
        "ro_line" => check_line(actor, stored, op),
        "service_settings" if !actor.manages(Area::Service) => {
            Err(ServicePolicyError::SettingsManagerOnly)
        }
        _ => Ok(()),
    }
}

fn check_appointment(
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), ServicePolicyError> {
    let mut no_show = false;
    for change in &op.changes {
        match change {
            Change::Transition { field, to, .. } if field == "status" && to == "no_show" => {
                no_show = true;
            }
            Change::Set { field, value, .. } if field == "slot_at" => {
                if stored.value("slot_at") == Some(value) {
                    continue;
                }
                let (Some(slot), Some(now)) = (
                    value.as_str().and_then(|s| clock.parse(s)),
                    clock.local_ms(op.hlc.wall_ms),
                ) else {
                    continue;
                };
                check_slot(now, slot).map_err(ServicePolicyError::Slot)?;
            }
            _ => {}
        }
    }
    if no_show {
        let reason = op
            .changes
            .iter()
            .find_map(|c| match c {
                Change::Set { field, value, .. } if field == "no_show_reason" => Some(value),
                _ => None,
            })
            .or_else(|| stored.value("no_show_reason"));
        let given = reason
            .and_then(|v| v.as_str())
            .is_some_and(|s| !s.trim().is_empty());
        if !given {
            return Err(ServicePolicyError::NoShowWithoutReason);
        }
    }
    Ok(())
}

/// The record after `op` (the rules that read a fact the same op may bring: a QC check with
/// the handover, a decision with the clock-on). `None` when the op does not apply (refused by
/// the sync rules anyway).
fn after(stored: &RecordState, op: &Op, rt: &crate::sync::RecordType) -> Option<RecordState> {
    let mut s = stored.clone();
    apply(&mut s, op, rt).ok().map(|_| s)
}

/// The times of a repair order the screens record as they happen: reception (接车) and handover
/// (交车). Their gap to the promise is 准时交车率 and the workshop's times.
pub const RO_RECORDED_NOW: &[&str] = &["received_at", "handed_over_at"];

/// What a repair order's on-time figure reads, fixed once it is handed over or cancelled.
pub const RO_TIMES: &[&str] = &[
    "received_at",
    "promised_at",
    "handed_over_at",
    "on_time",
    "estimate_minutes",
];

/// The times of a repair order (准时交车率): reception and handover written by someone who does
/// not manage service are the op's own time (as [`crate::sales::policy::RECORDED_NOW`]); a
/// promise ([`super::repair_order::promised_time`]) is not earlier than the op that makes it; once
/// the RO is handed over or cancelled, none of [`RO_TIMES`] changes. A value the record holds
/// already (or one of a conflict's values) is not a change.
pub fn check_ro_times(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), ServicePolicyError> {
    use crate::sales::policy::{NOW_AHEAD_MINUTES, NOW_BEHIND_MINUTES};
    let Some(made_at) = clock.local_ms(op.hlc.wall_ms) else {
        return Ok(());
    };
    let closed = matches!(
        stored.status(&REPAIR_ORDER, "status"),
        Some("handed_over" | "cancelled")
    );
    for change in &op.changes {
        let Change::Set { field, value, .. } = change else {
            continue;
        };
        let known = stored.value(field) == Some(value)
            || stored.heads(field).iter().any(|h| h.value == *value);
        if known || !RO_TIMES.contains(&field.as_str()) {
            continue;
        }
        if closed {
            return Err(ServicePolicyError::RoClosed {
                field: field.clone(),
            });
        }
        let at = value.as_str().and_then(|s| clock.parse(s));
        let behind = made_at - chrono::TimeDelta::minutes(NOW_BEHIND_MINUTES);
        if RO_RECORDED_NOW.contains(&field.as_str()) && !actor.manages(Area::Service) {
            let now = at.is_some_and(|at| {
                at >= behind && at <= made_at + chrono::TimeDelta::minutes(NOW_AHEAD_MINUTES)
            });
            if !now {
                return Err(ServicePolicyError::RoTimeNotNow {
                    field: field.clone(),
                });
            }
        }
        if field == "promised_at" && at.is_none_or(|at| at < behind) {
            return Err(ServicePolicyError::PromiseInPast);
        }
    }
    Ok(())
}

fn check_repair_order(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), ServicePolicyError> {
    check_ro_times(actor, stored, op, clock)?;
    for change in &op.changes {
        match change {
            Change::Transition {
                field, from, to, ..
            } if field == "status" => {
                let (Some(f), Some(t)) = (RoStatus::parse(from), RoStatus::parse(to)) else {
                    continue; // the state machine refuses it
                };
                if !may_move(&actor.roles, f, t) {
                    return Err(ServicePolicyError::RoMoveForbidden {
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
                if t == RoStatus::HandedOver {
                    let checks: Vec<QcCheck> = after(stored, op, &REPAIR_ORDER)
                        .map(|s| {
                            s.log("qc_checks")
                                .into_iter()
                                .filter_map(|e| QcCheck::of(e, clock))
                                .collect()
                        })
                        .unwrap_or_default();
                    if !final_qc_passed(&checks) {
                        return Err(ServicePolicyError::HandoverWithoutFinalQc);
                    }
                }
            }
            Change::Append {
                field,
                entry_id,
                value,
            } if field == "qc_checks" => {
                if !has(actor, Role::QcInspector) {
                    return Err(ServicePolicyError::QcInspectorOnly);
                }
                let entry = crate::sync::LogEntry {
                    entry_id: *entry_id,
                    value: value.clone(),
                    hlc: op.hlc,
                    device_id: op.device_id,
                    user_id: op.user_id.clone(),
                    op_id: op.op_id,
                };
                match QcCheck::of(&entry, clock) {
                    Some(c) if c.passed || c.reason.is_some() => {}
                    _ => return Err(ServicePolicyError::QcCheckIncomplete),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The repair orders an op on a line is checked against ([`check_line_of_ro`]): the one the
/// stored line belongs to and the one the op names (a new line's `ro_id`), each once. The server
/// looks each up (in the same push, or stored); one it does not hold is not checked here.
pub fn line_ros(stored: Option<&RecordState>, op: &Op) -> Vec<uuid::Uuid> {
    if op.record_type != RO_LINE.name {
        return Vec::new();
    }
    let named = op.changes.iter().find_map(|c| match c {
        Change::Set { field, value, .. } if field == "ro_id" => value.as_str(),
        _ => None,
    });
    let held = stored
        .and_then(|s| s.value("ro_id"))
        .and_then(|v| v.as_str());
    let mut out: Vec<uuid::Uuid> = [held, named]
        .into_iter()
        .flatten()
        .filter_map(|id| uuid::Uuid::parse_str(id).ok())
        .collect();
    out.dedup();
    out
}

/// A line of a repair order handed over or cancelled no longer changes: no new line (an added
/// item billed to a car already gone), no figure, decision, dispatch, finding or start of work
/// (the service desk shows none of these once the car is handed over). A technician's pause or
/// clocking off still goes in: a workshop tablet that was offline when the car was handed over
/// sends it later.
pub fn check_line_of_ro(ro: &RecordState, op: &Op) -> Result<(), ServicePolicyError> {
    if ro.record_type != REPAIR_ORDER.name {
        return Ok(());
    }
    let closed = ro
        .status(&REPAIR_ORDER, "status")
        .and_then(RoStatus::parse)
        .is_some_and(|s| matches!(s, RoStatus::HandedOver | RoStatus::Cancelled));
    if !closed || ro.is_deleted() {
        return Ok(());
    }
    let clocking_off = |c: &Change| match c {
        Change::Append { field, value, .. } if field == "clock" => value
            .get("event")
            .and_then(|v| v.as_str())
            .and_then(ClockEvent::parse)
            .is_some_and(|e| e != ClockEvent::On),
        _ => false,
    };
    if op.changes.iter().all(clocking_off) {
        Ok(())
    } else {
        Err(ServicePolicyError::LineOfClosedRo)
    }
}

fn check_line(actor: &Actor, stored: &RecordState, op: &Op) -> Result<(), ServicePolicyError> {
    let approved_before = line_approved(stored);
    let mut needs_approval = None;
    for change in &op.changes {
        match change {
            Change::Append {
                field,
                entry_id,
                value,
            } if field == "decision" => {
                if !has(actor, Role::ServiceAdvisor) {
                    return Err(ServicePolicyError::DecisionAdvisorOnly);
                }
                let first = stored.log("decision").is_empty();
                let resend = stored
                    .log("decision")
                    .iter()
                    .any(|e| e.entry_id == *entry_id && e.value == *value);
                if *entry_id != op.record_id || !(first || resend) {
                    return Err(ServicePolicyError::LineDecisionFinal);
                }
                let proved =
                    LineDecision::of_value(value, &op.user_id).is_some_and(|d| d.proof.is_some());
                if !proved {
                    return Err(ServicePolicyError::ApprovalWithoutProof);
                }
            }
            Change::Append { field, value, .. } if field == "clock" => {
                if !has(actor, Role::Technician) {
                    return Err(ServicePolicyError::ClockTechnicianOnly);
                }
                let on = value
                    .get("event")
                    .and_then(|v| v.as_str())
                    .and_then(ClockEvent::parse)
                    == Some(ClockEvent::On);
                if on {
                    needs_approval.get_or_insert(ServicePolicyError::WorkNotApproved);
                }
            }
            Change::Set { field, value, .. } if field == "billed" && is_true(value) => {
                needs_approval.get_or_insert(ServicePolicyError::BillingNotApproved);
            }
            Change::Set { field, .. }
                if field == "technician_id" && !has(actor, Role::ServiceAdvisor) =>
            {
                return Err(ServicePolicyError::DispatchAdvisorOnly);
            }
            Change::Set { field, .. } if approved_before && LOCKED.contains(&field.as_str()) => {
                return Err(ServicePolicyError::ApprovedLineLocked {
                    field: field.clone(),
                });
            }
            Change::Set { field, value, .. } if stored.value(field) != Some(value) => {
                check_line_figure(field, value)?;
            }
            _ => {}
        }
    }
    if let Some(err) = needs_approval {
        let approved = after(stored, op, &RO_LINE).is_some_and(|s| line_approved(&s));
        if !approved {
            return Err(err);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::APPOINTMENT;
    use crate::records::service::SERVICE_SETTINGS;
    use crate::service::repair_order::{Proof, QcStage};
    use crate::sync::{Edit, Hlc, RecordType, new_id};
    use serde_json::{Value, json};
    use uuid::Uuid;

    /// 2026-12-07 09:00 in China (UTC+8) as Unix ms.
    const NINE_AM: u64 = 1_796_605_200_000;
    const C: StoreClock = StoreClock::CHINA;

    fn sa() -> Actor {
        Actor::new("advisor", &[Role::ServiceAdvisor])
    }
    fn tech() -> Actor {
        Actor::new("tech", &[Role::Technician])
    }
    fn qc() -> Actor {
        Actor::new("qc", &[Role::QcInspector])
    }
    fn gm() -> Actor {
        Actor::new("gm", &[Role::GeneralManager])
    }

    fn op_of(state: &RecordState, n: u8, at_ms: u64, changes: Vec<Change>) -> Op {
        Op {
            op_id: new_id(at_ms, [n; 10]),
            device_id: Uuid::from_u128(1),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id: state.id,
            record_type: state.record_type.clone(),
            hlc: Hlc::new(at_ms, u32::from(n)),
            changes,
        }
    }

    fn op(state: &RecordState, n: u8, at_ms: u64, slot: &str) -> Op {
        let e = Edit::new(state, &APPOINTMENT);
        op_of(
            state,
            n,
            at_ms,
            vec![e.set("slot_at", json!(slot)).unwrap()],
        )
    }

    /// Applies `changes` made by `f` from the record (unchecked: the record's history).
    fn write(state: &mut RecordState, rt: &RecordType, n: u8, f: impl Fn(&Edit) -> Vec<Change>) {
        let changes = f(&Edit::new(state, rt));
        let op = op_of(state, n, NINE_AM + u64::from(n) * 60_000, changes);
        apply(state, &op, rt).unwrap();
    }

    /// Checks the op of `changes` made by `f` from the record.
    fn try_op(
        actor: &Actor,
        state: &RecordState,
        rt: &RecordType,
        n: u8,
        f: impl Fn(&Edit) -> Vec<Change>,
    ) -> Result<(), ServicePolicyError> {
        let changes = f(&Edit::new(state, rt));
        let op = op_of(state, n, NINE_AM + u64::from(n) * 60_000, changes);
        check(actor, state, &op, C)
    }

    #[test]
    fn a_new_booking_must_be_three_hours_ahead_of_the_ops_time() {
        assert_eq!(
            C.local_ms(NINE_AM).map(|t| t.to_string()).as_deref(),
            Some("2026-12-07 09:00:00")
        );
        let mut state = RecordState::new(new_id(NINE_AM, [9; 10]), "appointment", "demo");
        let soon = op(&state, 1, NINE_AM, "2026-12-07T11:30:00");
        let too_soon = Err(ServicePolicyError::Slot(SlotError::TooSoon));
        assert_eq!(check(&sa(), &state, &soon, C), too_soon);
        let ok = op(&state, 2, NINE_AM, "2026-12-07T12:00:00");
        assert_eq!(check(&sa(), &state, &ok, C), Ok(()));
        apply(&mut state, &ok, &APPOINTMENT).unwrap();
        // Later that morning: saving the same time again is not a new booking …
        let same = op(&state, 3, NINE_AM + 2 * 3_600_000, "2026-12-07T12:00:00");
        assert_eq!(check(&sa(), &state, &same, C), Ok(()));
        // … moving it to within three hours is.
        let moved = op(&state, 4, NINE_AM + 2 * 3_600_000, "2026-12-07T13:00:00");
        assert_eq!(check(&sa(), &state, &moved, C), too_soon);
        let garbled = op(&state, 5, NINE_AM, "soon");
        assert_eq!(check(&sa(), &state, &garbled, C), Ok(()));
    }

    #[test]
    fn a_no_show_needs_its_reason() {
        let state = RecordState::new(new_id(NINE_AM, [9; 10]), "appointment", "demo");
        let bare = try_op(&sa(), &state, &APPOINTMENT, 1, |e| {
            vec![e.transition("status", "no_show").unwrap()]
        });
        assert_eq!(bare, Err(ServicePolicyError::NoShowWithoutReason));
        let blank = try_op(&sa(), &state, &APPOINTMENT, 2, |e| {
            vec![
                e.set("no_show_reason", json!(" ")).unwrap(),
                e.transition("status", "no_show").unwrap(),
            ]
        });
        assert_eq!(blank, Err(ServicePolicyError::NoShowWithoutReason));
        let given = try_op(&sa(), &state, &APPOINTMENT, 3, |e| {
            vec![
                e.set("no_show_reason", json!("客户出差")).unwrap(),
                e.transition("status", "no_show").unwrap(),
            ]
        });
        assert_eq!(given, Ok(()));
    }

    fn ro_at(status: &str) -> RecordState {
        let mut s = RecordState::new(new_id(NINE_AM, [7; 10]), "repair_order", "demo");
        let path = [
            "estimated",
            "approved",
            "in_work",
            "qc",
            "ready",
            "handed_over",
        ];
        for (n, to) in (1..).zip(path) {
            if s.status(&REPAIR_ORDER, "status") == Some(status) {
                break;
            }
            write(&mut s, &REPAIR_ORDER, n, |e| {
                vec![e.transition("status", to).unwrap()]
            });
        }
        s
    }

    fn qc_entry(n: u128, stage: QcStage, passed: bool, reason: &str) -> (Uuid, Value) {
        (Uuid::from_u128(n), QcCheck::entry(stage, passed, reason))
    }

    #[test]
    fn ro_moves_are_made_by_their_roles() {
        let received = ro_at("received");
        let estimate = |e: &Edit| vec![e.transition("status", "estimated").unwrap()];
        assert_eq!(
            try_op(&sa(), &received, &REPAIR_ORDER, 20, estimate),
            Ok(())
        );
        let err = try_op(&tech(), &received, &REPAIR_ORDER, 21, estimate).unwrap_err();
        assert_eq!(err.code(), "ro_move_forbidden");
        assert!(err.is_forbidden());
        let qc_state = ro_at("qc");
        let pass = |e: &Edit| vec![e.transition("status", "ready").unwrap()];
        assert!(try_op(&sa(), &qc_state, &REPAIR_ORDER, 22, pass).is_err());
        assert_eq!(try_op(&qc(), &qc_state, &REPAIR_ORDER, 23, pass), Ok(()));
        let in_work = ro_at("in_work");
        let done = |e: &Edit| vec![e.transition("status", "qc").unwrap()];
        assert_eq!(try_op(&tech(), &in_work, &REPAIR_ORDER, 24, done), Ok(()));
    }

    #[test]
    fn no_handover_without_a_passed_final_check() {
        let mut ready = ro_at("ready");
        let hand = |e: &Edit| vec![e.transition("status", "handed_over").unwrap()];
        assert_eq!(
            try_op(&sa(), &ready, &REPAIR_ORDER, 30, hand),
            Err(ServicePolicyError::HandoverWithoutFinalQc)
        );
        let (id, fail) = qc_entry(1, QcStage::Final, false, "刹车异响未消除");
        write(&mut ready, &REPAIR_ORDER, 31, |e| {
            vec![e.append("qc_checks", id, fail.clone()).unwrap()]
        });
        assert_eq!(
            try_op(&sa(), &ready, &REPAIR_ORDER, 32, hand),
            Err(ServicePolicyError::HandoverWithoutFinalQc)
        );
        let (id, pass) = qc_entry(2, QcStage::Final, true, "");
        // The general manager may record the pass and hand over in one op.
        let both = try_op(&gm(), &ready, &REPAIR_ORDER, 33, |e| {
            vec![
                e.append("qc_checks", id, pass.clone()).unwrap(),
                e.transition("status", "handed_over").unwrap(),
            ]
        });
        assert_eq!(both, Ok(()));
        write(&mut ready, &REPAIR_ORDER, 34, |e| {
            vec![e.append("qc_checks", id, pass.clone()).unwrap()]
        });
        assert_eq!(try_op(&sa(), &ready, &REPAIR_ORDER, 35, hand), Ok(()));
    }

    #[test]
    fn qc_checks_are_the_inspectors_and_a_fail_says_why() {
        let s = ro_at("qc");
        let (id, fail) = qc_entry(1, QcStage::Final, false, "");
        let add = |v: Value| move |e: &Edit| vec![e.append("qc_checks", id, v.clone()).unwrap()];
        assert_eq!(
            try_op(&qc(), &s, &REPAIR_ORDER, 40, add(fail)),
            Err(ServicePolicyError::QcCheckIncomplete)
        );
        assert_eq!(
            try_op(&qc(), &s, &REPAIR_ORDER, 41, add(json!({"passed": true}))),
            Err(ServicePolicyError::QcCheckIncomplete)
        );
        let (_, fail) = qc_entry(1, QcStage::Final, false, "漏油");
        assert_eq!(
            try_op(&qc(), &s, &REPAIR_ORDER, 42, add(fail.clone())),
            Ok(())
        );
        assert_eq!(
            try_op(&tech(), &s, &REPAIR_ORDER, 43, add(fail)),
            Err(ServicePolicyError::QcInspectorOnly)
        );
    }

    fn line() -> RecordState {
        let mut s = RecordState::new(new_id(NINE_AM, [6; 10]), "ro_line", "demo");
        write(&mut s, &RO_LINE, 1, |e| {
            vec![
                e.set("kind", json!("labour")).unwrap(),
                e.set("std_hours", json!(1.5)).unwrap(),
                e.set("origin", json!("added_work")).unwrap(),
            ]
        });
        s
    }

    fn sig() -> Proof {
        Proof::Signature {
            blob_id: "sha256-1".into(),
        }
    }

    fn decide(s: &mut RecordState, approved: bool) {
        let id = s.id;
        write(s, &RO_LINE, 2, |e| {
            vec![
                e.append("decision", id, LineDecision::entry(approved, &sig()))
                    .unwrap(),
            ]
        });
    }

    #[test]
    fn no_work_and_no_billing_on_a_line_not_approved() {
        let clock_on = |e: &Edit| {
            vec![
                e.append("clock", Uuid::from_u128(50), json!({"event": "on"}))
                    .unwrap(),
            ]
        };
        let bill = |e: &Edit| vec![e.set("billed", json!(true)).unwrap()];
        let proposed = line();
        assert_eq!(
            try_op(&tech(), &proposed, &RO_LINE, 10, clock_on),
            Err(ServicePolicyError::WorkNotApproved)
        );
        assert_eq!(
            try_op(&sa(), &proposed, &RO_LINE, 11, bill),
            Err(ServicePolicyError::BillingNotApproved)
        );
        let mut declined = line();
        decide(&mut declined, false);
        assert_eq!(
            try_op(&tech(), &declined, &RO_LINE, 12, clock_on),
            Err(ServicePolicyError::WorkNotApproved)
        );
        let mut approved = line();
        decide(&mut approved, true);
        assert_eq!(try_op(&tech(), &approved, &RO_LINE, 13, clock_on), Ok(()));
        assert_eq!(try_op(&sa(), &approved, &RO_LINE, 14, bill), Ok(()));
        assert_eq!(
            try_op(&sa(), &approved, &RO_LINE, 15, clock_on),
            Err(ServicePolicyError::ClockTechnicianOnly)
        );
        // A pause or clock-off on an unapproved line is not work started.
        let pause = |e: &Edit| {
            vec![
                e.append("clock", Uuid::from_u128(51), json!({"event": "pause"}))
                    .unwrap(),
            ]
        };
        assert_eq!(try_op(&tech(), &proposed, &RO_LINE, 16, pause), Ok(()));
    }

    #[test]
    fn a_decision_is_written_once_with_its_proof_by_the_advisor() {
        let s = line();
        let id = s.id;
        let entry = |proof: Value| json!({"approved": true, "proof": proof});
        let no_proof = try_op(&sa(), &s, &RO_LINE, 10, |e| {
            vec![e.append("decision", id, json!({"approved": true})).unwrap()]
        });
        assert_eq!(no_proof, Err(ServicePolicyError::ApprovalWithoutProof));
        let half_phone = try_op(&sa(), &s, &RO_LINE, 11, |e| {
            vec![
                e.append("decision", id, entry(json!({"phone": {"who": "王"}})))
                    .unwrap(),
            ]
        });
        assert_eq!(half_phone, Err(ServicePolicyError::ApprovalWithoutProof));
        let other_id = try_op(&sa(), &s, &RO_LINE, 12, |e| {
            vec![
                e.append(
                    "decision",
                    Uuid::from_u128(3),
                    LineDecision::entry(true, &sig()),
                )
                .unwrap(),
            ]
        });
        assert_eq!(other_id, Err(ServicePolicyError::LineDecisionFinal));
        let by_tech = try_op(&tech(), &s, &RO_LINE, 13, |e| {
            vec![
                e.append("decision", id, LineDecision::entry(true, &sig()))
                    .unwrap(),
            ]
        });
        assert_eq!(by_tech, Err(ServicePolicyError::DecisionAdvisorOnly));
        let mut decided = line();
        decide(&mut decided, false);
        // The same decision again (a resend) is fine; changing it is not.
        let resend = try_op(&sa(), &decided, &RO_LINE, 14, |e| {
            vec![
                e.append("decision", id, LineDecision::entry(false, &sig()))
                    .unwrap(),
            ]
        });
        assert_eq!(resend, Ok(()));
        let flip = try_op(&sa(), &decided, &RO_LINE, 15, |e| {
            vec![
                e.append("decision", id, LineDecision::entry(true, &sig()))
                    .unwrap(),
            ]
        });
        assert_eq!(flip, Err(ServicePolicyError::LineDecisionFinal));
    }

    #[test]
    fn an_approved_lines_figures_are_locked_and_dispatch_is_the_advisors() {
        let price = |e: &Edit| vec![e.set("std_hours", json!(3)).unwrap()];
        assert_eq!(try_op(&sa(), &line(), &RO_LINE, 10, price), Ok(()));
        let mut approved = line();
        decide(&mut approved, true);
        assert_eq!(
            try_op(&sa(), &approved, &RO_LINE, 11, price),
            Err(ServicePolicyError::ApprovedLineLocked {
                field: "std_hours".into()
            })
        );
        let dispatch = |e: &Edit| vec![e.set("technician_id", json!("tech")).unwrap()];
        assert_eq!(try_op(&sa(), &approved, &RO_LINE, 12, dispatch), Ok(()));
        assert_eq!(
            try_op(&tech(), &approved, &RO_LINE, 13, dispatch),
            Err(ServicePolicyError::DispatchAdvisorOnly)
        );
        assert_eq!(try_op(&gm(), &approved, &RO_LINE, 14, dispatch), Ok(()));
    }

    #[test]
    fn a_lines_figures_are_those_the_estimate_form_accepts() {
        let l = line();
        for who in [sa(), gm()] {
            for (field, value) in [
                ("unit_price_fen", json!(-38_000)),
                ("unit_price_fen", json!(12.5)),
                ("unit_price_fen", json!("380")),
                ("unit_price_fen", json!(MAX_UNIT_PRICE_FEN + 1)),
                ("qty", json!(0)),
                ("qty", json!(-2)),
                ("qty", json!(1.5)),
                ("qty", json!(1_000_000_000_000_i64)),
                ("std_hours", json!(0)),
                ("std_hours", json!(-1.5)),
                ("std_hours", json!(1e9)),
                ("std_hours", json!(null)),
            ] {
                assert_eq!(
                    try_op(&who, &l, &RO_LINE, 20, |e| vec![
                        e.set(field, value.clone()).unwrap()
                    ]),
                    Err(ServicePolicyError::LineFigureInvalid {
                        field: field.into()
                    }),
                    "{field} = {value}"
                );
            }
        }
        for (field, value) in [
            ("unit_price_fen", json!(0)),
            ("unit_price_fen", json!(38_000)),
            ("qty", json!(4)),
            ("std_hours", json!(1.5)),
            ("description", json!("更换机油")),
        ] {
            assert_eq!(
                try_op(&sa(), &l, &RO_LINE, 21, |e| vec![
                    e.set(field, value.clone()).unwrap()
                ]),
                Ok(()),
                "{field} = {value}"
            );
        }
        let e = ServicePolicyError::LineFigureInvalid {
            field: "qty".into(),
        };
        assert_eq!(e.code(), "line_figure_invalid");
        assert!(!e.is_forbidden());
        assert!(e.message_zh().contains("数量"), "{}", e.message_zh());
    }

    #[test]
    fn an_ros_times_are_recorded_as_they_happen_and_fixed_once_handed_over() {
        // try_op's op is made at NINE_AM + n minutes.
        let ro = ro_at("received");
        let set =
            |f: &'static str, v: &'static str| move |e: &Edit| vec![e.set(f, json!(v)).unwrap()];
        for (field, value) in [
            ("received_at", "2026-12-06T09:00:00"),
            ("handed_over_at", "2026-12-07T08:00:00Z"),
            ("handed_over_at", "2026-12-07T11:00:00"),
            ("received_at", "刚才"),
        ] {
            assert_eq!(
                try_op(&sa(), &ro, &REPAIR_ORDER, 1, set(field, value)),
                Err(ServicePolicyError::RoTimeNotNow {
                    field: field.into()
                }),
                "{field} = {value}"
            );
        }
        assert_eq!(
            try_op(
                &sa(),
                &ro,
                &REPAIR_ORDER,
                1,
                set("received_at", "2026-12-07T09:00:00")
            ),
            Ok(())
        );
        // The general manager corrects a time; a promise is never made for the past.
        assert_eq!(
            try_op(
                &gm(),
                &ro,
                &REPAIR_ORDER,
                1,
                set("received_at", "2026-12-06T09:00:00")
            ),
            Ok(())
        );
        for who in [sa(), gm()] {
            assert_eq!(
                try_op(
                    &who,
                    &ro,
                    &REPAIR_ORDER,
                    1,
                    set("promised_at", "2026-12-06T17:00:00")
                ),
                Err(ServicePolicyError::PromiseInPast)
            );
        }
        assert_eq!(
            try_op(
                &sa(),
                &ro,
                &REPAIR_ORDER,
                1,
                set("promised_at", "2026-12-07T17:00:00")
            ),
            Ok(())
        );
        // Handed over: the promise, the handover time and on-time no longer change.
        let done = ro_at("handed_over");
        for (field, value) in [
            ("promised_at", json!("2026-12-08T17:00:00")),
            ("on_time", json!(true)),
            ("handed_over_at", json!("2026-12-07T09:00:00")),
        ] {
            assert_eq!(
                try_op(&gm(), &done, &REPAIR_ORDER, 1, |e| vec![
                    e.set(field, value.clone()).unwrap()
                ]),
                Err(ServicePolicyError::RoClosed {
                    field: field.into()
                }),
                "{field}"
            );
        }
        let e = ServicePolicyError::RoTimeNotNow {
            field: "handed_over_at".into(),
        };
        assert_eq!(e.code(), "ro_time_not_now");
        assert!(e.message_zh().contains("交车时间"), "{}", e.message_zh());
        assert_eq!(
            ServicePolicyError::PromiseInPast.code(),
            "ro_promise_in_past"
        );
        assert_eq!(
            ServicePolicyError::RoClosed {
                field: "on_time".into()
            }
            .code(),
            "ro_closed"
        );
    }

    #[test]
    fn a_handed_over_ros_lines_no_longer_change() {
        let done = ro_at("handed_over");
        let working = ro_at("in_work");
        let ro_id = done.id.to_string();
        let mut held = line();
        write(&mut held, &RO_LINE, 3, |e| {
            vec![e.set("ro_id", json!(ro_id.clone())).unwrap()]
        });
        let on_line = |state: &RecordState, n: u8, f: &dyn Fn(&Edit) -> Vec<Change>| {
            op_of(state, n, NINE_AM, f(&Edit::new(state, &RO_LINE)))
        };
        // A new line for the handed-over RO names it; a stored line's op is checked against
        // the RO it belongs to.
        let fresh = RecordState::new(new_id(NINE_AM, [8; 10]), "ro_line", "demo");
        let add = on_line(&fresh, 4, &|e| {
            vec![
                e.set("ro_id", json!(ro_id.clone())).unwrap(),
                e.set("kind", json!("part")).unwrap(),
                e.set("qty", json!(4)).unwrap(),
            ]
        });
        assert_eq!(line_ros(None, &add), vec![done.id]);
        let reprice = on_line(&held, 5, &|e| {
            vec![e.set("unit_price_fen", json!(99_900)).unwrap()]
        });
        assert_eq!(line_ros(Some(&held), &reprice), vec![done.id]);
        let clock = |event: &str| {
            let v = json!({"event": event, "at": "2026-12-07T09:00:00"});
            move |e: &Edit| vec![e.append("clock", Uuid::from_u128(77), v.clone()).unwrap()]
        };
        let refused = Err(ServicePolicyError::LineOfClosedRo);
        for op in [
            add.clone(),
            reprice.clone(),
            on_line(&held, 6, &clock("on")),
        ] {
            assert_eq!(check_line_of_ro(&done, &op), refused, "{:?}", op.changes);
            assert_eq!(check_line_of_ro(&working, &op), Ok(()));
        }
        // A workshop tablet's clocking off, sent after the handover, still goes in.
        assert_eq!(
            check_line_of_ro(&done, &on_line(&held, 7, &clock("off"))),
            Ok(())
        );
        assert_eq!(
            check_line_of_ro(&done, &on_line(&held, 8, &clock("pause"))),
            Ok(())
        );
        // Not a repair order: nothing to check.
        assert_eq!(check_line_of_ro(&held, &reprice), Ok(()));
        assert_eq!(ServicePolicyError::LineOfClosedRo.code(), "ro_line_closed");
        assert!(
            ServicePolicyError::LineOfClosedRo
                .message_zh()
                .contains("已交车")
        );
    }

    #[test]
    fn service_settings_are_the_managers() {
        let s = RecordState::new(new_id(NINE_AM, [5; 10]), "service_settings", "demo");
        let rate = |e: &Edit| vec![e.set("hourly_rate_fen", json!(18_000)).unwrap()];
        assert_eq!(
            try_op(&sa(), &s, &SERVICE_SETTINGS, 1, rate),
            Err(ServicePolicyError::SettingsManagerOnly)
        );
        assert_eq!(try_op(&gm(), &s, &SERVICE_SETTINGS, 2, rate), Ok(()));
        for e in [
            ServicePolicyError::WorkNotApproved,
            ServicePolicyError::HandoverWithoutFinalQc,
            ServicePolicyError::SettingsManagerOnly,
        ] {
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
        }
    }
}
