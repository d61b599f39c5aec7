//! [`SyncStore`] for [`RedbStore`]: a push goes to the writer thread (`writer.rs`); pull,
//! snapshot and seq are read in read transactions on tokio's blocking pool. A pull is a range
//! scan over `(store, seq)` keys, so its cost grows with the ops after the cursor, not with the
//! database.

use ::redb::ReadableDatabase;
use domain::sync::Op;
use tokio::sync::watch;
use uuid::Uuid;

use super::RedbStore;
use super::codec::{raw, record_type_of};
use super::indexes;
use super::tables::{OP_RECEIVED, OPS, RECORD_COUNTS, RECORD_OPS, RECORDS, STORE_SEQ};
use crate::store::StoreFuture;
use crate::store::sync::{
    PhoneGroup, PullPage, PulledOp, PushCheck, PushRefusal, RecordHistory, SnapshotPage, SyncStore,
};

impl SyncStore for RedbStore {
    fn push(
        &self,
        store_id: String,
        ops: Vec<Op>,
        check: PushCheck,
    ) -> StoreFuture<'_, Result<Vec<u64>, PushRefusal>> {
        Box::pin(self.sync.push(store_id, ops, check))
    }

    fn pull(
        &self,
        store_id: String,
        after: u64,
        limit: usize,
        readable: Vec<String>,
    ) -> StoreFuture<'_, PullPage> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let ops = txn.open_table(OPS)?;
            let received = txn.open_table(OP_RECEIVED)?;
            let mut page = PullPage {
                ops: Vec::new(),
                last_seq: after,
                more: false,
            };
            let Some(from) = after.checked_add(1) else {
                return Ok(page);
            };
            let range = ops.range((store_id.as_str(), from)..=(store_id.as_str(), u64::MAX))?;
            for (scanned, entry) in range.enumerate() {
                let (k, v) = entry?;
                if scanned == limit {
                    page.more = true;
                    break;
                }
                let seq = k.value().1;
                page.last_seq = seq;
                let bytes = v.value();
                let ty = record_type_of(bytes)?;
                if readable.iter().any(|t| t.as_str() == ty.as_ref()) {
                    page.ops.push(PulledOp {
                        seq,
                        op: raw(bytes)?,
                        received_ms: received.get((store_id.as_str(), seq))?.map(|g| g.value()),
                    });
                }
            }
            Ok(page)
        }))
    }

    fn snapshot(
        &self,
        store_id: String,
        after: Option<Uuid>,
        limit: usize,
        readable: Vec<String>,
    ) -> StoreFuture<'_, SnapshotPage> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let seq = txn
                .open_table(STORE_SEQ)?
                .get(store_id.as_str())?
                .map(|g| g.value())
                .unwrap_or(0);
            let counts = txn.open_table(RECORD_COUNTS)?;
            let mut total = 0;
            for t in &readable {
                total += counts
                    .get((store_id.as_str(), t.as_str()))?
                    .map(|g| g.value())
                    .unwrap_or(0);
            }
            let mut page = SnapshotPage {
                records: Vec::new(),
                next: None,
                seq,
                total,
            };
            let from = match after {
                None => 0,
                Some(id) => match id.as_u128().checked_add(1) {
                    Some(n) => n,
                    None => return Ok(page),
                },
            };
            if readable.is_empty() {
                return Ok(page);
            }
            let records = txn.open_table(RECORDS)?;
            let mut last = None;
            for entry in
                records.range((store_id.as_str(), from)..=(store_id.as_str(), u128::MAX))?
            {
                let (k, v) = entry?;
                let bytes = v.value();
                let ty = record_type_of(bytes)?;
                if !readable.iter().any(|t| t.as_str() == ty.as_ref()) {
                    continue;
                }
                if page.records.len() == limit {
                    page.next = last;
                    break;
                }
                last = Some(Uuid::from_u128(k.value().1));
                page.records.push(raw(bytes)?);
            }
            Ok(page)
        }))
    }

    fn record_history(
        &self,
        store_id: String,
        record_id: Uuid,
        before: Option<u64>,
        limit: usize,
    ) -> StoreFuture<'_, Option<RecordHistory>> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let rid = record_id.as_u128();
            let record_type = match txn.open_table(RECORDS)?.get((store_id.as_str(), rid))? {
                Some(g) => record_type_of(g.value())?.into_owned(),
                None => return Ok(None),
            };
            let index = txn.open_table(RECORD_OPS)?;
            let ops = txn.open_table(OPS)?;
            let received = txn.open_table(OP_RECEIVED)?;
            let store = store_id.as_str();
            let end = before.unwrap_or(u64::MAX);
            let mut page = RecordHistory {
                record_type,
                ops: Vec::new(),
                more: false,
            };
            for entry in index.range((store, rid, 0)..(store, rid, end))?.rev() {
                let (k, _) = entry?;
                if page.ops.len() == limit {
                    page.more = true;
                    break;
                }
                let seq = k.value().2;
                let Some(bytes) = ops.get((store, seq))? else {
                    return Err(crate::store::StoreError::Corrupt(format!(
                        "op ({store}, {seq}) of record {record_id} indexed but missing"
                    )));
                };
                page.ops.push(PulledOp {
                    seq,
                    op: raw(bytes.value())?,
                    received_ms: received.get((store, seq))?.map(|g| g.value()),
                });
            }
            page.ops.reverse();
            Ok(Some(page))
        }))
    }

    fn seq(&self, store_id: String) -> StoreFuture<'_, u64> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            Ok(txn
                .open_table(STORE_SEQ)?
                .get(store_id.as_str())?
                .map(|g| g.value())
                .unwrap_or(0))
        }))
    }

    fn phone_groups(&self, store_id: String) -> StoreFuture<'_, Vec<PhoneGroup>> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            indexes::phone_groups(&txn, &store_id)
        }))
    }

    fn subscribe(&self, store_id: &str) -> watch::Receiver<u64> {
        self.sync.subscribe(store_id)
    }
}
