//! The one way to read a field of a [`RecordState`]. Every screen and rule reads fields through
//! these functions (or through the typed views of [`super::sales`]), so a field reads the same
//! everywhere.
//!
//! The rules:
//! - **text**: a JSON string that is not blank (only spaces); never written, `null`, `""`, a
//!   blank string or a non-string value is `None`. The text is returned as written (not trimmed).
//! - **flag** (bool): JSON `true` **or** the string `"true"` (trimmed, any case) is true;
//!   anything else (never written, `false`, `"false"`, `1`, `"yes"`) is false. Stores' old data
//!   and imports hold both spellings, so both count. [`opt_flag`] keeps "never written" apart.
//! - **number**: a JSON number, or text that parses as a number once trimmed.
//! - **uuid**: text that parses as a UUID once trimmed.
//! - **time / date**: text read by the store's clock ([`StoreClock::parse`] /
//!   [`StoreClock::parse_date`]): no offset = store-local as written; an offset = an instant
//!   converted to store time.
//! - **set**: the live elements; [`set_json`] the elements that are the JSON of a `T`.
//! - **log**: the entries in `(hlc, entry_id)` order, with the store-local time each was written.

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::sync::{LogEntry, RecordState};
use crate::time::StoreClock;

/// A field's text: a non-blank JSON string, as written.
pub fn text<'a>(r: &'a RecordState, field: &str) -> Option<&'a str> {
    r.value(field)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A field's text, owned.
pub fn string(r: &RecordState, field: &str) -> Option<String> {
    text(r, field).map(str::to_owned)
}

/// A field as shown where any value is shown as text: a string as written, a number or a bool
/// as its JSON text, "" when never written or `null`.
pub fn shown(r: &RecordState, field: &str) -> String {
    match r.value(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Whether a value is true by the flag rule: JSON `true` or the text `"true"` (trimmed, any case).
pub fn is_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A yes/no field by the flag rule (never written = false).
pub fn flag(r: &RecordState, field: &str) -> bool {
    r.value(field).is_some_and(is_true)
}

/// A yes/no field that may be unknown: JSON `true`/`false` or the text `"true"`/`"false"`
/// (trimmed, any case); anything else is `None`.
pub fn opt_flag(r: &RecordState, field: &str) -> Option<bool> {
    match r.value(field)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A number: a JSON number, or numeric text (trimmed).
pub fn number(r: &RecordState, field: &str) -> Option<f64> {
    match r.value(field)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A whole number: a JSON integer, or integer text (trimmed). `2.5` is `None`.
pub fn integer(r: &RecordState, field: &str) -> Option<i64> {
    match r.value(field)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A UUID written as text (trimmed), e.g. a user or record id.
pub fn uuid(r: &RecordState, field: &str) -> Option<Uuid> {
    text(r, field).and_then(|s| Uuid::parse_str(s.trim()).ok())
}

/// A stored time as the store's wall-clock time ([`StoreClock::parse`]).
pub fn time(r: &RecordState, field: &str, clock: StoreClock) -> Option<NaiveDateTime> {
    text(r, field).and_then(|s| clock.parse(s))
}

/// A stored date, or the store-local date of a stored time ([`StoreClock::parse_date`]).
pub fn date(r: &RecordState, field: &str, clock: StoreClock) -> Option<NaiveDate> {
    text(r, field).and_then(|s| clock.parse_date(s))
}

/// The live elements of a set field, sorted.
pub fn set(r: &RecordState, field: &str) -> Vec<String> {
    r.set(field).into_iter().map(str::to_owned).collect()
}

/// The elements of a set field that are the JSON of a `T`, with the exact stored element (what
/// a remove observes); other elements are skipped.
pub fn set_json<T: DeserializeOwned>(r: &RecordState, field: &str) -> Vec<(String, T)> {
    r.set(field)
        .into_iter()
        .filter_map(|e| serde_json::from_str(e).ok().map(|t| (e.to_owned(), t)))
        .collect()
}

/// One entry of a log field as read.
#[derive(Debug, Clone, PartialEq)]
pub struct LogItem {
    pub entry_id: Uuid,
    pub value: Value,
    /// The store-local time the entry was written (its HLC's wall time).
    pub written_at: Option<NaiveDateTime>,
    /// Who wrote it (the op's user id).
    pub user_id: String,
}

impl LogItem {
    fn of(e: &LogEntry, clock: StoreClock) -> LogItem {
        LogItem {
            entry_id: e.entry_id,
            value: e.value.clone(),
            written_at: clock.local_ms(e.hlc.wall_ms),
            user_id: e.user_id.clone(),
        }
    }

    /// A text member of the entry's JSON object (not blank).
    pub fn text(&self, key: &str) -> Option<&str> {
        self.value
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }
}

/// A log field's entries in `(hlc, entry_id)` order.
pub fn log(r: &RecordState, field: &str, clock: StoreClock) -> Vec<LogItem> {
    r.log(field)
        .into_iter()
        .map(|e| LogItem::of(e, clock))
        .collect()
}

/// The value of a status field as shown (the machine's initial state when never moved), for a
/// record of one of [`super::ALL`].
pub fn status(r: &RecordState, field: &str) -> Option<String> {
    let rt = super::ALL.iter().find(|t| t.name == r.record_type)?;
    r.status(rt, field).map(str::to_owned)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::records::{A_CARD, KEY_ACCOUNT};
    use crate::sync::{Edit, Hlc, Op, apply};
    use serde_json::json;

    const DEVICE: Uuid = Uuid::from_u128(0xD1);

    /// A record of `rt` after one op of `changes` at `wall_ms`.
    pub(crate) fn record_with(
        rt: &'static crate::sync::RecordType,
        id: u128,
        wall_ms: u64,
        f: impl FnOnce(&Edit<'_>) -> Vec<crate::sync::Change>,
    ) -> RecordState {
        let mut state = RecordState::new(Uuid::from_u128(id), rt.name, "demo");
        op_on(&mut state, rt, id << 8 | 1, wall_ms, f);
        state
    }

    /// Applies one more op (id `op`) to `state`.
    pub(crate) fn op_on(
        state: &mut RecordState,
        rt: &'static crate::sync::RecordType,
        op: u128,
        wall_ms: u64,
        f: impl FnOnce(&Edit<'_>) -> Vec<crate::sync::Change>,
    ) {
        let changes = f(&Edit::new(state, rt));
        let op = Op {
            op_id: Uuid::from_u128(op),
            device_id: DEVICE,
            user_id: "u1".into(),
            store_id: "demo".into(),
            record_id: state.id,
            record_type: rt.name.into(),
            hlc: Hlc::new(wall_ms, 0),
            changes,
        };
        apply(state, &op, rt).unwrap();
    }

    fn card(pairs: &[(&str, Value)]) -> RecordState {
        record_with(&A_CARD, 1, 1_000, |e| {
            pairs
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).unwrap())
                .collect()
        })
    }

    #[test]
    fn text_is_a_non_blank_string_as_written() {
        let r = card(&[
            ("name", json!(" 王建华 ")),
            ("phone", json!("")),
            ("district", json!("  ")),
            ("budget", json!(200000)),
            ("current_car", Value::Null),
        ]);
        assert_eq!(text(&r, "name"), Some(" 王建华 "));
        assert_eq!(string(&r, "name").as_deref(), Some(" 王建华 "));
        assert_eq!(text(&r, "phone"), None);
        assert_eq!(text(&r, "district"), None);
        assert_eq!(text(&r, "budget"), None, "a number is not text");
        assert_eq!(text(&r, "current_car"), None);
        assert_eq!(text(&r, "grade"), None, "never written");
        assert_eq!(shown(&r, "budget"), "200000");
        assert_eq!(shown(&r, "current_car"), "");
        assert_eq!(shown(&r, "grade"), "");
        assert_eq!(shown(&r, "phone"), "");
    }

    #[test]
    fn a_flag_is_json_true_or_the_text_true() {
        let r = card(&[
            ("name", json!(true)),
            ("phone", json!("true")),
            ("district", json!(" TRUE ")),
            ("budget", json!(false)),
            ("current_car", json!("false")),
            ("finance_interest", json!("yes")),
            ("source", json!(1)),
        ]);
        assert!(flag(&r, "name"));
        assert!(flag(&r, "phone"));
        assert!(flag(&r, "district"));
        assert!(!flag(&r, "budget"));
        assert!(!flag(&r, "current_car"));
        assert!(!flag(&r, "finance_interest"));
        assert!(!flag(&r, "source"));
        assert!(!flag(&r, "grade"), "never written");
        assert_eq!(opt_flag(&r, "name"), Some(true));
        assert_eq!(opt_flag(&r, "current_car"), Some(false));
        assert_eq!(opt_flag(&r, "budget"), Some(false));
        assert_eq!(opt_flag(&r, "finance_interest"), None);
        assert_eq!(opt_flag(&r, "grade"), None);
    }

    #[test]
    fn numbers_from_json_numbers_and_numeric_text() {
        let r = card(&[
            ("name", json!(3)),
            ("phone", json!(" 2.5 ")),
            ("district", json!("3 人")),
            ("budget", json!("12")),
            ("current_car", json!(2.5)),
        ]);
        assert_eq!(number(&r, "name"), Some(3.0));
        assert_eq!(number(&r, "phone"), Some(2.5));
        assert_eq!(number(&r, "district"), None);
        assert_eq!(number(&r, "grade"), None);
        assert_eq!(integer(&r, "name"), Some(3));
        assert_eq!(integer(&r, "budget"), Some(12));
        assert_eq!(integer(&r, "phone"), None);
        assert_eq!(integer(&r, "current_car"), None);
    }

    #[test]
    fn uuids_times_and_dates() {
        let id = Uuid::from_u128(0xA1);
        let r = card(&[
            ("consultant_id", json!(format!(" {id} "))),
            ("source", json!("王")),
            ("first_contact_at", json!("2026-03-14T09:05:00")),
            ("next_follow_up", json!("2026-03-16")),
            // An instant with an offset: 01:05 UTC is 09:05 in the store.
            ("loss_note", json!("2026-03-14T01:05:00Z")),
        ]);
        let clock = StoreClock::default();
        assert_eq!(uuid(&r, "consultant_id"), Some(id));
        assert_eq!(uuid(&r, "source"), None);
        assert_eq!(uuid(&r, "name"), None);
        let at = NaiveDate::from_ymd_opt(2026, 3, 14)
            .unwrap()
            .and_hms_opt(9, 5, 0)
            .unwrap();
        assert_eq!(time(&r, "first_contact_at", clock), Some(at));
        assert_eq!(time(&r, "loss_note", clock), Some(at));
        assert_eq!(time(&r, "next_follow_up", clock), None, "a date is no time");
        assert_eq!(time(&r, "name", clock), None);
        assert_eq!(date(&r, "first_contact_at", clock), Some(at.date()));
        assert_eq!(
            date(&r, "next_follow_up", clock),
            NaiveDate::from_ymd_opt(2026, 3, 16)
        );
        assert_eq!(date(&r, "source", clock), None);
    }

    #[test]
    fn sets_logs_and_status() {
        let r = record_with(&KEY_ACCOUNT, 2, 1_000, |e| {
            vec![
                e.set("name", json!("恒通物流")).unwrap(),
                e.append(
                    "visits",
                    Uuid::from_u128(0xE1),
                    json!({"date": "2026-03-02", "note": ""}),
                )
                .unwrap(),
            ]
        });
        let visits = log(&r, "visits", StoreClock::default());
        assert_eq!(visits.len(), 1);
        assert_eq!(visits[0].text("date"), Some("2026-03-02"));
        assert_eq!(visits[0].text("note"), None);
        assert_eq!(visits[0].user_id, "u1");
        // 1 s after the epoch is 08:00:01 in China.
        assert_eq!(
            visits[0].written_at.map(|t| t.to_string()),
            Some("1970-01-01 08:00:01".into())
        );
        assert!(log(&r, "decision_makers", StoreClock::default()).is_empty());

        let c = card(&[("name", json!("王"))]);
        assert_eq!(status(&c, "status").as_deref(), Some("following"));
        assert_eq!(status(&r, "status"), None, "no such field");
        let mut other = c.clone();
        other.record_type = "nothing".into();
        assert_eq!(status(&other, "status"), None);
        assert!(set(&c, "tags").is_empty());
    }

    #[test]
    fn set_elements_as_json() {
        #[derive(serde::Deserialize, PartialEq, Debug)]
        struct Tag {
            t: String,
        }
        let mut r = record_with(&A_CARD, 3, 2_000, |e| {
            vec![e.set_add("tags", r#"{"t":"vip"}"#).unwrap()]
        });
        op_on(&mut r, &A_CARD, 0x77, 3_000, |e| {
            vec![e.set_add("tags", "plain").unwrap()]
        });
        assert_eq!(set(&r, "tags"), vec!["plain", r#"{"t":"vip"}"#]);
        assert_eq!(
            set_json::<Tag>(&r, "tags"),
            vec![(r#"{"t":"vip"}"#.to_string(), Tag { t: "vip".into() })]
        );
    }
}
