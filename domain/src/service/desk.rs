//! The service advisor's desk (服务顾问): booking an appointment (预约) with its confirm call the
//! day before, the capacity shown while booking (advisor load, the workshop's hours), the
//! labour price list (工时价目) kept in the store's service settings, the estimate's totals, the
//! damage marks of the walk-around (环车检查), and what the advisor's board (服务顾问看板)
//! flags: appointments that are late and jobs about to miss their promised time.
//! Pure functions; the screens are in `app/src/service/`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::appointment::{AppointmentStatus, SlotError, check_slot};
use super::repair_order::{
    AdvisorLoad, HourBucket, LineKind, LineState, RoStatus, advisor_load, line_amount_fen,
    line_state,
};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::field;
use crate::records::service::RoLine;
use crate::records::{APPOINTMENT, C_CARD, CARE_TASK};
use crate::roles::Role;
use crate::sales::UserError;
use crate::sync::RecordState;
use crate::time::stored_time;

/// The care-task kind of the call the day before an appointment (预约确认).
pub const CONFIRM_CALL_KIND: &str = "service_confirm";
/// When the confirm call is due: this time of the day before the slot.
pub const CONFIRM_CALL_AT: NaiveTime = match NaiveTime::from_hms_opt(10, 0, 0) {
    Some(t) => t,
    None => panic!("10:00 is a time"),
};

/// An appointment as the advisor books it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Booking {
    pub appointment_id: Uuid,
    /// The customer's C-card, when found.
    pub c_card_id: Option<Uuid>,
    pub customer_name: String,
    pub phone: String,
    pub plate: String,
    pub vin: String,
    /// 服务项目: what the customer wants done.
    pub service_wanted: String,
    pub slot_at: Option<NaiveDateTime>,
    pub advisor_id: String,
    /// Parts needed (reserved by the parts clerk; recorded here until the parts lane exists).
    pub parts_needed: String,
    /// A new customer: with no card found, the booking makes the C-card (name, phone, plate,
    /// VIN) under this id.
    pub new_card: Option<Uuid>,
}

/// Why a booking cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Slot(SlotError),
    #[error("the slot is missing")]
    NoSlot,
    #[error("the customer's name or phone is missing")]
    NoCustomer,
    #[error("the vehicle's plate or VIN is missing")]
    NoVehicle,
    #[error("the service wanted is missing")]
    NoService,
}

impl UserError for BookingError {
    fn code(&self) -> &'static str {
        match self {
            BookingError::Slot(e) => e.code(),
            BookingError::NoSlot => "appointment_no_slot",
            BookingError::NoCustomer => "appointment_no_customer",
            BookingError::NoVehicle => "appointment_no_vehicle",
            BookingError::NoService => "appointment_no_service",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            BookingError::Slot(e) => e.message_zh(),
            BookingError::NoSlot => "请选择预约时间".into(),
            BookingError::NoCustomer => "请填写客户姓名或手机号码".into(),
            BookingError::NoVehicle => "请填写车牌号或车架号".into(),
            BookingError::NoService => "请填写服务项目".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            BookingError::Slot(e) => e.message_en(),
            BookingError::NoSlot => "Choose the appointment's time".into(),
            BookingError::NoCustomer => "Enter the customer's name or phone".into(),
            BookingError::NoVehicle => "Enter the plate or the VIN".into(),
            BookingError::NoService => "Enter the service wanted".into(),
        }
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Checks a booking made at `now` (store time): a customer (name or phone), a vehicle (plate
/// or VIN), the service wanted, and a slot at least three hours ahead (`check_slot`).
pub fn check_booking(now: NaiveDateTime, b: &Booking) -> Result<(), Vec<BookingError>> {
    let mut errors = Vec::new();
    if blank(&b.customer_name) && blank(&b.phone) {
        errors.push(BookingError::NoCustomer);
    }
    if blank(&b.plate) && blank(&b.vin) {
        errors.push(BookingError::NoVehicle);
    }
    if blank(&b.service_wanted) {
        errors.push(BookingError::NoService);
    }
    match b.slot_at {
        None => errors.push(BookingError::NoSlot),
        Some(slot) => {
            if let Err(e) = check_slot(now, slot) {
                errors.push(BookingError::Slot(e));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// When the confirm call for a slot is due: 10:00 the day before, or `now` when that is past.
pub fn confirm_call_due(now: NaiveDateTime, slot: NaiveDateTime) -> NaiveDateTime {
    let day_before = (slot.date() - TimeDelta::days(1)).and_time(CONFIRM_CALL_AT);
    day_before.max(now)
}

fn some_text(w: PlannedWrite, field: &'static str, v: &str) -> PlannedWrite {
    if blank(v) { w } else { w.set(field, v.trim()) }
}

/// The booking's writes: a new C-card when asked ([`Booking::new_card`]), the appointment
/// (booked) and the advisor's confirm call the day before (a care task, `CONFIRM_CALL_KIND`).
/// Check it first ([`check_booking`]).
pub fn booking_plan(now: NaiveDateTime, b: &Booking) -> Plan {
    let mut appt = PlannedWrite::new(b.appointment_id, &APPOINTMENT);
    for (f, v) in [
        ("customer_name", &b.customer_name),
        ("phone", &b.phone),
        ("plate", &b.plate),
        ("vin", &b.vin),
        ("service_wanted", &b.service_wanted),
        ("advisor_id", &b.advisor_id),
        ("parts_needed", &b.parts_needed),
    ] {
        appt = some_text(appt, f, v);
    }
    let mut plan = Plan::new();
    let card = match (b.c_card_id, b.new_card) {
        (Some(c), _) => Some(c),
        (None, Some(new)) => {
            let mut w = PlannedWrite::new(new, &C_CARD);
            for (f, v) in [
                ("name", &b.customer_name),
                ("phone", &b.phone),
                ("plate", &b.plate),
                ("vin", &b.vin),
            ] {
                w = some_text(w, f, v);
            }
            plan.push(w);
            Some(new)
        }
        (None, None) => None,
    };
    if let Some(c) = card {
        appt = appt.set("c_card_id", c.to_string());
    }
    if let Some(slot) = b.slot_at {
        appt = appt.set("slot_at", stored_time(slot));
        plan.push(appt);
        let mut task = PlannedWrite::new(Uuid::now_v7(), &CARE_TASK)
            .set("kind", CONFIRM_CALL_KIND)
            .set("due_at", stored_time(confirm_call_due(now, slot)))
            .set("role", Role::ServiceAdvisor.as_str())
            .set("note", format!("appointment:{}", b.appointment_id));
        task = some_text(task, "customer_name", &b.customer_name);
        task = some_text(task, "phone", &b.phone);
        task = some_text(task, "assignee_id", &b.advisor_id);
        if let Some(c) = card {
            task = task.set("c_card_id", c.to_string());
        }
        plan.push(task);
    } else {
        plan.push(appt);
    }
    plan
}

/// Cancelling an appointment (the customer called it off).
pub fn cancel_appointment_plan(appointment_id: Uuid) -> Plan {
    Plan::new().then(
        PlannedWrite::new(appointment_id, &APPOINTMENT)
            .with(Step::Move("status", AppointmentStatus::Cancelled.as_str())),
    )
}

/// An appointment as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoardArrival {
    /// Booked, the slot not reached yet (未到).
    Expected,
    /// Booked, the slot passed by more than [`LATE_AFTER`] (迟到, perhaps a no-show).
    Late,
    Arrived,
    NoShow,
    Cancelled,
}

/// How long after the slot a booked customer counts as late.
pub const LATE_AFTER: TimeDelta = TimeDelta::minutes(15);

pub fn board_arrival(
    status: AppointmentStatus,
    slot: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> BoardArrival {
    match status {
        AppointmentStatus::Arrived => BoardArrival::Arrived,
        AppointmentStatus::NoShow => BoardArrival::NoShow,
        AppointmentStatus::Cancelled => BoardArrival::Cancelled,
        AppointmentStatus::Booked => match slot {
            Some(s) if now - s > LATE_AFTER => BoardArrival::Late,
            _ => BoardArrival::Expected,
        },
    }
}

/// How far ahead of its promised time an open job is flagged as about to miss it.
pub const PROMISE_WARNING: TimeDelta = TimeDelta::minutes(30);

/// Where an RO stands against its promised time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PromiseRisk {
    /// Not promised yet, or handed over / cancelled / ready.
    None,
    /// Within [`PROMISE_WARNING`] of the promised time and not ready (即将超时).
    AtRisk,
    /// Past the promised time and not ready (已超时).
    Missed,
}

/// Whether an RO in `status`, promised for `promised`, is about to miss it at `now`. A car that
/// is ready (passed final QC) or gone is no risk.
pub fn promise_risk(
    status: RoStatus,
    promised: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> PromiseRisk {
    let open = matches!(
        status,
        RoStatus::Received
            | RoStatus::Estimated
            | RoStatus::Approved
            | RoStatus::InWork
            | RoStatus::Qc
    );
    match promised {
        Some(p) if open && now > p => PromiseRisk::Missed,
        Some(p) if open && p - now <= PROMISE_WARNING => PromiseRisk::AtRisk,
        _ => PromiseRisk::None,
    }
}

/// Each advisor's count for `day` (ROs received that day and appointments booked for it, not
/// cancelled), with the load it means (12–15 = full), most loaded first; `advisors` are
/// listed even with nothing.
pub fn advisor_loads(
    day: NaiveDate,
    advisors: &[String],
    items: &[(Option<&str>, Option<NaiveDateTime>)],
) -> Vec<(String, usize, AdvisorLoad)> {
    let mut names: Vec<String> = advisors.to_vec();
    for (a, t) in items {
        if let (Some(a), Some(t)) = (a, t)
            && t.date() == day
            && !names.iter().any(|n| n == a)
        {
            names.push((*a).to_owned());
        }
    }
    let mut out: Vec<(String, usize, AdvisorLoad)> = names
        .into_iter()
        .map(|n| {
            let count = super::repair_order::advisor_count(&n, day, items);
            (n, count, advisor_load(count))
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The minutes an appointment is counted for in the workshop's hours until it is estimated.
pub const DEFAULT_JOB_MINUTES: i64 = 60;

/// The workshop's hours for a day (时间桶): `on_duty` minutes of all technicians, minus the
/// carry-over (minutes still to do on ROs received before the day and not done), minus the
/// booked minutes (appointments of the day, and ROs received that day).
pub fn shop_bucket(on_duty: i64, carry_over: &[i64], booked: &[i64]) -> HourBucket {
    HourBucket {
        on_duty: on_duty.max(0),
        carry_over: carry_over.iter().map(|m| (*m).max(0)).sum(),
        booked: booked.iter().map(|m| (*m).max(0)).sum(),
    }
}

/// One labour operation of the store's price list (工时价目), an element of the service
/// settings' `labour_ops` set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabourOp {
    pub code: String,
    pub name: String,
    /// Standard hours (e.g. 1.5).
    pub hours: f64,
}

impl LabourOp {
    /// The set element of this operation.
    pub fn element(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The store's labour price list, sorted by code (then name).
pub fn price_list(settings: Option<&RecordState>) -> Vec<(String, LabourOp)> {
    let mut ops: Vec<(String, LabourOp)> = settings
        .map(|r| field::set_json::<LabourOp>(r, "labour_ops"))
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, op)| !blank(&op.code) && op.hours.is_finite() && op.hours >= 0.0)
        .collect();
    ops.sort_by(|a, b| {
        a.1.code
            .cmp(&b.1.code)
            .then_with(|| a.1.name.cmp(&b.1.name))
    });
    ops
}

/// Why a price-list entry cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("code and name are needed")]
    Incomplete,
    #[error("the standard hours are not a number between 0 and 100")]
    BadHours,
    #[error("the hourly rate is not an amount of yuan")]
    BadRate,
}

impl UserError for PriceError {
    fn code(&self) -> &'static str {
        match self {
            PriceError::Incomplete => "labour_op_incomplete",
            PriceError::BadHours => "labour_op_bad_hours",
            PriceError::BadRate => "hourly_rate_bad",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            PriceError::Incomplete => "请填写工时代码和项目名称".into(),
            PriceError::BadHours => "标准工时须是0到100之间的数字".into(),
            PriceError::BadRate => "工时单价须是以元为单位的金额".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            PriceError::Incomplete => "Enter the operation's code and name".into(),
            PriceError::BadHours => "Standard hours must be a number from 0 to 100".into(),
            PriceError::BadRate => "The hourly rate must be an amount in yuan".into(),
        }
    }
}

/// A price-list entry from the typed code, name and hours.
pub fn labour_op(code: &str, name: &str, hours: &str) -> Result<LabourOp, PriceError> {
    if blank(code) || blank(name) {
        return Err(PriceError::Incomplete);
    }
    let h: f64 = hours.trim().parse().map_err(|_| PriceError::BadHours)?;
    if !h.is_finite() || !(0.0..=100.0).contains(&h) {
        return Err(PriceError::BadHours);
    }
    Ok(LabourOp {
        code: code.trim().to_owned(),
        name: name.trim().to_owned(),
        hours: h,
    })
}

/// An amount typed in yuan (e.g. `380` or `380.50`) in fen.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches('¥').replace([',', '，'], "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = format!("{frac:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

/// An amount in fen as the customer reads it: `¥1,234.50`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}¥{grouped}.{:02}", fen % 100)
}

/// The settings record's id of a store's `service_settings` (one per store, derived from the
/// store id like the sales settings').
pub fn service_settings_record_id(store_id: &str) -> Uuid {
    crate::sales::settings::derived_record_id(&format!("service_settings/{store_id}"))
}

/// The estimate's figures (透明报价): labour, parts, the total of the lines not declined, and
/// the part of it the customer has approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub labour_fen: i64,
    pub parts_fen: i64,
    pub total_fen: i64,
    pub approved_fen: i64,
    /// Lines whose amount cannot be computed (a figure missing).
    pub unpriced: usize,
}

/// The totals of `lines` at the store's hourly rate.
pub fn totals(lines: &[RoLine], hourly_rate_fen: i64) -> Totals {
    let mut t = Totals::default();
    for l in lines {
        let state = line_state(l.origin, l.decision.as_ref());
        if state == LineState::Declined {
            continue;
        }
        let Some(amount) = line_amount_fen(
            l.kind,
            l.std_centihours,
            l.qty,
            l.unit_price_fen,
            hourly_rate_fen,
        ) else {
            t.unpriced += 1;
            continue;
        };
        match l.kind {
            LineKind::Labour => t.labour_fen += amount,
            LineKind::Part => t.parts_fen += amount,
        }
        t.total_fen += amount;
        if state == LineState::Approved {
            t.approved_fen += amount;
        }
    }
    t
}

/// A kind of damage marked on the car outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DamageKind {
    /// 划痕
    Scratch,
    /// 凹陷
    Dent,
    /// 破损
    Broken,
    /// 掉漆
    Paint,
    /// 裂纹 (glass)
    Crack,
}

impl DamageKind {
    pub const ALL: [DamageKind; 5] = [
        DamageKind::Scratch,
        DamageKind::Dent,
        DamageKind::Broken,
        DamageKind::Paint,
        DamageKind::Crack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DamageKind::Scratch => "scratch",
            DamageKind::Dent => "dent",
            DamageKind::Broken => "broken",
            DamageKind::Paint => "paint",
            DamageKind::Crack => "crack",
        }
    }

    pub fn parse(s: &str) -> Option<DamageKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DamageKind::Scratch => "划痕",
            DamageKind::Dent => "凹陷",
            DamageKind::Broken => "破损",
            DamageKind::Paint => "掉漆",
            DamageKind::Crack => "裂纹",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DamageKind::Scratch => "Scratch",
            DamageKind::Dent => "Dent",
            DamageKind::Broken => "Broken",
            DamageKind::Paint => "Paint chip",
            DamageKind::Crack => "Crack",
        }
    }
}

/// A damage mark on the car outline (top view): where (per mille of the outline's width and
/// length, so the mark stays put at any drawing size), what, and its photos' blob ids.
#[derive(Debug, Clone, PartialEq)]
pub struct DamageMark {
    pub x: i64,
    pub y: i64,
    pub kind: DamageKind,
    pub photos: Vec<String>,
}

impl DamageMark {
    /// A mark where the outline was tapped, held on the outline (0–1000 both ways).
    pub fn at(x: i64, y: i64, kind: DamageKind) -> DamageMark {
        DamageMark {
            x: x.clamp(0, 1000),
            y: y.clamp(0, 1000),
            kind,
            photos: Vec::new(),
        }
    }

    /// The JSON of its `damage_marks` log entry.
    pub fn entry(&self) -> serde_json::Value {
        json!({"x": self.x, "y": self.y, "kind": self.kind.as_str(), "photos": self.photos})
    }

    /// A mark as its entry reads (`None` for an entry that is not one).
    pub fn of(v: &serde_json::Value) -> Option<DamageMark> {
        let n = |k: &str| v.get(k).and_then(serde_json::Value::as_i64);
        Some(DamageMark {
            x: n("x")?.clamp(0, 1000),
            y: n("y")?.clamp(0, 1000),
            kind: v
                .get("kind")
                .and_then(serde_json::Value::as_str)
                .and_then(DamageKind::parse)?,
            photos: v
                .get("photos")
                .and_then(serde_json::Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// The damage marks of a repair order record, in log order.
pub fn damage_marks(r: &RecordState) -> Vec<DamageMark> {
    r.log("damage_marks")
        .into_iter()
        .filter_map(|e| DamageMark::of(&e.value))
        .collect()
}

/// The damage marks' writes at reception: one entry each on the RO.
pub fn damage_steps(marks: &[DamageMark]) -> Vec<Step> {
    marks
        .iter()
        .map(|m| Step::Append("damage_marks", Uuid::now_v7(), m.entry()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::RoLine;
    use crate::records::service::SERVICE_SETTINGS;
    use crate::service::repair_order::{LineDecision, LineOrigin, Proof};

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn booking(slot: Option<NaiveDateTime>) -> Booking {
        Booking {
            appointment_id: Uuid::from_u128(1),
            customer_name: "王先生".into(),
            phone: "13800001111".into(),
            plate: "粤A12345".into(),
            service_wanted: "小保养".into(),
            slot_at: slot,
            advisor_id: "advisor".into(),
            parts_needed: "机油滤芯".into(),
            ..Booking::default()
        }
    }

    #[test]
    fn a_booking_needs_customer_vehicle_service_and_a_slot_three_hours_ahead() {
        let now = at(7, 9, 0);
        assert_eq!(check_booking(now, &booking(Some(at(7, 12, 0)))), Ok(()));
        assert_eq!(
            check_booking(now, &booking(Some(at(7, 11, 0)))),
            Err(vec![BookingError::Slot(SlotError::TooSoon)])
        );
        let empty = Booking::default();
        assert_eq!(
            check_booking(now, &empty),
            Err(vec![
                BookingError::NoCustomer,
                BookingError::NoVehicle,
                BookingError::NoService,
                BookingError::NoSlot
            ])
        );
        let by_phone_and_vin = Booking {
            customer_name: String::new(),
            plate: " ".into(),
            vin: "LVGBE40K8GP123456".into(),
            ..booking(Some(at(8, 9, 0)))
        };
        assert_eq!(check_booking(now, &by_phone_and_vin), Ok(()));
        assert_eq!(
            BookingError::Slot(SlotError::TooSoon).message_zh(),
            "预约须至少提前3小时,请选择更晚的时间"
        );
    }

    #[test]
    fn a_booking_writes_the_appointment_and_the_confirm_call_the_day_before() {
        let now = at(7, 9, 0);
        let plan = booking_plan(now, &booking(Some(at(9, 14, 30))));
        assert_eq!(plan.writes.len(), 2);
        let appt = &plan.writes[0];
        assert_eq!(
            appt.value_of("slot_at"),
            Some(&json!("2026-12-09T14:30:00"))
        );
        assert_eq!(appt.value_of("parts_needed"), Some(&json!("机油滤芯")));
        assert_eq!(appt.value_of("vin"), None, "blank fields are not written");
        let task = plan.writes_of_type("care_task").next().unwrap();
        assert_eq!(task.value_of("kind"), Some(&json!(CONFIRM_CALL_KIND)));
        assert_eq!(task.value_of("due_at"), Some(&json!("2026-12-08T10:00:00")));
        assert_eq!(task.value_of("assignee_id"), Some(&json!("advisor")));
        let new = Booking {
            new_card: Some(Uuid::from_u128(7)),
            ..booking(Some(at(9, 14, 30)))
        };
        let plan = booking_plan(now, &new);
        assert_eq!(plan.writes.len(), 3);
        let card = plan.writes_of_type("c_card").next().unwrap();
        assert_eq!(card.value_of("plate"), Some(&json!("粤A12345")));
        let id = json!(Uuid::from_u128(7).to_string());
        for w in &plan.writes[1..] {
            assert_eq!(w.value_of("c_card_id"), Some(&id));
        }
        // Booked in the evening for tomorrow morning: the call is due at once.
        assert_eq!(confirm_call_due(at(7, 18, 0), at(8, 9, 0)), at(7, 18, 0));
        assert_eq!(
            cancel_appointment_plan(Uuid::from_u128(1)).writes[0].move_of("status"),
            Some("cancelled")
        );
    }

    #[test]
    fn the_board_flags_late_customers_and_jobs_about_to_miss_the_promise() {
        let now = at(7, 10, 0);
        let booked = AppointmentStatus::Booked;
        assert_eq!(
            board_arrival(booked, Some(at(7, 9, 50)), now),
            BoardArrival::Expected
        );
        assert_eq!(
            board_arrival(booked, Some(at(7, 9, 40)), now),
            BoardArrival::Late
        );
        assert_eq!(
            board_arrival(AppointmentStatus::NoShow, None, now),
            BoardArrival::NoShow
        );
        let promised = Some(at(7, 10, 30));
        assert_eq!(
            promise_risk(RoStatus::InWork, promised, now),
            PromiseRisk::AtRisk
        );
        assert_eq!(
            promise_risk(RoStatus::InWork, promised, at(7, 9, 59)),
            PromiseRisk::None
        );
        assert_eq!(
            promise_risk(RoStatus::Qc, promised, at(7, 10, 31)),
            PromiseRisk::Missed
        );
        assert_eq!(
            promise_risk(RoStatus::Ready, promised, at(7, 11, 0)),
            PromiseRisk::None
        );
        assert_eq!(promise_risk(RoStatus::InWork, None, now), PromiseRisk::None);
    }

    #[test]
    fn capacity_counts_each_advisor_and_the_workshop_hours() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut items = vec![(Some("a"), Some(at(7, 9, 0))); 12];
        items.push((Some("b"), Some(at(7, 10, 0))));
        items.push((Some("b"), Some(at(8, 10, 0))));
        items.push((None, Some(at(7, 10, 0))));
        let loads = advisor_loads(day, &["c".into()], &items);
        assert_eq!(
            loads,
            vec![
                ("a".into(), 12, AdvisorLoad::Full),
                ("b".into(), 1, AdvisorLoad::Open),
                ("c".into(), 0, AdvisorLoad::Open)
            ]
        );
        let bucket = shop_bucket(4 * 8 * 60, &[90, 30], &[60, 60, -5]);
        assert_eq!(bucket.free(), 1920 - 120 - 120);
        assert!(bucket.fits(1680) && !bucket.fits(1681));
    }

    #[test]
    fn the_price_list_and_amounts_read_as_typed() {
        assert_eq!(
            labour_op(" BRK-01 ", "更换前刹车片", "1.5"),
            Ok(LabourOp {
                code: "BRK-01".into(),
                name: "更换前刹车片".into(),
                hours: 1.5
            })
        );
        assert_eq!(labour_op("", "x", "1"), Err(PriceError::Incomplete));
        assert_eq!(labour_op("A", "x", "abc"), Err(PriceError::BadHours));
        assert_eq!(labour_op("A", "x", "101"), Err(PriceError::BadHours));
        assert_eq!(parse_yuan("380"), Some(38_000));
        assert_eq!(parse_yuan("¥1,380.5"), Some(138_050));
        assert_eq!(parse_yuan("12.345"), None);
        assert_eq!(parse_yuan("-3"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(yuan(138_050), "¥1,380.50");
        assert_eq!(yuan(5), "¥0.05");
        assert_eq!(yuan(123_456_789), "¥1,234,567.89");
        let a = service_settings_record_id("demo");
        assert_eq!(a, service_settings_record_id("demo"));
        assert_ne!(a, service_settings_record_id("other"));
        assert_ne!(a, crate::sales::settings::settings_record_id("demo"));

        let mut r = RecordState::new(a, "service_settings", "demo");
        let op = |code: &str| LabourOp {
            code: code.into(),
            name: "x".into(),
            hours: 1.0,
        };
        for (n, e) in [op("B").element(), op("A").element(), "not json".into()]
            .into_iter()
            .enumerate()
        {
            let w = PlannedWrite::new(a, &SERVICE_SETTINGS).with(Step::SetAdd("labour_ops", e));
            let o = crate::sync::Op {
                op_id: Uuid::from_u128(9 + n as u128),
                device_id: Uuid::from_u128(3),
                user_id: "gm".into(),
                store_id: "demo".into(),
                record_id: a,
                record_type: "service_settings".into(),
                hlc: crate::sync::Hlc::new(1_000 + n as u64, 0),
                changes: w.changes(&r).unwrap(),
            };
            crate::sync::apply(&mut r, &o, &SERVICE_SETTINGS).unwrap();
        }
        let codes: Vec<String> = price_list(Some(&r))
            .into_iter()
            .map(|(_, o)| o.code)
            .collect();
        assert_eq!(codes, ["A", "B"]);
        assert!(price_list(None).is_empty());
    }

    fn line(
        n: u128,
        kind: LineKind,
        ch: Option<i64>,
        qty: Option<i64>,
        price: Option<i64>,
    ) -> RoLine {
        RoLine {
            id: Uuid::from_u128(n),
            ro_id: None,
            kind,
            origin: LineOrigin::Estimate,
            code: None,
            description: None,
            std_centihours: ch,
            qty,
            unit_price_fen: price,
            technician_id: None,
            billed: false,
            decision: None,
            job: Default::default(),
            findings: Vec::new(),
        }
    }

    #[test]
    fn totals_leave_declined_lines_out_and_count_the_approved() {
        let phone = Proof::Phone {
            who: "王先生".into(),
            at: "2026-12-07T10:00:00".into(),
            what: "ok".into(),
        };
        let decided = |mut l: RoLine, approved: bool| {
            l.decision = Some(LineDecision {
                approved,
                proof: Some(phone.clone()),
                recorded_by: "advisor".into(),
            });
            l
        };
        let lines = vec![
            decided(line(1, LineKind::Labour, Some(150), None, None), true),
            line(2, LineKind::Part, None, Some(2), Some(38_000)),
            decided(line(3, LineKind::Part, None, Some(1), Some(9_900)), false),
            line(4, LineKind::Part, None, None, Some(100)),
        ];
        let t = totals(&lines, 18_000);
        assert_eq!(
            t,
            Totals {
                labour_fen: 27_000,
                parts_fen: 76_000,
                total_fen: 103_000,
                approved_fen: 27_000,
                unpriced: 1,
            }
        );
    }

    #[test]
    fn damage_marks_stay_on_the_outline_and_read_back() {
        let mut m = DamageMark::at(1200, -4, DamageKind::Dent);
        assert_eq!((m.x, m.y), (1000, 0));
        m.photos.push("sha256-abc".into());
        assert_eq!(DamageMark::of(&m.entry()), Some(m.clone()));
        assert_eq!(
            DamageMark::of(&json!({"x": 1, "y": 2, "kind": "nope"})),
            None
        );
        for k in DamageKind::ALL {
            assert_eq!(DamageKind::parse(k.as_str()), Some(k));
            assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
        }
        assert_eq!(damage_steps(&[m.clone(), m]).len(), 2);
    }
}
