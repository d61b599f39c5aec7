//! What an op may do to the record as stored, beyond its shape ([`crate::sync::validate_op`]):
//! the one check the server runs for every pushed op against the record in its write
//! transaction, and the app runs before it writes an edit, so a person is told at once, in
//! their language, what the server would refuse.
//!
//! [`check_op`] runs, in order:
//!
//! 1. **The clock**: the op's HLC wall time is at most [`MAX_CLOCK_BEHIND_MS`] (7 days) older
//!    than `now` (`clock_behind`). A tablet may work offline for a long weekend and more; an op
//!    older than a week is a device whose clock is wrong (or an attempt to back-date a loss or a
//!    KPI). The bound ahead is [`crate::sync::check_future`]'s.
//! 2. **The merge's ids** (every record type):
//!    - `supersedes` (`Set`, `Transition`, `Delete`, `Restore`) and `observed` (`SetRemove`) name
//!      only writes the record has applied (`unknown_write`), at most
//!      [`crate::sync::MAX_IDS_PER_CHANGE`] each (checked by `validate_op`): made-up ids would
//!      grow the record on every device;
//!    - a log entry id is never used again (`entry_id_reused`), except for an exact resend: the
//!      same value under an id already stored (the merge plan of `sales::duplicate` derives
//!      entry ids, so two managers merging write the same entries);
//!    - a status `Transition` moves from the state the record shows (or, resolving a conflict,
//!      from one of its concurrent states) (`status_changed`).
//! 3. **The bin** ([`check_bin`]): a delete is a manager's, except a visit taken back by the
//!    reception desk's rule and a delete the record already holds.
//! 4. **The area's rules**: [`crate::sales::policy`] (settings, rota order, ownership, A-card
//!    moves, times recorded as they happen, a closed order's deal, the visit withdraw rule), [`crate::records::costs::check`] (the store's monthly costs: the GM's, sound
//!    amounts, the record's own month), [`crate::service::policy`] (appointments, repair
//!    orders and their lines: who moves an RO, no work or billing without approval, no handover
//!    without final QC), [`crate::parts::policy`] (stock moves, who settles stock,
//!    reservations, emergency orders; the records they name are looked up by the server:
//!    `parts::policy::references`), [`crate::records::service::check_history`] (a past
//!    service is written once, whole) and [`crate::care::policy`] (the unreachable rule before
//!    "failed", attempts, reassigning, the care settings, queued messages).
//!
//! Who may write a record type at all is [`crate::records::may_write`]; restoring from the
//! bin is a manager's ([`crate::sync::Op::requires_manager`]); both are checked before this.

use thiserror::Error;
use uuid::Uuid;

use crate::care::policy::CarePolicyError;
use crate::parts::policy::PartsPolicyError;
use crate::records::costs::CostsError;
use crate::records::import_mapping::MappingError;
use crate::records::service::HistoryError;
use crate::roles::Actor;
use crate::sales::UserError;
use crate::sales::policy::SalesPolicyError;
use crate::service::policy::ServicePolicyError;
use crate::sync::{Change, Hlc, Op, RecordState, RecordType};
use crate::time::StoreClock;

/// How far behind the server's clock an op's HLC may be: 7 days (a tablet offline over a long
/// weekend, or a week of leave, still syncs its work).
pub const MAX_CLOCK_BEHIND_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// Why an op was refused by the rules.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    #[error("the op's clock is {behind_ms} ms behind the server (at most {max_ms} ms)")]
    ClockBehind { behind_ms: u64, max_ms: u64 },
    #[error("`{field}` names write {id}, which the record has not applied")]
    UnknownWrite { field: String, id: Uuid },
    #[error("log entry {entry_id} of `{field}` already exists with another value")]
    EntryIdReused { field: String, entry_id: Uuid },
    #[error("`{field}` moves from `{from}` but the record shows `{shown}`")]
    StatusChanged {
        field: String,
        from: String,
        shown: String,
    },
    #[error("only a manager puts a {record_type} record in the bin")]
    BinManagerOnly { record_type: String },
    #[error(transparent)]
    Sales(SalesPolicyError),
    #[error(transparent)]
    Service(ServicePolicyError),
    #[error(transparent)]
    Costs(CostsError),
    #[error(transparent)]
    Parts(PartsPolicyError),
    #[error(transparent)]
    History(HistoryError),
    #[error(transparent)]
    Care(CarePolicyError),
    #[error(transparent)]
    ImportMapping(MappingError),
}

/// The kind of refusal, for the server's HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may not (403).
    Forbidden,
    /// The record changed meanwhile, or an id is reused (409).
    Conflict,
    /// The op breaks a rule whoever sends it (422).
    Invalid,
}

impl PolicyError {
    pub fn refusal(&self) -> Refusal {
        match self {
            PolicyError::Sales(e) if e.is_forbidden() => Refusal::Forbidden,
            PolicyError::Service(e) if e.is_forbidden() => Refusal::Forbidden,
            PolicyError::Costs(CostsError::GeneralManagerOnly) => Refusal::Forbidden,
            PolicyError::BinManagerOnly { .. } => Refusal::Forbidden,
            PolicyError::Parts(e) if e.is_forbidden() => Refusal::Forbidden,
            PolicyError::Care(e) if e.is_forbidden() => Refusal::Forbidden,
            PolicyError::EntryIdReused { .. } | PolicyError::StatusChanged { .. } => {
                Refusal::Conflict
            }
            _ => Refusal::Invalid,
        }
    }
}

fn days(ms: u64, zh: bool) -> String {
    let hours = ms / 3_600_000;
    match (hours >= 48, zh) {
        (true, true) => format!("{} 天", hours / 24),
        (true, false) => format!("{} days", hours / 24),
        (false, true) => format!("{hours} 小时"),
        (false, false) => format!("{hours} h"),
    }
}

impl UserError for PolicyError {
    fn code(&self) -> &'static str {
        match self {
            PolicyError::ClockBehind { .. } => "clock_behind",
            PolicyError::UnknownWrite { .. } => "unknown_write",
            PolicyError::EntryIdReused { .. } => "entry_id_reused",
            PolicyError::StatusChanged { .. } => "status_changed",
            PolicyError::BinManagerOnly { .. } => "bin_manager_only",
            PolicyError::Sales(e) => e.code(),
            PolicyError::Service(e) => e.code(),
            PolicyError::Costs(e) => e.code(),
            PolicyError::Parts(e) => e.code(),
            PolicyError::History(e) => e.code(),
            PolicyError::Care(e) => e.code(),
            PolicyError::ImportMapping(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            PolicyError::ClockBehind { behind_ms, max_ms } => format!(
                "这项修改的时间比服务器时间早 {},超过了允许的 {}。请检查设备的日期和时间是否正确;离线太久的修改无法同步",
                days(*behind_ms, true),
                days(*max_ms, true)
            ),
            PolicyError::UnknownWrite { .. } => {
                "这项修改引用了服务器上没有的内容,请同步后重试".into()
            }
            PolicyError::EntryIdReused { .. } => {
                "这条记录已存在且内容不同,不能覆盖已有的记录".into()
            }
            PolicyError::StatusChanged { .. } => {
                "记录的状态已被其他人更改,请查看最新状态后再操作".into()
            }
            PolicyError::BinManagerOnly { .. } => {
                "只有经理可以删除记录(放入回收站);办结、取消或战败请用相应的操作".into()
            }
            PolicyError::Sales(e) => e.message_zh(),
            PolicyError::Service(e) => e.message_zh(),
            PolicyError::Costs(e) => e.message_zh(),
            PolicyError::Parts(e) => e.message_zh(),
            PolicyError::History(e) => e.message_zh(),
            PolicyError::Care(e) => e.message_zh(),
            PolicyError::ImportMapping(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            PolicyError::ClockBehind { behind_ms, max_ms } => format!(
                "This change is dated {} before the server's time, more than the {} allowed. Check the device's date and time; changes kept offline that long cannot be synced",
                days(*behind_ms, false),
                days(*max_ms, false)
            ),
            PolicyError::UnknownWrite { field, .. } => format!(
                "This change of “{field}” refers to something the server does not have; sync and try again"
            ),
            PolicyError::EntryIdReused { field, .. } => format!(
                "An entry of “{field}” with this id already exists with other content; it cannot be overwritten"
            ),
            PolicyError::StatusChanged { shown, .. } => format!(
                "Someone else changed the record's status (now “{shown}”); look at it again before you act"
            ),
            PolicyError::BinManagerOnly { .. } => {
                "Only a manager puts a record in the bin; close, cancel or record a loss with its own action".into()
            }
            PolicyError::Sales(e) => e.message_en(),
            PolicyError::Service(e) => e.message_en(),
            PolicyError::Costs(e) => e.message_en(),
            PolicyError::Parts(e) => e.message_en(),
            PolicyError::History(e) => e.message_en(),
            PolicyError::Care(e) => e.message_en(),
            PolicyError::ImportMapping(e) => e.message_en(),
        }
    }
}

/// The rules for `op` by `actor` against the record as stored before it (`stored`: `None` for a
/// record not stored yet), at server time `now_ms`, in the store's `clock`.
pub fn check_op(
    actor: &Actor,
    stored: Option<&RecordState>,
    op: &Op,
    now_ms: u64,
    clock: StoreClock,
) -> Result<(), PolicyError> {
    check_past(op.hlc, now_ms, MAX_CLOCK_BEHIND_MS)?;
    let Some(rt) = crate::records::ALL
        .iter()
        .find(|t| t.name == op.record_type)
    else {
        return Ok(()); // `validate_op` refuses unknown types
    };
    let empty;
    let before = match stored {
        Some(s) => s,
        None => {
            empty = RecordState::for_op(op);
            &empty
        }
    };
    for change in &op.changes {
        check_change(before, rt, change)?;
    }
    crate::sales::policy::check(actor, before, op).map_err(PolicyError::Sales)?;
    crate::sales::policy::check_dated(actor, before, op, clock).map_err(PolicyError::Sales)?;
    check_bin(actor, before, op)?;
    if op.record_type == "store_costs" {
        crate::records::costs::check(actor, op).map_err(PolicyError::Costs)?;
    }
    crate::records::service::check_history(before, op).map_err(PolicyError::History)?;
    crate::records::import_mapping::check(op).map_err(PolicyError::ImportMapping)?;
    crate::service::policy::check(actor, before, op, clock).map_err(PolicyError::Service)?;
    crate::parts::policy::check(actor, before, op, clock).map_err(PolicyError::Parts)?;
    crate::care::policy::check(actor, before, op, clock).map_err(PolicyError::Care)
}

/// Putting a record in the bin (a `Delete`) is a manager's, as restoring it is
/// ([`crate::sync::Op::requires_manager`]): no screen gives anyone else a delete, and a record
/// in the bin drops out of every list and KPI (a lost card, a cancelled order, a no-show, an
/// unanswered care call, a stock move). Two exceptions: a visit taken back by the reception
/// desk's rule ([`crate::sales::visit::check_withdraw`], checked by
/// [`crate::sales::policy::check_dated`]), and a delete that repeats one the record already
/// holds (settling a delete/edit conflict by keeping the delete).
pub fn check_bin(actor: &Actor, stored: &RecordState, op: &Op) -> Result<(), PolicyError> {
    let deletes = op
        .changes
        .iter()
        .any(|c| matches!(c, Change::Delete { .. }));
    if !deletes || actor.roles.iter().any(|r| r.is_manager()) || op.record_type == "visit" {
        return Ok(());
    }
    let already = stored
        .deleted
        .heads
        .values()
        .any(|w| w.value == serde_json::Value::Bool(true));
    if already {
        return Ok(());
    }
    Err(PolicyError::BinManagerOnly {
        record_type: op.record_type.clone(),
    })
}

/// Refuse a stamp more than `max_behind_ms` before `now_ms`.
pub fn check_past(hlc: Hlc, now_ms: u64, max_behind_ms: u64) -> Result<(), PolicyError> {
    let behind_ms = now_ms.saturating_sub(hlc.wall_ms);
    if behind_ms > max_behind_ms {
        return Err(PolicyError::ClockBehind {
            behind_ms,
            max_ms: max_behind_ms,
        });
    }
    Ok(())
}

fn check_change(before: &RecordState, rt: &RecordType, change: &Change) -> Result<(), PolicyError> {
    let field = change.field().unwrap_or(crate::sync::DELETED_FIELD);
    let ids: &[Uuid] = match change {
        Change::Set { supersedes, .. }
        | Change::Transition { supersedes, .. }
        | Change::Delete { supersedes }
        | Change::Restore { supersedes } => supersedes,
        Change::SetRemove { observed, .. } => observed,
        Change::Append { .. } | Change::Add { .. } | Change::SetAdd { .. } => &[],
    };
    if let Some(id) = ids.iter().find(|id| !before.applied.contains(id)) {
        return Err(PolicyError::UnknownWrite {
            field: field.to_owned(),
            id: *id,
        });
    }
    match change {
        Change::Append {
            entry_id, value, ..
        } => {
            let reused = before
                .log(field)
                .iter()
                .any(|e| e.entry_id == *entry_id && e.value != *value);
            if reused {
                return Err(PolicyError::EntryIdReused {
                    field: field.to_owned(),
                    entry_id: *entry_id,
                });
            }
        }
        Change::Transition { from, .. } => {
            let shown = before.status(rt, field).unwrap_or_default();
            let concurrent = before
                .heads(field)
                .iter()
                .any(|h| h.value.as_str() == Some(from.as_str()));
            if from != shown && !concurrent {
                return Err(PolicyError::StatusChanged {
                    field: field.to_owned(),
                    from: from.clone(),
                    shown: shown.to_owned(),
                });
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{A_CARD, SALES_SETTINGS};
    use crate::roles::Role;
    use crate::sales::loss::{ACardActionKind, LossError};
    use crate::sync::{Edit, apply, new_id};
    use serde_json::json;

    const DAY: u64 = 24 * 3_600_000;
    const NOW: u64 = 1_780_000_000_000;
    const WANG: &str = "0190f000-0000-7000-8000-0000000000a1";
    const C: StoreClock = StoreClock::CHINA;

    fn wang() -> Actor {
        Actor::new(WANG, &[Role::SalesConsultant])
    }

    fn op_at(state: &RecordState, n: u8, at: u64, changes: Vec<Change>) -> Op {
        Op {
            op_id: new_id(at, [n; 10]),
            device_id: Uuid::from_u128(1),
            user_id: WANG.into(),
            store_id: "demo".into(),
            record_id: state.id,
            record_type: state.record_type.clone(),
            hlc: Hlc::new(at, u32::from(n)),
            changes,
        }
    }

    fn card() -> RecordState {
        let mut s = RecordState::new(new_id(NOW, [1; 10]), "a_card", "demo");
        let e = Edit::new(&s, &A_CARD);
        let op = op_at(
            &s,
            1,
            NOW - DAY,
            vec![
                e.set("consultant_id", json!(WANG)).unwrap(),
                e.append(
                    "follow_ups",
                    Uuid::from_u128(9),
                    json!({"note": "首次来店"}),
                )
                .unwrap(),
            ],
        );
        apply(&mut s, &op, &A_CARD).unwrap();
        s
    }

    #[test]
    fn an_op_older_than_a_week_is_refused_with_the_clock_behind() {
        let s = card();
        let e = Edit::new(&s, &A_CARD);
        let grade = vec![e.set("grade", json!("h")).unwrap()];
        let week_old = op_at(&s, 2, NOW - 7 * DAY, grade.clone());
        assert_eq!(check_op(&wang(), Some(&s), &week_old, NOW, C), Ok(()));
        let older = op_at(&s, 3, NOW - 8 * DAY, grade);
        let err = check_op(&wang(), Some(&s), &older, NOW, C).unwrap_err();
        assert_eq!(err.code(), "clock_behind");
        assert_eq!(err.refusal(), Refusal::Invalid);
        assert!(err.message_zh().contains("8 天"), "{}", err.message_zh());
        assert!(err.message_en().contains("7 days"), "{}", err.message_en());
    }

    #[test]
    fn made_up_superseded_and_observed_ids_are_refused() {
        let s = card();
        let e = Edit::new(&s, &A_CARD);
        let mut name = e.set("name", json!("王")).unwrap();
        if let Change::Set { supersedes, .. } = &mut name {
            supersedes.push(Uuid::from_u128(0xdead));
        }
        let op = op_at(&s, 2, NOW, vec![name]);
        let err = check_op(&wang(), Some(&s), &op, NOW, C).unwrap_err();
        assert_eq!(err.code(), "unknown_write");
        let remove = Change::SetRemove {
            field: "tags".into(),
            elem: "vip".into(),
            observed: vec![Uuid::from_u128(0xbeef)],
        };
        let op = op_at(&s, 3, NOW, vec![remove]);
        assert_eq!(
            check_op(&wang(), Some(&s), &op, NOW, C).unwrap_err().code(),
            "unknown_write"
        );
        // A new record has applied nothing: a delete superseding anything is made up.
        let fresh = RecordState::new(new_id(NOW, [5; 10]), "a_card", "demo");
        let op = op_at(
            &fresh,
            4,
            NOW,
            vec![Change::Delete {
                supersedes: vec![Uuid::from_u128(1)],
            }],
        );
        assert!(check_op(&wang(), None, &op, NOW, C).is_err());
        // The ids an edit takes from the record are known.
        let e = Edit::new(&s, &A_CARD);
        let op = op_at(
            &s,
            5,
            NOW,
            vec![e.set("consultant_id", json!(WANG)).unwrap()],
        );
        assert_eq!(check_op(&wang(), Some(&s), &op, NOW, C), Ok(()));
    }

    #[test]
    fn a_log_entry_id_is_never_reused_but_an_exact_resend_is_fine() {
        let s = card();
        let e = Edit::new(&s, &A_CARD);
        let same = op_at(
            &s,
            2,
            NOW,
            vec![
                e.append(
                    "follow_ups",
                    Uuid::from_u128(9),
                    json!({"note": "首次来店"}),
                )
                .unwrap(),
            ],
        );
        assert_eq!(check_op(&wang(), Some(&s), &same, NOW, C), Ok(()));
        let other = op_at(
            &s,
            3,
            NOW,
            vec![
                e.append("follow_ups", Uuid::from_u128(9), json!({"note": "改写"}))
                    .unwrap(),
            ],
        );
        let err = check_op(&wang(), Some(&s), &other, NOW, C).unwrap_err();
        assert_eq!(err.code(), "entry_id_reused");
        assert_eq!(err.refusal(), Refusal::Conflict);
    }

    #[test]
    fn a_move_starts_from_the_state_the_record_shows() {
        let s = card();
        let moved = Change::Transition {
            field: "status".into(),
            from: "re_contacted".into(),
            to: "lost".into(),
            supersedes: vec![],
        };
        let op = op_at(&s, 2, NOW, vec![moved]);
        let err = check_op(&wang(), Some(&s), &op, NOW, C).unwrap_err();
        assert_eq!(
            err,
            PolicyError::StatusChanged {
                field: "status".into(),
                from: "re_contacted".into(),
                shown: "following".into()
            }
        );
        // From the shown state, the area's rule decides.
        let e = Edit::new(&s, &A_CARD);
        let op = op_at(
            &s,
            3,
            NOW,
            vec![e.transition("status", "loss_proposed").unwrap()],
        );
        assert_eq!(check_op(&wang(), Some(&s), &op, NOW, C), Ok(()));
    }

    #[test]
    fn the_bin_is_the_managers_except_a_withdrawn_visit_and_a_repeated_delete() {
        let s = card();
        let bin = |s: &RecordState, n: u8| op_at(s, n, NOW, vec![Edit::new(s, &A_CARD).delete()]);
        // The owner hiding their own card (a lost one leaves the 成交率): refused.
        let err = check_op(&wang(), Some(&s), &bin(&s, 2), NOW, C).unwrap_err();
        assert_eq!(
            err,
            PolicyError::BinManagerOnly {
                record_type: "a_card".into()
            }
        );
        assert_eq!(err.code(), "bin_manager_only");
        assert_eq!(err.refusal(), Refusal::Forbidden);
        assert!(
            err.message_zh().contains("只有经理"),
            "{}",
            err.message_zh()
        );
        for boss in [Role::SalesManager, Role::GeneralManager] {
            let boss = Actor::new("boss", &[boss]);
            assert_eq!(check_op(&boss, Some(&s), &bin(&s, 3), NOW, C), Ok(()));
        }
        // A delete the record already holds (keeping the delete of a delete/edit conflict).
        let mut gone = s.clone();
        let boss = Actor::new("boss", &[Role::SalesManager]);
        let op = bin(&gone, 4);
        check_op(&boss, Some(&gone), &op, NOW, C).unwrap();
        apply(&mut gone, &op, &A_CARD).unwrap();
        assert_eq!(
            check_op(&wang(), Some(&gone), &bin(&gone, 5), NOW, C),
            Ok(())
        );
        // Every other type alike: a technician's repair order, a clerk's part, a CS task.
        for (t, role) in [
            ("repair_order", Role::Technician),
            ("part", Role::PartsClerk),
            ("care_task", Role::CustomerService),
            ("appointment", Role::ServiceAdvisor),
        ] {
            let r = RecordState::new(new_id(NOW, [8; 10]), t, "demo");
            let op = op_at(&r, 6, NOW, vec![Change::Delete { supersedes: vec![] }]);
            let who = Actor::new(WANG, &[role]);
            assert_eq!(
                check_bin(&who, &r, &op),
                Err(PolicyError::BinManagerOnly {
                    record_type: t.into()
                }),
                "{t}"
            );
        }
        // A visit is the reception desk's rule (`sales::policy::check_dated`).
        let v = RecordState::new(new_id(NOW, [9; 10]), "visit", "demo");
        let op = op_at(&v, 7, NOW, vec![Change::Delete { supersedes: vec![] }]);
        assert_eq!(check_bin(&wang(), &v, &op), Ok(()));
    }

    #[test]
    fn the_areas_rules_come_through_with_their_codes() {
        let settings = RecordState::new(new_id(NOW, [3; 10]), "sales_settings", "demo");
        let e = Edit::new(&settings, &SALES_SETTINGS);
        let op = op_at(
            &settings,
            2,
            NOW,
            vec![e.set_add("models", "levin").unwrap()],
        );
        let err = check_op(&wang(), None, &op, NOW, C).unwrap_err();
        assert_eq!(err.code(), "sales_settings_manager_only");
        assert_eq!(err.refusal(), Refusal::Forbidden);
        let boss = Actor::new("boss", &[Role::GeneralManager]);
        assert_eq!(check_op(&boss, None, &op, NOW, C), Ok(()));
        let move_err = PolicyError::Sales(SalesPolicyError::Move(LossError::RoleMayNot {
            action: ACardActionKind::ConfirmLoss,
        }));
        assert_eq!(move_err.refusal(), Refusal::Forbidden);
        let slot = PolicyError::Service(ServicePolicyError::Slot(
            crate::service::appointment::SlotError::TooSoon,
        ));
        assert_eq!(
            (slot.code(), slot.refusal()),
            ("appointment_too_soon", Refusal::Invalid)
        );
    }
}
