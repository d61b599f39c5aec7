//! The audit log (`GET /api/audit`, docs/api.md "Audit log"): what the server writes for
//! logins, failed logins, log-outs, password resets, deactivations, revoked devices and refused
//! pushes, and who may read it.

mod common;

use axum::http::StatusCode;
use common::{TestApp, app};
use domain::sync::{Change, Hlc, Op, new_id};
use serde_json::{Value, json};
use uuid::Uuid;

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap()
}

async fn audit(t: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = t.get_auth(&format!("/api/audit{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["entries"].as_array().unwrap().clone()
}

fn kinds(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

async fn post_json_auth(t: &TestApp, path: &str, token: &str, body: &Value) -> common::Resp {
    t.post_json(path, body, &[("authorization", &format!("Bearer {token}"))])
        .await
}

#[tokio::test]
async fn a_failed_login_is_logged_with_the_username_and_address_for_managers_only() {
    let t = app().await;
    let device = Uuid::now_v7();
    let r = t
        .login_from(7, "zhaolei", "wrong-password", device, "前台平板", "zh-CN")
        .await;
    r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let r = t
        .login_from(7, "nobody-here", "x", Uuid::now_v7(), "前台平板", "zh-CN")
        .await;
    r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");

    let gm = t.token("gm", Uuid::now_v7()).await;
    let failed = audit(&t, &gm, "?kind=login_failed").await;
    assert_eq!(kinds(&failed), ["login_failed", "login_failed"]);
    // Newest first: the unknown username (server-wide) comes first.
    assert_eq!(failed[0]["username"], "nobody-here");
    assert_eq!(failed[0]["code"], "unknown_username");
    assert_eq!(failed[1]["username"], "zhaolei");
    assert_eq!(failed[1]["address"], "10.0.0.7");
    assert_eq!(failed[1]["device_id"], json!(device));
    assert_eq!(failed[1]["code"], "bad_credentials");
    assert!(failed[1]["target_user_id"].is_string());

    // The GM's own login is there too, newest first.
    let all = audit(&t, &gm, "").await;
    assert_eq!(all[0]["kind"], "login");
    assert_eq!(all[0]["username"], "gm");

    // Sales manager and customer-service manager read it; a consultant, a technician do not.
    for manager in ["salesmgr", "csmgr"] {
        let token = t.token(manager, Uuid::now_v7()).await;
        assert!(!audit(&t, &token, "?kind=login_failed").await.is_empty());
    }
    for other in ["consultant", "tech"] {
        let token = t.token(other, Uuid::now_v7()).await;
        t.get_auth("/api/audit", &token)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    t.get("/api/audit")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn account_events_and_refused_pushes_are_logged() {
    let t = app().await;
    let gm = t.token("gm", Uuid::now_v7()).await;
    let users = t.get_auth("/api/users", &gm).await.json();
    let id_of = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let qianli = id_of("qianli");
    let sunhao = id_of("sunhao");

    // A consultant pushes an op for another store: refused, and logged.
    let device = Uuid::now_v7();
    let consultant = t.token("consultant", device).await;
    let me = t.get_auth("/api/me", &consultant).await.json();
    let record_id = new_id(now_ms(), [3; 10]);
    let op = Op {
        op_id: new_id(now_ms(), [4; 10]),
        device_id: device,
        user_id: me["id"].as_str().unwrap().to_owned(),
        store_id: "another-store".into(),
        record_id,
        record_type: "a_card".into(),
        hlc: Hlc::new(now_ms(), 0),
        changes: vec![Change::Set {
            field: "name".into(),
            value: json!("王先生"),
            supersedes: vec![],
        }],
    };
    post_json_auth(&t, "/api/sync/push", &consultant, &json!({ "ops": [op] }))
        .await
        .assert_error(StatusCode::FORBIDDEN, "wrong_store");

    // Log out everywhere, a password reset, a deactivation, a revoked device.
    let r = t.post_auth("/api/auth/logout-all", &consultant).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = post_json_auth(
        &t,
        &format!("/api/users/{qianli}/password"),
        &gm,
        &json!({"password": "Copper-Kettle-Lane-7"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = t
        .post_auth(&format!("/api/users/{sunhao}/deactivate"), &gm)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = t
        .post_auth(&format!("/api/devices/{device}/revoke"), &gm)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    // The deactivated user's login is refused, and logged.
    t.login("sunhao", Uuid::now_v7(), "平板")
        .await
        .assert_error(StatusCode::FORBIDDEN, "account_deactivated");

    let all = audit(&t, &gm, "").await;
    assert_eq!(
        kinds(&all)[..6],
        [
            "login_failed",
            "device_revoked",
            "user_deactivated",
            "password_reset",
            "logout_everywhere",
            "push_refused",
        ]
    );
    assert_eq!(all[0]["code"], "account_deactivated");
    assert_eq!(all[1]["detail"], format!("device={device}"));
    assert_eq!(all[2]["target_user_id"], sunhao);
    assert_eq!(all[2]["username"], "gm");
    assert_eq!(all[3]["target_user_id"], qianli);
    assert_eq!(all[4]["username"], "consultant");
    let refused = &all[5];
    assert_eq!(refused["code"], "wrong_store");
    assert_eq!(refused["username"], "consultant");
    assert_eq!(refused["device_id"], json!(device));
    assert_eq!(
        refused["detail"],
        format!("op_index=0 record_type=a_card record_id={record_id}")
    );

    // Filter by user (the one acted on, by id, or a username) and by kind.
    let of_qianli = audit(&t, &gm, &format!("?user={qianli}")).await;
    assert_eq!(kinds(&of_qianli), ["password_reset"]);
    let of_consultant = audit(&t, &gm, "?user=Consultant").await;
    assert_eq!(
        kinds(&of_consultant),
        ["logout_everywhere", "push_refused", "login"]
    );
    let refusals = audit(&t, &gm, "?kind=push_refused").await;
    assert_eq!(refusals.len(), 1);
}

#[tokio::test]
async fn the_log_pages_newest_first_and_filters_by_store_days() {
    let t = app().await;
    for _ in 0..3 {
        t.login_from(9, "zhaolei", "nope", Uuid::now_v7(), "平板", "zh-CN")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let gm = t.token("gm", Uuid::now_v7()).await;
    let r = t.get_auth("/api/audit?limit=2", &gm).await.json();
    let first = r["entries"].as_array().unwrap();
    assert_eq!(kinds(first), ["login", "login_failed"]);
    let next = r["next"].as_str().unwrap();
    let r = t
        .get_auth(&format!("/api/audit?limit=2&before={next}"), &gm)
        .await
        .json();
    assert_eq!(
        kinds(r["entries"].as_array().unwrap()),
        ["login_failed", "login_failed"]
    );
    assert!(r["next"].is_null());

    // Today (store time) has them all; a day long past none.
    let today = domain::time::StoreClock::CHINA
        .day_of_ms(now_ms())
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let r = audit(&t, &gm, &format!("?from={today}&to={today}")).await;
    assert_eq!(r.len(), 4);
    assert!(
        audit(&t, &gm, "?from=2020-01-01&to=2020-01-02")
            .await
            .is_empty()
    );

    for bad in [
        "?kind=hack",
        "?from=yesterday",
        "?limit=0",
        "?limit=501",
        "?before=x",
    ] {
        t.get_auth(&format!("/api/audit{bad}"), &gm)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    }
}
