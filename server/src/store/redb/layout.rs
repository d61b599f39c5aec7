//! The file's layout: every table exists, and a file of an older layout is brought up to
//! [`SCHEMA_VERSION`] when it is opened.

use ::redb::{Database, ReadableMultimapTable, ReadableTable, WriteTransaction};

use super::tables::{
    A_CARD_PHONE_OF, A_CARD_PHONES, AUDIT, DEVICES, META, OP_IDS, OP_RECEIVED, OPS, RECORD_COUNTS,
    RECORDS, SCHEMA_VERSION, STORE_SEQ, STORES, TOKENS, USERS, USERS_BY_USERNAME,
};
use super::txn::begin_write;
use crate::store::StoreError;

/// Creates the missing tables and migrates an older layout, in one write transaction.
pub(super) fn prepare(db: &Database) -> Result<(), StoreError> {
    let txn = begin_write(db)?;
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
        txn.open_table(OP_RECEIVED)?;
        txn.open_table(RECORDS)?;
        txn.open_table(STORE_SEQ)?;
        txn.open_table(RECORD_COUNTS)?;
        txn.open_table(A_CARD_PHONE_OF)?;
        txn.open_table(AUDIT)?;
    }
    txn.commit()?;
    Ok(())
}

/// Layout 1 → 2: the phone index by record id.
fn migrate_phone_index(txn: &WriteTransaction) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RedbStore;
    use ::redb::ReadableDatabase;

    /// A layout-1 file (phone → ids multimap) is moved to the index by record id on open.
    #[test]
    fn opening_a_layout_1_file_moves_the_phone_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                txn.open_table(META)
                    .unwrap()
                    .insert("schema_version", 1)
                    .unwrap();
                let mut old = txn.open_multimap_table(A_CARD_PHONES).unwrap();
                old.insert(("demo", "13900001111"), 5).unwrap();
                old.insert(("demo", "13900001111"), 3).unwrap();
                old.insert(("north", "13800002222"), 4).unwrap();
            }
            txn.commit().unwrap();
        }
        let store = RedbStore::open(&path).unwrap();
        let txn = store.database().begin_read().unwrap();
        let meta = txn.open_table(META).unwrap();
        assert_eq!(
            meta.get("schema_version").unwrap().unwrap().value(),
            SCHEMA_VERSION
        );
        let new = txn.open_table(A_CARD_PHONE_OF).unwrap();
        let rows: Vec<(String, u128, String)> = new
            .iter()
            .unwrap()
            .map(|e| {
                let (k, v) = e.unwrap();
                let (s, id) = k.value();
                (s.to_owned(), id, v.value().to_owned())
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("demo".to_owned(), 3, "13900001111".to_owned()),
                ("demo".to_owned(), 5, "13900001111".to_owned()),
                ("north".to_owned(), 4, "13800002222".to_owned()),
            ]
        );
        assert!(txn.open_multimap_table(A_CARD_PHONES).is_err());
    }
}
