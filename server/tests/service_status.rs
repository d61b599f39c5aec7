//! The customer's status page behind the RO's link (`GET /api/public/ro/{token}`, `/s/{token}`):
//! no login; a wrong or malformed token is 404; no prices before the customer approves, the
//! approved lines' prices after; added work not yet decided shows without its price.

mod common;

use axum::http::StatusCode;
use common::ops::{Dev, World, set, v7};
use common::{TestApp, app};
use domain::records::{REPAIR_ORDER, RO_LINE, SERVICE_SETTINGS};
use domain::service::plan::{NewLine, added_work_plan, approve_estimate_plan};
use domain::service::repair_order::{LineKind, Proof};
use domain::service::workshop::{new_status_key, status_token};
use serde_json::json;
use uuid::Uuid;

/// Two hours from now, as the store's records hold a time.
fn in_two_hours() -> String {
    let clock = domain::time::StoreClock::default();
    let at = chrono::Utc::now() + chrono::Duration::hours(2);
    domain::time::stored_time(clock.local(at))
}

struct Ro {
    t: TestApp,
    w: World,
    sa: Dev,
    ro: Uuid,
    lines: [Uuid; 2],
    token: String,
}

/// An estimated RO with a labour line (1.5 h at ¥200) and a part (¥380), and its status key.
async fn estimated() -> Ro {
    let t = app().await;
    let mut w = World::default();
    let mut sa = Dev::login(&t, "advisor").await;
    let mut gm = Dev::login(&t, "gm").await;
    let settings = gm.op(&w, v7(), &SERVICE_SETTINGS, |e| {
        vec![set(e, "hourly_rate_fen", json!(20_000))]
    });
    gm.ok(&t, &mut w, vec![settings]).await;
    let (ro, labour, part) = (v7(), v7(), v7());
    let key = new_status_key([7; 16]);
    let k = key.clone();
    let open = sa.op(&w, ro, &REPAIR_ORDER, |e| {
        vec![
            set(e, "plate", json!("粤A12345")),
            set(e, "customer_name", json!("王先生")),
            set(e, "phone", json!("13800001111")),
            set(e, "status_key", json!(k)),
            // A promise is made for the future (`ro_promise_in_past`): two hours from now.
            set(e, "promised_at", json!(in_two_hours())),
            e.transition("status", "estimated").unwrap(),
        ]
    });
    let l = sa.op(&w, labour, &RO_LINE, |e| {
        vec![
            set(e, "ro_id", json!(ro.to_string())),
            set(e, "kind", json!("labour")),
            set(e, "description", json!("更换前刹车片")),
            set(e, "std_hours", json!(1.5)),
        ]
    });
    let p = sa.op(&w, part, &RO_LINE, |e| {
        vec![
            set(e, "ro_id", json!(ro.to_string())),
            set(e, "kind", json!("part")),
            set(e, "description", json!("刹车片")),
            set(e, "qty", json!(1)),
            set(e, "unit_price_fen", json!(38_000)),
        ]
    });
    sa.ok(&t, &mut w, vec![open, l, p]).await;
    Ro {
        t,
        w,
        sa,
        ro,
        lines: [labour, part],
        token: status_token(ro, &key),
    }
}

#[tokio::test]
async fn a_wrong_token_is_not_found_and_needs_no_login() {
    let Ro { t, ro, token, .. } = estimated().await;
    let ok = t.get(&format!("/api/public/ro/{token}")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let other_key = status_token(ro, &new_status_key([8; 16]));
    let unknown_ro = status_token(v7(), &new_status_key([7; 16]));
    for bad in [
        other_key.as_str(),
        unknown_ro.as_str(),
        &token[..63],
        "not-a-token",
        &ro.to_string(),
    ] {
        let r = t.get(&format!("/api/public/ro/{bad}")).await;
        r.assert_error(StatusCode::NOT_FOUND, "not_found");
        let page = t.get(&format!("/s/{bad}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad}");
        assert!(page.text().contains("找不到维修进度"), "{}", page.text());
        assert!(!page.text().contains("粤A12345"));
    }
}

#[tokio::test]
async fn an_ro_without_a_key_has_no_link() {
    let Ro {
        t,
        mut w,
        mut sa,
        ro,
        ..
    } = estimated().await;
    let clear = sa.op(&w, ro, &REPAIR_ORDER, |e| {
        vec![set(e, "status_key", json!("short"))]
    });
    sa.ok(&t, &mut w, vec![clear]).await;
    let r = t
        .get(&format!("/api/public/ro/{}", status_token(ro, "short")))
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn no_prices_before_approval_then_the_approved_lines_prices() {
    let Ro {
        t,
        mut w,
        mut sa,
        ro,
        lines,
        token,
    } = estimated().await;
    let before = t.get(&format!("/api/public/ro/{token}")).await.json();
    assert_eq!(before["plate"], json!("粤A12345"));
    assert_eq!(before["status"], json!("estimated"));
    assert_eq!(before["store_name"], json!("演示4S店"));
    assert_eq!(before["approved_total_fen"], json!(0));
    assert_eq!(before["lines"].as_array().unwrap().len(), 2);
    for l in before["lines"].as_array().unwrap() {
        assert_eq!(l["amount_fen"], json!(null), "{l}");
        assert_eq!(l["state"], json!("proposed"));
    }
    let text = before.to_string();
    for secret in ["王先生", "13800001111", "30000", "38000"] {
        assert!(!text.contains(secret), "{secret} shown: {text}");
    }
    let page = t.get(&format!("/s/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("已估价") && html.contains("更换前刹车片"),
        "{html}"
    );
    assert!(!html.contains('¥'), "no prices before approval: {html}");
    assert_eq!(page.header("cache-control"), Some("no-store"));

    // Approved with a signature: both lines priced (1.5 h × ¥200 = ¥300, part ¥380).
    let proof = Proof::Signature {
        blob_id: "sha256-e".into(),
    };
    let ops = sa.plan_ops(&w, &approve_estimate_plan(ro, &lines, &lines, &proof));
    sa.ok(&t, &mut w, ops).await;
    // Added work proposed by the technician: shown, not priced.
    let mut tech = Dev::login(&t, "tech").await;
    let extra = NewLine {
        line_id: v7(),
        kind: LineKind::Labour,
        code: String::new(),
        description: "刹车盘打磨".into(),
        std_hours: Some(0.5),
        qty: None,
        unit_price_fen: None,
    };
    let ops = tech.plan_ops(
        &w,
        &added_work_plan(ro, Some(lines[0]), "盘有划痕", &[], &extra),
    );
    tech.ok(&t, &mut w, ops).await;
    let after = t.get(&format!("/api/public/ro/{token}")).await.json();
    assert_eq!(after["status"], json!("approved"));
    assert_eq!(after["approved_total_fen"], json!(68_000));
    let amount = |d: &str| {
        after["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["description"] == json!(d))
            .map(|l| (l["state"].clone(), l["amount_fen"].clone()))
            .unwrap()
    };
    assert_eq!(amount("更换前刹车片"), (json!("approved"), json!(30_000)));
    assert_eq!(amount("刹车片"), (json!("approved"), json!(38_000)));
    assert_eq!(
        amount("刹车盘打磨"),
        (json!("added_work_proposed"), json!(null))
    );
    let steps = after["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 7);
    assert_eq!(steps[2]["current"], json!(true));
    assert_eq!(steps[3]["reached"], json!(false));
    let html = t.get(&format!("/s/{token}")).await.text();
    assert!(
        html.contains("¥300.00") && html.contains("¥680.00"),
        "{html}"
    );
}
