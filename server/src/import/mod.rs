//! Importing a store's existing sheets: A-cards (意向客户), customers and their vehicles (C卡) and
//! past services from an old DMS (`service_history`). The HTTP side is
//! [`crate::routes::sales_io`].
//!
//! - [`read`]: the file → rows, read as a stream (.xlsx; CSV in UTF-8 with or without BOM,
//!   GBK / GB18030, UTF-16, decoded as read by [`stream`]), the header row found by its known
//!   headings (a title block above it skipped), blank columns left out;
//! - [`map`]: the sheets, their fields and the headings stores write for them;
//! - [`values`]: sources and their synonyms, grades, dates (Excel serials or text), yes/no,
//!   service kinds, amounts, mileages;
//! - [`people`]: the names in the sheet matched to users, or where the manager said;
//! - [`a_card`], [`c_card`], [`history`]: the row checks of each sheet, one row at a time
//!   ([`check_each`]).
//!
//! Every row becomes a record whose id is derived from the store, the sheet and the row's
//! cells ([`row_id`]): importing the same file again (or resending a batch after a cut
//! network or a restart) finds the record there and adds nothing. A value that cannot be read
//! is kept as written with a warning; a row is refused only when it cannot be a record at all
//! (no name or no readable phone on a card, no date on a past service).
//!
//! The store's `sales_settings` record is read by `domain::sales::settings::StoreSettings`: each element
//! of the `models` set is the JSON of a `CatalogueModel` (`{"code","name_zh","name_en",
//! "on_sale"}`), each element of `fleet` is `{"id","model","plate","vin"}` and each element of
//! `routes` is `{"id","name_zh","name_en","km"}`.

pub mod a_card;
pub mod c_card;
pub mod history;
pub mod map;
pub mod people;
pub mod read;
pub mod stream;
pub mod values;

use std::collections::{HashMap, HashSet};

use domain::sales::Lang;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

pub use a_card::ImportContext;
pub use map::Sheet;
pub use read::{Input, ReadError, Shape, Source, Table, column_letter};

/// The element of the `models` set of `sales_settings` for one catalogue model (the domain's,
/// re-exported for the server's callers). The catalogue itself is read by
/// [`domain::sales::settings::StoreSettings::of`], the one reader of the store's settings.
pub use domain::sales::settings::model_element;

/// The A-card fields an import can fill, in the order the screen lists them.
pub const FIELDS: [&str; 11] = [
    "name",
    "phone",
    "intended_model",
    "grade",
    "source",
    "district",
    "consultant",
    "first_contact_at",
    "next_follow_up",
    "budget",
    "current_car",
];

/// The A-card fields every mapping must map.
pub const REQUIRED: [&str; 3] = ["name", "phone", "intended_model"];

/// Reads an .xlsx (first sheet) or a CSV whole as an A-card list: the header row is found by
/// its known headings ([`Source::shape`]).
pub fn read_table(input: Input, max_rows: usize) -> Result<Table, ReadError> {
    Source::new(input)?.table(None, max_rows, &|h| map::is_known(Sheet::ACards, h))
}

/// The first pass over a sheet of `kind` ([`Source::shape`]): its header at spreadsheet row
/// `header_row` (`None`: found by its headings), its columns and the number of its rows.
pub fn shape_of(
    source: &Source,
    kind: Sheet,
    header_row: Option<usize>,
    max_rows: usize,
) -> Result<Shape, ReadError> {
    source.shape(header_row, max_rows, &|h| map::is_known(kind, h))
}

/// For each A-card field, the first column whose header is one of its common names.
pub fn suggest_mapping(columns: &[String]) -> HashMap<String, String> {
    map::suggest(Sheet::ACards, columns)
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    /// The field (`name`, `phone`, `intended_model`, `grade`, `vin`, `date`, …).
    pub field: String,
    /// A stable code, e.g. `phone_invalid_mobile`, `import_source_unknown`.
    pub code: String,
    /// The problem in the user's language.
    pub message: String,
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Written now.
    New,
    /// Already in the store (an earlier import of the same row, or the same row twice).
    Existing,
    /// Not written (`errors` say why).
    Refused,
}

/// The result of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowReport {
    /// The spreadsheet row number.
    pub row: usize,
    /// Not refused.
    pub ok: bool,
    pub outcome: Outcome,
    /// Why the row was refused.
    pub errors: Vec<RowError>,
    /// What was kept as written or noted (the row is imported).
    #[serde(default)]
    pub warnings: Vec<RowError>,
}

/// A row to write: the record's derived id and its scalar fields and tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodRow {
    pub row: usize,
    pub record_id: Uuid,
    pub fields: Vec<(&'static str, serde_json::Value)>,
    /// Elements of the record's `tags` set (A-cards): a platform, a name kept as written.
    pub tags: Vec<String>,
}

/// A record id derived from the store, the sheet and the row's cells (trimmed): the same row of
/// the same store is the same record, whatever file or batch brings it. A version 7 UUID as
/// every id the sync accepts ([`derived_v7`]).
pub fn row_id(store_id: &str, sheet: Sheet, cells: &[String]) -> Uuid {
    let mut h = Sha256::new();
    h.update(store_id.as_bytes());
    h.update([0x1e]);
    h.update(sheet.as_str().as_bytes());
    for c in cells {
        h.update([0x1f]);
        h.update(c.trim().as_bytes());
    }
    derived_v7(&h.finalize())
}

/// A version 7 UUID from a digest: its time part within 2020-01-01 + 2^32 ms (about 50 days),
/// its random part the digest's, so ids derived from different rows differ.
fn derived_v7(digest: &[u8]) -> Uuid {
    const BASE_MS: u64 = 1_577_836_800_000;
    let mut t = [0u8; 4];
    t.copy_from_slice(&digest[..4]);
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[4..14]);
    domain::sync::new_id(BASE_MS + u64::from(u32::from_be_bytes(t)), random)
}

/// The id of the `n`th op of the import of record `record_id` (derived too: a resent batch is
/// the same ops).
pub fn op_id(record_id: Uuid, n: usize) -> Uuid {
    let mut h = Sha256::new();
    h.update(b"import-op");
    h.update(record_id.as_bytes());
    h.update(n.to_be_bytes());
    derived_v7(&h.finalize())
}

pub(crate) fn problem(field: &str, code: &str, lang: Lang, zh: String, en: String) -> RowError {
    RowError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
    }
}

/// A row being checked by a sheet's rules ([`check_each`]).
pub(crate) struct Row<'a> {
    /// The spreadsheet row number.
    pub number: usize,
    pub cells: &'a [String],
    mapping: &'a HashMap<String, usize>,
    /// The store holds the record already (an earlier import of the row).
    pub exists: bool,
    /// The earlier row of the file this one repeats cell for cell (imported once).
    pub repeated: Option<usize>,
    /// Why the row is refused.
    pub errors: Vec<RowError>,
    /// What was kept as written or noted.
    pub warnings: Vec<RowError>,
}

impl Row<'_> {
    /// The trimmed cell of `field` ("" when unmapped or blank).
    pub fn get(&self, field: &str) -> String {
        self.mapping
            .get(field)
            .and_then(|i| self.cells.get(*i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }
}

/// What a row would be written as: its scalar fields and its tags.
pub(crate) type Fields = (Vec<(&'static str, serde_json::Value)>, Vec<String>);

/// The report of one row and, when it is to be written, the row.
pub type RowChecked = (RowReport, Option<GoodRow>);

/// The row check every sheet shares, one row at a time (the file is read as a stream): the
/// returned function takes a row (its spreadsheet number and cells), derives its id, notes
/// whether the store has it (`existing_ids`) and whether an earlier row of the file is the same
/// (warned `import_same_row`); then the sheet's `check` adds the row's errors and warnings and
/// returns the fields it would write (`None` when it cannot be a record). A row with errors is
/// refused; one the store has, or a repeat, is `existing`; else its record is written. What it
/// keeps across rows is the id of each row seen (not its cells).
pub(crate) fn check_each<'a>(
    mapping: &'a HashMap<String, usize>,
    sheet: Sheet,
    store_id: &'a str,
    existing_ids: &'a HashSet<Uuid>,
    lang: Lang,
    mut check: impl FnMut(&mut Row<'_>) -> Option<Fields> + 'a,
) -> impl FnMut(usize, &[String]) -> RowChecked + 'a {
    // Record id → the first row that had it.
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    move |number, cells| {
        let id = row_id(store_id, sheet, cells);
        let repeated = seen.get(&id).copied();
        let mut row = Row {
            number,
            cells,
            mapping,
            exists: existing_ids.contains(&id),
            repeated,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        if let Some(first) = repeated {
            row.warnings.push(problem(
                "",
                "import_same_row",
                lang,
                format!("与第 {first} 行完全相同,只导入一次"),
                format!("The same as row {first}; imported once"),
            ));
        }
        let fields = check(&mut row);
        if row.errors.is_empty() {
            seen.entry(id).or_insert(number);
        }
        let outcome = if !row.errors.is_empty() {
            Outcome::Refused
        } else if row.exists || repeated.is_some() {
            Outcome::Existing
        } else {
            Outcome::New
        };
        let good = match (outcome, fields) {
            (Outcome::New, Some((fields, tags))) => Some(GoodRow {
                row: number,
                record_id: id,
                fields,
                tags,
            }),
            _ => None,
        };
        let report = RowReport {
            row: number,
            ok: outcome != Outcome::Refused,
            outcome,
            errors: row.errors,
            warnings: row.warnings,
        };
        (report, good)
    }
}

/// The warning of a value kept as written.
pub(crate) fn kept(
    field: &str,
    code: &str,
    lang: Lang,
    value: &str,
    zh: &str,
    en: &str,
) -> RowError {
    problem(
        field,
        code,
        lang,
        format!("{zh}“{value}”无法识别,已按原样保留"),
        format!("{en} “{value}” is not recognised; kept as written"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_follow_the_row_and_the_store() {
        let row = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let a = row_id("s1", Sheet::ACards, &row(&["王建华", "13812345678"]));
        assert_eq!(
            a,
            row_id("s1", Sheet::ACards, &row(&[" 王建华", "13812345678 "]))
        );
        assert_ne!(
            a,
            row_id("s2", Sheet::ACards, &row(&["王建华", "13812345678"]))
        );
        assert_ne!(
            a,
            row_id("s1", Sheet::CCards, &row(&["王建华", "13812345678"]))
        );
        assert_ne!(
            a,
            row_id("s1", Sheet::ACards, &row(&["王建华1", "3812345678"]))
        );
        assert_ne!(op_id(a, 0), a);
        assert_ne!(op_id(a, 0), op_id(a, 1));
        assert_eq!(a.get_version_num(), 7);
        assert_eq!(op_id(a, 0).get_version_num(), 7);
        assert_eq!(op_id(a, 0), op_id(a, 0));
    }
}
