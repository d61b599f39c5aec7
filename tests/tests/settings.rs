//! 销售设置 (/sales/settings): the sales manager adds a model to the store's catalogue (a taken
//! code is refused first), a consultant's A-card form offers it after the sync; the manager stops
//! selling it and the form no longer offers it; the follow-up settings are checked and saved, and
//! the manager's other device, with the same page open, shows the saved figures without a reload.

use e2e::{Browser, Server, temp_dir, xpath_literal};
use serde_json::json;

/// The visible texts of the options of the `<select>` labelled `label`.
async fn options(browser: &Browser, label: &str) -> Vec<String> {
    let el = browser.wait_for_field(label).await;
    let v = browser
        .eval(
            "const [el] = arguments; return [...el.options].map(o => o.text.trim());",
            vec![serde_json::to_value(&el).expect("element as JSON")],
        )
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

/// The current value of the input labelled `label` ("" if it is not on the page).
async fn field_value(browser: &Browser, label: &str) -> String {
    match browser.field(label).await {
        Some(el) => el.prop("value").await.ok().flatten().unwrap_or_default(),
        None => String::new(),
    }
}

/// Waits until the A-card form does (or does not) offer `model`.
async fn wait_offered(browser: &Browser, model: &str, offered: bool) {
    browser
        .wait_until(
            &format!("the A-card form to offer {model:?}: {offered}"),
            async || {
                browser.goto("/sales/a-cards/new").await;
                let opts = options(browser, "意向车型").await;
                (opts.iter().any(|o| o.starts_with(model)) == offered).then_some(())
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_runs_the_catalogue_and_the_consultants_form_follows() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理办公电脑").await;
    manager.click_link("销售设置").await;
    manager.wait_for_path("/sales/settings").await;
    manager.wait_for_text("车型目录").await;

    // A code the catalogue has is refused; a new one goes in.
    manager.fill("车型代码", "camry").await;
    manager.fill("中文名", "铂智3X").await;
    manager.fill("英文名", "bZ3X").await;
    manager.click_button("添加车型").await;
    manager
        .wait_for_role("alert", "这个车型代码已经在目录中")
        .await;
    manager.fill("车型代码", "bz3x").await;
    manager.click_button("添加车型").await;
    let row = format!("//tr[th[normalize-space(.)={}]]", xpath_literal("铂智3X"));
    manager
        .wait_until("the new model's row", async || manager.visible(&row).await)
        .await;

    // The consultant's tablet offers it after the sync.
    let tablet = Browser::synced(&server, "consultant", "王芳", "王芳的平板").await;
    wait_offered(&tablet, "铂智3X", true).await;

    // 停售: the form no longer offers it; the catalogue still lists it as stopped.
    let stop = format!("{row}//button[normalize-space(.)='停售']");
    let button = manager
        .wait_until("the 停售 button", async || manager.visible(&stop).await)
        .await;
    button.click().await.expect("clicking 停售");
    let stopped = format!("{row}//*[normalize-space(.)='已停售']");
    manager
        .wait_until("the model shown as stopped", async || {
            manager.visible(&stopped).await
        })
        .await;
    wait_offered(&tablet, "铂智3X", false).await;

    // The manager's tablet has the settings page open while the office PC changes the cadence.
    let second = Browser::synced(&server, "salesmgr", "李强", "李强的平板").await;
    second.goto("/sales/settings").await;
    second.wait_for_field("睡眠A卡天数").await;

    // Follow-up cadence: a higher grade may not wait longer than a lower one.
    manager.fill("H 级跟进间隔(天)", "5").await;
    manager.fill("A 级跟进间隔(天)", "2").await;
    manager.click_button("保存跟进设置").await;
    let refused = manager
        .wait_until("the cadence refused", async || {
            let v = manager
                .eval(
                    "return [...document.querySelectorAll('[role=alert]')].map(e => e.textContent).join(' ');",
                    vec![json!(null)],
                )
                .await;
            let text = v.as_str().unwrap_or_default().to_string();
            (!text.trim().is_empty()).then_some(text)
        })
        .await;
    assert!(!refused.contains("已保存"), "{refused}");
    manager.fill("H 级跟进间隔(天)", "1").await;
    manager.fill("睡眠A卡天数", "45").await;
    manager.click_button("保存跟进设置").await;
    manager.wait_for_text("已保存").await;
    second
        .wait_until("the tablet's form to show the saved cadence", async || {
            let h = field_value(&second, "H 级跟进间隔(天)").await;
            let sleep = field_value(&second, "睡眠A卡天数").await;
            (h == "1" && sleep == "45").then_some(())
        })
        .await;

    second.close().await;
    tablet.close().await;
    manager.close().await;
}
