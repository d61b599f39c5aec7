//! The demo store's service history: pushed as ops after the sales history (every op accepted by
//! the domain policy as of its own time, or the seeding fails), and giving every workshop screen
//! figures: appointments and no-shows, ROs through every step, added work approved and declined,
//! QC failures, comebacks, on-time and late handovers, and a floor with work going on now.

mod common;

use std::collections::{BTreeMap, HashMap};

use chrono::{TimeZone, Utc};
use domain::records::service::{REPAIR_ORDER, RepairOrder, RoLine, ServiceSettings};
use domain::records::{APPOINTMENT, RO_LINE};
use domain::service::repair_order::{
    LineOrigin, LineState, PastRo, RoStatus, comeback_of, final_qc_passed, line_state, rework_count,
};
use domain::service::workshop::{floor_jobs, status_key_valid};
use domain::sync::RecordState;
use domain::time::StoreClock;
use forecourt_server::demo_sales::seed_sales_history;
use forecourt_server::demo_service::seed_service_history;
use forecourt_server::store::Store;

use common::app;
use common::demo_store::all_records;

#[tokio::test]
async fn the_service_history_passes_the_policy_and_fills_every_workshop_screen() {
    // 2026-11-23 15:00 in China: a working afternoon.
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    let t = app().await;
    let store: &dyn Store = &t.store;
    let sales = seed_sales_history(store, now).await.expect("sales history");
    let service = seed_service_history(store, now)
        .await
        .expect("service history");
    eprintln!(
        "service history: {} ops; {:?}",
        service.ops, service.records
    );
    assert_eq!(
        store.seq("demo".into()).await.unwrap(),
        (sales.ops + service.ops) as u64
    );
    assert!(
        (1_500..=6_000).contains(&service.ops),
        "{} ops",
        service.ops
    );

    let clock = StoreClock::default();
    let local_now = clock.local(now);
    let records = all_records(store).await;
    let mut by_type: BTreeMap<&str, Vec<&RecordState>> = BTreeMap::new();
    for r in &records {
        by_type.entry(r.record_type.as_str()).or_default().push(r);
    }
    let settings = ServiceSettings::of(by_type["service_settings"].first().copied());
    assert_eq!(settings.hourly_rate_fen, 20_000);
    let price_list =
        domain::service::desk::price_list(by_type["service_settings"].first().copied());
    assert!(price_list.len() >= 8, "{price_list:?}");

    // Appointments: most arrived, some no-shows with their reason, tomorrow's booked.
    let mut appts: HashMap<&str, usize> = HashMap::new();
    for a in &by_type["appointment"] {
        let s = a.status(&APPOINTMENT, "status").unwrap_or("booked");
        *appts.entry(s).or_default() += 1;
        if s == "no_show" {
            assert!(a.value("no_show_reason").is_some(), "{a:?}");
        }
        assert!(a.conflicts(&APPOINTMENT).is_empty());
    }
    assert!(
        appts.get("arrived").copied().unwrap_or(0) >= 80,
        "{appts:?}"
    );
    assert!(appts.get("no_show").copied().unwrap_or(0) >= 5, "{appts:?}");
    assert!(appts.get("booked").copied().unwrap_or(0) >= 1, "{appts:?}");

    let ros: Vec<RepairOrder> = by_type["repair_order"]
        .iter()
        .map(|r| RepairOrder::of(r, clock))
        .collect();
    let lines: Vec<RoLine> = by_type["ro_line"]
        .iter()
        .map(|r| RoLine::of(r, clock))
        .collect();
    for r in &by_type["repair_order"] {
        assert!(r.conflicts(&REPAIR_ORDER).is_empty());
    }
    for r in &by_type["ro_line"] {
        assert!(r.conflicts(&RO_LINE).is_empty());
    }
    let mut statuses: HashMap<RoStatus, usize> = HashMap::new();
    for ro in &ros {
        *statuses.entry(ro.status).or_default() += 1;
        assert!(status_key_valid(ro.status_key.as_deref().unwrap_or("")));
        if ro.status == RoStatus::HandedOver {
            assert!(final_qc_passed(&ro.qc_checks), "{:?}", ro.id);
            assert!(ro.on_time.is_some() && ro.handed_over_at.is_some());
        }
    }
    assert!(statuses[&RoStatus::HandedOver] >= 100, "{statuses:?}");
    let on_time = ros.iter().filter(|r| r.on_time == Some(true)).count();
    let late = ros.iter().filter(|r| r.on_time == Some(false)).count();
    assert!(
        on_time > late * 3 && late >= 3,
        "on time {on_time}, late {late}"
    );
    let rework: usize = ros.iter().map(|r| rework_count(&r.qc_checks)).sum();
    assert!(rework >= 5, "QC failures: {rework}");

    // No work on a line the customer did not approve; added work approved and declined.
    let mut added: HashMap<LineState, usize> = HashMap::new();
    for l in &lines {
        let state = line_state(l.origin, l.decision.as_ref());
        if !l.job.intervals.is_empty() {
            assert_eq!(state, LineState::Approved, "{:?}", l.id);
        }
        if l.origin == LineOrigin::AddedWork {
            *added.entry(state).or_default() += 1;
        }
    }
    assert!(
        added.get(&LineState::Approved).copied().unwrap_or(0) >= 5,
        "{added:?}"
    );
    assert!(
        added.get(&LineState::Declined).copied().unwrap_or(0) >= 3,
        "{added:?}"
    );

    // Comebacks are linked to the RO they came back for, by the domain's own rule.
    let comebacks: Vec<&RepairOrder> = ros.iter().filter(|r| r.comeback_of.is_some()).collect();
    assert!(!comebacks.is_empty(), "no comeback");
    for c in &comebacks {
        let past: Vec<PastRo> = ros
            .iter()
            .filter(|r| r.id != c.id)
            .map(|r| PastRo {
                id: r.id,
                vin: r.vin.clone(),
                plate: r.plate.clone(),
                complaint: r.complaint.clone(),
                handed_over_at: r.handed_over_at,
            })
            .collect();
        let received = c.received_at.unwrap();
        assert_eq!(
            comeback_of(
                &past,
                c.vin.as_deref(),
                c.plate.as_deref(),
                c.complaint.as_deref(),
                received,
                30
            ),
            c.comeback_of
        );
    }

    // Cars on the C-cards, and the 48-hour calls.
    assert!(ros.iter().filter(|r| r.c_card_id.is_some()).count() >= 20);
    let calls = by_type["care_task"]
        .iter()
        .filter(|t| t.value("kind").and_then(|v| v.as_str()) == Some("service_48h"))
        .count();
    assert_eq!(calls, statuses[&RoStatus::HandedOver]);

    // Today's floor has work on it.
    let floor = floor_jobs(&ros, &lines, local_now);
    assert!(!floor.is_empty(), "nothing on the floor at {local_now}");
    let techs: std::collections::HashSet<_> = floor
        .iter()
        .filter_map(|j| j.technician_id.clone())
        .collect();
    assert!(!techs.is_empty());
}

#[tokio::test]
async fn the_service_history_is_the_same_for_the_same_start() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let t = app().await;
        seed_sales_history(&t.store, now).await.unwrap();
        let s = seed_service_history(&t.store, now).await.unwrap();
        let mut ids: Vec<_> = all_records(&t.store)
            .await
            .into_iter()
            .filter(|r| r.record_type == "repair_order" || r.record_type == "ro_line")
            // User ids are made when the demo store is created, so they differ between runs.
            .map(|r| {
                let f = |k: &str| r.value(k).map(|v| v.to_string()).unwrap_or_default();
                let shown = [
                    "plate",
                    "status",
                    "received_at",
                    "handed_over_at",
                    "description",
                    "std_hours",
                    "unit_price_fen",
                ]
                .map(f)
                .join("|");
                (r.id, shown, r.log("clock").len(), r.log("qc_checks").len())
            })
            .collect();
        ids.sort();
        runs.push((s.ops, ids));
    }
    assert_eq!(runs[0].0, runs[1].0);
    assert!(
        runs[0].1 == runs[1].1,
        "the records differ between two runs"
    );
}
