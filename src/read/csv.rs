//! CSV and TSV: encoding detection, delimiter choice, and the undoing of the formula
//! protection our CSV writer adds.

use std::path::Path;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

use super::{GridBuilder, MAX_ROWS, too_large, unreadable};
use crate::error::Result;
use crate::grid::{Cell, Sheet, Workbook};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")
}

/// Bytes → text. UTF-8 (with or without BOM) and UTF-16 with BOM are taken as they
/// are; anything else is guessed with chardetng (biased towards Chinese), and GBK is
/// decoded as its superset GB18030. Returns the text (without BOM) and warnings.
pub(super) fn decode(file: &str, bytes: &[u8]) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let (encoding, body): (&'static Encoding, &[u8]) =
        if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
            (UTF_8, rest)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
            (UTF_16LE, rest)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
            (UTF_16BE, rest)
        } else if let Ok(text) = std::str::from_utf8(bytes) {
            return (text.to_string(), warnings);
        } else {
            let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let guess = detector.guess(Some(b"cn"), Utf8Detection::Allow);
            let guess = if guess == GBK || guess == GB18030 {
                GB18030
            } else {
                guess
            };
            (guess, bytes)
        };
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        warnings.push(format!(
            "{file}: contains bytes that are not valid in {}; replaced with \u{FFFD}",
            encoding.name()
        ));
    }
    (text.into_owned(), warnings)
}

/// The sheet name for a CSV file: its stem, or the part after the last `__`
/// (`luan_2023__公积金中心运转维护经费.csv` → `公积金中心运转维护经费`).
pub(super) fn sheet_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match stem.rfind("__") {
        Some(i) if i + 2 < stem.len() => stem[i + 2..].to_string(),
        _ => stem,
    };
    if name.is_empty() {
        "Sheet1".to_string()
    } else {
        name
    }
}

/// Tab for `.tsv` files and for a first line with tabs and no commas; comma otherwise.
fn delimiter(file: &str, text: &str) -> u8 {
    let is_tsv = Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let first_line = text.lines().next().unwrap_or_default();
    if is_tsv || (first_line.contains('\t') && !first_line.contains(',')) {
        b'\t'
    } else {
        b','
    }
}

/// Undoes Excel formula protection: `="=100%"` → `=100%`, `="a""b"` → `a"b`.
/// Anything not of exactly that form is returned unchanged.
pub(super) fn unprotect(field: &str) -> std::borrow::Cow<'_, str> {
    let Some(inner) = field
        .strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return field.into();
    };
    if field.len() < 3 {
        return field.into();
    }
    // Every quote inside must be doubled.
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        if ch == '"' && chars.next() != Some('"') {
            return field.into();
        }
        out.push(ch);
    }
    out.into()
}

/// The blank lines between the end of the previous record and the next one. `start`
/// is the csv crate's record position: just after the first byte of the previous
/// record's terminator (so the `\n` of a `\r\n` may still be ahead).
fn blank_lines_before(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = start.min(b.len());
    if i > 0 && b[i - 1] == b'\r' && b.get(i) == Some(&b'\n') {
        i += 1;
    }
    let mut n = 0;
    while i < b.len() {
        match b[i] {
            b'\r' => {
                n += 1;
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => n += 1,
            _ => break,
        }
        i += 1;
    }
    n
}

/// Parses decoded CSV/TSV text into a one-sheet workbook. Blank lines are kept as
/// empty rows so that row numbers match the file.
pub(super) fn parse(file: &str, text: &str) -> Result<Workbook> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let name = sheet_name(file);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(file, text))
        .from_reader(text.as_bytes());
    let mut grid = GridBuilder::new(file, &name);
    let mut record = ::csv::StringRecord::new();
    let mut row: u64 = 0;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = match e.position() {
                Some(p) => format!("line {}", p.line()),
                None => "an unknown line".to_string(),
            };
            unreadable(file, format!("CSV cannot be parsed at {line}: {e}"))
        })?;
        if !more {
            break;
        }
        // The csv crate skips blank lines; count them to keep row numbers right.
        if let Some(pos) = record.position() {
            row += blank_lines_before(text, pos.byte() as usize) as u64;
        }
        if row >= u64::from(MAX_ROWS) {
            return Err(too_large(
                file,
                format!("more than {MAX_ROWS} rows (the limit of a sheet)"),
            ));
        }
        for (col, field) in record.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            let col = u32::try_from(col).unwrap_or(u32::MAX);
            grid.push(row as u32, col, Cell::Text(unprotect(field).into_owned()))?;
        }
        row += 1;
    }
    let rows = grid.finish()?;
    // merges_known stays false: CSV does not keep merged areas.
    let sheet = Sheet::new(name, rows);
    Ok(Workbook {
        file: file.to_string(),
        sheets: vec![sheet],
        embedded: None,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(wb: &Workbook) -> Vec<Vec<String>> {
        wb.sheets[0]
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect()
    }

    #[test]
    fn formula_protection_is_undone() {
        assert_eq!(unprotect("=\"=100%\""), "=100%");
        assert_eq!(unprotect("=\"a\"\"b\""), "a\"b");
        assert_eq!(unprotect("=\"\""), "");
        assert_eq!(unprotect("=100%"), "=100%");
        assert_eq!(unprotect("=\"a\"b\""), "=\"a\"b\"");
        assert_eq!(unprotect("=\""), "=\"");
        assert_eq!(unprotect("x=\"1\""), "x=\"1\"");
    }

    #[test]
    fn protected_fields_read_back() {
        let wb = parse("t.csv", "a,\"=\"\"=100%\"\"\"\r\n").unwrap();
        assert_eq!(cells(&wb), vec![vec!["a", "=100%"]]);
    }

    #[test]
    fn sheet_names() {
        assert_eq!(
            sheet_name("dir/luan_2023__公积金中心运转维护经费.csv"),
            "公积金中心运转维护经费"
        );
        assert_eq!(sheet_name("yancheng_2022.csv"), "yancheng_2022");
        assert_eq!(sheet_name("a__b__c.tsv"), "c");
        assert_eq!(sheet_name("odd__.csv"), "odd__");
        assert_eq!(sheet_name(""), "Sheet1");
    }

    #[test]
    fn delimiters() {
        assert_eq!(delimiter("x.tsv", "a,b"), b'\t');
        assert_eq!(delimiter("x.TSV", "a"), b'\t');
        assert_eq!(delimiter("x.txt", "a\tb\nc,d"), b'\t');
        assert_eq!(delimiter("x.csv", "a\tb,c"), b',');
        let wb = parse("x.txt", "项目\t金额\n办公费\t1.50\n").unwrap();
        assert_eq!(
            cells(&wb),
            vec![vec!["项目", "金额"], vec!["办公费", "1.50"]]
        );
    }

    #[test]
    fn blank_lines_keep_their_rows() {
        let wb = parse("b.csv", "\r\na,b\r\n\r\n\r\nc\r\n\"x\ny\",z\n\nlast").unwrap();
        let rows = cells(&wb);
        assert_eq!(rows.len(), 8, "{rows:?}");
        assert!(rows[0].is_empty());
        assert_eq!(rows[1], vec!["a", "b"]);
        assert!(rows[2].is_empty() && rows[3].is_empty());
        assert_eq!(rows[4], vec!["c"]);
        assert_eq!(rows[5], vec!["x\ny", "z"]);
        assert!(rows[6].is_empty());
        assert_eq!(rows[7], vec!["last"]);
    }

    #[test]
    fn ragged_rows_and_trailing_empties() {
        let wb = parse("r.csv", "a,,,\r\n,,c,\r\n,,,\r\nd\r\n").unwrap();
        let s = &wb.sheets[0];
        assert_eq!(
            cells(&wb),
            vec![vec!["a"], vec!["", "", "c"], vec![], vec!["d"]]
        );
        assert!(!s.merges_known);
        assert_eq!(s.name, "r");
    }

    #[test]
    fn gbk_is_detected_and_bad_bytes_warned() {
        let (gbk, _, _) = GBK.encode("项目名称,预算数\r\n住房公积金管理业务费用,1003.82\r\n");
        let (text, warnings) = decode("g.csv", &gbk);
        assert!(text.starts_with("项目名称,预算数"), "{text}");
        assert!(warnings.is_empty());

        let mut bad = gbk.into_owned();
        bad.extend_from_slice(b"\x81\x20end");
        let (_, warnings) = decode("g.csv", &bad);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("g.csv: contains bytes that are not valid in gb18030"));
    }

    #[test]
    fn utf16_and_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "名称\t值\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, w) = decode("u.txt", &bytes);
        assert_eq!(text, "名称\t值\r\n");
        assert!(w.is_empty());
        let (text, _) = decode("b.csv", "\u{feff}a,b".as_bytes());
        assert_eq!(text, "a,b");
    }
}
