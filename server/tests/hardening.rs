//! Issue 12, part 4: login throttling by username and device, event tickets and logs without
//! tokens, security headers, token idle expiry and `last_used_at`, log out everywhere,
//! `/metrics`.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use chrono::{Duration, Utc};
use common::{TestApp, app, app_with};
use forecourt_server::{auth::hash_token, store::Store};
use uuid::Uuid;

/// A shared tablet behind a shared address: one user's six wrong passwords lock that user
/// (429 with Retry-After), not the next user on the same tablet and address.
#[tokio::test]
async fn one_users_failures_do_not_lock_out_the_showroom() {
    let t = app().await;
    let tablet = Uuid::now_v7();
    for i in 0..6 {
        let r = t
            .login_from(9, "consultant", "wrong", tablet, "展厅平板", "zh-CN")
            .await;
        if i < 5 {
            r.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
        } else {
            r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
        }
    }
    let r = t
        .login_from(9, "consultant", "demo1234", tablet, "展厅平板", "en")
        .await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((890..=900).contains(&retry), "Retry-After {retry}");

    let r = t
        .login_from(9, "salesmgr", "demo1234", tablet, "展厅平板", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = t
        .login_from(9, "cs", "demo1234", Uuid::now_v7(), "前台", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// One device guessing many usernames is stopped by the device limit (20), while another
/// device on the same address still logs in.
#[tokio::test]
async fn a_device_guessing_many_accounts_is_locked() {
    let t = app_with(|s| s.login_limits.per_device = 3).await;
    let bad = Uuid::now_v7();
    for name in ["a1", "a2", "a3"] {
        t.login_from(4, name, "x", bad, "PC", "zh-CN")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
    }
    t.login_from(4, "gm", "demo1234", bad, "PC", "zh-CN")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let r = t
        .login_from(4, "gm", "demo1234", Uuid::now_v7(), "PC", "zh-CN")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

async fn ticket(t: &TestApp, token: &str) -> String {
    let r = t.post_auth("/api/sync/events/ticket", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["ticket"].as_str().expect("ticket").to_owned()
}

/// Opens the event stream and returns its status (the body is dropped).
async fn events_status(t: &TestApp, uri: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut b = Request::get(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let resp = tower::ServiceExt::oneshot(t.app.clone(), b.body(Body::empty()).unwrap())
        .await
        .unwrap();
    resp.status()
}

#[tokio::test]
async fn an_event_ticket_works_once() {
    let t = app().await;
    let token = t.token("consultant", Uuid::now_v7()).await;
    let tk = ticket(&t, &token).await;
    let uri = format!("/api/sync/events?ticket={tk}");
    assert_eq!(events_status(&t, &uri, &[]).await, StatusCode::OK);
    assert_eq!(events_status(&t, &uri, &[]).await, StatusCode::UNAUTHORIZED);
    // The header works too (for clients that can send one).
    let auth = format!("Bearer {token}");
    assert_eq!(
        events_status(&t, "/api/sync/events", &[("authorization", &auth)]).await,
        StatusCode::OK
    );
    // A ticket asked for by a token that was logged out since does not open a stream.
    let tk = ticket(&t, &token).await;
    assert_eq!(
        t.post_auth("/api/auth/logout", &token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        events_status(&t, &format!("/api/sync/events?ticket={tk}"), &[]).await,
        StatusCode::UNAUTHORIZED
    );
    // No ticket without a token.
    t.post_auth("/api/sync/events/ticket", "nope")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn an_event_ticket_expires() {
    let t = app_with(|s| s.event_ticket_ttl = std::time::Duration::from_millis(50)).await;
    let token = t.token("consultant", Uuid::now_v7()).await;
    let tk = ticket(&t, &token).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        events_status(&t, &format!("/api/sync/events?ticket={tk}"), &[]).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let t = app().await;
    let script = "import init from '/app-0123456789abcdef.js'; init({ module_or_path: '/app-0123456789abcdef_bg.wasm' });";
    std::fs::write(
        t.site.join("index.html"),
        format!("<!doctype html><html><head><script type=\"module\">{script}</script></head><body></body></html>"),
    )
    .unwrap();
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script))
    };
    let token = t.token("gm", Uuid::now_v7()).await;
    for r in [
        t.get("/").await,
        t.get("/sales/a-cards").await,
        t.get("/app-0123456789abcdef.js").await,
        t.get("/api/health").await,
        t.get("/api/nope").await,
        t.get_auth("/api/me", &token).await,
        t.get("/api/me").await,
    ] {
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        let csp = r.header("content-security-policy").expect("a CSP");
        for part in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(part), "{part} not in {csp}");
        }
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        assert!(
            !csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'")
        );
    }
}

#[tokio::test]
async fn an_idle_token_stops_working() {
    let t = app_with(|s| s.token_idle = Duration::zero()).await;
    let token = t.token("gm", Uuid::now_v7()).await;
    t.get_auth("/api/me", &token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // And it is gone from the store.
    assert!(
        t.store
            .get_session(hash_token(&token))
            .await
            .unwrap()
            .is_none()
    );
}

/// `last_used_at` is written at most once a minute; a token used within 12 h keeps working.
#[tokio::test]
async fn last_used_is_written_at_most_once_a_minute() {
    let t = app().await;
    let token = t.token("gm", Uuid::now_v7()).await;
    let hash = hash_token(&token);
    let fresh = t.store.get_session(hash).await.unwrap().unwrap();
    assert_eq!(fresh.last_used_at, None);
    assert_eq!(fresh.expires_at - fresh.created_at, Duration::days(30));
    assert_eq!(t.get_auth("/api/me", &token).await.status, StatusCode::OK);
    assert_eq!(
        t.store.get_session(hash).await.unwrap().unwrap(),
        fresh,
        "used within a minute of the login: not written"
    );

    // Last used 11 h ago: still good, and marked used now.
    let then = Utc::now() - Duration::hours(11);
    assert!(t.store.touch_session(hash, then).await.unwrap());
    assert_eq!(t.get_auth("/api/me", &token).await.status, StatusCode::OK);
    let touched = t.store.get_session(hash).await.unwrap().unwrap();
    let at = touched.last_used_at.expect("marked used");
    assert!(Utc::now() - at < Duration::seconds(10), "{at}");
    // Used again at once: not written again.
    assert_eq!(t.get_auth("/api/me", &token).await.status, StatusCode::OK);
    assert_eq!(t.store.get_session(hash).await.unwrap().unwrap(), touched);

    // Last used 12 h ago: refused.
    let stale = Utc::now() - Duration::hours(12);
    assert!(t.store.touch_session(hash, stale).await.unwrap());
    t.get_auth("/api/me", &token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn log_out_everywhere() {
    let t = app().await;
    let a = t.token("consultant", Uuid::now_v7()).await;
    let b = t.token("consultant", Uuid::now_v7()).await;
    let other = t.token("salesmgr", Uuid::now_v7()).await;
    let r = t.post_auth("/api/auth/logout-all", &a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["revoked"], 2);
    for token in [&a, &b] {
        t.get_auth("/api/me", token)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_eq!(t.get_auth("/api/me", &other).await.status, StatusCode::OK);
    t.post_auth("/api/auth/logout-all", &a)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn get_from(t: &TestApp, path: &str, ip: [u8; 4], headers: &[(&str, &str)]) -> common::Resp {
    let mut b = Request::get(path).extension(axum::extract::ConnectInfo(
        std::net::SocketAddr::from((ip, 5000)),
    ));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    t.send(b.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn metrics_for_loopback_and_managers() {
    let t = app().await;
    let d = Uuid::now_v7();
    t.login_from(3, "consultant", "wrong", d, "PC", "zh-CN")
        .await;
    let consultant = t.token("consultant", d).await;
    let manager = t.token("salesmgr", Uuid::now_v7()).await;

    let r = get_from(&t, "/metrics", [127, 0, 0, 1], &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text();
    for line in [
        "forecourt_logins_total 2",
        "forecourt_login_failures_total 1",
        "forecourt_pushes_total 0",
        "forecourt_event_streams 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
    let size: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("forecourt_store_size_bytes "))
        .expect("store size")
        .parse()
        .unwrap();
    assert!(size > 0);

    // From elsewhere: a manager's token, not a consultant's, not none.
    get_from(&t, "/api/metrics", [10, 0, 0, 2], &[])
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let bearer = format!("Bearer {consultant}");
    get_from(
        &t,
        "/api/metrics",
        [10, 0, 0, 2],
        &[("authorization", &bearer)],
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let bearer = format!("Bearer {manager}");
    let r = get_from(
        &t,
        "/api/metrics",
        [10, 0, 0, 2],
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // Through a proxy on the same host: not loopback.
    get_from(
        &t,
        "/metrics",
        [127, 0, 0, 1],
        &[("x-forwarded-for", "203.0.113.9")],
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}
