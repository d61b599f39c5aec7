//! `/care/task/:id`: the call screen. The customer and the task, the CS manager's script for
//! its kind, one button per outcome (已接通, 未接通, 占线, 空号, 拒绝, 稍后再打) with a note, the
//! unreachable rule's progress ("第2次 / 3 次，不同时段", and whether a call now counts), then —
//! after three unanswered calls at three times of day within three days — 发送短信 (through the
//! outbox gateway) and 记为失败 with its reason (`domain::care::calls`: the device refuses it
//! before the rule is met, and so does the server). Every attempt is listed, with who made it;
//! a task two people called shows it. A 续保 task has its outcome panel
//! ([`super::renewal::OutcomePanel`]), a lost-customer task its reason
//! ([`super::lost::FindingPanel`]).

use domain::care::CareKind;
use domain::care::calls::{
    Attempt, Outcome, fail, is_double, log_attempt, unreachable_progress, would_count,
};
use domain::care::message::{Outbox, compose, send_for_task};
use domain::records::{CareTask, CareTaskStatus};
use domain::sales::UserError;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::data::{settings, store_name};
use super::{kind_words, outcome_words, part_words};
use crate::clock::{now_local, store_clock};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::field::{TextArea, TextField};
use crate::ui::labels::{phone_display, shown_time, who};
use crate::ui::panel::Panel;
use crate::ui::record_page::RecordPage;

#[component]
pub fn CallPage() -> impl IntoView {
    view! { <RecordPage record_type="care_task" view=|(id, r)| view! { <CallView id=id record=r /> }.into_any() /> }
}

#[component]
fn CallView(id: Uuid, record: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let task = Memo::new(move |_| record.get().map(|r| CareTask::of(&r, store_clock())));
    let attempts = Memo::new(move |_| {
        task.get()
            .map(|t| Attempt::all_of(&t, store_clock()))
            .unwrap_or_default()
    });
    let kind = move || task.with(|t| t.as_ref().and_then(|t| t.kind.clone()).unwrap_or_default());
    let open = move || task.with(|t| t.as_ref().is_some_and(|t| t.status == CareTaskStatus::Open));
    let head = move || {
        let t = task.get()?;
        let phone = t.phone.clone().unwrap_or_default();
        let due = t
            .due_at
            .map(|d| shown_time(&domain::time::stored_time(d)))
            .unwrap_or_default();
        let status = match t.status {
            CareTaskStatus::Open => None,
            CareTaskStatus::Done => Some(t_string!(i18n, care.call.done).to_string()),
            CareTaskStatus::Failed => Some(format!(
                "{} · {}",
                t_string!(i18n, care.call.failed),
                t.fail_reason.clone().unwrap_or_default()
            )),
        };
        Some(view! {
            <dl class="fields care-head">
                <dt>{t_string!(i18n, care.call.kind)}</dt>
                <dd class="care-kind">{kind_words(i18n, t.kind.as_deref().unwrap_or_default())}</dd>
                <dt>{t_string!(i18n, care.call.phone)}</dt>
                <dd><a href=format!("tel:{phone}")>{phone_display(&phone)}</a></dd>
                <dt>{t_string!(i18n, care.call.due)}</dt>
                <dd>{due}</dd>
            </dl>
            {status.map(|s| view! { <p class="notice notice-ok care-status" role="status">{s}</p> })}
        })
    };
    let title = move || {
        task.with(|t| t.as_ref().and_then(|t| t.customer_name.clone()))
            .unwrap_or_else(|| t_string!(i18n, care.call.title).to_string())
    };
    let script = move || {
        let k = kind();
        settings(sync).script(&k).map(str::to_owned)
    };
    view! {
        <p><A href="/care">{t!(i18n, care.call.back)}</A></p>
        <Panel id="care-call-title" page=true title=title>
            {head}
            {move || attempts.with(|a| is_double(a)).then(|| view! {
                <p class="notice notice-warn care-double" role="status">{t_string!(i18n, care.call.double)}</p>
            })}
        </Panel>
        <Panel id="care-script-title" title=move || t_string!(i18n, care.call.script)>
            {move || match script() {
                Some(s) => view! { <p class="care-script">{s}</p> }.into_any(),
                None => view! { <p class="muted">{t_string!(i18n, care.call.no_script)}</p> }.into_any(),
            }}
        </Panel>
        <Show when=open>
            <Outcomes id=id />
        </Show>
        {move || match CareKind::parse(&kind()) {
            Some(k) if k.is_insurance() => Some(view! { <super::renewal::OutcomePanel id=id record=record /> }.into_any()),
            Some(CareKind::LostCustomer) => Some(view! { <super::lost::FindingPanel id=id record=record /> }.into_any()),
            _ => None,
        }}
        <Rule id=id task=task attempts=attempts />
        <History attempts=attempts />
    }
}

/// The outcome buttons and the note.
#[component]
fn Outcomes(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let note = RwSignal::new(String::new());
    let press = move |o: Outcome| {
        let plan = domain::plan::Plan::new().then(log_attempt(
            id,
            Uuid::now_v7(),
            now_local(),
            "phone",
            o,
            &note.get_untracked(),
        ));
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            note.set(String::new())
        });
    };
    let buttons = Outcome::CALL
        .into_iter()
        .map(|o| {
            let class = if o == Outcome::Reached { "btn btn-primary" } else { "btn btn-secondary" };
            view! {
                <button type="button" class=class data-outcome=o.as_str() disabled=move || edit.busy.get() on:click=move |_| press(o)>
                    {move || outcome_words(i18n, o)}
                </button>
            }
        })
        .collect_view();
    view! {
        <Panel id="care-outcome-title" title=move || t_string!(i18n, care.call.outcome)>
            <TextArea id="care-note" value=note>{t!(i18n, care.call.note)}</TextArea>
            <div class="actions care-outcomes">{buttons}</div>
            <Alert message=edit.error />
        </Panel>
    }
}

/// The unreachable rule: progress, the message, failed with a reason.
#[component]
fn Rule(id: Uuid, task: Memo<Option<CareTask>>, attempts: Memo<Vec<Attempt>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let reason = RwSignal::new(String::new());
    let sent = RwSignal::new(None::<String>);
    let progress = Memo::new(move |_| attempts.with(|a| unreachable_progress(a)));
    let open = move || task.with(|t| t.as_ref().is_some_and(|t| t.status == CareTaskStatus::Open));
    let send = move |_| {
        let Some(t) = task.get_untracked() else {
            return;
        };
        let Some(m) = compose(&t, &settings(sync), &store_name()) else {
            edit.fail(t_string!(i18n, care.call.no_phone));
            return;
        };
        let plan = send_for_task(&Outbox, &m, now_local(), Uuid::now_v7());
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            sent.set(Some(t_string!(i18n, care.call.message_sent).to_string()));
        });
    };
    let record_failed = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(t) = task.get_untracked() else {
            return;
        };
        match fail(&t, &reason.get_untracked(), store_clock()) {
            Ok(w) => {
                let plan = domain::plan::Plan::new().then(w);
                edit.run(async move { sync.execute(&plan).await }, |_| ());
            }
            Err(e) => edit.fail(if i18n.get_locale_untracked() == Locale::en {
                e.message_en()
            } else {
                e.message_zh()
            }),
        }
    };
    let _ = id;
    let counts_now = move || attempts.with(|a| would_count(a, now_local()));
    view! {
        <Panel id="care-rule-title" title=move || t_string!(i18n, care.call.rule)>
            <p class="care-rule-progress" aria-live="polite">
                {move || {
                    let n = progress.with(|p| p.calls);
                    t!(i18n, care.call.rule_progress, n = n).into_any()
                }}
            </p>
            {move || {
                let parts = progress.with(|p| p.parts.clone());
                (!parts.is_empty()).then(|| view! {
                    <p class="muted small care-rule-parts">
                        {t_string!(i18n, care.call.rule_parts)}": "
                        {parts.into_iter().map(|p| part_words(i18n, p)).collect::<Vec<_>>().join(" · ")}
                    </p>
                })
            }}
            <Show when=move || open() && progress.with(|p| p.calls < 3)>
                <p class="muted small care-counts-now">
                    {move || if counts_now() {
                        t_string!(i18n, care.call.counts_now)
                    } else {
                        t_string!(i18n, care.call.not_counts_now)
                    }}
                </p>
            </Show>
            <Show when=move || open() && progress.with(|p| p.calls >= 3 && !p.message_sent)>
                <button type="button" class="btn btn-secondary care-send" disabled=move || edit.busy.get() on:click=send>
                    {t!(i18n, care.call.send_message)}
                </button>
            </Show>
            <Notice message=sent class="notice notice-ok" />
            <Show when=move || open() && progress.with(|p| p.met())>
                <form class="form form-row care-fail" on:submit=record_failed novalidate>
                    <TextField id="care-fail-reason" value=reason autocomplete="off">{t!(i18n, care.call.fail_reason)}</TextField>
                    <button type="submit" class="btn btn-danger" disabled=move || edit.busy.get()>{t!(i18n, care.call.fail)}</button>
                </form>
            </Show>
            <Alert message=edit.error />
        </Panel>
    }
}

/// Every attempt, newest first, with who made it.
#[component]
fn History(attempts: Memo<Vec<Attempt>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Panel id="care-history-title" title=move || t_string!(i18n, care.call.history)>
            {move || {
                let all = attempts.get();
                if all.is_empty() {
                    return view! { <p class="muted">{t_string!(i18n, care.call.no_attempts)}</p> }.into_any();
                }
                view! {
                    <ol class="follow-ups care-attempts">
                        {all.into_iter().rev().map(|a| view! {
                            <li class="care-attempt" data-outcome=a.outcome.as_str()>
                                {shown_time(&domain::time::stored_time(a.at))}
                                " · "{outcome_words(i18n, a.outcome)}
                                " · "{who(&a.by)}
                                {a.note.map(|n| view! { " · "<span>{n}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </Panel>
    }
}
