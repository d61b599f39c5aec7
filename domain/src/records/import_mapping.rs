//! The store's remembered column mappings of the import (`import_mapping`, 字段对应): which
//! column of a sheet holds which field, kept per STORE for a file of the same shape (the same
//! sheet kind and the same headings), so the next such file gets the same mapping on any device.
//!
//! One record per store, sheet kind and headings: its id is derived from them
//! ([`import_mapping_id`]), so two imports of the same shape write one record (the later
//! mapping wins). The server writes it with the import's ops, as the importing manager; the
//! managers who import (of sales or of care, and the GM) may write it ([`super::may_write`]),
//! and the server checks the values at push ([`check`]): the sheet is one of [`SHEETS`], the
//! headings a JSON list of texts, the mapping a JSON object of field → heading whose every
//! heading is one of the list, and the record's id the one derived from them.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::field;
use crate::sales::UserError;
use crate::sync::{Change, FieldDef, Op, RecordState, RecordType};

/// Remembered import mappings.
pub static IMPORT_MAPPING: RecordType = RecordType {
    name: "import_mapping",
    fields: &[
        // `a_cards`, `c_cards` or `service_history`.
        FieldDef::scalar("sheet"),
        // The file's headings in order: JSON text of a list of strings.
        FieldDef::scalar("columns"),
        // field → heading: JSON text of an object of strings.
        FieldDef::scalar("mapping"),
    ],
};

/// The sheet kinds an import reads.
pub const SHEETS: [&str; 3] = ["a_cards", "c_cards", "service_history"];

/// The record id of a store's mapping for `sheet` files with the headings `columns`.
pub fn import_mapping_id(store_id: &str, sheet: &str, columns: &[String]) -> Uuid {
    crate::sales::settings::derived_record_id(&format!(
        "import_mapping/{store_id}/{sheet}/{}",
        columns.join("\u{1f}")
    ))
}

/// The typed view of an `import_mapping` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMapping {
    pub sheet: String,
    pub columns: Vec<String>,
    pub mapping: BTreeMap<String, String>,
}

impl ImportMapping {
    /// The record read; `None` when a field is missing or not the JSON it should be.
    pub fn of(r: &RecordState) -> Option<ImportMapping> {
        if r.is_deleted() {
            return None;
        }
        Some(ImportMapping {
            sheet: field::string(r, "sheet")?,
            columns: serde_json::from_str(field::text(r, "columns")?).ok()?,
            mapping: serde_json::from_str(field::text(r, "mapping")?).ok()?,
        })
    }

    /// The mapping, when it was kept for a file with exactly these headings.
    pub fn for_columns(
        &self,
        sheet: &str,
        columns: &[String],
    ) -> Option<&BTreeMap<String, String>> {
        (self.sheet == sheet
            && self.columns == columns
            && self.mapping.values().all(|c| columns.contains(c)))
        .then_some(&self.mapping)
    }
}

/// The fields of the write that keeps `mapping` for `sheet` files with the headings `columns`
/// (`(field, JSON value)`, as an op sets them).
pub fn mapping_fields(
    sheet: &str,
    columns: &[String],
    mapping: &BTreeMap<String, String>,
) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("sheet", sheet.into()),
        (
            "columns",
            serde_json::to_string(columns).unwrap_or_default().into(),
        ),
        (
            "mapping",
            serde_json::to_string(mapping).unwrap_or_default().into(),
        ),
    ]
}

/// Why an op on a remembered mapping was refused ([`check`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("a remembered mapping is written whole: its sheet, headings and mapping together")]
    Incomplete,
    #[error("`{field}` of a remembered mapping is not valid")]
    Invalid { field: String },
}

impl UserError for MappingError {
    fn code(&self) -> &'static str {
        match self {
            MappingError::Incomplete => "import_mapping_incomplete_record",
            MappingError::Invalid { .. } => "import_mapping_record_invalid",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            MappingError::Incomplete => "保存的字段对应需要同时写入表类型、表头和对应关系".into(),
            MappingError::Invalid { field } => format!("保存的字段对应中“{field}”无效"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            MappingError::Incomplete => {
                "A remembered mapping is written whole: its sheet, its headings and the mapping"
                    .into()
            }
            MappingError::Invalid { field } => {
                format!("“{field}” of a remembered mapping is not valid")
            }
        }
    }
}

/// The rules of an op on a remembered mapping, checked by the server at push: written whole
/// (the sheet, the headings and the mapping in one op; deleting and restoring aside), the sheet
/// one of [`SHEETS`], the headings a list of texts, every mapped heading one of them, and the
/// record's id [`import_mapping_id`] of the op's store, sheet and headings.
pub fn check(op: &Op) -> Result<(), MappingError> {
    if op.record_type != IMPORT_MAPPING.name {
        return Ok(());
    }
    if op
        .changes
        .iter()
        .all(|c| matches!(c, Change::Delete { .. } | Change::Restore { .. }))
    {
        return Ok(());
    }
    let value = |name: &str| {
        op.changes.iter().find_map(|c| match c {
            Change::Set { field, value, .. } if field == name => value.as_str(),
            _ => None,
        })
    };
    let (Some(sheet), Some(columns), Some(mapping)) =
        (value("sheet"), value("columns"), value("mapping"))
    else {
        return Err(MappingError::Incomplete);
    };
    let invalid = |field: &str| MappingError::Invalid {
        field: field.to_owned(),
    };
    if !SHEETS.contains(&sheet) {
        return Err(invalid("sheet"));
    }
    let columns: Vec<String> = serde_json::from_str(columns).map_err(|_| invalid("columns"))?;
    let mapping: BTreeMap<String, String> =
        serde_json::from_str(mapping).map_err(|_| invalid("mapping"))?;
    if !mapping.values().all(|c| columns.contains(c)) {
        return Err(invalid("mapping"));
    }
    if import_mapping_id(&op.store_id, sheet, &columns) != op.record_id {
        return Err(invalid("id"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Edit, Hlc, apply};

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| (*s).to_owned()).collect()
    }

    fn op_of(record_id: Uuid, fields: Vec<(&'static str, serde_json::Value)>) -> Op {
        let r = RecordState::new(record_id, "import_mapping", "demo");
        let e = Edit::new(&r, &IMPORT_MAPPING);
        Op {
            op_id: Uuid::now_v7(),
            device_id: Uuid::now_v7(),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id,
            record_type: "import_mapping".into(),
            hlc: Hlc::new(1, 0),
            changes: fields
                .into_iter()
                .map(|(f, v)| e.set(f, v).expect("a declared field"))
                .collect(),
        }
    }

    #[test]
    fn the_id_follows_the_store_the_sheet_and_the_headings() {
        let c = cols(&["车主姓名", "联系电话"]);
        let a = import_mapping_id("demo", "c_cards", &c);
        assert_eq!(a, import_mapping_id("demo", "c_cards", &c));
        assert_ne!(a, import_mapping_id("other", "c_cards", &c));
        assert_ne!(a, import_mapping_id("demo", "a_cards", &c));
        assert_ne!(
            a,
            import_mapping_id("demo", "c_cards", &cols(&["联系电话", "车主姓名"]))
        );
    }

    #[test]
    fn a_mapping_kept_reads_back_for_the_same_headings_only() {
        let c = cols(&["车主", "电话", "备注"]);
        let m: BTreeMap<String, String> = [("name", "车主"), ("phone", "电话")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let id = import_mapping_id("demo", "c_cards", &c);
        let op = op_of(id, mapping_fields("c_cards", &c, &m));
        assert_eq!(check(&op), Ok(()));
        let mut r = RecordState::new(id, "import_mapping", "demo");
        apply(&mut r, &op, &IMPORT_MAPPING).expect("applies");
        let kept = ImportMapping::of(&r).expect("reads");
        assert_eq!(kept.for_columns("c_cards", &c), Some(&m));
        assert_eq!(kept.for_columns("a_cards", &c), None);
        assert_eq!(kept.for_columns("c_cards", &cols(&["车主", "电话"])), None);
    }

    #[test]
    fn a_mapping_is_written_whole_with_its_derived_id() {
        let c = cols(&["车主", "电话"]);
        let m: BTreeMap<String, String> = [("name".to_owned(), "车主".to_owned())].into();
        let id = import_mapping_id("demo", "c_cards", &c);
        let partial = op_of(id, vec![("sheet", "c_cards".into())]);
        assert_eq!(check(&partial), Err(MappingError::Incomplete));
        let wrong_id = op_of(Uuid::now_v7(), mapping_fields("c_cards", &c, &m));
        assert_eq!(
            check(&wrong_id),
            Err(MappingError::Invalid { field: "id".into() })
        );
        let bad_sheet = op_of(
            import_mapping_id("demo", "orders", &c),
            mapping_fields("orders", &c, &m),
        );
        assert_eq!(
            check(&bad_sheet),
            Err(MappingError::Invalid {
                field: "sheet".into()
            })
        );
        let elsewhere: BTreeMap<String, String> = [("name".to_owned(), "姓名".to_owned())].into();
        let not_a_heading = op_of(id, mapping_fields("c_cards", &c, &elsewhere));
        assert_eq!(
            check(&not_a_heading),
            Err(MappingError::Invalid {
                field: "mapping".into()
            })
        );
    }
}
