//! The record-kind registry's entry: what the shared screens (conflicts, the bin, the KPI
//! drill-down) need to know about a record type — its name, a record's title and link, its
//! fields' labels and its values as words.
//!
//! Each area declares its kinds (`crate::sales::kinds::KINDS`); `crate::kinds` gathers them.
//! A new record type is one more [`Kind`] there, and every shared screen knows it.

use domain::sync::RecordState;
use serde_json::Value;

use crate::i18n::*;
use crate::sync::{SyncCtx, use_sync};

/// What a kind's functions may look at: the language and the synced records (for the card a
/// record belongs to). Made while rendering.
#[derive(Clone, Copy)]
pub struct Look {
    pub i18n: I18nContext<Locale>,
    pub sync: SyncCtx,
}

impl Look {
    /// The page's language and records (call while rendering).
    pub fn new() -> Self {
        Look {
            i18n: use_i18n(),
            sync: use_sync(),
        }
    }
}

impl Default for Look {
    fn default() -> Self {
        Look::new()
    }
}

/// One record type as the shared screens show it.
pub struct Kind {
    /// The record type's name (`a_card`).
    pub name: &'static str,
    /// The type's name, as the bin lists it (来店登记).
    pub label: fn(I18nContext<Locale>) -> String,
    /// A shorter name where space is short (the KPI drill-down's badge, 来店), if it has one.
    pub short_label: Option<fn(I18nContext<Locale>) -> String>,
    /// What a person calls a record (a conflict's heading, a refused op).
    pub title: fn(&RecordState) -> String,
    /// The line a person recognises a record by in a list of many kinds (the bin).
    pub summary: fn(&Look, &RecordState) -> String,
    /// The line of a record a KPI counted.
    pub counted: fn(&Look, &RecordState) -> String,
    /// Where the record is shown.
    pub href: fn(&Look, &RecordState) -> Option<String>,
    /// A field's label, if the kind names it.
    pub field_label: fn(I18nContext<Locale>, &str) -> Option<String>,
    /// A field's stored text as words (a status, a grade, a person), if the kind has words.
    pub value_text: fn(I18nContext<Locale>, &str, &str) -> Option<String>,
    /// What the kind's record page says of a record not on this device, if it has a page.
    pub missing: Option<Missing>,
}

impl Kind {
    /// A kind with no page, field words or short name of its own: its name, label, title and
    /// the line it shows in lists (also what a KPI counted).
    pub const fn plain(
        name: &'static str,
        label: fn(I18nContext<Locale>) -> String,
        title: fn(&RecordState) -> String,
        summary: fn(&Look, &RecordState) -> String,
    ) -> Kind {
        Kind::worded(name, label, title, summary, no_field_label, no_value_text)
    }

    /// A kind with no page nor short name of its own, whose fields have labels and whose
    /// values have words (the service kinds, whose screens bring their pages).
    pub const fn worded(
        name: &'static str,
        label: fn(I18nContext<Locale>) -> String,
        title: fn(&RecordState) -> String,
        summary: fn(&Look, &RecordState) -> String,
        field_label: fn(I18nContext<Locale>, &str) -> Option<String>,
        value_text: fn(I18nContext<Locale>, &str, &str) -> Option<String>,
    ) -> Kind {
        Kind {
            name,
            label,
            short_label: None,
            title,
            summary,
            counted: summary,
            href: no_href,
            field_label,
            value_text,
            missing: None,
        }
    }
}

/// A record page's words for a record that is not on this device, and the way back.
#[derive(Clone, Copy)]
pub struct Missing {
    /// What the page says (未找到该客户).
    pub text: fn(I18nContext<Locale>) -> String,
    /// Where the way back goes (the kind's list).
    pub back_href: &'static str,
    /// The way back's words (返回列表).
    pub back: fn(I18nContext<Locale>) -> String,
}

/// A record's text field (empty when absent or null; other values as JSON): the domain's one
/// field reader.
pub use domain::records::field::shown as text;

/// The non-blank of `parts`, joined by ` · ` (a record's line in a list).
pub fn joined(parts: Vec<String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The non-blank of `parts` joined ([`joined`]), else the record's id (a record's title).
pub fn joined_or_id(parts: Vec<String>, record: &RecordState) -> String {
    let title = joined(parts);
    if title.trim().is_empty() {
        record.id.to_string()
    } else {
        title
    }
}

/// The title of a record of a kind without its own: its name, its customer's, or its id.
pub fn default_title(record: &RecordState) -> String {
    ["name", "customer_name"]
        .iter()
        .find_map(|f| record.value(f).and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| record.id.to_string())
}

/// The customer a record is about: its own name, customer's or company's, else the name on
/// the A-card it belongs to.
pub fn customer_of(look: &Look, record: &RecordState) -> String {
    ["name", "customer_name", "company_name"]
        .iter()
        .map(|f| text(record, f))
        .find(|s| !s.trim().is_empty())
        .or_else(|| card_name(look, record))
        .unwrap_or_default()
}

/// The name on the A-card a record belongs to (its `a_card_id`).
pub fn card_name(look: &Look, record: &RecordState) -> Option<String> {
    let card = uuid::Uuid::parse_str(&text(record, "a_card_id")).ok()?;
    Some(text(&look.sync.record(card)?, "name")).filter(|s| !s.is_empty())
}

/// For kinds whose fields have no labels of their own.
pub fn no_field_label(_: I18nContext<Locale>, _: &str) -> Option<String> {
    None
}

/// For kinds whose values need no words.
pub fn no_value_text(_: I18nContext<Locale>, _: &str, _: &str) -> Option<String> {
    None
}

/// For kinds without a page.
pub fn no_href(_: &Look, _: &RecordState) -> Option<String> {
    None
}
