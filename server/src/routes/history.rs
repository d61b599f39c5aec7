//! `GET /api/records/{id}/history`: the ops of one record, for the history (历史记录) of a
//! record that came to a device by snapshot (the device holds no ops of it; docs/sync.md,
//! "Record history").

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::{Json, Path, Query},
    routes::sync::{DEFAULT_PULL_LIMIT, MAX_PAGE, reader},
    store::PulledOp,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record_history))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only ops with a seq below this (the first op's seq of the previous page).
    pub before: Option<u64>,
    /// At most this many ops (1–1000, default 500): the newest before `before`.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryResponse {
    pub record_type: String,
    /// `{seq, received_ms, op}` in seq order, as a pull sends them.
    #[schema(value_type = Vec<Object>)]
    pub ops: Vec<PulledOp>,
    /// Older ops exist: ask again with `before` = the first op's seq.
    pub more: bool,
}

/// The ops of a record of the user's store, by the read rules of pull: 404 when the store has
/// no such record or it is not in the user's sync scope (its type, then the scope's rules on the
/// record as it stands).
#[utoipa::path(
    get,
    path = "/api/records/{id}/history",
    tag = "sync",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the record id"), HistoryQuery),
    responses(
        (status = 200, body = HistoryResponse),
        (status = 400, description = "`invalid_path`, `invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such record the user may read", body = ErrorBody),
    )
)]
async fn record_history(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<HistoryResponse>, Error> {
    let limit = match q.limit {
        None => DEFAULT_PULL_LIMIT,
        Some(n) if (1..=MAX_PAGE).contains(&n) => n,
        Some(n) => {
            return Err(Error::InvalidQuery(format!(
                "limit={n} (from 1 to {MAX_PAGE})"
            )));
        }
    };
    let page = state
        .store()
        .record_history(
            auth.user.store_id.clone(),
            id,
            q.before,
            limit,
            reader(&auth),
        )
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(HistoryResponse {
        record_type: page.record_type,
        ops: page.ops,
        more: page.more,
    }))
}
