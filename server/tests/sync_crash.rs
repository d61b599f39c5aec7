//! Crash test of the sync push on the real binary: 4 devices push batches of new A-cards
//! concurrently while the server is SIGKILLed at random moments and restarted on the same data
//! directory; each device resends a batch until it is acknowledged. At the end a full pull must
//! hold every acknowledged op exactly once with its acknowledged seq, the seqs must be 1..N
//! without gap or repeat, and the server's records (snapshot) must equal the ops applied.
//!
//! The default run kills the server 30 times (well under a minute). The soak (about 7 minutes in
//! release; about an hour in debug, where redb walks every page of the file at each open):
//!
//! ```text
//! FORECOURT_SOAK_KILLS=1000 cargo test --release -p forecourt-server --test sync_crash -- --nocapture
//! ```
//!
//! `FORECOURT_CRASH_SEED=N` replays a run's kill timings (the seed is printed).

use std::{
    collections::{BTreeMap, HashMap},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        Arc, RwLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::records::A_CARD;
use domain::sync::{Change, Clock, Op, RecordState, apply};
use serde_json::{Value, json};
use testkit::{Rng, now_ms, start_listening};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_forecourt");
const DEVICES: usize = 4;

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary and returns it with its base URL once it listens.
fn start(data: &Path) -> (Server, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["--addr", "127.0.0.1:0", "--site"])
        .arg(data.join("no-site"))
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .env_remove("FORECOURT_NO_DEMO")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    let (child, addr) = start_listening(&mut cmd, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("forecourt: {e}"));
    (Server { child }, addr)
}

struct Device {
    token: String,
    device: Uuid,
    user_id: String,
    clock: Clock,
    rng: Rng,
    /// Own records, to edit some of them again.
    records: Vec<(Uuid, Uuid)>,
}

impl Device {
    /// A batch of 1–40 ops: mostly new A-cards, some edits of this device's earlier cards.
    fn batch(&mut self) -> Vec<Op> {
        let n = 1 + self.rng.below(40) as usize;
        (0..n)
            .map(|i| {
                let edit = !self.records.is_empty() && self.rng.below(4) == 0;
                let (record_id, changes) = if edit {
                    let k = self.rng.below(self.records.len() as u64) as usize;
                    let (rid, last) = self.records[k];
                    (
                        rid,
                        vec![Change::Set {
                            field: "grade".into(),
                            value: json!(["H", "A", "B", "C"][i % 4]),
                            supersedes: vec![last],
                        }],
                    )
                } else {
                    let phone = format!("139{:08}", self.rng.below(100_000_000));
                    (
                        self.rng.id(),
                        vec![
                            Change::Set {
                                field: "name".into(),
                                value: json!(format!("客户{}", self.rng.below(10_000))),
                                supersedes: vec![],
                            },
                            Change::Set {
                                field: "phone".into(),
                                value: json!(phone),
                                supersedes: vec![],
                            },
                        ],
                    )
                };
                let op = Op {
                    op_id: self.rng.id(),
                    device_id: self.device,
                    user_id: self.user_id.clone(),
                    store_id: "demo".into(),
                    record_id,
                    record_type: "a_card".into(),
                    hlc: self.clock.now(now_ms()),
                    changes,
                };
                if edit {
                    if let Some(r) = self.records.iter_mut().find(|r| r.0 == record_id) {
                        r.1 = op.op_id;
                    }
                } else {
                    self.records.push((record_id, op.op_id));
                }
                op
            })
            .collect()
    }
}

async fn login(http: &reqwest::Client, base: &str, username: &str, device: Uuid) -> Value {
    testkit::login(
        http,
        base,
        username,
        "demo1234",
        device,
        &format!("崩溃测试 {username}"),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// One device: push batches until told to stop, resending a batch until it is acknowledged.
/// Returns every acknowledged (op id → seq).
async fn run_device(
    mut dev: Device,
    base: Arc<RwLock<String>>,
    stop: Arc<AtomicBool>,
    retries: Arc<AtomicU64>,
) -> (HashMap<Uuid, u64>, Vec<Op>) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut acked = HashMap::new();
    let mut sent = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let batch = dev.batch();
        loop {
            let url = format!("{}/api/sync/push", base.read().unwrap());
            let r = http
                .post(&url)
                .bearer_auth(&dev.token)
                .json(&json!({ "ops": batch }))
                .send()
                .await;
            let answer = match r {
                Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    panic!("push refused: {status} {body}");
                }
                Err(_) => None,
            };
            match answer {
                Some(v) => {
                    let acks = v["acks"].as_array().expect("acks");
                    assert_eq!(acks.len(), batch.len());
                    for (a, op) in acks.iter().zip(&batch) {
                        assert_eq!(a["op_id"], json!(op.op_id));
                        let seq = a["seq"].as_u64().expect("seq");
                        if let Some(old) = acked.insert(op.op_id, seq) {
                            assert_eq!(old, seq, "op {} acked with two seqs", op.op_id);
                        }
                    }
                    break;
                }
                None => {
                    // The server is down (or died mid-answer): resend the same batch.
                    retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        sent.extend(batch);
    }
    (acked, sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ops_survive_sigkill() {
    let kills: usize = std::env::var("FORECOURT_SOAK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("FORECOURT_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| now_ms() | 1);
    println!("sync_crash: {kills} kills, FORECOURT_CRASH_SEED={seed}");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_path_buf();
    let (mut server, addr) = start(&data);
    let base = Arc::new(RwLock::new(addr.clone()));

    let http = reqwest::Client::new();
    let users = ["consultant", "salesmgr", "gm", "consultant"];
    let mut devices = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let device = Uuid::now_v7();
        let v = login(&http, &addr, user, device).await;
        devices.push(Device {
            token: v["token"].as_str().expect("token").to_owned(),
            device,
            user_id: v["user"]["id"].as_str().expect("user id").to_owned(),
            clock: Clock::new(),
            rng: Rng::new(seed.wrapping_add(i as u64 + 1)),
            records: Vec::new(),
        });
    }
    assert_eq!(devices.len(), DEVICES);
    let ours: Vec<Uuid> = devices.iter().map(|d| d.device).collect();
    // The server may have written ops of its own (demo history); ours come after them.
    let base_seq = {
        let mut after = 0;
        loop {
            let v: Value = http
                .get(format!("{addr}/api/sync/pull?after={after}&limit=1000"))
                .bearer_auth(&devices[0].token)
                .send()
                .await
                .expect("pull")
                .json()
                .await
                .expect("pull json");
            after = v["last_seq"].as_u64().expect("last_seq");
            if !v["more"].as_bool().expect("more") {
                break after;
            }
        }
    };

    let stop = Arc::new(AtomicBool::new(false));
    let retries = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|d| {
            tokio::spawn(run_device(
                d,
                Arc::clone(&base),
                Arc::clone(&stop),
                Arc::clone(&retries),
            ))
        })
        .collect();

    let started = Instant::now();
    let mut restarts: Vec<Duration> = Vec::new();
    for k in 1..=kills {
        if k % 100 == 0 {
            println!(
                "sync_crash: {k} kills so far ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
        // Let the devices push for a random while, then kill the server without warning.
        tokio::time::sleep(Duration::from_millis(20 + rng.below(400))).await;
        drop(server);
        let restart = Instant::now();
        let (s, addr) = tokio::task::spawn_blocking({
            let data = data.clone();
            move || start(&data)
        })
        .await
        .expect("restart");
        restarts.push(restart.elapsed());
        server = s;
        *base.write().unwrap() = addr;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked: HashMap<Uuid, u64> = HashMap::new();
    let mut sent: Vec<Op> = Vec::new();
    for t in tasks {
        let (a, s) = tokio::time::timeout(Duration::from_secs(60), t)
            .await
            .expect("devices finish")
            .expect("device task");
        acked.extend(a);
        sent.extend(s);
    }
    let elapsed = started.elapsed();

    // A full pull, as the general manager.
    let addr = base.read().unwrap().clone();
    let gm = login(&http, &addr, "gm", Uuid::now_v7()).await;
    let token = gm["token"].as_str().expect("token").to_owned();
    let mut pulled: Vec<(u64, Op)> = Vec::new();
    let mut after = 0;
    loop {
        let v: Value = http
            .get(format!("{addr}/api/sync/pull?after={after}&limit=1000"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("pull")
            .json()
            .await
            .expect("pull json");
        for o in v["ops"].as_array().expect("ops") {
            pulled.push((
                o["seq"].as_u64().expect("seq"),
                serde_json::from_value(o["op"].clone()).expect("op"),
            ));
        }
        after = v["last_seq"].as_u64().expect("last_seq");
        if !v["more"].as_bool().expect("more") {
            break;
        }
    }

    let last_seq = after;
    // Seqs 1..N, no gap, no repeat; every op id once. (The gm reads every type the devices
    // wrote; the server's own ops before `base_seq` are left out of the comparison.)
    let before = pulled.iter().filter(|(s, _)| *s <= base_seq).count();
    let pulled: Vec<(u64, Op)> = pulled.into_iter().filter(|(s, _)| *s > base_seq).collect();
    let seqs: Vec<u64> = pulled.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (base_seq + 1..=base_seq + pulled.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(last_seq, base_seq + pulled.len() as u64);
    assert!(pulled.iter().all(|(_, op)| ours.contains(&op.device_id)));
    let mut by_id: HashMap<Uuid, (u64, &Op)> = HashMap::new();
    for (seq, op) in &pulled {
        assert!(
            by_id.insert(op.op_id, (*seq, op)).is_none(),
            "op {} stored twice",
            op.op_id
        );
    }
    // Every acknowledged op is there, with its acknowledged seq and content; every op a device
    // made was acknowledged in the end (each batch was resent until it was).
    assert_eq!(acked.len(), sent.len());
    for op in &sent {
        let seq = acked[&op.op_id];
        let (stored_seq, stored) = by_id
            .get(&op.op_id)
            .unwrap_or_else(|| panic!("acknowledged op {} (seq {seq}) is lost", op.op_id));
        assert_eq!(*stored_seq, seq, "op {} moved", op.op_id);
        assert_eq!(*stored, op);
    }
    assert_eq!(pulled.len(), sent.len(), "no op the devices did not make");

    // The server's records are the ops applied.
    let mut expected: BTreeMap<Uuid, RecordState> = BTreeMap::new();
    for (_, op) in &pulled {
        let state = expected
            .entry(op.record_id)
            .or_insert_with(|| RecordState::for_op(op));
        apply(state, op, &A_CARD).expect("apply");
    }
    let mut snapshot: BTreeMap<Uuid, RecordState> = BTreeMap::new();
    let mut next: Option<String> = None;
    loop {
        let url = match &next {
            Some(n) => format!("{addr}/api/sync/snapshot?limit=1000&after={n}"),
            None => format!("{addr}/api/sync/snapshot?limit=1000"),
        };
        let v: Value = http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("snapshot")
            .json()
            .await
            .expect("snapshot json");
        assert_eq!(v["seq"].as_u64(), Some(last_seq));
        assert!(v["total"].as_u64().expect("total") >= expected.len() as u64);
        for r in v["records"].as_array().expect("records") {
            let state: RecordState = serde_json::from_value(r.clone()).expect("record");
            if expected.contains_key(&state.id) {
                snapshot.insert(state.id, state);
            }
        }
        match v["next"].as_str() {
            Some(n) => next = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(snapshot.len(), expected.len());
    assert!(
        snapshot == expected,
        "the stored records differ from the ops applied"
    );

    // Each record's history (the `record_ops` index, written with the ops) is its ops, in seq
    // order: checked on a sample of records.
    for id in expected.keys().take(20) {
        let want: Vec<u64> = pulled
            .iter()
            .filter(|(_, op)| op.record_id == *id)
            .map(|(seq, _)| *seq)
            .collect();
        let v: Value = http
            .get(format!("{addr}/api/records/{id}/history?limit=1000"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("history")
            .json()
            .await
            .expect("history json");
        let got: Vec<u64> = v["ops"]
            .as_array()
            .expect("ops")
            .iter()
            .filter_map(|o| o["seq"].as_u64())
            .collect();
        assert_eq!(got, want, "the history of record {id}");
    }

    restarts.sort();
    let mean = restarts.iter().sum::<Duration>() / restarts.len().max(1) as u32;
    println!("sync_crash: {before} ops of the server's own before the devices started");
    println!(
        "sync_crash: {kills} kills in {:.1} s, {} ops acknowledged in {} records, {} resends; \
         restart after SIGKILL: mean {mean:?}, max {:?}",
        elapsed.as_secs_f64(),
        pulled.len(),
        expected.len(),
        retries.load(Ordering::Relaxed),
        restarts.last().copied().unwrap_or_default(),
    );
    assert!(
        pulled.len() > kills,
        "the devices pushed too little to test anything"
    );
    drop(server);
}
