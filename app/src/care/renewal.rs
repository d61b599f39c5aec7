//! `/care/renewal` (续保): the insurance renewal pipeline (`domain::care::renewal`) grouped by
//! segment (新车首次续保, 续保, 在修不在保, 脱保) and stage (待联系, 已联系, 已续保, 已流失), each
//! renewal with its expiry, its contact points (T−45 / T−33 / T−30, each a link to its call
//! task, marked when a call reached the customer), the next contact date (overdue marked) and
//! the outcome with the quote; the CS manager's audit of the month's sample (60 %, drawn by
//! task id), each audit ok or wrong with a note. The outcome is recorded on the call screen
//! ([`OutcomePanel`], on an insurance task once a call reached the customer).

use domain::care::CareKind;
use domain::care::renewal::{
    InsuranceTask, LostTo, OutcomeInput, Renewal, RenewalOutcome, Segment, Stage, audit,
    audit_sample, month_start, reached, summary, window, window_pipeline,
};
use domain::records::{CCard, CareTask};
use domain::sales::UserError;
use domain::sales::chrono::NaiveDate;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::data::{
    counted_of, is_care_manager, past_services_of, settings, use_renewal_records, use_schedule,
};
use super::english;
use crate::clock::{now_local, store_clock, today};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::field::{NumberField, Select, TextField};
use crate::ui::labels::who;
use crate::ui::panel::Panel;
use crate::ui::reads::Many;

fn segment_words(i18n: I18nContext<Locale>, s: Segment) -> &'static str {
    if english(i18n) {
        s.label_en()
    } else {
        s.label_zh()
    }
}

fn stage_words(i18n: I18nContext<Locale>, s: Stage) -> &'static str {
    if english(i18n) {
        s.label_en()
    } else {
        s.label_zh()
    }
}

fn lost_to_words(i18n: I18nContext<Locale>, k: LostTo) -> &'static str {
    if english(i18n) {
        k.label_en()
    } else {
        k.label_zh()
    }
}

fn contact_words(kind: CareKind) -> &'static str {
    match kind {
        CareKind::InsuranceFirst => "T−45",
        CareKind::InsuranceFollowUp33 => "T−33",
        _ => "T−30",
    }
}

/// The pipeline of the renewals expiring in `window`, as of today, from the records
/// [`use_renewal_records`] read (the window's insurance tasks, their C-cards and own records).
fn renewals(read: Many, window: (NaiveDate, NaiveDate)) -> Vec<Renewal> {
    let clock = store_clock();
    let cards: Vec<CCard> = counted_of(read, "c_card")
        .iter()
        .map(|r| CCard::of(r, clock))
        .collect();
    let tasks: Vec<InsuranceTask> = counted_of(read, "care_task")
        .iter()
        .filter_map(|r| InsuranceTask::of(r, clock))
        .collect();
    let services = past_services_of(
        &counted_of(read, "repair_order"),
        &counted_of(read, "service_history"),
    );
    window_pipeline(&cards, &tasks, &services, today(), window, clock)
}

fn money(v: Option<f64>) -> String {
    v.map(|v| format!("¥{v:.0}")).unwrap_or_default()
}

/// The outcome in words: 已续保 ¥3280 人保 / 已流失 → 其他店 城西修理厂 (¥4100).
fn outcome_text(i18n: I18nContext<Locale>, r: &Renewal) -> String {
    let Some((_, d)) = &r.decision else {
        return String::new();
    };
    match d.outcome {
        RenewalOutcome::Renewed => format!(
            "{} {} {}",
            t_string!(i18n, renewal.renewed),
            money(d.premium),
            d.insurer.clone().unwrap_or_default()
        ),
        RenewalOutcome::Lost => {
            let to = d
                .lost_to
                .as_ref()
                .map(|(k, n)| format!("{} {n}", lost_to_words(i18n, *k)))
                .unwrap_or_default();
            format!(
                "{} → {to} ({} {})",
                t_string!(i18n, renewal.lost),
                t_string!(i18n, renewal.quote),
                money(d.premium)
            )
        }
    }
    .trim()
    .to_string()
}

fn row(i18n: I18nContext<Locale>, r: Renewal) -> impl IntoView {
    let name = r.customer_name.clone().unwrap_or_default();
    let href = r.call_task().map(|t| format!("/care/task/{t}"));
    let contacts = r
        .contacts
        .iter()
        .map(|c| {
            let label = format!("{} {}", contact_words(c.kind), c.date.format("%m-%d"));
            let class = if c.effective { "badge badge-ok renewal-contact" } else { "badge renewal-contact" };
            match c.task_id {
                Some(t) => view! {
                    <A href=format!("/care/task/{t}") attr:class=class attr:data-task=t.to_string()>{label}</A>
                }
                .into_any(),
                None => view! { <span class=class>{label}</span> }.into_any(),
            }
        })
        .collect_view();
    let next = r.next_contact.map(|d| d.to_string()).unwrap_or_default();
    let outcome = outcome_text(i18n, &r);
    view! {
        <tr class="renewal-row" data-stage=r.stage.as_str() data-segment=r.segment.as_str() data-card=r.c_card_id.to_string()>
            <td class="renewal-customer">
                {match href {
                    Some(h) => view! { <A href=h>{name.clone()}</A> }.into_any(),
                    None => view! { <span>{name.clone()}</span> }.into_any(),
                }}
            </td>
            <td>{r.plate.clone().unwrap_or_default()}</td>
            <td class="renewal-expiry">{r.expiry.to_string()}</td>
            <td class="renewal-contacts">{contacts}</td>
            <td class="renewal-next">
                {next}
                {r.overdue.then(|| view! { " "<span class="badge badge-late renewal-overdue">{t_string!(i18n, renewal.overdue)}</span> })}
            </td>
            <td class="num">{r.effective_follow_ups}</td>
            <td class="renewal-outcome">{outcome}</td>
        </tr>
    }
}

fn table(i18n: I18nContext<Locale>, rows: Vec<Renewal>) -> impl IntoView {
    view! {
        <table class="table renewal-table">
            <thead>
                <tr>
                    <th>{t_string!(i18n, renewal.customer)}</th>
                    <th>{t_string!(i18n, renewal.plate)}</th>
                    <th>{t_string!(i18n, renewal.expiry)}</th>
                    <th>{t_string!(i18n, renewal.contacts)}</th>
                    <th>{t_string!(i18n, renewal.next)}</th>
                    <th class="num">{t_string!(i18n, renewal.follow_ups)}</th>
                    <th>{t_string!(i18n, renewal.outcome)}</th>
                </tr>
            </thead>
            <tbody>{rows.into_iter().map(|r| row(i18n, r)).collect_view()}</tbody>
        </table>
    }
}

#[component]
pub fn RenewalPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    use_schedule(sync);
    let shown = Memo::new(move |_| window(today(), settings(sync).horizon_days));
    let keyed = use_renewal_records(move || shown.get());
    let read = keyed.many;
    // The answer of the window shown only (not one read before the care settings arrived).
    let current = move || keyed.key.get() == Some(shown.get());
    let all = Memo::new(move |_| {
        if current() {
            renewals(read, shown.get())
        } else {
            Vec::new()
        }
    });
    let loaded = move || read.loaded.get() && current();
    let counts = move || {
        let all = all.get();
        Stage::ALL
            .into_iter()
            .map(|s| {
                let n = all.iter().filter(|r| r.stage == s).count();
                view! {
                    <span class="badge renewal-count" data-stage=s.as_str()>{stage_words(i18n, s)}" "{n}</span>
                    " "
                }
            })
            .collect_view()
    };
    let body = move || {
        if !loaded() {
            return view! { <p class="muted" role="status">{t_string!(i18n, loading)}</p> }
                .into_any();
        }
        let all = all.get();
        if all.is_empty() {
            return view! { <p class="muted renewal-empty">{t_string!(i18n, renewal.empty)}</p> }
                .into_any();
        }
        Segment::ALL
            .into_iter()
            .filter(|s| all.iter().any(|r| r.segment == *s))
            .map(|seg| {
                let of_seg: Vec<Renewal> = all.iter().filter(|r| r.segment == seg).cloned().collect();
                let n = of_seg.len();
                let stages = Stage::ALL
                    .into_iter()
                    .filter(|st| of_seg.iter().any(|r| r.stage == *st))
                    .map(|st| {
                        let rows: Vec<Renewal> = of_seg.iter().filter(|r| r.stage == st).cloned().collect();
                        let m = rows.len();
                        view! {
                            <h3 class="renewal-stage" data-stage=st.as_str()>{stage_words(i18n, st)}" ("{m}")"</h3>
                            {table(i18n, rows)}
                        }
                    })
                    .collect_view();
                view! {
                    <section class="renewal-segment" data-segment=seg.as_str()>
                        <h2>{segment_words(i18n, seg)}" ("{n}")"</h2>
                        {stages}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <Panel id="renewal-title" page=true title=move || t_string!(i18n, renewal.title)>
            <p class="muted small">{t_string!(i18n, renewal.hint)}</p>
            <p class="renewal-counts">{counts}</p>
        </Panel>
        <div class="panel renewal-pipeline">{body}</div>
        <Show when=is_care_manager>
            <AuditList all=all />
        </Show>
    }
}

/// The CS manager's audit of the month's sample.
#[component]
fn AuditList(all: Memo<Vec<Renewal>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let note = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let record = move |task: Uuid, ok: bool| match audit(
        task,
        Uuid::now_v7(),
        now_local(),
        ok,
        &note.get_untracked(),
    ) {
        Ok(w) => {
            let plan = domain::plan::Plan::new().then(w);
            edit.run(async move { sync.execute(&plan).await }, move |_| {
                note.set(String::new());
                saved.set(Some(t_string!(i18n, renewal.audited).to_string()));
            });
        }
        Err(e) => edit.fail(if english(i18n) {
            e.message_en()
        } else {
            e.message_zh()
        }),
    };
    let list = move || {
        let all = all.get();
        let month = month_start(today());
        let sample: Vec<Renewal> = audit_sample(&all, month).into_iter().cloned().collect();
        let month_total = summary(&all, month).decided_in_month;
        if sample.is_empty() {
            return view! { <p class="muted renewal-audit-empty">{t_string!(i18n, renewal.audit_empty)}</p> }.into_any();
        }
        let done = sample.iter().filter(|r| !r.audits.is_empty()).count();
        let due = sample.len();
        view! {
            <p class="renewal-audit-count">{t!(i18n, renewal.audit_count, done = done, due = due, all = month_total)}</p>
            <ul class="task-list renewal-audit">
                {sample.into_iter().map(|r| {
                    let Some((task, d)) = r.decision.clone() else {
                        return ().into_any();
                    };
                    let name = r.customer_name.clone().unwrap_or_default();
                    let outcome = outcome_text(i18n, &r);
                    let when = d.at.map(|t| t.format("%m-%d %H:%M").to_string()).unwrap_or_default();
                    let last = r.audits.last().cloned();
                    let verdict = last.map(|a| {
                        let w = if a.ok { t_string!(i18n, renewal.audit_ok) } else { t_string!(i18n, renewal.audit_wrong) };
                        format!("{} · {w} · {}{}", t_string!(i18n, renewal.audited), who(&a.by), a.note.map(|n| format!(" · {n}")).unwrap_or_default())
                    });
                    let audited = verdict.is_some();
                    let label = name.clone();
                    view! {
                        <li class="renewal-audit-item" aria-label=label data-task=task.to_string() data-audited=audited.to_string()>
                            <A href=format!("/care/task/{task}")>{name}</A>
                            " · "<span class="renewal-audit-outcome">{outcome}</span>
                            " · "<span class="muted small">{when}</span>
                            " "
                            {match verdict {
                                Some(v) => view! { <span class="badge badge-ok renewal-verdict">{v}</span> }.into_any(),
                                None => view! {
                                    <span class="badge badge-warn">{t_string!(i18n, renewal.not_audited)}</span>
                                    " "
                                    <button type="button" class="btn btn-secondary renewal-audit-ok" disabled=move || edit.busy.get() on:click=move |_| record(task, true)>
                                        {t_string!(i18n, renewal.audit_ok)}
                                    </button>
                                    " "
                                    <button type="button" class="btn btn-secondary renewal-audit-wrong" disabled=move || edit.busy.get() on:click=move |_| record(task, false)>
                                        {t_string!(i18n, renewal.audit_wrong)}
                                    </button>
                                }.into_any(),
                            }}
                        </li>
                    }
                    .into_any()
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Panel id="renewal-audit-title" title=move || t_string!(i18n, renewal.audit_title)>
            <p class="muted small">{t_string!(i18n, renewal.audit_hint)}</p>
            {list}
            <TextField id="renewal-audit-note" value=note autocomplete="off">{t!(i18n, renewal.audit_note)}</TextField>
            <Notice message=saved class="notice notice-ok" />
            <Alert message=edit.error />
        </Panel>
    }
}

/// On the call screen of an insurance task: the outcome recorded, or the form to record it
/// once a call reached the customer.
#[component]
pub fn OutcomePanel(id: Uuid, record: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let saved = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(RenewalOutcome::Renewed.as_str().to_string());
    let premium = RwSignal::new(String::new());
    let insurer = RwSignal::new(String::new());
    let lost_kind = RwSignal::new(LostTo::Shop.as_str().to_string());
    let lost_to = RwSignal::new(String::new());
    let decision = Memo::new(move |_| {
        record.with(|r| {
            r.as_ref()
                .and_then(|r| domain::care::renewal::Decision::of(r, store_clock()))
        })
    });
    let task =
        Memo::new(move |_| record.with(|r| r.as_ref().map(|r| CareTask::of(r, store_clock()))));
    let is_reached =
        move || task.with(|t| t.as_ref().is_some_and(|t| reached(t, None, store_clock())));
    let outcomes = Signal::derive(move || {
        vec![
            (
                RenewalOutcome::Renewed.as_str().to_string(),
                t_string!(i18n, renewal.renewed).to_string(),
            ),
            (
                RenewalOutcome::Lost.as_str().to_string(),
                t_string!(i18n, renewal.lost).to_string(),
            ),
        ]
    });
    let kinds = Signal::derive(move || {
        LostTo::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), lost_to_words(i18n, *k).to_string()))
            .collect::<Vec<_>>()
    });
    let is_lost = move || outcome.get() == RenewalOutcome::Lost.as_str();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = OutcomeInput {
            outcome: RenewalOutcome::parse(&outcome.get_untracked())
                .unwrap_or(RenewalOutcome::Renewed),
            premium: premium.get_untracked(),
            insurer: insurer.get_untracked(),
            lost_to_kind: LostTo::parse(&lost_kind.get_untracked()),
            lost_to: lost_to.get_untracked(),
        };
        match domain::care::renewal::record_outcome(id, &input, now_local()) {
            Ok(w) => {
                let plan = domain::plan::Plan::new().then(w);
                edit.run(async move { sync.execute(&plan).await }, move |_| {
                    saved.set(Some(t_string!(i18n, renewal.saved).to_string()));
                });
            }
            Err(e) => edit.fail(if english(i18n) {
                e.message_en()
            } else {
                e.message_zh()
            }),
        }
    };
    let shown = move || {
        let d = decision.get()?;
        let words = match d.outcome {
            RenewalOutcome::Renewed => format!(
                "{} · {} {}",
                t_string!(i18n, renewal.renewed),
                money(d.premium),
                d.insurer.clone().unwrap_or_default()
            ),
            RenewalOutcome::Lost => format!(
                "{} · {} · {} {}",
                t_string!(i18n, renewal.lost),
                d.lost_to
                    .as_ref()
                    .map(|(k, n)| format!("{} {n}", lost_to_words(i18n, *k)))
                    .unwrap_or_default(),
                t_string!(i18n, renewal.quote),
                money(d.premium)
            ),
        };
        Some(view! { <p class="notice notice-ok renewal-decision" role="status">{words}</p> })
    };
    view! {
        <Panel id="renewal-outcome-title" title=move || t_string!(i18n, renewal.form_title)>
            {shown}
            <Show
                when=is_reached
                fallback=move || view! { <p class="muted renewal-need-reached">{t_string!(i18n, renewal.need_reached)}</p> }
            >
                <form class="form renewal-form" on:submit=save novalidate>
                    <Select id="renewal-outcome" value=outcome options=outcomes>{t!(i18n, renewal.result)}</Select>
                    <NumberField id="renewal-premium" value=premium min="0" step="0.01" decimal=true>{t!(i18n, renewal.premium)}</NumberField>
                    <Show
                        when=is_lost
                        fallback=move || view! {
                            <TextField id="renewal-insurer" value=insurer autocomplete="off">{t!(i18n, renewal.insurer)}</TextField>
                        }
                    >
                        <Select id="renewal-lost-kind" value=lost_kind options=kinds>{t!(i18n, renewal.lost_kind)}</Select>
                        <TextField id="renewal-lost-to" value=lost_to autocomplete="off">{t!(i18n, renewal.lost_to)}</TextField>
                    </Show>
                    <button type="submit" class="btn btn-primary renewal-save" disabled=move || edit.busy.get()>{t!(i18n, renewal.save)}</button>
                </form>
            </Show>
            <Notice message=saved class="notice notice-ok" />
            <Alert message=edit.error />
        </Panel>
    }
}
