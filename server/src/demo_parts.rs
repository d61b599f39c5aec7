//! The demo store's parts desk (零件, issue 16), made as ops by the parts clerk's PC through the
//! parts plans the app runs (`domain::parts::plan`) and pushed like the other histories
//! ([`push_history`]: every op checked by the domain policy, and the records each parts op names
//! looked up, as of its own time). Call it after the service history: it reads the repair
//! orders, their lines and the appointments stored.
//!
//! What it makes: a catalogue of the parts the demo workshop fits (part number, name, price,
//! bin, supplier); an opening stock and a weekly delivery (入库, with its delivery note); an
//! issue (出库) to every approved part line of every repair order not cancelled, when the car
//! was received; the battery's level below zero (issued before the delivery came: shown red
//! until a manager settles it); tomorrow's booked appointments with the parts they need, the
//! first one's reserved (预留), the others missing on the advisor's board; an open emergency order
//! (紧急订货) for a car in the workshop (Parts Hold, 等待配件); and a special-order part that
//! arrived five days ago and was not fitted (the wall of shame, 到货未装).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use domain::parts::orders::EmergencyOrder;
use domain::parts::plan::{
    CatalogueEntry, Delivery, JobRef, NewOrder, arrival_plan, emergency_order_plan, issue_plan,
    part_plan, receive_plan, reserve_plan,
};
use domain::plan::Plan;
use domain::records::APPOINTMENT;
use domain::records::service::{RepairOrder, RoLine};
use domain::service::repair_order::{LineKind, RoStatus};
use domain::sync::RecordState;
use domain::time::StoreClock;
use serde_json::json;
use uuid::Uuid;

use crate::demo::DEMO_STORE_ID;
use crate::demo_sales::{
    Actor, Gen, HISTORY_DAYS, HistorySummary, Rng, push_history, register_devices,
};
use crate::error::Error;
use crate::store::{Reader, Store};

/// The generator's seed.
pub const SEED: u64 = 0x5EED_5041_5254_5321;
/// The parts clerk and the advisor (who writes what tomorrow's jobs need), and their devices.
pub const CLERK: (&str, &str) = ("parts", "零件库电脑");
pub const ADVISOR: (&str, &str) = ("advisor", "服务顾问平板");

/// The catalogue: part number, name (as the RO lines of the demo workshop say it), price
/// (fen), bin, supplier, opening stock, weekly delivery.
pub const CATALOGUE: [(&str, &str, i64, &str, &str, i64, i64); 9] = [
    (
        "08880-83720",
        "全合成机油 4L",
        38_000,
        "A-01-01",
        "广汽丰田配件中心",
        20,
        12,
    ),
    (
        "90915-YZZE1",
        "机油滤清器",
        6_000,
        "A-01-02",
        "广汽丰田配件中心",
        20,
        12,
    ),
    (
        "04465-02220",
        "前刹车片(套)",
        52_000,
        "A-02-01",
        "广汽丰田配件中心",
        6,
        3,
    ),
    (
        "88975-02020",
        "R134a 冷媒",
        18_000,
        "B-01-01",
        "华南汽配",
        4,
        2,
    ),
    (
        "90919-02258",
        "点火线圈",
        42_000,
        "B-02-03",
        "广汽丰田配件中心",
        4,
        2,
    ),
    (
        "T215-55R17",
        "轮胎 215/55 R17",
        68_000,
        "C-01-01",
        "米其林广州仓",
        8,
        4,
    ),
    (
        "PAINT-STD",
        "面漆及辅料",
        30_000,
        "D-01-01",
        "华南汽配",
        6,
        3,
    ),
    // Never restocked by the weekly delivery: the level goes below zero (shown red).
    (
        "28800-YZZ0D",
        "蓄电池 60Ah",
        65_000,
        "C-02-01",
        "华南汽配",
        1,
        0,
    ),
    (
        "17801-0Y040",
        "空气滤清器",
        8_000,
        "A-01-03",
        "广汽丰田配件中心",
        10,
        0,
    ),
];

async fn records_of(store: &dyn Store, record_type: &str) -> Result<Vec<RecordState>, Error> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .snapshot(
                DEMO_STORE_ID.to_owned(),
                after,
                1000,
                Reader::types(vec![record_type.to_owned()]),
            )
            .await?;
        for r in page.records {
            out.push(
                serde_json::from_str::<RecordState>(r.get())
                    .map_err(|e| Error::Internal(format!("demo parts: {e}")))?,
            );
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(out),
        }
    }
}

/// The ops of a plan by `who` at `at`, each against the record as the generator has it.
fn run(g: &mut Gen, who: &Actor, plan: &Plan, at: NaiveDateTime) -> Result<(), Error> {
    for w in &plan.writes {
        if !g.states.contains_key(&w.record_id) {
            g.create_as(w.record_type, w.record_id);
        }
        let state = g
            .states
            .get(&w.record_id)
            .ok_or_else(|| Error::Internal("demo parts: no record".into()))?;
        let changes = w
            .changes(state)
            .map_err(|e| Error::Internal(format!("demo parts: {e}")))?;
        g.op(who, w.record_type, w.record_id, at, |_, _| Ok(changes))?;
    }
    Ok(())
}

/// Registers the parts clerk's PC and pushes the demo parts desk, dated relative to `now`, on
/// the repair orders and appointments already stored (call it after the service history).
pub async fn seed_parts(store: &dyn Store, now: DateTime<Utc>) -> Result<HistorySummary, Error> {
    let clock = StoreClock::default();
    let users = store.users_in_store(DEMO_STORE_ID.to_owned()).await?;
    let mut rng = Rng(SEED);
    let local_now = clock.local(now);
    let start = local_now.date() - Duration::days(HISTORY_DAYS);
    let actors = register_devices(store, &mut rng, &users, start, now, &[CLERK, ADVISOR]).await?;
    let [clerk, advisor] = actors.as_slice() else {
        return Err(Error::Internal("demo parts: devices".into()));
    };
    let ros: HashMap<Uuid, RepairOrder> = records_of(store, "repair_order")
        .await?
        .iter()
        .filter(|r| !r.is_deleted())
        .map(|r| (r.id, RepairOrder::of(r, clock)))
        .collect();
    let lines: Vec<RoLine> = records_of(store, "ro_line")
        .await?
        .iter()
        .filter(|r| !r.is_deleted())
        .map(|r| RoLine::of(r, clock))
        .collect();
    let appointments = records_of(store, "appointment").await?;

    let mut g = Gen {
        rng,
        now: local_now,
        ops: Vec::new(),
        states: HashMap::new(),
        counts: HashMap::new(),
    };
    let opened = start.and_hms_opt(8, 0, 0).unwrap_or_default() - Duration::days(2);
    let mut by_name: HashMap<&str, Uuid> = HashMap::new();
    for (i, (no, name, price, bin, supplier, _, _)) in CATALOGUE.iter().enumerate() {
        let at = opened + Duration::minutes(i as i64);
        let id = g.id(at);
        by_name.insert(name, id);
        let entry = CatalogueEntry {
            part_no: (*no).into(),
            name: (*name).into(),
            price_fen: Some(*price),
            bin: (*bin).into(),
            supplier: (*supplier).into(),
        };
        run(&mut g, clerk, &part_plan(id, &entry), at)?;
    }
    // The opening stock, then a delivery every Monday morning.
    let delivery = |week: i64, opening: bool| Delivery {
        supplier: "广汽丰田配件中心".into(),
        delivery_no: if opening {
            "期初库存".into()
        } else {
            format!("SH-{week:03}")
        },
        lines: CATALOGUE
            .iter()
            .filter_map(|(_, name, _, _, _, open, weekly)| {
                let qty = if opening { *open } else { *weekly };
                by_name.get(name).map(|id| (*id, qty))
            })
            .collect(),
    };
    run(
        &mut g,
        clerk,
        &receive_plan(&delivery(0, true)),
        opened + Duration::hours(1),
    )?;
    let mut week = 1;
    let mut day = start + Duration::days(7);
    while day < local_now.date() {
        let at = day.and_hms_opt(8, 30, 0).unwrap_or_default();
        run(&mut g, clerk, &receive_plan(&delivery(week, false)), at)?;
        week += 1;
        day += Duration::days(7);
    }
    // An issue to every approved part line, 40 minutes after the car was received.
    let mut issues: Vec<(NaiveDateTime, Plan)> = Vec::new();
    for l in &lines {
        let approved = l.decision.as_ref().is_some_and(|d| d.approved);
        let Some(ro) = l.ro_id.and_then(|id| ros.get(&id)) else {
            continue;
        };
        let (Some(received), Some(part)) = (
            ro.received_at,
            l.description.as_deref().and_then(|d| by_name.get(d)),
        ) else {
            continue;
        };
        let at = received + Duration::minutes(40);
        if l.kind != LineKind::Part
            || !approved
            || ro.status == RoStatus::Cancelled
            || at > local_now
        {
            continue;
        }
        issues.push((
            at,
            issue_plan(*part, l.id, Some(ro.id), l.qty.unwrap_or(1).max(1), None),
        ));
    }
    issues.sort_by_key(|(at, _)| *at);
    for (at, plan) in &issues {
        run(&mut g, clerk, plan, *at)?;
    }

    // Tomorrow's booked appointments: what each needs (the advisor's), the first one reserved.
    let tomorrow = local_now.date() + Duration::days(1);
    let mut booked: Vec<(NaiveDateTime, Uuid)> = appointments
        .iter()
        .filter(|a| !a.is_deleted())
        .filter(|a| domain::records::field::status(a, "status").as_deref() == Some("booked"))
        .filter_map(|a| {
            let slot = domain::records::field::time(a, "slot_at", clock)?;
            (slot.date() == tomorrow).then_some((slot, a.id))
        })
        .collect();
    booked.sort();
    let note_at = local_now - Duration::hours(2);
    for (i, (_, appt)) in booked.iter().enumerate() {
        let needed = if i == 0 {
            "全合成机油 4L ×1、机油滤清器 ×1"
        } else {
            "蓄电池 60Ah ×1"
        };
        g.states.insert(
            *appt,
            appointments
                .iter()
                .find(|a| a.id == *appt)
                .cloned()
                .unwrap_or_else(|| RecordState::new(*appt, "appointment", DEMO_STORE_ID)),
        );
        g.op(advisor, &APPOINTMENT, *appt, note_at, |e, _| {
            Ok(vec![e.set("parts_needed", json!(needed))?])
        })?;
        if i == 0 {
            for name in ["全合成机油 4L", "机油滤清器"] {
                if let Some(part) = by_name.get(name) {
                    let id = g.id(note_at);
                    let job = JobRef {
                        appointment_id: Some(*appt),
                        ro_id: None,
                    };
                    run(
                        &mut g,
                        clerk,
                        &reserve_plan(id, *part, job, 1, Some(tomorrow)),
                        note_at + Duration::minutes(5),
                    )?;
                }
            }
        }
    }

    // An open emergency order for a car in the workshop: Parts Hold.
    let in_work = ros
        .values()
        .filter(|r| matches!(r.status, RoStatus::InWork | RoStatus::Approved))
        .max_by_key(|r| r.received_at);
    if let Some(ro) = in_work {
        let at = ro
            .received_at
            .map_or(local_now, |t| t + Duration::minutes(50))
            .min(local_now);
        let id = g.id(at);
        let order = NewOrder {
            order_id: id,
            part_id: None,
            part_no: "87910-0X010".into(),
            name: "左后视镜总成".into(),
            qty: 1,
            supplier: "广汽丰田配件中心".into(),
            promised_date: Some(local_now.date() + Duration::days(2)),
            job: JobRef {
                appointment_id: None,
                ro_id: Some(ro.id),
            },
            ro_line_id: None,
            ordered_at: Some(at),
            note: "客户要求原厂件".into(),
        };
        run(&mut g, clerk, &emergency_order_plan(&order), at)?;
    }
    // A special-order part that arrived five days ago and was never fitted.
    let past = ros
        .values()
        .filter(|r| r.status == RoStatus::HandedOver)
        .filter(|r| {
            r.received_at
                .is_some_and(|t| t < local_now - Duration::days(8))
        })
        .max_by_key(|r| r.received_at);
    if let Some(ro) = past {
        let ordered = local_now - Duration::days(8);
        let id = g.id(ordered);
        let order = NewOrder {
            order_id: id,
            part_no: "52119-02C90".into(),
            name: "前保险杠饰条".into(),
            qty: 1,
            supplier: "华南汽配".into(),
            promised_date: Some((local_now - Duration::days(5)).date()),
            job: JobRef {
                appointment_id: None,
                ro_id: Some(ro.id),
            },
            ordered_at: Some(ordered),
            note: "客户下次保养时安装".into(),
            ..NewOrder::default()
        };
        run(&mut g, clerk, &emergency_order_plan(&order), ordered)?;
        let arrived = local_now - Duration::days(5);
        let state = g
            .states
            .get(&id)
            .ok_or_else(|| Error::Internal("demo parts: order".into()))?;
        let plan = arrival_plan(&EmergencyOrder::of(state, clock), arrived);
        run(&mut g, clerk, &plan, arrived)?;
    }

    let total = push_history(store, &users, std::mem::take(&mut g.ops), now).await?;
    let mut records: Vec<(&'static str, usize)> = g.counts.into_iter().collect();
    records.sort();
    Ok(HistorySummary {
        ops: total,
        records,
    })
}
