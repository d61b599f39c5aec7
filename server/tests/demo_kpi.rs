//! The demo store's service KPIs are counted from its records and each has a real value: the
//! sales, service and cost histories are seeded as on a first start, every record is read back,
//! and last month's figures (the GM's page 经营指标 opens on them by comparison) are computed by
//! `domain::service::kpi` — each with a value, a non-empty numerator and the records it counts.

mod common;

use chrono::{TimeZone, Utc};
use domain::service::kpi::{
    Period, ServiceKpi, ServiceScope, people, service_facts_from_records, service_kpis,
};
use domain::sync::RecordState;
use domain::time::StoreClock;
use forecourt_server::demo_costs::seed_store_costs;
use forecourt_server::demo_sales::seed_sales_history;
use forecourt_server::demo_service::{HOURLY_RATE_FEN, seed_service_history};
use forecourt_server::store::Store;

use common::app;
use common::demo_store::all_records;

#[tokio::test]
async fn every_service_kpi_has_a_value_on_the_demo_store() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
    let t = app().await;
    let store: &dyn Store = &t.store;
    seed_sales_history(store, now).await.expect("sales history");
    seed_service_history(store, now)
        .await
        .expect("service history");
    let costs = seed_store_costs(store, now).await.expect("costs");
    // August (from the 23rd), September and October; November is left for the GM.
    assert_eq!(costs.records, vec![("store_costs", 3)]);

    let records = all_records(store).await;
    let refs: Vec<&RecordState> = records.iter().collect();
    let facts = service_facts_from_records(&refs, StoreClock::default(), HOURLY_RATE_FEN);
    let f = facts.facts();
    let october = Period::month(2026, 10).unwrap();
    let k = service_kpis(&f, october, &ServiceScope::Store);
    for fig in &k.figures {
        eprintln!(
            "{:<24} {:>8}  {:?}  ({} / {} records)",
            fig.kpi.name_en(),
            fig.display(),
            fig.parts_display(),
            fig.numerator.len(),
            fig.denominator.len()
        );
        assert!(fig.value.is_some(), "{:?}: {:?}", fig.kpi, fig.reason);
        assert!(fig.num > 0, "{:?} counts something", fig.kpi);
        assert!(!fig.numerator.is_empty(), "{:?} opens its records", fig.kpi);
    }
    let v = |kpi| k.get(kpi).and_then(|x| x.value).unwrap_or_default();
    // Not every car booked, not every job fixed first time, not every promise kept.
    for kpi in [
        ServiceKpi::AppointmentRate,
        ServiceKpi::DeliveryTimeAccuracy,
        ServiceKpi::ActiveCustomerRate,
    ] {
        assert!(v(kpi) > 0.0 && v(kpi) < 100.0, "{kpi:?} = {}", v(kpi));
    }
    assert!((50.0..=100.0).contains(&v(ServiceKpi::FirstTimeFixRate)));
    assert!((40.0..=90.0).contains(&v(ServiceKpi::AbsorptionRate)));
    assert!((50.0..=200.0).contains(&v(ServiceKpi::TechnicianEfficiency)));

    // Per advisor and per technician.
    let (advisors, technicians) = people(&f);
    assert!(!advisors.is_empty());
    assert_eq!(technicians.len(), 3, "{technicians:?}");
    for a in &advisors {
        let ka = service_kpis(&f, october, &ServiceScope::Advisor(a.clone()));
        assert!(
            ka.get(ServiceKpi::AdvisorLoad)
                .and_then(|x| x.value)
                .is_some()
        );
    }
    for tech in &technicians {
        let kt = service_kpis(&f, october, &ServiceScope::Technician(tech.clone()));
        assert!(
            kt.get(ServiceKpi::TechnicianEfficiency)
                .and_then(|x| x.value)
                .is_some(),
            "{tech}"
        );
    }
    // This month has no costs yet: the GM enters them (e2e gm_kpi).
    let november = Period::month(2026, 11).unwrap();
    let nov = service_kpis(&f, november, &ServiceScope::Store);
    assert_eq!(
        nov.get(ServiceKpi::AbsorptionRate).and_then(|x| x.reason),
        Some(domain::service::kpi::NoFigure::NoFixedCosts)
    );
}
