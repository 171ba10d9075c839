//! A rendered form: what a template makes of a document, before it becomes a file.
//!
//! Writers (xlsx, csv) consume this; they know nothing of layouts or the model.

use crate::model::Money;

/// The sheets of one output workbook, plus the canonical JSON to embed (if any).
#[derive(Debug, Clone, Default)]
pub struct RenderedWorkbook {
    /// The sheets, in order.
    pub sheets: Vec<RenderedSheet>,
    /// Canonical JSON stored in a hidden sheet so that reading the file back loses nothing.
    pub embedded_json: Option<String>,
}

/// One sheet of a form: cells placed on a grid, each spanning one or more cells.
#[derive(Debug, Clone, Default)]
pub struct RenderedSheet {
    /// At most 31 characters, none of `[]:*?/\` (the writer enforces this).
    pub name: String,
    /// The cells, each placed once (a merged area is one cell).
    pub cells: Vec<RenderedCell>,
    /// Width of the grid in columns.
    pub columns: u32,
    /// Column widths in Excel character units from the template; `None` = fit to content.
    pub column_widths: Vec<Option<f64>>,
    /// Rows (0-based, inclusive) repeated at the top of every printed page.
    pub repeat_rows: Option<(u32, u32)>,
    /// Whether the sheet prints in landscape.
    pub landscape: bool,
}

impl RenderedSheet {
    /// Places a cell spanning `rows` × `cols` (at least one each).
    pub fn put(
        &mut self,
        row: u32,
        col: u32,
        rows: u32,
        cols: u32,
        content: Content,
        style: Style,
    ) {
        self.cells.push(RenderedCell {
            row,
            col,
            rows: rows.max(1),
            cols: cols.max(1),
            content,
            style,
        });
    }

    /// The number of rows the cells reach.
    pub fn height(&self) -> u32 {
        self.cells.iter().map(|c| c.row + c.rows).max().unwrap_or(0)
    }
}

/// A cell (or a merged area when `rows`/`cols` > 1) with its content and role.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedCell {
    /// The top row, 0-based.
    pub row: u32,
    /// The left column, 0-based.
    pub col: u32,
    /// Rows spanned, at least 1.
    pub rows: u32,
    /// Columns spanned, at least 1.
    pub cols: u32,
    /// What the cell holds.
    pub content: Content,
    /// Its role on the form, which decides its format.
    pub style: Style,
}

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Nothing.
    Empty,
    /// Text, written as a string cell.
    Text(String),
    /// Written as a number with two decimals (`#,##0.00`), shown as published.
    Money(Money),
    /// A percentage given as a decimal string without "%" ("50" → 50%).
    Percent(String),
}

impl Content {
    /// Text content; an empty string is an empty cell.
    pub fn text(s: &str) -> Content {
        if s.is_empty() {
            Content::Empty
        } else {
            Content::Text(s.to_string())
        }
    }

    /// The text as a user sees it in the cell (CSV writes this).
    pub fn display(&self) -> String {
        match self {
            Content::Empty => String::new(),
            Content::Text(t) => t.clone(),
            Content::Money(m) => m.to_string(),
            Content::Percent(p) => format!("{p}%"),
        }
    }
}

/// The role of a cell on the form; the xlsx writer maps each to one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// The table title: large bold, centred, no border.
    Title,
    /// A line under the title, e.g. "(2023年度)": centred, no border.
    Subtitle,
    /// Text above or beside the table with no border, left aligned (unit lines, headings).
    Note,
    /// The same, right aligned ("单位：万元").
    NoteRight,
    /// A field label or column header: bold, centred, bordered, wrapped.
    Label,
    /// A short value: centred, bordered, wrapped.
    Value,
    /// Running text (goals, descriptions): left aligned, bordered, wrapped.
    Text,
    /// A row heading inside a table (a unit's subtotal row, 合计): bold, left, bordered.
    Strong,
    /// Money: right aligned, bordered, `#,##0.00`.
    Money,
    /// Percent: centred, bordered, `0%`.
    Percent,
}
