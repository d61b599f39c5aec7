//! Orders (订单), cancellations (退单), the promised delivery date (承诺交车日期), delivery (交车) and
//! test drives (试乘试驾) [mgmt, seed 001 §一.3, §一.4.5, §三.A–C; care, seed 004].

use super::UserError;
use crate::roles::Role;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a customer cancelled an order (退单原因) [mgmt: 较长的等待交车时间、竞品新车投放、竞品大幅降价].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationReason {
    /// 等车时间过长
    LongWait,
    /// 竞品新车投放
    CompetitorNewModel,
    /// 竞品大幅降价
    CompetitorPriceCut,
    /// 其他 (a note is required)
    Other,
}

impl CancellationReason {
    pub const ALL: [CancellationReason; 4] = [
        CancellationReason::LongWait,
        CancellationReason::CompetitorNewModel,
        CancellationReason::CompetitorPriceCut,
        CancellationReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CancellationReason::LongWait => "long_wait",
            CancellationReason::CompetitorNewModel => "competitor_new_model",
            CancellationReason::CompetitorPriceCut => "competitor_price_cut",
            CancellationReason::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CancellationReason::LongWait => "等车时间过长",
            CancellationReason::CompetitorNewModel => "竞品新车投放",
            CancellationReason::CompetitorPriceCut => "竞品大幅降价",
            CancellationReason::Other => "其他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CancellationReason::LongWait => "Waited too long",
            CancellationReason::CompetitorNewModel => "Competitor's new model",
            CancellationReason::CompetitorPriceCut => "Competitor's price cut",
            CancellationReason::Other => "Other",
        }
    }
}

/// A recorded cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub reason: CancellationReason,
    pub note: Option<String>,
}

impl Cancellation {
    /// A cancellation with its reason; `Other` needs a note saying what happened. A blank note is
    /// no note.
    pub fn new(reason: CancellationReason, note: Option<&str>) -> Result<Self, OrderError> {
        let note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from);
        if reason == CancellationReason::Other && note.is_none() {
            return Err(OrderError::CancellationNoteRequired);
        }
        Ok(Cancellation { reason, note })
    }
}

/// A task for a person to do by a time, produced by a rule (the app stores it as a care/todo task).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueTask {
    pub kind: TaskKind,
    pub role: Role,
    /// The person responsible (the order's or delivery's consultant).
    pub assignee: Uuid,
    pub due: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// 告知客户交车日期变更 — due at once.
    TellCustomerNewDeliveryDate,
    /// 交车后 24 小时回访
    DeliveryCall24h,
    /// 交车后 72 小时回访
    DeliveryCall72h,
}

impl TaskKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            TaskKind::TellCustomerNewDeliveryDate => "告知客户交车日期变更",
            TaskKind::DeliveryCall24h => "交车 24 小时回访",
            TaskKind::DeliveryCall72h => "交车 72 小时回访",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskKind::TellCustomerNewDeliveryDate => "Tell the customer the new delivery date",
            TaskKind::DeliveryCall24h => "24-hour call after delivery",
            TaskKind::DeliveryCall72h => "72-hour call after delivery",
        }
    }
}

/// A change of the promised delivery date, with the task it creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDateChange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    /// "If it slips the customer is told at once": due `now`, for the consultant.
    pub tell_customer: DueTask,
}

/// Move the promised delivery date [mgmt: 准确告知交车时间,发生延误要及时通知].
/// Needs a reason; the new date must differ and not be in the past. Moving it earlier is allowed
/// (good news must be told too). Yields the "tell the customer" task, due at once.
pub fn move_promised_date(
    current: NaiveDate,
    new_date: NaiveDate,
    reason: &str,
    consultant: Uuid,
    now: NaiveDateTime,
) -> Result<DeliveryDateChange, OrderError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(OrderError::DateChangeReasonRequired);
    }
    if new_date == current {
        return Err(OrderError::DateUnchanged);
    }
    if new_date < now.date() {
        return Err(OrderError::DateInPast);
    }
    Ok(DeliveryDateChange {
        from: current,
        to: new_date,
        reason: reason.to_string(),
        tell_customer: DueTask {
            kind: TaskKind::TellCustomerNewDeliveryDate,
            role: Role::SalesConsultant,
            assignee: consultant,
            due: now,
        },
    })
}

/// One line of the delivery checklist (交车确认单): a promise made to the customer (gift,
/// accessory, document, …) or a routine item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub label: String,
    /// Promised to the customer at the order (承诺事项): must be ticked before the car is handed over.
    pub promised: bool,
    pub ticked: bool,
}

/// The delivery checklist is complete when every promised item is ticked
/// [mgmt: 交车时严格履行对客户的承诺]. Routine (non-promised) items may stay open.
pub fn checklist_complete(items: &[ChecklistItem]) -> bool {
    items.iter().all(|i| !i.promised || i.ticked)
}

/// The promised items still open, in list order, for the screen to point at.
pub fn open_promises(items: &[ChecklistItem]) -> Vec<&ChecklistItem> {
    items.iter().filter(|i| i.promised && !i.ticked).collect()
}

/// The consultant's care calls after a delivery [care]: at +24 h and +72 h from the handover.
pub fn delivery_care_calls(delivered_at: NaiveDateTime, consultant: Uuid) -> [DueTask; 2] {
    let task = |kind, hours| DueTask {
        kind,
        role: Role::SalesConsultant,
        assignee: consultant,
        due: delivered_at + TimeDelta::hours(hours),
    };
    [
        task(TaskKind::DeliveryCall24h, 24),
        task(TaskKind::DeliveryCall72h, 72),
    ]
}

/// A test drive (试乘试驾) as recorded on the tablet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestDrive {
    pub id: Uuid,
    pub a_card: Uuid,
    pub consultant: Uuid,
    /// 驾驶证号
    pub licence_number: String,
    /// 驾驶证有效期至 (valid through this day)
    pub licence_valid_until: NaiveDate,
    pub start_at: NaiveDateTime,
    pub end_at: Option<NaiveDateTime>,
    /// 起始里程 (km)
    pub odometer_start_km: u32,
    /// 结束里程 (km)
    pub odometer_end_km: Option<u32>,
}

impl TestDrive {
    /// Every problem at once (empty = valid). The end time and odometer may be missing while the
    /// drive is under way; when present, the end is after the start and the odometer did not run
    /// backwards. The licence must be valid on the day of the drive (its last valid day included).
    pub fn problems(&self) -> Vec<OrderError> {
        let mut out = Vec::new();
        if self.licence_number.trim().is_empty() {
            out.push(OrderError::LicenceNumberMissing);
        }
        if self.licence_valid_until < self.start_at.date() {
            out.push(OrderError::LicenceExpired {
                valid_until: self.licence_valid_until,
            });
        }
        if let Some(end) = self.end_at
            && end <= self.start_at
        {
            out.push(OrderError::TestDriveEndNotAfterStart);
        }
        if let Some(km) = self.odometer_end_km
            && km < self.odometer_start_km
        {
            out.push(OrderError::OdometerBackwards);
        }
        out
    }

    /// Distance driven, when finished and valid.
    pub fn distance_km(&self) -> Option<u32> {
        self.odometer_end_km?.checked_sub(self.odometer_start_km)
    }
}

/// Why an order, delivery or test-drive input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("a cancellation for another reason needs a note")]
    CancellationNoteRequired,
    #[error("moving the delivery date needs a reason")]
    DateChangeReasonRequired,
    #[error("the new delivery date is the same as the old one")]
    DateUnchanged,
    #[error("the new delivery date is in the past")]
    DateInPast,
    #[error("some promised items are not ticked")]
    PromisesOpen,
    #[error("the driving licence number is missing")]
    LicenceNumberMissing,
    #[error("the driving licence expired on {valid_until}")]
    LicenceExpired { valid_until: NaiveDate },
    #[error("the test drive must end after it starts")]
    TestDriveEndNotAfterStart,
    #[error("the end odometer reading is below the start")]
    OdometerBackwards,
}

impl UserError for OrderError {
    fn code(&self) -> &'static str {
        match self {
            OrderError::CancellationNoteRequired => "order_cancellation_note_required",
            OrderError::DateChangeReasonRequired => "order_date_change_reason_required",
            OrderError::DateUnchanged => "order_date_unchanged",
            OrderError::DateInPast => "order_date_in_past",
            OrderError::PromisesOpen => "delivery_promises_open",
            OrderError::LicenceNumberMissing => "test_drive_licence_number_missing",
            OrderError::LicenceExpired { .. } => "test_drive_licence_expired",
            OrderError::TestDriveEndNotAfterStart => "test_drive_end_not_after_start",
            OrderError::OdometerBackwards => "test_drive_odometer_backwards",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            OrderError::CancellationNoteRequired => "退单原因为“其他”时请填写说明".into(),
            OrderError::DateChangeReasonRequired => "变更交车日期须填写原因".into(),
            OrderError::DateUnchanged => "新交车日期与原日期相同".into(),
            OrderError::DateInPast => "新交车日期不能早于今天".into(),
            OrderError::PromisesOpen => "还有承诺事项未确认,不能交车".into(),
            OrderError::LicenceNumberMissing => "请填写客户驾驶证号".into(),
            OrderError::LicenceExpired { valid_until } => {
                format!(
                    "客户驾驶证已于 {} 过期,不能试驾",
                    valid_until.format("%Y-%m-%d")
                )
            }
            OrderError::TestDriveEndNotAfterStart => "试驾结束时间须晚于开始时间".into(),
            OrderError::OdometerBackwards => "结束里程不能小于起始里程".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            OrderError::CancellationNoteRequired => {
                "Please describe the reason when it is “Other”".into()
            }
            OrderError::DateChangeReasonRequired => {
                "Moving the delivery date needs a reason".into()
            }
            OrderError::DateUnchanged => "The new delivery date is the same as the old one".into(),
            OrderError::DateInPast => "The new delivery date cannot be in the past".into(),
            OrderError::PromisesOpen => {
                "Some promised items are not ticked yet; the car cannot be handed over".into()
            }
            OrderError::LicenceNumberMissing => {
                "Please enter the customer's driving licence number".into()
            }
            OrderError::LicenceExpired { valid_until } => format!(
                "The customer's driving licence expired on {}; no test drive",
                valid_until.format("%Y-%m-%d")
            ),
            OrderError::TestDriveEndNotAfterStart => "A test drive must end after it starts".into(),
            OrderError::OdometerBackwards => {
                "The end odometer reading cannot be below the start".into()
            }
        }
    }
}

/// Check a delivery can go ahead: every promised item ticked.
pub fn check_delivery(items: &[ChecklistItem]) -> Result<(), OrderError> {
    if checklist_complete(items) {
        Ok(())
    } else {
        Err(OrderError::PromisesOpen)
    }
}

/// A cancelled order, as a fact for the cancellation analysis (退单分析).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelledOrderFact {
    pub id: Uuid,
    pub consultant: Uuid,
    pub reason: CancellationReason,
    pub cancelled_on: NaiveDate,
}

/// The orders cancelled in a period per reason, in [`CancellationReason::ALL`] order (zero included):
/// the manager's view of why signed customers walked away.
pub fn cancellations_by_reason(
    cancelled: &[CancelledOrderFact],
    period: super::kpi::Period,
) -> Vec<(CancellationReason, Vec<Uuid>)> {
    CancellationReason::ALL
        .into_iter()
        .map(|reason| {
            let mut ids: Vec<Uuid> = cancelled
                .iter()
                .filter(|c| c.reason == reason && period.contains(c.cancelled_on))
                .map(|c| c.id)
                .collect();
            ids.sort();
            (reason, ids)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn t(m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(m, day).and_hms_opt(h, min, 0).unwrap()
    }

    const WANG: Uuid = Uuid::from_u128(0xA);

    #[test]
    fn cancellation_other_needs_a_note() {
        assert_eq!(
            Cancellation::new(CancellationReason::Other, None),
            Err(OrderError::CancellationNoteRequired)
        );
        assert_eq!(
            Cancellation::new(CancellationReason::Other, Some("  ")),
            Err(OrderError::CancellationNoteRequired)
        );
        let c = Cancellation::new(CancellationReason::Other, Some(" 家里有变故 ")).unwrap();
        assert_eq!(c.note.as_deref(), Some("家里有变故"));
        let c = Cancellation::new(CancellationReason::LongWait, None).unwrap();
        assert_eq!(c.reason, CancellationReason::LongWait);
        assert_eq!(c.note, None);
        assert_eq!(
            serde_json::to_string(&CancellationReason::CompetitorPriceCut).unwrap(),
            "\"competitor_price_cut\""
        );
    }

    #[test]
    fn moving_the_promised_date_creates_an_immediate_task() {
        let now = t(4, 2, 16, 45);
        let change = move_promised_date(d(4, 10), d(4, 24), "厂家排产推迟", WANG, now).unwrap();
        assert_eq!(change.from, d(4, 10));
        assert_eq!(change.to, d(4, 24));
        assert_eq!(change.tell_customer.due, now);
        assert_eq!(
            change.tell_customer.kind,
            TaskKind::TellCustomerNewDeliveryDate
        );
        assert_eq!(change.tell_customer.assignee, WANG);
        assert_eq!(change.tell_customer.role, Role::SalesConsultant);
        // Earlier is fine too; today is not in the past.
        assert!(move_promised_date(d(4, 10), d(4, 2), "车辆提前到店", WANG, now).is_ok());
    }

    #[test]
    fn moving_the_promised_date_needs_a_reason_and_a_real_change() {
        let now = t(4, 2, 9, 0);
        assert_eq!(
            move_promised_date(d(4, 10), d(4, 24), " ", WANG, now),
            Err(OrderError::DateChangeReasonRequired)
        );
        assert_eq!(
            move_promised_date(d(4, 10), d(4, 10), "x", WANG, now),
            Err(OrderError::DateUnchanged)
        );
        assert_eq!(
            move_promised_date(d(4, 10), d(4, 1), "x", WANG, now),
            Err(OrderError::DateInPast)
        );
    }

    #[test]
    fn checklist_complete_only_when_every_promise_is_ticked() {
        let item = |label: &str, promised, ticked| ChecklistItem {
            label: label.into(),
            promised,
            ticked,
        };
        let mut items = vec![
            item("脚垫", true, true),
            item("行车记录仪", true, false),
            item("车辆功能讲解", false, false),
        ];
        assert!(!checklist_complete(&items));
        assert_eq!(check_delivery(&items), Err(OrderError::PromisesOpen));
        assert_eq!(open_promises(&items)[0].label, "行车记录仪");
        items[1].ticked = true;
        assert!(checklist_complete(&items));
        assert!(open_promises(&items).is_empty());
        assert_eq!(check_delivery(&items), Ok(()));
        assert!(checklist_complete(&[]));
    }

    #[test]
    fn care_calls_at_24_and_72_hours() {
        // Delivered on 30 April at 17:30: calls on 1 May 17:30 and 3 May 17:30.
        let [c24, c72] = delivery_care_calls(t(4, 30, 17, 30), WANG);
        assert_eq!(c24.kind, TaskKind::DeliveryCall24h);
        assert_eq!(c24.due, t(5, 1, 17, 30));
        assert_eq!(c72.kind, TaskKind::DeliveryCall72h);
        assert_eq!(c72.due, t(5, 3, 17, 30));
        assert_eq!(c24.assignee, WANG);
        assert_eq!(c72.role, Role::SalesConsultant);
    }

    fn drive() -> TestDrive {
        TestDrive {
            id: Uuid::from_u128(1),
            a_card: Uuid::from_u128(2),
            consultant: WANG,
            licence_number: "440106199001011234".into(),
            licence_valid_until: d(5, 20),
            start_at: t(5, 20, 10, 0),
            end_at: Some(t(5, 20, 10, 25)),
            odometer_start_km: 1520,
            odometer_end_km: Some(1532),
        }
    }

    #[test]
    fn a_good_test_drive() {
        let td = drive();
        assert!(td.problems().is_empty());
        assert_eq!(td.distance_km(), Some(12));
        // Under way: no end yet.
        let running = TestDrive {
            end_at: None,
            odometer_end_km: None,
            ..drive()
        };
        assert!(running.problems().is_empty());
        assert_eq!(running.distance_km(), None);
        // Odometer unchanged (a drive round the lot) is allowed.
        let lot = TestDrive {
            odometer_end_km: Some(1520),
            ..drive()
        };
        assert!(lot.problems().is_empty());
    }

    #[test]
    fn a_bad_test_drive_reports_everything() {
        let td = TestDrive {
            licence_number: "  ".into(),
            licence_valid_until: d(5, 19),
            end_at: Some(t(5, 20, 10, 0)),
            odometer_end_km: Some(1500),
            ..drive()
        };
        assert_eq!(
            td.problems(),
            vec![
                OrderError::LicenceNumberMissing,
                OrderError::LicenceExpired {
                    valid_until: d(5, 19)
                },
                OrderError::TestDriveEndNotAfterStart,
                OrderError::OdometerBackwards,
            ]
        );
        assert_eq!(
            OrderError::LicenceExpired {
                valid_until: d(5, 19)
            }
            .message_zh(),
            "客户驾驶证已于 2026-05-19 过期,不能试驾"
        );
    }

    #[test]
    fn cancellations_grouped_by_reason_within_the_period() {
        let c = |n: u128, reason, on| CancelledOrderFact {
            id: Uuid::from_u128(n),
            consultant: WANG,
            reason,
            cancelled_on: on,
        };
        let facts = [
            c(2, CancellationReason::LongWait, d(4, 2)),
            c(1, CancellationReason::LongWait, d(4, 30)),
            c(3, CancellationReason::CompetitorPriceCut, d(4, 15)),
            c(4, CancellationReason::LongWait, d(3, 31)), // March
        ];
        let april =
            cancellations_by_reason(&facts, super::super::kpi::Period::month(2026, 4).unwrap());
        assert_eq!(
            april,
            vec![
                (
                    CancellationReason::LongWait,
                    vec![Uuid::from_u128(1), Uuid::from_u128(2)]
                ),
                (CancellationReason::CompetitorNewModel, vec![]),
                (
                    CancellationReason::CompetitorPriceCut,
                    vec![Uuid::from_u128(3)]
                ),
                (CancellationReason::Other, vec![]),
            ]
        );
    }
}
