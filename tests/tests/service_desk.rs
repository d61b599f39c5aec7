//! The service advisor's desk end to end (issue 15): the service manager sets the hourly rate
//! and a labour operation; the advisor books an appointment on the PC (a slot less than three
//! hours ahead is refused first, the confirm call the day before is a task); at the car the
//! tablet has no network, and the advisor receives the car there (odometer, fuel, the
//! customer's words, a damage mark on the car outline); reconnected, the RO reaches the PC,
//! where the estimate is made from the price list and a part, and the customer's phone approval
//! is logged; the RO (委托书) can be printed.

use domain::sales::chrono::{Duration, Utc};
use e2e::{Browser, Server, temp_dir};

/// Store time (the demo store is in China, UTC+8) `hours` from now, as a `datetime-local`
/// input takes it.
fn store_time_in(hours: i64) -> String {
    (Utc::now() + Duration::hours(8) + Duration::hours(hours))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Waits until the record page's 状态 reads `want`.
async fn wait_for_status(b: &Browser, want: &str) {
    b.wait_until(&format!("状态 {want:?}"), async || {
        (b.shown_value("状态").await == want).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advisor_books_receives_offline_estimates_and_gets_approval() {
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
    tablet.close().await;

    // 估价 on the PC: a labour operation from the price list and a part.
    pc.goto(&ro).await;
    pc.wait_for_text("踩刹车时前轮有异响").await;
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

    // The board lists the RO with its promised time; the appointment has arrived.
    pc.goto("/service").await;
    pc.wait_for_role("link", "粤A88888").await;
    pc.goto(&appointment).await;
    pc.wait_for_text("已到店").await;
    pc.close().await;
}
