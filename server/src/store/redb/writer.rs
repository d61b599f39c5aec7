//! The single writer thread of the sync op log, with group commit.
//!
//! Every push goes through a channel to one writer thread. The thread takes every push waiting
//! in the channel (up to [`MAX_GROUP_OPS`] ops), handles them one after the other in ONE redb
//! write transaction and commits it with immediate durability; only then is each push
//! answered. Each push is still all or nothing: it is first checked and applied in memory
//! against the transaction's current state (which includes the pushes before it in the group),
//! and only written when every op passed; a refused push writes nothing and does not disturb
//! the others. Nothing is cached between transactions: all state is read from redb.
//!
//! After a commit, the stores whose seq advanced are told through per-store `watch` channels
//! ([`SyncWriter::subscribe`]).

use std::{
    collections::{BTreeMap, HashMap, btree_map::Entry},
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex, Weak},
};

use ::redb::{Database, Durability, ReadableTable, Table, WriteTransaction};
use domain::policy::check_op;
use domain::sync::{Op, RecordState, apply};
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use super::codec::{decode, encode};
use super::indexes::{a_card_phone, reindex_phone};
use super::tables::{
    A_CARD_PHONE_OF, OP_IDS, OP_RECEIVED, OPS, RECORD_COUNTS, RECORD_OPS, RECORDS, STORE_SEQ,
};
use super::txn::begin_write;
use crate::store::StoreError;
use crate::store::sync::{PushCheck, PushRefusal, RefusalReason, registry};

/// A group commit takes at most about this many ops (it always takes at least one push).
pub const MAX_GROUP_OPS: usize = 20_000;
/// Pushes waiting for the writer; senders wait when it is full (back-pressure).
const QUEUE: usize = 1024;

type PushAnswer = Result<Result<Vec<u64>, PushRefusal>, StoreError>;

struct Job {
    store_id: String,
    ops: Vec<Op>,
    /// The ops' JSON, made before queueing so that the writer thread does not spend its time
    /// on it.
    encoded: Vec<Vec<u8>>,
    check: PushCheck,
    reply: oneshot::Sender<PushAnswer>,
}

/// Per-store change notifications.
#[derive(Default)]
struct Hub {
    stores: Mutex<HashMap<String, watch::Sender<u64>>>,
}

impl Hub {
    fn subscribe(&self, store_id: &str) -> watch::Receiver<u64> {
        let mut stores = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        match stores.get(store_id) {
            Some(tx) => tx.subscribe(),
            None => {
                let (tx, rx) = watch::channel(0);
                stores.insert(store_id.to_owned(), tx);
                rx
            }
        }
    }

    fn bump(&self, store_id: &str, seq: u64) {
        let stores = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = stores.get(store_id) {
            tx.send_replace(seq);
        }
    }
}

/// The handle of the writer thread. The thread ends when the last handle is dropped.
pub(super) struct SyncWriter {
    tx: mpsc::Sender<Job>,
    hub: Arc<Hub>,
}

impl SyncWriter {
    /// Starts the writer thread. It holds the database only while writing, so that
    /// [`RedbStore::close`](crate::store::RedbStore::close) can close the file.
    pub(super) fn start(db: &Arc<Database>) -> std::io::Result<SyncWriter> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let hub = Arc::new(Hub::default());
        let weak = Arc::downgrade(db);
        let thread_hub = Arc::clone(&hub);
        std::thread::Builder::new()
            .name("forecourt-sync-writer".into())
            .spawn(move || writer_loop(weak, rx, thread_hub))?;
        Ok(SyncWriter { tx, hub })
    }

    /// Queues a push for the writer thread and waits for its answer (after the commit of the
    /// push's group).
    pub(super) async fn push(
        &self,
        store_id: String,
        ops: Vec<Op>,
        check: PushCheck,
    ) -> Result<Result<Vec<u64>, PushRefusal>, StoreError> {
        let encoded = ops.iter().map(encode).collect::<Result<Vec<_>, _>>()?;
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job {
                store_id,
                ops,
                encoded,
                check,
                reply,
            })
            .await
            .map_err(|_| StoreError::Backend("the sync writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the sync writer dropped a push".into()))?
    }

    /// The store's seq after each commit that advanced it.
    pub(super) fn subscribe(&self, store_id: &str) -> watch::Receiver<u64> {
        self.hub.subscribe(store_id)
    }
}

fn writer_loop(db: Weak<Database>, mut rx: mpsc::Receiver<Job>, hub: Arc<Hub>) {
    while let Some(first) = rx.blocking_recv() {
        let mut ops = first.ops.len();
        let mut jobs = vec![first];
        while ops < MAX_GROUP_OPS {
            match rx.try_recv() {
                Ok(job) => {
                    ops += job.ops.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let Some(db) = db.upgrade() else {
            for job in jobs {
                let _ = job
                    .reply
                    .send(Err(StoreError::Backend("the database is closed".into())));
            }
            break;
        };
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| commit_group(&db, &jobs)))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(StoreError::Backend(format!("sync writer panicked: {what}")))
            });
        drop(db);
        match outcome {
            Ok((answers, advanced)) => {
                for (store, seq) in advanced {
                    hub.bump(&store, seq);
                }
                for (job, answer) in jobs.into_iter().zip(answers) {
                    let _ = job.reply.send(Ok(answer));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, pushes = jobs.len(), "sync group commit failed");
                let msg = e.to_string();
                for job in jobs {
                    let _ = job.reply.send(Err(StoreError::Backend(msg.clone())));
                }
            }
        }
    }
}

struct Tables<'t> {
    ops: Table<'t, (&'static str, u64), &'static [u8]>,
    received: Table<'t, (&'static str, u64), u64>,
    op_ids: Table<'t, u128, (&'static str, u64)>,
    record_ops: Table<'t, (&'static str, u128, u64), ()>,
    records: Table<'t, (&'static str, u128), &'static [u8]>,
    seqs: Table<'t, &'static str, u64>,
    counts: Table<'t, (&'static str, &'static str), u64>,
    phones: Table<'t, (&'static str, u128), &'static str>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Self, StoreError> {
        Ok(Tables {
            ops: txn.open_table(OPS)?,
            received: txn.open_table(OP_RECEIVED)?,
            op_ids: txn.open_table(OP_IDS)?,
            record_ops: txn.open_table(RECORD_OPS)?,
            records: txn.open_table(RECORDS)?,
            seqs: txn.open_table(STORE_SEQ)?,
            counts: txn.open_table(RECORD_COUNTS)?,
            phones: txn.open_table(A_CARD_PHONE_OF)?,
        })
    }
}

type GroupOutcome = (Vec<Result<Vec<u64>, PushRefusal>>, BTreeMap<String, u64>);

/// Handles every push of a group in one write transaction and commits it (if anything was
/// written). Returns each push's answer and the new seq of each store that advanced.
fn commit_group(db: &Database, jobs: &[Job]) -> Result<GroupOutcome, StoreError> {
    let mut txn = begin_write(db)?;
    txn.set_durability(Durability::Immediate)
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    let mut answers = Vec::with_capacity(jobs.len());
    let mut advanced = BTreeMap::new();
    let started = std::time::Instant::now();
    let received_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    {
        let mut t = Tables::open(&txn)?;
        for job in jobs {
            let answer = push_one(
                &mut t,
                &job.store_id,
                &job.ops,
                &job.encoded,
                &job.check,
                received_ms,
            )?;
            if let Ok((_, Some(seq))) = &answer {
                advanced.insert(job.store_id.clone(), *seq);
            }
            answers.push(answer.map(|(seqs, _)| seqs));
        }
    }
    let applied = started.elapsed();
    if advanced.is_empty() {
        txn.abort()?;
    } else {
        txn.commit()?;
    }
    tracing::debug!(
        pushes = jobs.len(),
        ops = jobs.iter().map(|j| j.ops.len()).sum::<usize>(),
        apply_us = applied.as_micros() as u64,
        commit_us = (started.elapsed() - applied).as_micros() as u64,
        "sync group"
    );
    Ok((answers, advanced))
}

/// A record touched by a push: its state before (for the phone index and the counts) and
/// after applying the push's ops.
struct Touched {
    existed: bool,
    old_phone: Option<String>,
    state: RecordState,
}

/// One push inside the group's transaction: check and apply in memory, then write. Returns the
/// seqs and the store's new seq if anything was written.
#[allow(clippy::type_complexity)]
fn push_one(
    t: &mut Tables<'_>,
    store_id: &str,
    ops: &[Op],
    encoded: &[Vec<u8>],
    check: &PushCheck,
    received_ms: u64,
) -> Result<Result<(Vec<u64>, Option<u64>), PushRefusal>, StoreError> {
    let refuse = |op_index, reason| Ok(Err(PushRefusal { op_index, reason }));
    // seq per op: known already (resend) or assigned below.
    let mut seqs: Vec<Option<u64>> = vec![None; ops.len()];
    // op id → index of its first occurrence in this push.
    let mut first_in_push: HashMap<Uuid, usize> = HashMap::with_capacity(ops.len());
    let mut copies: Vec<(usize, usize)> = Vec::new();
    let mut fresh: Vec<usize> = Vec::with_capacity(ops.len());
    let mut touched: BTreeMap<u128, Touched> = BTreeMap::new();

    for (i, op) in ops.iter().enumerate() {
        if let Some(&j) = first_in_push.get(&op.op_id) {
            if ops[j] != *op {
                return refuse(i, RefusalReason::OpIdReused);
            }
            copies.push((i, j));
            continue;
        }
        first_in_push.insert(op.op_id, i);
        let known = t.op_ids.get(op.op_id.as_u128())?.map(|g| {
            let (s, seq) = g.value();
            (s.to_owned(), seq)
        });
        if let Some((s, seq)) = known {
            let same = match t.ops.get((s.as_str(), seq))? {
                Some(g) => decode::<Op>(g.value())? == *op,
                None => {
                    return Err(StoreError::Corrupt(format!(
                        "op {} indexed at ({s}, {seq}) but missing",
                        op.op_id
                    )));
                }
            };
            if !same {
                return refuse(i, RefusalReason::OpIdReused);
            }
            seqs[i] = Some(seq);
            continue;
        }
        let rt = match registry().require(&op.record_type) {
            Ok(rt) => rt,
            Err(e) => return refuse(i, RefusalReason::Apply(e)),
        };
        // The records a parts op names (an issue's RO line, a reservation's part and job, …)
        // must be stored, with their type: in this push or in the store.
        for r in domain::parts::policy::references(op) {
            let found = match touched.get(&r.id.as_u128()) {
                Some(t) => t.state.record_type == r.record_type && !t.state.is_deleted(),
                None => match t.records.get((store_id, r.id.as_u128()))? {
                    Some(g) => {
                        let s: RecordState = decode(g.value())?;
                        s.record_type == r.record_type && !s.is_deleted()
                    }
                    None => false,
                },
            };
            if !found {
                return refuse(
                    i,
                    RefusalReason::Policy(domain::policy::PolicyError::Parts(r.missing())),
                );
            }
        }
        let rid = op.record_id.as_u128();
        let line = match touched.entry(rid) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let stored = match t.records.get((store_id, rid))? {
                    Some(g) => Some(decode::<RecordState>(g.value())?),
                    None => None,
                };
                let existed = stored.is_some();
                let state = stored.unwrap_or_else(|| RecordState::for_op(op));
                v.insert(Touched {
                    existed,
                    old_phone: a_card_phone(&state),
                    state,
                })
            }
        };
        // A line's repair order (stored, or in this push): a handed-over or cancelled one's
        // lines no longer change.
        if op.record_type == domain::records::service::RO_LINE.name {
            for ro_id in domain::service::policy::line_ros(Some(&line.state), op) {
                let refused = match touched.get(&ro_id.as_u128()) {
                    Some(ro) => domain::service::policy::check_line_of_ro(&ro.state, op).err(),
                    None => match t.records.get((store_id, ro_id.as_u128()))? {
                        Some(g) => {
                            let ro: RecordState = decode(g.value())?;
                            domain::service::policy::check_line_of_ro(&ro, op).err()
                        }
                        None => None,
                    },
                };
                if let Some(e) = refused {
                    return refuse(
                        i,
                        RefusalReason::Policy(domain::policy::PolicyError::Service(e)),
                    );
                }
            }
        }
        let Some(entry) = touched.get_mut(&rid) else {
            return Err(StoreError::Corrupt(format!(
                "record {} left the push's touched records",
                op.record_id
            )));
        };
        let Some(actor) = check.actors.iter().find(|a| a.user_id == op.user_id) else {
            return refuse(i, RefusalReason::UnknownAuthor);
        };
        let now_ms = check.now_ms.unwrap_or(op.hlc.wall_ms);
        if let Err(e) = check_op(actor, Some(&entry.state), op, now_ms, check.clock) {
            return refuse(i, RefusalReason::Policy(e));
        }
        if let Err(e) = apply(&mut entry.state, op, rt) {
            return refuse(i, RefusalReason::Apply(e));
        }
        fresh.push(i);
    }

    if fresh.is_empty() {
        for (i, j) in copies {
            seqs[i] = seqs[j];
        }
        return Ok(Ok((
            seqs.into_iter().map(|s| s.unwrap_or(0)).collect(),
            None,
        )));
    }

    // Everything checked: write.
    let mut seq = t.seqs.get(store_id)?.map(|g| g.value()).unwrap_or(0);
    for &i in &fresh {
        seq += 1;
        let op = &ops[i];
        t.ops.insert((store_id, seq), encoded[i].as_slice())?;
        t.received.insert((store_id, seq), received_ms)?;
        t.op_ids.insert(op.op_id.as_u128(), (store_id, seq))?;
        t.record_ops
            .insert((store_id, op.record_id.as_u128(), seq), ())?;
        seqs[i] = Some(seq);
    }
    for (i, j) in copies {
        seqs[i] = seqs[j];
    }
    // New records per type, written once per push.
    let mut new_of_type: BTreeMap<&str, u64> = BTreeMap::new();
    for (rid, rec) in &touched {
        t.records
            .insert((store_id, *rid), encode(&rec.state)?.as_slice())?;
        if !rec.existed {
            *new_of_type
                .entry(rec.state.record_type.as_str())
                .or_default() += 1;
        }
        reindex_phone(
            &mut t.phones,
            store_id,
            *rid,
            rec.old_phone.as_deref(),
            a_card_phone(&rec.state).as_deref(),
        )?;
    }
    for (record_type, new) in new_of_type {
        let key = (store_id, record_type);
        let n = t.counts.get(key)?.map(|g| g.value()).unwrap_or(0);
        t.counts.insert(key, n + new)?;
    }
    t.seqs.insert(store_id, seq)?;
    let seqs = seqs.into_iter().map(|s| s.unwrap_or(0)).collect();
    Ok(Ok((seqs, Some(seq))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RedbStore;
    use ::redb::{ReadableDatabase, ReadableTableMetadata};
    use domain::sync::{Change, Hlc, new_id};
    use serde_json::json;

    fn card(n: u8, phone: &str) -> Op {
        Op {
            op_id: new_id(1_700_000_000_000, [n; 10]),
            device_id: Uuid::from_u128(7),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id: new_id(1_700_000_000_000, [n.wrapping_add(100); 10]),
            record_type: "a_card".into(),
            hlc: Hlc::new(1_700_000_000_000, u32::from(n)),
            changes: vec![Change::Set {
                field: "phone".into(),
                value: json!(phone),
                supersedes: vec![],
            }],
        }
    }

    fn job(ops: Vec<Op>) -> (Job, oneshot::Receiver<PushAnswer>) {
        let (reply, rx) = oneshot::channel();
        let encoded = ops.iter().map(|o| encode(o).unwrap()).collect();
        let job = Job {
            store_id: "demo".into(),
            ops,
            encoded,
            check: PushCheck {
                actors: vec![domain::Actor::new("u", &[domain::Role::SalesConsultant])],
                now_ms: None,
                clock: domain::time::StoreClock::default(),
            },
            reply,
        };
        (job, rx)
    }

    /// A push the rules refuse (a consultant changing the store's settings; an op by someone
    /// who is not the push's author) writes nothing and leaves the group's other pushes alone.
    #[test]
    fn a_push_refused_by_the_rules_does_not_disturb_the_group() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path().join("db.redb")).unwrap();
        let a = card(1, "13900001111");
        let mut settings = card(2, "");
        settings.record_type = "sales_settings".into();
        settings.changes = vec![Change::SetAdd {
            field: "models".into(),
            elem: "levin".into(),
        }];
        let mut stranger = card(3, "13800000000");
        stranger.user_id = "someone".into();
        let c = card(4, "13700000000");
        let jobs = vec![
            job(vec![a.clone()]).0,
            job(vec![c.clone(), settings]).0,
            job(vec![stranger]).0,
            job(vec![c.clone()]).0,
        ];
        let (answers, advanced) = commit_group(store.database(), &jobs).unwrap();
        assert_eq!(answers[0], Ok(vec![1]));
        match &answers[1] {
            Err(PushRefusal {
                op_index: 1,
                reason: RefusalReason::Policy(e),
            }) => assert_eq!(
                domain::sales::UserError::code(e),
                "sales_settings_manager_only"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            answers[2],
            Err(PushRefusal {
                op_index: 0,
                reason: RefusalReason::UnknownAuthor
            })
        );
        assert_eq!(
            answers[3],
            Ok(vec![2]),
            "c was not written by the refused push"
        );
        assert_eq!(advanced.get("demo"), Some(&2));
    }

    /// One group: a refused push between two good ones writes nothing and leaves the others
    /// (and their seqs) as if it had not been there.
    #[test]
    fn a_refused_push_in_a_group_does_not_disturb_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(dir.path().join("db.redb")).unwrap();
        let a = card(1, "13900001111");
        let b = card(2, "13900001111");
        let mut reused = card(3, "13800000000");
        reused.op_id = a.op_id;
        let c = card(4, "139-0000-1111");
        let jobs = vec![
            job(vec![a.clone()]).0,
            job(vec![b.clone(), reused]).0,
            job(vec![c.clone(), a.clone()]).0,
        ];
        let (answers, advanced) = commit_group(store.database(), &jobs).unwrap();
        assert_eq!(answers[0], Ok(vec![1]));
        assert_eq!(
            answers[1],
            Err(PushRefusal {
                op_index: 1,
                reason: RefusalReason::OpIdReused
            })
        );
        assert_eq!(answers[2], Ok(vec![2, 1]));
        assert_eq!(advanced.get("demo"), Some(&2));

        let txn = store.database().begin_read().unwrap();
        let ops = txn.open_table(OPS).unwrap();
        assert_eq!(ops.len().unwrap(), 2);
        let op_ids = txn.open_table(OP_IDS).unwrap();
        assert!(op_ids.get(b.op_id.as_u128()).unwrap().is_none());
        let records = txn.open_table(RECORDS).unwrap();
        assert!(
            records
                .get(("demo", b.record_id.as_u128()))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            txn.open_table(STORE_SEQ)
                .unwrap()
                .get("demo")
                .unwrap()
                .unwrap()
                .value(),
            2
        );
        // The phone index holds a and c (same normalised phone), not b.
        let phones = txn.open_table(A_CARD_PHONE_OF).unwrap();
        let indexed: Vec<(u128, String)> = phones
            .iter()
            .unwrap()
            .map(|e| {
                let (k, v) = e.unwrap();
                (k.value().1, v.value().to_owned())
            })
            .collect();
        let mut expected = vec![
            (a.record_id.as_u128(), "13900001111".to_owned()),
            (c.record_id.as_u128(), "13900001111".to_owned()),
        ];
        expected.sort();
        assert_eq!(indexed, expected);

        // A group of resends only is not committed and advances nothing.
        let (answers, advanced) =
            commit_group(store.database(), &[job(vec![c.clone(), a.clone()]).0]).unwrap();
        assert_eq!(answers[0], Ok(vec![2, 1]));
        assert!(advanced.is_empty());
    }
}
