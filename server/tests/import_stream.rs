//! The import read as a stream (`/api/import/a_cards`): a file of 100,000 rows is counted and
//! previewed, one more row is refused before anything is written, and an import stopped
//! part-way (its request dropped, as a cut network or a restart does) is resumed by sending the
//! file again, which writes the rest once. Through the router with `oneshot`.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;
use tower::ServiceExt;

use common::sheets::{form, records, send_sheet, store_with_catalogue};

const HEADER: &str = "客户姓名,手机号码,意向车型\n";

/// A sheet of `n` customers with different phones.
fn sheet(n: usize) -> String {
    let surnames: Vec<char> = "王李张刘陈杨黄赵吴周".chars().collect();
    let given: Vec<char> = "伟芳娜敏静丽强磊军洋".chars().collect();
    let mut csv = String::with_capacity(n * 32 + HEADER.len());
    csv.push_str(HEADER);
    for i in 0..n {
        let name = format!("{}{}", surnames[i % 10], given[(i / 10) % 10]);
        csv.push_str(&format!("{name},137{i:08},卡罗拉\n"));
    }
    csv
}

fn mapping() -> String {
    json!({"name": "客户姓名", "phone": "手机号码", "intended_model": "意向车型"}).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_of_100000_rows_is_read_and_one_more_is_refused_before_anything_is_written() {
    let (t, mgr) = store_with_catalogue().await;
    let file = sheet(100_000);
    let r = send_sheet(
        &t,
        "/api/import/a_cards/preview",
        &mgr.token,
        "zh-CN",
        "a.csv",
        file.as_bytes(),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["total_rows"], 100_000);
    assert_eq!(
        v["sample_rows"][4],
        json!(["陈伟", "13700000004", "卡罗拉"])
    );

    let mut over = file;
    over.push_str("王伟,13800000000,卡罗拉\n");
    let r = send_sheet(
        &t,
        "/api/import/a_cards",
        &mgr.token,
        "zh-CN",
        "a.csv",
        over.as_bytes(),
        &[("mapping", mapping())],
    )
    .await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "import_too_many_rows");
    // The store's one card: nothing of the file was written.
    assert_eq!(records(&t, &mgr.token, "a_card").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_stopped_part_way_is_resumed_without_double_records() {
    let (t, mgr) = store_with_catalogue().await;
    // Enough rows that the writing takes a while (10 batches).
    let n = 5_000;
    let text = sheet(n);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = gbk.into_owned();
    let body = form("a.csv", &file, &[("mapping", mapping())]);
    let req = Request::post("/api/import/a_cards")
        .header(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=forecourt-test-boundary-7d1f",
        )
        .header(header::AUTHORIZATION, format!("Bearer {}", mgr.token))
        .body(Body::from(body))
        .unwrap();
    let running = tokio::spawn(t.app.clone().oneshot(req));
    // Stopped once its first batch is written (the client gone: the request's future dropped).
    let mut seen = None;
    for _ in 0..100_000 {
        let p = t.get_auth("/api/import/progress", &mgr.token).await.json();
        if running.is_finished() {
            break;
        }
        if p["stage"] == "writing" && p["done"].as_u64().unwrap_or(0) > 0 {
            seen = Some(p);
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    running.abort();
    let seen = seen.expect("the import reached its first batch");
    assert_eq!(seen["total"], n);
    // The file again at once (a push of the stopped import may still be committing): the rows
    // written are found, the rest written once.
    let r = send_sheet(
        &t,
        "/api/import/a_cards",
        &mgr.token,
        "zh-CN",
        "a.csv",
        &file,
        &[("mapping", mapping())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let written = v["existing"].as_u64().unwrap() as usize;
    assert!(
        written >= 500 && written < n,
        "{written} rows written before the stop"
    );
    assert_eq!(
        (v["imported"].as_u64(), v["refused"].as_u64()),
        (Some((n - written) as u64), Some(0)),
        "{}",
        v["rows"][0]
    );
    let cards = records(&t, &mgr.token, "a_card").await;
    assert_eq!(cards.len(), n + 1);
    let phones: HashSet<&str> = cards
        .iter()
        .filter_map(|c| c.value("phone").and_then(|p| p.as_str()))
        .collect();
    assert_eq!(phones.len(), n + 1);
    let p = t.get_auth("/api/import/progress", &mgr.token).await.json();
    assert_eq!(p, json!({"stage": "done", "done": n, "total": n}));
}
