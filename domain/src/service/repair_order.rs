//! The repair order's rules (工单, shared/domain.md "Repair order"; seeds 000/001): the status
//! through the seven steps and who moves it, line amounts, the customer's decision on a line,
//! the job clock, QC, the promised time, the on-time flag, comebacks, advisor load and the
//! technicians' hour buckets. Pure functions; the record types are in `records::service`.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde_json::Value;
use uuid::Uuid;

use crate::roles::{Area, Role};
use crate::sync::{LogEntry, RecordState};
use crate::time::StoreClock;

/// Where a repair order stands (`records::service::REPAIR_ORDER_STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoStatus {
    /// 接待: the car is received, the facts taken.
    Received,
    /// 估价: lines priced, waiting for the customer.
    Estimated,
    /// 客户已确认: the estimate approved; the RO (委托书) stands.
    Approved,
    /// 施工: dispatched, in the workshop (also after a failed QC: rework).
    InWork,
    /// 质检: waiting for the QC inspector.
    Qc,
    /// 待交车: passed the final check.
    Ready,
    /// 已交车
    HandedOver,
    /// 已取消 (before any work).
    Cancelled,
}

impl RoStatus {
    pub const ALL: [RoStatus; 8] = [
        RoStatus::Received,
        RoStatus::Estimated,
        RoStatus::Approved,
        RoStatus::InWork,
        RoStatus::Qc,
        RoStatus::Ready,
        RoStatus::HandedOver,
        RoStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoStatus::Received => "received",
            RoStatus::Estimated => "estimated",
            RoStatus::Approved => "approved",
            RoStatus::InWork => "in_work",
            RoStatus::Qc => "qc",
            RoStatus::Ready => "ready",
            RoStatus::HandedOver => "handed_over",
            RoStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RoStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RoStatus::Received => "已接待",
            RoStatus::Estimated => "已估价",
            RoStatus::Approved => "客户已确认",
            RoStatus::InWork => "施工中",
            RoStatus::Qc => "质检中",
            RoStatus::Ready => "待交车",
            RoStatus::HandedOver => "已交车",
            RoStatus::Cancelled => "已取消",
        }
    }
}

/// Who may move a repair order from `from` to `to` (the move itself must be one of the
/// machine's): the service advisor runs the RO (estimate, approval, dispatch, handover,
/// cancel); a technician hands his work to QC; the QC inspector passes it on or sends it back;
/// the general manager (who manages service) may do any. Parts clerks only read.
pub fn may_move(roles: &[Role], from: RoStatus, to: RoStatus) -> bool {
    if Role::any_manages(roles, Area::Service) {
        return true;
    }
    use RoStatus as S;
    let by: &[Role] = match (from, to) {
        (S::InWork, S::Qc) => &[Role::Technician, Role::ServiceAdvisor],
        (S::Qc, S::InWork) | (S::Qc, S::Ready) => &[Role::QcInspector],
        _ => &[Role::ServiceAdvisor],
    };
    roles.iter().any(|r| by.contains(r))
}

/// How the car came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arrival {
    /// 预约到店
    Appointment,
    /// 直接到店
    WalkIn,
}

impl Arrival {
    pub fn as_str(self) -> &'static str {
        match self {
            Arrival::Appointment => "appointment",
            Arrival::WalkIn => "walk_in",
        }
    }

    pub fn parse(s: &str) -> Option<Arrival> {
        [Arrival::Appointment, Arrival::WalkIn]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A line's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// 工时: standard hours × the store's hourly rate.
    Labour,
    /// 零件: quantity × price.
    Part,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Labour => "labour",
            LineKind::Part => "part",
        }
    }

    pub fn parse(s: &str) -> Option<LineKind> {
        [LineKind::Labour, LineKind::Part]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineOrigin {
    /// In the estimate made at reception.
    Estimate,
    /// 增项: a finding in the workshop, proposed to the customer.
    AddedWork,
}

impl LineOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            LineOrigin::Estimate => "estimate",
            LineOrigin::AddedWork => "added_work",
        }
    }

    pub fn parse(s: &str) -> Option<LineOrigin> {
        [LineOrigin::Estimate, LineOrigin::AddedWork]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// How the customer's decision was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    /// Signed on the tablet: the signature's blob id (content hash).
    Signature { blob_id: String },
    /// A logged phone call: who answered, when, what they agreed to.
    Phone {
        who: String,
        at: String,
        what: String,
    },
}

impl Proof {
    /// The JSON of a decision entry's `proof` member.
    pub fn to_json(&self) -> Value {
        match self {
            Proof::Signature { blob_id } => {
                serde_json::json!({"signature_blob": blob_id})
            }
            Proof::Phone { who, at, what } => {
                serde_json::json!({"phone": {"who": who, "at": at, "what": what}})
            }
        }
    }

    /// Reads a decision entry's `proof` member; `None` when it proves nothing (no blob id, or a
    /// phone approval without who, when or what).
    pub fn of(v: &Value) -> Option<Proof> {
        let text = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(blob_id) = text(v, "signature_blob") {
            return Some(Proof::Signature { blob_id });
        }
        let p = v.get("phone")?;
        Some(Proof::Phone {
            who: text(p, "who")?,
            at: text(p, "at")?,
            what: text(p, "what")?,
        })
    }
}

/// The customer's decision on a line (written once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDecision {
    /// true = approved; false = declined (建议未做, kept for a later reminder).
    pub approved: bool,
    pub proof: Option<Proof>,
    /// Who recorded it (the op's user).
    pub recorded_by: String,
}

impl LineDecision {
    /// The JSON of a decision entry.
    pub fn entry(approved: bool, proof: &Proof) -> Value {
        serde_json::json!({
            "approved": approved,
            "proof": proof.to_json(),
        })
    }

    /// Reads one decision entry.
    pub fn of_value(v: &Value, recorded_by: &str) -> Option<LineDecision> {
        Some(LineDecision {
            approved: v.get("approved")?.as_bool()?,
            proof: v.get("proof").and_then(Proof::of),
            recorded_by: recorded_by.to_owned(),
        })
    }

    /// The decision of a line record: its entry under the line's own id (the only one a line
    /// can have; any other is ignored).
    pub fn of_line(r: &RecordState, _clock: StoreClock) -> Option<LineDecision> {
        r.log("decision")
            .into_iter()
            .find(|e| e.entry_id == r.id)
            .and_then(|e| LineDecision::of_value(&e.value, &e.user_id))
    }
}

/// Whether a line record is approved by the customer. Work (clock on) and billing need it.
pub fn line_approved(r: &RecordState) -> bool {
    LineDecision::of_line(r, StoreClock::CHINA).is_some_and(|d| d.approved)
}

/// The state a line shows: proposed (建议), approved, declined (建议未做), or added work waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineState {
    Proposed,
    AddedWorkProposed,
    Approved,
    Declined,
}

pub fn line_state(origin: LineOrigin, decision: Option<&LineDecision>) -> LineState {
    match (decision.map(|d| d.approved), origin) {
        (Some(true), _) => LineState::Approved,
        (Some(false), _) => LineState::Declined,
        (None, LineOrigin::Estimate) => LineState::Proposed,
        (None, LineOrigin::AddedWork) => LineState::AddedWorkProposed,
    }
}

/// Standard hours as written (a number or numeric text, e.g. `1.5`) in hundredths of an hour.
pub fn parse_hours(v: &Value) -> Option<i64> {
    let h = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !h.is_finite() || !(0.0..=1_000.0).contains(&h) {
        return None;
    }
    Some((h * 100.0).round() as i64)
}

/// A line's amount in fen: labour = standard hours × the store's hourly rate; part = quantity
/// × unit price. `None` when a figure is missing.
pub fn line_amount_fen(
    kind: LineKind,
    std_centihours: Option<i64>,
    qty: Option<i64>,
    unit_price_fen: Option<i64>,
    hourly_rate_fen: i64,
) -> Option<i64> {
    match kind {
        LineKind::Labour => {
            let ch = std_centihours?;
            // Rounded half up to the fen.
            Some((ch * hourly_rate_fen + 50) / 100)
        }
        LineKind::Part => Some(qty? * unit_price_fen?),
    }
}

/// The estimate's duration in minutes: the advisor's own figure when given, else the sum of
/// the standard hours of the labour lines not declined.
pub fn estimate_minutes(advisors: Option<i64>, labour_centihours: &[i64]) -> i64 {
    match advisors {
        Some(m) if m > 0 => m,
        _ => {
            let ch: i64 = labour_centihours.iter().sum();
            (ch * 60 + 50) / 100
        }
    }
}

/// The seed's buffer on the promised time: 5 to 10 minutes [mgmt].
pub const BUFFER_MIN: i64 = 5;
pub const BUFFER_MAX: i64 = 10;
/// The buffer a store has until it sets one.
pub const DEFAULT_BUFFER: i64 = 10;

/// The promised time (交车时间): work starting at `start`, plus the estimate, plus the buffer
/// (held within the seed's 5–10 minutes).
pub fn promised_time(start: NaiveDateTime, estimate_minutes: i64, buffer: i64) -> NaiveDateTime {
    start
        + TimeDelta::minutes(estimate_minutes.max(0))
        + TimeDelta::minutes(buffer.clamp(BUFFER_MIN, BUFFER_MAX))
}

/// Whether a handover at `handed_over` kept the promise (交车时间准确率): at or before it.
pub fn on_time(promised: NaiveDateTime, handed_over: NaiveDateTime) -> bool {
    handed_over <= promised
}

/// The default comeback window (返修): 30 days.
pub const DEFAULT_COMEBACK_DAYS: i64 = 30;

/// One earlier RO as the comeback rule sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PastRo {
    pub id: Uuid,
    pub vin: Option<String>,
    pub plate: Option<String>,
    pub complaint: Option<String>,
    /// When the car was handed over (an RO not handed over is not a first fix yet).
    pub handed_over_at: Option<NaiveDateTime>,
}

fn key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '·')
        .flat_map(char::to_uppercase)
        .collect()
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    match (a.map(key), b.map(key)) {
        (Some(a), Some(b)) => !a.is_empty() && a == b,
        _ => false,
    }
}

/// The RO a new one (same vehicle by VIN, or by plate when a VIN is missing; same complaint,
/// received at `received_at`) is a comeback of: the latest one handed over within
/// `window_days` before. `None` = a first visit for this fault.
pub fn comeback_of(
    history: &[PastRo],
    vin: Option<&str>,
    plate: Option<&str>,
    complaint: Option<&str>,
    received_at: NaiveDateTime,
    window_days: i64,
) -> Option<Uuid> {
    let window = TimeDelta::days(window_days.max(0));
    history
        .iter()
        .filter(|p| {
            let vehicle = if vin.is_some() && p.vin.is_some() {
                same(vin, p.vin.as_deref())
            } else {
                same(plate, p.plate.as_deref())
            };
            vehicle && same(complaint, p.complaint.as_deref())
        })
        .filter_map(|p| p.handed_over_at.map(|t| (t, p.id)))
        .filter(|(t, _)| *t <= received_at && received_at - *t <= window)
        .max()
        .map(|(_, id)| id)
}

/// An advisor's load for a day: 12–15 ROs is full [mgmt].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdvisorLoad {
    /// Fewer than 12: can take more.
    Open,
    /// 12 to 15: full.
    Full,
    /// More than 15: over.
    Over,
}

pub const ADVISOR_FULL: usize = 12;
pub const ADVISOR_MAX: usize = 15;

pub fn advisor_load(ros_today: usize) -> AdvisorLoad {
    match ros_today {
        n if n < ADVISOR_FULL => AdvisorLoad::Open,
        n if n <= ADVISOR_MAX => AdvisorLoad::Full,
        _ => AdvisorLoad::Over,
    }
}

/// How many ROs (received that day) and appointments (booked for it) `advisor` has on `day`.
pub fn advisor_count(
    advisor: &str,
    day: NaiveDate,
    items: &[(Option<&str>, Option<NaiveDateTime>)],
) -> usize {
    items
        .iter()
        .filter(|(a, t)| *a == Some(advisor) && t.is_some_and(|t| t.date() == day))
        .count()
}

/// A technician's hours for a day (时间桶): on duty − carry-over − booked, in minutes; negative
/// = overbooked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourBucket {
    pub on_duty: i64,
    pub carry_over: i64,
    pub booked: i64,
}

impl HourBucket {
    pub fn free(&self) -> i64 {
        self.on_duty - self.carry_over - self.booked
    }

    /// Whether a job of `minutes` still fits.
    pub fn fits(&self, minutes: i64) -> bool {
        minutes <= self.free()
    }
}

/// One event of a job's clock (`clock` log of a line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClockEvent {
    On,
    Pause,
    Off,
}

impl ClockEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockEvent::On => "on",
            ClockEvent::Pause => "pause",
            ClockEvent::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<ClockEvent> {
        [ClockEvent::On, ClockEvent::Pause, ClockEvent::Off]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The job on a labour line: its technician and its clock intervals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Job {
    pub technician_id: Option<String>,
    /// Clocked intervals in order; the last may be open (running).
    pub intervals: Vec<(NaiveDateTime, Option<NaiveDateTime>)>,
    /// Clocked off (done).
    pub done: bool,
}

impl Job {
    /// The job from a line's clock log (entries `{"event": "on"|"pause"|"off"}`, timed by their
    /// write time in store time).
    pub fn of(log: &[&LogEntry], clock: StoreClock, technician_id: Option<String>) -> Job {
        let mut job = Job {
            technician_id,
            ..Job::default()
        };
        for e in log {
            let event = e.value.get("event").and_then(Value::as_str);
            let (Some(ev), Some(at)) = (
                event.and_then(ClockEvent::parse),
                clock.local_ms(e.hlc.wall_ms),
            ) else {
                continue;
            };
            let open = matches!(job.intervals.last(), Some((_, None)));
            match ev {
                ClockEvent::On if !open => {
                    job.intervals.push((at, None));
                    job.done = false;
                }
                ClockEvent::Pause | ClockEvent::Off if open => {
                    if let Some(last) = job.intervals.last_mut() {
                        last.1 = Some(at);
                    }
                    job.done = ev == ClockEvent::Off;
                }
                ClockEvent::Off => job.done = true,
                _ => {}
            }
        }
        job
    }

    pub fn running(&self) -> bool {
        matches!(self.intervals.last(), Some((_, None)))
    }

    /// Minutes worked up to `now` (actual hours against sold hours).
    pub fn worked_minutes(&self, now: NaiveDateTime) -> i64 {
        self.intervals
            .iter()
            .map(|(a, b)| (b.unwrap_or(now) - *a).num_minutes().max(0))
            .sum()
    }
}

/// A QC level (三级质检).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QcStage {
    /// 初检, before work.
    Initial,
    /// 过程检验
    InProcess,
    /// 终检, before handover.
    Final,
}

impl QcStage {
    pub fn as_str(self) -> &'static str {
        match self {
            QcStage::Initial => "initial",
            QcStage::InProcess => "in_process",
            QcStage::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Option<QcStage> {
        [QcStage::Initial, QcStage::InProcess, QcStage::Final]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One QC check (`qc_checks` log entry `{"stage", "passed", "reason"}`); a fail is rework.
#[derive(Debug, Clone, PartialEq)]
pub struct QcCheck {
    pub entry_id: Uuid,
    pub stage: QcStage,
    pub passed: bool,
    pub reason: Option<String>,
    pub inspector_id: String,
    pub at: Option<NaiveDateTime>,
}

impl QcCheck {
    pub fn entry(stage: QcStage, passed: bool, reason: &str) -> Value {
        serde_json::json!({"stage": stage.as_str(), "passed": passed, "reason": reason})
    }

    pub fn of(e: &LogEntry, clock: StoreClock) -> Option<QcCheck> {
        let text = |k: &str| e.value.get(k).and_then(Value::as_str);
        Some(QcCheck {
            entry_id: e.entry_id,
            stage: text("stage").and_then(QcStage::parse)?,
            passed: e.value.get("passed")?.as_bool()?,
            reason: text("reason")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            inspector_id: e.user_id.clone(),
            at: clock.local_ms(e.hlc.wall_ms),
        })
    }
}

/// Whether the last final check (in log order) passed: handover needs it.
pub fn final_qc_passed(checks: &[QcCheck]) -> bool {
    checks
        .iter()
        .rev()
        .find(|c| c.stage == QcStage::Final)
        .is_some_and(|c| c.passed)
}

/// The rework count of an RO (failed checks).
pub fn rework_count(checks: &[QcCheck]) -> usize {
    checks.iter().filter(|c| !c.passed).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    const C: StoreClock = StoreClock::CHINA;

    fn item(n: u128, v: Value, t: NaiveDateTime) -> LogEntry {
        let ms = C.instant(t).timestamp_millis() as u64;
        LogEntry {
            entry_id: Uuid::from_u128(n),
            value: v,
            hlc: crate::sync::Hlc::new(ms, 0),
            device_id: Uuid::from_u128(1),
            user_id: "qc".into(),
            op_id: Uuid::from_u128(n),
        }
    }

    #[test]
    fn who_moves_the_ro() {
        use RoStatus as S;
        let sa = [Role::ServiceAdvisor];
        let tech = [Role::Technician];
        let qc = [Role::QcInspector];
        let parts = [Role::PartsClerk];
        let gm = [Role::GeneralManager];
        assert!(may_move(&sa, S::Received, S::Estimated));
        assert!(may_move(&sa, S::Approved, S::InWork));
        assert!(may_move(&sa, S::Ready, S::HandedOver));
        assert!(!may_move(&tech, S::Ready, S::HandedOver));
        assert!(may_move(&tech, S::InWork, S::Qc));
        assert!(!may_move(&tech, S::Qc, S::Ready));
        assert!(may_move(&qc, S::Qc, S::Ready));
        assert!(may_move(&qc, S::Qc, S::InWork));
        assert!(!may_move(&sa, S::Qc, S::Ready), "only QC passes a car");
        assert!(!may_move(&qc, S::Estimated, S::Approved));
        for from in RoStatus::ALL {
            for to in RoStatus::ALL {
                assert!(!may_move(&parts, from, to), "parts clerks only read");
                assert!(may_move(&gm, from, to));
            }
        }
    }

    #[test]
    fn amounts_are_hours_times_rate_or_qty_times_price() {
        assert_eq!(parse_hours(&json!(1.5)), Some(150));
        assert_eq!(parse_hours(&json!("0.25")), Some(25));
        assert_eq!(parse_hours(&json!("x")), None);
        assert_eq!(parse_hours(&json!(-1)), None);
        // 1.5 h × ¥180.00 = ¥270.00
        assert_eq!(
            line_amount_fen(LineKind::Labour, Some(150), None, None, 18_000),
            Some(27_000)
        );
        // 0.33 h × ¥100.00 = ¥33.00
        assert_eq!(
            line_amount_fen(LineKind::Labour, Some(33), None, None, 10_000),
            Some(3_300)
        );
        assert_eq!(
            line_amount_fen(LineKind::Part, None, Some(4), Some(4_550), 18_000),
            Some(18_200)
        );
        assert_eq!(
            line_amount_fen(LineKind::Part, None, None, Some(4_550), 0),
            None
        );
        assert_eq!(line_amount_fen(LineKind::Labour, None, None, None, 1), None);
    }

    #[test]
    fn a_decision_needs_a_signature_or_a_complete_phone_log() {
        let sig = Proof::Signature {
            blob_id: "sha256-ab".into(),
        };
        assert_eq!(Proof::of(&sig.to_json()), Some(sig.clone()));
        let phone = Proof::Phone {
            who: "王先生".into(),
            at: "2026-12-07T10:00:00".into(),
            what: "更换刹车片 ¥680".into(),
        };
        assert_eq!(Proof::of(&phone.to_json()), Some(phone));
        assert_eq!(Proof::of(&json!({"phone": {"who": "王", "at": "x"}})), None);
        assert_eq!(Proof::of(&json!({"signature_blob": " "})), None);
        let d = LineDecision::of_value(&LineDecision::entry(true, &sig), "sa").unwrap();
        assert!(d.approved && d.proof == Some(sig));
        assert_eq!(
            line_state(LineOrigin::AddedWork, None),
            LineState::AddedWorkProposed
        );
        assert_eq!(line_state(LineOrigin::Estimate, None), LineState::Proposed);
        assert_eq!(
            line_state(LineOrigin::AddedWork, Some(&d)),
            LineState::Approved
        );
        let no = LineDecision {
            approved: false,
            ..d
        };
        assert_eq!(
            line_state(LineOrigin::Estimate, Some(&no)),
            LineState::Declined
        );
    }

    #[test]
    fn the_promise_is_the_estimate_plus_a_five_to_ten_minute_buffer() {
        assert_eq!(estimate_minutes(None, &[150, 50]), 120);
        assert_eq!(estimate_minutes(Some(90), &[150, 50]), 90);
        assert_eq!(estimate_minutes(Some(0), &[25]), 15);
        let start = at(7, 9, 0);
        assert_eq!(promised_time(start, 120, DEFAULT_BUFFER), at(7, 11, 10));
        assert_eq!(promised_time(start, 120, 5), at(7, 11, 5));
        assert_eq!(promised_time(start, 120, 0), at(7, 11, 5), "at least 5");
        assert_eq!(promised_time(start, 120, 30), at(7, 11, 10), "at most 10");
        assert!(on_time(at(7, 11, 10), at(7, 11, 10)));
        assert!(on_time(at(7, 11, 10), at(7, 10, 0)));
        assert!(!on_time(at(7, 11, 10), at(7, 11, 11)));
    }

    #[test]
    fn a_comeback_is_the_same_vehicle_and_complaint_within_the_window() {
        let past = |n, vin: Option<&str>, complaint: &str, t| PastRo {
            id: Uuid::from_u128(n),
            vin: vin.map(str::to_owned),
            plate: Some("粤A·12345".into()),
            complaint: Some(complaint.to_owned()),
            handed_over_at: t,
        };
        let history = vec![
            past(1, Some("LVHRW1234"), "brake noise", Some(at(1, 17, 0))),
            past(2, Some("LVHRW1234"), "Brake Noise", Some(at(5, 17, 0))),
            past(3, Some("LVHRW1234"), "aircon", Some(at(6, 17, 0))),
            past(4, Some("OTHER"), "brake noise", Some(at(6, 17, 0))),
            past(5, Some("LVHRW1234"), "brake noise", None),
        ];
        let now = at(7, 9, 0);
        let found = |vin, complaint, t, w| {
            comeback_of(&history, vin, Some("粤A12345"), Some(complaint), t, w)
        };
        assert_eq!(
            found(Some("lvhrw1234"), "brake noise", now, 30),
            Some(Uuid::from_u128(2)),
            "the latest within the window"
        );
        assert_eq!(found(Some("LVHRW1234"), "oil change", now, 30), None);
        assert_eq!(found(Some("LVHRW9999"), "brake noise", now, 30), None);
        assert_eq!(
            found(None, "aircon", now, 30),
            Some(Uuid::from_u128(3)),
            "by plate without a VIN"
        );
        // Day 5 17:00 + 30 days = Jan 4 17:00.
        let late = at(5, 17, 0) + TimeDelta::days(30);
        assert_eq!(
            found(Some("LVHRW1234"), "brake noise", late, 30),
            Some(Uuid::from_u128(2))
        );
        let later = late + TimeDelta::minutes(1);
        assert_eq!(found(Some("LVHRW1234"), "brake noise", later, 30), None);
        assert_eq!(
            found(Some("LVHRW1234"), "brake noise", later, 60),
            Some(Uuid::from_u128(2))
        );
    }

    #[test]
    fn advisor_load_and_hour_buckets() {
        assert_eq!(advisor_load(0), AdvisorLoad::Open);
        assert_eq!(advisor_load(11), AdvisorLoad::Open);
        assert_eq!(advisor_load(12), AdvisorLoad::Full);
        assert_eq!(advisor_load(15), AdvisorLoad::Full);
        assert_eq!(advisor_load(16), AdvisorLoad::Over);
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let items = [
            (Some("li"), Some(at(7, 9, 0))),
            (Some("li"), Some(at(7, 15, 0))),
            (Some("li"), Some(at(8, 9, 0))),
            (Some("wu"), Some(at(7, 9, 0))),
            (Some("li"), None),
        ];
        assert_eq!(advisor_count("li", day, &items), 2);
        let b = HourBucket {
            on_duty: 8 * 60,
            carry_over: 90,
            booked: 300,
        };
        assert_eq!(b.free(), 90);
        assert!(b.fits(90));
        assert!(!b.fits(91));
        let over = HourBucket { booked: 500, ..b };
        assert_eq!(over.free(), -110);
    }

    #[test]
    fn a_job_is_its_clock_intervals() {
        let ev = |n, e: &str, t| item(n, json!({"event": e}), t);
        let log = vec![
            ev(1, "on", at(7, 9, 0)),
            ev(2, "pause", at(7, 10, 0)),
            ev(3, "pause", at(7, 10, 5)),
            ev(4, "on", at(7, 10, 30)),
        ];
        let refs: Vec<&LogEntry> = log.iter().collect();
        let job = Job::of(&refs, C, Some("t1".into()));
        assert!(job.running());
        assert_eq!(job.worked_minutes(at(7, 11, 0)), 90);
        let mut done = log.clone();
        done.push(ev(5, "off", at(7, 11, 15)));
        let refs: Vec<&LogEntry> = done.iter().collect();
        let job = Job::of(&refs, C, None);
        assert!(!job.running() && job.done);
        assert_eq!(job.worked_minutes(at(7, 18, 0)), 105);
    }

    #[test]
    fn handover_needs_the_last_final_check_passed() {
        let qc = |n, stage: QcStage, passed, t| {
            QcCheck::of(&item(n, QcCheck::entry(stage, passed, "x"), t), C).unwrap()
        };
        assert!(!final_qc_passed(&[]));
        let mut checks = vec![
            qc(1, QcStage::Initial, true, at(7, 9, 0)),
            qc(2, QcStage::InProcess, true, at(7, 10, 0)),
        ];
        assert!(!final_qc_passed(&checks), "no final check yet");
        checks.push(qc(3, QcStage::Final, false, at(7, 11, 0)));
        assert!(!final_qc_passed(&checks));
        checks.push(qc(4, QcStage::Final, true, at(7, 11, 30)));
        assert!(final_qc_passed(&checks));
        assert_eq!(rework_count(&checks), 1);
        checks.push(qc(5, QcStage::Final, false, at(7, 12, 0)));
        assert!(!final_qc_passed(&checks), "a later fail counts");
        assert_eq!(
            QcCheck::of(&item(9, json!({"stage": "final"}), at(7, 9, 0)), C),
            None
        );
    }
}
