//! xlsx and xls through calamine, plus the zip checks done before calamine sees a file.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{
    Data, DataRef, Dimensions, ExcelDateTime, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsx,
    XlsxError,
};

use super::{
    GridBuilder, MAX_COMPRESSION_RATIO, MAX_UNCOMPRESSED_BYTES, RATIO_CHECK_MIN_BYTES,
    extract_embedded, sheet_with_merges, too_large, unreadable,
};
use crate::error::{Error, Result};
use crate::grid::{Cell, Merge, Workbook};

/// What a zip archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ZipKind {
    Xlsx,
    Ods,
    /// Not a workbook we read; the reason to report.
    Other(String),
}

/// Opens the zip central directory, refuses zip bombs, and tells what the archive is.
///
/// zip 9 stops every entry at its declared uncompressed size, so checking the declared
/// sizes here bounds what calamine can inflate later.
pub(super) fn inspect_zip(file: &str, bytes: &[u8]) -> Result<ZipKind> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| unreadable(file, format!("truncated or corrupt zip archive ({e})")))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| unreadable(file, format!("truncated or corrupt zip archive ({e})")))?;
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > RATIO_CHECK_MIN_BYTES && size / packed > MAX_COMPRESSION_RATIO {
            return Err(too_large(
                file,
                format!(
                    "zip entry {:?} expands {}:1 to {} MiB (a zip bomb?)",
                    entry.name().unwrap_or_default(),
                    size / packed,
                    size / (1024 * 1024)
                ),
            ));
        }
        total = total.saturating_add(size);
        if total > MAX_UNCOMPRESSED_BYTES {
            return Err(too_large(
                file,
                format!(
                    "the archive expands to more than {} MiB",
                    MAX_UNCOMPRESSED_BYTES / (1024 * 1024)
                ),
            ));
        }
    }
    let names: std::collections::HashSet<String> = archive
        .file_names()
        .flatten()
        .map(|n| n.into_owned())
        .collect();
    let has = |name: &str| names.contains(name);
    if has("xl/workbook.xml") {
        return Ok(ZipKind::Xlsx);
    }
    if has("xl/workbook.bin") {
        return Ok(ZipKind::Other(
            "binary workbooks (.xlsb) are not supported; save the file as .xlsx".into(),
        ));
    }
    if has("word/document.xml") {
        return Ok(ZipKind::Other("a Word document, not a spreadsheet".into()));
    }
    if has("ppt/presentation.xml") {
        return Ok(ZipKind::Other(
            "a PowerPoint presentation, not a spreadsheet".into(),
        ));
    }
    if has("mimetype") {
        let mut mimetype = String::new();
        if let Ok(entry) = archive.by_name("mimetype") {
            let _ = entry.take(200).read_to_string(&mut mimetype);
        }
        let mimetype = mimetype.trim();
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet" {
            return Ok(ZipKind::Ods);
        }
        if mimetype.starts_with("application/vnd.oasis.opendocument") {
            return Ok(ZipKind::Other(format!(
                "an OpenDocument file of type {mimetype}, not a spreadsheet"
            )));
        }
    }
    // Some writers put the workbook part elsewhere; calamine follows _rels/.rels.
    if has("[Content_Types].xml") && names.iter().any(|n| n.starts_with("xl/")) {
        return Ok(ZipKind::Xlsx);
    }
    Ok(ZipKind::Other(
        "a zip archive that is not an Excel workbook (no xl/workbook.xml)".into(),
    ))
}

thread_local! {
    /// Set while a calamine read runs on this thread.
    static IN_GUARDED_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wraps the panic hook once so that a panic inside a dependency during a guarded read
/// prints nothing: the read turns it into an `Unreadable` error, and the user sees
/// that message only. Panics in this crate's own code still reach the previous hook
/// (the CLI's "internal error" message, or a fuzzer's crash report).
fn quiet_dependency_panics() {
    static WRAP: std::sync::Once = std::sync::Once::new();
    WRAP.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = info.location().is_none_or(|l| {
                l.file().starts_with("src/") || l.file().starts_with(env!("CARGO_MANIFEST_DIR"))
            });
            if ours || !IN_GUARDED_READ.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs a calamine reader under `catch_unwind`: a panic becomes `Unreadable`.
fn guarded(file: &str, read: impl FnOnce() -> Result<Workbook>) -> Result<Workbook> {
    quiet_dependency_panics();
    let was = IN_GUARDED_READ.with(|g| g.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(read));
    IN_GUARDED_READ.with(|g| g.set(was));
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(unreadable(
                file,
                format!("the workbook is damaged or unusual and could not be read ({detail})"),
            ))
        }
    }
}

/// Reads an xlsx file (already checked by [`inspect_zip`]).
pub(super) fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Workbook> {
    guarded(file, || read_xlsx_inner(file, bytes))
}

fn xlsx_error(file: &str, context: &str, e: XlsxError) -> Error {
    let reason = match &e {
        XlsxError::Zip(z) => format!("truncated or corrupt zip archive ({z})"),
        XlsxError::Password => "password-protected or encrypted workbook".to_string(),
        _ => format!("damaged workbook{context}: {e}"),
    };
    unreadable(file, reason)
}

fn read_xlsx_inner(file: &str, bytes: &[u8]) -> Result<Workbook> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_error(file, "", e))?;
    let metas = wb.sheets_metadata().to_vec();
    let mut out = Workbook {
        file: file.to_string(),
        ..Workbook::default()
    };
    let mut formats: Option<Vec<NumFmt>> = None;
    let mut parts = super::xlsx_merges::SheetParts::read(bytes);
    for meta in metas {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let context = format!(" (sheet {:?})", meta.name);
        let mut grid = GridBuilder::new(file, &meta.name);
        match wb.worksheet_cells_reader(&meta.name) {
            Ok(mut reader) => {
                let formats = formats.get_or_insert_with(|| {
                    reader
                        .styles()
                        .iter()
                        .map(|s| {
                            s.number_format
                                .as_ref()
                                .map_or_else(NumFmt::default, |f| NumFmt::parse(&f.format_code))
                        })
                        .collect()
                });
                while let Some((cell, style)) = reader
                    .next_cell_with_style_id()
                    .map_err(|e| xlsx_error(file, &context, e))?
                {
                    let (row, col) = cell.get_position();
                    let fmt = formats.get(style).copied().unwrap_or_default();
                    grid.push(row, col, from_data_ref(cell.get_value(), fmt))?;
                }
            }
            Err(XlsxError::NotAWorksheet(_)) => continue,
            Err(e) => return Err(xlsx_error(file, &context, e)),
        }
        let rows = grid.finish()?;
        let merges = parts
            .as_mut()
            .and_then(|p| p.merges(&meta.name))
            .or_else(|| {
                read_merges(
                    file,
                    &meta.name,
                    || wb.merge_cells_by_sheet_name(&meta.name),
                    &mut out.warnings,
                )
            });
        push_sheet(&mut out, &meta, rows, merges);
    }
    extract_embedded(&mut out);
    Ok(out)
}

/// Reads an OLE compound file: an xls workbook, or an encrypted xlsx (refused).
pub(super) fn read_xls(file: &str, bytes: &[u8]) -> Result<Workbook> {
    guarded(file, || read_xls_inner(file, bytes))
}

/// `EncryptedPackage` in UTF-16LE: the stream name of an encrypted OOXML package.
fn is_encrypted_package(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn read_xls_inner(file: &str, bytes: &[u8]) -> Result<Workbook> {
    let xls_error = |context: &str, e: XlsError| {
        if matches!(e, XlsError::Password) || is_encrypted_package(bytes) {
            unreadable(file, "password-protected or encrypted workbook")
        } else {
            unreadable(
                file,
                format!("damaged or unsupported xls workbook{context}: {e}"),
            )
        }
    };
    if is_encrypted_package(bytes) {
        return Err(unreadable(file, "password-protected or encrypted workbook"));
    }
    // calamine trusts the compound file and the BIFF records it holds: our own pass
    // takes the workbook stream out, refuses what would make calamine allocate without
    // bound, and gives calamine a clean compound file with only that stream.
    let Some(stream) = super::biff::workbook_stream(bytes) else {
        return Err(unreadable(
            file,
            "an Office 97-2003 file that holds no workbook (damaged, or a Word or PowerPoint document)",
        ));
    };
    super::biff::check_bounds(&stream).map_err(|reason| too_large(file, reason))?;
    let clean = super::biff::rebuild_cfb(&stream)
        .ok_or_else(|| too_large(file, "the workbook stream is too large"))?;
    let mut wb: Xls<_> = Xls::new(Cursor::new(clean.as_slice())).map_err(|e| xls_error("", e))?;
    let metas = wb.sheets_metadata().to_vec();
    // calamine does not expose xls number formats; our own BIFF pass reads them.
    let formats = super::biff::number_formats(&stream).unwrap_or_default();
    let no_formats = std::collections::HashMap::new();
    let mut out = Workbook {
        file: file.to_string(),
        ..Workbook::default()
    };
    for meta in metas {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let context = format!(" (sheet {:?})", meta.name);
        let range = wb
            .worksheet_range(&meta.name)
            .map_err(|e| xls_error(&context, e))?;
        let mut grid = GridBuilder::new(file, &meta.name);
        let sheet_formats = formats.get(&meta.name).unwrap_or(&no_formats);
        if let Some((row0, col0)) = range.start() {
            for (r, c, value) in range.used_cells() {
                let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
                    continue;
                };
                let (row, col) = (row0.saturating_add(r), col0.saturating_add(c));
                let fmt = sheet_formats.get(&(row, col)).copied().unwrap_or_default();
                grid.push(row, col, from_data(value, fmt))?;
            }
        }
        drop(range);
        let rows = grid.finish()?;
        let merges = read_merges(
            file,
            &meta.name,
            || wb.merge_cells_by_sheet_name(&meta.name),
            &mut out.warnings,
        );
        push_sheet(&mut out, &meta, rows, merges);
    }
    extract_embedded(&mut out);
    Ok(out)
}

/// Reads a sheet's merges (calamine's xlsx and xls each have their own method). Merges
/// that cannot be read, or whose reading panics, leave the sheet's merges unknown, with
/// a warning.
fn read_merges<E: std::fmt::Display>(
    file: &str,
    sheet: &str,
    read: impl FnOnce() -> std::result::Result<Vec<Dimensions>, E>,
    warnings: &mut Vec<String>,
) -> Option<Vec<Merge>> {
    let merges = catch_unwind(AssertUnwindSafe(read))
        .map_err(|_| "malformed merged-cell references".to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    match merges {
        Ok(dims) => Some(dims.iter().map(to_merge).collect()),
        Err(e) => {
            warnings.push(format!(
                "{file}: merged cells of sheet {sheet:?} could not be read ({e}); treated as unmerged"
            ));
            None
        }
    }
}

fn push_sheet(
    out: &mut Workbook,
    meta: &calamine::Sheet,
    rows: Vec<Vec<Cell>>,
    merges: Option<Vec<Merge>>,
) {
    let hidden = meta.visible != SheetVisible::Visible;
    let sheet = match merges {
        Some(merges) => sheet_with_merges(
            &out.file,
            &meta.name,
            hidden,
            rows,
            merges,
            &mut out.warnings,
        ),
        None => {
            // Merges unknown: merges_known stays false.
            let mut sheet = crate::grid::Sheet::new(meta.name.clone(), rows);
            sheet.hidden = hidden;
            sheet
        }
    };
    out.sheets.push(sheet);
}

fn to_merge(d: &Dimensions) -> Merge {
    Merge {
        first_row: d.start.0.min(d.end.0),
        first_col: d.start.1.min(d.end.1),
        last_row: d.start.0.max(d.end.0),
        last_col: d.start.1.max(d.end.1),
    }
}

/// How a number format shows a number: decimals (None = General / not fixed) and
/// whether it is a percentage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NumFmt {
    pub decimals: Option<u32>,
    pub percent: bool,
}

impl NumFmt {
    /// Reads the first section of an Excel number format code: `#,##0.00` → 2 decimals,
    /// `0%` → 0 decimals percent, `0.0%` → 1 percent, `General`/`@`/scientific/fractions
    /// → no fixed decimals.
    pub(crate) fn parse(code: &str) -> NumFmt {
        let mut percent = false;
        let mut seen_digit = false;
        let mut after_dot: Option<u32> = None;
        let mut in_decimals = false;
        let mut scaled = false;
        let mut chars = code.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                ';' => break,
                '"' => {
                    in_decimals = false;
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                    }
                }
                '[' => {
                    in_decimals = false;
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                    }
                }
                '\\' | '_' | '*' => {
                    in_decimals = false;
                    chars.next();
                }
                '0' | '#' | '?' => {
                    seen_digit = true;
                    scaled = false;
                    if in_decimals {
                        after_dot = after_dot.map(|n| n + 1);
                    }
                }
                '.' if after_dot.is_none() => {
                    after_dot = Some(0);
                    in_decimals = true;
                }
                ',' => {
                    // A comma after the digits scales by 1000 ("0.00,").
                    if seen_digit {
                        scaled = true;
                    }
                    in_decimals = false;
                }
                '%' => {
                    percent = true;
                    in_decimals = false;
                }
                'E' | 'e' | '/' | '@' => {
                    return NumFmt::default();
                }
                _ => in_decimals = false,
            }
        }
        // A comma after the last digit placeholder scales the number ("0.0," shows
        // thousands); a comma between placeholders (`#,##0`) is a thousands separator.
        if !seen_digit || scaled {
            return NumFmt::default();
        }
        NumFmt {
            decimals: Some(after_dot.unwrap_or(0)),
            percent,
        }
    }
}

fn number(value: f64, fmt: NumFmt) -> Cell {
    Cell::Number {
        value,
        decimals: fmt.decimals,
        percent: fmt.percent,
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

fn from_data_ref(value: &DataRef<'_>, fmt: NumFmt) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Float(f) => number(*f, fmt),
        DataRef::Int(i) => number(*i as f64, fmt),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => Cell::Text(datetime_text(dt)),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn from_data(value: &Data, fmt: NumFmt) -> Cell {
    match value {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text(s),
        Data::Float(f) => number(*f, fmt),
        Data::Int(i) => number(*i as f64, fmt),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Text(datetime_text(dt)),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// A date as `2025-12-15`, a date and time as `2025-12-15 08:30:00`, a time of day as
/// `08:30:00`, a duration as `36:00:00`.
fn datetime_text(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if !v.is_finite() {
        return v.to_string();
    }
    if dt.is_duration() {
        let secs = (v * 86_400.0).round();
        let sign = if secs < 0.0 { "-" } else { "" };
        let secs = secs.abs().min(1e15) as u64;
        return format!(
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&v) {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    fn fmt(decimals: Option<u32>, percent: bool) -> NumFmt {
        NumFmt { decimals, percent }
    }

    #[test]
    fn number_formats() {
        assert_eq!(NumFmt::parse("General"), fmt(None, false));
        assert_eq!(NumFmt::parse("general"), fmt(None, false));
        assert_eq!(NumFmt::parse("@"), fmt(None, false));
        assert_eq!(NumFmt::parse("0"), fmt(Some(0), false));
        assert_eq!(NumFmt::parse("0.00"), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("#,##0.00"), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("#,##0"), fmt(Some(0), false));
        assert_eq!(NumFmt::parse("0%"), fmt(Some(0), true));
        assert_eq!(NumFmt::parse("0.0%"), fmt(Some(1), true));
        assert_eq!(NumFmt::parse("0.00_ ;[Red]\\-0.00\\ "), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("#,##0.00_);(#,##0.00)"), fmt(Some(2), false));
        assert_eq!(
            NumFmt::parse("\"¥\"#,##0.00;\"¥\"\\-#,##0.00"),
            fmt(Some(2), false)
        );
        assert_eq!(NumFmt::parse("[$-804]#,##0.000"), fmt(Some(3), false));
        assert_eq!(NumFmt::parse("0.00\"万元\""), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("\"50.5%\"0"), fmt(Some(0), false));
        assert_eq!(NumFmt::parse("0.00E+00"), fmt(None, false));
        assert_eq!(NumFmt::parse("# ?/?"), fmt(None, false));
        assert_eq!(NumFmt::parse("0.0,"), fmt(None, false));
        assert_eq!(NumFmt::parse(""), fmt(None, false));
    }

    #[test]
    fn dates_as_text() {
        let date = ExcelDateTime::new(46006.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&date), "2025-12-15");
        let with_time = ExcelDateTime::new(46006.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&with_time), "2025-12-15 12:00:00");
        let time = ExcelDateTime::new(0.25, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&time), "06:00:00");
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(datetime_text(&duration), "36:00:00");
        for v in [f64::NAN, f64::INFINITY, -1e300, 1e300] {
            let odd = ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
            let _ = datetime_text(&odd);
        }
    }

    #[test]
    fn encrypted_package_marker() {
        let mut bytes = vec![0u8; 64];
        bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(is_encrypted_package(&bytes));
        assert!(!is_encrypted_package(b"EncryptedPackage"));
    }
}
