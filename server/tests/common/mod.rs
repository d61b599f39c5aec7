//! Shared helpers for the handler tests: an app on a redb file in a temp dir, driven through
//! `tower::ServiceExt::oneshot` with no socket.
#![allow(dead_code)]

pub mod demo_store;
pub mod ops;
pub mod sheets;

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::ConnectInfo,
    http::{HeaderMap, Request, StatusCode, header},
};
use forecourt_server::{
    AppState, Settings,
    auth::PasswordCost,
    demo, router,
    store::{RedbStore, Store},
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

pub const INDEX_HTML: &str = "<!doctype html><html><body>forecourt app shell</body></html>";
pub const WASM_NAME: &str = "app-0123456789abcdef_bg.wasm";

pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    pub store: RedbStore,
    pub site: PathBuf,
    pub dir: TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {:?} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// Asserts an API error: status, JSON content type and code.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "content-type {:?}",
            self.header("content-type")
        );
        let v = self.json();
        assert_eq!(v["code"], code, "{v}");
        let msg = v["message"].as_str().expect("message").to_owned();
        assert!(!msg.is_empty());
        msg
    }
}

pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// An app with the demo store (cheap argon2 params) and a small built site.
pub async fn app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    app_seeded(tweak, true).await
}

/// An app on an empty data directory without the demo store (`--no-demo`).
pub async fn app_without_demo() -> TestApp {
    app_seeded(|_| {}, false).await
}

async fn app_seeded(tweak: impl FnOnce(&mut Settings), seed_demo: bool) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(
        site.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(site.join(WASM_NAME), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(
        site.join("app-0123456789abcdef.js"),
        "export default function init() {}\n".repeat(200),
    )
    .unwrap();
    std::fs::write(site.join("manifest.webmanifest"), r#"{"name":"forecourt"}"#).unwrap();

    let store = RedbStore::open(dir.path().join("forecourt.redb")).expect("open store");
    let mut settings = Settings::new(&site);
    settings.password_cost = PasswordCost::Fast;
    tweak(&mut settings);
    if seed_demo {
        assert!(
            demo::seed_if_empty(&store, PasswordCost::Fast)
                .await
                .expect("demo")
        );
    }
    let dyn_store: Arc<dyn Store> = Arc::new(store.clone());
    let state = AppState::new(dyn_store, settings);
    TestApp {
        app: router(state.clone()),
        state,
        store,
        site,
        dir,
    }
}

pub fn client_ip(n: u8) -> ConnectInfo<SocketAddr> {
    ConnectInfo(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, n)),
        40000,
    ))
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut b = Request::get(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Resp {
        let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// A login from `ip` (10.0.0.<ip>).
    pub async fn login_from(
        &self,
        ip: u8,
        username: &str,
        password: &str,
        device: Uuid,
        device_name: &str,
        lang: &str,
    ) -> Resp {
        let body = json!({
            "username": username,
            "password": password,
            "device_id": device,
            "device_name": device_name,
        });
        let req = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT_LANGUAGE, lang)
            .extension(client_ip(ip))
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn login(&self, username: &str, device: Uuid, device_name: &str) -> Resp {
        self.login_from(1, username, "demo1234", device, device_name, "zh-CN")
            .await
    }

    /// Logs in with the demo password on a new device; returns the token.
    pub async fn token(&self, username: &str, device: Uuid) -> String {
        let r = self.login(username, device, "测试平板").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["token"].as_str().expect("token").to_owned()
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Resp {
        self.get_with(path, &[("authorization", &format!("Bearer {token}"))])
            .await
    }

    pub async fn post_auth(&self, path: &str, token: &str) -> Resp {
        self.send(
            Request::post(path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }
}
