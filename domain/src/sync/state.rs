//! The materialised state of one record and the merge: `apply` (op-based) and `join`
//! (state-based). Both are commutative, associative and idempotent: every replica that has
//! seen the same set of ops holds the same `RecordState`, whatever the order or repetition.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::error::SyncError;
use super::hlc::Hlc;
use super::op::{Change, Op, check_changes};
use super::schema::{FieldKind, RecordType, StateMachine};

/// The pseudo-field name under which a tombstone conflict is reported.
pub const DELETED_FIELD: &str = "_deleted";

/// One write to a register field (scalar, status or the tombstone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Write {
    /// The value; for a status the target state as a string; for the tombstone `true`
    /// (deleted) or `false` (restored).
    pub value: Value,
    /// For a status: the state the device moved from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub user_id: String,
}

/// A multi-value register: the writes nobody has overwritten yet (heads) and the ids of every
/// write ever overwritten (so a write arriving after the write that overwrote it stays dead).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Register {
    pub heads: BTreeMap<Uuid, Write>,
    pub superseded: BTreeSet<Uuid>,
}

/// Total order of writes: `(hlc, device_id, op_id)`.
fn write_order(a: (&Uuid, &Write), b: (&Uuid, &Write)) -> Ordering {
    (a.1.hlc, a.1.device_id, a.0).cmp(&(b.1.hlc, b.1.device_id, b.0))
}

impl Register {
    fn put(&mut self, op_id: Uuid, write: Write, supersedes: &[Uuid]) {
        for s in supersedes {
            self.superseded.insert(*s);
            self.heads.remove(s);
        }
        if !self.superseded.contains(&op_id) {
            self.heads.entry(op_id).or_insert(write);
        }
    }

    fn join(&mut self, other: &Register) {
        self.superseded.extend(other.superseded.iter().copied());
        for (id, w) in &other.heads {
            self.heads.entry(*id).or_insert_with(|| w.clone());
        }
        let superseded = &self.superseded;
        self.heads.retain(|id, _| !superseded.contains(id));
    }

    /// The last writer by `(hlc, device_id, op_id)`.
    pub fn winner(&self) -> Option<(&Uuid, &Write)> {
        self.heads.iter().max_by(|a, b| write_order(*a, *b))
    }

    /// For a status: the head of highest rank in `machine`, tie by write order.
    pub fn status_winner(&self, machine: &StateMachine) -> Option<(&Uuid, &Write)> {
        self.heads.iter().max_by(|a, b| {
            let ra = a.1.value.as_str().and_then(|s| machine.rank(s));
            let rb = b.1.value.as_str().and_then(|s| machine.rank(s));
            ra.cmp(&rb).then_with(|| write_order(*a, *b))
        })
    }
}

/// One entry of a log field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub entry_id: Uuid,
    pub value: Value,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub user_id: String,
    pub op_id: Uuid,
}

impl LogEntry {
    fn key(&self) -> (Hlc, Uuid, Uuid) {
        (self.hlc, self.device_id, self.op_id)
    }
}

/// An append-only log: entries by entry id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogState {
    pub entries: BTreeMap<Uuid, LogEntry>,
}

impl LogState {
    fn insert(&mut self, entry: LogEntry) {
        // Entry ids are made unique on the device; should two ops ever reuse one, the later
        // write decides, the same on every replica.
        match self.entries.get(&entry.entry_id) {
            Some(old) if old.key() >= entry.key() => {}
            _ => {
                self.entries.insert(entry.entry_id, entry);
            }
        }
    }
}

/// One counter step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterStep {
    pub device_id: Uuid,
    pub delta: i64,
}

/// A counter: every step by op id (so a step counts once however often it arrives).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CounterState {
    pub steps: BTreeMap<Uuid, CounterStep>,
}

impl CounterState {
    pub fn total(&self) -> i64 {
        let sum: i128 = self.steps.values().map(|s| i128::from(s.delta)).sum();
        sum.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

/// An add-wins observed-remove set: each add is tagged with its op id; a remove removes the
/// tags its device saw. An element is present iff it has a tag not removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetState {
    /// Live tags per element (elements without live tags are dropped).
    pub adds: BTreeMap<String, BTreeSet<Uuid>>,
    /// Every tag ever removed.
    pub removed: BTreeSet<Uuid>,
}

impl SetState {
    fn add(&mut self, elem: &str, tag: Uuid) {
        if !self.removed.contains(&tag) {
            self.adds.entry(elem.to_string()).or_default().insert(tag);
        }
    }

    fn remove(&mut self, observed: &[Uuid]) {
        self.removed.extend(observed.iter().copied());
        self.prune();
    }

    fn join(&mut self, other: &SetState) {
        self.removed.extend(other.removed.iter().copied());
        for (elem, tags) in &other.adds {
            self.adds
                .entry(elem.clone())
                .or_default()
                .extend(tags.iter().copied());
        }
        self.prune();
    }

    fn prune(&mut self) {
        let removed = &self.removed;
        self.adds.retain(|_, tags| {
            tags.retain(|t| !removed.contains(t));
            !tags.is_empty()
        });
    }
}

/// The merge state of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldState {
    /// Scalar and status fields.
    Register(Register),
    Log(LogState),
    Counter(CounterState),
    Set(SetState),
}

impl FieldState {
    fn empty_for(kind: FieldKind) -> FieldState {
        match kind {
            FieldKind::Scalar | FieldKind::Status(_) => FieldState::Register(Register::default()),
            FieldKind::Log => FieldState::Log(LogState::default()),
            FieldKind::Counter => FieldState::Counter(CounterState::default()),
            FieldKind::Set => FieldState::Set(SetState::default()),
        }
    }

    fn same_variant(&self, other: &FieldState) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    fn join(&mut self, other: &FieldState) {
        match (self, other) {
            (FieldState::Register(a), FieldState::Register(b)) => a.join(b),
            (FieldState::Log(a), FieldState::Log(b)) => {
                for e in b.entries.values() {
                    a.insert(e.clone());
                }
            }
            (FieldState::Counter(a), FieldState::Counter(b)) => {
                for (id, s) in &b.steps {
                    a.steps.entry(*id).or_insert(*s);
                }
            }
            (FieldState::Set(a), FieldState::Set(b)) => a.join(b),
            _ => unreachable!("variants checked before joining"),
        }
    }
}

/// A head of a register field as shown to a person reviewing a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub op_id: Uuid,
    pub value: Value,
    pub hlc: Hlc,
    pub device_id: Uuid,
    pub user_id: String,
}

impl Head {
    fn new(op_id: &Uuid, w: &Write) -> Head {
        Head {
            op_id: *op_id,
            value: w.value.clone(),
            hlc: w.hlc,
            device_id: w.device_id,
            user_id: w.user_id.clone(),
        }
    }
}

/// An open conflict: the shown value (`winner`) and the concurrent values that lost
/// (`others`, newest first). Closed by a resolution (an edit superseding all heads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The field, or [`DELETED_FIELD`] for concurrent delete / restore.
    pub field: String,
    pub winner: Head,
    pub others: Vec<Head>,
}

/// The state of one record: what the server and IndexedDB store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordState {
    pub id: Uuid,
    pub record_type: String,
    pub store_id: String,
    pub fields: BTreeMap<String, FieldState>,
    /// The tombstone register: `true` heads are deletes, `false` restores.
    pub deleted: Register,
    /// The smallest and largest HLC of the ops applied.
    pub created: Option<Hlc>,
    pub updated: Option<Hlc>,
    /// Every op applied (applying one again is a no-op).
    pub applied: BTreeSet<Uuid>,
}

impl RecordState {
    /// An empty record (no op applied yet).
    pub fn new(id: Uuid, record_type: &str, store_id: &str) -> Self {
        RecordState {
            id,
            record_type: record_type.to_string(),
            store_id: store_id.to_string(),
            fields: BTreeMap::new(),
            deleted: Register::default(),
            created: None,
            updated: None,
            applied: BTreeSet::new(),
        }
    }

    /// An empty record for the record `op` changes.
    pub fn for_op(op: &Op) -> Self {
        RecordState::new(op.record_id, &op.record_type, &op.store_id)
    }

    fn check_same(&self, id: Uuid, record_type: &str, store_id: &str) -> Result<(), SyncError> {
        if id != self.id {
            return Err(SyncError::RecordMismatch {
                expected: self.id,
                got: id,
            });
        }
        if record_type != self.record_type || store_id != self.store_id {
            return Err(SyncError::TypeMismatch {
                expected: self.record_type.clone(),
                got: record_type.to_string(),
                expected_store: self.store_id.clone(),
                got_store: store_id.to_string(),
            });
        }
        Ok(())
    }

    // ---- views ----

    fn register(&self, field: &str) -> Option<&Register> {
        match self.fields.get(field) {
            Some(FieldState::Register(r)) => Some(r),
            _ => None,
        }
    }

    /// The shown value of a scalar field (the last writer's), `None` if never written.
    pub fn value(&self, field: &str) -> Option<&Value> {
        self.register(field)?.winner().map(|(_, w)| &w.value)
    }

    /// The current heads of a register field (one unless a conflict is open), in write order.
    pub fn heads(&self, field: &str) -> Vec<Head> {
        let Some(r) = self.register(field) else {
            return Vec::new();
        };
        let mut heads: Vec<_> = r.heads.iter().collect();
        heads.sort_by(|a, b| write_order(*a, *b));
        heads.into_iter().map(|(id, w)| Head::new(id, w)).collect()
    }

    /// The shown state of a status field: the head of highest rank (so a merge never moves
    /// backwards), the initial state if never moved. `None` if `field` is not a status field.
    pub fn status<'a>(&'a self, rt: &RecordType, field: &str) -> Option<&'a str> {
        let FieldKind::Status(machine) = rt.kind(field)? else {
            return None;
        };
        let shown = self
            .register(field)
            .and_then(|r| r.status_winner(machine))
            .and_then(|(_, w)| w.value.as_str());
        Some(shown.unwrap_or(machine.initial))
    }

    /// A log field's entries ordered by `(hlc, entry_id)`.
    pub fn log(&self, field: &str) -> Vec<&LogEntry> {
        let Some(FieldState::Log(l)) = self.fields.get(field) else {
            return Vec::new();
        };
        let mut entries: Vec<_> = l.entries.values().collect();
        entries.sort_by_key(|e| (e.hlc, e.entry_id));
        entries
    }

    /// A counter field's total.
    pub fn counter(&self, field: &str) -> i64 {
        match self.fields.get(field) {
            Some(FieldState::Counter(c)) => c.total(),
            _ => 0,
        }
    }

    /// A counter field's total per device.
    pub fn counter_by_device(&self, field: &str) -> BTreeMap<Uuid, i64> {
        let mut out = BTreeMap::new();
        if let Some(FieldState::Counter(c)) = self.fields.get(field) {
            for s in c.steps.values() {
                let e: &mut i64 = out.entry(s.device_id).or_default();
                *e = e.saturating_add(s.delta);
            }
        }
        out
    }

    /// A set field's elements, sorted.
    pub fn set(&self, field: &str) -> Vec<&str> {
        match self.fields.get(field) {
            Some(FieldState::Set(s)) => s.adds.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The live add tags of `elem` in a set field (what a remove must observe).
    pub fn set_tags(&self, field: &str, elem: &str) -> Vec<Uuid> {
        match self.fields.get(field) {
            Some(FieldState::Set(s)) => s
                .adds
                .get(elem)
                .map(|t| t.iter().copied().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Whether the record is in the bin (the last tombstone write is a delete).
    pub fn is_deleted(&self) -> bool {
        self.deleted
            .winner()
            .is_some_and(|(_, w)| w.value == Value::Bool(true))
    }

    /// The write that put the record in the bin (who, on which device, when), while it is there.
    pub fn deletion(&self) -> Option<&Write> {
        self.deleted
            .winner()
            .map(|(_, w)| w)
            .filter(|w| w.value == Value::Bool(true))
    }

    /// Whether any op has been applied.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty()
    }

    /// The winner and the heads in conflict with it, for a register field (or the tombstone
    /// when `field` is [`DELETED_FIELD`]). Heads that agree with the winner are not conflicts.
    pub(crate) fn split_heads(
        &self,
        rt: &RecordType,
        field: &str,
    ) -> Option<(Head, Vec<Head>, Vec<Uuid>)> {
        let (register, machine) = if field == DELETED_FIELD {
            (&self.deleted, None)
        } else {
            let machine = match rt.kind(field)? {
                FieldKind::Scalar => None,
                FieldKind::Status(m) => Some(m),
                _ => return None,
            };
            (self.register(field)?, machine)
        };
        let (wid, w) = match machine {
            Some(m) => register.status_winner(m)?,
            None => register.winner()?,
        };
        let mut agreeing = vec![*wid];
        let mut others: Vec<(&Uuid, &Write)> = Vec::new();
        for (id, h) in &register.heads {
            if id == wid {
                continue;
            }
            let conflicting = match machine {
                None => h.value != w.value,
                Some(_) => h.value != w.value && !compatible(h, w),
            };
            if conflicting {
                others.push((id, h));
            } else {
                agreeing.push(*id);
            }
        }
        others.sort_by(|a, b| write_order(*b, *a));
        Some((
            Head::new(wid, w),
            others.into_iter().map(|(id, h)| Head::new(id, h)).collect(),
            agreeing,
        ))
    }

    /// Open conflicts, by field (scalar and status fields in declaration order, then the
    /// tombstone).
    pub fn conflicts(&self, rt: &RecordType) -> Vec<Conflict> {
        rt.fields
            .iter()
            .map(|f| f.name)
            .chain([DELETED_FIELD])
            .filter_map(|field| {
                let (winner, others, _) = self.split_heads(rt, field)?;
                (!others.is_empty()).then(|| Conflict {
                    field: field.to_string(),
                    winner,
                    others,
                })
            })
            .collect()
    }
}

/// Two concurrent status heads are compatible (no conflict) when the winner's move started
/// from exactly the state the other head moved to: both devices put the record in that state
/// and the winner's device then moved it on (e.g. `contacted → negotiating` on one tablet,
/// `contacted → negotiating → ordered` on another). Anything else — in particular two moves
/// from the same state to different states, such as confirming an order while another device
/// proposes the A-card as lost — is a conflict, even when the machine would allow a path
/// between the two states.
fn compatible(other: &Write, winner: &Write) -> bool {
    match (other.value.as_str(), winner.from.as_deref()) {
        (Some(reached), Some(departed)) => reached == departed,
        _ => false,
    }
}

/// Apply one op to a record. Returns `Ok(false)` if the op was already applied (a no-op).
/// Refuses (leaving the state untouched) an op for another record or one that does not fit
/// the record type.
pub fn apply(state: &mut RecordState, op: &Op, rt: &RecordType) -> Result<bool, SyncError> {
    state.check_same(op.record_id, &op.record_type, &op.store_id)?;
    if op.record_type != rt.name {
        return Err(SyncError::UnknownRecordType {
            record_type: op.record_type.clone(),
        });
    }
    if state.applied.contains(&op.op_id) {
        return Ok(false);
    }
    check_changes(op, rt)?;
    // Check every touched field holds the right kind of data before changing anything.
    for change in &op.changes {
        if let Some(field) = change.field() {
            let kind = rt.kind(field).expect("checked by check_changes");
            if let Some(existing) = state.fields.get(field)
                && !existing.same_variant(&FieldState::empty_for(kind))
            {
                return Err(SyncError::CorruptState {
                    field: field.to_string(),
                    reason: "stored data does not match the field kind",
                });
            }
        }
    }
    let write = |value: Value, from: Option<String>| Write {
        value,
        from,
        hlc: op.hlc,
        device_id: op.device_id,
        user_id: op.user_id.clone(),
    };
    for change in &op.changes {
        if let Some(field) = change.field() {
            let kind = rt.kind(field).expect("checked by check_changes");
            state
                .fields
                .entry(field.to_string())
                .or_insert_with(|| FieldState::empty_for(kind));
        }
        let field_state = change.field().and_then(|f| state.fields.get_mut(f));
        match (change, field_state) {
            (
                Change::Set {
                    value, supersedes, ..
                },
                Some(FieldState::Register(r)),
            ) => {
                r.put(op.op_id, write(value.clone(), None), supersedes);
            }
            (
                Change::Transition {
                    from,
                    to,
                    supersedes,
                    ..
                },
                Some(FieldState::Register(r)),
            ) => {
                r.put(
                    op.op_id,
                    write(Value::String(to.clone()), Some(from.clone())),
                    supersedes,
                );
            }
            (
                Change::Append {
                    entry_id, value, ..
                },
                Some(FieldState::Log(l)),
            ) => l.insert(LogEntry {
                entry_id: *entry_id,
                value: value.clone(),
                hlc: op.hlc,
                device_id: op.device_id,
                user_id: op.user_id.clone(),
                op_id: op.op_id,
            }),
            (Change::Add { delta, .. }, Some(FieldState::Counter(c))) => {
                c.steps.insert(
                    op.op_id,
                    CounterStep {
                        device_id: op.device_id,
                        delta: *delta,
                    },
                );
            }
            (Change::SetAdd { elem, .. }, Some(FieldState::Set(s))) => s.add(elem, op.op_id),
            (Change::SetRemove { observed, .. }, Some(FieldState::Set(s))) => s.remove(observed),
            (Change::Delete { supersedes }, None) => {
                state
                    .deleted
                    .put(op.op_id, write(Value::Bool(true), None), supersedes);
            }
            (Change::Restore { supersedes }, None) => {
                state
                    .deleted
                    .put(op.op_id, write(Value::Bool(false), None), supersedes);
            }
            _ => unreachable!("kinds checked above"),
        }
    }
    state.applied.insert(op.op_id);
    state.created = Some(state.created.map_or(op.hlc, |c| c.min(op.hlc)));
    state.updated = Some(state.updated.map_or(op.hlc, |u| u.max(op.hlc)));
    Ok(true)
}

/// Merge another replica's state of the same record into `state` (state-based merge, e.g. a
/// new device's first sync from server snapshots). Refuses a state of another record or with
/// a field of another kind, leaving `state` untouched.
pub fn join(state: &mut RecordState, other: &RecordState) -> Result<(), SyncError> {
    state.check_same(other.id, &other.record_type, &other.store_id)?;
    for (name, theirs) in &other.fields {
        if let Some(ours) = state.fields.get(name)
            && !ours.same_variant(theirs)
        {
            return Err(SyncError::CorruptState {
                field: name.clone(),
                reason: "the two states hold different kinds of data",
            });
        }
    }
    for (name, theirs) in &other.fields {
        match state.fields.get_mut(name) {
            Some(ours) => ours.join(theirs),
            None => {
                state.fields.insert(name.clone(), theirs.clone());
            }
        }
    }
    state.deleted.join(&other.deleted);
    state.created = match (state.created, other.created) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    state.updated = state.updated.max(other.updated);
    state.applied.extend(other.applied.iter().copied());
    Ok(())
}
