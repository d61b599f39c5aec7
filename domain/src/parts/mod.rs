//! Parts (零件, issue 16): the catalogue, stock as events, reservations, emergency orders,
//! Parts Hold and the wall of shame, the catalogue import and the two parts KPIs.
//!
//! The record types are in [`crate::records::parts`]; the screens are the parts clerk's
//! (零件专员, `Role::PartsClerk`), and the general manager settles stock.
//!
//! - [`stock`]: moves, the level (their sum, never clipped), reserved and available, and the
//!   moves that took a level below zero.
//! - [`reservations`]: held quantities and the day-before check of tomorrow's appointments.
//! - [`orders`]: emergency orders, Parts Hold (等待配件) and the wall of shame (到货未装).
//! - [`plan`]: the writes of each step; [`policy`]: what the server checks at push.
//! - [`catalogue`]: reading a catalogue spreadsheet; [`kpi`]: 零件供应率 and 工单供应率.

pub mod catalogue;
pub mod kpi;
pub mod orders;
pub mod plan;
pub mod policy;
pub mod reservations;
pub mod stock;
