//! `/parts/issue` (出库): parts issued to a repair-order line (领料) — choose the RO in the
//! workshop, then for each of its part lines the catalogue part (matched by part number or name)
//! and the quantity. An issue fills the part's reservation for that job (the RO's, or its
//! appointment's) and may take the level below zero (allowed offline; the stock list shows it
//! red). A part not used comes back (退料, to the same line). Returns to the supplier (退货) are
//! at the foot of the page.

use domain::parts::plan::{issue_plan, return_plan, supplier_return_plan};
use domain::parts::reservations::ReservationStatus;
use domain::parts::stock::{available_for, issued_per_line};
use domain::records::service::{RepairOrder, RoLine};
use leptos::prelude::*;
use uuid::Uuid;

use super::data::{self, PartRow, qty_of};
use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::field::{NumberField, Select, TextField};
use crate::ui::panel::Panel;

/// The catalogue part a line names: by part number (the line's code), else by name.
fn part_for(line: &RoLine, parts: &[PartRow]) -> Option<Uuid> {
    let code = line.code.as_deref().unwrap_or_default().trim();
    let desc = line.description.as_deref().unwrap_or_default().trim();
    parts
        .iter()
        .find(|p| !code.is_empty() && p.part.part_no == code)
        .or_else(|| {
            parts
                .iter()
                .find(|p| !desc.is_empty() && p.part.name == desc)
        })
        .map(|p| p.part.id)
}

/// One part line of the chosen RO, with its issue and return.
#[component]
fn LineIssue(ro: RepairOrder, line: RoLine) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let parts = data::parts(sync);
    let wanted = line.qty.unwrap_or(1).max(1);
    let line_id = line.id;
    // Issued minus returned so far, over every part's moves (follows new moves).
    let issued = Memo::new(move |_| {
        data::parts(sync)
            .iter()
            .map(|row| {
                issued_per_line(&row.moves)
                    .get(&line_id)
                    .copied()
                    .unwrap_or(0)
            })
            .sum::<i64>()
    });
    let part = RwSignal::new(
        part_for(&line, &parts)
            .map(|p| p.to_string())
            .unwrap_or_default(),
    );
    let qty = RwSignal::new((wanted - issued.get_untracked()).max(1).to_string());
    let done = RwSignal::new(None::<&'static str>);
    let options = Signal::derive(move || data::part_options(sync));
    let (ro_id, appointment_id) = (ro.id, ro.appointment_id);
    let short = Signal::derive(move || {
        let Ok(p) = Uuid::parse_str(&part.get()) else {
            return false;
        };
        let rows = data::parts(sync);
        let holds = domain::parts::reservations::held(&data::reservations(sync));
        let Some(row) = rows.iter().find(|r| r.part.id == p) else {
            return false;
        };
        let q = qty_of(&qty.get()).unwrap_or(0);
        available_for(&row.stock, &holds, appointment_id, Some(ro_id)) < q
    });
    let chosen = move || -> Option<(Uuid, i64)> {
        Some((
            Uuid::parse_str(&part.get_untracked()).ok()?,
            qty_of(&qty.get_untracked())?,
        ))
    };
    let issue = move |_| {
        let Some((p, q)) = chosen() else {
            edit.fail(t_string!(i18n, parts.receive.choose).to_string());
            return;
        };
        let reservation = data::reservations(sync)
            .into_iter()
            .find(|r| {
                r.status == ReservationStatus::Held
                    && r.part_id == Some(p)
                    && (r.ro_id == Some(ro_id)
                        || (appointment_id.is_some() && r.appointment_id == appointment_id))
            })
            .map(|r| r.id);
        let plan = issue_plan(p, line_id, Some(ro_id), q, reservation);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            done.set(Some("issued"))
        });
    };
    let give_back = move |_| {
        let Some((p, q)) = chosen() else {
            edit.fail(t_string!(i18n, parts.receive.choose).to_string());
            return;
        };
        let plan = return_plan(p, line_id, Some(ro_id), q, "");
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            done.set(Some("returned"))
        });
    };
    let title = format!(
        "{} × {}",
        line.description.clone().unwrap_or_default(),
        wanted
    );
    let aria = title.clone();
    view! {
        <li class="issue-line" aria-label=aria>
            <p>
                <strong>{title}</strong>
                " · "{t!(i18n, parts.issue.issued)}" "<span class="issued">{move || issued.get()}</span>
            </p>
            <div class="form-row">
                <Select id=format!("issue-part-{line_id}") value=part options=options blank=Signal::derive(move || t_string!(i18n, parts.receive.choose).to_string())>
                    {t!(i18n, parts.issue.part)}
                </Select>
                <NumberField id=format!("issue-qty-{line_id}") value=qty min="1" step="1">{t!(i18n, parts.issue.qty)}</NumberField>
            </div>
            {move || short.get().then(|| view! { <p class="warn" role="note">{t!(i18n, parts.issue.short)}</p> })}
            <Alert message=edit.error />
            <div class="actions">
                <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=issue>
                    {t!(i18n, parts.issue.submit)}
                </button>
                " "
                <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=give_back>
                    {t!(i18n, parts.issue.return_submit)}
                </button>
                {move || done.get().map(|d| {
                    let w = if d == "issued" { t_string!(i18n, parts.issue.done) } else { t_string!(i18n, parts.issue.returned) };
                    view! { " " <span role="status">{w}</span> }
                })}
            </div>
        </li>
    }
}

/// 退货: a part sent back to its supplier.
#[component]
fn SupplierReturn() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let part = RwSignal::new(String::new());
    let qty = RwSignal::new("1".to_string());
    let note = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let options = Signal::derive(move || data::part_options(sync));
    let submit = move |_| {
        done.set(false);
        let (Ok(p), Some(q)) = (
            Uuid::parse_str(&part.get_untracked()),
            qty_of(&qty.get_untracked()),
        ) else {
            edit.fail(t_string!(i18n, parts.receive.choose).to_string());
            return;
        };
        let supplier = data::parts(sync)
            .into_iter()
            .find(|r| r.part.id == p)
            .map(|r| r.part.supplier)
            .unwrap_or_default();
        let plan = supplier_return_plan(p, q, &supplier, &note.get_untracked());
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            note.set(String::new());
            done.set(true);
        });
    };
    view! {
        <div class="form parts-supplier-return">
            <Select id="return-part" value=part options=options blank=Signal::derive(move || t_string!(i18n, parts.receive.choose).to_string())>
                {t!(i18n, parts.issue.part)}
            </Select>
            <NumberField id="return-qty" value=qty min="1" step="1">{t!(i18n, parts.issue.qty)}</NumberField>
            <TextField id="return-note" value=note autocomplete="off">{t!(i18n, parts.issue.note)}</TextField>
            <Alert message=edit.error />
            <div class="actions">
                <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=submit>
                    {t!(i18n, parts.issue.supplier_return_submit)}
                </button>
                {move || done.get().then(|| view! { " " <span role="status">{t!(i18n, parts.issue.supplier_returned)}</span> })}
            </div>
        </div>
    }
}

#[component]
pub fn IssuePage() -> impl IntoView {
    let i18n = use_i18n();
    let ros = data::use_open_ros();
    let chosen = RwSignal::new(String::new());
    let part_lines = data::use_part_lines(move || Uuid::parse_str(&chosen.get()).ok());
    let ro_options = Signal::derive(move || {
        ros.get()
            .iter()
            .map(|r| (r.id.to_string(), data::ro_label(r)))
            .collect::<Vec<_>>()
    });
    let lines = move || {
        let Some(ro) = Uuid::parse_str(&chosen.get())
            .ok()
            .and_then(|id| ros.get().into_iter().find(|r| r.id == id))
        else {
            return ().into_any();
        };
        let lines = part_lines.get();
        if lines.is_empty() {
            return view! { <p class="muted">{t!(i18n, parts.issue.no_lines)}</p> }.into_any();
        }
        view! {
            <ul class="issue-lines">
                {lines.into_iter().map(|l| view! { <LineIssue ro=ro.clone() line=l /> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Panel id="parts-issue-title" page=true title=move || t!(i18n, parts.issue.title)>
            {move || {
                if ros.get().is_empty() {
                    return view! { <p class="muted">{t!(i18n, parts.issue.no_ros)}</p> }.into_any();
                }
                view! {
                    <Select id="issue-ro" value=chosen options=ro_options blank=Signal::derive(move || t_string!(i18n, parts.issue.choose_ro).to_string())>
                        {t!(i18n, parts.issue.ro)}
                    </Select>
                }.into_any()
            }}
            {lines}
        </Panel>
        <Panel id="parts-supplier-return-title" title=move || t!(i18n, parts.issue.supplier_return)>
            <SupplierReturn />
        </Panel>
    }
}
