//! Service rules (售后, shared/domain.md "Repair order" and "Service appointment"; seeds 000, 001,
//! 002, 004): the seven-step process from appointment to follow-up call. One file per topic.

pub mod appointment;
pub mod policy;
