//! Messages (短信 / 微信) to customers: templates per task kind, a [`Gateway`] interface, and
//! the default gateway, the visible [`Outbox`]: queueing a message writes a `message` record
//! whose id is derived from the care task and the template ([`message_id`]), so a message
//! queued offline (on one device or two) is one record and is sent once. A gateway to an SMS or
//! WeChat service reads the queued records and moves them to `sent` (or `failed`).

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use uuid::Uuid;

use super::CareKind;
use super::calls::{Outcome, log_attempt};
use super::settings::CareSettings;
use crate::plan::{Plan, PlannedWrite};
use crate::records::{CareTask, MESSAGE};
use crate::sync::RecordState;

/// The store's default text for a kind of task (`{name}`: the customer, `{store}`: the store,
/// `{date}`: the task's due day).
pub fn default_template(kind: &str) -> &'static str {
    match CareKind::parse(kind) {
        Some(CareKind::FirstMaintenance) => {
            "{name}您好,您的爱车已到首保时间,请于{date}前到{store}做首次保养,可提前电话预约。"
        }
        Some(CareKind::Maintenance) => {
            "{name}您好,您的爱车即将到定期保养时间({date}前),欢迎预约{store}保养。"
        }
        Some(CareKind::WarrantyEnd) => {
            "{name}您好,您的爱车保修即将到期,{store}邀请您到店免费检查。"
        }
        Some(k) if k.is_insurance() => {
            "{name}您好,您的车险即将到期,{store}为您提供续保报价,欢迎来电咨询。"
        }
        Some(CareKind::Inspection) => "{name}您好,您的爱车年审即将到期,请及时办理。{store}",
        Some(CareKind::Birthday) => "{name}您好,{store}全体员工祝您生日快乐!",
        Some(CareKind::LostCustomer) => "{name}您好,{store}好久不见,欢迎回店检查保养。",
        _ => "{name}您好,{store}多次致电未能联系上您,如有需要请回电,谢谢。",
    }
}

/// The text of `template` with its placeholders filled.
pub fn render(template: &str, name: &str, store: &str, date: &str) -> String {
    template
        .replace("{name}", name)
        .replace("{store}", store)
        .replace("{date}", date)
}

/// The id of the message of `care_task` with `template`: one message per task and template.
pub fn message_id(care_task: Uuid, template: &str) -> Uuid {
    super::derived_id(&format!("message/{care_task}/{template}"), 0)
}

/// A message ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub id: Uuid,
    /// `sms` or `wechat`.
    pub channel: String,
    pub to_name: String,
    pub to_phone: String,
    /// The template's key (the task kind).
    pub template: String,
    pub body: String,
    pub c_card_id: Option<Uuid>,
    pub care_task_id: Uuid,
}

/// The message for `task` (after three unanswered calls, or a birthday's wishes) by SMS, in
/// the store's template for its kind (the CS manager's, else [`default_template`]). `None`
/// without a phone number.
pub fn compose(task: &CareTask, settings: &CareSettings, store: &str) -> Option<OutgoingMessage> {
    let phone = task.phone.clone().filter(|p| !p.trim().is_empty())?;
    let kind = task.kind.clone().unwrap_or_default();
    let template = settings
        .templates
        .get(&kind)
        .map(String::as_str)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| default_template(&kind));
    let name = task.customer_name.clone().unwrap_or_default();
    let date = task
        .due_at
        .map(|d| d.format("%-m月%-d日").to_string())
        .unwrap_or_default();
    Some(OutgoingMessage {
        id: message_id(task.id, &kind),
        channel: "sms".into(),
        to_name: name.clone(),
        to_phone: phone,
        template: kind,
        body: render(template, &name, store, &date),
        c_card_id: task.c_card_id,
        care_task_id: task.id,
    })
}

/// Where messages go.
pub trait Gateway {
    /// The gateway's name, as recorded on what it sends.
    fn name(&self) -> &'static str;
    /// The writes that queue (or send) `message`.
    fn send(&self, message: &OutgoingMessage) -> Plan;
}

/// The default gateway: the visible outbox. Queueing writes the `message` record (queued); the
/// outbox page lists it. No external service is needed to run or test.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outbox;

impl Gateway for Outbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn send(&self, m: &OutgoingMessage) -> Plan {
        let mut w = PlannedWrite::new(m.id, &MESSAGE)
            .set("channel", m.channel.as_str())
            .set("to_name", m.to_name.as_str())
            .set("to_phone", m.to_phone.as_str())
            .set("template", m.template.as_str())
            .set("body", m.body.as_str())
            .set("care_task_id", m.care_task_id.to_string());
        if let Some(c) = m.c_card_id {
            w = w.set("c_card_id", c.to_string());
        }
        Plan::new().then(w)
    }
}

/// The message through `gateway` and its attempt on the task (the unreachable rule's step
/// after three calls), as one plan. `entry_id`: a new id for the attempt.
pub fn send_for_task(
    gateway: &dyn Gateway,
    message: &OutgoingMessage,
    at: NaiveDateTime,
    entry_id: Uuid,
) -> Plan {
    let mut plan = gateway.send(message);
    plan.push(log_attempt(
        message.care_task_id,
        entry_id,
        at,
        &message.channel,
        Outcome::MessageSent,
        "",
    ));
    plan
}

/// How many days back the outbox (短信发件箱) lists messages: those first written (queued) in
/// the last [`OUTBOX_DAYS`] days, whatever their state. What it reads does not grow with the
/// store's years (with the default gateway nothing is ever marked sent: every message of every
/// year stays queued, so "the queued ones" would be all of them).
pub const OUTBOX_DAYS: i64 = 30;

/// The days whose messages the outbox lists on `today` (index `by_made`: the day a message was
/// first written), both inclusive.
pub fn outbox_days(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today - TimeDelta::days(OUTBOX_DAYS), today)
}

/// The outbox's rows: `messages` newest first (by when each was first written, then by id), each
/// once, without those in the bin.
pub fn outbox_order(messages: Vec<RecordState>) -> Vec<RecordState> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out: Vec<RecordState> = messages
        .into_iter()
        .filter(|m| !m.is_deleted() && seen.insert(m.id))
        .collect();
    out.sort_by_key(|m| std::cmp::Reverse((m.created, m.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::testing::Device;
    use crate::plan::Step;
    use crate::records::CARE_TASK;
    use crate::time::StoreClock;
    use chrono::NaiveDate;

    const TASK: Uuid = Uuid::from_u128(0x51);

    fn task() -> CareTask {
        let mut dev = Device::new(1);
        dev.run(
            &Plan::new().then(
                PlannedWrite::new(TASK, &CARE_TASK)
                    .set("kind", "first_maintenance")
                    .set("customer_name", "李女士")
                    .set("phone", "13812345678")
                    .set("due_at", "2026-06-10T17:30:00"),
            ),
            "li",
            1_780_000_000_000,
        );
        CareTask::of(dev.get(TASK), StoreClock::CHINA)
    }

    #[test]
    fn the_outbox_lists_the_last_thirty_days_newest_first_each_once() {
        assert_eq!(
            outbox_days(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()),
            (
                NaiveDate::from_ymd_opt(2026, 11, 7).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
            )
        );
        let mut dev = Device::new(1);
        let queue = |dev: &mut Device, n: u128, ms: u64| {
            let m = OutgoingMessage {
                id: Uuid::from_u128(n),
                channel: "sms".into(),
                to_name: "李女士".into(),
                to_phone: "13812345678".into(),
                template: "birthday".into(),
                body: "生日快乐".into(),
                c_card_id: None,
                care_task_id: Uuid::from_u128(0x51),
            };
            dev.run(&Outbox.send(&m), "li", ms);
        };
        queue(&mut dev, 9, 1_780_000_000_000);
        queue(&mut dev, 1, 1_780_000_500_000);
        queue(&mut dev, 5, 1_780_000_100_000);
        let all = dev.of("message");
        let mut twice = all.clone();
        twice.extend(all);
        let ids: Vec<u128> = outbox_order(twice).iter().map(|m| m.id.as_u128()).collect();
        assert_eq!(ids, vec![1, 5, 9]);
    }

    #[test]
    fn a_message_is_composed_from_the_template_and_has_a_derived_id() {
        let t = task();
        let m = compose(&t, &CareSettings::default(), "坤城福特").unwrap();
        assert_eq!(
            m.body,
            "李女士您好,您的爱车已到首保时间,请于6月10日前到坤城福特做首次保养,可提前电话预约。"
        );
        assert_eq!(m.id, message_id(TASK, "first_maintenance"));
        assert_ne!(m.id, message_id(TASK, "birthday"));
        let mut s = CareSettings::default();
        s.templates
            .insert("first_maintenance".into(), "{name}:首保 {date}".into());
        assert_eq!(compose(&t, &s, "x").unwrap().body, "李女士:首保 6月10日");
        let mut no_phone = t;
        no_phone.phone = None;
        assert_eq!(compose(&no_phone, &s, "x"), None);
        for k in CareKind::ALL {
            assert!(default_template(k.as_str()).contains("{name}"));
        }
    }

    #[test]
    fn queued_offline_on_two_devices_it_is_one_message() {
        let m = compose(&task(), &CareSettings::default(), "坤城福特").unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 6, 3)
            .unwrap()
            .and_hms_opt(18, 0, 0)
            .unwrap();
        let mut a = Device::new(1);
        let mut b = Device::new(2);
        let ops_a = a.run(
            &send_for_task(&Outbox, &m, at, Uuid::from_u128(1)),
            "li",
            1_780_000_000_000,
        );
        let ops_b = b.run(
            &send_for_task(&Outbox, &m, at, Uuid::from_u128(2)),
            "zhao",
            1_780_000_001_000,
        );
        for op in &ops_b {
            a.receive(op);
        }
        for op in &ops_a {
            b.receive(op);
        }
        assert_eq!(a.records, b.records);
        let messages = a.of("message");
        assert_eq!(messages.len(), 1);
        assert!(messages[0].conflicts(&MESSAGE).is_empty());
        assert_eq!(
            crate::records::field::status(&messages[0], "status").as_deref(),
            Some("queued")
        );
        let plan = Outbox.send(&m);
        assert_eq!(plan.writes.len(), 1);
        assert!(
            plan.writes[0]
                .steps
                .iter()
                .all(|s| !matches!(s, Step::Move(..)))
        );
        assert_eq!(Outbox.name(), "outbox");
    }
}
