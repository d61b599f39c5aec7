//! The store's clock: one reading of time for every screen and rule.
//!
//! A 4S store works in its own wall-clock time: a "day" of a KPI, a consultant's "today", the
//! month a loss belongs to are calendar days in the store's time zone (China Standard Time,
//! UTC+8, no daylight saving, unless the store's settings say otherwise). Records store local
//! times as `YYYY-MM-DDTHH:MM:SS` (no offset) and dates as `YYYY-MM-DD`; ops are stamped with
//! an HLC whose wall time is UTC milliseconds.
//!
//! [`StoreClock`] converts between the two and is the ONE parser of stored times: a time
//! without an offset is store-local as written; a time with an offset (`Z`, `+08:00`, …) is an
//! instant and is converted to store-local time. Rules take the clock (or "now") as an
//! argument; nothing in the domain reads the system clock.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::sync::Hlc;

/// The store's time zone, as a fixed offset from UTC (China has no daylight saving).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoreClock {
    offset_minutes: i32,
}

/// China Standard Time, the default of every store.
impl Default for StoreClock {
    fn default() -> Self {
        StoreClock::CHINA
    }
}

impl StoreClock {
    /// UTC+8.
    pub const CHINA: StoreClock = StoreClock {
        offset_minutes: 8 * 60,
    };

    /// A store `minutes` east of UTC (west is negative); `None` outside UTC−12…UTC+14.
    pub fn from_offset_minutes(minutes: i32) -> Option<StoreClock> {
        (-12 * 60..=14 * 60)
            .contains(&minutes)
            .then_some(StoreClock {
                offset_minutes: minutes,
            })
    }

    /// Minutes east of UTC.
    pub fn offset_minutes(self) -> i32 {
        self.offset_minutes
    }

    fn offset(self) -> FixedOffset {
        // In range by construction.
        FixedOffset::east_opt(self.offset_minutes * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("UTC"))
    }

    /// The store's wall-clock time of a UTC instant.
    pub fn local(self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.offset()).naive_local()
    }

    /// The store's wall-clock time of a moment in Unix milliseconds (a browser's `Date.now()`,
    /// an HLC's wall time); `None` past chrono's range.
    pub fn local_ms(self, ms: u64) -> Option<NaiveDateTime> {
        let ms = i64::try_from(ms).ok()?;
        DateTime::from_timestamp_millis(ms).map(|at| self.local(at))
    }

    /// The store-local day of a moment in Unix milliseconds.
    pub fn day_of_ms(self, ms: u64) -> Option<NaiveDate> {
        self.local_ms(ms).map(|t| t.date())
    }

    /// The store-local day an op was written (its HLC's wall time).
    pub fn day_of_hlc(self, hlc: Hlc) -> Option<NaiveDate> {
        self.day_of_ms(hlc.wall_ms)
    }

    /// The UTC instant of a store-local wall-clock time.
    pub fn instant(self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - chrono::Duration::minutes(i64::from(self.offset_minutes))).and_utc()
    }

    /// A stored time as the store's wall-clock time: `YYYY-MM-DDTHH:MM:SS` as written (a space
    /// for the `T`, missing seconds and a fraction are accepted: that is what a
    /// `datetime-local` input or a spreadsheet gives), or an RFC 3339 instant with an offset
    /// (`…Z`, `…+08:00`), converted to store-local time. Surrounding blanks are ignored.
    pub fn parse(self, s: &str) -> Option<NaiveDateTime> {
        let s = s.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(s) {
            return Some(self.local(at.to_utc()));
        }
        let s = s.replacen(' ', "T", 1);
        // "2026-03-14T09:05+08:00" (no seconds) is not RFC 3339 but still an instant.
        if let Ok(at) = DateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M%:z") {
            return Some(self.local(at.to_utc()));
        }
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
    }

    /// A stored date (`YYYY-MM-DD`), or the store-local date of a stored time.
    pub fn parse_date(self, s: &str) -> Option<NaiveDate> {
        let t = s.trim();
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .or_else(|| self.parse(t).map(|t| t.date()))
    }
}

/// A store-local time as records store it: `YYYY-MM-DDTHH:MM:SS`.
pub fn stored_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A date as records store it: `YYYY-MM-DD`.
pub fn stored_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    #[test]
    fn a_time_without_offset_is_store_local_as_written() {
        let c = StoreClock::default();
        assert_eq!(c.parse("2026-03-14T09:05:30"), Some(at(14, 9, 5, 30)));
        assert_eq!(c.parse("2026-03-14T09:05"), Some(at(14, 9, 5, 0)));
        assert_eq!(c.parse(" 2026-03-14 09:05 "), Some(at(14, 9, 5, 0)));
        assert_eq!(
            c.parse("2026-03-14 09:05:30.250").map(|t| t.date()),
            Some(at(14, 0, 0, 0).date())
        );
        // The offset of another store does not change a local time.
        let utc = StoreClock::from_offset_minutes(0).unwrap();
        assert_eq!(utc.parse("2026-03-14T09:05:30"), Some(at(14, 9, 5, 30)));
    }

    #[test]
    fn a_time_with_an_offset_is_an_instant_in_store_time() {
        let c = StoreClock::default();
        // 01:05 UTC is 09:05 in China: the three old parsers read this three ways.
        assert_eq!(c.parse("2026-03-14T01:05:00Z"), Some(at(14, 9, 5, 0)));
        assert_eq!(c.parse("2026-03-14T09:05:00+08:00"), Some(at(14, 9, 5, 0)));
        assert_eq!(c.parse("2026-03-13T17:05:00-08:00"), Some(at(14, 9, 5, 0)));
        assert_eq!(c.parse("2026-03-14T09:05+08:00"), Some(at(14, 9, 5, 0)));
        // Late evening UTC is the next morning in the store.
        assert_eq!(c.parse("2026-03-13T23:30:00Z"), Some(at(14, 7, 30, 0)));
        let utc = StoreClock::from_offset_minutes(0).unwrap();
        assert_eq!(
            utc.parse("2026-03-14T09:05:00+08:00"),
            Some(at(14, 1, 5, 0))
        );
    }

    #[test]
    fn what_is_not_a_time_is_none() {
        let c = StoreClock::default();
        for s in [
            "",
            "昨天",
            "14/03/2026",
            "2026-03-14",
            "2026-13-01T00:00:00",
            "2026-03-14T25:00",
        ] {
            assert_eq!(c.parse(s), None, "{s}");
        }
    }

    #[test]
    fn dates_of_stored_dates_and_times() {
        let c = StoreClock::default();
        let d = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        assert_eq!(c.parse_date("2026-03-14"), Some(d));
        assert_eq!(c.parse_date("2026-03-14T23:59:00"), Some(d));
        assert_eq!(c.parse_date("2026-03-13T20:00:00Z"), Some(d));
        assert_eq!(c.parse_date("14/03/2026"), None);
        assert_eq!(stored_date(d), "2026-03-14");
        assert_eq!(stored_time(at(14, 9, 5, 0)), "2026-03-14T09:05:00");
    }

    #[test]
    fn days_of_instants_and_hlcs() {
        let c = StoreClock::default();
        // 2026-03-13T16:30Z = 2026-03-14T00:30 in China.
        let ms = c.instant(at(14, 0, 30, 0)).timestamp_millis() as u64;
        assert_eq!(c.local_ms(ms), Some(at(14, 0, 30, 0)));
        assert_eq!(c.day_of_ms(ms), NaiveDate::from_ymd_opt(2026, 3, 14));
        assert_eq!(
            c.day_of_hlc(Hlc {
                wall_ms: ms,
                counter: 3
            }),
            NaiveDate::from_ymd_opt(2026, 3, 14)
        );
        let utc = StoreClock::from_offset_minutes(0).unwrap();
        assert_eq!(utc.day_of_ms(ms), NaiveDate::from_ymd_opt(2026, 3, 13));
        assert_eq!(c.day_of_ms(u64::MAX), None);
    }

    #[test]
    fn offsets_out_of_range_are_refused() {
        assert_eq!(StoreClock::from_offset_minutes(15 * 60), None);
        assert_eq!(StoreClock::from_offset_minutes(-13 * 60), None);
        assert_eq!(
            StoreClock::from_offset_minutes(480),
            Some(StoreClock::CHINA)
        );
        assert_eq!(StoreClock::default().offset_minutes(), 480);
    }
}
