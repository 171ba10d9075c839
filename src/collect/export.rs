//! The collected tables as an xlsx workbook (one sheet per table, frozen header,
//! autofilter, amounts as numbers in the forms' format) or a folder of CSV files.

use std::path::{Path, PathBuf};

use rusqlite::types::Value as Sql;
use rust_xlsxwriter::{Format, Note, Workbook, Worksheet};
use unicode_width::UnicodeWidthStr;

use super::schema::{Kind, Table, tables};
use super::store::Store;
use crate::error::{Error, Result};
use crate::write::csv::{CsvEncoding, encode};
use crate::write::{write_all_atomically, write_atomically};

/// Where collected tables go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A SQLite database, updated in place.
    Sqlite(PathBuf),
    /// An xlsx workbook, one sheet per table.
    Xlsx(PathBuf),
    /// A folder with one CSV file per table.
    CsvFolder(PathBuf),
}

impl Destination {
    /// The file or folder written.
    pub fn path(&self) -> &Path {
        match self {
            Destination::Sqlite(p) | Destination::Xlsx(p) | Destination::CsvFolder(p) => p,
        }
    }
}

/// Writes the store's tables to an xlsx or CSV destination (a database is already there).
pub(crate) fn write(store: &Store, to: &Destination, encoding: CsvEncoding) -> Result<()> {
    match to {
        Destination::Sqlite(_) => Ok(()),
        Destination::Xlsx(path) => write_atomically(path, &xlsx_bytes(store, path)?),
        Destination::CsvFolder(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
            let mut files = Vec::new();
            for table in tables() {
                let path = dir.join(format!("{}.csv", table.name));
                let bytes = csv_bytes(table, &store.rows(table)?, encoding, &path)?;
                files.push((path, bytes));
            }
            // All tables or none: a half-written folder would join new rows to old.
            let files: Vec<(&Path, &[u8])> = files
                .iter()
                .map(|(p, b)| (p.as_path(), b.as_slice()))
                .collect();
            write_all_atomically(&files)
        }
    }
}

/// A value as CSV text: amounts and numbers in their shortest exact form.
fn shown(value: &Sql) -> String {
    match value {
        Sql::Null => String::new(),
        Sql::Integer(n) => n.to_string(),
        Sql::Real(x) => x.to_string(),
        Sql::Text(t) => t.clone(),
        Sql::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

fn csv_bytes(
    table: &Table,
    rows: &[Vec<Sql>],
    encoding: CsvEncoding,
    path: &Path,
) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |e: &dyn std::fmt::Display| Error::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    w.write_record(table.columns.iter().map(|c| c.name.as_str()))
        .map_err(|e| failed(&e))?;
    for row in rows {
        w.write_record(row.iter().map(shown))
            .map_err(|e| failed(&e))?;
    }
    let text =
        String::from_utf8(w.into_inner().map_err(|e| failed(&e))?).map_err(|e| failed(&e))?;
    encode(&text, encoding, &path.display().to_string())
}

/// Widest a column gets, in Excel character units.
const MAX_WIDTH: f64 = 50.0;

fn xlsx_bytes(store: &Store, path: &Path) -> Result<Vec<u8>> {
    let failed = |e: rust_xlsxwriter::XlsxError| Error::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDEBF7");
    // The forms' money format.
    let money = Format::new().set_num_format("#,##0.00");
    for table in tables() {
        let rows = store.rows(table)?;
        let sheet = book.add_worksheet();
        sheet.set_name(table.name).map_err(failed)?;
        write_sheet(sheet, table, &rows, &header, &money).map_err(failed)?;
    }
    // Fixed document properties: the same tables give the same bytes.
    let properties = rust_xlsxwriter::DocProperties::new().set_creation_datetime(
        &rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).map_err(failed)?,
    );
    book.set_properties(&properties);
    book.save_to_buffer().map_err(failed)
}

fn write_sheet(
    sheet: &mut Worksheet,
    table: &Table,
    rows: &[Vec<Sql>],
    header: &Format,
    money: &Format,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    let mut widths: Vec<f64> = table
        .columns
        .iter()
        .map(|c| c.name.width().max(c.label.width()) as f64 + 2.0)
        .collect();
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, &column.name, header)?;
        // The Chinese label rides along as the header cell's note.
        sheet.insert_note(
            0,
            col as u16,
            &Note::new(&column.label).set_author("jixiao"),
        )?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (col, (value, column)) in row.iter().zip(&table.columns).enumerate() {
            let c = col as u16;
            match value {
                Sql::Null => {}
                Sql::Integer(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Sql::Real(x) if column.kind == Kind::Money => {
                    sheet.write_number_with_format(r, c, *x, money)?;
                }
                Sql::Real(x) => {
                    sheet.write_number(r, c, *x)?;
                }
                Sql::Text(t) => {
                    sheet.write_string(r, c, t)?;
                    let longest = t.lines().map(|l| l.width()).max().unwrap_or(0) as f64 + 2.0;
                    widths[col] = widths[col].max(longest.min(MAX_WIDTH));
                }
                Sql::Blob(_) => {}
            }
        }
    }
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, w.min(MAX_WIDTH))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_col = table.columns.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, rows.len() as u32, last_col)?;
    Ok(())
}
