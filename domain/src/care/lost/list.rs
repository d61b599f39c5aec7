//! The lost-customer list: the 90–360-day customers ([`super::super::report::lost_customers`])
//! in the seed's four groups, each with the task to call from and the latest reason found.
//! (Apart from [`super`] so the monthly report may read the reasons without a module cycle.)

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Finding, LostTask};
use crate::care::report::{LostGroup, last_visit, lost_customers};
use crate::care::schedule::PastService;
use crate::records::CCard;

/// One row of the lost-customer list.
#[derive(Debug, Clone, PartialEq)]
pub struct LostRow {
    pub c_card_id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub plate: Option<String>,
    pub last_visit: Option<NaiveDate>,
    /// Days since the last visit.
    pub days: i64,
    /// The customer's latest lost-customer task (to call from).
    pub task_id: Option<Uuid>,
    /// That task is still open.
    pub task_open: bool,
    /// The latest reason recorded.
    pub finding: Option<Finding>,
}

/// The lost customers as of `as_of` (the month's first day), grouped, each with its task and
/// finding; every group present (empty ones too), in the seed's order.
pub fn list(
    cards: &[CCard],
    services: &[PastService],
    tasks: &[LostTask],
    as_of: NaiveDate,
) -> Vec<(LostGroup, Vec<LostRow>)> {
    let lost = lost_customers(cards, services, as_of);
    groups()
        .into_iter()
        .map(|g| {
            let mut rows: Vec<LostRow> = lost
                .get(&g)
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| cards.iter().find(|c| c.id == *id))
                        .map(|c| row(c, services, tasks, as_of))
                        .collect()
                })
                .unwrap_or_default();
            rows.sort_by_key(|r| (std::cmp::Reverse(r.days), r.c_card_id));
            (g, rows)
        })
        .collect()
}

fn row(card: &CCard, services: &[PastService], tasks: &[LostTask], as_of: NaiveDate) -> LostRow {
    let mut theirs: Vec<&LostTask> = tasks
        .iter()
        .filter(|t| t.task.c_card_id == Some(card.id))
        .collect();
    theirs.sort_by_key(|t| (t.task.starts_on, t.task.due_at, t.task.id));
    let last = last_visit(card, services, as_of);
    LostRow {
        c_card_id: card.id,
        name: card.name.clone(),
        phone: card.phone.clone(),
        plate: card.plate.clone(),
        last_visit: last,
        days: last.map_or(0, |l| (as_of - l).num_days()),
        task_id: theirs.last().map(|t| t.task.id),
        task_open: theirs
            .last()
            .is_some_and(|t| t.task.status == crate::records::CareTaskStatus::Open),
        finding: theirs.iter().rev().find_map(|t| t.finding.clone()),
    }
}

/// The due day of the month's lost-customer tasks (`as_of`: the month's first day): the schedule
/// makes one per lost customer, on the same rule as [`lost_customers`], showing from the 1st and
/// due the month's last day. The 流失客户 page reads the care tasks due that day
/// ([`month_customers`]), then only those customers' records, not every C-card and service.
pub fn month_task_day(as_of: NaiveDate) -> NaiveDate {
    let first = crate::care::renewal::month_start(as_of);
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(first)
}

/// The customers of the month's lost-customer tasks (`as_of`: the month's first day), each
/// once: whom [`list`] is computed for.
pub fn month_customers(tasks: &[LostTask], as_of: NaiveDate) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = tasks
        .iter()
        .filter(|t| t.task.starts_on == Some(as_of))
        .filter_map(|t| t.task.c_card_id)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The four groups in the seed's order: local in / out of warranty, out of town in / out.
pub fn groups() -> [LostGroup; 4] {
    [
        LostGroup {
            local: true,
            in_warranty: true,
        },
        LostGroup {
            local: true,
            in_warranty: false,
        },
        LostGroup {
            local: false,
            in_warranty: true,
        },
        LostGroup {
            local: false,
            in_warranty: false,
        },
    ]
}

/// A group in words.
pub fn group_label(g: LostGroup, zh: bool) -> &'static str {
    match (g.local, g.in_warranty, zh) {
        (true, true, true) => "本地在保",
        (true, false, true) => "本地出保",
        (false, true, true) => "外地在保",
        (false, false, true) => "外地出保",
        (true, true, false) => "Local, in warranty",
        (true, false, false) => "Local, out of warranty",
        (false, true, false) => "Out of town, in warranty",
        (false, false, false) => "Out of town, out of warranty",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::lost::{LostReason, reasons, shops};
    use crate::care::schedule::ServiceKind;
    use crate::care::testing::{Device, card, d};
    use crate::plan::{Plan, PlannedWrite};
    use crate::records::CARE_TASK;
    use crate::time::StoreClock;

    const C: StoreClock = StoreClock::CHINA;

    #[test]
    fn the_list_is_grouped_with_the_latest_finding_and_counts_reasons_and_shops() {
        let mut a = card(1);
        a.local = Some(false);
        a.warranty_end = Some(d("2028-01-01"));
        let b = card(2);
        let mut c = card(3);
        c.delivery_date = Some(d("2026-05-01"));
        let svc = |n: u128, date: &str| PastService {
            c_card_id: Some(Uuid::from_u128(n)),
            vehicle_vin: None,
            date: d(date),
            odometer_km: None,
            kind: ServiceKind::Repair,
        };
        let services = [svc(1, "2026-02-01"), svc(2, "2025-12-01")];
        let mut dev = Device::new(1);
        let mk = |id: u128, card: u128, starts: &str| {
            PlannedWrite::new(Uuid::from_u128(id), &CARE_TASK)
                .set("kind", "lost_customer")
                .set("c_card_id", Uuid::from_u128(card).to_string())
                .set("starts_on", starts)
                .set("lost_reason", "price")
                .set("other_shop", "城西修理厂")
        };
        dev.run(
            &Plan::new()
                .then(mk(10, 1, "2026-05-01"))
                .then(
                    PlannedWrite::new(Uuid::from_u128(11), &CARE_TASK)
                        .set("kind", "lost_customer")
                        .set("c_card_id", Uuid::from_u128(1).to_string())
                        .set("starts_on", "2026-06-01"),
                )
                .then(mk(12, 2, "2026-06-01")),
            "csmgr",
            C.instant(d("2026-06-01").and_hms_opt(8, 0, 0).unwrap())
                .timestamp_millis() as u64,
        );
        let tasks: Vec<LostTask> = dev
            .of("care_task")
            .iter()
            .filter_map(|r| LostTask::of(r, C))
            .collect();
        let cards = [a, b, c];
        let groups = list(&cards, &services, &tasks, d("2026-06-01"));
        assert_eq!(groups.len(), 4);
        let (g, rows) = &groups[2];
        assert_eq!((g.local, g.in_warranty), (false, true));
        assert_eq!(group_label(*g, true), "外地在保");
        assert_eq!(rows.len(), 1);
        // The latest task to call from; the reason found last month still shows.
        assert_eq!(rows[0].task_id, Some(Uuid::from_u128(11)));
        assert!(rows[0].task_open);
        assert_eq!(
            rows[0].finding.as_ref().map(|f| f.reason),
            Some(LostReason::Price)
        );
        assert_eq!(rows[0].days, 120);
        let (_, local_out) = &groups[1];
        assert_eq!(local_out.len(), 1);
        assert!(groups[0].1.is_empty() && groups[3].1.is_empty());
        let findings: Vec<Finding> = tasks.iter().filter_map(|t| t.finding.clone()).collect();
        assert_eq!(reasons(&findings), vec![(LostReason::Price, 2)]);
        assert_eq!(shops(&findings), vec![("城西修理厂".to_string(), 2)]);
        for r in LostReason::ALL {
            assert_eq!(LostReason::parse(r.as_str()), Some(r));
            assert!(!r.label_zh().is_empty() && !r.label_en().is_empty());
        }
    }

    #[test]
    fn the_months_lost_tasks_name_the_customers_the_list_is_computed_for() {
        use crate::care::schedule::{generate, new_tasks_plan};
        use crate::care::settings::CareSettings;
        let today = d("2026-06-10");
        let as_of = d("2026-06-01");
        // Lost (last visit 2026-01-05), came lately, never came (delivered 2025-03-01: past 360).
        let (lost, recent, old) = (card(1), card(2), card(3));
        let mut old = old;
        old.delivery_date = Some(d("2025-03-01"));
        let svc = |n: u128, date: &str| PastService {
            c_card_id: Some(Uuid::from_u128(n)),
            vehicle_vin: None,
            date: d(date),
            odometer_km: None,
            kind: ServiceKind::Repair,
        };
        let services = [
            svc(1, "2026-01-05"),
            svc(2, "2026-05-20"),
            svc(2, "2025-12-01"),
        ];
        let cards = [lost.clone(), recent, old];
        let rows = generate(&cards, &services, &CareSettings::default(), today);
        let mut dev = Device::new(1);
        dev.run(
            &new_tasks_plan(&rows, &std::collections::BTreeSet::new(), |_| None),
            "csmgr",
            C.instant(d("2026-06-10").and_hms_opt(8, 0, 0).unwrap())
                .timestamp_millis() as u64,
        );
        let tasks: Vec<LostTask> = dev
            .of("care_task")
            .iter()
            .filter_map(|r| LostTask::of(r, C))
            .collect();
        // Every lost-customer task of the month is due on its last day.
        assert!(!tasks.is_empty());
        for t in tasks.iter().filter(|t| t.task.starts_on == Some(as_of)) {
            assert_eq!(t.task.due_at.map(|d| d.date()), Some(month_task_day(as_of)));
        }
        assert_eq!(month_task_day(d("2026-02-01")), d("2026-02-28"));
        let ids = month_customers(&tasks, as_of);
        assert_eq!(ids, vec![lost.id]);
        // The list of those customers is the list of every customer.
        let theirs: Vec<CCard> = cards
            .iter()
            .filter(|c| ids.contains(&c.id))
            .cloned()
            .collect();
        let mine: Vec<PastService> = services
            .iter()
            .filter(|s| s.c_card_id.is_some_and(|c| ids.contains(&c)))
            .cloned()
            .collect();
        assert_eq!(
            list(&theirs, &mine, &tasks, as_of),
            list(&cards, &services, &tasks, as_of)
        );
    }
}
