//! The pages that are loaded on first use: one [`PageView`] per page, which only draws the
//! page's component, in a wasm-split module per workflow (the `group` of [`lazy_pages!`]); the
//! pages of an area are one route of the router ([`AreaPages`]). `cargo xtask build`
//! (wasm-split) moves each group's pages, and whatever only they use, out of the main wasm
//! into a chunk that is fetched when one of its routes is first shown (and precached by the
//! service worker, so the app still starts and works offline). Code that pages of several
//! groups share lands in shared chunks.
//!
//! The shell (header, navigation, the sync status) and the small placeholder pages stay in the
//! main wasm; the pages before the shell (login, setup, the password form) are the group
//! `account`, so that a logged-in device does not download them to start; the sync engine is
//! a split module of its own (`sync::engine`).

use domain::Area;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use leptos_router::{ChooseView, PartialPathMatch, PathSegment, PossibleRouteMatch};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use crate::components::area_gate::AreaGate;
use crate::{care, conflicts, manage, pages, parts, sales, service};

/// The view of a lazy route: a function that loads the page's wasm-split module (once) and
/// draws the page. Every lazy route has this one view type, so that the router's code that is
/// generic over the routes' views (choosing, matching, preloading) exists once in the main wasm
/// instead of once per route (`Lazy<Page>` is a type per page: ~1 KB of router code each).
#[derive(Clone, Copy)]
pub struct PageView(fn() -> Pin<Box<dyn Future<Output = AnyView> + Send>>);

impl ChooseView for PageView {
    async fn choose(self) -> AnyView {
        (self.0)().await
    }

    async fn preload(&self) {}
}

/// The pages of one area (`/sales/…`, `/service/…`, …) as ONE route of the router: the route's
/// path matches any of the pages' paths under the area and its view draws the page matched.
///
/// The router's code is generic over each route's path and view and its matching is unrolled
/// over the routes: ~60 routes made ~100 KB of router code in the main wasm. With one route per
/// area (all of this one type), the pages are a table: `path` under the area (`""` for the area's
/// own page, `:name` for a parameter, read with `use_params_map` as before) and the page's view.
/// A path no page of the area has is no match, so the router shows its "not found" as before.
#[derive(Clone, Copy)]
pub struct AreaPages(pub &'static [(&'static str, PageView)]);

/// The parameter that carries the number of the matched page of an [`AreaPages`].
const PAGE_PARAM: &str = "area_page";

/// A route's parameters, as the router takes them.
type Params = Vec<(Cow<'static, str>, String)>;

/// The parameters of `path` (under the area, without the leading or a trailing `/`) if it is the
/// page path `pattern` (`a-cards/:id`), else `None`.
fn match_page(pattern: &str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) => match w.strip_prefix(':') {
                Some(_) if g.is_empty() => return None,
                Some(name) => params.push((Cow::Owned(name.to_string()), g.to_string())),
                None if w == g => {}
                None => return None,
            },
            _ => return None,
        }
    }
}

impl AreaPages {
    /// The number of the page `path` (what is left of the URL's path after the area's) shows,
    /// and its parameters.
    fn find(&self, path: &str) -> Option<(usize, Params)> {
        let path = path.strip_prefix('/').unwrap_or(path);
        let path = path.strip_suffix('/').unwrap_or(path);
        self.0
            .iter()
            .enumerate()
            .find_map(|(i, (pattern, _))| match_page(pattern, path).map(|p| (i, p)))
    }
}

impl PossibleRouteMatch for AreaPages {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        let (page, mut params) = self.find(path)?;
        params.push((Cow::Borrowed(PAGE_PARAM), page.to_string()));
        Some(PartialPathMatch::new(&path[path.len()..], params, path))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        path.push(PathSegment::Splat(PAGE_PARAM.into()));
    }
}

impl ChooseView for AreaPages {
    /// Moving between two pages of the area keeps the route (the router only changes its
    /// parameters), so the view follows the matched page's number: a new page is drawn once its
    /// group's module is loaded; a new `:id` on the same page only changes the parameter.
    async fn choose(self) -> AnyView {
        let params = use_params_map();
        let page = Memo::new(move |_| {
            params.with(|p| p.get_str(PAGE_PARAM).and_then(|n| n.parse::<usize>().ok()))
        });
        let pages = self.0;
        (move || {
            page.get().and_then(|n| pages.get(n)).map(|(_, view)| {
                let load = view.0;
                Suspend::new(async move { load().await })
            })
        })
        .into_any()
    }

    async fn preload(&self) {}
}

/// `lazy_pages! { group { Name => path::to::Component; … } … }`: for each page a unit struct
/// `Name` whose `Name::VIEW` (a [`PageView`]) draws `<path::to::Component />` (inside
/// `<AreaGate area=Area::…>` for `Name in Area => …`); the route is `view=lazy_pages::Name::VIEW`
/// (or the page is one of an [`AreaPages`] list).
///
/// Each `group` is one wasm-split module with one entry, `group::view(page)`, which draws the
/// group's page number `page`: the pages of one workflow share one chunk (where
/// `#[lazy_route]`, one module per route, made ~475 small chunks out of the code shared by every
/// subset of the pages), and the main wasm carries one loader per group, not one per page.
macro_rules! lazy_pages {
    ($($group:ident { $($(#[$meta:meta])* $name:ident $(in $area:ident)? => $page:path;)+ })+) => {
        /// One module per group (named as the group: the wasm-split module).
        mod groups {
            $(
            #[allow(non_snake_case)]
            pub mod $group {
                use super::super::*;

                /// The group's pages, numbered.
                #[allow(non_camel_case_types, clippy::enum_variant_names)]
                #[derive(Clone, Copy)]
                pub enum Page {
                    $($name,)+
                }

                /// Draws page number `page` of the group (in the group's wasm-split module).
                #[::leptos::wasm_split::wasm_split($group, wasm_split_path = ::leptos::wasm_split)]
                pub fn view(page: u8) -> AnyView {
                    $(
                        if page == Page::$name as u8 {
                            return lazy_pages!(@page $page $(, $area)?);
                        }
                    )+
                    ().into_any()
                }
            }
            )+
        }
        $($(
        $(#[$meta])*
        pub struct $name;

        impl $name {
            /// The route's view.
            pub const VIEW: PageView = PageView({
                fn load() -> Pin<Box<dyn Future<Output = AnyView> + Send>> {
                    Box::pin(groups::$group::view(groups::$group::Page::$name as u8))
                }
                load
            });
        }
        )+)+
    };
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
    // 客服: the CS specialist's calls, the CS manager's page, the outbox, the monthly report, 续保, 流失客户.
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

// Each area's pages as one route (`AreaPages`): its path under the area, in the order they are
// tried (a page's `new` before its `:id`).

/// The pages under `/sales`.
pub const SALES: AreaPages = AreaPages(&[
    ("", SalesHome::VIEW),
    ("reception", Reception::VIEW),
    ("sleeping", Sleeping::VIEW),
    ("a-cards", ACards::VIEW),
    ("a-cards/new", NewACard::VIEW),
    ("a-cards/:id", ACard::VIEW),
    ("losses", Losses::VIEW),
    ("test-drives", TestDrives::VIEW),
    ("test-drives/new", NewTestDrive::VIEW),
    ("test-drives/:id", TestDrive::VIEW),
    ("orders", Orders::VIEW),
    ("orders/new", NewOrder::VIEW),
    ("orders/:id", Order::VIEW),
    ("c-cards/:id", CCard::VIEW),
    ("key-accounts", KeyAccounts::VIEW),
    ("key-accounts/new", NewKeyAccount::VIEW),
    ("key-accounts/:id", KeyAccount::VIEW),
    ("kpi", Kpi::VIEW),
    ("settings", SalesSettings::VIEW),
    ("import", Import::VIEW),
    ("duplicates", Duplicates::VIEW),
]);

/// The pages under `/service`.
pub const SERVICE: AreaPages = AreaPages(&[
    ("", ServiceBoard::VIEW),
    ("appointments/new", NewAppointment::VIEW),
    ("appointments/:id", Appointment::VIEW),
    ("reception", ServiceReception::VIEW),
    ("ro/:id", RepairOrder::VIEW),
    ("settings", ServiceSettings::VIEW),
    ("dispatch", Dispatch::VIEW),
    ("jobs", MyJobs::VIEW),
    ("qc", Qc::VIEW),
]);

/// The pages under `/parts`.
pub const PARTS: AreaPages = AreaPages(&[
    ("", PartsStock::VIEW),
    ("receive", PartsReceive::VIEW),
    ("issue", PartsIssue::VIEW),
    ("reserve", PartsReserve::VIEW),
    ("orders", PartsOrders::VIEW),
    ("unfitted", PartsUnfitted::VIEW),
]);

/// The pages under `/care`.
pub const CARE: AreaPages = AreaPages(&[
    ("", MyCalls::VIEW),
    ("task/:id", CareCall::VIEW),
    ("manage", CareManage::VIEW),
    ("outbox", CareOutbox::VIEW),
    ("report", CareReport::VIEW),
    ("renewal", CareRenewal::VIEW),
    ("lost", CareLost::VIEW),
    ("import", Import::VIEW),
]);

/// The pages under `/manage`.
pub const MANAGE: AreaPages = AreaPages(&[
    ("", Devices::VIEW),
    ("bin", Bin::VIEW),
    ("staff", Staff::VIEW),
    ("audit", Audit::VIEW),
    ("kpi", GmKpi::VIEW),
]);

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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(path: &str) -> Option<(usize, Vec<(String, String)>)> {
        SALES.find(path).map(|(page, params)| {
            let params = params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            (page, params)
        })
    }

    #[test]
    fn an_area_matches_its_pages_and_nothing_else() {
        // What the router leaves after `/sales`.
        assert_eq!(params(""), Some((0, vec![])));
        assert_eq!(params("/"), Some((0, vec![])));
        assert_eq!(params("/reception"), Some((1, vec![])));
        assert_eq!(params("/reception/"), Some((1, vec![])));
        assert_eq!(params("/a-cards/new"), Some((4, vec![])));
        assert_eq!(
            params("/a-cards/9b2c"),
            Some((5, vec![("id".to_string(), "9b2c".to_string())]))
        );
        assert_eq!(params("/nope"), None);
        assert_eq!(params("/a-cards/1/2"), None);
        assert_eq!(params("/a-cards//"), None);
        assert_eq!(params("reception"), Some((1, vec![])));
    }

    #[test]
    fn the_route_matches_the_whole_rest_and_names_the_page() {
        let m = SERVICE.test("/ro/42").expect("a page");
        assert!(m.is_complete());
        assert_eq!(m.matched(), "/ro/42");
        let params: Vec<(String, String)> = m
            .params()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(
            params,
            [
                ("id".to_string(), "42".to_string()),
                (PAGE_PARAM.to_string(), "4".to_string())
            ]
        );
        assert!(CARE.test("/task").is_none());
        assert!(MANAGE.test("").is_some());
    }

    #[test]
    fn every_path_of_an_area_is_one_page() {
        for area in [SALES, SERVICE, PARTS, CARE, MANAGE] {
            for (i, (path, _)) in area.0.iter().enumerate() {
                let concrete = path.replace(":id", "x");
                assert_eq!(area.find(&concrete).map(|(n, _)| n), Some(i), "{path}");
            }
        }
    }
}
