//! Reading an existing A-card list (.xlsx or UTF-8 .csv) and checking each row with the domain
//! rules; the HTTP side is [`crate::routes::sales_io`].
//!
//! The store's `sales_settings` record is read by `domain::sales::settings::StoreSettings`: each element
//! of the `models` set is the JSON of a `CatalogueModel` (`{"code","name_zh","name_en",
//! "on_sale"}`), each element of `fleet` is `{"id","model","plate","vin"}` and each element of
//! `routes` is `{"id","name_zh","name_en","km"}`.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use domain::sales::a_card::{ACardDraft, ACardError, Catalogue, validate};
use domain::sales::grade::IntentionGrade;
use domain::sales::visit::VisitSource;
use domain::sales::{Lang, UserError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The element of the `models` set of `sales_settings` for one catalogue model (the domain's,
/// re-exported for the server's callers). The catalogue itself is read by
/// [`domain::sales::settings::StoreSettings::of`], the one reader of the store's settings.
pub use domain::sales::settings::model_element;

/// A table read from a file: the header cells and the data rows with their spreadsheet row
/// numbers (1-based, the header included; blank rows are left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Not UTF-8 (e.g. a GBK CSV).
    NotUtf8,
    /// Neither a readable .xlsx nor CSV.
    Unreadable(String),
    /// No header row.
    Empty,
    /// More data rows than allowed.
    TooManyRows { max: usize },
}

/// Reads an .xlsx (first sheet) or a UTF-8 CSV (a BOM is skipped; `,` `;` or tab separated).
/// The first non-blank row is the header.
pub fn read_table(bytes: &[u8], max_rows: usize) -> Result<Table, ReadError> {
    let raw = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        read_csv(bytes)?
    };
    let mut it = raw
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (_, header) = it.next().ok_or(ReadError::Empty)?;
    let columns: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim();
            if h.is_empty() {
                column_letter(i)
            } else {
                h.to_owned()
            }
        })
        .collect();
    let mut rows = Vec::new();
    for (n, cells) in it {
        if rows.len() == max_rows {
            return Err(ReadError::TooManyRows { max: max_rows });
        }
        rows.push((n, cells));
    }
    Ok(Table { columns, rows })
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column index.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Unreadable(e.to_string()))?;
        // The line the record starts on (counted from the bytes: blank lines and quoted line
        // breaks included).
        let line = record.position().map_or(out.len() + 1, |p| {
            let bytes = text.as_bytes();
            let mut start = usize::try_from(p.byte()).unwrap_or(0).min(bytes.len());
            // The position may be before the blank lines the reader skipped.
            while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                start += 1;
            }
            bytes[..start].iter().filter(|b| **b == b'\n').count() + 1
        });
        out.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(out)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, ReadError> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ReadError::Empty)?
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); first_col as usize];
        cells.extend(row.iter().map(cell_text));
        out.push((first_row as usize + i + 1, cells));
    }
    Ok(out)
}

/// A cell as text: whole numbers without `.0` (phone numbers are often stored as numbers),
/// dates as `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel serial date (days since 1899-12-30) as text.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let secs = (serial * 86_400.0).round() as i64;
    let at = base.and_hms_opt(0, 0, 0).unwrap_or_default() + chrono::Duration::seconds(secs);
    if secs % 86_400 == 0 {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// The A-card fields an import can fill, in the order the screen lists them.
pub const FIELDS: [&str; 10] = [
    "name",
    "phone",
    "intended_model",
    "grade",
    "source",
    "district",
    "consultant",
    "first_contact_at",
    "budget",
    "current_car",
];

/// The fields every mapping must map.
pub const REQUIRED: [&str; 3] = ["name", "phone", "intended_model"];

/// Common headers of each field (compared lower-case, without spaces, `*`, `:` and `：`).
const SYNONYMS: [(&str, &[&str]); 10] = [
    (
        "name",
        &[
            "客户姓名",
            "姓名",
            "客户名称",
            "客户名",
            "客户",
            "名字",
            "联系人",
            "name",
            "customername",
            "fullname",
            "customer",
        ],
    ),
    (
        "phone",
        &[
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
            "电话号码",
            "联系方式",
            "phone",
            "mobile",
            "tel",
            "telephone",
            "phonenumber",
            "mobilephone",
        ],
    ),
    (
        "intended_model",
        &[
            "意向车型",
            "车型",
            "意向",
            "关注车型",
            "model",
            "intendedmodel",
            "carmodel",
        ],
    ),
    (
        "grade",
        &[
            "级别",
            "意向级别",
            "客户级别",
            "等级",
            "grade",
            "level",
            "intentiongrade",
        ],
    ),
    (
        "source",
        &[
            "来源",
            "客户来源",
            "信息来源",
            "渠道",
            "source",
            "leadsource",
        ],
    ),
    (
        "district",
        &[
            "区域",
            "地区",
            "所在区域",
            "所在地",
            "住址",
            "地址",
            "district",
            "area",
            "region",
            "address",
        ],
    ),
    (
        "consultant",
        &[
            "销售顾问",
            "顾问",
            "负责人",
            "跟进人",
            "consultant",
            "salesconsultant",
            "owner",
        ],
    ),
    (
        "first_contact_at",
        &[
            "首次接触时间",
            "首次接触",
            "建卡日期",
            "建卡时间",
            "登记日期",
            "登记时间",
            "来店日期",
            "日期",
            "firstcontact",
            "firstcontactat",
            "date",
            "created",
        ],
    ),
    ("budget", &["预算", "购车预算", "budget"]),
    (
        "current_car",
        &["现有车辆", "现有车型", "现驾车型", "currentcar", "tradein"],
    ),
];

fn header_key(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | ':' | '：' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// For each field, the first column whose header is one of its common names (each column is
/// suggested for one field at most).
pub fn suggest_mapping(columns: &[String]) -> HashMap<String, String> {
    let keys: Vec<String> = columns.iter().map(|c| header_key(c)).collect();
    let mut used = vec![false; columns.len()];
    let mut out = HashMap::new();
    for (field, names) in SYNONYMS {
        // Prefer the most specific name: earlier synonyms first.
        let found = names.iter().find_map(|n| {
            keys.iter()
                .enumerate()
                .find(|(i, k)| !used[*i] && k.as_str() == *n)
                .map(|(i, _)| i)
        });
        if let Some(i) = found {
            used[i] = true;
            out.insert(field.to_owned(), columns[i].clone());
        }
    }
    out
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The A-card field (`name`, `phone`, `intended_model`, `grade`, …).
    pub field: String,
    /// A stable code, e.g. `phone_invalid_mobile`, `a_card_name_incomplete`, `import_duplicate_in_file`.
    pub code: String,
    /// The problem in the user's language.
    pub message: String,
}

/// The result of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowReport {
    /// The spreadsheet row number (the header is row 1).
    pub row: usize,
    pub ok: bool,
    pub errors: Vec<RowError>,
}

/// A good row: the A-card fields to write (name, canonical phone, model code, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodRow {
    pub row: usize,
    pub fields: Vec<(&'static str, serde_json::Value)>,
}

/// What the checks need besides the file.
pub struct ImportContext<'a> {
    pub catalogue: &'a Catalogue,
    /// Canonical phones of the store's live A-cards → the customer's name.
    pub existing_phones: &'a HashMap<String, String>,
    /// Store users by lower-case username and by display name → user id.
    pub consultants: &'a HashMap<String, String>,
    /// Store-local now, `YYYY-MM-DDTHH:MM:SS`: the first contact of rows without one.
    pub now_local: String,
    pub lang: Lang,
}

fn err(field: &str, code: &str, lang: Lang, zh: String, en: String) -> RowError {
    RowError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
    }
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
fn model_code(catalogue: &Catalogue, typed: &str) -> String {
    let key = header_key(typed);
    catalogue
        .models
        .iter()
        .find(|m| {
            header_key(&m.code) == key
                || header_key(&m.name_zh) == key
                || header_key(&m.name_en) == key
        })
        .map_or_else(|| typed.trim().to_owned(), |m| m.code.clone())
}

fn parse_source(s: &str) -> Option<VisitSource> {
    let key = header_key(s);
    VisitSource::ALL.into_iter().find(|v| {
        header_key(v.as_str()) == key
            || header_key(v.label_zh()) == key
            || header_key(v.label_en()) == key
            || v.label_zh().split('/').any(|part| header_key(part) == key)
            || matches!(
                (v, key.as_str()),
                (VisitSource::WalkIn, "展厅" | "到店" | "进店" | "自然进店")
                    | (VisitSource::PhoneInquiry, "来电" | "电话" | "phone")
                    | (VisitSource::OffsiteEvent, "车展" | "巡展" | "外展" | "活动")
                    | (VisitSource::Referral, "介绍" | "老客户介绍")
                    | (
                        VisitSource::Online,
                        "网络" | "网站" | "汽车之家" | "懂车帝" | "易车"
                    )
            )
    })
}

fn parse_grade(s: &str) -> Option<IntentionGrade> {
    let t = s.trim();
    let t = t.strip_suffix("级").unwrap_or(t);
    IntentionGrade::parse(t)
}

/// A date or date-time as typed → store-local `YYYY-MM-DDTHH:MM:SS`.
fn parse_when(s: &str) -> Option<String> {
    let s = s.trim();
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, f) {
            return Some(format!("{}T09:00:00", d.format("%Y-%m-%d")));
        }
    }
    None
}

/// Checks every row with the A-card rules and the duplicate rules. `mapping` is field →
/// column index. Returns the report of every row (in file order) and the good rows.
pub fn check_rows(
    table: &Table,
    mapping: &HashMap<String, usize>,
    ctx: &ImportContext<'_>,
) -> (Vec<RowReport>, Vec<GoodRow>) {
    let lang = ctx.lang;
    let mut reports = Vec::with_capacity(table.rows.len());
    let mut good = Vec::new();
    // Canonical phone → the first row that had it.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, cells) in &table.rows {
        let get = |field: &str| -> String {
            mapping
                .get(field)
                .and_then(|i| cells.get(*i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let mut errors = Vec::new();
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
        let valid = match validate(&draft, ctx.catalogue) {
            Ok(v) => Some(v),
            Err(problems) => {
                for p in problems {
                    errors.push(RowError {
                        field: a_card_field(&p).to_owned(),
                        code: p.code().to_owned(),
                        message: p.message(lang),
                    });
                }
                None
            }
        };
        // Duplicates: also for a row that is bad otherwise, when its phone is readable.
        let phone = domain::sales::phone::normalise(&draft.phone).ok();
        if let Some(p) = &phone {
            if let Some(owner) = ctx.existing_phones.get(p) {
                errors.push(err(
                    "phone",
                    "import_duplicate_existing",
                    lang,
                    format!("该手机号已有A卡(客户:{owner}),不能重复建卡"),
                    format!("An A-card with this phone already exists (customer: {owner})"),
                ));
            } else if let Some(first) = seen.get(p) {
                errors.push(err(
                    "phone",
                    "import_duplicate_in_file",
                    lang,
                    format!("该手机号与本文件第 {first} 行重复"),
                    format!("This phone is the same as on row {first} of this file"),
                ));
            } else {
                seen.insert(p.clone(), *row);
            }
        }
        let grade = get("grade");
        let grade = if grade.is_empty() {
            None
        } else {
            match parse_grade(&grade) {
                Some(g) => Some(g),
                None => {
                    errors.push(err(
                        "grade",
                        "import_grade_invalid",
                        lang,
                        format!("级别“{grade}”无效,只能是 H、A、B、C"),
                        format!("Grade “{grade}” is not valid: use H, A, B or C"),
                    ));
                    None
                }
            }
        };
        let source = get("source");
        let source = if source.is_empty() {
            None
        } else {
            match parse_source(&source) {
                Some(s) => Some(s),
                None => {
                    errors.push(err(
                        "source",
                        "import_source_unknown",
                        lang,
                        format!("客户来源“{source}”无法识别(自然到店、来电咨询、店外活动、转介绍、网络)"),
                        format!(
                            "Source “{source}” is unknown (walk-in, phone inquiry, off-site event, referral, online)"
                        ),
                    ));
                    None
                }
            }
        };
        let consultant = get("consultant");
        let consultant_id = if consultant.is_empty() {
            None
        } else {
            match ctx
                .consultants
                .get(&consultant.to_lowercase())
                .or_else(|| ctx.consultants.get(&consultant))
            {
                Some(id) => Some(id.clone()),
                None => {
                    errors.push(err(
                        "consultant",
                        "import_consultant_unknown",
                        lang,
                        format!("本店没有销售顾问“{consultant}”"),
                        format!("There is no consultant “{consultant}” in this store"),
                    ));
                    None
                }
            }
        };
        let when = get("first_contact_at");
        let first_contact = if when.is_empty() {
            Some(ctx.now_local.clone())
        } else {
            match parse_when(&when) {
                Some(w) => Some(w),
                None => {
                    errors.push(err(
                        "first_contact_at",
                        "import_date_invalid",
                        lang,
                        format!("日期“{when}”无法识别,请用 2026-03-01 或 2026-03-01 14:30 的格式"),
                        format!(
                            "Date “{when}” is not readable: use 2026-03-01 or 2026-03-01 14:30"
                        ),
                    ));
                    None
                }
            }
        };
        let ok = errors.is_empty();
        if let (true, Some(v), Some(phone), Some(first)) = (ok, valid, phone, first_contact) {
            let mut fields: Vec<(&'static str, serde_json::Value)> = vec![
                ("name", v.full_name.into()),
                ("phone", phone.into()),
                ("intended_model", v.intended_model.into()),
                ("first_contact_at", first.into()),
            ];
            if let Some(g) = grade {
                fields.push(("grade", g.as_str().into()));
            }
            if let Some(s) = source {
                fields.push(("source", s.as_str().into()));
            }
            if let Some(c) = consultant_id {
                fields.push(("consultant_id", c.into()));
            }
            for f in ["district", "budget", "current_car"] {
                let v = get(f);
                if !v.is_empty() {
                    fields.push((f, v.chars().take(200).collect::<String>().into()));
                }
            }
            good.push(GoodRow { row: *row, fields });
        }
        reports.push(RowReport {
            row: *row,
            ok,
            errors,
        });
    }
    (reports, good)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn csv_with_bom_and_blank_lines() {
        let t = read_table("\u{feff}姓名,手机\n\n王建华,13812345678\n".as_bytes(), 10).unwrap();
        assert_eq!(t.columns, ["姓名", "手机"]);
        assert_eq!(t.rows, [(3, vec!["王建华".into(), "13812345678".into()])]);
        assert_eq!(read_table(b"\xd5\xc5\xc8\xfd", 10), Err(ReadError::NotUtf8));
        assert_eq!(
            read_table(b"a\n1\n2\n3\n", 2),
            Err(ReadError::TooManyRows { max: 2 })
        );
    }

    #[test]
    fn suggestions() {
        let cols: Vec<String> = [
            "序号",
            "客户姓名",
            "手机号码",
            "意向车型",
            "级别",
            "Source",
            "区域",
        ]
        .map(String::from)
        .to_vec();
        let m = suggest_mapping(&cols);
        assert_eq!(m["name"], "客户姓名");
        assert_eq!(m["phone"], "手机号码");
        assert_eq!(m["intended_model"], "意向车型");
        assert_eq!(m["grade"], "级别");
        assert_eq!(m["source"], "Source");
        assert_eq!(m["district"], "区域");
        assert!(!m.contains_key("consultant"));
    }

    #[test]
    fn excel_dates() {
        assert_eq!(excel_date(45_352.0), "2024-03-01");
        assert_eq!(excel_date(45_352.5), "2024-03-01 12:00:00");
        assert_eq!(number_text(13_812_345_678.0), "13812345678");
    }
}
