//! 售后: the seven-step service process (appointment to follow-up call). One file per workflow will join this module.

pub mod kinds;

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::panel::Panel;

/// `/service`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn ServicePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Panel id="service-title" page=true title=move || t!(i18n, service.title)>
            <p class="muted">{t!(i18n, service.coming)}</p>
        </Panel>
    }
}
