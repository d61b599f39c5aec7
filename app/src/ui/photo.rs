//! `PhotoInput`: take a photo with the tablet's camera (docs/ui/blobs.md).
//!
//! An `<input type=file accept="image/*" capture="environment">` (the camera on a tablet, a file
//! on a PC). The picture is shrunk on the device (a canvas, the longer side at most
//! `domain::blob::PHOTO_MAX_SIDE` px, JPEG at `PHOTO_JPEG_QUALITY`: ~200 KB from a 12 MP
//! photo), kept in the device's blob store (`crate::blobs::put`) and the caller gets its id.
//! Works offline: the sync engine uploads it later.

use domain::blob::{PHOTO_JPEG_QUALITY, PHOTO_MAX_SIDE, fit_within};
use js_sys::{Promise, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::*;
use crate::sync::use_sync;

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// A new `<canvas>` of `width` × `height` with its 2D context.
pub(crate) fn canvas(
    width: u32,
    height: u32,
) -> Result<
    (
        web_sys::HtmlCanvasElement,
        web_sys::CanvasRenderingContext2d,
    ),
    String,
> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "not a canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context = canvas_context(&canvas)?;
    Ok((canvas, context))
}

/// The 2D context of `canvas`.
pub(crate) fn canvas_context(
    canvas: &web_sys::HtmlCanvasElement,
) -> Result<web_sys::CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(js_error)?
        .ok_or("no 2d context")?
        .dyn_into()
        .map_err(|_| "not a 2d context".to_owned())
}

/// The canvas's picture encoded as `mime` (with `quality` for JPEG), as bytes.
pub(crate) async fn encode(
    canvas: &web_sys::HtmlCanvasElement,
    mime: &str,
    quality: Option<f64>,
) -> Result<Uint8Array, String> {
    let mut failed = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let done = match quality {
            Some(q) => {
                canvas.to_blob_with_type_and_encoder_options(&resolve, mime, &JsValue::from(q))
            }
            None => canvas.to_blob_with_type(&resolve, mime),
        };
        if let Err(e) = done {
            failed = Some(js_error(e.clone()));
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let blob: web_sys::Blob = JsFuture::from(promise)
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the canvas gave no picture".to_owned())?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error)?;
    Ok(Uint8Array::new(&buffer))
}

/// Decodes the picture `file` and draws it shrunk; returns it as JPEG bytes.
async fn shrink(file: &web_sys::File) -> Result<Uint8Array, String> {
    let url = web_sys::Url::create_object_url_with_blob(file).map_err(js_error)?;
    let image = web_sys::HtmlImageElement::new().map_err(js_error)?;
    let loaded = Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    image.set_src(&url);
    let decoded = JsFuture::from(loaded).await;
    image.set_onload(None);
    image.set_onerror(None);
    let _ = web_sys::Url::revoke_object_url(&url);
    decoded.map_err(|_| "not a picture".to_owned())?;
    let (width, height) = fit_within(
        image.natural_width(),
        image.natural_height(),
        PHOTO_MAX_SIDE,
    );
    let (canvas, context) = canvas(width, height)?;
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(js_error)?;
    encode(&canvas, "image/jpeg", Some(PHOTO_JPEG_QUALITY)).await
}

/// Shrinks `file` and keeps it in the device's blob store; returns its id.
pub async fn keep_photo(file: &web_sys::File) -> Result<String, String> {
    let bytes = shrink(file).await?;
    crate::blobs::put(&bytes, "image/jpeg")
        .await
        .map_err(|e| e.to_string())
}

/// `<div class="field photo-input">`: the label, the camera input (`id`), and while a picture
/// is processed or failed, a note. `on_photo` gets the id of each photo kept.
#[component]
pub fn PhotoInput(
    /// The input's id (the label's `for`).
    #[prop(into)]
    id: String,
    /// The label's words; "拍照" when not given.
    #[prop(optional, into)]
    label: Option<ViewFn>,
    /// Called with the blob id of each photo taken.
    #[prop(into)]
    on_photo: Callback<String>,
    /// No photo can be taken.
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        if files.is_empty() {
            return;
        }
        busy.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            for file in &files {
                match keep_photo(file).await {
                    Ok(blob_id) => {
                        sync.blobs_changed();
                        on_photo.run(blob_id);
                    }
                    Err(e) => {
                        leptos::logging::warn!("forecourt: photo not kept: {e}");
                        failed.set(Some(e));
                    }
                }
            }
            // The same picture may be chosen again.
            input.set_value("");
            busy.set(false);
        });
    };
    view! {
        <div class="field photo-input">
            <label for=id.clone()>
                {match label {
                    Some(l) => l.run(),
                    None => t!(i18n, blob.photo_take).into_any(),
                }}
            </label>
            <input
                type="file"
                id=id
                accept="image/*"
                capture="environment"
                on:change=on_change
                disabled=move || disabled.get() || busy.get()
            />
            <Show when=move || busy.get()>
                <p class="muted photo-saving" role="status">
                    {t!(i18n, blob.photo_saving)}
                </p>
            </Show>
            {move || {
                failed
                    .get()
                    .map(|e| {
                        view! {
                            <p class="alert" role="alert">
                                {t!(i18n, blob.photo_failed)}
                                {e}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
