//! The app: language, session context, the router and the pages' frame.

use domain::Area;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::area_gate::{AreaGate, NoAccess};
use crate::components::update_banner::UpdateBanner;
use crate::i18n::*;
use crate::session::{Boot, SessionCtx, use_session};
use crate::shell::{self, Frame};
use crate::sync::SyncCtx;
use crate::ui::panel::Panel;
use crate::{api, lazy_pages, pwa};

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
                    // 销售: the workflow pages, under the sales sub-navigation. Each area's pages are
                    // one route (`lazy_pages::AreaPages`: the paths are in lazy_pages.rs); each area's
                    // frame is drawn from the `sync` module (`shell::frame`).
                    <ParentRoute
                        path=path!("sales")
                        view=|| view! { <AreaGate area=Area::Sales>{shell::frame(Frame::Sales)}</AreaGate> }
                    >
                        <Route path=lazy_pages::SALES view=lazy_pages::SALES />
                    </ParentRoute>
                    <Route path=path!("conflicts") view=lazy_pages::Conflicts::VIEW />
                    <Route path=path!("password") view=lazy_pages::Password::VIEW />
                    // 售后: the advisor's desk, under the service sub-navigation.
                    <ParentRoute
                        path=path!("service")
                        view=|| view! { <AreaGate area=Area::Service>{shell::frame(Frame::Service)}</AreaGate> }
                    >
                        <Route path=lazy_pages::SERVICE view=lazy_pages::SERVICE />
                    </ParentRoute>
                    // 零件: the parts clerk's desk, under the parts sub-navigation.
                    <ParentRoute
                        path=path!("parts")
                        view=|| view! { <AreaGate area=Area::Service>{shell::frame(Frame::Parts)}</AreaGate> }
                    >
                        <Route path=lazy_pages::PARTS view=lazy_pages::PARTS />
                    </ParentRoute>
                    // 客服: the care calls, under the care sub-navigation.
                    <ParentRoute
                        path=path!("care")
                        view=|| view! { <AreaGate area=Area::Care>{shell::frame(Frame::Care)}</AreaGate> }
                    >
                        <Route path=lazy_pages::CARE view=lazy_pages::CARE />
                    </ParentRoute>
                    <ParentRoute path=path!("manage") view=|| shell::frame(Frame::Manage)>
                        <Route path=lazy_pages::MANAGE view=lazy_pages::MANAGE />
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
            (false, lazy_pages::change_password_form().into_any())
        } else {
            (true, view! { <Outlet /> }.into_any())
        };
        view! {
            <div class="shell">
                // Header and navigation: from the sync engine's module (`shell.rs`).
                {shell::bars(nav)}
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
