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
    pub const ALL: [TaskKind; 3] = [
        TaskKind::TellCustomerNewDeliveryDate,
        TaskKind::DeliveryCall24h,
        TaskKind::DeliveryCall72h,
    ];

    /// The name stored in a `care_task`'s `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::TellCustomerNewDeliveryDate => "tell_new_date",
            TaskKind::DeliveryCall24h => "delivery_call_24h",
            TaskKind::DeliveryCall72h => "delivery_call_72h",
        }
    }

    pub fn parse(s: &str) -> Option<TaskKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

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
    #[error("an order needs the model")]
    ModelMissing,
    #[error("the price must be a positive amount")]
    PriceInvalid,
    #[error("the deposit must be between zero and the price")]
    DepositInvalid,
    #[error("an order needs the promised delivery date")]
    PromisedDateMissing,
    #[error("the promised delivery date is before the order was signed")]
    PromisedDateBeforeSigning,
    #[error("the promised delivery date is more than a year after the signing")]
    PromisedDateTooFar,
    #[error("the order is no longer open (delivered or cancelled)")]
    OrderNotOpen,
    #[error("the delivery date is in the future")]
    DeliveryDateInFuture,
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
            OrderError::ModelMissing => "order_model_missing",
            OrderError::PriceInvalid => "order_price_invalid",
            OrderError::DepositInvalid => "order_deposit_invalid",
            OrderError::PromisedDateMissing => "order_promised_date_missing",
            OrderError::PromisedDateBeforeSigning => "order_promised_date_before_signing",
            OrderError::PromisedDateTooFar => "order_promised_date_too_far",
            OrderError::OrderNotOpen => "order_not_open",
            OrderError::DeliveryDateInFuture => "delivery_date_in_future",
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
            OrderError::ModelMissing => "请选择车型".into(),
            OrderError::PriceInvalid => "请填写成交价(大于 0、不超过 1000 万元的金额)".into(),
            OrderError::DepositInvalid => "订金须在 0 与成交价之间".into(),
            OrderError::PromisedDateMissing => "请填写承诺交车日期".into(),
            OrderError::PromisedDateBeforeSigning => "承诺交车日期不能早于签单日期".into(),
            OrderError::PromisedDateTooFar => "承诺交车日期不能晚于签单后一年".into(),
            OrderError::OrderNotOpen => "订单已交车或已退单,不能再修改".into(),
            OrderError::DeliveryDateInFuture => "交车日期不能晚于今天".into(),
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
            OrderError::ModelMissing => "Please choose the model".into(),
            OrderError::PriceInvalid => {
                "Please enter the price (an amount above 0, at most ¥10,000,000)".into()
            }
            OrderError::DepositInvalid => "The deposit must be between 0 and the price".into(),
            OrderError::PromisedDateMissing => "Please enter the promised delivery date".into(),
            OrderError::PromisedDateBeforeSigning => {
                "The promised delivery date cannot be before the signing date".into()
            }
            OrderError::PromisedDateTooFar => {
                "The promised delivery date cannot be more than a year after the signing".into()
            }
            OrderError::OrderNotOpen => {
                "The order is delivered or cancelled and can no longer change".into()
            }
            OrderError::DeliveryDateInFuture => {
                "The delivery date cannot be later than today".into()
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

/// The order as the deal file's form fills it in (订单), before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderDraft {
    /// A catalogue model code.
    pub model: String,
    /// 成交价 in yuan.
    pub price: Option<i64>,
    /// 订金 in yuan.
    pub deposit: Option<i64>,
    /// 承诺交车日期
    pub promised_date: Option<NaiveDate>,
    /// The day the order is (or was) signed.
    pub signed_on: NaiveDate,
}

impl OrderDraft {
    /// Every problem at once (empty = the order can be saved): a model, a price from ¥1 to
    /// [`MOST_PRICE_YUAN`], a deposit from 0 up to the price (none is 0), a promised delivery date
    /// within a year of the signing day ([`promise_problem`]).
    pub fn problems(&self) -> Vec<OrderError> {
        let mut out = Vec::new();
        if self.model.trim().is_empty() {
            out.push(OrderError::ModelMissing);
        }
        if !self.price.is_some_and(price_sound) {
            out.push(OrderError::PriceInvalid);
        }
        let deposit = self.deposit.unwrap_or(0);
        if deposit < 0 || self.price.is_some_and(|p| p > 0 && deposit > p) {
            out.push(OrderError::DepositInvalid);
        }
        match self.promised_date {
            None => out.push(OrderError::PromisedDateMissing),
            Some(d) => out.extend(promise_problem(d, self.signed_on)),
        }
        out
    }
}

/// The highest price an order may hold (¥10,000,000): a typo of a few zeros is caught before it
/// reaches the store's figures.
pub const MOST_PRICE_YUAN: i64 = 10_000_000;

/// How long after the signing a delivery may be promised (a year): a date typed with the wrong
/// year (2062 for 2026) is caught.
pub const MOST_PROMISE_DAYS: i64 = 365;

/// Whether `price` (yuan) is one an order may hold: from ¥1 to [`MOST_PRICE_YUAN`].
pub fn price_sound(price: i64) -> bool {
    (1..=MOST_PRICE_YUAN).contains(&price)
}

/// What is wrong with a promised delivery date, if anything: before the signing day, or more
/// than [`MOST_PROMISE_DAYS`] after it.
pub fn promise_problem(promised: NaiveDate, signed_on: NaiveDate) -> Option<OrderError> {
    if promised < signed_on {
        Some(OrderError::PromisedDateBeforeSigning)
    } else if promised > signed_on + TimeDelta::days(MOST_PROMISE_DAYS) {
        Some(OrderError::PromisedDateTooFar)
    } else {
        None
    }
}

/// An amount of money as typed (`268000`, `268,000`, `26.8万`, `¥ 268 000`), in whole yuan.
/// `None` for blank or unreadable text.
pub fn parse_yuan(input: &str) -> Option<i64> {
    let t: String = input
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '元'))
        .collect();
    if t.is_empty() {
        return None;
    }
    let (number, factor) = match t.strip_suffix('万') {
        Some(n) => (n, 10_000.0),
        None => (t.as_str(), 1.0),
    };
    let value: f64 = number.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some((value * factor).round() as i64)
}

/// An amount in whole yuan as shown: `¥268,000` (thousands grouped, `-¥500` below zero).
pub fn yuan_text(yuan: i64) -> String {
    let digits = yuan.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}¥{out}", if yuan < 0 { "-" } else { "" })
}

/// Whether an open (signed, not delivered or cancelled) order is past its promised delivery date:
/// the list flags it (交车逾期).
pub fn delivery_overdue(status: &str, promised: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == "signed" && promised.is_some_and(|d| d < today)
}

/// How many days of closed orders (delivered, cancelled) the order list shows at first, and how
/// many more each 更早的订单 adds: a store's years of orders are not read to open the list.
pub const CLOSED_LIST_DAYS: u32 = 90;

/// The range of `day` keys (`kpi_reads::closed_key`: `~` and the day an order closed) of the
/// orders closed within the last `days` days up to `today` (today included): what the order
/// list reads of the delivered and cancelled orders (`by_status`, `by_day`).
pub fn closed_within_days(today: NaiveDate, days: u32) -> (String, String) {
    let from = today - TimeDelta::days(i64::from(days.max(1)) - 1);
    (
        super::kpi_reads::closed_key(from),
        super::kpi_reads::CLOSED_END.to_string(),
    )
}

/// The routine items of every delivery checklist besides what the order promised
/// (交车确认单): the vehicle's papers (随车文件: invoice, certificate of conformity, owner's manual,
/// warranty booklet) and the walk-through of the car's functions (车辆功能讲解).
pub const STANDARD_ITEMS: [&str; 2] = ["随车文件", "车辆功能讲解"];

/// The delivery checklist of an order: each promise (gifts, accessories 精品, …) in the order
/// given, then the [`STANDARD_ITEMS`] not already promised, each ticked when it is in `done`.
/// Every item counts as promised: the car is handed over only when all are ticked.
pub fn delivery_checklist(promises: &[&str], done: &[&str]) -> Vec<ChecklistItem> {
    let mut labels: Vec<&str> = Vec::new();
    for p in promises
        .iter()
        .chain(STANDARD_ITEMS.iter())
        .map(|p| p.trim())
    {
        if !p.is_empty() && !labels.contains(&p) {
            labels.push(p);
        }
    }
    labels
        .into_iter()
        .map(|label| ChecklistItem {
            label: label.to_string(),
            promised: true,
            ticked: done.iter().any(|d| d.trim() == label),
        })
        .collect()
}

/// What stops an order's workflow (a new order, 交车, 退单): an order rule, a bad VIN, or the
/// A-card's state machine (its state, or the user's role).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderProblem {
    #[error(transparent)]
    Order(OrderError),
    #[error(transparent)]
    Vin(super::vin::VinError),
    #[error(transparent)]
    Card(super::loss::LossError),
}

impl UserError for OrderProblem {
    fn code(&self) -> &'static str {
        match self {
            OrderProblem::Order(e) => e.code(),
            OrderProblem::Vin(e) => e.code(),
            OrderProblem::Card(e) => e.code(),
        }
    }
    fn message_zh(&self) -> String {
        match self {
            OrderProblem::Order(e) => e.message_zh(),
            OrderProblem::Vin(e) => e.message_zh(),
            OrderProblem::Card(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> String {
        match self {
            OrderProblem::Order(e) => e.message_en(),
            OrderProblem::Vin(e) => e.message_en(),
            OrderProblem::Card(e) => e.message_en(),
        }
    }
}

/// The dates a C-card starts with, from the delivery day (documented defaults, unless the
/// screen is given others): the manufacturer's warranty runs [`WARRANTY_YEARS`] (整车质保 3 年
/// / 10 万公里, whichever first), the first compulsory insurance (交强险 and the commercial policy
/// bought with the car) [`INSURANCE_YEARS`] year, and a private car's first on-site annual
/// inspection (年检) is due in year [`FIRST_INSPECTION_YEARS`] (新车 6 年免检).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDates {
    pub warranty_end: NaiveDate,
    pub insurance_expiry: NaiveDate,
    pub inspection_date: NaiveDate,
}

pub const WARRANTY_YEARS: u32 = 3;
pub const INSURANCE_YEARS: u32 = 1;
pub const FIRST_INSPECTION_YEARS: u32 = 6;

/// The same calendar day `years` later (29 February becomes 28 February).
fn years_later(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(12 * years))
        .unwrap_or(d)
}

impl CustomerDates {
    pub fn after_delivery(delivered_on: NaiveDate) -> Self {
        CustomerDates {
            warranty_end: years_later(delivered_on, WARRANTY_YEARS),
            insurance_expiry: years_later(delivered_on, INSURANCE_YEARS),
            inspection_date: years_later(delivered_on, FIRST_INSPECTION_YEARS),
        }
    }
}

/// A delivery that may go ahead: the VIN as stored, and the consultant's care calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub vin: super::vin::Vin,
    pub delivered_at: NaiveDateTime,
    pub dates: CustomerDates,
    pub calls: [DueTask; 2],
}

/// Check a delivery (交车) [mgmt: 交车时严格履行对客户的承诺; care: +24 h / +72 h]: the order is still
/// open (`signed`), every checklist item is ticked, the VIN is valid with its check digit, and the
/// car is not handed over on a future day. Every problem at once; when there is none, the
/// handover with its VIN, the C-card's dates and the two care calls.
pub fn check_handover(
    order_status: &str,
    items: &[ChecklistItem],
    vin: &str,
    delivered_at: NaiveDateTime,
    today: NaiveDate,
    consultant: Uuid,
) -> Result<Handover, Vec<OrderProblem>> {
    let mut problems = Vec::new();
    if order_status != "signed" {
        problems.push(OrderProblem::Order(OrderError::OrderNotOpen));
    }
    if let Err(e) = check_delivery(items) {
        problems.push(OrderProblem::Order(e));
    }
    if delivered_at.date() > today {
        problems.push(OrderProblem::Order(OrderError::DeliveryDateInFuture));
    }
    let vin = super::vin::Vin::parse(vin).map_err(OrderProblem::Vin);
    match vin {
        Ok(vin) if problems.is_empty() => Ok(Handover {
            vin,
            delivered_at,
            dates: CustomerDates::after_delivery(delivered_at.date()),
            calls: delivery_care_calls(delivered_at, consultant),
        }),
        Ok(_) => Err(problems),
        Err(e) => {
            problems.push(e);
            Err(problems)
        }
    }
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
    fn a_price_and_a_promise_within_bounds() {
        assert!(price_sound(1) && price_sound(MOST_PRICE_YUAN));
        assert!(!price_sound(0) && !price_sound(-5) && !price_sound(MOST_PRICE_YUAN + 1));
        let signed = d(12, 7);
        assert_eq!(promise_problem(d(12, 7), signed), None);
        assert_eq!(
            promise_problem(d(12, 6), signed),
            Some(OrderError::PromisedDateBeforeSigning)
        );
        let year_on = NaiveDate::from_ymd_opt(2027, 12, 7).unwrap();
        assert_eq!(promise_problem(year_on, signed), None);
        assert_eq!(
            promise_problem(year_on.succ_opt().unwrap(), signed),
            Some(OrderError::PromisedDateTooFar)
        );
        assert_eq!(
            OrderError::PromisedDateTooFar.code(),
            "order_promised_date_too_far"
        );
        assert!(OrderError::PromisedDateTooFar.message_zh().contains("一年"));
    }

    #[test]
    fn the_list_reads_the_orders_closed_in_its_last_days() {
        use super::super::kpi_reads::closed_key;
        let within = |closed: NaiveDate, days: u32| {
            let (from, to) = closed_within_days(d(12, 7), days);
            (from..=to).contains(&closed_key(closed))
        };
        assert!(within(d(12, 7), 1));
        assert!(!within(d(12, 6), 1));
        assert!(within(d(9, 9), CLOSED_LIST_DAYS));
        assert!(!within(d(9, 8), CLOSED_LIST_DAYS));
        assert!(within(d(9, 8), 2 * CLOSED_LIST_DAYS));
        // An open order's day (its promised date) is not a closed key.
        let (from, to) = closed_within_days(d(12, 7), CLOSED_LIST_DAYS);
        assert!(!(from.as_str()..=to.as_str()).contains(&"2026-12-07"));
    }

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

    #[test]
    fn task_kinds_have_stable_wire_names() {
        for k in TaskKind::ALL {
            assert_eq!(TaskKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(TaskKind::DeliveryCall24h.as_str(), "delivery_call_24h");
        assert_eq!(
            TaskKind::parse("tell_new_date"),
            Some(TaskKind::TellCustomerNewDeliveryDate)
        );
        assert_eq!(TaskKind::parse("birthday"), None);
    }

    #[test]
    fn an_order_draft_reports_every_problem() {
        let good = OrderDraft {
            model: "levin".into(),
            price: Some(128_000),
            deposit: Some(5_000),
            promised_date: Some(d(4, 20)),
            signed_on: d(4, 2),
        };
        assert!(good.problems().is_empty());
        // No deposit is a deposit of 0; the whole price as deposit is fine; same-day delivery too.
        assert!(
            OrderDraft {
                deposit: None,
                ..good.clone()
            }
            .problems()
            .is_empty()
        );
        assert!(
            OrderDraft {
                deposit: Some(128_000),
                promised_date: Some(d(4, 2)),
                ..good.clone()
            }
            .problems()
            .is_empty()
        );
        let bad = OrderDraft {
            model: " ".into(),
            price: Some(0),
            deposit: Some(-1),
            promised_date: Some(d(4, 1)),
            signed_on: d(4, 2),
        };
        assert_eq!(
            bad.problems(),
            vec![
                OrderError::ModelMissing,
                OrderError::PriceInvalid,
                OrderError::DepositInvalid,
                OrderError::PromisedDateBeforeSigning,
            ]
        );
        let over = OrderDraft {
            deposit: Some(128_001),
            promised_date: None,
            ..good
        };
        assert_eq!(
            over.problems(),
            vec![OrderError::DepositInvalid, OrderError::PromisedDateMissing]
        );
    }

    #[test]
    fn money_as_staff_type_it() {
        assert_eq!(parse_yuan("268000"), Some(268_000));
        assert_eq!(parse_yuan(" ¥268,000 "), Some(268_000));
        assert_eq!(parse_yuan("26.8万"), Some(268_000));
        assert_eq!(parse_yuan("5000元"), Some(5_000));
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("abc"), None);
    }

    #[test]
    fn money_as_shown_groups_thousands() {
        assert_eq!(yuan_text(268_000), "¥268,000");
        assert_eq!(yuan_text(42_000), "¥42,000");
        assert_eq!(yuan_text(1_234_567), "¥1,234,567");
        assert_eq!(yuan_text(999), "¥999");
        assert_eq!(yuan_text(0), "¥0");
        assert_eq!(yuan_text(-5_000), "-¥5,000");
        assert_eq!(parse_yuan(&yuan_text(175_000)), Some(175_000));
    }

    #[test]
    fn only_open_orders_past_their_date_are_overdue() {
        assert!(delivery_overdue("signed", Some(d(4, 9)), d(4, 10)));
        assert!(
            !delivery_overdue("signed", Some(d(4, 10)), d(4, 10)),
            "due today is not late"
        );
        assert!(!delivery_overdue("delivered", Some(d(4, 1)), d(4, 10)));
        assert!(!delivery_overdue("cancelled", Some(d(4, 1)), d(4, 10)));
        assert!(!delivery_overdue("signed", None, d(4, 10)));
    }

    #[test]
    fn the_checklist_is_the_promises_then_the_standard_items() {
        let items = delivery_checklist(&["脚垫", "行车记录仪", " 脚垫 ", "随车文件"], &["脚垫"]);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["脚垫", "行车记录仪", "随车文件", "车辆功能讲解"]);
        assert!(items.iter().all(|i| i.promised));
        assert_eq!(
            items
                .iter()
                .filter(|i| i.ticked)
                .map(|i| i.label.as_str())
                .collect::<Vec<_>>(),
            ["脚垫"]
        );
        // With no promises the standard items are still there.
        assert_eq!(delivery_checklist(&[], &[]).len(), STANDARD_ITEMS.len());
    }

    #[test]
    fn customer_dates_from_the_delivery_day() {
        let dates = CustomerDates::after_delivery(d(4, 30));
        assert_eq!(
            dates.warranty_end,
            NaiveDate::from_ymd_opt(2029, 4, 30).unwrap()
        );
        assert_eq!(
            dates.insurance_expiry,
            NaiveDate::from_ymd_opt(2027, 4, 30).unwrap()
        );
        assert_eq!(
            dates.inspection_date,
            NaiveDate::from_ymd_opt(2032, 4, 30).unwrap()
        );
        // A leap day: the 28th of February of the later year.
        let leap = CustomerDates::after_delivery(NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        assert_eq!(
            leap.insurance_expiry,
            NaiveDate::from_ymd_opt(2029, 2, 28).unwrap()
        );
    }

    #[test]
    fn a_handover_needs_every_item_ticked_and_a_valid_vin() {
        let at = t(4, 30, 17, 30);
        let today = d(4, 30);
        let all_ticked = delivery_checklist(
            &["脚垫", "行车记录仪"],
            &["脚垫", "行车记录仪", "随车文件", "车辆功能讲解"],
        );
        let one_open = delivery_checklist(
            &["脚垫", "行车记录仪"],
            &["脚垫", "随车文件", "车辆功能讲解"],
        );
        let ok = check_handover(
            "signed",
            &all_ticked,
            " 1m8gdm9axkp042788 ",
            at,
            today,
            WANG,
        )
        .unwrap();
        assert_eq!(ok.vin.as_str(), "1M8GDM9AXKP042788");
        assert_eq!(ok.calls[0].due, t(5, 1, 17, 30));
        assert_eq!(ok.calls[1].due, t(5, 3, 17, 30));
        assert_eq!(ok.dates, CustomerDates::after_delivery(today));
        // A wrong check digit and an open promise are both reported.
        let problems =
            check_handover("signed", &one_open, "1M8GDM9A1KP042788", at, today, WANG).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0], OrderProblem::Order(OrderError::PromisesOpen));
        assert_eq!(problems[1].code(), "vin_check_digit_mismatch");
        assert!(problems[1].message_zh().contains("校验位"));
        // A valid VIN does not save an order that is already delivered, or a future day.
        let problems = check_handover(
            "delivered",
            &all_ticked,
            "1M8GDM9AXKP042788",
            t(5, 2, 9, 0),
            today,
            WANG,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            vec![
                OrderProblem::Order(OrderError::OrderNotOpen),
                OrderProblem::Order(OrderError::DeliveryDateInFuture)
            ]
        );
        assert_eq!(
            check_handover("signed", &all_ticked, "", at, today, WANG).unwrap_err()[0].code(),
            "vin_wrong_length"
        );
    }
}
