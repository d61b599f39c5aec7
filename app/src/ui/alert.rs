//! The message lines under a form or a list: an error (`role="alert"`) or a confirmation
//! (`role="status"`), shown while their signal holds a text.

use leptos::prelude::*;

/// `<p class="alert" role="alert">` while `message` is `Some`.
#[component]
pub fn Alert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|e| view! { <p class="alert" role="alert">{e}</p> })
    }
}

/// `<p class="notice…" role="status">` while `message` is `Some`; `class` is the paragraph's
/// class (`notice` unless given, e.g. `notice notice-ok`).
#[component]
pub fn Notice(
    #[prop(into)] message: Signal<Option<String>>,
    #[prop(optional)] class: Option<&'static str>,
) -> impl IntoView {
    let class = class.unwrap_or("notice");
    move || {
        message
            .get()
            .map(|m| view! { <p class=class role="status">{m}</p> })
    }
}
