//! Web Locks: one tab at a time runs the sync loop. Without `navigator.locks` every tab syncs
//! on its own, which is harmless (applying ops is idempotent, resends are acknowledged again).

use std::future::Future;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// Runs `work` while holding the exclusive lock `name` (waits for it if another tab has it).
pub async fn with_lock(name: &str, work: impl Future<Output = ()> + 'static) {
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("locks")).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks.as_ref().and_then(|l| {
        Reflect::get(l, &JsValue::from_str("request"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        work.await;
        return;
    };
    // The callback runs once the lock is granted; the lock is held until its promise settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        future_to_promise(async move {
            work.await;
            Ok(JsValue::UNDEFINED)
        })
    });
    match request.call2(&locks, &JsValue::from_str(name), &callback) {
        Ok(promise) => {
            if let Ok(promise) = promise.dyn_into::<Promise>() {
                let _ = JsFuture::from(promise).await;
            }
        }
        Err(e) => leptos::logging::warn!("forecourt: Web Locks refused: {e:?}"),
    }
}
