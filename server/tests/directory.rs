//! `GET /api/directory` through `oneshot`: any user of a store sees its people and devices by
//! name, and nothing of another store.

mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::app;
use forecourt_server::store::{Store, StoreRec, UserRec};
use serde_json::{Value, json};
use uuid::Uuid;

fn user<'a>(dir: &'a Value, username: &str) -> &'a Value {
    dir["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} missing from {dir}"))
}

#[tokio::test]
async fn a_consultant_sees_every_person_and_device_of_the_store_by_name() {
    let t = app().await;
    let tablet = Uuid::now_v7();
    let r = t.login("consultant", tablet, "展厅平板1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let me = r.json();
    let token = me["token"].as_str().unwrap();

    let r = t.get_auth("/api/directory", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let dir = r.json();

    // All fourteen demo users, with display names and roles; never a password hash.
    let users = dir["users"].as_array().unwrap();
    assert_eq!(users.len(), 15, "{dir}");
    let wang = user(&dir, "consultant");
    assert_eq!(wang["id"], me["user"]["id"]);
    assert_eq!(wang["display_name"], "王芳");
    assert_eq!(wang["roles"], json!(["sales_consultant"]));
    let li = user(&dir, "salesmgr");
    assert_eq!(li["display_name"], "李强");
    assert_eq!(li["roles"], json!(["sales_manager"]));
    assert_eq!(user(&dir, "zhaolei")["display_name"], "赵磊");
    for u in users {
        let keys: Vec<_> = u.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["display_name", "id", "roles", "username"], "{u}");
    }
    let names: Vec<_> = users
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by username");

    // Every device of the store with its user: this tablet and the manager's PC.
    let pc = Uuid::now_v7();
    t.token("salesmgr", pc).await;
    let dir = t.get_auth("/api/directory", token).await.json();
    let devices = dir["devices"].as_array().unwrap();
    let device = |name: &str| {
        devices
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing from {dir}"))
    };
    assert_eq!(devices.len(), 2, "{dir}");
    assert_eq!(device("测试平板")["id"], json!(pc));
    assert_eq!(device("测试平板")["user_id"], li["id"]);
    let mine = device("展厅平板1");
    assert_eq!(mine["id"], json!(tablet));
    assert_eq!(mine["user_id"], wang["id"]);
}

#[tokio::test]
async fn another_store_sees_only_its_own_people_and_a_token_is_required() {
    let t = app().await;
    let now = Utc::now();
    let hash = forecourt_server::auth::hash_password(
        forecourt_server::auth::PasswordCost::Fast,
        "other1234",
    )
    .unwrap();
    t.store
        .create_store(
            StoreRec {
                id: "north".into(),
                name: "北区店".into(),
                created_at: now,
                demo: false,
                utc_offset_minutes: 480,
            },
            vec![UserRec {
                id: Uuid::now_v7(),
                store_id: "north".into(),
                username: "northgm".into(),
                display_name: "北区总经理".into(),
                roles: vec![domain::Role::GeneralManager],
                password_hash: hash,
                created_at: now,
                deactivated_at: None,
                must_change_password: false,
            }],
        )
        .await
        .unwrap();
    let r = t
        .login_from(1, "northgm", "other1234", Uuid::now_v7(), "北区PC", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_owned();

    let dir = t.get_auth("/api/directory", &token).await.json();
    assert_eq!(
        dir,
        json!({
            "users": [{
                "id": user(&dir, "northgm")["id"],
                "username": "northgm",
                "display_name": "北区总经理",
                "roles": ["general_manager"],
            }],
            "devices": [{
                "id": dir["devices"][0]["id"],
                "name": "北区PC",
                "user_id": user(&dir, "northgm")["id"],
            }],
        })
    );

    t.get("/api/directory")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    t.get_auth("/api/directory", "not-a-token")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}
