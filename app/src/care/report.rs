//! `/care/report` (客服月报), the CS manager's and the GM's page, due on the 1st: for a month
//! (last month by default) the care KPIs (`domain::care::monthly`: 首保回厂率, 定保回厂率, the
//! care appointment rate, 流失率), each opening the customers (or repair orders) it counted; the
//! reasons lost customers gave and the shops they used; each person's task completion and
//! on-time rates; the month's holiday / weather broadcasts against "at least three"; the CS
//! manager's comment (a `care_report` record per month, shown on every device); export .xlsx and
//! print (the print stylesheet hides the navigation).
//!
//! Counted on the device from what the month needs (`care::data::use_report_records`: the care
//! tasks, services and deliveries of the days `domain::care::monthly::report_days` names, then
//! those customers' C-cards), never every record of a type; says 正在加载… until they are read.

use domain::Role;
use domain::care::broadcast::broadcast_of;
use domain::care::monthly::{
    CareKpi, CareVisit, LostOutcome, MonthlyReport, ReportInput, Tally, care_report_id, comment_of,
    month_key, report_days, report_month, report_of_read,
};
use domain::care::report::{Counted, Rate};
use domain::care::settings::CareSettings;
use domain::plan::{Plan, PlannedWrite};
use domain::records::service::RepairOrder;
use domain::records::{CARE_REPORT, CCard, CareTask, field};
use domain::sales::chrono::NaiveDate;
use domain::service::repair_order::Arrival;
use domain::sync::RecordState;
use leptos::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use super::data::{
    counted_of, is_care_manager, me, past_services_of, settings, store_id, use_report_records,
};
use crate::clock::{store_clock, today};
use crate::i18n::*;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::export::{ExportButton, ExportTable};
use crate::ui::field::{Bind, DateField, DateKind, TextArea};
use crate::ui::kpi_drill::KpiDrill;
use crate::ui::labels::who;
use crate::ui::panel::Panel;

/// The repair orders as the care appointment rate reads them.
pub fn visits_of(repair_orders: &[RecordState]) -> Vec<CareVisit> {
    repair_orders
        .iter()
        .filter(|r| !r.is_deleted())
        .map(|r| RepairOrder::of(r, store_clock()))
        .filter_map(|ro| {
            Some(CareVisit {
                id: ro.id,
                c_card_id: ro.c_card_id,
                date: ro.received_at.or(ro.handed_over_at)?.date(),
                by_appointment: ro.arrival == Some(Arrival::Appointment)
                    || ro.appointment_id.is_some(),
            })
        })
        .collect()
}

/// What the lost-customer calls found (`lost_reason`, its note, `other_shop` on the month's
/// lost-customer task, recorded on the 流失客户 page), dated by the task's due day.
pub fn lost_outcomes_of(tasks: &[RecordState]) -> Vec<LostOutcome> {
    tasks
        .iter()
        .filter(|r| field::text(r, "kind") == Some("lost_customer"))
        .filter_map(|r| {
            let t = CareTask::of(r, store_clock());
            let note = field::string(r, "lost_reason_note");
            let reason = match field::string(r, "lost_reason") {
                Some(k) if k == "other" => note.or(Some(k)),
                other => other,
            };
            let other_shop = field::string(r, "other_shop");
            (reason.is_some() || other_shop.is_some()).then_some(LostOutcome {
                c_card_id: t.c_card_id?,
                on: t.due_at?.date(),
                reason,
                other_shop,
            })
        })
        .collect()
}

/// The records a report is counted from.
pub struct ReportRecords<'a> {
    pub cards: &'a [RecordState],
    pub repair_orders: &'a [RecordState],
    pub imported: &'a [RecordState],
    pub tasks: &'a [RecordState],
    pub settings: &'a CareSettings,
}

/// The month's report from the records (and the broadcast `messages`) read for the month of
/// `read_for` (`domain::care::monthly::report_of_read`): `None` while they are another month's.
pub fn report_from_read(
    r: &ReportRecords,
    messages: &[RecordState],
    read_for: NaiveDate,
    first: NaiveDate,
) -> Option<MonthlyReport> {
    counted_from(r, messages, |input| {
        report_of_read(input, report_days(read_for), first)
    })
}

fn counted_from<T>(
    r: &ReportRecords,
    messages: &[RecordState],
    count: impl FnOnce(&ReportInput) -> T,
) -> T {
    let clock = store_clock();
    let cards: Vec<CCard> = r
        .cards
        .iter()
        .filter(|c| !c.is_deleted())
        .map(|c| CCard::of(c, clock))
        .collect();
    let services = past_services_of(r.repair_orders, r.imported);
    let tasks: Vec<CareTask> = r
        .tasks
        .iter()
        .filter(|t| !t.is_deleted())
        .map(|t| CareTask::of(t, clock))
        .collect();
    let visits = visits_of(r.repair_orders);
    let lost = lost_outcomes_of(r.tasks);
    let broadcasts: Vec<(String, NaiveDate)> = messages
        .iter()
        .filter(|m| !m.is_deleted())
        .filter_map(broadcast_of)
        .collect();
    count(&ReportInput {
        cards: &cards,
        services: &services,
        settings: r.settings,
        tasks: &tasks,
        visits: &visits,
        lost: &lost,
        broadcasts: &broadcasts,
        clock,
    })
}

/// A rate as shown: `50.0%`, or `—` when nothing was due.
pub fn percent(r: Rate) -> String {
    r.percent()
        .map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "—".into())
}

/// A rate for the export (rounded as shown), null when nothing was due.
pub fn exported(r: Rate) -> Value {
    r.percent()
        .map(|p| json!((p * 10.0).round() / 10.0))
        .unwrap_or(Value::Null)
}

pub fn kpi_name(i18n: I18nContext<Locale>, k: CareKpi) -> &'static str {
    if i18n.get_locale_untracked() == Locale::en {
        k.name_en()
    } else {
        k.name_zh()
    }
}

pub fn kpi_formula(i18n: I18nContext<Locale>, k: CareKpi) -> &'static str {
    if i18n.get_locale_untracked() == Locale::en {
        k.formula_en()
    } else {
        k.formula_zh()
    }
}

/// What the drill-down shows.
#[derive(Debug, Clone, PartialEq)]
struct Opened {
    title: String,
    note: String,
    counted: Counted,
}

fn month_text(first: NaiveDate) -> String {
    month_key(first)
}

/// `/care/report`.
#[component]
pub fn ReportPage() -> impl IntoView {
    let sync = use_sync();
    move || {
        if !is_care_manager() {
            return view! { <crate::components::area_gate::NoAccess no_areas=false /> }.into_any();
        }
        view! { <Report sync=sync /> }.into_any()
    }
}

#[component]
fn Report(sync: SyncCtx) -> impl IntoView {
    let i18n = use_i18n();
    let month = RwSignal::new(report_month(today()));
    let open = RwSignal::new(None::<Opened>);
    let read = use_report_records(move || month.get());
    // Counted only from the records read for the month shown (`None` while they are another
    // month's: the page says 正在加载…).
    // The settings (who the specialists are) are read first: a task nobody has called yet is
    // counted for the rule's specialist, not as nobody's.
    let report = Memo::new(move |_| {
        if !sync.has_read("care_settings") {
            return None;
        }
        let read_for = read.key.get()?;
        let of = |t: &str| counted_of(read.many, t);
        let cards = of("c_card");
        let ros = of("repair_order");
        let imported = of("service_history");
        let tasks = of("care_task");
        let messages = of("message");
        let settings = settings(sync);
        report_from_read(
            &ReportRecords {
                cards: &cards,
                repair_orders: &ros,
                imported: &imported,
                tasks: &tasks,
                settings: &settings,
            },
            &messages,
            read_for,
            month.get(),
        )
    });
    // Asking for the records (the report, the broadcasts, the comment) starts reading them.
    let loaded = Memo::new(move |_| {
        report.track();
        let _ = comment_record(sync, month.get());
        read.many.loaded.get() && report.with(Option::is_some)
    });
    let picked = Bind::new(
        move || month_text(month.get()),
        move |v: String| {
            if let Ok(d) = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d") {
                month.set(d);
                open.set(None);
            }
        },
    );
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let export = Callback::new(move |()| {
        export_table(
            i18n,
            report.get_untracked().as_ref(),
            month.get_untracked(),
            sync,
        )
    });

    let figures = move || {
        let Some(r) = report.get() else {
            return ().into_any();
        };
        let rows = r
            .figures
            .into_iter()
            .map(|f| {
                let name = kpi_name(i18n, f.kpi).to_string();
                let rate = f.counted.rate();
                let value = percent(rate);
                let title = format!("{name} · {} · {value}", month_text(r.first));
                let note = kpi_formula(i18n, f.kpi).to_string();
                let counted = f.counted.clone();
                let class = format!("care-report-kpi care-report-{}", f.kpi.as_str());
                view! {
                    <tr class=class>
                        <th scope="row">{name}</th>
                        <td>
                            <button
                                type="button"
                                class="kpi-cell"
                                title=note.clone()
                                on:click=move |_| open.set(Some(Opened {
                                    title: title.clone(),
                                    note: note.clone(),
                                    counted: counted.clone(),
                                }))
                            >
                                <span class="kpi-value">{value}</span>
                            </button>
                        </td>
                        <td class="care-report-nd">{format!("{} / {}", rate.num, rate.den)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="table kpi-table care-report-figures">
                <thead><tr>
                    <th scope="col">{t_string!(i18n, care_report.kpi)}</th>
                    <th scope="col">{t_string!(i18n, care_report.value)}</th>
                    <th scope="col">{t_string!(i18n, care_report.n_over_d)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    let tallies = move |which: bool| {
        move || {
            let Some(r) = report.get() else {
                return ().into_any();
            };
            let list: Vec<Tally> = if which { r.shops } else { r.reasons };
            if list.is_empty() {
                return view! { <p class="muted">{t_string!(i18n, care_report.none_recorded)}</p> }
                    .into_any();
            }
            let first = r.first;
            view! {
                <table class=if which { "table care-report-shops" } else { "table care-report-reasons" }>
                    <tbody>
                        {list.into_iter().map(|t| {
                            let n = t.customers.len();
                            let title = format!("{} · {}", t.label, month_text(first));
                            let counted = Counted { numerator: t.customers.clone(), denominator: Vec::new() };
                            view! {
                                <tr>
                                    <th scope="row">{t.label.clone()}</th>
                                    <td>
                                        <button type="button" class="kpi-cell" on:click=move |_| open.set(Some(Opened {
                                            title: title.clone(),
                                            note: String::new(),
                                            counted: counted.clone(),
                                        }))>
                                            <span class="kpi-value">{n}</span>
                                        </button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }
    };

    let people = move || {
        let Some(r) = report.get() else {
            return ().into_any();
        };
        if r.people.is_empty() {
            return view! { <p class="muted">{t_string!(i18n, care_report.no_tasks)}</p> }
                .into_any();
        }
        view! {
            <table class="table care-report-people">
                <thead><tr>
                    <th scope="col">{t_string!(i18n, care_report.person)}</th>
                    <th scope="col">{t_string!(i18n, care_report.due)}</th>
                    <th scope="col">{t_string!(i18n, care_report.done)}</th>
                    <th scope="col">{t_string!(i18n, care_report.failed)}</th>
                    <th scope="col">{t_string!(i18n, care_report.completion)}</th>
                    <th scope="col">{t_string!(i18n, care_report.on_time)}</th>
                </tr></thead>
                <tbody>
                    {r.people.into_iter().map(|(id, f)| {
                        let name = person_name(i18n, id);
                        view! {
                            <tr class="care-report-person">
                                <th scope="row">{name}</th>
                                <td class="care-report-due">{f.due}</td>
                                <td class="care-report-done">{f.done}</td>
                                <td class="care-report-failed">{f.failed}</td>
                                <td>{percent(f.completion())}</td>
                                <td>{percent(f.on_time_rate())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };

    let broadcast_line = move || {
        let Some(c) = report.with(|r| r.as_ref().map(|r| r.broadcasts.clone())) else {
            return ().into_any();
        };
        let n = c.broadcasts.len();
        let messages = c.messages;
        let missing = c.missing();
        if c.meets_rule() {
            view! {
                <p class="notice notice-ok care-report-broadcasts">
                    {t!(i18n, care_report.broadcasts_ok, n = n, messages = messages)}
                </p>
            }
            .into_any()
        } else {
            view! {
                <p class="notice notice-warn care-report-broadcasts">
                    {t!(i18n, care_report.broadcasts_short, n = n, messages = messages, missing = missing)}
                </p>
            }
            .into_any()
        }
    };

    view! {
        <Panel id="care-report-title" class="care-report" page=true title=move || t_string!(i18n, care_report.title) actions=move || view! {
            <span class="no-print">
                <button type="button" class="btn btn-secondary care-report-print" on:click=print>
                    {t!(i18n, care_report.print)}
                </button>
                " "
                <ExportButton table=export />
            </span>
        }>
            <div class="kpi-controls form no-print">
                <DateField id="care-report-month" kind=DateKind::Month value=picked>
                    {t!(i18n, care_report.month)}
                </DateField>
            </div>
            <p class="muted small">{t!(i18n, care_report.due_note)}</p>
            <h2 class="kpi-scope">{move || format!("{} {}", t_string!(i18n, care_report.title), month_text(month.get()))}</h2>
            {move || {
                if !loaded.get() {
                    return view! { <p class="muted" role="status">{t_string!(i18n, loading)}</p> }.into_any();
                }
                view! {
                    <h3>{t!(i18n, care_report.figures)}</h3>
                    {figures}
                    {move || open.get().map(|o| view! {
                        <KpiDrill
                            title=o.title.clone()
                            note=o.note.clone()
                            numerator=o.counted.numerator.clone()
                            denominator=o.counted.denominator.clone()
                            on_close=Callback::new(move |()| open.set(None))
                        />
                    })}
                    <h3>{t!(i18n, care_report.reasons)}</h3>
                    {tallies(false)}
                    <h3>{t!(i18n, care_report.shops)}</h3>
                    {tallies(true)}
                    <h3>{t!(i18n, care_report.people)}</h3>
                    {people}
                    <h3>{t!(i18n, care_report.broadcasts)}</h3>
                    {broadcast_line}
                }
                .into_any()
            }}
        </Panel>
        <Comment sync=sync month=month />
    }
}

/// A person's name (`None`: nobody's yet).
fn person_name(i18n: I18nContext<Locale>, id: Option<Uuid>) -> String {
    match id {
        Some(id) => who(&id.to_string()),
        None => t_string!(i18n, care_report.nobody).to_string(),
    }
}

/// The month's comment record.
fn comment_record(sync: SyncCtx, first: NaiveDate) -> Option<RecordState> {
    let id = care_report_id(&store_id(), &month_key(first));
    sync.records("care_report").into_iter().find(|r| r.id == id)
}

/// The CS manager's comment: written by the CS manager, read by the GM.
#[component]
fn Comment(sync: SyncCtx, month: RwSignal<NaiveDate>) -> impl IntoView {
    let i18n = use_i18n();
    let edit = use_edit();
    let saved = RwSignal::new(None::<String>);
    let writer = me().is_some_and(|(_, roles)| roles.contains(&Role::CustomerServiceManager));
    let stored = Memo::new(move |_| comment_record(sync, month.get()).and_then(|r| comment_of(&r)));
    let text = RwSignal::new(String::new());
    Effect::new(move || text.set(stored.get().unwrap_or_default()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let key = month_key(month.get_untracked());
        let plan = Plan::new().then(
            PlannedWrite::new(care_report_id(&store_id(), &key), &CARE_REPORT)
                .set("month", key)
                .set("comment", text.get_untracked().trim().to_string()),
        );
        saved.set(None);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            saved.set(Some(t_string!(i18n, care_report.saved).to_string()));
        });
    };
    view! {
        <Panel id="care-report-comment-title" class="care-report-comment" title=move || t_string!(i18n, care_report.comment)>
            {move || {
                if writer {
                    return view! {
                        <form class="form no-print" on:submit=save novalidate>
                            <TextArea id="care-report-comment" value=text rows=4>{t!(i18n, care_report.comment_label)}</TextArea>
                            <button type="submit" class="btn btn-primary" disabled=move || edit.busy.get()>{t!(i18n, care_report.save)}</button>
                        </form>
                        <p class="care-report-comment-text print-only">{move || stored.get().unwrap_or_default()}</p>
                        <Notice message=saved class="notice notice-ok" />
                        <Alert message=edit.error />
                    }
                    .into_any();
                }
                match stored.get() {
                    Some(c) => view! { <p class="care-report-comment-text">{c}</p> }.into_any(),
                    None => view! { <p class="muted care-report-no-comment">{t_string!(i18n, care_report.no_comment)}</p> }.into_any(),
                }
            }}
        </Panel>
    }
}

/// The month as one sheet: the figures, the reasons and shops, each person, the broadcasts, the
/// comment.
/// Without the month's report (still loading), its title and columns only.
fn export_table(
    i18n: I18nContext<Locale>,
    r: Option<&MonthlyReport>,
    first: NaiveDate,
    sync: SyncCtx,
) -> ExportTable {
    let mut rows: Vec<Vec<Value>> = Vec::new();
    if let Some(r) = r {
        report_rows(i18n, r, sync, &mut rows);
    }
    ExportTable {
        title: format!(
            "{} {}",
            t_string!(i18n, care_report.title),
            month_text(first)
        ),
        columns: vec![
            t_string!(i18n, care_report.section).to_string(),
            t_string!(i18n, care_report.kpi).to_string(),
            t_string!(i18n, care_report.value).to_string(),
            t_string!(i18n, care_report.numerator).to_string(),
            t_string!(i18n, care_report.denominator).to_string(),
        ],
        rows,
    }
}

/// The sheet's rows of the month's report.
fn report_rows(
    i18n: I18nContext<Locale>,
    r: &MonthlyReport,
    sync: SyncCtx,
    rows: &mut Vec<Vec<Value>>,
) {
    for f in &r.figures {
        let rate = f.counted.rate();
        rows.push(vec![
            json!(t_string!(i18n, care_report.figures)),
            json!(kpi_name(i18n, f.kpi)),
            exported(rate),
            json!(rate.num),
            json!(rate.den),
        ]);
    }
    for (label, list) in [
        (t_string!(i18n, care_report.reasons).to_string(), &r.reasons),
        (t_string!(i18n, care_report.shops).to_string(), &r.shops),
    ] {
        for t in list {
            rows.push(vec![
                json!(label),
                json!(t.label),
                json!(t.customers.len()),
                Value::Null,
                Value::Null,
            ]);
        }
    }
    for (id, f) in &r.people {
        let name = person_name(i18n, *id);
        rows.push(vec![
            json!(t_string!(i18n, care_report.completion)),
            json!(name),
            exported(f.completion()),
            json!(f.done + f.failed),
            json!(f.due),
        ]);
        rows.push(vec![
            json!(t_string!(i18n, care_report.on_time)),
            json!(name),
            exported(f.on_time_rate()),
            json!(f.on_time),
            json!(f.due),
        ]);
    }
    let c = &r.broadcasts;
    rows.push(vec![
        json!(t_string!(i18n, care_report.broadcasts)),
        json!(t_string!(i18n, care_report.broadcasts)),
        json!(c.broadcasts.len()),
        json!(c.messages),
        json!(domain::care::broadcast::MIN_PER_MONTH),
    ]);
    if let Some(comment) = comment_record(sync, r.first).and_then(|r| comment_of(&r)) {
        rows.push(vec![
            json!(t_string!(i18n, care_report.comment)),
            json!(comment),
            Value::Null,
            Value::Null,
            Value::Null,
        ]);
    }
}
