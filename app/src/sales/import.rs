//! `/sales/import` 导入名单 (sales manager, GM) and `/care/import` 导入客户资料 (the CS manager,
//! from the care sub-navigation): choose what the file holds (A-cards — for those who manage
//! sales —, customers and vehicles, service history) and an .xlsx / .csv, preview it
//! (the header row found, another one to pick; columns, first rows, the mapping as one select per
//! field — the store's mapping used last for a file of the same headings comes back, on any
//! device (`remembered_mapping`, kept by the server); the people named in
//! the file, each to a user or unassigned), import with the progress shown, and read the
//! report (row number, what was kept as written, why a row was not imported). The server checks
//! every row and writes the new ones in batches; the records then arrive here by sync (kicked
//! right after). Needs the network.

use std::collections::BTreeMap;

use domain::Area;
use domain::Role;
use gloo_net::http::Request;
use leptos::html;
use leptos::prelude::*;
use serde::Deserialize;

use crate::api::prepare;
use crate::i18n::*;
use crate::session::{SessionCtx, use_session};
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::error::UserText;
use crate::ui::export::{post_file, send, token};
use crate::ui::field::{Bind, Select};
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct TopRow {
    row: usize,
    cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct NameInSheet {
    name: String,
    rows: usize,
    user_id: Option<String>,
    left: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct UserChoice {
    id: String,
    name: String,
}

/// The answer of `POST /api/import/{sheet}/preview`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Preview {
    columns: Vec<String>,
    header_row: usize,
    #[serde(default)]
    top_rows: Vec<TopRow>,
    #[serde(default)]
    encoding: String,
    sample_rows: Vec<Vec<String>>,
    total_rows: usize,
    suggested_mapping: BTreeMap<String, String>,
    fields: Vec<String>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    people: Vec<NameInSheet>,
    #[serde(default)]
    users: Vec<UserChoice>,
    /// The store's mapping of the last import of a file with these headings.
    #[serde(default)]
    remembered_mapping: Option<BTreeMap<String, String>>,
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
    #[serde(default)]
    outcome: String,
    errors: Vec<RowError>,
    #[serde(default)]
    warnings: Vec<RowError>,
}

/// The answer of `POST /api/import/{sheet}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Report {
    imported: usize,
    #[serde(default)]
    existing: usize,
    #[serde(default)]
    refused: usize,
    #[serde(default)]
    warned: usize,
    rows: Vec<RowReport>,
}

/// The answer of `GET /api/import/progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
struct Progress {
    done: usize,
    total: usize,
}

/// The sheets, as the server names them.
const SHEETS: [&str; 3] = ["a_cards", "c_cards", "service_history"];

words! {
    fn sheet_label(sheet: &str) -> String {
        "a_cards" => import.sheet_a_cards,
        "c_cards" => import.sheet_c_cards,
        "service_history" => import.sheet_service_history,
    } else sheet.to_string()
}

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
        "next_follow_up" => import.fields_more.next_follow_up,
        "vin" => import.fields_more.vin,
        "plate" => import.fields_more.plate,
        "model" => import.fields_more.model,
        "delivery_date" => import.fields_more.delivery_date,
        "warranty_end" => import.fields_more.warranty_end,
        "insurance_expiry" => import.fields_more.insurance_expiry,
        "inspection_date" => import.fields_more.inspection_date,
        "birthday" => import.fields_more.birthday,
        "local" => import.fields_more.local,
        "date" => import.fields_more.hist_date,
        "odometer" => import.fields_more.odometer,
        "ro_number" => import.fields_more.ro_number,
        "kind" => import.fields_more.kind,
        "amount" => import.fields_more.amount,
        "advisor" => import.fields_more.advisor,
        "note" => import.fields_more.note,
    } else field.to_string()
}

words! {
    fn outcome_label(outcome: &str) -> String {
        "new" => import.outcome_new,
        "existing" => import.outcome_existing,
        "refused" => import.outcome_refused,
    } else outcome.to_string()
}

/// Whether the user may import lists (a manager of sales or care, or the GM).
fn may_import() -> bool {
    manages(Area::Sales) || manages(Area::Care)
}

/// Whether the user manages `area` (A-cards: [`Area::Sales`], as the server's rule).
fn manages(area: Area) -> bool {
    use_session().session.with(|s| {
        s.as_ref()
            .is_some_and(|s| Role::any_manages(&s.user.roles, area))
    })
}

/// The sheets the user may import: A-cards only for those who manage sales.
fn sheets() -> Vec<&'static str> {
    let a_cards = manages(Area::Sales);
    SHEETS
        .into_iter()
        .filter(|s| a_cards || *s != SHEETS[0])
        .collect()
}

async fn get_progress(token: Option<String>) -> Option<Progress> {
    let request = prepare(Request::get("/api/import/progress"), token.as_deref()).build();
    let response = send(request).await.ok()?;
    response.json().await.ok()
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let allowed = Memo::new(move |_| may_import());
    move || {
        if allowed.get() {
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

/// The page's title: 导入A卡名单 for those who import A-cards, else the care import's.
fn title(i18n: I18nContext<Locale>) -> String {
    if manages(Area::Sales) {
        t_string!(i18n, import.title).to_string()
    } else {
        t_string!(i18n, import_care.title).to_string()
    }
}

/// What a preview or an import asks for.
#[derive(Clone, Copy)]
struct Form {
    session: SessionCtx,
    sheet: RwSignal<String>,
    header_row: RwSignal<String>,
}

#[component]
fn Importer() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let input = NodeRef::<html::Input>::new();
    let allowed_sheets = sheets();
    let form = Form {
        session,
        sheet: RwSignal::new(
            allowed_sheets
                .first()
                .copied()
                .unwrap_or(SHEETS[1])
                .to_string(),
        ),
        header_row: RwSignal::new(String::new()),
    };
    let preview = RwSignal::new(None::<Preview>);
    let mapping = RwSignal::new(BTreeMap::<String, String>::new());
    let people = RwSignal::new(BTreeMap::<String, String>::new());
    let from_memory = RwSignal::new(false);
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<&'static str>);
    let progress = RwSignal::new(None::<Progress>);

    let chosen = move || -> Option<web_sys::File> { input.get_untracked()?.files()?.get(0) };
    let reset = move || {
        preview.set(None);
        report.set(None);
        error.set(None);
    };

    let run_preview = move || {
        let Some(file) = chosen() else {
            error.set(Some(t_string!(i18n, import.choose_file).to_string()));
            return;
        };
        busy.set(Some("preview"));
        error.set(None);
        report.set(None);
        let sheet = form.sheet.get_untracked();
        let header = form.header_row.get_untracked();
        leptos::task::spawn_local(async move {
            let path = format!("/api/import/{sheet}/preview");
            let parts = if header.is_empty() {
                vec![]
            } else {
                vec![("header_row", header)]
            };
            let result: Result<Preview, _> =
                post_file(token(form.session), &path, &file, parts).await;
            busy.set(None);
            match result {
                Ok(p) => {
                    let kept = p.remembered_mapping.clone();
                    from_memory.set(kept.is_some());
                    mapping.set(kept.unwrap_or_else(|| p.suggested_mapping.clone()));
                    people.set(
                        p.people
                            .iter()
                            .map(|n| (n.name.clone(), n.user_id.clone().unwrap_or_default()))
                            .collect(),
                    );
                    form.header_row.set(p.header_row.to_string());
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
        let Some(p) = preview.get_untracked() else {
            return;
        };
        let m = mapping.get_untracked();
        if p.required
            .iter()
            .any(|f| m.get(f).is_none_or(String::is_empty))
        {
            error.set(Some(
                if form.sheet.get_untracked() == SHEETS[0] {
                    t_string!(i18n, import.need_required)
                } else {
                    t_string!(i18n, import.need_required_any)
                }
                .to_string(),
            ));
            return;
        }
        let m: BTreeMap<String, String> = m.into_iter().filter(|(_, c)| !c.is_empty()).collect();
        let sheet = form.sheet.get_untracked();
        let parts = vec![
            ("mapping", serde_json::to_string(&m).unwrap_or_default()),
            ("header_row", form.header_row.get_untracked()),
            (
                "people",
                serde_json::to_string(&people.get_untracked()).unwrap_or_default(),
            ),
        ];
        busy.set(Some("import"));
        error.set(None);
        progress.set(None);
        let done = RwSignal::new(false);
        // The progress, asked for while the import runs.
        leptos::task::spawn_local(async move {
            loop {
                sleep(700).await;
                if done.get_untracked() {
                    break;
                }
                if let Some(p) = get_progress(token(form.session)).await
                    && !done.get_untracked()
                {
                    progress.set(Some(p));
                }
            }
        });
        leptos::task::spawn_local(async move {
            let path = format!("/api/import/{sheet}");
            let result: Result<Report, _> =
                post_file(token(form.session), &path, &file, parts).await;
            done.set(true);
            busy.set(None);
            progress.set(None);
            match result {
                Ok(r) => {
                    report.set(Some(r));
                    // The imported records come back by sync.
                    sync.kick();
                }
                Err(e) => error.set(Some(e.user_text(i18n))),
            }
        });
    };

    let sheet_options = Signal::derive(move || {
        allowed_sheets
            .iter()
            .map(|s| ((*s).to_string(), sheet_label(i18n, s)))
            .collect::<Vec<_>>()
    });
    let sheet_bind = Bind::new(
        move || form.sheet.get(),
        move |v: String| {
            form.sheet.set(v);
            form.header_row.set(String::new());
            reset();
        },
    );

    view! {
        <Panel id="import-title" class="import-page" page=true title=move || title(i18n)>
            <p class="muted">{t!(i18n, import.hint)}</p>
            <div class="form">
                <Select id="import-sheet" value=sheet_bind options=sheet_options>
                    {t!(i18n, import.sheet)}
                </Select>
                <div class="field">
                    <label for="import-file">{t!(i18n, import.file)}</label>
                    <input
                        id="import-file"
                        type="file"
                        accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        node_ref=input
                        on:change=move |_| {
                            form.header_row.set(String::new());
                            reset();
                        }
                    />
                </div>
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| run_preview() disabled=move || busy.get().is_some()>
                        {move || if busy.get() == Some("preview") { t_string!(i18n, import.previewing).to_string() } else { t_string!(i18n, import.preview).to_string() }}
                    </button>
                </div>
            </div>
            <Alert message=error />
        </Panel>
        {move || {
            let p = preview.get()?;
            let header_options: Vec<(String, String)> = p
                .top_rows
                .iter()
                .map(|r| {
                    let cells: Vec<&str> = r
                        .cells
                        .iter()
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .take(4)
                        .collect();
                    (r.row.to_string(), format!("{}: {}", r.row, cells.join(" | ")))
                })
                .collect();
            let header_bind = Bind::new(
                move || form.header_row.get(),
                move |v: String| {
                    form.header_row.set(v);
                    run_preview();
                },
            );
            let encoding = p.encoding.clone();
            Some(view! {
                <Panel id="import-preview" title=move || t!(i18n, import.sample)>
                    <p class="muted">
                        {let n = p.total_rows; t!(i18n, import.total_rows, n = n)}
                        " · "
                        {let e = encoding.clone(); t!(i18n, import.encoding, encoding = e)}
                    </p>
                    <div class="form">
                        <Select id="import-header-row" value=header_bind options=Signal::stored(header_options)>
                            {t!(i18n, import.header_row)}
                        </Select>
                    </div>
                    <DataTable
                        columns=sample_columns(&p.columns)
                        rows=Signal::stored(p.sample_rows.clone())
                        class="import-sample"
                    />
                    <h2>{t!(i18n, import.mapping)}</h2>
                    {move || from_memory.get().then(|| view! { <p class="muted small">{t!(i18n, import.remembered)}</p> })}
                    <div class="form import-mapping">
                        {p.fields.iter().map(|f| {
                            let field = f.clone();
                            let id = format!("map-{f}");
                            let required = p.required.contains(f);
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
                    <People names=p.people.clone() users=p.users.clone() people=people />
                    <button type="button" class="btn btn-primary" on:click=do_import disabled=move || busy.get().is_some()>
                        {move || if busy.get() == Some("import") { t_string!(i18n, import.importing).to_string() } else { t_string!(i18n, import.import).to_string() }}
                    </button>
                    {move || progress.get().filter(|p| p.total > 0).map(|p| view! {
                        <p class="muted" role="status">
                            {t!(i18n, import.progress, done = p.done, total = p.total)}
                        </p>
                        <progress class="import-progress" max=p.total value=p.done></progress>
                    })}
                </Panel>
            })
        }}
        {move || {
            let r = report.get()?;
            let sheet = form.sheet.get_untracked();
            let rows: Vec<RowReport> = r.rows.clone();
            let any = !rows.is_empty();
            let imported = r.imported;
            Some(view! {
                <Panel id="import-report" title=move || t!(i18n, import.report)>
                    <p class="notice notice-ok" role="status">
                        {match sheet.as_str() {
                            "c_cards" => t!(i18n, import.imported_c_cards, n = imported).into_any(),
                            "service_history" => t!(i18n, import.imported_history, n = imported).into_any(),
                            _ => t!(i18n, import.imported, n = imported).into_any(),
                        }}
                    </p>
                    {(r.existing > 0).then(|| view! { <p class="notice">{t!(i18n, import.existing, n = r.existing)}</p> })}
                    {(r.refused > 0).then(|| view! { <p class="notice notice-warn">{t!(i18n, import.bad_rows, n = r.refused)}</p> })}
                    {(r.warned > 0).then(|| view! { <p class="notice">{t!(i18n, import.warned, n = r.warned)}</p> })}
                    {any.then(|| view! {
                        <DataTable columns=report_columns(i18n) rows=Signal::stored(rows) class="import-report" />
                    })}
                </Panel>
            })
        }}
    }
}

/// One select per name of the sheet: the matched user, another, or unassigned.
#[component]
fn People(
    names: Vec<NameInSheet>,
    users: Vec<UserChoice>,
    people: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if names.is_empty() {
        return None;
    }
    let options: Vec<(String, String)> = users.into_iter().map(|u| (u.id, u.name)).collect();
    let items = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let name = n.name.clone();
            let value = Bind::new(
                {
                    let name = name.clone();
                    move || people.with(|m| m.get(&name).cloned().unwrap_or_default())
                },
                move |v: String| {
                    people.update(|m| {
                        m.insert(name.clone(), v);
                    })
                },
            );
            let mut label = format!(
                "{} ({} {})",
                n.name,
                n.rows,
                t_string!(i18n, import.rows_word)
            );
            if n.left {
                label = format!("{label} · {}", t_string!(i18n, import.left));
            }
            view! {
                <Select
                    id=format!("person-{i}")
                    value=value
                    options=Signal::stored(options.clone())
                    blank=Signal::derive(move || t_string!(i18n, import.unassigned).to_string())
                >
                    {label}
                </Select>
            }
        })
        .collect_view();
    Some(view! {
        <h2>{t!(i18n, import.people)}</h2>
        <p class="muted small">{t!(i18n, import.people_hint)}</p>
        <div class="form import-people">{items}</div>
    })
}

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
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

/// The rows with something to say: the row's number, what became of it and why.
fn report_columns(i18n: I18nContext<Locale>) -> Columns<RowReport> {
    let problems = move |row: &RowReport| -> Vec<String> {
        row.errors
            .iter()
            .chain(row.warnings.iter())
            .map(|e| {
                if e.field.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", field_label(i18n, &e.field), e.message)
                }
            })
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
        Column::text(
            |i| t_string!(i, import.outcome),
            move |row: &RowReport| {
                let o = if row.outcome.is_empty() && !row.ok {
                    "refused"
                } else {
                    row.outcome.as_str()
                };
                outcome_label(i18n, o)
            },
        ),
    ])
}
