//! The blob part of storage: photos and signatures of each store, named by their content
//! (`domain::blob`; docs/api.md, "Blobs"; docs/sync.md, "Blobs").
//!
//! [`BlobStore`] is a super-trait of [`super::Store`], like `AuditStore`. A blob is kept under
//! its store and its id: the same picture uploaded by two stores is two entries, and a store
//! reads only its own. Blobs live in the database file (tables `blobs` and `blob_info`), so a
//! backup holds them with the records that name them.

use serde::{Deserialize, Serialize};

use super::StoreFuture;

/// What the server knows of a blob beside its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobInfo {
    /// `image/jpeg`, `image/png` or `image/webp` (`domain::blob::MIME_TYPES`).
    pub mime: String,
    pub size: u64,
    /// When the server stored it (Unix ms).
    pub stored_ms: u64,
    /// Who uploaded it first (user id) and from which device.
    pub user_id: String,
    pub device_id: String,
}

pub trait BlobStore {
    /// Stores blob `id` of `store_id` unless the store holds it already, durably. `true` if it
    /// was stored now, `false` if it was there (an upload repeated after a cut). The caller
    /// has checked the bytes against the id.
    fn put_blob(
        &self,
        store_id: String,
        id: String,
        info: BlobInfo,
        bytes: Vec<u8>,
    ) -> StoreFuture<'_, bool>;

    /// Blob `id` of `store_id` with what is known of it, if the store holds it.
    fn get_blob(
        &self,
        store_id: String,
        id: String,
    ) -> StoreFuture<'_, Option<(BlobInfo, Vec<u8>)>>;

    /// Which of `ids` the store does not hold, in the order given.
    fn missing_blobs(&self, store_id: String, ids: Vec<String>) -> StoreFuture<'_, Vec<String>>;
}
