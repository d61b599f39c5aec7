//! How the 撞单 queue (`/sales/duplicates`) reads its cards without reading every A-card
//! (issue 14; docs/sync.md, "How a screen reads records").
//!
//! Each live A-card's canonical phone is one of its index terms, behind
//! `domain::records::index::PHONE_KEY` (`phone_key`), so those keys sort together in the
//! `by_term` index. [`shared_phone_cards`] walks only these keys (a key cursor: the index's keys
//! and the record ids, never the records), keeps the ids of the phones that occur more than
//! once, and reads just those cards. What is held is the cards of the groups; the walk's cost
//! is one step per A-card.

use domain::records::index::PHONE_KEY;
use domain::sync::RecordState;
use idb::{CursorDirection, KeyRange, TransactionMode};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use crate::db::{self, BY_TERM, DbError, RECORDS};
use crate::sync::store;

/// The live A-cards whose phone is on at least one other live A-card of this device.
pub async fn shared_phone_cards() -> Result<Vec<RecordState>, DbError> {
    let ids = shared_phone_ids().await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::load(&ids)
        .await?
        .into_iter()
        .filter_map(|(_, r)| r)
        .filter(|r| r.record_type == "a_card" && !r.is_deleted())
        .collect())
}

/// The ids of the A-cards whose phone key occurs more than once in `by_term`.
async fn shared_phone_ids() -> Result<Vec<Uuid>, DbError> {
    let lower = PHONE_KEY.to_string();
    let upper = char::from_u32(u32::from(PHONE_KEY) + 1)
        .map(String::from)
        .unwrap_or_default();
    let range = KeyRange::bound(
        &JsValue::from_str(&lower),
        &JsValue::from_str(&upper),
        Some(false),
        Some(true),
    )?;
    let database = db::handle()?;
    let tx = database.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let index = tx.object_store(RECORDS)?.index(BY_TERM)?;
    let Some(cursor) = index
        .open_key_cursor(Some(range.into()), Some(CursorDirection::Next))?
        .await?
    else {
        tx.await?;
        return Ok(Vec::new());
    };
    let mut cursor = cursor.into_managed();
    let mut out = Vec::new();
    // The phone being walked and the cards found with it so far.
    let mut phone: Option<String> = None;
    let mut run: Vec<Uuid> = Vec::new();
    loop {
        let (Some(key), Some(id)) = (cursor.key()?, cursor.primary_key()?) else {
            break;
        };
        let key = key.as_string().unwrap_or_default();
        if phone.as_deref() != Some(key.as_str()) {
            if run.len() > 1 {
                out.append(&mut run);
            }
            run.clear();
            phone = Some(key);
        }
        if let Some(id) = id.as_string().and_then(|s| Uuid::parse_str(&s).ok()) {
            run.push(id);
        }
        cursor.next(None).await?;
    }
    if run.len() > 1 {
        out.append(&mut run);
    }
    tx.await?;
    Ok(out)
}
