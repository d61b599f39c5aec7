//! No token, ticket or password in any log line (issue 12, part 4). Alone in its test binary:
//! tracing caches per call site whether anyone listens, and a test that installs its own
//! subscriber next to tests running without one on other threads can miss events.

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use common::{TestApp, app};
use uuid::Uuid;

async fn ticket(t: &TestApp, token: &str) -> String {
    let r = t.post_auth("/api/sync/events/ticket", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["ticket"].as_str().expect("ticket").to_owned()
}

async fn events_status(t: &TestApp, uri: &str) -> StatusCode {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    tower::ServiceExt::oneshot(t.app.clone(), req)
        .await
        .unwrap()
        .status()
}

/// Everything the trace layer and the handlers write while a device logs in, asks for a ticket,
/// opens its event stream and also tries an old-style `?token=` URL.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_token_or_ticket_in_any_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let t = app().await;
    let token = t.token("consultant", Uuid::now_v7()).await;
    let tk = ticket(&t, &token).await;
    let uri = format!("/api/sync/events?ticket={tk}");
    assert_eq!(events_status(&t, &uri).await, StatusCode::OK);
    let old = format!("/api/sync/events?token={token}");
    assert_eq!(events_status(&t, &old).await, StatusCode::UNAUTHORIZED);
    t.get_auth("/api/me", &token).await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("/api/sync/events"),
        "the requests are logged:\n{log}"
    );
    assert!(!log.contains(&token), "the token is in the log:\n{log}");
    assert!(!log.contains(&tk), "the ticket is in the log:\n{log}");
    assert!(
        !log.contains("demo1234"),
        "a password is in the log:\n{log}"
    );
}
