//! The care part of [`crate::policy::check_op`]: what the server refuses at push, whoever sends
//! the op, so a screen's rule cannot be skipped by sending ops by hand.
//!
//! - `care_task`: a status move to `done` needs a logged call that reached the customer
//!   ([`check_done`]); a status move to `failed` needs the unreachable rule met and a reason, on the
//!   record after the op ([`super::calls::check_fail`]); an attempt reads as an attempt (time,
//!   outcome) and is not dated after the op was made (10 minutes' grace for a device's clock);
//!   moving an assigned task to another person is a manager's (the CS manager's rule, a sales
//!   manager's hand-over).
//! - `care_task`, 续保 and 流失客户: an insurance renewal's outcome and its audits
//!   ([`super::renewal::check`]), a lost customer's reason ([`super::lost::check`]).
//! - `care_settings`: the CS manager's (and the general manager's).
//! - `message`: once queued, its text and recipient do not change (what was sent is evidence);
//!   a holiday / weather broadcast (`care::broadcast`) is a care manager's.
//! - `care_report`: the CS manager's comment, its month the record's (`care::monthly::check`).

use thiserror::Error;

use super::calls::{Attempt, UnreachableError, check_fail};
use super::lost::LostError;
use super::renewal::RenewalError;
use crate::records::{CARE_TASK, CareTask, LogItem, field};
use crate::roles::{Actor, Area, Role};
use crate::sales::UserError;
use crate::sync::{Change, Op, RecordState, apply};
use crate::time::StoreClock;

/// How far after the op's time an attempt may be dated (a device's clock running a little
/// behind the person's watch).
pub const ATTEMPT_GRACE_MINUTES: i64 = 10;

/// Why an op on a care record was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CarePolicyError {
    #[error(transparent)]
    Unreachable(UnreachableError),
    #[error("an attempt needs its time and outcome")]
    AttemptUnreadable,
    #[error("an attempt is dated after it was logged")]
    AttemptInFuture,
    #[error("a care task is done only by a call that reached the customer")]
    DoneWithoutCall,
    #[error("only a manager moves a care task to another person")]
    ReassignManagerOnly,
    #[error("only the customer-service manager changes the care settings")]
    SettingsManagerOnly,
    #[error("a queued message's `{field}` cannot change")]
    MessageLocked { field: String },
    #[error("only the customer-service manager sends a broadcast")]
    BroadcastManagerOnly,
    #[error(transparent)]
    Report(super::monthly::ReportError),
    #[error(transparent)]
    Renewal(RenewalError),
    #[error(transparent)]
    Lost(LostError),
}

impl CarePolicyError {
    /// Whether the refusal is about who the actor is (403).
    pub fn is_forbidden(&self) -> bool {
        match self {
            CarePolicyError::Renewal(e) => e.is_forbidden(),
            CarePolicyError::Lost(e) => e.is_forbidden(),
            e => matches!(
                e,
                CarePolicyError::ReassignManagerOnly
                    | CarePolicyError::SettingsManagerOnly
                    | CarePolicyError::BroadcastManagerOnly
                    | CarePolicyError::Report(super::monthly::ReportError::ManagerOnly)
            ),
        }
    }
}

impl UserError for CarePolicyError {
    fn code(&self) -> &'static str {
        match self {
            CarePolicyError::Unreachable(e) => e.code(),
            CarePolicyError::AttemptUnreadable => "care_attempt_unreadable",
            CarePolicyError::AttemptInFuture => "care_attempt_in_future",
            CarePolicyError::DoneWithoutCall => "care_done_without_call",
            CarePolicyError::ReassignManagerOnly => "care_reassign_manager_only",
            CarePolicyError::SettingsManagerOnly => "care_settings_manager_only",
            CarePolicyError::MessageLocked { .. } => "message_locked",
            CarePolicyError::BroadcastManagerOnly => "care_broadcast_manager_only",
            CarePolicyError::Report(e) => e.code(),
            CarePolicyError::Renewal(e) => e.code(),
            CarePolicyError::Lost(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            CarePolicyError::Unreachable(e) => e.message_zh(),
            CarePolicyError::AttemptUnreadable => "回访记录须有时间和结果".into(),
            CarePolicyError::AttemptInFuture => "回访记录的时间晚于记录时间,请检查设备时间".into(),
            CarePolicyError::DoneWithoutCall => {
                "须先登记一次联系上客户的回访(接通或客户拒绝),任务才能完成".into()
            }
            CarePolicyError::ReassignManagerOnly => "只有经理可以把回访任务转给他人".into(),
            CarePolicyError::SettingsManagerOnly => "只有客服经理可以修改客服设置".into(),
            CarePolicyError::MessageLocked { .. } => "已排队的短信不能修改内容或收件人".into(),
            CarePolicyError::BroadcastManagerOnly => {
                "只有客服经理可以群发节日祝福或天气提醒".into()
            }
            CarePolicyError::Report(e) => e.message_zh(),
            CarePolicyError::Renewal(e) => e.message_zh(),
            CarePolicyError::Lost(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            CarePolicyError::Unreachable(e) => e.message_en(),
            CarePolicyError::AttemptUnreadable => {
                "A call attempt needs its time and outcome".into()
            }
            CarePolicyError::AttemptInFuture => {
                "The attempt is dated after it was logged; check the device's clock".into()
            }
            CarePolicyError::DoneWithoutCall => {
                "A care task is done only once a call that reached the customer (answered or refused) is logged".into()
            }
            CarePolicyError::ReassignManagerOnly => {
                "Only a manager moves a care task to another person".into()
            }
            CarePolicyError::SettingsManagerOnly => {
                "Only the customer-service manager changes the care settings".into()
            }
            CarePolicyError::MessageLocked { field } => {
                format!("A queued message's “{field}” cannot change")
            }
            CarePolicyError::BroadcastManagerOnly => {
                "Only the customer-service manager sends a holiday or weather broadcast".into()
            }
            CarePolicyError::Report(e) => e.message_en(),
            CarePolicyError::Renewal(e) => e.message_en(),
            CarePolicyError::Lost(e) => e.message_en(),
        }
    }
}

/// The care rules for `op` by `actor` on the record as stored (`stored`: empty for a new one).
pub fn check(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), CarePolicyError> {
    match op.record_type.as_str() {
        "care_task" => check_task(actor, stored, op, clock),
        "care_settings" if !actor.manages(Area::Care) => Err(CarePolicyError::SettingsManagerOnly),
        "message" => check_message(actor, stored, op),
        "care_report" => super::monthly::check(actor, op).map_err(CarePolicyError::Report),
        _ => Ok(()),
    }
}

fn any_manager(actor: &Actor) -> bool {
    Area::ALL.iter().any(|a| actor.manages(*a))
}

fn check_task(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), CarePolicyError> {
    let logged_at = clock.local_ms(op.hlc.wall_ms);
    let mut failing = false;
    let mut done = false;
    for change in &op.changes {
        match change {
            Change::Append {
                field,
                entry_id,
                value,
            } if field == "attempts" => {
                let item = LogItem {
                    entry_id: *entry_id,
                    value: value.clone(),
                    written_at: logged_at,
                    user_id: op.user_id.clone(),
                };
                let a = Attempt::of(&item, clock).ok_or(CarePolicyError::AttemptUnreadable)?;
                if let Some(logged) = logged_at
                    && a.at > logged + chrono::TimeDelta::minutes(ATTEMPT_GRACE_MINUTES)
                {
                    return Err(CarePolicyError::AttemptInFuture);
                }
            }
            Change::Set { field, value, .. } if field == "assignee_id" => {
                let before = field::text(stored, "assignee_id");
                let changed = before.is_some_and(|b| Some(b) != value.as_str());
                if changed && !any_manager(actor) {
                    return Err(CarePolicyError::ReassignManagerOnly);
                }
            }
            Change::Transition { field, to, .. } if field == "status" && to == "failed" => {
                failing = true;
            }
            Change::Transition { field, to, .. } if field == "status" && to == "done" => {
                done = true;
            }
            _ => {}
        }
    }
    super::renewal::check(actor, stored, op, clock).map_err(CarePolicyError::Renewal)?;
    super::lost::check(actor, stored, op, clock).map_err(CarePolicyError::Lost)?;
    if done {
        let mut after = stored.clone();
        // An op that does not apply is refused by the sync rules anyway.
        if apply(&mut after, op, &CARE_TASK).is_ok() {
            let task = CareTask::of(&after, clock);
            check_done(&Attempt::all_of(&task, clock))?;
        }
    }
    if failing {
        let mut after = stored.clone();
        // An op that does not apply is refused by the sync rules anyway.
        if apply(&mut after, op, &CARE_TASK).is_ok() {
            let task = CareTask::of(&after, clock);
            check_fail(&Attempt::all_of(&task, clock), task.fail_reason.as_deref())
                .map_err(CarePolicyError::Unreachable)?;
        }
    }
    Ok(())
}

/// A care task is done (办结) by a call that reached the customer: answered, or the customer
/// refused ([`super::calls::Outcome::closes`]); the call page's buttons log that call and close
/// the task in one op ([`super::calls::log_attempt`]). Without one, the task is still open (or
/// failed, by the unreachable rule).
pub fn check_done(attempts: &[Attempt]) -> Result<(), CarePolicyError> {
    if attempts.iter().any(|a| a.outcome.closes()) {
        Ok(())
    } else {
        Err(CarePolicyError::DoneWithoutCall)
    }
}

const LOCKED: &[&str] = &[
    "to_phone",
    "body",
    "channel",
    "care_task_id",
    "broadcast",
    "broadcast_on",
];

fn check_message(actor: &Actor, stored: &RecordState, op: &Op) -> Result<(), CarePolicyError> {
    for change in &op.changes {
        if let Change::Set { field, .. } = change
            && field == "broadcast"
            && !actor.manages(Area::Care)
        {
            return Err(CarePolicyError::BroadcastManagerOnly);
        }
        if let Change::Set { field, value, .. } = change
            && LOCKED.contains(&field.as_str())
            && stored.value(field).is_some_and(|v| v != value)
        {
            return Err(CarePolicyError::MessageLocked {
                field: field.clone(),
            });
        }
    }
    Ok(())
}

/// Whether `roles` may record a care task as failed at all (the list's button).
pub fn may_fail(roles: &[Role]) -> bool {
    roles.iter().any(|r| {
        matches!(
            r,
            Role::CustomerService | Role::CustomerServiceManager | Role::GeneralManager
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::calls::{Outcome, fail, log_attempt};
    use crate::plan::{Plan, PlannedWrite, Step};
    use crate::records::{CARE_SETTINGS, MESSAGE};
    use crate::sync::{Edit, Hlc, new_id};
    use chrono::{NaiveDate, NaiveDateTime};
    use serde_json::json;
    use uuid::Uuid;

    const C: StoreClock = StoreClock::CHINA;
    const TASK: Uuid = Uuid::from_u128(0x51);

    fn at(day: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, day)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn ms(t: NaiveDateTime) -> u64 {
        C.instant(t).timestamp_millis() as u64
    }

    fn cs() -> Actor {
        Actor::new("li", &[Role::CustomerService])
    }

    fn op_of(state: &RecordState, w: &PlannedWrite, t: NaiveDateTime, n: u8) -> Op {
        Op {
            op_id: new_id(ms(t), [n; 10]),
            device_id: Uuid::from_u128(1),
            user_id: "li".into(),
            store_id: "demo".into(),
            record_id: w.record_id,
            record_type: w.record_type.name.into(),
            hlc: Hlc::new(ms(t), u32::from(n)),
            changes: w.changes(state).unwrap(),
        }
    }

    fn run(
        state: &mut RecordState,
        w: PlannedWrite,
        t: NaiveDateTime,
        n: u8,
    ) -> Result<(), CarePolicyError> {
        let op = op_of(state, &w, t, n);
        check(&cs(), state, &op, C)?;
        apply(state, &op, w.record_type).unwrap();
        Ok(())
    }

    #[test]
    fn failed_is_refused_before_the_unreachable_rule_and_without_a_reason() {
        let mut s = RecordState::new(TASK, "care_task", "demo");
        run(
            &mut s,
            PlannedWrite::new(TASK, &CARE_TASK).set("kind", "birthday"),
            at(1, 8),
            1,
        )
        .unwrap();
        let failed = || {
            PlannedWrite::new(TASK, &CARE_TASK)
                .set("fail_reason", "联系不上")
                .with(Step::Move("status", "failed"))
        };
        let err = run(&mut s, failed(), at(1, 9), 2).unwrap_err();
        assert_eq!(err.code(), "care_fail_too_few_calls");
        assert!(err.message_zh().contains("三个不同时段"));
        for (n, t) in (3u8..).zip([at(1, 9), at(1, 14), at(2, 18)]) {
            let id = Uuid::from_u128(u128::from(n));
            run(
                &mut s,
                log_attempt(TASK, id, t, "phone", Outcome::NoAnswer, ""),
                t,
                n,
            )
            .unwrap();
        }
        assert_eq!(
            run(&mut s, failed(), at(2, 19), 9).unwrap_err().code(),
            "care_fail_no_message"
        );
        let sms = log_attempt(
            TASK,
            Uuid::from_u128(20),
            at(2, 19),
            "sms",
            Outcome::MessageSent,
            "",
        );
        run(&mut s, sms, at(2, 19), 10).unwrap();
        let no_reason = PlannedWrite::new(TASK, &CARE_TASK).with(Step::Move("status", "failed"));
        assert_eq!(
            run(&mut s, no_reason, at(2, 19), 11).unwrap_err().code(),
            "care_fail_no_reason"
        );
        // The same move, with its reason, in one op, passes.
        let task = CareTask::of(&s, C);
        let w = fail(&task, "三次未接通,已发短信", C).unwrap();
        run(&mut s, w, at(2, 20), 12).unwrap();
        assert_eq!(field::status(&s, "status").as_deref(), Some("failed"));
    }

    #[test]
    fn done_needs_a_call_that_reached_the_customer() {
        let mut s = RecordState::new(TASK, "care_task", "demo");
        run(
            &mut s,
            PlannedWrite::new(TASK, &CARE_TASK).set("kind", "birthday"),
            at(1, 8),
            1,
        )
        .unwrap();
        let done = || PlannedWrite::new(TASK, &CARE_TASK).with(Step::Move("status", "done"));
        // Closed without any call, or after a call nobody answered: refused.
        let err = run(&mut s, done(), at(1, 9), 2).unwrap_err();
        assert_eq!(err, CarePolicyError::DoneWithoutCall);
        assert_eq!(err.code(), "care_done_without_call");
        assert!(!err.is_forbidden());
        assert!(
            err.message_zh().contains("联系上客户"),
            "{}",
            err.message_zh()
        );
        let missed = log_attempt(
            TASK,
            Uuid::from_u128(3),
            at(1, 9),
            "phone",
            Outcome::NoAnswer,
            "",
        );
        run(&mut s, missed, at(1, 9), 3).unwrap();
        let missed_and_done = PlannedWrite::new(TASK, &CARE_TASK)
            .with(Step::Append(
                "attempts",
                Uuid::from_u128(4),
                json!({"at": "2026-06-01T10:00:00", "channel": "phone", "outcome": "no_answer"}),
            ))
            .with(Step::Move("status", "done"));
        assert_eq!(
            run(&mut s, missed_and_done, at(1, 10), 4),
            Err(CarePolicyError::DoneWithoutCall)
        );
        // The call page's 已接通 logs the call and closes the task in one op.
        let reached = log_attempt(
            TASK,
            Uuid::from_u128(5),
            at(1, 14),
            "phone",
            Outcome::Reached,
            "客户满意",
        );
        run(&mut s, reached, at(1, 14), 5).unwrap();
        assert_eq!(field::status(&s, "status").as_deref(), Some("done"));
        // The sales calls' older entry (`reached: true`) counts too; a refusal closes as well.
        for (n, v) in [
            (
                6u8,
                json!({"at": "2026-06-02T10:00:00", "channel": "phone", "reached": true}),
            ),
            (
                7u8,
                json!({"at": "2026-06-02T10:00:00", "channel": "phone", "outcome": "refused"}),
            ),
        ] {
            let mut t = RecordState::new(TASK, "care_task", "demo");
            let w = PlannedWrite::new(TASK, &CARE_TASK)
                .with(Step::Append("attempts", Uuid::from_u128(u128::from(n)), v))
                .with(Step::Move("status", "done"));
            run(&mut t, w, at(2, 10), n).unwrap();
        }
    }

    #[test]
    fn attempts_must_read_and_not_be_dated_after_they_were_logged() {
        let s = RecordState::new(TASK, "care_task", "demo");
        let e = Edit::new(&s, &CARE_TASK);
        let bad = PlannedWrite::new(TASK, &CARE_TASK).with(Step::Append(
            "attempts",
            Uuid::from_u128(1),
            json!({"note": "?"}),
        ));
        let op = op_of(&s, &bad, at(1, 9), 1);
        assert_eq!(
            check(&cs(), &s, &op, C).unwrap_err().code(),
            "care_attempt_unreadable"
        );
        let later = log_attempt(
            TASK,
            Uuid::from_u128(2),
            at(1, 12),
            "phone",
            Outcome::NoAnswer,
            "",
        );
        let op = op_of(&s, &later, at(1, 9), 2);
        assert_eq!(
            check(&cs(), &s, &op, C).unwrap_err(),
            CarePolicyError::AttemptInFuture
        );
        let op = op_of(&s, &later, at(1, 12), 3);
        assert_eq!(check(&cs(), &s, &op, C), Ok(()));
        let _ = e;
    }

    #[test]
    fn reassigning_is_a_managers_and_settings_are_the_cs_managers() {
        let mut s = RecordState::new(TASK, "care_task", "demo");
        run(
            &mut s,
            PlannedWrite::new(TASK, &CARE_TASK).set("assignee_id", "li"),
            at(1, 8),
            1,
        )
        .unwrap();
        let w = PlannedWrite::new(TASK, &CARE_TASK).set("assignee_id", "zhao");
        let op = op_of(&s, &w, at(1, 9), 2);
        let err = check(&cs(), &s, &op, C).unwrap_err();
        assert_eq!(
            (err.code(), err.is_forbidden()),
            ("care_reassign_manager_only", true)
        );
        let boss = Actor::new("wu", &[Role::CustomerServiceManager]);
        assert_eq!(check(&boss, &s, &op, C), Ok(()));
        // Setting the same assignee again is no move.
        let same = PlannedWrite::new(TASK, &CARE_TASK).set("assignee_id", "li");
        assert_eq!(check(&cs(), &s, &op_of(&s, &same, at(1, 9), 3), C), Ok(()));

        let settings = RecordState::new(Uuid::from_u128(9), "care_settings", "demo");
        let w = PlannedWrite::new(settings.id, &CARE_SETTINGS).set("opening", "09:00");
        let op = op_of(&settings, &w, at(1, 9), 4);
        assert_eq!(
            check(&cs(), &settings, &op, C).unwrap_err().code(),
            "care_settings_manager_only"
        );
        assert_eq!(check(&boss, &settings, &op, C), Ok(()));
        assert!(may_fail(&[Role::CustomerService]) && !may_fail(&[Role::SalesConsultant]));
    }

    #[test]
    fn a_queued_message_keeps_its_text() {
        let mut s = RecordState::new(Uuid::from_u128(7), "message", "demo");
        let w = PlannedWrite::new(s.id, &MESSAGE)
            .set("body", "您好")
            .set("to_phone", "138");
        run(&mut s, w.clone(), at(1, 9), 1).unwrap();
        // The same message queued again (another device) is fine; another text is not.
        run(&mut s, w, at(1, 9), 2).unwrap();
        let other = PlannedWrite::new(s.id, &MESSAGE).set("body", "改过");
        assert_eq!(
            run(&mut s, other, at(1, 10), 3).unwrap_err().code(),
            "message_locked"
        );
        let _ = Plan::new();
    }
}
