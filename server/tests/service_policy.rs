//! The server enforces the service rules (`domain::service::policy`, docs/sync.md "What the
//! server refuses"): each crafted op of issue 15 is pushed with a real token and refused with
//! the rule's code, and the day's normal flow (the step plans) is accepted.

mod common;

use axum::http::StatusCode;
use common::ops::{Dev, World, set, v7};
use common::{TestApp, app};
use domain::Role;
use domain::records::{APPOINTMENT, REPAIR_ORDER, RO_LINE};
use domain::service::plan::{
    Handover, NewLine, approve_estimate_plan, clock_plan, decide_line_plan, handover_plan, qc_plan,
};
use domain::service::repair_order::{ClockEvent, LineDecision, LineKind, Proof, QcStage, RoStatus};
use domain::sync::{Change, Edit};
use serde_json::json;
use uuid::Uuid;

fn move_to(e: &Edit<'_>, to: &str) -> Vec<Change> {
    vec![e.transition("status", to).unwrap()]
}

struct Lane {
    t: TestApp,
    w: World,
    sa: Dev,
    tech: Dev,
    qc: Dev,
    ro: Uuid,
    line: Uuid,
}

/// An RO received and estimated by the advisor with one labour line, not approved yet.
async fn lane() -> Lane {
    let t = app().await;
    let mut w = World::default();
    let mut sa = Dev::login(&t, "advisor").await;
    let tech = Dev::login(&t, "tech").await;
    let qc = Dev::login(&t, "qc").await;
    let (ro, line) = (v7(), v7());
    let me = sa.user_id.clone();
    let open = sa.op(&w, ro, &REPAIR_ORDER, |e| {
        vec![
            set(e, "plate", json!("粤A12345")),
            set(e, "advisor_id", json!(me)),
            set(e, "complaint", json!("brake noise")),
            e.transition("status", "estimated").unwrap(),
        ]
    });
    let l = sa.op(&w, line, &RO_LINE, |e| {
        vec![
            set(e, "ro_id", json!(ro.to_string())),
            set(e, "kind", json!("labour")),
            set(e, "std_hours", json!(1.5)),
        ]
    });
    sa.ok(&t, &mut w, vec![open, l]).await;
    Lane {
        t,
        w,
        sa,
        tech,
        qc,
        ro,
        line,
    }
}

fn sig() -> Proof {
    Proof::Signature {
        blob_id: "sha256-0123".into(),
    }
}

#[tokio::test]
async fn no_work_and_no_billing_on_a_line_the_customer_has_not_approved() {
    let Lane {
        t,
        mut w,
        mut sa,
        mut tech,
        line,
        ..
    } = lane().await;
    let on = tech.plan_ops(&w, &clock_plan(line, ClockEvent::On, v7()));
    let msg = tech
        .refused(
            &t,
            &on,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "work_not_approved",
        )
        .await;
    assert!(msg.contains("未确认"), "{msg}");
    let bill = sa.op(&w, line, &RO_LINE, |e| vec![set(e, "billed", json!(true))]);
    sa.refused(
        &t,
        &[bill],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "billing_not_approved",
    )
    .await;
    // A decision without proof, or under another id, is refused; then the approval is written.
    let bare = sa.op(&w, line, &RO_LINE, |e| {
        vec![
            e.append("decision", line, json!({"approved": true}))
                .unwrap(),
        ]
    });
    sa.refused(
        &t,
        &[bare],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "approval_without_proof",
    )
    .await;
    let elsewhere = sa.op(&w, line, &RO_LINE, |e| {
        vec![
            e.append("decision", v7(), LineDecision::entry(true, &sig()))
                .unwrap(),
        ]
    });
    sa.refused(
        &t,
        &[elsewhere],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line_decision_final",
    )
    .await;
    let by_tech = tech.plan_ops(&w, &decide_line_plan(line, true, &sig()));
    tech.refused(
        &t,
        &by_tech,
        0,
        StatusCode::FORBIDDEN,
        "decision_advisor_only",
    )
    .await;
    let approve = sa.plan_ops(&w, &decide_line_plan(line, true, &sig()));
    sa.ok(&t, &mut w, approve).await;
    // Approved: never overwritten, its figures locked; now work and billing go through.
    let flip = sa.plan_ops(&w, &decide_line_plan(line, false, &sig()));
    sa.refused(&t, &flip, 0, StatusCode::CONFLICT, "entry_id_reused")
        .await;
    let price = sa.op(&w, line, &RO_LINE, |e| vec![set(e, "std_hours", json!(3))]);
    sa.refused(
        &t,
        &[price],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "approved_line_locked",
    )
    .await;
    let on = tech.plan_ops(&w, &clock_plan(line, ClockEvent::On, v7()));
    tech.ok(&t, &mut w, on).await;
    let bill = sa.op(&w, line, &RO_LINE, |e| vec![set(e, "billed", json!(true))]);
    sa.ok(&t, &mut w, vec![bill]).await;
}

#[tokio::test]
async fn no_handover_without_a_passed_final_check_and_each_role_its_moves() {
    let Lane {
        t,
        mut w,
        mut sa,
        mut tech,
        mut qc,
        ro,
        line,
    } = lane().await;
    let approve = sa.plan_ops(&w, &approve_estimate_plan(ro, &[line], &[line], &sig()));
    sa.ok(&t, &mut w, approve).await;
    let cut = tech.op(&w, ro, &REPAIR_ORDER, |e| move_to(e, "in_work"));
    tech.refused(&t, &[cut], 0, StatusCode::FORBIDDEN, "ro_move_forbidden")
        .await;
    let dispatch = sa.op(&w, ro, &REPAIR_ORDER, |e| move_to(e, "in_work"));
    sa.ok(&t, &mut w, vec![dispatch]).await;
    let done = tech.op(&w, ro, &REPAIR_ORDER, |e| move_to(e, "qc"));
    tech.ok(&t, &mut w, vec![done]).await;
    // The advisor cannot pass the car; the technician cannot record QC.
    let pass = sa.op(&w, ro, &REPAIR_ORDER, |e| move_to(e, "ready"));
    sa.refused(&t, &[pass], 0, StatusCode::FORBIDDEN, "ro_move_forbidden")
        .await;
    let own_qc = tech.plan_ops(&w, &qc_plan(ro, RoStatus::Qc, QcStage::Final, true, ""));
    tech.refused(&t, &own_qc, 0, StatusCode::FORBIDDEN, "qc_inspector_only")
        .await;
    let no_reason = qc.plan_ops(&w, &qc_plan(ro, RoStatus::Qc, QcStage::Final, false, ""));
    qc.refused(
        &t,
        &no_reason,
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "qc_check_incomplete",
    )
    .await;
    // QC moves the car to ready without a final check; the handover is refused.
    let ready = qc.op(&w, ro, &REPAIR_ORDER, |e| move_to(e, "ready"));
    qc.ok(&t, &mut w, vec![ready]).await;
    let h = Handover {
        ro_id: ro,
        advisor_id: sa.user_id.clone(),
        handed_over_at: domain::time::StoreClock::default().local(chrono::Utc::now()),
        ..Handover::default()
    };
    let hand = sa.plan_ops(&w, &handover_plan(&h));
    let msg = sa
        .refused(
            &t,
            &hand,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "handover_without_final_qc",
        )
        .await;
    assert!(msg.contains("终检"), "{msg}");
    // A failed final check, then a passed one: handed over, with the 48 h call.
    let fail = qc.plan_ops(
        &w,
        &qc_plan(ro, RoStatus::Ready, QcStage::Final, false, "异响"),
    );
    qc.ok(&t, &mut w, fail).await;
    let hand = sa.plan_ops(&w, &handover_plan(&h));
    sa.refused(
        &t,
        &hand,
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "handover_without_final_qc",
    )
    .await;
    let pass = qc.plan_ops(&w, &qc_plan(ro, RoStatus::Ready, QcStage::Final, true, ""));
    qc.ok(&t, &mut w, pass).await;
    let hand = sa.plan_ops(&w, &handover_plan(&h));
    assert_eq!(hand.len(), 2, "the RO and the 48 h care task");
    sa.ok(&t, &mut w, hand).await;
    assert_eq!(
        w.state(ro, &REPAIR_ORDER).status(&REPAIR_ORDER, "status"),
        Some("handed_over")
    );
}

#[tokio::test]
async fn parts_clerks_read_and_a_no_show_needs_its_reason() {
    let Lane {
        t, w, mut sa, ro, ..
    } = lane().await;
    let mut parts = Dev::login(&t, "parts").await;
    assert!(parts.roles.contains(&Role::PartsClerk));
    let edit = parts.op(&w, ro, &REPAIR_ORDER, |e| {
        vec![set(e, "valuables", json!("无"))]
    });
    parts
        .refused(&t, &[edit], 0, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let appt = v7();
    let no_show = sa.op(&w, appt, &APPOINTMENT, |e| move_to(e, "no_show"));
    sa.refused(
        &t,
        &[no_show],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no_show_without_reason",
    )
    .await;
    let with_reason = sa.op(&w, appt, &APPOINTMENT, |e| {
        vec![
            set(e, "no_show_reason", json!("客户临时出差")),
            e.transition("status", "no_show").unwrap(),
        ]
    });
    let r = sa.push(&t, &[with_reason], "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // An added-work line is a line like any other: not worked before the customer says yes.
    let extra = NewLine {
        line_id: v7(),
        kind: LineKind::Labour,
        code: "BRK-02".into(),
        description: "刹车盘打磨".into(),
        std_hours: Some(0.5),
        qty: None,
        unit_price_fen: None,
    };
    let plan = domain::service::plan::added_work_plan(ro, None, "划痕", &[], &extra);
    let ops = sa.plan_ops(&w, &plan);
    let r = sa.push(&t, &ops, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}
