//! An edit's write runs in the sync engine (the wasm-split module `sync`, loaded at start): the
//! pages only hand it what to write ([`Writes`]) and wait for the answer.
//!
//! The write (`store::commit`) checks every op as the server will (`domain::sync::validate_op`,
//! `domain::policy::check_op`: the rules of every area) and says what it refused in both
//! languages. Called from the pages, that code was needed by every page group, and a page
//! group's pack holds its own copy of every module it shares with other page groups (`cargo
//! xtask build`, xtask/src/pack.rs): ~15 KB as sent in each pack. Reached only from the engine,
//! it is held once, in the `sync` pack, which every logged-in device has loaded before it edits.

use std::cell::RefCell;
use std::rc::Rc;

use domain::plan::Plan;
use domain::sync::{RecordState, RecordType};
use uuid::Uuid;

#[cfg(test)]
use super::store::RuleText;
use super::store::{self, Build, EditError};
use super::{Job, SyncCtx, broadcast};
use crate::db::DbError;
use leptos::prelude::*;

/// What an edit writes.
pub(super) enum Writes {
    /// One record: the builder gets it as stored and returns the changes.
    One(Uuid, &'static RecordType, Build<'static>),
    /// A workflow's plan, in one transaction.
    Plan(Plan),
}

/// The records' states after a write, or why nothing was written.
type Done = Result<Vec<RecordState>, EditError>;

/// A write for the engine ([`Job::Commit`]) and where it leaves its answer.
pub(super) struct Commit {
    writes: Writes,
    answer: Rc<RefCell<Option<Done>>>,
}

impl SyncCtx {
    /// Writes `writes` in the engine (loading it if it is not yet: a failed load is a storage
    /// error, nothing is written) and returns the records' states after it, in order.
    pub(super) async fn write(self, writes: Writes) -> Done {
        let answer = Rc::new(RefCell::new(None));
        self.run(Job::Commit(Commit {
            writes,
            answer: Rc::clone(&answer),
        }))
        .await;
        let done = answer.borrow_mut().take();
        done.unwrap_or_else(|| {
            Err(EditError::Db(DbError::Idb(
                "the sync engine did not load".into(),
            )))
        })
    }

    /// [`Job::Commit`], in the engine: the write in one IndexedDB transaction, then the cache,
    /// the screens, the outbox count and the other tabs are told, and a sync is started.
    pub(super) async fn commit(self, job: Commit) {
        let done = self.commit_now(job.writes).await;
        *job.answer.borrow_mut() = Some(done);
    }

    async fn commit_now(self, writes: Writes) -> Done {
        let author = self.author().ok_or(EditError::Db(DbError::NotOpen))?;
        let done = match writes {
            Writes::One(record_id, rt, build) => {
                vec![store::commit_edit(&author, record_id, rt, build).await?]
            }
            Writes::Plan(plan) => store::commit_plan(&author, &plan).await?,
        };
        let ids: Vec<Uuid> = done.iter().map(|(_, s)| s.id).collect();
        self.changed(done.iter().map(|(_, s)| s.clone()), true);
        self.pending.update(|n| *n += done.len() as u32);
        self.refresh_waiting().await;
        broadcast(&ids);
        self.kick();
        Ok(done.into_iter().map(|(_, s)| s).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::policy::{MAX_CLOCK_BEHIND_MS, PolicyError};
    use domain::sales::UserError;

    #[test]
    fn a_refusal_keeps_its_code_and_both_messages() {
        let e = PolicyError::ClockBehind {
            behind_ms: 9 * 24 * 3_600_000,
            max_ms: MAX_CLOCK_BEHIND_MS,
        };
        let text = RuleText::from(e.clone());
        assert_eq!(text.code, "clock_behind");
        assert_eq!(text.en, e.message_en());
        assert_eq!(text.zh, e.message_zh());
        assert!(text.zh.contains("9 天"), "{}", text.zh);
        let edit = EditError::from(e);
        assert!(matches!(&edit, EditError::Rule(t) if t.code == "clock_behind"));
        assert_eq!(edit.to_string(), text.en);
    }
}
