//! The parts desk end to end (issue 16): the parts clerk adds a part and receives a delivery of
//! two lines, reserves parts for tomorrow's appointment (the advisor booked it with the parts it
//! needs), issues them to the repair order when the car comes (the reservation is filled), and
//! raises an emergency order for a missing part, which puts the RO on Parts Hold on the
//! advisor's board. Then two devices of the parts desk issue the same part offline: after sync
//! both show the level as the sum of every move, below zero and red, never clipped.

use domain::sales::chrono::{DateTime, Duration};
use domain::service::desk::{Booking, booking_plan};
use domain::service::plan::{
    NewLine, Reception, approve_estimate_plan, estimate_plan, reception_plan,
};
use domain::service::repair_order::{LineKind, Proof, RoStatus};
use domain::time::StoreClock;
use e2e::desk::Desk;
use e2e::scoped::{click_in, find, wait_text_in};
use e2e::{Browser, Server, temp_dir, xpath_literal};
use fantoccini::Locator;
use serde_json::json;
use uuid::Uuid;

/// Store time now.
fn store_now() -> domain::sales::chrono::NaiveDateTime {
    StoreClock::default()
        .local(DateTime::from_timestamp_millis(testkit::now_ms() as i64).expect("now"))
}

/// Chooses, in the `<select>` with id `id`, the option whose text starts with `text`.
async fn select_by_id(b: &Browser, id: &str, text: &str) {
    b.wait_until(&format!("option {text:?} in #{id}"), async || {
        let done = b
            .eval(
                "const [id, t] = arguments;
                 const el = document.getElementById(id);
                 if (!el) return false;
                 const o = [...el.options].find(o => o.text.trim().startsWith(t));
                 if (!o) return false;
                 el.value = o.value;
                 el.dispatchEvent(new Event('change', {bubbles: true}));
                 return true;",
                vec![json!(id), json!(text)],
            )
            .await;
        (done == json!(true)).then_some(())
    })
    .await;
}

/// Sets the input with id `id` to `value` as typing would.
async fn set_by_id(b: &Browser, id: &str, value: &str) {
    b.wait_until(&format!("#{id}"), async || {
        let done = b
            .eval(
                "const [id, v] = arguments;
                 const el = document.getElementById(id);
                 if (!el) return false;
                 const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set;
                 setter.call(el, v);
                 el.dispatchEvent(new Event('input', {bubbles: true}));
                 el.dispatchEvent(new Event('change', {bubbles: true}));
                 return true;",
                vec![json!(id), json!(value)],
            )
            .await;
        (done == json!(true)).then_some(())
    })
    .await;
}

/// The stock list's row of part `part_no`.
fn stock_row(part_no: &str) -> String {
    format!("//tr[@data-part-no={}]", xpath_literal(part_no))
}

/// Waits until the stock list shows `on_hand`, `reserved`, `available` for `part_no`.
async fn wait_stock(b: &Browser, part_no: &str, on_hand: i64, reserved: i64, available: i64) {
    let row = stock_row(part_no);
    let want = (
        on_hand.to_string(),
        reserved.to_string(),
        available.to_string(),
    );
    b.wait_until(
        &format!("{part_no}: {on_hand} / {reserved} / {available}"),
        async || {
            let cell = async |class: &str| -> Option<String> {
                let el = b
                    .visible(&format!("{row}/td[contains(@class, '{class}')]"))
                    .await?;
                Some(el.text().await.ok()?.trim().to_string())
            };
            let got = (
                cell("on-hand").await?,
                cell("reserved").await?,
                cell("available").await?,
            );
            (got == want).then_some(())
        },
    )
    .await;
}

/// The RO of `plate` received by the desk for `appointment` (if any) with one approved part
/// line per `(description, qty)`; returns the RO id.
async fn ro_with_parts(
    desk: &mut Desk,
    plate: &str,
    customer: &str,
    appointment: Option<Uuid>,
    parts: &[(&str, i64)],
) -> Uuid {
    let ro = Uuid::now_v7();
    desk.run(&reception_plan(&Reception {
        ro_id: ro,
        appointment_id: appointment,
        customer_name: customer.into(),
        phone: "13900004444".into(),
        plate: plate.into(),
        advisor_id: desk.user_id.clone(),
        customer_words: "保养".into(),
        complaint: "maintenance".into(),
        ..Reception::default()
    }))
    .await;
    let lines: Vec<NewLine> = parts
        .iter()
        .map(|(d, q)| NewLine {
            line_id: Uuid::now_v7(),
            kind: LineKind::Part,
            code: String::new(),
            description: (*d).into(),
            std_hours: None,
            qty: Some(*q),
            unit_price_fen: Some(5_000),
        })
        .collect();
    let ids: Vec<Uuid> = lines.iter().map(|l| l.line_id).collect();
    desk.run(&estimate_plan(
        ro,
        RoStatus::Received,
        &lines,
        60,
        store_now(),
        10,
    ))
    .await;
    let phone = Proof::Phone {
        who: customer.into(),
        at: "2026-12-07T09:30".into(),
        what: "配件".into(),
    };
    desk.run(&approve_estimate_plan(ro, &ids, &ids, &phone))
        .await;
    ro
}

const PART_NO: &str = "E2E-0001";
const PART: &str = "测试机滤";
const PLATE: &str = "粤A66666";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_parts_clerk_receives_reserves_issues_and_orders() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let mut desk = Desk::login(&server, "服务前台副机").await;

    // The advisor books tomorrow's appointment with the parts it needs.
    let appointment = Uuid::now_v7();
    let tomorrow = (store_now() + Duration::days(1)).date();
    desk.run(&booking_plan(
        store_now(),
        &Booking {
            appointment_id: appointment,
            customer_name: "李先生".into(),
            phone: "13900004444".into(),
            plate: PLATE.into(),
            service_wanted: "常规保养".into(),
            slot_at: tomorrow.and_hms_opt(10, 0, 0),
            advisor_id: desk.user_id.clone(),
            parts_needed: format!("{PART} ×2"),
            ..Booking::default()
        },
    ))
    .await;

    let clerk = Browser::synced(&server, "parts", "杨磊", "零件库电脑").await;
    // The parts desk is in the clerk's navigation.
    clerk.click_link("零件").await;
    clerk.wait_for_path("/parts").await;

    // 新增零件, then 入库 of a delivery of two lines.
    clerk.fill("零件号", PART_NO).await;
    clerk.fill("名称", PART).await;
    clerk.fill("单价(元)", "45").await;
    clerk.fill("库位", "A-09-01").await;
    clerk.click_button("保存零件").await;
    clerk.wait_for_role("status", "已保存").await;
    wait_stock(&clerk, PART_NO, 0, 0, 0).await;

    // 导入零件目录: a catalogue sheet with a title row, one good part with its opening stock
    // and one row without a part number, which is refused with the reason.
    let files = temp_dir("catalogue");
    let sheet = files.path().join("零件目录.csv");
    std::fs::write(
        &sheet,
        "\u{feff}零件号,名称,单价,库位,供应商,期初库存\n\
         04465-E2E01,前刹车片(导入),380,B-01-02,广汽丰田配件中心,4\n\
         ,无零件号的行,12,B-01-03,广汽丰田配件中心,1\n",
    )
    .expect("write the catalogue");
    let input = clerk
        .client()
        .find(Locator::Id("parts-import-file"))
        .await
        .expect("the catalogue's file input");
    input
        .send_keys(sheet.to_str().expect("a UTF-8 path"))
        .await
        .expect("choose the file");
    clerk.click_button("导入").await;
    clerk.wait_for_role("status", "已导入: +1 / 0").await;
    clerk.wait_for_text("缺少零件号").await;
    wait_stock(&clerk, "04465-E2E01", 4, 0, 4).await;
    clerk.click_link("入库").await;
    clerk.wait_for_path("/parts/receive").await;
    clerk.fill("供应商", "广汽丰田配件中心").await;
    clerk.fill("送货单号", "SH-E2E-1").await;
    select_by_id(&clerk, "receive-part-0", PART_NO).await;
    set_by_id(&clerk, "receive-qty-0", "5").await;
    clerk.click_button("添加一行").await;
    select_by_id(&clerk, "receive-part-1", "90915-YZZE1").await;
    set_by_id(&clerk, "receive-qty-1", "2").await;
    clerk.click_button("确认入库").await;
    clerk.wait_for_role("status", "已入库").await;
    clerk.click_link("库存").await;
    wait_stock(&clerk, PART_NO, 5, 0, 5).await;

    // 预留 for tomorrow's appointment: not reserved yet, then ready.
    clerk.click_link("预留").await;
    let card = format!("//section[contains(@aria-label, {})]", xpath_literal(PLATE));
    wait_text_in(&clerk, &card, "未预留").await;
    select_by_id(&clerk, &format!("reserve-part-{appointment}"), PART_NO).await;
    set_by_id(&clerk, &format!("reserve-qty-{appointment}"), "2").await;
    click_in(&clerk, &card, "预留").await;
    wait_text_in(&clerk, &card, "备件齐").await;
    clerk.click_link("库存").await;
    wait_stock(&clerk, PART_NO, 5, 2, 3).await;

    // The car comes: the RO with the part line; 出库 fills the reservation.
    let ro = ro_with_parts(&mut desk, PLATE, "李先生", Some(appointment), &[(PART, 2)]).await;
    clerk.click_link("出库").await;
    clerk.wait_for_path("/parts/issue").await;
    clerk.select("工单", PLATE).await;
    let line = format!(
        "//li[@aria-label={}]",
        xpath_literal(&format!("{PART} × 2"))
    );
    find(&clerk, "the part line", &line).await;
    click_in(&clerk, &line, "确认出库").await;
    wait_text_in(&clerk, &line, "已领 2").await;
    clerk.click_link("库存").await;
    wait_stock(&clerk, PART_NO, 3, 0, 3).await;

    // 紧急订货 for a missing part: the RO waits for parts on the advisor's board.
    clerk.click_link("紧急订货").await;
    clerk.wait_for_path("/parts/orders").await;
    clerk.fill("名称", "左后视镜总成").await;
    clerk.fill("零件号", "87910-0X010").await;
    clerk.fill("数量", "1").await;
    clerk.fill("供应商", "广汽丰田配件中心").await;
    let promised = (store_now() + Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    set_by_id(&clerk, "order-promised", &promised).await;
    clerk.select("工单", PLATE).await;
    clerk.click_button("提交订货").await;
    clerk.wait_for_role("status", "已订货").await;
    wait_text_in(
        &clerk,
        "//table[contains(@class, 'parts-orders')]",
        "左后视镜总成",
    )
    .await;
    clerk.wait_gone("条更改待同步").await;
    clerk.close().await;

    let pc = Browser::synced(&server, "advisor", "张伟", "服务前台电脑").await;
    pc.goto("/service").await;
    let ro_row = format!(
        "//a[@href={}]/ancestor::tr",
        xpath_literal(&format!("/service/ro/{ro}"))
    );
    wait_text_in(&pc, &ro_row, "等待配件").await;
    pc.close().await;
}

const SHARED_NO: &str = "17801-0Y040";
const SHARED: &str = "空气滤清器";
const PLATE2: &str = "粤A77777";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_issue_the_same_part_offline_and_the_stock_adds_up() {
    let data = temp_dir("data");
    let server = Server::start(data.path());
    let mut desk = Desk::login(&server, "服务前台副机").await;
    // The demo store has 10 air filters and no job that fits one.
    ro_with_parts(
        &mut desk,
        PLATE2,
        "周女士",
        None,
        &[(SHARED, 7), (SHARED, 6)],
    )
    .await;

    let a = Browser::synced(&server, "parts", "杨磊", "零件库电脑").await;
    let b = Browser::synced(&server, "parts", "杨磊", "零件库平板").await;
    for d in [&a, &b] {
        d.goto("/parts").await;
        wait_stock(d, SHARED_NO, 10, 0, 10).await;
        d.click_link("出库").await;
        d.select("工单", PLATE2).await;
    }
    let line = |qty: i64| {
        format!(
            "//li[@aria-label={}]",
            xpath_literal(&format!("{SHARED} × {qty}"))
        )
    };
    for d in [&a, &b] {
        find(d, "the lines", &line(6)).await;
        d.set_offline(true).await;
        d.wait_for_text("离线").await;
    }
    // Offline, each device issues one line from the same 10 on the shelf.
    click_in(&a, &line(7), "确认出库").await;
    wait_text_in(&a, &line(7), "已领 7").await;
    click_in(&b, &line(6), "确认出库").await;
    wait_text_in(&b, &line(6), "已领 6").await;
    for d in [&a, &b] {
        d.wait_for_text("条更改待同步").await;
    }
    a.click_link("库存").await;
    wait_stock(&a, SHARED_NO, 3, 0, 3).await;

    // Back online: both devices end with 10 − 7 − 6 = −3, red, never clipped.
    for d in [&a, &b] {
        d.set_offline(false).await;
    }
    for d in [&a, &b] {
        d.wait_gone("条更改待同步").await;
    }
    b.click_link("库存").await;
    for d in [&a, &b] {
        wait_stock(d, SHARED_NO, -3, 0, -3).await;
        let red = format!("{}[contains(@class, 'negative')]", stock_row(SHARED_NO));
        find(d, "the red row", &red).await;
        d.wait_for_text("造成负库存的出库").await;
    }
    a.close().await;
    b.close().await;
}
