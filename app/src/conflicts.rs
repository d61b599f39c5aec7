//! `/conflicts`: the open conflicts of the records on this device, and the ops the server
//! refused. A person picks one of the values or enters another; the resolution is an op
//! (`Edit::resolve` / `Edit::resolve_status`) that syncs like any other.
//!
//! Also the words used wherever a record's field or a writer is shown (`field_label`,
//! `value_text`, `who`, `device`, `local_time`).

use domain::records::ALL;
use domain::sync::{Conflict, DELETED_FIELD, Edit, FieldKind, Head, RecordState, RecordType};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::Value;

use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{Refused, use_sync};

/// The declared type named `name`.
pub fn record_type(name: &str) -> Option<&'static RecordType> {
    ALL.iter().copied().find(|t| t.name == name)
}

/// The open conflicts of `record`.
pub fn conflicts_of(record: &RecordState) -> Vec<Conflict> {
    match record_type(&record.record_type) {
        Some(rt) if !record.is_empty() => record.conflicts(rt),
        _ => Vec::new(),
    }
}

/// How many conflicts are open in `records`.
pub fn conflict_count(records: &[RecordState]) -> usize {
    records.iter().map(|r| conflicts_of(r).len()).sum()
}

/// A Unix time in ms as the device's local `YYYY-MM-DD HH:MM` (or only `HH:MM`).
pub fn local_time(ms: f64, with_date: bool) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let time = format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
    if with_date {
        format!(
            "{}-{:02}-{:02} {time}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date()
        )
    } else {
        time
    }
}

/// The translated label of a field (the raw name for types without screens yet).
pub fn field_label(i18n: I18nContext<Locale>, record_type: &str, field: &str) -> String {
    if field == DELETED_FIELD {
        return t_string!(i18n, conflicts.field_deleted).to_string();
    }
    if record_type == "a_card" {
        let label = match field {
            "name" => t_string!(i18n, a_card.name),
            "phone" => t_string!(i18n, a_card.phone),
            "intended_model" => t_string!(i18n, a_card.intended_model),
            "grade" => t_string!(i18n, a_card.grade),
            "status" => t_string!(i18n, a_card.status),
            "next_follow_up" => t_string!(i18n, a_card.next_follow_up),
            "consultant_id" => t_string!(i18n, a_card.consultant),
            "first_contact_at" => t_string!(i18n, a_card.first_contact_at),
            "follow_ups" => t_string!(i18n, a_card.follow_ups),
            _ => return field.to_string(),
        };
        return label.to_string();
    }
    field.to_string()
}

/// The translated name of an A-card status.
pub fn status_label(i18n: I18nContext<Locale>, status: &str) -> String {
    match status {
        "following" => t_string!(i18n, a_card.statuses.following),
        "loss_proposed" => t_string!(i18n, a_card.statuses.loss_proposed),
        "re_contacted" => t_string!(i18n, a_card.statuses.re_contacted),
        "lost" => t_string!(i18n, a_card.statuses.lost),
        "ordered" => t_string!(i18n, a_card.statuses.ordered),
        "delivered" => t_string!(i18n, a_card.statuses.delivered),
        other => return other.to_string(),
    }
    .to_string()
}

/// The translated label of an intention grade (`H`, `A`, `B`, `C`).
pub fn grade_label(i18n: I18nContext<Locale>, grade: &str) -> String {
    match grade {
        "H" => t_string!(i18n, a_card.grades.H),
        "A" => t_string!(i18n, a_card.grades.A),
        "B" => t_string!(i18n, a_card.grades.B),
        "C" => t_string!(i18n, a_card.grades.C),
        other => return other.to_string(),
    }
    .to_string()
}

/// A field's value as a person reads it.
pub fn value_text(
    i18n: I18nContext<Locale>,
    record_type: &str,
    field: &str,
    value: &Value,
) -> String {
    if field == DELETED_FIELD {
        return if value == &Value::Bool(true) {
            t_string!(i18n, conflicts.deleted).to_string()
        } else {
            t_string!(i18n, conflicts.restored).to_string()
        };
    }
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.trim().is_empty() {
        return t_string!(i18n, conflicts.empty_value).to_string();
    }
    match (record_type, field) {
        ("a_card", "status") => status_label(i18n, &text),
        ("a_card", "grade") => grade_label(i18n, &text),
        ("a_card", "consultant_id") => who(&text),
        _ => text,
    }
}

/// A user's display name (this user's own, or from the store's directory, kept on the device);
/// a short form of the id only while the directory does not know the user yet.
pub fn who(user_id: &str) -> String {
    let session = use_session();
    session
        .session
        .with_untracked(|s| {
            s.as_ref()
                .filter(|s| s.user.id == user_id)
                .map(|s| s.user.display_name.clone())
        })
        .unwrap_or_else(|| crate::directory::name_of_user(user_id))
}

/// A device's name: 本机 (its name) for this device, else its name from the store's directory,
/// else "设备" and its id's last digits.
pub fn device(i18n: I18nContext<Locale>, device_id: &uuid::Uuid) -> String {
    let session = use_session();
    let id = device_id.to_string();
    let own = session.session.with_untracked(|s| {
        s.as_ref()
            .filter(|s| s.device.id == id)
            .map(|s| s.device.name.clone())
    });
    if let Some(name) = own {
        return format!("{} ({name})", t_string!(i18n, conflicts.this_device));
    }
    crate::directory::name_of_device(&id).unwrap_or_else(|| {
        format!(
            "{} {}",
            t_string!(i18n, conflicts.other_device),
            crate::directory::short_id(&id).trim_start_matches('#')
        )
    })
}

/// What a person calls a record: an A-card's customer name.
pub fn record_title(record: &RecordState) -> String {
    record
        .value("name")
        .or_else(|| record.value("customer_name"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| record.id.to_string())
}

/// Where a record is shown.
pub fn record_href(record_type: &str, id: &uuid::Uuid) -> Option<String> {
    (record_type == "a_card").then(|| format!("/sales/a-cards/{id}"))
}

/// `/conflicts`.
#[component]
pub fn ConflictsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = Memo::new(move |_| {
        sync.all_records()
            .into_iter()
            .filter_map(|r| {
                let c = conflicts_of(&r);
                (!c.is_empty()).then_some((r, c))
            })
            .collect::<Vec<_>>()
    });
    view! {
        <section class="panel" aria-labelledby="conflicts-title">
            <h1 id="conflicts-title">{t!(i18n, conflicts.title)}</h1>
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
        </section>
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
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let is_status = matches!(rt.kind(&field), Some(FieldKind::Status(_)));
    let is_scalar = matches!(rt.kind(&field), Some(FieldKind::Scalar));

    let resolve = move |field: String, value: Value| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = sync
                .edit(record_id, rt, move |state| {
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
                })
                .await;
            busy.set(false);
            error.set(result.err().map(|e| edit_error_text(i18n, &e)));
        });
    };

    let mut heads: Vec<(Head, bool)> = vec![(conflict.winner.clone(), true)];
    heads.extend(conflict.others.iter().cloned().map(|h| (h, false)));
    let title = record_title(&record);
    let label = field_label(i18n, &type_name, &field);
    let aria_label = format!("{title} · {label}");
    let href = record_href(&type_name, &record.id);
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
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </article>
    }
    .into_any()
}

/// The message of a failed edit, in the user's language.
pub fn edit_error_text(i18n: I18nContext<Locale>, e: &crate::sync::EditError) -> String {
    match e {
        crate::sync::EditError::Sync(e) => match i18n.get_locale_untracked() {
            Locale::en => e.message_en(),
            Locale::zh_CN => e.message_zh(),
        },
        crate::sync::EditError::Db(_) => t_string!(i18n, sync.storage).to_string(),
    }
}

/// The ops the server refused for good, with its message.
#[component]
fn RefusedList() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    move || {
        let list: Vec<Refused> = sync.refused.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="panel" aria-labelledby="refused-title">
                    <h2 id="refused-title">{t!(i18n, conflicts.refused_title)}</h2>
                    <p class="muted">{t!(i18n, conflicts.refused_intro)}</p>
                    <ul class="refused-list">
                        {list
                            .into_iter()
                            .rev()
                            .map(|r| {
                                let record = sync
                                    .record(r.op.record_id)
                                    .map(|rec| record_title(&rec))
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
                                let href = record_href(&r.op.record_type, &r.op.record_id);
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
                </section>
            }
        })
    }
}
