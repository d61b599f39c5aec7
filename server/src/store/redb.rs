//! The redb backend: one file, `<data>/forecourt.redb`.
//!
//! Values are JSON-encoded records. The table definitions are public so that a later module
//! (the sync op log, materialised records) can add its own tables to the same file through
//! [`RedbStore::database`] and [`RedbStore::run`].

use std::{
    io,
    path::{Path, PathBuf},
    sync::Arc,
};

use ::redb::{
    Database, DatabaseError, MultimapTableDefinition, ReadableDatabase, ReadableMultimapTable,
    ReadableTable, ReadableTableMetadata, TableDefinition,
};
use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use super::redb_sync::SyncWriter;
use super::{
    DeviceRec, Session, SessionWith, Store, StoreError, StoreFuture, StoreRec, TokenHash, UserRec,
    normalize_username,
};

/// `"schema_version"` → the version of this file's layout.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// store id → [`StoreRec`] (JSON)
pub const STORES: TableDefinition<&str, &[u8]> = TableDefinition::new("stores");
/// user id (uuid as u128) → [`UserRec`] (JSON)
pub const USERS: TableDefinition<u128, &[u8]> = TableDefinition::new("users");
/// normalised username → user id
pub const USERS_BY_USERNAME: TableDefinition<&str, u128> =
    TableDefinition::new("users_by_username");
/// device id → [`DeviceRec`] (JSON)
pub const DEVICES: TableDefinition<u128, &[u8]> = TableDefinition::new("devices");
/// SHA-256 of a token → [`Session`] (JSON)
pub const TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tokens");

/// (store id, seq) → the op (JSON of `domain::sync::Op`). Seqs of a store are 1, 2, 3, …
pub const OPS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("ops");
/// op id (uuid as u128) → (store id, seq)
pub const OP_IDS: TableDefinition<u128, (&str, u64)> = TableDefinition::new("op_ids");
/// (store id, record id as u128) → `domain::sync::RecordState` (JSON)
pub const RECORDS: TableDefinition<(&str, u128), &[u8]> = TableDefinition::new("records");
/// store id → the store's last seq
pub const STORE_SEQ: TableDefinition<&str, u64> = TableDefinition::new("store_seq");
/// (store id, record type) → how many records of that type the store has (snapshot `total`)
pub const RECORD_COUNTS: TableDefinition<(&str, &str), u64> = TableDefinition::new("record_counts");
/// Layout 1 only: (store id, normalised phone) → the ids of the A-cards whose current phone it
/// is. Replaced by [`A_CARD_PHONE_OF`] in layout 2 (moved over and deleted on open).
pub const A_CARD_PHONES: MultimapTableDefinition<(&str, &str), u128> =
    MultimapTableDefinition::new("a_card_phones");
/// (store id, A-card id as u128) → the card's current normalised phone. Keyed by record id so
/// that a new card (UUIDv7 ids grow with time) appends at the end of the tree instead of
/// dirtying a random page per card, as an index keyed by phone did (a third of the sync
/// writer's time per op); the duplicate groups are made from one range scan of the store.
pub const A_CARD_PHONE_OF: TableDefinition<(&str, u128), &str> =
    TableDefinition::new("a_card_phone_of");

/// redb's page cache (its default is 1 GiB, which a server holding 100,000 records filled up to
/// ~800 MB of RSS). Reads that miss it come from the kernel's page cache.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// The layout version written into [`META`]. 2: [`A_CARD_PHONE_OF`] instead of
/// [`A_CARD_PHONES`].
pub const SCHEMA_VERSION: u64 = 2;

/// Why the database file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("database {} is in use by another forecourt process", .0.display())]
    InUse(PathBuf),
    #[error("cannot open database {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot open database {}: {reason}", path.display())]
    Other { path: PathBuf, reason: String },
}

/// The redb [`Store`]. Cloning is cheap; the file closes when the last clone is dropped.
#[derive(Clone)]
pub struct RedbStore {
    db: Arc<Database>,
    path: PathBuf,
    /// The sync writer thread's queue and the change notifications (`redb_sync.rs`).
    pub(super) sync: Arc<SyncWriter>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStore")
            .field("path", &self.path)
            .finish()
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Backend(e.to_string())
            }
        }
    )*};
}
from_redb!(
    ::redb::Error,
    ::redb::StorageError,
    ::redb::TableError,
    ::redb::TransactionError,
    ::redb::CommitError
);

/// A write transaction with quick repair: redb saves its allocator state with every commit
/// (and commits in two phases), so that opening the file after a crash (power loss, SIGKILL)
/// takes milliseconds instead of a walk over the whole file. Every write of this file uses it.
pub(super) fn begin_write(db: &Database) -> Result<::redb::WriteTransaction, StoreError> {
    let mut txn = db.begin_write()?;
    txn.set_quick_repair(true);
    Ok(txn)
}

/// Layout 1 → 2: the phone index by record id.
fn migrate_phone_index(txn: &::redb::WriteTransaction) -> Result<(), StoreError> {
    {
        let old = txn.open_multimap_table(A_CARD_PHONES)?;
        let mut new = txn.open_table(A_CARD_PHONE_OF)?;
        for entry in old.iter()? {
            let (k, ids) = entry?;
            let (store, phone) = k.value();
            for id in ids {
                new.insert((store, id?.value()), phone)?;
            }
        }
    }
    txn.delete_multimap_table(A_CARD_PHONES)?;
    Ok(())
}

pub(super) fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl RedbStore {
    /// Opens (or creates) the database file and makes sure every table exists. Blocking: call it
    /// at startup or inside `spawn_blocking`.
    pub fn open(path: impl AsRef<Path>) -> Result<RedbStore, OpenError> {
        let path = path.as_ref().to_path_buf();
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&path)
            .map_err(|e| match e {
                DatabaseError::DatabaseAlreadyOpen => OpenError::InUse(path.clone()),
                DatabaseError::Storage(::redb::StorageError::Io(io)) => {
                    if io.kind() == io::ErrorKind::WouldBlock {
                        OpenError::InUse(path.clone())
                    } else {
                        OpenError::Io {
                            path: path.clone(),
                            source: io,
                        }
                    }
                }
                other => OpenError::Other {
                    path: path.clone(),
                    reason: other.to_string(),
                },
            })?;
        let init = || -> Result<(), StoreError> {
            let txn = begin_write(&db)?;
            {
                let mut meta = txn.open_table(META)?;
                let version = meta.get("schema_version")?.map(|g| g.value());
                if version == Some(1) {
                    migrate_phone_index(&txn)?;
                }
                if version.is_none_or(|v| v < SCHEMA_VERSION) {
                    meta.insert("schema_version", SCHEMA_VERSION)?;
                }
                txn.open_table(STORES)?;
                txn.open_table(USERS)?;
                txn.open_table(USERS_BY_USERNAME)?;
                txn.open_table(DEVICES)?;
                txn.open_table(TOKENS)?;
                txn.open_table(OPS)?;
                txn.open_table(OP_IDS)?;
                txn.open_table(RECORDS)?;
                txn.open_table(STORE_SEQ)?;
                txn.open_table(RECORD_COUNTS)?;
                txn.open_table(A_CARD_PHONE_OF)?;
            }
            txn.commit()?;
            Ok(())
        };
        init().map_err(|e| OpenError::Other {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let db = Arc::new(db);
        let sync = SyncWriter::start(&db).map_err(|e| OpenError::Other {
            path: path.clone(),
            reason: format!("cannot start the sync writer: {e}"),
        })?;
        Ok(RedbStore {
            db,
            path,
            sync: Arc::new(sync),
        })
    }

    /// Closes the database file if this is the last handle to it; otherwise gives the handle
    /// back.
    pub fn close(self) -> Result<(), RedbStore> {
        match Arc::try_unwrap(self.db) {
            Ok(db) => {
                drop(db);
                Ok(())
            }
            Err(db) => Err(RedbStore {
                db,
                path: self.path,
                sync: self.sync,
            }),
        }
    }

    /// The path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database, for modules that add their own tables. Only use it off the async
    /// executor (see [`RedbStore::run`]).
    pub fn database(&self) -> &Arc<Database> {
        &self.db
    }

    /// Runs `f` with the database on tokio's blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| StoreError::Backend(format!("storage task failed: {e}")))?
    }

    fn boxed<T, F>(&self, f: F) -> StoreFuture<'_, T>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    {
        Box::pin(self.run(f))
    }
}

fn get_json<K, T>(
    table: &impl ReadableTable<K, &'static [u8]>,
    key: K::SelfType<'_>,
) -> Result<Option<T>, StoreError>
where
    K: ::redb::Key + 'static,
    T: DeserializeOwned,
{
    match table.get(key)? {
        Some(guard) => Ok(Some(decode(guard.value())?)),
        None => Ok(None),
    }
}

fn all_json<K, T>(table: &impl ReadableTable<K, &'static [u8]>) -> Result<Vec<T>, StoreError>
where
    K: ::redb::Key + 'static,
    T: DeserializeOwned,
{
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (_, v) = entry?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

fn insert_user(txn: &::redb::WriteTransaction, user: &UserRec) -> Result<(), StoreError> {
    let key = normalize_username(&user.username);
    let mut by_name = txn.open_table(USERS_BY_USERNAME)?;
    if let Some(existing) = by_name.get(key.as_str())?
        && existing.value() != user.id.as_u128()
    {
        return Err(StoreError::UsernameTaken(user.username.clone()));
    }
    by_name.insert(key.as_str(), user.id.as_u128())?;
    let mut users = txn.open_table(USERS)?;
    users.insert(user.id.as_u128(), encode(user)?.as_slice())?;
    Ok(())
}

impl Store for RedbStore {
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.boxed(|db| {
            let txn = db.begin_read()?;
            txn.open_table(STORES)?.len()?;
            Ok(())
        })
    }

    fn has_stores(&self) -> StoreFuture<'_, bool> {
        self.boxed(|db| {
            let txn = db.begin_read()?;
            Ok(!txn.open_table(STORES)?.is_empty()?)
        })
    }

    fn create_store(&self, store: StoreRec, users: Vec<UserRec>) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut stores = txn.open_table(STORES)?;
                if stores.get(store.id.as_str())?.is_some() {
                    return Err(StoreError::StoreExists(store.id));
                }
                stores.insert(store.id.as_str(), encode(&store)?.as_slice())?;
            }
            for user in &users {
                if user.store_id != store.id {
                    return Err(StoreError::NoSuchStore(user.store_id.clone()));
                }
                insert_user(&txn, user)?;
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn get_store(&self, id: String) -> StoreFuture<'_, Option<StoreRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(STORES)?, id.as_str())
        })
    }

    fn create_user(&self, user: UserRec) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            if txn
                .open_table(STORES)?
                .get(user.store_id.as_str())?
                .is_none()
            {
                return Err(StoreError::NoSuchStore(user.store_id));
            }
            insert_user(&txn, &user)?;
            txn.commit()?;
            Ok(())
        })
    }

    fn get_user(&self, id: Uuid) -> StoreFuture<'_, Option<UserRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(USERS)?, id.as_u128())
        })
    }

    fn get_user_by_username(&self, username: String) -> StoreFuture<'_, Option<UserRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let key = normalize_username(&username);
            let id = match txn.open_table(USERS_BY_USERNAME)?.get(key.as_str())? {
                Some(g) => g.value(),
                None => return Ok(None),
            };
            get_json(&txn.open_table(USERS)?, id)
        })
    }

    fn users_in_store(&self, store_id: String) -> StoreFuture<'_, Vec<UserRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let mut users: Vec<UserRec> = all_json(&txn.open_table(USERS)?)?;
            users.retain(|u| u.store_id == store_id);
            Ok(users)
        })
    }

    fn get_device(&self, id: Uuid) -> StoreFuture<'_, Option<DeviceRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(DEVICES)?, id.as_u128())
        })
    }

    fn devices_in_store(&self, store_id: String) -> StoreFuture<'_, Vec<DeviceRec>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let mut devices: Vec<DeviceRec> = all_json(&txn.open_table(DEVICES)?)?;
            devices.retain(|d| d.store_id == store_id);
            Ok(devices)
        })
    }

    fn save_login(
        &self,
        device: DeviceRec,
        token: TokenHash,
        session: Session,
    ) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut devices = txn.open_table(DEVICES)?;
                devices.insert(device.id.as_u128(), encode(&device)?.as_slice())?;
                let mut tokens = txn.open_table(TOKENS)?;
                tokens.insert(token.as_slice(), encode(&session)?.as_slice())?;
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn get_session(&self, token: TokenHash) -> StoreFuture<'_, Option<Session>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            get_json(&txn.open_table(TOKENS)?, token.as_slice())
        })
    }

    fn get_session_with(&self, token: TokenHash) -> StoreFuture<'_, Option<SessionWith>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let Some(session): Option<Session> =
                get_json(&txn.open_table(TOKENS)?, token.as_slice())?
            else {
                return Ok(None);
            };
            let device = get_json(&txn.open_table(DEVICES)?, session.device_id.as_u128())?;
            let user = get_json(&txn.open_table(USERS)?, session.user_id.as_u128())?;
            Ok(Some((session, device, user)))
        })
    }

    fn delete_session(&self, token: TokenHash) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            let removed = txn.open_table(TOKENS)?.remove(token.as_slice())?.is_some();
            txn.commit()?;
            Ok(removed)
        })
    }

    fn purge_expired_sessions(&self, now: DateTime<Utc>) -> StoreFuture<'_, usize> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            let mut expired = Vec::new();
            {
                let mut tokens = txn.open_table(TOKENS)?;
                for entry in tokens.iter()? {
                    let (k, v) = entry?;
                    let session: Session = decode(v.value())?;
                    if session.expires_at <= now {
                        expired.push(k.value().to_vec());
                    }
                }
                for k in &expired {
                    tokens.remove(k.as_slice())?;
                }
            }
            txn.commit()?;
            Ok(expired.len())
        })
    }

    fn revoke_device(&self, id: Uuid, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut devices = txn.open_table(DEVICES)?;
                let mut device: DeviceRec = match get_json(&devices, id.as_u128())? {
                    Some(d) => d,
                    None => return Ok(false),
                };
                if !device.revoked {
                    device.revoked = true;
                    device.revoked_at = Some(at);
                }
                devices.insert(id.as_u128(), encode(&device)?.as_slice())?;

                let mut tokens = txn.open_table(TOKENS)?;
                let mut doomed = Vec::new();
                for entry in tokens.iter()? {
                    let (k, v) = entry?;
                    let session: Session = decode(v.value())?;
                    if session.device_id == id {
                        doomed.push(k.value().to_vec());
                    }
                }
                for k in doomed {
                    tokens.remove(k.as_slice())?;
                }
            }
            txn.commit()?;
            Ok(true)
        })
    }
}
