//! The top bar: the store (with 演示数据 on the demo store), who is logged in, the language
//! switch, 修改密码 and 退出登录.
//! The sync status indicator sits before the user.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::language_switch::LanguageSwitch;
use crate::components::sync_status::SyncStatus;
use crate::i18n::*;
use crate::session::use_session;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
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
    let logging_out = RwSignal::new(false);
    let logout = move |_| {
        logging_out.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            session.logout().await;
            navigate("/login", Default::default());
        });
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
        </header>
    }
}
