//! The parts catalogue import (零件目录导入): `POST /api/parts/import`.
//!
//! The file (.xlsx or a CSV in any encoding the import reads, by [`crate::import::read_table`];
//! at most [`MAX_CATALOGUE_BYTES`], read by [`super::sales_io::read_upload`]) has a header row;
//! the columns are found by their usual Chinese and English headers
//! (`domain::parts::catalogue::HEADERS`: 零件号, 名称, 单价, 库位, 供应商, 期初库存 …). Each row
//! is read by `domain::parts::catalogue::read_row`; the good rows are written by
//! `domain::parts::catalogue::import_plan` (a part number already in the catalogue updates
//! that part, a new one adds a part, an opening stock is a receipt) as ops of the importing
//! user's device, all in ONE push: every good row or nothing. Bad rows are reported.

use std::collections::{BTreeMap, HashMap};

use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    http::StatusCode,
};
use domain::parts::catalogue::{CatalogueRow, columns, import_plan, read_row};
use domain::records::may_write;
use domain::sync::{Hlc, Op, RecordState, apply, new_id, validate_op};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};
use uuid::Uuid;

use super::sales_io::{IoError, read_upload, records_of, refused};
use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::Json,
    import::read_table,
    lang::Lang,
    routes::sync::now_ms,
    store::{PushCheck, sync::registry},
};

/// Largest catalogue file.
pub const MAX_CATALOGUE_BYTES: usize = 5 * 1024 * 1024;
/// Most rows of one catalogue import.
pub const MAX_CATALOGUE_ROWS: usize = 20_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(
        routes!(import_catalogue).layer(DefaultBodyLimit::max(MAX_CATALOGUE_BYTES + 64 * 1024)),
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CatalogueForm {
    /// The .xlsx or UTF-8 .csv file.
    #[schema(value_type = String, format = Binary)]
    pub file: String,
}

/// One data row of the file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogueRowReport {
    /// The spreadsheet row (1-based, the header included).
    pub row: usize,
    pub ok: bool,
    /// For a bad row: `part_without_number`, `part_price_invalid`, `stock_move_bad_qty`.
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CatalogueImportResponse {
    /// Parts added to the catalogue.
    pub created: usize,
    /// Parts already in the catalogue (by part number) updated.
    pub updated: usize,
    /// Every data row in file order.
    pub rows: Vec<CatalogueRowReport>,
}

/// The store's live parts by id.
async fn parts_by_id(
    state: &AppState,
    store_id: &str,
) -> Result<HashMap<Uuid, RecordState>, IoError> {
    Ok(records_of(state, store_id, "part")
        .await?
        .into_iter()
        .filter(|r| !r.is_deleted())
        .map(|r| (r.id, r))
        .collect())
}

fn random_id(now: u64) -> Result<Uuid, Error> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(new_id(now, random))
}

/// Imports a parts catalogue: checks every row, writes the good ones in one push.
#[utoipa::path(
    post,
    path = "/api/parts/import",
    tag = "parts",
    security(("bearer" = [])),
    request_body(content = CatalogueForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, body = CatalogueImportResponse),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a parts clerk or service manager", body = ErrorBody),
        (status = 413, description = "`file_too_large`, `import_too_many_rows`, `import_xlsx_too_large`", body = ErrorBody),
        (status = 422, description = "`import_file_missing`, `import_not_utf8`, `import_file_unreadable`, `import_file_empty`, `parts_no_part_number_column`", body = ErrorBody),
    )
)]
async fn import_catalogue(
    State(state): State<AppState>,
    auth: AuthUser,
    form: Multipart,
) -> Result<Json<CatalogueImportResponse>, IoError> {
    if !may_write(&auth.user.roles, "part") {
        return Err(Error::Forbidden.into());
    }
    let file = read_upload(form, MAX_CATALOGUE_BYTES, &[]).await?.file()?;
    let table = tokio::task::spawn_blocking(move || read_table(file, MAX_CATALOGUE_ROWS))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| {
            let (status, code, zh, en) = e.refusal();
            refused(status, code, zh, en)
        })?;
    let cols = columns(&table.columns);
    if !cols.contains_key("part_no") {
        return Err(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "parts_no_part_number_column",
            "找不到“零件号”列,请检查表头".into(),
            "No part number column (零件号 / Part No.); check the header row".into(),
        ));
    }
    let zh = matches!(Lang::current(), Lang::Zh);
    let mut reports = Vec::with_capacity(table.rows.len());
    let mut good: Vec<CatalogueRow> = Vec::new();
    for (n, cells) in &table.rows {
        match read_row(&cols, cells) {
            Ok(row) => {
                good.push(row);
                reports.push(CatalogueRowReport {
                    row: *n,
                    ok: true,
                    code: None,
                    message: None,
                });
            }
            Err(p) => reports.push(CatalogueRowReport {
                row: *n,
                ok: false,
                code: Some(p.code().to_owned()),
                message: Some(if zh { p.message_zh() } else { p.message_en() }.to_owned()),
            }),
        }
    }

    let store_id = auth.user.store_id.clone();
    let mut states = parts_by_id(&state, &store_id).await?;
    let existing: BTreeMap<String, Uuid> = states
        .values()
        .filter_map(|r| {
            domain::records::field::string(r, "part_no").map(|no| (no.trim().to_owned(), r.id))
        })
        .collect();
    let now = now_ms();
    let mut fresh_ids = Vec::new();
    for _ in 0..good.len() {
        fresh_ids.push(random_id(now)?);
    }
    let mut fresh = fresh_ids.into_iter();
    let plan = import_plan(&good, &existing, || {
        fresh.next().unwrap_or_else(Uuid::now_v7)
    });
    let user_id = auth.user.id.to_string();
    let mut ops = Vec::with_capacity(plan.writes.len());
    let (mut created, mut updated) = (0, 0);
    for (i, w) in plan.writes.iter().enumerate() {
        let entry = states
            .entry(w.record_id)
            .or_insert_with(|| RecordState::new(w.record_id, w.record_type.name, &store_id));
        if entry.applied.is_empty() {
            created += 1;
        } else if existing.values().any(|id| *id == w.record_id) {
            updated += 1;
        }
        let changes = w
            .changes(entry)
            .map_err(|e| Error::Internal(format!("catalogue import: {e}")))?;
        let op = Op {
            op_id: random_id(now)?,
            device_id: auth.device.id,
            user_id: user_id.clone(),
            store_id: store_id.clone(),
            record_id: w.record_id,
            record_type: w.record_type.name.to_owned(),
            hlc: Hlc::new(now, u32::try_from(i).unwrap_or(u32::MAX)),
            changes,
        };
        validate_op(&op, registry())
            .map_err(|e| Error::Internal(format!("catalogue import: {e}")))?;
        apply(entry, &op, w.record_type)
            .map_err(|e| Error::Internal(format!("catalogue import: {e}")))?;
        ops.push(op);
    }
    if !ops.is_empty() {
        state
            .store()
            .push(store_id, ops, PushCheck::device(auth.actor(), now))
            .await?
            .map_err(|r| Error::Internal(format!("catalogue import refused by storage: {r:?}")))?;
    }
    Ok(Json(CatalogueImportResponse {
        created,
        updated,
        rows: reports,
    }))
}
