//! How the service screens read their records: every read of appointments, repair orders, their
//! lines and the service settings goes through here, so the way records are read (the device's
//! cache, or IndexedDB's indexes) changes in one place.
//!
//! Through the indexes (docs/sync.md, "How a screen reads records"), never a whole type: the
//! appointments of a few days are `Query::Days { record_type: "appointment", .. }` (an
//! appointment's `day` is its slot's: `domain::records::index`), an RO's lines `Query::Linked {
//! id, types: &["ro_line"] }` (`ro_id` is a link field), the open ROs one `by_status` page per
//! status, the ROs received in a period `Query::Made` (an RO's made day is its reception); the
//! service settings are a type held whole (`SyncCtx::records`). Each `use_*` is `None` until
//! read, so a screen says 正在加载… rather than "none".

use domain::Role;
use domain::records::service::{RepairOrder, RoLine, ServiceSettings};
use domain::sales::chrono::{NaiveDate, NaiveDateTime};
use domain::service::appointment::AppointmentStatus;
use domain::service::desk::{LabourOp, price_list, service_settings_record_id};
use domain::service::repair_order::RoStatus;
use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::store_clock;
use crate::session::use_session;
use crate::sync::{Query, SyncCtx, store, use_sync};
use crate::ui::reads::read_many;
use domain::records::field;

/// An appointment as the service screens read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Appointment {
    pub id: Uuid,
    pub c_card_id: Option<Uuid>,
    pub customer_name: String,
    pub phone: String,
    pub plate: String,
    pub vin: String,
    pub service_wanted: String,
    pub slot_at: Option<NaiveDateTime>,
    pub advisor_id: String,
    pub parts_needed: String,
    pub status: AppointmentStatus,
    pub no_show_reason: String,
}

impl Appointment {
    pub fn of(r: &RecordState) -> Appointment {
        let text = |f: &str| field::string(r, f).unwrap_or_default();
        Appointment {
            id: r.id,
            c_card_id: field::uuid(r, "c_card_id"),
            customer_name: text("customer_name"),
            phone: text("phone"),
            plate: text("plate"),
            vin: text("vin"),
            service_wanted: text("service_wanted"),
            slot_at: field::time(r, "slot_at", store_clock()),
            advisor_id: text("advisor_id"),
            parts_needed: text("parts_needed"),
            status: field::status(r, "status")
                .as_deref()
                .and_then(AppointmentStatus::parse)
                .unwrap_or(AppointmentStatus::Booked),
            no_show_reason: text("no_show_reason"),
        }
    }
}

/// The appointments whose slot is within the days `days` gives (`None`: read nothing yet), by
/// slot (index `by_day`: an appointment's day is its slot's). `None` until read.
pub fn use_appointments(
    days: impl Fn() -> Option<(NaiveDate, NaiveDate)> + 'static,
) -> Memo<Option<Vec<Appointment>>> {
    let sync = use_sync();
    let reading = sync.read(move || {
        let (from, to) = days()?;
        Some(Query::Days {
            record_type: "appointment",
            from: from.to_string(),
            to: to.to_string(),
        })
    });
    Memo::new(move |_| {
        if !reading.loaded.get() {
            return None;
        }
        let mut out: Vec<Appointment> = reading
            .records
            .with(|rs| rs.iter().map(Appointment::of).collect());
        out.sort_by_key(|a| (a.slot_at, a.id));
        Some(out)
    })
}

/// The statuses of a repair order not yet handed over nor cancelled.
pub fn open_statuses() -> Vec<RoStatus> {
    RoStatus::ALL
        .into_iter()
        .filter(|s| !matches!(s, RoStatus::HandedOver | RoStatus::Cancelled))
        .collect()
}

/// The reads of the repair orders in `statuses` (one `by_status` page each: the open ROs of a
/// store are a few dozen, whatever its history).
pub fn status_queries(statuses: &[RoStatus]) -> Vec<Query> {
    statuses
        .iter()
        .map(|s| {
            Query::page(
                store::BY_STATUS_INDEX,
                "repair_order",
                &[s.as_str()],
                None,
                u32::MAX,
            )
        })
        .collect()
}

/// The repair orders in `statuses` and those received within the days `received` gives (index
/// `by_made`: an RO is made the day it is received), each once, newest first. `None` until read.
pub fn use_repair_orders(
    statuses: Vec<RoStatus>,
    received: impl Fn() -> Option<(NaiveDate, NaiveDate)> + 'static,
) -> Memo<Option<Vec<RepairOrder>>> {
    let many = read_many(&["repair_order"], move || {
        let mut queries = status_queries(&statuses);
        if let Some((from, to)) = received() {
            queries.push(Query::Made {
                record_type: "repair_order",
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        Some(queries)
    });
    Memo::new(move |_| {
        if !many.loaded.get() {
            return None;
        }
        let clock = store_clock();
        let mut out: Vec<RepairOrder> = many.records.with(|rs| {
            rs.iter()
                .filter(|r| !r.is_deleted())
                .map(|r| RepairOrder::of(r, clock))
                .collect()
        });
        out.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
        Some(out)
    })
}

/// The lines of repair order `ro` (index `by_link`: `ro_id`), in the order they were made (their
/// ids are v7).
pub fn use_lines(ro: Uuid) -> Memo<Vec<(RecordState, RoLine)>> {
    use_lines_of(move || Some(ro))
}

/// The lines of the repair order `ro` gives (none while it gives `None`), as [`use_lines`].
pub fn use_lines_of(ro: impl Fn() -> Option<Uuid> + 'static) -> Memo<Vec<(RecordState, RoLine)>> {
    let sync = use_sync();
    let reading = sync.read(move || {
        Some(Query::Linked {
            id: ro()?,
            types: &["ro_line"],
        })
    });
    Memo::new(move |_| {
        let mut out: Vec<(RecordState, RoLine)> = reading.records.with(|rs| {
            rs.iter()
                .map(|r| (r.clone(), RoLine::of(r, store_clock())))
                .collect()
        });
        out.sort_by_key(|(r, _)| r.id);
        out
    })
}

/// The store's id ("" when unknown).
pub fn store_id() -> String {
    use_session()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.store_id.clone()))
        .unwrap_or_default()
}

/// The store's name, for printed sheets.
pub fn store_name() -> String {
    use_session()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.store_name.clone()))
        .unwrap_or_default()
}

/// The store's service settings record (at its derived id; else any on the device).
pub fn settings_record(sync: SyncCtx) -> Option<RecordState> {
    let id = service_settings_record_id(&store_id());
    sync.record(id)
        .filter(|r| !r.is_deleted())
        .or_else(|| sync.records("service_settings").into_iter().next())
}

/// The store's service settings, with the seed's defaults.
pub fn settings(sync: SyncCtx) -> ServiceSettings {
    ServiceSettings::of(settings_record(sync).as_ref())
}

/// The labour price list (工时价目).
pub fn labour_ops(sync: SyncCtx) -> Vec<(String, LabourOp)> {
    price_list(settings_record(sync).as_ref())
}

/// The store's service advisors: (user id, name).
pub fn advisors() -> Vec<(String, String)> {
    crate::directory::people()
        .into_iter()
        .filter(|p| p.roles.contains(&Role::ServiceAdvisor))
        .map(|p| (p.id, p.display_name))
        .collect()
}

/// The signed-in user's id.
pub fn my_id() -> String {
    crate::session::use_me()()
        .map(|(id, _)| id)
        .unwrap_or_default()
}

/// Whether the signed-in user manages service (the general manager): the price list and the
/// store's service settings are theirs.
pub fn is_service_manager() -> bool {
    use_session().session.with(|s| {
        s.as_ref()
            .is_some_and(|s| Role::any_manages(&s.user.roles, domain::Area::Service))
    })
}

/// The due time of the care task of `kind` whose note is `note` (the confirm call naming an
/// appointment, the 48-hour call naming an RO), read from the care tasks of the customer's
/// C-card (`by_link`) and those due within the days `days` gives (`by_day`): not every task.
pub fn use_task_due(
    kind: &'static str,
    note: String,
    scope: impl Fn() -> Option<(Option<Uuid>, NaiveDate, NaiveDate)> + 'static,
) -> Memo<Option<NaiveDateTime>> {
    let many = read_many(&["care_task"], move || {
        let (card, from, to) = scope()?;
        let mut queries = vec![Query::Days {
            record_type: "care_task",
            from: from.to_string(),
            to: to.to_string(),
        }];
        if let Some(card) = card {
            queries.push(Query::Linked {
                id: card,
                types: &["care_task"],
            });
        }
        Some(queries)
    });
    Memo::new(move |_| {
        many.records.with(|rs| {
            rs.iter()
                .find(|t| {
                    field::text(t, "kind") == Some(kind)
                        && field::text(t, "note") == Some(note.as_str())
                })
                .and_then(|t| field::time(t, "due_at", store_clock()))
        })
    })
}
