//! Headless Debian chromium driven through chromedriver (fantoccini).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value as Json, json};

use crate::{DEMO_PASSWORD, Gate, Server, TIMEOUT, env, temp_dir};

/// The UI language, with the labels of docs/ui/shell.md "App UI contract".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn username(self) -> &'static str {
        self.pick("用户名", "Username")
    }
    pub fn password(self) -> &'static str {
        self.pick("密码", "Password")
    }
    pub fn device_name(self) -> &'static str {
        self.pick("设备名称", "Device name")
    }
    pub fn log_in(self) -> &'static str {
        self.pick("登录", "Log in")
    }
    pub fn log_out(self) -> &'static str {
        self.pick("退出登录", "Log out")
    }
    pub fn main_nav(self) -> &'static str {
        self.pick("主导航", "Main navigation")
    }
    /// The language switch's name while in this language.
    pub fn switch(self) -> &'static str {
        self.pick("English", "中文")
    }
    pub fn wrong_password(self) -> &'static str {
        self.pick("用户名或密码错误", "Wrong username or password")
    }
    /// The four areas' nav links, in order.
    pub fn areas(self) -> [&'static str; 4] {
        match self {
            Lang::Zh => ["销售", "售后", "客服", "管理"],
            Lang::En => ["Sales", "Service", "Customer care", "Management"],
        }
    }
    fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// One tablet: a chromium with a fresh profile behind its own [`Gate`].
pub struct Browser {
    client: Client,
    driver: Child,
    driver_addr: SocketAddr,
    session_id: Option<String>,
    gate: Gate,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session in headless chromium.
    pub async fn new() -> Browser {
        let chromedriver = env("CHROMEDRIVER");
        let chromium = env("CHROMIUM");
        let profile = temp_dir("chromium");
        let port = free_port();
        let driver_addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let log = profile.path().join("chromedriver.log");
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {chromedriver}: {e}"));
        let deadline = Instant::now() + TIMEOUT;
        while TcpStream::connect_timeout(&driver_addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {driver_addr} within {TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let user_data = profile.path().join("profile");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            format!("--user-data-dir={}", user_data.display()),
            "--window-size=1024,768".into(),
            // CI containers often have a tiny /dev/shm.
            "--disable-dev-shm-usage".into(),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://{driver_addr}"))
            .await
            .unwrap_or_else(|e| {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: String = log
                    .chars()
                    .rev()
                    .take(3000)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                panic!("could not open a chromium session: {e}\nchromedriver log (end):\n{tail}")
            });
        let session_id = client.session_id().await.ok().flatten();
        let gate = Gate::start().expect("starting the network gate");
        Browser {
            client,
            driver,
            driver_addr,
            session_id,
            gate,
            _profile: profile,
        }
    }

    /// The fantoccini client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Points this browser's network at `server` and opens `path` there.
    pub async fn open(&self, server: &Server, path: &str) {
        self.gate.set_upstream(server.addr());
        self.goto(path).await;
    }

    /// The URL of `path` as this browser sees the server (through its gate).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.gate.addr())
    }

    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    pub async fn reload(&self) {
        self.client.refresh().await.expect("reloading the page");
    }

    /// The path of the current URL (`/login`, `/sales`, …).
    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.path().to_string())
            .unwrap_or_default()
    }

    /// Waits until the current URL's path is `want`.
    pub async fn wait_for_path(&self, want: &str) {
        self.wait_until(&format!("the path {want}"), async || {
            (self.path().await == want).then_some(())
        })
        .await
    }

    /// Waits for the page of one record of the list at `list` (`{list}/{record id}`, e.g. after
    /// a form that creates a record); returns its path.
    pub async fn wait_for_record_page(&self, list: &str) -> String {
        self.wait_until(&format!("a record's page under {list}"), async || {
            let p = self.path().await;
            let id = p.strip_prefix(list)?.strip_prefix('/')?;
            uuid::Uuid::parse_str(id).is_ok().then_some(p)
        })
        .await
    }

    /// Cuts this browser's network (or gives it back): its gate closes every
    /// connection and refuses new ones, and chromium's own network emulation
    /// goes offline so the page also sees `navigator.onLine == false`.
    pub async fn set_offline(&self, offline: bool) {
        self.gate.set_offline(offline);
        let cmd = NetworkConditions { offline };
        if let Err(e) = self.client.issue_cmd(cmd).await {
            // The gate alone already cuts the network; say why the page may
            // still think it is online.
            eprintln!("chromium network emulation (offline={offline}) failed: {e}");
        }
    }

    pub fn is_offline(&self) -> bool {
        self.gate.is_offline()
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub async fn eval(&self, script: &str, args: Vec<Json>) -> Json {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs an async `script`; it must call `arguments[arguments.length - 1](result)`.
    pub async fn eval_async(&self, script: &str, args: Vec<Json>) -> Json {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\n{script}"))
    }

    /// `fetch(path)` from the page: `Ok(status)` or `Err(message)` when the
    /// request failed (no network).
    pub async fn fetch(&self, path: &str) -> Result<u16, String> {
        let out = self
            .eval_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0], {cache: 'no-store'})
                   .then(r => done({status: r.status}))
                   .catch(e => done({error: String(e)}));",
                vec![json!(path)],
            )
            .await;
        match out["status"].as_u64() {
            Some(s) => Ok(s as u16),
            None => Err(out["error"].as_str().unwrap_or("?").to_string()),
        }
    }

    /// Polls `probe` until it gives `Some`, for [`TIMEOUT`] at most; then
    /// fails with `what`, the page's URL and text, and a screenshot.
    pub async fn wait_until<T>(&self, what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(v) = probe().await {
                return v;
            }
            if Instant::now() >= deadline {
                self.fail(&format!("timed out after {TIMEOUT:?} waiting for {what}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Panics with `msg`, the URL, the visible text and a screenshot's path.
    pub async fn fail(&self, msg: &str) -> ! {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let text: String = text.chars().take(2000).collect();
        let shot = self.save_screenshot().await;
        panic!("{msg}\nurl: {url}\nscreenshot: {shot}\npage text:\n{text}");
    }

    /// Saves a PNG of the page under the temp dir; returns its path (or why not).
    pub async fn save_screenshot(&self) -> String {
        let dir = std::env::temp_dir().join("forecourt-e2e-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path: PathBuf = dir.join(format!("{nanos}.png"));
        match self.client.screenshot().await {
            Ok(png) => match std::fs::write(&path, png) {
                Ok(()) => path.display().to_string(),
                Err(e) => format!("(not saved: {e})"),
            },
            Err(e) => format!("(no screenshot: {e})"),
        }
    }

    /// The first displayed element matching `xpath`, if any.
    pub async fn visible(&self, xpath: &str) -> Option<Element> {
        let all = self.client.find_all(Locator::XPath(xpath)).await.ok()?;
        for el in all {
            if el.is_displayed().await.unwrap_or(false) {
                return Some(el);
            }
        }
        None
    }

    /// Waits until the app has mounted and loaded the session
    /// (`<body data-ready="true">`).
    pub async fn wait_ready(&self) {
        self.wait_until("<body data-ready=\"true\">", async || {
            self.client
                .find(Locator::Css("body[data-ready='true']"))
                .await
                .ok()
                .map(|_| ())
        })
        .await
    }

    /// Waits for a displayed element whose text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> Element {
        let xpath = text_xpath(text);
        self.wait_until(&format!("the text {text:?}"), async || {
            self.visible(&xpath).await
        })
        .await
    }

    /// Whether some displayed element's text contains `text` right now.
    pub async fn has_text(&self, text: &str) -> bool {
        self.visible(&text_xpath(text)).await.is_some()
    }

    /// Waits for a displayed element with `role` (explicit, or implied by its
    /// tag for button, link, navigation, heading, alert) whose text contains `text`.
    pub async fn wait_for_role(&self, role: &str, text: &str) -> Element {
        let lit = xpath_literal(role);
        let implied = match role {
            "button" => " | //button",
            "link" => " | //a[@href]",
            "navigation" => " | //nav",
            "heading" => " | //h1 | //h2 | //h3 | //h4 | //h5 | //h6",
            _ => "",
        };
        let xpath = format!("//*[@role={lit}]{implied}");
        self.wait_until(&format!("role={role} containing {text:?}"), async || {
            let all = self.client.find_all(Locator::XPath(&xpath)).await.ok()?;
            for el in all {
                if el.is_displayed().await.unwrap_or(false)
                    && el.text().await.is_ok_and(|t| t.contains(text))
                {
                    return Some(el);
                }
            }
            None
        })
        .await
    }

    /// The form control labelled `label` (exact label text first, then a label
    /// that starts with it): the label's `for=` target or the control inside it.
    pub async fn wait_for_field(&self, label: &str) -> Element {
        self.wait_until(&format!("a field labelled {label:?}"), async || {
            self.field(label).await
        })
        .await
    }

    /// The field labelled `label`, if it is on the page now.
    pub async fn field(&self, label: &str) -> Option<Element> {
        let lit = xpath_literal(label);
        for xpath in [
            format!("//label[normalize-space(.)={lit}]"),
            format!("//label[starts-with(normalize-space(.), {lit})]"),
        ] {
            let Some(label_el) = self.visible(&xpath).await else {
                continue;
            };
            let target = match label_el.attr("for").await.ok().flatten() {
                Some(id) => {
                    self.client
                        .find(Locator::XPath(&format!("//*[@id={}]", xpath_literal(&id))))
                        .await
                }
                None => {
                    label_el
                        .find(Locator::XPath(".//input | .//select | .//textarea"))
                        .await
                }
            };
            if let Ok(el) = target {
                return Some(el);
            }
        }
        None
    }

    /// Types `value` into the field labelled `label` (replacing its content).
    pub async fn fill(&self, label: &str, value: &str) {
        let el = self.wait_for_field(label).await;
        // A `<select>` (e.g. 意向车型 from the catalogue): choose the option shown as `value`.
        if el.prop("tagName").await.ok().flatten().as_deref() == Some("SELECT") {
            return self.select(label, value).await;
        }
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clearing {label:?}: {e}"));
        el.send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("typing into {label:?}: {e}"));
        let typed = el.prop("value").await.ok().flatten().unwrap_or_default();
        if typed != value {
            // Some characters cannot be typed through chromedriver; set the
            // value the way an IME would deliver it.
            self.eval(
                "const [el, v] = arguments;
                 const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set;
                 setter.call(el, v);
                 el.dispatchEvent(new Event('input', {bubbles: true}));
                 el.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![serde_json::to_value(&el).expect("element as JSON"), json!(value)],
            )
            .await;
        }
    }

    /// Chooses, in the `<select>` labelled `label`, the option whose visible text is
    /// `option_text` (else the first that starts with it), waiting until it is offered.
    pub async fn select(&self, label: &str, option_text: &str) {
        let el = self.wait_for_field(label).await;
        let arg = serde_json::to_value(&el).expect("element as JSON");
        self.wait_until(
            &format!("an option {option_text:?} in {label:?}"),
            async || {
                let chosen = self
                    .eval(
                        "const [el, t] = arguments;
                         const opts = [...el.options];
                         const o = opts.find(o => o.text.trim() === t)
                             || opts.find(o => o.text.trim().startsWith(t));
                         if (!o) return false;
                         el.value = o.value;
                         el.dispatchEvent(new Event('change', {bubbles: true}));
                         return true;",
                        vec![arg.clone(), json!(option_text)],
                    )
                    .await;
                (chosen == json!(true)).then_some(())
            },
        )
        .await
    }

    /// Waits until no displayed element's text contains `text`.
    pub async fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to disappear"), async || {
            (!self.has_text(text).await).then_some(())
        })
        .await
    }

    /// Chooses the option whose `value` is `value` in the `<select>` labelled `label`.
    pub async fn choose_value(&self, label: &str, value: &str) {
        let el = self.wait_for_field(label).await;
        let arg = serde_json::to_value(&el).expect("element as JSON");
        self.wait_until(
            &format!("an option of value {value:?} in {label:?}"),
            async || {
                let chosen = self
                    .eval(
                        "const [el, v] = arguments;
                         if (![...el.options].some(o => o.value === v)) return false;
                         el.value = v;
                         el.dispatchEvent(new Event('change', {bubbles: true}));
                         return true;",
                        vec![arg.clone(), json!(value)],
                    )
                    .await;
                (chosen == json!(true)).then_some(())
            },
        )
        .await
    }

    /// Chooses the first enabled option with a value in the `<select>` labelled `label`, waiting
    /// until there is one; returns its value.
    pub async fn choose_first(&self, label: &str) -> String {
        let el = self.wait_for_field(label).await;
        let arg = serde_json::to_value(&el).expect("element as JSON");
        self.wait_until(&format!("an option in {label:?}"), async || {
            let v = self
                .eval(
                    "const [el] = arguments;
                     const o = [...el.options].find(o => o.value && !o.disabled);
                     if (!o) return null;
                     el.value = o.value;
                     el.dispatchEvent(new Event('change', {bubbles: true}));
                     return o.value;",
                    vec![arg.clone()],
                )
                .await;
            v.as_str().map(str::to_string)
        })
        .await
    }

    /// Waits for a button with the accessible name `name` and clicks it.
    pub async fn click_button(&self, name: &str) {
        let xpath = button_xpath(name);
        let el = self
            .wait_until(&format!("a button named {name:?}"), async || {
                let el = self.visible(&xpath).await?;
                el.is_enabled().await.unwrap_or(false).then_some(el)
            })
            .await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("clicking the button {name:?}: {e}"));
    }

    /// Whether a displayed button named `name` is on the page now.
    pub async fn has_button(&self, name: &str) -> bool {
        self.visible(&button_xpath(name)).await.is_some()
    }

    /// Waits for a link named `name` and clicks it.
    pub async fn click_link(&self, name: &str) {
        let lit = xpath_literal(name);
        let xpath = format!("//a[normalize-space(.)={lit} or @aria-label={lit}]");
        let el = self
            .wait_until(&format!("a link named {name:?}"), async || {
                self.visible(&xpath).await
            })
            .await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("clicking the link {name:?}: {e}"));
    }

    /// The texts of the links in the main navigation (in either language),
    /// empty when there is no navigation.
    pub async fn nav_links(&self) -> Vec<String> {
        let xpath = "//nav[@aria-label='主导航' or @aria-label='Main navigation']//a";
        let mut out = Vec::new();
        if let Ok(links) = self.client.find_all(Locator::XPath(xpath)).await {
            for a in links {
                if a.is_displayed().await.unwrap_or(false)
                    && let Ok(t) = a.text().await
                {
                    out.push(t.trim().to_string());
                }
            }
        }
        out
    }

    /// Waits until the main navigation's links are exactly `want`, in order.
    pub async fn wait_for_nav(&self, want: &[&str]) {
        self.wait_until(&format!("navigation links {want:?}"), async || {
            let have = self.nav_links().await;
            (have == want).then_some(())
        })
        .await
    }

    /// Logs in through the login form in `lang`, naming the device if the
    /// form asks for a device name (it does only until the device has one).
    pub async fn log_in(&self, lang: Lang, username: &str, password: &str, device_name: &str) {
        self.fill(lang.username(), username).await;
        self.fill(lang.password(), password).await;
        if self.field(lang.device_name()).await.is_some() {
            self.fill(lang.device_name(), device_name).await;
        }
        self.click_button(lang.log_in()).await;
    }

    /// Logs in as a demo user and waits for the header with `display_name`.
    pub async fn log_in_demo(&self, lang: Lang, username: &str, display_name: &str, device: &str) {
        self.wait_ready().await;
        self.log_in(lang, username, DEMO_PASSWORD, device).await;
        self.wait_for_text(display_name).await;
    }

    /// The value shown next to the label `label` on a record's page
    /// (`<dt>label</dt><dd>value</dd>`), trimmed; "" when it is not on the page.
    pub async fn shown_value(&self, label: &str) -> String {
        let xpath = format!(
            "//main//*[normalize-space(.)={}]/following-sibling::*[1]",
            xpath_literal(label)
        );
        match self.visible(&xpath).await {
            Some(el) => el.text().await.unwrap_or_default().trim().to_string(),
            None => String::new(),
        }
    }

    /// A fresh browser on `server`, logged in (in Chinese) as the demo user `username`, whose
    /// header shows `display_name`, naming the device `device`, once its first sync is done and
    /// the app's files are on the device (the status says 可离线使用 and a service worker controls
    /// the page), so that a test may cut the network at once, as a person leaving with a set-up
    /// tablet does.
    pub async fn synced(
        server: &Server,
        username: &str,
        display_name: &str,
        device: &str,
    ) -> Browser {
        let browser = Browser::new().await;
        browser.open(server, "/").await;
        browser
            .log_in_demo(Lang::Zh, username, display_name, device)
            .await;
        browser.wait_for_role("status", "已同步").await;
        // The app's own word that its files are on the device (the service worker installed).
        browser.wait_for_role("status", "可离线使用").await;
        browser.wait_for_service_worker().await;
        browser
    }

    /// Waits until a service worker controls the page (so the app shell is
    /// cached and the app starts offline).
    pub async fn wait_for_service_worker(&self) {
        self.wait_until("a service worker controlling the page", async || {
            let v = self
                .client
                .execute(
                    "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
                    vec![],
                )
                .await
                .ok()?;
            (v == Json::Bool(true)).then_some(())
        })
        .await
    }

    /// Ends the session (chromium quits) and stops chromedriver.
    pub async fn close(mut self) {
        if self.session_id.take().is_some() {
            let _ = self.client.clone().close().await;
        }
        // Drop stops chromedriver.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(id) = self.session_id.take() {
            // No async here: end the session with a bare HTTP request so that
            // chromium quits instead of outliving the test.
            delete_session(self.driver_addr, &id);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn delete_session(addr: SocketAddr, id: &str) {
    use std::io::{Read, Write};
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let req = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(req.as_bytes()).is_ok() {
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("finding a free port")
}

/// chromedriver's `POST|DELETE /session/{id}/chromium/network_conditions`.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        if self.offline {
            let body = json!({ "network_conditions": {
                "offline": true,
                "latency": 0,
                "download_throughput": 0,
                "upload_throughput": 0,
            }});
            (http::Method::POST, Some(body.to_string()))
        } else {
            (http::Method::DELETE, None)
        }
    }
}

/// An XPath string literal for `s` (XPath 1.0 has no escapes).
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// The innermost elements whose text (across text nodes and inline children,
/// as a user reads it: `<span>1</span> 条更改待同步`) contains `text`.
fn text_xpath(text: &str) -> String {
    let lit = xpath_literal(text);
    format!(
        "//body//*[not(self::script or self::style or self::noscript)]\
         [contains(normalize-space(.), {lit})][not(*[contains(normalize-space(.), {lit})])]"
    )
}

fn button_xpath(name: &str) -> String {
    let lit = xpath_literal(name);
    format!(
        "//button[normalize-space(.)={lit} or @aria-label={lit}] \
         | //*[@role='button'][normalize-space(.)={lit} or @aria-label={lit}] \
         | //input[(@type='submit' or @type='button') and @value={lit}]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_literals_survive_quotes() {
        assert_eq!(xpath_literal("王芳"), "'王芳'");
        assert_eq!(xpath_literal("it's"), "\"it's\"");
        assert_eq!(xpath_literal("a'b\"c"), "concat('a', \"'\", 'b\"c')");
    }
}
