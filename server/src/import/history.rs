//! The rows of a past-service list from an old DMS checked: each becomes a `service_history`
//! record (date, odometer, RO number, kind, amount, advisor, note), linked to the store's C-card
//! of the same VIN (else plate). Refused: a row without a readable date or without a VIN or a
//! plate. A kind, amount or mileage that cannot be read is kept in the note with a warning; a
//! vehicle without a C-card is imported unlinked with a warning.

use std::collections::{HashMap, HashSet};

use domain::records::HistoryKind;
use domain::sales::Lang;
use uuid::Uuid;

use super::map::Sheet;
use super::values::plate_key;
use super::{RowChecked, check_each, kept, problem, values};

/// What the checks need besides the file.
pub struct HistoryContext<'a> {
    /// The ids of the store's past services.
    pub existing_ids: &'a HashSet<Uuid>,
    /// The store's C-cards by VIN (upper case) and by plate ([`plate_key`]).
    pub cards_by_vin: &'a HashMap<String, Uuid>,
    pub cards_by_plate: &'a HashMap<String, Uuid>,
    pub store_id: &'a str,
    pub lang: Lang,
}

/// The check of one row (its spreadsheet number and cells), rows given in file order.
/// `mapping` is field → column index.
pub fn checker<'a>(
    mapping: &'a HashMap<String, usize>,
    ctx: &'a HistoryContext<'a>,
) -> impl FnMut(usize, &[String]) -> RowChecked + 'a {
    let lang = ctx.lang;
    let (store_id, existing) = (ctx.store_id, ctx.existing_ids);
    check_each(
        mapping,
        Sheet::History,
        store_id,
        existing,
        lang,
        move |r| {
            let get = |f: &str| r.get(f);
            let mut errors = Vec::new();
            let mut warnings = Vec::new();
            let typed_date = get("date");
            let date = values::date(&typed_date);
            if date.is_none() {
                errors.push(if typed_date.is_empty() {
                    problem(
                        "date",
                        "import_date_missing",
                        lang,
                        "缺少维修日期".into(),
                        "The date of the service is missing".into(),
                    )
                } else {
                    problem(
                        "date",
                        "import_date_invalid",
                        lang,
                        format!("日期“{typed_date}”无法识别,请用 2026-03-01 的格式"),
                        format!("Date “{typed_date}” is not readable: use 2026-03-01"),
                    )
                });
            }
            let vin = get("vin").to_uppercase();
            let plate = get("plate");
            if vin.is_empty() && plate.is_empty() {
                errors.push(problem(
                    "vin",
                    "import_vehicle_missing",
                    lang,
                    "缺少 VIN 或车牌,无法确定车辆".into(),
                    "Neither a VIN nor a plate: the vehicle is unknown".into(),
                ));
            }
            let card = ctx
                .cards_by_vin
                .get(&vin)
                .filter(|_| !vin.is_empty())
                .or_else(|| {
                    ctx.cards_by_plate
                        .get(&plate_key(&plate))
                        .filter(|_| !plate.is_empty())
                })
                .copied();
            if card.is_none() && errors.is_empty() {
                warnings.push(problem(
                "vin",
                "import_vehicle_unknown",
                lang,
                "本店没有这辆车的C卡,记录已导入但未关联客户(先导入客户和车辆可关联)".into(),
                "No C-card of the store has this vehicle; imported without a customer (import the customers and vehicles first to link it)".into(),
            ));
            }
            let mut notes: Vec<String> = Vec::new();
            let typed_kind = get("kind");
            let kind = if typed_kind.is_empty() {
                HistoryKind::Other
            } else {
                values::history_kind(&typed_kind).unwrap_or_else(|| {
                warnings.push(problem(
                    "kind",
                    "import_kind_unknown",
                    lang,
                    format!("类型“{typed_kind}”无法识别,记为“其他”,原文保留在备注"),
                    format!("Kind “{typed_kind}” is not recognised; recorded as other, the word kept in the note"),
                ));
                notes.push(typed_kind.clone());
                HistoryKind::Other
            })
            };
            let mut fields: Vec<(&'static str, serde_json::Value)> = Vec::new();
            for (f, read, zh, en) in [
                (
                    "odometer",
                    values::odometer as fn(&str) -> Option<String>,
                    "里程",
                    "Mileage",
                ),
                ("amount", values::amount, "金额", "Amount"),
            ] {
                let typed = get(f);
                if typed.is_empty() {
                    continue;
                }
                match read(&typed) {
                    Some(v) => fields.push((f, v.into())),
                    None => {
                        warnings.push(kept(f, "import_number_invalid", lang, &typed, zh, en));
                        notes.push(format!("{zh}:{typed}"));
                    }
                }
            }
            let record = date.map(|date| {
                let mut all: Vec<(&'static str, serde_json::Value)> =
                    vec![("date", date.into()), ("kind", kind.as_str().into())];
                if let Some(c) = card {
                    all.push(("c_card_id", c.to_string().into()));
                }
                if !vin.is_empty() {
                    all.push(("vin", vin.clone().into()));
                }
                if !plate.is_empty() {
                    all.push(("plate", plate.to_uppercase().into()));
                }
                for f in ["ro_number", "advisor"] {
                    let v = get(f);
                    if !v.is_empty() {
                        all.push((f, v.chars().take(200).collect::<String>().into()));
                    }
                }
                let note = get("note");
                if !note.is_empty() {
                    notes.insert(0, note);
                }
                if !notes.is_empty() {
                    all.push((
                        "note",
                        notes
                            .join(";")
                            .chars()
                            .take(1000)
                            .collect::<String>()
                            .into(),
                    ));
                }
                all.extend(fields);
                (all, Vec::new())
            });
            r.errors = errors;
            r.warnings.extend(warnings);
            record
        },
    )
}
