//! 撞单 (issue 4, "People"): two consultants on two offline tablets build A-cards for the same
//! customer (the phone typed differently); after reconnecting, the sales manager's duplicate
//! queue shows the group with both consultants' names and devices, merges it, and the surviving
//! card carries both cards' follow-ups — on the manager's PC and on the tablets. 转给 gives the
//! customer to another consultant instead, with the page opened by a reload (the names and the
//! consultants to choose from arrive with the store's directory, after the page).

use e2e::{Browser, Lang, Server, temp_dir, xpath_literal};
use fantoccini::Locator;

/// The text of the displayed element matching `xpath` ("" when there is none).
async fn text_of(browser: &Browser, xpath: &str) -> String {
    match browser.visible(xpath).await {
        Some(el) => el.text().await.unwrap_or_default(),
        None => String::new(),
    }
}

/// Waits until the text of the element matching `xpath` contains every one of `want`.
async fn wait_for_texts_in(browser: &Browser, xpath: &str, want: &[&str]) -> String {
    browser
        .wait_until(&format!("{want:?} in {xpath}"), async || {
            let t = text_of(browser, xpath).await;
            want.iter().all(|w| t.contains(w)).then_some(t)
        })
        .await
}

/// Waits until the A-card list shows exactly one card named `name`.
async fn wait_for_one_card(browser: &Browser, name: &str) {
    let xpath = format!("//a[normalize-space(.)={}]", xpath_literal(name));
    browser
        .wait_until(&format!("one card named {name}"), async || {
            let n = browser
                .client()
                .find_all(Locator::XPath(&xpath))
                .await
                .map(|v| v.len())
                .unwrap_or(0);
            (n == 1).then_some(())
        })
        .await
}

/// Builds an A-card (offline is fine) and adds a follow-up; stays on the card's page.
async fn build_card(browser: &Browser, name: &str, phone: &str, follow_up: &str) {
    browser.click_link("新建A卡").await;
    browser.wait_for_path("/sales/a-cards/new").await;
    browser.fill("姓名", name).await;
    browser.fill("手机号码", phone).await;
    browser.choose_value("意向车型", "levin").await;
    browser.choose_value("级别", "A").await;
    browser.click_button("保存").await;
    browser.wait_for_record_page("/sales/a-cards").await;
    browser.wait_for_role("heading", name).await;
    browser.fill("跟进内容", follow_up).await;
    browser.click_button("添加跟进").await;
    browser.wait_for_text(follow_up).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sales_manager_merges_two_consultants_cards_of_one_customer() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let zhao = Browser::new().await;
    let qian = Browser::new().await;

    for (tablet, user, name, device) in [
        (&zhao, "zhaolei", "赵磊", "赵磊的路演平板"),
        (&qian, "qianli", "钱丽", "钱丽的路演平板"),
    ] {
        tablet.open(&server, "/").await;
        tablet.log_in_demo(Lang::Zh, user, name, device).await;
        tablet.wait_for_path("/sales").await;
        tablet.wait_for_role("status", "已同步").await;
        tablet.goto("/sales/a-cards").await;
        tablet.wait_ready().await;
        tablet.wait_for_role("link", "新建A卡").await;
    }

    // A roadshow without signal: both meet the same customer; Zhao first.
    zhao.set_offline(true).await;
    qian.set_offline(true).await;
    zhao.wait_for_text("离线").await;
    qian.wait_for_text("离线").await;
    build_card(
        &zhao,
        "欧阳娜娜",
        "139 0876 5432",
        "路演现场留了电话,想看雷凌",
    )
    .await;
    build_card(&qian, "欧阳娜娜", "+86 139-0876-5432", "约了周日来店试驾").await;
    zhao.set_offline(false).await;
    qian.set_offline(false).await;
    zhao.wait_gone("条更改待同步").await;
    qian.wait_gone("条更改待同步").await;

    // The sales manager's queue names both consultants and their tablets.
    let mgr = Browser::new().await;
    mgr.open(&server, "/").await;
    mgr.log_in_demo(Lang::Zh, "salesmgr", "李强", "销售经理测试电脑")
        .await;
    mgr.wait_for_path("/sales").await;
    mgr.wait_for_role("status", "已同步").await;
    mgr.click_link("撞单").await;
    mgr.wait_for_path("/sales/duplicates").await;
    let group = format!(
        "//article[@aria-label={}]",
        xpath_literal("撞单 139 0876 5432")
    );
    let shown = wait_for_texts_in(
        &mgr,
        &group,
        &[
            "欧阳娜娜",
            "赵磊",
            "钱丽",
            "赵磊的路演平板",
            "钱丽的路演平板",
            "归属A卡",
            "重复A卡",
            "跨顾问",
        ],
    )
    .await;
    // Zhao's card (the earlier first contact) owns the customer: it is listed first.
    let owner_row = text_of(&mgr, &format!("{group}//tr[contains(@class, 'dup-owner')]")).await;
    assert!(
        owner_row.contains("赵磊"),
        "owner row: {owner_row}\n{shown}"
    );
    assert!(
        !shown.contains('#'),
        "every person and device named: {shown}"
    );

    mgr.click_button("合并 139 0876 5432").await;
    mgr.wait_for_role("status", "139 0876 5432 的 2 张A卡已合并")
        .await;
    mgr.wait_until("the group to leave the queue", async || {
        mgr.client()
            .find(Locator::XPath(&group))
            .await
            .is_err()
            .then_some(())
    })
    .await;

    // The merged-away card is in the bin (回收站), put there by the manager on this PC.
    mgr.goto("/manage/bin").await;
    let binned = format!(
        "//main//table//tr[td[normalize-space(.)='A卡']][.//*[contains(., {})]][td[normalize-space(.)='李强']]",
        xpath_literal("欧阳娜娜")
    );
    let row = mgr
        .wait_until("the merged-away card in the bin", async || {
            mgr.visible(&binned).await
        })
        .await;
    let text = row.text().await.unwrap_or_default();
    assert!(text.contains("销售经理测试电脑"), "bin row: {text}");

    // The surviving card has both follow-ups and the note of the merge.
    mgr.goto("/sales").await;
    mgr.click_link("A卡").await;
    mgr.wait_for_path("/sales/a-cards").await;
    mgr.click_link("欧阳娜娜").await;
    mgr.wait_for_role("heading", "欧阳娜娜").await;
    mgr.wait_for_text("路演现场留了电话,想看雷凌").await;
    mgr.wait_for_text("约了周日来店试驾").await;
    mgr.wait_for_text("合并撞单").await;
    let owner_path = mgr.path().await;

    // After sync the tablets agree: one card left, with both follow-ups.
    for tablet in [&zhao, &qian] {
        tablet.goto(&owner_path).await;
        tablet.wait_ready().await;
        tablet.wait_for_role("heading", "欧阳娜娜").await;
        tablet.wait_for_text("路演现场留了电话,想看雷凌").await;
        tablet.wait_for_text("约了周日来店试驾").await;
        tablet.goto("/sales/a-cards").await;
        tablet.wait_ready().await;
        wait_for_one_card(tablet, "欧阳娜娜").await;
    }

    // Both tablets, offline again, grade the customer differently: the conflicts page names
    // the other writer and the other tablet (from the store's directory), never an id.
    zhao.goto(&owner_path).await;
    qian.goto(&owner_path).await;
    for (tablet, grade) in [(&zhao, "H"), (&qian, "B")] {
        tablet.wait_ready().await;
        tablet.wait_for_role("heading", "欧阳娜娜").await;
        tablet.set_offline(true).await;
        tablet.wait_for_text("离线").await;
        tablet.click_button("编辑").await;
        tablet.choose_value("级别", grade).await;
        tablet.click_button("保存").await;
        tablet.wait_for_role("status", "1 条更改待同步").await;
    }
    zhao.set_offline(false).await;
    qian.set_offline(false).await;
    qian.wait_gone("条更改待同步").await;
    zhao.click_link("1 个冲突").await;
    zhao.wait_for_path("/conflicts").await;
    let conflict = format!(
        "//article[@aria-label={}]",
        xpath_literal("欧阳娜娜 · 级别")
    );
    let shown = wait_for_texts_in(
        &zhao,
        &conflict,
        &["赵磊 · ", "钱丽 · ", "钱丽的路演平板", "本机"],
    )
    .await;
    assert!(
        !shown.contains("设备 "),
        "the other tablet is named: {shown}"
    );

    // A consultant opening the queue is told it is not for them.
    qian.goto("/sales/duplicates").await;
    qian.wait_ready().await;
    qian.wait_for_role("alert", "无权访问").await;

    zhao.close().await;
    qian.close().await;
    mgr.close().await;
}

/// 转给: two consultants' offline cards of one customer; the sales manager gives the customer to
/// the consultant whose card is the duplicate (钱丽, not the owner 赵磊). One card is left, with both
/// follow-ups; it names 钱丽 as its consultant on the manager's PC and on both tablets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sales_manager_gives_a_duplicate_customer_to_another_consultant() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let zhao = Browser::synced(&server, "zhaolei", "赵磊", "赵磊的展厅平板").await;
    let qian = Browser::synced(&server, "qianli", "钱丽", "钱丽的展厅平板").await;
    for tablet in [&zhao, &qian] {
        tablet.goto("/sales/a-cards").await;
        tablet.wait_ready().await;
        tablet.wait_for_role("link", "新建A卡").await;
        tablet.set_offline(true).await;
        tablet.wait_for_text("离线").await;
    }
    build_card(&zhao, "司马文轩", "138 1234 0099", "展厅看了卡罗拉").await;
    build_card(&qian, "司马文轩", "13812340099", "电话里说想让钱丽跟进").await;
    for tablet in [&zhao, &qian] {
        tablet.set_offline(false).await;
        tablet.wait_gone("条更改待同步").await;
    }

    let mgr = Browser::synced(&server, "salesmgr", "李强", "销售经理测试电脑").await;
    mgr.goto("/sales/duplicates").await;
    mgr.wait_ready().await;
    let group = format!(
        "//article[@aria-label={}]",
        xpath_literal("撞单 138 1234 0099")
    );
    wait_for_texts_in(
        &mgr,
        &group,
        &["赵磊", "钱丽", "赵磊的展厅平板", "钱丽的展厅平板"],
    )
    .await;
    mgr.select("客户转给 138 1234 0099", "钱丽").await;
    mgr.click_button("转给 138 1234 0099").await;
    mgr.wait_for_role("status", "138 1234 0099 的 2 张A卡已合并")
        .await;

    // Every device ends with one card of the customer, under 钱丽, with both follow-ups.
    for browser in [&mgr, &zhao, &qian] {
        browser.goto("/sales/a-cards").await;
        browser.wait_ready().await;
        wait_for_one_card(browser, "司马文轩").await;
        browser.click_link("司马文轩").await;
        browser.wait_for_role("heading", "司马文轩").await;
        browser
            .wait_until("钱丽 as the card's consultant", async || {
                (browser.shown_value("销售顾问").await == "钱丽").then_some(())
            })
            .await;
        browser.wait_for_text("展厅看了卡罗拉").await;
        browser.wait_for_text("电话里说想让钱丽跟进").await;
        browser.wait_for_text("客户转给 钱丽").await;
    }

    zhao.close().await;
    qian.close().await;
    mgr.close().await;
}
