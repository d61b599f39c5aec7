//! `/conflicts`: the open conflicts of the records on this device, and the ops the server
//! refused. A person picks one of the values or enters another; the resolution is an op
//! (`Edit::resolve` / `Edit::resolve_status`) that syncs like any other.
//!
//! The words for records, fields and values come from the kind registry (`crate::kinds`).

use domain::sync::{Conflict, DELETED_FIELD, Edit, FieldKind, Head, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::Value;

use crate::i18n::*;
use crate::kinds::{field_label, record_href, record_title, record_type, value_text};
use crate::sync::{Refused, use_sync};
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;
use crate::ui::kinds::Look;
use crate::ui::labels::{device, local_time, who};
use crate::ui::panel::Panel;

/// The open conflicts of `record`.
pub fn conflicts_of(record: &RecordState) -> Vec<Conflict> {
    match record_type(&record.record_type) {
        Some(rt) if !record.is_empty() => record.conflicts(rt),
        _ => Vec::new(),
    }
}

/// How many conflicts are open in `records`.
pub fn conflict_count<'a>(records: impl IntoIterator<Item = &'a RecordState>) -> usize {
    records.into_iter().map(|r| conflicts_of(r).len()).sum()
}

/// `/conflicts`.
#[component]
pub fn ConflictsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // The records with an open conflict, through the `by_flag` index.
    let flagged = sync.read(|| {
        Some(crate::sync::Query::Flagged(
            domain::records::index::FLAG_CONFLICT,
        ))
    });
    let open = Memo::new(move |_| {
        flagged
            .records
            .get()
            .into_iter()
            .filter_map(|r| {
                let c = conflicts_of(&r);
                (!c.is_empty()).then_some((r, c))
            })
            .collect::<Vec<_>>()
    });
    view! {
        <Panel id="conflicts-title" page=true title=move || t!(i18n, conflicts.title)>
            <p class="muted">{t!(i18n, conflicts.intro)}</p>
            {move || {
                let open = open.get();
                if open.is_empty() {
                    view! { <p class="notice notice-ok">{t!(i18n, conflicts.none)}</p> }.into_any()
                } else {
                    open.into_iter()
                        .flat_map(|(record, conflicts)| {
                            conflicts
                                .into_iter()
                                .map(move |c| {
                                    view! { <ConflictCard record=record.clone() conflict=c show_record=true /> }
                                })
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </Panel>
        <RefusedList />
    }
}

/// One open conflict with its values and the buttons to settle it.
#[component]
pub fn ConflictCard(record: RecordState, conflict: Conflict, show_record: bool) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let Some(rt) = record_type(&record.record_type) else {
        return ().into_any();
    };
    let field = conflict.field.clone();
    let type_name = record.record_type.clone();
    let record_id = record.id;
    let edit = use_edit();
    let busy = edit.busy;
    let is_status = matches!(rt.kind(&field), Some(FieldKind::Status(_)));
    let is_scalar = matches!(rt.kind(&field), Some(FieldKind::Scalar));

    let resolve = move |field: String, value: Value| {
        let change = sync.edit(record_id, rt, move |state| {
            let edit = Edit::new(state, rt);
            if field == DELETED_FIELD {
                Ok(vec![if value == Value::Bool(true) {
                    edit.delete()
                } else {
                    edit.restore()
                }])
            } else if is_status {
                edit.resolve_status(&field, value.as_str().unwrap_or_default())
                    .map(|c| vec![c])
            } else {
                edit.resolve(&field, value).map(|c| vec![c])
            }
        });
        edit.run(change, |_| ());
    };

    let mut heads: Vec<(Head, bool)> = vec![(conflict.winner.clone(), true)];
    heads.extend(conflict.others.iter().cloned().map(|h| (h, false)));
    let title = record_title(&record);
    let label = field_label(i18n, &type_name, &field);
    let aria_label = format!("{title} · {label}");
    let href = record_href(&Look::new(), &record);
    let other_id = format!("other-{}-{}", record.id, field);
    let other = RwSignal::new(String::new());
    let field_for_other = field.clone();

    view! {
        <article class="conflict" aria-label=aria_label>
            <h2 class="conflict-title">
                {show_record
                    .then(|| match href.clone() {
                        Some(href) => view! { <A href=href>{title.clone()}</A> " · " }.into_any(),
                        None => view! { <span>{title.clone()}</span> " · " }.into_any(),
                    })}
                {label.clone()}
            </h2>
            <ul class="conflict-values">
                {heads
                    .into_iter()
                    .map(|(head, shown)| {
                        let text = value_text(i18n, &type_name, &field, &head.value);
                        let by_who = who(&head.user_id);
                        let by_when = local_time(head.hlc.wall_ms as f64, true);
                        let by_device = device(i18n, &head.device_id);
                        let by = view! {
                            {t!(i18n, conflicts.by, who = by_who.clone(), when = by_when.clone(), device = by_device.clone())}
                        };
                        // The accessible name says which value the button keeps.
                        let sep = match i18n.get_locale_untracked() {
                            Locale::zh_CN => ":",
                            Locale::en => ": ",
                        };
                        let aria = format!("{}{sep}{text}", t_string!(i18n, conflicts.use_this));
                        let field = field.clone();
                        let value = head.value.clone();
                        view! {
                            <li class="conflict-value">
                                <div>
                                    <strong class="conflict-text">{text}</strong>
                                    {shown
                                        .then(|| {
                                            view! {
                                                <span class="badge badge-info">
                                                    {t!(i18n, conflicts.shown)}
                                                </span>
                                            }
                                        })}
                                    <div class="muted small">{by}</div>
                                </div>
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    aria-label=aria
                                    disabled=move || busy.get()
                                    on:click=move |_| resolve(field.clone(), value.clone())
                                >
                                    {t!(i18n, conflicts.use_this)}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {is_scalar
                .then(|| {
                    let field = field_for_other.clone();
                    view! {
                        <form
                            class="conflict-other"
                            on:submit=move |ev| {
                                ev.prevent_default();
                                let v = other.get_untracked().trim().to_string();
                                if !v.is_empty() {
                                    resolve(field.clone(), Value::String(v));
                                }
                            }
                        >
                            <div class="field">
                                <label for=other_id.clone()>{t!(i18n, conflicts.other)}</label>
                                <input
                                    id=other_id.clone()
                                    type="text"
                                    prop:value=move || other.get()
                                    on:input=move |ev| other.set(event_target_value(&ev))
                                />
                            </div>
                            <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                                {t!(i18n, conflicts.use_other)}
                            </button>
                        </form>
                    }
                })}
            <Alert message=edit.error />
        </article>
    }
    .into_any()
}

/// The ops the server refused for good, with its message.
#[component]
fn RefusedList() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let look = Look::new();
    move || {
        let list: Vec<Refused> = sync.refused.get();
        (!list.is_empty()).then(|| {
            view! {
                <Panel id="refused-title" title=move || t!(i18n, conflicts.refused_title)>
                    <p class="muted">{t!(i18n, conflicts.refused_intro)}</p>
                    <ul class="refused-list">
                        {list
                            .into_iter()
                            .rev()
                            .map(|r| {
                                let stored = sync.record(r.op.record_id);
                                let record = stored
                                    .as_ref()
                                    .map(record_title)
                                    .unwrap_or_else(|| r.op.record_id.to_string());
                                let fields = r
                                    .op
                                    .changes
                                    .iter()
                                    .map(|c| {
                                        field_label(
                                            i18n,
                                            &r.op.record_type,
                                            c.field().unwrap_or(DELETED_FIELD),
                                        )
                                    })
                                    .collect::<Vec<_>>()
                                    .join("、");
                                let href = stored.as_ref().and_then(|rec| record_href(&look, rec));
                                view! {
                                    <li class="refused">
                                        <div>
                                            <strong>
                                                {t!(i18n, conflicts.refused_what, record = record, fields = fields)}
                                            </strong>
                                            <div class="muted small">
                                                {local_time(r.at, true)} " · " {r.message.clone()}
                                            </div>
                                        </div>
                                        {href
                                            .map(|href| {
                                                view! {
                                                    <A href=href attr:class="btn btn-secondary">
                                                        {t!(i18n, conflicts.open_card)}
                                                    </A>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </Panel>
            }
        })
    }
}
