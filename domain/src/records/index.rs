//! What a device indexes of a record, so that lists and the search read a page at a time
//! instead of every record (IndexedDB version 4, `app/src/db.rs`).
//!
//! [`keys`] is the one place the index fields are computed; the app writes them wherever it
//! puts a record (own edits, pulled ops, snapshot pages, the re-index after the upgrade).
//! A record in the bin has no index fields besides its type, so it is in no list nor search.
//!
//! - `owner`: who the record is for (the consultant of an A-card, C-card, visit, test drive or
//!   order; the assignee of a care task; the one responsible for a key account), or `""`;
//!   absent for a type without such a field (so in no `by_owner`).
//! - `status`: the status as shown (the machine's initial state when never moved); absent for
//!   a type without a status (so in no `by_status`).
//! - `day`: the record's date in the store's time zone, `YYYY-MM-DD`, or [`NO_DAY`] (which
//!   sorts after every date): an A-card's next follow-up, a care task's due time, a visit's
//!   arrival, a test drive's follow-up, an order's promised date, a C-card's delivery date, an
//!   appointment's slot, a broadcast message's day (a task's message has none) — but a closed
//!   A-card (lost, ordered, delivered) or order (delivered, cancelled) is listed by the day it
//!   closed, `~YYYY-MM-DD` (`sales::kpi_reads::closed_key`, after every date and after
//!   [`NO_DAY`]: the sales figures read the cards and orders closed since a period's first day,
//!   docs/sync.md); [`NO_DAY`] too for a type with an owner or a status but no day field
//!   (a repair order, a key account: `day` is a member of `by_owner`'s and `by_status`'s keys,
//!   [`has_day`]); absent for any other type (so in no `by_day`).
//! - `name`: the name shown (the tie-break of lists sorted by day), or `""`.
//! - `made`: the store-local day the record was made, `YYYY-MM-DD` ([`made_field`]: an A-card's
//!   first contact, a visit's arrival, a test drive's start, an order's signing, a repair order's
//!   reception; else the day of
//!   its first op), or [`NO_DAY`]: the cards built today, a period's new records.
//! - `terms`: the search terms ([`terms`]) of the types in [`SEARCHED`], and an A-card's phone
//!   key ([`phone_key`], for the 撞单 queue).
//! - `links`: the ids of the records this one belongs to ([`LINK_FIELDS`]: an A-card's visits,
//!   test drives and orders; a C-card's care tasks; a repair order's lines…), so that a record
//!   page reads its own records and not every record of their type.
//! - `flags`: [`FLAG_CONFLICT`] when the record has an open conflict, [`FLAG_BIN`] when it is in
//!   the bin (kept for records in the bin too), so that the header's conflict count, the
//!   conflicts page and the bin read only those.
//!
//! Every index entry costs a first sync its write (a 100,000-record store is ~100,000 values
//! and, per value, one entry per index it is in): a field no screen reads a type by is left
//! out for that type, and a type is listed whole through `by_made`'s `[type]` prefix (every
//! live record has a `made`) rather than an index of its own.
//!
//! [`WHOLE_TYPES`] are the small types a device keeps in memory whole (settings, the rota,
//! key accounts): every other type is read through the indexes, a page or a record at a time.

use std::collections::BTreeSet;

use super::field;
use crate::sales::kpi_reads::{closed_key, closed_on};
use crate::sales::phone;
use crate::sync::{FieldKind, RecordState};
use crate::time::StoreClock;

/// The version of the index fields [`keys`] computes and of the stored value's form (5: the
/// record's text is the compact one, `sync::compact`; 6: a closed A-card's or order's `day` is
/// the day it closed, `sales::kpi_reads::closed_key`; 7: fewer [`terms`]; 8: a broadcast
/// message's `day`): raised whenever they change, so that a device rewrites its stored records (`app/src/sync/store.rs`, `reindex`) and uses a snapshot
/// page's ready-made values ([`device_value`], `GET /api/sync/snapshot?index=`) only when they
/// are of its own version.
pub const VERSION: u32 = 8;

/// The `day` of a record without a date: sorts after every `YYYY-MM-DD`.
pub const NO_DAY: &str = "~";

/// The record types the header's search finds (手机号、姓名、车牌、VIN).
pub const SEARCHED: [&str; 2] = ["a_card", "c_card"];

/// The record types small enough for a device to hold in memory whole: one or a few records per
/// store (settings), one per day (the rota) or a few hundred (key accounts, the parts catalogue
/// with its stock moves, the reservations and emergency orders of the parts desk), or one per
/// month (the store's costs). Every other type is read through the indexes
/// (`app/src/sync/read.rs`).
pub const WHOLE_TYPES: [&str; 8] = [
    "sales_settings",
    "service_settings",
    "reception_rota",
    "key_account",
    "store_costs",
    "part",
    "part_reservation",
    "parts_order",
];

/// Whether records of `record_type` are held in memory whole ([`WHOLE_TYPES`]).
pub fn is_whole(record_type: &str) -> bool {
    WHOLE_TYPES.contains(&record_type)
}

/// The fields whose value is the id of the record a record belongs to (its `links`).
pub const LINK_FIELDS: [&str; 7] = [
    "a_card_id",
    "c_card_id",
    "order_id",
    "ro_id",
    "appointment_id",
    "referrer_card_id",
    "key_account_id",
];

/// The flag of a record with an open conflict.
pub const FLAG_CONFLICT: &str = "conflict";
/// The flag of a record in the bin.
pub const FLAG_BIN: &str = "bin";

/// The shortest tail of a phone number (尾号) that is a search term of its own.
pub const PHONE_TAIL: usize = 4;

/// The start of an A-card's phone key among its [`terms`] ([`phone_key`]): a character nobody
/// types, so no search finds it, and every phone key sorts apart from the other terms.
pub const PHONE_KEY: char = '\u{1}';

/// An A-card's phone key: [`PHONE_KEY`] and its canonical phone (`sales::phone::normalise`, as
/// the 撞单 rule groups cards: `sales::duplicate::contact_of`), or `None` (another type, no
/// phone or one that does not validate). The device's 撞单 queue walks these keys of the
/// `by_term` index (only the keys, in order) to find the phones on more than one card
/// (`app/src/sales/duplicate_read.rs`), without reading the cards.
pub fn phone_key(record: &RecordState) -> Option<String> {
    if record.record_type != "a_card" {
        return None;
    }
    let canonical = phone::normalise(&field::string(record, "phone")?).ok()?;
    Some(format!("{PHONE_KEY}{canonical}"))
}

/// The shortest tail of a VIN that is a search term of its own (the last six are what a
/// customer reads from the windscreen or the registration).
pub const VIN_TAIL: usize = 6;

/// The index fields of one record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexKeys {
    /// False for a record in the bin: only the type is indexed.
    pub live: bool,
    /// `None` for a type without an owner field ([`has_owner`]).
    pub owner: Option<String>,
    /// `None` for a type without a status.
    pub status: Option<String>,
    /// `None` for a type without a day field, an owner or a status ([`has_day`]).
    pub day: Option<String>,
    pub name: String,
    /// The day the record was made (`YYYY-MM-DD`), or [`NO_DAY`].
    pub made: String,
    /// Search terms, sorted and without repeats.
    pub terms: Vec<String>,
    /// The ids of the records this one belongs to ([`LINK_FIELDS`]), sorted, without repeats.
    pub links: Vec<String>,
    /// [`FLAG_CONFLICT`], [`FLAG_BIN`] (also for a record in the bin).
    pub flags: Vec<String>,
    /// An A-card being followed: its follow-up inputs as one text
    /// (`sales::grade::FollowUpCard::key`, e.g. `H|2026-05-03|2026-05-08`), so that Today reads
    /// the cards being followed and what it needs of them without reading the records; `None`
    /// for any other record (so it is in no such index).
    pub follow: Option<String>,
}

/// The field whose value is the record's owner, by type.
fn owner_field(record_type: &str) -> Option<&'static str> {
    match record_type {
        "a_card" | "c_card" | "visit" | "test_drive" | "order" => Some("consultant_id"),
        "care_task" => Some("assignee_id"),
        "key_account" => Some("responsible_id"),
        _ => None,
    }
}

/// The record types with a `day` (the types [`day_field`] knows): the others are in no
/// `by_day`.
pub const DAY_TYPES: [&str; 10] = [
    "a_card",
    "care_task",
    "visit",
    "test_drive",
    "order",
    "c_card",
    "appointment",
    "reception_rota",
    "service_history",
    "message",
];

/// Whether records of `record_type` have an owner (are in `by_owner`).
pub fn has_owner(record_type: &str) -> bool {
    owner_field(record_type).is_some()
}

/// Whether records of `record_type` have a status (a `status` field with a state machine: they
/// are in `by_status`).
pub fn has_status(record_type: &str) -> bool {
    crate::records::ALL
        .iter()
        .any(|rt| rt.name == record_type && matches!(rt.kind("status"), Some(FieldKind::Status(_))))
}

/// Whether records of `record_type` have a `day` ([`NO_DAY`] when the type has no day field):
/// the types of [`DAY_TYPES`], and every type with an owner or a status, since `day` is a
/// member of `by_owner`'s and `by_status`'s keys ([`OWNER_PATH`], [`STATUS_PATH`]) and an
/// IndexedDB index leaves out a value missing any member of its key path (a repair order
/// without a `day` would be in no `by_status` page: the service board's open ROs).
pub fn has_day(record_type: &str) -> bool {
    day_field(record_type).is_some() || has_owner(record_type) || has_status(record_type)
}

/// The key path of the index `by_owner`: a person's records by day.
///
/// No compound path ends in the record's `id`: an index orders the records of one key by their
/// primary key (the id) already, and a list pages on from the last key and id
/// (`app/src/sync/store.rs`, `page`): the id in the key made every entry ~80 bytes longer, and
/// a first sync's cost grows with the bytes it writes (issue 14).
pub const OWNER_PATH: [&str; 4] = ["type", "owner", "day", "name"];
/// The key path of the index `by_status`: the records in a status by day.
pub const STATUS_PATH: [&str; 4] = ["type", "status", "day", "name"];
/// The key path of the index `by_day`: a type's records by day.
pub const DAY_PATH: [&str; 3] = ["type", "day", "name"];
/// The key path of the index `by_made`: a type's records by the day each was made (and a
/// type whole, through its `[type]` prefix).
pub const MADE_PATH: [&str; 2] = ["type", "made"];
/// The key path of the index `by_follow`: the A-cards being followed, by owner.
pub const FOLLOW_PATH: [&str; 3] = ["type", "owner", "follow"];

/// The compound indexes of a device's `records` (`app/src/db.rs`), by name, with their key
/// paths: a value is in one only when it has every member of the path, so the member that
/// selects a record into the index (the second; `follow` for `by_follow`) must come with all
/// the others ([`keys`]).
pub const COMPOUND: [(&str, &[&str]); 5] = [
    ("by_owner", &OWNER_PATH),
    ("by_status", &STATUS_PATH),
    ("by_day", &DAY_PATH),
    ("by_made", &MADE_PATH),
    ("by_follow", &FOLLOW_PATH),
];

/// The field whose date is the record's `day`, by type.
fn day_field(record_type: &str) -> Option<&'static str> {
    match record_type {
        "a_card" => Some("next_follow_up"),
        "care_task" => Some("due_at"),
        "visit" => Some("time_in"),
        "test_drive" => Some("follow_up_date"),
        "order" => Some("promised_date"),
        "c_card" => Some("delivery_date"),
        "appointment" => Some("slot_at"),
        "reception_rota" | "service_history" => Some("date"),
        // A holiday / weather broadcast's day (`care::broadcast`): the month's broadcasts.
        "message" => Some("broadcast_on"),
        _ => None,
    }
}

/// The field whose date is the day the record was made, by type (else its first op's day).
fn made_field(record_type: &str) -> Option<&'static str> {
    match record_type {
        "a_card" => Some("first_contact_at"),
        "visit" => Some("time_in"),
        "test_drive" => Some("started_at"),
        "order" => Some("signed_at"),
        "service_history" => Some("date"),
        "repair_order" => Some("received_at"),
        _ => None,
    }
}

/// The field whose text is the record's `name`, by type.
fn name_field(record_type: &str) -> Option<&'static str> {
    match record_type {
        "care_task" => Some("customer_name"),
        "a_card" | "c_card" | "key_account" => Some("name"),
        _ => None,
    }
}

/// The flags of `record` ([`FLAG_CONFLICT`], [`FLAG_BIN`]), in that order.
pub fn flags(record: &RecordState) -> Vec<String> {
    let mut out = Vec::new();
    let conflicted = crate::records::ALL
        .iter()
        .find(|t| t.name == record.record_type)
        .is_some_and(|rt| !record.is_empty() && !record.conflicts(rt).is_empty());
    if conflicted {
        out.push(FLAG_CONFLICT.to_string());
    }
    if record.is_deleted() {
        out.push(FLAG_BIN.to_string());
    }
    out
}

/// The ids of the records `record` belongs to: the values of its [`LINK_FIELDS`].
pub fn links(record: &RecordState) -> Vec<String> {
    let set: BTreeSet<String> = LINK_FIELDS
        .iter()
        .filter_map(|f| field::string(record, f))
        .filter(|v| !v.is_empty())
        .collect();
    set.into_iter().collect()
}

/// `record` as a device stores it in IndexedDB's `records` (`app/src/db.rs`): `type`, `id`,
/// `json` (the record's compact text, `sync::compact::to_text`) and the index fields of [`keys`] (`owner`,
/// `status`, `day` when its type has them, `name`, `made`, `terms`, `links` and `follow` when
/// there is one, for a record not in the bin; `flags` always). A snapshot page can carry records in this form, so a
/// new device stores them without reading them (docs/sync.md, "First sync").
pub fn device_value(record: &RecordState, clock: StoreClock) -> serde_json::Value {
    use serde_json::{Map, Value};
    let k = keys(record, clock);
    let mut v = Map::new();
    v.insert("type".into(), record.record_type.clone().into());
    v.insert("id".into(), record.id.to_string().into());
    v.insert("json".into(), crate::sync::compact::to_text(record).into());
    if k.live {
        for (f, value) in [
            ("owner", k.owner),
            ("status", k.status),
            ("day", k.day),
            ("name", Some(k.name)),
            ("made", Some(k.made)),
        ] {
            if let Some(value) = value {
                v.insert(f.into(), value.into());
            }
        }
        v.insert("terms".into(), k.terms.into());
        v.insert("links".into(), k.links.into());
        if let Some(follow) = k.follow {
            v.insert("follow".into(), follow.into());
        }
    }
    v.insert("flags".into(), k.flags.into());
    Value::Object(v)
}

/// The index fields of `record` ([module docs](self)).
pub fn keys(record: &RecordState, clock: StoreClock) -> IndexKeys {
    if record.is_deleted() {
        return IndexKeys {
            flags: flags(record),
            ..IndexKeys::default()
        };
    }
    let rt = record.record_type.as_str();
    let text = |f: Option<&str>| f.and_then(|f| field::string(record, f)).unwrap_or_default();
    IndexKeys {
        live: true,
        owner: owner_field(rt).map(|f| field::string(record, f).unwrap_or_default()),
        status: field::status(record, "status"),
        day: has_day(rt).then(|| match closed_on(record, clock) {
            Some(closed) => closed_key(closed),
            None => day_field(rt)
                .and_then(|f| field::date(record, f, clock))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| NO_DAY.to_string()),
        }),
        name: text(name_field(rt)),
        made: made_field(rt)
            .and_then(|f| field::date(record, f, clock))
            .or_else(|| record.created.and_then(|h| clock.day_of_hlc(h)))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| NO_DAY.to_string()),
        terms: terms(record),
        links: links(record),
        flags: flags(record),
        follow: (rt == "a_card")
            .then(|| super::sales::follow_up_card(record, clock))
            .flatten()
            .map(|c| c.key()),
    }
}

/// A text as a search term or query: ASCII letters upper-case, without white space, control
/// characters (so no query is a [`PHONE_KEY`]) and the separators people type in plates and
/// numbers (`-`, `·`, `.`).
pub fn normalise_term(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '-' | '·' | '.' | '•'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The search terms of a record of one of [`SEARCHED`] (none for other types): its name; its
/// phone's digits (the canonical number's, or as typed) and the last [`PHONE_TAIL`] digits; for
/// a C-card, its plate from its first letter or digit on (`京A12345` → `A12345`; the plate as
/// written is [`province_plate`]), its VIN and the VIN's last [`VIN_TAIL`] characters. A query
/// matches a record when it is a prefix of one of these ([`matches`]).
///
/// The device stores them less a mobile number's digits, plus the phone key ([`terms`]).
fn search_terms(record: &RecordState) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if !SEARCHED.contains(&record.record_type.as_str()) {
        return out;
    }
    let mut add = |t: String| {
        if !t.is_empty() {
            out.insert(t);
        }
    };
    if let Some(name) = field::string(record, "name") {
        add(normalise_term(&name));
    }
    if let Some(digits) = phone_digits(record) {
        if digits.len() > PHONE_TAIL {
            add(digits[digits.len() - PHONE_TAIL..].to_string());
        }
        add(digits);
    }
    if record.record_type == "c_card" {
        if let Some(plate) = field::string(record, "plate") {
            add(plate_term(&plate));
        }
        if let Some(vin) = field::string(record, "vin") {
            let vin = normalise_term(&vin);
            let n = vin.chars().count();
            if n > VIN_TAIL {
                add(vin.chars().skip(n - VIN_TAIL).collect());
            }
            add(vin);
        }
    }
    out
}

/// The digits of a record's phone: the canonical number's (`sales::phone::normalise`), or as
/// typed.
fn phone_digits(record: &RecordState) -> Option<String> {
    let typed = field::string(record, "phone")?;
    Some(
        phone::normalise(&typed)
            .unwrap_or(typed)
            .chars()
            .filter(char::is_ascii_digit)
            .collect(),
    )
}

/// A C-card's plate as written with the province character before its first letter or digit
/// (`京A12345`), normalised; `None` when it has none (then the plate is a search term as it is).
/// A query finds it when it is a prefix and holds a letter or digit (`京A1`; not `京` alone,
/// which every car of the province shares).
fn province_plate(record: &RecordState) -> Option<String> {
    if record.record_type != "c_card" {
        return None;
    }
    let plate = normalise_term(&field::string(record, "plate")?);
    let latin = latin_part(&plate);
    (!latin.is_empty() && latin != plate).then_some(plate)
}

/// The term a C-card's plate is stored as in `by_term` ([`terms`]): normalised, from its first
/// letter or digit on (`京A·12345` → `A12345`), or whole when it has neither.
pub fn plate_term(plate: &str) -> String {
    let plate = normalise_term(plate);
    let latin = latin_part(&plate);
    if latin.is_empty() { plate } else { latin }
}

/// A plate (or a query) from its first letter or digit on: `京A12345` → `A12345`.
fn latin_part(text: &str) -> String {
    text.chars()
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .collect()
}

/// The terms a device indexes (`by_term`, one entry each; a first sync writes every one): the
/// [`search_terms`] and an A-card's [`phone_key`] (the 撞单 queue), less an A-card's phone
/// digits when they are its phone key's (a mobile number: the search looks for `PHONE_KEY` +
/// the query's digits too, [`lookups`]). A C-card's plate is stored from its first letter or
/// digit on only: the search looks for a query's part from there on too, and keeps the records
/// [`matches`] finds.
pub fn terms(record: &RecordState) -> Vec<String> {
    let mut out = search_terms(record);
    if let Some(key) = phone_key(record) {
        if let Some(digits) = phone_digits(record)
            && key.strip_prefix(PHONE_KEY) == Some(digits.as_str())
        {
            out.remove(&digits);
        }
        out.insert(key);
    }
    out.into_iter().collect()
}

/// The prefixes of `by_term` the search reads for `input` ([`query`]): the query itself; for a
/// query of digits, also [`PHONE_KEY`] and the digits (an A-card's mobile number is stored as
/// its phone key only, [`terms`]); for a query with a province character before a letter or
/// digit, also its part from that letter on (a plate is stored without it). What these find is
/// then narrowed to the records [`matches`] finds. Empty when there is nothing to look for.
pub fn lookups(input: &str) -> Vec<String> {
    let Some(q) = query(input) else {
        return Vec::new();
    };
    let mut out = vec![q.clone()];
    if q.chars().all(|c| c.is_ascii_digit()) {
        out.push(format!("{PHONE_KEY}{q}"));
    }
    let latin = latin_part(&q);
    if !latin.is_empty() && latin != q {
        out.push(latin);
    }
    out
}

/// What a search field's text looks for: the prefix of a term ([`terms`]), or `None` when
/// there is nothing to look for. A text of digits and phone separators (`+86 138-1234`) looks
/// for its digits.
pub fn query(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let phone_like = trimmed.chars().any(|c| c.is_ascii_digit())
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "+-()".contains(c));
    let q = if phone_like {
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        // `+86 138…` and `0086 138…`: the number people store is without the country code.
        digits
            .strip_prefix("0086")
            .or_else(|| {
                trimmed
                    .starts_with('+')
                    .then(|| digits.strip_prefix("86"))?
            })
            .map(str::to_string)
            .unwrap_or(digits)
    } else {
        normalise_term(trimmed)
    };
    (!q.is_empty()).then_some(q)
}

/// Whether `record` is found by the search text `input`: `input`'s [`query`] is a prefix of one
/// of the record's search terms ([`search_terms`]), or of its plate as written
/// ([`province_plate`]) and holds a letter or digit. The index answers it through [`lookups`] of
/// the stored [`terms`] (a test shows it finds every record this finds).
pub fn matches(record: &RecordState, input: &str) -> bool {
    query(input).is_some_and(|q| {
        search_terms(record).iter().any(|t| t.starts_with(&q))
            || (!latin_part(&q).is_empty()
                && province_plate(record).is_some_and(|p| p.starts_with(&q)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::field::tests::{op_on, record_with};
    use crate::records::{A_CARD, C_CARD, CARE_TASK, VISIT};
    use serde_json::{Value, json};

    const C: StoreClock = StoreClock::CHINA;

    fn rec(rt: &'static crate::sync::RecordType, pairs: &[(&str, Value)]) -> RecordState {
        record_with(rt, 7, 1_000, |e| {
            pairs
                .iter()
                .map(|(f, v)| e.set(f, v.clone()).unwrap())
                .collect()
        })
    }

    #[test]
    fn an_appointment_is_listed_on_the_day_of_its_slot() {
        let appt = rec(
            &crate::records::APPOINTMENT,
            &[("slot_at", json!("2026-12-08T14:30:00"))],
        );
        let k = keys(&appt, C);
        assert_eq!(
            (k.day.as_deref(), k.status.as_deref()),
            (Some("2026-12-08"), Some("booked"))
        );
    }

    #[test]
    fn an_a_card_is_indexed_by_consultant_status_follow_up_and_name() {
        let card = rec(
            &A_CARD,
            &[
                ("name", json!("王建华")),
                ("phone", json!("138 1234 5678")),
                ("consultant_id", json!("wang")),
                ("next_follow_up", json!("2026-03-16")),
                ("first_contact_at", json!("2026-03-09T10:00:00")),
            ],
        );
        let k = keys(&card, C);
        assert_eq!(k.made, "2026-03-09");
        assert!(k.live);
        assert_eq!(k.owner.as_deref(), Some("wang"));
        assert_eq!(k.status.as_deref(), Some("following"));
        assert_eq!(k.day.as_deref(), Some("2026-03-16"));
        assert_eq!(k.name, "王建华");
        assert_eq!(
            k.terms,
            vec!["\u{1}13812345678", "5678", "王建华"],
            "a mobile number's digits are its phone key's"
        );
        assert_eq!(
            k.follow.as_deref(),
            Some("C|2026-03-09|2026-03-16"),
            "no grade reads as C; the first contact is the last contact"
        );
    }

    #[test]
    fn only_an_a_card_being_followed_is_in_the_follow_up_index() {
        let mut card = rec(
            &A_CARD,
            &[
                ("grade", json!("H")),
                ("first_contact_at", json!("2026-03-09T10:00:00")),
            ],
        );
        let follow = keys(&card, C).follow.expect("a card being followed");
        let read = crate::sales::grade::FollowUpCard::from_key(card.id, &follow);
        assert_eq!(read, super::super::sales::follow_up_card(&card, C));
        op_on(&mut card, &A_CARD, 98, 2_000, |e| {
            vec![e.transition("status", "ordered").unwrap()]
        });
        assert_eq!(keys(&card, C).status.as_deref(), Some("ordered"));
        assert_eq!(
            keys(&card, C).follow,
            None,
            "an ordered card is not followed"
        );
        let no_contact = rec(&A_CARD, &[("grade", json!("H"))]);
        assert_eq!(keys(&no_contact, C).follow, None, "nobody met them yet");
        let visit = rec(&VISIT, &[("time_in", json!("2026-03-09T10:00:00"))]);
        assert_eq!(keys(&visit, C).follow, None);
    }

    #[test]
    fn a_device_value_is_the_record_s_text_and_its_index_fields() {
        let card = rec(
            &A_CARD,
            &[
                ("name", json!("王建华")),
                ("phone", json!("13812345678")),
                ("consultant_id", json!("wang")),
                ("first_contact_at", json!("2026-03-09T10:00:00")),
            ],
        );
        let v = device_value(&card, C);
        let k = keys(&card, C);
        assert_eq!(v["type"], "a_card");
        assert_eq!(v["id"], card.id.to_string());
        // The compact text (a third of the serde form's size), read back whole.
        let text = v["json"].as_str().unwrap();
        assert!(text.starts_with(crate::sync::compact::PREFIX), "{text}");
        assert!(text.len() * 2 < serde_json::to_string(&card).unwrap().len());
        assert_eq!(crate::sync::compact::from_text(text).unwrap(), card);
        for (f, want) in [
            ("owner", k.owner.as_deref()),
            ("status", k.status.as_deref()),
            ("day", k.day.as_deref()),
            ("name", Some(k.name.as_str())),
            ("made", Some(k.made.as_str())),
        ] {
            assert_eq!(v[f], want.unwrap(), "{f}");
        }
        assert_eq!(v["terms"], json!(k.terms));
        assert_eq!(v["links"], json!([]));
        assert_eq!(v["flags"], json!([]));
        assert_eq!(v["follow"], json!(k.follow.unwrap()));
        // In the bin: the type, id, text and flags only (so in no list).
        let mut gone = card.clone();
        op_on(&mut gone, &A_CARD, 97, 3_000, |e| vec![e.delete()]);
        let v = device_value(&gone, C);
        let mut fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["flags", "id", "json", "type"]);
        assert_eq!(v["flags"], json!([FLAG_BIN]));
    }

    #[test]
    fn a_record_without_a_date_sorts_after_every_date() {
        let card = rec(&A_CARD, &[("name", json!("李"))]);
        let k = keys(&card, C);
        assert_eq!(k.day.as_deref(), Some(NO_DAY));
        assert!(NO_DAY > "9999-12-31");
        assert_eq!(
            k.owner.as_deref(),
            Some(""),
            "an A-card without a consultant"
        );
    }

    /// The month's broadcasts are read by their day (`care::broadcast`, 客服月报); a task's
    /// message has none, so no period's read finds it.
    #[test]
    fn a_broadcast_message_is_listed_on_its_day() {
        let m = rec(
            &crate::records::MESSAGE,
            &[
                ("broadcast", json!("holiday/2026-10-01/国庆节")),
                ("broadcast_on", json!("2026-10-01")),
            ],
        );
        let k = keys(&m, C);
        assert_eq!(k.day.as_deref(), Some("2026-10-01"));
        assert_eq!(k.status.as_deref(), Some("queued"));
        let task_message = rec(
            &crate::records::MESSAGE,
            &[(
                "care_task_id",
                json!("00000000-0000-0000-0000-000000000005"),
            )],
        );
        assert_eq!(keys(&task_message, C).day.as_deref(), Some(NO_DAY));
    }

    #[test]
    fn times_are_indexed_by_their_store_local_day() {
        // 17:30 UTC on the 15th is 01:30 on the 16th in China.
        let task = rec(
            &CARE_TASK,
            &[
                ("due_at", json!("2026-03-15T17:30:00Z")),
                ("assignee_id", json!("li")),
                ("customer_name", json!("赵")),
            ],
        );
        let k = keys(&task, C);
        assert_eq!(
            (k.day.as_deref(), k.owner.as_deref()),
            (Some("2026-03-16"), Some("li"))
        );
        assert_eq!(k.status.as_deref(), Some("open"));
        assert_eq!(k.name, "赵");
        // Care tasks are not searched.
        assert!(k.terms.is_empty());
        let visit = rec(&VISIT, &[("time_in", json!("2026-03-15T02:00:00Z"))]);
        assert_eq!(keys(&visit, C).day.as_deref(), Some("2026-03-15"));
        assert_eq!(keys(&visit, C).made, "2026-03-15");
        // Without its date, a record was made on the day of its first op (1,000 ms after the
        // epoch: 1 January 1970 in China).
        assert_eq!(keys(&task, C).made, "1970-01-01");
        // A repair order was made the day it was received (a period's ROs: the board, 经营指标).
        let ro = rec(
            &crate::records::REPAIR_ORDER,
            &[("received_at", json!("2026-03-15T17:30:00Z"))],
        );
        assert_eq!(keys(&ro, C).made, "2026-03-16");
    }

    #[test]
    fn a_record_in_the_bin_is_in_no_index() {
        let mut card = rec(
            &A_CARD,
            &[("name", json!("王")), ("phone", json!("13812345678"))],
        );
        op_on(&mut card, &A_CARD, 99, 2_000, |e| vec![e.delete()]);
        assert_eq!(
            keys(&card, C),
            IndexKeys {
                flags: vec![FLAG_BIN.to_string()],
                ..IndexKeys::default()
            }
        );
        assert!(!keys(&card, C).live);
    }

    #[test]
    fn a_record_is_indexed_by_the_records_it_belongs_to() {
        let task = rec(
            &CARE_TASK,
            &[
                ("c_card_id", json!("c-1")),
                ("order_id", json!("o-1")),
                ("a_card_id", json!("")),
                ("assignee_id", json!("li")),
            ],
        );
        assert_eq!(keys(&task, C).links, vec!["c-1", "o-1"]);
        let card = rec(&A_CARD, &[("consultant_id", json!("wang"))]);
        assert!(keys(&card, C).links.is_empty());
    }

    #[test]
    fn a_conflicted_record_is_flagged() {
        let mut card = rec(&A_CARD, &[("name", json!("王"))]);
        assert!(keys(&card, C).flags.is_empty());
        // Two devices set the name concurrently (neither saw the other's write).
        let base = card.clone();
        for (op, name) in [(8, "李"), (9, "赵")] {
            op_on(&mut card, &A_CARD, op, 2_000, |_| {
                vec![
                    crate::sync::Edit::new(&base, &A_CARD)
                        .set("name", json!(name))
                        .unwrap(),
                ]
            });
        }
        assert_eq!(keys(&card, C).flags, vec![FLAG_CONFLICT]);
        op_on(&mut card, &A_CARD, 10, 3_000, |e| vec![e.delete()]);
        assert!(flags(&card).contains(&FLAG_BIN.to_string()));
    }

    #[test]
    fn a_type_is_in_no_index_of_a_field_it_does_not_have() {
        // A visit has an owner and a day but no status; a C-card no status either.
        let visit = rec(
            &VISIT,
            &[
                ("time_in", json!("2026-03-15T10:00:00")),
                ("consultant_id", json!("wang")),
            ],
        );
        let v = device_value(&visit, C);
        assert_eq!(v["owner"], "wang");
        assert_eq!(v["day"], "2026-03-15");
        assert!(v.get("status").is_none(), "visits are not listed by status");
        let c = rec(&C_CARD, &[("name", json!("张"))]);
        assert_eq!(keys(&c, C).status, None);
        // A line of a repair order: no owner, no day, no status; still listed by type through
        // `made` (every live record has one).
        let line = rec(&crate::records::RO_LINE, &[("ro_id", json!("r-1"))]);
        let k = keys(&line, C);
        assert_eq!((k.owner, k.status, k.day), (None, None, None));
        assert_eq!(k.made, "1970-01-01");
        let v = device_value(&line, C);
        for absent in ["owner", "status", "day"] {
            assert!(v.get(absent).is_none(), "{absent}");
        }
        assert_eq!(v["made"], "1970-01-01");
    }

    /// Every member of `path` is in `v` (IndexedDB leaves a value missing one out of the index).
    fn has_members(v: &Value, path: &[&str]) -> Vec<String> {
        path.iter()
            .filter(|m| v.get(**m).is_none_or(Value::is_null))
            .map(|m| m.to_string())
            .collect()
    }

    /// A live record of `rt` with none of its index fields set (no date, no owner, no name…):
    /// one scalar field outside them is set (an op changes something).
    fn bare(rt: &'static crate::sync::RecordType) -> RecordState {
        let index_fields = [
            owner_field(rt.name),
            day_field(rt.name),
            made_field(rt.name),
        ];
        let other = rt
            .fields
            .iter()
            .find(|f| {
                f.kind == FieldKind::Scalar
                    && !index_fields.contains(&Some(f.name))
                    && name_field(rt.name) != Some(f.name)
                    && !LINK_FIELDS.contains(&f.name)
            })
            .expect("a type with a scalar field");
        rec(rt, &[(other.name, json!("x"))])
    }

    #[test]
    fn every_type_has_every_member_of_each_compound_index_it_is_in() {
        for rt in crate::records::ALL.iter() {
            let r = bare(rt);
            let v = device_value(&r, C);
            // The index a type must be in, by what the type has.
            let must = |name: &str| match name {
                "by_owner" => has_owner(rt.name),
                "by_status" => has_status(rt.name),
                "by_day" => has_day(rt.name),
                "by_made" => true,
                _ => keys(&r, C).follow.is_some(),
            };
            for (name, path) in COMPOUND {
                let selector = if name == "by_follow" {
                    "follow"
                } else {
                    path[1]
                };
                let selected = v.get(selector).is_some();
                let missing = has_members(&v, path);
                assert_eq!(selected, must(name), "{} in {name}", rt.name);
                if selected {
                    assert!(
                        missing.is_empty(),
                        "{} in {name} lacks {missing:?}",
                        rt.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_repair_order_is_in_by_status_and_a_key_account_in_by_owner_without_a_day_field() {
        let ro = bare(&crate::records::REPAIR_ORDER);
        let v = device_value(&ro, C);
        assert_eq!(v["status"], keys(&ro, C).status.unwrap());
        assert_eq!(
            v["day"], NO_DAY,
            "a repair order is on the board's status pages"
        );
        assert!(has_members(&v, &STATUS_PATH).is_empty());
        assert!(has_members(&v, &DAY_PATH).is_empty());
        let account = rec(
            &crate::records::KEY_ACCOUNT,
            &[("responsible_id", json!("li"))],
        );
        let v = device_value(&account, C);
        assert_eq!(
            (v["owner"].as_str(), v["day"].as_str()),
            (Some("li"), Some(NO_DAY))
        );
        assert!(has_members(&v, &OWNER_PATH).is_empty());
        // A line has none of them: only `by_made`.
        let line = bare(&crate::records::RO_LINE);
        let v = device_value(&line, C);
        assert!(v.get("day").is_none());
        assert!(has_members(&v, &MADE_PATH).is_empty());
        // An A-card being followed has what `by_follow` needs.
        let card = rec(
            &A_CARD,
            &[("first_contact_at", json!("2026-03-09T10:00:00"))],
        );
        assert!(has_members(&device_value(&card, C), &FOLLOW_PATH).is_empty());
    }

    #[test]
    fn the_day_types_are_those_with_a_day_field() {
        for rt in crate::records::ALL.iter() {
            assert_eq!(
                DAY_TYPES.contains(&rt.name),
                day_field(rt.name).is_some(),
                "{}",
                rt.name
            );
        }
        assert!(has_owner("a_card") && has_owner("care_task"));
        assert!(!has_owner("ro_line"));
    }

    #[test]
    fn the_whole_types_are_declared_types() {
        for t in WHOLE_TYPES {
            assert!(crate::records::ALL.iter().any(|rt| rt.name == t), "{t}");
        }
        assert!(is_whole("sales_settings"));
        assert!(!is_whole("a_card"));
    }

    #[test]
    fn a_c_card_is_found_by_plate_and_vin_in_any_case_and_spacing() {
        let c = rec(
            &C_CARD,
            &[
                ("name", json!("Zhang Wei")),
                ("phone", json!("+86 139-0000-1111")),
                ("plate", json!("京a·12345")),
                ("vin", json!("lsgkb54h1ma123456")),
            ],
        );
        assert_eq!(province_plate(&c).as_deref(), Some("京A12345"));
        // Stored: the plate without its province character only.
        assert_eq!(
            terms(&c),
            vec![
                "13900001111",
                "1111",
                "A12345",
                "LSGKB54H1MA123456",
                "ZHANGWEI",
                "123456",
            ]
            .into_iter()
            .map(String::from)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        for found in [
            "京A1", "a123", "A 12", "lsgk", "123456", "zhang", "1390000", "1111",
        ] {
            assert!(matches(&c, found), "{found}");
        }
        for missed in ["B12", "wei", "0000", "", "   ", "京"] {
            assert!(!matches(&c, missed), "{missed}");
        }
    }

    #[test]
    fn an_a_card_s_phone_key_is_its_canonical_phone_and_no_search_finds_it() {
        let a = rec(&A_CARD, &[("phone", json!("138 1234 5678"))]);
        let b = rec(&A_CARD, &[("phone", json!("+86-138-1234-5678"))]);
        assert_eq!(phone_key(&a), Some("\u{1}13812345678".into()));
        assert_eq!(phone_key(&a), phone_key(&b));
        // Not for a C-card, nor a phone that does not validate.
        let c = rec(&C_CARD, &[("phone", json!("138 1234 5678"))]);
        assert_eq!(phone_key(&c), None);
        assert_eq!(phone_key(&rec(&A_CARD, &[("phone", json!("12"))])), None);
        // Whatever is typed, the search never looks for a phone key.
        for typed in ["\u{1}", "\u{1}138", " \u{1}13812345678"] {
            assert!(query(typed).is_none_or(|q| !q.starts_with(PHONE_KEY)));
        }
    }

    #[test]
    fn a_phone_query_drops_separators_and_the_country_code() {
        assert_eq!(query(" 138-1234 "), Some("1381234".into()));
        assert_eq!(query("+86 138 1234 5678"), Some("13812345678".into()));
        assert_eq!(query("0086 13812345678"), Some("13812345678".into()));
        // 86 at the start of a number typed without `+` is kept (a landline area 0086… is not).
        assert_eq!(query("8612"), Some("8612".into()));
        assert_eq!(query("王 建"), Some("王建".into()));
        assert_eq!(query(" "), None);
    }

    #[test]
    fn a_landline_is_found_by_its_digits() {
        let card = rec(&A_CARD, &[("phone", json!("(0571) 8765 4321"))]);
        // The canonical landline is not its digits: both are stored.
        assert_eq!(
            terms(&card),
            vec!["\u{1}0571-87654321", "057187654321", "4321"]
        );
        assert!(matches(&card, "0571-8765"));
        assert!(matches(&card, "4321"));
    }

    #[test]
    fn a_mobile_number_is_stored_once_as_the_phone_key_and_still_found_by_its_digits() {
        let card = rec(
            &A_CARD,
            &[("name", json!("王建")), ("phone", json!("138 1234 5678"))],
        );
        assert_eq!(terms(&card), vec!["\u{1}13812345678", "5678", "王建"]);
        assert_eq!(
            lookups("138 12"),
            vec!["13812".to_string(), "\u{1}13812".to_string()]
        );
        assert!(matches(&card, "13812") && found_by_the_index(&card, "13812"));
    }

    #[test]
    fn a_plate_query_with_its_province_also_looks_without_it() {
        assert_eq!(lookups("京a1"), vec!["京A1".to_string(), "A1".to_string()]);
        assert_eq!(lookups("王建"), vec!["王建".to_string()]);
        assert_eq!(lookups("  "), Vec::<String>::new());
    }

    /// Whether one of `input`'s [`lookups`] is a prefix of one of the stored [`terms`].
    fn found_by_the_index(record: &RecordState, input: &str) -> bool {
        let stored = terms(record);
        lookups(input)
            .iter()
            .any(|l| stored.iter().any(|t| t.starts_with(l.as_str())))
    }

    #[test]
    fn the_index_finds_every_record_the_search_rule_finds() {
        let records = [
            rec(
                &A_CARD,
                &[
                    ("name", json!("王建国")),
                    ("phone", json!("+86 139-0000-1111")),
                ],
            ),
            rec(
                &A_CARD,
                &[
                    ("name", json!("Li Na")),
                    ("phone", json!("(0571) 8765 4321")),
                ],
            ),
            rec(&A_CARD, &[("phone", json!("12"))]),
            rec(
                &C_CARD,
                &[
                    ("name", json!("赵敏")),
                    ("phone", json!("13812345678")),
                    ("plate", json!("粤B·D12345")),
                    ("vin", json!("lsgkb54h1ma123456")),
                ],
            ),
            rec(
                &C_CARD,
                &[("plate", json!("A88888")), ("vin", json!("VIN1"))],
            ),
            rec(&C_CARD, &[("plate", json!("使馆123"))]),
        ];
        for r in &records {
            // Every prefix of every search term and of the plate, as typed in several ways.
            for t in search_terms(r).into_iter().chain(province_plate(r)) {
                let chars: Vec<char> = t.chars().collect();
                for n in 1..=chars.len() {
                    let typed: String = chars[..n].iter().collect();
                    for input in [typed.clone(), typed.to_lowercase(), format!(" {typed} ")] {
                        if matches(r, &input) {
                            assert!(
                                found_by_the_index(r, &input),
                                "{input:?} finds {:?} by rule but not through the index",
                                r.record_type
                            );
                        }
                    }
                }
            }
        }
        // And nothing is found through the index that the rule does not find, once narrowed.
        assert!(!matches(&records[3], "川B"));
        assert!(found_by_the_index(&records[3], "川B"));
    }

    #[test]
    fn types_outside_the_search_have_no_terms() {
        let visit = rec(&VISIT, &[("referrer_phone", json!("13812345678"))]);
        assert!(terms(&visit).is_empty());
    }
}
