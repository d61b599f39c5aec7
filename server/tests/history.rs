//! A record's history from the server (`GET /api/records/{id}/history`, docs/sync.md "Record
//! history"): the ops of one record in seq order, paged from the newest, by the read rules of
//! pull; and the rows `domain::history` makes of them.

mod common;

use axum::http::StatusCode;
use common::ops::{Dev, now_ms, v7};
use common::{TestApp, app};
use domain::history::{FieldChange, Previous, history};
use domain::records::A_CARD;
use domain::sync::{Clock, Edit, Op, RecordState, apply};
use serde_json::json;
use uuid::Uuid;

async fn login(t: &TestApp, username: &str) -> (String, Uuid, String) {
    let d = Dev::login(t, username).await;
    (d.token, d.device, d.user_id)
}

#[tokio::test]
async fn the_ops_of_a_record_come_back_in_order_paged_and_only_to_readers() {
    let t = app().await;
    let (token, device, user_id) = login(&t, "consultant").await;
    let mut clock = Clock::new();
    let record_id = v7();
    let mut state = RecordState::new(record_id, A_CARD.name, "demo");
    let mut ops: Vec<Op> = Vec::new();
    for name in ["王先生", "王伟", "王伟明"] {
        let edit = Edit::new(&state, &A_CARD);
        let mut changes = vec![edit.set("name", json!(name)).unwrap()];
        if ops.is_empty() {
            changes.push(edit.set("phone", json!("13900007777")).unwrap());
            changes.push(edit.set("intended_model", json!("corolla_2026")).unwrap());
        }
        let op = Op {
            op_id: v7(),
            device_id: device,
            user_id: user_id.clone(),
            store_id: "demo".into(),
            record_id,
            record_type: A_CARD.name.into(),
            hlc: clock.now(now_ms()),
            changes,
        };
        apply(&mut state, &op, &A_CARD).unwrap();
        let r = t
            .post_json(
                "/api/sync/push",
                &json!({ "ops": [op] }),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        ops.push(op);
    }

    let path = format!("/api/records/{record_id}/history");
    let v = t.get_auth(&path, &token).await.json();
    assert_eq!(v["record_type"], "a_card");
    assert_eq!(v["more"], false);
    let got: Vec<Op> = v["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p["received_ms"].as_u64().is_some());
            serde_json::from_value(p["op"].clone()).unwrap()
        })
        .collect();
    assert_eq!(got, ops);
    let seqs: Vec<u64> = v["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // What the record page shows: the newest name first, old → new.
    let rows = history(record_id, &got);
    assert_eq!(rows[0].field, "name");
    assert_eq!(
        rows[0].change,
        FieldChange::Set {
            old: Previous::Values(vec![json!("王伟")]),
            new: json!("王伟明"),
        }
    );
    assert_eq!(rows[0].user_id, user_id);
    assert_eq!(rows[0].device_id, device);

    // Paged from the newest.
    let page = t.get_auth(&format!("{path}?limit=2"), &token).await.json();
    assert_eq!(page["more"], true);
    let page_seqs: Vec<u64> = page["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(page_seqs, seqs[1..]);
    let older = t
        .get_auth(&format!("{path}?limit=2&before={}", seqs[1]), &token)
        .await
        .json();
    assert_eq!(older["more"], false);
    assert_eq!(older["ops"][0]["seq"], json!(seqs[0]));

    // The general manager reads it; a technician (no sales) does not, nor does anyone read a
    // record the store does not have.
    let (gm, _, _) = login(&t, "gm").await;
    assert_eq!(t.get_auth(&path, &gm).await.status, StatusCode::OK);
    let (tech, _, _) = login(&t, "tech").await;
    t.get_auth(&path, &tech)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    t.get_auth(&format!("/api/records/{}/history", v7()), &token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    t.get_auth(&format!("{path}?limit=0"), &token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    t.get(&path)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}
