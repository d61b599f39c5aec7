//! The demo store's history (`seed_history`): each area's part in turn (`demo_sales`,
//! `demo_service`, `demo_parts`, `demo_costs`, `demo_care`), apart from `demo`, which they all
//! use (its staff and helpers), so that no module cycle joins them.

use chrono::Utc;

use crate::error::Error;
use crate::store::Store;

/// The demo store's whole history as of `now` (sales, service, parts, the GM's costs, care, in
/// that order: each part reads what the earlier ones made), pushed as ops through the policy;
/// the number of ops pushed.
pub async fn seed_history(store: &dyn Store, now: chrono::DateTime<Utc>) -> Result<usize, Error> {
    let sales = crate::demo_sales::seed_sales_history(store, now).await?;
    let service = crate::demo_service::seed_service_history(store, now).await?;
    let parts = crate::demo_parts::seed_parts(store, now).await?;
    let costs = crate::demo_costs::seed_store_costs(store, now).await?;
    let care = crate::demo_care::seed_care_history(store, now).await?;
    Ok(sales.ops + service.ops + parts.ops + costs.ops + care.ops)
}
