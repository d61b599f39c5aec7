//! The server enforces the domain's rules (`domain::policy::check_op`, docs/sync.md "What the
//! server refuses"): each crafted op of issue 12 is pushed with a real token and refused with
//! the rule's code, and the normal flows of the app are accepted.

mod common;

use axum::http::StatusCode;
use common::ops::{Dev, World, now_ms, set, v7};
use common::{TestApp, app};
use domain::records::{A_CARD, ORDER, RECEPTION_ROTA, SALES_SETTINGS, VISIT};
use domain::sales::duplicate::merge_plan;
use domain::sales::order_plan::{OrderFields, place_order_plan};
use domain::sales::rota::rota_record_id;
use domain::sales::settings::settings_record_id;
use domain::sync::{Change, Edit, Hlc, Op, apply};
use domain::time::StoreClock;
use serde_json::json;
use uuid::Uuid;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Now as the store's records hold a time (a visit's `time_in` is recorded as it happens).
fn now_stored() -> String {
    let clock = StoreClock::default();
    domain::time::stored_time(clock.local(chrono::Utc::now()))
}

/// A card of `dev`'s, created and accepted.
async fn own_card(t: &TestApp, w: &mut World, dev: &mut Dev, name: &str) -> Uuid {
    let id = v7();
    let me = dev.user_id.clone();
    let op = dev.op(w, id, &A_CARD, |e| {
        vec![
            set(e, "name", json!(name)),
            set(e, "phone", json!("13912345678")),
            set(e, "consultant_id", json!(me)),
        ]
    });
    dev.ok(t, w, vec![op]).await;
    id
}

fn re_contact(e: &Edit<'_>, outcome: &str) -> Change {
    e.append(
        "re_contacts",
        v7(),
        json!({"outcome": outcome, "channel": "phone", "note": "经理电话回访"}),
    )
    .unwrap()
}

#[tokio::test]
async fn a_consultant_cannot_walk_their_own_card_to_lost() {
    let t = app().await;
    let mut w = World::default();
    let mut c = Dev::login(&t, "consultant").await;
    let card = own_card(&t, &mut w, &mut c, "王先生").await;
    let propose = c.op(&w, card, &A_CARD, |e| {
        vec![
            e.transition("status", "loss_proposed").unwrap(),
            set(e, "loss_reason", json!("other_brand")),
            set(e, "loss_note", json!("客户已在隔壁订车")),
        ]
    });
    c.ok(&t, &mut w, vec![propose]).await;

    // loss_proposed → re_contacted → lost in one push, no manager anywhere.
    let to_re_contacted = c.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "re_contacted").unwrap()]
    });
    let mut after = w.state(card, &A_CARD);
    apply(&mut after, &to_re_contacted, &A_CARD).unwrap();
    let to_lost = Op {
        op_id: v7(),
        hlc: c.clock.now(now_ms()),
        changes: vec![
            Edit::new(&after, &A_CARD)
                .transition("status", "lost")
                .unwrap(),
        ],
        ..to_re_contacted.clone()
    };
    let msg = c
        .refused(
            &t,
            &[to_re_contacted, to_lost.clone()],
            0,
            StatusCode::FORBIDDEN,
            "a_card_role_may_not",
        )
        .await;
    assert!(msg.contains("无权"), "{msg}");
    // The consultant's own "re-contact" entry is refused too.
    let fake = c.op(&w, card, &A_CARD, |e| vec![re_contact(e, "confirmed_lost")]);
    c.refused(&t, &[fake], 0, StatusCode::FORBIDDEN, "a_card_role_may_not")
        .await;
    // Alone, the second op names a write the server never applied …
    c.refused(
        &t,
        &[to_lost],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_write",
    )
    .await;
    // … and a move from a state the card does not show is refused as such.
    let heads: Vec<Uuid> = w
        .state(card, &A_CARD)
        .heads("status")
        .iter()
        .map(|h| h.op_id)
        .collect();
    let stale = c.op(&w, card, &A_CARD, |_| {
        vec![Change::Transition {
            field: "status".into(),
            from: "re_contacted".into(),
            to: "lost".into(),
            supersedes: heads,
        }]
    });
    c.refused(&t, &[stale], 0, StatusCode::CONFLICT, "status_changed")
        .await;

    // The manager re-contacts; confirming stays the manager's.
    let mut m = Dev::login(&t, "salesmgr").await;
    let bare = m.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "re_contacted").unwrap()]
    });
    m.refused(
        &t,
        &[bare],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a_card_re_contact_required",
    )
    .await;
    let rc = m.op(&w, card, &A_CARD, |e| {
        vec![
            re_contact(e, "confirmed_lost"),
            e.transition("status", "re_contacted").unwrap(),
        ]
    });
    m.ok(&t, &mut w, vec![rc]).await;
    let lost = c.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "lost").unwrap()]
    });
    c.refused(
        &t,
        &[lost],
        0,
        StatusCode::FORBIDDEN,
        "a_card_only_manager_may_confirm_loss",
    )
    .await;
    let lost = m.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "lost").unwrap()]
    });
    m.ok(&t, &mut w, vec![lost]).await;
    assert_eq!(
        w.state(card, &A_CARD).status(&A_CARD, "status"),
        Some("lost")
    );
}

#[tokio::test]
async fn a_consultant_cannot_take_a_colleagues_card() {
    let t = app().await;
    let mut w = World::default();
    let mut other = Dev::login(&t, "zhaolei").await;
    let card = own_card(&t, &mut w, &mut other, "李女士").await;
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let take = c.op(&w, card, &A_CARD, |e| {
        vec![set(e, "consultant_id", json!(me))]
    });
    let msg = c
        .refused(
            &t,
            &[take],
            0,
            StatusCode::FORBIDDEN,
            "reassign_manager_only",
        )
        .await;
    assert!(msg.contains("销售经理"), "{msg}");
    let propose = c.op(&w, card, &A_CARD, |e| {
        vec![
            e.transition("status", "loss_proposed").unwrap(),
            set(e, "loss_reason", json!("other_brand")),
        ]
    });
    c.refused(
        &t,
        &[propose],
        0,
        StatusCode::FORBIDDEN,
        "not_your_customer",
    )
    .await;
    let bin = c.op(&w, card, &A_CARD, |e| vec![e.delete()]);
    c.refused(&t, &[bin], 0, StatusCode::FORBIDDEN, "not_your_customer")
        .await;
    // A new card in a colleague's name is a reassignment too.
    let theirs = other.user_id.clone();
    let planted = c.op(&w, v7(), &A_CARD, |e| {
        vec![set(e, "consultant_id", json!(theirs))]
    });
    c.refused(
        &t,
        &[planted],
        0,
        StatusCode::FORBIDDEN,
        "reassign_manager_only",
    )
    .await;
    // A follow-up note on the colleague's card is fine; the manager reassigns (撞单 转给).
    let note = c.op(&w, card, &A_CARD, |e| {
        vec![
            e.append(
                "follow_ups",
                v7(),
                json!({"content": "客户来店,已通知赵磊"}),
            )
            .unwrap(),
        ]
    });
    c.ok(&t, &mut w, vec![note]).await;
    let mut m = Dev::login(&t, "salesmgr").await;
    let me = c.user_id.clone();
    let give = m.op(&w, card, &A_CARD, |e| {
        vec![set(e, "consultant_id", json!(me))]
    });
    m.ok(&t, &mut w, vec![give]).await;
    let propose = c.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "loss_proposed").unwrap()]
    });
    c.ok(&t, &mut w, vec![propose]).await;
}

#[tokio::test]
async fn the_catalogue_cadence_rota_order_and_settings_are_the_managers() {
    let t = app().await;
    let mut w = World::default();
    let settings = settings_record_id("demo");
    let mut c = Dev::login(&t, "consultant").await;
    let model = c.op(&w, settings, &SALES_SETTINGS, |e| {
        vec![e.set_add("models", r#"{"code":"x"}"#).unwrap()]
    });
    c.refused(
        &t,
        &[model],
        0,
        StatusCode::FORBIDDEN,
        "sales_settings_manager_only",
    )
    .await;
    let cadence = c.op(&w, settings, &SALES_SETTINGS, |e| {
        vec![set(e, "cadence_h_days", json!(30))]
    });
    c.refused(
        &t,
        &[cadence],
        0,
        StatusCode::FORBIDDEN,
        "sales_settings_manager_only",
    )
    .await;

    let mut m = Dev::login(&t, "salesmgr").await;
    let cadence = m.op(&w, settings, &SALES_SETTINGS, |e| {
        vec![set(e, "cadence_h_days", json!(1))]
    });
    m.ok(&t, &mut w, vec![cadence]).await;
    // Nobody but a manager deletes the store's settings.
    let delete = c.op(&w, settings, &SALES_SETTINGS, |e| vec![e.delete()]);
    c.refused(
        &t,
        &[delete],
        0,
        StatusCode::FORBIDDEN,
        "sales_settings_manager_only",
    )
    .await;

    let today = StoreClock::default().local(chrono::Utc::now()).date();
    let rota = rota_record_id("demo", today);
    let me = c.user_id.clone();
    let order = c.op(&w, rota, &RECEPTION_ROTA, |e| {
        vec![
            set(e, "date", json!(today.to_string())),
            set(e, "order", json!([me])),
        ]
    });
    c.refused(
        &t,
        &[order],
        0,
        StatusCode::FORBIDDEN,
        "rota_order_manager_only",
    )
    .await;
    let away = c.op(&w, rota, &RECEPTION_ROTA, |e| {
        vec![
            set(e, "date", json!(today.to_string())),
            e.set_add("away", &me).unwrap(),
        ]
    });
    c.ok(&t, &mut w, vec![away]).await;
    let order = m.op(&w, rota, &RECEPTION_ROTA, |e| {
        vec![set(e, "order", json!([me]))]
    });
    m.ok(&t, &mut w, vec![order]).await;
}

#[tokio::test]
async fn made_up_superseded_and_observed_ids_are_refused() {
    let t = app().await;
    let mut w = World::default();
    let mut c = Dev::login(&t, "consultant").await;
    let card = own_card(&t, &mut w, &mut c, "张先生").await;
    let random: Vec<Uuid> = (0..200).map(|_| v7()).collect();
    let grow = c.op(&w, card, &A_CARD, |_| {
        vec![Change::Set {
            field: "grade".into(),
            value: json!("h"),
            supersedes: random.clone(),
        }]
    });
    let msg = c
        .refused(
            &t,
            &[grow],
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_write",
        )
        .await;
    assert!(msg.contains("服务器"), "{msg}");
    let observed = c.op(&w, card, &A_CARD, |_| {
        vec![Change::SetRemove {
            field: "tags".into(),
            elem: "vip".into(),
            observed: random.clone(),
        }]
    });
    c.refused(
        &t,
        &[observed],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_write",
    )
    .await;
    let delete = c.op(&w, card, &A_CARD, |_| {
        vec![Change::Delete {
            supersedes: random.clone(),
        }]
    });
    c.refused(
        &t,
        &[delete],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_write",
    )
    .await;
    // Naming a write pushed earlier in the same push is fine.
    let first = c.op(&w, card, &A_CARD, |e| vec![set(e, "grade", json!("a"))]);
    let second = Op {
        op_id: v7(),
        hlc: c.clock.now(now_ms()),
        changes: vec![Change::Set {
            field: "grade".into(),
            value: json!("h"),
            supersedes: vec![first.op_id],
        }],
        ..first.clone()
    };
    c.ok(&t, &mut w, vec![first, second]).await;
    assert_eq!(w.state(card, &A_CARD).value("grade"), Some(&json!("h")));
}

#[tokio::test]
async fn a_log_entry_id_is_not_reused_to_replace_the_managers_proof() {
    let t = app().await;
    let mut w = World::default();
    let mut c = Dev::login(&t, "consultant").await;
    let card = own_card(&t, &mut w, &mut c, "赵先生").await;
    let propose = c.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "loss_proposed").unwrap()]
    });
    c.ok(&t, &mut w, vec![propose]).await;
    let mut m = Dev::login(&t, "salesmgr").await;
    let entry = v7();
    let proof = json!({"outcome": "will_reconsider", "channel": "phone", "note": "客户愿意再看看"});
    let rc = m.op(&w, card, &A_CARD, |e| {
        vec![
            e.append("re_contacts", entry, proof.clone()).unwrap(),
            e.transition("status", "re_contacted").unwrap(),
        ]
    });
    m.ok(&t, &mut w, vec![rc]).await;
    // The same entry id with another value and a later stamp: refused, whoever sends it.
    let forged = m.op(&w, card, &A_CARD, |e| {
        vec![
            e.append(
                "re_contacts",
                entry,
                json!({"outcome": "confirmed_lost", "channel": "phone", "note": "改"}),
            )
            .unwrap(),
        ]
    });
    m.refused(&t, &[forged], 0, StatusCode::CONFLICT, "entry_id_reused")
        .await;
    // An exact resend of the entry (a derived id written twice) is accepted.
    let again = m.op(&w, card, &A_CARD, |e| {
        vec![e.append("re_contacts", entry, proof.clone()).unwrap()]
    });
    m.ok(&t, &mut w, vec![again]).await;
    // The customer is willing to reconsider: no loss.
    let lost = m.op(&w, card, &A_CARD, |e| {
        vec![e.transition("status", "lost").unwrap()]
    });
    m.refused(
        &t,
        &[lost],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a_card_customer_will_reconsider",
    )
    .await;
}

#[tokio::test]
async fn an_op_dated_more_than_a_week_back_is_refused_with_a_clear_message() {
    let t = app().await;
    let w = World::default();
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let mut old = c.op(&w, v7(), &A_CARD, |e| {
        vec![
            set(e, "name", json!("钱先生")),
            set(e, "consultant_id", json!(me)),
        ]
    });
    old.hlc = Hlc::new(now_ms() - 8 * DAY_MS, 0);
    let r = c.push(&t, std::slice::from_ref(&old), "zh-CN").await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "clock_behind");
    assert!(msg.contains("8 天") && msg.contains("7 天"), "{msg}");
    assert!(r.json()["server_time_ms"].as_u64().unwrap() > 1_700_000_000_000);
    let r = c.push(&t, &[old], "en").await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "clock_behind");
    assert!(msg.contains("date and time"), "{msg}");
}

/// The app's ordinary work, built with the same domain plans the screens use, is accepted.
#[tokio::test]
async fn the_normal_flows_are_accepted() {
    let t = app().await;
    let mut w = World::default();
    let mut c = Dev::login(&t, "consultant").await;
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let mut m = Dev::login(&t, "salesmgr").await;
    let mut gm = Dev::login(&t, "gm").await;

    // The manager sets up the catalogue; the consultant's new card, a follow-up, a grade.
    let settings = settings_record_id("demo");
    let models = m.op(&w, settings, &SALES_SETTINGS, |e| {
        vec![e.set_add("models", r#"{"code":"camry"}"#).unwrap()]
    });
    m.ok(&t, &mut w, vec![models]).await;
    let card = own_card(&t, &mut w, &mut c, "周启航").await;
    let follow = c.op(&w, card, &A_CARD, |e| {
        vec![
            e.append("follow_ups", v7(), json!({"content": "电话跟进"}))
                .unwrap(),
            set(e, "grade", json!("h")),
        ]
    });
    c.ok(&t, &mut w, vec![follow]).await;

    // The reception desk (赵磊 on duty) logs a visit for 王芳.
    let me = c.user_id.clone();
    let visit = zhao.op(&w, v7(), &VISIT, |e| {
        vec![
            set(e, "time_in", json!(now_stored())),
            set(e, "consultant_id", json!(me)),
            set(e, "a_card_id", json!(card.to_string())),
        ]
    });
    zhao.ok(&t, &mut w, vec![visit]).await;

    // An order from the card (订单 + card → ordered), then the order's own edits.
    let clock = StoreClock::default();
    // Promised in a month (at most a year after the signing).
    let promised = clock.local(chrono::Utc::now()).date() + chrono::Duration::days(30);
    let fields = OrderFields {
        model: "camry".into(),
        price: "175000".into(),
        deposit: "5000".into(),
        promised_date: promised.format("%Y-%m-%d").to_string(),
        ..OrderFields::default()
    };
    let (order, plan) = place_order_plan(
        &w.state(card, &A_CARD),
        &fields,
        &c.user_id,
        &c.roles,
        clock.local(chrono::Utc::now()),
        clock,
    )
    .unwrap();
    let ops = c.plan_ops(&w, &plan);
    c.ok(&t, &mut w, ops).await;
    let promise = c.op(&w, order, &ORDER, |e| {
        vec![e.set_add("promises", "脚垫").unwrap()]
    });
    c.ok(&t, &mut w, vec![promise]).await;
    assert_eq!(
        w.state(card, &A_CARD).status(&A_CARD, "status"),
        Some("ordered")
    );

    // The loss path with the manager: propose, re-contact, send back to a colleague.
    let second = own_card(&t, &mut w, &mut c, "吴女士").await;
    let propose = c.op(&w, second, &A_CARD, |e| {
        vec![e.transition("status", "loss_proposed").unwrap()]
    });
    c.ok(&t, &mut w, vec![propose]).await;
    let zhao_id = zhao.user_id.clone();
    let back = m.op(&w, second, &A_CARD, |e| {
        vec![
            e.transition("status", "following").unwrap(),
            set(e, "consultant_id", json!(zhao_id)),
        ]
    });
    m.ok(&t, &mut w, vec![back]).await;

    // Two managers merge the same duplicate pair: the derived entries are written twice.
    let dup = own_card(&t, &mut w, &mut zhao, "周启航").await;
    let plan = merge_plan(
        &w.state(card, &A_CARD),
        &w.state(dup, &A_CARD),
        None,
        "合并",
    );
    let steps = plan.steps();
    assert!(!steps.is_empty());
    let mut first = Vec::new();
    let mut again = Vec::new();
    let mut scratch = World {
        records: w.records.clone(),
    };
    for step in &steps {
        let state = scratch.state(card, &A_CARD);
        let changes = step.changes(&state).unwrap();
        let op = m.op(&scratch, card, &A_CARD, |_| changes);
        scratch.accept(std::slice::from_ref(&op));
        first.push(op);
        let old = w.state(card, &A_CARD);
        again.push(gm.op(&w, card, &A_CARD, |_| step.changes(&old).unwrap()));
    }
    m.ok(&t, &mut w, first).await;
    // The second manager's merge, made from the same (older) view: its Sets lose nothing and
    // its appends are resends of the same entries.
    let r = gm.push(&t, &again, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    w.accept(&again);
    let delete = m.op(&w, dup, &A_CARD, |e| vec![e.delete()]);
    m.ok(&t, &mut w, vec![delete]).await;
}
