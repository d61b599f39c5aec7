//! `/care/manage` (分配与重复), the CS manager's page: the CS specialists the schedule is spread
//! over (`care_settings.specialists`; one customer's tasks always go to one person,
//! `domain::care::assign`), pinning the rule's assignees on the unstarted tasks, each person's
//! open tasks, the tasks two people called (doubles, measured, not hidden), and the call
//! scripts per task kind.

use std::collections::BTreeMap;

use domain::Role;
use domain::care::CareKind;
use domain::care::assign::{effective_assignee, respread_plan};
use domain::care::calls::doubles;
use domain::care::settings::care_settings_id;
use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::{CARE_SETTINGS, CareTaskStatus};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::json;
use uuid::Uuid;

use super::data::{is_care_manager, settings, store_id, use_open_tasks, use_recent_tasks};
use super::kind_words;
use crate::clock::store_clock;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::field::{Select, TextArea};
use crate::ui::labels::who;
use crate::ui::panel::Panel;

/// The store's CS specialists: (user id, name).
fn specialists_known() -> Vec<(Uuid, String)> {
    crate::directory::people()
        .into_iter()
        .filter(|p| p.roles.contains(&Role::CustomerService))
        .filter_map(|p| {
            Uuid::parse_str(p.id.trim())
                .ok()
                .map(|id| (id, p.display_name))
        })
        .collect()
}

#[component]
pub fn ManagePage() -> impl IntoView {
    let i18n = use_i18n();
    move || {
        if !is_care_manager() {
            return view! { <crate::components::area_gate::NoAccess no_areas=false /> }.into_any();
        }
        view! {
            <Panel id="care-manage-title" page=true title=move || t_string!(i18n, care.manage.title)>
                <Specialists />
            </Panel>
            <Load />
            <Doubles />
            <Scripts />
        }
        .into_any()
    }
}

/// The specialists ticked, saved as the settings' set.
#[component]
fn Specialists() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let saved = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(settings(sync).specialists);
    let save = move |_| {
        let now = chosen.get_untracked();
        let before = settings(sync).specialists;
        // One op per change of the set (an op changes a field once).
        let record = care_settings_id(&store_id());
        let mut plan = Plan::new();
        for id in now.iter().filter(|id| !before.contains(id)) {
            plan.push(
                PlannedWrite::new(record, &CARE_SETTINGS)
                    .with(Step::SetAdd("specialists", id.to_string())),
            );
        }
        for id in before.iter().filter(|id| !now.contains(id)) {
            plan.push(
                PlannedWrite::new(record, &CARE_SETTINGS)
                    .with(Step::SetRemove("specialists", id.to_string())),
            );
        }
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            saved.set(Some(t_string!(i18n, care.manage.saved).to_string()));
        });
    };
    let open = use_open_tasks();
    let pin = move |_| {
        let Some(tasks) = open.get_untracked() else {
            return;
        };
        let plan = respread_plan(&tasks, &settings(sync).specialists);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            saved.set(Some(t_string!(i18n, care.manage.pinned).to_string()));
        });
    };
    view! {
        <h2 id="care-specialists-title">{t!(i18n, care.manage.specialists)}</h2>
        <p class="muted small">{t!(i18n, care.manage.specialists_hint)}</p>
        <ul class="care-specialists">
            {move || specialists_known().into_iter().map(|(id, name)| view! {
                <li>
                    <label class="check">
                        <input
                            type="checkbox"
                            prop:checked=move || chosen.with(|c| c.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| {
                                    c.retain(|x| *x != id);
                                    if on {
                                        c.push(id);
                                    }
                                });
                            }
                        />
                        <span>{name}</span>
                    </label>
                </li>
            }).collect_view()}
        </ul>
        <div class="actions">
            <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=save>
                {t!(i18n, care.manage.save)}
            </button>
            <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=pin>
                {t!(i18n, care.manage.pin)}
            </button>
        </div>
        <Notice message=saved class="notice notice-ok" />
        <Alert message=edit.error />
    }
}

/// Each person's open tasks.
#[component]
fn Load() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = use_open_tasks();
    let rows = move || {
        let specialists = settings(sync).specialists;
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for t in open
            .get()
            .unwrap_or_default()
            .iter()
            .filter(|t| t.status == CareTaskStatus::Open)
        {
            let name = effective_assignee(t, &specialists)
                .map(|a| who(&a.to_string()))
                .unwrap_or_else(|| t_string!(i18n, care.manage.nobody).to_string());
            *by.entry(name).or_default() += 1;
        }
        by.into_iter()
            .map(|(name, n)| view! { <tr><td>{name}</td><td class="num">{n}</td></tr> })
            .collect_view()
    };
    view! {
        <Panel id="care-load-title" title=move || t_string!(i18n, care.manage.load)>
            <table class="table care-load"><tbody>{rows}</tbody></table>
        </Panel>
    }
}

/// The tasks two people called.
#[component]
fn Doubles() -> impl IntoView {
    let i18n = use_i18n();
    let recent = use_recent_tasks();
    let list = move || {
        // Until the care tasks are read from IndexedDB, say so rather than "no doubles".
        let Some(all) = recent.get() else {
            return view! { <p class="muted" role="status">{t_string!(i18n, loading)}</p> }
                .into_any();
        };
        let found: Vec<_> = doubles(&all, store_clock()).into_iter().cloned().collect();
        if found.is_empty() {
            return view! { <p class="muted care-no-doubles">{t_string!(i18n, care.manage.no_doubles)}</p> }.into_any();
        }
        view! {
            <ul class="task-list care-doubles">
                {found.into_iter().map(|t| {
                    let name = t.customer_name.clone().unwrap_or_default();
                    let kind = kind_words(i18n, t.kind.as_deref().unwrap_or_default());
                    view! {
                        <li class="care-task">
                            <A href=format!("/care/task/{}", t.id)>{name}" · "{kind}</A>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Panel id="care-doubles-title" title=move || t_string!(i18n, care.manage.doubles)>
            {list}
        </Panel>
    }
}

/// The call scripts, one per task kind.
#[component]
fn Scripts() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let saved = RwSignal::new(None::<String>);
    let kind = RwSignal::new(CareKind::FirstMaintenance.as_str().to_string());
    let text = RwSignal::new(String::new());
    Effect::new(move || {
        let k = kind.get();
        let s = settings(sync).scripts.get(&k).cloned().unwrap_or_default();
        text.set(s);
    });
    let options = Signal::derive(move || {
        CareKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), kind_words(i18n, k.as_str())))
            .collect::<Vec<_>>()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut scripts = settings(sync).scripts;
        scripts.insert(
            kind.get_untracked(),
            text.get_untracked().trim().to_string(),
        );
        let plan = Plan::new().then(
            PlannedWrite::new(care_settings_id(&store_id()), &CARE_SETTINGS)
                .set("scripts", json!(scripts)),
        );
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            saved.set(Some(t_string!(i18n, care.manage.saved).to_string()));
        });
    };
    view! {
        <Panel id="care-scripts-title" title=move || t_string!(i18n, care.manage.scripts)>
            <form class="form" on:submit=save novalidate>
                <Select id="care-script-kind" value=kind options=options>{t!(i18n, care.manage.script_kind)}</Select>
                <TextArea id="care-script-text" value=text rows=5>{t!(i18n, care.manage.script_text)}</TextArea>
                <button type="submit" class="btn btn-secondary" disabled=move || edit.busy.get()>{t!(i18n, care.manage.save_script)}</button>
            </form>
            <Notice message=saved class="notice notice-ok" />
            <Alert message=edit.error />
        </Panel>
    }
}
