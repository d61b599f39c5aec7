//! Pages that belong to no area.

pub mod login;
pub mod password;
pub mod setup;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::language_switch::LanguageSwitch;
use crate::i18n::*;
use crate::session::use_session;

/// The frame of the pages before the shell (login, setup): the language switch above a card
/// with the brand, then the page (`children`); a logged-in user is sent home. `class` is the
/// card's class beside `login-card panel`.
#[component]
pub fn LoginFrame(
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let class = match class {
        Some(c) => format!("login-card panel {c}"),
        None => "login-card panel".to_string(),
    };
    view! {
        {move || session.logged_in().then(|| view! { <Redirect path="/" /> })}
        <div class="login-screen">
            <div class="login-top">
                <LanguageSwitch />
            </div>
            <main id="main" class=class>
                <div class="login-brand">
                    <img src="/icons/icon-192.png" alt="" width="48" height="48" />
                    <span class="brand-name">{t!(i18n, brand)}</span>
                </div>
                {children()}
            </main>
        </div>
    }
}
