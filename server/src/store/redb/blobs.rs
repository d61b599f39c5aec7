//! [`BlobStore`] for [`RedbStore`]: the tables `blobs` (the bytes) and `blob_info` (type, size,
//! who and when), both keyed by (store id, blob id). A put is one small write transaction on
//! tokio's blocking pool that first looks whether the blob is there (content-addressed: the
//! same id is the same bytes, so a second upload changes nothing).

use ::redb::{ReadableDatabase, ReadableTable};

use super::RedbStore;
use super::codec::{decode, encode};
use super::tables::{BLOB_INFO, BLOBS};
use super::txn::begin_write;
use crate::store::StoreFuture;
use crate::store::blob::{BlobInfo, BlobStore};

impl BlobStore for RedbStore {
    fn put_blob(
        &self,
        store_id: String,
        id: String,
        info: BlobInfo,
        bytes: Vec<u8>,
    ) -> StoreFuture<'_, bool> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            let created = {
                let mut blobs = txn.open_table(BLOBS)?;
                let key = (store_id.as_str(), id.as_str());
                if blobs.get(key)?.is_some() {
                    false
                } else {
                    blobs.insert(key, bytes.as_slice())?;
                    txn.open_table(BLOB_INFO)?
                        .insert(key, encode(&info)?.as_slice())?;
                    true
                }
            };
            if created {
                txn.commit()?;
            } else {
                txn.abort()?;
            }
            Ok(created)
        })
    }

    fn get_blob(
        &self,
        store_id: String,
        id: String,
    ) -> StoreFuture<'_, Option<(BlobInfo, Vec<u8>)>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let key = (store_id.as_str(), id.as_str());
            let Some(bytes) = txn.open_table(BLOBS)?.get(key)?.map(|g| g.value().to_vec()) else {
                return Ok(None);
            };
            let info = match txn.open_table(BLOB_INFO)?.get(key)? {
                Some(g) => decode(g.value())?,
                None => BlobInfo {
                    mime: "application/octet-stream".into(),
                    size: bytes.len() as u64,
                    stored_ms: 0,
                    user_id: String::new(),
                    device_id: String::new(),
                },
            };
            Ok(Some((info, bytes)))
        })
    }

    fn missing_blobs(&self, store_id: String, ids: Vec<String>) -> StoreFuture<'_, Vec<String>> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let blobs = txn.open_table(BLOBS)?;
            let mut missing = Vec::new();
            for id in ids {
                if blobs.get((store_id.as_str(), id.as_str()))?.is_none() {
                    missing.push(id);
                }
            }
            Ok(missing)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    fn info() -> BlobInfo {
        BlobInfo {
            mime: "image/png".into(),
            size: 3,
            stored_ms: 1,
            user_id: "u".into(),
            device_id: "d".into(),
        }
    }

    #[tokio::test]
    async fn a_blob_is_kept_once_per_store() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Backend(e.to_string()))?;
        let store = RedbStore::open(dir.path().join("db.redb"))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        assert!(
            store
                .put_blob("s1".into(), "b".into(), info(), vec![1, 2, 3])
                .await?
        );
        // Again: nothing changes (the first bytes stay).
        assert!(
            !store
                .put_blob("s1".into(), "b".into(), info(), vec![9, 9, 9])
                .await?
        );
        let (got, bytes) = store
            .get_blob("s1".into(), "b".into())
            .await?
            .ok_or_else(|| StoreError::Backend("missing".into()))?;
        assert_eq!((got, bytes), (info(), vec![1, 2, 3]));
        assert_eq!(store.get_blob("s2".into(), "b".into()).await?, None);
        assert_eq!(
            store
                .missing_blobs("s1".into(), vec!["a".into(), "b".into(), "c".into()])
                .await?,
            vec!["a".to_owned(), "c".to_owned()]
        );
        Ok(())
    }
}
