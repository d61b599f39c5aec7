//! Unit tests of the merge, per field kind.

use serde_json::{Value, json};
use uuid::Uuid;

use super::*;

const T0: u64 = 1_800_000_000_000;
const HOUR: i64 = 3_600_000;

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(&CUSTOMER).unwrap();
    r
}

/// A simulated device holding one record.
struct Device {
    id: Uuid,
    n: u8,
    seq: u32,
    clock: Clock,
    /// How wrong this device's physical clock is.
    skew_ms: i64,
    state: RecordState,
}

impl Device {
    fn new(n: u8, record: Uuid) -> Self {
        Device {
            id: new_id(T0, [n; 10]),
            n,
            seq: 0,
            clock: Clock::new(),
            skew_ms: 0,
            state: RecordState::new(record, "customer", "demo"),
        }
    }

    fn skewed(mut self, skew_ms: i64) -> Self {
        self.skew_ms = skew_ms;
        self
    }

    fn local_time(&self, true_ms: u64) -> u64 {
        (true_ms as i64 + self.skew_ms) as u64
    }

    /// Make an op at true time `t` with the changes built from the local state.
    fn edit(
        &mut self,
        t: u64,
        build: impl FnOnce(Edit<'_>) -> Vec<Result<Change, SyncError>>,
    ) -> Op {
        self.seq += 1;
        let changes = build(Edit::new(&self.state, &CUSTOMER))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let mut rnd = [self.n; 10];
        rnd[6..].copy_from_slice(&self.seq.to_be_bytes());
        let op = Op {
            op_id: new_id(t, rnd),
            device_id: self.id,
            user_id: format!("user{}", self.n),
            store_id: "demo".into(),
            record_id: self.state.id,
            record_type: "customer".into(),
            hlc: self.clock.now(self.local_time(t)),
            changes,
        };
        validate_op(&op, &registry()).unwrap();
        assert!(apply(&mut self.state, &op, &CUSTOMER).unwrap());
        op
    }

    fn receive(&mut self, t: u64, op: &Op) {
        self.clock.observe(op.hlc, self.local_time(t));
        apply(&mut self.state, op, &CUSTOMER).unwrap();
    }
}

fn record() -> Uuid {
    new_id(T0, [0xee; 10])
}

fn pair() -> (Device, Device) {
    (Device::new(1, record()), Device::new(2, record()))
}

fn state_of(ops: &[&Op]) -> RecordState {
    let mut s = RecordState::for_op(ops[0]);
    for op in ops {
        apply(&mut s, op, &CUSTOMER).unwrap();
    }
    s
}

// ---- scalar ----

#[test]
fn concurrent_scalar_edits_become_a_conflict() {
    let (mut a, mut b) = pair();
    let base = a.edit(T0, |e| vec![e.set("phone", json!("13800000000"))]);
    b.receive(T0 + 1, &base);
    let ea = a.edit(T0 + 10, |e| vec![e.set("phone", json!("13911111111"))]);
    let eb = b.edit(T0 + 20, |e| vec![e.set("phone", json!("13722222222"))]);
    a.receive(T0 + 30, &eb);
    b.receive(T0 + 30, &ea);
    assert_eq!(a.state, b.state);
    assert_eq!(a.state.value("phone"), Some(&json!("13722222222")));
    let conflicts = a.state.conflicts(&CUSTOMER);
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.field, "phone");
    assert_eq!(c.winner.op_id, eb.op_id);
    assert_eq!(c.winner.user_id, "user2");
    assert_eq!(c.winner.device_id, b.id);
    assert_eq!(c.others.len(), 1);
    assert_eq!(c.others[0].value, json!("13911111111"));
    assert_eq!(c.others[0].user_id, "user1");
    assert_eq!(c.others[0].hlc, ea.hlc);
}

#[test]
fn sequential_scalar_edits_do_not_conflict() {
    let (mut a, mut b) = pair();
    let e1 = a.edit(T0, |e| vec![e.set("name", json!("王"))]);
    b.receive(T0 + 1, &e1);
    let e2 = b.edit(T0 + 2, |e| vec![e.set("name", json!("王先生"))]);
    a.receive(T0 + 3, &e2);
    assert_eq!(a.state.value("name"), Some(&json!("王先生")));
    assert!(a.state.conflicts(&CUSTOMER).is_empty());
    assert_eq!(a.state.heads("name").len(), 1);
    // The overwritten write arriving again (or late, elsewhere) never comes back.
    let mut late = state_of(&[&e2, &e1]);
    assert_eq!(late.value("name"), Some(&json!("王先生")));
    assert!(!apply(&mut late, &e1, &CUSTOMER).unwrap());
    assert_eq!(late, a.state);
}

#[test]
fn equal_concurrent_values_are_not_a_conflict_and_stay_quiet_after_an_edit() {
    let (mut a, mut b) = pair();
    let ea = a.edit(T0, |e| vec![e.set("name", json!("李"))]);
    let eb = b.edit(T0, |e| vec![e.set("name", json!("李"))]);
    a.receive(T0 + 1, &eb);
    b.receive(T0 + 1, &ea);
    assert!(a.state.conflicts(&CUSTOMER).is_empty());
    assert_eq!(a.state.heads("name").len(), 2);
    let e3 = a.edit(T0 + 2, |e| vec![e.set("name", json!("李四"))]);
    b.receive(T0 + 3, &e3);
    assert!(b.state.conflicts(&CUSTOMER).is_empty());
    assert_eq!(b.state.heads("name").len(), 1);
    assert_eq!(b.state.value("name"), Some(&json!("李四")));
}

#[test]
fn an_ordinary_edit_keeps_a_conflict_open_and_a_resolution_closes_it() {
    let (mut a, mut b) = pair();
    let ea = a.edit(T0, |e| vec![e.set("phone", json!("1"))]);
    let eb = b.edit(T0 + 5, |e| vec![e.set("phone", json!("2"))]);
    a.receive(T0 + 6, &eb);
    b.receive(T0 + 6, &ea);
    // An ordinary edit replaces the shown value only: the loser is still in conflict.
    let e3 = a.edit(T0 + 7, |e| vec![e.set("phone", json!("3"))]);
    b.receive(T0 + 8, &e3);
    let c = b.state.conflicts(&CUSTOMER);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].winner.value, json!("3"));
    assert_eq!(
        c[0].others.iter().map(|h| &h.value).collect::<Vec<_>>(),
        [&json!("1")]
    );
    // A person resolves it, keeping the old value "1".
    let r = b.edit(T0 + 9, |e| vec![e.resolve("phone", json!("1"))]);
    a.receive(T0 + 10, &r);
    assert_eq!(a.state, b.state);
    assert!(a.state.conflicts(&CUSTOMER).is_empty());
    assert_eq!(a.state.value("phone"), Some(&json!("1")));
    assert_eq!(a.state.heads("phone")[0].op_id, r.op_id);
}

#[test]
fn a_write_arriving_after_the_write_that_superseded_it_never_becomes_a_head() {
    let (mut a, mut b) = pair();
    let e1 = a.edit(T0, |e| vec![e.set("name", json!("x"))]);
    b.receive(T0 + 1, &e1);
    let e2 = b.edit(T0 + 2, |e| vec![e.set("name", json!("y"))]);
    for order in [[&e1, &e2], [&e2, &e1]] {
        let s = state_of(&order);
        assert_eq!(s.value("name"), Some(&json!("y")));
        assert_eq!(s.heads("name").len(), 1);
        assert!(s.conflicts(&CUSTOMER).is_empty());
    }
}

// ---- status ----

#[test]
fn incompatible_concurrent_transitions_conflict_and_show_the_higher_rank() {
    let (mut a, mut b) = pair();
    let e1 = a.edit(T0, |e| vec![e.transition("stage", "contacted")]);
    let e2 = a.edit(T0 + 1, |e| vec![e.transition("stage", "negotiating")]);
    b.receive(T0 + 2, &e1);
    b.receive(T0 + 2, &e2);
    // a confirms the order; b, later by the clock, proposes the card as lost.
    let ordered = a.edit(T0 + 3, |e| vec![e.transition("stage", "ordered")]);
    let lost = b.edit(T0 + 50, |e| vec![e.transition("stage", "lost_proposed")]);
    assert!(lost.hlc > ordered.hlc);
    a.receive(T0 + 60, &lost);
    b.receive(T0 + 60, &ordered);
    assert_eq!(a.state, b.state);
    // A conflict although the machine has a path lost_proposed → ordered: the two moves
    // left the same state for different states.
    assert!(CUSTOMER_STAGE.allows("lost_proposed", "ordered"));
    // "ordered" outranks "lost_proposed": shown whatever the clocks say.
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("ordered"));
    let c = a.state.conflicts(&CUSTOMER);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].field, "stage");
    assert_eq!(c[0].winner.value, json!("ordered"));
    assert_eq!(c[0].others[0].value, json!("lost_proposed"));
    assert_eq!(c[0].others[0].user_id, "user2");
    // The manager settles it: the order stands.
    let r = b.edit(T0 + 70, |e| vec![e.resolve_status("stage", "ordered")]);
    a.receive(T0 + 71, &r);
    assert!(a.state.conflicts(&CUSTOMER).is_empty());
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("ordered"));
    // ... or the other way: resolving to the lower-ranked head is allowed too.
    let mut s = state_of(&[&e1, &e2, &ordered, &lost]);
    let mut c = Device::new(3, record());
    c.state = s.clone();
    let r2 = c.edit(T0 + 80, |e| {
        vec![e.resolve_status("stage", "lost_proposed")]
    });
    apply(&mut s, &r2, &CUSTOMER).unwrap();
    assert_eq!(s.status(&CUSTOMER, "stage"), Some("lost_proposed"));
    assert!(s.conflicts(&CUSTOMER).is_empty());
}

#[test]
fn a_merge_never_moves_a_status_backwards() {
    let (mut a, mut b) = pair();
    let ops: Vec<Op> = ["contacted", "negotiating", "ordered", "delivered"]
        .iter()
        .enumerate()
        .map(|(i, s)| a.edit(T0 + i as u64, |e| vec![e.transition("stage", s)]))
        .collect();
    // b only saw "contacted", then (much later by the clock) proposes lost.
    b.receive(T0 + 10, &ops[0]);
    let lost = b.edit(T0 + HOUR as u64, |e| {
        vec![e.transition("stage", "lost_proposed")]
    });
    for op in &ops[1..] {
        b.receive(T0 + 2 * HOUR as u64, op);
    }
    a.receive(T0 + 2 * HOUR as u64, &lost);
    assert_eq!(a.state, b.state);
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("delivered"));
    assert_eq!(a.state.conflicts(&CUSTOMER).len(), 1);
}

#[test]
fn concurrent_forward_moves_on_one_path_do_not_conflict() {
    let (mut a, mut b) = pair();
    let e1 = a.edit(T0, |e| vec![e.transition("stage", "contacted")]);
    b.receive(T0 + 1, &e1);
    let slow = b.edit(T0 + 2, |e| vec![e.transition("stage", "negotiating")]);
    let f1 = a.edit(T0 + 3, |e| vec![e.transition("stage", "negotiating")]);
    let f2 = a.edit(T0 + 4, |e| vec![e.transition("stage", "ordered")]);
    for op in [&f1, &f2] {
        b.receive(T0 + 5, op);
    }
    a.receive(T0 + 5, &slow);
    assert_eq!(a.state, b.state);
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("ordered"));
    assert!(
        a.state.conflicts(&CUSTOMER).is_empty(),
        "{:?}",
        a.state.conflicts(&CUSTOMER)
    );
    // The next transition overwrites the compatible head too.
    let d = b.edit(T0 + 6, |e| vec![e.transition("stage", "delivered")]);
    assert_eq!(b.state.heads("stage").len(), 1);
    assert_eq!(d.changes.len(), 1);
}

#[test]
fn a_backward_move_concurrent_with_a_forward_one_is_a_conflict() {
    let (mut a, mut b) = pair();
    let e1 = a.edit(T0, |e| vec![e.transition("stage", "lost_proposed")]);
    b.receive(T0 + 1, &e1);
    // The manager re-activates; a consultant concurrently confirms the loss.
    let back = a.edit(T0 + 2, |e| vec![e.transition("stage", "contacted")]);
    let lost = b.edit(T0 + 3, |e| vec![e.transition("stage", "lost")]);
    a.receive(T0 + 4, &lost);
    b.receive(T0 + 4, &back);
    assert_eq!(a.state, b.state);
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("lost"));
    assert_eq!(a.state.conflicts(&CUSTOMER).len(), 1);
}

#[test]
fn transitions_are_checked_against_the_machine() {
    let (mut a, _) = pair();
    let s = a.state.clone();
    let e = Edit::new(&s, &CUSTOMER);
    assert_eq!(
        e.transition("stage", "ordered").unwrap_err().code(),
        "transition_not_allowed"
    );
    assert_eq!(
        e.transition("stage", "sold").unwrap_err().code(),
        "unknown_state"
    );
    assert_eq!(
        e.transition("name", "x").unwrap_err().code(),
        "wrong_field_kind"
    );
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("new"));
    a.edit(T0, |e| vec![e.transition("stage", "contacted")]);
    assert_eq!(a.state.status(&CUSTOMER, "stage"), Some("contacted"));
    assert_eq!(a.state.status(&CUSTOMER, "name"), None);
}

// ---- log, counter, set ----

#[test]
fn log_is_the_union_of_all_entries_exactly_once_in_clock_order() {
    let (mut a, mut b) = pair();
    let mut ops = Vec::new();
    for i in 0..3u64 {
        ops.push(a.edit(T0 + i * 10, |e| {
            vec![e.append(
                "follow_ups",
                new_id(T0, [0xa0 + i as u8; 10]),
                json!(format!("a{i}")),
            )]
        }));
        ops.push(b.edit(T0 + i * 10 + 5, |e| {
            vec![e.append(
                "follow_ups",
                new_id(T0, [0xb0 + i as u8; 10]),
                json!(format!("b{i}")),
            )]
        }));
    }
    let mut s = RecordState::for_op(&ops[0]);
    for op in ops.iter().rev().chain(ops.iter()) {
        apply(&mut s, op, &CUSTOMER).unwrap();
    }
    let values: Vec<&Value> = s.log("follow_ups").iter().map(|e| &e.value).collect();
    assert_eq!(
        values,
        [
            &json!("a0"),
            &json!("b0"),
            &json!("a1"),
            &json!("b1"),
            &json!("a2"),
            &json!("b2")
        ]
    );
}

#[test]
fn a_reused_log_entry_id_resolves_the_same_way_in_any_order() {
    let (mut a, mut b) = pair();
    let entry = new_id(T0, [0x77; 10]);
    let x = a.edit(T0, |e| vec![e.append("follow_ups", entry, json!("from a"))]);
    let y = b.edit(T0 + 9, |e| {
        vec![e.append("follow_ups", entry, json!("from b"))]
    });
    let s1 = state_of(&[&x, &y]);
    let s2 = state_of(&[&y, &x]);
    assert_eq!(s1, s2);
    assert_eq!(s1.log("follow_ups").len(), 1);
    assert_eq!(s1.log("follow_ups")[0].value, json!("from b"));
}

#[test]
fn counters_sum_every_step_once() {
    let (mut a, mut b) = pair();
    let ops = [
        a.edit(T0, |e| vec![e.add("points", 100)]),
        b.edit(T0, |e| vec![e.add("points", 30)]),
        a.edit(T0 + 1, |e| vec![e.add("points", -20)]),
        b.edit(T0 + 1, |e| vec![e.add("points", 30)]), // same delta, different op: counts
    ];
    let mut s = RecordState::for_op(&ops[0]);
    for op in ops.iter().chain(ops.iter().rev()) {
        apply(&mut s, op, &CUSTOMER).unwrap();
    }
    assert_eq!(s.counter("points"), 140);
    let by_device = s.counter_by_device("points");
    assert_eq!(by_device[&a.id], 80);
    assert_eq!(by_device[&b.id], 60);
}

#[test]
fn set_is_add_wins() {
    let (mut a, mut b) = pair();
    let add_vip = a.edit(T0, |e| vec![e.set_add("tags", "vip")]);
    let add_fleet = a.edit(T0 + 1, |e| vec![e.set_add("tags", "fleet")]);
    b.receive(T0 + 2, &add_vip);
    b.receive(T0 + 2, &add_fleet);
    // b removes vip while a concurrently adds vip again: the add wins.
    let rm = b.edit(T0 + 3, |e| vec![e.set_remove("tags", "vip")]);
    let re_add = a.edit(T0 + 3, |e| vec![e.set_add("tags", "vip")]);
    assert_eq!(b.state.set("tags"), ["fleet"]);
    a.receive(T0 + 4, &rm);
    b.receive(T0 + 4, &re_add);
    assert_eq!(a.state, b.state);
    assert_eq!(a.state.set("tags"), ["fleet", "vip"]);
    // A remove that saw every add removes it, even when it arrives before the adds.
    let rm2 = b.edit(T0 + 5, |e| vec![e.set_remove("tags", "vip")]);
    let s = state_of(&[&rm2, &rm, &re_add, &add_fleet, &add_vip]);
    assert_eq!(s.set("tags"), ["fleet"]);
    assert_eq!(s.fields["tags"], {
        let mut t = state_of(&[&add_vip, &add_fleet, &rm, &re_add, &rm2]);
        t.fields.remove("tags").unwrap()
    });
}

// ---- tombstone ----

#[test]
fn delete_is_a_tombstone_a_manager_can_restore() {
    let (mut a, mut b) = pair();
    let e1 = a.edit(T0, |e| vec![e.set("name", json!("赵"))]);
    b.receive(T0 + 1, &e1);
    let del = b.edit(T0 + 2, |e| vec![Ok(e.delete())]);
    assert!(!del.requires_manager());
    // a, not knowing, keeps editing: nothing is lost.
    let e2 = a.edit(T0 + 3, |e| {
        vec![e.append("follow_ups", new_id(T0, [9; 10]), json!("called"))]
    });
    a.receive(T0 + 4, &del);
    b.receive(T0 + 4, &e2);
    assert_eq!(a.state, b.state);
    assert!(a.state.is_deleted());
    // The bin says who put the record there.
    let by = a.state.deletion().expect("in the bin");
    assert_eq!((by.device_id, by.user_id.as_str()), (b.id, "user2"));
    assert_eq!(by.hlc, del.hlc);
    assert_eq!(a.state.value("name"), Some(&json!("赵")));
    assert_eq!(a.state.log("follow_ups").len(), 1);
    let res = a.edit(T0 + 5, |e| vec![Ok(e.restore())]);
    assert!(res.requires_manager());
    b.receive(T0 + 6, &res);
    assert!(!b.state.is_deleted());
    assert!(b.state.deletion().is_none());
    assert!(b.state.conflicts(&CUSTOMER).is_empty());
}

#[test]
fn concurrent_delete_and_restore_is_reported() {
    let (mut a, mut b) = pair();
    let del = a.edit(T0, |e| vec![Ok(e.delete())]);
    b.receive(T0 + 1, &del);
    let res = b.edit(T0 + 2, |e| vec![Ok(e.restore())]);
    let del2 = a.edit(T0 + 3, |e| vec![Ok(e.delete())]);
    let s = state_of(&[&del, &res, &del2]);
    assert!(s.is_deleted());
    let c = s.conflicts(&CUSTOMER);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].field, DELETED_FIELD);
    assert_eq!(c[0].others[0].value, json!(false));
}

// ---- clocks ----

#[test]
fn an_edit_made_after_receiving_another_wins_despite_skewed_clocks() {
    for (skew_a, skew_b) in [(HOUR, -HOUR), (-HOUR, HOUR), (HOUR, HOUR), (-HOUR, 0)] {
        let mut a = Device::new(1, record()).skewed(skew_a);
        let mut b = Device::new(2, record()).skewed(skew_b);
        let e1 = a.edit(T0, |e| vec![e.set("phone", json!("old"))]);
        b.receive(T0 + 1, &e1);
        let e2 = b.edit(T0 + 2, |e| vec![e.set("phone", json!("new"))]);
        assert!(e2.hlc > e1.hlc, "skews {skew_a} {skew_b}");
        // Even if e2 had not named e1 in supersedes, it would win by clock.
        let mut lone = e2.clone();
        if let Change::Set { supersedes, .. } = &mut lone.changes[0] {
            supersedes.clear();
        }
        let s = state_of(&[&lone, &e1]);
        assert_eq!(s.value("phone"), Some(&json!("new")));
        a.receive(T0 + 3, &e2);
        assert_eq!(a.state.value("phone"), Some(&json!("new")));
        assert!(a.state.conflicts(&CUSTOMER).is_empty());
    }
}

// ---- validation ----

fn valid_op() -> Op {
    let (mut a, _) = pair();
    a.edit(T0, |e| vec![e.set("name", json!("x"))])
}

fn code_of(op: &Op) -> &'static str {
    validate_op(op, &registry()).unwrap_err().code()
}

#[test]
fn validation_refuses_bad_ops_with_stable_codes() {
    let r = registry();
    let ok = valid_op();
    validate_op(&ok, &r).unwrap();
    let with = |f: &dyn Fn(&mut Op)| {
        let mut op = ok.clone();
        f(&mut op);
        op
    };
    let ch = |c: Change| with(&|op: &mut Op| op.changes = vec![c.clone()]);
    assert_eq!(
        code_of(&with(&|op| op.record_type = "car".into())),
        "unknown_record_type"
    );
    assert_eq!(code_of(&with(&|op| op.changes.clear())), "empty_op");
    assert_eq!(
        code_of(&with(&|op| op.record_id = Uuid::from_u128(7))),
        "invalid_id"
    );
    assert_eq!(code_of(&with(&|op| op.op_id = Uuid::nil())), "invalid_id");
    assert_eq!(
        code_of(&with(&|op| op.device_id = Uuid::nil())),
        "invalid_id"
    );
    assert_eq!(
        code_of(&with(&|op| op.user_id = String::new())),
        "empty_string"
    );
    assert_eq!(
        code_of(&with(&|op| op.store_id = "店".repeat(MAX_STRING_LEN + 1))),
        "string_too_long"
    );
    assert_eq!(
        code_of(&with(&|op| op.changes = vec![op.changes[0].clone(); 2])),
        "duplicate_field"
    );
    assert_eq!(
        code_of(&with(&|op| op.changes = vec![
            Change::Delete { supersedes: vec![] },
            Change::Restore { supersedes: vec![] }
        ])),
        "duplicate_field"
    );
    let many: Vec<Change> = (0..=MAX_CHANGES_PER_OP)
        .map(|i| Change::Add {
            field: format!("f{i}"),
            delta: 1,
        })
        .collect();
    assert_eq!(
        code_of(&with(&|op| op.changes = many.clone())),
        "too_many_changes"
    );
    let set = |field: &str, value: Value| Change::Set {
        field: field.into(),
        value,
        supersedes: vec![],
    };
    assert_eq!(code_of(&ch(set("nickname", json!(1)))), "unknown_field");
    assert_eq!(code_of(&ch(set("points", json!(1)))), "wrong_field_kind");
    assert_eq!(
        code_of(&ch(set("name", json!("x".repeat(MAX_VALUE_BYTES))))),
        "value_too_large"
    );
    assert_eq!(
        code_of(&ch(Change::Set {
            field: "name".into(),
            value: json!(1),
            supersedes: vec![Uuid::nil(); MAX_IDS_PER_CHANGE + 1]
        })),
        "too_many_ids"
    );
    let tr = |from: &str, to: &str| Change::Transition {
        field: "stage".into(),
        from: from.into(),
        to: to.into(),
        supersedes: vec![],
    };
    validate_op(&ch(tr("new", "contacted")), &r).unwrap();
    validate_op(&ch(tr("ordered", "ordered")), &r).unwrap();
    assert_eq!(code_of(&ch(tr("new", "ordered"))), "transition_not_allowed");
    assert_eq!(code_of(&ch(tr("new", "sold"))), "unknown_state");
    assert_eq!(code_of(&ch(tr("gone", "new"))), "unknown_state");
    assert_eq!(
        code_of(&ch(Change::Add {
            field: "points".into(),
            delta: MAX_COUNTER_DELTA + 1
        })),
        "delta_out_of_range"
    );
    assert_eq!(
        code_of(&ch(Change::Add {
            field: "points".into(),
            delta: i64::MIN
        })),
        "delta_out_of_range"
    );
    assert_eq!(
        code_of(&ch(Change::SetAdd {
            field: "tags".into(),
            elem: String::new()
        })),
        "empty_string"
    );
    assert_eq!(
        code_of(&ch(Change::Append {
            field: "follow_ups".into(),
            entry_id: Uuid::nil(),
            value: json!(1)
        })),
        "invalid_id"
    );
    assert_eq!(
        code_of(&ch(Change::SetAdd {
            field: "follow_ups".into(),
            elem: "x".into()
        })),
        "wrong_field_kind"
    );
}

#[test]
fn apply_refuses_foreign_or_invalid_ops_and_leaves_the_state_untouched() {
    let op = valid_op();
    let mut s = RecordState::for_op(&op);
    apply(&mut s, &op, &CUSTOMER).unwrap();
    let before = s.clone();
    let mut other = op.clone();
    other.record_id = new_id(T0, [0x42; 10]);
    other.op_id = new_id(T0, [0x43; 10]);
    assert_eq!(
        apply(&mut s, &other, &CUSTOMER).unwrap_err().code(),
        "record_mismatch"
    );
    let mut bad = op.clone();
    bad.op_id = new_id(T0, [0x44; 10]);
    bad.changes.push(Change::Set {
        field: "points".into(),
        value: json!(1),
        supersedes: vec![],
    });
    assert_eq!(
        apply(&mut s, &bad, &CUSTOMER).unwrap_err().code(),
        "wrong_field_kind"
    );
    let mut store = op.clone();
    store.store_id = "other".into();
    assert_eq!(
        apply(&mut s, &store, &CUSTOMER).unwrap_err().code(),
        "type_mismatch"
    );
    assert_eq!(s, before);
}

// ---- join and the wire ----

#[test]
fn join_of_partial_states_equals_applying_everything() {
    let (mut a, mut b) = pair();
    let mut ops = vec![
        a.edit(T0, |e| {
            vec![
                e.set("name", json!("a")),
                e.add("points", 5),
                e.set_add("tags", "x"),
            ]
        }),
        b.edit(T0, |e| {
            vec![
                e.set("name", json!("b")),
                e.transition("stage", "contacted"),
            ]
        }),
    ];
    b.receive(T0 + 1, &ops[0]);
    ops.push(b.edit(T0 + 2, |e| {
        vec![e.set_remove("tags", "x"), e.resolve("name", json!("c"))]
    }));
    ops.push(a.edit(T0 + 3, |e| {
        vec![
            Ok(e.delete()),
            e.append("follow_ups", new_id(T0, [7; 10]), json!({"note": "hi"})),
        ]
    }));
    let all = state_of(&ops.iter().collect::<Vec<_>>());
    let mut left = state_of(&[&ops[2], &ops[0]]);
    let right = state_of(&[&ops[3], &ops[1], &ops[0]]);
    let mut right2 = right.clone();
    join(&mut left, &right).unwrap();
    join(&mut right2, &state_of(&[&ops[2], &ops[0]])).unwrap();
    assert_eq!(left, all);
    assert_eq!(right2, all);
    let mut again = all.clone();
    join(&mut again, &all).unwrap();
    assert_eq!(again, all);
    assert_eq!(all.value("name"), Some(&json!("c")));
    assert!(all.set("tags").is_empty());
    assert!(all.is_deleted());
    let mut foreign = RecordState::new(new_id(T0, [1; 10]), "customer", "demo");
    assert_eq!(
        join(&mut foreign, &all).unwrap_err().code(),
        "record_mismatch"
    );
}

#[test]
fn ops_and_states_round_trip_through_json() {
    let (mut a, _) = pair();
    let op = a.edit(T0, |e| {
        vec![
            e.set("name", json!("钱")),
            e.transition("stage", "contacted"),
            e.append("follow_ups", new_id(T0, [5; 10]), json!({"by": "phone"})),
            e.add("points", -3),
            e.set_add("tags", "vip"),
        ]
    });
    let text = serde_json::to_string(&op).unwrap();
    assert!(text.contains(r#""kind":"transition""#), "{text}");
    assert!(text.contains(r#""kind":"set_add""#), "{text}");
    assert!(text.contains(r#""hlc":{"wall_ms":"#), "{text}");
    let back: Op = serde_json::from_str(&text).unwrap();
    assert_eq!(back, op);
    let state_text = serde_json::to_string(&a.state).unwrap();
    let state: RecordState = serde_json::from_str(&state_text).unwrap();
    assert_eq!(state, a.state);
    // supersedes / observed may be omitted on the wire.
    let minimal: Change =
        serde_json::from_str(r#"{"kind":"set","field":"name","value":1}"#).unwrap();
    assert_eq!(
        minimal,
        Change::Set {
            field: "name".into(),
            value: json!(1),
            supersedes: vec![]
        }
    );
}

#[test]
fn a_state_round_trips_through_the_compact_text_and_it_is_smaller() {
    let (mut a, mut b) = pair();
    let mut ops = vec![
        a.edit(T0, |e| {
            vec![
                e.set("name", json!("钱")),
                e.add("points", 5),
                e.set_add("tags", "x"),
                e.append("follow_ups", new_id(T0, [5; 10]), json!({"by": "phone"})),
            ]
        }),
        b.edit(T0, |e| {
            vec![
                e.set("name", json!("b")),
                e.transition("stage", "contacted"),
            ]
        }),
    ];
    b.receive(T0 + 1, &ops[0]);
    ops.push(b.edit(T0 + 2, |e| {
        vec![e.set_remove("tags", "x"), e.add("points", -2)]
    }));
    ops.push(a.edit(T0 + 3, |e| vec![Ok(e.delete())]));
    // One op, a conflict (name, two heads), a status move, a log, a counter, a set, the bin.
    let states = [
        state_of(&[&ops[0]]),
        state_of(&[&ops[0], &ops[1]]),
        state_of(&[&ops[0], &ops[1], &ops[2]]),
        state_of(&ops.iter().collect::<Vec<_>>()),
        RecordState::new(record(), "customer", "demo"),
    ];
    for state in &states {
        let text = compact::to_text(state);
        assert!(text.starts_with(compact::PREFIX), "{text}");
        assert_eq!(&compact::from_text(&text).unwrap(), state, "{text}");
        // The serde form is read too (what a device stored before).
        let full = serde_json::to_string(state).unwrap();
        assert_eq!(&compact::from_text(&full).unwrap(), state);
        assert!(text.len() <= full.len(), "{} > {}", text.len(), full.len());
    }
    assert!(states[1].conflicts(&CUSTOMER).len() == 1, "a conflict kept");
    // A card made by one op of several fields: well under half the serde form.
    let one = &states[0];
    let (text, full) = (compact::to_text(one), serde_json::to_string(one).unwrap());
    assert!(
        text.len() * 2 < full.len(),
        "{} vs {}",
        text.len(),
        full.len()
    );
    // A text that does not hold together is refused, not misread.
    let broken = text.replacen("[[0,", "[[9,", 1);
    assert!(compact::from_text(&broken).is_err(), "{broken}");
}
