//! The pages that are loaded on first use: one [`LazyRoute`] per route, whose `view` only
//! draws the page's component, in a wasm-split module per workflow (the `group` of
//! [`lazy_pages!`]). `cargo xtask build` (wasm-split) moves each group's pages, and whatever
//! only they use, out of the main wasm into a chunk that is fetched when one of its routes is
//! first shown (and precached by the service worker, so the app still starts and works
//! offline). Code that pages of several groups share lands in shared chunks.
//!
//! The login page, the shell (header, navigation, sync) and the small placeholder pages stay
//! in the main wasm.

use domain::Area;
use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::components::area_gate::AreaGate;
use crate::{conflicts, manage, sales};

/// `lazy_pages!(group { Name => path::to::Component; … })`: for each page a unit struct
/// `Name` whose lazy view is `<path::to::Component />`; the route is
/// `view={Lazy::<Name>::new()}`.
///
/// This is what `#[lazy_route]` does, except that every page of a `group` is one wasm-split
/// module: the pages of one workflow share one chunk, where `#[lazy_route]` (one module per
/// route) made ~475 small chunks out of the code shared by every subset of the 23 pages.
macro_rules! lazy_pages {
    ($group:ident { $($(#[$meta:meta])* $name:ident => $view:expr;)+ }) => {$(
        $(#[$meta])*
        pub struct $name;

        impl LazyRoute for $name {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                #[allow(non_snake_case)]
                #[::leptos::wasm_split::wasm_split($group, wasm_split_path = ::leptos::wasm_split)]
                fn $name() -> AnyView {
                    $view.into_any()
                }
                $name().await
            }
        }
    )+};
}

// What a consultant uses every day.
lazy_pages!(sales_day {
    /// `/sales`
    SalesHome => view! { <sales::today::SalesHome /> };
    /// `/sales/reception`
    Reception => view! { <sales::reception::ReceptionPage /> };
    /// `/sales/sleeping`
    Sleeping => view! { <sales::today::SleepingPage /> };
});

lazy_pages!(sales_cards {
    /// `/sales/a-cards`
    ACards => view! { <sales::a_card::ACardList /> };
    /// `/sales/a-cards/new`
    NewACard => view! { <sales::a_card::NewACardPage /> };
    /// `/sales/a-cards/:id`
    ACard => view! { <sales::a_card_page::ACardPage /> };
    /// `/sales/c-cards/:id`
    CCard => view! { <sales::c_card::CCardPage /> };
});

lazy_pages!(sales_drives {
    /// `/sales/test-drives`
    TestDrives => view! { <sales::test_drive::TestDriveList /> };
    /// `/sales/test-drives/new`
    NewTestDrive => view! { <sales::test_drive::NewTestDrivePage /> };
    /// `/sales/test-drives/:id`
    TestDrive => view! { <sales::test_drive::TestDrivePage /> };
});

lazy_pages!(sales_orders {
    /// `/sales/orders`
    Orders => view! { <sales::order::OrdersPage /> };
    /// `/sales/orders/new`
    NewOrder => view! { <sales::order::NewOrderPage /> };
    /// `/sales/orders/:id`
    Order => view! { <sales::order::OrderPage /> };
});

lazy_pages!(sales_accounts {
    /// `/sales/key-accounts`
    KeyAccounts => view! { <sales::key_account::KeyAccountsPage /> };
    /// `/sales/key-accounts/new`
    NewKeyAccount => view! { <sales::key_account::NewKeyAccountPage /> };
    /// `/sales/key-accounts/:id`
    KeyAccount => view! { <sales::key_account::KeyAccountPage /> };
});

// The sales managers' pages.
lazy_pages!(sales_manager {
    /// `/sales/losses`
    Losses => view! { <sales::loss::LossReviewPage /> };
    /// `/sales/kpi`
    Kpi => view! { <sales::kpi::KpiPage /> };
    /// `/sales/settings`
    SalesSettings => view! { <sales::settings::SettingsPage /> };
    /// `/sales/import`
    Import => view! { <sales::import::ImportPage /> };
    /// `/sales/duplicates`
    Duplicates => view! { <sales::duplicates::DuplicatesPage /> };
});

lazy_pages!(admin {
    /// `/conflicts`
    Conflicts => view! { <conflicts::ConflictsPage /> };
    /// `/manage`: the devices page, for management only.
    Devices => view! {
        <AreaGate area=Area::Management>
            <manage::devices::DevicesPage />
        </AreaGate>
    };
    /// `/manage/bin`: the bin (回收站), for management only.
    Bin => view! {
        <AreaGate area=Area::Management>
            <manage::bin::BinPage />
        </AreaGate>
    };
    /// `/manage/staff`: the staff (员工), for the general manager.
    Staff => view! {
        <AreaGate area=Area::Management>
            <manage::staff::StaffPage />
        </AreaGate>
    };
    /// `/manage/audit`: the audit log (审计日志), for managers.
    Audit => view! {
        <AreaGate area=Area::Management>
            <manage::audit::AuditPage />
        </AreaGate>
    };
});
