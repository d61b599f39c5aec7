//! Customer care (客户关怀, seed 004): the care schedule and who calls whom, the calls and
//! the unreachable rule, the messages outbox.
//!
//! - [`kind`]: the kinds of care task the schedule makes ([`CareKind`]), their owner role and
//!   the derived task id ([`task_id`]).
//! - [`schedule`]: the generator — C-cards, past services and the store's settings in, every
//!   row of the care schedule out, each with its derived id, so devices that generate offline
//!   write one task and regenerating never duplicates.
//! - [`settings`]: the store's care settings (maintenance intervals, opening hours, the CS
//!   specialists, the scripts and message templates), one `care_settings` record per store.
//! - [`assign`]: the CS manager's rule that spreads due tasks over the CS specialists, and each
//!   user's list (overdue, today, upcoming).
//! - [`calls`]: call attempts (never edited away), the unreachable rule, doubles.
//! - [`message`]: the message gateway interface with templates; the default gateway is the
//!   visible outbox (`message` records with derived ids).
//! - [`report`]: the care KPIs (首保回厂率, 定保回厂率, 流失率, completion per person) and the
//!   lost-customer list; [`monthly`]: the monthly report (客服月报) with what each figure counted,
//!   the care appointment rate, lost customers' reasons and shops, the CS manager's comment.
//! - [`broadcast`]: holiday and severe-weather messages to all or the local customers, counted
//!   against "at least three a month".
//! - [`renewal`]: 续保, the insurance renewal pipeline (segments, contact dates, outcomes
//!   with the quote, the CS manager's 60 % audit sample).
//! - [`lost`]: 流失客户, the 90–360-day list grouped local / out of town × in / out of
//!   warranty, with the reason found on the call and the other shop used.
//! - [`policy`]: the care part of [`crate::policy::check_op`].

pub mod assign;
pub mod broadcast;
pub mod calls;
pub mod kind;
pub mod lost;
pub mod message;
pub mod monthly;
pub mod policy;
pub mod renewal;
pub mod report;
pub mod schedule;
pub mod settings;
#[cfg(test)]
pub(crate) mod testing;

pub use kind::{CareKind, task_id};

/// A stable id made from a text key (the FNV-1a hash in the random bits of a v7 uuid whose
/// time is `millis`): two devices deriving the id of the same thing get the same record.
pub(crate) fn derived_id(key: &str, millis: u64) -> uuid::Uuid {
    let a = fnv1a(0xcbf2_9ce4_8422_2325, key.as_bytes()).to_be_bytes();
    let b = fnv1a(0x6c62_272e_07bb_0142, key.as_bytes()).to_be_bytes();
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&a);
    random[8..].copy_from_slice(&b[..2]);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

/// A stable number from a text key (spreading tasks over people).
pub(crate) fn stable_hash(key: &str) -> u64 {
    fnv1a(0xcbf2_9ce4_8422_2325, key.as_bytes())
}

fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Midnight of `date` in Unix milliseconds (0 before 1970).
pub(crate) fn date_millis(date: chrono::NaiveDate) -> u64 {
    date.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .and_then(|ms| u64::try_from(ms).ok())
        .unwrap_or(0)
}
