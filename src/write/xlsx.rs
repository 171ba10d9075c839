//! A rendered workbook → xlsx bytes that look like the official printed form.
//!
//! 宋体 throughout, thin borders on the table, wrapped text, column widths and row heights
//! computed from the content (Excel neither measures CJK text correctly nor grows rows
//! holding merged wrapped cells), A4 page setup, and the canonical document in a hidden
//! `_jixiao` sheet. The same input always gives the same bytes.

use std::borrow::{Borrow, Cow};
use std::collections::HashMap;
use std::collections::HashSet;
use std::str::FromStr;

use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use unicode_width::UnicodeWidthStr;

use super::{Extent, check_sheet, write_error};
use crate::error::{Error, Result};
use crate::render::{Content, RenderedCell, RenderedSheet, RenderedWorkbook, Style};

/// The name of the hidden sheet holding the canonical JSON.
pub(crate) const EMBED_SHEET: &str = "_jixiao";
/// The text of A1 on the hidden sheet; the JSON follows in A2, A3, ….
pub(crate) const EMBED_MARKER: &str = "jixiao/1 embedded canonical document; do not edit";
/// The most UTF-16 units of JSON stored in one cell (Excel allows 32,767).
pub(crate) const EMBED_CHUNK: usize = 30_000;

const FONT: &str = "宋体";
/// GB2312 character set, as Excel stores it for 宋体.
const FONT_CHARSET: u8 = 134;
const FONT_SIZE: f64 = 11.0;
const TITLE_FONT_SIZE: f64 = 16.0;
/// Chinese Excel's default row height (points) and column width (pixels) for 宋体 11.
const DEFAULT_ROW_PX: u32 = 19;
const DEFAULT_COL_PX: u32 = 72;

/// One line of 宋体 11 in points: also the default row height (19 px).
const LINE_HEIGHT: f64 = 14.25;
const _: () = assert!(DEFAULT_ROW_PX as f64 * 0.75 == LINE_HEIGHT);
const TITLE_LINE_HEIGHT: f64 = 24.0;
const MAX_ROW_HEIGHT: f64 = 409.0;
const MIN_COL_WIDTH: f64 = 6.0;
const MAX_COL_WIDTH: f64 = 50.0;
/// Width of a column that holds no unmerged cell at all.
const EMPTY_COL_WIDTH: f64 = 10.0;
const COL_PADDING: f64 = 2.0;
const MONEY_FORMAT: &str = "#,##0.00";

/// The xlsx file of a rendered workbook.
pub fn xlsx_bytes(book: &RenderedWorkbook) -> Result<Vec<u8>> {
    let names = book.sheets.iter().map(|s| s.name.clone()).collect();
    let items = vec![(); book.sheets.len()];
    let embedded = book.embedded_json.as_deref();
    fill(names, items, embedded, |i, ()| &book.sheets[i])?.save()
}

/// A workbook whose sheets are written, not yet saved.
pub(crate) struct Filled(Workbook);

/// Writes the sheets named `names` into a new workbook, sheet `i` being
/// `sheet(i, items[i])` (rendered there, on the thread that writes it, and freed where
/// it was made, with its item: a province's sheets are never all held at once), and
/// the canonical JSON `embedded` in a hidden sheet after them. The sheets are filled in
/// parallel, on as many threads as the current rayon pool has (one under `--jobs 1`),
/// the hidden sheet beside them; a worksheet keeps its own formats until the workbook
/// numbers them, sheet by sheet in order, at save: the bytes are those of filling them
/// one after the other. Of several bad sheets, the first in order is reported.
pub(crate) fn fill<T: Send, S: Borrow<RenderedSheet>>(
    names: Vec<String>,
    items: Vec<T>,
    embedded: Option<&str>,
    sheet: impl Fn(usize, T) -> S + Sync,
) -> Result<Filled> {
    let mut workbook = Workbook::new();
    workbook
        .set_default_format(&base_format(), DEFAULT_ROW_PX, DEFAULT_COL_PX)
        .map_err(xlsx_error("default format"))?;
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error("document time"))?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));

    let form_sheets = names.len();
    for name in sheet_names(names.iter().map(String::as_str)) {
        workbook
            .add_worksheet()
            .set_name(name.as_str())
            // The context is written only for an error (5,000 sheets in a province).
            .map_err(|e| xlsx_error(&format!("sheet name {name:?}"))(e))?;
    }
    if form_sheets == 0 {
        // A workbook needs one visible sheet.
        workbook
            .add_worksheet()
            .set_name("Sheet1")
            .map_err(xlsx_error("sheet name"))?;
    }
    if embedded.is_some() {
        let ws = workbook.add_worksheet();
        ws.set_name(EMBED_SHEET)
            .map_err(xlsx_error("embedded document"))?;
        ws.set_hidden(true);
    }
    let (form, after) = workbook.worksheets_mut().split_at_mut(form_sheets);
    let (written, embedded) = rayon::join(
        || {
            form.par_iter_mut()
                .zip(items)
                .enumerate()
                .map_init(Formats::default, |formats, (i, (ws, item))| {
                    let sheet = sheet(i, item);
                    let sheet = sheet.borrow();
                    let extent = check_sheet(sheet)?;
                    write_sheet(ws, sheet, extent, formats).map_err(|e| in_sheet(e, &sheet.name))
                })
                // Every sheet's outcome, then the first error in order (collecting
                // straight into a Result would stop at whichever failure a thread met
                // first).
                .collect::<Vec<Result<()>>>()
                .into_iter()
                .collect::<Result<()>>()
        },
        || match (embedded, after.last_mut()) {
            (Some(json), Some(ws)) => embed(ws, json),
            _ => Ok(()),
        },
    );
    written?;
    embedded?;
    Ok(Filled(workbook))
}

/// Stores the canonical JSON in the hidden sheet.
fn embed(ws: &mut Worksheet, json: &str) -> Result<()> {
    ws.write_string(0, 0, EMBED_MARKER)
        .map_err(xlsx_error("embedded document"))?;
    let chunks = embed_chunks(json);
    if chunks.len() as u64 > super::MAX_ROW {
        return Err(write_error(
            "the embedded document is too large for one sheet".to_string(),
        ));
    }
    for (i, chunk) in chunks.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *chunk)
            .map_err(xlsx_error("embedded document"))?;
    }
    Ok(())
}

impl Filled {
    /// The file.
    pub(crate) fn save(self) -> Result<Vec<u8>> {
        let Filled(mut workbook) = self;
        let bytes = workbook.save_to_buffer().map_err(xlsx_error("saving"));
        let sheets = workbook.worksheets().len();
        crate::convert::drop_aside(workbook, sheets);
        bytes
    }
}

/// Adds the sheet name to an error's reason.
fn in_sheet(e: Error, name: &str) -> Error {
    match e {
        Error::Write { path, reason } if !reason.starts_with("sheet ") => Error::Write {
            path,
            reason: format!("sheet {name:?}: {reason}"),
        },
        other => other,
    }
}

fn xlsx_error(what: &str) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| write_error(format!("{what}: {e}"))
}

/// Splits the JSON into pieces of at most [`EMBED_CHUNK`] UTF-16 units (so also at most
/// that many chars), on char boundaries.
fn embed_chunks(json: &str) -> Vec<&str> {
    // A char's UTF-16 units: 1 for each first byte, 2 for a 4-byte char; counted a
    // block at a time (the document is megabytes; this loop vectorizes).
    let units_of = |b: &[u8]| -> usize {
        b.iter()
            .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
            .sum()
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < json.len() {
        let (mut end, mut units) = (start, 0);
        // A char has at least as many bytes as UTF-16 units, so `room` more bytes
        // never pass the limit.
        loop {
            let mut next = (end + (EMBED_CHUNK - units)).min(json.len());
            while !json.is_char_boundary(next) {
                next -= 1;
            }
            if next == end {
                break;
            }
            units += units_of(&json.as_bytes()[end..next]);
            end = next;
        }
        // Then char by char while the next one still fits.
        for ch in json[end..].chars() {
            if units + ch.len_utf16() > EMBED_CHUNK {
                break;
            }
            units += ch.len_utf16();
            end += ch.len_utf8();
        }
        chunks.push(&json[start..end]);
        start = end;
    }
    chunks
}

// ---------------------------------------------------------------------------------------
// Sheet names

/// Names Excel accepts: no `[]:*?/\`, no apostrophe at either end, at most 31 UTF-16
/// units, not empty, unique ignoring case; `_jixiao` is kept for the embedded document.
fn sheet_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    taken.insert("history".to_string()); // reserved by Excel
    taken.insert(EMBED_SHEET.to_lowercase());
    // The next suffix to try for each cleaned name: every smaller one is taken already,
    // so many sheets of one name (a template's fixed sheet name) cost linear time.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for raw in names {
        let clean: String = raw
            .chars()
            .map(|c| match c {
                '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
                c if c.is_control() => '_',
                c => c,
            })
            .collect();
        let clean = if clean.is_empty() {
            "Sheet1".to_string()
        } else {
            clean
        };
        let mut n = next_suffix.get(&clean).copied().unwrap_or(1);
        let name = loop {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("({n})")
            };
            let candidate = fit_name(&clean, &suffix);
            if taken.insert(candidate.to_lowercase()) {
                break candidate;
            }
            n += 1;
        };
        next_suffix.insert(clean, n + 1);
        out.push(name);
    }
    out
}

/// `base` cut to fit 31 UTF-16 units with `suffix`, with no apostrophe at either end.
fn fit_name(base: &str, suffix: &str) -> String {
    let room = 31 - suffix.len();
    let mut s = String::new();
    let mut units = 0;
    for c in base.chars() {
        if units + c.len_utf16() > room {
            break;
        }
        units += c.len_utf16();
        s.push(c);
    }
    if s.starts_with('\'') {
        s.replace_range(..1, "_");
    }
    if suffix.is_empty() && s.ends_with('\'') {
        s.pop();
        s.push('_');
    }
    s.push_str(suffix);
    s
}

// ---------------------------------------------------------------------------------------
// Formats

/// What distinguishes one cell format from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FormatKey {
    style: Style,
    num: NumFormat,
    wrap: bool,
    /// Excel's quote prefix: text beginning "=" stays text when the cell is edited.
    quote: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NumFormat {
    /// The style's own.
    Style,
    Money,
    /// A percentage with this many decimals.
    Percent(u8),
}

/// The formats made so far, found by comparing keys: a form has a dozen or so, looked up
/// for each of a province's million cells (hashing each key cost more).
#[derive(Default)]
struct Formats(Vec<(FormatKey, Format)>);

impl Formats {
    fn get(&mut self, key: FormatKey) -> &Format {
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.0.push((key, make_format(key)));
                self.0.len() - 1
            }
        };
        &self.0[i].1
    }
}

fn base_format() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_charset(FONT_CHARSET)
        .set_font_size(FONT_SIZE)
}

fn bordered(style: Style) -> bool {
    !matches!(
        style,
        Style::Title | Style::Subtitle | Style::Note | Style::NoteRight
    )
}

fn make_format(key: FormatKey) -> Format {
    let mut f = base_format();
    let (h, bold) = match key.style {
        Style::Title => {
            f = f.set_font_size(TITLE_FONT_SIZE);
            (FormatAlign::Center, true)
        }
        Style::Subtitle | Style::Label | Style::Value | Style::Percent => {
            (FormatAlign::Center, key.style == Style::Label)
        }
        Style::Note | Style::Text => (FormatAlign::Left, false),
        Style::Strong => (FormatAlign::Left, true),
        Style::NoteRight | Style::Money => (FormatAlign::Right, false),
    };
    f = f.set_align(h).set_align(FormatAlign::VerticalCenter);
    if bold {
        f = f.set_bold();
    }
    if bordered(key.style) {
        f = f.set_border(FormatBorder::Thin);
    }
    if key.wrap {
        f = f.set_text_wrap();
    }
    if key.quote {
        f = f.set_quote_prefix();
    }
    let num = match key.num {
        NumFormat::Money => Some(MONEY_FORMAT.to_string()),
        NumFormat::Percent(d) => Some(percent_format(d)),
        NumFormat::Style => match key.style {
            Style::Money => Some(MONEY_FORMAT.to_string()),
            Style::Percent => Some(percent_format(0)),
            _ => None,
        },
    };
    if let Some(num) = num {
        f = f.set_num_format(num);
    }
    f
}

fn percent_format(decimals: u8) -> String {
    if decimals == 0 {
        "0%".to_string()
    } else {
        format!("0.{}%", "0".repeat(usize::from(decimals)))
    }
}

// ---------------------------------------------------------------------------------------
// Cell values

/// What a cell's content becomes in the file.
enum Value<'a> {
    Blank,
    Text(&'a str),
    Number(f64, NumFormat),
}

fn value(content: &Content) -> Value<'_> {
    match content {
        Content::Empty => Value::Blank,
        Content::Text(t) if t.is_empty() => Value::Blank,
        Content::Text(t) => Value::Text(t),
        Content::Money(m) => Value::Number(m.to_f64(), NumFormat::Money),
        Content::Percent(p) => match percent_value(p) {
            Some((v, decimals)) => Value::Number(v, NumFormat::Percent(decimals)),
            None if p.is_empty() => Value::Blank,
            None => Value::Text(p),
        },
    }
}

/// "50" → 0.5 shown with 0 decimals; "12.5" → 0.125 with 1; not a decimal → None.
fn percent_value(text: &str) -> Option<(f64, u8)> {
    let t = text.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !digits.is_empty()
        && digits != "."
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !plain {
        return None;
    }
    let d = Decimal::from_str(t).ok()?;
    let v = rust_decimal::prelude::ToPrimitive::to_f64(&(d / Decimal::ONE_HUNDRED))?;
    v.is_finite().then_some((v, frac.len().min(10) as u8))
}

/// The text as it shows in the cell, for measuring (borrowed for text: every cell is
/// measured twice, for its column and for its row).
fn shown(content: &Content) -> Cow<'_, str> {
    match content {
        Content::Text(t) => Cow::Borrowed(t),
        Content::Money(m) => {
            let mut d = m.0.round_dp(2);
            d.rescale(2);
            Cow::Owned(group_thousands(&d.to_string()))
        }
        other => Cow::Owned(other.display()),
    }
}

/// "-1234567.89" → "-1,234,567.89".
fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Display width of each line (CJK and full-width punctuation count 2, as 宋体 draws them).
fn line_widths(text: &str) -> impl Iterator<Item = f64> + '_ {
    text.split('\n')
        .map(|l| l.trim_end_matches('\r').width_cjk() as f64)
}

fn quote_prefix(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@'])
}

/// Whether a cell wraps: bordered cells always; unbordered ones (titles, notes) when
/// merged or when they hold a line break, else they may overflow into empty neighbours.
fn wraps(cell: &RenderedCell, text: &str) -> bool {
    bordered(cell.style) || cell.rows > 1 || cell.cols > 1 || text.contains('\n')
}

// ---------------------------------------------------------------------------------------
// Layout

/// Column widths (Excel character units) for the whole grid, as the workbook gets them.
pub(crate) fn column_widths(sheet: &RenderedSheet, ncols: usize) -> Vec<f64> {
    let mut content: Vec<Option<f64>> = vec![None; ncols];
    for cell in &sheet.cells {
        if cell.cols != 1 {
            continue;
        }
        let text = shown(&cell.content);
        // An unbordered single cell does not wrap; it may spill into its neighbours.
        let w = if bordered(cell.style) || text.contains('\n') {
            line_widths(&text).fold(0.0, f64::max)
        } else {
            0.0
        };
        let slot = &mut content[cell.col as usize];
        *slot = Some(slot.unwrap_or(0.0).max(w));
    }
    (0..ncols)
        .map(|c| {
            let template = sheet
                .column_widths
                .get(c)
                .copied()
                .flatten()
                .filter(|w| w.is_finite() && *w >= 0.0);
            match (template, content[c]) {
                (Some(w), _) => w.min(255.0),
                (None, Some(w)) => (w + COL_PADDING).clamp(MIN_COL_WIDTH, MAX_COL_WIDTH),
                (None, None) => EMPTY_COL_WIDTH,
            }
        })
        .collect()
}

/// The height (points) a cell's text needs over all its rows.
fn needed_height(cell: &RenderedCell, widths: &[f64]) -> f64 {
    let text = shown(&cell.content);
    let (line_height, scale) = if cell.style == Style::Title {
        (TITLE_LINE_HEIGHT, TITLE_FONT_SIZE / FONT_SIZE)
    } else {
        (LINE_HEIGHT, 1.0)
    };
    let lines: f64 = if wraps(cell, &text) {
        let first = cell.col as usize;
        let span: f64 = widths[first..first + cell.cols as usize].iter().sum();
        // Less the cell's inner padding; never divide by less than one unit.
        let room = (span - 1.0).max(1.0);
        line_widths(&text)
            .map(|w| (w * scale / room).ceil().max(1.0))
            .sum()
    } else {
        1.0
    };
    lines.max(1.0) * line_height
}

/// Row heights (points) for the rows that hold cells; `None` keeps the default.
fn row_heights(sheet: &RenderedSheet, nrows: usize, widths: &[f64]) -> Vec<Option<f64>> {
    let mut heights: Vec<Option<f64>> = vec![None; nrows];
    let mut tall = Vec::new();
    for cell in &sheet.cells {
        let need = needed_height(cell, widths);
        if cell.rows == 1 {
            let h = &mut heights[cell.row as usize];
            *h = Some(h.unwrap_or(0.0).max(need).min(MAX_ROW_HEIGHT));
        } else {
            tall.push((cell, need));
        }
    }
    // Merged areas over several rows: give every spanned row its base height, then
    // spread whatever is still missing evenly.
    for (cell, _) in &tall {
        for r in cell.row..cell.row + cell.rows {
            let h = &mut heights[r as usize];
            h.get_or_insert(LINE_HEIGHT);
        }
    }
    for (cell, need) in tall {
        let rows = cell.row as usize..(cell.row + cell.rows) as usize;
        let have: f64 = heights[rows.clone()].iter().map(|h| h.unwrap_or(0.0)).sum();
        if need > have {
            let extra = (need - have) / f64::from(cell.rows);
            for h in heights[rows].iter_mut().flatten() {
                *h = (*h + extra).min(MAX_ROW_HEIGHT);
            }
        }
    }
    heights
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &RenderedSheet,
    extent: Extent,
    formats: &mut Formats,
) -> Result<()> {
    let ncols = extent.cols as usize;
    let widths = column_widths(sheet, ncols);
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)
            .map_err(xlsx_error("column width"))?;
    }
    let heights = row_heights(sheet, extent.rows as usize, &widths);
    for (r, h) in heights.iter().enumerate() {
        if let Some(h) = h {
            // Whole points and quarter points are what Excel itself stores. A row of
            // the default height is left alone: each set row costs the writer a
            // row record, and a province's workbook has hundreds of thousands.
            let h = (h * 4.0).ceil() / 4.0;
            if h != LINE_HEIGHT {
                ws.set_row_height(r as u32, h)
                    .map_err(xlsx_error("row height"))?;
            }
        }
    }

    for cell in &sheet.cells {
        let (row, col) = (cell.row, cell.col as u16);
        let value = value(&cell.content);
        let text = match value {
            Value::Text(t) => t,
            _ => "",
        };
        let key = FormatKey {
            style: cell.style,
            num: match value {
                Value::Number(_, n) => n,
                _ => NumFormat::Style,
            },
            wrap: wraps(cell, text),
            quote: quote_prefix(text),
        };
        let format = formats.get(key);
        let err = |e: XlsxError| {
            let at = super::cell_ref(u64::from(row), u64::from(col));
            write_error(format!("cell {at}: {e}"))
        };
        if cell.rows > 1 || cell.cols > 1 {
            let last_row = cell.row + cell.rows - 1;
            let last_col = (cell.col + cell.cols - 1) as u16;
            ws.merge_range(row, col, last_row, last_col, text, format)
                .map_err(err)?;
            if let Value::Number(n, _) = value {
                ws.write_number_with_format(row, col, n, format)
                    .map_err(err)?;
            }
        } else {
            match value {
                Value::Blank => ws.write_blank(row, col, format),
                Value::Text(t) => ws.write_string_with_format(row, col, t, format),
                Value::Number(n, _) => ws.write_number_with_format(row, col, n, format),
            }
            .map_err(err)?;
        }
    }

    ws.set_paper_size(9);
    if sheet.landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    if let Some((first, last)) = sheet.repeat_rows {
        let (first, last) = (first.min(last), first.max(last));
        ws.set_repeat_rows(first, last)
            .map_err(xlsx_error("repeated rows"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;

    fn cell(
        row: u32,
        col: u32,
        rows: u32,
        cols: u32,
        content: Content,
        style: Style,
    ) -> RenderedCell {
        RenderedCell {
            row,
            col,
            rows,
            cols,
            content,
            style,
        }
    }

    #[test]
    fn write_xlsx_sheet_names() {
        let names =
            sheet_names(["a/b:c", "", "", "A/B:C", "_jixiao", "History", "'quoted'"].into_iter());
        assert_eq!(
            names,
            [
                "a_b_c",
                "Sheet1",
                "Sheet1(2)",
                "A_B_C(2)",
                "_jixiao(2)",
                "History(2)",
                "_quoted_"
            ]
        );
        let long = "预算".repeat(16);
        let names = sheet_names([long.as_str(), long.as_str()].into_iter());
        assert_eq!(names[0].chars().count(), 31);
        assert_eq!(names[1].chars().count(), 31);
        assert!(names[1].ends_with("(2)"));
        let emoji = "😀".repeat(20);
        let names = sheet_names([emoji.as_str()].into_iter());
        assert_eq!(names[0].encode_utf16().count(), 30);
    }

    #[test]
    fn write_xlsx_embed_chunks() {
        assert!(embed_chunks("").is_empty());
        let json = "中".repeat(EMBED_CHUNK + 5);
        let chunks = embed_chunks(&json);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].chars().count(), EMBED_CHUNK);
        assert_eq!(chunks.concat(), json);
        let astral = "😀".repeat(EMBED_CHUNK);
        let chunks = embed_chunks(&astral);
        assert!(
            chunks
                .iter()
                .all(|c| c.encode_utf16().count() <= EMBED_CHUNK)
        );
        assert_eq!(chunks.concat(), astral);
        // Mixed widths: every chunk but the last is as full as the next char allows.
        let mixed = "a中😀é".repeat(EMBED_CHUNK / 2);
        let chunks = embed_chunks(&mixed);
        assert_eq!(chunks.concat(), mixed);
        for pair in chunks.windows(2) {
            let units = pair[0].encode_utf16().count();
            let next = pair[1].chars().next().unwrap().len_utf16();
            assert!(units <= EMBED_CHUNK && units + next > EMBED_CHUNK);
        }
    }

    #[test]
    fn write_xlsx_percent_values() {
        assert_eq!(percent_value("50"), Some((0.5, 0)));
        assert_eq!(percent_value("12.5"), Some((0.125, 1)));
        assert_eq!(percent_value("-3"), Some((-0.03, 0)));
        assert_eq!(percent_value("100"), Some((1.0, 0)));
        for bad in ["", ".", "=100", "50%", "≥90", "1e3", "abc", "5.5.5"] {
            assert_eq!(percent_value(bad), None, "{bad}");
        }
    }

    #[test]
    fn write_xlsx_money_shown() {
        assert_eq!(group_thousands("1234567.89"), "1,234,567.89");
        assert_eq!(group_thousands("-123.00"), "-123.00");
        assert_eq!(group_thousands("1000"), "1,000");
        let m = |s: &str| shown(&Content::Money(Money::parse(s).unwrap())).into_owned();
        assert_eq!(m("12748.27"), "12,748.27");
        assert_eq!(m("0"), "0.00");
        assert_eq!(m("-1003.8"), "-1,003.80");
    }

    #[test]
    fn write_xlsx_widths_and_heights() {
        let long = "中".repeat(300);
        let sheet = RenderedSheet {
            name: "s".into(),
            columns: 4,
            column_widths: vec![None, None, Some(12.0), None],
            cells: vec![
                cell(0, 0, 1, 4, Content::Text("标题".into()), Style::Title),
                cell(1, 0, 1, 1, Content::Text("项目名称".into()), Style::Label),
                cell(1, 1, 1, 1, Content::Text("x".repeat(80)), Style::Value),
                cell(
                    1,
                    2,
                    1,
                    1,
                    Content::Money(Money::parse("12748.27").unwrap()),
                    Style::Money,
                ),
                cell(2, 0, 1, 4, Content::Text(long.clone()), Style::Text),
                cell(3, 0, 2, 1, Content::Text("一级指标".into()), Style::Label),
                cell(3, 2, 2, 2, Content::Text("中".repeat(40)), Style::Text),
                cell(3, 1, 1, 1, Content::Empty, Style::Value),
                cell(4, 1, 1, 1, Content::Empty, Style::Value),
            ],
            ..Default::default()
        };
        let widths = column_widths(&sheet, 4);
        assert_eq!(widths, vec![10.0, 50.0, 12.0, EMPTY_COL_WIDTH]);
        let heights = row_heights(&sheet, 5, &widths);
        assert_eq!(heights[0], Some(TITLE_LINE_HEIGHT));
        // 80 narrow chars in a 50-wide column: two lines.
        assert_eq!(heights[1], Some(2.0 * LINE_HEIGHT));
        // 600 units over 10+50+12+10 = 82 (81 usable): 8 lines.
        assert_eq!(heights[2], Some(8.0 * LINE_HEIGHT));
        // 80 units over 12+10 = 22 (21 usable): 4 lines spread over two rows.
        assert_eq!(heights[3], Some(2.0 * LINE_HEIGHT));
        assert_eq!(heights[4], Some(2.0 * LINE_HEIGHT));
    }

    #[test]
    fn write_random_sheets_never_panic() {
        // A small linear congruential generator: reproducible, no dependency.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u32| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) % u64::from(n.max(1))) as u32
        };
        let texts = [
            "",
            "=1+1",
            "中文\n换行",
            "\u{1}\u{7f}",
            "_x0041_",
            "-5",
            "'",
            "a,b\"c",
        ];
        let styles = [
            Style::Title,
            Style::Subtitle,
            Style::Note,
            Style::NoteRight,
            Style::Label,
            Style::Value,
            Style::Text,
            Style::Strong,
            Style::Money,
            Style::Percent,
        ];
        let mut ok = 0;
        for _ in 0..300 {
            let mut cells = Vec::new();
            for _ in 0..next(12) {
                let content = match next(4) {
                    0 => Content::Empty,
                    1 => Content::Text(texts[next(8) as usize].to_string()),
                    2 => Content::Money(
                        Money::parse(&format!("{}.{:02}", next(99_999), next(100))).unwrap(),
                    ),
                    _ => Content::Percent(
                        ["50", "12.5", "", "x", "-0", "1e9"][next(6) as usize].into(),
                    ),
                };
                let big = next(20) == 0;
                cells.push(cell(
                    if big { u32::MAX - next(3) } else { next(6) },
                    if big { 16_380 + next(8) } else { next(6) },
                    next(3),
                    next(3) + u32::from(big) * 5,
                    content,
                    styles[next(9) as usize],
                ));
            }
            let sheet = RenderedSheet {
                name: texts[next(8) as usize].to_string(),
                cells,
                columns: next(8),
                column_widths: vec![Some(f64::NAN), None, Some(-1.0), Some(1e9)],
                repeat_rows: [None, Some((3, 1)), Some((u32::MAX, 0))][next(3) as usize],
                landscape: next(2) == 0,
            };
            let book = RenderedWorkbook {
                sheets: vec![sheet.clone(), sheet.clone()],
                embedded_json: Some(texts[next(8) as usize].to_string()),
            };
            ok += u32::from(xlsx_bytes(&book).is_ok());
            let _ = crate::write::csv_bytes(&sheet, crate::write::CsvEncoding::Gbk);
        }
        assert!(ok > 20, "only {ok} of 300 random books were writable");
    }

    #[test]
    fn write_xlsx_errors_not_panics() {
        let overlapping = RenderedWorkbook {
            sheets: vec![RenderedSheet {
                name: "s".into(),
                columns: 3,
                cells: vec![
                    cell(0, 0, 2, 2, Content::Empty, Style::Value),
                    cell(1, 1, 2, 2, Content::Empty, Style::Value),
                ],
                ..Default::default()
            }],
            embedded_json: None,
        };
        let e = xlsx_bytes(&overlapping).unwrap_err();
        assert!(matches!(e, Error::Write { .. }), "{e}");

        let too_long = RenderedWorkbook {
            sheets: vec![RenderedSheet {
                name: "s".into(),
                columns: 1,
                cells: vec![cell(
                    0,
                    0,
                    1,
                    1,
                    Content::Text("x".repeat(40_000)),
                    Style::Text,
                )],
                ..Default::default()
            }],
            embedded_json: None,
        };
        let e = xlsx_bytes(&too_long).unwrap_err().to_string();
        assert!(e.contains("A1"), "{e}");

        let beyond = RenderedWorkbook {
            sheets: vec![RenderedSheet {
                cells: vec![cell(2_000_000, 0, 1, 1, Content::Empty, Style::Value)],
                ..Default::default()
            }],
            embedded_json: None,
        };
        assert!(xlsx_bytes(&beyond).is_err());

        // Of many bad sheets (checked in parallel), the first is named.
        let mut sheets: Vec<RenderedSheet> = (0..400)
            .map(|i| RenderedSheet {
                name: format!("s{i}"),
                columns: 1,
                cells: vec![cell(0, 0, 1, 1, Content::Empty, Style::Value)],
                ..Default::default()
            })
            .collect();
        for i in [137, 138, 390] {
            sheets[i].cells = vec![cell(2_000_000, 0, 1, 1, Content::Empty, Style::Value)];
        }
        let many = RenderedWorkbook {
            sheets,
            embedded_json: None,
        };
        let e = crate::pool::with_jobs(4, || xlsx_bytes(&many))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"s137\""), "{e}");

        // Nothing at all still makes a valid workbook.
        assert!(xlsx_bytes(&RenderedWorkbook::default()).is_ok());
        let only_json = RenderedWorkbook {
            sheets: vec![],
            embedded_json: Some("{}".into()),
        };
        assert!(xlsx_bytes(&only_json).is_ok());
    }
}
