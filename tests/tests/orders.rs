//! Orders, delivery and C-cards (issue 5) through the real UI: a consultant builds an A-card,
//! places an order with two accessories, moves the promised date (a reason is required; the
//! "tell the customer" task appears and is ticked off), and — with the network off — hands the
//! car over: 交车 is refused with a bad VIN and open checklist items, then succeeds with a valid
//! VIN once every item is ticked; the C-card shows the consultant's +24 h and +72 h calls. Back
//! online, the sales manager's tablet sees the C-card.

use domain::sales::chrono::{DateTime, Duration, NaiveDate};
use domain::time::StoreClock;
use e2e::{Browser, Lang, Server, temp_dir};
use fantoccini::Locator;
use serde_json::json;

/// Sets the value of the control labelled `label` the way a person's input would arrive
/// (works for `<select>`, date and text inputs).
async fn set_value(browser: &Browser, label: &str, value: &str) {
    let el = browser.wait_for_field(label).await;
    browser
        .eval(
            "const [el, v] = arguments;
             const proto = Object.getPrototypeOf(el);
             const setter = Object.getOwnPropertyDescriptor(proto, 'value').set;
             setter.call(el, v);
             el.dispatchEvent(new Event('input', {bubbles: true}));
             el.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![
                serde_json::to_value(&el).expect("element as JSON"),
                json!(value),
            ],
        )
        .await;
}

/// The text of the element with `role="alert"` that contains `part`, once it is shown.
async fn wait_for_alert(browser: &Browser, part: &str) -> String {
    browser
        .wait_until(&format!("an alert containing {part:?}"), async || {
            let all = browser
                .client()
                .find_all(Locator::Css("[role=alert]"))
                .await
                .ok()?;
            for el in all {
                let text = el.text().await.unwrap_or_default();
                if text.contains(part) {
                    return Some(text);
                }
            }
            None
        })
        .await
}

async fn wait_for_path_prefix(browser: &Browser, prefix: &str) -> String {
    browser
        .wait_until(&format!("a path starting with {prefix}"), async || {
            let p = browser.path().await;
            p.starts_with(prefix).then_some(p)
        })
        .await
}

/// Ticks the checklist item labelled `label`.
async fn tick(browser: &Browser, label: &str) {
    let el = browser.wait_for_field(label).await;
    el.click()
        .await
        .unwrap_or_else(|e| panic!("ticking {label:?}: {e}"));
    browser
        .wait_until(&format!("{label:?} ticked"), async || {
            let el = browser.field(label).await?;
            (el.prop("checked").await.ok().flatten().as_deref() == Some("true")).then_some(())
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_move_the_date_and_deliver_offline_with_the_checklist_and_a_valid_vin() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;
    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", "王芳", "交车平板")
        .await;
    a.wait_for_path("/sales").await;
    a.wait_for_role("status", "已同步").await;

    // A new A-card for the customer.
    a.goto("/sales/a-cards/new").await;
    a.fill("姓名", "周启航").await;
    a.fill("手机号码", "137 2468 1357").await;
    set_value(&a, "意向车型", "camry").await;
    set_value(&a, "级别", "H").await;
    a.click_button("保存").await;
    let card_path = wait_for_path_prefix(&a, "/sales/a-cards/0").await;

    // 下订单 from the card opens the deal form for this card.
    a.click_link("下订单").await;
    wait_for_path_prefix(&a, "/sales/orders/new").await;
    a.wait_for_text("新订单 · 周启航").await;
    set_value(&a, "车型", "camry").await;
    a.fill("配置/颜色", "豪华版 珍珠白").await;
    // A deposit above the price is refused with the reason.
    a.fill("成交价(元)", "17.5万").await;
    a.fill("订金(元)", "200000").await;
    // Promised in a month, moved to six weeks (within a year of the signing).
    let (promised, moved) = (store_day_in(30).to_string(), store_day_in(45).to_string());
    set_value(&a, "承诺交车日期", &promised).await;
    a.click_button("保存订单").await;
    wait_for_alert(&a, "订金须在 0 与成交价之间").await;
    a.fill("订金(元)", "5000").await;
    a.fill("置换车辆(现有车)", "2015 款朗逸").await;
    a.fill("置换车辆估价(元)", "42000").await;
    a.click_button("保存订单").await;
    let order_path = wait_for_path_prefix(&a, "/sales/orders/0").await;
    a.wait_for_text("¥175,000").await;
    a.wait_for_text("2015 款朗逸 · ¥42,000").await;

    // Two accessories promised.
    for item in ["全车贴膜", "行车记录仪"] {
        a.fill("精品/赠品", item).await;
        a.click_button("添加").await;
        a.wait_for_text(item).await;
    }

    // The card now shows the order (已订车 via the state machine).
    a.goto(&card_path).await;
    a.wait_for_text("已签单").await;
    assert!(
        !a.has_text("下订单").await,
        "an ordered card offers no second order"
    );
    a.goto(&order_path).await;
    a.wait_for_text("全车贴膜").await;

    // From here on the tablet has no network.
    a.set_offline(true).await;
    a.wait_for_text("离线").await;

    // Moving the promised date needs a reason …
    set_value(&a, "新交车日期", &moved).await;
    a.click_button("变更交车日期").await;
    wait_for_alert(&a, "变更交车日期须填写原因").await;
    // … and with one, the date moves and the task to tell the customer appears at once.
    a.fill("变更原因", "厂家排产延迟").await;
    a.click_button("变更交车日期").await;
    a.wait_for_text("待告知").await;
    a.wait_for_text(&format!("{promised} → {moved}:厂家排产延迟"))
        .await;
    a.wait_for_text(&moved).await;
    a.click_button("已告知").await;
    a.wait_until("the task is done", async || {
        (!a.has_button("已告知").await).then_some(())
    })
    .await;

    // 交车 with a mistyped VIN and nothing ticked: refused, with both reasons.
    a.fill("车架号(VIN)", "1M8GDM9A1KP042788").await;
    a.fill("车牌号", "粤A·D12345").await;
    a.click_button("交车").await;
    let refusal = wait_for_alert(&a, "校验位").await;
    assert!(
        refusal.contains("还有承诺事项未确认"),
        "the open checklist is named too: {refusal}"
    );
    assert!(a.path().await.starts_with("/sales/orders/"));

    // A valid VIN alone is not enough while items are open.
    a.fill("车架号(VIN)", "1M8GDM9AXKP042788").await;
    a.click_button("交车").await;
    wait_for_alert(&a, "还有承诺事项未确认").await;
    assert!(a.path().await.starts_with("/sales/orders/"));

    // Tick everything promised plus the standard items, then hand over.
    for item in ["全车贴膜", "行车记录仪", "随车文件", "车辆功能讲解"] {
        tick(&a, item).await;
    }
    a.wait_for_text("全部承诺事项已确认。").await;
    a.click_button("交车").await;
    let c_card_path = wait_for_path_prefix(&a, "/sales/c-cards/0").await;
    a.wait_for_text("C卡 · 周启航").await;
    a.wait_for_text("1M8GDM9AXKP042788").await;
    a.wait_for_text("交车 24 小时回访").await;
    a.wait_for_text("交车 72 小时回访").await;
    // Both calls are the consultant's and still open.
    let open_calls = a
        .client()
        .find_all(Locator::XPath(
            "//table[contains(@class,'care-task-table')]//tr[td[normalize-space(.)='待完成'] and td[normalize-space(.)='王芳']]",
        ))
        .await
        .map(|v| v.len())
        .unwrap_or(0);
    assert_eq!(open_calls, 2, "two open calls for 王芳 on the C-card");

    // The order is delivered, with the VIN.
    a.goto(&order_path).await;
    a.wait_for_text("已交车").await;
    assert!(
        !a.has_button("交车").await,
        "a delivered order cannot be handed over again"
    );
    // The order list: not among the open orders; among the delivered ones, read by the day
    // they closed (the last 90 days, 更早的订单 for more), and among all.
    a.goto("/sales/orders").await;
    a.wait_for_text("订单交车").await;
    let in_list = async |a: &Browser| {
        a.eval(
            "return [...document.querySelectorAll('.order-table tbody tr')].some(r => r.textContent.includes('周启航'));",
            vec![],
        )
        .await
        .as_bool()
        .unwrap_or(false)
    };
    for (shown, listed) in [("已交车", true), ("全部", true), ("未交车订单", false)] {
        a.select("显示", shown).await;
        a.wait_until(
            &format!("周启航's order {listed} under {shown}"),
            async || (in_list(&a).await == listed).then_some(()),
        )
        .await;
    }
    a.select("显示", "已交车").await;
    a.wait_for_text("以来交车或退单的订单").await;
    a.click_button("更早的订单").await;
    a.wait_until("the order still listed with earlier days", async || {
        in_list(&a).await.then_some(())
    })
    .await;

    // Back online: the sales manager sees the C-card.
    a.set_offline(false).await;
    a.wait_for_role("status", "已同步").await;
    let m = Browser::new().await;
    m.open(&server, "/").await;
    m.log_in_demo(Lang::Zh, "salesmgr", "李强", "销售经理平板")
        .await;
    m.wait_for_path("/sales").await;
    m.wait_for_role("status", "已同步").await;
    m.goto(&c_card_path).await;
    m.wait_for_text("C卡 · 周启航").await;
    m.wait_for_text("交车 72 小时回访").await;

    m.close().await;
    a.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_accounts_list_coverage_and_an_account_page() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;
    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", "王芳", "大客户平板")
        .await;
    a.wait_for_path("/sales").await;
    a.wait_for_role("status", "已同步").await;

    // The demo store has 6 key accounts, 3 of them (at most) bought here.
    a.goto("/sales/key-accounts").await;
    a.wait_for_text("大客户掌握率").await;
    let coverage = a
        .wait_until("the coverage figure", async || {
            let el = a.client().find(Locator::Css(".ka-coverage")).await.ok()?;
            let t = el.text().await.ok()?;
            t.contains("/ 6)").then_some(t)
        })
        .await;

    a.click_link("新建大客户").await;
    a.fill("单位名称", "滨江区交通局").await;
    a.fill("行业", "政府机关").await;
    a.fill("采购计划", "明年采购公务车 4 台").await;
    a.click_button("保存").await;
    wait_for_path_prefix(&a, "/sales/key-accounts/0").await;
    a.wait_for_text("滨江区交通局").await;

    a.fill("决策人姓名", "陈志远").await;
    a.fill("职务", "办公室主任").await;
    a.fill("联系电话", "12345").await;
    a.click_button("添加决策人").await;
    wait_for_alert(&a, "号码").await;
    a.fill("联系电话", "139 8765 4321").await;
    a.click_button("添加决策人").await;
    a.wait_for_text("139 8765 4321").await;

    a.fill("拜访结果", "递交大客户协议,下月再访").await;
    a.click_button("添加拜访记录").await;
    a.wait_for_text("递交大客户协议,下月再访").await;

    tick(&a, "已在本店购车").await;
    a.goto("/sales/key-accounts").await;
    a.wait_for_text("滨江区交通局").await;
    let after = a
        .wait_until("the coverage over 7 accounts", async || {
            let el = a.client().find(Locator::Css(".ka-coverage")).await.ok()?;
            let t = el.text().await.ok()?;
            t.contains("/ 7)").then_some(t)
        })
        .await;
    let bought = |t: &str| -> usize {
        t.split('(')
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(usize::MAX)
    };
    assert_eq!(
        bought(&after),
        bought(&coverage) + 1,
        "{coverage} → {after}"
    );
    a.close().await;
}

/// The store's date `days` from today.
fn store_day_in(days: i64) -> NaiveDate {
    let now = DateTime::from_timestamp_millis(testkit::now_ms() as i64).expect("now");
    StoreClock::default().local(now).date() + Duration::days(days)
}
