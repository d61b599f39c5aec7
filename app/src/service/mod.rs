//! 售后: the seven-step service process (appointment to follow-up call). One file per workflow will join this module.

pub mod kinds;

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::panel::coming_soon;

/// `/service`: the area's start page. The workflows are not built yet; the page says so.
#[component]
pub fn ServicePage() -> impl IntoView {
    coming_soon("service-title", |i| {
        (t_string!(i, service.title), t_string!(i, service.coming))
    })
}
