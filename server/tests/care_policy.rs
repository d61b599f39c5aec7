//! The server enforces the care rules (`domain::care::policy`, docs/sync.md "What the server
//! refuses"): a logged-in customer-service specialist who sends "failed" by hand before the
//! unreachable rule is met is refused with the rule's code and message and nothing is written;
//! after three calls at three times of day within three days and a message, it is accepted.

mod common;

use axum::http::StatusCode;
use chrono::{Days, NaiveTime};
use common::app;
use common::ops::{Dev, World, set, v7};
use domain::care::calls::{Outcome, log_attempt};
use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::{CARE_SETTINGS, CARE_TASK};
use domain::time::StoreClock;
use serde_json::json;
use uuid::Uuid;

fn failed_by_hand(reason: &str) -> Plan {
    Plan::new().then(
        PlannedWrite::new(Uuid::nil(), &CARE_TASK)
            .set("fail_reason", reason)
            .with(Step::Move("status", "failed")),
    )
}

fn on(task: Uuid, plan: Plan) -> Plan {
    Plan {
        writes: plan
            .writes
            .into_iter()
            .map(|mut w| {
                if w.record_id.is_nil() {
                    w.record_id = task;
                }
                w
            })
            .collect(),
    }
}

#[tokio::test]
async fn failed_before_the_unreachable_rule_is_refused_at_push_then_accepted_after_it() {
    let t = app().await;
    let mut w = World::default();
    let mut cs = Dev::login(&t, "cs").await;
    let task = v7();
    let me = cs.user_id.clone();
    let open = cs.op(&w, task, &CARE_TASK, |e| {
        vec![
            set(e, "kind", json!("first_maintenance")),
            set(e, "customer_name", json!("李女士")),
            set(e, "role", json!("customer_service")),
            set(e, "assignee_id", json!(me)),
        ]
    });
    cs.ok(&t, &mut w, vec![open]).await;

    // No call yet: "failed" sent by hand is refused, in Chinese, and nothing is written.
    let ops = cs.plan_ops(&w, &on(task, failed_by_hand("联系不上")));
    let msg = cs
        .refused(
            &t,
            &ops,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "care_fail_too_few_calls",
        )
        .await;
    assert!(msg.contains("三个不同时段"), "{msg}");
    let r = cs.push(&t, &ops, "en").await;
    assert!(
        r.text().contains("three different times of day"),
        "{}",
        r.text()
    );

    // Three unanswered calls at three times of day within three days (dated in the past).
    let clock = StoreClock::CHINA;
    let today = clock.local(chrono::Utc::now()).date();
    let day = |n: u64, h: u32| {
        today
            .checked_sub_days(Days::new(n))
            .unwrap()
            .and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap())
    };
    let calls = [day(3, 9), day(2, 14), day(2, 18)];
    for at in calls {
        let plan = Plan::new().then(log_attempt(task, v7(), at, "phone", Outcome::NoAnswer, ""));
        let ops = cs.plan_ops(&w, &plan);
        cs.ok(&t, &mut w, ops).await;
    }
    // Still no message: refused.
    let ops = cs.plan_ops(&w, &on(task, failed_by_hand("联系不上")));
    cs.refused(
        &t,
        &ops,
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "care_fail_no_message",
    )
    .await;
    // An attempt dated tomorrow is refused.
    let future = Plan::new().then(log_attempt(
        task,
        v7(),
        day(0, 23) + chrono::TimeDelta::days(1),
        "phone",
        Outcome::NoAnswer,
        "",
    ));
    let ops = cs.plan_ops(&w, &future);
    cs.refused(
        &t,
        &ops,
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "care_attempt_in_future",
    )
    .await;
    // The message, then "failed" without a reason (refused), then with one (accepted).
    let sms = Plan::new().then(log_attempt(
        task,
        v7(),
        day(2, 19),
        "sms",
        Outcome::MessageSent,
        "",
    ));
    let ops = cs.plan_ops(&w, &sms);
    cs.ok(&t, &mut w, ops).await;
    let ops = cs.plan_ops(&w, &on(task, failed_by_hand(" ")));
    cs.refused(
        &t,
        &ops,
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "care_fail_no_reason",
    )
    .await;
    // Accepted as a move from `open`: none of the refused moves was written.
    let ops = cs.plan_ops(&w, &on(task, failed_by_hand("三次未接通,已发短信")));
    cs.ok(&t, &mut w, ops).await;
}

#[tokio::test]
async fn a_specialist_may_not_reassign_a_task_nor_change_the_care_settings() {
    let t = app().await;
    let mut w = World::default();
    let mut cs = Dev::login(&t, "cs").await;
    let mut mgr = Dev::login(&t, "csmgr").await;
    let task = v7();
    let me = cs.user_id.clone();
    let open = cs.op(&w, task, &CARE_TASK, |e| {
        vec![
            set(e, "kind", json!("birthday")),
            set(e, "assignee_id", json!(me)),
        ]
    });
    cs.ok(&t, &mut w, vec![open]).await;
    let other = mgr.user_id.clone();
    let give = cs.op(&w, task, &CARE_TASK, |e| {
        vec![set(e, "assignee_id", json!(other))]
    });
    let msg = cs
        .refused(
            &t,
            &[give],
            0,
            StatusCode::FORBIDDEN,
            "care_reassign_manager_only",
        )
        .await;
    assert!(msg.contains("经理"), "{msg}");
    let give = mgr.op(&w, task, &CARE_TASK, |e| {
        vec![set(e, "assignee_id", json!(other))]
    });
    mgr.ok(&t, &mut w, vec![give]).await;

    let settings = domain::care::settings::care_settings_id("demo");
    let s = cs.op(&w, settings, &CARE_SETTINGS, |e| {
        vec![set(e, "opening", json!("09:00"))]
    });
    cs.refused(
        &t,
        &[s],
        0,
        StatusCode::FORBIDDEN,
        "care_settings_manager_only",
    )
    .await;
    let s = mgr.op(&w, settings, &CARE_SETTINGS, |e| {
        vec![set(e, "opening", json!("09:00"))]
    });
    mgr.ok(&t, &mut w, vec![s]).await;
}
