//! 经营指标 (/manage/kpi): the GM opens the page on the demo store, enters this month's fixed
//! operating costs and sees 吸收率 computed from them, sees last month's figures (the demo's
//! costs), opens a figure's drill-down and finds the records it counts, and exports the month
//! as .xlsx.

use e2e::{Browser, Lang, Server, temp_dir};
use serde_json::json;

/// The value a row of a store table shows in a column (`gm-kpi-this` / `gm-kpi-last`), empty
/// when the row is not there.
async fn store_figure(browser: &Browser, table: &str, kpi: &str, column: &str) -> String {
    browser
        .eval(
            "const [table, name, column] = arguments;
             const row = [...document.querySelectorAll('.' + table + ' tbody tr')]
                 .find(r => r.querySelector('th').textContent.trim() === name);
             const cell = row && row.querySelector('td.' + column + ' .kpi-value');
             return cell ? cell.textContent.trim() : '';",
            vec![json!(table), json!(kpi), json!(column)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gm_enters_the_months_costs_and_reads_every_kpi() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let b = Browser::new().await;
    b.open(&server, "/").await;
    b.log_in_demo(Lang::Zh, "gm", "孙建国", "总经理的平板")
        .await;
    b.wait_for_role("status", "已同步").await;

    b.click_link("管理").await;
    b.wait_for_path("/manage").await;
    b.click_link("经营指标").await;
    b.wait_for_path("/manage/kpi").await;
    b.wait_for_role("heading", "经营指标").await;
    b.wait_for_role("heading", "销售指标").await;
    b.wait_for_role("heading", "售后指标").await;

    // Every sales KPI and every service KPI has a row; last month's are counted from the demo.
    for kpi in ["建卡率", "A卡成交率", "销售效率", "大客户掌握率"] {
        let last = b
            .wait_until(&format!("last month's {kpi}"), async || {
                let f = store_figure(&b, "gm-kpi-sales", kpi, "gm-kpi-last").await;
                (!f.is_empty()).then_some(f)
            })
            .await;
        assert!(!last.contains("NaN"), "{kpi} shows {last}");
    }
    for kpi in [
        "预约率",
        "一次性修复率",
        "零件供应率",
        "工单供应率",
        "零件/工时销售比",
        "交车时间准确率",
        "服务有偿整备掌握度",
        "固定客户率",
        "活跃客户率",
        "技师效率",
        "服务顾问负荷",
        "吸收率",
    ] {
        let last = b
            .wait_until(&format!("last month's {kpi} counted"), async || {
                let f = store_figure(&b, "gm-kpi-service", kpi, "gm-kpi-last").await;
                (!f.is_empty() && f != "—").then_some(f)
            })
            .await;
        assert!(!last.contains("NaN"), "{kpi} shows {last}");
    }

    // This month has no costs yet: 吸收率 is "—"; the GM enters them and it is computed.
    assert_eq!(
        store_figure(&b, "gm-kpi-service", "吸收率", "gm-kpi-this").await,
        "—"
    );
    b.wait_for_text("本月固定运营费用尚未录入").await;
    b.fill("固定运营费用(元)", "20000").await;
    b.click_button("保存费用").await;
    let absorption = b
        .wait_until("吸收率 computed from the costs entered", async || {
            let f = store_figure(&b, "gm-kpi-service", "吸收率", "gm-kpi-this").await;
            f.ends_with('%').then_some(f)
        })
        .await;
    let value: f64 = absorption
        .trim_end_matches('%')
        .parse()
        .expect("a percentage");
    assert!(value >= 0.0, "吸收率 {absorption}");
    b.wait_for_text("¥20,000.00").await;

    // Last month's 预约率 opens the repair orders it counts.
    b.eval(
        "const row = [...document.querySelectorAll('.gm-kpi-service tbody tr')]
             .find(r => r.querySelector('th').textContent.trim() === '预约率');
         row.querySelector('td.gm-kpi-last button').click();",
        vec![],
    )
    .await;
    b.wait_for_role("region", "预约率 · ").await;
    b.wait_for_text("分子:计入的记录").await;
    let counted = b
        .wait_until("the counted repair orders", async || {
            let v = b
                .eval(
                    "const lists = document.querySelectorAll('.kpi-drill .kpi-records');
                     if (lists.length !== 2) return null;
                     const items = [...lists[0].querySelectorAll('li')].map(li => li.textContent.trim());
                     return items.length && items.every(t => t.startsWith('工单')) ? items : null;",
                    vec![],
                )
                .await;
            serde_json::from_value::<Vec<String>>(v).ok()
        })
        .await;
    assert!(!counted.is_empty());

    // The month as .xlsx: the workbook the server writes holds the figures.
    b.eval(
        "window.__exports = [];
         const orig = window.fetch.bind(window);
         window.fetch = async (input, init) => {
             const url = typeof input === 'string' ? input : input.url;
             const copy = input instanceof Request ? input.clone() : null;
             const r = await orig(input, init);
             if (url.includes('/api/export/xlsx')) {
                 const body = copy ? await copy.text() : String(init && init.body);
                 const buf = await r.clone().arrayBuffer();
                 window.__exports.push({status: r.status, type: r.headers.get('content-type') || '',
                     size: buf.byteLength, body});
             }
             return r;
         };",
        vec![],
    )
    .await;
    b.click_button("导出Excel").await;
    let export = b
        .wait_until("the export's answer", async || {
            let v = b
                .eval("return (window.__exports || [])[0] || null;", vec![])
                .await;
            (!v.is_null()).then_some(v)
        })
        .await;
    assert_eq!(export["status"], json!(200), "{export}");
    assert!(
        export["type"]
            .as_str()
            .unwrap_or_default()
            .contains("spreadsheetml"),
        "{export}"
    );
    assert!(export["size"].as_u64().unwrap_or(0) > 1000, "{export}");
    let body: serde_json::Value =
        serde_json::from_str(export["body"].as_str().unwrap_or("{}")).expect("the table sent");
    assert!(
        body["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("经营指标 "),
        "{body}"
    );
    let rows = body["rows"].as_array().cloned().unwrap_or_default();
    let absorption_row = rows
        .iter()
        .find(|r| r[1] == json!("吸收率") && r[0] == json!("全店"))
        .expect("吸收率 exported");
    assert!(absorption_row[2].is_number(), "{absorption_row:?}");
    assert!(rows.iter().any(|r| r[1] == json!("建卡率")));
    b.close().await;
}
