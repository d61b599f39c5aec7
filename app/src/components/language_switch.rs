//! The language switch: a button named `English` while the app is in Chinese and `中文` while
//! it is in English. The choice is kept on the device and applied at the next start.

use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let switch = move |_| {
        let next = other_locale(i18n.get_locale_untracked());
        i18n.set_locale(next);
        keep_locale(next);
    };
    // The button speaks the language it switches to.
    let target_lang = move || other_locale(i18n.get_locale()).as_str();
    view! {
        <button type="button" class="btn btn-ghost lang-switch" lang=target_lang on:click=switch>
            {t!(i18n, language_switch)}
        </button>
    }
}
