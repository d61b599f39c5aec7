//! The service worker (`public/sw.js`): registration, whether the app's files are on the device,
//! and switching to a new version.
//!
//! The worker installs only once every file of the app (the start files and every lazy page
//! pack) is in its cache; then it is active and [`OfflineReady`] becomes true, and the sync
//! status says 可离线使用: a tablet cut off from then on still opens every page.
//!
//! A new worker installs in the background and then waits. When one is waiting while an older
//! one controls this page, `ready` becomes true and the update banner appears; its button asks
//! the waiting worker to take over (`SKIP_WAITING`) and the page reloads once it has.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

thread_local! {
    static WAITING: RefCell<Option<ServiceWorker>> = const { RefCell::new(None) };
    static RELOAD_ON_CONTROL: Cell<bool> = const { Cell::new(false) };
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = window().navigator();
    // Absent on plain http from another host and in some private modes.
    let present = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    present.then(|| navigator.service_worker())
}

/// Whether the app's files are on this device: a service worker is active, so its install
/// (which precaches every file) has finished. In the context from the app's root.
#[derive(Clone, Copy)]
pub struct OfflineReady(pub ReadSignal<bool>);

/// Registers `/sw.js`; sets `ready` when a new version waits to take over; returns whether the
/// app's files are on the device (true once a service worker is active).
pub fn register(ready: RwSignal<bool>) -> OfflineReady {
    let offline = RwSignal::new(false);
    let Some(container) = container() else {
        return OfflineReady(offline.read_only());
    };

    // `ready` settles once a worker is active, i.e. has installed every file it precaches.
    if let Ok(active) = container.ready() {
        leptos::task::spawn_local(async move {
            if JsFuture::from(active).await.is_ok() {
                offline.set(true);
            }
        });
    }

    // The new worker took over because the user asked: load the page from it.
    let on_control = Closure::<dyn FnMut()>::new(|| {
        if RELOAD_ON_CONTROL.replace(false) {
            let _ = window().location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_control.as_ref().unchecked_ref()));
    on_control.forget();

    // The worker precaches every file of the app: registered once the page has loaded and is
    // idle, so that its downloads do not compete with what the first screen needs.
    when_idle(move || leptos::task::spawn_local(install(container, ready)));
    OfflineReady(offline.read_only())
}

/// How long after the page's `load` event it counts as idle.
const IDLE_AFTER_LOAD: Duration = Duration::from_millis(500);

/// Runs `f` once the page has loaded (its `load` event) and a moment after: for work the first
/// screen does not need (the service worker's precache, the sync engine of a logged-out device).
pub fn when_idle(f: impl FnOnce() + 'static) {
    let later = move || {
        set_timeout(f, IDLE_AFTER_LOAD);
    };
    let state = js_sys::Reflect::get(&document(), &"readyState".into()).ok();
    if state.and_then(|s| s.as_string()).as_deref() == Some("complete") {
        later();
    } else {
        let later = Cell::new(Some(later));
        let listener = Closure::<dyn FnMut()>::new(move || {
            if let Some(later) = later.take() {
                later();
            }
        });
        let _ = window().add_event_listener_with_callback_and_bool(
            "load",
            listener.as_ref().unchecked_ref(),
            true,
        );
        listener.forget();
    }
}

/// Registers `/sw.js` and follows its updates.
async fn install(container: ServiceWorkerContainer, ready: RwSignal<bool>) {
    {
        let registration = match JsFuture::from(container.register("/sw.js")).await {
            Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                leptos::logging::warn!("forecourt: service worker not registered: {e:?}");
                return;
            }
        };
        // Installed during an earlier visit and still waiting.
        if let Some(waiting) = registration.waiting() {
            offer(&container, waiting, ready);
        }
        let reg = registration.clone();
        let on_update = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = reg.installing() else {
                return;
            };
            let worker = installing.clone();
            let container = container.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed {
                    offer(&container, worker.clone(), ready);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
        on_update.forget();
    }
}

/// A worker is installed and waiting; offer it only if an older one runs this page (on the
/// very first visit there is nothing to update).
fn offer(container: &ServiceWorkerContainer, worker: ServiceWorker, ready: RwSignal<bool>) {
    if container.controller().is_none() {
        return;
    }
    WAITING.with(|w| *w.borrow_mut() = Some(worker));
    ready.set(true);
}

/// The update banner's button: the waiting worker takes over, then the page reloads.
pub fn apply_update() {
    let Some(worker) = WAITING.with(|w| w.borrow().clone()) else {
        let _ = window().location().reload();
        return;
    };
    RELOAD_ON_CONTROL.set(true);
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
    if worker.post_message(&message).is_err() {
        RELOAD_ON_CONTROL.set(false);
        let _ = window().location().reload();
    }
}
