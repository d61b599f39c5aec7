//! `/manage`: the store's devices (`GET /api/devices`), each with 停用 (revoke) after a
//! confirmation. The list lives on the server only, so offline the page says so and offers
//! to retry.

use leptos::prelude::*;
use serde::Deserialize;

use crate::api::ApiError;
use crate::i18n::*;
use crate::session::use_session;
use crate::ui::dialog::Dialog;
use crate::ui::panel::Panel;
use crate::ui::table::{Column, Columns, DataTable};

/// One row of `GET /api/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub last_seen_at: Option<String>,
    #[serde(default)]
    pub revoked: bool,
}

/// What the page shows instead of, or above, the list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Offline,
    Forbidden,
    Failed(String),
}

impl Problem {
    fn from_error(e: &ApiError, i18n: I18nContext<Locale>) -> Problem {
        match e {
            ApiError::Network => Problem::Offline,
            ApiError::Server { status: 403, .. } => Problem::Forbidden,
            ApiError::Server { message, code, .. } => Problem::Failed(if message.is_empty() {
                code.clone()
            } else {
                message.clone()
            }),
            ApiError::Unexpected(_) => {
                Problem::Failed(t_string!(i18n, errors.unexpected).to_string())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Ready(Vec<DeviceRow>),
    Problem(Problem),
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let state = RwSignal::new(Load::Loading);
    // The device whose 停用 was pressed and awaits confirmation.
    let confirming = RwSignal::new(None::<DeviceRow>);
    let revoking = RwSignal::new(false);
    // The outcome of the last revoke: Ok(name) or the problem.
    let outcome = RwSignal::new(None::<Result<String, Problem>>);

    let load = move || {
        leptos::task::spawn_local(async move {
            let result = session.get::<Vec<DeviceRow>>("/api/devices").await;
            state.set(match result {
                Ok(mut rows) => {
                    // Active devices first, then the most recently seen.
                    rows.sort_by(|a, b| {
                        a.revoked
                            .cmp(&b.revoked)
                            .then_with(|| b.last_seen_at.cmp(&a.last_seen_at))
                    });
                    Load::Ready(rows)
                }
                Err(e) => Load::Problem(Problem::from_error(&e, i18n)),
            });
        });
    };
    load();

    let reload = move |_| {
        outcome.set(None);
        state.set(Load::Loading);
        load();
    };

    let revoke = move |device: DeviceRow| {
        revoking.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/api/devices/{}/revoke", device.id);
            let result = session.post_empty(&path).await;
            revoking.set(false);
            confirming.set(None);
            match result {
                Ok(()) => {
                    outcome.set(Some(Ok(device.name.clone())));
                    load();
                }
                Err(e) => outcome.set(Some(Err(Problem::from_error(&e, i18n)))),
            }
        });
    };

    let this_device = session.device_id.get_value();

    view! {
        <Panel id="devices-title" page=true title=move || t!(i18n, devices.title) actions=move || view! {
            <button type="button" class="btn btn-secondary" on:click=reload>
                {t!(i18n, devices.refresh)}
            </button>
        }>
            <p class="muted">{t!(i18n, devices.intro)}</p>

            {move || {
                outcome
                    .get()
                    .map(|o| match o {
                        Ok(name) => {
                            view! {
                                <p class="notice notice-ok" role="status">
                                    {t!(i18n, devices.revoked_done, name = name)}
                                </p>
                            }
                                .into_any()
                        }
                        Err(problem) => {
                            view! {
                                <p class="alert" role="alert">
                                    {revoke_problem_view(problem, i18n)}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}

            {move || match state.get() {
                Load::Loading => {
                    view! {
                        <p class="muted" role="status">
                            {t!(i18n, devices.loading)}
                        </p>
                    }
                        .into_any()
                }
                Load::Problem(problem) => {
                    let offline = problem == Problem::Offline;
                    view! {
                        <div class=if offline { "notice notice-warn" } else { "alert" }>
                            <p role="alert">{load_problem_view(problem, i18n)}</p>
                            {offline
                                .then(|| {
                                    view! {
                                        <button type="button" class="btn btn-secondary" on:click=reload>
                                            {t!(i18n, devices.retry)}
                                        </button>
                                    }
                                })}
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(rows) if rows.is_empty() => {
                    view! { <p class="muted">{t!(i18n, devices.empty)}</p> }.into_any()
                }
                Load::Ready(rows) => {
                    view! {
                        <DataTable
                            columns=device_columns(this_device.clone(), confirming)
                            rows=Signal::stored(rows)
                            class="devices"
                            row_class=|d: &DeviceRow| d.revoked.then_some("revoked")
                        />
                    }
                        .into_any()
                }
            }}
        </Panel>

        {move || {
            confirming
                .get()
                .map(|device| {
                    let is_this = device.id == session.device_id.get_value();
                    let name = device.name.clone();
                    view! {
                        <ConfirmRevoke
                            name=name
                            is_this=is_this
                            busy=revoking
                            on_confirm=move || revoke(device.clone())
                            on_cancel=move || confirming.set(None)
                        />
                    }
                })
        }}
    }
}

fn load_problem_view(problem: Problem, i18n: I18nContext<Locale>) -> AnyView {
    match problem {
        Problem::Offline => t!(i18n, devices.offline).into_any(),
        Problem::Forbidden => t!(i18n, devices.forbidden).into_any(),
        Problem::Failed(message) => t!(i18n, devices.failed, message = message).into_any(),
    }
}

fn revoke_problem_view(problem: Problem, i18n: I18nContext<Locale>) -> AnyView {
    match problem {
        Problem::Offline => t!(i18n, devices.offline_revoke).into_any(),
        other => load_problem_view(other, i18n),
    }
}

/// The list's columns: each cell but the 停用 button carries its heading for narrow screens.
fn device_columns(
    this_device: String,
    confirming: RwSignal<Option<DeviceRow>>,
) -> Columns<DeviceRow> {
    let i18n = use_i18n();
    let time = |at: fn(&DeviceRow) -> &Option<String>| {
        move |d: &DeviceRow| {
            let at = at(d).clone();
            (move || when(at.as_deref(), i18n)).into_any()
        }
    };
    Columns::new(vec![
        Column::view_only(
            |i18n| t_string!(i18n, devices.name),
            move |d: &DeviceRow| {
                let badge = (d.id == this_device).then(|| {
                    view! { <span class="badge badge-info">{t!(i18n, devices.this_device)}</span> }
                });
                view! {
                    {d.name.clone()}
                    {badge}
                }
                .into_any()
            },
        )
        .row_header()
        .data_label(),
        Column::text(|i18n| t_string!(i18n, devices.user).to_string(), user_of).data_label(),
        Column::view_only(
            |i18n| t_string!(i18n, devices.created),
            time(|d| &d.created_at),
        )
        .data_label(),
        Column::view_only(
            |i18n| t_string!(i18n, devices.last_seen),
            time(|d| &d.last_seen_at),
        )
        .data_label(),
        Column::view_only(
            |i18n| t_string!(i18n, devices.status),
            move |d: &DeviceRow| {
                if d.revoked {
                    view! { <span class="badge badge-muted">{t!(i18n, devices.revoked)}</span> }
                        .into_any()
                } else {
                    view! { <span class="badge badge-ok">{t!(i18n, devices.active)}</span> }
                        .into_any()
                }
            },
        )
        .data_label(),
        Column::view_only(
            |i18n| t_string!(i18n, devices.actions),
            move |d: &DeviceRow| {
                let device = d.clone();
                (!d.revoked)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-danger-outline"
                                on:click=move |_| confirming.set(Some(device.clone()))
                            >
                                {t!(i18n, devices.revoke)}
                            </button>
                        }
                    })
                    .into_any()
            },
        )
        .class("actions"),
    ])
}

/// Who uses a device: `name (username)`, or whichever of the two it has.
fn user_of(device: &DeviceRow) -> String {
    if device.display_name.is_empty() {
        device.username.clone()
    } else if device.username.is_empty() {
        device.display_name.clone()
    } else {
        format!("{} ({})", device.display_name, device.username)
    }
}

/// "确定停用设备“…”吗？" with 确认停用 / 取消, as a modal dialog.
#[component]
fn ConfirmRevoke(
    name: String,
    is_this: bool,
    busy: RwSignal<bool>,
    on_confirm: impl Fn() + Send + Sync + 'static,
    on_cancel: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    // Focus the safe choice when the dialog opens.
    Effect::new(move || {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    let cancel_key = on_cancel.clone();
    let cancel_click = on_cancel;
    view! {
        <Dialog
            id="revoke-question"
            title=move || t!(i18n, devices.confirm_question, name = name.clone())
            alert=true
            described_by="revoke-detail"
            on_close=cancel_key
        >
            <p id="revoke-detail">
                {t!(i18n, devices.confirm_detail)}
                {is_this
                    .then(|| {
                        view! {
                            " "
                            <strong>{t!(i18n, devices.confirm_self)}</strong>
                        }
                    })}
            </p>
            <div class="dialog-actions">
                <button
                    type="button"
                    class="btn btn-secondary"
                    node_ref=cancel_ref
                    on:click=move |_| cancel_click()
                >
                    {t!(i18n, devices.cancel)}
                </button>
                <button
                    type="button"
                    class="btn btn-danger"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm()
                >
                    {move || {
                        if busy.get() {
                            t_string!(i18n, devices.revoking)
                        } else {
                            t_string!(i18n, devices.confirm)
                        }
                    }}
                </button>
            </div>
        </Dialog>
    }
}

/// A server timestamp in the user's language and time zone, or 从未 / Never.
fn when(timestamp: Option<&str>, i18n: I18nContext<Locale>) -> String {
    let locale = i18n.get_locale();
    let Some(ts) = timestamp.filter(|t| !t.is_empty()) else {
        return t_string!(i18n, devices.never).to_string();
    };
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(ts));
    if date.get_time().is_nan() {
        return ts.to_string();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(locale.as_str(), &options).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_rows_are_read() {
        let json = r#"[{"id": "0193a", "name": "展厅平板1", "user_id": "u1", "username": "consultant",
            "display_name": "王芳", "created_at": "2026-11-23T09:00:00Z", "last_seen_at": null,
            "revoked": false}]"#;
        let rows: Vec<DeviceRow> = serde_json::from_str(json).unwrap();
        assert_eq!(rows[0].name, "展厅平板1");
        assert_eq!(rows[0].last_seen_at, None);
        assert!(!rows[0].revoked);
    }
}
