//! The service part of [`crate::policy::check_op`]: service appointments.
//!
//! - A booking's time (`slot_at`) is checked by the three-hour rule ([`check_slot`]) whenever
//!   an op writes a new value to it (a new booking, or moving one): against the op's HLC time
//!   read in store time, so a booking cannot be made late by a device and pushed later as if it
//!   were made in time. Writing the same value again (a form saving other fields) is not a new
//!   booking. A time that does not read as a time is left to the screens.
//! - Status moves follow the record's state machine from the shown state (checked by the
//!   generic rules); who works in service may make them ([`crate::records::may_write`]).

use super::appointment::{SlotError, check_slot};
use crate::sync::{Change, Op, RecordState};
use crate::time::StoreClock;

/// The service rules for `op` on the record as stored (`stored`: empty for a new record).
pub fn check(stored: &RecordState, op: &Op, clock: StoreClock) -> Result<(), SlotError> {
    if op.record_type != "appointment" {
        return Ok(());
    }
    for change in &op.changes {
        let Change::Set { field, value, .. } = change else {
            continue;
        };
        if field != "slot_at" || stored.value("slot_at") == Some(value) {
            continue;
        }
        let (Some(slot), Some(now)) = (
            value.as_str().and_then(|s| clock.parse(s)),
            clock.local_ms(op.hlc.wall_ms),
        ) else {
            continue;
        };
        check_slot(now, slot)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::APPOINTMENT;
    use crate::sync::{Edit, Hlc, apply, new_id};
    use serde_json::json;
    use uuid::Uuid;

    /// 2026-12-07 09:00 in China (UTC+8) as Unix ms.
    const NINE_AM: u64 = 1_796_605_200_000;
    const C: StoreClock = StoreClock::CHINA;

    fn op(state: &RecordState, n: u8, at_ms: u64, slot: &str) -> Op {
        Op {
            op_id: new_id(at_ms, [n; 10]),
            device_id: Uuid::from_u128(1),
            user_id: "advisor".into(),
            store_id: "demo".into(),
            record_id: state.id,
            record_type: "appointment".into(),
            hlc: Hlc::new(at_ms, 0),
            changes: vec![
                Edit::new(state, &APPOINTMENT)
                    .set("slot_at", json!(slot))
                    .unwrap(),
            ],
        }
    }

    #[test]
    fn a_new_booking_must_be_three_hours_ahead_of_the_ops_time() {
        assert_eq!(
            C.local_ms(NINE_AM).map(|t| t.to_string()).as_deref(),
            Some("2026-12-07 09:00:00")
        );
        let mut state = RecordState::new(new_id(NINE_AM, [9; 10]), "appointment", "demo");
        let soon = op(&state, 1, NINE_AM, "2026-12-07T11:30:00");
        assert_eq!(check(&state, &soon, C), Err(SlotError::TooSoon));
        let ok = op(&state, 2, NINE_AM, "2026-12-07T12:00:00");
        assert_eq!(check(&state, &ok, C), Ok(()));
        apply(&mut state, &ok, &APPOINTMENT).unwrap();
        // Later that morning: saving the same time again is not a new booking …
        let same = op(&state, 3, NINE_AM + 2 * 3_600_000, "2026-12-07T12:00:00");
        assert_eq!(check(&state, &same, C), Ok(()));
        // … moving it to within three hours is.
        let moved = op(&state, 4, NINE_AM + 2 * 3_600_000, "2026-12-07T13:00:00");
        assert_eq!(check(&state, &moved, C), Err(SlotError::TooSoon));
        let garbled = op(&state, 5, NINE_AM, "soon");
        assert_eq!(check(&state, &garbled, C), Ok(()));
    }
}
