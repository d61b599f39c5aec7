//! [`SyncStore`] for [`RedbStore`]: a push goes to the writer thread (`writer.rs`); pull,
//! snapshot and seq are read in read transactions on tokio's blocking pool. A pull is a range
//! scan over `(store, seq)` keys, so its cost grows with the ops after the cursor, not with the
//! database.

use std::collections::HashSet;

use ::redb::ReadableDatabase;
use domain::records::scope::{PhoneEntry, changes_scope};
use domain::sync::Op;
use tokio::sync::watch;
use uuid::Uuid;

use super::RedbStore;
use super::codec::{decode, raw, record_type_of};
use super::indexes;
use super::scope::{Scoped, scope_view};
use super::tables::{OP_RECEIVED, OPS, RECORD_COUNTS, RECORD_OPS, RECORDS, STORE_SEQ};
use crate::store::StoreFuture;
use crate::store::sync::{
    PhoneGroup, PullPage, PulledOp, PushCheck, PushRefusal, Reader, RecordHistory, SnapshotPage,
    SyncStore,
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
        reader: Reader,
    ) -> StoreFuture<'_, PullPage> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let ops = txn.open_table(OPS)?;
            let received = txn.open_table(OP_RECEIVED)?;
            let mut page = PullPage {
                ops: Vec::new(),
                records: Vec::new(),
                last_seq: after,
                more: false,
            };
            let Some(from) = after.checked_add(1) else {
                return Ok(page);
            };
            let store = store_id.as_str();
            let records = txn.open_table(RECORDS)?;
            let record_ops = txn.open_table(RECORD_OPS)?;
            let mut scoped = Scoped::new(&reader, store, &records);
            // Records of this page already decided: sent whole or not.
            let mut decided: HashSet<Uuid> = HashSet::new();
            let range = ops.range((store, from)..=(store, u64::MAX))?;
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
                if !reader.reads_type(ty.as_ref()) {
                    continue;
                }
                if reader.limited().is_some() {
                    let op: Op = decode(bytes)?;
                    let now = match scoped.state(op.record_id)? {
                        Some(state) => scoped.holds(&state)?.then_some(state),
                        None => None,
                    };
                    let send = now.is_some()
                        || (changes_scope(&op)
                            && scoped.held_before(
                                &ops,
                                &record_ops,
                                op.record_id,
                                &op.record_type,
                                seq,
                            )?);
                    if !send {
                        continue;
                    }
                    if decided.insert(op.record_id)
                        && scoped.scope_changed_after(&ops, &record_ops, op.record_id, after)?
                        && let Some(g) = records.get((store, op.record_id.as_u128()))?
                    {
                        page.records.push(raw(g.value())?);
                    }
                }
                page.ops.push(PulledOp {
                    seq,
                    op: raw(bytes)?,
                    received_ms: received.get((store, seq))?.map(|g| g.value()),
                });
            }
            Ok(page)
        }))
    }

    fn snapshot(
        &self,
        store_id: String,
        after: Option<Uuid>,
        limit: usize,
        reader: Reader,
    ) -> StoreFuture<'_, SnapshotPage> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let store = store_id.as_str();
            let seq = txn
                .open_table(STORE_SEQ)?
                .get(store)?
                .map(|g| g.value())
                .unwrap_or(0);
            let counts = txn.open_table(RECORD_COUNTS)?;
            let mut total = 0;
            for t in &reader.types {
                total += counts
                    .get((store, t.as_str()))?
                    .map(|g| g.value())
                    .unwrap_or(0);
            }
            let limited = reader.limited().is_some();
            let mut page = SnapshotPage {
                records: Vec::new(),
                next: None,
                seq,
                total,
                exact: !limited,
            };
            let from = match after {
                None => 0,
                Some(id) => match id.as_u128().checked_add(1) {
                    Some(n) => n,
                    None => return Ok(page),
                },
            };
            if reader.types.is_empty() {
                return Ok(page);
            }
            let records = txn.open_table(RECORDS)?;
            let mut scoped = Scoped::new(&reader, store, &records);
            // A limited scope is not counted (that would be one more pass over the whole store
            // on the first page): its `total` is the upper bound above, `exact` false.
            let mut last = None;
            for entry in records.range((store, from)..=(store, u128::MAX))? {
                let (k, v) = entry?;
                let bytes = v.value();
                let ty = record_type_of(bytes)?;
                if !reader.reads_type(ty.as_ref()) {
                    continue;
                }
                if limited {
                    let state = scope_view(bytes)?;
                    if !scoped.holds(&state)? {
                        continue;
                    }
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
        reader: Reader,
    ) -> StoreFuture<'_, Option<RecordHistory>> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let rid = record_id.as_u128();
            let records = txn.open_table(RECORDS)?;
            let store = store_id.as_str();
            let record_type = {
                let mut scoped = Scoped::new(&reader, store, &records);
                match scoped.state(record_id)? {
                    Some(state) if scoped.holds(&state)? => state.record_type,
                    _ => return Ok(None),
                }
            };
            let index = txn.open_table(RECORD_OPS)?;
            let ops = txn.open_table(OPS)?;
            let received = txn.open_table(OP_RECEIVED)?;
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

    fn phone_index(&self, store_id: String) -> StoreFuture<'_, (Vec<PhoneEntry>, u64)> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let store = store_id.as_str();
            let seq = txn
                .open_table(STORE_SEQ)?
                .get(store)?
                .map(|g| g.value())
                .unwrap_or(0);
            Ok((indexes::phone_entries(&txn, store)?, seq))
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
