//! The writes of each service step, as [`Plan`]s: reception, estimate, the customer's decision,
//! dispatch and reassignment, the job clock, added work, QC and handover (with its 48-hour
//! follow-up call). The server checks each resulting op by `service::policy`.

use chrono::{NaiveDateTime, TimeDelta};
use serde_json::json;
use uuid::Uuid;

use super::desk::{DamageMark, damage_steps};
use super::repair_order::{
    Arrival, ClockEvent, LineDecision, LineKind, LineOrigin, Proof, QcCheck, QcStage, RoStatus,
    on_time, promised_time,
};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::service::{REPAIR_ORDER, RO_LINE, RoLine};
use crate::records::{APPOINTMENT, CARE_TASK};
use crate::roles::Role;
use crate::time::stored_time;

/// The care-task kind of the call 48 hours after a handover.
pub const FOLLOW_UP_KIND: &str = "service_48h";
/// When that call is due after the handover.
pub const FOLLOW_UP_AFTER: TimeDelta = TimeDelta::hours(48);

/// What the advisor takes at the car (接待).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reception {
    pub ro_id: Uuid,
    /// The booked appointment the car came for (moved to arrived), or `None` for a walk-in.
    pub appointment_id: Option<Uuid>,
    pub c_card_id: Option<Uuid>,
    pub customer_name: String,
    pub phone: String,
    pub plate: String,
    pub vin: String,
    pub advisor_id: String,
    pub received_at: Option<NaiveDateTime>,
    pub odometer: Option<i64>,
    /// Eighths (0–8).
    pub fuel: Option<i64>,
    pub customer_words: String,
    pub complaint: String,
    pub valuables: String,
    /// The earlier RO this is a comeback of (`repair_order::comeback_of`).
    pub comeback_of: Option<Uuid>,
    /// The customer's signature on the reception sheet.
    pub signature_blob: Option<String>,
    /// The walk-around's damage marks on the car outline (环车检查).
    pub damage_marks: Vec<DamageMark>,
    /// Photos taken at reception (blob ids).
    pub photos: Vec<String>,
}

fn some_text(w: PlannedWrite, field: &'static str, v: &str) -> PlannedWrite {
    if v.trim().is_empty() {
        w
    } else {
        w.set(field, v.trim())
    }
}

/// Reception: the new RO, and the appointment moved to arrived.
pub fn reception_plan(r: &Reception) -> Plan {
    let arrival = if r.appointment_id.is_some() {
        Arrival::Appointment
    } else {
        Arrival::WalkIn
    };
    let mut ro = PlannedWrite::new(r.ro_id, &REPAIR_ORDER).set("arrival", arrival.as_str());
    for (f, v) in [
        ("customer_name", &r.customer_name),
        ("phone", &r.phone),
        ("plate", &r.plate),
        ("vin", &r.vin),
        ("advisor_id", &r.advisor_id),
        ("customer_words", &r.customer_words),
        ("complaint", &r.complaint),
        ("valuables", &r.valuables),
    ] {
        ro = some_text(ro, f, v);
    }
    if let Some(id) = r.appointment_id {
        ro = ro.set("appointment_id", id.to_string());
    }
    if let Some(id) = r.c_card_id {
        ro = ro.set("c_card_id", id.to_string());
    }
    if let Some(t) = r.received_at {
        ro = ro.set("received_at", stored_time(t));
    }
    if let Some(km) = r.odometer {
        ro = ro.set("odometer", km);
    }
    if let Some(f) = r.fuel {
        ro = ro.set("fuel", f.clamp(0, 8));
    }
    if let Some(id) = r.comeback_of {
        ro = ro.set("comeback_of", id.to_string());
    }
    if let Some(blob) = r.signature_blob.as_deref() {
        ro = ro.with(Step::Append(
            "signatures",
            Uuid::now_v7(),
            json!({"step": "reception", "blob": blob}),
        ));
    }
    for step in damage_steps(&r.damage_marks) {
        ro = ro.with(step);
    }
    for blob in &r.photos {
        ro = ro.with(Step::Append(
            "photos",
            Uuid::now_v7(),
            json!({"step": "reception", "blob": blob}),
        ));
    }
    let mut plan = Plan::new().then(ro);
    if let Some(id) = r.appointment_id {
        plan.push(PlannedWrite::new(id, &APPOINTMENT).with(Step::Move("status", "arrived")));
    }
    plan
}

/// A no-show (失约): the appointment moved to `no_show` with its reason (both in one op).
pub fn no_show_plan(appointment_id: Uuid, reason: &str) -> Plan {
    Plan::new().then(
        PlannedWrite::new(appointment_id, &APPOINTMENT)
            .set("no_show_reason", reason.trim())
            .with(Step::Move("status", "no_show")),
    )
}

/// A line to add (estimate or added work).
#[derive(Debug, Clone, PartialEq)]
pub struct NewLine {
    pub line_id: Uuid,
    pub kind: LineKind,
    pub code: String,
    pub description: String,
    /// Labour: standard hours (e.g. 1.5).
    pub std_hours: Option<f64>,
    /// Part: quantity and unit price in fen.
    pub qty: Option<i64>,
    pub unit_price_fen: Option<i64>,
}

fn line_write(ro_id: Uuid, l: &NewLine, origin: LineOrigin) -> PlannedWrite {
    let mut w = PlannedWrite::new(l.line_id, &RO_LINE)
        .set("ro_id", ro_id.to_string())
        .set("kind", l.kind.as_str())
        .set("origin", origin.as_str());
    w = some_text(w, "code", &l.code);
    w = some_text(w, "description", &l.description);
    if let Some(h) = l.std_hours {
        w = w.set("std_hours", h);
    }
    if let Some(q) = l.qty {
        w = w.set("qty", q);
    }
    if let Some(p) = l.unit_price_fen {
        w = w.set("unit_price_fen", p);
    }
    w
}

/// The estimate (估价): its lines, the estimate's minutes, the promised time (work from
/// `start` + estimate + buffer) and the RO moved to estimated when it was just received.
pub fn estimate_plan(
    ro_id: Uuid,
    status: RoStatus,
    lines: &[NewLine],
    estimate_minutes: i64,
    start: NaiveDateTime,
    buffer_minutes: i64,
) -> Plan {
    let mut plan = Plan::new();
    for l in lines {
        plan.push(line_write(ro_id, l, LineOrigin::Estimate));
    }
    let mut ro = PlannedWrite::new(ro_id, &REPAIR_ORDER)
        .set("estimate_minutes", estimate_minutes)
        .set(
            "promised_at",
            stored_time(promised_time(start, estimate_minutes, buffer_minutes)),
        );
    if status == RoStatus::Received {
        ro = ro.with(Step::Move("status", RoStatus::Estimated.as_str()));
    }
    plan.then(ro)
}

/// Why a line's price cannot be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepriceRefused {
    /// Only a part has a price of its own (a labour line's is the store's hourly rate).
    NotAPart,
    /// The customer has decided on the line: its figures stay as decided.
    Decided,
    /// The price is not a positive amount.
    NotAPrice,
}

/// Whether the advisor may still change `line`'s price: a part the customer has not decided on.
pub fn can_reprice(line: &RoLine) -> bool {
    line.kind == LineKind::Part && line.decision.is_none()
}

/// A new unit price (fen) for the part `line` while the customer has not decided on it (the
/// policy keeps an approved line's figures: `ApprovedLineLocked`).
pub fn reprice_plan(line: &RoLine, unit_price_fen: i64) -> Result<Plan, RepriceRefused> {
    if line.kind != LineKind::Part {
        return Err(RepriceRefused::NotAPart);
    }
    if line.decision.is_some() {
        return Err(RepriceRefused::Decided);
    }
    if unit_price_fen <= 0 {
        return Err(RepriceRefused::NotAPrice);
    }
    Ok(
        Plan::new()
            .then(PlannedWrite::new(line.id, &RO_LINE).set("unit_price_fen", unit_price_fen)),
    )
}

/// The customer's decision on one line (written once, under the line's id).
pub fn decide_line_plan(line_id: Uuid, approved: bool, proof: &Proof) -> Plan {
    Plan::new().then(PlannedWrite::new(line_id, &RO_LINE).with(Step::Append(
        "decision",
        line_id,
        LineDecision::entry(approved, proof),
    )))
}

/// The customer approves the estimate: a decision on each undecided line (`approve`: the lines
/// approved; the others declined, 建议未做) and the RO moved to approved.
pub fn approve_estimate_plan(
    ro_id: Uuid,
    undecided: &[Uuid],
    approve: &[Uuid],
    proof: &Proof,
) -> Plan {
    let mut plan = Plan::new();
    for id in undecided {
        plan.writes
            .extend(decide_line_plan(*id, approve.contains(id), proof).writes);
    }
    plan.then(
        PlannedWrite::new(ro_id, &REPAIR_ORDER)
            .with(Step::Move("status", RoStatus::Approved.as_str())),
    )
}

/// Dispatch (派工) or reassignment: the lines' technician; the RO goes into work when it was
/// approved.
pub fn dispatch_plan(ro_id: Uuid, status: RoStatus, lines: &[Uuid], technician_id: &str) -> Plan {
    let mut plan = Plan::new();
    for id in lines {
        plan.push(PlannedWrite::new(*id, &RO_LINE).set("technician_id", technician_id));
    }
    if status == RoStatus::Approved {
        plan.push(
            PlannedWrite::new(ro_id, &REPAIR_ORDER)
                .with(Step::Move("status", RoStatus::InWork.as_str())),
        );
    }
    plan
}

/// Clock on, pause or off on a job (a labour line); `entry_id`: a new id (v7).
pub fn clock_plan(line_id: Uuid, event: ClockEvent, entry_id: Uuid) -> Plan {
    Plan::new().then(PlannedWrite::new(line_id, &RO_LINE).with(Step::Append(
        "clock",
        entry_id,
        json!({"event": event.as_str()}),
    )))
}

/// Added work (增项): a finding on the line worked (text and photos) becomes a proposed line.
pub fn added_work_plan(
    ro_id: Uuid,
    found_on: Option<Uuid>,
    finding: &str,
    photos: &[String],
    line: &NewLine,
) -> Plan {
    let mut plan = Plan::new();
    if let Some(on) = found_on {
        plan.push(PlannedWrite::new(on, &RO_LINE).with(Step::Append(
            "findings",
            Uuid::now_v7(),
            json!({"text": finding, "photos": photos, "line_id": line.line_id.to_string()}),
        )));
    }
    plan.then(line_write(ro_id, line, LineOrigin::AddedWork))
}

/// A QC check: recorded; at the QC step, a passed final check makes the car ready and a failed
/// check of any level sends it back to work (rework).
pub fn qc_plan(ro_id: Uuid, status: RoStatus, stage: QcStage, passed: bool, reason: &str) -> Plan {
    let mut ro = PlannedWrite::new(ro_id, &REPAIR_ORDER).with(Step::Append(
        "qc_checks",
        Uuid::now_v7(),
        QcCheck::entry(stage, passed, reason.trim()),
    ));
    if status == RoStatus::Qc {
        if !passed {
            ro = ro.with(Step::Move("status", RoStatus::InWork.as_str()));
        } else if stage == QcStage::Final {
            ro = ro.with(Step::Move("status", RoStatus::Ready.as_str()));
        }
    }
    Plan::new().then(ro)
}

/// Who the car is handed to, for the follow-up call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Handover {
    pub ro_id: Uuid,
    pub c_card_id: Option<Uuid>,
    pub customer_name: String,
    pub phone: String,
    pub advisor_id: String,
    pub promised_at: Option<NaiveDateTime>,
    pub handed_over_at: NaiveDateTime,
    pub signature_blob: Option<String>,
}

/// Handover (交车): the time, whether the promise was kept, the customer's signature, the RO
/// handed over, and the advisor's call 48 hours later (a care task).
pub fn handover_plan(h: &Handover) -> Plan {
    let mut ro = PlannedWrite::new(h.ro_id, &REPAIR_ORDER)
        .set("handed_over_at", stored_time(h.handed_over_at));
    if let Some(p) = h.promised_at {
        ro = ro.set("on_time", on_time(p, h.handed_over_at));
    }
    if let Some(blob) = h.signature_blob.as_deref() {
        ro = ro.with(Step::Append(
            "signatures",
            Uuid::now_v7(),
            json!({"step": "handover", "blob": blob}),
        ));
    }
    ro = ro.with(Step::Move("status", RoStatus::HandedOver.as_str()));
    let mut task = PlannedWrite::new(Uuid::now_v7(), &CARE_TASK)
        .set("kind", FOLLOW_UP_KIND)
        .set("due_at", stored_time(h.handed_over_at + FOLLOW_UP_AFTER))
        .set("role", Role::ServiceAdvisor.as_str())
        .set("note", format!("repair_order:{}", h.ro_id));
    task = some_text(task, "customer_name", &h.customer_name);
    task = some_text(task, "phone", &h.phone);
    task = some_text(task, "assignee_id", &h.advisor_id);
    if let Some(c) = h.c_card_id {
        task = task.set("c_card_id", c.to_string());
    }
    Plan::new().then(ro).then(task)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::check_op;
    use crate::roles::Actor;
    use crate::sync::{Clock, Op, RecordState, apply};
    use crate::time::StoreClock;
    use chrono::NaiveDate;

    /// 2026-12-07 09:00 in China as Unix ms.
    const NINE_AM: u64 = 1_796_605_200_000;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    /// Runs a plan as `actor` through the policy (as the server does), one op per write.
    struct Store {
        states: Vec<RecordState>,
        clock: Clock,
        ms: u64,
    }

    impl Store {
        fn new() -> Store {
            Store {
                states: Vec::new(),
                clock: Clock::default(),
                ms: NINE_AM,
            }
        }

        fn run(&mut self, actor: &Actor, plan: &Plan) -> Result<(), String> {
            for w in &plan.writes {
                self.ms += 60_000;
                let i = match self.states.iter().position(|s| s.id == w.record_id) {
                    Some(i) => i,
                    None => {
                        self.states
                            .push(RecordState::new(w.record_id, w.record_type.name, "demo"));
                        self.states.len() - 1
                    }
                };
                let changes = w.changes(&self.states[i]).map_err(|e| format!("{e:?}"))?;
                let op = Op {
                    op_id: Uuid::now_v7(),
                    device_id: Uuid::from_u128(1),
                    user_id: actor.user_id.clone(),
                    store_id: "demo".into(),
                    record_id: w.record_id,
                    record_type: w.record_type.name.into(),
                    hlc: self.clock.now(self.ms),
                    changes,
                };
                check_op(
                    actor,
                    Some(&self.states[i]),
                    &op,
                    self.ms,
                    StoreClock::CHINA,
                )
                .map_err(|e| {
                    use crate::sales::UserError;
                    e.code().to_owned()
                })?;
                apply(&mut self.states[i], &op, w.record_type).map_err(|e| format!("{e:?}"))?;
            }
            Ok(())
        }

        fn get(&self, id: Uuid) -> &RecordState {
            self.states.iter().find(|s| s.id == id).unwrap()
        }

        fn ro(&self, id: Uuid) -> crate::records::RepairOrder {
            crate::records::RepairOrder::of(self.get(id), StoreClock::CHINA)
        }
    }

    #[test]
    fn a_whole_day_on_one_ro_passes_the_policy_step_by_step() {
        let sa = Actor::new("sa", &[Role::ServiceAdvisor]);
        let tech = Actor::new("t1", &[Role::Technician]);
        let qc = Actor::new("qc", &[Role::QcInspector]);
        let mut store = Store::new();
        let appt = Uuid::from_u128(100);
        store
            .run(
                &sa,
                &Plan::new().then(
                    PlannedWrite::new(appt, &APPOINTMENT).set("slot_at", "2026-12-07T14:00:00"),
                ),
            )
            .unwrap();
        let ro = Uuid::from_u128(1);
        let reception = Reception {
            ro_id: ro,
            appointment_id: Some(appt),
            plate: "粤A12345".into(),
            advisor_id: "sa".into(),
            received_at: Some(at(9, 5)),
            odometer: Some(23_456),
            fuel: Some(9),
            customer_words: "刹车有异响".into(),
            complaint: "brake noise".into(),
            signature_blob: Some("sha256-r".into()),
            damage_marks: vec![DamageMark::at(
                200,
                100,
                super::super::desk::DamageKind::Scratch,
            )],
            photos: vec!["sha256-p".into()],
            ..Reception::default()
        };
        store.run(&sa, &reception_plan(&reception)).unwrap();
        assert_eq!(
            store.get(appt).status(&APPOINTMENT, "status"),
            Some("arrived")
        );
        let r = store.ro(ro);
        assert_eq!(r.arrival, Some(Arrival::Appointment));
        assert_eq!(r.fuel, Some(8));
        assert_eq!(r.signatures.len(), 1);
        assert_eq!(super::super::desk::damage_marks(store.get(ro)).len(), 1);
        assert_eq!(store.get(ro).log("photos").len(), 1);

        let labour = NewLine {
            line_id: Uuid::from_u128(11),
            kind: LineKind::Labour,
            code: "BRK-01".into(),
            description: "更换前刹车片".into(),
            std_hours: Some(1.5),
            qty: None,
            unit_price_fen: None,
        };
        let part = NewLine {
            line_id: Uuid::from_u128(12),
            kind: LineKind::Part,
            std_hours: None,
            qty: Some(1),
            unit_price_fen: Some(38_000),
            ..labour.clone()
        };
        let plan = estimate_plan(ro, r.status, &[labour, part], 90, at(9, 30), 10);
        store.run(&sa, &plan).unwrap();
        let r = store.ro(ro);
        assert_eq!(
            (r.status, r.promised_at),
            (RoStatus::Estimated, Some(at(11, 10)))
        );

        // Clocking on before the customer approves is refused.
        let on = clock_plan(Uuid::from_u128(11), ClockEvent::On, Uuid::from_u128(900));
        assert_eq!(store.run(&tech, &on), Err("work_not_approved".into()));
        let sig = Proof::Signature {
            blob_id: "sha256-e".into(),
        };
        let lines = [Uuid::from_u128(11), Uuid::from_u128(12)];
        store
            .run(&sa, &approve_estimate_plan(ro, &lines, &lines, &sig))
            .unwrap();
        store
            .run(
                &sa,
                &dispatch_plan(ro, RoStatus::Approved, &lines[..1], "t1"),
            )
            .unwrap();
        assert_eq!(store.ro(ro).status, RoStatus::InWork);
        store.run(&tech, &on).unwrap();

        // A finding becomes added work; declined by phone, it is never worked.
        let extra = NewLine {
            line_id: Uuid::from_u128(13),
            kind: LineKind::Labour,
            code: "BRK-02".into(),
            description: "刹车盘打磨".into(),
            std_hours: Some(0.5),
            qty: None,
            unit_price_fen: None,
        };
        store
            .run(
                &tech,
                &added_work_plan(ro, Some(lines[0]), "刹车盘有划痕", &[], &extra),
            )
            .unwrap();
        let phone = Proof::Phone {
            who: "王先生".into(),
            at: "2026-12-07T10:00:00".into(),
            what: "刹车盘打磨 ¥90".into(),
        };
        store
            .run(&sa, &decide_line_plan(extra.line_id, false, &phone))
            .unwrap();
        let on_extra = clock_plan(extra.line_id, ClockEvent::On, Uuid::from_u128(901));
        assert_eq!(store.run(&tech, &on_extra), Err("work_not_approved".into()));
        assert_eq!(
            store.run(&sa, &decide_line_plan(extra.line_id, true, &phone)),
            Err("entry_id_reused".into()),
            "a decision is written once (the generic rule sees it first)"
        );
        store
            .run(
                &tech,
                &clock_plan(lines[0], ClockEvent::Off, Uuid::from_u128(902)),
            )
            .unwrap();
        store
            .run(
                &tech,
                &Plan::new()
                    .then(PlannedWrite::new(ro, &REPAIR_ORDER).with(Step::Move("status", "qc"))),
            )
            .unwrap();

        // QC fails once (rework), then passes.
        let fail = qc_plan(ro, RoStatus::Qc, QcStage::Final, false, "异响仍在");
        store.run(&qc, &fail).unwrap();
        assert_eq!(store.ro(ro).status, RoStatus::InWork);
        let handover = Handover {
            ro_id: ro,
            advisor_id: "sa".into(),
            promised_at: Some(at(11, 10)),
            handed_over_at: at(11, 0),
            ..Handover::default()
        };
        // The handover is recorded when it happens (`service::policy::check_ro_times`).
        store.ms = StoreClock::CHINA.instant(at(10, 59)).timestamp_millis() as u64;
        let refused = store.run(&sa, &handover_plan(&handover)).unwrap_err();
        assert!(
            refused.contains("TransitionNotAllowed"),
            "not ready: {refused}"
        );
        store
            .run(
                &tech,
                &Plan::new()
                    .then(PlannedWrite::new(ro, &REPAIR_ORDER).with(Step::Move("status", "qc"))),
            )
            .unwrap();
        store
            .run(&qc, &qc_plan(ro, RoStatus::Qc, QcStage::Final, true, ""))
            .unwrap();
        assert_eq!(store.ro(ro).status, RoStatus::Ready);
        let plan = handover_plan(&handover);
        store.run(&sa, &plan).unwrap();
        let r = store.ro(ro);
        assert_eq!((r.status, r.on_time), (RoStatus::HandedOver, Some(true)));
        assert_eq!(super::super::repair_order::rework_count(&r.qc_checks), 1);
        let task = plan.writes_of_type("care_task").next().unwrap();
        assert_eq!(task.value_of("kind"), Some(&json!(FOLLOW_UP_KIND)));
        assert_eq!(task.value_of("due_at"), Some(&json!("2026-12-09T11:00:00")));
        assert_eq!(task.value_of("assignee_id"), Some(&json!("sa")));
    }

    #[test]
    fn a_no_show_is_recorded_with_its_reason() {
        let sa = Actor::new("sa", &[Role::ServiceAdvisor]);
        let mut store = Store::new();
        let appt = Uuid::from_u128(100);
        assert_eq!(
            store.run(&sa, &no_show_plan(appt, "  ")),
            Err("no_show_without_reason".into())
        );
        store.run(&sa, &no_show_plan(appt, "客户出差")).unwrap();
        assert_eq!(
            store.get(appt).status(&APPOINTMENT, "status"),
            Some("no_show")
        );
    }

    #[test]
    fn a_walk_in_has_no_appointment_and_a_late_handover_is_flagged() {
        let r = Reception {
            ro_id: Uuid::from_u128(1),
            ..Reception::default()
        };
        let plan = reception_plan(&r);
        assert_eq!(plan.writes.len(), 1);
        assert_eq!(plan.writes[0].value_of("arrival"), Some(&json!("walk_in")));
        assert_eq!(plan.writes[0].value_of("customer_name"), None);
        let h = Handover {
            ro_id: Uuid::from_u128(1),
            promised_at: Some(at(11, 10)),
            handed_over_at: at(11, 30),
            ..Handover::default()
        };
        let plan = handover_plan(&h);
        assert_eq!(plan.writes[0].value_of("on_time"), Some(&json!(false)));
        assert_eq!(plan.writes[0].move_of("status"), Some("handed_over"));
        // A passed in-process check at QC does not make the car ready; dispatching a line of
        // an RO already in work only reassigns it.
        let qc = qc_plan(
            Uuid::from_u128(1),
            RoStatus::Qc,
            QcStage::InProcess,
            true,
            "",
        );
        assert_eq!(qc.writes[0].move_of("status"), None);
        let re = dispatch_plan(
            Uuid::from_u128(1),
            RoStatus::InWork,
            &[Uuid::from_u128(2)],
            "t2",
        );
        assert_eq!(re.writes.len(), 1);
        assert_eq!(re.writes[0].value_of("technician_id"), Some(&json!("t2")));
    }

    #[test]
    fn only_an_undecided_part_is_repriced_and_the_policy_keeps_an_approved_price() {
        let sa = Actor::new("sa", &[Role::ServiceAdvisor]);
        let mut store = Store::new();
        let (ro, part, labour) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let new = |id, kind, price| NewLine {
            line_id: id,
            kind,
            code: String::new(),
            description: "刹车油".into(),
            std_hours: (kind == LineKind::Labour).then_some(1.0),
            qty: Some(1),
            unit_price_fen: price,
        };
        store
            .run(
                &sa,
                &estimate_plan(
                    ro,
                    RoStatus::Received,
                    &[
                        new(part, LineKind::Part, Some(8_000)),
                        new(labour, LineKind::Labour, None),
                    ],
                    60,
                    at(9, 0),
                    10,
                ),
            )
            .unwrap();
        let line = |store: &Store, id| RoLine::of(store.get(id), StoreClock::CHINA);
        assert!(can_reprice(&line(&store, part)));
        assert!(!can_reprice(&line(&store, labour)));
        assert_eq!(
            reprice_plan(&line(&store, labour), 9_000).err(),
            Some(RepriceRefused::NotAPart)
        );
        assert_eq!(
            reprice_plan(&line(&store, part), 0).err(),
            Some(RepriceRefused::NotAPrice)
        );
        store
            .run(&sa, &reprice_plan(&line(&store, part), 9_500).unwrap())
            .unwrap();
        assert_eq!(line(&store, part).unit_price_fen, Some(9_500));
        let phone = Proof::Phone {
            who: "王先生".into(),
            at: "2026-12-07T10:00:00".into(),
            what: "ok".into(),
        };
        store
            .run(&sa, &decide_line_plan(part, true, &phone))
            .unwrap();
        let approved = line(&store, part);
        assert!(!can_reprice(&approved));
        assert_eq!(
            reprice_plan(&approved, 7_000).err(),
            Some(RepriceRefused::Decided)
        );
        // A device that has not seen the approval writes the old way: the policy refuses it.
        let stale =
            Plan::new().then(PlannedWrite::new(part, &RO_LINE).set("unit_price_fen", 7_000));
        assert_eq!(
            store.run(&sa, &stale),
            Err("approved_line_locked".to_owned())
        );
        assert_eq!(line(&store, part).unit_price_fen, Some(9_500));
    }
}
