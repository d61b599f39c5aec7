//! The one error type of the HTTP API. Every error answers JSON `{code, message}` with the
//! right status; `message` is in the request's language (see [`crate::lang`]).

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::lang::Lang;
use crate::store::StoreError;

/// The body of every error answer.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. `bad_credentials`.
    pub code: String,
    /// A sentence for the user, in the request's language.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed logins; retry after {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("device revoked")]
    DeviceRevoked,
    #[error("a new device needs a name")]
    DeviceNameRequired,
    #[error("device name longer than {max}")]
    DeviceNameTooLong { max: usize },
    #[error("device belongs to another store")]
    DeviceInOtherStore,
    #[error("missing, expired or revoked token")]
    Unauthorized,
    #[error("role may not do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    #[error("invalid path parameter: {0}")]
    InvalidPath(String),
    #[error("missing JSON content type")]
    UnsupportedMediaType,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadCredentials | Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::DeviceRevoked | Error::Forbidden => StatusCode::FORBIDDEN,
            Error::DeviceNameRequired | Error::DeviceNameTooLong { .. } | Error::InvalidBody(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Error::DeviceInOtherStore => StatusCode::CONFLICT,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::MalformedJson(_) | Error::InvalidPath(_) => StatusCode::BAD_REQUEST,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Store(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::BadCredentials => "bad_credentials",
            Error::TooManyAttempts { .. } => "too_many_attempts",
            Error::DeviceRevoked => "device_revoked",
            Error::DeviceNameRequired => "device_name_required",
            Error::DeviceNameTooLong { .. } => "device_name_too_long",
            Error::DeviceInOtherStore => "device_in_other_store",
            Error::Unauthorized => "unauthorized",
            Error::Forbidden => "forbidden",
            Error::NotFound => "not_found",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::MalformedJson(_) => "malformed_json",
            Error::InvalidBody(_) => "invalid_body",
            Error::InvalidPath(_) => "invalid_path",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::PayloadTooLarge => "payload_too_large",
            Error::Store(_) | Error::Internal(_) => "internal",
        }
    }

    /// The sentence shown to the user.
    pub fn message(&self, lang: Lang) -> String {
        let l = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
        match self {
            Error::BadCredentials => l("用户名或密码错误", "Wrong username or password"),
            Error::TooManyAttempts { retry_after_secs } => match lang {
                Lang::Zh => format!("登录失败次数过多，请在 {retry_after_secs} 秒后再试"),
                Lang::En => {
                    format!("Too many failed logins; try again in {retry_after_secs} seconds")
                }
            },
            Error::DeviceRevoked => l(
                "此设备已被管理员停用，无法登录",
                "This device has been revoked by a manager and cannot log in",
            ),
            Error::DeviceNameRequired => l(
                "这是一台新设备，请填写设备名称",
                "This is a new device: please give it a device name",
            ),
            Error::DeviceNameTooLong { max } => match lang {
                Lang::Zh => format!("设备名称太长，最多 {max} 个字"),
                Lang::En => format!("The device name is too long (at most {max} characters)"),
            },
            Error::DeviceInOtherStore => l(
                "此设备已登记在其他门店",
                "This device is registered to another store",
            ),
            Error::Unauthorized => l(
                "请先登录（登录已过期、已退出或设备已停用）",
                "Please log in (the session is missing, expired or revoked)",
            ),
            Error::Forbidden => l(
                "您的角色无权进行此操作",
                "Your role is not allowed to do this",
            ),
            Error::NotFound => l("找不到请求的资源", "Not found"),
            Error::MethodNotAllowed => l(
                "此地址不支持该请求方法",
                "This method is not allowed on this address",
            ),
            Error::MalformedJson(detail) => match lang {
                Lang::Zh => format!("请求内容不是有效的 JSON：{detail}"),
                Lang::En => format!("The request body is not valid JSON: {detail}"),
            },
            Error::InvalidBody(detail) => match lang {
                Lang::Zh => format!("请求内容的字段有误：{detail}"),
                Lang::En => format!("The request body has wrong fields: {detail}"),
            },
            Error::InvalidPath(detail) => match lang {
                Lang::Zh => format!("地址中的参数有误：{detail}"),
                Lang::En => format!("Wrong parameter in the address: {detail}"),
            },
            Error::UnsupportedMediaType => l(
                "请求需要 Content-Type: application/json",
                "The request needs Content-Type: application/json",
            ),
            Error::PayloadTooLarge => l("请求内容过大", "The request body is too large"),
            Error::Store(_) | Error::Internal(_) => l(
                "服务器内部错误，请稍后再试",
                "Internal server error; please try again later",
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody {
            code: self.code().to_owned(),
            message: self.message(Lang::current()),
        };
        let mut resp = (status, Json(body)).into_response();
        if let Error::TooManyAttempts { retry_after_secs } = self {
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        resp
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
