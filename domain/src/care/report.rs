//! The care KPIs of the monthly report (due on the 1st, seed 004) and the lost-customer list:
//! first-maintenance return rate (首保回厂率), regular-maintenance return rate (定保回厂率), churn
//! rate (流失率), the lost customers grouped local / out of town × in / out of warranty, and
//! each person's task completion and on-time rates. Pure functions over C-cards, past services
//! and care tasks, for the care report and the GM's page.
//!
//! - 首保回厂率 = first maintenances done here ÷ first maintenances due: the C-cards whose
//!   first-maintenance window (delivery + 3 months) ends in the month; returned when a
//!   maintenance visit here falls between the delivery and the window's end + 30 days' grace.
//! - 定保回厂率 = maintenances done here ÷ maintenances due: each C-card's next maintenance
//!   after its last maintenance (by the model's interval, `schedule::maintenance_due`) due in
//!   the month; returned when a maintenance visit falls within 30 days either side of the date.
//! - 流失率 = lost customers ÷ customers: as of the month's first day, those whose last visit
//!   (service or delivery) is 90–360 days old ÷ those whose last visit is at most 360 days old.
//! - Completion and on time, per person: the care tasks due in the month (by their effective
//!   assignee, `assign::effective_assignee`): done, failed, open; on time = done or failed by
//!   the due time (the last attempt's time).

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use uuid::Uuid;

use super::assign::effective_assignee;
use super::calls::Attempt;
use super::schedule::{PastService, maintenance_due};
use super::settings::CareSettings;
use crate::records::{CCard, CareTask, CareTaskStatus};
use crate::time::StoreClock;

/// A rate as counted: `num` of `den`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub num: usize,
    pub den: usize,
}

impl Rate {
    /// In percent; `None` when nothing was due.
    pub fn percent(self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 * 100.0 / self.den as f64)
    }
}

/// A rate with what it counted: the records of its numerator and of its denominator (C-card
/// ids for the customer rates, repair-order ids for the appointment rate), for the drill-down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    pub numerator: Vec<Uuid>,
    pub denominator: Vec<Uuid>,
}

impl Counted {
    pub fn rate(&self) -> Rate {
        Rate {
            num: self.numerator.len(),
            den: self.denominator.len(),
        }
    }

    pub(crate) fn count(&mut self, id: Uuid, yes: bool) {
        self.denominator.push(id);
        if yes {
            self.numerator.push(id);
        }
    }
}

/// A month: its first day and its last.
pub fn month_of(first: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = first.with_day(1).unwrap_or(first);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(first);
    (first, last)
}

fn theirs<'a>(card: &CCard, services: &'a [PastService]) -> Vec<&'a PastService> {
    let mut v: Vec<&PastService> = services
        .iter()
        .filter(|s| match (s.c_card_id, &card.vin, &s.vehicle_vin) {
            (Some(c), _, _) => c == card.id,
            (None, Some(a), Some(b)) => {
                !a.trim().is_empty() && a.trim().eq_ignore_ascii_case(b.trim())
            }
            _ => false,
        })
        .collect();
    v.sort_by_key(|s| s.date);
    v
}

/// How long after a maintenance falls due a visit still counts as its return.
pub const GRACE_DAYS: i64 = 30;

/// 首保回厂率 for the month starting `first`.
pub fn first_maintenance_return(
    cards: &[CCard],
    services: &[PastService],
    first: NaiveDate,
) -> Rate {
    first_maintenance_counted(cards, services, first).rate()
}

/// 首保回厂率 with the C-cards counted.
pub fn first_maintenance_counted(
    cards: &[CCard],
    services: &[PastService],
    first: NaiveDate,
) -> Counted {
    let (from, to) = month_of(first);
    let mut r = Counted::default();
    for c in cards {
        let Some(delivery) = c.delivery_date else {
            continue;
        };
        let Some(end) = delivery.checked_add_months(Months::new(3)) else {
            continue;
        };
        if end < from || end > to {
            continue;
        }
        let came = theirs(c, services).iter().any(|s| {
            s.kind.is_maintenance()
                && s.date >= delivery
                && s.date <= end + TimeDelta::days(GRACE_DAYS)
        });
        r.count(c.id, came);
    }
    r
}

/// 定保回厂率 for the month starting `first`.
pub fn maintenance_return(
    cards: &[CCard],
    services: &[PastService],
    settings: &CareSettings,
    first: NaiveDate,
) -> Rate {
    maintenance_counted(cards, services, settings, first).rate()
}

/// 定保回厂率 with the C-cards counted (a card twice if two of its maintenances fall due).
pub fn maintenance_counted(
    cards: &[CCard],
    services: &[PastService],
    settings: &CareSettings,
    first: NaiveDate,
) -> Counted {
    let (from, to) = month_of(first);
    let mut r = Counted::default();
    for c in cards {
        let mine = theirs(c, services);
        // Every maintenance whose next one falls due in the month.
        for (i, base) in mine
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind.is_maintenance())
        {
            let before: Vec<&PastService> = mine[..=i].to_vec();
            let Some(due) =
                maintenance_due(base, &before, settings.interval_of(c.model.as_deref()))
            else {
                continue;
            };
            if due < from || due > to {
                continue;
            }
            let came = mine[i + 1..]
                .iter()
                .any(|s| s.kind.is_maintenance() && (s.date - due).num_days().abs() <= GRACE_DAYS);
            r.count(c.id, came);
        }
    }
    r
}

/// The day of a customer's last visit (a service, else the delivery) before `as_of`.
pub fn last_visit(card: &CCard, services: &[PastService], as_of: NaiveDate) -> Option<NaiveDate> {
    theirs(card, services)
        .iter()
        .map(|s| s.date)
        .chain(card.delivery_date)
        .filter(|d| *d < as_of)
        .max()
}

/// 流失率 as of `as_of` (the month's first day).
pub fn churn(cards: &[CCard], services: &[PastService], as_of: NaiveDate) -> Rate {
    churn_counted(cards, services, as_of).rate()
}

/// 流失率 with the C-cards counted.
pub fn churn_counted(cards: &[CCard], services: &[PastService], as_of: NaiveDate) -> Counted {
    let mut r = Counted::default();
    for c in cards {
        let Some(last) = last_visit(c, services, as_of) else {
            continue;
        };
        let days = (as_of - last).num_days();
        if days <= 360 {
            r.count(c.id, days >= 90);
        }
    }
    r
}

/// The lost-customer list's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LostGroup {
    /// 本地 (true) or 外地; unknown counts as local.
    pub local: bool,
    /// Still under warranty on the day.
    pub in_warranty: bool,
}

/// The lost customers (no visit for 90–360 days) as of `as_of`, grouped.
pub fn lost_customers(
    cards: &[CCard],
    services: &[PastService],
    as_of: NaiveDate,
) -> BTreeMap<LostGroup, Vec<Uuid>> {
    let mut out: BTreeMap<LostGroup, Vec<Uuid>> = BTreeMap::new();
    for c in cards {
        let Some(last) = last_visit(c, services, as_of) else {
            continue;
        };
        if !(90..=360).contains(&(as_of - last).num_days()) {
            continue;
        }
        let group = LostGroup {
            local: c.local.unwrap_or(true),
            in_warranty: c.warranty_end.is_some_and(|w| w >= as_of),
        };
        out.entry(group).or_default().push(c.id);
    }
    out
}

/// One person's care tasks due in a month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonFigures {
    pub due: usize,
    pub done: usize,
    pub failed: usize,
    /// Done or failed by the due time.
    pub on_time: usize,
}

impl PersonFigures {
    /// Completion: done or failed (after the rule) ÷ due.
    pub fn completion(self) -> Rate {
        Rate {
            num: self.done + self.failed,
            den: self.due,
        }
    }

    pub fn on_time_rate(self) -> Rate {
        Rate {
            num: self.on_time,
            den: self.due,
        }
    }
}

/// Each person's figures for the tasks due in the month starting `first` (`None`: nobody's).
pub fn completion_by_person(
    tasks: &[CareTask],
    specialists: &[Uuid],
    first: NaiveDate,
    clock: StoreClock,
) -> BTreeMap<Option<Uuid>, PersonFigures> {
    let (from, to) = month_of(first);
    let mut out: BTreeMap<Option<Uuid>, PersonFigures> = BTreeMap::new();
    for t in tasks {
        let Some(due) = t.due_at else { continue };
        if due.date() < from || due.date() > to {
            continue;
        }
        let f = out.entry(effective_assignee(t, specialists)).or_default();
        f.due += 1;
        let closed_at = Attempt::all_of(t, clock).last().map(|a| a.at);
        match t.status {
            CareTaskStatus::Done => f.done += 1,
            CareTaskStatus::Failed => f.failed += 1,
            CareTaskStatus::Open => continue,
        }
        if closed_at.is_some_and(|at| at <= due) {
            f.on_time += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::calls::{Outcome, log_attempt};
    use crate::care::schedule::ServiceKind;
    use crate::care::testing::{Device, card, d, service};
    use crate::plan::{Plan, PlannedWrite};
    use crate::records::CARE_TASK;

    #[test]
    fn first_maintenance_return_counts_the_cards_whose_window_ends_in_the_month() {
        let mut cards = Vec::new();
        for n in 1..=4 {
            let mut c = card(n);
            c.delivery_date = Some(d("2026-03-10"));
            cards.push(c);
        }
        // Window ends 2026-06-10. Two came (one late within the grace), one came too late,
        // one never; a card delivered in another month is not due.
        let mut other = card(9);
        other.delivery_date = Some(d("2026-01-10"));
        cards.push(other);
        let services = [
            service(1, "2026-05-20", ServiceKind::FirstMaintenance),
            service(2, "2026-07-05", ServiceKind::Maintenance),
            service(3, "2026-08-01", ServiceKind::FirstMaintenance),
            service(4, "2026-05-01", ServiceKind::Repair),
        ];
        let r = first_maintenance_return(&cards, &services, d("2026-06-01"));
        assert_eq!(r, Rate { num: 2, den: 4 });
        assert_eq!(r.percent(), Some(50.0));
        assert_eq!(Rate::default().percent(), None);
    }

    #[test]
    fn maintenance_return_counts_the_next_maintenance_due_in_the_month() {
        let cards = [card(1), card(2)];
        // 182 days after 2026-01-01 is 2026-07-02.
        let services = [
            service(1, "2026-01-01", ServiceKind::Maintenance),
            service(1, "2026-07-10", ServiceKind::Maintenance),
            service(2, "2026-01-01", ServiceKind::Maintenance),
        ];
        let s = CareSettings::default();
        assert_eq!(
            maintenance_return(&cards, &services, &s, d("2026-07-01")),
            Rate { num: 1, den: 2 }
        );
        assert_eq!(
            maintenance_return(&cards, &services, &s, d("2026-06-01")),
            Rate::default()
        );
    }

    #[test]
    fn churn_and_the_lost_list_grouped_local_and_warranty() {
        let mut a = card(1);
        a.local = Some(false);
        a.warranty_end = Some(d("2028-01-01"));
        let b = card(2);
        let mut c = card(3);
        c.delivery_date = Some(d("2026-05-01"));
        let services = [
            service(1, "2026-02-01", ServiceKind::Repair), // 120 days before 06-01: lost
            service(2, "2025-01-01", ServiceKind::Repair), // > 360: gone, not counted
        ];
        let cards = [a, b, c];
        let as_of = d("2026-06-01");
        assert_eq!(churn(&cards, &services, as_of), Rate { num: 1, den: 2 });
        let lost = lost_customers(&cards, &services, as_of);
        assert_eq!(lost.len(), 1);
        assert_eq!(
            lost.get(&LostGroup {
                local: false,
                in_warranty: true
            }),
            Some(&vec![Uuid::from_u128(1)])
        );
    }

    #[test]
    fn completion_and_on_time_per_person() {
        let li = Uuid::from_u128(0xa1);
        let mut dev = Device::new(1);
        let clock = StoreClock::CHINA;
        let ms = |t: chrono::NaiveDateTime| clock.instant(t).timestamp_millis() as u64;
        let mk = |n: u128, due: &str| {
            PlannedWrite::new(Uuid::from_u128(n), &CARE_TASK)
                .set("due_at", due)
                .set("assignee_id", li.to_string())
        };
        let t0 = d("2026-06-01").and_hms_opt(8, 0, 0).unwrap();
        dev.run(
            &Plan::new()
                .then(mk(1, "2026-06-05T17:30:00"))
                .then(mk(2, "2026-06-05T17:30:00"))
                .then(mk(3, "2026-06-05T17:30:00"))
                .then(mk(4, "2026-07-05T17:30:00")),
            "csmgr",
            ms(t0),
        );
        let on_time = d("2026-06-04").and_hms_opt(10, 0, 0).unwrap();
        let late = d("2026-06-08").and_hms_opt(10, 0, 0).unwrap();
        let who = li.to_string();
        dev.run(
            &Plan::new().then(log_attempt(
                Uuid::from_u128(1),
                Uuid::from_u128(11),
                on_time,
                "phone",
                Outcome::Reached,
                "",
            )),
            &who,
            ms(on_time),
        );
        dev.run(
            &Plan::new().then(log_attempt(
                Uuid::from_u128(2),
                Uuid::from_u128(12),
                late,
                "phone",
                Outcome::Reached,
                "",
            )),
            &who,
            ms(late),
        );
        let tasks: Vec<CareTask> = dev
            .of("care_task")
            .iter()
            .map(|r| CareTask::of(r, clock))
            .collect();
        let by = completion_by_person(&tasks, &[], d("2026-06-01"), clock);
        let f = by[&Some(li)];
        assert_eq!(
            f,
            PersonFigures {
                due: 3,
                done: 2,
                failed: 0,
                on_time: 1
            }
        );
        assert_eq!(f.completion(), Rate { num: 2, den: 3 });
        assert_eq!(f.on_time_rate(), Rate { num: 1, den: 3 });
    }
}
