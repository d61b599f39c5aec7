//! `/sales/settings` 销售设置 (sales manager / GM): the model catalogue (add; 停售 / 恢复 — a model
//! is never deleted, old cards use it), the test-drive fleet, the routes, the follow-up cadence per
//! grade and the sleeping threshold. Reads and writes the store's one `sales_settings` record
//! (`domain::sales::settings`): an existing record is kept; a store without one gets it under the
//! id derived from the store, so two tablets creating it offline write the same record.

use domain::records::SALES_SETTINGS;
use domain::sales::UserError;
use domain::sales::grade::{CadenceSettings, SleepSettings};
use domain::sales::settings::{
    StoreSettings, check_new_model, check_new_route, check_new_vehicle, model_element,
    settings_target,
};
use domain::sync::{Change, Edit, RecordState, SyncError};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::json;
use uuid::Uuid;

use super::a_card::lang;
use super::is_sales_manager;
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::error::UserText;

/// The store's settings as shown, tracking changes.
pub fn store_settings(sync: SyncCtx) -> StoreSettings {
    StoreSettings::of(&sync.records("sales_settings"))
}

/// The signed-in user's store (call while rendering).
fn store_id() -> String {
    use_session()
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.store_id.clone()))
        .unwrap_or_default()
}

/// A short id for a fleet vehicle or a route.
fn short_id(prefix: &str) -> String {
    let id = Uuid::now_v7().simple().to_string();
    format!("{prefix}{}", id.get(20..).unwrap_or(&id))
}

/// One settings edit; `Err` carries the message to show.
async fn write(
    sync: SyncCtx,
    i18n: I18nContext<Locale>,
    store: StoredValue<String>,
    build: impl FnOnce(&RecordState) -> Result<Vec<Change>, SyncError> + 'static,
) -> Result<(), String> {
    let records = untrack(|| sync.records("sales_settings"));
    let id = settings_target(&store.get_value(), &records);
    sync.edit(id, &SALES_SETTINGS, build)
        .await
        .map(|_| ())
        .map_err(|e| e.user_text(i18n))
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let manager = Memo::new(move |_| is_sales_manager());
    move || {
        if !manager.get() {
            return view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, sales_settings.managers_only)}</p>
                </section>
            }
            .into_any();
        }
        view! {
            <section class="panel settings-page" aria-labelledby="settings-title">
                <div class="panel-head">
                    <h1 id="settings-title">{t!(i18n, sales_settings.title)}</h1>
                    <A href="/sales/import" attr:class="btn btn-secondary">
                        {t!(i18n, sales_settings.import_link)}
                    </A>
                </div>
            </section>
            <Models />
            <Fleet />
            <Routes />
            <Cadence />
        }
        .into_any()
    }
}

#[component]
fn Models() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let store = StoredValue::new(store_id());
    let settings = Memo::new(move |_| store_settings(sync));
    let code = RwSignal::new(String::new());
    let zh = RwSignal::new(String::new());
    let en = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let toggle = move |code: String, on_sale: bool| {
        if busy.get_untracked() {
            return;
        }
        let s = settings.get_untracked();
        let Some(model) = s.catalogue().find(&code).cloned() else {
            return;
        };
        let old: Vec<String> = s
            .model_elements(&code)
            .into_iter()
            .map(str::to_string)
            .collect();
        let new = model_element(&domain::sales::a_card::CatalogueModel { on_sale, ..model });
        busy.set(true);
        leptos::task::spawn_local(async move {
            // A set field changes once per op: add the new element first, then remove the old
            // ones, so the model is never missing from the catalogue in between.
            let added = {
                let new = new.clone();
                write(sync, i18n, store, move |state| {
                    Ok(vec![
                        Edit::new(state, &SALES_SETTINGS).set_add("models", &new)?,
                    ])
                })
                .await
            };
            let mut result = added;
            for elem in old.into_iter().filter(|e| *e != new) {
                if result.is_err() {
                    break;
                }
                result = write(sync, i18n, store, move |state| {
                    Ok(vec![
                        Edit::new(state, &SALES_SETTINGS).set_remove("models", &elem)?,
                    ])
                })
                .await;
            }
            busy.set(false);
            error.set(result.err());
        });
    };

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = check_new_model(
            &settings.get_untracked().catalogue(),
            &code.get_untracked(),
            &zh.get_untracked(),
            &en.get_untracked(),
        );
        let model = match checked {
            Ok(m) => m,
            Err(e) => {
                error.set(Some(e.message(lang(i18n))));
                return;
            }
        };
        let elem = model_element(&model);
        leptos::task::spawn_local(async move {
            let result = write(sync, i18n, store, move |state| {
                Ok(vec![
                    Edit::new(state, &SALES_SETTINGS).set_add("models", &elem)?,
                ])
            })
            .await;
            if result.is_ok() {
                code.set(String::new());
                zh.set(String::new());
                en.set(String::new());
            }
            error.set(result.err());
        });
    };

    view! {
        <section class="panel" aria-labelledby="models-title">
            <h2 id="models-title">{t!(i18n, sales_settings.models)}</h2>
            <p class="muted">{t!(i18n, sales_settings.models_hint)}</p>
            {move || {
                let models = settings.get().catalogue().models;
                if models.is_empty() {
                    return view! { <p class="muted">{t!(i18n, sales_settings.none)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, sales_settings.code)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.name_zh)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.name_en)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.on_sale)}</th>
                                    <th scope="col"></th>
                                </tr>
                            </thead>
                            <tbody>
                                {models
                                    .into_iter()
                                    .map(|m| {
                                        let c = m.code.clone();
                                        let on = m.on_sale;
                                        view! {
                                            <tr class:muted=!on>
                                                <td><code>{m.code.clone()}</code></td>
                                                <th scope="row">{m.name_zh.clone()}</th>
                                                <td>{m.name_en.clone()}</td>
                                                <td>
                                                    {if on {
                                                        view! { <span class="badge badge-ok">{t!(i18n, sales_settings.on_sale)}</span> }.into_any()
                                                    } else {
                                                        view! { <span class="badge badge-muted">{t!(i18n, sales_settings.off_sale)}</span> }.into_any()
                                                    }}
                                                </td>
                                                <td>
                                                    <button
                                                        type="button"
                                                        class="btn btn-secondary"
                                                        disabled=move || busy.get()
                                                        on:click=move |_| toggle(c.clone(), !on)
                                                    >
                                                        {if on {
                                                            t_string!(i18n, sales_settings.stop).to_string()
                                                        } else {
                                                            t_string!(i18n, sales_settings.resume).to_string()
                                                        }}
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <form class="form settings-form" on:submit=add novalidate>
                <h3>{t!(i18n, sales_settings.add_model)}</h3>
                <div class="settings-row">
                    {text_field("model-code", move || t_string!(i18n, sales_settings.code).to_string(), code)}
                    {text_field("model-zh", move || t_string!(i18n, sales_settings.name_zh).to_string(), zh)}
                    {text_field("model-en", move || t_string!(i18n, sales_settings.name_en).to_string(), en)}
                </div>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary">{t!(i18n, sales_settings.add_model)}</button>
            </form>
        </section>
    }
}

/// A labelled text input bound to `value`.
fn text_field(
    id: &'static str,
    label: impl Fn() -> String + Send + Sync + 'static,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

#[component]
fn Fleet() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let store = StoredValue::new(store_id());
    let settings = Memo::new(move |_| store_settings(sync));
    let model = RwSignal::new(String::new());
    let plate = RwSignal::new(String::new());
    let vin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let name_of = move |code: &str| {
        settings.with(|s| {
            s.catalogue()
                .find(code)
                .map(|m| match i18n.get_locale() {
                    Locale::en => m.name_en.clone(),
                    Locale::zh_CN => m.name_zh.clone(),
                })
                .unwrap_or_else(|| code.to_string())
        })
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = check_new_vehicle(
            &settings.get_untracked(),
            &short_id("td-"),
            &model.get_untracked(),
            &plate.get_untracked(),
            &vin.get_untracked(),
        );
        let v = match checked {
            Ok(v) => v,
            Err(e) => {
                error.set(Some(e.message(lang(i18n))));
                return;
            }
        };
        let elem = serde_json::to_string(&v).unwrap_or_default();
        leptos::task::spawn_local(async move {
            let result = write(sync, i18n, store, move |state| {
                Ok(vec![
                    Edit::new(state, &SALES_SETTINGS).set_add("fleet", &elem)?,
                ])
            })
            .await;
            if result.is_ok() {
                plate.set(String::new());
                vin.set(String::new());
            }
            error.set(result.err());
        });
    };
    view! {
        <section class="panel" aria-labelledby="fleet-title">
            <h2 id="fleet-title">{t!(i18n, sales_settings.fleet)}</h2>
            {move || {
                let fleet = settings.get().fleet;
                if fleet.is_empty() {
                    return view! { <p class="muted">{t!(i18n, sales_settings.none)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, sales_settings.model)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.plate)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.vin)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {fleet
                                    .into_iter()
                                    .map(|(_, v)| {
                                        view! {
                                            <tr>
                                                <td>{name_of(&v.model)}</td>
                                                <th scope="row">{v.plate}</th>
                                                <td><code>{v.vin}</code></td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <form class="form settings-form" on:submit=add novalidate>
                <h3>{t!(i18n, sales_settings.add_vehicle)}</h3>
                <div class="settings-row">
                    <div class="field">
                        <label for="fleet-model">{t!(i18n, sales_settings.model)}</label>
                        <select
                            id="fleet-model"
                            prop:value=move || model.get()
                            on:change=move |ev| model.set(event_target_value(&ev))
                        >
                            <option value="">{t!(i18n, a_card.choose)}</option>
                            {move || {
                                settings
                                    .get()
                                    .catalogue()
                                    .models
                                    .into_iter()
                                    .filter(|m| m.on_sale)
                                    .map(|m| {
                                        let name = match i18n.get_locale() {
                                            Locale::en => m.name_en.clone(),
                                            Locale::zh_CN => m.name_zh.clone(),
                                        };
                                        let c = m.code.clone();
                                        view! { <option value=m.code selected=move || model.get() == c>{name}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                    {text_field("fleet-plate", move || t_string!(i18n, sales_settings.plate).to_string(), plate)}
                    {text_field("fleet-vin", move || t_string!(i18n, sales_settings.vin).to_string(), vin)}
                </div>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary">{t!(i18n, sales_settings.add_vehicle)}</button>
            </form>
        </section>
    }
}

#[component]
fn Routes() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let store = StoredValue::new(store_id());
    let settings = Memo::new(move |_| store_settings(sync));
    let zh = RwSignal::new(String::new());
    let en = RwSignal::new(String::new());
    let km = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = check_new_route(
            &short_id("r-"),
            &zh.get_untracked(),
            &en.get_untracked(),
            &km.get_untracked(),
        );
        let r = match checked {
            Ok(r) => r,
            Err(e) => {
                error.set(Some(e.message(lang(i18n))));
                return;
            }
        };
        let elem = serde_json::to_string(&r).unwrap_or_default();
        leptos::task::spawn_local(async move {
            let result = write(sync, i18n, store, move |state| {
                Ok(vec![
                    Edit::new(state, &SALES_SETTINGS).set_add("routes", &elem)?,
                ])
            })
            .await;
            if result.is_ok() {
                zh.set(String::new());
                en.set(String::new());
                km.set(String::new());
            }
            error.set(result.err());
        });
    };
    view! {
        <section class="panel" aria-labelledby="routes-title">
            <h2 id="routes-title">{t!(i18n, sales_settings.routes)}</h2>
            {move || {
                let routes = settings.get().routes;
                if routes.is_empty() {
                    return view! { <p class="muted">{t!(i18n, sales_settings.none)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, sales_settings.route_zh)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.route_en)}</th>
                                    <th scope="col">{t!(i18n, sales_settings.km)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {routes
                                    .into_iter()
                                    .map(|(_, r)| {
                                        view! {
                                            <tr>
                                                <th scope="row">{r.name_zh}</th>
                                                <td>{r.name_en}</td>
                                                <td>{r.km.to_string()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            <form class="form settings-form" on:submit=add novalidate>
                <h3>{t!(i18n, sales_settings.add_route)}</h3>
                <div class="settings-row">
                    {text_field("route-zh", move || t_string!(i18n, sales_settings.route_zh).to_string(), zh)}
                    {text_field("route-en", move || t_string!(i18n, sales_settings.route_en).to_string(), en)}
                    {text_field("route-km", move || t_string!(i18n, sales_settings.km).to_string(), km)}
                </div>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary">{t!(i18n, sales_settings.add_route)}</button>
            </form>
        </section>
    }
}

/// The form's five numbers as stored (or the domain's defaults): the H, A, B, C cadences in
/// days and the days after which a card is asleep.
fn cadence_values(s: &StoreSettings) -> [u32; 5] {
    use domain::sales::grade::IntentionGrade as G;
    [
        s.cadence.interval_days(G::H),
        s.cadence.interval_days(G::A),
        s.cadence.interval_days(G::B),
        s.cadence.interval_days(G::C),
        s.sleep.days(),
    ]
}

#[component]
fn Cadence() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let store = StoredValue::new(store_id());
    let settings = Memo::new(move |_| store_settings(sync));
    let initial = settings.with_untracked(cadence_values);
    let days: [RwSignal<String>; 5] =
        std::array::from_fn(|i| RwSignal::new(initial[i].to_string()));
    // Until the manager types, the form follows the stored settings (another device's change,
    // or the first sync, shows up here); a save starts following again.
    let edited = RwSignal::new(false);
    Effect::new(move |_| {
        let stored = settings.with(cadence_values);
        if !edited.get_untracked() {
            for (d, v) in days.iter().zip(stored) {
                d.set(v.to_string());
            }
        }
    });
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let parsed: Option<Vec<u32>> = days
            .iter()
            .map(|d| d.get_untracked().trim().parse::<u32>().ok())
            .collect();
        let Some(n) = parsed else {
            error.set(Some(t_string!(i18n, sales_settings.not_number).to_string()));
            return;
        };
        if let Err(e) = CadenceSettings::new(n[0], n[1], n[2], n[3]) {
            error.set(Some(e.message(lang(i18n))));
            return;
        }
        if let Err(e) = SleepSettings::new(n[4]) {
            error.set(Some(e.message(lang(i18n))));
            return;
        }
        let fields = [
            "cadence_h_days",
            "cadence_a_days",
            "cadence_b_days",
            "cadence_c_days",
            "sleep_days",
        ];
        let unchanged =
            settings.with_untracked(|s| s.cadence_set && s.sleep_set && cadence_values(s) == n[..]);
        if unchanged {
            error.set(None);
            saved.set(true);
            edited.set(false);
            return;
        }
        leptos::task::spawn_local(async move {
            let result = write(sync, i18n, store, move |state| {
                let e = Edit::new(state, &SALES_SETTINGS);
                fields
                    .into_iter()
                    .zip(n)
                    .filter(|(f, v)| state.value(f) != Some(&json!(v)))
                    .map(|(f, v)| e.set(f, json!(v)))
                    .collect()
            })
            .await;
            saved.set(result.is_ok());
            if result.is_ok() {
                edited.set(false);
            }
            error.set(result.err());
        });
    };
    let labels: [fn(I18nContext<Locale>) -> String; 5] = [
        |i| t_string!(i, sales_settings.every_h).to_string(),
        |i| t_string!(i, sales_settings.every_a).to_string(),
        |i| t_string!(i, sales_settings.every_b).to_string(),
        |i| t_string!(i, sales_settings.every_c).to_string(),
        |i| t_string!(i, sales_settings.sleep_days).to_string(),
    ];
    let ids = [
        "cadence-h",
        "cadence-a",
        "cadence-b",
        "cadence-c",
        "sleep-days",
    ];
    view! {
        <section class="panel" aria-labelledby="cadence-title">
            <h2 id="cadence-title">{t!(i18n, sales_settings.cadence)}</h2>
            <p class="muted">{t!(i18n, sales_settings.cadence_hint)}</p>
            <Show when=move || settings.with(|s| !s.cadence_set || !s.sleep_set)>
                <p class="notice">{t!(i18n, sales_settings.defaults_in_use)}</p>
            </Show>
            <form class="form settings-form" on:submit=save novalidate>
                <div class="settings-row">
                    {days
                        .into_iter()
                        .zip(labels)
                        .zip(ids)
                        .map(|((d, label), id)| {
                            view! {
                                <div class="field">
                                    <label for=id>{move || label(i18n)}</label>
                                    <input
                                        id=id
                                        type="number"
                                        inputmode="numeric"
                                        min="1"
                                        prop:value=move || d.get()
                                        on:input=move |ev| {
                                            edited.set(true);
                                            d.set(event_target_value(&ev))
                                        }
                                    />
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
                {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
                <Show when=move || saved.get()>
                    <p class="notice notice-ok" role="status">{t!(i18n, sales_settings.saved)}</p>
                </Show>
                <button type="submit" class="btn btn-primary">{t!(i18n, sales_settings.save_cadence)}</button>
            </form>
        </section>
    }
}
