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
use leptos_router::components::{A, Outlet};

use crate::i18n::*;
use crate::session::use_session;

/// Whether the signed-in user is a sales manager or the general manager (the people who
/// review losses, merge duplicates, change the store's sales settings and import lists).
pub fn is_sales_manager() -> bool {
    let session = use_session();
    session.session.with(|s| {
        s.as_ref()
            .is_some_and(|s| Role::any_manages(&s.user.roles, Area::Sales))
    })
}

/// The frame of every `/sales/*` page: the sub-navigation, then the page.
#[component]
pub fn SalesLayout() -> impl IntoView {
    view! {
        <SalesNav />
        <Outlet />
    }
}

/// One entry of the sales sub-navigation.
struct Entry {
    href: &'static str,
    label: fn(I18nContext<Locale>) -> String,
    managers_only: bool,
}

const ENTRIES: &[Entry] = &[
    Entry {
        href: "/sales",
        label: |i| t_string!(i, sales_nav.today).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/reception",
        label: |i| t_string!(i, sales_nav.reception).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/a-cards",
        label: |i| t_string!(i, sales_nav.a_cards).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/test-drives",
        label: |i| t_string!(i, sales_nav.test_drives).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/orders",
        label: |i| t_string!(i, sales_nav.orders).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/losses",
        label: |i| t_string!(i, sales_nav.losses).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/key-accounts",
        label: |i| t_string!(i, sales_nav.key_accounts).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/kpi",
        label: |i| t_string!(i, sales_nav.kpi).to_string(),
        managers_only: false,
    },
    Entry {
        href: "/sales/duplicates",
        label: |i| t_string!(i, sales_nav.duplicates).to_string(),
        managers_only: true,
    },
    Entry {
        href: "/sales/settings",
        label: |i| t_string!(i, sales_nav.settings).to_string(),
        managers_only: true,
    },
];

/// The sales sub-navigation (`<nav aria-label="销售导航">`); manager-only pages are shown to
/// managers only.
#[component]
pub fn SalesNav() -> impl IntoView {
    let i18n = use_i18n();
    let manager = Memo::new(move |_| is_sales_manager());
    view! {
        <nav class="sub-nav" aria-label=move || t_string!(i18n, sales_nav.label).to_string()>
            <ul>
                {move || {
                    let manager = manager.get();
                    ENTRIES
                        .iter()
                        .filter(|e| manager || !e.managers_only)
                        .map(|e| {
                            let label = e.label;
                            view! {
                                <li>
                                    <A href=e.href exact=true>{move || label(i18n)}</A>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </nav>
    }
}
