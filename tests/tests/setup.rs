//! First start of a real store, end to end: a server started with `--no-demo` on an empty data
//! directory opens the setup page; the general manager creates the store and their account,
//! adds a sales consultant and a sales manager; both log in on their own tablets and choose
//! their own passwords; the consultant builds an A-card; the general manager deactivates the
//! consultant and hands the card to the sales manager, whose tablet shows the new consultant,
//! while the consultant's tablet is logged out.

use e2e::{Browser, Lang, Server, temp_dir, xpath_literal};
use fantoccini::Locator;

const GM_PASSWORD: &str = "Lantern-Harbour-42";

/// Clicks the button `name` in the staff table's row of `username`.
async fn click_in_row(browser: &Browser, username: &str, name: &str) {
    let xpath = format!(
        "//tr[@data-username={}]//button[normalize-space(.)={}]",
        xpath_literal(username),
        xpath_literal(name)
    );
    let button = browser
        .wait_until(
            &format!("{name:?} in the row of {username:?}"),
            async || browser.visible(&xpath).await,
        )
        .await;
    button
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {name:?} of {username:?}: {e}"));
}

/// Adds a person on the staff page.
async fn add_person(gm: &Browser, username: &str, name: &str, role: &str, password: &str) {
    gm.fill("用户名", username).await;
    gm.fill("姓名", name).await;
    gm.select("岗位", role).await;
    gm.fill("初始密码", password).await;
    gm.click_button("添加").await;
    gm.wait_for_role("status", &format!("已添加“{name}”")).await;
    gm.wait_until(&format!("the row of {username}"), async || {
        gm.visible(&format!("//tr[@data-username={}]", xpath_literal(username)))
            .await
    })
    .await;
}

/// Logs in with a first password and replaces it, as the app asks right after the login.
async fn first_login(
    tablet: &Browser,
    server: &Server,
    username: &str,
    first: &str,
    own: &str,
    device: &str,
) {
    tablet.open(server, "/").await;
    tablet.wait_ready().await;
    tablet.log_in(Lang::Zh, username, first, device).await;
    tablet.wait_for_text("您的密码是别人为您设置的").await;
    tablet.fill("当前密码", first).await;
    tablet.fill("新密码", own).await;
    tablet.fill("再次输入新密码", own).await;
    tablet.click_button("保存新密码").await;
    tablet.wait_gone("您的密码是别人为您设置的").await;
    tablet.wait_for_role("status", "已同步").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_store_is_set_up_staffed_and_a_leavers_cards_are_handed_over() {
    let data = temp_dir("data");
    let server = Server::start_with_args(data.path(), &["--no-demo"]);

    // Nothing works before the setup: the app opens it.
    let gm = Browser::new().await;
    gm.open(&server, "/").await;
    gm.wait_ready().await;
    gm.wait_for_path("/setup").await;
    gm.wait_for_role("heading", "首次设置门店").await;
    gm.fill("门店名称", "城东4S店").await;
    gm.fill("总经理用户名", "boss").await;
    gm.fill("总经理姓名", "周总").await;
    gm.fill("密码", "1234567890").await;
    gm.fill("再次输入密码", "1234567890").await;
    gm.fill("本设备名称", "总经理电脑").await;
    gm.click_button("完成设置").await;
    gm.wait_for_role("alert", "常见").await;
    gm.fill("密码", GM_PASSWORD).await;
    gm.fill("再次输入密码", GM_PASSWORD).await;
    gm.click_button("完成设置").await;
    gm.wait_for_text("周总").await;
    gm.wait_for_text("城东4S店").await;
    assert!(
        !gm.has_text("演示数据").await,
        "a real store has no demo marker"
    );

    // The general manager adds a consultant and a sales manager.
    gm.goto("/manage/staff").await;
    gm.wait_for_role("heading", "员工").await;
    add_person(&gm, "wangfang", "王芳", "销售顾问", "Wangfang-First-01").await;
    add_person(&gm, "liqiang", "李强", "销售经理", "Liqiang-First-02").await;

    // Both log in on their own tablets and choose their own passwords.
    let consultant = Browser::new().await;
    first_login(
        &consultant,
        &server,
        "wangfang",
        "Wangfang-First-01",
        "Guihua-Shu-2026",
        "王芳的平板",
    )
    .await;
    let manager = Browser::new().await;
    first_login(
        &manager,
        &server,
        "liqiang",
        "Liqiang-First-02",
        "Manager-Li-Qiang-8",
        "李强的平板",
    )
    .await;

    // A new store has no model catalogue: the sales manager starts it.
    manager.goto("/sales/settings").await;
    manager.wait_for_text("车型目录").await;
    manager.fill("车型代码", "camry").await;
    manager.fill("中文名", "凯美瑞").await;
    manager.fill("英文名", "Camry").await;
    manager.click_button("添加车型").await;
    let row = format!("//tr[th[normalize-space(.)={}]]", xpath_literal("凯美瑞"));
    manager
        .wait_until("the new model's row", async || manager.visible(&row).await)
        .await;
    manager.wait_gone("条更改待同步").await;

    // The consultant builds an A-card.
    consultant.goto("/sales/a-cards/new").await;
    consultant.fill("姓名", "周晓峰").await;
    consultant.fill("手机号码", "139 0012 3487").await;
    consultant.choose_value("意向车型", "camry").await;
    consultant.choose_value("级别", "B").await;
    consultant.click_button("保存").await;
    let card = consultant.wait_for_record_page("/sales/a-cards").await;
    consultant.wait_gone("条更改待同步").await;
    consultant
        .wait_until("the card under 王芳", async || {
            (consultant.shown_value("销售顾问").await == "王芳").then_some(())
        })
        .await;

    // The general manager lets the consultant go and hands the card to the sales manager.
    click_in_row(&gm, "wangfang", "停用").await;
    gm.wait_for_role("alertdialog", "停用“王芳”").await;
    gm.wait_for_text("还有 1 张跟进中的A卡").await;
    gm.click_button("交接并停用").await;
    gm.wait_for_role("alert", "请选择接手的同事").await;
    gm.select("交接给", "李强").await;
    gm.click_button("交接并停用").await;
    gm.wait_for_role("status", "已停用“王芳”").await;
    gm.wait_for_text("已将 1 条记录交接给“李强”").await;
    gm.wait_for_role("status", "已同步").await;

    // The consultant's tablet stops at once: its event stream ends and the next request is 401.
    // (The stream is re-checked every 5 s; the app then asks for a new event ticket, gets 401
    // and logs out: allow twice the usual wait.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(45);
    while consultant.path().await != "/login" {
        if std::time::Instant::now() > deadline {
            consultant
                .fail("the deactivated consultant's tablet is still logged in")
                .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    consultant.wait_for_text("请重新登录").await;

    // The manager's tablet shows the card under the new consultant.
    manager.goto(&card).await;
    manager
        .wait_until("the card under 李强", async || {
            (manager.shown_value("销售顾问").await == "李强").then_some(())
        })
        .await;

    // The consultant cannot log in again.
    consultant
        .log_in(Lang::Zh, "wangfang", "Guihua-Shu-2026", "王芳的平板")
        .await;
    consultant.wait_for_role("alert", "此账号已停用").await;
    let rows = gm
        .client()
        .find_all(Locator::XPath(
            "//tr[@data-username='wangfang']//span[normalize-space(.)='已停用']",
        ))
        .await
        .map(|v| v.len())
        .unwrap_or(0);
    assert_eq!(rows, 1, "the staff list shows 王芳 deactivated");

    gm.close().await;
    consultant.close().await;
    manager.close().await;
}

/// The demo store says so in the header; only the general manager has 员工 under 管理.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_store_is_marked_and_staff_is_the_general_managers() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let manager = Browser::synced(&server, "salesmgr", "李强", "销售经理办公电脑").await;
    manager.wait_for_text("演示数据").await;
    manager.goto("/manage").await;
    manager.wait_for_role("heading", "设备管理").await;
    assert!(
        manager
            .visible("//nav[contains(@class,'sub-nav')]//a[normalize-space(.)='员工']")
            .await
            .is_none(),
        "a sales manager has no staff page"
    );
    manager.goto("/manage/staff").await;
    manager
        .wait_for_role("alert", "只有总经理可以管理员工")
        .await;

    let gm = Browser::synced(&server, "gm", "孙建国", "总经理电脑").await;
    gm.wait_for_text("演示数据").await;
    gm.goto("/manage").await;
    gm.click_link("员工").await;
    gm.wait_for_path("/manage/staff").await;
    gm.wait_until("the row of zhaolei", async || {
        gm.visible("//tr[@data-username='zhaolei']").await
    })
    .await;
    manager.close().await;
    gm.close().await;
}
