//! Device sync (issue 4) with the first record screen, A-cards: two tablets against one
//! server, live updates over SSE, offline edits that merge, a conflict settled on one tablet
//! and seen on the other, and an offline reload that keeps the outbox.

use std::time::{Duration, Instant};

use e2e::{Browser, Lang, Server, temp_dir};
use fantoccini::Locator;
use serde_json::json;

/// The text of the page's `<h1>`.
async fn heading(browser: &Browser) -> String {
    match browser.client().find(Locator::Css("main h1")).await {
        Ok(h) => h.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// How many displayed elements have `text` as their own text.
async fn count_text(browser: &Browser, text: &str) -> usize {
    let xpath = format!(
        "//body//*[not(self::script or self::style)][text()[normalize-space(.)={}]]",
        e2e::xpath_literal(text)
    );
    let mut n = 0;
    if let Ok(all) = browser.client().find_all(Locator::XPath(&xpath)).await {
        for el in all {
            if el.is_displayed().await.unwrap_or(false) {
                n += 1;
            }
        }
    }
    n
}

/// Waits until the page's `<h1>` is `want`.
async fn wait_for_heading(browser: &Browser, want: &str) {
    browser
        .wait_until(&format!("the heading {want:?}"), async || {
            (heading(browser).await == want).then_some(())
        })
        .await
}

/// Waits until the path starts with `prefix`; returns the path.
async fn wait_for_path_prefix(browser: &Browser, prefix: &str) -> String {
    browser
        .wait_until(&format!("a path starting with {prefix}"), async || {
            let p = browser.path().await;
            p.starts_with(prefix).then_some(p)
        })
        .await
}

/// Creates an A-card through the form; returns its page's path.
async fn create_card(
    browser: &Browser,
    name: &str,
    phone: &str,
    model: &str,
    grade: &str,
) -> String {
    browser.click_link("新建A卡").await;
    browser.wait_for_path("/sales/a-cards/new").await;
    browser.fill("姓名", name).await;
    browser.fill("手机号码", phone).await;
    browser.select("意向车型", model).await;
    browser.choose_value("级别", grade).await;
    browser.click_button("保存").await;
    let path = wait_for_path_prefix(browser, "/sales/a-cards/0").await;
    wait_for_heading(browser, name).await;
    path
}

async fn add_follow_up(browser: &Browser, content: &str) {
    browser.fill("跟进内容", content).await;
    browser.click_button("添加跟进").await;
    browser.wait_for_text(content).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tablets_merge_offline_edits_and_settle_a_conflict() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;
    let b = Browser::new().await;

    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", "王芳", "展厅平板A")
        .await;
    a.wait_for_path("/sales").await;
    b.open(&server, "/").await;
    b.log_in_demo(Lang::Zh, "salesmgr", "李强", "展厅平板B")
        .await;
    b.wait_for_path("/sales").await;
    b.wait_for_role("status", "已同步").await;
    // B keeps the A-card list open (李强's Today page lists only his own new cards).
    b.goto("/sales/a-cards").await;
    b.wait_for_role("heading", "A卡").await;

    // A creates an A-card; B, online, sees it live.
    let card_path = create_card(&a, "张伟明", "138 1234 5678", "凯美瑞", "A").await;
    let created = Instant::now();
    b.wait_for_text("张伟明").await;
    let took = created.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "tablet B showed the new card only after {took:?}"
    );
    b.goto(&card_path).await;
    wait_for_heading(&b, "张伟明").await;

    // Both go offline and edit the same card.
    a.set_offline(true).await;
    b.set_offline(true).await;
    a.wait_for_text("离线").await;
    b.wait_for_text("离线").await;

    a.click_button("编辑").await;
    a.fill("姓名", "张伟明先生").await;
    a.fill("手机号码", "139 8765 4321").await;
    a.click_button("保存").await;
    a.wait_for_text("139 8765 4321").await;
    add_follow_up(&a, "电话邀约周六到店").await;
    a.wait_for_role("status", "2 条更改待同步").await;

    b.click_button("编辑").await;
    b.fill("姓名", "张伟民").await;
    b.select("意向车型", "雷凌").await;
    b.click_button("保存").await;
    b.wait_for_text("雷凌").await;
    add_follow_up(&b, "微信发送雷凌报价").await;
    b.wait_for_role("status", "2 条更改待同步").await;

    // Reconnect: both show the merged card and one conflict (the name).
    a.set_offline(false).await;
    b.set_offline(false).await;
    for tablet in [&a, &b] {
        tablet.wait_for_text("139 8765 4321").await;
        tablet.wait_for_text("雷凌").await;
        tablet.wait_for_text("电话邀约周六到店").await;
        tablet.wait_for_text("微信发送雷凌报价").await;
        tablet.wait_for_role("link", "1 个冲突").await;
        tablet.wait_gone("条更改待同步").await;
        assert_eq!(count_text(tablet, "电话邀约周六到店").await, 1);
        assert_eq!(count_text(tablet, "微信发送雷凌报价").await, 1);
    }
    let shown_a = heading(&a).await;
    let shown_b = heading(&b).await;
    assert_eq!(shown_a, shown_b, "both tablets show the same name");
    assert!(
        shown_a == "张伟明先生" || shown_a == "张伟民",
        "the name is one of the two edits: {shown_a}"
    );

    // The conflicts page on both lists the name conflict with both values.
    for tablet in [&a, &b] {
        tablet.click_link("1 个冲突").await;
        tablet.wait_for_path("/conflicts").await;
        tablet.wait_for_text("张伟明先生").await;
        tablet.wait_for_text("张伟民").await;
        tablet.wait_for_text("姓名").await;
    }

    // Settle it on B.
    b.click_button("保留此值:张伟民").await;
    b.wait_for_text("没有待处理的冲突。").await;
    a.wait_for_text("没有待处理的冲突。").await;
    a.wait_gone("个冲突").await;
    a.goto(&card_path).await;
    wait_for_heading(&a, "张伟民").await;
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_edit_survives_a_reload_and_syncs_later() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;

    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", "王芳", "试驾平板")
        .await;
    a.wait_for_path("/sales").await;
    a.wait_for_service_worker().await;
    let card_path = create_card(&a, "李娜", "13700001111", "卡罗拉", "B").await;
    a.wait_gone("条更改待同步").await;

    a.set_offline(true).await;
    a.wait_for_text("离线").await;
    add_follow_up(&a, "离线时记下的跟进").await;
    a.wait_for_role("status", "1 条更改待同步").await;

    a.reload().await;
    a.wait_ready().await;
    assert_eq!(a.path().await, card_path);
    a.wait_for_text("离线时记下的跟进").await;
    a.wait_for_role("status", "1 条更改待同步").await;

    a.set_offline(false).await;
    a.wait_gone("条更改待同步").await;

    // The server has the follow-up.
    let api = server.api();
    let token = api.login("gm", "e2e-api").await;
    let deadline = Instant::now() + e2e::TIMEOUT;
    'wait: loop {
        // Page through the store's log (the demo data comes first).
        let mut after = 0;
        loop {
            let (status, page) = api
                .get(&format!("/api/sync/pull?after={after}&limit=1000"), &token)
                .await;
            assert_eq!(status, 200, "{page}");
            if page["ops"].to_string().contains("离线时记下的跟进") {
                break 'wait;
            }
            after = page["last_seq"].as_u64().expect("last_seq");
            if page["more"] != json!(true) {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the server never got the follow-up (log read up to seq {after})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A new card with the same phone (typed differently) is warned about at once.
    a.goto("/sales").await;
    a.click_link("新建A卡").await;
    a.fill("手机号码", "+86 137-0000-1111").await;
    a.wait_for_role("alert", "这个号码已有A卡:李娜").await;
    a.wait_for_role("alert", "王芳").await;
    a.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tab_shows_the_first_tabs_edit_without_the_network() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;

    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", "王芳", "前台电脑")
        .await;
    a.wait_for_path("/sales").await;
    let card_path = create_card(&a, "周晓燕", "13600002222", "凯美瑞", "H").await;
    let first = a.client().window().await.expect("the first tab");
    let second = a
        .client()
        .new_window(true)
        .await
        .expect("a second tab")
        .handle;
    a.client()
        .switch_to_window(second.clone())
        .await
        .expect("switching to the second tab");
    a.goto(&card_path).await;
    a.wait_ready().await;
    wait_for_heading(&a, "周晓燕").await;

    // No network: only the tabs' own channel can carry the change.
    a.set_offline(true).await;
    a.client()
        .switch_to_window(first)
        .await
        .expect("switching to the first tab");
    add_follow_up(&a, "两个标签页共用一个数据库").await;
    a.client()
        .switch_to_window(second)
        .await
        .expect("switching to the second tab");
    a.wait_for_text("两个标签页共用一个数据库").await;
    // The other tab's outbox is this tab's too (the card itself may still wait as well).
    a.wait_for_role("status", "条更改待同步").await;
    a.set_offline(false).await;
    a.wait_gone("条更改待同步").await;
    a.close().await;
}
