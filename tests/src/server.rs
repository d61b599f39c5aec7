//! The real `forecourt` binary, started on a free port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::{DEMO_PASSWORD, env};

/// How long a server may take to listen: a first start creates the demo store (argon2 for every
/// demo user, ~2,700 ops), which takes seconds on an idle machine and 20 s or more when two test
/// files run at once on two busy cores (`cargo xtask test` runs two at a time).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `forecourt` server; killed when dropped.
pub struct Server {
    child: Option<Child>,
    addr: SocketAddr,
    data: PathBuf,
    stderr: PathBuf,
    /// Extra arguments after the usual ones (e.g. `--no-demo`), kept across restarts.
    args: Vec<String>,
}

impl Server {
    /// Starts `FORECOURT_BIN --addr 127.0.0.1:0 --data DIR --site FORECOURT_SITE`
    /// and waits (20 s at most) for its listening line.
    pub fn start(data_dir: impl AsRef<Path>) -> Server {
        Server::start_with_args(data_dir, &[])
    }

    /// [`Server::start`] with extra arguments, e.g. `["--no-demo"]` for a server that starts
    /// without the demo store (its app opens the setup page).
    pub fn start_with_args(data_dir: impl AsRef<Path>, args: &[&str]) -> Server {
        let data = data_dir.as_ref().to_path_buf();
        let args: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        let (child, addr, stderr) = spawn(&data, "127.0.0.1:0", &args);
        Server {
            child: Some(child),
            addr,
            data,
            stderr,
            args,
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Stops the server the way an operator would (SIGTERM, then SIGKILL
    /// after 10 s) and waits until it has exited.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                _ => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops the server and starts it again on the same data dir and the same
    /// port, so that browsers keep their origin.
    pub fn restart(&mut self) {
        self.stop();
        let addr = self.addr.to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match try_spawn(&self.data, &addr, &self.args) {
                Ok((child, addr, stderr)) => {
                    self.child = Some(child);
                    self.addr = addr;
                    self.stderr = stderr;
                    return;
                }
                // The port may still be held for a moment after the old process exits.
                Err(e) if Instant::now() < deadline => {
                    eprintln!("restart: {e}; retrying");
                    thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("restarting the server: {e}"),
            }
        }
    }

    /// An HTTP client for the API of this server.
    pub fn api(&self) -> Api {
        Api {
            base: self.url(""),
            http: reqwest::Client::new(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(data: &Path, addr: &str, args: &[String]) -> (Child, SocketAddr, PathBuf) {
    try_spawn(data, addr, args).unwrap_or_else(|e| panic!("{e}"))
}

fn try_spawn(
    data: &Path,
    addr: &str,
    args: &[String],
) -> Result<(Child, SocketAddr, PathBuf), String> {
    let bin = env("FORECOURT_BIN");
    let site = env("FORECOURT_SITE");
    // stderr goes to a file next to the data (appended across restarts), so a failed start
    // can show it and a chatty server never blocks on a full pipe.
    let log_path = data.join("server-stderr.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| format!("could not open {}: {e}", log_path.display()))?;
    let mut cmd = Command::new(&bin);
    cmd.arg("--addr")
        .arg(addr)
        .arg("--data")
        .arg(data)
        .arg("--site")
        .arg(&site)
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stderr(Stdio::from(log));
    let describe = |why: String| {
        format!(
            "the server ({bin} --addr {addr} --data {}) {why}; its stderr:\n{}",
            data.display(),
            std::fs::read_to_string(&log_path).unwrap_or_default()
        )
    };
    let (mut child, url) =
        testkit::start_listening(&mut cmd, START_TIMEOUT).map_err(|e| describe(e.to_string()))?;
    match url
        .strip_prefix("http://")
        .unwrap_or(&url)
        .parse::<SocketAddr>()
    {
        Ok(bound) => Ok((child, bound, log_path)),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(describe(format!(
                "printed a listening line with a bad address: {url:?}"
            )))
        }
    }
}

/// A small JSON client for `/api`.
pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    /// `POST /api/auth/login` as a new device; returns the token.
    pub async fn login(&self, username: &str, device_name: &str) -> String {
        let body = testkit::login(
            &self.http,
            &self.base,
            username,
            DEMO_PASSWORD,
            uuid::Uuid::now_v7(),
            device_name,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        body["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in the login answer: {body}"))
            .to_string()
    }

    /// `GET path` with a token; returns the status and the JSON body
    /// (`Json::Null` when the body is empty or not JSON).
    pub async fn get(&self, path: &str, token: &str) -> (u16, Json) {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Json>,
    ) -> (u16, Json) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Json::Null))
    }
}
