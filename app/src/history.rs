//! 历史记录 on every record page (`ui::record_page::RecordPage` draws it under the record):
//! who changed which field to what, when (store time), on which device.
//!
//! The rows are `domain::history::history` of the ops of the record: those this device holds
//! (IndexedDB `ops`: its own edits and every pulled op, kept with the apply), and — when they
//! do not explain the whole record (it came by snapshot, or before the device kept ops) — the
//! record's ops from the server (`GET /api/records/{id}/history`), when online. Offline it
//! says that the older history is on the server. Field names and values are the record-kind
//! registry's words (`crate::kinds`), so a new record type has a history with its kind.
//!
//! The section is closed until opened: nothing is read before someone wants to see it.

use std::collections::BTreeSet;

use domain::history::{FieldChange, HistoryRow, Previous, history};
use domain::sync::{Op, RecordState};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::api::ApiError;
use crate::i18n::*;
use crate::kinds::{field_label, value_text};
use crate::session::use_session;
use crate::sync::use_sync;
use crate::ui::error::UserText;
use crate::ui::labels::{device, local_time, who};
use crate::ui::table::{Column, Columns, DataTable};

/// One op of `GET /api/records/{id}/history`.
#[derive(Debug, Clone, Deserialize)]
struct ServerOp {
    seq: u64,
    op: Op,
}

#[derive(Debug, Clone, Deserialize)]
struct ServerHistory {
    ops: Vec<ServerOp>,
    more: bool,
}

/// What the server told about the record's older history.
#[derive(Debug, Clone, PartialEq)]
enum Server {
    /// Not asked (the device's ops explain the record, or the section is closed).
    NotAsked,
    Loading,
    /// The server's pages so far: the oldest seq read, and whether older ones exist.
    Read {
        oldest: Option<u64>,
        more: bool,
    },
    Offline,
    Failed(String),
}

/// A row as the table shows it: the domain's row and the record's type (for the words).
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    row: HistoryRow,
    record_type: String,
}

/// The history section of record `id`.
#[component]
pub fn RecordHistory(id: Uuid, record: Memo<Option<RecordState>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let open = RwSignal::new(false);
    let local = RwSignal::new(None::<Vec<Op>>);
    let remote = RwSignal::new(Vec::<Op>::new());
    let server = RwSignal::new(Server::NotAsked);

    // The device's ops of the record, again after every synced change while open.
    Effect::new(move || {
        sync.rev.track();
        if !open.get() {
            return;
        }
        leptos::task::spawn_local(async move {
            match crate::sync::store::ops_of(id).await {
                Ok(ops) => {
                    let _ = local.try_set(Some(ops));
                }
                Err(e) => {
                    leptos::logging::error!("forecourt: cannot read the record's ops: {e}");
                    let _ = local.try_set(Some(Vec::new()));
                }
            }
        });
    });

    // Ops the record has applied that neither the device nor the server's pages hold.
    let missing = Memo::new(move |_| {
        let Some(ops) = local.get() else {
            return false;
        };
        let held: BTreeSet<Uuid> = ops
            .iter()
            .chain(remote.read().iter())
            .map(|o| o.op_id)
            .collect();
        record.with(|r| r.as_ref().is_some_and(|r| !r.applied.is_subset(&held)))
    });

    let fetch = move |before: Option<u64>| {
        server.set(Server::Loading);
        leptos::task::spawn_local(async move {
            let path = match before {
                Some(seq) => format!("/api/records/{id}/history?before={seq}"),
                None => format!("/api/records/{id}/history"),
            };
            let answer = session.get::<ServerHistory>(&path).await;
            let next = match answer {
                Ok(page) => {
                    let oldest = page.ops.first().map(|o| o.seq);
                    let _ = remote.try_update(|r| r.extend(page.ops.into_iter().map(|o| o.op)));
                    Server::Read {
                        oldest,
                        more: page.more,
                    }
                }
                Err(ApiError::Network) => Server::Offline,
                // Not on the server yet (made here, not pushed): the device holds it all.
                Err(ApiError::Server { status: 404, .. }) => Server::Read {
                    oldest: None,
                    more: false,
                },
                Err(e) => Server::Failed(e.user_text(i18n)),
            };
            let _ = server.try_set(next);
        });
    };

    // Ask the server once the device's ops are read and do not explain the record (and again
    // when the device comes back online).
    Effect::new(move || {
        let online = sync.online.get();
        if missing.get()
            && online
            && server.with_untracked(|s| matches!(s, Server::NotAsked | Server::Offline))
        {
            fetch(None);
        } else if missing.get() && !online {
            server.set(Server::Offline);
        }
    });

    let rows = Signal::derive(move || {
        let mut ops = local.get().unwrap_or_default();
        ops.extend(remote.get());
        let record_type = record.with(|r| r.as_ref().map(|r| r.record_type.clone()));
        let record_type = record_type.unwrap_or_default();
        history(id, &ops)
            .into_iter()
            .map(|row| Shown {
                row,
                record_type: record_type.clone(),
            })
            .collect::<Vec<_>>()
    });

    let columns = Columns::labelled(vec![
        Column::text(
            |i| t_string!(i, history.when),
            |r: &Shown| local_time(r.row.hlc.wall_ms as f64, true),
        ),
        Column::text(
            |i| t_string!(i, history.who),
            |r: &Shown| who(&r.row.user_id),
        ),
        Column::text(
            |i| t_string!(i, history.device),
            move |r: &Shown| device(i18n, &r.row.device_id),
        ),
        Column::text(
            |i| t_string!(i, history.field),
            move |r: &Shown| field_label(i18n, &r.record_type, &r.row.field),
        ),
        Column::text(
            |i| t_string!(i, history.change),
            move |r: &Shown| change_text(i18n, r),
        ),
    ]);

    let note = move || {
        if !missing.get() {
            return None;
        }
        Some(match server.get() {
            Server::NotAsked | Server::Loading => view! {
                <p class="muted" role="status">{t!(i18n, history.loading)}</p>
            }
            .into_any(),
            Server::Offline => view! {
                <p class="notice" role="status">{t!(i18n, history.older_on_server)}</p>
            }
            .into_any(),
            Server::Failed(message) => view! {
                <p class="alert" role="alert">{message}</p>
            }
            .into_any(),
            Server::Read { oldest, more } => {
                if more {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary"
                            on:click=move |_| fetch(oldest)
                        >
                            {t!(i18n, history.load_older)}
                        </button>
                    }
                    .into_any()
                } else {
                    // The server has told all it has; ops it refused stay on this device only.
                    ().into_any()
                }
            }
        })
    };

    view! {
        <section class="panel record-history" aria-labelledby=format!("history-{id}")>
            <details on:toggle=move |ev| {
                let opened = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                open.set(opened);
            }>
                <summary>
                    <h2 id=format!("history-{id}") class="record-history-title">
                        {t!(i18n, history.title)}
                    </h2>
                </summary>
                {move || {
                    open.get()
                        .then(|| {
                            view! {
                                {note}
                                <DataTable
                                    columns=columns.clone()
                                    rows=rows
                                    class="history-table"
                                    empty=|i| t_string!(i, history.empty)
                                />
                            }
                        })
                }}
            </details>
        </section>
    }
}

/// The change as words: `old → new`, `+ added`, `− removed`, `+n`, 已删除 / 已恢复.
fn change_text(i18n: I18nContext<Locale>, shown: &Shown) -> String {
    let words = |v: &Value| value_words(i18n, &shown.record_type, &shown.row.field, v);
    match &shown.row.change {
        FieldChange::Set { old, new } => {
            let old = match old {
                Previous::Empty => t_string!(i18n, conflicts.empty_value).to_string(),
                Previous::Values(values) => {
                    values.iter().map(words).collect::<Vec<_>>().join(" / ")
                }
                Previous::Unknown => t_string!(i18n, history.unknown_old).to_string(),
            };
            format!("{old} → {}", words(new))
        }
        FieldChange::Added { value } => format!("+ {}", words(value)),
        FieldChange::Removed { value } => format!("− {}", words(value)),
        FieldChange::Counted { delta } => format!("{delta:+}"),
        FieldChange::Bin { deleted } => words(&Value::Bool(*deleted)),
    }
}

/// A value as a person reads it: the kind's words; a log entry (an object) as its texts.
fn value_words(i18n: I18nContext<Locale>, record_type: &str, field: &str, value: &Value) -> String {
    match value {
        Value::Object(map) => map
            .values()
            .filter_map(|v| match v {
                Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" · "),
        other => value_text(i18n, record_type, field, other),
    }
}
