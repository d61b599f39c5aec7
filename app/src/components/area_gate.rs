//! The gate in front of each area's pages: only users whose roles may use the area see them;
//! the others get the "no access" page.

use domain::Area;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;
use crate::session::use_session;
use crate::ui::panel::Panel;

/// Shows its page only to users whose roles may use `area`.
#[component]
pub fn AreaGate(area: Area, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let allowed = Memo::new(move |_| session.areas().contains(&area));
    move || {
        if allowed.get() {
            children().into_any()
        } else {
            view! { <NoAccess no_areas=false /> }.into_any()
        }
    }
}

/// The "no access" page: the user may use no area at all (`no_areas`), or not this one.
#[component]
pub fn NoAccess(no_areas: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Panel id="no-access-title" class="notice-page" page=true title=move || t!(i18n, no_access.title)>
            <p>
                {move || {
                    if no_areas {
                        t_string!(i18n, no_access.no_areas)
                    } else {
                        t_string!(i18n, no_access.body)
                    }
                }}
            </p>
            {(!no_areas)
                .then(|| {
                    view! {
                        <A href="/" attr:class="btn btn-secondary">
                            {t!(i18n, no_access.home)}
                        </A>
                    }
                })}
        </Panel>
    }
}
