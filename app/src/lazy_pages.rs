//! The pages that are loaded on first use: one [`LazyRoute`] per route, whose `view` only
//! draws the page's component, in a wasm-split module per workflow (the `group` of
//! [`lazy_pages!`]). `cargo xtask build` (wasm-split) moves each group's pages, and whatever
//! only they use, out of the main wasm into a chunk that is fetched when one of its routes is
//! first shown (and precached by the service worker, so the app still starts and works
//! offline). Code that pages of several groups share lands in shared chunks.
//!
//! The shell (header, navigation, the sync status) and the small placeholder pages stay in the
//! main wasm; the pages before the shell (login, setup, the password form) are the group
//! `account`, so that a logged-in device does not download them to start; the sync engine is
//! a split module of its own (`sync::engine`).

use domain::Area;
use leptos::prelude::*;
use leptos_router::{ChooseView, LazyRoute};
use std::future::Future;
use std::pin::Pin;

use crate::components::area_gate::AreaGate;
use crate::{care, conflicts, manage, pages, parts, sales, service};

/// The view of a lazy route: a function that loads the page's wasm-split module (once) and
/// draws the page. Every lazy route has this one view type, so that the router's code that is
/// generic over the routes' views (choosing, matching, preloading) exists once in the main wasm
/// instead of once per route (`Lazy<Page>` is a type per page: ~1 KB of router code each).
#[derive(Clone, Copy)]
pub struct PageView(fn() -> Pin<Box<dyn Future<Output = AnyView>>>);

impl ChooseView for PageView {
    async fn choose(self) -> AnyView {
        (self.0)().await
    }

    async fn preload(&self) {}
}

/// `lazy_pages! { group { Name => path::to::Component; … } … }`: for each page a unit struct
/// `Name` whose `Name::VIEW` (a [`PageView`]) draws `<path::to::Component />` (inside
/// `<AreaGate area=Area::…>` for `Name in Area => …`); the route is `view=lazy_pages::Name::VIEW`.
/// (`Name` is also a `LazyRoute`, so `view={Lazy::<Name>::new()}` works too, at the cost of the
/// router's code for one more view type.)
///
/// This is what `#[lazy_route]` does, except that every page of a `group` is one wasm-split
/// module: the pages of one workflow share one chunk, where `#[lazy_route]` (one module per
/// route) made ~475 small chunks out of the code shared by every subset of the 23 pages.
macro_rules! lazy_pages {
    ($($group:ident { $($(#[$meta:meta])* $name:ident $(in $area:ident)? => $page:path;)+ })+) => {$($(
        $(#[$meta])*
        pub struct $name;

        impl $name {
            /// The route's view.
            pub const VIEW: PageView = PageView({
                #[allow(non_snake_case)]
                #[::leptos::wasm_split::wasm_split($group, wasm_split_path = ::leptos::wasm_split)]
                fn $name() -> AnyView {
                    lazy_pages!(@page $page $(, $area)?)
                }
                fn load() -> Pin<Box<dyn Future<Output = AnyView>>> {
                    Box::pin($name())
                }
                load
            });
        }

        impl LazyRoute for $name {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                (Self::VIEW.0)().await
            }
        }
    )+)+};
    (@page $page:path) => {
        ::leptos::component::component_view(
            &$page,
            ::leptos::component::component_props_builder(&$page).build(),
        )
        .into_any()
    };
    (@page $page:path, $area:ident) => {
        view! { <AreaGate area=Area::$area>{lazy_pages!(@page $page)}</AreaGate> }.into_any()
    };
}

lazy_pages! {
    // The pages before (and instead of) the shell.
    account {
        /// `/login`
        Login => pages::login::LoginPage;
        /// `/setup`
        Setup => pages::setup::SetupPage;
        /// `/password`
        Password => pages::password::PasswordPage;
    }
    // What a consultant uses every day.
    sales_day {
        /// `/sales`
        SalesHome => sales::today::SalesHome;
        /// `/sales/reception`
        Reception => sales::reception::ReceptionPage;
        /// `/sales/sleeping`
        Sleeping => sales::today::SleepingPage;
    }
    sales_cards {
        /// `/sales/a-cards`
        ACards => sales::a_card::ACardList;
        /// `/sales/a-cards/new`
        NewACard => sales::a_card::NewACardPage;
        /// `/sales/a-cards/:id`
        ACard => sales::a_card_page::ACardPage;
        /// `/sales/c-cards/:id`
        CCard => sales::c_card::CCardPage;
    }
    sales_drives {
        /// `/sales/test-drives`
        TestDrives => sales::test_drive::TestDriveList;
        /// `/sales/test-drives/new`
        NewTestDrive => sales::test_drive::NewTestDrivePage;
        /// `/sales/test-drives/:id`
        TestDrive => sales::test_drive::TestDrivePage;
    }
    sales_orders {
        /// `/sales/orders`
        Orders => sales::order::OrdersPage;
        /// `/sales/orders/new`
        NewOrder => sales::order::NewOrderPage;
        /// `/sales/orders/:id`
        Order => sales::order::OrderPage;
    }
    sales_accounts {
        /// `/sales/key-accounts`
        KeyAccounts => sales::key_account::KeyAccountsPage;
        /// `/sales/key-accounts/new`
        NewKeyAccount => sales::key_account::NewKeyAccountPage;
        /// `/sales/key-accounts/:id`
        KeyAccount => sales::key_account::KeyAccountPage;
    }
    // The sales managers' pages.
    sales_manager {
        /// `/sales/losses`
        Losses => sales::loss::LossReviewPage;
        /// `/sales/kpi`
        Kpi => sales::kpi::KpiPage;
        /// `/sales/settings`
        SalesSettings => sales::settings::SettingsPage;
        /// `/sales/import`
        Import => sales::import::ImportPage;
        /// `/sales/duplicates`
        Duplicates => sales::duplicates::DuplicatesPage;
    }
    // The service advisor's desk (售后: board, booking, reception, repair orders).
    service_desk {
        /// `/service`
        ServiceBoard => service::board::ServiceBoard;
        /// `/service/appointments/new`
        NewAppointment => service::booking::NewAppointmentPage;
        /// `/service/appointments/:id`
        Appointment => service::booking::AppointmentPage;
        /// `/service/reception`
        ServiceReception => service::reception::ReceptionPage;
        /// `/service/ro/:id`
        RepairOrder => service::ro_page::RepairOrderPage;
        /// `/service/settings`
        ServiceSettings => service::settings::ServiceSettingsPage;
    }
    // The workshop: dispatch, the technician's jobs, QC.
    service_shop {
        /// `/service/dispatch`
        Dispatch => service::dispatch::DispatchPage;
        /// `/service/jobs`
        MyJobs => service::my_jobs::MyJobsPage;
        /// `/service/qc`
        Qc => service::qc::QcPage;
    }
    // The parts clerk's desk (零件).
    parts {
        /// `/parts`
        PartsStock => parts::stock::StockPage;
        /// `/parts/receive`
        PartsReceive => parts::receive::ReceivePage;
        /// `/parts/issue`
        PartsIssue => parts::issue::IssuePage;
        /// `/parts/reserve`
        PartsReserve => parts::reserve::ReservePage;
        /// `/parts/orders`
        PartsOrders => parts::orders::OrdersPage;
        /// `/parts/unfitted`
        PartsUnfitted => parts::orders::UnfittedPage;
    }
    // 客服: the CS specialist's calls, the CS manager's page, the outbox.
    care {
        /// `/care`
        MyCalls => care::my_calls::MyCallsPage;
        /// `/care/task/:id`
        CareCall => care::call::CallPage;
        /// `/care/manage`
        CareManage => care::manage::ManagePage;
        /// `/care/outbox`
        CareOutbox => care::outbox::OutboxPage;
        /// `/care/report`
        CareReport => care::report::ReportPage;
        /// `/care/renewal`
        CareRenewal => care::renewal::RenewalPage;
        /// `/care/lost`
        CareLost => care::lost::LostPage;
    }
    admin {
        /// `/conflicts`
        Conflicts => conflicts::ConflictsPage;
        /// `/manage`: the devices page, for management only.
        Devices in Management => manage::devices::DevicesPage;
        /// `/manage/bin`: the bin (回收站), for management only.
        Bin in Management => manage::bin::BinPage;
        /// `/manage/staff`: the staff (员工), for the general manager.
        Staff in Management => manage::staff::StaffPage;
        /// `/manage/audit`: the audit log (审计日志), for managers.
        Audit in Management => manage::audit::AuditPage;
    }
    // The GM's page of every KPI (经营指标).
    gm_kpi {
        /// `/manage/kpi`, for management.
        GmKpi in Management => manage::gm_kpi::GmKpiPage;
    }
}

/// The password form the shell shows instead of the pages while the user must replace a
/// password someone else set: in the group `account` with the password page, drawn once its
/// chunk is loaded.
pub fn change_password_form() -> impl IntoView {
    #[::leptos::wasm_split::wasm_split(account, wasm_split_path = ::leptos::wasm_split)]
    fn change_password_form_view() -> AnyView {
        lazy_pages!(@page pages::password::ChangePasswordForm)
    }
    Suspend::new(change_password_form_view())
}
