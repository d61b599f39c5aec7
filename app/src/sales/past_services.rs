//! A C-card's service history (维修记录): the past services imported from the store's old DMS
//! (`service_history`, linked by `c_card_id`), newest first.

use domain::records::{HistoryKind, ServiceHistory};
use domain::time::stored_date;
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

fn kind_label(i18n: I18nContext<Locale>, k: HistoryKind) -> String {
    if i18n.get_locale_untracked() == Locale::en {
        k.label_en().to_string()
    } else {
        k.label_zh().to_string()
    }
}

/// Yuan with two decimals from fen.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

/// The past services of the C-card `id`.
#[component]
pub fn PastServices(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let linked = sync.read(move || {
        Some(crate::sync::Query::Linked {
            id,
            types: &["service_history"],
        })
    });
    let rows = Memo::new(move |_| {
        let mut rows: Vec<ServiceHistory> = linked
            .records
            .get()
            .iter()
            .filter(|r| !r.is_deleted())
            .map(ServiceHistory::of)
            .filter(|h| h.c_card_id == Some(id))
            .collect();
        rows.sort_by_key(|h| std::cmp::Reverse(h.date));
        rows
    });
    let columns = Columns::new(vec![
        Column::text(
            |i| t_string!(i, import.fields_more.hist_date),
            |h: &ServiceHistory| h.date.map(stored_date).unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, import.fields_more.kind),
            move |h: &ServiceHistory| kind_label(i18n, h.kind),
        ),
        Column::text(
            |i| t_string!(i, import.fields_more.odometer),
            |h: &ServiceHistory| h.odometer_km.map(|k| k.to_string()).unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, import.fields_more.ro_number),
            |h: &ServiceHistory| h.ro_number.clone().unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, import.fields_more.amount),
            |h: &ServiceHistory| h.amount_fen.map(yuan).unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, import.fields_more.advisor),
            |h: &ServiceHistory| h.advisor.clone().unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, import.fields_more.note),
            |h: &ServiceHistory| h.note.clone().unwrap_or_default(),
        ),
    ]);
    view! {
        <Panel id="c-card-history" title=move || t!(i18n, import.history_title)>
            <DataTable
                columns=columns
                rows=rows
                class="past-service-table"
                empty=|i| t_string!(i, import.no_history)
            />
        </Panel>
    }
}
