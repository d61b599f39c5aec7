//! Handler tests through `oneshot`, on a redb store in a temp dir.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::Utc;
use common::{INDEX_HTML, WASM_NAME, app, app_with};
use forecourt_server::store::{Store, StoreRec, UserRec};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn health_reports_version_uptime_and_store() {
    let t = app().await;
    let r = t.get("/api/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["uptime_secs"].is_u64());
    assert_eq!(v["store_ok"], true);
}

#[tokio::test]
async fn login_returns_user_and_device_and_the_token_works_on_me() {
    let t = app().await;
    let device = Uuid::now_v7();
    let r = t.login("consultant", device, "展厅平板1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let token = v["token"].as_str().unwrap();
    assert_eq!(token.len(), 43);
    assert_eq!(v["user"]["username"], "consultant");
    assert_eq!(v["user"]["display_name"], "王芳");
    assert_eq!(v["user"]["store_id"], "demo");
    assert_eq!(v["user"]["store_name"], "演示4S店");
    assert_eq!(v["user"]["roles"], json!(["sales_consultant"]));
    assert_eq!(v["device"], json!({"id": device, "name": "展厅平板1"}));

    assert_eq!(r.header("cache-control"), Some("no-store"));
    let me = t.get_auth("/api/me", token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.header("cache-control"), Some("no-store"));
    assert_eq!(me.json(), v["user"]);

    // Username is matched case-insensitively and trimmed.
    let r = t.login(" Consultant ", device, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["device"]["name"], "展厅平板1", "name kept");

    // No or a bad token.
    t.get("/api/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    t.get_auth("/api/me", "not-a-token")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_the_same_401_in_both_languages() {
    let t = app().await;
    let d = Uuid::now_v7();
    let zh = t
        .login_from(1, "salesmgr", "wrong", d, "PC", "zh-CN,zh;q=0.9")
        .await;
    assert_eq!(
        zh.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials"),
        "用户名或密码错误"
    );
    let en = t
        .login_from(1, "salesmgr", "wrong", d, "PC", "en-US,en;q=0.9")
        .await;
    assert_eq!(
        en.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials"),
        "Wrong username or password"
    );
    let unknown = t
        .login_from(1, "nobody", "demo1234", d, "PC", "zh-CN")
        .await;
    assert_eq!(unknown.status, zh.status);
    assert_eq!(unknown.json(), zh.json());
    // Default language is Chinese.
    let none = t
        .post_json(
            "/api/auth/login",
            &json!({"username": "nobody", "password": "x", "device_id": d, "device_name": "PC"}),
            &[],
        )
        .await;
    assert_eq!(none.json(), zh.json());
}

#[tokio::test]
async fn five_failures_per_username_then_429_with_retry_after() {
    let t = app().await;
    let d = Uuid::now_v7();
    for i in 0..5 {
        // Different IPs, so only the username counts.
        let r = t.login_from(10 + i, "gm", "wrong", d, "PC", "zh-CN").await;
        r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    // Even the right password is refused now.
    let r = t.login_from(20, "gm", "demo1234", d, "PC", "en").await;
    let msg = r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((890..=900).contains(&retry), "Retry-After {retry}");
    assert!(msg.contains("seconds"), "{msg}");
    let zh = t.login_from(20, "GM", "demo1234", d, "PC", "zh-CN").await;
    assert!(
        zh.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
            .contains("秒")
    );
    // Another user is not affected.
    let r = t
        .login_from(20, "salesmgr", "demo1234", d, "PC", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn the_address_limit_then_429() {
    // The address limit is far above a showroom's traffic (100); lowered here to 5.
    let t = app_with(|s| s.login_limits.per_address = 5).await;
    let d = Uuid::now_v7();
    for name in ["a1", "a2", "a3", "a4", "a5"] {
        t.login_from(7, name, "x", d, "PC", "zh-CN")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let r = t.login_from(7, "cs", "demo1234", d, "PC", "zh-CN").await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(r.header("retry-after").is_some());
    // From another address the same user gets in.
    let r = t.login_from(8, "cs", "demo1234", d, "PC", "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_successful_login_clears_the_username_count() {
    let t = app().await;
    let d = Uuid::now_v7();
    for i in 0..4 {
        t.login_from(30 + i, "tech", "x", d, "PC", "zh-CN")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let ok = t.login_from(40, "tech", "demo1234", d, "PC", "zh-CN").await;
    assert_eq!(ok.status, StatusCode::OK);
    for i in 0..4 {
        t.login_from(50 + i, "tech", "x", d, "PC", "zh-CN")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    let ok = t.login_from(60, "tech", "demo1234", d, "PC", "zh-CN").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let t = app().await;
    let token = t.token("advisor", Uuid::now_v7()).await;
    let other = t.token("advisor", Uuid::now_v7()).await;
    let r = t.post_auth("/api/auth/logout", &token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    t.get_auth("/api/me", &token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    t.post_auth("/api/auth/logout", &token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // The same user's other device stays logged in.
    assert_eq!(t.get_auth("/api/me", &other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_new_device_needs_a_name_and_a_known_one_may_be_renamed() {
    let t = app().await;
    let d = Uuid::now_v7();
    let r = t.login("qc", d, "   ").await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "device_name_required");
    assert!(msg.contains("设备名称"), "{msg}");
    let en = t.login_from(1, "qc", "demo1234", d, "", "en").await;
    assert!(
        en.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "device_name_required")
            .contains("device name")
    );
    assert_eq!(t.login("qc", d, "质检平板").await.status, StatusCode::OK);
    let r = t.login("qc", d, "车间平板").await;
    assert_eq!(r.json()["device"]["name"], "车间平板");
    let long = "长".repeat(65);
    t.login("qc", d, &long)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "device_name_too_long");
}

#[tokio::test]
async fn managers_list_the_store_devices_and_consultants_may_not() {
    let t = app().await;
    let tablet = Uuid::now_v7();
    t.token("consultant", tablet).await;
    let mgr = t.token("salesmgr", Uuid::now_v7()).await;
    let r = t.get_auth("/api/devices", &mgr).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let row = list.iter().find(|d| d["id"] == json!(tablet)).unwrap();
    assert_eq!(row["name"], "测试平板");
    assert_eq!(row["username"], "consultant");
    assert_eq!(row["display_name"], "王芳");
    assert_eq!(row["revoked"], false);
    for key in ["user_id", "created_at", "last_seen_at"] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }
    // Most recently seen first: the manager's own device.
    assert_eq!(list[0]["username"], "salesmgr");

    for who in ["csmgr", "gm"] {
        let tok = t.token(who, Uuid::now_v7()).await;
        assert_eq!(
            t.get_auth("/api/devices", &tok).await.status,
            StatusCode::OK
        );
    }
    let consultant = t.token("consultant", Uuid::now_v7()).await;
    let r = t.get_auth("/api/devices", &consultant).await;
    assert_eq!(
        r.assert_error(StatusCode::FORBIDDEN, "forbidden"),
        "您的角色无权进行此操作"
    );
    let tech = t.token("tech", Uuid::now_v7()).await;
    t.post_auth(&format!("/api/devices/{tablet}/revoke"), &tech)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn revoking_a_device_kills_its_tokens_and_blocks_its_login() {
    let t = app().await;
    let tablet = Uuid::now_v7();
    let tok1 = t.token("consultant", tablet).await;
    let tok2 = t.token("tech", tablet).await; // a shared tablet
    let pc = Uuid::now_v7();
    let on_pc = t.token("consultant", pc).await;
    let mgr = t.token("gm", Uuid::now_v7()).await;

    let r = t
        .post_auth(&format!("/api/devices/{tablet}/revoke"), &mgr)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    for tok in [&tok1, &tok2] {
        t.get_auth("/api/me", tok)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let r = t.login("consultant", tablet, "").await;
    assert_eq!(
        r.assert_error(StatusCode::FORBIDDEN, "device_revoked"),
        "此设备已被管理员停用，无法登录"
    );
    // The same user on another device is fine.
    assert_eq!(t.get_auth("/api/me", &on_pc).await.status, StatusCode::OK);
    let list = t.get_auth("/api/devices", &mgr).await.json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == json!(tablet))
        .unwrap()
        .clone();
    assert_eq!(row["revoked"], true);

    // Unknown device, bad id.
    t.post_auth(&format!("/api/devices/{}/revoke", Uuid::now_v7()), &mgr)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    t.post_auth("/api/devices/not-a-uuid/revoke", &mgr)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_path");
}

#[tokio::test]
async fn a_manager_sees_and_revokes_only_devices_of_their_own_store() {
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
    let demo_tablet = Uuid::now_v7();
    t.token("consultant", demo_tablet).await;
    let r = t
        .login_from(1, "northgm", "other1234", Uuid::now_v7(), "北区PC", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["user"]["store_name"], "北区店");
    let north = r.json()["token"].as_str().unwrap().to_owned();
    let list = t.get_auth("/api/devices", &north).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    t.post_auth(&format!("/api/devices/{demo_tablet}/revoke"), &north)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // A demo device cannot be taken over by a user of another store.
    t.login_from(1, "northgm", "other1234", demo_tablet, "x", "en")
        .await
        .assert_error(StatusCode::CONFLICT, "device_in_other_store");
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let t = app_with(|s| s.token_ttl = chrono::Duration::seconds(-1)).await;
    let token = t.token("gm", Uuid::now_v7()).await;
    t.get_auth("/api/me", &token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn malformed_json_and_wrong_fields_answer_json_errors() {
    let t = app().await;
    let send_raw = |body: &'static str, ct: Option<&'static str>, lang: &'static str| {
        let mut b = Request::post("/api/auth/login").header(header::ACCEPT_LANGUAGE, lang);
        if let Some(ct) = ct {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        b.body(Body::from(body)).unwrap()
    };
    let r = t
        .send(send_raw(
            "{\"username\": ",
            Some("application/json"),
            "zh-CN",
        ))
        .await;
    let msg = r.assert_error(StatusCode::BAD_REQUEST, "malformed_json");
    assert!(msg.starts_with("请求内容不是有效的 JSON"), "{msg}");

    let r = t
        .send(send_raw(
            r#"{"username": "gm", "password": "demo1234"}"#,
            Some("application/json"),
            "en",
        ))
        .await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert!(msg.contains("device_id"), "{msg}");

    let r = t
        .send(send_raw(
            r#"{"username": "gm", "password": "demo1234", "device_id": "tablet-1"}"#,
            Some("application/json"),
            "en",
        ))
        .await;
    let msg = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    assert!(msg.contains("device_id"), "{msg}");

    let r = t.send(send_raw("{}", None, "en")).await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

#[tokio::test]
async fn unknown_api_routes_are_json_404_never_the_app() {
    let t = app().await;
    for path in [
        "/api/nope",
        "/api/",
        "/api",
        "/api/devices/x/y/z",
        "/api/sales/anything",
    ] {
        let r = t.get(path).await;
        let msg = r.assert_error(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(msg, "找不到请求的资源", "{path}");
        assert!(!r.text().contains("app shell"));
    }
    let r = t.get_with("/api/nope", &[("accept-language", "en")]).await;
    assert_eq!(
        r.assert_error(StatusCode::NOT_FOUND, "not_found"),
        "Not found"
    );
    let r = t.post_json("/api/health", &json!({}), &[]).await;
    r.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn spa_fallback_serves_index_html_for_app_routes() {
    let t = app().await;
    for path in ["/sales/anything", "/login", "/manage", "/", "/index.html"] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.text(), INDEX_HTML, "{path}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
    }
    // A missing hashed asset is a 404, not HTML cached for a year under a wasm name.
    let r = t.get("/app-fedcba9876543210_bg.wasm").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.header("cache-control").is_none());
}

#[tokio::test]
async fn cache_headers_and_content_types() {
    let t = app().await;
    let r = t.get(&format!("/{WASM_NAME}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    let r = t.get("/app-0123456789abcdef.js").await;
    assert_eq!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(r.header("content-type").unwrap().contains("javascript"));

    let r = t.get("/sw.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), Some("no-cache"));

    let r = t.get("/manifest.webmanifest").await;
    assert_eq!(r.header("content-type"), Some("application/manifest+json"));
    assert_ne!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn responses_are_brotli_compressed_when_asked() {
    let t = app().await;
    let r = t
        .get_with("/app-0123456789abcdef.js", &[("accept-encoding", "br")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("br"));
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &r.body[..], &mut plain).expect("valid brotli");
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        "export default function init() {}\n".repeat(200)
    );
    assert!(r.body.len() < 200);
    let r = t
        .get_with("/app-0123456789abcdef.js", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let r = t.get("/app-0123456789abcdef.js").await;
    assert_eq!(r.header("content-encoding"), None);
}

#[tokio::test]
async fn an_unbuilt_site_answers_503_with_a_hint() {
    let t = app().await;
    std::fs::remove_file(t.site.join("index.html")).unwrap();
    let r = t.get("/").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("cargo xtask build"), "{}", r.text());
    assert_eq!(r.text().trim_end().lines().count(), 1);
    // The API still works.
    assert_eq!(t.get("/api/health").await.status, StatusCode::OK);
}

/// Every route of the route tables in docs/api.md ("Routes") and docs/sync.md ("Sync API") is in
/// the OpenAPI document, every operation in the document is in those tables, and every one is
/// served (not the JSON 404 of unknown routes).
#[tokio::test]
async fn openapi_lists_every_route() {
    let t = app().await;
    let r = t.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();

    let read = |file: &str| {
        let path = format!("{}/../docs/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let (api, sync) = (read("api.md"), read("sync.md"));
    // The table of section "Routes" in docs/api.md and of section "Sync API" in docs/sync.md.
    let section = |file: &str, text: &str, name: &str| -> String {
        let found: Vec<&str> = text
            .split("\n## ")
            .filter(|s| s.starts_with(name))
            .collect();
        assert_eq!(found.len(), 1, "section {name:?} of docs/{file}");
        found[0].to_owned()
    };
    let sections = [
        section("api.md", &api, "Routes\n"),
        section("sync.md", &sync, "Sync API\n"),
    ];
    let mut contract = Vec::new();
    for line in sections.iter().flat_map(|s| s.lines()) {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some((route, _)) = rest.split_once('`') else {
            continue;
        };
        let Some((method, path)) = route.split_once(' ') else {
            continue;
        };
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if path.starts_with("/api/") {
            contract.push((method.to_lowercase(), path.to_owned()));
        }
    }
    assert!(contract.len() >= 12, "API tables not found: {contract:?}");
    for (method, path) in &contract {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is in docs/ but not in the OpenAPI document"
        );
    }

    let mut served = 0;
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            assert!(
                contract.contains(&(method.to_owned(), path.clone())),
                "{method} {path} is in the OpenAPI document but in no route table of docs/"
            );
            let uri = path.replace("{id}", &Uuid::now_v7().to_string());
            let req = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let r = t.send(req).await;
            let not_found = r.status == StatusCode::NOT_FOUND
                && serde_json::from_slice::<serde_json::Value>(&r.body)
                    .is_ok_and(|v| v["code"] == "not_found")
                && !path.contains('{');
            assert!(!not_found, "{method} {path} is documented but not routed");
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            served += 1;
        }
    }
    assert!(served >= contract.len());

    // Roles are documented with exactly the wire names of domain::Role.
    let roles: Vec<&str> = doc["components"]["schemas"]["Role"]["enum"]
        .as_array()
        .expect("Role schema")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let wire: Vec<&str> = domain::Role::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(roles, wire);
}
