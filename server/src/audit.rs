//! Writing the audit log (`domain::audit`): logins and failed logins, log-outs, revoked
//! devices, deactivations, password resets and changes, refused pushes. Handlers build an
//! [`Event`] and [`write`] it; the entry goes to the redb `audit` table
//! (`store::audit::AuditStore`) before the handler answers.
//!
//! A failed write is logged and does not fail the request it describes: a login or a push must
//! not stop working because the audit table cannot be written (the storage error shows in the
//! log and `/metrics` the same way).

use std::net::IpAddr;

use domain::audit::{AuditEntry, AuditKind};
use uuid::Uuid;

use crate::{AppState, auth::AuthUser, store::UserRec, store::audit::SERVER_WIDE};

/// One audit entry being built.
#[derive(Debug, Clone)]
pub struct Event {
    store_id: String,
    entry: AuditEntry,
}

impl Event {
    /// An event of `kind` now, of no store until [`Event::store`] or [`Event::user`] names one.
    pub fn new(kind: AuditKind) -> Self {
        let at_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        Event {
            store_id: SERVER_WIDE.to_string(),
            entry: AuditEntry {
                id: Uuid::now_v7(),
                at_ms,
                kind,
                user_id: None,
                username: None,
                device_id: None,
                address: None,
                target_user_id: None,
                code: None,
                detail: None,
            },
        }
    }

    /// The store whose log it goes to.
    pub fn store(mut self, store_id: &str) -> Self {
        self.store_id = store_id.to_string();
        self
    }

    /// The user who acted (and their store).
    pub fn user(mut self, user: &UserRec) -> Self {
        self.store_id = user.store_id.clone();
        self.entry.user_id = Some(user.id);
        self.entry.username = Some(user.username.clone());
        self
    }

    /// The signed-in user and their device.
    pub fn by(self, auth: &AuthUser) -> Self {
        self.user(&auth.user).device(auth.device.id)
    }

    /// A username as typed (a failed login).
    pub fn username(mut self, name: &str) -> Self {
        self.entry.username = Some(name.trim().chars().take(64).collect());
        self
    }

    pub fn device(mut self, id: Uuid) -> Self {
        self.entry.device_id = Some(id);
        self
    }

    pub fn address(mut self, ip: Option<IpAddr>) -> Self {
        self.entry.address = ip.map(|ip| ip.to_string());
        self
    }

    /// The user acted on.
    pub fn target(mut self, user_id: Uuid) -> Self {
        self.entry.target_user_id = Some(user_id);
        self
    }

    pub fn code(mut self, code: &str) -> Self {
        self.entry.code = Some(code.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.entry.detail = Some(detail.into());
        self
    }

    /// The entry as it will be stored.
    pub fn entry(&self) -> &AuditEntry {
        &self.entry
    }
}

/// Appends `event` to its store's audit log; a failure is logged, never returned.
pub async fn write(state: &AppState, event: Event) {
    let kind = event.entry.kind.as_str();
    if let Err(e) = state
        .store()
        .append_audit(event.store_id, event.entry)
        .await
    {
        tracing::error!(kind, error = %e, "cannot write the audit log");
    }
}
