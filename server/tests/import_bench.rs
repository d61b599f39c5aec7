//! The import of 50,000 customer rows (ignored by default; build it optimised):
//!
//! ```text
//! cargo test --release -p forecourt-server --test import_bench -- --ignored --nocapture
//! ```
//!
//! A store's A-card sheet of `FORECOURT_BENCH_ROWS` rows (default 50,000: a title row, phones
//! with spaces, the store's words for sources, text dates, consultants by name, a GBK CSV)
//! through the router in-process: the preview, the import (checks and pushes of 500), then the
//! same file again (what a resend after a cut does: every row found, nothing written). Prints a
//! Markdown table row per step, with the process's peak resident memory during the step (Linux:
//! the peak is reset through `/proc/self/clear_refs` before the step and read from `VmHWM` in
//! `/proc/self/status` after it; the test's own copy of the file and the store's cache are in
//! it).

mod common;

use std::time::Instant;

use axum::http::StatusCode;
use serde_json::json;

use common::sheets::{records, send_sheet, store_with_catalogue};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run by hand with --ignored --release"]
async fn import_50k_customer_rows() {
    let n: usize = std::env::var("FORECOURT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let (t, mgr) = store_with_catalogue().await;
    let sources = [
        "电话咨询",
        "车展",
        "朋友介绍",
        "汽车之家",
        "自然到店",
        "懂车帝",
    ];
    let models = ["卡罗拉", "凯美瑞", "RAV4", "汉兰达", "雷凌"];
    let people = ["王芳", "赵磊", "钱丽", "孙浩"];
    let surnames: Vec<char> = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗".chars().collect();
    let given: Vec<char> = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文博晓海"
        .chars()
        .collect();
    let name = |i: usize| {
        format!(
            "{}{}{}",
            surnames[i % surnames.len()],
            given[(i / surnames.len()) % given.len()],
            given[(i / surnames.len() / given.len()) % given.len()]
        )
    };
    let mut csv = String::from(
        "XX丰田4S店 意向客户(A卡)登记表,,,,,,,\n序号,客户姓名,手机号码,意向车型,级别,客户来源,销售顾问,首次来店日期\n",
    );
    for i in 0..n {
        csv.push_str(&format!(
            "{},{},137 {:04} {:04},{},{},{},{},2025/{}/{}\n",
            i + 1,
            name(i),
            i / 10_000,
            i % 10_000,
            models[i % models.len()],
            ["h", "A", "b", "C"][i % 4],
            sources[i % sources.len()],
            people[i % people.len()],
            1 + i % 12,
            1 + i % 28,
        ));
    }
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let file = gbk.into_owned();
    let mapping = json!({
        "name": "客户姓名",
        "phone": "手机号码",
        "intended_model": "意向车型",
        "grade": "级别",
        "source": "客户来源",
        "consultant": "销售顾问",
        "first_contact_at": "首次来店日期"
    })
    .to_string();
    println!("| step | rows | time | rows/s | peak memory (VmHWM) | before (VmRSS) |");
    println!("|---|---|---|---|---|---|");
    let mut rss_before: u64;
    let report = |step: &str, secs: f64, rss_before: u64| {
        println!(
            "| {step} | {n} | {secs:.2} s | {:.0} | {:.1} MB | {:.1} MB |",
            n as f64 / secs.max(1e-9),
            status_kb("VmHWM") as f64 / 1024.0,
            rss_before as f64 / 1024.0,
        );
    };

    rss_before = reset_peak();
    let start = Instant::now();
    let r = send_sheet(
        &t,
        "/api/import/a_cards/preview",
        &mgr.token,
        "zh-CN",
        "a.csv",
        &file,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["total_rows"], n);
    report(
        &format!("preview ({} KB GBK CSV)", file.len() / 1024),
        start.elapsed().as_secs_f64(),
        rss_before,
    );

    let parts = [("mapping", mapping.clone())];
    rss_before = reset_peak();
    let start = Instant::now();
    let r = send_sheet(
        &t,
        "/api/import/a_cards",
        &mgr.token,
        "zh-CN",
        "a.csv",
        &file,
        &parts,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["imported"], n, "{}", v["rows"][0]);
    report("import (new)", start.elapsed().as_secs_f64(), rss_before);
    // The answer lists every row with a note (here: the consultants who are not users).
    let reported = v["rows"].as_array().map_or(0, Vec::len);
    let answer_kb = r.body.len() / 1024;

    rss_before = reset_peak();
    let start = Instant::now();
    let r = send_sheet(
        &t,
        "/api/import/a_cards",
        &mgr.token,
        "zh-CN",
        "a.csv",
        &file,
        &parts,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(
        (v["imported"].as_u64(), v["existing"].as_u64()),
        (Some(0), Some(n as u64))
    );
    report(
        "the same file again (all found)",
        start.elapsed().as_secs_f64(),
        rss_before,
    );

    println!(
        "\nThe import's answer: {reported} rows reported, {answer_kb} KB of JSON (parsed by the test)."
    );
    if n <= 20_000 {
        assert_eq!(records(&t, &mgr.token, "a_card").await.len(), n + 1);
    }
}

/// A field of `/proc/self/status` in kB (0 where there is none).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak resident memory to the current one (`5` to `/proc/self/clear_refs`) and
/// returns the current one in kB.
fn reset_peak() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kb("VmRSS")
}
