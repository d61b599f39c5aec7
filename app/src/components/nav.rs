//! The main navigation: only the areas the user's roles may use
//! (`domain::Area::for_roles`), in the order 销售 售后 客服 管理.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::*;
use crate::session::use_session;

#[component]
pub fn Nav() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let areas = Memo::new(move |_| session.areas());
    // The parts clerk's desk (零件) is theirs: an entry of its own beside 售后.
    let parts_clerk = Memo::new(move |_| {
        session.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.user.roles.contains(&domain::Role::PartsClerk))
        })
    });
    view! {
        <nav class="main-nav" aria-label=move || t_string!(i18n, nav.label).to_string()>
            <ul>
                <For each=move || areas.get() key=|area| *area let:area>
                    <li>
                        <A href=area.path()>{move || area_name(i18n, area)}</A>
                    </li>
                </For>
                {move || {
                    parts_clerk.get().then(|| {
                        view! {
                            <li>
                                <A href="/parts">{move || t_string!(i18n, parts.title).to_string()}</A>
                            </li>
                        }
                    })
                }}
            </ul>
        </nav>
    }
}
