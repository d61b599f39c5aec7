//! Reading a sheet: the file's bytes → rows of text (.xlsx, or CSV in UTF-8 with or without BOM,
//! GBK / GB18030, UTF-16 LE / BE), then the header row found by scoring the first rows against
//! the known headings of the sheet's fields ([`super::map`]), blank columns left out.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Rows looked at for the header (a title block above it is rarely longer).
pub const HEADER_SEARCH_ROWS: usize = 20;

/// A table read from a file: the header cells and the data rows with their spreadsheet row
/// numbers (1-based, the header included; blank rows are left out).
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
        }
    }
}

/// The text of a CSV file and its encoding: a BOM decides (UTF-8, UTF-16 LE/BE); else UTF-16
/// without BOM when every other byte of the start is zero; else UTF-8 when valid; else GB18030
/// (a superset of GBK and GB2312, what Excel on Chinese Windows saves).
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), ReadError> {
    use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_owned(), "UTF-8"))
            .map_err(|_| ReadError::NotUtf8);
    }
    let utf16 = |enc: &'static encoding_rs::Encoding, body: &[u8], name: &'static str| {
        let (text, had_errors) = enc.decode_without_bom_handling(body);
        if had_errors {
            Err(ReadError::NotUtf8)
        } else {
            Ok((text.into_owned(), name))
        }
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(UTF_16LE, rest, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(UTF_16BE, rest, "UTF-16BE");
    }
    // UTF-16 without a BOM: ASCII characters (separators, digits) have a zero byte.
    let head = &bytes[..bytes.len().min(400) & !1];
    if head.len() >= 4 {
        let zeros = |parity: usize| {
            head.iter()
                .enumerate()
                .filter(|(i, b)| i % 2 == parity && **b == 0)
                .count()
        };
        let half = head.len() / 2;
        if zeros(1) * 3 >= half && zeros(0) == 0 {
            return utf16(UTF_16LE, bytes, "UTF-16LE");
        }
        if zeros(0) * 3 >= half && zeros(1) == 0 {
            return utf16(UTF_16BE, bytes, "UTF-16BE");
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_owned(), "UTF-8"));
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ReadError::NotUtf8);
    }
    Ok((text.into_owned(), "GB18030"))
}

/// Rows of a file: the spreadsheet row number (1-based) and the cells.
pub type Rows = Vec<(usize, Vec<String>)>;

/// Every row of the file with its spreadsheet row number (blank rows included), and the
/// encoding. `max_rows` bounds the rows read (a file far over the limit is not read whole).
pub fn read_rows(bytes: &[u8], max_rows: usize) -> Result<(Rows, &'static str), ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        Ok((read_xlsx(bytes, max_rows)?, "xlsx"))
    } else {
        let (text, encoding) = decode(bytes)?;
        Ok((read_csv(&text, max_rows)?, encoding))
    }
}

fn read_csv(text: &str, max_rows: usize) -> Result<Vec<(usize, Vec<String>)>, ReadError> {
    // The separator: the most frequent of `,` `;` tab in the first lines (a title line has none).
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| {
            text.lines()
                .take(HEADER_SEARCH_ROWS)
                .map(|l| l.bytes().filter(|b| b == d).count())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // Lines counted so far, up to `counted_to` (byte offset): counting from the last record's
    // start keeps this linear in the file's size.
    let (mut counted_to, mut lines) = (0usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Unreadable(e.to_string()))?;
        let line = match record.position() {
            Some(p) => {
                let mut start = usize::try_from(p.byte()).unwrap_or(0).min(bytes.len());
                // The position may be before the blank lines the reader skipped.
                while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                    start += 1;
                }
                if start >= counted_to {
                    lines += bytes[counted_to..start]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count();
                    counted_to = start;
                }
                lines + 1
            }
            None => out.len() + 1,
        };
        out.push((line, record.iter().map(str::to_owned).collect()));
        // The header may be below a title block: allow for it.
        if out.len() > max_rows + HEADER_SEARCH_ROWS {
            break;
        }
    }
    Ok(out)
}

fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Vec<(usize, Vec<String>)>, ReadError> {
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
        if out.len() > max_rows + HEADER_SEARCH_ROWS {
            break;
        }
    }
    Ok(out)
}

/// A cell as text: whole numbers without `.0` (phone numbers are often stored as numbers),
/// dates as `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
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

/// The table of `rows` with its header at spreadsheet row `header_row` (`None`: the best
/// scoring of the first [`HEADER_SEARCH_ROWS`] non-blank rows, the first on a tie). Blank rows
/// are left out, and so are the columns blank in the header and every data row. A blank header
/// is named by its column letter, a repeated one gets ` (2)`, ` (3)`, ….
pub fn table_of(
    rows: Vec<(usize, Vec<String>)>,
    encoding: &'static str,
    header_row: Option<usize>,
    max_rows: usize,
    known: &dyn Fn(&str) -> bool,
) -> Result<Table, ReadError> {
    let rows: Vec<(usize, Vec<String>)> = rows
        .into_iter()
        .filter(|(_, cells)| !is_blank(cells))
        .collect();
    let top: Vec<(usize, Vec<String>)> = rows.iter().take(HEADER_SEARCH_ROWS).cloned().collect();
    let at = match header_row {
        Some(n) => rows
            .iter()
            .position(|(r, _)| *r == n)
            .ok_or(ReadError::Empty)?,
        None => {
            let mut best: Option<(usize, usize)> = None;
            for (i, (_, cells)) in top.iter().enumerate() {
                let s = header_score(cells, known);
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((i, s));
                }
            }
            best.map(|(i, _)| i).ok_or(ReadError::Empty)?
        }
    };
    let mut it = rows.into_iter().skip(at);
    let (header_row, header) = it.next().ok_or(ReadError::Empty)?;
    let data: Vec<(usize, Vec<String>)> = it.collect();
    if data.len() > max_rows {
        return Err(ReadError::TooManyRows { max: max_rows });
    }
    let width = data
        .iter()
        .map(|(_, c)| c.len())
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    let used: Vec<usize> = (0..width)
        .filter(|i| {
            header.get(*i).is_some_and(|h| !h.trim().is_empty())
                || data
                    .iter()
                    .any(|(_, c)| c.get(*i).is_some_and(|v| !v.trim().is_empty()))
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
    let pick = |cells: Vec<String>| -> Vec<String> {
        if used.len() == cells.len() && used.iter().enumerate().all(|(a, b)| a == *b) {
            return cells;
        }
        used.iter()
            .map(|i| cells.get(*i).cloned().unwrap_or_default())
            .collect()
    };
    let rows = data.into_iter().map(|(n, c)| (n, pick(c))).collect();
    Ok(Table {
        columns,
        rows,
        header_row,
        encoding,
        top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(s: &str) -> bool {
        ["姓名", "手机", "车型"].contains(&s)
    }

    fn table(bytes: &[u8], header: Option<usize>) -> Result<Table, ReadError> {
        let (rows, enc) = read_rows(bytes, 100)?;
        table_of(rows, enc, header, 100, &known)
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
        assert_eq!(decode(&bom).unwrap().1, "UTF-16LE");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), (text.to_owned(), "UTF-8"));
        // Not text at all.
        assert_eq!(decode(b"\x81\x20\xff\xff"), Err(ReadError::NotUtf8));
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
        let (rows, enc) = read_rows(b"a\n1\n2\n3\n", 2).unwrap();
        assert_eq!(
            table_of(rows, enc, None, 2, &known),
            Err(ReadError::TooManyRows { max: 2 })
        );
    }

    #[test]
    fn excel_dates() {
        assert_eq!(excel_date(45_352.0), "2024-03-01");
        assert_eq!(excel_date(45_352.5), "2024-03-01 12:00:00");
        assert_eq!(number_text(13_812_345_678.0), "13812345678");
    }
}
