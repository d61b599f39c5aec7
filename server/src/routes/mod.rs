//! The HTTP API, one router per resource. Each module has `pub fn router() ->
//! OpenApiRouter<AppState>` whose handlers carry `#[utoipa::path]`, so the OpenAPI document
//! is generated from exactly the routes that are served. To add a resource (e.g. `sync`),
//! add a module and one `.merge(...)` line in [`api_routes`].

pub mod audit;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod devices;
pub mod directory;
pub mod health;
pub mod history;
pub mod import;
pub mod metrics;
pub mod parts;
pub mod public;
pub mod sales;
pub mod sales_io;
pub mod setup;
pub mod staff;
pub mod sync;

use std::sync::Arc;

use axum::{
    Extension, Router,
    http::{HeaderValue, Method, header::CACHE_CONTROL},
    routing::any,
};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, error::Error, extract::Json};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "forecourt",
        description = "The API of forecourt, the operating system of a 4S car dealership. \
                       Errors are `{code, message}`; `message` follows `Accept-Language` \
                       (zh-CN by default, en)."
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every `/api` route, with its OpenAPI description.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(setup::router())
        .merge(auth::router())
        .merge(staff::router())
        .merge(devices::router())
        .merge(audit::router())
        .merge(directory::router())
        .merge(sync::router())
        .merge(history::router())
        .merge(blobs::router())
        .merge(sales::router())
        .merge(sales_io::router())
        .merge(parts::router())
        .merge(import::router())
        .merge(metrics::router())
        .merge(backup::router())
        .merge(public::router())
        .routes(routes!(openapi_json))
}

/// The OpenAPI document of [`api_routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().split_for_parts().1
}

/// The `/api` router with state applied; unknown `/api/*` paths answer JSON 404 and a wrong
/// method JSON 405. API answers are `Cache-Control: no-store` unless a handler says otherwise
/// (they carry tokens and live data; the service worker must not keep them).
pub fn api_router(state: AppState) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    api.route("/metrics", axum::routing::get(metrics::metrics))
        .route("/s/{token}", axum::routing::get(public::status_page))
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(Arc::new(doc)))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
}

async fn not_found() -> Error {
    Error::NotFound
}

async fn method_not_allowed(method: Method) -> Error {
    tracing::debug!(%method, "method not allowed");
    Error::MethodNotAllowed
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document (JSON)"))
)]
async fn openapi_json(
    Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json(doc.as_ref().clone())
}
