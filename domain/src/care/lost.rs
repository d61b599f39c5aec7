//! 流失客户 (lost customers): the 90–360-day list ([`super::report::lost_customers`]) grouped
//! local / out of town × in / out of warranty (seed 004: 本地在保, 本地出保, 外地在保, 外地出保),
//! with the reason found on the call and the other shop used.
//!
//! The reason is recorded on the customer's monthly lost-customer task
//! ([`super::CareKind::LostCustomer`]): `lost_reason` (one of [`LostReason`], as staff say
//! them), `lost_reason_note` (free text; needed for 其他), `other_shop` (the shop they used
//! instead). The server refuses it ([`check`], from [`super::policy`]) on any other task, from
//! anyone but the CS specialist assigned (or who reached the customer on it) and the CS
//! manager, and before a call reached the customer. A customer's row shows the latest reason
//! recorded on any of their lost-customer tasks ([`list`]).

pub mod list;

use std::collections::BTreeMap;

use thiserror::Error;
use uuid::Uuid;

use super::CareKind;
use super::renewal::{may_decide, may_work_care, reached};
use crate::plan::PlannedWrite;
use crate::records::{CARE_TASK, CareTask, field};
use crate::roles::Actor;
use crate::sales::UserError;
use crate::sync::{Op, RecordState, apply};
use crate::time::StoreClock;

/// The fields of a lost customer's finding.
pub const FINDING_FIELDS: [&str; 3] = ["lost_reason", "lost_reason_note", "other_shop"];

/// Why a customer did not come back, as CS staff say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LostReason {
    /// 路程太远 / 搬家
    Far,
    /// 价格太贵
    Price,
    /// 服务不满意
    Service,
    /// 等待时间太长
    Waiting,
    /// 车已卖掉
    Sold,
    /// 用车少,未到保养
    LowUse,
    /// 保险公司指定维修
    InsurerShop,
    /// 在熟人修理厂
    Acquaintance,
    /// 其他 (free text)
    Other,
}

impl LostReason {
    pub const ALL: [LostReason; 9] = [
        LostReason::Far,
        LostReason::Price,
        LostReason::Service,
        LostReason::Waiting,
        LostReason::Sold,
        LostReason::LowUse,
        LostReason::InsurerShop,
        LostReason::Acquaintance,
        LostReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::Far => "far",
            LostReason::Price => "price",
            LostReason::Service => "service",
            LostReason::Waiting => "waiting",
            LostReason::Sold => "sold",
            LostReason::LowUse => "low_use",
            LostReason::InsurerShop => "insurer_shop",
            LostReason::Acquaintance => "acquaintance",
            LostReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<LostReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LostReason::Far => "路程太远",
            LostReason::Price => "价格太贵",
            LostReason::Service => "服务不满意",
            LostReason::Waiting => "等待时间太长",
            LostReason::Sold => "车已卖掉",
            LostReason::LowUse => "用车少,未到保养",
            LostReason::InsurerShop => "保险公司指定维修",
            LostReason::Acquaintance => "在熟人修理厂",
            LostReason::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LostReason::Far => "Too far away",
            LostReason::Price => "Too expensive",
            LostReason::Service => "Unhappy with the service",
            LostReason::Waiting => "Waiting too long",
            LostReason::Sold => "Sold the car",
            LostReason::LowUse => "Drives little, not due yet",
            LostReason::InsurerShop => "Insurer's designated shop",
            LostReason::Acquaintance => "A garage they know",
            LostReason::Other => "Other",
        }
    }
}

/// What the call found, as read from a lost-customer task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub reason: LostReason,
    pub note: Option<String>,
    pub other_shop: Option<String>,
}

impl Finding {
    /// `None` when no reason was recorded.
    pub fn of(r: &RecordState) -> Option<Finding> {
        Some(Finding {
            reason: field::text(r, "lost_reason").and_then(LostReason::parse)?,
            note: field::string(r, "lost_reason_note"),
            other_shop: field::string(r, "other_shop"),
        })
    }
}

/// Why a finding was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LostError {
    #[error("a lost customer's reason is recorded on a lost-customer task")]
    NotLostCustomer,
    #[error("only the CS specialist assigned or the CS manager records the reason")]
    NotAssigned,
    #[error("the reason is found on a call that reached the customer")]
    NoReachedCall,
    #[error("the reason is one of the list")]
    ReasonUnknown,
    #[error("'other' needs the reason written out")]
    ReasonNeedsNote,
}

impl LostError {
    pub fn is_forbidden(&self) -> bool {
        matches!(self, LostError::NotAssigned)
    }
}

impl UserError for LostError {
    fn code(&self) -> &'static str {
        match self {
            LostError::NotLostCustomer => "lost_not_lost_customer",
            LostError::NotAssigned => "lost_not_assigned",
            LostError::NoReachedCall => "lost_no_reached_call",
            LostError::ReasonUnknown => "lost_reason_unknown",
            LostError::ReasonNeedsNote => "lost_reason_needs_note",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            LostError::NotLostCustomer => "流失原因只能记录在流失客户回访任务上".into(),
            LostError::NotAssigned => "只有负责该任务的客服专员或客服经理可以记录流失原因".into(),
            LostError::NoReachedCall => "流失原因须在电话接通后记录".into(),
            LostError::ReasonUnknown => "请从列表中选择流失原因".into(),
            LostError::ReasonNeedsNote => "选择“其他”须写明原因".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            LostError::NotLostCustomer => {
                "A lost customer's reason is recorded on a lost-customer task".into()
            }
            LostError::NotAssigned => {
                "Only the CS specialist assigned to the task or the CS manager records the reason"
                    .into()
            }
            LostError::NoReachedCall => {
                "The reason is recorded after a call that reached the customer".into()
            }
            LostError::ReasonUnknown => "Choose the reason from the list".into(),
            LostError::ReasonNeedsNote => "“Other” needs the reason written out".into(),
        }
    }
}

/// The write recording what the call on lost-customer task `task` found.
pub fn record_finding(
    task: Uuid,
    reason: LostReason,
    note: &str,
    other_shop: &str,
) -> Result<PlannedWrite, LostError> {
    if reason == LostReason::Other && note.trim().is_empty() {
        return Err(LostError::ReasonNeedsNote);
    }
    let mut w = PlannedWrite::new(task, &CARE_TASK).set("lost_reason", reason.as_str());
    if !note.trim().is_empty() {
        w = w.set("lost_reason_note", note.trim());
    }
    if !other_shop.trim().is_empty() {
        w = w.set("other_shop", other_shop.trim());
    }
    Ok(w)
}

/// The rules for a finding on a care task, on the record after the op.
pub fn check(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), LostError> {
    let touched = op
        .changes
        .iter()
        .any(|c| c.field().is_some_and(|f| FINDING_FIELDS.contains(&f)));
    if !touched {
        return Ok(());
    }
    let mut after = stored.clone();
    if apply(&mut after, op, &CARE_TASK).is_err() {
        return Ok(());
    }
    let task = CareTask::of(&after, clock);
    if task.kind.as_deref().and_then(CareKind::parse) != Some(CareKind::LostCustomer) {
        return Err(LostError::NotLostCustomer);
    }
    if !may_work_care(actor) {
        return Err(LostError::NotAssigned);
    }
    if !reached(&task, None, clock) {
        return Err(LostError::NoReachedCall);
    }
    if !may_decide(actor, &task, clock) {
        return Err(LostError::NotAssigned);
    }
    let finding = Finding::of(&after).ok_or(LostError::ReasonUnknown)?;
    if finding.reason == LostReason::Other && finding.note.is_none() {
        return Err(LostError::ReasonNeedsNote);
    }
    Ok(())
}

/// A lost-customer task with its finding.
#[derive(Debug, Clone, PartialEq)]
pub struct LostTask {
    pub task: CareTask,
    pub finding: Option<Finding>,
}

impl LostTask {
    /// `None` for another kind of task.
    pub fn of(r: &RecordState, clock: StoreClock) -> Option<LostTask> {
        let task = CareTask::of(r, clock);
        (task.kind.as_deref() == Some(CareKind::LostCustomer.as_str())).then(|| LostTask {
            finding: Finding::of(r),
            task,
        })
    }
}

/// The reasons customers did not return, most frequent first (for the monthly report).
pub fn reasons(findings: &[Finding]) -> Vec<(LostReason, usize)> {
    let mut by: BTreeMap<LostReason, usize> = BTreeMap::new();
    for f in findings {
        *by.entry(f.reason).or_default() += 1;
    }
    let mut v: Vec<_> = by.into_iter().collect();
    v.sort_by_key(|(r, n)| (std::cmp::Reverse(*n), *r));
    v
}

/// The other shops customers used, most frequent first (names trimmed, as typed).
pub fn shops(findings: &[Finding]) -> Vec<(String, usize)> {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for shop in findings.iter().filter_map(|f| f.other_shop.as_deref()) {
        let s = shop.trim();
        if !s.is_empty() {
            *by.entry(s.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<_> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::calls::{Outcome, log_attempt};
    use crate::care::testing::Device;
    use crate::plan::Plan;
    use crate::roles::Role;

    use chrono::{NaiveDate, NaiveDateTime};

    const C: StoreClock = StoreClock::CHINA;
    const LI: &str = "0190f000-0000-7000-8000-0000000000a1";
    const TASK: Uuid = Uuid::from_u128(0x77);

    fn at(day: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, day)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn ms(t: NaiveDateTime) -> u64 {
        C.instant(t).timestamp_millis() as u64
    }

    fn op_of(dev: &Device, w: &PlannedWrite, user: &str, t: NaiveDateTime) -> Op {
        dev.op_for(w, user, ms(t))
    }

    fn task(kind: CareKind) -> Device {
        let mut dev = Device::new(1);
        dev.run(
            &Plan::new().then(
                PlannedWrite::new(TASK, &CARE_TASK)
                    .set("kind", kind.as_str())
                    .set("c_card_id", Uuid::from_u128(1).to_string())
                    .set("starts_on", "2026-06-01"),
            ),
            "csmgr",
            ms(at(1, 8)),
        );
        dev
    }

    #[test]
    fn a_reason_needs_a_reached_call_the_right_task_and_person() {
        let li = Actor::new(LI, &[Role::CustomerService]);
        let mut dev = task(CareKind::LostCustomer);
        let w = record_finding(TASK, LostReason::Far, "", "城西修理厂").unwrap();
        let err = check(&li, dev.get(TASK), &op_of(&dev, &w, LI, at(2, 9)), C).unwrap_err();
        assert_eq!(err, LostError::NoReachedCall);
        assert!(err.message_zh().contains("接通"));
        // An unanswered call is not enough; a reached one is.
        for (n, o) in [(1u128, Outcome::NoAnswer), (2, Outcome::Reached)] {
            dev.run(
                &Plan::new().then(log_attempt(
                    TASK,
                    Uuid::from_u128(n),
                    at(2, 9),
                    "phone",
                    o,
                    "",
                )),
                LI,
                ms(at(2, 9)),
            );
        }
        let op = op_of(&dev, &w, LI, at(2, 10));
        assert_eq!(check(&li, dev.get(TASK), &op, C), Ok(()));
        // A consultant, or another specialist who did not call, may not.
        let wang = Actor::new("wang", &[Role::SalesConsultant]);
        let err = check(&wang, dev.get(TASK), &op, C).unwrap_err();
        assert!(err.is_forbidden() && err.code() == "lost_not_assigned");
        let zhao = Actor::new("zhao", &[Role::CustomerService]);
        assert_eq!(
            check(&zhao, dev.get(TASK), &op, C),
            Err(LostError::NotAssigned)
        );
        let boss = Actor::new("boss", &[Role::CustomerServiceManager]);
        assert_eq!(check(&boss, dev.get(TASK), &op, C), Ok(()));
        // "Other" needs its words; an unknown code is refused.
        assert_eq!(
            record_finding(TASK, LostReason::Other, " ", "").unwrap_err(),
            LostError::ReasonNeedsNote
        );
        let bad = PlannedWrite::new(TASK, &CARE_TASK).set("lost_reason", "aliens");
        assert_eq!(
            check(&li, dev.get(TASK), &op_of(&dev, &bad, LI, at(2, 10)), C),
            Err(LostError::ReasonUnknown)
        );
        let other = PlannedWrite::new(TASK, &CARE_TASK).set("lost_reason", "other");
        assert_eq!(
            check(&li, dev.get(TASK), &op_of(&dev, &other, LI, at(2, 10)), C),
            Err(LostError::ReasonNeedsNote)
        );
    }

    #[test]
    fn a_reason_on_another_kind_of_task_is_refused() {
        let dev = task(CareKind::Birthday);
        let li = Actor::new(LI, &[Role::CustomerService]);
        let w = record_finding(TASK, LostReason::Price, "", "").unwrap();
        assert_eq!(
            check(&li, dev.get(TASK), &op_of(&dev, &w, LI, at(2, 9)), C),
            Err(LostError::NotLostCustomer)
        );
        // Ops that touch no finding field pass untouched.
        let note = PlannedWrite::new(TASK, &CARE_TASK).set("note", "x");
        assert_eq!(
            check(&li, dev.get(TASK), &op_of(&dev, &note, LI, at(2, 9)), C),
            Ok(())
        );
    }
}
