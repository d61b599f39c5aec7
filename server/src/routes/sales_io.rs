//! Import of an existing A-card list and export of any list to .xlsx:
//! `POST /api/sales/import/preview`, `POST /api/sales/import`, `POST /api/export/xlsx`.
//!
//! An import writes every good row as one `a_card` op of the importing user's device, all in
//! ONE push through [`crate::store::SyncStore::push`]: every good row or nothing. The rows are
//! checked by [`crate::sales_import::check_rows`] (domain rules, the store's catalogue,
//! duplicates).

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Multipart, State, multipart::MultipartError},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::records::{A_CARD, ACard};
use domain::sales::settings::StoreSettings;
use domain::sync::{Edit, Hlc, Op, RecordState, new_id, validate_op};
use domain::time::StoreClock;
use domain::{Area, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::Json,
    lang::Lang,
    routes::sync::now_ms,
    sales_import::{
        FIELDS, ImportContext, REQUIRED, ReadError, RowReport, Table, check_rows, read_table,
        suggest_mapping,
    },
    store::{PushCheck, Reader, sync::registry},
};

/// Largest import file.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows in one import.
pub const MAX_IMPORT_ROWS: usize = 5_000;
/// Most rows in one export.
pub const MAX_EXPORT_ROWS: usize = 50_000;
/// Most columns in one export.
pub const MAX_EXPORT_COLUMNS: usize = 200;
/// Largest export request body.
pub const MAX_EXPORT_BYTES: usize = 64 * 1024 * 1024;
/// Excel's limit of characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

pub fn router() -> OpenApiRouter<AppState> {
    // The multipart body may be a little larger than the file (boundaries, the mapping).
    let import_limit = DefaultBodyLimit::max(MAX_IMPORT_BYTES + 256 * 1024);
    OpenApiRouter::new()
        .routes(routes!(preview).layer(import_limit))
        .routes(routes!(import).layer(import_limit))
        .routes(routes!(export_xlsx).layer(DefaultBodyLimit::max(MAX_EXPORT_BYTES)))
}

/// An error of these endpoints: the API's usual [`Error`], or one of the import/export codes.
#[derive(Debug)]
pub enum IoError {
    Api(Error),
    Refused {
        status: StatusCode,
        code: &'static str,
        zh: String,
        en: String,
    },
}

impl From<Error> for IoError {
    fn from(e: Error) -> Self {
        IoError::Api(e)
    }
}

impl From<crate::store::StoreError> for IoError {
    fn from(e: crate::store::StoreError) -> Self {
        IoError::Api(e.into())
    }
}

fn refused(status: StatusCode, code: &'static str, zh: String, en: String) -> IoError {
    IoError::Refused {
        status,
        code,
        zh,
        en,
    }
}

impl IntoResponse for IoError {
    fn into_response(self) -> Response {
        match self {
            IoError::Api(e) => e.into_response(),
            IoError::Refused {
                status,
                code,
                zh,
                en,
            } => {
                let message = match Lang::current() {
                    Lang::Zh => zh,
                    Lang::En => en,
                };
                let body = ErrorBody {
                    code: code.to_owned(),
                    message,
                    op_index: None,
                    server_time_ms: None,
                };
                (status, axum::Json(body)).into_response()
            }
        }
    }
}

fn file_too_large() -> IoError {
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        format!("文件太大,最大 {} MB", MAX_IMPORT_BYTES / 1024 / 1024),
        format!(
            "The file is too large (at most {} MB)",
            MAX_IMPORT_BYTES / 1024 / 1024
        ),
    )
}

fn multipart_error(e: MultipartError) -> IoError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        file_too_large()
    } else {
        refused(
            StatusCode::BAD_REQUEST,
            "malformed_multipart",
            format!("上传内容格式有误:{}", e.body_text()),
            format!(
                "The upload is not valid multipart/form-data: {}",
                e.body_text()
            ),
        )
    }
}

/// The parts of an import form.
struct Upload {
    file: Option<Bytes>,
    mapping: Option<String>,
}

async fn read_form(mut form: Multipart) -> Result<Upload, IoError> {
    let mut up = Upload {
        file: None,
        mapping: None,
    };
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if bytes.len() > MAX_IMPORT_BYTES {
                    return Err(file_too_large());
                }
                up.file = Some(bytes);
            }
            Some("mapping") => up.mapping = Some(field.text().await.map_err(multipart_error)?),
            _ => {}
        }
    }
    Ok(up)
}

fn table_of(up: &Upload) -> Result<Table, IoError> {
    let bytes = up.file.as_ref().ok_or_else(|| {
        refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_file_missing",
            "请选择要导入的文件(.xlsx 或 .csv)".into(),
            "Please choose a file to import (.xlsx or .csv)".into(),
        )
    })?;
    read_table(bytes, MAX_IMPORT_ROWS).map_err(|e| match e {
        ReadError::NotUtf8 => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_not_utf8",
            "CSV 文件不是 UTF-8 编码,请在 Excel 中“另存为 CSV UTF-8”后再导入,或直接上传 .xlsx"
                .into(),
            "The CSV file is not UTF-8: save it as “CSV UTF-8” in Excel, or upload the .xlsx"
                .into(),
        ),
        ReadError::Unreadable(detail) => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_file_unreadable",
            format!("无法读取文件,请上传 .xlsx 或 .csv 文件({detail})"),
            format!("The file cannot be read; upload an .xlsx or .csv file ({detail})"),
        ),
        ReadError::Empty => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import_file_empty",
            "文件是空的,第一行应为表头".into(),
            "The file is empty; its first row should be the headers".into(),
        ),
        ReadError::TooManyRows { max } => refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "import_too_many_rows",
            format!("一次最多导入 {max} 行,请拆分文件"),
            format!("At most {max} rows per import; split the file"),
        ),
    })
}

fn may_import(auth: &AuthUser) -> Result<(), Error> {
    auth.require_manages(Area::Sales)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportForm {
    /// The .xlsx or UTF-8 .csv file (≤ 5 MiB, ≤ 5,000 rows after the header row).
    #[schema(value_type = String, format = Binary)]
    pub file: String,
    /// Only for the import: JSON `{field: column header}`, e.g. `{"name": "客户姓名", "phone": "手机"}`.
    pub mapping: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewResponse {
    /// The header row (a blank header is named by its column letter).
    pub columns: Vec<String>,
    /// The first 5 data rows, one string per column.
    pub sample_rows: Vec<Vec<String>>,
    /// Data rows in the file.
    pub total_rows: usize,
    /// field → column, from common Chinese and English headers.
    pub suggested_mapping: HashMap<String, String>,
    /// The fields a mapping may use (`name`, `phone`, `intended_model` are required).
    pub fields: Vec<String>,
}

/// Reads an A-card list and suggests which column holds which field.
#[utoipa::path(
    post,
    path = "/api/sales/import/preview",
    tag = "sales",
    security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = PreviewResponse),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a sales manager or general manager", body = ErrorBody),
        (status = 413, description = "`file_too_large` (over 5 MiB), `import_too_many_rows` (over 5,000)", body = ErrorBody),
        (status = 422, description = "`import_file_missing`, `import_not_utf8`, `import_file_unreadable`, `import_file_empty`", body = ErrorBody),
    )
)]
async fn preview(auth: AuthUser, form: Multipart) -> Result<Json<PreviewResponse>, IoError> {
    may_import(&auth)?;
    let up = read_form(form).await?;
    let table = tokio::task::spawn_blocking(move || table_of(&up))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let width = table.columns.len();
    let sample_rows = table
        .rows
        .iter()
        .take(5)
        .map(|(_, cells)| {
            (0..width)
                .map(|i| cells.get(i).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    Ok(Json(PreviewResponse {
        suggested_mapping: suggest_mapping(&table.columns),
        total_rows: table.rows.len(),
        columns: table.columns,
        sample_rows,
        fields: FIELDS.iter().map(|f| (*f).to_owned()).collect(),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportResponse {
    /// A-cards written.
    pub imported: usize,
    /// Every data row in file order.
    pub rows: Vec<RowReport>,
}

/// Every record of `record_type` in the store (snapshot pages).
async fn records_of(
    state: &AppState,
    store_id: &str,
    record_type: &str,
) -> Result<Vec<RecordState>, IoError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .store()
            .snapshot(
                store_id.to_owned(),
                after,
                1000,
                Reader::types(vec![record_type.to_owned()]),
            )
            .await?;
        for raw in page.records {
            let rec: RecordState = serde_json::from_str(raw.get())
                .map_err(|e| Error::Internal(format!("stored record: {e}")))?;
            out.push(rec);
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}

fn mapping_error(code: &'static str, zh: String, en: String) -> IoError {
    refused(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en)
}

/// The mapping `{field: column}` → field → column index.
fn parse_mapping(text: Option<&str>, table: &Table) -> Result<HashMap<String, usize>, IoError> {
    let text = text.ok_or_else(|| {
        mapping_error(
            "import_mapping_missing",
            "缺少列对应关系(mapping)".into(),
            "The column mapping (`mapping`) is missing".into(),
        )
    })?;
    let raw: HashMap<String, Option<String>> = serde_json::from_str(text).map_err(|e| {
        mapping_error(
            "import_mapping_invalid",
            format!("列对应关系不是有效的 JSON 对象 {{字段: 列名}}:{e}"),
            format!("The mapping is not a JSON object {{field: column}}: {e}"),
        )
    })?;
    let mut out = HashMap::new();
    for (field, column) in raw {
        if !FIELDS.contains(&field.as_str()) {
            return Err(mapping_error(
                "import_unknown_field",
                format!("未知字段“{field}”,可用字段:{}", FIELDS.join(", ")),
                format!(
                    "Unknown field “{field}”; the fields are {}",
                    FIELDS.join(", ")
                ),
            ));
        }
        let Some(column) = column.filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let index = table
            .columns
            .iter()
            .position(|c| *c == column)
            .ok_or_else(|| {
                mapping_error(
                    "import_unknown_column",
                    format!("文件中没有“{column}”这一列"),
                    format!("The file has no column “{column}”"),
                )
            })?;
        out.insert(field, index);
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|f| !out.contains_key(*f))
        .collect();
    if !missing.is_empty() {
        return Err(mapping_error(
            "import_mapping_incomplete",
            format!(
                "请为必填字段选择对应的列:{}",
                missing
                    .iter()
                    .map(|f| match *f {
                        "name" => "客户姓名",
                        "phone" => "手机号码",
                        _ => "意向车型",
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
    Ok(out)
}

/// Imports an A-card list: checks every row, writes the good ones as A-cards in one push.
///
/// Each row is checked with the A-card rules (full name, phone, intended model in the store's
/// catalogue, grade H/A/B/C if given, source, consultant by username or name, date) and for
/// duplicates (a phone an A-card of the store already has, or an earlier row of the file).
/// Bad rows are reported and not written; the good rows are all written, or none on a storage
/// error.
#[utoipa::path(
    post,
    path = "/api/sales/import",
    tag = "sales",
    security(("bearer" = [])),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = ImportResponse),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a sales manager or general manager", body = ErrorBody),
        (status = 409, description = "`sales_catalogue_empty`: the store has no model catalogue yet", body = ErrorBody),
        (status = 413, description = "`file_too_large`, `import_too_many_rows`", body = ErrorBody),
        (status = 422, description = "`import_file_missing`, `import_not_utf8`, `import_file_unreadable`, `import_file_empty`, `import_mapping_missing`, `import_mapping_invalid`, `import_unknown_field`, `import_unknown_column`, `import_mapping_incomplete`", body = ErrorBody),
    )
)]
async fn import(
    State(state): State<AppState>,
    auth: AuthUser,
    form: Multipart,
) -> Result<Json<ImportResponse>, IoError> {
    may_import(&auth)?;
    let up = read_form(form).await?;
    let mapping_text = up.mapping.clone();
    let table = tokio::task::spawn_blocking(move || table_of(&up))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let mapping = parse_mapping(mapping_text.as_deref(), &table)?;

    let store_id = auth.user.store_id.clone();
    let settings = records_of(&state, &store_id, "sales_settings").await?;
    let catalogue = StoreSettings::of(&settings).catalogue();
    if catalogue.models.is_empty() {
        return Err(refused(
            StatusCode::CONFLICT,
            "sales_catalogue_empty",
            "本店还没有车型目录,请先在销售设置中添加车型".into(),
            "The store has no model catalogue yet; add the models in the sales settings first"
                .into(),
        ));
    }
    let mut existing = HashMap::new();
    for card in records_of(&state, &store_id, "a_card").await? {
        if card.is_deleted() {
            continue;
        }
        let card = ACard::of(&card, StoreClock::default());
        if let Ok(p) = domain::sales::phone::normalise(card.phone.as_deref().unwrap_or("")) {
            existing.entry(p).or_insert(card.name.unwrap_or_default());
        }
    }
    let mut consultants = HashMap::new();
    for u in state.store().users_in_store(store_id.clone()).await? {
        if Role::any_works_in(&u.roles, Area::Sales) {
            consultants.insert(u.username.to_lowercase(), u.id.to_string());
            consultants.insert(u.display_name.clone(), u.id.to_string());
        }
    }
    let lang = match Lang::current() {
        Lang::Zh => domain::sales::Lang::Zh,
        Lang::En => domain::sales::Lang::En,
    };
    let now = now_ms();
    let now_local = StoreClock::default()
        .local(chrono::Utc::now())
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let ctx = ImportContext {
        catalogue: &catalogue,
        existing_phones: &existing,
        consultants: &consultants,
        now_local,
        lang,
    };
    let (rows, good) = check_rows(&table, &mapping, &ctx);

    let user_id = auth.user.id.to_string();
    let mut ops = Vec::with_capacity(good.len());
    for (i, row) in good.iter().enumerate() {
        let mut random = [0u8; 20];
        getrandom::fill(&mut random).map_err(|e| Error::Internal(e.to_string()))?;
        let record_id = new_id(now, random[..10].try_into().unwrap_or_default());
        let op_id = new_id(now, random[10..].try_into().unwrap_or_default());
        let state = RecordState::new(record_id, A_CARD.name, &store_id);
        let edit = Edit::new(&state, &A_CARD);
        let changes = row
            .fields
            .iter()
            .map(|(f, v)| edit.set(f, v.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Internal(format!("import row {}: {e}", row.row)))?;
        let op = Op {
            op_id,
            device_id: auth.device.id,
            user_id: user_id.clone(),
            store_id: store_id.clone(),
            record_id,
            record_type: A_CARD.name.to_owned(),
            hlc: Hlc::new(now, u32::try_from(i).unwrap_or(u32::MAX)),
            changes,
        };
        validate_op(&op, registry())
            .map_err(|e| Error::Internal(format!("import row {}: {e}", row.row)))?;
        ops.push(op);
    }
    let imported = ops.len();
    if !ops.is_empty() {
        state
            .store()
            .push(store_id, ops, PushCheck::device(auth.actor(), now_ms()))
            .await?
            .map_err(|r| Error::Internal(format!("import refused by storage: {r:?}")))?;
    }
    Ok(Json(ImportResponse { imported, rows }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExportRequest {
    /// The list's title: the file name (`<title>.xlsx`) and the sheet's name.
    pub title: String,
    /// The header row.
    pub columns: Vec<String>,
    /// The rows; each cell a string, a number or null.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<Value>>,
}

/// The sheet's name: Excel forbids `[]:*?/\` and allows 31 characters.
fn sheet_name(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let s = s.trim().trim_matches('\'').to_owned();
    if s.is_empty() { "Sheet1".into() } else { s }
}

/// The file name without characters that are not allowed in a file name.
fn file_stem(title: &str) -> String {
    let s: String = title
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if "\\/:*?\"<>|".contains(c) { '_' } else { c })
        .take(100)
        .collect();
    let s = s.trim().to_owned();
    if s.is_empty() { "export".into() } else { s }
}

/// RFC 5987 percent-encoding (`attr-char` stays as is).
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Display width: CJK characters count double.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn export_error(code: &'static str, zh: String, en: String) -> IoError {
    refused(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en)
}

fn build_xlsx(req: &ExportRequest) -> Result<Vec<u8>, IoError> {
    use rust_xlsxwriter::{Format, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| IoError::Api(Error::Internal(format!("xlsx: {e}")));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(&req.title)).map_err(xlsx)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = req.columns.iter().map(|c| width(c)).collect();
    for (c, name) in req.columns.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, name, &bold)
            .map_err(xlsx)?;
    }
    for (r, row) in req.rows.iter().enumerate() {
        let line = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let shown = match cell {
                Value::Null => continue,
                Value::String(s) if s.is_empty() => continue,
                Value::String(s) => {
                    sheet.write_string(line, col, s).map_err(xlsx)?;
                    width(s)
                }
                Value::Number(n) => {
                    let f = n.as_f64().unwrap_or(0.0);
                    sheet.write_number(line, col, f).map_err(xlsx)?;
                    n.to_string().len()
                }
                _ => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        let w = (*w as f64 + 2.0).clamp(8.0, 60.0);
        sheet.set_column_width(c as u16, w).map_err(xlsx)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    book.save_to_buffer().map_err(xlsx)
}

/// Exports a list as an .xlsx file: bold, frozen header row, columns as wide as their text.
#[utoipa::path(
    post,
    path = "/api/export/xlsx",
    tag = "export",
    security(("bearer" = [])),
    request_body = ExportRequest,
    responses(
        (status = 200, description = "The .xlsx file, `Content-Disposition: attachment; filename*=UTF-8''<title>.xlsx`", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 413, description = "`export_too_many_rows` (over 50,000), `export_too_many_columns` (over 200), `payload_too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_body`, `export_row_too_wide`, `export_cell_invalid` (not a string, number or null), `export_cell_too_long` (over 32,767 characters)", body = ErrorBody),
    )
)]
async fn export_xlsx(_auth: AuthUser, Json(req): Json<ExportRequest>) -> Result<Response, IoError> {
    if req.rows.len() > MAX_EXPORT_ROWS {
        return Err(refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "export_too_many_rows",
            format!(
                "一次最多导出 {MAX_EXPORT_ROWS} 行(本次 {} 行),请缩小筛选范围",
                req.rows.len()
            ),
            format!(
                "At most {MAX_EXPORT_ROWS} rows per export ({} given); narrow the filter",
                req.rows.len()
            ),
        ));
    }
    if req.columns.len() > MAX_EXPORT_COLUMNS {
        return Err(refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "export_too_many_columns",
            format!("一次最多导出 {MAX_EXPORT_COLUMNS} 列"),
            format!("At most {MAX_EXPORT_COLUMNS} columns per export"),
        ));
    }
    for (r, row) in req.rows.iter().enumerate() {
        let n = r + 1;
        if row.len() > req.columns.len() {
            return Err(export_error(
                "export_row_too_wide",
                format!(
                    "第 {n} 行有 {} 个单元格,但只有 {} 列",
                    row.len(),
                    req.columns.len()
                ),
                format!(
                    "Row {n} has {} cells but there are {} columns",
                    row.len(),
                    req.columns.len()
                ),
            ));
        }
        for cell in row {
            match cell {
                Value::Null | Value::Number(_) => {}
                Value::String(s) if s.chars().count() <= MAX_CELL_CHARS => {}
                Value::String(_) => {
                    return Err(export_error(
                        "export_cell_too_long",
                        format!("第 {n} 行有单元格超过 {MAX_CELL_CHARS} 个字"),
                        format!("Row {n} has a cell over {MAX_CELL_CHARS} characters"),
                    ));
                }
                _ => {
                    return Err(export_error(
                        "export_cell_invalid",
                        format!("第 {n} 行的单元格只能是文字、数字或空"),
                        format!("The cells of row {n} must be text, numbers or null"),
                    ));
                }
            }
        }
    }
    let stem = file_stem(&req.title);
    let bytes = tokio::task::spawn_blocking(move || build_xlsx(&req))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let ascii: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " -_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}.xlsx\"; filename*=UTF-8''{}.xlsx",
        pct(&stem)
    );
    let disposition = HeaderValue::from_str(&disposition)
        .map_err(|e| Error::Internal(format!("content-disposition: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_for_files_and_sheets() {
        assert_eq!(pct("A卡 列表"), "A%E5%8D%A1%20%E5%88%97%E8%A1%A8");
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(file_stem(" "), "export");
        assert_eq!(width("王a"), 3);
    }
}
