//! Test drive (试乘试驾) end to end, with no network from start to end: a consultant starts a
//! drive from the A-card page (an expired licence is refused first), ends it (an end odometer
//! below the start is refused first), and after reconnecting the drive and the card's next
//! follow-up date are synced.

use e2e::{Browser, Server, temp_dir};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_drive_runs_offline_from_start_to_end() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let tablet = Browser::synced(&server, "consultant", "王芳", "王芳的试驾平板").await;

    // A new card, online.
    tablet.goto("/sales/a-cards/new").await;
    tablet.fill("姓名", "陈思远").await;
    tablet.fill("手机号码", "137 0021 5678").await;
    let model = tablet.wait_for_field("意向车型").await;
    if model.tag_name().await.unwrap_or_default() == "select" {
        tablet.choose_value("意向车型", "rav4").await;
    } else {
        tablet.fill("意向车型", "RAV4荣放").await;
    }
    tablet.choose_value("级别", "H").await;
    tablet.click_button("保存").await;
    let card = tablet.wait_for_record_page("/sales/a-cards").await;
    tablet.wait_for_text("还没有试乘试驾。").await;
    tablet.wait_gone("条更改待同步").await;

    // In the car: no network from here on.
    tablet.set_offline(true).await;
    tablet.wait_for_text("离线").await;
    let start_link = tablet
        .wait_until("the card's 试乘试驾 link", async || {
            tablet
                .client()
                .find(Locator::Css("a[href^='/sales/test-drives/new?a_card=']"))
                .await
                .ok()
        })
        .await;
    assert_eq!(
        start_link.text().await.unwrap_or_default().trim(),
        "试乘试驾"
    );
    start_link.click().await.expect("clicking 试乘试驾");
    tablet.wait_for_text("新建试驾").await;
    // The card is already picked.
    tablet.wait_for_text("陈思远").await;
    tablet.choose_first("试驾车").await;
    tablet.choose_value("试驾路线", "r1").await;
    tablet.fill("驾驶证号", "440106199001011234").await;
    tablet.fill("驾驶证有效期至", "2020-01-31").await;
    tablet.fill("起始里程", "12345").await;
    tablet.click_button("开始试驾").await;
    tablet
        .wait_for_role("alert", "客户驾驶证已于 2020-01-31 过期,不能试驾")
        .await;
    assert!(tablet.path().await.starts_with("/sales/test-drives/new"));

    tablet.fill("驾驶证有效期至", "2031-06-30").await;
    tablet.click_button("开始试驾").await;
    let drive = tablet.wait_for_record_page("/sales/test-drives").await;
    tablet.wait_for_text("试驾中").await;
    tablet.wait_for_text("12345 km").await;

    // Back at the store: an end reading below the start is refused first.
    // The customer drives: the end is stamped when 结束试驾 is pressed, and it must be after the
    // start (to the second).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    tablet.fill("结束里程", "12300").await;
    tablet.click_button("结束试驾").await;
    tablet
        .wait_for_role("alert", "结束里程不能小于起始里程")
        .await;
    tablet.fill("结束里程", "12362").await;
    tablet.fill("客户反馈", "动力够用,很喜欢座椅").await;
    tablet.fill("下次跟进日期", "2031-01-15").await;
    tablet.click_button("结束试驾").await;
    tablet.wait_for_text("已结束").await;
    tablet.wait_for_text("17 km").await;
    tablet.wait_for_text("动力够用,很喜欢座椅").await;
    assert!(!tablet.has_button("结束试驾").await);
    // The drive (start, end) and the card's follow-up date wait in the outbox.
    tablet.wait_for_role("status", "3 条更改待同步").await;

    // The list shows it; the card lists the drive and the follow-up date.
    tablet.goto("/sales/test-drives").await;
    tablet.wait_for_role("link", "陈思远").await;
    tablet.goto(&card).await;
    tablet.wait_for_text("2031-01-15").await;
    tablet.wait_for_text("17 km").await;

    // Reconnected: everything goes to the server.
    tablet.set_offline(false).await;
    tablet.wait_gone("条更改待同步").await;
    // The sales manager's PC shows the ended drive.
    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理测试电脑").await;
    manager.goto(&drive).await;
    manager.wait_for_text("已结束").await;
    manager.wait_for_text("17 km").await;
    manager.wait_for_text("动力够用,很喜欢座椅").await;
    manager.close().await;
    tablet.close().await;
}
