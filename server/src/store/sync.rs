//! The sync part of storage (docs/sync.md): the numbered op log of
//! each store, the materialised records and the phone index of A-cards.
//!
//! [`SyncStore`] is a super-trait of [`super::Store`], so the handlers reach it through the
//! same `Arc<dyn Store>`. A backend must number the ops of a store 1, 2, 3, … without gaps,
//! write a push (ops, records, seq, indexes) atomically and durably before answering it, and
//! notify [`SyncStore::subscribe`]rs after each commit.

use std::sync::LazyLock;

use chrono::NaiveDateTime;
use domain::Actor;
use domain::policy::PolicyError;
use domain::records::scope::{Context, PhoneEntry, Scope};
use domain::sync::{Op, RecordState, Registry, SyncError};
use domain::time::StoreClock;
use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::watch;
use uuid::Uuid;

use super::StoreFuture;

/// The record types this server accepts ([`domain::records::registry`]), built once.
pub fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(domain::records::registry);
    &REGISTRY
}

/// Why the backend refused a push (checked against the stored state; the handler has already
/// checked everything that does not need storage). Nothing of the push was written.
#[derive(Debug, Clone, PartialEq)]
pub struct PushRefusal {
    /// The index of the refused op in the push.
    pub op_index: usize,
    pub reason: RefusalReason,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RefusalReason {
    /// The op id is known (stored, or earlier in the same push) with a different content.
    OpIdReused,
    /// The op does not fit the stored record (e.g. the record id is a record of another type).
    Apply(SyncError),
    /// The op's `user_id` is none of the push's [`PushCheck::actors`].
    UnknownAuthor,
    /// The op breaks a rule of `domain::policy::check_op` against the stored record.
    Policy(PolicyError),
}

/// What every new op of a push is checked as: `domain::policy::check_op` against the record as
/// stored in the write transaction (after the push's earlier ops), by the actor whose id the
/// op carries.
#[derive(Debug, Clone)]
pub struct PushCheck {
    /// The users whose ops the push may hold, with their roles (a device's push: its user).
    pub actors: Vec<Actor>,
    /// The server's clock (Unix ms) for the bound on old HLCs. `None` only for history the
    /// server writes itself (the demo's months of past work): each op is then checked as of its
    /// own HLC time, every other rule alike.
    pub now_ms: Option<u64>,
    /// The store's clock (the three-hour rule of appointments reads times in it).
    pub clock: StoreClock,
}

impl PushCheck {
    /// A device's push by one user, checked at `now_ms`.
    pub fn device(actor: Actor, now_ms: u64) -> PushCheck {
        PushCheck {
            actors: vec![actor],
            now_ms: Some(now_ms),
            clock: StoreClock::default(),
        }
    }
}

/// JSON text as this server stored it (serde_json's output of its own types), handed on to
/// answers without being parsed again. [`StoredJson::get`] gives the text.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredJson(String);

impl StoredJson {
    /// Stored bytes; only checked to be UTF-8 (the server wrote them as JSON).
    pub fn from_stored(bytes: &[u8]) -> Result<StoredJson, std::str::Utf8Error> {
        Ok(StoredJson(std::str::from_utf8(bytes)?.to_owned()))
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

impl Serialize for StoredJson {
    /// As the JSON value it holds (checked here; the sync routes write the text as is).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// One op of a pull page: its seq, the op as stored (JSON of [`Op`]) and when the server
/// received it.
#[derive(Debug, Serialize)]
pub struct PulledOp {
    pub seq: u64,
    pub op: StoredJson,
    /// Unix ms of the commit that stored the op; `None` for ops stored before the server kept
    /// receive times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_ms: Option<u64>,
}

/// Who reads the store: the record types they may read and the sync scope of their devices
/// (`domain::records::scope`; docs/sync.md, "Sync scope per role").
#[derive(Debug, Clone)]
pub struct Reader {
    /// The record types read; records of other types are never returned.
    pub types: Vec<String>,
    /// `None`: every record of [`Reader::types`] (the server's own reads).
    pub scope: Option<Scope>,
    /// Now in store time (`Scope::holds` of recent visits).
    pub now: NaiveDateTime,
    pub clock: StoreClock,
}

impl Reader {
    /// Every record of these types (the server's own reads: exports, imports, tests).
    pub fn types(types: Vec<String>) -> Reader {
        let clock = StoreClock::default();
        Reader {
            types,
            scope: None,
            now: clock.local(chrono::Utc::now()),
            clock,
        }
    }

    /// What a user's devices hold: the types they may read, by their [`Scope`].
    pub fn user(actor: &Actor) -> Reader {
        let scope = Scope::of(actor);
        let types = registry()
            .types()
            .filter(|t| scope.may_read(t.name))
            .map(|t| t.name.to_owned())
            .collect();
        let clock = StoreClock::default();
        Reader {
            types,
            scope: Some(scope),
            now: clock.local(chrono::Utc::now()),
            clock,
        }
    }

    /// Whether the type is read.
    pub fn reads_type(&self, record_type: &str) -> bool {
        self.types.iter().any(|t| t == record_type)
    }

    /// The scope when it holds less than every record of the types (then each record is
    /// checked with [`Reader::holds`]).
    pub fn limited(&self) -> Option<&Scope> {
        self.scope.as_ref().filter(|s| !s.is_everything())
    }

    /// Whether the reader holds `record` (its type, then its scope), given the record's parent
    /// (`scope::parent_of`) as stored.
    pub fn holds(&self, record: &RecordState, parent: Option<&RecordState>) -> bool {
        if !self.reads_type(&record.record_type) {
            return false;
        }
        match self.limited() {
            None => true,
            Some(scope) => scope.holds(
                record,
                Context {
                    parent,
                    now: self.now,
                    clock: self.clock,
                },
            ),
        }
    }
}

/// A page of the op log of one store.
#[derive(Debug)]
pub struct PullPage {
    /// The ops with `after < seq ≤ last_seq` the reader is sent, in seq order.
    pub ops: Vec<PulledOp>,
    /// Whole records (JSON of [`RecordState`], as stored now) that may have entered the reader's
    /// scope after `after` (or left it): a record sent here reaches the device whole, not as the
    /// few ops after the cursor. Joining one the device already holds changes nothing.
    pub records: Vec<StoredJson>,
    /// The last seq looked at (the next cursor); `after` when there was nothing new.
    pub last_seq: u64,
    /// Whether there are ops after `last_seq`.
    pub more: bool,
}

/// A page of the current records of one store, by record id.
#[derive(Debug)]
pub struct SnapshotPage {
    /// Readable records (JSON of [`RecordState`]), by id.
    pub records: Vec<StoredJson>,
    /// The id to pass as `after` for the next page; `None` after the last page.
    pub next: Option<Uuid>,
    /// The store's seq when the page was read (same read transaction).
    pub seq: u64,
    /// How many records the reader holds (same read transaction) when [`SnapshotPage::exact`];
    /// otherwise (a limited scope, `domain::records::scope`) how many records of the reader's
    /// types the store has, an upper bound: counting a limited scope would read the whole store
    /// once more than its pages do (issue 14).
    pub total: u64,
    /// Whether `total` is the exact count of what the reader holds.
    pub exact: bool,
}

/// The newest ops of one record (`GET /api/records/{id}/history`).
#[derive(Debug)]
pub struct RecordHistory {
    /// The record's type (the handler checks that the user may read it).
    pub record_type: String,
    /// In seq order (oldest first): the newest `limit` ops with seq < `before`.
    pub ops: Vec<PulledOp>,
    /// Older ops of the record exist: ask again with `before` = the first op's seq.
    pub more: bool,
}

/// A-cards whose phone normalises to the same number.
#[derive(Debug)]
pub struct PhoneGroup {
    /// The canonical phone (`domain::sales::phone::normalise`).
    pub phone: String,
    /// At least two cards, not deleted, whose current phone is `phone`.
    pub cards: Vec<RecordState>,
}

/// What the sync handlers need from storage.
pub trait SyncStore: Send + Sync + 'static {
    /// Stores the ops of one push (already checked by the handler: store, device, user,
    /// `validate_op`, roles, clock) in one durable transaction and returns each op's seq, in
    /// order. A known op id with the same content gets its existing seq (nothing is written
    /// for it); with another content the whole push is refused. Every new op is checked by
    /// `check` against the record as stored before it is applied; a refusal refuses the push.
    fn push(
        &self,
        store_id: String,
        ops: Vec<Op>,
        check: PushCheck,
    ) -> StoreFuture<'_, Result<Vec<u64>, PushRefusal>>;

    /// Up to `limit` ops of the store with seq > `after` that the reader is sent (the others
    /// still advance `last_seq`): an op of a record the reader holds now, and an op that took a
    /// record out of the reader's scope (`scope::changes_scope`, the record held just before
    /// it); with them, whole, every such record that had a scope-changing op after `after`
    /// (docs/sync.md, "Sync scope per role").
    fn pull(
        &self,
        store_id: String,
        after: u64,
        limit: usize,
        reader: Reader,
    ) -> StoreFuture<'_, PullPage>;

    /// Up to `limit` records of the store with id > `after` that the reader holds.
    fn snapshot(
        &self,
        store_id: String,
        after: Option<Uuid>,
        limit: usize,
        reader: Reader,
    ) -> StoreFuture<'_, SnapshotPage>;

    /// The ops of record `record_id` of the store (see [`RecordHistory`]); `None` if the store
    /// has no such record or the reader does not hold it.
    fn record_history(
        &self,
        store_id: String,
        record_id: Uuid,
        before: Option<u64>,
        limit: usize,
        reader: Reader,
    ) -> StoreFuture<'_, Option<RecordHistory>>;

    /// The store's phone index for 撞单 warnings: one entry per live A-card with a valid phone
    /// (`scope::phone_entry`), by card id, and the store's seq when it was read.
    fn phone_index(&self, store_id: String) -> StoreFuture<'_, (Vec<PhoneEntry>, u64)>;

    /// The store's last seq (0 before the first op).
    fn seq(&self, store_id: String) -> StoreFuture<'_, u64>;

    /// The groups of live A-cards sharing a normalised phone.
    fn phone_groups(&self, store_id: String) -> StoreFuture<'_, Vec<PhoneGroup>>;

    /// A receiver that changes (to the new seq) after every commit that advanced the store's
    /// seq. Its initial value means nothing: read [`SyncStore::seq`] after subscribing.
    fn subscribe(&self, store_id: &str) -> watch::Receiver<u64>;
}
