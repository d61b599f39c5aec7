//! 导入名单 (/sales/import): the sales manager uploads a CSV of A-cards with good, bad and noted
//! rows; the report names each row by its spreadsheet row number with the reason, and the
//! imported cards arrive in the A-card list by sync. Then customers and their vehicles from a CSV
//! with a title row, and their past services from a UTF-16 file: the C-card found by its plate
//! shows its service history. Last, the CS manager imports customers and their past services
//! from the care sub-navigation (导入客户资料), and the CS specialists' lists (我的回访) show the
//! first-maintenance reminder and the lost-customer call those records imply.

use domain::sales::chrono::{DateTime, Duration, NaiveDate};
use domain::time::StoreClock;
use e2e::{Browser, Lang, Server, temp_dir};
use fantoccini::Locator;
use serde_json::json;

const CSV: &str = "\u{feff}客户姓名,手机,意向车型,级别
沈一鸣,139 7311 2222,卡罗拉,A
施先生,13973113333,凯美瑞,B
尤思远,12345,凯美瑞,B
褚子涵,13973114444,致炫,C
卫浩然,13973115555,Camry,H
沈一鸣,139-7311-2222,雷凌,A
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_reports_bad_rows_and_brings_the_good_cards() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let files = temp_dir("import");
    let path = files.path().join("A卡名单.csv");
    std::fs::write(&path, CSV).expect("write the CSV");

    let b = Browser::new().await;
    b.open(&server, "/").await;
    b.log_in_demo(Lang::Zh, "salesmgr", "李强", "销售经理电脑")
        .await;
    b.wait_for_path("/sales").await;
    b.wait_for_role("status", "已同步").await;

    b.click_link("销售设置").await;
    b.wait_for_path("/sales/settings").await;
    b.click_link("导入A卡名单").await;
    b.wait_for_path("/sales/import").await;

    let input = b
        .client()
        .find(Locator::Id("import-file"))
        .await
        .expect("the file input");
    input
        .send_keys(path.to_str().expect("a UTF-8 path"))
        .await
        .expect("choose the file");
    b.click_button("预览").await;
    b.wait_for_text("共 6 行数据").await;
    // The suggested mapping: 客户姓名 → name, 手机 → phone, 意向车型 → model, 级别 → grade.
    for (field, column) in [
        ("map-name", "客户姓名"),
        ("map-phone", "手机"),
        ("map-intended_model", "意向车型"),
        ("map-grade", "级别"),
    ] {
        let v = b
            .eval(
                "return document.getElementById(arguments[0]).value;",
                vec![json!(field)],
            )
            .await;
        assert_eq!(v, json!(column), "{field}");
    }
    b.click_button("导入").await;
    // 褚子涵's model is off sale, kept as typed; the second 沈一鸣 goes to the 撞单 queue.
    b.wait_for_text("已导入 4 张A卡").await;
    b.wait_for_text("2 行有问题,未导入").await;
    b.wait_for_text("2 行已导入,但有提示").await;

    let report = b
        .eval(
            "return [...document.querySelectorAll('.import-report tbody tr')]
                 .map(tr => [tr.querySelector('th').textContent.trim(), tr.querySelector('td').textContent]);",
            vec![],
        )
        .await;
    let report: Vec<(String, String)> = serde_json::from_value(report).expect("report rows");
    let rows: Vec<&str> = report.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rows, ["3", "4", "5", "7"], "{report:?}");
    let reason = |row: &str| {
        report
            .iter()
            .find(|(r, _)| r == row)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    assert!(reason("3").contains("完整姓名"), "{}", reason("3"));
    assert!(reason("4").starts_with("手机号码"), "{}", reason("4"));
    assert!(reason("5").contains("已停售"), "{}", reason("5"));
    assert!(reason("7").contains("第 2 行相同"), "{}", reason("7"));
    assert!(reason("7").contains("撞单"), "{}", reason("7"));

    // The four cards come by sync into the A-card list, with their catalogue models.
    b.click_link("A卡").await;
    b.wait_for_path("/sales/a-cards").await;
    b.wait_for_text("沈一鸣").await;
    b.wait_for_text("卫浩然").await;
    let shown = b
        .eval(
            "return [...document.querySelectorAll('.a-card-table tbody tr')]
                 .map(tr => tr.textContent)
                 .filter(t => ['沈一鸣', '卫浩然', '施先生', '尤思远', '褚子涵'].some(n => t.includes(n)));",
            vec![],
        )
        .await;
    let shown: Vec<String> = serde_json::from_value(shown).expect("rows");
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(shown.iter().any(|t| t.contains("褚子涵")), "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|t| t.contains("沈一鸣") && t.contains("卡罗拉")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|t| t.contains("卫浩然") && t.contains("凯美瑞")),
        "{shown:?}"
    );
    b.close().await;
}

/// A valid VIN from 17 characters (the 9th replaced by the check digit).
fn vin(s: &str) -> String {
    let d = domain::sales::vin::check_digit(s).expect("17 VIN characters");
    s.chars()
        .enumerate()
        .map(|(i, c)| if i == 8 { d } else { c })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_vehicles_and_their_service_history_from_two_sheets() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let files = temp_dir("import");
    let vin1 = vin("LVGBE40K08G246802");
    let vin2 = vin("LFV2A21K0A3135791");
    let customers = files.path().join("保有客户.csv");
    std::fs::write(
        &customers,
        format!(
            "\u{feff}XX丰田4S店 保有客户及车辆清单,,,,,,\n\
             车主姓名,联系电话,车架号,车牌号,车型,交车日期,本地/外地\n\
             欧阳文博,136 0000 1111,{vin1},粤A7K321,凯美瑞,2025/06/01,本地\n\
             司马光,13600002222,{vin2},粤B9M876,卡罗拉,2024年3月5日,外地\n"
        ),
    )
    .expect("write the customers");
    let history = files.path().join("维修记录.csv");
    let text = format!(
        "VIN码\t车牌\t进厂日期\t进厂里程\t工单号\t维修类型\t结算金额\n\
         {vin1}\t\t2025/07/01\t5000\tRO-2501\t首保\t0\n\
         {vin1}\t\t2025-12-02\t15,000\tRO-2502\t定期保养\t680\n\
         \t粤B 9M876\t2025.01.10\t30000\tRO-2503\t钣喷\t1200\n"
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&history, utf16).expect("write the history");

    let b = Browser::new().await;
    b.open(&server, "/").await;
    b.log_in_demo(Lang::Zh, "salesmgr", "李强", "销售经理电脑")
        .await;
    b.wait_for_path("/sales").await;
    b.wait_for_role("status", "已同步").await;
    b.goto("/sales/import").await;
    b.wait_ready().await;

    for (sheet, path, done) in [
        ("保有客户及车辆(C卡)", &customers, "已导入 2 位客户"),
        ("历史维修记录", &history, "已导入 3 条维修记录"),
    ] {
        b.select("文件内容", sheet).await;
        let input = b
            .client()
            .find(Locator::Id("import-file"))
            .await
            .expect("the file input");
        input
            .send_keys(path.to_str().expect("a UTF-8 path"))
            .await
            .expect("choose the file");
        b.click_button("预览").await;
        b.wait_for_text("行数据").await;
        b.click_button("导入").await;
        b.wait_for_text(done).await;
    }
    // The C-card list page is the search: the plate, without its province character.
    b.wait_for_role("status", "已同步").await;
    b.fill("查找客户或车辆(手机号、姓名、车牌、VIN)", "a7k321")
        .await;
    let link = b
        .wait_until("the C-card in the search results", async || {
            let v = b
                .eval(
                    "const a = [...document.querySelectorAll('.header-search-results a')]
                         .find(a => a.textContent.includes('欧阳文博'));
                     return a ? a.getAttribute('href') : null;",
                    vec![],
                )
                .await;
            v.as_str().map(str::to_string)
        })
        .await;
    b.goto(&link).await;
    b.wait_for_text("维修记录").await;
    b.wait_for_text("RO-2502").await;
    let rows = b
        .eval(
            "return [...document.querySelectorAll('.past-service-table tbody tr')].map(tr => tr.textContent);",
            vec![],
        )
        .await;
    let rows: Vec<String> = serde_json::from_value(rows).expect("rows");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("2025-12-02") && rows[0].contains("保养") && rows[0].contains("680.00"),
        "{rows:?}"
    );
    assert!(
        rows[1].contains("首保") && rows[1].contains("5000"),
        "{rows:?}"
    );
    b.close().await;
}

/// The store-local day `days` ago.
fn day_ago(days: i64) -> NaiveDate {
    let now = DateTime::from_timestamp_millis(testkit::now_ms() as i64).expect("now");
    StoreClock::default().local(now).date() - Duration::days(days)
}

/// The `li.care-task` lines (`customer · kind`) of the list on `/care`.
async fn care_lines(b: &Browser) -> Vec<String> {
    let v = b
        .eval(
            "return [...document.querySelectorAll('li.care-task .care-task-link')].map(a => a.textContent.trim());",
            vec![],
        )
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_care_lists_show_the_tasks_an_imported_customer_base_implies() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let files = temp_dir("import");
    let vin1 = vin("LSVAU2180N2184521");
    let vin2 = vin("LFMJW30F8C3012345");
    // 欧阳文博's car was delivered 70 days ago and has not had its first service: the
    // first-maintenance reminder shows from 2 months after delivery, due by 3 months.
    // 司马光's car is three years old, last serviced 180 days ago: a lost customer (90–360 days
    // without a visit as of this month's first day).
    let customers = files.path().join("保有客户.csv");
    std::fs::write(
        &customers,
        format!(
            "\u{feff}车主姓名,联系电话,车架号,车牌号,车型,交车日期\n\
             欧阳文博,136 0000 3333,{vin1},粤A5F218,凯美瑞,{}\n\
             司马光,13600004444,{vin2},粤B6K937,卡罗拉,{}\n",
            day_ago(70).format("%Y/%m/%d"),
            day_ago(3 * 365).format("%Y-%m-%d"),
        ),
    )
    .expect("write the customers");
    let history = files.path().join("维修记录.csv");
    std::fs::write(
        &history,
        format!(
            "VIN码,进厂日期,进厂里程,工单号,维修类型,结算金额\n\
             {vin2},{},5000,RO-1001,首保,0\n\
             {vin2},{},30000,RO-1002,维修,1200\n",
            day_ago(3 * 365 - 50).format("%Y-%m-%d"),
            day_ago(180).format("%Y-%m-%d"),
        ),
    )
    .expect("write the history");

    // The CS manager reaches the import from the care sub-navigation.
    let manager = Browser::synced(&server, "csmgr", "周婷", "客服经理电脑").await;
    manager.goto("/care").await;
    manager.wait_for_text("我的回访").await;
    manager.click_link("导入客户资料").await;
    manager.wait_for_path("/care/import").await;
    manager.wait_for_text("导入客户、车辆与维修记录").await;
    // A-cards are the sales managers': not offered here.
    let sheets = manager
        .eval(
            "return [...document.querySelectorAll('#import-sheet option')].map(o => o.textContent.trim());",
            vec![],
        )
        .await;
    let sheets: Vec<String> = serde_json::from_value(sheets).expect("options");
    assert!(sheets.iter().all(|s| !s.contains("A卡")), "{sheets:?}");
    for (sheet, path, done) in [
        ("保有客户及车辆(C卡)", &customers, "已导入 2 位客户"),
        ("历史维修记录", &history, "已导入 2 条维修记录"),
    ] {
        manager.select("文件内容", sheet).await;
        let input = manager
            .client()
            .find(Locator::Id("import-file"))
            .await
            .expect("the file input");
        input
            .send_keys(path.to_str().expect("a UTF-8 path"))
            .await
            .expect("choose the file");
        manager.click_button("预览").await;
        manager.wait_for_text("共 2 行数据").await;
        manager.click_button("导入").await;
        manager.wait_for_text(done).await;
    }
    manager.close().await;

    // The two CS tablets open their lists: the schedule is made from the imported records, and
    // each customer's tasks go to one of them (the CS manager's rule).
    let zhao = Browser::synced(&server, "cs", "赵敏", "客服平板A").await;
    let qian = Browser::synced(&server, "cs2", "钱琳", "客服平板B").await;
    for b in [&zhao, &qian] {
        b.goto("/care").await;
        b.wait_for_text("我的回访").await;
    }
    let wanted = ["欧阳文博 · 首保提醒", "司马光 · 流失客户回访"];
    let lines = zhao
        .wait_until("the imported customers' tasks on a CS list", async || {
            let mut all = care_lines(&zhao).await;
            all.extend(care_lines(&qian).await);
            wanted
                .iter()
                .all(|w| all.iter().any(|l| l == w))
                .then_some(all)
        })
        .await;
    // 司马光 came for his first service 50 days after delivery: no first-maintenance reminder.
    assert!(!lines.iter().any(|l| l == "司马光 · 首保提醒"), "{lines:?}");
    zhao.close().await;
    qian.close().await;
}
