//! Serving the built app (`--site`): static files, the SPA fallback to `index.html`, and the
//! cache headers the service worker relies on.
//!
//! `cargo xtask build` writes `<file>.br` (brotli q11) and `<file>.gz` (zopfli) beside every
//! compressible file; they are sent as they are to a client that accepts them (`Content-Encoding`
//! set, `Content-Type` that of the file itself), so the compression layer of [`crate::router`]
//! only compresses what has no such file. Every answer carries `Vary: Accept-Encoding`.

use std::{
    convert::Infallible,
    path::{Path, PathBuf},
};

use axum::{
    body::Body,
    extract::Request,
    http::{
        HeaderValue, Method, StatusCode,
        header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_TYPE, VARY},
    },
    response::{IntoResponse, Response},
};
use tower::{ServiceExt, service_fn, util::BoxCloneSyncService};
use tower_http::services::{ServeDir, ServeFile};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";

/// Shown at `/` when the site has not been built.
pub const NOT_BUILT: &str = "forecourt: the app is not built yet; run `cargo xtask build`\n";

/// True for content-hashed asset names: the stem contains `-` followed by 16 hex digits,
/// e.g. `app-0123456789abcdef.js`, `app-0123456789abcdef_bg.wasm`, `style-0123456789abcdef.css`.
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some(dot) = name.find('.') else {
        return false;
    };
    let stem = &name[..dot];
    stem.match_indices('-').any(|(i, _)| {
        let rest = &stem.as_bytes()[i + 1..];
        rest.len() >= 16
            && rest[..16].iter().all(|b| b.is_ascii_hexdigit())
            && (rest.len() == 16 || !rest[16].is_ascii_hexdigit())
    })
}

/// The service that answers every non-`/api` request.
pub type SiteService = BoxCloneSyncService<Request, Response, Infallible>;

/// Builds the site service for a directory.
pub fn service(dir: impl AsRef<Path>) -> SiteService {
    let dir = dir.as_ref().to_path_buf();
    let index = dir.join("index.html");
    let fallback = service_fn(move |req: Request| {
        let index = index.clone();
        async move { Ok::<_, Infallible>(spa_fallback(&index, req).await) }
    });
    let serve_dir = ServeDir::new(&dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(fallback);
    let svc = service_fn(move |req: Request| {
        let serve_dir = serve_dir.clone();
        async move {
            let path = req.uri().path().to_owned();
            let resp = match serve_dir.oneshot(req).await {
                Ok(resp) => resp.map(Body::new),
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(with_headers(&path, resp))
        }
    });
    BoxCloneSyncService::new(svc)
}

/// Any GET that is not a file gets `index.html`, so that the app's router can take it; except
/// a missing hashed asset (a stale page asking for an old build), which is a plain 404 so that
/// nobody caches HTML under a `.js`/`.wasm` name for a year.
async fn spa_fallback(index: &PathBuf, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if is_hashed_asset(req.uri().path()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !tokio::fs::try_exists(index).await.unwrap_or(false) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response();
    }
    let index = ServeFile::new(index)
        .precompressed_br()
        .precompressed_gzip();
    match index.oneshot(req).await {
        Ok(resp) => resp.map(Body::new),
        Err(never) => match never {},
    }
}

fn with_headers(path: &str, mut resp: Response) -> Response {
    if !(resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED) {
        return resp;
    }
    let is_html = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let headers = resp.headers_mut();
    // Which file is sent (`.br`, `.gz` or the plain one) depends on Accept-Encoding.
    let varies = headers.get_all(VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|name| {
                name.trim().eq_ignore_ascii_case("accept-encoding") || name.trim() == "*"
            })
        })
    });
    if !varies {
        headers.append(VARY, HeaderValue::from(ACCEPT_ENCODING));
    }
    if is_hashed_asset(path) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    } else if is_html || path == "/" || path.ends_with("/index.html") || path == "/sw.js" {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    }
    if !is_html {
        let forced = if path.ends_with(".wasm") {
            Some("application/wasm")
        } else if path.ends_with(".webmanifest") {
            Some("application/manifest+json")
        } else {
            None
        };
        if let Some(ct) = forced {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(ct));
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(is_hashed_asset("/app-0123456789abcdef.js"));
        assert!(is_hashed_asset("/app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("/assets/style-fedcba9876543210.css"));
        assert!(!is_hashed_asset("/app-0123456789abcde.js"), "15 digits");
        assert!(!is_hashed_asset("/app-0123456789abcdef0.js"), "17 digits");
        assert!(!is_hashed_asset("/app-0123456789abcdeg.js"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sales/anything"));
        assert!(!is_hashed_asset("/app-0123456789abcdef"), "no extension");
    }
}
