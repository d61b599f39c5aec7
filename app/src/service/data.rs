//! How the service screens read their records: every read of appointments, repair orders, their
//! lines and the service settings goes through here, so the way records are read (the device's
//! cache, or IndexedDB's indexes) changes in one place.

use domain::Role;
use domain::records::service::{RepairOrder, RoLine, ServiceSettings};
use domain::sales::chrono::NaiveDateTime;
use domain::service::appointment::AppointmentStatus;
use domain::service::desk::{LabourOp, price_list, service_settings_record_id};
use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::store_clock;
use crate::session::use_session;
use crate::sync::SyncCtx;
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

/// Every appointment on the device, by slot.
pub fn appointments(sync: SyncCtx) -> Vec<Appointment> {
    let mut out: Vec<Appointment> = sync
        .records("appointment")
        .iter()
        .map(Appointment::of)
        .collect();
    out.sort_by_key(|a| a.slot_at);
    out
}

/// Every repair order on the device, newest first.
pub fn repair_orders(sync: SyncCtx) -> Vec<RepairOrder> {
    let mut out: Vec<RepairOrder> = sync
        .records("repair_order")
        .iter()
        .map(|r| RepairOrder::of(r, store_clock()))
        .collect();
    out.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
    out
}

/// The lines of repair order `ro`, in the order they were made (their ids are v7).
pub fn lines_of(sync: SyncCtx, ro: Uuid) -> Vec<(RecordState, RoLine)> {
    let mut out: Vec<(RecordState, RoLine)> = sync
        .records("ro_line")
        .into_iter()
        .filter(|r| field::uuid(r, "ro_id") == Some(ro))
        .map(|r| {
            let l = RoLine::of(&r, store_clock());
            (r, l)
        })
        .collect();
    out.sort_by_key(|(r, _)| r.id);
    out
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
