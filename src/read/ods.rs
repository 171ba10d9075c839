//! OpenDocument spreadsheets (`.ods`, and flat `.fods`), read from `content.xml` with
//! quick-xml so that merged areas (`table:number-columns-spanned` /
//! `table:number-rows-spanned`) are known, which calamine does not expose.
//!
//! Repeated rows and cells (`table:number-rows-repeated`, `…-columns-repeated`) are
//! expanded only where they hold something: the trailing empty row repeated a million
//! times that every LibreOffice file ends with costs nothing, and a repeated row with
//! content is bounded by the grid's cell limits.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Cursor, Read};

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::numfmt::NumFmt;
use super::{
    GridBuilder, MAX_COLS, MAX_MERGES, MAX_ROWS, MAX_SHEETS, MAX_UNCOMPRESSED_BYTES,
    extract_embedded, sheet_with_merges, too_large, unreadable,
};
use crate::error::Result;
use crate::grid::{Cell, Merge, Workbook};

/// At most this many spaces from one `<text:s text:c="…"/>`.
const MAX_SPACE_RUN: usize = 1024;

/// Reads a zipped OpenDocument spreadsheet (already checked by `inspect_zip`).
pub(super) fn read_ods(file: &str, bytes: &[u8]) -> Result<Workbook> {
    let corrupt = |e: zip::result::ZipError| {
        unreadable(file, format!("truncated or corrupt zip archive ({e})"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if is_encrypted(&mut archive) {
        return Err(unreadable(file, "password-protected or encrypted workbook"));
    }
    let entry = match archive.by_name("content.xml") {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => {
            return Err(unreadable(
                file,
                "an OpenDocument spreadsheet without content.xml",
            ));
        }
        Err(e) => return Err(corrupt(e)),
    };
    // `inspect_zip` bounded the declared sizes; zip stops an entry at its declared size.
    let limited = entry.take(MAX_UNCOMPRESSED_BYTES);
    parse(file, BufReader::with_capacity(64 * 1024, limited))
}

/// Reads a flat OpenDocument spreadsheet (one XML file, `.fods`).
pub(super) fn read_flat_ods(file: &str, bytes: &[u8]) -> Result<Workbook> {
    parse(file, bytes)
}

/// Whether the text looks like a flat ODS document.
pub(super) fn is_flat_ods(head: &str) -> bool {
    head.contains("urn:oasis:names:tc:opendocument:xmlns:office")
        && head.contains("application/vnd.oasis.opendocument.spreadsheet")
}

/// The manifest lists `manifest:encryption-data` for every encrypted part.
fn is_encrypted<R: Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>) -> bool {
    let Ok(entry) = archive.by_name("META-INF/manifest.xml") else {
        return false;
    };
    let mut manifest = Vec::new();
    if entry
        .take(4 * 1024 * 1024)
        .read_to_end(&mut manifest)
        .is_err()
    {
        return false;
    }
    manifest
        .windows(b"encryption-data".len())
        .any(|w| w == b"encryption-data")
}

/// A cell read from the XML, before its repetitions are laid out.
struct CellRun {
    col: u64,
    repeat: u64,
    cell: Cell,
    rows_spanned: u64,
    cols_spanned: u64,
}

/// The cell being read: its attributes, and its text so far.
struct OpenCell {
    repeat: u64,
    covered: bool,
    value_type: String,
    calc_type: String,
    value: Option<String>,
    date_value: Option<String>,
    time_value: Option<String>,
    boolean_value: Option<String>,
    /// `table:formula`, as `of:=SUM([.B2:.B3])`.
    formula: Option<String>,
    style: Option<String>,
    rows_spanned: u64,
    cols_spanned: u64,
    text: Text,
}

/// Paragraph text with ODF white-space rules: runs of white space collapse to one
/// space and leading/trailing ones are dropped; `<text:s>`, `<text:tab>` and
/// `<text:line-break>` are kept as written.
#[derive(Default)]
struct Text {
    out: String,
    paragraphs: usize,
    in_paragraph: usize,
    /// A collapsed space waiting for the next character of the paragraph.
    pending_space: bool,
    /// The paragraph has content (so a following white space counts).
    paragraph_started: bool,
}

impl Text {
    fn start_paragraph(&mut self) {
        if self.in_paragraph == 0 {
            if self.paragraphs > 0 {
                self.out.push('\n');
            }
            self.paragraphs += 1;
            self.pending_space = false;
            self.paragraph_started = false;
        }
        self.in_paragraph += 1;
    }

    fn end_paragraph(&mut self) {
        self.in_paragraph = self.in_paragraph.saturating_sub(1);
        if self.in_paragraph == 0 {
            self.pending_space = false;
        }
    }

    fn raw(&mut self, text: &str) {
        if self.in_paragraph == 0 {
            return;
        }
        for ch in text.chars() {
            if matches!(ch, ' ' | '\t' | '\n' | '\r') {
                if self.paragraph_started {
                    self.pending_space = true;
                }
            } else {
                self.literal(ch);
            }
        }
    }

    fn literal(&mut self, ch: char) {
        if self.in_paragraph == 0 {
            return;
        }
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push(ch);
        self.paragraph_started = true;
    }
}

/// Number styles and the cell and table styles that refer to them.
#[derive(Default)]
struct Styles {
    /// Data style name → how it shows numbers.
    number: HashMap<String, NumFmt>,
    /// Cell style name → data style name.
    cell: HashMap<String, String>,
    /// Table styles with `table:display="false"` (hidden sheets).
    hidden_tables: HashSet<String>,
}

impl Styles {
    fn format_of(&self, cell_style: Option<&str>) -> Option<NumFmt> {
        let data = self.cell.get(cell_style?)?;
        self.number.get(data).cloned()
    }
}

/// A sheet being read.
struct OpenTable<'a> {
    name: String,
    style: Option<String>,
    hidden_attr: bool,
    grid: GridBuilder<'a>,
    merges: Vec<Merge>,
    /// The next row's index (may pass the sheet's limit while rows are empty).
    row: u64,
    /// The row being read: its repeat count and cells.
    open_row: Option<(u64, Vec<CellRun>)>,
    /// Next column within the open row.
    col: u64,
    merges_capped: bool,
}

fn attr_value(a: &Attribute<'_>) -> String {
    a.normalized_value(XmlVersion::Implicit1_0)
        .map(|v| v.into_owned())
        .unwrap_or_else(|_| a.value.to_string())
}

fn attrs(e: &BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .map(|a| (a.key.into_inner().to_string(), attr_value(&a)))
        .collect()
}

fn get<'v>(attrs: &'v [(String, String)], key: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A repeat or span count: at least 1, garbage → 1.
fn count(attrs: &[(String, String)], key: &str) -> u64 {
    get(attrs, key)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// The text of an entity or character reference.
fn resolve_ref(r: &BytesRef<'_>) -> String {
    if let Ok(Some(ch)) = r.resolve_char_ref() {
        return ch.to_string();
    }
    let name = r.xml10_content();
    match name.as_ref() {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        other => format!("&{other};"),
    }
}

/// What the parser is inside of, beyond the current table.
#[derive(Default)]
struct Parser<'a> {
    file: &'a str,
    styles: Styles,
    /// The data style being read: name, format.
    number_style: Option<(String, NumFmt, bool)>,
    /// The `style:style` being read, when it is a table style.
    table_style: Option<String>,
    table: Option<OpenTable<'a>>,
    cell: Option<OpenCell>,
    /// Depth of an element whose content is ignored (annotations, sub-tables).
    skip: usize,
    sheets: Vec<crate::grid::Sheet>,
    warnings: Vec<String>,
    /// Formula cells met without a saved value.
    unsaved_formulas: usize,
}

/// At most this many formula cells without a saved value are named one by one.
const MAX_FORMULA_WARNINGS: usize = 20;

fn parse<R: BufRead>(file: &str, input: R) -> Result<Workbook> {
    let mut reader = Reader::from_reader(input);
    let mut p = Parser {
        file,
        ..Parser::default()
    };
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            unreadable(
                file,
                format!(
                    "damaged OpenDocument content (XML error at byte {}: {e})",
                    reader.error_position()
                ),
            )
        })?;
        match event {
            Event::Eof => break,
            Event::Start(e) => p.start(&e, false)?,
            Event::Empty(e) => p.start(&e, true)?,
            Event::End(e) => p.end(e.name().into_inner())?,
            Event::Text(t) => {
                if p.skip == 0
                    && let Some(cell) = &mut p.cell
                {
                    cell.text.raw(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if p.skip == 0
                    && let Some(cell) = &mut p.cell
                {
                    cell.text.raw(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if p.skip == 0
                    && let Some(cell) = &mut p.cell
                {
                    for ch in resolve_ref(&r).chars() {
                        cell.text.literal(ch);
                    }
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if p.table.is_some() {
        return Err(unreadable(
            file,
            "damaged OpenDocument content (the file ends inside a table)",
        ));
    }
    if p.unsaved_formulas > MAX_FORMULA_WARNINGS {
        p.warnings.push(format!(
            "{file}: {} more formula cells without a saved value; open and save the file to compute them",
            p.unsaved_formulas - MAX_FORMULA_WARNINGS
        ));
    }
    let mut wb = Workbook {
        file: file.to_string(),
        sheets: p.sheets,
        embedded: None,
        warnings: p.warnings,
    };
    extract_embedded(&mut wb);
    Ok(wb)
}

impl<'a> Parser<'a> {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<()> {
        if self.skip > 0 {
            if !empty {
                self.skip += 1;
            }
            return Ok(());
        }
        let name = e.name();
        let name = name.into_inner();
        if self.cell.is_some() {
            self.start_in_cell(name, e, empty)?;
            return Ok(());
        }
        match name {
            "number:number-style" | "number:percentage-style" | "number:currency-style" => {
                let a = attrs(e);
                if let Some(style) = get(&a, "style:name") {
                    let fmt = NumFmt {
                        decimals: None,
                        percent: name == "number:percentage-style",
                        date: None,
                    };
                    if empty {
                        self.styles.number.insert(style.to_string(), fmt);
                    } else {
                        self.number_style = Some((style.to_string(), fmt, false));
                    }
                }
            }
            "number:number" => {
                if let Some((_, fmt, seen)) = &mut self.number_style
                    && !*seen
                {
                    let a = attrs(e);
                    // The first number part decides (later ones belong to style:map
                    // conditions or scientific parts).
                    *seen = true;
                    fmt.decimals = Some(
                        get(&a, "number:decimal-places")
                            .and_then(|v| v.trim().parse::<u32>().ok())
                            .unwrap_or(0)
                            .min(30),
                    );
                }
            }
            "number:scientific-number" | "number:fraction" => {
                if let Some((_, fmt, seen)) = &mut self.number_style
                    && !*seen
                {
                    *seen = true;
                    fmt.decimals = None;
                }
            }
            "style:style" => {
                let a = attrs(e);
                let family = get(&a, "style:family");
                let style = get(&a, "style:name");
                match (family, style) {
                    (Some("table-cell"), Some(style)) => {
                        if let Some(data) = get(&a, "style:data-style-name") {
                            self.styles.cell.insert(style.to_string(), data.to_string());
                        }
                    }
                    (Some("table"), Some(style)) if !empty => {
                        self.table_style = Some(style.to_string());
                    }
                    _ => {}
                }
            }
            "style:table-properties" => {
                if let Some(style) = &self.table_style {
                    let a = attrs(e);
                    if get(&a, "table:display") == Some("false") {
                        self.styles.hidden_tables.insert(style.clone());
                    }
                }
            }
            "table:table" => {
                if self.table.is_some() {
                    // A sub-table outside a cell: not part of the grid.
                    if !empty {
                        self.skip = 1;
                    }
                    return Ok(());
                }
                if self.sheets.len() >= MAX_SHEETS {
                    return Err(too_large(
                        self.file,
                        format!("more than {MAX_SHEETS} sheets"),
                    ));
                }
                let a = attrs(e);
                let name = get(&a, "table:name")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("Sheet{}", self.sheets.len() + 1));
                let table = OpenTable {
                    grid: GridBuilder::new(self.file, &name),
                    name,
                    style: get(&a, "table:style-name").map(str::to_string),
                    hidden_attr: get(&a, "table:display") == Some("false"),
                    merges: Vec::new(),
                    row: 0,
                    open_row: None,
                    col: 0,
                    merges_capped: false,
                };
                self.table = Some(table);
                if empty {
                    self.end("table:table")?;
                }
            }
            "table:table-row" => {
                if let Some(t) = &mut self.table {
                    let a = attrs(e);
                    t.open_row = Some((count(&a, "table:number-rows-repeated"), Vec::new()));
                    t.col = 0;
                    if empty {
                        self.end_row()?;
                    }
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let Some(t) = &mut self.table else {
                    return Ok(());
                };
                if t.open_row.is_none() {
                    return Ok(());
                }
                let a = attrs(e);
                let owned = |k: &str| get(&a, k).map(str::to_string);
                self.cell = Some(OpenCell {
                    repeat: count(&a, "table:number-columns-repeated"),
                    covered: name == "table:covered-table-cell",
                    value_type: get(&a, "office:value-type").unwrap_or("").to_string(),
                    calc_type: get(&a, "calcext:value-type").unwrap_or("").to_string(),
                    value: owned("office:value"),
                    date_value: owned("office:date-value"),
                    time_value: owned("office:time-value"),
                    boolean_value: owned("office:boolean-value"),
                    formula: owned("table:formula"),
                    style: owned("table:style-name"),
                    rows_spanned: count(&a, "table:number-rows-spanned"),
                    cols_spanned: count(&a, "table:number-columns-spanned"),
                    text: Text::default(),
                });
                if empty {
                    self.end_cell();
                }
            }
            "office:annotation" | "table:shapes" | "office:forms" if !empty => self.skip = 1,
            _ => {}
        }
        Ok(())
    }

    fn start_in_cell(&mut self, name: &str, e: &BytesStart<'_>, empty: bool) -> Result<()> {
        let Some(cell) = &mut self.cell else {
            return Ok(());
        };
        match name {
            "text:p" | "text:h" => {
                cell.text.start_paragraph();
                if empty {
                    cell.text.end_paragraph();
                }
            }
            "text:s" => {
                let n = count(&attrs(e), "text:c").min(MAX_SPACE_RUN as u64);
                for _ in 0..n {
                    cell.text.literal(' ');
                }
            }
            "text:tab" => cell.text.literal('\t'),
            "text:line-break" => cell.text.literal('\n'),
            "office:annotation" | "table:table" | "draw:frame" | "text:note" if !empty => {
                self.skip = 1;
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<()> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        if self.cell.is_some() {
            match name {
                "text:p" | "text:h" => {
                    if let Some(cell) = &mut self.cell {
                        cell.text.end_paragraph();
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => self.end_cell(),
                _ => {}
            }
            return Ok(());
        }
        match name {
            "number:number-style" | "number:percentage-style" | "number:currency-style" => {
                if let Some((style, fmt, _)) = self.number_style.take() {
                    self.styles.number.insert(style, fmt);
                }
            }
            "style:style" => self.table_style = None,
            "table:table-row" => self.end_row()?,
            "table:table" => {
                if let Some(t) = self.table.take() {
                    let hidden = t.hidden_attr
                        || t.style
                            .as_ref()
                            .is_some_and(|s| self.styles.hidden_tables.contains(s));
                    let rows = t.grid.finish()?;
                    let sheet = sheet_with_merges(
                        self.file,
                        &t.name,
                        hidden,
                        rows,
                        t.merges,
                        &mut self.warnings,
                    );
                    self.sheets.push(sheet);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Turns the open cell into a run of the open row.
    fn end_cell(&mut self) {
        let Some(cell) = self.cell.take() else {
            return;
        };
        let Some(t) = &mut self.table else {
            return;
        };
        let Some((_, runs)) = &mut t.open_row else {
            return;
        };
        let col = t.col;
        t.col = t.col.saturating_add(cell.repeat);
        let (rows_spanned, cols_spanned) = if cell.covered {
            (1, 1)
        } else {
            (cell.rows_spanned, cell.cols_spanned)
        };
        let value = if cell.covered {
            Cell::Empty
        } else {
            cell_value(&cell, &self.styles)
        };
        // A formula saved without its value (some generators write only the formula):
        // read as empty, and said so, never a silent blank.
        if let Some(formula) = &cell.formula
            && !cell.covered
            && value.is_empty()
            && cell.value.is_none()
            && cell.date_value.is_none()
            && cell.time_value.is_none()
            && cell.boolean_value.is_none()
        {
            self.unsaved_formulas += 1;
            if self.unsaved_formulas <= MAX_FORMULA_WARNINGS {
                let formula = formula.strip_prefix("of:").unwrap_or(formula);
                let formula = formula.strip_prefix('=').unwrap_or(formula);
                self.warnings.push(format!(
                    "{}: {}!{}: formula ={formula} has no saved value; open and save the file in Excel/WPS to compute it",
                    self.file,
                    t.name,
                    crate::grid::a1(
                        usize::try_from(t.row).unwrap_or(usize::MAX),
                        usize::try_from(col).unwrap_or(usize::MAX)
                    )
                ));
            }
        }
        if value.is_empty() && rows_spanned == 1 && cols_spanned == 1 {
            return;
        }
        runs.push(CellRun {
            col,
            repeat: cell.repeat,
            cell: value,
            rows_spanned,
            cols_spanned,
        });
    }

    /// Lays out the open row's cells and merges for each of its repetitions.
    fn end_row(&mut self) -> Result<()> {
        let Some(t) = &mut self.table else {
            return Ok(());
        };
        let Some((repeat, runs)) = t.open_row.take() else {
            return Ok(());
        };
        let has_content = runs.iter().any(|r| !r.cell.is_empty());
        let has_merges = runs
            .iter()
            .any(|r| r.rows_spanned > 1 || r.cols_spanned > 1);
        if !has_content && (!has_merges || t.merges_capped) {
            t.row = t.row.saturating_add(repeat);
            return Ok(());
        }
        let max_rows = u64::from(MAX_ROWS);
        let max_cols = u64::from(MAX_COLS);
        let mut done = 0u64;
        while done < repeat {
            let row = t.row;
            if row >= max_rows {
                if has_content {
                    // The grid refuses it with a clear message.
                    let first = runs.iter().find(|r| !r.cell.is_empty());
                    if let Some(run) = first {
                        t.grid.push(
                            u32::try_from(row).unwrap_or(u32::MAX),
                            u32::try_from(run.col).unwrap_or(u32::MAX),
                            run.cell.clone(),
                        )?;
                    }
                }
                t.row = t.row.saturating_add(repeat - done);
                break;
            }
            if !has_content && t.merges_capped {
                t.row = t.row.saturating_add(repeat - done);
                break;
            }
            for run in &runs {
                let mut k = 0u64;
                while k < run.repeat {
                    let col = run.col.saturating_add(k);
                    if col >= max_cols {
                        if !run.cell.is_empty() {
                            t.grid.push(
                                row as u32,
                                u32::try_from(col).unwrap_or(u32::MAX),
                                run.cell.clone(),
                            )?;
                        }
                        break;
                    }
                    if !run.cell.is_empty() {
                        t.grid.push(row as u32, col as u32, run.cell.clone())?;
                    }
                    if (run.rows_spanned > 1 || run.cols_spanned > 1) && !t.merges_capped {
                        if t.merges.len() >= MAX_MERGES {
                            t.merges_capped = true;
                            self.warnings.push(format!(
                                "{}: {}: more than {MAX_MERGES} merged areas; the rest were ignored",
                                self.file, t.name
                            ));
                        } else {
                            let last_row =
                                row.saturating_add(run.rows_spanned - 1).min(max_rows - 1);
                            let last_col =
                                col.saturating_add(run.cols_spanned - 1).min(max_cols - 1);
                            t.merges.push(Merge {
                                first_row: row as u32,
                                first_col: col as u32,
                                last_row: last_row as u32,
                                last_col: last_col as u32,
                            });
                        }
                    }
                    if run.cell.is_empty() && t.merges_capped {
                        break;
                    }
                    k += 1;
                }
            }
            t.row += 1;
            done += 1;
        }
        Ok(())
    }
}

/// The cell's value from its value type, value attributes and text.
fn cell_value(cell: &OpenCell, styles: &Styles) -> Cell {
    let text = || {
        if cell.text.out.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(cell.text.out.clone())
        }
    };
    if cell.calc_type == "error" {
        return match cell.text.out.trim() {
            "" => Cell::Error("#VALUE!".into()),
            t => Cell::Error(t.to_string()),
        };
    }
    match cell.value_type.as_str() {
        "float" | "currency" | "percentage" => {
            let percent = cell.value_type == "percentage";
            let Some(value) = cell
                .value
                .as_deref()
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
            else {
                return text();
            };
            let decimals = styles
                .format_of(cell.style.as_deref())
                .filter(|f| f.decimals.is_some())
                .and_then(|f| f.decimals)
                .or_else(|| decimals_shown(&cell.text.out));
            Cell::Number {
                value,
                decimals,
                percent,
            }
        }
        "boolean" => match cell.boolean_value.as_deref().map(str::trim) {
            Some("true") | Some("1") => Cell::Bool(true),
            Some("false") | Some("0") => Cell::Bool(false),
            _ => text(),
        },
        // A date as the application that saved the file showed it ("2023年12月"); the
        // ISO date behind it when the file holds no shown text.
        "date" => match cell.date_value.as_deref() {
            Some(_) if !cell.text.out.trim().is_empty() => text(),
            Some(v) => Cell::Text(date_text(v)),
            None => text(),
        },
        "time" => match cell.time_value.as_deref().and_then(duration_text) {
            Some(v) => Cell::Text(v),
            None => text(),
        },
        _ => text(),
    }
}

/// Decimals as the cell's text shows them: "58.50" → 2, "50%" → 0, "1,234" → 0;
/// `None` for scientific notation, fractions or text without digits.
pub(crate) fn decimals_shown(text: &str) -> Option<u32> {
    let t = text.trim();
    if !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let bytes = t.as_bytes();
    if t.contains('/')
        || bytes.windows(2).any(|w| {
            (w[0] == b'E' || w[0] == b'e')
                && (w[1].is_ascii_digit() || w[1] == b'+' || w[1] == b'-')
        })
    {
        return None;
    }
    match t.rfind('.') {
        Some(i) => {
            let n = t[i + 1..].chars().take_while(char::is_ascii_digit).count();
            Some(n.min(30) as u32)
        }
        None => Some(0),
    }
}

/// `2025-12-15T00:00:00` → `2025-12-15`; `2025-12-15T08:30:00` → `2025-12-15 08:30:00`.
fn date_text(v: &str) -> String {
    let v = v.trim();
    match v.split_once('T') {
        Some((date, time)) => {
            let time = time.split('.').next().unwrap_or(time);
            if time.trim_start_matches(['0', ':']).is_empty() {
                date.to_string()
            } else {
                format!("{date} {time}")
            }
        }
        None => v.to_string(),
    }
}

/// `PT08H30M00S` → `08:30:00`; `PT36H00M00S` → `36:00:00`.
fn duration_text(v: &str) -> Option<String> {
    let v = v.trim();
    let (sign, v) = match v.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", v),
    };
    let rest = v.strip_prefix("PT")?;
    let mut hours = 0u64;
    let mut minutes = 0u64;
    let mut seconds = 0f64;
    let mut number = String::new();
    for ch in rest.chars() {
        match ch {
            '0'..='9' | '.' => number.push(ch),
            'H' => hours = number.parse().ok()?,
            'M' => minutes = number.parse().ok()?,
            'S' => seconds = number.parse().ok()?,
            _ => return None,
        }
        if matches!(ch, 'H' | 'M' | 'S') {
            number.clear();
        }
    }
    if !seconds.is_finite() || hours > 1_000_000_000 || minutes > 1_000_000_000 {
        return None;
    }
    let total = hours * 3600 + minutes * 60 + seconds.round().min(1e12) as u64;
    Some(format!(
        "{sign}{:02}:{:02}:{:02}",
        total / 3600,
        total / 60 % 60,
        total % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0">
<office:automatic-styles>
<number:number-style style:name="N2"><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1"/></number:number-style>
<number:percentage-style style:name="N10"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
<style:style style:name="ce11" style:family="table-cell" style:data-style-name="N10"/>
<style:style style:name="ce12" style:family="table-cell" style:data-style-name="N2"/>
<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles><office:body><office:spreadsheet>"#;
    const TAIL: &str = "</office:spreadsheet></office:body></office:document-content>";

    fn read(body: &str) -> Result<Workbook> {
        let xml = format!("{HEAD}{body}{TAIL}");
        parse("t.ods", xml.as_bytes())
    }

    fn texts(s: &crate::grid::Sheet) -> Vec<Vec<String>> {
        s.rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect()
    }

    #[test]
    fn cells_merges_and_repeats() {
        let wb = read(
            r#"<table:table table:name="表"><table:table-column table:number-columns-repeated="3"/>
<table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="2" table:number-rows-spanned="2"><text:p>项目  名称</text:p><text:p>第二行</text:p></table:table-cell><table:covered-table-cell/><table:table-cell office:value-type="float" office:value="58.5" table:style-name="ce12"><text:p>58.50</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16381"/></table:table-row>
<table:table-row><table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="percentage" office:value="0.5" table:style-name="ce11"><text:p>50%</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="float" office:value="0"><text:p>0.00</text:p></table:table-cell><table:table-cell table:number-columns-repeated="2" office:value-type="string"><text:p>x<text:s text:c="2"/>y</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
</table:table>"#,
        )
        .unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.name, "表");
        assert!(!s.hidden);
        assert_eq!(
            texts(s),
            vec![
                vec!["项目 名称\n第二行", "", "58.50"],
                vec!["", "", "50%"],
                vec!["0.00", "x  y", "x  y"],
                vec!["0.00", "x  y", "x  y"],
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
        assert!(s.merges_known);
        assert_eq!(s.value(1, 1), &Cell::Text("项目 名称\n第二行".into()));
    }

    #[test]
    fn hidden_sheet_errors_dates_and_booleans() {
        let wb = read(
            r#"<table:table table:name="a" table:style-name="ta2"><table:table-row>
<table:table-cell office:value-type="date" office:date-value="2025-12-15T00:00:00"><text:p>2025/12/15</text:p></table:table-cell>
<table:table-cell office:value-type="date" office:date-value="2023-12-01"><text:p>2023年12月</text:p></table:table-cell>
<table:table-cell office:value-type="date" office:date-value="2025-12-15T00:00:00"/>
<table:table-cell office:value-type="time" office:time-value="PT36H00M00S"/>
<table:table-cell office:value-type="boolean" office:boolean-value="true"/>
<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="oops"><text:p>oops</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>a&amp;b&#x4E00;</text:p><office:annotation><text:p>comment</text:p></office:annotation></table:table-cell>
</table:table-row></table:table>"#,
        )
        .unwrap();
        let s = &wb.sheets[0];
        assert!(s.hidden);
        assert_eq!(
            s.rows[0],
            vec![
                Cell::Text("2025/12/15".into()),
                Cell::Text("2023年12月".into()),
                Cell::Text("2025-12-15".into()),
                Cell::Text("36:00:00".into()),
                Cell::Bool(true),
                Cell::Error("#DIV/0!".into()),
                Cell::Text("oops".into()),
                Cell::Text("a&b一".into()),
            ]
        );
    }

    #[test]
    fn formulas_without_a_saved_value_are_named() {
        let wb = read(
            r#"<table:table table:name="s"><table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row>
<table:table-row><table:table-cell table:formula="of:=[.A1]*2" office:value-type="float" office:value="2"/><table:table-cell table:formula="of:=SUM([.A1:.A2])"/></table:table-row></table:table>"#,
        )
        .unwrap();
        assert_eq!(
            wb.sheets[0].raw(1, 0),
            &Cell::Number {
                value: 2.0,
                decimals: None,
                percent: false
            }
        );
        assert_eq!(wb.sheets[0].raw(1, 1), &Cell::Empty);
        assert_eq!(
            wb.warnings,
            [
                "t.ods: s!B2: formula =SUM([.A1:.A2]) has no saved value; open and save the file in Excel/WPS to compute it"
            ]
        );
    }

    #[test]
    fn a_million_repeated_rows_with_content_are_bounded() {
        let started = std::time::Instant::now();
        let r = read(
            r#"<table:table table:name="s"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
        );
        assert!(
            matches!(r, Err(crate::Error::TooLarge { .. })),
            "{:?}",
            r.map(|w| w.sheets.len())
        );
        assert!(started.elapsed().as_secs() < 20);
    }

    #[test]
    fn repeated_merges_are_capped() {
        let wb = read(
            r#"<table:table table:name="s"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" table:number-columns-spanned="2"/></table:table-row></table:table>"#,
        )
        .unwrap();
        assert_eq!(wb.sheets[0].height(), 1);
        assert!(
            wb.warnings.iter().any(|w| w.contains("merged areas")),
            "{:?}",
            wb.warnings
        );
    }

    #[test]
    fn broken_xml_is_unreadable() {
        let r = parse(
            "b.ods",
            &b"<office:document-content><table:table table:name=\"x\"><table:table-row>"[..],
        );
        assert!(
            matches!(r, Err(crate::Error::Unreadable { .. })),
            "{:?}",
            r.map(|w| w.sheets.len())
        );
        let r = parse("b.ods", &b"<a><b></a>"[..]);
        assert!(matches!(r, Err(crate::Error::Unreadable { .. })));
    }

    #[test]
    fn shown_decimals() {
        assert_eq!(decimals_shown("58.50"), Some(2));
        assert_eq!(decimals_shown("50%"), Some(0));
        assert_eq!(decimals_shown("12.5%"), Some(1));
        assert_eq!(decimals_shown("1,234"), Some(0));
        assert_eq!(decimals_shown("¥1,234.000"), Some(3));
        assert_eq!(decimals_shown("1.2E+05"), None);
        assert_eq!(decimals_shown("1 1/2"), None);
        assert_eq!(decimals_shown("abc"), None);
        assert_eq!(duration_text("PT08H30M00S").as_deref(), Some("08:30:00"));
        assert_eq!(duration_text("PT1.5S").as_deref(), Some("00:00:02"));
        assert_eq!(duration_text("P1D"), None);
        assert_eq!(date_text("2025-12-15T08:30:00"), "2025-12-15 08:30:00");
        assert_eq!(date_text("2025-12-15"), "2025-12-15");
    }
}
