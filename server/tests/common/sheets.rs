//! Sheets for the import tests: a logged-in user, the demo store with a catalogue, multipart
//! uploads, the store's records as pulled.

use std::collections::HashMap;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use domain::records::{A_CARD, SALES_SETTINGS};
use domain::sales::a_card::CatalogueModel;
use domain::sync::{Edit, Hlc, Op, RecordState, new_id};
use forecourt_server::import::model_element;
use serde_json::{Value, json};
use uuid::Uuid;

use super::ops::Dev;
use super::{Resp, TestApp, app};

const BOUNDARY: &str = "forecourt-test-boundary-7d1f";

/// A logged-in tablet: the handler tests' one login ([`Dev`]).
pub use super::ops::Dev as Login;

/// `username` logged in on a new tablet.
pub async fn login(t: &TestApp, username: &str) -> Login {
    Dev::login(t, username).await
}

pub fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis() as u64
}

/// Pushes one op of `who` through the sync API.
pub async fn push(
    t: &TestApp,
    who: &Login,
    rt: &'static domain::sync::RecordType,
    changes: impl FnOnce(&Edit<'_>) -> Vec<domain::sync::Change>,
) {
    let record_id = new_id(now_ms(), rand10());
    let state = RecordState::new(record_id, rt.name, "demo");
    let op = Op {
        op_id: new_id(now_ms(), rand10()),
        device_id: who.device,
        user_id: who.user_id.clone(),
        store_id: "demo".into(),
        record_id,
        record_type: rt.name.into(),
        hlc: Hlc::new(now_ms(), 0),
        changes: changes(&Edit::new(&state, rt)),
    };
    post_op(t, who, &op).await;
}

/// Sends one op of `who` to the push endpoint and expects it accepted.
pub async fn post_op(t: &TestApp, who: &Login, op: &Op) {
    let r = t
        .post_json(
            "/api/sync/push",
            &json!({"ops": [op]}),
            &[("authorization", &format!("Bearer {}", who.token))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

pub fn rand10() -> [u8; 10] {
    let b = Uuid::now_v7().into_bytes();
    b[6..].try_into().unwrap()
}

/// The demo store with a catalogue (one model off sale) and one A-card with 139 0000 1111.
pub async fn store_with_catalogue() -> (TestApp, Login) {
    let t = app().await;
    let mgr = login(&t, "salesmgr").await;
    let models = [
        ("corolla", "卡罗拉", "Corolla", true),
        ("camry", "凯美瑞", "Camry", true),
        ("rav4", "RAV4荣放", "RAV4", true),
        ("highlander", "汉兰达", "Highlander", true),
        ("levin", "雷凌", "Levin", true),
        ("yaris", "致炫", "Yaris L", false),
    ];
    let settings_id = new_id(now_ms(), rand10());
    let mut state = RecordState::new(settings_id, "sales_settings", "demo");
    for (code, zh, en, on_sale) in models {
        let elem = model_element(&CatalogueModel {
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            on_sale,
        });
        let op = Op {
            op_id: new_id(now_ms(), rand10()),
            device_id: mgr.device,
            user_id: mgr.user_id.clone(),
            store_id: "demo".into(),
            record_id: settings_id,
            record_type: "sales_settings".into(),
            hlc: Hlc::new(now_ms(), 0),
            changes: vec![
                Edit::new(&state, &SALES_SETTINGS)
                    .set_add("models", &elem)
                    .unwrap(),
            ],
        };
        domain::sync::apply(&mut state, &op, &SALES_SETTINGS).unwrap();
        post_op(&t, &mgr, &op).await;
    }
    let consultant = login(&t, "consultant").await;
    push(&t, &consultant, &A_CARD, |e| {
        vec![
            e.set("name", json!("张伟民")).unwrap(),
            e.set("phone", json!("13900001111")).unwrap(),
            e.set("intended_model", json!("camry")).unwrap(),
        ]
    })
    .await;
    (t, mgr)
}

pub fn multipart(file_name: &str, file: &[u8], mapping: Option<&Value>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n");
    if let Some(m) = mapping {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n{m}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn upload(
    t: &TestApp,
    path: &str,
    token: &str,
    lang: &str,
    file_name: &str,
    file: &[u8],
    mapping: Option<&Value>,
) -> Resp {
    let req = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::from(multipart(file_name, file, mapping)))
        .unwrap();
    t.send(req).await
}

/// A multipart form with the file and the other text parts.
pub fn form(file_name: &str, file: &[u8], parts: &[(&str, String)]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n");
    for (name, value) in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a file with text parts (`mapping`, `header_row`, `people`).
pub async fn send_sheet(
    t: &TestApp,
    path: &str,
    token: &str,
    lang: &str,
    file_name: &str,
    file: &[u8],
    parts: &[(&str, String)],
) -> Resp {
    let req = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::from(form(file_name, file, parts)))
        .unwrap();
    t.send(req).await
}

/// Every record of `record_type` the user's devices would hold, built from the pulled ops.
pub async fn records(t: &TestApp, token: &str, record_type: &str) -> Vec<RecordState> {
    let registry = domain::records::registry();
    let rt = registry.get(record_type).expect("a record type");
    let mut by_id: HashMap<Uuid, RecordState> = HashMap::new();
    let mut order = Vec::new();
    let mut after = 0u64;
    loop {
        let r = t
            .get_auth(&format!("/api/sync/pull?after={after}&limit=1000"), token)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        for pulled in v["ops"].as_array().unwrap() {
            let op: Op = serde_json::from_value(pulled["op"].clone()).unwrap();
            if op.record_type != record_type {
                continue;
            }
            let state = by_id.entry(op.record_id).or_insert_with(|| {
                order.push(op.record_id);
                RecordState::for_op(&op)
            });
            domain::sync::apply(state, &op, rt).unwrap();
        }
        after = v["last_seq"].as_u64().unwrap();
        if !v["more"].as_bool().unwrap() {
            break;
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .collect()
}

/// A field's text.
pub fn text<'a>(s: &'a RecordState, f: &str) -> Option<&'a str> {
    s.value(f).and_then(Value::as_str)
}

/// An import's rows as `(row, outcome, [error codes], [warning codes])`.
pub fn outcomes(v: &Value) -> Vec<(u64, String, Vec<String>, Vec<String>)> {
    let codes = |a: &Value| -> Vec<String> {
        a.as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_owned())
            .collect()
    };
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["outcome"].as_str().unwrap().to_owned(),
                codes(&r["errors"]),
                codes(&r["warnings"]),
            )
        })
        .collect()
}

/// `(row, outcome, errors, warnings)` as the tests write them.
pub fn row(
    n: u64,
    outcome: &str,
    errors: &[&str],
    warnings: &[&str],
) -> (u64, String, Vec<String>, Vec<String>) {
    let v = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect();
    (n, outcome.to_owned(), v(errors), v(warnings))
}

/// The user id of `username` (a login).
pub async fn user_id(t: &TestApp, username: &str) -> String {
    login(t, username).await.user_id
}
