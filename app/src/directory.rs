//! Who is who in the store: the people and devices behind the records, by name.
//!
//! `GET /api/directory` is fetched after a successful sync (at most once a minute, or sooner
//! when a screen asked for an id the kept copy does not know) and kept in IndexedDB `meta`
//! under `directory`, so names show offline too. Screens call [`name_of_user`] /
//! [`name_of_device`], which track the kept copy: a name appears as soon as it is known.

use std::cell::{Cell, RefCell};

use domain::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sync::store::{meta, set_meta};

/// The `meta` key of the kept directory.
const KEY: &str = "directory";
/// The least time between two fetches, unless a name was missing.
const REFRESH_MS: f64 = 60_000.0;
/// The least time between two fetches when a name was missing.
const MISSING_REFRESH_MS: f64 = 10_000.0;

/// A person of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// A tablet or PC of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceEntry {
    pub id: String,
    pub name: String,
    pub user_id: String,
}

/// The answer of `GET /api/directory`, as kept on the device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub users: Vec<Person>,
    pub devices: Vec<DeviceEntry>,
    /// The store it belongs to (not part of the answer; set when kept).
    #[serde(default)]
    pub store_id: String,
}

thread_local! {
    /// The kept directory (reference-counted, so no page owns it).
    static DIRECTORY: ArcRwSignal<Directory> = ArcRwSignal::new(Directory::default());
    /// Read from IndexedDB yet.
    static LOADED: Cell<bool> = const { Cell::new(false) };
    /// When it was last fetched (Unix ms) and whether a name was asked for that it lacked.
    static FETCHED_AT: Cell<f64> = const { Cell::new(0.0) };
    static MISSING: Cell<bool> = const { Cell::new(false) };
    static FETCHING: RefCell<bool> = const { RefCell::new(false) };
    /// The token and store of the last refresh, for a refresh a missing name asks for.
    static LAST: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

fn signal() -> ArcRwSignal<Directory> {
    let s = DIRECTORY.with(Clone::clone);
    if !LOADED.with(|l| l.replace(true)) {
        let s = s.clone();
        let store = own_store();
        leptos::task::spawn_local(async move {
            match meta::<Directory>(KEY).await {
                Ok(Some(kept)) => {
                    // A newer fetch may have landed meanwhile.
                    if s.with_untracked(|d| d.users.is_empty())
                        && (store.is_empty() || kept.store_id == store)
                    {
                        s.set(kept);
                    }
                }
                Ok(None) => {}
                Err(e) => leptos::logging::warn!("forecourt: cannot read the directory: {e}"),
            }
        });
    }
    s
}

/// The signed-in user's store ("" when unknown).
fn own_store() -> String {
    use_context::<crate::session::SessionCtx>()
        .and_then(|s| {
            s.session
                .with_untracked(|s| s.as_ref().map(|s| s.user.store_id.clone()))
        })
        .unwrap_or_default()
}

/// The store's sales consultants (by display name), tracking changes.
pub fn consultants() -> Vec<Person> {
    let mut out: Vec<Person> = signal().with(|d| {
        d.users
            .iter()
            .filter(|u| u.roles.contains(&Role::SalesConsultant))
            .cloned()
            .collect()
    });
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    out
}

/// Everyone of the store (by display name), tracking changes.
pub fn people() -> Vec<Person> {
    let mut out: Vec<Person> = signal().with(|d| d.users.clone());
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    out
}

/// The last six characters of an id: what is shown for someone this device cannot name yet.
pub fn short_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(6)..].iter().collect();
    format!("#{tail}")
}

/// The display name of user `id` (a uuid string): from the directory, else the signed-in
/// user's own name, else a short form of the id (and the directory is fetched again soon).
/// Tracks the directory, so the name appears once known.
pub fn name_of_user(id: &str) -> String {
    let id = id.trim();
    if id.is_empty() {
        return String::new();
    }
    let known = signal().with(|d| {
        d.users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(id))
            .map(|u| u.display_name.clone())
    });
    if let Some(name) = known {
        return name;
    }
    let own = use_context::<crate::session::SessionCtx>().and_then(|session| {
        session.session.with_untracked(|s| {
            s.as_ref()
                .filter(|s| s.user.id.eq_ignore_ascii_case(id))
                .map(|s| s.user.display_name.clone())
        })
    });
    own.unwrap_or_else(|| {
        missing();
        short_id(id)
    })
}

/// The name of device `id`, if the directory knows it. Tracks the directory.
pub fn name_of_device(id: &str) -> Option<String> {
    let found = signal().with(|d| {
        d.devices
            .iter()
            .find(|x| x.id.eq_ignore_ascii_case(id))
            .map(|x| x.name.clone())
    });
    if found.is_none() {
        missing();
    }
    found
}

/// A screen asked for someone the directory lacks (e.g. a device that logged in since the last
/// fetch): fetch it again soon (at most every [`MISSING_REFRESH_MS`]), not only after a sync.
fn missing() {
    if MISSING.with(|m| m.replace(true)) {
        return;
    }
    let wait = (FETCHED_AT.with(Cell::get) + MISSING_REFRESH_MS - js_sys::Date::now()).max(0.0);
    set_timeout(
        || {
            if let Some((token, store)) = LAST.with(|l| l.borrow().clone()) {
                refresh(token, store);
            }
        },
        std::time::Duration::from_millis(wait as u64 + 50),
    );
}

/// Fetches the directory if it is due (called after each successful sync) and keeps it.
pub fn refresh(token: String, store_id: String) {
    LAST.with(|l| *l.borrow_mut() = Some((token.clone(), store_id.clone())));
    let now = js_sys::Date::now();
    let since = now - FETCHED_AT.with(Cell::get);
    let due = since >= REFRESH_MS || (MISSING.with(Cell::get) && since >= MISSING_REFRESH_MS);
    if !due || FETCHING.with(|f| f.replace(true)) {
        return;
    }
    leptos::task::spawn_local(async move {
        match crate::api::get::<Directory>("/api/directory", Some(&token)).await {
            Ok(mut fresh) => {
                FETCHED_AT.with(|f| f.set(now));
                MISSING.with(|m| m.set(false));
                fresh.store_id = store_id;
                if let Err(e) = set_meta(KEY, &fresh).await {
                    leptos::logging::warn!("forecourt: cannot keep the directory: {e}");
                }
                let s = signal();
                if s.with_untracked(|d| d != &fresh) {
                    s.set(fresh);
                }
            }
            // Offline or refused: the kept copy stays; the next sync tries again.
            Err(e) => leptos::logging::warn!("forecourt: directory: {e}"),
        }
        FETCHING.with(|f| *f.borrow_mut() = false);
    });
}
