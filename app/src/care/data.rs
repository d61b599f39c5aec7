//! How the care screens read their records and keep the schedule written: the store's care
//! settings, the care tasks, the C-cards and the past services (handed-over repair orders) the
//! generator reads, and [`use_schedule`], which writes the rows of the schedule this device does
//! not hold yet (ids derived, so devices generating offline write one task).
//!
//! These reads take whole types (`SyncCtx::records`); reading them through the indexes is
//! issue 14's work on every screen.

use std::collections::BTreeSet;

use domain::Role;
use domain::care::schedule::{PastService, ServiceKind, generate, new_tasks_plan};
use domain::care::settings::{CareSettings, care_settings_id};
use domain::records::service::{RepairOrder, ServiceHistory};
use domain::records::{CCard, CareTask};
use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;

use crate::clock::{store_clock, today};
use crate::session::use_session;
use crate::sync::SyncCtx;

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

/// Every care task on the device.
pub fn tasks(sync: SyncCtx) -> Vec<CareTask> {
    sync.records("care_task")
        .iter()
        .map(|r| CareTask::of(r, store_clock()))
        .collect()
}

/// The past services the schedule counts from: the repair orders handed over (their kind read
/// from the complaint) and the services imported from the old DMS (`service_history`).
pub fn past_services(sync: SyncCtx) -> Vec<PastService> {
    past_services_of(
        &sync.records("repair_order"),
        &sync.records("service_history"),
    )
}

/// [`past_services`] from the records given (the GM's page reads them bounded by the month).
pub fn past_services_of(
    repair_orders: &[RecordState],
    imported: &[RecordState],
) -> Vec<PastService> {
    let handed_over = repair_orders
        .iter()
        .map(|r| RepairOrder::of(r, store_clock()))
        .filter_map(|ro| {
            Some(PastService {
                c_card_id: ro.c_card_id,
                vehicle_vin: ro.vin.clone(),
                date: ro.handed_over_at?.date(),
                odometer_km: ro.odometer.and_then(|k| u32::try_from(k).ok()),
                kind: ServiceKind::of_complaint(ro.complaint.as_deref()),
            })
        })
        .collect::<Vec<_>>();
    handed_over
        .into_iter()
        .chain(
            imported
                .iter()
                .filter_map(|r| PastService::of_history(&ServiceHistory::of(r))),
        )
        .collect()
}

/// Writes the schedule's rows this device does not hold yet, whenever the C-cards, the
/// services, the tasks or the settings change (a few ops the first time, none after).
pub fn use_schedule(sync: SyncCtx) {
    let running = StoredValue::new(false);
    Effect::new(move || {
        let cards: Vec<CCard> = sync
            .records("c_card")
            .iter()
            .map(|r| CCard::of(r, store_clock()))
            .collect();
        let services = past_services(sync);
        let stored: BTreeSet<Uuid> = sync.records("care_task").iter().map(|r| r.id).collect();
        let settings = settings(sync);
        if cards.is_empty() || running.get_value() {
            return;
        }
        let rows = generate(&cards, &services, &settings, today());
        let plan = new_tasks_plan(&rows, &stored, |_| None);
        if plan.is_empty() {
            return;
        }
        running.set_value(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = sync.execute(&plan).await {
                leptos::logging::warn!("forecourt: the care schedule was not written: {e:?}");
            }
            running.set_value(false);
        });
    });
}
