//! Who calls whom: the CS manager's rule spreads the care tasks over the CS specialists ahead
//! of time (when the schedule is generated, [`super::schedule::new_tasks_plan`]), and each
//! user's list (overdue, today, upcoming).
//!
//! The rule: every task of one customer goes to the same specialist — the one at the position
//! of the customer's hash among the specialists the CS manager listed (sorted by id). Every
//! device computes the same assignee offline, so two tablets working their own lists never
//! call the same customer. A task's assignee ([`effective_assignee`]) is the one stored on it
//! (a manager's choice, a hand-over, the workflow that made it: the consultant's delivery
//! calls, the advisor's call after service), else whoever started calling, else the rule's.
//! The generator does not store the rule's assignee, so a device that regenerates a task it
//! has not loaded yet never undoes a manager's choice; [`respread_plan`] pins the rule's
//! assignees when the CS manager wants them fixed.

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use crate::plan::{Plan, PlannedWrite};
use crate::records::{CARE_TASK, CareTask, CareTaskStatus};
use crate::roles::Role;

/// The specialist who calls the customer of `c_card_id`, among `specialists` (any order).
pub fn assignee_for(c_card_id: Uuid, specialists: &[Uuid]) -> Option<Uuid> {
    let mut sorted = specialists.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.is_empty() {
        return None;
    }
    let h = super::stable_hash(&c_card_id.to_string());
    let i = usize::try_from(h % sorted.len() as u64).unwrap_or(0);
    sorted.get(i).copied()
}

/// When the CS manager changes the list of specialists: the open, never-attempted tasks of
/// the schedule whose assignee is not on the list (or who have none) go to the rule's
/// assignee. Tasks someone has started stay with them.
pub fn respread_plan(tasks: &[CareTask], specialists: &[Uuid]) -> Plan {
    let mut plan = Plan::new();
    for t in tasks {
        let scheduled = t
            .kind
            .as_deref()
            .is_some_and(|k| super::CareKind::parse(k).is_some());
        let kept = t.assignee_id.is_some_and(|a| specialists.contains(&a));
        if !scheduled || kept || t.status != CareTaskStatus::Open || !t.attempts.is_empty() {
            continue;
        }
        let Some(to) = t.c_card_id.and_then(|c| assignee_for(c, specialists)) else {
            continue;
        };
        plan.push(PlannedWrite::new(t.id, &CARE_TASK).set("assignee_id", to.to_string()));
    }
    plan
}

/// A user's care list as of `now`: open tasks assigned to them (or unassigned for one of
/// their roles), each in one group, soonest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MyList {
    /// Past their due time.
    pub overdue: Vec<CareTask>,
    /// Showing today (started, not yet due).
    pub today: Vec<CareTask>,
    /// Starting on a later day.
    pub upcoming: Vec<CareTask>,
}

/// The day a task shows from: its `starts_on`, else its due day.
pub fn shows_from(t: &CareTask) -> Option<NaiveDate> {
    t.starts_on.or(t.due_at.map(|d| d.date()))
}

/// Who calls `t`: its stored assignee, else the first person who logged a call on it, else the
/// rule's specialist for its customer (`None` when there is none: no specialists listed).
pub fn effective_assignee(t: &CareTask, specialists: &[Uuid]) -> Option<Uuid> {
    t.assignee_id
        .or_else(|| {
            t.attempts
                .iter()
                .find_map(|a| Uuid::parse_str(a.user_id.trim()).ok())
        })
        .or_else(|| t.c_card_id.and_then(|c| assignee_for(c, specialists)))
}

/// Whether the list of `me` (with `roles`) holds `t`: assigned to me, or nobody's and for one
/// of my roles.
pub fn is_mine(t: &CareTask, me: Uuid, roles: &[Role], specialists: &[Uuid]) -> bool {
    match effective_assignee(t, specialists) {
        Some(a) => a == me,
        None => t.role.is_some_and(|r| roles.contains(&r)),
    }
}

/// The list of `me` (with `roles`) as of `now`, the tasks spread over `specialists`.
pub fn my_list(
    tasks: &[CareTask],
    me: Uuid,
    roles: &[Role],
    specialists: &[Uuid],
    now: NaiveDateTime,
) -> MyList {
    let mut list = MyList::default();
    let mut mine: Vec<&CareTask> = tasks
        .iter()
        .filter(|t| t.status == CareTaskStatus::Open && is_mine(t, me, roles, specialists))
        .collect();
    mine.sort_by_key(|t| (t.due_at, t.id));
    for t in mine {
        let (Some(from), Some(due)) = (shows_from(t), t.due_at) else {
            continue;
        };
        if due < now {
            list.overdue.push(t.clone());
        } else if from <= now.date() {
            list.today.push(t.clone());
        } else {
            list.upcoming.push(t.clone());
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::care::schedule::{generate, new_tasks_plan};
    use crate::care::settings::CareSettings;
    use crate::care::testing::{Device, card, d};
    use crate::time::StoreClock;
    use serde_json::json;

    const LI: Uuid = Uuid::from_u128(0xa1);
    const ZHAO: Uuid = Uuid::from_u128(0xa2);

    #[test]
    fn every_task_of_a_customer_goes_to_one_specialist_on_every_device() {
        let specialists = [ZHAO, LI];
        let mut counts = [0usize; 2];
        for n in 1..200u128 {
            let c = Uuid::from_u128(n);
            let a = assignee_for(c, &specialists).unwrap();
            assert_eq!(Some(a), assignee_for(c, &[LI, ZHAO, LI]));
            counts[usize::from(a == ZHAO)] += 1;
        }
        // Spread, not all on one person.
        assert!(counts[0] > 60 && counts[1] > 60, "{counts:?}");
        assert_eq!(assignee_for(Uuid::from_u128(1), &[]), None);
    }

    fn stored(rows_today: &str) -> (Device, Vec<CareTask>) {
        let mut cards = Vec::new();
        for n in 1..=6 {
            let mut c = card(n);
            c.delivery_date = Some(d("2026-05-01"));
            c.birthday = Some(d("1990-05-20"));
            cards.push(c);
        }
        let settings = CareSettings::default();
        let rows = generate(&cards, &[], &settings, d(rows_today));
        let plan = new_tasks_plan(&rows, &BTreeSet::new(), |_| None);
        let mut dev = Device::new(1);
        dev.run(&plan, "cs", 1_780_000_000_000);
        let tasks = dev
            .of("care_task")
            .iter()
            .map(|r| CareTask::of(r, StoreClock::default()))
            .collect();
        (dev, tasks)
    }

    #[test]
    fn the_list_splits_overdue_today_and_upcoming_and_no_customer_is_on_two_lists() {
        let (_, tasks) = stored("2026-05-08");
        let now = d("2026-05-09").and_hms_opt(9, 0, 0).unwrap();
        let cs = [Role::CustomerService];
        let li = my_list(&tasks, LI, &cs, &[LI, ZHAO], now);
        let zhao = my_list(&tasks, ZHAO, &cs, &[LI, ZHAO], now);
        let customers = |l: &MyList| -> BTreeSet<Uuid> {
            l.overdue
                .iter()
                .chain(&l.today)
                .chain(&l.upcoming)
                .filter_map(|t| t.c_card_id)
                .collect()
        };
        assert!(customers(&li).is_disjoint(&customers(&zhao)));
        assert_eq!(customers(&li).len() + customers(&zhao).len(), 6);
        // Delivery calls (due 05-08 17:30) are overdue on 05-09; birthdays (05-20) upcoming.
        for l in [&li, &zhao] {
            assert!(
                l.overdue
                    .iter()
                    .all(|t| t.kind.as_deref() == Some("cs_delivery_call"))
            );
            assert!(
                l.upcoming
                    .iter()
                    .all(|t| t.kind.as_deref() == Some("birthday"))
            );
            assert!(!l.overdue.is_empty() && !l.upcoming.is_empty());
        }
        let on_the_day = d("2026-05-20").and_hms_opt(9, 0, 0).unwrap();
        let li = my_list(&tasks, LI, &cs, &[LI, ZHAO], on_the_day);
        assert!(
            li.today
                .iter()
                .all(|t| t.kind.as_deref() == Some("birthday"))
        );
        assert!(!li.today.is_empty());
        // Nobody else's list holds them.
        let other = my_list(&tasks, Uuid::from_u128(9), &cs, &[LI, ZHAO], now);
        assert_eq!(other, MyList::default());
        // With no specialists listed, every CS user sees the unassigned tasks.
        let all = my_list(&tasks, Uuid::from_u128(9), &cs, &[], now);
        assert_eq!(all.overdue.len(), 6);
        assert_eq!(
            my_list(&tasks, LI, &[Role::SalesConsultant], &[], now),
            MyList::default()
        );
    }

    #[test]
    fn a_task_stays_with_whoever_it_was_given_to_or_who_started_it() {
        let (mut dev, tasks) = stored("2026-05-08");
        let t = tasks[0].clone();
        let rule = effective_assignee(&t, &[LI, ZHAO]).unwrap();
        let other = if rule == LI { ZHAO } else { LI };
        // Started by the other specialist (offline, say): it stays theirs.
        dev.run(
            &Plan::new().then(
                PlannedWrite::new(t.id, &CARE_TASK).with(crate::plan::Step::Append(
                    "attempts",
                    Uuid::from_u128(5),
                    json!({"outcome": "no_answer"}),
                )),
            ),
            &other.to_string(),
            1_780_000_100_000,
        );
        let started = CareTask::of(dev.get(t.id), StoreClock::default());
        assert_eq!(effective_assignee(&started, &[LI, ZHAO]), Some(other));
        // A stored assignee wins over both.
        let mut given = t;
        given.assignee_id = Some(Uuid::from_u128(0xbb));
        assert_eq!(effective_assignee(&given, &[LI, ZHAO]), given.assignee_id);
    }

    #[test]
    fn respreading_pins_the_rules_assignee_on_unstarted_tasks_only() {
        let (mut dev, tasks) = stored("2026-05-08");
        let started = tasks[0].id;
        dev.run(
            &Plan::new().then(PlannedWrite::new(started, &CARE_TASK).with(
                crate::plan::Step::Append(
                    "attempts",
                    Uuid::from_u128(77),
                    json!({"outcome": "no_answer"}),
                ),
            )),
            &ZHAO.to_string(),
            1_780_000_100_000,
        );
        let read = |dev: &Device| -> Vec<CareTask> {
            dev.of("care_task")
                .iter()
                .map(|r| CareTask::of(r, StoreClock::default()))
                .collect()
        };
        let tasks = read(&dev);
        let plan = respread_plan(&tasks, &[LI, ZHAO]);
        assert_eq!(plan.writes.len(), tasks.len() - 1);
        assert!(plan.writes_of(started).next().is_none());
        for w in &plan.writes {
            let t = tasks.iter().find(|t| t.id == w.record_id).unwrap();
            let rule = assignee_for(t.c_card_id.unwrap(), &[LI, ZHAO]).unwrap();
            assert_eq!(w.value_of("assignee_id"), Some(&json!(rule.to_string())));
        }
        dev.run(&plan, "csmgr", 1_780_000_200_000);
        let tasks = read(&dev);
        assert!(respread_plan(&tasks, &[LI, ZHAO]).is_empty());
        // Zhao leaves the list: his unstarted tasks go to Li.
        let plan = respread_plan(&tasks, &[LI]);
        assert!(!plan.is_empty());
        for w in &plan.writes {
            assert_eq!(w.value_of("assignee_id"), Some(&json!(LI.to_string())));
        }
    }
}
