//! Property test of stock as events (issue 16): several devices receive and issue one part
//! offline (each from its own copy of the part, by the parts plans), then every op reaches
//! every replica in any order, some twice. Every replica ends with the same record, the level
//! is exactly the sum of all receipts minus all issues (nothing lost, nothing counted twice,
//! nothing clipped at zero), and the server's policy accepted every op.

use domain::parts::plan::{CatalogueEntry, Delivery, issue_plan, part_plan, receive_plan};
use domain::parts::stock::{moves_of, negative_causes, on_hand};
use domain::policy::check_op;
use domain::records::parts::PART;
use domain::roles::{Actor, Role};
use domain::sync::{Hlc, Op, RecordState, apply, new_id, validate_op};
use domain::time::StoreClock;
use proptest::prelude::*;
use uuid::Uuid;

const T0: u64 = 1_800_000_000_000;
const C: StoreClock = StoreClock::CHINA;

/// One device's step: a receipt (`true`) or an issue of `qty`.
#[derive(Debug, Clone)]
struct Step {
    device: usize,
    receipt: bool,
    qty: i64,
}

fn step() -> impl Strategy<Value = Step> {
    (0usize..4, any::<bool>(), 1i64..6).prop_map(|(device, receipt, qty)| Step {
        device,
        receipt,
        qty,
    })
}

fn op_of(state: &RecordState, w: &domain::plan::PlannedWrite, device: usize, n: u32) -> Op {
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    random[4] = device as u8;
    Op {
        op_id: new_id(T0 + u64::from(n), random),
        device_id: Uuid::from_u128(device as u128 + 1),
        user_id: "clerk".into(),
        store_id: "demo".into(),
        record_id: w.record_id,
        record_type: w.record_type.name.into(),
        hlc: Hlc::new(T0 + u64::from(n), device as u32),
        changes: w.changes(state).unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_receipts_and_issues_on_replicas_converge_to_the_sum(
        steps in prop::collection::vec(step(), 1..40),
        order in any::<u64>(),
        twice in prop::collection::vec(any::<bool>(), 40),
    ) {
        let registry = domain::records::registry();
        let clerk = Actor::new("clerk", &[Role::PartsClerk]);
        let part_id = new_id(T0, [9; 10]);
        // The catalogue entry every device starts from.
        let mut base = RecordState::new(part_id, "part", "demo");
        let create = part_plan(part_id, &CatalogueEntry {
            part_no: "04465-02220".into(),
            name: "刹车片".into(),
            ..CatalogueEntry::default()
        });
        let first = op_of(&base, &create.writes[0], 0, 0);
        apply(&mut base, &first, &PART).unwrap();
        let mut devices: Vec<RecordState> = vec![base.clone(); 4];
        let mut ops: Vec<Op> = Vec::new();
        let mut expected = 0i64;
        for (i, s) in steps.iter().enumerate() {
            let plan = if s.receipt {
                expected += s.qty;
                receive_plan(&Delivery {
                    supplier: "广汽配件".into(),
                    delivery_no: format!("D{i}"),
                    lines: vec![(part_id, s.qty)],
                })
            } else {
                expected -= s.qty;
                issue_plan(part_id, Uuid::from_u128(1_000 + i as u128), None, s.qty, None)
            };
            let local = &mut devices[s.device];
            let op = op_of(local, &plan.writes[0], s.device, i as u32 + 1);
            validate_op(&op, &registry).unwrap();
            prop_assert_eq!(check_op(&clerk, Some(local), &op, op.hlc.wall_ms, C), Ok(()));
            apply(local, &op, &PART).unwrap();
            ops.push(op);
        }
        // Deliver every op to every replica (the devices and a server) in a shuffled order,
        // some twice.
        let mut replicas = devices.clone();
        replicas.push(base.clone());
        for (r, replica) in replicas.iter_mut().enumerate() {
            let mut delivery: Vec<&Op> = ops.iter().collect();
            for (i, op) in ops.iter().enumerate() {
                if twice[i % twice.len()] {
                    delivery.push(op);
                }
            }
            // A deterministic shuffle per replica.
            let mut seed = order ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for i in (1..delivery.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let j = (seed % (i as u64 + 1)) as usize;
                delivery.swap(i, j);
            }
            for op in delivery {
                apply(replica, op, &PART).unwrap();
            }
        }
        for replica in &replicas[1..] {
            prop_assert_eq!(replica, &replicas[0]);
        }
        let moves = moves_of(&replicas[0], C);
        prop_assert_eq!(moves.len(), steps.len());
        prop_assert_eq!(on_hand(&moves), expected);
        // A level below zero is kept and explained, never clipped.
        prop_assert_eq!(negative_causes(&moves).is_empty(), expected >= 0);
    }
}
