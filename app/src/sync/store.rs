//! The sync engine's IndexedDB stores (`records`, `outbox`, `meta`, `ops`; see `db.rs`).
//!
//! Every function is one IndexedDB transaction. Inside a transaction only IndexedDB requests
//! are awaited (a transaction whose task waits on anything else — the network, a timer —
//! commits early), so an edit's record and op, or a pulled page's records and cursor, are
//! written together or not at all. Every op applied (an own edit's, a pulled one) is kept in
//! `ops` in the same transaction as its record, for the record's history.

use std::collections::BTreeMap;
use std::future::IntoFuture;

use domain::plan::Plan;
use domain::policy::{PolicyError, check_op};
use domain::sales::grade::{
    CadenceSettings, FollowUpCard, FollowUpPage, SleepSettings, follow_up_page,
};
use domain::sync::outbox::{Pusher, Waiting, may_push, waiting_by_author};
use domain::sync::{Change, Clock, Op, RecordState, RecordType, SyncError, apply, join};
use idb::{KeyRange, ObjectStore, Query, TransactionMode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use crate::db::{self, BY_RECORD, BY_TERM, BY_USER, DbError, META, OPS, OUTBOX, RECORDS};

/// Keys of the `meta` store.
pub mod keys {
    /// The HLC clock (`domain::sync::Clock`: last stamp and server offset).
    pub const CLOCK: &str = "clock";
    /// The pull cursor: the `last_seq` of the last pull. Absent until the first snapshot is in.
    pub const CURSOR: &str = "cursor";
    /// A first sync's snapshot in progress ([`super::SnapshotProgress`]).
    pub const SNAPSHOT: &str = "snapshot";
    /// When the last sync finished (Unix ms, device clock).
    pub const LAST_SYNCED: &str = "last_synced_at";
    /// Ops the server refused for good ([`super::Refused`]).
    pub const REFUSED: &str = "refused";
    /// The version of the records' index fields ([`super::INDEX_VERSION`]) once
    /// [`super::reindex`] has rewritten every record.
    pub const INDEX_VERSION: &str = "index_version";
    /// The key of the sync scope the records and the cursor are of (`Scope::key`).
    pub const SCOPE: &str = "scope";
    /// The cursors of the other scopes this device synced (a shared tablet): key → cursor.
    pub const SCOPES: &str = "scopes";
    /// When the phone index was last read: `{seq, at}` ([`super::phones`]).
    pub const PHONES_AT: &str = "phones_at";
}

/// The version of the index fields `record_value` writes; raise it when
/// `domain::records::index::keys` changes, so that [`reindex`] rewrites the stored records.
pub const INDEX_VERSION: u32 = domain::records::index::VERSION;

/// Records rewritten per transaction by [`reindex`].
const REINDEX_BATCH: u32 = 500;

/// An index of `records` that lists read a page at a time (`db.rs`, version 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListIndex {
    pub name: &'static str,
    /// The value's properties the index key is made of, in order.
    pub path: &'static [&'static str],
}

/// By type, then day (an A-card's next follow-up, a task's due date…), name and id.
pub const BY_DAY_INDEX: ListIndex = ListIndex {
    name: db::BY_DAY,
    path: &domain::records::index::DAY_PATH,
};
/// By type and owner, then day, name and id.
pub const BY_OWNER_INDEX: ListIndex = ListIndex {
    name: db::BY_OWNER,
    path: &domain::records::index::OWNER_PATH,
};
/// By type and status, then day, name and id.
pub const BY_STATUS_INDEX: ListIndex = ListIndex {
    name: db::BY_STATUS,
    path: &domain::records::index::STATUS_PATH,
};
/// By type and the day each was made, then id.
pub const BY_MADE_INDEX: ListIndex = ListIndex {
    name: db::BY_MADE,
    path: &domain::records::index::MADE_PATH,
};
/// One page of a list read through a [`ListIndex`].
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub records: Vec<RecordState>,
    /// The index key and id of the page's last record, when more follow: the next page starts
    /// after it.
    pub next: Option<JsValue>,
}

/// Who makes an edit on this device.
#[derive(Debug, Clone)]
pub struct Author {
    pub user_id: String,
    /// The name shown for the user, kept with each op in the outbox so that the device can say
    /// whose changes wait even when nobody is logged in.
    pub user_name: String,
    pub store_id: String,
    pub device_id: Uuid,
    /// The user's roles: the domain's rules (`domain::policy`) are checked before writing.
    pub roles: Vec<domain::Role>,
}

/// A first sync's progress through `GET /api/sync/snapshot`, kept so that it can resume.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotProgress {
    /// The `next` of the last page stored (resume after it).
    pub after: Option<Uuid>,
    /// The first page's `seq`: where pulling starts once the last page is in.
    pub seq: u64,
    pub fetched: u64,
    pub total: u64,
    /// Whether `total` is the exact count of the scope (else an upper bound, not shown).
    #[serde(default)]
    pub exact: bool,
}

impl SnapshotProgress {
    /// The total to show beside the records fetched: only an exact count.
    pub fn shown_total(&self) -> Option<u64> {
        self.exact.then_some(self.total)
    }
}

/// An op the server refused for good (e.g. `op_id_reused`, a validation error): taken out of
/// the outbox so that the others can go, and listed on the conflicts page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub op: Op,
    pub code: String,
    pub message: String,
    /// When it was refused (Unix ms).
    pub at: f64,
}

/// A rule an edit broke (`SyncError`, `PolicyError`), as the person is told: the refusal's
/// code and its message in each language, written by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleText {
    pub code: &'static str,
    pub en: String,
    pub zh: String,
}

impl From<SyncError> for RuleText {
    fn from(e: SyncError) -> Self {
        RuleText {
            code: e.code(),
            en: e.message_en(),
            zh: e.message_zh(),
        }
    }
}

impl From<PolicyError> for RuleText {
    fn from(e: PolicyError) -> Self {
        RuleText {
            code: domain::sales::UserError::code(&e),
            en: domain::sales::UserError::message_en(&e),
            zh: domain::sales::UserError::message_zh(&e),
        }
    }
}

/// Why an edit was not saved.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Db(#[from] DbError),
    /// A rule the edit broke (`SyncError`), or one the server would refuse it by
    /// (`domain::policy::check_op`): its words, written in the engine (`commit.rs`), so that the
    /// pages do not carry every rule's messages.
    #[error("{}", .0.en)]
    Rule(RuleText),
}

impl From<SyncError> for EditError {
    fn from(e: SyncError) -> Self {
        EditError::Rule(e.into())
    }
}

impl From<PolicyError> for EditError {
    fn from(e: PolicyError) -> Self {
        EditError::Rule(e.into())
    }
}

/// What the outbox keeps for one op: its author (indexed by `by_user`), the author's name and
/// the op as JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OutboxEntry {
    user_id: String,
    #[serde(default)]
    user_name: String,
    json: String,
}

impl OutboxEntry {
    fn new(op: &Op, user_name: &str) -> Result<Self, DbError> {
        Ok(OutboxEntry {
            user_id: op.user_id.clone(),
            user_name: user_name.to_string(),
            json: serde_json::to_string(op).map_err(|e| DbError::Decode(e.to_string()))?,
        })
    }

    /// Reads a stored value: an object, or the plain JSON text of an op that a version-2 app
    /// wrote (its author is the op's `user_id`; the name is not known).
    fn read(value: &JsValue) -> Result<Self, DbError> {
        if let Some(json) = value.as_string() {
            let op: Op =
                serde_json::from_str(&json).map_err(|e| DbError::Decode(format!("outbox: {e}")))?;
            return Ok(OutboxEntry {
                user_id: op.user_id,
                user_name: String::new(),
                json,
            });
        }
        let field = |k: &str| {
            js_sys::Reflect::get(value, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_string())
        };
        Ok(OutboxEntry {
            user_id: field("user_id")
                .ok_or_else(|| DbError::Decode("outbox entry without user_id".into()))?,
            user_name: field("user_name").unwrap_or_default(),
            json: field("json")
                .ok_or_else(|| DbError::Decode("outbox entry without json".into()))?,
        })
    }

    fn op(&self) -> Result<Op, DbError> {
        serde_json::from_str(&self.json).map_err(|e| DbError::Decode(format!("outbox: {e}")))
    }

    /// The stored value: an object whose `user_id` the index `by_user` reads.
    fn value(&self) -> Result<JsValue, DbError> {
        let obj = js_sys::Object::new();
        for (k, v) in [
            ("user_id", &self.user_id),
            ("user_name", &self.user_name),
            ("json", &self.json),
        ] {
            js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v))
                .map_err(|_| DbError::Idb("cannot build an outbox value".into()))?;
        }
        Ok(obj.into())
    }
}

impl From<idb::Error> for EditError {
    fn from(e: idb::Error) -> Self {
        EditError::Db(e.into())
    }
}

pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

fn decode<T: DeserializeOwned>(what: &str, value: Option<JsValue>) -> Result<Option<T>, DbError> {
    match value.and_then(|v| v.as_string()) {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| DbError::Decode(format!("{what}: {e}"))),
    }
}

fn text<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, DbError> {
    serde_json::to_string(value)
        .map(|t| JsValue::from_str(&t))
        .map_err(|e| DbError::Decode(e.to_string()))
}

/// `{type, id, json}` and the index fields of `domain::records::index::keys` (`owner`,
/// `status`, `day` when the type has them, `name`, `made`, `terms`, `links`; left out for a
/// record in the bin, which is then in no index but `by_flag`; `flags` always): properties,
/// so that the indexes (`db.rs`) can read them.
///
/// `json` is the record's compact text (`domain::sync::compact`: a third of the serde form's
/// size, and a first sync's cost grows with the bytes stored) as UTF-8 bytes ([`json_bytes`]);
/// [`read_record`] reads it, the same text as a string (what a device stored before) and the
/// serde form a device stored before index version 5.
pub(crate) fn record_value(state: &RecordState) -> Result<JsValue, DbError> {
    let json = domain::sync::compact::to_text(state);
    let obj = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&obj, &JsValue::from_str(k), v)
            .map_err(|_| DbError::Idb("cannot build a record value".into()))
    };
    set("type", &JsValue::from_str(&state.record_type))?;
    set("id", &key(&state.id))?;
    set("json", &json_bytes(&json))?;
    let index = domain::records::index::keys(state, crate::clock::store_clock());
    if index.live {
        for (k, v) in [
            ("owner", index.owner.as_deref()),
            ("status", index.status.as_deref()),
            ("day", index.day.as_deref()),
            ("name", Some(index.name.as_str())),
            ("made", Some(index.made.as_str())),
        ] {
            if let Some(v) = v {
                set(k, &JsValue::from_str(v))?;
            }
        }
        set("terms", &strings(&index.terms))?;
        set("links", &strings(&index.links))?;
        if let Some(follow) = &index.follow {
            set("follow", &JsValue::from_str(follow))?;
        }
    }
    set("flags", &strings(&index.flags))?;
    Ok(obj.into())
}

fn strings(items: &[String]) -> JsValue {
    items
        .iter()
        .map(|t| JsValue::from_str(t))
        .collect::<js_sys::Array>()
        .into()
}

/// A record's text as its stored form: UTF-8 bytes (a `Uint8Array`). IndexedDB keeps a string
/// with any character past U+00FF (a Chinese name) as two bytes a character, bytes as they
/// are: the value is about half the size, and a first sync of 100,000 records writes that much
/// less (BENCHMARKS.md, "What a put costs": ~10 % less time a record).
fn json_bytes(json: &str) -> JsValue {
    js_sys::Uint8Array::from(json.as_bytes()).into()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The browser's `TextEncoder`: a snapshot value's text (a JS string) to UTF-8 bytes without
    /// bringing it into Rust (a first sync encodes 100,000 of them).
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;
    #[wasm_bindgen(method, js_class = "TextEncoder")]
    fn encode(this: &Utf8Encoder, text: &JsValue) -> js_sys::Uint8Array;
}

fn read_record(value: &JsValue) -> Result<RecordState, DbError> {
    use wasm_bindgen::JsCast;
    let json = js_sys::Reflect::get(value, &JsValue::from_str("json"))
        .map_err(|_| DbError::Decode("record without json".into()))?;
    let text = match json.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes) => String::from_utf8(bytes.to_vec())
            .map_err(|_| DbError::Decode("a record's text that is not UTF-8".into()))?,
        None => json
            .as_string()
            .ok_or_else(|| DbError::Decode("record without json".into()))?,
    };
    domain::sync::compact::from_text(&text).map_err(|e| DbError::Decode(format!("record: {e}")))
}

/// `{record, json}`: the record id is a property so that `by_record` can index it.
fn op_value(op: &Op) -> Result<JsValue, DbError> {
    let obj = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        js_sys::Reflect::set(&obj, &JsValue::from_str(k), v)
            .map_err(|_| DbError::Idb("cannot build an op value".into()))
    };
    set("record", &key(&op.record_id))?;
    set("json", &text(op)?)?;
    Ok(obj.into())
}

/// Keeps `op` in `ops` (again is harmless: the key is the op id).
async fn keep_op(store: &ObjectStore, op: &Op) -> Result<(), DbError> {
    store.put(&op_value(op)?, Some(&key(&op.op_id)))?.await?;
    Ok(())
}

/// The ops the device holds of record `id` (any order).
pub async fn ops_of(id: Uuid) -> Result<Vec<Op>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[OPS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(OPS)?.index(BY_RECORD)?;
    let values = index.get_all(Some(key(&id).into()), None)?.await?;
    tx.await?;
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let json = js_sys::Reflect::get(&v, &JsValue::from_str("json"))
            .ok()
            .and_then(|j| j.as_string());
        match json.map(|j| serde_json::from_str::<Op>(&j)) {
            Some(Ok(op)) => out.push(op),
            other => leptos::logging::warn!("forecourt: skipping an unreadable kept op: {other:?}"),
        }
    }
    Ok(out)
}

fn key(id: &Uuid) -> JsValue {
    JsValue::from_str(&id.to_string())
}

async fn get_record(store: &ObjectStore, id: &Uuid) -> Result<Option<RecordState>, DbError> {
    match store.get(key(id))?.await? {
        Some(v) if !v.is_undefined() => read_record(&v).map(Some),
        _ => Ok(None),
    }
}

async fn get_meta<T: DeserializeOwned>(store: &ObjectStore, k: &str) -> Result<Option<T>, DbError> {
    decode(k, store.get(JsValue::from_str(k))?.await?)
}

async fn put_meta<T: Serialize + ?Sized>(
    store: &ObjectStore,
    k: &str,
    value: &T,
) -> Result<(), DbError> {
    store
        .put(&text(value)?, Some(&JsValue::from_str(k)))?
        .await?;
    Ok(())
}

/// The records of `values` (read from `records` or one of its indexes); unreadable ones are
/// logged and skipped.
fn read_all(values: &[JsValue]) -> Vec<RecordState> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match read_record(v) {
            Ok(r) => out.push(r),
            Err(e) => leptos::logging::error!("forecourt: skipping an unreadable record: {e}"),
        }
    }
    out
}

/// The records of `records`' index `index` in `range` (every key when `None`), at most `limit`.
async fn read_index(
    index: &str,
    range: Option<Query>,
    limit: Option<u32>,
) -> Result<Vec<RecordState>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let values = tx
        .object_store(RECORDS)?
        .index(index)?
        .get_all(range, limit)?
        .await?;
    tx.await?;
    Ok(read_all(&values))
}

/// The live records of one type: for the small types held whole
/// (`domain::records::index::WHOLE_TYPES`). Read through `by_made`'s `[type]` prefix: every
/// live record has a `made`, so no index of its own lists records by type (one entry less per
/// record to write; records in the bin are left out, as every screen leaves them out).
pub async fn load_type(record_type: &str) -> Result<Vec<RecordState>, DbError> {
    let t = JsValue::from_str(record_type);
    let lower = array(std::slice::from_ref(&t));
    let upper = array(&[t, js_sys::Array::new().into()]);
    let range = KeyRange::bound(&lower, &upper, Some(false), Some(true))?;
    read_index(db::BY_MADE, Some(range.into()), None).await
}

/// The records that belong to record `id` (`links`, index `by_link`), of any type.
pub async fn linked(id: Uuid) -> Result<Vec<RecordState>, DbError> {
    read_index(db::BY_LINK, Some(key(&id).into()), None).await
}

/// The records that belong to any of `ids` (index `by_link`), of any type, each once: one
/// transaction with every read asked for before the first answer is awaited (a page's many
/// customers' own records, without a transaction each).
pub async fn linked_many(ids: &[Uuid]) -> Result<Vec<RecordState>, DbError> {
    let keys: Vec<JsValue> = ids.iter().map(key).collect();
    with_keys(db::BY_LINK, &keys).await
}

/// The records whose key in `index` is one of `keys` (exact), each once: one transaction with
/// every read asked for before the first answer is awaited.
async fn with_keys(index: &str, keys: &[JsValue]) -> Result<Vec<RecordState>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(RECORDS)?.index(index)?;
    let mut requests = Vec::with_capacity(keys.len());
    for k in keys {
        requests.push(index.get_all(Some(k.clone().into()), None)?.into_future());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for request in requests {
        for r in read_all(&request.await?) {
            if seen.insert(r.id) {
                out.push(r);
            }
        }
    }
    tx.await?;
    Ok(out)
}

/// The records with `flag` (`domain::records::index::FLAG_CONFLICT`, `FLAG_BIN`; index
/// `by_flag`).
pub async fn flagged(flag: &str) -> Result<Vec<RecordState>, DbError> {
    read_index(db::BY_FLAG, Some(JsValue::from_str(flag).into()), None).await
}

/// Today's follow-ups of `owner` (docs/sync.md, "How a screen reads records"): the entries of
/// `by_follow` (the A-cards being followed) are read with a key cursor, i.e. their index keys
/// (`[type, owner, follow]`) and record ids only, no stored value (a `getAll` would copy every
/// card's JSON text: ~4,000 cards for a manager who sells); the list is computed from those
/// keys (`domain::sales::grade::follow_up_page`), then only the page's cards are read and
/// parsed. Returns the page and its records, in list order.
pub async fn follow_ups(
    owner: &str,
    rules: &FollowUpRules,
) -> Result<(FollowUpPage, Vec<RecordState>), DbError> {
    let t = JsValue::from_str("a_card");
    let o = JsValue::from_str(owner);
    let lower = array(&[t.clone(), o.clone()]);
    let upper = array(&[t, o, js_sys::Array::new().into()]);
    let range = KeyRange::bound(&lower, &upper, Some(false), Some(true))?;
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(RECORDS)?.index(db::BY_FOLLOW)?;
    let entries = key_cursor(index, range.into()).await?;
    tx.await?;
    let mut cards = Vec::with_capacity(entries.len());
    for (k, primary) in &entries {
        let card = primary
            .as_string()
            .and_then(|id| Uuid::parse_str(&id).ok())
            .zip(
                js_sys::Reflect::get_u32(k, 2)
                    .ok()
                    .and_then(|f| f.as_string()),
            )
            .and_then(|(id, follow)| FollowUpCard::from_key(id, &follow));
        match card {
            Some(card) => cards.push(card),
            None => leptos::logging::warn!("forecourt: skipping an unreadable follow-up key"),
        }
    }
    let page = follow_up_page(
        &cards,
        &rules.cadence,
        &rules.sleep,
        rules.today,
        rules.skip,
        rules.take,
    );
    let ids: Vec<Uuid> = page.entries.iter().map(|e| e.card).collect();
    let records = load(&ids)
        .await?
        .into_iter()
        .filter_map(|(_, r)| r)
        .collect();
    Ok((page, records))
}

/// Every `(index key, record id)` of `index` within `range`, read with a key cursor (no stored
/// value is read).
async fn key_cursor(index: idb::Index, range: JsValue) -> Result<Vec<(JsValue, JsValue)>, DbError> {
    let index: web_sys::IdbIndex = index.into();
    let request = index
        .open_key_cursor_with_range(&range)
        .map_err(cursor_failed)?;
    let found: std::rc::Rc<std::cell::RefCell<Vec<(JsValue, JsValue)>>> = std::rc::Rc::default();
    let kept = found.clone();
    walk(request, move |cursor| {
        kept.borrow_mut()
            .push((cursor.key()?, cursor.primary_key()?));
        cursor.continue_()?;
        Ok(true)
    })
    .await?;
    Ok(found.take())
}

fn cursor_failed(e: JsValue) -> DbError {
    DbError::Idb(format!("cursor: {e:?}"))
}

/// Walks the cursor `request` opened: `visit` is called with the cursor at each entry, moves
/// it on itself (`continue_`, `continue_primary_key`) and says whether to go on (`false`: the
/// walk ends there). Driven from the request's `success` events: one callback for the whole
/// walk rather than a future per step.
async fn walk(
    request: web_sys::IdbRequest,
    mut visit: impl FnMut(&web_sys::IdbCursor) -> Result<bool, JsValue> + 'static,
) -> Result<(), DbError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let mut settle = None;
    let done = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.ok_or_else(|| DbError::Idb("cursor: no promise".into()))?;
    let on_success = {
        let (request, reject) = (request.clone(), reject.clone());
        Closure::<dyn FnMut()>::new(move || {
            let step = match request.result() {
                Ok(v) if !v.is_null() && !v.is_undefined() => visit(v.unchecked_ref()),
                Ok(_) => Ok(false),
                Err(e) => Err(e),
            };
            match step {
                Ok(true) => {}
                Ok(false) => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                Err(e) => {
                    let _ = reject.call1(&JsValue::NULL, &e);
                }
            }
        })
    };
    let on_error = {
        let request = request.clone();
        Closure::<dyn FnMut()>::new(move || {
            let e: JsValue = request
                .error()
                .ok()
                .flatten()
                .map(Into::into)
                .unwrap_or_else(|| JsValue::from_str("the cursor failed"));
            let _ = reject.call1(&JsValue::NULL, &e);
        })
    };
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let walked = wasm_bindgen_futures::JsFuture::from(done).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    drop((on_success, on_error));
    walked.map(drop).map_err(cursor_failed)
}

/// What [`follow_ups`] computes the list by: the store's rules, the day, the page.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRules {
    pub cadence: CadenceSettings,
    pub sleep: SleepSettings,
    pub today: domain::sales::chrono::NaiveDate,
    /// The entries of the list to read records of: `skip..skip + take`.
    pub skip: usize,
    pub take: usize,
}

/// The live records of `record_type` whose day in `index` (`by_day`: `day`; `by_made`: `made`)
/// is within `from..=to` (`YYYY-MM-DD`), in day order.
pub async fn days(
    index: ListIndex,
    record_type: &str,
    from: &str,
    to: &str,
) -> Result<Vec<RecordState>, DbError> {
    within(index, &[record_type], from, to).await
}

/// The live records of `index` whose key starts with `prefix` (the type first, e.g. `["a_card",
/// "lost"]` in `by_status`) and goes on with a day within `from..=to`, in day order: the A-cards
/// lost in a month (their `day` is the day they closed, `domain::sales::kpi_reads::closed_key`).
pub async fn within(
    index: ListIndex,
    prefix: &[&str],
    from: &str,
    to: &str,
) -> Result<Vec<RecordState>, DbError> {
    let mut lower: Vec<JsValue> = prefix.iter().map(|p| JsValue::from_str(p)).collect();
    let mut upper = lower.clone();
    lower.push(JsValue::from_str(from));
    // Every key of day `to` sorts before `[…prefix, to, []]` (arrays sort after strings).
    upper.push(JsValue::from_str(to));
    upper.push(js_sys::Array::new().into());
    let range = KeyRange::bound(&array(&lower), &array(&upper), Some(false), Some(true))?;
    read_index(index.name, Some(range.into()), None).await
}

/// Every `(id, day)` of `record_type` in `by_day`, read with a key cursor (index keys and ids
/// only, no stored value): a type counted by day without reading it (经营指标's customer base,
/// `domain::service::customer_base`).
pub async fn day_entries(record_type: &str) -> Result<Vec<(Uuid, String)>, DbError> {
    let t = JsValue::from_str(record_type);
    let lower = array(std::slice::from_ref(&t));
    // Every key of the type sorts before `[type, []]` (arrays sort after strings).
    let upper = array(&[t, js_sys::Array::new().into()]);
    let range = KeyRange::bound(&lower, &upper, Some(false), Some(true))?;
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(RECORDS)?.index(BY_DAY_INDEX.name)?;
    let entries = key_cursor(index, range.into()).await?;
    tx.await?;
    Ok(entries
        .iter()
        .filter_map(|(k, primary)| {
            let id = primary
                .as_string()
                .and_then(|id| Uuid::parse_str(&id).ok())?;
            let day = js_sys::Reflect::get_u32(k, 1).ok()?.as_string()?;
            Some((id, day))
        })
        .collect())
}

/// The records with any of `terms` as one of their search terms (exact, index `by_term`), each
/// once: one transaction with every read asked for before the first answer is awaited.
pub async fn with_terms(terms: &[String]) -> Result<Vec<RecordState>, DbError> {
    let keys: Vec<JsValue> = terms.iter().map(|t| JsValue::from_str(t)).collect();
    with_keys(BY_TERM, &keys).await
}

/// Gives the records a version-3 app stored their index fields (`record_value`), a batch per
/// transaction, then notes [`INDEX_VERSION`] in `meta`; does nothing once that is noted.
/// Returns how many records were rewritten.
pub async fn reindex() -> Result<u64, DbError> {
    if meta::<u32>(keys::INDEX_VERSION).await? == Some(INDEX_VERSION) {
        return Ok(0);
    }
    let mut after: Option<JsValue> = None;
    let mut rewritten = 0;
    loop {
        let database = db::handle()?;
        let tx = database.transaction(&[RECORDS, META], TransactionMode::ReadWrite)?;
        let store = tx.object_store(RECORDS)?;
        let range: Option<Query> = match &after {
            Some(k) => Some(KeyRange::lower_bound(k, Some(true))?.into()),
            None => None,
        };
        let ids = store
            .get_all_keys(range.clone(), Some(REINDEX_BATCH))?
            .await?;
        let values = store.get_all(range, Some(REINDEX_BATCH))?.await?;
        for (k, v) in ids.iter().zip(&values) {
            match read_record(v) {
                Ok(r) => {
                    store.put(&record_value(&r)?, Some(k))?.await?;
                    rewritten += 1;
                }
                Err(e) => leptos::logging::error!("forecourt: skipping an unreadable record: {e}"),
            }
        }
        let done = ids.len() < REINDEX_BATCH as usize;
        if done {
            put_meta(&tx.object_store(META)?, keys::INDEX_VERSION, &INDEX_VERSION).await?;
        }
        tx.commit()?.await?;
        if done {
            return Ok(rewritten);
        }
        after = ids.last().cloned();
    }
}

fn array(items: &[JsValue]) -> JsValue {
    items.iter().collect::<js_sys::Array>().into()
}

/// Up to `limit` records of `index` whose key starts with `prefix` (e.g. `["a_card"]`, or
/// `["a_card", owner]`), in the index's order, starting after `after` (a [`Page::next`]).
///
/// The index keys do not end in the record's id (`domain::records::index::OWNER_PATH`): several
/// records may share a key (one day's visits), in the order of their ids. A page's `next` is
/// its last entry's key and id, and the next page starts at that key, moves past that id
/// (`continuePrimaryKey`) and reads on with a cursor.
pub async fn page(
    index: ListIndex,
    prefix: &[&str],
    after: Option<&JsValue>,
    limit: u32,
) -> Result<Page, DbError> {
    let prefix: Vec<JsValue> = prefix.iter().map(|p| JsValue::from_str(p)).collect();
    // Every key that starts with `prefix` sorts before `prefix` followed by an array (arrays
    // sort after strings in IndexedDB).
    let mut upper = prefix.clone();
    upper.push(js_sys::Array::new().into());
    use wasm_bindgen::JsCast;
    let after: Option<(JsValue, JsValue)> = after.map(|a| {
        let a: &js_sys::Array = a.unchecked_ref();
        (a.get(0), a.get(1))
    });
    let lower = match &after {
        Some((k, _)) => k.clone(),
        None => array(&prefix),
    };
    let range = KeyRange::bound(&lower, &array(&upper), Some(false), Some(true))?;
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let idb_index: web_sys::IdbIndex = tx.object_store(RECORDS)?.index(index.name)?.into();
    let request = idb_index
        .open_cursor_with_range(&JsValue::from(range))
        .map_err(cursor_failed)?;
    let found: std::rc::Rc<std::cell::RefCell<Vec<(JsValue, JsValue, JsValue)>>> =
        std::rc::Rc::default();
    // `limit` may be `u32::MAX` (the whole range): on wasm32 a usize is 32 bits.
    let wanted = (limit as usize).saturating_add(1);
    let mut pending = after.map(|(k, pk)| (k, pk, false));
    let kept = found.clone();
    walk(request, move |cursor| {
        let (key, id) = (cursor.key()?, cursor.primary_key()?);
        if let Some((after_key, after_id, jumped)) = &mut pending {
            let (id_text, after_text) = (id.as_string(), after_id.as_string());
            if same_key(&key, after_key) && id_text <= after_text {
                // Past the page's last entry: in one step to it, then one more.
                if *jumped || id_text == after_text {
                    cursor.continue_()?;
                } else {
                    cursor.continue_primary_key(after_key, after_id)?;
                }
                *jumped = true;
                return Ok(true);
            }
            pending = None;
        }
        let value = cursor
            .unchecked_ref::<web_sys::IdbCursorWithValue>()
            .value()?;
        let mut kept = kept.borrow_mut();
        kept.push((key, id, value));
        if kept.len() >= wanted {
            return Ok(false);
        }
        cursor.continue_()?;
        Ok(true)
    })
    .await?;
    tx.await?;
    let found = found.take();
    let more = found.len() > limit as usize;
    let mut records = Vec::with_capacity(found.len().min(limit as usize));
    let mut last = None;
    for (key, id, v) in found.into_iter().take(limit as usize) {
        match read_record(&v) {
            Ok(r) => records.push(r),
            Err(e) => leptos::logging::error!("forecourt: skipping an unreadable record: {e}"),
        }
        last = Some(array(&[key, id]));
    }
    Ok(Page {
        records,
        next: if more { last } else { None },
    })
}

/// Whether two index keys of one index are equal (arrays of strings).
fn same_key(a: &JsValue, b: &JsValue) -> bool {
    js_sys::JSON::stringify(a).ok().map(String::from)
        == js_sys::JSON::stringify(b).ok().map(String::from)
}

/// The records of `domain::records::index::SEARCHED` found by the search text `input`
/// (`domain::records::index::matches`), at most `limit`: read through `by_term` for each of
/// the input's `lookups` (a term starts with it), in term order, then narrowed to the records
/// the rule finds (a lookup without a plate's province character finds other provinces' too).
pub async fn search(input: &str, limit: u32) -> Result<Vec<RecordState>, DbError> {
    let lookups = domain::records::index::lookups(input);
    if lookups.is_empty() {
        return Ok(Vec::new());
    }
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(RECORDS)?.index(BY_TERM)?;
    // Every read asked for before the first answer is awaited. A record has several terms:
    // read more than `limit` entries to find `limit` records.
    let mut requests = Vec::with_capacity(lookups.len());
    for q in &lookups {
        let range = KeyRange::bound(
            &JsValue::from_str(q),
            &JsValue::from_str(&format!("{q}\u{ffff}")),
            Some(false),
            Some(false),
        )?;
        requests.push(
            index
                .get_all(Some(range.into()), Some(limit.saturating_mul(4)))?
                .into_future(),
        );
    }
    let mut values = Vec::new();
    for request in requests {
        values.extend(request.await?);
    }
    tx.await?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for v in &values {
        if out.len() >= limit as usize {
            break;
        }
        match read_record(v) {
            Ok(r) if seen.insert(r.id) => {
                if domain::records::index::SEARCHED.contains(&r.record_type.as_str())
                    && domain::records::index::matches(&r, input)
                {
                    out.push(r);
                }
            }
            Ok(_) => {}
            Err(e) => leptos::logging::error!("forecourt: skipping an unreadable record: {e}"),
        }
    }
    Ok(out)
}

/// The stored state of each of `ids` (`None`: not stored).
pub async fn load(ids: &[Uuid]) -> Result<Vec<(Uuid, Option<RecordState>)>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let store = tx.object_store(RECORDS)?;
    // Every read asked for before the first answer is awaited.
    let mut requests = Vec::with_capacity(ids.len());
    for id in ids {
        requests.push((*id, store.get(key(id))?.into_future()));
    }
    let mut out = Vec::with_capacity(ids.len());
    for (id, request) in requests {
        let state = match request.await? {
            Some(v) if !v.is_undefined() => Some(read_record(&v)?),
            _ => None,
        };
        out.push((id, state));
    }
    tx.await?;
    Ok(out)
}

/// A value of `meta`.
pub async fn meta<T: DeserializeOwned>(k: &str) -> Result<Option<T>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[META], TransactionMode::ReadOnly)?;
    let v = get_meta(&tx.object_store(META)?, k).await?;
    tx.await?;
    Ok(v)
}

/// Stores a value in `meta`.
pub async fn set_meta<T: Serialize + ?Sized>(k: &str, value: &T) -> Result<(), DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[META], TransactionMode::ReadWrite)?;
    put_meta(&tx.object_store(META)?, k, value).await?;
    tx.commit()?.await?;
    Ok(())
}

/// How many ops wait in the outbox, by author (`domain::sync::outbox::waiting_by_author`).
pub async fn outbox_waiting() -> Result<Vec<Waiting>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
    let values = tx.object_store(OUTBOX)?.get_all(None, None)?.await?;
    tx.await?;
    let mut entries = Vec::with_capacity(values.len());
    for v in &values {
        match OutboxEntry::read(v) {
            Ok(e) => entries.push(e),
            Err(e) => leptos::logging::error!("forecourt: unreadable op in the outbox: {e}"),
        }
    }
    Ok(waiting_by_author(
        entries
            .iter()
            .map(|e| (e.user_id.as_str(), e.user_name.as_str())),
    ))
}

/// The oldest `limit` ops of the outbox that `pusher` may push (its own: `may_push`), with
/// their keys. The other users' ops are not read: they wait for their author.
pub async fn outbox_batch(pusher: Pusher<'_>, limit: u32) -> Result<Vec<(JsValue, Op)>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
    let index = tx.object_store(OUTBOX)?.index(BY_USER)?;
    let user = JsValue::from_str(pusher.user_id);
    let keys = index
        .get_all_keys(Some(user.clone().into()), Some(limit))?
        .await?;
    let values = index.get_all(Some(user.into()), Some(limit))?.await?;
    tx.await?;
    let mut out = Vec::with_capacity(keys.len());
    for (k, v) in keys.into_iter().zip(values) {
        match OutboxEntry::read(&v).and_then(|e| e.op()) {
            Ok(op) if may_push(pusher, &op) => out.push((k, op)),
            Ok(op) => leptos::logging::warn!(
                "forecourt: outbox op {} is not this session's to push",
                op.op_id
            ),
            Err(e) => leptos::logging::error!("forecourt: unreadable op in the outbox: {e}"),
        }
    }
    Ok(out)
}

/// Rewrites the outbox entries a version-2 app stored as plain JSON text as
/// `{user_id, user_name, json}` objects under the same keys (so in the same order), so that
/// the index `by_user` sees them. One transaction; does nothing once every entry is an object.
pub async fn upgrade_outbox() -> Result<u32, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[OUTBOX], TransactionMode::ReadWrite)?;
    let store = tx.object_store(OUTBOX)?;
    let keys = store.get_all_keys(None, None)?.await?;
    let values = store.get_all(None, None)?.await?;
    let mut moved = 0;
    for (k, v) in keys.iter().zip(&values) {
        if !v.is_string() {
            continue;
        }
        match OutboxEntry::read(v) {
            Ok(entry) => {
                store.put(&entry.value()?, Some(k))?.await?;
                moved += 1;
            }
            Err(e) => leptos::logging::error!("forecourt: unreadable op in the outbox: {e}"),
        }
    }
    tx.commit()?.await?;
    Ok(moved)
}

/// Builds an edit's changes from the record as stored (boxed: one copy of the transaction code
/// for every screen that edits).
pub type Build<'a> = Box<dyn FnOnce(&RecordState) -> Result<Vec<Change>, SyncError> + 'a>;

/// Makes an edit: reads the record as stored now, builds the changes against it, stamps the op
/// with the clock, applies it, and writes the record, the op (into the outbox) and the clock in
/// one transaction. Returns the op and the new state.
pub async fn commit_edit(
    author: &Author,
    record_id: Uuid,
    rt: &'static RecordType,
    build: Build<'_>,
) -> Result<(Op, RecordState), EditError> {
    let mut ops = commit(author, vec![(record_id, rt, build)]).await?;
    ops.pop()
        .ok_or_else(|| EditError::Db(DbError::Idb("an edit wrote nothing".into())))
}

/// Executes a workflow's plan: every write's changes are made against the record as stored
/// (or as an earlier write of the plan left it), and all ops are written in ONE transaction:
/// all of them or none. Returns each op and the record state after it, in plan order.
pub async fn commit_plan(
    author: &Author,
    plan: &Plan,
) -> Result<Vec<(Op, RecordState)>, EditError> {
    let writes = plan
        .writes
        .iter()
        .map(|w| -> (Uuid, &'static RecordType, Build<'_>) {
            (w.record_id, w.record_type, Box::new(move |s| w.changes(s)))
        })
        .collect();
    commit(author, writes).await
}

/// The one copy of the edit transaction: each (record, type, builder) becomes one op.
async fn commit(
    author: &Author,
    writes: Vec<(Uuid, &'static RecordType, Build<'_>)>,
) -> Result<Vec<(Op, RecordState)>, EditError> {
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS, OUTBOX, META, OPS], TransactionMode::ReadWrite)?;
    let records = tx.object_store(RECORDS)?;
    let outbox = tx.object_store(OUTBOX)?;
    let meta = tx.object_store(META)?;
    let kept = tx.object_store(OPS)?;
    let mut clock: Clock = get_meta(&meta, keys::CLOCK).await?.unwrap_or_default();
    let registry = domain::records::registry();
    let actor = domain::Actor::new(author.user_id.clone(), &author.roles);
    let mut done: Vec<(Op, RecordState)> = Vec::new();
    for (record_id, rt, build) in writes {
        // An earlier write of this plan to the same record is not re-read from the store.
        let earlier = done
            .iter()
            .rev()
            .find(|(_, s)| s.id == record_id)
            .map(|(_, s)| s.clone());
        let mut state = match earlier {
            Some(s) => s,
            None => get_record(&records, &record_id)
                .await?
                .unwrap_or_else(|| RecordState::new(record_id, rt.name, &author.store_id)),
        };
        let op = build(&state).map_err(EditError::from).and_then(|changes| {
            let now = clock.physical(now_ms());
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: author.device_id,
                user_id: author.user_id.clone(),
                store_id: author.store_id.clone(),
                record_id,
                record_type: rt.name.to_string(),
                hlc: clock.now(now_ms()),
                changes,
            };
            domain::sync::validate_op(&op, &registry)?;
            // The rules the server checks at push, against the same record, so the person
            // is told at once (in their language) instead of the op being refused later.
            check_op(&actor, Some(&state), &op, now, crate::clock::store_clock())?;
            apply(&mut state, &op, rt)?;
            Ok(op)
        });
        let op = match op {
            Ok(op) => op,
            Err(e) => {
                let _ = tx.abort();
                return Err(e);
            }
        };
        records
            .put(&record_value(&state)?, Some(&key(&record_id)))?
            .await?;
        outbox
            .add(&OutboxEntry::new(&op, &author.user_name)?.value()?, None)?
            .await?;
        keep_op(&kept, &op).await?;
        done.push((op, state));
    }
    put_meta(&meta, keys::CLOCK, &clock).await?;
    tx.commit()?.await?;
    Ok(done)
}

/// The push of `acked` (outbox keys) was acknowledged: remove them and learn the server's time.
pub async fn remove_acked(acked: &[JsValue], server_time_ms: u64) -> Result<(), DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[OUTBOX, META], TransactionMode::ReadWrite)?;
    let outbox = tx.object_store(OUTBOX)?;
    let meta = tx.object_store(META)?;
    for k in acked {
        outbox.delete(k.clone())?.await?;
    }
    let mut clock: Clock = get_meta(&meta, keys::CLOCK).await?.unwrap_or_default();
    clock.set_offset(server_time_ms, now_ms());
    put_meta(&meta, keys::CLOCK, &clock).await?;
    tx.commit()?.await?;
    Ok(())
}

/// The server refused the op under `outbox_key` for good: move it to the refused list.
pub async fn refuse(outbox_key: &JsValue, refused: Refused) -> Result<Vec<Refused>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[OUTBOX, META], TransactionMode::ReadWrite)?;
    let outbox = tx.object_store(OUTBOX)?;
    let meta = tx.object_store(META)?;
    outbox.delete(outbox_key.clone())?.await?;
    let mut list: Vec<Refused> = get_meta(&meta, keys::REFUSED).await?.unwrap_or_default();
    list.push(refused);
    put_meta(&meta, keys::REFUSED, &list).await?;
    tx.commit()?.await?;
    Ok(list)
}

/// Applies a pulled page: the whole records that entered the user's scope are joined with the
/// device's copies, then every op is observed by the clock and applied to its stored record;
/// the records, the ops (kept for history), the new cursor and the clock are written together.
/// Returns the records changed.
pub async fn apply_pulled(
    ops: &[Op],
    whole: Vec<RecordState>,
    last_seq: u64,
    server_time_ms: u64,
) -> Result<Vec<Uuid>, DbError> {
    let registry = domain::records::registry();
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS, META, OPS], TransactionMode::ReadWrite)?;
    let records = tx.object_store(RECORDS)?;
    let meta = tx.object_store(META)?;
    let kept = tx.object_store(OPS)?;
    let mut clock: Clock = get_meta(&meta, keys::CLOCK).await?.unwrap_or_default();
    let now = now_ms();
    clock.set_offset(server_time_ms, now);
    let mut touched: BTreeMap<Uuid, (RecordState, bool)> = BTreeMap::new();
    for theirs in whole {
        let id = theirs.id;
        let state = match get_record(&records, &id).await? {
            Some(mut ours) => match join(&mut ours, &theirs) {
                Ok(()) => ours,
                Err(e) => {
                    leptos::logging::warn!("forecourt: pulled record not joined: {e:?}");
                    continue;
                }
            },
            None => theirs,
        };
        touched.insert(id, (state, true));
    }
    for op in ops {
        clock.observe(op.hlc, now);
        let Some(rt) = registry.get(&op.record_type) else {
            leptos::logging::warn!("forecourt: pulled an op of unknown type {}", op.record_type);
            continue;
        };
        if let std::collections::btree_map::Entry::Vacant(slot) = touched.entry(op.record_id) {
            let state = get_record(&records, &op.record_id)
                .await?
                .unwrap_or_else(|| RecordState::for_op(op));
            slot.insert((state, false));
        }
        if let Some((state, changed)) = touched.get_mut(&op.record_id) {
            match apply(state, op, rt) {
                Ok(true) => *changed = true,
                Ok(false) => {}
                Err(e) => {
                    leptos::logging::warn!("forecourt: pulled op not applied: {e:?}");
                    continue;
                }
            }
        }
        keep_op(&kept, op).await?;
    }
    let mut changed_ids = Vec::new();
    for (id, (state, changed)) in &touched {
        if *changed {
            records.put(&record_value(state)?, Some(&key(id)))?.await?;
            changed_ids.push(*id);
        }
    }
    put_meta(&meta, keys::CURSOR, &last_seq).await?;
    put_meta(&meta, keys::CLOCK, &clock).await?;
    tx.commit()?.await?;
    Ok(changed_ids)
}

/// The user's sync scope answered `new` while the device's records and cursor are of `held`
/// (docs/sync.md, "Scope changes"): in one transaction, the cursor is filed under `held` and
/// the one kept for `new` becomes the cursor (`domain::records::scope::switch_cursor`). Returns
/// it; `None`: the device never synced `new` and fetches its snapshot (a first sync's progress
/// is dropped). Records and the outbox stay as they are.
pub async fn change_scope(held: &str, new: &str) -> Result<Option<u64>, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[META], TransactionMode::ReadWrite)?;
    let meta = tx.object_store(META)?;
    let cursor: Option<u64> = get_meta(&meta, keys::CURSOR).await?;
    let mut cursors: BTreeMap<String, u64> =
        get_meta(&meta, keys::SCOPES).await?.unwrap_or_default();
    let next = domain::records::scope::switch_cursor(&mut cursors, held, cursor, new);
    match next {
        Some(c) => put_meta(&meta, keys::CURSOR, &c).await?,
        None => {
            meta.delete(JsValue::from_str(keys::CURSOR))?.await?;
            meta.delete(JsValue::from_str(keys::SNAPSHOT))?.await?;
        }
    }
    put_meta(&meta, keys::SCOPES, &cursors).await?;
    put_meta(&meta, keys::SCOPE, new).await?;
    tx.commit()?.await?;
    Ok(next)
}

/// One record of a snapshot page as the device stores it (`record_value`'s form).
pub struct SnapshotValue {
    pub id: Uuid,
    pub record_type: String,
    pub value: JsValue,
}

/// The values to store of a snapshot page's `records`: as they came when the server made them
/// (`indexed`: it computed the index fields, `domain::records::index::device_value`), else made
/// here from each record (an older server, another index version). A record that cannot be
/// read is skipped (and logged), like an unreadable stored one.
pub fn snapshot_values(records: &js_sys::Array, indexed: bool) -> Vec<SnapshotValue> {
    let mut out = Vec::with_capacity(records.length() as usize);
    let encoder = indexed.then(Utf8Encoder::new);
    let json_key = JsValue::from_str("json");
    for v in records.iter() {
        let made = if indexed {
            let field = |k: &str| {
                js_sys::Reflect::get(&v, &JsValue::from_str(k))
                    .ok()
                    .and_then(|f| f.as_string())
            };
            let json = js_sys::Reflect::get(&v, &json_key)
                .ok()
                .filter(JsValue::is_string)
                .zip(encoder.as_ref());
            field("id")
                .and_then(|id| Uuid::parse_str(&id).ok())
                .zip(field("type"))
                .zip(json)
                .ok_or_else(|| DbError::Decode("a snapshot value without id, type or json".into()))
                .and_then(|((id, record_type), (json, encoder))| {
                    // Stored as bytes, like a value made here (`record_value`).
                    js_sys::Reflect::set(&v, &json_key, &encoder.encode(&json))
                        .map_err(|_| DbError::Decode("a snapshot value that is frozen".into()))?;
                    Ok(SnapshotValue {
                        id,
                        record_type,
                        value: v,
                    })
                })
        } else {
            js_sys::JSON::stringify(&v)
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| DbError::Decode("a snapshot record that is not JSON".into()))
                .and_then(|json| {
                    let state: RecordState = serde_json::from_str(&json)
                        .map_err(|e| DbError::Decode(format!("snapshot record: {e}")))?;
                    Ok(SnapshotValue {
                        id: state.id,
                        record_type: state.record_type.clone(),
                        value: record_value(&state)?,
                    })
                })
        };
        match made {
            Ok(value) => out.push(value),
            Err(e) => leptos::logging::warn!("forecourt: unreadable snapshot record: {e}"),
        }
    }
    out
}

/// What a stored snapshot page brought: its records' ids and types, and the states of those
/// the caller holds in memory (`held_in_memory`; only those are read in Rust).
#[derive(Default)]
pub struct StoredPage {
    pub ids: Vec<Uuid>,
    pub types: std::collections::BTreeSet<String>,
    pub states: Vec<RecordState>,
}

/// Stores a snapshot page in one transaction and keeps the progress; on the last page
/// (`cursor` given) sets the pull cursor and drops the progress.
///
/// A first sync writes tens of thousands of records, so the page is written in bulk: one
/// request finds which of the page's records the device already holds (their ids within the
/// page's range); only those are read and joined with the page's (`domain::sync::join`); every
/// other record is stored as the value that came (its JSON text and index fields), without
/// being read in Rust. Every write is issued before anything is awaited but the
/// transaction's end.
pub async fn apply_snapshot(
    page: Vec<SnapshotValue>,
    progress: &SnapshotProgress,
    cursor: Option<u64>,
    held_in_memory: &dyn Fn(&Uuid, &str) -> bool,
) -> Result<StoredPage, DbError> {
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS, META], TransactionMode::ReadWrite)?;
    let records = tx.object_store(RECORDS)?;
    let meta = tx.object_store(META)?;
    let held = held_ids(&records, &page).await?;
    // The stored copies to join with, all asked for before the first answer is awaited.
    let mut ours = Vec::with_capacity(held.len());
    for r in page.iter().filter(|r| held.contains(&r.id)) {
        // `into_future` listens to the request now: an answer that comes while an earlier
        // one is awaited is not missed.
        ours.push((r.id, records.get(key(&r.id))?.into_future()));
    }
    let mut stored: BTreeMap<Uuid, RecordState> = BTreeMap::new();
    for (id, request) in ours {
        if let Some(v) = request.await?
            && !v.is_undefined()
        {
            stored.insert(id, read_record(&v)?);
        }
    }
    let mut out = StoredPage::default();
    for SnapshotValue {
        id,
        record_type,
        value,
    } in page
    {
        let (state, value) = match stored.remove(&id) {
            Some(mut ours) => {
                let theirs = read_record(&value)?;
                match join(&mut ours, &theirs) {
                    Ok(()) => {
                        let value = record_value(&ours)?;
                        (Some(ours), value)
                    }
                    Err(e) => {
                        leptos::logging::warn!("forecourt: snapshot record not joined: {e:?}");
                        continue;
                    }
                }
            }
            None => (None, value),
        };
        // Not awaited one by one: the transaction's end below says whether all went in.
        drop(records.put(&value, Some(&key(&id)))?);
        if held_in_memory(&id, &record_type) {
            out.states.push(match state {
                Some(s) => s,
                None => read_record(&value)?,
            });
        }
        out.ids.push(id);
        if !out.types.contains(&record_type) {
            out.types.insert(record_type);
        }
    }
    match cursor {
        Some(seq) => {
            drop(meta.put(&text(&seq)?, Some(&JsValue::from_str(keys::CURSOR)))?);
            drop(meta.delete(JsValue::from_str(keys::SNAPSHOT))?);
        }
        None => drop(meta.put(&text(progress)?, Some(&JsValue::from_str(keys::SNAPSHOT)))?),
    }
    if !tx.commit()?.await?.is_committed() {
        return Err(DbError::Idb("the snapshot page was not stored".into()));
    }
    Ok(out)
}

/// The ids of `page` the device already holds: the stored keys within the page's id range
/// (one request; a first sync's pages find none).
async fn held_ids(
    records: &ObjectStore,
    page: &[SnapshotValue],
) -> Result<std::collections::BTreeSet<Uuid>, DbError> {
    let ids = page.iter().map(|r| r.id.to_string());
    let (Some(lo), Some(hi)) = (ids.clone().min(), ids.max()) else {
        return Ok(Default::default());
    };
    let range = KeyRange::bound(
        &JsValue::from_str(&lo),
        &JsValue::from_str(&hi),
        Some(false),
        Some(false),
    )?;
    let keys = records.get_all_keys(Some(range.into()), None)?.await?;
    let page_ids: std::collections::BTreeSet<Uuid> = page.iter().map(|r| r.id).collect();
    Ok(keys
        .iter()
        .filter_map(|k| k.as_string())
        .filter_map(|k| Uuid::parse_str(&k).ok())
        .filter(|id| page_ids.contains(id))
        .collect())
}
