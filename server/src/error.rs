//! The one error type of the HTTP API. Every error answers JSON `{code, message}` with the
//! right status; `message` is in the request's language (see [`crate::lang`]).

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use domain::policy::{PolicyError, Refusal};
use domain::sales::UserError;
use domain::sync::SyncError;

use crate::lang::Lang;
use crate::store::StoreError;

/// The body of every error answer.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. `bad_credentials`.
    pub code: String,
    /// A sentence for the user, in the request's language.
    pub message: String,
    /// For a refused sync push: the index (from 0) of the op that was refused. Nothing of
    /// the batch was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_index: Option<usize>,
    /// For `clock_ahead`: the server's clock (Unix ms), so the device can learn its offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_ms: Option<u64>,
}

/// Why one op of a sync push was refused (the whole batch is refused with it).
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("the op's store_id is not the user's store")]
    WrongStore,
    #[error("the op's device_id is not the token's device")]
    WrongDevice,
    #[error("the op's user_id is not the token's user")]
    WrongUser,
    #[error("the role may not change `{record_type}` records")]
    NotAllowed { record_type: String },
    #[error("only a manager may restore a deleted record")]
    ManagerOnly,
    #[error("op id already used for a different op")]
    OpIdReused,
    #[error("{0}")]
    Sync(SyncError),
    /// A rule of `domain::policy::check_op` (checked against the record as stored).
    #[error("{0}")]
    Policy(PolicyError),
}

impl OpError {
    fn status(&self) -> StatusCode {
        match self {
            OpError::WrongStore
            | OpError::WrongDevice
            | OpError::WrongUser
            | OpError::NotAllowed { .. }
            | OpError::ManagerOnly => StatusCode::FORBIDDEN,
            OpError::OpIdReused => StatusCode::CONFLICT,
            OpError::Sync(_) => StatusCode::UNPROCESSABLE_ENTITY,
            OpError::Policy(e) => match e.refusal() {
                Refusal::Forbidden => StatusCode::FORBIDDEN,
                Refusal::Conflict => StatusCode::CONFLICT,
                Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            },
        }
    }

    fn code(&self) -> &'static str {
        match self {
            OpError::WrongStore => "wrong_store",
            OpError::WrongDevice => "wrong_device",
            OpError::WrongUser => "wrong_user",
            OpError::NotAllowed { .. } | OpError::ManagerOnly => "forbidden",
            OpError::OpIdReused => "op_id_reused",
            OpError::Sync(e) => e.code(),
            OpError::Policy(e) => e.code(),
        }
    }

    fn message(&self, lang: Lang) -> String {
        let l = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
        match self {
            OpError::WrongStore => l(
                "修改所属的门店不是您登录的门店",
                "The change belongs to another store than the one you are logged in to",
            ),
            OpError::WrongDevice => l(
                "修改记录的设备不是当前登录的设备",
                "The change was recorded for another device than the one logged in",
            ),
            OpError::WrongUser => l(
                "修改记录的用户不是当前登录的用户",
                "The change was recorded for another user than the one logged in",
            ),
            OpError::NotAllowed { record_type } => match lang {
                Lang::Zh => format!("您的角色无权修改“{record_type}”记录"),
                Lang::En => format!("Your role may not change `{record_type}` records"),
            },
            OpError::ManagerOnly => l(
                "只有经理可以从回收站恢复记录",
                "Only a manager may restore a record from the bin",
            ),
            OpError::OpIdReused => l(
                "此修改编号已被另一项不同的修改使用",
                "This change id was already used for a different change",
            ),
            OpError::Sync(e) => match lang {
                Lang::Zh => e.message_zh(),
                Lang::En => e.message_en(),
            },
            OpError::Policy(e) => match lang {
                Lang::Zh => e.message_zh(),
                Lang::En => e.message_en(),
            },
        }
    }
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
    #[error("{count} ops in one push (at most {max})")]
    TooManyOps { count: usize, max: usize },
    #[error("op {index} refused: {kind}")]
    Op {
        index: usize,
        kind: OpError,
        /// Set for `clock_ahead`.
        server_time_ms: Option<u64>,
    },
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("the store is not set up yet")]
    NotSetUp,
    #[error("the store is already set up")]
    AlreadySetUp,
    #[error("username taken")]
    UsernameTaken,
    #[error("wrong current password")]
    WrongPassword,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("account deactivated")]
    AccountDeactivated,
    #[error("one cannot deactivate oneself")]
    CannotDeactivateSelf,
    /// A domain rule refused the request (`domain::staff`, …): 422 with the rule's code.
    #[error("{code}: {en}")]
    Rule {
        code: &'static str,
        zh: String,
        en: String,
    },
    #[error("storage: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UsernameTaken(_) => Error::UsernameTaken,
            StoreError::AlreadySetUp => Error::AlreadySetUp,
            e => Error::Store(e),
        }
    }
}

impl Error {
    /// A refusal by a domain rule (422, the rule's code and messages).
    pub fn rule(e: &impl domain::sales::UserError) -> Self {
        Error::Rule {
            code: e.code(),
            zh: e.message_zh(),
            en: e.message_en(),
        }
    }

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
            Error::PayloadTooLarge | Error::TooManyOps { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Op { kind, .. } => kind.status(),
            Error::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Error::NotSetUp
            | Error::AlreadySetUp
            | Error::UsernameTaken
            | Error::CannotDeactivateSelf => StatusCode::CONFLICT,
            Error::WrongPassword | Error::PasswordChangeRequired | Error::AccountDeactivated => {
                StatusCode::FORBIDDEN
            }
            Error::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
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
            Error::TooManyOps { .. } => "too_many_ops",
            Error::Op { kind, .. } => kind.code(),
            Error::InvalidQuery(_) => "invalid_query",
            Error::NotSetUp => "not_set_up",
            Error::AlreadySetUp => "already_set_up",
            Error::UsernameTaken => "username_taken",
            Error::WrongPassword => "wrong_password",
            Error::PasswordChangeRequired => "password_change_required",
            Error::AccountDeactivated => "account_deactivated",
            Error::CannotDeactivateSelf => "cannot_deactivate_self",
            Error::Rule { code, .. } => code,
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
            Error::TooManyOps { count, max } => match lang {
                Lang::Zh => format!("一次同步包含 {count} 项修改，最多 {max} 项，请分批发送"),
                Lang::En => {
                    format!("{count} changes in one sync (at most {max}); send them in batches")
                }
            },
            Error::Op { kind, .. } => kind.message(lang),
            Error::InvalidQuery(detail) => match lang {
                Lang::Zh => format!("地址中的查询参数有误：{detail}"),
                Lang::En => format!("Wrong query parameter in the address: {detail}"),
            },
            Error::NotSetUp => l(
                "门店尚未设置：请先完成首次设置",
                "The store is not set up yet: complete the first-start setup first",
            ),
            Error::AlreadySetUp => l(
                "门店已经设置过，不能再次设置",
                "The store is already set up; setup cannot be done twice",
            ),
            Error::UsernameTaken => l("此用户名已被使用", "This username is taken"),
            Error::WrongPassword => l("当前密码不正确", "The current password is wrong"),
            Error::PasswordChangeRequired => l(
                "请先设置您自己的新密码",
                "Choose your own new password first",
            ),
            Error::AccountDeactivated => l(
                "此账号已停用，请联系总经理",
                "This account has been deactivated; ask the general manager",
            ),
            Error::CannotDeactivateSelf => l(
                "不能停用自己的账号",
                "You cannot deactivate your own account",
            ),
            Error::Rule { zh, en, .. } => lang.pick(zh, en).to_owned(),
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
        let (op_index, server_time_ms) = match &self {
            Error::Op {
                index,
                server_time_ms,
                ..
            } => (Some(*index), *server_time_ms),
            _ => (None, None),
        };
        let body = ErrorBody {
            code: self.code().to_owned(),
            message: self.message(Lang::current()),
            op_index,
            server_time_ms,
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
