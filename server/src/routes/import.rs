//! Importing a store's sheets: `POST /api/import/{sheet}/preview`, `POST /api/import/{sheet}`
//! (`sheet`: `a_cards`, `c_cards`, `service_history`), `GET /api/import/progress`; and the
//! A-card import's first paths, `POST /api/sales/import/preview` and `POST /api/sales/import`.
//!
//! The upload is written to a temporary file as it arrives and read as a stream
//! ([`crate::import::Source`]): a first pass finds the header and counts the rows (a file over
//! [`MAX_IMPORT_ROWS`] is refused before anything is written), a second hands the rows one at a
//! time to the sheet's checks on a blocking thread, which sends the ops of each [`BATCH`] of
//! rows to write (one op each of the importing user's device, with ids derived from the row:
//! [`crate::import::row_id`], [`crate::import::op_id`]) to be pushed through
//! [`crate::store::SyncStore::push`] with the user's rules checked as for any push, while it
//! reads on (at most two batches wait). What is held is the store's ids (and phones or VINs) of
//! the sheet's type, the ids of the file's rows, the rows with something to report, and two
//! batches. A batch written stays written: a cut network or a restart part-way is resumed by
//! importing the file again, which finds the rows already there and adds nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use std::ops::ControlFlow;

use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::StatusCode,
};
use domain::records::import_mapping::{
    IMPORT_MAPPING, ImportMapping, import_mapping_id, mapping_fields,
};
use domain::records::{ACard, CCard};
use domain::sales::a_card::Catalogue;
use domain::sales::grade::{CadenceSettings, SleepSettings};
use domain::sales::settings::StoreSettings;
use domain::sync::{Edit, Hlc, Op, RecordState, RecordType, validate_op};
use domain::time::StoreClock;
use domain::{Area, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};
use uuid::Uuid;

use super::sales_io::{IoError, Upload, for_each_record, read_upload, records_of, refused};
use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::Json,
    import::{
        GoodRow, Outcome, ReadError, RowChecked, RowReport, Shape, Sheet, Source,
        a_card::{self, ImportContext},
        c_card::{self, CCardContext},
        history::{self, HistoryContext},
        map, op_id,
        people::{NameCount, NameInSheet, People, Person},
        shape_of,
        values::plate_key,
    },
    lang::Lang,
    routes::sync::{MAX_PUSH_OPS, now_ms},
    store::{
        PushCheck,
        sync::{PushRefusal, RefusalReason, registry},
    },
};

/// Largest import file.
pub const MAX_IMPORT_BYTES: usize = 40 * 1024 * 1024;
/// Most data rows in one import.
pub const MAX_IMPORT_ROWS: usize = 100_000;
/// Ops per push of an import.
pub const BATCH: usize = MAX_PUSH_OPS;
/// Sample rows in a preview.
const SAMPLE_ROWS: usize = 5;

pub fn router() -> OpenApiRouter<AppState> {
    // The multipart body may be a little larger than the file (boundaries, the mapping).
    let limit = || DefaultBodyLimit::max(MAX_IMPORT_BYTES + 256 * 1024);
    OpenApiRouter::new()
        .routes(routes!(preview).layer(limit()))
        .routes(routes!(import).layer(limit()))
        .routes(routes!(sales_preview).layer(limit()))
        .routes(routes!(sales_import).layer(limit()))
        .routes(routes!(progress))
}

// ---- progress ----

/// Rows done and rows in the file of the import a user is running.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Progress {
    /// `reading` (the upload and the first pass), `checking` (no batch written yet), `writing`
    /// or `done`.
    pub stage: &'static str,
    /// Rows of the file checked and, when new, written (refused and already there included).
    pub done: usize,
    /// Data rows in the file (0 while `reading`).
    pub total: usize,
}

fn progress_map() -> &'static Mutex<HashMap<Uuid, Progress>> {
    static MAP: OnceLock<Mutex<HashMap<Uuid, Progress>>> = OnceLock::new();
    MAP.get_or_init(|| Mutex::new(HashMap::new()))
}

fn set_progress(user: Uuid, p: Progress) {
    if let Ok(mut m) = progress_map().lock() {
        m.insert(user, p);
    }
}

/// The progress of the caller's import (or the last one's end).
#[utoipa::path(
    get,
    path = "/api/import/progress",
    tag = "import",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Progress),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn progress(auth: AuthUser) -> Json<Progress> {
    let p = progress_map()
        .lock()
        .ok()
        .and_then(|m| m.get(&auth.user.id).copied())
        .unwrap_or(Progress {
            stage: "done",
            done: 0,
            total: 0,
        });
    Json(p)
}

// ---- the form ----

/// The text parts of an import form.
const FORM_TEXTS: [&str; 3] = ["mapping", "header_row", "people"];

async fn read_form(form: Multipart) -> Result<Upload, IoError> {
    read_upload(form, MAX_IMPORT_BYTES, &FORM_TEXTS).await
}

fn unprocessable(code: &'static str, zh: String, en: String) -> IoError {
    refused(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en)
}

/// The form's `header_row`, if given.
fn header_row_of(up: &Upload) -> Result<Option<usize>, IoError> {
    match up.text("header_row").map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse::<usize>().map(Some).map_err(|_| {
            unprocessable(
                "import_header_row_invalid",
                format!("表头行“{t}”不是行号"),
                format!("The header row “{t}” is not a row number"),
            )
        }),
    }
}

/// A file that cannot be read as the person reads it (`header_row`: the row they picked).
fn read_refusal(e: ReadError, header_row: Option<usize>) -> IoError {
    match (e, header_row) {
        (ReadError::Empty, Some(n)) => unprocessable(
            "import_header_row_invalid",
            format!("第 {n} 行是空行或不在文件中,不能作表头"),
            format!("Row {n} is blank or not in the file; it cannot be the header"),
        ),
        (e, _) => {
            let (status, code, zh, en) = e.refusal();
            refused(status, code, zh, en)
        }
    }
}

fn joined(e: tokio::task::JoinError) -> IoError {
    Error::Internal(e.to_string()).into()
}

/// The uploaded file and its first pass ([`shape_of`]), on a blocking thread.
async fn read_shape(up: &Upload, sheet: Sheet) -> Result<(Source, Shape), IoError> {
    let input = up.file()?;
    let header_row = header_row_of(up)?;
    tokio::task::spawn_blocking(move || {
        let source = Source::new(input)?;
        let shape = shape_of(&source, sheet, header_row, MAX_IMPORT_ROWS)?;
        Ok((source, shape))
    })
    .await
    .map_err(joined)?
    .map_err(|e| read_refusal(e, header_row))
}

fn sheet_of(name: &str) -> Result<Sheet, IoError> {
    Sheet::parse(name).ok_or_else(|| {
        refused(
            StatusCode::NOT_FOUND,
            "import_sheet_unknown",
            format!("没有“{name}”这种表,可导入:a_cards、c_cards、service_history"),
            format!("No sheet “{name}”; the sheets are a_cards, c_cards, service_history"),
        )
    })
}

/// A-cards: the sales managers (and the GM); customers, vehicles and past services: any
/// manager of sales or care (and the GM).
fn may_import(auth: &AuthUser, sheet: Sheet) -> Result<(), Error> {
    match sheet {
        Sheet::ACards => auth.require_manages(Area::Sales),
        Sheet::CCards | Sheet::History => {
            if Role::any_manages(&auth.user.roles, Area::Sales)
                || Role::any_manages(&auth.user.roles, Area::Care)
            {
                Ok(())
            } else {
                Err(Error::Forbidden)
            }
        }
    }
}

/// The users a sheet's names are matched to: everyone of the store (the leavers too, so a
/// leaver's name is known as one); the active ones who work in sales are the choices.
async fn people_of(
    state: &AppState,
    store_id: &str,
    choices: HashMap<String, String>,
) -> Result<(People, Vec<UserChoice>), IoError> {
    let users = state.store().users_in_store(store_id.to_owned()).await?;
    let mut choosable = Vec::new();
    let mut all = Vec::new();
    for u in users {
        let active = u.deactivated_at.is_none();
        if !Role::any_works_in(&u.roles, Area::Sales) {
            continue;
        }
        if active {
            choosable.push(UserChoice {
                id: u.id.to_string(),
                name: u.display_name.clone(),
            });
        }
        all.push(Person {
            id: u.id.to_string(),
            display_name: u.display_name,
            username: u.username,
            active,
        });
    }
    choosable.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((People::new(all, choices), choosable))
}

/// A user a name may be given to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserChoice {
    pub id: String,
    pub name: String,
}

/// A row of the top of the file, for picking another header row.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TopRow {
    pub row: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportForm {
    /// The .xlsx or .csv file (UTF-8 with or without BOM, GBK/GB18030, UTF-16; ≤ 40 MiB,
    /// ≤ 100,000 rows after the header row).
    #[schema(value_type = String, format = Binary)]
    pub file: String,
    /// Only for the import: JSON `{field: column header}`, e.g. `{"name": "客户姓名", "phone": "手机"}`.
    /// In a preview: the mapping whose person column's names are listed (else the suggestion).
    pub mapping: Option<String>,
    /// The spreadsheet row of the header (default: found by its headings).
    pub header_row: Option<String>,
    /// JSON `{name as written: user id}` for the names in the sheet; `""` = unassigned, the
    /// name kept as written.
    pub people: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewResponse {
    /// `a_cards`, `c_cards` or `service_history`.
    pub sheet: String,
    /// The header row (a blank header is named by its column letter).
    pub columns: Vec<String>,
    /// The spreadsheet row of the header.
    pub header_row: usize,
    /// The first non-blank rows of the file as they are, to pick another header row.
    pub top_rows: Vec<TopRow>,
    /// `xlsx`, `UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`.
    pub encoding: String,
    /// The first 5 data rows, one string per column.
    pub sample_rows: Vec<Vec<String>>,
    /// Data rows in the file.
    pub total_rows: usize,
    /// field → column, from common Chinese and English headers.
    pub suggested_mapping: HashMap<String, String>,
    /// The fields a mapping may use.
    pub fields: Vec<String>,
    /// The fields a mapping must map.
    pub required: Vec<String>,
    /// The field whose names are matched to users (`consultant`), if the sheet has one.
    pub person_field: Option<String>,
    /// The names in the person column, with their matches.
    pub people: Vec<NameInSheet>,
    /// The users a name may be given to (active, working in sales).
    pub users: Vec<UserChoice>,
    /// The mapping (field → column) of the store's last import of a file of this sheet with
    /// exactly these headings, from whatever device (`import_mapping` records); `null` when
    /// none.
    pub remembered_mapping: Option<BTreeMap<String, String>>,
}

fn column_of(columns: &[String], column: &str) -> Option<usize> {
    columns.iter().position(|c| c == column)
}

async fn do_preview(
    state: AppState,
    auth: AuthUser,
    sheet: Sheet,
    form: Multipart,
) -> Result<Json<PreviewResponse>, IoError> {
    may_import(&auth, sheet)?;
    let up = read_form(form).await?;
    let (source, shape) = read_shape(&up, sheet).await?;
    let suggested = map::suggest(sheet, &shape.columns);
    let given: Option<HashMap<String, Option<String>>> = up
        .text("mapping")
        .and_then(|m| serde_json::from_str(m).ok());
    let person_column = sheet.person_field().and_then(|f| {
        let column = match &given {
            Some(g) => g.get(f).cloned().flatten(),
            None => suggested.get(f).cloned(),
        }?;
        column_of(&shape.columns, &column)
    });
    // The second pass: the first rows, and the names of the person column counted.
    let (shape, sample_rows, counted) = tokio::task::spawn_blocking(move || {
        let width = shape.columns.len();
        let mut sample_rows: Vec<Vec<String>> = Vec::new();
        let mut counted = NameCount::default();
        source.data_rows(&shape, &mut |_, cells| {
            if let Some(i) = person_column {
                counted.add(cells.get(i).map(String::as_str).unwrap_or(""));
            }
            if sample_rows.len() < SAMPLE_ROWS {
                sample_rows.push(
                    (0..width)
                        .map(|i| cells.get(i).cloned().unwrap_or_default())
                        .collect(),
                );
            } else if person_column.is_none() {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })?;
        Ok((shape, sample_rows, counted))
    })
    .await
    .map_err(joined)?
    .map_err(|e| read_refusal(e, None))?;
    let (people, users) = people_of(&state, &auth.user.store_id, HashMap::new()).await?;
    let remembered_mapping = remembered(&state, &auth.user.store_id, sheet, &shape.columns).await?;
    Ok(Json(PreviewResponse {
        sheet: sheet.as_str().to_owned(),
        suggested_mapping: suggested,
        total_rows: shape.total_rows,
        header_row: shape.header_row,
        top_rows: shape
            .top
            .iter()
            .map(|(row, cells)| TopRow {
                row: *row,
                cells: cells.clone(),
            })
            .collect(),
        encoding: shape.encoding.to_owned(),
        columns: shape.columns,
        sample_rows,
        fields: sheet
            .field_names()
            .iter()
            .map(|f| (*f).to_owned())
            .collect(),
        required: sheet.required().iter().map(|f| (*f).to_owned()).collect(),
        person_field: sheet.person_field().map(str::to_owned),
        people: people.named(counted),
        users,
        remembered_mapping,
    }))
}

/// The store's mapping kept for `sheet` files with the headings `columns`.
async fn remembered(
    state: &AppState,
    store_id: &str,
    sheet: Sheet,
    columns: &[String],
) -> Result<Option<BTreeMap<String, String>>, IoError> {
    let id = import_mapping_id(store_id, sheet.as_str(), columns);
    Ok(records_of(state, store_id, IMPORT_MAPPING.name)
        .await?
        .iter()
        .filter(|r| r.id == id)
        .find_map(ImportMapping::of)
        .and_then(|m| m.for_columns(sheet.as_str(), columns).cloned()))
}

/// Keeps the mapping of this import for the next file of the same headings (one op of the
/// importing user, checked as any push), unless the store holds it already.
async fn remember(
    state: &AppState,
    auth: &AuthUser,
    sheet: Sheet,
    columns: &[String],
    mapping: &HashMap<String, usize>,
) -> Result<(), IoError> {
    let store_id = &auth.user.store_id;
    let by_heading: BTreeMap<String, String> = mapping
        .iter()
        .filter_map(|(f, i)| Some((f.clone(), columns.get(*i)?.clone())))
        .collect();
    if remembered(state, store_id, sheet, columns).await? == Some(by_heading.clone()) {
        return Ok(());
    }
    let id = import_mapping_id(store_id, sheet.as_str(), columns);
    let record = RecordState::new(id, IMPORT_MAPPING.name, store_id);
    let edit = Edit::new(&record, &IMPORT_MAPPING);
    let internal =
        |e: domain::sync::SyncError| IoError::from(Error::Internal(format!("import mapping: {e}")));
    let changes = mapping_fields(sheet.as_str(), columns, &by_heading)
        .into_iter()
        .map(|(f, v)| edit.set(f, v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let now = now_ms();
    let op = Op {
        op_id: Uuid::now_v7(),
        device_id: auth.device.id,
        user_id: auth.user.id.to_string(),
        store_id: store_id.clone(),
        record_id: id,
        record_type: IMPORT_MAPPING.name.to_owned(),
        hlc: Hlc::new(now, 0),
        changes,
    };
    validate_op(&op, registry()).map_err(internal)?;
    state
        .store()
        .push(
            store_id.clone(),
            vec![op],
            PushCheck::device(auth.actor(), now),
        )
        .await?
        .map_err(|r| Error::Internal(format!("import mapping refused by storage: {r:?}")))?;
    Ok(())
}

/// Reads a sheet and suggests which column holds which field; lists the names of its person
/// column with the users they match.
#[utoipa::path(
    post,
    path = "/api/import/{sheet}/preview",
    tag = "import",
    security(("bearer" = [])),
    params(("sheet" = String, Path, description = "`a_cards`, `c_cards` or `service_history`")),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = PreviewResponse),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: A-cards: not a sales manager or GM; the others: not a manager of sales or care or GM", body = ErrorBody),
        (status = 404, description = "`import_sheet_unknown`", body = ErrorBody),
        (status = 413, description = "`file_too_large` (over 40 MiB), `import_too_many_rows` (over 100,000), `import_xlsx_too_large` (shared strings over 64 MB)", body = ErrorBody),
        (status = 422, description = "`import_file_missing`, `import_not_utf8`, `import_file_unreadable`, `import_file_empty`, `import_header_row_invalid`", body = ErrorBody),
    )
)]
async fn preview(
    State(state): State<AppState>,
    Path(sheet): Path<String>,
    auth: AuthUser,
    form: Multipart,
) -> Result<Json<PreviewResponse>, IoError> {
    let sheet = sheet_of(&sheet)?;
    do_preview(state, auth, sheet, form).await
}

/// The A-card import's preview (the same as `/api/import/a_cards/preview`).
#[utoipa::path(
    post,
    path = "/api/sales/import/preview",
    tag = "sales",
    security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = PreviewResponse),
        (status = 403, description = "`forbidden`: not a sales manager or general manager", body = ErrorBody),
        (status = 413, description = "`file_too_large`, `import_too_many_rows`, `import_xlsx_too_large`", body = ErrorBody),
        (status = 422, description = "as `/api/import/{sheet}/preview`", body = ErrorBody),
    )
)]
async fn sales_preview(
    State(state): State<AppState>,
    auth: AuthUser,
    form: Multipart,
) -> Result<Json<PreviewResponse>, IoError> {
    do_preview(state, auth, Sheet::ACards, form).await
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportResponse {
    /// Records written now.
    pub imported: usize,
    /// Rows already in the store (an earlier import) or repeated in the file.
    pub existing: usize,
    /// Rows not written.
    pub refused: usize,
    /// Rows imported with a value kept as written or a note (a duplicate phone, …).
    pub warned: usize,
    /// Data rows in the file.
    pub total_rows: usize,
    /// Every row with something to say (refused, already there, or with warnings), in file
    /// order; a row written without remark is only counted.
    pub rows: Vec<RowReport>,
}

/// The mapping `{field: column}` → field → column index.
fn parse_mapping(
    text: Option<&str>,
    columns: &[String],
    sheet: Sheet,
) -> Result<HashMap<String, usize>, IoError> {
    let fields = sheet.field_names();
    let text = text.ok_or_else(|| {
        unprocessable(
            "import_mapping_missing",
            "缺少列对应关系(mapping)".into(),
            "The column mapping (`mapping`) is missing".into(),
        )
    })?;
    let raw: HashMap<String, Option<String>> = serde_json::from_str(text).map_err(|e| {
        unprocessable(
            "import_mapping_invalid",
            format!("列对应关系不是有效的 JSON 对象 {{字段: 列名}}:{e}"),
            format!("The mapping is not a JSON object {{field: column}}: {e}"),
        )
    })?;
    let mut out = HashMap::new();
    for (field, column) in raw {
        if !fields.contains(&field.as_str()) {
            return Err(unprocessable(
                "import_unknown_field",
                format!("未知字段“{field}”,可用字段:{}", fields.join(", ")),
                format!(
                    "Unknown field “{field}”; the fields are {}",
                    fields.join(", ")
                ),
            ));
        }
        let Some(column) = column.filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let index = column_of(columns, &column).ok_or_else(|| {
            unprocessable(
                "import_unknown_column",
                format!("文件中没有“{column}”这一列"),
                format!("The file has no column “{column}”"),
            )
        })?;
        out.insert(field, index);
    }
    let missing: Vec<&str> = sheet
        .required()
        .iter()
        .copied()
        .filter(|f| !out.contains_key(*f))
        .collect();
    if !missing.is_empty() {
        return Err(unprocessable(
            "import_mapping_incomplete",
            format!(
                "请为必填字段选择对应的列:{}",
                missing
                    .iter()
                    .map(|f| match *f {
                        "name" => "客户姓名",
                        "phone" => "手机号码",
                        "intended_model" => "意向车型",
                        "date" => "日期",
                        other => other,
                    })
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "Choose the column of each required field: {}",
                missing.join(", ")
            ),
        ));
    }
    if sheet == Sheet::History && !out.contains_key("vin") && !out.contains_key("plate") {
        return Err(unprocessable(
            "import_mapping_incomplete",
            "请为 VIN 或车牌选择对应的列".into(),
            "Choose the column of the VIN or of the plate".into(),
        ));
    }
    Ok(out)
}

fn domain_lang() -> domain::sales::Lang {
    match Lang::current() {
        Lang::Zh => domain::sales::Lang::Zh,
        Lang::En => domain::sales::Lang::En,
    }
}

async fn do_import(
    state: AppState,
    auth: AuthUser,
    sheet: Sheet,
    form: Multipart,
) -> Result<Json<ImportResponse>, IoError> {
    may_import(&auth, sheet)?;
    let user = auth.user.id;
    set_progress(
        user,
        Progress {
            stage: "reading",
            done: 0,
            total: 0,
        },
    );
    let result = run_import(&state, &auth, sheet, form).await;
    if let Ok(Json(r)) = &result {
        set_progress(
            user,
            Progress {
                stage: "done",
                done: r.total_rows,
                total: r.total_rows,
            },
        );
    } else if let Ok(mut m) = progress_map().lock() {
        m.remove(&user);
    }
    result
}

async fn run_import(
    state: &AppState,
    auth: &AuthUser,
    sheet: Sheet,
    form: Multipart,
) -> Result<Json<ImportResponse>, IoError> {
    let up = read_form(form).await?;
    let (source, shape) = read_shape(&up, sheet).await?;
    let mapping = parse_mapping(up.text("mapping"), &shape.columns, sheet)?;
    let choices: HashMap<String, String> = match up.text("people").map(str::trim) {
        None | Some("") => HashMap::new(),
        Some(t) => serde_json::from_str(t).map_err(|e| {
            unprocessable(
                "import_people_invalid",
                format!("人员对应关系不是有效的 JSON 对象 {{姓名: 用户}}:{e}"),
                format!("The people mapping is not a JSON object {{name: user}}: {e}"),
            )
        })?,
    };
    let total = shape.total_rows;
    set_progress(
        auth.user.id,
        Progress {
            stage: "checking",
            done: 0,
            total,
        },
    );
    let store_id = auth.user.store_id.clone();
    let settings = records_of(state, &store_id, "sales_settings").await?;
    let store_settings = StoreSettings::of(&settings);
    let catalogue = store_settings.catalogue();
    if sheet == Sheet::ACards && catalogue.models.is_empty() {
        return Err(refused(
            StatusCode::CONFLICT,
            "sales_catalogue_empty",
            "本店还没有车型目录,请先在销售设置中添加车型".into(),
            "The store has no model catalogue yet; add the models in the sales settings first"
                .into(),
        ));
    }
    let (people, _) = people_of(state, &store_id, choices).await?;
    // The pushes queued before this import (the last batch of an import stopped a moment ago)
    // are committed before it reads what the store has: the store writes pushes in order, and
    // answers an empty one after those.
    state
        .store()
        .push(
            store_id.clone(),
            Vec::new(),
            PushCheck::device(auth.actor(), now_ms()),
        )
        .await?
        .map_err(|r| Error::Internal(format!("import: empty push refused: {r:?}")))?;
    let known = Known::of(state, &store_id, sheet, catalogue, &store_settings).await?;
    let record_type = registry()
        .get(sheet.record_type())
        .ok_or_else(|| Error::Internal(format!("no record type {}", sheet.record_type())))?;
    let writer = Writer {
        device_id: auth.device.id,
        user_id: auth.user.id.to_string(),
        store_id: store_id.clone(),
        record_type,
        now: now_ms(),
        counter: 0,
    };
    let columns = shape.columns.clone();
    let file = CheckedFile {
        source,
        shape,
        mapping: mapping.clone(),
        people,
        lang: domain_lang(),
    };
    // At most two batches wait for their push while the file is read on.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
    let checking = tokio::task::spawn_blocking(move || file.check(&known, writer, &tx));
    while let Some(batch) = rx.recv().await {
        state
            .store()
            .push(
                store_id.clone(),
                batch.ops,
                PushCheck::device(auth.actor(), now_ms()),
            )
            .await?
            .map_err(batch_refused)?;
        set_progress(
            auth.user.id,
            Progress {
                stage: "writing",
                done: batch.through,
                total,
            },
        );
    }
    let tally = checking.await.map_err(joined)??;
    remember(state, auth, sheet, &columns, &mapping).await?;
    Ok(Json(tally))
}

/// A batch the store refused: rows another import wrote since this one read the store (the
/// same file imported twice at once) are `import_running`; anything else is a fault.
fn batch_refused(r: PushRefusal) -> IoError {
    if r.reason == RefusalReason::OpIdReused {
        refused(
            StatusCode::CONFLICT,
            "import_running",
            "另一个导入正在写入同样的行,请等它结束后再导入一次(已写入的行不会重复)".into(),
            "Another import is writing the same rows; import again once it has ended (rows already written are not added twice)".into(),
        )
    } else {
        Error::Internal(format!("import refused by storage: {r:?}")).into()
    }
}

/// What the checks of a sheet need to know of the store (read before the file, owned: they
/// move to the thread that reads it).
enum Known {
    ACards {
        catalogue: Catalogue,
        /// Canonical phones of the live A-cards → the customer's name.
        phones: HashMap<String, String>,
        ids: HashSet<Uuid>,
        now_local: String,
        cadence: CadenceSettings,
        sleep: SleepSettings,
    },
    CCards {
        catalogue: Catalogue,
        ids: HashSet<Uuid>,
        /// VINs (upper case) of the live C-cards → the customer's name.
        vins: HashMap<String, String>,
    },
    History {
        ids: HashSet<Uuid>,
        by_vin: HashMap<String, Uuid>,
        by_plate: HashMap<String, Uuid>,
    },
}

impl Known {
    /// Read a snapshot page at a time: what is kept is ids, phones or VINs, not the records.
    async fn of(
        state: &AppState,
        store_id: &str,
        sheet: Sheet,
        catalogue: Catalogue,
        settings: &StoreSettings,
    ) -> Result<Known, IoError> {
        let clock = StoreClock::default();
        Ok(match sheet {
            Sheet::ACards => {
                let mut phones = HashMap::new();
                let mut ids = HashSet::new();
                for_each_record(state, store_id, "a_card", |card| {
                    ids.insert(card.id);
                    if card.is_deleted() {
                        return;
                    }
                    let card = ACard::of(&card, clock);
                    if let Ok(p) =
                        domain::sales::phone::normalise(card.phone.as_deref().unwrap_or(""))
                    {
                        phones.entry(p).or_insert(card.name.unwrap_or_default());
                    }
                })
                .await?;
                Known::ACards {
                    catalogue,
                    phones,
                    ids,
                    now_local: clock
                        .local(chrono::Utc::now())
                        .format("%Y-%m-%dT%H:%M:%S")
                        .to_string(),
                    cadence: settings.cadence,
                    sleep: settings.sleep,
                }
            }
            Sheet::CCards => {
                let mut vins = HashMap::new();
                let mut ids = HashSet::new();
                for_each_record(state, store_id, "c_card", |card| {
                    ids.insert(card.id);
                    if card.is_deleted() {
                        return;
                    }
                    let c = CCard::of(&card, clock);
                    if let Some(v) = c.vin.filter(|v| !v.trim().is_empty()) {
                        vins.entry(v.trim().to_uppercase())
                            .or_insert(c.name.unwrap_or_default());
                    }
                })
                .await?;
                Known::CCards {
                    catalogue,
                    ids,
                    vins,
                }
            }
            Sheet::History => {
                let (mut by_vin, mut by_plate) = (HashMap::new(), HashMap::new());
                for_each_record(state, store_id, "c_card", |card| {
                    if card.is_deleted() {
                        return;
                    }
                    let c = CCard::of(&card, clock);
                    if let Some(v) = c.vin.filter(|v| !v.trim().is_empty()) {
                        by_vin.entry(v.trim().to_uppercase()).or_insert(card.id);
                    }
                    if let Some(p) = c.plate.filter(|p| !p.trim().is_empty()) {
                        by_plate.entry(plate_key(&p)).or_insert(card.id);
                    }
                })
                .await?;
                let mut ids = HashSet::new();
                for_each_record(state, store_id, "service_history", |r| {
                    ids.insert(r.id);
                })
                .await?;
                Known::History {
                    ids,
                    by_vin,
                    by_plate,
                }
            }
        })
    }
}

/// The ops of the rows of a batch, and the rows of the file checked when it was cut.
struct Batch {
    ops: Vec<Op>,
    through: usize,
}

/// Makes the ops of the rows to write: one op of the importing user's device per row (with the
/// row's fields and its first tag), one more per other tag (one element of a set per op); ids
/// derived from the row, so a resent batch is the same ops.
struct Writer {
    device_id: Uuid,
    user_id: String,
    store_id: String,
    record_type: &'static RecordType,
    now: u64,
    counter: u32,
}

impl Writer {
    fn ops(&mut self, rows: &[GoodRow]) -> Result<Vec<Op>, IoError> {
        let record_type = self.record_type;
        let mut ops = Vec::with_capacity(rows.len());
        for row in rows {
            let record = RecordState::new(row.record_id, record_type.name, &self.store_id);
            let edit = Edit::new(&record, record_type);
            let internal = |e: domain::sync::SyncError| {
                IoError::from(Error::Internal(format!("import row {}: {e}", row.row)))
            };
            let mut changes = row
                .fields
                .iter()
                .map(|(f, v)| edit.set(f, v.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(internal)?;
            let mut tags = row.tags.iter();
            if let Some(t) = tags.next() {
                changes.push(edit.set_add("tags", t).map_err(internal)?);
            }
            let mut all = vec![changes];
            for t in tags {
                all.push(vec![edit.set_add("tags", t).map_err(internal)?]);
            }
            for (n, changes) in all.into_iter().enumerate() {
                self.counter = self.counter.saturating_add(1);
                let op = Op {
                    op_id: op_id(row.record_id, n),
                    device_id: self.device_id,
                    user_id: self.user_id.clone(),
                    store_id: self.store_id.clone(),
                    record_id: row.record_id,
                    record_type: record_type.name.to_owned(),
                    hlc: Hlc::new(self.now, self.counter),
                    changes,
                };
                validate_op(&op, registry()).map_err(internal)?;
                ops.push(op);
            }
        }
        Ok(ops)
    }
}

/// A file being imported: read, its mapping and the people's choices.
struct CheckedFile {
    source: Source,
    shape: Shape,
    mapping: HashMap<String, usize>,
    people: People,
    lang: domain::sales::Lang,
}

impl CheckedFile {
    /// Checks every row with the sheet's checks (on a blocking thread) and sends the ops of
    /// every [`BATCH`] rows to write to `tx`; the answer counts the rows and keeps the ones with
    /// something to say.
    fn check(
        self,
        known: &Known,
        mut writer: Writer,
        tx: &tokio::sync::mpsc::Sender<Batch>,
    ) -> Result<ImportResponse, IoError> {
        let (mapping, people, lang) = (&self.mapping, &self.people, self.lang);
        let store_id = writer.store_id.clone();
        let store_id = store_id.as_str();
        match known {
            Known::ACards {
                catalogue,
                phones,
                ids,
                now_local,
                cadence,
                sleep,
            } => {
                let ctx = ImportContext {
                    catalogue,
                    existing_phones: phones,
                    existing_ids: ids,
                    people,
                    store_id,
                    now_local: now_local.clone(),
                    cadence: *cadence,
                    sleep: *sleep,
                    lang,
                };
                self.run(a_card::checker(mapping, &ctx), &mut writer, tx)
            }
            Known::CCards {
                catalogue,
                ids,
                vins,
            } => {
                let ctx = CCardContext {
                    catalogue,
                    existing_ids: ids,
                    existing_vins: vins,
                    people,
                    store_id,
                    lang,
                };
                self.run(c_card::checker(mapping, &ctx), &mut writer, tx)
            }
            Known::History {
                ids,
                by_vin,
                by_plate,
            } => {
                let ctx = HistoryContext {
                    existing_ids: ids,
                    cards_by_vin: by_vin,
                    cards_by_plate: by_plate,
                    store_id,
                    lang,
                };
                self.run(history::checker(mapping, &ctx), &mut writer, tx)
            }
        }
    }

    fn run(
        &self,
        mut check: impl FnMut(usize, &[String]) -> RowChecked,
        writer: &mut Writer,
        tx: &tokio::sync::mpsc::Sender<Batch>,
    ) -> Result<ImportResponse, IoError> {
        let mut out = ImportResponse {
            imported: 0,
            existing: 0,
            refused: 0,
            warned: 0,
            total_rows: 0,
            rows: Vec::new(),
        };
        let mut batch: Vec<GoodRow> = Vec::with_capacity(BATCH);
        let mut failed: Option<IoError> = None;
        let mut send = |rows: &mut Vec<GoodRow>, through: usize| -> Result<(), IoError> {
            let ops = writer.ops(rows)?;
            rows.clear();
            tx.blocking_send(Batch { ops, through })
                .map_err(|_| IoError::from(Error::Internal("the import was stopped".into())))
        };
        self.source
            .data_rows(&self.shape, &mut |number, cells| {
                let (report, good) = check(number, &cells);
                out.total_rows += 1;
                match report.outcome {
                    Outcome::New => {}
                    Outcome::Existing => out.existing += 1,
                    Outcome::Refused => out.refused += 1,
                }
                if report.ok && !report.warnings.is_empty() {
                    out.warned += 1;
                }
                if report.outcome != Outcome::New || !report.warnings.is_empty() {
                    out.rows.push(report);
                }
                if let Some(g) = good {
                    out.imported += 1;
                    batch.push(g);
                    if batch.len() >= BATCH
                        && let Err(e) = send(&mut batch, out.total_rows)
                    {
                        failed = Some(e);
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            })
            .map_err(|e| read_refusal(e, None))?;
        if let Some(e) = failed {
            return Err(e);
        }
        if !batch.is_empty() {
            send(&mut batch, out.total_rows)?;
        }
        Ok(out)
    }
}

/// Imports a sheet: checks every row, writes the new ones in batches.
///
/// A-cards: the A-card rules for the name and phone; model, grade, source, dates read as stores
/// write them; the consultant matched to a user (or the manager's choice, or kept as written);
/// the same phone twice imported and left to the 撞单 queue. C-cards: name, phone, VIN (one
/// C-card per VIN), plate, model, dates, local. Past services: date, VIN or plate (linked to the
/// C-card of that vehicle), odometer, RO number, kind, amount, advisor, note. A row already
/// imported is reported `existing` and not written again.
#[utoipa::path(
    post,
    path = "/api/import/{sheet}",
    tag = "import",
    security(("bearer" = [])),
    params(("sheet" = String, Path, description = "`a_cards`, `c_cards` or `service_history`")),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = ImportResponse),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`import_sheet_unknown`", body = ErrorBody),
        (status = 409, description = "`sales_catalogue_empty` (A-cards): the store has no model catalogue yet; `import_running`: another import wrote the same rows meanwhile (import again)", body = ErrorBody),
        (status = 413, description = "`file_too_large`, `import_too_many_rows`, `import_xlsx_too_large`", body = ErrorBody),
        (status = 422, description = "`import_file_missing`, `import_not_utf8`, `import_file_unreadable`, `import_file_empty`, `import_header_row_invalid`, `import_mapping_missing`, `import_mapping_invalid`, `import_unknown_field`, `import_unknown_column`, `import_mapping_incomplete`, `import_people_invalid`", body = ErrorBody),
    )
)]
async fn import(
    State(state): State<AppState>,
    Path(sheet): Path<String>,
    auth: AuthUser,
    form: Multipart,
) -> Result<Json<ImportResponse>, IoError> {
    let sheet = sheet_of(&sheet)?;
    do_import(state, auth, sheet, form).await
}

/// The A-card import (the same as `/api/import/a_cards`).
#[utoipa::path(
    post,
    path = "/api/sales/import",
    tag = "sales",
    security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = ImportResponse),
        (status = 403, description = "`forbidden`: not a sales manager or general manager", body = ErrorBody),
        (status = 409, description = "`sales_catalogue_empty`, `import_running`", body = ErrorBody),
        (status = 413, description = "`file_too_large`, `import_too_many_rows`, `import_xlsx_too_large`", body = ErrorBody),
        (status = 422, description = "as `/api/import/{sheet}`", body = ErrorBody),
    )
)]
async fn sales_import(
    State(state): State<AppState>,
    auth: AuthUser,
    form: Multipart,
) -> Result<Json<ImportResponse>, IoError> {
    do_import(state, auth, Sheet::ACards, form).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_another_import_wrote_is_import_running_anything_else_a_fault() {
        let refusal = |reason| PushRefusal {
            op_index: 3,
            reason,
        };
        match batch_refused(refusal(RefusalReason::OpIdReused)) {
            IoError::Refused { status, code, .. } => {
                assert_eq!((status, code), (StatusCode::CONFLICT, "import_running"));
            }
            other => panic!("{other:?}"),
        }
        let apply = RefusalReason::Apply(domain::sync::SyncError::UnknownRecordType {
            record_type: "x".into(),
        });
        assert!(matches!(
            batch_refused(refusal(apply)),
            IoError::Api(Error::Internal(_))
        ));
    }
}
