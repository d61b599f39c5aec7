//! A device for the care tests: records by id, plans run as ops, ops received from others.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::care::schedule::{PastService, ServiceKind};
use crate::plan::{Plan, PlannedWrite};
use crate::records::{ALL, CCard};
use crate::sync::{Hlc, Op, RecordState, RecordType, apply, new_id};

pub const STORE: &str = "demo";

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn rt(name: &str) -> &'static RecordType {
    ALL.iter().find(|t| t.name == name).unwrap()
}

/// A C-card with only its id and name set.
pub fn card(n: u128) -> CCard {
    CCard {
        id: Uuid::from_u128(n),
        name: Some(format!("客户{n}")),
        phone: Some(format!("1381234{n:04}")),
        a_card_id: None,
        order_id: None,
        consultant_id: None,
        vin: Some(format!("LVSHCAMB1CE{n:06}")),
        plate: Some(format!("粤B{n:05}")),
        model: None,
        delivery_date: None,
        warranty_end: None,
        insurance_expiry: None,
        inspection_date: None,
        birthday: None,
        local: Some(true),
        rewards: Vec::new(),
        points: 0,
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Device {
    pub records: BTreeMap<Uuid, RecordState>,
    pub n: u8,
    pub counter: u32,
}

impl Device {
    pub fn new(n: u8) -> Device {
        Device {
            n,
            ..Device::default()
        }
    }

    /// Runs `plan` as `user` at `wall_ms`; returns the ops made.
    pub fn run(&mut self, plan: &Plan, user: &str, wall_ms: u64) -> Vec<Op> {
        let mut ops = Vec::new();
        for w in &plan.writes {
            self.counter += 1;
            let state = self
                .records
                .entry(w.record_id)
                .or_insert_with(|| RecordState::new(w.record_id, w.record_type.name, STORE));
            let mut random = [self.n; 10];
            random[..4].copy_from_slice(&self.counter.to_be_bytes());
            let op = Op {
                op_id: new_id(wall_ms, random),
                device_id: Uuid::from_u128(u128::from(self.n)),
                user_id: user.into(),
                store_id: STORE.into(),
                record_id: w.record_id,
                record_type: w.record_type.name.into(),
                hlc: Hlc::new(wall_ms, self.counter),
                changes: w.changes(state).unwrap(),
            };
            apply(state, &op, w.record_type).unwrap();
            ops.push(op);
        }
        ops
    }

    pub fn receive(&mut self, op: &Op) {
        let state = self
            .records
            .entry(op.record_id)
            .or_insert_with(|| RecordState::for_op(op));
        apply(state, op, rt(&op.record_type)).unwrap();
    }

    pub fn of(&self, kind: &str) -> Vec<RecordState> {
        self.records
            .values()
            .filter(|r| r.record_type == kind)
            .cloned()
            .collect()
    }

    pub fn get(&self, id: Uuid) -> &RecordState {
        &self.records[&id]
    }

    /// The op a device would send for `w` as `user` at `wall_ms`, against the record as this
    /// device holds it (a new one if it holds none), not applied: for the policies' tests.
    pub fn op_for(&self, w: &PlannedWrite, user: &str, wall_ms: u64) -> Op {
        let state = self
            .records
            .get(&w.record_id)
            .cloned()
            .unwrap_or_else(|| RecordState::new(w.record_id, w.record_type.name, STORE));
        Op {
            op_id: new_id(wall_ms, [9; 10]),
            device_id: Uuid::from_u128(9),
            user_id: user.into(),
            store_id: STORE.into(),
            record_id: w.record_id,
            record_type: w.record_type.name.into(),
            hlc: Hlc::new(wall_ms, 99),
            changes: w.changes(&state).unwrap(),
        }
    }
}

/// A past service of customer `n` on `date` (no VIN, no odometer).
pub fn service(n: u128, date: &str, kind: ServiceKind) -> PastService {
    PastService {
        c_card_id: Some(Uuid::from_u128(n)),
        vehicle_vin: None,
        date: d(date),
        odometer_km: None,
        kind,
    }
}
