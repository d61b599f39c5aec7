//! `BlobImage`: a photo or signature shown by its blob id (docs/ui/blobs.md).
//!
//! From the device's blob store when it holds the blob; else downloaded from the server when
//! online (and kept on the device, so it shows offline from then on); else the words
//! "图片在服务器上，联网后显示", and it tries again when the device is back online.

use leptos::prelude::*;

use crate::blobs::{self, FetchError};
use crate::i18n::*;
use crate::session::use_session;
use crate::sync::use_sync;

/// What a `BlobImage` shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    /// An object URL of the bytes.
    Url(String),
    /// Not on the device and the server cannot be asked now.
    OnServer,
    /// Neither the device nor the server has it, or it cannot be read.
    Unavailable,
}

/// Reads blob `id`: from the device, else from the server when `token` is given.
async fn load(id: String, token: Option<String>) -> Shown {
    if domain::blob::check_id(&id).is_err() {
        return Shown::Unavailable;
    }
    let held = match blobs::get(&id).await {
        Ok(b) => b,
        Err(e) => {
            leptos::logging::warn!("forecourt: cannot read blob {id}: {e}");
            None
        }
    };
    let blob = match (held, token) {
        (Some(b), _) => b,
        (None, None) => return Shown::OnServer,
        (None, Some(token)) => match blobs::fetch(&token, &id).await {
            Ok(b) => b,
            Err(FetchError::Api(crate::api::ApiError::Network)) => return Shown::OnServer,
            Err(e) => {
                leptos::logging::warn!("forecourt: cannot download blob {id}: {e}");
                return Shown::Unavailable;
            }
        },
    };
    match blob
        .to_web_blob()
        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b))
    {
        Ok(url) => Shown::Url(url),
        Err(_) => Shown::Unavailable,
    }
}

/// `<img class="blob-image">` of blob `id`, or a note in `<p class="blob-missing">` while it
/// cannot be shown.
#[component]
pub fn BlobImage(
    /// The blob id (`sha256-…`).
    #[prop(into)]
    id: Signal<String>,
    /// The picture's alternative text.
    #[prop(into, optional)]
    alt: Signal<String>,
    /// Classes beside `blob-image` on the `<img>`.
    #[prop(optional)]
    class: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let shown = LocalResource::new(move || {
        let id = id.get();
        // Online again (or back in reach): what was missing may come now.
        let online = sync.online.get() && sync.reachable.get();
        let token = session
            .session
            .with(|s| s.as_ref().map(|s| s.token.clone()))
            .filter(|_| online);
        load(id, token)
    });
    // The object URL of the picture shown, released when another replaces it or the part goes.
    let current = StoredValue::new_local(None::<String>);
    let release = move || {
        if let Some(url) = current.try_update_value(Option::take).flatten() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    };
    on_cleanup(release);
    let class = match class {
        Some(c) => format!("blob-image {c}"),
        None => "blob-image".to_owned(),
    };
    move || match shown.get() {
        None => view! { <p class="blob-missing muted">{t!(i18n, blob.loading)}</p> }.into_any(),
        Some(Shown::Url(url)) => {
            if current.with_value(|c| c.as_deref() != Some(url.as_str())) {
                release();
                current.set_value(Some(url.clone()));
            }
            view! { <img class=class.clone() src=url alt=move || alt.get() /> }.into_any()
        }
        Some(Shown::OnServer) => {
            view! { <p class="blob-missing muted">{t!(i18n, blob.on_server)}</p> }.into_any()
        }
        Some(Shown::Unavailable) => {
            view! { <p class="blob-missing muted">{t!(i18n, blob.unavailable)}</p> }.into_any()
        }
    }
}
