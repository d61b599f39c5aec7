//! Builders for the changes a device makes, with the right `supersedes` / `observed` taken
//! from the device's current state of the record.

use serde_json::Value;
use uuid::Uuid;

use super::error::SyncError;
use super::op::Change;
use super::schema::{FieldKind, RecordType};
use super::state::{DELETED_FIELD, RecordState};

/// Makes changes against the device's current view of a record.
///
/// - [`Edit::set`] / [`Edit::transition`] are ordinary edits: they overwrite the shown value
///   (and heads agreeing with it) only, so an open conflict stays open for a person to review.
/// - [`Edit::resolve`] / [`Edit::resolve_status`] close a conflict: they overwrite all heads.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub state: &'a RecordState,
    pub record_type: &'a RecordType,
}

impl<'a> Edit<'a> {
    pub fn new(state: &'a RecordState, record_type: &'a RecordType) -> Self {
        Edit { state, record_type }
    }

    fn expect_kind(&self, field: &str, want: &'static str) -> Result<FieldKind, SyncError> {
        let kind = self
            .record_type
            .kind(field)
            .ok_or_else(|| SyncError::UnknownField {
                record_type: self.record_type.name.to_string(),
                field: field.to_string(),
            })?;
        if kind.name() != want {
            return Err(SyncError::WrongKind {
                field: field.to_string(),
                expected: kind.name(),
                got: want,
            });
        }
        Ok(kind)
    }

    /// The winner and the heads agreeing with it (what an ordinary edit overwrites).
    fn non_conflicting(&self, field: &str) -> Vec<Uuid> {
        self.state
            .split_heads(self.record_type, field)
            .map(|(_, _, agreeing)| agreeing)
            .unwrap_or_default()
    }

    fn all_heads(&self, field: &str) -> Vec<Uuid> {
        if field == DELETED_FIELD {
            self.state.deleted.heads.keys().copied().collect()
        } else {
            self.state.heads(field).iter().map(|h| h.op_id).collect()
        }
    }

    /// An ordinary edit of a scalar field.
    pub fn set(&self, field: &str, value: Value) -> Result<Change, SyncError> {
        self.expect_kind(field, "scalar")?;
        Ok(Change::Set {
            field: field.to_string(),
            value,
            supersedes: self.non_conflicting(field),
        })
    }

    /// Resolve a scalar field: `value` replaces every head (closes the conflict).
    pub fn resolve(&self, field: &str, value: Value) -> Result<Change, SyncError> {
        self.expect_kind(field, "scalar")?;
        Ok(Change::Set {
            field: field.to_string(),
            value,
            supersedes: self.all_heads(field),
        })
    }

    /// An ordinary transition of a status field from the shown state to `to`.
    pub fn transition(&self, field: &str, to: &str) -> Result<Change, SyncError> {
        let FieldKind::Status(machine) = self.expect_kind(field, "status")? else {
            unreachable!()
        };
        let from = self
            .state
            .status(self.record_type, field)
            .unwrap_or(machine.initial);
        if machine.rank(to).is_none() {
            return Err(SyncError::UnknownState {
                field: field.to_string(),
                state: to.to_string(),
            });
        }
        if !machine.valid_transition(from, to) {
            return Err(SyncError::TransitionNotAllowed {
                field: field.to_string(),
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        Ok(Change::Transition {
            field: field.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            supersedes: self.non_conflicting(field),
        })
    }

    /// Resolve a status conflict: settle on `to`, either one of the heads' states (a
    /// confirmation) or a state reachable from the shown one. Overwrites every head.
    pub fn resolve_status(&self, field: &str, to: &str) -> Result<Change, SyncError> {
        let FieldKind::Status(machine) = self.expect_kind(field, "status")? else {
            unreachable!()
        };
        let heads = self.state.heads(field);
        let from = if heads.iter().any(|h| h.value.as_str() == Some(to)) {
            to
        } else {
            self.state
                .status(self.record_type, field)
                .unwrap_or(machine.initial)
        };
        if !machine.valid_transition(from, to) {
            return Err(SyncError::TransitionNotAllowed {
                field: field.to_string(),
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        Ok(Change::Transition {
            field: field.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            supersedes: heads.iter().map(|h| h.op_id).collect(),
        })
    }

    /// Append an entry to a log field. `entry_id` is a new UUIDv7 made on the device.
    pub fn append(&self, field: &str, entry_id: Uuid, value: Value) -> Result<Change, SyncError> {
        self.expect_kind(field, "log")?;
        Ok(Change::Append {
            field: field.to_string(),
            entry_id,
            value,
        })
    }

    /// Add `delta` to a counter field.
    pub fn add(&self, field: &str, delta: i64) -> Result<Change, SyncError> {
        self.expect_kind(field, "counter")?;
        Ok(Change::Add {
            field: field.to_string(),
            delta,
        })
    }

    /// Add `elem` to a set field.
    pub fn set_add(&self, field: &str, elem: &str) -> Result<Change, SyncError> {
        self.expect_kind(field, "set")?;
        Ok(Change::SetAdd {
            field: field.to_string(),
            elem: elem.to_string(),
        })
    }

    /// Remove `elem` from a set field (the adds this device has seen; a concurrent add wins).
    pub fn set_remove(&self, field: &str, elem: &str) -> Result<Change, SyncError> {
        self.expect_kind(field, "set")?;
        Ok(Change::SetRemove {
            field: field.to_string(),
            elem: elem.to_string(),
            observed: self.state.set_tags(field, elem),
        })
    }

    /// Put the record in the bin.
    pub fn delete(&self) -> Change {
        Change::Delete {
            supersedes: self.all_heads(DELETED_FIELD),
        }
    }

    /// Take the record out of the bin (a manager's action; the server checks the role).
    pub fn restore(&self) -> Change {
        Change::Restore {
            supersedes: self.all_heads(DELETED_FIELD),
        }
    }
}
