use std::collections::BTreeSet;

use chrono::NaiveTime;
use proptest::prelude::*;

use super::*;
use crate::care::testing::{Device, card, d};
use crate::records::CareTask;
use crate::time::StoreClock;

fn t(date: &str, h: u32, m: u32) -> NaiveDateTime {
    d(date).and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap())
}

fn rows_of(kind: CareKind, rows: &[ScheduledTask]) -> Vec<&ScheduledTask> {
    rows.iter().filter(|r| r.kind == kind).collect()
}

fn one(kind: CareKind, rows: &[ScheduledTask]) -> &ScheduledTask {
    let found = rows_of(kind, rows);
    assert_eq!(found.len(), 1, "{kind:?} in {rows:#?}");
    found[0]
}

fn service(card: u128, date: &str, km: Option<u32>, kind: ServiceKind) -> PastService {
    PastService {
        c_card_id: Some(Uuid::from_u128(card)),
        vehicle_vin: None,
        date: d(date),
        odometer_km: km,
        kind,
    }
}

fn rows_for(cards: &[CCard], services: &[PastService], today: &str) -> Vec<ScheduledTask> {
    generate(cards, services, &CareSettings::default(), d(today))
}

#[test]
fn delivery_makes_the_cs_call_within_a_week_and_the_first_maintenance_reminder() {
    let mut c = card(1);
    c.delivery_date = Some(d("2026-03-10"));
    let rows = rows_for(std::slice::from_ref(&c), &[], "2026-03-11");
    let call = one(CareKind::DeliveryFollowUp, &rows);
    assert_eq!(call.starts_on, d("2026-03-11"));
    assert_eq!(call.due_at, t("2026-03-17", 17, 30));
    assert_eq!(call.role, Role::CustomerService);
    assert_eq!(call.customer_name.as_deref(), Some("客户1"));
    // Two to three months after delivery: not yet within the horizon.
    assert!(rows_of(CareKind::FirstMaintenance, &rows).is_empty());
    let rows = rows_for(std::slice::from_ref(&c), &[], "2026-05-01");
    let first = one(CareKind::FirstMaintenance, &rows);
    assert_eq!(first.starts_on, d("2026-05-10"));
    assert_eq!(first.due_at, t("2026-06-10", 17, 30));
    assert_eq!(first.period, d("2026-03-10"));
    // The week's call is history by then (due more than 30 days ago).
    assert!(rows_of(CareKind::DeliveryFollowUp, &rows).is_empty());
    // A customer who came for the first maintenance early is not reminded.
    let early = service(1, "2026-04-20", Some(3000), ServiceKind::FirstMaintenance);
    let rows = rows_for(&[c], &[early], "2026-05-01");
    assert!(rows_of(CareKind::FirstMaintenance, &rows).is_empty());
}

#[test]
fn a_service_makes_the_cs_call_within_a_week() {
    let c = card(1);
    let s = service(1, "2026-06-02", Some(12000), ServiceKind::Repair);
    let rows = rows_for(&[c], &[s], "2026-06-03");
    let call = one(CareKind::ServiceFollowUp, &rows);
    assert_eq!(call.period, d("2026-06-02"));
    assert_eq!(call.starts_on, d("2026-06-03"));
    assert_eq!(call.due_at, t("2026-06-09", 17, 30));
    // A service of another vehicle is not this customer's; one matched by VIN is.
    let mut other = service(2, "2026-06-02", None, ServiceKind::Repair);
    assert!(rows_for(&[card(1)], &[other.clone()], "2026-06-03").is_empty());
    other.c_card_id = None;
    other.vehicle_vin = Some(card(1).vin.unwrap().to_lowercase());
    assert_eq!(rows_for(&[card(1)], &[other], "2026-06-03").len(), 1);
}

#[test]
fn maintenance_is_due_by_date_without_two_readings() {
    let c = card(1);
    let s = service(1, "2026-01-10", Some(5000), ServiceKind::Maintenance);
    // 182 days after 2026-01-10 is 2026-07-11; the reminder a week before.
    let rows = rows_for(
        std::slice::from_ref(&c),
        std::slice::from_ref(&s),
        "2026-07-01",
    );
    let m = one(CareKind::Maintenance, &rows);
    assert_eq!(m.starts_on, d("2026-07-04"));
    assert_eq!(m.due_at, t("2026-07-06", 17, 30));
    assert_eq!(m.period, d("2026-01-10"));
    // The model's own interval.
    let mut settings = CareSettings::default();
    settings.model_intervals.insert(
        "mondeo".into(),
        Interval {
            days: 365,
            km: 10000,
        },
    );
    let mut mondeo = c;
    mondeo.model = Some("mondeo".into());
    let rows = generate(
        &[mondeo.clone()],
        std::slice::from_ref(&s),
        &settings,
        d("2026-07-01"),
    );
    assert!(rows_of(CareKind::Maintenance, &rows).is_empty());
    let rows = generate(&[mondeo], &[s], &settings, d("2027-01-01"));
    assert_eq!(one(CareKind::Maintenance, &rows).starts_on, d("2027-01-03"));
}

#[test]
fn maintenance_is_due_by_the_customers_own_mileage() {
    // 3000 km in 30 days: 100 km/day. The last maintenance at 8000 km, due at 13000 km.
    let a = service(1, "2026-03-01", Some(5000), ServiceKind::Repair);
    let b = service(1, "2026-03-31", Some(8000), ServiceKind::Maintenance);
    let refs = [&a, &b];
    assert_eq!(km_per_day(&refs), Some(100.0));
    let due = maintenance_due(
        &b,
        &refs,
        Interval {
            days: 182,
            km: 5000,
        },
    );
    assert_eq!(due, Some(d("2026-05-20"))); // 50 days after 03-31
    let rows = rows_for(&[card(1)], &[a.clone(), b.clone()], "2026-05-10");
    assert_eq!(one(CareKind::Maintenance, &rows).starts_on, d("2026-05-13"));
    // A slow driver: the date comes first.
    let slow = service(1, "2026-03-31", Some(5300), ServiceKind::Maintenance);
    let due = maintenance_due(
        &slow,
        &[&a, &slow],
        Interval {
            days: 182,
            km: 5000,
        },
    );
    assert_eq!(due, d("2026-03-31").checked_add_days(Days::new(182)));
    // One reading, two on one day, or a lower second reading: no rate.
    assert_eq!(km_per_day(&[&b]), None);
    let same_day = service(1, "2026-03-31", Some(7000), ServiceKind::Repair);
    assert_eq!(km_per_day(&[&same_day, &b]), None);
    let lower = service(1, "2026-04-30", Some(100), ServiceKind::Repair);
    assert_eq!(km_per_day(&[&b, &lower]), None);
    // The next maintenance counts from the latest maintenance, and its id from that day.
    let rows = rows_for(&[card(1)], &[a, b], "2026-05-10");
    assert_eq!(
        one(CareKind::Maintenance, &rows).id,
        task_id(Uuid::from_u128(1), CareKind::Maintenance, d("2026-03-31"))
    );
}

#[test]
fn warranty_end_is_a_month_before() {
    let mut c = card(1);
    c.warranty_end = Some(d("2027-03-15"));
    let rows = rows_for(&[c], &[], "2027-02-10");
    let w = one(CareKind::WarrantyEnd, &rows);
    assert_eq!(w.starts_on, d("2027-02-15"));
    assert_eq!(w.due_at, t("2027-02-17", 17, 30));
}

#[test]
fn insurance_renewal_is_contacted_at_t45_then_t33_and_t30() {
    let mut c = card(1);
    c.insurance_expiry = Some(d("2026-09-30"));
    let rows = rows_for(std::slice::from_ref(&c), &[], "2026-08-17");
    assert_eq!(
        one(CareKind::InsuranceFirst, &rows).starts_on,
        d("2026-08-16")
    );
    assert_eq!(
        one(CareKind::InsuranceFollowUp33, &rows).starts_on,
        d("2026-08-28")
    );
    assert_eq!(
        one(CareKind::InsuranceFollowUp30, &rows).starts_on,
        d("2026-08-31")
    );
    for r in &rows {
        assert_eq!(r.period, d("2026-09-30"));
    }
    // The next year's renewal counts from the anniversary.
    let rows = rows_for(&[c], &[], "2027-08-16");
    assert_eq!(one(CareKind::InsuranceFirst, &rows).period, d("2027-09-30"));
}

#[test]
fn the_annual_inspection_is_reminded_before_it_is_due() {
    let mut c = card(1);
    c.inspection_date = Some(d("2026-04-20"));
    let rows = rows_for(std::slice::from_ref(&c), &[], "2026-03-15");
    let i = one(CareKind::Inspection, &rows);
    assert_eq!((i.starts_on, i.period), (d("2026-03-21"), d("2026-04-20")));
    // Not before the first inspection date's year.
    let rows = rows_for(&[c], &[], "2025-03-15");
    assert!(rows.is_empty());
}

#[test]
fn birthday_wishes_are_due_two_hours_after_opening_on_the_day() {
    let mut c = card(1);
    c.birthday = Some(d("1985-07-08"));
    let rows = rows_for(std::slice::from_ref(&c), &[], "2026-07-01");
    let b = one(CareKind::Birthday, &rows);
    assert_eq!(b.starts_on, d("2026-07-08"));
    assert_eq!(b.due_at, t("2026-07-08", 10, 30));
    // 29 February is wished on 28 February in other years.
    c.birthday = Some(d("1988-02-29"));
    let rows = rows_for(&[c], &[], "2027-02-20");
    assert_eq!(one(CareKind::Birthday, &rows).starts_on, d("2027-02-28"));
}

#[test]
fn lost_customers_are_those_without_a_visit_for_90_to_360_days_monthly() {
    let c = card(1);
    let s = service(1, "2026-02-20", None, ServiceKind::Repair);
    // 1 June is 101 days after 20 February.
    let rows = rows_for(
        std::slice::from_ref(&c),
        std::slice::from_ref(&s),
        "2026-06-03",
    );
    let l = one(CareKind::LostCustomer, &rows);
    assert_eq!((l.period, l.starts_on), (d("2026-06-01"), d("2026-06-01")));
    assert_eq!(l.due_at, t("2026-06-30", 17, 30));
    // 1 May is 70 days after: not lost yet (and 1 July is outside the horizon).
    let rows = rows_for(
        std::slice::from_ref(&c),
        std::slice::from_ref(&s),
        "2026-05-03",
    );
    assert!(rows_of(CareKind::LostCustomer, &rows).is_empty());
    // More than 360 days: gone, not on the list.
    let rows = rows_for(std::slice::from_ref(&c), &[s], "2027-03-03");
    assert!(rows_of(CareKind::LostCustomer, &rows).is_empty());
    // A delivery counts as a visit.
    let mut delivered = c;
    delivered.delivery_date = Some(d("2026-01-15"));
    let rows = rows_for(&[delivered], &[], "2026-05-03");
    assert_eq!(one(CareKind::LostCustomer, &rows).period, d("2026-05-01"));
}

#[test]
fn every_row_has_its_derived_id_and_regenerating_never_duplicates() {
    let mut c = card(7);
    c.delivery_date = Some(d("2026-04-01"));
    c.warranty_end = Some(d("2029-04-01"));
    c.insurance_expiry = Some(d("2027-04-01"));
    c.birthday = Some(d("1990-06-10"));
    let rows = rows_for(std::slice::from_ref(&c), &[], "2026-06-01");
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(r.id, task_id(c.id, r.kind, r.period));
    }
    // Generating again, or a day later, gives the same ids for the same rows.
    assert_eq!(rows, rows_for(std::slice::from_ref(&c), &[], "2026-06-01"));
    let later = rows_for(std::slice::from_ref(&c), &[], "2026-06-02");
    for r in &rows {
        if let Some(same) = later
            .iter()
            .find(|l| l.kind == r.kind && l.period == r.period)
        {
            assert_eq!(same, r);
        }
    }
    // Stored rows are not written again.
    let mut dev = Device::new(1);
    let plan = new_tasks_plan(&rows, &BTreeSet::new(), |_| None);
    assert_eq!(plan.writes.len(), rows.len());
    dev.run(&plan, "cs", 1_780_000_000_000);
    let stored: BTreeSet<Uuid> = dev.of("care_task").iter().map(|r| r.id).collect();
    assert!(new_tasks_plan(&rows, &stored, |_| None).is_empty());
    let task = CareTask::of(dev.get(rows[0].id), StoreClock::default());
    assert_eq!(task.kind.as_deref(), Some(rows[0].kind.as_str()));
    assert_eq!(task.starts_on, Some(rows[0].starts_on));
    assert_eq!(task.due_at, Some(rows[0].due_at));
    assert_eq!(task.c_card_id, Some(c.id));
}

fn arb_card() -> impl Strategy<Value = CCard> {
    (
        1u128..6,
        proptest::option::of(0u64..400),
        proptest::option::of(0u64..400),
        proptest::option::of(0u64..400),
    )
        .prop_map(|(n, delivery, insurance, birthday)| {
            let base = d("2025-09-01");
            let day = |o: u64| base.checked_add_days(Days::new(o));
            let mut c = card(n);
            c.delivery_date = delivery.and_then(day);
            c.insurance_expiry = insurance.and_then(day);
            c.birthday = birthday.and_then(day);
            c
        })
}

proptest! {
    /// Several devices generate the schedule offline (each on its own day within a week, its
    /// cards in its own order), then exchange their ops in any order: they converge to one
    /// task set, one task per (C-card, kind, period), and regenerating writes nothing more.
    #[test]
    fn replicas_generating_in_any_order_converge_to_one_task_set(
        cards in proptest::collection::vec(arb_card(), 1..6),
        days in proptest::collection::vec(0u64..7, 2..4),
        order_seed in any::<u64>(),
    ) {
        let mut cards = cards;
        cards.sort_by_key(|c| c.id);
        cards.dedup_by_key(|c| c.id);
        let services = vec![service(1, "2025-12-01", Some(9000), ServiceKind::Maintenance)];
        let settings = CareSettings::default();
        let start = d("2026-05-01");
        let mut devices: Vec<Device> = Vec::new();
        let mut all_ops = Vec::new();
        for (i, offset) in days.iter().enumerate() {
            let today = start.checked_add_days(Days::new(*offset)).unwrap();
            let mut mine = cards.clone();
            let len = mine.len();
            mine.rotate_left(i % len);
            let rows = generate(&mine, &services, &settings, today);
            let mut dev = Device::new(i as u8 + 1);
            let plan = new_tasks_plan(&rows, &BTreeSet::new(), |_| None);
            all_ops.extend(dev.run(&plan, "cs", 1_780_000_000_000 + *offset * 86_400_000));
            devices.push(dev);
        }
        // Every device receives every op, in its own order.
        for (i, dev) in devices.iter_mut().enumerate() {
            let mut ops = all_ops.clone();
            let k = (order_seed as usize).wrapping_add(i * 7919) % ops.len().max(1);
            ops.rotate_left(k);
            if (order_seed >> i) & 1 == 1 {
                ops.reverse();
            }
            for op in &ops {
                dev.receive(op);
            }
        }
        let first = &devices[0];
        for dev in &devices[1..] {
            prop_assert_eq!(&dev.records, &first.records);
        }
        let tasks: Vec<CareTask> = first
            .of("care_task")
            .iter()
            .map(|r| CareTask::of(r, StoreClock::default()))
            .collect();
        let mut keys: Vec<_> = tasks
            .iter()
            .map(|t| (t.c_card_id, t.kind.clone(), t.due_at))
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        prop_assert_eq!(keys.len(), n);
        for r in first.of("care_task") {
            prop_assert!(r.conflicts(crate::care::testing::rt("care_task")).is_empty());
        }
        // Regenerating on any day of the week writes nothing already stored.
        let stored: BTreeSet<Uuid> = tasks.iter().map(|t| t.id).collect();
        for offset in &days {
            let today = start.checked_add_days(Days::new(*offset)).unwrap();
            let rows = generate(&cards, &services, &settings, today);
            prop_assert!(new_tasks_plan(&rows, &stored, |_| None).is_empty());
        }
    }
}

#[test]
fn a_repair_orders_kind_is_read_from_its_complaint() {
    assert_eq!(
        ServiceKind::of_complaint(Some("首保")),
        ServiceKind::FirstMaintenance
    );
    assert_eq!(
        ServiceKind::of_complaint(Some("maintenance")),
        ServiceKind::Maintenance
    );
    assert_eq!(
        ServiceKind::of_complaint(Some("到了里程,做常规保养")),
        ServiceKind::Maintenance
    );
    assert_eq!(
        ServiceKind::of_complaint(Some("brake_noise")),
        ServiceKind::Repair
    );
    assert_eq!(ServiceKind::of_complaint(None), ServiceKind::Repair);
    assert_eq!(ServiceKind::parse("warranty"), ServiceKind::Warranty);
    assert_eq!(ServiceKind::parse("x"), ServiceKind::Other);
}

#[test]
fn an_imported_service_counts_as_a_past_service() {
    use crate::records::service::{HistoryKind, ServiceHistory};
    let mut h = ServiceHistory {
        id: Uuid::from_u128(77),
        c_card_id: Some(Uuid::from_u128(1)),
        vin: Some("LFV2A21K5P4000001".into()),
        plate: None,
        date: None,
        odometer_km: Some(5_210),
        ro_number: None,
        kind: HistoryKind::FirstMaintenance,
        amount_fen: None,
        advisor: None,
        note: None,
    };
    assert_eq!(
        PastService::of_history(&h),
        None,
        "no date, no past service"
    );
    h.date = Some(d("2026-03-02"));
    let p = PastService::of_history(&h).expect("dated");
    assert_eq!(p.kind, ServiceKind::FirstMaintenance);
    assert_eq!(p.odometer_km, Some(5_210));
    assert_eq!(p.date, d("2026-03-02"));
    assert_eq!(p.c_card_id, Some(Uuid::from_u128(1)));
    assert_eq!(p.vehicle_vin.as_deref(), Some("LFV2A21K5P4000001"));
}
