//! How a screen reads records (docs/sync.md, "How a screen reads records").
//!
//! A screen never reads every record of a type. It reads:
//! - a small type held whole (`domain::records::index::WHOLE_TYPES`: settings, the rota, key
//!   accounts) with [`super::SyncCtx::records`];
//! - one record by id with [`super::SyncCtx::record`] (from the bounded cache, else read from
//!   IndexedDB in the background: `None` until it arrives, [`super::SyncCtx::looking_for`] says
//!   whether it is still being looked for);
//! - anything else with [`super::SyncCtx::read`] and a [`Query`] through an IndexedDB index: a
//!   page of a list, a consultant's cards, the records of a day range, the records that belong
//!   to a record, the flagged ones. The answer ([`Reading`]) is read again when a record of
//!   the query's types changes on the device.
//!
//! The reading itself (IndexedDB and the record codec) is in the wasm-split module `sync`, like
//! the sync engine.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use domain::sync::RecordState;
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::SyncCtx;
use super::cache::{self, CACHE};
use super::store::{self, FollowUpRules, ListIndex};
use crate::db::DbError;
use domain::sales::grade::FollowUpPage;

/// What a screen reads through the indexes.
#[derive(Debug, Clone)]
pub enum Query {
    /// Up to `limit` records of `index` whose key starts with `prefix` (the type first, e.g.
    /// `["a_card"]` or `["a_card", owner]`), after `after` (a [`Answer::next`]). With
    /// `limit: u32::MAX`, every record with that prefix (a consultant's cards).
    Page {
        index: ListIndex,
        prefix: Vec<String>,
        after: Option<JsValue>,
        limit: u32,
    },
    /// The live records of `record_type` whose `day` is within `from..=to` (`YYYY-MM-DD`;
    /// index `by_day`: an A-card's next follow-up, a visit's arrival…).
    Days {
        record_type: &'static str,
        from: String,
        to: String,
    },
    /// The live records of `record_type` made within `from..=to` (`YYYY-MM-DD`; index
    /// `by_made`: an A-card's first contact, an order's signing…).
    Made {
        record_type: &'static str,
        from: String,
        to: String,
    },
    /// The live records of `index` whose key starts with `prefix` (the type first) and goes on
    /// with a day within `from..=to` (e.g. `by_status`, `["a_card", "lost"]`, the closed days
    /// `~2026-12-01` to `~2026-12-31`: the cards lost in December).
    Within {
        index: ListIndex,
        prefix: Vec<String>,
        from: String,
        to: String,
    },
    /// The records of `types` that belong to record `id` (their `links`: an A-card's visits,
    /// a C-card's care tasks…).
    Linked {
        id: Uuid,
        types: &'static [&'static str],
    },
    /// The records with a flag (`domain::records::index::FLAG_CONFLICT`, `FLAG_BIN`), of any
    /// type.
    Flagged(&'static str),
    /// At most `limit` records of `domain::records::index::SEARCHED` found by the search text
    /// `text` (index `by_term`: a name, a phone number or its tail, a plate, a VIN).
    Term { text: String, limit: u32 },
    /// Today's follow-ups of `owner` (index `by_follow`: the A-cards being followed, read
    /// without parsing them): [`Reading::follow`] is the page `rules` asks for of the list (and
    /// the list's length and the sleeping count), `records` that page's cards in list order.
    FollowUps { owner: String, rules: FollowUpRules },
}

impl Query {
    /// A page of `record_type`'s list through `index`, the key starting with `record_type` and
    /// then `rest`.
    pub fn page(
        index: ListIndex,
        record_type: &str,
        rest: &[&str],
        after: Option<JsValue>,
        limit: u32,
    ) -> Self {
        let mut prefix = vec![record_type.to_string()];
        prefix.extend(rest.iter().map(|s| s.to_string()));
        Query::Page {
            index,
            prefix,
            after,
            limit,
        }
    }

    /// Every record of `record_type` owned by `owner` (index `by_owner`), by day and name.
    pub fn owned(record_type: &str, owner: &str) -> Self {
        Query::page(store::BY_OWNER_INDEX, record_type, &[owner], None, u32::MAX)
    }

    /// The types whose changes make the answer stale (`None`: any type).
    fn types(&self) -> Option<Vec<String>> {
        match self {
            Query::Page { prefix, .. } | Query::Within { prefix, .. } => {
                prefix.first().map(|t| vec![t.clone()])
            }
            Query::Days { record_type, .. } | Query::Made { record_type, .. } => {
                Some(vec![record_type.to_string()])
            }
            Query::Linked { types, .. } => Some(types.iter().map(|t| t.to_string()).collect()),
            Query::Flagged(_) => None,
            Query::FollowUps { .. } => Some(vec!["a_card".to_string()]),
            Query::Term { .. } => Some(
                domain::records::index::SEARCHED
                    .iter()
                    .map(|t| t.to_string())
                    .collect(),
            ),
        }
    }
}

/// The records a [`Query`] found.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub records: Vec<RecordState>,
    /// For a page: the key the next page starts after, when more follow.
    pub next: Option<JsValue>,
    /// For [`Query::FollowUps`]: the page of the list.
    pub follow: Option<FollowUpPage>,
}

/// The reading of a [`Query`].
type AnswerFuture = Pin<Box<dyn Future<Output = Result<Answer, DbError>>>>;

/// Reads `query` from IndexedDB (in the wasm-split module `sync`).
#[leptos::wasm_split::wasm_split(sync, wasm_split_path = ::leptos::wasm_split, fallible)]
fn answer(query: Query) -> Result<AnswerFuture, leptos::wasm_split::SplitLoaderError> {
    Ok(Box::pin(async move {
        let records = match query {
            Query::Page {
                index,
                prefix,
                after,
                limit,
            } => {
                let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
                let page = store::page(index, &prefix, after.as_ref(), limit).await?;
                return Ok(Answer {
                    records: page.records,
                    next: page.next,
                    follow: None,
                });
            }
            Query::FollowUps { owner, rules } => {
                let (page, records) = store::follow_ups(&owner, &rules).await?;
                return Ok(Answer {
                    records,
                    next: None,
                    follow: Some(page),
                });
            }
            Query::Days {
                record_type,
                from,
                to,
            } => store::days(store::BY_DAY_INDEX, record_type, &from, &to).await?,
            Query::Made {
                record_type,
                from,
                to,
            } => store::days(store::BY_MADE_INDEX, record_type, &from, &to).await?,
            Query::Within {
                index,
                prefix,
                from,
                to,
            } => {
                let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
                store::within(index, &prefix, &from, &to).await?
            }
            Query::Linked { id, types } => store::linked(id)
                .await?
                .into_iter()
                .filter(|r| types.contains(&r.record_type.as_str()) && !r.is_deleted())
                .collect(),
            Query::Flagged(flag) => store::flagged(flag).await?,
            Query::Term { text, limit } => store::search(&text, limit).await?,
        };
        Ok(Answer {
            records,
            next: None,
            follow: None,
        })
    }))
}

/// Reads `query` now (not tracking changes): for an action (an export, a check before a
/// write), not for what a screen shows.
pub async fn read_once(query: Query) -> Result<Answer, DbError> {
    match answer(query).await {
        Ok(work) => work.await,
        Err(e) => Err(DbError::Idb(format!("cannot load the sync module: {e}"))),
    }
}

/// What a screen shows of a [`Query`]: the records found, kept while a newer answer is read.
#[derive(Clone, Copy)]
pub struct Reading {
    pub records: RwSignal<Vec<RecordState>>,
    /// Whether an answer has arrived (false: the screen shows nothing yet rather than "none").
    pub loaded: RwSignal<bool>,
    /// For a page: the key the next page starts after, when more follow.
    pub next: RwSignal<Option<JsValue>, LocalStorage>,
    /// For [`Query::FollowUps`]: the page of today's list, the list's length, the sleeping count.
    pub follow: RwSignal<Option<FollowUpPage>>,
}

impl SyncCtx {
    /// Reads `query` (nothing while it gives `None`) through the indexes, and again whenever
    /// it changes or a record of its types changes on the device. The records found are also
    /// held by id, so that [`SyncCtx::record`] finds them at once.
    pub fn read(self, query: impl Fn() -> Option<Query> + 'static) -> Reading {
        let reading = Reading {
            records: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            next: RwSignal::new_local(None),
            follow: RwSignal::new(None),
        };
        // Only the answer to the latest query is shown.
        let latest = Rc::new(Cell::new(0u64));
        Effect::new(move |_| {
            let Some(q) = query() else {
                reading.records.set(Vec::new());
                reading.next.set(None);
                reading.follow.set(None);
                reading.loaded.set(true);
                return;
            };
            match q.types() {
                Some(types) => types.iter().for_each(|t| cache::track(t)),
                None => self.rev.track(),
            }
            let n = latest.get() + 1;
            latest.set(n);
            let latest = latest.clone();
            leptos::task::spawn_local(async move {
                let answer = read_once(q).await;
                if latest.get() != n {
                    return;
                }
                match answer {
                    Ok(a) => {
                        CACHE.with(|c| {
                            let mut c = c.borrow_mut();
                            // A page of a long list is not worth keeping by id.
                            if a.records.len() <= cache::LRU_CAP / 4 {
                                for r in &a.records {
                                    c.put(r.clone(), true);
                                }
                            }
                        });
                        let _ = reading.next.try_set(a.next);
                        let _ = reading.follow.try_set(a.follow);
                        let _ = reading.records.try_set(a.records);
                    }
                    Err(e) => leptos::logging::error!("forecourt: cannot read records: {e}"),
                }
                let _ = reading.loaded.try_set(true);
            });
        });
        reading
    }
}
