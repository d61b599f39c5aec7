//! The store's phone index on the device (docs/sync.md, "The phone index"): every live A-card's
//! normalised phone with the customer's name and the consultant, for the whole store, so the
//! new A-card form warns of a 撞单 against a colleague's customer whose card this device does not
//! hold (a consultant's tablet holds their own cards: `domain::records::scope`), offline too.
//!
//! IndexedDB `phones` (`db.rs`, version 5) is replaced whole by [`refresh`] (one transaction),
//! after a sync, when [`due`]; [`lookup`] reads one phone.

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{net, store};
use crate::db::{self, DbError, PHONES};
use idb::TransactionMode;

/// The index is read again at most this often (and only when the store's seq moved).
pub const REFRESH_MS: f64 = 600_000.0;

/// A card of the index: who has the customer with this phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneOwner {
    pub record_id: Uuid,
    pub name: String,
    pub consultant_id: String,
}

/// When the index was last read: the store's seq then, and the device's clock (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReadAt {
    pub seq: u64,
    pub at: f64,
}

/// Whether the index is read again after a sync that left the device at `cursor`: never read,
/// or the store moved since and [`REFRESH_MS`] have passed.
pub fn due(last: Option<ReadAt>, cursor: u64, now: f64) -> bool {
    match last {
        None => true,
        Some(r) => cursor > r.seq && now - r.at >= REFRESH_MS,
    }
}

/// Reads the index from the server and stores it, if [`due`]. Offline or refused: the kept one
/// stays.
pub async fn refresh(token: &str, cursor: u64) -> Result<(), DbError> {
    let now = js_sys::Date::now();
    let last: Option<ReadAt> = store::meta(store::keys::PHONES_AT).await?;
    if !due(last, cursor, now) {
        return Ok(());
    }
    let answer = match net::phones(token).await {
        Ok(a) => a,
        Err(e) => {
            leptos::logging::warn!("forecourt: phone index: {e}");
            return Ok(());
        }
    };
    let database = db::handle()?;
    let tx = database.transaction(&[PHONES], TransactionMode::ReadWrite)?;
    let phones = tx.object_store(PHONES)?;
    drop(phones.clear()?);
    let mut seen = std::collections::BTreeSet::new();
    for (phone, record_id, name, consultant_id) in answer.phones {
        // The first card of a phone (ids grow with time: the earliest made).
        if !seen.insert(phone.clone()) {
            continue;
        }
        let owner = PhoneOwner {
            record_id,
            name,
            consultant_id,
        };
        let text = serde_json::to_string(&owner).map_err(|e| DbError::Decode(e.to_string()))?;
        drop(phones.put(&JsValue::from_str(&text), Some(&JsValue::from_str(&phone)))?);
    }
    if !tx.commit()?.await?.is_committed() {
        return Err(DbError::Idb("the phone index was not stored".into()));
    }
    store::set_meta(
        store::keys::PHONES_AT,
        &ReadAt {
            seq: answer.seq,
            at: now,
        },
    )
    .await
}

/// The card of the store's index with this phone (as typed; `None` when it does not normalise
/// or no card has it).
pub async fn lookup(phone_input: &str) -> Result<Option<PhoneOwner>, DbError> {
    let Ok(phone) = domain::sales::phone::normalise(phone_input) else {
        return Ok(None);
    };
    let database = db::handle()?;
    let tx = database.transaction(&[PHONES], TransactionMode::ReadOnly)?;
    let value = tx
        .object_store(PHONES)?
        .get(JsValue::from_str(&phone))?
        .await?;
    match value.and_then(|v| v.as_string()) {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| DbError::Decode(format!("phones: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_read_after_the_first_sync_then_when_the_store_moved_now_and_then() {
        assert!(due(None, 0, 0.0));
        let last = Some(ReadAt {
            seq: 10,
            at: 1_000.0,
        });
        assert!(!due(last, 10, 1_000.0 + REFRESH_MS), "nothing new");
        assert!(!due(last, 11, 1_000.0 + REFRESH_MS - 1.0), "too soon");
        assert!(due(last, 11, 1_000.0 + REFRESH_MS));
    }
}
