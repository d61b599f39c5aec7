//! Size limits on ops and schemas: the bounds a pushed op is checked against.

/// At most this many changes in one op.
pub const MAX_CHANGES_PER_OP: usize = 64;
/// At most this many bytes in one JSON value (scalar value or log entry), serialised.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;
/// At most this many characters in a name, id string, state or set element.
pub const MAX_STRING_LEN: usize = 200;
/// At most this many op ids in one `supersedes` / `observed` list.
pub const MAX_IDS_PER_CHANGE: usize = 256;
/// A counter step is at most this large in absolute value.
pub const MAX_COUNTER_DELTA: i64 = 1_000_000_000;
