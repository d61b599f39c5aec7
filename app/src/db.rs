//! The device's own storage: the IndexedDB database `forecourt`.
//!
//! Version 1 has one object store, `kv`: small values of the app shell (device id and name,
//! the logged-in session, the chosen language), each kept as JSON text under a string key.
//! Version 2 adds the sync engine's stores (see `sync/store.rs`): `records` (key: record id;
//! value `{type, json}` with the `RecordState` as JSON text; index `by_type`), `outbox` (key: a
//! local auto-increment counter, so the order ops were made in; value: the op as JSON text) and
//! `meta` (like `kv`: clock, pull cursor, snapshot progress, last synced at, refused ops).
//! Version 3 adds `ops` (key: op id; value `{record, json}` with the op as JSON text; index
//! `by_record` on `record`): every op the device applied, its own and pulled ones, for a
//! record's history (历史记录). A device upgraded from version 2 holds no ops of the records it
//! had; their history comes from the server (docs/sync.md, "Record history").
//! Version 3 also keeps each user's outbox apart on a shared tablet: an outbox value is an object
//! `{user_id, user_name, json}` and the index `by_user` on `user_id` finds one author's ops in
//! the order they were made. The upgrade only adds the index (existing entries stay where they
//! are); the entries a version-2 app wrote as plain JSON text are rewritten as objects, keys
//! kept, by `sync::store::upgrade_outbox` in the first transaction after opening.
//! Version 4 lets lists and the search read a page at a time: a `records` value also carries
//! `id` and the index fields of `domain::records::index::keys` (`owner`, `status`, `day`,
//! `name`, `terms`; none but the type for a record in the bin), written wherever a record is put
//! (`sync::store::record_value`). Indexes: [`BY_OWNER`] `[type, owner, day, name, id]`,
//! [`BY_STATUS`] `[type, status, day, name, id]`, [`BY_DAY`] `[type, day, name, id]` (the id
//! makes every key unique, so a page starts strictly after the last key of the one before) and
//! [`BY_TERM`] on `terms` (multiEntry: one entry per search term). The upgrade only adds the
//! indexes; the records a version-3 app stored get their index fields from
//! `sync::store::reindex`, run in the first transactions after opening (until `meta`'s
//! `index_version` says it is done).
//! Version 5 adds `phones` (key: a normalised phone; value: `{record_id, name, consultant_id}` as
//! JSON text): the store's phone index for 撞单 warnings about cards the device does not hold
//! (`sync::phones`; docs/sync.md, "The phone index").
//! Version 6 adds [`BLOBS`], the photos and signatures (`crate::blobs`): key the blob id
//! (`sha256-<hex>`); value `{id, bytes: Uint8Array, mime, size, created, waiting?, failures,
//! next_try}`. `waiting` (the number 1) is there only while the server has not confirmed the
//! blob, so the index [`BY_WAITING`] on it lists exactly the blobs still to upload (IndexedDB
//! leaves a value without the key path out of an index).
//! Version 7 lets a record page read its own records and the header its conflicts without reading
//! every record: a `records` value also carries `links` (the ids of the records it belongs to),
//! `made` (the day it was made) and `flags` (`conflict`, `bin`; kept for a record in the bin) of
//! `domain::records::index::keys`; indexes [`BY_LINK`] on `links` and [`BY_FLAG`] on `flags`
//! (both multiEntry), [`BY_MADE`] `[type, made, id]`. The upgrade only adds the indexes
//! ([`upgrade_links_and_flags`]);
//! `sync::store::reindex` gives stored records the new fields (index version 2).
//! Version 8 lets Today read the cards due without reading every card: a `records` value of an
//! A-card being followed also carries `follow` (`domain::records::index::keys`: grade, last
//! contact and planned date as one text); index [`BY_FOLLOW`] `[type, owner, follow]` holds only
//! those cards ([`upgrade_follow`]); `sync::store::reindex` gives stored cards the field (index
//! version 3).
//! Version 9 writes fewer index entries per record (a first sync's cost is the entries it
//! writes, issue 14): the index `by_type` is dropped ([`upgrade_fewer_entries`]; a type is
//! listed through [`BY_MADE`]'s `[type]` prefix, `sync::store::load_type`), and a record has
//! `owner`, `status` and `day` only when its type has such a field (`day`, [`index::NO_DAY`],
//! also for a type with an owner or a status: it is a member of their keys,
//! [`index::COMPOUND`]), so it is in no [`BY_OWNER`], [`BY_STATUS`] or [`BY_DAY`] otherwise
//! (`domain::records::index::keys`; index version 4: `sync::store::reindex` rewrites the
//! stored records without the entries).
//! Version 10 makes `by_owner`, `by_status`, `by_day` and `by_made` again with key paths that
//! do not end in the record's id ([`upgrade_shorter_keys`]; a list pages on from its last
//! entry's key and id, `sync::store::page`), and index version 6 stores fewer search terms (an
//! A-card's mobile number as its phone key only, a C-card's plate without the province
//! character: `domain::records::index::terms`, `lookups`).
//! To add a version, raise [`DB_VERSION`] and add a step to [`upgrade`]; every step runs once,
//! in order, so a device that skipped versions catches up.

use std::cell::RefCell;
use std::rc::Rc;

use domain::records::index;
use idb::request::Request;
use idb::{
    Database, DatabaseEvent, Event, Factory, IndexParams, KeyPath, ObjectStoreParams, Transaction,
    TransactionMode,
};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

pub const DB_NAME: &str = "forecourt";
pub const DB_VERSION: u32 = 10;
/// Key-value store of the app shell.
pub const KV: &str = "kv";
/// Synced records: record id → `{type, json}`.
pub const RECORDS: &str = "records";
/// The index of `records` by record type (versions 2 to 8; dropped by version 9).
pub const BY_TYPE: &str = "by_type";
/// The index of `records` by type and owner, then day, name and id.
pub const BY_OWNER: &str = "by_owner";
/// The index of `records` by type and status, then day, name and id.
pub const BY_STATUS: &str = "by_status";
/// The index of `records` by type and day (next follow-up, due date…), then name and id.
pub const BY_DAY: &str = "by_day";
/// The multiEntry index of `records` by search term.
pub const BY_TERM: &str = "by_term";
/// The multiEntry index of `records` by the ids of the records each belongs to.
pub const BY_LINK: &str = "by_link";
/// The index of `records` by type and the day each was made, then id.
pub const BY_MADE: &str = "by_made";
/// The multiEntry index of `records` by flag (`conflict`, `bin`).
pub const BY_FLAG: &str = "by_flag";
/// The index of `records` of the A-cards being followed, by type, owner and follow-up inputs.
pub const BY_FOLLOW: &str = "by_follow";
/// Unsent ops, in the order they were made.
pub const OUTBOX: &str = "outbox";
/// The index of `outbox` by the op's author (`user_id`).
pub const BY_USER: &str = "by_user";
/// Sync metadata, JSON text under string keys.
pub const META: &str = "meta";
/// The ops the device applied (its own and pulled): op id → `{record, json}`.
pub const OPS: &str = "ops";
/// The index of `ops` by record id.
pub const BY_RECORD: &str = "by_record";
/// The store's phone index: normalised phone → `{record_id, name, consultant_id}` (JSON text).
pub const PHONES: &str = "phones";
/// Photos and signatures: blob id → `{id, bytes, mime, size, created, waiting?, …}`.
pub const BLOBS: &str = "blobs";
/// The index of `blobs` that holds only the blobs not yet uploaded.
pub const BY_WAITING: &str = "by_waiting";

/// Keys of the `kv` store.
pub mod keys {
    /// The device's UUIDv7, made on the device the first time the app starts.
    pub const DEVICE_ID: &str = "device_id";
    /// The name staff gave this device at its first login.
    pub const DEVICE_NAME: &str = "device_name";
    /// The logged-in session (token, user, device), or absent.
    pub const SESSION: &str = "session";
    /// The language chosen with the language switch: `zh-CN` or `en`.
    pub const LOCALE: &str = "locale";
}

/// Why the device's storage failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DbError {
    /// IndexedDB is missing or refused (private window, storage disabled, quota).
    #[error("IndexedDB: {0}")]
    Idb(String),
    /// A stored value could not be read back.
    #[error("stored value is not valid: {0}")]
    Decode(String),
    /// [`open`] has not succeeded.
    #[error("the database is not open")]
    NotOpen,
}

impl From<idb::Error> for DbError {
    fn from(e: idb::Error) -> Self {
        DbError::Idb(e.to_string())
    }
}

thread_local! {
    // The browser runs the app on one thread; the handle lives for the whole page.
    static DB: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

/// Opens (creating or upgrading) the database and keeps the handle for [`get`], [`put`] and
/// [`delete`].
pub async fn open() -> Result<(), DbError> {
    let factory = Factory::new()?;
    let mut request = factory.open(DB_NAME, Some(DB_VERSION))?;
    request.on_upgrade_needed(|event| {
        let Ok(database) = event.database() else {
            return;
        };
        let old = event.old_version().unwrap_or(0);
        // The version-change transaction: stores made by an earlier version are reached
        // through it.
        let tx = event
            .target()
            .ok()
            .and_then(|request| request.transaction());
        if let Err(e) = upgrade(&database, tx.as_ref(), old) {
            leptos::logging::error!("IndexedDB upgrade from version {old} failed: {e}");
        }
    });
    let mut database = request.await?;
    // Another tab opening a newer version asks us to step aside: close so it can upgrade;
    // this page will be reloaded by the new service worker anyway.
    database.on_version_change(|event| {
        if let Ok(db) = event.database() {
            db.close();
        }
    });
    DB.with(|slot| *slot.borrow_mut() = Some(Rc::new(database)));
    Ok(())
}

/// Brings a database of version `old` up to [`DB_VERSION`], one step per version.
fn upgrade(database: &Database, tx: Option<&Transaction>, old: u32) -> Result<(), idb::Error> {
    if old < 1 {
        // Out-of-line string keys, JSON text values.
        database.create_object_store(KV, ObjectStoreParams::new())?;
    }
    if old < 2 {
        let records = database.create_object_store(RECORDS, ObjectStoreParams::new())?;
        records.create_index(BY_TYPE, KeyPath::new_single("type"), None)?;
        let mut outbox = ObjectStoreParams::new();
        outbox.auto_increment(true);
        database.create_object_store(OUTBOX, outbox)?;
        database.create_object_store(META, ObjectStoreParams::new())?;
    }
    if old < 3 {
        let ops = database.create_object_store(OPS, ObjectStoreParams::new())?;
        ops.create_index(BY_RECORD, KeyPath::new_single("record"), None)?;
        let outbox = tx
            .ok_or_else(|| idb::Error::ObjectStoreNotFound(JsValue::from_str(OUTBOX)))?
            .object_store(OUTBOX)?;
        outbox.create_index(BY_USER, KeyPath::new_single("user_id"), None)?;
    }
    if old < 4 {
        let records = tx
            .ok_or_else(|| idb::Error::ObjectStoreNotFound(JsValue::from_str(RECORDS)))?
            .object_store(RECORDS)?;
        let path = |p: &[&str]| KeyPath::new_array(p.iter().copied());
        records.create_index(BY_OWNER, path(&index::OWNER_PATH), None)?;
        records.create_index(BY_STATUS, path(&index::STATUS_PATH), None)?;
        records.create_index(BY_DAY, path(&index::DAY_PATH), None)?;
        let mut multi = IndexParams::new();
        multi.multi_entry(true);
        records.create_index(BY_TERM, KeyPath::new_single("terms"), Some(multi))?;
    }
    if old < 5 {
        upgrade_phones(database)?;
    }
    if old < 6 {
        upgrade_blobs(database)?;
    }
    if old < 7 {
        upgrade_links_and_flags(tx)?;
    }
    if old < 8 {
        upgrade_follow(tx)?;
    }
    if old < 9 {
        upgrade_fewer_entries(tx)?;
    }
    if old < 10 {
        upgrade_shorter_keys(tx)?;
    }
    Ok(())
}

/// Version 10: `by_owner`, `by_status`, `by_day` and `by_made` made again with key paths that
/// no longer end in the record's id (`index::OWNER_PATH`…; the index orders one key's records
/// by id already): every entry ~80 bytes shorter. The browser fills them from the stored
/// records.
fn upgrade_shorter_keys(tx: Option<&Transaction>) -> Result<(), idb::Error> {
    let records = tx
        .ok_or_else(|| idb::Error::ObjectStoreNotFound(JsValue::from_str(RECORDS)))?
        .object_store(RECORDS)?;
    let names = records.index_names();
    for (name, path) in [
        (BY_OWNER, &index::OWNER_PATH[..]),
        (BY_STATUS, &index::STATUS_PATH[..]),
        (BY_DAY, &index::DAY_PATH[..]),
        (BY_MADE, &index::MADE_PATH[..]),
    ] {
        if names.iter().any(|n| n == name) {
            records.delete_index(name)?;
        }
        records.create_index(name, KeyPath::new_array(path.iter().copied()), None)?;
    }
    Ok(())
}

/// Version 9: `by_type` dropped (with its entry per record); `by_made`'s `[type]` prefix lists a
/// type.
fn upgrade_fewer_entries(tx: Option<&Transaction>) -> Result<(), idb::Error> {
    let records = tx
        .ok_or_else(|| idb::Error::ObjectStoreNotFound(JsValue::from_str(RECORDS)))?
        .object_store(RECORDS)?;
    if records.index_names().iter().any(|n| n == BY_TYPE) {
        records.delete_index(BY_TYPE)?;
    }
    Ok(())
}

/// Version 8: the index [`BY_FOLLOW`] of the A-cards being followed.
fn upgrade_follow(tx: Option<&Transaction>) -> Result<(), idb::Error> {
    let records = tx
        .ok_or_else(|| idb::Error::ObjectStoreNotFound(JsValue::from_str(RECORDS)))?
        .object_store(RECORDS)?;
    records.create_index(BY_FOLLOW, KeyPath::new_array(index::FOLLOW_PATH), None)?;
    Ok(())
}

/// Version 5: the store's phone index (`sync::phones`).
fn upgrade_phones(database: &Database) -> Result<(), idb::Error> {
    database.create_object_store(PHONES, ObjectStoreParams::new())?;
    Ok(())
}

/// Version 6: the blob store and its index of the blobs waiting for upload.
fn upgrade_blobs(database: &Database) -> Result<(), idb::Error> {
    let blobs = database.create_object_store(BLOBS, ObjectStoreParams::new())?;
    blobs.create_index(BY_WAITING, KeyPath::new_single("waiting"), None)?;
    Ok(())
}

/// Version 7: the multiEntry indexes [`BY_LINK`] and [`BY_FLAG`] of `records`, and [`BY_MADE`].
fn upgrade_links_and_flags(tx: Option<&Transaction>) -> Result<(), idb::Error> {
    let records = tx
        .ok_or_else(|| idb::Error::ObjectStoreNotFound(JsValue::from_str(RECORDS)))?
        .object_store(RECORDS)?;
    for (name, path) in [(BY_LINK, "links"), (BY_FLAG, "flags")] {
        let mut multi = IndexParams::new();
        multi.multi_entry(true);
        records.create_index(name, KeyPath::new_single(path), Some(multi))?;
    }
    records.create_index(BY_MADE, KeyPath::new_array(index::MADE_PATH), None)?;
    Ok(())
}

/// The open database (for the sync engine's transactions over several stores).
pub fn handle() -> Result<Rc<Database>, DbError> {
    DB.with(|slot| slot.borrow().clone())
        .ok_or(DbError::NotOpen)
}

/// Reads the value stored under `key` in `kv`.
pub async fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, DbError> {
    let database = handle()?;
    let tx = database.transaction(&[KV], TransactionMode::ReadOnly)?;
    let store = tx.object_store(KV)?;
    let value = store.get(JsValue::from_str(key))?.await?;
    tx.await?;
    match value.and_then(|v| v.as_string()) {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| DbError::Decode(format!("{key}: {e}"))),
    }
}

/// Stores `value` under `key` in `kv`; returns once the transaction is committed.
pub async fn put<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), DbError> {
    let text = serde_json::to_string(value).map_err(|e| DbError::Decode(e.to_string()))?;
    let database = handle()?;
    let tx = database.transaction(&[KV], TransactionMode::ReadWrite)?;
    let store = tx.object_store(KV)?;
    store
        .put(&JsValue::from_str(&text), Some(&JsValue::from_str(key)))?
        .await?;
    tx.commit()?.await?;
    Ok(())
}

/// Removes `key` from `kv`; returns once the transaction is committed.
pub async fn delete(key: &str) -> Result<(), DbError> {
    let database = handle()?;
    let tx = database.transaction(&[KV], TransactionMode::ReadWrite)?;
    let store = tx.object_store(KV)?;
    store.delete(JsValue::from_str(key))?.await?;
    tx.commit()?.await?;
    Ok(())
}
