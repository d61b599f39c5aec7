//! The workshop end to end (issue 15): an approved repair order (pushed by the advisor's desk
//! through the sync API, as the reception and estimate screens would) is dispatched on the 派工
//! board; the technician's clock-on of a line the customer has not approved is refused with the
//! domain's words, the approved job is clocked on; a finding becomes added work, which the
//! customer declines by phone on the RO's page (建议未做, with the undecided alignment); the car goes to QC, which fails it once with a reason
//! (a fail without one is refused), the technician reworks it, and the final check passes. The
//! customer's progress page (no login) follows: the status, and no price of the undecided line.

use domain::service::plan::{
    NewLine, Reception, approve_estimate_plan, estimate_plan, reception_plan,
};
use domain::service::repair_order::{LineKind, Proof, RoStatus};
use domain::service::workshop::{new_status_key, status_token};
use e2e::desk::Desk;
use e2e::scoped::{click_in, dispatch, find, type_in, wait_text_in};
use e2e::{Browser, Server, temp_dir, xpath_literal};
use serde_json::{Value, json};
use uuid::Uuid;

const PLATE: &str = "粤B·E2E01";
const BRAKES: &str = "更换前刹车片";
const ALIGNMENT: &str = "四轮定位";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_clock_added_work_and_qc_fail_then_pass() {
    let data = temp_dir("data");
    let server = Server::start(data.path());

    // The desk: received, estimated (two jobs), the customer approves the brakes only.
    let mut desk = Desk::login(&server, "服务前台测试电脑").await;
    let ro = Uuid::now_v7();
    let key = new_status_key(*Uuid::now_v7().as_bytes());
    let mut reception = reception_plan(&Reception {
        ro_id: ro,
        customer_name: "黄先生".into(),
        phone: "13900002222".into(),
        plate: PLATE.into(),
        advisor_id: desk.user_id.clone(),
        customer_words: "刹车有异响".into(),
        complaint: "brake_noise".into(),
        ..Reception::default()
    });
    reception.writes[0]
        .steps
        .push(domain::plan::Step::Set("status_key", json!(key)));
    desk.run(&reception).await;
    let (brakes, alignment) = (Uuid::now_v7(), Uuid::now_v7());
    let labour = |id, d: &str, h| NewLine {
        line_id: id,
        kind: LineKind::Labour,
        code: String::new(),
        description: d.into(),
        std_hours: Some(h),
        qty: None,
        unit_price_fen: None,
    };
    let now = domain::time::StoreClock::default().local(
        domain::sales::chrono::DateTime::from_timestamp_millis(testkit::now_ms() as i64)
            .expect("now"),
    );
    desk.run(&estimate_plan(
        ro,
        RoStatus::Received,
        &[
            labour(brakes, BRAKES, 1.5),
            labour(alignment, ALIGNMENT, 0.8),
        ],
        150,
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
    let token = status_token(ro, &key);
    let page = desk.public(&token).await;
    assert_eq!(page["status"], json!("approved"), "{page}");

    // 派工: both jobs to 刘洋 on the advisor's PC.
    let pc = Browser::synced(&server, "advisor", "张伟", "服务顾问测试电脑").await;
    pc.goto("/service/dispatch").await;
    for job in [BRAKES, ALIGNMENT] {
        dispatch(&pc, PLATE, job, "刘洋").await;
    }
    // On 刘洋's row of the board now.
    wait_text_in(&pc, "//section[@aria-label='刘洋']", BRAKES).await;
    wait_text_in(&pc, "//section[@aria-label='刘洋']", ALIGNMENT).await;

    // The technician's tablet: the undecided job cannot be clocked on, with the words why.
    let tablet = Browser::synced(&server, "tech", "刘洋", "刘洋的测试平板").await;
    tablet.goto("/service/jobs").await;
    let car = format!("//section[@aria-label={}]", xpath_literal(PLATE));
    let align_li = format!("{car}//li[@aria-label={}]", xpath_literal(ALIGNMENT));
    let brake_li = format!("{car}//li[@aria-label={}]", xpath_literal(BRAKES));
    wait_text_in(&tablet, &align_li, "待客户确认").await;
    click_in(&tablet, &align_li, "开工").await;
    wait_text_in(
        &tablet,
        &format!("{align_li}//*[@role='alert']"),
        "客户未确认的项目不能开工",
    )
    .await;
    click_in(&tablet, &brake_li, "开工").await;
    wait_text_in(&tablet, &brake_li, "作业中").await;

    // A finding becomes added work.
    let summary = find(&tablet, "发现问题", &format!("{brake_li}//summary")).await;
    summary.click().await.expect("open the finding form");
    type_in(&tablet, &brake_li, "finding-text-", "刹车盘有明显划痕").await;
    type_in(&tablet, &brake_li, "finding-line-", "刹车盘打磨").await;
    type_in(&tablet, &brake_li, "finding-hours-", "0.5").await;
    click_in(&tablet, &brake_li, "提交增项").await;
    // Proposed: listed on the job (the list is drawn again with the new line).
    wait_text_in(&tablet, &brake_li, "已提交的发现: 刹车盘有明显划痕").await;

    // The board lists it with the finding; the advisor calls the customer, who declines it and
    // the alignment (建议未做), recorded on the RO's page.
    // (The proposed line is also on the board's list of jobs not dispatched, under the same
    // label: the added-work list's row is the one with the finding.)
    let added = format!(
        "//li[contains(@class, 'added-line') and @aria-label={}]",
        xpath_literal(&format!("{PLATE} 刹车盘打磨"))
    );
    wait_text_in(&pc, &added, "刹车盘有明显划痕").await;
    let to_ro = find(&pc, "the RO link", &format!("{added}//a")).await;
    to_ro.click().await.expect("to the RO page");
    for line in ["刹车盘打磨", ALIGNMENT] {
        let tick = pc.wait_for_field(line).await;
        if tick.prop("checked").await.ok().flatten().as_deref() == Some("true") {
            tick.click().await.expect("untick");
        }
    }
    pc.fill("确认人", "黄先生").await;
    pc.fill("确认内容", "不做刹车盘打磨和四轮定位").await;
    pc.click_button("登记客户确认").await;
    pc.wait_until("the lines decided", async || {
        pc.field("刹车盘打磨").await.is_none().then_some(())
    })
    .await;
    // The decision reaches the server with the PC's next push: the customer's page shows it
    // then (within the usual wait).
    let declined = |page: &Value| {
        page["lines"].as_array().and_then(|lines| {
            lines
                .iter()
                .find(|l| l["description"] == json!("刹车盘打磨"))
                .cloned()
        })
    };
    let page = public_until(&desk, &token, |p| {
        declined(p).is_some_and(|l| l["state"] == json!("declined"))
    })
    .await;
    let line = declined(&page).expect("the added line on the status page");
    assert_eq!(line["state"], json!("declined"), "{page}");

    // Done, to QC.
    click_in(&tablet, &brake_li, "完工").await;
    wait_text_in(&tablet, &brake_li, "已完工").await;
    click_in(&tablet, &car, "交质检").await;
    wait_text_in(&tablet, &car, "质检中").await;

    // QC: a fail needs its reason; failed once, the car goes back to work.
    let qc = Browser::synced(&server, "qc", "陈静", "质检测试平板").await;
    qc.goto("/service/qc").await;
    let qc_car = format!("//section[@aria-label={}]", xpath_literal(PLATE));
    wait_text_in(&qc, &qc_car, "质检中").await;
    click_in(&qc, &qc_car, "不合格").await;
    wait_text_in(
        &qc,
        &format!("{qc_car}//*[@role='alert']"),
        "不合格须写明原因",
    )
    .await;
    type_in(&qc, &qc_car, "qc-reason-", "刹车仍有异响").await;
    click_in(&qc, &qc_car, "不合格").await;
    wait_text_in(&qc, &qc_car, "返工次数 1").await;
    wait_text_in(&qc, &qc_car, "施工中").await;

    // Rework on the tablet, then the final check passes.
    wait_text_in(&tablet, &car, "施工中").await;
    click_in(&tablet, &brake_li, "开工").await;
    wait_text_in(&tablet, &brake_li, "作业中").await;
    click_in(&tablet, &brake_li, "完工").await;
    click_in(&tablet, &car, "交质检").await;
    wait_text_in(&qc, &qc_car, "质检中").await;
    click_in(&qc, &qc_car, "合格").await;
    qc.wait_until("the car ready, off the QC list", async || {
        qc.visible(&qc_car).await.is_none().then_some(())
    })
    .await;

    // The customer's page: ready for handover; the undecided job shows no price.
    let page = public_until(&desk, &token, |p| p["status"] == json!("ready")).await;
    assert_eq!(page["status"], json!("ready"), "{page}");
    for l in page["lines"].as_array().expect("lines") {
        if l["state"] != json!("approved") {
            assert_eq!(l["amount_fen"], json!(null), "{l}");
        }
    }
    tablet.goto(&format!("/s/{token}")).await;
    tablet.wait_for_text("待交车").await;
    tablet.wait_for_text(PLATE).await;

    qc.close().await;
    tablet.close().await;
    pc.close().await;
}

/// The customer's status page once `ready` holds (the devices' edits reach the server with their
/// next push), or as it is after 20 s.
async fn public_until(desk: &Desk, token: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let mut page = desk.public(token).await;
    for _ in 0..80 {
        if ready(&page) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        page = desk.public(token).await;
    }
    page
}
