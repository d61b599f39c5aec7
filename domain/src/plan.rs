//! A workflow's writes, decided by the domain and executed by a device as one unit.
//!
//! A workflow (deliver a car, log a visit, confirm a loss, …) is a rule about WHICH records
//! change and HOW; the domain decides it as a [`Plan`] from the records it reads, and the app
//! executes the plan in one IndexedDB transaction: all of its ops are written, or none. The
//! server checks each of the resulting ops against the stored record like any other op.
//!
//! A plan names intents ([`Step`]), not changes: the `supersedes` / `observed` of each change are
//! taken from the record AS STORED when the plan is executed ([`PlannedWrite::changes`]), so a
//! plan made from a screen's copy of a record stays correct if another tab wrote in between.

use serde_json::Value;
use uuid::Uuid;

use crate::sync::{Change, Edit, RecordState, RecordType, SyncError};

/// One intended change of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Overwrite a scalar field with the value shown.
    Set(&'static str, Value),
    /// Move a status field to a state (the state machine checks the move).
    Move(&'static str, &'static str),
    /// Add a log entry under its id (a fixed id makes the same entry from two devices one).
    Append(&'static str, Uuid, Value),
    /// Add an element to a set field.
    SetAdd(&'static str, String),
    /// Remove an element from a set field.
    SetRemove(&'static str, String),
    /// Put the record in the bin.
    Delete,
}

/// One op of a plan: steps on one record (a new record if it is not stored yet).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWrite {
    pub record_id: Uuid,
    pub record_type: &'static RecordType,
    pub steps: Vec<Step>,
}

impl PlannedWrite {
    pub fn new(record_id: Uuid, record_type: &'static RecordType) -> Self {
        PlannedWrite {
            record_id,
            record_type,
            steps: Vec::new(),
        }
    }

    /// Adds a step (builder style).
    pub fn with(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Sets a scalar field (builder style).
    pub fn set(self, field: &'static str, value: impl Into<Value>) -> Self {
        self.with(Step::Set(field, value.into()))
    }

    /// The changes of this write against the record as stored (`state`).
    pub fn changes(&self, state: &RecordState) -> Result<Vec<Change>, SyncError> {
        let e = Edit::new(state, self.record_type);
        self.steps
            .iter()
            .map(|s| match s {
                Step::Set(f, v) => e.set(f, v.clone()),
                Step::Move(f, to) => e.transition(f, to),
                Step::Append(f, id, v) => e.append(f, *id, v.clone()),
                Step::SetAdd(f, x) => e.set_add(f, x),
                Step::SetRemove(f, x) => e.set_remove(f, x),
                Step::Delete => Ok(e.delete()),
            })
            .collect()
    }

    /// The value this write sets `field` to, if it does (for tests and previews).
    pub fn value_of(&self, field: &str) -> Option<&Value> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::Set(f, v) if *f == field => Some(v),
            _ => None,
        })
    }

    /// The state this write moves `field` to, if it does.
    pub fn move_of(&self, field: &str) -> Option<&'static str> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::Move(f, to) if *f == field => Some(*to),
            _ => None,
        })
    }
}

/// A workflow's writes, in the order they are made (one op each).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub writes: Vec<PlannedWrite>,
}

impl Plan {
    pub fn new() -> Self {
        Plan::default()
    }

    /// Adds a write unless it has no step (builder style).
    pub fn then(mut self, write: PlannedWrite) -> Self {
        self.push(write);
        self
    }

    /// Adds a write unless it has no step.
    pub fn push(&mut self, write: PlannedWrite) {
        if !write.steps.is_empty() {
            self.writes.push(write);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// The writes of one record, in order.
    pub fn writes_of(&self, record_id: Uuid) -> impl Iterator<Item = &PlannedWrite> {
        self.writes.iter().filter(move |w| w.record_id == record_id)
    }

    /// The writes of one record type, in order.
    pub fn writes_of_type<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a PlannedWrite> {
        self.writes
            .iter()
            .filter(move |w| w.record_type.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{A_CARD, VISIT};
    use crate::sync::{Clock, Op, apply};
    use serde_json::json;

    fn run(plan: &Plan, states: &mut Vec<RecordState>) -> Result<(), SyncError> {
        let mut clock = Clock::default();
        for w in &plan.writes {
            let i = match states.iter().position(|s| s.id == w.record_id) {
                Some(i) => i,
                None => {
                    states.push(RecordState::new(w.record_id, w.record_type.name, "demo"));
                    states.len() - 1
                }
            };
            let changes = w.changes(&states[i])?;
            let op = Op {
                op_id: Uuid::now_v7(),
                device_id: Uuid::from_u128(1),
                user_id: "u".into(),
                store_id: "demo".into(),
                record_id: w.record_id,
                record_type: w.record_type.name.into(),
                hlc: clock.now(1_000),
                changes,
            };
            apply(&mut states[i], &op, w.record_type)?;
        }
        Ok(())
    }

    #[test]
    fn a_plan_writes_each_record_with_changes_against_its_stored_state() {
        let card = Uuid::from_u128(10);
        let visit = Uuid::from_u128(11);
        let plan = Plan::new()
            .then(
                PlannedWrite::new(card, &A_CARD)
                    .set("name", "王先生")
                    .with(Step::Append(
                        "follow_ups",
                        Uuid::from_u128(12),
                        json!({"content": "来店"}),
                    )),
            )
            .then(PlannedWrite::new(visit, &VISIT).set("a_card_id", card.to_string()))
            .then(PlannedWrite::new(Uuid::from_u128(13), &VISIT));
        assert_eq!(plan.writes.len(), 2, "a write without steps is left out");
        assert_eq!(
            plan.writes_of(card).next().and_then(|w| w.value_of("name")),
            Some(&json!("王先生"))
        );
        let mut states = Vec::new();
        run(&plan, &mut states).unwrap();
        assert_eq!(states[0].value("name"), Some(&json!("王先生")));
        assert_eq!(states[0].log("follow_ups").len(), 1);
        assert_eq!(states[1].value("a_card_id"), Some(&json!(card.to_string())));

        // A second write of the same field overwrites the first (its supersedes come from the
        // state as stored, not from the plan).
        let again = Plan::new().then(PlannedWrite::new(card, &A_CARD).set("name", "王总"));
        run(&again, &mut states).unwrap();
        assert_eq!(states[0].value("name"), Some(&json!("王总")));
        assert!(states[0].conflicts(&A_CARD).is_empty());
    }

    #[test]
    fn a_move_the_state_machine_forbids_is_refused() {
        let card = Uuid::from_u128(20);
        let plan =
            Plan::new().then(PlannedWrite::new(card, &A_CARD).with(Step::Move("status", "lost")));
        assert_eq!(plan.writes[0].move_of("status"), Some("lost"));
        let mut states = Vec::new();
        assert!(
            run(&plan, &mut states).is_err(),
            "following → lost skips the review"
        );
    }
}
