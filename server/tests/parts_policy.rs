//! The server enforces the parts rules (issue 16; `domain::parts::policy`, docs/sync.md "What
//! the server refuses"): who writes parts records, an issue names an existing repair-order
//! line, only a manager settles stock, reservations and emergency orders are complete; each
//! crafted op is pushed with a real token and refused with its code in the user's language,
//! and nothing of the push is written. The customer's status page shows Parts Hold while an
//! emergency order is open; the catalogue imports from a CSV.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use common::ops::{Dev, World, now_ms, set, v7};
use common::{TestApp, app};
use domain::parts::orders::EmergencyOrder;
use domain::parts::plan::{
    CatalogueEntry, Delivery, JobRef, NewOrder, arrival_plan, emergency_order_plan, issue_plan,
    part_plan, receive_plan, reserve_plan, settle_plan,
};
use domain::records::parts::PART;
use domain::records::{REPAIR_ORDER, RO_LINE};
use domain::service::workshop::{new_status_key, status_token};
use domain::time::StoreClock;
use serde_json::json;
use uuid::Uuid;

struct Desk {
    t: TestApp,
    w: World,
    clerk: Dev,
    sa: Dev,
    ro: Uuid,
    line: Uuid,
    part: Uuid,
    token: String,
}

/// An RO with a part line (the advisor's), a catalogue part with 2 on the shelf (the clerk's).
async fn desk() -> Desk {
    let t = app().await;
    let mut w = World::default();
    let mut sa = Dev::login(&t, "advisor").await;
    let mut clerk = Dev::login(&t, "parts").await;
    let (ro, line, part) = (v7(), v7(), v7());
    let key = new_status_key([5; 16]);
    let k = key.clone();
    let open = sa.op(&w, ro, &REPAIR_ORDER, |e| {
        vec![
            set(e, "plate", json!("粤B88888")),
            set(e, "status_key", json!(k)),
            e.transition("status", "estimated").unwrap(),
        ]
    });
    let l = sa.op(&w, line, &RO_LINE, |e| {
        vec![
            set(e, "ro_id", json!(ro.to_string())),
            set(e, "kind", json!("part")),
            set(e, "code", json!("04465-02220")),
            set(e, "qty", json!(1)),
        ]
    });
    sa.ok(&t, &mut w, vec![open, l]).await;
    let mut plan = part_plan(
        part,
        &CatalogueEntry {
            part_no: "04465-02220".into(),
            name: "前刹车片".into(),
            price_fen: Some(38_000),
            bin: "A-01-03".into(),
            supplier: "广汽丰田配件".into(),
        },
    );
    plan.writes.extend(
        receive_plan(&Delivery {
            supplier: "广汽丰田配件".into(),
            delivery_no: "SH-2026-001".into(),
            lines: vec![(part, 2)],
        })
        .writes,
    );
    let ops = clerk.plan_ops(&w, &plan);
    clerk.ok(&t, &mut w, ops).await;
    Desk {
        t,
        w,
        clerk,
        sa,
        ro,
        line,
        part,
        token: status_token(ro, &key),
    }
}

async fn moves_on_server(t: &TestApp, dev: &Dev, part: Uuid) -> usize {
    let r = t
        .get_auth(
            &format!("/api/records/{part}/history?limit=1000"),
            &dev.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["ops"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["op"]["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "moves")
        .count()
}

#[tokio::test]
async fn an_issue_must_name_an_existing_repair_order_line() {
    let Desk {
        t,
        mut w,
        mut clerk,
        line,
        ro,
        part,
        ..
    } = desk().await;
    assert_eq!(moves_on_server(&t, &clerk, part).await, 1);
    // A made-up line: refused, nothing written.
    let bogus = clerk.plan_ops(&w, &issue_plan(part, v7(), None, 1, None));
    let msg = clerk
        .refused(
            &t,
            &bogus,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "parts_reference_missing",
        )
        .await;
    assert!(msg.contains("工单项目"), "{msg}");
    // The RO itself is not a line.
    let not_a_line = clerk.plan_ops(&w, &issue_plan(part, ro, None, 1, None));
    clerk
        .refused(
            &t,
            &not_a_line,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "parts_reference_missing",
        )
        .await;
    // An issue without any line.
    let bare = clerk.op(&w, part, &PART, |e| {
        vec![
            e.append("moves", v7(), json!({"kind": "issue", "qty": 1}))
                .unwrap(),
        ]
    });
    let r = clerk.push(&t, &[bare], "en").await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "stock_move_without_line");
    assert!(msg.contains("repair-order line"), "{msg}");
    assert_eq!(
        moves_on_server(&t, &clerk, part).await,
        1,
        "nothing written"
    );
    // The real line: accepted.
    let ok = clerk.plan_ops(&w, &issue_plan(part, line, Some(ro), 1, None));
    clerk.ok(&t, &mut w, ok).await;
    assert_eq!(moves_on_server(&t, &clerk, part).await, 2);
}

#[tokio::test]
async fn only_a_manager_settles_stock_and_only_the_parts_desk_writes_parts() {
    let Desk {
        t,
        mut w,
        mut clerk,
        mut sa,
        part,
        ..
    } = desk().await;
    let settle = clerk.plan_ops(&w, &settle_plan(part, -1, "盘点少一件"));
    let msg = clerk
        .refused(&t, &settle, 0, StatusCode::FORBIDDEN, "settle_manager_only")
        .await;
    assert!(msg.contains("经理"), "{msg}");
    let mut gm = Dev::login(&t, "gm").await;
    let settle = gm.plan_ops(&w, &settle_plan(part, -1, "盘点少一件"));
    gm.ok(&t, &mut w, settle).await;
    // A settlement without its reason, even by the manager.
    let bare = gm.op(&w, part, &PART, |e| {
        vec![
            e.append("moves", v7(), json!({"kind": "settle", "qty": 1}))
                .unwrap(),
        ]
    });
    gm.refused(
        &t,
        &[bare],
        0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "settle_without_reason",
    )
    .await;
    // The advisor and a technician read parts but do not write them.
    let by_advisor = sa.plan_ops(
        &w,
        &receive_plan(&Delivery {
            lines: vec![(part, 5)],
            ..Delivery::default()
        }),
    );
    sa.refused(&t, &by_advisor, 0, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let mut tech = Dev::login(&t, "tech").await;
    let order = tech.plan_ops(
        &w,
        &emergency_order_plan(&NewOrder {
            order_id: v7(),
            name: "后视镜".into(),
            qty: 1,
            supplier: "s".into(),
            promised_date: NaiveDate::from_ymd_opt(2026, 12, 20),
            ..NewOrder::default()
        }),
    );
    tech.refused(&t, &order, 0, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_eq!(moves_on_server(&t, &clerk, part).await, 2);
    // A new part needs its number.
    let nameless = clerk.plan_ops(
        &w,
        &part_plan(
            v7(),
            &CatalogueEntry {
                name: "无号零件".into(),
                ..CatalogueEntry::default()
            },
        ),
    );
    clerk
        .refused(
            &t,
            &nameless,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "part_without_number",
        )
        .await;
}

#[tokio::test]
async fn reservations_and_emergency_orders_are_complete_and_parts_hold_shows_to_the_customer() {
    let Desk {
        t,
        mut w,
        mut clerk,
        ro,
        line,
        part,
        token,
        ..
    } = desk().await;
    // A reservation for a job that does not exist; then for the RO.
    let ghost = clerk.plan_ops(
        &w,
        &reserve_plan(
            v7(),
            part,
            JobRef {
                appointment_id: Some(v7()),
                ro_id: None,
            },
            1,
            None,
        ),
    );
    clerk
        .refused(
            &t,
            &ghost,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "parts_reference_missing",
        )
        .await;
    let no_job = clerk.plan_ops(&w, &reserve_plan(v7(), part, JobRef::default(), 1, None));
    clerk
        .refused(
            &t,
            &no_job,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reservation_incomplete",
        )
        .await;
    let job = JobRef {
        appointment_id: None,
        ro_id: Some(ro),
    };
    let held = clerk.plan_ops(&w, &reserve_plan(v7(), part, job, 1, None));
    clerk.ok(&t, &mut w, held).await;
    // An emergency order without its promised date.
    let order_id = v7();
    let mut order = NewOrder {
        order_id,
        part_no: "87910-0X010".into(),
        name: "左后视镜".into(),
        qty: 1,
        supplier: "广汽丰田配件".into(),
        promised_date: None,
        job,
        ro_line_id: Some(line),
        ..NewOrder::default()
    };
    let incomplete = clerk.plan_ops(&w, &emergency_order_plan(&order));
    clerk
        .refused(
            &t,
            &incomplete,
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "parts_order_incomplete",
        )
        .await;
    let page = t.get(&format!("/s/{token}")).await.text();
    assert!(!page.contains("等待配件"), "{page}");
    order.promised_date = NaiveDate::from_ymd_opt(2026, 12, 20);
    let ops = clerk.plan_ops(&w, &emergency_order_plan(&order));
    clerk.ok(&t, &mut w, ops).await;
    let page = t.get(&format!("/s/{token}")).await.text();
    assert!(page.contains("id=\"parts-hold\">等待配件"), "{page}");
    let json = t.get(&format!("/api/public/ro/{token}")).await.json();
    assert_eq!(json["parts_hold"], json!(true));
    // Arrival without its time is refused; with it, the hold ends.
    let stored = w.state(order_id, &domain::records::parts::PARTS_ORDER);
    let bare = clerk.op(&w, order_id, &domain::records::parts::PARTS_ORDER, |e| {
        vec![e.transition("status", "arrived").unwrap()]
    });
    clerk
        .refused(
            &t,
            &[bare],
            0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "arrival_without_time",
        )
        .await;
    let at = StoreClock::default().local_ms(now_ms()).unwrap();
    let arrived = clerk.plan_ops(
        &w,
        &arrival_plan(&EmergencyOrder::of(&stored, StoreClock::default()), at),
    );
    clerk.ok(&t, &mut w, arrived).await;
    let json = t.get(&format!("/api/public/ro/{token}")).await.json();
    assert_eq!(json["parts_hold"], json!(false));
}

const BOUNDARY: &str = "parts-boundary";

async fn upload(t: &TestApp, token: &str, file: &[u8]) -> common::Resp {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"parts.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let req = Request::post("/api/parts/import")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, "zh-CN")
        .body(Body::from(body))
        .unwrap();
    t.send(req).await
}

#[tokio::test]
async fn the_catalogue_imports_from_a_sheet_and_updates_known_part_numbers() {
    let Desk { t, clerk, sa, .. } = desk().await;
    let csv = "\u{feff}零件号,零件名称,单价,库位,供应商,期初库存\n\
               04465-02220,前刹车片(原厂),395.00,A-01-03,广汽丰田配件,\n\
               90915-YZZE1,机油滤芯,45,B-02-01,广汽丰田配件,12\n\
               ,无号,1,,,\n\
               17801-0Y040,空气滤芯,八十,,,\n";
    let r = upload(&t, &sa.token, csv.as_bytes()).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let r = upload(&t, &clerk.token, csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(
        (v["created"].as_u64(), v["updated"].as_u64()),
        (Some(1), Some(1))
    );
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2]["code"], json!("part_without_number"));
    assert_eq!(rows[3]["code"], json!("part_price_invalid"));
    let r = upload(&t, &clerk.token, "名称,单价\n机油,1\n".as_bytes()).await;
    r.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "parts_no_part_number_column",
    );
}
