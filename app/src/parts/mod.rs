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
use leptos_router::components::{A, Outlet};

use crate::i18n::*;

/// One entry of the parts sub-navigation: the path and its words.
type NavEntry = (&'static str, fn(I18nContext<Locale>) -> String);

/// The frame of every `/parts/*` page: the sub-navigation, then the page.
#[component]
pub fn PartsLayout() -> impl IntoView {
    let i18n = use_i18n();
    let entries: [NavEntry; 6] = [
        ("/parts", |i| t_string!(i, parts.nav.stock).to_string()),
        ("/parts/receive", |i| {
            t_string!(i, parts.nav.receive).to_string()
        }),
        ("/parts/issue", |i| {
            t_string!(i, parts.nav.issue).to_string()
        }),
        ("/parts/reserve", |i| {
            t_string!(i, parts.nav.reserve).to_string()
        }),
        ("/parts/orders", |i| {
            t_string!(i, parts.nav.orders).to_string()
        }),
        ("/parts/unfitted", |i| {
            t_string!(i, parts.nav.unfitted).to_string()
        }),
    ];
    view! {
        <nav class="sub-nav no-print" aria-label=move || t_string!(i18n, parts.nav.label).to_string()>
            <ul>
                {entries
                    .iter()
                    .map(|(href, label)| {
                        let label = *label;
                        view! {
                            <li>
                                <A href=*href exact=true>{move || label(i18n)}</A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <Outlet />
    }
}
