//! Stock as events (库存): the moves of a part, its level, what is reserved and what is
//! available, and the moves that took a level below zero.
//!
//! A move is one entry of the part's `moves` log, JSON `{"kind", "qty", …}`:
//!
//! | kind | 中文 | effect | needs |
//! |---|---|---|---|
//! | `receipt` | 入库 | + qty | (the supplier's delivery, optional) |
//! | `issue` | 出库 (领料) | − qty | the repair-order line it is issued to |
//! | `return` | 退料 (from the workshop) | + qty | the repair-order line it came back from |
//! | `supplier_return` | 退货 (to the supplier) | − qty | |
//! | `settle` | 盘点调整 (manager) | ± qty | a reason |
//!
//! `qty` is a whole number above zero (for `settle`, any whole number but zero: the signed
//! correction). The level is the sum of the moves' effects, never clipped: a level below zero
//! is what two devices issuing the last part offline produce, and it stays visible (red, with
//! [`Stock::causes`]) until a manager settles it.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::records::field::LogItem;
use crate::sync::RecordState;
use crate::time::StoreClock;

/// The kind of a stock move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MoveKind {
    /// 入库: received from a supplier.
    Receipt,
    /// 出库: issued to a repair-order line.
    Issue,
    /// 退料: came back from the workshop (a line's part not used).
    Return,
    /// 退货: sent back to the supplier.
    SupplierReturn,
    /// 调整: a manager's settlement (a count, a negative level put right).
    Settle,
}

impl MoveKind {
    pub const ALL: [MoveKind; 5] = [
        MoveKind::Receipt,
        MoveKind::Issue,
        MoveKind::Return,
        MoveKind::SupplierReturn,
        MoveKind::Settle,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Receipt => "receipt",
            MoveKind::Issue => "issue",
            MoveKind::Return => "return",
            MoveKind::SupplierReturn => "supplier_return",
            MoveKind::Settle => "settle",
        }
    }

    pub fn parse(s: &str) -> Option<MoveKind> {
        MoveKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The word a parts clerk uses.
    pub fn label_zh(self) -> &'static str {
        match self {
            MoveKind::Receipt => "入库",
            MoveKind::Issue => "出库",
            MoveKind::Return => "退料",
            MoveKind::SupplierReturn => "退货",
            MoveKind::Settle => "调整",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            MoveKind::Receipt => "Received",
            MoveKind::Issue => "Issued",
            MoveKind::Return => "Returned from workshop",
            MoveKind::SupplierReturn => "Returned to supplier",
            MoveKind::Settle => "Settled",
        }
    }

    /// Whether the move names the repair-order line it goes to or comes from.
    pub fn needs_line(self) -> bool {
        matches!(self, MoveKind::Issue | MoveKind::Return)
    }
}

/// One stock move (an entry of a part's `moves` log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMove {
    /// The log entry id (stable across devices).
    pub entry_id: Uuid,
    pub kind: MoveKind,
    /// The quantity as written: above zero, except `settle` (signed, not zero).
    pub qty: i64,
    pub ro_line_id: Option<Uuid>,
    pub ro_id: Option<Uuid>,
    /// The supplier's delivery note number (入库单号) of a receipt.
    pub delivery: Option<String>,
    pub supplier: Option<String>,
    /// A settlement's reason, or any remark.
    pub note: Option<String>,
    /// When it was written (store time).
    pub at: Option<NaiveDateTime>,
    /// Who wrote it (user id).
    pub by: String,
}

/// Why a move's JSON is not a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveProblem {
    /// `kind` missing or not one of [`MoveKind`].
    UnknownKind,
    /// `qty` is not a whole number above zero (for `settle`: not zero).
    BadQty,
    /// An issue or a return without its repair-order line.
    NoLine,
    /// A settlement without its reason.
    NoReason,
}

fn text_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn uuid_of(v: &Value, key: &str) -> Option<Uuid> {
    text_of(v, key).and_then(|s| Uuid::parse_str(&s).ok())
}

/// The checked content of a move's JSON: kind, qty, line, reason (see [`MoveProblem`]).
pub fn check_move(v: &Value) -> Result<(MoveKind, i64), MoveProblem> {
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .and_then(MoveKind::parse)
        .ok_or(MoveProblem::UnknownKind)?;
    let qty = v
        .get("qty")
        .and_then(Value::as_i64)
        .ok_or(MoveProblem::BadQty)?;
    let qty_ok = match kind {
        MoveKind::Settle => qty != 0,
        _ => qty > 0,
    };
    if !qty_ok {
        return Err(MoveProblem::BadQty);
    }
    if kind.needs_line() && uuid_of(v, "ro_line_id").is_none() {
        return Err(MoveProblem::NoLine);
    }
    if kind == MoveKind::Settle && text_of(v, "note").is_none() {
        return Err(MoveProblem::NoReason);
    }
    Ok((kind, qty))
}

impl StockMove {
    /// The move of a log entry; `None` when it is not a valid move (the policy refuses those).
    pub fn of(item: &LogItem) -> Option<StockMove> {
        let (kind, qty) = check_move(&item.value).ok()?;
        Some(StockMove {
            entry_id: item.entry_id,
            kind,
            qty,
            ro_line_id: uuid_of(&item.value, "ro_line_id"),
            ro_id: uuid_of(&item.value, "ro_id"),
            delivery: text_of(&item.value, "delivery"),
            supplier: text_of(&item.value, "supplier"),
            note: text_of(&item.value, "note"),
            at: item.written_at,
            by: item.user_id.clone(),
        })
    }

    /// The change of the level: + for receipts and returns, − for issues and supplier returns,
    /// the signed quantity for a settlement.
    pub fn delta(&self) -> i64 {
        delta_of(self.kind, self.qty)
    }
}

/// The change of the level of a move of `kind` and `qty`.
pub fn delta_of(kind: MoveKind, qty: i64) -> i64 {
    match kind {
        MoveKind::Receipt | MoveKind::Return | MoveKind::Settle => qty,
        MoveKind::Issue | MoveKind::SupplierReturn => -qty,
    }
}

/// The JSON of a new move (what a plan appends).
pub fn move_value(
    kind: MoveKind,
    qty: i64,
    ro_line_id: Option<Uuid>,
    ro_id: Option<Uuid>,
    extra: &[(&str, &str)],
) -> Value {
    let mut v = json!({"kind": kind.as_str(), "qty": qty});
    if let Some(id) = ro_line_id {
        v["ro_line_id"] = json!(id.to_string());
    }
    if let Some(id) = ro_id {
        v["ro_id"] = json!(id.to_string());
    }
    for (k, x) in extra {
        let x = x.trim();
        if !x.is_empty() {
            v[*k] = json!(x);
        }
    }
    v
}

/// The moves of a part, in log order (`(hlc, entry_id)`: the same on every device).
pub fn moves_of(part: &RecordState, clock: StoreClock) -> Vec<StockMove> {
    crate::records::field::log(part, "moves", clock)
        .iter()
        .filter_map(StockMove::of)
        .collect()
}

/// The level: the sum of the moves' effects (never clipped).
pub fn on_hand(moves: &[StockMove]) -> i64 {
    moves.iter().map(StockMove::delta).sum()
}

/// The moves that took the level below zero and kept it there: walking the moves in order,
/// the decreasing moves since the level was last at zero or above, when the final level is
/// below zero (empty otherwise).
pub fn negative_causes(moves: &[StockMove]) -> Vec<Uuid> {
    let mut level = 0i64;
    let mut causes = Vec::new();
    for m in moves {
        level += m.delta();
        if level >= 0 {
            causes.clear();
        } else if m.delta() < 0 {
            causes.push(m.entry_id);
        }
    }
    if level < 0 { causes } else { Vec::new() }
}

/// A held reservation, as the stock figures use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub reservation_id: Uuid,
    pub part_id: Uuid,
    pub qty: i64,
    pub appointment_id: Option<Uuid>,
    pub ro_id: Option<Uuid>,
}

/// One part's figures on the stock list (库存).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stock {
    pub part_id: Uuid,
    /// 在库.
    pub on_hand: i64,
    /// 预留: held for jobs.
    pub reserved: i64,
    /// 可用 = on hand − reserved (below zero when more is held than is there).
    pub available: i64,
    /// The moves that took the level below zero ([`negative_causes`]); empty when not negative.
    pub causes: Vec<Uuid>,
}

impl Stock {
    /// Shown red: the level is below zero.
    pub fn negative(&self) -> bool {
        self.on_hand < 0
    }
}

/// The figures of a part from its moves and the store's held reservations.
pub fn stock(part_id: Uuid, moves: &[StockMove], held: &[Held]) -> Stock {
    let on_hand = on_hand(moves);
    let reserved: i64 = held
        .iter()
        .filter(|h| h.part_id == part_id)
        .map(|h| h.qty.max(0))
        .sum();
    Stock {
        part_id,
        on_hand,
        reserved,
        available: on_hand - reserved,
        causes: negative_causes(moves),
    }
}

/// What may be offered to one job (an appointment or a repair order): the available stock
/// plus what is held for that job itself (a reserved part is not offered to another job,
/// but is to its own).
pub fn available_for(
    stock: &Stock,
    held: &[Held],
    appointment_id: Option<Uuid>,
    ro_id: Option<Uuid>,
) -> i64 {
    let own: i64 = held
        .iter()
        .filter(|h| h.part_id == stock.part_id)
        .filter(|h| {
            (appointment_id.is_some() && h.appointment_id == appointment_id)
                || (ro_id.is_some() && h.ro_id == ro_id)
        })
        .map(|h| h.qty.max(0))
        .sum();
    stock.available + own
}

/// Issued minus returned per repair-order line, over the moves of one part.
pub fn issued_per_line(moves: &[StockMove]) -> BTreeMap<Uuid, i64> {
    let mut out = BTreeMap::new();
    for m in moves {
        if let Some(line) = m.ro_line_id {
            match m.kind {
                MoveKind::Issue => *out.entry(line).or_default() += m.qty,
                MoveKind::Return => *out.entry(line).or_default() -= m.qty,
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(n: u128, kind: MoveKind, qty: i64) -> StockMove {
        StockMove {
            entry_id: Uuid::from_u128(n),
            kind,
            qty,
            ro_line_id: kind.needs_line().then(|| Uuid::from_u128(900 + n)),
            ro_id: None,
            delivery: None,
            supplier: None,
            note: None,
            at: None,
            by: "u".into(),
        }
    }

    #[test]
    fn the_level_is_the_sum_of_the_moves() {
        let moves = [
            mv(1, MoveKind::Receipt, 10),
            mv(2, MoveKind::Issue, 3),
            mv(3, MoveKind::Return, 1),
            mv(4, MoveKind::SupplierReturn, 2),
            mv(5, MoveKind::Settle, -1),
        ];
        assert_eq!(on_hand(&moves), 5);
        assert_eq!(on_hand(&[]), 0);
        assert!(negative_causes(&moves).is_empty());
    }

    #[test]
    fn a_negative_level_is_kept_with_the_moves_that_caused_it() {
        let moves = [
            mv(1, MoveKind::Receipt, 1),
            mv(2, MoveKind::Issue, 1),
            mv(3, MoveKind::Issue, 1),
            mv(4, MoveKind::Issue, 2),
        ];
        let s = stock(Uuid::from_u128(7), &moves, &[]);
        assert_eq!(s.on_hand, -3);
        assert!(s.negative());
        assert_eq!(s.causes, vec![Uuid::from_u128(3), Uuid::from_u128(4)]);
        // A manager's settlement puts it right; nothing is left to show red.
        let mut settled = moves.to_vec();
        settled.push(mv(5, MoveKind::Settle, 3));
        let s = stock(Uuid::from_u128(7), &settled, &[]);
        assert_eq!((s.on_hand, s.negative(), s.causes.len()), (0, false, 0));
    }

    #[test]
    fn reserved_parts_are_not_available_to_another_job() {
        let part = Uuid::from_u128(7);
        let appt = Uuid::from_u128(50);
        let held = [
            Held {
                reservation_id: Uuid::from_u128(60),
                part_id: part,
                qty: 2,
                appointment_id: Some(appt),
                ro_id: None,
            },
            Held {
                reservation_id: Uuid::from_u128(61),
                part_id: Uuid::from_u128(8),
                qty: 5,
                appointment_id: None,
                ro_id: None,
            },
        ];
        let s = stock(part, &[mv(1, MoveKind::Receipt, 3)], &held);
        assert_eq!((s.on_hand, s.reserved, s.available), (3, 2, 1));
        assert_eq!(available_for(&s, &held, None, Some(Uuid::from_u128(99))), 1);
        assert_eq!(available_for(&s, &held, Some(appt), None), 3);
    }

    #[test]
    fn a_move_is_checked_before_it_counts() {
        let line = Uuid::from_u128(5).to_string();
        assert_eq!(
            check_move(&json!({"kind": "issue", "qty": 2, "ro_line_id": line})),
            Ok((MoveKind::Issue, 2))
        );
        assert_eq!(
            check_move(&json!({"kind": "issue", "qty": 2})),
            Err(MoveProblem::NoLine)
        );
        assert_eq!(
            check_move(&json!({"kind": "receipt", "qty": 0})),
            Err(MoveProblem::BadQty)
        );
        assert_eq!(
            check_move(&json!({"kind": "receipt", "qty": -1})),
            Err(MoveProblem::BadQty)
        );
        assert_eq!(
            check_move(&json!({"kind": "receipt", "qty": 1.5})),
            Err(MoveProblem::BadQty)
        );
        assert_eq!(
            check_move(&json!({"kind": "steal", "qty": 1})),
            Err(MoveProblem::UnknownKind)
        );
        assert_eq!(
            check_move(&json!({"kind": "settle", "qty": -2})),
            Err(MoveProblem::NoReason)
        );
        assert_eq!(
            check_move(&json!({"kind": "settle", "qty": -2, "note": "盘点"})),
            Ok((MoveKind::Settle, -2))
        );
    }

    #[test]
    fn issued_per_line_nets_returns() {
        let mut a = mv(1, MoveKind::Issue, 3);
        a.ro_line_id = Some(Uuid::from_u128(5));
        let mut b = mv(2, MoveKind::Return, 1);
        b.ro_line_id = Some(Uuid::from_u128(5));
        let m = issued_per_line(&[a, b, mv(3, MoveKind::Receipt, 4)]);
        assert_eq!(m.get(&Uuid::from_u128(5)), Some(&2));
        assert_eq!(m.len(), 1);
    }
}
