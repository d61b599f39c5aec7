//! The demo store's customer-care history: the last four weeks of the care schedule
//! (`domain::care::schedule`) worked by two CS specialists, made as ops through the domain's
//! own plans and pushed like the other histories ([`push_history`]: every op checked by the
//! domain policy as of its own time).
//!
//! Deterministic for a given `now` (its own seed). What it makes: the store's `care_settings`
//! (the two specialists, scripts for the main kinds); 16 older customers taken over from the old
//! DMS (bought 10–14 months ago: their renewals and lost-customer calls fall due); every row of the schedule that showed in
//! the last 28 days, written the day it first showed, assigned by the CS manager's rule; each
//! worked on its day by its specialist: mostly reached (done), some "call back later" then
//! reached the next day, some refused, some unreachable — three calls at three times of day
//! over three days, a message through the outbox, then failed with the reason —, the 续保
//! calls recording a renewal won or lost (to whom, with the quote; `domain::care::renewal`),
//! the lost-customer calls recording the reason and the shop used now (`domain::care::lost`),
//! the CS manager auditing the drawn renewal outcomes (one found wrong), and one task called by
//! both specialists (a double, as two tablets that took it offline would). The tasks that show
//! today or later are left open: the day's lists. The first [`OPEN_CUSTOMERS`] older customers
//! are dated so that their renewal's contacts fall around today and are left to make, as is
//! their lost-customer call of the month (the 续保 and 流失客户 pages' open rows).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use domain::care::CareKind;
use domain::care::assign::assignee_for;
use domain::care::calls::{Attempt, Outcome, fail, log_attempt};
use domain::care::lost::{LostReason, record_finding};
use domain::care::message::{Outbox, compose, send_for_task};
use domain::care::renewal::{
    LostTo, OutcomeInput, RenewalOutcome, audit, in_audit_sample, is_effective, record_outcome,
};
use domain::care::schedule::{PastService, ScheduledTask, ServiceKind, generate, task_write};
use domain::care::settings::{CareSettings, care_settings_id};
use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::service::RepairOrder;
use domain::records::{C_CARD, CARE_SETTINGS, CCard, CareTask};
use domain::sync::RecordState;
use domain::time::{StoreClock, stored_date};
use serde_json::json;
use uuid::Uuid;

use crate::demo::DEMO_STORE_ID;
use crate::demo_sales::{
    Actor, Gen, HistorySummary, MODELS, Rng, mobile, name, plate, push_history, register_devices,
    vin,
};
use crate::error::Error;
use crate::store::{Reader, Store};

/// The generator's seed.
pub const SEED: u64 = 0x5EED_4341_5245_0017;
/// The CS specialists and the CS manager (usernames) and their devices.
pub const SPECIALISTS: [(&str, &str); 2] = [("cs", "客服平板1"), ("cs2", "客服平板2")];
pub const MANAGER: (&str, &str) = ("csmgr", "客服经理电脑");
/// How far back the care history goes.
pub const CARE_DAYS: i64 = 28;
/// Customers taken over from the old DMS (bought 10–14 months ago).
pub const OLDER_CUSTOMERS: usize = 16;
/// Of those, the ones whose renewal and lost-customer calls are still to make: bought 325, 327
/// and 329 days ago (insurance expiring in 40, 38 and 36 days: the T−45 contact missed, T−33
/// and T−30 ahead, all three tasks open).
pub const OPEN_CUSTOMERS: usize = 3;

const LOST_SHOPS: [&str; 4] = ["城东汽修厂", "途虎养车", "快修连锁店", "朋友的修理厂"];

const SCRIPTS: [(&str, &str); 4] = [
    (
        "first_maintenance",
        "您好,我是演示4S店客服,您的爱车已到首保时间,首保免工时费,请问这周方便安排吗?",
    ),
    (
        "maintenance",
        "您好,根据您的行驶里程,爱车下周需要保养,可以为您预约时间。",
    ),
    (
        "lost_customer",
        "您好,好久没见到您回店了,想了解一下车辆使用情况,以及是否有什么不满意的地方。",
    ),
    (
        "insurance_t45",
        "您好,您的车险将在一个半月后到期,我们可以为您提供续保报价。",
    ),
];

const INSURERS: [&str; 3] = ["平安", "人保", "太平洋"];

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("demo care history: {e}"))
}

async fn records_of(store: &dyn Store, record_type: &str) -> Result<Vec<RecordState>, Error> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .snapshot(
                DEMO_STORE_ID.to_owned(),
                after,
                1000,
                Reader::types(vec![record_type.into()]),
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

/// Runs `plan` as `who` at `at` (a second between writes), entry ids drawn from the generator.
fn run(g: &mut Gen, who: &Actor, plan: Plan, at: NaiveDateTime) -> Result<(), Error> {
    for (i, mut w) in plan.writes.into_iter().enumerate() {
        for step in &mut w.steps {
            if let Step::Append(_, id, _) = step {
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
    Ok(())
}

fn at(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_hms_opt(h, m, 0).unwrap_or_default()
}

/// After a row's calls: a 续保 first contact that reached the customer records the outcome
/// (renewed, or lost to an insurer or another shop, with the quote), a lost-customer call that
/// reached them records the reason and the shop they use now; both by whoever reached the
/// customer, a few minutes after. Returns the renewal outcome's task and time.
fn record_what_was_found(
    g: &mut Gen,
    row: &ScheduledTask,
    callers: [&Actor; 2],
    roll: u64,
    clock: StoreClock,
) -> Result<Option<(Uuid, NaiveDateTime)>, Error> {
    if row.kind != CareKind::InsuranceFirst && row.kind != CareKind::LostCustomer {
        return Ok(None);
    }
    let state = g.states.get(&row.id).ok_or_else(|| internal("task"))?;
    let task = CareTask::of(state, clock);
    let attempts = Attempt::all_of(&task, clock);
    let Some(reached) = attempts.iter().find(|a| is_effective(a)) else {
        return Ok(None);
    };
    let Some(who) = callers.into_iter().find(|c| c.user == reached.by) else {
        return Ok(None);
    };
    let when = reached.at + Duration::minutes(3);
    if row.kind == CareKind::InsuranceFirst {
        let quote = 3_200 + g.rng.below(3_000);
        let insurer = INSURERS[(roll % 3) as usize];
        let input = if roll.is_multiple_of(2) && reached.outcome == Outcome::Reached {
            OutcomeInput {
                outcome: RenewalOutcome::Renewed,
                premium: quote.to_string(),
                insurer: insurer.into(),
                lost_to_kind: None,
                lost_to: String::new(),
            }
        } else {
            let (kind, to) = if roll % 5 == 1 {
                (LostTo::Shop, LOST_SHOPS[0].to_owned())
            } else {
                (LostTo::Insurer, format!("{insurer}电销"))
            };
            OutcomeInput {
                outcome: RenewalOutcome::Lost,
                premium: quote.to_string(),
                insurer: String::new(),
                lost_to_kind: Some(kind),
                lost_to: to,
            }
        };
        let w = record_outcome(row.id, &input, when).map_err(internal)?;
        run(g, who, Plan::new().then(w), when)?;
        return Ok(Some((row.id, when)));
    }
    let reason = LostReason::ALL[g.rng.below(8) as usize];
    let shop = match reason {
        LostReason::Sold | LostReason::LowUse => "",
        _ => LOST_SHOPS[g.rng.below(LOST_SHOPS.len() as u64) as usize],
    };
    let w = record_finding(row.id, reason, "", shop).map_err(internal)?;
    run(g, who, Plan::new().then(w), when)?;
    Ok(None)
}

/// Registers the CS devices and pushes the demo care history, dated relative to `now` (call it
/// after the sales and service histories: it reads their C-cards and repair orders).
pub async fn seed_care_history(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<HistorySummary, Error> {
    let clock = StoreClock::default();
    let cards: Vec<CCard> = records_of(store, "c_card")
        .await?
        .iter()
        .map(|r| CCard::of(r, clock))
        .collect();
    let services: Vec<PastService> = records_of(store, "repair_order")
        .await?
        .iter()
        .filter_map(|r| {
            let ro = RepairOrder::of(r, clock);
            let kind = ServiceKind::of_complaint(ro.complaint.as_deref());
            Some(PastService {
                c_card_id: ro.c_card_id,
                vehicle_vin: ro.vin.clone(),
                date: ro.handed_over_at?.date(),
                odometer_km: ro.odometer.and_then(|k| u32::try_from(k).ok()),
                kind,
            })
        })
        .collect();
    let users = store.users_in_store(DEMO_STORE_ID.to_owned()).await?;
    let mut rng = Rng(SEED);
    let local_now = clock.local(now);
    let today = local_now.date();
    let start = today - Duration::days(CARE_DAYS);
    let mut who: Vec<(&str, &str)> = SPECIALISTS.to_vec();
    who.push(MANAGER);
    let actors = register_devices(store, &mut rng, &users, start, now, &who).await?;
    let [cs1, cs2, manager] = actors.as_slice() else {
        return Err(internal("devices"));
    };
    let mut g = Gen {
        rng,
        now: local_now,
        ops: Vec::new(),
        states: HashMap::new(),
        counts: HashMap::new(),
    };
    let specialists: Vec<Uuid> = [cs1, cs2]
        .iter()
        .filter_map(|a| Uuid::parse_str(&a.user).ok())
        .collect();
    // The CS manager's settings, under the id every device derives.
    // One op per change of the set (an op changes a field once).
    let settings_id = care_settings_id(DEMO_STORE_ID);
    let mut settings_plan = Plan::new();
    for s in &specialists {
        settings_plan.push(
            PlannedWrite::new(settings_id, &CARE_SETTINGS)
                .with(Step::SetAdd("specialists", s.to_string())),
        );
    }
    let scripts: serde_json::Map<String, serde_json::Value> = SCRIPTS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    settings_plan
        .push(PlannedWrite::new(settings_id, &CARE_SETTINGS).set("scripts", json!(scripts)));
    run(
        &mut g,
        manager,
        settings_plan,
        at(start - Duration::days(1), 9, 0),
    )?;
    // Customers from before the sales history (taken over from the old DMS by the CS
    // manager): their insurance renewals, inspections and lost-customer calls fall due now.
    let mut cards = cards;
    let mut left_open: BTreeSet<Uuid> = BTreeSet::new();
    for i in 0..OLDER_CUSTOMERS {
        let id = g.id(at(start - Duration::days(2), 10, 0));
        let drawn = g.rng.range(300, 420);
        let delivered = if i < OPEN_CUSTOMERS {
            left_open.insert(id);
            today - Duration::days(325 + 2 * i as i64)
        } else {
            today - Duration::days(drawn)
        };
        let model = g.rng.pick(&MODELS).0;
        let year = delivered.year();
        let (who_name, phone, car_plate, car_vin) = {
            let rng = &mut g.rng;
            (name(rng), mobile(rng), plate(rng), vin(rng, model, year))
        };
        let birthday = NaiveDate::from_ymd_opt(
            1970 + g.rng.range(0, 30) as i32,
            1 + g.rng.below(12) as u32,
            1 + g.rng.below(28) as u32,
        );
        let mut w = PlannedWrite::new(id, &C_CARD)
            .set("name", who_name.as_str())
            .set("phone", phone.as_str())
            .set("vin", car_vin.as_str())
            .set("plate", car_plate.as_str())
            .set("model", model)
            .set("delivery_date", stored_date(delivered))
            .set(
                "warranty_end",
                stored_date(delivered + Duration::days(3 * 365)),
            )
            .set(
                "insurance_expiry",
                stored_date(delivered + Duration::days(365)),
            )
            .set(
                "inspection_date",
                stored_date(delivered + Duration::days(2 * 365)),
            )
            .set("local", g.rng.chance(0.8));
        if let Some(b) = birthday {
            w = w.set("birthday", stored_date(b));
        }
        run(
            &mut g,
            manager,
            Plan::new().then(w),
            at(start - Duration::days(2), 10, 0),
        )?;
        let state = g.states.get(&id).ok_or_else(|| internal("c_card"))?;
        cards.push(CCard::of(state, clock));
    }
    let mut settings = CareSettings {
        specialists: specialists.clone(),
        ..CareSettings::default()
    };
    settings.scripts = SCRIPTS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let actor_of = |id: Option<Uuid>| -> &Actor {
        if id.is_some_and(|i| i.to_string() == cs2.user) {
            cs2
        } else {
            cs1
        }
    };

    let mut stored: BTreeSet<Uuid> = BTreeSet::new();
    let mut worked: BTreeSet<Uuid> = BTreeSet::new();
    let mut double_made = false;
    let mut decided: Vec<(Uuid, NaiveDateTime)> = Vec::new();
    let mut day = start;
    while day < today {
        let known: Vec<PastService> = services.iter().filter(|s| s.date < day).cloned().collect();
        let rows = generate(&cards, &known, &settings, day);
        for row in &rows {
            if stored.insert(row.id) {
                let who = actor_of(assignee_for(row.c_card_id, &specialists));
                run(
                    &mut g,
                    who,
                    Plan::new().then(task_write(row, None)),
                    at(day, 8, 5),
                )?;
            }
        }
        let due: Vec<_> = rows
            .iter()
            .filter(|r| r.starts_on <= day && !worked.contains(&r.id))
            .cloned()
            .collect();
        for row in &due {
            worked.insert(row.id);
            let still_to_call = row.kind == CareKind::LostCustomer || row.kind.is_insurance();
            if still_to_call && left_open.contains(&row.c_card_id) {
                continue;
            }
            let assignee = assignee_for(row.c_card_id, &specialists);
            let who = actor_of(assignee);
            let other = if std::ptr::eq(who, cs1) { cs2 } else { cs1 };
            let roll = g.rng.below(100);
            let minute = g.rng.below(50) as u32;
            let call_at = at(day, 9 + (g.rng.below(6) as u32), minute);
            let note = if row.kind.is_insurance() && row.kind == CareKind::InsuranceFirst {
                let quote = 3_200 + g.rng.below(3_000);
                if roll.is_multiple_of(2) {
                    format!("已续保,保费 ¥{quote}")
                } else {
                    format!(
                        "已在{}投保,对方报价 ¥{quote}",
                        INSURERS[(roll % 3) as usize]
                    )
                }
            } else {
                String::new()
            };
            if !double_made && roll < 70 && day + Duration::days(1) < today {
                // Two tablets took the same task offline: both called.
                double_made = true;
                let first =
                    log_attempt(row.id, Uuid::nil(), call_at, "phone", Outcome::NoAnswer, "");
                run(&mut g, who, Plan::new().then(first), call_at)?;
                let later = call_at + Duration::minutes(20);
                let reached = log_attempt(
                    row.id,
                    Uuid::nil(),
                    later,
                    "phone",
                    Outcome::Reached,
                    "客户已接听",
                );
                run(&mut g, other, Plan::new().then(reached), later)?;
            } else if roll < 72 {
                let w = log_attempt(
                    row.id,
                    Uuid::nil(),
                    call_at,
                    "phone",
                    Outcome::Reached,
                    &note,
                );
                run(&mut g, who, Plan::new().then(w), call_at)?;
            } else if roll < 80 && day + Duration::days(1) < today {
                let w = log_attempt(
                    row.id,
                    Uuid::nil(),
                    call_at,
                    "phone",
                    Outcome::CallBackLater,
                    "客户在开会,明天再打",
                );
                run(&mut g, who, Plan::new().then(w), call_at)?;
                let next = at(day + Duration::days(1), 10, 15);
                let w = log_attempt(row.id, Uuid::nil(), next, "phone", Outcome::Reached, &note);
                run(&mut g, who, Plan::new().then(w), next)?;
            } else if roll < 84 {
                let w = log_attempt(
                    row.id,
                    Uuid::nil(),
                    call_at,
                    "phone",
                    Outcome::Refused,
                    "客户表示不需要",
                );
                run(&mut g, who, Plan::new().then(w), call_at)?;
            } else if roll < 92 && day + Duration::days(2) < today {
                // The unreachable rule, to the end.
                let calls = [
                    (at(day, 9, 40), Outcome::NoAnswer),
                    (at(day + Duration::days(1), 14, 20), Outcome::Busy),
                    (at(day + Duration::days(2), 17, 35), Outcome::NoAnswer),
                ];
                for (t, o) in calls {
                    let w = log_attempt(row.id, Uuid::nil(), t, "phone", o, "");
                    run(&mut g, who, Plan::new().then(w), t)?;
                }
                let state = g.states.get(&row.id).ok_or_else(|| internal("task"))?;
                let task = CareTask::of(state, clock);
                let sent_at = at(day + Duration::days(2), 17, 40);
                if let Some(m) = compose(&task, &settings, crate::demo::DEMO_STORE_NAME) {
                    run(
                        &mut g,
                        who,
                        send_for_task(&Outbox, &m, sent_at, Uuid::nil()),
                        sent_at,
                    )?;
                }
                let state = g.states.get(&row.id).ok_or_else(|| internal("task"))?;
                let task = CareTask::of(state, clock);
                if let Ok(w) = fail(&task, "三日内三个时段均未接通,已发短信", clock)
                {
                    run(
                        &mut g,
                        who,
                        Plan::new().then(w),
                        at(day + Duration::days(2), 17, 50),
                    )?;
                }
            } else {
                let w = log_attempt(
                    row.id,
                    Uuid::nil(),
                    call_at,
                    "phone",
                    Outcome::Reached,
                    &note,
                );
                run(&mut g, who, Plan::new().then(w), call_at)?;
            }
            if let Some(d) = record_what_was_found(&mut g, row, [cs1, cs2], roll, clock)? {
                decided.push(d);
            }
        }
        day += Duration::days(1);
    }
    // The CS manager audits the drawn renewal outcomes the day after (one found wrong).
    for (n, (task, when)) in decided.into_iter().enumerate() {
        let on = when.date() + Duration::days(1);
        if !in_audit_sample(task) || on >= today {
            continue;
        }
        let ok = n % 4 != 3;
        let note = if ok {
            ""
        } else {
            "报价与保单不符,已退回重核"
        };
        let t = at(on, 10, 30);
        if let Ok(w) = audit(task, Uuid::nil(), t, ok, note) {
            run(&mut g, manager, Plan::new().then(w), t)?;
        }
    }
    let total = push_history(store, &users, std::mem::take(&mut g.ops), now).await?;
    let mut records: Vec<(&'static str, usize)> = g.counts.into_iter().collect();
    records.sort();
    Ok(HistorySummary {
        ops: total,
        records,
    })
}
