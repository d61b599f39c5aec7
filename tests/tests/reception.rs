//! Reception (来店登记, issue 5): a consultant logs a walk-in from the Today page in at most three
//! taps and sees which counting rule applied, logs a return visit of a customer who has an
//! A-card (不计入), sets the time out and sees the dwell bucket; the reception page shows the
//! visits; the reception rota skips a consultant who is with a customer and sends them to the back.

use e2e::{Browser, Lang, Server, temp_dir, xpath_literal};
use fantoccini::Locator;

const ME: &str = "王芳";
const COUNTED_WALK_IN: &str = "计入来店组数:单独一人或同行多人算一组";
const RETURN_VISIT: &str = "不计入来店组数:已有 A 卡或订单的客户再次来店";

/// How many displayed elements' own text contains `text`.
async fn count_containing(browser: &Browser, text: &str) -> usize {
    let xpath = format!(
        "//body//*[not(self::script or self::style)][text()[contains(., {})]]",
        xpath_literal(text)
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

/// How many displayed buttons are named `name`.
async fn count_buttons(browser: &Browser, name: &str) -> usize {
    let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(name));
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

/// The rota's "next up" line.
async fn next_up(browser: &Browser) -> String {
    match browser.client().find(Locator::Css("p.rota-next")).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Clicks the first displayed button named `button` in a rota slot whose name is (or is not)
/// `name`; false when there is none.
async fn click_in_slot(browser: &Browser, name: &str, is: bool, button: &str) -> bool {
    let test = if is { "" } else { "not" };
    let xpath = format!(
        "//li[contains(@class,'rota-slot')][{test}(.//span[contains(@class,'rota-name')][normalize-space(.)={}])]//button[normalize-space(.)={}]",
        xpath_literal(name),
        xpath_literal(button)
    );
    let Ok(all) = browser.client().find_all(Locator::XPath(&xpath)).await else {
        return false;
    };
    for el in all {
        if el.is_displayed().await.unwrap_or(false) {
            return el.click().await.is_ok();
        }
    }
    false
}

/// A demo A-card's (name, phone as shown) from the A-card list.
async fn some_card(browser: &Browser) -> (String, String) {
    browser.goto("/sales/a-cards").await;
    browser
        .wait_until("an A-card in the list", async || {
            let v = browser
                .eval(
                    "const row = document.querySelector('main table tbody tr');
                     if (!row) return null;
                     const name = row.querySelector('th');
                     const phone = row.querySelector('td');
                     return name && phone ? [name.textContent.trim(), phone.textContent.trim()] : null;",
                    vec![],
                )
                .await;
            let a = v.as_array()?;
            let name = a.first()?.as_str()?.to_string();
            let phone = a.get(1)?.as_str()?.to_string();
            (!name.is_empty() && phone.chars().filter(char::is_ascii_digit).count() >= 11)
                .then_some((name, phone))
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultant_logs_visits_from_today_and_the_reception_and_rota_follow() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let a = Browser::new().await;
    a.open(&server, "/").await;
    a.log_in_demo(Lang::Zh, "consultant", ME, "展厅平板").await;
    a.wait_for_path("/sales").await;
    a.wait_for_role("status", "已同步").await;
    let (card_name, card_phone) = some_card(&a).await;

    // The rota before: with everyone else away, 王芳 is next up.
    a.goto("/sales/reception").await;
    a.wait_for_text("接待轮值").await;
    a.wait_until("the rota to list the consultants", async || {
        (count_buttons(&a, "暂离").await >= 2).then_some(())
    })
    .await;
    // 暂离 and 回来 are idempotent (a set add / remove), so a probe may click again safely.
    a.wait_until("everyone else away and 王芳 next up", async || {
        if next_up(&a).await.contains(ME) && count_buttons(&a, "暂离").await == 1 {
            return Some(());
        }
        click_in_slot(&a, ME, false, "暂离").await;
        None
    })
    .await;
    assert!(a.has_text("暂离").await);
    a.wait_until("everyone back", async || {
        if count_buttons(&a, "回来").await == 0 {
            return Some(());
        }
        click_in_slot(&a, ME, false, "回来").await;
        None
    })
    .await;

    // Tap 1: 自然到店 logs the visit now; tap 2: 确认. The rule is shown.
    a.goto("/sales").await;
    a.wait_for_text("快速登记来店").await;
    let walk_ins_before = count_containing(&a, COUNTED_WALK_IN).await;
    a.click_button("自然到店").await;
    a.wait_for_text("统计规则").await;
    a.click_button("确认").await;
    a.wait_for_role("status", COUNTED_WALK_IN).await;
    assert!(count_containing(&a, COUNTED_WALK_IN).await > walk_ins_before);
    a.wait_until("the visit in my visits, still in the store", async || {
        (count_buttons(&a, "离店").await == 1).then_some(())
    })
    .await;

    // A return visit: the customer's phone finds their A-card; the rule says 不计入.
    a.click_button("自然到店").await;
    a.fill("客户手机号(老客户)", &card_phone).await;
    a.wait_for_role("status", &card_name).await;
    a.click_button("确认").await;
    a.wait_for_role("status", RETURN_VISIT).await;
    a.wait_until("two visits in the store", async || {
        (count_buttons(&a, "离店").await == 2).then_some(())
    })
    .await;

    // The rota now: 王芳 is with a customer, someone else is next up.
    a.goto("/sales/reception").await;
    a.wait_for_text("接待轮值").await;
    a.wait_until("王芳 with a customer", async || {
        let line = next_up(&a).await;
        (line.starts_with("下一位接待") && !line.contains(ME)).then_some(line)
    })
    .await;
    let slot = format!(
        "//li[contains(@class,'rota-slot')][.//span[contains(@class,'rota-name')][normalize-space(.)={}]]",
        xpath_literal(ME)
    );
    let busy = a
        .wait_until("王芳's slot", async || a.visible(&slot).await)
        .await;
    assert!(busy.text().await.unwrap_or_default().contains("接待中"));

    // The reception log shows both visits with their rules and the consultant's name.
    a.wait_for_text("今日来店记录").await;
    a.wait_for_text(RETURN_VISIT).await;
    let log_row = format!(
        "//table[contains(@class,'visit-log')]//tr[.//td[normalize-space(.)={}]][.//*[contains(., {})]]",
        xpath_literal(ME),
        xpath_literal(RETURN_VISIT)
    );
    a.wait_until("the return visit in the log under 王芳", async || {
        a.visible(&log_row).await
    })
    .await;

    // Time out on both: the dwell bucket shows; 王芳 is free again but at the back of the queue.
    a.goto("/sales").await;
    a.wait_for_text("我的今日来店").await;
    let left_before = count_containing(&a, "· 0–15 分钟").await;
    a.click_button("离店").await;
    a.wait_until("one visit left", async || {
        (count_buttons(&a, "离店").await == 1).then_some(())
    })
    .await;
    a.wait_until("the dwell bucket", async || {
        (count_containing(&a, "· 0–15 分钟").await > left_before).then_some(())
    })
    .await;
    a.click_button("离店").await;
    a.wait_until("no visit left in the store", async || {
        (count_buttons(&a, "离店").await == 0).then_some(())
    })
    .await;

    a.goto("/sales/reception").await;
    a.wait_for_text("接待轮值").await;
    a.wait_until("王芳 free again", async || {
        let el = a.visible(&slot).await?;
        el.text()
            .await
            .ok()
            .filter(|t| t.contains("待接待"))
            .map(|_| ())
    })
    .await;
    let line = next_up(&a).await;
    assert!(
        !line.contains(ME),
        "王芳 took the last new customer and waits at the back: {line}"
    );

    // The desk's form offers the next up, and refuses a self-referral (a faked referral).
    let offered = a
        .wait_until("the form's consultant", async || {
            let el = a.field("接待顾问").await?;
            let v = a
                .eval(
                    "const el = arguments[0]; return el.options[el.selectedIndex].text;",
                    vec![serde_json::to_value(&el).ok()?],
                )
                .await;
            v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
        })
        .await;
    assert!(line.contains(&offered), "{offered} is next up: {line}");
    let source = a.wait_for_field("客户来源").await;
    a.eval(
        "const el = arguments[0]; el.value = 'referral'; el.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![serde_json::to_value(&source).expect("element as JSON")],
    )
    .await;
    a.fill("客户手机号(老客户)", &card_phone).await;
    a.fill("介绍人电话", &card_phone).await;
    a.click_button("登记来店").await;
    a.wait_for_role("alert", "介绍人不能是客户本人").await;
    a.close().await;
}
