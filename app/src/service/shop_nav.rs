//! The workshop's sub-navigation (派工 · 我的作业 · 质检), above each workshop page and on the
//! service start page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;

/// `<nav aria-label="车间导航">` with the three workshop pages.
#[component]
pub fn ShopNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="sub-nav" aria-label=move || t_string!(i18n, svc_shop.nav.label).to_string()>
            <ul>
                <li><A href="/service/dispatch" exact=true>{t!(i18n, svc_shop.nav.dispatch)}</A></li>
                <li><A href="/service/jobs" exact=true>{t!(i18n, svc_shop.nav.jobs)}</A></li>
                <li><A href="/service/qc" exact=true>{t!(i18n, svc_shop.nav.qc)}</A></li>
            </ul>
        </nav>
    }
}
