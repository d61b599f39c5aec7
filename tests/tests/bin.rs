//! The bin (回收站, issue 4: "deletes are tombstones a manager can restore"): a consultant's
//! mistaken quick-reception tap is withdrawn (撤销, with a confirmation) and leaves the visit log;
//! a sales manager on another device finds it in 管理 → 回收站 with who withdrew it, restores
//! it, and the visit is back on the consultant's tablet.

use e2e::{Browser, Lang, Server, temp_dir, xpath_literal};
use fantoccini::Locator;

const ME: &str = "王芳";

/// How many displayed elements match `xpath`.
async fn count_visible(browser: &Browser, xpath: &str) -> usize {
    let mut n = 0;
    if let Ok(all) = browser.client().find_all(Locator::XPath(xpath)).await {
        for el in all {
            if el.is_displayed().await.unwrap_or(false) {
                n += 1;
            }
        }
    }
    n
}

/// The visit rows of the log that are still in the store (they have 离店).
const OPEN_VISIT_ROWS: &str =
    "//table[contains(@class,'visit-log')]//tr[.//button[normalize-space(.)='离店']]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_visit_goes_to_the_bin_and_a_manager_restores_it() {
    let data = temp_dir("data");
    let server = Server::start(data.path());

    // The consultant logs a walk-in by mistake (2 taps) …
    let tablet = Browser::new().await;
    tablet.open(&server, "/").await;
    tablet
        .log_in_demo(Lang::Zh, "consultant", ME, "王芳的测试平板")
        .await;
    tablet.wait_for_path("/sales").await;
    tablet.wait_for_role("status", "已同步").await;
    tablet.wait_for_text("快速登记来店").await;
    let open_before = count_visible(&tablet, OPEN_VISIT_ROWS).await;
    tablet.click_button("自然到店").await;
    tablet.wait_for_text("统计规则").await;
    tablet.click_button("确认").await;
    tablet
        .wait_until("the mistaken visit in my visits", async || {
            (count_visible(&tablet, OPEN_VISIT_ROWS).await == open_before + 1).then_some(())
        })
        .await;

    // … and takes it back: 撤销 asks first; 取消 keeps it, 确认撤销 withdraws it.
    let withdraw = format!("{OPEN_VISIT_ROWS}//button[normalize-space(.)='撤销']");
    let row_button = async |xpath: &str, what: &str| {
        let el = tablet
            .wait_until(what, async || tablet.visible(xpath).await)
            .await;
        el.click().await.expect("click");
    };
    row_button(&withdraw, "撤销 on the open visit").await;
    tablet.click_button("取消").await;
    row_button(&withdraw, "撤销 again after 取消").await;
    tablet.click_button("确认撤销").await;
    tablet
        .wait_until("the visit gone from my visits", async || {
            (count_visible(&tablet, OPEN_VISIT_ROWS).await == open_before).then_some(())
        })
        .await;
    tablet.wait_for_role("status", "已同步").await;

    // A consultant has no 管理 area, so no bin.
    tablet.goto("/manage/bin").await;
    tablet.wait_for_text("无权访问").await;

    // The sales manager's PC: 管理 → 回收站 lists the visit, withdrawn by 王芳.
    let pc = Browser::synced(&server, "salesmgr", "李强", "销售经理测试电脑").await;
    pc.goto("/manage").await;
    pc.click_link("回收站").await;
    pc.wait_for_path("/manage/bin").await;
    let binned_row = format!(
        "//main//table//tr[td[normalize-space(.)='来店登记']][td[normalize-space(.)={}]]",
        xpath_literal(ME)
    );
    let row = pc
        .wait_until("the withdrawn visit in the bin", async || {
            pc.visible(&binned_row).await
        })
        .await;
    let text = row.text().await.unwrap_or_default();
    assert!(
        text.contains("自然到店"),
        "the bin row names the source: {text}"
    );
    assert!(
        text.contains("王芳的测试平板"),
        "the bin row names the device: {text}"
    );
    assert_eq!(count_visible(&pc, &binned_row).await, 1);

    // 恢复: the row leaves the bin, the manager is told.
    let restore = format!("{binned_row}//button[normalize-space(.)='恢复']");
    let el = pc
        .wait_until("恢复 in the row", async || pc.visible(&restore).await)
        .await;
    el.click().await.expect("click 恢复");
    pc.wait_for_role("status", "已恢复").await;
    pc.wait_until("the row gone from the bin", async || {
        (count_visible(&pc, &binned_row).await == 0).then_some(())
    })
    .await;
    pc.wait_for_role("status", "已同步").await;

    // The consultant's tablet gets the restore live: the visit is back in my visits.
    tablet.goto("/sales").await;
    tablet.wait_for_text("我的今日来店").await;
    tablet
        .wait_until("the restored visit back in my visits", async || {
            (count_visible(&tablet, OPEN_VISIT_ROWS).await == open_before + 1).then_some(())
        })
        .await;

    pc.close().await;
    tablet.close().await;
}

/// A record type joins the shared screens by one registry entry (issue 11): a service
/// appointment that the advisor's device booked and the GM deleted (the bin is a manager's,
/// `domain::policy::check_bin`) is in the GM's bin, named by the service area's kind (服务预约,
/// with its slot, customer, plate and advisor), and restores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_service_appointment_is_in_the_bin_by_its_kind() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let http = reqwest::Client::new();
    let device = uuid::Uuid::now_v7();
    let login = testkit::login(&http, base, "advisor", "demo1234", device, "服务前台电脑")
        .await
        .expect("the advisor logs in");
    let token = login["token"].as_str().expect("token").to_string();
    let user_id = login["user"]["id"].as_str().expect("user id").to_string();
    let store_id = login["user"]["store_id"]
        .as_str()
        .expect("store")
        .to_string();
    let record_id = uuid::Uuid::now_v7();
    let now = testkit::now_ms();
    let op = |device: uuid::Uuid, user_id: &str, n: u32, changes: serde_json::Value| {
        serde_json::json!({
            "op_id": uuid::Uuid::now_v7(),
            "device_id": device,
            "user_id": user_id,
            "store_id": store_id,
            "record_id": record_id,
            "record_type": "appointment",
            "hlc": {"wall_ms": now, "counter": n},
            "changes": changes,
        })
    };
    let push = async |token: &str, op: serde_json::Value| {
        let pushed = http
            .post(format!("{base}/api/sync/push"))
            .bearer_auth(token)
            .json(&serde_json::json!({"ops": [op]}))
            .send()
            .await
            .expect("push");
        assert!(
            pushed.status().is_success(),
            "push: {} {}",
            pushed.status(),
            pushed.text().await.unwrap_or_default()
        );
    };
    let book = op(
        device,
        &user_id,
        0,
        serde_json::json!([
            {"kind": "set", "field": "customer_name", "value": "周先生"},
            {"kind": "set", "field": "plate", "value": "沪A·12345"},
            {"kind": "set", "field": "slot_at", "value": "2026-12-08T09:30:00"},
            {"kind": "set", "field": "advisor_id", "value": user_id},
        ]),
    );
    push(&token, book).await;
    // The GM deletes it from the service desk's computer.
    let gm_device = uuid::Uuid::now_v7();
    let gm = testkit::login(&http, base, "gm", "demo1234", gm_device, "服务前台电脑")
        .await
        .expect("the GM logs in");
    let gm_token = gm["token"].as_str().expect("token").to_string();
    let gm_id = gm["user"]["id"].as_str().expect("user id").to_string();
    let delete = op(
        gm_device,
        &gm_id,
        1,
        serde_json::json!([{"kind": "delete"}]),
    );
    push(&gm_token, delete).await;

    let pc = Browser::synced(&server, "gm", "孙建国", "总经理测试电脑").await;
    pc.goto("/manage/bin").await;
    let binned_row = "//main//table//tr[td[normalize-space(.)='服务预约']]";
    let row = pc
        .wait_until("the appointment in the bin", async || {
            pc.visible(binned_row).await
        })
        .await;
    let text = row.text().await.unwrap_or_default();
    for want in [
        "2026-12-08 09:30",
        "周先生",
        "沪A·12345",
        "张伟",
        "服务前台电脑",
    ] {
        assert!(text.contains(want), "the bin row shows {want}: {text}");
    }
    let restore = format!("{binned_row}//button[normalize-space(.)='恢复']");
    let el = pc
        .wait_until("恢复 in the row", async || pc.visible(&restore).await)
        .await;
    el.click().await.expect("click 恢复");
    pc.wait_for_role("status", "已恢复").await;
    pc.wait_until("the row gone from the bin", async || {
        (count_visible(&pc, binned_row).await == 0).then_some(())
    })
    .await;
    pc.close().await;
}
