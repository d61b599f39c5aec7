//! The store's monthly costs (`store_costs`, the GM's fixed operating costs for 吸收率) are the
//! general manager's: a sales manager or a service advisor pushing them by hand is refused with a
//! clear message, so is the GM with a negative amount or another month's record, and nothing of
//! a refused op is stored.

mod common;

use axum::http::StatusCode;
use common::app;
use common::ops::{Dev, World, set};
use domain::records::costs::{STORE_COSTS, store_costs_record_id};
use serde_json::{Value, json};

#[tokio::test]
async fn only_the_gm_enters_the_months_costs() {
    let t = app().await;
    let mut w = World::default();
    let id = store_costs_record_id("demo", 2026, 11);
    let costs = |dev: &mut Dev, w: &World, fixed: Value, month: &str| {
        let month = month.to_owned();
        dev.op(w, id, &STORE_COSTS, move |e| {
            vec![
                set(e, "month", json!(month)),
                set(e, "fixed_costs_fen", fixed),
            ]
        })
    };

    for who in ["salesmgr", "advisor", "csmgr"] {
        let mut dev = Dev::login(&t, who).await;
        let op = costs(&mut dev, &w, json!(50_000_000), "2026-11");
        let msg = dev
            .refused(&t, &[op], 0, StatusCode::FORBIDDEN, "forbidden")
            .await;
        assert!(msg.contains("store_costs"), "{who}: {msg}");
        let op = costs(&mut dev, &w, json!(1), "2026-11");
        let en = dev.push(&t, &[op], "en").await;
        let msg = en.assert_error(StatusCode::FORBIDDEN, "forbidden");
        assert!(msg.contains("may not"), "{msg}");
    }

    let mut gm = Dev::login(&t, "gm").await;
    let negative = costs(&mut gm, &w, json!(-100), "2026-11");
    let msg = gm
        .refused(
            &t,
            &[negative],
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "store_costs_bad_amount",
        )
        .await;
    assert!(msg.contains("费用"), "{msg}");
    // December's figures written into November's record.
    let other = costs(&mut gm, &w, json!(100), "2026-12");
    gm.refused(
        &t,
        &[other],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "store_costs_bad_month",
    )
    .await;
    assert!(
        gm.pulled(&t, "store_costs").await.is_empty(),
        "nothing of a refused op is stored"
    );

    let good = costs(&mut gm, &w, json!(50_000_000), "2026-11");
    gm.ok(&t, &mut w, vec![good]).await;
    let stored = gm.pulled(&t, "store_costs").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].record_id, id);
    // The managers read it (the GM's page 经营指标); an advisor does not.
    let salesmgr = Dev::login(&t, "salesmgr").await;
    assert_eq!(salesmgr.pulled(&t, "store_costs").await.len(), 1);
    let advisor = Dev::login(&t, "advisor").await;
    assert!(advisor.pulled(&t, "store_costs").await.is_empty());
}
