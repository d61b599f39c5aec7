//! `GET /api/devices`, `POST /api/devices/{id}/revoke`: managers see and revoke the devices
//! of their store.

use std::collections::HashMap;

use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use domain::audit::AuditKind;

use crate::{
    AppState,
    audit::{self, Event},
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::{Json, Path},
    routes::auth::ClientIp,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_devices))
        .routes(routes!(revoke_device))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DeviceInfo {
    pub id: Uuid,
    pub name: String,
    /// The user who last logged in on it.
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked: bool,
}

/// The devices of the manager's store, most recently seen first.
#[utoipa::path(
    get,
    path = "/api/devices",
    tag = "devices",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<DeviceInfo>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager", body = ErrorBody),
    )
)]
async fn list_devices(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Vec<DeviceInfo>>, Error> {
    auth.require_manager()?;
    let store_id = auth.user.store_id.clone();
    let devices = state.store().devices_in_store(store_id.clone()).await?;
    let users: HashMap<Uuid, _> = state
        .store()
        .users_in_store(store_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut out: Vec<DeviceInfo> = devices
        .into_iter()
        .map(|d| {
            let (username, display_name) = users
                .get(&d.user_id)
                .map(|u| (u.username.clone(), u.display_name.clone()))
                .unwrap_or_default();
            DeviceInfo {
                id: d.id,
                name: d.name,
                user_id: d.user_id,
                username,
                display_name,
                created_at: d.created_at,
                last_seen_at: d.last_seen_at,
                revoked: d.revoked,
            }
        })
        .collect();
    out.sort_by(|a, b| b.last_seen_at.cmp(&a.last_seen_at).then(a.id.cmp(&b.id)));
    Ok(Json(out))
}

/// Revokes a device of the manager's store: its tokens stop working and it cannot log in again.
#[utoipa::path(
    post,
    path = "/api/devices/{id}/revoke",
    tag = "devices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the device id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 400, description = "`invalid_path`: not a uuid", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager", body = ErrorBody),
        (status = 404, description = "`not_found`: no such device in this store", body = ErrorBody),
    )
)]
async fn revoke_device(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, Error> {
    auth.require_manager()?;
    match state.store().get_device(id).await? {
        Some(d) if d.store_id == auth.user.store_id => {}
        _ => return Err(Error::NotFound),
    }
    if !state.store().revoke_device(id, Utc::now()).await? {
        return Err(Error::NotFound);
    }
    tracing::info!(device = %id, by = %auth.user.username, "device revoked");
    audit::write(
        &state,
        Event::new(AuditKind::DeviceRevoked)
            .by(&auth)
            .address(ip)
            .detail(format!("device={id}")),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
