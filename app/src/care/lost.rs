//! `/care/lost` (流失客户): the customers with no visit for 90–360 days as of the month's first
//! day (`domain::care::lost::list::list`), in the seed's four groups (本地在保, 本地出保, 外地在保,
//! 外地出保) with their counts, each customer with the last visit, the days since, the reason
//! found on the call and the shop they use now; the reasons and shops counted. The reason is
//! recorded on the call screen of the customer's lost-customer task ([`FindingPanel`]), once a
//! call reached them.

use domain::care::lost::list::{group_label, list};
use domain::care::lost::{Finding, LostReason, LostTask, reasons, record_finding, shops};
use domain::care::renewal::{month_start, reached};
use domain::records::{CCard, CareTask};
use domain::sales::UserError;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::data::{counted_of, past_services_of, use_lost_records, use_schedule};
use super::english;
use crate::clock::{store_clock, today};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::field::{Select, TextField};
use crate::ui::panel::Panel;

fn reason_words(i18n: I18nContext<Locale>, r: LostReason) -> &'static str {
    if english(i18n) {
        r.label_en()
    } else {
        r.label_zh()
    }
}

fn finding_words(i18n: I18nContext<Locale>, f: &Finding) -> String {
    let mut s = reason_words(i18n, f.reason).to_string();
    if let Some(n) = &f.note {
        s.push_str(&format!(" ({n})"));
    }
    s
}

#[component]
pub fn LostPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    use_schedule(sync);
    let as_of = Memo::new(move |_| month_start(today()));
    let keyed = use_lost_records(move || as_of.get());
    let read = keyed.many;
    // The answer of the month shown only.
    let current = move || keyed.key.get() == Some(as_of.get());
    let groups = Memo::new(move |_| {
        let clock = store_clock();
        let cards: Vec<CCard> = counted_of(read, "c_card")
            .iter()
            .map(|r| CCard::of(r, clock))
            .collect();
        let tasks: Vec<LostTask> = counted_of(read, "care_task")
            .iter()
            .filter_map(|r| LostTask::of(r, clock))
            .collect();
        let services = past_services_of(
            &counted_of(read, "repair_order"),
            &counted_of(read, "service_history"),
        );
        list(&cards, &services, &tasks, as_of.get())
    });
    let loaded = move || read.loaded.get() && current();
    let body = move || {
        if !loaded() {
            return view! { <p class="muted" role="status">{t_string!(i18n, loading)}</p> }
                .into_any();
        }
        let zh = !english(i18n);
        groups
            .get()
            .into_iter()
            .map(|(g, rows)| {
                let title = format!("{} ({})", group_label(g, zh), rows.len());
                let key = format!("{}-{}", if g.local { "local" } else { "away" }, if g.in_warranty { "in" } else { "out" });
                let content = if rows.is_empty() {
                    view! { <p class="muted">{t_string!(i18n, lost.empty)}</p> }.into_any()
                } else {
                    view! {
                        <table class="table lost-table">
                            <thead>
                                <tr>
                                    <th>{t_string!(i18n, lost.customer)}</th>
                                    <th>{t_string!(i18n, lost.plate)}</th>
                                    <th>{t_string!(i18n, lost.last_visit)}</th>
                                    <th class="num">{t_string!(i18n, lost.days)}</th>
                                    <th>{t_string!(i18n, lost.reason)}</th>
                                    <th>{t_string!(i18n, lost.other_shop)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let name = r.name.clone().unwrap_or_default();
                                    let reason = r.finding.as_ref().map(|f| finding_words(i18n, f));
                                    let recorded = reason.is_some();
                                    let shop = r.finding.as_ref().and_then(|f| f.other_shop.clone()).unwrap_or_default();
                                    view! {
                                        <tr class="lost-row" data-card=r.c_card_id.to_string() data-reason=recorded.to_string() data-open=r.task_open.to_string()>
                                            <td class="lost-customer">
                                                {match r.task_id {
                                                    Some(t) => view! { <A href=format!("/care/task/{t}")>{name.clone()}</A> }.into_any(),
                                                    None => view! { <span>{name.clone()}</span> }.into_any(),
                                                }}
                                            </td>
                                            <td>{r.plate.clone().unwrap_or_default()}</td>
                                            <td>{r.last_visit.map(|d| d.to_string()).unwrap_or_default()}</td>
                                            <td class="num">{r.days}</td>
                                            <td class="lost-reason">
                                                {match reason {
                                                    Some(s) => view! { <span>{s}</span> }.into_any(),
                                                    None => view! { <span class="muted">{t_string!(i18n, lost.no_reason)}</span> }.into_any(),
                                                }}
                                            </td>
                                            <td class="lost-shop">{shop}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                };
                view! {
                    <section class="panel lost-group" data-group=key aria-label=title.clone()>
                        <h2>{title.clone()}</h2>
                        {content}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    let summary = move || {
        if !loaded() {
            return ().into_any();
        }
        let findings: Vec<Finding> = groups
            .get()
            .into_iter()
            .flat_map(|(_, rows)| rows.into_iter().filter_map(|r| r.finding))
            .collect();
        let by_reason = reasons(&findings);
        let by_shop = shops(&findings);
        view! {
            <Panel id="lost-reasons-title" title=move || t_string!(i18n, lost.reasons_title)>
                {if by_reason.is_empty() {
                    view! { <p class="muted">{t_string!(i18n, lost.none_yet)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="lost-reasons">
                            {by_reason.into_iter().map(|(r, n)| view! {
                                <li data-reason=r.as_str()>{reason_words(i18n, r)}" "<span class="num">{n}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <h3>{t_string!(i18n, lost.shops_title)}</h3>
                {if by_shop.is_empty() {
                    view! { <p class="muted">{t_string!(i18n, lost.none_yet)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="lost-shops">
                            {by_shop.into_iter().map(|(s, n)| view! { <li>{s}" "<span class="num">{n}</span></li> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </Panel>
        }
        .into_any()
    };
    view! {
        <Panel id="lost-title" page=true title=move || t_string!(i18n, lost.title)>
            <p class="muted small">{t_string!(i18n, lost.hint)}</p>
        </Panel>
        {body}
        {summary}
    }
}

/// On the call screen of a lost-customer task: the reason found, and the form to record it once
/// a call reached the customer.
#[component]
pub fn FindingPanel(id: Uuid, record: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let saved = RwSignal::new(None::<String>);
    let reason = RwSignal::new(LostReason::Far.as_str().to_string());
    let note = RwSignal::new(String::new());
    let shop = RwSignal::new(String::new());
    let finding = Memo::new(move |_| record.with(|r| r.as_ref().and_then(Finding::of)));
    let task =
        Memo::new(move |_| record.with(|r| r.as_ref().map(|r| CareTask::of(r, store_clock()))));
    let is_reached =
        move || task.with(|t| t.as_ref().is_some_and(|t| reached(t, None, store_clock())));
    let options = Signal::derive(move || {
        LostReason::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), reason_words(i18n, *r).to_string()))
            .collect::<Vec<_>>()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = LostReason::parse(&reason.get_untracked()).unwrap_or(LostReason::Other);
        match record_finding(id, r, &note.get_untracked(), &shop.get_untracked()) {
            Ok(w) => {
                let plan = domain::plan::Plan::new().then(w);
                edit.run(async move { sync.execute(&plan).await }, move |_| {
                    saved.set(Some(t_string!(i18n, lost.saved).to_string()));
                });
            }
            Err(e) => edit.fail(if english(i18n) {
                e.message_en()
            } else {
                e.message_zh()
            }),
        }
    };
    view! {
        <Panel id="lost-finding-title" title=move || t_string!(i18n, lost.form_title)>
            {move || finding.get().map(|f| {
                let shop = f.other_shop.clone().map(|s| format!(" · {s}")).unwrap_or_default();
                view! { <p class="notice notice-ok lost-finding" role="status">{finding_words(i18n, &f)}{shop}</p> }
            })}
            <Show
                when=is_reached
                fallback=move || view! { <p class="muted lost-need-reached">{t_string!(i18n, lost.need_reached)}</p> }
            >
                <form class="form lost-form" on:submit=save novalidate>
                    <Select id="lost-reason" value=reason options=options>{t!(i18n, lost.reason)}</Select>
                    <TextField id="lost-note" value=note autocomplete="off">{t!(i18n, lost.note)}</TextField>
                    <TextField id="lost-shop" value=shop autocomplete="off">{t!(i18n, lost.other_shop)}</TextField>
                    <button type="submit" class="btn btn-primary lost-save" disabled=move || edit.busy.get()>{t!(i18n, lost.save)}</button>
                </form>
            </Show>
            <Notice message=saved class="notice notice-ok" />
            <Alert message=edit.error />
        </Panel>
    }
}
