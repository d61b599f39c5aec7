use chrono::NaiveDate;

use super::*;
use crate::care::testing::Device;
use crate::plan::Plan;
use crate::records::CareTaskStatus;

const C: StoreClock = StoreClock::CHINA;
const TASK: Uuid = Uuid::from_u128(0x51);

fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 6, day)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

fn ms(t: NaiveDateTime) -> u64 {
    C.instant(t).timestamp_millis() as u64
}

fn new_task() -> Device {
    let mut dev = Device::new(1);
    dev.run(
        &Plan::new().then(
            PlannedWrite::new(TASK, &CARE_TASK)
                .set("kind", "first_maintenance")
                .set("role", "customer_service"),
        ),
        "li",
        ms(at(1, 8, 0)),
    );
    dev
}

fn call(dev: &mut Device, who: &str, t: NaiveDateTime, outcome: Outcome) {
    let id = Uuid::from_u128(u128::from(dev.counter) + 1000 * u128::from(dev.n));
    let channel = if outcome == Outcome::MessageSent {
        "sms"
    } else {
        "phone"
    };
    dev.run(
        &Plan::new().then(log_attempt(TASK, id, t, channel, outcome, "")),
        who,
        ms(t),
    );
}

fn task(dev: &Device) -> CareTask {
    CareTask::of(dev.get(TASK), C)
}

fn attempts(dev: &Device) -> Vec<Attempt> {
    Attempt::all_of(&task(dev), C)
}

#[test]
fn three_calls_at_three_times_of_day_within_three_days_then_a_message_then_failed() {
    let mut dev = new_task();
    call(&mut dev, "li", at(1, 9, 30), Outcome::NoAnswer);
    let p = unreachable_progress(&attempts(&dev));
    assert_eq!((p.calls, p.met()), (1, false));
    assert_eq!(
        check_fail(&attempts(&dev), Some("无法联系")),
        Err(UnreachableError::TooFewCalls { calls: 1 })
    );
    // A second morning call does not count; the afternoon one does.
    assert!(!would_count(&attempts(&dev), at(1, 11, 0)));
    call(&mut dev, "li", at(1, 11, 0), Outcome::Busy);
    assert_eq!(unreachable_progress(&attempts(&dev)).calls, 1);
    assert!(would_count(&attempts(&dev), at(2, 14, 0)));
    call(&mut dev, "li", at(2, 14, 0), Outcome::NoAnswer);
    call(&mut dev, "li", at(3, 18, 10), Outcome::WrongNumber);
    let p = unreachable_progress(&attempts(&dev));
    assert_eq!(p.calls, 3);
    assert_eq!(
        p.parts,
        vec![DayPart::Morning, DayPart::Afternoon, DayPart::Evening]
    );
    assert_eq!(p.third_call_at, Some(at(3, 18, 10)));
    assert_eq!(
        check_fail(&attempts(&dev), Some("无法联系")),
        Err(UnreachableError::NoMessage)
    );
    assert!(fail(&task(&dev), "无法联系", C).is_err());
    call(&mut dev, "li", at(3, 18, 15), Outcome::MessageSent);
    assert!(unreachable_progress(&attempts(&dev)).met());
    assert_eq!(
        check_fail(&attempts(&dev), Some("  ")),
        Err(UnreachableError::NoReason)
    );
    let w = fail(&task(&dev), "三次未接通,已发短信", C).unwrap();
    dev.run(&Plan::new().then(w), "li", ms(at(3, 18, 20)));
    let t = task(&dev);
    assert_eq!(t.status, CareTaskStatus::Failed);
    assert_eq!(t.fail_reason.as_deref(), Some("三次未接通,已发短信"));
    // Every attempt is still there.
    assert_eq!(t.attempts.len(), 5);
}

#[test]
fn calls_spread_over_more_than_three_days_or_a_message_before_the_third_call_do_not_count() {
    let mut dev = new_task();
    call(&mut dev, "li", at(1, 9, 0), Outcome::NoAnswer);
    call(&mut dev, "li", at(2, 14, 0), Outcome::NoAnswer);
    call(&mut dev, "li", at(2, 15, 0), Outcome::MessageSent);
    call(&mut dev, "li", at(4, 18, 0), Outcome::NoAnswer);
    let p = unreachable_progress(&attempts(&dev));
    assert_eq!(p.calls, 2);
    // A new window from day 2: afternoon (2), evening (4), morning (4).
    call(&mut dev, "li", at(4, 9, 0), Outcome::NoAnswer);
    let p = unreachable_progress(&attempts(&dev));
    assert_eq!(p.calls, 3);
    assert!(!p.message_sent, "the message came before the third call");
    // Reached calls never count.
    let mut dev = new_task();
    call(&mut dev, "li", at(1, 9, 0), Outcome::CallBackLater);
    call(&mut dev, "li", at(1, 13, 0), Outcome::NoAnswer);
    call(&mut dev, "li", at(1, 18, 0), Outcome::NoAnswer);
    assert_eq!(unreachable_progress(&attempts(&dev)).calls, 2);
}

#[test]
fn reaching_the_customer_closes_the_task_and_legacy_attempts_read() {
    let mut dev = new_task();
    call(&mut dev, "li", at(1, 9, 0), Outcome::Reached);
    assert_eq!(task(&dev).status, CareTaskStatus::Done);
    let legacy = LogItem {
        entry_id: Uuid::from_u128(1),
        value: json!({"at": "2026-06-01T10:00:00", "channel": "phone", "reached": true}),
        written_at: None,
        user_id: "wang".into(),
    };
    let a = Attempt::of(&legacy, C).unwrap();
    assert_eq!((a.outcome, a.by.as_str()), (Outcome::Reached, "wang"));
    let mut missed = legacy.clone();
    missed.value = json!({"at": "2026-06-01T10:00:00", "channel": "phone", "reached": false});
    assert_eq!(Attempt::of(&missed, C).unwrap().outcome, Outcome::NoAnswer);
    missed.value = json!({"note": "?"});
    assert_eq!(Attempt::of(&missed, C), None);
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
        assert!(!o.label_zh().is_empty() && !o.label_en().is_empty());
    }
    assert!(Outcome::CALL.iter().all(|o| *o != Outcome::MessageSent));
}

#[test]
fn two_people_who_took_the_same_task_offline_keep_both_attempts_and_show_a_double() {
    let mut li = new_task();
    let mut zhao = li.clone();
    zhao.n = 2;
    call(&mut li, "li", at(1, 9, 0), Outcome::NoAnswer);
    call(&mut zhao, "zhao", at(1, 9, 5), Outcome::Reached);
    // The tablets meet: their states join.
    let mut merged = li.get(TASK).clone();
    crate::sync::join(&mut merged, zhao.get(TASK)).unwrap();
    let t = CareTask::of(&merged, C);
    let all = Attempt::all_of(&t, C);
    assert_eq!(all.len(), 2);
    assert!(is_double(&all));
    assert_eq!(doubles(std::slice::from_ref(&t), C).len(), 1);
    assert!(!is_double(&attempts(&li)));
    assert!(doubles(&[task(&li)], C).is_empty());
}
