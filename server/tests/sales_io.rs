//! The .xlsx export (`/api/export/xlsx`), through the router with `oneshot`. The imports are
//! in `import_*.rs`.

mod common;

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use common::app;
use common::sheets::login;

fn cell(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Null,
        Data::String(s) => json!(s),
        Data::Float(f) => json!(f),
        Data::Int(i) => json!(i),
        other => panic!("unexpected cell {other:?}"),
    }
}

#[tokio::test]
async fn export_round_trips_through_calamine() {
    let t = app().await;
    let consultant = login(&t, "consultant").await;
    let body = json!({
        "title": "A卡列表 2026/11",
        "columns": ["姓名", "手机号码", "意向车型", "级别", "预算(万)"],
        "rows": [
            ["王建华", "13812345678", "卡罗拉", "H", 12.5],
            ["Li Ming", "020-87654321", null, "C", 30],
            ["欧阳文博", "", "RAV4荣放", null, null]
        ]
    });
    let auth = format!("Bearer {}", consultant.token);
    let r = t
        .post_json("/api/export/xlsx", &body, &[("authorization", &auth)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = r.header("content-disposition").unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''A%E5%8D%A1%E5%88%97%E8%A1%A8%202026_11.xlsx"),
        "{disposition}"
    );

    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.body.to_vec())).unwrap();
    assert_eq!(book.sheet_names(), ["A卡列表 2026_11"]);
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let got: Vec<Vec<Value>> = range
        .rows()
        .map(|row| row.iter().map(cell).collect())
        .collect();
    let mut want = vec![body["columns"].as_array().unwrap().clone()];
    for row in body["rows"].as_array().unwrap() {
        let row: Vec<Value> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| match c {
                Value::Number(n) => json!(n.as_f64().unwrap()),
                Value::String(s) if s.is_empty() => Value::Null,
                other => other.clone(),
            })
            .collect();
        want.push(row);
    }
    assert_eq!(got, want);
}

#[tokio::test]
async fn export_limits_and_errors() {
    let t = app().await;
    let consultant = login(&t, "consultant").await;
    let auth = format!("Bearer {}", consultant.token);
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["a"], "rows": []}),
            &[],
        )
        .await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let rows: Vec<Value> = (0..50_001).map(|i| json!([i])).collect();
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["n"], "rows": rows}),
            &[("authorization", &auth), ("accept-language", "en")],
        )
        .await;
    let msg = r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "export_too_many_rows");
    assert!(msg.contains("50000"), "{msg}");
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["a"], "rows": [["1", "2"]]}),
            &[("authorization", &auth)],
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "export_row_too_wide");
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"title": "x", "columns": ["a"], "rows": [[{"x": 1}]]}),
            &[("authorization", &auth)],
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "export_cell_invalid");
    let r = t
        .post_json(
            "/api/export/xlsx",
            &json!({"columns": ["a"], "rows": []}),
            &[("authorization", &auth)],
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}
