//! 客服: care calls, complaints, surveys. One file per workflow will join this module.

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::panel::Panel;

/// `/care`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn CarePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Panel id="care-title" page=true title=move || t!(i18n, care.title)>
            <p class="muted">{t!(i18n, care.coming)}</p>
        </Panel>
    }
}
