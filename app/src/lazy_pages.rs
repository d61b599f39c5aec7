//! The pages that are loaded on first use: one [`LazyRoute`] per route, whose `view` only
//! draws the page's component. `#[lazy_route]` makes each `view` a split point, so that
//! `cargo xtask build` (wasm-split) moves the page's code, and whatever only it uses, out of
//! the main wasm into a chunk of its own that is fetched when the route is first shown (and
//! precached by the service worker, so the app still starts and works offline).
//!
//! The login page, the shell (header, navigation, sync) and the small placeholder pages stay
//! in the main wasm.

use domain::Area;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::app::AreaGate;
use crate::{conflicts, manage, sales};

/// `lazy_page!(Name => path::to::Component)`: a unit struct `Name` whose lazy view is
/// `<path::to::Component />`. The route is `view={Lazy::<Name>::new()}`.
macro_rules! lazy_page {
    ($($(#[$meta:meta])* $name:ident => $($component:ident)::+;)+) => {$(
        $(#[$meta])*
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$($component)::+ /> }.into_any()
            }
        }
    )+};
}

lazy_page! {
    /// `/sales`
    SalesHome => sales::today::SalesHome;
    /// `/sales/reception`
    Reception => sales::reception::ReceptionPage;
    /// `/sales/sleeping`
    Sleeping => sales::today::SleepingPage;
    /// `/sales/a-cards`
    ACards => sales::a_card::ACardList;
    /// `/sales/a-cards/new`
    NewACard => sales::a_card::NewACardPage;
    /// `/sales/a-cards/:id`
    ACard => sales::a_card_page::ACardPage;
    /// `/sales/losses`
    Losses => sales::loss::LossReviewPage;
    /// `/sales/test-drives`
    TestDrives => sales::test_drive::TestDriveList;
    /// `/sales/test-drives/new`
    NewTestDrive => sales::test_drive::NewTestDrivePage;
    /// `/sales/test-drives/:id`
    TestDrive => sales::test_drive::TestDrivePage;
    /// `/sales/orders`
    Orders => sales::order::OrdersPage;
    /// `/sales/orders/new`
    NewOrder => sales::order::NewOrderPage;
    /// `/sales/orders/:id`
    Order => sales::order::OrderPage;
    /// `/sales/c-cards/:id`
    CCard => sales::c_card::CCardPage;
    /// `/sales/key-accounts`
    KeyAccounts => sales::key_account::KeyAccountsPage;
    /// `/sales/key-accounts/new`
    NewKeyAccount => sales::key_account::NewKeyAccountPage;
    /// `/sales/key-accounts/:id`
    KeyAccount => sales::key_account::KeyAccountPage;
    /// `/sales/kpi`
    Kpi => sales::kpi::KpiPage;
    /// `/sales/settings`
    SalesSettings => sales::settings::SettingsPage;
    /// `/sales/import`
    Import => sales::import::ImportPage;
    /// `/sales/duplicates`
    Duplicates => sales::duplicates::DuplicatesPage;
    /// `/conflicts`
    Conflicts => conflicts::ConflictsPage;
}

/// `/manage`: the devices page, for management only.
pub struct Devices;

#[lazy_route]
impl LazyRoute for Devices {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! {
            <AreaGate area=Area::Management>
                <manage::devices::DevicesPage />
            </AreaGate>
        }
        .into_any()
    }
}
