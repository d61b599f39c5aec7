//! The rows of an A-card list (意向客户登记表) checked: the A-card rules for the name and the
//! phone; the model, grade, source and dates read as stores write them (kept as written with a
//! warning when unknown); the consultant matched to a user; the same phone twice imported and
//! left to the 撞单 queue (`domain::sales::duplicate`: the card with the earliest first contact
//! owns the customer).

use std::collections::{HashMap, HashSet};

use domain::sales::a_card::{ACardDraft, ACardError, Catalogue, validate};
use domain::sales::grade::{CadenceSettings, SleepSettings};
use domain::sales::imported::imported_next_follow_up;
use domain::sales::{Lang, UserError};
use uuid::Uuid;

use super::map::{Sheet, heading_key};
use super::people::{Assigned, People};
use super::{RowChecked, RowError, check_each, kept, problem, values};

/// The tag of an A-card's online platform as the sheet named it (`平台:汽车之家`).
pub const PLATFORM_TAG: &str = "平台:";
/// The tag of a consultant's name kept as written (`原顾问:张伟`).
pub const CONSULTANT_TAG: &str = "原顾问:";

/// What the checks need besides the file.
pub struct ImportContext<'a> {
    pub catalogue: &'a Catalogue,
    /// Canonical phones of the store's live A-cards → the customer's name.
    pub existing_phones: &'a HashMap<String, String>,
    /// The ids of the store's records of the sheet's type (rows already imported).
    pub existing_ids: &'a HashSet<Uuid>,
    /// The store's users and the manager's choices for the names in the sheet.
    pub people: &'a People,
    pub store_id: &'a str,
    /// Store-local now, `YYYY-MM-DDTHH:MM:SS`: the first contact of rows without one; its day
    /// is the import day of [`imported_next_follow_up`].
    pub now_local: String,
    /// The store's follow-up cadence and sleeping days: the next follow-up of a row without one.
    pub cadence: CadenceSettings,
    pub sleep: SleepSettings,
    pub lang: Lang,
}

fn a_card_field(e: &ACardError) -> &'static str {
    match e {
        ACardError::NameMissing | ACardError::NameIncomplete | ACardError::NameInvalid => "name",
        ACardError::PhoneMissing | ACardError::PhoneInvalid(_) => "phone",
        ACardError::ModelMissing | ACardError::ModelNotInCatalogue | ACardError::ModelNotOnSale => {
            "intended_model"
        }
        ACardError::BudgetRange => "budget",
        ACardError::GradeMissing => "grade",
    }
}

/// A model typed as its code, its Chinese or its English name (case and spaces ignored) → its code.
pub(crate) fn model_code(catalogue: &Catalogue, typed: &str) -> String {
    let key = heading_key(typed);
    catalogue
        .models
        .iter()
        .find(|m| {
            heading_key(&m.code) == key
                || heading_key(&m.name_zh) == key
                || heading_key(&m.name_en) == key
        })
        .map_or_else(|| typed.trim().to_owned(), |m| m.code.clone())
}

/// The warning of a person kept as written.
pub(crate) fn person_kept(field: &str, name: &str, left: bool, lang: Lang) -> RowError {
    if left {
        problem(
            field,
            "import_person_left",
            lang,
            format!("“{name}”已离职,未分配顾问(保留原名)"),
            format!("“{name}” has left; no one assigned (name kept as written)"),
        )
    } else {
        problem(
            field,
            "import_person_unknown",
            lang,
            format!("本店没有“{name}”,未分配顾问(保留原名)"),
            format!("There is no “{name}” in this store; no one assigned (name kept as written)"),
        )
    }
}

/// The check of one row (its spreadsheet number and cells), rows given in file order.
/// `mapping` is field → column index.
pub fn checker<'a>(
    mapping: &'a HashMap<String, usize>,
    ctx: &'a ImportContext<'a>,
) -> impl FnMut(usize, &[String]) -> RowChecked + 'a {
    let lang = ctx.lang;
    // Canonical phone → the first row that had it.
    let mut seen_phone: HashMap<String, usize> = HashMap::new();
    let (store_id, existing) = (ctx.store_id, ctx.existing_ids);
    check_each(mapping, Sheet::ACards, store_id, existing, lang, move |r| {
        let get = |f: &str| r.get(f);
        let (exists, repeated, row) = (r.exists, r.repeated, r.number);
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut tags = Vec::new();
        let typed_model = get("intended_model");
        let draft = ACardDraft {
            full_name: get("name"),
            phone: get("phone"),
            intended_model: if typed_model.is_empty() {
                String::new()
            } else {
                model_code(ctx.catalogue, &typed_model)
            },
            ..Default::default()
        };
        if let Err(problems) = validate(&draft, ctx.catalogue) {
            for p in problems {
                let e = RowError {
                    field: a_card_field(&p).to_owned(),
                    code: p.code().to_owned(),
                    message: p.message(lang),
                };
                // A model the catalogue does not (or no longer) sell is kept as written.
                if matches!(
                    p,
                    ACardError::ModelNotInCatalogue | ACardError::ModelNotOnSale
                ) {
                    warnings.push(RowError {
                        message: match lang {
                            Lang::Zh => format!("{},已按原样保留", e.message),
                            Lang::En => format!("{}; kept as written", e.message),
                        },
                        ..e
                    });
                } else {
                    errors.push(e);
                }
            }
        }
        let phone = domain::sales::phone::normalise(&draft.phone).ok();
        if let Some(p) = &phone
            && !exists
            && repeated.is_none()
        {
            if let Some(owner) = ctx.existing_phones.get(p) {
                warnings.push(problem(
                    "phone",
                    "import_duplicate_existing",
                    lang,
                    format!("本店已有该手机号的A卡(客户:{owner}),已导入并进入撞单队列,由首次接触在先的卡为准"),
                    format!("An A-card with this phone exists (customer: {owner}); imported and put in the duplicates queue, the earliest first contact owns it"),
                ));
            } else if let Some(first) = seen_phone.get(p) {
                warnings.push(problem(
                    "phone",
                    "import_duplicate_in_file",
                    lang,
                    format!("该手机号与本文件第 {first} 行相同,已导入并进入撞单队列,由首次接触在先的卡为准"),
                    format!("This phone is the same as on row {first}; imported and put in the duplicates queue, the earliest first contact owns it"),
                ));
            }
        }
        if errors.is_empty()
            && let Some(p) = &phone
        {
            seen_phone.entry(p.clone()).or_insert(row);
        }
        let grade = get("grade");
        let known_grade = values::grade(&grade);
        let grade = if grade.is_empty() {
            None
        } else if let Some(g) = known_grade {
            Some(g.as_str().to_owned())
        } else {
            warnings.push(kept(
                "grade",
                "import_grade_invalid",
                lang,
                &grade,
                "级别",
                "Grade",
            ));
            Some(grade)
        };
        let source = get("source");
        let source = if source.is_empty() {
            None
        } else if let Some(s) = values::source(&source) {
            if let Some(p) = s.platform {
                tags.push(format!("{PLATFORM_TAG}{p}"));
            }
            Some(s.source.as_str().to_owned())
        } else {
            warnings.push(kept(
                "source",
                "import_source_unknown",
                lang,
                &source,
                "客户来源",
                "Source",
            ));
            Some(source)
        };
        let consultant = get("consultant");
        let consultant_id = if consultant.is_empty() {
            None
        } else {
            match ctx.people.assign(&consultant) {
                Assigned::User(id) => Some(id),
                Assigned::Kept { name, left } => {
                    warnings.push(person_kept("consultant", &name, left, lang));
                    tags.push(format!("{CONSULTANT_TAG}{name}"));
                    None
                }
            }
        };
        let when = get("first_contact_at");
        let first_contact = if when.is_empty() {
            ctx.now_local.clone()
        } else if let Some(w) = values::when(&when) {
            w
        } else {
            warnings.push(problem(
                "first_contact_at",
                "import_date_invalid",
                lang,
                format!("日期“{when}”无法识别,首次接触记为今天"),
                format!("Date “{when}” is not readable; the first contact is today"),
            ));
            ctx.now_local.clone()
        };
        // Without a 下次跟进日期: the card's own cadence from its first contact, never all
        // overdue on the import day (`domain::sales::imported`).
        let by_cadence = || {
            let day = |t: &str| chrono::NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok();
            let last = day(&first_contact)?;
            let today = day(&ctx.now_local)?;
            Some(
                imported_next_follow_up(last, known_grade, &ctx.cadence, &ctx.sleep, today)
                    .format("%Y-%m-%d")
                    .to_string(),
            )
        };
        let next = get("next_follow_up");
        let next = if next.is_empty() {
            by_cadence()
        } else if let Some(d) = values::date(&next) {
            Some(d)
        } else {
            warnings.push(problem(
                "next_follow_up",
                "import_date_invalid",
                lang,
                format!("日期“{next}”无法识别,下次跟进按级别的跟进频率排定"),
                format!("Date “{next}” is not readable; the next follow-up is set by the grade's cadence"),
            ));
            by_cadence()
        };
        let record = phone.map(|phone| {
            let mut fields: Vec<(&'static str, serde_json::Value)> = vec![
                ("name", draft.full_name.trim().into()),
                ("phone", phone.clone().into()),
                ("intended_model", draft.intended_model.into()),
                ("first_contact_at", first_contact.into()),
            ];
            let optional = [
                ("grade", grade),
                ("source", source),
                ("consultant_id", consultant_id),
                ("next_follow_up", next),
            ];
            for (f, v) in optional {
                if let Some(v) = v {
                    fields.push((f, v.into()));
                }
            }
            for f in ["district", "budget", "current_car"] {
                let v = get(f);
                if !v.is_empty() {
                    fields.push((f, v.chars().take(200).collect::<String>().into()));
                }
            }
            (fields, tags)
        });
        r.errors = errors;
        r.warnings.extend(warnings);
        record
    })
}
