//! `GET /api/metrics` (also served at `/metrics`, where Prometheus looks by default): the
//! counters of [`crate::metrics`] in Prometheus text format.
//!
//! Readable from loopback without a token (a Prometheus or a `curl` on the server's host), and
//! from anywhere with a manager's token. A request that came through a proxy (it carries
//! `Forwarded` or `X-Forwarded-For`) is not a loopback request, even when the proxy itself
//! connects from loopback.

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    AppState,
    auth::operator,
    error::{Error, ErrorBody},
    routes::auth::ClientIp,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

/// The content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The server's counters in Prometheus text format: pushes, ops, refused ops by code, open
/// event streams, logins and failures, the store's size.
#[utoipa::path(
    get,
    path = "/api/metrics",
    tag = "meta",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain"),
        (status = 401, description = "`unauthorized`: not from loopback and no valid token", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager", body = ErrorBody),
    )
)]
pub async fn metrics(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if let Some(user) = operator(&state, ip, &headers).await? {
        user.require_manager()?;
    }
    let size = match state.store().size_bytes().await {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the store's size");
            None
        }
    };
    let body = state.metrics().render(size, state.uptime().as_secs());
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        body,
    )
        .into_response())
}
