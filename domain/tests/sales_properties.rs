//! Properties of the sales rules over many generated inputs.

use chrono::NaiveDate;
use domain::sales::duplicate::{CardContact, find_duplicates};
use domain::sales::kpi::{CardFact, Period, SalesFacts, Scope, VisitFact, sales_kpis};
use domain::sales::phone::{normalise, parse};
use proptest::prelude::*;
use uuid::Uuid;

proptest! {
    /// Any mobile number, written with any of the usual prefixes and separators, normalises to its
    /// 11 digits, and the canonical form normalises to itself.
    #[test]
    fn mobile_spellings_normalise_to_the_digits(
        second in 3u8..=9,
        rest in "[0-9]{9}",
        prefix in prop::sample::select(vec!["", "+86 ", "+86", "86", "0086 ", "0"]),
        sep in prop::sample::select(vec!["", " ", "-"]),
    ) {
        let digits = format!("1{second}{rest}");
        let typed = format!("{prefix}{}{sep}{}{sep}{}", &digits[..3], &digits[3..7], &digits[7..]);
        let canon = normalise(&typed).unwrap();
        prop_assert_eq!(&canon, &digits);
        prop_assert_eq!(normalise(&canon).unwrap(), canon);
    }

    /// Landlines: the canonical form is stable under re-parsing.
    #[test]
    fn landline_canonical_is_stable(
        area in prop::sample::select(vec!["010", "020", "021", "0571", "0755", "0311"]),
        first in 2u8..=9,
        rest in "[0-9]{6,7}",
        ext in prop::option::of("[0-9]{1,6}"),
    ) {
        let typed = match &ext {
            Some(e) => format!("{area}-{first}{rest} 转 {e}"),
            None => format!("({area}) {first}{rest}"),
        };
        let p = parse(&typed).unwrap();
        let canon = p.canonical();
        prop_assert_eq!(parse(&canon).unwrap(), p);
    }

    /// Duplicate detection does not depend on the order the cards arrive in.
    #[test]
    fn duplicates_are_order_independent(
        cards in prop::collection::vec((0u8..4, 0u32..5, 0u8..3), 0..12),
        seed in any::<u64>(),
    ) {
        let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let list: Vec<CardContact> = cards
            .iter()
            .enumerate()
            .map(|(i, (phone, hour, who))| CardContact {
                id: Uuid::from_u128(i as u128 + 1),
                phone: format!("1380000000{phone}"),
                consultant: Uuid::from_u128(u128::from(*who) + 100),
                device: Uuid::from_u128(u128::from(*who) + 200),
                first_contact: base + chrono::TimeDelta::hours(i64::from(*hour)),
            })
            .collect();
        let mut shuffled = list.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed as usize).wrapping_mul(i + 7) % n.max(1);
            shuffled.swap(i, j);
        }
        let a = find_duplicates(&list);
        let b = find_duplicates(&shuffled);
        prop_assert_eq!(&a, &b);
        for g in &a {
            let owner = &g.cards[0];
            prop_assert_eq!(owner.id, g.owner);
            for c in &g.cards {
                prop_assert!((owner.first_contact, owner.id) <= (c.first_contact, c.id));
            }
        }
    }

    /// Rates stay within 0–100 % when the numerator is a subset of the denominator, and a store's
    /// counts are the sum of its consultants' counts.
    #[test]
    fn store_is_the_sum_of_its_consultants(
        visits in prop::collection::vec((0u8..3, 1u32..=28, any::<bool>()), 0..20),
        cards in prop::collection::vec((0u8..3, 1u32..=28, prop::option::of(1u32..=28)), 0..20),
    ) {
        let d = |day| NaiveDate::from_ymd_opt(2026, 2, day).unwrap();
        let who = |n: &u8| Uuid::from_u128(u128::from(*n) + 100);
        let visits: Vec<VisitFact> = visits.iter().enumerate().map(|(i, (c, day, counted))| VisitFact {
            id: Uuid::from_u128(i as u128 + 1), consultant: who(c), date: d(*day), counted: *counted,
        }).collect();
        let cards: Vec<CardFact> = cards.iter().enumerate().map(|(i, (c, day, lost))| CardFact {
            id: Uuid::from_u128(i as u128 + 1000), consultant: who(c), built_on: d(*day),
            lost_on: lost.filter(|l| l >= day).map(d), ordered_on: None,
        }).collect();
        let consultants: Vec<Uuid> = (0u8..3).map(|n| who(&n)).collect();
        let facts = SalesFacts { visits: &visits, cards: &cards, consultants: &consultants, ..SalesFacts::default() };
        let feb = Period::month(2026, 2).unwrap();
        let store = sales_kpis(&facts, feb, Scope::Store);
        let mut built = 0;
        let mut groups = 0;
        for c in &consultants {
            let k = sales_kpis(&facts, feb, Scope::Consultant(*c));
            built += k.card_building_rate.numerator.len();
            groups += k.card_building_rate.denominator.len();
            if let Some(v) = k.a_card_loss_rate.value {
                prop_assert!((0.0..=100.0).contains(&v));
            }
        }
        prop_assert_eq!(built, store.card_building_rate.numerator.len());
        prop_assert_eq!(groups, store.card_building_rate.denominator.len());
        match store.a_card_loss_rate.value {
            Some(v) => prop_assert!((0.0..=100.0).contains(&v)),
            None => prop_assert!(cards.is_empty()),
        }
    }
}
