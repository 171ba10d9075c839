//! One rendered sheet → CSV bytes, as Excel's "Save as CSV" writes them.
//!
//! Every row has the grid's width in fields, a merged area keeps its text in its top-left
//! field only, rows end in CRLF, and a field is quoted only when it holds a comma, a
//! double quote, CR or LF. Text that Excel or WPS would take as a formula ("=100%") is
//! written as `="=100%"`, which both show as the literal text.

use super::{check_sheet, write_error};
use crate::error::Result;
use crate::render::RenderedSheet;

/// The character encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark: Excel's "CSV UTF-8（逗号分隔）".
    #[default]
    Utf8Bom,
    /// GBK as Chinese Excel's "CSV（逗号分隔）" writes it, encoded as GB18030 (its
    /// superset), without a byte-order mark.
    Gbk,
}

/// The most fields (rows × columns) one CSV file may hold.
const MAX_FIELDS: u64 = 200_000_000;

/// The CSV file of one sheet.
pub fn csv_bytes(sheet: &RenderedSheet, encoding: CsvEncoding) -> Result<Vec<u8>> {
    let extent = check_sheet(sheet)?;
    let width = extent.cols as usize;
    if u64::from(extent.rows) * u64::from(extent.cols) > MAX_FIELDS {
        return Err(write_error(format!(
            "sheet {:?}: {} rows × {} columns is too large for a CSV file",
            sheet.name, extent.rows, extent.cols
        )));
    }

    // Cells in reading order; check_sheet guarantees no two share a top-left cell.
    let mut order: Vec<usize> = (0..sheet.cells.len()).collect();
    order.sort_by_key(|&i| (sheet.cells[i].row, sheet.cells[i].col));

    let mut out = String::new();
    let mut fields: Vec<String> = vec![String::new(); width];
    let mut next = order.iter().peekable();
    for row in 0..extent.rows {
        fields.iter_mut().for_each(String::clear);
        while let Some(&&i) = next.peek() {
            let cell = &sheet.cells[i];
            if cell.row != row {
                break;
            }
            fields[cell.col as usize] = csv_field(&cell.content.display());
            next.next();
        }
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(f);
        }
        out.push_str("\r\n");
    }

    encode(&out, encoding, &format!("sheet {:?}", sheet.name))
}

/// CSV text in the chosen encoding; `what` names it in the error for text GB18030
/// cannot encode.
pub(crate) fn encode(out: &str, encoding: CsvEncoding, what: &str) -> Result<Vec<u8>> {
    match encoding {
        CsvEncoding::Utf8Bom => {
            let mut bytes = Vec::with_capacity(out.len() + 3);
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
            bytes.extend_from_slice(out.as_bytes());
            Ok(bytes)
        }
        CsvEncoding::Gbk => {
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(out);
            if unmappable {
                return Err(write_error(format!(
                    "{what}: text that GB18030 cannot encode"
                )));
            }
            Ok(bytes.into_owned())
        }
    }
}

/// One field as written to the file: formula-protected and quoted where needed.
fn csv_field(text: &str) -> String {
    if looks_like_formula(text) {
        let protected = format!("=\"{}\"", text.replace('"', "\"\""));
        // The protected form carries quotes in the middle of the field, which Excel
        // reads literally; only a separator or line break forces quoting the whole.
        if protected.contains([',', '\r', '\n']) {
            quote(&protected)
        } else {
            protected
        }
    } else if text.contains([',', '"', '\r', '\n']) {
        quote(text)
    } else {
        text.to_string()
    }
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Text that Excel would take as a formula (or that a spreadsheet injection would use):
/// it begins with `=`, `+`, `-`, `@`, TAB or CR and is not a plain number.
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text)
}

/// "-5.00", "+3", "-1,234.5", "-50%": a number Excel reads as the same number.
fn is_plain_number(text: &str) -> bool {
    let s = text.strip_prefix(['+', '-']).unwrap_or(text);
    let s = s.strip_suffix('%').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int_ok = if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        (1..=3).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    } else {
        int.bytes().all(|b| b.is_ascii_digit())
    };
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    int_ok && frac_ok && !(int.is_empty() && frac.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use crate::render::{Content, RenderedCell, Style};

    fn cell(row: u32, col: u32, rows: u32, cols: u32, content: Content) -> RenderedCell {
        RenderedCell {
            row,
            col,
            rows,
            cols,
            content,
            style: Style::Value,
        }
    }

    fn text(s: &str) -> Content {
        Content::Text(s.to_string())
    }

    #[test]
    fn write_csv_fields() {
        assert_eq!(csv_field("abc"), "abc");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line1\nline2"), "\"line1\nline2\"");
        assert_eq!(csv_field("=100%"), "=\"=100%\"");
        assert_eq!(csv_field("=\"x\""), "=\"=\"\"x\"\"\"");
        assert_eq!(csv_field("=1,2"), "\"=\"\"=1,2\"\"\"");
        assert_eq!(csv_field("+86 10"), "=\"+86 10\"");
        assert_eq!(csv_field("@sum"), "=\"@sum\"");
        assert_eq!(csv_field("-"), "=\"-\"");
        assert_eq!(csv_field("-5.00"), "-5.00");
        assert_eq!(csv_field("+3"), "+3");
        assert_eq!(csv_field("-1,234.50"), "\"-1,234.50\"");
        assert_eq!(csv_field("-50%"), "-50%");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn write_csv_plain_numbers() {
        for s in ["5", "-5", "+5.5", "-.5", "-1,234", "-12,345,678.9", "-50%"] {
            assert!(is_plain_number(s), "{s}");
        }
        for s in [
            "-", "+", "-.", "-5.", "-1,23", "-1,2345", "--5", "-5e3", "=5", "-5万元",
        ] {
            assert!(!is_plain_number(s), "{s}");
        }
    }

    #[test]
    fn write_csv_grid() {
        let sheet = RenderedSheet {
            name: "t".into(),
            columns: 4,
            cells: vec![
                cell(0, 0, 1, 4, text("标题")),
                cell(1, 0, 2, 1, text("纵")),
                cell(1, 1, 1, 1, Content::Money(Money::parse("1234.50").unwrap())),
                cell(1, 2, 1, 1, Content::Percent("50".into())),
                cell(2, 1, 1, 2, text("=100%")),
                cell(3, 3, 1, 1, Content::Empty),
            ],
            ..Default::default()
        };
        let bytes = csv_bytes(&sheet, CsvEncoding::Utf8Bom).unwrap();
        let expected = "\u{feff}标题,,,\r\n纵,1234.50,50%,\r\n,=\"=100%\",,\r\n,,,\r\n";
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);

        let gbk = csv_bytes(&sheet, CsvEncoding::Gbk).unwrap();
        assert!(!gbk.starts_with(b"\xEF\xBB\xBF"));
        let (decoded, _, bad) = encoding_rs::GB18030.decode(&gbk);
        assert!(!bad);
        assert_eq!(decoded, &expected[3..]);
    }

    #[test]
    fn write_csv_empty_and_bad_sheets() {
        let empty = RenderedSheet::default();
        assert_eq!(
            csv_bytes(&empty, CsvEncoding::Utf8Bom).unwrap(),
            b"\xEF\xBB\xBF"
        );
        assert!(csv_bytes(&empty, CsvEncoding::Gbk).unwrap().is_empty());
        let overlap = RenderedSheet {
            cells: vec![cell(0, 0, 2, 2, text("a")), cell(1, 1, 1, 1, text("b"))],
            ..Default::default()
        };
        assert!(csv_bytes(&overlap, CsvEncoding::Utf8Bom).is_err());
    }
}
