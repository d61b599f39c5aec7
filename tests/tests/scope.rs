//! Each device holds what its user needs (issue 14): a consultant's tablet holds their own
//! customers and the store's open cards but not a colleague's closed customer, and still warns,
//! offline, of a 撞单 against the whole store: the phone of that colleague's customer, typed into
//! a new A-card, names the customer and the colleague (the store's phone index).

use std::collections::{BTreeMap, BTreeSet};

use domain::records::field;
use domain::sync::RecordState;
use e2e::{Api, Browser, Server, temp_dir};
use serde_json::{Value as Json, json};

/// Every record the user's snapshot holds, paged.
async fn snapshot(api: &Api, token: &str) -> Vec<RecordState> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/sync/snapshot?limit=1000&after={a}"),
            None => "/api/sync/snapshot?limit=1000".to_owned(),
        };
        let (status, page) = api.get(&path, token).await;
        assert_eq!(status, 200, "{page}");
        for r in page["records"].as_array().expect("records") {
            out.push(serde_json::from_value(r.clone()).expect("a record state"));
        }
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => return out,
        }
    }
}

/// The record ids in the tablet's IndexedDB.
async fn held_ids(tablet: &Browser) -> BTreeSet<String> {
    let keys = tablet
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const open = indexedDB.open('forecourt');
             open.onsuccess = () => {
                 const all = open.result.transaction('records').objectStore('records').getAllKeys();
                 all.onsuccess = () => done(all.result);
             };",
            vec![],
        )
        .await;
    keys.as_array()
        .expect("the record ids")
        .iter()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect()
}

/// Whether the tablet's phone index holds `phone` (normalised).
async fn indexed(tablet: &Browser, phone: &str) -> bool {
    tablet
        .eval_async(
            "const [phone, done] = arguments;
             const open = indexedDB.open('forecourt');
             open.onsuccess = () => {
                 const db = open.result;
                 if (!db.objectStoreNames.contains('phones')) return done(false);
                 const got = db.transaction('phones').objectStore('phones').get(phone);
                 got.onsuccess = () => done(got.result !== undefined);
             };",
            vec![json!(phone)],
        )
        .await
        == json!(true)
}

fn text<'a>(r: &'a RecordState, f: &str) -> &'a str {
    field::text(r, f).unwrap_or_default()
}

fn closed(r: &RecordState) -> bool {
    ["lost", "delivered"].contains(&field::status(r, "status").unwrap_or_default().as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultants_tablet_holds_their_scope_and_warns_of_a_colleagues_customer() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let api = server.api();
    let mgr = api.login("salesmgr", "销售经理电脑").await;
    let (status, directory) = api.get("/api/directory", &mgr).await;
    assert_eq!(status, 200, "{directory}");
    let names: BTreeMap<String, String> = directory["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u: &Json| {
            (
                u["id"].as_str().unwrap_or_default().to_owned(),
                u["display_name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let me = names
        .iter()
        .find(|(_, n)| n.as_str() == "王芳")
        .map(|(id, _)| id.clone())
        .expect("王芳 in the directory");

    // The demo store as the manager holds it: 王芳's cards, colleagues' open and closed ones.
    let all = snapshot(&api, &mgr).await;
    let cards: Vec<&RecordState> = all
        .iter()
        .filter(|r| r.record_type == "a_card" && !r.is_deleted())
        .collect();
    let own = cards
        .iter()
        .find(|r| text(r, "consultant_id") == me)
        .expect("王芳 has cards in the demo store");
    let colleagues_open = cards
        .iter()
        .find(|r| {
            !text(r, "consultant_id").is_empty() && text(r, "consultant_id") != me && !closed(r)
        })
        .expect("a colleague's open card");
    // A colleague's closed customer whose phone no card the tablet will hold has.
    let held_phones: BTreeSet<String> = cards
        .iter()
        .filter(|r| text(r, "consultant_id") == me || !closed(r))
        .filter_map(|r| domain::sales::phone::normalise(text(r, "phone")).ok())
        .collect();
    let theirs = cards
        .iter()
        .find(|r| {
            let who = text(r, "consultant_id");
            !who.is_empty()
                && who != me
                && closed(r)
                && domain::sales::phone::normalise(text(r, "phone"))
                    .is_ok_and(|p| !held_phones.contains(&p))
        })
        .expect("a colleague's closed customer in the demo store");
    let their_phone = domain::sales::phone::normalise(text(theirs, "phone")).expect("phone");
    let colleague = names
        .get(text(theirs, "consultant_id"))
        .expect("the colleague in the directory")
        .clone();
    let customer = text(theirs, "name").to_owned();

    // 王芳's tablet after its first sync: her scope, not the whole store.
    let tablet = Browser::synced(&server, "consultant", "王芳", "王芳的展厅平板").await;
    let held = held_ids(&tablet).await;
    assert!(held.contains(&own.id.to_string()), "her own card");
    assert!(
        held.contains(&colleagues_open.id.to_string()),
        "the store's open cards"
    );
    assert!(
        !held.contains(&theirs.id.to_string()),
        "not the colleague's closed customer"
    );
    assert!(held.len() < all.len(), "{} of {}", held.len(), all.len());

    // The store's phone index arrives after the first sync.
    tablet
        .wait_until("the phone index on the tablet", async || {
            indexed(&tablet, &their_phone).await.then_some(())
        })
        .await;

    // Offline, a new card with that customer's phone: the 撞单 warning names the customer and
    // the colleague.
    tablet.goto("/sales/a-cards").await;
    tablet.wait_ready().await;
    tablet.click_link("新建A卡").await;
    tablet.wait_for_path("/sales/a-cards/new").await;
    tablet.set_offline(true).await;
    tablet.wait_for_text("离线").await;
    tablet.fill("姓名", &customer).await;
    tablet.fill("手机号码", &their_phone).await;
    let warning = tablet
        .wait_for_role("alert", &format!("这个号码已有A卡:{customer}"))
        .await;
    let shown = warning.text().await.unwrap_or_default();
    assert!(shown.contains(&colleague), "{shown} names {colleague}");
    tablet.close().await;
}
