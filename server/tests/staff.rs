//! First start of a real store (`/api/setup`), staff accounts (`/api/users`), one's own
//! password (`/api/me/password`) and the password rules, through the HTTP API.

mod common;

use axum::http::StatusCode;
use common::{TestApp, app, app_without_demo};
use serde_json::{Value, json};
use uuid::Uuid;

const GM_PASSWORD: &str = "Lantern-Harbour-42";

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn post_auth_json(t: &TestApp, path: &str, token: &str, body: &Value) -> common::Resp {
    t.post_json(path, body, &[("authorization", &bearer(token))])
        .await
}

async fn login_ok(t: &TestApp, username: &str, password: &str) -> (String, Value) {
    let r = t
        .login_from(1, username, password, Uuid::now_v7(), "平板", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    (v["token"].as_str().unwrap().to_owned(), v["user"].clone())
}

fn setup_body(password: &str) -> Value {
    json!({
        "store_name": "东风日产城东4S店",
        "utc_offset_minutes": 420,
        "username": "boss",
        "display_name": "周总",
        "password": password,
    })
}

/// A set-up store; returns the general manager's token.
async fn set_up(t: &TestApp) -> String {
    let r = t
        .post_json("/api/setup", &setup_body(GM_PASSWORD), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    login_ok(t, "boss", GM_PASSWORD).await.0
}

async fn add(t: &TestApp, gm: &str, username: &str, role: &str, password: &str) -> common::Resp {
    post_auth_json(
        t,
        "/api/users",
        gm,
        &json!({"username": username, "display_name": format!("{username}的名字"),
                "roles": [role], "password": password}),
    )
    .await
}

#[tokio::test]
async fn setup_happens_once_and_nothing_works_before() {
    let t = app_without_demo().await;
    assert_eq!(t.get("/api/setup").await.json(), json!({"set_up": false}));
    let r = t
        .login_from(1, "gm", "demo1234", Uuid::now_v7(), "平板", "en")
        .await;
    r.assert_error(StatusCode::CONFLICT, "not_set_up");

    // The rules of the domain refuse a weak password, a bad time zone, a missing name.
    let r = t.post_json("/api/setup", &setup_body("short"), &[]).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_too_short");
    let r = t
        .post_json("/api/setup", &setup_body("1234567890"), &[])
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_common");
    let mut body = setup_body(GM_PASSWORD);
    body["utc_offset_minutes"] = json!(15 * 60);
    let r = t.post_json("/api/setup", &body, &[]).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "utc_offset_invalid");
    let mut body = setup_body(GM_PASSWORD);
    body["store_name"] = json!("  ");
    let r = t.post_json("/api/setup", &body, &[]).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "store_name_missing");
    assert_eq!(t.get("/api/setup").await.json(), json!({"set_up": false}));

    let r = t
        .post_json("/api/setup", &setup_body(GM_PASSWORD), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let gm = r.json();
    assert_eq!(gm["roles"], json!(["general_manager"]));
    assert_eq!(gm["store"]["demo"], json!(false));
    assert_eq!(gm["store"]["name"], json!("东风日产城东4S店"));
    assert_eq!(t.get("/api/setup").await.json(), json!({"set_up": true}));

    // Not twice, even with other names.
    let mut again = setup_body("Another-Long-Secret-9");
    again["username"] = json!("intruder");
    let r = t.post_json("/api/setup", &again, &[]).await;
    r.assert_error(StatusCode::CONFLICT, "already_set_up");
    t.login_from(
        1,
        "intruder",
        "Another-Long-Secret-9",
        Uuid::now_v7(),
        "x",
        "en",
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");

    let (token, user) = login_ok(&t, "boss", GM_PASSWORD).await;
    assert_eq!(user["store"]["utc_offset_minutes"], json!(420));
    assert_eq!(user["must_change_password"], json!(false));
    let me = t.get_auth("/api/me", &token).await.json();
    assert_eq!(me["store"]["utc_offset_minutes"], json!(420));
    assert_eq!(me["display_name"], json!("周总"));
}

#[tokio::test]
async fn the_demo_store_says_it_is_the_demo() {
    let t = app().await;
    let token = t.token("consultant", Uuid::now_v7()).await;
    let me = t.get_auth("/api/me", &token).await.json();
    assert_eq!(me["store"]["demo"], json!(true));
    assert_eq!(me["store"]["utc_offset_minutes"], json!(480));
    assert_eq!(me["store_name"], json!("演示4S店"));
    let r = t
        .post_json("/api/setup", &setup_body(GM_PASSWORD), &[])
        .await;
    r.assert_error(StatusCode::CONFLICT, "already_set_up");
}

#[tokio::test]
async fn the_general_manager_adds_people_who_choose_their_own_password() {
    let t = app_without_demo().await;
    let gm = set_up(&t).await;

    let r = add(&t, &gm, "wangfang", "sales_consultant", "Xiaowang-First-1").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let added = r.json();
    assert_eq!(added["must_change_password"], json!(true));
    assert_eq!(added["active"], json!(true));
    add(&t, &gm, "WangFang", "sales_manager", "Xiaowang-First-1")
        .await
        .assert_error(StatusCode::CONFLICT, "username_taken");
    add(&t, &gm, "li", "sales_manager", "qwertyuiop")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_common");
    add(&t, &gm, "lisimin123", "sales_manager", "lisimin123!")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_is_username");
    add(&t, &gm, "li si", "sales_manager", "Xiaoli-First-22")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "username_characters");
    post_auth_json(
        &t,
        "/api/users",
        &gm,
        &json!({"username": "nobody", "display_name": "无角色", "roles": [], "password": "Xiaoli-First-22"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "roles_missing");

    let list = t.get_auth("/api/users", &gm).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["boss", "wangfang"]);

    // The first login asks for a new password; nothing but that works until then.
    let (token, user) = login_ok(&t, "wangfang", "Xiaowang-First-1").await;
    assert_eq!(user["must_change_password"], json!(true));
    t.get_auth("/api/sync/pull?limit=10", &token)
        .await
        .assert_error(StatusCode::FORBIDDEN, "password_change_required");
    assert_eq!(t.get_auth("/api/me", &token).await.status, StatusCode::OK);
    let change = |old: &str, new: &str| json!({"old_password": old, "new_password": new});
    post_auth_json(
        &t,
        "/api/me/password",
        &token,
        &change("wrong-one-here", "Guihua-Shu-2026"),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "wrong_password");
    post_auth_json(
        &t,
        "/api/me/password",
        &token,
        &change("Xiaowang-First-1", "Xiaowang-First-1"),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_unchanged");
    post_auth_json(
        &t,
        "/api/me/password",
        &token,
        &change("Xiaowang-First-1", "wangfang"),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_too_short");
    let r = post_auth_json(
        &t,
        "/api/me/password",
        &token,
        &change("Xiaowang-First-1", "Guihua-Shu-2026"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["must_change_password"], json!(false));
    assert_eq!(
        t.get_auth("/api/sync/pull?limit=10", &token).await.status,
        StatusCode::OK,
        "the same token goes on"
    );
    t.login_from(1, "wangfang", "Xiaowang-First-1", Uuid::now_v7(), "x", "en")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    login_ok(&t, "wangfang", "Guihua-Shu-2026").await;
}

#[tokio::test]
async fn only_the_general_manager_manages_staff() {
    let t = app().await;
    for who in ["salesmgr", "csmgr", "consultant"] {
        let token = t.token(who, Uuid::now_v7()).await;
        t.get_auth("/api/users", &token)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
        add(&t, &token, "newbie", "sales_consultant", "Xiaowang-First-1")
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let gm = t.token("gm", Uuid::now_v7()).await;
    let list = t.get_auth("/api/users", &gm).await.json();
    assert_eq!(list.as_array().unwrap().len(), 15);
}

#[tokio::test]
async fn a_reset_ends_every_session_and_asks_for_a_new_password() {
    let t = app().await;
    let gm = t.token("gm", Uuid::now_v7()).await;
    let consultant = t.token("consultant", Uuid::now_v7()).await;
    let id = t.get_auth("/api/me", &consultant).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    post_auth_json(
        &t,
        &format!("/api/users/{id}/password"),
        &gm,
        &json!({"password": "short"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_too_short");
    let r = post_auth_json(
        &t,
        &format!("/api/users/{id}/password"),
        &gm,
        &json!({"password": "Reset-By-Boss-77"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    t.get_auth("/api/me", &consultant)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let (_, user) = login_ok(&t, "consultant", "Reset-By-Boss-77").await;
    assert_eq!(user["must_change_password"], json!(true));
    post_auth_json(
        &t,
        &format!("/api/users/{}/password", Uuid::now_v7()),
        &gm,
        &json!({"password": "Reset-By-Boss-77"}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_deactivated_person_is_out_at_once() {
    let t = app().await;
    let gm = t.token("gm", Uuid::now_v7()).await;
    let tablet = t.token("zhaolei", Uuid::now_v7()).await;
    let phone = t.token("zhaolei", Uuid::now_v7()).await;
    let me = t.get_auth("/api/me", &tablet).await.json();
    let id = me["id"].as_str().unwrap().to_owned();
    let gm_id = t.get_auth("/api/me", &gm).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = t
        .post_auth(&format!("/api/users/{id}/deactivate"), &gm)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    for token in [&tablet, &phone] {
        t.get_auth("/api/sync/pull?limit=10", token)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    t.login_from(1, "zhaolei", "demo1234", Uuid::now_v7(), "x", "en")
        .await
        .assert_error(StatusCode::FORBIDDEN, "account_deactivated");
    t.login_from(1, "zhaolei", "wrong-password", Uuid::now_v7(), "x", "en")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    let list = t.get_auth("/api/users", &gm).await.json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "zhaolei")
        .unwrap()
        .clone();
    assert_eq!(row["active"], json!(false));
    assert_eq!(
        list.as_array().unwrap().last().unwrap()["username"],
        "zhaolei"
    );

    t.post_auth(&format!("/api/users/{gm_id}/deactivate"), &gm)
        .await
        .assert_error(StatusCode::CONFLICT, "cannot_deactivate_self");
    let salesmgr = t.token("salesmgr", Uuid::now_v7()).await;
    t.post_auth(&format!("/api/users/{gm_id}/deactivate"), &salesmgr)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn changing_ones_own_password_ends_the_other_sessions() {
    let t = app().await;
    let here = t.token("salesmgr", Uuid::now_v7()).await;
    let there = t.token("salesmgr", Uuid::now_v7()).await;
    let r = post_auth_json(
        &t,
        "/api/me/password",
        &here,
        &json!({"old_password": "demo1234", "new_password": "Manager-Li-Qiang-8"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(t.get_auth("/api/me", &here).await.status, StatusCode::OK);
    t.get_auth("/api/me", &there)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // English messages come from the same domain rules.
    let r = t
        .post_json(
            "/api/me/password",
            &json!({"old_password": "Manager-Li-Qiang-8", "new_password": "password123"}),
            &[("authorization", &bearer(&here)), ("accept-language", "en")],
        )
        .await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "password_common");
    assert!(msg.contains("common password"), "{msg}");
}
