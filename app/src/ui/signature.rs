//! `SignaturePad`: the customer signs on the tablet (docs/ui/blobs.md).
//!
//! A canvas drawn with pointer events (finger, pen or mouse), 清除 to start again, 确认签名 to
//! keep it: the signature as PNG in the device's blob store (`crate::blobs::put`), and the
//! caller gets its id. Works offline: the sync engine uploads it later.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::photo::{canvas_context, encode};
use crate::i18n::*;
use crate::sync::use_sync;

/// The canvas's drawing size in pixels (CSS may show it smaller; strokes are scaled).
pub const PAD_WIDTH: u32 = 800;
pub const PAD_HEIGHT: u32 = 300;

/// Where a pointer event is on the canvas, in the canvas's own pixels.
fn point(canvas: &web_sys::HtmlCanvasElement, ev: &web_sys::PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let sx = if rect.width() > 0.0 {
        f64::from(canvas.width()) / rect.width()
    } else {
        1.0
    };
    let sy = if rect.height() > 0.0 {
        f64::from(canvas.height()) / rect.height()
    } else {
        1.0
    };
    (
        (f64::from(ev.client_x()) - rect.left()) * sx,
        (f64::from(ev.client_y()) - rect.top()) * sy,
    )
}

/// White paper and the pen.
fn clear(canvas: &web_sys::HtmlCanvasElement) {
    if let Ok(c) = canvas_context(canvas) {
        c.set_fill_style_str("#ffffff");
        c.fill_rect(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        );
        c.set_stroke_style_str("#111111");
        c.set_line_width(3.0);
        c.set_line_cap("round");
        c.set_line_join("round");
    }
}

/// `<div class="signature-pad">`: the canvas (`role="img"`, labelled 签名板), 清除 and 确认签名.
/// `on_signed` gets the blob id of the confirmed signature; after that the pad shows 已签名
/// until it is cleared.
#[component]
pub fn SignaturePad(
    /// Called with the blob id of the confirmed signature.
    #[prop(into)]
    on_signed: Callback<String>,
    /// The words above the pad; "请在框内签名" when not given.
    #[prop(optional, into)]
    hint: Option<ViewFn>,
    /// Nothing can be signed.
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let pad = NodeRef::<html::Canvas>::new();
    let drawing = RwSignal::new(false);
    let strokes = RwSignal::new(0_u32);
    let signed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    pad.on_load(move |canvas| clear(&canvas));

    let down = move |ev: web_sys::PointerEvent| {
        let Some(canvas) = pad.get_untracked() else {
            return;
        };
        if disabled.get_untracked() || signed.get_untracked() || busy.get_untracked() {
            return;
        }
        ev.prevent_default();
        let _ = canvas.set_pointer_capture(ev.pointer_id());
        let (x, y) = point(&canvas, &ev);
        if let Ok(c) = canvas_context(&canvas) {
            c.begin_path();
            c.move_to(x, y);
            // A dot for a tap.
            c.line_to(x + 0.1, y + 0.1);
            c.stroke();
        }
        drawing.set(true);
        strokes.update(|n| *n += 1);
        error.set(None);
    };
    let moved = move |ev: web_sys::PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        let Some(canvas) = pad.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let (x, y) = point(&canvas, &ev);
        if let Ok(c) = canvas_context(&canvas) {
            c.line_to(x, y);
            c.stroke();
        }
    };
    let up = move |_: web_sys::PointerEvent| drawing.set(false);

    let clear_pad = move |_| {
        if let Some(canvas) = pad.get_untracked() {
            clear(&canvas);
        }
        strokes.set(0);
        signed.set(false);
        error.set(None);
    };
    let confirm = move |_| {
        if strokes.get_untracked() == 0 {
            error.set(Some(t_string!(i18n, blob.signature_empty).to_string()));
            return;
        }
        let Some(canvas) = pad.get_untracked() else {
            return;
        };
        let canvas: web_sys::HtmlCanvasElement = canvas.unchecked_into();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let kept = match encode(&canvas, "image/png", None).await {
                Ok(bytes) => crate::blobs::put(&bytes, "image/png")
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            busy.set(false);
            match kept {
                Ok(id) => {
                    signed.set(true);
                    sync.blobs_changed();
                    on_signed.run(id);
                }
                Err(e) => {
                    leptos::logging::warn!("forecourt: signature not kept: {e}");
                    error.set(Some(format!(
                        "{}{e}",
                        t_string!(i18n, blob.signature_failed)
                    )));
                }
            }
        });
    };

    view! {
        <div class="signature-pad" class:signature-signed=move || signed.get()>
            <p class="signature-hint">
                {match hint {
                    Some(h) => h.run(),
                    None => t!(i18n, blob.signature_hint).into_any(),
                }}
            </p>
            <canvas
                node_ref=pad
                class="signature-canvas"
                width=PAD_WIDTH
                height=PAD_HEIGHT
                role="img"
                aria-label=move || t_string!(i18n, blob.signature_pad)
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up
                on:pointercancel=up
                on:pointerleave=up
            ></canvas>
            <div class="actions">
                <button
                    type="button"
                    class="btn btn-secondary"
                    on:click=clear_pad
                    disabled=move || disabled.get() || busy.get()
                >
                    {t!(i18n, blob.signature_clear)}
                </button>
                <button
                    type="button"
                    class="btn btn-primary"
                    on:click=confirm
                    disabled=move || disabled.get() || busy.get() || signed.get()
                >
                    {t!(i18n, blob.signature_confirm)}
                </button>
                <Show when=move || signed.get()>
                    <span class="signature-done" role="status">
                        {t!(i18n, blob.signature_saved)}
                    </span>
                </Show>
            </div>
            {move || error.get().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
        </div>
    }
}
