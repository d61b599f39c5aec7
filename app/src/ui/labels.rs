//! The words for who and when: a user's name, a device's name, a moment in the store's time.

use domain::sales::chrono::{DateTime, NaiveDateTime, TimeDelta};
use leptos::prelude::*;

use crate::i18n::*;
use crate::session::use_session;

/// A user's display name (this user's own, or from the store's directory, kept on the device);
/// a short form of the id only while the directory does not know the user yet.
pub fn who(user_id: &str) -> String {
    let session = use_session();
    session
        .session
        .with_untracked(|s| {
            s.as_ref()
                .filter(|s| s.user.id == user_id)
                .map(|s| s.user.display_name.clone())
        })
        .unwrap_or_else(|| crate::directory::name_of_user(user_id))
}

/// A device's name: 本机 (its name) for this device, else its name from the store's directory,
/// else "设备" and its id's last digits.
pub fn device(i18n: I18nContext<Locale>, device_id: &uuid::Uuid) -> String {
    let session = use_session();
    let id = device_id.to_string();
    let own = session.session.with_untracked(|s| {
        s.as_ref()
            .filter(|s| s.device.id == id)
            .map(|s| s.device.name.clone())
    });
    if let Some(name) = own {
        return format!("{} ({name})", t_string!(i18n, conflicts.this_device));
    }
    crate::directory::name_of_device(&id).unwrap_or_else(|| {
        format!(
            "{} {}",
            t_string!(i18n, conflicts.other_device),
            crate::directory::short_id(&id).trim_start_matches('#')
        )
    })
}

/// A Unix time in ms on the store's clock.
fn store_local(ms: f64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms as i64).map(|t| t.naive_utc() + TimeDelta::hours(8))
}

/// A Unix time in ms as the store's local `YYYY-MM-DD HH:MM` (or only `HH:MM`).
pub fn local_time(ms: f64, with_date: bool) -> String {
    let format = if with_date { "%Y-%m-%d %H:%M" } else { "%H:%M" };
    store_local(ms)
        .map(|t| t.format(format).to_string())
        .unwrap_or_default()
}

/// A stored local time (`YYYY-MM-DDTHH:MM[:SS]`) as shown: `YYYY-MM-DD HH:MM`.
pub fn stored_time(stored: &str) -> String {
    stored.get(..16).unwrap_or_default().replace('T', " ")
}
