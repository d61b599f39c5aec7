//! `GET /api/health`.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, extract::Json};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// The server's version.
    pub version: String,
    /// Seconds since the server started.
    pub uptime_secs: u64,
    /// Whether the storage answered a read.
    pub store_ok: bool,
}

/// Whether the server and its storage are up. Anyone may ask.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "meta",
    responses((status = 200, body = Health))
)]
async fn health(State(state): State<AppState>) -> Json<Health> {
    let store_ok = match state.store().ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "health: storage does not answer");
            false
        }
    };
    Json(Health {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_secs: state.uptime().as_secs(),
        store_ok,
    })
}
