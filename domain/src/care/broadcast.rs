//! Holiday and severe-weather broadcasts (节日祝福、特殊天气提醒, seed 004: "每月不得低于3次"):
//! the CS manager picks a kind, the occasion and an audience (all customers, or the local ones);
//! one `message` per customer is queued in the outbox (the default gateway,
//! [`super::message::Outbox`]) with an id derived from the broadcast and the customer
//! ([`broadcast_message_id`]), so a broadcast queued offline — on one device or two, or twice —
//! is one message per customer and is sent once. Each message carries the broadcast's key and
//! day (`broadcast`, `broadcast_on`), so the month's broadcasts are counted against the rule
//! ([`month_count`], at least [`MIN_PER_MONTH`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::message::render;
use super::report::month_of;
use crate::plan::{Plan, PlannedWrite};
use crate::records::{CCard, MESSAGE, field};
use crate::sync::RecordState;

/// The rule: at least this many holiday / weather broadcasts a month.
pub const MIN_PER_MONTH: usize = 3;

/// What a broadcast is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BroadcastKind {
    /// 节日祝福
    Holiday,
    /// 特殊天气提醒
    SevereWeather,
}

impl BroadcastKind {
    pub const ALL: [BroadcastKind; 2] = [BroadcastKind::Holiday, BroadcastKind::SevereWeather];

    /// As stored in the message's `template`.
    pub fn as_str(self) -> &'static str {
        match self {
            BroadcastKind::Holiday => "holiday",
            BroadcastKind::SevereWeather => "severe_weather",
        }
    }

    pub fn parse(s: &str) -> Option<BroadcastKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            BroadcastKind::Holiday => "节日祝福",
            BroadcastKind::SevereWeather => "特殊天气提醒",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            BroadcastKind::Holiday => "Holiday greetings",
            BroadcastKind::SevereWeather => "Severe-weather warning",
        }
    }

    /// The default text (`{name}`, `{store}`, `{occasion}`); the CS manager's template for the
    /// kind (care settings, keyed by [`Self::as_str`]) replaces it.
    pub fn default_template(self) -> &'static str {
        match self {
            BroadcastKind::Holiday => "{name}您好,{store}祝您{occasion}快乐!出行请注意行车安全。",
            BroadcastKind::SevereWeather => {
                "{name}您好,{store}提醒您:{occasion},请减少出行、注意行车安全,如需救援请致电本店。"
            }
        }
    }
}

/// Who receives a broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every customer with a phone number.
    All,
    /// The local customers (本地; unknown counts as local).
    Local,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::All => "all",
            Audience::Local => "local",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        [Audience::All, Audience::Local]
            .into_iter()
            .find(|a| a.as_str() == s.trim())
    }

    pub fn includes(self, card: &CCard) -> bool {
        match self {
            Audience::All => true,
            Audience::Local => card.local.unwrap_or(true),
        }
    }
}

/// One broadcast: its kind, its day and the occasion (e.g. 国庆节, 台风"海葵"), which its key is
/// made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    pub kind: BroadcastKind,
    pub on: NaiveDate,
    pub occasion: String,
}

impl Broadcast {
    /// `kind/day/occasion`: two devices broadcasting the same thing on the same day share it.
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}",
            self.kind.as_str(),
            self.on.format("%Y-%m-%d"),
            self.occasion.trim()
        )
    }
}

/// The id of the broadcast's message to `c_card`.
pub fn broadcast_message_id(key: &str, c_card: Uuid) -> Uuid {
    super::derived_id(&format!("broadcast/{key}/{c_card}"), 0)
}

/// Why a broadcast cannot be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BroadcastError {
    /// No occasion given.
    NoOccasion,
    /// Nobody in the audience has a phone number.
    NoRecipients,
}

/// Whether `b` can be queued at all (an occasion given); whether anyone receives it is known
/// once the customers are read ([`BroadcastError::NoRecipients`]).
pub fn check(b: &Broadcast) -> Result<(), BroadcastError> {
    if b.occasion.trim().is_empty() {
        return Err(BroadcastError::NoOccasion);
    }
    Ok(())
}

/// The plan that queues `b` to `audience` (one SMS per customer with a phone, in `template` —
/// the CS manager's, else the kind's default), and how many messages it queues.
pub fn broadcast_plan(
    b: &Broadcast,
    audience: Audience,
    template: Option<&str>,
    cards: &[CCard],
    store: &str,
) -> Result<(Plan, usize), BroadcastError> {
    check(b)?;
    let (plan, n) = broadcast_page(b, audience, template, cards, store);
    if n == 0 {
        return Err(BroadcastError::NoRecipients);
    }
    Ok((plan, n))
}

/// The part of [`broadcast_plan`] for one page of the customers (a device reads them a page at a
/// time, never all at once): the messages to those of `cards` in `audience` with a phone, and
/// how many. The pages' plans together queue what [`broadcast_plan`] of every card does (each
/// message's id is the broadcast's and the customer's, so a page queued twice is one message
/// per customer). The caller checks the occasion first and that some page queued a message.
pub fn broadcast_page(
    b: &Broadcast,
    audience: Audience,
    template: Option<&str>,
    cards: &[CCard],
    store: &str,
) -> (Plan, usize) {
    let template = template
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| b.kind.default_template());
    let key = b.key();
    let mut plan = Plan::new();
    let mut n = 0;
    let mut seen = BTreeSet::new();
    for c in cards.iter().filter(|c| audience.includes(c)) {
        let Some(phone) = c.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) else {
            continue;
        };
        if !seen.insert(c.id) {
            continue;
        }
        let name = c.name.clone().unwrap_or_default();
        let body = render(template, &name, store, "").replace("{occasion}", b.occasion.trim());
        plan.push(
            PlannedWrite::new(broadcast_message_id(&key, c.id), &MESSAGE)
                .set("channel", "sms")
                .set("to_name", name.as_str())
                .set("to_phone", phone)
                .set("template", b.kind.as_str())
                .set("body", body)
                .set("c_card_id", c.id.to_string())
                .set("broadcast", key.as_str())
                .set("broadcast_on", b.on.format("%Y-%m-%d").to_string()),
        );
        n += 1;
    }
    (plan, n)
}

/// A queued broadcast message as counted: its broadcast's key and day. `None` for other messages.
pub fn broadcast_of(r: &RecordState) -> Option<(String, NaiveDate)> {
    let key = field::string(r, "broadcast")?;
    let on = field::text(r, "broadcast_on")
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())?;
    Some((key, on))
}

/// The month's broadcasts against the rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCount {
    /// The broadcasts' keys, in order.
    pub broadcasts: Vec<String>,
    /// The messages they queued.
    pub messages: usize,
}

impl MonthCount {
    /// At least [`MIN_PER_MONTH`] broadcasts.
    pub fn meets_rule(&self) -> bool {
        self.broadcasts.len() >= MIN_PER_MONTH
    }

    /// How many more are needed.
    pub fn missing(&self) -> usize {
        MIN_PER_MONTH.saturating_sub(self.broadcasts.len())
    }
}

/// The broadcasts made in the month starting `first`, from the messages' `(key, day)`.
pub fn month_count(messages: &[(String, NaiveDate)], first: NaiveDate) -> MonthCount {
    let (from, to) = month_of(first);
    let mut keys = BTreeSet::new();
    let mut n = 0;
    for (key, on) in messages {
        if *on >= from && *on <= to {
            keys.insert(key.clone());
            n += 1;
        }
    }
    MonthCount {
        broadcasts: keys.into_iter().collect(),
        messages: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::testing::{Device, card, d};

    fn bc(kind: BroadcastKind, on: &str, occasion: &str) -> Broadcast {
        Broadcast {
            kind,
            on: d(on),
            occasion: occasion.into(),
        }
    }

    #[test]
    fn a_broadcast_queues_one_message_per_customer_of_the_audience() {
        let mut away = card(2);
        away.local = Some(false);
        let mut no_phone = card(3);
        no_phone.phone = None;
        let cards = [card(1), away, no_phone, card(1)];
        let b = bc(BroadcastKind::Holiday, "2026-10-01", "国庆节");
        let (plan, n) = broadcast_plan(&b, Audience::All, None, &cards, "坤城福特").unwrap();
        assert_eq!(n, 2);
        assert_eq!(plan.writes.len(), 2);
        let (_, local) = broadcast_plan(&b, Audience::Local, None, &cards, "坤城福特").unwrap();
        assert_eq!(local, 1);
        let mut dev = Device::new(1);
        dev.run(&plan, "csmgr", 1_790_000_000_000);
        let m = dev.get(broadcast_message_id(&b.key(), Uuid::from_u128(1)));
        assert_eq!(
            field::string(m, "body").as_deref(),
            Some("客户1您好,坤城福特祝您国庆节快乐!出行请注意行车安全。")
        );
        assert_eq!(
            broadcast_of(m),
            Some(("holiday/2026-10-01/国庆节".into(), d("2026-10-01")))
        );
        assert_eq!(
            field::status(m, "status").as_deref(),
            Some("queued"),
            "queued in the outbox"
        );
        let (p, _) = broadcast_plan(
            &b,
            Audience::All,
            Some("{name}:{occasion}快乐 {store}"),
            &cards,
            "店",
        )
        .unwrap();
        let mut dev = Device::new(1);
        dev.run(&p, "csmgr", 1_790_000_000_000);
        assert!(
            dev.of("message")
                .iter()
                .any(|m| field::string(m, "body").as_deref() == Some("客户1:国庆节快乐 店"))
        );
    }

    #[test]
    fn refused_without_an_occasion_or_recipients() {
        let b = bc(BroadcastKind::SevereWeather, "2026-07-20", "  ");
        assert_eq!(
            broadcast_plan(&b, Audience::All, None, &[card(1)], "x").map(|(_, n)| n),
            Err(BroadcastError::NoOccasion)
        );
        assert_eq!(check(&b), Err(BroadcastError::NoOccasion));
        let b = bc(BroadcastKind::SevereWeather, "2026-07-20", "台风");
        assert_eq!(check(&b), Ok(()));
        let mut away = card(1);
        away.local = Some(false);
        assert_eq!(
            broadcast_plan(&b, Audience::Local, None, &[away], "x").map(|(_, n)| n),
            Err(BroadcastError::NoRecipients)
        );
    }

    #[test]
    fn queued_offline_on_two_devices_or_twice_it_is_one_message_per_customer() {
        let cards = [card(1), card(2)];
        let b = bc(BroadcastKind::SevereWeather, "2026-07-20", "台风预警");
        let (plan, _) = broadcast_plan(&b, Audience::All, None, &cards, "店").unwrap();
        let mut a = Device::new(1);
        let mut c = Device::new(2);
        let ops_a = a.run(&plan, "csmgr", 1_790_000_000_000);
        let mut ops_a2 = a.run(&plan, "csmgr", 1_790_000_001_000);
        let ops_c = c.run(&plan, "gm", 1_790_000_002_000);
        for op in &ops_c {
            a.receive(op);
        }
        ops_a2.extend(ops_a);
        for op in &ops_a2 {
            c.receive(op);
        }
        assert_eq!(a.records, c.records);
        assert_eq!(a.of("message").len(), 2);
        assert!(
            a.of("message")
                .iter()
                .all(|m| m.conflicts(&MESSAGE).is_empty())
        );
    }

    /// A device reads the customers a page at a time: the pages' plans queue the same messages as
    /// the plan of every card.
    #[test]
    fn a_broadcast_queued_page_by_page_is_the_broadcast_of_every_card() {
        let mut away = card(4);
        away.local = Some(false);
        let mut no_phone = card(5);
        no_phone.phone = None;
        let cards = [card(1), card(2), card(3), away, no_phone, card(6)];
        let b = bc(BroadcastKind::Holiday, "2026-10-01", "国庆节");
        for audience in [Audience::All, Audience::Local] {
            let (whole, n) = broadcast_plan(&b, audience, None, &cards, "店").unwrap();
            let mut paged = Device::new(1);
            let mut total = 0;
            for page in cards.chunks(2) {
                let (plan, k) = broadcast_page(&b, audience, None, page, "店");
                paged.run(&plan, "csmgr", 1_790_000_000_000);
                total += k;
            }
            let mut at_once = Device::new(1);
            at_once.run(&whole, "csmgr", 1_790_000_000_000);
            assert_eq!(total, n);
            let bodies = |d: &Device| -> Vec<(Uuid, Option<String>)> {
                d.of("message")
                    .iter()
                    .map(|m| (m.id, field::string(m, "body")))
                    .collect()
            };
            assert_eq!(bodies(&paged), bodies(&at_once));
        }
        // A page without a recipient queues nothing.
        let (plan, n) = broadcast_page(&b, Audience::All, None, &cards[4..5], "店");
        assert_eq!((plan.writes.len(), n), (0, 0));
    }

    /// The month's broadcasts read by their day (`records::index`: a message's `day` is its
    /// `broadcast_on`) count as every message does.
    #[test]
    fn the_months_broadcasts_read_by_day_count_as_every_message() {
        let cards = [card(1), card(2)];
        let mut dev = Device::new(1);
        for (on, occasion) in [
            ("2026-09-30", "中秋节"),
            ("2026-10-01", "国庆节"),
            ("2026-10-12", "台风"),
            ("2026-11-01", "立冬"),
        ] {
            let (plan, _) = broadcast_plan(
                &bc(BroadcastKind::Holiday, on, occasion),
                Audience::All,
                None,
                &cards,
                "店",
            )
            .unwrap();
            dev.run(&plan, "csmgr", 1_790_000_000_000);
        }
        let clock = crate::time::StoreClock::CHINA;
        let first = d("2026-10-01");
        let (from, to) = crate::care::monthly::report_days(first).broadcasts;
        let (from, to) = (from.to_string(), to.to_string());
        let every: Vec<_> = dev.of("message").iter().filter_map(broadcast_of).collect();
        let read: Vec<_> = dev
            .of("message")
            .iter()
            .filter(|m| {
                crate::records::index::keys(m, clock)
                    .day
                    .is_some_and(|day| day >= from && day <= to)
            })
            .filter_map(broadcast_of)
            .collect();
        assert_eq!(read.len(), 4);
        assert_eq!(month_count(&read, first), month_count(&every, first));
        assert_eq!(month_count(&read, first).broadcasts.len(), 2);
    }

    #[test]
    fn the_month_counts_broadcasts_against_three() {
        let m = |k: &str, on: &str| (k.to_string(), d(on));
        let msgs = [
            m("holiday/2026-10-01/国庆节", "2026-10-01"),
            m("holiday/2026-10-01/国庆节", "2026-10-01"),
            m("severe_weather/2026-10-12/台风", "2026-10-12"),
            m("holiday/2026-09-30/中秋节", "2026-09-30"),
        ];
        let c = month_count(&msgs, d("2026-10-01"));
        assert_eq!(c.broadcasts.len(), 2);
        assert_eq!(c.messages, 3);
        assert!(!c.meets_rule());
        assert_eq!(c.missing(), 1);
        let mut more = msgs.to_vec();
        more.push(m("holiday/2026-10-31/重阳节", "2026-10-31"));
        let c = month_count(&more, d("2026-10-01"));
        assert!(c.meets_rule());
        assert_eq!(c.missing(), 0);
        assert_eq!(
            BroadcastKind::parse("severe_weather"),
            Some(BroadcastKind::SevereWeather)
        );
        assert_eq!(Audience::parse("local"), Some(Audience::Local));
    }
}
