//! `/login`: username, password and — the first time on this device — the device's name.
//! Logging in needs the network; everything after it works offline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::LoginFrame;
use crate::api::ApiError;
use crate::components::sync_status::others_waiting_text;
use crate::i18n::*;
use crate::session::{DEVICE_NAME_MAX, LoggedOutReason, use_session};
use crate::sync::use_sync;
use crate::ui::button::SubmitButton;
use crate::ui::labels::Words;

/// What went wrong, kept untranslated so the message follows the language switch.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LoginError {
    NeedUsername,
    NeedPassword,
    NeedDeviceName,
    DeviceNameTooLong,
    BadCredentials,
    TooManyAttempts(Option<u32>),
    DeviceRevoked,
    Offline,
    Server { code: String, message: String },
    Unexpected,
}

impl From<ApiError> for LoginError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Network => LoginError::Offline,
            ApiError::Unexpected(_) => LoginError::Unexpected,
            ApiError::Server {
                status,
                code,
                message,
                retry_after,
            } => match (status, code.as_str()) {
                (_, "bad_credentials") | (401, _) => LoginError::BadCredentials,
                (_, "too_many_attempts") | (429, _) => LoginError::TooManyAttempts(retry_after),
                (_, "device_revoked") => LoginError::DeviceRevoked,
                _ => LoginError::Server { code, message },
            },
        }
    }
}

impl LoginError {
    fn view(&self, i18n: I18nContext<Locale>) -> AnyView {
        match self.clone() {
            LoginError::NeedUsername => t!(i18n, login.need_username).into_any(),
            LoginError::NeedPassword => t!(i18n, login.need_password).into_any(),
            LoginError::NeedDeviceName => t!(i18n, login.need_device_name).into_any(),
            LoginError::DeviceNameTooLong => {
                t!(i18n, login.device_name_too_long, max = DEVICE_NAME_MAX).into_any()
            }
            LoginError::BadCredentials => t!(i18n, login.bad_credentials).into_any(),
            // The server counts in seconds; past a minute and a half, people think in minutes.
            LoginError::TooManyAttempts(Some(seconds)) if seconds > 90 => {
                let minutes = seconds.div_ceil(60);
                t!(i18n, login.too_many_attempts_minutes, minutes = minutes).into_any()
            }
            LoginError::TooManyAttempts(Some(seconds)) => {
                t!(i18n, login.too_many_attempts, seconds = seconds).into_any()
            }
            LoginError::TooManyAttempts(None) => t!(i18n, login.too_many_attempts_later).into_any(),
            LoginError::DeviceRevoked => t!(i18n, login.device_revoked).into_any(),
            LoginError::Offline => t!(i18n, login.offline).into_any(),
            LoginError::Server { code, message } => {
                t!(i18n, errors.server, code = code, message = message).into_any()
            }
            LoginError::Unexpected => t!(i18n, errors.unexpected).into_any(),
        }
    }

    /// The field the message is about, for `aria-invalid`.
    fn field(&self) -> Option<&'static str> {
        match self {
            LoginError::NeedUsername => Some("username"),
            LoginError::NeedPassword => Some("password"),
            LoginError::NeedDeviceName | LoginError::DeviceNameTooLong => Some("device_name"),
            _ => None,
        }
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    // The fields are read when the form is sent, whatever filled them (typing, an IME,
    // a password manager).
    let username = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let device_name = NodeRef::<leptos::html::Input>::new();
    let value = |field: NodeRef<leptos::html::Input>| {
        field
            .get_untracked()
            .map(|el| el.value())
            .unwrap_or_default()
    };
    let error = RwSignal::new(None::<LoginError>);
    let busy = RwSignal::new(false);
    let needs_device_name = move || session.device_name.with(Option::is_none);
    // A server without a store yet: nobody can log in; its setup page comes first.
    let navigate = use_navigate();
    let to_setup = StoredValue::new_local(move || navigate("/setup", Default::default()));
    leptos::task::spawn_local(async move {
        if crate::pages::setup::needs_setup().await == Some(true) {
            let _ = to_setup.try_with_value(|go| go());
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let user = value(username).trim().to_string();
        let pass = value(password);
        let name = match session.device_name.get_untracked() {
            Some(known) => known,
            None => value(device_name).trim().to_string(),
        };
        let invalid = if user.is_empty() {
            Some(LoginError::NeedUsername)
        } else if pass.is_empty() {
            Some(LoginError::NeedPassword)
        } else if name.is_empty() {
            Some(LoginError::NeedDeviceName)
        } else if name.chars().count() > DEVICE_NAME_MAX {
            Some(LoginError::DeviceNameTooLong)
        } else {
            None
        };
        if invalid.is_some() {
            error.set(invalid);
            return;
        }
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = session.login(&user, &pass, &name).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    if let Some(el) = password.get_untracked() {
                        el.set_value("");
                    }
                }
                Err(ApiError::Server { code, .. }) if code == "not_set_up" => {
                    let _ = to_setup.try_with_value(|go| go());
                }
                Err(e) => error.set(Some(e.into())),
            }
        });
    };

    view! {
        <LoginFrame>
            <h1>{t!(i18n, login.title)}</h1>
            <p class="muted">{t!(i18n, login.subtitle)}</p>
            <Show when=move || {
                session.logged_out.get() == Some(LoggedOutReason::Expired)
            }>
                <p class="notice notice-warn" role="status">
                    {t!(i18n, login.session_expired)}
                </p>
            </Show>
            // A shared tablet: whose changes wait here for their author to log in again.
            {move || {
                let waiting = sync.waiting_for_others();
                (!waiting.is_empty())
                    .then(|| {
                        view! {
                            <section
                                class="notice notice-warn login-waiting"
                                aria-labelledby="login-waiting-title"
                            >
                                <p id="login-waiting-title">
                                    <strong>{t!(i18n, login.waiting_title)}</strong>
                                </p>
                                <ul>
                                    {waiting
                                        .iter()
                                        .map(|w| view! { <li>{others_waiting_text(i18n, w)}</li> })
                                        .collect_view()}
                                </ul>
                                <p>{t!(i18n, login.waiting_hint)}</p>
                            </section>
                        }
                    })
            }}
            <form class="form" novalidate on:submit=submit>
                <LoginField name="username" kind="text" autocomplete="username" error=error node=username as_typed=true>
                    {t!(i18n, login.username)}
                </LoginField>
                <LoginField
                    name="password"
                    kind="password"
                    autocomplete="current-password"
                    error=error
                    node=password
                >
                    {t!(i18n, login.password)}
                </LoginField>
                {move || {
                    if needs_device_name() {
                        view! {
                            <LoginField
                                name="device_name"
                                kind="text"
                                autocomplete="off"
                                error=error
                                node=device_name
                                maxlength=DEVICE_NAME_MAX
                                hint=|i| t_string!(i, login.device_name_hint)
                            >
                                {t!(i18n, login.device_name)}
                            </LoginField>
                        }
                            .into_any()
                    } else {
                        let name = session.device_name.get().unwrap_or_default();
                        view! {
                            <p class="hint device-known">
                                {t!(i18n, login.device_known, name = name.clone())}
                            </p>
                        }
                            .into_any()
                    }
                }}
                {move || {
                    error
                        .get()
                        .map(|e| {
                            view! {
                                <p class="alert" role="alert">
                                    {e.view(i18n)}
                                </p>
                            }
                        })
                }}
                <SubmitButton
                    busy=busy
                    class="btn btn-primary btn-block"
                    label=|i| t_string!(i, login.submit)
                    working=|i| t_string!(i, login.submitting)
                />
            </form>
        </LoginFrame>
    }
}

/// `aria-invalid` of the field `field` while `error` is about it.
fn invalid_flag(
    error: RwSignal<Option<LoginError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Send + Sync + Copy {
    move || {
        error
            .with(|e| e.as_ref().and_then(LoginError::field) == Some(field))
            .then_some("true")
    }
}

/// A required field of the form (`login-<name>`, `_` written `-`), read through `node` when the
/// form is sent; `as_typed` turns off capitals and spell check (the user name); `hint` is shown
/// under it and describes it.
#[component]
fn LoginField(
    name: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    error: RwSignal<Option<LoginError>>,
    node: NodeRef<leptos::html::Input>,
    #[prop(optional)] as_typed: bool,
    #[prop(optional, into)] maxlength: Option<usize>,
    #[prop(optional)] hint: Option<Words>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("login-{}", name.replace('_', "-"));
    let hint_id = hint.map(|_| format!("{id}-hint"));
    let as_typed = as_typed.then_some(());
    view! {
        <div class="field">
            <label for=id.clone()>{children()}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                autocapitalize=as_typed.map(|()| "none")
                spellcheck=as_typed.map(|()| "false")
                maxlength=maxlength.map(|n| n.to_string())
                aria-required="true"
                aria-describedby=hint_id.clone()
                aria-invalid=invalid_flag(error, name)
                node_ref=node
            />
            {hint.map(|words| view! { <p id=hint_id class="hint">{move || words(i18n)}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16, code: &str, retry_after: Option<u32>) -> ApiError {
        ApiError::Server {
            status,
            code: code.into(),
            message: "…".into(),
            retry_after,
        }
    }

    #[test]
    fn server_answers_become_the_staff_messages() {
        assert_eq!(
            LoginError::from(server(401, "bad_credentials", None)),
            LoginError::BadCredentials
        );
        assert_eq!(
            LoginError::from(server(429, "too_many_attempts", Some(30))),
            LoginError::TooManyAttempts(Some(30))
        );
        assert_eq!(
            LoginError::from(server(403, "device_revoked", None)),
            LoginError::DeviceRevoked
        );
        assert_eq!(LoginError::from(ApiError::Network), LoginError::Offline);
        assert_eq!(
            LoginError::from(server(500, "internal", None)),
            LoginError::Server {
                code: "internal".into(),
                message: "…".into()
            }
        );
    }

    #[test]
    fn validation_errors_point_at_their_field() {
        assert_eq!(LoginError::NeedUsername.field(), Some("username"));
        assert_eq!(LoginError::DeviceNameTooLong.field(), Some("device_name"));
        assert_eq!(LoginError::BadCredentials.field(), None);
    }
}
