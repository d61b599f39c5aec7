//! The device side of sync (docs/sync.md, "Device sync (app)").
//!
//! - Screens read records from an in-memory cache of IndexedDB's `records` through
//!   [`SyncCtx::records`] / [`SyncCtx::record`], which track [`SyncCtx::rev`]: it is bumped
//!   after an own edit, after a sync applied something, and when another tab says it changed
//!   records (`BroadcastChannel("forecourt")`), so screens update live.
//! - Edits go through [`SyncCtx::edit`]: record + op + clock in one IndexedDB transaction
//!   (`store::commit_edit`), then a sync is started.
//! - The sync loop runs on start, on `online`, on the server's SSE `changed`, every 60 s and
//!   from "sync now"; one tab at a time (Web Locks `forecourt-sync`): first sync pages through
//!   the snapshot, then push the outbox, then pull after the cursor.
//! - A shared tablet keeps each user's outbox apart: a sync pushes only the logged-in user's
//!   ops (`domain::sync::outbox::may_push`); the others wait on the device for their author,
//!   and [`SyncCtx::waiting`] says how many wait for whom (the header, the login page).
//! - The engine (loading the cache, the status, the sync loop: the op codec, the snapshot,
//!   push and pull) is not in the main wasm: [`engine`] is a wasm-split module (`sync`) that
//!   the app fetches at start, beside the first screen, so the first screen does not wait for
//!   it. Edits are made from the pages, which are loaded lazily themselves.

mod blobs;
mod lock;
mod net;
pub mod store;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use domain::sync::outbox::{Pusher, Waiting, waiting_for, waiting_for_others};
use domain::sync::{Change, RecordState, RecordType, SyncError};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::api::ApiError;
use crate::session::SessionCtx;
use store::{Author, SnapshotProgress, keys};
pub use store::{EditError, Refused};

/// The fallback interval between syncs.
const INTERVAL_MS: i32 = 60_000;
/// During a first sync, the screens are told of the records that arrived at most this often
/// (and only once the device holds twice as many as when they were last told: see
/// [`show_arrived`]).
const SNAPSHOT_SHOW_MS: f64 = 3_000.0;

/// Whether a first sync tells the screens of what arrived, now that the cache holds `held`
/// records, `since_ms` after it last told them, when it held `shown_held`. Each telling makes
/// the screens read the whole cache again, so they are told when it has doubled (and not more
/// often than [`SNAPSHOT_SHOW_MS`]): all the tellings together cost about two readings of the
/// final cache instead of one per page.
fn show_arrived(held: usize, shown_held: usize, since_ms: f64) -> bool {
    since_ms >= SNAPSHOT_SHOW_MS && held >= shown_held.saturating_mul(2).max(1)
}
/// Wait before reopening a closed event stream.
const SSE_RETRY_MS: i32 = 5_000;

/// Why the last sync did not finish, shown by the status indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncProblem {
    /// The server refused, with its message (in the user's language).
    Server { code: String, message: String },
    /// The server's answer could not be understood.
    Unexpected,
    /// IndexedDB failed.
    Storage,
}

/// The sync state every screen can see; provided by `App`.
#[derive(Clone, Copy)]
pub struct SyncCtx {
    /// Bumped whenever the cached records change.
    pub rev: RwSignal<u64>,
    /// `navigator.onLine`, and the server answered the last time it was asked.
    pub online: RwSignal<bool>,
    pub reachable: RwSignal<bool>,
    /// The logged-in user's ops waiting in the outbox.
    pub pending: RwSignal<u32>,
    /// Every author's ops waiting on this device (the outbox by author, oldest first).
    pub waiting: RwSignal<Vec<Waiting>>,
    /// When the last sync finished (Unix ms).
    pub last_synced: RwSignal<Option<f64>>,
    pub syncing: RwSignal<bool>,
    pub problem: RwSignal<Option<SyncProblem>>,
    /// A first sync's snapshot: (records fetched, total).
    pub snapshot: RwSignal<Option<(u64, u64)>>,
    /// The ops of the logged-in user the server refused for good.
    pub refused: RwSignal<Vec<Refused>>,
    /// Photos and signatures on this device not yet uploaded (`sync/blobs.rs`).
    pub blobs_waiting: RwSignal<u32>,
    session: SessionCtx,
}

thread_local! {
    static CACHE: RefCell<BTreeMap<Uuid, RecordState>> = const { RefCell::new(BTreeMap::new()) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The pull cursor as last seen (to ignore SSE `changed` we already have).
    static CURSOR: Cell<u64> = const { Cell::new(0) };
    static CHANNEL: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
    static EVENTS: RefCell<Option<web_sys::EventSource>> = const { RefCell::new(None) };
    /// An event ticket is being fetched (so the stream is not opened twice).
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

/// What the sync engine is asked to do.
enum Job {
    /// At start: file the outbox by author, load the cache and the status, sync.
    Start,
    /// One sync (under the tabs' lock).
    RunOnce,
    /// Read the status again (outbox, last sync, refusals, cursor).
    Status,
    /// Another tab changed these records (none: only the status).
    Tabs(Vec<Uuid>),
}

/// The sync engine: everything the jobs reach (IndexedDB's records, outbox and ops, the op
/// codec, the snapshot, push and pull) goes into the wasm-split module `sync`, fetched when
/// the first job runs (`cargo xtask build`; precached by the service worker).
#[leptos::wasm_split::wasm_split(sync, wasm_split_path = ::leptos::wasm_split, fallible)]
fn engine(
    ctx: SyncCtx,
    job: Job,
) -> Result<Pin<Box<dyn Future<Output = ()>>>, leptos::wasm_split::SplitLoaderError> {
    Ok(Box::pin(async move {
        match job {
            Job::Start => ctx.load().await,
            Job::RunOnce => ctx.run_once().await,
            Job::Status => ctx.refresh_status().await,
            Job::Tabs(ids) => {
                if !ids.is_empty() {
                    reload(&ids).await;
                    ctx.rev.update(|r| *r += 1);
                }
                ctx.refresh_status().await;
            }
        }
    }))
}

/// The sync context provided by `App`.
pub fn use_sync() -> SyncCtx {
    expect_context::<SyncCtx>()
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

impl SyncCtx {
    pub fn new(session: SessionCtx) -> Self {
        SyncCtx {
            rev: RwSignal::new(0),
            online: RwSignal::new(navigator_online()),
            reachable: RwSignal::new(true),
            pending: RwSignal::new(0),
            waiting: RwSignal::new(Vec::new()),
            last_synced: RwSignal::new(None),
            syncing: RwSignal::new(false),
            problem: RwSignal::new(None),
            snapshot: RwSignal::new(None),
            refused: RwSignal::new(Vec::new()),
            blobs_waiting: RwSignal::new(0),
            session,
        }
    }

    // ---- reading ----

    /// The live records of `record_type` (not in the bin), tracking changes.
    pub fn records(&self, record_type: &str) -> Vec<RecordState> {
        self.rev.track();
        CACHE.with(|c| {
            c.borrow()
                .values()
                .filter(|r| r.record_type == record_type && !r.is_deleted())
                .cloned()
                .collect()
        })
    }

    /// Every cached record, tracking changes.
    pub fn all_records(&self) -> Vec<RecordState> {
        self.rev.track();
        CACHE.with(|c| c.borrow().values().cloned().collect())
    }

    /// Runs `f` over every cached record without copying them, tracking changes.
    pub fn with_all_records<R>(
        &self,
        f: impl FnOnce(&mut dyn Iterator<Item = &RecordState>) -> R,
    ) -> R {
        self.rev.track();
        CACHE.with(|c| f(&mut c.borrow().values()))
    }

    /// One record, tracking changes.
    pub fn record(&self, id: Uuid) -> Option<RecordState> {
        self.rev.track();
        CACHE.with(|c| c.borrow().get(&id).cloned())
    }

    fn author(&self) -> Option<Author> {
        self.session.session.with_untracked(|s| {
            let s = s.as_ref()?;
            Some(Author {
                user_id: s.user.id.clone(),
                user_name: s.user.display_name.clone(),
                store_id: s.user.store_id.clone(),
                device_id: Uuid::parse_str(&s.device.id).ok()?,
                roles: s.user.roles.clone(),
            })
        })
    }

    fn token(&self) -> Option<String> {
        self.session
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    fn user_id_untracked(&self) -> Option<String> {
        self.session
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))
    }

    /// The other people's changes waiting on this device (everyone's when nobody is logged
    /// in), tracking changes.
    pub fn waiting_for_others(&self) -> Vec<Waiting> {
        let me = self
            .session
            .session
            .with(|s| s.as_ref().map(|s| s.user.id.clone()))
            .unwrap_or_default();
        self.waiting.with(|all| waiting_for_others(all, &me))
    }

    // ---- writing ----

    /// Makes an edit of `record_id` (a new record if it is not stored): `build` gets the
    /// record as stored now and returns the changes (made with `domain::sync::Edit`).
    pub async fn edit(
        self,
        record_id: Uuid,
        rt: &'static RecordType,
        build: impl FnOnce(&RecordState) -> Result<Vec<Change>, SyncError> + 'static,
    ) -> Result<RecordState, EditError> {
        self.edit_boxed(record_id, rt, Box::new(build)).await
    }

    /// The one copy of the edit code (the builder is boxed).
    async fn edit_boxed(
        self,
        record_id: Uuid,
        rt: &'static RecordType,
        build: store::Build<'static>,
    ) -> Result<RecordState, EditError> {
        let author = self
            .author()
            .ok_or(EditError::Db(crate::db::DbError::NotOpen))?;
        let (_op, state) = store::commit_edit(&author, record_id, rt, build).await?;
        put_cached([(record_id, Some(state.clone()))]);
        self.rev.update(|r| *r += 1);
        self.pending.update(|n| *n += 1);
        self.refresh_waiting().await;
        broadcast(&[record_id]);
        self.kick();
        Ok(state)
    }

    /// Executes a workflow's plan (`domain::plan::Plan`) in one IndexedDB transaction: every
    /// op of it is saved, or none. Returns the records' states after the plan, in plan order.
    pub async fn execute(self, plan: &domain::plan::Plan) -> Result<Vec<RecordState>, EditError> {
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let author = self
            .author()
            .ok_or(EditError::Db(crate::db::DbError::NotOpen))?;
        let done = store::commit_plan(&author, plan).await?;
        let ids: Vec<Uuid> = done.iter().map(|(_, s)| s.id).collect();
        put_cached(done.iter().map(|(_, s)| (s.id, Some(s.clone()))));
        self.rev.update(|r| *r += 1);
        self.pending.update(|n| *n += done.len() as u32);
        self.refresh_waiting().await;
        broadcast(&ids);
        self.kick();
        Ok(done.into_iter().map(|(_, s)| s).collect())
    }

    // ---- start ----

    /// Loads the cache and the status from IndexedDB and starts the triggers (online,
    /// interval, other tabs, the server's events while logged in).
    pub fn start(self) {
        leptos::task::spawn_local(self.run(Job::Start));

        let _ = window_event_listener(leptos::ev::online, move |_| {
            self.online.set(true);
            self.open_events();
            self.kick();
        });
        let _ = window_event_listener(leptos::ev::offline, move |_| {
            self.online.set(false);
        });
        let _ = set_interval_with_handle(
            move || self.kick(),
            std::time::Duration::from_millis(INTERVAL_MS as u64),
        );
        self.listen_to_tabs();

        // The server's events follow the login.
        Effect::new(move || {
            let token = self
                .session
                .session
                .with(|s| s.as_ref().map(|s| s.token.clone()));
            close_events();
            // Whose changes wait (and which refusals are shown) follows who is logged in.
            leptos::task::spawn_local(self.run(Job::Status));
            if token.is_some() {
                self.open_events();
                self.kick();
            }
        });
    }

    /// Runs `job` in the sync engine, loading it the first time (a failed load is retried by
    /// the next job).
    async fn run(self, job: Job) {
        match engine(self, job).await {
            Ok(work) => work.await,
            Err(e) => leptos::logging::error!("forecourt: cannot load the sync engine: {e}"),
        }
    }

    /// The engine's start: the outbox filed by author, the cache and the status loaded, a sync.
    async fn load(self) {
        // Before anything reads the outbox by author.
        match store::upgrade_outbox().await {
            Ok(0) => {}
            Ok(n) => leptos::logging::log!("forecourt: {n} waiting ops filed by author"),
            Err(e) => leptos::logging::error!("forecourt: cannot upgrade the outbox: {e}"),
        }
        // Before the lists read through the indexes (IndexedDB version 4).
        match store::reindex().await {
            Ok(0) => {}
            Ok(n) => leptos::logging::log!("forecourt: {n} records indexed"),
            Err(e) => leptos::logging::error!("forecourt: cannot index the records: {e}"),
        }
        match store::load_all().await {
            Ok(all) => {
                CACHE.with(|c| {
                    let mut c = c.borrow_mut();
                    for r in all {
                        c.insert(r.id, r);
                    }
                });
                self.rev.update(|r| *r += 1);
            }
            Err(e) => leptos::logging::error!("forecourt: cannot read the records: {e}"),
        }
        self.refresh_status().await;
        self.kick();
    }

    /// Reads the outbox by author: everyone's waiting ops and the logged-in user's count.
    async fn refresh_waiting(self) {
        match store::outbox_waiting().await {
            Ok(all) => {
                let mine = self
                    .user_id_untracked()
                    .map_or(0, |me| waiting_for(&all, &me));
                self.pending.set(mine);
                self.waiting.set(all);
            }
            Err(e) => leptos::logging::error!("forecourt: cannot read the outbox: {e}"),
        }
    }

    /// The refused ops of the logged-in user (each is filed under its author, the op's
    /// `user_id`; the others' are kept for when they log in).
    fn set_refused(self, all: Vec<Refused>) {
        let me = self.user_id_untracked().unwrap_or_default();
        self.refused
            .set(all.into_iter().filter(|r| r.op.user_id == me).collect());
    }

    /// Reads the outbox size, the last sync time and the refused ops from IndexedDB.
    async fn refresh_status(self) {
        self.refresh_waiting().await;
        self.refresh_blobs().await;
        if let Ok(at) = store::meta::<f64>(keys::LAST_SYNCED).await {
            self.last_synced.set(at);
        }
        if let Ok(list) = store::meta::<Vec<Refused>>(keys::REFUSED).await {
            self.set_refused(list.unwrap_or_default());
        }
        if let Ok(Some(cursor)) = store::meta::<u64>(keys::CURSOR).await {
            CURSOR.with(|c| c.set(cursor));
        }
    }

    fn listen_to_tabs(self) {
        let Ok(channel) = web_sys::BroadcastChannel::new("forecourt") else {
            return;
        };
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let text = ev.data().as_string().unwrap_or_default();
                let ids: Vec<Uuid> = serde_json::from_str(&text).unwrap_or_default();
                leptos::task::spawn_local(self.run(Job::Tabs(ids)));
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
    }

    /// Opens the server's event stream with a fresh single-use ticket (the token never goes
    /// into a URL), unless it is open or being opened.
    fn open_events(self) {
        let Some(token) = self.token() else {
            return;
        };
        let open = EVENTS.with(|e| {
            e.borrow()
                .as_ref()
                .is_some_and(|es| es.ready_state() != web_sys::EventSource::CLOSED)
        });
        if open || OPENING.with(Cell::get) {
            return;
        }
        OPENING.with(|o| o.set(true));
        leptos::task::spawn_local(async move {
            let ticket = net::events_ticket(&token).await;
            OPENING.with(|o| o.set(false));
            match ticket {
                // Unless the user logged out (or another one in) meanwhile.
                Ok(ticket) if self.token().as_deref() == Some(token.as_str()) => {
                    self.connect_events(&ticket)
                }
                Ok(_) => {}
                // The token stopped working (logged out everywhere, device revoked, user
                // deactivated): let the session see the 401 and log out now, not at the next
                // sync.
                Err(e) if e.is_unauthorized() => self.session.refresh_user().await,
                Err(_) => set_timeout(
                    move || self.open_events(),
                    std::time::Duration::from_millis(SSE_RETRY_MS as u64),
                ),
            }
        });
    }

    fn connect_events(self, ticket: &str) {
        let url = format!("/api/sync/events?ticket={ticket}");
        let Ok(es) = web_sys::EventSource::new(&url) else {
            return;
        };
        let on_changed =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let seq = ev
                    .data()
                    .as_string()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .and_then(|v| v["seq"].as_u64())
                    .unwrap_or(u64::MAX);
                self.reachable.set(true);
                if seq > CURSOR.with(Cell::get) || self.pending.get_untracked() > 0 {
                    self.kick();
                }
            });
        let _ = es.add_event_listener_with_callback("changed", on_changed.as_ref().unchecked_ref());
        on_changed.forget();
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            let closed = EVENTS.with(|e| {
                e.borrow()
                    .as_ref()
                    .is_some_and(|es| es.ready_state() == web_sys::EventSource::CLOSED)
            });
            if closed {
                set_timeout(
                    move || self.open_events(),
                    std::time::Duration::from_millis(SSE_RETRY_MS as u64),
                );
            }
        });
        es.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        EVENTS.with(|e| *e.borrow_mut() = Some(es));
    }

    // ---- the sync loop ----

    /// Starts a sync now, or right after the one running.
    pub fn kick(self) {
        if RUNNING.with(Cell::get) {
            AGAIN.with(|a| a.set(true));
            return;
        }
        RUNNING.with(|r| r.set(true));
        leptos::task::spawn_local(async move {
            loop {
                AGAIN.with(|a| a.set(false));
                lock::with_lock("forecourt-sync", self.run(Job::RunOnce)).await;
                if !AGAIN.with(Cell::get) {
                    break;
                }
            }
            RUNNING.with(|r| r.set(false));
        });
    }

    async fn run_once(self) {
        let (Some(token), Some(author)) = (self.token(), self.author()) else {
            return;
        };
        self.online.set(navigator_online());
        if !navigator_online() {
            return;
        }
        self.syncing.set(true);
        let result = self.sync(&token, &author).await;
        self.syncing.set(false);
        self.snapshot.set(None);
        match result {
            Ok(()) => {
                let now = js_sys::Date::now();
                let _ = store::set_meta(keys::LAST_SYNCED, &now).await;
                self.last_synced.set(Some(now));
                self.problem.set(None);
                self.reachable.set(true);
                broadcast(&[]);
                crate::directory::refresh(token.clone(), author.store_id.clone());
            }
            Err(Failure::Api(ApiError::Network)) => self.reachable.set(false),
            Err(Failure::Api(e)) if e.is_unauthorized() => {
                // Let the session decide (it logs out on a 401).
                self.reachable.set(true);
                self.session.refresh_user().await;
            }
            Err(Failure::Api(ApiError::Server { code, message, .. })) => {
                self.reachable.set(true);
                self.problem
                    .set(Some(SyncProblem::Server { code, message }));
            }
            Err(Failure::Api(ApiError::Unexpected(e))) => {
                leptos::logging::warn!("forecourt: sync: {e}");
                self.problem.set(Some(SyncProblem::Unexpected));
            }
            Err(Failure::Storage(e)) => {
                leptos::logging::error!("forecourt: sync storage: {e}");
                self.problem.set(Some(SyncProblem::Storage));
            }
        }
        self.refresh_waiting().await;
    }

    async fn sync(self, token: &str, author: &Author) -> Result<(), Failure> {
        self.first_snapshot(token, author).await?;
        self.push_outbox(token, author).await?;
        self.pull(token).await?;
        // The photos and signatures the ops refer to follow them.
        Ok(self.upload_blobs(token).await?)
    }

    /// A device that never pulled pages through the snapshot (resuming where it stopped).
    ///
    /// Each page is parsed once, stored in one IndexedDB transaction and put into the cache
    /// as parsed (nothing is read back). The screens are told at most every
    /// [`SNAPSHOT_SHOW_MS`] and after the last page, not after every page: each telling makes
    /// the lists read the cache again, which grows to the whole store. What has arrived is
    /// usable meanwhile, and the status shows how much has.
    async fn first_snapshot(self, token: &str, _author: &Author) -> Result<(), Failure> {
        if store::meta::<u64>(keys::CURSOR).await?.is_some() {
            return Ok(());
        }
        let mut progress: SnapshotProgress = store::meta(keys::SNAPSHOT).await?.unwrap_or_default();
        let mut first = progress.after.is_none() && progress.fetched == 0;
        let mut shown = js_sys::Date::now();
        let mut shown_held = CACHE.with(|c| c.borrow().len());
        let mut unshown = false;
        // A cut: what arrived stays, and the screens see it.
        let stop = |unshown: bool, e: Failure| {
            if unshown {
                self.rev.update(|r| *r += 1);
            }
            Err(e)
        };
        self.snapshot.set(Some((progress.fetched, progress.total)));
        let mut page = net::snapshot(token, progress.after).await?;
        loop {
            if first {
                progress.seq = page.seq;
                first = false;
            }
            progress.total = page.total;
            progress.fetched += page.records.len() as u64;
            progress.after = page.next;
            let done = page.next.is_none();
            let records = page.parse();
            let stored = store::apply_snapshot(records, &progress, done.then_some(progress.seq));
            // The next page is fetched while this one is written (only IndexedDB is awaited
            // inside the transaction; the fetch is another future of this task).
            let (stored, next) = if done {
                (stored.await, None)
            } else {
                let (stored, next) = both(stored, net::snapshot(token, progress.after)).await;
                (stored, Some(next))
            };
            let states = match stored {
                Ok(states) => states,
                Err(e) => return stop(unshown, e.into()),
            };
            let ids: Vec<Uuid> = states.iter().map(|s| s.id).collect();
            put_cached(states.into_iter().map(|s| (s.id, Some(s))));
            broadcast(&ids);
            unshown |= !ids.is_empty();
            let now = js_sys::Date::now();
            let held = CACHE.with(|c| c.borrow().len());
            if unshown && (done || show_arrived(held, shown_held, now - shown)) {
                self.rev.update(|r| *r += 1);
                shown = now;
                shown_held = held;
                unshown = false;
            }
            self.snapshot.set(Some((progress.fetched, progress.total)));
            page = match next {
                Some(Ok(page)) => page,
                Some(Err(e)) => return stop(unshown, e.into()),
                None => {
                    CURSOR.with(|c| c.set(progress.seq));
                    return Ok(());
                }
            };
        }
    }

    /// Pushes the logged-in user's ops, oldest first; the other users' ops stay untouched.
    async fn push_outbox(self, token: &str, author: &Author) -> Result<(), Failure> {
        let pusher = Pusher {
            user_id: &author.user_id,
            store_id: &author.store_id,
        };
        loop {
            let batch = store::outbox_batch(pusher, net::PUSH_BATCH).await?;
            if batch.is_empty() {
                return Ok(());
            }
            let ops: Vec<_> = batch.iter().map(|(_, op)| op.clone()).collect();
            match net::push(token, &ops).await {
                Ok(answer) => {
                    let acked: std::collections::BTreeSet<Uuid> =
                        answer.acks.iter().map(|a| a.op_id).collect();
                    let keys: Vec<_> = batch
                        .iter()
                        .filter(|(_, op)| acked.contains(&op.op_id))
                        .map(|(k, _)| k.clone())
                        .collect();
                    store::remove_acked(&keys, answer.server_time_ms).await?;
                    self.refresh_waiting().await;
                    if keys.len() < batch.len() {
                        // Should not happen: the server acks every op or none.
                        return Err(Failure::Api(ApiError::Unexpected(
                            "push answered without every ack".into(),
                        )));
                    }
                }
                Err(net::PushError::Op {
                    index,
                    status,
                    code,
                    message,
                }) if net::refused_for_good(status, &code) && index < batch.len() => {
                    let (key, op) = batch[index].clone();
                    let list = store::refuse(
                        &key,
                        Refused {
                            op,
                            code,
                            message,
                            at: js_sys::Date::now(),
                        },
                    )
                    .await?;
                    self.set_refused(list);
                    self.refresh_waiting().await;
                }
                Err(net::PushError::Op {
                    status,
                    code,
                    message,
                    ..
                }) => {
                    return Err(Failure::Api(ApiError::Server {
                        status,
                        code,
                        message,
                        retry_after: None,
                    }));
                }
                Err(net::PushError::Api(e)) => return Err(Failure::Api(e)),
            }
        }
    }

    async fn pull(self, token: &str) -> Result<(), Failure> {
        loop {
            let after = store::meta::<u64>(keys::CURSOR).await?.unwrap_or(0);
            let page = net::pull(token, after).await?;
            let ops: Vec<_> = page.ops.into_iter().map(|p| p.op).collect();
            let ids = store::apply_pulled(&ops, page.last_seq, page.server_time_ms).await?;
            CURSOR.with(|c| c.set(page.last_seq));
            self.applied(&ids).await;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Records changed in IndexedDB by a sync: refresh the cache, the screens, the other tabs.
    async fn applied(self, ids: &[Uuid]) {
        if ids.is_empty() {
            return;
        }
        reload(ids).await;
        self.rev.update(|r| *r += 1);
        broadcast(ids);
    }
}

/// Why a sync stopped.
#[derive(Debug)]
enum Failure {
    Api(ApiError),
    Storage(crate::db::DbError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<crate::db::DbError> for Failure {
    fn from(e: crate::db::DbError) -> Self {
        Failure::Storage(e)
    }
}

/// Runs two futures of this task together; returns both outputs.
async fn both<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    use std::task::Poll;
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut out_a, mut out_b) = (None, None);
    std::future::poll_fn(move |cx| {
        if out_a.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            out_a = Some(v);
        }
        if out_b.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            out_b = Some(v);
        }
        match (out_a.take(), out_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                out_a = x;
                out_b = y;
                Poll::Pending
            }
        }
    })
    .await
}

fn put_cached(items: impl IntoIterator<Item = (Uuid, Option<RecordState>)>) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        for (id, state) in items {
            match state {
                Some(s) => {
                    c.insert(id, s);
                }
                None => {
                    c.remove(&id);
                }
            }
        }
    });
}

/// Reads `ids` from IndexedDB into the cache.
async fn reload(ids: &[Uuid]) {
    match store::load(ids).await {
        Ok(items) => put_cached(items),
        Err(e) => leptos::logging::error!("forecourt: cannot reload records: {e}"),
    }
}

/// Tells the other tabs which records changed (an empty list: only the status).
fn broadcast(ids: &[Uuid]) {
    let text = serde_json::to_string(ids).unwrap_or_default();
    CHANNEL.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(&text));
        }
    });
}

fn close_events() {
    EVENTS.with(|e| {
        if let Some(es) = e.borrow_mut().take() {
            es.close();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_sync_tells_the_screens_when_the_cache_doubled() {
        // Nothing shown yet: the first page is shown once the interval passed.
        assert!(show_arrived(1_000, 0, 3_000.0));
        assert!(!show_arrived(1_000, 0, 2_999.0));
        // Not before the cache doubled, however long ago.
        assert!(!show_arrived(7_999, 4_000, 60_000.0));
        assert!(show_arrived(8_000, 4_000, 3_000.0));
        // 100 pages of 1,000 are shown 7 times before the last page.
        let (mut shown, mut times) = (0, 0);
        for page in 1..=100 {
            if show_arrived(page * 1_000, shown, 3_000.0) {
                shown = page * 1_000;
                times += 1;
            }
        }
        assert_eq!(times, 7);
    }

    #[test]
    fn both_runs_two_futures_to_the_end() {
        let out = std::pin::pin!(both(async { 1 }, async { "two" }));
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert_eq!(out.poll(&mut cx), std::task::Poll::Ready((1, "two")));
    }
}
