//! [`ServiceStore`] for [`RedbStore`]: an RO by id across the stores, then its lines.
//!
//! There is no index from an RO to its lines: lines are found by a range scan of the store's
//! records from one day before the RO's id (UUIDv7 ids grow with their creation time, and a
//! line is made after its RO — at estimate or as added work — the day taken off covers a device
//! whose clock ran behind), skipping without decoding every record whose stored text does not
//! hold the RO's id. The status page is opened now and then by a customer, not in a loop.

use ::redb::{ReadableDatabase, ReadableTable};
use domain::sync::RecordState;
use uuid::Uuid;

use super::RedbStore;
use super::codec::{decode, record_type_of};
use super::tables::{RECORDS, STORES};
use crate::store::service::{ServiceRo, ServiceStore};
use crate::store::{StoreFuture, StoreRec};

/// How far before the RO's id the scan for its lines starts (ms).
const LINE_SLACK_MS: u128 = 24 * 60 * 60 * 1000;

/// The smallest UUIDv7 of a time `slack` ms before the one of `id` (0 for ids not v7).
fn scan_from(id: Uuid) -> u128 {
    if id.get_version_num() != 7 {
        return 0;
    }
    let ms = id.as_u128() >> 80;
    ms.saturating_sub(LINE_SLACK_MS) << 80
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

impl ServiceStore for RedbStore {
    fn service_ro(&self, ro_id: Uuid) -> StoreFuture<'_, Option<ServiceRo>> {
        Box::pin(self.run(move |db| {
            let txn = db.begin_read()?;
            let stores = txn.open_table(STORES)?;
            let records = txn.open_table(RECORDS)?;
            let rid = ro_id.as_u128();
            for entry in stores.iter()? {
                let (_, v) = entry?;
                let store: StoreRec = decode(v.value())?;
                let sid = store.id.as_str();
                let Some(g) = records.get((sid, rid))? else {
                    continue;
                };
                let ro: RecordState = decode(g.value())?;
                if ro.record_type != "repair_order" || ro.is_deleted() {
                    return Ok(None);
                }
                let needle = format!("\"{ro_id}\"");
                let mut lines = Vec::new();
                let mut parts_orders = Vec::new();
                for entry in records.range((sid, scan_from(ro_id))..=(sid, u128::MAX))? {
                    let (_, v) = entry?;
                    let bytes = v.value();
                    let kind = record_type_of(bytes)?;
                    let is_line = kind == "ro_line";
                    if !(is_line || kind == "parts_order") || !contains(bytes, needle.as_bytes()) {
                        continue;
                    }
                    let line: RecordState = decode(bytes)?;
                    let of_ro = line.value("ro_id").and_then(|v| v.as_str())
                        == Some(needle.trim_matches('"'));
                    if of_ro && !line.is_deleted() {
                        if is_line {
                            lines.push(line);
                        } else {
                            parts_orders.push(line);
                        }
                    }
                }
                // Under the id every device derives (`service_settings_record_id`), else any.
                let derived = domain::service::desk::service_settings_record_id(sid).as_u128();
                let mut settings = match records.get((sid, derived))? {
                    Some(g) => Some(decode::<RecordState>(g.value())?),
                    None => None,
                };
                for entry in records.range((sid, 0)..=(sid, u128::MAX))? {
                    if settings.is_some() {
                        break;
                    }
                    let (_, v) = entry?;
                    if record_type_of(v.value())? == "service_settings" {
                        let s: RecordState = decode(v.value())?;
                        if !s.is_deleted() {
                            settings = Some(s);
                            break;
                        }
                    }
                }
                return Ok(Some(ServiceRo {
                    store_id: store.id.clone(),
                    store_name: store.name.clone(),
                    ro,
                    lines,
                    settings,
                    parts_orders,
                }));
            }
            Ok(None)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_starts_a_day_before_the_ro() {
        let ro = Uuid::from_u128((1_800_000_000_000u128 << 80) | (7 << 76) | 5);
        assert_eq!(ro.get_version_num(), 7);
        assert_eq!(scan_from(ro), (1_800_000_000_000 - 86_400_000) << 80);
        assert_eq!(scan_from(Uuid::from_u128(42)), 0, "not a v7 id: everything");
        assert!(contains(b"abc\"x\"def", b"\"x\""));
        assert!(!contains(b"abc", b"abcd"));
    }
}
