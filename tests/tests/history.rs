//! History and audit (issue 12 part 6): a consultant edits an A-card and sees the change in its
//! 历史记录 with who and when; a sales manager whose device got the card by snapshot sees the
//! same row (read from the server); a failed login shows in the manager's 管理 → 审计日志.

use e2e::{Browser, Lang, Server, temp_dir};
use fantoccini::Locator;

/// Creates an A-card through the form; returns its page's path.
async fn create_card(browser: &Browser, name: &str, phone: &str) -> String {
    browser.goto("/sales/a-cards/new").await;
    browser.fill("姓名", name).await;
    browser.fill("手机号码", phone).await;
    let model_field = browser.wait_for_field("意向车型").await;
    if model_field.tag_name().await.unwrap_or_default() == "select" {
        browser.choose_value("意向车型", "camry").await;
    } else {
        browser.fill("意向车型", "凯美瑞").await;
    }
    browser.choose_value("级别", "B").await;
    browser.click_button("保存").await;
    browser.wait_for_record_page("/sales/a-cards").await
}

/// Opens the record page's 历史记录.
async fn open_history(browser: &Browser) {
    let summary = browser
        .wait_until("the 历史记录 section", async || {
            browser
                .visible("//section[contains(@class,'record-history')]//summary[normalize-space(.)='历史记录']")
                .await
        })
        .await;
    summary.click().await.expect("open 历史记录");
}

/// The text of the history row whose cells contain every one of `parts`.
async fn history_row(browser: &Browser, parts: &[&str]) -> String {
    let mut xpath = "//table[contains(@class,'history-table')]//tr".to_string();
    for p in parts {
        xpath.push_str(&format!(
            "[contains(normalize-space(.), {})]",
            e2e::xpath_literal(p)
        ));
    }
    let row = browser
        .wait_until(&format!("a history row with {parts:?}"), async || {
            browser.visible(&xpath).await
        })
        .await;
    row.text().await.unwrap_or_default()
}

/// Whether `text` holds a shown time `YYYY-MM-DD HH:MM`.
fn has_time(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(16).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == '-',
            10 => *c == ' ',
            13 => *c == ':',
            _ => c.is_ascii_digit(),
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_shows_in_the_history_and_a_failed_login_in_the_audit_log() {
    let data = temp_dir("data");
    let server = Server::start(data.path());

    // The consultant makes a card and corrects the name.
    let tablet = Browser::synced(&server, "consultant", "王芳", "王芳的历史平板").await;
    let card = create_card(&tablet, "陈立新", "139 0055 1234").await;
    tablet.wait_for_role("heading", "陈立新").await;
    tablet.click_button("编辑").await;
    tablet.fill("姓名", "陈立新先生").await;
    tablet.click_button("保存").await;
    tablet.wait_for_role("heading", "陈立新先生").await;

    // 历史记录: the name changed old → new, by 王芳, on this device, with the time.
    open_history(&tablet).await;
    let row = history_row(&tablet, &["姓名", "陈立新 → 陈立新先生", "王芳"]).await;
    assert!(has_time(&row), "no time in {row:?}");
    assert!(row.contains("本机"), "this device is named in {row:?}");
    // The card's first write is there too (the phone, from empty).
    history_row(&tablet, &["手机号码", "(空) →"]).await;
    tablet.wait_gone("条更改待同步").await;

    // The sales manager's PC gets the card by snapshot (it holds none of its ops): its history
    // comes from the server, with the same row and the tablet's name.
    let pc = Browser::synced(&server, "salesmgr", "李强", "销售经理历史电脑").await;
    pc.goto(&card).await;
    pc.wait_for_role("heading", "陈立新先生").await;
    open_history(&pc).await;
    let row = history_row(&pc, &["陈立新 → 陈立新先生", "王芳", "王芳的历史平板"]).await;
    assert!(has_time(&row), "no time in {row:?}");

    // Someone mistypes zhaolei's password on a showroom tablet.
    let other = Browser::new().await;
    other.open(&server, "/").await;
    other.wait_ready().await;
    other
        .log_in(Lang::Zh, "zhaolei", "not-the-password", "展厅平板")
        .await;
    other
        .wait_for_role("alert", Lang::Zh.wrong_password())
        .await;

    // The manager's 管理 → 审计日志 lists it: 登录失败, the username tried, whose account.
    pc.goto("/manage").await;
    pc.click_link("审计日志").await;
    pc.wait_for_path("/manage/audit").await;
    pc.wait_for_role("heading", "审计日志").await;
    let failed = "//table[contains(@class,'audit-table')]//tr[contains(., '登录失败') and contains(., 'zhaolei') and contains(., '赵磊')]";
    pc.wait_until("the failed login in the audit log", async || {
        pc.visible(failed).await
    })
    .await;
    // Filtered to failed logins, the manager's own login is not listed.
    pc.choose_value("类型", "login_failed").await;
    pc.wait_until("only failed logins", async || {
        let rows = pc
            .client()
            .find_all(Locator::XPath(
                "//table[contains(@class,'audit-table')]/tbody/tr",
            ))
            .await
            .ok()?;
        let mut texts = Vec::new();
        for r in rows {
            texts.push(r.text().await.ok()?);
        }
        (!texts.is_empty() && texts.iter().all(|t| t.contains("登录失败"))).then_some(())
    })
    .await;
    assert!(pc.has_button("导出Excel").await);

    // A consultant has no 审计日志 (no 管理 area at all).
    tablet.goto("/manage/audit").await;
    tablet.wait_for_text("无权访问").await;

    other.close().await;
    pc.close().await;
    tablet.close().await;
}
