//! `/manage/audit`: 审计日志 — the store's audit log (`GET /api/audit`, docs/api.md "Audit
//! log"): logins and failed logins, log-outs, revoked devices, deactivations, password resets
//! and changes, refused pushes; filtered by kind, person and days, newest first, a page at a
//! time, and 导出Excel. The log lives on the server only: offline the page says so.

use domain::audit::{AuditEntry, AuditKind};
use domain::label::Bilingual;
use leptos::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::ApiError;
use crate::i18n::*;
use crate::session::use_session;
use crate::ui::error::UserText;
use crate::ui::export::ExportButton;
use crate::ui::field::choice::EnumSelect;
use crate::ui::field::{DateField, Select};
use crate::ui::labels::{device, local_time, who};
use crate::ui::table::{Column, Columns, DataTable};

/// Entries a page.
const PAGE: usize = 100;

#[derive(Debug, Clone, Deserialize)]
struct AuditAnswer {
    entries: Vec<AuditEntry>,
    next: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    Offline,
    Forbidden,
    Failed(String),
}

/// The query of the filters (and the page to start after).
fn query(kind: &str, user: &str, from: &str, to: &str, before: Option<Uuid>) -> String {
    let mut q = vec![format!("limit={PAGE}")];
    for (k, v) in [("kind", kind), ("user", user), ("from", from), ("to", to)] {
        if !v.trim().is_empty() {
            q.push(format!("{k}={}", js_sys::encode_uri_component(v.trim())));
        }
    }
    if let Some(b) = before {
        q.push(format!("before={b}"));
    }
    format!("/api/audit?{}", q.join("&"))
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let kind = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<Uuid>);
    let state = RwSignal::new(Load::Loading);

    // Loads the first page of the filters (`more`: the page after `next`).
    let load = move |more: bool| {
        let before = if more { next.get_untracked() } else { None };
        let path = query(
            &kind.get_untracked(),
            &user.get_untracked(),
            &from.get_untracked(),
            &to.get_untracked(),
            before,
        );
        state.set(Load::Loading);
        leptos::task::spawn_local(async move {
            let answer = session.get::<AuditAnswer>(&path).await;
            let loaded = match answer {
                Ok(page) => {
                    let _ = rows.try_update(|r| {
                        if !more {
                            r.clear();
                        }
                        r.extend(page.entries);
                    });
                    let _ = next.try_set(page.next);
                    Load::Ready
                }
                Err(ApiError::Network) => Load::Offline,
                Err(ApiError::Server { status: 403, .. }) => Load::Forbidden,
                Err(e) => Load::Failed(e.user_text(i18n)),
            };
            let _ = state.try_set(loaded);
        });
    };
    // Again whenever a filter changes.
    Effect::new(move || {
        kind.track();
        user.track();
        from.track();
        to.track();
        load(false);
    });

    let people = Signal::derive(|| {
        crate::directory::people()
            .into_iter()
            .map(|p| {
                let label = format!("{} ({})", p.display_name, p.username);
                (p.id, label)
            })
            .collect::<Vec<_>>()
    });
    let everyone = Signal::derive(move || t_string!(i18n, audit.all).to_string());

    let columns = audit_columns(i18n);
    let export = Callback::new({
        let columns = columns.clone();
        move |()| {
            let title = t_string!(i18n, audit.title).to_string();
            columns.export(i18n, title, &rows.get_untracked())
        }
    });

    view! {
        <section class="panel" aria-labelledby="audit-title">
            <div class="panel-head">
                <h1 id="audit-title">{t!(i18n, audit.title)}</h1>
                <div class="panel-actions">
                    <ExportButton table=export />
                    <button type="button" class="btn btn-secondary" on:click=move |_| load(false)>
                        {t!(i18n, audit.refresh)}
                    </button>
                </div>
            </div>
            <p class="muted">{t!(i18n, audit.intro)}</p>
            <div class="filters audit-filters">
                <EnumSelect<AuditKind> id="audit-kind" value=kind blank=everyone>
                    {t!(i18n, audit.kind)}
                </EnumSelect<AuditKind>>
                <Select id="audit-user" value=user options=people blank=everyone>
                    {t!(i18n, audit.user)}
                </Select>
                <DateField id="audit-from" value=from>
                    {t!(i18n, audit.from)}
                </DateField>
                <DateField id="audit-to" value=to>
                    {t!(i18n, audit.to)}
                </DateField>
            </div>
            {move || match state.get() {
                Load::Offline => Some(
                    view! { <p class="notice notice-warn" role="alert">{t!(i18n, audit.offline)}</p> }
                        .into_any(),
                ),
                Load::Forbidden => Some(
                    view! { <p class="alert" role="alert">{t!(i18n, audit.forbidden)}</p> }
                        .into_any(),
                ),
                Load::Failed(message) => Some(
                    view! { <p class="alert" role="alert">{message}</p> }.into_any(),
                ),
                Load::Loading => Some(
                    view! { <p class="muted" role="status">{t!(i18n, audit.loading)}</p> }
                        .into_any(),
                ),
                Load::Ready => None,
            }}
            <DataTable
                columns=columns
                rows=rows
                class="audit-table"
                empty=|i| t_string!(i, audit.empty)
            />
            {move || {
                (next.get().is_some() && state.get() == Load::Ready)
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-secondary" on:click=move |_| load(true)>
                                {t!(i18n, audit.more)}
                            </button>
                        }
                    })
            }}
        </section>
    }
}

/// The kind's words in the user's language.
fn kind_words(i18n: I18nContext<Locale>, kind: AuditKind) -> String {
    kind.label(i18n.get_locale_untracked() == Locale::en)
        .to_string()
}

/// The person an entry is about: their name (the username as typed for an unknown one).
fn person(e: &AuditEntry) -> String {
    match e.user_id {
        Some(id) => {
            let name = who(&id.to_string());
            match &e.username {
                Some(u) if !name.contains(u.as_str()) => format!("{name} ({u})"),
                _ => name,
            }
        }
        None => e.username.clone().unwrap_or_default(),
    }
}

fn audit_columns(i18n: I18nContext<Locale>) -> Columns<AuditEntry> {
    Columns::labelled(vec![
        Column::text(
            |i| t_string!(i, audit.when),
            |e: &AuditEntry| local_time(e.at_ms as f64, true),
        ),
        Column::text(
            |i| t_string!(i, audit.kind),
            move |e: &AuditEntry| kind_words(i18n, e.kind),
        ),
        Column::text(|i| t_string!(i, audit.user), person),
        Column::text(
            |i| t_string!(i, audit.device),
            move |e: &AuditEntry| e.device_id.map(|d| device(i18n, &d)).unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, audit.address),
            |e: &AuditEntry| e.address.clone().unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, audit.target),
            |e: &AuditEntry| {
                e.target_user_id
                    .map(|id| who(&id.to_string()))
                    .unwrap_or_default()
            },
        ),
        Column::text(
            |i| t_string!(i, audit.code),
            |e: &AuditEntry| e.code.clone().unwrap_or_default(),
        ),
        Column::text(
            |i| t_string!(i, audit.detail),
            |e: &AuditEntry| e.detail.clone().unwrap_or_default(),
        ),
    ])
}
