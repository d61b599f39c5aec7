//! Service appointments (预约): booked at least three hours ahead [care], then the car arrives,
//! or the customer does not come (失约, recorded with the reason) or cancels.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::sales::UserError;

/// How far ahead an appointment must be made (seed 004: "预约须提前3小时").
pub const MIN_LEAD: TimeDelta = TimeDelta::hours(3);

/// Where an appointment stands, as its record's `status` field stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// 已预约
    Booked,
    /// 已到店
    Arrived,
    /// 失约
    NoShow,
    /// 已取消
    Cancelled,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 4] = [
        AppointmentStatus::Booked,
        AppointmentStatus::Arrived,
        AppointmentStatus::NoShow,
        AppointmentStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Arrived => "arrived",
            AppointmentStatus::NoShow => "no_show",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "已预约",
            AppointmentStatus::Arrived => "已到店",
            AppointmentStatus::NoShow => "失约",
            AppointmentStatus::Cancelled => "已取消",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "Booked",
            AppointmentStatus::Arrived => "Arrived",
            AppointmentStatus::NoShow => "No-show",
            AppointmentStatus::Cancelled => "Cancelled",
        }
    }
}

/// Why a slot cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    #[error("the slot is less than three hours ahead")]
    TooSoon,
}

impl UserError for SlotError {
    fn code(&self) -> &'static str {
        match self {
            SlotError::TooSoon => "appointment_too_soon",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            SlotError::TooSoon => "预约须至少提前3小时,请选择更晚的时间".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            SlotError::TooSoon => {
                "An appointment must be made at least 3 hours ahead; choose a later time".into()
            }
        }
    }
}

/// The three-hour rule: a slot at `slot` may be booked at `now` (both store-local) only when it
/// is at least [`MIN_LEAD`] ahead.
pub fn check_slot(now: NaiveDateTime, slot: NaiveDateTime) -> Result<(), SlotError> {
    if slot - now < MIN_LEAD {
        return Err(SlotError::TooSoon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::APPOINTMENT_STATUS;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn a_slot_three_hours_ahead_or_later_is_bookable() {
        assert_eq!(check_slot(at(9, 0), at(12, 0)), Ok(()));
        assert_eq!(check_slot(at(9, 0), at(16, 30)), Ok(()));
        assert_eq!(check_slot(at(9, 0), at(11, 59)), Err(SlotError::TooSoon));
        assert_eq!(check_slot(at(9, 0), at(9, 0)), Err(SlotError::TooSoon));
        assert_eq!(
            check_slot(at(12, 0), at(9, 0)),
            Err(SlotError::TooSoon),
            "in the past"
        );
        // Tomorrow morning from late this evening is far enough.
        let tomorrow = at(8, 0) + TimeDelta::days(1);
        assert_eq!(check_slot(at(20, 0), tomorrow), Ok(()));
        assert_eq!(SlotError::TooSoon.code(), "appointment_too_soon");
    }

    #[test]
    fn statuses_match_the_record_s_state_machine() {
        let names: Vec<&str> = AppointmentStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, APPOINTMENT_STATUS.states);
        assert_eq!(
            APPOINTMENT_STATUS.initial,
            AppointmentStatus::Booked.as_str()
        );
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(s));
            assert!(!s.label_zh().is_empty() && !s.label_en().is_empty());
        }
    }
}
