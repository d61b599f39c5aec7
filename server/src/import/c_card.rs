//! The rows of a customer and vehicle list (C卡: customer, phone, VIN, plate, model, delivery
//! date, warranty end, insurance expiry, inspection date, birthday, local / out of town)
//! checked. Refused: a row without a name or a readable phone, or whose VIN another C-card of
//! the store (or an earlier row) already has. Anything else unreadable is kept as written with
//! a warning.

use std::collections::{HashMap, HashSet};

use domain::sales::Lang;
use domain::sales::a_card::Catalogue;
use domain::sales::vin::Vin;
use uuid::Uuid;

use super::a_card::{model_code, person_kept};
use super::map::Sheet;
use super::people::{Assigned, People};
use super::{RowChecked, check_each, kept, problem, values};

/// The date fields of a C-card, with their names for the warnings.
const DATES: [(&str, &str, &str); 5] = [
    ("delivery_date", "交车日期", "Delivery date"),
    ("warranty_end", "保修到期", "Warranty end"),
    ("insurance_expiry", "保险到期", "Insurance expiry"),
    ("inspection_date", "年审日期", "Inspection date"),
    ("birthday", "生日", "Birthday"),
];

/// What the checks need besides the file.
pub struct CCardContext<'a> {
    pub catalogue: &'a Catalogue,
    /// The ids of the store's C-cards.
    pub existing_ids: &'a HashSet<Uuid>,
    /// VINs (upper case) of the store's C-cards → the customer's name.
    pub existing_vins: &'a HashMap<String, String>,
    pub people: &'a People,
    pub store_id: &'a str,
    pub lang: Lang,
}

/// The check of one row (its spreadsheet number and cells), rows given in file order.
/// `mapping` is field → column index.
pub fn checker<'a>(
    mapping: &'a HashMap<String, usize>,
    ctx: &'a CCardContext<'a>,
) -> impl FnMut(usize, &[String]) -> RowChecked + 'a {
    let lang = ctx.lang;
    let mut seen_vin: HashMap<String, usize> = HashMap::new();
    let (store_id, existing) = (ctx.store_id, ctx.existing_ids);
    check_each(mapping, Sheet::CCards, store_id, existing, lang, move |r| {
        let get = |f: &str| r.get(f);
        let (exists, repeated, row) = (r.exists, r.repeated, r.number);
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let name = get("name");
        if name.is_empty() {
            errors.push(problem(
                "name",
                "import_name_missing",
                lang,
                "缺少客户姓名".into(),
                "The customer's name is missing".into(),
            ));
        }
        let phone_typed = get("phone");
        let phone = match domain::sales::phone::normalise(&phone_typed) {
            Ok(p) => Some(p),
            Err(e) => {
                use domain::sales::UserError;
                errors.push(problem(
                    "phone",
                    e.code(),
                    lang,
                    e.message(Lang::Zh),
                    e.message(Lang::En),
                ));
                None
            }
        };
        let vin_typed = get("vin");
        let vin = if vin_typed.is_empty() {
            None
        } else {
            match Vin::parse(&vin_typed) {
                Ok(v) => Some(v.as_str().to_owned()),
                Err(_) => {
                    warnings.push(kept(
                        "vin",
                        "import_vin_invalid",
                        lang,
                        &vin_typed,
                        "VIN",
                        "VIN",
                    ));
                    Some(vin_typed.to_uppercase())
                }
            }
        };
        if let (Some(v), false, None) = (&vin, exists, repeated) {
            if let Some(owner) = ctx.existing_vins.get(v) {
                errors.push(problem(
                    "vin",
                    "import_vin_exists",
                    lang,
                    format!("本店已有该 VIN 的C卡(客户:{owner}),未重复建卡"),
                    format!(
                        "A C-card with this VIN exists (customer: {owner}); not imported again"
                    ),
                ));
            } else if let Some(first) = seen_vin.get(v) {
                errors.push(problem(
                    "vin",
                    "import_vin_in_file",
                    lang,
                    format!("该 VIN 与本文件第 {first} 行相同,未重复建卡"),
                    format!("This VIN is the same as on row {first}; not imported twice"),
                ));
            }
        }
        if errors.is_empty()
            && let Some(v) = &vin
        {
            seen_vin.entry(v.clone()).or_insert(row);
        }
        let mut fields: Vec<(&'static str, serde_json::Value)> = Vec::new();
        for (f, zh, en) in DATES {
            let typed = get(f);
            if typed.is_empty() {
                continue;
            }
            match values::date(&typed) {
                Some(d) => fields.push((f, d.into())),
                None => {
                    warnings.push(kept(f, "import_date_invalid", lang, &typed, zh, en));
                    fields.push((f, typed.into()));
                }
            }
        }
        let local = get("local");
        if !local.is_empty() {
            match values::local(&local) {
                Some(b) => fields.push(("local", b.into())),
                None => warnings.push(problem(
                    "local",
                    "import_local_unknown",
                    lang,
                    format!("“{local}”无法识别为本地或外地,未记录"),
                    format!("“{local}” is neither local nor out of town; not recorded"),
                )),
            }
        }
        let consultant = get("consultant");
        if !consultant.is_empty() {
            match ctx.people.assign(&consultant) {
                Assigned::User(id) => fields.push(("consultant_id", id.into())),
                Assigned::Kept { name, left } => {
                    warnings.push(person_kept("consultant", &name, left, lang));
                }
            }
        }
        let record = phone.map(|phone| {
            let mut all: Vec<(&'static str, serde_json::Value)> = vec![
                ("name", name.clone().into()),
                ("phone", phone.clone().into()),
            ];
            if let Some(v) = vin {
                all.push(("vin", v.into()));
            }
            let plate = get("plate");
            if !plate.is_empty() {
                all.push(("plate", plate.to_uppercase().into()));
            }
            let model = get("model");
            if !model.is_empty() {
                all.push(("model", model_code(ctx.catalogue, &model).into()));
            }
            all.extend(fields);
            (all, Vec::new())
        });
        r.errors = errors;
        r.warnings.extend(warnings);
        record
    })
}
