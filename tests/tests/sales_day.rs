//! A sales day end to end (issue 5): a consultant's tablet with the network off logs a walk-in,
//! builds an A-card, runs a test drive with it and proposes a loss on another card; it
//! reconnects; the sales manager on a second browser sees all of it, re-contacts the customer and
//! confirms the loss, and the KPI dashboard's figures move by exactly what was done.

use e2e::{Browser, Server, temp_dir};
use fantoccini::Locator;
use serde_json::json;

/// A KPI card's counted records as `(numerator, denominator)` (the card shows `n / d`).
async fn counts(browser: &Browser, kpi: &str) -> Option<(usize, usize)> {
    let v = browser
        .eval(
            "const [name] = arguments;
             const card = [...document.querySelectorAll('.kpi-cards .kpi-card')]
                 .find(c => c.querySelector('.kpi-name').textContent.trim() === name);
             return card ? card.querySelector('.kpi-nd').textContent.trim() : null;",
            vec![json!(kpi)],
        )
        .await;
    let text = v.as_str()?;
    let (n, d) = text.split_once('/')?;
    Some((n.trim().parse().ok()?, d.trim().parse().ok()?))
}

/// Waits until the KPI card `kpi` shows its counts; returns them.
async fn read_counts(browser: &Browser, kpi: &str) -> (usize, usize) {
    browser
        .wait_until(&format!("a figure for {kpi}"), async || {
            counts(browser, kpi).await
        })
        .await
}

/// Waits until the KPI card `kpi` shows exactly `want`.
async fn wait_counts(browser: &Browser, kpi: &str, want: (usize, usize)) {
    browser
        .wait_until(&format!("{kpi} to count {want:?}"), async || {
            (counts(browser, kpi).await == Some(want)).then_some(())
        })
        .await
}

/// Builds an A-card through the form; returns its page's path.
async fn create_card(browser: &Browser, name: &str, phone: &str, grade: &str) -> String {
    browser.goto("/sales").await;
    browser.click_link("新建A卡").await;
    browser.wait_for_path("/sales/a-cards/new").await;
    browser.fill("姓名", name).await;
    browser.fill("手机号码", phone).await;
    browser.select("意向车型", "凯美瑞").await;
    browser.select("级别", grade).await;
    browser.click_button("保存").await;
    let path = browser.wait_for_record_page("/sales/a-cards").await;
    browser.wait_for_role("heading", name).await;
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultants_offline_day_reaches_the_manager_and_the_kpis() {
    let data = temp_dir("data");
    let server = Server::start(data.path());

    // The sales manager's PC: this month's store figures before the day's work.
    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理办公电脑").await;
    manager.click_link("销售报表").await;
    manager.wait_for_path("/sales/kpi").await;
    let building = read_counts(&manager, "建卡率").await;
    let driving = read_counts(&manager, "试乘试驾率").await;
    let loss = read_counts(&manager, "A卡流失率").await;

    // The consultant's tablet syncs once, then works all day with no network.
    let tablet = Browser::synced(&server, "consultant", "王芳", "王芳的外展平板").await;
    tablet.set_offline(true).await;
    tablet.wait_for_text("离线").await;

    // A walk-in: tap 自然到店, then 确认; the counting rule is shown.
    tablet.goto("/sales").await;
    tablet.wait_for_text("快速登记来店").await;
    tablet.click_button("自然到店").await;
    tablet.click_button("确认").await;
    tablet
        .wait_for_role("status", "计入来店组数:单独一人或同行多人算一组")
        .await;

    // The walk-in's A-card, and a test drive with it.
    let card = create_card(&tablet, "郑子豪", "138 2211 4567", "H").await;
    let start = tablet
        .wait_until("the card's 试乘试驾 link", async || {
            tablet
                .client()
                .find(Locator::Css("a[href^='/sales/test-drives/new?a_card=']"))
                .await
                .ok()
        })
        .await;
    start.click().await.expect("clicking 试乘试驾");
    tablet.wait_for_text("新建试驾").await;
    tablet.wait_for_text("郑子豪").await;
    tablet.choose_first("试驾车").await;
    tablet.choose_first("试驾路线").await;
    tablet.fill("驾驶证号", "440106199203154321").await;
    tablet.fill("驾驶证有效期至", "2032-03-15").await;
    tablet.fill("起始里程", "8800").await;
    tablet.click_button("开始试驾").await;
    let drive = tablet.wait_for_record_page("/sales/test-drives").await;
    tablet.wait_for_text("试驾中").await;
    // The customer drives: the end is stamped when 结束试驾 is pressed, and it must be after the
    // start (to the second).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    tablet.fill("结束里程", "8825").await;
    tablet.fill("客户反馈", "喜欢混动版的油耗").await;
    tablet.fill("下次跟进日期", "2032-01-10").await;
    tablet.click_button("结束试驾").await;
    tablet.wait_for_text("已结束").await;
    tablet.wait_for_text("25 km").await;

    // Another customer gives up: the consultant proposes the loss.
    let lost_card = create_card(&tablet, "钱慧敏", "139 6655 1234", "C").await;
    tablet.click_button("申请战败").await;
    tablet.choose_value("战败原因", "gave_up_buying").await;
    tablet.fill("战败说明", "家里决定暂不买车").await;
    tablet.click_button("提交战败申请").await;
    tablet.wait_for_text("家里决定暂不买车").await;
    // Nothing has reached the manager: everything waits on the tablet.
    tablet.wait_for_text("条更改待同步").await;
    assert_eq!(counts(&manager, "建卡率").await, Some(building));

    // Back in the showroom's network.
    tablet.set_offline(false).await;
    tablet.wait_gone("条更改待同步").await;

    // The manager's figures move by the day's work: one counted visit group and two new cards;
    // one test drive of the two new cards.
    wait_counts(&manager, "建卡率", (building.0 + 2, building.1 + 1)).await;
    wait_counts(&manager, "试乘试驾率", (driving.0 + 1, driving.1 + 2)).await;

    // The manager sees the card, the drive, and the loss in the review queue.
    manager.goto(&card).await;
    manager.wait_for_role("heading", "郑子豪").await;
    manager.goto(&drive).await;
    manager.wait_for_text("喜欢混动版的油耗").await;
    manager.goto("/sales/losses").await;
    manager.wait_for_text("钱慧敏").await;
    manager.wait_for_text("家里决定暂不买车").await;
    manager.click_button("处理 钱慧敏").await;
    manager.choose_value("回访方式", "phone").await;
    manager.choose_value("回访结果", "confirmed_lost").await;
    manager.fill("回访内容", "客户确认今年不买车").await;
    manager.click_button("记录回访").await;
    manager.wait_for_text("回访已记录。").await;
    manager.click_button("确认战败").await;
    manager.wait_for_text("已确认战败。").await;

    // The loss counts in this month's A-card loss rate.
    manager.click_link("销售报表").await;
    manager.wait_for_path("/sales/kpi").await;
    manager
        .wait_until("the loss counted", async || {
            let (n, _) = counts(&manager, "A卡流失率").await?;
            (n == loss.0 + 1).then_some(())
        })
        .await;

    // And the tablet shows the manager's decision.
    tablet.goto(&lost_card).await;
    tablet.wait_for_text("已战败").await;
    tablet.wait_for_text("客户确认今年不买车").await;

    tablet.close().await;
    manager.close().await;
}
