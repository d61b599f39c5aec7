//! The server enforces the 续保 and 流失客户 rules (`domain::care::renewal`, `domain::care::lost`,
//! checked at push by `domain::care::policy`): ops sent by hand by a logged-in user who skips a
//! rule, or has the wrong role, are refused with the rule's code and zh / en words, and nothing
//! is written; the same outcome after a reached call, by the specialist, is accepted, and only
//! the CS manager audits it.

mod common;

use axum::http::StatusCode;
use common::app;
use common::ops::{Dev, World, set, v7};
use domain::care::calls::{Outcome, log_attempt};
use domain::care::lost::{LostReason, record_finding};
use domain::care::renewal::{OutcomeInput, RenewalOutcome, audit, record_outcome};
use domain::plan::{Plan, PlannedWrite};
use domain::records::CARE_TASK;
use domain::time::StoreClock;
use serde_json::json;
use uuid::Uuid;

fn now() -> chrono::NaiveDateTime {
    StoreClock::CHINA.local(chrono::Utc::now()) - chrono::TimeDelta::minutes(1)
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

async fn task(t: &common::TestApp, w: &mut World, cs: &mut Dev, kind: &str) -> Uuid {
    let id = v7();
    let open = cs.op(w, id, &CARE_TASK, |e| {
        vec![
            set(e, "kind", json!(kind)),
            set(e, "customer_name", json!("李女士")),
            set(e, "c_card_id", json!(v7().to_string())),
            set(e, "role", json!("customer_service")),
            set(e, "starts_on", json!("2026-07-01")),
        ]
    });
    cs.ok(t, w, vec![open]).await;
    id
}

async fn call(t: &common::TestApp, w: &mut World, dev: &mut Dev, task: Uuid, o: Outcome) {
    let plan = Plan::new().then(log_attempt(task, v7(), now(), "phone", o, ""));
    let ops = dev.plan_ops(w, &plan);
    dev.ok(t, w, ops).await;
}

#[tokio::test]
async fn a_renewal_outcome_needs_a_reached_call_the_specialist_and_a_positive_quote() {
    let t = app().await;
    let mut w = World::default();
    let mut cs = Dev::login(&t, "cs").await;
    let mut consultant = Dev::login(&t, "consultant").await;
    let mut mgr = Dev::login(&t, "csmgr").await;
    let task = task(&t, &mut w, &mut cs, "insurance_t45").await;

    // Only an unanswered call: "renewed" is refused, in Chinese and in English; nothing written.
    call(&t, &mut w, &mut cs, task, Outcome::NoAnswer).await;
    let plan = Plan::new().then(record_outcome(task, &renewed("3280"), now()).unwrap());
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    cs.refuses(
        &t,
        &w,
        &plan,
        unprocessable,
        "renewal_no_reached_call",
        ("接通", "reached the customer"),
    )
    .await;

    call(&t, &mut w, &mut cs, task, Outcome::Reached).await;
    // A consultant sending an outcome by hand (a consultant may write care tasks: the 24 h
    // calls) is refused as not theirs.
    consultant
        .refuses(
            &t,
            &w,
            &plan,
            StatusCode::FORBIDDEN,
            "renewal_not_assigned",
            ("客服专员或客服经理", ""),
        )
        .await;
    // A negative quote, sent by hand past the device's check.
    let negative = Plan::new().then(
        PlannedWrite::new(task, &CARE_TASK)
            .set("renewal_outcome", "renewed")
            .set("renewal_premium", json!(-3280)),
    );
    cs.refuses(
        &t,
        &w,
        &negative,
        unprocessable,
        "renewal_quote_invalid",
        ("大于零", "above zero"),
    )
    .await;
    // Lost without to whom.
    let lost = Plan::new().then(
        PlannedWrite::new(task, &CARE_TASK)
            .set("renewal_outcome", "lost")
            .set("renewal_premium", json!(3280)),
    );
    cs.refuses(
        &t,
        &w,
        &lost,
        unprocessable,
        "renewal_lost_to_missing",
        ("", ""),
    )
    .await;
    // None of the refused ops was written: the outcome is accepted now, by the one who called.
    assert!(w.state(task, &CARE_TASK).value("renewal_outcome").is_none());
    let ops = cs.plan_ops(&w, &plan);
    cs.ok(&t, &mut w, ops).await;

    // The audit is the CS manager's.
    let check = Plan::new().then(audit(task, v7(), now(), true, "").unwrap());
    cs.refuses(
        &t,
        &w,
        &check,
        StatusCode::FORBIDDEN,
        "renewal_audit_manager_only",
        ("", ""),
    )
    .await;
    let ops = mgr.plan_ops(&w, &check);
    mgr.ok(&t, &mut w, ops).await;
}

#[tokio::test]
async fn a_lost_customers_reason_is_recorded_after_a_reached_call_on_a_lost_customer_task() {
    let t = app().await;
    let mut w = World::default();
    let mut cs = Dev::login(&t, "cs").await;
    let mut cs2 = Dev::login(&t, "cs2").await;
    let task = task(&t, &mut w, &mut cs, "lost_customer").await;
    let plan = Plan::new().then(record_finding(task, LostReason::Far, "", "城西修理厂").unwrap());
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    cs.refuses(
        &t,
        &w,
        &plan,
        unprocessable,
        "lost_no_reached_call",
        ("接通", ""),
    )
    .await;
    call(&t, &mut w, &mut cs, task, Outcome::Reached).await;
    // Another specialist, who did not call this customer, may not write the reason.
    cs2.refuses(
        &t,
        &w,
        &plan,
        StatusCode::FORBIDDEN,
        "lost_not_assigned",
        ("", ""),
    )
    .await;
    // On another kind of task the reason is refused.
    let birthday = self::task(&t, &mut w, &mut cs, "birthday").await;
    call(&t, &mut w, &mut cs, birthday, Outcome::Reached).await;
    let wrong = Plan::new().then(record_finding(birthday, LostReason::Far, "", "").unwrap());
    cs.refuses(
        &t,
        &w,
        &wrong,
        unprocessable,
        "lost_not_lost_customer",
        ("", "lost-customer task"),
    )
    .await;
    let ops = cs.plan_ops(&w, &plan);
    cs.ok(&t, &mut w, ops).await;
}
