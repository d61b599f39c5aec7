//! The customer base of the service figures (服务有偿整备掌握度, 活跃客户率, 固定客户率: the C-cards
//! of the cars sold by a period's last day, `super::kpi`), read by index rather than whole (issue
//! 14: a store imports tens of thousands of customers).
//!
//! The figures only count most C-cards (their id and delivery day decide whether a car was sold
//! by the period's end): those come from the `by_day` index's keys (`[c_card, day, name, id]`,
//! read with a key cursor, no record read: [`Entry`]). A C-card's vehicle matters only to match
//! a visit (a repair order or a past service) that names no C-card, by its VIN or plate, to the
//! first C-card in index order with that vehicle: [`vehicle_terms`] are the search terms
//! (`by_term`, `records::index::terms`) that find every C-card with such a VIN or plate, and
//! only those are read whole. [`customer_base`] puts both together; the figures are those of
//! every C-card (the test below counts both).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::kpi::{CustomerFact, ServiceFacts};
use crate::records::index::{keys, normalise_term, plate_term};
use crate::sync::RecordState;
use crate::time::StoreClock;

/// A C-card's entry in `by_day`: its id and its delivery day (`None`: no date).
pub type Entry = (Uuid, Option<NaiveDate>);

/// The delivery day of a `by_day` key's `day` (`YYYY-MM-DD`; `None` for `records::index::NO_DAY`).
pub fn entry_day(day: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The search terms that find every C-card a visit naming no C-card may be matched to: the VIN
/// and the plate of each repair order and past service without a `c_card_id`, as terms
/// (`records::index::normalise_term` and `plate_term`, the forms a C-card's VIN and plate are indexed in), sorted,
/// each once.
pub fn vehicle_terms(facts: &ServiceFacts<'_>) -> Vec<String> {
    let ros = facts
        .ros
        .iter()
        .filter(|r| r.c_card_id.is_none())
        .map(|r| (r.vin.as_deref(), r.plate.as_deref()));
    let past = facts
        .past
        .iter()
        .filter(|p| p.c_card_id.is_none())
        .map(|p| (p.vehicle_vin.as_deref(), p.plate.as_deref()));
    let mut out = BTreeSet::new();
    for (vin, plate) in ros.chain(past) {
        // As `by_term` stores them: the VIN whole, the plate without its province character
        // (`index::plate_term`; another province's same plate is read too, and matched by the
        // whole plate in `customer_base`).
        let terms = [vin.map(normalise_term), plate.map(plate_term)];
        for term in terms.into_iter().flatten() {
            if !term.is_empty() {
                out.insert(term);
            }
        }
    }
    out.into_iter().collect()
}

/// The customer base of the figures: `cards` (the C-cards read whole, those [`vehicle_terms`]
/// found) in the order of the `by_day` index (day, name, id: a vehicle is matched to the first
/// card with it), then every other C-card of `entries` as a customer without a vehicle.
pub fn customer_base(
    cards: &[RecordState],
    entries: &[Entry],
    clock: StoreClock,
) -> Vec<CustomerFact> {
    let mut read: Vec<(String, String, Uuid, CustomerFact)> = cards
        .iter()
        .filter(|c| c.record_type == "c_card" && !c.is_deleted())
        .map(|c| {
            let k = keys(c, clock);
            (
                k.day.unwrap_or_default(),
                k.name,
                c.id,
                CustomerFact::of(c, clock),
            )
        })
        .collect();
    read.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    read.dedup_by_key(|r| r.2);
    let held: BTreeSet<Uuid> = read.iter().map(|r| r.2).collect();
    let mut out: Vec<CustomerFact> = read.into_iter().map(|r| r.3).collect();
    out.extend(
        entries
            .iter()
            .filter(|(id, _)| !held.contains(id))
            .map(|(id, delivered_on)| CustomerFact {
                id: *id,
                vin: None,
                plate: None,
                delivered_on: *delivered_on,
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::C_CARD;
    use crate::records::index::terms;
    use crate::service::kpi::{
        PastService, PastServiceKind, Period, RoFact, ServiceKpi, ServiceScope, service_kpis,
    };
    use crate::sync::{Edit, Hlc, Op, apply};
    use chrono::TimeDelta;
    use serde_json::json;

    const C: StoreClock = StoreClock::CHINA;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn c_card(
        n: u128,
        delivered: Option<NaiveDate>,
        vin: Option<&str>,
        plate: Option<&str>,
    ) -> RecordState {
        let mut r = RecordState::new(Uuid::from_u128(n), "c_card", "demo");
        let mut pairs = vec![("name", json!(format!("客户{}", n % 7)))];
        if let Some(day) = delivered {
            pairs.push(("delivery_date", json!(day.format("%Y-%m-%d").to_string())));
        }
        if let Some(v) = vin {
            pairs.push(("vin", json!(v)));
        }
        if let Some(p) = plate {
            pairs.push(("plate", json!(p)));
        }
        let changes = {
            let e = Edit::new(&r, &C_CARD);
            pairs
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).unwrap())
                .collect()
        };
        let op = Op {
            op_id: Uuid::from_u128(n << 8),
            device_id: Uuid::from_u128(1),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id: r.id,
            record_type: "c_card".into(),
            hlc: Hlc::new(1_700_000_000_000, 0),
            changes,
        };
        apply(&mut r, &op, &C_CARD).unwrap();
        r
    }

    fn vin(n: u64) -> String {
        format!("LSGKB54H1MA{n:06}")
    }

    fn plate(n: u64) -> String {
        format!("京A{n:05}")
    }

    use crate::dice::Dice;

    /// C-cards (some without a delivery day, some delivered after the periods, some sharing a
    /// car, some without a VIN) and the year's visits: repair orders and past services, many
    /// naming no C-card (history imported before the customers), typed as people type (spaces,
    /// lower case), some of cars no C-card has.
    fn store() -> (Vec<RecordState>, Vec<RoFact>, Vec<PastService>) {
        let mut dice = Dice(7);
        let mut cards = Vec::new();
        for n in 0..120_u64 {
            let delivered = match dice.roll(5) {
                0 => None,
                _ => Some(d(1, 1) - TimeDelta::days(400) + TimeDelta::days(dice.roll(740) as i64)),
            };
            // Every tenth car was sold twice (a second card with the same car).
            let car = if n % 10 == 9 { n - 1 } else { n };
            let v = (dice.roll(6) > 0).then(|| vin(car));
            let p = (dice.roll(3) > 0).then(|| plate(car));
            cards.push(c_card(
                0x100 + u128::from(n),
                delivered,
                v.as_deref(),
                p.as_deref(),
            ));
        }
        let mut ros = Vec::new();
        let mut past = Vec::new();
        for n in 0..260_u64 {
            let car = dice.roll(150);
            let known = car < 120;
            let card =
                (known && dice.roll(2) == 0).then(|| Uuid::from_u128(0x100 + u128::from(car)));
            let typed_vin = match dice.roll(3) {
                0 => None,
                1 => Some(vin(car).to_lowercase()),
                _ => Some(format!(" {} ", vin(car))),
            };
            let typed_plate = (dice.roll(2) == 0).then(|| plate(car).replace('A', "a "));
            let on = d(1, 1) + TimeDelta::days(dice.roll(365) as i64);
            if n % 2 == 0 {
                ros.push(RoFact {
                    id: Uuid::from_u128(0x10_000 + u128::from(n)),
                    advisor: Some("li".into()),
                    c_card_id: card,
                    vin: typed_vin,
                    plate: typed_plate,
                    by_appointment: false,
                    received_on: Some(on),
                    promised_at: None,
                    handed_over_at: None,
                    cancelled: dice.roll(10) == 0,
                    comeback: false,
                    customer_paid: true,
                });
            } else {
                past.push(PastService {
                    id: Uuid::from_u128(0x20_000 + u128::from(n)),
                    c_card_id: card,
                    vehicle_vin: typed_vin,
                    plate: typed_plate,
                    date: on,
                    odometer_km: None,
                    kind: PastServiceKind::Maintenance,
                    amount_fen: Some(50_000),
                    advisor: None,
                });
            }
        }
        // In the order of `by_day`, as a page of it reads every C-card.
        cards.sort_by_key(|c| {
            let k = keys(c, C);
            (k.day, k.name, c.id)
        });
        (cards, ros, past)
    }

    fn figures(facts: &ServiceFacts<'_>) -> Vec<crate::service::kpi::ServiceKpis> {
        (1..=12)
            .map(|m| service_kpis(facts, Period::month(2026, m).unwrap(), &ServiceScope::Store))
            .collect()
    }

    #[test]
    fn the_figures_from_the_index_entries_and_the_cards_found_are_those_from_every_card() {
        let (cards, ros, past) = store();
        let every: Vec<CustomerFact> = cards.iter().map(|c| CustomerFact::of(c, C)).collect();
        let all = ServiceFacts {
            ros: &ros,
            past: &past,
            customers: &every,
            ..ServiceFacts::default()
        };
        let wanted = vehicle_terms(&all);
        // What an exact read of each term in `by_term` finds.
        let found: Vec<RecordState> = cards
            .iter()
            .rev()
            .filter(|c| terms(c).iter().any(|t| wanted.binary_search(t).is_ok()))
            .cloned()
            .collect();
        let entries: Vec<Entry> = cards
            .iter()
            .map(|c| (c.id, keys(c, C).day.as_deref().and_then(entry_day)))
            .collect();
        let base = customer_base(&found, &entries, C);
        let read = ServiceFacts {
            customers: &base,
            ..all
        };
        assert!(
            found.len() < cards.len() && !found.is_empty(),
            "{}",
            found.len()
        );
        assert_eq!(figures(&read), figures(&all));
        // The figures count customers of every kind (sold, active, fixed, vehicles with no card).
        let dec = service_kpis(&all, Period::month(2026, 12).unwrap(), &ServiceScope::Store);
        let fixed = dec.get(ServiceKpi::FixedCustomerRate).unwrap();
        assert!(fixed.num > 0 && fixed.den > fixed.num, "{fixed:?}");
        // Without the cards found, visits naming only a car would not find their customer.
        let bare = customer_base(&[], &entries, C);
        let without = ServiceFacts {
            customers: &bare,
            ..all
        };
        assert_ne!(figures(&without), figures(&all));
    }

    #[test]
    fn a_card_without_a_delivery_day_is_an_entry_without_one() {
        assert_eq!(entry_day("2026-03-05"), Some(d(3, 5)));
        assert_eq!(entry_day(crate::records::index::NO_DAY), None);
        let card = c_card(1, None, Some("lsgkb54h1ma000001"), None);
        assert_eq!(
            keys(&card, C).day.as_deref(),
            Some(crate::records::index::NO_DAY)
        );
        // A card read whole is not counted again from its entry.
        let base = customer_base(
            std::slice::from_ref(&card),
            &[(card.id, None), (Uuid::from_u128(2), Some(d(1, 1)))],
            C,
        );
        assert_eq!(base.len(), 2);
        assert_eq!(base[0].vin.as_deref(), Some("lsgkb54h1ma000001"));
        assert_eq!(base[1].vin, None);
    }

    #[test]
    fn the_terms_are_the_vehicles_of_the_visits_without_a_card() {
        let ro = |card: Option<Uuid>, vin: &str, plate: &str| RoFact {
            id: Uuid::from_u128(9),
            advisor: None,
            c_card_id: card,
            vin: Some(vin.into()),
            plate: Some(plate.into()),
            by_appointment: false,
            received_on: Some(d(3, 1)),
            promised_at: None,
            handed_over_at: None,
            cancelled: false,
            comeback: false,
            customer_paid: true,
        };
        let ros = [
            ro(None, "lsgkb54h1ma 123456", "京a·12345"),
            ro(Some(Uuid::from_u128(3)), "LSGKB54H1MA999999", "京B99999"),
        ];
        let facts = ServiceFacts {
            ros: &ros,
            ..ServiceFacts::default()
        };
        assert_eq!(vehicle_terms(&facts), vec!["A12345", "LSGKB54H1MA123456"]);
    }
}
