//! 续保 (insurance renewal): the pipeline per vehicle and insurance expiry T, its segments, its
//! contact dates, the outcome with the quote, and the CS manager's audit of 60 % of the
//! outcomes (seed 004: 抽查率为当月回访数量的60%).
//!
//! **Where it lives.** The schedule makes three care tasks per vehicle and expiry
//! ([`CareKind::InsuranceFirst`] at T−45, [`CareKind::InsuranceFollowUp33`] at T−33,
//! [`CareKind::InsuranceFollowUp30`] at T−30), with ids derived from (C-card, kind, T), so two
//! devices make one task each. The outcome is recorded on the task whose call reached the
//! customer (fields `renewal_outcome`, `renewal_premium`, `renewal_insurer`,
//! `renewal_lost_to_kind`, `renewal_lost_to`, `outcome_at`), and the CS manager's audits are a
//! log (`audits`) of that task: the server checks every rule on the record it writes
//! ([`check`], from [`super::policy`]), with no other record to look up. A renewal
//! ([`Renewal`]) is the three tasks of one (vehicle, T) read together; should two tasks of one
//! renewal both carry an outcome (two devices, two calls), the latest recorded counts.
//!
//! **Segments** ([`Segment`]): new-car first renewal (T is the first expiry after delivery:
//! within 13 months of it); renewal (insured with us last year: last year's renewal was
//! recorded renewed); 在修不在保 (not insured with us last year, but the vehicle was serviced here
//! in the year before T); lapsed (neither).
//!
//! **Follow-ups.** A contact point counts when a call reached the customer
//! ([`is_effective`]: an unanswered call, a busy line, a wrong number or a message is not an
//! effective follow-up). The next contact date is the first contact point not reached yet
//! (T when all are past or reached); a renewal with no outcome whose next date is before today
//! is overdue.
//!
//! **Outcome rules** (refused on the device and at the server's push, [`RenewalError`]): only
//! on an insurance task; by the CS specialist assigned to the task (its stored assignee; a
//! task with none, whoever reached the customer on it) or the CS manager; the task has a
//! reached call; renewed or lost; lost names to whom (an insurer directly, or another shop) and
//! who; the quote (premium, yuan) is a positive amount.
//!
//! **The audit sample** ([`audit_sample`]): an outcome is drawn when a hash of its task's id
//! falls in the first 60 of 100 ([`in_audit_sample`]), so whether an outcome is drawn never
//! changes and every device draws the same; a month whose draw (with the outcomes already
//! audited) is below 60 % of its outcomes, rounded up, is topped up with the others in hash
//! order. Each audit is a log entry (ok / wrong with a note), the CS manager's.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta};
use serde_json::{Value, json};
use thiserror::Error;
use uuid::Uuid;

use super::CareKind;
use super::calls::{Attempt, Outcome};
use super::schedule::PastService;
use crate::plan::{PlannedWrite, Step};
use crate::records::{CARE_TASK, CCard, CareTask, field};
use crate::roles::{Actor, Area, Role};
use crate::sales::UserError;
use crate::sync::{Change, Op, RecordState, apply};
use crate::time::{StoreClock, stored_time};

/// The share of the month's outcomes the CS manager audits, in percent.
pub const AUDIT_PERCENT: usize = 60;

/// The fields of an outcome on an insurance task.
pub const OUTCOME_FIELDS: [&str; 6] = [
    "renewal_outcome",
    "renewal_premium",
    "renewal_insurer",
    "renewal_lost_to_kind",
    "renewal_lost_to",
    "outcome_at",
];

/// The largest quote taken (yuan): a typing slip beyond it.
pub const MAX_PREMIUM_YUAN: f64 = 1_000_000.0;

/// A renewal's segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// 新车首次续保: the first expiry after delivery.
    FirstRenewal,
    /// 续保: insured with us last year.
    Renewal,
    /// 在修不在保: serviced here, insured elsewhere.
    ServicedNotInsured,
    /// 脱保: neither insured nor serviced here in the last year.
    Lapsed,
}

impl Segment {
    pub const ALL: [Segment; 4] = [
        Segment::FirstRenewal,
        Segment::Renewal,
        Segment::ServicedNotInsured,
        Segment::Lapsed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::FirstRenewal => "first_renewal",
            Segment::Renewal => "renewal",
            Segment::ServicedNotInsured => "serviced_not_insured",
            Segment::Lapsed => "lapsed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Segment::FirstRenewal => "新车首次续保",
            Segment::Renewal => "续保",
            Segment::ServicedNotInsured => "在修不在保",
            Segment::Lapsed => "脱保",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Segment::FirstRenewal => "New car, first renewal",
            Segment::Renewal => "Renewal",
            Segment::ServicedNotInsured => "Serviced here, insured elsewhere",
            Segment::Lapsed => "Lapsed",
        }
    }
}

/// Where a renewal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// 待联系: no call has reached the customer yet.
    ToContact,
    /// 已联系: reached, no outcome yet.
    Contacted,
    /// 已续保
    Renewed,
    /// 已流失
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::ToContact,
        Stage::Contacted,
        Stage::Renewed,
        Stage::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::ToContact => "to_contact",
            Stage::Contacted => "contacted",
            Stage::Renewed => "renewed",
            Stage::Lost => "lost",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::ToContact => "待联系",
            Stage::Contacted => "已联系",
            Stage::Renewed => "已续保",
            Stage::Lost => "已流失",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Stage::ToContact => "To contact",
            Stage::Contacted => "Contacted",
            Stage::Renewed => "Renewed",
            Stage::Lost => "Lost",
        }
    }
}

/// What came of a renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenewalOutcome {
    Renewed,
    Lost,
}

impl RenewalOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RenewalOutcome::Renewed => "renewed",
            RenewalOutcome::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<RenewalOutcome> {
        match s.trim() {
            "renewed" => Some(RenewalOutcome::Renewed),
            "lost" => Some(RenewalOutcome::Lost),
            _ => None,
        }
    }
}

/// To whom a renewal was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LostTo {
    /// Bought directly from an insurer (电销 / 网销 / 保险公司).
    Insurer,
    /// Insured through another shop (其他4S店 / 修理厂).
    Shop,
}

impl LostTo {
    pub const ALL: [LostTo; 2] = [LostTo::Insurer, LostTo::Shop];

    pub fn as_str(self) -> &'static str {
        match self {
            LostTo::Insurer => "insurer",
            LostTo::Shop => "shop",
        }
    }

    pub fn parse(s: &str) -> Option<LostTo> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LostTo::Insurer => "保险公司直投",
            LostTo::Shop => "其他店",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LostTo::Insurer => "An insurer directly",
            LostTo::Shop => "Another shop",
        }
    }
}

/// A recorded outcome, as read from an insurance task.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: RenewalOutcome,
    /// The quote, yuan (`None` when unreadable).
    pub premium: Option<f64>,
    /// The insurer the policy was placed with (renewed), when told.
    pub insurer: Option<String>,
    /// To whom it was lost, and who (lost).
    pub lost_to: Option<(LostTo, String)>,
    pub at: Option<NaiveDateTime>,
}

impl Decision {
    /// The outcome on a care task record (`None` without one).
    pub fn of(r: &RecordState, clock: StoreClock) -> Option<Decision> {
        let outcome = field::text(r, "renewal_outcome").and_then(RenewalOutcome::parse)?;
        let lost_to = field::text(r, "renewal_lost_to_kind")
            .and_then(LostTo::parse)
            .zip(field::string(r, "renewal_lost_to"));
        Some(Decision {
            outcome,
            premium: field::number(r, "renewal_premium"),
            insurer: field::string(r, "renewal_insurer"),
            lost_to,
            at: field::time(r, "outcome_at", clock),
        })
    }
}

/// One audit of an outcome by the CS manager.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub entry_id: Uuid,
    pub at: Option<NaiveDateTime>,
    pub by: String,
    /// 无误 (true) or 有误 (false).
    pub ok: bool,
    pub note: Option<String>,
}

/// The audits of a task (unreadable entries skipped).
pub fn audits_of(r: &RecordState, clock: StoreClock) -> Vec<Audit> {
    field::log(r, "audits", clock)
        .into_iter()
        .filter_map(|i| {
            let ok = match i.text("verdict")? {
                "ok" => true,
                "wrong" => false,
                _ => return None,
            };
            Some(Audit {
                entry_id: i.entry_id,
                at: i.text("at").and_then(|s| clock.parse(s)).or(i.written_at),
                by: i.user_id.clone(),
                ok,
                note: i.text("note").map(str::to_owned),
            })
        })
        .collect()
}

/// An insurance task read for the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct InsuranceTask {
    pub task: CareTask,
    pub kind: CareKind,
    /// The insurance expiry T the task counts from.
    pub expiry: NaiveDate,
    pub decision: Option<Decision>,
    pub audits: Vec<Audit>,
}

/// How many days before the expiry each contact point is.
pub fn days_before(kind: CareKind) -> Option<u64> {
    match kind {
        CareKind::InsuranceFirst => Some(45),
        CareKind::InsuranceFollowUp33 => Some(33),
        CareKind::InsuranceFollowUp30 => Some(30),
        _ => None,
    }
}

/// The contact dates of a renewal expiring on `expiry`: T−45, T−33, T−30.
pub fn contact_dates(expiry: NaiveDate) -> [(CareKind, NaiveDate); 3] {
    let at = |n: i64| expiry - TimeDelta::days(n);
    [
        (CareKind::InsuranceFirst, at(45)),
        (CareKind::InsuranceFollowUp33, at(33)),
        (CareKind::InsuranceFollowUp30, at(30)),
    ]
}

impl InsuranceTask {
    /// `None` for a task that is not a 续保 contact (or carries no date).
    pub fn of(r: &RecordState, clock: StoreClock) -> Option<InsuranceTask> {
        let task = CareTask::of(r, clock);
        let kind = task.kind.as_deref().and_then(CareKind::parse)?;
        let before = i64::try_from(days_before(kind)?).ok()?;
        // The schedule shows the task from T − n and makes it due two days later.
        let shows = task
            .starts_on
            .or_else(|| task.due_at.map(|d| d.date() - TimeDelta::days(2)))?;
        Some(InsuranceTask {
            kind,
            expiry: shows + TimeDelta::days(before),
            decision: Decision::of(r, clock),
            audits: audits_of(r, clock),
            task,
        })
    }
}

/// A call that reached the customer: an effective follow-up (an unanswered call is not).
pub fn is_effective(a: &Attempt) -> bool {
    a.channel == "phone" && !a.outcome.is_unreached() && a.outcome != Outcome::MessageSent
}

/// Whether someone reached the customer on the task (optionally: this user).
pub fn reached(task: &CareTask, by: Option<&Actor>, clock: StoreClock) -> bool {
    Attempt::all_of(task, clock)
        .iter()
        .any(|a| is_effective(a) && by.is_none_or(|u| u.is(&a.by)))
}

/// Whether `actor` records care outcomes at all: a CS specialist or a manager of care.
pub fn may_work_care(actor: &Actor) -> bool {
    actor.manages(Area::Care) || actor.roles.contains(&Role::CustomerService)
}

/// Who may record an outcome (or a lost customer's reason) on `task`: the CS manager (and the
/// general manager), or a CS specialist who is the task's assignee — on a task with no stored
/// assignee, the specialist who reached the customer on it.
pub fn may_decide(actor: &Actor, task: &CareTask, clock: StoreClock) -> bool {
    if actor.manages(Area::Care) {
        return true;
    }
    if !actor.roles.contains(&Role::CustomerService) {
        return false;
    }
    match task.assignee_id {
        Some(a) => actor.is(&a.to_string()),
        None => reached(task, Some(actor), clock),
    }
}

/// The segment of the renewal of `card` expiring on `expiry`: `last_year` is last year's
/// outcome (when recorded), `services` the vehicle's past services.
pub fn segment(
    card: Option<&CCard>,
    expiry: NaiveDate,
    last_year: Option<RenewalOutcome>,
    services: &[PastService],
) -> Segment {
    let delivered = card.and_then(|c| c.delivery_date);
    if let Some(d) = delivered
        && expiry > d
        && d.checked_add_months(Months::new(13))
            .is_some_and(|end| expiry <= end)
    {
        return Segment::FirstRenewal;
    }
    if last_year == Some(RenewalOutcome::Renewed) {
        return Segment::Renewal;
    }
    let year_before = expiry.checked_sub_months(Months::new(12)).unwrap_or(expiry);
    let serviced = services.iter().any(|s| {
        let theirs = match (s.c_card_id, card) {
            (Some(id), Some(c)) => id == c.id,
            (None, Some(c)) => {
                c.vin
                    .as_deref()
                    .zip(s.vehicle_vin.as_deref())
                    .is_some_and(|(a, b)| {
                        !a.trim().is_empty() && a.trim().eq_ignore_ascii_case(b.trim())
                    })
            }
            _ => false,
        };
        theirs && s.date >= year_before && s.date < expiry
    });
    if serviced {
        Segment::ServicedNotInsured
    } else {
        Segment::Lapsed
    }
}

/// One contact point of a renewal.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub kind: CareKind,
    pub date: NaiveDate,
    pub task_id: Option<Uuid>,
    /// A call reached the customer on it.
    pub effective: bool,
}

/// One vehicle's renewal for one expiry.
#[derive(Debug, Clone, PartialEq)]
pub struct Renewal {
    pub c_card_id: Uuid,
    pub expiry: NaiveDate,
    pub customer_name: Option<String>,
    pub plate: Option<String>,
    pub segment: Segment,
    pub stage: Stage,
    pub contacts: Vec<Contact>,
    /// Calls that reached the customer, over the renewal's tasks.
    pub effective_follow_ups: usize,
    /// The next date to call (`None` once decided).
    pub next_contact: Option<NaiveDate>,
    pub overdue: bool,
    /// The task carrying the outcome, and the outcome.
    pub decision: Option<(Uuid, Decision)>,
    /// The audits of the outcome's task.
    pub audits: Vec<Audit>,
}

impl Renewal {
    /// The task to open for a call: the next contact's, else any of the renewal's.
    pub fn call_task(&self) -> Option<Uuid> {
        let next = self
            .contacts
            .iter()
            .find(|c| Some(c.date) == self.next_contact && c.task_id.is_some());
        next.or_else(|| self.contacts.iter().find(|c| c.task_id.is_some()))
            .and_then(|c| c.task_id)
    }
}

/// The renewals of the insurance tasks, as of `today`: one per (C-card, expiry), sorted by
/// stage, segment and expiry.
pub fn pipeline(
    cards: &[CCard],
    tasks: &[InsuranceTask],
    services: &[PastService],
    today: NaiveDate,
    clock: StoreClock,
) -> Vec<Renewal> {
    let mut groups: BTreeMap<(Uuid, NaiveDate), Vec<&InsuranceTask>> = BTreeMap::new();
    for t in tasks {
        if let Some(c) = t.task.c_card_id {
            groups.entry((c, t.expiry)).or_default().push(t);
        }
    }
    let mut out = Vec::new();
    for ((c_card_id, expiry), theirs) in &groups {
        let card = cards.iter().find(|c| c.id == *c_card_id);
        let last_year = expiry.checked_sub_months(Months::new(12)).and_then(|ly| {
            groups
                .iter()
                .filter(|((c, e), _)| c == c_card_id && (*e - ly).num_days().abs() <= 31)
                .flat_map(|(_, ts)| ts.iter().filter_map(|t| t.decision.as_ref()))
                .max_by_key(|d| d.at)
                .map(|d| d.outcome)
        });
        let contacts: Vec<Contact> = contact_dates(*expiry)
            .into_iter()
            .map(|(kind, date)| {
                let task = theirs.iter().find(|t| t.kind == kind);
                Contact {
                    kind,
                    date,
                    task_id: task.map(|t| t.task.id),
                    effective: task.is_some_and(|t| reached(&t.task, None, clock)),
                }
            })
            .collect();
        let effective_follow_ups = theirs
            .iter()
            .map(|t| {
                Attempt::all_of(&t.task, clock)
                    .iter()
                    .filter(|a| is_effective(a))
                    .count()
            })
            .sum();
        let decision = theirs
            .iter()
            .filter(|t| t.decision.is_some())
            .max_by_key(|t| (t.decision.as_ref().and_then(|d| d.at), t.task.id))
            .and_then(|t| t.decision.clone().map(|d| (t.task.id, d, t.audits.clone())));
        let stage = match &decision {
            Some((_, d, _)) if d.outcome == RenewalOutcome::Renewed => Stage::Renewed,
            Some(_) => Stage::Lost,
            None if contacts.iter().any(|c| c.effective) => Stage::Contacted,
            None => Stage::ToContact,
        };
        let next_contact = match decision {
            Some(_) => None,
            None => {
                let last_reached = contacts.iter().rposition(|c| c.effective);
                let from = last_reached.map_or(0, |i| i + 1);
                Some(
                    contacts[from..]
                        .iter()
                        .find(|c| !c.effective && c.date >= today)
                        .or_else(|| contacts[from..].iter().find(|c| !c.effective))
                        .map_or(*expiry, |c| c.date),
                )
            }
        };
        let first = theirs.first().map(|t| &t.task);
        let (decision, audits) = match decision {
            Some((id, d, a)) => (Some((id, d)), a),
            None => (None, Vec::new()),
        };
        out.push(Renewal {
            c_card_id: *c_card_id,
            expiry: *expiry,
            customer_name: card
                .and_then(|c| c.name.clone())
                .or_else(|| first.and_then(|t| t.customer_name.clone())),
            plate: card.and_then(|c| c.plate.clone()),
            segment: segment(card, *expiry, last_year, services),
            stage,
            contacts,
            effective_follow_ups,
            overdue: next_contact.is_some_and(|n| n < today),
            next_contact,
            decision,
            audits,
        });
    }
    out.sort_by_key(|r| (r.stage, r.segment, r.expiry, r.c_card_id));
    out
}

/// How many months before today's month the 续保 page looks back: the renewals expiring from the
/// first day of that month (an outcome recorded after the expiry, this month's audit sample).
pub const WINDOW_MONTHS_BACK: u32 = 2;

/// The expiries the 续保 page shows as of `today` (the window of [`window_pipeline`]): from the
/// first day of the month [`WINDOW_MONTHS_BACK`] months before today's to the furthest expiry
/// the schedule has a task for (its first contact, T−45, shows within `horizon_days`). So the
/// page reads the insurance tasks of a few months, not of the store's years.
pub fn window(today: NaiveDate, horizon_days: u32) -> (NaiveDate, NaiveDate) {
    let from = month_start(today)
        .checked_sub_months(Months::new(WINDOW_MONTHS_BACK))
        .unwrap_or(today);
    let to = today + TimeDelta::days(45 + i64::from(horizon_days));
    (from, to)
}

/// The due days of the insurance tasks of the renewals expiring within `from..=to`: a contact's
/// task shows T−45 / T−33 / T−30 and is due two days later.
pub fn task_due_days(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    (from - TimeDelta::days(45), to - TimeDelta::days(28))
}

/// The renewals expiring within `window` (`from..=to`), as [`pipeline`] reads them: `tasks` may
/// hold the customers' earlier years (last year's outcome gives the segment), which are read but
/// not listed.
pub fn window_pipeline(
    cards: &[CCard],
    tasks: &[InsuranceTask],
    services: &[PastService],
    today: NaiveDate,
    window: (NaiveDate, NaiveDate),
    clock: StoreClock,
) -> Vec<Renewal> {
    let mut out = pipeline(cards, tasks, services, today, clock);
    out.retain(|r| r.expiry >= window.0 && r.expiry <= window.1);
    out
}

/// The day an outcome counts in (its time; else the expiry).
fn decided_on(r: &Renewal) -> Option<NaiveDate> {
    let (_, d) = r.decision.as_ref()?;
    Some(d.at.map_or(r.expiry, |t| t.date()))
}

/// Whether the outcome recorded on `task` is drawn for the CS manager's audit: a hash of the
/// id in the first [`AUDIT_PERCENT`] of 100.
pub fn in_audit_sample(task: Uuid) -> bool {
    sample_hash(task) % 100 < AUDIT_PERCENT as u64
}

fn sample_hash(task: Uuid) -> u64 {
    super::stable_hash(&format!("renewal_audit/{task}"))
}

/// The CS manager's audit sample of the outcomes recorded in the month starting `first`: those
/// drawn ([`in_audit_sample`]) and those audited, topped up with the others in hash order to
/// [`AUDIT_PERCENT`] % of the month's outcomes (rounded up). Every device draws the same.
pub fn audit_sample(renewals: &[Renewal], first: NaiveDate) -> Vec<&Renewal> {
    let (from, to) = month_of(first);
    let month: Vec<&Renewal> = renewals
        .iter()
        .filter(|r| decided_on(r).is_some_and(|d| d >= from && d <= to))
        .collect();
    let wanted = (month.len() * AUDIT_PERCENT).div_ceil(100);
    let task_of = |r: &Renewal| r.decision.as_ref().map(|(id, _)| *id).unwrap_or_default();
    let (mut sample, mut rest): (Vec<&Renewal>, Vec<&Renewal>) = month
        .into_iter()
        .partition(|r| !r.audits.is_empty() || in_audit_sample(task_of(r)));
    rest.sort_by_key(|r| (sample_hash(task_of(r)), task_of(r)));
    let more = wanted.saturating_sub(sample.len());
    sample.extend(rest.into_iter().take(more));
    sample.sort_by_key(|r| (decided_on(r), r.c_card_id));
    sample
}

/// The renewal figures of a month (for the care report and the GM's page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenewalSummary {
    /// Renewals whose expiry falls in the month.
    pub due: usize,
    pub renewed: usize,
    pub lost: usize,
    /// Not decided yet.
    pub open: usize,
    /// Per segment: (renewed, due).
    pub by_segment: BTreeMap<Segment, (usize, usize)>,
    /// The lost ones by to whom (kind, name).
    pub lost_to: BTreeMap<(LostTo, String), usize>,
    /// The premiums of the renewed, yuan.
    pub premium_yuan: f64,
    /// Outcomes recorded in the month, the sample the CS manager must audit, and those audited.
    pub decided_in_month: usize,
    pub audit_due: usize,
    pub audited: usize,
    /// Audits that found the outcome wrong.
    pub audit_wrong: usize,
}

impl RenewalSummary {
    /// 续保率 in percent: renewed ÷ due (`None` when nothing was due).
    pub fn rate_percent(&self) -> Option<f64> {
        (self.due > 0).then(|| self.renewed as f64 * 100.0 / self.due as f64)
    }
}

/// The month of `day`: its first day and its last. (Not `report::month_of`: the monthly report
/// reads this module, so this module reads none of it.)
fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month_start(day);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(first);
    (first, last)
}

/// The figures of the month starting `first`.
pub fn summary(renewals: &[Renewal], first: NaiveDate) -> RenewalSummary {
    let (from, to) = month_of(first);
    let mut s = RenewalSummary::default();
    for r in renewals
        .iter()
        .filter(|r| r.expiry >= from && r.expiry <= to)
    {
        s.due += 1;
        let seg = s.by_segment.entry(r.segment).or_default();
        seg.1 += 1;
        match r.decision.as_ref().map(|(_, d)| d) {
            Some(d) if d.outcome == RenewalOutcome::Renewed => {
                s.renewed += 1;
                seg.0 += 1;
                s.premium_yuan += d.premium.unwrap_or(0.0);
            }
            Some(d) => {
                s.lost += 1;
                if let Some((k, who)) = &d.lost_to {
                    *s.lost_to.entry((*k, who.trim().to_string())).or_default() += 1;
                }
            }
            None => s.open += 1,
        }
    }
    s.decided_in_month = renewals
        .iter()
        .filter(|r| decided_on(r).is_some_and(|d| d >= from && d <= to))
        .count();
    let sample = audit_sample(renewals, from);
    s.audit_due = sample.len();
    s.audited = sample.iter().filter(|r| !r.audits.is_empty()).count();
    s.audit_wrong = sample
        .iter()
        .filter(|r| r.audits.last().is_some_and(|a| !a.ok))
        .count();
    s
}

/// An outcome as typed on the call screen or the pipeline's row.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeInput {
    pub outcome: RenewalOutcome,
    /// The quote as typed (yuan).
    pub premium: String,
    pub insurer: String,
    pub lost_to_kind: Option<LostTo>,
    pub lost_to: String,
}

/// Reads a quote (yuan; `,` and `¥` allowed): a positive amount up to [`MAX_PREMIUM_YUAN`].
pub fn parse_premium(s: &str) -> Result<f64, RenewalError> {
    let clean: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | ' ' | '元'))
        .collect();
    let v: f64 = clean.parse().map_err(|_| RenewalError::QuoteInvalid)?;
    premium_ok(v)
}

fn premium_ok(v: f64) -> Result<f64, RenewalError> {
    if v.is_finite() && v > 0.0 && v <= MAX_PREMIUM_YUAN {
        Ok((v * 100.0).round() / 100.0)
    } else {
        Err(RenewalError::QuoteInvalid)
    }
}

/// The write recording `input` on insurance task `task` at `at` (checked first: the rules the
/// server checks too, but who the actor is).
pub fn record_outcome(
    task: Uuid,
    input: &OutcomeInput,
    at: NaiveDateTime,
) -> Result<PlannedWrite, RenewalError> {
    let premium = parse_premium(&input.premium)?;
    let mut w = PlannedWrite::new(task, &CARE_TASK)
        .set("renewal_outcome", input.outcome.as_str())
        .set("renewal_premium", json!(premium))
        .set("outcome_at", stored_time(at));
    match input.outcome {
        RenewalOutcome::Renewed => {
            if !input.insurer.trim().is_empty() {
                w = w.set("renewal_insurer", input.insurer.trim());
            }
        }
        RenewalOutcome::Lost => {
            let kind = input.lost_to_kind.ok_or(RenewalError::LostToMissing)?;
            if input.lost_to.trim().is_empty() {
                return Err(RenewalError::LostToMissing);
            }
            w = w
                .set("renewal_lost_to_kind", kind.as_str())
                .set("renewal_lost_to", input.lost_to.trim());
        }
    }
    Ok(w)
}

/// The CS manager's audit of the outcome on `task`: ok, or wrong with a note.
pub fn audit(
    task: Uuid,
    entry_id: Uuid,
    at: NaiveDateTime,
    ok: bool,
    note: &str,
) -> Result<PlannedWrite, RenewalError> {
    if !ok && note.trim().is_empty() {
        return Err(RenewalError::AuditNeedsNote);
    }
    let mut value = json!({"at": stored_time(at), "verdict": if ok { "ok" } else { "wrong" }});
    if !note.trim().is_empty() {
        value["note"] = json!(note.trim());
    }
    Ok(PlannedWrite::new(task, &CARE_TASK).with(Step::Append("audits", entry_id, value)))
}

/// Why an outcome or an audit was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenewalError {
    #[error("a renewal outcome is recorded on an insurance renewal task")]
    NotInsurance,
    #[error("only the CS specialist assigned or the CS manager records the outcome")]
    NotAssigned,
    #[error("an outcome needs a call that reached the customer")]
    NoReachedCall,
    #[error("the outcome is renewed or lost")]
    OutcomeUnknown,
    #[error("a lost renewal names to whom: an insurer or a shop, and who")]
    LostToMissing,
    #[error("the quote is a positive amount of yuan")]
    QuoteInvalid,
    #[error("only the CS manager audits outcomes")]
    AuditManagerOnly,
    #[error("an audit is ok or wrong")]
    AuditUnreadable,
    #[error("an outcome found wrong needs a note")]
    AuditNeedsNote,
    #[error("there is no outcome to audit")]
    NothingToAudit,
}

impl RenewalError {
    /// Whether the refusal is about who the actor is (403).
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            RenewalError::NotAssigned | RenewalError::AuditManagerOnly
        )
    }
}

impl UserError for RenewalError {
    fn code(&self) -> &'static str {
        match self {
            RenewalError::NotInsurance => "renewal_not_insurance",
            RenewalError::NotAssigned => "renewal_not_assigned",
            RenewalError::NoReachedCall => "renewal_no_reached_call",
            RenewalError::OutcomeUnknown => "renewal_outcome_unknown",
            RenewalError::LostToMissing => "renewal_lost_to_missing",
            RenewalError::QuoteInvalid => "renewal_quote_invalid",
            RenewalError::AuditManagerOnly => "renewal_audit_manager_only",
            RenewalError::AuditUnreadable => "renewal_audit_unreadable",
            RenewalError::AuditNeedsNote => "renewal_audit_needs_note",
            RenewalError::NothingToAudit => "renewal_nothing_to_audit",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            RenewalError::NotInsurance => "续保结果只能记录在续保回访任务上".into(),
            RenewalError::NotAssigned => {
                "只有负责该任务的客服专员或客服经理可以记录续保结果".into()
            }
            RenewalError::NoReachedCall => {
                "记录续保结果前须有一次已接通的电话(未接通不算有效跟进)".into()
            }
            RenewalError::OutcomeUnknown => "续保结果须为“已续保”或“已流失”".into(),
            RenewalError::LostToMissing => "流失须写明流向:保险公司直投或其他店,以及名称".into(),
            RenewalError::QuoteInvalid => "报价须为大于零的金额(元)".into(),
            RenewalError::AuditManagerOnly => "只有客服经理可以抽查续保结果".into(),
            RenewalError::AuditUnreadable => "抽查结果须为“无误”或“有误”".into(),
            RenewalError::AuditNeedsNote => "抽查有误须填写说明".into(),
            RenewalError::NothingToAudit => "该任务还没有续保结果,无法抽查".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            RenewalError::NotInsurance => {
                "A renewal outcome is recorded on an insurance renewal task".into()
            }
            RenewalError::NotAssigned => {
                "Only the CS specialist assigned to the task or the CS manager records the renewal outcome".into()
            }
            RenewalError::NoReachedCall => {
                "A renewal outcome needs a call that reached the customer (an unanswered call is not a follow-up)".into()
            }
            RenewalError::OutcomeUnknown => "The outcome is renewed or lost".into(),
            RenewalError::LostToMissing => {
                "A lost renewal says to whom: an insurer directly or another shop, and its name".into()
            }
            RenewalError::QuoteInvalid => "The quote must be an amount above zero (yuan)".into(),
            RenewalError::AuditManagerOnly => {
                "Only the customer-service manager audits renewal outcomes".into()
            }
            RenewalError::AuditUnreadable => "An audit is ok or wrong".into(),
            RenewalError::AuditNeedsNote => "An outcome found wrong needs a note".into(),
            RenewalError::NothingToAudit => "The task has no renewal outcome to audit".into(),
        }
    }
}

fn touches(op: &Op, fields: &[&str]) -> bool {
    op.changes
        .iter()
        .any(|c| c.field().is_some_and(|f| fields.contains(&f)))
}

/// The rules for an outcome or an audit on a care task (see the module docs), on the record
/// after the op.
pub fn check(
    actor: &Actor,
    stored: &RecordState,
    op: &Op,
    clock: StoreClock,
) -> Result<(), RenewalError> {
    let deciding = touches(op, &OUTCOME_FIELDS);
    let audits: Vec<&Value> = op
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Append { field, value, .. } if field == "audits" => Some(value),
            _ => None,
        })
        .collect();
    if !deciding && audits.is_empty() {
        return Ok(());
    }
    let mut after = stored.clone();
    // An op that does not apply is refused by the sync rules anyway.
    if apply(&mut after, op, &CARE_TASK).is_err() {
        return Ok(());
    }
    let task = CareTask::of(&after, clock);
    if deciding {
        let insurance = task
            .kind
            .as_deref()
            .and_then(CareKind::parse)
            .is_some_and(CareKind::is_insurance);
        if !insurance {
            return Err(RenewalError::NotInsurance);
        }
        if !may_work_care(actor) {
            return Err(RenewalError::NotAssigned);
        }
        if !reached(&task, None, clock) {
            return Err(RenewalError::NoReachedCall);
        }
        if !may_decide(actor, &task, clock) {
            return Err(RenewalError::NotAssigned);
        }
        let outcome = field::text(&after, "renewal_outcome")
            .and_then(RenewalOutcome::parse)
            .ok_or(RenewalError::OutcomeUnknown)?;
        let premium = after
            .value("renewal_premium")
            .and_then(|v| match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => parse_premium(s).ok(),
                _ => None,
            })
            .ok_or(RenewalError::QuoteInvalid)?;
        premium_ok(premium)?;
        if outcome == RenewalOutcome::Lost {
            let kind = field::text(&after, "renewal_lost_to_kind").and_then(LostTo::parse);
            let who = field::text(&after, "renewal_lost_to").is_some_and(|s| !s.trim().is_empty());
            if kind.is_none() || !who {
                return Err(RenewalError::LostToMissing);
            }
        }
    }
    for value in audits {
        if !actor.manages(Area::Care) {
            return Err(RenewalError::AuditManagerOnly);
        }
        let note = value
            .get("note")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.trim().is_empty());
        match value.get("verdict").and_then(Value::as_str) {
            Some("ok") => {}
            Some("wrong") if note => {}
            Some("wrong") => return Err(RenewalError::AuditNeedsNote),
            _ => return Err(RenewalError::AuditUnreadable),
        }
        if Decision::of(&after, clock).is_none() {
            return Err(RenewalError::NothingToAudit);
        }
    }
    Ok(())
}

/// The month's first day of `d`.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

#[cfg(test)]
mod tests;
