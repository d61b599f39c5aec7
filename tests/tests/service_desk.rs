//! The service advisor's desk end to end (issue 15): the service manager sets the hourly rate
//! and a labour operation; the advisor books an appointment on the PC (a slot less than three
//! hours ahead is refused first, the confirm call the day before is a task); at the car the
//! tablet has no network, and the advisor receives the car there (odometer, fuel, the
//! customer's words, a damage mark on the car outline, a photo, the customer's signature);
//! reconnected, the RO, the photo and the signature reach the PC,
//! where the estimate is made from the price list and a part, and the customer's phone approval
//! is logged; the RO (委托书) can be printed; a technician clocks on and proposes added work
//! with a photo (seen on the PC's RO page), whose phone approval the advisor logs; QC fails once, then passes; the handover is signed
//! and on time, and the 48-hour follow-up call is a task.

use domain::sales::chrono::{Duration, Utc};
use e2e::scoped::{click_in, dispatch, find, type_in, wait_text_in};
use e2e::{Browser, Server, temp_dir, xpath_literal};
use fantoccini::Locator;
use serde_json::json;

/// A 1 × 1 PNG: the photo of the dent.
const PHOTO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Another 1 × 1 PNG (a red pixel): the technician's photo of the scored brake disc.
const DISC_PHOTO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0xa0, 0xa0, 0xf0,
    0x1f, 0x00, 0x04, 0xa4, 0x02, 0x00, 0xc2, 0xf5, 0xf3, 0xe5, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Signs the signature pad inside `scope` (a CSS selector) with a stroke, and confirms.
async fn sign(b: &Browser, scope: &str) {
    let drawn = b
        .eval(
            "const c = document.querySelector(arguments[0] + ' canvas.signature-canvas');
             if (!c) return false;
             const r = c.getBoundingClientRect();
             const ev = (t, x, y) => c.dispatchEvent(new PointerEvent(t, {bubbles: true,
                 cancelable: true, pointerId: 1, isPrimary: true, pointerType: 'pen',
                 clientX: r.left + x, clientY: r.top + y}));
             ev('pointerdown', 10, 10); ev('pointermove', 60, 40); ev('pointermove', 120, 20);
             ev('pointerup', 120, 20);
             return true;",
            vec![json!(scope)],
        )
        .await;
    assert_eq!(drawn, json!(true), "a signature pad in {scope}");
    b.click_button("确认签名").await;
    b.wait_for_role("status", "已签名").await;
}

/// How many pictures from the device's blob store are shown.
async fn pictures_shown(b: &Browser) -> usize {
    pictures_shown_in(b, "body").await
}

/// How many pictures from the device's blob store are shown inside `scope` (a CSS selector).
async fn pictures_shown_in(b: &Browser, scope: &str) -> usize {
    b.eval(
        "return [...document.querySelectorAll(arguments[0] + ' img.blob-image')]
             .filter(i => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0).length;",
        vec![json!(scope)],
    )
    .await
    .as_u64()
    .unwrap_or(0) as usize
}

/// Store time (the demo store is in China, UTC+8) `hours` from now, as a `datetime-local`
/// input takes it.
fn store_time_in(hours: i64) -> String {
    (Utc::now() + Duration::hours(8) + Duration::hours(hours))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

const PLATE: &str = "粤A88888";

/// Waits until the record page's 状态 reads `want`.
async fn wait_for_status(b: &Browser, want: &str) {
    b.wait_until(&format!("状态 {want:?}"), async || {
        (b.shown_value("状态").await == want).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_car_goes_from_booking_to_handover_with_the_reception_offline() {
    let data = temp_dir("data");
    let server = Server::start(data.path());

    // The service manager's price list.
    let gm = Browser::synced(&server, "gm", "孙建国", "总经理电脑").await;
    gm.goto("/service/settings").await;
    gm.fill("工时单价(元/小时)", "300").await;
    gm.fill("车间每日在岗工时(小时)", "32").await;
    gm.click_button("保存").await;
    gm.wait_for_text("当前工时单价: ¥300.00").await;
    gm.fill("工时代码", "BRK-01").await;
    gm.fill("项目名称", "更换前刹车片").await;
    gm.fill("标准工时(小时)", "1.5").await;
    gm.click_button("添加工时项目").await;
    gm.wait_for_text("BRK-01 更换前刹车片 · 1.5 h").await;
    gm.wait_gone("条更改待同步").await;
    gm.close().await;

    // 预约 on the advisor's PC: too soon first.
    let pc = Browser::synced(&server, "advisor", "张伟", "服务前台电脑").await;
    pc.goto("/service").await;
    pc.wait_for_text("服务顾问看板").await;
    pc.click_link("新建预约").await;
    pc.wait_for_field("客户姓名").await;
    pc.fill("客户姓名", "王建国").await;
    pc.fill("手机号码", "13912345678").await;
    pc.fill("车牌号", "粤A88888").await;
    pc.fill("服务项目", "刹车异响检查").await;
    pc.fill("预约时间", &store_time_in(1)).await;
    // The capacity of the day shows while booking.
    pc.wait_for_text("当日产能").await;
    pc.wait_for_text("车间工时").await;
    pc.click_button("保存预约").await;
    pc.wait_for_role("alert", "预约须至少提前3小时,请选择更晚的时间")
        .await;
    assert!(pc.path().await.starts_with("/service/appointments/new"));
    pc.fill("预约时间", &store_time_in(26)).await;
    pc.fill("所需配件", "前刹车片一套").await;
    pc.click_button("保存预约").await;
    let appointment = pc.wait_for_record_page("/service/appointments").await;
    pc.wait_for_text("前刹车片一套").await;
    pc.wait_for_text("预约确认电话").await;
    pc.wait_gone("条更改待同步").await;

    // 接待 on the tablet at the car, with no network.
    let tablet = Browser::synced(&server, "advisor", "张伟", "服务接待平板").await;
    tablet.goto(&appointment).await;
    tablet.wait_for_text("粤A88888").await;
    tablet.set_offline(true).await;
    tablet.wait_for_text("离线").await;
    tablet.click_link("到店接待").await;
    tablet.wait_for_field("里程(公里)").await;
    tablet.wait_for_text("预约到店").await;
    tablet.fill("里程(公里)", "23456").await;
    tablet.select("油量", "4/8").await;
    tablet.fill("客户陈述", "踩刹车时前轮有异响").await;
    tablet.fill("故障类别", "刹车异响").await;
    tablet.fill("贵重物品", "行车记录仪").await;
    tablet.select("损伤类型", "凹陷").await;
    tablet.click_button("左前门").await;
    tablet.wait_for_text("左前门 · 凹陷").await;
    // A photo of the dent and the customer's signature, kept on the tablet.
    let photo = data.path().join("dent.png");
    std::fs::write(&photo, PHOTO).expect("writing the photo");
    let input = tablet
        .client()
        .find(Locator::Css("#svc-r-photo"))
        .await
        .expect("the photo input");
    input
        .send_keys(photo.to_str().expect("a UTF-8 path"))
        .await
        .expect("choosing the photo");
    tablet
        .wait_until("the photo shown", async || {
            (pictures_shown(&tablet).await >= 1).then_some(())
        })
        .await;
    sign(&tablet, ".svc-signature").await;
    tablet.click_button("接车并建工单").await;
    let ro = tablet.wait_for_record_page("/service/ro").await;
    wait_for_status(&tablet, "已接车").await;
    tablet.wait_for_text("踩刹车时前轮有异响").await;
    tablet.wait_for_text("23456 km").await;
    tablet.wait_for_text("左前门 · 凹陷").await;
    // The RO and the appointment (arrived) wait in the outbox.
    tablet.wait_for_role("status", "2 条更改待同步").await;
    tablet.set_offline(false).await;
    tablet.wait_gone("条更改待同步").await;
    tablet.wait_gone("张图片待上传").await;
    tablet.close().await;

    // 估价 on the PC: a labour operation from the price list and a part.
    pc.goto(&ro).await;
    pc.wait_for_text("踩刹车时前轮有异响").await;
    // The photo and the signature taken offline are on the PC after the reconnect.
    pc.wait_until(
        "the reception's photo and signature on the PC",
        async || (pictures_shown(&pc).await >= 2).then_some(()),
    )
    .await;
    pc.select("工时项目", "BRK-01").await;
    pc.click_button("加入工时").await;
    pc.fill("配件名称", "前刹车片").await;
    pc.fill("数量", "1").await;
    pc.fill("单价(元)", "380").await;
    pc.click_button("加入配件").await;
    pc.click_button("保存估价").await;
    wait_for_status(&pc, "已估价").await;
    pc.wait_for_text("¥450.00").await;
    pc.wait_for_text("¥830.00").await;

    // The customer approves by phone: who, what (the time is recorded).
    pc.fill("确认人", "王建国").await;
    pc.fill("确认内容", "更换前刹车片及配件,共830元").await;
    pc.click_button("登记客户确认").await;
    wait_for_status(&pc, "客户已确认").await;
    assert!(pc.has_button("打印委托书").await);
    pc.wait_gone("条更改待同步").await;

    // 派工: the brake job to 刘洋.
    pc.goto("/service/dispatch").await;
    dispatch(&pc, PLATE, "更换前刹车片", "刘洋").await;

    // The technician clocks on; a finding becomes added work.
    let tech = Browser::synced(&server, "tech", "刘洋", "刘洋的平板").await;
    tech.goto("/service/jobs").await;
    let car = format!("//section[@aria-label={}]", xpath_literal(PLATE));
    let brake_li = format!("{car}//li[@aria-label={}]", xpath_literal("更换前刹车片"));
    let extra_li = format!("{car}//li[@aria-label={}]", xpath_literal("刹车盘打磨"));
    click_in(&tech, &brake_li, "开工").await;
    wait_text_in(&tech, &brake_li, "作业中").await;
    let summary = find(&tech, "发现问题", &format!("{brake_li}//summary")).await;
    summary.click().await.expect("open the finding form");
    type_in(&tech, &brake_li, "finding-text-", "刹车盘有明显划痕").await;
    type_in(&tech, &brake_li, "finding-line-", "刹车盘打磨").await;
    type_in(&tech, &brake_li, "finding-hours-", "0.5").await;
    // A photo of the scored disc, taken on the tablet, goes with the finding.
    let disc = data.path().join("disc.png");
    std::fs::write(&disc, DISC_PHOTO).expect("writing the disc photo");
    let disc_input = tech
        .client()
        .find(Locator::XPath(&format!(
            "{brake_li}//input[starts-with(@id, 'finding-photo-')]"
        )))
        .await
        .expect("the finding's photo input");
    disc_input
        .send_keys(disc.to_str().expect("a UTF-8 path"))
        .await
        .expect("choosing the disc photo");
    tech.wait_until("the finding's photo shown", async || {
        (pictures_shown_in(&tech, "details.finding").await >= 1).then_some(())
    })
    .await;
    click_in(&tech, &brake_li, "提交增项").await;
    wait_text_in(&tech, &brake_li, "已提交的发现: 刹车盘有明显划痕").await;

    // The customer approves the added work by phone, logged on the RO page.
    pc.goto(&ro).await;
    pc.wait_for_text("增项待确认").await;
    // The technician's finding and its photo are on the PC's RO page.
    wait_text_in(&pc, "//div[@class='svc-findings']", "刹车盘有明显划痕").await;
    pc.wait_until("the finding's photo on the PC", async || {
        (pictures_shown_in(&pc, ".svc-finding").await >= 1).then_some(())
    })
    .await;
    pc.fill("确认人", "王建国").await;
    pc.fill("确认内容", "同意刹车盘打磨,¥150").await;
    pc.click_button("登记客户确认").await;
    pc.wait_gone("增项待确认").await;
    pc.goto("/service/dispatch").await;
    dispatch(&pc, PLATE, "刹车盘打磨", "刘洋").await;

    // Both jobs done, to QC.
    click_in(&tech, &extra_li, "开工").await;
    wait_text_in(&tech, &extra_li, "作业中").await;
    click_in(&tech, &extra_li, "完工").await;
    wait_text_in(&tech, &extra_li, "已完工").await;
    click_in(&tech, &brake_li, "完工").await;
    wait_text_in(&tech, &brake_li, "已完工").await;
    click_in(&tech, &car, "交质检").await;
    wait_text_in(&tech, &car, "质检中").await;

    // QC fails once with a reason (rework), then passes.
    let qc = Browser::synced(&server, "qc", "陈静", "质检平板").await;
    qc.goto("/service/qc").await;
    let qc_car = format!("//section[@aria-label={}]", xpath_literal(PLATE));
    wait_text_in(&qc, &qc_car, "质检中").await;
    type_in(&qc, &qc_car, "qc-reason-", "刹车仍有异响").await;
    click_in(&qc, &qc_car, "不合格").await;
    wait_text_in(&qc, &qc_car, "返工次数 1").await;
    wait_text_in(&tech, &car, "施工中").await;
    click_in(&tech, &brake_li, "开工").await;
    wait_text_in(&tech, &brake_li, "作业中").await;
    click_in(&tech, &brake_li, "完工").await;
    click_in(&tech, &car, "交质检").await;
    wait_text_in(&qc, &qc_car, "质检中").await;
    click_in(&qc, &qc_car, "合格").await;
    qc.wait_until("the car ready, off the QC list", async || {
        qc.visible(&qc_car).await.is_none().then_some(())
    })
    .await;
    // The pass is on the server before the tablet closes (a closed tab pushes nothing).
    qc.wait_gone("条更改待同步").await;
    qc.close().await;
    tech.close().await;

    // 交车 on the PC: the customer signs; on time; the 48-hour call is the advisor's task.
    pc.goto(&ro).await;
    wait_for_status(&pc, "待交车").await;
    sign(&pc, ".svc-signature").await;
    pc.click_button("确认交车").await;
    wait_for_status(&pc, "已交车").await;
    pc.wait_until("按时交车", async || {
        (pc.shown_value("按时交车").await == "按时交车").then_some(())
    })
    .await;
    pc.wait_for_text("48小时回访").await;
    pc.wait_gone("条更改待同步").await;

    // The board: the RO is no longer open; the appointment has arrived.
    pc.goto("/service").await;
    pc.wait_for_text("今日预约").await;
    pc.goto(&appointment).await;
    pc.wait_for_text("已到店").await;
    pc.close().await;
}
