use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use super::*;
use crate::care::calls::log_attempt;
use crate::care::schedule::{ServiceKind, generate, new_tasks_plan};
use crate::care::settings::CareSettings;
use crate::care::task_id;
use crate::care::testing::{Device, card, d};
use crate::plan::Plan;

const C: StoreClock = StoreClock::CHINA;
const LI: &str = "0190f000-0000-7000-8000-0000000000a1";
const ZHAO: &str = "0190f000-0000-7000-8000-0000000000a2";

fn at(date: &str, h: u32) -> NaiveDateTime {
    d(date).and_hms_opt(h, 0, 0).unwrap()
}

fn ms(t: NaiveDateTime) -> u64 {
    C.instant(t).timestamp_millis() as u64
}

fn li() -> Actor {
    Actor::new(LI, &[Role::CustomerService])
}

/// A device holding the schedule's insurance tasks of card 1, expiring 2026-08-15.
fn device() -> (Device, CCard) {
    let mut c = card(1);
    c.insurance_expiry = Some(d("2025-08-15"));
    c.delivery_date = Some(d("2024-08-10"));
    let rows = generate(
        std::slice::from_ref(&c),
        &[],
        &CareSettings::default(),
        d("2026-07-05"),
    );
    let plan = new_tasks_plan(&rows, &BTreeSet::new(), |_| None);
    let mut dev = Device::new(1);
    dev.run(&plan, "csmgr", ms(at("2026-06-25", 8)));
    (dev, c)
}

fn tasks(dev: &Device) -> Vec<InsuranceTask> {
    dev.of("care_task")
        .iter()
        .filter_map(|r| InsuranceTask::of(r, C))
        .collect()
}

fn t45() -> Uuid {
    task_id(
        Uuid::from_u128(1),
        CareKind::InsuranceFirst,
        d("2026-08-15"),
    )
}

fn call(dev: &mut Device, task: Uuid, n: u128, when: NaiveDateTime, o: Outcome, who: &str) {
    dev.run(
        &Plan::new().then(log_attempt(task, Uuid::from_u128(n), when, "phone", o, "")),
        who,
        ms(when),
    );
}

fn op_of(dev: &Device, w: &PlannedWrite, user: &str, t: NaiveDateTime) -> Op {
    dev.op_for(w, user, ms(t))
}

fn renewed(premium: &str) -> OutcomeInput {
    OutcomeInput {
        outcome: RenewalOutcome::Renewed,
        premium: premium.into(),
        insurer: "人保".into(),
        lost_to_kind: None,
        lost_to: String::new(),
    }
}

#[test]
fn the_schedules_tasks_read_back_as_one_renewal_with_its_contact_dates() {
    let (dev, c) = device();
    let ts = tasks(&dev);
    // Last year's expiry (2025-08-15) is past the lookback; this year's three contacts are made.
    let this: Vec<_> = ts.iter().filter(|t| t.expiry == d("2026-08-15")).collect();
    assert_eq!(this.len(), 3, "{ts:?}");
    let r = pipeline(&[c], &ts, &[], d("2026-07-01"), C);
    let r = r.iter().find(|r| r.expiry == d("2026-08-15")).unwrap();
    let dates: Vec<_> = r.contacts.iter().map(|c| c.date).collect();
    assert_eq!(
        dates,
        vec![d("2026-07-01"), d("2026-07-13"), d("2026-07-16")]
    );
    assert!(r.contacts.iter().all(|c| c.task_id.is_some()));
    assert_eq!(r.contacts[0].task_id, Some(t45()));
    assert_eq!(r.stage, Stage::ToContact);
    assert_eq!(r.next_contact, Some(d("2026-07-01")));
    assert!(!r.overdue);
    assert_eq!(r.call_task(), Some(t45()));
}

#[test]
fn an_unanswered_call_is_not_an_effective_follow_up() {
    let (mut dev, c) = device();
    call(
        &mut dev,
        t45(),
        1,
        at("2026-07-01", 9),
        Outcome::NoAnswer,
        LI,
    );
    call(&mut dev, t45(), 2, at("2026-07-01", 14), Outcome::Busy, LI);
    let today = d("2026-07-05");
    let rs = pipeline(std::slice::from_ref(&c), &tasks(&dev), &[], today, C);
    let r = rs.iter().find(|r| r.expiry == d("2026-08-15")).unwrap();
    assert_eq!((r.stage, r.effective_follow_ups), (Stage::ToContact, 0));
    // T−45 was not reached: the next date is the next contact point still ahead (T−33).
    assert_eq!(r.next_contact, Some(d("2026-07-13")));
    call(
        &mut dev,
        t45(),
        3,
        at("2026-07-02", 18),
        Outcome::Reached,
        LI,
    );
    let rs = pipeline(std::slice::from_ref(&c), &tasks(&dev), &[], today, C);
    let r = rs.iter().find(|r| r.expiry == d("2026-08-15")).unwrap();
    assert_eq!((r.stage, r.effective_follow_ups), (Stage::Contacted, 1));
    assert_eq!(r.next_contact, Some(d("2026-07-13")));
    // Past every contact date with no outcome: overdue.
    let late = pipeline(&[c], &tasks(&dev), &[], d("2026-07-20"), C);
    let r = late.iter().find(|r| r.expiry == d("2026-08-15")).unwrap();
    assert!(r.overdue);
}

#[test]
fn segments_first_renewal_renewal_serviced_here_and_lapsed() {
    let mut c = card(1);
    c.delivery_date = Some(d("2025-08-10"));
    assert_eq!(
        segment(Some(&c), d("2026-08-10"), None, &[]),
        Segment::FirstRenewal
    );
    let t = d("2027-08-10");
    assert_eq!(
        segment(Some(&c), t, Some(RenewalOutcome::Renewed), &[]),
        Segment::Renewal
    );
    let svc = PastService {
        c_card_id: None,
        vehicle_vin: c.vin.clone(),
        date: d("2027-03-01"),
        odometer_km: None,
        kind: ServiceKind::Repair,
    };
    assert_eq!(
        segment(
            Some(&c),
            t,
            Some(RenewalOutcome::Lost),
            std::slice::from_ref(&svc)
        ),
        Segment::ServicedNotInsured
    );
    assert_eq!(
        segment(Some(&c), t, None, std::slice::from_ref(&svc)),
        Segment::ServicedNotInsured
    );
    // A service more than a year before T does not count.
    let old = PastService {
        date: d("2026-01-01"),
        ..svc
    };
    assert_eq!(segment(Some(&c), t, None, &[old]), Segment::Lapsed);
    for s in Segment::ALL {
        assert!(!s.label_zh().is_empty() && !s.as_str().is_empty());
    }
}

#[test]
fn an_outcome_needs_a_reached_call_the_assigned_specialist_and_a_positive_quote() {
    let (mut dev, _) = device();
    let when = at("2026-07-01", 10);
    let w = record_outcome(t45(), &renewed("3,280.50"), when).unwrap();
    // No reached call yet (a no-answer does not count).
    call(
        &mut dev,
        t45(),
        1,
        at("2026-07-01", 9),
        Outcome::NoAnswer,
        LI,
    );
    let op = op_of(&dev, &w, LI, when);
    let err = check(&li(), dev.get(t45()), &op, C).unwrap_err();
    assert_eq!(err, RenewalError::NoReachedCall);
    assert!(err.message_zh().contains("接通"), "{}", err.message_zh());
    call(
        &mut dev,
        t45(),
        2,
        at("2026-07-01", 9),
        Outcome::Reached,
        LI,
    );
    let op = op_of(&dev, &w, LI, when);
    assert_eq!(check(&li(), dev.get(t45()), &op, C), Ok(()));
    // A consultant may not; nor another specialist who did not call; the CS manager may.
    let wang = Actor::new("wang", &[Role::SalesConsultant]);
    let err = check(&wang, dev.get(t45()), &op, C).unwrap_err();
    assert!(err.is_forbidden() && err.code() == "renewal_not_assigned");
    let zhao = Actor::new(ZHAO, &[Role::CustomerService]);
    assert_eq!(
        check(&zhao, dev.get(t45()), &op, C),
        Err(RenewalError::NotAssigned)
    );
    let boss = Actor::new("boss", &[Role::CustomerServiceManager]);
    assert_eq!(check(&boss, dev.get(t45()), &op, C), Ok(()));
    // A stored assignee decides who the specialist is.
    dev.run(
        &Plan::new().then(PlannedWrite::new(t45(), &CARE_TASK).set("assignee_id", ZHAO)),
        "boss",
        ms(when),
    );
    let op = op_of(&dev, &w, LI, when);
    assert_eq!(
        check(&li(), dev.get(t45()), &op, C),
        Err(RenewalError::NotAssigned)
    );
    assert_eq!(check(&zhao, dev.get(t45()), &op, C), Ok(()));
    // The quote is a positive amount, on the device and at the server.
    assert_eq!(parse_premium("-5"), Err(RenewalError::QuoteInvalid));
    assert_eq!(parse_premium("abc"), Err(RenewalError::QuoteInvalid));
    assert_eq!(parse_premium("¥3,280.5"), Ok(3280.5));
    let negative = PlannedWrite::new(t45(), &CARE_TASK)
        .set("renewal_outcome", "renewed")
        .set("renewal_premium", json!(-100));
    let op = op_of(&dev, &negative, ZHAO, when);
    let err = check(&zhao, dev.get(t45()), &op, C).unwrap_err();
    assert_eq!(err.code(), "renewal_quote_invalid");
    assert!(err.message_en().contains("above zero"));
    let unknown = PlannedWrite::new(t45(), &CARE_TASK)
        .set("renewal_outcome", "maybe")
        .set("renewal_premium", json!(100));
    let op = op_of(&dev, &unknown, ZHAO, when);
    assert_eq!(
        check(&zhao, dev.get(t45()), &op, C),
        Err(RenewalError::OutcomeUnknown)
    );
}

#[test]
fn lost_names_to_whom_and_only_insurance_tasks_carry_outcomes() {
    let (mut dev, _) = device();
    call(
        &mut dev,
        t45(),
        1,
        at("2026-07-01", 9),
        Outcome::Reached,
        LI,
    );
    let when = at("2026-07-01", 10);
    let mut lost = OutcomeInput {
        outcome: RenewalOutcome::Lost,
        premium: "4100".into(),
        insurer: String::new(),
        lost_to_kind: None,
        lost_to: "平安电销".into(),
    };
    assert_eq!(
        record_outcome(t45(), &lost, when).unwrap_err(),
        RenewalError::LostToMissing
    );
    let bare = PlannedWrite::new(t45(), &CARE_TASK)
        .set("renewal_outcome", "lost")
        .set("renewal_premium", json!(4100));
    assert_eq!(
        check(&li(), dev.get(t45()), &op_of(&dev, &bare, LI, when), C),
        Err(RenewalError::LostToMissing)
    );
    lost.lost_to_kind = Some(LostTo::Insurer);
    let w = record_outcome(t45(), &lost, when).unwrap();
    let op = op_of(&dev, &w, LI, when);
    assert_eq!(check(&li(), dev.get(t45()), &op, C), Ok(()));
    dev.run(&Plan::new().then(w), LI, ms(when));
    let d2 = Decision::of(dev.get(t45()), C).unwrap();
    assert_eq!(d2.lost_to, Some((LostTo::Insurer, "平安电销".into())));
    assert_eq!(d2.premium, Some(4100.0));

    // Another kind of task takes no outcome.
    let other = Uuid::from_u128(0x99);
    dev.run(
        &Plan::new().then(PlannedWrite::new(other, &CARE_TASK).set("kind", "birthday")),
        "csmgr",
        ms(when),
    );
    call(&mut dev, other, 5, when, Outcome::Reached, LI);
    let w = record_outcome(other, &renewed("100"), when).unwrap();
    assert_eq!(
        check(&li(), dev.get(other), &op_of(&dev, &w, LI, when), C),
        Err(RenewalError::NotInsurance)
    );
}

#[test]
fn audits_are_the_cs_managers_and_a_wrong_one_needs_its_note() {
    let (mut dev, _) = device();
    let when = at("2026-07-01", 10);
    let boss = Actor::new("boss", &[Role::CustomerServiceManager]);
    let ok = audit(t45(), Uuid::from_u128(50), when, true, "").unwrap();
    // Nothing to audit before an outcome.
    assert_eq!(
        check(&boss, dev.get(t45()), &op_of(&dev, &ok, "boss", when), C),
        Err(RenewalError::NothingToAudit)
    );
    call(
        &mut dev,
        t45(),
        1,
        at("2026-07-01", 9),
        Outcome::Reached,
        LI,
    );
    dev.run(
        &Plan::new().then(record_outcome(t45(), &renewed("3000"), when).unwrap()),
        LI,
        ms(when),
    );
    let op = op_of(&dev, &ok, "boss", when);
    assert_eq!(check(&boss, dev.get(t45()), &op, C), Ok(()));
    let err = check(&li(), dev.get(t45()), &op, C).unwrap_err();
    assert!(err.is_forbidden() && err.code() == "renewal_audit_manager_only");
    assert_eq!(
        audit(t45(), Uuid::from_u128(51), when, false, " ").unwrap_err(),
        RenewalError::AuditNeedsNote
    );
    let wrong = PlannedWrite::new(t45(), &CARE_TASK).with(Step::Append(
        "audits",
        Uuid::from_u128(52),
        json!({"verdict": "wrong"}),
    ));
    assert_eq!(
        check(&boss, dev.get(t45()), &op_of(&dev, &wrong, "boss", when), C),
        Err(RenewalError::AuditNeedsNote)
    );
    dev.run(&Plan::new().then(ok), "boss", ms(when));
    let a = audits_of(dev.get(t45()), C);
    assert_eq!(a.len(), 1);
    assert!(a[0].ok && a[0].by == "boss");
}

fn decided(n: u128, on: &str, audited: bool) -> Renewal {
    Renewal {
        c_card_id: Uuid::from_u128(n),
        expiry: d("2026-08-15"),
        customer_name: None,
        plate: None,
        segment: Segment::Renewal,
        stage: Stage::Renewed,
        contacts: Vec::new(),
        effective_follow_ups: 1,
        next_contact: None,
        overdue: false,
        decision: Some((
            Uuid::from_u128(1000 + n),
            Decision {
                outcome: if n.is_multiple_of(3) {
                    RenewalOutcome::Lost
                } else {
                    RenewalOutcome::Renewed
                },
                premium: Some(1000.0),
                insurer: None,
                lost_to: n
                    .is_multiple_of(3)
                    .then(|| (LostTo::Shop, "城西修理厂".to_string())),
                at: Some(at(on, 10)),
            },
        )),
        audits: if audited {
            vec![Audit {
                entry_id: Uuid::from_u128(n),
                at: None,
                by: "boss".into(),
                ok: false,
                note: Some("报价不符".into()),
            }]
        } else {
            Vec::new()
        },
    }
}

#[test]
fn the_audit_sample_is_the_drawn_outcomes_topped_up_to_60_percent() {
    let mut rs: Vec<Renewal> = (1..=40).map(|n| decided(n, "2026-07-05", false)).collect();
    rs.push(decided(99, "2026-06-30", false)); // another month
    let july = d("2026-07-01");
    let sample: Vec<Uuid> = audit_sample(&rs, july)
        .iter()
        .map(|r| r.c_card_id)
        .collect();
    assert!(sample.len() >= 24, "{}", sample.len()); // ⌈40 × 0.6⌉
    assert!(!sample.contains(&Uuid::from_u128(99)));
    // Every drawn outcome is in, whatever else the month holds.
    for r in &rs[..40] {
        let task = r.decision.as_ref().unwrap().0;
        if in_audit_sample(task) {
            assert!(sample.contains(&r.c_card_id));
        }
    }
    // In any order, the same sample.
    rs.reverse();
    let again: Vec<Uuid> = audit_sample(&rs, july)
        .iter()
        .map(|r| r.c_card_id)
        .collect();
    assert_eq!(sample, again);
    // An audited outcome is in the sample.
    let out = (1..=40)
        .map(Uuid::from_u128)
        .find(|id| !sample.contains(id));
    if let Some(out) = out {
        for r in rs.iter_mut().filter(|r| r.c_card_id == out) {
            *r = decided(out.as_u128(), "2026-07-05", true);
        }
        let with: Vec<Uuid> = audit_sample(&rs, july)
            .iter()
            .map(|r| r.c_card_id)
            .collect();
        assert!(with.contains(&out));
    }
    // Small months are topped up: 3 outcomes → at least 2; one outcome is the sample.
    let three: Vec<Renewal> = (1..=3).map(|n| decided(n, "2026-07-05", false)).collect();
    assert!(audit_sample(&three, july).len() >= 2);
    assert_eq!(audit_sample(&rs, d("2026-06-01")).len(), 1);
    // About 60 % of ids are drawn.
    let drawn = (0..1000u128)
        .filter(|n| in_audit_sample(Uuid::from_u128(*n)))
        .count();
    assert!((550..650).contains(&drawn), "{drawn}");
}

#[test]
fn the_months_summary_counts_due_renewed_lost_and_audits() {
    let mut rs: Vec<Renewal> = (1..=4).map(|n| decided(n, "2026-07-05", n == 1)).collect();
    let mut open = decided(5, "2026-07-05", false);
    open.decision = None;
    open.stage = Stage::ToContact;
    rs.push(open);
    let mut later = decided(6, "2026-07-05", false);
    later.expiry = d("2026-09-01");
    rs.push(later);
    let s = summary(&rs, d("2026-08-01"));
    assert_eq!((s.due, s.renewed, s.lost, s.open), (5, 3, 1, 1));
    assert_eq!(s.rate_percent(), Some(60.0));
    assert_eq!(
        s.lost_to.get(&(LostTo::Shop, "城西修理厂".to_string())),
        Some(&1)
    );
    assert_eq!(s.premium_yuan, 3000.0);
    assert_eq!(s.by_segment.get(&Segment::Renewal), Some(&(3, 5)));
    let july = summary(&rs, d("2026-07-01"));
    assert_eq!(july.decided_in_month, 5);
    assert!(july.audit_due >= 3 && july.audited == 1 && july.audit_wrong == 1);
}

#[test]
fn the_pages_window_runs_from_two_months_back_to_the_furthest_task_the_schedule_makes() {
    let (from, to) = window(d("2026-07-05"), 14);
    assert_eq!((from, to), (d("2026-05-01"), d("2026-09-02")));
    // January: the window starts in the year before.
    assert_eq!(window(d("2026-01-31"), 14).0, d("2025-11-01"));
    // Every insurance task of a renewal in the window is due within the days read.
    let (dev, _) = device();
    let (first, last) = task_due_days(from, to);
    for t in tasks(&dev)
        .iter()
        .filter(|t| t.expiry >= from && t.expiry <= to)
    {
        let due = t.task.due_at.unwrap().date();
        assert!(due >= first && due <= last, "{due} outside {first}..{last}");
    }
    // The schedule as of the window's last day makes no task for an expiry after it: T−45
    // shows after the horizon.
    let mut c = card(2);
    c.insurance_expiry = Some(to + TimeDelta::days(1));
    let rows = generate(&[c], &[], &CareSettings::default(), d("2026-07-05"));
    assert!(
        rows.iter().all(|r| days_before(r.kind).is_none()),
        "{rows:?}"
    );
}

#[test]
fn the_window_lists_this_years_renewal_and_reads_last_years_outcome_for_its_segment() {
    // Last year's renewal (T 2025-08-15), reached and renewed.
    let mut c = card(1);
    c.insurance_expiry = Some(d("2024-08-15"));
    let rows = generate(
        std::slice::from_ref(&c),
        &[],
        &CareSettings::default(),
        d("2025-07-05"),
    );
    let mut dev = Device::new(1);
    dev.run(
        &new_tasks_plan(&rows, &BTreeSet::new(), |_| None),
        "csmgr",
        ms(at("2025-06-25", 8)),
    );
    let last_t45 = task_id(
        Uuid::from_u128(1),
        CareKind::InsuranceFirst,
        d("2025-08-15"),
    );
    call(
        &mut dev,
        last_t45,
        1,
        at("2025-07-01", 9),
        Outcome::Reached,
        LI,
    );
    let when = at("2025-07-01", 10);
    let w = record_outcome(last_t45, &renewed("3000"), when).unwrap();
    dev.run(&Plan::new().then(w), LI, ms(when));
    // This year's tasks (T 2026-08-15).
    let rows = generate(
        std::slice::from_ref(&c),
        &[],
        &CareSettings::default(),
        d("2026-07-05"),
    );
    dev.run(
        &new_tasks_plan(&rows, &BTreeSet::new(), |_| None),
        "csmgr",
        ms(at("2026-06-25", 8)),
    );
    let today = d("2026-07-05");
    let all = pipeline(std::slice::from_ref(&c), &tasks(&dev), &[], today, C);
    assert_eq!(all.len(), 2);
    let w = window(today, 14);
    let shown = window_pipeline(std::slice::from_ref(&c), &tasks(&dev), &[], today, w, C);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].expiry, d("2026-08-15"));
    // The same row as the whole pipeline's, its segment from last year's outcome.
    assert_eq!(shown[0].segment, Segment::Renewal);
    assert_eq!(
        Some(&shown[0]),
        all.iter().find(|r| r.expiry == d("2026-08-15"))
    );
}
