//! The demo store's service history: three months of the workshop, made as ops by the service
//! advisor's PC, the technicians' tablets and the QC inspector's tablet, through the same step
//! plans the app runs (`domain::service::plan`), and pushed like the sales history
//! ([`push_history`]: every op checked by the domain policy as of its own time).
//!
//! Deterministic for a given `now` (its own fixed seed; ids are UUIDv7 made from the event
//! times and the generator). The cars are the demo C-cards' (delivered at least a week before)
//! and a pool of older cars of customers without a C-card. What it makes (about): the store's
//! `service_settings` (¥200 an hour, comebacks within 30 days, a 10-minute promise buffer);
//! 1–2 appointments a day (booked 1–3 days ahead; ~10 % no-shows with their reason, a few
//! cancelled) and some walk-ins; for each car received an RO with reception facts, an estimate
//! of labour and parts lines, the customer's approval (by phone; now and then a part declined),
//! dispatch to one of three technicians, an initial QC check, the job clocks (actual time
//! around the sold hours), added work found in the workshop (approved or declined, 建议未做),
//! the hand-over to QC, final checks (some failed with a reason, then reworked), the handover
//! (on time or late) and its 48-hour call; comebacks (返修: the same car and complaint again
//! within weeks, linked by `comeback_of`). The work of today stops at the present moment, so
//! the floor has cars in every step, and tomorrow has appointments booked.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use domain::plan::{Plan, Step};
use domain::records::service::{REPAIR_ORDER, SERVICE_SETTINGS};
use domain::records::{APPOINTMENT, CARE_TASK};
use domain::service::plan::{
    Handover, NewLine, Reception, added_work_plan, approve_estimate_plan, clock_plan,
    decide_line_plan, dispatch_plan, estimate_plan, handover_plan, no_show_plan, qc_plan,
    reception_plan,
};
use domain::service::repair_order::{
    ClockEvent, LineKind, PastRo, Proof, QcStage, RoStatus, comeback_of,
};
use domain::service::workshop::new_status_key;
use domain::sync::RecordState;
use domain::time::StoreClock;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::demo::DEMO_STORE_ID;
use crate::demo_sales::{
    Actor, Gen, HISTORY_DAYS, HistorySummary, MODELS, Rng, mobile, name, plate, push_history,
    register_devices, ts, vin,
};
use crate::error::Error;
use crate::store::Reader;
use crate::store::Store;

/// The generator's seed (not the sales history's, so each history stays what it was).
pub const SEED: u64 = 0x5EED_5345_5256_4943;
/// The store's hourly labour rate (fen).
pub const HOURLY_RATE_FEN: i64 = 20_000;
/// The advisor, the technicians and the QC inspector (usernames) and their devices.
pub const ADVISOR: (&str, &str) = ("advisor", "服务前台电脑");
pub const TECHNICIANS: [(&str, &str); 3] = [
    ("tech", "刘洋的平板"),
    ("wanggang", "王刚的平板"),
    ("zhoujie", "周杰的平板"),
];
pub const QC: (&str, &str) = ("qc", "质检平板");
pub const MANAGER: (&str, &str) = ("gm", "总经理电脑");

/// A kind of visit: the complaint's category (the comeback key), the customer's words, labour
/// (code, description, standard hours) and parts (description, quantity, unit price in fen).
struct Work {
    complaint: &'static str,
    words: &'static str,
    labour: &'static [(&'static str, &'static str, f64)],
    parts: &'static [(&'static str, i64, i64)],
}

const WORK: [(Work, u32); 7] = [
    (
        Work {
            complaint: "maintenance",
            words: "到了保养里程,做常规保养",
            labour: &[("MNT-01", "常规保养(更换机油、机滤)", 1.0)],
            parts: &[("全合成机油 4L", 1, 38_000), ("机油滤清器", 1, 6_000)],
        },
        40,
    ),
    (
        Work {
            complaint: "brake_noise",
            words: "刹车时前轮有吱吱的异响",
            labour: &[("BRK-01", "更换前刹车片", 1.5)],
            parts: &[("前刹车片(套)", 1, 52_000)],
        },
        14,
    ),
    (
        Work {
            complaint: "ac_not_cooling",
            words: "空调开了不够凉",
            labour: &[("AC-01", "空调系统检测、加注冷媒", 1.2)],
            parts: &[("R134a 冷媒", 1, 18_000)],
        },
        10,
    ),
    (
        Work {
            complaint: "engine_light",
            words: "仪表盘发动机故障灯亮了",
            labour: &[("DIA-01", "电脑诊断", 0.5), ("ENG-03", "更换点火线圈", 1.0)],
            parts: &[("点火线圈", 1, 42_000)],
        },
        10,
    ),
    (
        Work {
            complaint: "tyres",
            words: "高速上方向盘抖,轮胎磨得厉害",
            labour: &[("TYR-01", "更换轮胎", 0.6), ("TYR-02", "四轮定位", 0.8)],
            parts: &[("轮胎 215/55 R17", 2, 68_000)],
        },
        10,
    ),
    (
        Work {
            complaint: "bodywork",
            words: "倒车蹭了后保险杠",
            labour: &[("BDY-05", "后保险杠钣金喷漆", 3.0)],
            parts: &[("面漆及辅料", 1, 30_000)],
        },
        8,
    ),
    (
        Work {
            complaint: "battery",
            words: "早上打火困难",
            labour: &[("ELE-02", "蓄电池检测及更换", 0.4)],
            parts: &[("蓄电池 60Ah", 1, 65_000)],
        },
        8,
    ),
];

/// Findings in the workshop that become added work: (finding, proposed work, hours).
const FINDINGS: [(&str, &str, f64); 5] = [
    ("空气滤芯很脏", "更换空气滤芯", 0.3),
    ("雨刮片老化,刮不干净", "更换雨刮片", 0.2),
    ("刹车油含水量超标", "更换刹车油", 0.8),
    ("左前轮胎侧面鼓包", "更换左前轮胎", 0.5),
    ("蓄电池电压偏低", "更换蓄电池", 0.4),
];
const QC_FAILS: [&str; 5] = [
    "试车仍有异响",
    "机油液位偏高",
    "轮胎气压未按标准调整",
    "车内有油污未清洁",
    "故障码未清除",
];
const NO_SHOW: [&str; 4] = [
    "客户临时出差",
    "客户忘记了预约",
    "电话一直未接通",
    "客户说改天再来",
];

/// A car that comes to the workshop.
#[derive(Debug, Clone)]
struct Car {
    c_card: Option<Uuid>,
    name: String,
    phone: String,
    plate: String,
    vin: String,
    /// From when it may come (a C-card's car a week after delivery).
    from: NaiveDate,
}

/// Everything the history's steps need besides the generator.
struct Shop {
    advisor: Actor,
    techs: Vec<Actor>,
    qc: Actor,
    /// ROs handed over so far (for comebacks).
    past: Vec<PastRo>,
    /// Comebacks due: (day, car, complaint index).
    comebacks: Vec<(NaiveDate, Car, usize)>,
    settings_buffer: i64,
    ro_count: usize,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("demo service history: {e}"))
}

/// Runs `plan` as `who` at `at` (one op per write, a second apart), unless `at` is after now;
/// entry ids and the ids of new care tasks are drawn from the generator (the plans draw random
/// ones) so the history stays deterministic. Returns whether it ran.
fn run(g: &mut Gen, who: &Actor, plan: Plan, at: NaiveDateTime) -> Result<bool, Error> {
    if at > g.now {
        return Ok(false);
    }
    for (i, mut w) in plan.writes.into_iter().enumerate() {
        if w.record_type.name == CARE_TASK.name && !g.states.contains_key(&w.record_id) {
            w.record_id = g.id(at);
        }
        for step in &mut w.steps {
            if let Step::Append(field, id, _) = step
                && *field != "decision"
            {
                *id = g.id(at);
            }
        }
        if !g.states.contains_key(&w.record_id) {
            g.create_as(w.record_type, w.record_id);
        }
        let t = at + Duration::seconds(i as i64);
        g.op(who, w.record_type, w.record_id, t, |e, _| {
            w.changes(e.state)
        })?;
    }
    Ok(true)
}

fn day_at(day: NaiveDate, minutes: i64) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes)
}

fn text(r: &RecordState, f: &str) -> String {
    r.value(f)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The demo store's C-cards as stored (the sales history's).
async fn c_cards(store: &dyn Store) -> Result<Vec<RecordState>, Error> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .snapshot(
                DEMO_STORE_ID.to_owned(),
                after,
                1000,
                Reader::types(vec!["c_card".into()]),
            )
            .await?;
        for r in page.records {
            out.push(serde_json::from_str::<RecordState>(r.get()).map_err(internal)?);
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// Registers the service devices and pushes the demo service history of the demo store, dated
/// relative to `now`, on the C-cards already stored (call it after the sales history).
pub async fn seed_service_history(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<HistorySummary, Error> {
    let c_cards = c_cards(store).await?;
    let users = store.users_in_store(DEMO_STORE_ID.to_owned()).await?;
    let mut rng = Rng(SEED);
    let local_now = StoreClock::default().local(now);
    let start = local_now.date() - Duration::days(HISTORY_DAYS);
    let mut who = vec![ADVISOR, QC, MANAGER];
    who.extend(TECHNICIANS);
    let actors = register_devices(store, &mut rng, &users, start, now, &who).await?;
    let [advisor, qc, manager, techs @ ..] = actors.as_slice() else {
        return Err(internal("devices"));
    };
    let mut g = Gen {
        rng,
        now: local_now,
        ops: Vec::new(),
        states: HashMap::new(),
        counts: HashMap::new(),
    };
    let mut shop = Shop {
        advisor: advisor.clone(),
        techs: techs.to_vec(),
        qc: qc.clone(),
        past: Vec::new(),
        comebacks: Vec::new(),
        settings_buffer: 10,
        ro_count: 0,
    };
    history(&mut g, &mut shop, manager, start, &c_cards)?;
    let total = push_history(store, &users, std::mem::take(&mut g.ops), now).await?;
    let mut records: Vec<(&'static str, usize)> = g.counts.into_iter().collect();
    records.sort();
    Ok(HistorySummary {
        ops: total,
        records,
    })
}

fn history(
    g: &mut Gen,
    shop: &mut Shop,
    manager: &Actor,
    start: NaiveDate,
    c_cards: &[RecordState],
) -> Result<(), Error> {
    let settings_at = day_at(start - Duration::days(1), 9 * 60);
    // Under the id every device derives, so a device never makes a second one.
    let settings = g.create_as(
        &SERVICE_SETTINGS,
        domain::service::desk::service_settings_record_id(DEMO_STORE_ID),
    );
    g.op(manager, &SERVICE_SETTINGS, settings, settings_at, |e, _| {
        Ok(vec![
            e.set("hourly_rate_fen", json!(HOURLY_RATE_FEN))?,
            e.set("comeback_days", json!(30))?,
            e.set("promise_buffer_minutes", json!(shop.settings_buffer))?,
        ])
    })?;

    // The labour price list (工时价目), one operation per op as the settings screen adds them.
    let mut ops: Vec<(&str, &str, f64)> = WORK
        .iter()
        .flat_map(|(w, _)| w.labour.iter().copied())
        .collect();
    ops.sort_by(|a, b| a.0.cmp(b.0));
    ops.dedup_by(|a, b| a.0 == b.0);
    for (i, (code, name, hours)) in ops.into_iter().enumerate() {
        let element = domain::service::desk::LabourOp {
            code: code.to_owned(),
            name: name.to_owned(),
            hours,
        }
        .element();
        let at = settings_at + Duration::seconds(20 * (i as i64 + 1));
        g.op(manager, &SERVICE_SETTINGS, settings, at, |e, _| {
            Ok(vec![e.set_add("labour_ops", &element)?])
        })?;
    }

    let clock = StoreClock::default();
    let mut cars: Vec<Car> = c_cards
        .iter()
        .filter(|c| !c.is_deleted() && !text(c, "plate").is_empty())
        .map(|c| Car {
            c_card: Some(c.id),
            name: text(c, "name"),
            phone: text(c, "phone"),
            plate: text(c, "plate"),
            vin: text(c, "vin"),
            from: clock
                .parse_date(&text(c, "delivery_date"))
                .map_or(start, |d| d + Duration::days(7)),
        })
        .collect();
    cars.sort_by_key(|c| c.c_card);
    for _ in 0..70 {
        let model = g.rng.pick(&MODELS).0;
        let year = 2018 + g.rng.range(0, 5) as i32;
        cars.push(Car {
            c_card: None,
            name: name(&mut g.rng),
            phone: mobile(&mut g.rng),
            plate: plate(&mut g.rng),
            vin: vin(&mut g.rng, model, year),
            from: start,
        });
    }

    let today = g.now.date();
    let mut day = start;
    while day <= today + Duration::days(1) {
        let available: Vec<Car> = cars.iter().filter(|c| c.from <= day).cloned().collect();
        // Appointments for the day, booked one to three days before.
        let booked = g.rng.range(1, 2);
        for n in 0..booked {
            let car = g.rng.pick(&available).clone();
            let work = *g
                .rng
                .weighted(&[0usize, 1, 2, 3, 4, 5, 6].map(|i| (i, WORK[i].1)));
            let slot = day_at(day, 8 * 60 + 30 + 90 * n + g.rng.range(0, 60));
            let made = day_at(
                day - Duration::days(g.rng.range(1, 3)),
                g.rng.range(600, 1020),
            );
            if made > g.now {
                continue;
            }
            let appt = g.id(made);
            let a = shop.advisor.clone();
            g.create_as(&APPOINTMENT, appt);
            g.op(&a, &APPOINTMENT, appt, made, |e, _| {
                let mut changes = vec![
                    e.set("customer_name", json!(car.name))?,
                    e.set("phone", json!(car.phone))?,
                    e.set("plate", json!(car.plate))?,
                    e.set("vin", json!(car.vin))?,
                    e.set("service_wanted", json!(WORK[work].0.words))?,
                    e.set("slot_at", json!(ts(slot)))?,
                    e.set("advisor_id", json!(a.user))?,
                ];
                if let Some(c) = car.c_card {
                    changes.push(e.set("c_card_id", json!(c.to_string()))?);
                }
                Ok(changes)
            })?;
            let roll = g.rng.below(100);
            if roll < 10 {
                let reason = *g.rng.pick(&NO_SHOW);
                run(g, &a, no_show_plan(appt, reason), slot + Duration::hours(1))?;
            } else if roll < 13 {
                let plan = Plan::new().then(
                    domain::plan::PlannedWrite::new(appt, &APPOINTMENT)
                        .with(Step::Move("status", "cancelled")),
                );
                run(g, &a, plan, slot - Duration::hours(2))?;
            } else {
                let arrived = slot + Duration::minutes(g.rng.range(-10, 15));
                visit(g, shop, &car, work, Some(appt), arrived)?;
            }
        }
        // Walk-ins, and the comebacks due today.
        if g.rng.chance(0.35) && !available.is_empty() {
            let car = g.rng.pick(&available).clone();
            let work = *g
                .rng
                .weighted(&[0usize, 1, 2, 3, 4, 5, 6].map(|i| (i, WORK[i].1)));
            let at = day_at(day, g.rng.range(9 * 60, 15 * 60));
            visit(g, shop, &car, work, None, at)?;
        }
        let due: Vec<(NaiveDate, Car, usize)> = shop
            .comebacks
            .iter()
            .filter(|(d, _, _)| *d == day)
            .cloned()
            .collect();
        shop.comebacks.retain(|(d, _, _)| *d != day);
        for (_, car, work) in due {
            let at = day_at(day, g.rng.range(9 * 60, 14 * 60));
            visit(g, shop, &car, work, None, at)?;
        }
        day += Duration::days(1);
    }
    // Cars received in the last hours, whatever the time of day the store was made: the
    // floor has work going on (in work, at QC, a job running).
    let recent: Vec<Car> = cars.iter().filter(|c| c.from <= today).cloned().collect();
    for minutes in [35, 80, 150, 210] {
        let car = g.rng.pick(&recent).clone();
        let work = *g
            .rng
            .weighted(&[0usize, 1, 2, 3, 4, 5, 6].map(|i| (i, WORK[i].1)));
        let at = g.now - Duration::minutes(minutes);
        visit(g, shop, &car, work, None, at)?;
    }
    Ok(())
}

/// One car's visit from reception to the 48-hour call, each step at its time (none after now).
fn visit(
    g: &mut Gen,
    shop: &mut Shop,
    car: &Car,
    work: usize,
    appointment: Option<Uuid>,
    at: NaiveDateTime,
) -> Result<(), Error> {
    if at > g.now {
        return Ok(());
    }
    let w = &WORK[work].0;
    let sa = shop.advisor.clone();
    let qc = shop.qc.clone();
    shop.ro_count += 1;
    let tech = shop.techs[shop.ro_count % shop.techs.len()].clone();
    let ro = g.id(at);
    let complaint = w.complaint;
    let comeback = comeback_of(
        &shop.past,
        Some(&car.vin),
        Some(&car.plate),
        Some(complaint),
        at,
        30,
    );
    let mut key = [0u8; 16];
    for chunk in key.chunks_mut(8) {
        chunk.copy_from_slice(&g.rng.next().to_le_bytes());
    }
    let reception = Reception {
        ro_id: ro,
        appointment_id: appointment,
        c_card_id: car.c_card,
        customer_name: car.name.clone(),
        phone: car.phone.clone(),
        plate: car.plate.clone(),
        vin: car.vin.clone(),
        advisor_id: sa.user.clone(),
        received_at: Some(at),
        odometer: Some(g.rng.range(3_000, 90_000)),
        fuel: Some(g.rng.range(2, 8)),
        customer_words: if comeback.is_some() {
            format!("{}(上次修过还是这样)", w.words)
        } else {
            w.words.to_owned()
        },
        complaint: complaint.to_owned(),
        valuables: if g.rng.chance(0.2) {
            "行车记录仪".into()
        } else {
            String::new()
        },
        comeback_of: comeback,
        ..Reception::default()
    };
    let mut plan = reception_plan(&reception);
    if let Some(first) = plan.writes.first_mut() {
        first
            .steps
            .push(Step::Set("status_key", json!(new_status_key(key))));
    }
    run(g, &sa, plan, at)?;

    // The estimate (a comeback's labour is free of charge: the same work again, no parts).
    let mut lines = Vec::new();
    for (code, desc, hours) in w.labour {
        lines.push(NewLine {
            line_id: g.id(at),
            kind: LineKind::Labour,
            code: (*code).to_owned(),
            description: (*desc).to_owned(),
            std_hours: Some(*hours),
            qty: None,
            unit_price_fen: None,
        });
    }
    if comeback.is_none() {
        for (desc, qty, price) in w.parts {
            lines.push(NewLine {
                line_id: g.id(at),
                kind: LineKind::Part,
                code: String::new(),
                description: (*desc).to_owned(),
                std_hours: None,
                qty: Some(*qty),
                unit_price_fen: Some(*price),
            });
        }
    }
    let minutes: i64 = w
        .labour
        .iter()
        .map(|(_, _, h)| (h * 60.0).round() as i64)
        .sum();
    // The advisor's own estimate: the labour plus the checks, the road test and the wash.
    let estimate = minutes + g.rng.range(45, 90);
    let t = at + Duration::minutes(15);
    let start = t + Duration::minutes(15);
    let promised =
        domain::service::repair_order::promised_time(start, estimate, shop.settings_buffer);
    if !run(
        g,
        &sa,
        estimate_plan(
            ro,
            RoStatus::Received,
            &lines,
            estimate,
            start,
            shop.settings_buffer,
        ),
        t,
    )? {
        return Ok(());
    }
    // The customer approves by phone; now and then a part is declined (建议未做).
    let ids: Vec<Uuid> = lines.iter().map(|l| l.line_id).collect();
    let mut approve = ids.clone();
    if lines.len() > 1
        && lines.last().is_some_and(|l| l.kind == LineKind::Part)
        && g.rng.chance(0.08)
    {
        approve.pop();
    }
    let t = at + Duration::minutes(25);
    let phone = Proof::Phone {
        who: car.name.clone(),
        at: ts(t),
        what: lines
            .iter()
            .filter(|l| approve.contains(&l.line_id))
            .map(|l| l.description.as_str())
            .collect::<Vec<_>>()
            .join("、"),
    };
    if !run(g, &sa, approve_estimate_plan(ro, &ids, &approve, &phone), t)? {
        return Ok(());
    }
    let labour: Vec<Uuid> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Labour)
        .map(|l| l.line_id)
        .collect();
    let t = at + Duration::minutes(30);
    if !run(
        g,
        &sa,
        dispatch_plan(ro, RoStatus::Approved, &labour, &tech.user),
        t,
    )? {
        return Ok(());
    }
    let t = at + Duration::minutes(33);
    if !run(
        g,
        &qc,
        qc_plan(ro, RoStatus::InWork, QcStage::Initial, true, ""),
        t,
    )? {
        return Ok(());
    }

    // The work: each job clocked on and off (now and then paused for parts), ±30 % of sold.
    let mut t = start;
    for (i, id) in labour.iter().enumerate() {
        let sold = (w.labour[i].2 * 60.0).round() as i64;
        let actual = (sold * g.rng.range(75, 130) / 100).max(10);
        if !run(g, &tech, clock_plan(*id, ClockEvent::On, Uuid::nil()), t)? {
            return Ok(());
        }
        if g.rng.chance(0.2) {
            let half = actual / 2;
            if !run(
                g,
                &tech,
                clock_plan(*id, ClockEvent::Pause, Uuid::nil()),
                t + Duration::minutes(half),
            )? {
                return Ok(());
            }
            t += Duration::minutes(g.rng.range(10, 30));
            if !run(
                g,
                &tech,
                clock_plan(*id, ClockEvent::On, Uuid::nil()),
                t + Duration::minutes(half),
            )? {
                return Ok(());
            }
        }
        t += Duration::minutes(actual);
        if !run(g, &tech, clock_plan(*id, ClockEvent::Off, Uuid::nil()), t)? {
            return Ok(());
        }
        t += Duration::minutes(2);
    }

    // Added work found on the first job: the advisor calls; approved ones are worked too.
    if comeback.is_none() && g.rng.chance(0.25) {
        let (finding, what, hours) = *g.rng.pick(&FINDINGS);
        let extra = NewLine {
            line_id: g.id(t),
            kind: LineKind::Labour,
            code: String::new(),
            description: what.to_owned(),
            std_hours: Some(hours),
            qty: None,
            unit_price_fen: None,
        };
        if !run(
            g,
            &tech,
            added_work_plan(ro, labour.first().copied(), finding, &[], &extra),
            t,
        )? {
            return Ok(());
        }
        t += Duration::minutes(g.rng.range(10, 25));
        let yes = g.rng.chance(0.6);
        let call = Proof::Phone {
            who: car.name.clone(),
            at: ts(t),
            what: format!("{what} {hours} 小时"),
        };
        if !run(g, &sa, decide_line_plan(extra.line_id, yes, &call), t)? {
            return Ok(());
        }
        if yes {
            t += Duration::minutes(2);
            if !run(
                g,
                &sa,
                dispatch_plan(ro, RoStatus::InWork, &[extra.line_id], &tech.user),
                t,
            )? {
                return Ok(());
            }
            let minutes = (hours * 60.0).round() as i64;
            if !run(
                g,
                &tech,
                clock_plan(extra.line_id, ClockEvent::On, Uuid::nil()),
                t,
            )? {
                return Ok(());
            }
            t += Duration::minutes(minutes);
            if !run(
                g,
                &tech,
                clock_plan(extra.line_id, ClockEvent::Off, Uuid::nil()),
                t,
            )? {
                return Ok(());
            }
        }
    }

    // To QC; a final check fails now and then (rework), then passes.
    let to_qc = |g: &mut Gen, t: NaiveDateTime| {
        let plan = Plan::new().then(
            domain::plan::PlannedWrite::new(ro, &REPAIR_ORDER)
                .with(Step::Move("status", RoStatus::Qc.as_str())),
        );
        run(g, &tech, plan, t)
    };
    t += Duration::minutes(3);
    if !to_qc(g, t)? {
        return Ok(());
    }
    t += Duration::minutes(g.rng.range(5, 20));
    if g.rng.chance(0.1) {
        let reason = *g.rng.pick(&QC_FAILS);
        if !run(
            g,
            &qc,
            qc_plan(ro, RoStatus::Qc, QcStage::Final, false, reason),
            t,
        )? {
            return Ok(());
        }
        t += Duration::minutes(5);
        let Some(first) = labour.first().copied() else {
            return Ok(());
        };
        if !run(g, &tech, clock_plan(first, ClockEvent::On, Uuid::nil()), t)? {
            return Ok(());
        }
        t += Duration::minutes(g.rng.range(15, 40));
        if !run(g, &tech, clock_plan(first, ClockEvent::Off, Uuid::nil()), t)? {
            return Ok(());
        }
        t += Duration::minutes(2);
        if !to_qc(g, t)? {
            return Ok(());
        }
        t += Duration::minutes(g.rng.range(5, 15));
    }
    if !run(
        g,
        &qc,
        qc_plan(ro, RoStatus::Qc, QcStage::Final, true, ""),
        t,
    )? {
        return Ok(());
    }

    // The handover: most on time, some late (the customer came later, or the work ran over).
    let handed = if t + Duration::minutes(10) <= promised && g.rng.chance(0.9) {
        (t + Duration::minutes(g.rng.range(10, 40))).min(promised)
    } else {
        t.max(promised) + Duration::minutes(g.rng.range(5, 60))
    };
    let h = Handover {
        ro_id: ro,
        c_card_id: car.c_card,
        customer_name: car.name.clone(),
        phone: car.phone.clone(),
        advisor_id: sa.user.clone(),
        promised_at: Some(promised),
        handed_over_at: handed,
        signature_blob: None,
    };
    let before = g.ops.len();
    if !run(g, &sa, handover_plan(&h), handed)? {
        return Ok(());
    }
    shop.past.push(PastRo {
        id: ro,
        vin: Some(car.vin.clone()),
        plate: Some(car.plate.clone()),
        complaint: Some(complaint.to_owned()),
        handed_over_at: Some(handed),
    });
    // The 48-hour call, made when it was due.
    let task = g.ops[before..]
        .iter()
        .find(|o| o.record_type == CARE_TASK.name)
        .map(|o| o.record_id);
    if let Some(task) = task {
        let call = handed + Duration::hours(48) + Duration::minutes(g.rng.range(0, 120));
        // The call reached the customer, which closes the task (`care::calls::log_attempt`;
        // `care::policy::check_done`). Its entry id comes from the task's, so the generator's
        // draws (and the rest of the history) stay as they were.
        if call <= g.now {
            let entry = Uuid::from_u128(task.as_u128().wrapping_add(1));
            let reached = json!({"at": ts(call), "channel": "phone", "outcome": "reached"});
            g.op(&sa, &CARE_TASK, task, call, |e, _| {
                Ok(vec![
                    e.append("attempts", entry, reached)?,
                    e.transition("status", "done")?,
                ])
            })?;
        }
    }
    // A comeback: the same car with the same complaint within weeks.
    if comeback.is_none() && work != 0 && g.rng.chance(0.07) {
        let back = handed.date() + Duration::days(g.rng.range(3, 20));
        shop.comebacks.push((back, car.clone(), work));
    }
    Ok(())
}
