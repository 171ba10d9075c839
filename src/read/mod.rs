//! File → grid readers.
//!
//! [`read_path`] and [`read_bytes`] turn a spreadsheet file into a [`Workbook`] of
//! [`Sheet`]s. The format is decided by the file's content, never by its extension:
//!
//! * a zip archive holding `xl/workbook.xml` is read as xlsx (`xlsx.rs`: calamine for
//!   the cells, `xlsx_merges.rs` for the merged areas),
//! * a zip archive with the OpenDocument spreadsheet mimetype as ODS (`ods.rs`, our
//!   own `content.xml` reader, for its merges),
//! * an OLE compound file (`D0 CF 11 E0 …`) as xls (`xls.rs`: calamine, with number
//!   formats from our own BIFF pass in `biff.rs`), unless it is an encrypted OOXML
//!   package,
//! * an HTML page (the ".xls" that web budget systems export) as one sheet per
//!   `<table>` (`html.rs`), a flat ODS XML file as ODS,
//! * anything else that is text is read as CSV/TSV, after encoding detection.
//!
//! `numfmt.rs` reads Excel number formats (for xlsx, xls and ODS alike); `cells.rs`
//! holds what the xlsx and xls readers share around calamine.
//!
//! Bad input never panics, hangs or allocates without bound: files, zip entries, sheets,
//! grids and merges all have limits (see the constants below), and calamine runs under
//! `catch_unwind`.

mod biff;
mod cells;
mod csv;
mod datefmt;
mod html;
mod numfmt;
mod ods;
mod xls;
mod xlsx;
mod xlsx_merges;

use std::path::Path;

use crate::error::{Error, Result};
use crate::grid::{Cell, Merge, Sheet, Workbook, range_ref};

/// Files larger than this are refused without being read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The total uncompressed size of the entries of an xlsx archive.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 1024 * 1024 * 1024;
/// The compression ratio above which a large zip entry is taken for a zip bomb.
pub const MAX_COMPRESSION_RATIO: u64 = 1000;
/// Entries up to this uncompressed size are never refused for their ratio.
pub const RATIO_CHECK_MIN_BYTES: u64 = 10 * 1024 * 1024;
/// Non-empty cells per sheet.
pub const MAX_CELLS: usize = 5_000_000;
/// Rows per sheet (Excel's own limit).
pub const MAX_ROWS: u32 = 1_048_576;
/// Columns per sheet (Excel's own limit, XFD).
pub const MAX_COLS: u32 = 16_384;
/// Cell slots of the dense grid (rows are stored from column A up to their last
/// non-empty cell), so that a few cells far apart cannot make the grid explode.
pub const MAX_GRID_CELLS: usize = 20_000_000;
/// Cells covered by the merged areas of one sheet, all merges together.
pub const MAX_MERGED_CELLS: u64 = 2_000_000;
/// Merged areas collected from one ODS or HTML file before clipping.
pub const MAX_MERGES: usize = 500_000;
/// Sheets of an ODS file, tables of an HTML page.
pub const MAX_SHEETS: usize = 10_000;

/// The name of the hidden sheet that carries the embedded canonical JSON.
pub(crate) const EMBEDDED_SHEET: &str = "_jixiao";
/// The text cell A1 of the embedded sheet starts with.
pub(crate) const EMBEDDED_MARKER: &str = "jixiao/1";

/// Reads a spreadsheet file (xlsx, xls, ods, HTML, CSV or TSV, told apart by content).
pub fn read_path(path: &Path) -> Result<Workbook> {
    let file = path.display().to_string();
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(too_large_file(&file, meta.len()));
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    read_bytes(&file, &bytes)
}

/// Reads a spreadsheet held in memory. `name` is the file name used in messages, for
/// the CSV sheet name and as a hint (`.tsv`); the format itself is detected from the
/// bytes.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<Workbook> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large_file(name, bytes.len() as u64));
    }
    match sniff(bytes) {
        Sniffed::Zip => match xlsx::inspect_zip(name, bytes)? {
            xlsx::ZipKind::Xlsx => finish(xlsx::read_xlsx(name, bytes)?),
            xlsx::ZipKind::Ods => finish(ods::read_ods(name, bytes)?),
            xlsx::ZipKind::Other(what) => Err(unreadable(name, what)),
        },
        Sniffed::Cfb => finish(xls::read_xls(name, bytes)?),
        Sniffed::Pdf => Err(unreadable(name, "a PDF document, not a spreadsheet")),
        Sniffed::Binary => Err(unreadable(
            name,
            "binary data of an unknown format (expected xlsx, xls, ods, HTML, CSV or TSV)",
        )),
        Sniffed::Text => read_text(name, bytes),
    }
}

/// Text files: HTML tables, flat ODS, other markup (refused), or CSV/TSV.
fn read_text(name: &str, bytes: &[u8]) -> Result<Workbook> {
    // Markup is recognised on the raw bytes (ASCII-compatible encodings) so that an
    // HTML page is decoded by its own meta charset; UTF-16 text is decoded first.
    let utf16 = csv::has_utf16_bom(bytes);
    let head: String = if utf16 {
        let (text, _) = csv::decode(name, &bytes[..bytes.len().min(16 * 1024)]);
        text.chars().take(16 * 1024).collect()
    } else {
        let raw = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = raw
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(raw.len());
        String::from_utf8_lossy(&raw[start..raw.len().min(start + 16 * 1024)]).into_owned()
    };
    let head = head.trim_start_matches('\u{feff}').trim_start();
    match markup_kind(head) {
        Some(Markup::Html) => return finish(html::read_html(name, bytes)?),
        Some(Markup::FlatOds) => {
            if utf16 {
                let (text, _) = csv::decode(name, bytes);
                return finish(ods::read_flat_ods(name, text.as_bytes())?);
            }
            return finish(ods::read_flat_ods(name, bytes)?);
        }
        Some(Markup::Refused(reason)) => return Err(unreadable(name, reason)),
        None => {}
    }
    let (text, warnings) = csv::decode(name, bytes);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(Error::Empty {
            file: name.to_string(),
            reason: "the file is empty".to_string(),
        });
    }
    let mut wb = csv::parse(name, &text)?;
    wb.warnings.splice(0..0, warnings);
    finish(wb)
}

/// What the first bytes say about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Zip,
    Cfb,
    Pdf,
    Binary,
    Text,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        return Sniffed::Zip;
    }
    if bytes.starts_with(CFB_MAGIC) {
        return Sniffed::Cfb;
    }
    if bytes.starts_with(b"%PDF-") {
        return Sniffed::Pdf;
    }
    // UTF-16 text (Excel's "Unicode text") is full of NUL bytes but is text.
    if csv::has_utf16_bom(bytes) {
        return Sniffed::Text;
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Sniffed::Binary;
    }
    Sniffed::Text
}

/// What a text file that starts with `<` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Html,
    FlatOds,
    Refused(&'static str),
}

/// Markup that is not CSV: HTML tables saved as ".xls" by web systems, flat ODS, other
/// XML files. `head` is the start of the file, without BOM or leading white space.
fn markup_kind(head: &str) -> Option<Markup> {
    if head.starts_with("MIME-Version:") || head.starts_with("MIME-version:") {
        return Some(Markup::Refused(
            "a single-file web page (MHTML); save it as .xlsx or as a plain .htm page",
        ));
    }
    if !head.starts_with('<') {
        return None;
    }
    // Flat ODS names its mimetype after a long list of namespaces: look far enough.
    let lower: String = head
        .chars()
        .take(16 * 1024)
        .collect::<String>()
        .to_lowercase();
    if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") && !lower.contains("<html") {
        return Some(Markup::Refused(
            "Excel 2003 XML spreadsheets are not supported; save the file as .xlsx",
        ));
    }
    if ods::is_flat_ods(&lower) {
        return Some(Markup::FlatOds);
    }
    if html::looks_like_html(&lower) {
        return Some(Markup::Html);
    }
    if lower.starts_with("<?xml") {
        return Some(Markup::Refused("an XML document, not a spreadsheet"));
    }
    None
}

/// Checks what every reader must guarantee: at least one cell somewhere. Says which
/// hidden sheets hold cells, since tables are looked for on visible sheets only.
fn finish(mut wb: Workbook) -> Result<Workbook> {
    let has_cells = |s: &Sheet| s.rows.iter().flatten().any(|c| !c.is_empty());
    let any_cell = wb.sheets.iter().any(has_cells);
    if !any_cell && wb.embedded.is_none() {
        return Err(Error::Empty {
            file: wb.file,
            reason: "no sheet holds any cell".to_string(),
        });
    }
    for sheet in wb.sheets.iter().filter(|s| s.hidden && has_cells(s)) {
        wb.warnings.push(format!(
            "{}: sheet {:?} is hidden and was not read (unhide it to convert it)",
            wb.file, sheet.name
        ));
    }
    Ok(wb)
}

fn unreadable(file: &str, reason: impl Into<String>) -> Error {
    Error::Unreadable {
        file: file.to_string(),
        reason: reason.into(),
    }
}

fn too_large(file: &str, reason: impl Into<String>) -> Error {
    Error::TooLarge {
        file: file.to_string(),
        reason: reason.into(),
    }
}

fn too_large_file(file: &str, len: u64) -> Error {
    too_large(
        file,
        format!(
            "the file has {} MiB; at most {} MiB are read",
            len.div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// Collects the non-empty cells of one sheet at absolute positions, enforcing the
/// limits, and lays them out as dense rows from A1.
pub(crate) struct GridBuilder<'a> {
    file: &'a str,
    sheet: String,
    cells: Vec<(u32, u32, Cell)>,
}

impl<'a> GridBuilder<'a> {
    pub(crate) fn new(file: &'a str, sheet: &str) -> Self {
        GridBuilder {
            file,
            sheet: sheet.to_string(),
            cells: Vec::new(),
        }
    }

    /// Adds a cell at an absolute 0-based position; empty cells are ignored.
    pub(crate) fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<()> {
        if cell == Cell::Empty {
            return Ok(());
        }
        if row >= MAX_ROWS {
            return Err(too_large(
                self.file,
                format!(
                    "sheet {:?} has a cell in row {} (at most {MAX_ROWS} rows are read)",
                    self.sheet,
                    u64::from(row) + 1
                ),
            ));
        }
        if col >= MAX_COLS {
            return Err(too_large(
                self.file,
                format!(
                    "sheet {:?} has a cell in column {} (at most {MAX_COLS} columns are read)",
                    self.sheet,
                    u64::from(col) + 1
                ),
            ));
        }
        if self.cells.len() >= MAX_CELLS {
            return Err(too_large(
                self.file,
                format!(
                    "sheet {:?} has more than {MAX_CELLS} non-empty cells",
                    self.sheet
                ),
            ));
        }
        self.cells.push((row, col, cell));
        Ok(())
    }

    /// Dense rows from A1; each row ends at its last non-empty cell. A later cell at
    /// the same position replaces an earlier one.
    pub(crate) fn finish(mut self) -> Result<Vec<Vec<Cell>>> {
        self.cells.sort_by_key(|&(r, c, _)| (r, c));
        let Some(&(last_row, _, _)) = self.cells.last() else {
            return Ok(Vec::new());
        };
        // Row lengths first, so that nothing is allocated before the size is known.
        let mut lengths = vec![0usize; last_row as usize + 1];
        for &(r, c, _) in &self.cells {
            let len = &mut lengths[r as usize];
            *len = (*len).max(c as usize + 1);
        }
        let total: usize = lengths.iter().sum();
        if total > MAX_GRID_CELLS {
            return Err(too_large(
                self.file,
                format!(
                    "sheet {:?} spans {total} cells from A1 to its last cells \
                     (at most {MAX_GRID_CELLS} are read)",
                    self.sheet
                ),
            ));
        }
        let mut rows: Vec<Vec<Cell>> = lengths.iter().map(|&n| vec![Cell::Empty; n]).collect();
        for (r, c, cell) in self.cells {
            rows[r as usize][c as usize] = cell;
        }
        Ok(rows)
    }
}

/// Takes the embedded-document sheet (`_jixiao`, A1 = `jixiao/1…`, A2… = chunks of
/// JSON) out of a workbook and stores the JSON in `Workbook::embedded`.
pub(crate) fn extract_embedded(wb: &mut Workbook) {
    let Some(idx) = wb.sheets.iter().position(|s| s.name == EMBEDDED_SHEET) else {
        return;
    };
    let sheet = &wb.sheets[idx];
    let marker = match sheet.raw(0, 0) {
        Cell::Text(t) => t.clone(),
        _ => return,
    };
    if !marker.starts_with("jixiao/") {
        return;
    }
    if !marker.starts_with(EMBEDDED_MARKER) {
        wb.warnings.push(format!(
            "{}: the embedded document is in format {:?}, which this version does not read; ignored",
            wb.file,
            marker.split_whitespace().next().unwrap_or_default()
        ));
        wb.sheets.remove(idx);
        return;
    }
    let mut json = String::new();
    for row in 1..sheet.height() {
        match sheet.raw(row, 0) {
            Cell::Text(t) => json.push_str(t),
            _ => break,
        }
    }
    wb.sheets.remove(idx);
    wb.embedded = Some(json);
}

/// A sheet from rows, merges and visibility, with merge notes added to `warnings`.
///
/// Merges are clipped to the data's bounding box (the grid never grows for a merge, so
/// a merge over `A1:XFD1048576` costs nothing), and the cells they cover together are
/// capped at [`MAX_MERGED_CELLS`]: a merge that would pass the cap is dropped with a
/// warning instead of filling the covered-cell index.
///
/// A merge whose covered cells hold values of their own (other than its first cell's)
/// is not one a spreadsheet program made — merging keeps only the first value — and
/// honouring it would hide those values (a whole-sheet merge would blank the form): it
/// is ignored, with a warning.
pub(crate) fn sheet_with_merges(
    file: &str,
    name: &str,
    hidden: bool,
    rows: Vec<Vec<Cell>>,
    merges: Vec<Merge>,
    warnings: &mut Vec<String>,
) -> Sheet {
    let height = rows.len() as u64;
    let width = rows.iter().map(Vec::len).max().unwrap_or(0) as u64;
    let mut kept = Vec::new();
    let mut covered: u64 = 0;
    for m in merges {
        if u64::from(m.first_row) >= height || u64::from(m.first_col) >= width {
            continue;
        }
        let clipped = Merge {
            last_row: m.last_row.min((height - 1) as u32),
            last_col: m.last_col.min((width - 1) as u32),
            ..m
        };
        if clipped.last_row < clipped.first_row || clipped.last_col < clipped.first_col {
            continue;
        }
        let cells = u64::from(clipped.last_row - clipped.first_row + 1)
            * u64::from(clipped.last_col - clipped.first_col + 1);
        if covered + cells > MAX_MERGED_CELLS {
            warnings.push(format!(
                "{file}: {name}: merged area {} covers too many cells ({cells}) and was ignored",
                range_ref(&m)
            ));
            continue;
        }
        // The budget also bounds the look at the covered cells below.
        covered += cells;
        let hiding = values_hidden_by(&rows, &clipped);
        if hiding > 0 {
            warnings.push(format!(
                "{file}: {name}: merged area {} would hide {hiding} cell(s) holding values of \
                 their own and was ignored",
                range_ref(&m)
            ));
            continue;
        }
        kept.push(clipped);
    }
    let mut sheet = Sheet::new(name, rows);
    sheet.hidden = hidden;
    for note in sheet.set_merges(kept) {
        warnings.push(format!("{file}: {note}"));
    }
    sheet
}

/// How many cells a merge covers (its first cell aside) that hold a value other than
/// the first cell's.
fn values_hidden_by(rows: &[Vec<Cell>], m: &Merge) -> usize {
    let first = rows
        .get(m.first_row as usize)
        .and_then(|r| r.get(m.first_col as usize))
        .unwrap_or(&Cell::Empty);
    let mut hidden = 0;
    for (r, row) in rows
        .iter()
        .enumerate()
        .take(m.last_row as usize + 1)
        .skip(m.first_row as usize)
    {
        let end = row.len().min(m.last_col as usize + 1);
        for (c, cell) in row.iter().enumerate().take(end).skip(m.first_col as usize) {
            let is_first = r == m.first_row as usize && c == m.first_col as usize;
            if !is_first && !cell.is_empty() && cell != first {
                hidden += 1;
            }
        }
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_that_would_hide_values_are_ignored() {
        let text = |t: &str| Cell::Text(t.to_string());
        let rows = vec![
            vec![text("标题"), Cell::Empty, Cell::Empty],
            vec![text("项目名称"), text("x"), text("x")],
        ];
        let merge = |r0, c0, r1, c1| Merge {
            first_row: r0,
            first_col: c0,
            last_row: r1,
            last_col: c1,
        };
        let mut warnings = Vec::new();
        let sheet = sheet_with_merges(
            "f.xlsx",
            "s",
            false,
            rows,
            vec![
                merge(0, 0, 1_048_575, 16_383),
                merge(0, 0, 0, 2),
                merge(1, 1, 1, 2),
            ],
            &mut warnings,
        );
        // The whole-sheet merge would hide 项目名称 and x; a merge over equal values
        // (a fill some exporters write) hides nothing.
        assert_eq!(sheet.merges(), &[merge(0, 0, 0, 2), merge(1, 1, 1, 2)]);
        assert_eq!(
            warnings,
            [
                "f.xlsx: s: merged area A1:XFD1048576 would hide 3 cell(s) holding values of \
              their own and was ignored"
            ]
        );
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(CFB_MAGIC), Sniffed::Cfb);
        assert_eq!(sniff(b"a,b\r\n1,2\r\n"), Sniffed::Text);
        assert_eq!(sniff(b"\x00\x01\x02garbage"), Sniffed::Binary);
        assert_eq!(sniff(b"\xff\xfea\x00\t\x00b\x00"), Sniffed::Text);
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Pdf);
    }

    #[test]
    fn markup_is_recognised() {
        assert_eq!(markup_kind("<html><body><table>"), Some(Markup::Html));
        assert_eq!(markup_kind("<!DOCTYPE html>"), Some(Markup::Html));
        assert_eq!(markup_kind("<table border=1><tr>"), Some(Markup::Html));
        assert!(matches!(
            markup_kind(
                "<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"
            ),
            Some(Markup::Refused(_))
        ));
        assert!(matches!(
            markup_kind("<?xml version=\"1.0\"?><svg/>"),
            Some(Markup::Refused(_))
        ));
        assert!(matches!(
            markup_kind("MIME-Version: 1.0\r\n"),
            Some(Markup::Refused(_))
        ));
        assert_eq!(markup_kind("<24 小时,≥4 次"), None);
        assert_eq!(markup_kind("项目名称,x"), None);
    }

    #[test]
    fn empty_and_whitespace_files_are_empty() {
        for bytes in [&b""[..], b"   \r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"] {
            match read_bytes("e.csv", bytes) {
                Err(Error::Empty { file, reason }) => {
                    assert_eq!(file, "e.csv");
                    assert_eq!(reason, "the file is empty");
                }
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn only_separators_hold_no_cell() {
        match read_bytes("c.csv", b",,,\r\n,,,\r\n") {
            Err(Error::Empty { reason, .. }) => assert_eq!(reason, "no sheet holds any cell"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn random_bytes_are_unreadable() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        match read_bytes("noise.xlsx", &bytes) {
            Err(Error::Unreadable { file, .. }) => assert_eq!(file, "noise.xlsx"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn html_export_is_read() {
        let html = "\u{feff}  <html><head><meta charset=utf-8></head><body><table><tr><td>项目名称</td></tr></table></body></html>";
        let wb = read_bytes("export.xls", html.as_bytes()).unwrap();
        assert_eq!(wb.sheets[0].raw(0, 0), &Cell::Text("项目名称".into()));
        let empty = read_bytes("empty.xls", b"<html><body><table></table></body></html>");
        assert!(matches!(empty, Err(Error::Empty { .. })), "{empty:?}");
    }

    #[test]
    fn grid_builder_places_cells_absolutely_and_caps() {
        let mut b = GridBuilder::new("f", "s");
        b.push(2, 3, Cell::Text("x".into())).unwrap();
        b.push(0, 0, Cell::Bool(true)).unwrap();
        b.push(1, 5, Cell::Empty).unwrap();
        let rows = b.finish().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], vec![Cell::Bool(true)]);
        assert!(rows[1].is_empty());
        assert_eq!(rows[2].len(), 4);
        assert_eq!(rows[2][3], Cell::Text("x".into()));

        let mut far = GridBuilder::new("f", "s");
        for r in 0..2000 {
            far.push(r * 500, MAX_COLS - 1, Cell::Bool(false)).unwrap();
        }
        assert!(matches!(far.finish(), Err(Error::TooLarge { .. })));

        let mut deep = GridBuilder::new("f", "s");
        assert!(matches!(
            deep.push(MAX_ROWS, 0, Cell::Bool(false)),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn embedded_sheet_is_taken_out() {
        let text = |t: &str| Cell::Text(t.to_string());
        let mut wb = Workbook {
            file: "f.xlsx".into(),
            sheets: vec![
                Sheet::new("表", vec![vec![text("x")]]),
                Sheet::new(
                    EMBEDDED_SHEET,
                    vec![
                        vec![text("jixiao/1 canonical JSON")],
                        vec![text("{\"a\":")],
                        vec![text("1}")],
                    ],
                ),
            ],
            ..Workbook::default()
        };
        extract_embedded(&mut wb);
        assert_eq!(wb.embedded.as_deref(), Some("{\"a\":1}"));
        assert_eq!(wb.sheets.len(), 1);
        assert_eq!(wb.sheets[0].name, "表");
    }
}
