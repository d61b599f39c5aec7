//! The real `forecourt` binary: startup line, errors, signals, restarts.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_forecourt");

/// A running server; killed if the test fails before stopping it.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(addr: &str, data: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args(["--addr", addr, "--site"])
        .arg(data.join("no-site"))
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "info")
        .env_remove("FORECOURT_NO_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Starts the server and waits for its listening line.
fn start(addr: &str, data: &Path) -> Server {
    let mut child = command(addr, data).spawn().expect("spawn forecourt");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
        // Keep draining so the server never blocks on a full pipe.
        for _ in lines.map_while(Result::ok) {}
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("no listening line within 60 s");
    let addr = line
        .strip_prefix("forecourt: listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Server { child, addr }
}

/// Runs the binary to its end; returns its status and stderr.
fn run_to_end(addr: &str, data: &Path) -> (ExitStatus, String) {
    let mut child = command(addr, data).spawn().expect("spawn forecourt");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            assert!(out.is_empty(), "nothing on stdout when it fails: {out}");
            return (status, err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("forecourt did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A minimal HTTP/1.1 exchange; returns status and body.
fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp[9..12].parse().unwrap();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_owned();
    (status, body)
}

fn terminate(server: &mut Server) -> ExitStatus {
    signal(server, "-TERM")
}

/// Sends a signal (`-TERM`, `-INT`) to the server process and waits for its exit.
fn signal(server: &mut Server, sig: &str) -> ExitStatus {
    let pid = server.child.id().to_string();
    let ok = Command::new("kill").args([sig, &pid]).status().unwrap();
    assert!(ok.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stderr_of(server: &mut Server) -> String {
    let mut err = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

#[test]
fn prints_the_listening_line_on_port_0_serves_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = start("127.0.0.1:0", &data);
    assert!(!server.addr.ends_with(":0"), "{}", server.addr);
    assert!(
        data.join("forecourt.redb").is_file(),
        "data dir and db created"
    );

    let (status, body) = http(&server.addr, "GET", "/api/health", None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"store_ok\":true"), "{body}");
    // Not built: a one-line hint.
    let (status, body) = http(&server.addr, "GET", "/", None);
    assert_eq!(status, 503);
    assert!(body.contains("cargo xtask build"));

    let status = terminate(&mut server);
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    let err = stderr_of(&mut server);
    assert!(err.contains("SIGTERM"), "{err}");
    assert!(err.contains("database closed"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_second_instance_on_the_same_port_exits_1_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = start("127.0.0.1:0", &dir.path().join("a"));
    let (status, err) = run_to_end(&server.addr, &dir.path().join("b"));
    assert_eq!(status.code(), Some(1), "{err}");
    let expected = format!(
        "forecourt: cannot listen on {}: address already in use",
        server.addr
    );
    assert_eq!(err.trim_end(), expected);
    assert!(!dir.path().join("b").exists(), "fails before touching data");
}

#[test]
fn a_port_taken_by_another_program_is_reported_too() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (status, err) = run_to_end(&addr, dir.path());
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        err.trim_end(),
        format!("forecourt: cannot listen on {addr}: address already in use")
    );
}

#[test]
fn an_unwritable_data_dir_exits_1_with_a_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let data = file.join("data");
    let (status, err) = run_to_end("127.0.0.1:0", &data);
    assert_eq!(status.code(), Some(1), "{err}");
    let last = err.trim_end().lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!(
            "forecourt: cannot create data directory {}: ",
            data.display()
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_data_dir_in_use_by_another_instance_exits_1_with_a_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let _first = start("127.0.0.1:0", &data);
    let (status, err) = run_to_end("127.0.0.1:0", &data);
    assert_eq!(status.code(), Some(1), "{err}");
    let last = err.trim_end().lines().last().unwrap_or("");
    assert_eq!(
        last,
        format!(
            "forecourt: database {} is in use by another forecourt process",
            data.join("forecourt.redb").display()
        ),
        "{err}"
    );
}

#[test]
fn a_restart_keeps_users_and_devices() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let login = r#"{"username":"gm","password":"demo1234","device_id":"0190a0b0-0000-7000-8000-0000000000aa","device_name":"总经理电脑"}"#;

    let mut first = start("127.0.0.1:0", &data);
    let (status, body) = http(&first.addr, "POST", "/api/auth/login", Some(login));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let user_id = v["user"]["id"].clone();
    assert_eq!(terminate(&mut first).code(), Some(0));
    drop(first);

    let mut second = start("127.0.0.1:0", &data);
    // The device is known: no name needed, and the user is the same one.
    let again = login.replace("总经理电脑", "");
    let (status, body) = http(&second.addr, "POST", "/api/auth/login", Some(&again));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["user"]["id"], user_id, "demo data not recreated");
    assert_eq!(v["device"]["name"], "总经理电脑");
    assert_eq!(
        signal(&mut second, "-INT").code(),
        Some(0),
        "SIGINT is graceful too"
    );
    let err = stderr_of(&mut second);
    assert!(
        err.contains("SIGINT") && err.contains("database closed"),
        "{err}"
    );
    assert!(!err.contains("created the demo store"), "{err}");
}

#[test]
fn no_demo_leaves_the_store_empty() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut c = command("127.0.0.1:0", &data);
    c.env("FORECOURT_NO_DEMO", "1");
    let mut child = c.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("forecourt: listening on http://")
        .unwrap()
        .to_owned();
    let mut server = Server { child, addr };
    let (status, body) = http(
        &server.addr,
        "POST",
        "/api/auth/login",
        Some(
            r#"{"username":"gm","password":"demo1234","device_id":"0190a0b0-0000-7000-8000-0000000000ab","device_name":"PC"}"#,
        ),
    );
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("bad_credentials"));
    assert_eq!(terminate(&mut server).code(), Some(0));
}
