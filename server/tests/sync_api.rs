//! The sync API through `oneshot`: push, pull, snapshot, events, duplicates
//! (docs/sync.md, "Sync API").

mod common;

use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::ops::{Dev, now_ms, v7};
use common::{Resp, TestApp, app, app_with};
use domain::records::A_CARD;
use domain::sync::{Change, Hlc, Op, RecordState, apply};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

/// Makes a good op bad.
type Spoil = Box<dyn Fn(&mut Op)>;

fn set(field: &str, value: Value) -> Change {
    Change::Set {
        field: field.into(),
        value,
        supersedes: vec![],
    }
}

fn card(dev: &mut Dev, name: &str, phone: &str) -> Op {
    dev.raw_op(
        "a_card",
        v7(),
        vec![
            set("name", json!(name)),
            set("phone", json!(phone)),
            set("intended_model", json!("corolla_2026")),
        ],
    )
}

async fn push_raw(t: &TestApp, token: &str, body: &Value, lang: &str) -> Resp {
    t.post_json(
        "/api/sync/push",
        body,
        &[
            ("authorization", &format!("Bearer {token}")),
            ("accept-language", lang),
        ],
    )
    .await
}

async fn push(t: &TestApp, dev: &Dev, ops: &[Op]) -> Resp {
    push_raw(t, &dev.token, &json!({ "ops": ops }), "zh-CN").await
}

/// Pushes and returns the seqs; panics unless 200.
async fn push_ok(t: &TestApp, dev: &Dev, ops: &[Op]) -> Vec<u64> {
    let r = push(t, dev, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert!(v["server_time_ms"].as_u64().unwrap() > 1_700_000_000_000);
    let acks = v["acks"].as_array().unwrap();
    assert_eq!(acks.len(), ops.len());
    acks.iter()
        .zip(ops)
        .map(|(a, op)| {
            assert_eq!(a["op_id"], json!(op.op_id));
            a["seq"].as_u64().unwrap()
        })
        .collect()
}

async fn pull(t: &TestApp, token: &str, after: u64, limit: Option<usize>) -> Value {
    let path = match limit {
        Some(l) => format!("/api/sync/pull?after={after}&limit={l}"),
        None => format!("/api/sync/pull?after={after}"),
    };
    let r = t.get_auth(&path, token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// Every op of the store (as `token` sees them), following the cursor.
async fn pull_all(t: &TestApp, token: &str) -> Vec<(u64, Op)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let v = pull(t, token, after, Some(1000)).await;
        for o in v["ops"].as_array().unwrap() {
            out.push((
                o["seq"].as_u64().unwrap(),
                serde_json::from_value(o["op"].clone()).unwrap(),
            ));
        }
        after = v["last_seq"].as_u64().unwrap();
        if !v["more"].as_bool().unwrap() {
            return out;
        }
    }
}

fn materialise(ops: &[(u64, Op)]) -> std::collections::BTreeMap<Uuid, RecordState> {
    let mut records = std::collections::BTreeMap::new();
    for (_, op) in ops {
        let state = records
            .entry(op.record_id)
            .or_insert_with(|| RecordState::for_op(op));
        apply(state, op, &A_CARD).unwrap();
    }
    records
}

async fn last_seq(t: &TestApp, token: &str) -> u64 {
    pull(t, token, 0, Some(1000)).await["last_seq"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn push_then_pull_round_trip_with_seqs_from_one() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let b = Dev::login(&t, "salesmgr").await;
    let first = card(&mut a, "王建华", "13900001111");
    let second = card(&mut a, "李明", "13800002222");
    let edit = a.raw_op("a_card", first.record_id, vec![set("grade", json!("H"))]);
    let ops = vec![first.clone(), second, edit];
    let before = now_ms();
    assert_eq!(push_ok(&t, &a, &ops).await, vec![1, 2, 3]);
    let after = now_ms();

    // Another device of the store pulls exactly those ops, in order, with the time the server
    // received them.
    let v = pull(&t, &b.token, 0, None).await;
    assert_eq!(v["last_seq"], 3);
    assert_eq!(v["more"], false);
    assert!(v["server_time_ms"].as_u64().unwrap() > 1_700_000_000_000);
    for o in v["ops"].as_array().unwrap() {
        let received = o["received_ms"].as_u64().expect("received_ms");
        assert!(
            (before..=after).contains(&received),
            "{received} not in {before}..={after}"
        );
    }
    let pulled: Vec<(u64, Op)> = v["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["seq"].as_u64().unwrap(),
                serde_json::from_value(o["op"].clone()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pulled,
        ops.iter()
            .cloned()
            .enumerate()
            .map(|(i, o)| (i as u64 + 1, o))
            .collect::<Vec<_>>()
    );
    let records = materialise(&pulled);
    let state = &records[&first.record_id];
    assert_eq!(state.value("name"), Some(&json!("王建华")));
    assert_eq!(state.value("grade"), Some(&json!("H")));

    // Nothing after the cursor.
    let v = pull(&t, &b.token, 3, None).await;
    assert_eq!(v["ops"], json!([]));
    assert_eq!(v["last_seq"], 3);
    assert_eq!(v["more"], false);

    // An empty push is fine and writes nothing.
    assert!(push_ok(&t, &a, &[]).await.is_empty());
    assert_eq!(last_seq(&t, &b.token).await, 3);
}

#[tokio::test]
async fn concurrent_edits_of_one_field_show_a_conflict_in_pull_and_snapshot() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let mut b = Dev::login(&t, "salesmgr").await;
    let create = card(&mut a, "王建华", "13900001111");
    let rid = create.record_id;
    push_ok(&t, &a, std::slice::from_ref(&create)).await;
    // Both devices saw the creation; each, offline, writes another name over it.
    let heads = vec![create.op_id];
    let ea = a.raw_op(
        "a_card",
        rid,
        vec![Change::Set {
            field: "name".into(),
            value: json!("王建华（先生）"),
            supersedes: heads.clone(),
        }],
    );
    let eb = b.raw_op(
        "a_card",
        rid,
        vec![Change::Set {
            field: "name".into(),
            value: json!("王剑华"),
            supersedes: heads,
        }],
    );
    push_ok(&t, &a, std::slice::from_ref(&ea)).await;
    push_ok(&t, &b, std::slice::from_ref(&eb)).await;

    let ops = pull_all(&t, &b.token).await;
    let records = materialise(&ops);
    let conflicts = records[&rid].conflicts(&A_CARD);
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].field, "name");
    let mut seen = vec![conflicts[0].winner.op_id, conflicts[0].others[0].op_id];
    seen.sort();
    let mut expected = vec![ea.op_id, eb.op_id];
    expected.sort();
    assert_eq!(seen, expected);

    // The server's materialised record agrees with the ops.
    let r = t.get_auth("/api/sync/snapshot", &b.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["seq"], 3);
    let snap: RecordState = serde_json::from_value(v["records"][0].clone()).unwrap();
    assert_eq!(snap, records[&rid]);
    assert_eq!(snap.conflicts(&A_CARD), conflicts);
}

#[tokio::test]
async fn a_resend_gets_the_same_seqs_and_writes_nothing() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let ops = vec![
        card(&mut a, "王建华", "13900001111"),
        card(&mut a, "李明", "13800002222"),
    ];
    let seqs = push_ok(&t, &a, &ops).await;
    assert_eq!(seqs, vec![1, 2]);
    // The answer was lost; the device sends the same batch again, and once more with a new op.
    assert_eq!(push_ok(&t, &a, &ops).await, seqs);
    let extra = card(&mut a, "赵六", "13700003333");
    let mixed = vec![ops[1].clone(), extra.clone(), ops[0].clone(), extra.clone()];
    assert_eq!(push_ok(&t, &a, &mixed).await, vec![2, 3, 1, 3]);
    let all = pull_all(&t, &a.token).await;
    assert_eq!(all.len(), 3);
    assert_eq!(
        all.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let snap = t.get_auth("/api/sync/snapshot", &a.token).await.json();
    assert_eq!(snap["total"], 3);
}

#[tokio::test]
async fn a_reused_op_id_with_other_content_is_409() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let op = card(&mut a, "王建华", "13900001111");
    push_ok(&t, &a, std::slice::from_ref(&op)).await;
    let mut other = card(&mut a, "李明", "13800002222");
    other.op_id = op.op_id;
    let fresh = card(&mut a, "赵六", "13700003333");
    let r = push(&t, &a, &[fresh.clone(), other.clone()]).await;
    r.assert_error(StatusCode::CONFLICT, "op_id_reused");
    assert_eq!(r.json()["op_index"], 1);
    // Twice in one batch with different content.
    let mut twin = fresh.clone();
    twin.changes.pop();
    let r = push(&t, &a, &[fresh.clone(), twin]).await;
    r.assert_error(StatusCode::CONFLICT, "op_id_reused");
    assert_eq!(r.json()["op_index"], 1);
    assert_eq!(
        last_seq(&t, &a.token).await,
        1,
        "nothing of the refused batches"
    );
}

#[tokio::test]
async fn bad_pushes_are_refused_with_clear_json_and_change_nothing() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let tech = Dev::login(&t, "tech").await;
    let first = card(&mut a, "王建华", "13900001111");
    push_ok(&t, &a, &[first]).await;
    let before = pull_all(&t, &a.token).await;
    let good = card(&mut a, "李明", "13800002222");

    // Malformed JSON.
    let req = Request::post("/api/sync/push")
        .header(header::CONTENT_TYPE, "application/json")
        .header("authorization", format!("Bearer {}", a.token))
        .body(Body::from("{\"ops\": [}"))
        .unwrap();
    t.send(req)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_json");
    // Not an op.
    push_raw(&t, &a.token, &json!({"ops": [{"op_id": 1}]}), "en")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");

    // Over 2 MiB.
    let big = "x".repeat(2 * 1024 * 1024 + 10);
    let r = push_raw(&t, &a.token, &json!({"ops": [], "pad": big}), "en").await;
    let msg = r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(msg, "The request body is too large");

    // Over 500 ops.
    let many: Vec<Op> = (0..501)
        .map(|_| card(&mut a, "王五", "13600000000"))
        .collect();
    let r = push_raw(&t, &a.token, &json!({ "ops": many }), "en").await;
    let msg = r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "too_many_ops");
    assert!(msg.contains("501") && msg.contains("500"), "{msg}");

    // Ops that do not match the token: the second op of a batch is refused, so nothing is
    // written, not even the first.
    let cases: Vec<(Spoil, StatusCode, &str)> = vec![
        (
            Box::new(|o: &mut Op| o.store_id = "north".into()),
            StatusCode::FORBIDDEN,
            "wrong_store",
        ),
        (
            Box::new(|o: &mut Op| o.device_id = Uuid::now_v7()),
            StatusCode::FORBIDDEN,
            "wrong_device",
        ),
        (
            Box::new(|o: &mut Op| o.user_id = Uuid::now_v7().to_string()),
            StatusCode::FORBIDDEN,
            "wrong_user",
        ),
        (
            Box::new(|o: &mut Op| o.record_type = "invoice".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_record_type",
        ),
        (
            Box::new(|o: &mut Op| o.changes.push(set("shoe_size", json!(42)))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
        ),
        (
            Box::new(|o: &mut Op| {
                o.changes = vec![Change::Add {
                    field: "name".into(),
                    delta: 1,
                }]
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_field_kind",
        ),
        (
            Box::new(|o: &mut Op| o.op_id = Uuid::from_u128(0x1234)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
        ),
        (
            Box::new(|o: &mut Op| o.changes = vec![Change::Restore { supersedes: vec![] }]),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ];
    for (spoil, status, code) in cases {
        let mut bad = card(&mut a, "钱七", "13500000000");
        spoil(&mut bad);
        let r = push(&t, &a, &[good.clone(), bad]).await;
        r.assert_error(status, code);
        assert_eq!(r.json()["op_index"], 1, "{code}");
    }

    // Far-future HLC: the message says by how much, and the server's clock comes with it.
    let mut future = card(&mut a, "孙八", "13400000000");
    future.hlc = Hlc::new(now_ms() + 3 * 3_600_000, 0);
    let r = push_raw(
        &t,
        &a.token,
        &json!({ "ops": [good.clone(), future] }),
        "en",
    )
    .await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "clock_ahead");
    assert!(msg.contains("ahead of the server"), "{msg}");
    let v = r.json();
    assert_eq!(v["op_index"], 1);
    let server = v["server_time_ms"].as_u64().unwrap();
    assert!(server.abs_diff(now_ms()) < 60_000);
    let mut future = card(&mut a, "孙八", "13400000000");
    future.hlc = Hlc::new(now_ms() + 3 * 3_600_000, 0);
    let msg = push(&t, &a, &[future])
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "clock_ahead");
    assert!(msg.contains("时钟"), "{msg}");

    // A technician may not write A-cards.
    let mut tech_op = card(&mut a, "周九", "13300000000");
    tech_op.device_id = tech.device;
    tech_op.user_id = tech.user_id.clone();
    let r = push(&t, &tech, &[tech_op]).await;
    let msg = r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(msg.contains("a_card"), "{msg}");
    assert_eq!(r.json()["op_index"], 0);

    // No token, a logged-out token.
    push_raw(&t, "nope", &json!({"ops": [good.clone()]}), "zh")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let mut gone = Dev::login(&t, "consultant").await;
    assert_eq!(
        t.post_auth("/api/auth/logout", &gone.token).await.status,
        StatusCode::NO_CONTENT
    );
    let op = card(&mut gone, "吴十", "13200000000");
    push(&t, &gone, &[op])
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    assert_eq!(pull_all(&t, &a.token).await, before, "nothing was written");
    // And the good op alone still goes in, numbered right after.
    assert_eq!(push_ok(&t, &a, &[good]).await, vec![2]);
}

#[tokio::test]
async fn expired_tokens_cannot_push() {
    let t = app_with(|s| s.token_ttl = chrono::Duration::seconds(-1)).await;
    let mut a = Dev::login(&t, "consultant").await;
    let op = card(&mut a, "王建华", "13900001111");
    push(&t, &a, &[op])
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn pull_pages_follow_the_cursor_and_skip_unreadable_types() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let ops: Vec<Op> = (0..25)
        .map(|i| card(&mut a, &format!("客户{i}"), "13900001111"))
        .collect();
    assert_eq!(push_ok(&t, &a, &ops).await, (1..=25).collect::<Vec<u64>>());

    let mut after = 0;
    let mut seqs = Vec::new();
    let mut pages = 0;
    loop {
        let v = pull(&t, &a.token, after, Some(10)).await;
        pages += 1;
        for o in v["ops"].as_array().unwrap() {
            seqs.push(o["seq"].as_u64().unwrap());
        }
        after = v["last_seq"].as_u64().unwrap();
        if !v["more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(after, 25);
    assert_eq!(seqs, (1..=25).collect::<Vec<u64>>());
    let v = pull(&t, &a.token, 10, Some(10)).await;
    assert_eq!(v["ops"][0]["seq"], 11);
    assert_eq!(v["last_seq"], 20);
    assert_eq!(v["more"], true);
    let v = pull(&t, &a.token, 20, Some(5)).await;
    assert_eq!(v["last_seq"], 25);
    assert_eq!(v["more"], false);

    // A technician may not read A-cards: no ops, but the cursor moves on.
    let tech = Dev::login(&t, "tech").await;
    let v = pull(&t, &tech.token, 0, Some(10)).await;
    assert_eq!(v["ops"], json!([]));
    assert_eq!(v["last_seq"], 10);
    assert_eq!(v["more"], true);

    for bad in ["limit=0", "limit=1001", "after=-1", "after=x"] {
        t.get_auth(&format!("/api/sync/pull?{bad}"), &a.token)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    }
    t.get("/api/sync/pull")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn snapshot_pages_by_record_id_and_resumes() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let ops: Vec<Op> = (0..7)
        .map(|i| card(&mut a, &format!("客户{i}"), "13900001111"))
        .collect();
    push_ok(&t, &a, &ops).await;
    let mut ids: Vec<Uuid> = ops.iter().map(|o| o.record_id).collect();
    ids.sort();

    let page1 = t
        .get_auth("/api/sync/snapshot?limit=3", &a.token)
        .await
        .json();
    assert_eq!(page1["seq"], 7);
    assert_eq!(page1["total"], 7);
    assert_eq!(
        page1["exact"], false,
        "a consultant's scope is limited: the total is the store's (here hers alone)"
    );
    assert_eq!(page1["records"].as_array().unwrap().len(), 3);
    assert_eq!(page1["next"], json!(ids[2]));

    // More edits come in while the device is paging; it resumes where it stopped.
    let late = card(&mut a, "新客户", "13800000000");
    push_ok(&t, &a, std::slice::from_ref(&late)).await;

    let mut got: Vec<Uuid> = page1["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_value::<RecordState>(r.clone()).unwrap().id)
        .collect();
    let mut next = page1["next"].as_str().unwrap().to_owned();
    loop {
        let v = t
            .get_auth(
                &format!("/api/sync/snapshot?after={next}&limit=3"),
                &a.token,
            )
            .await
            .json();
        assert_eq!(v["seq"], 8);
        assert_eq!(v["total"], 8);
        for r in v["records"].as_array().unwrap() {
            got.push(serde_json::from_value::<RecordState>(r.clone()).unwrap().id);
        }
        match v["next"].as_str() {
            Some(n) => next = n.to_owned(),
            None => break,
        }
    }
    let mut all = ids.clone();
    all.push(late.record_id);
    all.sort();
    // Pages are in id order; the late record shows up only if its id sorts after the resume
    // point, and the device gets it from the pull after the first page's seq anyway.
    let expected: Vec<Uuid> = all
        .iter()
        .copied()
        .filter(|id| ids.contains(id) || *id > ids[2])
        .collect();
    assert_eq!(got, expected);
    let after_first = pull(&t, &a.token, 7, None).await;
    assert_eq!(
        after_first["ops"][0]["op"]["record_id"],
        json!(late.record_id)
    );

    let tech = Dev::login(&t, "tech").await;
    let v = t.get_auth("/api/sync/snapshot", &tech.token).await.json();
    assert_eq!(v["records"], json!([]));
    assert_eq!(v["total"], 0);
    assert_eq!(v["next"], Value::Null);
    t.get_auth("/api/sync/snapshot?after=nope", &a.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn a_snapshot_page_of_the_device_s_index_version_carries_the_values_it_stores() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let ops: Vec<Op> = (0..3)
        .map(|i| card(&mut a, &format!("客户{i}"), "13900001111"))
        .collect();
    push_ok(&t, &a, &ops).await;
    let version = domain::records::index::VERSION;
    let plain = t.get_auth("/api/sync/snapshot", &a.token).await.json();
    let v = t
        .get_auth(&format!("/api/sync/snapshot?index={version}"), &a.token)
        .await
        .json();
    assert_eq!(v["index"], version);
    assert_eq!(
        plain.get("index"),
        None,
        "asked for nothing: the records as stored"
    );
    for key in ["seq", "total", "next", "scope"] {
        assert_eq!(v[key], plain[key], "{key}");
    }
    let values = v["records"].as_array().unwrap();
    assert_eq!(values.len(), 3);
    for (value, stored) in values.iter().zip(plain["records"].as_array().unwrap()) {
        let record: RecordState = serde_json::from_value(stored.clone()).unwrap();
        let text = value["json"].as_str().expect("the record's text");
        // The compact text the device stores (smaller than the stored form), the same state.
        assert!(text.starts_with(domain::sync::compact::PREFIX), "{text}");
        assert!(text.len() < stored.to_string().len());
        assert_eq!(domain::sync::compact::from_text(text).unwrap(), record);
        let clock = domain::time::StoreClock::default();
        assert_eq!(value, &domain::records::index::device_value(&record, clock));
        assert_eq!(value["type"], "a_card");
        assert!(value["name"].as_str().unwrap().starts_with("客户"));
        // A mobile number is stored as the card's phone key (`index::terms`).
        assert!(
            value["terms"]
                .as_array()
                .unwrap()
                .contains(&json!("\u{1}13900001111"))
        );
        assert_eq!(value["status"], "following");
    }
    // A device of another index version gets the records as they are (and computes its own).
    let other = t
        .get_auth(
            &format!("/api/sync/snapshot?index={}", version + 1),
            &a.token,
        )
        .await
        .json();
    assert_eq!(other.get("index"), None);
    assert_eq!(other["records"], plain["records"]);
    t.get_auth("/api/sync/snapshot?index=x", &a.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pushes_are_numbered_without_gaps() {
    let t = app().await;
    let mut devs = Vec::new();
    for u in [
        "consultant",
        "salesmgr",
        "gm",
        "consultant",
        "salesmgr",
        "gm",
    ] {
        devs.push(Dev::login(&t, u).await);
    }
    let mut tasks = Vec::new();
    for mut dev in devs {
        let app = t.app.clone();
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for round in 0..10 {
                let ops: Vec<Op> = (0..7)
                    .map(|i| card(&mut dev, &format!("客户{round}-{i}"), "13900001111"))
                    .collect();
                let req = Request::post("/api/sync/push")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("authorization", format!("Bearer {}", dev.token))
                    .body(Body::from(json!({ "ops": ops }).to_string()))
                    .unwrap();
                let resp = app.clone().oneshot(req).await.unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
                let body = resp.into_body().collect().await.unwrap().to_bytes();
                let v: Value = serde_json::from_slice(&body).unwrap();
                for (a, op) in v["acks"].as_array().unwrap().iter().zip(&ops) {
                    acked.push((a["seq"].as_u64().unwrap(), op.op_id));
                }
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for task in tasks {
        acked.extend(task.await.unwrap());
    }
    acked.sort();
    assert_eq!(
        acked.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        (1..=420).collect::<Vec<u64>>()
    );
    let reader = Dev::login(&t, "gm").await;
    let all = pull_all(&t, &reader.token).await;
    let pulled: Vec<(u64, Uuid)> = all.iter().map(|(s, o)| (*s, o.op_id)).collect();
    assert_eq!(pulled, acked);
}

#[tokio::test]
async fn duplicates_group_cards_by_normalised_phone_for_managers() {
    let t = app().await;
    let mut wang = Dev::login(&t, "consultant").await;
    let mut li = Dev::login(&t, "salesmgr").await;
    let with = |dev: &mut Dev, name: &str, phone: &str, at: &str| {
        let consultant = dev.user_id.clone();
        dev.raw_op(
            "a_card",
            v7(),
            vec![
                set("name", json!(name)),
                set("phone", json!(phone)),
                set("consultant_id", json!(consultant)),
                set("first_contact_at", json!(at)),
            ],
        )
    };
    // A consultant's first contact is the time the card is built (`time_not_now`).
    let ago = |minutes: u64| {
        let clock = domain::time::StoreClock::default();
        let at = clock.local_ms(now_ms() - minutes * 60_000).unwrap();
        domain::time::stored_time(at)
    };
    let (late_at, early_at) = (ago(0), ago(3));
    let late = with(&mut wang, "王建华", "139-0000-1111", &late_at);
    let early = with(&mut li, "王先生", "+86 139 0000 1111", &early_at);
    let other = with(&mut wang, "李明", "13800002222", &ago(1));
    push_ok(&t, &wang, &[late.clone(), other.clone()]).await;

    t.get_auth("/api/sales/duplicates", &li.token)
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty()
        .then_some(())
        .expect("no duplicates yet");
    push_ok(&t, &li, std::slice::from_ref(&early)).await;

    t.get_auth("/api/sales/duplicates", &wang.token)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let r = t.get_auth("/api/sales/duplicates", &li.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    let g = &v[0];
    assert_eq!(g["phone"], "13900001111");
    assert_eq!(g["owner"], json!(early.record_id));
    assert_eq!(g["crosses_consultants"], true);
    assert_eq!(g["crosses_devices"], true);
    assert_eq!(
        g["cards"],
        json!([
            {"id": early.record_id, "name": "王先生", "consultant_id": li.user_id,
             "device_id": li.device, "first_contact_at": early_at},
            {"id": late.record_id, "name": "王建华", "consultant_id": wang.user_id,
             "device_id": wang.device, "first_contact_at": late_at},
        ])
    );
    let gm = Dev::login(&t, "gm").await;
    assert_eq!(
        t.get_auth("/api/sales/duplicates", &gm.token).await.json(),
        v
    );

    // Correcting the phone (the winning value) takes the card out of the group.
    let fix = wang.raw_op(
        "a_card",
        late.record_id,
        vec![Change::Set {
            field: "phone".into(),
            value: json!("13900001112"),
            supersedes: vec![late.op_id],
        }],
    );
    push_ok(&t, &wang, std::slice::from_ref(&fix)).await;
    assert_eq!(
        t.get_auth("/api/sales/duplicates", &li.token).await.json(),
        json!([])
    );
    // ... and writing it back the same way puts it in again.
    let back = wang.raw_op(
        "a_card",
        late.record_id,
        vec![Change::Set {
            field: "phone".into(),
            value: json!("13900001111"),
            supersedes: vec![fix.op_id],
        }],
    );
    push_ok(&t, &wang, &[back]).await;
    assert_eq!(
        t.get_auth("/api/sales/duplicates", &li.token).await.json()[0]["cards"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A card in the bin is not a duplicate.
    let bin = li.raw_op(
        "a_card",
        early.record_id,
        vec![Change::Delete { supersedes: vec![] }],
    );
    push_ok(&t, &li, &[bin]).await;
    assert_eq!(
        t.get_auth("/api/sales/duplicates", &li.token).await.json(),
        json!([])
    );
}

/// Reads the next SSE frame's text within `timeout`.
async fn next_event<B>(body: &mut B, timeout: Duration) -> String
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Unpin,
    B::Error: std::fmt::Debug,
{
    loop {
        let frame = tokio::time::timeout(timeout, body.frame())
            .await
            .expect("an event within the timeout")
            .expect("the stream is still open")
            .expect("a frame");
        if let Ok(data) = frame.into_data() {
            let text = String::from_utf8(data.to_vec()).unwrap();
            if text.starts_with("event:") {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn events_announce_the_seq_on_connect_and_after_each_push() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let first = card(&mut a, "王建华", "13900001111");
    push_ok(&t, &a, &[first]).await;
    let ticket = ticket(&t, &a.token).await;
    let req = Request::get(format!("/api/sync/events?ticket={ticket}"))
        .body(Body::empty())
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = resp.into_body();
    let first = next_event(&mut body, Duration::from_secs(5)).await;
    assert_eq!(first, "event: changed\ndata: {\"seq\":1}\n\n");

    let ops = vec![
        card(&mut a, "李明", "13800002222"),
        card(&mut a, "赵六", "13700003333"),
    ];
    push_ok(&t, &a, &ops).await;
    let second = next_event(&mut body, Duration::from_secs(5)).await;
    assert_eq!(second, "event: changed\ndata: {\"seq\":3}\n\n");

    // The stream ends when the server shuts down.
    t.state.begin_shutdown();
    let end = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("ends promptly");
    assert!(end.is_none(), "{end:?}");

    t.get("/api/sync/events?ticket=nope")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // A token in the URL is not accepted (it would end up in logs).
    t.get(&format!("/api/sync/events?token={}", a.token))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    t.get("/api/sync/events")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

/// A ticket for one event stream.
async fn ticket(t: &TestApp, token: &str) -> String {
    let r = t.post_auth("/api/sync/events/ticket", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["expires_in_secs"], 60);
    r.json()["ticket"].as_str().expect("ticket").to_owned()
}

/// Opens `/api/sync/events` for `token` (through a ticket) and reads the event sent on connect.
async fn open_events(t: &TestApp, token: &str) -> Body {
    let ticket = ticket(t, token).await;
    let req = Request::get(format!("/api/sync/events?ticket={ticket}"))
        .body(Body::empty())
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    let first = next_event(&mut body, Duration::from_secs(5)).await;
    assert!(first.starts_with("event: changed\n"), "{first}");
    body
}

/// Waits for the end of an event stream, failing on any `changed` event before it.
async fn expect_end(body: &mut Body, timeout: Duration) {
    loop {
        let frame = tokio::time::timeout(timeout, body.frame())
            .await
            .expect("the stream ends within the timeout");
        let Some(frame) = frame else { return };
        if let Ok(data) = frame.expect("a frame").into_data() {
            let text = String::from_utf8(data.to_vec()).unwrap();
            assert!(
                !text.starts_with("event:"),
                "an event after the end: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_revoked_device_or_a_logged_out_token_gets_no_more_events() {
    let t = app().await;
    let mut other = Dev::login(&t, "zhaolei").await;
    let revoked = Dev::login(&t, "consultant").await;
    let logged_out = Dev::login(&t, "qianli").await;
    let staying = Dev::login(&t, "sunhao").await;
    let mut revoked_events = open_events(&t, &revoked.token).await;
    let mut logged_out_events = open_events(&t, &logged_out.token).await;
    let mut staying_events = open_events(&t, &staying.token).await;

    let mgr = t.token("salesmgr", Uuid::now_v7()).await;
    let r = t
        .post_auth(&format!("/api/devices/{}/revoke", revoked.device), &mgr)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = t.post_auth("/api/auth/logout", &logged_out.token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

    // A colleague's push is announced to the device still in use only.
    let op = card(&mut other, "王建华", "13900001111");
    let seq = push_ok(&t, &other, &[op]).await[0];
    assert_eq!(
        next_event(&mut staying_events, Duration::from_secs(5)).await,
        format!("event: changed\ndata: {{\"seq\":{seq}}}\n\n")
    );
    expect_end(&mut revoked_events, Duration::from_secs(5)).await;
    expect_end(&mut logged_out_events, Duration::from_secs(5)).await;
}

/// A stream with nothing to announce still notices the revocation (within `RECHECK`).
#[tokio::test]
async fn an_idle_event_stream_ends_after_its_device_is_revoked() {
    let t = app().await;
    let dev = Dev::login(&t, "consultant").await;
    let mut events = open_events(&t, &dev.token).await;
    let mgr = t.token("salesmgr", Uuid::now_v7()).await;
    let r = t
        .post_auth(&format!("/api/devices/{}/revoke", dev.device), &mgr)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    expect_end(&mut events, Duration::from_secs(10)).await;
}

/// `/metrics` counts accepted pushes and their ops, and refused pushes by the code the device
/// got.
#[tokio::test]
async fn pushes_and_refusals_are_counted_for_metrics() {
    let t = app().await;
    let mut a = Dev::login(&t, "consultant").await;
    let ops = vec![
        card(&mut a, "王建华", "13900001111"),
        card(&mut a, "李明", "13800002222"),
    ];
    push_ok(&t, &a, &ops).await;
    let mut wrong = card(&mut a, "赵六", "13700003333");
    wrong.store_id = "north".into();
    push(&t, &a, &[wrong])
        .await
        .assert_error(StatusCode::FORBIDDEN, "wrong_store");
    let mut stranger = card(&mut a, "钱七", "13600004444");
    stranger.user_id = Uuid::now_v7().to_string();
    push(&t, &a, &[stranger])
        .await
        .assert_error(StatusCode::FORBIDDEN, "wrong_user");
    let counts = t.state.metrics().counts();
    assert_eq!((counts.pushes, counts.ops), (1, 2));
    assert_eq!(
        counts.refused.into_iter().collect::<Vec<_>>(),
        vec![("wrong_store".to_owned(), 1), ("wrong_user".to_owned(), 1)]
    );
    let _events = open_events(&t, &a.token).await;
    assert_eq!(t.state.metrics().counts().event_streams, 1);
}
