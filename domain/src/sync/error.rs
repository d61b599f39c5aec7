//! Errors of the sync engine, with stable codes for the wire and messages in both languages.

use thiserror::Error;
use uuid::Uuid;

/// Why an op, a state or a schema was refused. `code()` is stable (snake_case, used as the
/// HTTP error `code`); `message_zh()` / `message_en()` are for people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SyncError {
    #[error("unknown record type `{record_type}`")]
    UnknownRecordType { record_type: String },
    #[error("record type `{record_type}` has no field `{field}`")]
    UnknownField { record_type: String, field: String },
    #[error("field `{field}` is a {expected} field, not a {got} change")]
    WrongKind {
        field: String,
        expected: &'static str,
        got: &'static str,
    },
    #[error("field `{field}` has no state `{state}`")]
    UnknownState { field: String, state: String },
    #[error("field `{field}` may not go from `{from}` to `{to}`")]
    TransitionNotAllowed {
        field: String,
        from: String,
        to: String,
    },
    #[error("an op with no changes")]
    EmptyOp,
    #[error("{count} changes in one op (at most {max})")]
    TooManyChanges { count: usize, max: usize },
    #[error("field `{field}` changed twice in one op")]
    DuplicateField { field: String },
    #[error("value of `{field}` is {bytes} bytes (at most {max})")]
    ValueTooLarge {
        field: String,
        bytes: usize,
        max: usize,
    },
    #[error("{what} is {len} characters long (at most {max})")]
    StringTooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{what} is empty")]
    EmptyString { what: &'static str },
    #[error("{count} ids in one change of `{field}` (at most {max})")]
    TooManyIds {
        field: String,
        count: usize,
        max: usize,
    },
    #[error("counter `{field}` step {delta} is out of range (at most ±{max})")]
    DeltaOutOfRange { field: String, delta: i64, max: i64 },
    #[error("{what} is not a valid id")]
    InvalidId { what: &'static str },
    #[error("op for record {got} applied to record {expected}")]
    RecordMismatch { expected: Uuid, got: Uuid },
    #[error(
        "op or state of type `{got}` / store `{got_store}` applied to a `{expected}` record of store `{expected_store}`"
    )]
    TypeMismatch {
        expected: String,
        got: String,
        expected_store: String,
        got_store: String,
    },
    #[error("the device clock is {ahead_ms} ms ahead of the server (at most {max_skew_ms} ms)")]
    ClockAhead { ahead_ms: u64, max_skew_ms: u64 },
    #[error("field `{field}` holds data of another kind: {reason}")]
    CorruptState { field: String, reason: &'static str },
    #[error("record type `{record_type}` is badly declared: {reason}")]
    InvalidSchema { record_type: String, reason: String },
}

impl SyncError {
    /// Stable snake_case code for the wire.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::UnknownRecordType { .. } => "unknown_record_type",
            SyncError::UnknownField { .. } => "unknown_field",
            SyncError::WrongKind { .. } => "wrong_field_kind",
            SyncError::UnknownState { .. } => "unknown_state",
            SyncError::TransitionNotAllowed { .. } => "transition_not_allowed",
            SyncError::EmptyOp => "empty_op",
            SyncError::TooManyChanges { .. } => "too_many_changes",
            SyncError::DuplicateField { .. } => "duplicate_field",
            SyncError::ValueTooLarge { .. } => "value_too_large",
            SyncError::StringTooLong { .. } => "string_too_long",
            SyncError::EmptyString { .. } => "empty_string",
            SyncError::TooManyIds { .. } => "too_many_ids",
            SyncError::DeltaOutOfRange { .. } => "delta_out_of_range",
            SyncError::InvalidId { .. } => "invalid_id",
            SyncError::RecordMismatch { .. } => "record_mismatch",
            SyncError::TypeMismatch { .. } => "type_mismatch",
            SyncError::ClockAhead { .. } => "clock_ahead",
            SyncError::CorruptState { .. } => "corrupt_state",
            SyncError::InvalidSchema { .. } => "invalid_schema",
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            SyncError::ClockAhead {
                ahead_ms,
                max_skew_ms,
            } => format!(
                "This device's clock is {} ahead of the server (at most {} allowed). Set the date and time correctly, then sync again.",
                duration(*ahead_ms, false),
                duration(*max_skew_ms, false)
            ),
            other => {
                let mut s = other.to_string();
                if let Some(first) = s.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                s.push('.');
                s
            }
        }
    }

    /// The message in Chinese (zh-CN).
    pub fn message_zh(&self) -> String {
        match self {
            SyncError::UnknownRecordType { record_type } => {
                format!("未知的记录类型“{record_type}”")
            }
            SyncError::UnknownField { record_type, field } => {
                format!("记录类型“{record_type}”没有字段“{field}”")
            }
            SyncError::WrongKind {
                field,
                expected,
                got,
            } => format!(
                "字段“{field}”是{}字段，不能做{}修改",
                kind_zh(expected),
                kind_zh(got)
            ),
            SyncError::UnknownState { field, state } => {
                format!("字段“{field}”没有状态“{state}”")
            }
            SyncError::TransitionNotAllowed { field, from, to } => {
                format!("字段“{field}”不能从“{from}”变为“{to}”")
            }
            SyncError::EmptyOp => "修改内容为空".to_string(),
            SyncError::TooManyChanges { count, max } => {
                format!("一次修改包含 {count} 项变更（最多 {max} 项）")
            }
            SyncError::DuplicateField { field } => {
                format!("字段“{field}”在一次修改中出现了两次")
            }
            SyncError::ValueTooLarge { field, bytes, max } => {
                format!("字段“{field}”的值有 {bytes} 字节（最多 {max} 字节）")
            }
            SyncError::StringTooLong { what, len, max } => {
                format!("{}长度为 {len}（最多 {max}）", what_zh(what))
            }
            SyncError::EmptyString { what } => format!("{}为空", what_zh(what)),
            SyncError::TooManyIds { field, count, max } => {
                format!("字段“{field}”的一次变更引用了 {count} 个编号（最多 {max} 个）")
            }
            SyncError::DeltaOutOfRange { field, delta, max } => {
                format!("计数字段“{field}”的增量 {delta} 超出范围（最多 ±{max}）")
            }
            SyncError::InvalidId { what } => format!("{}不是有效的编号", what_zh(what)),
            SyncError::RecordMismatch { expected, got } => {
                format!("记录 {got} 的修改不能用于记录 {expected}")
            }
            SyncError::TypeMismatch {
                expected,
                got,
                expected_store,
                got_store,
            } => format!(
                "类型“{got}”（门店“{got_store}”）的修改不能用于类型“{expected}”（门店“{expected_store}”）的记录"
            ),
            SyncError::ClockAhead {
                ahead_ms,
                max_skew_ms,
            } => format!(
                "本设备的时钟比服务器快 {}（最多允许 {}）。请先校正设备的日期和时间，再同步。",
                duration(*ahead_ms, true),
                duration(*max_skew_ms, true)
            ),
            SyncError::CorruptState { field, reason } => {
                format!("字段“{field}”的数据已损坏：{reason}")
            }
            SyncError::InvalidSchema {
                record_type,
                reason,
            } => format!("记录类型“{record_type}”定义有误：{reason}"),
        }
    }
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "scalar" => "普通",
        "status" => "状态",
        "log" => "日志",
        "counter" => "计数",
        "set" => "集合",
        _ => "未知",
    }
}

fn what_zh(what: &str) -> &'static str {
    match what {
        "user_id" => "用户编号",
        "store_id" => "门店编号",
        "record_type" => "记录类型",
        "field" => "字段名",
        "state" => "状态名",
        "element" => "集合元素",
        "op_id" => "修改编号",
        "device_id" => "设备编号",
        "record_id" => "记录编号",
        "entry_id" => "日志条目编号",
        _ => "内容",
    }
}

fn duration(ms: u64, zh: bool) -> String {
    let (h, m, s) = (ms / 3_600_000, ms % 3_600_000 / 60_000, ms % 60_000 / 1000);
    match (zh, h, m) {
        (false, 0, 0) => format!("{s} s"),
        (false, 0, _) => format!("{m} min"),
        (false, _, 0) => format!("{h} h"),
        (false, _, _) => format!("{h} h {m} min"),
        (true, 0, 0) => format!("{s} 秒"),
        (true, 0, _) => format!("{m} 分钟"),
        (true, _, 0) => format!("{h} 小时"),
        (true, _, _) => format!("{h} 小时 {m} 分钟"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_messages_exist_in_both_languages() {
        let e = SyncError::UnknownField {
            record_type: "customer".into(),
            field: "x".into(),
        };
        assert_eq!(e.code(), "unknown_field");
        assert_eq!(e.message_en(), "Record type `customer` has no field `x`.");
        assert_eq!(e.message_zh(), "记录类型“customer”没有字段“x”");
        let e = SyncError::ClockAhead {
            ahead_ms: 3 * 3_600_000 + 5 * 60_000,
            max_skew_ms: 2 * 3_600_000,
        };
        assert!(
            e.message_en().contains("3 h 5 min ahead"),
            "{}",
            e.message_en()
        );
        assert!(
            e.message_zh().contains("3 小时 5 分钟"),
            "{}",
            e.message_zh()
        );
    }
}
