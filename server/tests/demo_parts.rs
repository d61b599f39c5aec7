//! The demo store's parts desk: pushed as ops after the service history (every op accepted by
//! the domain policy and every record it names found, or the seeding fails), and giving every
//! parts screen something to show: the catalogue with stock, a level below zero with the moves
//! that caused it, tomorrow's appointments with their parts reserved or missing, an RO on Parts
//! Hold, a part on the wall of shame, and the fill-rate KPIs counted from the same records.

mod common;

use chrono::{Duration, TimeZone, Utc};
use domain::parts::kpi::{line_facts, parts_fill_rate, ro_fill_rate};
use domain::parts::orders::{EmergencyOrder, on_hold, wall_of_shame};
use domain::parts::reservations::{NeedsParts, Reservation, appointment_parts, held};
use domain::parts::stock::{moves_of, stock};
use domain::records::field;
use domain::records::service::{RepairOrder, RoLine};
use domain::sales::kpi::Period;
use domain::time::StoreClock;
use forecourt_server::demo_parts::{CATALOGUE, seed_parts};
use forecourt_server::demo_sales::seed_sales_history;
use forecourt_server::demo_service::seed_service_history;
use forecourt_server::store::Store;

use common::app;
use common::demo_store::records_of;

#[tokio::test]
async fn the_demo_parts_desk_passes_the_policy_and_fills_every_parts_screen() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    let t = app().await;
    let store: &dyn Store = &t.store;
    seed_sales_history(store, now).await.expect("sales history");
    seed_service_history(store, now)
        .await
        .expect("service history");
    let parts = seed_parts(store, now).await.expect("parts desk");
    eprintln!("parts: {} ops; {:?}", parts.ops, parts.records);
    let c = StoreClock::default();
    let today = c.local(now).date();

    let part_records = records_of(store, &["part"]).await;
    assert_eq!(part_records.len(), CATALOGUE.len());
    let reservations: Vec<Reservation> = records_of(store, &["part_reservation"])
        .await
        .iter()
        .map(|r| Reservation::of(r, c))
        .collect();
    let holds = held(&reservations);
    let figures: Vec<_> = part_records
        .iter()
        .map(|p| stock(p.id, &moves_of(p, c), &holds))
        .collect();
    let issued: usize = part_records
        .iter()
        .map(|p| {
            moves_of(p, c)
                .iter()
                .filter(|m| m.kind.as_str() == "issue")
                .count()
        })
        .sum();
    assert!(issued > 50, "{issued} issues");
    let battery = part_records
        .iter()
        .position(|p| field::text(p, "name") == Some("蓄电池 60Ah"))
        .unwrap();
    assert!(figures[battery].negative(), "{:?}", figures[battery]);
    assert!(!figures[battery].causes.is_empty());
    assert!(figures.iter().any(|s| s.on_hand > 0 && !s.negative()));

    let orders: Vec<EmergencyOrder> = records_of(store, &["parts_order"])
        .await
        .iter()
        .map(|r| EmergencyOrder::of(r, c))
        .collect();
    assert_eq!(on_hold(&orders).len(), 1, "one RO on Parts Hold");
    let wall = wall_of_shame(&orders, today);
    assert_eq!(wall.len(), 1);
    assert_eq!(wall[0].days_waiting, Some(5));

    let tomorrow = today + Duration::days(1);
    let needs: Vec<NeedsParts> = records_of(store, &["appointment"])
        .await
        .iter()
        .filter(|a| field::date(a, "slot_at", c) == Some(tomorrow))
        .map(|a| NeedsParts {
            appointment_id: a.id,
            parts_needed: field::shown(a, "parts_needed"),
        })
        .collect();
    let checks = appointment_parts(&needs, &reservations, &figures, &orders);
    assert!(
        !checks.is_empty(),
        "tomorrow has appointments needing parts"
    );
    assert!(checks.iter().any(|a| a.ready()), "{checks:?}");

    // The KPIs count the same records: every approved part line of the demo workshop.
    let ros: Vec<RepairOrder> = records_of(store, &["repair_order"])
        .await
        .iter()
        .map(|r| RepairOrder::of(r, c))
        .collect();
    let lines: Vec<RoLine> = records_of(store, &["ro_line"])
        .await
        .iter()
        .map(|r| RoLine::of(r, c))
        .collect();
    let moves: Vec<_> = part_records.iter().map(|p| moves_of(p, c)).collect();
    let facts = line_facts(&ros, &lines, &moves, &orders);
    let month = Period::month_of(today - Duration::days(30));
    let f = parts_fill_rate(&facts, month, None);
    let r = ro_fill_rate(&facts, month, None);
    eprintln!("{} {}", f.display(), r.display());
    assert!(
        f.value.is_some_and(|v| v > 50.0 && v < 100.0),
        "{}",
        f.display()
    );
    assert!(r.value.is_some_and(|v| v <= f.value.unwrap_or(0.0)));
}
