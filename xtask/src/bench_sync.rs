//! `cargo xtask bench-sync [--quick]`: the sync benchmark of issue 4.
//!
//! Starts the release server on a temp data dir (with the demo store, whose users the simulated
//! devices log in as) and, in the same run, pouchdb-server in memory (npm, pinned in
//! `xtask/bench/package.json`, installed into `target/tools/bench-sync`), and does the same work
//! on both:
//! 1. a roadshow day: one device pushes 2,000 new A-cards in pushes of 50, a second device pulls
//!    them in pages of 1,000;
//! 2. 100 devices × 200 ops concurrently, pushes of 20: ops/s, p50/p99 push latency, server RSS;
//! 3. a new device's first sync of 100,000 records: the store is topped up to 100,000 records
//!    (pushes of 500; the setup is timed too), then a new device pages through them (1,000 a
//!    page) and parses every record.
//!
//! In both first syncs the client reads each page's cursor at once and parses the page's records
//! on the blocking pool while it fetches the next page.
//!
//! Request bodies are made before each clock starts. The client runs in this process; in a debug
//! build of xtask it first builds itself in release mode and runs that, so that the client's
//! JSON parsing is as fast as the app's.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use domain::sync::{Change, Clock, Op, RecordState};
use serde::Deserialize;
use serde_json::{Value, json};
use testkit::{Rng, now_ms};
use uuid::Uuid;

use crate::util;

/// The pinned pouchdb-server (also in `xtask/bench/package.json`).
const POUCHDB_SERVER_VERSION: &str = "4.2.0";
/// The line the server prints once it is bound.
/// Set when a debug xtask re-runs itself in release mode.
const INNER_ENV: &str = "FORECOURT_BENCH_SYNC_RELEASE";
/// Demo users who may write A-cards (every demo password is `demo1234`).
const WRITERS: [&str; 4] = ["consultant", "zhaolei", "qianli", "sunhao"];

/// The work, full size or scaled down 10× (`--quick`).
#[derive(Debug, Clone, Copy)]
struct Plan {
    roadshow_ops: usize,
    roadshow_batch: usize,
    pull_page: usize,
    devices: usize,
    ops_per_device: usize,
    device_batch: usize,
    first_sync_records: usize,
    setup_batch: usize,
    snapshot_page: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        let s = if quick { 10 } else { 1 };
        Plan {
            roadshow_ops: 2_000 / s,
            roadshow_batch: 50,
            pull_page: 1_000,
            devices: 100 / s,
            ops_per_device: 200,
            device_batch: 20,
            first_sync_records: 100_000 / s,
            setup_batch: 500,
            snapshot_page: 1_000,
        }
    }
}

/// The figures of one system.
#[derive(Debug, Default, Clone)]
struct Figures {
    roadshow_push: Duration,
    roadshow_pull: Duration,
    roadshow_pulled: usize,
    conc_elapsed: Duration,
    conc_ops: usize,
    conc_p50: Duration,
    conc_p99: Duration,
    rss_after_conc_kb: u64,
    /// Server CPU time used during step 2.
    conc_cpu: Duration,
    setup_records: usize,
    setup: Duration,
    first_sync_records: usize,
    first_sync: Duration,
    rss_end_kb: u64,
    hwm_end_kb: u64,
}

/// `cargo xtask bench-sync [--quick]`.
pub fn bench_sync(quick: bool) -> Result<()> {
    if cfg!(debug_assertions) && std::env::var_os(INNER_ENV).is_none() {
        // The client parses every pulled op and record: measure it optimised.
        util::run(util::cargo().args(["build", "--release", "--package", "xtask"]))?;
        let me = util::target_dir().join("release").join("xtask");
        let mut cmd = Command::new(me);
        cmd.current_dir(util::root())
            .env(INNER_ENV, "1")
            .arg("bench-sync");
        if quick {
            cmd.arg("--quick");
        }
        return util::run(&mut cmd);
    }
    let command = if quick {
        "cargo xtask bench-sync --quick"
    } else {
        "cargo xtask bench-sync"
    };
    util::run(util::cargo().args(["build", "--release", "--package", "forecourt-server"]))?;
    let bin = util::target_dir().join("release").join("forecourt");
    let pouch = match if std::env::var_os("BENCH_SYNC_NO_POUCH").is_some() {
        Err(anyhow::anyhow!("BENCH_SYNC_NO_POUCH is set"))
    } else {
        install_pouchdb_server()
    } {
        Ok(p) => Some(p),
        Err(e) => {
            println!("xtask: pouchdb-server could not be installed ({e:#}); forecourt only");
            None
        }
    };
    let plan = Plan::new(quick);
    let load_before = loadavg();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    println!("xtask: forecourt ({command})");
    let ours = rt.block_on(run_forecourt(&bin, plan))?;
    let theirs = match &pouch {
        Some(p) => {
            println!("xtask: pouchdb-server {POUCHDB_SERVER_VERSION} (in memory)");
            match rt.block_on(run_pouch(p, plan)) {
                Ok(f) => Some(f),
                Err(e) => {
                    println!("xtask: pouchdb-server run failed: {e:#}");
                    None
                }
            }
        }
        None => None,
    };
    let load_after = loadavg();
    report(
        command,
        plan,
        &ours,
        theirs.as_ref(),
        &load_before,
        &load_after,
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Ops and documents

/// A simulated device: who it is and the clock it stamps with.
struct Device {
    id: Uuid,
    user_id: String,
    clock: Clock,
    rng: Rng,
}

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建华", "晓明", "丽娟", "志强", "秀英", "伟", "芳", "磊", "静", "军", "敏", "洋",
];
const MODELS: [&str; 5] = [
    "corolla_2026",
    "camry_2026",
    "rav4_2026",
    "highlander_2026",
    "levin_2026",
];
const DISTRICTS: [&str; 5] = ["天河区", "海珠区", "越秀区", "番禺区", "白云区"];

impl Device {
    fn new(user_id: String, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        Device {
            id: rng.id(),
            user_id,
            clock: Clock::new(),
            rng,
        }
    }

    /// A new A-card taken at a roadshow: one op with what a consultant types on the tablet.
    fn new_card(&mut self) -> Op {
        let r = &mut self.rng;
        let set = |field: &str, value: Value| Change::Set {
            field: field.into(),
            value,
            supersedes: vec![],
        };
        let name = format!(
            "{}{}",
            SURNAMES[r.below(12) as usize],
            GIVEN[r.below(12) as usize]
        );
        let phone = format!("1{}{:09}", 3 + r.below(7), r.below(1_000_000_000));
        let changes = vec![
            set("name", json!(name)),
            set("phone", json!(phone)),
            set("intended_model", json!(MODELS[r.below(5) as usize])),
            set("grade", json!(["H", "A", "B", "C"][r.below(4) as usize])),
            set("source", json!("offsite_event")),
            set("consultant_id", json!(self.user_id)),
            set("district", json!(DISTRICTS[r.below(5) as usize])),
            set(
                "first_contact_at",
                json!(format!(
                    "2026-05-16T{:02}:{:02}:00",
                    9 + r.below(9),
                    r.below(60)
                )),
            ),
        ];
        let record_id = r.id();
        let op_id = r.id();
        Op {
            op_id,
            device_id: self.id,
            user_id: self.user_id.clone(),
            store_id: "demo".into(),
            record_id,
            record_type: "a_card".into(),
            hlc: self.clock.now(now_ms()),
            changes,
        }
    }

    /// `batches` push bodies of `batch` new A-cards each.
    fn bodies(&mut self, ops: usize, batch: usize, system: System) -> Vec<String> {
        let mut out = Vec::new();
        let mut left = ops;
        while left > 0 {
            let n = left.min(batch);
            left -= n;
            let ops: Vec<Op> = (0..n).map(|_| self.new_card()).collect();
            out.push(system.body(&ops));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum System {
    Forecourt,
    Pouch,
}

impl System {
    /// The push body: `{ops}` for forecourt; `{docs}` for CouchDB's `_bulk_docs`, each document
    /// the same op with the record id as `_id`.
    fn body(self, ops: &[Op]) -> String {
        match self {
            System::Forecourt => json!({ "ops": ops }).to_string(),
            System::Pouch => {
                let docs: Vec<Value> = ops
                    .iter()
                    .map(|op| {
                        let mut v = serde_json::to_value(op).expect("an op is JSON");
                        v["_id"] = json!(op.record_id.to_string());
                        v
                    })
                    .collect();
                json!({ "docs": docs }).to_string()
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Servers

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "forecourt-{tag}-{}-{}",
            std::process::id(),
            now_ms()
        ));
        fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn start_forecourt(bin: &Path, data: &Path) -> Result<(Proc, String)> {
    let mut cmd = Command::new(bin);
    cmd.args(["--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .arg("--site")
        .arg(data.join("no-site"))
        .env(
            "RUST_LOG",
            std::env::var("BENCH_SYNC_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .env_remove("FORECOURT_NO_DEMO")
        .stdin(Stdio::null())
        .stderr(match std::env::var_os("BENCH_SYNC_SERVER_STDERR") {
            Some(path) => Stdio::from(std::fs::File::create(path)?),
            None => Stdio::null(),
        });
    let (child, base) = testkit::start_listening(&mut cmd, Duration::from_secs(120))
        .with_context(|| format!("starting {}", bin.display()))?;
    Ok((Proc(child), base))
}

/// Installs the pinned pouchdb-server into `target/tools/bench-sync`; returns its script.
fn install_pouchdb_server() -> Result<PathBuf> {
    let dir = util::target_dir().join("tools").join("bench-sync");
    let script = dir
        .join("node_modules")
        .join("pouchdb-server")
        .join("bin")
        .join("pouchdb-server");
    let pinned = util::root()
        .join("xtask")
        .join("bench")
        .join("package.json");
    let installed = dir
        .join("node_modules")
        .join("pouchdb-server")
        .join("package.json");
    let version_ok = fs::read_to_string(&installed)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .is_some_and(|v| v["version"] == POUCHDB_SERVER_VERSION);
    if script.is_file() && version_ok {
        return Ok(script);
    }
    println!(
        "xtask: installing pouchdb-server {POUCHDB_SERVER_VERSION} (npm) into target/tools/bench-sync"
    );
    fs::create_dir_all(&dir)?;
    fs::copy(&pinned, dir.join("package.json"))
        .with_context(|| format!("copying {}", pinned.display()))?;
    let lock = pinned.with_file_name("package-lock.json");
    if lock.is_file() {
        fs::copy(&lock, dir.join("package-lock.json"))?;
    }
    util::run(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&dir)
            // No install scripts: they would build sqlite3 and leveldown from source, and
            // `--in-memory` uses neither.
            .args([
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ]),
    )?;
    if !script.is_file() {
        bail!("{} is missing after npm install", script.display());
    }
    Ok(script)
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn start_pouch(script: &Path, dir: &Path) -> Result<(Proc, String)> {
    let port = free_port()?;
    let child = Command::new("node")
        .arg(script)
        .args(["--in-memory", "--no-stdout-logs", "--host", "127.0.0.1"])
        .arg("--port")
        .arg(port.to_string())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting node {}", script.display()))?;
    let proc = Proc(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((proc, base));
        }
        if Instant::now() > deadline {
            bail!("pouchdb-server did not listen on {base} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// CPU time (user + system) the process has used so far, from `/proc/PID/stat`.
fn cpu_time(pid: u32) -> Duration {
    let ticks = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command (which is in parentheses and may hold spaces); utime
            // and stime are fields 14 and 15 of the line, 12 and 13 after it.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

fn vm_kb(pid: u32, key: &str) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

// ---------------------------------------------------------------------------------------------
// Clients

async fn check(r: reqwest::Response, what: &str) -> Result<bytes::Bytes> {
    let status = r.status();
    let body = r.bytes().await?;
    if !status.is_success() {
        bail!(
            "{what}: {status} {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
    }
    Ok(body)
}

/// A forecourt device logged in: its token and its [`Device`].
async fn login(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    seed: u64,
) -> Result<(String, Device)> {
    let mut dev = Device::new(String::new(), seed);
    let v = testkit::login(
        http,
        base,
        user,
        "demo1234",
        dev.id,
        &format!("bench-sync {seed}"),
    )
    .await
    .map_err(anyhow::Error::msg)?;
    dev.user_id = v["user"]["id"].as_str().context("user id")?.to_owned();
    Ok((v["token"].as_str().context("token")?.to_owned(), dev))
}

/// Pushes one body; returns its latency.
async fn push(
    http: &reqwest::Client,
    system: System,
    base: &str,
    token: &str,
    body: String,
) -> Result<Duration> {
    let t = Instant::now();
    let r = match system {
        System::Forecourt => http
            .post(format!("{base}/api/sync/push"))
            .bearer_auth(token),
        System::Pouch => http.post(format!("{base}/bench/_bulk_docs")),
    }
    .header("content-type", "application/json")
    .body(body)
    .send()
    .await?;
    let _ = check(r, "push").await?;
    Ok(t.elapsed())
}

#[derive(Deserialize)]
struct PullPage {
    ops: Vec<Pulled>,
    last_seq: u64,
    more: bool,
}

#[derive(Deserialize)]
struct Pulled {
    #[allow(dead_code)]
    seq: u64,
    op: Op,
}

#[derive(Deserialize)]
struct SnapshotPage {
    records: Vec<RecordState>,
    total: u64,
}

/// A snapshot page's cursor (the records skipped unparsed).
#[derive(Deserialize)]
struct SnapshotHead {
    next: Option<String>,
    seq: u64,
}

/// A `_changes` page's cursor and size (the documents skipped unparsed).
#[derive(Deserialize)]
struct ChangesHead {
    results: Vec<serde::de::IgnoredAny>,
    last_seq: Value,
}

#[derive(Deserialize)]
struct ChangesPage {
    results: Vec<ChangeRow>,
}

#[derive(Deserialize)]
struct ChangeRow {
    doc: Op,
}

/// Forecourt: pulls every op after `after`, parsing each; returns how many and the last seq.
async fn pull_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    mut after: u64,
    page: usize,
) -> Result<(usize, u64)> {
    let mut n = 0;
    loop {
        let r = http
            .get(format!("{base}/api/sync/pull?after={after}&limit={page}"))
            .bearer_auth(token)
            .send()
            .await?;
        let p: PullPage = serde_json::from_slice(&check(r, "pull").await?)?;
        n += p.ops.len();
        std::hint::black_box(&p.ops.last().map(|o| &o.op));
        after = p.last_seq;
        if !p.more {
            return Ok((n, after));
        }
    }
}

/// pouchdb-server: reads `_changes` with the documents from the start, parsing each document as
/// an op; returns how many.
async fn changes_all(http: &reqwest::Client, base: &str, page: usize) -> Result<usize> {
    let mut since = Value::from(0);
    let mut n = 0;
    let mut parsing = Vec::new();
    loop {
        let since_s = match &since {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let r = http
            .get(format!(
                "{base}/bench/_changes?since={since_s}&limit={page}&include_docs=true"
            ))
            .send()
            .await?;
        let body = check(r, "_changes").await?;
        // As for forecourt: the cursor now, the documents on the blocking pool.
        let head: ChangesHead = serde_json::from_slice(&body)?;
        let got = head.results.len();
        parsing.push(tokio::task::spawn_blocking(move || {
            let p: ChangesPage = serde_json::from_slice(&body)?;
            std::hint::black_box(&p.results.last().map(|r| &r.doc));
            anyhow::Ok(p.results.len())
        }));
        since = head.last_seq;
        if got < page {
            break;
        }
    }
    for p in parsing {
        n += p.await??;
    }
    Ok(n)
}

/// Scenario 2 on either system: every device pushes its bodies one after the other, all devices
/// at once. Returns (elapsed, ops, sorted latencies).
async fn concurrent(
    http: &reqwest::Client,
    system: System,
    base: &str,
    devices: Vec<(String, Vec<String>)>,
    ops_per_body: usize,
) -> Result<(Duration, usize, Vec<Duration>)> {
    let start = Instant::now();
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|(token, bodies)| {
            let http = http.clone();
            let base = base.to_owned();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                for body in bodies {
                    lat.push(push(&http, system, &base, &token, body).await?);
                }
                anyhow::Ok(lat)
            })
        })
        .collect();
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await??);
    }
    let elapsed = start.elapsed();
    lat.sort();
    Ok((elapsed, lat.len() * ops_per_body, lat))
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .pool_max_idle_per_host(256)
        .build()?)
}

async fn run_forecourt(bin: &Path, plan: Plan) -> Result<Figures> {
    let data = TempDir::new("bench-sync")?;
    let (server, base) = start_forecourt(bin, &data.0)?;
    let pid = server.0.id();
    let http = http_client()?;
    let mut f = Figures::default();

    // The demo store's own history comes first; the roadshow device's colleague has synced it.
    let (reader_token, _) = login(&http, &base, "salesmgr", 1).await?;
    let (demo_ops, base_seq) = pull_all(&http, &base, &reader_token, 0, 1000).await?;
    println!("  the demo store holds {demo_ops} ops (seq {base_seq}) before the benchmark");

    // 1. Roadshow day.
    let (token, mut dev) = login(&http, &base, "consultant", 2).await?;
    let bodies = dev.bodies(plan.roadshow_ops, plan.roadshow_batch, System::Forecourt);
    let t = Instant::now();
    for body in bodies {
        push(&http, System::Forecourt, &base, &token, body).await?;
    }
    f.roadshow_push = t.elapsed();
    let t = Instant::now();
    let (n, _) = pull_all(&http, &base, &reader_token, base_seq, plan.pull_page).await?;
    f.roadshow_pull = t.elapsed();
    f.roadshow_pulled = n;
    if n != plan.roadshow_ops {
        bail!("pulled {n} ops, expected {}", plan.roadshow_ops);
    }
    println!(
        "  1. roadshow: push {} ops in {}, pull in {}",
        plan.roadshow_ops,
        ms(f.roadshow_push),
        ms(f.roadshow_pull)
    );

    // 2. Concurrent devices.
    let mut devices = Vec::new();
    for d in 0..plan.devices {
        let (token, mut dev) =
            login(&http, &base, WRITERS[d % WRITERS.len()], 100 + d as u64).await?;
        let bodies = dev.bodies(plan.ops_per_device, plan.device_batch, System::Forecourt);
        devices.push((token, bodies));
    }
    let cpu = cpu_time(pid);
    let (elapsed, ops, lat) =
        concurrent(&http, System::Forecourt, &base, devices, plan.device_batch).await?;
    f.conc_cpu = cpu_time(pid).saturating_sub(cpu);
    f.conc_elapsed = elapsed;
    f.conc_ops = ops;
    f.conc_p50 = pct(&lat, 0.5);
    f.conc_p99 = pct(&lat, 0.99);
    f.rss_after_conc_kb = vm_kb(pid, "VmRSS:");
    println!(
        "  2. {} devices: {ops} ops in {} = {:.0} ops/s",
        plan.devices,
        ms(elapsed),
        rate(ops, elapsed)
    );

    // 3. First sync: top the store up to the planned number of records.
    let (gm_token, _) = login(&http, &base, "gm", 3).await?;
    let r = http
        .get(format!("{base}/api/sync/snapshot?limit=1"))
        .bearer_auth(&gm_token)
        .send()
        .await?;
    let first: SnapshotPage = serde_json::from_slice(&check(r, "snapshot").await?)?;
    let have = first.total as usize;
    let missing = plan.first_sync_records.saturating_sub(have);
    let (token, mut dev) = login(&http, &base, "zhaolei", 4).await?;
    let bodies = dev.bodies(missing, plan.setup_batch, System::Forecourt);
    let t = Instant::now();
    for body in bodies {
        push(&http, System::Forecourt, &base, &token, body).await?;
    }
    f.setup = t.elapsed();
    f.setup_records = missing;
    println!(
        "  3. setup: {missing} records pushed in {} ({:.0} ops/s)",
        ms(f.setup),
        rate(missing, f.setup)
    );

    let (new_token, _) = login(&http, &base, "gm", 5).await?;
    let t = Instant::now();
    let mut after: Option<String> = None;
    let mut first_seq = None;
    let mut records = 0usize;
    let mut parsing = Vec::new();
    loop {
        let url = match &after {
            Some(a) => format!(
                "{base}/api/sync/snapshot?after={a}&limit={}",
                plan.snapshot_page
            ),
            None => format!("{base}/api/sync/snapshot?limit={}", plan.snapshot_page),
        };
        let r = http.get(url).bearer_auth(&new_token).send().await?;
        let body = check(r, "snapshot").await?;
        // Only the cursor now; the records are parsed on the blocking pool while the next
        // page is fetched.
        let head: SnapshotHead = serde_json::from_slice(&body)?;
        first_seq.get_or_insert(head.seq);
        parsing.push(tokio::task::spawn_blocking(move || {
            let p: SnapshotPage = serde_json::from_slice(&body)?;
            std::hint::black_box(&p.records.last());
            anyhow::Ok(p.records.len())
        }));
        match head.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    for p in parsing {
        records += p.await??;
    }
    // Then what came in since the first page (nothing here).
    let (late, _) = pull_all(
        &http,
        &base,
        &new_token,
        first_seq.unwrap_or(0),
        plan.pull_page,
    )
    .await?;
    f.first_sync = t.elapsed();
    f.first_sync_records = records + late;
    println!(
        "     first sync: {records} records (+{late} ops) in {}",
        ms(f.first_sync)
    );
    f.rss_end_kb = vm_kb(pid, "VmRSS:");
    f.hwm_end_kb = vm_kb(pid, "VmHWM:");
    drop(server);
    Ok(f)
}

async fn run_pouch(script: &Path, plan: Plan) -> Result<Figures> {
    let dir = TempDir::new("bench-sync-pouch")?;
    let (server, base) = start_pouch(script, &dir.0)?;
    let pid = server.0.id();
    let http = http_client()?;
    let mut f = Figures::default();
    let r = http.put(format!("{base}/bench")).send().await?;
    check(r, "create the database").await?;

    // 1. Roadshow day.
    let mut dev = Device::new("consultant".into(), 2);
    let bodies = dev.bodies(plan.roadshow_ops, plan.roadshow_batch, System::Pouch);
    let t = Instant::now();
    for body in bodies {
        push(&http, System::Pouch, &base, "", body).await?;
    }
    f.roadshow_push = t.elapsed();
    let t = Instant::now();
    let n = changes_all(&http, &base, plan.pull_page).await?;
    f.roadshow_pull = t.elapsed();
    f.roadshow_pulled = n;
    if n != plan.roadshow_ops {
        bail!("pulled {n} documents, expected {}", plan.roadshow_ops);
    }
    println!(
        "  1. roadshow: push {} docs in {}, pull in {}",
        plan.roadshow_ops,
        ms(f.roadshow_push),
        ms(f.roadshow_pull)
    );

    // 2. Concurrent devices.
    let devices: Vec<(String, Vec<String>)> = (0..plan.devices)
        .map(|d| {
            let mut dev = Device::new(WRITERS[d % WRITERS.len()].into(), 100 + d as u64);
            (
                String::new(),
                dev.bodies(plan.ops_per_device, plan.device_batch, System::Pouch),
            )
        })
        .collect();
    let cpu = cpu_time(pid);
    let (elapsed, ops, lat) =
        concurrent(&http, System::Pouch, &base, devices, plan.device_batch).await?;
    f.conc_cpu = cpu_time(pid).saturating_sub(cpu);
    f.conc_elapsed = elapsed;
    f.conc_ops = ops;
    f.conc_p50 = pct(&lat, 0.5);
    f.conc_p99 = pct(&lat, 0.99);
    f.rss_after_conc_kb = vm_kb(pid, "VmRSS:");
    println!(
        "  2. {} devices: {ops} docs in {} = {:.0} docs/s",
        plan.devices,
        ms(elapsed),
        rate(ops, elapsed)
    );

    // 3. First sync.
    let r = http.get(format!("{base}/bench")).send().await?;
    let info: Value = serde_json::from_slice(&check(r, "database info").await?)?;
    let have = info["doc_count"].as_u64().unwrap_or(0) as usize;
    let missing = plan.first_sync_records.saturating_sub(have);
    let mut dev = Device::new("zhaolei".into(), 4);
    let bodies = dev.bodies(missing, plan.setup_batch, System::Pouch);
    let t = Instant::now();
    for body in bodies {
        push(&http, System::Pouch, &base, "", body).await?;
    }
    f.setup = t.elapsed();
    f.setup_records = missing;
    println!(
        "  3. setup: {missing} docs pushed in {} ({:.0} docs/s)",
        ms(f.setup),
        rate(missing, f.setup)
    );
    let t = Instant::now();
    let n = changes_all(&http, &base, plan.snapshot_page).await?;
    f.first_sync = t.elapsed();
    f.first_sync_records = n;
    println!("     first sync: {n} docs in {}", ms(f.first_sync));
    f.rss_end_kb = vm_kb(pid, "VmRSS:");
    f.hwm_end_kb = vm_kb(pid, "VmHWM:");
    drop(server);
    Ok(f)
}

// ---------------------------------------------------------------------------------------------
// Report

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into())
}

/// One row: a figure, forecourt's, pouchdb-server's and forecourt ÷ pouchdb.
struct Row {
    name: String,
    ours: String,
    theirs: String,
    ratio: String,
}

fn rows(plan: Plan, a: &Figures, b: Option<&Figures>) -> Vec<Row> {
    let mut out = Vec::new();
    let mut row = |name: String, get: &dyn Fn(&Figures) -> f64, show: &dyn Fn(f64) -> String| {
        let ours = get(a);
        let (theirs, ratio) = match b {
            Some(b) => {
                let t = get(b);
                (
                    show(t),
                    if t > 0.0 {
                        format!("{:.2}", ours / t)
                    } else {
                        "—".into()
                    },
                )
            }
            None => ("not run".into(), "—".into()),
        };
        out.push(Row {
            name,
            ours: show(ours),
            theirs,
            ratio,
        });
    };
    let secs = |v: f64| ms(Duration::from_secs_f64(v));
    let per_s = |v: f64| format!("{v:.0} /s");
    let mbs = |v: f64| mb(v as u64);
    row(
        format!(
            "1. roadshow: push {} ops, {} a push (time ↓)",
            plan.roadshow_ops, plan.roadshow_batch
        ),
        &|f| f.roadshow_push.as_secs_f64(),
        &secs,
    );
    row(
        "1. roadshow push ops/s (↑)".into(),
        &|f| rate(plan.roadshow_ops, f.roadshow_push),
        &per_s,
    );
    row(
        format!(
            "1. roadshow: 2nd device pulls them, pages of {} (time ↓)",
            plan.pull_page
        ),
        &|f| f.roadshow_pull.as_secs_f64(),
        &secs,
    );
    row(
        "1. roadshow pull ops/s (↑)".into(),
        &|f| rate(f.roadshow_pulled, f.roadshow_pull),
        &per_s,
    );
    row(
        format!(
            "2. {} devices × {} ops at once, {} a push: ops/s (↑)",
            plan.devices, plan.ops_per_device, plan.device_batch
        ),
        &|f| rate(f.conc_ops, f.conc_elapsed),
        &per_s,
    );
    row(
        "2. push latency p50 (↓)".into(),
        &|f| f.conc_p50.as_secs_f64(),
        &secs,
    );
    row(
        "2. push latency p99 (↓)".into(),
        &|f| f.conc_p99.as_secs_f64(),
        &secs,
    );
    row(
        "2. server CPU time per op, user + system (↓)".into(),
        &|f| f.conc_cpu.as_secs_f64() * 1e6 / f.conc_ops.max(1) as f64,
        &|v| format!("{v:.0} µs"),
    );
    row(
        "2. server RSS after (↓)".into(),
        &|f| f.rss_after_conc_kb as f64,
        &mbs,
    );
    row(
        format!(
            "3. setup: top up to {} records, {} a push: ops/s (↑)",
            plan.first_sync_records, plan.setup_batch
        ),
        &|f| rate(f.setup_records, f.setup),
        &per_s,
    );
    row(
        format!(
            "3. first sync of {} records, pages of {}, parsed (time ↓)",
            plan.first_sync_records, plan.snapshot_page
        ),
        &|f| f.first_sync.as_secs_f64(),
        &secs,
    );
    row(
        "3. server RSS at the end (↓)".into(),
        &|f| f.rss_end_kb as f64,
        &mbs,
    );
    row(
        "3. server peak RSS (VmHWM, ↓)".into(),
        &|f| f.hwm_end_kb as f64,
        &mbs,
    );
    out
}

fn report(
    command: &str,
    plan: Plan,
    ours: &Figures,
    theirs: Option<&Figures>,
    load_before: &str,
    load_after: &str,
) {
    let date = util::output(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
        .unwrap_or_default()
        .trim()
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "Measured {date} on {}, {cores} cores (`{command}`), load average {load_before} before, \
         {load_after} after; pouchdb-server {POUCHDB_SERVER_VERSION} `--in-memory`{}:",
        cpu_model(),
        if theirs.is_some() {
            ""
        } else {
            " (NOT RUN: it could not be installed or failed, see above)"
        }
    );
    println!();
    println!("| figure | forecourt | pouchdb-server | forecourt ÷ pouchdb |");
    println!("|---|---|---|---|");
    for r in rows(plan, ours, theirs) {
        println!("| {} | {} | {} | {} |", r.name, r.ours, r.theirs, r.ratio);
    }
    println!();
    println!(
        "Goals: ingest ≥ 10,000 ops/s: {:.0} ops/s ({}); first sync of {} records ≤ 5 s: {} ({}).",
        rate(ours.conc_ops, ours.conc_elapsed),
        if rate(ours.conc_ops, ours.conc_elapsed) >= 10_000.0 {
            "met"
        } else {
            "NOT met"
        },
        ours.first_sync_records,
        ms(ours.first_sync),
        if ours.first_sync <= Duration::from_secs(5) {
            "met"
        } else {
            "NOT met"
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_is_a_tenth() {
        let full = Plan::new(false);
        let quick = Plan::new(true);
        assert_eq!(full.roadshow_ops, 2_000);
        assert_eq!(full.devices * full.ops_per_device, 20_000);
        assert_eq!(full.first_sync_records, 100_000);
        assert_eq!(quick.roadshow_ops, 200);
        assert_eq!(quick.devices * quick.ops_per_device, 2_000);
        assert_eq!(quick.first_sync_records, 10_000);
    }

    #[test]
    fn bodies_hold_valid_ops_in_batches() {
        let registry = domain::records::registry();
        let mut dev = Device::new("0190a0a0-0000-7000-8000-000000000000".into(), 7);
        let bodies = dev.bodies(120, 50, System::Forecourt);
        assert_eq!(bodies.len(), 3);
        let last: Value = serde_json::from_str(&bodies[2]).unwrap();
        let ops: Vec<Op> = serde_json::from_value(last["ops"].clone()).unwrap();
        assert_eq!(ops.len(), 20);
        for op in &ops {
            domain::sync::validate_op(op, &registry).unwrap();
        }
        let pouch: Value = serde_json::from_str(&dev.bodies(5, 5, System::Pouch)[0]).unwrap();
        let docs = pouch["docs"].as_array().unwrap();
        assert_eq!(docs.len(), 5);
        let op: Op = serde_json::from_value(docs[0].clone()).unwrap();
        assert_eq!(docs[0]["_id"], json!(op.record_id.to_string()));
    }
}
