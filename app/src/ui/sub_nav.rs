//! The sub-navigation of an area (销售, 客服, 售后, 零件): one link per page of the area, some for the
//! area's managers only, then the page (`Outlet`). Each area's layout (`sales::SalesLayout`,
//! `care::CareLayout`, `service::ServiceLayout`, `parts::PartsLayout`) is this with its own
//! entries.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use crate::i18n::*;

/// One entry of a sub-navigation.
#[derive(Clone, Copy)]
pub struct NavEntry {
    pub href: &'static str,
    /// Its words.
    pub label: fn(I18nContext<Locale>) -> String,
    /// Shown to the area's managers only.
    pub managers_only: bool,
}

impl NavEntry {
    /// An entry everyone sees.
    pub const fn all(href: &'static str, label: fn(I18nContext<Locale>) -> String) -> Self {
        NavEntry {
            href,
            label,
            managers_only: false,
        }
    }

    /// An entry the area's managers see.
    pub const fn managers(href: &'static str, label: fn(I18nContext<Locale>) -> String) -> Self {
        NavEntry {
            href,
            label,
            managers_only: true,
        }
    }
}

/// The frame of an area's pages: the sub-navigation (`label`: its accessible name; `manager`:
/// whether the user sees the managers' entries; `printed`: printed with the page, as the sales
/// one is, else `no-print`), then the page.
#[component]
pub fn SubNav(
    label: fn(I18nContext<Locale>) -> String,
    entries: Vec<NavEntry>,
    #[prop(into)] manager: Signal<bool>,
    #[prop(optional)] printed: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let class = if printed {
        "sub-nav"
    } else {
        "sub-nav no-print"
    };
    view! {
        <nav class=class aria-label=move || label(i18n)>
            <ul>
                {move || {
                    let manager = manager.get();
                    entries
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
        <Outlet />
    }
}
