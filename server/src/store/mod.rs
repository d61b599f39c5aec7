//! Storage behind one narrow trait, so that handlers never see the backend. [`RedbStore`] keeps
//! everything in one redb file; a PostgreSQL backend would implement the same [`Store`] trait.
//!
//! Every method is async and returns a boxed future, so the trait stays object safe
//! (`Arc<dyn Store>` in the app state). The redb implementation runs every call on tokio's
//! blocking pool. A new resource (e.g. sync) adds its methods here (or in a sub-trait that
//! `RedbStore` also implements) and its tables next to the others in `redb/tables.rs`.

mod redb;

/// mimalloc instead of glibc's malloc for the whole server: with glibc, every thread of tokio's
/// blocking pool (each redb read and each authentication runs on one) kept its own arena of
/// freed memory, and the server's RSS reached ~400 MB after 100 devices pushed 20,000 ops
/// (~150 MB with `MALLOC_ARENA_MAX=2`); see BENCHMARKS.md, Sync.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub mod audit;
pub mod blob;
pub mod service;
pub mod sync;

use std::{future::Future, pin::Pin};

use chrono::{DateTime, Utc};
use domain::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use self::redb::backup::{BackupSummary, backup_database, check_backup};
pub use self::redb::{OPS as OPS_TABLE, OpenError, RECORDS as RECORDS_TABLE, RedbStore};
pub use self::sync::{
    PhoneGroup, PullPage, PulledOp, PushCheck, PushRefusal, RecordHistory, RefusalReason,
    SnapshotPage, StoredJson, SyncStore,
};

/// A 4S store (门店): the unit that owns users and devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRec {
    /// A short stable id, e.g. `demo`.
    pub id: String,
    /// The store's name, e.g. 演示4S店.
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The demo store (演示数据): made by `demo::seed_if_empty`, shown with a marker. Stores
    /// written before this field existed read `false`; see [`StoreRec::is_demo`].
    #[serde(default)]
    pub demo: bool,
    /// The store's time zone as minutes east of UTC (480 = UTC+8, China Standard Time, the
    /// default and the value of stores written before this field existed).
    #[serde(default = "default_utc_offset_minutes")]
    pub utc_offset_minutes: i32,
}

/// The id of the demo store (`crate::demo`).
pub const DEMO_STORE_ID: &str = "demo";

/// China Standard Time, UTC+8.
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 480;

fn default_utc_offset_minutes() -> i32 {
    DEFAULT_UTC_OFFSET_MINUTES
}

impl StoreRec {
    /// Whether this is the demo store (flagged, or the demo id from before the flag existed).
    pub fn is_demo(&self) -> bool {
        self.demo || self.id == DEMO_STORE_ID
    }
}

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRec {
    pub id: Uuid,
    pub store_id: String,
    /// Unique across the server, compared after [`normalize_username`].
    pub username: String,
    pub display_name: String,
    /// One or more roles.
    pub roles: Vec<Role>,
    /// The argon2 PHC string; never the password.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// Set when the person was let go: no login, no token works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivated_at: Option<DateTime<Utc>>,
    /// The password was set by someone else (a new account or a reset): the person must choose
    /// their own before anything else works.
    #[serde(default)]
    pub must_change_password: bool,
}

impl UserRec {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

/// A tablet or PC, identified by the uuid it made for itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRec {
    pub id: Uuid,
    pub store_id: String,
    pub name: String,
    /// The user who last logged in on it.
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked: bool,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a token stands for. Stored under the SHA-256 of the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user_id: Uuid,
    pub device_id: Uuid,
    pub created_at: DateTime<Utc>,
    /// The absolute expiry (login + `Settings::token_ttl`).
    pub expires_at: DateTime<Utc>,
    /// When the token was last used, to the minute (`None` in sessions stored before this
    /// field existed, and before the first use: [`Session::last_used`] is then `created_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Session {
    /// When the token was last used (its login if never since).
    pub fn last_used(&self) -> DateTime<Utc> {
        self.last_used_at.unwrap_or(self.created_at)
    }

    /// Past its absolute expiry, or unused for `idle` or longer.
    pub fn is_expired(&self, now: DateTime<Utc>, idle: chrono::Duration) -> bool {
        self.expires_at <= now || self.last_used() + idle <= now
    }
}

/// A session with its device and user (either may be gone).
pub type SessionWith = (Session, Option<DeviceRec>, Option<UserRec>);

/// The SHA-256 of a bearer token.
pub type TokenHash = [u8; 32];

/// Usernames are compared trimmed and lower-cased.
pub fn normalize_username(name: &str) -> String {
    name.trim().to_lowercase()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username {0:?} is taken")]
    UsernameTaken(String),
    #[error("store {0:?} already exists")]
    StoreExists(String),
    #[error("store {0:?} does not exist")]
    NoSuchStore(String),
    #[error("the server already has a store")]
    AlreadySetUp,
    #[error("database: {0}")]
    Backend(String),
    #[error("stored value cannot be read: {0}")]
    Corrupt(String),
}

/// The future every [`Store`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Everything the handlers need from storage. Writes that belong together happen in one
/// transaction inside one method.
pub trait Store:
    SyncStore + audit::AuditStore + blob::BlobStore + service::ServiceStore + Send + Sync + 'static
{
    /// A cheap read, to tell whether the storage answers.
    fn ping(&self) -> StoreFuture<'_, ()>;

    /// Whether any store exists (an empty server gets the demo data).
    fn has_stores(&self) -> StoreFuture<'_, bool>;

    /// Creates a store with its first users, all or nothing.
    fn create_store(&self, store: StoreRec, users: Vec<UserRec>) -> StoreFuture<'_, ()>;

    /// The first start of a real store: [`Store::create_store`], but only on a server with no
    /// store at all ([`StoreError::AlreadySetUp`] otherwise), checked in the same transaction.
    fn set_up_store(&self, store: StoreRec, users: Vec<UserRec>) -> StoreFuture<'_, ()>;

    fn get_store(&self, id: String) -> StoreFuture<'_, Option<StoreRec>>;

    /// Adds a user to an existing store; fails if the username is taken.
    fn create_user(&self, user: UserRec) -> StoreFuture<'_, ()>;

    fn get_user(&self, id: Uuid) -> StoreFuture<'_, Option<UserRec>>;

    /// Sets a user's password hash and `must_change_password`, and deletes every session of the
    /// user except `keep` (a reset keeps none; a change of one's own keeps the current one), in
    /// one transaction. `false` if there is no such user.
    fn set_password(
        &self,
        user_id: Uuid,
        password_hash: String,
        must_change: bool,
        keep: Option<TokenHash>,
    ) -> StoreFuture<'_, bool>;

    /// Marks a user deactivated at `at` and deletes all their sessions, in one transaction.
    /// `false` if there is no such user.
    fn deactivate_user(&self, user_id: Uuid, at: DateTime<Utc>) -> StoreFuture<'_, bool>;

    /// Looks a user up by username (normalised by the store).
    fn get_user_by_username(&self, username: String) -> StoreFuture<'_, Option<UserRec>>;

    fn users_in_store(&self, store_id: String) -> StoreFuture<'_, Vec<UserRec>>;

    fn get_device(&self, id: Uuid) -> StoreFuture<'_, Option<DeviceRec>>;

    fn devices_in_store(&self, store_id: String) -> StoreFuture<'_, Vec<DeviceRec>>;

    /// Writes the (new or updated) device and the new session in one transaction.
    fn save_login(
        &self,
        device: DeviceRec,
        token: TokenHash,
        session: Session,
    ) -> StoreFuture<'_, ()>;

    fn get_session(&self, token: TokenHash) -> StoreFuture<'_, Option<Session>>;

    /// The session of a token with its device and user, read together (one storage trip per
    /// authenticated request). `None` if there is no such session; the device or user is
    /// `None` if it does not exist.
    fn get_session_with(&self, token: TokenHash) -> StoreFuture<'_, Option<SessionWith>>;

    /// Removes a session; `false` if there was none.
    fn delete_session(&self, token: TokenHash) -> StoreFuture<'_, bool>;

    /// Deletes the sessions expired at `now` ([`Session::is_expired`] with `idle`); returns
    /// how many.
    fn purge_expired_sessions(
        &self,
        now: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> StoreFuture<'_, usize>;

    /// Sets a session's `last_used_at`; `false` if there is no such session.
    fn touch_session(&self, token: TokenHash, at: DateTime<Utc>) -> StoreFuture<'_, bool>;

    /// Deletes every session of a user (log out everywhere); returns how many.
    fn delete_user_sessions(&self, user_id: Uuid) -> StoreFuture<'_, usize>;

    /// The size of the stored data in bytes (the database file).
    fn size_bytes(&self) -> StoreFuture<'_, u64>;

    /// Writes a consistent copy of everything to `dest` (a new file), while the store keeps
    /// serving.
    fn backup(&self, dest: std::path::PathBuf) -> StoreFuture<'_, BackupSummary>;

    /// Marks the device revoked and deletes all its sessions, in one transaction.
    /// `false` if there is no such device.
    fn revoke_device(&self, id: Uuid, at: DateTime<Utc>) -> StoreFuture<'_, bool>;
}
