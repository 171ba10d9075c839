//! The form: a project's label/value grid, read by its labels and rendered on the
//! template's grid (cells placed like an HTML table, a repeated row per list line).

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use crate::grid::{Cell, Sheet};
use crate::model::{Document, Money, Period, Project};
use crate::parse::value::{format_percent_from_fraction, parse_percent};
use crate::render::{Content, RenderedSheet, Style};
use crate::text::{label_key, label_key_starts_with, label_key_within};
use crate::warning::Warning;

use super::field::{FieldKind, Repeat, Scope};
use super::indicators::Band;
use super::locate::{Region, cell_money};
use super::pattern::Slot;
use super::read::Reader;
use super::{Field, Pattern, Template, names, pattern};

/// One row of the form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRow {
    /// The row's cells, left to right.
    pub cells: Vec<FormCell>,
    /// A list the row is printed once per line of ("expenses"); cells above that
    /// span it grow.
    #[serde(default)]
    pub repeat: Option<Repeat>,
}

/// One cell of the form: a label, a field, or a pattern of fields. Cells are placed
/// left to right, skipping columns still covered by a cell above that spans several rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormCell {
    /// The label text; the reader finds the cell by it.
    #[serde(default)]
    pub label: Option<String>,
    /// Other spellings of the label that the reader accepts.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The model slot shown in this cell: a field path, or `extras` — the value of a
    /// label the model has no name for, kept under that label.
    #[serde(default)]
    pub field: Option<FormField>,
    /// For a label that carries a value in itself ("中期目标(2023年—2025年)"): the field.
    #[serde(default, deserialize_with = "capture_field")]
    pub capture: Option<Field>,
    /// How the value is printed: `{}` stands for the cell's field ("{}年",
    /// "中期目标({})"), `{path}` for any field ("[{doc.department.code}]{doc.department.name}").
    #[serde(default, deserialize_with = "cell_pattern")]
    pub format: Option<Pattern>,
    /// Where a value's label is: "left" (default), "above", or "right" (the value
    /// stands before its label, as in "603001唐山市… | 单位：万元").
    #[serde(default)]
    pub from: FromSide,
    /// Columns the cell spans.
    #[serde(default = "one")]
    pub cols: u32,
    /// Rows the cell spans.
    #[serde(default = "one")]
    pub rows: u32,
    /// How the cell is printed; by default a label is bold and a value centred.
    #[serde(default)]
    pub style: Option<CellStyle>,
}

pub(super) fn one() -> u32 {
    1
}

/// What a form value cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// A field path of the vocabulary.
    Field(Field),
    /// The value of the cell's label, kept in the project's (or, for a form read once
    /// above a list or duties table, the document's) `extras` under the label as the
    /// template prints it; written back by any form with a cell of that label.
    Extras,
    /// A headed text of the document (`overall.sections`) whose heading is the cell's
    /// label (宁德's 年度总体目标): read as a section headed by the label as the
    /// template prints it; written from the section whose heading matches the label
    /// or an alias, numbering aside ("一、总体绩效目标" matches 总体绩效目标).
    Section,
}

impl<'de> Deserialize<'de> for FormField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let path = String::deserialize(d)?;
        match path.as_str() {
            "extras" => return Ok(FormField::Extras),
            "section" => return Ok(FormField::Section),
            _ => {}
        }
        Field::parse(&path).map(FormField::Field).ok_or_else(|| {
            let valid = Field::all()
                .map(|f| f.path())
                .chain(["extras".to_string(), "section".to_string()]);
            serde::de::Error::custom(names::unknown("field", &path, "field", valid))
        })
    }
}

/// Where a value cell's label is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FromSide {
    /// The nearest label to its left in the row.
    #[default]
    Left,
    /// The label above it.
    Above,
    /// The label after it (the value stands first).
    Right,
}

names::named!(
    FromSide,
    key = "from",
    what = "side",
    [
        ("left", FromSide::Left),
        ("above", FromSide::Above),
        ("right", FromSide::Right),
    ]
);

/// The `style` a form cell can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellStyle {
    /// Running text, left aligned.
    Text,
    /// A short value, centred.
    Value,
    /// A bold label.
    Label,
    /// An unbordered line above the table, left aligned.
    Note,
    /// The same, right aligned ("单位：万元").
    NoteRight,
}

names::named!(
    CellStyle,
    key = "style",
    what = "style",
    [
        ("text", CellStyle::Text),
        ("value", CellStyle::Value),
        ("label", CellStyle::Label),
        ("note", CellStyle::Note),
        ("note-right", CellStyle::NoteRight),
    ]
);

impl CellStyle {
    /// The rendered style.
    pub fn style(self) -> crate::render::Style {
        use crate::render::Style;
        match self {
            CellStyle::Text => Style::Text,
            CellStyle::Value => Style::Value,
            CellStyle::Label => Style::Label,
            CellStyle::Note => Style::Note,
            CellStyle::NoteRight => Style::NoteRight,
        }
    }
}

impl FormCell {
    /// The match keys of a label cell: its label and aliases.
    pub fn keys(&self) -> Vec<String> {
        self.label
            .iter()
            .chain(&self.aliases)
            .map(|l| label_key(l))
            .collect()
    }

    /// The cell's own field.
    pub fn field(&self) -> Option<Field> {
        match self.field {
            Some(FormField::Field(f)) => Some(f),
            _ => None,
        }
    }

    /// Whether the cell holds the value of its label in `extras` (`field = "extras"`).
    pub fn is_extras(&self) -> bool {
        self.field == Some(FormField::Extras)
    }

    /// Whether the cell holds a section of the document headed by its label
    /// (`field = "section"`).
    pub fn is_section(&self) -> bool {
        self.field == Some(FormField::Section)
    }

    /// The field a label carries in itself.
    pub fn capture_field(&self) -> Option<Field> {
        self.capture
    }

    /// A value cell printed from a pattern of several fields (no `field` of its own).
    pub fn is_pattern(&self) -> bool {
        self.label.is_none() && self.field.is_none() && self.format.is_some()
    }

    /// Every field the cell shows.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.field()
            .into_iter()
            .chain(self.capture)
            .chain(self.format.iter().flat_map(Pattern::fields))
    }

    /// Applies `format` to a value for writing.
    pub fn formatted(&self, value: &str) -> String {
        match &self.format {
            Some(f) => f.fill(|_| value.to_string()),
            None => value.to_string(),
        }
    }

    /// Undoes `format` on text read from a cell ("3年" → "3").
    pub fn unformatted(&self, text: &str) -> String {
        match &self.format {
            Some(f) => f.unformat(text),
            None => text.trim().to_string(),
        }
    }
}

fn cell_pattern<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    pattern::deserialize(d, "format", pattern::Context::Cell).map(Some)
}

fn capture_field<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Field>, D::Error> {
    let path = String::deserialize(d)?;
    Field::parse_or_suggest("capture", &path)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A cell placed on the form grid: template row, column, rows spanned, and the spec.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    /// The row on the form, from 0 at its first row.
    pub row: u32,
    /// The column, from 0.
    pub col: u32,
    /// Rows spanned once repeated rows are counted.
    pub rows: u32,
    /// The template's cell.
    pub cell: &'a FormCell,
    /// For a cell of a repeated row: which repetition.
    pub repeat: Option<u32>,
}

impl Template {
    /// The form cells with their grid positions (row-span aware), with a repeated row
    /// printed once.
    pub fn placed_form(&self) -> Vec<Placed<'_>> {
        self.layout_form(1)
    }

    /// The form laid out with its repeated row printed `repeats` times (at least once):
    /// later rows move down and cells spanning the repeated row grow.
    pub fn layout_form(&self, repeats: u32) -> Vec<Placed<'_>> {
        let extra = repeats.max(1) - 1;
        let repeat_row = self
            .form
            .iter()
            .position(|r| r.repeat.is_some())
            .map(|r| r as u32);
        let mut placed = Vec::new();
        // covered[c] = first template row at which column c is free again.
        let mut covered = vec![0u32; self.columns as usize];
        for (r, row) in self.form.iter().enumerate() {
            let r = r as u32;
            let shift = match repeat_row {
                Some(rr) if r > rr => extra,
                _ => 0,
            };
            let mut col = 0u32;
            for cell in &row.cells {
                while (col as usize) < covered.len() && covered[col as usize] > r {
                    col += 1;
                }
                let spans_repeat = repeat_row.is_some_and(|rr| r < rr && rr < r + cell.rows);
                let rows = cell.rows + if spans_repeat { extra } else { 0 };
                if Some(r) == repeat_row {
                    for k in 0..=extra {
                        placed.push(Placed {
                            row: r + k,
                            col,
                            rows: 1,
                            cell,
                            repeat: Some(k),
                        });
                    }
                } else {
                    placed.push(Placed {
                        row: r + shift,
                        col,
                        rows,
                        cell,
                        repeat: None,
                    });
                }
                for c in col..(col + cell.cols).min(self.columns) {
                    covered[c as usize] = r + cell.rows;
                }
                col += cell.cols;
            }
        }
        placed
    }
}

impl Template {
    /// The periods whose project total the 支出 list's 合计 line holds: those the
    /// repeated 支出 row has an amount column for (`expenses.annual`,
    /// `expenses.half_year`) and the form has no `funding.<period>.total` cell of.
    pub fn line_totals(&self) -> Vec<Period> {
        if self.repeat() != Some(Repeat::Expenses) {
            return Vec::new();
        }
        let fields = self.fields();
        let has = |path: String| Field::parse(&path).is_some_and(|f| fields.contains(&f));
        [Period::Annual, Period::HalfYear]
            .into_iter()
            .filter(|p| {
                has(format!("expenses.{}", p.key())) && !has(format!("funding.{}.total", p.key()))
            })
            .collect()
    }

    /// The labels of the form's `extras` cells, as the template prints them.
    pub fn extras_labels(&self) -> Vec<String> {
        let form = self.placed_form();
        form.iter()
            .filter(|p| p.cell.is_extras())
            .filter_map(|p| anchor(&form, p).and_then(|l| l.cell.label.clone()))
            .collect()
    }

    /// For each `section` cell of the form, the match keys of its label (label and
    /// aliases): the headings of the document's sections the form prints.
    pub fn section_keys(&self) -> Vec<Vec<String>> {
        let form = self.placed_form();
        form.iter()
            .filter(|p| p.cell.is_section())
            .filter_map(|p| anchor(&form, p).map(|l| l.cell.keys()))
            .collect()
    }
}

/// A section heading as matched against a form label: numbering ("一、", "（二）",
/// "3.") dropped, then the label key.
pub fn heading_key(heading: &str) -> String {
    let key = label_key(heading);
    let numbered = |s: &str| -> Option<usize> {
        let inner = s.strip_prefix('(').map_or(s, |r| r);
        let digits = inner
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
            .map(char::len_utf8)
            .sum::<usize>();
        if digits == 0 {
            return None;
        }
        let rest = &inner[digits..];
        let after = if s.starts_with('(') {
            rest.strip_prefix(')')?
        } else {
            rest.strip_prefix(['、', '.', '．']).unwrap_or(rest)
        };
        (after.len() < s.len() && !after.is_empty()).then(|| s.len() - after.len())
    };
    match numbered(&key) {
        Some(cut) => key[cut..].to_string(),
        None => key,
    }
}

/// The document's section a form's `section` cell prints: the first whose heading
/// matches one of the label's keys.
pub fn section_for<'d>(doc: &'d Document, keys: &[String]) -> Option<&'d crate::model::Section> {
    let sections = doc.overall.as_ref().map_or(&[][..], |o| &o.sections[..]);
    sections
        .iter()
        .find(|s| keys.contains(&heading_key(&s.heading)))
}

/// The money unit a form region states ("项目资金（元）", "单位：万元"), if any.
fn stated_unit_in(sheet: &Sheet, region: Region) -> Option<&'static str> {
    (region.first_row..region.end_row).find_map(|r| {
        sheet.rows.get(r)?.iter().find_map(|cell| match cell {
            Cell::Text(t) if t.len() <= 60 => crate::units::stated_unit(t),
            _ => None,
        })
    })
}

/// Where each template label (by its row and column on the form) was found on the
/// sheet.
type FoundLabels = HashMap<(u32, u32), (usize, usize)>;

impl Reader<'_> {
    /// Reads the label/value grid; returns the last row that held one of its labels.
    pub(super) fn read_form(
        &mut self,
        sheet: &Sheet,
        region: Region,
        project: &mut Project,
        index: usize,
    ) -> usize {
        let form = self.form.clone();
        if self.stated_unit.is_none() {
            self.stated_unit = stated_unit_in(sheet, region);
        }
        let (found, mut last_row) = self.read_labels(sheet, region, &form, project, index);
        let mut line_columns: Vec<(Field, usize, usize)> = Vec::new();
        // Line columns whose label the sheet does not print as the template does.
        let mut unfound: Vec<(Field, &str)> = Vec::new();
        for placed in form.iter().filter(|p| p.cell.label.is_none()) {
            let Some(label) = anchor(&form, placed) else {
                continue;
            };
            let Some(&at) = found.get(&(label.row, label.col)) else {
                if let (Some(field), Some(text)) = (placed.cell.field(), &label.cell.label)
                    && let Scope::Line(_) = field.scope()
                {
                    unfound.push((field, text));
                }
                continue;
            };
            if let Some(field) = placed.cell.field()
                && let Scope::Line(_) = field.scope()
            {
                line_columns.push((field, sheet.extent_down(at.0, at.1) + 1, at.1));
                continue;
            }
            let Some((r, c)) = self.value_cell(sheet, region, placed, label, at) else {
                continue;
            };
            last_row = last_row.max(sheet.extent_down(r, c));
            self.read_value(sheet, (r, c), placed, label, project, index);
        }
        if !line_columns.is_empty() {
            other_year_columns(sheet, &unfound, &mut line_columns);
            last_row = last_row.max(self.read_lines(sheet, region, &line_columns, project, index));
            self.settle_line_totals(project, index);
        }
        last_row
    }

    /// Finds the form's labels in the region (labels with the same text take the
    /// occurrences in order) and reads what labels carry in themselves. Returns where
    /// each template label was found and the last row they reach.
    fn read_labels(
        &mut self,
        sheet: &Sheet,
        region: Region,
        form: &[Placed],
        project: &mut Project,
        index: usize,
    ) -> (FoundLabels, usize) {
        let occurrences = self.form_keys.occurrences(sheet, region);
        let mut used: HashMap<String, usize> = HashMap::new();
        let mut found = FoundLabels::new();
        let mut last_row = region.first_row;
        for placed in form.iter().filter(|p| p.cell.label.is_some()) {
            let hit = placed.cell.keys().into_iter().find_map(|key| {
                let n = used.get(&key).copied().unwrap_or(0);
                let at = occurrences.get(&key).and_then(|v| v.get(n)).copied()?;
                used.insert(key, n + 1);
                Some(at)
            });
            if let Some(at) = hit {
                found.insert((placed.row, placed.col), at);
                last_row = last_row.max(sheet.extent_down(at.0, at.1));
                if let Some(field) = placed.cell.capture_field() {
                    let text = sheet.raw(at.0, at.1).display();
                    if let Some(value) = captured(&text, placed) {
                        self.store_text(sheet, at, field, value, project, index);
                    }
                }
            }
        }
        (found, last_row)
    }

    /// The cell holding a value, from where its label was found.
    fn value_cell(
        &self,
        sheet: &Sheet,
        region: Region,
        placed: &Placed,
        label: &Placed,
        at: (usize, usize),
    ) -> Option<(usize, usize)> {
        match placed.cell.from {
            // A label spanning rows labels each of them: keep the row offset.
            FromSide::Left => {
                self.value_right(sheet, at.0 + (placed.row - label.row) as usize, at.1)
            }
            FromSide::Above => {
                let below = sheet.extent_down(at.0, at.1) + 1;
                (below < region.end_row && !self.is_label(&sheet.value(below, at.1).display()))
                    .then_some((below, at.1))
            }
            FromSide::Right => (0..at.1)
                .rev()
                .find(|&c| !sheet.raw(at.0, c).is_empty())
                .filter(|&c| !self.is_label(&sheet.raw(at.0, c).display()))
                .map(|c| (at.0, c)),
        }
    }

    /// Stores a value cell by its field's kind: numbers keep their format's scale,
    /// text is unformatted and parsed; a pattern cell fills each of its fields.
    fn read_value(
        &mut self,
        sheet: &Sheet,
        (r, c): (usize, usize),
        placed: &Placed,
        label: &Placed,
        project: &mut Project,
        index: usize,
    ) {
        let cell = sheet.value(r, c);
        if cell.is_empty() {
            return;
        }
        let Some(field) = placed.cell.field() else {
            if placed.cell.is_extras() {
                self.store_extras(sheet, (r, c), label, project, index);
            } else if placed.cell.is_section() {
                self.store_section(sheet, (r, c), label);
            } else {
                self.store_pattern(sheet, (r, c), placed.cell, project, index);
            }
            return;
        };
        let level = field.is_document_level();
        match (field.kind(), cell) {
            (
                FieldKind::Money,
                Cell::Number {
                    value, decimals, ..
                },
            ) => match Money::from_f64(*value, *decimals) {
                Some(m) => {
                    field.set(&mut self.doc, project, 0, m.to_string());
                    self.note_origin(sheet, (r, c), &field.path(), level, index);
                }
                None => self.keep_unplaced(sheet, (r, c), label.cell, cell.display(), project),
            },
            (
                FieldKind::Percent,
                Cell::Number {
                    value,
                    decimals,
                    percent,
                },
            ) => {
                let shown = if *percent {
                    format_percent_from_fraction(*value, *decimals)
                } else {
                    cell.display()
                };
                field.set(&mut self.doc, project, 0, shown);
                self.note_origin(sheet, (r, c), &field.path(), level, index);
            }
            _ => {
                let text = placed.cell.unformatted(&cell.display());
                self.store_text(sheet, (r, c), field, text, project, index);
            }
        }
    }

    /// Reads the lines of a repeated row (支出 lines) below their column labels until
    /// a row whose first column is blank or a label, or that starts a cell of its own
    /// left of the lines (the form's next row).
    pub(super) fn read_lines(
        &mut self,
        sheet: &Sheet,
        region: Region,
        columns: &[(Field, usize, usize)],
        project: &mut Project,
        index: usize,
    ) -> usize {
        let Some(&(first_field, first, name_col)) = columns.first() else {
            return region.first_row;
        };
        let Scope::Line(list) = first_field.scope() else {
            return region.first_row;
        };
        let mut row = first;
        while row < region.end_row {
            let name = sheet.raw(row, name_col).display().trim().to_string();
            if name.is_empty() || self.is_label(&name) {
                break;
            }
            // The labels beside the lines span them; a cell of its own to their left
            // starts the form's next row.
            if (0..name_col).any(|c| !sheet.raw(row, c).is_empty()) {
                break;
            }
            let j = list.push(&mut self.doc, project, &name);
            for &(field, _, col) in columns {
                let cell = sheet.value(row, col);
                let value = match field.kind() {
                    _ if col == name_col => Some(self.clean(sheet, row, col, &name)),
                    FieldKind::Money => cell_money(cell).map(|m| m.to_string()),
                    FieldKind::Percent => match cell {
                        Cell::Number {
                            value,
                            decimals,
                            percent: true,
                        } => Some(format_percent_from_fraction(*value, *decimals)),
                        other => parse_percent(&other.display()),
                    },
                    _ if cell.is_empty() => None,
                    _ => Some(self.clean(sheet, row, col, cell.display().trim())),
                };
                let stored = value.is_some_and(|v| field.set(&mut self.doc, project, j, v));
                if stored && col != name_col {
                    let path = list.line_path(project, j, field);
                    self.note_origin(sheet, (row, col), &path, list == Repeat::Units, index);
                } else if !stored && !cell.is_empty() {
                    self.warnings.push(Warning::at(
                        sheet.origin(row, col),
                        format!("{:?} is not an amount; kept in extras", cell.display()),
                    ));
                    project
                        .extras
                        .insert(format!("{}[{j}]", list.label()), cell.display());
                }
            }
            list.settle(&mut self.doc, project);
            row += 1;
        }
        row.saturating_sub(1)
    }

    /// Where the 支出 list's 合计 line is the only place for a period's total, the line
    /// gives the total, read from its cell; a line stating nothing more goes (see
    /// [`crate::model::Funding::take_line_totals`]), and with it its cells' provenance.
    fn settle_line_totals(&mut self, project: &mut Project, index: usize) {
        let periods = self.template.line_totals();
        if periods.is_empty() || project.funding.expenses_total.is_none() {
            return;
        }
        let taken = project.funding.take_line_totals(&periods);
        let line_path = |p: Period| format!("projects[{index}].funding.expenses_total.{}", p.key());
        let cells = &mut self.doc.source.cells;
        for p in taken {
            if let Some(cell) = cells.get(&line_path(p)).cloned() {
                let total = format!("projects[{index}].funding.{}.total", p.key());
                cells.entry(total).or_insert(cell);
            }
        }
        if project.funding.expenses_total.is_none() {
            // A bare line states amounts only, recorded under these paths.
            for p in [Period::Annual, Period::HalfYear] {
                cells.shift_remove(&line_path(p));
            }
        }
    }

    /// Keeps a value the model has no name for under its label as the template prints
    /// it: in the project's extras, or the document's for a form read once above a
    /// list or duties table.
    pub(super) fn store_extras(
        &mut self,
        sheet: &Sheet,
        at: (usize, usize),
        label: &Placed,
        project: &mut Project,
        index: usize,
    ) {
        let Some(key) = label.cell.label.clone() else {
            return;
        };
        let value = self.clean(sheet, at.0, at.1, sheet.value(at.0, at.1).display().trim());
        let document = self.template.arrangement == super::Arrangement::Table;
        let path = format!("extras.{key}");
        if document {
            self.doc.extras.insert(key, value);
        } else {
            project.extras.insert(key, value);
        }
        self.note_origin(sheet, at, &path, document, index);
    }

    /// Keeps a cell's text as a section of the document headed by its label as the
    /// template prints it (宁德's 年度总体目标).
    fn store_section(&mut self, sheet: &Sheet, at: (usize, usize), label: &Placed) {
        let Some(heading) = label.cell.label.clone() else {
            return;
        };
        let text = self.clean(sheet, at.0, at.1, sheet.value(at.0, at.1).display().trim());
        let sections = &mut self
            .doc
            .overall
            .get_or_insert_with(Default::default)
            .sections;
        // The same form read again (one sheet per project) gives the same section once.
        if sections
            .iter()
            .any(|s| s.heading == heading && s.text == text)
        {
            return;
        }
        let path = format!("overall.sections[{}].text", sections.len());
        sections.push(crate::model::Section { heading, text });
        self.note_origin(sheet, at, &path, true, 0);
    }

    /// Reads a cell printed from a pattern of several fields ("[079]六安…",
    /// "王某/0515-…"): each part goes to its field; the cell is recorded under the
    /// fields' common parent path ("doc.department"), or their names joined by "_".
    pub(super) fn store_pattern(
        &mut self,
        sheet: &Sheet,
        at: (usize, usize),
        cell: &super::FormCell,
        project: &mut Project,
        index: usize,
    ) {
        let Some(pattern) = &cell.format else { return };
        let text = self.clean(sheet, at.0, at.1, sheet.value(at.0, at.1).display().trim());
        let fields: Vec<Field> = pattern.fields().collect();
        let mut stored = false;
        for (slot, part) in pattern.read_cell(&text) {
            if let Slot::Field(field) = slot
                && !part.is_empty()
            {
                stored |= field.set(&mut self.doc, project, 0, part);
            }
        }
        if stored {
            let key = provenance_key(&fields);
            let document = fields.iter().all(Field::is_document_level);
            self.note_origin(sheet, at, &key, document, index);
        }
    }

    /// The cell that holds the value of the label at (row, col): the next cell after
    /// the label's merged area, or for a file without merges the next non-empty one.
    pub(super) fn value_right(
        &self,
        sheet: &Sheet,
        row: usize,
        col: usize,
    ) -> Option<(usize, usize)> {
        // Merges tell where the value starts; a clerk who typed it further right (or a
        // CSV, which lost the merges) leaves blanks first, so skip them.
        let next = sheet.extent_right(row, col) + 1;
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        for c in next..width {
            let cell = sheet.raw(row, c);
            if !cell.is_empty() {
                return (!self.is_label(&cell.display())).then_some((row, c));
            }
        }
        None
    }

    pub(super) fn store_text(
        &mut self,
        sheet: &Sheet,
        at: (usize, usize),
        field: Field,
        text: String,
        project: &mut Project,
        index: usize,
    ) {
        let cleaned = self.clean(sheet, at.0, at.1, text.trim());
        // A value is stored in its kind's canonical text; what does not fit is kept.
        let canonical = match field.kind() {
            FieldKind::Money => Money::parse(&cleaned).map(|m| m.to_string()),
            FieldKind::Percent => parse_percent(&cleaned),
            _ => Some(cleaned.clone()),
        };
        if canonical.is_some_and(|v| field.set(&mut self.doc, project, 0, v)) {
            self.note_origin(sheet, at, &field.path(), field.is_document_level(), index);
        } else {
            self.warnings.push(Warning::at(
                sheet.origin(at.0, at.1),
                format!(
                    "{:?} is not a valid {}; kept in extras",
                    cleaned,
                    field.path()
                ),
            ));
            project.extras.insert(field.path(), cleaned);
        }
    }

    pub(super) fn keep_unplaced(
        &mut self,
        sheet: &Sheet,
        at: (usize, usize),
        label: &super::FormCell,
        text: String,
        project: &mut Project,
    ) {
        let name = label.label.clone().unwrap_or_default();
        self.warnings.push(Warning::at(
            sheet.origin(at.0, at.1),
            format!("{name}: {text:?} is not an amount; kept in extras"),
        ));
        project.extras.insert(name, text);
    }
}

/// A line column labelled with a year ("2020年实际执行数") that the sheet prints with
/// another year ("2022年实际执行数": the same form a year or two later) is read from
/// the column that sheet label heads, under the year printed, rather than lost.
fn other_year_columns(
    sheet: &Sheet,
    unfound: &[(Field, &str)],
    columns: &mut Vec<(Field, usize, usize)>,
) {
    let Some(&(_, data_row, _)) = columns.first() else {
        return;
    };
    let header = data_row.saturating_sub(1);
    let width = sheet.rows.get(header).map_or(0, Vec::len);
    for (field, label) in unfound {
        let key = label_key(label);
        let Some(year) = leading_year(&key) else {
            continue;
        };
        let path = field.path();
        if !path.contains(year) {
            continue;
        }
        let hit = (0..width).find_map(|c| {
            let k = label_key(&sheet.value(header, c).display());
            let printed = leading_year(&k)?;
            let same_shape = printed != year && k[4..] == key[4..];
            let free = !columns.iter().any(|(_, _, col)| *col == c);
            (same_shape && free).then(|| (c, printed.to_string()))
        });
        if let Some((c, printed)) = hit
            && let Some(moved) = Field::parse(&path.replace(year, &printed))
        {
            columns.push((moved, data_row, c));
        }
    }
}

/// The four-digit year a label key starts with, followed by 年 ("2020年实际执行数").
fn leading_year(key: &str) -> Option<&str> {
    let year = key.get(..4)?;
    (year.bytes().all(|b| b.is_ascii_digit()) && key[4..].starts_with('年')).then_some(year)
}

/// The project as the form prints it: where the 合计 line holds a period's total
/// (`periods`, [`Template::line_totals`]), the line carries it (a bare 合计 line when the
/// project states only the total).
fn with_line_totals<'p>(project: &'p Project, periods: &[Period]) -> Cow<'p, Project> {
    let line = project.funding.printed_total_line(periods);
    if line == project.funding.expenses_total {
        return Cow::Borrowed(project);
    }
    let mut shown = project.clone();
    shown.funding.expenses_total = line;
    Cow::Owned(shown)
}

/// The label keys of a template's form, made once per read rather than per project.
#[derive(Clone)]
pub(super) struct FormKeys {
    /// Every form label's keys.
    labels: Vec<String>,
    /// The keys of labels that carry a value after themselves ("中期目标(2023年—2025年)").
    captures: Vec<String>,
    /// The byte length of the longest key in `labels`.
    longest: usize,
}

impl FormKeys {
    /// Every occurrence of every form label in the region, in reading order; a label
    /// that carries a value after itself is found by its prefix.
    fn occurrences(&self, sheet: &Sheet, region: Region) -> HashMap<String, Vec<(usize, usize)>> {
        let mut occurrences: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for r in region.first_row..region.end_row {
            for c in 0..sheet.rows.get(r).map_or(0, Vec::len) {
                let Cell::Text(text) = sheet.raw(r, c) else {
                    continue;
                };
                // Most cells of a region are indicator text, longer than any label.
                match label_key_within(text, self.longest) {
                    Some(key) if self.labels.contains(&key) => {
                        occurrences.entry(key).or_default().push((r, c));
                    }
                    _ => {
                        if let Some(prefix) = self
                            .captures
                            .iter()
                            .find(|p| label_key_starts_with(text, p))
                        {
                            occurrences.entry(prefix.clone()).or_default().push((r, c));
                        }
                    }
                }
            }
        }
        occurrences
    }

    pub(super) fn of(form: &[Placed]) -> FormKeys {
        let labels: Vec<String> = form.iter().flat_map(|p| p.cell.keys()).collect();
        let captures = form
            .iter()
            .filter(|p| p.cell.capture.is_some())
            .flat_map(|p| p.cell.keys())
            .collect();
        let longest = labels.iter().map(String::len).max().unwrap_or(0);
        FormKeys {
            labels,
            captures,
            longest,
        }
    }
}

/// The label a field cell belongs to: the nearest label to its left in the same
/// template row, or the label above it.
fn anchor<'a>(form: &'a [Placed<'a>], field: &Placed<'a>) -> Option<&'a Placed<'a>> {
    let labels = form.iter().filter(|p| p.cell.label.is_some());
    match field.cell.from {
        FromSide::Left => labels
            .filter(|p| p.row <= field.row && p.row + p.cell.rows > field.row && p.col < field.col)
            .max_by_key(|p| p.col),
        FromSide::Above => labels
            .filter(|p| p.row < field.row && p.col <= field.col && field.col < p.col + p.cell.cols)
            .max_by_key(|p| p.row),
        FromSide::Right => labels
            .filter(|p| p.row == field.row && p.col > field.col)
            .min_by_key(|p| p.col),
    }
}

/// The value a label carries in itself: "中期目标(2023年—2025年)" → "2023年—2025年",
/// "部门名称：广州住房公积金管理中心" → "广州住房公积金管理中心". The published spelling is kept.
fn captured(text: &str, placed: &Placed) -> Option<String> {
    let key = label_key(text);
    let label = placed
        .cell
        .keys()
        .into_iter()
        .find(|k| key.starts_with(k.as_str()))?;
    if key[label.len()..]
        .trim_matches(|c| c == '(' || c == ')' || c == ':')
        .is_empty()
    {
        return None;
    }
    let original = text.trim();
    if let Some(colon) = original.find(['：', ':']) {
        let after = &original[colon + original[colon..].chars().next().map_or(1, char::len_utf8)..];
        return Some(after.trim().to_string()).filter(|a| !a.is_empty());
    }
    let start = original
        .find(['(', '（'])
        .map(|i| i + original[i..].chars().next().map_or(1, char::len_utf8));
    let end = original.rfind([')', '）']);
    match (start, end) {
        (Some(s), Some(e)) if s <= e => Some(original[s..e].to_string()),
        _ => Some(key[label.len()..].to_string()),
    }
}

/// The key a pattern cell's provenance is recorded under: the fields' common parent
/// path ("doc.department.code" + "doc.department.name" → "doc.department"), or their
/// paths joined by "_" when they share none ("manager_phone").
fn provenance_key(fields: &[Field]) -> String {
    let paths: Vec<String> = fields.iter().map(Field::path).collect();
    let Some(first) = paths.first() else {
        return String::new();
    };
    let mut common: Vec<&str> = first.split('.').collect();
    for path in &paths[1..] {
        let parts: Vec<&str> = path.split('.').collect();
        let same = common
            .iter()
            .zip(&parts)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(same);
    }
    if paths.len() > 1 && !common.is_empty() {
        common.join(".")
    } else {
        paths.join("_")
    }
}

/// A template cell's `style`, or the default for its kind.
fn cell_style(style: Option<super::CellStyle>, default: Style) -> Style {
    style.map_or(default, super::CellStyle::style)
}

/// Lays out the form from `row`; returns the row after it. A label of its last row that
/// labels an indicator column below (`bands`) is merged down over the table's header row.
pub(super) fn render_form(
    sheet: &mut RenderedSheet,
    row: u32,
    doc: &Document,
    project: &Project,
    (t, bands, line_totals): (&Template, &[Band], &[Period]),
) -> u32 {
    let project = &*with_line_totals(project, line_totals);
    let repeats = t.repeat().map_or(1, |list| list.len(doc, project).max(1)) as u32;
    let form = t.layout_form(repeats);
    let end = form.iter().map(|p| p.row + p.rows).max().unwrap_or(0);
    for placed in &form {
        let (r, c) = (row + placed.row, placed.col);
        let cell = placed.cell;
        if let Some(label) = &cell.label {
            let shown = match cell.capture_field().and_then(|f| f.get(doc, project)) {
                Some(v) => cell.formatted(&v),
                None => label.clone(),
            };
            let style = cell_style(cell.style, Style::Label);
            let over_header = placed.row + placed.rows == end && bands.iter().any(|b| b.col == c);
            let rows = placed.rows + u32::from(over_header && cell.capture.is_none());
            sheet.put(r, c, rows, cell.cols, Content::text(&shown), style);
            continue;
        }
        if cell.is_extras() {
            let label = anchor(&form, placed).and_then(|l| l.cell.label.as_deref());
            let extras = if t.arrangement == super::Arrangement::Table {
                &doc.extras
            } else {
                &project.extras
            };
            let value = label
                .and_then(|l| extras.get(l))
                .cloned()
                .unwrap_or_default();
            let style = cell_style(cell.style, Style::Value);
            sheet.put(r, c, placed.rows, cell.cols, Content::text(&value), style);
            continue;
        }
        if cell.is_section() {
            let keys = anchor(&form, placed)
                .map(|l| l.cell.keys())
                .unwrap_or_default();
            let text = section_for(doc, &keys).map_or("", |s| s.text.as_str());
            let style = cell_style(cell.style, Style::Text);
            sheet.put(r, c, placed.rows, cell.cols, Content::text(text), style);
            continue;
        }
        let line = placed.repeat.unwrap_or(0) as usize;
        let (content, style) = match cell.field() {
            Some(field) if field.kind() == FieldKind::Money => (
                field
                    .money(doc, project, line)
                    .map_or(Content::Empty, Content::Money),
                Style::Money,
            ),
            Some(field) if field.kind() == FieldKind::Percent => (
                field
                    .get_line(doc, project, line)
                    .map_or(Content::Empty, Content::Percent),
                Style::Percent,
            ),
            Some(field) => {
                let v = field
                    .get_line(doc, project, line)
                    .map(|v| cell.formatted(&v))
                    .unwrap_or_default();
                let default = if placed.repeat.is_some() {
                    Style::Value
                } else {
                    cell_style(cell.style, Style::Value)
                };
                (Content::text(&v), default)
            }
            None => {
                let pattern = cell
                    .format
                    .as_ref()
                    .expect("a value cell has a field or a format");
                let text = pattern.fill_cell(|slot| match slot {
                    Slot::Field(f) => f.get_line(doc, project, line),
                    _ => None,
                });
                (Content::text(&text), cell_style(cell.style, Style::Value))
            }
        };
        let rows = if placed.repeat.is_some() {
            1
        } else {
            placed.rows
        };
        sheet.put(r, c, rows, cell.cols, content, style);
    }
    row + form.iter().map(|p| p.row + p.rows).max().unwrap_or(0)
}
