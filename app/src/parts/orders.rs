//! `/parts/orders` (紧急订货): a part missing for a job ordered from a supplier with its promised
//! date (`emergency_order_plan`); while it is on its way its repair order is on Parts Hold
//! (等待配件: the advisor's board and the customer's status page say so). Its arrival (到货)
//! receives it into stock when it is a catalogue part. `/parts/unfitted` (到货未装): the parts
//! that arrived and were neither fitted nor returned, oldest first with the days they waited
//! (`wall_of_shame`), to be fitted (装车) or returned (退货) in time.

use domain::parts::orders::{EmergencyOrder, OrderStatus, Unfitted, wall_of_shame};
use domain::parts::plan::{
    JobRef, NewOrder, arrival_plan, cancel_order_plan, emergency_order_plan, fitted_plan,
    order_returned_plan,
};
use domain::sales::chrono::NaiveDate;
use leptos::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

use super::data::{self, qty_of};
use crate::clock::{now_local, store_clock, today};
use crate::i18n::*;
use crate::sync::{SyncCtx, use_sync};
use crate::ui::alert::Alert;
use crate::ui::edit::{EditState, use_edit};
use crate::ui::export::ExportButton;
use crate::ui::field::{DateField, NumberField, Select, TextField};
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

fn status_words(i18n: I18nContext<Locale>, s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Ordered => t_string!(i18n, parts.orders.ordered),
        OrderStatus::Arrived => t_string!(i18n, parts.orders.arrived),
        OrderStatus::Fitted => t_string!(i18n, parts.orders.fitted),
        OrderStatus::Returned => t_string!(i18n, parts.orders.returned),
        OrderStatus::Cancelled => t_string!(i18n, parts.orders.cancelled),
    }
}

fn order_label(o: &EmergencyOrder) -> String {
    crate::ui::kinds::joined(vec![
        o.part_no.clone(),
        o.name.clone(),
        o.qty.map(|q| format!("× {q}")).unwrap_or_default(),
    ])
}

/// 新增紧急订货.
#[component]
fn NewEmergencyOrder() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let part = RwSignal::new(String::new());
    let part_no = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let qty = RwSignal::new("1".to_string());
    let supplier = RwSignal::new(String::new());
    let promised = RwSignal::new(String::new());
    let ro = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let part_options = Signal::derive(move || data::part_options(sync));
    let open_ros = data::use_open_ros();
    let ro_options = Signal::derive(move || {
        open_ros
            .get()
            .iter()
            .map(|r| (r.id.to_string(), data::ro_label(r)))
            .collect::<Vec<_>>()
    });
    // Choosing a catalogue part fills its number, name and supplier.
    Effect::new(move |_| {
        let Ok(id) = Uuid::parse_str(&part.get()) else {
            return;
        };
        if let Some(p) = data::parts(sync).into_iter().find(|p| p.part.id == id) {
            part_no.set(p.part.part_no);
            name.set(p.part.name);
            if !p.part.supplier.is_empty() {
                supplier.set(p.part.supplier);
            }
        }
    });
    let submit = move |_| {
        done.set(false);
        let Some(q) = qty_of(&qty.get_untracked()) else {
            edit.fail(t_string!(i18n, parts.receive.choose).to_string());
            return;
        };
        let order = NewOrder {
            order_id: Uuid::now_v7(),
            part_id: Uuid::parse_str(&part.get_untracked()).ok(),
            part_no: part_no.get_untracked(),
            name: name.get_untracked(),
            qty: q,
            supplier: supplier.get_untracked(),
            promised_date: store_clock().parse_date(&promised.get_untracked()),
            job: JobRef {
                appointment_id: None,
                ro_id: Uuid::parse_str(&ro.get_untracked()).ok(),
            },
            ro_line_id: None,
            ordered_at: Some(now_local()),
            note: note.get_untracked(),
        };
        let plan = emergency_order_plan(&order);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            for s in [part, part_no, name, promised, ro, note] {
                s.set(String::new());
            }
            qty.set("1".into());
            done.set(true);
        });
    };
    let choose = Signal::derive(move || t_string!(i18n, parts.receive.choose).to_string());
    let choose_ro = Signal::derive(move || t_string!(i18n, parts.issue.choose_ro).to_string());
    view! {
        <div class="form parts-order-new">
            <Select id="order-part" value=part options=part_options blank=choose>{t!(i18n, parts.orders.part)}</Select>
            <TextField id="order-part-no" value=part_no autocomplete="off">{t!(i18n, parts.orders.part_no)}</TextField>
            <TextField id="order-name" value=name autocomplete="off">{t!(i18n, parts.orders.name)}</TextField>
            <NumberField id="order-qty" value=qty min="1" step="1">{t!(i18n, parts.orders.qty)}</NumberField>
            <TextField id="order-supplier" value=supplier autocomplete="off">{t!(i18n, parts.orders.supplier)}</TextField>
            <DateField id="order-promised" value=promised>{t!(i18n, parts.orders.promised)}</DateField>
            <Select id="order-ro" value=ro options=ro_options blank=choose_ro>{t!(i18n, parts.orders.ro)}</Select>
            <TextField id="order-note" value=note autocomplete="off">{t!(i18n, parts.orders.note)}</TextField>
            <Alert message=edit.error />
            <div class="actions">
                <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=submit>
                    {t!(i18n, parts.orders.submit)}
                </button>
                {move || done.get().then(|| view! { " " <span role="status">{t!(i18n, parts.orders.done)}</span> })}
            </div>
        </div>
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let open = Memo::new(move |_| {
        data::orders(sync)
            .into_iter()
            .filter(EmergencyOrder::open)
            .collect::<Vec<_>>()
    });
    let open_ros = data::use_open_ros();
    let plates = move |ro: Option<Uuid>| {
        ro.and_then(|id| {
            open_ros
                .get()
                .into_iter()
                .find(|r| r.id == id)
                .map(|r| data::ro_label(&r))
        })
        .unwrap_or_default()
    };
    let rows = Signal::derive(move || {
        let day = today();
        open.get()
            .into_iter()
            .map(|o| OrderRow {
                late: o.late(day),
                plates: plates(o.ro_id),
                o,
            })
            .collect::<Vec<_>>()
    });
    let columns = order_columns(i18n, sync, edit);
    let export = {
        let columns = columns.clone();
        Callback::new(move |()| {
            let title = format!("{} {}", t_string!(i18n, parts.orders.title), today());
            columns.export(i18n, title, &rows.get_untracked())
        })
    };
    view! {
        <Panel id="parts-orders-title" page=true title=move || t!(i18n, parts.orders.title) actions=move || view! {
            <ExportButton table=export />
        }>
            <Alert message=edit.error />
            <DataTable
                columns=columns
                rows=rows
                class="parts-orders"
                empty=|i| t_string!(i, parts.orders.none)
                row_class=|r: &OrderRow| Some(if r.late { "parts-order late" } else { "parts-order" })
            />
        </Panel>
        <Panel id="parts-order-new-title" title=move || t!(i18n, parts.orders.new)>
            <NewEmergencyOrder />
        </Panel>
    }
}

/// A row of the open emergency orders: the order, whether it is late, its RO's plate.
#[derive(Debug, Clone, PartialEq)]
struct OrderRow {
    o: EmergencyOrder,
    late: bool,
    plates: String,
}

/// The open orders' columns; 到货 and 取消 act on the row.
fn order_columns(i18n: I18nContext<Locale>, sync: SyncCtx, edit: EditState) -> Columns<OrderRow> {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Columns::new(vec![
        Column::text(
            |i| t_string!(i, parts.orders.name),
            |r: &OrderRow| order_label(&r.o),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, parts.orders.supplier),
            |r: &OrderRow| r.o.supplier.clone(),
        ),
        Column::new(
            |i| t_string!(i, parts.orders.promised),
            move |r: &OrderRow| {
                let promised = date(r.o.promised_date);
                let late = r.late;
                view! {
                    {promised}
                    {late.then(|| view! { " " <span class="badge badge-late">{t!(i18n, parts.orders.late)}</span> })}
                }
                .into_any()
            },
            move |r: &OrderRow| json!(date(r.o.promised_date)),
        ),
        Column::text(
            |i| t_string!(i, parts.orders.ro),
            |r: &OrderRow| r.plates.clone(),
        ),
        Column::text(
            |i| t_string!(i, parts.orders.status),
            move |r: &OrderRow| status_words(i18n, r.o.status).to_string(),
        ),
        Column::view_only(
            |_| String::new(),
            move |r: &OrderRow| {
                let arrive = {
                    let o = r.o.clone();
                    move |_| {
                        let plan = arrival_plan(&o, now_local());
                        edit.run(async move { sync.execute(&plan).await }, |_| ());
                    }
                };
                let id = r.o.id;
                let cancel = move |_| {
                    let plan = cancel_order_plan(id);
                    edit.run(async move { sync.execute(&plan).await }, |_| ());
                };
                view! {
                    <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=arrive>{t!(i18n, parts.orders.arrive)}</button>
                    " "
                    <button type="button" class="btn btn-link" disabled=move || edit.busy.get() on:click=cancel>{t!(i18n, parts.orders.cancel)}</button>
                }
                .into_any()
            },
        ),
    ])
}

#[component]
pub fn UnfittedPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let wall = Memo::new(move |_| {
        let orders = data::orders(sync);
        wall_of_shame(&orders, today())
            .into_iter()
            .filter_map(|u| {
                let o = orders.iter().find(|o| o.id == u.order_id)?.clone();
                Some((u, o))
            })
            .collect::<Vec<_>>()
    });
    let rows = Signal::derive(move || {
        wall.get()
            .into_iter()
            .map(|(u, o)| UnfittedRow { u, o })
            .collect::<Vec<_>>()
    });
    let columns = unfitted_columns(i18n, sync, edit);
    let export = {
        let columns = columns.clone();
        Callback::new(move |()| {
            let title = format!("{} {}", t_string!(i18n, parts.unfitted.title), today());
            columns.export(i18n, title, &rows.get_untracked())
        })
    };
    view! {
        <Panel id="parts-unfitted-title" page=true title=move || t!(i18n, parts.unfitted.title) actions=move || view! {
            <ExportButton table=export />
        }>
            <Alert message=edit.error />
            <DataTable
                columns=columns
                rows=rows
                class="parts-unfitted"
                empty=|i| t_string!(i, parts.unfitted.none)
                row_class=|_: &UnfittedRow| Some("unfitted")
            />
        </Panel>
    }
}

/// A row of 到货未装: the days waited and the order.
#[derive(Debug, Clone, PartialEq)]
struct UnfittedRow {
    u: Unfitted,
    o: EmergencyOrder,
}

/// 到货未装's columns; 装车 and 退货 act on the row.
fn unfitted_columns(
    i18n: I18nContext<Locale>,
    sync: SyncCtx,
    edit: EditState,
) -> Columns<UnfittedRow> {
    Columns::new(vec![
        Column::text(
            |i| t_string!(i, parts.orders.name),
            |r: &UnfittedRow| order_label(&r.o),
        )
        .row_header(),
        Column::text(
            |i| t_string!(i, parts.unfitted.arrived_on),
            |r: &UnfittedRow| r.u.arrived_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        Column::new(
            |i| t_string!(i, parts.unfitted.days),
            |r: &UnfittedRow| {
                let days = r.u.days_waiting.map(|d| d.to_string()).unwrap_or_default();
                view! { {days} }.into_any()
            },
            |r: &UnfittedRow| r.u.days_waiting.map_or(Value::Null, |d| json!(d)),
        )
        .class("num"),
        Column::view_only(
            |_| String::new(),
            move |r: &UnfittedRow| {
                let fit = {
                    let o = r.o.clone();
                    move |_| {
                        let plan = fitted_plan(&o);
                        edit.run(async move { sync.execute(&plan).await }, |_| ());
                    }
                };
                let back = {
                    let o = r.o.clone();
                    move |_| {
                        let plan = order_returned_plan(&o);
                        edit.run(async move { sync.execute(&plan).await }, |_| ());
                    }
                };
                view! {
                    <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=fit>{t!(i18n, parts.unfitted.fit)}</button>
                    " "
                    <button type="button" class="btn btn-link" disabled=move || edit.busy.get() on:click=back>{t!(i18n, parts.unfitted.send_back)}</button>
                }
                .into_any()
            },
        ),
    ])
}
