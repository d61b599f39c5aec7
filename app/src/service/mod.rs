//! 售后: the seven-step service process (appointment to follow-up call). One file per workflow will join this module.

pub mod kinds;

use leptos::prelude::*;

use crate::i18n::*;

/// `/service`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn ServicePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="service-title">
            <h1 id="service-title">{t!(i18n, service.title)}</h1>
            <p class="muted">{t!(i18n, service.coming)}</p>
        </section>
    }
}
