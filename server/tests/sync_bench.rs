//! Push throughput on the real binary (ignored by default; build it optimised):
//!
//! ```text
//! cargo test --release -p forecourt-server --test sync_bench -- --ignored --nocapture
//! ```
//!
//! Many devices push batches of new A-cards concurrently for a few seconds; prints ops/s and
//! the latency of a push. Knobs: `FORECOURT_BENCH_DEVICES` (default 32), `FORECOURT_BENCH_BATCH`
//! (ops per push, default 100), `FORECOURT_BENCH_SECS` (default 10). The request bodies are
//! made before the clock starts so the clients cost little CPU.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use domain::sync::{Change, Clock, Op, new_id};
use serde_json::{Value, json};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_forecourt");

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --release -- --ignored --nocapture"]
async fn push_throughput() {
    let devices = env_or("FORECOURT_BENCH_DEVICES", 32);
    let batch = env_or("FORECOURT_BENCH_BATCH", 100);
    let secs = env_or("FORECOURT_BENCH_SECS", 10) as u64;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--site"])
        .arg(dir.path().join("no-site"))
        .arg("--data")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    // Killed however the benchmark ends.
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("a line").expect("utf-8");
    let base = line
        .strip_prefix("forecourt: listening on ")
        .expect("listening line")
        .to_owned();
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});

    let http = reqwest::Client::new();
    let users = ["consultant", "salesmgr", "gm"];
    // Enough bodies for the whole run at up to 40,000 ops/s.
    let per_device = (40_000 * secs as usize / devices / batch).max(4);
    let mut clients = Vec::new();
    for d in 0..devices {
        let device = Uuid::now_v7();
        let v: Value = http
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"username": users[d % 3], "password": "demo1234",
                          "device_id": device, "device_name": format!("bench {d}")}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login json");
        let token = v["token"].as_str().expect("token").to_owned();
        let user_id = v["user"]["id"].as_str().expect("id").to_owned();
        let mut clock = Clock::new();
        let mut n: u64 = 0;
        let bodies: Vec<String> = (0..per_device)
            .map(|_| {
                let ops: Vec<Op> = (0..batch)
                    .map(|_| {
                        n += 1;
                        let mut r = [0u8; 10];
                        let mut r2 = [0u8; 10];
                        getrandom::fill(&mut r).expect("random");
                        getrandom::fill(&mut r2).expect("random");
                        Op {
                            op_id: new_id(now_ms(), r),
                            device_id: device,
                            user_id: user_id.clone(),
                            store_id: "demo".into(),
                            record_id: new_id(now_ms(), r2),
                            record_type: "a_card".into(),
                            hlc: clock.now(now_ms()),
                            changes: vec![
                                Change::Set {
                                    field: "name".into(),
                                    value: json!("王建华"),
                                    supersedes: vec![],
                                },
                                Change::Set {
                                    field: "phone".into(),
                                    value: json!(format!("139{:08}", n % 100_000_000)),
                                    supersedes: vec![],
                                },
                                Change::Set {
                                    field: "intended_model".into(),
                                    value: json!("corolla_2026"),
                                    supersedes: vec![],
                                },
                            ],
                        }
                    })
                    .collect();
                json!({ "ops": ops }).to_string()
            })
            .collect();
        clients.push((token, bodies));
    }

    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let base = Arc::new(base);
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(token, bodies)| {
            let http = http.clone();
            let base = Arc::clone(&base);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for body in bodies {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let t = Instant::now();
                    let r = http
                        .post(format!("{base}/api/sync/push"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .expect("push");
                    assert!(r.status().is_success(), "{}", r.status());
                    let _ = r.bytes().await.expect("body");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("task"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort();
    let pushes = latencies.len();
    let ops = pushes * batch;
    let pct = |p: f64| latencies[((pushes as f64 * p) as usize).min(pushes - 1)];
    let size = std::fs::metadata(dir.path().join("forecourt.redb"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "sync_bench: {devices} devices × {batch} ops/push: {ops} ops in {elapsed:.1} s = {:.0} ops/s; \
         push latency p50 {:?} p99 {:?} max {:?}; redb file {:.1} MB ({:.0} B/op)",
        ops as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        latencies[pushes - 1],
        size as f64 / 1e6,
        size as f64 / ops as f64,
    );
    let _ = child.0.kill();
    let _ = child.0.wait();

    // What the file holds (the server was killed; opening repairs it).
    let db = redb::Database::create(dir.path().join("forecourt.redb")).expect("reopen");
    let txn = db.begin_write().expect("txn");
    let stats = txn.stats().expect("stats");
    let per_op = |b: u64| b as f64 / ops as f64;
    println!(
        "sync_bench: stored {:.0} B/op, metadata {:.0} B/op, fragmented {:.0} B/op, {} pages of {} B",
        per_op(stats.stored_bytes()),
        per_op(stats.metadata_bytes()),
        per_op(stats.fragmented_bytes()),
        stats.allocated_pages(),
        stats.page_size(),
    );
    let ops_table = txn
        .open_table(forecourt_server::store::OPS_TABLE)
        .expect("ops");
    let records = txn
        .open_table(forecourt_server::store::RECORDS_TABLE)
        .expect("records");
    let (mut op_bytes, mut rec_bytes) = (0usize, 0usize);
    use redb::ReadableTable;
    for e in ops_table.iter().expect("iter") {
        op_bytes += e.expect("entry").1.value().len();
    }
    for e in records.iter().expect("iter") {
        rec_bytes += e.expect("entry").1.value().len();
    }
    println!(
        "sync_bench: op JSON {:.0} B/op, record JSON {:.0} B/record",
        op_bytes as f64 / ops as f64,
        rec_bytes as f64 / ops as f64
    );
}
