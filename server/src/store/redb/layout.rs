//! The file's layout: every table exists, and a file of an older layout is brought up to
//! [`SCHEMA_VERSION`] when it is opened.

use ::redb::{Database, ReadableMultimapTable, ReadableTable, WriteTransaction};

use super::codec::decode;
use super::tables::{
    A_CARD_PHONE_OF, A_CARD_PHONES, AUDIT, BLOB_INFO, BLOBS, DEVICES, META, OP_IDS, OP_RECEIVED,
    OPS, RECORD_COUNTS, RECORD_OPS, RECORDS, SCHEMA_VERSION, STORE_SEQ, STORES, TOKENS, USERS,
    USERS_BY_USERNAME,
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
        if version.is_some_and(|v| v < 3) {
            fill_record_ops(&txn)?;
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
        txn.open_table(RECORD_OPS)?;
        txn.open_table(BLOBS)?;
        txn.open_table(BLOB_INFO)?;
    }
    txn.commit()?;
    Ok(())
}

/// Layout 2 → 3: the ops of each record, from the op log.
fn fill_record_ops(txn: &WriteTransaction) -> Result<(), StoreError> {
    let ops = txn.open_table(OPS)?;
    let mut index = txn.open_table(RECORD_OPS)?;
    for entry in ops.iter()? {
        let (k, v) = entry?;
        let (store, seq) = k.value();
        let op: domain::sync::Op = decode(v.value())?;
        index.insert((store, op.record_id.as_u128(), seq), ())?;
    }
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
    use uuid::Uuid;

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

    /// A layout-2 file gets the ops of each record indexed from its op log on open.
    #[test]
    fn opening_a_layout_2_file_indexes_the_ops_of_each_record() {
        use domain::sync::{Change, Hlc, Op};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        let op = |n: u128, record: u128, store: &str| Op {
            op_id: Uuid::from_u128(n),
            device_id: Uuid::from_u128(1),
            user_id: "u".into(),
            store_id: store.into(),
            record_id: Uuid::from_u128(record),
            record_type: "a_card".into(),
            hlc: Hlc::new(1_700_000_000_000, 0),
            changes: vec![Change::Add {
                field: "n".into(),
                delta: 1,
            }],
        };
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                txn.open_table(META)
                    .unwrap()
                    .insert("schema_version", 2)
                    .unwrap();
                let mut ops = txn.open_table(OPS).unwrap();
                for (seq, o) in [
                    (1, op(1, 70, "demo")),
                    (2, op(2, 80, "demo")),
                    (3, op(3, 70, "demo")),
                    (1, op(4, 70, "north")),
                ] {
                    let bytes = serde_json::to_vec(&o).unwrap();
                    ops.insert((o.store_id.as_str(), seq), bytes.as_slice())
                        .unwrap();
                }
            }
            txn.commit().unwrap();
        }
        let store = RedbStore::open(&path).unwrap();
        let txn = store.database().begin_read().unwrap();
        let index = txn.open_table(RECORD_OPS).unwrap();
        let rows: Vec<(String, u128, u64)> = index
            .iter()
            .unwrap()
            .map(|e| {
                let (k, _) = e.unwrap();
                let (s, r, seq) = k.value();
                (s.to_owned(), r, seq)
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("demo".to_owned(), 70, 1),
                ("demo".to_owned(), 70, 3),
                ("demo".to_owned(), 80, 2),
                ("north".to_owned(), 70, 1),
            ]
        );
        let meta = txn.open_table(META).unwrap();
        assert_eq!(meta.get("schema_version").unwrap().unwrap().value(), 3);
    }
}
