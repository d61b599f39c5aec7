//! Reservations (预留) and the day-before check of tomorrow's appointments.
//!
//! A reservation holds a quantity of a part for an appointment or a repair order until it is
//! issued (the issue moves it to `issued`) or released. Held quantities are not available to
//! other jobs ([`super::stock::stock`]).
//!
//! The day before, every appointment that needs parts (its `parts_needed` is written) is
//! checked ([`appointment_parts`]): ready when it has a held reservation and every part it
//! holds is there (the part's level covers everything held of it) and no emergency order of it
//! is still open; else missing, with the reason, and the advisor's board shows it.

use chrono::NaiveDate;
use uuid::Uuid;

use super::orders::EmergencyOrder;
use super::stock::{Held, Stock};
use crate::records::field;
use crate::sync::RecordState;
use crate::time::StoreClock;

/// Where a reservation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReservationStatus {
    Held,
    Issued,
    Released,
}

impl ReservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReservationStatus::Held => "held",
            ReservationStatus::Issued => "issued",
            ReservationStatus::Released => "released",
        }
    }

    pub fn parse(s: &str) -> Option<ReservationStatus> {
        [
            ReservationStatus::Held,
            ReservationStatus::Issued,
            ReservationStatus::Released,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A reservation (`part_reservation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: Uuid,
    pub part_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub ro_id: Option<Uuid>,
    pub qty: i64,
    pub for_date: Option<NaiveDate>,
    pub status: ReservationStatus,
}

impl Reservation {
    pub fn of(r: &RecordState, clock: StoreClock) -> Reservation {
        Reservation {
            id: r.id,
            part_id: field::uuid(r, "part_id"),
            appointment_id: field::uuid(r, "appointment_id"),
            ro_id: field::uuid(r, "ro_id"),
            qty: field::integer(r, "qty").unwrap_or(0),
            for_date: field::date(r, "for_date", clock),
            status: field::status(r, "status")
                .as_deref()
                .and_then(ReservationStatus::parse)
                .unwrap_or(ReservationStatus::Held),
        }
    }

    /// The reservation as the stock figures count it, when it is held (and names its part).
    pub fn held(&self) -> Option<Held> {
        (self.status == ReservationStatus::Held && self.qty > 0).then_some(Held {
            reservation_id: self.id,
            part_id: self.part_id?,
            qty: self.qty,
            appointment_id: self.appointment_id,
            ro_id: self.ro_id,
        })
    }
}

/// The held reservations of a list.
pub fn held(reservations: &[Reservation]) -> Vec<Held> {
    reservations.iter().filter_map(Reservation::held).collect()
}

/// An appointment as the day-before check reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsParts {
    pub appointment_id: Uuid,
    /// The parts needed as the advisor wrote them at booking (blank: needs none).
    pub parts_needed: String,
}

/// Why an appointment's parts are not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// Nothing is reserved for it yet.
    NotReserved,
    /// A reserved part is short: the level does not cover what is held of it.
    Short { part_id: Uuid, short_by: i64 },
    /// An emergency order for it is still open.
    Ordered { order_id: Uuid },
}

impl Missing {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Missing::NotReserved => "未预留",
            Missing::Short { .. } => "缺件",
            Missing::Ordered { .. } => "已紧急订货",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Missing::NotReserved => "Not reserved",
            Missing::Short { .. } => "Short",
            Missing::Ordered { .. } => "On emergency order",
        }
    }
}

/// An appointment's parts the day before: ready (`missing` empty) or not, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentParts {
    pub appointment_id: Uuid,
    /// Held reservations for it.
    pub reserved: Vec<Uuid>,
    pub missing: Vec<Missing>,
}

impl AppointmentParts {
    pub fn ready(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The check of each appointment that needs parts (blank `parts_needed` is left out), from the
/// store's reservations, the stock of the parts they hold and the emergency orders.
pub fn appointment_parts(
    appointments: &[NeedsParts],
    reservations: &[Reservation],
    stock: &[Stock],
    orders: &[EmergencyOrder],
) -> Vec<AppointmentParts> {
    appointments
        .iter()
        .filter(|a| !a.parts_needed.trim().is_empty())
        .map(|a| {
            let mine: Vec<&Reservation> = reservations
                .iter()
                .filter(|r| {
                    r.appointment_id == Some(a.appointment_id)
                        && r.status == ReservationStatus::Held
                })
                .collect();
            let mut missing = Vec::new();
            if mine.is_empty() {
                missing.push(Missing::NotReserved);
            }
            for r in &mine {
                let Some(part_id) = r.part_id else { continue };
                let short = stock
                    .iter()
                    .find(|s| s.part_id == part_id)
                    .map_or(r.qty, |s| -s.available.min(0));
                if short > 0
                    && !missing
                        .iter()
                        .any(|m| matches!(m, Missing::Short { part_id: p, .. } if *p == part_id))
                {
                    missing.push(Missing::Short {
                        part_id,
                        short_by: short,
                    });
                }
            }
            for o in orders {
                if o.open() && o.appointment_id == Some(a.appointment_id) {
                    missing.push(Missing::Ordered { order_id: o.id });
                }
            }
            AppointmentParts {
                appointment_id: a.appointment_id,
                reserved: mine.iter().map(|r| r.id).collect(),
                missing,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parts::orders::OrderStatus;

    fn res(n: u128, part: u128, appt: u128, qty: i64) -> Reservation {
        Reservation {
            id: Uuid::from_u128(n),
            part_id: Some(Uuid::from_u128(part)),
            appointment_id: Some(Uuid::from_u128(appt)),
            ro_id: None,
            qty,
            for_date: None,
            status: ReservationStatus::Held,
        }
    }

    fn need(appt: u128, parts: &str) -> NeedsParts {
        NeedsParts {
            appointment_id: Uuid::from_u128(appt),
            parts_needed: parts.into(),
        }
    }

    fn stock_of(part: u128, on_hand: i64, reserved: i64) -> Stock {
        Stock {
            part_id: Uuid::from_u128(part),
            on_hand,
            reserved,
            available: on_hand - reserved,
            causes: vec![],
        }
    }

    #[test]
    fn an_appointment_with_its_parts_reserved_and_there_is_ready() {
        let out = appointment_parts(
            &[need(1, "机油滤芯"), need(2, " ")],
            &[res(10, 7, 1, 1)],
            &[stock_of(7, 3, 1)],
            &[],
        );
        assert_eq!(out.len(), 1, "an appointment needing no parts is left out");
        assert!(out[0].ready());
        assert_eq!(out[0].reserved, vec![Uuid::from_u128(10)]);
    }

    #[test]
    fn missing_parts_show_why() {
        let mut released = res(11, 7, 2, 1);
        released.status = ReservationStatus::Released;
        let out = appointment_parts(
            &[need(1, "刹车片"), need(2, "机油")],
            &[res(10, 7, 1, 4), released],
            &[stock_of(7, 2, 4)],
            &[],
        );
        assert_eq!(
            out[0].missing,
            vec![Missing::Short {
                part_id: Uuid::from_u128(7),
                short_by: 2
            }]
        );
        assert_eq!(out[1].missing, vec![Missing::NotReserved]);
        // A reserved part with no stock figures at all is short by what is held.
        let out = appointment_parts(&[need(1, "x")], &[res(10, 8, 1, 2)], &[], &[]);
        assert_eq!(
            out[0].missing,
            vec![Missing::Short {
                part_id: Uuid::from_u128(8),
                short_by: 2
            }]
        );
    }

    #[test]
    fn an_open_emergency_order_means_not_ready() {
        let o = EmergencyOrder {
            id: Uuid::from_u128(30),
            part_id: None,
            part_no: String::new(),
            name: "后视镜".into(),
            qty: Some(1),
            supplier: "s".into(),
            promised_date: None,
            ro_id: None,
            ro_line_id: None,
            appointment_id: Some(Uuid::from_u128(1)),
            ordered_at: None,
            arrived_at: None,
            note: String::new(),
            status: OrderStatus::Ordered,
        };
        let out = appointment_parts(
            &[need(1, "后视镜")],
            &[res(10, 7, 1, 1)],
            &[stock_of(7, 1, 1)],
            std::slice::from_ref(&o),
        );
        assert_eq!(
            out[0].missing,
            vec![Missing::Ordered {
                order_id: Uuid::from_u128(30)
            }]
        );
        let mut arrived = o;
        arrived.status = OrderStatus::Arrived;
        let out = appointment_parts(
            &[need(1, "后视镜")],
            &[res(10, 7, 1, 1)],
            &[stock_of(7, 1, 1)],
            &[arrived],
        );
        assert!(out[0].ready());
    }

    #[test]
    fn only_held_reservations_with_a_part_count_as_held() {
        let mut r = res(1, 7, 1, 2);
        assert!(r.held().is_some());
        r.status = ReservationStatus::Issued;
        assert!(r.held().is_none());
        let mut r = res(1, 7, 1, 2);
        r.part_id = None;
        assert!(r.held().is_none());
        let r = res(1, 7, 1, 0);
        assert!(r.held().is_none());
    }
}
