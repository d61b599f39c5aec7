//! Two people on one repair order, offline (issue 15): an approved RO (pushed by the advisor's
//! desk through the sync API, as in `service_shop.rs`) has the brake job approved and clocked on
//! by the technician, and a part (刹车油) the customer has not decided on yet. The technician's
//! tablet and the advisor's PC both lose the network: on the tablet a finding becomes added work
//! (刹车盘打磨), on the PC the advisor changes the part's price (¥80 → ¥95); meanwhile the
//! advisor's other desk device, which has not seen the PC's change, prices it ¥90. Reconnected,
//! the lines merge one by one: both devices show the added line, the finding and the same
//! price, the brake job is still approved and clocked on, and the two prices of one line are a
//! conflict on the PC's conflicts page (冲突), settled there. Once the customer approves the
//! part, a stale device's price change or decline is refused by the server: the approval and
//! its price stay.

use domain::plan::{Plan, PlannedWrite};
use domain::records::service::RO_LINE;
use domain::service::plan::{
    NewLine, Reception, approve_estimate_plan, decide_line_plan, estimate_plan, reception_plan,
    reprice_plan,
};
use domain::service::repair_order::{LineKind, Proof, RoStatus};
use domain::time::StoreClock;
use e2e::desk::Desk;
use e2e::scoped::{click_in, dispatch, find, type_in, wait_text_in};
use e2e::{Browser, Server, temp_dir, xpath_literal};
use uuid::Uuid;

const PLATE: &str = "粤B·E2E02";
const BRAKES: &str = "更换前刹车片";
const FLUID: &str = "刹车油";
const ADDED: &str = "刹车盘打磨";
const FINDING: &str = "刹车盘有明显划痕";

/// The RO page's row of line `description` (an XPath).
fn row(description: &str) -> String {
    format!(
        "//table[contains(@class, 'svc-lines')]//tr[th[contains(normalize-space(.), {})]]",
        xpath_literal(description)
    )
}

/// The text of the RO page's row of line `description`, once it is shown.
async fn row_text(b: &Browser, description: &str) -> String {
    let el = find(b, description, &row(description)).await;
    el.text().await.unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pc_and_the_tablet_edit_one_ro_offline_and_the_lines_merge() {
    let data = temp_dir("data");
    let server = Server::start(data.path());

    // The desk: received, estimated (the brake job and a part), the customer approves the
    // brakes; the part waits for the customer.
    let mut desk = Desk::login(&server, "服务前台副机").await;
    let ro = Uuid::now_v7();
    desk.run(&reception_plan(&Reception {
        ro_id: ro,
        customer_name: "黄先生".into(),
        phone: "13900003333".into(),
        plate: PLATE.into(),
        advisor_id: desk.user_id.clone(),
        customer_words: "刹车有异响".into(),
        complaint: "brake_noise".into(),
        ..Reception::default()
    }))
    .await;
    let (brakes, fluid) = (Uuid::now_v7(), Uuid::now_v7());
    let now = StoreClock::default().local(
        domain::sales::chrono::DateTime::from_timestamp_millis(testkit::now_ms() as i64)
            .expect("now"),
    );
    desk.run(&estimate_plan(
        ro,
        RoStatus::Received,
        &[
            NewLine {
                line_id: brakes,
                kind: LineKind::Labour,
                code: String::new(),
                description: BRAKES.into(),
                std_hours: Some(1.5),
                qty: None,
                unit_price_fen: None,
            },
            NewLine {
                line_id: fluid,
                kind: LineKind::Part,
                code: String::new(),
                description: FLUID.into(),
                std_hours: None,
                qty: Some(1),
                unit_price_fen: Some(8_000),
            },
        ],
        100,
        now,
        10,
    ))
    .await;
    let phone = Proof::Phone {
        who: "黄先生".into(),
        at: "2026-12-07T09:30".into(),
        what: BRAKES.into(),
    };
    desk.run(&approve_estimate_plan(ro, &[brakes], &[brakes], &phone))
        .await;

    // 派工 on the advisor's PC; the technician clocks on.
    let pc = Browser::synced(&server, "advisor", "张伟", "服务前台电脑").await;
    pc.goto("/service/dispatch").await;
    dispatch(&pc, PLATE, BRAKES, "刘洋").await;
    let tablet = Browser::synced(&server, "tech", "刘洋", "刘洋的平板").await;
    tablet.goto("/service/jobs").await;
    let car = format!("//section[@aria-label={}]", xpath_literal(PLATE));
    let brake_li = format!("{car}//li[@aria-label={}]", xpath_literal(BRAKES));
    click_in(&tablet, &brake_li, "开工").await;
    wait_text_in(&tablet, &brake_li, "作业中").await;
    tablet.wait_gone("条更改待同步").await;
    let ro_path = format!("/service/ro/{ro}");
    pc.goto(&ro_path).await;
    wait_text_in(&pc, &row(FLUID), "¥80.00").await;
    wait_text_in(&pc, &row(BRAKES), "已确认").await;

    // Both lose the network.
    pc.set_offline(true).await;
    tablet.set_offline(true).await;
    pc.wait_for_text("离线").await;
    tablet.wait_for_text("离线").await;

    // The tablet: a finding becomes added work.
    let summary = find(&tablet, "发现问题", &format!("{brake_li}//summary")).await;
    summary.click().await.expect("open the finding form");
    type_in(&tablet, &brake_li, "finding-text-", FINDING).await;
    type_in(&tablet, &brake_li, "finding-line-", ADDED).await;
    type_in(&tablet, &brake_li, "finding-hours-", "0.5").await;
    click_in(&tablet, &brake_li, "提交增项").await;
    wait_text_in(&tablet, &brake_li, &format!("已提交的发现: {FINDING}")).await;
    tablet.wait_for_text("条更改待同步").await;

    // The PC: the advisor changes the part's price.
    pc.select("要改价的配件", FLUID).await;
    pc.fill("新单价(元)", "95").await;
    pc.click_button("改价").await;
    wait_text_in(&pc, &row(FLUID), "¥95.00").await;
    pc.wait_for_text("条更改待同步").await;

    // The advisor's other device, which has not seen the PC's change, prices it ¥90.
    let stale_fluid = desk.line(fluid);
    desk.run(&reprice_plan(&stale_fluid, 9_000).expect("an undecided part"))
        .await;

    // Reconnected: the lines merge one by one on both devices.
    pc.set_offline(false).await;
    tablet.set_offline(false).await;
    pc.wait_gone("条更改待同步").await;
    tablet.wait_gone("条更改待同步").await;
    tablet.goto(&ro_path).await;
    let mut prices = Vec::new();
    for b in [&pc, &tablet] {
        wait_text_in(b, &row(ADDED), "增项待确认").await;
        wait_text_in(b, "//div[@class='svc-findings']", FINDING).await;
        // The approval of the brake job is kept.
        wait_text_in(b, &row(BRAKES), "已确认").await;
        let price = b
            .wait_until("the part's merged price", async || {
                let text = b.visible(&row(FLUID)).await?.text().await.ok()?;
                ["¥95.00", "¥90.00"]
                    .into_iter()
                    .find(|p| text.contains(p))
                    .map(str::to_owned)
            })
            .await;
        prices.push(price);
    }
    assert_eq!(prices[0], prices[1], "both devices show the same price");

    // The two prices of one line are a conflict, shown on the PC's conflicts page.
    pc.wait_for_role("link", "1 个冲突").await;
    pc.click_link("1 个冲突").await;
    pc.wait_for_path("/conflicts").await;
    pc.wait_for_text(FLUID).await;
    pc.wait_for_text("9500").await;
    pc.wait_for_text("9000").await;
    pc.click_button("保留此值:9500").await;
    pc.wait_for_text("没有待处理的冲突。").await;
    pc.wait_gone("个冲突").await;

    // The customer approves the part at ¥95 and the added work, by phone.
    pc.goto(&ro_path).await;
    wait_text_in(&pc, &row(FLUID), "¥95.00").await;
    pc.fill("确认人", "黄先生").await;
    pc.fill("确认内容", "同意刹车油¥95和刹车盘打磨").await;
    pc.click_button("登记客户确认").await;
    wait_text_in(&pc, &row(FLUID), "已确认").await;
    wait_text_in(&pc, &row(ADDED), "已确认").await;
    pc.wait_gone("条更改待同步").await;

    // A device that has not seen the approval cannot change the price or the decision.
    let (status, body) = desk
        .push(&Plan::new().then(PlannedWrite::new(fluid, &RO_LINE).set("unit_price_fen", 7_000)))
        .await;
    assert_eq!(status, 422, "a stale price change: {body}");
    assert!(body.contains("approved_line_locked"), "{body}");
    let decline = Proof::Phone {
        who: "黄先生".into(),
        at: "2026-12-07T11:00".into(),
        what: "不做了".into(),
    };
    // (as a device that never saw the brake job's decision)
    desk.records.remove(&brakes);
    let (status, body) = desk.push(&decide_line_plan(brakes, false, &decline)).await;
    // The decision is written once under the line's id: another one there is refused by the
    // sync layer before any rule (the policy's `line_decision_final` is the unit tests').
    assert_eq!(status, 409, "a stale decline: {body}");
    assert!(body.contains("entry_id_reused"), "{body}");

    for b in [&pc, &tablet] {
        b.reload().await;
        wait_text_in(b, &row(FLUID), "¥95.00").await;
        let fluid_row = row_text(b, FLUID).await;
        assert!(fluid_row.contains("已确认"), "{fluid_row}");
        let brake_row = row_text(b, BRAKES).await;
        assert!(brake_row.contains("已确认"), "{brake_row}");
    }
    tablet.goto("/service/jobs").await;
    wait_text_in(&tablet, &brake_li, "作业中").await;
    tablet.close().await;
    pc.close().await;
}
