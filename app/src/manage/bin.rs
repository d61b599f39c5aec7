//! `/manage/bin` (回收站): the records on this device that are in the bin — deleted, withdrawn
//! (a mistaken 来店登记) or merged away (撞单) — newest first, with who put each there, when and
//! on which device. 恢复 writes a restore op (`Edit::restore`), which syncs like any other; the
//! server accepts it from managers only. Works offline: the list is read from IndexedDB.

use domain::sales::visit::VisitSource;
use domain::sync::{Edit, RecordState};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::conflicts::{device, edit_error_text, local_time, record_href, record_type, who};
use crate::i18n::*;
use crate::sales::a_card::{phone_display, text};
use crate::sales::reception::source_label;
use crate::sync::{SyncCtx, use_sync};

/// The translated name of a record type.
fn type_label(i18n: I18nContext<Locale>, record_type: &str) -> String {
    match record_type {
        "a_card" => t_string!(i18n, bin.types.a_card),
        "visit" => t_string!(i18n, bin.types.visit),
        "test_drive" => t_string!(i18n, bin.types.test_drive),
        "order" => t_string!(i18n, bin.types.order),
        "c_card" => t_string!(i18n, bin.types.c_card),
        "care_task" => t_string!(i18n, bin.types.care_task),
        "key_account" => t_string!(i18n, bin.types.key_account),
        "sales_settings" => t_string!(i18n, bin.types.sales_settings),
        "reception_rota" => t_string!(i18n, bin.types.reception_rota),
        other => return other.to_string(),
    }
    .to_string()
}

/// The customer's name on a record, or on the A-card it belongs to.
fn customer_of(sync: SyncCtx, record: &RecordState) -> String {
    ["name", "customer_name", "company_name"]
        .iter()
        .map(|f| text(record, f))
        .find(|s| !s.trim().is_empty())
        .or_else(|| {
            let card = uuid::Uuid::parse_str(&text(record, "a_card_id")).ok()?;
            Some(text(&sync.record(card)?, "name")).filter(|s| !s.is_empty())
        })
        .unwrap_or_default()
}

/// What a person recognises a binned record by.
fn summary(sync: SyncCtx, i18n: I18nContext<Locale>, record: &RecordState) -> String {
    let parts: Vec<String> = match record.record_type.as_str() {
        "a_card" => vec![text(record, "name"), phone_display(&text(record, "phone"))],
        "visit" => vec![
            text(record, "time_in")
                .replace('T', " ")
                .chars()
                .take(16)
                .collect(),
            VisitSource::parse(&text(record, "source"))
                .map(|s| source_label(i18n, s).to_string())
                .unwrap_or_default(),
            who(&text(record, "consultant_id")),
            customer_of(sync, record),
        ],
        _ => vec![customer_of(sync, record)],
    };
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.trim().is_empty()).collect();
    if parts.is_empty() {
        crate::directory::short_id(&record.id.to_string())
    } else {
        parts.join(" · ")
    }
}

/// `/manage/bin`.
#[component]
pub fn BinPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let binned = Memo::new(move |_| {
        let mut rows: Vec<RecordState> = sync
            .all_records()
            .into_iter()
            .filter(RecordState::is_deleted)
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse((r.deletion().map(|w| w.hlc), r.id)));
        rows
    });
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    // `title` is made while drawing the row: context (the session, for names) is not available
    // in the click handler or the task.
    let restore = move |record: RecordState, title: String| {
        let Some(rt) = record_type(&record.record_type) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match sync
                .edit(record.id, rt, move |state| {
                    Ok(vec![Edit::new(state, rt).restore()])
                })
                .await
            {
                Ok(_) => {
                    error.set(None);
                    done.set(Some(title));
                }
                Err(e) => {
                    done.set(None);
                    error.set(Some(edit_error_text(i18n, &e)));
                }
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="bin-title">
            <h1 id="bin-title">{t!(i18n, bin.title)}</h1>
            <p class="muted">{t!(i18n, bin.intro)}</p>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {move || {
                done.get()
                    .map(|title| {
                        view! {
                            <p class="notice" role="status">
                                {t_string!(i18n, bin.restored).replace("%x%", &title)}
                            </p>
                        }
                    })
            }}
            {move || {
                let rows = binned.get();
                if rows.is_empty() {
                    return view! { <p class="muted">{t!(i18n, bin.empty)}</p> }.into_any();
                }
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, bin.kind)}</th>
                                    <th scope="col">{t!(i18n, bin.record)}</th>
                                    <th scope="col">{t!(i18n, bin.deleted_by)}</th>
                                    <th scope="col">{t!(i18n, bin.deleted_at)}</th>
                                    <th scope="col">{t!(i18n, bin.device)}</th>
                                    <th scope="col"><span class="visually-hidden">{t!(i18n, devices.actions)}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let by = r.deletion().cloned();
                                        let title = summary(sync, i18n, &r);
                                        let href = record_href(&r.record_type, &r.id);
                                        let label = t_string!(i18n, bin.restore).to_string();
                                        let aria = format!("{label} {title}");
                                        let title_for_restore = title.clone();
                                        view! {
                                            <tr>
                                                <td>{type_label(i18n, &r.record_type)}</td>
                                                <td>
                                                    {match href {
                                                        Some(href) => view! { <A href=href>{title.clone()}</A> }.into_any(),
                                                        None => title.clone().into_any(),
                                                    }}
                                                </td>
                                                <td>{by.as_ref().map(|w| who(&w.user_id))}</td>
                                                <td>{by.as_ref().map(|w| local_time(w.hlc.wall_ms as f64, true))}</td>
                                                <td>{by.as_ref().map(|w| device(i18n, &w.device_id))}</td>
                                                <td class="actions">
                                                    <button
                                                        type="button"
                                                        class="btn btn-primary"
                                                        aria-label=aria
                                                        on:click=move |_| restore(r.clone(), title_for_restore.clone())
                                                    >
                                                        {label}
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}
