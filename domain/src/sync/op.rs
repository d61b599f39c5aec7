//! Ops: one device's field-level changes to one record, stamped with an HLC.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::error::SyncError;
use super::hlc::Hlc;
use super::limits::{
    MAX_CHANGES_PER_OP, MAX_COUNTER_DELTA, MAX_IDS_PER_CHANGE, MAX_STRING_LEN, MAX_VALUE_BYTES,
};
use super::schema::{FieldKind, RecordType, Registry};

/// A new UUIDv7 from a Unix time in ms and 10 random bytes (pure: the caller supplies both;
/// on the device use `crypto.getRandomValues`, on the server `getrandom`).
pub fn new_id(unix_ms: u64, random: [u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid()
}

/// One change made by an op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Scalar field: write `value`. `supersedes` lists the heads of the field this device saw
    /// and overwrote (see [`crate::sync::Edit`]).
    Set {
        field: String,
        value: Value,
        #[serde(default)]
        supersedes: Vec<Uuid>,
    },
    /// Status field: move from `from` (the state the device showed) to `to`.
    Transition {
        field: String,
        from: String,
        to: String,
        #[serde(default)]
        supersedes: Vec<Uuid>,
    },
    /// Log field: append one entry.
    Append {
        field: String,
        entry_id: Uuid,
        value: Value,
    },
    /// Counter field: add `delta` (may be negative).
    Add { field: String, delta: i64 },
    /// Set field: add `elem` (tagged with the op id).
    SetAdd { field: String, elem: String },
    /// Set field: remove `elem`, i.e. the add tags (op ids) this device saw.
    SetRemove {
        field: String,
        elem: String,
        #[serde(default)]
        observed: Vec<Uuid>,
    },
    /// Put the record in the bin (a tombstone).
    Delete {
        #[serde(default)]
        supersedes: Vec<Uuid>,
    },
    /// Take the record out of the bin (a manager's action).
    Restore {
        #[serde(default)]
        supersedes: Vec<Uuid>,
    },
}

impl Change {
    /// The field changed; `None` for `Delete` / `Restore`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Change::Set { field, .. }
            | Change::Transition { field, .. }
            | Change::Append { field, .. }
            | Change::Add { field, .. }
            | Change::SetAdd { field, .. }
            | Change::SetRemove { field, .. } => Some(field),
            Change::Delete { .. } | Change::Restore { .. } => None,
        }
    }

    /// The kind of field this change is for (`tombstone` for `Delete` / `Restore`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Change::Set { .. } => "scalar",
            Change::Transition { .. } => "status",
            Change::Append { .. } => "log",
            Change::Add { .. } => "counter",
            Change::SetAdd { .. } | Change::SetRemove { .. } => "set",
            Change::Delete { .. } | Change::Restore { .. } => "tombstone",
        }
    }
}

/// One op: what one user on one device changed in one record at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub op_id: Uuid,
    pub device_id: Uuid,
    pub user_id: String,
    pub store_id: String,
    pub record_id: Uuid,
    pub record_type: String,
    pub hlc: Hlc,
    pub changes: Vec<Change>,
}

impl Op {
    /// Whether only a manager may push this op (it restores a deleted record). The server
    /// checks the role; the merge does not know roles.
    pub fn requires_manager(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c, Change::Restore { .. }))
    }
}

/// Check an op before accepting it (the server does this for every pushed op; the device
/// before writing it): known type and fields, change kinds match field kinds, declared
/// transitions, bounded sizes, no field changed twice.
pub fn validate_op(op: &Op, registry: &Registry) -> Result<(), SyncError> {
    check_v7(op.op_id, "op_id")?;
    check_v7(op.record_id, "record_id")?;
    if op.device_id.is_nil() {
        return Err(SyncError::InvalidId { what: "device_id" });
    }
    check_str(&op.user_id, "user_id")?;
    check_str(&op.store_id, "store_id")?;
    check_str(&op.record_type, "record_type")?;
    let rt = registry.require(&op.record_type)?;
    check_changes(op, rt)
}

/// The per-record part of [`validate_op`] (also run by `apply`).
pub(crate) fn check_changes(op: &Op, rt: &RecordType) -> Result<(), SyncError> {
    if op.changes.is_empty() {
        return Err(SyncError::EmptyOp);
    }
    if op.changes.len() > MAX_CHANGES_PER_OP {
        return Err(SyncError::TooManyChanges {
            count: op.changes.len(),
            max: MAX_CHANGES_PER_OP,
        });
    }
    let mut seen = BTreeSet::new();
    for change in &op.changes {
        let key = change.field().unwrap_or("_deleted");
        if !seen.insert(key) {
            return Err(SyncError::DuplicateField {
                field: key.to_string(),
            });
        }
        check_change(change, rt)?;
    }
    Ok(())
}

fn check_change(change: &Change, rt: &RecordType) -> Result<(), SyncError> {
    let (field, ids) = match change {
        Change::Delete { supersedes } | Change::Restore { supersedes } => {
            return check_ids("_deleted", supersedes);
        }
        Change::Set {
            field, supersedes, ..
        }
        | Change::Transition {
            field, supersedes, ..
        } => (field, supersedes.as_slice()),
        Change::SetRemove {
            field, observed, ..
        } => (field, observed.as_slice()),
        Change::Append { field, .. } | Change::Add { field, .. } | Change::SetAdd { field, .. } => {
            (field, &[][..])
        }
    };
    let kind = rt.kind(field).ok_or_else(|| SyncError::UnknownField {
        record_type: rt.name.to_string(),
        field: field.clone(),
    })?;
    if kind.name() != change.kind_name() {
        return Err(SyncError::WrongKind {
            field: field.clone(),
            expected: kind.name(),
            got: change.kind_name(),
        });
    }
    check_ids(field, ids)?;
    match change {
        Change::Set { value, .. } => check_value(field, value),
        Change::Append {
            entry_id, value, ..
        } => {
            if entry_id.is_nil() {
                return Err(SyncError::InvalidId { what: "entry_id" });
            }
            check_value(field, value)
        }
        Change::Transition { from, to, .. } => {
            let FieldKind::Status(machine) = kind else {
                unreachable!("kind names matched")
            };
            for state in [from, to] {
                if machine.rank(state).is_none() {
                    return Err(SyncError::UnknownState {
                        field: field.clone(),
                        state: state.clone(),
                    });
                }
            }
            if !machine.valid_transition(from, to) {
                return Err(SyncError::TransitionNotAllowed {
                    field: field.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            Ok(())
        }
        Change::Add { delta, .. } => {
            if delta.unsigned_abs() > MAX_COUNTER_DELTA.unsigned_abs() {
                return Err(SyncError::DeltaOutOfRange {
                    field: field.clone(),
                    delta: *delta,
                    max: MAX_COUNTER_DELTA,
                });
            }
            Ok(())
        }
        Change::SetAdd { elem, .. } | Change::SetRemove { elem, .. } => check_str(elem, "element"),
        Change::Delete { .. } | Change::Restore { .. } => Ok(()),
    }
}

fn check_v7(id: Uuid, what: &'static str) -> Result<(), SyncError> {
    if id.get_version_num() == 7 {
        Ok(())
    } else {
        Err(SyncError::InvalidId { what })
    }
}

fn check_str(s: &str, what: &'static str) -> Result<(), SyncError> {
    if s.is_empty() {
        return Err(SyncError::EmptyString { what });
    }
    let len = s.chars().count();
    if len > MAX_STRING_LEN {
        return Err(SyncError::StringTooLong {
            what,
            len,
            max: MAX_STRING_LEN,
        });
    }
    Ok(())
}

fn check_ids(field: &str, ids: &[Uuid]) -> Result<(), SyncError> {
    if ids.len() > MAX_IDS_PER_CHANGE {
        return Err(SyncError::TooManyIds {
            field: field.to_string(),
            count: ids.len(),
            max: MAX_IDS_PER_CHANGE,
        });
    }
    Ok(())
}

fn check_value(field: &str, value: &Value) -> Result<(), SyncError> {
    // Serialising a `Value` cannot fail.
    let bytes = serde_json::to_vec(value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if bytes > MAX_VALUE_BYTES {
        return Err(SyncError::ValueTooLarge {
            field: field.to_string(),
            bytes,
            max: MAX_VALUE_BYTES,
        });
    }
    Ok(())
}
