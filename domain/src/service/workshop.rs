//! The workshop's readings of repair orders and their lines (派工板, 我的作业, 质检, the
//! customer's status page): which jobs are on the floor, each technician's sold and clocked
//! hours, which ROs are about to miss their promised time, what a technician may press on a
//! job's clock, what the QC inspector checks next, and what the customer may see behind the
//! status link (steps, and prices only of lines the customer approved).
//!
//! Pure functions over the typed views of `records::service` ([`RepairOrder`], [`RoLine`]).

use chrono::{NaiveDateTime, TimeDelta};
use uuid::Uuid;

use super::repair_order::{
    ClockEvent, Job, LineKind, LineState, QcStage, RoStatus, line_amount_fen, line_state,
};
use crate::records::service::{RepairOrder, RoLine};

/// The statuses whose ROs are in the workshop's hands (on the board, in the technicians'
/// lists, at QC): approved and not yet handed over.
pub const ON_THE_FLOOR: [RoStatus; 4] = [
    RoStatus::Approved,
    RoStatus::InWork,
    RoStatus::Qc,
    RoStatus::Ready,
];

/// How long before the promised time an RO whose remaining work would end later counts as
/// about to miss it: its work must end this many minutes before the promise.
pub const RISK_MARGIN_MINUTES: i64 = 15;

/// One job (a labour line) as the workshop sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub line_id: Uuid,
    pub ro_id: Uuid,
    pub plate: String,
    pub description: String,
    pub technician_id: Option<String>,
    /// Sold hours in hundredths of an hour (standard hours of the line).
    pub sold_centihours: i64,
    /// Minutes clocked up to now.
    pub worked_minutes: i64,
    pub state: LineState,
    pub running: bool,
    pub done: bool,
    /// Clocked on at least once.
    pub started: bool,
    pub ro_status: RoStatus,
    pub promised_at: Option<NaiveDateTime>,
    /// The RO will not be ready by its promised time at this pace ([`about_to_miss`]).
    pub at_risk: bool,
}

impl JobRow {
    /// Sold minutes (standard hours × 60).
    pub fn sold_minutes(&self) -> i64 {
        (self.sold_centihours * 60 + 50) / 100
    }

    /// The minutes still to work: sold minus clocked (never below zero), none once done.
    pub fn remaining_minutes(&self) -> i64 {
        if self.done {
            0
        } else {
            (self.sold_minutes() - self.worked_minutes).max(0)
        }
    }
}

/// Whether an RO promised at `promised` is about to miss it: its remaining work, started
/// now, ends later than [`RISK_MARGIN_MINUTES`] before the promise (or the promise is past).
pub fn about_to_miss(
    promised: Option<NaiveDateTime>,
    remaining_minutes: i64,
    now: NaiveDateTime,
) -> bool {
    let Some(p) = promised else {
        return false;
    };
    now + TimeDelta::minutes(remaining_minutes.max(0) + RISK_MARGIN_MINUTES) > p
}

/// The jobs on the floor at `now`: the labour lines of ROs in [`ON_THE_FLOOR`], except the
/// lines the customer declined, ordered by promised time then plate. A job's `at_risk` is its
/// RO's ([`about_to_miss`] with the RO's remaining minutes; a car ready is never at risk).
pub fn floor_jobs(ros: &[RepairOrder], lines: &[RoLine], now: NaiveDateTime) -> Vec<JobRow> {
    let mut out = Vec::new();
    for ro in ros.iter().filter(|r| ON_THE_FLOOR.contains(&r.status)) {
        let start = out.len();
        for l in lines
            .iter()
            .filter(|l| l.ro_id == Some(ro.id) && l.kind == LineKind::Labour)
        {
            let state = line_state(l.origin, l.decision.as_ref());
            if state == LineState::Declined {
                continue;
            }
            out.push(JobRow {
                line_id: l.id,
                ro_id: ro.id,
                plate: ro.plate.clone().unwrap_or_default(),
                description: l
                    .description
                    .clone()
                    .or_else(|| l.code.clone())
                    .unwrap_or_default(),
                technician_id: l.technician_id.clone(),
                sold_centihours: l.std_centihours.unwrap_or(0),
                worked_minutes: l.job.worked_minutes(now),
                state,
                running: l.job.running(),
                done: l.job.done,
                started: !l.job.intervals.is_empty(),
                ro_status: ro.status,
                promised_at: ro.promised_at,
                at_risk: false,
            });
        }
        let remaining: i64 = out[start..]
            .iter()
            .filter(|j| j.state == LineState::Approved)
            .map(JobRow::remaining_minutes)
            .sum();
        let risk = ro.status != RoStatus::Ready && about_to_miss(ro.promised_at, remaining, now);
        for j in &mut out[start..] {
            j.at_risk = risk;
        }
    }
    out.sort_by(|a, b| {
        (a.promised_at.is_none(), a.promised_at, &a.plate, a.line_id).cmp(&(
            b.promised_at.is_none(),
            b.promised_at,
            &b.plate,
            b.line_id,
        ))
    });
    out
}

/// One technician's row of the dispatch board.
#[derive(Debug, Clone, PartialEq)]
pub struct TechnicianLoad {
    pub technician_id: String,
    /// The jobs assigned, not done first.
    pub jobs: Vec<JobRow>,
    /// Sold minutes of the jobs not done.
    pub open_minutes: i64,
    /// Minutes clocked on all the jobs shown.
    pub worked_minutes: i64,
    /// A job of his is running now.
    pub busy: bool,
}

/// The dispatch board (派工板): one row per technician (in the order given; a job assigned to
/// someone not given gets a row of its own after them) and the jobs nobody has yet.
pub fn board(technicians: &[String], jobs: &[JobRow]) -> (Vec<TechnicianLoad>, Vec<JobRow>) {
    let mut ids: Vec<String> = technicians.to_vec();
    for j in jobs {
        if let Some(t) = &j.technician_id
            && !ids.contains(t)
        {
            ids.push(t.clone());
        }
    }
    let rows = ids
        .into_iter()
        .map(|t| {
            let mut mine: Vec<JobRow> = jobs
                .iter()
                .filter(|j| j.technician_id.as_deref() == Some(t.as_str()))
                .cloned()
                .collect();
            mine.sort_by_key(|j| j.done);
            TechnicianLoad {
                open_minutes: mine
                    .iter()
                    .filter(|j| !j.done)
                    .map(JobRow::sold_minutes)
                    .sum(),
                worked_minutes: mine.iter().map(|j| j.worked_minutes).sum(),
                busy: mine.iter().any(|j| j.running),
                technician_id: t,
                jobs: mine,
            }
        })
        .collect();
    let open = jobs
        .iter()
        .filter(|j| j.technician_id.is_none())
        .cloned()
        .collect();
    (rows, open)
}

/// What a technician may press on a job's clock: on when it is not running (also to take a
/// job up again after QC sent it back), pause and off while it runs, off when paused. The
/// customer's approval is not checked here: the domain policy refuses the clock-on and the
/// screen says why.
pub fn clock_actions(job: &Job) -> Vec<ClockEvent> {
    if job.running() {
        vec![ClockEvent::Pause, ClockEvent::Off]
    } else if !job.intervals.is_empty() && !job.done {
        vec![ClockEvent::On, ClockEvent::Off]
    } else {
        vec![ClockEvent::On]
    }
}

/// Whether a technician may hand the RO to QC (施工 → 质检): it is in work and every approved
/// job on it was clocked off.
pub fn ready_for_qc(status: RoStatus, jobs: &[JobRow]) -> bool {
    status == RoStatus::InWork
        && jobs
            .iter()
            .filter(|j| j.state == LineState::Approved)
            .all(|j| j.done)
}

/// The QC level the inspector checks next on an RO: the initial check before work has begun
/// (no job clocked), in-process while work goes on, the final check when the RO waits at QC.
pub fn next_qc_stage(status: RoStatus, any_started: bool) -> QcStage {
    match status {
        RoStatus::Qc => QcStage::Final,
        _ if any_started => QcStage::InProcess,
        _ => QcStage::Initial,
    }
}

/// The steps the customer's status page shows, in order (from reception to handover).
pub const CUSTOMER_STEPS: [RoStatus; 7] = [
    RoStatus::Received,
    RoStatus::Estimated,
    RoStatus::Approved,
    RoStatus::InWork,
    RoStatus::Qc,
    RoStatus::Ready,
    RoStatus::HandedOver,
];

/// One line as the customer's status page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicLine {
    pub description: String,
    pub state: LineState,
    /// The amount in fen: only when the customer approved the line.
    pub amount_fen: Option<i64>,
}

/// What the customer's status page shows of an RO.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicStatus {
    pub plate: String,
    pub status: RoStatus,
    /// How many of [`CUSTOMER_STEPS`] are done or current (0 for a cancelled RO).
    pub step: usize,
    pub promised_at: Option<NaiveDateTime>,
    pub lines: Vec<PublicLine>,
    /// The total of the approved lines (fen).
    pub approved_total_fen: i64,
}

/// The customer's view of an RO: its steps, its lines, and the prices of the approved lines
/// only (a line still proposed or declined shows no price).
pub fn public_status(ro: &RepairOrder, lines: &[RoLine], hourly_rate_fen: i64) -> PublicStatus {
    let mut shown: Vec<PublicLine> = lines
        .iter()
        .filter(|l| l.ro_id == Some(ro.id))
        .map(|l| {
            let state = line_state(l.origin, l.decision.as_ref());
            let amount_fen = (state == LineState::Approved)
                .then(|| {
                    line_amount_fen(
                        l.kind,
                        l.std_centihours,
                        l.qty,
                        l.unit_price_fen,
                        hourly_rate_fen,
                    )
                })
                .flatten();
            PublicLine {
                description: l
                    .description
                    .clone()
                    .or_else(|| l.code.clone())
                    .unwrap_or_default(),
                state,
                amount_fen,
            }
        })
        .collect();
    shown.sort_by(|a, b| a.description.cmp(&b.description));
    PublicStatus {
        plate: ro.plate.clone().unwrap_or_default(),
        status: ro.status,
        step: CUSTOMER_STEPS
            .iter()
            .position(|s| *s == ro.status)
            .map_or(0, |i| i + 1),
        promised_at: ro.promised_at,
        approved_total_fen: shown.iter().filter_map(|l| l.amount_fen).sum(),
        lines: shown,
    }
}

/// The length of a status key (`repair_order.status_key`): 32 lower-case hex digits (128
/// random bits).
pub const STATUS_KEY_LEN: usize = 32;

/// Whether `key` is a status key the status link may use: [`STATUS_KEY_LEN`] hex digits.
pub fn status_key_valid(key: &str) -> bool {
    key.len() == STATUS_KEY_LEN && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new status key from 16 random bytes.
pub fn new_status_key(random: [u8; 16]) -> String {
    random.iter().map(|b| format!("{b:02x}")).collect()
}

/// The token of an RO's status link: the RO's id (32 hex digits) followed by its status key.
pub fn status_token(ro_id: Uuid, key: &str) -> String {
    format!("{}{}", ro_id.simple(), key.to_ascii_lowercase())
}

/// The RO id and key a status token names; `None` for anything else.
pub fn parse_status_token(token: &str) -> Option<(Uuid, &str)> {
    if token.len() != 32 + STATUS_KEY_LEN || !token.is_ascii() {
        return None;
    }
    let (id, key) = token.split_at(32);
    let id = Uuid::try_parse(id).ok()?;
    status_key_valid(key).then_some((id, key))
}

/// Whether `given` opens the RO whose stored key is `stored` (compared in constant time; an
/// RO without a valid key opens for nobody).
pub fn status_key_matches(stored: Option<&str>, given: &str) -> bool {
    let Some(stored) = stored.filter(|k| status_key_valid(k)) else {
        return false;
    };
    if stored.len() != given.len() {
        return false;
    }
    stored.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| {
        acc | (a.to_ascii_lowercase() ^ b.to_ascii_lowercase())
    }) == 0
}

/// A technician's finding (增项's reason): its words, its photos (blob ids) and the line it
/// proposed.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The line it was found on.
    pub found_on: Uuid,
    /// The proposed line (added work), when the entry names one.
    pub proposed: Option<Uuid>,
    pub text: String,
    pub photos: Vec<String>,
}

/// The findings written on `lines` (their `findings` logs), in the lines' order then the
/// log's; an entry's photos are its non-blank `photos` strings.
pub fn findings(lines: &[RoLine]) -> Vec<Finding> {
    lines
        .iter()
        .flat_map(|l| {
            l.findings.iter().map(move |x| Finding {
                found_on: l.id,
                proposed: x.text("line_id").and_then(|s| Uuid::parse_str(s).ok()),
                text: x.text("text").unwrap_or_default().to_owned(),
                photos: x
                    .value
                    .get("photos")
                    .and_then(serde_json::Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(serde_json::Value::as_str)
                            .filter(|s| !s.trim().is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::repair_order::{LineDecision, LineOrigin, Proof};
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn ro(n: u128, status: RoStatus, promised: Option<NaiveDateTime>) -> RepairOrder {
        RepairOrder {
            id: Uuid::from_u128(n),
            c_card_id: None,
            appointment_id: None,
            customer_name: Some("王先生".into()),
            phone: Some("13800000000".into()),
            plate: Some(format!("粤A{n:05}")),
            vin: None,
            advisor_id: None,
            arrival: None,
            received_at: None,
            odometer: None,
            fuel: None,
            customer_words: None,
            complaint: None,
            valuables: None,
            estimate_minutes: None,
            promised_at: promised,
            handed_over_at: None,
            on_time: None,
            comeback_of: None,
            status_key: None,
            status,
            qc_checks: Vec::new(),
            signatures: Vec::new(),
        }
    }

    fn decided(approved: bool) -> Option<LineDecision> {
        Some(LineDecision {
            approved,
            proof: Some(Proof::Signature {
                blob_id: "b".into(),
            }),
            recorded_by: "sa".into(),
        })
    }

    fn line(n: u128, ro: u128, ch: i64, decision: Option<LineDecision>) -> RoLine {
        RoLine {
            id: Uuid::from_u128(n),
            ro_id: Some(Uuid::from_u128(ro)),
            kind: LineKind::Labour,
            origin: LineOrigin::Estimate,
            code: None,
            description: Some(format!("作业{n}")),
            std_centihours: Some(ch),
            qty: None,
            unit_price_fen: None,
            technician_id: None,
            billed: false,
            decision,
            job: Job::default(),
            findings: Vec::new(),
        }
    }

    #[test]
    fn the_floor_has_the_jobs_of_approved_ros_but_not_declined_lines() {
        let ros = [
            ro(1, RoStatus::InWork, Some(at(12, 0))),
            ro(2, RoStatus::Estimated, Some(at(12, 0))),
            ro(3, RoStatus::HandedOver, None),
        ];
        let mut part = line(13, 1, 0, decided(true));
        part.kind = LineKind::Part;
        let lines = [
            line(11, 1, 100, decided(true)),
            line(12, 1, 50, decided(false)),
            part,
            line(21, 2, 100, None),
            line(31, 3, 100, decided(true)),
        ];
        let jobs = floor_jobs(&ros, &lines, at(9, 0));
        assert_eq!(
            jobs.iter().map(|j| j.line_id).collect::<Vec<_>>(),
            vec![Uuid::from_u128(11)]
        );
        assert_eq!(jobs[0].sold_minutes(), 60);
        assert!(!jobs[0].at_risk, "60 min of work from 9:00, promised 12:00");
    }

    #[test]
    fn an_ro_whose_remaining_work_ends_too_late_is_at_risk() {
        assert!(!about_to_miss(None, 600, at(9, 0)));
        // 90 minutes left at 10:00, promised 11:45: ends 11:30 + 15 margin = 11:45, not later.
        assert!(!about_to_miss(Some(at(11, 45)), 90, at(10, 0)));
        assert!(about_to_miss(Some(at(11, 44)), 90, at(10, 0)));
        assert!(
            about_to_miss(Some(at(9, 0)), 0, at(10, 0)),
            "a promise already past"
        );
        let ros = [
            ro(1, RoStatus::InWork, Some(at(10, 30))),
            ro(2, RoStatus::Ready, Some(at(9, 0))),
        ];
        let mut running = line(11, 1, 150, decided(true));
        running.job = Job {
            technician_id: Some("t1".into()),
            intervals: vec![(at(9, 0), None)],
            done: false,
        };
        let lines = [
            running,
            line(12, 1, 100, None),
            line(21, 2, 100, decided(true)),
        ];
        let jobs = floor_jobs(&ros, &lines, at(9, 30));
        let one: Vec<&JobRow> = jobs
            .iter()
            .filter(|j| j.ro_id == Uuid::from_u128(1))
            .collect();
        // 90 sold − 30 worked = 60 left (the undecided line does not count): 10:30 + 15 > 10:30.
        assert_eq!(one[0].remaining_minutes(), 60);
        assert!(one.iter().all(|j| j.at_risk));
        assert!(
            jobs.iter()
                .filter(|j| j.ro_id == Uuid::from_u128(2))
                .all(|j| !j.at_risk),
            "a car ready waits for its owner, not for the workshop"
        );
    }

    #[test]
    fn the_board_groups_jobs_by_technician() {
        let mk = |n: u128, t: Option<&str>, done: bool, running: bool| JobRow {
            line_id: Uuid::from_u128(n),
            ro_id: Uuid::from_u128(1),
            plate: String::new(),
            description: String::new(),
            technician_id: t.map(str::to_owned),
            sold_centihours: 100,
            worked_minutes: 20,
            state: LineState::Approved,
            running,
            done,
            started: running || done,
            ro_status: RoStatus::InWork,
            promised_at: None,
            at_risk: false,
        };
        let jobs = [
            mk(1, Some("t1"), true, false),
            mk(2, Some("t1"), false, true),
            mk(3, None, false, false),
            mk(4, Some("gone"), false, false),
        ];
        let (rows, open) = board(&["t1".into(), "t2".into()], &jobs);
        let ids: Vec<&str> = rows.iter().map(|r| r.technician_id.as_str()).collect();
        assert_eq!(ids, ["t1", "t2", "gone"]);
        assert_eq!(rows[0].jobs[0].line_id, Uuid::from_u128(2), "open first");
        assert_eq!((rows[0].open_minutes, rows[0].worked_minutes), (60, 40));
        assert!(rows[0].busy && !rows[1].busy);
        assert!(rows[1].jobs.is_empty());
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].line_id, Uuid::from_u128(3));
    }

    #[test]
    fn the_clock_offers_what_can_follow() {
        let mut job = Job::default();
        assert_eq!(clock_actions(&job), [ClockEvent::On]);
        job.intervals.push((at(9, 0), None));
        assert_eq!(clock_actions(&job), [ClockEvent::Pause, ClockEvent::Off]);
        job.intervals[0].1 = Some(at(9, 30));
        assert_eq!(clock_actions(&job), [ClockEvent::On, ClockEvent::Off]);
        job.done = true;
        assert_eq!(clock_actions(&job), [ClockEvent::On], "rework after QC");
    }

    #[test]
    fn qc_follows_the_work() {
        assert_eq!(next_qc_stage(RoStatus::Approved, false), QcStage::Initial);
        assert_eq!(next_qc_stage(RoStatus::InWork, false), QcStage::Initial);
        assert_eq!(next_qc_stage(RoStatus::InWork, true), QcStage::InProcess);
        assert_eq!(next_qc_stage(RoStatus::Qc, true), QcStage::Final);
        let ros = [ro(1, RoStatus::InWork, None)];
        let mut l = line(11, 1, 100, decided(true));
        let pending = line(12, 1, 100, None);
        let jobs = floor_jobs(&ros, &[l.clone(), pending.clone()], at(9, 0));
        assert!(!ready_for_qc(RoStatus::InWork, &jobs));
        l.job.done = true;
        let jobs = floor_jobs(&ros, &[l, pending], at(9, 0));
        assert!(
            ready_for_qc(RoStatus::InWork, &jobs),
            "undecided work waits"
        );
        assert!(!ready_for_qc(RoStatus::Qc, &jobs));
    }

    #[test]
    fn the_customer_sees_prices_of_approved_lines_only() {
        let r = ro(1, RoStatus::InWork, Some(at(12, 0)));
        let mut extra = line(12, 1, 50, None);
        extra.origin = LineOrigin::AddedWork;
        let lines = [
            line(11, 1, 150, decided(true)),
            extra,
            line(13, 1, 100, decided(false)),
            line(21, 2, 100, decided(true)),
        ];
        let s = public_status(&r, &lines, 20_000);
        assert_eq!(s.step, 4);
        assert_eq!(s.lines.len(), 3);
        let price = |d: &str| {
            s.lines
                .iter()
                .find(|l| l.description == d)
                .unwrap()
                .amount_fen
        };
        assert_eq!(price("作业11"), Some(30_000));
        assert_eq!(price("作业12"), None, "added work not yet approved");
        assert_eq!(price("作业13"), None, "declined");
        assert_eq!(s.approved_total_fen, 30_000);
        let cancelled = ro(2, RoStatus::Cancelled, None);
        assert_eq!(public_status(&cancelled, &[], 0).step, 0);
        let estimated = ro(3, RoStatus::Estimated, None);
        let l = line(31, 3, 100, None);
        let s = public_status(&estimated, &[l], 20_000);
        assert_eq!((s.step, s.approved_total_fen), (2, 0));
        assert_eq!(s.lines[0].amount_fen, None, "no prices before approval");
    }

    #[test]
    fn a_status_token_is_the_id_and_an_unguessable_key() {
        let key = new_status_key([0xab; 16]);
        assert!(status_key_valid(&key));
        assert!(!status_key_valid("abc"));
        assert!(!status_key_valid(&"g".repeat(32)));
        let id = Uuid::from_u128(0x1234);
        let token = status_token(id, &key);
        assert_eq!(token.len(), 64);
        let (got, k) = parse_status_token(&token).unwrap();
        assert_eq!((got, k), (id, key.as_str()));
        assert!(status_key_matches(Some(&key), k));
        assert!(status_key_matches(Some(&key.to_uppercase()), k));
        let mut wrong = key.clone();
        wrong.replace_range(0..1, "0");
        assert!(!status_key_matches(Some(&key), &wrong));
        assert!(!status_key_matches(None, k));
        assert!(
            !status_key_matches(Some("short"), "short"),
            "an RO with a weak key opens for nobody"
        );
        assert_eq!(parse_status_token(&token[..63]), None);
        assert_eq!(parse_status_token(&"z".repeat(64)), None);
    }

    #[test]
    fn findings_carry_their_words_photos_and_proposed_line() {
        use crate::records::field::LogItem;
        let item = |v: serde_json::Value| LogItem {
            entry_id: Uuid::now_v7(),
            value: v,
            written_at: None,
            user_id: "tech".into(),
        };
        let proposed = Uuid::from_u128(9);
        let mut on = line(1, 1, 100, decided(true));
        on.findings = vec![
            item(
                serde_json::json!({"text": "刹车盘有划痕", "photos": ["p1", " ", 3, "p2"],
                "line_id": proposed.to_string()}),
            ),
            item(serde_json::json!({"text": "雨刮老化"})),
        ];
        let other = line(2, 1, 50, decided(true));
        let got = findings(&[other, on]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].found_on, Uuid::from_u128(1));
        assert_eq!(got[0].proposed, Some(proposed));
        assert_eq!(got[0].text, "刹车盘有划痕");
        assert_eq!(got[0].photos, vec!["p1".to_string(), "p2".to_string()]);
        assert_eq!(got[1].proposed, None);
        assert!(got[1].photos.is_empty());
    }
}
