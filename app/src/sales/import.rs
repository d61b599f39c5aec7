//! `/sales/import` 导入A卡名单 (sales manager / GM): choose an .xlsx / .csv, preview it (columns,
//! first rows, the suggested mapping as one select per field), import, and read the per-row report
//! (row number, reasons). The server checks every row and writes the good ones as A-card ops in one
//! push; the cards then arrive here by sync (kicked right after). Needs the network.

use std::collections::BTreeMap;

use gloo_net::http::Request;
use leptos::html;
use leptos::prelude::*;
use serde::Deserialize;

use super::is_sales_manager;
use crate::api::{ApiError, prepare};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::error::UserText;
use crate::ui::export::{send, token};
use crate::ui::field::{Bind, Select};
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

/// The answer of `POST /api/sales/import/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Preview {
    columns: Vec<String>,
    sample_rows: Vec<Vec<String>>,
    total_rows: usize,
    suggested_mapping: BTreeMap<String, String>,
    fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct RowError {
    #[serde(default)]
    field: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct RowReport {
    row: usize,
    ok: bool,
    errors: Vec<RowError>,
}

/// The answer of `POST /api/sales/import`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Report {
    imported: usize,
    rows: Vec<RowReport>,
}

const REQUIRED: [&str; 3] = ["name", "phone", "intended_model"];

words! {
    fn field_label(field: &str) -> String {
        "name" => import.fields.name,
        "phone" => import.fields.phone,
        "intended_model" => import.fields.intended_model,
        "grade" => import.fields.grade,
        "source" => import.fields.source,
        "district" => import.fields.district,
        "consultant" => import.fields.consultant,
        "first_contact_at" => import.fields.date,
        "budget" => import.fields.budget,
        "current_car" => import.fields.current_car,
    } else field.to_string()
}

/// Posts the chosen file (and the mapping) as multipart.
async fn post_file<T: for<'de> Deserialize<'de>>(
    token: Option<String>,
    path: &str,
    file: &web_sys::File,
    mapping: Option<String>,
) -> Result<T, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Unexpected("form".into()))?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Unexpected("form".into()))?;
    if let Some(m) = mapping {
        form.append_with_str("mapping", &m)
            .map_err(|_| ApiError::Unexpected("form".into()))?;
    }
    let request = prepare(Request::post(path), token.as_deref()).body(form);
    let response = send(request).await?;
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let manager = Memo::new(move |_| is_sales_manager());
    move || {
        if manager.get() {
            view! { <Importer /> }.into_any()
        } else {
            view! {
                <section class="panel notice-page">
                    <p>{t!(i18n, import.managers_only)}</p>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn Importer() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let input = NodeRef::<html::Input>::new();
    let preview = RwSignal::new(None::<Preview>);
    let mapping = RwSignal::new(BTreeMap::<String, String>::new());
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<&'static str>);

    let chosen = move || -> Option<web_sys::File> { input.get_untracked()?.files()?.get(0) };

    let do_preview = move |_| {
        let Some(file) = chosen() else {
            error.set(Some(t_string!(i18n, import.choose_file).to_string()));
            return;
        };
        busy.set(Some("preview"));
        error.set(None);
        report.set(None);
        leptos::task::spawn_local(async move {
            let result: Result<Preview, _> =
                post_file(token(session), "/api/sales/import/preview", &file, None).await;
            busy.set(None);
            match result {
                Ok(p) => {
                    mapping.set(p.suggested_mapping.clone());
                    preview.set(Some(p));
                }
                Err(e) => {
                    preview.set(None);
                    error.set(Some(e.user_text(i18n)));
                }
            }
        });
    };

    let do_import = move |_| {
        let Some(file) = chosen() else {
            error.set(Some(t_string!(i18n, import.choose_file).to_string()));
            return;
        };
        let m = mapping.get_untracked();
        if REQUIRED
            .iter()
            .any(|f| m.get(*f).is_none_or(String::is_empty))
        {
            error.set(Some(t_string!(i18n, import.need_required).to_string()));
            return;
        }
        let m: BTreeMap<String, String> = m.into_iter().filter(|(_, c)| !c.is_empty()).collect();
        let json = serde_json::to_string(&m).unwrap_or_default();
        busy.set(Some("import"));
        error.set(None);
        leptos::task::spawn_local(async move {
            let result: Result<Report, _> =
                post_file(token(session), "/api/sales/import", &file, Some(json)).await;
            busy.set(None);
            match result {
                Ok(r) => {
                    report.set(Some(r));
                    // The imported cards come back by sync.
                    sync.kick();
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };

    view! {
        <Panel id="import-title" class="import-page" page=true title=move || t!(i18n, import.title)>
            <p class="muted">{t!(i18n, import.hint)}</p>
            <div class="form">
                <div class="field">
                    <label for="import-file">{t!(i18n, import.file)}</label>
                    <input
                        id="import-file"
                        type="file"
                        accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        node_ref=input
                        on:change=move |_| {
                            preview.set(None);
                            report.set(None);
                            error.set(None);
                        }
                    />
                </div>
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" on:click=do_preview disabled=move || busy.get().is_some()>
                        {move || if busy.get() == Some("preview") { t_string!(i18n, import.previewing).to_string() } else { t_string!(i18n, import.preview).to_string() }}
                    </button>
                </div>
            </div>
            <Alert message=error />
        </Panel>
        {move || {
            let p = preview.get()?;
            Some(view! {
                <Panel id="import-preview" title=move || t!(i18n, import.sample)>
                    <p class="muted">{let n = p.total_rows; t!(i18n, import.total_rows, n = n)}</p>
                    <DataTable
                        columns=sample_columns(&p.columns)
                        rows=Signal::stored(p.sample_rows.clone())
                        class="import-sample"
                    />
                    <h2>{t!(i18n, import.mapping)}</h2>
                    <div class="form import-mapping">
                        {p.fields.iter().map(|f| {
                            let field = f.clone();
                            let id = format!("map-{f}");
                            let required = REQUIRED.contains(&f.as_str());
                            let label = if required {
                                format!("{} ({})", field_label(i18n, f), t_string!(i18n, import.required))
                            } else {
                                field_label(i18n, f)
                            };
                            let options: Vec<(String, String)> =
                                p.columns.iter().map(|c| (c.clone(), c.clone())).collect();
                            let value = Bind::new(
                                {
                                    let field = field.clone();
                                    move || mapping.with(|m| m.get(&field).cloned().unwrap_or_default())
                                },
                                move |v: String| mapping.update(|m| {
                                    m.insert(field.clone(), v);
                                }),
                            );
                            view! {
                                <Select
                                    id=id
                                    value=value
                                    options=Signal::stored(options)
                                    blank=Signal::derive(move || t_string!(i18n, import.not_mapped).to_string())
                                >
                                    {label}
                                </Select>
                            }
                        }).collect_view()}
                    </div>
                    <button type="button" class="btn btn-primary" on:click=do_import disabled=move || busy.get().is_some()>
                        {move || if busy.get() == Some("import") { t_string!(i18n, import.importing).to_string() } else { t_string!(i18n, import.import).to_string() }}
                    </button>
                </Panel>
            })
        }}
        {move || {
            let r = report.get()?;
            let bad: Vec<RowReport> = r.rows.iter().filter(|row| !row.ok).cloned().collect();
            let bad_count = bad.len();
            Some(view! {
                <Panel id="import-report" title=move || t!(i18n, import.report)>
                    <p class="notice notice-ok" role="status">{let n = r.imported; t!(i18n, import.imported, n = n)}</p>
                    {(bad_count > 0).then(|| view! {
                        <p class="notice notice-warn">{t!(i18n, import.bad_rows, n = bad_count)}</p>
                        <DataTable columns=report_columns(i18n) rows=Signal::stored(bad) class="import-report" />
                    })}
                </Panel>
            })
        }}
    }
}

/// The sample's table: one column per column of the file.
fn sample_columns(names: &[String]) -> Columns<Vec<String>> {
    Columns::new(
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = name.clone();
                Column::text(
                    move |_| name.clone(),
                    move |row: &Vec<String>| row.get(i).cloned().unwrap_or_default(),
                )
            })
            .collect(),
    )
}

/// The refused rows: the row's number and what was wrong with it.
fn report_columns(i18n: I18nContext<Locale>) -> Columns<RowReport> {
    let problems = move |row: &RowReport| -> Vec<String> {
        row.errors
            .iter()
            .map(|e| format!("{}: {}", field_label(i18n, &e.field), e.message))
            .collect()
    };
    Columns::new(vec![
        Column::new(
            |i| t_string!(i, import.row),
            |row: &RowReport| row.row.into_any(),
            |row: &RowReport| row.row.into(),
        )
        .row_header(),
        Column::new(
            |i| t_string!(i, import.result),
            move |row: &RowReport| {
                let items = problems(row)
                    .into_iter()
                    .map(|p| view! { <li>{p}</li> })
                    .collect_view();
                view! { <ul class="import-errors">{items}</ul> }.into_any()
            },
            move |row: &RowReport| problems(row).join("\n").into(),
        ),
    ])
}
