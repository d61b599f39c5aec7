//! A logged-in user who wants to cheat: a valid token, ops crafted by hand and pushed to
//! `POST /api/sync/push` — what no screen offers them. Each scenario is refused with the rule's
//! code and its Chinese message, and a pull (as the general manager, who reads everything)
//! shows nothing written. The holes closed by the audit of docs/policy.md come first; then the
//! scenarios that were refused already, so they cannot silently regress.

mod common;

use axum::http::StatusCode;
use common::ops::{Dev, World, now_ms, set, v7};
use common::{TestApp, app};
use domain::records::service::{REPAIR_ORDER, RO_LINE};
use domain::records::{A_CARD, C_CARD, CARE_TASK, ORDER, SALES_SETTINGS, VISIT};
use domain::records::{CARE_REPORT, costs::STORE_COSTS, parts::PART};
use domain::sync::{Change, Edit, Hlc, Op, RecordType};
use domain::time::{StoreClock, stored_date, stored_time};
use serde_json::{Value, json};
use uuid::Uuid;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// The store's time `ms_ago` before now, as records hold it.
fn ago(ms_ago: u64) -> String {
    let clock = StoreClock::default();
    stored_time(clock.local_ms(now_ms() - ms_ago).unwrap())
}

/// The store's date `days` after today.
fn in_days(days: u64) -> String {
    let clock = StoreClock::default();
    stored_date(clock.local_ms(now_ms() + days * DAY_MS).unwrap().date())
}

/// The store's last op (its head seq), as the general manager sees it.
async fn head(t: &TestApp, gm: &Dev) -> u64 {
    let r = t.get_auth("/api/sync/phones", &gm.token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["seq"].as_u64().expect("seq")
}

/// Nothing was written after `seq`: the general manager's pull is empty.
async fn nothing_after(t: &TestApp, gm: &Dev, seq: u64) {
    let r = t
        .get_auth(&format!("/api/sync/pull?after={seq}"), &gm.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["ops"], json!([]), "written after a refusal: {v}");
}

/// A cheat: `ops` pushed by `dev` are refused at `index` with `status`, `code` and a Chinese
/// message containing `zh`; nothing is written.
#[allow(clippy::too_many_arguments)]
async fn refused(
    t: &TestApp,
    gm: &Dev,
    dev: &Dev,
    ops: &[Op],
    index: usize,
    status: StatusCode,
    code: &str,
    zh: &str,
) {
    let before = head(t, gm).await;
    let msg = dev.refused(t, ops, index, status, code).await;
    assert!(msg.contains(zh), "{code}: {msg}");
    nothing_after(t, gm, before).await;
}

/// One op of `dev` on a new or stored record.
fn op(
    dev: &mut Dev,
    w: &World,
    id: Uuid,
    rt: &'static RecordType,
    f: impl FnOnce(&Edit<'_>) -> Vec<Change>,
) -> Op {
    dev.op(w, id, rt, f)
}

/// A card of `dev`'s, built now.
async fn card_of(t: &TestApp, w: &mut World, dev: &mut Dev, name: &str) -> Uuid {
    let id = v7();
    let me = dev.user_id.clone();
    let o = op(dev, w, id, &A_CARD, |e| {
        vec![
            set(e, "name", json!(name)),
            set(e, "phone", json!("13912345678")),
            set(e, "consultant_id", json!(me)),
            set(e, "first_contact_at", json!(ago(0))),
        ]
    });
    dev.ok(t, w, vec![o]).await;
    id
}

/// An order of `dev`'s, signed now.
async fn order_of(t: &TestApp, w: &mut World, dev: &mut Dev) -> Uuid {
    let id = v7();
    let me = dev.user_id.clone();
    let o = op(dev, w, id, &ORDER, |e| {
        vec![
            set(e, "consultant_id", json!(me)),
            set(e, "model", json!("camry")),
            set(e, "price", json!(175_000)),
            set(e, "deposit", json!(5_000)),
            set(e, "signed_at", json!(ago(0))),
            set(e, "promised_date", json!(in_days(30))),
        ]
    });
    dev.ok(t, w, vec![o]).await;
    id
}

/// A repair order received by the advisor, moved along `path` by the advisor.
async fn ro_at(t: &TestApp, w: &mut World, sa: &mut Dev, path: &[&str]) -> Uuid {
    let id = v7();
    let me = sa.user_id.clone();
    let o = op(sa, w, id, &REPAIR_ORDER, |e| {
        vec![
            set(e, "customer_name", json!("周先生")),
            set(e, "plate", json!("沪A·12345")),
            set(e, "advisor_id", json!(me)),
        ]
    });
    sa.ok(t, w, vec![o]).await;
    for to in path {
        let o = op(sa, w, id, &REPAIR_ORDER, |e| {
            vec![e.transition("status", to).unwrap()]
        });
        sa.ok(t, w, vec![o]).await;
    }
    id
}

/// A care task assigned to `to`, made by `dev`.
async fn task_for(t: &TestApp, w: &mut World, dev: &mut Dev, to: &str) -> Uuid {
    let id = v7();
    let o = op(dev, w, id, &CARE_TASK, |e| {
        vec![
            set(e, "kind", json!("birthday")),
            set(e, "customer_name", json!("周先生")),
            set(e, "phone", json!("13912345678")),
            set(e, "role", json!("customer_service")),
            set(e, "assignee_id", json!(to)),
            set(e, "due_at", json!(ago(0))),
        ]
    });
    dev.ok(t, w, vec![o]).await;
    id
}

struct Team {
    t: TestApp,
    w: World,
    gm: Dev,
}

async fn team() -> Team {
    let t = app().await;
    let gm = Dev::login(&t, "gm").await;
    Team {
        t,
        w: World::default(),
        gm,
    }
}

// ---- The holes the audit closed ----

#[tokio::test]
async fn a_consultant_cannot_put_their_own_lost_card_in_the_bin() {
    let Team { t, mut w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let card = card_of(&t, &mut w, &mut c, "王先生").await;
    let bin = op(&mut c, &w, card, &A_CARD, |e| vec![e.delete()]);
    refused(
        &t,
        &gm,
        &c,
        &[bin],
        0,
        StatusCode::FORBIDDEN,
        "bin_manager_only",
        "只有经理可以删除记录",
    )
    .await;
    // The sales manager may (the duplicates page merges cards into one).
    let mut m = Dev::login(&t, "salesmgr").await;
    let bin = op(&mut m, &w, card, &A_CARD, |e| vec![e.delete()]);
    m.ok(&t, &mut w, vec![bin]).await;
}

#[tokio::test]
async fn a_consultant_cannot_back_date_a_first_contact_into_last_month() {
    let Team { t, mut w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let id = v7();
    let card = |when: String| {
        let me = me.clone();
        move |e: &Edit<'_>| {
            vec![
                set(e, "name", json!("王先生")),
                set(e, "phone", json!("13912345678")),
                set(e, "consultant_id", json!(me)),
                set(e, "first_contact_at", json!(when)),
            ]
        }
    };
    let old = op(&mut c, &w, id, &A_CARD, card(ago(40 * DAY_MS)));
    refused(
        &t,
        &gm,
        &c,
        &[old],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "time_not_now",
        "建卡时间由设备在登记时自动记录",
    )
    .await;
    // Built now, then moved back later: refused too.
    let now = op(&mut c, &w, id, &A_CARD, card(ago(0)));
    c.ok(&t, &mut w, vec![now]).await;
    let moved = op(&mut c, &w, id, &A_CARD, |e| {
        vec![set(e, "first_contact_at", json!(ago(40 * DAY_MS)))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[moved],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "time_not_now",
        "建卡时间",
    )
    .await;
}

#[tokio::test]
async fn a_consultant_cannot_dodge_the_duplicates_check_with_a_garbled_phone() {
    let Team { t, mut w, gm } = team().await;
    let mut zhao = Dev::login(&t, "zhaolei").await;
    card_of(&t, &mut w, &mut zhao, "李女士").await;
    // 王芳 registers 赵磊's customer again, the phone garbled so 撞单 does not see it.
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let again = op(&mut c, &w, v7(), &A_CARD, |e| {
        vec![
            set(e, "name", json!("李女士")),
            set(e, "phone", json!("139-1234-5678#")),
            set(e, "consultant_id", json!(me)),
            set(e, "first_contact_at", json!(ago(0))),
        ]
    });
    refused(
        &t,
        &gm,
        &c,
        &[again],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a_card_phone_invalid",
        "A 卡的电话号码无效",
    )
    .await;
}

#[tokio::test]
async fn a_consultant_cannot_back_date_a_visit_or_a_signing() {
    let Team { t, w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let visit = op(&mut c, &w, v7(), &VISIT, |e| {
        vec![
            set(e, "time_in", json!(ago(35 * DAY_MS))),
            set(e, "source", json!("walk_in")),
            set(e, "consultant_id", json!(me)),
        ]
    });
    refused(
        &t,
        &gm,
        &c,
        &[visit],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "time_not_now",
        "来店时间",
    )
    .await;
    let me = c.user_id.clone();
    let order = op(&mut c, &w, v7(), &ORDER, |e| {
        vec![
            set(e, "consultant_id", json!(me)),
            set(e, "model", json!("camry")),
            set(e, "price", json!(175_000)),
            set(e, "signed_at", json!(ago(35 * DAY_MS))),
            set(e, "promised_date", json!(in_days(30))),
        ]
    });
    refused(
        &t,
        &gm,
        &c,
        &[order],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "time_not_now",
        "签单时间",
    )
    .await;
}

#[tokio::test]
async fn a_delivered_orders_price_no_longer_changes() {
    let Team { t, mut w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let order = order_of(&t, &mut w, &mut c).await;
    // 交车 without ticking the checklist (the promises and the standard items) or a VIN.
    let deliver = |c: &mut Dev, w: &World| {
        op(c, w, order, &ORDER, |e| {
            vec![
                set(e, "delivered_at", json!(ago(0))),
                e.transition("status", "delivered").unwrap(),
            ]
        })
    };
    let bare = deliver(&mut c, &w);
    refused(
        &t,
        &gm,
        &c,
        &[bare],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "delivery_promises_open",
        "还有承诺事项未确认,不能交车",
    )
    .await;
    for item in domain::sales::order::STANDARD_ITEMS {
        let tick = op(&mut c, &w, order, &ORDER, |e| {
            vec![e.set_add("checklist_done", item).unwrap()]
        });
        c.ok(&t, &mut w, vec![tick]).await;
    }
    let no_vin = deliver(&mut c, &w);
    refused(
        &t,
        &gm,
        &c,
        &[no_vin],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "order_vin_invalid",
        "交车须填写有效的车架号",
    )
    .await;
    let vin = op(&mut c, &w, order, &ORDER, |e| {
        vec![set(e, "vin", json!("LSVAG2189C2184523"))]
    });
    c.ok(&t, &mut w, vec![vin]).await;
    let delivered = deliver(&mut c, &w);
    c.ok(&t, &mut w, vec![delivered]).await;
    let cheaper = op(&mut c, &w, order, &ORDER, |e| {
        vec![set(e, "price", json!(150_000))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[cheaper],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "order_not_open",
        "订单已交车或已退单,不能再修改",
    )
    .await;
}

#[tokio::test]
async fn an_order_price_below_zero_or_a_deposit_above_it_is_refused() {
    let Team { t, mut w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let order = order_of(&t, &mut w, &mut c).await;
    let negative = op(&mut c, &w, order, &ORDER, |e| {
        vec![set(e, "price", json!(-175_000))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[negative],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "order_price_invalid",
        "大于 0、不超过 1000 万元的金额",
    )
    .await;
    let deposit = op(&mut c, &w, order, &ORDER, |e| {
        vec![set(e, "deposit", json!(9_000_000))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[deposit],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "order_deposit_invalid",
        "订金须在 0 与成交价之间",
    )
    .await;
    // A delivery dated tomorrow.
    let tomorrow = op(&mut c, &w, order, &ORDER, |e| {
        vec![
            set(
                e,
                "delivered_at",
                json!(ago(0).replace(&in_days(0), &in_days(1))),
            ),
            e.transition("status", "delivered").unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &c,
        &[tomorrow],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "delivery_date_in_future",
        "交车日期不能晚于今天",
    )
    .await;
}

#[tokio::test]
async fn an_order_is_not_cancelled_without_its_reason() {
    let Team { t, mut w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let order = order_of(&t, &mut w, &mut c).await;
    let cancel = op(&mut c, &w, order, &ORDER, |e| {
        vec![e.transition("status", "cancelled").unwrap()]
    });
    refused(
        &t,
        &gm,
        &c,
        &[cancel],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "order_cancel_reason_missing",
        "退单须选择退单原因",
    )
    .await;
}

#[tokio::test]
async fn a_consultant_cannot_withdraw_a_colleagues_visit() {
    let Team { t, mut w, gm } = team().await;
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let id = v7();
    let theirs = zhao.user_id.clone();
    let visit = op(&mut zhao, &w, id, &VISIT, |e| {
        vec![
            set(e, "time_in", json!(ago(0))),
            set(e, "source", json!("walk_in")),
            set(e, "consultant_id", json!(theirs)),
        ]
    });
    zhao.ok(&t, &mut w, vec![visit]).await;
    let mut c = Dev::login(&t, "consultant").await;
    let bin = op(&mut c, &w, id, &VISIT, |e| vec![e.delete()]);
    refused(
        &t,
        &gm,
        &c,
        &[bin],
        0,
        StatusCode::FORBIDDEN,
        "visit_withdraw_not_yours",
        "只有登记这次来店的销售顾问或经理可以撤销",
    )
    .await;
    // The consultant who logged it takes it back the same day (撤销).
    let bin = op(&mut zhao, &w, id, &VISIT, |e| vec![e.delete()]);
    zhao.ok(&t, &mut w, vec![bin]).await;
}

#[tokio::test]
async fn a_cs_specialist_cannot_close_a_care_task_without_a_call() {
    let Team { t, mut w, gm } = team().await;
    let mut cs = Dev::login(&t, "cs").await;
    let me = cs.user_id.clone();
    let task = task_for(&t, &mut w, &mut cs, &me).await;
    let done = op(&mut cs, &w, task, &CARE_TASK, |e| {
        vec![e.transition("status", "done").unwrap()]
    });
    refused(
        &t,
        &gm,
        &cs,
        &[done],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "care_done_without_call",
        "联系上客户",
    )
    .await;
    // A call nobody answered does not close it either; one that reached the customer does.
    let missed = op(&mut cs, &w, task, &CARE_TASK, |e| {
        vec![
            e.append(
                "attempts",
                v7(),
                json!({"at": ago(0), "channel": "phone", "outcome": "no_answer"}),
            )
            .unwrap(),
            e.transition("status", "done").unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &cs,
        &[missed],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "care_done_without_call",
        "联系上客户",
    )
    .await;
    let reached = op(&mut cs, &w, task, &CARE_TASK, |e| {
        vec![
            e.append(
                "attempts",
                v7(),
                json!({"at": ago(0), "channel": "phone", "outcome": "reached"}),
            )
            .unwrap(),
            e.transition("status", "done").unwrap(),
        ]
    });
    cs.ok(&t, &mut w, vec![reached]).await;
}

#[tokio::test]
async fn a_technician_cannot_put_a_repair_order_in_the_bin() {
    let Team { t, mut w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let ro = ro_at(&t, &mut w, &mut sa, &["estimated"]).await;
    let mut tech = Dev::login(&t, "tech").await;
    let bin = op(&mut tech, &w, ro, &REPAIR_ORDER, |e| vec![e.delete()]);
    refused(
        &t,
        &gm,
        &tech,
        &[bin],
        0,
        StatusCode::FORBIDDEN,
        "bin_manager_only",
        "只有经理可以删除记录",
    )
    .await;
    // Nor the advisor (a cancelled RO is 取消, not deleted).
    let bin = op(&mut sa, &w, ro, &REPAIR_ORDER, |e| vec![e.delete()]);
    refused(
        &t,
        &gm,
        &sa,
        &[bin],
        0,
        StatusCode::FORBIDDEN,
        "bin_manager_only",
        "只有经理",
    )
    .await;
}

#[tokio::test]
async fn an_advisor_cannot_write_a_line_with_a_negative_price_or_quantity() {
    let Team { t, mut w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let ro = ro_at(&t, &mut w, &mut sa, &[]).await;
    for (field, value) in [("unit_price_fen", json!(-38_000)), ("qty", json!(-3))] {
        let line = op(&mut sa, &w, v7(), &RO_LINE, |e| {
            vec![
                set(e, "ro_id", json!(ro.to_string())),
                set(e, "kind", json!("part")),
                set(e, "description", json!("机油滤清器")),
                set(e, field, value.clone()),
            ]
        });
        refused(
            &t,
            &gm,
            &sa,
            &[line],
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "line_figure_invalid",
            "项目的",
        )
        .await;
    }
}

#[tokio::test]
async fn an_advisor_cannot_add_or_change_lines_once_the_ro_is_closed() {
    let Team { t, mut w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let ro = ro_at(&t, &mut w, &mut sa, &[]).await;
    let part_line = |sa: &mut Dev, w: &World, id: Uuid, price: i64| {
        op(sa, w, id, &RO_LINE, |e| {
            vec![
                set(e, "ro_id", json!(ro.to_string())),
                set(e, "kind", json!("part")),
                set(e, "description", json!("机油滤清器")),
                set(e, "qty", json!(1)),
                set(e, "unit_price_fen", json!(price)),
            ]
        })
    };
    let line = v7();
    let first = part_line(&mut sa, &w, line, 38_000);
    sa.ok(&t, &mut w, vec![first]).await;
    let cancel = op(&mut sa, &w, ro, &REPAIR_ORDER, |e| {
        vec![e.transition("status", "cancelled").unwrap()]
    });
    sa.ok(&t, &mut w, vec![cancel]).await;
    // The closed RO's line repriced, and a line added to it.
    let reprice = op(&mut sa, &w, line, &RO_LINE, |e| {
        vec![set(e, "unit_price_fen", json!(99_000))]
    });
    let added = part_line(&mut sa, &w, v7(), 120_000);
    for cheat in [reprice, added] {
        refused(
            &t,
            &gm,
            &sa,
            &[cheat],
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "ro_line_closed",
            "不能再增加或修改维修项目",
        )
        .await;
    }
}

#[tokio::test]
async fn a_parts_clerk_cannot_hide_a_part_and_its_moves_in_the_bin() {
    let Team { t, mut w, gm } = team().await;
    let mut clerk = Dev::login(&t, "parts").await;
    let id = v7();
    let part = op(&mut clerk, &w, id, &PART, |e| {
        vec![
            set(e, "part_no", json!("90915-YZZE1")),
            set(e, "name", json!("机油滤清器")),
            e.append("moves", v7(), json!({"kind": "receipt", "qty": 10}))
                .unwrap(),
        ]
    });
    clerk.ok(&t, &mut w, vec![part]).await;
    let bin = op(&mut clerk, &w, id, &PART, |e| vec![e.delete()]);
    refused(
        &t,
        &gm,
        &clerk,
        &[bin],
        0,
        StatusCode::FORBIDDEN,
        "bin_manager_only",
        "只有经理",
    )
    .await;
}

#[tokio::test]
async fn an_advisor_cannot_rewrite_a_handover_to_be_on_time() {
    let Team { t, mut w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let ro = ro_at(&t, &mut w, &mut sa, &["estimated"]).await;
    // A promise made for a time already past (the car is late, make it "on time").
    let past = op(&mut sa, &w, ro, &REPAIR_ORDER, |e| {
        vec![set(e, "promised_at", json!(ago(5 * 60 * 60 * 1000)))]
    });
    refused(
        &t,
        &gm,
        &sa,
        &[past],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ro_promise_in_past",
        "承诺交车时间不能早于现在",
    )
    .await;
    let promise = op(&mut sa, &w, ro, &REPAIR_ORDER, |e| {
        vec![set(e, "promised_at", json!(ago(0)))]
    });
    sa.ok(&t, &mut w, vec![promise]).await;
    // A handover typed as earlier than it happened.
    let early = op(&mut sa, &w, ro, &REPAIR_ORDER, |e| {
        vec![set(e, "handed_over_at", json!(ago(DAY_MS)))]
    });
    refused(
        &t,
        &gm,
        &sa,
        &[early],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ro_time_not_now",
        "交车时间由设备在登记时自动记录",
    )
    .await;
}

#[tokio::test]
async fn nobody_but_a_manager_gifts_points_and_a_visit_has_someone_in_it() {
    let Team { t, w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let gift = op(&mut sa, &w, v7(), &C_CARD, |e| {
        vec![
            set(e, "name", json!("周先生")),
            e.add("points", 100_000).unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &sa,
        &[gift],
        0,
        StatusCode::FORBIDDEN,
        "points_manager_only",
        "客户积分只能由销售经理或总经理调整",
    )
    .await;
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let nobody = op(&mut c, &w, v7(), &VISIT, |e| {
        vec![
            set(e, "time_in", json!(ago(0))),
            set(e, "consultant_id", json!(me)),
            set(e, "group_size", json!(-4)),
        ]
    });
    refused(
        &t,
        &gm,
        &c,
        &[nobody],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "visit_empty_group",
        "来店人数至少为 1 人",
    )
    .await;
}

// ---- Refused already: kept so they cannot regress ----

#[tokio::test]
async fn a_consultant_cannot_take_or_close_a_colleagues_card() {
    let Team { t, mut w, gm } = team().await;
    let mut zhao = Dev::login(&t, "zhaolei").await;
    let card = card_of(&t, &mut w, &mut zhao, "李女士").await;
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let take = op(&mut c, &w, card, &A_CARD, |e| {
        vec![set(e, "consultant_id", json!(me))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[take],
        0,
        StatusCode::FORBIDDEN,
        "reassign_manager_only",
        "只有销售经理或总经理可以把A 卡转给其他销售顾问",
    )
    .await;
    let lose = op(&mut c, &w, card, &A_CARD, |e| {
        vec![
            e.transition("status", "loss_proposed").unwrap(),
            set(e, "loss_reason", json!("other_brand")),
        ]
    });
    refused(
        &t,
        &gm,
        &c,
        &[lose],
        0,
        StatusCode::FORBIDDEN,
        "not_your_customer",
        "属于其他销售顾问",
    )
    .await;
}

#[tokio::test]
async fn a_consultant_cannot_restore_from_the_bin() {
    let Team { t, mut w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let card = card_of(&t, &mut w, &mut c, "王先生").await;
    let mut m = Dev::login(&t, "salesmgr").await;
    let bin = op(&mut m, &w, card, &A_CARD, |e| vec![e.delete()]);
    m.ok(&t, &mut w, vec![bin]).await;
    let back = op(&mut c, &w, card, &A_CARD, |e| vec![e.restore()]);
    refused(
        &t,
        &gm,
        &c,
        &[back],
        0,
        StatusCode::FORBIDDEN,
        "forbidden",
        "只有经理可以从回收站恢复记录",
    )
    .await;
}

#[tokio::test]
async fn a_technician_cannot_pass_their_own_qc_or_move_past_approval() {
    let Team { t, mut w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let ro = ro_at(&t, &mut w, &mut sa, &["estimated"]).await;
    let mut tech = Dev::login(&t, "tech").await;
    let approve = op(&mut tech, &w, ro, &REPAIR_ORDER, |e| {
        vec![e.transition("status", "approved").unwrap()]
    });
    refused(
        &t,
        &gm,
        &tech,
        &[approve],
        0,
        StatusCode::FORBIDDEN,
        "ro_move_forbidden",
        "您的角色不能把工单从",
    )
    .await;
    let pass = op(&mut tech, &w, ro, &REPAIR_ORDER, |e| {
        vec![
            e.append(
                "qc_checks",
                v7(),
                json!({"stage": "final", "passed": true, "reason": ""}),
            )
            .unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &tech,
        &[pass],
        0,
        StatusCode::FORBIDDEN,
        "qc_inspector_only",
        "只有质检员可以登记质检结果",
    )
    .await;
}

#[tokio::test]
async fn an_advisor_cannot_hand_over_without_a_passed_final_qc() {
    let Team { t, mut w, gm } = team().await;
    let mut sa = Dev::login(&t, "advisor").await;
    let ro = ro_at(
        &t,
        &mut w,
        &mut sa,
        &["estimated", "approved", "in_work", "qc"],
    )
    .await;
    let mut qc = Dev::login(&t, "qc").await;
    let ready = op(&mut qc, &w, ro, &REPAIR_ORDER, |e| {
        vec![e.transition("status", "ready").unwrap()]
    });
    qc.ok(&t, &mut w, vec![ready]).await;
    let hand = op(&mut sa, &w, ro, &REPAIR_ORDER, |e| {
        vec![e.transition("status", "handed_over").unwrap()]
    });
    refused(
        &t,
        &gm,
        &sa,
        &[hand],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "handover_without_final_qc",
        "终检未通过,不能交车",
    )
    .await;
}

#[tokio::test]
async fn a_cs_specialist_cannot_take_a_colleagues_task_or_fail_it_without_calls() {
    let Team { t, mut w, gm } = team().await;
    let mut cs2 = Dev::login(&t, "cs2").await;
    let theirs = cs2.user_id.clone();
    let task = task_for(&t, &mut w, &mut cs2, &theirs).await;
    let mut cs = Dev::login(&t, "cs").await;
    let me = cs.user_id.clone();
    let take = op(&mut cs, &w, task, &CARE_TASK, |e| {
        vec![set(e, "assignee_id", json!(me))]
    });
    refused(
        &t,
        &gm,
        &cs,
        &[take],
        0,
        StatusCode::FORBIDDEN,
        "care_reassign_manager_only",
        "只有经理可以把回访任务转给他人",
    )
    .await;
    let fail = op(&mut cs2, &w, task, &CARE_TASK, |e| {
        vec![
            set(e, "fail_reason", json!("联系不上")),
            e.transition("status", "failed").unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &cs2,
        &[fail],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "care_fail_too_few_calls",
        "还不能记为失败",
    )
    .await;
}

#[tokio::test]
async fn nobody_writes_another_roles_settings_costs_or_comment() {
    let Team { t, w, gm } = team().await;
    let mut cs = Dev::login(&t, "cs").await;
    for (rt, field, value) in [
        (&CARE_REPORT, "comment", json!("本月表现很好")),
        (&STORE_COSTS, "month", json!("2026-11")),
    ] {
        let o = op(&mut cs, &w, v7(), rt, |e| {
            vec![set(e, field, value.clone())]
        });
        refused(
            &t,
            &gm,
            &cs,
            &[o],
            0,
            StatusCode::FORBIDDEN,
            "forbidden",
            "您的角色无权修改",
        )
        .await;
    }
    let mut c = Dev::login(&t, "consultant").await;
    let settings = op(&mut c, &w, v7(), &SALES_SETTINGS, |e| {
        vec![set(e, "sleep_days", json!(999))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[settings],
        0,
        StatusCode::FORBIDDEN,
        "sales_settings_manager_only",
        "只有销售经理或总经理可以修改门店的销售设置",
    )
    .await;
    let mut clerk = Dev::login(&t, "parts").await;
    let id = v7();
    let settle = op(&mut clerk, &w, id, &PART, |e| {
        vec![
            set(e, "part_no", json!("04152-YZZA1")),
            e.append(
                "moves",
                v7(),
                json!({"kind": "settle", "qty": 50, "note": "盘点"}),
            )
            .unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &clerk,
        &[settle],
        0,
        StatusCode::FORBIDDEN,
        "settle_manager_only",
        "只有经理可以调整库存",
    )
    .await;
    let issue = op(&mut clerk, &w, id, &PART, |e| {
        vec![
            set(e, "part_no", json!("04152-YZZA1")),
            e.append("moves", v7(), json!({"kind": "issue", "qty": 1}))
                .unwrap(),
        ]
    });
    refused(
        &t,
        &gm,
        &clerk,
        &[issue],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "stock_move_without_line",
        "出库和退料须选择工单项目",
    )
    .await;
}

#[tokio::test]
async fn a_week_old_stamp_and_an_oversized_value_are_refused() {
    let Team { t, w, gm } = team().await;
    let mut c = Dev::login(&t, "consultant").await;
    let me = c.user_id.clone();
    let mut old = op(&mut c, &w, v7(), &A_CARD, |e| {
        vec![
            set(e, "name", json!("王先生")),
            set(e, "consultant_id", json!(me)),
        ]
    });
    old.hlc = Hlc::new(now_ms() - 8 * DAY_MS, 0);
    refused(
        &t,
        &gm,
        &c,
        &[old],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "clock_behind",
        "8 天",
    )
    .await;
    let huge = op(&mut c, &w, v7(), &A_CARD, |e| {
        vec![set(e, "name", Value::String("王".repeat(20_000)))]
    });
    refused(
        &t,
        &gm,
        &c,
        &[huge],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "value_too_large",
        "最多 16384 字节",
    )
    .await;
}
