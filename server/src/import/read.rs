//! Reading a sheet as a stream: the file (spooled to a temporary file by the route, or bytes in
//! memory) → rows of text, one at a time (.xlsx, or CSV in UTF-8 with or without BOM, GBK /
//! GB18030, UTF-16 LE / BE), then the header row found by scoring the first rows against the
//! known headings of the sheet's fields ([`super::map`]), blank columns left out.
//!
//! A file is read in passes ([`Source::rows`]), none of which holds more than a row:
//! [`Source::new`] decides the format and the encoding (a CSV not valid UTF-8 throughout is
//! GB18030), [`Source::shape`] finds the header, the columns and counts the data rows (a file
//! over the limit is refused before anything is written), [`Source::data_rows`] hands the data
//! rows to the caller. A CSV is decoded as it is read ([`super::stream`]). An .xlsx sheet's
//! cells are read as a stream too (calamine's cell reader over the zipped XML), but its shared
//! strings table (every distinct text of the workbook) is held while the file is read: one over
//! [`MAX_SHARED_STRINGS_BYTES`] (uncompressed) is refused before it is read.

use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::ops::ControlFlow;

use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::Encoding;

use super::stream::{Decode, LineStarts};

/// Rows looked at for the header (a title block above it is rarely longer).
pub const HEADER_SEARCH_ROWS: usize = 20;

/// The largest shared-strings table of an .xlsx read (uncompressed XML): the one part of a file
/// held whole while it is read.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 * 1024 * 1024;

/// Decoded text looked at to pick a CSV's separator.
const SEPARATOR_SAMPLE_BYTES: u64 = 64 * 1024;

/// A table read from a file whole: the header cells and the data rows with their spreadsheet
/// row numbers (1-based, the header included; blank rows are left out). For small files (the
/// parts catalogue) and tests; an import reads its rows one at a time ([`Source::data_rows`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// The spreadsheet row of the header.
    pub header_row: usize,
    /// The file's encoding as read (`xlsx`, `UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`).
    pub encoding: &'static str,
    /// The first non-blank rows of the file (row number, cells), for picking another header.
    pub top: Vec<(usize, Vec<String>)>,
}

/// What the first pass over a file found: everything of a [`Table`] but its rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape {
    /// The header cells of the columns kept (a blank header is named by its column letter, a
    /// repeated one gets ` (2)`, ` (3)`, …).
    pub columns: Vec<String>,
    /// The spreadsheet row of the header.
    pub header_row: usize,
    /// The file's encoding as read.
    pub encoding: &'static str,
    /// The first non-blank rows of the file (row number, cells), for picking another header.
    pub top: Vec<(usize, Vec<String>)>,
    /// Non-blank data rows (below the header).
    pub total_rows: usize,
    /// The file's column of each of `columns`.
    used: Vec<usize>,
}

impl Shape {
    /// A data row's cells in the order of `columns`.
    fn pick(&self, cells: Vec<String>) -> Vec<String> {
        if self.used.len() == cells.len() && self.used.iter().enumerate().all(|(a, b)| a == *b) {
            return cells;
        }
        self.used
            .iter()
            .map(|i| cells.get(*i).cloned().unwrap_or_default())
            .collect()
    }
}

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Text in none of the encodings read (UTF-8, GB18030, UTF-16).
    NotUtf8,
    /// Neither a readable .xlsx nor CSV.
    Unreadable(String),
    /// No header row (or the header row asked for is not in the file).
    Empty,
    /// More data rows than allowed.
    TooManyRows { max: usize },
    /// An .xlsx whose shared strings are over `max_mb` MB uncompressed.
    SharedStringsTooLarge { max_mb: u64 },
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::InvalidData {
            ReadError::NotUtf8
        } else {
            ReadError::Unreadable(e.to_string())
        }
    }
}

impl ReadError {
    /// The refusal a person reads: HTTP status, code, zh, en (the same for every import).
    pub fn refusal(&self) -> (axum::http::StatusCode, &'static str, String, String) {
        use axum::http::StatusCode;
        match self {
            ReadError::NotUtf8 => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_not_utf8",
                "无法识别 CSV 文件的编码(支持 UTF-8、GBK/GB18030、UTF-16),请在 Excel 中另存为“CSV UTF-8”或直接上传 .xlsx"
                    .into(),
                "The CSV file's encoding is not recognised (UTF-8, GBK/GB18030 and UTF-16 are read): save it as “CSV UTF-8” in Excel, or upload the .xlsx"
                    .into(),
            ),
            ReadError::Unreadable(detail) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_file_unreadable",
                format!("无法读取文件,请上传 .xlsx 或 .csv 文件({detail})"),
                format!("The file cannot be read; upload an .xlsx or .csv file ({detail})"),
            ),
            ReadError::Empty => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "import_file_empty",
                "文件是空的,没有表头".into(),
                "The file is empty; it has no header row".into(),
            ),
            ReadError::TooManyRows { max } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "import_too_many_rows",
                format!("一次最多导入 {max} 行,请拆分文件"),
                format!("At most {max} rows per import; split the file"),
            ),
            ReadError::SharedStringsTooLarge { max_mb } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "import_xlsx_too_large",
                format!("这个 .xlsx 的文字太多(超过 {max_mb} MB),请拆分文件或另存为 CSV 再导入"),
                format!("The .xlsx holds too much text (over {max_mb} MB); split it or save it as CSV"),
            ),
        }
    }
}

/// The bytes of a file: spooled to a temporary file (an upload), or in memory.
pub enum Input {
    File(std::fs::File),
    Bytes(Vec<u8>),
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl Input {
    /// The file from its start.
    fn open(&self) -> Result<Box<dyn ReadSeek + '_>, ReadError> {
        Ok(match self {
            Input::File(f) => {
                let mut f = f;
                f.seek(SeekFrom::Start(0))?;
                Box::new(f)
            }
            Input::Bytes(b) => Box::new(Cursor::new(b.as_slice())),
        })
    }

    /// Up to `n` bytes of the start of the file.
    fn head(&self, n: u64) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        self.open()?.take(n).read_to_end(&mut out)?;
        Ok(out)
    }
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Xlsx,
    Csv {
        encoding: &'static Encoding,
        /// The length of the byte order mark.
        bom: u64,
        delimiter: u8,
    },
}

/// A file being read: its bytes, format and encoding.
pub struct Source {
    input: Input,
    format: Format,
    /// `xlsx`, `UTF-8`, `GB18030`, `UTF-16LE` or `UTF-16BE`.
    pub encoding: &'static str,
}

impl Source {
    /// The file's format and, for a CSV, its encoding: a BOM decides (UTF-8, UTF-16 LE/BE); else
    /// UTF-16 without BOM when every other byte of the start is zero; else UTF-8 when the whole
    /// file is valid UTF-8 (one pass, nothing kept); else GB18030 (a superset of GBK and
    /// GB2312, what Excel on Chinese Windows saves; a byte sequence it cannot read either is
    /// `NotUtf8` when the rows are read). Then the separator: the most frequent of `,` `;` tab
    /// in the first lines (a title line has none).
    pub fn new(input: Input) -> Result<Source, ReadError> {
        use encoding_rs::{GB18030, UTF_8, UTF_16BE, UTF_16LE};
        let head = input.head(400)?;
        if head.starts_with(b"PK\x03\x04") {
            check_shared_strings(&input, MAX_SHARED_STRINGS_BYTES)?;
            return Ok(Source {
                input,
                format: Format::Xlsx,
                encoding: "xlsx",
            });
        }
        let (encoding, bom, name) = if head.starts_with(b"\xEF\xBB\xBF") {
            (UTF_8, 3, "UTF-8")
        } else if head.starts_with(b"\xFF\xFE") {
            (UTF_16LE, 2, "UTF-16LE")
        } else if head.starts_with(b"\xFE\xFF") {
            (UTF_16BE, 2, "UTF-16BE")
        } else if let Some(le) = utf16_without_bom(&head) {
            if le {
                (UTF_16LE, 0, "UTF-16LE")
            } else {
                (UTF_16BE, 0, "UTF-16BE")
            }
        } else {
            let mut all = Decode::new(BufReader::new(input.open()?), UTF_8);
            match std::io::copy(&mut all, &mut std::io::sink()) {
                Ok(_) => (UTF_8, 0, "UTF-8"),
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => (GB18030, 0, "GB18030"),
                Err(e) => return Err(e.into()),
            }
        };
        let mut source = Source {
            input,
            format: Format::Csv {
                encoding,
                bom,
                delimiter: b',',
            },
            encoding: name,
        };
        let sample = source.text_head()?;
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| {
                sample
                    .lines()
                    .take(HEADER_SEARCH_ROWS)
                    .map(|l| l.bytes().filter(|b| b == d).count())
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(b',');
        source.format = Format::Csv {
            encoding,
            bom,
            delimiter,
        };
        Ok(source)
    }

    /// A CSV's text from its start (BOM left out), decoded.
    fn text(&self) -> Result<Decode<impl std::io::BufRead + '_>, ReadError> {
        let Format::Csv { encoding, bom, .. } = self.format else {
            return Err(ReadError::Unreadable("not a CSV file".into()));
        };
        let mut raw = self.input.open()?;
        std::io::copy(&mut (&mut raw).take(bom), &mut std::io::sink())?;
        Ok(Decode::new(BufReader::new(raw), encoding))
    }

    /// The first [`SEPARATOR_SAMPLE_BYTES`] of a CSV's text.
    fn text_head(&self) -> Result<String, ReadError> {
        let mut out = Vec::new();
        self.text()?
            .take(SEPARATOR_SAMPLE_BYTES)
            .read_to_end(&mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Every row of the file in order, with its spreadsheet row number (1-based; blank rows may
    /// be left out), until `f` breaks.
    pub fn rows(
        &self,
        f: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        match self.format {
            Format::Xlsx => self.xlsx_rows(f),
            Format::Csv { delimiter, .. } => self.csv_rows(delimiter, f),
        }
    }

    fn csv_rows(
        &self,
        delimiter: u8,
        f: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let (text, starts) = LineStarts::new(self.text()?);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text);
        let mut record = csv::StringRecord::new();
        let mut count = 0usize;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    return Err(match e.into_kind() {
                        csv::ErrorKind::Io(io) => io.into(),
                        other => ReadError::Unreadable(format!("{other:?}")),
                    });
                }
            }
            count += 1;
            // The line of the record's first cell (the reader's position may be before the
            // blank lines it skipped).
            let line = record
                .position()
                .and_then(|p| starts.line_at(p.byte()))
                .unwrap_or(count);
            if f(line, record.iter().map(str::to_owned).collect()).is_break() {
                return Ok(());
            }
        }
    }

    fn xlsx_rows(
        &self,
        f: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        let unreadable = |e: calamine::XlsxError| ReadError::Unreadable(e.to_string());
        let mut book: Xlsx<_> =
            Xlsx::new(BufReader::new(self.input.open()?)).map_err(unreadable)?;
        let name = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or(ReadError::Empty)?;
        let mut cells = book.worksheet_cells_reader(&name).map_err(unreadable)?;
        // The row being read: its 0-based index and its cells (the column is the index).
        let mut row: Option<(u32, Vec<String>)> = None;
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            if let Some((n, cells)) = row.take_if(|(n, _)| *n != r)
                && f(n as usize + 1, cells).is_break()
            {
                return Ok(());
            }
            let (_, out) = row.get_or_insert_with(|| (r, Vec::new()));
            let text = cell_text(cell.get_value());
            let c = c as usize;
            if !text.is_empty() {
                if out.len() <= c {
                    out.resize(c + 1, String::new());
                }
                out[c] = text;
            }
        }
        if let Some((n, cells)) = row {
            let _ = f(n as usize + 1, cells);
        }
        Ok(())
    }

    /// The first pass: the header row (`header_row`, else the best scoring of the first
    /// [`HEADER_SEARCH_ROWS`] non-blank rows by `known`, the first on a tie), the columns (those
    /// blank in the header and every data row left out) and the number of data rows; more than
    /// `max_rows` is `TooManyRows`.
    pub fn shape(
        &self,
        header_row: Option<usize>,
        max_rows: usize,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<Shape, ReadError> {
        let mut top: Vec<(usize, Vec<String>)> = Vec::new();
        let mut header: Option<(usize, Vec<String>)> = None;
        let mut data = DataSeen::default();
        let mut over = false;
        self.rows(&mut |n, cells| {
            if is_blank(&cells) {
                return ControlFlow::Continue(());
            }
            let in_top = top.len() < HEADER_SEARCH_ROWS;
            if in_top {
                top.push((n, cells.clone()));
            }
            match header_row {
                Some(h) if header.is_none() => {
                    if n == h {
                        header = Some((n, cells));
                    }
                }
                Some(_) => data.add(&cells),
                // The header is one of the top rows: chosen when they are all read.
                None if in_top => {
                    if top.len() == HEADER_SEARCH_ROWS {
                        header = Some(best_header(&top, known));
                        data.add_top(&top, header.as_ref());
                    }
                }
                None => data.add(&cells),
            }
            if data.rows > max_rows {
                over = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })?;
        if over {
            return Err(ReadError::TooManyRows { max: max_rows });
        }
        if header_row.is_none() && header.is_none() && !top.is_empty() {
            header = Some(best_header(&top, known));
            data.add_top(&top, header.as_ref());
        }
        let (header_row, header) = header.ok_or(ReadError::Empty)?;
        if data.rows > max_rows {
            return Err(ReadError::TooManyRows { max: max_rows });
        }
        let width = data.filled.len().max(header.len());
        let used: Vec<usize> = (0..width)
            .filter(|i| {
                header.get(*i).is_some_and(|h| !h.trim().is_empty())
                    || data.filled.get(*i).copied().unwrap_or(false)
            })
            .collect();
        let mut columns: Vec<String> = Vec::with_capacity(used.len());
        for i in &used {
            let h = header.get(*i).map(|h| h.trim()).unwrap_or("");
            let base = if h.is_empty() {
                column_letter(*i)
            } else {
                h.to_owned()
            };
            let mut name = base.clone();
            let mut n = 2;
            while columns.contains(&name) {
                name = format!("{base} ({n})");
                n += 1;
            }
            columns.push(name);
        }
        Ok(Shape {
            columns,
            header_row,
            encoding: self.encoding,
            top,
            total_rows: data.rows,
            used,
        })
    }

    /// The second pass: each non-blank row below the header of `shape`, its cells in the order
    /// of `shape.columns`, until `f` breaks.
    pub fn data_rows(
        &self,
        shape: &Shape,
        f: &mut dyn FnMut(usize, Vec<String>) -> ControlFlow<()>,
    ) -> Result<(), ReadError> {
        self.rows(&mut |n, cells| {
            if n <= shape.header_row || is_blank(&cells) {
                ControlFlow::Continue(())
            } else {
                f(n, shape.pick(cells))
            }
        })
    }

    /// The whole table (both passes, every row kept).
    pub fn table(
        &self,
        header_row: Option<usize>,
        max_rows: usize,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<Table, ReadError> {
        let shape = self.shape(header_row, max_rows, known)?;
        let mut rows = Vec::with_capacity(shape.total_rows);
        self.data_rows(&shape, &mut |n, cells| {
            rows.push((n, cells));
            ControlFlow::Continue(())
        })?;
        Ok(Table {
            columns: shape.columns,
            rows,
            header_row: shape.header_row,
            encoding: shape.encoding,
            top: shape.top,
        })
    }
}

/// What the first pass saw of the data rows: how many, and which columns hold a value.
#[derive(Default)]
struct DataSeen {
    rows: usize,
    filled: Vec<bool>,
}

impl DataSeen {
    fn add(&mut self, cells: &[String]) {
        self.rows += 1;
        if self.filled.len() < cells.len() {
            self.filled.resize(cells.len(), false);
        }
        for (i, c) in cells.iter().enumerate() {
            if !c.trim().is_empty() {
                self.filled[i] = true;
            }
        }
    }

    /// The top rows below the header chosen among them.
    fn add_top(&mut self, top: &[(usize, Vec<String>)], header: Option<&(usize, Vec<String>)>) {
        let Some((h, _)) = header else { return };
        for (n, cells) in top {
            if n > h {
                self.add(cells);
            }
        }
    }
}

fn best_header(top: &[(usize, Vec<String>)], known: &dyn Fn(&str) -> bool) -> (usize, Vec<String>) {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, cells)) in top.iter().enumerate() {
        let s = header_score(cells, known);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.and_then(|(i, _)| top.get(i).cloned())
        .unwrap_or_default()
}

/// An .xlsx's shared strings (the sum of the uncompressed sizes its zip declares for them) are at
/// most `max` bytes.
fn check_shared_strings(input: &Input, max: u64) -> Result<(), ReadError> {
    let unreadable = |e: zip::result::ZipError| ReadError::Unreadable(e.to_string());
    let mut zip = zip::ZipArchive::new(BufReader::new(input.open()?)).map_err(unreadable)?;
    let mut size = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(unreadable)?;
        let name = part.name().map_err(unreadable)?.to_ascii_lowercase();
        if name.ends_with("sharedstrings.xml") {
            size = size.saturating_add(part.size());
        }
    }
    if size > max {
        return Err(ReadError::SharedStringsTooLarge {
            max_mb: max / 1024 / 1024,
        });
    }
    Ok(())
}

/// UTF-16 without a BOM: ASCII characters (separators, digits) have a zero byte. `Some(true)`
/// little-endian, `Some(false)` big-endian.
fn utf16_without_bom(head: &[u8]) -> Option<bool> {
    let head = &head[..head.len().min(400) & !1];
    if head.len() < 4 {
        return None;
    }
    let zeros = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let half = head.len() / 2;
    if zeros(1) * 3 >= half && zeros(0) == 0 {
        Some(true)
    } else if zeros(0) * 3 >= half && zeros(1) == 0 {
        Some(false)
    } else {
        None
    }
}

/// A cell as text: whole numbers without `.0` (phone numbers are often stored as numbers),
/// dates as `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.
pub fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => excel_date(dt.as_f64()),
    }
}

pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel serial date (days since 1899-12-30) as text.
pub fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let secs = (serial * 86_400.0).round() as i64;
    let at = base.and_hms_opt(0, 0, 0).unwrap_or_default() + chrono::Duration::seconds(secs);
    if secs % 86_400 == 0 {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
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

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// How much a row looks like the header: the number of its cells that are a known heading
/// (`known`), and a little for being a row of several short texts (a title row is one long
/// text, a data row has numbers).
pub fn header_score(cells: &[String], known: &dyn Fn(&str) -> bool) -> usize {
    let filled: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let hits = filled.iter().filter(|c| known(c)).count();
    let texts = filled
        .iter()
        .filter(|c| c.chars().count() <= 12 && !c.chars().any(|ch| ch.is_ascii_digit()))
        .count();
    hits * 10 + if filled.len() >= 2 { texts } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(s: &str) -> bool {
        ["姓名", "手机", "车型"].contains(&s)
    }

    fn source(bytes: &[u8]) -> Result<Source, ReadError> {
        Source::new(Input::Bytes(bytes.to_vec()))
    }

    fn table(bytes: &[u8], header: Option<usize>) -> Result<Table, ReadError> {
        source(bytes)?.table(header, 100, &known)
    }

    /// The whole text of a CSV as read, and its encoding.
    fn decode(bytes: &[u8]) -> Result<(String, &'static str), ReadError> {
        let s = source(bytes)?;
        let mut text = String::new();
        s.text()?.read_to_string(&mut text)?;
        Ok((text, s.encoding))
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn encodings_are_detected() {
        let text = "姓名,手机\n王建华,13812345678\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&gbk).unwrap(), (text.to_owned(), "GB18030"));
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le).unwrap(), (text.to_owned(), "UTF-16LE"));
        assert_eq!(decode(&be).unwrap(), (text.to_owned(), "UTF-16BE"));
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(&le);
        assert_eq!(decode(&bom).unwrap(), (text.to_owned(), "UTF-16LE"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), (text.to_owned(), "UTF-8"));
        // Not text at all.
        assert_eq!(
            source(b"\x81\x20\xff\xff").and_then(|s| s.table(None, 10, &known)),
            Err(ReadError::NotUtf8)
        );
        // ASCII for a long way, then GBK: the whole file decides.
        let mut late = "姓名,手机\n".to_owned();
        late.push_str(&"Wang,13812345678\n".repeat(10_000));
        late.push_str("王建华,13812345678\n");
        let (gbk, _, _) = encoding_rs::GBK.encode(&late);
        let t = source(&gbk).unwrap().table(None, 20_000, &known).unwrap();
        assert_eq!(t.encoding, "GB18030");
        assert_eq!(
            t.rows.last().unwrap(),
            &(10_002, vec!["王建华".into(), "13812345678".into()])
        );
    }

    #[test]
    fn the_header_is_found_below_a_title_and_blank_columns_go() {
        let csv = "XX丰田4S店 意向客户(A卡)登记表,,,\n,,,\n,姓名,手机,\n,王建华,13812345678,\n\n,李四,13912345678,\n";
        let t = table(csv.as_bytes(), None).unwrap();
        assert_eq!(t.header_row, 3);
        // Column A holds only the title: blank in the header and the data, it goes.
        assert_eq!(t.columns, ["姓名", "手机"]);
        assert_eq!(
            t.rows,
            [
                (4, vec!["王建华".into(), "13812345678".into()]),
                (6, vec!["李四".into(), "13912345678".into()]),
            ]
        );
        // The top rows as they are in the file (the title too), for picking another header.
        assert_eq!(t.top.len(), 4);
        assert_eq!(t.top[0].1[0], "XX丰田4S店 意向客户(A卡)登记表");
        // Another header row, as the person picks it.
        let t = table(csv.as_bytes(), Some(1)).unwrap();
        assert_eq!(t.header_row, 1);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(table(csv.as_bytes(), Some(2)), Err(ReadError::Empty));
        // CRLF line ends and a cell over two lines: rows are numbered by the line they start on.
        let csv = "姓名,手机\r\n\r\n\"王\n建华\",138\r\n李四,139\r\n";
        let t = table(csv.as_bytes(), None).unwrap();
        assert_eq!(t.rows.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn the_header_is_chosen_among_the_first_rows_of_a_long_file() {
        let mut csv = "登记表\n".to_owned();
        for i in 0..30 {
            csv.push_str(&format!("{i},13800000{i:03}\n"));
        }
        csv.insert_str(0, "备注\n");
        // No known heading: the first of the best scoring top rows.
        let t = source(csv.as_bytes())
            .unwrap()
            .shape(None, 100, &known)
            .unwrap();
        assert_eq!(t.header_row, 1);
        assert_eq!(t.total_rows, 31);
        let csv = format!("标题\n姓名,手机\n{}", "王,138\n".repeat(40));
        let s = source(csv.as_bytes()).unwrap();
        let shape = s.shape(None, 100, &known).unwrap();
        assert_eq!((shape.header_row, shape.total_rows), (2, 40));
        assert_eq!(shape.top.len(), HEADER_SEARCH_ROWS);
        assert_eq!(
            s.shape(None, 39, &known),
            Err(ReadError::TooManyRows { max: 39 })
        );
    }

    #[test]
    fn blank_columns_and_repeated_headers() {
        let csv = "姓名,,手机,手机\n王建华,,138,139\n";
        let t = table(csv.as_bytes(), None).unwrap();
        assert_eq!(t.columns, ["姓名", "手机", "手机 (2)"]);
        assert_eq!(t.rows[0].1, ["王建华", "138", "139"]);
    }

    #[test]
    fn too_many_rows() {
        assert_eq!(table(b"a\n1\n2\n3\n", None).map(|t| t.rows.len()), Ok(3));
        assert_eq!(
            source(b"a\n1\n2\n3\n").and_then(|s| s.table(None, 2, &known)),
            Err(ReadError::TooManyRows { max: 2 })
        );
    }

    #[test]
    fn xlsx_rows_are_read_from_the_first_sheet() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 1, "客户登记表").unwrap();
        sheet.write_string(2, 1, "姓名").unwrap();
        sheet.write_string(2, 2, "手机").unwrap();
        sheet.write_string(3, 1, "王建华").unwrap();
        sheet.write_number(3, 2, 13_812_345_678.0).unwrap();
        sheet.write_string(5, 1, "李四").unwrap();
        sheet.write_string(5, 2, "13912345678").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        // Its shared strings: the six texts and the XML around them.
        let input = Input::Bytes(bytes.clone());
        assert_eq!(check_shared_strings(&input, 4096), Ok(()));
        assert_eq!(
            check_shared_strings(&input, 100),
            Err(ReadError::SharedStringsTooLarge { max_mb: 0 })
        );
        let t = table(&bytes, None).unwrap();
        assert_eq!(t.encoding, "xlsx");
        assert_eq!(
            (t.header_row, t.columns.clone()),
            (3, vec!["姓名".into(), "手机".into()])
        );
        assert_eq!(
            t.rows,
            [
                (4, vec!["王建华".into(), "13812345678".into()]),
                (6, vec!["李四".into(), "13912345678".into()]),
            ]
        );
    }

    #[test]
    fn excel_dates() {
        assert_eq!(excel_date(45_352.0), "2024-03-01");
        assert_eq!(excel_date(45_352.5), "2024-03-01 12:00:00");
        assert_eq!(number_text(13_812_345_678.0), "13812345678");
    }
}
