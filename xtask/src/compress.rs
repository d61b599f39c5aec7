//! The site's precompressed files: `<file>.br` (brotli, quality 11) and `<file>.gz` (zopfli)
//! beside every compressible file, which the server sends as they are (docs/site.md).

use std::num::NonZeroU64;

use anyhow::{Context, Result};

/// The file name endings worth compressing (text and wasm). Images, fonts and anything else
/// already compressed are sent as they are.
const COMPRESSIBLE: &[&str] = &[
    ".html",
    ".js",
    ".mjs",
    ".css",
    ".wasm",
    // A group's wasm modules in one file (crate::pack).
    ".pack",
    ".json",
    ".webmanifest",
    ".svg",
    ".txt",
    ".xml",
    ".map",
];

/// The suffixes of the precompressed files beside a file.
pub const BROTLI: &str = "br";
pub const GZIP: &str = "gz";

/// What the cache keys of the compressed files record: the encoder and its settings (change
/// them with the code).
pub const BROTLI_SETTINGS: &str = "brotli 9.1.1 q11 lgwin22";
pub const GZIP_SETTINGS: &str = "zopfli 0.8.4 gzip, 5 iterations, 1 above 256 KB";

/// Above this size zopfli makes one iteration: measured on the 1.1 MB main wasm, 15 iterations
/// took 3.5× as long as one for a file 0.2 % smaller (one iteration is 4.4 % smaller than
/// `gzip -9`).
const ZOPFLI_ONE_ITERATION_ABOVE: usize = 256 * 1024;

/// Whether the build writes `.br` and `.gz` beside `path`.
pub fn is_compressible(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    COMPRESSIBLE.iter().any(|ext| name.ends_with(ext))
}

/// `data` compressed with brotli at quality 11 (the best).
pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut input = data;
    // Writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

/// `data` as a gzip member, deflated by zopfli (smaller than `gzip -9`, readable by every gzip).
/// Browsers ask for gzip but not br over plain HTTP, so this is what a LAN install sends.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 3);
    let iterations = if data.len() > ZOPFLI_ONE_ITERATION_ABOVE {
        1
    } else {
        5
    };
    let options = zopfli::Options {
        iteration_count: NonZeroU64::new(iterations).context("iterations")?,
        ..Default::default()
    };
    zopfli::compress(options, zopfli::Format::Gzip, data, &mut out).context("zopfli")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressible_by_name() {
        for name in [
            "index.html",
            "app-0123456789abcdef.js",
            "app-0123456789abcdef_bg.wasm",
            "style-0123456789abcdef.css",
            "manifest.webmanifest",
            "snippets/x/inline0.js",
            "icons/logo.SVG",
        ] {
            assert!(is_compressible(name), "{name}");
        }
        for name in [
            "icons/icon-192.png",
            "font.woff2",
            "app.js.br",
            "app.js.gz",
            "photo.jpg",
            "wasm",
        ] {
            assert!(!is_compressible(name), "{name}");
        }
    }

    #[test]
    fn both_encodings_round_trip_and_shrink_text() {
        let text = "export function forecourt() { return 42; }\n".repeat(300);
        let br = brotli(text.as_bytes());
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut plain).unwrap();
        assert_eq!(plain, text.as_bytes());
        assert!(br.len() < text.len() / 20, "{}", br.len());

        let gz = gzip(text.as_bytes()).unwrap();
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "a gzip member, deflate");
        let mut plain = Vec::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, text.as_bytes());
        assert!(gz.len() < text.len() / 20, "{}", gz.len());
    }
}
