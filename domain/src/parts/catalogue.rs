//! The parts catalogue from a spreadsheet (零件目录导入): which column is which (common Chinese
//! and English headers), each row read and checked, and the writes: a part number already in
//! the catalogue updates that part, a new one adds a part; an opening stock (期初库存) column
//! gives a receipt.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::plan::{CatalogueEntry, part_plan};
use super::stock::{MoveKind, move_value};
use crate::plan::{Plan, PlannedWrite, Step};
use crate::records::parts::PART;

/// A catalogue field and the headers it is found under (compared without blanks, any case).
pub const HEADERS: &[(&str, &[&str])] = &[
    (
        "part_no",
        &[
            "零件号",
            "配件号",
            "件号",
            "零件编号",
            "配件编码",
            "零件编码",
            "partno",
            "partnumber",
            "part",
        ],
    ),
    (
        "name",
        &[
            "名称",
            "零件名称",
            "配件名称",
            "品名",
            "name",
            "description",
        ],
    ),
    (
        "price",
        &[
            "价格",
            "单价",
            "销售价",
            "零售价",
            "售价",
            "price",
            "unitprice",
        ],
    ),
    (
        "bin",
        &["库位", "货位", "仓位", "bin", "location", "binlocation"],
    ),
    ("supplier", &["供应商", "厂家", "supplier", "vendor"]),
    (
        "qty",
        &[
            "期初库存",
            "库存",
            "数量",
            "库存数量",
            "onhand",
            "qty",
            "stock",
            "quantity",
        ],
    ),
];

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which column holds which field (field → column index), from the header row.
pub fn columns(headers: &[String]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for (field, names) in HEADERS {
        if let Some(i) = headers
            .iter()
            .position(|h| names.iter().any(|n| squash(h) == *n))
        {
            out.insert(*field, i);
        }
    }
    out
}

/// Why a row was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowProblem {
    NoPartNumber,
    BadPrice,
    BadQty,
}

impl RowProblem {
    pub fn code(self) -> &'static str {
        match self {
            RowProblem::NoPartNumber => "part_without_number",
            RowProblem::BadPrice => "part_price_invalid",
            RowProblem::BadQty => "stock_move_bad_qty",
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            RowProblem::NoPartNumber => "缺少零件号",
            RowProblem::BadPrice => "价格不是有效金额",
            RowProblem::BadQty => "库存数量须为不小于零的整数",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            RowProblem::NoPartNumber => "No part number",
            RowProblem::BadPrice => "The price is not an amount",
            RowProblem::BadQty => "The stock must be a whole number not below zero",
        }
    }
}

/// One catalogue row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    pub entry: CatalogueEntry,
    /// Opening stock (0 when the column is missing or blank).
    pub qty: i64,
}

/// Yuan as written (`12.5`, `¥1,280.00`) in fen.
pub fn yuan_to_fen(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '¥' | '￥' | ',' | ' ' | '元'))
        .collect();
    if t.is_empty() {
        return None;
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// One row read by the columns found.
pub fn read_row(
    cols: &BTreeMap<&'static str, usize>,
    cells: &[String],
) -> Result<CatalogueRow, RowProblem> {
    let cell = |f: &str| {
        cols.get(f)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let part_no = cell("part_no");
    if part_no.is_empty() {
        return Err(RowProblem::NoPartNumber);
    }
    let price = cell("price");
    let price_fen = if price.is_empty() {
        None
    } else {
        Some(yuan_to_fen(&price).ok_or(RowProblem::BadPrice)?)
    };
    let qty_text = cell("qty");
    let qty = if qty_text.is_empty() {
        0
    } else {
        // A spreadsheet writes whole numbers as `5` or `5.0`.
        let t = qty_text.strip_suffix(".0").unwrap_or(&qty_text);
        t.parse::<i64>()
            .ok()
            .filter(|q| *q >= 0)
            .ok_or(RowProblem::BadQty)?
    };
    Ok(CatalogueRow {
        entry: CatalogueEntry {
            part_no,
            name: cell("name"),
            price_fen,
            bin: cell("bin"),
            supplier: cell("supplier"),
        },
        qty,
    })
}

/// The writes of the good rows: a part number already in the catalogue (`existing`: part
/// number → part id) updates that part, a new one gets the id `new_id` gives; an opening stock
/// above zero is a receipt. A part number twice in the file: the later row wins.
pub fn import_plan(
    rows: &[CatalogueRow],
    existing: &BTreeMap<String, Uuid>,
    mut new_id: impl FnMut() -> Uuid,
) -> Plan {
    let mut ids: BTreeMap<String, Uuid> = existing.clone();
    let mut plan = Plan::new();
    for row in rows {
        let id = *ids
            .entry(row.entry.part_no.clone())
            .or_insert_with(&mut new_id);
        let mut w = part_plan(id, &row.entry)
            .writes
            .pop()
            .unwrap_or_else(|| PlannedWrite::new(id, &PART));
        if row.qty > 0 {
            w = w.with(Step::Append(
                "moves",
                Uuid::now_v7(),
                move_value(
                    MoveKind::Receipt,
                    row.qty,
                    None,
                    None,
                    &[("note", "期初库存")],
                ),
            ));
        }
        plan.push(w);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_are_found_in_chinese_and_english() {
        let cols = columns(&strings(&[
            "零件号",
            "零件名称",
            "单价",
            "库位",
            "供应商",
            "库存",
        ]));
        assert_eq!(cols.len(), 6);
        let cols = columns(&strings(&["Part No.", "Description", "Unit price", "Bin"]));
        assert_eq!(cols.get("part_no"), Some(&0));
        assert_eq!(cols.get("price"), Some(&2));
        assert_eq!(cols.get("bin"), Some(&3));
        assert_eq!(cols.get("supplier"), None);
    }

    #[test]
    fn prices_read_as_yuan() {
        assert_eq!(yuan_to_fen("12.5"), Some(1250));
        assert_eq!(yuan_to_fen("¥1,280.00"), Some(128_000));
        assert_eq!(yuan_to_fen("80"), Some(8000));
        assert_eq!(yuan_to_fen("1.234"), None);
        assert_eq!(yuan_to_fen("abc"), None);
        assert_eq!(yuan_to_fen("-3"), None);
        assert_eq!(yuan_to_fen("."), None);
    }

    #[test]
    fn rows_are_checked() {
        let cols = columns(&strings(&["零件号", "名称", "单价", "库存"]));
        let row = read_row(&cols, &strings(&["90915-YZZE1", "机油滤芯", "45.00", "12"])).unwrap();
        assert_eq!(row.entry.price_fen, Some(4500));
        assert_eq!(row.qty, 12);
        assert_eq!(
            read_row(&cols, &strings(&["", "机油滤芯", "45", "1"])),
            Err(RowProblem::NoPartNumber)
        );
        assert_eq!(
            read_row(&cols, &strings(&["A", "x", "四十", "1"])),
            Err(RowProblem::BadPrice)
        );
        assert_eq!(
            read_row(&cols, &strings(&["A", "x", "4", "-1"])),
            Err(RowProblem::BadQty)
        );
        assert_eq!(
            read_row(&cols, &strings(&["A", "x", "", "5.0"]))
                .unwrap()
                .qty,
            5
        );
    }

    #[test]
    fn a_known_part_number_updates_its_part_and_stock_is_a_receipt() {
        let known = Uuid::from_u128(1);
        let existing = BTreeMap::from([("A".to_owned(), known)]);
        let row = |no: &str, qty| CatalogueRow {
            entry: CatalogueEntry {
                part_no: no.into(),
                name: "x".into(),
                ..CatalogueEntry::default()
            },
            qty,
        };
        let mut n = 100;
        let plan = import_plan(&[row("A", 0), row("B", 3), row("B", 0)], &existing, || {
            n += 1;
            Uuid::from_u128(n)
        });
        let ids: Vec<u128> = plan.writes.iter().map(|w| w.record_id.as_u128()).collect();
        assert_eq!(ids, vec![1, 101, 101]);
        assert!(
            plan.writes[1]
                .steps
                .iter()
                .any(|s| matches!(s, Step::Append("moves", _, _)))
        );
        assert!(
            !plan.writes[0]
                .steps
                .iter()
                .any(|s| matches!(s, Step::Append(..)))
        );
    }
}
