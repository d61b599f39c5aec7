//! The built site's precompressed files (`cargo xtask build` writes `<file>.br` and `<file>.gz`
//! beside every compressible file): sent as they are by Accept-Encoding, with the content type of
//! the file itself, `Vary: Accept-Encoding`, the usual cache headers and the same CSP.

mod common;

use std::io::Write;

use axum::http::StatusCode;
use common::{INDEX_HTML, Resp, TestApp, WASM_NAME, app};

const JS_NAME: &str = "app-0123456789abcdef.js";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("brotli");
    out
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &data[..], &mut out).expect("valid brotli");
    out
}

/// A stand-in `.gz`: a gzip member of stored (uncompressed) deflate blocks, which is enough to
/// tell the file on disk from anything the server could compress on the fly.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let chunks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*chunk);
    }
    out.write_all(&crc32(data).to_le_bytes()).unwrap();
    out.write_all(&(data.len() as u32).to_le_bytes()).unwrap();
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Writes `<name>.br` and `<name>.gz` beside `<name>` in the site; returns them.
fn precompress(t: &TestApp, name: &str) -> (Vec<u8>, Vec<u8>) {
    let plain = std::fs::read(t.site.join(name)).unwrap();
    let (br, gz) = (brotli(&plain), stored_gzip(&plain));
    std::fs::write(t.site.join(format!("{name}.br")), &br).unwrap();
    std::fs::write(t.site.join(format!("{name}.gz")), &gz).unwrap();
    (br, gz)
}

fn assert_varies(r: &Resp) {
    let vary: Vec<_> = r
        .headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert_eq!(
        vary,
        ["accept-encoding"],
        "exactly one Vary: Accept-Encoding"
    );
}

#[tokio::test]
async fn brotli_asked_the_br_file_is_sent_with_the_files_headers() {
    let t = app().await;
    let (js_br, _) = precompress(&t, JS_NAME);
    let (wasm_br, _) = precompress(&t, WASM_NAME);
    let plain = t.get(&format!("/{JS_NAME}")).await;

    let r = t
        .get_with(
            &format!("/{JS_NAME}"),
            &[("accept-encoding", "gzip, deflate, br")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(&r.body[..], js_br, "the .br file as it is on disk");
    assert_eq!(
        unbrotli(&r.body),
        std::fs::read(t.site.join(JS_NAME)).unwrap()
    );
    assert!(r.header("content-type").unwrap().contains("javascript"));
    assert_eq!(r.header("cache-control"), Some(IMMUTABLE));
    assert_varies(&r);
    assert_eq!(
        r.header("content-security-policy"),
        plain.header("content-security-policy")
    );
    assert!(r.header("content-security-policy").is_some());
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    let r = t
        .get_with(&format!("/{WASM_NAME}"), &[("accept-encoding", "br")])
        .await;
    assert_eq!(r.header("content-encoding"), Some("br"));
    assert_eq!(&r.body[..], wasm_br);
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.header("cache-control"), Some(IMMUTABLE));
    assert_varies(&r);
}

#[tokio::test]
async fn gzip_asked_the_gz_file_is_sent() {
    let t = app().await;
    let (_, js_gz) = precompress(&t, JS_NAME);
    let r = t
        .get_with(&format!("/{JS_NAME}"), &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(
        &r.body[..],
        js_gz,
        "the .gz file, not one compressed on the fly"
    );
    assert!(r.header("content-type").unwrap().contains("javascript"));
    assert_eq!(r.header("cache-control"), Some(IMMUTABLE));
    assert_varies(&r);

    // The client's preference counts.
    let r = t
        .get_with(
            &format!("/{JS_NAME}"),
            &[("accept-encoding", "br;q=0.5, gzip;q=1.0")],
        )
        .await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(&r.body[..], js_gz);
}

#[tokio::test]
async fn identity_the_plain_file_is_sent() {
    let t = app().await;
    precompress(&t, JS_NAME);
    let plain = std::fs::read(t.site.join(JS_NAME)).unwrap();
    for accept in [None, Some("identity")] {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let r = t.get_with(&format!("/{JS_NAME}"), &headers).await;
        assert_eq!(r.status, StatusCode::OK, "{accept:?}");
        assert_eq!(r.header("content-encoding"), None, "{accept:?}");
        assert_eq!(&r.body[..], plain, "{accept:?}");
        assert!(r.header("content-type").unwrap().contains("javascript"));
        assert_eq!(r.header("cache-control"), Some(IMMUTABLE));
        assert_varies(&r);
    }
}

#[tokio::test]
async fn index_html_and_the_app_routes_send_index_html_br() {
    let t = app().await;
    let (br, gz) = precompress(&t, "index.html");
    for path in ["/", "/index.html", "/sales/a-cards"] {
        let r = t.get_with(path, &[("accept-encoding", "br")]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(&r.body[..], br, "{path}");
        assert_eq!(unbrotli(&r.body), INDEX_HTML.as_bytes());
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        assert_varies(&r);

        let r = t.get_with(path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.header("content-encoding"), Some("gzip"), "{path}");
        assert_eq!(&r.body[..], gz, "{path}");

        let r = t.get(path).await;
        assert_eq!(r.header("content-encoding"), None, "{path}");
        assert_eq!(r.text(), INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn already_compressed_files_are_not_compressed_again() {
    let t = app().await;
    // A PNG (the build writes no .br for it): sent as it is even to a client that accepts br.
    let png: Vec<u8> = b"\x89PNG\r\n\x1a\n"
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0u8, 4096))
        .collect();
    std::fs::create_dir_all(t.site.join("icons")).unwrap();
    std::fs::write(t.site.join("icons/icon-192.png"), &png).unwrap();
    let r = t
        .get_with("/icons/icon-192.png", &[("accept-encoding", "br, gzip")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(&r.body[..], png);
}
