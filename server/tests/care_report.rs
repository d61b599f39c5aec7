//! The care monthly report's comment (`care_report`, `domain::care::monthly`) is the CS
//! manager's, and a holiday / weather broadcast (`domain::care::broadcast`) a care manager's: a
//! CS specialist, a sales manager or the GM pushing a comment by hand is refused, so is the CS
//! manager writing one month's comment into another month's record, and a CS specialist sending a
//! broadcast; nothing of a refused op is stored. The GM reads the comment; a CS specialist does
//! not.

mod common;

use axum::http::StatusCode;
use common::app;
use common::ops::{Dev, World, set};
use domain::care::broadcast::{Audience, Broadcast, BroadcastKind, broadcast_plan};
use domain::care::monthly::care_report_id;
use domain::records::{CARE_REPORT, CCard};
use domain::sales::chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn only_the_cs_manager_comments_on_the_months_report() {
    let t = app().await;
    let mut w = World::default();
    let id = care_report_id("demo", "2026-11");
    let comment = |dev: &mut Dev, w: &World, month: &str| {
        let month = month.to_owned();
        dev.op(w, id, &CARE_REPORT, move |e| {
            vec![
                set(e, "month", json!(month)),
                set(e, "comment", json!("首保回厂率偏低,下月加强提醒")),
            ]
        })
    };

    for who in ["cs", "salesmgr", "gm"] {
        let mut dev = Dev::login(&t, who).await;
        let op = comment(&mut dev, &w, "2026-11");
        let msg = dev
            .refused(&t, &[op], 0, StatusCode::FORBIDDEN, "forbidden")
            .await;
        assert!(msg.contains("care_report"), "{who}: {msg}");
    }

    let mut mgr = Dev::login(&t, "csmgr").await;
    // December's comment written into November's record.
    let other = comment(&mut mgr, &w, "2026-12");
    let msg = mgr
        .refused(
            &t,
            &[other],
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "care_report_bad_month",
        )
        .await;
    assert!(msg.contains("月份"), "{msg}");
    let other = comment(&mut mgr, &w, "2026-12");
    let en = mgr.push(&t, &[other], "en").await;
    let msg = en.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "care_report_bad_month");
    assert!(msg.contains("month of the report"), "{msg}");
    assert!(
        mgr.pulled(&t, "care_report").await.is_empty(),
        "nothing of a refused op is stored"
    );

    let good = comment(&mut mgr, &w, "2026-11");
    mgr.ok(&t, &mut w, vec![good]).await;
    assert_eq!(mgr.pulled(&t, "care_report").await.len(), 1);
    let gm = Dev::login(&t, "gm").await;
    let seen = gm.pulled(&t, "care_report").await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].record_id, id);
    let cs = Dev::login(&t, "cs").await;
    assert!(cs.pulled(&t, "care_report").await.is_empty());
}

fn customer(n: u128) -> CCard {
    CCard {
        id: Uuid::from_u128(n),
        name: Some(format!("客户{n}")),
        phone: Some(format!("1381234{n:04}")),
        a_card_id: None,
        order_id: None,
        consultant_id: None,
        vin: None,
        plate: None,
        model: None,
        delivery_date: None,
        warranty_end: None,
        insurance_expiry: None,
        inspection_date: None,
        birthday: None,
        local: Some(true),
        rewards: Vec::new(),
        points: 0,
    }
}

#[tokio::test]
async fn a_broadcast_is_a_care_managers_and_queued_once() {
    let t = app().await;
    let mut w = World::default();
    let b = Broadcast {
        kind: BroadcastKind::Holiday,
        on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        occasion: "国庆节".into(),
    };
    let cards = [customer(1), customer(2)];
    let (plan, n) = broadcast_plan(&b, Audience::All, None, &cards, "坤城福特").unwrap();
    assert_eq!(n, 2);

    let mut cs = Dev::login(&t, "cs").await;
    let ops = cs.plan_ops(&w, &plan);
    let msg = cs
        .refused(
            &t,
            &ops,
            0,
            StatusCode::FORBIDDEN,
            "care_broadcast_manager_only",
        )
        .await;
    assert!(msg.contains("客服经理"), "{msg}");
    assert!(cs.pulled(&t, "message").await.is_empty());

    let mut mgr = Dev::login(&t, "csmgr").await;
    let ops = mgr.plan_ops(&w, &plan);
    mgr.ok(&t, &mut w, ops).await;
    // Queued again (a second tablet offline): the same two messages.
    let mut again = Dev::login(&t, "csmgr").await;
    let ops = again.plan_ops(&World::default(), &plan);
    again.ok(&t, &mut w, ops).await;
    let mut ids: Vec<Uuid> = mgr
        .pulled(&t, "message")
        .await
        .iter()
        .map(|op| op.record_id)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2);
}
