//! Orders (订单): the list (`/sales/orders`), a new order from an A-card
//! (`/sales/orders/new?a_card=<id>`) and the deal file (`/sales/orders/:id`): the deal's fields, the
//! promises (精品/赠品), moving the promised delivery date (with the "tell the customer" task),
//! cancellation (退单) and the delivery (`delivery.rs`). Rules are `domain::sales::order`; the
//! A-card's status follows `domain::sales::loss::ACardStatus::next`.

use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::{
    ACard, CARE_TASK, CareTask, CareTaskStatus, ORDER, Order, OrderStatus, TradeIn, field,
};
use domain::sales::UserError;
use domain::sales::chrono::{NaiveDate, NaiveDateTime};
use domain::sales::loss::ACardActionKind;
use domain::sales::order::{CancellationReason, TaskKind, delivery_overdue};
use domain::sales::order_plan::{
    OrderFields, cancel_plan, edit_order_plan, move_date_plan, place_order_plan,
};
use domain::sync::RecordState;
use domain::time::{stored_date, stored_time};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use serde_json::{Value, json};
use uuid::Uuid;

use super::words::model_name;
use crate::clock::{now_local, now_stored, store_clock};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::error::UserText;
use crate::ui::kinds::text;
use crate::ui::labels::{local_time, phone_display};

// ---- small shared helpers (also used by delivery.rs, c_card.rs, key_account.rs) ----

/// A person's name from their user id (the store's directory, `crate::directory`).
pub fn person(user_id: &str) -> String {
    crate::directory::name_of_user(user_id)
}

/// A user id as `person` takes it ("" for none).
fn uuid_text(user: Option<Uuid>) -> String {
    user.map(|u| u.to_string()).unwrap_or_default()
}

/// A date as stored (`YYYY-MM-DD`; a stored date-time counts by its day).
pub fn date_of(s: &str) -> Option<NaiveDate> {
    store_clock().parse_date(s)
}

/// `¥268,000`.
pub fn money(v: Option<i64>) -> String {
    let Some(v) = v else {
        return String::new();
    };
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}¥{out}", if v < 0 { "-" } else { "" })
}

/// The catalogue of the store's sales settings: (code, name in the app's language, on sale).
pub fn catalogue(i18n: I18nContext<Locale>, sync: SyncCtx) -> Vec<(String, String, bool)> {
    let mut out: Vec<(String, String, bool)> = sync
        .records("sales_settings")
        .iter()
        .flat_map(|s| s.set("models").into_iter().map(str::to_string))
        .filter_map(|e| serde_json::from_str::<domain::sales::a_card::CatalogueModel>(&e).ok())
        .map(|m| {
            let name = match i18n.get_locale_untracked() {
                Locale::en => m.name_en,
                Locale::zh_CN => m.name_zh,
            };
            (m.code, name, m.on_sale)
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

pub fn order_status_label(i18n: I18nContext<Locale>, status: &str) -> String {
    match status {
        "signed" => t_string!(i18n, order.status_signed),
        "delivered" => t_string!(i18n, order.status_delivered),
        "cancelled" => t_string!(i18n, order.status_cancelled),
        other => return other.to_string(),
    }
    .to_string()
}

pub fn task_kind_label(i18n: I18nContext<Locale>, kind: &str) -> String {
    match TaskKind::parse(kind) {
        Some(k) => match i18n.get_locale_untracked() {
            Locale::en => k.label_en().to_string(),
            Locale::zh_CN => k.label_zh().to_string(),
        },
        None => kind.to_string(),
    }
}

fn reason_label(i18n: I18nContext<Locale>, r: CancellationReason) -> &'static str {
    match i18n.get_locale_untracked() {
        Locale::en => r.label_en(),
        Locale::zh_CN => r.label_zh(),
    }
}

/// The messages of a list of domain errors, one line each.
pub fn messages<E: UserError>(i18n: I18nContext<Locale>, errors: &[E]) -> String {
    errors
        .iter()
        .map(|e| e.message(lang(i18n)))
        .collect::<Vec<_>>()
        .join(";")
}

/// An error shown in a `role="alert"` paragraph.
pub fn alert(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|e| view! { <p class="alert" role="alert">{e}</p> })
    }
}

// ---- the list ----

/// `/sales/orders`: open orders first by promised date (overdue flagged), or the delivered /
/// cancelled ones.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let filter = RwSignal::new("signed".to_string());
    view! {
        <section class="panel" aria-labelledby="orders-title">
            <div class="panel-head">
                <h1 id="orders-title">{t!(i18n, order.list_title)}</h1>
                <div class="field field-inline">
                    <label for="orders-filter">{t!(i18n, order.show)}</label>
                    <select
                        id="orders-filter"
                        prop:value=move || filter.get()
                        on:change=move |ev| filter.set(event_target_value(&ev))
                    >
                        <option value="signed">{t!(i18n, order.filter_open)}</option>
                        <option value="delivered">{t!(i18n, order.status_delivered)}</option>
                        <option value="cancelled">{t!(i18n, order.status_cancelled)}</option>
                        <option value="all">{t!(i18n, order.filter_all)}</option>
                    </select>
                </div>
            </div>
            {move || {
                let wanted = filter.get();
                let today = now_local().date();
                let cards = sync.records("a_card");
                let settings = sync.records("sales_settings");
                let clock = store_clock();
                let mut rows: Vec<Order> = sync
                    .records("order")
                    .iter()
                    .map(|o| Order::of(o, clock))
                    .filter(|o| wanted == "all" || o.status.as_str() == wanted)
                    .collect();
                // Open orders by promised date; the others latest first.
                let latest = |o: &Order| o.delivered_at.max(o.signed_at);
                rows.sort_by(|a, b| {
                    let (oa, ob) = (a.status == OrderStatus::Signed, b.status == OrderStatus::Signed);
                    ob.cmp(&oa).then_with(|| {
                        if oa && ob {
                            a.promised_date.cmp(&b.promised_date)
                        } else {
                            latest(b).cmp(&latest(a))
                        }
                    })
                });
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, order.empty)}</p> }.into_any();
                }
                let body = rows
                    .into_iter()
                    .map(|o| {
                        let customer = cards
                            .iter()
                            .find(|c| Some(c.id) == o.a_card_id)
                            .and_then(|c| field::string(c, "name"))
                            .unwrap_or_else(|| t_string!(i18n, order.no_customer).to_string());
                        let status = o.status.as_str();
                        let overdue = delivery_overdue(status, o.promised_date, today);
                        view! {
                            <tr class:overdue=overdue>
                                <th scope="row">
                                    <A href=format!("/sales/orders/{}", o.id)>{customer}</A>
                                </th>
                                <td>{model_name(i18n, &settings, o.model.as_deref().unwrap_or_default())}</td>
                                <td>{money(o.price)}</td>
                                <td>
                                    {o.promised_date.map(stored_date)}
                                    {overdue.then(|| view! { " " <span class="badge badge-late">{t!(i18n, order.overdue)}</span> })}
                                </td>
                                <td>{order_status_label(i18n, status)}</td>
                                <td>{person(&uuid_text(o.consultant_id))}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table order-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, order.customer)}</th>
                                    <th scope="col">{t!(i18n, order.model)}</th>
                                    <th scope="col">{t!(i18n, order.price)}</th>
                                    <th scope="col">{t!(i18n, order.promised_date)}</th>
                                    <th scope="col">{t!(i18n, order.status)}</th>
                                    <th scope="col">{t!(i18n, order.consultant)}</th>
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

// ---- the deal's fields ----

/// How the trade-in reads: `现有车辆 · ¥50,000`, 是/否 for the demo's plain flag.
fn trade_in_text(i18n: I18nContext<Locale>, trade_in: &Option<TradeIn>) -> String {
    match trade_in {
        Some(TradeIn::Car {
            car,
            value: Some(v),
        }) => format!("{car} · {}", money(Some(*v))),
        Some(TradeIn::Car { car, value: None }) => car.clone(),
        Some(TradeIn::Yes) => t_string!(i18n, order.yes).to_string(),
        None => t_string!(i18n, order.no).to_string(),
    }
}

/// The deal form (new order and 编辑). `on_save` returns an error to show, or `None`.
#[component]
pub fn OrderForm(
    initial: OrderFields,
    prefix: String,
    on_save: Callback<OrderFields, Option<String>>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let current_model = initial.model.clone();
    let f = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let prefix = StoredValue::new(prefix);
    let id = move |name: &str| format!("order-{}-{name}", prefix.get_value());
    let input = move |name: &'static str,
                      label: String,
                      kind: &'static str,
                      get: fn(&OrderFields) -> &String,
                      set: fn(&mut OrderFields, String)| {
        view! {
            <div class="field">
                <label for=id(name)>{label}</label>
                <input
                    id=id(name)
                    type=kind
                    autocomplete="off"
                    inputmode=if name == "price" || name == "deposit" || name == "trade-in-value" { "decimal" } else { "text" }
                    prop:value=move || f.with(|f| get(f).clone())
                    on:input=move |ev| f.update(|f| set(f, event_target_value(&ev)))
                />
            </div>
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(on_save.run(f.get_untracked()));
    };
    let models = catalogue(i18n, sync);
    view! {
        <form class="form order-form" on:submit=submit novalidate>
            <div class="field">
                <label for=id("model")>{t!(i18n, order.model)}</label>
                <select
                    id=id("model")
                    prop:value=move || f.with(|f| f.model.clone())
                    on:change=move |ev| f.update(|f| f.model = event_target_value(&ev))
                >
                    <option value="">{t!(i18n, order.choose)}</option>
                    {models
                        .into_iter()
                        .filter(|(code, _, on_sale)| *on_sale || *code == current_model)
                        .map(|(code, name, _)| {
                            let selected = code == current_model;
                            view! { <option value=code selected=selected>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            {input("configuration", t_string!(i18n, order.configuration).to_string(), "text", |f| &f.configuration, |f, v| f.configuration = v)}
            {input("price", t_string!(i18n, order.price).to_string(), "text", |f| &f.price, |f, v| f.price = v)}
            {input("deposit", t_string!(i18n, order.deposit).to_string(), "text", |f| &f.deposit, |f, v| f.deposit = v)}
            {input("trade-in-car", t_string!(i18n, order.trade_in_car).to_string(), "text", |f| &f.trade_in_car, |f, v| f.trade_in_car = v)}
            {input("trade-in-value", t_string!(i18n, order.trade_in_value).to_string(), "text", |f| &f.trade_in_value, |f, v| f.trade_in_value = v)}
            {input("finance", t_string!(i18n, order.finance_campaign).to_string(), "text", |f| &f.finance_campaign, |f, v| f.finance_campaign = v)}
            {input("insurance", t_string!(i18n, order.insurance).to_string(), "text", |f| &f.insurance, |f, v| f.insurance = v)}
            {input("promised", t_string!(i18n, order.promised_date).to_string(), "date", |f| &f.promised_date, |f, v| f.promised_date = v)}
            {alert(error)}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t!(i18n, order.save)}</button>
                {on_cancel.map(|cancel| view! {
                    <button type="button" class="btn btn-secondary" on:click=move |_| cancel.run(())>
                        {t!(i18n, order.cancel_edit)}
                    </button>
                })}
            </div>
        </form>
    }
}

// ---- new order ----

/// `/sales/orders/new?a_card=<id>`: the deal form prefilled from the A-card (its intended model).
/// Saving stores the order and moves the card to 已订车 (the state machine decides).
#[component]
pub fn NewOrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let query = use_query_map();
    let card_id = Memo::new(move |_| {
        query
            .read()
            .get("a_card")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    // The form is drawn once per card: a sync while typing must not reset it.
    let exists = Memo::new(move |_| card_id.get().is_some_and(|id| sync.record(id).is_some()));
    move || {
        let Some(card_id) = card_id.get() else {
            return view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, order.pick_card)}</p>
                    <A href="/sales/a-cards" attr:class="btn btn-secondary">{t!(i18n, order.to_cards)}</A>
                </section>
            }
            .into_any();
        };
        let card = if exists.get() {
            untrack(|| sync.record(card_id))
        } else {
            None
        };
        let Some(card) = card else {
            return view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, order.card_not_found)}</p>
                    <A href="/sales/a-cards" attr:class="btn btn-secondary">{t!(i18n, order.to_cards)}</A>
                </section>
            }
            .into_any();
        };
        let initial = OrderFields {
            model: text(&card, "intended_model"),
            ..OrderFields::default()
        };
        let name = text(&card, "name");
        let navigate = navigate.clone();
        let on_save = Callback::new(move |fields: OrderFields| {
            let (user_id, roles) = me()?;
            // The card must be able to take an order (not lost, not ordered already).
            let card = untrack(|| sync.record(card_id))?;
            let (id, plan) = match place_order_plan(
                &card,
                &fields,
                &user_id,
                &roles,
                now_local(),
                store_clock(),
            ) {
                Ok(p) => p,
                Err(problems) => return Some(messages(i18n, &problems)),
            };
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match sync.execute(&plan).await {
                    Ok(_) => navigate(&format!("/sales/orders/{id}"), Default::default()),
                    Err(e) => error.set(Some(e.user_text(i18n))),
                }
            });
            None
        });
        let cancel = Callback::new({
            let navigate = use_navigate();
            move |()| navigate(&format!("/sales/a-cards/{card_id}"), Default::default())
        });
        view! {
            <section class="panel page-narrow-panel" aria-labelledby="new-order-title">
                <h1 id="new-order-title">{t!(i18n, order.new_title)} " · " {name}</h1>
                <OrderForm initial=initial prefix="new".to_string() on_save=on_save on_cancel=cancel />
                {alert(error)}
            </section>
        }
        .into_any()
    }
}

// ---- one order ----

/// `/sales/orders/:id`: the deal file.
#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let order = Memo::new(move |_| id.get().and_then(|id| sync.record(id)));
    // Only appearing/disappearing redraws the page: an edit of the order must not reset the
    // forms below (a half-typed VIN survives ticking the checklist).
    let exists = Memo::new(move |_| order.with(Option::is_some));
    move || {
        let (Some(id), true) = (id.get(), exists.get()) else {
            return view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, order.not_found)}</p>
                    <A href="/sales/orders" attr:class="btn btn-secondary">{t!(i18n, order.back)}</A>
                </section>
            }
            .into_any();
        };
        view! { <OrderView id=id order=order /> }.into_any()
    }
}

#[component]
fn OrderView(id: Uuid, order: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editing = RwSignal::new(false);
    let deal = Memo::new(move |_| order.with(|o| o.as_ref().map(|o| Order::of(o, store_clock()))));
    let status = Memo::new(move |_| {
        deal.with(|o| o.as_ref().map(|o| o.status.as_str().to_string()))
            .unwrap_or_default()
    });
    let card = Memo::new(move |_| sync.record(deal.with(|o| o.as_ref()?.a_card_id)?));
    let customer = move || {
        card.with(|c| c.as_ref().and_then(|c| field::string(c, "name")))
            .unwrap_or_default()
    };
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);

    let on_save = Callback::new(move |(before, after): (OrderFields, OrderFields)| {
        if before == after {
            return Some(t_string!(i18n, order.no_changes).to_string());
        }
        let signed_on = deal
            .get_untracked()?
            .signed_at
            .map_or_else(|| now_local().date(), |t| t.date());
        // A moved promised date goes through 变更交车日期 (reason + task), not through 编辑.
        if after.promised_date != before.promised_date {
            return Some(t_string!(i18n, order.use_move_date).to_string());
        }
        let problems = after.draft(signed_on, store_clock()).problems();
        if !problems.is_empty() {
            return Some(messages(i18n, &problems));
        }
        leptos::task::spawn_local(async move {
            match sync.execute(&edit_order_plan(id, &before, &after)).await {
                Ok(_) => {
                    editing.set(false);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
        None
    });

    view! {
        <p class="back-link">
            <A href="/sales/orders">{t!(i18n, order.back)}</A>
        </p>
        <section class="panel" aria-labelledby="order-title">
            <div class="panel-head">
                <h1 id="order-title">{t!(i18n, order.title)} " · " {customer}</h1>
                <Show when=move || !editing.get() && status.get() == "signed">
                    <button type="button" class="btn btn-secondary" on:click=move |_| { saved.set(false); editing.set(true); }>
                        {t!(i18n, order.edit)}
                    </button>
                </Show>
            </div>
            {move || {
                if editing.get() {
                    let before = deal.get_untracked().map(|o| OrderFields::of(&o)).unwrap_or_default();
                    let start = before.clone();
                    let save = Callback::new(move |after: OrderFields| on_save.run((before.clone(), after)));
                    let cancel = Callback::new(move |()| editing.set(false));
                    return view! { <OrderForm initial=start prefix=id.to_string() on_save=save on_cancel=cancel /> }.into_any();
                }
                let Some(o) = deal.get() else { return ().into_any() };
                let settings = sync.records("sales_settings");
                let text = |v: &Option<String>| v.clone().unwrap_or_default();
                let time = |t: Option<NaiveDateTime>| t.map(|t| stored_time(t).replace('T', " ")).unwrap_or_default();
                let mut rows = vec![
                    (t_string!(i18n, order.status), order_status_label(i18n, o.status.as_str())),
                    (t_string!(i18n, order.model), model_name(i18n, &settings, &text(&o.model))),
                    (t_string!(i18n, order.configuration), text(&o.configuration)),
                    (t_string!(i18n, order.price), money(o.price)),
                    (t_string!(i18n, order.deposit), money(o.deposit)),
                    (t_string!(i18n, order.trade_in), trade_in_text(i18n, &o.trade_in)),
                    (t_string!(i18n, order.finance_campaign), text(&o.finance_campaign)),
                    (t_string!(i18n, order.insurance), text(&o.insurance)),
                    (t_string!(i18n, order.promised_date), o.promised_date.map(stored_date).unwrap_or_default()),
                    (t_string!(i18n, order.signed_at), time(o.signed_at)),
                    (t_string!(i18n, order.consultant), person(&uuid_text(o.consultant_id))),
                ];
                if o.status == OrderStatus::Cancelled {
                    let reason = o.cancel_reason.map(|r| reason_label(i18n, r).to_string()).unwrap_or_default();
                    rows.push((t_string!(i18n, order.cancel_reason), reason));
                    rows.push((t_string!(i18n, order.cancel_note), text(&o.cancel_note)));
                }
                if o.status == OrderStatus::Delivered {
                    rows.push((t_string!(i18n, order.vin), text(&o.vin)));
                    rows.push((t_string!(i18n, order.plate), text(&o.plate)));
                    rows.push((t_string!(i18n, order.delivered_at), time(o.delivered_at)));
                }
                let card_href = card.with(|c| c.as_ref().map(|c| format!("/sales/a-cards/{}", c.id)));
                let phone = card.with(|c| c.as_ref().map(|c| phone_display(&field::shown(c, "phone")))).unwrap_or_default();
                view! {
                    <dl class="fields">
                        <div>
                            <dt>{t!(i18n, order.customer)}</dt>
                            <dd>
                                {card_href.map(|h| view! { <A href=h>{customer()}</A> })}
                                " " {phone}
                            </dd>
                        </div>
                        {rows.into_iter().map(|(l, v)| view! { <div><dt>{l}</dt><dd>{v}</dd></div> }).collect_view()}
                    </dl>
                }
                .into_any()
            }}
            <Show when=move || saved.get()>
                <p class="notice notice-ok" role="status">{t!(i18n, order.saved)}</p>
            </Show>
            {alert(error)}
        </section>
        <Promises id=id order=order status=status />
        <TellTasks id=id />
        <Show when=move || status.get() == "signed">
            <MoveDate order=order card=card />
            <super::delivery::DeliverySection id=id order=order card=card />
            <CancelOrder id=id card=card />
        </Show>
        <Show when=move || status.get() == "delivered">
            <DeliveredCCard id=id />
        </Show>
    }
}

/// 精品/赠品: the promises set, with add/remove while the order is open.
#[component]
fn Promises(id: Uuid, order: Memo<Option<RecordState>>, status: Memo<String>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let item = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let what = item.get_untracked().trim().to_string();
        if what.is_empty() {
            error.set(Some(t_string!(i18n, order.need_item).to_string()));
            return;
        }
        let plan =
            Plan::new().then(PlannedWrite::new(id, &ORDER).with(Step::SetAdd("promises", what)));
        leptos::task::spawn_local(async move {
            match sync.execute(&plan).await {
                Ok(_) => {
                    item.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };
    let remove = move |what: String| {
        let plan =
            Plan::new().then(PlannedWrite::new(id, &ORDER).with(Step::SetRemove("promises", what)));
        leptos::task::spawn_local(async move {
            if let Err(e) = sync.execute(&plan).await {
                error.set(Some(e.user_text(i18n)));
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="promises-title">
            <h2 id="promises-title">{t!(i18n, order.promises)}</h2>
            {move || {
                let open = status.get() == "signed";
                let list: Vec<String> = order.with(|o| {
                    o.as_ref().map(|o| o.set("promises").into_iter().map(str::to_string).collect()).unwrap_or_default()
                });
                if list.is_empty() {
                    return view! { <p class="muted">{t!(i18n, order.no_promises)}</p> }.into_any();
                }
                view! {
                    <ul class="promise-list">
                        {list.into_iter().map(|p| {
                            let label = format!("{} {p}", t_string!(i18n, order.remove));
                            let what = p.clone();
                            view! {
                                <li>
                                    <span>{p}</span>
                                    {open.then(|| view! {
                                        <button type="button" class="btn btn-ghost" aria-label=label on:click=move |_| remove(what.clone())>
                                            {t!(i18n, order.remove)}
                                        </button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <Show when=move || status.get() == "signed">
                <form class="form form-row" on:submit=add novalidate>
                    <div class="field">
                        <label for="promise-item">{t!(i18n, order.promise_item)}</label>
                        <input id="promise-item" type="text" autocomplete="off"
                            prop:value=move || item.get()
                            on:input=move |ev| item.set(event_target_value(&ev)) />
                    </div>
                    <button type="submit" class="btn btn-secondary">{t!(i18n, order.add_promise)}</button>
                </form>
            </Show>
            {alert(error)}
        </section>
    }
}

/// The open "tell the customer the new date" tasks of the order, with 已告知, and the date log.
#[component]
fn TellTasks(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let error = RwSignal::new(None::<String>);
    let done = move |task: Uuid| {
        let attempt = json!({"at": now_stored(), "channel": "phone", "reached": true});
        let plan = Plan::new().then(
            PlannedWrite::new(task, &CARE_TASK)
                .with(Step::Append("attempts", Uuid::now_v7(), attempt))
                .with(Step::Move("status", "done")),
        );
        leptos::task::spawn_local(async move {
            if let Err(e) = sync.execute(&plan).await {
                error.set(Some(e.user_text(i18n)));
            }
        });
    };
    move || {
        let tell = TaskKind::TellCustomerNewDeliveryDate.as_str();
        let tasks: Vec<CareTask> = sync
            .records("care_task")
            .iter()
            .map(|t| CareTask::of(t, store_clock()))
            .filter(|t| t.order_id == Some(id) && t.kind.as_deref() == Some(tell))
            .collect();
        let changes: Vec<Value> = sync
            .record(id)
            .map(|o| {
                o.log("date_changes")
                    .into_iter()
                    .map(|e| e.value.clone())
                    .collect()
            })
            .unwrap_or_default();
        if tasks.is_empty() && changes.is_empty() {
            return ().into_any();
        }
        view! {
            <section class="panel" aria-labelledby="date-changes-title">
                <h2 id="date-changes-title">{t!(i18n, order.date_changes)}</h2>
                <ul class="task-list">
                    {tasks.into_iter().map(|t| {
                        let open = t.status == CareTaskStatus::Open;
                        let tid = t.id;
                        view! {
                            <li class:task-open=open>
                                <span class=if open { "badge badge-late" } else { "badge badge-ok" }>
                                    {if open { t_string!(i18n, order.task_open) } else { t_string!(i18n, order.task_done) }}
                                </span>
                                " " {task_kind_label(i18n, tell)} " · " {t.note}
                                {open.then(|| view! {
                                    <button type="button" class="btn btn-primary" on:click=move |_| done(tid)>
                                        {t!(i18n, order.told)}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <ol class="follow-ups">
                    {changes.into_iter().rev().map(|v| {
                        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
                        view! { <li>{s("from")} " → " {s("to")} " · " {s("reason")}</li> }
                    }).collect_view()}
                </ol>
                {alert(error)}
            </section>
        }
        .into_any()
    }
}

/// 变更交车日期: a new date and a reason; the same action stores the task to tell the customer.
#[component]
fn MoveDate(order: Memo<Option<RecordState>>, card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let new_date = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(o) = order.get_untracked() else {
            return;
        };
        let Some((user_id, _)) = me() else { return };
        let Some(to) = store_clock().parse_date(&new_date.get_untracked()) else {
            error.set(Some(t_string!(i18n, order.need_new_date).to_string()));
            return;
        };
        let card = card.get_untracked();
        let reason_text = reason.get_untracked();
        let now = now_local();
        let plan = match move_date_plan(
            &o,
            card.as_ref(),
            to,
            &reason_text,
            &user_id,
            now,
            store_clock(),
        ) {
            Ok(p) => p,
            Err(e) => {
                error.set(Some(e.message(lang(i18n))));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            match sync.execute(&plan).await {
                Ok(_) => {
                    new_date.set(String::new());
                    reason.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="move-date-title">
            <h2 id="move-date-title">{t!(i18n, order.move_date)}</h2>
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="move-date-new">{t!(i18n, order.new_date)}</label>
                    <input id="move-date-new" type="date"
                        prop:value=move || new_date.get()
                        on:input=move |ev| new_date.set(event_target_value(&ev))
                        on:change=move |ev| new_date.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="move-date-reason">{t!(i18n, order.move_reason)}</label>
                    <input id="move-date-reason" type="text" autocomplete="off"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                </div>
                {alert(error)}
                <button type="submit" class="btn btn-secondary">{t!(i18n, order.move_date)}</button>
            </form>
        </section>
    }
}

/// 退单: a reason from the list (其他 needs a note); the card goes back to 跟进中.
#[component]
fn CancelOrder(id: Uuid, card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((_, roles)) = me() else { return };
        let Ok(r) = serde_json::from_value::<CancellationReason>(json!(reason.get_untracked()))
        else {
            error.set(Some(t_string!(i18n, order.need_reason).to_string()));
            return;
        };
        let card = card.get_untracked();
        let note = note.get_untracked();
        let plan = match cancel_plan(id, card.as_ref(), r, &note, &roles, store_clock()) {
            Ok(p) => p,
            Err(e) => {
                error.set(Some(e.message(lang(i18n))));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            if let Err(e) = sync.execute(&plan).await {
                error.set(Some(e.user_text(i18n)));
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="cancel-order-title">
            <h2 id="cancel-order-title">{t!(i18n, order.cancel_title)}</h2>
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="cancel-reason">{t!(i18n, order.cancel_reason)}</label>
                    <select id="cancel-reason" prop:value=move || reason.get()
                        on:change=move |ev| reason.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, order.choose)}</option>
                        {CancellationReason::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str()>{move || reason_label(i18n, r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="cancel-note">{t!(i18n, order.cancel_note)}</label>
                    <textarea id="cancel-note" rows="2" prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                {alert(error)}
                <button type="submit" class="btn btn-danger-outline">{t!(i18n, order.cancel_button)}</button>
            </form>
        </section>
    }
}

/// After delivery: the link to the customer's C-card.
#[component]
fn DeliveredCCard(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    move || {
        sync.records("c_card")
            .into_iter()
            .find(|c| field::uuid(c, "order_id") == Some(id))
            .map(|c| {
                view! {
                    <section class="panel">
                        <A href=format!("/sales/c-cards/{}", c.id) attr:class="btn btn-primary">
                            {t!(i18n, order.open_c_card)}
                        </A>
                    </section>
                }
            })
    }
}

/// The time of a log entry, for lists.
pub fn entry_time(e: &domain::sync::LogEntry) -> String {
    local_time(e.hlc.wall_ms as f64, true)
}

/// On the A-card page: the card's orders, and 下订单 when the card may take one.
#[component]
pub fn CardOrders(id: Uuid, card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    move || {
        let clock = store_clock();
        let settings = sync.records("sales_settings");
        let orders: Vec<Order> = sync
            .records("order")
            .iter()
            .map(|o| Order::of(o, clock))
            .filter(|o| o.a_card_id == Some(id))
            .collect();
        let roles = me().map(|(_, r)| r).unwrap_or_default();
        let may_order = card.with(|c| {
            c.as_ref().is_some_and(|c| {
                let status = ACard::of(c, clock).status;
                status.next(ACardActionKind::PlaceOrder, &roles).is_ok()
            })
        });
        if orders.is_empty() && !may_order {
            return ().into_any();
        }
        view! {
            <section class="panel" aria-labelledby="card-orders-title">
                <div class="panel-head">
                    <h2 id="card-orders-title">{t!(i18n, order.title)}</h2>
                    {may_order.then(|| view! {
                        <A href=format!("/sales/orders/new?a_card={id}") attr:class="btn btn-primary">
                            {t!(i18n, order.place)}
                        </A>
                    })}
                </div>
                <ul class="promise-list">
                    {orders.into_iter().map(|o| {
                        let label = format!(
                            "{} · {}",
                            model_name(i18n, &settings, o.model.as_deref().unwrap_or_default()),
                            o.signed_at.map(|t| stored_date(t.date())).unwrap_or_default()
                        );
                        view! {
                            <li>
                                <A href=format!("/sales/orders/{}", o.id)>{label}</A>
                                " " <span class="badge badge-muted">{order_status_label(i18n, o.status.as_str())}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    }
}
