//! Emergency orders (紧急订货), Parts Hold (等待配件) and the wall of shame (到货未装).
//!
//! - A repair order is on **Parts Hold** while one of its emergency orders is still `ordered`
//!   (not arrived, not cancelled): the desk board and the customer's status page say 等待配件.
//! - An order that **arrived** and was neither fitted nor returned is on the wall of shame,
//!   oldest arrival first, with the days it has waited, so it is fitted or returned in time.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

use crate::records::field;
use crate::sync::RecordState;
use crate::time::StoreClock;

/// Where an emergency order stands (`records::parts::PARTS_ORDER_STATUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// 已订货
    Ordered,
    /// 已到货
    Arrived,
    /// 已装车
    Fitted,
    /// 已退货
    Returned,
    /// 已取消
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Ordered,
        OrderStatus::Arrived,
        OrderStatus::Fitted,
        OrderStatus::Returned,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Ordered => "ordered",
            OrderStatus::Arrived => "arrived",
            OrderStatus::Fitted => "fitted",
            OrderStatus::Returned => "returned",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrderStatus::Ordered => "已订货",
            OrderStatus::Arrived => "已到货",
            OrderStatus::Fitted => "已装车",
            OrderStatus::Returned => "已退货",
            OrderStatus::Cancelled => "已取消",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            OrderStatus::Ordered => "Ordered",
            OrderStatus::Arrived => "Arrived",
            OrderStatus::Fitted => "Fitted",
            OrderStatus::Returned => "Returned",
            OrderStatus::Cancelled => "Cancelled",
        }
    }
}

/// An emergency order (`parts_order`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyOrder {
    pub id: Uuid,
    pub part_id: Option<Uuid>,
    pub part_no: String,
    pub name: String,
    pub qty: Option<i64>,
    pub supplier: String,
    pub promised_date: Option<NaiveDate>,
    pub ro_id: Option<Uuid>,
    pub ro_line_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub ordered_at: Option<NaiveDateTime>,
    pub arrived_at: Option<NaiveDateTime>,
    pub note: String,
    /// `ordered` when never moved.
    pub status: OrderStatus,
}

impl EmergencyOrder {
    pub fn of(r: &RecordState, clock: StoreClock) -> EmergencyOrder {
        EmergencyOrder {
            id: r.id,
            part_id: field::uuid(r, "part_id"),
            part_no: field::shown(r, "part_no"),
            name: field::shown(r, "name"),
            qty: field::integer(r, "qty"),
            supplier: field::shown(r, "supplier"),
            promised_date: field::date(r, "promised_date", clock),
            ro_id: field::uuid(r, "ro_id"),
            ro_line_id: field::uuid(r, "ro_line_id"),
            appointment_id: field::uuid(r, "appointment_id"),
            ordered_at: field::time(r, "ordered_at", clock),
            arrived_at: field::time(r, "arrived_at", clock),
            note: field::shown(r, "note"),
            status: field::status(r, "status")
                .as_deref()
                .and_then(OrderStatus::parse)
                .unwrap_or(OrderStatus::Ordered),
        }
    }

    /// Still waited for: ordered, not arrived nor cancelled.
    pub fn open(&self) -> bool {
        self.status == OrderStatus::Ordered
    }

    /// Past its promised date and not arrived (shown late on the list).
    pub fn late(&self, today: NaiveDate) -> bool {
        self.open() && self.promised_date.is_some_and(|d| d < today)
    }
}

/// The repair orders on Parts Hold (等待配件): those with an open emergency order.
pub fn on_hold(orders: &[EmergencyOrder]) -> BTreeSet<Uuid> {
    orders
        .iter()
        .filter(|o| o.open())
        .filter_map(|o| o.ro_id)
        .collect()
}

/// Whether one repair order is on Parts Hold.
pub fn ro_on_hold(ro_id: Uuid, orders: &[EmergencyOrder]) -> bool {
    orders.iter().any(|o| o.open() && o.ro_id == Some(ro_id))
}

/// The customer-facing words of Parts Hold (the status page, the desk board).
pub const PARTS_HOLD_ZH: &str = "等待配件";
pub const PARTS_HOLD_EN: &str = "Waiting for parts";

/// One line of the wall of shame (到货未装).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfitted {
    pub order_id: Uuid,
    pub arrived_on: Option<NaiveDate>,
    /// Whole days since arrival (0 on the day; `None` when the arrival time is unknown).
    pub days_waiting: Option<i64>,
}

/// The orders that arrived and were neither fitted nor returned, oldest arrival first (an
/// unknown arrival time first of all: it is the oldest we cannot date).
pub fn wall_of_shame(orders: &[EmergencyOrder], today: NaiveDate) -> Vec<Unfitted> {
    let mut out: Vec<Unfitted> = orders
        .iter()
        .filter(|o| o.status == OrderStatus::Arrived)
        .map(|o| {
            let arrived_on = o.arrived_at.map(|t| t.date());
            Unfitted {
                order_id: o.id,
                arrived_on,
                days_waiting: arrived_on.map(|d| (today - d).num_days().max(0)),
            }
        })
        .collect();
    out.sort_by_key(|u| (u.arrived_on, u.order_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(n: u128, status: OrderStatus, ro: Option<u128>) -> EmergencyOrder {
        EmergencyOrder {
            id: Uuid::from_u128(n),
            part_id: None,
            part_no: "P".into(),
            name: "刹车片".into(),
            qty: Some(1),
            supplier: "广汽配件".into(),
            promised_date: NaiveDate::from_ymd_opt(2026, 3, 10),
            ro_id: ro.map(Uuid::from_u128),
            ro_line_id: None,
            appointment_id: None,
            ordered_at: None,
            arrived_at: None,
            note: String::new(),
            status,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn an_ro_waits_for_parts_while_an_order_is_open() {
        let orders = [
            order(1, OrderStatus::Ordered, Some(100)),
            order(2, OrderStatus::Arrived, Some(101)),
            order(3, OrderStatus::Cancelled, Some(102)),
            order(4, OrderStatus::Ordered, None),
        ];
        assert_eq!(on_hold(&orders), BTreeSet::from([Uuid::from_u128(100)]));
        assert!(ro_on_hold(Uuid::from_u128(100), &orders));
        assert!(!ro_on_hold(Uuid::from_u128(101), &orders));
        assert!(!ro_on_hold(Uuid::from_u128(102), &orders));
    }

    #[test]
    fn late_orders_are_past_their_promised_date() {
        let o = order(1, OrderStatus::Ordered, None);
        assert!(!o.late(day(10)));
        assert!(o.late(day(11)));
        assert!(!order(2, OrderStatus::Arrived, None).late(day(11)));
    }

    #[test]
    fn the_wall_of_shame_lists_arrived_unfitted_parts_oldest_first() {
        let at = |d: u32| day(d).and_hms_opt(10, 0, 0);
        let mut a = order(1, OrderStatus::Arrived, None);
        a.arrived_at = at(5);
        let mut b = order(2, OrderStatus::Arrived, None);
        b.arrived_at = at(2);
        let mut fitted = order(3, OrderStatus::Fitted, None);
        fitted.arrived_at = at(1);
        let mut returned = order(4, OrderStatus::Returned, None);
        returned.arrived_at = at(1);
        let wall = wall_of_shame(&[a, b, fitted, returned], day(9));
        assert_eq!(
            wall,
            vec![
                Unfitted {
                    order_id: Uuid::from_u128(2),
                    arrived_on: Some(day(2)),
                    days_waiting: Some(7)
                },
                Unfitted {
                    order_id: Uuid::from_u128(1),
                    arrived_on: Some(day(5)),
                    days_waiting: Some(4)
                },
            ]
        );
    }
}
