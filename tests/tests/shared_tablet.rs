//! A shared tablet loses nothing (issue 12, part 5): a consultant's offline change waits on
//! the device under its author while a colleague uses it, is neither pushed under the
//! colleague's login nor refused, and reaches the server when its author logs in again.

use std::time::{Duration, Instant};

use e2e::{Api, Browser, Lang, Server, temp_dir};
use serde_json::json;

/// Whether the store's op log on the server holds `text` (paged from the start).
async fn server_has(api: &Api, token: &str, text: &str) -> bool {
    let mut after = 0;
    loop {
        let (status, page) = api
            .get(&format!("/api/sync/pull?after={after}&limit=1000"), token)
            .await;
        assert_eq!(status, 200, "{page}");
        if page["ops"].to_string().contains(text) {
            return true;
        }
        after = page["last_seq"].as_u64().expect("last_seq");
        if page["more"] != json!(true) {
            return false;
        }
    }
}

async fn add_follow_up(browser: &Browser, content: &str) {
    browser.fill("跟进内容", content).await;
    browser.click_button("添加跟进").await;
    browser.wait_for_text(content).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleagues_unsynced_change_waits_for_its_author() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let api = server.api();
    let gm = api.login("gm", "e2e-api").await;
    let tablet = Browser::new().await;

    // 王芳 makes a card online, then a follow-up offline.
    tablet.open(&server, "/").await;
    tablet
        .log_in_demo(Lang::Zh, "consultant", "王芳", "展厅共用平板")
        .await;
    tablet.wait_for_path("/sales").await;
    tablet.wait_for_role("status", "已同步").await;
    tablet.click_link("新建A卡").await;
    tablet.wait_for_path("/sales/a-cards/new").await;
    tablet.fill("姓名", "周晓燕").await;
    tablet.fill("手机号码", "13600002222").await;
    tablet.select("意向车型", "凯美瑞").await;
    tablet.choose_value("级别", "A").await;
    tablet.click_button("保存").await;
    tablet.wait_for_role("heading", "周晓燕").await;
    tablet.wait_gone("条更改待同步").await;

    tablet.set_offline(true).await;
    tablet.wait_for_text("离线").await;
    let note = "王芳离线记下:周六带家人来试驾";
    add_follow_up(&tablet, note).await;
    tablet.wait_for_role("status", "1 条更改待同步").await;

    // Logging out with a change not yet uploaded warns first.
    tablet.click_button("退出登录").await;
    tablet
        .wait_for_role("alertdialog", "你有 1 条修改尚未上传到服务器")
        .await;
    tablet.click_button("暂不退出").await;
    tablet.wait_gone("你有 1 条修改尚未上传到服务器").await;
    assert!(tablet.path().await.starts_with("/sales"), "still logged in");
    tablet.click_button("退出登录").await;
    tablet.click_button("仍然退出").await;
    tablet.wait_for_field("用户名").await;
    // The login page says whose change waits here.
    tablet.wait_for_text("王芳 有 1 条修改待上传").await;

    // 赵磊 logs in online on the same tablet: 王芳's change is neither pushed nor refused.
    tablet.set_offline(false).await;
    tablet
        .log_in_demo(Lang::Zh, "zhaolei", "赵磊", "展厅共用平板")
        .await;
    tablet.wait_for_path("/sales").await;
    tablet.wait_for_role("status", "已同步").await;
    tablet
        .wait_for_role("status", "王芳 有 1 条修改待上传")
        .await;
    assert!(
        !tablet.has_text("条更改待同步").await,
        "赵磊 has nothing waiting"
    );
    assert!(!tablet.has_text("条被拒绝").await, "nothing was refused");
    tablet.click_button("立即同步").await;
    tablet.wait_for_role("status", "已同步").await;
    assert!(!tablet.has_text("条被拒绝").await, "nothing was refused");
    assert!(
        !server_has(&api, &gm, note).await,
        "王芳's change was pushed under 赵磊's login"
    );
    // The records on the device still show everyone's local changes.
    tablet.goto("/sales/a-cards").await;
    tablet.wait_for_text("周晓燕").await;

    // 赵磊 has nothing waiting: no warning. 王芳 logs in again and her change goes.
    tablet.click_button("退出登录").await;
    tablet.wait_for_field("用户名").await;
    tablet.wait_for_text("王芳 有 1 条修改待上传").await;
    tablet
        .log_in_demo(Lang::Zh, "consultant", "王芳", "展厅共用平板")
        .await;
    tablet.wait_for_path("/sales").await;
    tablet.wait_gone("条修改待上传").await;
    tablet.wait_gone("条更改待同步").await;
    assert!(!tablet.has_text("条被拒绝").await, "nothing was refused");
    let deadline = Instant::now() + e2e::TIMEOUT;
    while !server_has(&api, &gm, note).await {
        assert!(
            Instant::now() < deadline,
            "王芳's change never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tablet.close().await;
}

/// A version-2 app's database: the outbox holds ops as plain JSON text.
const SEED_V2: &str = r#"
const [session, deviceId, deviceName, op, done] = arguments;
const open = indexedDB.open("forecourt", 2);
open.onupgradeneeded = () => {
  const db = open.result;
  db.createObjectStore("kv");
  db.createObjectStore("records").createIndex("by_type", "type");
  db.createObjectStore("outbox", {autoIncrement: true});
  db.createObjectStore("meta");
};
open.onerror = () => done("open: " + open.error);
open.onsuccess = () => {
  const db = open.result;
  const tx = db.transaction(["kv", "outbox"], "readwrite");
  const kv = tx.objectStore("kv");
  kv.put(JSON.stringify(deviceId), "device_id");
  kv.put(JSON.stringify(deviceName), "device_name");
  kv.put(JSON.stringify(session), "session");
  tx.objectStore("outbox").add(JSON.stringify(op));
  tx.oncomplete = () => { db.close(); done("ok"); };
  tx.onerror = () => done("tx: " + tx.error);
};
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_of_the_previous_version_is_filed_by_author() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let api = server.api();
    let gm = api.login("gm", "e2e-api").await;
    let login = async |username: &str, device_id: &str| {
        let (status, body) = api
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                None,
                Some(json!({
                    "username": username,
                    "password": e2e::DEMO_PASSWORD,
                    "device_id": device_id,
                    "device_name": "前台平板",
                })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    };
    // 王芳's change, made on this tablet by the previous version of the app and not yet sent;
    // 赵磊 is the one logged in now.
    let device = uuid::Uuid::now_v7().to_string();
    let wang = login("consultant", &device).await;
    let session = login("zhaolei", &device).await;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    let op = json!({
        "op_id": uuid::Uuid::now_v7(),
        "device_id": device,
        "user_id": wang["user"]["id"],
        "store_id": wang["user"]["store_id"],
        "record_id": uuid::Uuid::now_v7(),
        "record_type": "a_card",
        "hlc": {"wall_ms": now_ms, "counter": 0},
        "changes": [
            {"kind": "set", "field": "name", "value": "吴晓东"},
            {"kind": "set", "field": "phone", "value": "13500003333"},
            {"kind": "set", "field": "consultant_id", "value": wang["user"]["id"]},
        ],
    });

    let tablet = Browser::new().await;
    tablet.open(&server, "/api/health").await;
    let seeded = tablet
        .eval_async(SEED_V2, vec![session, json!(device), json!("前台平板"), op])
        .await;
    assert_eq!(seeded, json!("ok"));

    tablet.goto("/").await;
    tablet.wait_ready().await;
    tablet.wait_for_text("赵磊").await;
    tablet.wait_for_role("status", "已同步").await;
    tablet
        .wait_for_role("status", "王芳 有 1 条修改待上传")
        .await;
    assert!(!tablet.has_text("条被拒绝").await, "nothing was refused");
    assert!(
        !server_has(&api, &gm, "吴晓东").await,
        "王芳's change was pushed under 赵磊's login"
    );

    tablet.click_button("退出登录").await;
    tablet.wait_for_field("用户名").await;
    tablet
        .log_in_demo(Lang::Zh, "consultant", "王芳", "前台平板")
        .await;
    tablet.wait_for_path("/sales").await;
    tablet.wait_gone("条更改待同步").await;
    let deadline = Instant::now() + e2e::TIMEOUT;
    while !server_has(&api, &gm, "吴晓东").await {
        assert!(
            Instant::now() < deadline,
            "王芳's change never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!tablet.has_text("条被拒绝").await, "nothing was refused");
    tablet.close().await;
}
