//! The device's blob store: photos and signatures in IndexedDB's `blobs` (`db.rs`, version 5),
//! named by content (`domain::blob`), and the blob API of the server (docs/api.md, "Blobs").
//!
//! [`put`] hashes the bytes (WebCrypto SHA-256), stores them as waiting for upload and returns
//! the id a record keeps; the sync engine uploads the waiting ones (`sync::blobs`) and marks a
//! blob uploaded only once the server confirmed it ([`mark_uploaded`]). [`get`] reads one back;
//! [`fetch`] downloads one the device does not hold (checking its hash) and keeps it.

use domain::blob::{self, BlobError};
use gloo_net::http::Request;
use idb::TransactionMode;
use js_sys::{Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{self, ApiError};
use crate::db::{self, BLOBS, BY_WAITING, DbError};

/// Why a blob could not be stored or read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BlobStoreError {
    /// The content is not a blob the server would take (type, size).
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// The device's storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The browser could not hash the bytes (WebCrypto needs HTTPS or localhost).
    #[error("cannot hash: {0}")]
    Hash(String),
}

impl From<idb::Error> for BlobStoreError {
    fn from(e: idb::Error) -> Self {
        BlobStoreError::Db(e.into())
    }
}

/// A blob as the device keeps it.
#[derive(Debug, Clone)]
pub struct StoredBlob {
    pub id: String,
    pub bytes: Uint8Array,
    pub mime: String,
    pub size: u32,
    /// When it was stored on this device (Unix ms).
    pub created: f64,
    /// Not yet confirmed by the server.
    pub waiting: bool,
    /// Failed uploads in a row (the back-off, `domain::blob::retry_delay_ms`).
    pub failures: u32,
    /// Not tried again before this time (Unix ms).
    pub next_try: f64,
}

fn prop(o: &JsValue, name: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn set(o: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(name), value);
}

impl StoredBlob {
    fn to_js(&self) -> Object {
        let o = Object::new();
        set(&o, "id", &JsValue::from_str(&self.id));
        set(&o, "bytes", &self.bytes);
        set(&o, "mime", &JsValue::from_str(&self.mime));
        set(&o, "size", &JsValue::from(self.size));
        set(&o, "created", &JsValue::from(self.created));
        if self.waiting {
            set(&o, "waiting", &JsValue::from(1));
        }
        set(&o, "failures", &JsValue::from(self.failures));
        set(&o, "next_try", &JsValue::from(self.next_try));
        o
    }

    fn from_js(v: &JsValue) -> Result<StoredBlob, DbError> {
        let bytes = prop(v, "bytes")
            .dyn_into::<Uint8Array>()
            .map_err(|_| DbError::Decode("a blob without its bytes".into()))?;
        let num = |name| prop(v, name).as_f64().unwrap_or(0.0);
        Ok(StoredBlob {
            id: prop(v, "id").as_string().unwrap_or_default(),
            size: bytes.length(),
            bytes,
            mime: prop(v, "mime").as_string().unwrap_or_default(),
            created: num("created"),
            waiting: !prop(v, "waiting").is_undefined(),
            failures: num("failures") as u32,
            next_try: num("next_try"),
        })
    }

    /// The bytes as a browser `Blob` of its type (for an `<img>` through an object URL).
    pub fn to_web_blob(&self) -> Result<web_sys::Blob, JsValue> {
        let parts = js_sys::Array::of1(&self.bytes);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&self.mime);
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
    }
}

/// The blob id of `bytes`: their SHA-256 by WebCrypto.
pub async fn id_of(bytes: &Uint8Array) -> Result<String, BlobStoreError> {
    let hash_err = |e: JsValue| BlobStoreError::Hash(format!("{e:?}"));
    let subtle = web_sys::window()
        .ok_or_else(|| BlobStoreError::Hash("no window".into()))?
        .crypto()
        .map_err(hash_err)?
        .subtle();
    let promise = subtle
        .digest_with_str_and_js_u8_array("SHA-256", bytes)
        .map_err(hash_err)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(hash_err)?;
    let digest: [u8; 32] = Uint8Array::new(&buffer)
        .to_vec()
        .try_into()
        .map_err(|_| BlobStoreError::Hash("a digest that is not 32 bytes".into()))?;
    Ok(blob::id_of_digest(&digest))
}

/// Stores `bytes` of type `mime` on the device, waiting for upload, and returns its id
/// (`sha256-…`). The same content stored again keeps its entry (and its upload state). The
/// bytes are a JS array (what a canvas or a download gives; `Uint8Array::from(&[u8])` for
/// Rust bytes).
pub async fn put(bytes: &Uint8Array, mime: &str) -> Result<String, BlobStoreError> {
    let mime = blob::check_mime(mime)?;
    let size = bytes.length() as usize;
    if size == 0 {
        return Err(BlobError::Empty.into());
    }
    if size > blob::MAX_BLOB_BYTES {
        return Err(BlobError::TooLarge {
            size,
            max: blob::MAX_BLOB_BYTES,
        }
        .into());
    }
    let id = id_of(bytes).await?;
    let entry = StoredBlob {
        id: id.clone(),
        bytes: bytes.clone(),
        mime: mime.to_owned(),
        size: bytes.length(),
        created: js_sys::Date::now(),
        waiting: true,
        failures: 0,
        next_try: 0.0,
    };
    keep(entry, false).await?;
    Ok(id)
}

/// Writes `entry` unless the device holds the id already (then nothing changes: an upload state
/// is never reset). With `replace`, writes it whatever is there.
async fn keep(entry: StoredBlob, replace: bool) -> Result<(), BlobStoreError> {
    let database = db::handle()?;
    let tx = database.transaction(&[BLOBS], TransactionMode::ReadWrite)?;
    let store = tx.object_store(BLOBS)?;
    let key = JsValue::from_str(&entry.id);
    let held = if replace {
        false
    } else {
        store.count(Some(key.clone().into()))?.await? > 0
    };
    if !held {
        store.put(&entry.to_js(), Some(&key))?.await?;
    }
    tx.commit()?.await?;
    Ok(())
}

/// The blob `id` if the device holds it.
pub async fn get(id: &str) -> Result<Option<StoredBlob>, BlobStoreError> {
    let database = db::handle()?;
    let tx = database.transaction(&[BLOBS], TransactionMode::ReadOnly)?;
    let value = tx.object_store(BLOBS)?.get(JsValue::from_str(id))?.await?;
    tx.await?;
    match value {
        Some(v) if !v.is_undefined() => Ok(Some(StoredBlob::from_js(&v)?)),
        _ => Ok(None),
    }
}

/// How many blobs wait for upload.
pub async fn waiting_count() -> Result<u32, BlobStoreError> {
    let database = db::handle()?;
    let tx = database.transaction(&[BLOBS], TransactionMode::ReadOnly)?;
    let n = tx
        .object_store(BLOBS)?
        .index(BY_WAITING)?
        .count(None)?
        .await?;
    tx.await?;
    Ok(n)
}

/// The ids of the blobs waiting for upload with when each may be tried (Unix ms), at most
/// `limit`, oldest id first (the bytes are read one at a time by the upload).
pub async fn waiting(limit: u32) -> Result<Vec<(String, f64)>, BlobStoreError> {
    let database = db::handle()?;
    let tx = database.transaction(&[BLOBS], TransactionMode::ReadOnly)?;
    let values = tx
        .object_store(BLOBS)?
        .index(BY_WAITING)?
        .get_all(None, Some(limit))?
        .await?;
    tx.await?;
    Ok(values
        .iter()
        .filter_map(|v| {
            let id = prop(v, "id").as_string()?;
            Some((id, prop(v, "next_try").as_f64().unwrap_or(0.0)))
        })
        .collect())
}

/// Changes the stored entry of `id` (if any) in one transaction.
async fn update(id: &str, change: impl FnOnce(&mut StoredBlob)) -> Result<(), BlobStoreError> {
    let database = db::handle()?;
    let tx = database.transaction(&[BLOBS], TransactionMode::ReadWrite)?;
    let store = tx.object_store(BLOBS)?;
    let key = JsValue::from_str(id);
    if let Some(v) = store.get(key.clone())?.await?
        && !v.is_undefined()
    {
        let mut entry = StoredBlob::from_js(&v)?;
        change(&mut entry);
        store.put(&entry.to_js(), Some(&key))?.await?;
    }
    tx.commit()?.await?;
    Ok(())
}

/// The server confirmed `id`: it no longer waits.
pub async fn mark_uploaded(id: &str) -> Result<(), BlobStoreError> {
    update(id, |b| {
        b.waiting = false;
        b.failures = 0;
        b.next_try = 0.0;
    })
    .await
}

/// An upload of `id` failed at `now`: it is tried again after the back-off.
pub async fn mark_failed(id: &str, now: f64) -> Result<(), BlobStoreError> {
    update(id, |b| {
        b.failures = b.failures.saturating_add(1);
        b.next_try = now + blob::retry_delay_ms(b.failures) as f64;
    })
    .await
}

// ---- the server ----

fn blob_path(id: &str) -> String {
    format!("/api/blobs/{id}")
}

/// `PUT /api/blobs/{id}` with the blob's bytes: `Ok` once the server stored it (or held it).
pub async fn upload(token: &str, blob: &StoredBlob) -> Result<(), ApiError> {
    let request = api::prepare(Request::put(&blob_path(&blob.id)), Some(token))
        .header("Content-Type", &blob.mime)
        .body(blob.bytes.clone());
    api::send(request).await.map(|_| ())
}

#[derive(Serialize)]
struct MissingRequest<'a> {
    ids: &'a [String],
}

#[derive(Deserialize)]
struct MissingResponse {
    missing: Vec<String>,
}

/// `POST /api/blobs/missing`: which of `ids` the server does not hold (what is left to upload
/// after a cut).
pub async fn missing(token: &str, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let answer: MissingResponse =
        api::post("/api/blobs/missing", Some(token), &MissingRequest { ids }).await?;
    Ok(answer.missing)
}

/// Why a blob could not be downloaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] BlobStoreError),
    /// The server sent bytes of another hash (never kept).
    #[error("the server sent other content for {0}")]
    Mismatch(String),
}

/// `GET /api/blobs/{id}`: downloads a blob the device does not hold, checks its hash, and keeps
/// it (as uploaded).
pub async fn fetch(token: &str, id: &str) -> Result<StoredBlob, FetchError> {
    blob::check_id(id).map_err(BlobStoreError::from)?;
    let request = api::prepare(Request::get(&blob_path(id)), Some(token)).build();
    let response = api::send(request).await?;
    let mime = response
        .headers()
        .get("Content-Type")
        .unwrap_or_else(|| "image/jpeg".into());
    let bytes = response.binary().await.map_err(|_| ApiError::Network)?;
    let bytes = Uint8Array::from(bytes.as_slice());
    if id_of(&bytes).await? != id {
        return Err(FetchError::Mismatch(id.to_owned()));
    }
    let entry = StoredBlob {
        id: id.to_owned(),
        size: bytes.length(),
        bytes,
        mime,
        created: js_sys::Date::now(),
        waiting: false,
        failures: 0,
        next_try: 0.0,
    };
    keep(entry.clone(), false).await?;
    Ok(entry)
}
