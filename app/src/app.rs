//! The app: language, session context, the router and the pages' frame.

use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::area_gate::{AreaGate, NoAccess};
use crate::components::header::Header;
use crate::components::nav::Nav;
use crate::components::update_banner::UpdateBanner;
use crate::i18n::*;
use crate::manage;
use crate::session::{Boot, SessionCtx, use_session};
use crate::sync::SyncCtx;
use crate::ui::panel::Panel;
use crate::{api, care, lazy_pages, parts, pwa, sales, service};

/// The root component, mounted once the device's state has been read from IndexedDB.
#[component]
pub fn App(boot: Boot) -> impl IntoView {
    let session = SessionCtx::new(&boot);
    provide_context(session);
    let sync = SyncCtx::new(session);
    provide_context(sync);
    sync.start();
    let locale = boot.locale.as_deref().and_then(parse_locale);

    view! {
        <I18nContextProvider>
            <AppInner session=session locale=locale />
        </I18nContextProvider>
    }
}

#[component]
fn AppInner(session: SessionCtx, locale: Option<Locale>) -> impl IntoView {
    let i18n = use_i18n();
    // The app's language is the one chosen on this device, else Chinese, whatever the
    // browser prefers. leptos_i18n first applies the browser's languages in an effect, so
    // ours is applied in an effect created after it, which runs after it.
    let chosen = locale.unwrap_or(Locale::zh_CN);
    i18n.set_locale(chosen);
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            i18n.set_locale(chosen);
        }
    });
    Effect::new(move || api::set_language(i18n.get_locale().as_str()));

    // The kept session is used at once; the server is asked in the background whether it
    // still stands (a 401 logs out, no answer changes nothing).
    leptos::task::spawn_local(session.refresh_user());
    // And again whenever the device comes back online.
    let _ = window_event_listener(leptos::ev::online, move |_| {
        leptos::task::spawn_local(session.refresh_user());
    });

    let update_ready = RwSignal::new(false);
    provide_context(pwa::register(update_ready));

    // The page is usable: tell tests and scripts (docs/ui/shell.md, "App UI contract").
    Effect::new(move || {
        request_animation_frame(|| {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-ready", "true");
            }
        });
    });

    view! {
        <Title text=move || t_string!(i18n, app_title).to_string() />
        <Router>
            <UpdateBanner ready=update_ready />
            <StorageWarning />
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=lazy_pages::Login::VIEW />
                <Route path=path!("/setup") view=lazy_pages::Setup::VIEW />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=Home />
                    // 销售: one route per workflow page, under the sales sub-navigation.
                    <ParentRoute
                        path=path!("sales")
                        view=|| view! { <AreaGate area=Area::Sales><sales::SalesLayout /></AreaGate> }
                    >
                        <Route path=path!("") view=lazy_pages::SalesHome::VIEW />
                        <Route path=path!("reception") view=lazy_pages::Reception::VIEW />
                        <Route path=path!("sleeping") view=lazy_pages::Sleeping::VIEW />
                        <Route path=path!("a-cards") view=lazy_pages::ACards::VIEW />
                        <Route path=path!("a-cards/new") view=lazy_pages::NewACard::VIEW />
                        <Route path=path!("a-cards/:id") view=lazy_pages::ACard::VIEW />
                        <Route path=path!("losses") view=lazy_pages::Losses::VIEW />
                        <Route path=path!("test-drives") view=lazy_pages::TestDrives::VIEW />
                        <Route path=path!("test-drives/new") view=lazy_pages::NewTestDrive::VIEW />
                        <Route path=path!("test-drives/:id") view=lazy_pages::TestDrive::VIEW />
                        <Route path=path!("orders") view=lazy_pages::Orders::VIEW />
                        <Route path=path!("orders/new") view=lazy_pages::NewOrder::VIEW />
                        <Route path=path!("orders/:id") view=lazy_pages::Order::VIEW />
                        <Route path=path!("c-cards/:id") view=lazy_pages::CCard::VIEW />
                        <Route path=path!("key-accounts") view=lazy_pages::KeyAccounts::VIEW />
                        <Route path=path!("key-accounts/new") view=lazy_pages::NewKeyAccount::VIEW />
                        <Route path=path!("key-accounts/:id") view=lazy_pages::KeyAccount::VIEW />
                        <Route path=path!("kpi") view=lazy_pages::Kpi::VIEW />
                        <Route path=path!("settings") view=lazy_pages::SalesSettings::VIEW />
                        <Route path=path!("import") view=lazy_pages::Import::VIEW />
                        <Route path=path!("duplicates") view=lazy_pages::Duplicates::VIEW />
                    </ParentRoute>
                    <Route path=path!("conflicts") view=lazy_pages::Conflicts::VIEW />
                    <Route path=path!("password") view=lazy_pages::Password::VIEW />
                    // 售后: the advisor's desk, under the service sub-navigation.
                    <ParentRoute
                        path=path!("service")
                        view=|| view! { <AreaGate area=Area::Service><service::ServiceLayout /></AreaGate> }
                    >
                        <Route path=path!("") view=lazy_pages::ServiceBoard::VIEW />
                        <Route path=path!("appointments/new") view=lazy_pages::NewAppointment::VIEW />
                        <Route path=path!("appointments/:id") view=lazy_pages::Appointment::VIEW />
                        <Route path=path!("reception") view=lazy_pages::ServiceReception::VIEW />
                        <Route path=path!("ro/:id") view=lazy_pages::RepairOrder::VIEW />
                        <Route path=path!("settings") view=lazy_pages::ServiceSettings::VIEW />
                        <Route path=path!("dispatch") view=lazy_pages::Dispatch::VIEW />
                        <Route path=path!("jobs") view=lazy_pages::MyJobs::VIEW />
                        <Route path=path!("qc") view=lazy_pages::Qc::VIEW />
                    </ParentRoute>
                    // 零件: the parts clerk's desk, under the parts sub-navigation.
                    <ParentRoute
                        path=path!("parts")
                        view=|| view! { <AreaGate area=Area::Service><parts::PartsLayout /></AreaGate> }
                    >
                        <Route path=path!("") view=lazy_pages::PartsStock::VIEW />
                        <Route path=path!("receive") view=lazy_pages::PartsReceive::VIEW />
                        <Route path=path!("issue") view=lazy_pages::PartsIssue::VIEW />
                        <Route path=path!("reserve") view=lazy_pages::PartsReserve::VIEW />
                        <Route path=path!("orders") view=lazy_pages::PartsOrders::VIEW />
                        <Route path=path!("unfitted") view=lazy_pages::PartsUnfitted::VIEW />
                    </ParentRoute>
                    // 客服: the care calls, under the care sub-navigation.
                    <ParentRoute
                        path=path!("care")
                        view=|| view! { <AreaGate area=Area::Care><care::CareLayout /></AreaGate> }
                    >
                        <Route path=path!("") view=lazy_pages::MyCalls::VIEW />
                        <Route path=path!("task/:id") view=lazy_pages::CareCall::VIEW />
                        <Route path=path!("manage") view=lazy_pages::CareManage::VIEW />
                        <Route path=path!("outbox") view=lazy_pages::CareOutbox::VIEW />
                        <Route path=path!("report") view=lazy_pages::CareReport::VIEW />
                        <Route path=path!("renewal") view=lazy_pages::CareRenewal::VIEW />
                        <Route path=path!("lost") view=lazy_pages::CareLost::VIEW />
                        <Route path=path!("import") view=lazy_pages::Import::VIEW />
                    </ParentRoute>
                    <ParentRoute path=path!("manage") view=manage::ManageLayout>
                        <Route path=path!("") view=lazy_pages::Devices::VIEW />
                        <Route path=path!("bin") view=lazy_pages::Bin::VIEW />
                        <Route path=path!("staff") view=lazy_pages::Staff::VIEW />
                        <Route path=path!("audit") view=lazy_pages::Audit::VIEW />
                        <Route path=path!("kpi") view=lazy_pages::GmKpi::VIEW />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The frame of every page behind the login: header, navigation, the page. Logged out, it
/// sends the user to the login page; while the user must replace a password someone else set,
/// the page is the password form.
#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let logged_in = Memo::new(move |_| session.logged_in());
    let must_change = Memo::new(move |_| {
        session
            .session
            .with(|s| s.as_ref().is_some_and(|s| s.user.must_change_password))
    });
    move || {
        if !logged_in.get() {
            return view! { <Redirect path="/login" /> }.into_any();
        }
        // Only the password form until the password is replaced: no navigation, no pages.
        let (nav, page) = if must_change.get() {
            (None, lazy_pages::change_password_form().into_any())
        } else {
            (Some(view! { <Nav /> }), view! { <Outlet /> }.into_any())
        };
        view! {
            <div class="shell">
                <Header />
                {nav}
                <main id="main" class="page">{page}</main>
            </div>
        }
        .into_any()
    }
}

/// `/`: the user's first area.
#[component]
fn Home() -> impl IntoView {
    let session = use_session();
    let first = Memo::new(move |_| session.areas().first().copied());
    move || match first.get() {
        Some(area) => view! { <Redirect path=area.path() /> }.into_any(),
        None => view! { <NoAccess no_areas=true /> }.into_any(),
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main id="main" class="page page-narrow">
            <Panel id="not-found-title" class="notice-page" page=true title=move || t!(i18n, not_found.title)>
                <p>{t!(i18n, not_found.body)}</p>
                <A href="/" attr:class="btn btn-secondary">
                    {t!(i18n, not_found.home)}
                </A>
            </Panel>
        </main>
    }
}

/// IndexedDB refused: say once that this device will forget the login.
#[component]
fn StorageWarning() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <Show when=move || session.storage_failed.get()>
            <div class="banner banner-warn" role="alert">
                {t!(i18n, errors.storage)}
            </div>
        </Show>
    }
}
