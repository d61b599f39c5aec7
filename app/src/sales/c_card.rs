//! `/sales/c-cards/:id`: a customer who bought here (C卡), read-mostly: the customer and the
//! vehicle, the care tasks made for them (the consultant's +24 h / +72 h calls, …) and the
//! past services imported from the old DMS and the rewards (转介绍: free maintenance).

use domain::records::{CCard, CareTask, CareTaskStatus};
use domain::sales::UserError;
use domain::sales::chrono::NaiveDate;
use domain::sales::order::TaskKind;
use domain::sales::visit::VisitError;
use domain::sync::RecordState;
use domain::time::stored_date;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::order::{label_of, time_text};
use super::past_services::PastServices;
use super::words::model_name;
use crate::clock::store_clock;
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::error::UserText;
use crate::ui::labels::{phone_display, who};
use crate::ui::list::ItemList;
use crate::ui::panel::Panel;
use crate::ui::record_page::{RecordPage, field_list};
use crate::ui::table::{Column, Columns, DataTable};

words! {
    fn task_status_label(s: CareTaskStatus) -> String {
        CareTaskStatus::Open => delivery.task_open,
        CareTaskStatus::Done => delivery.task_done,
        CareTaskStatus::Failed => delivery.task_failed,
    }
}

#[component]
pub fn CCardPage() -> impl IntoView {
    view! { <RecordPage record_type="c_card" view=|(_, c)| view! { <ReferralRefused /> <CCardView c=c /> }.into_any() /> }
}

/// After a delivery whose referral was refused (`?referral=<error code>`): say why no reward.
#[component]
fn ReferralRefused() -> impl IntoView {
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
            error.user_text(i18n)
        );
        Some(view! { <p class="notice notice-warn" role="alert">{text}</p> })
    }
}

/// The C-card itself (drawn again when it changes: it has nothing to type in).
#[component]
fn CCardView(c: Memo<Option<RecordState>>) -> impl IntoView {
    let card = move || {
        let c = CCard::of(&c.get()?, store_clock());
        Some(
            view! { <CCardFields c=c.clone() /> <CareTasks id=c.id /> <PastServices id=c.id /> <Rewards c=c /> },
        )
    };
    view! { {card} }
}

/// The customer and the vehicle.
#[component]
fn CCardFields(c: CCard) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let settings = sync.records("sales_settings");
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
            c.consultant_id
                .map(|u| who(&u.to_string()))
                .unwrap_or_default(),
        ),
    ];
    let order_href = c.order_id.map(|o| format!("/sales/orders/{o}"));
    view! {
        <p class="back-link">
            <A href="/sales/orders">{t!(i18n, order.back)}</A>
        </p>
        <section class="panel" aria-labelledby="c-card-title">
            <div class="panel-head">
                <h1 id="c-card-title">{t!(i18n, delivery.c_card)} " · " {text(&c.name)}</h1>
                {order_href.map(|h| view! { <A href=h attr:class="btn btn-secondary">{t!(i18n, delivery.to_order)}</A> })}
            </div>
            {field_list((), rows)}
        </section>
    }
}

/// The care tasks made for the customer, soonest first.
#[component]
fn CareTasks(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The tasks that belong to the C-card (index `by_link`).
    let linked = sync.read(move || {
        Some(crate::sync::Query::Linked {
            id,
            types: &["care_task"],
        })
    });
    let tasks = Memo::new(move |_| {
        let mut tasks: Vec<CareTask> = linked
            .records
            .get()
            .iter()
            .map(|t| CareTask::of(t, store_clock()))
            .filter(|t| t.c_card_id == Some(id))
            .collect();
        tasks.sort_by_key(|t| t.due_at);
        tasks
    });
    let columns = Columns::new(vec![
        Column::text(
            |i| t_string!(i, delivery.task),
            move |t: &CareTask| {
                let kind = t.kind.as_deref().unwrap_or_default();
                TaskKind::parse(kind).map_or_else(|| kind.to_string(), |k| label_of(i18n, &k))
            },
        ),
        Column::text(
            |i| t_string!(i, delivery.due),
            |t: &CareTask| time_text(t.due_at),
        ),
        Column::text(
            |i| t_string!(i, delivery.assignee),
            |t: &CareTask| {
                t.assignee_id
                    .map(|u| who(&u.to_string()))
                    .unwrap_or_default()
            },
        ),
        Column::text(
            |i| t_string!(i, delivery.task_status),
            move |t: &CareTask| task_status_label(i18n, t.status),
        ),
    ]);
    view! {
        <Panel id="c-card-tasks" title=move || t!(i18n, delivery.care_calls)>
            <DataTable
                columns=columns
                rows=tasks
                class="care-task-table"
                empty=|i| t_string!(i, delivery.no_tasks)
            />
        </Panel>
    }
}

/// The rewards (转介绍) and the points.
#[component]
fn Rewards(c: CCard) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Panel id="c-card-rewards" title=move || t!(i18n, delivery.rewards)>
            <ItemList
                items=c.rewards
                class="reward-list"
                empty=|i| t_string!(i, delivery.no_rewards)
                item=move |e: domain::records::LogItem| {
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
                }
            />
            <p class="muted small">{t!(i18n, delivery.points)} ": " {c.points}</p>
        </Panel>
    }
}
