//! 导入A卡名单 (/sales/import): the sales manager uploads a CSV with good and bad rows; the report
//! names each bad row by its spreadsheet row number with the reason, and exactly the good rows
//! arrive in the A-card list by sync.

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
    b.wait_for_text("已导入 2 张A卡").await;
    b.wait_for_text("4 行有问题,未导入").await;

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
    assert!(reason("7").contains("第 2 行重复"), "{}", reason("7"));

    // The two good cards come by sync into the A-card list, with their catalogue models.
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
    assert_eq!(shown.len(), 2, "{shown:?}");
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
