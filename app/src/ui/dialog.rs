//! Modal dialogs.

use leptos::prelude::*;

/// `<div class="dialog-backdrop">` around `<div class="dialog panel" aria-modal="true">`
/// labelled by its heading `<h2 id=id>`, then the children; Escape calls `on_close`. `alert`
/// makes it an `alertdialog` (it confirms what cannot be undone); `described_by` names the
/// element that explains it.
#[component]
pub fn Dialog(
    id: &'static str,
    #[prop(into)] title: ViewFn,
    #[prop(optional)] alert: bool,
    #[prop(optional)] described_by: Option<&'static str>,
    on_close: impl Fn() + 'static,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog panel"
                role=if alert { "alertdialog" } else { "dialog" }
                aria-modal="true"
                aria-labelledby=id
                aria-describedby=described_by
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        on_close();
                    }
                }
            >
                <h2 id=id>{title.run()}</h2>
                {children()}
            </div>
        </div>
    }
}
