//! 销售: showroom visits, A-cards, test drives, orders, deliveries. One file per workflow (e.g. `a_card.rs`) will join this module.

use leptos::prelude::*;

use crate::i18n::*;

/// `/sales`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn SalesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="sales-title">
            <h1 id="sales-title">{t!(i18n, sales.title)}</h1>
            <p class="muted">{t!(i18n, sales.coming)}</p>
        </section>
    }
}
