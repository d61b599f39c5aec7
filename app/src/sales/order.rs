//! Orders (订单): the list (`/sales/orders`), a new order from an A-card
//! (`/sales/orders/new?a_card=<id>`) and the deal file (`/sales/orders/:id`): the deal's fields, the
//! promises (精品/赠品), moving the promised delivery date (with the "tell the customer" task),
//! cancellation (退单) and the delivery (`delivery.rs`). Rules are `domain::sales::order`; the
//! A-card's status follows `domain::sales::loss::ACardStatus::next`.

use domain::label::{Bilingual, Choice};
use domain::plan::{Plan, PlannedWrite, Step};
use domain::records::{
    ACard, CARE_TASK, CareTask, CareTaskStatus, ORDER, Order, OrderStatus, TradeIn, field,
};
use domain::sales::chrono::NaiveDateTime;
use domain::sales::loss::ACardActionKind;
use domain::sales::order::{
    CLOSED_LIST_DAYS, CancellationReason, TaskKind, closed_within_days, delivery_overdue, yuan_text,
};
use domain::sales::order_plan::{
    OrderFields, cancel_plan, edit_order_plan, move_date_plan, place_order_plan,
};
use domain::sales::settings::StoreSettings;
use domain::sync::RecordState;
use domain::time::{stored_date, stored_time};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde_json::json;
use uuid::Uuid;

use super::delivery::{DeliverySection, all_text};
use super::words::model_name;
use crate::clock::{now_local, now_stored, store_clock};
use crate::i18n::*;
use crate::session::use_me;
use crate::sync::store::{BY_DAY_INDEX, BY_STATUS_INDEX};
use crate::sync::{Query, use_sync};
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::error::UserText;
use crate::ui::field::choice::EnumSelect;
use crate::ui::field::{Bind, DateField, Select, TextArea, TextField};
use crate::ui::labels::{phone_display, who};
use crate::ui::list::ItemList;
use crate::ui::panel::Panel;
use crate::ui::record_page::{RecordPage, field_list, missing};
use crate::ui::table::{Column, Columns, DataTable};

// ---- words and parts shared with the C-card page ----

/// An amount of yuan as shown (`¥268,000`; nothing when unknown).
fn money(v: Option<i64>) -> String {
    v.map(yuan_text).unwrap_or_default()
}

/// The name of the user `id` (nothing when none).
fn person(id: Option<Uuid>) -> String {
    id.map(|u| who(&u.to_string())).unwrap_or_default()
}

/// A stored store-local time as shown (`YYYY-MM-DD HH:MM`; nothing when unknown).
pub fn time_text(t: Option<NaiveDateTime>) -> String {
    t.map(|t| stored_time(t).replace('T', " "))
        .unwrap_or_default()
}

/// A value's label in the user's language.
pub fn label_of(i18n: I18nContext<Locale>, v: &impl Bilingual) -> String {
    v.label(i18n.get_locale_untracked() == Locale::en)
        .to_string()
}

words! {
    fn order_status_label(status: OrderStatus) -> String {
        OrderStatus::Signed => order.status_signed,
        OrderStatus::Delivered => order.status_delivered,
        OrderStatus::Cancelled => order.status_cancelled,
    }
}

// ---- the list ----

/// A line of the order list.
#[derive(Clone, PartialEq)]
struct OrderRow {
    order: Order,
    customer: String,
    model: String,
    overdue: bool,
}

/// `/sales/orders`: open orders first by promised date (overdue flagged), or the delivered /
/// cancelled ones.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let filter = RwSignal::new("signed".to_string());
    let filters = Signal::derive(move || {
        [
            ("signed", t_string!(i18n, order.filter_open)),
            ("delivered", t_string!(i18n, order.status_delivered)),
            ("cancelled", t_string!(i18n, order.status_cancelled)),
            ("all", t_string!(i18n, order.filter_all)),
        ]
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .to_vec()
    });
    // The closed orders shown: those of the last `days` days (more with 更早的订单).
    let days = RwSignal::new(CLOSED_LIST_DAYS);
    // The open orders (index `by_status`: the store's pipeline, read whole) …
    let open = sync.read(move || {
        let wanted = filter.get();
        (wanted == "signed" || wanted == "all")
            .then(|| Query::page(BY_STATUS_INDEX, "order", &["signed"], None, u32::MAX))
    });
    // … and the delivered or cancelled ones closed within the days shown (by the day they
    // closed, `kpi_reads::closed_key`: a store's years of orders are not read).
    let closed = sync.read(move || {
        let wanted = filter.get();
        let (from, to) = closed_within_days(now_local().date(), days.get());
        match wanted.as_str() {
            "signed" => None,
            "all" => Some(Query::Within {
                index: BY_DAY_INDEX,
                prefix: vec!["order".to_string()],
                from,
                to,
            }),
            status => Some(Query::Within {
                index: BY_STATUS_INDEX,
                prefix: vec!["order".to_string(), status.to_string()],
                from,
                to,
            }),
        }
    });
    let rows = Memo::new(move |_| {
        let wanted = filter.get();
        let today = now_local().date();
        let settings = sync.records("sales_settings");
        let clock = store_clock();
        let (open, closed) = (open.records.get(), closed.records.get());
        let mut orders: Vec<Order> = open
            .iter()
            .chain(closed.iter())
            .filter(|o| !o.is_deleted())
            .map(|o| Order::of(o, clock))
            .filter(|o| wanted == "all" || o.status.as_str() == wanted)
            .collect();
        // Open orders by promised date; the others latest first.
        let latest = |o: &Order| o.delivered_at.max(o.signed_at);
        orders.sort_by(|a, b| {
            let (oa, ob) = (
                a.status == OrderStatus::Signed,
                b.status == OrderStatus::Signed,
            );
            ob.cmp(&oa).then_with(|| {
                if oa && ob {
                    a.promised_date.cmp(&b.promised_date)
                } else {
                    latest(b).cmp(&latest(a))
                }
            })
        });
        orders
            .into_iter()
            .map(|o| OrderRow {
                customer: o
                    .a_card_id
                    .and_then(|c| sync.record(c))
                    .and_then(|c| field::string(&c, "name"))
                    .unwrap_or_else(|| t_string!(i18n, order.no_customer).to_string()),
                model: model_name(i18n, &settings, o.model.as_deref().unwrap_or_default()),
                overdue: delivery_overdue(o.status.as_str(), o.promised_date, today),
                order: o,
            })
            .collect::<Vec<_>>()
    });
    let promised = |r: &OrderRow| r.order.promised_date.map(stored_date).unwrap_or_default();
    let columns = Columns::new(vec![
        Column::new(
            |i| t_string!(i, order.customer),
            |r: &OrderRow| {
                let href = format!("/sales/orders/{}", r.order.id);
                let customer = r.customer.clone();
                view! { <A href=href>{customer}</A> }.into_any()
            },
            |r: &OrderRow| r.customer.clone().into(),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, order.model),
            |r: &OrderRow| r.model.clone(),
        ),
        Column::text(
            |i| t_string!(i, order.price),
            |r: &OrderRow| money(r.order.price),
        ),
        Column::new(
            |i| t_string!(i, order.promised_date),
            move |r: &OrderRow| {
                let late = r.overdue.then(|| {
                    view! { " " <span class="badge badge-late">{t!(i18n, order.overdue)}</span> }
                });
                view! { {promised(r)} {late} }.into_any()
            },
            move |r: &OrderRow| promised(r).into(),
        ),
        Column::text(
            |i| t_string!(i, order.status),
            move |r: &OrderRow| order_status_label(i18n, r.order.status),
        ),
        Column::text(
            |i| t_string!(i, order.consultant),
            |r: &OrderRow| person(r.order.consultant_id),
        ),
    ]);
    view! {
        <Panel id="orders-title" page=true title=move || t!(i18n, order.list_title) actions=move || view! {
            <Select id="orders-filter" value=filter options=filters class="field field-inline">
                {t!(i18n, order.show)}
            </Select>
        }>
            <DataTable
                columns=columns
                rows=rows
                class="order-table"
                empty=|i| t_string!(i, order.empty)
                row_class=|r: &OrderRow| r.overdue.then_some("overdue")
            />
            <Show when=move || filter.with(|f| f != "signed")>
                <p class="muted small orders-window">
                    {move || {
                        let (from, _) = closed_within_days(now_local().date(), days.get());
                        let since = from.trim_start_matches('~').to_string();
                        t!(i18n, order.closed_since, day = since)
                    }}
                    " "
                    <button
                        type="button"
                        class="btn btn-link"
                        on:click=move |_| days.update(|d| *d += CLOSED_LIST_DAYS)
                    >
                        {t!(i18n, order.earlier)}
                    </button>
                </p>
            </Show>
        </Panel>
    }
}

// ---- the deal's fields ----

/// How the trade-in reads: `现有车辆 · ¥50,000`, 是/否 for the demo's plain flag.
fn trade_in_text(i18n: I18nContext<Locale>, trade_in: &Option<TradeIn>) -> String {
    match trade_in {
        Some(TradeIn::Car {
            car,
            value: Some(v),
        }) => format!("{car} · {}", yuan_text(*v)),
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
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let current_model = initial.model.clone();
    let f = RwSignal::new(initial);
    let error = RwSignal::new(None::<String>);
    let prefix = StoredValue::new(prefix);
    let id = move |name: &str| format!("order-{}-{name}", prefix.get_value());
    let bind = move |get: fn(&OrderFields) -> &String, set: fn(&mut OrderFields, String)| {
        Bind::new(
            move || f.with(|f| get(f).clone()),
            move |v| f.update(|f| set(f, v)),
        )
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(on_save.run(f.get_untracked()));
    };
    let english = i18n.get_locale_untracked() == Locale::en;
    let models: Vec<(String, String)> = StoreSettings::of(&sync.records("sales_settings"))
        .catalogue()
        .models
        .into_iter()
        .filter(|m| m.on_sale || m.code == current_model)
        .map(|m| {
            let name = if english { m.name_en } else { m.name_zh };
            (m.code, name)
        })
        .collect();
    let text = move |name: &str,
                     get: fn(&OrderFields) -> &String,
                     set: fn(&mut OrderFields, String),
                     label: String| {
        view! { <TextField id=id(name) autocomplete="off" value=bind(get, set)>{label}</TextField> }
    };
    let amount = move |name: &str,
                       get: fn(&OrderFields) -> &String,
                       set: fn(&mut OrderFields, String),
                       label: String| {
        view! {
            <TextField id=id(name) autocomplete="off" inputmode="decimal" value=bind(get, set)>
                {label}
            </TextField>
        }
    };
    view! {
        <form class="form order-form" on:submit=submit novalidate>
            <Select
                id=id("model")
                value=bind(|f| &f.model, |f, v| f.model = v)
                options=models
                blank=Signal::derive(move || t_string!(i18n, order.choose).to_string())
            >
                {t!(i18n, order.model)}
            </Select>
            {text("configuration", |f| &f.configuration, |f, v| f.configuration = v, t_string!(i18n, order.configuration).to_string())}
            {amount("price", |f| &f.price, |f, v| f.price = v, t_string!(i18n, order.price).to_string())}
            {amount("deposit", |f| &f.deposit, |f, v| f.deposit = v, t_string!(i18n, order.deposit).to_string())}
            {text("trade-in-car", |f| &f.trade_in_car, |f, v| f.trade_in_car = v, t_string!(i18n, order.trade_in_car).to_string())}
            {amount("trade-in-value", |f| &f.trade_in_value, |f, v| f.trade_in_value = v, t_string!(i18n, order.trade_in_value).to_string())}
            {text("finance", |f| &f.finance_campaign, |f, v| f.finance_campaign = v, t_string!(i18n, order.finance_campaign).to_string())}
            {text("insurance", |f| &f.insurance, |f, v| f.insurance = v, t_string!(i18n, order.insurance).to_string())}
            <DateField id=id("promised") value=bind(|f| &f.promised_date, |f, v| f.promised_date = v)>
                {t!(i18n, order.promised_date)}
            </DateField>
            <Alert message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t!(i18n, order.save)}</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>
                    {t!(i18n, order.cancel_edit)}
                </button>
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
    let edit = use_edit();
    // The form is drawn once per card: a sync while typing must not reset it.
    let exists = Memo::new(move |_| card_id.get().is_some_and(|id| sync.record(id).is_some()));
    let to_cards =
        move |message: AnyView| missing(message, "/sales/a-cards", t!(i18n, order.to_cards));
    move || {
        let Some(card_id) = card_id.get() else {
            return to_cards(t!(i18n, order.pick_card).into_any());
        };
        let card = exists
            .get()
            .then(|| untrack(|| sync.record(card_id)))
            .flatten();
        let Some(card) = card else {
            return to_cards(t!(i18n, order.card_not_found).into_any());
        };
        let card = ACard::of(&card, store_clock());
        let initial = OrderFields {
            model: card.intended_model.unwrap_or_default(),
            ..OrderFields::default()
        };
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
                Err(problems) => return Some(all_text(i18n, &problems)),
            };
            let navigate = navigate.clone();
            edit.run(async move { sync.execute(&plan).await }, move |_| {
                navigate(&format!("/sales/orders/{id}"), Default::default())
            });
            None
        });
        let cancel = Callback::new({
            let navigate = use_navigate();
            move |()| navigate(&format!("/sales/a-cards/{card_id}"), Default::default())
        });
        view! {
            <section class="panel page-narrow-panel" aria-labelledby="new-order-title">
                <h1 id="new-order-title">{t!(i18n, order.new_title)} " · " {card.name}</h1>
                <OrderForm initial=initial prefix="new".to_string() on_save=on_save on_cancel=cancel />
                <Alert message=edit.error />
            </section>
        }
        .into_any()
    }
}

// ---- one order ----

/// `/sales/orders/:id`: the deal file.
#[component]
pub fn OrderPage() -> impl IntoView {
    view! { <RecordPage record_type="order" view=|(id, order)| view! { <OrderView id=id order=order /> }.into_any() /> }
}

#[component]
fn OrderView(id: Uuid, order: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editing = RwSignal::new(false);
    let deal = Memo::new(move |_| order.with(|o| o.as_ref().map(|o| Order::of(o, store_clock()))));
    let status = Memo::new(move |_| {
        deal.with(|o| o.as_ref().map(|o| o.status))
            .unwrap_or(OrderStatus::Signed)
    });
    let card = Memo::new(move |_| sync.record(deal.with(|o| o.as_ref()?.a_card_id)?));
    let customer = move || {
        card.with(|c| c.as_ref().and_then(|c| field::string(c, "name")))
            .unwrap_or_default()
    };
    let edit = use_edit();
    let saved = RwSignal::new(false);
    let saved_text = Signal::derive(move || {
        saved
            .get()
            .then(|| t_string!(i18n, order.saved).to_string())
    });

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
            return Some(all_text(i18n, &problems));
        }
        let plan = edit_order_plan(id, &before, &after);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            editing.set(false);
            saved.set(true);
        });
        None
    });

    let fields = move || {
        if editing.get() {
            let before = deal
                .get_untracked()
                .map(|o| OrderFields::of(&o))
                .unwrap_or_default();
            let start = before.clone();
            let save =
                Callback::new(move |after: OrderFields| on_save.run((before.clone(), after)));
            let cancel = Callback::new(move |()| editing.set(false));
            return view! { <OrderForm initial=start prefix=id.to_string() on_save=save on_cancel=cancel /> }
                .into_any();
        }
        let Some(o) = deal.get() else {
            return ().into_any();
        };
        let settings = sync.records("sales_settings");
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut rows = vec![
            (
                t_string!(i18n, order.status),
                order_status_label(i18n, o.status),
            ),
            (
                t_string!(i18n, order.model),
                model_name(i18n, &settings, &text(&o.model)),
            ),
            (t_string!(i18n, order.configuration), text(&o.configuration)),
            (t_string!(i18n, order.price), money(o.price)),
            (t_string!(i18n, order.deposit), money(o.deposit)),
            (
                t_string!(i18n, order.trade_in),
                trade_in_text(i18n, &o.trade_in),
            ),
            (
                t_string!(i18n, order.finance_campaign),
                text(&o.finance_campaign),
            ),
            (t_string!(i18n, order.insurance), text(&o.insurance)),
            (
                t_string!(i18n, order.promised_date),
                o.promised_date.map(stored_date).unwrap_or_default(),
            ),
            (t_string!(i18n, order.signed_at), time_text(o.signed_at)),
            (t_string!(i18n, order.consultant), person(o.consultant_id)),
        ];
        if o.status == OrderStatus::Cancelled {
            let reason = o.cancel_reason.map(|r| label_of(i18n, &r));
            rows.push((
                t_string!(i18n, order.cancel_reason),
                reason.unwrap_or_default(),
            ));
            rows.push((t_string!(i18n, order.cancel_note), text(&o.cancel_note)));
        }
        if o.status == OrderStatus::Delivered {
            rows.push((t_string!(i18n, order.vin), text(&o.vin)));
            rows.push((t_string!(i18n, order.plate), text(&o.plate)));
            rows.push((
                t_string!(i18n, order.delivered_at),
                time_text(o.delivered_at),
            ));
        }
        let card_href = card.with(|c| c.as_ref().map(|c| format!("/sales/a-cards/{}", c.id)));
        let phone = card
            .with(|c| c.as_ref().map(|c| phone_display(&field::shown(c, "phone"))))
            .unwrap_or_default();
        let lead = view! {
            <div>
                <dt>{t!(i18n, order.customer)}</dt>
                <dd>{card_href.map(|h| view! { <A href=h>{customer()}</A> })} " " {phone}</dd>
            </div>
        };
        field_list(lead, rows).into_any()
    };

    let open = move || status.get() == OrderStatus::Signed;
    view! {
        <p class="back-link">
            <A href="/sales/orders">{t!(i18n, order.back)}</A>
        </p>
        <section class="panel" aria-labelledby="order-title">
            <div class="panel-head">
                <h1 id="order-title">{t!(i18n, order.title)} " · " {customer}</h1>
                <Show when=move || !editing.get() && open()>
                    <button type="button" class="btn btn-secondary" on:click=move |_| { saved.set(false); editing.set(true); }>
                        {t!(i18n, order.edit)}
                    </button>
                </Show>
            </div>
            {fields}
            <Notice message=saved_text class="notice notice-ok" />
            <Alert message=edit.error />
        </section>
        <Promises id=id order=deal open=Signal::derive(open) />
        <TellTasks id=id order=deal />
        <Show when=open>
            <MoveDate order=order card=card />
            <DeliverySection id=id order=order card=card />
            <CancelOrder id=id card=card />
        </Show>
        <Show when=move || status.get() == OrderStatus::Delivered>
            <DeliveredCCard id=id />
        </Show>
    }
}

/// 精品/赠品: the promises set, with add/remove while the order is open.
#[component]
fn Promises(id: Uuid, order: Memo<Option<Order>>, open: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let item = RwSignal::new(String::new());
    let edit = use_edit();
    let change = move |step: Step| {
        let plan = Plan::new().then(PlannedWrite::new(id, &ORDER).with(step));
        async move { sync.execute(&plan).await }
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let what = item.get_untracked().trim().to_string();
        if what.is_empty() {
            edit.fail(t_string!(i18n, order.need_item).to_string());
            return;
        }
        edit.run(change(Step::SetAdd("promises", what)), move |_| {
            item.set(String::new())
        });
    };
    let remove = move |what: String| edit.run(change(Step::SetRemove("promises", what)), |_| ());
    view! {
        <Panel id="promises-title" title=move || t!(i18n, order.promises)>
            <ItemList
                items=Signal::derive(move || order.with(|o| o.as_ref().map(|o| o.promises.clone()).unwrap_or_default()))
                class="promise-list"
                empty=|i| t_string!(i, order.no_promises)
                item=move |p: String| {
                    let label = format!("{} {p}", t_string!(i18n, order.remove));
                    let what = p.clone();
                    view! {
                        <li>
                            <span>{p}</span>
                            {open.get().then(|| view! {
                                <button type="button" class="btn btn-ghost" aria-label=label on:click=move |_| remove(what.clone())>
                                    {t!(i18n, order.remove)}
                                </button>
                            })}
                        </li>
                    }
                }
            />
            <Show when=move || open.get()>
                <form class="form form-row" on:submit=add novalidate>
                    <TextField id="promise-item" autocomplete="off" value=item>
                        {t!(i18n, order.promise_item)}
                    </TextField>
                    <button type="submit" class="btn btn-secondary">{t!(i18n, order.add_promise)}</button>
                </form>
            </Show>
            <Alert message=edit.error />
        </Panel>
    }
}

/// The open "tell the customer the new date" tasks of the order, with 已告知, and the date log.
#[component]
fn TellTasks(id: Uuid, order: Memo<Option<Order>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let done = move |task: Uuid| {
        let attempt = json!({"at": now_stored(), "channel": "phone", "reached": true});
        let plan = Plan::new().then(
            PlannedWrite::new(task, &CARE_TASK)
                .with(Step::Append("attempts", Uuid::now_v7(), attempt))
                .with(Step::Move("status", "done")),
        );
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    let tell = TaskKind::TellCustomerNewDeliveryDate;
    // The order's care tasks (index `by_link`).
    let linked = sync.read(move || {
        Some(Query::Linked {
            id,
            types: &["care_task"],
        })
    });
    move || {
        let tasks: Vec<CareTask> = linked
            .records
            .get()
            .iter()
            .map(|t| CareTask::of(t, store_clock()))
            .filter(|t| t.order_id == Some(id) && t.kind.as_deref() == Some(tell.as_str()))
            .collect();
        let changes = order.with(|o| {
            o.as_ref()
                .map(|o| o.date_changes.clone())
                .unwrap_or_default()
        });
        if tasks.is_empty() && changes.is_empty() {
            return ().into_any();
        }
        view! {
            <Panel id="date-changes-title" title=move || t!(i18n, order.date_changes)>
                <ul class="task-list">
                    {tasks.into_iter().map(|t| {
                        let open = t.status == CareTaskStatus::Open;
                        let tid = t.id;
                        view! {
                            <li class:task-open=open>
                                <span class=if open { "badge badge-late" } else { "badge badge-ok" }>
                                    {if open { t_string!(i18n, order.task_open) } else { t_string!(i18n, order.task_done) }}
                                </span>
                                " " {label_of(i18n, &tell)} " · " {t.note}
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
                    {changes.into_iter().rev().map(|e| {
                        let s = |k: &str| e.value[k].as_str().unwrap_or_default().to_string();
                        view! { <li>{s("from")} " → " {s("to")} " · " {s("reason")}</li> }
                    }).collect_view()}
                </ol>
                <Alert message=edit.error />
            </Panel>
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
    let edit = use_edit();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(o), Some((user_id, _))) = (order.get_untracked(), me()) else {
            return;
        };
        let Some(to) = store_clock().parse_date(&new_date.get_untracked()) else {
            edit.fail(t_string!(i18n, order.need_new_date).to_string());
            return;
        };
        let card = card.get_untracked();
        let reason_text = reason.get_untracked();
        let clock = store_clock();
        match move_date_plan(
            &o,
            card.as_ref(),
            to,
            &reason_text,
            &user_id,
            now_local(),
            clock,
        ) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, move |_| {
                new_date.set(String::new());
                reason.set(String::new());
            }),
            Err(e) => edit.fail(e.user_text(i18n)),
        }
    };
    view! {
        <Panel id="move-date-title" title=move || t!(i18n, order.move_date)>
            <form class="form" on:submit=submit novalidate>
                <DateField id="move-date-new" value=new_date>{t!(i18n, order.new_date)}</DateField>
                <TextField id="move-date-reason" autocomplete="off" value=reason>
                    {t!(i18n, order.move_reason)}
                </TextField>
                <Alert message=edit.error />
                <button type="submit" class="btn btn-secondary">{t!(i18n, order.move_date)}</button>
            </form>
        </Panel>
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
    let edit = use_edit();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((_, roles)) = me() else { return };
        let Some(r) = CancellationReason::from_wire(&reason.get_untracked()) else {
            edit.fail(t_string!(i18n, order.need_reason).to_string());
            return;
        };
        let card = card.get_untracked();
        match cancel_plan(
            id,
            card.as_ref(),
            r,
            &note.get_untracked(),
            &roles,
            store_clock(),
        ) {
            Ok(plan) => edit.run(async move { sync.execute(&plan).await }, |_| ()),
            Err(e) => edit.fail(e.user_text(i18n)),
        }
    };
    view! {
        <Panel id="cancel-order-title" title=move || t!(i18n, order.cancel_title)>
            <form class="form" on:submit=submit novalidate>
                <EnumSelect<CancellationReason>
                    id="cancel-reason"
                    value=reason
                    blank=Signal::derive(move || t_string!(i18n, order.choose).to_string())
                >
                    {t!(i18n, order.cancel_reason)}
                </EnumSelect<CancellationReason>>
                <TextArea id="cancel-note" value=note>{t!(i18n, order.cancel_note)}</TextArea>
                <Alert message=edit.error />
                <button type="submit" class="btn btn-danger-outline">{t!(i18n, order.cancel_button)}</button>
            </form>
        </Panel>
    }
}

/// After delivery: the link to the customer's C-card.
#[component]
fn DeliveredCCard(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The C-card the delivery made (index `by_link`).
    let linked = sync.read(move || {
        Some(Query::Linked {
            id,
            types: &["c_card"],
        })
    });
    move || {
        linked
            .records
            .get()
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

/// On the A-card page: the card's orders, and 下订单 when the card may take one.
#[component]
pub fn CardOrders(id: Uuid, card: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let sync = use_sync();
    // The card's orders (index `by_link`).
    let linked = sync.read(move || {
        Some(Query::Linked {
            id,
            types: &["order"],
        })
    });
    move || {
        let clock = store_clock();
        let settings = sync.records("sales_settings");
        let orders: Vec<Order> = linked
            .records
            .get()
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
            <Panel id="card-orders-title" title=move || t!(i18n, order.title) actions=move || view! {
                {may_order.then(|| view! {
                    <A href=format!("/sales/orders/new?a_card={id}") attr:class="btn btn-primary">
                        {t!(i18n, order.place)}
                    </A>
                })}
            }>
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
                                " " <span class="badge badge-muted">{order_status_label(i18n, o.status)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Panel>
        }
        .into_any()
    }
}
