//! Lists of items: one `<li>` per item, or the words for none.

use leptos::prelude::*;

use super::labels::Words;
use crate::i18n::*;

/// `<ul class=…>` (`<ol>` with `ordered`: a log, a sequence) with `item`'s `<li>` for each of
/// `items`; while there are none, `<p class="muted">` saying `empty` (nothing without it).
#[component]
pub fn ItemList<T, V, F>(
    /// The items, tracked.
    #[prop(into)]
    items: Signal<Vec<T>>,
    class: &'static str,
    #[prop(optional)] ordered: bool,
    #[prop(optional)] empty: Option<Words>,
    /// An item's `<li>`.
    item: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
{
    let i18n = use_i18n();
    move || {
        let items = items.get();
        if items.is_empty() {
            return none_note(i18n, empty);
        }
        let shown = items.into_iter().map(&item).collect_view();
        if ordered {
            view! { <ol class=class>{shown}</ol> }.into_any()
        } else {
            view! { <ul class=class>{shown}</ul> }.into_any()
        }
    }
}

/// What a list or a table shows instead of no items: `<p class="muted">` saying `words`
/// (nothing without words).
pub fn none_note(i18n: I18nContext<Locale>, words: Option<Words>) -> AnyView {
    words
        .map(|words| view! { <p class="muted">{move || words(i18n)}</p> })
        .into_any()
}
