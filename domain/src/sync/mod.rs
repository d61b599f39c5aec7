//! The sync engine: hybrid logical clocks, ops, field-level merge and conflicts.
//!
//! Pure: no I/O, compiles for wasm32. The device and the server run the same code:
//!
//! - **Schema** ([`RecordType`], [`FieldKind`], [`StateMachine`], [`Registry`]): every record
//!   type declares the merge kind of each field once, as a `static`.
//! - **Clock** ([`Hlc`], [`Clock`], [`check_future`]): every op is stamped with a hybrid
//!   logical clock; writes are totally ordered by `(hlc, device_id, op_id)`.
//! - **Ops** ([`Op`], [`Change`], [`validate_op`]): field-level changes of one record.
//! - **Merge** ([`RecordState`], [`apply`], [`join`]): commutative, associative, idempotent;
//!   views ([`RecordState::value`], [`RecordState::status`], [`RecordState::log`],
//!   [`RecordState::counter`], [`RecordState::set`], [`RecordState::conflicts`]).
//! - **Edits** ([`Edit`]): build changes with the right `supersedes` from the local state.
//!
//! ## How the merge decides
//!
//! - **Scalar** and **status** fields are multi-value registers. A write names in `supersedes`
//!   the heads it overwrote; a write that nobody superseded is a head. The shown value is the
//!   last head by `(hlc, device_id, op_id)` (status: the head of highest rank in the machine,
//!   so a merge never moves a record backwards). Heads whose value differs from the shown one
//!   are an open [`Conflict`] (for a status, unless the winner's move started from the state
//!   the other head reached). An ordinary edit ([`Edit::set`], [`Edit::transition`])
//!   supersedes the shown head and the heads agreeing with it, so an open conflict stays open;
//!   a resolution ([`Edit::resolve`], [`Edit::resolve_status`]) supersedes every head.
//! - **Log**: union of entries by `entry_id`, shown in `(hlc, entry_id)` order.
//! - **Counter**: every step kept by op id; the value is the sum.
//! - **Set**: add-wins observed-remove set; adds are tagged with the op id, a remove lists the
//!   tags it saw ([`Edit::set_remove`]).
//! - **Tombstone**: a register of deletes/restores, each superseding every head; reported as
//!   field [`DELETED_FIELD`] when a delete and a restore were concurrent.
//!
//! ## Who does what
//!
//! - Device: keep one [`Clock`] (persist it); stamp each op with [`Clock::now`]; build changes
//!   with [`Edit`]; [`validate_op`]; [`apply`] to the local [`RecordState`] and put the op in the
//!   outbox in one IndexedDB transaction. For every op pulled, [`Clock::observe`] then [`apply`].
//!   At each sync, [`Clock::set_offset`] with the server's time. A new device may start from
//!   server snapshots with [`join`].
//! - Server: for each pushed op, [`validate_op`], [`check_future`] (with
//!   [`DEFAULT_MAX_FUTURE_MS`]), the role check ([`Op::requires_manager`] for restores, the
//!   user's store = `op.store_id`), then [`apply`] to the stored state (`Ok(false)` = already
//!   had it) and store the op. Errors carry [`SyncError::code`] and both languages' messages.
//!
//! A device making an edit:
//!
//! ```
//! use domain::sync::{apply, validate_op, Clock, Edit, Op, RecordState, Registry, CUSTOMER, new_id};
//! use serde_json::json;
//!
//! let mut registry = Registry::new();
//! registry.register(&CUSTOMER).unwrap();
//! let device = new_id(1_700_000_000_000, [1; 10]);
//! let mut clock = Clock::new();
//! let now_ms = 1_700_000_000_000; // the device's physical clock, passed in
//! let record_id = new_id(now_ms, [2; 10]);
//! let mut state = RecordState::new(record_id, "customer", "demo");
//! let edit = Edit::new(&state, &CUSTOMER);
//! let op = Op {
//!     op_id: new_id(now_ms, [3; 10]),
//!     device_id: device,
//!     user_id: "consultant".into(),
//!     store_id: "demo".into(),
//!     record_id,
//!     record_type: "customer".into(),
//!     hlc: clock.now(now_ms),
//!     changes: vec![
//!         edit.set("name", json!("王先生")).unwrap(),
//!         edit.transition("stage", "contacted").unwrap(),
//!     ],
//! };
//! validate_op(&op, &registry).unwrap();
//! apply(&mut state, &op, &CUSTOMER).unwrap();
//! assert_eq!(state.value("name"), Some(&json!("王先生")));
//! assert_eq!(state.status(&CUSTOMER, "stage"), Some("contacted"));
//! ```

pub mod compact;
mod edit;
mod error;
mod hlc;
mod limits;
mod op;
pub mod outbox;
mod schema;
mod state;

pub use edit::Edit;
pub use error::SyncError;
pub use hlc::{Clock, DEFAULT_MAX_FUTURE_MS, Hlc, check_future};
pub use limits::{
    MAX_CHANGES_PER_OP, MAX_COUNTER_DELTA, MAX_IDS_PER_CHANGE, MAX_STRING_LEN, MAX_VALUE_BYTES,
};
pub use op::{Change, Op, new_id, validate_op};
pub use schema::{
    CUSTOMER, CUSTOMER_STAGE, FieldDef, FieldKind, RecordType, Registry, StateMachine,
};
pub use state::{
    Conflict, CounterState, CounterStep, DELETED_FIELD, FieldState, Head, LogEntry, LogState,
    RecordState, Register, SetState, Write, apply, join,
};

#[cfg(test)]
mod tests;
