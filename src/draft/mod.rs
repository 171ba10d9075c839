//! `jixiao template draft`: a template guessed from workbooks of an unknown form.
//!
//! The drafter finds each project's indicator table (its header row of 一级/二级/三级
//! 指标 labels), reads the rows above it as the form — label and value cells with their
//! merges — and writes a template that places the same cells, each guess with a TOML
//! comment saying why. Labels are recognised from the built-in templates not withheld
//! and from one synonym table; other short texts beside a value are kept as `extras`.

mod emit;
mod indicators;
mod labels;
mod synonyms;
mod tables;
mod values;

use crate::error::{Error, Result};
use crate::grid::{Sheet, Workbook};
pub use labels::Knowledge;

/// One project's table as found in a sheet: the form rows and the indicator header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Instance<'a> {
    pub sheet: &'a Sheet,
    /// The first form row.
    pub start: usize,
    /// The indicator header row.
    pub header: usize,
}

/// A cell as a form row sees it: where it starts and how far it spans.
#[derive(Debug, Clone)]
pub(crate) struct GridCell {
    pub col: usize,
    pub cols: usize,
    pub rows: usize,
    pub text: String,
}

/// The cells starting in a row, left to right (cells covered by a merge from an
/// earlier row or column are not there).
pub(crate) fn row_cells(sheet: &Sheet, row: usize) -> Vec<GridCell> {
    let width = sheet.rows.get(row).map_or(0, Vec::len);
    let mut cells = Vec::new();
    let mut col = 0;
    while col < width.max(merged_width(sheet, row)) {
        match sheet.merge_at(row, col) {
            Some(m) if m.first_row as usize != row || m.first_col as usize != col => {
                col = m.last_col as usize + 1;
            }
            m => {
                let (cols, rows) = m.map_or((1, 1), |m| {
                    (
                        (m.last_col - m.first_col + 1) as usize,
                        (m.last_row - m.first_row + 1) as usize,
                    )
                });
                let text = sheet.raw(row, col).display().trim().to_string();
                cells.push(GridCell {
                    col,
                    cols,
                    rows,
                    text,
                });
                col += cols;
            }
        }
    }
    cells
}

/// How far merges starting in a row reach (a merged blank can end a row).
fn merged_width(sheet: &Sheet, row: usize) -> usize {
    sheet
        .merges()
        .iter()
        .filter(|m| m.first_row as usize <= row && row <= m.last_row as usize)
        .map(|m| m.last_col as usize + 1)
        .max()
        .unwrap_or(0)
}

/// The texts shown in a row (merged areas once).
pub(crate) fn row_texts(sheet: &Sheet, row: usize) -> Vec<String> {
    row_cells(sheet, row)
        .into_iter()
        .map(|c| c.text)
        .filter(|t| !t.is_empty())
        .collect()
}

/// Drafts a template from workbooks of one form; `without` withholds built-in
/// templates (their labels are not recognised). The text is TOML, the same bytes for
/// the same input.
pub fn draft(books: &[Workbook], without: &[String]) -> Result<String> {
    let known = Knowledge::new(without);
    if let Some(text) = table_form(books, &known) {
        return Ok(text);
    }
    let mut instances = Vec::new();
    let mut arrangement = "sheet-per-project";
    for book in books {
        for sheet in book.sheets.iter().filter(|s| !s.hidden) {
            let headers = indicators::header_rows(sheet, &known);
            if headers.len() > 1 {
                arrangement = "stacked";
            }
            let mut start = 0;
            for h in headers {
                instances.push(Instance {
                    sheet,
                    start,
                    header: h,
                });
                start = indicators::table_end(sheet, h, &known);
            }
        }
    }
    let Some(first) = instances.first().copied() else {
        if let Some(text) = list_form(books, &known) {
            return Ok(text);
        }
        let names: Vec<&str> = books.iter().map(|b| b.file.as_str()).collect();
        return Err(Error::Unsupported {
            message: format!(
                "{}: no indicator table (一级指标 | 二级指标 | 三级指标 …) found to draft a template from",
                names.join(" + ")
            ),
        });
    };
    let layout = values::Layout::read(first, &instances, &known);
    let table = indicators::read(first, &layout, &known);
    Ok(emit::toml(&emit::Draft {
        arrangement,
        kind: "project",
        layout: &layout,
        table: Some(&table),
        scope_document: false,
        block: String::new(),
        footer: indicators::footer(first, &known),
    }))
}

fn sheets(books: &[Workbook]) -> impl Iterator<Item = &Sheet> {
    books
        .iter()
        .flat_map(|b| b.sheets.iter())
        .filter(|s| !s.hidden)
}

/// A department form: a duties header (duty and objective labels) under the form
/// fields, read once for the document, and maybe the department's indicator table after it.
fn table_form(books: &[Workbook], known: &Knowledge) -> Option<String> {
    let (sheet, header) = sheets(books).find_map(|s| tables::duties_header(s).map(|h| (s, h)))?;
    let at = Instance {
        sheet,
        start: 0,
        header,
    };
    let mut layout = values::Layout::read(at, &[at], known);
    // A department's amounts are the document's totals.
    for row in &mut layout.rows {
        for c in &mut row.cells {
            if let values::Kind::Value { field: Some(f), .. } = &mut c.kind
                && let Some(fund) = f.strip_prefix("funding.annual.")
            {
                c.reason = format!("{}; a department's amount: its total", c.reason);
                *f = format!("total.{fund}");
            }
        }
    }
    tables::captures(&mut layout.rows, known);
    let duties = tables::duties(sheet, header);
    layout.rows.extend(duties.rows);
    layout.columns = layout.columns.max(
        (header..duties.end)
            .flat_map(|r| row_cells(sheet, r))
            .map(|c| c.col + c.cols)
            .max()
            .unwrap_or(0),
    );
    // The department's indicator table after the duty rows.
    let ind = indicators::header_rows(sheet, known)
        .into_iter()
        .find(|&h| h >= duties.end);
    let table = ind.map(|h| {
        indicators::read(
            Instance {
                sheet,
                start: duties.end,
                header: h,
            },
            &layout,
            known,
        )
    });
    let footer = ind
        .map(|h| {
            indicators::footer(
                Instance {
                    sheet,
                    start: duties.end,
                    header: h,
                },
                known,
            )
        })
        .unwrap_or_default();
    Some(emit::toml(&emit::Draft {
        arrangement: "table",
        kind: "department",
        layout: &layout,
        table: table.as_ref(),
        scope_document: true,
        block: duties.block,
        footer,
    }))
}

/// A flat list of projects: a header row of short labels over many data rows.
fn list_form(books: &[Workbook], known: &Knowledge) -> Option<String> {
    let (sheet, header) =
        sheets(books).find_map(|s| tables::list_header(s, known).map(|h| (s, h)))?;
    let at = Instance {
        sheet,
        start: 0,
        header,
    };
    let mut layout = values::Layout::read(at, &[at], known);
    tables::captures(&mut layout.rows, known);
    layout.columns = layout.columns.max(
        row_cells(sheet, header)
            .iter()
            .map(|c| c.col + c.cols)
            .max()
            .unwrap_or(0),
    );
    Some(emit::toml(&emit::Draft {
        arrangement: "table",
        kind: "project",
        layout: &layout,
        table: None,
        scope_document: false,
        block: tables::list(sheet, header, known),
        footer: Vec::new(),
    }))
}
