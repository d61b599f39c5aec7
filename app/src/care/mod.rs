//! 客服: care calls, complaints, surveys. One file per workflow will join this module.

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::panel::coming_soon;

/// `/care`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn CarePage() -> impl IntoView {
    coming_soon("care-title", |i| {
        (t_string!(i, care.title), t_string!(i, care.coming))
    })
}
