//! A benchmark, run by hand (not in CI; `#[ignore]`): the A-card list, Today and the header's
//! search on a tablet holding many records (issue 14, "Screens that stay instant").
//!
//! ```text
//! FORECOURT_BIN=… FORECOURT_SITE=… CHROMEDRIVER=/usr/bin/chromedriver CHROMIUM=/usr/bin/chromium \
//!   BENCH_RECORDS=100000 cargo test -p e2e --test bench_lists -- --ignored --nocapture
//! ```
//!
//! The demo consultant's tablet syncs the demo store, then `BENCH_RECORDS` A-cards and as many
//! C-cards (copies of a demo card and a demo C-card with new ids, names, phones and plates; one
//! in twenty A-cards the consultant's) are written straight into IndexedDB, and the app indexes
//! them with `domain::records::index::keys` (the re-index run after the upgrade to version 4).
//! Figures are printed as `bench: …` lines (BENCHMARKS.md).

use std::time::{Duration, Instant};

use e2e::bench::{KEY, OPEN, percentile};
use e2e::{Browser, Server, temp_dir};
use serde_json::json;

/// Writes `n` generated A-cards and `n` C-cards into the device's IndexedDB; returns the phone
/// of one of the A-cards.
const SEED: &str = r#"
const [n] = arguments;
const done = arguments[arguments.length - 1];
const req = indexedDB.open('forecourt');
req.onerror = () => done('open failed');
req.onsuccess = async () => {
  const db = req.result;
  const get = (store, key) => new Promise(ok => {
    const r = db.transaction(store).objectStore(store).get(key);
    r.onsuccess = () => ok(r.result);
  });
  // A type's records: `by_made`'s keys start with the type.
  const byType = t => new Promise(ok => {
    const r = db.transaction('records').objectStore('records').index('by_made')
      .getAll(IDBKeyRange.bound([t], [t, []], false, true));
    r.onsuccess = () => ok(r.result);
  });
  const me = JSON.parse(await get('kv', 'session')).user.id;
  const cards = await byType('a_card');
  const card = cards.find(v => v.owner === me && v.status === 'following') || cards[0];
  const ccards = await byType('c_card');
  const ccard = ccards.find(v => (v.terms || []).some(t => /^[^\x00-\x7f][A-Z]/.test(t))) || ccards[0];
  // A record's stored text: UTF-8 bytes (or a string, as stored before).
  const text = j => typeof j === 'string' ? j : new TextDecoder().decode(j);
  card.json = text(card.json);
  ccard.json = text(ccard.json);
  const src = JSON.parse(card.json);
  const csrc = JSON.parse(ccard.json);
  // A field's value as it is written in the record's text (the compact form,
  // `domain::sync::compact`: `f` the fields, a register's heads `h` as [stamp, value]; or the
  // serde form a device stored before index version 5).
  const value = (s, f) => {
    const st = s.f ? s.f[f] : s.fields[f];
    const head = st && (s.f ? st.h && st.h[0] && {value: st.h[0][1]}
      : st.heads && Object.values(st.heads)[0]);
    return head && typeof head.value === 'string' ? JSON.stringify(head.value) : null;
  };
  const uuid = i => {
    const h = (i + 0x100000).toString(16).padStart(12, '0');
    return '0193a000-0000-7000-8000-' + h;
  };
  const others = Array.from({length: 19}, (_, i) => uuid(0xf00000 + i));
  let phone = null;
  const batch = 2000;
  for (let start = 0; start < n; start += batch) {
    await new Promise((ok, fail) => {
      const tx = db.transaction('records', 'readwrite');
      const store = tx.objectStore('records');
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const p = '13' + String(100000000 + i * 7919 % 899999999).padStart(9, '0');
        if (i === Math.floor(n / 2)) phone = p;
        for (const [type, base, s] of [['a_card', card.json, src], ['c_card', ccard.json, csrc]]) {
          const id = uuid(type === 'a_card' ? i : 0x800000 + i);
          let t = base.split(s.i || s.id).join(id);
          const nameV = value(s, 'name');
          if (nameV) t = t.split(nameV).join(JSON.stringify('客户' + i));
          const phoneV = value(s, 'phone');
          if (phoneV) t = t.split(phoneV).join(JSON.stringify(p));
          const plateV = value(s, 'plate');
          if (plateV) t = t.split(plateV).join(JSON.stringify('苏E' + String(i).padStart(5, '0')));
          if (type === 'a_card' && i % 20 !== 0) t = t.split(me).join(others[i % 19]);
          store.put({type, id, json: t}, id);
        }
      }
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
    });
  }
  // The app indexes them at its next start.
  await new Promise(ok => {
    const tx = db.transaction('meta', 'readwrite');
    tx.objectStore('meta').delete('index_version');
    tx.oncomplete = ok;
  });
  db.close();
  done(phone);
};
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark, run by hand"]
async fn lists_and_search_with_many_records_on_the_tablet() {
    let n: u64 = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let tablet = Browser::synced(&server, "consultant", "王芳", "压力测试平板").await;

    // Seeding and re-indexing 2 × 100,000 records take minutes.
    let mut timeouts = tablet.client().get_timeouts().await.expect("timeouts");
    timeouts.set_script(Some(Duration::from_secs(1800)));
    tablet
        .client()
        .update_timeouts(timeouts)
        .await
        .expect("script timeout");
    let t = Instant::now();
    let phone = tablet.eval_async(SEED, vec![json!(n)]).await;
    let phone = phone.as_str().expect("seeded").to_string();
    println!(
        "bench: seeded {n} A-cards + {n} C-cards in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    tablet.reload().await;
    tablet.wait_ready().await;
    // The re-index is done when the meta key is back.
    loop {
        let v = tablet
            .eval_async(
                "const done = arguments[arguments.length - 1];
                 const r = indexedDB.open('forecourt');
                 r.onsuccess = () => {
                     const g = r.result.transaction('meta').objectStore('meta').get('index_version');
                     g.onsuccess = () => { done(g.result !== undefined); r.result.close(); };
                 };",
                vec![],
            )
            .await;
        if v.as_bool() == Some(true) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(1800),
            "the re-index did not end"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!(
        "bench: app start and re-index of {} records: {:.1} s",
        2 * n,
        t.elapsed().as_secs_f64()
    );
    tablet.wait_for_role("status", "已同步").await;

    let mut list = Vec::new();
    let mut today = Vec::new();
    for _ in 0..5 {
        let ms = tablet
            .eval_async(OPEN, vec![json!("A卡"), json!(".a-card-table tbody tr a")])
            .await;
        list.push(ms.as_f64().expect("ms"));
        let ms = tablet
            .eval_async(
                OPEN,
                vec![json!("今日"), json!(".follow-ups-today tbody tr")],
            )
            .await;
        today.push(ms.as_f64().expect("ms"));
    }
    println!(
        "bench: A-card list open (ms): {list:?}, median {:.0}",
        percentile(list.clone(), 0.5)
    );
    println!(
        "bench: Today open (ms): {today:?}, median {:.0}",
        percentile(today.clone(), 0.5)
    );

    let mut keys = Vec::new();
    for round in 0..3 {
        for end in 1..=phone.len() {
            let ms = tablet.eval_async(KEY, vec![json!(&phone[..end])]).await;
            if round > 0 {
                keys.push(ms.as_f64().expect("ms"));
            }
        }
        // The tail (尾号) too.
        let ms = tablet
            .eval_async(KEY, vec![json!(&phone[phone.len() - 4..])])
            .await;
        keys.push(ms.as_f64().expect("ms"));
    }
    println!(
        "bench: search per keystroke ({} keystrokes): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        keys.len(),
        percentile(keys.clone(), 0.5),
        percentile(keys.clone(), 0.95),
        percentile(keys, 1.0)
    );
    let mem = tablet
        .eval(
            "return performance.memory ? performance.memory.usedJSHeapSize : null;",
            vec![],
        )
        .await;
    println!(
        "bench: JS heap used: {:.0} MB",
        mem.as_f64().unwrap_or(0.0) / 1e6
    );
    tablet.close().await;
}
