//! The blob path on the real binary (ignored by default; build it optimised):
//!
//! ```text
//! cargo test --release -p forecourt-server --test blob_bench -- --ignored --nocapture
//! ```
//!
//! 1. Upload throughput: photos of 200 KB (`FORECOURT_BENCH_PHOTOS`, default 200) uploaded one
//!    after another by one device, as the app's queue does (photos/s, MB/s, latency of one
//!    `PUT`), then by `FORECOURT_BENCH_DEVICES` devices at once (default 8).
//! 2. Resume after a cut: a device uploads 50 photos; after 25 the network drops in the middle
//!    of the 26th (half its body sent) and the server is killed (SIGKILL, a power cut) and
//!    started again on the same data. The device asks `POST /api/blobs/missing`, uploads what
//!    is left, and every photo is read back and checked against its id. Figures in BENCHMARKS.md.

use std::{
    io::Write,
    process::{Child, Command},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use testkit::start_listening;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_forecourt");
const PHOTO: usize = 200 * 1024;

struct KillOnDrop(Child);

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

fn start(dir: &std::path::Path) -> (KillOnDrop, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["--addr", "127.0.0.1:0", "--site"])
        .arg(dir.join("no-site"))
        .arg("--data")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stderr(std::process::Stdio::null());
    let (child, url) = start_listening(&mut cmd, Duration::from_secs(60)).expect("server starts");
    (KillOnDrop(child), url)
}

/// `n` photos of 200 KB that do not compress (like JPEGs), with their ids.
fn photos(n: usize, seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut rng = testkit::Rng::new(seed);
    (0..n)
        .map(|_| {
            let bytes: Vec<u8> = (0..PHOTO / 8)
                .flat_map(|_| rng.next_u64().to_le_bytes())
                .collect();
            let digest: [u8; 32] = Sha256::digest(&bytes).into();
            (domain::blob::id_of_digest(&digest), bytes)
        })
        .collect()
}

async fn token(http: &reqwest::Client, base: &str, user: &str) -> String {
    let v: Value = testkit::login(http, base, user, "demo1234", Uuid::now_v7(), "bench")
        .await
        .expect("login");
    v["token"].as_str().expect("token").to_owned()
}

async fn put(http: &reqwest::Client, base: &str, token: &str, id: &str, bytes: &[u8]) -> u16 {
    http.put(format!("{base}/api/blobs/{id}"))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes.to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Uploads `list` one after another; the latency of each.
async fn upload_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    list: &[(String, Vec<u8>)],
) -> Vec<Duration> {
    let mut took = Vec::with_capacity(list.len());
    for (id, bytes) in list {
        let t = Instant::now();
        let status = put(http, base, token, id, bytes).await;
        assert_eq!(status, 201, "upload of {id}");
        took.push(t.elapsed());
    }
    took
}

fn report(what: &str, n: usize, wall: Duration, mut took: Vec<Duration>) {
    took.sort();
    let secs = wall.as_secs_f64();
    println!(
        "blob_bench: {what}: {n} photos of 200 KB in {secs:.2} s = {:.0} photos/s, {:.1} MB/s; \
         PUT p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        n as f64 / secs,
        (n * PHOTO) as f64 / secs / 1e6,
        percentile(&took, 0.5),
        percentile(&took, 0.95),
        percentile(&took, 1.0),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --release -- --ignored --nocapture"]
async fn blob_upload_and_resume() {
    let n = env_or("FORECOURT_BENCH_PHOTOS", 200);
    let devices = env_or("FORECOURT_BENCH_DEVICES", 8);
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, base) = start(dir.path());
    let http = reqwest::Client::new();

    // 1. One device, one photo after another.
    let tok = token(&http, &base, "advisor").await;
    let list = photos(n, 1);
    let t = Instant::now();
    let took = upload_all(&http, &base, &tok, &list).await;
    report("one device", n, t.elapsed(), took);

    // Several devices at once.
    let mut tokens = Vec::new();
    for _ in 0..devices {
        tokens.push(token(&http, &base, "tech").await);
    }
    let per = n / devices.max(1);
    let lists: Vec<_> = (0..devices).map(|d| photos(per, 100 + d as u64)).collect();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for (tok, list) in tokens.into_iter().zip(lists) {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            upload_all(&http, &base, &tok, &list).await
        }));
    }
    let mut took = Vec::new();
    for task in tasks {
        took.extend(task.await.expect("device task"));
    }
    report(
        &format!("{devices} devices at once"),
        per * devices,
        t.elapsed(),
        took,
    );

    // 2. A cut: 25 of 50 sent, the 26th half sent, then the server dies.
    let list = photos(50, 7);
    let tok = token(&http, &base, "advisor").await;
    upload_all(&http, &base, &tok, &list[..25]).await;
    {
        let addr = base.trim_start_matches("http://").to_owned();
        let (id, bytes) = &list[25];
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        let head = format!(
            "PUT /api/blobs/{id} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {tok}\r\n\
             Content-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            bytes.len()
        );
        s.write_all(head.as_bytes()).expect("head");
        s.write_all(&bytes[..bytes.len() / 2])
            .expect("half the body");
        // The connection drops here.
    }
    drop(server);
    let (_server, base) = start(dir.path());
    let tok = token(&http, &base, "advisor").await;

    let t = Instant::now();
    let ids: Vec<&str> = list.iter().map(|(id, _)| id.as_str()).collect();
    let answer: Value = http
        .post(format!("{base}/api/blobs/missing"))
        .bearer_auth(&tok)
        .json(&json!({ "ids": ids }))
        .send()
        .await
        .expect("missing")
        .json()
        .await
        .expect("missing answer");
    let asked = t.elapsed();
    let missing: Vec<String> = answer["missing"]
        .as_array()
        .expect("missing list")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        missing,
        list[25..]
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>(),
        "every acknowledged upload survived the kill; the cut one did not"
    );
    let left: Vec<(String, Vec<u8>)> = list[25..].to_vec();
    let took = upload_all(&http, &base, &tok, &left).await;
    let resumed = t.elapsed();
    println!(
        "blob_bench: resume after a cut and a kill: the server lacked {} of 50 (asked in {:.1} ms); \
         resumed in {:.2} s",
        missing.len(),
        asked.as_secs_f64() * 1000.0,
        resumed.as_secs_f64()
    );
    report("resume", left.len(), resumed, took);

    // Every photo is there, as sent.
    for (id, bytes) in &list {
        let got = http
            .get(format!("{base}/api/blobs/{id}"))
            .bearer_auth(&tok)
            .send()
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        assert_eq!(got.as_ref(), bytes.as_slice(), "{id}");
    }
    let size = std::fs::metadata(dir.path().join("forecourt.redb"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "blob_bench: database file {:.1} MB after {} photos",
        size as f64 / 1e6,
        n + per * devices + 50
    );
}
