//! The frame of a record's page (`…/:id`): finds the record in the synced cache and shows it,
//! or the page's "not found" ([`missing`]); and the record's fields as a `<dl>` ([`field_list`]).
//!
//! The record's view is made again only when the record appears or disappears, not on every
//! synced change (the view reads the record itself, reactively), so a form someone is typing
//! in is never dropped by a sync. Under the view, every record page has its 历史记录
//! (`crate::history`: who changed what, when, on which device).

use domain::sync::RecordState;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::history::RecordHistory;
use crate::i18n::use_i18n;
use crate::kinds::kind_of;
use crate::sync::use_sync;

/// The record of the route's `:id`, of type `record_type`, tracking changes.
pub fn use_route_record(
    record_type: &'static str,
) -> (Memo<Option<Uuid>>, Memo<Option<RecordState>>) {
    let sync = use_sync();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let record = Memo::new(move |_| {
        id.get()
            .and_then(|id| sync.record(id))
            .filter(|r| r.record_type == record_type)
    });
    (id, record)
}

/// The route's record of type `record_type`: `view(id, record)` while it is on the device; while
/// it is not, what the kind's registry entry says of a missing record and the way back.
#[component]
pub fn RecordPage(
    record_type: &'static str,
    #[prop(into)] view: Callback<(Uuid, Memo<Option<RecordState>>), AnyView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (id, record) = use_route_record(record_type);
    let shown = Memo::new(move |_| id.get().filter(|_| record.with(Option::is_some)));
    let words = kind_of(record_type).and_then(|k| k.missing);
    // While the record is read from IndexedDB, nothing rather than "not on this device".
    let sync = use_sync();
    let looking = Memo::new(move |_| id.get().is_some_and(|id| sync.looking_for(id)));
    move || match (shown.get(), words) {
        (None, _) if looking.get() => ().into_any(),
        (Some(id), _) => view! {
            {view.run((id, record))}
            <RecordHistory id record />
        }
        .into_any(),
        (None, Some(w)) => missing(move || (w.text)(i18n), w.back_href, move || (w.back)(i18n)),
        (None, None) => ().into_any(),
    }
}

/// The page shown instead of a record that is not on the device: `message` and a way back.
pub fn missing(
    message: impl IntoView + 'static,
    href: &'static str,
    back: impl IntoView + 'static,
) -> AnyView {
    view! {
        <section class="panel notice-page">
            <p>{message}</p>
            <A href=href attr:class="btn btn-secondary">{back}</A>
        </section>
    }
    .into_any()
}

/// A record's fields as `<dl class="fields">`: `lead` (a field drawn by the page), then one
/// label and value per row.
pub fn field_list<L, V>(
    lead: impl IntoView,
    rows: impl IntoIterator<Item = (L, V)>,
) -> impl IntoView
where
    L: IntoView + 'static,
    V: IntoView + 'static,
{
    view! { <dl class="fields">{lead}{field_rows(rows)}</dl> }
}

/// One `<div><dt>label</dt><dd>value</dd></div>` per row: the inside of a `<dl>`.
pub fn field_rows<L, V>(rows: impl IntoIterator<Item = (L, V)>) -> impl IntoView
where
    L: IntoView + 'static,
    V: IntoView + 'static,
{
    rows.into_iter()
        .map(|(l, v)| view! { <div><dt>{l}</dt><dd>{v}</dd></div> })
        .collect_view()
}
