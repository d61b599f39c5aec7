//! The blob upload queue (docs/sync.md, "Blobs"): after the outbox's ops and the pull, a sync
//! uploads the photos and signatures waiting in the device's blob store (`crate::blobs`).
//!
//! - It first asks the server which of the waiting ids it lacks (`POST /api/blobs/missing`): a
//!   blob the server already holds (an upload cut after the server stored it, or the same
//!   picture from another device) is marked uploaded without sending it again.
//! - A blob is marked uploaded only after the server answered its `PUT` (the server answers
//!   after its commit), so a reload or a network cut mid-upload leaves it waiting.
//! - A cut stops the queue (the next sync resumes it); a refusal backs the blob off
//!   (`domain::blob::retry_delay_ms`) so that one bad blob does not hold the others.
//! - [`SyncCtx::blobs_waiting`] counts what is left, for the sync status ("2 张图片待上传").

use leptos::prelude::*;

use crate::api::ApiError;
use crate::blobs;

use super::SyncCtx;

/// Waiting ids read (and asked about) at a time.
const BATCH: u32 = 100;

impl SyncCtx {
    /// A blob was stored on this device (a photo taken, a signature confirmed): count it and
    /// start a sync, which uploads it when online.
    pub fn blobs_changed(self) {
        leptos::task::spawn_local(async move {
            self.refresh_blobs().await;
            super::broadcast(&[]);
        });
        self.kick();
    }

    /// Reads how many blobs wait for upload.
    pub(super) async fn refresh_blobs(self) {
        match blobs::waiting_count().await {
            Ok(n) => self.blobs_waiting.set(n),
            Err(e) => leptos::logging::warn!("forecourt: cannot count the waiting blobs: {e}"),
        }
    }

    /// Uploads the waiting blobs that are due. Stops at the first network error (the next
    /// sync goes on from there) and at a 401; other refusals back that blob off.
    pub(super) async fn upload_blobs(self, token: &str) -> Result<(), ApiError> {
        let result = upload_due(token).await;
        self.refresh_blobs().await;
        result
    }
}

async fn upload_due(token: &str) -> Result<(), ApiError> {
    let now = js_sys::Date::now();
    let due: Vec<String> = match blobs::waiting(BATCH).await {
        Ok(list) => list
            .into_iter()
            .filter(|(_, next_try)| *next_try <= now)
            .map(|(id, _)| id)
            .collect(),
        Err(e) => {
            leptos::logging::error!("forecourt: cannot read the waiting blobs: {e}");
            return Ok(());
        }
    };
    if due.is_empty() {
        return Ok(());
    }
    let missing = blobs::missing(token, &due).await?;
    for id in due.iter().filter(|id| !missing.contains(id)) {
        if let Err(e) = blobs::mark_uploaded(id).await {
            leptos::logging::error!("forecourt: cannot mark blob {id} uploaded: {e}");
        }
    }
    for id in &missing {
        let blob = match blobs::get(id).await {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(e) => {
                leptos::logging::error!("forecourt: cannot read blob {id}: {e}");
                continue;
            }
        };
        match blobs::upload(token, &blob).await {
            Ok(()) => {
                if let Err(e) = blobs::mark_uploaded(id).await {
                    leptos::logging::error!("forecourt: cannot mark blob {id} uploaded: {e}");
                }
            }
            Err(e) if matches!(e, ApiError::Network) || e.is_unauthorized() => return Err(e),
            Err(e) => {
                leptos::logging::warn!("forecourt: blob {id} refused: {e}");
                if let Err(e) = blobs::mark_failed(id, js_sys::Date::now()).await {
                    leptos::logging::error!("forecourt: cannot back blob {id} off: {e}");
                }
            }
        }
    }
    Ok(())
}
