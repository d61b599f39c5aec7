//! The header's search (issue 14, "Screens that stay instant"): a consultant finds a customer
//! by the last digits and by the first digits of the phone, and a delivered customer's C-card by
//! the plate, typed in lower case without the province character; each result opens its card.

use e2e::{Browser, Server, temp_dir};
use serde_json::json;

const SEARCH: &str = "查找客户或车辆(手机号、姓名、车牌、VIN)";

/// Types `query` into the header's search and opens the result that names `name`; returns the
/// page's path.
async fn find_and_open(browser: &Browser, query: &str, name: &str) -> String {
    browser.fill(SEARCH, query).await;
    let link = browser
        .wait_until(&format!("a search result for {query:?} naming {name:?}"), async || {
            let v = browser
                .eval(
                    "const [name] = arguments;
                     const a = [...document.querySelectorAll('.header-search-results a')]
                         .find(a => a.querySelector('.header-search-name').textContent.trim() === name);
                     return a ? a.getAttribute('href') : null;",
                    vec![json!(name)],
                )
                .await;
            v.as_str().map(str::to_string)
        })
        .await;
    browser
        .eval(
            "const [href] = arguments;
             document.querySelector(`.header-search-results a[href='${href}']`).click();",
            vec![json!(link)],
        )
        .await;
    browser.wait_for_path(&link).await;
    link
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_search_finds_a_customer_by_phone_digits_and_a_car_by_plate() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let tablet = Browser::synced(&server, "consultant", "王芳", "展厅搜索平板").await;

    // A new customer, built through the form.
    tablet.goto("/sales").await;
    tablet.click_link("新建A卡").await;
    tablet.wait_for_path("/sales/a-cards/new").await;
    tablet.fill("姓名", "司马相如").await;
    tablet.fill("手机号码", "137 2468 1357").await;
    tablet.select("意向车型", "凯美瑞").await;
    tablet.select("级别", "H").await;
    tablet.click_button("保存").await;
    let card = tablet.wait_for_record_page("/sales/a-cards").await;
    tablet.wait_for_role("heading", "司马相如").await;

    // From another page: the last four digits (尾号), then the first digits with a separator.
    tablet.goto("/sales").await;
    tablet.wait_ready().await;
    assert_eq!(find_and_open(&tablet, "1357", "司马相如").await, card);
    tablet.wait_for_role("heading", "司马相如").await;
    tablet.goto("/sales/a-cards").await;
    tablet.wait_ready().await;
    assert_eq!(find_and_open(&tablet, "137-246", "司马相如").await, card);
    tablet.wait_for_role("heading", "司马相如").await;
    // A phone nobody has: said so.
    tablet.fill(SEARCH, "199999").await;
    tablet.wait_for_text("本机没有找到").await;

    // A delivered customer of the demo store: the C-card's plate, as shown on its page.
    let c_card = tablet
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const open = indexedDB.open('forecourt');
             open.onsuccess = () => {
                 // The C-cards: `by_made`'s keys start with the type.
                 const index = open.result.transaction('records').objectStore('records').index('by_made');
                 const all = index.getAll(IDBKeyRange.bound(['c_card'], ['c_card', []], false, true));
                 all.onsuccess = () => {
                     // A C-card with a plate (its stored text, UTF-8 bytes, names the field).
                     const text = j => typeof j === 'string' ? j : new TextDecoder().decode(j);
                     const c = all.result.find(v => text(v.json || '').includes('\"plate\"'));
                     done(c ? c.id : null);
                 };
             };",
            vec![],
        )
        .await;
    let c_card = c_card
        .as_str()
        .expect("the demo store has a C-card with a plate");
    let path = format!("/sales/c-cards/{c_card}");
    tablet.goto(&path).await;
    tablet.wait_ready().await;
    let plate = tablet
        .wait_until("the C-card's plate", async || {
            let p = tablet.shown_value("车牌号").await;
            (!p.is_empty()).then_some(p)
        })
        .await;
    let name = tablet
        .eval(
            "return document.querySelector('#c-card-title').textContent.split('·').pop().trim();",
            vec![],
        )
        .await;
    let name = name.as_str().expect("the C-card's name").to_string();
    // 京A·12345 → typed as `a12345`.
    let typed: String = plate
        .chars()
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    tablet.goto("/sales").await;
    tablet.wait_ready().await;
    assert_eq!(find_and_open(&tablet, &typed, &name).await, path);
    // The plate as written, with its province character (stored without it: the search also
    // looks for the part from the first letter on, and keeps only this province's plates).
    tablet.goto("/sales").await;
    tablet.wait_ready().await;
    assert_eq!(find_and_open(&tablet, &plate, &name).await, path);
    tablet.close().await;
}
