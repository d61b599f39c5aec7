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
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("not_set_up"), "{body}");
    let (status, body) = http(&server.addr, "GET", "/api/setup", None);
    assert_eq!((status, body.as_str()), (200, r#"{"set_up":false}"#));
    assert_eq!(terminate(&mut server).code(), Some(0));
}

/// `forecourt setup` creates the store and its general manager once; the server then lets the
/// general manager in.
#[test]
fn setup_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pw = dir.path().join("gm.txt");
    let setup = |password: &str| {
        std::fs::write(&pw, format!("{password}\n")).unwrap();
        Command::new(BIN)
            .args(["setup", "--store-name", "城东4S店", "--gm-username", "boss"])
            .args(["--gm-display-name", "周总", "--utc-offset-minutes", "420"])
            .arg("--gm-password-file")
            .arg(&pw)
            .arg("--data")
            .arg(&data)
            .env_remove("FORECOURT_NO_DEMO")
            .output()
            .unwrap()
    };
    let weak = setup("1234567890");
    assert!(!weak.status.success());
    let err = String::from_utf8_lossy(&weak.stderr);
    assert!(err.contains("common password"), "{err}");

    let done = setup("Lantern-Harbour-42");
    let out = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        out.contains("set up with the general manager \"boss\""),
        "{out}"
    );
    let again = setup("Lantern-Harbour-42");
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("already has a store"), "{err}");

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
            r#"{"username":"boss","password":"Lantern-Harbour-42","device_id":"0190a0b0-0000-7000-8000-0000000000ac","device_name":"PC"}"#,
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""utc_offset_minutes":420"#), "{body}");
    assert!(body.contains(r#""demo":false"#), "{body}");
    assert_eq!(terminate(&mut server).code(), Some(0));
}

/// Like [`http`], with a bearer token.
fn get_auth(addr: &str, path: &str, token: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let resp = String::from_utf8(resp).unwrap();
    let status = resp[9..12].parse().unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    (status, body.to_owned())
}

/// What a new device sees of the store: every record of the snapshot and every op of the log,
/// as the consultant.
fn device_view(addr: &str) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let login = r#"{"username":"salesmgr","password":"demo1234","device_id":"0190a0b0-0000-7000-8000-0000000000c1","device_name":"销售经理平板"}"#;
    let (status, body) = http(addr, "POST", "/api/auth/login", Some(login));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = v["token"].as_str().unwrap().to_owned();
    let mut records = Vec::new();
    let mut after = String::new();
    loop {
        let (status, body) = get_auth(
            addr,
            &format!("/api/sync/snapshot?limit=1000{after}"),
            &token,
        );
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        records.extend(v["records"].as_array().unwrap().iter().cloned());
        match v["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    let mut ops = Vec::new();
    let mut cursor = 0;
    loop {
        let (status, body) = get_auth(
            addr,
            &format!("/api/sync/pull?after={cursor}&limit=1000"),
            &token,
        );
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        ops.extend(v["ops"].as_array().unwrap().iter().cloned());
        cursor = v["last_seq"].as_u64().unwrap();
        if !v["more"].as_bool().unwrap() {
            break;
        }
    }
    (records, ops)
}

/// Runs `forecourt <args…>` to its end; status, stdout, stderr.
fn cli(args: &[&std::ffi::OsStr]) -> (ExitStatus, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("FORECOURT_DATA")
        .env_remove("FORECOURT_ADDR")
        .output()
        .expect("run forecourt");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `forecourt backup` of a running server, `forecourt restore` into an empty data directory,
/// and a device syncing from the restored server sees the same records and ops.
#[test]
fn a_backup_of_a_running_server_restores_to_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("backup.redb");
    let mut first = start("127.0.0.1:0", &data);
    let before = device_view(&first.addr);
    assert!(!before.0.is_empty() && !before.1.is_empty());

    let (status, out, err) = cli(&[
        "backup".as_ref(),
        "--to".as_ref(),
        file.as_os_str(),
        "--data".as_ref(),
        data.as_os_str(),
        "--addr".as_ref(),
        first.addr.as_ref(),
    ]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("from the server"), "{out}");
    // Never over an existing file.
    let (status, _, err) = cli(&[
        "backup".as_ref(),
        "--to".as_ref(),
        file.as_os_str(),
        "--data".as_ref(),
        data.as_os_str(),
    ]);
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(terminate(&mut first).code(), Some(0));
    drop(first);

    // With no server running, the file is read directly.
    let offline = dir.path().join("offline.redb");
    let (status, out, err) = cli(&[
        "backup".as_ref(),
        "--to".as_ref(),
        offline.as_os_str(),
        "--data".as_ref(),
        data.as_os_str(),
    ]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("entries"), "{out}");
    forecourt_server::store::check_backup(&offline).unwrap();

    let restored = dir.path().join("restored");
    let (status, out, err) = cli(&[
        "restore".as_ref(),
        file.as_os_str(),
        "--data".as_ref(),
        restored.as_os_str(),
    ]);
    assert!(status.success(), "{out}{err}");
    // Only into an empty directory.
    let (status, _, err) = cli(&[
        "restore".as_ref(),
        file.as_os_str(),
        "--data".as_ref(),
        restored.as_os_str(),
    ]);
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("not empty"), "{err}");
    // Not a backup: refused, nothing written.
    let junk = dir.path().join("junk.redb");
    std::fs::write(&junk, b"not a database").unwrap();
    let (status, _, err) = cli(&[
        "restore".as_ref(),
        junk.as_os_str(),
        "--data".as_ref(),
        dir.path().join("other").as_os_str(),
    ]);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(!dir.path().join("other").join("forecourt.redb").exists());

    let mut second = start("127.0.0.1:0", &restored);
    let after = device_view(&second.addr);
    assert_eq!(after.0, before.0, "the same records");
    assert_eq!(after.1, before.1, "the same ops, seqs and receive times");
    assert_eq!(terminate(&mut second).code(), Some(0));
    let err = stderr_of(&mut second);
    assert!(!err.contains("created the demo store"), "{err}");
}
