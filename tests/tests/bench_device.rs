//! The device benchmark (issue 14): a new tablet's first sync of a big store in chromium.
//!
//! Not a test: it is `#[ignore]`d and run by hand through `cargo xtask bench-device
//! [--records N | --quick]`, which builds the site and the server and passes `BENCH_RECORDS`.
//! It fills a store through the sync API (the sales manager pushes A-cards, C-cards with their
//! vehicle, visits and care tasks, 500 ops a push), then logs in as the sales manager in a fresh
//! chromium profile and times from the login until the status says 已同步, and reads the
//! IndexedDB size (`navigator.storage.estimate`), the records stored and the tab's JS heap
//! (`performance.memory`); then, with the store on the tablet, times the A-card list and Today
//! opening and the header's search per keystroke, and reads the heap again. One record in ten
//! is the manager's own (the others belong to nine other consultants), as in a store where the
//! manager also sells. //!
//! `BENCH_AS=consultant` (`cargo xtask bench-device --as consultant`): the store is one of ten
//! consultants (王芳 and nine colleagues, the records spread evenly over them) with nine in ten
//! A-cards closed (ordered and delivered: a store's years of prospects are mostly closed), and
//! the tablet logs in as 王芳: its first sync holds her scope (`domain::records::scope`: her own
//! records and the store's open A-cards), not the whole store.
//! Prints a Markdown table for BENCHMARKS.md.

use std::time::{Duration, Instant};

use domain::sync::{Change, Clock, Op};
use e2e::bench::{KEY, OPEN, percentile};
use e2e::{Browser, DEMO_PASSWORD, Lang, Server, temp_dir};
use serde_json::{Value, json};
use testkit::{Rng, now_ms};
use uuid::Uuid;

/// How long the first sync may take before the benchmark gives up.
const FIRST_SYNC_LIMIT: Duration = Duration::from_secs(900);
/// Ops per push (the server's most).
const PUSH_BATCH: usize = 500;

const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"];
const GIVEN: [&str; 8] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"];
const MODELS: [&str; 4] = ["corolla_2026", "camry_2026", "rav4_2026", "levin_2026"];

/// Makes the generated store's ops as the sales manager on one device.
struct Maker {
    rng: Rng,
    clock: Clock,
    device_id: Uuid,
    user_id: String,
    store_id: String,
    /// Whose records they are, in turn (the sales manager's own, or ten consultants').
    owners: Vec<String>,
    /// A-cards closed per ten.
    closed_per_ten: usize,
    /// Records the first owner's tablet holds (her own and the store's open A-cards).
    in_first_scope: usize,
    /// The phone of the last A-card made (the search looks for it).
    a_card_phone: String,
}

impl Maker {
    fn set(field: &str, value: Value) -> Change {
        Change::Set {
            field: field.into(),
            value,
            supersedes: vec![],
        }
    }

    fn name(&mut self) -> String {
        let s = SURNAMES[self.rng.below(8) as usize];
        let g = GIVEN[self.rng.below(8) as usize];
        format!("{s}{g}")
    }

    fn phone(&mut self) -> String {
        format!(
            "1{}{:09}",
            3 + self.rng.below(7),
            self.rng.below(1_000_000_000)
        )
    }

    fn op(&mut self, record_type: &str, changes: Vec<Change>) -> Op {
        Op {
            op_id: self.rng.id(),
            device_id: self.device_id,
            user_id: self.user_id.clone(),
            store_id: self.store_id.clone(),
            record_id: self.rng.id(),
            record_type: record_type.into(),
            hlc: self.clock.now(now_ms()),
            changes,
        }
    }

    /// The ops of the `i`-th record: its creation, and for a closed A-card its order and
    /// delivery.
    fn record(&mut self, i: usize) -> Vec<Op> {
        let owner = (i / 10) % self.owners.len();
        let created = self.create(i, owner);
        let closed = created.record_type == "a_card" && (i / 100) % 10 < self.closed_per_ten;
        if owner == 0 || (created.record_type == "a_card" && !closed) {
            self.in_first_scope += 1;
        }
        if !closed {
            return vec![created];
        }
        let mut ops = vec![created];
        for (from, to) in [("following", "ordered"), ("ordered", "delivered")] {
            let last = ops.last().map(|o: &Op| o.op_id);
            let supersedes = if from == "following" {
                vec![]
            } else {
                last.into_iter().collect()
            };
            let mut op = self.op(
                "a_card",
                vec![Change::Transition {
                    field: "status".into(),
                    from: from.into(),
                    to: to.into(),
                    supersedes,
                }],
            );
            op.record_id = ops[0].record_id;
            ops.push(op);
        }
        ops
    }

    /// The `i`-th record's creation: 4 in 10 A-cards, 2 C-cards (with the vehicle), 2 visits,
    /// 2 care tasks, of the `owner`-th owner.
    fn create(&mut self, i: usize, owner: usize) -> Op {
        let me = json!(self.owners[owner]);
        let name = self.name();
        let phone = self.phone();
        let model = MODELS[self.rng.below(4) as usize];
        let day = 1 + self.rng.below(28);
        if i % 10 <= 3 {
            self.a_card_phone = phone.clone();
        }
        match i % 10 {
            0..=3 => self.op(
                "a_card",
                vec![
                    Self::set("name", json!(name)),
                    Self::set("phone", json!(phone)),
                    Self::set("intended_model", json!(model)),
                    Self::set("grade", json!(["H", "A", "B", "C"][i % 4])),
                    Self::set("source", json!("walk_in")),
                    Self::set("consultant_id", me),
                    Self::set(
                        "first_contact_at",
                        json!(format!("2026-05-{day:02}T10:00:00")),
                    ),
                    Self::set("next_follow_up", json!(format!("2026-06-{day:02}"))),
                ],
            ),
            4 | 5 => {
                let vin = format!("LVGBE40K{:09}", self.rng.below(1_000_000_000));
                let plate = format!("粤A{:05}", self.rng.below(100_000));
                self.op(
                    "c_card",
                    vec![
                        Self::set("name", json!(name)),
                        Self::set("phone", json!(phone)),
                        Self::set("consultant_id", me),
                        Self::set("vin", json!(vin)),
                        Self::set("plate", json!(plate)),
                        Self::set("model", json!(model)),
                        Self::set("delivery_date", json!(format!("2025-04-{day:02}"))),
                        Self::set("warranty_end", json!(format!("2028-04-{day:02}"))),
                    ],
                )
            }
            6 | 7 => self.op(
                "visit",
                vec![
                    Self::set("time_in", json!(format!("2026-05-{day:02}T10:00:00"))),
                    Self::set("time_out", json!(format!("2026-05-{day:02}T10:40:00"))),
                    Self::set("source", json!("walk_in")),
                    Self::set("visitor_kind", json!("first")),
                    Self::set("group_size", json!(1 + i % 3)),
                    Self::set("consultant_id", me),
                    Self::set("intended_model", json!(model)),
                ],
            ),
            _ => self.op(
                "care_task",
                vec![
                    Self::set("kind", json!("first_service_reminder")),
                    Self::set("customer_name", json!(name)),
                    Self::set("phone", json!(phone)),
                    Self::set("due_at", json!(format!("2026-07-{day:02}"))),
                    Self::set("role", json!("customer_service")),
                    Self::set("assignee_id", me),
                ],
            ),
        }
    }
}

/// Fills the server's demo store with `records` records through `POST /api/sync/push`, as the
/// sales manager's own (`consultant: None`) or spread over ten consultants, the first of them
/// `consultant`. Returns the time taken and how many of the records the first owner's tablet
/// holds, and the phone of one A-card.
async fn fill(
    server: &Server,
    records: usize,
    consultant: Option<String>,
) -> (Duration, usize, String) {
    let base = server.url("");
    let http = reqwest::Client::new();
    let device_id = Uuid::now_v7();
    let login = testkit::login(
        &http,
        &base,
        "salesmgr",
        DEMO_PASSWORD,
        device_id,
        "基准数据",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let token = login["token"].as_str().expect("a token").to_string();
    let user_id = login["user"]["id"].as_str().expect("a user id").to_string();
    let mut rng = Rng::new(14);
    let (owners, closed_per_ten) = match consultant {
        None => {
            // One record in ten is the manager's own; the others are nine consultants'.
            let mut owners = vec![user_id.clone()];
            owners.extend((0..9).map(|_| rng.id().to_string()));
            (owners, 0)
        }
        Some(first) => {
            let mut owners = vec![first];
            owners.extend((0..9).map(|_| rng.id().to_string()));
            (owners, 9)
        }
    };
    let mut maker = Maker {
        a_card_phone: String::new(),
        rng,
        clock: Clock::new(),
        device_id,
        user_id,
        store_id: login["user"]["store_id"]
            .as_str()
            .unwrap_or("demo")
            .to_string(),
        owners,
        closed_per_ten,
        in_first_scope: 0,
    };
    let started = Instant::now();
    let mut made = 0;
    let mut pending: Vec<Op> = Vec::new();
    while made < records || !pending.is_empty() {
        while made < records && pending.len() + 3 <= PUSH_BATCH {
            pending.extend(maker.record(made));
            made += 1;
        }
        let ops = std::mem::take(&mut pending);
        let r = http
            .post(format!("{base}/api/sync/push"))
            .bearer_auth(&token)
            .json(&json!({ "ops": ops }))
            .send()
            .await
            .expect("a push");
        let status = r.status();
        assert!(
            status.is_success(),
            "push refused: {status} {}",
            r.text().await.unwrap_or_default()
        );
    }
    (started.elapsed(), maker.in_first_scope, maker.a_card_phone)
}

/// The status indicator's text; `None` while the page does not answer (its main thread is busy
/// for longer than the driver's script timeout).
async fn status(browser: &Browser) -> Option<String> {
    let text = browser
        .client()
        .execute(
            "const s = document.querySelector('.sync-status'); return s ? s.textContent : '';",
            vec![],
        )
        .await
        .ok()?;
    Some(text.as_str().unwrap_or_default().to_string())
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1024.0 / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: cargo xtask bench-device"]
async fn first_sync_of_a_big_store() {
    let records: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let as_consultant = std::env::var("BENCH_AS").is_ok_and(|a| a == "consultant");
    let data = temp_dir("bench-device");
    let server = Server::start(data.path());
    let (user, consultant) = if as_consultant {
        let login = testkit::login(
            &reqwest::Client::new(),
            &server.url(""),
            "consultant",
            DEMO_PASSWORD,
            Uuid::now_v7(),
            "基准数据",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let id = login["user"]["id"].as_str().expect("a user id").to_string();
        ("consultant", Some(id))
    } else {
        ("salesmgr", None)
    };
    let (filled, in_scope, phone) = fill(&server, records, consultant).await;
    let expected = if as_consultant { in_scope } else { records };
    eprintln!("bench-device: {records} records pushed in {filled:.1?}");

    let browser = Browser::new().await;
    browser.open(&server, "/").await;
    browser.wait_ready().await;
    browser
        .log_in(Lang::Zh, user, DEMO_PASSWORD, "基准测试平板")
        .await;
    let started = Instant::now();
    let mut last = String::new();
    let mut first_progress = None;
    let mut all_stored = None;
    loop {
        let Some(now) = status(&browser).await else {
            eprintln!(
                "bench-device: {:>6.1?} (the page does not answer)",
                started.elapsed()
            );
            continue;
        };
        if now.contains("已下载") && first_progress.is_none() {
            first_progress = Some(started.elapsed());
        }
        if all_stored.is_none()
            && let Some(rest) = now.strip_prefix("已下载 ")
            && let Some((got, total)) = rest.split_once(" / ")
            && total.starts_with(got)
            && got != "0"
        {
            all_stored = Some(started.elapsed());
        }
        if now.contains("已同步") {
            break;
        }
        if now != last {
            eprintln!("bench-device: {:>6.1?} {now}", started.elapsed());
            last = now;
        }
        if started.elapsed() > FIRST_SYNC_LIMIT {
            browser
                .fail(&format!("no 已同步 within {FIRST_SYNC_LIMIT:?}"))
                .await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first_sync = started.elapsed();

    let heap = browser
        .eval(
            "return performance.memory ? performance.memory.usedJSHeapSize : null;",
            vec![],
        )
        .await;
    // Where the first sync's time went (`app/src/sync/timing.rs`).
    let times = browser
        .eval("return window.forecourtFirstSync || null;", vec![])
        .await;
    let estimate = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             navigator.storage.estimate().then(e => done(e.usage || 0)).catch(() => done(null));",
            vec![],
        )
        .await;
    let stored = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const open = indexedDB.open('forecourt');
             open.onsuccess = () => {
               const db = open.result;
               const r = db.transaction('records').objectStore('records').count();
               r.onsuccess = () => { done(r.result); db.close(); };
               r.onerror = () => done(null);
             };
             open.onerror = () => done(null);",
            vec![],
        )
        .await;
    let stored = stored.as_u64().unwrap_or(0);
    assert!(
        stored as usize >= expected,
        "the tablet holds {stored} records, fewer than the {expected} of its scope"
    );

    // The screens with the whole store on the tablet: the A-card list and Today, five times
    // each (clicking the navigation), then the search per keystroke for an A-card's phone.
    let (mut list, mut today) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let ms = browser
            .eval_async(OPEN, vec![json!("A卡"), json!(".a-card-table tbody tr a")])
            .await;
        list.push(ms.as_f64().expect("ms"));
        let ms = browser
            .eval_async(
                OPEN,
                vec![json!("今日"), json!(".follow-ups-today tbody tr")],
            )
            .await;
        today.push(ms.as_f64().expect("ms"));
    }
    let mut keys = Vec::new();
    for round in 0..3 {
        for end in 1..=phone.len() {
            let ms = browser.eval_async(KEY, vec![json!(&phone[..end])]).await;
            if round > 0 {
                keys.push(ms.as_f64().expect("ms"));
            }
        }
    }
    let heap_after = browser
        .eval(
            "return performance.memory ? performance.memory.usedJSHeapSize : null;",
            vec![],
        )
        .await;

    let mut command = match records {
        100_000 => "cargo xtask bench-device".to_string(),
        10_000 => "cargo xtask bench-device --quick".to_string(),
        n => format!("cargo xtask bench-device --records {n}"),
    };
    let who = if as_consultant {
        command.push_str(" --as consultant");
        "a consultant of ten, nine in ten A-cards closed"
    } else {
        "sales manager"
    };
    println!();
    println!("`{command}` ({who}, headless chromium, a fresh profile):");
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!("| records generated (pushed through the sync API) | {records} in {filled:.1?} |");
    println!("| records on the tablet after the first sync | {stored} (its scope: {expected}) |");
    if let Some(p) = first_progress {
        println!(
            "| login → first progress shown | {:.1} s |",
            p.as_secs_f64()
        );
    }
    if let Some(p) = all_stored {
        println!(
            "| login → last page stored (`已下载 N / N` shown) | {:.1} s |",
            p.as_secs_f64()
        );
    }
    println!(
        "| **login → 已同步 (first sync)** | **{:.1} s** |",
        first_sync.as_secs_f64()
    );
    if let Some(times) = times.as_str() {
        println!("| where the first sync's time went (ms, summed over its pages) | `{times}` |");
    }
    match estimate.as_f64() {
        Some(b) => println!(
            "| storage used (`navigator.storage.estimate`) | {} |",
            mb(b)
        ),
        None => println!("| storage used (`navigator.storage.estimate`) | n/a |"),
    }
    match heap.as_f64() {
        Some(b) => println!(
            "| JS heap (`performance.memory.usedJSHeapSize`) | {} |",
            mb(b)
        ),
        None => println!("| JS heap (`performance.memory.usedJSHeapSize`) | n/a |"),
    }
    println!(
        "| A-card list open (5 times, median; ms) | {:.0} ({list:.0?}) |",
        percentile(list.clone(), 0.5)
    );
    println!(
        "| Today open (5 times, median; ms) | {:.0} ({today:.0?}) |",
        percentile(today.clone(), 0.5)
    );
    println!(
        "| header search per keystroke ({} keystrokes): p50 / p95 / max | {:.1} / {:.1} / {:.1} ms |",
        keys.len(),
        percentile(keys.clone(), 0.5),
        percentile(keys.clone(), 0.95),
        percentile(keys, 1.0)
    );
    if let Some(b) = heap_after.as_f64() {
        println!(
            "| JS heap after the list, Today and the searches | {} |",
            mb(b)
        );
    }
    browser.close().await;
}
