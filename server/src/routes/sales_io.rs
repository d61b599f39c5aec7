//! The export of any list to .xlsx (`POST /api/export/xlsx`), and the error type and helpers
//! the import's endpoints ([`super::import`], [`super::parts`]) share with it: [`IoError`], the
//! upload form read with its size limit, its file spooled to a temporary file ([`read_upload`]),
//! the store's records of a type ([`records_of`], [`for_each_record`]).

use std::collections::HashMap;

use axum::{
    extract::{DefaultBodyLimit, Multipart, multipart::MultipartError},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::sync::RecordState;
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
    import::Input,
    lang::Lang,
    store::Reader,
};

/// Most rows in one export.
pub const MAX_EXPORT_ROWS: usize = 50_000;
/// Most columns in one export.
pub const MAX_EXPORT_COLUMNS: usize = 200;
/// Largest export request body.
pub const MAX_EXPORT_BYTES: usize = 64 * 1024 * 1024;
/// Excel's limit of characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_xlsx).layer(DefaultBodyLimit::max(MAX_EXPORT_BYTES)))
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

pub(crate) fn refused(status: StatusCode, code: &'static str, zh: String, en: String) -> IoError {
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

/// A file over `max_bytes` (named in MB, as the limit the route checks).
pub(crate) fn file_too_large(max_bytes: usize) -> IoError {
    let mb = max_bytes / 1024 / 1024;
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        format!("文件太大,最大 {mb} MB"),
        format!("The file is too large (at most {mb} MB)"),
    )
}

/// A multipart error as the user reads it (a body over the route's limit: [`file_too_large`]
/// of `max_bytes`).
pub(crate) fn multipart_error(e: MultipartError, max_bytes: usize) -> IoError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        file_too_large(max_bytes)
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

/// An upload form read: its `file` part (in a temporary file, gone when the last handle is
/// closed) and the text parts asked for.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    file: Option<std::fs::File>,
    texts: HashMap<&'static str, String>,
}

impl Upload {
    /// The file, or `import_file_missing`.
    pub fn file(&self) -> Result<Input, IoError> {
        let file = self.file.as_ref().ok_or_else(|| {
            refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_file_missing",
                "请选择要导入的文件(.xlsx 或 .csv)".into(),
                "Please choose a file to import (.xlsx or .csv)".into(),
            )
        })?;
        let file = file
            .try_clone()
            .map_err(|e| Error::Internal(format!("upload file: {e}")))?;
        Ok(Input::File(file))
    }

    /// A text part, if sent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }
}

/// Reads an upload form: the `file` part (at most `max_bytes`, else `file_too_large`) written
/// as it arrives to a temporary file (in the system's temporary directory, `TMPDIR`: it should
/// be on disk, not in memory), and the text parts named in `texts`; other parts are ignored.
pub(crate) async fn read_upload(
    mut form: Multipart,
    max_bytes: usize,
    texts: &[&'static str],
) -> Result<Upload, IoError> {
    use tokio::io::AsyncWriteExt;
    let mut up = Upload::default();
    let error = |e| multipart_error(e, max_bytes);
    let spool = |e: std::io::Error| IoError::from(Error::Internal(format!("upload file: {e}")));
    while let Some(mut field) = form.next_field().await.map_err(error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let mut out = tokio::fs::File::from_std(tempfile::tempfile().map_err(spool)?);
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(error)? {
                size += chunk.len();
                if size > max_bytes {
                    return Err(file_too_large(max_bytes));
                }
                out.write_all(&chunk).await.map_err(spool)?;
            }
            out.flush().await.map_err(spool)?;
            up.file = Some(out.into_std().await);
        } else if let Some(t) = texts.iter().find(|t| **t == name.as_str()) {
            up.texts.insert(t, field.text().await.map_err(error)?);
        }
    }
    Ok(up)
}

/// Every record of `record_type` in the store (snapshot pages).
pub(crate) async fn records_of(
    state: &AppState,
    store_id: &str,
    record_type: &str,
) -> Result<Vec<RecordState>, IoError> {
    let mut out = Vec::new();
    for_each_record(state, store_id, record_type, |r| out.push(r)).await?;
    Ok(out)
}

/// Each record of `record_type` in the store given to `f`, a snapshot page at a time (at most a
/// page held).
pub(crate) async fn for_each_record(
    state: &AppState,
    store_id: &str,
    record_type: &str,
    mut f: impl FnMut(RecordState),
) -> Result<(), IoError> {
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
            f(rec);
        }
        match page.next {
            Some(n) => after = Some(n),
            None => return Ok(()),
        }
    }
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
