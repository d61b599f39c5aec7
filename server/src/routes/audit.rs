//! `GET /api/audit`: the store's audit log (`domain::audit`), for its managers.

use axum::extract::State;
use domain::audit::{AuditEntry, AuditFilter, may_read_audit};
use domain::time::StoreClock;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::{Json, Query},
    store::audit::MAX_AUDIT_PAGE,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// Entries per page when `limit` is not given.
pub const DEFAULT_AUDIT_LIMIT: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries of this kind: `login`, `login_failed`, `logout`, `logout_everywhere`,
    /// `device_revoked`, `user_deactivated`, `password_reset`, `password_changed`,
    /// `push_refused`.
    pub kind: Option<String>,
    /// Only entries of this user: a user id or a username (the one who acted, or the one
    /// acted on; a failed login's username as typed).
    pub user: Option<String>,
    /// From this store-local day (`YYYY-MM-DD`, included).
    pub from: Option<String>,
    /// To this store-local day (`YYYY-MM-DD`, included).
    pub to: Option<String>,
    /// Older than this entry (the `next` of the previous page).
    pub before: Option<Uuid>,
    /// At most this many entries (1–500, default 100).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditResponse {
    /// Newest first. Each: `{id, at_ms, kind, user_id?, username?, device_id?, address?,
    /// target_user_id?, code?, detail?}` (`domain::audit::AuditEntry`).
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<AuditEntry>,
    /// Send as `before` for the next (older) page; `null` on the last page.
    pub next: Option<Uuid>,
}

/// The audit log of the manager's store, newest first: logins, failed logins, log-outs,
/// revoked devices, deactivations, password resets and changes, refused pushes. Failed logins
/// of usernames no store has are shown to every store's managers.
#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = AuditResponse),
        (status = 400, description = "`invalid_query`: a bad `kind`, `from`, `to`, `before` or `limit`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager", body = ErrorBody),
    )
)]
async fn audit_log(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditResponse>, Error> {
    if !may_read_audit(&auth.user.roles) {
        return Err(Error::Forbidden);
    }
    let limit = match q.limit {
        None => DEFAULT_AUDIT_LIMIT,
        Some(n) if (1..=MAX_AUDIT_PAGE).contains(&n) => n,
        Some(n) => {
            return Err(Error::InvalidQuery(format!(
                "limit={n} (from 1 to {MAX_AUDIT_PAGE})"
            )));
        }
    };
    let clock = state
        .store()
        .get_store(auth.user.store_id.clone())
        .await?
        .and_then(|s| StoreClock::from_offset_minutes(s.utc_offset_minutes))
        .unwrap_or_default();
    let filter = AuditFilter::parse(
        q.kind.as_deref(),
        q.user.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
        clock,
    )
    .map_err(|what| Error::InvalidQuery(what.to_string()))?;
    let page = state
        .store()
        .audit_page(auth.user.store_id.clone(), filter, q.before, limit)
        .await?;
    let next = if page.more {
        page.entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Json(AuditResponse {
        entries: page.entries,
        next,
    }))
}
