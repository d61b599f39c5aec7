//! Blobs (docs/api.md, "Blobs"): `PUT /api/blobs/{id}`, `GET /api/blobs/{id}`,
//! `POST /api/blobs/missing`. Photos and signatures of the user's store, named by their
//! content (`domain::blob`): the server checks the bytes against the id before it keeps them,
//! so an upload is idempotent and a device can repeat one that was cut.
//!
//! Any logged-in user of a store may upload and read its blobs: what a blob may be used for is
//! decided by the records that name it (checked by the policy on every op). A record may name
//! a blob the server does not hold yet: the device uploads the bytes after the record's ops.

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use domain::blob::{self, BlobError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::{Json, Path},
    routes::sync::now_ms,
    store::blob::BlobInfo,
};

/// At most this many ids in one `POST /api/blobs/missing`.
pub const MAX_MISSING_IDS: usize = 500;

/// A blob's answer may be kept by the browser for a year: the same id is always the same bytes.
pub const IMMUTABLE: &str = "private, max-age=31536000, immutable";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The body limit is one byte over the largest blob, so that a larger one is read as
        // "too large" by the size check rather than cut by the limit.
        .routes(routes!(put_blob, get_blob).layer(DefaultBodyLimit::max(blob::MAX_BLOB_BYTES + 1)))
        .routes(routes!(missing_blobs))
}

fn refused(e: BlobError) -> Error {
    match e {
        BlobError::BadId(id) => Error::InvalidPath(format!("blob id {id:?}")),
        BlobError::TooLarge { .. } => Error::PayloadTooLarge,
        BlobError::HashMismatch { .. } => Error::Rule {
            code: "blob_hash_mismatch",
            zh: "上传的内容与图片编号不符(传输中损坏),请重试".into(),
            en: "The content does not match the blob id (damaged on the way); try again".into(),
        },
        BlobError::Empty => Error::Rule {
            code: "blob_empty",
            zh: "图片内容为空".into(),
            en: "The picture is empty".into(),
        },
        BlobError::BadMime(_) => Error::Rule {
            code: "blob_type_not_allowed",
            zh: "只能上传 JPEG、PNG 或 WebP 图片".into(),
            en: "Only JPEG, PNG or WebP pictures can be uploaded".into(),
        },
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PutBlobResponse {
    pub id: String,
    pub size: u64,
    /// `false` when the store held the blob already (nothing was written).
    pub created: bool,
}

/// Uploads a blob of the user's store: the body is the bytes, `Content-Type` their type
/// (`image/jpeg`, `image/png`, `image/webp`), the id the SHA-256 of the bytes. Answered after
/// the commit: 201 when stored now, 200 when the store held it already.
#[utoipa::path(
    put,
    path = "/api/blobs/{id}",
    tag = "blobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "`sha256-` and the 64 lowercase hex digits of the content's SHA-256")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "the blob's bytes (at most 5 MiB)"),
    responses(
        (status = 201, body = PutBlobResponse, description = "stored"),
        (status = 200, body = PutBlobResponse, description = "held already"),
        (status = 400, description = "`invalid_path`: not a blob id", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: more than 5 MiB", body = ErrorBody),
        (status = 422, description = "`blob_hash_mismatch`, `blob_empty`, `blob_type_not_allowed`", body = ErrorBody),
    )
)]
async fn put_blob(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    blob::check_id(&id).map_err(refused)?;
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge
        } else {
            Error::InvalidBody(e.body_text())
        }
    })?;
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    let mime = blob::check_upload(&id, &digest, bytes.len(), mime).map_err(refused)?;
    let size = bytes.len() as u64;
    let info = BlobInfo {
        mime: mime.to_owned(),
        size,
        stored_ms: now_ms(),
        user_id: auth.user.id.to_string(),
        device_id: auth.device.id.to_string(),
    };
    let created = state
        .store()
        .put_blob(auth.user.store_id.clone(), id.clone(), info, bytes.to_vec())
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(PutBlobResponse { id, size, created })).into_response())
}

/// A blob of the user's store: its bytes with their `Content-Type`, kept by the browser for a
/// year (`Cache-Control: private, max-age=31536000, immutable`). 404 when the store does not
/// hold it (another store's blob is not found either).
#[utoipa::path(
    get,
    path = "/api/blobs/{id}",
    tag = "blobs",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "the blob id")),
    responses(
        (status = 200, description = "the bytes", content_type = "image/jpeg"),
        (status = 400, description = "`invalid_path`: not a blob id", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: the store does not hold it", body = ErrorBody),
    )
)]
async fn get_blob(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    blob::check_id(&id).map_err(refused)?;
    let (info, bytes) = state
        .store()
        .get_blob(auth.user.store_id.clone(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let content_type = HeaderValue::from_str(&info.mime)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MissingRequest {
    /// Blob ids the device holds and has not seen confirmed (at most 500).
    pub ids: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MissingResponse {
    /// The ones the store does not hold, in the order asked: what is left to upload.
    pub missing: Vec<String>,
}

/// Which of the given blob ids the user's store lacks: a device resuming its uploads after a
/// cut sends only these (the others reached the server before the cut).
#[utoipa::path(
    post,
    path = "/api/blobs/missing",
    tag = "blobs",
    security(("bearer" = [])),
    request_body = MissingRequest,
    responses(
        (status = 200, body = MissingResponse),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`invalid_body`: not blob ids, or more than 500", body = ErrorBody),
    )
)]
async fn missing_blobs(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(req): Json<MissingRequest>,
) -> Result<Json<MissingResponse>, Error> {
    if req.ids.len() > MAX_MISSING_IDS {
        return Err(Error::InvalidBody(format!(
            "{} ids (at most {MAX_MISSING_IDS})",
            req.ids.len()
        )));
    }
    if let Some(bad) = req.ids.iter().find(|id| !blob::is_blob_id(id)) {
        return Err(Error::InvalidBody(format!(
            "not a blob id: {:?}",
            bad.chars().take(80).collect::<String>()
        )));
    }
    let missing = state
        .store()
        .missing_blobs(auth.user.store_id.clone(), req.ids)
        .await?;
    Ok(Json(MissingResponse { missing }))
}
