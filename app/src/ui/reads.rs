//! Screens that show the records of several index reads at once (docs/sync.md, "How a screen
//! reads records"): the open repair orders (one `by_status` page per status), the floor's ROs
//! and then their lines, the care tasks of a few assignees. [`read_many`] is
//! [`crate::sync::SyncCtx::read`] for a list of [`Query`]s, [`read_with`] for any reading made
//! of [`read_once`]s (a read that depends on an earlier one's answer); [`read_sales`] the
//! records of the sales figures of a span (销售报表, 经营指标).
//!
//! Like `SyncCtx::read`, the reading runs in an `Effect`: again when the closure's signals
//! change or a record of `types` changes on the device, keeping the last answer meanwhile and
//! showing only the latest one; `loaded` is false until the first answer.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::future::Future;
use std::rc::Rc;

use domain::sales::chrono::NaiveDate;
use domain::sales::kpi_reads::{CLOSED_TYPES, MADE_TYPES, SalesReads, open_statuses};
use domain::sync::RecordState;
use leptos::prelude::*;

use crate::db::DbError;
use crate::sync::cache::{self, CACHE, LRU_CAP};
use crate::sync::{Query, read_once, store};

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

/// The records the sales figures of the periods within a span (`from..=to`, from `span`;
/// nothing while it gives `None`) count (`domain::sales::kpi_reads`): the visits, test drives,
/// A-cards and orders made within it, the open A-cards and orders, and those closed since its
/// first day — not the A-cards and orders of every year.
pub fn read_sales(span: impl Fn() -> Option<(NaiveDate, NaiveDate)> + 'static) -> Many {
    read_many(&MADE_TYPES, move || {
        let (from, to) = span()?;
        Some(sales_queries(SalesReads::new(from, to)))
    })
}

/// The queries of [`read_sales`]: what `SalesReads::selects` selects, index by index.
fn sales_queries(reads: SalesReads) -> Vec<Query> {
    let (made_from, made_to) = reads.made();
    let (closed_from, closed_to) = reads.closed();
    let mut queries: Vec<Query> = MADE_TYPES
        .into_iter()
        .map(|record_type| Query::Made {
            record_type,
            from: made_from.clone(),
            to: made_to.clone(),
        })
        .collect();
    for record_type in CLOSED_TYPES {
        queries.push(Query::Days {
            record_type,
            from: closed_from.clone(),
            to: closed_to.clone(),
        });
        for status in open_statuses(record_type) {
            queries.push(Query::page(
                store::BY_STATUS_INDEX,
                record_type,
                &[status],
                None,
                u32::MAX,
            ));
        }
    }
    queries
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
    read_keyed(types, move || run().map(|work| ((), work))).many
}

/// The records of a [`read_keyed`], with what the answer shown was read for.
#[derive(Clone, Copy)]
pub struct Keyed<K: Send + Sync + 'static> {
    pub many: Many,
    /// The key of the reading whose answer `many` holds (`None` before the first answer, or
    /// when nothing was to be read). While a reading for a new key runs, `many` keeps the last
    /// answer (read for another key): a screen that counts from it compares the keys, so that it
    /// never shows one period's figures counted from another period's records.
    pub key: RwSignal<Option<K>>,
}

/// [`read_with`] for a reading that depends on a key (a month, a window): `run` gives the key
/// and the reading; the answer is shown with its key ([`Keyed::key`]).
pub fn read_keyed<K, F>(
    types: &'static [&'static str],
    run: impl Fn() -> Option<(K, F)> + 'static,
) -> Keyed<K>
where
    K: Clone + Send + Sync + 'static,
    F: Future<Output = Result<Vec<RecordState>, DbError>> + 'static,
{
    let keyed = Keyed {
        many: Many {
            records: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
        },
        key: RwSignal::new(None),
    };
    let many = keyed.many;
    let key = keyed.key;
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |_| {
        types.iter().for_each(|t| cache::track(t));
        let Some((asked, work)) = run() else {
            many.records.set(Vec::new());
            key.set(None);
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
                    let _ = key.try_set(Some(asked));
                }
                Err(e) => leptos::logging::error!("forecourt: cannot read records: {e}"),
            }
            let _ = many.loaded.try_set(true);
        });
    });
    keyed
}
