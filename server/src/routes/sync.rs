//! The sync API (docs/sync.md, "Sync API"): `POST /api/sync/push`,
//! `GET /api/sync/pull`, `GET /api/sync/snapshot`, `POST /api/sync/events/ticket`,
//! `GET /api/sync/events`.
//!
//! The handler checks everything about a pushed op that needs no storage (store, device, user,
//! [`validate_op`], the role, the clock); storage checks the rest (op ids, the stored record)
//! and numbers and stores the ops in one durable transaction before the answer.

use std::{convert::Infallible, fmt::Write, time::Duration};

use axum::{
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use domain::policy::PolicyError;
use domain::records::scope::{PhoneEntry, Scope};
use domain::records::{index, may_write};
use domain::sync::{DEFAULT_MAX_FUTURE_MS, Op, RecordState, check_future, validate_op};
use domain::time::StoreClock;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};
use uuid::Uuid;

use domain::audit::AuditKind;

use crate::{
    AppState, audit,
    auth::{AuthUser, authenticate, authenticate_hash, bearer_token},
    error::{Error, ErrorBody, OpError},
    extract::{Json, Query},
    store::{PulledOp, PushCheck, Reader, RefusalReason, StoredJson, sync::registry},
};

/// At most this many ops in one push.
pub const MAX_PUSH_OPS: usize = 500;
/// At most this many bytes in one push body.
pub const MAX_PUSH_BYTES: usize = 2 * 1024 * 1024;
/// At most this many ops or records per pull / snapshot page.
pub const MAX_PAGE: usize = 1000;
/// Ops per pull page when `limit` is not given.
pub const DEFAULT_PULL_LIMIT: usize = 500;
/// Records per snapshot page when `limit` is not given.
pub const DEFAULT_SNAPSHOT_LIMIT: usize = 500;
/// Keep-alive comments on the event stream.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// An event stream with nothing to announce checks its token again this often (a stream also
/// checks it before every event), and ends once the token no longer works.
pub const RECHECK: Duration = Duration::from_secs(5);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)))
        .routes(routes!(pull))
        .routes(routes!(snapshot))
        .routes(routes!(phones))
        .routes(routes!(events))
        .routes(routes!(events_ticket))
}

/// The server's clock, Unix ms.
pub fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// What the user's devices hold: the types they may read, by the sync scope of their roles
/// (`domain::records::scope`).
pub fn reader(auth: &AuthUser) -> Reader {
    Reader::user(&auth.actor())
}

/// The key of the user's sync scope (`Scope::key`), sent with every pull and snapshot page.
fn scope_key(auth: &AuthUser) -> String {
    Scope::of(&auth.actor()).key()
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PushRequest {
    /// At most 500 ops (`domain::sync::Op`), in the order they were made.
    #[schema(value_type = Vec<Object>)]
    pub ops: Vec<Op>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct Ack {
    pub op_id: Uuid,
    /// The op's number in the store's log (a resent op gets its first number again).
    pub seq: u64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct PushResponse {
    /// One per pushed op, in the same order.
    pub acks: Vec<Ack>,
    /// The server's clock (Unix ms) when it answered.
    pub server_time_ms: u64,
}

/// Checks one op against the token and the registry (no storage needed).
fn check_op(auth: &AuthUser, user_id: &str, op: &Op, now: u64) -> Result<(), (OpError, bool)> {
    if op.store_id != auth.user.store_id {
        return Err((OpError::WrongStore, false));
    }
    if op.device_id != auth.device.id {
        return Err((OpError::WrongDevice, false));
    }
    if op.user_id != user_id {
        return Err((OpError::WrongUser, false));
    }
    validate_op(op, registry()).map_err(|e| (OpError::Sync(e), false))?;
    if !may_write(&auth.user.roles, &op.record_type) {
        return Err((
            OpError::NotAllowed {
                record_type: op.record_type.clone(),
            },
            false,
        ));
    }
    if op.requires_manager() && !auth.is_manager() {
        return Err((OpError::ManagerOnly, false));
    }
    check_future(op.hlc, now, DEFAULT_MAX_FUTURE_MS).map_err(|e| (OpError::Sync(e), true))
}

/// Stores a batch of ops made on this device and numbers them.
///
/// Every op must carry the user's `store_id`, the token's `device_id` and the user's id as
/// `user_id`; the user's role must allow writing its `record_type`; its HLC may be at most
/// 2 h ahead of the server's clock and 7 days behind it. Every new op is then checked against
/// the record as stored by `domain::policy::check_op` (docs/sync.md, "What the server
/// refuses"). Any refused op refuses the whole batch (`op_index` says
/// which) and nothing is written. The answer comes after the ops are durably stored.
#[utoipa::path(
    post,
    path = "/api/sync/push",
    tag = "sync",
    security(("bearer" = [])),
    request_body = PushRequest,
    responses(
        (status = 200, body = PushResponse),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`wrong_store`, `wrong_device`, `wrong_user`, `forbidden`; the rules' `sales_settings_manager_only`, `rota_order_manager_only`, `reassign_manager_only`, `not_your_customer`, `a_card_role_may_not`, `a_card_only_manager_may_confirm_loss` (with `op_index`)", body = ErrorBody),
        (status = 409, description = "`op_id_reused`, `entry_id_reused`, `status_changed` (with `op_index`)", body = ErrorBody),
        (status = 413, description = "`payload_too_large` (over 2 MiB), `too_many_ops` (over 500)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`invalid_body`; an op refused by `validate_op` (`unknown_record_type`, `unknown_field`, …) or `clock_ahead` / `clock_behind` (with `server_time_ms`); the rules' `unknown_write`, `a_card_re_contact_required`, `a_card_customer_will_reconsider`, `a_card_move_not_allowed`, `appointment_too_soon`; with `op_index`", body = ErrorBody),
    )
)]
async fn push(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(body): Json<PushRequest>,
) -> Result<Json<PushResponse>, Error> {
    let count = body.ops.len();
    // What the audit log says of a refused op (kept before the ops go to storage).
    let what: Vec<(String, Uuid)> = body
        .ops
        .iter()
        .map(|o| (o.record_type.clone(), o.record_id))
        .collect();
    let answer = push_ops(&state, &auth, body.ops).await;
    match &answer {
        Ok(_) => state.metrics().push_accepted(count),
        Err(e @ Error::Op { index, .. }) => {
            state.metrics().op_refused(e.code());
            let detail = match what.get(*index) {
                Some((record_type, record_id)) => {
                    format!("op_index={index} record_type={record_type} record_id={record_id}")
                }
                None => format!("op_index={index}"),
            };
            audit::write(
                &state,
                audit::Event::new(AuditKind::PushRefused)
                    .by(&auth)
                    .code(e.code())
                    .detail(detail),
            )
            .await;
        }
        Err(_) => {}
    }
    answer
}

async fn push_ops(
    state: &AppState,
    auth: &AuthUser,
    ops: Vec<Op>,
) -> Result<Json<PushResponse>, Error> {
    if ops.len() > MAX_PUSH_OPS {
        return Err(Error::TooManyOps {
            count: ops.len(),
            max: MAX_PUSH_OPS,
        });
    }
    let now = now_ms();
    let user_id = auth.user.id.to_string();
    for (index, op) in ops.iter().enumerate() {
        check_op(auth, &user_id, op, now).map_err(|(kind, clock)| Error::Op {
            index,
            kind,
            server_time_ms: clock.then_some(now),
        })?;
    }
    let op_ids: Vec<Uuid> = ops.iter().map(|o| o.op_id).collect();
    let seqs = if ops.is_empty() {
        Vec::new()
    } else {
        state
            .store()
            .push(
                auth.user.store_id.clone(),
                ops,
                PushCheck::device(auth.actor(), now),
            )
            .await?
            .map_err(|refusal| Error::Op {
                index: refusal.op_index,
                server_time_ms: matches!(
                    &refusal.reason,
                    RefusalReason::Policy(PolicyError::ClockBehind { .. })
                )
                .then_some(now),
                kind: match refusal.reason {
                    RefusalReason::OpIdReused => OpError::OpIdReused,
                    RefusalReason::Apply(e) => OpError::Sync(e),
                    RefusalReason::UnknownAuthor => OpError::WrongUser,
                    RefusalReason::Policy(e) => OpError::Policy(e),
                },
            })?
    };
    let acks = op_ids
        .into_iter()
        .zip(seqs)
        .map(|(op_id, seq)| Ack { op_id, seq })
        .collect();
    Ok(Json(PushResponse {
        acks,
        server_time_ms: now_ms(),
    }))
}

fn page_limit(limit: Option<usize>, default: usize) -> Result<usize, Error> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(n) => Err(Error::InvalidQuery(format!(
            "limit={n} (from 1 to {MAX_PAGE})"
        ))),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor: the `last_seq` of the previous pull (0 or absent the first time).
    pub after: Option<u64>,
    /// At most this many ops (1–1000, default 500).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PullResponse {
    /// `{seq, received_ms, op}` in seq order; only ops of records in the user's sync scope
    /// (and the op that took a record out of it). `received_ms`: when the server stored the op
    /// (Unix ms; absent for ops stored before the server kept it).
    #[schema(value_type = Vec<Object>)]
    pub ops: Vec<PulledOp>,
    /// Whole records (`RecordState`, as stored now) that may have entered (or left) the user's
    /// scope after `after`: join them with the device's copy.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<StoredJson>,
    /// The key of the user's sync scope (`Scope::key`): a device whose records were synced
    /// under another key fetches its new scope (docs/sync.md, "Sync scope per role").
    pub scope: String,
    /// The cursor for the next pull (advances past ops the user may not read, too).
    pub last_seq: u64,
    /// More ops are waiting: pull again right away.
    pub more: bool,
    pub server_time_ms: u64,
}

/// The store's ops after the cursor, in seq order.
#[utoipa::path(
    get,
    path = "/api/sync/pull",
    tag = "sync",
    security(("bearer" = [])),
    params(PullQuery),
    responses(
        (status = 200, body = PullResponse),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn pull(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<PullQuery>,
) -> Result<Response, Error> {
    let limit = page_limit(q.limit, DEFAULT_PULL_LIMIT)?;
    let after = q.after.unwrap_or(0);
    let page = state
        .store()
        .pull(auth.user.store_id.clone(), after, limit, reader(&auth))
        .await?;
    // A `PullResponse`, written by hand so that the stored ops go out as they are.
    let size: usize = page
        .ops
        .iter()
        .map(|o| o.op.get().len() + 32)
        .sum::<usize>()
        + page
            .records
            .iter()
            .map(|r| r.get().len() + 1)
            .sum::<usize>();
    let mut body = String::with_capacity(size + 96);
    body.push_str("{\"ops\":[");
    for (i, o) in page.ops.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(body, "{{\"seq\":{}", o.seq);
        if let Some(ms) = o.received_ms {
            let _ = write!(body, ",\"received_ms\":{ms}");
        }
        let _ = write!(body, ",\"op\":{}}}", o.op.get());
    }
    body.push_str("],\"records\":[");
    for (i, r) in page.records.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(r.get());
    }
    let _ = write!(
        body,
        "],\"last_seq\":{},\"more\":{},\"server_time_ms\":{},\"scope\":{}}}",
        page.last_seq,
        page.more,
        now_ms(),
        json_string(&scope_key(&auth))
    );
    Ok(json_body(body))
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A JSON answer from text made by hand.
fn json_body(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotQuery {
    /// Resume after this record id (the `next` of the previous page); absent for the first page.
    pub after: Option<Uuid>,
    /// At most this many records (1–1000, default 500).
    pub limit: Option<usize>,
    /// The device's index version (`domain::records::index::VERSION`): when it is this
    /// server's, each record is sent as the device stores it (`domain::records::index::
    /// device_value`: `{type, id, json, owner, status, day, …}`, `json` the record's compact
    /// text, `domain::sync::compact`) and
    /// the answer says `index`; otherwise (or absent) records are sent as they are.
    pub index: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotResponse {
    /// `domain::sync::RecordState`s by record id.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<StoredJson>,
    /// `after` for the next page; `null` on the last page.
    pub next: Option<Uuid>,
    /// The store's seq when this page was read. Keep the first page's and pull after it once
    /// the last page is in.
    pub seq: u64,
    /// How many records the user's devices hold (for a progress bar) when `exact`; for a
    /// limited scope (`exact` false), how many records of the scope's types the store has: an
    /// upper bound.
    pub total: u64,
    /// Whether `total` is the exact count.
    pub exact: bool,
    /// The key of the user's sync scope (as in pull).
    pub scope: String,
    /// Present when the records are sent as the device stores them (the `index` asked for).
    pub index: Option<u32>,
}

/// The store's current records, for a new device's first sync.
#[utoipa::path(
    get,
    path = "/api/sync/snapshot",
    tag = "sync",
    security(("bearer" = [])),
    params(SnapshotQuery),
    responses(
        (status = 200, body = SnapshotResponse),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn snapshot(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<SnapshotQuery>,
) -> Result<Response, Error> {
    let limit = page_limit(q.limit, DEFAULT_SNAPSHOT_LIMIT)?;
    let page = state
        .store()
        .snapshot(auth.user.store_id.clone(), q.after, limit, reader(&auth))
        .await?;
    // A `SnapshotResponse`, written by hand so that the stored records go out as they are.
    let indexed = q.index == Some(index::VERSION);
    let size: usize = page.records.iter().map(|r| r.get().len() + 1).sum();
    let mut body = String::with_capacity(if indexed { size * 2 } else { size } + 128);
    body.push_str("{\"records\":[");
    let clock = if indexed {
        state
            .store()
            .get_store(auth.user.store_id.clone())
            .await?
            .and_then(|s| StoreClock::from_offset_minutes(s.utc_offset_minutes))
            .unwrap_or_default()
    } else {
        StoreClock::default()
    };
    for (i, r) in page.records.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        if indexed {
            // What the device stores, its index fields computed here (the same domain code).
            let record: RecordState = serde_json::from_str(r.get())
                .map_err(|e| Error::Internal(format!("a stored record: {e}")))?;
            body.push_str(&index::device_value(&record, clock).to_string());
        } else {
            body.push_str(r.get());
        }
    }
    let next = match page.next {
        Some(id) => format!("\"{id}\""),
        None => "null".to_owned(),
    };
    let _ = write!(
        body,
        "],\"next\":{next},\"seq\":{},\"total\":{},\"exact\":{},\"scope\":{}",
        page.seq,
        page.total,
        page.exact,
        json_string(&scope_key(&auth))
    );
    if indexed {
        let _ = write!(body, ",\"index\":{}", index::VERSION);
    }
    body.push('}');
    Ok(json_body(body))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhonesResponse {
    /// Every live A-card of the store with a valid phone: `[phone, record_id, name,
    /// consultant_id]` (the phone normalised by `sales::phone::normalise`; name and consultant
    /// "" when none). Rows rather than objects: a store has tens of thousands.
    #[schema(value_type = Vec<Vec<String>>)]
    pub phones: Vec<(String, Uuid, String, String)>,
    /// The store's seq when the index was read.
    pub seq: u64,
}

/// The store's phone index for 撞单 warnings on a device that does not hold a colleague's card
/// (docs/sync.md, "The phone index"). For whoever works in sales; read again by the device
/// after its syncs (at most every few minutes).
#[utoipa::path(
    get,
    path = "/api/sync/phones",
    tag = "sync",
    security(("bearer" = [])),
    responses(
        (status = 200, body = PhonesResponse),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the user may not read A-cards", body = ErrorBody),
    )
)]
async fn phones(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<PhonesResponse>, Error> {
    if !Scope::of(&auth.actor()).may_read("a_card") {
        return Err(Error::Forbidden);
    }
    let (entries, seq) = state
        .store()
        .phone_index(auth.user.store_id.clone())
        .await?;
    Ok(Json(PhonesResponse {
        phones: entries
            .into_iter()
            .map(
                |PhoneEntry {
                     phone,
                     record_id,
                     name,
                     consultant_id,
                 }| { (phone, record_id, name, consultant_id) },
            )
            .collect(),
        seq,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// A ticket from `POST /api/sync/events/ticket` (`EventSource` cannot send headers); good
    /// for one stream within 60 s. Without it, the `Authorization` header is used.
    pub ticket: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TicketResponse {
    /// Pass as `GET /api/sync/events?ticket=…`. Good once, within `expires_in_secs`.
    pub ticket: String,
    pub expires_in_secs: u64,
}

/// A ticket for one event stream, so that the token never goes into a URL (`EventSource`
/// cannot send an `Authorization` header; URLs end up in logs).
#[utoipa::path(
    post,
    path = "/api/sync/events/ticket",
    tag = "sync",
    security(("bearer" = [])),
    responses(
        (status = 200, body = TicketResponse),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    )
)]
async fn events_ticket(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<TicketResponse>, Error> {
    let tickets = state.event_tickets();
    Ok(Json(TicketResponse {
        ticket: tickets.issue(auth.token)?,
        expires_in_secs: tickets.ttl().as_secs(),
    }))
}

fn changed(seq: u64) -> Event {
    Event::default()
        .event("changed")
        .data(format!("{{\"seq\":{seq}}}"))
}

/// Server-sent events: `event: changed` with `data: {"seq": N}` once on connect and whenever
/// the store's seq advances; keep-alive comments every 15 s; ends when the server shuts down,
/// and when the token stops working (logged out, expired, device revoked): the token is checked
/// again before every event and every [`RECHECK`] while nothing happens. Authorised by a
/// `?ticket=` (`POST /api/sync/events/ticket`) or an `Authorization: Bearer` header.
#[utoipa::path(
    get,
    path = "/api/sync/events",
    tag = "sync",
    params(EventsQuery),
    responses(
        (status = 200, description = "`text/event-stream`", content_type = "text/event-stream"),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`: no ticket or header, an unknown, used or expired ticket, a token that does not work", body = ErrorBody),
    )
)]
async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Error> {
    let auth = match q.ticket {
        Some(ticket) => {
            let token = state
                .event_tickets()
                .redeem(&ticket)
                .ok_or(Error::Unauthorized)?;
            authenticate_hash(&state, token).await?
        }
        None => {
            let token = bearer_token(&headers).ok_or(Error::Unauthorized)?;
            authenticate(&state, token).await?
        }
    };
    let token = auth.token;
    let store_id = auth.user.store_id;
    let rx = state.store().subscribe(&store_id);
    let seq = state.store().seq(store_id).await?;
    let shutdown = state.shutdown_signal();
    // Counts the stream as open until the stream (and this state with it) is dropped.
    let guard = state.metrics().event_stream_opened();
    let stream = futures_util::stream::unfold(
        (Some(seq), rx, shutdown, state, token, guard),
        |(first, mut rx, shutdown, state, token, guard)| async move {
            if let Some(seq) = first {
                return Some((Ok(changed(seq)), (None, rx, shutdown, state, token, guard)));
            }
            loop {
                if *shutdown.borrow() {
                    return None;
                }
                let stopped = shutdown.clone();
                let news = tokio::select! {
                    r = rx.changed() => match r {
                        Ok(()) => Some(*rx.borrow_and_update()),
                        Err(_) => return None,
                    },
                    _ = async move {
                        let mut stopped = stopped;
                        let _ = stopped.wait_for(|s| *s).await;
                    } => return None,
                    _ = tokio::time::sleep(RECHECK) => None,
                };
                // A revoked device or a logged-out token gets nothing more.
                if authenticate_hash(&state, token).await.is_err() {
                    return None;
                }
                if let Some(seq) = news {
                    return Some((Ok(changed(seq)), (None, rx, shutdown, state, token, guard)));
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
