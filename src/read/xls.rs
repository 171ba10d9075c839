//! xls (Office 97-2003) workbooks through calamine, after our own BIFF pass
//! (`biff.rs`) has checked the compound file and read the number formats.

use std::io::Cursor;

use calamine::{Reader, SheetType, Xls, XlsError};

use super::cells::{from_data, guarded, push_sheet, read_merges};
use super::{GridBuilder, extract_embedded, too_large, unreadable};
use crate::error::Result;
use crate::grid::Workbook;

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
    let general = super::numfmt::NumFmt::default();
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
                let fmt = sheet_formats.get(&(row, col)).unwrap_or(&general);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_package_marker() {
        let mut bytes = vec![0u8; 64];
        bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(is_encrypted_package(&bytes));
        assert!(!is_encrypted_package(b"EncryptedPackage"));
    }
}
