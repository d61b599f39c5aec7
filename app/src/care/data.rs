//! How the care screens read their records and keep the schedule written: the store's care
//! settings, the care tasks, the C-cards and the past services (handed-over repair orders) the
//! generator reads, and [`use_schedule`], which writes the rows of the schedule this device does
//! not hold yet (ids derived, so devices generating offline write one task).
//!
//! The lists read the open care tasks through the index `by_status` (issue 14), never every
//! task; the schedule writer reads the C-cards a page at a time after the first paint
//! ([`use_schedule`]). 续保, 流失客户 and 客服月报 read the tasks of their days (`by_day`), then
//! only those customers' records by id and `by_link` ([`use_renewal_records`],
//! [`use_lost_records`], [`use_report_records`]). The care settings are small
//! (`SyncCtx::records`).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use domain::Role;
use domain::care::lost::LostTask;
use domain::care::lost::list::{month_customers, month_task_day};
use domain::care::monthly::{report_customers, report_days};
use domain::care::renewal::{InsuranceTask, task_due_days};
use domain::care::schedule::{PastService, ServiceKind, generate, new_tasks_plan};
use domain::care::settings::{CareSettings, care_settings_id};
use domain::plan::Plan;
use domain::records::CareTaskStatus;
use domain::records::service::{RepairOrder, ServiceHistory};
use domain::records::{CCard, CareTask};
use domain::sales::chrono::NaiveDate;
use domain::service::repair_order::RoStatus;
use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::{store_clock, today};
use crate::db::DbError;
use crate::session::use_session;
use crate::sync::{Query, SyncCtx, read_once, store};
use crate::ui::reads::{Keyed, Many, all, read_keyed, read_many};

/// The store's id ("" when unknown).
pub fn store_id() -> String {
    use_session()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.store_id.clone()))
        .unwrap_or_default()
}

/// The store's name (in message texts).
pub fn store_name() -> String {
    use_session()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.store_name.clone()))
        .unwrap_or_default()
}

/// The signed-in user: id (as a uuid) and roles.
pub fn me() -> Option<(Uuid, Vec<Role>)> {
    use_session().session.with_untracked(|s| {
        s.as_ref().and_then(|s| {
            Uuid::parse_str(s.user.id.trim())
                .ok()
                .map(|id| (id, s.user.roles.clone()))
        })
    })
}

/// Whether the signed-in user manages customer care (the CS manager, the general manager).
pub fn is_care_manager() -> bool {
    use_session().session.with(|s| {
        s.as_ref()
            .is_some_and(|s| Role::any_manages(&s.user.roles, domain::Area::Care))
    })
}

/// The store's care settings record (at its derived id; else any on the device).
pub fn settings_record(sync: SyncCtx) -> Option<RecordState> {
    let id = care_settings_id(&store_id());
    sync.records("care_settings")
        .into_iter()
        .find(|r| r.id == id)
        .or_else(|| sync.records("care_settings").into_iter().next())
}

/// The store's care settings, with the defaults.
pub fn settings(sync: SyncCtx) -> CareSettings {
    settings_record(sync)
        .map(|r| CareSettings::of(&r))
        .unwrap_or_default()
}

/// The open care tasks (index `by_status`, `["care_task", "open"]`): the lists of calls, each
/// person's load and the CS manager's re-spread show only open tasks, so the tasks done over the
/// years are never read. `None` until read.
pub fn use_open_tasks() -> Memo<Option<Vec<CareTask>>> {
    let many = read_many(&["care_task"], || Some(vec![open_tasks_query()]));
    tasks_of(many)
}

/// The open care tasks and those due within the last [`RECENT_DAYS`] (the doubles the CS manager
/// looks at: two people called the same customer lately). `None` until read.
pub fn use_recent_tasks() -> Memo<Option<Vec<CareTask>>> {
    let many = read_many(&["care_task"], || {
        let to = today();
        let from = to - domain::sales::chrono::Duration::days(RECENT_DAYS);
        Some(vec![
            open_tasks_query(),
            Query::Days {
                record_type: "care_task",
                from: from.to_string(),
                to: to.to_string(),
            },
        ])
    });
    tasks_of(many)
}

/// How far back the CS manager's doubles look at tasks no longer open.
pub const RECENT_DAYS: i64 = 90;

fn open_tasks_query() -> Query {
    Query::page(
        store::BY_STATUS_INDEX,
        "care_task",
        &[CareTaskStatus::Open.as_str()],
        None,
        u32::MAX,
    )
}

fn tasks_of(many: Many) -> Memo<Option<Vec<CareTask>>> {
    Memo::new(move |_| {
        if !many.loaded.get() {
            return None;
        }
        let clock = store_clock();
        Some(many.records.with(|rs| {
            rs.iter()
                .filter(|r| !r.is_deleted())
                .map(|r| CareTask::of(r, clock))
                .collect()
        }))
    })
}

/// How many cards the schedule writer reads at a time.
const SCHEDULE_PAGE: u32 = 200;

/// A page of the schedule: the rows of `cards` this device does not hold yet (`services` their
/// past services; their own care tasks read by `by_link`, so every row already stored is known,
/// done ones too).
async fn schedule_page(
    cards: &[CCard],
    services: &[PastService],
    settings: &CareSettings,
    day: NaiveDate,
) -> Result<Plan, DbError> {
    let rows = generate(cards, services, settings, day);
    if rows.is_empty() {
        return Ok(Plan::new());
    }
    let with_rows: BTreeSet<Uuid> = rows.iter().map(|r| r.c_card_id).collect();
    let stored: BTreeSet<Uuid> = all(with_rows
        .into_iter()
        .map(|id| Query::Linked {
            id,
            types: &["care_task"],
        })
        .collect())
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    Ok(new_tasks_plan(&rows, &stored, |_| None))
}

/// The past services of the store, compact (`PastService`, not the records), read a page at a
/// time: the repair orders handed over (`by_status`) and the imported history (`by_day`).
async fn all_past_services() -> Result<Vec<PastService>, DbError> {
    let clock = store_clock();
    let mut out = Vec::new();
    for (index, record_type, rest) in [
        (
            store::BY_STATUS_INDEX,
            "repair_order",
            Some(RoStatus::HandedOver.as_str()),
        ),
        (store::BY_DAY_INDEX, "service_history", None),
    ] {
        let rest: Vec<&str> = rest.into_iter().collect();
        let mut after = None;
        loop {
            let page = read_once(Query::page(index, record_type, &rest, after, 1000)).await?;
            for r in page.records.iter().filter(|r| !r.is_deleted()) {
                let service = if record_type == "repair_order" {
                    past_service_of_ro(&RepairOrder::of(r, clock))
                } else {
                    PastService::of_history(&ServiceHistory::of(r))
                };
                out.extend(service);
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    Ok(out)
}

fn past_service_of_ro(ro: &RepairOrder) -> Option<PastService> {
    Some(PastService {
        c_card_id: ro.c_card_id,
        vehicle_vin: ro.vin.clone(),
        date: ro.handed_over_at?.date(),
        odometer_km: ro.odometer.and_then(|k| u32::try_from(k).ok()),
        kind: ServiceKind::of_complaint(ro.complaint.as_deref()),
    })
}

/// One pass of the schedule writer: every C-card a page at a time (`by_day`), each page's rows
/// not stored yet written before the next page is read. Only the past services are held for
/// the pass, compact.
async fn schedule_pass(sync: SyncCtx, settings: CareSettings) -> Result<(), DbError> {
    let services = all_past_services().await?;
    let day = today();
    let mut after = None;
    loop {
        let (cards, next) = c_card_page(after, SCHEDULE_PAGE).await?;
        let plan = schedule_page(&cards, &services, &settings, day).await?;
        if !plan.is_empty()
            && let Err(e) = sync.execute(&plan).await
        {
            leptos::logging::warn!("forecourt: the care schedule was not written: {e:?}");
        }
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(())
}

/// One page of every C-card (`by_day`), at most `limit`, after `after` (the last page's `next`),
/// with where the next page starts: for the walks over every customer (the schedule writer,
/// 群发), a page at a time.
pub async fn c_card_page(
    after: Option<wasm_bindgen::JsValue>,
    limit: u32,
) -> Result<(Vec<CCard>, Option<wasm_bindgen::JsValue>), DbError> {
    let clock = store_clock();
    let page = read_once(Query::page(
        store::BY_DAY_INDEX,
        "c_card",
        &[],
        after,
        limit,
    ))
    .await?;
    let cards = page
        .records
        .iter()
        .filter(|r| !r.is_deleted())
        .map(|r| CCard::of(r, clock))
        .collect();
    Ok((cards, page.next))
}

/// How long the schedule writer waits after the page is drawn (its lists are read first).
const SCHEDULE_DELAY_MS: i32 = 300;

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Writes the schedule's rows this device does not hold yet, whenever the C-cards, the
/// services or the settings change (a few ops the first time, none after).
///
/// The generator needs every C-card, so it runs after the page's first paint and reads the
/// cards a page at a time ([`SCHEDULE_PAGE`], `by_day`), each page's own care tasks by
/// `by_link` (docs/sync.md, "How a screen reads records"): the lists never wait for it, and
/// nothing but the compact past services is held for a pass. One pass at a time; a change
/// during a pass runs one more after it.
pub fn use_schedule(sync: SyncCtx) {
    // Shared with the pass, which may outlive the page: plain cells, not reactive values (a
    // disposed one would panic), and the settings read here, in the page's context.
    let writer = Rc::new(RefCell::new(Writer::default()));
    Effect::new(move || {
        for t in ["c_card", "repair_order", "service_history", "care_settings"] {
            crate::sync::cache::track(t);
        }
        let settings = settings(sync);
        let mut w = writer.borrow_mut();
        w.next = Some(settings);
        if w.running {
            return;
        }
        w.running = true;
        drop(w);
        let writer = writer.clone();
        leptos::task::spawn_local(async move {
            loop {
                // After the first paint: the lists are read first.
                sleep(SCHEDULE_DELAY_MS).await;
                let Some(settings) = writer.borrow_mut().next.take() else {
                    break;
                };
                if let Err(e) = schedule_pass(sync, settings).await {
                    leptos::logging::warn!("forecourt: the care schedule was not read: {e}");
                }
            }
            writer.borrow_mut().running = false;
        });
    });
}

/// The schedule writer's state: whether a pass runs, and the settings of the pass to run next
/// (set by a change during a pass).
#[derive(Default)]
struct Writer {
    running: bool,
    next: Option<CareSettings>,
}

/// The past services (handed-over repair orders and imported history) among the records given.
pub fn past_services_of(
    repair_orders: &[RecordState],
    imported: &[RecordState],
) -> Vec<PastService> {
    let clock = store_clock();
    repair_orders
        .iter()
        .filter(|r| !r.is_deleted())
        .filter_map(|r| past_service_of_ro(&RepairOrder::of(r, clock)))
        .chain(
            imported
                .iter()
                .filter(|r| !r.is_deleted())
                .filter_map(|r| PastService::of_history(&ServiceHistory::of(r))),
        )
        .collect()
}

/// The types the 续保, 流失客户 and 客服月报 pages count from (their readings are read again when one
/// of these changes on the device).
pub const COUNTED: [&str; 4] = ["c_card", "repair_order", "service_history", "care_task"];

/// The types 客服月报 counts from: [`COUNTED`] and the month's broadcast messages.
pub const REPORT_COUNTED: [&str; 5] = [
    "c_card",
    "repair_order",
    "service_history",
    "care_task",
    "message",
];

/// The live records of `record_type` among what a page's reading read (tracking it).
pub fn counted_of(read: Many, record_type: &str) -> Vec<RecordState> {
    read.records.with(|rs| {
        rs.iter()
            .filter(|r| r.record_type == record_type && !r.is_deleted())
            .cloned()
            .collect()
    })
}

/// The live records of `ids` stored on the device.
async fn by_ids(ids: &[Uuid]) -> Result<Vec<RecordState>, DbError> {
    Ok(store::load(ids)
        .await?
        .into_iter()
        .filter_map(|(_, r)| r)
        .filter(|r| !r.is_deleted())
        .collect())
}

/// `found` (care tasks read by day), then the C-cards of `customers` (by id) and their own
/// records (`by_link`: their care tasks of every year, repair orders and imported services),
/// each record once.
async fn with_customers(
    found: Vec<RecordState>,
    customers: Vec<Uuid>,
) -> Result<Vec<RecordState>, DbError> {
    let mut seen: BTreeSet<Uuid> = found.iter().map(|r| r.id).collect();
    let mut out = found;
    if customers.is_empty() {
        return Ok(out);
    }
    let cards = by_ids(&customers).await?;
    let linked = store::linked_many(&customers).await?;
    for r in cards.into_iter().chain(linked) {
        if !r.is_deleted() && COUNTED.contains(&r.record_type.as_str()) && seen.insert(r.id) {
            out.push(r);
        }
    }
    Ok(out)
}

/// The 续保 page's records (issue 14: never every C-card, task or service): the insurance
/// tasks due in the days of `window` (`domain::care::renewal::task_due_days`, index `by_day`),
/// then their customers' C-cards and own records ([`with_customers`]). What it reads grows with
/// the window's customers, not with the store's years. `loaded` is false until it answers; the
/// answer's key is the window it was read for (the window moves when the care settings arrive:
/// a page shows the answer of its window only).
pub fn use_renewal_records(
    window: impl Fn() -> (NaiveDate, NaiveDate) + 'static,
) -> Keyed<(NaiveDate, NaiveDate)> {
    read_keyed(&COUNTED, move || {
        let (from, to) = window();
        Some(((from, to), async move {
            let (first, last) = task_due_days(from, to);
            let clock = store_clock();
            let found = read_once(Query::Days {
                record_type: "care_task",
                from: first.to_string(),
                to: last.to_string(),
            })
            .await?
            .records;
            let mut customers = Vec::new();
            let tasks: Vec<RecordState> = found
                .into_iter()
                .filter(|r| {
                    InsuranceTask::of(r, clock).is_some_and(|t| {
                        let within = t.expiry >= from && t.expiry <= to;
                        if within {
                            customers.extend(t.task.c_card_id);
                        }
                        within
                    })
                })
                .collect();
            customers.sort();
            customers.dedup();
            with_customers(tasks, customers).await
        }))
    })
}

/// The 流失客户 page's records: the care tasks due on the month's last day
/// (`domain::care::lost::list::month_task_day`, index `by_day`), of them the month's
/// lost-customer tasks, then those customers' C-cards and own records ([`with_customers`]).
/// `as_of` is the month's first day, the answer's key. `loaded` is false until it answers.
pub fn use_lost_records(as_of: impl Fn() -> NaiveDate + 'static) -> Keyed<NaiveDate> {
    read_keyed(&COUNTED, move || {
        let as_of = as_of();
        Some((as_of, async move {
            let day = month_task_day(as_of).to_string();
            let clock = store_clock();
            let found = read_once(Query::Days {
                record_type: "care_task",
                from: day.clone(),
                to: day,
            })
            .await?
            .records;
            let lost: Vec<LostTask> = found
                .iter()
                .filter_map(|r| LostTask::of(r, clock))
                .collect();
            let customers = month_customers(&lost, as_of);
            let tasks = found
                .into_iter()
                .filter(|r| LostTask::of(r, clock).is_some())
                .collect();
            with_customers(tasks, customers).await
        }))
    })
}

/// The 客服月报 page's records for the month starting `first` (`domain::care::monthly::report_days`):
/// the care tasks due around the month (`by_day`), the repair orders received and the imported
/// services dated in the services' days (`by_made`, `by_day`), the C-cards delivered in the
/// deliveries' days (`by_day`), the month's broadcast messages (`by_day`: a message's day is its
/// broadcast's), then the C-cards of those services' customers by id. `loaded`
/// is false until it answers; `key` is the month the records held were read for (while another
/// month is read, the last month's records are held: `domain::care::monthly::report_of_read`).
pub fn use_report_records(first: impl Fn() -> NaiveDate + 'static) -> Keyed<NaiveDate> {
    read_keyed(&REPORT_COUNTED, move || {
        let first = first();
        let days = report_days(first);
        Some((first, async move {
            let text = |(from, to): (NaiveDate, NaiveDate)| (from.to_string(), to.to_string());
            let (tf, tt) = text(days.tasks);
            let (sf, st) = text(days.services);
            let (df, dt) = text(days.deliveries);
            let (bf, bt) = text(days.broadcasts);
            let mut out = Vec::new();
            for q in [
                Query::Days {
                    record_type: "care_task",
                    from: tf,
                    to: tt,
                },
                Query::Made {
                    record_type: "repair_order",
                    from: sf.clone(),
                    to: st.clone(),
                },
                Query::Days {
                    record_type: "service_history",
                    from: sf,
                    to: st,
                },
                Query::Days {
                    record_type: "c_card",
                    from: df,
                    to: dt,
                },
                // The month's broadcasts (a message's day is its broadcast's).
                Query::Days {
                    record_type: "message",
                    from: bf,
                    to: bt,
                },
            ] {
                out.extend(
                    read_once(q)
                        .await?
                        .records
                        .into_iter()
                        .filter(|r| !r.is_deleted()),
                );
            }
            let services = past_services_of(
                &out.iter()
                    .filter(|r| r.record_type == "repair_order")
                    .cloned()
                    .collect::<Vec<_>>(),
                &out.iter()
                    .filter(|r| r.record_type == "service_history")
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            let delivered: Vec<Uuid> = out
                .iter()
                .filter(|r| r.record_type == "c_card")
                .map(|r| r.id)
                .collect();
            let held: BTreeSet<Uuid> = delivered.iter().copied().collect();
            let missing: Vec<Uuid> = report_customers(&services, &delivered)
                .into_iter()
                .filter(|id| !held.contains(id))
                .collect();
            if !missing.is_empty() {
                out.extend(by_ids(&missing).await?);
            }
            Ok(out)
        }))
    })
}
