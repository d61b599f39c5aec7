//! `/sales/c-cards/:id`: a customer who bought here (C卡), read-mostly: the customer and the
//! vehicle, the care tasks made for them (the consultant's +24 h / +72 h calls, …) and the
//! rewards (转介绍: free maintenance).

use domain::records::{CCard, CareTask};
use domain::sales::chrono::NaiveDate;
use domain::sync::RecordState;
use domain::time::{stored_date, stored_time};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::order::{person, task_kind_label};
use super::words::model_name;
use crate::clock::store_clock;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::labels::phone_display;

fn task_status_label(i18n: I18nContext<Locale>, s: &str) -> String {
    match s {
        "open" => t_string!(i18n, delivery.task_open),
        "done" => t_string!(i18n, delivery.task_done),
        "failed" => t_string!(i18n, delivery.task_failed),
        other => return other.to_string(),
    }
    .to_string()
}

#[component]
pub fn CCardPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    move || {
        let Some(c) = id.get().and_then(|id| sync.record(id)) else {
            return view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, delivery.c_card_not_found)}</p>
                    <A href="/sales/orders" attr:class="btn btn-secondary">{t!(i18n, order.back)}</A>
                </section>
            }
            .into_any();
        };
        view! { <ReferralRefused /> <CCardView c=c /> }.into_any()
    }
}

/// After a delivery whose referral was refused (`?referral=<error code>`): say why no reward.
#[component]
fn ReferralRefused() -> impl IntoView {
    use domain::sales::UserError;
    use domain::sales::visit::VisitError;
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let code = query.read().get("referral")?;
        let error = [VisitError::SelfReferral, VisitError::ReferrerPhoneInvalid]
            .into_iter()
            .find(|e| e.code() == code)?;
        let text = format!(
            "{}{}",
            t_string!(i18n, delivery.referral_refused),
            error.message(lang(i18n))
        );
        Some(view! { <p class="notice notice-warn" role="alert">{text}</p> })
    }
}

#[component]
fn CCardView(c: RecordState) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let clock = store_clock();
    let settings = sync.records("sales_settings");
    let c = CCard::of(&c, clock);
    let local = match c.local {
        Some(true) => t_string!(i18n, delivery.local).to_string(),
        Some(false) => t_string!(i18n, delivery.out_of_town).to_string(),
        None => String::new(),
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |d: Option<NaiveDate>| d.map(stored_date).unwrap_or_default();
    let rows = [
        (
            t_string!(i18n, delivery.phone),
            phone_display(&text(&c.phone)),
        ),
        (
            t_string!(i18n, order.model),
            model_name(i18n, &settings, &text(&c.model)),
        ),
        (t_string!(i18n, delivery.vin), text(&c.vin)),
        (t_string!(i18n, delivery.plate), text(&c.plate)),
        (t_string!(i18n, delivery.date), date(c.delivery_date)),
        (t_string!(i18n, delivery.warranty_end), date(c.warranty_end)),
        (
            t_string!(i18n, delivery.insurance_expiry),
            date(c.insurance_expiry),
        ),
        (
            t_string!(i18n, delivery.inspection_date),
            date(c.inspection_date),
        ),
        (t_string!(i18n, delivery.birthday), date(c.birthday)),
        (t_string!(i18n, delivery.home), local),
        (
            t_string!(i18n, order.consultant),
            person(&c.consultant_id.map(|u| u.to_string()).unwrap_or_default()),
        ),
    ];
    let order_href = c.order_id.map(|o| format!("/sales/orders/{o}"));
    let mut tasks: Vec<CareTask> = sync
        .records("care_task")
        .iter()
        .map(|t| CareTask::of(t, clock))
        .filter(|t| t.c_card_id == Some(c.id))
        .collect();
    tasks.sort_by_key(|t| t.due_at);
    let name = text(&c.name);
    view! {
        <p class="back-link">
            <A href="/sales/orders">{t!(i18n, order.back)}</A>
        </p>
        <section class="panel" aria-labelledby="c-card-title">
            <div class="panel-head">
                <h1 id="c-card-title">{t!(i18n, delivery.c_card)} " · " {name}</h1>
                {order_href.map(|h| view! { <A href=h attr:class="btn btn-secondary">{t!(i18n, delivery.to_order)}</A> })}
            </div>
            <dl class="fields">
                {rows.into_iter().map(|(l, v)| view! { <div><dt>{l}</dt><dd>{v}</dd></div> }).collect_view()}
            </dl>
        </section>
        <section class="panel" aria-labelledby="c-card-tasks">
            <h2 id="c-card-tasks">{t!(i18n, delivery.care_calls)}</h2>
            {if tasks.is_empty() {
                view! { <p class="muted">{t!(i18n, delivery.no_tasks)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table care-task-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, delivery.task)}</th>
                                    <th scope="col">{t!(i18n, delivery.due)}</th>
                                    <th scope="col">{t!(i18n, delivery.assignee)}</th>
                                    <th scope="col">{t!(i18n, delivery.task_status)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {tasks.into_iter().map(|t| view! {
                                    <tr>
                                        <td>{task_kind_label(i18n, t.kind.as_deref().unwrap_or_default())}</td>
                                        <td>{t.due_at.map(|d| stored_time(d).replace('T', " "))}</td>
                                        <td>{person(&t.assignee_id.map(|u| u.to_string()).unwrap_or_default())}</td>
                                        <td>{task_status_label(i18n, t.status.as_str())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="c-card-rewards">
            <h2 id="c-card-rewards">{t!(i18n, delivery.rewards)}</h2>
            {if c.rewards.is_empty() {
                view! { <p class="muted">{t!(i18n, delivery.no_rewards)}</p> }.into_any()
            } else {
                view! {
                    <ul class="reward-list">
                        {c.rewards.into_iter().map(|e| {
                            let v = &e.value;
                            let what = match v["kind"].as_str() {
                                Some("free_maintenance") => t_string!(i18n, delivery.free_maintenance).to_string(),
                                Some(other) => other.to_string(),
                                None => String::new(),
                            };
                            let why = match v["side"].as_str() {
                                Some("referrer") => format!("{}{}", t_string!(i18n, delivery.referred), v["referred_name"].as_str().unwrap_or_default()),
                                Some("referred") => format!("{}{}", t_string!(i18n, delivery.referred_by), phone_display(v["referrer_phone"].as_str().unwrap_or_default())),
                                _ => String::new(),
                            };
                            view! { <li><strong>{what}</strong> " · " {why} " · " <span class="muted small">{e.written_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string())}</span></li> }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <p class="muted small">{t!(i18n, delivery.points)} ": " {c.points}</p>
        </section>
    }
}
