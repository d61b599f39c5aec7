//! Service rules (售后, shared/domain.md "Repair order" and "Service appointment"; seeds 000, 001,
//! 002, 004): the seven-step process from appointment to follow-up call. One file per topic:
//! [`appointment`] (3-hour rule), [`repair_order`] (status moves and who makes them, line amounts
//! and decisions, job clock, QC, promised time, comebacks, advisor load, hour buckets),
//! [`plan`] (each step's writes), [`kpi`] (the service KPIs), [`policy`] (what `crate::policy::check_op` enforces), [`workshop`] (the board, the job clock's
//! buttons, QC's next level, the customer's status page and its link).

pub mod appointment;
pub mod customer_base;
pub mod desk;
pub mod kpi;
pub mod plan;
pub mod policy;
pub mod repair_order;
pub mod workshop;
