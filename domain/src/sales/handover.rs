//! Hand-over when someone leaves (离职交接, 防止人走客户走): every open customer of the leaver
//! goes to one colleague in one step, with the history kept and a note on each record.
//!
//! What moves ([`handover_plan`]):
//! - every A-card whose consultant is the leaver and that is still open (following, loss
//!   proposed, re-contacted or ordered; not lost, not delivered): `consultant_id`;
//! - every key account the leaver is responsible for: `responsible_id`;
//! - every care task assigned to the leaver and still open: `assignee_id`.
//!
//! Records in the bin stay as they are. Each moved record gets an entry in its `handovers` log:
//! `{"text": "由X交接给Y (YYYY-MM-DD)", "from", "to", "date"}`, so the record shows who handed
//! it over and when; the earlier owner stays in the record's history (the ops).
//!
//! The plan is executed on the device of whoever hands over (the general manager), like any
//! other edit: offline it waits in the outbox, and the server checks each op.

use chrono::NaiveDateTime;
use serde_json::json;
use uuid::Uuid;

use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::sales::{ACard, CareTask, CareTaskStatus, KeyAccount};
use crate::records::{A_CARD, CARE_TASK, KEY_ACCOUNT};
use crate::sales::loss::ACardStatus;
use crate::sync::RecordState;
use crate::time::{StoreClock, stored_date};

/// The log field of the hand-over notes, on `a_card`, `key_account` and `care_task`.
pub const HANDOVERS: &str = "handovers";

/// A person in a hand-over: the user id and the name shown in the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

/// The note written on each handed-over record: `由X交接给Y (YYYY-MM-DD)`.
pub fn handover_note(leaver: &Person, to: &Person, now: NaiveDateTime) -> String {
    format!(
        "由{}交接给{} ({})",
        leaver.name,
        to.name,
        stored_date(now.date())
    )
}

/// Whether an A-card in this state is still being worked (and so moves at a hand-over).
pub fn a_card_is_open(status: ACardStatus) -> bool {
    !matches!(status, ACardStatus::Lost | ACardStatus::Delivered)
}

/// What a hand-over would move, counted per kind (for the confirmation before it is done).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandoverCount {
    pub a_cards: usize,
    pub key_accounts: usize,
    pub care_tasks: usize,
}

impl HandoverCount {
    pub fn total(self) -> usize {
        self.a_cards + self.key_accounts + self.care_tasks
    }
}

/// The field that names the owner of `r`, if `r` is an open record of the leaver's.
fn owner_field(leaver: Uuid, r: &RecordState, clock: StoreClock) -> Option<&'static str> {
    if r.is_deleted() {
        return None;
    }
    match r.record_type.as_str() {
        "a_card" => {
            let c = ACard::of(r, clock);
            (c.consultant_id == Some(leaver) && a_card_is_open(c.status)).then_some("consultant_id")
        }
        "key_account" => {
            (KeyAccount::of(r, clock).responsible_id == Some(leaver)).then_some("responsible_id")
        }
        "care_task" => {
            let t = CareTask::of(r, clock);
            (t.assignee_id == Some(leaver) && t.status == CareTaskStatus::Open)
                .then_some("assignee_id")
        }
        _ => None,
    }
}

/// How many records of each kind [`handover_plan`] would move.
pub fn handover_count(leaver: Uuid, records: &[RecordState], clock: StoreClock) -> HandoverCount {
    let mut n = HandoverCount::default();
    for r in records {
        match owner_field(leaver, r, clock) {
            Some("consultant_id") => n.a_cards += 1,
            Some("responsible_id") => n.key_accounts += 1,
            Some("assignee_id") => n.care_tasks += 1,
            _ => {}
        }
    }
    n
}

/// The writes that hand every open A-card, key account and open care task of `leaver` to
/// `to`, each with a note in its `handovers` log. Empty if the leaver has none, or if `to` is
/// the leaver.
pub fn handover_plan(
    leaver: &Person,
    to: &Person,
    records: &[RecordState],
    now: NaiveDateTime,
    clock: StoreClock,
) -> Plan {
    let mut plan = Plan::new();
    if leaver.id == to.id {
        return plan;
    }
    let note = handover_note(leaver, to, now);
    let entry = json!({
        "text": note,
        "from": leaver.id.to_string(),
        "to": to.id.to_string(),
        "date": stored_date(now.date()),
    });
    for r in records {
        let Some(field) = owner_field(leaver.id, r, clock) else {
            continue;
        };
        let record_type = match field {
            "consultant_id" => &A_CARD,
            "responsible_id" => &KEY_ACCOUNT,
            _ => &CARE_TASK,
        };
        plan.push(
            PlannedWrite::new(r.id, record_type)
                .set(field, to.id.to_string())
                .with(Step::Append(HANDOVERS, Uuid::now_v7(), entry.clone())),
        );
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::LogItem;
    use crate::records::field::tests::{op_on, record_with};
    use crate::records::{A_CARD_STATUS, CARE_TASK_STATUS};
    use crate::sync::{Clock, Op, RecordType, apply};
    use chrono::NaiveDate;
    use serde_json::Value;

    const WANG: Uuid = Uuid::from_u128(0xA1);
    const LI: Uuid = Uuid::from_u128(0xA2);
    const ZHAO: Uuid = Uuid::from_u128(0xA3);

    fn wang() -> Person {
        Person {
            id: WANG,
            name: "王芳".into(),
        }
    }
    fn li() -> Person {
        Person {
            id: LI,
            name: "李强".into(),
        }
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 6)
            .and_then(|d| d.and_hms_opt(10, 30, 0))
            .unwrap()
    }

    fn rec(rt: &'static RecordType, id: u128, fields: &[(&str, Value)]) -> RecordState {
        record_with(rt, id, 1_000, |e| {
            fields
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).unwrap())
                .collect()
        })
    }

    /// Moves the status of `r` along `path`.
    fn moved(mut r: RecordState, rt: &'static RecordType, path: &[&str]) -> RecordState {
        for (n, to) in path.iter().enumerate() {
            let op = r.id.as_u128() << 8 | (n as u128 + 2);
            op_on(&mut r, rt, op, 2_000 + n as u64, |e| {
                vec![e.transition("status", to).unwrap()]
            });
        }
        r
    }

    fn deleted(mut r: RecordState, rt: &'static RecordType) -> RecordState {
        let op = r.id.as_u128() << 8 | 0x80;
        op_on(&mut r, rt, op, 3_000, |e| vec![e.delete()]);
        r
    }

    fn records() -> Vec<RecordState> {
        let w = || json!(WANG.to_string());
        vec![
            rec(
                &A_CARD,
                1,
                &[("name", json!("张先生")), ("consultant_id", w())],
            ),
            moved(
                rec(&A_CARD, 2, &[("consultant_id", w())]),
                &A_CARD,
                &["loss_proposed"],
            ),
            moved(
                rec(&A_CARD, 3, &[("consultant_id", w())]),
                &A_CARD,
                &["loss_proposed", "re_contacted", "lost"],
            ),
            moved(
                rec(&A_CARD, 4, &[("consultant_id", w())]),
                &A_CARD,
                &["ordered", "delivered"],
            ),
            rec(&A_CARD, 5, &[("consultant_id", json!(ZHAO.to_string()))]),
            deleted(rec(&A_CARD, 6, &[("consultant_id", w())]), &A_CARD),
            rec(&KEY_ACCOUNT, 7, &[("responsible_id", w())]),
            rec(
                &KEY_ACCOUNT,
                8,
                &[("responsible_id", json!(ZHAO.to_string()))],
            ),
            rec(&CARE_TASK, 9, &[("assignee_id", w())]),
            moved(
                rec(&CARE_TASK, 10, &[("assignee_id", w())]),
                &CARE_TASK,
                &["done"],
            ),
        ]
    }

    fn run(plan: &Plan, states: &mut [RecordState]) {
        let mut clock = Clock::default();
        for w in &plan.writes {
            let s = states.iter_mut().find(|s| s.id == w.record_id).unwrap();
            let changes = w.changes(s).unwrap();
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: Uuid::from_u128(0xD2),
                user_id: "gm".into(),
                store_id: "demo".into(),
                record_id: w.record_id,
                record_type: w.record_type.name.into(),
                hlc: clock.now(5_000),
                changes,
            };
            apply(s, &op, w.record_type).unwrap();
        }
    }

    #[test]
    fn open_cards_accounts_and_open_tasks_move_to_the_colleague() {
        let mut states = records();
        let clock = StoreClock::default();
        let plan = handover_plan(&wang(), &li(), &states, now(), clock);
        let moved: Vec<u128> = plan.writes.iter().map(|w| w.record_id.as_u128()).collect();
        assert_eq!(
            moved,
            vec![1, 2, 7, 9],
            "lost, delivered, binned, done and others' stay"
        );
        assert_eq!(
            handover_count(WANG, &states, clock),
            HandoverCount {
                a_cards: 2,
                key_accounts: 1,
                care_tasks: 1
            }
        );
        assert_eq!(handover_count(WANG, &states, clock).total(), 4);

        run(&plan, &mut states);
        let by_id = |id: u128| states.iter().find(|s| s.id.as_u128() == id).unwrap();
        assert_eq!(ACard::of(by_id(1), clock).consultant_id, Some(LI));
        assert_eq!(ACard::of(by_id(1), clock).name.as_deref(), Some("张先生"));
        assert_eq!(ACard::of(by_id(2), clock).consultant_id, Some(LI));
        assert_eq!(
            ACard::of(by_id(2), clock).status,
            ACardStatus::LossProposed,
            "the status is kept"
        );
        assert_eq!(ACard::of(by_id(3), clock).consultant_id, Some(WANG));
        assert_eq!(ACard::of(by_id(4), clock).consultant_id, Some(WANG));
        assert_eq!(ACard::of(by_id(5), clock).consultant_id, Some(ZHAO));
        assert_eq!(KeyAccount::of(by_id(7), clock).responsible_id, Some(LI));
        assert_eq!(KeyAccount::of(by_id(8), clock).responsible_id, Some(ZHAO));
        assert_eq!(CareTask::of(by_id(9), clock).assignee_id, Some(LI));
        assert_eq!(CareTask::of(by_id(10), clock).assignee_id, Some(WANG));

        for id in [1, 2, 7, 9] {
            let notes: Vec<LogItem> = crate::records::field::log(by_id(id), HANDOVERS, clock);
            assert_eq!(notes.len(), 1, "record {id}");
            assert_eq!(notes[0].text("text"), Some("由王芳交接给李强 (2026-12-06)"));
            assert_eq!(notes[0].text("from"), Some(WANG.to_string().as_str()));
            assert_eq!(notes[0].text("to"), Some(LI.to_string().as_str()));
            assert_eq!(notes[0].user_id, "gm", "who handed over");
        }

        // Done again: nothing is left to move.
        assert!(handover_plan(&wang(), &li(), &states, now(), clock).is_empty());
    }

    #[test]
    fn nothing_to_hand_over_and_no_hand_over_to_oneself() {
        let states = records();
        let clock = StoreClock::default();
        assert!(handover_plan(&wang(), &wang(), &states, now(), clock).is_empty());
        let zhao = Person {
            id: Uuid::from_u128(0xEE),
            name: "钱丽".into(),
        };
        assert!(handover_plan(&zhao, &li(), &states, now(), clock).is_empty());
        assert_eq!(handover_count(zhao.id, &states, clock).total(), 0);
    }

    #[test]
    fn open_means_not_lost_and_not_delivered() {
        for s in A_CARD_STATUS.states {
            let status = ACardStatus::parse(s).unwrap();
            assert_eq!(
                a_card_is_open(status),
                !matches!(*s, "lost" | "delivered"),
                "{s}"
            );
        }
        assert_eq!(CARE_TASK_STATUS.initial, "open");
    }
}
