//! The record-kind registry: every area's [`Kind`]s in one list, and the words the shared
//! screens (conflicts, the bin, the KPI drill-down) use for any record.

use domain::records::ALL;
use domain::sync::{DELETED_FIELD, RecordState, RecordType};
use serde_json::Value;

use crate::i18n::*;
use crate::ui::kinds::{Kind, Look, default_title};

/// Every declared kind, area by area.
pub fn kinds() -> impl Iterator<Item = &'static Kind> {
    crate::sales::kinds::KINDS
        .iter()
        .chain(crate::service::kinds::KINDS.iter())
        .chain(crate::manage::kinds::KINDS.iter())
        .chain(crate::care::kinds::KINDS.iter())
        .chain(crate::parts::kinds::KINDS.iter())
}

/// The kind of record type `name`.
pub fn kind_of(name: &str) -> Option<&'static Kind> {
    kinds().find(|k| k.name == name)
}

/// The declared record type `name` (the domain's list; no kind needed, so the shell's
/// conflict count does not pull the areas' kinds into the main wasm).
pub fn record_type(name: &str) -> Option<&'static RecordType> {
    ALL.iter().copied().find(|t| t.name == name)
}

/// The translated name of a record type (the raw name for a type without a kind).
pub fn type_label(i18n: I18nContext<Locale>, name: &str) -> String {
    kind_of(name).map_or_else(|| name.to_string(), |k| (k.label)(i18n))
}

/// The shorter name of a record type, where space is short.
pub fn short_type_label(i18n: I18nContext<Locale>, name: &str) -> String {
    match kind_of(name) {
        Some(k) => (k.short_label.unwrap_or(k.label))(i18n),
        None => name.to_string(),
    }
}

/// The translated label of a field (the raw name where the kind does not name it).
pub fn field_label(i18n: I18nContext<Locale>, record_type: &str, field: &str) -> String {
    if field == DELETED_FIELD {
        return t_string!(i18n, conflicts.field_deleted).to_string();
    }
    kind_of(record_type)
        .and_then(|k| (k.field_label)(i18n, field))
        .unwrap_or_else(|| field.to_string())
}

/// A field's value as a person reads it.
pub fn value_text(
    i18n: I18nContext<Locale>,
    record_type: &str,
    field: &str,
    value: &Value,
) -> String {
    if field == DELETED_FIELD {
        return if value == &Value::Bool(true) {
            t_string!(i18n, conflicts.deleted).to_string()
        } else {
            t_string!(i18n, conflicts.restored).to_string()
        };
    }
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.trim().is_empty() {
        return t_string!(i18n, conflicts.empty_value).to_string();
    }
    kind_of(record_type)
        .and_then(|k| (k.value_text)(i18n, field, &text))
        .unwrap_or(text)
}

/// What a person calls a record.
pub fn record_title(record: &RecordState) -> String {
    match kind_of(&record.record_type) {
        Some(k) => (k.title)(record),
        None => default_title(record),
    }
}

/// Where a record is shown, if it has a page.
pub fn record_href(look: &Look, record: &RecordState) -> Option<String> {
    kind_of(&record.record_type).and_then(|k| (k.href)(look, record))
}

/// The line a person recognises a record by among records of every kind (its id's last
/// digits when it has nothing better).
pub fn summary(look: &Look, record: &RecordState) -> String {
    kind_of(&record.record_type)
        .map(|k| (k.summary)(look, record))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| crate::directory::short_id(&record.id.to_string()))
}

/// The line of a record a KPI counted (its id for a kind without one).
pub fn counted(look: &Look, record: &RecordState) -> String {
    match kind_of(&record.record_type) {
        Some(k) => (k.counted)(look, record),
        None => record.id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_a_declared_record_type_and_is_declared_once() {
        let mut names: Vec<&str> = kinds().map(|k| k.name).collect();
        for name in &names {
            assert!(record_type(name).is_some(), "{name} is not a record type");
        }
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a kind is declared twice");
    }

    #[test]
    fn every_declared_record_type_has_a_kind() {
        for t in ALL {
            assert!(kind_of(t.name).is_some(), "{} has no kind", t.name);
        }
        assert!(kind_of("no_such_type").is_none());
    }
}
