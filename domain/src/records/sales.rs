//! Typed views of the sales record types: each field read once by the rules of
//! [`super::field`] (text: non-blank string; flag: `true` or `"true"`; times and dates by the
//! store's clock). A view never fails: a field that is missing or unreadable is `None` (or
//! empty, or false), a status that is not one of its machine's states reads as the initial one.
//!
//! `X::of(record, clock)` reads a record of type `x`; it does not check the type or the bin
//! (callers filter by `record_type` and [`RecordState::is_deleted`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;
use uuid::Uuid;

use super::field::{self, LogItem};
use crate::roles::Role;
use crate::sales::grade::{FollowUpCard, IntentionGrade};
use crate::sales::loss::{ACardStatus, LossReason};
use crate::sales::order::{CancellationReason, parse_yuan};
use crate::sales::visit::{VisitSource, VisitorKind};
use crate::sync::RecordState;
use crate::time::StoreClock;

/// An A-card (`a_card`).
#[derive(Debug, Clone, PartialEq)]
pub struct ACard {
    pub id: Uuid,
    pub name: Option<String>,
    /// As typed (normalise with `sales::phone`).
    pub phone: Option<String>,
    /// A catalogue code, or text typed before the catalogue existed.
    pub intended_model: Option<String>,
    pub grade: Option<IntentionGrade>,
    pub source: Option<VisitSource>,
    pub consultant_id: Option<Uuid>,
    pub district: Option<String>,
    pub budget: Option<String>,
    pub current_car: Option<String>,
    pub finance_interest: Option<String>,
    pub first_contact_at: Option<NaiveDateTime>,
    /// The planned next follow-up (a date, or the date of a stored time).
    pub next_follow_up: Option<NaiveDate>,
    /// `following` when never moved or unreadable.
    pub status: ACardStatus,
    pub loss_reason: Option<LossReason>,
    pub loss_note: Option<String>,
    pub follow_ups: Vec<LogItem>,
    pub re_contacts: Vec<LogItem>,
    pub tags: Vec<String>,
}

impl ACard {
    pub fn of(r: &RecordState, clock: StoreClock) -> ACard {
        ACard {
            id: r.id,
            name: field::string(r, "name"),
            phone: field::string(r, "phone"),
            intended_model: field::string(r, "intended_model"),
            grade: field::text(r, "grade").and_then(IntentionGrade::parse),
            source: field::text(r, "source").and_then(VisitSource::parse),
            consultant_id: field::uuid(r, "consultant_id"),
            district: field::string(r, "district"),
            budget: field::string(r, "budget"),
            current_car: field::string(r, "current_car"),
            finance_interest: field::string(r, "finance_interest"),
            first_contact_at: field::time(r, "first_contact_at", clock),
            next_follow_up: field::date(r, "next_follow_up", clock),
            status: field::status(r, "status")
                .as_deref()
                .and_then(ACardStatus::parse)
                .unwrap_or(ACardStatus::Following),
            loss_reason: field::text(r, "loss_reason").and_then(LossReason::parse),
            loss_note: field::string(r, "loss_note"),
            follow_ups: field::log(r, "follow_ups", clock),
            re_contacts: field::log(r, "re_contacts", clock),
            tags: field::set(r, "tags"),
        }
    }
}

/// An A-card as the follow-up rules see it (`sales::grade::FollowUpCard`), when it is being
/// followed (status 跟进中) and has a contact: the last contact is the latest follow-up, else
/// the first contact (a date-only first contact, as an import writes, counts too); the planned
/// date is the card's 下次跟进日期. Today, the sleeping cards and a device's index of the cards
/// being followed all read a card through this.
pub fn follow_up_card(r: &RecordState, clock: StoreClock) -> Option<FollowUpCard> {
    let a = ACard::of(r, clock);
    if a.status != ACardStatus::Following {
        return None;
    }
    FollowUpCard::of_card(
        r.id,
        a.grade,
        field::date(r, "first_contact_at", clock),
        a.follow_ups
            .iter()
            .filter_map(|f| f.written_at.map(|t| t.date())),
        a.next_follow_up,
    )
}

/// A showroom visit or phone inquiry (`visit`).
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: Uuid,
    pub time_in: Option<NaiveDateTime>,
    pub time_out: Option<NaiveDateTime>,
    pub source: Option<VisitSource>,
    pub visitor_kind: Option<VisitorKind>,
    /// People in the group, as written (a number or numeric text).
    pub group_size: Option<u32>,
    pub consultant_id: Option<Uuid>,
    pub intended_model: Option<String>,
    pub a_card_id: Option<Uuid>,
    pub had_card_or_order: bool,
    pub referrer_name: Option<String>,
    pub referrer_phone: Option<String>,
    pub referrer_card_id: Option<Uuid>,
    pub notes: Vec<LogItem>,
}

impl Visit {
    pub fn of(r: &RecordState, clock: StoreClock) -> Visit {
        Visit {
            id: r.id,
            time_in: field::time(r, "time_in", clock),
            time_out: field::time(r, "time_out", clock),
            source: field::text(r, "source").and_then(VisitSource::parse),
            visitor_kind: field::text(r, "visitor_kind").and_then(VisitorKind::parse),
            group_size: field::integer(r, "group_size").and_then(|n| u32::try_from(n).ok()),
            consultant_id: field::uuid(r, "consultant_id"),
            intended_model: field::string(r, "intended_model"),
            a_card_id: field::uuid(r, "a_card_id"),
            had_card_or_order: field::flag(r, "had_card_or_order"),
            referrer_name: field::string(r, "referrer_name"),
            referrer_phone: field::string(r, "referrer_phone"),
            referrer_card_id: field::uuid(r, "referrer_card_id"),
            notes: field::log(r, "notes", clock),
        }
    }
}

/// The state of a test drive (`records::TEST_DRIVE_STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TestDriveStatus {
    Started,
    Ended,
    Cancelled,
}

impl TestDriveStatus {
    pub const ALL: [TestDriveStatus; 3] = [
        TestDriveStatus::Started,
        TestDriveStatus::Ended,
        TestDriveStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TestDriveStatus::Started => "started",
            TestDriveStatus::Ended => "ended",
            TestDriveStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TestDriveStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A test drive (`test_drive`).
#[derive(Debug, Clone, PartialEq)]
pub struct TestDrive {
    pub id: Uuid,
    pub a_card_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    /// The id of a fleet vehicle of the store's settings.
    pub vehicle_id: Option<String>,
    /// The id of a route of the store's settings.
    pub route_id: Option<String>,
    pub licence_no: Option<String>,
    pub licence_expiry: Option<NaiveDate>,
    /// Photos of the driving licence (驾驶证照片): blob ids (`domain::blob`).
    pub licence_photos: Vec<String>,
    /// The customer's signature of the test-drive agreement (试驾协议): a blob id.
    pub agreement_signature: Option<String>,
    pub started_at: Option<NaiveDateTime>,
    pub start_odometer: Option<i64>,
    pub ended_at: Option<NaiveDateTime>,
    pub end_odometer: Option<i64>,
    pub feedback: Option<String>,
    pub follow_up_date: Option<NaiveDate>,
    /// `started` when never moved or unreadable.
    pub status: TestDriveStatus,
}

impl TestDrive {
    pub fn of(r: &RecordState, clock: StoreClock) -> TestDrive {
        TestDrive {
            id: r.id,
            a_card_id: field::uuid(r, "a_card_id"),
            consultant_id: field::uuid(r, "consultant_id"),
            vehicle_id: field::string(r, "vehicle_id"),
            route_id: field::string(r, "route_id"),
            licence_no: field::string(r, "licence_no"),
            licence_expiry: field::date(r, "licence_expiry", clock),
            licence_photos: field::set(r, "licence_photos"),
            agreement_signature: field::string(r, "agreement_signature"),
            started_at: field::time(r, "started_at", clock),
            start_odometer: field::integer(r, "start_odometer"),
            ended_at: field::time(r, "ended_at", clock),
            end_odometer: field::integer(r, "end_odometer"),
            feedback: field::string(r, "feedback"),
            follow_up_date: field::date(r, "follow_up_date", clock),
            status: field::status(r, "status")
                .as_deref()
                .and_then(TestDriveStatus::parse)
                .unwrap_or(TestDriveStatus::Started),
        }
    }
}

/// The state of an order (`records::ORDER_STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Signed,
    Cancelled,
    Delivered,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 3] = [
        OrderStatus::Signed,
        OrderStatus::Cancelled,
        OrderStatus::Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Signed => "signed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The trade-in of an order (置换): the car and the value agreed, or the demo's plain "yes".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeIn {
    /// `true`: a trade-in without details.
    Yes,
    /// `{"car": …, "value": …}`.
    Car { car: String, value: Option<i64> },
}

/// An amount in yuan: a JSON number (rounded) or typed text (`268000`, `¥268,000`, `26.8万`).
fn yuan(r: &RecordState, f: &str) -> Option<i64> {
    match r.value(f)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|x| x.round() as i64)),
        Value::String(s) => parse_yuan(s),
        _ => None,
    }
}

/// An order (`order`).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: Uuid,
    pub a_card_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    /// A catalogue code.
    pub model: Option<String>,
    pub configuration: Option<String>,
    /// Yuan.
    pub price: Option<i64>,
    /// Yuan.
    pub deposit: Option<i64>,
    pub trade_in: Option<TradeIn>,
    pub finance_campaign: Option<String>,
    pub insurance: Option<String>,
    pub signed_at: Option<NaiveDateTime>,
    pub promised_date: Option<NaiveDate>,
    pub cancel_reason: Option<CancellationReason>,
    pub cancel_note: Option<String>,
    pub vin: Option<String>,
    pub plate: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    /// `signed` when never moved or unreadable.
    pub status: OrderStatus,
    pub promises: Vec<String>,
    pub checklist_done: Vec<String>,
    pub date_changes: Vec<LogItem>,
}

impl Order {
    pub fn of(r: &RecordState, clock: StoreClock) -> Order {
        let trade_in = match r.value("trade_in") {
            Some(Value::Object(m)) => Some(TradeIn::Car {
                car: m
                    .get("car")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                value: m.get("value").and_then(Value::as_i64),
            }),
            Some(v) if field::is_true(v) => Some(TradeIn::Yes),
            _ => None,
        };
        Order {
            id: r.id,
            a_card_id: field::uuid(r, "a_card_id"),
            consultant_id: field::uuid(r, "consultant_id"),
            model: field::string(r, "model"),
            configuration: field::string(r, "configuration"),
            price: yuan(r, "price"),
            deposit: yuan(r, "deposit"),
            trade_in,
            finance_campaign: field::string(r, "finance_campaign"),
            insurance: field::string(r, "insurance"),
            signed_at: field::time(r, "signed_at", clock),
            promised_date: field::date(r, "promised_date", clock),
            cancel_reason: field::text(r, "cancel_reason").and_then(|s| {
                CancellationReason::ALL
                    .into_iter()
                    .find(|c| c.as_str() == s)
            }),
            cancel_note: field::string(r, "cancel_note"),
            vin: field::string(r, "vin"),
            plate: field::string(r, "plate"),
            delivered_at: field::time(r, "delivered_at", clock),
            status: field::status(r, "status")
                .as_deref()
                .and_then(OrderStatus::parse)
                .unwrap_or(OrderStatus::Signed),
            promises: field::set(r, "promises"),
            checklist_done: field::set(r, "checklist_done"),
            date_changes: field::log(r, "date_changes", clock),
        }
    }
}

/// A C-card (`c_card`): a customer who bought here.
#[derive(Debug, Clone, PartialEq)]
pub struct CCard {
    pub id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub a_card_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub vin: Option<String>,
    pub plate: Option<String>,
    /// A catalogue code.
    pub model: Option<String>,
    pub delivery_date: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    pub insurance_expiry: Option<NaiveDate>,
    pub inspection_date: Option<NaiveDate>,
    pub birthday: Option<NaiveDate>,
    /// Local (本地) or out of town; `None` when not recorded.
    pub local: Option<bool>,
    pub rewards: Vec<LogItem>,
    pub points: i64,
}

impl CCard {
    pub fn of(r: &RecordState, clock: StoreClock) -> CCard {
        CCard {
            id: r.id,
            name: field::string(r, "name"),
            phone: field::string(r, "phone"),
            a_card_id: field::uuid(r, "a_card_id"),
            order_id: field::uuid(r, "order_id"),
            consultant_id: field::uuid(r, "consultant_id"),
            vin: field::string(r, "vin"),
            plate: field::string(r, "plate"),
            model: field::string(r, "model"),
            delivery_date: field::date(r, "delivery_date", clock),
            warranty_end: field::date(r, "warranty_end", clock),
            insurance_expiry: field::date(r, "insurance_expiry", clock),
            inspection_date: field::date(r, "inspection_date", clock),
            birthday: field::date(r, "birthday", clock),
            local: field::opt_flag(r, "local"),
            rewards: field::log(r, "rewards", clock),
            points: r.counter("points"),
        }
    }
}

/// The state of a care task (`records::CARE_TASK_STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CareTaskStatus {
    Open,
    Failed,
    Done,
}

impl CareTaskStatus {
    pub const ALL: [CareTaskStatus; 3] = [
        CareTaskStatus::Open,
        CareTaskStatus::Failed,
        CareTaskStatus::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareTaskStatus::Open => "open",
            CareTaskStatus::Failed => "failed",
            CareTaskStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<CareTaskStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A care task (`care_task`).
#[derive(Debug, Clone, PartialEq)]
pub struct CareTask {
    pub id: Uuid,
    /// The task's kind as stored (e.g. a `sales::order::TaskKind` name).
    pub kind: Option<String>,
    pub customer_name: Option<String>,
    pub phone: Option<String>,
    pub a_card_id: Option<Uuid>,
    pub c_card_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub due_at: Option<NaiveDateTime>,
    /// The role the task is for.
    pub role: Option<Role>,
    pub assignee_id: Option<Uuid>,
    pub note: Option<String>,
    /// `open` when never moved or unreadable.
    pub status: CareTaskStatus,
    pub attempts: Vec<LogItem>,
    /// The day the task shows in the lists (`care::schedule`); `None` for tasks made by other
    /// workflows (they show from their due day).
    pub starts_on: Option<NaiveDate>,
    /// Why the task was recorded as failed (`care::calls`).
    pub fail_reason: Option<String>,
}

impl CareTask {
    pub fn of(r: &RecordState, clock: StoreClock) -> CareTask {
        CareTask {
            id: r.id,
            kind: field::string(r, "kind"),
            customer_name: field::string(r, "customer_name"),
            phone: field::string(r, "phone"),
            a_card_id: field::uuid(r, "a_card_id"),
            c_card_id: field::uuid(r, "c_card_id"),
            order_id: field::uuid(r, "order_id"),
            due_at: field::time(r, "due_at", clock),
            role: field::text(r, "role").and_then(|s| Role::parse(s.trim())),
            assignee_id: field::uuid(r, "assignee_id"),
            note: field::string(r, "note"),
            status: field::status(r, "status")
                .as_deref()
                .and_then(CareTaskStatus::parse)
                .unwrap_or(CareTaskStatus::Open),
            attempts: field::log(r, "attempts", clock),
            starts_on: field::date(r, "starts_on", clock),
            fail_reason: field::string(r, "fail_reason"),
        }
    }
}

/// A key account (`key_account`).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyAccount {
    pub id: Uuid,
    pub name: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub responsible_id: Option<Uuid>,
    pub purchase_plan: Option<String>,
    /// By the flag rule: `true` or `"true"`.
    pub bought_here: bool,
    pub decision_makers: Vec<LogItem>,
    pub visits: Vec<LogItem>,
}

impl KeyAccount {
    pub fn of(r: &RecordState, clock: StoreClock) -> KeyAccount {
        KeyAccount {
            id: r.id,
            name: field::string(r, "name"),
            industry: field::string(r, "industry"),
            address: field::string(r, "address"),
            responsible_id: field::uuid(r, "responsible_id"),
            purchase_plan: field::string(r, "purchase_plan"),
            bought_here: field::flag(r, "bought_here"),
            decision_makers: field::log(r, "decision_makers", clock),
            visits: field::log(r, "visits", clock),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::field::tests::record_with;
    use crate::records::{
        A_CARD, C_CARD, CARE_TASK, CARE_TASK_STATUS, KEY_ACCOUNT, ORDER, ORDER_STATUS, TEST_DRIVE,
        TEST_DRIVE_STATUS, VISIT,
    };
    use crate::sync::Change;
    use serde_json::json;

    fn rec(
        rt: &'static crate::sync::RecordType,
        pairs: &[(&str, Value)],
        extra: impl FnOnce(&crate::sync::Edit<'_>) -> Vec<Change>,
    ) -> RecordState {
        record_with(rt, 9, 1_000, |e| {
            let mut c: Vec<Change> = pairs
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).unwrap())
                .collect();
            c.extend(extra(e));
            c
        })
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }
    fn at(m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(m, day).and_hms_opt(h, min, 0).unwrap()
    }
    const C: StoreClock = StoreClock::CHINA;
    const WANG: Uuid = Uuid::from_u128(0xA1);

    #[test]
    fn status_enums_match_their_machines() {
        let names = |v: Vec<&'static str>| v;
        assert_eq!(
            names(TestDriveStatus::ALL.iter().map(|s| s.as_str()).collect()),
            TEST_DRIVE_STATUS.states.to_vec()
        );
        assert_eq!(
            names(OrderStatus::ALL.iter().map(|s| s.as_str()).collect()),
            ORDER_STATUS.states.to_vec()
        );
        assert_eq!(
            names(CareTaskStatus::ALL.iter().map(|s| s.as_str()).collect()),
            CARE_TASK_STATUS.states.to_vec()
        );
        assert_eq!(OrderStatus::parse("gone"), None);
    }

    #[test]
    fn an_a_card_read_whole() {
        let r = rec(
            &A_CARD,
            &[
                ("name", json!("王建华")),
                ("phone", json!("138 1234 5678")),
                ("intended_model", json!("levin")),
                ("grade", json!("h")),
                ("source", json!("walk_in")),
                ("consultant_id", json!(WANG.to_string())),
                ("first_contact_at", json!("2026-03-14T01:05:00Z")),
                ("next_follow_up", json!("2026-03-16")),
                ("loss_reason", json!("other_brand")),
                ("loss_note", json!("")),
            ],
            |e| {
                vec![
                    e.append("follow_ups", Uuid::from_u128(1), json!({"note": "called"}))
                        .unwrap(),
                    e.set_add("tags", "vip").unwrap(),
                ]
            },
        );
        let c = ACard::of(&r, C);
        assert_eq!(c.id, r.id);
        assert_eq!(c.name.as_deref(), Some("王建华"));
        assert_eq!(c.phone.as_deref(), Some("138 1234 5678"));
        assert_eq!(c.intended_model.as_deref(), Some("levin"));
        assert_eq!(c.grade, Some(IntentionGrade::H));
        assert_eq!(c.source, Some(VisitSource::WalkIn));
        assert_eq!(c.consultant_id, Some(WANG));
        assert_eq!(
            c.first_contact_at,
            Some(at(3, 14, 9, 5)),
            "UTC → store time"
        );
        assert_eq!(c.next_follow_up, Some(d(3, 16)));
        assert_eq!(c.status, ACardStatus::Following);
        assert_eq!(c.loss_reason, Some(LossReason::OtherBrand));
        assert_eq!(c.loss_note, None);
        assert_eq!(c.follow_ups.len(), 1);
        assert_eq!(c.follow_ups[0].text("note"), Some("called"));
        assert!(c.re_contacts.is_empty());
        assert_eq!(c.tags, vec!["vip"]);
    }

    #[test]
    fn an_empty_a_card_reads_as_nothing() {
        let r = rec(&A_CARD, &[("grade", json!("Z"))], |_| vec![]);
        let c = ACard::of(&r, C);
        assert_eq!(c.name, None);
        assert_eq!(c.grade, None, "not a grade");
        assert_eq!(c.consultant_id, None);
        assert_eq!(c.first_contact_at, None);
        assert_eq!(c.status, ACardStatus::Following);
        assert!(c.follow_ups.is_empty() && c.tags.is_empty());
    }

    #[test]
    fn a_visit_with_a_local_time_and_text_numbers() {
        let r = rec(
            &VISIT,
            &[
                ("time_in", json!("2026-03-02T10:00:00")),
                ("time_out", json!("2026-03-02 10:40")),
                ("source", json!("phone_inquiry")),
                ("visitor_kind", json!("prospect")),
                ("group_size", json!("3")),
                ("a_card_id", json!("not an id")),
                ("had_card_or_order", json!("true")),
                ("referrer_card_id", json!(WANG.to_string())),
            ],
            |_| vec![],
        );
        let v = Visit::of(&r, C);
        assert_eq!(v.time_in, Some(at(3, 2, 10, 0)));
        assert_eq!(v.time_out, Some(at(3, 2, 10, 40)));
        assert_eq!(v.source, Some(VisitSource::PhoneInquiry));
        assert_eq!(v.visitor_kind, Some(VisitorKind::Prospect));
        assert_eq!(v.group_size, Some(3));
        assert_eq!(v.a_card_id, None);
        assert!(v.had_card_or_order, "the text \"true\" is true");
        assert_eq!(v.referrer_card_id, Some(WANG));
        assert_eq!(v.consultant_id, None);
        let r = rec(&VISIT, &[("group_size", json!(-1))], |_| vec![]);
        assert_eq!(Visit::of(&r, C).group_size, None);
        assert!(!Visit::of(&r, C).had_card_or_order);
    }

    #[test]
    fn a_test_drive() {
        let r = rec(
            &TEST_DRIVE,
            &[
                ("a_card_id", json!(WANG.to_string())),
                ("vehicle_id", json!("v1")),
                ("licence_expiry", json!("2030-01-31")),
                ("started_at", json!("2026-03-02T10:20:00+08:00")),
                ("start_odometer", json!(1200)),
                ("end_odometer", json!("1215")),
                ("follow_up_date", json!("2026-03-03")),
            ],
            |_| vec![],
        );
        let t = TestDrive::of(&r, C);
        assert_eq!(t.a_card_id, Some(WANG));
        assert_eq!(t.vehicle_id.as_deref(), Some("v1"));
        assert_eq!(t.licence_expiry, NaiveDate::from_ymd_opt(2030, 1, 31));
        assert_eq!(t.started_at, Some(at(3, 2, 10, 20)));
        assert_eq!(t.start_odometer, Some(1200));
        assert_eq!(t.end_odometer, Some(1215));
        assert_eq!(t.ended_at, None);
        assert_eq!(t.follow_up_date, Some(d(3, 3)));
        assert_eq!(t.status, TestDriveStatus::Started);
    }

    #[test]
    fn an_order_with_amounts_and_trade_in() {
        let r = rec(
            &ORDER,
            &[
                ("model", json!("levin")),
                ("price", json!("¥268,000")),
                ("deposit", json!(5000.4)),
                ("trade_in", json!({"car": "朗逸", "value": 50000})),
                ("signed_at", json!("2026-03-10T11:00:00")),
                ("promised_date", json!("2026-04-01")),
                ("cancel_reason", json!("long_wait")),
            ],
            |e| vec![e.set_add("promises", "floor_mats").unwrap()],
        );
        let o = Order::of(&r, C);
        assert_eq!(o.model.as_deref(), Some("levin"));
        assert_eq!(o.price, Some(268_000));
        assert_eq!(o.deposit, Some(5000));
        assert_eq!(
            o.trade_in,
            Some(TradeIn::Car {
                car: "朗逸".into(),
                value: Some(50_000)
            })
        );
        assert_eq!(o.signed_at, Some(at(3, 10, 11, 0)));
        assert_eq!(o.promised_date, NaiveDate::from_ymd_opt(2026, 4, 1));
        assert_eq!(o.cancel_reason, Some(CancellationReason::LongWait));
        assert_eq!(o.status, OrderStatus::Signed);
        assert_eq!(o.promises, vec!["floor_mats"]);
        assert!(o.checklist_done.is_empty());
        let yes = rec(&ORDER, &[("trade_in", json!(true))], |_| vec![]);
        assert_eq!(Order::of(&yes, C).trade_in, Some(TradeIn::Yes));
        let no = rec(&ORDER, &[("trade_in", json!(false))], |_| vec![]);
        assert_eq!(Order::of(&no, C).trade_in, None);
        assert_eq!(Order::of(&no, C).price, None);
    }

    #[test]
    fn a_c_card_and_a_care_task() {
        let r = rec(
            &C_CARD,
            &[
                ("name", json!("王建华")),
                ("delivery_date", json!("2026-03-20")),
                ("birthday", json!("1985-06-01")),
                ("local", json!(false)),
            ],
            |e| vec![e.add("points", 30).unwrap()],
        );
        let c = CCard::of(&r, C);
        assert_eq!(c.delivery_date, Some(d(3, 20)));
        assert_eq!(c.birthday, NaiveDate::from_ymd_opt(1985, 6, 1));
        assert_eq!(c.local, Some(false));
        assert_eq!(c.points, 30);
        assert_eq!(c.warranty_end, None);

        let r = rec(
            &CARE_TASK,
            &[
                ("kind", json!("delivery_call_24h")),
                ("due_at", json!("2026-03-21T15:00:00")),
                ("role", json!("sales_consultant")),
                ("assignee_id", json!(WANG.to_string())),
            ],
            |_| vec![],
        );
        let t = CareTask::of(&r, C);
        assert_eq!(t.kind.as_deref(), Some("delivery_call_24h"));
        assert_eq!(t.due_at, Some(at(3, 21, 15, 0)));
        assert_eq!(t.role, Some(Role::SalesConsultant));
        assert_eq!(t.assignee_id, Some(WANG));
        assert_eq!(t.status, CareTaskStatus::Open);
    }

    #[test]
    fn a_key_account_bought_here_by_either_spelling() {
        for (v, bought) in [
            (json!(true), true),
            (json!("true"), true),
            (json!(false), false),
            (json!("no"), false),
        ] {
            let r = rec(
                &KEY_ACCOUNT,
                &[
                    ("name", json!("恒通物流")),
                    ("responsible_id", json!(WANG.to_string())),
                    ("bought_here", v.clone()),
                ],
                |_| vec![],
            );
            let k = KeyAccount::of(&r, C);
            assert_eq!(k.bought_here, bought, "{v}");
            assert_eq!(k.responsible_id, Some(WANG));
            assert_eq!(k.name.as_deref(), Some("恒通物流"));
        }
    }
}
