//! The audit part of storage: the audit log of each store (docs/api.md, "Audit log").
//!
//! [`AuditStore`] is a super-trait of [`super::Store`], like `SyncStore`. Entries are
//! `domain::audit::AuditEntry`, keyed by their UUIDv7 id (so by time) under their store; an
//! event no store can be named for (a failed login of an unknown username) is kept under the
//! server-wide key [`SERVER_WIDE`] and shown to the managers of every store.

use domain::audit::{AuditEntry, AuditFilter};
use uuid::Uuid;

use super::StoreFuture;

/// The store id under which events of no store are kept (no store has an empty id).
pub const SERVER_WIDE: &str = "";

/// At most this many entries a page.
pub const MAX_AUDIT_PAGE: usize = 500;

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// More entries match, older than the last one: ask again with `before` = its id.
    pub more: bool,
}

pub trait AuditStore {
    /// Appends an entry to the log of `store_id` ([`SERVER_WIDE`] for none), durably.
    fn append_audit(&self, store_id: String, entry: AuditEntry) -> StoreFuture<'_, ()>;

    /// The entries of `store_id` and the server-wide ones that match `filter`, newest first,
    /// older than `before` (an entry id) when given, at most `limit`.
    fn audit_page(
        &self,
        store_id: String,
        filter: AuditFilter,
        before: Option<Uuid>,
        limit: usize,
    ) -> StoreFuture<'_, AuditPage>;
}
