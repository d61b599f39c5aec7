//! A page's panels: `<section class="panel">` labelled by its heading.

use leptos::prelude::*;

/// `<section class="panel …" aria-labelledby=id>` with its heading `<h2 id=id>` (`<h1>` for
/// the page's own heading), then the children. With `actions`, the heading and the actions
/// (links, buttons) stand in one `<div class="panel-head">`.
#[component]
pub fn Panel(
    /// The heading's id, which labels the section.
    id: &'static str,
    /// The heading's words.
    #[prop(into)]
    title: ViewFn,
    /// The heading is the page's (`<h1>`).
    #[prop(optional)]
    page: bool,
    /// Classes beside `panel`.
    #[prop(optional)]
    class: Option<&'static str>,
    /// Beside the heading.
    #[prop(optional, into)]
    actions: Option<ViewFn>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let class = match class {
        Some(c) => format!("panel {c}"),
        None => "panel".to_string(),
    };
    let heading = if page {
        view! { <h1 id=id>{title.run()}</h1> }.into_any()
    } else {
        view! { <h2 id=id>{title.run()}</h2> }.into_any()
    };
    let head = match actions {
        Some(actions) => {
            view! { <div class="panel-head">{heading}{actions.run()}</div> }.into_any()
        }
        None => heading,
    };
    view! {
        <section class=class aria-labelledby=id>
            {head}
            {children.map(|c| c())}
        </section>
    }
}
