//! 零件: the parts clerk's desk (issue 16) on the parts records of `domain::records::parts`:
//! the stock list ([`stock`]), receiving a delivery ([`receive`]), issuing to a repair-order
//! line and returns ([`issue`]), reservations for tomorrow's appointments ([`reserve`]),
//! emergency orders and the wall of shame ([`orders`]); reads in [`data`]; what the advisor's
//! board shows of it in [`board`]. Every page sits under [`PartsLayout`] (the parts
//! sub-navigation); the pages are the lazy group `parts`.

pub mod board;
pub mod data;
pub mod issue;
pub mod kinds;
pub mod orders;
pub mod receive;
pub mod reserve;
pub mod stock;

use leptos::prelude::*;

use crate::i18n::*;
use crate::ui::sub_nav::{NavEntry, SubNav};

/// The frame of every `/parts/*` page: the sub-navigation, then the page.
#[component]
pub fn PartsLayout() -> impl IntoView {
    let entries = vec![
        NavEntry::all("/parts", |i| t_string!(i, parts.nav.stock).to_string()),
        NavEntry::all("/parts/receive", |i| {
            t_string!(i, parts.nav.receive).to_string()
        }),
        NavEntry::all("/parts/issue", |i| {
            t_string!(i, parts.nav.issue).to_string()
        }),
        NavEntry::all("/parts/reserve", |i| {
            t_string!(i, parts.nav.reserve).to_string()
        }),
        NavEntry::all("/parts/orders", |i| {
            t_string!(i, parts.nav.orders).to_string()
        }),
        NavEntry::all("/parts/unfitted", |i| {
            t_string!(i, parts.nav.unfitted).to_string()
        }),
    ];
    view! {
        <SubNav
            label=|i| t_string!(i, parts.nav.label).to_string()
            entries=entries
            manager=true
        />
    }
}
