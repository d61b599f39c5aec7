//! `POST /api/auth/login`, `POST /api/auth/logout`, `POST /api/auth/logout-all`, `GET /api/me`.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts, State},
    http::{StatusCode, request::Parts},
};
use chrono::Utc;
use domain::Role;
use domain::audit::AuditKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    audit::{self, Event},
    auth::{AuthUser, new_token},
    error::{Error, ErrorBody},
    extract::Json,
    ratelimit::retry_after_secs,
    store::{DEFAULT_UTC_OFFSET_MINUTES, DeviceRec, Session, UserRec},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(logout_all))
        .routes(routes!(me))
        .routes(routes!(change_own_password))
}

/// The longest device name accepted, in characters.
pub const MAX_DEVICE_NAME: usize = 64;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// A uuid the device made for itself and keeps.
    pub device_id: Uuid,
    /// Required on the first login from a device; later logins may rename it.
    #[serde(default)]
    pub device_name: String,
}

/// The signed-in user.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub store_id: String,
    pub store_name: String,
    #[schema(value_type = Vec<RoleSchema>)]
    pub roles: Vec<Role>,
    /// The password was set by someone else: the app asks for a new one before anything else
    /// (every other route answers 403 `password_change_required` until then).
    pub must_change_password: bool,
    pub store: StoreView,
}

/// The user's store.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StoreView {
    pub id: String,
    pub name: String,
    /// The demo store (演示数据), not a real one.
    pub demo: bool,
    /// The store's time zone, minutes east of UTC (480 = UTC+8).
    pub utc_offset_minutes: i32,
}

/// A job a person does in the store; a user has one or more. Managers: `sales_manager`,
/// `customer_service_manager`, `general_manager`.
// Mirrors `domain::Role` for the OpenAPI document (the domain crate stays free of utoipa);
// the openapi test checks that the two lists agree.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Role)]
pub enum RoleSchema {
    SalesConsultant,
    SalesManager,
    ServiceAdvisor,
    Technician,
    QcInspector,
    PartsClerk,
    CustomerService,
    CustomerServiceManager,
    GeneralManager,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DeviceView {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. For this device only; stops working after
    /// 12 hours unused or 30 days after the login, whichever comes first.
    pub token: String,
    pub user: UserView,
    pub device: DeviceView,
}

/// The client's IP address when the server was started with connection info.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

pub(crate) async fn user_view(state: &AppState, user: &UserRec) -> Result<UserView, Error> {
    let store = state.store().get_store(user.store_id.clone()).await?;
    let store = StoreView {
        id: user.store_id.clone(),
        name: store.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        demo: store.as_ref().is_some_and(|s| s.is_demo()),
        utc_offset_minutes: store
            .as_ref()
            .map_or(DEFAULT_UTC_OFFSET_MINUTES, |s| s.utc_offset_minutes),
    };
    Ok(UserView {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        store_id: user.store_id.clone(),
        store_name: store.name.clone(),
        roles: user.roles.clone(),
        must_change_password: user.must_change_password,
        store,
    })
}

/// Logs in from a device. The first login from a device registers it under `device_name`.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "`bad_credentials`", body = ErrorBody),
        (status = 403, description = "`device_revoked`, `account_deactivated`", body = ErrorBody),
        (status = 409, description = "`device_in_other_store`, `not_set_up`: no store yet (GET /api/setup)", body = ErrorBody),
        (status = 422, description = "`device_name_required`, `invalid_body`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, see `Retry-After`", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<Json<LoginResponse>, Error> {
    let limiter = state.login_limiter();
    let user_key = limiter.key_for_username(&req.username);
    let mut keys = vec![user_key.clone(), limiter.key_for_device(req.device_id)];
    if let Some(ip) = ip {
        keys.push(limiter.key_for_ip(ip));
    }
    if let Err(wait) = limiter.check(&keys) {
        state.metrics().login_throttled();
        return Err(Error::TooManyAttempts {
            retry_after_secs: retry_after_secs(wait),
        });
    }

    let user = state
        .store()
        .get_user_by_username(req.username.clone())
        .await?;
    if user.is_none() && !state.store().has_stores().await? {
        return Err(Error::NotSetUp);
    }
    // A refused login, as the audit log keeps it (the username as typed).
    let failed = Event::new(AuditKind::LoginFailed)
        .username(&req.username)
        .device(req.device_id)
        .address(ip)
        .code("bad_credentials");
    let phc = match &user {
        Some(u) => u.password_hash.clone(),
        None => state.dummy_password_hash().await?,
    };
    let ok = state.passwords().verify(phc, req.password.clone()).await?;
    let user = match user {
        Some(u) if ok => u,
        Some(u) => {
            limiter.record_failure(&keys);
            state.metrics().login_failed();
            tracing::info!(username = %req.username, ip = ?ip, "login failed");
            audit::write(&state, failed.store(&u.store_id).target(u.id)).await;
            return Err(Error::BadCredentials);
        }
        None => {
            limiter.record_failure(&keys);
            state.metrics().login_failed();
            tracing::info!(username = %req.username, ip = ?ip, "login failed");
            // No store can be named: the entry is server-wide (docs/api.md, "Audit log").
            audit::write(&state, failed.code("unknown_username")).await;
            return Err(Error::BadCredentials);
        }
    };
    limiter.clear(&user_key);
    let failed = failed.store(&user.store_id).target(user.id);
    if !user.is_active() {
        tracing::info!(username = %user.username, "login of a deactivated user refused");
        audit::write(&state, failed.code("account_deactivated")).await;
        return Err(Error::AccountDeactivated);
    }

    let now = Utc::now();
    let name = req.device_name.trim();
    if name.chars().count() > MAX_DEVICE_NAME {
        return Err(Error::DeviceNameTooLong {
            max: MAX_DEVICE_NAME,
        });
    }
    let device = match state.store().get_device(req.device_id).await? {
        Some(d) if d.revoked => {
            tracing::info!(device = %d.id, username = %user.username, "login from a revoked device refused");
            audit::write(&state, failed.code("device_revoked")).await;
            return Err(Error::DeviceRevoked);
        }
        Some(d) if d.store_id != user.store_id => return Err(Error::DeviceInOtherStore),
        Some(mut d) => {
            d.user_id = user.id;
            d.last_seen_at = now;
            if !name.is_empty() {
                d.name = name.to_owned();
            }
            d
        }
        None if name.is_empty() => return Err(Error::DeviceNameRequired),
        None => DeviceRec {
            id: req.device_id,
            store_id: user.store_id.clone(),
            name: name.to_owned(),
            user_id: user.id,
            created_at: now,
            last_seen_at: now,
            revoked: false,
            revoked_at: None,
        },
    };

    let (token, token_hash) = new_token()?;
    let session = Session {
        user_id: user.id,
        device_id: device.id,
        created_at: now,
        expires_at: now + state.settings().token_ttl,
        last_used_at: None,
    };
    let device_view = DeviceView {
        id: device.id,
        name: device.name.clone(),
    };
    state
        .store()
        .save_login(device, token_hash, session)
        .await?;
    state.metrics().login_succeeded();
    tracing::info!(username = %user.username, device = %device_view.id, "logged in");
    audit::write(
        &state,
        Event::new(AuditKind::Login)
            .user(&user)
            .device(device_view.id)
            .address(ip),
    )
    .await;
    Ok(Json(LoginResponse {
        token,
        user: user_view(&state, &user).await?,
        device: device_view,
    }))
}

/// Logs out: the token stops working.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "the token is revoked"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn logout(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
) -> Result<StatusCode, Error> {
    state.store().delete_session(auth.token).await?;
    tracing::info!(username = %auth.user.username, device = %auth.device.id, "logged out");
    audit::write(&state, Event::new(AuditKind::Logout).by(&auth).address(ip)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs out everywhere: every token of the user stops working, on every device (this one
/// too).
#[utoipa::path(
    post,
    path = "/api/auth/logout-all",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = LogoutAllResponse),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn logout_all(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
) -> Result<Json<LogoutAllResponse>, Error> {
    let revoked = state.store().delete_user_sessions(auth.user.id).await?;
    tracing::info!(username = %auth.user.username, revoked, "logged out everywhere");
    audit::write(
        &state,
        Event::new(AuditKind::LogoutEverywhere)
            .by(&auth)
            .address(ip)
            .detail(format!("tokens={revoked}")),
    )
    .await;
    Ok(Json(LogoutAllResponse { revoked }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct LogoutAllResponse {
    /// How many tokens stopped working.
    pub revoked: usize,
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UserView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn me(State(state): State<AppState>, auth: AuthUser) -> Result<Json<UserView>, Error> {
    Ok(Json(user_view(&state, &auth.user).await?))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub old_password: String,
    pub new_password: String,
}

/// Changes one's own password (old + new). Every other token of the user stops working; this
/// one goes on, and `must_change_password` is cleared. The new password must pass
/// `domain::staff::check_new_password` and differ from the old one.
#[utoipa::path(
    post,
    path = "/api/me/password",
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, body = UserView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`wrong_password`: the old password is wrong", body = ErrorBody),
        (status = 422, description = "a password rule: `password_too_short`, `password_is_username`, `password_common`, …; `password_unchanged`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, see `Retry-After`", body = ErrorBody),
    )
)]
async fn change_own_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    auth: AuthUser,
    Json(req): Json<ChangePasswordRequest>,
) -> Result<Json<UserView>, Error> {
    let limiter = state.login_limiter();
    let keys = [limiter.key_for_username(&auth.user.username)];
    if let Err(wait) = limiter.check(&keys) {
        return Err(Error::TooManyAttempts {
            retry_after_secs: retry_after_secs(wait),
        });
    }
    let ok = state
        .passwords()
        .verify(auth.user.password_hash.clone(), req.old_password.clone())
        .await?;
    if !ok {
        limiter.record_failure(&keys);
        return Err(Error::WrongPassword);
    }
    domain::staff::check_new_password(&auth.user.username, &req.new_password)
        .map_err(|e| Error::rule(&e))?;
    if req.new_password == req.old_password {
        return Err(Error::Rule {
            code: "password_unchanged",
            zh: "新密码不能与当前密码相同".into(),
            en: "The new password must differ from the current one".into(),
        });
    }
    let hash = state.passwords().hash(req.new_password).await?;
    if !state
        .store()
        .set_password(auth.user.id, hash, false, Some(auth.token))
        .await?
    {
        return Err(Error::Unauthorized);
    }
    tracing::info!(username = %auth.user.username, "password changed");
    audit::write(
        &state,
        Event::new(AuditKind::PasswordChanged).by(&auth).address(ip),
    )
    .await;
    let user = state
        .store()
        .get_user(auth.user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok(Json(user_view(&state, &user).await?))
}
