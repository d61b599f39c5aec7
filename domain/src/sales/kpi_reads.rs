//! What a span's sales figures read (issue 14: a screen reads what its figures need, not a
//! type whole): 销售报表 `/sales/kpi` and 经营指标 `/manage/kpi` count [`super::kpi`]'s figures
//! for the periods within a span (a month and its days, a year and its months, two months) from
//! the records [`SalesReads`] names, and the figures are the same as from every record (the test
//! below counts both over a generated history).
//!
//! A period's figures need, besides the visits, test drives, A-cards and orders *made* in it
//! (index `by_made`):
//! - the A-cards *held* in it (the loss rate's denominator: built by its last day and not closed
//!   before its first) — cards built long before;
//! - the orders *delivered* in it (cars sold) — orders signed long before;
//! - each of those cards' standing order (a card ordered before the period is not held).
//!
//! A closed A-card (lost, ordered, delivered) and a closed order (delivered, cancelled) are
//! indexed by the day they closed ([`closed_on`]): their `day` (index `by_day`, otherwise an
//! A-card's next follow-up, an order's promised date) is [`closed_key`], `~` and the day, which
//! sorts after every date and after [`crate::records::index::NO_DAY`] (so the A-card list shows
//! the cards still followed first, the closed ones last, by the day they closed). No index entry
//! is added: a span reads
//! - the A-cards and orders closed since its first day (`by_day`, [`SalesReads::closed`]);
//! - the open A-cards and orders (`by_status`, [`open_statuses`]: the store's pipeline, whatever
//!   its years);
//! - the visits, test drives, A-cards and orders made within it (`by_made`, [`SalesReads::made`]).
//!
//! Why that is every record the figures count: a held card is open (read) or closed on or after
//! the period's first day — its closed day is at least the day its facts close it
//! (`CardFact::closed_on`: a lost card's loss is the same write; an ordered or delivered card's
//! order was signed as the card was marked so, in the same plan: 签单's time is recorded then,
//! `policy::RECORDED_NOW`) — so it is read. A card has at most
//! one standing order (an order is placed only on an open card, and a cancellation opens the
//! card again): an ordered card's is signed (open, read), a delivered card's was delivered in
//! the same plan, so closed the same day (read). A delivery of the period closed on or after the
//! day it was handed over (read). What two devices' concurrent moves can leave (a card ordered on
//! one and sent back on another) is outside this; such a card counts as its facts say only if
//! its order is read.

use chrono::NaiveDate;
use serde_json::Value;

use super::facts::day_of_write;
use super::loss::ACardStatus;
use crate::records::field;
use crate::sync::RecordState;
use crate::time::StoreClock;

/// The first character of a closed record's `day` ([`closed_key`]); the same as
/// `records::index::NO_DAY`, so a closed day sorts after every date and after "no date".
pub const CLOSED: &str = "~";

/// The last closed day a read asks for (`~9999-12-31`): every closed key sorts before it.
pub const CLOSED_END: &str = "~9999-12-31";

/// The types a span reads what was made in it of (`by_made`).
pub const MADE_TYPES: [&str; 4] = ["a_card", "order", "visit", "test_drive"];

/// The types whose closed records are read by the day they closed, and whose open ones are
/// read whole (`by_status`, [`open_statuses`]).
pub const CLOSED_TYPES: [&str; 2] = ["a_card", "order"];

/// The statuses of an open A-card or order (the pipeline: read whole, `by_status`); none for
/// another type.
pub fn open_statuses(record_type: &str) -> &'static [&'static str] {
    match record_type {
        "a_card" => &["following", "loss_proposed", "re_contacted"],
        "order" => &["signed"],
        _ => &[],
    }
}

/// The store-local day an A-card or an order closed, `None` while it is open (or another type):
/// an A-card lost, ordered or delivered — the day of the earliest write still shown that gave
/// it that status; an order delivered — the later of its `delivered_at` and the day of the
/// status write; cancelled — the day of the status write.
pub fn closed_on(record: &RecordState, clock: StoreClock) -> Option<NaiveDate> {
    let status = field::status(record, "status")?;
    let write = || day_of_write(clock, record, "status", &Value::from(status.as_str()));
    match record.record_type.as_str() {
        "a_card" => match ACardStatus::parse(&status) {
            Some(s) if !s.is_open() => write(),
            _ => None,
        },
        "order" => match status.as_str() {
            "delivered" => match (field::date(record, "delivered_at", clock), write()) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
            "cancelled" => write(),
            _ => None,
        },
        _ => None,
    }
}

/// The `day` a closed record is indexed by: [`CLOSED`] and the day, `YYYY-MM-DD`.
pub fn closed_key(day: NaiveDate) -> String {
    format!("{CLOSED}{}", day.format("%Y-%m-%d"))
}

/// The days a month's losses (战败分析, [`super::loss::monthly_losses`]) are read by: the
/// [`closed_key`]s of its first and last day, after `["a_card", "lost"]` in `by_status` (or
/// after a consultant's `["a_card", owner]` in `by_owner`, keeping the lost ones). A card is
/// counted in the month its loss was written (`loss_flow::ReviewedCard`'s `lost_ms`, the
/// earliest write still shown that made it lost), which is the day it closed ([`closed_on`]).
/// `None` for an invalid month.
pub fn lost_within(year: i32, month: u32) -> Option<(String, String)> {
    let p = super::kpi::Period::month(year, month)?;
    Some((closed_key(p.first_day()), closed_key(p.last_day())))
}

/// The reads of the sales figures of the periods within `from..=to` (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalesReads {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl SalesReads {
    pub fn new(from: NaiveDate, to: NaiveDate) -> SalesReads {
        SalesReads { from, to }
    }

    /// The `by_made` days of [`MADE_TYPES`], inclusive.
    pub fn made(&self) -> (String, String) {
        (day_text(self.from), day_text(self.to))
    }

    /// The `by_day` keys of the closed records of [`CLOSED_TYPES`], inclusive: closed on or
    /// after the span's first day.
    pub fn closed(&self) -> (String, String) {
        (closed_key(self.from), CLOSED_END.to_string())
    }

    /// Whether the reads find a record of `record_type` with these index fields (its `status`,
    /// `day` and `made`, `records::index::keys`): what the device's queries select.
    pub fn selects(
        &self,
        record_type: &str,
        status: Option<&str>,
        day: Option<&str>,
        made: &str,
    ) -> bool {
        let (from, to) = self.made();
        let made_within =
            MADE_TYPES.contains(&record_type) && from.as_str() <= made && made <= to.as_str();
        let (closed_from, closed_to) = self.closed();
        let closed = CLOSED_TYPES.contains(&record_type)
            && day.is_some_and(|d| closed_from.as_str() <= d && d <= closed_to.as_str());
        let open = status.is_some_and(|s| open_statuses(record_type).contains(&s));
        made_within || closed || open
    }
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::index::{NO_DAY, keys};
    use crate::records::{A_CARD, ORDER, TEST_DRIVE, VISIT};
    use crate::sales::facts::facts_from_records;
    use crate::sales::kpi::{Period, Scope, sales_kpis};
    use crate::sync::{Change, Edit, Hlc, Op, RecordType, SyncError, apply};
    use chrono::{Datelike, NaiveDateTime, TimeDelta};
    use serde_json::json;
    use uuid::Uuid;

    const C: StoreClock = StoreClock::CHINA;
    const TABLET: Uuid = Uuid::from_u128(0xD1);

    fn consultant(n: u64) -> Uuid {
        Uuid::from_u128(0xA0 + u128::from(n % 3))
    }

    /// Unix ms of a store-local day at `h` o'clock.
    fn ms(day: NaiveDate, h: u32) -> u64 {
        let local: NaiveDateTime = day.and_hms_opt(h, 0, 0).unwrap();
        (local - TimeDelta::hours(8)).and_utc().timestamp_millis() as u64
    }

    fn stamp(day: NaiveDate) -> String {
        day.and_hms_opt(10, 0, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    }

    /// A record and the ops applied to it.
    struct Rec {
        state: RecordState,
        rt: &'static RecordType,
        n: u128,
    }

    impl Rec {
        fn new(rt: &'static RecordType, id: u128) -> Rec {
            Rec {
                state: RecordState::new(Uuid::from_u128(id), rt.name, "demo"),
                rt,
                n: id << 16,
            }
        }

        fn op(
            mut self,
            day: NaiveDate,
            f: impl FnOnce(&Edit<'_>) -> Result<Vec<Change>, SyncError>,
        ) -> Rec {
            self.n += 1;
            let changes = f(&Edit::new(&self.state, self.rt)).unwrap();
            let op = Op {
                op_id: Uuid::from_u128(self.n),
                device_id: TABLET,
                user_id: "u".into(),
                store_id: "demo".into(),
                record_id: self.state.id,
                record_type: self.rt.name.into(),
                hlc: Hlc::new(ms(day, 11), (self.n & 0xFFFF) as u32),
                changes,
            };
            apply(&mut self.state, &op, self.rt).unwrap();
            self
        }

        fn set(self, day: NaiveDate, pairs: Vec<(&'static str, serde_json::Value)>) -> Rec {
            self.op(day, |e| {
                pairs.iter().map(|(f, v)| e.set(f, v.clone())).collect()
            })
        }

        fn to(self, day: NaiveDate, status: &str) -> Rec {
            self.op(day, |e| Ok(vec![e.transition("status", status)?]))
        }
    }

    use crate::dice::Dice;

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()
    }

    /// A store's history over about a year, as the app's plans make it (a card is ordered or
    /// lost through the status machine; an order is signed, then delivered or cancelled with
    /// its card moved in the same plan): cards still followed, lost, lost and reactivated, sent
    /// back, ordered, delivered (handed over up to three days before the delivery is entered,
    /// across a month's end too), cancelled and ordered again; orders signed up to two days
    /// before they are entered; a visit per card and some test drives.
    fn history() -> Vec<RecordState> {
        let mut dice = Dice(14);
        let mut out = Vec::new();
        let mut id = 0x1000_u128;
        for n in 0..260_u64 {
            let who = consultant(n);
            let built = start() + TimeDelta::days(dice.roll(330) as i64);
            let after = |dice: &mut Dice, d: NaiveDate, most: u64| {
                d + TimeDelta::days(1 + dice.roll(most) as i64)
            };
            id += 1;
            let card_id = id;
            let mut card = Rec::new(&A_CARD, card_id).set(
                built,
                vec![
                    ("name", json!(format!("客户{n}"))),
                    ("consultant_id", json!(who.to_string())),
                    ("first_contact_at", json!(stamp(built))),
                    (
                        "next_follow_up",
                        json!(day_text(built + TimeDelta::days(3))),
                    ),
                ],
            );
            id += 1;
            out.push(
                Rec::new(&VISIT, id)
                    .set(
                        built,
                        vec![
                            ("time_in", json!(stamp(built))),
                            ("source", json!("walk_in")),
                            ("visitor_kind", json!("prospect")),
                            ("had_card_or_order", json!(false)),
                            ("consultant_id", json!(who.to_string())),
                            ("a_card_id", json!(Uuid::from_u128(card_id).to_string())),
                        ],
                    )
                    .state,
            );
            if dice.roll(3) == 0 {
                id += 1;
                out.push(
                    Rec::new(&TEST_DRIVE, id)
                        .set(
                            built,
                            vec![
                                ("started_at", json!(stamp(built))),
                                ("consultant_id", json!(who.to_string())),
                                ("a_card_id", json!(Uuid::from_u128(card_id).to_string())),
                            ],
                        )
                        .state,
                );
            }
            let order = |dice: &mut Dice, card: Rec, day: NaiveDate, id: &mut u128| {
                // Signed up to two days before it is entered.
                let signed = day - TimeDelta::days(dice.roll(3) as i64);
                *id += 1;
                let o = Rec::new(&ORDER, *id).set(
                    day,
                    vec![
                        ("a_card_id", json!(Uuid::from_u128(card_id).to_string())),
                        ("consultant_id", json!(who.to_string())),
                        ("signed_at", json!(stamp(signed))),
                        ("promised_date", json!(day_text(day + TimeDelta::days(20)))),
                    ],
                );
                (card.to(day, "ordered"), o)
            };
            let mut day = after(&mut dice, built, 40);
            match dice.roll(6) {
                0 => {}
                1 | 2 => {
                    card = card.to(day, "loss_proposed");
                    day = after(&mut dice, day, 5);
                    card = card.to(day, "re_contacted");
                    day = after(&mut dice, day, 5);
                    card = if dice.roll(3) == 0 {
                        card.to(day, "following")
                    } else {
                        let lost = card.to(day, "lost");
                        if dice.roll(4) == 0 {
                            lost.to(after(&mut dice, day, 60), "following")
                        } else {
                            lost
                        }
                    };
                }
                _ => {
                    let (c, mut o) = order(&mut dice, card, day, &mut id);
                    card = c;
                    if dice.roll(3) == 0 {
                        // Cancelled, then perhaps ordered again.
                        day = after(&mut dice, day, 20);
                        o = o.to(day, "cancelled");
                        card = card.to(day, "following");
                        if dice.roll(2) == 0 {
                            out.push(o.state);
                            day = after(&mut dice, day, 20);
                            let (c, again) = order(&mut dice, card, day, &mut id);
                            card = c;
                            o = again;
                        }
                    }
                    if o.state.status(&ORDER, "status") == Some("signed") && dice.roll(3) > 0 {
                        // Delivered, entered up to three days after the handover.
                        day = after(&mut dice, day, 45);
                        let handed = day - TimeDelta::days(dice.roll(4) as i64);
                        o = o
                            .set(day, vec![("delivered_at", json!(stamp(handed)))])
                            .to(day, "delivered");
                        card = card.to(day, "delivered");
                    }
                    out.push(o.state);
                }
            }
            out.push(card.state);
        }
        out
    }

    fn selected(all: &[RecordState], reads: SalesReads) -> Vec<RecordState> {
        all.iter()
            .filter(|r| {
                let k = keys(r, C);
                reads.selects(
                    &r.record_type,
                    k.status.as_deref(),
                    k.day.as_deref(),
                    &k.made,
                )
            })
            .cloned()
            .collect()
    }

    /// The periods a span's figures are counted for: each day and the month of a month; each
    /// month of a year or of two months.
    fn periods(from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            if d.day() == 1 {
                out.push(Period::month_of(d));
            }
            if to - from < TimeDelta::days(40) {
                out.push(Period::day(d));
            }
            d += TimeDelta::days(1);
        }
        out
    }

    fn month(y: i32, m: u32) -> Period {
        Period::month(y, m).unwrap()
    }

    /// The spans the two pages read: 销售报表's month (by day) and year (by month), 经营指标's
    /// month with the month before.
    fn spans() -> Vec<(NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        let mut p = month(2025, 9);
        while p.first_day() < NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() {
            out.push((p.first_day(), p.last_day()));
            let before = Period::month_of(p.first_day().pred_opt().unwrap());
            out.push((before.first_day(), p.last_day()));
            p = Period::month_of(p.last_day().succ_opt().unwrap());
        }
        for y in [2025, 2026] {
            out.push((month(y, 1).first_day(), month(y, 12).last_day()));
        }
        out
    }

    #[test]
    fn the_figures_from_the_records_read_are_those_from_every_record() {
        let all = history();
        let team: Vec<Uuid> = (0..3).map(consultant).collect();
        let facts_of = |records: &[RecordState]| {
            let mut f = facts_from_records(records, C);
            f.consultants = team.clone();
            f
        };
        let every = facts_of(&all);
        let scopes: Vec<Scope> = std::iter::once(Scope::Store)
            .chain(team.iter().map(|c| Scope::Consultant(*c)))
            .collect();
        let mut smaller = 0;
        for (from, to) in spans() {
            let read = selected(&all, SalesReads::new(from, to));
            if read.len() * 2 < all.len() {
                smaller += 1;
            }
            let some = facts_of(&read);
            for p in periods(from, to) {
                for s in &scopes {
                    assert_eq!(
                        sales_kpis(&some.facts(), p, *s),
                        sales_kpis(&every.facts(), p, *s),
                        "{p:?} {s:?} read for {from}..{to}"
                    );
                }
            }
        }
        // The spans of the history's last months read far fewer records than there are.
        assert!(smaller >= 3, "{smaller}");
        // The history has what the reads must find: cards held in a month though built long
        // before, lost and delivered in later months, deliveries of orders signed before.
        let aug = sales_kpis(&every.facts(), month(2026, 8), Scope::Store);
        assert!(aug.a_card_loss_rate.denominator.len() > 20);
        assert!(!aug.a_card_loss_rate.numerator.is_empty());
        assert!(!aug.sales_efficiency.numerator.is_empty());
    }

    #[test]
    fn a_months_losses_are_the_lost_cards_closed_within_it() {
        use crate::sales::loss::{LossFact, monthly_losses};
        use crate::sales::loss_flow::ReviewedCard;
        let all = history();
        let facts = |cards: &[&RecordState]| -> Vec<LossFact> {
            cards
                .iter()
                .filter_map(|r| ReviewedCard::of(r, C).loss_fact())
                .collect()
        };
        let every = facts(&all.iter().collect::<Vec<_>>());
        let mut months_with_losses = 0;
        for (y, m) in (1..=12).flat_map(|m| [(2025, m), (2026, m)]) {
            let (from, to) = lost_within(y, m).unwrap();
            // What `by_status` holds between ["a_card", "lost", from] and [.., to].
            let read: Vec<&RecordState> = all
                .iter()
                .filter(|r| {
                    let k = keys(r, C);
                    r.record_type == "a_card"
                        && k.status.as_deref() == Some("lost")
                        && k.day.is_some_and(|d| d >= from && d <= to)
                })
                .collect();
            let whole = monthly_losses(&every, y, m, C).unwrap();
            assert_eq!(monthly_losses(&facts(&read), y, m, C).unwrap(), whole);
            assert_eq!(read.len(), whole.cards.len(), "{y}-{m}: only the month's");
            if !whole.cards.is_empty() {
                months_with_losses += 1;
            }
        }
        assert!(months_with_losses >= 6, "{months_with_losses}");
        assert_eq!(lost_within(2026, 13), None);
        assert_eq!(
            lost_within(2026, 2),
            Some(("~2026-02-01".into(), "~2026-02-28".into()))
        );
    }

    #[test]
    fn without_the_closed_records_the_figures_would_differ() {
        // The same history read by what was made in the span and the open records only: the
        // test above would fail without the closed ones.
        let all = history();
        let reads = SalesReads::new(month(2026, 6).first_day(), month(2026, 6).last_day());
        let no_closed: Vec<RecordState> = all
            .iter()
            .filter(|r| {
                let k = keys(r, C);
                let (from, to) = reads.made();
                let made = from <= k.made && k.made <= to;
                let open = k
                    .status
                    .as_deref()
                    .is_some_and(|s| open_statuses(&r.record_type).contains(&s));
                made || open
            })
            .cloned()
            .collect();
        let p = month(2026, 6);
        let f =
            |rs: &[RecordState]| sales_kpis(&facts_from_records(rs, C).facts(), p, Scope::Store);
        let every = f(&all);
        let partial = f(&no_closed);
        assert_ne!(
            every.a_card_loss_rate.denominator,
            partial.a_card_loss_rate.denominator
        );
        assert_ne!(
            every.sales_efficiency.numerator,
            partial.sales_efficiency.numerator
        );
        assert_eq!(f(&selected(&all, reads)), every);
    }

    #[test]
    fn a_closed_card_and_order_are_indexed_by_the_day_they_closed() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let card = Rec::new(&A_CARD, 1).set(
            d(3, 1),
            vec![
                ("first_contact_at", json!(stamp(d(3, 1)))),
                ("next_follow_up", json!("2026-03-04")),
            ],
        );
        assert_eq!(closed_on(&card.state, C), None);
        assert_eq!(keys(&card.state, C).day.as_deref(), Some("2026-03-04"));
        let card = card.to(d(3, 10), "ordered");
        assert_eq!(closed_on(&card.state, C), Some(d(3, 10)));
        assert_eq!(keys(&card.state, C).day.as_deref(), Some("~2026-03-10"));
        let card = card.to(d(4, 2), "delivered");
        assert_eq!(keys(&card.state, C).day.as_deref(), Some("~2026-04-02"));
        // Sent back to following: its next follow-up again.
        let lost = Rec::new(&A_CARD, 2)
            .set(d(3, 1), vec![("next_follow_up", json!("2026-03-04"))])
            .to(d(3, 2), "loss_proposed")
            .to(d(3, 3), "re_contacted")
            .to(d(3, 5), "lost");
        assert_eq!(keys(&lost.state, C).day.as_deref(), Some("~2026-03-05"));
        let back = lost.to(d(3, 9), "following");
        assert_eq!(keys(&back.state, C).day.as_deref(), Some("2026-03-04"));
        // An order delivered: the later of the handover and the day it was entered.
        let order = Rec::new(&ORDER, 3).set(
            d(3, 10),
            vec![
                ("signed_at", json!(stamp(d(3, 10)))),
                ("promised_date", json!("2026-04-01")),
            ],
        );
        assert_eq!(keys(&order.state, C).day.as_deref(), Some("2026-04-01"));
        let entered_late = order
            .set(d(4, 1), vec![("delivered_at", json!(stamp(d(3, 31))))])
            .to(d(4, 1), "delivered");
        assert_eq!(closed_on(&entered_late.state, C), Some(d(4, 1)));
        let cancelled = Rec::new(&ORDER, 4)
            .set(d(3, 10), vec![("signed_at", json!(stamp(d(3, 10))))])
            .to(d(3, 12), "cancelled");
        assert_eq!(
            keys(&cancelled.state, C).day.as_deref(),
            Some("~2026-03-12")
        );
        // Closed keys sort after every date and after "no date", in the order of their days.
        assert!(closed_key(d(1, 1)).as_str() > NO_DAY && CLOSED == NO_DAY);
        assert!(closed_key(d(1, 1)).as_str() > "9999-12-31");
        assert!(closed_key(d(1, 1)) < closed_key(d(1, 2)));
        assert!(closed_key(d(12, 31)).as_str() < CLOSED_END);
        // Other types are never closed.
        let visit = Rec::new(&VISIT, 5).set(d(3, 1), vec![("time_in", json!(stamp(d(3, 1))))]);
        assert_eq!(closed_on(&visit.state, C), None);
    }

    #[test]
    fn a_span_selects_what_was_made_in_it_the_open_and_what_closed_since() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let r = SalesReads::new(d(3, 1), d(3, 31));
        assert_eq!(r.made(), ("2026-03-01".into(), "2026-03-31".into()));
        assert_eq!(r.closed(), ("~2026-03-01".into(), CLOSED_END.into()));
        assert!(r.selects("visit", None, Some("2026-03-05"), "2026-03-05"));
        assert!(!r.selects("visit", None, Some("2026-04-01"), "2026-04-01"));
        assert!(r.selects(
            "a_card",
            Some("following"),
            Some("2025-01-01"),
            "2024-01-01"
        ));
        assert!(!r.selects("a_card", Some("lost"), Some("~2026-02-28"), "2024-01-01"));
        assert!(r.selects("a_card", Some("lost"), Some("~2026-03-01"), "2024-01-01"));
        assert!(r.selects(
            "order",
            Some("delivered"),
            Some("~2026-09-01"),
            "2024-01-01"
        ));
        assert!(r.selects("order", Some("signed"), Some("2026-09-01"), "2024-01-01"));
        assert!(!r.selects("c_card", None, Some("~2026-03-05"), "2026-02-01"));
    }
}
