//! Calls: every attempt is a log entry of the care task (time, channel, outcome, note; who
//! made it is the op's user), never edited away. **The unreachable rule** (seed 004): three
//! calls at three different times of day within three days, then a message, then the task is
//! recorded as failed with the reason — [`check_fail`] refuses "failed" before that, on the
//! device and at the server's push ([`super::policy`]).
//!
//! Times of day ([`DayPart`]): morning before 12:00, afternoon 12:00–16:59, evening from
//! 17:00. "Within three days": the three calls fall on three consecutive calendar days at most
//! (the first call's day and the two after). The message (SMS / WeChat) comes after the third
//! of those calls.
//!
//! Two people who took the same task offline both log their attempts; the task keeps both and
//! shows it ([`is_double`]), and the CS manager's page lists such doubles ([`doubles`]).

use chrono::{NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use serde_json::json;
use thiserror::Error;
use uuid::Uuid;

use crate::plan::{PlannedWrite, Step};
use crate::records::{CARE_TASK, CareTask, LogItem};
use crate::sales::UserError;
use crate::time::{StoreClock, stored_time};

/// What came of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// 已接通
    Reached,
    /// 未接通 (no answer)
    NoAnswer,
    /// 占线
    Busy,
    /// 空号 / 号码错误
    WrongNumber,
    /// 拒绝 (reached, refused)
    Refused,
    /// 稍后再打 (reached, call back later)
    CallBackLater,
    /// 已发短信 / 微信 (a message, the step after three calls)
    MessageSent,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Reached,
        Outcome::NoAnswer,
        Outcome::Busy,
        Outcome::WrongNumber,
        Outcome::Refused,
        Outcome::CallBackLater,
        Outcome::MessageSent,
    ];

    /// The outcomes of a phone call (the call screen's buttons).
    pub const CALL: [Outcome; 6] = [
        Outcome::Reached,
        Outcome::NoAnswer,
        Outcome::Busy,
        Outcome::WrongNumber,
        Outcome::Refused,
        Outcome::CallBackLater,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NoAnswer => "no_answer",
            Outcome::Busy => "busy",
            Outcome::WrongNumber => "wrong_number",
            Outcome::Refused => "refused",
            Outcome::CallBackLater => "call_back_later",
            Outcome::MessageSent => "message_sent",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Reached => "已接通",
            Outcome::NoAnswer => "未接通",
            Outcome::Busy => "占线",
            Outcome::WrongNumber => "空号",
            Outcome::Refused => "拒绝",
            Outcome::CallBackLater => "稍后再打",
            Outcome::MessageSent => "已发短信",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::Reached => "Reached",
            Outcome::NoAnswer => "No answer",
            Outcome::Busy => "Busy",
            Outcome::WrongNumber => "Wrong number",
            Outcome::Refused => "Refused",
            Outcome::CallBackLater => "Call back later",
            Outcome::MessageSent => "Message sent",
        }
    }

    /// A call that did not reach the customer (counts for the unreachable rule).
    pub fn is_unreached(self) -> bool {
        matches!(
            self,
            Outcome::NoAnswer | Outcome::Busy | Outcome::WrongNumber
        )
    }

    /// The customer was reached and the task is done with this attempt.
    pub fn closes(self) -> bool {
        matches!(self, Outcome::Reached | Outcome::Refused)
    }
}

/// The time of day of a call, for the unreachable rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DayPart {
    /// Before 12:00 (上午).
    Morning,
    /// 12:00–16:59 (下午).
    Afternoon,
    /// From 17:00 (傍晚).
    Evening,
}

impl DayPart {
    pub fn of(t: NaiveTime) -> DayPart {
        match t.hour() {
            0..=11 => DayPart::Morning,
            12..=16 => DayPart::Afternoon,
            _ => DayPart::Evening,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DayPart::Morning => "上午",
            DayPart::Afternoon => "下午",
            DayPart::Evening => "傍晚",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DayPart::Morning => "morning",
            DayPart::Afternoon => "afternoon",
            DayPart::Evening => "evening",
        }
    }
}

/// One attempt as read from the task's `attempts` log.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub entry_id: Uuid,
    pub at: NaiveDateTime,
    /// The user who logged it (the op's user).
    pub by: String,
    /// `phone`, `sms` or `wechat`.
    pub channel: String,
    pub outcome: Outcome,
    pub note: Option<String>,
}

impl Attempt {
    /// Reads a log entry (`{"at", "channel", "outcome", "note"}`; the older
    /// `{"reached": true | false}` of the sales calls reads as reached / no answer). `None` when
    /// unreadable.
    pub fn of(item: &LogItem, clock: StoreClock) -> Option<Attempt> {
        let at = item
            .text("at")
            .and_then(|s| clock.parse(s))
            .or(item.written_at)?;
        let outcome = match item.text("outcome") {
            Some(o) => Outcome::parse(o)?,
            None => match item.value.get("reached").and_then(|v| v.as_bool())? {
                true => Outcome::Reached,
                false => Outcome::NoAnswer,
            },
        };
        let channel = item.text("channel").unwrap_or("phone").to_owned();
        Some(Attempt {
            entry_id: item.entry_id,
            at,
            by: item.user_id.clone(),
            channel,
            outcome,
            note: item.text("note").map(str::to_owned),
        })
    }

    /// The attempts of a task, in time order.
    pub fn all_of(task: &CareTask, clock: StoreClock) -> Vec<Attempt> {
        let mut v: Vec<Attempt> = task
            .attempts
            .iter()
            .filter_map(|i| Attempt::of(i, clock))
            .collect();
        v.sort_by_key(|a| (a.at, a.entry_id));
        v
    }

    fn is_unreached_call(&self) -> bool {
        self.channel == "phone" && self.outcome.is_unreached()
    }

    fn is_message(&self) -> bool {
        self.outcome == Outcome::MessageSent || self.channel != "phone"
    }
}

/// How far a task is through the unreachable rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleProgress {
    /// Unreached calls counted (at most 3): distinct times of day within three days.
    pub calls: usize,
    /// The times of day used by the counted calls.
    pub parts: Vec<DayPart>,
    /// When the third counted call was made.
    pub third_call_at: Option<NaiveDateTime>,
    /// A message was sent after the third call.
    pub message_sent: bool,
}

impl RuleProgress {
    /// The rule is met: the task may be recorded as failed (with a reason).
    pub fn met(&self) -> bool {
        self.calls >= 3 && self.message_sent
    }
}

/// The best window of unreached calls: for each call as the window's first, the distinct times
/// of day of the unreached calls in its three days, in time order.
pub fn unreachable_progress(attempts: &[Attempt]) -> RuleProgress {
    let mut calls: Vec<&Attempt> = attempts.iter().filter(|a| a.is_unreached_call()).collect();
    calls.sort_by_key(|a| a.at);
    let mut best = RuleProgress::default();
    for (i, first) in calls.iter().enumerate() {
        let last_day = first.at.date() + TimeDelta::days(2);
        let mut parts: Vec<DayPart> = Vec::new();
        let mut third = None;
        for c in calls[i..].iter().take_while(|c| c.at.date() <= last_day) {
            let part = DayPart::of(c.at.time());
            if !parts.contains(&part) {
                parts.push(part);
                if parts.len() == 3 {
                    third = Some(c.at);
                    break;
                }
            }
        }
        if parts.len() > best.calls || (parts.len() == best.calls && best.third_call_at.is_none()) {
            best = RuleProgress {
                calls: parts.len(),
                parts,
                third_call_at: third,
                message_sent: false,
            };
        }
        if best.calls == 3 {
            break;
        }
    }
    if let Some(third) = best.third_call_at {
        best.message_sent = attempts.iter().any(|a| a.is_message() && a.at >= third);
    }
    best
}

/// Whether a call at `at` would count for the rule (a time of day not used yet in the current
/// window), for the call screen's hint.
pub fn would_count(attempts: &[Attempt], at: NaiveDateTime) -> bool {
    let mut with = attempts.to_vec();
    with.push(Attempt {
        entry_id: Uuid::nil(),
        at,
        by: String::new(),
        channel: "phone".into(),
        outcome: Outcome::NoAnswer,
        note: None,
    });
    unreachable_progress(&with).calls > unreachable_progress(attempts).calls
}

/// Why a task may not be recorded as failed yet.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnreachableError {
    #[error("{calls} of the 3 calls at different times of day within three days")]
    TooFewCalls { calls: usize },
    #[error("no message after the third call")]
    NoMessage,
    #[error("a failed task needs its reason")]
    NoReason,
}

impl UserError for UnreachableError {
    fn code(&self) -> &'static str {
        match self {
            UnreachableError::TooFewCalls { .. } => "care_fail_too_few_calls",
            UnreachableError::NoMessage => "care_fail_no_message",
            UnreachableError::NoReason => "care_fail_no_reason",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            UnreachableError::TooFewCalls { calls } => {
                format!("还不能记为失败:须在三日内三个不同时段拨打三次(目前 {calls} 次)")
            }
            UnreachableError::NoMessage => "还不能记为失败:三次未接通后须先发送短信".into(),
            UnreachableError::NoReason => "记为失败须填写原因".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            UnreachableError::TooFewCalls { calls } => format!(
                "Not yet failed: three calls at three different times of day within three days are needed ({calls} so far)"
            ),
            UnreachableError::NoMessage => {
                "Not yet failed: after three unanswered calls a message must be sent first".into()
            }
            UnreachableError::NoReason => "A failed task needs its reason".into(),
        }
    }
}

/// The unreachable rule: may a task with `attempts` be recorded as failed with `reason`?
pub fn check_fail(attempts: &[Attempt], reason: Option<&str>) -> Result<(), UnreachableError> {
    let p = unreachable_progress(attempts);
    if p.calls < 3 {
        return Err(UnreachableError::TooFewCalls { calls: p.calls });
    }
    if !p.message_sent {
        return Err(UnreachableError::NoMessage);
    }
    if reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(UnreachableError::NoReason);
    }
    Ok(())
}

/// Logs a call (or a message) on task `task`; a call that reached the customer (or their
/// refusal) closes the task.
pub fn log_attempt(
    task: Uuid,
    entry_id: Uuid,
    at: NaiveDateTime,
    channel: &str,
    outcome: Outcome,
    note: &str,
) -> PlannedWrite {
    let mut value = json!({"at": stored_time(at), "channel": channel, "outcome": outcome.as_str()});
    if !note.trim().is_empty() {
        value["note"] = json!(note.trim());
    }
    let w = PlannedWrite::new(task, &CARE_TASK).with(Step::Append("attempts", entry_id, value));
    if outcome.closes() {
        w.with(Step::Move("status", "done"))
    } else {
        w
    }
}

/// Records the task as failed with `reason`, if the unreachable rule allows it.
pub fn fail(
    task: &CareTask,
    reason: &str,
    clock: StoreClock,
) -> Result<PlannedWrite, UnreachableError> {
    check_fail(&Attempt::all_of(task, clock), Some(reason))?;
    Ok(PlannedWrite::new(task.id, &CARE_TASK)
        .set("fail_reason", reason.trim())
        .with(Step::Move("status", "failed")))
}

/// Two or more people logged calls on the task (two took it offline).
pub fn is_double(attempts: &[Attempt]) -> bool {
    let mut by: Vec<&str> = attempts
        .iter()
        .filter(|a| a.channel == "phone")
        .map(|a| a.by.as_str())
        .collect();
    by.sort_unstable();
    by.dedup();
    by.len() > 1
}

/// The tasks called by more than one person, for the CS manager's page.
pub fn doubles(tasks: &[CareTask], clock: StoreClock) -> Vec<&CareTask> {
    tasks
        .iter()
        .filter(|t| is_double(&Attempt::all_of(t, clock)))
        .collect()
}

#[cfg(test)]
mod tests;
