//! The sync API as the device calls it (docs/sync.md, "Sync API").

use domain::sync::{Op, RecordState};
use gloo_net::http::Request;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

use super::store::INDEX_VERSION;
use crate::api::{self, ApiError};

/// Ops per push (the server takes at most 500).
pub const PUSH_BATCH: u32 = 200;
/// Ops per pull page.
pub const PULL_LIMIT: u32 = 500;
/// Records per snapshot page (the server's most: `MAX_PAGE`). A first sync of 100,000 records
/// is then 100 requests, each stored in one IndexedDB transaction.
pub const SNAPSHOT_LIMIT: u32 = 1000;

#[derive(Serialize)]
struct PushRequest<'a> {
    ops: &'a [Op],
}

#[derive(Debug, Deserialize)]
pub struct Ack {
    pub op_id: Uuid,
}

#[derive(Debug, Deserialize)]
pub struct PushResponse {
    pub acks: Vec<Ack>,
    pub server_time_ms: u64,
}

#[derive(Debug, Deserialize)]
pub struct PulledOp {
    pub op: Op,
}

#[derive(Debug, Deserialize)]
pub struct PullResponse {
    pub ops: Vec<PulledOp>,
    /// Records that may have entered the user's scope, whole (joined with the device's copy).
    #[serde(default)]
    pub records: Vec<RecordState>,
    pub last_seq: u64,
    pub more: bool,
    pub server_time_ms: u64,
    /// The key of the user's sync scope (docs/sync.md, "Scope changes").
    #[serde(default)]
    pub scope: Option<String>,
}

/// A snapshot page as it came (`JSON.parse` of the answer: no record is read in Rust). When the
/// server sent the records as the device stores them (`index` is the device's
/// `domain::records::index::VERSION`), `records` are those values; otherwise the records as
/// stored on the server (`store::snapshot_values` makes the values then).
#[derive(Debug)]
pub struct SnapshotPage {
    pub records: js_sys::Array,
    pub next: Option<Uuid>,
    pub seq: u64,
    pub total: u64,
    /// Whether `total` is the exact count (false: a limited scope's upper bound; an older
    /// server without the field counted the first page).
    pub exact: bool,
    /// The key of the user's sync scope.
    pub scope: Option<String>,
    /// Whether `records` are the values the device stores.
    pub indexed: bool,
}

impl SnapshotPage {
    /// Reads the page's properties; `None` when it is not a snapshot page.
    fn read(body: &JsValue) -> Option<SnapshotPage> {
        let get = |k: &str| js_sys::Reflect::get(body, &JsValue::from_str(k)).ok();
        let records: js_sys::Array = get("records")?.dyn_into().ok()?;
        let next = match get("next") {
            Some(v) if v.is_string() => Some(Uuid::parse_str(&v.as_string()?).ok()?),
            _ => None,
        };
        let number = |k: &str| get(k).and_then(|v| v.as_f64()).map(|n| n.max(0.0) as u64);
        Some(SnapshotPage {
            records,
            next,
            seq: number("seq")?,
            total: number("total")?,
            exact: get("exact").and_then(|v| v.as_bool()).unwrap_or(true),
            scope: get("scope").and_then(|v| v.as_string()),
            indexed: number("index") == Some(u64::from(INDEX_VERSION)),
        })
    }

    pub fn len(&self) -> u64 {
        u64::from(self.records.length())
    }
}

/// `GET /api/sync/phones`: `[phone, record_id, name, consultant_id]` rows and the store's seq.
#[derive(Debug, Deserialize)]
pub struct PhonesResponse {
    pub phones: Vec<(String, Uuid, String, String)>,
    pub seq: u64,
}

/// `GET /api/sync/phones`: the store's phone index.
pub async fn phones(token: &str) -> Result<PhonesResponse, ApiError> {
    get(token, "/api/sync/phones").await
}

/// Why a push was not acknowledged.
#[derive(Debug, Clone)]
pub enum PushError {
    /// An error for the whole request (network, 401, 413, …).
    Api(ApiError),
    /// The server refused one op (and so the whole batch).
    Op {
        index: usize,
        status: u16,
        code: String,
        message: String,
    },
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    op_index: Option<usize>,
}

/// `POST /api/sync/push`.
pub async fn push(token: &str, ops: &[Op]) -> Result<PushResponse, PushError> {
    let request = api::prepare(Request::post("/api/sync/push"), Some(token))
        .json(&PushRequest { ops })
        .map_err(|e| PushError::Api(ApiError::Unexpected(e.to_string())))?;
    let response = request
        .send()
        .await
        .map_err(|_| PushError::Api(ApiError::Network))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|_| PushError::Api(ApiError::Network))?;
    if response.ok() {
        return serde_json::from_str(&text)
            .map_err(|e| PushError::Api(ApiError::Unexpected(e.to_string())));
    }
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(ErrorBody {
            code,
            message,
            op_index: Some(index),
        }) => Err(PushError::Op {
            index,
            status,
            code,
            message,
        }),
        Ok(body) => Err(PushError::Api(ApiError::Server {
            status,
            code: body.code,
            message: body.message,
            retry_after: None,
        })),
        Err(_) => Err(PushError::Api(ApiError::Server {
            status,
            code: format!("http_{status}"),
            message: response.status_text(),
            retry_after: None,
        })),
    }
}

async fn get<T: DeserializeOwned>(token: &str, path: &str) -> Result<T, ApiError> {
    api::get(path, Some(token)).await
}

/// `GET /api/sync/pull?after=…`.
pub async fn pull(token: &str, after: u64) -> Result<PullResponse, ApiError> {
    get(
        token,
        &format!("/api/sync/pull?after={after}&limit={PULL_LIMIT}"),
    )
    .await
}

/// `GET /api/sync/snapshot?after=…&index=…`: asks for the records as the device stores them
/// (its index version), parsed by the browser (`Response.json()`), not in Rust.
pub async fn snapshot(token: &str, after: Option<Uuid>) -> Result<SnapshotPage, ApiError> {
    let path = match after {
        Some(id) => {
            format!("/api/sync/snapshot?after={id}&limit={SNAPSHOT_LIMIT}&index={INDEX_VERSION}")
        }
        None => format!("/api/sync/snapshot?limit={SNAPSHOT_LIMIT}&index={INDEX_VERSION}"),
    };
    let response = api::send(api::prepare(Request::get(&path), Some(token)).build()).await?;
    let body = web_sys::Response::from(response)
        .json()
        .map_err(|_| ApiError::Unexpected("a snapshot page that cannot be read".into()))?;
    let body = wasm_bindgen_futures::JsFuture::from(body)
        .await
        .map_err(|_| ApiError::Network)?;
    SnapshotPage::read(&body).ok_or_else(|| ApiError::Unexpected("not a snapshot page".into()))
}

#[derive(Deserialize)]
struct TicketResponse {
    ticket: String,
}

/// `POST /api/sync/events/ticket`: a single-use ticket for `GET /api/sync/events?ticket=…`.
pub async fn events_ticket(token: &str) -> Result<String, ApiError> {
    let answer: TicketResponse = api::post(
        "/api/sync/events/ticket",
        Some(token),
        &serde_json::json!({}),
    )
    .await?;
    Ok(answer.ticket)
}

/// Whether a refused op can never be accepted as it is (so it must not block the outbox):
/// a reused op id, an op the registry or the merge refuses, a role that may not write it.
/// A clock ahead of the server's is not: time catches up.
pub fn refused_for_good(status: u16, code: &str) -> bool {
    match code {
        "clock_ahead" => false,
        "op_id_reused" => true,
        _ => matches!(status, 403 | 409 | 422),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_that_block_and_those_that_do_not() {
        assert!(refused_for_good(409, "op_id_reused"));
        assert!(refused_for_good(422, "unknown_field"));
        assert!(refused_for_good(403, "forbidden"));
        assert!(!refused_for_good(422, "clock_ahead"));
        assert!(!refused_for_good(413, "payload_too_large"));
    }

    #[test]
    fn a_pull_page_reads() {
        let json = r#"{"ops": [], "last_seq": 7, "more": false, "server_time_ms": 5}"#;
        let page: PullResponse = serde_json::from_str(json).unwrap();
        assert_eq!(page.last_seq, 7);
        assert!(page.ops.is_empty() && page.records.is_empty() && page.scope.is_none());
        let record = RecordState::new(Uuid::now_v7(), "a_card", "demo");
        let json = format!(
            r#"{{"ops": [], "records": [{}], "last_seq": 7, "more": false, "server_time_ms": 5, "scope": "v1:all"}}"#,
            serde_json::to_string(&record).unwrap()
        );
        let page: PullResponse = serde_json::from_str(&json).unwrap();
        assert_eq!(page.records, vec![record]);
        assert_eq!(page.scope.as_deref(), Some("v1:all"));
    }
}
