//! `/sales/settings` 销售设置 (sales manager / GM): the model catalogue (add; 停售 / 恢复 — a model
//! is never deleted, old cards use it), the test-drive fleet, the routes, the follow-up cadence per
//! grade and the sleeping threshold. Reads and writes the store's one `sales_settings` record
//! (`domain::sales::settings`): an existing record is kept; a store without one gets it under the
//! id derived from the store, so two tablets creating it offline write the same record.

use domain::records::SALES_SETTINGS;
use domain::sales::UserError;
use domain::sales::a_card::CatalogueModel;
use domain::sales::grade::{CadenceSettings, SleepSettings};
use domain::sales::settings::{
    FleetVehicle, Route, StoreSettings, check_new_model, check_new_route, check_new_vehicle,
    model_element, settings_target,
};
use domain::sync::{Change, Edit, RecordState, SyncError};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::json;
use uuid::Uuid;

use super::is_sales_manager;
use super::words::model_label;
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{EditError, SyncCtx, use_sync};
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::{EditState, use_edit};
use crate::ui::field::{Bind, NumberField, Select, TextField, choose_blank};
use crate::ui::labels::Words;
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

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

/// One settings edit.
async fn write(
    sync: SyncCtx,
    store: StoredValue<String>,
    build: impl FnOnce(&RecordState) -> Result<Vec<Change>, SyncError> + 'static,
) -> Result<(), EditError> {
    let records = untrack(|| sync.records("sales_settings"));
    let id = settings_target(&store.get_value(), &records);
    sync.edit(id, &SALES_SETTINGS, build).await.map(|_| ())
}

/// Adds `element` to the settings' set field `field` (models, fleet, routes).
async fn add_element(
    sync: SyncCtx,
    store: StoredValue<String>,
    field: &'static str,
    element: String,
) -> Result<(), EditError> {
    write(sync, store, move |state| {
        Ok(vec![
            Edit::new(state, &SALES_SETTINGS).set_add(field, &element)?,
        ])
    })
    .await
}

/// The form under a settings list that adds to it: `title` is its heading and its button's
/// words, the fields (`children`) stand in one row. On submit `element` checks what was typed
/// (the element to add, or the message why not); once added, `done` clears the fields.
#[component]
fn AddForm(
    title: Words,
    field: &'static str,
    edit: EditState,
    element: impl Fn() -> Result<String, String> + Send + Sync + 'static,
    done: impl Fn() + Copy + 'static,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let store = StoredValue::new(store_id());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match element() {
            Ok(e) => edit.run(add_element(sync, store, field, e), move |()| done()),
            Err(message) => edit.fail(message),
        }
    };
    view! {
        <form class="form settings-form" on:submit=add novalidate>
            <h3>{move || title(i18n)}</h3>
            <div class="settings-row">{children()}</div>
            <Alert message=edit.error />
            <button type="submit" class="btn btn-primary">{move || title(i18n)}</button>
        </form>
    }
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
            <Panel id="settings-title" class="settings-page" page=true title=move || t!(i18n, sales_settings.title) actions=move || view! {
                <A href="/sales/import" attr:class="btn btn-secondary">
                    {t!(i18n, sales_settings.import_link)}
                </A>
            } />
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
    let edit = use_edit();
    let busy = edit.busy;

    let toggle = move |code: String, on_sale: bool| {
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
        edit.run(
            async move {
                // A set field changes once per op: add the new element first, then remove the old
                // ones, so the model is never missing from the catalogue in between.
                let mut result = add_element(sync, store, "models", new.clone()).await;
                for elem in old.into_iter().filter(|e| *e != new) {
                    if result.is_err() {
                        break;
                    }
                    result = write(sync, store, move |state| {
                        Ok(vec![
                            Edit::new(state, &SALES_SETTINGS).set_remove("models", &elem)?,
                        ])
                    })
                    .await;
                }
                result
            },
            |_| (),
        );
    };

    let element = move || {
        check_new_model(
            &settings.get_untracked().catalogue(),
            &code.get_untracked(),
            &zh.get_untracked(),
            &en.get_untracked(),
        )
        .map(|m| model_element(&m))
        .map_err(|e| e.message(lang(i18n)))
    };

    let columns = Columns::new(vec![
        Column::new(
            |i| t_string!(i, sales_settings.code),
            |m: &CatalogueModel| {
                let code = m.code.clone();
                view! { <code>{code}</code> }.into_any()
            },
            |m: &CatalogueModel| m.code.clone().into(),
        ),
        Column::text(
            |i| t_string!(i, sales_settings.name_zh),
            |m: &CatalogueModel| m.name_zh.clone(),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, sales_settings.name_en),
            |m: &CatalogueModel| m.name_en.clone(),
        ),
        Column::view_only(
            |i| t_string!(i, sales_settings.on_sale),
            move |m: &CatalogueModel| {
                if m.on_sale {
                    view! { <span class="badge badge-ok">{t!(i18n, sales_settings.on_sale)}</span> }
                        .into_any()
                } else {
                    view! { <span class="badge badge-muted">{t!(i18n, sales_settings.off_sale)}</span> }.into_any()
                }
            },
        ),
        Column::view_only(
            |_| String::new(),
            move |m: &CatalogueModel| {
                let c = m.code.clone();
                let on = m.on_sale;
                view! {
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
                }
                .into_any()
            },
        ),
    ]);
    let models = Signal::derive(move || settings.get().catalogue().models);

    view! {
        <Panel id="models-title" title=move || t!(i18n, sales_settings.models)>
            <p class="muted">{t!(i18n, sales_settings.models_hint)}</p>
            <DataTable
                columns=columns
                rows=models
                empty=|i| t_string!(i, sales_settings.none)
                row_class=|m: &CatalogueModel| (!m.on_sale).then_some("muted")
            />
            <AddForm
                title=|i| t_string!(i, sales_settings.add_model)
                field="models"
                edit=edit
                element=element
                done=move || [code, zh, en].iter().for_each(|f| f.set(String::new()))
            >
                <TextField id="model-code" autocomplete="off" value=code>{t!(i18n, sales_settings.code)}</TextField>
                <TextField id="model-zh" autocomplete="off" value=zh>{t!(i18n, sales_settings.name_zh)}</TextField>
                <TextField id="model-en" autocomplete="off" value=en>{t!(i18n, sales_settings.name_en)}</TextField>
            </AddForm>
        </Panel>
    }
}

#[component]
fn Fleet() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let settings = Memo::new(move |_| store_settings(sync));
    let model = RwSignal::new(String::new());
    let plate = RwSignal::new(String::new());
    let vin = RwSignal::new(String::new());
    let edit = use_edit();
    let name_of = move |code: &str| {
        settings.with(|s| {
            s.catalogue()
                .find(code)
                .map(|m| model_label(i18n, m))
                .unwrap_or_else(|| code.to_string())
        })
    };
    let element = move || {
        check_new_vehicle(
            &settings.get_untracked(),
            &short_id("td-"),
            &model.get_untracked(),
            &plate.get_untracked(),
            &vin.get_untracked(),
        )
        .map(|v| serde_json::to_string(&v).unwrap_or_default())
        .map_err(|e| e.message(lang(i18n)))
    };
    let columns = Columns::new(vec![
        Column::text(
            |i| t_string!(i, sales_settings.model),
            move |(_, v): &(String, FleetVehicle)| name_of(&v.model),
        ),
        Column::text(
            |i| t_string!(i, sales_settings.plate),
            |(_, v): &(String, FleetVehicle)| v.plate.clone(),
        )
        .row_header(),
        Column::new(
            |i| t_string!(i, sales_settings.vin),
            |(_, v): &(String, FleetVehicle)| {
                let vin = v.vin.clone();
                view! { <code>{vin}</code> }.into_any()
            },
            |(_, v): &(String, FleetVehicle)| v.vin.clone().into(),
        ),
    ]);
    let fleet = Signal::derive(move || settings.get().fleet);
    let models = Signal::derive(move || {
        settings
            .get()
            .catalogue()
            .models
            .into_iter()
            .filter(|m| m.on_sale)
            .map(|m| (m.code.clone(), model_label(i18n, &m)))
            .collect::<Vec<_>>()
    });
    view! {
        <Panel id="fleet-title" title=move || t!(i18n, sales_settings.fleet)>
            <DataTable
                columns=columns
                rows=fleet
                empty=|i| t_string!(i, sales_settings.none)
            />
            <AddForm
                title=|i| t_string!(i, sales_settings.add_vehicle)
                field="fleet"
                edit=edit
                element=element
                done=move || [plate, vin].iter().for_each(|f| f.set(String::new()))
            >
                <Select id="fleet-model" value=model options=models blank=choose_blank(i18n)>
                    {t!(i18n, sales_settings.model)}
                </Select>
                <TextField id="fleet-plate" autocomplete="off" value=plate>{t!(i18n, sales_settings.plate)}</TextField>
                <TextField id="fleet-vin" autocomplete="off" value=vin>{t!(i18n, sales_settings.vin)}</TextField>
            </AddForm>
        </Panel>
    }
}

#[component]
fn Routes() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let settings = Memo::new(move |_| store_settings(sync));
    let zh = RwSignal::new(String::new());
    let en = RwSignal::new(String::new());
    let km = RwSignal::new(String::new());
    let edit = use_edit();
    let element = move || {
        check_new_route(
            &short_id("r-"),
            &zh.get_untracked(),
            &en.get_untracked(),
            &km.get_untracked(),
        )
        .map(|r| serde_json::to_string(&r).unwrap_or_default())
        .map_err(|e| e.message(lang(i18n)))
    };
    let columns = Columns::new(vec![
        Column::text(
            |i| t_string!(i, sales_settings.route_zh),
            |(_, r): &(String, Route)| r.name_zh.clone(),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, sales_settings.route_en),
            |(_, r): &(String, Route)| r.name_en.clone(),
        ),
        Column::text(
            |i| t_string!(i, sales_settings.km),
            |(_, r): &(String, Route)| r.km.to_string(),
        ),
    ]);
    let routes = Signal::derive(move || settings.get().routes);
    view! {
        <Panel id="routes-title" title=move || t!(i18n, sales_settings.routes)>
            <DataTable
                columns=columns
                rows=routes
                empty=|i| t_string!(i, sales_settings.none)
            />
            <AddForm
                title=|i| t_string!(i, sales_settings.add_route)
                field="routes"
                edit=edit
                element=element
                done=move || [zh, en, km].iter().for_each(|f| f.set(String::new()))
            >
                <TextField id="route-zh" autocomplete="off" value=zh>{t!(i18n, sales_settings.route_zh)}</TextField>
                <TextField id="route-en" autocomplete="off" value=en>{t!(i18n, sales_settings.route_en)}</TextField>
                <TextField id="route-km" autocomplete="off" value=km>{t!(i18n, sales_settings.km)}</TextField>
            </AddForm>
        </Panel>
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
    let edit = use_edit();
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let parsed: Option<Vec<u32>> = days
            .iter()
            .map(|d| d.get_untracked().trim().parse::<u32>().ok())
            .collect();
        let Some(n) = parsed else {
            return edit.fail(t_string!(i18n, sales_settings.not_number));
        };
        if let Err(e) = CadenceSettings::new(n[0], n[1], n[2], n[3]) {
            return edit.fail(e.message(lang(i18n)));
        }
        if let Err(e) = SleepSettings::new(n[4]) {
            return edit.fail(e.message(lang(i18n)));
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
            edit.error.set(None);
            saved.set(true);
            edited.set(false);
            return;
        }
        let change = write(sync, store, move |state| {
            let e = Edit::new(state, &SALES_SETTINGS);
            fields
                .into_iter()
                .zip(n)
                .filter(|(f, v)| state.value(f) != Some(&json!(v)))
                .map(|(f, v)| e.set(f, json!(v)))
                .collect()
        });
        edit.run(change, move |()| {
            saved.set(true);
            edited.set(false);
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
        <Panel id="cadence-title" title=move || t!(i18n, sales_settings.cadence)>
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
                            let value = Bind::new(move || d.get(), move |v| {
                                edited.set(true);
                                d.set(v)
                            });
                            view! {
                                <NumberField id=id min="1" value=value>
                                    {move || label(i18n)}
                                </NumberField>
                            }
                        })
                        .collect_view()}
                </div>
                <Alert message=edit.error />
                <Notice
                    class="notice notice-ok"
                    message=Signal::derive(move || {
                        saved.get().then(|| t_string!(i18n, sales_settings.saved).to_string())
                    })
                />
                <button type="submit" class="btn btn-primary">{t!(i18n, sales_settings.save_cadence)}</button>
            </form>
        </Panel>
    }
}
