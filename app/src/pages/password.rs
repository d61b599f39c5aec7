//! `/password` (修改密码): the user's own password, old + new (`POST /api/me/password`). The
//! shell shows the same form instead of any page while the user must replace a password
//! someone else set (`must_change_password`). The new password is checked on the device by the
//! server's rules (`domain::staff::check_new_password`) before it is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::i18n::*;
use crate::session::use_session;
use crate::ui::alert::{Alert, Notice};
use crate::ui::button::SubmitButton;
use crate::ui::edit::use_edit;
use crate::ui::error::{NeedsNetwork, UserText};
use crate::ui::field::TextField;
use crate::ui::panel::Panel;

/// `/password`.
#[component]
pub fn PasswordPage() -> impl IntoView {
    view! { <ChangePasswordForm /> }
}

/// The form, with the must-change explanation when the user must change it.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let edit = use_edit();
    let done = RwSignal::new(None::<String>);
    let must_change = move || {
        session
            .session
            .with(|s| s.as_ref().is_some_and(|s| s.user.must_change_password))
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let (old, new_pw) = (current.get_untracked(), new.get_untracked());
        if new_pw != again.get_untracked() {
            edit.fail(t_string!(i18n, password.mismatch).to_string());
            return;
        }
        let username = session
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.username.clone()))
            .unwrap_or_default();
        if let Err(e) = domain::staff::check_new_password(&username, &new_pw) {
            edit.fail(e.user_text(i18n));
            return;
        }
        edit.run(
            async move {
                session
                    .change_password(&old, &new_pw)
                    .await
                    .map_err(|e| NeedsNetwork(e, |i| t_string!(i, password.offline)))
            },
            move |()| {
                current.set(String::new());
                new.set(String::new());
                again.set(String::new());
                done.set(Some(t_string!(i18n, password.done).to_string()));
            },
        );
    };

    view! {
        <Panel id="password-title" class="page-narrow" page=true title=move || t!(i18n, password.title)>
            <Show when=must_change>
                <p class="notice notice-warn" role="status">{t!(i18n, password.must_change)}</p>
            </Show>
            <form class="form" novalidate on:submit=submit>
                <TextField id="password-current" value=current kind="password" autocomplete="current-password" required=true>
                    {t!(i18n, password.current)}
                </TextField>
                <TextField id="password-new" value=new kind="password" autocomplete="new-password" required=true>
                    {t!(i18n, password.new)}
                </TextField>
                <TextField id="password-again" value=again kind="password" autocomplete="new-password" required=true>
                    {t!(i18n, password.again)}
                </TextField>
                <p class="hint">{t!(i18n, password.hint)}</p>
                <Alert message=edit.error />
                <Notice message=done class="notice notice-ok" />
                <SubmitButton
                    busy=edit.busy
                    label=|i| t_string!(i, password.submit)
                    working=|i| t_string!(i, password.submitting)
                />
            </form>
        </Panel>
    }
}
