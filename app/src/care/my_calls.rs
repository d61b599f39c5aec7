//! `/care` (我的回访): the signed-in user's care list — overdue, today, upcoming — spread by the
//! CS manager's rule (`domain::care::assign`), each task with its kind, customer, due time, the
//! unreachable rule's progress and a mark when two people called it. Opening the page writes
//! the schedule's new rows ([`super::data::use_schedule`]).

use domain::care::assign::{MyList, my_list};
use domain::care::calls::{Attempt, is_double, unreachable_progress};
use domain::records::CareTask;
use leptos::prelude::*;
use leptos_router::components::A;

use super::data::{me, settings, use_open_tasks, use_schedule};
use super::kind_words;
use crate::clock::{now_local, store_clock};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::labels::shown_time;
use crate::ui::panel::Panel;

/// One task of the list.
fn task_item(i18n: I18nContext<Locale>, t: CareTask) -> impl IntoView {
    let attempts = Attempt::all_of(&t, store_clock());
    let progress = unreachable_progress(&attempts);
    let double = is_double(&attempts);
    let name = t.customer_name.clone().unwrap_or_default();
    let kind = kind_words(i18n, t.kind.as_deref().unwrap_or_default());
    let due = t
        .due_at
        .map(|d| shown_time(&domain::time::stored_time(d)))
        .unwrap_or_default();
    let href = format!("/care/task/{}", t.id);
    let label = name.clone();
    view! {
        <li class="care-task" aria-label=label>
            <A href=href attr:class="care-task-link">
                <span class="care-customer">{name.clone()}</span>
                " · "
                <span class="care-kind">{kind}</span>
            </A>
            " "
            <span class="muted small care-due">{t_string!(i18n, care.my.due)}" "{due}</span>
            {(progress.calls > 0).then(|| view! {
                " "<span class="badge badge-warn care-progress">
                    {t_string!(i18n, care.my.progress)}" "{progress.calls}" / 3"
                </span>
            })}
            {double.then(|| view! {
                " "<span class="badge badge-late care-double">{t_string!(i18n, care.my.double)}</span>
            })}
        </li>
    }
}

fn section(
    i18n: I18nContext<Locale>,
    id: &'static str,
    title: fn(I18nContext<Locale>) -> &'static str,
    items: Vec<CareTask>,
) -> impl IntoView {
    let count = items.len();
    let list = if items.is_empty() {
        view! { <p class="muted">{t_string!(i18n, care.my.empty)}</p> }.into_any()
    } else {
        view! {
            <ul class="task-list care-list">
                {items.into_iter().map(|t| task_item(i18n, t)).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Panel id=id title=move || format!("{} ({count})", title(i18n))>
            {list}
        </Panel>
    }
}

#[component]
pub fn MyCallsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    use_schedule(sync);
    let open = use_open_tasks();
    // The settings (who the specialists are) are read first: without them every unassigned
    // task would show on every specialist's list for a moment.
    let list = Memo::new(move |_| {
        if !sync.has_read("care_settings") {
            return None;
        }
        let tasks = open.get()?;
        let Some((id, roles)) = me() else {
            return Some((MyList::default(), false));
        };
        let s = settings(sync);
        let list = my_list(&tasks, id, &roles, &s.specialists, now_local());
        Some((list, s.specialists.is_empty()))
    });
    view! {
        <Panel id="care-my-title" page=true title=move || t_string!(i18n, care.my.title)>
            {move || list.with(|l| l.as_ref().is_some_and(|(_, nobody)| *nobody).then(|| view! {
                <p class="notice notice-warn">{t_string!(i18n, care.my.unassigned_hint)}</p>
            }))}
        </Panel>
        {move || {
            let Some((l, _)) = list.get() else {
                return view! { <p class="muted" role="status">{t_string!(i18n, loading)}</p> }.into_any();
            };
            view! {
                {section(i18n, "care-overdue-title", |i| t_string!(i, care.my.overdue), l.overdue)}
                {section(i18n, "care-today-title", |i| t_string!(i, care.my.today), l.today)}
                {section(i18n, "care-upcoming-title", |i| t_string!(i, care.my.upcoming), l.upcoming)}
            }
            .into_any()
        }}
    }
}
