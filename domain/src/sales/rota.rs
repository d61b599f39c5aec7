//! The reception rota (接待轮值/排班): which consultant receives the next customer who walks in.
//!
//! The day starts from the store's rota order (排班顺序, set by the sales manager). Each time a
//! consultant takes a new customer, they go to the back of the queue. A consultant who is with a
//! customer (an open visit: no time out) is skipped — a consultant never abandons a first customer
//! for a second — and so is a consultant who is away (暂离). Both keep their place and are up again
//! as soon as they are free.
//!
//! Which visits use up a consultant's turn ([`takes_turn`]): a showroom arrival of a customer the
//! rota sent them. A phone inquiry (answered at the desk), a return visit (the customer asks for
//! their own consultant), an after-sales customer or a non-customer visitor does not move the
//! consultant back; but any open visit keeps them busy.
//!
//! The rota of a day is one synced record (`reception_rota`) whose id is derived from the store and
//! the date ([`rota_record_id`]), so two tablets that open "today's rota" offline write the same
//! record and their edits merge.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::visit::{VisitSource, VisitorKind};

/// A visit as the rota sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaVisit {
    /// The consultant's user id.
    pub consultant: String,
    pub time_in: NaiveDateTime,
    pub time_out: Option<NaiveDateTime>,
    /// Whether this visit used up the consultant's turn ([`takes_turn`]).
    pub takes_turn: bool,
}

/// Whether a visit uses up the consultant's turn in the rota: a showroom arrival (not a phone
/// inquiry) of a prospect who is not returning to their own consultant.
pub fn takes_turn(source: VisitSource, visitor: VisitorKind, had_card_or_order: bool) -> bool {
    source != VisitSource::PhoneInquiry && visitor == VisitorKind::Prospect && !had_card_or_order
}

/// Where a consultant stands in the rota right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RotaState {
    /// 待接待 — free, waiting for a customer.
    Free,
    /// 接待中 — with a customer (an open visit).
    WithCustomer,
    /// 暂离 — away from the floor.
    Away,
}

/// One consultant in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaSlot {
    pub consultant: String,
    pub state: RotaState,
    /// New customers taken today (visits that used up a turn).
    pub taken_today: u32,
}

/// The queue right now: every consultant of the day's rota in turn order (the one whose turn it is
/// first), each with their state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaQueue {
    pub slots: Vec<RotaSlot>,
}

impl RotaQueue {
    /// Who receives the next customer: the first free consultant in turn order.
    pub fn next_up(&self) -> Option<&str> {
        self.up_order().into_iter().next()
    }

    /// The free consultants in the order they will receive customers.
    pub fn up_order(&self) -> Vec<&str> {
        self.slots
            .iter()
            .filter(|s| s.state == RotaState::Free)
            .map(|s| s.consultant.as_str())
            .collect()
    }
}

/// The rota right now.
///
/// - `order`: the day's rota order (排班顺序), first = first up in the morning. Duplicates after the
///   first are ignored.
/// - `visits`: the day's visits (any order; a visit of someone not in the rota is ignored).
/// - `away`: consultants who are away.
///
/// Turn order: consultants who have not taken a customer yet, in rota order; then those who have,
/// the one who took their last customer longest ago first. Ties (two visits with the same time in)
/// keep the earlier consultant in rota order first.
pub fn queue(order: &[String], visits: &[RotaVisit], away: &BTreeSet<String>) -> RotaQueue {
    let mut turn: Vec<String> = Vec::new();
    for c in order {
        if !turn.contains(c) {
            turn.push(c.clone());
        }
    }
    let rank = |c: &str| turn.iter().position(|t| t == c).unwrap_or(usize::MAX);
    let mut taking: Vec<&RotaVisit> = visits
        .iter()
        .filter(|v| v.takes_turn && rank(&v.consultant) != usize::MAX)
        .collect();
    taking.sort_by_key(|a| (a.time_in, rank(&a.consultant)));
    for v in &taking {
        if let Some(pos) = turn.iter().position(|t| *t == v.consultant) {
            let c = turn.remove(pos);
            turn.push(c);
        }
    }
    let slots = turn
        .into_iter()
        .map(|consultant| {
            let busy = visits
                .iter()
                .any(|v| v.consultant == consultant && v.time_out.is_none());
            let state = if away.contains(&consultant) {
                RotaState::Away
            } else if busy {
                RotaState::WithCustomer
            } else {
                RotaState::Free
            };
            let taken_today = taking.iter().filter(|v| v.consultant == consultant).count();
            RotaSlot {
                consultant,
                state,
                taken_today: u32::try_from(taken_today).unwrap_or(u32::MAX),
            }
        })
        .collect();
    RotaQueue { slots }
}

/// The day's rota order to show when the manager has not set one: the stored order (if any),
/// then every other consultant of `known` in the order given, without duplicates.
pub fn effective_order(stored: &[String], known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in stored.iter().chain(known) {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

/// Move the consultant at `index` one place up (`up = true`) or down in `order`. Out-of-range
/// moves leave the order as it is.
pub fn move_in_order(order: &[String], index: usize, up: bool) -> Vec<String> {
    let mut out = order.to_vec();
    let other = if up {
        index.checked_sub(1)
    } else {
        index.checked_add(1).filter(|i| *i < out.len())
    };
    if let Some(other) = other
        && index < out.len()
    {
        out.swap(index, other);
    }
    out
}

/// The id of a store's rota record for `date`: the same on every device, so tablets that create
/// the day's rota offline at the same time write one record.
///
/// It is a valid UUIDv7 (the sync engine's record ids): the timestamp is the date's midnight
/// (UTC, a stable stamp, not the local instant) and the other bits a fixed hash (FNV-1a) of
/// `reception_rota`, the store id and the date.
pub fn rota_record_id(store_id: &str, date: NaiveDate) -> Uuid {
    let key = format!("reception_rota/{store_id}/{}", date.format("%Y-%m-%d"));
    let a = fnv1a(0xcbf2_9ce4_8422_2325, key.as_bytes()).to_be_bytes();
    let b = fnv1a(0x6c62_272e_07bb_0142, key.as_bytes()).to_be_bytes();
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&a);
    random[8..].copy_from_slice(&b[..2]);
    let millis = date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .and_then(|ms| u64::try_from(ms).ok())
        .unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

/// [`rota_record_id`] of a stored date (`YYYY-MM-DD`); `None` when it is not a date.
pub fn rota_record_id_of(store_id: &str, date: &str) -> Option<Uuid> {
    chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .ok()
        .map(|d| rota_record_id(store_id, d))
}

fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Who receives a visit logged at reception: a sales consultant logs for themself (`me`); anyone
/// else (the receptionist's or manager's desk) for the consultant they picked, else the rota's
/// next up. `None` when nobody can take it.
pub fn receiving_consultant(
    me: Option<&str>,
    picked: Option<&str>,
    queue: Option<&RotaQueue>,
) -> Option<String> {
    me.or(picked)
        .or_else(|| queue.and_then(RotaQueue::next_up))
        .filter(|c| !c.trim().is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 14)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn ids(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn visit(c: &str, time_in: NaiveDateTime, time_out: Option<NaiveDateTime>) -> RotaVisit {
        RotaVisit {
            consultant: c.into(),
            time_in,
            time_out,
            takes_turn: true,
        }
    }

    fn none() -> BTreeSet<String> {
        BTreeSet::new()
    }

    fn states(q: &RotaQueue) -> Vec<(&str, RotaState)> {
        q.slots
            .iter()
            .map(|s| (s.consultant.as_str(), s.state))
            .collect()
    }

    #[test]
    fn morning_order_before_anyone_takes_a_customer() {
        let q = queue(&ids(&["王芳", "赵磊", "钱丽"]), &[], &none());
        assert_eq!(q.next_up(), Some("王芳"));
        assert_eq!(q.up_order(), vec!["王芳", "赵磊", "钱丽"]);
    }

    #[test]
    fn a_consultant_with_a_customer_is_skipped_then_goes_to_the_back() {
        let order = ids(&["王芳", "赵磊", "钱丽"]);
        // 王芳 takes a customer at 9:05 and is still with them.
        let visits = [visit("王芳", at(9, 5), None)];
        let q = queue(&order, &visits, &none());
        assert_eq!(q.next_up(), Some("赵磊"));
        assert_eq!(
            states(&q),
            vec![
                ("赵磊", RotaState::Free),
                ("钱丽", RotaState::Free),
                ("王芳", RotaState::WithCustomer)
            ]
        );
        // 赵磊 takes the next at 9:10; the customer of 王芳 leaves at 9:20: 钱丽 is up, then 王芳.
        let visits = [
            visit("王芳", at(9, 5), Some(at(9, 20))),
            visit("赵磊", at(9, 10), None),
        ];
        let q = queue(&order, &visits, &none());
        assert_eq!(q.up_order(), vec!["钱丽", "王芳"]);
        assert_eq!(q.slots[2].taken_today, 1);
    }

    #[test]
    fn never_abandons_a_first_customer_even_when_everyone_else_is_busy() {
        let order = ids(&["王芳", "赵磊"]);
        let visits = [visit("王芳", at(9, 0), None), visit("赵磊", at(9, 1), None)];
        let q = queue(&order, &visits, &none());
        assert_eq!(q.next_up(), None, "nobody is free: nobody is offered");
        assert!(q.slots.iter().all(|s| s.state == RotaState::WithCustomer));
    }

    #[test]
    fn away_is_skipped_but_keeps_the_place() {
        let order = ids(&["王芳", "赵磊", "钱丽"]);
        let away: BTreeSet<String> = ["王芳".to_string()].into();
        let q = queue(&order, &[], &away);
        assert_eq!(q.next_up(), Some("赵磊"));
        assert_eq!(q.slots[0].state, RotaState::Away);
        // Back from the break: first again, as nobody has taken a customer.
        assert_eq!(queue(&order, &[], &none()).next_up(), Some("王芳"));
    }

    #[test]
    fn turn_order_follows_the_last_customer_taken() {
        let order = ids(&["A", "B", "C"]);
        let visits = [
            visit("A", at(9, 0), Some(at(9, 30))),
            visit("B", at(9, 10), Some(at(9, 20))),
            visit("C", at(9, 40), Some(at(10, 0))),
            visit("A", at(10, 5), Some(at(10, 30))),
        ];
        // Given out of time order: the rule sorts them.
        let mut shuffled = visits.to_vec();
        shuffled.reverse();
        let q = queue(&order, &shuffled, &none());
        assert_eq!(q.up_order(), vec!["B", "C", "A"]);
        assert_eq!(
            q.slots.iter().map(|s| s.taken_today).collect::<Vec<_>>(),
            vec![1, 1, 2]
        );
    }

    #[test]
    fn visits_that_do_not_take_a_turn_still_keep_the_consultant_busy() {
        let order = ids(&["A", "B"]);
        let mut phone = visit("A", at(9, 0), Some(at(9, 5)));
        phone.takes_turn = false;
        let q = queue(&order, &[phone.clone()], &none());
        assert_eq!(
            q.next_up(),
            Some("A"),
            "a phone call does not use up the turn"
        );
        let mut returning = visit("A", at(9, 10), None);
        returning.takes_turn = false;
        let q = queue(&order, &[phone, returning], &none());
        assert_eq!(q.next_up(), Some("B"), "busy with a return customer");
        assert_eq!(q.slots[0].state, RotaState::WithCustomer);
    }

    #[test]
    fn strangers_and_duplicates_are_ignored() {
        let order = ids(&["A", "B", "A"]);
        let visits = [visit("经理", at(9, 0), None)];
        let q = queue(&order, &visits, &none());
        assert_eq!(q.slots.len(), 2);
        assert_eq!(q.next_up(), Some("A"));
        assert_eq!(queue(&[], &visits, &none()).next_up(), None);
    }

    #[test]
    fn same_time_in_keeps_the_rota_order() {
        let order = ids(&["A", "B", "C"]);
        let visits = [
            visit("B", at(9, 0), Some(at(9, 1))),
            visit("A", at(9, 0), Some(at(9, 1))),
        ];
        assert_eq!(
            queue(&order, &visits, &none()).up_order(),
            vec!["C", "A", "B"]
        );
    }

    #[test]
    fn a_consultant_receives_for_themself_the_desk_for_the_pick_or_the_next_up() {
        let q = queue(&ids(&["wang", "li"]), &[], &none());
        assert_eq!(
            receiving_consultant(Some("li"), Some("wang"), Some(&q)),
            Some("li".into())
        );
        assert_eq!(
            receiving_consultant(None, Some("li"), Some(&q)),
            Some("li".into())
        );
        assert_eq!(
            receiving_consultant(None, None, Some(&q)),
            Some("wang".into())
        );
        assert_eq!(receiving_consultant(None, Some(""), Some(&q)), None);
        let busy = queue(&ids(&["wang"]), &[visit("wang", at(9, 0), None)], &none());
        assert_eq!(receiving_consultant(None, None, Some(&busy)), None);
        assert_eq!(receiving_consultant(None, None, None), None);
    }

    #[test]
    fn which_visits_take_a_turn() {
        use VisitSource::*;
        assert!(takes_turn(WalkIn, VisitorKind::Prospect, false));
        assert!(takes_turn(OffsiteEvent, VisitorKind::Prospect, false));
        assert!(takes_turn(Referral, VisitorKind::Prospect, false));
        assert!(!takes_turn(PhoneInquiry, VisitorKind::Prospect, false));
        assert!(!takes_turn(WalkIn, VisitorKind::Prospect, true));
        assert!(!takes_turn(WalkIn, VisitorKind::AfterSalesCustomer, false));
        assert!(!takes_turn(WalkIn, VisitorKind::NonCustomer, false));
    }

    #[test]
    fn effective_order_and_moves() {
        let order = effective_order(&ids(&["B"]), &ids(&["A", "B", "C"]));
        assert_eq!(order, ids(&["B", "A", "C"]));
        assert_eq!(move_in_order(&order, 2, true), ids(&["B", "C", "A"]));
        assert_eq!(move_in_order(&order, 0, false), ids(&["A", "B", "C"]));
        assert_eq!(move_in_order(&order, 0, true), order, "first cannot go up");
        assert_eq!(
            move_in_order(&order, 2, false),
            order,
            "last cannot go down"
        );
        assert_eq!(move_in_order(&order, 9, true), order);
    }

    #[test]
    fn rota_id_is_the_same_on_every_device_and_differs_by_store_and_day() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        let id = rota_record_id("demo", d);
        assert_eq!(id, rota_record_id("demo", d));
        assert_eq!(id.get_version_num(), 7, "a valid sync record id");
        assert_ne!(id, rota_record_id("demo", d.succ_opt().unwrap()));
        assert_ne!(id, rota_record_id("other", d));
        // Pinned: a change of the derivation would split a day's rota across app versions.
        assert_eq!(id.to_string(), "019ce9a4-8800-743a-bd79-525e4f425b29");
        assert_eq!(rota_record_id_of("demo", "2026-03-14"), Some(id));
        assert_eq!(rota_record_id_of("demo", "today"), None);
        let (secs, _) = id.get_timestamp().unwrap().to_unix();
        assert_eq!(
            secs,
            d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() as u64
        );
    }
}
