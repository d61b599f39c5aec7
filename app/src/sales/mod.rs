//! 销售: showroom visits, A-cards, test drives, orders, deliveries, losses, key accounts, KPIs.
//! One file per workflow; every page sits under [`SalesLayout`] (the sales sub-navigation).

pub mod a_card;
pub mod a_card_page;
pub mod c_card;
pub mod delivery;
pub mod duplicate_read;
pub mod duplicates;
pub mod import;
pub mod key_account;
pub mod kinds;
pub mod kpi;
pub mod loss;
pub mod order;
pub mod past_services;
pub mod reception;
pub mod settings;
pub mod test_drive;
pub mod today;
pub mod words;

use domain::{Area, Role};
use leptos::prelude::*;

use crate::i18n::*;
use crate::session::use_session;
use crate::ui::sub_nav::{NavEntry, SubNav};

/// Whether the signed-in user is a sales manager or the general manager (the people who
/// review losses, merge duplicates, change the store's sales settings and import lists).
pub fn is_sales_manager() -> bool {
    let session = use_session();
    session.session.with(|s| {
        s.as_ref()
            .is_some_and(|s| Role::any_manages(&s.user.roles, Area::Sales))
    })
}

/// The frame of every `/sales/*` page: the sales sub-navigation (`<nav aria-label="销售导航">`;
/// manager-only pages shown to managers only; printed with the page), then the page.
#[component]
pub fn SalesLayout() -> impl IntoView {
    let manager = Memo::new(move |_| is_sales_manager());
    let entries = vec![
        NavEntry::all("/sales", |i| t_string!(i, sales_nav.today).to_string()),
        NavEntry::all("/sales/reception", |i| {
            t_string!(i, sales_nav.reception).to_string()
        }),
        NavEntry::all("/sales/a-cards", |i| {
            t_string!(i, sales_nav.a_cards).to_string()
        }),
        NavEntry::all("/sales/test-drives", |i| {
            t_string!(i, sales_nav.test_drives).to_string()
        }),
        NavEntry::all("/sales/orders", |i| {
            t_string!(i, sales_nav.orders).to_string()
        }),
        NavEntry::all("/sales/losses", |i| {
            t_string!(i, sales_nav.losses).to_string()
        }),
        NavEntry::all("/sales/key-accounts", |i| {
            t_string!(i, sales_nav.key_accounts).to_string()
        }),
        NavEntry::all("/sales/kpi", |i| t_string!(i, sales_nav.kpi).to_string()),
        NavEntry::managers("/sales/duplicates", |i| {
            t_string!(i, sales_nav.duplicates).to_string()
        }),
        NavEntry::managers("/sales/settings", |i| {
            t_string!(i, sales_nav.settings).to_string()
        }),
    ];
    view! {
        <SubNav
            label=|i| t_string!(i, sales_nav.label).to_string()
            entries=entries
            manager=manager
            printed=true
        />
    }
}
