//! [`AuditStore`] for [`RedbStore`]: the `audit` table. An append is one small write
//! transaction on tokio's blocking pool (like the account writes); a page is one read
//! transaction that walks the store's range (and the server-wide one) backwards from `before`.

use ::redb::ReadableDatabase;
use domain::audit::{AuditEntry, AuditFilter};
use uuid::Uuid;

use super::RedbStore;
use super::codec::{decode, encode};
use super::tables::AUDIT;
use super::txn::begin_write;
use crate::store::StoreFuture;
use crate::store::audit::{AuditPage, AuditStore, SERVER_WIDE};

/// The smallest UUIDv7 of Unix ms `ms` (ids of entries are v7, so ordered by time).
fn v7_floor(ms: u64) -> u128 {
    u128::from(ms.min((1 << 48) - 1)) << 80
}

impl AuditStore for RedbStore {
    fn append_audit(&self, store_id: String, entry: AuditEntry) -> StoreFuture<'_, ()> {
        self.boxed(move |db| {
            let txn = begin_write(db)?;
            {
                let mut table = txn.open_table(AUDIT)?;
                table.insert(
                    (store_id.as_str(), entry.id.as_u128()),
                    encode(&entry)?.as_slice(),
                )?;
            }
            txn.commit()?;
            Ok(())
        })
    }

    fn audit_page(
        &self,
        store_id: String,
        filter: AuditFilter,
        before: Option<Uuid>,
        limit: usize,
    ) -> StoreFuture<'_, AuditPage> {
        self.boxed(move |db| {
            let txn = db.begin_read()?;
            let table = txn.open_table(AUDIT)?;
            let low = filter.from_ms.map_or(0, v7_floor);
            let mut high = before.map_or(u128::MAX, |b| b.as_u128());
            if let Some(to) = filter.to_ms {
                high = high.min(v7_floor(to));
            }
            let mut found: Vec<AuditEntry> = Vec::new();
            let buckets: &[&str] = if store_id == SERVER_WIDE {
                &[SERVER_WIDE]
            } else {
                &[store_id.as_str(), SERVER_WIDE]
            };
            for bucket in buckets {
                let mut taken = 0;
                // `high` itself is excluded (it is `before`, or the first id past `to`).
                for row in table.range((*bucket, low)..(*bucket, high))?.rev() {
                    let (_, v) = row?;
                    let entry: AuditEntry = decode(v.value())?;
                    if filter.matches(&entry) {
                        found.push(entry);
                        taken += 1;
                        if taken > limit {
                            break;
                        }
                    }
                }
            }
            found.sort_by_key(|e| std::cmp::Reverse(e.id));
            let more = found.len() > limit;
            found.truncate(limit);
            Ok(AuditPage {
                entries: found,
                more,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;
    use domain::audit::AuditKind;

    fn entry(ms: u64, kind: AuditKind) -> AuditEntry {
        AuditEntry {
            id: domain::sync::new_id(ms, [1; 10]),
            at_ms: ms,
            kind,
            user_id: None,
            username: Some("zhaolei".into()),
            device_id: None,
            address: None,
            target_user_id: None,
            code: None,
            detail: None,
        }
    }

    #[tokio::test]
    async fn pages_newest_first_across_the_store_and_server_wide_entries() -> Result<(), StoreError>
    {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Backend(e.to_string()))?;
        let store = RedbStore::open(dir.path().join("db.redb"))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        for ms in [1_000, 3_000, 5_000] {
            store
                .append_audit("s1".into(), entry(ms, AuditKind::Login))
                .await?;
        }
        store
            .append_audit(SERVER_WIDE.into(), entry(4_000, AuditKind::LoginFailed))
            .await?;
        store
            .append_audit("s2".into(), entry(6_000, AuditKind::Login))
            .await?;

        let all = AuditFilter::default();
        let page = store.audit_page("s1".into(), all.clone(), None, 3).await?;
        let times: Vec<u64> = page.entries.iter().map(|e| e.at_ms).collect();
        assert_eq!(times, [5_000, 4_000, 3_000]);
        assert!(page.more);
        let next = store
            .audit_page("s1".into(), all.clone(), Some(page.entries[2].id), 3)
            .await?;
        let times: Vec<u64> = next.entries.iter().map(|e| e.at_ms).collect();
        assert_eq!(times, [1_000]);
        assert!(!next.more);

        let failed = AuditFilter {
            kind: Some(AuditKind::LoginFailed),
            ..AuditFilter::default()
        };
        let page = store.audit_page("s2".into(), failed, None, 10).await?;
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].at_ms, 4_000);

        let window = AuditFilter {
            from_ms: Some(2_000),
            to_ms: Some(5_000),
            ..AuditFilter::default()
        };
        let page = store.audit_page("s1".into(), window, None, 10).await?;
        let times: Vec<u64> = page.entries.iter().map(|e| e.at_ms).collect();
        assert_eq!(times, [4_000, 3_000]);
        Ok(())
    }
}
