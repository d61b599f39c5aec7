//! 销售: showroom visits, A-cards, test drives, orders, deliveries. One file per workflow.

pub mod a_card;
pub mod a_card_page;

use leptos::prelude::*;

/// `/sales`: the area's start page, the A-card list for now.
#[component]
pub fn SalesPage() -> impl IntoView {
    view! { <a_card::ACardList /> }
}
