//! 预约: booking an appointment (`/service/appointments/new`) and one appointment's page
//! (`/service/appointments/:id`: 接待 when the car comes, 失约 with its reason, 取消预约).
//!
//! The customer and vehicle are found by plate, VIN, phone or name (the device's C-card search,
//! `sync::store::search`), or typed as a new customer (the booking makes the C-card). The slot
//! must be three hours ahead (`domain::service::desk::check_booking`; the server checks the same
//! rule by the op's time). While booking, the capacity of the slot's day is shown: each
//! advisor's load and the workshop's hours (on duty − carry-over − booked).

use domain::records::sales::CCard;
use domain::sales::UserError;
use domain::sales::chrono::NaiveDate;
use domain::service::appointment::AppointmentStatus;
use domain::service::desk::{
    Booking, CONFIRM_CALL_KIND, DEFAULT_JOB_MINUTES, booking_plan, cancel_appointment_plan,
    check_booking, shop_bucket,
};
use domain::service::plan::no_show_plan;
use domain::service::repair_order::{AdvisorLoad, RoStatus};
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::data::{self, Appointment};
use super::words::{arrival_text, error_list, shown};
use crate::clock::{now_local, store_clock};
use crate::i18n::*;
use crate::sync::{store, use_sync};
use crate::ui::edit::use_edit;
use crate::ui::field::{DateField, DateKind, Select, TextArea, TextField};
use crate::ui::labels::{phone_display, who};
use crate::ui::panel::Panel;
use crate::ui::record_page::{RecordPage, field_list};

/// Technician minutes on duty a day until the store sets them: four technicians, eight hours.
pub const DEFAULT_SHOP_MINUTES: i64 = 4 * 8 * 60;

/// The capacity of `day`: each advisor's count and load, and the workshop's free minutes.
#[component]
fn Capacity(day: Signal<Option<NaiveDate>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The day's appointments, the open ROs and those received that day: not every record.
    let appts = data::use_appointments(move || day.get().map(|d| (d, d)));
    let ros = data::use_repair_orders(data::open_statuses(), move || day.get().map(|d| (d, d)));
    move || {
        let day = day.get()?;
        let appts = appts.get()?;
        let ros = ros.get()?;
        let live = |a: &&Appointment| {
            a.status == AppointmentStatus::Booked && a.slot_at.is_some_and(|s| s.date() == day)
        };
        let mut items: Vec<(Option<String>, Option<_>)> = appts
            .iter()
            .filter(live)
            .map(|a| {
                (
                    Some(a.advisor_id.clone()).filter(|s| !s.is_empty()),
                    a.slot_at,
                )
            })
            .collect();
        items.extend(ros.iter().map(|r| (r.advisor_id.clone(), r.received_at)));
        let borrowed: Vec<(Option<&str>, Option<_>)> =
            items.iter().map(|(a, t)| (a.as_deref(), *t)).collect();
        let advisors: Vec<String> = data::advisors().into_iter().map(|(id, _)| id).collect();
        let loads = domain::service::desk::advisor_loads(day, &advisors, &borrowed);
        let open = |s: RoStatus| {
            !matches!(
                s,
                RoStatus::Ready | RoStatus::HandedOver | RoStatus::Cancelled
            )
        };
        let carry: Vec<i64> = ros
            .iter()
            .filter(|r| open(r.status) && r.received_at.is_some_and(|t| t.date() < day))
            .map(|r| r.estimate_minutes.unwrap_or(DEFAULT_JOB_MINUTES))
            .collect();
        let mut booked: Vec<i64> = appts
            .iter()
            .filter(live)
            .map(|_| DEFAULT_JOB_MINUTES)
            .collect();
        booked.extend(
            ros.iter()
                .filter(|r| r.received_at.is_some_and(|t| t.date() == day))
                .map(|r| r.estimate_minutes.unwrap_or(DEFAULT_JOB_MINUTES)),
        );
        let on_duty = data::settings_record(sync)
            .and_then(|r| domain::records::field::integer(&r, "shop_minutes_per_day"))
            .filter(|m| *m > 0)
            .unwrap_or(DEFAULT_SHOP_MINUTES);
        let bucket = shop_bucket(on_duty, &carry, &booked);
        let hours = |m: i64| format!("{:.1}", m as f64 / 60.0);
        Some(view! {
            <section class="svc-capacity" aria-labelledby="svc-capacity-title">
                <h3 id="svc-capacity-title">{t!(i18n, svc_desk.book.capacity)} " · " {day.to_string()}</h3>
                <p class="svc-shop-hours">
                    {t!(i18n, svc_desk.book.shop_hours)} ": "
                    {format!(
                        "{} {} − {} {} − {} {} = {} h",
                        hours(bucket.on_duty), t_string!(i18n, svc_desk.book.on_duty),
                        hours(bucket.carry_over), t_string!(i18n, svc_desk.book.carry_over),
                        hours(bucket.booked), t_string!(i18n, svc_desk.book.booked),
                        hours(bucket.free()),
                    )}
                </p>
                <ul class="svc-loads">
                    {loads.into_iter().map(|(id, n, load)| {
                        let words = match load {
                            AdvisorLoad::Open => t_string!(i18n, svc_desk.board.load_open),
                            AdvisorLoad::Full => t_string!(i18n, svc_desk.board.load_full),
                            AdvisorLoad::Over => t_string!(i18n, svc_desk.board.load_over),
                        };
                        view! { <li>{who(&id)} " " {n} " · " {words}</li> }
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}

/// `/service/appointments/new`: find or type the customer and vehicle, the service wanted, the
/// slot (three hours ahead), the advisor, the parts needed → 保存预约.
#[component]
pub fn NewAppointmentPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let edit = use_edit();
    let search = RwSignal::new(String::new());
    let found = RwSignal::new(Vec::<CCard>::new());
    let card = RwSignal::new(None::<Uuid>);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let plate = RwSignal::new(String::new());
    let vin = RwSignal::new(String::new());
    let service = RwSignal::new(String::new());
    let slot = RwSignal::new(String::new());
    let advisor = RwSignal::new(data::my_id());
    let parts = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());

    let look_up = move |q: String| {
        search.set(q.clone());
        leptos::task::spawn_local(async move {
            let cards = match store::search(&q, 8).await {
                Ok(found) => found,
                Err(e) => {
                    leptos::logging::warn!("forecourt: search failed: {e}");
                    Vec::new()
                }
            };
            // Only the answer to what is typed now.
            if search.get_untracked() == q {
                found.set(
                    cards
                        .iter()
                        .filter(|r| r.record_type == "c_card")
                        .map(|r| CCard::of(r, store_clock()))
                        .collect(),
                );
            }
        });
    };
    let pick = move |c: CCard| {
        card.set(Some(c.id));
        name.set(c.name.unwrap_or_default());
        phone.set(c.phone.unwrap_or_default());
        plate.set(c.plate.unwrap_or_default());
        vin.set(c.vin.unwrap_or_default());
        found.set(Vec::new());
    };
    let day = Signal::derive(move || store_clock().parse(&slot.get()).map(|t| t.date()));
    let advisor_options = Signal::derive(data::advisors);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let now = now_local();
        let id = Uuid::now_v7();
        let b = Booking {
            appointment_id: id,
            c_card_id: card.get_untracked(),
            customer_name: name.get_untracked(),
            phone: phone.get_untracked(),
            plate: plate.get_untracked(),
            vin: vin.get_untracked(),
            service_wanted: service.get_untracked(),
            slot_at: store_clock().parse(&slot.get_untracked()),
            advisor_id: advisor.get_untracked(),
            parts_needed: parts.get_untracked(),
            new_card: card.get_untracked().is_none().then(Uuid::now_v7),
        };
        if let Err(e) = check_booking(now, &b) {
            errors.set(e.iter().map(|e| e.message(lang(i18n))).collect());
            return;
        }
        errors.set(Vec::new());
        let plan = booking_plan(now, &b);
        let navigate = navigate.clone();
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            navigate(&format!("/service/appointments/{id}"), Default::default())
        });
    };

    view! {
        <Panel id="svc-book-title" page=true title=move || t!(i18n, svc_desk.book.title)>
            <form class="form svc-form" on:submit=submit novalidate>
                <fieldset class="field svc-customer">
                    <legend>{t!(i18n, svc_desk.book.customer)}</legend>
                    <label for="svc-search">{t!(i18n, svc_desk.book.search)}</label>
                    <input
                        id="svc-search"
                        type="search"
                        autocomplete="off"
                        prop:value=move || search.get()
                        on:input=move |ev| look_up(event_target_value(&ev))
                    />
                    <ul class="svc-matches">
                        {move || found.get().into_iter().map(|c| {
                            let label = [
                                c.name.clone().unwrap_or_default(),
                                phone_display(c.phone.as_deref().unwrap_or_default()),
                                c.plate.clone().unwrap_or_default(),
                            ]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" · ");
                            view! {
                                <li>
                                    <button type="button" class="btn btn-secondary" on:click=move |_| pick(c.clone())>
                                        {label}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="muted">
                        {move || if card.get().is_some() {
                            t_string!(i18n, svc_desk.book.card_found)
                        } else {
                            t_string!(i18n, svc_desk.book.new_customer)
                        }}
                    </p>
                </fieldset>
                <TextField id="svc-name" value=name autocomplete="off">{t!(i18n, svc_desk.fields.customer_name)}</TextField>
                <TextField id="svc-phone" value=phone kind="tel" autocomplete="off">{t!(i18n, svc_desk.fields.phone)}</TextField>
                <TextField id="svc-plate" value=plate autocomplete="off">{t!(i18n, svc_desk.fields.plate)}</TextField>
                <TextField id="svc-vin" value=vin autocomplete="off">{t!(i18n, svc_desk.fields.vin)}</TextField>
                <TextField id="svc-service" value=service autocomplete="off">{t!(i18n, svc_desk.fields.service_wanted)}</TextField>
                <DateField id="svc-slot" value=slot kind=DateKind::DateTime>{t!(i18n, svc_desk.fields.slot_at)}</DateField>
                <p class="muted">{t!(i18n, svc_desk.book.lead_rule)}</p>
                <Select id="svc-advisor" value=advisor options=advisor_options>{t!(i18n, svc_desk.fields.advisor)}</Select>
                <TextArea id="svc-parts" value=parts>{t!(i18n, svc_desk.fields.parts_needed)}</TextArea>
                <Capacity day=day />
                {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                    {t!(i18n, svc_desk.book.save)}
                </button>
            </form>
        </Panel>
    }
}

/// `/service/appointments/:id`
#[component]
pub fn AppointmentPage() -> impl IntoView {
    view! { <RecordPage record_type="appointment" view=|(id, r)| view! { <AppointmentView id=id record=r /> }.into_any() /> }
}

#[component]
fn AppointmentView(id: Uuid, record: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let appt = Memo::new(move |_| record.with(|r| r.as_ref().map(Appointment::of)));
    let reason = RwSignal::new(String::new());
    let no_show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let plan = no_show_plan(id, &reason.get_untracked());
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    let cancel = move |_| {
        let plan = cancel_appointment_plan(id);
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    let now = now_local();
    // The confirm call the day before (a care task naming the appointment).
    let confirm_call =
        data::use_task_due(CONFIRM_CALL_KIND, format!("appointment:{id}"), move || {
            let a = appt.get()?;
            let slot = a.slot_at?.date();
            Some((
                a.c_card_id,
                slot - domain::sales::chrono::Duration::days(1),
                slot,
            ))
        });
    view! {
        <p class="back-link no-print"><A href="/service">{t!(i18n, svc_desk.back)}</A></p>
        {move || appt.get().map(|a| {
            let arrival = domain::service::desk::board_arrival(a.status, a.slot_at, now);
            let rows = [
                (t_string!(i18n, svc_desk.fields.status), arrival_text(i18n, arrival)),
                (t_string!(i18n, svc_desk.fields.slot_at), shown(a.slot_at)),
                (t_string!(i18n, svc_desk.fields.customer_name), a.customer_name.clone()),
                (t_string!(i18n, svc_desk.fields.phone), phone_display(&a.phone)),
                (t_string!(i18n, svc_desk.fields.plate), a.plate.clone()),
                (t_string!(i18n, svc_desk.fields.vin), a.vin.clone()),
                (t_string!(i18n, svc_desk.fields.service_wanted), a.service_wanted.clone()),
                (t_string!(i18n, svc_desk.fields.advisor), who(&a.advisor_id)),
                (t_string!(i18n, svc_desk.fields.parts_needed), a.parts_needed.clone()),
                (t_string!(i18n, svc_desk.fields.no_show_reason), a.no_show_reason.clone()),
            ];
            let title = format!("{} · {}", a.customer_name, a.plate);
            view! {
                <section class="panel" aria-labelledby="svc-appt-title">
                    <div class="panel-head">
                        <h1 id="svc-appt-title">{t!(i18n, svc_desk.book.appointment)} " · " {title}</h1>
                        {(a.status == AppointmentStatus::Booked).then(|| view! {
                            <A href=format!("/service/reception?appointment={id}") attr:class="btn btn-primary">
                                {t!(i18n, svc_desk.book.receive)}
                            </A>
                        })}
                    </div>
                    {field_list((), rows.into_iter().filter(|(_, v)| !v.is_empty()))}
                    {move || confirm_call.get().map(|due| view! {
                        <p class="svc-confirm-call">{t!(i18n, svc_desk.book.confirm_call)} ": " {shown(Some(due))}</p>
                    })}
                </section>
            }
        })}
        <Show when=move || appt.with(|a| a.as_ref().is_some_and(|a| a.status == AppointmentStatus::Booked))>
            <Panel id="svc-no-show-title" title=move || t!(i18n, svc_desk.book.no_show)>
                <form class="form" on:submit=no_show novalidate>
                    <TextField id="svc-no-show-reason" value=reason>{t!(i18n, svc_desk.fields.no_show_reason)}</TextField>
                    {move || error_list(edit.error.get().into_iter().collect())}
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                            {t!(i18n, svc_desk.book.record_no_show)}
                        </button>
                        <button type="button" class="btn btn-secondary" on:click=cancel disabled=move || edit.busy.get()>
                            {t!(i18n, svc_desk.book.cancel)}
                        </button>
                    </div>
                </form>
            </Panel>
        </Show>
    }
}
