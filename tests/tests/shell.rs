//! The app shell: login, roles in the navigation, languages, the offline
//! start and a server restart (docs/ui/shell.md "App UI contract").

use e2e::{Browser, DEMO_PASSWORD, Lang, Server, temp_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_shows_the_users_areas_in_both_languages() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let browser = Browser::new().await;

    browser.open(&server, "/").await;
    browser.wait_ready().await;
    browser.wait_for_field("用户名").await;
    browser.wait_for_path("/login").await;

    // A new device is asked for its name; a Chinese name must come through intact.
    browser.wait_for_field("设备名称").await;
    browser
        .log_in(Lang::Zh, "consultant", DEMO_PASSWORD, "展厅平板一号")
        .await;
    browser.wait_for_text("王芳").await;
    browser.wait_for_nav(&["销售"]).await;
    assert!(
        !browser.nav_links().await.iter().any(|l| l == "管理"),
        "a sales consultant must not see 管理"
    );
    browser.wait_for_path("/sales").await;
    assert!(browser.has_button("退出登录").await);

    let api = server.api();
    let token = api.login("gm", "e2e-api").await;
    let (status, devices) = api.get("/api/devices", &token).await;
    assert_eq!(status, 200, "{devices}");
    assert!(
        devices.as_array().is_some_and(|d| d
            .iter()
            .any(|d| d["name"] == "展厅平板一号" && d["username"] == "consultant")),
        "the tablet's Chinese name must be registered: {devices}"
    );

    browser.click_button("English").await;
    browser.wait_for_nav(&["Sales"]).await;
    browser.wait_for_role("button", "Log out").await;
    assert!(
        browser.has_button("中文").await,
        "the switch back is named 中文"
    );
    assert!(
        browser.has_text("王芳").await,
        "the display name stays as it is"
    );

    browser.click_button("Log out").await;
    browser.wait_for_field("Username").await;
    browser.wait_for_path("/login").await;
    assert!(
        browser.field("Device name").await.is_none(),
        "the device already has a name"
    );
    browser
        .log_in(
            Lang::En,
            "gm",
            DEMO_PASSWORD,
            "unused: the device has a name",
        )
        .await;
    browser.wait_for_text("孙建国").await;
    browser.wait_for_nav(&Lang::En.areas()).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_refused_on_the_login_page() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let browser = Browser::new().await;

    browser.open(&server, "/login").await;
    browser.wait_ready().await;
    browser
        .log_in(Lang::Zh, "consultant", "not-the-password", "前台电脑")
        .await;
    browser.wait_for_role("alert", "用户名或密码错误").await;
    assert_eq!(browser.path().await, "/login");
    assert!(browser.field("用户名").await.is_some(), "the form stays");
    assert!(
        browser.nav_links().await.is_empty(),
        "no navigation before login"
    );
    assert!(!browser.has_text("王芳").await);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_starts_with_the_server_down_once_installed() {
    let data = temp_dir("data");
    let mut server = Server::start(data.path());
    let browser = Browser::new().await;

    browser.open(&server, "/").await;
    browser
        .log_in_demo(Lang::Zh, "consultant", "王芳", "试驾平板")
        .await;
    browser.wait_for_service_worker().await;

    server.stop();
    assert!(
        browser.fetch("/api/health").await.is_err(),
        "the server must really be unreachable"
    );
    browser.reload().await;
    browser.wait_ready().await;
    browser.wait_for_text("王芳").await;
    browser.wait_for_nav(&["销售"]).await;
    browser.wait_for_role("button", "退出登录").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_keeps_users_and_devices() {
    let data = temp_dir("data");
    let mut server = Server::start(data.path());
    let browser = Browser::new().await;

    browser.open(&server, "/").await;
    browser
        .log_in_demo(Lang::Zh, "consultant", "王芳", "交车区平板")
        .await;

    server.restart();

    browser.click_button("退出登录").await;
    browser.wait_for_field("用户名").await;
    browser
        .log_in_demo(
            Lang::Zh,
            "consultant",
            "王芳",
            "unused: the device has a name",
        )
        .await;
    browser.wait_for_nav(&["销售"]).await;

    let api = server.api();
    let token = api.login("gm", "e2e-api").await;
    let (status, devices) = api.get("/api/devices", &token).await;
    assert_eq!(status, 200, "{devices}");
    let tablets: Vec<_> = devices
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["name"] == "交车区平板")
        .collect();
    assert_eq!(
        tablets.len(),
        1,
        "the tablet registered before the restart is listed once: {devices}"
    );
    assert_eq!(tablets[0]["username"], "consultant");
    assert_eq!(tablets[0]["revoked"], false);
    browser.close().await;
}
