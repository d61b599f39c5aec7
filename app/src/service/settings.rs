//! `/service/settings`, for the service managers (the general manager): the store's hourly
//! labour rate, the labour price list (工时价目: code, name, standard hours), the workshop's
//! hours on duty a day, the promise buffer and the comeback window. One `service_settings`
//! record per store (`domain::service::desk::service_settings_record_id`); the policy lets only
//! service managers change it.

use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::service::SERVICE_SETTINGS;
use domain::sales::UserError;
use domain::service::desk::{labour_op, parse_yuan, service_settings_record_id, yuan};
use leptos::prelude::*;

use super::booking::DEFAULT_SHOP_MINUTES;
use super::data;
use super::words::error_list;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::edit::use_edit;
use crate::ui::field::TextField;
use crate::ui::panel::Panel;

#[component]
pub fn ServiceSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let now = data::settings(sync);
    let shop = data::settings_record(sync)
        .and_then(|r| domain::records::field::integer(&r, "shop_minutes_per_day"))
        .unwrap_or(DEFAULT_SHOP_MINUTES);
    let rate = RwSignal::new(if now.hourly_rate_fen > 0 {
        format!("{}", now.hourly_rate_fen as f64 / 100.0)
    } else {
        String::new()
    });
    let shop_hours = RwSignal::new(format!("{}", shop as f64 / 60.0));
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let hours = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<String>::new());
    let id = move || service_settings_record_id(&data::store_id());

    let save_rate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(fen) = parse_yuan(&rate.get_untracked()) else {
            errors.set(vec![
                domain::service::desk::PriceError::BadRate.message(lang(i18n)),
            ]);
            return;
        };
        let Some(minutes) = shop_hours
            .get_untracked()
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|h| h.is_finite() && *h > 0.0)
            .map(|h| (h * 60.0).round() as i64)
        else {
            errors.set(vec![
                t_string!(i18n, svc_desk.settings.bad_shop_hours).to_string(),
            ]);
            return;
        };
        errors.set(Vec::new());
        let plan = Plan::new().then(
            PlannedWrite::new(id(), &SERVICE_SETTINGS)
                .set("hourly_rate_fen", fen)
                .set("shop_minutes_per_day", minutes),
        );
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    let add_op = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match labour_op(
            &code.get_untracked(),
            &name.get_untracked(),
            &hours.get_untracked(),
        ) {
            Ok(op) => {
                errors.set(Vec::new());
                let plan = Plan::new().then(
                    PlannedWrite::new(id(), &SERVICE_SETTINGS)
                        .with(Step::SetAdd("labour_ops", op.element())),
                );
                edit.run(async move { sync.execute(&plan).await }, move |_| {
                    code.set(String::new());
                    name.set(String::new());
                    hours.set(String::new());
                });
            }
            Err(e) => errors.set(vec![e.message(lang(i18n))]),
        }
    };
    let remove = move |element: String| {
        let plan = Plan::new().then(
            PlannedWrite::new(id(), &SERVICE_SETTINGS).with(Step::SetRemove("labour_ops", element)),
        );
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };

    view! {
        <Panel id="svc-settings-title" page=true title=move || t!(i18n, svc_desk.settings.title)>
            <form class="form svc-form" on:submit=save_rate novalidate>
                <TextField id="svc-s-rate" value=rate inputmode="decimal">{t!(i18n, svc_desk.settings.rate)}</TextField>
                <TextField id="svc-s-shop" value=shop_hours inputmode="decimal">{t!(i18n, svc_desk.settings.shop_hours)}</TextField>
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>{t!(i18n, svc_desk.settings.save)}</button>
            </form>
            <p class="muted">
                {t!(i18n, svc_desk.settings.rate_now)} ": " {move || yuan(data::settings(sync).hourly_rate_fen)}
            </p>
        </Panel>
        <Panel id="svc-ops-title" title=move || t!(i18n, svc_desk.settings.ops)>
            <ul class="svc-ops">
                {move || data::labour_ops(sync).into_iter().map(|(element, op)| {
                    let text = format!("{} {} · {} h", op.code, op.name, op.hours);
                    view! {
                        <li>
                            {text} " "
                            <button type="button" class="btn btn-link" on:click=move |_| remove(element.clone())>
                                {t!(i18n, svc_desk.settings.remove)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="form svc-form" on:submit=add_op novalidate>
                <TextField id="svc-s-code" value=code autocomplete="off">{t!(i18n, svc_desk.settings.code)}</TextField>
                <TextField id="svc-s-name" value=name autocomplete="off">{t!(i18n, svc_desk.settings.name)}</TextField>
                <TextField id="svc-s-hours" value=hours inputmode="decimal">{t!(i18n, svc_desk.settings.hours)}</TextField>
                {move || error_list(errors.get().into_iter().chain(edit.error.get()).collect())}
                <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>{t!(i18n, svc_desk.settings.add)}</button>
            </form>
        </Panel>
    }
}
