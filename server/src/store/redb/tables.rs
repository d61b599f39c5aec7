//! The tables of `forecourt.redb` and the layout version. Values are JSON-encoded records
//! (see `codec.rs`).

use ::redb::{MultimapTableDefinition, TableDefinition};

/// `"schema_version"` → the version of this file's layout.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// store id → [`StoreRec`](crate::store::StoreRec) (JSON)
pub const STORES: TableDefinition<&str, &[u8]> = TableDefinition::new("stores");
/// user id (uuid as u128) → [`UserRec`](crate::store::UserRec) (JSON)
pub const USERS: TableDefinition<u128, &[u8]> = TableDefinition::new("users");
/// normalised username → user id
pub const USERS_BY_USERNAME: TableDefinition<&str, u128> =
    TableDefinition::new("users_by_username");
/// device id → [`DeviceRec`](crate::store::DeviceRec) (JSON)
pub const DEVICES: TableDefinition<u128, &[u8]> = TableDefinition::new("devices");
/// SHA-256 of a token → [`Session`](crate::store::Session) (JSON)
pub const TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("tokens");

/// (store id, seq) → the op (JSON of `domain::sync::Op`). Seqs of a store are 1, 2, 3, …
pub const OPS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("ops");
/// (store id, seq) → when the server received the op (Unix ms; the commit of its push). Beside
/// [`OPS`] rather than inside it so that the stored op stays the op as the device made it. Ops
/// stored before this table existed have no entry.
pub const OP_RECEIVED: TableDefinition<(&str, u64), u64> = TableDefinition::new("op_received");
/// op id (uuid as u128) → (store id, seq)
pub const OP_IDS: TableDefinition<u128, (&str, u64)> = TableDefinition::new("op_ids");
/// (store id, record id as u128) → `domain::sync::RecordState` (JSON)
pub const RECORDS: TableDefinition<(&str, u128), &[u8]> = TableDefinition::new("records");
/// store id → the store's last seq
pub const STORE_SEQ: TableDefinition<&str, u64> = TableDefinition::new("store_seq");
/// (store id, record type) → how many records of that type the store has (snapshot `total`)
pub const RECORD_COUNTS: TableDefinition<(&str, &str), u64> = TableDefinition::new("record_counts");
/// Layout 1 only: (store id, normalised phone) → the ids of the A-cards whose current phone it
/// is. Replaced by [`A_CARD_PHONE_OF`] in layout 2 (moved over and deleted on open).
pub const A_CARD_PHONES: MultimapTableDefinition<(&str, &str), u128> =
    MultimapTableDefinition::new("a_card_phones");
/// (store id, A-card id as u128) → the card's current normalised phone. Keyed by record id so
/// that a new card (UUIDv7 ids grow with time) appends at the end of the tree instead of
/// dirtying a random page per card, as an index keyed by phone did (a third of the sync
/// writer's time per op); the duplicate groups are made from one range scan of the store.
pub const A_CARD_PHONE_OF: TableDefinition<(&str, u128), &str> =
    TableDefinition::new("a_card_phone_of");

/// (store id, record id as u128, seq) → nothing: the ops of each record, in seq order (a
/// record's history, `GET /api/records/{id}/history`). Written with the op by the sync writer;
/// filled from [`OPS`] when a layout-2 file is opened.
pub const RECORD_OPS: TableDefinition<(&str, u128, u64), ()> = TableDefinition::new("record_ops");
/// (store id, entry id as u128) → `domain::audit::AuditEntry` (JSON). Entry ids are UUIDv7, so
/// a store's entries are in time order; events of no store are under the store id `""`
/// (`crate::store::audit::SERVER_WIDE`).
pub const AUDIT: TableDefinition<(&str, u128), &[u8]> = TableDefinition::new("audit");

/// (store id, blob id `sha256-…`) → the blob's bytes (`crate::store::blob`). Content-addressed:
/// written once, never changed.
pub const BLOBS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("blobs");
/// (store id, blob id) → [`BlobInfo`](crate::store::blob::BlobInfo) (JSON): type, size, who
/// uploaded it and when.
pub const BLOB_INFO: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("blob_info");

/// The layout version written into [`META`]. 2: [`A_CARD_PHONE_OF`] instead of
/// [`A_CARD_PHONES`]. 3: [`RECORD_OPS`] holds every op.
pub const SCHEMA_VERSION: u64 = 3;
