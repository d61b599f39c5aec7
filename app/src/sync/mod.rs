//! The device side of sync (docs/sync.md, "Device sync (app)").
//!
//! - Screens read records as [`read`] says: the small types held whole ([`SyncCtx::records`]),
//!   one record by id from a bounded cache ([`SyncCtx::record`], `cache.rs`), anything else a
//!   page at a time through IndexedDB's indexes ([`SyncCtx::read`]). Each type has a revision
//!   bumped after an own edit, after a sync applied something, and when another tab says it
//!   changed records (`BroadcastChannel("forecourt")`), so screens update live; [`SyncCtx::rev`]
//!   is bumped on any change.
//! - Edits go through [`SyncCtx::edit`]: record + op + clock in one IndexedDB transaction
//!   (`store::commit_edit`), then a sync is started. The write runs in the engine (`commit.rs`),
//!   so that the checks every write makes (the rules of every area) are held in its module
//!   only, not in every page group's.
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
pub mod cache;
mod commit;
mod lock;
mod net;
pub mod phones;
pub mod read;
pub mod store;
mod timing;

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
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
use cache::CACHE;
use commit::Writes;
pub use read::{Query, Reading, read_once};
use store::{Author, SnapshotProgress, keys};
pub use store::{EditError, Refused};

/// The fallback interval between syncs.
const INTERVAL_MS: i32 = 60_000;
/// During a first sync, the screens are told of the records that arrived at most this often
/// (and only once twice as many have arrived as when they were last told: see
/// [`show_arrived`]).
const SNAPSHOT_SHOW_MS: f64 = 2_000.0;

/// Whether a first sync tells the screens of what arrived, now that `arrived` records have,
/// `since_ms` after it last told them, when `shown` had. Each telling makes them read again
/// what they show through the indexes ([`read`]): a page of a list, but also every card of a
/// consultant, which grows with the store; told when the arrivals doubled, all the tellings
/// together cost about two readings of the final store's instead of one per page.
fn show_arrived(arrived: u64, shown: u64, since_ms: f64) -> bool {
    since_ms >= SNAPSHOT_SHOW_MS && arrived >= shown.saturating_mul(2).max(1)
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
    /// Bumped whenever records change on the device (any type; a screen that shows one type
    /// tracks that type's revision instead: [`read`]).
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
    /// A first sync's snapshot: (records fetched, total when it is known exactly).
    pub snapshot: RwSignal<Option<(u64, Option<u64>)>>,
    /// The ops of the logged-in user the server refused for good.
    pub refused: RwSignal<Vec<Refused>>,
    /// Photos and signatures on this device not yet uploaded (`sync/blobs.rs`).
    pub blobs_waiting: RwSignal<u32>,
    session: SessionCtx,
}

thread_local! {
    /// A read of the ids wanted by [`SyncCtx::record`] is under way or scheduled.
    static LOADING: Cell<bool> = const { Cell::new(false) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// The engine's start ([`Job::Start`]) is under way or done.
    static STARTED: Cell<bool> = const { Cell::new(false) };
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
    /// Read the ids [`SyncCtx::record`] wants into the cache.
    Load,
    /// Read a type whole into the cache.
    Whole(String),
    /// Write an edit or a plan (`commit.rs`).
    Commit(commit::Commit),
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
            Job::Load => ctx.load_wanted().await,
            Job::Whole(t) => ctx.load_whole(&t).await,
            Job::Commit(c) => ctx.commit(c).await,
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

    // ---- reading (see `read.rs`) ----

    /// The live records of `record_type` (not in the bin), tracking changes of that type.
    ///
    /// For the small types held whole (`domain::records::index::WHOLE_TYPES`). Any other type
    /// is read whole from IndexedDB the first time a screen asks (a warning says so) and then
    /// kept: a screen that shows such a type reads it through the indexes ([`SyncCtx::read`]).
    pub fn records(&self, record_type: &str) -> Vec<RecordState> {
        cache::track(record_type);
        self.want_whole(record_type);
        CACHE.with(|c| {
            c.borrow()
                .whole
                .get(record_type)
                .map(|m| m.values().filter(|r| !r.is_deleted()).cloned().collect())
                .unwrap_or_default()
        })
    }

    /// Whether every record of `record_type` has been read from IndexedDB, tracking changes:
    /// until then [`SyncCtx::records`] answers with what it holds so far (often nothing), and a
    /// screen that counts them shows that it is reading rather than a wrong figure. Asking
    /// starts the reading, as [`SyncCtx::records`] does: a screen that asks this before it
    /// reads the records (its figures computed only once they are read) is answered.
    pub fn has_read(&self, record_type: &str) -> bool {
        cache::track(record_type);
        self.want_whole(record_type);
        CACHE.with(|c| c.borrow().whole_read.contains(record_type))
    }

    /// Starts reading `record_type` whole the first time it is asked for
    /// ([`cache::Cache::ask_whole`]).
    fn want_whole(&self, record_type: &str) {
        if CACHE.with(|c| c.borrow_mut().ask_whole(record_type)) {
            if !domain::records::index::is_whole(record_type) {
                leptos::logging::warn!(
                    "forecourt: a screen reads every `{record_type}`: read it through an index"
                );
            }
            leptos::task::spawn_local(self.run(Job::Whole(record_type.to_string())));
        }
    }

    /// One record, tracking changes: from the cache, else read from IndexedDB in the
    /// background (`None` meanwhile, and when the device does not hold it: see
    /// [`SyncCtx::looking_for`]).
    pub fn record(&self, id: Uuid) -> Option<RecordState> {
        self.rev.track();
        let (found, wanted) = CACHE.with(|c| {
            let mut c = c.borrow_mut();
            match c.get(&id) {
                Some(r) => (Some(r), false),
                None if c.missing.contains(&id) => (None, false),
                None => (None, c.wanted.insert(id)),
            }
        });
        if wanted && !LOADING.with(|l| l.replace(true)) {
            leptos::task::spawn_local(self.run(Job::Load));
        }
        found
    }

    /// Whether record `id` is being read from IndexedDB (so a page shows nothing yet rather
    /// than "not on this device"), tracking changes.
    pub fn looking_for(&self, id: Uuid) -> bool {
        self.rev.track();
        CACHE.with(|c| {
            let c = c.borrow();
            c.wanted.contains(&id) || (LOADING.with(Cell::get) && !c.missing.contains(&id))
        })
    }

    /// Reads the ids [`SyncCtx::record`] wants (one transaction per batch).
    async fn load_wanted(self) {
        loop {
            let ids: Vec<Uuid> = CACHE
                .with(|c| std::mem::take(&mut c.borrow_mut().wanted))
                .into_iter()
                .collect();
            if ids.is_empty() {
                break;
            }
            match store::load(&ids).await {
                Ok(items) => {
                    let types: BTreeSet<String> = CACHE.with(|c| {
                        let mut c = c.borrow_mut();
                        let mut types = BTreeSet::new();
                        for (id, state) in items {
                            match state {
                                Some(s) => {
                                    types.insert(s.record_type.clone());
                                    c.put(s, true);
                                }
                                None => {
                                    c.missing.insert(id);
                                }
                            }
                        }
                        types
                    });
                    cache::bump(types.iter().map(String::as_str));
                }
                Err(e) => {
                    leptos::logging::error!("forecourt: cannot read records: {e}");
                    CACHE.with(|c| c.borrow_mut().missing.extend(ids));
                }
            }
        }
        LOADING.with(|l| l.set(false));
        self.rev.update(|r| *r += 1);
    }

    /// Reads `record_type` whole into the cache.
    async fn load_whole(self, record_type: &str) {
        let all = match store::load_type(record_type).await {
            Ok(all) => all,
            Err(e) => {
                // Answered all the same ([`SyncCtx::has_read`]: what is held), with the problem
                // shown, rather than a screen reading for ever.
                leptos::logging::error!("forecourt: cannot read the {record_type}s: {e}");
                self.problem.set(Some(SyncProblem::Storage));
                Vec::new()
            }
        };
        CACHE.with(|c| c.borrow_mut().fill_whole(record_type, all));
        cache::bump([record_type]);
        self.rev.update(|r| *r += 1);
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

    /// The one copy of the edit code (the builder is boxed): written by the engine
    /// (`commit.rs`).
    async fn edit_boxed(
        self,
        record_id: Uuid,
        rt: &'static RecordType,
        build: store::Build<'static>,
    ) -> Result<RecordState, EditError> {
        self.write(Writes::One(record_id, rt, build))
            .await?
            .pop()
            .ok_or_else(|| EditError::Db(crate::db::DbError::Idb("an edit wrote nothing".into())))
    }

    /// Executes a workflow's plan (`domain::plan::Plan`) in one IndexedDB transaction: every
    /// op of it is saved, or none. Returns the records' states after the plan, in plan order.
    pub async fn execute(self, plan: &domain::plan::Plan) -> Result<Vec<RecordState>, EditError> {
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        self.write(Writes::Plan(plan.clone())).await
    }

    // ---- start ----

    /// Loads the small types and the status from IndexedDB and starts the triggers (online,
    /// interval, other tabs, the server's events while logged in).
    pub fn start(self) {
        // What a sync brings of the small types goes into the cache from the start.
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            for t in domain::records::index::WHOLE_TYPES {
                c.whole.entry(t.to_string()).or_default();
            }
        });
        // Logged out (the login page), the engine (its own module) is not needed to draw the
        // page: it starts once the page has loaded and is idle (for the login page's changes
        // still waiting on this device), or at login, whichever comes first.
        if self.token().is_some() {
            self.begin();
        } else {
            crate::pwa::when_idle(move || self.begin());
        }

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
            if token.is_some() {
                self.begin();
            }
            // Whose changes wait (and which refusals are shown) follows who is logged in.
            leptos::task::spawn_local(self.run(Job::Status));
            if token.is_some() {
                self.open_events();
                self.kick();
            }
        });
    }

    /// Starts the engine (once): [`Job::Start`].
    fn begin(self) {
        if !STARTED.with(Cell::get) {
            STARTED.with(|s| s.set(true));
            leptos::task::spawn_local(self.run(Job::Start));
        }
    }

    /// Runs `job` in the sync engine, loading it the first time (a failed load is retried by
    /// the next job).
    async fn run(self, job: Job) {
        if !STARTED.with(Cell::get) {
            match job {
                // The start reads the status and syncs.
                Job::Status | Job::RunOnce => return,
                Job::Start => {}
                _ => self.begin(),
            }
        }
        match engine(self, job).await {
            Ok(work) => work.await,
            Err(e) => leptos::logging::error!("forecourt: cannot load the sync engine: {e}"),
        }
    }

    /// The engine's start: the outbox filed by author, the small types and the status loaded,
    /// a sync.
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
        // Only the small types are read whole; every other record when a screen shows it.
        for t in domain::records::index::WHOLE_TYPES {
            if !CACHE.with(|c| c.borrow().whole_read.contains(t)) {
                self.load_whole(t).await;
            }
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
                // The store's phone index is for a device that does not hold every A-card (a
                // manager's holds them all: its own 撞单 check sees every card).
                let holds_all = domain::records::scope::Scope::of(&domain::Actor::new(
                    author.user_id.clone(),
                    &author.roles,
                ))
                .is_everything();
                if domain::records::may_read(&author.roles, "a_card")
                    && !holds_all
                    && let Err(e) = phones::refresh(&token, CURSOR.with(Cell::get)).await
                {
                    leptos::logging::warn!("forecourt: cannot keep the phone index: {e}");
                }
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
        self.pull(token, author).await?;
        // The photos and signatures the ops refer to follow them.
        Ok(self.upload_blobs(token).await?)
    }

    /// A device that never pulled pages through the snapshot (resuming where it stopped).
    ///
    /// Each page is parsed once and stored in one IndexedDB transaction; of what it brings,
    /// only the records held in memory (the small types, what a screen holds) are updated
    /// there. The screens are told at most every [`SNAPSHOT_SHOW_MS`] and after the last page:
    /// each telling makes them read again the page they show. What has arrived is usable
    /// meanwhile, and the status shows how much has.
    async fn first_snapshot(self, token: &str, _author: &Author) -> Result<(), Failure> {
        if store::meta::<u64>(keys::CURSOR).await?.is_some() {
            return Ok(());
        }
        let mut progress: SnapshotProgress = store::meta(keys::SNAPSHOT).await?.unwrap_or_default();
        let mut first = progress.after.is_none() && progress.fetched == 0;
        let mut shown = js_sys::Date::now();
        let mut shown_arrived = progress.fetched;
        // The types that arrived since the screens were last told.
        let mut unshown: BTreeSet<String> = BTreeSet::new();
        let tell = |unshown: &mut BTreeSet<String>| {
            if !unshown.is_empty() {
                cache::bump(unshown.iter().map(String::as_str));
                self.rev.update(|r| *r += 1);
                unshown.clear();
            }
        };
        // A cut: what arrived stays, and the screens see it.
        let stop = |mut unshown: BTreeSet<String>, e: Failure| {
            tell(&mut unshown);
            Err(e)
        };
        self.snapshot
            .set(Some((progress.fetched, progress.shown_total())));
        let started = js_sys::Date::now();
        let mut times = timing::FirstSyncTimes::default();
        let mut page = net::snapshot(token, progress.after).await?;
        times.first_fetch_ms = js_sys::Date::now() - started;
        loop {
            let page_started = js_sys::Date::now();
            // The first page's total is kept (a limited scope's is an upper bound, not shown:
            // the server does not count it).
            if first {
                progress.seq = page.seq;
                progress.total = page.total;
                progress.exact = page.exact;
                first = false;
            } else if progress.total == 0 {
                progress.total = page.total;
            }
            progress.total = progress.total.max(progress.fetched + page.len());
            progress.fetched += page.len();
            let scope = page.scope.clone();
            progress.after = page.next;
            let done = page.next.is_none();
            let records = store::snapshot_values(&page.records, page.indexed);
            let parsed = js_sys::Date::now();
            times.parse_ms += parsed - page_started;
            times.records += records.len() as u64;
            times.pages += 1;
            let stored = timed(store::apply_snapshot(
                records,
                &progress,
                done.then_some(progress.seq),
                &|id, record_type| CACHE.with(|c| c.borrow().holds(id, record_type)),
            ));
            // The next page is fetched while this one is written (only IndexedDB is awaited
            // inside the transaction; the fetch is another future of this task).
            let (stored, next) = if done {
                (stored.await, None)
            } else {
                let (stored, next) = both(stored, net::snapshot(token, progress.after)).await;
                (stored, Some(next))
            };
            let (stored, stored_at) = stored;
            let fetched_at = js_sys::Date::now();
            times.store_ms += stored_at - parsed;
            times.fetch_wait_ms += fetched_at - stored_at;
            let stored = match stored {
                Ok(stored) => stored,
                Err(e) => return stop(unshown, e.into()),
            };
            unshown.extend(stored.types);
            CACHE.with(|c| {
                let mut c = c.borrow_mut();
                for s in stored.states {
                    c.put(s, false);
                }
            });
            broadcast(&stored.ids);
            let now = js_sys::Date::now();
            if done || show_arrived(progress.fetched, shown_arrived, now - shown) {
                tell(&mut unshown);
                shown = now;
                shown_arrived = progress.fetched;
            }
            self.snapshot
                .set(Some((progress.fetched, progress.shown_total())));
            times.other_ms += js_sys::Date::now() - fetched_at;
            page = match next {
                Some(Ok(page)) => page,
                Some(Err(e)) => return stop(unshown, e.into()),
                None => {
                    times.total_ms = js_sys::Date::now() - started;
                    times.publish();
                    CURSOR.with(|c| c.set(progress.seq));
                    // The records and the cursor are of this scope (docs/sync.md, "Scope
                    // changes").
                    if let Some(scope) = scope {
                        store::set_meta(keys::SCOPE, &scope).await?;
                    }
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

    /// Pulls after the cursor. A page of another scope than the device's records are of (another
    /// user on a shared tablet, a role change) switches to that scope's cursor, or fetches its
    /// snapshot first (docs/sync.md, "Scope changes"); nothing held is dropped.
    async fn pull(self, token: &str, author: &Author) -> Result<(), Failure> {
        loop {
            let after = store::meta::<u64>(keys::CURSOR).await?.unwrap_or(0);
            let page = net::pull(token, after).await?;
            if let Some(scope) = &page.scope {
                match store::meta::<String>(keys::SCOPE).await? {
                    // Synced before scopes: the device holds at least the scope.
                    None => store::set_meta(keys::SCOPE, scope).await?,
                    Some(held) if &held != scope => {
                        if store::change_scope(&held, scope).await?.is_none() {
                            self.first_snapshot(token, author).await?;
                        }
                        continue;
                    }
                    Some(_) => {}
                }
            }
            let ops: Vec<_> = page.ops.into_iter().map(|p| p.op).collect();
            let ids =
                store::apply_pulled(&ops, page.records, page.last_seq, page.server_time_ms).await?;
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

    /// Records stored by this tab: the cache (held by id when `keep`), the screens.
    fn changed(self, states: impl IntoIterator<Item = RecordState>, keep: bool) {
        let types = CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let mut types = BTreeSet::new();
            for s in states {
                types.insert(s.record_type.clone());
                c.put(s, keep);
            }
            types
        });
        cache::bump(types.iter().map(String::as_str));
        self.rev.update(|r| *r += 1);
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

/// Runs `f` and notes when it ended (`Date.now()`).
async fn timed<F: std::future::Future>(f: F) -> (F::Output, f64) {
    let out = f.await;
    (out, js_sys::Date::now())
}

/// Reads `ids` from IndexedDB: the copies held in memory are updated, and the screens showing
/// their types are told (a record no longer stored: every type).
async fn reload(ids: &[Uuid]) {
    match store::load(ids).await {
        Ok(items) => {
            let mut gone = false;
            let types = CACHE.with(|c| {
                let mut c = c.borrow_mut();
                let mut types = BTreeSet::new();
                for (id, state) in items {
                    match state {
                        Some(s) => {
                            types.insert(s.record_type.clone());
                            c.put(s, false);
                        }
                        None => {
                            gone = true;
                            c.remove(&id);
                        }
                    }
                }
                types
            });
            cache::bump(types.iter().map(String::as_str));
            if gone {
                cache::bump_all();
            }
        }
        Err(e) => {
            leptos::logging::error!("forecourt: cannot reload records: {e}");
            cache::bump_all();
        }
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
    fn a_first_sync_tells_the_screens_when_the_arrivals_doubled() {
        // Nothing shown yet: the first page is shown once the interval passed.
        assert!(show_arrived(1_000, 0, 2_000.0));
        assert!(!show_arrived(1_000, 0, 1_999.0));
        // Not before the arrivals doubled, however long ago.
        assert!(!show_arrived(7_999, 4_000, 60_000.0));
        assert!(show_arrived(8_000, 4_000, 2_000.0));
        // 100 pages of 1,000 are shown 7 times before the last page.
        let (mut shown, mut times) = (0, 0);
        for page in 1..=100 {
            if show_arrived(page * 1_000, shown, 2_000.0) {
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
