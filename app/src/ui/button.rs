//! A form's submit button while its edit runs.

use leptos::prelude::*;

use super::labels::Words;
use crate::i18n::*;

/// `<button type="submit">` saying `label`, or `working` while `busy`; meanwhile it is
/// `aria-disabled` (it stays focusable; the form's handler ignores a press while busy).
/// `class` is `btn btn-primary` unless given.
#[component]
pub fn SubmitButton(
    #[prop(into)] busy: Signal<bool>,
    label: Words,
    working: Words,
    #[prop(optional)] class: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="submit"
            class=class.unwrap_or("btn btn-primary")
            aria-disabled=move || busy.get().then_some("true")
        >
            {move || if busy.get() { working(i18n) } else { label(i18n) }}
        </button>
    }
}
