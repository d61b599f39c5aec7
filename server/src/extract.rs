//! Extractors that turn axum's plain-text rejections into the API's JSON errors.

use axum::{
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{JsonRejection, PathRejection},
    },
    http::request::Parts,
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::Error;

/// Like [`axum::Json`], but a body that is not JSON answers 400 `malformed_json` and a body
/// with wrong or missing fields 422 `invalid_body`, both as JSON saying what is wrong.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// The innermost useful detail of a rejection (serde's "field: what is wrong"), without axum's
/// English preamble.
fn detail(e: &(dyn std::error::Error + 'static), fallback: String) -> String {
    let mut inner = e.source();
    let mut last = None;
    while let Some(err) = inner {
        last = Some(err.to_string());
        inner = err.source();
    }
    last.unwrap_or(fallback)
}

fn json_rejection(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::JsonDataError(e) => Error::InvalidBody(detail(&e, e.body_text())),
        JsonRejection::JsonSyntaxError(e) => Error::MalformedJson(detail(&e, e.body_text())),
        JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
        JsonRejection::BytesRejection(e) => {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::MalformedJson(e.body_text())
            }
        }
        other => Error::MalformedJson(other.body_text()),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Like [`axum::extract::Path`], with a JSON 400 `invalid_path` on a bad parameter.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(Error::InvalidPath(e.body_text()))
            }
            Err(other) => Err(Error::Internal(other.body_text())),
        }
    }
}

/// Like [`axum::extract::Query`], with a JSON 400 `invalid_query` on a bad parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(rejection) => Err(Error::InvalidQuery(detail(
                &rejection,
                rejection.body_text(),
            ))),
        }
    }
}
