//! The care schedule generator: every row of the care schedule (`shared/domain.md`, seed 004)
//! from the C-cards, the past services and the store's settings, as of a day.
//!
//! Pure and deterministic: the same inputs give the same rows, each with an id derived from
//! (C-card, kind, due period) ([`super::task_id`]); a device writes only the rows it does not
//! hold yet ([`new_tasks_plan`]), so two devices generating offline write one task and
//! regenerating never duplicates.
//!
//! | kind | period (in the id) | shows from | due by |
//! |---|---|---|---|
//! | CS call after delivery | delivery day | +1 day | +7 days |
//! | CS call after a service | service day | +1 day | +7 days |
//! | first-maintenance reminder | delivery day | +2 months | +3 months |
//! | maintenance reminder | last maintenance day | next due − 7 days | + 2 days |
//! | warranty end | warranty end | − 1 month | + 2 days |
//! | 续保 first contact / follow-ups | insurance expiry T | T−45 / T−33 / T−30 | + 2 days |
//! | annual inspection | inspection day | − 30 days | + 2 days |
//! | birthday | the year's birthday | the day | opening + 2 h |
//! | lost customer | the month's first day | the 1st | the month's last day |
//!
//! "+ 2 days": three days to call, the window of the unreachable rule ([`super::calls`]).
//! The next maintenance is due by date (the last maintenance + the model's interval) or, when
//! the customer's last two odometer readings give a km/day, by mileage, whichever comes first
//! ([`maintenance_due`]). The annual rows (insurance, inspection, birthday) are made for each
//! anniversary of the stored date. Only rows that show within [`CareSettings::horizon_days`]
//! and are not due more than [`LOOKBACK_DAYS`] ago are made.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeDelta};
use uuid::Uuid;

use super::settings::{CareSettings, Interval, LOOKBACK_DAYS};
use super::{CareKind, task_id};
use crate::plan::{Plan, PlannedWrite};
use crate::records::service::{HistoryKind, ServiceHistory};
use crate::records::{CARE_TASK, CCard};
use crate::roles::Role;
use crate::time::{stored_date, stored_time};

/// What a past service was (the `kind` of an imported `service_history` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    FirstMaintenance,
    Maintenance,
    Repair,
    Warranty,
    Other,
}

impl ServiceKind {
    /// Reads a `service_history` kind; anything unknown is [`ServiceKind::Other`].
    pub fn parse(s: &str) -> ServiceKind {
        match s.trim() {
            "first_maintenance" => ServiceKind::FirstMaintenance,
            "maintenance" => ServiceKind::Maintenance,
            "repair" => ServiceKind::Repair,
            "warranty" => ServiceKind::Warranty,
            _ => ServiceKind::Other,
        }
    }

    /// The kind of a repair order's visit, read from its complaint (the service lane records
    /// no kind of visit): 首保 → first maintenance; `maintenance` (the demo's category) or 保养
    /// → maintenance; anything else (or none) a repair.
    pub fn of_complaint(complaint: Option<&str>) -> ServiceKind {
        let c = complaint.unwrap_or_default().trim();
        if c.contains("首保") || c == "first_maintenance" {
            ServiceKind::FirstMaintenance
        } else if c == "maintenance" || c.contains("保养") {
            ServiceKind::Maintenance
        } else {
            ServiceKind::Repair
        }
    }

    /// A maintenance visit (first or regular): what the next maintenance counts from.
    pub fn is_maintenance(self) -> bool {
        matches!(
            self,
            ServiceKind::FirstMaintenance | ServiceKind::Maintenance
        )
    }
}

/// A past service of a vehicle, built by the caller from handed-over repair orders and
/// imported `service_history` records.
#[derive(Debug, Clone, PartialEq)]
pub struct PastService {
    /// The customer's C-card, when known.
    pub c_card_id: Option<Uuid>,
    /// The vehicle (matched to a C-card's `vin` when the C-card is not named).
    pub vehicle_vin: Option<String>,
    pub date: NaiveDate,
    pub odometer_km: Option<u32>,
    pub kind: ServiceKind,
}

impl From<HistoryKind> for ServiceKind {
    fn from(k: HistoryKind) -> ServiceKind {
        match k {
            HistoryKind::FirstMaintenance => ServiceKind::FirstMaintenance,
            HistoryKind::Maintenance => ServiceKind::Maintenance,
            HistoryKind::Repair => ServiceKind::Repair,
            HistoryKind::Warranty => ServiceKind::Warranty,
            HistoryKind::Other => ServiceKind::Other,
        }
    }
}

impl PastService {
    /// A past service imported from the old DMS (`service_history`); `None` without a date
    /// (the import refuses such rows, but a record is read as it is).
    pub fn of_history(h: &ServiceHistory) -> Option<PastService> {
        Some(PastService {
            c_card_id: h.c_card_id,
            vehicle_vin: h.vin.clone(),
            date: h.date?,
            odometer_km: h.odometer_km.and_then(|k| u32::try_from(k).ok()),
            kind: h.kind.into(),
        })
    }
}

/// One row of the care schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledTask {
    /// Derived from (C-card, kind, period).
    pub id: Uuid,
    pub kind: CareKind,
    pub c_card_id: Uuid,
    pub customer_name: Option<String>,
    pub phone: Option<String>,
    /// The date the row is counted from (part of the id).
    pub period: NaiveDate,
    /// The day it shows in the lists.
    pub starts_on: NaiveDate,
    /// When it must be done by.
    pub due_at: NaiveDateTime,
    pub role: Role,
}

fn plus_days(d: NaiveDate, n: u64) -> Option<NaiveDate> {
    d.checked_add_days(Days::new(n))
}

fn minus_days(d: NaiveDate, n: u64) -> Option<NaiveDate> {
    d.checked_sub_days(Days::new(n))
}

/// The anniversary of `date` in `year` (29 February → 28 February in other years).
fn anniversary(date: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), date.day().saturating_sub(1)))
}

fn vin_matches(card: &CCard, s: &PastService) -> bool {
    if s.c_card_id.is_some() {
        return s.c_card_id == Some(card.id);
    }
    match (&card.vin, &s.vehicle_vin) {
        (Some(a), Some(b)) => {
            let (a, b) = (a.trim(), b.trim());
            !a.is_empty() && a.eq_ignore_ascii_case(b)
        }
        _ => false,
    }
}

/// The customer's km per day from their last two odometer readings (different days, the
/// later one higher); `None` with fewer than two.
pub fn km_per_day(services: &[&PastService]) -> Option<f64> {
    let mut readings: Vec<(NaiveDate, u32)> = services
        .iter()
        .filter_map(|s| s.odometer_km.map(|km| (s.date, km)))
        .collect();
    readings.sort();
    // One reading per day (the highest).
    readings.reverse();
    readings.dedup_by_key(|r| r.0);
    let (later, earlier) = (readings.first()?, readings.get(1)?);
    let days = (later.0 - earlier.0).num_days();
    if days <= 0 || later.1 <= earlier.1 {
        return None;
    }
    Some(f64::from(later.1 - earlier.1) / days as f64)
}

/// When the next maintenance after `base` (the last maintenance) is due: `base` + the
/// interval's days, or earlier when the customer's km/day (from their last two odometer
/// readings) reaches the base odometer + the interval's km sooner.
pub fn maintenance_due(
    base: &PastService,
    services: &[&PastService],
    interval: Interval,
) -> Option<NaiveDate> {
    let by_date = plus_days(base.date, u64::from(interval.days))?;
    let by_km = (|| {
        let rate = km_per_day(services)?;
        let base_km = base.odometer_km?;
        let target = u64::from(base_km) + u64::from(interval.km);
        let (last_day, last_km) = services
            .iter()
            .filter_map(|s| s.odometer_km.map(|km| (s.date, km)))
            .max()?;
        let left = target.saturating_sub(u64::from(last_km)) as f64;
        let days = (left / rate).ceil();
        if !days.is_finite() || days > 100_000.0 {
            return None;
        }
        plus_days(last_day, days as u64)
    })();
    Some(by_km.map_or(by_date, |k| k.min(by_date)))
}

struct Rows<'a> {
    card: &'a CCard,
    settings: &'a CareSettings,
    from: NaiveDate,
    to: NaiveDate,
    out: Vec<ScheduledTask>,
}

impl Rows<'_> {
    fn push(
        &mut self,
        kind: CareKind,
        period: NaiveDate,
        starts: Option<NaiveDate>,
        due: Option<NaiveDateTime>,
    ) {
        let (Some(starts_on), Some(due_at)) = (starts, due) else {
            return;
        };
        if starts_on > self.to || due_at.date() < self.from {
            return;
        }
        self.out.push(ScheduledTask {
            id: task_id(self.card.id, kind, period),
            kind,
            c_card_id: self.card.id,
            customer_name: self.card.name.clone(),
            phone: self.card.phone.clone(),
            period,
            starts_on,
            due_at,
            role: kind.role(),
        });
    }

    fn closing(&self, d: Option<NaiveDate>) -> Option<NaiveDateTime> {
        d.map(|d| d.and_time(self.settings.closing))
    }

    /// A reminder: shows on `starts`, three days to call.
    fn reminder(&mut self, kind: CareKind, period: NaiveDate, starts: Option<NaiveDate>) {
        let due = self.closing(starts.and_then(|s| plus_days(s, 2)));
        self.push(kind, period, starts, due);
    }
}

/// Every row of the care schedule for `c_cards`, as of `today`.
pub fn generate(
    c_cards: &[CCard],
    services: &[PastService],
    settings: &CareSettings,
    today: NaiveDate,
) -> Vec<ScheduledTask> {
    let mut out = Vec::new();
    let (Some(from), Some(to)) = (
        minus_days(today, u64::from(LOOKBACK_DAYS)),
        plus_days(today, u64::from(settings.horizon_days)),
    ) else {
        return out;
    };
    for card in c_cards {
        let mut theirs: Vec<&PastService> =
            services.iter().filter(|s| vin_matches(card, s)).collect();
        theirs.sort_by_key(|s| s.date);
        let mut rows = Rows {
            card,
            settings,
            from,
            to,
            out: Vec::new(),
        };
        card_rows(&mut rows, &theirs, today);
        out.append(&mut rows.out);
    }
    out.sort_by_key(|t| (t.starts_on, t.due_at, t.id));
    out.dedup_by_key(|t| t.id);
    out
}

fn card_rows(rows: &mut Rows<'_>, services: &[&PastService], today: NaiveDate) {
    let card = rows.card;
    let settings = rows.settings;
    if let Some(delivery) = card.delivery_date {
        // The customer-service call within a week of delivery.
        let due = rows.closing(plus_days(delivery, 7));
        rows.push(
            CareKind::DeliveryFollowUp,
            delivery,
            plus_days(delivery, 1),
            due,
        );
        // The first-maintenance reminder, 2–3 months after delivery, unless they came already.
        let starts = delivery.checked_add_months(Months::new(2));
        let came = services.iter().any(|s| {
            s.kind.is_maintenance() && s.date >= delivery && starts.is_some_and(|st| s.date < st)
        });
        if !came {
            let due = rows.closing(delivery.checked_add_months(Months::new(3)));
            rows.push(CareKind::FirstMaintenance, delivery, starts, due);
        }
    }
    // The customer-service call within a week of each service.
    for s in services {
        let due = rows.closing(plus_days(s.date, 7));
        rows.push(CareKind::ServiceFollowUp, s.date, plus_days(s.date, 1), due);
    }
    // The next maintenance, one week before it is due.
    if let Some(base) = services.iter().rev().find(|s| s.kind.is_maintenance()) {
        let interval = settings.interval_of(card.model.as_deref());
        if let Some(due) = maintenance_due(base, services, interval) {
            rows.reminder(CareKind::Maintenance, base.date, minus_days(due, 7));
        }
    }
    if let Some(end) = card.warranty_end {
        rows.reminder(
            CareKind::WarrantyEnd,
            end,
            end.checked_sub_months(Months::new(1)),
        );
    }
    let years = [today.year() - 1, today.year(), today.year() + 1];
    if let Some(expiry) = card.insurance_expiry {
        for t in years.iter().filter_map(|y| anniversary(expiry, *y)) {
            if t < expiry {
                continue;
            }
            for (kind, before) in [
                (CareKind::InsuranceFirst, 45),
                (CareKind::InsuranceFollowUp33, 33),
                (CareKind::InsuranceFollowUp30, 30),
            ] {
                rows.reminder(kind, t, minus_days(t, before));
            }
        }
    }
    if let Some(inspection) = card.inspection_date {
        for t in years.iter().filter_map(|y| anniversary(inspection, *y)) {
            if t >= inspection {
                rows.reminder(CareKind::Inspection, t, minus_days(t, 30));
            }
        }
    }
    if let Some(birthday) = card.birthday {
        for b in years.iter().filter_map(|y| anniversary(birthday, *y)) {
            let due = b.and_time(settings.opening) + TimeDelta::hours(2);
            rows.push(CareKind::Birthday, b, Some(b), Some(due));
        }
    }
    // Lost customers: no visit for 90–360 days as of the month's first day.
    let this_month = today.with_day(1);
    let next_month = this_month.and_then(|m| m.checked_add_months(Months::new(1)));
    for first in [this_month, next_month].into_iter().flatten() {
        let last_visit = services
            .iter()
            .map(|s| s.date)
            .filter(|d| *d < first)
            .chain(card.delivery_date.filter(|d| *d < first))
            .max();
        let Some(last) = last_visit else { continue };
        let days = (first - last).num_days();
        if (90..=360).contains(&days) {
            let end = first
                .checked_add_months(Months::new(1))
                .and_then(|n| n.pred_opt());
            let due = rows.closing(end);
            rows.push(CareKind::LostCustomer, first, Some(first), due);
        }
    }
}

/// The writes that store the rows not stored yet (`stored`: the ids of the care tasks this
/// device holds), each assigned by `assignee` (the CS manager's rule, [`super::assign`]).
pub fn new_tasks_plan(
    rows: &[ScheduledTask],
    stored: &BTreeSet<Uuid>,
    assignee: impl Fn(&ScheduledTask) -> Option<Uuid>,
) -> Plan {
    let mut plan = Plan::new();
    for row in rows.iter().filter(|r| !stored.contains(&r.id)) {
        plan.push(task_write(row, assignee(row)));
    }
    plan
}

/// The write that stores one row as a `care_task`.
pub fn task_write(row: &ScheduledTask, assignee: Option<Uuid>) -> PlannedWrite {
    let mut w = PlannedWrite::new(row.id, &CARE_TASK)
        .set("kind", row.kind.as_str())
        .set("c_card_id", row.c_card_id.to_string())
        .set("starts_on", stored_date(row.starts_on))
        .set("due_at", stored_time(row.due_at))
        .set("role", row.role.as_str());
    if let Some(n) = &row.customer_name {
        w = w.set("customer_name", n.as_str());
    }
    if let Some(p) = &row.phone {
        w = w.set("phone", p.as_str());
    }
    if let Some(a) = assignee {
        w = w.set("assignee_id", a.to_string());
    }
    w
}

#[cfg(test)]
mod tests;
