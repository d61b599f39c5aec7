//! Security headers on every response: a Content-Security-Policy the wasm app runs under,
//! `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`.
//!
//! The built `index.html` starts the app with one inline module script (`cargo xtask build`
//! writes it), so `script-src` allows that script by its SHA-256, computed from the
//! `index.html` on disk (again whenever the file changes) — nothing else inline runs. wasm needs
//! `'wasm-unsafe-eval'`; Leptos sets `style` attributes, hence `style-src 'unsafe-inline'`.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime},
};

use axum::{
    extract::{Request, State},
    http::{
        HeaderName, HeaderValue,
        header::{
            CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
        },
    },
    middleware::Next,
    response::Response,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};

/// The policy without inline-script hashes; [`csp_for_index`] adds them to `script-src`.
pub const CSP_BASE: [(&str, &str); 12] = [
    ("default-src", "'self'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("img-src", "'self' data: blob:"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("font-src", "'self'"),
    ("object-src", "'none'"),
    ("frame-ancestors", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
];

/// The `'sha256-…'` sources of the inline scripts (`<script>` without `src`) of an HTML page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script") {
        let tag_start = at + start;
        let Some(tag_len) = lower[tag_start..].find('>') else {
            break;
        };
        let body_start = tag_start + tag_len + 1;
        let tag = &lower[tag_start..body_start];
        let Some(body_len) = lower[body_start..].find("</script") else {
            break;
        };
        let body_end = body_start + body_len;
        if !tag.contains(" src=") && !tag.contains(" src =") {
            let body = &html[body_start..body_end];
            if !body.is_empty() {
                out.push(format!(
                    "'sha256-{}'",
                    STANDARD.encode(Sha256::digest(body.as_bytes()))
                ));
            }
        }
        at = body_end;
    }
    out
}

/// The Content-Security-Policy for a site whose `index.html` is `html`.
pub fn csp_for_index(html: &str) -> String {
    let hashes = inline_script_hashes(html);
    CSP_BASE
        .iter()
        .map(|(directive, sources)| {
            if *directive == "script-src" && !hashes.is_empty() {
                format!("{directive} {sources} {}", hashes.join(" "))
            } else {
                format!("{directive} {sources}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// How often [`SiteCsp::current`] looks at `index.html` again (a stat; the file is read only
/// when it changed).
const RECHECK: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Cached {
    checked: Instant,
    modified: Option<SystemTime>,
    len: u64,
    value: HeaderValue,
}

/// The policy of the site in a directory, recomputed when its `index.html` changes (a rebuild
/// while the server runs).
#[derive(Debug)]
pub struct SiteCsp {
    index: PathBuf,
    cached: Mutex<Option<Cached>>,
}

impl SiteCsp {
    pub fn new(site_dir: &Path) -> Self {
        SiteCsp {
            index: site_dir.join("index.html"),
            cached: Mutex::new(None),
        }
    }

    /// The current policy (without hashes when there is no index.html).
    pub fn current(&self) -> HeaderValue {
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if let Some(c) = cached.as_mut() {
            if now.saturating_duration_since(c.checked) < RECHECK {
                return c.value.clone();
            }
            c.checked = now;
        }
        let meta = std::fs::metadata(&self.index).ok();
        let modified = meta.as_ref().and_then(|m| m.modified().ok());
        let len = meta.as_ref().map_or(0, |m| m.len());
        if let Some(c) = cached.as_ref()
            && (c.modified, c.len) == (modified, len)
        {
            return c.value.clone();
        }
        let html = std::fs::read_to_string(&self.index).unwrap_or_default();
        let value = HeaderValue::from_str(&csp_for_index(&html))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        *cached = Some(Cached {
            checked: now,
            modified,
            len,
            value: value.clone(),
        });
        value
    }
}

/// Adds the security headers to every response (keeping any a handler set itself).
pub async fn middleware(State(csp): State<Arc<SiteCsp>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let fixed: [(HeaderName, HeaderValue); 3] = [
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    let headers = resp.headers_mut();
    for (name, value) in fixed {
        headers.entry(name).or_insert(value);
    }
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, csp.current());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<head><script type=\"module\">import init from '/app.js'; init();</script>\
                    <SCRIPT src=\"/x.js\"></SCRIPT><script>1</script></head>";
        let h = inline_script_hashes(html);
        let expect = |s: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(s)));
        assert_eq!(
            h,
            vec![expect("import init from '/app.js'; init();"), expect("1")]
        );
        let csp = csp_for_index(html);
        assert!(
            csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-")
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            csp_for_index("<p>no scripts</p>").split("; ").nth(1),
            Some("script-src 'self' 'wasm-unsafe-eval'")
        );
    }
}
