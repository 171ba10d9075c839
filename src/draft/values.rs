//! The form above an indicator table: which cells are labels, which are values, and
//! which field each value is.

use std::collections::BTreeSet;

use super::labels::{Knowledge, Known};
use super::{GridCell, Instance, row_cells};
use crate::grid::Sheet;
use crate::text::label_key;

/// A form cell as drafted.
#[derive(Debug, Clone)]
pub struct DraftCell {
    pub cols: usize,
    pub rows: usize,
    pub kind: Kind,
    /// The TOML comment: why this guess.
    pub reason: String,
}

/// What a drafted form cell is.
#[derive(Debug, Clone)]
pub enum Kind {
    Label {
        text: String,
        capture: Option<(String, String)>,
    },
    Value {
        field: Option<String>,
        format: Option<String>,
        from: &'static str,
        text_style: bool,
    },
}

/// One `[[form]]` row.
#[derive(Debug, Clone, Default)]
pub struct DraftRow {
    pub cells: Vec<DraftCell>,
    pub repeat: bool,
}

/// The form of the first table, and what surrounds it.
#[derive(Debug, Default)]
pub struct Layout {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub heading: Option<String>,
    pub rows: Vec<DraftRow>,
    pub columns: usize,
    pub money_unit: &'static str,
    pub sheet_name: String,
    /// Labels the form prints in its own row (band labels over indicator columns).
    pub labels: Vec<(usize, usize, String)>,
    pub start_label: Option<String>,
}

impl Layout {
    /// Reads the form of `first`, telling labels from values by what the other
    /// instances print at the same place.
    pub fn read(first: Instance, all: &[Instance], known: &Knowledge) -> Layout {
        let sheet = first.sheet;
        let mut layout = Layout {
            money_unit: money_unit(sheet, first.start, first.header),
            sheet_name: sheet.name.clone(),
            ..Layout::default()
        };
        // Title lines: rows of one text before the form.
        let mut row = first.start;
        let mut singles = Vec::new();
        while row < first.header {
            let cells: Vec<GridCell> = row_cells(sheet, row)
                .into_iter()
                .filter(|c| !c.text.is_empty())
                .collect();
            if cells.len() > 1 || cells.iter().any(|c| known.form(&c.text).is_some()) {
                break;
            }
            if let Some(c) = cells.first() {
                singles.push(c.text.clone());
            }
            row += 1;
        }
        let others: Vec<&Instance> = all.iter().skip(1).collect();
        if others.iter().any(|i| std::ptr::eq(i.sheet, sheet)) {
            // Stacked: the last single line before each form is the project's heading.
            layout.heading = singles.pop().map(|h| h.replace(['{', '}'], ""));
        }
        layout.title = singles.first().cloned();
        layout.subtitle = singles.get(1).cloned();
        let mut form = Form {
            sheet,
            known,
            others: &others,
            first,
            used: BTreeSet::new(),
            hidden: BTreeSet::new(),
            labels: Vec::new(),
            name: None,
            width: 0,
        };
        layout.rows = form.rows(row);
        layout.start_label = first_label(&layout.rows, known);
        if let (Some(h), Some(name)) = (&layout.heading, &form.name) {
            layout.heading = Some(h.replacen(name.as_str(), "{name}", 1));
        }
        layout.labels = form.labels;
        layout.columns = (row..=first.header)
            .flat_map(|r| row_cells(sheet, r))
            .filter(|c| !c.text.is_empty() || c.cols > 1)
            .map(|c| c.col + c.cols)
            .max()
            .unwrap_or(1)
            .max(form.width);
        layout
    }
}

/// The first label the form knows: what starts each project of a stacked sheet.
fn first_label(rows: &[DraftRow], known: &Knowledge) -> Option<String> {
    rows.iter()
        .flat_map(|r| &r.cells)
        .find_map(|c| match &c.kind {
            Kind::Label { text, .. } if known.form(text).is_some() => Some(text.clone()),
            _ => None,
        })
}

/// "单位：元" anywhere above the table, or a label "(元)", sets the unit.
fn money_unit(sheet: &Sheet, start: usize, end: usize) -> &'static str {
    for r in start..end {
        for c in row_cells(sheet, r) {
            let key = label_key(&c.text);
            if key.ends_with("单位:元") || key.contains("(元)") {
                return "元";
            }
        }
    }
    "万元"
}

struct Form<'a> {
    sheet: &'a Sheet,
    known: &'a Knowledge,
    others: &'a [&'a Instance<'a>],
    first: Instance<'a>,
    used: BTreeSet<String>,
    /// Grid rows folded into a repeated 支出 row.
    hidden: BTreeSet<usize>,
    /// (row, col, text) of each label placed, for value lookups.
    labels: Vec<(usize, usize, String)>,
    /// The project name as printed (for the stacked heading).
    name: Option<String>,
    /// The columns the drafted rows reach.
    width: usize,
}

impl Form<'_> {
    fn rows(&mut self, from: usize) -> Vec<DraftRow> {
        let mut out = Vec::new();
        let mut row = from;
        let end = self.first.header;
        // Every grid row that becomes a template row, after folding 支出 lines.
        let mut plan = Vec::new();
        while row < end {
            plan.push(row);
            if let Some(lines) = self.expense_lines(row, end) {
                plan.push(row + 1);
                for r in row + 2..row + 1 + lines {
                    self.hidden.insert(r);
                }
                row += 1 + lines;
            } else {
                row += 1;
            }
        }
        let band = end.checked_sub(1).filter(|&r| r >= from && self.is_band(r));
        for &r in &plan {
            let repeat =
                r > from && self.expense_header(r - 1).is_some() && !self.hidden.contains(&r);
            let draft = if repeat {
                self.repeat_row(r)
            } else if Some(r) == band || self.expense_header(r).is_some() {
                self.band_row(r)
            } else {
                self.form_row(r)
            };
            if !draft.cells.is_empty() {
                out.push(draft);
            }
        }
        out
    }

    /// Template rows a grid span covers: the folded 支出 lines count once.
    fn span(&self, row: usize, rows: usize) -> usize {
        let end = (row + rows).min(self.first.header);
        (row..end)
            .filter(|r| !self.hidden.contains(r))
            .count()
            .max(1)
    }

    /// The 支出 column labels of a row, when it is the header of a 支出 table.
    fn expense_header(&self, row: usize) -> Option<Vec<(GridCell, Known)>> {
        let cols: Vec<(GridCell, Known)> = row_cells(self.sheet, row)
            .into_iter()
            .filter(|c| c.rows == 1 || self.known.expense(&c.text).is_some())
            .filter_map(|c| self.known.expense(&c.text).map(|k| (c, k)))
            .collect();
        let named = cols.iter().any(|(_, k)| k.field == "expenses.name");
        let all = row_cells(self.sheet, row)
            .iter()
            .filter(|c| c.rows == 1)
            .count();
        (named && cols.len() >= 2 && cols.len() == all).then_some(cols)
    }

    /// The number of 支出 lines under a 支出 header at `row` (合计 included).
    fn expense_lines(&self, row: usize, end: usize) -> Option<usize> {
        self.expense_header(row)?;
        let mut n = 0;
        for r in row + 1..end {
            let cells = row_cells(self.sheet, r);
            let first = cells.iter().find(|c| c.rows == 1 || c.text.is_empty());
            match first {
                Some(c) if !c.text.is_empty() && self.known.form(&c.text).is_none() => n += 1,
                _ => break,
            }
        }
        (n > 0).then_some(n)
    }

    fn repeat_row(&mut self, row: usize) -> DraftRow {
        let header = self.expense_header(row - 1).unwrap_or_default();
        let cells = header
            .into_iter()
            .map(|(h, k)| DraftCell {
                cols: h.cols,
                rows: 1,
                reason: format!("a 支出 line under {}: {}", h.text, k.reason),
                kind: Kind::Value {
                    field: Some(k.field),
                    format: None,
                    from: "above",
                    text_style: false,
                },
            })
            .collect();
        DraftRow {
            cells,
            repeat: true,
        }
    }

    /// The row right above the indicator header that labels column groups
    /// (绩效指标 over four columns, a measures column beside it).
    fn is_band(&self, row: usize) -> bool {
        let cells = row_cells(self.sheet, row);
        cells.len() >= 2
            && cells[0].cols >= 2
            && cells
                .iter()
                .all(|c| !c.text.is_empty() && c.text.chars().count() <= 20 && !numeric(&c.text))
    }

    fn band_row(&mut self, row: usize) -> DraftRow {
        let cells: Vec<DraftCell> = row_cells(self.sheet, row)
            .into_iter()
            .map(|c| {
                self.labels.push((row, c.col, c.text.clone()));
                DraftCell {
                    cols: c.cols,
                    rows: self.span(row, c.rows),
                    kind: Kind::Label {
                        text: c.text.clone(),
                        capture: None,
                    },
                    reason:
                        "a row of column labels (a band over the indicator table or a 支出 header)"
                            .into(),
                }
            })
            .collect();
        DraftRow {
            cells,
            repeat: false,
        }
    }

    fn form_row(&mut self, row: usize) -> DraftRow {
        let cells = row_cells(self.sheet, row);
        let mut out: Vec<DraftCell> = Vec::new();
        // The label the next value belongs to: (text, is it a caption).
        let mut last_label: Option<(usize, String, bool)> = None;
        let unit_line = unit_line(&cells);
        let mut owed = false;
        for (i, c) in cells.iter().enumerate() {
            let rows = self.span(row, c.rows);
            let has_next = i + 1 < cells.len();
            // A label owes a value until one follows it.
            let after_label = owed && last_label.as_ref().is_some_and(|(_, _, caption)| !caption);
            let cell = if let Some(pattern) = unit_line.filter(|_| i == 0) {
                self.value_cell(row, c, rows, None, Some(pattern))
            } else if c.text.is_empty() {
                let above = self
                    .label_above(row, c.col)
                    .filter(|t| self.fresh(t, row, c.col));
                if after_label || above.is_some() {
                    self.value_cell(row, c, rows, last_label.clone(), None)
                } else if !has_next && c.cols == 1 {
                    continue;
                } else {
                    label_cell(c, rows, "", None, "a blank cell beside no label")
                }
            } else if let Some(k) = self.known.form(&c.text) {
                let caption = rows > 1 || next_is_label(&cells, i, self.known);
                last_label = Some((c.col, c.text.clone(), caption));
                self.labels.push((row, c.col, c.text.clone()));
                label_cell(c, rows, &c.text, None, &k.reason)
            } else if let Some((label, field, format)) = capture(&c.text) {
                self.labels.push((row, c.col, label.clone()));
                let reason = format!("{label} with its years in brackets: the goal's period");
                let mut cell = label_cell(c, rows, &label, None, &reason);
                cell.kind = Kind::Label {
                    text: label,
                    capture: Some((field, format)),
                };
                cell
            } else if after_label || numeric(&c.text) || self.varies(row, c.col) {
                self.value_cell(row, c, rows, last_label.clone(), None)
            } else if c.text.chars().count() <= 16 && (has_next || rows > 1) {
                let caption = rows > 1;
                last_label = Some((c.col, c.text.clone(), caption));
                self.labels.push((row, c.col, c.text.clone()));
                let why = if caption {
                    "short text merged down over rows: a caption"
                } else {
                    "short text with a value to its right: kept in extras"
                };
                label_cell(c, rows, &c.text, None, why)
            } else if self.label_above(row, c.col).is_some() {
                self.value_cell(row, c, rows, None, None)
            } else if c.text.chars().count() <= 16 {
                self.labels.push((row, c.col, c.text.clone()));
                label_cell(
                    c,
                    rows,
                    &c.text,
                    None,
                    "short text labelling nothing beside it: a column label",
                )
            } else {
                self.value_cell(row, c, rows, last_label.clone(), None)
            };
            owed = matches!(cell.kind, Kind::Label { ref text, .. } if !text.is_empty());
            if let Kind::Value { field: Some(f), .. } = &cell.kind
                && f == "name"
            {
                self.name = Some(c.text.clone());
            }
            self.width = self.width.max(c.col + c.cols);
            out.push(cell);
        }
        // A label ending the row owes a value the sheet left blank past its last cell.
        // Only in a row of label/value pairs: a header row's last label has its value below.
        let pairs = out.iter().any(|c| matches!(c.kind, Kind::Value { .. }));
        if let Some((col, text, false)) = last_label.filter(|_| owed && pairs)
            && let Some(last) = cells.last().filter(|l| l.col == col)
        {
            let blank = GridCell {
                col: last.col + last.cols,
                cols: 1,
                rows: 1,
                text: String::new(),
            };
            self.width = self.width.max(blank.col + 1);
            out.push(self.value_cell(row, &blank, 1, Some((col, text, false)), None));
        }
        DraftRow {
            cells: out,
            repeat: false,
        }
    }

    /// Whether another table of the form prints something else here (a value), when
    /// there are others to compare with.
    fn varies(&self, row: usize, col: usize) -> bool {
        let at = row - self.first.start;
        let here = self.sheet.value(row, col).display();
        self.others.iter().any(|o| {
            let r = o.start + at;
            r < o.header
                && o.header - o.start == self.first.header - self.first.start
                && o.sheet.value(r, col).display().trim() != here.trim()
        })
    }

    /// The nearest label above a column, in the form rows placed so far.
    fn label_above(&self, row: usize, col: usize) -> Option<String> {
        self.labels
            .iter()
            .filter(|(r, c, _)| *r < row && *c == col)
            .max_by_key(|(r, _, _)| *r)
            .map(|(_, _, t)| t.clone())
    }

    /// A caption to the left that spans down into this row.
    fn caption_left(&self, row: usize, col: usize) -> Option<String> {
        self.labels
            .iter()
            .filter(|(r, c, _)| *r <= row && *c < col)
            .filter(|(r, c, _)| self.sheet.extent_down(*r, *c) >= row)
            .max_by_key(|(_, c, _)| *c)
            .map(|(_, _, t)| t.clone())
    }

    fn value_cell(
        &mut self,
        row: usize,
        c: &GridCell,
        rows: usize,
        left: Option<(usize, String, bool)>,
        pattern: Option<&'static str>,
    ) -> DraftCell {
        let text_style = c.text.chars().count() > 30;
        if let Some(p) = pattern {
            return DraftCell {
                cols: c.cols,
                rows,
                kind: Kind::Value {
                    field: None,
                    format: Some(p.into()),
                    from: "right",
                    text_style: false,
                },
                reason: "the unit line: the department's code and name before 单位".into(),
            };
        }
        // The label: to the left in this row, else above, else a caption spanning here.
        let (label, from, label_col) = match left {
            Some((col, t, false)) => (Some(t), "left", col),
            _ => match self
                .label_above(row, c.col)
                .filter(|t| self.fresh(t, row, c.col))
            {
                Some(t) => (Some(t), "above", c.col),
                None => match left
                    .map(|(col, t, _)| (col, t))
                    .or_else(|| self.caption_left(row, c.col).map(|t| (0, t)))
                {
                    Some((col, t)) => (Some(t), "left", col),
                    None => (None, "left", 0),
                },
            },
        };
        let Some(label) = label else {
            return DraftCell {
                cols: c.cols,
                rows,
                kind: Kind::Label {
                    text: c.text.clone(),
                    capture: None,
                },
                reason: "text with no label beside or above it: printed as it is".into(),
            };
        };
        let (field, format, why) = self.field_for(&label, row, label_col, c);
        DraftCell {
            cols: c.cols,
            rows,
            kind: Kind::Value {
                field: Some(field),
                format,
                from,
                text_style,
            },
            reason: format!("value {from} {label}: {why}"),
        }
    }

    /// Whether the label above still has a field to give (not taken already).
    fn fresh(&self, label: &str, row: usize, col: usize) -> bool {
        self.known.form(label).is_some_and(|k| {
            let field = with_period(&k.field, label, self.period_near(row, col));
            !self.used.contains(&field)
        })
    }

    /// The field a label gives its value, with the reason.
    fn field_for(
        &mut self,
        label: &str,
        row: usize,
        col: usize,
        value: &GridCell,
    ) -> (String, Option<String>, String) {
        let mut label = label.to_string();
        // 小计 under a caption (财政拨款 | 小计): the caption's field.
        if matches!(label_key(&label).as_str(), "小计" | "合计")
            && let Some(caption) = self.caption_left(row, col)
        {
            label = caption;
        }
        let Some(k) = self.known.form(&label) else {
            return (
                "extras".into(),
                None,
                "no field for this label: kept in extras".into(),
            );
        };
        let field = with_period(
            &k.field,
            &label,
            self.period_near(row, value.col)
                .or(self.period_near(row, col)),
        );
        if k.field != "extras" && k.field != "section" && !self.used.insert(field.clone()) {
            return (
                "extras".into(),
                None,
                format!("{} taken already: kept in extras", field),
            );
        }
        let mut format = k.format.clone();
        if format.as_deref().is_some_and(|f| f.starts_with('['))
            && !value.text.starts_with(['[', '【', '(', '（'])
        {
            format = None; // printed without a code
        }
        if format.is_none() && field.starts_with("period.") && value.text.ends_with('年') {
            format = Some("{}年".into());
        }
        (field, format, k.reason.clone())
    }

    /// A period word (中期, 年度, 全年, 半年) in a label above a column.
    fn period_near(&self, row: usize, col: usize) -> Option<&'static str> {
        self.labels
            .iter()
            .filter(|(r, c, _)| *r < row && *c == col)
            .filter_map(|(_, _, t)| period_word(t))
            .next_back()
    }
}

/// A funding field in the period its label or column names.
fn with_period(field: &str, label: &str, near: Option<&str>) -> String {
    let Some(rest) = field.strip_prefix("funding.") else {
        return field.to_string();
    };
    let Some((_, fund)) = rest.split_once('.') else {
        return field.to_string();
    };
    // Without a period word the amount is the year's.
    let period = period_word(label).or(near).unwrap_or("annual");
    format!("funding.{period}.{fund}")
}

fn period_word(text: &str) -> Option<&'static str> {
    if text.contains("中期") {
        Some("mid_term")
    } else if text.contains("半年") {
        Some("half_year")
    } else if text.contains("年度") || text.contains("全年") {
        Some("annual")
    } else {
        None
    }
}

fn label_cell(
    c: &GridCell,
    rows: usize,
    text: &str,
    capture: Option<(String, String)>,
    why: &str,
) -> DraftCell {
    DraftCell {
        cols: c.cols,
        rows,
        kind: Kind::Label {
            text: text.to_string(),
            capture,
        },
        reason: why.to_string(),
    }
}

fn next_is_label(cells: &[GridCell], i: usize, known: &Knowledge) -> bool {
    cells
        .get(i + 1)
        .is_some_and(|n| known.form(&n.text).is_some())
}

/// `中期目标(2023年—2025年)`: a label carrying the goal's years.
fn capture(text: &str) -> Option<(String, String, String)> {
    let key = label_key(text);
    let rest = key.strip_prefix("中期目标(")?.strip_suffix(')')?;
    rest.chars().any(|c| c.is_ascii_digit()).then(|| {
        (
            "中期目标".to_string(),
            "goals.mid_term.period".to_string(),
            "中期目标({})".to_string(),
        )
    })
}

/// A row of a code-and-name text and a 单位 cell: the unit line above a project.
fn unit_line(cells: &[GridCell]) -> Option<&'static str> {
    let texts: Vec<&GridCell> = cells.iter().filter(|c| !c.text.is_empty()).collect();
    match texts.as_slice() {
        [a, b] if label_key(&b.text).starts_with("单位:") => {
            if a.text.starts_with(|c: char| c.is_ascii_digit()) {
                Some("{doc.department.code}{doc.department.name}")
            } else {
                Some("{doc.department.name}")
            }
        }
        _ => None,
    }
}

fn numeric(text: &str) -> bool {
    let t = text.trim().trim_end_matches('%');
    !t.is_empty() && t.replace(',', "").parse::<f64>().is_ok()
}
