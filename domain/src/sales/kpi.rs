//! The sales KPIs of shared/domain.md [mgmt, seed 001], computed from plain facts for one
//! [`Period`] (a local day or a calendar month), for the store or for one consultant.
//!
//! Each [`Figure`] carries the ids of the records in its numerator and its denominator, so a screen
//! can open exactly what was counted, and a zero denominator gives no figure (`None`) — never 0 % and
//! never NaN.
//!
//! ## What counts in a period (all dates are the store's local calendar dates)
//! - **Visit groups** (来店组数): visits whose *time in* falls in the period and whose counting rule
//!   counted them ([`super::visit::count_rule`]).
//! - **A-cards built** (建卡数): cards whose *building date* falls in the period.
//! - **Orders** (订单数): orders *signed* in the period, except those cancelled (退单) on or before the
//!   period's last day. An order signed on 31 March and cancelled on 2 April counts for March (and
//!   the cancellation shows in April's cancellations); signed and cancelled within March, it does not.
//! - **Test-drive groups** (试乘试驾组数): the distinct (A-card, day) pairs with a test drive in the
//!   period — a customer who tries two cars on one visit is one group. The numerator ids are the
//!   first test drive of each group (earliest start, then smallest id).
//! - **Cars sold** (销售台数): deliveries (交车) in the period.
//! - **Consultants** (销售顾问人数): the consultant ids the caller lists as the sales team of the period.
//! - **A-card loss rate** (A卡流失率): the denominator is every A-card *held* in the period — built on
//!   or before its last day and not already closed (lost or ordered) before its first day; the
//!   numerator is those of them confirmed lost in the period. So the figure stays within 0–100 %.
//! - **Key-account coverage** (大客户掌握率): a snapshot at the end of the period — key accounts on the
//!   list by the period's last day; the numerator is those that had bought here by that day.
//!
//! For one consultant every fact is filtered by its consultant (a key account by its owner), and the
//! sales-efficiency denominator is that consultant alone.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A reporting period: one local day or one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    Day { date: NaiveDate },
    Month { year: i32, month: u32 },
}

impl Period {
    pub fn day(date: NaiveDate) -> Period {
        Period::Day { date }
    }

    /// A calendar month; `None` unless `month` is 1–12.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Period::Month { year, month })
    }

    /// The month a date falls in.
    pub fn month_of(date: NaiveDate) -> Period {
        Period::Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        match *self {
            Period::Day { date } => date,
            Period::Month { year, month } => {
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
            }
        }
    }

    /// The last day, inclusive.
    pub fn last_day(&self) -> NaiveDate {
        match *self {
            Period::Day { date } => date,
            Period::Month { year, month } => {
                let (y, m) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(NaiveDate::MAX)
            }
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }
}

/// A showroom visit, as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitFact {
    pub id: Uuid,
    pub consultant: Uuid,
    /// Local date of the time in.
    pub date: NaiveDate,
    /// Counted as a visit group (`count_rule(..).counted()`).
    pub counted: bool,
}

/// An A-card, as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFact {
    pub id: Uuid,
    pub consultant: Uuid,
    pub built_on: NaiveDate,
    /// The day the loss was confirmed, if the card is lost.
    pub lost_on: Option<NaiveDate>,
    /// The day the card turned into an order, if it did (and the order still stands).
    pub ordered_on: Option<NaiveDate>,
}

impl CardFact {
    fn closed_on(&self) -> Option<NaiveDate> {
        match (self.lost_on, self.ordered_on) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// A test drive, as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestDriveFact {
    pub id: Uuid,
    pub consultant: Uuid,
    pub a_card: Uuid,
    /// Local date of the start.
    pub date: NaiveDate,
}

/// An order, as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFact {
    pub id: Uuid,
    pub consultant: Uuid,
    pub signed_on: NaiveDate,
    pub cancelled_on: Option<NaiveDate>,
}

/// A delivery (a car sold), as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFact {
    pub id: Uuid,
    pub consultant: Uuid,
    pub delivered_on: NaiveDate,
}

/// A key account (大客户) of the territory, as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAccountFact {
    pub id: Uuid,
    /// The consultant who looks after the account.
    pub owner: Uuid,
    /// When the account was put on the store's list.
    pub listed_on: NaiveDate,
    /// The first purchase here, if any.
    pub first_purchase_on: Option<NaiveDate>,
}

/// Everything the sales KPIs are computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct SalesFacts<'a> {
    pub visits: &'a [VisitFact],
    pub cards: &'a [CardFact],
    pub test_drives: &'a [TestDriveFact],
    pub orders: &'a [OrderFact],
    pub deliveries: &'a [DeliveryFact],
    pub key_accounts: &'a [KeyAccountFact],
    /// The sales consultants of the period (销售顾问).
    pub consultants: &'a [Uuid],
}

/// The seven sales KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesKpi {
    /// 建卡率 = A-cards built ÷ visit groups × 100 %
    CardBuildingRate,
    /// A卡成交率 = orders ÷ A-cards built × 100 %
    ACardCloseRate,
    /// 试乘试驾率 = test-drive groups ÷ A-cards built × 100 %
    TestDriveRate,
    /// 来店成交率 = orders ÷ visit groups × 100 %
    ShowroomCloseRate,
    /// 销售效率 = cars sold ÷ consultants (cars per consultant, not a percentage)
    SalesEfficiency,
    /// A卡流失率 = lost A-cards ÷ A-cards held × 100 %
    ACardLossRate,
    /// 大客户掌握率 = key accounts that bought here ÷ key accounts × 100 %
    KeyAccountCoverage,
}

impl SalesKpi {
    pub const ALL: [SalesKpi; 7] = [
        SalesKpi::CardBuildingRate,
        SalesKpi::ACardCloseRate,
        SalesKpi::TestDriveRate,
        SalesKpi::ShowroomCloseRate,
        SalesKpi::SalesEfficiency,
        SalesKpi::ACardLossRate,
        SalesKpi::KeyAccountCoverage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SalesKpi::CardBuildingRate => "card_building_rate",
            SalesKpi::ACardCloseRate => "a_card_close_rate",
            SalesKpi::TestDriveRate => "test_drive_rate",
            SalesKpi::ShowroomCloseRate => "showroom_close_rate",
            SalesKpi::SalesEfficiency => "sales_efficiency",
            SalesKpi::ACardLossRate => "a_card_loss_rate",
            SalesKpi::KeyAccountCoverage => "key_account_coverage",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SalesKpi::CardBuildingRate => "建卡率",
            SalesKpi::ACardCloseRate => "A卡成交率",
            SalesKpi::TestDriveRate => "试乘试驾率",
            SalesKpi::ShowroomCloseRate => "来店成交率",
            SalesKpi::SalesEfficiency => "销售效率",
            SalesKpi::ACardLossRate => "A卡流失率",
            SalesKpi::KeyAccountCoverage => "大客户掌握率",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            SalesKpi::CardBuildingRate => "Card-building rate",
            SalesKpi::ACardCloseRate => "A-card close rate",
            SalesKpi::TestDriveRate => "Test-drive rate",
            SalesKpi::ShowroomCloseRate => "Showroom close rate",
            SalesKpi::SalesEfficiency => "Sales efficiency",
            SalesKpi::ACardLossRate => "A-card loss rate",
            SalesKpi::KeyAccountCoverage => "Key-account coverage",
        }
    }

    /// A percentage, or (sales efficiency) cars per consultant.
    pub fn is_percentage(self) -> bool {
        self != SalesKpi::SalesEfficiency
    }
}

/// One KPI figure with the records it counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub kpi: SalesKpi,
    /// Ids of the records in the numerator, sorted.
    pub numerator: Vec<Uuid>,
    /// Ids of the records in the denominator, sorted (consultant ids for sales efficiency).
    pub denominator: Vec<Uuid>,
    /// numerator ÷ denominator (× 100 for a percentage); `None` when the denominator is empty.
    pub value: Option<f64>,
}

impl Figure {
    fn new(kpi: SalesKpi, mut numerator: Vec<Uuid>, mut denominator: Vec<Uuid>) -> Figure {
        numerator.sort();
        numerator.dedup();
        denominator.sort();
        denominator.dedup();
        let value = if denominator.is_empty() {
            None
        } else {
            let ratio = numerator.len() as f64 / denominator.len() as f64;
            Some(if kpi.is_percentage() {
                ratio * 100.0
            } else {
                ratio
            })
        };
        Figure {
            kpi,
            numerator,
            denominator,
            value,
        }
    }

    /// The figure as shown on screen: `66.7%`, `1.50` (cars per consultant) or `—` for no figure.
    pub fn display(&self) -> String {
        match self.value {
            None => "—".into(),
            Some(v) if self.kpi.is_percentage() => format!("{v:.1}%"),
            Some(v) => format!("{v:.2}"),
        }
    }
}

/// Whose figures: the whole store or one consultant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Store,
    Consultant(Uuid),
}

impl Scope {
    fn includes(self, consultant: Uuid) -> bool {
        match self {
            Scope::Store => true,
            Scope::Consultant(c) => c == consultant,
        }
    }
}

/// The seven figures of one scope and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesKpis {
    pub period: Period,
    pub scope: Scope,
    pub card_building_rate: Figure,
    pub a_card_close_rate: Figure,
    pub test_drive_rate: Figure,
    pub showroom_close_rate: Figure,
    pub sales_efficiency: Figure,
    pub a_card_loss_rate: Figure,
    pub key_account_coverage: Figure,
}

impl SalesKpis {
    /// The figures in [`SalesKpi::ALL`] order.
    pub fn figures(&self) -> [&Figure; 7] {
        [
            &self.card_building_rate,
            &self.a_card_close_rate,
            &self.test_drive_rate,
            &self.showroom_close_rate,
            &self.sales_efficiency,
            &self.a_card_loss_rate,
            &self.key_account_coverage,
        ]
    }

    pub fn get(&self, kpi: SalesKpi) -> &Figure {
        self.figures()[SalesKpi::ALL.iter().position(|k| *k == kpi).unwrap_or(0)]
    }
}

/// Compute the sales KPIs of a scope for a period.
pub fn sales_kpis(facts: &SalesFacts<'_>, period: Period, scope: Scope) -> SalesKpis {
    let (first, last) = (period.first_day(), period.last_day());

    let visit_groups: Vec<Uuid> = facts
        .visits
        .iter()
        .filter(|v| v.counted && scope.includes(v.consultant) && period.contains(v.date))
        .map(|v| v.id)
        .collect();

    let cards_built: Vec<Uuid> = facts
        .cards
        .iter()
        .filter(|c| scope.includes(c.consultant) && period.contains(c.built_on))
        .map(|c| c.id)
        .collect();

    let orders: Vec<Uuid> = facts
        .orders
        .iter()
        .filter(|o| {
            scope.includes(o.consultant)
                && period.contains(o.signed_on)
                && o.cancelled_on.is_none_or(|c| c > last)
        })
        .map(|o| o.id)
        .collect();

    // One group per (A-card, day); its representative is the first test drive.
    let mut groups: BTreeMap<(Uuid, NaiveDate), Uuid> = BTreeMap::new();
    for t in facts
        .test_drives
        .iter()
        .filter(|t| scope.includes(t.consultant) && period.contains(t.date))
    {
        groups
            .entry((t.a_card, t.date))
            .and_modify(|first| *first = (*first).min(t.id))
            .or_insert(t.id);
    }
    let test_drive_groups: Vec<Uuid> = groups.into_values().collect();

    let cars_sold: Vec<Uuid> = facts
        .deliveries
        .iter()
        .filter(|d| scope.includes(d.consultant) && period.contains(d.delivered_on))
        .map(|d| d.id)
        .collect();
    let consultants: Vec<Uuid> = match scope {
        Scope::Store => facts.consultants.to_vec(),
        Scope::Consultant(c) => vec![c],
    };

    let held: Vec<&CardFact> = facts
        .cards
        .iter()
        .filter(|c| {
            scope.includes(c.consultant)
                && c.built_on <= last
                && c.closed_on().is_none_or(|closed| closed >= first)
        })
        .collect();
    let lost: Vec<Uuid> = held
        .iter()
        .filter(|c| c.lost_on.is_some_and(|d| period.contains(d)))
        .map(|c| c.id)
        .collect();
    let held: Vec<Uuid> = held.iter().map(|c| c.id).collect();

    let listed: Vec<&KeyAccountFact> = facts
        .key_accounts
        .iter()
        .filter(|k| scope.includes(k.owner) && k.listed_on <= last)
        .collect();
    let bought: Vec<Uuid> = listed
        .iter()
        .filter(|k| k.first_purchase_on.is_some_and(|d| d <= last))
        .map(|k| k.id)
        .collect();
    let listed: Vec<Uuid> = listed.iter().map(|k| k.id).collect();

    SalesKpis {
        period,
        scope,
        card_building_rate: Figure::new(
            SalesKpi::CardBuildingRate,
            cards_built.clone(),
            visit_groups.clone(),
        ),
        a_card_close_rate: Figure::new(
            SalesKpi::ACardCloseRate,
            orders.clone(),
            cards_built.clone(),
        ),
        test_drive_rate: Figure::new(SalesKpi::TestDriveRate, test_drive_groups, cards_built),
        showroom_close_rate: Figure::new(SalesKpi::ShowroomCloseRate, orders, visit_groups),
        sales_efficiency: Figure::new(SalesKpi::SalesEfficiency, cars_sold, consultants),
        a_card_loss_rate: Figure::new(SalesKpi::ACardLossRate, lost, held),
        key_account_coverage: Figure::new(SalesKpi::KeyAccountCoverage, bought, listed),
    }
}

/// The KPIs of every consultant of `facts.consultants`, in that order.
pub fn sales_kpis_by_consultant(facts: &SalesFacts<'_>, period: Period) -> Vec<SalesKpis> {
    facts
        .consultants
        .iter()
        .map(|c| sales_kpis(facts, period, Scope::Consultant(*c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::StoreClock;
    use chrono::{TimeZone, Utc};

    const WANG: Uuid = Uuid::from_u128(0xA1);
    const LI: Uuid = Uuid::from_u128(0xA2);
    const ZHAO: Uuid = Uuid::from_u128(0xA3);

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }
    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    fn ids(ns: &[u128]) -> Vec<Uuid> {
        ns.iter().map(|n| id(*n)).collect()
    }

    // Id ranges: visits 1xx, cards 2xx, test drives 3xx, orders 4xx, deliveries 5xx, key accounts 6xx.
    struct World {
        visits: Vec<VisitFact>,
        cards: Vec<CardFact>,
        test_drives: Vec<TestDriveFact>,
        orders: Vec<OrderFact>,
        deliveries: Vec<DeliveryFact>,
        key_accounts: Vec<KeyAccountFact>,
        consultants: Vec<Uuid>,
    }

    impl World {
        fn facts(&self) -> SalesFacts<'_> {
            SalesFacts {
                visits: &self.visits,
                cards: &self.cards,
                test_drives: &self.test_drives,
                orders: &self.orders,
                deliveries: &self.deliveries,
                key_accounts: &self.key_accounts,
                consultants: &self.consultants,
            }
        }
    }

    /// March 2026 at a store with two consultants, 王 and 李, plus facts just outside March.
    fn march() -> World {
        let visit = |n, consultant, date, counted| VisitFact {
            id: id(n),
            consultant,
            date,
            counted,
        };
        let card = |n, consultant, built_on, lost_on, ordered_on| CardFact {
            id: id(n),
            consultant,
            built_on,
            lost_on,
            ordered_on,
        };
        let td = |n, consultant, a_card, date| TestDriveFact {
            id: id(n),
            consultant,
            a_card: id(a_card),
            date,
        };
        let order = |n, consultant, signed_on, cancelled_on| OrderFact {
            id: id(n),
            consultant,
            signed_on,
            cancelled_on,
        };
        let delivery = |n, consultant, delivered_on| DeliveryFact {
            id: id(n),
            consultant,
            delivered_on,
        };
        let ka = |n, owner, listed_on, first_purchase_on| KeyAccountFact {
            id: id(n),
            owner,
            listed_on,
            first_purchase_on,
        };
        World {
            visits: vec![
                visit(101, WANG, d(3, 2), true),
                visit(102, WANG, d(3, 5), true),
                visit(103, WANG, d(3, 5), false), // return visit: not a group
                visit(104, LI, d(3, 10), true),
                visit(105, LI, d(3, 31), true),
                visit(106, WANG, d(2, 28), true), // February
                visit(107, LI, d(4, 1), true),    // April
            ],
            cards: vec![
                card(201, WANG, d(3, 2), None, Some(d(3, 20))),
                card(202, WANG, d(3, 5), None, None),
                card(203, LI, d(3, 31), None, None),
                card(204, LI, d(2, 20), Some(d(3, 15)), None), // built Feb, lost in March
                card(205, WANG, d(1, 10), None, Some(d(2, 5))), // closed before March
                card(206, LI, d(4, 1), None, None),            // April
            ],
            test_drives: vec![
                td(301, WANG, 201, d(3, 2)),
                td(302, WANG, 201, d(3, 2)), // second car, same visit: same group
                td(304, LI, 203, d(3, 31)),
                td(305, LI, 204, d(2, 21)), // February
            ],
            orders: vec![
                order(401, WANG, d(3, 20), None),
                order(402, LI, d(3, 31), Some(d(4, 2))), // cancelled after March: counts
                order(403, WANG, d(3, 25), Some(d(3, 28))), // cancelled within March: not
                order(404, LI, d(4, 1), None),           // April
                order(405, WANG, d(2, 5), None),         // February
            ],
            deliveries: vec![
                delivery(501, WANG, d(3, 28)),
                delivery(502, WANG, d(3, 3)),
                delivery(503, LI, d(4, 1)),
            ],
            key_accounts: vec![
                ka(601, WANG, d(1, 1), Some(d(3, 12))),
                ka(602, WANG, d(1, 1), None),
                ka(603, LI, d(2, 1), Some(d(4, 5))), // bought after March
                ka(604, LI, d(4, 1), None),          // listed after March
            ],
            consultants: vec![WANG, LI],
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn store_figures_for_march() {
        let w = march();
        let k = sales_kpis(&w.facts(), Period::month(2026, 3).unwrap(), Scope::Store);

        // 建卡率: cards 201, 202, 203 ÷ groups 101, 102, 104, 105 = 75 %.
        assert_eq!(k.card_building_rate.numerator, ids(&[201, 202, 203]));
        assert_eq!(k.card_building_rate.denominator, ids(&[101, 102, 104, 105]));
        assert!(close(k.card_building_rate.value, 75.0));
        assert_eq!(k.card_building_rate.display(), "75.0%");

        // A卡成交率: orders 401, 402 ÷ cards 201–203 = 66.7 %.
        assert_eq!(k.a_card_close_rate.numerator, ids(&[401, 402]));
        assert_eq!(k.a_card_close_rate.denominator, ids(&[201, 202, 203]));
        assert!(close(k.a_card_close_rate.value, 200.0 / 3.0));
        assert_eq!(k.a_card_close_rate.display(), "66.7%");

        // 试乘试驾率: groups (201, 2 Mar) → 301 and (203, 31 Mar) → 304, ÷ 3 cards.
        assert_eq!(k.test_drive_rate.numerator, ids(&[301, 304]));
        assert!(close(k.test_drive_rate.value, 200.0 / 3.0));

        // 来店成交率: 2 orders ÷ 4 groups = 50 %.
        assert!(close(k.showroom_close_rate.value, 50.0));
        assert_eq!(
            k.showroom_close_rate.denominator,
            ids(&[101, 102, 104, 105])
        );

        // 销售效率: deliveries 501, 502 ÷ 2 consultants = 1.00 car each.
        assert_eq!(k.sales_efficiency.numerator, ids(&[501, 502]));
        assert_eq!(k.sales_efficiency.denominator, vec![WANG, LI]);
        assert!(close(k.sales_efficiency.value, 1.0));
        assert_eq!(k.sales_efficiency.display(), "1.00");

        // A卡流失率: held 201, 202, 203, 204 (205 closed in Feb, 206 built in April); lost 204.
        assert_eq!(k.a_card_loss_rate.denominator, ids(&[201, 202, 203, 204]));
        assert_eq!(k.a_card_loss_rate.numerator, ids(&[204]));
        assert!(close(k.a_card_loss_rate.value, 25.0));

        // 大客户掌握率: listed 601–603 by 31 Mar; bought by then 601.
        assert_eq!(k.key_account_coverage.denominator, ids(&[601, 602, 603]));
        assert_eq!(k.key_account_coverage.numerator, ids(&[601]));
        assert_eq!(k.key_account_coverage.display(), "33.3%");
    }

    #[test]
    fn per_consultant_figures_for_march() {
        let w = march();
        let march = Period::month(2026, 3).unwrap();
        let all = sales_kpis_by_consultant(&w.facts(), march);
        assert_eq!(all.len(), 2);
        let (wang, li) = (&all[0], &all[1]);
        assert_eq!(wang.scope, Scope::Consultant(WANG));

        assert!(close(wang.card_building_rate.value, 100.0)); // 201, 202 ÷ 101, 102
        assert!(close(li.card_building_rate.value, 50.0)); // 203 ÷ 104, 105
        assert!(close(wang.a_card_close_rate.value, 50.0)); // 401 ÷ 201, 202
        assert!(close(li.a_card_close_rate.value, 100.0)); // 402 ÷ 203
        assert!(close(wang.test_drive_rate.value, 50.0));
        assert!(close(li.test_drive_rate.value, 100.0));
        assert!(close(wang.showroom_close_rate.value, 50.0));
        assert!(close(li.showroom_close_rate.value, 50.0));
        assert!(close(wang.sales_efficiency.value, 2.0));
        assert_eq!(wang.sales_efficiency.denominator, vec![WANG]);
        // No car sold is 0 cars per consultant, a real figure.
        assert!(close(li.sales_efficiency.value, 0.0));
        // 王 lost nothing of two held cards: 0 %, a real figure, not "no figure".
        assert!(close(wang.a_card_loss_rate.value, 0.0));
        assert_eq!(wang.a_card_loss_rate.display(), "0.0%");
        assert!(close(li.a_card_loss_rate.value, 50.0)); // 204 of 203, 204
        assert!(close(wang.key_account_coverage.value, 50.0));
        assert!(close(li.key_account_coverage.value, 0.0));
        assert_eq!(wang.get(SalesKpi::SalesEfficiency), &wang.sales_efficiency);
    }

    #[test]
    fn one_day() {
        let w = march();
        let k = sales_kpis(&w.facts(), Period::day(d(3, 31)), Scope::Store);
        assert_eq!(k.card_building_rate.numerator, ids(&[203]));
        assert_eq!(k.card_building_rate.denominator, ids(&[105]));
        assert_eq!(k.a_card_close_rate.numerator, ids(&[402]));
        assert_eq!(k.test_drive_rate.numerator, ids(&[304]));
        // Held on 31 Mar: 202 and 203 (201 ordered 20 Mar, 204 lost 15 Mar); none lost that day.
        assert_eq!(k.a_card_loss_rate.denominator, ids(&[202, 203]));
        assert!(close(k.a_card_loss_rate.value, 0.0));
        assert!(close(k.sales_efficiency.value, 0.0));
    }

    #[test]
    fn zero_denominators_give_no_figure() {
        let w = march();
        let march = Period::month(2026, 3).unwrap();
        // 赵 has no facts at all.
        let zhao = sales_kpis(&w.facts(), march, Scope::Consultant(ZHAO));
        for f in zhao.figures() {
            if f.kpi == SalesKpi::SalesEfficiency {
                assert!(close(f.value, 0.0));
            } else {
                assert_eq!(f.value, None, "{:?}", f.kpi);
                assert_eq!(f.display(), "—");
            }
        }
        // An empty store: every figure is None, sales efficiency too (no consultants).
        let empty = sales_kpis(&SalesFacts::default(), march, Scope::Store);
        for f in empty.figures() {
            assert_eq!(f.value, None, "{:?}", f.kpi);
            assert!(f.numerator.is_empty() && f.denominator.is_empty());
        }
        // Orders without visit groups: still no figure, never infinity.
        let orders = [OrderFact {
            id: id(1),
            consultant: WANG,
            signed_on: d(3, 3),
            cancelled_on: None,
        }];
        let only_orders = SalesFacts {
            orders: &orders,
            ..SalesFacts::default()
        };
        let k = sales_kpis(&only_orders, march, Scope::Store);
        assert_eq!(k.showroom_close_rate.numerator, ids(&[1]));
        assert_eq!(k.showroom_close_rate.value, None);
    }

    #[test]
    fn month_boundary() {
        let w = march();
        let april = sales_kpis(&w.facts(), Period::month(2026, 4).unwrap(), Scope::Store);
        assert_eq!(april.card_building_rate.numerator, ids(&[206]));
        assert_eq!(april.card_building_rate.denominator, ids(&[107]));
        assert_eq!(april.a_card_close_rate.numerator, ids(&[404]));
        // 402 was cancelled on 2 April: it counted for March and is not an April order.
        assert!(!april.a_card_close_rate.numerator.contains(&id(402)));
        assert_eq!(april.sales_efficiency.numerator, ids(&[503]));
        assert_eq!(april.key_account_coverage.numerator, ids(&[601, 603]));
        assert_eq!(
            april.key_account_coverage.denominator,
            ids(&[601, 602, 603, 604])
        );

        let feb = sales_kpis(&w.facts(), Period::month(2026, 2).unwrap(), Scope::Store);
        assert_eq!(feb.card_building_rate.denominator, ids(&[106]));
        assert_eq!(feb.card_building_rate.numerator, ids(&[204]));
        assert_eq!(feb.a_card_close_rate.numerator, ids(&[405]));

        // An order signed at 16:30 UTC on 31 March is 00:30 on 1 April in the store: April.
        let signed = StoreClock::default()
            .local(Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap())
            .date();
        assert_eq!(signed, d(4, 1));
        assert!(!Period::month(2026, 3).unwrap().contains(signed));
        assert!(Period::month(2026, 4).unwrap().contains(signed));
    }

    #[test]
    fn periods() {
        let feb = Period::month(2026, 2).unwrap();
        assert_eq!(feb.first_day(), d(2, 1));
        assert_eq!(feb.last_day(), d(2, 28));
        assert_eq!(
            Period::month(2028, 2).unwrap().last_day(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        let dec = Period::month(2026, 12).unwrap();
        assert_eq!(dec.last_day(), d(12, 31));
        assert!(dec.contains(d(12, 31)));
        assert!(!dec.contains(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        assert_eq!(Period::month(2026, 13), None);
        assert_eq!(Period::month(2026, 0), None);
        assert_eq!(Period::month_of(d(7, 19)), Period::month(2026, 7).unwrap());
        let day = Period::day(d(3, 8));
        assert!(day.contains(d(3, 8)) && !day.contains(d(3, 9)));
        assert_eq!(
            serde_json::to_string(&feb).unwrap(),
            r#"{"kind":"month","year":2026,"month":2}"#
        );
    }

    #[test]
    fn kpi_names() {
        for k in SalesKpi::ALL {
            assert!(!k.name_zh().is_empty() && !k.name_en().is_empty());
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        assert_eq!(SalesKpi::CardBuildingRate.name_zh(), "建卡率");
        assert!(!SalesKpi::SalesEfficiency.is_percentage());
    }
}
