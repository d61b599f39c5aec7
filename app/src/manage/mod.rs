//! 管理: what managers (销售经理, 客服经理, 总经理) do for the store. One file per page; every
//! page sits under [`ManageLayout`] (the management sub-navigation). [`gm_kpi`] is 经营指标 (every
//! KPI of the store, the GM's monthly costs); [`kinds`] the management record types' words.

pub mod audit;
pub mod bin;
pub mod devices;
pub mod gm_kpi;
pub mod kinds;
pub mod staff;

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::i18n::*;
use crate::session::use_session;

/// The frame of every `/manage/*` page: the sub-navigation, then the page.
#[component]
pub fn ManageLayout() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let manages_staff = move || {
        session.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| domain::staff::may_manage_staff(&s.user.roles))
        })
    };
    view! {
        <nav class="sub-nav" aria-label=move || t_string!(i18n, manage_nav.label).to_string()>
            <ul>
                <li>
                    <A href="/manage" exact=true>{t!(i18n, manage_nav.devices)}</A>
                </li>
                <li>
                    <A href="/manage/bin" exact=true>{t!(i18n, manage_nav.bin)}</A>
                </li>
                <li>
                    <A href="/manage/audit" exact=true>{t!(i18n, manage_nav.audit)}</A>
                </li>
                <li>
                    <A href="/manage/kpi" exact=true>{t!(i18n, gm_kpi.nav)}</A>
                </li>
                <Show when=manages_staff>
                    <li>
                        <A href="/manage/staff" exact=true>{t!(i18n, manage_nav.staff)}</A>
                    </li>
                </Show>
            </ul>
        </nav>
        <Outlet />
    }
}
