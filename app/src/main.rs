//! forecourt's app: the Leptos single-page app staff use on tablets and PCs.
//!
//! Start-up: read the device's state from IndexedDB (device id, session, language), then draw
//! the first screen, so a logged-in user sees their work at once, with or without network.

mod api;
mod app;
mod blobs;
mod care;
mod clock;
mod components;
mod conflicts;
mod db;
mod directory;
mod history;
mod i18n;
mod kinds;
mod lazy_pages;
mod manage;
mod pages;
mod parts;
mod pwa;
mod sales;
mod service;
mod session;
mod shell;
mod sync;
mod ui;

use leptos::prelude::*;

fn main() {
    // A panic shows its message in the browser console instead of `unreachable`.
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let boot = session::Boot::load().await;
        // The "loading" placeholder of index.html.
        if let Some(placeholder) = document().get_element_by_id("boot") {
            placeholder.remove();
        }
        leptos::mount::mount_to_body(move || view! { <app::App boot=boot /> });
    });
}
