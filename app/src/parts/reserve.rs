//! `/parts/reserve` (预留): tomorrow's booked appointments that need parts (what the advisor
//! wrote at booking), each with its check (`domain::parts::reservations::appointment_parts`:
//! 备件齐, or 未预留 / 缺件 / 已紧急订货) and its reservations; the clerk reserves a part for it
//! (held until issued or released; not offered to another job). The same check shows on the
//! advisor's board ([`super::board::TomorrowParts`]).

use domain::parts::plan::{JobRef, release_plan, reserve_plan};
use domain::parts::reservations::{
    AppointmentParts, Missing, NeedsParts, ReservationStatus, appointment_parts,
};
use domain::service::appointment::AppointmentStatus;
use leptos::prelude::*;
use uuid::Uuid;

use super::data::{self, qty_of};
use crate::clock::today;
use crate::i18n::*;
use crate::service::data::{Appointment, use_appointments};
use crate::sync::{SyncCtx, use_sync};
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{NumberField, Select};
use crate::ui::panel::Panel;

/// Tomorrow's appointments (`by_day`, not every appointment): `None` until read.
pub fn use_tomorrows() -> Memo<Option<Vec<Appointment>>> {
    use_appointments(|| {
        let day = today() + domain::sales::chrono::Duration::days(1);
        Some((day, day))
    })
}

/// Tomorrow's booked appointments that need parts, with their checks; `appts`: tomorrow's
/// appointments ([`use_tomorrows`]).
pub fn tomorrow(sync: SyncCtx, appts: Vec<Appointment>) -> Vec<(Appointment, AppointmentParts)> {
    let day = today() + domain::sales::chrono::Duration::days(1);
    let appts: Vec<Appointment> = appts
        .into_iter()
        .filter(|a| a.status == AppointmentStatus::Booked)
        .filter(|a| a.slot_at.is_some_and(|s| s.date() == day))
        .filter(|a| !a.parts_needed.trim().is_empty())
        .collect();
    let needs: Vec<NeedsParts> = appts
        .iter()
        .map(|a| NeedsParts {
            appointment_id: a.id,
            parts_needed: a.parts_needed.clone(),
        })
        .collect();
    let stock: Vec<_> = data::parts(sync).into_iter().map(|p| p.stock).collect();
    let checks = appointment_parts(
        &needs,
        &data::reservations(sync),
        &stock,
        &data::orders(sync),
    );
    appts
        .into_iter()
        .filter_map(|a| {
            let c = checks.iter().find(|c| c.appointment_id == a.id)?.clone();
            Some((a, c))
        })
        .collect()
}

/// The words of a check: 备件齐, or why not.
pub fn check_words(i18n: I18nContext<Locale>, c: &AppointmentParts) -> String {
    if c.ready() {
        return t_string!(i18n, parts.reserve.ready).to_string();
    }
    c.missing
        .iter()
        .map(|m| match m {
            Missing::NotReserved => t_string!(i18n, parts.reserve.not_reserved),
            Missing::Short { .. } => t_string!(i18n, parts.reserve.short),
            Missing::Ordered { .. } => t_string!(i18n, parts.reserve.ordered),
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The reservation form and list of one appointment.
#[component]
fn Reserve(appointment: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let part = RwSignal::new(String::new());
    let qty = RwSignal::new("1".to_string());
    let options = Signal::derive(move || data::part_options(sync));
    let reserve = move |_| {
        let (Ok(p), Some(q)) = (
            Uuid::parse_str(&part.get_untracked()),
            qty_of(&qty.get_untracked()),
        ) else {
            edit.fail(t_string!(i18n, parts.receive.choose).to_string());
            return;
        };
        let job = JobRef {
            appointment_id: Some(appointment),
            ro_id: None,
        };
        let day = today() + domain::sales::chrono::Duration::days(1);
        let plan = reserve_plan(Uuid::now_v7(), p, job, q, Some(day));
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            part.set(String::new());
            qty.set("1".into());
        });
    };
    let held = move || {
        let names = data::parts(sync);
        data::reservations(sync)
            .into_iter()
            .filter(|r| r.appointment_id == Some(appointment) && r.status == ReservationStatus::Held)
            .map(|r| {
                let name = names
                    .iter()
                    .find(|p| Some(p.part.id) == r.part_id)
                    .map(|p| format!("{} {}", p.part.part_no, p.part.name))
                    .unwrap_or_default();
                let id = r.id;
                let release = move |_| {
                    let plan = release_plan(id);
                    edit.run(async move { sync.execute(&plan).await }, |_| ());
                };
                view! {
                    <li class="reservation">
                        {format!("{name} × {}", r.qty)}
                        " "
                        <button type="button" class="btn btn-link" on:click=release>{t!(i18n, parts.reserve.release)}</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <ul class="reservations">{held}</ul>
        <div class="form-row parts-reserve">
            <Select id=format!("reserve-part-{appointment}") value=part options=options blank=Signal::derive(move || t_string!(i18n, parts.receive.choose).to_string())>
                {t!(i18n, parts.reserve.part)}
            </Select>
            <NumberField id=format!("reserve-qty-{appointment}") value=qty min="1" step="1">{t!(i18n, parts.reserve.qty)}</NumberField>
            <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=reserve>
                {t!(i18n, parts.reserve.submit)}
            </button>
        </div>
        <Alert message=edit.error />
    }
}

#[component]
pub fn ReservePage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let appts = use_tomorrows();
    let list = Memo::new(move |_| tomorrow(sync, appts.get().unwrap_or_default()));
    view! {
        <Panel id="parts-reserve-title" page=true title=move || t!(i18n, parts.reserve.title)>
            {move || {
                let rows = list.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, parts.reserve.none)}</p> }.into_any();
                }
                rows.into_iter().map(|(a, c)| {
                    let label = crate::ui::kinds::joined(vec![
                        a.slot_at.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                        a.plate.clone(),
                        a.customer_name.clone(),
                    ]);
                    let class = if c.ready() { "badge badge-ok" } else { "badge badge-late" };
                    let words = check_words(i18n, &c);
                    let aria = label.clone();
                    view! {
                        <section class="car reserve-appointment" aria-label=aria>
                            <h2>{label}" "<span class=class>{words}</span></h2>
                            <p>{t!(i18n, parts.reserve.needed)}": "<span class="parts-needed">{a.parts_needed.clone()}</span></p>
                            <Reserve appointment=a.id />
                        </section>
                    }
                }).collect_view().into_any()
            }}
        </Panel>
    }
}
