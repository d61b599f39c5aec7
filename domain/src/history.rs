//! A record's history (历史记录): who changed which field to what, when, on which device — read
//! from the ops of the record.
//!
//! [`history`] is the one reading of ops as rows, for every record type: the app gives it the
//! ops it holds of a record (those it made and pulled, and those the server sent for a record
//! that came by snapshot); the words for fields and values come from the app's record-kind
//! registry, so a new record type has a history as soon as it has a kind.
//!
//! "Old" is what the person who made the change saw and overwrote: the values of the writes
//! the change `supersedes` (a status move names its `from`). When those writes are not among
//! the ops given (history older than what the device holds), the old value is unknown
//! ([`Previous::Unknown`]) rather than guessed.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::sync::{Change, DELETED_FIELD, Hlc, Op};

/// What a field held before a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "values", rename_all = "snake_case")]
pub enum Previous {
    /// Nothing: the field was empty as the writer saw it.
    Empty,
    /// The value(s) overwritten (more than one when the writer resolved a conflict).
    Values(Vec<Value>),
    /// The overwritten write is not among the ops given.
    Unknown,
}

/// One field's change in one op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldChange {
    /// A scalar or status field set: old → new.
    Set { old: Previous, new: Value },
    /// A log entry appended, or an element added to a set field.
    Added { value: Value },
    /// An element removed from a set field.
    Removed { value: Value },
    /// A counter moved by `delta`.
    Counted { delta: i64 },
    /// The record put in the bin (`true`) or taken out of it (`false`).
    Bin { deleted: bool },
}

/// One row of a record's history: one field changed by one op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub op_id: Uuid,
    /// When the change was made (the op's HLC; its `wall_ms` is Unix ms near server time).
    pub hlc: Hlc,
    /// Who made it (a user id).
    pub user_id: String,
    /// On which device.
    pub device_id: Uuid,
    /// The field changed ([`DELETED_FIELD`] for the bin).
    pub field: String,
    pub change: FieldChange,
}

/// The history of one record from its ops (any order, repeats and ops of other records are
/// ignored): one row per changed field, newest first (by HLC, then op id); the changes of one
/// op keep their order.
pub fn history(record_id: Uuid, ops: &[Op]) -> Vec<HistoryRow> {
    let mut by_id: BTreeMap<Uuid, &Op> = BTreeMap::new();
    for op in ops.iter().filter(|o| o.record_id == record_id) {
        by_id.entry(op.op_id).or_insert(op);
    }
    let mut ordered: Vec<&Op> = by_id.values().copied().collect();
    ordered.sort_by_key(|o| std::cmp::Reverse((o.hlc, o.op_id)));
    let mut rows = Vec::new();
    for op in ordered {
        for change in &op.changes {
            let (field, change) = match change {
                Change::Set {
                    field,
                    value,
                    supersedes,
                } => (
                    field.clone(),
                    FieldChange::Set {
                        old: previous(&by_id, field, supersedes),
                        new: value.clone(),
                    },
                ),
                Change::Transition {
                    field, from, to, ..
                } => (
                    field.clone(),
                    FieldChange::Set {
                        old: Previous::Values(vec![Value::String(from.clone())]),
                        new: Value::String(to.clone()),
                    },
                ),
                Change::Append { field, value, .. } => (
                    field.clone(),
                    FieldChange::Added {
                        value: value.clone(),
                    },
                ),
                Change::SetAdd { field, elem } => (
                    field.clone(),
                    FieldChange::Added {
                        value: Value::String(elem.clone()),
                    },
                ),
                Change::SetRemove { field, elem, .. } => (
                    field.clone(),
                    FieldChange::Removed {
                        value: Value::String(elem.clone()),
                    },
                ),
                Change::Add { field, delta } => {
                    (field.clone(), FieldChange::Counted { delta: *delta })
                }
                Change::Delete { .. } => (
                    DELETED_FIELD.to_string(),
                    FieldChange::Bin { deleted: true },
                ),
                Change::Restore { .. } => (
                    DELETED_FIELD.to_string(),
                    FieldChange::Bin { deleted: false },
                ),
            };
            rows.push(HistoryRow {
                op_id: op.op_id,
                hlc: op.hlc,
                user_id: op.user_id.clone(),
                device_id: op.device_id,
                field,
                change,
            });
        }
    }
    rows
}

/// The values of `field` written by the ops `supersedes` names.
fn previous(by_id: &BTreeMap<Uuid, &Op>, field: &str, supersedes: &[Uuid]) -> Previous {
    if supersedes.is_empty() {
        return Previous::Empty;
    }
    let mut seen = BTreeSet::new();
    let mut values = Vec::new();
    for id in supersedes {
        let Some(op) = by_id.get(id) else {
            return Previous::Unknown;
        };
        let written = op.changes.iter().find_map(|c| match c {
            Change::Set {
                field: f, value, ..
            } if f == field => Some(value.clone()),
            Change::Transition { field: f, to, .. } if f == field => {
                Some(Value::String(to.clone()))
            }
            _ => None,
        });
        match written {
            Some(v) => {
                if seen.insert(v.to_string()) {
                    values.push(v);
                }
            }
            None => return Previous::Unknown,
        }
    }
    Previous::Values(values)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const DEVICE_A: Uuid = Uuid::from_u128(0xA);
    const DEVICE_B: Uuid = Uuid::from_u128(0xB);
    const RECORD: Uuid = Uuid::from_u128(0x100);

    fn op(n: u128, wall_ms: u64, user: &str, device: Uuid, changes: Vec<Change>) -> Op {
        Op {
            op_id: Uuid::from_u128(n),
            device_id: device,
            user_id: user.into(),
            store_id: "demo".into(),
            record_id: RECORD,
            record_type: "a_card".into(),
            hlc: Hlc::new(wall_ms, 0),
            changes,
        }
    }

    fn set(field: &str, value: Value, supersedes: &[u128]) -> Change {
        Change::Set {
            field: field.into(),
            value,
            supersedes: supersedes.iter().map(|n| Uuid::from_u128(*n)).collect(),
        }
    }

    #[test]
    fn a_field_set_twice_shows_old_and_new_newest_first() {
        let ops = vec![
            op(
                1,
                1_000,
                "u1",
                DEVICE_A,
                vec![set("name", json!("王先生"), &[])],
            ),
            op(
                2,
                2_000,
                "u2",
                DEVICE_B,
                vec![set("name", json!("王伟"), &[1])],
            ),
        ];
        let rows = history(RECORD, &ops);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].op_id, Uuid::from_u128(2));
        assert_eq!(rows[0].user_id, "u2");
        assert_eq!(rows[0].device_id, DEVICE_B);
        assert_eq!(rows[0].hlc.wall_ms, 2_000);
        assert_eq!(
            rows[0].change,
            FieldChange::Set {
                old: Previous::Values(vec![json!("王先生")]),
                new: json!("王伟"),
            }
        );
        assert_eq!(
            rows[1].change,
            FieldChange::Set {
                old: Previous::Empty,
                new: json!("王先生"),
            }
        );
    }

    #[test]
    fn an_overwritten_write_the_device_does_not_hold_is_unknown_not_empty() {
        let ops = vec![op(
            2,
            2_000,
            "u2",
            DEVICE_B,
            vec![set("name", json!("王伟"), &[1])],
        )];
        let rows = history(RECORD, &ops);
        assert_eq!(
            rows[0].change,
            FieldChange::Set {
                old: Previous::Unknown,
                new: json!("王伟"),
            }
        );
    }

    #[test]
    fn resolving_a_conflict_names_both_overwritten_values() {
        let ops = vec![
            op(
                1,
                1_000,
                "u1",
                DEVICE_A,
                vec![set("phone", json!("138"), &[])],
            ),
            op(
                2,
                1_001,
                "u2",
                DEVICE_B,
                vec![set("phone", json!("139"), &[])],
            ),
            op(
                3,
                3_000,
                "u1",
                DEVICE_A,
                vec![set("phone", json!("139"), &[1, 2])],
            ),
        ];
        let rows = history(RECORD, &ops);
        assert_eq!(
            rows[0].change,
            FieldChange::Set {
                old: Previous::Values(vec![json!("138"), json!("139")]),
                new: json!("139"),
            }
        );
    }

    #[test]
    fn status_moves_logs_sets_counters_and_the_bin_are_rows() {
        let entry = Uuid::from_u128(0xE);
        let ops = vec![op(
            1,
            1_000,
            "u1",
            DEVICE_A,
            vec![
                Change::Transition {
                    field: "status".into(),
                    from: "active".into(),
                    to: "loss_proposed".into(),
                    supersedes: vec![],
                },
                Change::Append {
                    field: "follow_ups".into(),
                    entry_id: entry,
                    value: json!({"note": "回访"}),
                },
                Change::SetAdd {
                    field: "tags".into(),
                    elem: "vip".into(),
                },
                Change::SetRemove {
                    field: "labels".into(),
                    elem: "old".into(),
                    observed: vec![],
                },
                Change::Add {
                    field: "visits".into(),
                    delta: 1,
                },
            ],
        )];
        let mut ops = ops;
        ops.push(op(
            2,
            2_000,
            "u9",
            DEVICE_B,
            vec![Change::Delete { supersedes: vec![] }],
        ));
        ops.push(op(
            3,
            3_000,
            "u9",
            DEVICE_B,
            vec![Change::Restore { supersedes: vec![] }],
        ));
        let rows = history(RECORD, &ops);
        let fields: Vec<&str> = rows.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                DELETED_FIELD,
                DELETED_FIELD,
                "status",
                "follow_ups",
                "tags",
                "labels",
                "visits"
            ]
        );
        assert_eq!(rows[0].change, FieldChange::Bin { deleted: false });
        assert_eq!(rows[1].change, FieldChange::Bin { deleted: true });
        assert_eq!(
            rows[2].change,
            FieldChange::Set {
                old: Previous::Values(vec![json!("active")]),
                new: json!("loss_proposed"),
            }
        );
        assert_eq!(
            rows[3].change,
            FieldChange::Added {
                value: json!({"note": "回访"})
            }
        );
        assert_eq!(
            rows[4].change,
            FieldChange::Added {
                value: json!("vip")
            }
        );
        assert_eq!(
            rows[5].change,
            FieldChange::Removed {
                value: json!("old")
            }
        );
        assert_eq!(rows[6].change, FieldChange::Counted { delta: 1 });
    }

    #[test]
    fn repeats_and_other_records_are_ignored() {
        let mut other = op(9, 5_000, "u1", DEVICE_A, vec![set("name", json!("x"), &[])]);
        other.record_id = Uuid::from_u128(0x200);
        let one = op(
            1,
            1_000,
            "u1",
            DEVICE_A,
            vec![set("name", json!("王"), &[])],
        );
        let rows = history(RECORD, &[one.clone(), other, one]);
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn the_same_time_is_ordered_by_op_id() {
        let ops = vec![
            op(1, 1_000, "u1", DEVICE_A, vec![set("a", json!(1), &[])]),
            op(2, 1_000, "u1", DEVICE_A, vec![set("b", json!(2), &[])]),
        ];
        let rows = history(RECORD, &ops);
        assert_eq!(rows[0].field, "b");
        assert_eq!(rows[1].field, "a");
    }
}
