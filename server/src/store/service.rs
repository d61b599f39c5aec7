//! What the service routes need from storage beyond sync: one repair order with its lines, for
//! the customer's status page (`GET /api/public/ro/{token}`, `/s/{token}`), which has no login
//! and so no store to start from.

use domain::sync::RecordState;
use uuid::Uuid;

use super::StoreFuture;

/// A repair order, its lines and its store's service settings, as stored.
#[derive(Debug, Clone)]
pub struct ServiceRo {
    pub store_id: String,
    pub store_name: String,
    pub ro: RecordState,
    /// The store's live `ro_line` records whose `ro_id` is the RO.
    pub lines: Vec<RecordState>,
    /// The store's `service_settings` record, if any.
    pub settings: Option<RecordState>,
    /// The store's live `parts_order` records (紧急订货) whose `ro_id` is the RO (Parts Hold).
    pub parts_orders: Vec<RecordState>,
}

/// Storage for the service routes.
pub trait ServiceStore: Send + Sync + 'static {
    /// The live repair order `ro_id` of whichever store holds it, with its lines and its
    /// store's service settings; `None` when no store has such a live RO.
    fn service_ro(&self, ro_id: Uuid) -> StoreFuture<'_, Option<ServiceRo>>;
}
