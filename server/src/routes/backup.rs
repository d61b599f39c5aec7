//! `GET /api/backup`: a consistent copy of the running store's database file (see
//! `store::backup_database`), for `forecourt backup` while the server runs. Loopback only, or a
//! general manager's token (the file holds every record and every password hash).

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use domain::Role;
use tokio::io::AsyncReadExt;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    auth::operator,
    error::{Error, ErrorBody},
    routes::auth::ClientIp,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(backup))
}

/// A consistent copy of the whole database (a redb file), taken in one read transaction while
/// the server keeps serving. `forecourt backup --to FILE` calls this when the server runs;
/// `forecourt restore FILE --data DIR` puts it into an empty data directory.
#[utoipa::path(
    get,
    path = "/api/backup",
    tag = "meta",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "the database file", content_type = "application/octet-stream"),
        (status = 401, description = "`unauthorized`: not from loopback and no valid token", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a general manager", body = ErrorBody),
    )
)]
async fn backup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if let Some(user) = operator(&state, ip, &headers).await? {
        user.require_any(&[Role::GeneralManager])?;
    }
    let path = std::env::temp_dir().join(format!("forecourt-backup-{}.redb", uuid::Uuid::now_v7()));
    let summary = state.store().backup(path.clone()).await?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| Error::Internal(format!("backup file: {e}")));
    // The open file stays readable; nothing is left in the temp directory.
    let _ = tokio::fs::remove_file(&path).await;
    let file = file?;
    tracing::info!(
        bytes = summary.bytes,
        entries = summary.entries,
        "backup sent"
    );
    let chunks = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(summary.bytes)),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}
