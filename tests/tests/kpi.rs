//! 销售报表 (/sales/kpi): the sales manager sees the seven KPIs of last month counted from the demo
//! history, for the store and per consultant, and a figure opens the records it counted; a
//! consultant sees only their own figures.

use e2e::{Browser, Lang, Server, temp_dir};
use serde_json::json;

const KPIS: [&str; 7] = [
    "建卡率",
    "A卡成交率",
    "试乘试驾率",
    "来店成交率",
    "销售效率",
    "A卡流失率",
    "大客户掌握率",
];

/// Sets the month picker to last month (store-local); returns `YYYY-MM`.
async fn pick_last_month(browser: &Browser) -> String {
    browser.wait_for_field("月份").await;
    let v = browser
        .eval(
            "const el = document.getElementById('kpi-month');
             const d = new Date(Date.now() + 8 * 3600e3);
             d.setUTCDate(1);
             d.setUTCMonth(d.getUTCMonth() - 1);
             const v = d.toISOString().slice(0, 7);
             el.value = v;
             el.dispatchEvent(new Event('change', {bubbles: true}));
             return v;",
            vec![],
        )
        .await;
    let month = v.as_str().unwrap_or_default().to_string();
    assert_eq!(month.len(), 7, "month picker value {v}");
    browser.wait_for_role("heading", &month).await;
    month
}

/// The value a KPI card shows (`75.0%`, `1.25`, `—`), empty when the card is not there.
async fn figure(browser: &Browser, kpi: &str) -> String {
    browser
        .eval(
            "const [name] = arguments;
             const card = [...document.querySelectorAll('.kpi-cards .kpi-card')]
                 .find(c => c.querySelector('.kpi-name').textContent.trim() === name);
             return card ? card.querySelector('.kpi-value').textContent.trim() : '';",
            vec![json!(kpi)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The text of every row header of the per-consultant table.
async fn consultant_rows(browser: &Browser) -> Vec<String> {
    let v = browser
        .eval(
            "return [...document.querySelectorAll('.kpi-table tbody th')].map(th => th.textContent.trim());",
            vec![],
        )
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sales_manager_sees_last_months_kpis_and_the_records_behind_them() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let b = Browser::new().await;
    b.open(&server, "/").await;
    b.log_in_demo(Lang::Zh, "salesmgr", "李强", "销售经理电脑")
        .await;
    b.wait_for_path("/sales").await;
    b.wait_for_role("status", "已同步").await;

    b.click_link("销售报表").await;
    b.wait_for_path("/sales/kpi").await;
    b.wait_for_role("heading", "销售报表").await;
    let month = pick_last_month(&b).await;

    // The seven KPIs, each with a figure counted from last month's demo records.
    for kpi in KPIS {
        let shown = b
            .wait_until(&format!("a figure for {kpi}"), async || {
                let f = figure(&b, kpi).await;
                (!f.is_empty()).then_some(f)
            })
            .await;
        assert!(!shown.contains("NaN"), "{kpi} shows {shown}");
        if kpi == "销售效率" {
            assert!(shown.parse::<f64>().is_ok(), "{kpi} shows {shown}");
        } else {
            assert!(shown.ends_with('%'), "{kpi} shows {shown}");
        }
    }
    // A month of showroom life: visits, cards, orders.
    let building: f64 = figure(&b, "建卡率")
        .await
        .trim_end_matches('%')
        .parse()
        .expect("建卡率 is a percentage");
    assert!(building > 0.0 && building <= 100.0, "建卡率 {building}");

    // One row per consultant, named.
    b.wait_for_role("heading", "各销售顾问").await;
    let rows = b
        .wait_until("the consultants' names", async || {
            let rows = consultant_rows(&b).await;
            (rows.iter().any(|r| r == "王芳") && rows.iter().any(|r| r == "赵磊")).then_some(rows)
        })
        .await;
    assert!(rows.len() >= 4, "consultant rows: {rows:?}");

    // 建卡率 opens the A-cards it counted and the visits it divided by.
    b.eval(
        "const card = [...document.querySelectorAll('.kpi-cards .kpi-card')]
             .find(c => c.querySelector('.kpi-name').textContent.trim() === '建卡率');
         card.click();",
        vec![],
    )
    .await;
    b.wait_for_text("分子:计入的记录").await;
    b.wait_for_role("region", "建卡率 · 全店").await;
    let first = b
        .wait_until("a counted A-card in the drill-down", async || {
            b.visible("//*[contains(@class,'kpi-drill')]//a[starts-with(@href,'/sales/a-cards/')]")
                .await
        })
        .await;
    let name = first.text().await.unwrap_or_default();
    let customer = name.split(" · ").next().unwrap_or_default().to_string();
    assert!(!customer.is_empty(), "drill-down entry {name:?}");
    // Its building date is in the chosen month.
    assert!(name.contains(&month), "{name:?} was built in {month}");
    first.click().await.expect("open the A-card");
    b.wait_for_record_page("/sales/a-cards").await;
    b.wait_for_role("heading", &customer).await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultant_sees_only_their_own_figures() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;
    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", "王芳", "王芳的新平板")
        .await;
    a.wait_for_path("/sales").await;
    a.wait_for_role("status", "已同步").await;
    a.click_link("销售报表").await;
    a.wait_for_path("/sales/kpi").await;
    pick_last_month(&a).await;
    a.wait_for_role("heading", "我的数据(王芳)").await;
    for kpi in KPIS {
        let shown = a
            .wait_until(&format!("a figure for {kpi}"), async || {
                let f = figure(&a, kpi).await;
                (!f.is_empty()).then_some(f)
            })
            .await;
        assert!(!shown.contains("NaN"), "{kpi} shows {shown}");
    }
    // Her own figure: 销售效率 counts her deliveries over one consultant, her alone.
    a.eval(
        "const card = [...document.querySelectorAll('.kpi-cards .kpi-card')]
             .find(c => c.querySelector('.kpi-name').textContent.trim() === '销售效率');
         card.click();",
        vec![],
    )
    .await;
    a.wait_for_role("region", "销售效率 · 王芳").await;
    // Its denominator is her alone; no store figures, no table of the other consultants.
    let denominator = a
        .eval(
            "const lists = document.querySelectorAll('.kpi-drill .kpi-records');
             return lists.length === 2 ? [...lists[1].querySelectorAll('li')].map(li => li.textContent.trim()) : null;",
            vec![],
        )
        .await;
    let denominator: Vec<String> = serde_json::from_value(denominator).unwrap_or_default();
    assert_eq!(
        denominator.len(),
        1,
        "sales efficiency denominator {denominator:?}"
    );
    assert!(denominator[0].ends_with("王芳"), "{denominator:?}");
    assert!(
        !a.has_text("全店").await,
        "a consultant sees the store's figures"
    );
    assert!(!a.has_text("各销售顾问").await);
    let tables = a
        .eval(
            "return document.querySelectorAll('.kpi-table').length;",
            vec![],
        )
        .await;
    assert_eq!(
        tables,
        json!(0),
        "a consultant sees the per-consultant table"
    );
    a.close().await;
}
