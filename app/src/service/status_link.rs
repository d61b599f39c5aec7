//! The customer's progress link of a repair order (维修进度): the link and its QR code, which
//! open the server's status page `/s/{token}` (no login; steps, and prices only of approved
//! lines; `docs/api.md`). The token is the RO's id and its random `status_key`
//! (`domain::service::workshop::status_token`); an RO without a key gets one with
//! 生成进度链接 (an ordinary edit, so it works offline and syncs; the page itself is online
//! only).

use domain::records::service::REPAIR_ORDER;
use domain::service::workshop::{new_status_key, status_key_valid, status_token};
use leptos::prelude::*;
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;
use uuid::Uuid;

use crate::i18n::*;
use crate::sync::use_sync;
use crate::ui::alert::Alert;
use crate::ui::edit::use_edit;

/// The page's origin (`https://host`), for a link that works off this device.
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The QR code of `url` as SVG markup (`None` if it does not fit a code).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(180, 180)
            .quiet_zone(true)
            .build(),
    )
}

/// The progress link and QR code of RO `ro_id`, or 生成进度链接.
#[component]
pub fn StatusLink(ro_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let edit = use_edit();
    let key = Memo::new(move |_| {
        sync.record(ro_id)
            .and_then(|r| {
                r.value("status_key")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .filter(|k| status_key_valid(k))
    });
    let make = move |_| {
        let key = new_status_key(*Uuid::new_v4().as_bytes());
        edit.run(
            async move {
                sync.edit(ro_id, &REPAIR_ORDER, move |r| {
                    let e = domain::sync::Edit::new(r, &REPAIR_ORDER);
                    Ok(vec![e.set("status_key", json!(key))?])
                })
                .await
            },
            |_| {},
        );
    };
    let shown = move || {
        match key.get() {
        Some(k) => {
            let url = format!("{}/s/{}", origin(), status_token(ro_id, &k));
            let qr = qr_svg(&url).unwrap_or_default();
            view! {
                <p>
                    {t!(i18n, svc_shop.status.link)}": "
                    <a class="status-link" href=url.clone() target="_blank" rel="noopener">{url.clone()}</a>
                </p>
                <div class="status-qr" role="img" aria-label=move || t_string!(i18n, svc_shop.status.qr).to_string() inner_html=qr></div>
            }
            .into_any()
        }
        None => view! {
            <p class="muted small">{t!(i18n, svc_shop.status.none)}</p>
            <button type="button" class="btn btn-secondary" disabled=move || edit.busy.get() on:click=make>
                {t!(i18n, svc_shop.status.make)}
            </button>
        }
        .into_any(),
    }
    };
    view! {
        <div class="status-link-box">
            {shown}
            <p class="muted small">{t!(i18n, svc_shop.status.hint)}</p>
            <Alert message=edit.error />
        </div>
    }
}
