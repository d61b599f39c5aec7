//! The A-card phone index ([`A_CARD_PHONE_OF`]): kept by the writer as cards are written, and
//! scanned for the duplicate groups (撞单).

use std::collections::BTreeMap;

use ::redb::{ReadTransaction, Table};
use domain::records::scope::{PhoneEntry, phone_entry};
use domain::sales::phone;
use domain::sync::RecordState;

use super::codec::decode;
use super::tables::{A_CARD_PHONE_OF, RECORDS};
use crate::store::{PhoneGroup, StoreError};

/// The normalised phone of an A-card, if the record is one and its phone is valid.
pub(super) fn a_card_phone(state: &RecordState) -> Option<String> {
    if state.record_type != "a_card" {
        return None;
    }
    let raw = state.value("phone")?.as_str()?;
    phone::normalise(raw).ok()
}

/// Moves a record's entry in the index from `old` to `new` (its phone before and after a push).
pub(super) fn reindex_phone(
    phones: &mut Table<'_, (&'static str, u128), &'static str>,
    store_id: &str,
    record_id: u128,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StoreError> {
    if new != old {
        match new {
            Some(new) => phones.insert((store_id, record_id), new)?,
            None => phones.remove((store_id, record_id))?,
        };
    }
    Ok(())
}

/// The store's A-cards that share a phone with another live card: one range scan of the
/// store's index, then each candidate read to check it is still live and still has that phone.
pub(super) fn phone_groups(
    txn: &ReadTransaction,
    store_id: &str,
) -> Result<Vec<PhoneGroup>, StoreError> {
    let phones = txn.open_table(A_CARD_PHONE_OF)?;
    let records = txn.open_table(RECORDS)?;
    let mut by_phone: BTreeMap<String, Vec<u128>> = BTreeMap::new();
    for entry in phones.range((store_id, 0)..=(store_id, u128::MAX))? {
        let (k, phone) = entry?;
        by_phone
            .entry(phone.value().to_owned())
            .or_default()
            .push(k.value().1);
    }
    let mut groups = Vec::new();
    for (phone, ids) in by_phone {
        if ids.len() < 2 {
            continue;
        }
        let mut cards = Vec::new();
        for id in ids {
            let Some(g) = records.get((store_id, id))? else {
                continue;
            };
            let state: RecordState = decode(g.value())?;
            if !state.is_deleted() && a_card_phone(&state).as_deref() == Some(&phone) {
                cards.push(state);
            }
        }
        if cards.len() >= 2 {
            groups.push(PhoneGroup { phone, cards });
        }
    }
    Ok(groups)
}

/// The store's phone index for 撞单 warnings (`GET /api/sync/phones`): every live A-card with
/// a valid phone, by card id (one range scan of the index, each card read for its name and
/// consultant).
pub(super) fn phone_entries(
    txn: &ReadTransaction,
    store_id: &str,
) -> Result<Vec<PhoneEntry>, StoreError> {
    let phones = txn.open_table(A_CARD_PHONE_OF)?;
    let records = txn.open_table(RECORDS)?;
    let mut out = Vec::new();
    for entry in phones.range((store_id, 0)..=(store_id, u128::MAX))? {
        let (k, _) = entry?;
        let Some(g) = records.get((store_id, k.value().1))? else {
            continue;
        };
        let state: RecordState = decode(g.value())?;
        if let Some(e) = phone_entry(&state) {
            out.push(e);
        }
    }
    Ok(out)
}
