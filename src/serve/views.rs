//! What the page draws, as JSON: the grid a file was read as, the findings with the
//! cells they name, and the form a conversion renders. Large sheets are cut to a
//! preview; the cut is flagged, never silent.

use serde::Serialize;

use crate::check::Finding;
use crate::error::Result;
use crate::grid::{Workbook, parse_reference};
use crate::render::{RenderedSheet, RenderedWorkbook, Style};
use crate::write::check_sheet;
use crate::write::xlsx::column_widths;

/// Rows of one sheet drawn at most.
const PREVIEW_ROWS: usize = 2_000;
/// Cells drawn at most over all sheets of one answer.
const PREVIEW_CELLS: usize = 200_000;

/// The sheets of a workbook as read.
#[derive(Debug, Serialize)]
pub(crate) struct GridView {
    sheets: Vec<GridSheet>,
}

#[derive(Debug, Serialize)]
struct GridSheet {
    name: String,
    hidden: bool,
    /// Rows and columns of the whole sheet, drawn or not.
    rows: usize,
    cols: usize,
    /// Whether rows or cells were left out of the preview.
    truncated: bool,
    /// [row, col, text shown] of every non-empty cell drawn (covered cells of a merge
    /// are empty), 0-based.
    cells: Vec<(usize, usize, String)>,
    /// [first_row, first_col, last_row, last_col] of every merge drawn, clipped to the rows drawn.
    merges: Vec<[u32; 4]>,
}

pub(crate) fn grid_view(book: &Workbook) -> GridView {
    let mut budget = PREVIEW_CELLS;
    let sheets = book
        .sheets
        .iter()
        .map(|sheet| {
            let mut cells = Vec::new();
            let mut truncated = sheet.height() > PREVIEW_ROWS;
            let mut drawn_rows = 0;
            'rows: for (r, row) in sheet.rows.iter().take(PREVIEW_ROWS).enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if cell.is_empty() {
                        continue;
                    }
                    if budget == 0 {
                        truncated = true;
                        break 'rows;
                    }
                    budget -= 1;
                    cells.push((r, c, cell.display()));
                }
                drawn_rows = r + 1;
            }
            let last_drawn = drawn_rows.saturating_sub(1) as u32;
            let merges = sheet
                .merges()
                .iter()
                .filter(|m| (m.first_row as usize) < drawn_rows)
                .map(|m| {
                    [
                        m.first_row,
                        m.first_col,
                        m.last_row.min(last_drawn),
                        m.last_col,
                    ]
                })
                .collect();
            GridSheet {
                name: sheet.name.clone(),
                hidden: sheet.hidden,
                rows: sheet.height(),
                cols: sheet.width(),
                truncated,
                cells,
                merges,
            }
        })
        .collect();
    GridView { sheets }
}

/// A finding, with the area its cell reference names.
#[derive(Debug, Serialize)]
pub(crate) struct FindingView<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    at: Option<Area>,
}

/// A sheet's area, 0-based and inclusive.
#[derive(Debug, Serialize)]
struct Area {
    sheet: String,
    row: usize,
    col: usize,
    last_row: usize,
    last_col: usize,
}

pub(crate) fn finding_views(findings: &[Finding]) -> Vec<FindingView<'_>> {
    findings
        .iter()
        .map(|finding| FindingView {
            finding,
            at: finding.cell.as_deref().and_then(parse_reference).map(
                |(sheet, (row, col), (last_row, last_col))| Area {
                    sheet: sheet.to_string(),
                    row,
                    col,
                    last_row,
                    last_col,
                },
            ),
        })
        .collect()
}

/// A rendered form: the sheets the xlsx writer would write.
#[derive(Debug, Serialize)]
pub(crate) struct FormView {
    sheets: Vec<FormSheet>,
}

#[derive(Debug, Serialize)]
struct FormSheet {
    name: String,
    columns: u32,
    rows: u32,
    /// Column widths in Excel character units, as the workbook gets them.
    widths: Vec<f64>,
    truncated: bool,
    cells: Vec<FormCell>,
}

#[derive(Debug, Serialize)]
struct FormCell {
    row: u32,
    col: u32,
    rows: u32,
    cols: u32,
    text: String,
    style: Style,
}

/// The form as the xlsx writer would lay it out; a form the writer would refuse is
/// refused here too.
pub(crate) fn form_view(book: &RenderedWorkbook) -> Result<FormView> {
    let mut budget = PREVIEW_CELLS;
    let sheets = book
        .sheets
        .iter()
        .map(|sheet| form_sheet(sheet, &mut budget))
        .collect::<Result<_>>()?;
    Ok(FormView { sheets })
}

fn form_sheet(sheet: &RenderedSheet, budget: &mut usize) -> Result<FormSheet> {
    let extent = check_sheet(sheet)?;
    let rows = extent.rows;
    let mut truncated = rows as usize > PREVIEW_ROWS;
    let mut cells = Vec::new();
    for cell in sheet
        .cells
        .iter()
        .filter(|c| (c.row as usize) < PREVIEW_ROWS)
    {
        if *budget == 0 {
            truncated = true;
            break;
        }
        *budget -= 1;
        cells.push(FormCell {
            row: cell.row,
            col: cell.col,
            rows: cell.rows,
            cols: cell.cols,
            text: cell.content.display(),
            style: cell.style,
        });
    }
    Ok(FormSheet {
        name: sheet.name.clone(),
        columns: extent.cols,
        rows,
        widths: column_widths(sheet, extent.cols as usize),
        truncated,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{Cell, Merge, Sheet};

    #[test]
    fn a_long_sheet_is_cut_and_says_so() {
        let rows: Vec<Vec<Cell>> = (0..PREVIEW_ROWS + 10)
            .map(|r| vec![Cell::Text(format!("r{r}")), Cell::Empty])
            .collect();
        let mut sheet = Sheet::new("长表", rows);
        sheet.set_merges([
            Merge {
                first_row: 0,
                first_col: 0,
                last_row: 0,
                last_col: 1,
            },
            Merge {
                first_row: PREVIEW_ROWS as u32 - 1,
                first_col: 0,
                last_row: PREVIEW_ROWS as u32 + 5,
                last_col: 0,
            },
            Merge {
                first_row: PREVIEW_ROWS as u32 + 7,
                first_col: 0,
                last_row: PREVIEW_ROWS as u32 + 8,
                last_col: 0,
            },
        ]);
        let book = Workbook {
            file: "t.csv".into(),
            sheets: vec![sheet],
            ..Workbook::default()
        };
        let view = serde_json::to_value(grid_view(&book)).unwrap();
        let sheet = &view["sheets"][0];
        assert_eq!(sheet["truncated"], true);
        assert_eq!(sheet["rows"], PREVIEW_ROWS + 10);
        assert_eq!(sheet["cells"].as_array().unwrap().len(), PREVIEW_ROWS);
        // Merges reaching past the cut end at it; those below it are left out.
        let last = PREVIEW_ROWS as u64 - 1;
        assert_eq!(
            sheet["merges"],
            serde_json::json!([[0, 0, 0, 1], [last, 0, last, 0]])
        );
    }
}
