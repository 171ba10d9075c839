//! HTML tables, as the ".xls" files that many budget systems export: each `<table>` is
//! a sheet, `rowspan`/`colspan` are merges, `<br>` is a line break in the cell, and the
//! encoding comes from a BOM, the page's `<meta charset>` (GBK and GB2312 are read as
//! GB18030) or, failing those, detection.
//!
//! The parser is a small tolerant tokenizer, not an HTML5 tree builder: it never
//! backtracks, so time is linear in the input, and spans are clipped to the table they
//! sit in (`rowspan=100000` in a three-row table covers three rows).

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

use super::{
    GridBuilder, MAX_COLS, MAX_MERGES, MAX_ROWS, MAX_SHEETS, sheet_with_merges, too_large,
};
use crate::error::Result;
use crate::grid::{Cell, Merge, Sheet, Workbook};

/// The largest `colspan` and `rowspan` browsers honour.
const MAX_COLSPAN: u32 = 1000;
const MAX_ROWSPAN: u32 = 65_534;

/// Whether decoded text (or the ASCII-compatible head of a file) is an HTML page or
/// fragment with a table, rather than CSV that happens to start with `<`.
pub(super) fn looks_like_html(head: &str) -> bool {
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if !head.starts_with('<') {
        return false;
    }
    let lower = head.to_ascii_lowercase();
    lower.starts_with("<!doctype html")
        || lower.contains("<html")
        || lower.contains("<table")
        || lower.contains("<body")
        || lower.contains("<meta")
}

/// The page's declared encoding, from the first few KiB: `<meta charset="gbk">`,
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">` or an XML
/// declaration's `encoding="…"`.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(8192)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    for key in [&b"charset"[..], b"encoding"] {
        let mut from = 0;
        while let Some(pos) = find(&lower[from..], key) {
            let mut i = from + pos + key.len();
            from = i;
            while i < lower.len() && matches!(lower[i], b' ' | b'\t' | b'\r' | b'\n') {
                i += 1;
            }
            if lower.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while i < lower.len() && matches!(lower[i], b' ' | b'"' | b'\'' | b'\t') {
                i += 1;
            }
            let start = i;
            while i < lower.len()
                && (lower[i].is_ascii_alphanumeric()
                    || matches!(lower[i], b'-' | b'_' | b':' | b'.'))
            {
                i += 1;
            }
            if let Some(enc) = Encoding::for_label(&lower[start..i]) {
                return Some(enc);
            }
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Bytes → text: BOM, then the declared charset, then detection (as for CSV).
pub(super) fn decode(file: &str, bytes: &[u8]) -> (String, Vec<String>) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        let (text, _, had_errors) = enc.decode(bytes);
        let mut warnings = Vec::new();
        if had_errors {
            warnings.push(bad_bytes(file, enc));
        }
        return (text.into_owned(), warnings);
    }
    if let Some(declared) = declared_encoding(bytes) {
        let enc = if declared == GBK || declared == GB18030 {
            GB18030
        } else if declared.output_encoding() != declared {
            // A page that claims UTF-16 but has no BOM is read as ASCII-compatible.
            UTF_8
        } else {
            declared
        };
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return (text.into_owned(), Vec::new());
        }
        // A page that lies about its charset (a GBK page saying utf-8, say): detect.
        let (guessed, warnings) = super::csv::decode(file, bytes);
        if warnings.is_empty() {
            return (
                guessed,
                vec![format!(
                    "{file}: the page says it is {} but it is not; its encoding was detected instead",
                    declared.name()
                )],
            );
        }
        return (text.into_owned(), vec![bad_bytes(file, enc)]);
    }
    super::csv::decode(file, bytes)
}

fn bad_bytes(file: &str, enc: &'static Encoding) -> String {
    format!(
        "{file}: contains bytes that are not valid in {}; replaced with \u{FFFD}",
        enc.name()
    )
}

/// Reads an HTML page's tables (bytes, in any encoding).
pub(super) fn read_html(file: &str, bytes: &[u8]) -> Result<Workbook> {
    let (text, warnings) = decode(file, bytes);
    let mut wb = parse(file, &text)?;
    wb.warnings.splice(0..0, warnings);
    Ok(wb)
}

/// Text of a cell being read, with HTML white-space rules: runs of white space are one
/// space, `<br>` and block boundaries are line breaks, lines are trimmed.
#[derive(Default)]
struct CellText {
    out: String,
    pending_space: bool,
}

impl CellText {
    fn text(&mut self, s: &str) {
        for ch in s.chars() {
            if ch.is_whitespace() && ch != '\u{a0}' && ch != '\u{3000}' {
                if !self.out.is_empty() && !self.out.ends_with('\n') {
                    self.pending_space = true;
                }
            } else {
                if self.pending_space {
                    self.out.push(' ');
                    self.pending_space = false;
                }
                self.out.push(if ch == '\u{a0}' { ' ' } else { ch });
            }
        }
    }

    fn line_break(&mut self) {
        self.pending_space = false;
        self.out.push('\n');
    }

    /// A block boundary (`<p>`, `<div>`): a line break unless at a line's start.
    fn block(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.line_break();
        }
    }

    fn finish(self) -> String {
        let lines: Vec<&str> = self.out.split('\n').map(str::trim).collect();
        lines.join("\n").trim_matches('\n').to_string()
    }
}

struct OpenCell {
    row: u32,
    col: u32,
    rowspan: u32,
    colspan: u32,
    text: CellText,
}

/// A `<table>` being read.
struct Table<'a> {
    grid: GridBuilder<'a>,
    hidden: bool,
    merges: Vec<Merge>,
    /// The current row, `None` before the first.
    row: Option<u32>,
    /// The next free column of the current row.
    col: u32,
    /// For each column, the first row that a rowspan from above no longer covers.
    busy_until: Vec<u32>,
    cell: Option<OpenCell>,
    any_cell: bool,
}

/// A table read to its end: hidden, rows, merges, the number of its rows.
type DoneTable = (bool, Vec<Vec<Cell>>, Vec<Merge>, u32);

struct Parser<'a> {
    file: &'a str,
    tables: Vec<Table<'a>>,
    done: Vec<DoneTable>,
    warnings: Vec<String>,
    merges_capped: bool,
    merge_count: usize,
}

/// Parses decoded HTML into one sheet per table that holds any cell.
pub(super) fn parse(file: &str, html: &str) -> Result<Workbook> {
    let mut p = Parser {
        file,
        tables: Vec::new(),
        done: Vec::new(),
        warnings: Vec::new(),
        merges_capped: false,
        merge_count: 0,
    };
    let b = html.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        // Flush the text before the tag.
        if text_start < i {
            p.text(&decode_entities(&html[text_start..i]));
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = match find(&b[i + 4..], b"-->") {
                Some(end) => i + 4 + end + 3,
                None => b.len(),
            };
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = match memchr(b'>', &b[i..]) {
                Some(end) => i + end + 1,
                None => b.len(),
            };
        } else if rest.len() > 2 && rest[1] == b'/' && rest[2].is_ascii_alphabetic() {
            let (name, end) = tag_name(b, i + 2);
            i = match memchr(b'>', &b[end..]) {
                Some(e) => end + e + 1,
                None => b.len(),
            };
            p.end_tag(&name)?;
        } else if rest.len() > 1 && rest[1].is_ascii_alphabetic() {
            let (name, end) = tag_name(b, i + 1);
            let (attrs, end) = attributes(html, end);
            i = end;
            if matches!(
                name.as_str(),
                "script" | "style" | "title" | "textarea" | "xml"
            ) {
                // Raw text up to the matching end tag; without one, the content is
                // read as markup (so that a stray <title> cannot hide the tables).
                let close = format!("</{name}");
                if let Some(at) = find_ascii_ci(&b[i..], close.as_bytes()) {
                    i = match memchr(b'>', &b[i + at..]) {
                        Some(e) => i + at + e + 1,
                        None => b.len(),
                    };
                }
            } else {
                p.start_tag(&name, &attrs)?;
            }
        } else {
            // A lone '<' is text.
            text_start = i;
            i += 1;
            continue;
        }
        text_start = i;
    }
    if text_start < b.len() {
        p.text(&decode_entities(&html[text_start..]));
    }
    while !p.tables.is_empty() {
        p.end_table()?;
    }
    let single = p.done.len() == 1;
    let mut sheets = Vec::new();
    let mut warnings = p.warnings;
    for (n, (hidden, rows, merges, height)) in p.done.into_iter().enumerate() {
        let name = if single {
            super::csv::sheet_name(file)
        } else {
            format!("Table{}", n + 1)
        };
        let merges = merges
            .into_iter()
            .map(|m| Merge {
                last_row: m.last_row.min(height.saturating_sub(1)),
                ..m
            })
            .collect();
        let sheet: Sheet = sheet_with_merges(file, &name, hidden, rows, merges, &mut warnings);
        sheets.push(sheet);
    }
    Ok(Workbook {
        file: file.to_string(),
        sheets,
        embedded: None,
        warnings,
    })
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// A tag name (lowercased) starting at `i`; returns it and the index after it.
fn tag_name(b: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b':' | b'-' | b'_')) {
        i += 1;
    }
    (
        String::from_utf8_lossy(&b[start..i]).to_ascii_lowercase(),
        i,
    )
}

/// Attributes from `i` to the end of the tag; returns them (names lowercased, values
/// with entities decoded) and the index after the `>`.
fn attributes(html: &str, mut i: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, i);
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == start {
            // A stray '=': skip it.
            i += 1;
            continue;
        }
        let name = html[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let from = i + 1;
                let to = memchr(quote, &b[from..]).map_or(b.len(), |e| from + e);
                value = decode_entities(&html[from..to]);
                i = (to + 1).min(b.len());
            } else {
                let from = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&html[from..i]);
            }
        }
        if attrs.len() < 64 {
            attrs.push((name, value));
        }
    }
}

fn attr<'v>(attrs: &'v [(String, String)], key: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A span attribute: digits at the start, clamped to `1..=max`; 0 (to the end of the
/// table, for rowspan) becomes `max`.
fn span(attrs: &[(String, String)], key: &str, max: u32) -> u32 {
    let Some(v) = attr(attrs, key) else {
        return 1;
    };
    let digits: String = v
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(9)
        .collect();
    match digits.parse::<u32>() {
        Ok(0) if key == "rowspan" => max,
        Ok(n) => n.clamp(1, max),
        Err(_) => 1,
    }
}

impl<'a> Parser<'a> {
    fn text(&mut self, s: &str) {
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            cell.text.text(s);
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(String, String)]) -> Result<()> {
        match name {
            "table" => {
                if self.tables.len() + self.done.len() >= MAX_SHEETS {
                    return Err(too_large(
                        self.file,
                        format!("more than {MAX_SHEETS} tables"),
                    ));
                }
                let hidden = attr(attrs, "style").is_some_and(|s| {
                    s.to_ascii_lowercase()
                        .replace(char::is_whitespace, "")
                        .contains("display:none")
                });
                self.tables.push(Table {
                    grid: GridBuilder::new(self.file, "table"),
                    hidden,
                    merges: Vec::new(),
                    row: None,
                    col: 0,
                    busy_until: Vec::new(),
                    cell: None,
                    any_cell: false,
                });
            }
            "tr" => {
                self.close_cell()?;
                if let Some(t) = self.tables.last_mut() {
                    t.row = Some(t.row.map_or(0, |r| r.saturating_add(1)));
                    t.col = 0;
                }
            }
            "td" | "th" => {
                self.close_cell()?;
                let Some(t) = self.tables.last_mut() else {
                    return Ok(());
                };
                let row = *t.row.get_or_insert(0);
                let mut col = t.col;
                while (col as usize) < t.busy_until.len() && t.busy_until[col as usize] > row {
                    col += 1;
                }
                let rowspan = span(attrs, "rowspan", MAX_ROWSPAN);
                let colspan = span(attrs, "colspan", MAX_COLSPAN);
                let end_col = col.saturating_add(colspan).min(MAX_COLS + MAX_COLSPAN);
                if rowspan > 1 {
                    if t.busy_until.len() < end_col as usize {
                        t.busy_until.resize(end_col as usize, 0);
                    }
                    let until = row.saturating_add(rowspan);
                    for c in col..end_col {
                        let b = &mut t.busy_until[c as usize];
                        *b = (*b).max(until);
                    }
                }
                t.col = end_col;
                t.cell = Some(OpenCell {
                    row,
                    col,
                    rowspan,
                    colspan,
                    text: CellText::default(),
                });
            }
            "br" => {
                if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    cell.text.line_break();
                }
            }
            "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    cell.text.block();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end_tag(&mut self, name: &str) -> Result<()> {
        match name {
            "table" if !self.tables.is_empty() => self.end_table()?,
            "td" | "th" | "tr" => self.close_cell()?,
            "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    cell.text.block();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn close_cell(&mut self) -> Result<()> {
        let Some(t) = self.tables.last_mut() else {
            return Ok(());
        };
        let Some(cell) = t.cell.take() else {
            return Ok(());
        };
        let text = cell.text.finish();
        if !text.is_empty() {
            if cell.col >= MAX_COLS || cell.row >= MAX_ROWS {
                // The grid refuses it with a clear message.
                t.grid.push(cell.row, cell.col, Cell::Text(text))?;
                return Ok(());
            }
            t.grid.push(cell.row, cell.col, Cell::Text(text))?;
            t.any_cell = true;
        }
        if (cell.rowspan > 1 || cell.colspan > 1) && cell.col < MAX_COLS && cell.row < MAX_ROWS {
            if self.merge_count >= MAX_MERGES {
                if !self.merges_capped {
                    self.merges_capped = true;
                    self.warnings.push(format!(
                        "{}: more than {MAX_MERGES} merged areas; the rest were ignored",
                        self.file
                    ));
                }
            } else {
                self.merge_count += 1;
                t.merges.push(Merge {
                    first_row: cell.row,
                    first_col: cell.col,
                    last_row: cell.row.saturating_add(cell.rowspan - 1).min(MAX_ROWS - 1),
                    last_col: cell.col.saturating_add(cell.colspan - 1).min(MAX_COLS - 1),
                });
            }
        }
        Ok(())
    }

    fn end_table(&mut self) -> Result<()> {
        self.close_cell()?;
        let Some(t) = self.tables.pop() else {
            return Ok(());
        };
        if !t.any_cell {
            return Ok(());
        }
        let height = t.row.map_or(0, |r| r.saturating_add(1));
        let rows = t.grid.finish()?;
        self.done.push((t.hidden, rows, t.merges, height));
        Ok(())
    }
}

/// Decodes character references and the named entities that tables use.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // An entity name is short: look at most 32 characters ahead, so that text
        // full of '&' stays linear.
        let mut end = None;
        let mut scanned = 0;
        for (i, c) in rest[1..].char_indices().take(32) {
            scanned += 1;
            if c == ';' || !(c.is_ascii_alphanumeric() || c == '#') {
                end = Some((i + 1, c));
                break;
            }
        }
        let decoded = match end {
            Some((semi, ';')) => entity(&rest[1..semi]).map(|d| (d, semi + 1)),
            Some((stop, _)) => entity(&rest[1..stop]).map(|d| (d, stop)),
            None if scanned < 32 => entity(&rest[1..]).map(|d| (d, rest.len())),
            None => None,
        };
        match decoded {
            Some((text, len)) => {
                out.push_str(&text);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        let ch = char::from_u32(code)
            .filter(|&c| c != '\0')
            .unwrap_or('\u{FFFD}');
        return Some(ch.to_string());
    }
    let ch = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ensp" | "emsp" | "thinsp" => ' ',
        "yen" => '¥',
        "middot" => '·',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "times" => '×',
        "divide" => '÷',
        "plusmn" => '±',
        "le" => '≤',
        "ge" => '≥',
        "ne" => '≠',
        "permil" => '‰',
        "deg" => '°',
        "copy" => '©',
        "reg" => '®',
        "sup2" => '²',
        "sup3" => '³',
        "frac12" => '½',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "shy" => return Some(String::new()),
        _ => return None,
    };
    Some(ch.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &Sheet) -> Vec<Vec<String>> {
        s.rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect()
    }

    #[test]
    fn rowspan_colspan_and_text() {
        let html = r#"<html><head><meta charset="utf-8"><title>x</title><style>td{}</style></head><body>
<table border=1>
<tr><td colspan="2" rowspan=2>项目&nbsp;名称<br/>第二行</td><td>a &amp; b</td></tr>
<tr><td><p>段一</p><p>段二</p></td></tr>
<tr><th>x</th><td>  1,003.82 </td><td>&#8805;4&#x6B21;</td></tr>
</table></body></html>"#;
        let wb = parse("export.xls", html).unwrap();
        assert_eq!(wb.sheets.len(), 1);
        let s = &wb.sheets[0];
        assert_eq!(s.name, "export");
        assert!(s.merges_known);
        assert_eq!(
            texts(s),
            vec![
                vec!["项目 名称\n第二行", "", "a & b"],
                vec!["", "", "段一\n段二"],
                vec!["x", "1,003.82", "≥4次"],
            ]
        );
        assert_eq!(
            s.merges(),
            &[Merge {
                first_row: 0,
                first_col: 0,
                last_row: 1,
                last_col: 1
            }]
        );
    }

    #[test]
    fn huge_spans_are_clipped_to_the_table() {
        let html = "<table><tr><td rowspan=100000 colspan=99999>a</td><td>b</td></tr><tr><td>c</td></tr></table>";
        let wb = parse("s.html", html).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.height(), 2);
        assert_eq!(s.raw(0, 0), &Cell::Text("a".into()));
        // colspan is capped at 1000: b sits at column 1000 and c after the rowspan.
        assert_eq!(s.raw(0, 1000), &Cell::Text("b".into()));
        assert_eq!(s.raw(1, 1000), &Cell::Text("c".into()));
        assert_eq!(s.merges()[0].last_row, 1);
    }

    #[test]
    fn tables_become_sheets_and_broken_markup_is_tolerated() {
        let html = "<table><tr><td>one<table><tr><td>inner</td></tr></table></td></tr></table>\
                    <table></table><table><tr><td>two</td><td>unclosed <b>bold";
        let wb = parse("p.htm", html).unwrap();
        let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Table1", "Table2", "Table3"]);
        assert_eq!(wb.sheets[0].raw(0, 0), &Cell::Text("inner".into()));
        assert_eq!(wb.sheets[1].raw(0, 0), &Cell::Text("one".into()));
        assert_eq!(wb.sheets[2].raw(0, 1), &Cell::Text("unclosed bold".into()));
        for junk in [
            "<",
            "<<<>>>",
            "<td",
            "<table><tr><td a='",
            "<!--",
            "&#xFFFFFFFF;<table><td>&#0;&",
            "<table><td rowspan=-5 colspan=x>q",
        ] {
            let _ = parse("j.html", junk).unwrap();
        }
    }

    #[test]
    fn charset_from_meta() {
        let (gbk, _, _) = GBK.encode("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body><table><tr><td>项目名称</td></tr></table></body></html>");
        let wb = read_html("g.xls", &gbk).unwrap();
        assert_eq!(wb.sheets[0].raw(0, 0), &Cell::Text("项目名称".into()));
        assert!(wb.warnings.is_empty(), "{:?}", wb.warnings);
        // A GBK page that says it is UTF-8.
        let (lying, _, _) =
            GBK.encode("<meta charset=utf-8><table><tr><td>绩效目标</td></tr></table>");
        let wb = read_html("l.xls", &lying).unwrap();
        assert_eq!(wb.sheets[0].raw(0, 0), &Cell::Text("绩效目标".into()));
        assert_eq!(wb.warnings.len(), 1);
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding='GBK'?>"),
            Some(GBK)
        );
        assert_eq!(
            declared_encoding(b"<meta charset = \"UTF-8\">"),
            Some(UTF_8)
        );
        assert_eq!(declared_encoding(b"charset=nonsense"), None);
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a&amp;b&lt;&gt;&quot;"), "a&b<>\"");
        assert_eq!(decode_entities("&#20013;&#x6587;"), "中文");
        assert_eq!(
            decode_entities("AT&T &unknown; & &amp"),
            "AT&T &unknown; & &"
        );
        assert_eq!(decode_entities("&#99999999999;"), "&#99999999999;");
        assert_eq!(decode_entities("&#0;"), "\u{FFFD}");
    }
}
