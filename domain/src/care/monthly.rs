//! The care monthly report (客服月报, due on the 1st, seed 004): the figures of
//! [`super::report`] for one month with what each counted, the care-originated appointment rate,
//! the reasons lost customers gave and the shops they used, each person's completion and on-time
//! rates; and the CS manager's comment, one `care_report` record per store and month
//! ([`care_report_id`]) written by the CS manager only ([`check`], at push).
//!
//! - 预约率 here is the appointment rate **of care-originated visits**: the repair orders opened
//!   in the month for a customer reached on a return call (首保 / 定保 / 保修到期 / 年审 /
//!   流失客户回访) in the [`ORIGIN_DAYS`] before, of which those that came by appointment
//!   ([`appointment_counted`]). The service-wide 预约率 is on the GM's page under service.
//! - The lost customers' reasons and other shops come from the outcomes of the lost-customer
//!   calls ([`LostOutcome`], recorded on the 流失客户 page), counted by the day they were
//!   recorded in the month.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use thiserror::Error;
use uuid::Uuid;

use super::CareKind;
use super::broadcast::{MonthCount, month_count};
use super::calls::{Attempt, Outcome};
use super::report::{
    Counted, PersonFigures, churn_counted, completion_by_person, first_maintenance_counted,
    maintenance_counted, month_of,
};
use super::schedule::PastService;
use super::settings::CareSettings;
#[cfg(test)]
use crate::records::CARE_REPORT;
use crate::records::{CCard, CareTask, field};
use crate::roles::{Actor, Role};
use crate::sales::UserError;
use crate::sync::{Change, Op, RecordState};
use crate::time::StoreClock;

/// How long before a visit a reached return call counts as having brought it.
pub const ORIGIN_DAYS: i64 = 60;

/// The care KPIs, in the report's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CareKpi {
    /// 首保回厂率
    FirstMaintenanceReturn,
    /// 定保回厂率
    MaintenanceReturn,
    /// 预约率 (of care-originated visits)
    AppointmentRate,
    /// 流失率
    Churn,
}

impl CareKpi {
    pub const ALL: [CareKpi; 4] = [
        CareKpi::FirstMaintenanceReturn,
        CareKpi::MaintenanceReturn,
        CareKpi::AppointmentRate,
        CareKpi::Churn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareKpi::FirstMaintenanceReturn => "first_maintenance_return",
            CareKpi::MaintenanceReturn => "maintenance_return",
            CareKpi::AppointmentRate => "care_appointment_rate",
            CareKpi::Churn => "churn",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CareKpi::FirstMaintenanceReturn => "首保回厂率",
            CareKpi::MaintenanceReturn => "定保回厂率",
            CareKpi::AppointmentRate => "关怀预约率",
            CareKpi::Churn => "流失率",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CareKpi::FirstMaintenanceReturn => "First-maintenance return rate",
            CareKpi::MaintenanceReturn => "Regular-maintenance return rate",
            CareKpi::AppointmentRate => "Care appointment rate",
            CareKpi::Churn => "Churn rate",
        }
    }

    pub fn formula_zh(self) -> &'static str {
        match self {
            CareKpi::FirstMaintenanceReturn => {
                "本月首保到期(交车满三个月)的客户中,在本店做了首保的(宽限 30 天)"
            }
            CareKpi::MaintenanceReturn => "本月定保到期的客户中,在到期日前后 30 天内回本店保养的",
            CareKpi::AppointmentRate => {
                "本月因关怀回访回厂(回访接通后 60 天内开单)的工单中,预约到店的"
            }
            CareKpi::Churn => "月初时最近一次到店在 90–360 天前的客户 ÷ 360 天内到过店的客户",
        }
    }

    pub fn formula_en(self) -> &'static str {
        match self {
            CareKpi::FirstMaintenanceReturn => {
                "Customers whose first maintenance fell due this month (three months after delivery) who had it here (30 days' grace)"
            }
            CareKpi::MaintenanceReturn => {
                "Customers whose regular maintenance fell due this month who came back within 30 days of the date"
            }
            CareKpi::AppointmentRate => {
                "Repair orders this month of customers reached on a return call in the 60 days before, that came by appointment"
            }
            CareKpi::Churn => {
                "On the month's first day: customers last seen 90–360 days before ÷ customers seen within 360 days"
            }
        }
    }
}

/// A repair order as the care appointment rate reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareVisit {
    /// The repair order.
    pub id: Uuid,
    pub c_card_id: Option<Uuid>,
    /// The day the car came in.
    pub date: NaiveDate,
    /// It came by appointment (预约到店).
    pub by_appointment: bool,
}

/// The kinds of task whose reached call can bring a customer back to the workshop.
pub fn is_return_call(kind: &str) -> bool {
    matches!(
        CareKind::parse(kind),
        Some(
            CareKind::FirstMaintenance
                | CareKind::Maintenance
                | CareKind::WarrantyEnd
                | CareKind::Inspection
                | CareKind::LostCustomer
        )
    )
}

/// 预约率 of care-originated visits in the month starting `first`: the visits of customers
/// reached on a return call in the [`ORIGIN_DAYS`] before (numerator: those by appointment).
pub fn appointment_counted(
    tasks: &[CareTask],
    visits: &[CareVisit],
    first: NaiveDate,
    clock: StoreClock,
) -> Counted {
    let (from, to) = month_of(first);
    // Each customer's reached return calls (days).
    let mut reached: BTreeMap<Uuid, Vec<NaiveDate>> = BTreeMap::new();
    for t in tasks {
        let (Some(card), Some(kind)) = (t.c_card_id, t.kind.as_deref()) else {
            continue;
        };
        if !is_return_call(kind) {
            continue;
        }
        for a in Attempt::all_of(t, clock) {
            if a.outcome == Outcome::Reached {
                reached.entry(card).or_default().push(a.at.date());
            }
        }
    }
    let mut r = Counted::default();
    let mut sorted: Vec<&CareVisit> = visits
        .iter()
        .filter(|v| v.date >= from && v.date <= to)
        .collect();
    sorted.sort_by_key(|v| (v.date, v.id));
    for v in sorted {
        let Some(days) = v.c_card_id.and_then(|c| reached.get(&c)) else {
            continue;
        };
        let brought = days
            .iter()
            .any(|d| *d <= v.date && v.date - *d <= TimeDelta::days(ORIGIN_DAYS));
        if brought {
            r.count(v.id, v.by_appointment);
        }
    }
    r
}

/// The longest a task shows before its due day (a first-maintenance reminder: a month), so a
/// call on it is at most this many days before its due day.
pub const EARLY_CALL_DAYS: i64 = 31;

/// How long after its due day a call on a task is still read for the month's figures (an
/// overdue task called later is not counted for the care appointment rate).
pub const LATE_CALL_DAYS: i64 = 90;

/// The due days of the care tasks the figures of the month starting `first` read (issue 14: a
/// screen reads these through `by_day`, not every task): the month's own tasks (each person's
/// completion, the lost customers' reasons) and those whose calls may have brought a visit of
/// the month (a call up to [`ORIGIN_DAYS`] before it, on a task due up to [`LATE_CALL_DAYS`]
/// before the call or [`EARLY_CALL_DAYS`] after it).
pub fn task_days(first: NaiveDate) -> (NaiveDate, NaiveDate) {
    let (from, to) = month_of(first);
    (
        from - TimeDelta::days(ORIGIN_DAYS + LATE_CALL_DAYS),
        to + TimeDelta::days(EARLY_CALL_DAYS),
    )
}

/// How far before the month the report reads past services: a maintenance falling due in the
/// month was made at most this long before (the longest interval), and a customer last seen
/// within a year counts for 流失率.
pub const SERVICE_LOOKBACK_DAYS: i64 = 730;

/// How far before the month the report reads the C-cards by their delivery day: a first
/// maintenance due in the month (three months after delivery), a customer delivered within
/// the year before it (流失率).
pub const DELIVERY_LOOKBACK_DAYS: i64 = 360;

/// What the report of the month starting `first` reads, by day (issue 14: index ranges, not
/// every record): the care tasks due in [`task_days`], the past services (handed-over repair
/// orders by their reception, imported services by their date) and the C-cards delivered in
/// these ranges, then the C-cards of those services' customers ([`report_customers`]); and the
/// broadcast messages of the month by their day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportDays {
    pub tasks: (NaiveDate, NaiveDate),
    pub services: (NaiveDate, NaiveDate),
    pub deliveries: (NaiveDate, NaiveDate),
    /// The month's holiday / weather broadcasts: the messages whose broadcast day
    /// (`broadcast_on`, a message's `day` in the indexes) is in the month
    /// ([`super::broadcast::month_count`]).
    pub broadcasts: (NaiveDate, NaiveDate),
}

/// The days the report of the month starting `first` reads ([`ReportDays`]).
pub fn report_days(first: NaiveDate) -> ReportDays {
    let (from, to) = month_of(first);
    ReportDays {
        tasks: task_days(first),
        services: (
            from - TimeDelta::days(SERVICE_LOOKBACK_DAYS),
            to + TimeDelta::days(super::report::GRACE_DAYS),
        ),
        deliveries: (from - TimeDelta::days(DELIVERY_LOOKBACK_DAYS), to),
        broadcasts: (from, to),
    }
}

/// The customers the report counts: those of the services read (their C-card) and those
/// delivered in the days read, each once. (A service without a C-card is matched by VIN among
/// these.)
pub fn report_customers(services: &[PastService], delivered: &[Uuid]) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = services
        .iter()
        .filter_map(|s| s.c_card_id)
        .chain(delivered.iter().copied())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What a lost-customer call found (the 流失客户 page records it): why the customer did not
/// return and the shop they used instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostOutcome {
    pub c_card_id: Uuid,
    /// The day it was recorded.
    pub on: NaiveDate,
    pub reason: Option<String>,
    pub other_shop: Option<String>,
}

/// A reason (or a shop) and the customers who gave it, most given first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub label: String,
    pub customers: Vec<Uuid>,
}

fn tally<'a>(items: impl Iterator<Item = (&'a str, Uuid)>) -> Vec<Tally> {
    let mut by: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for (label, id) in items {
        let label = label.trim();
        if label.is_empty() {
            continue;
        }
        let ids = by.entry(label.to_string()).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut v: Vec<Tally> = by
        .into_iter()
        .map(|(label, customers)| Tally { label, customers })
        .collect();
    v.sort_by(|a, b| {
        b.customers
            .len()
            .cmp(&a.customers.len())
            .then(a.label.cmp(&b.label))
    });
    v
}

/// The reasons lost customers gave in the month starting `first`, and the other shops they used.
pub fn lost_reasons(outcomes: &[LostOutcome], first: NaiveDate) -> (Vec<Tally>, Vec<Tally>) {
    let (from, to) = month_of(first);
    let month: Vec<&LostOutcome> = outcomes
        .iter()
        .filter(|o| o.on >= from && o.on <= to)
        .collect();
    let reasons = tally(
        month
            .iter()
            .filter_map(|o| o.reason.as_deref().map(|r| (r, o.c_card_id))),
    );
    let shops = tally(
        month
            .iter()
            .filter_map(|o| o.other_shop.as_deref().map(|s| (s, o.c_card_id))),
    );
    (reasons, shops)
}

/// What the report is counted from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub cards: &'a [CCard],
    pub services: &'a [PastService],
    pub settings: &'a CareSettings,
    pub tasks: &'a [CareTask],
    pub visits: &'a [CareVisit],
    pub lost: &'a [LostOutcome],
    /// The holiday / weather broadcasts' messages as counted (`broadcast::broadcast_of`: the
    /// broadcast's key and day), those of the month's days at least ([`ReportDays::broadcasts`]).
    pub broadcasts: &'a [(String, NaiveDate)],
    pub clock: StoreClock,
}

/// One figure of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareFigure {
    pub kpi: CareKpi,
    pub counted: Counted,
}

/// The month's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyReport {
    /// The month's first day.
    pub first: NaiveDate,
    /// In [`CareKpi::ALL`]'s order.
    pub figures: Vec<CareFigure>,
    pub reasons: Vec<Tally>,
    pub shops: Vec<Tally>,
    /// Per person (by effective assignee; `None`: nobody's yet).
    pub people: BTreeMap<Option<Uuid>, PersonFigures>,
    /// The month's broadcasts against "at least three a month".
    pub broadcasts: MonthCount,
}

impl MonthlyReport {
    pub fn figure(&self, kpi: CareKpi) -> Option<&CareFigure> {
        self.figures.iter().find(|f| f.kpi == kpi)
    }
}

/// The report of the month starting `first` (any day of the month will do).
pub fn monthly_report(input: &ReportInput, first: NaiveDate) -> MonthlyReport {
    let (first, _) = month_of(first);
    let counted = |kpi: CareKpi| match kpi {
        CareKpi::FirstMaintenanceReturn => {
            first_maintenance_counted(input.cards, input.services, first)
        }
        CareKpi::MaintenanceReturn => {
            maintenance_counted(input.cards, input.services, input.settings, first)
        }
        CareKpi::AppointmentRate => {
            appointment_counted(input.tasks, input.visits, first, input.clock)
        }
        CareKpi::Churn => churn_counted(input.cards, input.services, first),
    };
    let (reasons, shops) = lost_reasons(input.lost, first);
    MonthlyReport {
        first,
        figures: CareKpi::ALL
            .iter()
            .map(|k| CareFigure {
                kpi: *k,
                counted: counted(*k),
            })
            .collect(),
        reasons,
        shops,
        people: completion_by_person(input.tasks, &input.settings.specialists, first, input.clock),
        broadcasts: month_count(input.broadcasts, first),
    }
}

/// The report of the month starting `first` counted from records read for `read` (the days
/// [`report_days`] names for the month they were read for), or `None` when those are not this
/// month's days. A screen reads a newly chosen month's records while it still holds the last
/// month's, which miss what the new month counts (January's tasks are not among those read for
/// November): counted, they would show wrong figures under the new month's title (seen as a
/// specialist's done count moving in e2e `care.rs`, docs/ui/care.md). `None` is "still loading".
pub fn report_of_read(
    input: &ReportInput,
    read: ReportDays,
    first: NaiveDate,
) -> Option<MonthlyReport> {
    (read == report_days(first)).then(|| monthly_report(input, first))
}

/// The month a report is due for on `today`: the month before (the report is due on the 1st).
pub fn report_month(today: NaiveDate) -> NaiveDate {
    let (first, _) = month_of(today);
    let (prev, _) = month_of(first.pred_opt().unwrap_or(first));
    prev
}

/// `YYYY-MM` of a month.
pub fn month_key(first: NaiveDate) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

/// The record id of a store's care report comment for a month (`YYYY-MM`).
pub fn care_report_id(store_id: &str, month: &str) -> Uuid {
    crate::sales::settings::derived_record_id(&format!("care_report/{store_id}/{}", month.trim()))
}

/// The comment of a `care_report` record.
pub fn comment_of(r: &RecordState) -> Option<String> {
    field::string(r, "comment")
}

/// Why a write of a care report comment was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    #[error("only the customer-service manager comments on the care report")]
    ManagerOnly,
    #[error("the month must be YYYY-MM and match the record")]
    BadMonth,
}

impl ReportError {
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ReportError::ManagerOnly)
    }
}

impl UserError for ReportError {
    fn code(&self) -> &'static str {
        match self {
            ReportError::ManagerOnly => "care_report_manager_only",
            ReportError::BadMonth => "care_report_bad_month",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            ReportError::ManagerOnly => "只有客服经理可以填写客服月报评语".into(),
            ReportError::BadMonth => "月份须为“年-月”,且与该月报告一致".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            ReportError::ManagerOnly => {
                "Only the customer-service manager comments on the care report".into()
            }
            ReportError::BadMonth => {
                "The month must be YYYY-MM and match the month of the report".into()
            }
        }
    }
}

/// The rules for an op on a `care_report` record: the CS manager's; `month` is the record's.
pub fn check(actor: &Actor, op: &Op) -> Result<(), ReportError> {
    if !actor.roles.contains(&Role::CustomerServiceManager) {
        return Err(ReportError::ManagerOnly);
    }
    for change in &op.changes {
        if let Change::Set { field, value, .. } = change
            && field == "month"
        {
            let ok = value
                .as_str()
                .and_then(crate::records::costs::parse_month)
                .is_some_and(|(y, m)| {
                    care_report_id(&op.store_id, &format!("{y:04}-{m:02}")) == op.record_id
                });
            if !ok {
                return Err(ReportError::BadMonth);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care::calls::log_attempt;
    use crate::care::schedule::ServiceKind;
    use crate::care::testing::{Device, card, d, service};
    use crate::plan::{Plan, PlannedWrite};
    use crate::records::CARE_TASK;

    /// A report's input of `tasks` alone.
    fn tasks_only<'a>(
        tasks: &'a [CareTask],
        settings: &'a CareSettings,
        clock: StoreClock,
    ) -> ReportInput<'a> {
        ReportInput {
            cards: &[],
            services: &[],
            settings,
            tasks,
            visits: &[],
            lost: &[],
            broadcasts: &[],
            clock,
        }
    }

    fn ms(clock: StoreClock, t: chrono::NaiveDateTime) -> u64 {
        clock.instant(t).timestamp_millis() as u64
    }

    /// Tasks: customer 1 reached on a 首保 call on 06-02, customer 2 reached on a birthday call
    /// (not a return call) on 06-02, customer 3 called but not reached.
    fn tasks(clock: StoreClock) -> Vec<CareTask> {
        let mut dev = Device::new(1);
        let li = Uuid::from_u128(0xa1);
        let t0 = d("2026-06-01").and_hms_opt(8, 0, 0).unwrap();
        let mk = |n: u128, kind: &str| {
            PlannedWrite::new(Uuid::from_u128(100 + n), &CARE_TASK)
                .set("kind", kind)
                .set("c_card_id", Uuid::from_u128(n).to_string())
                .set("due_at", "2026-06-05T17:30:00")
                .set("assignee_id", li.to_string())
        };
        dev.run(
            &Plan::new()
                .then(mk(1, "first_maintenance"))
                .then(mk(2, "birthday"))
                .then(mk(3, "maintenance")),
            "csmgr",
            ms(clock, t0),
        );
        let at = d("2026-06-02").and_hms_opt(10, 0, 0).unwrap();
        for (n, outcome) in [
            (1, Outcome::Reached),
            (2, Outcome::Reached),
            (3, Outcome::NoAnswer),
        ] {
            dev.run(
                &Plan::new().then(log_attempt(
                    Uuid::from_u128(100 + n),
                    Uuid::from_u128(200 + n),
                    at,
                    "phone",
                    outcome,
                    "",
                )),
                &li.to_string(),
                ms(clock, at),
            );
        }
        dev.of("care_task")
            .iter()
            .map(|r| CareTask::of(r, clock))
            .collect()
    }

    fn visit(n: u128, card: u128, date: &str, by_appointment: bool) -> CareVisit {
        CareVisit {
            id: Uuid::from_u128(n),
            c_card_id: Some(Uuid::from_u128(card)),
            date: d(date),
            by_appointment,
        }
    }

    #[test]
    fn the_appointment_rate_counts_the_visits_a_reached_return_call_brought() {
        let clock = StoreClock::CHINA;
        let tasks = tasks(clock);
        let visits = [
            visit(901, 1, "2026-06-10", true),  // brought, by appointment
            visit(902, 1, "2026-06-20", false), // brought, walked in
            visit(903, 2, "2026-06-10", true),  // birthday call: not a return call
            visit(904, 3, "2026-06-10", true),  // not reached
            visit(905, 1, "2026-07-05", true),  // another month
            visit(906, 1, "2026-06-01", true),  // before the call
        ];
        let c = appointment_counted(&tasks, &visits, d("2026-06-01"), clock);
        assert_eq!(c.numerator, vec![Uuid::from_u128(901)]);
        assert_eq!(
            c.denominator,
            vec![Uuid::from_u128(901), Uuid::from_u128(902)]
        );
        assert_eq!(c.rate().percent(), Some(50.0));
        // 60 days later the call no longer counts.
        let late = [visit(907, 1, "2026-08-02", true)];
        assert_eq!(
            appointment_counted(&tasks, &late, d("2026-08-01"), clock),
            Counted::default()
        );
    }

    #[test]
    fn reasons_and_shops_are_tallied_per_customer_most_first() {
        let o = |n: u128, on: &str, reason: &str, shop: &str| LostOutcome {
            c_card_id: Uuid::from_u128(n),
            on: d(on),
            reason: Some(reason.to_string()),
            other_shop: (!shop.is_empty()).then(|| shop.to_string()),
        };
        let outcomes = [
            o(1, "2026-06-03", "价格贵", "路边店"),
            o(2, "2026-06-04", "距离远", ""),
            o(3, "2026-06-05", "价格贵", "路边店"),
            o(3, "2026-06-06", "价格贵", "路边店"), // the same customer twice: once
            o(4, "2026-05-30", "价格贵", "另一家4S店"), // last month
            o(5, "2026-06-07", "  ", "另一家4S店"),
        ];
        let (reasons, shops) = lost_reasons(&outcomes, d("2026-06-01"));
        assert_eq!(
            reasons,
            vec![
                Tally {
                    label: "价格贵".into(),
                    customers: vec![Uuid::from_u128(1), Uuid::from_u128(3)]
                },
                Tally {
                    label: "距离远".into(),
                    customers: vec![Uuid::from_u128(2)]
                },
            ]
        );
        assert_eq!(shops.len(), 2);
        assert_eq!(shops[0].label, "路边店");
        assert_eq!(shops[0].customers.len(), 2);
        assert_eq!(shops[1].customers, vec![Uuid::from_u128(5)]);
    }

    /// A hand count: four cards delivered 2026-03-10 (first maintenance due in June), two came;
    /// card 5 last seen 2026-02-01 (lost on 06-01), card 6 seen in May.
    #[test]
    fn the_monthly_report_by_hand() {
        let clock = StoreClock::CHINA;
        let mut cards = Vec::new();
        for n in 1..=4 {
            let mut c = card(n);
            c.delivery_date = Some(d("2026-03-10"));
            cards.push(c);
        }
        cards.push(card(5));
        cards.push(card(6));
        let services = [
            service(1, "2026-06-03", ServiceKind::FirstMaintenance),
            service(2, "2026-06-20", ServiceKind::FirstMaintenance),
            service(5, "2026-02-01", ServiceKind::Repair),
            service(6, "2026-05-01", ServiceKind::Repair),
        ];
        let tasks = tasks(clock);
        let visits = [
            visit(901, 1, "2026-06-03", true),
            visit(902, 2, "2026-06-20", false),
        ];
        let lost = [LostOutcome {
            c_card_id: Uuid::from_u128(5),
            on: d("2026-06-08"),
            reason: Some("搬家".into()),
            other_shop: Some("路边店".into()),
        }];
        // The month's broadcasts: one in June (two messages), one in May.
        let broadcasts = [
            ("holiday/2026-06-01/儿童节".to_string(), d("2026-06-01")),
            ("holiday/2026-06-01/儿童节".to_string(), d("2026-06-01")),
            ("holiday/2026-05-01/劳动节".to_string(), d("2026-05-01")),
        ];
        let settings = CareSettings::default();
        let input = ReportInput {
            cards: &cards,
            services: &services,
            settings: &settings,
            tasks: &tasks,
            visits: &visits,
            lost: &lost,
            broadcasts: &broadcasts,
            clock,
        };
        let r = monthly_report(&input, d("2026-06-17"));
        assert_eq!(r.first, d("2026-06-01"));
        let rate = |k: CareKpi| r.figure(k).map(|f| f.counted.rate());
        use super::super::report::Rate;
        assert_eq!(
            rate(CareKpi::FirstMaintenanceReturn),
            Some(Rate { num: 2, den: 4 })
        );
        assert_eq!(
            r.figure(CareKpi::FirstMaintenanceReturn)
                .map(|f| f.counted.numerator.clone()),
            Some(vec![Uuid::from_u128(1), Uuid::from_u128(2)])
        );
        assert_eq!(rate(CareKpi::MaintenanceReturn), Some(Rate::default()));
        // Only customer 1 was reached on a return call: visit 901, by appointment.
        assert_eq!(
            rate(CareKpi::AppointmentRate),
            Some(Rate { num: 1, den: 1 })
        );
        // As of 06-01: cards 1–4 (delivered 03-10, 83 days) and 6 are active, 5 is lost.
        assert_eq!(rate(CareKpi::Churn), Some(Rate { num: 1, den: 6 }));
        assert_eq!(r.reasons[0].label, "搬家");
        assert_eq!(r.shops[0].label, "路边店");
        let li = r.people[&Some(Uuid::from_u128(0xa1))];
        assert_eq!(
            r.broadcasts.broadcasts,
            vec!["holiday/2026-06-01/儿童节".to_string()]
        );
        assert_eq!(r.broadcasts.messages, 2);
        assert_eq!((li.due, li.done, li.failed), (3, 2, 0));
    }

    /// Records read for November do not give January's report: January's tasks are not among
    /// them, so January's figures counted from them would be wrong (a done task missing), and
    /// the report says so (`None`: still loading) until January's own records are read.
    #[test]
    fn a_months_report_is_counted_only_from_the_records_read_for_it() {
        let clock = StoreClock::CHINA;
        let mut dev = Device::new(1);
        let zhao = Uuid::from_u128(0xa2);
        let due = |n: u128, day: &str| {
            PlannedWrite::new(Uuid::from_u128(300 + n), &CARE_TASK)
                .set("kind", "first_maintenance")
                .set("c_card_id", Uuid::from_u128(n).to_string())
                .set("due_at", format!("{day}T17:30:00"))
                .set("assignee_id", zhao.to_string())
        };
        dev.run(
            &Plan::new()
                .then(due(1, "2026-11-20"))
                .then(due(2, "2027-01-05")),
            "csmgr",
            1_790_000_000_000,
        );
        // Both reached early in December.
        let at = d("2026-12-03").and_hms_opt(10, 0, 0).unwrap();
        for n in [1u128, 2] {
            dev.run(
                &Plan::new().then(log_attempt(
                    Uuid::from_u128(300 + n),
                    Uuid::from_u128(400 + n),
                    at,
                    "phone",
                    Outcome::Reached,
                    "",
                )),
                &zhao.to_string(),
                ms(clock, at),
            );
        }
        let tasks: Vec<CareTask> = dev
            .of("care_task")
            .iter()
            .map(|r| CareTask::of(r, clock))
            .collect();
        let read_for = |first: NaiveDate| -> Vec<CareTask> {
            let (from, to) = report_days(first).tasks;
            tasks
                .iter()
                .filter(|t| t.due_at.is_some_and(|d| d.date() >= from && d.date() <= to))
                .cloned()
                .collect()
        };
        let settings = CareSettings::default();
        // The report's input of `tasks` alone.
        let of_tasks = |tasks: &'_ [CareTask]| -> MonthlyReport {
            monthly_report(&tasks_only(tasks, &settings, clock), d("2027-01-01"))
        };
        let (november, january) = (d("2026-11-01"), d("2027-01-01"));
        let nov_read = read_for(november);
        let jan_read = read_for(january);
        // What November's read would give for January: the January task is not in it.
        assert_eq!(nov_read.len(), 1);
        let done = |r: &MonthlyReport| r.people.get(&Some(zhao)).map_or(0, |f| f.done);
        assert_eq!(done(&of_tasks(&nov_read)), 0);
        assert_eq!(done(&of_tasks(&jan_read)), 1);
        let of_read = |tasks: &[CareTask], read: NaiveDate, first: NaiveDate| {
            report_of_read(
                &tasks_only(tasks, &settings, clock),
                report_days(read),
                first,
            )
        };
        assert_eq!(of_read(&nov_read, november, january), None);
        assert_eq!(
            of_read(&jan_read, january, january),
            Some(of_tasks(&jan_read))
        );
        // Any day of the month names it.
        assert_eq!(
            of_read(&jan_read, d("2027-01-17"), d("2027-01-09")).map(|r| done(&r)),
            Some(1)
        );
        assert_eq!(
            of_read(&nov_read, november, november).map(|r| done(&r)),
            Some(1)
        );
    }

    #[test]
    fn the_report_is_due_for_last_month() {
        assert_eq!(report_month(d("2026-07-01")), d("2026-06-01"));
        assert_eq!(report_month(d("2026-01-15")), d("2025-12-01"));
        assert_eq!(month_key(d("2026-06-01")), "2026-06");
    }

    fn op(actor_roles: &[Role], record_id: Uuid, month: &str) -> (Actor, Op) {
        use crate::sync::{Edit, Hlc};
        let r = RecordState::new(record_id, "care_report", "demo");
        let e = Edit::new(&r, &CARE_REPORT);
        let op = Op {
            op_id: Uuid::from_u128(7),
            device_id: Uuid::from_u128(8),
            user_id: "u".into(),
            store_id: "demo".into(),
            record_id,
            record_type: "care_report".into(),
            hlc: Hlc::new(1_000, 0),
            changes: vec![
                e.set("month", serde_json::json!(month)).expect("declared"),
                e.set("comment", serde_json::json!("首保回厂率偏低"))
                    .expect("declared"),
            ],
        };
        (Actor::new("u", actor_roles), op)
    }

    #[test]
    fn only_the_cs_manager_comments_and_the_month_is_the_records() {
        let id = care_report_id("demo", "2026-06");
        assert_eq!(id, care_report_id("demo", " 2026-06"));
        assert_ne!(id, care_report_id("other", "2026-06"));
        let (a, o) = op(&[Role::CustomerServiceManager], id, "2026-06");
        assert_eq!(check(&a, &o), Ok(()));
        for roles in [
            &[Role::CustomerService][..],
            &[Role::GeneralManager][..],
            &[Role::SalesManager][..],
        ] {
            let (a, o) = op(roles, id, "2026-06");
            let e = check(&a, &o).unwrap_err();
            assert_eq!(e, ReportError::ManagerOnly);
            assert!(e.is_forbidden());
        }
        let (a, o) = op(&[Role::CustomerServiceManager], id, "2026-07");
        assert_eq!(check(&a, &o), Err(ReportError::BadMonth));
        let (a, o) = op(&[Role::CustomerServiceManager], id, "June");
        assert_eq!(
            check(&a, &o).map_err(|e| e.code()),
            Err("care_report_bad_month")
        );
    }

    #[test]
    fn the_months_figures_read_the_tasks_due_around_it() {
        let clock = StoreClock::CHINA;
        let (from, to) = task_days(d("2026-06-01"));
        assert_eq!((from, to), (d("2026-01-02"), d("2026-07-31")));
        // The tasks due in the days read give the same figures as every task.
        let mut all = tasks(clock);
        let mut old = all[0].clone();
        old.id = Uuid::from_u128(999);
        old.due_at = d("2025-06-05").and_hms_opt(17, 30, 0);
        all.push(old);
        let read: Vec<CareTask> = all
            .iter()
            .filter(|t| t.due_at.is_some_and(|d| d.date() >= from && d.date() <= to))
            .cloned()
            .collect();
        assert_eq!(read.len(), all.len() - 1);
        let visits = [
            visit(901, 1, "2026-06-10", true),
            visit(902, 1, "2026-06-20", false),
        ];
        let first = d("2026-06-01");
        assert_eq!(
            appointment_counted(&read, &visits, first, clock),
            appointment_counted(&all, &visits, first, clock)
        );
        assert_eq!(
            completion_by_person(&read, &[], first, clock),
            completion_by_person(&all, &[], first, clock)
        );
    }

    /// The report counted from what [`report_days`] reads (the tasks, services and deliveries of
    /// its days, the customers of those) is the report counted from every record.
    #[test]
    fn the_report_from_its_days_is_the_report_from_every_record() {
        let clock = StoreClock::CHINA;
        let first = d("2026-06-01");
        let days = report_days(first);
        assert_eq!(days.tasks, task_days(first));
        assert_eq!(days.services, (d("2024-06-01"), d("2026-07-30")));
        assert_eq!(days.deliveries, (d("2025-06-06"), d("2026-06-30")));
        assert_eq!(days.broadcasts, (d("2026-06-01"), d("2026-06-30")));
        let mut cards = Vec::new();
        for n in 1..=4 {
            let mut c = card(n);
            c.delivery_date = Some(d("2026-03-10"));
            cards.push(c);
        }
        // 5: lost (last seen 2026-02-01); 6: seen in May; 7: maintained 2025-12-10, due in June
        // and came; 8: delivered and seen years ago (read by neither); 9: delivered 2025-09-01.
        let mut old = card(8);
        old.delivery_date = Some(d("2019-05-01"));
        let mut recent = card(9);
        recent.delivery_date = Some(d("2025-09-01"));
        cards.extend([card(5), card(6), card(7), old, recent]);
        let services = [
            service(1, "2026-06-03", ServiceKind::FirstMaintenance),
            service(2, "2026-06-20", ServiceKind::FirstMaintenance),
            service(5, "2026-02-01", ServiceKind::Repair),
            service(6, "2026-05-01", ServiceKind::Repair),
            service(7, "2025-12-10", ServiceKind::Maintenance),
            service(7, "2026-06-12", ServiceKind::Maintenance),
            service(8, "2020-01-01", ServiceKind::Maintenance),
        ];
        let tasks = tasks(clock);
        let visits = [
            visit(901, 1, "2026-06-03", true),
            visit(902, 2, "2026-06-20", false),
            visit(903, 7, "2026-06-12", false),
        ];
        let settings = CareSettings::default();
        let whole = monthly_report(
            &ReportInput {
                cards: &cards,
                services: &services,
                settings: &settings,
                tasks: &tasks,
                visits: &visits,
                lost: &[],
                broadcasts: &[],
                clock,
            },
            first,
        );
        let within = |d: NaiveDate, (a, b): (NaiveDate, NaiveDate)| d >= a && d <= b;
        let read_services: Vec<PastService> = services
            .iter()
            .filter(|s| within(s.date, days.services))
            .cloned()
            .collect();
        let delivered: Vec<Uuid> = cards
            .iter()
            .filter(|c| c.delivery_date.is_some_and(|d| within(d, days.deliveries)))
            .map(|c| c.id)
            .collect();
        let customers = report_customers(&read_services, &delivered);
        assert!(!customers.contains(&Uuid::from_u128(8)));
        let read_cards: Vec<CCard> = cards
            .iter()
            .filter(|c| customers.contains(&c.id))
            .cloned()
            .collect();
        let read_tasks: Vec<CareTask> = tasks
            .iter()
            .filter(|t| t.due_at.is_some_and(|d| within(d.date(), days.tasks)))
            .cloned()
            .collect();
        let part = monthly_report(
            &ReportInput {
                cards: &read_cards,
                services: &read_services,
                settings: &settings,
                tasks: &read_tasks,
                visits: &visits,
                lost: &[],
                broadcasts: &[],
                clock,
            },
            first,
        );
        assert_eq!(part, whole);
        // Something was counted in each figure but the appointment rate's (no call in May).
        assert!(
            whole
                .figures
                .iter()
                .filter(|f| !f.counted.denominator.is_empty())
                .count()
                >= 3
        );
    }
}
