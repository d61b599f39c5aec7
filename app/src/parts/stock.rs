//! `/parts` (库存): the catalogue with each part's stock — on hand (the sum of its moves),
//! reserved, available — searched by part number or name. A level below zero is shown red with
//! the issues that took it there (never clipped), and a manager settles it to zero (调整). New
//! parts are added here (新增零件); a whole catalogue is imported from a spreadsheet
//! (`POST /api/parts/import`).

use domain::parts::plan::{CatalogueEntry, part_plan, settle_plan, settle_to_zero};
use domain::parts::stock::StockMove;
use domain::service::desk::{parse_yuan, yuan};
use leptos::prelude::*;
use uuid::Uuid;

use super::data::{PartRow, use_parts};
use crate::i18n::*;
use crate::service::data::is_service_manager;
use crate::session::use_session;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::error::UserText;
use crate::ui::export::{post_file, token};
use crate::ui::field::TextField;
use crate::ui::panel::Panel;

fn matches(row: &PartRow, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty()
        || row.part.part_no.to_lowercase().contains(&q)
        || row.part.name.to_lowercase().contains(&q)
}

fn cause_text(m: &StockMove) -> String {
    let at =
        m.at.map(|t| t.format("%m-%d %H:%M").to_string())
            .unwrap_or_default();
    format!("{at} · −{} · {}", m.qty, crate::ui::labels::who(&m.by))
}

/// The manager's settlement of one negative part.
#[component]
fn Settle(part_id: Uuid, on_hand: i64) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let reason = RwSignal::new(t_string!(i18n, parts.stock.settle_default).to_string());
    let settle = move |_| {
        let Some(delta) = settle_to_zero(on_hand) else {
            return;
        };
        let plan = settle_plan(part_id, delta, &reason.get_untracked());
        edit.run(async move { sync.execute(&plan).await }, |_| ());
    };
    view! {
        <div class="form parts-settle">
            <TextField id=format!("settle-reason-{part_id}") value=reason autocomplete="off">
                {t!(i18n, parts.stock.settle_reason)}
            </TextField>
            <Alert message=edit.error />
            <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=settle>
                {t!(i18n, parts.stock.settle)}
            </button>
        </div>
    }
}

/// 新增零件: one catalogue entry.
#[component]
fn NewPart() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let part_no = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let bin = RwSignal::new(String::new());
    let supplier = RwSignal::new(String::new());
    let saved = RwSignal::new(false);
    let save = move |_| {
        saved.set(false);
        let entry = CatalogueEntry {
            part_no: part_no.get_untracked(),
            name: name.get_untracked(),
            price_fen: parse_yuan(&price.get_untracked()),
            bin: bin.get_untracked(),
            supplier: supplier.get_untracked(),
        };
        let plan = part_plan(Uuid::now_v7(), &entry);
        edit.run(async move { sync.execute(&plan).await }, move |_| {
            for s in [part_no, name, price, bin, supplier] {
                s.set(String::new());
            }
            saved.set(true);
        });
    };
    view! {
        <div class="form parts-new">
            <TextField id="part-no" value=part_no autocomplete="off" required=true>{t!(i18n, parts.stock.part_no)}</TextField>
            <TextField id="part-name" value=name autocomplete="off">{t!(i18n, parts.stock.name)}</TextField>
            <TextField id="part-price" value=price inputmode="decimal" autocomplete="off">{t!(i18n, parts.stock.price)}</TextField>
            <TextField id="part-bin" value=bin autocomplete="off">{t!(i18n, parts.stock.bin)}</TextField>
            <TextField id="part-supplier" value=supplier autocomplete="off">{t!(i18n, parts.stock.supplier)}</TextField>
            <Alert message=edit.error />
            <div class="actions">
                <button type="button" class="btn btn-primary" disabled=move || edit.busy.get() on:click=save>
                    {t!(i18n, parts.stock.save)}
                </button>
                {move || saved.get().then(|| view! { " " <span role="status">{t!(i18n, parts.stock.saved)}</span> })}
            </div>
        </div>
    }
}

/// The catalogue's spreadsheet (`POST /api/parts/import`): a part number already in the
/// catalogue updates that part, a new one adds it, an opening stock is a receipt; the rows the
/// server refused are listed with its words. The parts arrive on the device with the next pull.
#[component]
fn ImportCatalogue() -> impl IntoView {
    #[derive(serde::Deserialize)]
    struct Row {
        row: usize,
        ok: bool,
        message: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        created: usize,
        updated: usize,
        rows: Vec<Row>,
    }
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let input = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let answer = RwSignal::new(None::<(usize, usize, Vec<String>)>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(file) = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            error.set(Some(t_string!(i18n, parts.stock.import_file).to_string()));
            return;
        };
        busy.set(true);
        error.set(None);
        answer.set(None);
        let token = token(session);
        leptos::task::spawn_local(async move {
            match post_file::<Answer>(token, "/api/parts/import", &file, Vec::new()).await {
                Ok(a) => {
                    let bad = a
                        .rows
                        .iter()
                        .filter(|r| !r.ok)
                        .map(|r| format!("{}: {}", r.row, r.message.clone().unwrap_or_default()))
                        .collect();
                    answer.set(Some((a.created, a.updated, bad)));
                    sync.kick();
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <div class="field">
                <label for="parts-import-file">{t!(i18n, parts.stock.import_file)}</label>
                <input id="parts-import-file" type="file" accept=".xlsx,.csv" node_ref=input />
            </div>
            <button type="submit" class="btn" disabled=move || busy.get()>
                {t!(i18n, parts.stock.import_submit)}
            </button>
            <Alert message=error />
            {move || answer.get().map(|(created, updated, bad)| view! {
                <p role="status">
                    {t!(i18n, parts.stock.imported)} ": " {format!("+{created} / {updated}")}
                </p>
                <ul class="import-bad-rows">
                    {bad.into_iter().map(|b| view! { <li>{b}</li> }).collect_view()}
                </ul>
            })}
        </form>
    }
}

#[component]
pub fn StockPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let rows = use_parts(sync);
    let query = RwSignal::new(String::new());
    let manager = Memo::new(move |_| is_service_manager());
    let table = move || {
        let q = query.get();
        let list: Vec<PartRow> = rows.get().into_iter().filter(|r| matches(r, &q)).collect();
        if list.is_empty() {
            return view! { <p class="muted">{t!(i18n, parts.stock.none)}</p> }.into_any();
        }
        let body = list
            .into_iter()
            .map(|r| {
                let negative = r.stock.negative();
                let causes: Vec<String> = r
                    .moves
                    .iter()
                    .filter(|m| r.stock.causes.contains(&m.entry_id))
                    .map(cause_text)
                    .collect();
                let detail = negative.then(|| {
                    let (id, on_hand) = (r.part.id, r.stock.on_hand);
                    view! {
                        <tr class="parts-negative-detail">
                            <td colspan="7">
                                <span class="badge badge-late">{t!(i18n, parts.stock.negative)}</span>
                                " "{t!(i18n, parts.stock.caused_by)}
                                <ul class="neg-causes">
                                    {causes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                                </ul>
                                {move || manager.get().then(|| view! { <Settle part_id=id on_hand=on_hand /> })}
                            </td>
                        </tr>
                    }
                });
                let price = r.part.price_fen.map(yuan).unwrap_or_default();
                view! {
                    <tr class="part-row" class:negative=negative data-part-no=r.part.part_no.clone()>
                        <th scope="row">{r.part.part_no.clone()}</th>
                        <td>{r.part.name.clone()}</td>
                        <td>{r.part.bin.clone()}</td>
                        <td class="num">{price}</td>
                        <td class="num on-hand">{r.stock.on_hand}</td>
                        <td class="num reserved">{r.stock.reserved}</td>
                        <td class="num available">{r.stock.available}</td>
                    </tr>
                    {detail}
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table parts-stock">
                    <thead>
                        <tr>
                            <th>{t!(i18n, parts.stock.part_no)}</th>
                            <th>{t!(i18n, parts.stock.name)}</th>
                            <th>{t!(i18n, parts.stock.bin)}</th>
                            <th>{t!(i18n, parts.stock.price)}</th>
                            <th>{t!(i18n, parts.stock.on_hand)}</th>
                            <th>{t!(i18n, parts.stock.reserved)}</th>
                            <th>{t!(i18n, parts.stock.available)}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <Panel id="parts-stock-title" page=true title=move || t!(i18n, parts.stock.title)>
            <TextField id="parts-search" value=query kind="search" autocomplete="off">
                {t!(i18n, parts.stock.search)}
            </TextField>
            {table}
        </Panel>
        <Panel id="parts-new-title" title=move || t!(i18n, parts.stock.add)>
            <NewPart />
        </Panel>
        <Panel id="parts-import-title" title=move || t!(i18n, parts.stock.import)>
            <ImportCatalogue />
        </Panel>
    }
}
