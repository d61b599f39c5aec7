//! The sales KPI facts read from the synced records (docs/demo.md, "Record conventions"), so
//! every figure of [`super::kpi`] is counted from the records people made, never typed in.
//!
//! How each record is read (records in the bin are left out):
//! - **a_card** → [`CardFact`]: `consultant_id`; built on the date of `first_contact_at` (else its
//!   first HLC's store-local date); lost on the store-local day of the HLC of the write that moved
//!   its `status` to `lost` (only while the card shows `lost`); ordered on the signing day of its
//!   earliest order that still stands (not cancelled), else — when the card shows `ordered` or
//!   `delivered` without an order on this device — the day of that status write.
//! - **visit** → [`VisitFact`]: date of `time_in` (else its first HLC); counted when
//!   [`super::visit::count_rule`] of (`source`, `visitor_kind`, `had_card_or_order`) counts it.
//! - **test_drive** → [`TestDriveFact`]: date of `started_at`; a cancelled drive (called off in the
//!   car park) is not a test drive. A drive without a readable `a_card_id` is its own group.
//! - **order** → [`OrderFact`]: signed on the date of `signed_at` (else its first HLC); cancelled on
//!   the day of the write that moved its `status` to `cancelled`. An order showing `delivered` is
//!   also a [`DeliveryFact`] (a car sold) on the date of `delivered_at` (else that status write);
//!   its id is the order's.
//! - **key_account** → [`KeyAccountFact`]: owner `responsible_id`; listed on its first HLC's day;
//!   first purchase on the day of the write that set `bought_here` to true (JSON `true` or the
//!   text `"true"`, the flag rule of [`crate::records::field`]; while it is true).
//! - **consultants**: every user id that is the consultant of a card, visit, test drive or order or
//!   the owner of a key account, sorted — the people who worked in sales in the records. A caller
//!   that knows the team (the directory) may replace the list.
//!
//! An unreadable user id is the nil id (its figures still count for the store).

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use super::kpi::{
    CardFact, DeliveryFact, KeyAccountFact, OrderFact, SalesFacts, TestDriveFact, VisitFact,
};
use super::loss::ACardStatus;
use super::visit::{count_rule, stored_facts};
use crate::records::field;
use crate::records::{ACard, KeyAccount, Order, OrderStatus, TestDrive, TestDriveStatus, Visit};
use crate::sync::RecordState;
use crate::time::StoreClock;

/// The facts of a set of records, owned; [`RecordFacts::facts`] lends them to [`super::kpi`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFacts {
    pub visits: Vec<VisitFact>,
    pub cards: Vec<CardFact>,
    pub test_drives: Vec<TestDriveFact>,
    pub orders: Vec<OrderFact>,
    pub deliveries: Vec<DeliveryFact>,
    pub key_accounts: Vec<KeyAccountFact>,
    pub consultants: Vec<Uuid>,
}

impl RecordFacts {
    pub fn facts(&self) -> SalesFacts<'_> {
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

/// The store-local day the record was first written.
fn created_day(clock: StoreClock, r: &RecordState) -> Option<NaiveDate> {
    r.created.and_then(|h| clock.day_of_hlc(h))
}

/// A stored local time or date field's date, else the record's first day.
fn date_of(clock: StoreClock, r: &RecordState, name: &str) -> Option<NaiveDate> {
    field::date(r, name, clock).or_else(|| created_day(clock, r))
}

/// The day of the earliest write still shown that put `value` into the register `field`
/// (also the closed day of [`super::kpi_reads::closed_on`]).
pub(crate) fn day_of_write(
    clock: StoreClock,
    r: &RecordState,
    field: &str,
    value: &Value,
) -> Option<NaiveDate> {
    r.heads(field)
        .into_iter()
        .filter(|h| &h.value == value)
        .map(|h| h.hlc)
        .min()
        .and_then(|h| clock.day_of_hlc(h))
}

/// Reads the KPI facts from records of any types (other types are ignored).
pub fn facts_from_records<'a>(
    records: impl IntoIterator<Item = &'a RecordState>,
    clock: StoreClock,
) -> RecordFacts {
    let mut out = RecordFacts::default();
    let mut cards: Vec<(&RecordState, ACard)> = Vec::new();
    // (card id, signed on) of the orders that still stand.
    let mut standing: Vec<(Uuid, NaiveDate)> = Vec::new();
    for r in records {
        if r.is_deleted() || r.is_empty() {
            continue;
        }
        match r.record_type.as_str() {
            "a_card" => cards.push((r, ACard::of(r, clock))),
            "visit" => {
                let Some(date) = date_of(clock, r, "time_in") else {
                    continue;
                };
                let v = Visit::of(r, clock);
                let facts = stored_facts(
                    v.source.map_or("", |s| s.as_str()),
                    v.visitor_kind.map_or("", |k| k.as_str()),
                    v.had_card_or_order,
                );
                out.visits.push(VisitFact {
                    id: r.id,
                    consultant: v.consultant_id.unwrap_or_default(),
                    date,
                    counted: count_rule(&facts).counted(),
                });
            }
            "test_drive" => {
                let t = TestDrive::of(r, clock);
                if t.status == TestDriveStatus::Cancelled {
                    continue;
                }
                let Some(date) = date_of(clock, r, "started_at") else {
                    continue;
                };
                out.test_drives.push(TestDriveFact {
                    id: r.id,
                    consultant: t.consultant_id.unwrap_or_default(),
                    a_card: t.a_card_id.unwrap_or(r.id),
                    date,
                });
            }
            "order" => {
                let Some(signed_on) = date_of(clock, r, "signed_at") else {
                    continue;
                };
                let o = Order::of(r, clock);
                let cancelled_on = if o.status == OrderStatus::Cancelled {
                    day_of_write(clock, r, "status", &Value::from("cancelled")).or(Some(signed_on))
                } else {
                    None
                };
                let consultant = o.consultant_id.unwrap_or_default();
                if cancelled_on.is_none()
                    && let Some(card) = o.a_card_id
                {
                    standing.push((card, signed_on));
                }
                if o.status == OrderStatus::Delivered {
                    let delivered_on = field::date(r, "delivered_at", clock)
                        .or_else(|| day_of_write(clock, r, "status", &Value::from("delivered")));
                    if let Some(delivered_on) = delivered_on {
                        out.deliveries.push(DeliveryFact {
                            id: r.id,
                            consultant,
                            delivered_on,
                        });
                    }
                }
                out.orders.push(OrderFact {
                    id: r.id,
                    consultant,
                    signed_on,
                    cancelled_on,
                });
            }
            "key_account" => {
                let Some(listed_on) = created_day(clock, r) else {
                    continue;
                };
                let k = KeyAccount::of(r, clock);
                // The earliest write still shown that made it true, in either spelling.
                let first_purchase_on = if k.bought_here {
                    r.heads("bought_here")
                        .into_iter()
                        .filter(|h| field::is_true(&h.value))
                        .map(|h| h.hlc)
                        .min()
                        .and_then(|h| clock.day_of_hlc(h))
                } else {
                    None
                };
                out.key_accounts.push(KeyAccountFact {
                    id: r.id,
                    owner: k.responsible_id.unwrap_or_default(),
                    listed_on,
                    first_purchase_on,
                });
            }
            _ => {}
        }
    }
    for (r, card) in cards {
        let built_on = field::date(r, "first_contact_at", clock).or_else(|| created_day(clock, r));
        let Some(built_on) = built_on else {
            continue;
        };
        let lost_on = if card.status == ACardStatus::Lost {
            day_of_write(clock, r, "status", &Value::from("lost"))
        } else {
            None
        };
        let ordered_on = standing
            .iter()
            .filter(|(id, _)| *id == r.id)
            .map(|(_, d)| *d)
            .min()
            .or_else(|| match card.status {
                s @ (ACardStatus::Ordered | ACardStatus::Delivered) => {
                    day_of_write(clock, r, "status", &Value::from(s.as_str()))
                }
                _ => None,
            });
        out.cards.push(CardFact {
            id: r.id,
            consultant: card.consultant_id.unwrap_or_default(),
            built_on,
            lost_on,
            ordered_on,
        });
    }
    let mut consultants: Vec<Uuid> = out
        .cards
        .iter()
        .map(|c| c.consultant)
        .chain(out.visits.iter().map(|v| v.consultant))
        .chain(out.test_drives.iter().map(|t| t.consultant))
        .chain(out.orders.iter().map(|o| o.consultant))
        .chain(out.key_accounts.iter().map(|k| k.owner))
        .filter(|c| !c.is_nil())
        .collect();
    consultants.sort();
    consultants.dedup();
    out.consultants = consultants;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{A_CARD, KEY_ACCOUNT, ORDER, TEST_DRIVE, VISIT};
    use crate::sales::kpi::{Period, Scope, sales_kpis};
    use crate::sync::{Change, Edit, Hlc, Op, RecordType, SyncError, apply};
    use chrono::NaiveDateTime;
    use serde_json::json;

    const WANG: Uuid = Uuid::from_u128(0xA1);
    const LI: Uuid = Uuid::from_u128(0xA2);
    const TABLET: Uuid = Uuid::from_u128(0xD1);

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }
    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }
    /// Unix ms of a store-local time on 2026-m-day.
    fn ms(m: u32, day: u32, h: u32) -> u64 {
        let local: NaiveDateTime = d(m, day).and_hms_opt(h, 0, 0).unwrap();
        (local - chrono::Duration::hours(8))
            .and_utc()
            .timestamp_millis() as u64
    }

    /// A record of small hand-built history: each step is (store-local time, builder).
    struct Rec {
        state: RecordState,
        rt: &'static RecordType,
        n: u128,
    }

    impl Rec {
        fn new(rt: &'static RecordType, n: u128) -> Rec {
            Rec {
                state: RecordState::new(id(n), rt.name, "demo"),
                rt,
                n: n << 16,
            }
        }

        fn op(
            mut self,
            at_ms: u64,
            f: impl FnOnce(&Edit<'_>) -> Result<Vec<Change>, SyncError>,
        ) -> Rec {
            self.n += 1;
            let changes = f(&Edit::new(&self.state, self.rt)).unwrap();
            let op = Op {
                op_id: id(self.n),
                device_id: TABLET,
                user_id: WANG.to_string(),
                store_id: "demo".into(),
                record_id: self.state.id,
                record_type: self.rt.name.into(),
                hlc: Hlc::new(at_ms, 0),
                changes,
            };
            apply(&mut self.state, &op, self.rt).unwrap();
            self
        }

        fn set(self, at_ms: u64, pairs: &[(&str, Value)]) -> Rec {
            self.op(at_ms, |e| {
                pairs.iter().map(|(f, v)| e.set(f, v.clone())).collect()
            })
        }

        fn to(self, at_ms: u64, status: &str) -> Rec {
            self.op(at_ms, |e| Ok(vec![e.transition("status", status)?]))
        }
    }

    fn card(n: u128, who: Uuid, first_contact: &str) -> Rec {
        Rec::new(&A_CARD, n).set(
            ms(3, 1, 9),
            &[
                ("name", json!("王建华")),
                ("phone", json!("13812345678")),
                ("intended_model", json!("corolla")),
                ("consultant_id", json!(who.to_string())),
                ("first_contact_at", json!(first_contact)),
            ],
        )
    }

    fn visit(n: u128, who: Uuid, time_in: &str, source: &str, kind: &str, had: bool) -> Rec {
        Rec::new(&VISIT, n).set(
            ms(3, 1, 9),
            &[
                ("time_in", json!(time_in)),
                ("source", json!(source)),
                ("visitor_kind", json!(kind)),
                ("had_card_or_order", json!(had)),
                ("consultant_id", json!(who.to_string())),
            ],
        )
    }

    fn order(n: u128, who: Uuid, card: u128, signed_at: &str) -> Rec {
        Rec::new(&ORDER, n).set(
            ms(3, 1, 9),
            &[
                ("a_card_id", json!(id(card).to_string())),
                ("consultant_id", json!(who.to_string())),
                ("model", json!("corolla")),
                ("signed_at", json!(signed_at)),
            ],
        )
    }

    fn drive(n: u128, who: Uuid, card: u128, started_at: &str) -> Rec {
        Rec::new(&TEST_DRIVE, n).set(
            ms(3, 1, 9),
            &[
                ("a_card_id", json!(id(card).to_string())),
                ("consultant_id", json!(who.to_string())),
                ("started_at", json!(started_at)),
            ],
        )
    }

    fn read(recs: Vec<Rec>) -> RecordFacts {
        let states: Vec<RecordState> = recs.into_iter().map(|r| r.state).collect();
        facts_from_records(&states, StoreClock::default())
    }

    #[test]
    fn visits_are_counted_by_the_counting_rule() {
        let f = read(vec![
            visit(1, WANG, "2026-03-02T10:00:00", "walk_in", "prospect", false),
            visit(
                2,
                WANG,
                "2026-03-02T11:00:00",
                "phone_inquiry",
                "prospect",
                false,
            ),
            // A return visit of a customer with a card, an owner in for service, a supplier.
            visit(3, WANG, "2026-03-02T12:00:00", "walk_in", "prospect", true),
            visit(
                4,
                LI,
                "2026-03-02T13:00:00",
                "walk_in",
                "after_sales_customer",
                false,
            ),
            visit(
                5,
                LI,
                "2026-03-02T14:00:00",
                "walk_in",
                "non_customer",
                false,
            ),
            // Off-site event on the 3rd.
            visit(
                6,
                LI,
                "2026-03-03 15:30",
                "offsite_event",
                "prospect",
                false,
            ),
        ]);
        let counted: Vec<(Uuid, bool, NaiveDate)> =
            f.visits.iter().map(|v| (v.id, v.counted, v.date)).collect();
        assert_eq!(
            counted,
            vec![
                (id(1), true, d(3, 2)),
                (id(2), true, d(3, 2)),
                (id(3), false, d(3, 2)),
                (id(4), false, d(3, 2)),
                (id(5), false, d(3, 2)),
                (id(6), true, d(3, 3)),
            ]
        );
        assert_eq!(f.consultants, vec![WANG, LI]);
    }

    #[test]
    fn cards_orders_losses_and_deliveries_from_their_status_writes() {
        let f = read(vec![
            // Ordered on 10 March, delivered on 20 March.
            card(0x201, WANG, "2026-03-02T10:05:00").to(ms(3, 10, 11), "ordered"),
            order(0x401, WANG, 0x201, "2026-03-10T11:00:00")
                .set(
                    ms(3, 20, 15),
                    &[("delivered_at", json!("2026-03-20T15:00:00"))],
                )
                .to(ms(3, 20, 15), "delivered"),
            // Ordered on 12 March, cancelled on 2 April: back to following.
            card(0x202, LI, "2026-03-05T16:00:00")
                .to(ms(3, 12, 10), "ordered")
                .to(ms(4, 2, 10), "following"),
            order(0x402, LI, 0x202, "2026-03-12T10:00:00").to(ms(4, 2, 10), "cancelled"),
            // Loss proposed 14 March, re-contacted, confirmed on 16 March (store-local day of the
            // write: 00:30 on the 16th in the store is 16:30 UTC on the 15th).
            card(0x203, WANG, "2026-03-03T09:00:00")
                .to(ms(3, 14, 10), "loss_proposed")
                .to(ms(3, 15, 10), "re_contacted")
                .op(ms(3, 16, 0) + 30 * 60_000, |e| {
                    Ok(vec![e.transition("status", "lost")?])
                }),
            // Loss proposed, then sent back: not lost.
            card(0x204, LI, "2026-03-04T09:00:00")
                .to(ms(3, 14, 10), "loss_proposed")
                .to(ms(3, 15, 10), "re_contacted")
                .to(ms(3, 16, 10), "following"),
            // No first_contact_at: built on the day of its first write.
            Rec::new(&A_CARD, 0x205).set(ms(3, 8, 12), &[("name", json!("李四海"))]),
        ]);
        let card = |n| f.cards.iter().find(|c| c.id == id(n)).unwrap();
        assert_eq!(card(0x201).built_on, d(3, 2));
        assert_eq!(card(0x201).ordered_on, Some(d(3, 10)));
        assert_eq!(card(0x201).lost_on, None);
        assert_eq!(card(0x202).ordered_on, None, "its order was cancelled");
        assert_eq!(card(0x203).lost_on, Some(d(3, 16)));
        assert_eq!(card(0x204).lost_on, None, "sent back by the manager");
        assert_eq!(card(0x205).built_on, d(3, 8));
        assert_eq!(card(0x205).consultant, Uuid::nil());

        let o = |n| f.orders.iter().find(|o| o.id == id(n)).unwrap();
        assert_eq!(o(0x401).signed_on, d(3, 10));
        assert_eq!(o(0x401).cancelled_on, None);
        assert_eq!(o(0x402).cancelled_on, Some(d(4, 2)));
        assert_eq!(
            f.deliveries,
            vec![DeliveryFact {
                id: id(0x401),
                consultant: WANG,
                delivered_on: d(3, 20)
            }]
        );

        // The March figures from these records.
        let march = Period::month(2026, 3).unwrap();
        let k = sales_kpis(&f.facts(), march, Scope::Store);
        // Both orders were signed in March; 402 was cancelled only in April, so it counts.
        assert_eq!(k.a_card_close_rate.numerator, vec![id(0x401), id(0x402)]);
        assert_eq!(k.a_card_close_rate.denominator.len(), 5);
        assert_eq!(k.a_card_loss_rate.numerator, vec![id(0x203)]);
        assert_eq!(k.sales_efficiency.numerator, vec![id(0x401)]);
        assert_eq!(k.sales_efficiency.denominator, vec![WANG, LI]);
        let april = sales_kpis(&f.facts(), Period::month(2026, 4).unwrap(), Scope::Store);
        assert!(april.a_card_close_rate.numerator.is_empty());
    }

    #[test]
    fn test_drives_group_by_card_and_day_and_cancelled_ones_do_not_count() {
        let f = read(vec![
            drive(0x301, WANG, 0x201, "2026-03-02T10:20:00"),
            drive(0x302, WANG, 0x201, "2026-03-02T11:00:00"),
            drive(0x303, WANG, 0x202, "2026-03-02T11:00:00").to(ms(3, 2, 11), "cancelled"),
            // No card: its own group.
            Rec::new(&TEST_DRIVE, 0x304)
                .set(ms(3, 3, 9), &[("started_at", json!("2026-03-03T09:00:00"))]),
        ]);
        assert_eq!(f.test_drives.len(), 3);
        assert_eq!(f.test_drives[2].a_card, id(0x304));
        let k = sales_kpis(&f.facts(), Period::month(2026, 3).unwrap(), Scope::Store);
        assert_eq!(k.test_drive_rate.numerator, vec![id(0x301), id(0x304)]);
        // No cards: no figure, never NaN.
        assert_eq!(k.test_drive_rate.value, None);
    }

    #[test]
    fn key_accounts_date_the_first_purchase_by_the_write_that_set_it() {
        let ka = |n, who: Uuid| {
            Rec::new(&KEY_ACCOUNT, n).set(
                ms(2, 10, 10),
                &[
                    ("name", json!("恒通物流")),
                    ("responsible_id", json!(who.to_string())),
                    ("bought_here", json!(false)),
                ],
            )
        };
        let f = read(vec![
            ka(0x601, WANG).set(ms(3, 12, 10), &[("bought_here", json!(true))]),
            ka(0x602, LI),
        ]);
        assert_eq!(
            f.key_accounts,
            vec![
                KeyAccountFact {
                    id: id(0x601),
                    owner: WANG,
                    listed_on: d(2, 10),
                    first_purchase_on: Some(d(3, 12)),
                },
                KeyAccountFact {
                    id: id(0x602),
                    owner: LI,
                    listed_on: d(2, 10),
                    first_purchase_on: None,
                },
            ]
        );
        let feb = sales_kpis(&f.facts(), Period::month(2026, 2).unwrap(), Scope::Store);
        assert_eq!(feb.key_account_coverage.display(), "0.0%");
        let march = sales_kpis(&f.facts(), Period::month(2026, 3).unwrap(), Scope::Store);
        assert_eq!(march.key_account_coverage.display(), "50.0%");
        let wang = sales_kpis(
            &f.facts(),
            Period::month(2026, 3).unwrap(),
            Scope::Consultant(WANG),
        );
        assert_eq!(wang.key_account_coverage.display(), "100.0%");
    }

    #[test]
    fn bought_here_as_the_text_true_counts_too() {
        let f = read(vec![
            Rec::new(&KEY_ACCOUNT, 0x603)
                .set(
                    ms(2, 10, 10),
                    &[("responsible_id", json!(WANG.to_string()))],
                )
                .set(ms(3, 5, 10), &[("bought_here", json!("true"))]),
            Rec::new(&KEY_ACCOUNT, 0x604).set(ms(2, 10, 10), &[("bought_here", json!("false"))]),
        ]);
        assert_eq!(f.key_accounts[0].first_purchase_on, Some(d(3, 5)));
        assert_eq!(f.key_accounts[1].first_purchase_on, None);
    }

    #[test]
    fn records_in_the_bin_and_other_types_are_left_out() {
        let binned =
            card(0x210, WANG, "2026-03-02T10:00:00").op(ms(3, 3, 9), |e| Ok(vec![e.delete()]));
        let settings = Rec::new(&crate::records::SALES_SETTINGS, 0x900)
            .op(ms(3, 1, 9), |e| Ok(vec![e.set_add("models", "{}")?]));
        let f = read(vec![binned, settings]);
        assert_eq!(f, RecordFacts::default());
        let empty = sales_kpis(&f.facts(), Period::day(d(3, 2)), Scope::Store);
        assert!(empty.figures().iter().all(|f| f.value.is_none()));
    }
}
