//! The redb backend: one file, `<data>/forecourt.redb`.
//!
//! - `mod.rs`: the [`RedbStore`] handle: open (with the layout check), close, and [`RedbStore::run`],
//!   the one way to reach the database, on tokio's blocking pool (redb is never touched on the
//!   async executor).
//! - `tables.rs`: the table definitions and the layout version; `layout.rs`: tables created and
//!   older layouts migrated on open.
//! - `txn.rs`: redb errors as [`StoreError`], the write transaction; `codec.rs`: values in and out.
//! - `accounts.rs`: [`Store`](crate::store::Store) (stores, users, devices, sessions).
//! - `indexes.rs`: the A-card phone index and the duplicate groups.
//! - `writer.rs`: the single sync writer thread, group commit; `sync.rs`:
//!   [`SyncStore`](crate::store::SyncStore) (push to the writer, pull, snapshot).
//! - `service.rs`: [`ServiceStore`](crate::store::service::ServiceStore) (an RO and its lines
//!   for the customer's status page).
//! - `audit.rs`: [`AuditStore`](crate::store::audit::AuditStore) (the audit log).
//! - `blobs.rs`: [`BlobStore`](crate::store::blob::BlobStore) (photos and signatures).
//! - `backup.rs`: a consistent copy of the file in one read transaction, and the check of a
//!   backup before it is restored.
//!
//! Modules depend only on the ones listed before them (`accounts.rs` and `sync.rs` on
//! [`RedbStore`] too). The table definitions are public so that a later module can add its own
//! tables to the same file through [`RedbStore::database`] and [`RedbStore::run`].

mod accounts;
mod audit;
pub mod backup;
mod blobs;
mod codec;
mod indexes;
mod layout;
mod service;
mod sync;
mod tables;
mod txn;
mod writer;

use std::{
    io,
    path::{Path, PathBuf},
    sync::Arc,
};

use ::redb::{Database, DatabaseError};

pub use self::tables::{OPS, RECORDS};
use self::writer::SyncWriter;
use crate::store::{StoreError, StoreFuture};

/// redb's page cache (its default is 1 GiB, which a server holding 100,000 records filled up to
/// ~800 MB of RSS). Reads that miss it come from the kernel's page cache.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

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

/// The redb [`Store`](crate::store::Store). Cloning is cheap; the file closes when the last clone is dropped.
#[derive(Clone)]
pub struct RedbStore {
    db: Arc<Database>,
    path: PathBuf,
    /// The sync writer thread's queue and the change notifications (`writer.rs`).
    sync: Arc<SyncWriter>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStore")
            .field("path", &self.path)
            .finish()
    }
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
        layout::prepare(&db).map_err(|e| OpenError::Other {
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
