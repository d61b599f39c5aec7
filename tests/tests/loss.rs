//! Loss (战败) end to end: a consultant proposes a loss offline; after the tablet syncs, the sales
//! manager on a second browser sees it in the review queue, is refused when confirming before the
//! re-contact, records the re-contact, confirms; the consultant's card shows 已战败 and the
//! monthly analysis counts it. A second test sends a card back to another consultant.

use e2e::{Browser, Server, temp_dir};
use fantoccini::Locator;

/// Creates an A-card through the form; returns its page's path.
async fn create_card(browser: &Browser, name: &str, phone: &str, model: &str) -> String {
    browser.goto("/sales/a-cards/new").await;
    browser.fill("姓名", name).await;
    browser.fill("手机号码", phone).await;
    let model_field = browser.wait_for_field("意向车型").await;
    if model_field.tag_name().await.unwrap_or_default() == "select" {
        browser.choose_value("意向车型", "camry").await;
    } else {
        browser.fill("意向车型", model).await;
    }
    browser.choose_value("级别", "B").await;
    browser.click_button("保存").await;
    browser.wait_for_record_page("/sales/a-cards").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loss_is_proposed_offline_re_contacted_and_confirmed_by_the_manager() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let consultant = Browser::synced(&server, "consultant", "王芳", "王芳的测试平板").await;

    let card = create_card(&consultant, "周晓峰", "139 0012 3487", "凯美瑞").await;
    consultant.wait_for_text("战败").await;
    consultant.wait_gone("条更改待同步").await;

    // Offline, the consultant proposes the loss with a reason and a note.
    consultant.set_offline(true).await;
    consultant.wait_for_text("离线").await;
    consultant.click_button("申请战败").await;
    // Without a reason the form says so.
    consultant.fill("战败说明", "客户已在隔壁订了思域").await;
    consultant.click_button("提交战败申请").await;
    consultant.wait_for_role("alert", "请选择战败原因").await;
    consultant.choose_value("战败原因", "other_brand").await;
    consultant.click_button("提交战败申请").await;
    consultant.wait_for_text("客户已在隔壁订了思域").await;
    consultant.wait_for_text("转购他品牌").await;
    assert!(
        !consultant.has_button("申请战败").await,
        "a card under review cannot be proposed again"
    );
    consultant.wait_for_role("status", "1 条更改待同步").await;

    // The consultant's own review list shows it, without the manager's buttons.
    consultant.goto("/sales/losses").await;
    consultant.wait_for_text("周晓峰").await;
    assert!(!consultant.has_button("处理 周晓峰").await);
    assert!(!consultant.has_button("确认战败").await);

    consultant.set_offline(false).await;
    consultant.wait_gone("条更改待同步").await;

    // The sales manager sees it in the queue.
    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理测试电脑").await;
    manager.goto("/sales/losses").await;
    manager.wait_for_text("周晓峰").await;
    manager.wait_for_text("客户已在隔壁订了思域").await;
    manager.click_button("处理 周晓峰").await;

    // Confirming before the re-contact is refused with the rule's message.
    manager.click_button("确认战败").await;
    manager
        .wait_for_role("alert", "销售经理须再次联络客户")
        .await;

    // The re-contact, then the confirmation.
    manager.choose_value("回访方式", "phone").await;
    manager.choose_value("回访结果", "confirmed_lost").await;
    manager
        .fill("回访内容", "客户确认已购买思域,不再考虑")
        .await;
    manager.click_button("记录回访").await;
    manager.wait_for_text("回访已记录。").await;
    manager.wait_for_text("客户确认已购买思域").await;
    manager.click_button("确认战败").await;
    manager.wait_for_text("已确认战败。").await;
    manager.wait_gone("条更改待同步").await;

    // This month's analysis counts it under its reason and opens the card from the count.
    let reason_count = "//button[starts-with(@aria-label, '转购他品牌 ')]";
    let el = manager
        .wait_until("the reason's count", async || {
            manager
                .client()
                .find(Locator::XPath(reason_count))
                .await
                .ok()
        })
        .await;
    let n: usize = el
        .text()
        .await
        .unwrap_or_default()
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(n >= 1, "this month's 转购他品牌 count is {n}");
    el.click().await.expect("opening the count");
    manager.wait_for_role("link", "周晓峰").await;

    // The consultant's card shows 已战败 after the sync.
    consultant.goto(&card).await;
    consultant.wait_for_text("已战败").await;
    consultant.wait_for_text("客户确认已购买思域").await;

    consultant.close().await;
    manager.close().await;
}

/// 退回给 another consultant: after a re-contact where the customer will reconsider, the manager
/// sends the card back to 赵磊 instead of 王芳; the card follows again, under 赵磊, due today,
/// and shows the earlier proposal and the re-contact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loss_is_sent_back_to_another_consultant() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let consultant = Browser::synced(&server, "consultant", "王芳", "王芳的测试平板").await;
    let card = create_card(&consultant, "严文博", "139 0012 5566", "凯美瑞").await;
    consultant.click_button("申请战败").await;
    consultant.choose_value("战败原因", "gave_up_buying").await;
    consultant.fill("战败说明", "嫌贵,说再等等").await;
    consultant.click_button("提交战败申请").await;
    consultant.wait_for_text("嫌贵,说再等等").await;
    consultant.wait_gone("条更改待同步").await;

    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理测试电脑").await;
    manager.goto("/sales/losses").await;
    manager.click_button("处理 严文博").await;
    manager.choose_value("回访方式", "phone").await;
    manager.choose_value("回访结果", "will_reconsider").await;
    manager.fill("回访内容", "降价后愿意再谈").await;
    manager.click_button("记录回访").await;
    manager.wait_for_text("回访已记录。").await;
    manager.select("退回给", "赵磊").await;
    manager.click_button("退回跟进").await;
    manager.wait_for_text("已退回顾问继续跟进。").await;
    manager.wait_gone("条更改待同步").await;

    // On the card: following again, 赵磊's now, due today; the re-contact is on record.
    manager.goto(&card).await;
    manager.wait_for_role("heading", "严文博").await;
    manager
        .wait_until("the card under 赵磊, following", async || {
            let who = manager.shown_value("销售顾问").await;
            let status = manager.shown_value("状态").await;
            (who == "赵磊" && status == "跟进中").then_some(())
        })
        .await;
    // Whoever follows it now sees why it nearly was lost and what the customer told the manager.
    manager.wait_for_text("以往战败申请及经理回访").await;
    manager.wait_for_text("降价后愿意再谈").await;
    manager.wait_for_text("嫌贵,说再等等").await;

    // 王芳's tablet agrees after the sync.
    consultant.goto(&card).await;
    consultant.wait_for_role("heading", "严文博").await;
    consultant
        .wait_until("王芳's tablet shows the card under 赵磊", async || {
            (consultant.shown_value("销售顾问").await == "赵磊").then_some(())
        })
        .await;

    consultant.close().await;
    manager.close().await;
}
