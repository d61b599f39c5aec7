//! "有新版本 — 刷新以更新": shown when a new version of the app has been installed while this
//! one runs; the button switches to it (see `pwa.rs`).

use leptos::prelude::*;

use crate::i18n::*;
use crate::pwa;

#[component]
pub fn UpdateBanner(ready: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let updating = RwSignal::new(false);
    view! {
        <Show when=move || ready.get()>
            <div class="banner banner-update" role="status">
                <span>{t!(i18n, update.available)}</span>
                <button
                    type="button"
                    class="btn btn-primary"
                    disabled=move || updating.get()
                    on:click=move |_| {
                        updating.set(true);
                        pwa::apply_update();
                    }
                >
                    {t!(i18n, update.reload)}
                </button>
            </div>
        </Show>
    }
}
