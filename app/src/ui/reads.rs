//! Screens that show the records of several index reads at once (docs/sync.md, "How a screen
//! reads records"): the open repair orders (one `by_status` page per status), the floor's ROs
//! and then their lines, the care tasks of a few assignees. [`read_many`] is
//! [`crate::sync::SyncCtx::read`] for a list of [`Query`]s, [`read_with`] for any reading made
//! of [`read_once`]s (a read that depends on an earlier one's answer).
//!
//! Like `SyncCtx::read`, the reading runs in an `Effect`: again when the closure's signals
//! change or a record of `types` changes on the device, keeping the last answer meanwhile and
//! showing only the latest one; `loaded` is false until the first answer.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::future::Future;
use std::rc::Rc;

use domain::sync::RecordState;
use leptos::prelude::*;

use crate::db::DbError;
use crate::sync::cache::{self, CACHE, LRU_CAP};
use crate::sync::{Query, read_once};

/// The records of a [`read_many`] / [`read_with`].
#[derive(Clone, Copy)]
pub struct Many {
    pub records: RwSignal<Vec<RecordState>>,
    /// Whether an answer has arrived (false: the screen says 正在加载… rather than "none").
    pub loaded: RwSignal<bool>,
}

/// Reads every query of `queries` (nothing while it gives `None`), the records of all in one
/// list (each record once, in the order found), again when a record of `types` changes.
pub fn read_many(
    types: &'static [&'static str],
    queries: impl Fn() -> Option<Vec<Query>> + 'static,
) -> Many {
    read_with(types, move || queries().map(all))
}

/// The records of every query of `queries`, each record once, in the order found.
pub async fn all(queries: Vec<Query>) -> Result<Vec<RecordState>, DbError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for q in queries {
        for r in read_once(q).await?.records {
            if seen.insert(r.id) {
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// Runs the reading `run` gives (nothing while it gives `None`), again when its signals change
/// or a record of `types` changes on the device.
pub fn read_with<F>(types: &'static [&'static str], run: impl Fn() -> Option<F> + 'static) -> Many
where
    F: Future<Output = Result<Vec<RecordState>, DbError>> + 'static,
{
    let many = Many {
        records: RwSignal::new(Vec::new()),
        loaded: RwSignal::new(false),
    };
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |_| {
        types.iter().for_each(|t| cache::track(t));
        let Some(work) = run() else {
            many.records.set(Vec::new());
            many.loaded.set(true);
            return;
        };
        let n = latest.get() + 1;
        latest.set(n);
        let latest = latest.clone();
        leptos::task::spawn_local(async move {
            let answer = work.await;
            if latest.get() != n {
                return;
            }
            match answer {
                Ok(records) => {
                    // Held by id too, so a record page opened from the list finds it at once.
                    if records.len() <= LRU_CAP / 4 {
                        CACHE.with(|c| {
                            let mut c = c.borrow_mut();
                            for r in &records {
                                c.put(r.clone(), true);
                            }
                        });
                    }
                    let _ = many.records.try_set(records);
                }
                Err(e) => leptos::logging::error!("forecourt: cannot read records: {e}"),
            }
            let _ = many.loaded.try_set(true);
        });
    });
    many
}
