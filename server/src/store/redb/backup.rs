//! Backups: a consistent copy of the whole file, table by table, read in ONE read transaction
//! (redb's MVCC snapshot: pushes committed meanwhile are not in it, and nothing half-written
//! is). Works while the server runs and writes; the copy is a fresh, compact redb file that
//! [`RedbStore::open`] opens like any other. Restoring is copying such a file into an empty
//! data directory (see `crate::backup`).

use std::path::Path;

use ::redb::{
    Database, Key, ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata,
    TableDefinition, Value, WriteTransaction,
};

use super::tables::{
    A_CARD_PHONE_OF, AUDIT, BLOB_INFO, BLOBS, DEVICES, META, OP_IDS, OP_RECEIVED, OPS,
    RECORD_COUNTS, RECORD_OPS, RECORDS, SCHEMA_VERSION, STORE_SEQ, STORES, TOKENS, USERS,
    USERS_BY_USERNAME,
};
use super::txn::begin_write;
use crate::store::StoreError;

/// What a backup wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Entries copied, over all tables.
    pub entries: u64,
    /// Tables copied.
    pub tables: usize,
    /// The size of the backup file.
    pub bytes: u64,
}

fn copy<K: Key + 'static, V: Value + 'static>(
    from: &ReadTransaction,
    to: &WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<u64, StoreError> {
    let src = from.open_table(def)?;
    let mut dst = to.open_table(def)?;
    let mut n = 0;
    for entry in src.iter()? {
        let (k, v) = entry?;
        dst.insert(k.value(), v.value())?;
        n += 1;
    }
    Ok(n)
}

/// Copies every table of the layout. A table added to `tables.rs` must be added here too (the
/// test below fails otherwise).
fn copy_tables(from: &ReadTransaction, to: &WriteTransaction) -> Result<(u64, usize), StoreError> {
    let counts = [
        copy(from, to, META)?,
        copy(from, to, STORES)?,
        copy(from, to, USERS)?,
        copy(from, to, USERS_BY_USERNAME)?,
        copy(from, to, DEVICES)?,
        copy(from, to, TOKENS)?,
        copy(from, to, OPS)?,
        copy(from, to, OP_RECEIVED)?,
        copy(from, to, OP_IDS)?,
        copy(from, to, RECORDS)?,
        copy(from, to, STORE_SEQ)?,
        copy(from, to, RECORD_COUNTS)?,
        copy(from, to, A_CARD_PHONE_OF)?,
        copy(from, to, AUDIT)?,
        copy(from, to, RECORD_OPS)?,
        copy(from, to, BLOBS)?,
        copy(from, to, BLOB_INFO)?,
    ];
    Ok((counts.iter().sum(), counts.len()))
}

/// Writes a consistent copy of `db` to `dest`, which must not exist. The copy goes to
/// `dest` + `.partial` first and is renamed when complete, so `dest` is never half a backup.
pub fn backup_database(db: &Database, dest: &Path) -> Result<BackupSummary, StoreError> {
    if dest.exists() {
        return Err(StoreError::Backend(format!(
            "{} already exists; a backup never overwrites a file",
            dest.display()
        )));
    }
    let partial = dest.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let io = |e: std::io::Error| StoreError::Backend(format!("{}: {e}", dest.display()));
    let from = db.begin_read()?;
    let (entries, tables) = {
        let out = Database::create(&partial)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", partial.display())))?;
        let to = begin_write(&out)?;
        let copied = copy_tables(&from, &to)?;
        to.commit()?;
        copied
    };
    drop(from);
    std::fs::rename(&partial, dest).map_err(io)?;
    let bytes = std::fs::metadata(dest).map_err(io)?.len();
    Ok(BackupSummary {
        entries,
        tables,
        bytes,
    })
}

/// Checks that a file is a forecourt database this server can open: its layout version is
/// known and not newer than this server's. Opens it read-only-ish (no table is created).
pub fn check_backup(path: &Path) -> Result<u64, StoreError> {
    let db = Database::open(path)
        .map_err(|e| StoreError::Backend(format!("{} is not a redb file: {e}", path.display())))?;
    let txn = db.begin_read()?;
    let version = match txn.open_table(META) {
        Ok(meta) => meta.get("schema_version")?.map(|g| g.value()),
        Err(::redb::TableError::TableDoesNotExist(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let stores = match txn.open_table(STORES) {
        Ok(t) => t.len()?,
        Err(::redb::TableError::TableDoesNotExist(_)) => 0,
        Err(e) => return Err(e.into()),
    };
    match version {
        None => Err(StoreError::Backend(format!(
            "{} is not a forecourt database (no layout version)",
            path.display()
        ))),
        Some(v) if v > SCHEMA_VERSION => Err(StoreError::Backend(format!(
            "{} has layout {v}; this forecourt knows up to {SCHEMA_VERSION}: use a newer forecourt",
            path.display()
        ))),
        Some(_) if stores == 0 => Err(StoreError::Backend(format!(
            "{} holds no store",
            path.display()
        ))),
        Some(v) => Ok(v),
    }
}

/// The names of the tables in a file.
#[cfg(test)]
fn table_names(db: &Database) -> Result<Vec<String>, StoreError> {
    use ::redb::{MultimapTableHandle, TableHandle};
    let txn = db.begin_read()?;
    let mut names: Vec<String> = txn
        .list_tables()?
        .map(|t| t.name().to_owned())
        .chain(txn.list_multimap_tables()?.map(|t| t.name().to_owned()))
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RedbStore;

    /// Every table of a freshly opened file is in the backup, with its entries.
    #[test]
    fn a_backup_has_every_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path().join("a.redb")).unwrap();
        let dest = dir.path().join("b.redb");
        let summary = backup_database(store.database(), &dest).unwrap();
        assert!(summary.bytes > 0);
        let names = table_names(store.database()).unwrap();
        assert_eq!(summary.tables, names.len(), "{names:?}");
        let copy = Database::open(&dest).unwrap();
        assert_eq!(table_names(&copy).unwrap(), names);
        drop(copy);
        assert_eq!(
            check_backup(&dest)
                .err()
                .map(|e| e.to_string().contains("no store")),
            Some(true)
        );
        // Never over an existing file.
        assert!(backup_database(store.database(), &dest).is_err());
    }
}
