//! The sync scope per role (`domain::records::scope`, docs/sync.md "Sync scope per role"): a
//! consultant's snapshot and pull hold their own customers and not a colleague's, a hand-over
//! brings the card whole, the op that takes a card away reaches the device that held it, the
//! history follows the same rule, a push is checked by the same policy whatever the scope, and
//! the phone index answers for the whole store.

mod common;

use axum::http::StatusCode;
use common::ops::{Dev, World, set, v7};
use common::{TestApp, app};
use domain::records::{A_CARD, CARE_TASK, REPAIR_ORDER, RO_LINE};
use domain::sync::RecordState;
use serde_json::{Value, json};
use uuid::Uuid;

/// A card of `dev`'s with this name and phone, created and accepted.
async fn card_of(t: &TestApp, w: &mut World, dev: &mut Dev, name: &str, phone: &str) -> Uuid {
    let id = v7();
    let me = dev.user_id.clone();
    let op = dev.op(w, id, &A_CARD, |e| {
        vec![
            set(e, "name", json!(name)),
            set(e, "phone", json!(phone)),
            set(e, "consultant_id", json!(me)),
        ]
    });
    dev.ok(t, w, vec![op]).await;
    id
}

/// Every page of the snapshot: the records, the first page's total (`None` when it is not the
/// exact count: a limited scope's is an upper bound) and scope key.
async fn snapshot(t: &TestApp, dev: &Dev) -> (Vec<RecordState>, Option<u64>, String) {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    let mut first: Option<(Option<u64>, String)> = None;
    let mut bound;
    loop {
        let path = match &after {
            Some(a) => format!("/api/sync/snapshot?limit=100&after={a}"),
            None => "/api/sync/snapshot?limit=100".to_owned(),
        };
        let r = t.get_auth(&path, &dev.token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        let total = v["total"].as_u64().unwrap();
        if first.is_none() {
            let exact = v["exact"].as_bool().unwrap();
            first = Some((
                exact.then_some(total),
                v["scope"].as_str().unwrap().to_owned(),
            ));
        }
        bound = total;
        for rec in v["records"].as_array().unwrap() {
            out.push(serde_json::from_value(rec.clone()).unwrap());
        }
        match v["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    let (total, scope) = first.unwrap();
    assert!(bound as usize >= out.len(), "an upper bound at least");
    (out, total, scope)
}

/// One pull page after `after` (limit 1000).
async fn pull(t: &TestApp, dev: &Dev, after: u64) -> Value {
    let r = t
        .get_auth(
            &format!("/api/sync/pull?after={after}&limit=1000"),
            &dev.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// Every op and whole record pulled after `after`, and the last cursor.
async fn pull_all(t: &TestApp, dev: &Dev, mut after: u64) -> (Vec<Value>, Vec<RecordState>, u64) {
    let (mut ops, mut records) = (Vec::new(), Vec::new());
    loop {
        let page = pull(t, dev, after).await;
        ops.extend(
            page["ops"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["op"].clone()),
        );
        for r in page["records"].as_array().unwrap() {
            records.push(serde_json::from_value(r.clone()).unwrap());
        }
        after = page["last_seq"].as_u64().unwrap();
        if page["more"] != json!(true) {
            return (ops, records, after);
        }
    }
}

fn ids_of(ops: &[Value]) -> Vec<Uuid> {
    ops.iter()
        .map(|o| Uuid::parse_str(o["record_id"].as_str().unwrap()).unwrap())
        .collect()
}

fn consultant_of(r: &RecordState) -> String {
    r.value("consultant_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_consultant_holds_their_own_customers_and_not_a_colleagues() {
    let t = app().await;
    let mut w = World::default();
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let theirs = card_of(&t, &mut w, &mut zhao, "李女士", "13900001111").await;
    // The colleague closes the customer: the manager confirms the loss.
    let mut m = Dev::login(&t, "salesmgr").await;
    close_card(&t, &mut w, &mut zhao, &mut m, theirs).await;
    let open = card_of(&t, &mut w, &mut zhao, "赵女士", "13900007777").await;
    let mut c = Dev::login(&t, "consultant").await;
    let mine = card_of(&t, &mut w, &mut c, "王先生", "13900002222").await;

    let (records, total, scope) = snapshot(&t, &c).await;
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    assert!(ids.contains(&mine), "the consultant's own card");
    assert!(
        !ids.contains(&theirs),
        "not the colleague's closed customer"
    );
    assert_eq!(
        total, None,
        "a limited scope is not counted (an upper bound instead)"
    );
    for r in &records {
        if ["c_card", "order"].contains(&r.record_type.as_str()) {
            let who = consultant_of(r);
            assert!(
                who.is_empty() || who == c.user_id,
                "{} of {who}",
                r.record_type
            );
        }
    }
    // The manager's tablet holds everything; the colleague's their card.
    let (all, all_total, manager_scope) = snapshot(&t, &m).await;
    assert!(all.iter().any(|r| r.id == theirs) && all.iter().any(|r| r.id == mine));
    assert!(all_total == Some(all.len() as u64) && all.len() > records.len());
    let (zhaos, _, zhao_scope) = snapshot(&t, &zhao).await;
    assert!(zhaos.iter().any(|r| r.id == theirs) && zhaos.iter().any(|r| r.id == mine));
    assert!(scope != zhao_scope && scope != manager_scope);

    // A pull from the start: the same rule; the scope key as the snapshot's.
    let page = pull(&t, &c, 0).await;
    assert_eq!(page["scope"], json!(scope));
    let (ops, _, cursor) = pull_all(&t, &c, 0).await;
    let pulled = ids_of(&ops);
    assert!(pulled.contains(&mine) && pulled.contains(&open));
    // After the card was closed, its edits no longer reach the consultant; their own do.
    let late = zhao.op(&w, theirs, &A_CARD, |e| {
        vec![
            e.append("follow_ups", v7(), json!({"content": "回访:已在别家提车"}))
                .unwrap(),
        ]
    });
    zhao.ok(&t, &mut w, vec![late]).await;
    let own = c.op(&w, mine, &A_CARD, |e| vec![set(e, "grade", json!("H"))]);
    c.ok(&t, &mut w, vec![own]).await;
    let (ops, records, _) = pull_all(&t, &c, cursor).await;
    assert_eq!(ids_of(&ops), vec![mine]);
    assert!(records.is_empty());

    // The history of a record follows the read rule.
    let r = t
        .get_auth(&format!("/api/records/{theirs}/history"), &c.token)
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = t
        .get_auth(&format!("/api/records/{mine}/history"), &c.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = t
        .get_auth(&format!("/api/records/{theirs}/history"), &m.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// The manager's ops that close a card of `dev`'s: propose (by the owner), re-contact, lost.
async fn close_card(t: &TestApp, w: &mut World, owner: &mut Dev, m: &mut Dev, card: Uuid) {
    let propose = owner.op(w, card, &A_CARD, |e| {
        vec![
            e.transition("status", "loss_proposed").unwrap(),
            set(e, "loss_reason", json!("other_brand")),
        ]
    });
    owner.ok(t, w, vec![propose]).await;
    let re_contact = m.op(w, card, &A_CARD, |e| {
        vec![
            e.append(
                "re_contacts",
                v7(),
                json!({"outcome": "confirmed_lost", "channel": "phone", "note": "经理电话回访"}),
            )
            .unwrap(),
            e.transition("status", "re_contacted").unwrap(),
        ]
    });
    m.ok(t, w, vec![re_contact]).await;
    let lost = m.op(w, card, &A_CARD, |e| {
        vec![e.transition("status", "lost").unwrap()]
    });
    m.ok(t, w, vec![lost]).await;
}

#[tokio::test]
async fn a_hand_over_brings_the_task_whole_and_tells_the_one_who_had_it() {
    let t = app().await;
    let mut w = World::default();
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let task = v7();
    let him = zhao.user_id.clone();
    let made = zhao.op(&w, task, &CARE_TASK, |e| {
        vec![
            set(e, "customer_name", json!("李女士")),
            set(e, "phone", json!("13900003333")),
            set(e, "kind", json!("call_24h")),
            set(e, "assignee_id", json!(him)),
        ]
    });
    zhao.ok(&t, &mut w, vec![made]).await;
    let attempt = zhao.op(&w, task, &CARE_TASK, |e| {
        vec![
            e.append("attempts", v7(), json!({"outcome": "no_answer"}))
                .unwrap(),
        ]
    });
    zhao.ok(&t, &mut w, vec![attempt]).await;
    let c = Dev::login(&t, "consultant").await;
    let qian = Dev::login(&t, "qianli").await;
    // Every tablet is up to date.
    let (_, _, cursor) = pull_all(&t, &c, 0).await;
    let (_, _, zhao_cursor) = pull_all(&t, &zhao, 0).await;
    let (_, _, qian_cursor) = pull_all(&t, &qian, 0).await;

    // The manager hands the task over to the consultant (a leaver's hand-over moves it so).
    let mut m = Dev::login(&t, "salesmgr").await;
    let to = c.user_id.clone();
    let give = m.op(&w, task, &CARE_TASK, |e| {
        vec![set(e, "assignee_id", json!(to))]
    });
    m.ok(&t, &mut w, vec![give.clone()]).await;

    // The consultant's next pull: the op and the whole task (its customer and the attempt
    // came before the cursor).
    let (ops, records, _) = pull_all(&t, &c, cursor).await;
    assert_eq!(ids_of(&ops), vec![task]);
    assert_eq!(records.len(), 1, "{records:?}");
    let whole = &records[0];
    assert_eq!(whole.value("customer_name"), Some(&json!("李女士")));
    assert_eq!(whole, &w.state(task, &CARE_TASK), "as the server holds it");

    // The colleague who had it gets the op that took it away (the task shows its new
    // assignee); a third consultant gets nothing.
    let (ops, _, _) = pull_all(&t, &zhao, zhao_cursor).await;
    assert_eq!(ids_of(&ops), vec![task]);
    assert_eq!(ops[0]["op_id"], json!(give.op_id));
    let (ops, records, _) = pull_all(&t, &qian, qian_cursor).await;
    assert!(ops.is_empty() && records.is_empty(), "{ops:?}");

    // Later edits reach the new assignee, no longer the old one.
    let (_, _, cursor) = pull_all(&t, &c, 0).await;
    let (_, _, zhao_cursor) = pull_all(&t, &zhao, 0).await;
    let mut c = c;
    let later = c.op(&w, task, &CARE_TASK, |e| {
        vec![set(e, "note", json!("周末再打"))]
    });
    c.ok(&t, &mut w, vec![later]).await;
    let (ops, records, _) = pull_all(&t, &c, cursor).await;
    assert_eq!(ids_of(&ops), vec![task]);
    assert!(records.is_empty(), "an ordinary edit comes as the op alone");
    let (ops, _, _) = pull_all(&t, &zhao, zhao_cursor).await;
    assert!(ops.is_empty(), "{ops:?}");
}

#[tokio::test]
async fn a_closed_card_reopened_reaches_every_consultant_whole() {
    let t = app().await;
    let mut w = World::default();
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let mut m = Dev::login(&t, "salesmgr").await;
    let card = card_of(&t, &mut w, &mut zhao, "李女士", "13900006666").await;
    let c = Dev::login(&t, "consultant").await;
    let (_, _, before) = pull_all(&t, &c, 0).await;
    close_card(&t, &mut w, &mut zhao, &mut m, card).await;
    // The consultant held the open card: the ops that closed it reach their tablet.
    let (ops, _, cursor) = pull_all(&t, &c, before).await;
    assert_eq!(ids_of(&ops), vec![card, card, card]);
    let (records, _, _) = snapshot(&t, &c).await;
    assert!(
        !records.iter().any(|r| r.id == card),
        "closed: out of scope"
    );
    // The manager reactivates it (lost → following): it comes back whole.
    let reopen = m.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "following").unwrap()]
    });
    m.ok(&t, &mut w, vec![reopen]).await;
    let (ops, records, _) = pull_all(&t, &c, cursor).await;
    assert_eq!(ids_of(&ops), vec![card]);
    assert_eq!(records, vec![w.state(card, &A_CARD)]);
}

#[tokio::test]
async fn a_push_on_a_record_out_of_scope_is_checked_by_the_same_policy() {
    let t = app().await;
    let mut w = World::default();
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let card = card_of(&t, &mut w, &mut zhao, "李女士", "13900004444").await;
    let mut m = Dev::login(&t, "salesmgr").await;
    close_card(&t, &mut w, &mut zhao, &mut m, card).await;
    let mut c = Dev::login(&t, "consultant").await;
    let (records, _, _) = snapshot(&t, &c).await;
    assert!(
        !records.iter().any(|r| r.id == card),
        "not in the consultant's scope"
    );
    let (_, _, cursor) = pull_all(&t, &c, 0).await;
    // A follow-up note on a colleague's card is anyone's; the bin is the owner's.
    let note = c.op(&w, card, &A_CARD, |e| {
        vec![
            e.append(
                "follow_ups",
                v7(),
                json!({"content": "客户又来店了,已通知赵磊"}),
            )
            .unwrap(),
        ]
    });
    c.ok(&t, &mut w, vec![note]).await;
    let bin = c.op(&w, card, &A_CARD, |e| vec![e.delete()]);
    c.refused(&t, &[bin], 0, StatusCode::FORBIDDEN, "not_your_customer")
        .await;
    // The card is still not the consultant's: their own op does not pull it in.
    let (ops, records, _) = pull_all(&t, &c, cursor).await;
    assert!(!ids_of(&ops).contains(&card) && records.is_empty());
}

#[tokio::test]
async fn the_phone_index_covers_the_whole_store() {
    let t = app().await;
    let mut w = World::default();
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let card = card_of(&t, &mut w, &mut zhao, "李女士", "+86 139-0000-5555").await;
    let c = Dev::login(&t, "consultant").await;
    let r = t.get_auth("/api/sync/phones", &c.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert!(v["seq"].as_u64().unwrap() > 0);
    let rows = v["phones"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|row| row[1] == json!(card.to_string()))
        .expect("the colleague's card");
    assert_eq!(
        row,
        &json!(["13900005555", card.to_string(), "李女士", zhao.user_id])
    );
    // Each with a normalised phone.
    for row in rows {
        let phone = row[0].as_str().unwrap();
        assert_eq!(domain::sales::phone::normalise(phone).as_deref(), Ok(phone));
    }
    // Only for those who read A-cards.
    let tech = Dev::login(&t, "tech").await;
    t.get_auth("/api/sync/phones", &tech.token)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let r = t.get("/api/sync/phones").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_workshop_holds_open_repair_orders_and_their_lines() {
    let t = app().await;
    let mut w = World::default();
    let mut advisor = Dev::login(&t, "advisor").await;
    let me = advisor.user_id.clone();
    let (open, closed) = (v7(), v7());
    for ro in [open, closed] {
        let op = advisor.op(&w, ro, &REPAIR_ORDER, |e| {
            vec![
                set(e, "plate", json!("京A12345")),
                set(e, "advisor_id", json!(me)),
            ]
        });
        advisor.ok(&t, &mut w, vec![op]).await;
    }
    let (line, closed_line) = (v7(), v7());
    for (id, ro) in [(line, open), (closed_line, closed)] {
        let op = advisor.op(&w, id, &RO_LINE, |e| {
            vec![
                set(e, "ro_id", json!(ro.to_string())),
                set(e, "kind", json!("labour")),
            ]
        });
        advisor.ok(&t, &mut w, vec![op]).await;
    }
    // Cancelled with its line (a cancelled RO's lines no longer change).
    let cancel = advisor.op(&w, closed, &REPAIR_ORDER, |e| {
        vec![e.transition("status", "cancelled").unwrap()]
    });
    advisor.ok(&t, &mut w, vec![cancel]).await;
    let tech = Dev::login(&t, "tech").await;
    let (held, total, _) = snapshot(&t, &tech).await;
    let ids: Vec<Uuid> = held.iter().map(|r| r.id).collect();
    assert!(ids.contains(&open) && ids.contains(&line));
    assert!(!ids.contains(&closed) && !ids.contains(&closed_line));
    assert_eq!(total, None, "a technician's scope is limited: not counted");
    assert!(!held.is_empty());
    let (all, _, _) = snapshot(&t, &advisor).await;
    assert!(
        all.iter().any(|r| r.id == closed),
        "the desk holds everything"
    );
    let (ops, _, _) = pull_all(&t, &tech, 0).await;
    let pulled = ids_of(&ops);
    assert!(pulled.contains(&line) && !pulled.contains(&closed_line));
}
