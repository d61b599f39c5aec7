//! `/parts/receive` (入库): a supplier's delivery received in one go — the supplier, the delivery
//! note number and several lines (part, quantity) — saved as one receipt per part
//! (`domain::parts::plan::receive_plan`), all or nothing.

use domain::parts::plan::{Delivery, receive_plan};
use leptos::prelude::*;
use uuid::Uuid;

use super::data::{part_options, qty_of};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{NumberField, Select, TextField};
use crate::ui::panel::Panel;

/// One line of the delivery being typed.
#[derive(Clone, Copy)]
struct Line {
    n: usize,
    part: RwSignal<String>,
    qty: RwSignal<String>,
}

impl Line {
    fn new(n: usize) -> Line {
        Line {
            n,
            part: RwSignal::new(String::new()),
            qty: RwSignal::new(String::new()),
        }
    }
}

#[component]
pub fn ReceivePage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let supplier = RwSignal::new(String::new());
    let delivery_no = RwSignal::new(String::new());
    let next = RwSignal::new(1usize);
    let lines = RwSignal::new(vec![Line::new(0)]);
    let done = RwSignal::new(false);
    let options = Signal::derive(move || part_options(sync));
    let add_line = move |_| {
        let n = next.get_untracked();
        next.set(n + 1);
        lines.update(|l| l.push(Line::new(n)));
    };
    let submit = move |_| {
        done.set(false);
        let mut parsed = Vec::new();
        for l in lines.get_untracked() {
            let part = l.part.get_untracked();
            let qty = l.qty.get_untracked();
            if part.is_empty() && qty.trim().is_empty() {
                continue;
            }
            let (Ok(id), Some(q)) = (Uuid::parse_str(&part), qty_of(&qty)) else {
                edit.fail(t_string!(i18n, parts.receive.choose).to_string());
                return;
            };
            parsed.push((id, q));
        }
        if parsed.is_empty() {
            edit.fail(t_string!(i18n, parts.receive.choose).to_string());
            return;
        }
        let plan = receive_plan(&Delivery {
            supplier: supplier.get_untracked(),
            delivery_no: delivery_no.get_untracked(),
            lines: parsed,
        });
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            lines.set(vec![Line::new(next.get_untracked())]);
            next.update(|n| *n += 1);
            delivery_no.set(String::new());
            done.set(true);
        });
    };
    view! {
        <Panel id="parts-receive-title" page=true title=move || t!(i18n, parts.receive.title)>
            <div class="form parts-receive">
                <TextField id="receive-supplier" value=supplier autocomplete="off">{t!(i18n, parts.receive.supplier)}</TextField>
                <TextField id="receive-delivery-no" value=delivery_no autocomplete="off">{t!(i18n, parts.receive.delivery_no)}</TextField>
                <ol class="receive-lines">
                    <For each=move || lines.get() key=|l| l.n let:l>
                        <li class="receive-line">
                            <Select id=format!("receive-part-{}", l.n) value=l.part options=options blank=Signal::derive(move || t_string!(i18n, parts.receive.choose).to_string())>
                                {t!(i18n, parts.receive.part)}
                            </Select>
                            <NumberField id=format!("receive-qty-{}", l.n) value=l.qty min="1" step="1">
                                {t!(i18n, parts.receive.qty)}
                            </NumberField>
                            <button type="button" class="btn btn-link" on:click=move |_| lines.update(|ls| ls.retain(|x| x.n != l.n))>
                                {t!(i18n, parts.receive.remove_line)}
                            </button>
                        </li>
                    </For>
                </ol>
                <button type="button" class="btn btn-secondary" on:click=add_line>{t!(i18n, parts.receive.add_line)}</button>
                <Alert message=edit.error />
                <div class="actions">
                    <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=submit>
                        {t!(i18n, parts.receive.submit)}
                    </button>
                    {move || done.get().then(|| view! { " " <span role="status">{t!(i18n, parts.receive.done)}</span> })}
                </div>
            </div>
        </Panel>
    }
}
