//! The words for who and when: a user's name, a device's name, a phone, a moment in the store's
//! time.

use domain::sales::chrono::NaiveDateTime;
use leptos::prelude::*;

use crate::clock::store_clock;
use crate::i18n::*;
use crate::session::use_session;

/// Words of the user interface, picked in the user's language: `|i| t_string!(i, some.key)`.
pub type Words = fn(I18nContext<Locale>) -> &'static str;

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

/// A stored phone as shown (`138 1234 5678`), or as typed when it does not parse.
pub fn phone_display(raw: &str) -> String {
    domain::sales::phone::parse(raw)
        .map(|p| p.display())
        .unwrap_or_else(|_| raw.to_string())
}

/// A Unix time in ms as the store's local `YYYY-MM-DD HH:MM` (or only `HH:MM`).
pub fn local_time(ms: f64, with_date: bool) -> String {
    store_clock()
        .local_ms(ms.max(0.0) as u64)
        .map(|t| minutes_text(&t, with_date))
        .unwrap_or_default()
}

/// A stored store-local time (`YYYY-MM-DDTHH:MM[:SS]`) as shown: `YYYY-MM-DD HH:MM` (empty
/// when it is not a time).
pub fn shown_time(stored: &str) -> String {
    store_clock()
        .parse(stored)
        .map(|t| minutes_text(&t, true))
        .unwrap_or_default()
}

/// `YYYY-MM-DD HH:MM` (or `HH:MM`), what chrono's `format("%Y-%m-%d %H:%M")` writes, without
/// its format-string machinery in the main wasm (the sync status shows a time at start).
fn minutes_text(t: &NaiveDateTime, with_date: bool) -> String {
    use domain::sales::chrono::{Datelike, Timelike};
    let time = format!("{:02}:{:02}", t.hour(), t.minute());
    if with_date {
        format!("{:04}-{:02}-{:02} {time}", t.year(), t.month(), t.day())
    } else {
        time
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_as_chrono_formats_them() {
        for stored in [
            "2026-03-05T07:09:59",
            "0987-12-31T23:00:00",
            "2026-11-30T00:00:00",
        ] {
            let t: NaiveDateTime = stored.parse().unwrap();
            assert_eq!(
                minutes_text(&t, true),
                t.format("%Y-%m-%d %H:%M").to_string()
            );
            assert_eq!(minutes_text(&t, false), t.format("%H:%M").to_string());
        }
    }
}
