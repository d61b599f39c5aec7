//! `/sales/c-cards/:id`: a customer who bought here (C卡), read-mostly: the customer and the
//! vehicle, the care tasks made for them (the consultant's +24 h / +72 h calls, …) and the
//! rewards (转介绍: free maintenance).

use domain::records::CARE_TASK;
use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::Value;
use uuid::Uuid;

use super::a_card::{model_name, phone_display, text};
use super::order::{entry_time, person, status_of, task_kind_label};
use crate::i18n::*;
use crate::sync::use_sync;

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
            error.message(super::a_card::lang(i18n))
        );
        Some(view! { <p class="notice notice-warn" role="alert">{text}</p> })
    }
}

#[component]
fn CCardView(c: RecordState) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let settings = sync.records("sales_settings");
    let local = match c.value("local") {
        Some(Value::Bool(true)) => t_string!(i18n, delivery.local).to_string(),
        Some(Value::Bool(false)) => t_string!(i18n, delivery.out_of_town).to_string(),
        _ => String::new(),
    };
    let rows = [
        (
            t_string!(i18n, delivery.phone),
            phone_display(&text(&c, "phone")),
        ),
        (
            t_string!(i18n, order.model),
            model_name(i18n, &settings, &text(&c, "model")),
        ),
        (t_string!(i18n, delivery.vin), text(&c, "vin")),
        (t_string!(i18n, delivery.plate), text(&c, "plate")),
        (t_string!(i18n, delivery.date), text(&c, "delivery_date")),
        (
            t_string!(i18n, delivery.warranty_end),
            text(&c, "warranty_end"),
        ),
        (
            t_string!(i18n, delivery.insurance_expiry),
            text(&c, "insurance_expiry"),
        ),
        (
            t_string!(i18n, delivery.inspection_date),
            text(&c, "inspection_date"),
        ),
        (t_string!(i18n, delivery.birthday), text(&c, "birthday")),
        (t_string!(i18n, delivery.home), local),
        (
            t_string!(i18n, order.consultant),
            person(&text(&c, "consultant_id")),
        ),
    ];
    let order_href = Uuid::parse_str(&text(&c, "order_id"))
        .ok()
        .map(|o| format!("/sales/orders/{o}"));
    let cid = c.id.to_string();
    let mut tasks: Vec<RecordState> = sync
        .records("care_task")
        .into_iter()
        .filter(|t| text(t, "c_card_id") == cid)
        .collect();
    tasks.sort_by_key(|t| text(t, "due_at"));
    let rewards: Vec<_> = c.log("rewards").into_iter().cloned().collect();
    let name = text(&c, "name");
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
                                        <td>{task_kind_label(i18n, &text(&t, "kind"))}</td>
                                        <td>{text(&t, "due_at").replace('T', " ")}</td>
                                        <td>{person(&text(&t, "assignee_id"))}</td>
                                        <td>{task_status_label(i18n, &status_of(&t, &CARE_TASK, "open"))}</td>
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
            {if rewards.is_empty() {
                view! { <p class="muted">{t!(i18n, delivery.no_rewards)}</p> }.into_any()
            } else {
                view! {
                    <ul class="reward-list">
                        {rewards.into_iter().map(|e| {
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
                            view! { <li><strong>{what}</strong> " · " {why} " · " <span class="muted small">{entry_time(&e)}</span></li> }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <p class="muted small">{t!(i18n, delivery.points)} ": " {c.counter("points")}</p>
        </section>
    }
}
