//! `/manage/bin` (回收站): the records on this device that are in the bin — deleted, withdrawn
//! (a mistaken 来店登记) or merged away (撞单) — newest first, with who put each there, when and
//! on which device. 恢复 writes a restore op (`Edit::restore`), which syncs like any other; the
//! server accepts it from managers only. Works offline: the list is read from IndexedDB.

use domain::sync::{Edit, RecordState, Write};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;
use crate::kinds::{record_href, record_type, summary, type_label};
use crate::sync::use_sync;
use crate::ui::alert::{Alert, Notice};
use crate::ui::edit::use_edit;
use crate::ui::kinds::Look;
use crate::ui::labels::{device, local_time, who};
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

/// A binned record as its row shows it; the words are made while drawing (context — the
/// session, for names — is not available in the click handler or the task).
#[derive(Clone, PartialEq)]
struct Row {
    record: RecordState,
    title: String,
    href: Option<String>,
    by: Option<Write>,
}

/// `/manage/bin`.
#[component]
pub fn BinPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let look = Look::new();
    // The records in the bin, through the `by_flag` index.
    let binned = sync.read(|| {
        Some(crate::sync::Query::Flagged(
            domain::records::index::FLAG_BIN,
        ))
    });
    let rows = Memo::new(move |_| {
        let mut rows: Vec<RecordState> = binned
            .records
            .get()
            .into_iter()
            .filter(RecordState::is_deleted)
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse((r.deletion().map(|w| w.hlc), r.id)));
        rows.into_iter()
            .map(|record| Row {
                title: summary(&look, &record),
                href: record_href(&look, &record),
                by: record.deletion().cloned(),
                record,
            })
            .collect::<Vec<Row>>()
    });
    let edit = use_edit();
    let done = RwSignal::new(None::<String>);
    let restore = move |row: Row| {
        let Some(rt) = record_type(&row.record.record_type) else {
            return;
        };
        done.set(None);
        let change = sync.edit(row.record.id, rt, move |state| {
            Ok(vec![Edit::new(state, rt).restore()])
        });
        edit.run(change, move |_| done.set(Some(row.title)));
    };
    let restored = Signal::derive(move || {
        done.get()
            .map(|title| t_string!(i18n, bin.restored).replace("%x%", &title))
    });
    let columns = Columns::new(vec![
        Column::text(
            |i| t_string!(i, bin.kind),
            move |r: &Row| type_label(i18n, &r.record.record_type),
        ),
        Column::new(
            |i| t_string!(i, bin.record),
            |r: &Row| {
                let title = r.title.clone();
                match r.href.clone() {
                    Some(href) => view! { <A href=href>{title}</A> }.into_any(),
                    None => title.into_any(),
                }
            },
            |r: &Row| r.title.clone().into(),
        ),
        Column::text(
            |i| t_string!(i, bin.deleted_by),
            |r: &Row| r.by.as_ref().map(|w| who(&w.user_id)).unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, bin.deleted_at),
            |r: &Row| {
                r.by.as_ref()
                    .map(|w| local_time(w.hlc.wall_ms as f64, true))
                    .unwrap_or_default()
            },
        ),
        Column::text(
            |i| t_string!(i, bin.device),
            move |r: &Row| {
                r.by.as_ref()
                    .map(|w| device(i18n, &w.device_id))
                    .unwrap_or_default()
            },
        ),
        Column::view_only(
            |i| t_string!(i, devices.actions),
            move |r: &Row| {
                let label = t_string!(i18n, bin.restore).to_string();
                let aria = format!("{label} {}", r.title);
                let row = r.clone();
                view! {
                    <button
                        type="button"
                        class="btn btn-primary"
                        aria-label=aria
                        on:click=move |_| restore(row.clone())
                    >
                        {label}
                    </button>
                }
                .into_any()
            },
        )
        .class("actions")
        .hidden_heading(),
    ]);
    view! {
        <Panel id="bin-title" page=true title=move || t!(i18n, bin.title)>
            <p class="muted">{t!(i18n, bin.intro)}</p>
            <Alert message=edit.error />
            <Notice message=restored />
            <DataTable
                columns=columns
                rows=rows
                empty=|i| t_string!(i, bin.empty)
            />
        </Panel>
    }
}
