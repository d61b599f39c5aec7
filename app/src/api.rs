//! Talking to the server's JSON API (docs/api.md).
//!
//! Every answer other than 2xx is turned into an [`ApiError`]: the server's
//! `{"code", "message"}` body when it sent one, [`ApiError::Network`] when the request never got
//! an answer (offline, server down). Screens decide what each means to the user; only
//! [`ApiError::is_unauthorized`] has a fixed meaning (the session is over, see `session.rs`).

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Why a request to the server did not give the expected answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: the device is offline or the server is down.
    #[error("network unreachable")]
    Network,
    /// The server answered with an error status.
    #[error("{status} {code}: {message}")]
    Server {
        status: u16,
        /// The server's `snake_case` error code, e.g. `bad_credentials`.
        code: String,
        /// The server's explanation, in the language of `Accept-Language`.
        message: String,
        /// `Retry-After` in seconds, when the server sent it (429).
        retry_after: Option<u32>,
    },
    /// The server answered 2xx with a body the app does not understand.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl ApiError {
    /// A 401: the token is missing, expired or revoked. The only error that ends a session.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }
}

/// The error body of every `/api` route.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
}

thread_local! {
    static LANGUAGE: RefCell<&'static str> = const { RefCell::new("zh-CN") };
}

/// Sets the language the server writes its messages in (`Accept-Language`).
pub fn set_language(locale: &'static str) {
    LANGUAGE.with(|l| *l.borrow_mut() = locale);
}

fn accept_language() -> &'static str {
    match LANGUAGE.with(|l| *l.borrow()) {
        "en" => "en,zh-CN;q=0.5",
        _ => "zh-CN,zh;q=0.9,en;q=0.5",
    }
}

pub(crate) fn prepare(builder: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    let builder = builder
        .header("Accept", "application/json")
        .header("Accept-Language", accept_language());
    match token {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

pub(crate) async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let request = request.map_err(|e| ApiError::Unexpected(e.to_string()))?;
    // fetch() rejects only when no answer came back: that is the network, not the server.
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    Err(error_from(response).await)
}

async fn error_from(response: Response) -> ApiError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.trim().parse().ok());
    let text = response.text().await.unwrap_or_default();
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ApiError::Server {
            status,
            code: body.code,
            message: body.message,
            retry_after,
        },
        // A proxy or a server without the JSON error contract: keep the status line.
        Err(_) => ApiError::Server {
            status,
            code: format!("http_{status}"),
            message: response.status_text(),
            retry_after,
        },
    }
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// `GET path`, answer as JSON.
pub async fn get<T: DeserializeOwned>(path: &str, token: Option<&str>) -> Result<T, ApiError> {
    let request = prepare(Request::get(path), token).build();
    json(send(request).await?).await
}

/// `POST path` with a JSON body, answer as JSON.
pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<T, ApiError> {
    let request = prepare(Request::post(path), token).json(body);
    json(send(request).await?).await
}

/// `POST path` with no body, for actions answered with 204.
pub async fn post_empty(path: &str, token: Option<&str>) -> Result<(), ApiError> {
    let request = prepare(Request::post(path), token).build();
    send(request).await.map(|_| ())
}

/// `POST path` with a JSON body, for actions answered with 204.
pub async fn post_json_empty<B: Serialize>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<(), ApiError> {
    let request = prepare(Request::post(path), token).json(body);
    send(request).await.map(|_| ())
}
