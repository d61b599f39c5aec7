//! Transactions: redb's errors as [`StoreError`], and the one way to begin a write.

use ::redb::{Database, WriteTransaction};

use crate::store::StoreError;

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
pub(super) fn begin_write(db: &Database) -> Result<WriteTransaction, StoreError> {
    let mut txn = db.begin_write()?;
    txn.set_quick_repair(true);
    Ok(txn)
}
