//! The two parts KPIs of shared/domain.md (issue 16), counted from the records, with the ids
//! they count for drill-down, for one [`Period`] (a local day or a month), for the store or one
//! service advisor:
//!
//! - **Parts fill rate** (零件供应率) = part lines issued from stock at first request ÷ part
//!   lines requested.
//! - **Repair-order fill rate** (工单供应率) = repair orders whose every part line was issued
//!   from stock at first request ÷ repair orders needing parts.
//!
//! ## What counts
//! - A part line is **requested** when it is a `part` line the customer approved, on a repair
//!   order received in the period and not cancelled. Its date is the RO's reception date.
//! - It was **issued from stock at first request** when the first issue (出库) to it covered its
//!   whole quantity, that issue did not take the part's level below zero (the part was on the
//!   shelf, not issued on credit of a delivery still to come), and no emergency order (紧急订货)
//!   names the line. A line not issued at all is not filled.
//! - A repair order **needs parts** when it has a requested part line.
//!
//! An empty denominator gives no figure (`—`) with its reason, never 0 % and never NaN.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use uuid::Uuid;

use super::orders::EmergencyOrder;
use super::stock::{MoveKind, StockMove};
use crate::records::service::{RepairOrder, RoLine};
use crate::sales::kpi::Period;
use crate::service::repair_order::{LineKind, RoStatus};

/// The parts KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartsKpi {
    /// 零件供应率
    PartsFillRate,
    /// 工单供应率
    RoFillRate,
}

impl PartsKpi {
    pub fn as_str(self) -> &'static str {
        match self {
            PartsKpi::PartsFillRate => "parts_fill_rate",
            PartsKpi::RoFillRate => "ro_fill_rate",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PartsKpi::PartsFillRate => "零件供应率",
            PartsKpi::RoFillRate => "工单供应率",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PartsKpi::PartsFillRate => "Parts fill rate",
            PartsKpi::RoFillRate => "Repair-order fill rate",
        }
    }

    /// Why there is no figure when the denominator is empty.
    pub fn no_figure_zh(self) -> &'static str {
        match self {
            PartsKpi::PartsFillRate => "本期没有领料的零件项目",
            PartsKpi::RoFillRate => "本期没有需要零件的工单",
        }
    }

    pub fn no_figure_en(self) -> &'static str {
        match self {
            PartsKpi::PartsFillRate => "No part lines were requested in this period",
            PartsKpi::RoFillRate => "No repair orders needed parts in this period",
        }
    }
}

/// One parts KPI figure with the records it counted.
#[derive(Debug, Clone, PartialEq)]
pub struct PartsFigure {
    pub kpi: PartsKpi,
    /// Ids in the numerator, sorted (RO line ids, or repair-order ids for the RO fill rate).
    pub numerator: Vec<Uuid>,
    /// Ids in the denominator, sorted.
    pub denominator: Vec<Uuid>,
    /// numerator ÷ denominator × 100; `None` when the denominator is empty.
    pub value: Option<f64>,
}

impl PartsFigure {
    fn new(kpi: PartsKpi, mut numerator: Vec<Uuid>, mut denominator: Vec<Uuid>) -> PartsFigure {
        numerator.sort();
        numerator.dedup();
        denominator.sort();
        denominator.dedup();
        let value = (!denominator.is_empty())
            .then(|| numerator.len() as f64 * 100.0 / denominator.len() as f64);
        PartsFigure {
            kpi,
            numerator,
            denominator,
            value,
        }
    }

    /// `83.3%`, or `—` for no figure.
    pub fn display(&self) -> String {
        match self.value {
            Some(v) => format!("{v:.1}%"),
            None => "—".into(),
        }
    }

    /// The reason there is no figure (`None` when there is one), in Chinese or English.
    pub fn no_figure_reason(&self, zh: bool) -> Option<&'static str> {
        match (self.value, zh) {
            (Some(_), _) => None,
            (None, true) => Some(self.kpi.no_figure_zh()),
            (None, false) => Some(self.kpi.no_figure_en()),
        }
    }
}

/// A requested part line, as a fact for the KPIs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartLineFact {
    pub line_id: Uuid,
    pub ro_id: Uuid,
    /// The RO's reception date (store time).
    pub requested_on: NaiveDate,
    /// The RO's advisor (user id).
    pub advisor: Option<String>,
    /// Issued from stock at first request (module docs).
    pub filled_from_stock: bool,
}

/// The first issue to each line over every part's moves (each list in log order): its quantity
/// and whether the level stayed at zero or above.
fn first_issues(moves_by_part: &[Vec<StockMove>]) -> BTreeMap<Uuid, (i64, bool)> {
    let mut first = BTreeMap::new();
    for moves in moves_by_part {
        let mut level = 0i64;
        for m in moves {
            level += m.delta();
            if m.kind == MoveKind::Issue
                && let Some(line) = m.ro_line_id
            {
                first.entry(line).or_insert((m.qty, level >= 0));
            }
        }
    }
    first
}

/// The facts of the requested part lines, from the repair orders, their lines, every part's
/// moves (one list per part, in log order) and the emergency orders.
pub fn line_facts(
    ros: &[RepairOrder],
    lines: &[RoLine],
    moves_by_part: &[Vec<StockMove>],
    orders: &[EmergencyOrder],
) -> Vec<PartLineFact> {
    let first = first_issues(moves_by_part);
    let ordered: BTreeSet<Uuid> = orders
        .iter()
        .filter(|o| o.status != super::orders::OrderStatus::Cancelled)
        .filter_map(|o| o.ro_line_id)
        .collect();
    let ro_of: BTreeMap<Uuid, &RepairOrder> = ros.iter().map(|r| (r.id, r)).collect();
    lines
        .iter()
        .filter(|l| l.kind == LineKind::Part && l.decision.as_ref().is_some_and(|d| d.approved))
        .filter_map(|l| {
            let ro = ro_of.get(&l.ro_id?)?;
            if ro.status == RoStatus::Cancelled {
                return None;
            }
            let requested_on = ro.received_at?.date();
            let wanted = l.qty.unwrap_or(1).max(1);
            let filled_from_stock = !ordered.contains(&l.id)
                && first
                    .get(&l.id)
                    .is_some_and(|(qty, in_stock)| *in_stock && *qty >= wanted);
            Some(PartLineFact {
                line_id: l.id,
                ro_id: ro.id,
                requested_on,
                advisor: ro.advisor_id.clone(),
                filled_from_stock,
            })
        })
        .collect()
}

fn in_scope<'a>(
    lines: &'a [PartLineFact],
    period: Period,
    advisor: Option<&'a str>,
) -> impl Iterator<Item = &'a PartLineFact> + 'a {
    lines.iter().filter(move |l| {
        period.contains(l.requested_on) && advisor.is_none_or(|a| l.advisor.as_deref() == Some(a))
    })
}

/// 零件供应率: lines issued from stock at first request ÷ lines requested (ids: RO lines).
pub fn parts_fill_rate(
    lines: &[PartLineFact],
    period: Period,
    advisor: Option<&str>,
) -> PartsFigure {
    let (mut num, mut den) = (Vec::new(), Vec::new());
    for l in in_scope(lines, period, advisor) {
        den.push(l.line_id);
        if l.filled_from_stock {
            num.push(l.line_id);
        }
    }
    PartsFigure::new(PartsKpi::PartsFillRate, num, den)
}

/// 工单供应率: ROs whose every part line was issued from stock at first request ÷ ROs needing
/// parts (ids: repair orders).
pub fn ro_fill_rate(lines: &[PartLineFact], period: Period, advisor: Option<&str>) -> PartsFigure {
    let mut all_filled: BTreeMap<Uuid, bool> = BTreeMap::new();
    for l in in_scope(lines, period, advisor) {
        let e = all_filled.entry(l.ro_id).or_insert(true);
        *e = *e && l.filled_from_stock;
    }
    let num = all_filled
        .iter()
        .filter(|(_, f)| **f)
        .map(|(id, _)| *id)
        .collect();
    PartsFigure::new(PartsKpi::RoFillRate, num, all_filled.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::repair_order::{Job, LineDecision, LineOrigin};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn fact(line: u128, ro: u128, d: u32, filled: bool) -> PartLineFact {
        PartLineFact {
            line_id: Uuid::from_u128(line),
            ro_id: Uuid::from_u128(ro),
            requested_on: day(d),
            advisor: Some(if ro.is_multiple_of(2) { "li" } else { "wang" }.into()),
            filled_from_stock: filled,
        }
    }

    fn march() -> Period {
        Period::month(2026, 3).unwrap()
    }

    #[test]
    fn fill_rates_count_lines_and_whole_orders() {
        let lines = [
            fact(1, 10, 2, true),
            fact(2, 10, 2, false),
            fact(3, 11, 3, true),
            fact(4, 12, 4, true),
            fact(5, 12, 4, true),
            // April: not in March.
            fact(6, 13, 1, false),
        ];
        let mut lines = lines.to_vec();
        lines[5].requested_on = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let f = parts_fill_rate(&lines, march(), None);
        assert_eq!(f.denominator.len(), 5);
        assert_eq!(f.numerator.len(), 4);
        assert_eq!(f.display(), "80.0%");
        let r = ro_fill_rate(&lines, march(), None);
        assert_eq!(
            r.denominator,
            vec![
                Uuid::from_u128(10),
                Uuid::from_u128(11),
                Uuid::from_u128(12)
            ]
        );
        assert_eq!(r.numerator, vec![Uuid::from_u128(11), Uuid::from_u128(12)]);
        assert_eq!(r.display(), "66.7%");
        // One advisor: RO 10 and 12 are li's.
        let li = ro_fill_rate(&lines, march(), Some("li"));
        assert_eq!(li.denominator.len(), 2);
        assert_eq!(li.numerator, vec![Uuid::from_u128(12)]);
        // One day.
        let d = parts_fill_rate(&lines, Period::day(day(2)), None);
        assert_eq!(d.display(), "50.0%");
    }

    #[test]
    fn no_denominator_gives_no_figure_with_a_reason() {
        let f = parts_fill_rate(&[], march(), None);
        assert_eq!((f.value, f.display().as_str()), (None, "—"));
        assert_eq!(f.no_figure_reason(true), Some("本期没有领料的零件项目"));
        let r = ro_fill_rate(&[fact(1, 10, 2, false)], march(), Some("nobody"));
        assert_eq!(r.value, None);
        assert!(r.no_figure_reason(false).is_some());
        let all_missed = ro_fill_rate(&[fact(1, 10, 2, false)], march(), None);
        assert_eq!(all_missed.display(), "0.0%");
        assert_eq!(all_missed.no_figure_reason(true), None);
    }

    fn ro(n: u128, status: RoStatus) -> RepairOrder {
        RepairOrder {
            id: Uuid::from_u128(n),
            c_card_id: None,
            appointment_id: None,
            customer_name: None,
            phone: None,
            plate: None,
            vin: None,
            advisor_id: Some("li".into()),
            arrival: None,
            received_at: day(3).and_hms_opt(9, 0, 0),
            odometer: None,
            fuel: None,
            customer_words: None,
            complaint: None,
            valuables: None,
            estimate_minutes: None,
            promised_at: None,
            handed_over_at: None,
            on_time: None,
            comeback_of: None,
            status_key: None,
            status,
            qc_checks: vec![],
            signatures: vec![],
        }
    }

    fn line(n: u128, ro: u128, kind: LineKind, qty: i64, approved: Option<bool>) -> RoLine {
        RoLine {
            id: Uuid::from_u128(n),
            ro_id: Some(Uuid::from_u128(ro)),
            kind,
            origin: LineOrigin::Estimate,
            code: None,
            description: None,
            std_centihours: None,
            qty: Some(qty),
            unit_price_fen: None,
            technician_id: None,
            billed: false,
            decision: approved.map(|approved| LineDecision {
                approved,
                proof: None,
                recorded_by: "li".into(),
            }),
            job: Job::default(),
            findings: vec![],
        }
    }

    fn mv(n: u128, kind: MoveKind, qty: i64, line: Option<u128>) -> StockMove {
        StockMove {
            entry_id: Uuid::from_u128(n),
            kind,
            qty,
            ro_line_id: line.map(Uuid::from_u128),
            ro_id: None,
            delivery: None,
            supplier: None,
            note: None,
            at: None,
            by: "c".into(),
        }
    }

    #[test]
    fn a_line_is_filled_from_stock_when_its_first_issue_covered_it_from_the_shelf() {
        let ros = [ro(10, RoStatus::InWork), ro(11, RoStatus::Cancelled)];
        let lines = [
            // Issued 2 of 2 from a shelf of 3: filled.
            line(1, 10, LineKind::Part, 2, Some(true)),
            // First issue 1 of 2: not filled.
            line(2, 10, LineKind::Part, 2, Some(true)),
            // Issued when the shelf was empty (level below zero): not filled.
            line(3, 10, LineKind::Part, 1, Some(true)),
            // Emergency-ordered: not filled.
            line(4, 10, LineKind::Part, 1, Some(true)),
            // Not requested: declined, undecided, labour, cancelled RO.
            line(5, 10, LineKind::Part, 1, Some(false)),
            line(6, 10, LineKind::Part, 1, None),
            line(7, 10, LineKind::Labour, 1, Some(true)),
            line(8, 11, LineKind::Part, 1, Some(true)),
        ];
        let part_a = vec![
            mv(100, MoveKind::Receipt, 3, None),
            mv(101, MoveKind::Issue, 2, Some(1)),
            mv(102, MoveKind::Issue, 1, Some(2)),
            mv(103, MoveKind::Issue, 1, Some(2)),
        ];
        let part_b = vec![
            mv(200, MoveKind::Issue, 1, Some(3)),
            mv(201, MoveKind::Receipt, 5, None),
            mv(202, MoveKind::Issue, 1, Some(4)),
        ];
        let order = EmergencyOrder {
            id: Uuid::from_u128(300),
            part_id: None,
            part_no: String::new(),
            name: "x".into(),
            qty: Some(1),
            supplier: "s".into(),
            promised_date: None,
            ro_id: Some(Uuid::from_u128(10)),
            ro_line_id: Some(Uuid::from_u128(4)),
            appointment_id: None,
            ordered_at: None,
            arrived_at: None,
            note: String::new(),
            status: super::super::orders::OrderStatus::Fitted,
        };
        let facts = line_facts(&ros, &lines, &[part_a, part_b], &[order]);
        let got: Vec<(u128, bool)> = facts
            .iter()
            .map(|f| (f.line_id.as_u128(), f.filled_from_stock))
            .collect();
        assert_eq!(got, vec![(1, true), (2, false), (3, false), (4, false)]);
        let f = parts_fill_rate(&facts, march(), None);
        assert_eq!(f.display(), "25.0%");
        assert_eq!(ro_fill_rate(&facts, march(), None).display(), "0.0%");
    }
}
