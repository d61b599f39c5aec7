//! The demo store's sales history: pushed as ops, materialised by the real merge, plausible by
//! the domain's own rules, and giving every sales KPI a figure for the last full month.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::http::StatusCode;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use domain::records::{A_CARD, ORDER, TEST_DRIVE};
use domain::sales::a_card::{ACardDraft, validate};
use domain::sales::kpi::{
    CardFact, DeliveryFact, KeyAccountFact, OrderFact, Period, SalesFacts, SalesKpi, Scope,
    TestDriveFact, VisitFact, sales_kpis,
};
use domain::sales::loss::LossReason;
use domain::sales::phone;
use domain::sales::settings::StoreSettings;
use domain::sales::vin::Vin;
use domain::sales::visit::{VisitCountFacts, VisitSource, VisitorKind, count_rule};
use domain::sync::{RecordState, apply};
use domain::time::StoreClock;
use forecourt_server::demo_sales::{HistorySummary, seed_sales_history};
use forecourt_server::store::{Reader, Store};
use serde_json::Value;
use uuid::Uuid;

use common::app;
use common::demo_store::all_records;

fn text<'a>(r: &'a RecordState, f: &str) -> &'a str {
    r.value(f).and_then(Value::as_str).unwrap_or("")
}

fn uuid(r: &RecordState, f: &str) -> Uuid {
    Uuid::parse_str(text(r, f)).unwrap_or_else(|_| panic!("{} {f}: {:?}", r.id, r.value(f)))
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The local date of the write that put a status field in its current state.
fn status_day(r: &RecordState, field: &str) -> NaiveDate {
    let head = r.heads(field).into_iter().max_by_key(|h| h.hlc).unwrap();
    let at = DateTime::from_timestamp_millis(head.hlc.wall_ms as i64).unwrap();
    StoreClock::default().local(at).date()
}

async fn seeded(now: DateTime<Utc>) -> (common::TestApp, HistorySummary, u128) {
    let t = app().await;
    let started = Instant::now();
    let summary = seed_sales_history(&t.store, now).await.expect("history");
    (t, summary, started.elapsed().as_millis())
}

#[tokio::test]
async fn demo_history_is_plausible_and_gives_every_kpi() {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap();
    let (t, summary, ms) = seeded(now).await;
    eprintln!(
        "demo history: {} ops in {ms} ms; {:?}",
        summary.ops, summary.records
    );
    let store: &dyn Store = &t.store;
    assert_eq!(store.seq("demo".into()).await.unwrap(), summary.ops as u64);

    let records = all_records(store).await;
    let mut by_type: BTreeMap<&str, Vec<&RecordState>> = BTreeMap::new();
    for r in &records {
        by_type.entry(r.record_type.as_str()).or_default().push(r);
    }
    let count = |t: &str| by_type.get(t).map_or(0, Vec::len);
    for (t, n) in &summary.records {
        assert_eq!(count(t), *n, "{t}");
    }
    let ranges = [
        ("sales_settings", 1..=1),
        ("a_card", 250..=380),
        ("visit", 380..=700),
        ("test_drive", 80..=250),
        ("order", 50..=160),
        ("c_card", 35..=140),
        ("care_task", 70..=280),
        ("key_account", 4..=8),
    ];
    for (t, range) in ranges {
        assert!(
            range.contains(&count(t)),
            "{t}: {} not in {range:?}",
            count(t)
        );
    }

    // The catalogue, and every A-card valid by the domain's rules.
    let settings = by_type["sales_settings"][0];
    let catalogue = StoreSettings::of([settings]).catalogue();
    assert!(catalogue.models.len() >= 6, "{catalogue:?}");
    assert!(catalogue.models.iter().any(|m| m.name_zh == "凯美瑞"));
    assert!(settings.set("fleet").len() >= 3);
    assert!((2..=3).contains(&settings.set("routes").len()));
    for card in &by_type["a_card"] {
        let draft = ACardDraft {
            full_name: text(card, "name").into(),
            phone: text(card, "phone").into(),
            intended_model: text(card, "intended_model").into(),
            ..Default::default()
        };
        validate(&draft, &catalogue).unwrap_or_else(|e| panic!("{draft:?}: {e:?}"));
        assert!(phone::parse(text(card, "phone")).unwrap().is_mobile());
        assert!(["H", "A", "B", "C"].contains(&text(card, "grade")));
        assert!(card.conflicts(&A_CARD).is_empty());
    }
    let mut grades: HashMap<&str, usize> = HashMap::new();
    let mut statuses: HashMap<&str, usize> = HashMap::new();
    let mut reasons: HashMap<&str, usize> = HashMap::new();
    for card in &by_type["a_card"] {
        *grades.entry(text(card, "grade")).or_default() += 1;
        let s = card.status(&A_CARD, "status").unwrap_or("following");
        *statuses.entry(s).or_default() += 1;
        if s == "lost" {
            let reason = text(card, "loss_reason");
            assert!(LossReason::parse(reason).is_some(), "{reason}");
            *reasons.entry(reason).or_default() += 1;
            assert!(
                !card.log("re_contacts").is_empty(),
                "lost without a re-contact"
            );
        }
    }
    for g in ["H", "A", "B", "C"] {
        assert!(grades.get(g).copied().unwrap_or(0) >= 10, "{grades:?}");
    }
    for s in [
        "following",
        "loss_proposed",
        "re_contacted",
        "lost",
        "ordered",
        "delivered",
    ] {
        assert!(statuses.contains_key(s), "no card is {s}: {statuses:?}");
    }
    assert!(reasons.len() >= 4, "loss reasons spread: {reasons:?}");

    // Orders: VINs pass the check digit; some moved, some cancelled with a reason.
    let mut moved = 0;
    let mut cancelled = 0;
    for o in &by_type["order"] {
        match o.status(&ORDER, "status") {
            Some("delivered") => {
                Vin::parse(text(o, "vin")).unwrap_or_else(|e| panic!("{}: {e:?}", text(o, "vin")));
            }
            Some("cancelled") => {
                cancelled += 1;
                assert!(!text(o, "cancel_reason").is_empty());
            }
            _ => {}
        }
        if !o.log("date_changes").is_empty() {
            moved += 1;
        }
    }
    assert!(
        moved >= 2 && cancelled >= 2,
        "moved {moved}, cancelled {cancelled}"
    );
    for c in &by_type["c_card"] {
        Vin::parse(text(c, "vin")).unwrap();
        phone::parse(text(c, "phone")).unwrap();
    }
    assert_eq!(count("care_task"), 2 * count("c_card"));

    // Visits: some are not counted (return visits, after-sales, other visitors).
    let parse_visit = |v: &RecordState| {
        let kind = match text(v, "visitor_kind") {
            "after_sales_customer" => VisitorKind::AfterSalesCustomer,
            "non_customer" => VisitorKind::NonCustomer,
            _ => VisitorKind::Prospect,
        };
        let had = v
            .value("had_card_or_order")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        count_rule(&VisitCountFacts {
            source: VisitSource::parse(text(v, "source")).unwrap(),
            visitor: kind,
            had_a_card_before: had,
            had_order_before: false,
        })
    };
    let mut rules: HashMap<&str, usize> = HashMap::new();
    for v in &by_type["visit"] {
        *rules.entry(parse_visit(v).as_str()).or_default() += 1;
        assert!(local(text(v, "time_out")) > local(text(v, "time_in")));
    }
    assert_eq!(rules.len(), 6, "every counting rule shows up: {rules:?}");

    // The KPIs of the last full month, from facts read off the records.
    let consultants: Vec<Uuid> = {
        let users = store.users_in_store("demo".into()).await.unwrap();
        users
            .iter()
            .filter(|u| u.roles.contains(&domain::Role::SalesConsultant))
            .map(|u| u.id)
            .collect()
    };
    assert_eq!(consultants.len(), 4);
    let visits: Vec<VisitFact> = by_type["visit"]
        .iter()
        .map(|v| VisitFact {
            id: v.id,
            consultant: uuid(v, "consultant_id"),
            date: local(text(v, "time_in")).date(),
            counted: parse_visit(v).counted(),
        })
        .collect();
    let orders_of: HashMap<Uuid, &RecordState> = by_type["order"]
        .iter()
        .map(|o| (uuid(o, "a_card_id"), *o))
        .collect();
    let cards: Vec<CardFact> = by_type["a_card"]
        .iter()
        .map(|c| {
            let status = c.status(&A_CARD, "status").unwrap_or("following");
            CardFact {
                id: c.id,
                consultant: uuid(c, "consultant_id"),
                built_on: local(text(c, "first_contact_at")).date(),
                lost_on: (status == "lost").then(|| status_day(c, "status")),
                ordered_on: matches!(status, "ordered" | "delivered")
                    .then(|| local(text(orders_of[&c.id], "signed_at")).date()),
            }
        })
        .collect();
    let test_drives: Vec<TestDriveFact> = by_type["test_drive"]
        .iter()
        .filter(|d| d.status(&TEST_DRIVE, "status") != Some("cancelled"))
        .map(|d| TestDriveFact {
            id: d.id,
            consultant: uuid(d, "consultant_id"),
            a_card: uuid(d, "a_card_id"),
            date: local(text(d, "started_at")).date(),
        })
        .collect();
    let orders: Vec<OrderFact> = by_type["order"]
        .iter()
        .map(|o| OrderFact {
            id: o.id,
            consultant: uuid(o, "consultant_id"),
            signed_on: local(text(o, "signed_at")).date(),
            cancelled_on: (o.status(&ORDER, "status") == Some("cancelled"))
                .then(|| status_day(o, "status")),
        })
        .collect();
    let deliveries: Vec<DeliveryFact> = by_type["order"]
        .iter()
        .filter(|o| o.status(&ORDER, "status") == Some("delivered"))
        .map(|o| DeliveryFact {
            id: o.id,
            consultant: uuid(o, "consultant_id"),
            delivered_on: local(text(o, "delivered_at")).date(),
        })
        .collect();
    let key_accounts: Vec<KeyAccountFact> = by_type["key_account"]
        .iter()
        .map(|k| {
            let created =
                DateTime::from_timestamp_millis(k.created.unwrap().wall_ms as i64).unwrap();
            KeyAccountFact {
                id: k.id,
                owner: uuid(k, "responsible_id"),
                listed_on: StoreClock::default().local(created).date(),
                first_purchase_on: (k.value("bought_here") == Some(&Value::Bool(true)))
                    .then(|| status_day(k, "bought_here")),
            }
        })
        .collect();
    let facts = SalesFacts {
        visits: &visits,
        cards: &cards,
        test_drives: &test_drives,
        orders: &orders,
        deliveries: &deliveries,
        key_accounts: &key_accounts,
        consultants: &consultants,
    };
    let today = StoreClock::default().local(now).date();
    let last_month = Period::month_of(today.with_day(1).unwrap() - Duration::days(1));
    let kpis = sales_kpis(&facts, last_month, Scope::Store);
    for kpi in SalesKpi::ALL {
        let f = kpis.get(kpi);
        assert!(f.value.is_some(), "{kpi:?} has no figure: {f:?}");
        if kpi.is_percentage() {
            let v = f.value.unwrap();
            assert!(v > 0.0 && v <= 100.0, "{kpi:?} = {v}");
        }
        eprintln!("{}: {}", kpi.name_zh(), f.display());
    }
    assert!(kpis.sales_efficiency.value.unwrap() >= 1.0);

    // Every op carries one of the demo devices, and the devices have names.
    let devices = store.devices_in_store("demo".into()).await.unwrap();
    assert_eq!(devices.len(), 5);
    let page = store
        .pull("demo".into(), 0, 1000, Reader::types(vec!["a_card".into()]))
        .await
        .unwrap();
    for pulled in page.ops {
        let op: domain::sync::Op = serde_json::from_str(pulled.op.get()).unwrap();
        assert!(
            devices
                .iter()
                .any(|d| d.id == op.device_id && !d.name.is_empty())
        );
        // Replaying an op is harmless (the merge is idempotent).
        let mut r = RecordState::for_op(&op);
        assert!(apply(&mut r, &op, &A_CARD).unwrap());
    }

    // A manager on a new device sees the history by sync.
    let token = t.token("salesmgr", Uuid::now_v7()).await;
    let r = t.get_auth("/api/sync/snapshot?limit=10", &token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], records.len());
    assert!(ms < 20_000, "demo history took {ms} ms");
}

#[tokio::test]
async fn demo_history_is_deterministic() {
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let (a, sa, _) = seeded(now).await;
    let (b, sb, _) = seeded(now).await;
    assert_eq!(sa, sb);
    let names = |rs: Vec<RecordState>| {
        let mut v: Vec<(String, String)> = rs
            .iter()
            .filter(|r| r.record_type == "a_card")
            .map(|r| (text(r, "name").to_owned(), text(r, "phone").to_owned()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(all_records(&a.store).await),
        names(all_records(&b.store).await)
    );
}
