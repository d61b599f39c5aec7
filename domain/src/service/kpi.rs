//! The service KPIs of shared/domain.md ("KPIs and their formulas", seed 001), computed from plain
//! facts for one [`Period`] (a local day or a calendar month), for the store, one service advisor
//! or one technician.
//!
//! Like the sales KPIs ([`crate::sales::kpi`]), each [`ServiceFigure`] carries the ids of the
//! records in its numerator and denominator, so a screen opens exactly what was counted, and an
//! empty denominator gives no figure (`None`) with its reason ([`NoFigure`]) — never 0 % and
//! never NaN.
//!
//! ## What counts in a period (store-local dates)
//! - **Vehicles in** (入场台数): repair orders *received* in the period (a car cancelled before
//!   work still came in). **By appointment**: those that arrived on a booking.
//!   预约率 = by appointment ÷ vehicles in × 100 %.
//! - **Repair jobs** (维修台次): ROs received in the period and not cancelled; **comebacks** (返修)
//!   are those of them that are a comeback of an earlier RO (`comeback_of`, set by
//!   [`super::repair_order::comeback_of`] at reception). 一次性修复率 = (jobs − comebacks) ÷ jobs.
//! - **Parts / labour sales** (零件/工时销售比): over the ROs *handed over* in the period and paid by
//!   the customer, the lines not declined: parts amount ÷ labour amount (a ratio, not a %).
//! - **Absorption** (吸收率): service gross profit of the ROs handed over in the month (labour
//!   sales + parts sales − the parts' cost the GM entered for the month; without a parts cost only
//!   the labour sales count, so the figure is never overstated) ÷ the month's fixed operating
//!   costs the GM entered (`store_costs`) × 100 %. A day is not a cost period: for a day the
//!   figure is the month's (the record of the day's month), so the screen only shows it by month.
//! - **Delivery-time accuracy** (交车时间准确率): ROs handed over in the period; on time when
//!   handed over at or before the promised time ([`super::repair_order::on_time`]); one without a
//!   promised time did not keep a promise.
//! - **Paid-service retention** (服务有偿整备掌握度): paid service visits in the period (ROs received
//!   and not cancelled with a customer-paid amount, and past services imported from an old DMS of
//!   kind maintenance / repair / other with an amount) ÷ (cars sold here by the period's last day
//!   × 4) × 100 %; the seed's 4 is the quarters of a year, so the figure reads best over a year
//!   and is small for one month.
//! - **Active customers** (活跃客户率): customers with at least one visit (an RO not cancelled or a
//!   past service) in the year ending on the period's last day ÷ all customers (the C-cards of
//!   cars sold by then, and every other vehicle serviced here by then).
//! - **Fixed customers** (固定客户率): customers with two or more visits in that year ÷ active
//!   customers. A customer is its C-card when the visit names one (or its VIN or plate is a
//!   C-card's), else the vehicle (VIN, else plate).
//! - **Technician efficiency** (技师效率): over the labour lines clocked off (done) in the period:
//!   sold hours (standard hours) ÷ clocked hours × 100 %.
//! - **Advisor load** (服务顾问负荷): ROs received in the period ÷ advisor-days (an advisor on a day
//!   with at least one RO received) — ROs per advisor per working day (12–15 is full,
//!   [`super::repair_order::ADVISOR_FULL`]).
//!
//! For an advisor, the RO-based figures count that advisor's ROs; for a technician, those of the
//! ROs with a line of theirs, and efficiency their own lines. The customer figures
//! (retention, active, fixed) and absorption are the store's ([`ServiceKpi::per_person`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::repair_order::{Arrival, LineKind, LineState, RoStatus, line_amount_fen, line_state};
use crate::records::field;
use crate::records::service::{RepairOrder, RoLine};
use crate::sync::RecordState;
use crate::time::StoreClock;

pub use crate::sales::kpi::Period;

/// The days of the "year" of the customer figures, ending on the period's last day.
pub const YEAR_DAYS: i64 = 365;

/// A repair order as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoFact {
    pub id: Uuid,
    pub advisor: Option<String>,
    pub c_card_id: Option<Uuid>,
    pub vin: Option<String>,
    pub plate: Option<String>,
    /// Arrived on an appointment (`arrival` = appointment, or an `appointment_id`).
    pub by_appointment: bool,
    pub received_on: Option<NaiveDate>,
    pub promised_at: Option<NaiveDateTime>,
    /// Set once the RO is handed over.
    pub handed_over_at: Option<NaiveDateTime>,
    pub cancelled: bool,
    /// A comeback (返修) of an earlier RO.
    pub comeback: bool,
    /// Paid by the customer (not warranty / internal). Every RO is until the RO records a payer.
    pub customer_paid: bool,
}

/// A repair-order line as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFact {
    pub id: Uuid,
    pub ro_id: Uuid,
    pub kind: LineKind,
    /// The line's amount in fen; `None` when it cannot be priced.
    pub amount_fen: Option<i64>,
    /// Declined by the customer: not sold.
    pub declined: bool,
    pub technician: Option<String>,
    /// Standard (sold) hours in hundredths of an hour.
    pub sold_centihours: Option<i64>,
    /// Minutes clocked on the job.
    pub clocked_minutes: i64,
    /// The day the job was clocked off (done); `None` while not done.
    pub done_on: Option<NaiveDate>,
}

/// The kind of a past service imported from an old DMS (`service_history.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PastServiceKind {
    FirstMaintenance,
    Maintenance,
    Repair,
    Warranty,
    Other,
}

impl PastServiceKind {
    pub fn parse(s: &str) -> Option<PastServiceKind> {
        Some(match s.trim() {
            "first_maintenance" => PastServiceKind::FirstMaintenance,
            "maintenance" => PastServiceKind::Maintenance,
            "repair" => PastServiceKind::Repair,
            "warranty" => PastServiceKind::Warranty,
            "other" => PastServiceKind::Other,
            _ => return None,
        })
    }

    /// Paid by the customer: not warranty and not the (free) first maintenance.
    pub fn paid(self) -> bool {
        !matches!(
            self,
            PastServiceKind::FirstMaintenance | PastServiceKind::Warranty
        )
    }
}

/// A past service (from an old DMS, `service_history`), built by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastService {
    pub id: Uuid,
    pub c_card_id: Option<Uuid>,
    pub vehicle_vin: Option<String>,
    pub plate: Option<String>,
    pub date: NaiveDate,
    pub odometer_km: Option<i64>,
    pub kind: PastServiceKind,
    pub amount_fen: Option<i64>,
    /// The advisor's name as written in the old system.
    pub advisor: Option<String>,
}

/// A customer who bought here (a C-card), as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFact {
    pub id: Uuid,
    pub vin: Option<String>,
    pub plate: Option<String>,
    /// The delivery date (a car sold here from that day); `None`: counted as sold long ago.
    pub delivered_on: Option<NaiveDate>,
}

impl CustomerFact {
    /// A C-card as a fact: its vehicle, delivered on `delivery_date`.
    pub fn of(r: &RecordState, clock: StoreClock) -> CustomerFact {
        CustomerFact {
            id: r.id,
            vin: field::string(r, "vin"),
            plate: field::string(r, "plate"),
            delivered_on: field::date(r, "delivery_date", clock),
        }
    }
}

/// The month's costs the GM entered (`store_costs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostFact {
    /// The `store_costs` record.
    pub id: Uuid,
    pub year: i32,
    pub month: u32,
    /// Fixed operating costs of the month (固定运营费用), fen.
    pub fixed_costs_fen: Option<i64>,
    /// Cost of the parts sold in the month (零件销售成本), fen.
    pub parts_cost_fen: Option<i64>,
}

/// Everything the service KPIs are computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServiceFacts<'a> {
    pub ros: &'a [RoFact],
    pub lines: &'a [LineFact],
    pub past: &'a [PastService],
    pub customers: &'a [CustomerFact],
    pub costs: &'a [CostFact],
}

/// The service KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKpi {
    /// 预约率
    AppointmentRate,
    /// 一次性修复率
    FirstTimeFixRate,
    /// 零件/工时销售比
    PartsToLabourRatio,
    /// 吸收率
    AbsorptionRate,
    /// 交车时间准确率
    DeliveryTimeAccuracy,
    /// 服务有偿整备掌握度
    PaidServiceRetention,
    /// 固定客户率
    FixedCustomerRate,
    /// 活跃客户率
    ActiveCustomerRate,
    /// 技师效率
    TechnicianEfficiency,
    /// 服务顾问负荷
    AdvisorLoad,
}

/// How a figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Percent,
    /// A plain ratio (parts per labour yuan, ROs per advisor-day).
    Ratio,
}

/// What the numerator and denominator quantities are (for the `n / d` line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Count,
    Fen,
    Minutes,
}

impl ServiceKpi {
    pub const ALL: [ServiceKpi; 10] = [
        ServiceKpi::AppointmentRate,
        ServiceKpi::FirstTimeFixRate,
        ServiceKpi::PartsToLabourRatio,
        ServiceKpi::AbsorptionRate,
        ServiceKpi::DeliveryTimeAccuracy,
        ServiceKpi::PaidServiceRetention,
        ServiceKpi::FixedCustomerRate,
        ServiceKpi::ActiveCustomerRate,
        ServiceKpi::TechnicianEfficiency,
        ServiceKpi::AdvisorLoad,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKpi::AppointmentRate => "appointment_rate",
            ServiceKpi::FirstTimeFixRate => "first_time_fix_rate",
            ServiceKpi::PartsToLabourRatio => "parts_to_labour_ratio",
            ServiceKpi::AbsorptionRate => "absorption_rate",
            ServiceKpi::DeliveryTimeAccuracy => "delivery_time_accuracy",
            ServiceKpi::PaidServiceRetention => "paid_service_retention",
            ServiceKpi::FixedCustomerRate => "fixed_customer_rate",
            ServiceKpi::ActiveCustomerRate => "active_customer_rate",
            ServiceKpi::TechnicianEfficiency => "technician_efficiency",
            ServiceKpi::AdvisorLoad => "advisor_load",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ServiceKpi::AppointmentRate => "预约率",
            ServiceKpi::FirstTimeFixRate => "一次性修复率",
            ServiceKpi::PartsToLabourRatio => "零件/工时销售比",
            ServiceKpi::AbsorptionRate => "吸收率",
            ServiceKpi::DeliveryTimeAccuracy => "交车时间准确率",
            ServiceKpi::PaidServiceRetention => "服务有偿整备掌握度",
            ServiceKpi::FixedCustomerRate => "固定客户率",
            ServiceKpi::ActiveCustomerRate => "活跃客户率",
            ServiceKpi::TechnicianEfficiency => "技师效率",
            ServiceKpi::AdvisorLoad => "服务顾问负荷",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ServiceKpi::AppointmentRate => "Appointment rate",
            ServiceKpi::FirstTimeFixRate => "First-time-fix rate",
            ServiceKpi::PartsToLabourRatio => "Parts-to-labour ratio",
            ServiceKpi::AbsorptionRate => "Absorption rate",
            ServiceKpi::DeliveryTimeAccuracy => "Delivery-time accuracy",
            ServiceKpi::PaidServiceRetention => "Paid-service retention",
            ServiceKpi::FixedCustomerRate => "Fixed-customer rate",
            ServiceKpi::ActiveCustomerRate => "Active-customer rate",
            ServiceKpi::TechnicianEfficiency => "Technician efficiency",
            ServiceKpi::AdvisorLoad => "Advisor load",
        }
    }

    /// The formula as the screen explains it (shared/domain.md, seed 001).
    pub fn formula_zh(self) -> &'static str {
        match self {
            ServiceKpi::AppointmentRate => "预约进厂台数 ÷ 总入场台数 × 100%",
            ServiceKpi::FirstTimeFixRate => "(维修台次 − 返修台次) ÷ 维修台次 × 100%",
            ServiceKpi::PartsToLabourRatio => "客户付费零件销售额 ÷ 客户付费工时销售额",
            ServiceKpi::AbsorptionRate => "服务毛利 ÷ 当月固定运营费用 × 100%",
            ServiceKpi::DeliveryTimeAccuracy => "按承诺时间交车台数 ÷ 交车台数 × 100%",
            ServiceKpi::PaidServiceRetention => {
                "本期来店有偿服务台数 ÷ (本店累计销售台数 × 4) × 100%"
            }
            ServiceKpi::FixedCustomerRate => "一年内入库 2 次及以上的客户 ÷ 活跃客户数 × 100%",
            ServiceKpi::ActiveCustomerRate => "一年内入库 1 次及以上的客户 ÷ 客户总数 × 100%",
            ServiceKpi::TechnicianEfficiency => "售出工时 ÷ 实际作业工时 × 100%",
            ServiceKpi::AdvisorLoad => "接车台数 ÷ 顾问工作日数",
        }
    }

    pub fn formula_en(self) -> &'static str {
        match self {
            ServiceKpi::AppointmentRate => "vehicles in by appointment ÷ all vehicles in × 100 %",
            ServiceKpi::FirstTimeFixRate => "(repair jobs − comebacks) ÷ repair jobs × 100 %",
            ServiceKpi::PartsToLabourRatio => {
                "customer-paid parts sales ÷ customer-paid labour sales"
            }
            ServiceKpi::AbsorptionRate => {
                "service gross profit ÷ the month's fixed operating costs × 100 %"
            }
            ServiceKpi::DeliveryTimeAccuracy => {
                "vehicles handed over by the promised time ÷ vehicles handed over × 100 %"
            }
            ServiceKpi::PaidServiceRetention => {
                "paid service visits in the period ÷ (cars sold here, cumulative × 4) × 100 %"
            }
            ServiceKpi::FixedCustomerRate => {
                "customers with ≥ 2 visits in a year ÷ active customers × 100 %"
            }
            ServiceKpi::ActiveCustomerRate => {
                "customers with ≥ 1 visit in a year ÷ all customers × 100 %"
            }
            ServiceKpi::TechnicianEfficiency => "sold hours ÷ clocked hours × 100 %",
            ServiceKpi::AdvisorLoad => "repair orders received ÷ advisor working days",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            ServiceKpi::PartsToLabourRatio | ServiceKpi::AdvisorLoad => Unit::Ratio,
            _ => Unit::Percent,
        }
    }

    pub fn measure(self) -> Measure {
        match self {
            ServiceKpi::PartsToLabourRatio | ServiceKpi::AbsorptionRate => Measure::Fen,
            ServiceKpi::TechnicianEfficiency => Measure::Minutes,
            _ => Measure::Count,
        }
    }

    /// Whether the KPI is counted per advisor / technician (else only for the store).
    pub fn per_person(self) -> bool {
        !matches!(
            self,
            ServiceKpi::AbsorptionRate
                | ServiceKpi::PaidServiceRetention
                | ServiceKpi::FixedCustomerRate
                | ServiceKpi::ActiveCustomerRate
        )
    }
}

/// Why a figure has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoFigure {
    NoVehiclesIn,
    NoRepairJobs,
    NoLabourSales,
    /// The GM has not entered the month's fixed operating costs (or entered 0).
    NoFixedCosts,
    NoHandovers,
    NoCarsSold,
    NoCustomers,
    NoActiveCustomers,
    NoClockedHours,
    NoAdvisorDays,
    /// A store figure asked of one person.
    StoreOnly,
}

impl NoFigure {
    pub fn message_zh(self) -> &'static str {
        match self {
            NoFigure::NoVehiclesIn => "本期没有入场车辆",
            NoFigure::NoRepairJobs => "本期没有维修台次",
            NoFigure::NoLabourSales => "本期没有客户付费工时销售",
            NoFigure::NoFixedCosts => "总经理尚未录入本月固定运营费用",
            NoFigure::NoHandovers => "本期没有交车",
            NoFigure::NoCarsSold => "本店尚无销售车辆",
            NoFigure::NoCustomers => "尚无客户",
            NoFigure::NoActiveCustomers => "一年内没有来店客户",
            NoFigure::NoClockedHours => "本期没有完工并计时的作业",
            NoFigure::NoAdvisorDays => "本期没有接车",
            NoFigure::StoreOnly => "只按全店统计",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            NoFigure::NoVehiclesIn => "no vehicles came in",
            NoFigure::NoRepairJobs => "no repair jobs",
            NoFigure::NoLabourSales => "no customer-paid labour sales",
            NoFigure::NoFixedCosts => "the GM has not entered the month's fixed operating costs",
            NoFigure::NoHandovers => "no vehicles handed over",
            NoFigure::NoCarsSold => "no cars sold here yet",
            NoFigure::NoCustomers => "no customers yet",
            NoFigure::NoActiveCustomers => "no customer visited in the year",
            NoFigure::NoClockedHours => "no job clocked off",
            NoFigure::NoAdvisorDays => "no repair orders received",
            NoFigure::StoreOnly => "counted for the store only",
        }
    }
}

/// One service KPI figure with the records it counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceFigure {
    pub kpi: ServiceKpi,
    /// Ids of the records in the numerator, sorted.
    pub numerator: Vec<Uuid>,
    /// Ids of the records in the denominator, sorted.
    pub denominator: Vec<Uuid>,
    /// The quantities divided ([`ServiceKpi::measure`]): counts, fen or minutes. For paid-service
    /// retention `den` is the cars sold × 4.
    pub num: i64,
    pub den: i64,
    /// num ÷ den (× 100 for a percentage); `None` with `reason` when there is nothing to divide by.
    pub value: Option<f64>,
    pub reason: Option<NoFigure>,
}

impl ServiceFigure {
    fn new(
        kpi: ServiceKpi,
        mut numerator: Vec<Uuid>,
        mut denominator: Vec<Uuid>,
        num: i64,
        den: i64,
        empty: NoFigure,
    ) -> ServiceFigure {
        numerator.sort();
        numerator.dedup();
        denominator.sort();
        denominator.dedup();
        let value = (den > 0).then(|| {
            let r = num as f64 / den as f64;
            match kpi.unit() {
                Unit::Percent => r * 100.0,
                Unit::Ratio => r,
            }
        });
        ServiceFigure {
            kpi,
            numerator,
            denominator,
            num,
            den,
            value,
            reason: value.is_none().then_some(empty),
        }
    }

    /// Counted by the ids (num and den are the lists' lengths, without repeats).
    fn counted(
        kpi: ServiceKpi,
        mut numerator: Vec<Uuid>,
        mut denominator: Vec<Uuid>,
        empty: NoFigure,
    ) -> ServiceFigure {
        for v in [&mut numerator, &mut denominator] {
            v.sort();
            v.dedup();
        }
        let (n, d) = (numerator.len() as i64, denominator.len() as i64);
        ServiceFigure::new(kpi, numerator, denominator, n, d, empty)
    }

    fn none(kpi: ServiceKpi, reason: NoFigure) -> ServiceFigure {
        ServiceFigure::new(kpi, Vec::new(), Vec::new(), 0, 0, reason)
    }

    /// The figure as shown: `66.7%`, `1.25` or `—`.
    pub fn display(&self) -> String {
        match self.value {
            None => "—".into(),
            Some(v) => match self.kpi.unit() {
                Unit::Percent => format!("{v:.1}%"),
                Unit::Ratio => format!("{v:.2}"),
            },
        }
    }

    /// The numerator and denominator as shown: counts, yuan (`¥1,234.50`) or hours (`7.5h`).
    pub fn parts_display(&self) -> (String, String) {
        let show = |n: i64| match self.kpi.measure() {
            Measure::Count => n.to_string(),
            Measure::Fen => super::desk::yuan(n),
            Measure::Minutes => format!("{:.1}h", n as f64 / 60.0),
        };
        (show(self.num), show(self.den))
    }
}

/// Whose figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ServiceScope {
    Store,
    /// A service advisor (the RO's `advisor_id`, a user id as written).
    Advisor(String),
    /// A technician (a line's `technician_id`).
    Technician(String),
}

/// The service figures of one scope and period, in [`ServiceKpi::ALL`] order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceKpis {
    pub period: Period,
    pub scope: ServiceScope,
    pub figures: Vec<ServiceFigure>,
}

impl ServiceKpis {
    pub fn get(&self, kpi: ServiceKpi) -> Option<&ServiceFigure> {
        self.figures.iter().find(|f| f.kpi == kpi)
    }
}

fn same_person(a: Option<&str>, who: &str) -> bool {
    a.is_some_and(|a| a.trim() == who.trim())
}

/// A vehicle's key: VIN (else plate), upper-cased without blanks and dashes.
fn vehicle_key(vin: Option<&str>, plate: Option<&str>) -> Option<String> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '·')
            .flat_map(char::to_uppercase)
            .collect()
    };
    vin.map(norm)
        .filter(|s| !s.is_empty())
        .map(|s| format!("vin:{s}"))
        .or_else(|| {
            plate
                .map(norm)
                .filter(|s| !s.is_empty())
                .map(|s| format!("plate:{s}"))
        })
}

/// Compute the service KPIs of a scope for a period.
pub fn service_kpis(facts: &ServiceFacts<'_>, period: Period, scope: &ServiceScope) -> ServiceKpis {
    let figures = ServiceKpi::ALL
        .into_iter()
        .map(|k| service_kpi(facts, period, scope, k))
        .collect();
    ServiceKpis {
        period,
        scope: scope.clone(),
        figures,
    }
}

/// One service KPI of a scope for a period.
pub fn service_kpi(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
    kpi: ServiceKpi,
) -> ServiceFigure {
    if !kpi.per_person() && *scope != ServiceScope::Store {
        return ServiceFigure::none(kpi, NoFigure::StoreOnly);
    }
    match kpi {
        ServiceKpi::AppointmentRate => appointment_rate(facts, period, scope),
        ServiceKpi::FirstTimeFixRate => first_time_fix_rate(facts, period, scope),
        ServiceKpi::PartsToLabourRatio => parts_to_labour_ratio(facts, period, scope),
        ServiceKpi::AbsorptionRate => absorption_rate(facts, period),
        ServiceKpi::DeliveryTimeAccuracy => delivery_time_accuracy(facts, period, scope),
        ServiceKpi::PaidServiceRetention => paid_service_retention(facts, period),
        ServiceKpi::FixedCustomerRate => customer_rate(facts, period, true),
        ServiceKpi::ActiveCustomerRate => customer_rate(facts, period, false),
        ServiceKpi::TechnicianEfficiency => technician_efficiency(facts, period, scope),
        ServiceKpi::AdvisorLoad => advisor_load(facts, period, scope),
    }
}

/// Whether an RO is the scope's (a technician's: one of its lines is theirs).
fn ro_in_scope(facts: &ServiceFacts<'_>, ro: &RoFact, scope: &ServiceScope) -> bool {
    match scope {
        ServiceScope::Store => true,
        ServiceScope::Advisor(a) => same_person(ro.advisor.as_deref(), a),
        ServiceScope::Technician(t) => facts
            .lines
            .iter()
            .any(|l| l.ro_id == ro.id && same_person(l.technician.as_deref(), t)),
    }
}

fn received_in<'a>(
    facts: &'a ServiceFacts<'a>,
    period: Period,
    scope: &'a ServiceScope,
) -> impl Iterator<Item = &'a RoFact> + 'a {
    facts.ros.iter().filter(move |r| {
        r.received_on.is_some_and(|d| period.contains(d)) && ro_in_scope(facts, r, scope)
    })
}

fn handed_over_in<'a>(
    facts: &'a ServiceFacts<'a>,
    period: Period,
    scope: &'a ServiceScope,
) -> impl Iterator<Item = &'a RoFact> + 'a {
    facts.ros.iter().filter(move |r| {
        !r.cancelled
            && r.handed_over_at.is_some_and(|t| period.contains(t.date()))
            && ro_in_scope(facts, r, scope)
    })
}

/// 预约率.
pub fn appointment_rate(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
) -> ServiceFigure {
    let all: Vec<&RoFact> = received_in(facts, period, scope).collect();
    ServiceFigure::counted(
        ServiceKpi::AppointmentRate,
        all.iter()
            .filter(|r| r.by_appointment)
            .map(|r| r.id)
            .collect(),
        all.iter().map(|r| r.id).collect(),
        NoFigure::NoVehiclesIn,
    )
}

/// 一次性修复率.
pub fn first_time_fix_rate(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
) -> ServiceFigure {
    let jobs: Vec<&RoFact> = received_in(facts, period, scope)
        .filter(|r| !r.cancelled)
        .collect();
    ServiceFigure::counted(
        ServiceKpi::FirstTimeFixRate,
        jobs.iter().filter(|r| !r.comeback).map(|r| r.id).collect(),
        jobs.iter().map(|r| r.id).collect(),
        NoFigure::NoRepairJobs,
    )
}

/// The sold lines (not declined, priced) of the customer-paid ROs handed over in the period.
fn sold_lines<'a>(
    facts: &'a ServiceFacts<'a>,
    period: Period,
    scope: &'a ServiceScope,
) -> Vec<(&'a LineFact, i64)> {
    let ros: BTreeSet<Uuid> = handed_over_in(facts, period, scope)
        .filter(|r| r.customer_paid)
        .map(|r| r.id)
        .collect();
    facts
        .lines
        .iter()
        .filter(|l| !l.declined && ros.contains(&l.ro_id))
        .filter_map(|l| l.amount_fen.map(|a| (l, a)))
        .collect()
}

/// 零件/工时销售比.
pub fn parts_to_labour_ratio(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
) -> ServiceFigure {
    let lines = sold_lines(facts, period, scope);
    let (parts, labour): (Vec<_>, Vec<_>) = lines
        .into_iter()
        .partition(|(l, _)| l.kind == LineKind::Part);
    ServiceFigure::new(
        ServiceKpi::PartsToLabourRatio,
        parts.iter().map(|(l, _)| l.id).collect(),
        labour.iter().map(|(l, _)| l.id).collect(),
        parts.iter().map(|(_, a)| a).sum(),
        labour.iter().map(|(_, a)| a).sum(),
        NoFigure::NoLabourSales,
    )
}

/// The month's service gross profit in fen and the ROs it counts: labour + parts sales of the
/// ROs handed over in the month, less the parts' cost when entered.
pub fn service_gross_profit(facts: &ServiceFacts<'_>, month: Period) -> (i64, Vec<Uuid>) {
    let month = Period::month_of(month.first_day());
    let store = ServiceScope::Store;
    let ros: Vec<Uuid> = handed_over_in(facts, month, &store).map(|r| r.id).collect();
    let set: BTreeSet<Uuid> = ros.iter().copied().collect();
    let mut labour = 0;
    let mut parts = 0;
    for l in facts
        .lines
        .iter()
        .filter(|l| !l.declined && set.contains(&l.ro_id))
    {
        match l.kind {
            LineKind::Labour => labour += l.amount_fen.unwrap_or(0),
            LineKind::Part => parts += l.amount_fen.unwrap_or(0),
        }
    }
    let gross = match month_costs(facts, month).and_then(|c| c.parts_cost_fen) {
        Some(cost) => labour + parts - cost,
        None => labour,
    };
    (gross, ros)
}

/// The costs entered for the month of `period` (the latest-listed record when several).
pub fn month_costs<'a>(facts: &'a ServiceFacts<'a>, period: Period) -> Option<&'a CostFact> {
    let first = period.first_day();
    facts.costs.iter().rev().find(|c| {
        Period::month(c.year, c.month)
            .is_some_and(|m| m.first_day() == Period::month_of(first).first_day())
    })
}

/// 吸收率 (the month of the period).
pub fn absorption_rate(facts: &ServiceFacts<'_>, period: Period) -> ServiceFigure {
    let (gross, ros) = service_gross_profit(facts, period);
    let costs = month_costs(facts, period);
    let fixed = costs.and_then(|c| c.fixed_costs_fen).filter(|f| *f > 0);
    match (costs, fixed) {
        (Some(c), Some(fixed)) => ServiceFigure::new(
            ServiceKpi::AbsorptionRate,
            ros,
            vec![c.id],
            gross,
            fixed,
            NoFigure::NoFixedCosts,
        ),
        _ => ServiceFigure::new(
            ServiceKpi::AbsorptionRate,
            ros,
            Vec::new(),
            gross,
            0,
            NoFigure::NoFixedCosts,
        ),
    }
}

/// 交车时间准确率.
pub fn delivery_time_accuracy(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
) -> ServiceFigure {
    let handed: Vec<&RoFact> = handed_over_in(facts, period, scope).collect();
    ServiceFigure::counted(
        ServiceKpi::DeliveryTimeAccuracy,
        handed
            .iter()
            .filter(|r| match (r.promised_at, r.handed_over_at) {
                (Some(p), Some(h)) => super::repair_order::on_time(p, h),
                _ => false,
            })
            .map(|r| r.id)
            .collect(),
        handed.iter().map(|r| r.id).collect(),
        NoFigure::NoHandovers,
    )
}

/// 服务有偿整备掌握度.
pub fn paid_service_retention(facts: &ServiceFacts<'_>, period: Period) -> ServiceFigure {
    let store = ServiceScope::Store;
    let mut paid: Vec<Uuid> = received_in(facts, period, &store)
        .filter(|r| !r.cancelled && r.customer_paid)
        .filter(|r| {
            facts
                .lines
                .iter()
                .any(|l| l.ro_id == r.id && !l.declined && l.amount_fen.is_some_and(|a| a > 0))
        })
        .map(|r| r.id)
        .collect();
    paid.extend(
        facts
            .past
            .iter()
            .filter(|p| {
                period.contains(p.date) && p.kind.paid() && p.amount_fen.is_some_and(|a| a > 0)
            })
            .map(|p| p.id),
    );
    let last = period.last_day();
    let sold: Vec<Uuid> = facts
        .customers
        .iter()
        .filter(|c| c.delivered_on.is_none_or(|d| d <= last))
        .map(|c| c.id)
        .collect();
    let (n, d) = (paid.len() as i64, sold.len() as i64 * 4);
    ServiceFigure::new(
        ServiceKpi::PaidServiceRetention,
        paid,
        sold,
        n,
        d,
        NoFigure::NoCarsSold,
    )
}

/// 固定客户率 (`fixed`) or 活跃客户率: customers and their visits in the year to the period's end.
fn customer_rate(facts: &ServiceFacts<'_>, period: Period, fixed: bool) -> ServiceFigure {
    let last = period.last_day();
    let from = last - TimeDelta::days(YEAR_DAYS - 1);
    // Vehicles of the C-cards, so a visit naming only the VIN finds its card.
    let mut card_of: BTreeMap<String, Uuid> = BTreeMap::new();
    for c in facts.customers {
        for key in [
            vehicle_key(c.vin.as_deref(), None),
            vehicle_key(None, c.plate.as_deref()),
        ]
        .into_iter()
        .flatten()
        {
            card_of.entry(key).or_insert(c.id);
        }
    }
    // A customer: its card's id, else the vehicle key (shown by its latest visit's id).
    #[derive(Default)]
    struct Seen {
        visits: BTreeSet<Uuid>,
        latest: Option<(NaiveDate, Uuid)>,
        card: Option<Uuid>,
    }
    let mut customers: BTreeMap<String, Seen> = BTreeMap::new();
    for c in facts
        .customers
        .iter()
        .filter(|c| c.delivered_on.is_none_or(|d| d <= last))
    {
        customers.entry(c.id.to_string()).or_default().card = Some(c.id);
    }
    let mut visit =
        |id: Uuid, date: NaiveDate, card: Option<Uuid>, vin: Option<&str>, plate: Option<&str>| {
            if date > last {
                return;
            }
            let card = card
                .or_else(|| vehicle_key(vin, None).and_then(|k| card_of.get(&k).copied()))
                .or_else(|| vehicle_key(None, plate).and_then(|k| card_of.get(&k).copied()));
            let Some(key) = card
                .map(|c| c.to_string())
                .or_else(|| vehicle_key(vin, plate))
            else {
                return;
            };
            let seen = customers.entry(key).or_default();
            if seen.card.is_none() {
                seen.card = card;
            }
            if date >= from {
                seen.visits.insert(id);
            }
            if seen.latest.is_none_or(|l| (date, id) > l) {
                seen.latest = Some((date, id));
            }
        };
    for r in facts.ros.iter().filter(|r| !r.cancelled) {
        if let Some(d) = r.received_on {
            visit(r.id, d, r.c_card_id, r.vin.as_deref(), r.plate.as_deref());
        }
    }
    for p in facts.past {
        visit(
            p.id,
            p.date,
            p.c_card_id,
            p.vehicle_vin.as_deref(),
            p.plate.as_deref(),
        );
    }
    let id_of = |s: &Seen| s.card.or(s.latest.map(|l| l.1));
    let all: Vec<&Seen> = customers.values().collect();
    let active: Vec<&Seen> = all
        .iter()
        .copied()
        .filter(|s| !s.visits.is_empty())
        .collect();
    if fixed {
        ServiceFigure::counted(
            ServiceKpi::FixedCustomerRate,
            active
                .iter()
                .filter(|s| s.visits.len() >= 2)
                .filter_map(|s| id_of(s))
                .collect(),
            active.iter().filter_map(|s| id_of(s)).collect(),
            NoFigure::NoActiveCustomers,
        )
    } else {
        ServiceFigure::counted(
            ServiceKpi::ActiveCustomerRate,
            active.iter().filter_map(|s| id_of(s)).collect(),
            all.iter().filter_map(|s| id_of(s)).collect(),
            NoFigure::NoCustomers,
        )
    }
}

/// Technician efficiency: sold ÷ clocked hours of the jobs clocked off in the period.
pub fn technician_efficiency(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
) -> ServiceFigure {
    let advisor_ros: Option<BTreeSet<Uuid>> = match scope {
        ServiceScope::Advisor(_) => Some(
            facts
                .ros
                .iter()
                .filter(|r| ro_in_scope(facts, r, scope))
                .map(|r| r.id)
                .collect(),
        ),
        _ => None,
    };
    let jobs: Vec<&LineFact> = facts
        .lines
        .iter()
        .filter(|l| {
            l.kind == LineKind::Labour
                && !l.declined
                && l.done_on.is_some_and(|d| period.contains(d))
                && l.clocked_minutes > 0
        })
        .filter(|l| match scope {
            ServiceScope::Store => true,
            ServiceScope::Technician(t) => same_person(l.technician.as_deref(), t),
            ServiceScope::Advisor(_) => advisor_ros.as_ref().is_some_and(|s| s.contains(&l.ro_id)),
        })
        .collect();
    let sold: i64 = jobs
        .iter()
        .map(|l| (l.sold_centihours.unwrap_or(0) * 60 + 50) / 100)
        .sum();
    let clocked: i64 = jobs.iter().map(|l| l.clocked_minutes).sum();
    let ids: Vec<Uuid> = jobs.iter().map(|l| l.id).collect();
    ServiceFigure::new(
        ServiceKpi::TechnicianEfficiency,
        ids.clone(),
        ids,
        sold,
        clocked,
        NoFigure::NoClockedHours,
    )
}

/// Advisor load: ROs received ÷ advisor-days.
pub fn advisor_load(
    facts: &ServiceFacts<'_>,
    period: Period,
    scope: &ServiceScope,
) -> ServiceFigure {
    let ros: Vec<&RoFact> = received_in(facts, period, scope).collect();
    let days: BTreeSet<(String, NaiveDate)> = ros
        .iter()
        .filter_map(|r| {
            Some((
                r.advisor.as_deref().map(str::trim).unwrap_or("").to_owned(),
                r.received_on?,
            ))
        })
        .collect();
    let ids: Vec<Uuid> = ros.iter().map(|r| r.id).collect();
    let n = ids.len() as i64;
    ServiceFigure::new(
        ServiceKpi::AdvisorLoad,
        ids,
        Vec::new(),
        n,
        days.len() as i64,
        NoFigure::NoAdvisorDays,
    )
}

/// The people of the per-person tables: the advisors of the ROs and the technicians of the
/// lines, sorted.
pub fn people(facts: &ServiceFacts<'_>) -> (Vec<String>, Vec<String>) {
    let advisors: BTreeSet<String> = facts
        .ros
        .iter()
        .filter_map(|r| r.advisor.as_deref().map(str::trim))
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let technicians: BTreeSet<String> = facts
        .lines
        .iter()
        .filter_map(|l| l.technician.as_deref().map(str::trim))
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    (
        advisors.into_iter().collect(),
        technicians.into_iter().collect(),
    )
}

/// The service facts of a set of records, owned; [`ServiceRecordFacts::facts`] lends them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRecordFacts {
    pub ros: Vec<RoFact>,
    pub lines: Vec<LineFact>,
    pub past: Vec<PastService>,
    pub customers: Vec<CustomerFact>,
    pub costs: Vec<CostFact>,
}

impl ServiceRecordFacts {
    pub fn facts(&self) -> ServiceFacts<'_> {
        ServiceFacts {
            ros: &self.ros,
            lines: &self.lines,
            past: &self.past,
            customers: &self.customers,
            costs: &self.costs,
        }
    }
}

/// The service KPI facts of synced records (`repair_order`, `ro_line`, `c_card`, `store_costs`,
/// and `service_history` once it exists); other types and records in the bin are left out.
///
/// - RO: received on the date of `received_at` (else its first write's day); by appointment when
///   `arrival` is `appointment` or it has an `appointment_id`; cancelled when its status is;
///   handed over at `handed_over_at` when its status is `handed_over`; a comeback when
///   `comeback_of` is set. Every RO counts as customer-paid (the RO has no payer yet).
/// - Line: its amount at the store's hourly rate ([`line_amount_fen`]); declined per
///   [`line_state`]; the job clocked off on the day its last interval ended.
/// - C-card: delivered on `delivery_date`.
/// - `store_costs`: [`crate::records::costs`] fields.
/// - `service_history`: the shared scalar fields (`date`, `kind`, `amount` in yuan, ...).
pub fn service_facts_from_records(
    records: &[&RecordState],
    clock: StoreClock,
    hourly_rate_fen: i64,
) -> ServiceRecordFacts {
    let mut out = ServiceRecordFacts::default();
    for r in records {
        if r.is_deleted() || r.is_empty() {
            continue;
        }
        match r.record_type.as_str() {
            "repair_order" => {
                let ro = RepairOrder::of(r, clock);
                let received_on = ro
                    .received_at
                    .map(|t| t.date())
                    .or_else(|| r.created.and_then(|h| clock.day_of_hlc(h)));
                out.ros.push(RoFact {
                    id: ro.id,
                    advisor: ro.advisor_id.clone(),
                    c_card_id: ro.c_card_id,
                    vin: ro.vin.clone(),
                    plate: ro.plate.clone(),
                    by_appointment: ro.arrival == Some(Arrival::Appointment)
                        || ro.appointment_id.is_some(),
                    received_on,
                    promised_at: ro.promised_at,
                    handed_over_at: (ro.status == RoStatus::HandedOver)
                        .then_some(ro.handed_over_at)
                        .flatten(),
                    cancelled: ro.status == RoStatus::Cancelled,
                    comeback: ro.comeback_of.is_some(),
                    customer_paid: true,
                });
            }
            "ro_line" => {
                let l = RoLine::of(r, clock);
                let Some(ro_id) = l.ro_id else { continue };
                let done_on = if l.job.done {
                    l.job
                        .intervals
                        .last()
                        .and_then(|(_, end)| end.map(|e| e.date()))
                } else {
                    None
                };
                let clocked: i64 = l
                    .job
                    .intervals
                    .iter()
                    .filter_map(|(a, b)| b.map(|b| (b - *a).num_minutes().max(0)))
                    .sum();
                out.lines.push(LineFact {
                    id: l.id,
                    ro_id,
                    kind: l.kind,
                    amount_fen: line_amount_fen(
                        l.kind,
                        l.std_centihours,
                        l.qty,
                        l.unit_price_fen,
                        hourly_rate_fen,
                    ),
                    declined: line_state(l.origin, l.decision.as_ref()) == LineState::Declined,
                    technician: l.technician_id.clone(),
                    sold_centihours: l.std_centihours,
                    clocked_minutes: clocked,
                    done_on,
                });
            }
            "c_card" => out.customers.push(CustomerFact::of(r, clock)),
            "store_costs" => {
                if let Some(c) = crate::records::costs::StoreCosts::of(r) {
                    out.costs.push(CostFact {
                        id: r.id,
                        year: c.year,
                        month: c.month,
                        fixed_costs_fen: c.fixed_costs_fen,
                        parts_cost_fen: c.parts_cost_fen,
                    });
                }
            }
            "service_history" => {
                let (Some(date), Some(kind)) = (
                    field::date(r, "date", clock),
                    field::text(r, "kind").and_then(PastServiceKind::parse),
                ) else {
                    continue;
                };
                out.past.push(PastService {
                    id: r.id,
                    c_card_id: field::uuid(r, "c_card_id"),
                    vehicle_vin: field::string(r, "vin"),
                    plate: field::string(r, "plate"),
                    date,
                    odometer_km: field::integer(r, "odometer"),
                    kind,
                    amount_fen: field::text(r, "amount").and_then(super::desk::parse_yuan),
                    advisor: field::string(r, "advisor"),
                });
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
