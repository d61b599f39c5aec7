//! Blobs: photos (damage marks at reception, technicians' findings) and customers' signatures,
//! stored beside the records on the device and on the server (docs/sync.md, "Blobs").
//!
//! A blob is named by its content: `"sha256-<64 lowercase hex digits>"`, the SHA-256 of its
//! bytes. Records refer to a blob by that id (`signature_blob`, a finding's photos,
//! `repair_order::Proof::Signature`), so an id names the same bytes on every device, an upload
//! can be repeated without harm, and the server checks what it is sent against the id. The
//! hashing itself is done where the bytes are (WebCrypto on the device, `sha2` on the server);
//! these are the rules both apply.

/// The prefix of every blob id.
pub const PREFIX: &str = "sha256-";

/// The largest blob the server takes (5 MiB). A photo shrunk on the device is ~200 KB.
pub const MAX_BLOB_BYTES: usize = 5 * 1024 * 1024;

/// The longest side of a photo after it is shrunk on the device, in pixels.
pub const PHOTO_MAX_SIDE: u32 = 1600;

/// The JPEG quality of a shrunk photo (0–1).
pub const PHOTO_JPEG_QUALITY: f64 = 0.8;

/// The kinds of content a blob may hold.
pub const MIME_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// Why a blob is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("not a blob id (sha256- and 64 lowercase hex digits): {0:?}")]
    BadId(String),
    #[error("the content's SHA-256 is {actual}, not the one of the id")]
    HashMismatch { actual: String },
    #[error("{size} bytes is more than the {max} a blob may have")]
    TooLarge { size: usize, max: usize },
    #[error("an empty blob")]
    Empty,
    #[error("content type {0:?} is not one of image/jpeg, image/png, image/webp")]
    BadMime(String),
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The id of the blob whose SHA-256 is `digest`.
pub fn id_of_digest(digest: &[u8; 32]) -> String {
    format!("{PREFIX}{}", hex(digest))
}

/// Whether `id` is a well-formed blob id (the prefix and 64 lowercase hex digits).
pub fn is_blob_id(id: &str) -> bool {
    id.strip_prefix(PREFIX).is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Checks an id as given (in a URL, in a record).
pub fn check_id(id: &str) -> Result<(), BlobError> {
    if is_blob_id(id) {
        Ok(())
    } else {
        Err(BlobError::BadId(id.chars().take(80).collect()))
    }
}

/// The content type a blob is stored with: `mime` without parameters, lower-cased, if it is
/// one of [`MIME_TYPES`].
pub fn check_mime(mime: &str) -> Result<&'static str, BlobError> {
    let bare = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    MIME_TYPES
        .iter()
        .find(|m| **m == bare)
        .copied()
        .ok_or_else(|| BlobError::BadMime(mime.chars().take(80).collect()))
}

/// What the server checks of an upload before it stores it: the id's form, the size, the
/// content type, and that `digest` (the SHA-256 of the bytes it was sent) is the id's.
pub fn check_upload(
    id: &str,
    digest: &[u8; 32],
    size: usize,
    mime: &str,
) -> Result<&'static str, BlobError> {
    check_id(id)?;
    if size == 0 {
        return Err(BlobError::Empty);
    }
    if size > MAX_BLOB_BYTES {
        return Err(BlobError::TooLarge {
            size,
            max: MAX_BLOB_BYTES,
        });
    }
    let mime = check_mime(mime)?;
    let actual = id_of_digest(digest);
    if actual != id {
        return Err(BlobError::HashMismatch { actual });
    }
    Ok(mime)
}

/// The size a picture of `width` × `height` is drawn at so that its longer side is at most
/// `max_side` (kept as it is when it already fits; never below 1 × 1).
pub fn fit_within(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_side || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| -> u32 {
        let scaled =
            (u64::from(side) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_side).max(1)
    };
    (scale(width), scale(height))
}

/// The first wait before an upload that failed is tried again (ms).
pub const RETRY_FIRST_MS: u64 = 5_000;
/// The longest wait between tries (ms).
pub const RETRY_MAX_MS: u64 = 10 * 60_000;

/// How long the device waits before trying an upload again after `failures` failed tries
/// in a row: 5 s, 10 s, 20 s, … at most 10 minutes. Nothing to wait for before the first try.
pub fn retry_delay_ms(failures: u32) -> u64 {
    if failures == 0 {
        return 0;
    }
    let doublings = (failures - 1).min(20);
    RETRY_FIRST_MS
        .saturating_mul(1 << doublings)
        .min(RETRY_MAX_MS)
}

/// The blob ids a record's JSON refers to, anywhere in it (a signature, a list of photos),
/// without repeats, in the order met. Used to fetch what a record shows before it is opened.
pub fn ids_in(value: &serde_json::Value) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if is_blob_id(s) && !out.contains(s) => {
                out.push(s.clone());
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    const ABC: [u8; 32] = [
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22,
        0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
        0x15, 0xad,
    ];
    const ABC_ID: &str = "sha256-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn an_id_is_the_prefix_and_the_hex_of_the_digest() {
        assert_eq!(id_of_digest(&ABC), ABC_ID);
        assert!(is_blob_id(ABC_ID));
        assert_eq!(hex(&[0, 0x0f, 0xf0, 0xff]), "000ff0ff");
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "sha256-",
            "sha256-ab",
            &ABC_ID.to_uppercase(),
            &ABC_ID.replace("sha256-", "sha1-"),
            &format!("{ABC_ID}0"),
            &ABC_ID.replace('b', "g"),
            "sha256-../../etc/passwd",
        ] {
            assert!(!is_blob_id(bad), "{bad}");
            assert!(matches!(check_id(bad), Err(BlobError::BadId(_))));
        }
    }

    #[test]
    fn an_upload_is_checked_for_form_size_type_and_hash() {
        assert_eq!(
            check_upload(ABC_ID, &ABC, 3, "image/jpeg"),
            Ok("image/jpeg")
        );
        assert_eq!(
            check_upload(ABC_ID, &ABC, 3, "Image/PNG; charset=x"),
            Ok("image/png")
        );
        let mut other = ABC;
        other[0] = 0;
        assert_eq!(
            check_upload(ABC_ID, &other, 3, "image/jpeg"),
            Err(BlobError::HashMismatch {
                actual: id_of_digest(&other)
            })
        );
        assert_eq!(
            check_upload(ABC_ID, &ABC, MAX_BLOB_BYTES + 1, "image/jpeg"),
            Err(BlobError::TooLarge {
                size: MAX_BLOB_BYTES + 1,
                max: MAX_BLOB_BYTES
            })
        );
        assert!(check_upload(ABC_ID, &ABC, MAX_BLOB_BYTES, "image/jpeg").is_ok());
        assert_eq!(
            check_upload(ABC_ID, &ABC, 0, "image/jpeg"),
            Err(BlobError::Empty)
        );
        assert!(matches!(
            check_upload(ABC_ID, &ABC, 3, "text/html"),
            Err(BlobError::BadMime(_))
        ));
        assert!(matches!(
            check_upload("sha256-x", &ABC, 3, "image/jpeg"),
            Err(BlobError::BadId(_))
        ));
    }

    #[test]
    fn a_photo_is_shrunk_to_its_longest_side() {
        assert_eq!(fit_within(4032, 3024, 1600), (1600, 1200));
        assert_eq!(fit_within(3024, 4032, 1600), (1200, 1600));
        assert_eq!(fit_within(1600, 900, 1600), (1600, 900));
        assert_eq!(fit_within(800, 600, 1600), (800, 600));
        assert_eq!(fit_within(10_000, 1, 1600), (1600, 1));
        assert_eq!(fit_within(0, 0, 1600), (1, 1));
        assert_eq!(fit_within(u32::MAX, u32::MAX, 1600), (1600, 1600));
    }

    #[test]
    fn retries_back_off_to_ten_minutes() {
        assert_eq!(retry_delay_ms(0), 0);
        assert_eq!(retry_delay_ms(1), 5_000);
        assert_eq!(retry_delay_ms(2), 10_000);
        assert_eq!(retry_delay_ms(3), 20_000);
        assert_eq!(retry_delay_ms(8), RETRY_MAX_MS);
        assert_eq!(retry_delay_ms(u32::MAX), RETRY_MAX_MS);
    }

    #[test]
    fn a_records_blob_ids_are_found_anywhere_once() {
        let other = ABC_ID.replace("ba", "bb");
        let v = json!({
            "signature_blob": ABC_ID,
            "findings": [{"photos": [other, ABC_ID]}, {"text": "sha256-short"}],
            "n": 3
        });
        let ids = ids_in(&v);
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&ABC_ID.to_owned()) && ids.contains(&other));
        assert!(ids_in(&json!("plain")).is_empty());
    }
}
