//! `GET /api/setup`, `POST /api/setup`: the first start of a real store. On a server without
//! any store (started with `--no-demo` on an empty data directory) nobody can log in until the
//! store and its general manager are created here (or with `forecourt setup`). Once done it
//! cannot be done again: 409 `already_set_up`.

use axum::{extract::State, http::StatusCode};
use chrono::Utc;
use domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    AppState,
    error::{Error, ErrorBody},
    extract::Json,
    routes::auth::{UserView, user_view},
    store::{DEFAULT_UTC_OFFSET_MINUTES, StoreRec, UserRec},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(setup_status, set_up))
}

/// The widest time-zone offset accepted, in minutes either side of UTC (UTC−12 … UTC+14).
pub const MIN_UTC_OFFSET_MINUTES: i32 = -12 * 60;
pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SetupStatus {
    /// Whether the server has a store. `false`: the app shows the setup page, and login
    /// answers 409 `not_set_up`.
    pub set_up: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct SetupRequest {
    /// The store's name, e.g. 东风日产某某4S店.
    pub store_name: String,
    /// The store's time zone, minutes east of UTC; 480 (UTC+8) when left out.
    #[serde(default = "default_offset")]
    pub utc_offset_minutes: i32,
    /// The general manager's account.
    pub username: String,
    pub display_name: String,
    pub password: String,
}

fn default_offset() -> i32 {
    DEFAULT_UTC_OFFSET_MINUTES
}

/// Checks a setup request by the domain's rules: names, password, time zone.
pub fn check_setup(req: &SetupRequest) -> Result<(), Error> {
    domain::staff::check_store_name(&req.store_name).map_err(|e| Error::rule(&e))?;
    domain::staff::check_username(&req.username).map_err(|e| Error::rule(&e))?;
    domain::staff::check_display_name(&req.display_name).map_err(|e| Error::rule(&e))?;
    if !(MIN_UTC_OFFSET_MINUTES..=MAX_UTC_OFFSET_MINUTES).contains(&req.utc_offset_minutes) {
        return Err(Error::Rule {
            code: "utc_offset_invalid",
            zh: "时区须在 UTC−12 与 UTC+14 之间".into(),
            en: "The time zone must be between UTC−12 and UTC+14".into(),
        });
    }
    domain::staff::check_new_password(&req.username, &req.password).map_err(|e| Error::rule(&e))
}

/// The store and its general manager of a checked ([`check_setup`]) request.
pub fn setup_records(req: &SetupRequest, password_hash: String) -> (StoreRec, UserRec) {
    let now = Utc::now();
    let store = StoreRec {
        id: format!("store-{}", Uuid::now_v7().simple()),
        name: req.store_name.trim().to_owned(),
        created_at: now,
        demo: false,
        utc_offset_minutes: req.utc_offset_minutes,
    };
    let gm = UserRec {
        id: Uuid::now_v7(),
        store_id: store.id.clone(),
        username: req.username.trim().to_owned(),
        display_name: req.display_name.trim().to_owned(),
        roles: vec![Role::GeneralManager],
        password_hash,
        created_at: now,
        deactivated_at: None,
        must_change_password: false,
    };
    (store, gm)
}

/// Whether the server has a store yet.
#[utoipa::path(
    get,
    path = "/api/setup",
    tag = "setup",
    responses((status = 200, body = SetupStatus))
)]
async fn setup_status(State(state): State<AppState>) -> Result<Json<SetupStatus>, Error> {
    Ok(Json(SetupStatus {
        set_up: state.store().has_stores().await?,
    }))
}

/// Creates the store and its general manager on a server without any store. No token: whoever
/// reaches a new server first sets it up, so set it up before the server is reachable by
/// others (or use `forecourt setup`).
#[utoipa::path(
    post,
    path = "/api/setup",
    tag = "setup",
    request_body = SetupRequest,
    responses(
        (status = 201, description = "the store and the general manager exist; log in", body = UserView),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 409, description = "`already_set_up`", body = ErrorBody),
        (status = 422, description = "a rule: `store_name_missing`, `username_characters`, `display_name_missing`, `password_too_short`, `password_common`, `utc_offset_invalid`, …", body = ErrorBody),
    )
)]
async fn set_up(
    State(state): State<AppState>,
    Json(req): Json<SetupRequest>,
) -> Result<(StatusCode, Json<UserView>), Error> {
    if state.store().has_stores().await? {
        return Err(Error::AlreadySetUp);
    }
    check_setup(&req)?;
    let hash = state.passwords().hash(req.password.clone()).await?;
    let (store, gm) = setup_records(&req, hash);
    state
        .store()
        .set_up_store(store.clone(), vec![gm.clone()])
        .await?;
    tracing::info!(store = %store.id, username = %gm.username, "store set up");
    Ok((StatusCode::CREATED, Json(user_view(&state, &gm).await?)))
}
