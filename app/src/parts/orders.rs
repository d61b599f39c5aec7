//! `/parts/orders` (紧急订货): a part missing for a job ordered from a supplier with its promised
//! date (`emergency_order_plan`); while it is on its way its repair order is on Parts Hold
//! (等待配件: the advisor's board and the customer's status page say so). Its arrival (到货)
//! receives it into stock when it is a catalogue part. `/parts/unfitted` (到货未装): the parts
//! that arrived and were neither fitted nor returned, oldest first with the days they waited
//! (`wall_of_shame`), to be fitted (装车) or returned (退货) in time.

use domain::parts::orders::{EmergencyOrder, OrderStatus, wall_of_shame};
use domain::parts::plan::{
    JobRef, NewOrder, arrival_plan, cancel_order_plan, emergency_order_plan, fitted_plan,
    order_returned_plan,
};
use leptos::prelude::*;
use uuid::Uuid;

use super::data::{self, qty_of};
use crate::clock::{now_local, store_clock, today};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{DateField, NumberField, Select, TextField};
use crate::ui::panel::Panel;

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
    let ro_options = Signal::derive(move || {
        data::open_ros(sync)
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
    let plates = move |ro: Option<Uuid>| {
        ro.and_then(|id| {
            data::open_ros(sync)
                .into_iter()
                .find(|r| r.id == id)
                .map(|r| data::ro_label(&r))
        })
        .unwrap_or_default()
    };
    view! {
        <Panel id="parts-orders-title" page=true title=move || t!(i18n, parts.orders.title)>
            <Alert message=edit.error />
            {move || {
                let rows = open.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, parts.orders.none)}</p> }.into_any();
                }
                let day = today();
                view! {
                    <div class="table-wrap">
                        <table class="table parts-orders">
                            <thead>
                                <tr>
                                    <th>{t!(i18n, parts.orders.name)}</th>
                                    <th>{t!(i18n, parts.orders.supplier)}</th>
                                    <th>{t!(i18n, parts.orders.promised)}</th>
                                    <th>{t!(i18n, parts.orders.ro)}</th>
                                    <th>{t!(i18n, parts.orders.status)}</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|o| {
                                    let late = o.late(day);
                                    let arrive = {
                                        let o = o.clone();
                                        move |_| {
                                            let plan = arrival_plan(&o, now_local());
                                            edit.run(async move { sync.execute(&plan).await }, |_| ());
                                        }
                                    };
                                    let id = o.id;
                                    let cancel = move |_| {
                                        let plan = cancel_order_plan(id);
                                        edit.run(async move { sync.execute(&plan).await }, |_| ());
                                    };
                                    view! {
                                        <tr class="parts-order" class:late=late>
                                            <th scope="row">{order_label(&o)}</th>
                                            <td>{o.supplier.clone()}</td>
                                            <td>
                                                {o.promised_date.map(|d| d.to_string()).unwrap_or_default()}
                                                {late.then(|| view! { " " <span class="badge badge-late">{t!(i18n, parts.orders.late)}</span> })}
                                            </td>
                                            <td>{plates(o.ro_id)}</td>
                                            <td>{status_words(i18n, o.status)}</td>
                                            <td>
                                                <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=arrive>{t!(i18n, parts.orders.arrive)}</button>
                                                " "
                                                <button type="button" class="btn btn-link" disabled=move || edit.busy.get() on:click=cancel>{t!(i18n, parts.orders.cancel)}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </Panel>
        <Panel id="parts-order-new-title" title=move || t!(i18n, parts.orders.new)>
            <NewEmergencyOrder />
        </Panel>
    }
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
    view! {
        <Panel id="parts-unfitted-title" page=true title=move || t!(i18n, parts.unfitted.title)>
            <Alert message=edit.error />
            {move || {
                let rows = wall.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, parts.unfitted.none)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table parts-unfitted">
                            <thead>
                                <tr>
                                    <th>{t!(i18n, parts.orders.name)}</th>
                                    <th>{t!(i18n, parts.unfitted.arrived_on)}</th>
                                    <th>{t!(i18n, parts.unfitted.days)}</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|(u, o)| {
                                    let fit = {
                                        let o = o.clone();
                                        move |_| {
                                            let plan = fitted_plan(&o);
                                            edit.run(async move { sync.execute(&plan).await }, |_| ());
                                        }
                                    };
                                    let back = {
                                        let o = o.clone();
                                        move |_| {
                                            let plan = order_returned_plan(&o);
                                            edit.run(async move { sync.execute(&plan).await }, |_| ());
                                        }
                                    };
                                    view! {
                                        <tr class="unfitted">
                                            <th scope="row">{order_label(&o)}</th>
                                            <td>{u.arrived_on.map(|d| d.to_string()).unwrap_or_default()}</td>
                                            <td class="num">{u.days_waiting.map(|d| d.to_string()).unwrap_or_default()}</td>
                                            <td>
                                                <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=fit>{t!(i18n, parts.unfitted.fit)}</button>
                                                " "
                                                <button type="button" class="btn btn-link" disabled=move || edit.busy.get() on:click=back>{t!(i18n, parts.unfitted.send_back)}</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </Panel>
    }
}
