//! 员工: `GET /api/users`, `POST /api/users`, `POST /api/users/{id}/password`,
//! `POST /api/users/{id}/deactivate`. Only who may manage staff (`domain::staff::
//! may_manage_staff`: the general manager) lists, adds, resets and deactivates the people of
//! their store.
//!
//! A password set here (a new account, a reset) is one the person must replace at their next
//! login (`must_change_password`). Deactivating someone deletes every token of theirs at once
//! (their next request answers 401, their event stream ends) and they cannot log in again;
//! the devices they used stay usable by colleagues (a shared tablet is revoked on the devices
//! page). Their open customers are handed over by the general manager's device
//! (`domain::sales::handover_plan`, an ordinary sync push).

use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use domain::Role;
use domain::audit::AuditKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    audit::{self, Event},
    auth::AuthUser,
    error::{Error, ErrorBody},
    extract::{Json, Path},
    routes::auth::{ClientIp, RoleSchema},
    store::UserRec,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, add_user))
        .routes(routes!(reset_password))
        .routes(routes!(deactivate_user))
}

/// A person of the store, as the staff page shows them.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StaffView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Vec<RoleSchema>)]
    pub roles: Vec<Role>,
    /// `false` once deactivated.
    pub active: bool,
    pub deactivated_at: Option<DateTime<Utc>>,
    /// They have not yet replaced a password set for them.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&UserRec> for StaffView {
    fn from(u: &UserRec) -> Self {
        StaffView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: u.roles.clone(),
            active: u.is_active(),
            deactivated_at: u.deactivated_at,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    #[schema(value_type = Vec<RoleSchema>)]
    pub roles: Vec<Role>,
    /// A first password, which the person must replace at their first login.
    pub password: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResetPasswordRequest {
    /// A new password, which the person must replace at their next login.
    pub password: String,
}

fn require_staff_manager(auth: &AuthUser) -> Result<(), Error> {
    if domain::staff::may_manage_staff(&auth.user.roles) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// A user of the caller's store, or 404.
async fn user_of_store(state: &AppState, auth: &AuthUser, id: Uuid) -> Result<UserRec, Error> {
    match state.store().get_user(id).await? {
        Some(u) if u.store_id == auth.user.store_id => Ok(u),
        _ => Err(Error::NotFound),
    }
}

/// The people of the store: active first, then by name.
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<StaffView>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the general manager", body = ErrorBody),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Vec<StaffView>>, Error> {
    require_staff_manager(&auth)?;
    let mut users: Vec<StaffView> = state
        .store()
        .users_in_store(auth.user.store_id.clone())
        .await?
        .iter()
        .map(StaffView::from)
        .collect();
    users.sort_by(|a, b| {
        b.active
            .cmp(&a.active)
            .then_with(|| a.username.cmp(&b.username))
    });
    Ok(Json(users))
}

/// Adds a person to the store with one or more roles and a first password.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = "staff",
    security(("bearer" = [])),
    request_body = NewUserRequest,
    responses(
        (status = 201, body = StaffView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the general manager", body = ErrorBody),
        (status = 409, description = "`username_taken`", body = ErrorBody),
        (status = 422, description = "a rule: `username_characters`, `display_name_missing`, `roles_missing`, `password_too_short`, `password_common`, …", body = ErrorBody),
    )
)]
async fn add_user(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(req): Json<NewUserRequest>,
) -> Result<(StatusCode, Json<StaffView>), Error> {
    require_staff_manager(&auth)?;
    domain::staff::check_username(&req.username).map_err(|e| Error::rule(&e))?;
    domain::staff::check_display_name(&req.display_name).map_err(|e| Error::rule(&e))?;
    if req.roles.is_empty() {
        return Err(Error::Rule {
            code: "roles_missing",
            zh: "请至少选择一个角色".into(),
            en: "Choose at least one role".into(),
        });
    }
    domain::staff::check_new_password(&req.username, &req.password).map_err(|e| Error::rule(&e))?;
    if state
        .store()
        .get_user_by_username(req.username.clone())
        .await?
        .is_some()
    {
        return Err(Error::UsernameTaken);
    }
    let mut roles = req.roles.clone();
    roles.sort();
    roles.dedup();
    let user = UserRec {
        id: Uuid::now_v7(),
        store_id: auth.user.store_id.clone(),
        username: req.username.trim().to_owned(),
        display_name: req.display_name.trim().to_owned(),
        roles,
        password_hash: state.passwords().hash(req.password).await?,
        created_at: Utc::now(),
        deactivated_at: None,
        must_change_password: true,
    };
    state.store().create_user(user.clone()).await?;
    tracing::info!(username = %user.username, by = %auth.user.username, "user added");
    Ok((StatusCode::CREATED, Json(StaffView::from(&user))))
}

/// Sets a new password for a person, who must replace it at their next login. Every token of
/// theirs stops working.
#[utoipa::path(
    post,
    path = "/api/users/{id}/password",
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the user id")),
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "the password is reset"),
        (status = 400, description = "`invalid_path`: not a uuid", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the general manager", body = ErrorBody),
        (status = 404, description = "`not_found`: no such user in this store", body = ErrorBody),
        (status = 422, description = "a password rule", body = ErrorBody),
    )
)]
async fn reset_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Json(req): Json<ResetPasswordRequest>,
) -> Result<StatusCode, Error> {
    require_staff_manager(&auth)?;
    let user = user_of_store(&state, &auth, id).await?;
    domain::staff::check_new_password(&user.username, &req.password)
        .map_err(|e| Error::rule(&e))?;
    let hash = state.passwords().hash(req.password).await?;
    if !state.store().set_password(id, hash, true, None).await? {
        return Err(Error::NotFound);
    }
    tracing::info!(username = %user.username, by = %auth.user.username, "password reset");
    audit::write(
        &state,
        Event::new(AuditKind::PasswordReset)
            .by(&auth)
            .address(ip)
            .target(user.id)
            .detail(user.username.clone()),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivates a person: every token of theirs stops at once and they cannot log in again.
/// Deactivating someone already deactivated changes nothing.
#[utoipa::path(
    post,
    path = "/api/users/{id}/deactivate",
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the user id")),
    responses(
        (status = 204, description = "deactivated"),
        (status = 400, description = "`invalid_path`: not a uuid", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the general manager", body = ErrorBody),
        (status = 404, description = "`not_found`: no such user in this store", body = ErrorBody),
        (status = 409, description = "`cannot_deactivate_self`", body = ErrorBody),
    )
)]
async fn deactivate_user(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, Error> {
    require_staff_manager(&auth)?;
    if id == auth.user.id {
        return Err(Error::CannotDeactivateSelf);
    }
    let user = user_of_store(&state, &auth, id).await?;
    if !state.store().deactivate_user(id, Utc::now()).await? {
        return Err(Error::NotFound);
    }
    tracing::info!(username = %user.username, by = %auth.user.username, "user deactivated");
    audit::write(
        &state,
        Event::new(AuditKind::UserDeactivated)
            .by(&auth)
            .address(ip)
            .target(user.id)
            .detail(user.username.clone()),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
