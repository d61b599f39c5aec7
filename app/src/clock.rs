//! The store's clock on this device: "now" and "today" in store time, for every screen.
//!
//! The conversions are `domain::time::StoreClock`'s; this module only adds the device's
//! `Date.now()`. A page never does time-zone arithmetic of its own.

use domain::sales::chrono::{NaiveDate, NaiveDateTime};
use domain::time::{StoreClock, stored_date, stored_time};

thread_local! {
    /// The logged-in store's clock (`session.rs` keeps it in step with the session).
    static STORE_CLOCK: std::cell::Cell<StoreClock> = std::cell::Cell::new(StoreClock::default());
}

/// The store's clock: the time zone of the logged-in user's store (`/api/me` → `store.
/// utc_offset_minutes`), China Standard Time when logged out or unknown.
pub fn store_clock() -> StoreClock {
    STORE_CLOCK.with(std::cell::Cell::get)
}

/// Sets the store's clock (called by the session when the user or their store changes).
pub fn set_store_clock(clock: StoreClock) {
    STORE_CLOCK.with(|c| c.set(clock));
}

/// Now, in Unix milliseconds (the device's clock).
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The store's wall-clock time now.
pub fn now_local() -> NaiveDateTime {
    store_clock().local_ms(now_ms()).unwrap_or_default()
}

/// The store's date today.
pub fn today() -> NaiveDate {
    now_local().date()
}

/// Now as records store a time: `YYYY-MM-DDTHH:MM:SS`, store-local.
pub fn now_stored() -> String {
    stored_time(now_local())
}

/// Today as records store a date: `YYYY-MM-DD`, store-local.
pub fn today_stored() -> String {
    stored_date(today())
}
