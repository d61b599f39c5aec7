//! The sync scope in reads (`domain::records::scope`; docs/sync.md, "Sync scope per role"):
//! whether a reader holds a stored record (with its parent read when its scope depends on it),
//! whether it held one just before an op (the record's earlier ops replayed), and whether a
//! record had an op that may have moved it into the scope after a cursor.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use ::redb::ReadOnlyTable;
use domain::records::scope::{changes_scope, parent_of, scope_fields};
use domain::sync::{FieldState, Op, RecordState, apply};
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::codec::decode;
use crate::store::sync::registry;
use crate::store::{Reader, StoreError};

type Records = ReadOnlyTable<(&'static str, u128), &'static [u8]>;
type Ops = ReadOnlyTable<(&'static str, u64), &'static [u8]>;
type RecordOps = ReadOnlyTable<(&'static str, u128, u64), ()>;

/// A stored record as far as its scope goes.
#[derive(Deserialize)]
struct View<'a> {
    id: Uuid,
    #[serde(borrow)]
    record_type: Cow<'a, str>,
    #[serde(borrow)]
    store_id: Cow<'a, str>,
    #[serde(borrow)]
    fields: BTreeMap<Cow<'a, str>, &'a RawValue>,
}

/// A stored record with only the fields its scope reads (`scope::scope_fields`, which
/// `Scope::holds` and `parent_of` keep to): the other fields, the merge state and the applied
/// ids are not decoded (most of a record's JSON, and most of the time of a scoped snapshot).
pub(super) fn scope_view(bytes: &[u8]) -> Result<RecordState, StoreError> {
    let view: View<'_> =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut state = RecordState::new(view.id, &view.record_type, &view.store_id);
    for f in scope_fields(&view.record_type) {
        if let Some(raw) = view.fields.get(*f) {
            let field: FieldState = serde_json::from_str(raw.get())
                .map_err(|e| StoreError::Corrupt(format!("field {f}: {e}")))?;
            state.fields.insert((*f).to_owned(), field);
        }
    }
    Ok(state)
}

/// The tables a scoped read looks into, and the records read so far (a page reads a record
/// once).
pub(super) struct Scoped<'a> {
    pub reader: &'a Reader,
    pub store: &'a str,
    pub records: &'a Records,
    cache: HashMap<Uuid, Option<RecordState>>,
}

impl<'a> Scoped<'a> {
    pub fn new(reader: &'a Reader, store: &'a str, records: &'a Records) -> Self {
        Scoped {
            reader,
            store,
            records,
            cache: HashMap::new(),
        }
    }

    /// The record as stored now, its scope's fields only ([`scope_view`]; read once per page).
    pub fn state(&mut self, id: Uuid) -> Result<Option<RecordState>, StoreError> {
        if let Some(s) = self.cache.get(&id) {
            return Ok(s.clone());
        }
        let state: Option<RecordState> = match self.records.get((self.store, id.as_u128()))? {
            Some(g) => Some(scope_view(g.value())?),
            None => None,
        };
        self.cache.insert(id, state.clone());
        Ok(state)
    }

    /// Whether the reader holds `record` (its parent read as stored now).
    pub fn holds(&mut self, record: &RecordState) -> Result<bool, StoreError> {
        if self.reader.limited().is_none() {
            return Ok(self.reader.reads_type(&record.record_type));
        }
        let parent = match parent_of(record) {
            Some(id) => self.state(id)?,
            None => None,
        };
        Ok(self.reader.holds(record, parent.as_ref()))
    }

    /// Whether the reader held record `id` just before its op at `seq`: its ops before `seq`
    /// replayed (the parent as stored now).
    pub fn held_before(
        &mut self,
        ops: &Ops,
        record_ops: &RecordOps,
        id: Uuid,
        record_type: &str,
        seq: u64,
    ) -> Result<bool, StoreError> {
        let Some(rt) = registry().get(record_type) else {
            return Ok(false);
        };
        let mut state = RecordState::new(id, record_type, self.store);
        let rid = id.as_u128();
        let mut any = false;
        for entry in record_ops.range((self.store, rid, 0)..(self.store, rid, seq))? {
            let (k, _) = entry?;
            let Some(bytes) = ops.get((self.store, k.value().2))? else {
                continue;
            };
            let op: Op = decode(bytes.value())?;
            apply(&mut state, &op, rt)
                .map_err(|e| StoreError::Corrupt(format!("replaying record {id}: {e:?}")))?;
            any = true;
        }
        Ok(any && self.holds(&state)?)
    }

    /// Whether record `id` had an op after `after` that may have moved it into (or out of) a
    /// scope (`scope::changes_scope`).
    pub fn scope_changed_after(
        &self,
        ops: &Ops,
        record_ops: &RecordOps,
        id: Uuid,
        after: u64,
    ) -> Result<bool, StoreError> {
        let rid = id.as_u128();
        let Some(from) = after.checked_add(1) else {
            return Ok(false);
        };
        for entry in record_ops.range((self.store, rid, from)..=(self.store, rid, u64::MAX))? {
            let (k, _) = entry?;
            let Some(bytes) = ops.get((self.store, k.value().2))? else {
                continue;
            };
            let op: Op = decode(bytes.value())?;
            if changes_scope(&op) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
