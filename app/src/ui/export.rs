//! 导出Excel: any list the user sees, as an .xlsx made by `POST /api/export/xlsx` and downloaded.
//! Needs the network (the workbook is written by the server); offline it says so plainly.
//!
//! Call [`ExportButton`] with a callback that returns the visible rows as an [`ExportTable`]
//! (a [`super::table::Columns`] makes one from the table's own columns), or [`download_xlsx`]
//! directly.

use std::future::Future;
use std::pin::Pin;

use gloo_net::http::Request;
use leptos::prelude::*;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsCast;

use super::error::UserText;
use crate::api::{ApiError, prepare};
use crate::i18n::*;
use crate::session::{SessionCtx, use_session};

/// A table to export: its title (also the file name), the column headings and the rows
/// (cells are strings, numbers or null).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExportTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Sends a request with the session's token; an error status becomes [`ApiError::Server`].
pub async fn send(
    request: Result<Request, gloo_net::Error>,
) -> Result<gloo_net::http::Response, ApiError> {
    let request = request.map_err(|e| ApiError::Unexpected(e.to_string()))?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    Err(ApiError::Server {
        status,
        code: body["code"].as_str().unwrap_or("internal").to_string(),
        message: body["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("HTTP {status}")),
        retry_after: None,
    })
}

/// Posts a chosen file (`file`) and text parts as multipart to `path`; the JSON answer.
pub async fn post_file<T: for<'de> serde::Deserialize<'de>>(
    token: Option<String>,
    path: &str,
    file: &web_sys::File,
    parts: Vec<(&'static str, String)>,
) -> Result<T, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Unexpected("form".into()))?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Unexpected("form".into()))?;
    for (name, value) in parts {
        form.append_with_str(name, &value)
            .map_err(|_| ApiError::Unexpected("form".into()))?;
    }
    let request = prepare(Request::post(path), token.as_deref()).body(form);
    let response = send(request).await?;
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    serde_json::from_str(&text).map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// The signed-in session's token. Take the [`SessionCtx`] while rendering (`use_session()`):
/// event handlers and tasks have no context to look it up in.
pub fn token(session: SessionCtx) -> Option<String> {
    session
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
}

/// Posts `table` to `/api/export/xlsx` and saves the answer as `<title>.xlsx`.
pub async fn download_xlsx(token: Option<String>, table: &ExportTable) -> Result<(), ApiError> {
    let request = prepare(Request::post("/api/export/xlsx"), token.as_deref()).json(table);
    let response = send(request).await?;
    let bytes = response.binary().await.map_err(|_| ApiError::Network)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)
        .map_err(|_| ApiError::Unexpected("blob".into()))?;
    save_blob(&blob, &format!("{}.xlsx", table.title))
        .ok_or_else(|| ApiError::Unexpected("download".into()))
}

/// Offers `blob` as a download named `file_name`.
fn save_blob(blob: &web_sys::Blob, file_name: &str) -> Option<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let document = web_sys::window()?.document()?;
    let a: web_sys::HtmlElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_attribute("href", &url).ok()?;
    a.set_attribute("download", file_name).ok()?;
    a.set_attribute("hidden", "").ok()?;
    document.body()?.append_child(&a).ok()?;
    a.click();
    a.remove();
    // The browser has started the download; the URL can go after this turn.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Some(())
}

/// Reads the rows to export when the button is pressed (from IndexedDB: a list that shows a page
/// at a time exports every row).
pub type ExportSource =
    StoredValue<Box<dyn Fn() -> Pin<Box<dyn Future<Output = ExportTable>>>>, LocalStorage>;

/// The 导出Excel / Export to Excel button: `table` gives the visible rows when pressed, or
/// `source` reads them.
#[component]
pub fn ExportButton(
    #[prop(optional)] table: Option<Callback<(), ExportTable>>,
    #[prop(optional)] source: Option<ExportSource>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        if busy.get_untracked() {
            return;
        }
        let read = source.map(|s| s.with_value(|f| f()));
        let shown = table.map(|t| t.run(()));
        let token = token(session);
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let t = match (read, shown) {
                (Some(read), _) => read.await,
                (None, Some(t)) => t,
                (None, None) => ExportTable::default(),
            };
            let result = download_xlsx(token, &t).await;
            busy.set(false);
            if let Err(e) = result {
                error.set(Some(e.user_text(i18n)));
            }
        });
    };
    view! {
        <span class="export">
            <button type="button" class="btn btn-secondary" on:click=click disabled=move || busy.get()>
                {move || {
                    if busy.get() {
                        t_string!(i18n, import.exporting).to_string()
                    } else {
                        t_string!(i18n, import.export).to_string()
                    }
                }}
            </button>
            {move || error.get().map(|e| view! { <span class="alert export-error" role="alert">{e}</span> })}
        </span>
    }
}
