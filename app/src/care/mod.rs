//! 客服: care calls, complaints, surveys. One file per workflow will join this module.

use leptos::prelude::*;

use crate::i18n::*;

/// `/care`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn CarePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="care-title">
            <h1 id="care-title">{t!(i18n, care.title)}</h1>
            <p class="muted">{t!(i18n, care.coming)}</p>
        </section>
    }
}
