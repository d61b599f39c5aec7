//! `/manage/staff` (员工): the general manager's list of the store's people (`GET /api/users`),
//! with 添加员工 (`POST /api/users`), 重置密码 (`POST /api/users/{id}/password`) and 停用
//! (`POST /api/users/{id}/deactivate`).
//!
//! 停用 first offers the hand-over (防止人走客户走): the open A-cards, key accounts and open
//! care tasks of the leaver on this device (`domain::sales::handover::handover_count`) go to
//! the chosen colleague in one plan (`handover_plan`, executed with `sync.execute` like any
//! edit: offline it waits in the outbox), then the account is deactivated on the server.

use domain::Role;
use domain::sales::handover::{HandoverCount, Person, handover_count, handover_plan};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::ApiError;
use crate::clock::{now_local, store_clock};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::{EditError, use_sync};
use crate::ui::alert::{Alert, Notice};
use crate::ui::button::SubmitButton;
use crate::ui::dialog::Dialog;
use crate::ui::edit::use_edit;
use crate::ui::error::UserText;
use crate::ui::field::{Select, TextField};
use crate::ui::panel::Panel;

/// One row of `GET /api/users`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StaffRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// The roles this app knows (a newer server's are left out).
    #[serde(deserialize_with = "known_roles")]
    pub roles: Vec<Role>,
    pub active: bool,
    #[serde(default)]
    pub must_change_password: bool,
}

fn known_roles<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Role>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    Ok(names.iter().filter_map(|n| Role::parse(n)).collect())
}

/// A translation with `%name%` placeholders filled in.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |t, (k, v)| {
        t.replace(&format!("%{k}%"), v)
    })
}

/// The colleagues who may take over `leaver`'s customers: active people other than the leaver.
pub fn takeover_candidates(rows: &[StaffRow], leaver: Uuid) -> Vec<&StaffRow> {
    rows.iter().filter(|r| r.active && r.id != leaver).collect()
}

/// What the page could not do: a request (offline, refused) or the hand-over's edit.
enum StaffFailed {
    Api(ApiError),
    Edit(EditError),
}

impl UserText for StaffFailed {
    fn user_text(&self, i18n: I18nContext<Locale>) -> String {
        match self {
            StaffFailed::Api(e) => e.user_text(i18n),
            StaffFailed::Edit(e) => e.user_text(i18n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Ready(Vec<StaffRow>),
    Failed(ApiErrorKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ApiErrorKind {
    Offline,
    Forbidden,
    Other(String),
}

/// A dialog over the list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StaffDialog {
    Reset(StaffRow),
    Deactivate(StaffRow),
}

/// `/manage/staff`.
#[component]
pub fn StaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let state = RwSignal::new(Load::Loading);
    let dialog = RwSignal::new(None::<StaffDialog>);
    let done = RwSignal::new(None::<String>);
    let me = session
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))
        .unwrap_or_default();

    let load = move || {
        leptos::task::spawn_local(async move {
            state.set(match session.get::<Vec<StaffRow>>("/api/users").await {
                Ok(rows) => Load::Ready(rows),
                Err(ApiError::Network) => Load::Failed(ApiErrorKind::Offline),
                Err(ApiError::Server { status: 403, .. }) => Load::Failed(ApiErrorKind::Forbidden),
                Err(e) => Load::Failed(ApiErrorKind::Other(e.user_text(i18n))),
            });
        });
    };
    load();
    let rows = Memo::new(move |_| match state.get() {
        Load::Ready(rows) => rows,
        _ => Vec::new(),
    });

    view! {
        <Panel id="staff-title" page=true title=move || t!(i18n, staff.title) actions=move || view! {
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                done.set(None);
                load();
            }>
                {t!(i18n, staff.refresh)}
            </button>
        }>
            <p class="muted">{t!(i18n, staff.intro)}</p>
            <Notice message=done class="notice notice-ok" />
            {move || match state.get() {
                Load::Loading => view! { <p class="muted" role="status">{t!(i18n, staff.loading)}</p> }.into_any(),
                Load::Failed(ApiErrorKind::Offline) => view! { <p class="notice notice-warn" role="status">{t!(i18n, staff.offline)}</p> }.into_any(),
                Load::Failed(ApiErrorKind::Forbidden) => view! { <p class="alert" role="alert">{t!(i18n, staff.forbidden)}</p> }.into_any(),
                Load::Failed(ApiErrorKind::Other(text)) => view! { <p class="alert" role="alert">{text}</p> }.into_any(),
                Load::Ready(list) => {
                    let me = me.clone();
                    view! {
                        <table class="table staff">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, staff.name)}</th>
                                    <th scope="col">{t!(i18n, staff.username)}</th>
                                    <th scope="col">{t!(i18n, staff.roles)}</th>
                                    <th scope="col">{t!(i18n, staff.status)}</th>
                                    <th scope="col">{t!(i18n, staff.actions)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|row| {
                                        let is_me = row.id.to_string() == me;
                                        view! { <StaffRowView row=row is_me=is_me dialog=dialog /> }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                }
            }}
        </Panel>
        <AddStaff on_added=move |name: String| {
            done.set(Some(fill(t_string!(i18n, staff.added), &[("name", name)])));
            load();
        } />
        {move || {
            dialog
                .get()
                .map(|d| {
                    let close = move || dialog.set(None);
                    let finished = move |message: String| {
                        dialog.set(None);
                        done.set(Some(message));
                        load();
                    };
                    match d {
                        StaffDialog::Reset(row) => view! { <ResetDialog row=row on_close=close on_done=finished /> }.into_any(),
                        StaffDialog::Deactivate(row) => view! {
                            <DeactivateDialog row=row rows=rows on_close=close on_done=finished />
                        }
                        .into_any(),
                    }
                })
        }}
    }
}

#[component]
fn StaffRowView(
    row: StaffRow,
    is_me: bool,
    dialog: RwSignal<Option<StaffDialog>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let roles = row
        .roles
        .iter()
        .map(|r| role_name(i18n, *r))
        .collect::<Vec<_>>()
        .join(" · ");
    let (reset_row, deactivate_row) = (row.clone(), row.clone());
    view! {
        <tr data-username=row.username.clone()>
            <td>
                {row.display_name.clone()}
                {is_me.then(|| view! { " " <span class="badge badge-info">{t!(i18n, staff.you)}</span> })}
            </td>
            <td>{row.username.clone()}</td>
            <td>{roles}</td>
            <td>
                {if row.active {
                    view! { <span class="badge badge-ok">{t!(i18n, staff.active)}</span> }.into_any()
                } else {
                    view! { <span class="badge badge-muted">{t!(i18n, staff.inactive)}</span> }.into_any()
                }}
                {(row.active && row.must_change_password)
                    .then(|| view! { " " <span class="badge badge-warn">{t!(i18n, staff.must_change)}</span> })}
            </td>
            <td class="actions">
                {(row.active && !is_me)
                    .then(|| {
                        let (reset_row, deactivate_row) = (reset_row.clone(), deactivate_row.clone());
                        view! {
                            <button type="button" class="btn btn-secondary" on:click=move |_| dialog.set(Some(StaffDialog::Reset(reset_row.clone())))>
                                {t!(i18n, staff.reset)}
                            </button>
                            " "
                            <button type="button" class="btn btn-danger-outline" on:click=move |_| dialog.set(Some(StaffDialog::Deactivate(deactivate_row.clone())))>
                                {t!(i18n, staff.deactivate)}
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}

#[derive(serde::Serialize)]
struct NewUser<'a> {
    username: &'a str,
    display_name: &'a str,
    roles: [Role; 1],
    password: &'a str,
}

/// 添加员工.
#[component]
fn AddStaff(on_added: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::SalesConsultant.as_str().to_string());
    let password = RwSignal::new(String::new());
    let edit = use_edit();
    let role_options = Signal::derive(move || {
        Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), role_name(i18n, *r)))
            .collect::<Vec<_>>()
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (user, name, pw) = (
            username.get_untracked().trim().to_string(),
            display_name.get_untracked().trim().to_string(),
            password.get_untracked(),
        );
        let Some(role) = Role::parse(&role.get_untracked()) else {
            return;
        };
        let invalid = domain::staff::check_username(&user)
            .map_err(|e| e.user_text(i18n))
            .and_then(|()| domain::staff::check_display_name(&name).map_err(|e| e.user_text(i18n)))
            .and_then(|()| {
                domain::staff::check_new_password(&user, &pw).map_err(|e| e.user_text(i18n))
            });
        if let Err(text) = invalid {
            edit.fail(text);
            return;
        }
        edit.run(
            async move {
                let body = NewUser {
                    username: &user,
                    display_name: &name,
                    roles: [role],
                    password: &pw,
                };
                session
                    .post::<_, StaffRow>("/api/users", &body)
                    .await
                    .map_err(StaffFailed::Api)
            },
            move |row| {
                username.set(String::new());
                display_name.set(String::new());
                password.set(String::new());
                on_added(row.display_name);
            },
        );
    };
    view! {
        <Panel id="staff-add-title" title=move || t!(i18n, staff.add_title)>
            <form class="form form-grid" novalidate on:submit=submit>
                <TextField id="staff-username" value=username required=true autocomplete="off">
                    {t!(i18n, staff.username)}
                </TextField>
                <TextField id="staff-display-name" value=display_name required=true autocomplete="off">
                    {t!(i18n, staff.name)}
                </TextField>
                <Select id="staff-role" value=role options=role_options>
                    {t!(i18n, staff.role)}
                </Select>
                <TextField id="staff-password" value=password kind="password" required=true autocomplete="new-password">
                    {t!(i18n, staff.first_password)}
                </TextField>
                <p class="hint">{t!(i18n, staff.first_password_hint)} " " {t!(i18n, password.hint)}</p>
                <Alert message=edit.error />
                <SubmitButton busy=edit.busy label=|i| t_string!(i, staff.add) working=|i| t_string!(i, staff.adding) />
            </form>
        </Panel>
    }
}

/// 重置密码: a new password the person must replace at the next login.
#[component]
fn ResetDialog(
    row: StaffRow,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let password = RwSignal::new(String::new());
    let edit = use_edit();
    let name = row.display_name.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        if let Err(e) = domain::staff::check_new_password(&row.username, &pw) {
            edit.fail(e.user_text(i18n));
            return;
        }
        let (id, name) = (row.id, row.display_name.clone());
        edit.run(
            async move {
                session
                    .post_json_empty(
                        &format!("/api/users/{id}/password"),
                        &serde_json::json!({"password": pw}),
                    )
                    .await
                    .map_err(StaffFailed::Api)
            },
            move |()| on_done(fill(t_string!(i18n, staff.reset_done), &[("name", name)])),
        );
    };
    view! {
        <Dialog id="reset-title" title=move || t!(i18n, staff.reset_title, name = name.clone()) on_close=on_close>
            <p>{t!(i18n, staff.reset_detail)}</p>
            <form class="form" novalidate on:submit=submit>
                <TextField id="reset-password" value=password kind="password" required=true autocomplete="new-password">
                    {t!(i18n, staff.new_password)}
                </TextField>
                <Alert message=edit.error />
                <div class="dialog-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close()>
                        {t!(i18n, staff.cancel)}
                    </button>
                    <SubmitButton
                        busy=edit.busy
                        label=|i| t_string!(i, staff.reset_confirm)
                        working=|i| t_string!(i, staff.working)
                    />
                </div>
            </form>
        </Dialog>
    }
}

/// 停用, with the hand-over of the leaver's open customers to a chosen colleague.
#[component]
fn DeactivateDialog(
    row: StaffRow,
    #[prop(into)] rows: Signal<Vec<StaffRow>>,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let edit = use_edit();
    let to = RwSignal::new(String::new());
    let leaver = row.id;
    // What the leaver owns: A-cards and care tasks through `by_owner`, key accounts held whole.
    let leaver_id = leaver.to_string();
    let cards = sync.read({
        let id = leaver_id.clone();
        move || Some(crate::sync::Query::owned("a_card", &id))
    });
    let tasks = sync.read(move || Some(crate::sync::Query::owned("care_task", &leaver_id)));
    let owned = Memo::new(move |_| {
        let mut all = cards.records.get();
        all.extend(tasks.records.get());
        all.extend(sync.records("key_account"));
        all
    });
    let count = Memo::new(move |_| owned.with(|all| handover_count(leaver, all, store_clock())));
    let options = Signal::derive(move || {
        rows.with(|rows| {
            takeover_candidates(rows, leaver)
                .into_iter()
                .map(|r| {
                    (
                        r.id.to_string(),
                        format!("{} ({})", r.display_name, r.username),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    let name = row.display_name.clone();
    let confirm = move |_| {
        let n: HandoverCount = count.get_untracked();
        let taker = rows.with_untracked(|rows| {
            rows.iter()
                .find(|r| r.id.to_string() == to.get_untracked())
                .cloned()
        });
        if n.total() > 0 && taker.is_none() {
            edit.fail(t_string!(i18n, staff.handover_choose).to_string());
            return;
        }
        let leaver = Person {
            id: row.id,
            name: row.display_name.clone(),
        };
        let leaver_name = leaver.name.clone();
        edit.run(
            async move {
                let mut handed = None;
                if let Some(taker) = taker.filter(|_| n.total() > 0) {
                    let to = Person {
                        id: taker.id,
                        name: taker.display_name.clone(),
                    };
                    let plan = handover_plan(
                        &leaver,
                        &to,
                        &owned.get_untracked(),
                        now_local(),
                        store_clock(),
                    );
                    sync.execute(&plan).await.map_err(StaffFailed::Edit)?;
                    handed = Some((plan.writes.len(), to.name));
                }
                session
                    .post_empty(&format!("/api/users/{}/deactivate", leaver.id))
                    .await
                    .map_err(StaffFailed::Api)?;
                Ok::<_, StaffFailed>(handed)
            },
            move |handed| {
                let mut message = fill(
                    t_string!(i18n, staff.deactivated_done),
                    &[("name", leaver_name)],
                );
                if let Some((count, to)) = handed {
                    message.push(' ');
                    message.push_str(&fill(
                        t_string!(i18n, staff.handed_over),
                        &[("count", count.to_string()), ("name", to)],
                    ));
                }
                on_done(message);
            },
        );
    };
    view! {
        <Dialog id="deactivate-title" title=move || t!(i18n, staff.deactivate_title, name = name.clone()) alert=true on_close=on_close>
            <p>{t!(i18n, staff.deactivate_detail)}</p>
            {move || {
                let n = count.get();
                if n.total() == 0 {
                    view! { <p class="muted handover-count">{t!(i18n, staff.handover_none)}</p> }.into_any()
                } else {
                    view! {
                        <p class="handover-count">
                            {t!(i18n, staff.handover_count, a_cards = n.a_cards, key_accounts = n.key_accounts, care_tasks = n.care_tasks)}
                        </p>
                        <Select id="handover-to" value=to options=options blank=Signal::derive(move || t_string!(i18n, staff.handover_choose).to_string())>
                            {t!(i18n, staff.handover_to)}
                        </Select>
                        <p class="hint">{t!(i18n, staff.handover_hint)}</p>
                    }
                    .into_any()
                }
            }}
            <Alert message=edit.error />
            <div class="dialog-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close()>
                    {t!(i18n, staff.cancel)}
                </button>
                <button type="button" class="btn btn-danger" disabled=move || edit.busy.get() on:click=confirm>
                    {move || {
                        if edit.busy.get() {
                            t_string!(i18n, staff.working)
                        } else if count.get().total() > 0 {
                            t_string!(i18n, staff.deactivate_confirm)
                        } else {
                            t_string!(i18n, staff.deactivate_only)
                        }
                    }}
                </button>
            </div>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_and_only_active_colleagues_take_over() {
        let json = r#"[
            {"id": "00000000-0000-0000-0000-000000000001", "username": "boss", "display_name": "周总",
             "roles": ["general_manager"], "active": true, "deactivated_at": null,
             "must_change_password": false, "created_at": "2026-12-06T09:00:00Z"},
            {"id": "00000000-0000-0000-0000-000000000002", "username": "wangfang", "display_name": "王芳",
             "roles": ["sales_consultant", "astronaut"], "active": true, "must_change_password": true},
            {"id": "00000000-0000-0000-0000-000000000003", "username": "old", "display_name": "老张",
             "roles": ["sales_manager"], "active": false}
        ]"#;
        let rows: Vec<StaffRow> = serde_json::from_str(json).unwrap();
        assert_eq!(rows[1].roles, vec![Role::SalesConsultant]);
        assert!(rows[1].must_change_password);
        let takers: Vec<&str> = takeover_candidates(&rows, rows[1].id)
            .iter()
            .map(|r| r.username.as_str())
            .collect();
        assert_eq!(takers, ["boss"], "not the leaver, not the deactivated");
    }
}
