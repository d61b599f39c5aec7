//! Where a first sync's time goes (issue 14, BENCHMARKS.md "Device: first sync in chromium"):
//! summed per first sync, then written to the console and left on `window.forecourtFirstSync`
//! (JSON text), which `cargo xtask bench-device` reads.

use serde::Serialize;

/// A first sync's time, summed over its pages (milliseconds, `Date.now()`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FirstSyncTimes {
    /// Pages fetched and stored.
    pub pages: u32,
    /// Records stored.
    pub records: u64,
    /// Waiting for the first page.
    pub first_fetch_ms: f64,
    /// Parsing the pages (JSON text to records).
    pub parse_ms: f64,
    /// Storing the pages (from the first write issued to the transaction's end).
    pub store_ms: f64,
    /// Waiting for the next page after the page before was stored.
    pub fetch_wait_ms: f64,
    /// The rest: the memory cache, the other tabs, the screens told.
    pub other_ms: f64,
    /// From the start to the last page stored.
    pub total_ms: f64,
}

impl FirstSyncTimes {
    /// Writes the figures to the console and to `window.forecourtFirstSync`.
    pub fn publish(&self) {
        let text = serde_json::to_string(self).unwrap_or_default();
        leptos::logging::log!("forecourt: first sync: {text}");
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(
                &window,
                &wasm_bindgen::JsValue::from_str("forecourtFirstSync"),
                &wasm_bindgen::JsValue::from_str(&text),
            );
        }
    }
}
