//! xlsx through calamine, plus the zip checks done before calamine (or the ODS
//! reader) sees a file.

use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{Reader, SheetType, Xlsx, XlsxError};
use rayon::prelude::*;

use super::cells::{build_sheet, from_data_ref, guarded, read_merges};
use super::datefmt::DateFmt;
use super::numfmt::NumFmt;
use super::{
    GridBuilder, MAX_COMPRESSION_RATIO, MAX_UNCOMPRESSED_BYTES, RATIO_CHECK_MIN_BYTES,
    extract_embedded, too_large, unreadable,
};
use crate::error::{Error, Result};
use crate::grid::Workbook;

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

/// The format of a cell whose style is unknown: General.
static NO_FORMAT: NumFmt = NumFmt {
    decimals: None,
    percent: false,
    date: None,
};

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
    let wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_error(file, "", e))?;
    let metas: Vec<calamine::Sheet> = wb
        .sheets_metadata()
        .iter()
        .filter(|m| m.typ == SheetType::WorkSheet)
        .cloned()
        .collect();
    let mut out = Workbook {
        file: file.to_string(),
        ..Workbook::default()
    };
    // Sheets are independent: a workbook of many is read by one thread per core of the
    // current rayon pool, each with its own open archive (calamine's reader is not
    // shared), taking the next chunk of sheets as it finishes one, so that no thread
    // waits for another's slower sheets. The chunks are joined in sheet order, so the
    // grid, its warnings and the first error are those of reading the sheets one by one.
    let threads = rayon::current_num_threads()
        .min(metas.len() / SHEETS_PER_RUN)
        .max(1);
    let chunks: Vec<&[calamine::Sheet]> = if threads == 1 {
        vec![&metas[..]]
    } else {
        metas.chunks(SHEETS_PER_CHUNK).collect()
    };
    let next = AtomicUsize::new(0);
    let mut first = Some(wb);
    let opened: Vec<Option<Xlsx<Cursor<&[u8]>>>> = (0..threads).map(|_| first.take()).collect();
    let mut read: Vec<(usize, Result<Vec<SheetRead>>)> = opened
        .into_par_iter()
        .flat_map_iter(|wb| {
            let mut reader = wb.map(|wb| ArchiveReader::new(bytes, wb));
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = chunks.get(i) else {
                    break;
                };
                let read = guarded(file, || {
                    let reader = match &mut reader {
                        Some(reader) => reader,
                        None => reader.insert(ArchiveReader::open(file, bytes)?),
                    };
                    reader.read(file, chunk)
                });
                let failed = read.is_err();
                done.push((i, read));
                // The archive may be left mid-read. The chunks still to take come after
                // this error; the other threads read them, or stop at errors of their own.
                if failed {
                    break;
                }
            }
            done
        })
        .collect();
    read.sort_unstable_by_key(|(i, _)| *i);
    for (_, chunk) in read {
        for (sheet, warnings) in chunk? {
            out.warnings.extend(warnings);
            out.sheets.push(sheet);
        }
    }
    extract_embedded(&mut out);
    Ok(out)
}

/// A sheet read, with the warnings met on it.
type SheetRead = (crate::grid::Sheet, Vec<String>);

/// Fewer sheets than this a thread are read on one thread: opening the archive again
/// (its shared strings and styles) costs more than it saves.
const SHEETS_PER_RUN: usize = 50;

/// How many sheets a thread takes at a time: few enough that the threads finish
/// together, enough that taking them costs nothing.
const SHEETS_PER_CHUNK: usize = 16;

/// One open archive reading sheets, with its number formats (read with its first
/// sheet) and its sheet parts for the merge scan.
struct ArchiveReader<'b> {
    wb: Xlsx<Cursor<&'b [u8]>>,
    formats: Option<Vec<NumFmt>>,
    parts: Option<super::xlsx_merges::SheetParts<'b>>,
}

impl<'b> ArchiveReader<'b> {
    fn new(bytes: &'b [u8], wb: Xlsx<Cursor<&'b [u8]>>) -> ArchiveReader<'b> {
        ArchiveReader {
            wb,
            formats: None,
            parts: super::xlsx_merges::SheetParts::read(bytes),
        }
    }

    fn open(file: &str, bytes: &'b [u8]) -> Result<ArchiveReader<'b>> {
        let wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_error(file, "", e))?;
        Ok(ArchiveReader::new(bytes, wb))
    }

    /// Reads sheets: each with the warnings met on it, in order.
    fn read(&mut self, file: &str, metas: &[calamine::Sheet]) -> Result<Vec<SheetRead>> {
        let ArchiveReader { wb, formats, parts } = self;
        let mut sheets = Vec::with_capacity(metas.len());
        for meta in metas {
            let context = format!(" (sheet {:?})", meta.name);
            let mut warnings = Vec::new();
            let mut grid = GridBuilder::new(file, &meta.name);
            match wb.worksheet_cells_reader(&meta.name) {
                Ok(mut reader) => {
                    let formats = formats.get_or_insert_with(|| {
                        reader
                            .styles()
                            .iter()
                            .map(|s| {
                                s.number_format.as_ref().map_or_else(NumFmt::default, |f| {
                                    // Built-in date formats depend on the locale: calamine
                                    // names the CJK ones (27–36, 50–58) "General" and gives
                                    // 14 and 22 their US codes; a Chinese Excel or WPS
                                    // shows them as `DateFmt::builtin_code` has them.
                                    match f.format_id.and_then(DateFmt::builtin_code) {
                                        Some(code)
                                            if f.format_code == "General"
                                                || f.format_id == Some(14)
                                                || f.format_id == Some(22) =>
                                        {
                                            NumFmt::parse(code)
                                        }
                                        _ => NumFmt::parse(&f.format_code),
                                    }
                                })
                            })
                            .collect()
                    });
                    while let Some((cell, style)) = reader
                        .next_cell_with_style_id()
                        .map_err(|e| xlsx_error(file, &context, e))?
                    {
                        let (row, col) = cell.get_position();
                        let fmt = formats.get(style).unwrap_or(&NO_FORMAT);
                        grid.push(row, col, from_data_ref(cell.get_value(), fmt))?;
                    }
                }
                Err(XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(xlsx_error(file, &context, e)),
            }
            let rows = grid.finish()?;
            let scan = parts.as_mut().and_then(|p| p.scan(&meta.name));
            // Where the sheet's part could not be scanned, its formulas are looked at anyway.
            if scan.as_ref().is_none_or(|s| s.formulas) {
                formulas_without_values(wb, file, &meta.name, &mut warnings);
            }
            let merges = scan.map(|s| s.merges).or_else(|| {
                read_merges(
                    file,
                    &meta.name,
                    || wb.merge_cells_by_sheet_name(&meta.name),
                    &mut warnings,
                )
            });
            let sheet = build_sheet(file, meta, rows, merges, &mut warnings);
            sheets.push((sheet, warnings));
        }
        Ok(sheets)
    }
}

/// At most this many formula cells without a saved value are named one by one.
const MAX_FORMULA_WARNINGS: usize = 20;

/// Warns about every formula cell that holds no saved value (`<c><f>SUM(B2:B3)</f></c>`
/// without `<v>`, as some generators write them): calamine reads such a cell as empty,
/// and a blank amount must not pass silently. A second pass over the sheet, made only
/// where the sheet holds formulas.
fn formulas_without_values(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    file: &str,
    sheet: &str,
    warnings: &mut Vec<String>,
) {
    let Ok(mut reader) = wb.worksheet_cells_reader(sheet) else {
        return;
    };
    let mut missing = 0usize;
    // A cell the reader cannot parse was reported by the first pass.
    while let Ok(Some(cell)) = reader.next_cell_with_formula() {
        let Some(formula) = cell.formula.as_deref().filter(|f| !f.trim().is_empty()) else {
            continue;
        };
        if !matches!(cell.value, calamine::DataRef::Empty) {
            continue;
        }
        missing += 1;
        if missing <= MAX_FORMULA_WARNINGS {
            let (row, col) = cell.pos;
            warnings.push(format!(
                "{file}: {sheet}!{}: formula ={formula} has no saved value; open and save the file in Excel/WPS to compute it",
                crate::grid::a1(row as usize, col as usize)
            ));
        }
    }
    if missing > MAX_FORMULA_WARNINGS {
        warnings.push(format!(
            "{file}: sheet {sheet:?} has {} more formula cells without a saved value; open and save the file in Excel/WPS to compute them",
            missing - MAX_FORMULA_WARNINGS
        ));
    }
}
