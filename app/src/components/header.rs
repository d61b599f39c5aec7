//! The top bar: the store (with 演示数据 on the demo store), who is logged in, the language
//! switch, 修改密码 and 退出登录. Logging out with own changes not yet uploaded asks first
//! (they stay on the device and go when the user logs in on it again).
//! The search (手机号、姓名、车牌、VIN) and the sync status indicator sit before the user.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::language_switch::LanguageSwitch;
use crate::components::search::HeaderSearch;
use crate::components::sync_status::SyncStatus;
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::use_sync;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let navigate = use_navigate();
    let user = move || session.session.with(|s| s.as_ref().map(|s| s.user.clone()));
    let store_name = move || user().map(|u| u.store_name).unwrap_or_default();
    let display_name = move || user().map(|u| u.display_name).unwrap_or_default();
    let demo = move || user().is_some_and(|u| u.in_demo_store());
    let roles = move || {
        user()
            .map(|u| {
                u.roles
                    .iter()
                    .map(|r| role_name(i18n, *r))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    };
    // The search finds A-cards and C-cards: shown to those who may read them.
    let searches = move || {
        user().is_some_and(|u| {
            domain::records::index::SEARCHED
                .iter()
                .any(|t| domain::records::may_read(&u.roles, t))
        })
    };
    let logging_out = RwSignal::new(false);
    // Own changes wait: the warning is shown, and logging out is confirmed there.
    let warning = RwSignal::new(false);
    let log_out_now = StoredValue::new_local(move || {
        warning.set(false);
        logging_out.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            session.logout().await;
            navigate("/login", Default::default());
        });
    });
    let logout = move |_| {
        if sync.pending.get_untracked() > 0 {
            warning.set(true);
        } else {
            log_out_now.with_value(|go| go());
        }
    };

    view! {
        <header class="app-header">
            <div class="brand">
                <img class="brand-mark" src="/icons/icon-192.png" alt="" width="32" height="32" />
                <span class="brand-name">{t!(i18n, brand)}</span>
                <span class="store-name">{store_name}</span>
                <Show when=demo>
                    <span
                        class="badge badge-warn demo-marker"
                        title=move || t_string!(i18n, header.demo_hint).to_string()
                    >
                        {t!(i18n, header.demo)}
                    </span>
                </Show>
            </div>
            <div class="header-tools">
                <Show when=searches>
                    <HeaderSearch />
                </Show>
                <SyncStatus />
                <div class="user">
                    <span class="user-name">{display_name}</span>
                    <span class="user-roles">
                        <span class="visually-hidden">{t!(i18n, header.user_roles)} ": "</span>
                        {roles}
                    </span>
                </div>
                <LanguageSwitch />
                <A href="/password" attr:class="btn btn-secondary header-password">
                    {t!(i18n, header.password)}
                </A>
                <button
                    type="button"
                    class="btn btn-secondary"
                    on:click=logout
                    disabled=move || logging_out.get()
                >
                    {t!(i18n, header.logout)}
                </button>
            </div>
            <Show when=move || warning.get()>
                <div
                    class="notice notice-warn logout-warning"
                    role="alertdialog"
                    aria-labelledby="logout-warning-text"
                >
                    <p id="logout-warning-text">
                        {move || {
                            let n = sync.pending.get();
                            t!(i18n, header.logout_unsynced, n = n)
                        }}
                    </p>
                    <div class="actions">
                        <button
                            type="button"
                            class="btn btn-danger"
                            on:click=move |_| log_out_now.with_value(|go| go())
                        >
                            {t!(i18n, header.logout_anyway)}
                        </button>
                        <button
                            type="button"
                            class="btn btn-secondary"
                            on:click=move |_| warning.set(false)
                        >
                            {t!(i18n, header.logout_cancel)}
                        </button>
                    </div>
                </div>
            </Show>
        </header>
    }
}
