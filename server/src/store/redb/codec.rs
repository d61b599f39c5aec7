//! Values in and out of the tables: JSON records, and the parts of stored JSON that reads
//! need without decoding it (an op's or record's type, the raw text for the wire).

use std::borrow::Cow;

use ::redb::ReadableTable;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::store::{StoreError, StoredJson};

pub(super) fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The JSON value under `key`, decoded.
pub(super) fn get_json<K, T>(
    table: &impl ReadableTable<K, &'static [u8]>,
    key: K::SelfType<'_>,
) -> Result<Option<T>, StoreError>
where
    K: ::redb::Key + 'static,
    T: DeserializeOwned,
{
    match table.get(key)? {
        Some(guard) => Ok(Some(decode(guard.value())?)),
        None => Ok(None),
    }
}

/// Every value of the table, decoded.
pub(super) fn all_json<K, T>(
    table: &impl ReadableTable<K, &'static [u8]>,
) -> Result<Vec<T>, StoreError>
where
    K: ::redb::Key + 'static,
    T: DeserializeOwned,
{
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (_, v) = entry?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

/// Just the type of a stored op or record, without decoding the rest.
#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(borrow)]
    record_type: Cow<'a, str>,
}

/// The `record_type` of a stored op or record. Both are written by this server with
/// `record_type` after a few plain fields and before anything nested, so the type is read from
/// the first `,"record_type":"` near the start (that text cannot occur inside a JSON string, whose
/// quotes are escaped) without scanning the rest; anything else takes the full parse.
pub(super) fn record_type_of(bytes: &[u8]) -> Result<Cow<'_, str>, StoreError> {
    const KEY: &[u8] = b",\"record_type\":\"";
    let head = &bytes[..bytes.len().min(512)];
    if let Some(at) = head.windows(KEY.len()).position(|w| w == KEY) {
        let rest = &bytes[at + KEY.len()..];
        if let Some(end) = rest.iter().position(|&b| b == b'"' || b == b'\\')
            && rest[end] == b'"'
            && let Ok(t) = std::str::from_utf8(&rest[..end])
        {
            return Ok(Cow::Borrowed(t));
        }
    }
    serde_json::from_slice::<TypeOnly<'_>>(bytes)
        .map(|t| t.record_type)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Stored JSON as it goes out on the wire.
pub(super) fn raw(bytes: &[u8]) -> Result<StoredJson, StoreError> {
    StoredJson::from_stored(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sync::registry;
    use domain::sync::{Change, Hlc, Op, RecordState, apply, new_id};
    use serde_json::json;
    use uuid::Uuid;

    /// The type read from the start of stored JSON is the top-level `record_type`, also when a
    /// string before it holds the same text.
    #[test]
    fn record_type_of_reads_the_top_level_field() {
        let mut op = Op {
            op_id: new_id(1_700_000_000_000, [1; 10]),
            device_id: Uuid::from_u128(7),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id: new_id(1_700_000_000_000, [101; 10]),
            record_type: "a_card".into(),
            hlc: Hlc::new(1_700_000_000_000, 1),
            changes: vec![Change::Set {
                field: "phone".into(),
                value: json!("13900001111"),
                supersedes: vec![],
            }],
        };
        assert_eq!(record_type_of(&encode(&op).unwrap()).unwrap(), "a_card");
        op.user_id = r#"x","record_type":"c_card"#.into();
        op.store_id = "\\".into();
        let bytes = encode(&op).unwrap();
        assert_eq!(record_type_of(&bytes).unwrap(), "a_card");
        let mut state = RecordState::for_op(&op);
        apply(&mut state, &op, registry().require("a_card").unwrap()).unwrap();
        assert_eq!(record_type_of(&encode(&state).unwrap()).unwrap(), "a_card");
        // Not this server's layout: the full parse.
        let odd = br#"{"record_type":"visit","id":1}"#;
        assert_eq!(record_type_of(odd).unwrap(), "visit");
        assert!(record_type_of(b"{").is_err());
    }
}
