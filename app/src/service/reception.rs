//! 接待 at the car, on the tablet (`/service/reception`, `?appointment=<id>` for a booked
//! customer; without it a walk-in): odometer, fuel in eighths, the customer's own words
//! (客户陈述), the complaint, valuables, the walk-around's damage marks on the car outline,
//! photos and the customer's signature → 接车. A comeback (same vehicle, same complaint within
//! the store's window: `domain::service::repair_order::comeback_of`) is shown while typing and
//! linked on the new RO. Everything is one local transaction (`reception_plan`): it works with
//! no network.

use domain::service::desk::{DamageKind, DamageMark};
use domain::service::plan::{Reception, reception_plan};
use domain::service::repair_order::{PastRo, comeback_of};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use super::car_outline::{CarOutline, kind_text, mark_text};
use super::data::{self, Appointment};
use super::words::error_list;
use crate::clock::{now_local, today};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::blob_image::BlobImage;
use crate::ui::edit::use_edit;
use crate::ui::field::{Select, TextArea, TextField};
use crate::ui::panel::Panel;
use crate::ui::photo::PhotoInput;
use crate::ui::signature::SignaturePad;

/// Fuel levels as offered: `0/8` … `8/8`.
fn fuel_options() -> Vec<(String, String)> {
    (0..=8).map(|n| (n.to_string(), format!("{n}/8"))).collect()
}

#[component]
pub fn ReceptionPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let query = use_query_map();
    let navigate = use_navigate();
    let edit = use_edit();
    let appointment_id = query
        .read_untracked()
        .get("appointment")
        .and_then(|s| Uuid::parse_str(&s).ok());
    let appt: Option<Appointment> = appointment_id
        .and_then(|id| sync.record(id))
        .filter(|r| r.record_type == "appointment")
        .map(|r| Appointment::of(&r));
    let get = |f: fn(&Appointment) -> String| appt.as_ref().map(f).unwrap_or_default();
    let name = RwSignal::new(get(|a| a.customer_name.clone()));
    let phone = RwSignal::new(get(|a| a.phone.clone()));
    let plate = RwSignal::new(get(|a| a.plate.clone()));
    let vin = RwSignal::new(get(|a| a.vin.clone()));
    let words = RwSignal::new(get(|a| a.service_wanted.clone()));
    let card = appt.as_ref().and_then(|a| a.c_card_id);
    let odometer = RwSignal::new(String::new());
    let fuel = RwSignal::new(String::new());
    let complaint = RwSignal::new(String::new());
    let valuables = RwSignal::new(String::new());
    let marks = RwSignal::new(Vec::<DamageMark>::new());
    let kind = RwSignal::new(DamageKind::Scratch.as_str().to_string());
    let photos = RwSignal::new(Vec::<String>::new());
    let signature = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<String>::new());
    let has_appt = appt.is_some();
    let appt_title = appt
        .as_ref()
        .map(|a| format!("{} · {}", a.customer_name, a.plate))
        .unwrap_or_default();

    // The earlier RO this one is a comeback of, as typed so far: among the ROs received in the
    // comeback window and the 60 days before it (a car is in the workshop for days, not
    // months), not every RO of the store's history.
    let past = data::use_repair_orders(Vec::new(), move || {
        let days = data::settings(sync).comeback_days.clamp(0, 3650) + 60;
        Some((
            today() - domain::sales::chrono::Duration::days(days),
            today(),
        ))
    });
    let comeback = Memo::new(move |_| {
        let history: Vec<PastRo> = past
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|r| PastRo {
                id: r.id,
                vin: r.vin,
                plate: r.plate,
                complaint: r.complaint,
                handed_over_at: r.handed_over_at,
            })
            .collect();
        let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
        comeback_of(
            &history,
            opt(vin.get()).as_deref(),
            opt(plate.get()).as_deref(),
            opt(complaint.get()).as_deref(),
            now_local(),
            data::settings(sync).comeback_days,
        )
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        if plate.get_untracked().trim().is_empty() && vin.get_untracked().trim().is_empty() {
            problems.push(t_string!(i18n, svc_desk.reception.need_vehicle).to_string());
        }
        let km = odometer.get_untracked();
        let odometer_km = km.trim().parse::<i64>().ok().filter(|n| *n >= 0);
        if odometer_km.is_none() {
            problems.push(t_string!(i18n, svc_desk.reception.need_odometer).to_string());
        }
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        let ro_id = Uuid::now_v7();
        let r = Reception {
            ro_id,
            appointment_id,
            c_card_id: card,
            customer_name: name.get_untracked(),
            phone: phone.get_untracked(),
            plate: plate.get_untracked(),
            vin: vin.get_untracked(),
            advisor_id: data::my_id(),
            received_at: Some(now_local()),
            odometer: odometer_km,
            fuel: fuel.get_untracked().parse().ok(),
            customer_words: words.get_untracked(),
            complaint: complaint.get_untracked(),
            valuables: valuables.get_untracked(),
            comeback_of: comeback.get_untracked(),
            signature_blob: signature.get_untracked(),
            damage_marks: marks.get_untracked(),
            photos: photos.get_untracked(),
        };
        let plan = reception_plan(&r);
        let navigate = navigate.clone();
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            navigate(&format!("/service/ro/{ro_id}"), Default::default())
        });
    };
    let kinds = Signal::derive(move || {
        DamageKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), kind_text(i18n, *k).to_string()))
            .collect::<Vec<_>>()
    });

    view! {
        <Panel id="svc-reception-title" page=true title=move || t!(i18n, svc_desk.reception.title)>
            <p class="muted">
                {if has_appt {
                    format!("{} · {}", t_string!(i18n, svc_desk.reception.by_appointment), appt_title)
                } else {
                    t_string!(i18n, svc_desk.reception.walk_in).to_string()
                }}
            </p>
            <form class="form svc-form" on:submit=submit novalidate>
                <TextField id="svc-r-name" value=name autocomplete="off">{t!(i18n, svc_desk.fields.customer_name)}</TextField>
                <TextField id="svc-r-phone" value=phone kind="tel" autocomplete="off">{t!(i18n, svc_desk.fields.phone)}</TextField>
                <TextField id="svc-r-plate" value=plate autocomplete="off">{t!(i18n, svc_desk.fields.plate)}</TextField>
                <TextField id="svc-r-vin" value=vin autocomplete="off">{t!(i18n, svc_desk.fields.vin)}</TextField>
                <TextField id="svc-r-odometer" value=odometer inputmode="numeric">{t!(i18n, svc_desk.fields.odometer)}</TextField>
                <Select id="svc-r-fuel" value=fuel options=Signal::derive(fuel_options) blank=Signal::derive(|| "—".to_string())>
                    {t!(i18n, svc_desk.fields.fuel)}
                </Select>
                <TextArea id="svc-r-words" value=words rows=3>{t!(i18n, svc_desk.fields.customer_words)}</TextArea>
                <TextField id="svc-r-complaint" value=complaint autocomplete="off">{t!(i18n, svc_desk.fields.complaint)}</TextField>
                {move || comeback.get().map(|id| view! {
                    <div class="alert svc-comeback" role="status">
                        {t!(i18n, svc_desk.reception.comeback)} " "
                        <A href=format!("/service/ro/{id}")>{t!(i18n, svc_desk.reception.comeback_link)}</A>
                    </div>
                })}
                <TextField id="svc-r-valuables" value=valuables autocomplete="off">{t!(i18n, svc_desk.fields.valuables)}</TextField>
                <fieldset class="field svc-walk-around">
                    <legend>{t!(i18n, svc_desk.reception.walk_around)}</legend>
                    <Select id="svc-r-kind" value=kind options=kinds>{t!(i18n, svc_desk.reception.damage_kind)}</Select>
                    <p class="muted">{t!(i18n, svc_desk.reception.tap_hint)}</p>
                    <CarOutline marks=marks kind=kind />
                    <ol class="svc-mark-list">
                        {move || marks.get().into_iter().enumerate().map(|(n, m)| {
                            let text = mark_text(i18n, &m);
                            view! {
                                <li>
                                    {text}
                                    " "
                                    <button type="button" class="btn btn-link" on:click=move |_| marks.update(|all| { if n < all.len() { all.remove(n); } })>
                                        {t!(i18n, svc_desk.reception.remove_mark)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </fieldset>
                <fieldset class="field svc-photos">
                    <legend>{t!(i18n, svc_desk.reception.photos)}</legend>
                    <div class="svc-photo-list">
                        {move || photos.get().into_iter().map(|id| view! {
                            <BlobImage id=id alt=move || t_string!(i18n, svc_desk.reception.photos).to_string() />
                        }).collect_view()}
                    </div>
                    <PhotoInput
                        id="svc-r-photo"
                        label=move || t_string!(i18n, svc_desk.reception.take_photo)
                        on_photo=move |id: String| photos.update(|p| p.push(id))
                        disabled=Signal::derive(move || edit.busy.get())
                    />
                </fieldset>
                <fieldset class="field svc-signature">
                    <legend>{t!(i18n, svc_desk.reception.signature)}</legend>
                    <SignaturePad on_signed=move |id: String| signature.set(Some(id)) disabled=Signal::derive(move || edit.busy.get()) />
                </fieldset>
                {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>
                    {t!(i18n, svc_desk.reception.save)}
                </button>
            </form>
        </Panel>
    }
}
