//! `/setup` (首次设置门店): on a server without any store (`GET /api/setup` → `set_up: false`),
//! the store's name and time zone and the general manager's account (`POST /api/setup`); then
//! the general manager is logged in on this device. The login page sends here while the server
//! is not set up; once it is, this page only says so.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use serde::{Deserialize, Serialize};

use super::LoginFrame;
use crate::api::{self, ApiError};
use crate::i18n::*;
use crate::session::{DEVICE_NAME_MAX, use_session};
use crate::ui::alert::Alert;
use crate::ui::button::SubmitButton;
use crate::ui::edit::use_edit;
use crate::ui::error::{NeedsNetwork, UserText};
use crate::ui::field::{Select, TextField};

/// `GET /api/setup`.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct SetupStatus {
    pub set_up: bool,
}

/// Whether the server still waits for its first store (`None`: it cannot be asked now).
pub async fn needs_setup() -> Option<bool> {
    api::get::<SetupStatus>("/api/setup", None)
        .await
        .ok()
        .map(|s| !s.set_up)
}

#[derive(Serialize)]
struct SetupRequest<'a> {
    store_name: &'a str,
    utc_offset_minutes: i32,
    username: &'a str,
    display_name: &'a str,
    password: &'a str,
}

/// The time zones offered: whole hours from UTC−12 to UTC+14, as `(minutes, label)`.
pub fn time_zone_options() -> Vec<(String, String)> {
    (-12..=14)
        .map(|h: i32| {
            let label = match h {
                0 => "UTC".to_string(),
                8 => "UTC+8 (北京时间 / China)".to_string(),
                h if h > 0 => format!("UTC+{h}"),
                h => format!("UTC−{}", -h),
            };
            ((h * 60).to_string(), label)
        })
        .collect()
}

/// Why the server did not set up the store (or log in after it).
fn setup_failed(e: ApiError) -> NeedsNetwork {
    NeedsNetwork(e, |i| t_string!(i, setup.offline))
}

/// `/setup`.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // None while asking the server.
    let needed = RwSignal::new(None::<bool>);
    leptos::task::spawn_local(async move {
        needed.set(Some(needs_setup().await.unwrap_or(true)));
    });
    let store_name = RwSignal::new(String::new());
    let offset = RwSignal::new("480".to_string());
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let device_name = RwSignal::new(String::new());
    let edit = use_edit();
    let needs_device_name = move || session.device_name.with(Option::is_none);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (store, user, name, pw) = (
            store_name.get_untracked().trim().to_string(),
            username.get_untracked().trim().to_string(),
            display_name.get_untracked().trim().to_string(),
            password.get_untracked(),
        );
        let device = session
            .device_name
            .get_untracked()
            .unwrap_or_else(|| device_name.get_untracked().trim().to_string());
        let check = || {
            if let Err(e) = domain::staff::check_store_name(&store) {
                return Some(e.user_text(i18n));
            }
            if let Err(e) = domain::staff::check_username(&user) {
                return Some(e.user_text(i18n));
            }
            if let Err(e) = domain::staff::check_display_name(&name) {
                return Some(e.user_text(i18n));
            }
            if let Err(e) = domain::staff::check_new_password(&user, &pw) {
                return Some(e.user_text(i18n));
            }
            if pw != again.get_untracked() {
                return Some(t_string!(i18n, setup.mismatch).to_string());
            }
            if device.is_empty() || device.chars().count() > DEVICE_NAME_MAX {
                return Some(t_string!(i18n, setup.need_device_name).to_string());
            }
            None
        };
        if let Some(text) = check() {
            edit.fail(text);
            return;
        }
        let minutes = offset.get_untracked().parse().unwrap_or(480);
        edit.run(
            async move {
                let request = SetupRequest {
                    store_name: &store,
                    utc_offset_minutes: minutes,
                    username: &user,
                    display_name: &name,
                    password: &pw,
                };
                api::post::<_, serde_json::Value>("/api/setup", None, &request)
                    .await
                    .map_err(setup_failed)?;
                session
                    .login(&user, &pw, &device)
                    .await
                    .map_err(setup_failed)
            },
            move |()| password.set(String::new()),
        );
    };

    view! {
        <LoginFrame class="setup-card">
            <h1>{t!(i18n, setup.title)}</h1>
            {move || match needed.get() {
                None => ().into_any(),
                Some(false) => view! {
                    <p class="notice" role="status">{t!(i18n, setup.already)}</p>
                    <A href="/login" attr:class="btn btn-primary btn-block">{t!(i18n, setup.to_login)}</A>
                }.into_any(),
                Some(true) => view! {
                    <p class="muted">{t!(i18n, setup.intro)}</p>
                    <form class="form" novalidate on:submit=submit>
                        <TextField id="setup-store-name" value=store_name required=true autocomplete="organization">
                            {t!(i18n, setup.store_name)}
                        </TextField>
                        <Select id="setup-time-zone" value=offset options=Signal::derive(time_zone_options)>
                            {t!(i18n, setup.time_zone)}
                        </Select>
                        <TextField id="setup-username" value=username required=true autocomplete="username">
                            {t!(i18n, setup.gm_username)}
                        </TextField>
                        <TextField id="setup-display-name" value=display_name required=true autocomplete="name">
                            {t!(i18n, setup.gm_display_name)}
                        </TextField>
                        <TextField id="setup-password" value=password kind="password" required=true autocomplete="new-password">
                            {t!(i18n, setup.password)}
                        </TextField>
                        <TextField id="setup-password-again" value=again kind="password" required=true autocomplete="new-password">
                            {t!(i18n, setup.password_again)}
                        </TextField>
                        <p class="hint">{t!(i18n, setup.password_hint)}</p>
                        <Show when=needs_device_name>
                            <TextField id="setup-device-name" value=device_name required=true autocomplete="off">
                                {t!(i18n, setup.device_name)}
                            </TextField>
                            <p class="hint">{t!(i18n, setup.device_name_hint)}</p>
                        </Show>
                        <Alert message=edit.error />
                        <SubmitButton
                            busy=edit.busy
                            class="btn btn-primary btn-block"
                            label=|i| t_string!(i, setup.submit)
                            working=|i| t_string!(i, setup.submitting)
                        />
                    </form>
                }.into_any(),
            }}
        </LoginFrame>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_default_to_china_and_span_the_world() {
        let zones = time_zone_options();
        assert_eq!(zones.len(), 27);
        assert!(
            zones
                .iter()
                .any(|(v, l)| v == "480" && l.starts_with("UTC+8"))
        );
        assert_eq!(zones[0], ("-720".to_string(), "UTC−12".to_string()));
        assert_eq!(zones[26].0, "840");
    }
}
