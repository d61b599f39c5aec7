//! `GET /api/directory`: who is who in the user's store — every user's display name and roles,
//! every device's name — so a device can name the people and tablets behind its records
//! (a consultant, the writer of a conflicting value, the device a card was built on) even
//! offline, from its kept copy.

use axum::extract::State;
use domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::Json,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(directory))
}

/// A person of the store.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DirectoryUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Vec<crate::routes::auth::RoleSchema>)]
    pub roles: Vec<Role>,
}

/// A tablet or PC of the store.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DirectoryDevice {
    pub id: Uuid,
    pub name: String,
    /// The user who last logged in on it.
    pub user_id: Uuid,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Directory {
    /// By username.
    pub users: Vec<DirectoryUser>,
    /// By name, then id.
    pub devices: Vec<DirectoryDevice>,
}

/// The users and devices of the user's store (any logged-in user).
#[utoipa::path(
    get,
    path = "/api/directory",
    tag = "directory",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Directory),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn directory(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Directory>, Error> {
    let store_id = auth.user.store_id.clone();
    let mut users: Vec<DirectoryUser> = state
        .store()
        .users_in_store(store_id.clone())
        .await?
        .into_iter()
        .map(|u| DirectoryUser {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            roles: u.roles,
        })
        .collect();
    users.sort_by(|a, b| a.username.cmp(&b.username));
    let mut devices: Vec<DirectoryDevice> = state
        .store()
        .devices_in_store(store_id)
        .await?
        .into_iter()
        .map(|d| DirectoryDevice {
            id: d.id,
            name: d.name,
            user_id: d.user_id,
        })
        .collect();
    devices.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(Json(Directory { users, devices }))
}
