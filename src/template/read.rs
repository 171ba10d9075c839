//! Grid → model: finds a template's tables in a workbook by their labels.
//!
//! Nothing here depends on fixed coordinates. A project starts at its first form label
//! ("项目名称"); each field is read next to (or below) its label; the indicator table
//! starts at the row holding its column labels. Blank cells that follow a label are
//! skipped when the file lost its merges (CSV), and blank class cells carry the class
//! from the row above, which is what a vertical merge means.

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;

use crate::error::{Error, Result};
use crate::grid::{Cell, Sheet, Workbook};
use crate::model::{Document, Indicator, Kind, Money, Overall, Period, Project, Section};
use crate::parse::clean::clean_text;
use crate::parse::value::{format_percent_from_fraction, parse_percent};
use crate::text::{has_label_key, label_key, label_key_starts_with, label_key_within};
use crate::warning::Warning;

use super::field::{FieldKind, Repeat, Scope};
use super::pattern::Slot;
use super::{Field, FromSide, IndicatorField, IndicatorSpec, Placed, Template};

/// A document read from a workbook, with what the reader noticed on the way.
#[derive(Debug, Clone)]
pub struct ReadResult {
    pub document: Document,
    pub warnings: Vec<Warning>,
    /// The form prints no fiscal year; the document's was inferred from its dates.
    pub fiscal_year_inferred: bool,
}

/// Reads every table of the template's layout from every visible sheet.
pub fn read_workbook(book: &Workbook, template: &Template) -> Result<ReadResult> {
    let labels = template.label_keys();
    let form = template.placed_form();
    let mut reader = Reader {
        fiscal_year_inferred: false,
        template,
        doc: Document::new(template.kind),
        warnings: book.warnings.iter().map(Warning::new).collect(),
        longest_label: labels.iter().map(String::len).max().unwrap_or(0),
        labels,
        form_keys: FormKeys::of(&form),
        form,
        heading_parts: heading_parts(template),
    };
    reader.doc.source.layout = template.id.clone();
    reader.doc.source.file = book.file.clone();
    for sheet in book.sheets.iter().filter(|s| !s.hidden) {
        reader.read_sheet(sheet);
    }
    reader.settle_fiscal_year();
    let has_overall = reader
        .doc
        .overall
        .as_ref()
        .is_some_and(|o| !o.sections.is_empty() || !o.duties.is_empty());
    reader.doc.kind = match (reader.doc.projects.is_empty(), has_overall) {
        (false, true) => Kind::Mixed,
        (true, true) => Kind::Department,
        _ => Kind::Project,
    };
    if reader.doc.projects.is_empty() && !has_overall {
        let start = reader.start_label().unwrap_or("?");
        return Err(Error::NoTable {
            file: book.file.clone(),
            reason: format!(
                "no sheet has a {} table (looked for the label {start:?} followed by a value)",
                template.id
            ),
        });
    }
    Ok(ReadResult {
        fiscal_year_inferred: reader.fiscal_year_inferred,
        document: reader.doc,
        warnings: reader.warnings,
    })
}

pub(super) struct Reader<'t> {
    fiscal_year_inferred: bool,
    pub(super) template: &'t Template,
    pub(super) doc: Document,
    pub(super) warnings: Vec<Warning>,
    /// Keys of every label the template knows: a value cell never holds one.
    labels: Vec<String>,
    /// The byte length of the longest label key: a longer text is no label.
    longest_label: usize,
    form: Vec<Placed<'t>>,
    form_keys: FormKeys,
    /// The fixed parts of the project heading and of the title lines, for
    /// [`Reader::is_heading_row`] (computed once, not once per row).
    heading_parts: HeadingParts,
}

/// The fixed (placeholder-free) parts of a template's heading and title patterns.
struct HeadingParts {
    heading: Vec<String>,
    title: Vec<String>,
}

fn heading_parts(t: &Template) -> HeadingParts {
    HeadingParts {
        heading: t
            .project
            .heading
            .as_ref()
            .map(super::Pattern::fixed_keys)
            .unwrap_or_default(),
        title: std::iter::once(&t.title.text)
            .chain(&t.title.subtitle)
            .flat_map(super::Pattern::fixed_keys)
            .collect(),
    }
}

/// A rectangle of rows on a sheet that holds one project.
#[derive(Debug, Clone, Copy)]
pub(super) struct Region {
    pub(super) first_row: usize,
    pub(super) end_row: usize,
}

impl<'t> Reader<'t> {
    fn start_label(&self) -> Option<&'t str> {
        self.template.start_label()
    }

    /// A row that starts another table: the template's title lines or a project
    /// heading ("2.窗口服务建设费绩效目标表"), alone on its row.
    pub(super) fn is_heading_row(&self, sheet: &Sheet, row: usize) -> bool {
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        let mut texts = (0..width).filter(|&c| !sheet.raw(row, c).is_empty());
        let (Some(col), None) = (texts.next(), texts.next()) else {
            return false;
        };
        let key = label_key(&sheet.raw(row, col).display());
        let heading_parts = &self.heading_parts.heading;
        let title_parts = &self.heading_parts.title;
        (!heading_parts.is_empty() && heading_parts.iter().all(|p| key.contains(p.as_str())))
            || (!title_parts.is_empty()
                && title_parts
                    .iter()
                    .any(|p| key == *p || (p.chars().count() >= 4 && key.contains(p.as_str()))))
    }

    /// The fiscal year when no title states it: the year most 年度 target dates fall
    /// in, else the first year in the department text. Reported as a warning.
    fn settle_fiscal_year(&mut self) {
        if self.doc.fiscal_year.is_some() {
            return;
        }
        let mut counts: std::collections::BTreeMap<i32, usize> = Default::default();
        for ind in self.doc.projects.iter().flat_map(|p| &p.indicators) {
            if let Some(date) = ind.values.annual.as_ref().and_then(|v| v.date) {
                *counts.entry(date.year).or_default() += 1;
            }
        }
        let from_dates = counts
            .iter()
            .max_by_key(|(y, n)| (**n, **y))
            .map(|(y, _)| *y);
        let from_text = || {
            self.doc
                .overall
                .iter()
                .flat_map(|o| &o.sections)
                .find_map(|s| find_year(&s.heading).or_else(|| find_year(&s.text)))
        };
        if let Some(year) = from_dates.or_else(from_text) {
            self.doc.fiscal_year = Some(year);
            self.fiscal_year_inferred = true;
            self.warnings.push(Warning::new(format!(
                "no title states the fiscal year; {year} taken from {}",
                if from_dates.is_some() {
                    "the dates of the 年度 targets"
                } else {
                    "the department text"
                }
            )));
        }
    }

    /// How many form rows stand above the start label (tangshan's unit line).
    fn rows_above_start(&self) -> usize {
        let key = self.start_label().map(label_key).unwrap_or_default();
        self.form
            .iter()
            .find(|p| p.cell.keys().contains(&key))
            .map_or(0, |p| p.row as usize)
    }

    pub(super) fn is_label(&self, text: &str) -> bool {
        label_key_within(text, self.longest_label)
            .is_some_and(|key| !key.is_empty() && self.labels.binary_search(&key).is_ok())
    }

    fn read_sheet(&mut self, sheet: &Sheet) {
        if let Some(spec) = &self.template.list {
            return self.read_list(sheet, spec);
        }
        if let Some(spec) = &self.template.duties {
            return self.read_duties(sheet, spec);
        }
        let Some(start_label) = self.start_label() else {
            return;
        };
        let start_key = label_key(start_label);
        let starts: Vec<(usize, usize)> = cells(sheet)
            .filter(|(r, c, text)| {
                has_label_key(text, &start_key) && self.has_value_right(sheet, *r, *c)
            })
            .map(|(r, c, _)| (r, c))
            .collect();
        let above = self.rows_above_start();
        let mut previous_end = self.read_sections(sheet, starts.first().map(|s| s.0));
        for (i, &(row, _)) in starts.iter().enumerate() {
            let first_row = row.saturating_sub(above).max(previous_end);
            let end_row = starts.get(i + 1).map_or(sheet.height(), |s| {
                s.0.saturating_sub(above).max(first_row + 1)
            });
            self.read_title(sheet, previous_end, first_row);
            let region = Region { first_row, end_row };
            previous_end = self.read_project(sheet, region);
        }
    }

    /// Reads department-level text sections (one heading or paragraph per row) from
    /// the template's begin marker to its end marker or the first project. Returns the
    /// row after the last one read (0 when the sheet has none).
    fn read_sections(&mut self, sheet: &Sheet, first_project: Option<usize>) -> usize {
        let Some(spec) = &self.template.sections else {
            return 0;
        };
        let begin: Vec<String> = spec.begin.iter().map(|b| label_key(b)).collect();
        let end: Vec<String> = spec.end.iter().map(|b| label_key(b)).collect();
        let limit = first_project.unwrap_or(sheet.height());
        let Some(start) = (0..limit)
            .find(|&r| first_text(sheet, r).is_some_and(|(_, t)| begin.contains(&label_key(&t))))
        else {
            return 0;
        };
        let mut sections: Vec<Section> = Vec::new();
        let mut row = start;
        while row < limit {
            if let Some((col, text)) = first_text(sheet, row) {
                let key = label_key(&text);
                if end.contains(&key) && row > start {
                    break;
                }
                let text = self.clean(sheet, row, col, text.trim());
                self.doc.source.cells.insert(
                    format!("overall.lines[{}]", row - start),
                    sheet.origin(row, col),
                );
                if is_heading(&text) {
                    sections.push(Section {
                        heading: text,
                        text: String::new(),
                    });
                } else {
                    match sections.last_mut() {
                        Some(s) if !s.text.is_empty() => {
                            s.text.push('\n');
                            s.text.push_str(&text);
                        }
                        Some(s) => s.text = text,
                        None => sections.push(Section {
                            heading: String::new(),
                            text,
                        }),
                    }
                }
            }
            row += 1;
        }
        if !sections.is_empty() {
            self.doc
                .overall
                .get_or_insert_with(Overall::default)
                .sections
                .extend(sections);
        }
        row
    }

    /// Whether the cell right of a label holds a value (not another label).
    ///
    /// A blank value still starts a project when the next cell on the row is the next
    /// label of the start label's own form row (a project without a 项目编码); the
    /// same label in another table's header (yancheng's 支出 项目名称) does not.
    fn has_value_right(&self, sheet: &Sheet, row: usize, col: usize) -> bool {
        if self
            .value_right(sheet, row, col)
            .is_some_and(|(r, c)| !sheet.value(r, c).is_empty())
        {
            return true;
        }
        let start_key = self.start_label().map(label_key).unwrap_or_default();
        let Some(start) = self
            .form
            .iter()
            .find(|p| p.cell.keys().contains(&start_key))
        else {
            return false;
        };
        let row_keys: Vec<String> = self
            .form
            .iter()
            .filter(|p| p.row == start.row && p.col > start.col)
            .flat_map(|p| p.cell.keys())
            .collect();
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        (sheet.extent_right(row, col) + 1..width)
            .map(|c| sheet.raw(row, c))
            .find(|cell| !cell.is_empty())
            .is_some_and(|cell| row_keys.iter().any(|k| has_label_key(&cell.shown(), k)))
    }

    /// Title and fiscal year from the rows above a project.
    pub(super) fn read_title(&mut self, sheet: &Sheet, from_row: usize, to_row: usize) {
        let texts: Vec<(usize, usize, String)> = (from_row..to_row)
            .flat_map(|r| (0..sheet.rows.get(r).map_or(0, Vec::len)).map(move |c| (r, c)))
            .filter_map(|(r, c)| match sheet.raw(r, c) {
                Cell::Empty => None,
                cell => Some((r, c, cell.display().trim().to_string())),
            })
            .filter(|(_, _, t)| !t.is_empty())
            .collect();
        let wanted = &self.template.detect.title;
        let title = texts
            .iter()
            .find(|(_, _, t)| wanted.iter().any(|w| t.contains(w.as_str())))
            .or_else(|| {
                texts
                    .iter()
                    .find(|(_, _, t)| t.contains("表") && t.chars().count() > 4)
            });
        if let Some((r, c, text)) = title
            && self.doc.title.is_none()
        {
            let cleaned = self.clean(sheet, *r, *c, text);
            self.doc.title = Some(cleaned);
            self.doc
                .source
                .cells
                .insert("title".into(), sheet.origin(*r, *c));
        }
        let parts = texts
            .iter()
            .find_map(|(_, _, t)| super::title::matches(&self.template.title.text, t));
        if let Some(parts) = &parts {
            if self.doc.department.is_none()
                && let Some(name) = &parts.department
            {
                self.doc.department = Some(crate::model::Department {
                    code: None,
                    name: name.clone(),
                });
            }
            if self.doc.fiscal_year.is_none() {
                self.doc.fiscal_year = parts.fiscal_year;
            }
        }
        if self.doc.fiscal_year.is_none() {
            let year = title.and_then(|(_, _, t)| find_year(t)).or_else(|| {
                texts
                    .iter()
                    .find_map(|(_, _, t)| find_year(t).filter(|_| t.contains("年度")))
            });
            self.doc.fiscal_year = year;
        }
    }

    /// Reads one project's form and indicator table; returns the row after its last.
    fn read_project(&mut self, sheet: &Sheet, region: Region) -> usize {
        let index = self.doc.projects.len();
        let mut project = Project::default();
        let header = self
            .template
            .indicators
            .as_ref()
            .and_then(|spec| find_header(sheet, region, spec).map(|h| (spec, h)));
        let form_end = header.as_ref().map_or(region.end_row, |(_, h)| h.row);
        let mut last_row = self.read_form(
            sheet,
            Region {
                end_row: form_end,
                ..region
            },
            &mut project,
            index,
        );
        if let Some((spec, header)) = header {
            last_row = self.read_indicators(sheet, region, spec, &header, &mut project, index);
        } else if self.template.indicators.is_some() {
            self.warnings.push(Warning::at(
                sheet.origin(region.first_row, 0),
                format!(
                    "project {:?}: no indicator table found below it",
                    project.name
                ),
            ));
        }
        if self.doc.source.sheet.is_none() {
            self.doc.source.sheet = Some(sheet.name.clone());
        }
        self.doc.projects.push(project);
        last_row + 1
    }

    /// Reads the label/value grid; returns the last row that held one of its labels.
    pub(super) fn read_form(
        &mut self,
        sheet: &Sheet,
        region: Region,
        project: &mut Project,
        index: usize,
    ) -> usize {
        // Every occurrence of every form label in the region, in reading order.
        let mut occurrences: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let keys = &self.form_keys;
        for r in region.first_row..region.end_row {
            for c in 0..sheet.rows.get(r).map_or(0, Vec::len) {
                let Cell::Text(text) = sheet.raw(r, c) else {
                    continue;
                };
                // Most cells of a region are indicator text, longer than any label.
                match label_key_within(text, keys.longest) {
                    Some(key) if keys.labels.contains(&key) => {
                        occurrences.entry(key).or_default().push((r, c));
                    }
                    _ => {
                        if let Some(prefix) = keys
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
        // Template labels with the same text take the occurrences in order.
        let mut used: HashMap<String, usize> = HashMap::new();
        let mut found: HashMap<(u32, u32), (usize, usize)> = HashMap::new();
        let mut last_row = region.first_row;
        let form = self.form.clone();
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
        let mut line_columns: Vec<(Field, usize, usize)> = Vec::new();
        for placed in form.iter().filter(|p| p.cell.label.is_none()) {
            let Some(label) = anchor(&form, placed) else {
                continue;
            };
            let Some(&at) = found.get(&(label.row, label.col)) else {
                continue;
            };
            if let Some(field) = placed.cell.field()
                && let Scope::Line(_) = field.scope()
            {
                line_columns.push((field, sheet.extent_down(at.0, at.1) + 1, at.1));
                continue;
            }
            let target = match placed.cell.from {
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
            };
            let Some((r, c)) = target else { continue };
            last_row = last_row.max(sheet.extent_down(r, c));
            let cell = sheet.value(r, c);
            if cell.is_empty() {
                continue;
            }
            let Some(field) = placed.cell.field() else {
                self.store_pattern(sheet, (r, c), placed.cell, project, index);
                continue;
            };
            match (field.kind(), cell) {
                (
                    FieldKind::Money,
                    Cell::Number {
                        value, decimals, ..
                    },
                ) => match Money::from_f64(*value, *decimals) {
                    Some(m) => {
                        field.set(&mut self.doc, project, 0, m.to_string());
                        self.note_origin(
                            sheet,
                            (r, c),
                            &field.path(),
                            field.is_document_level(),
                            index,
                        );
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
                    self.note_origin(
                        sheet,
                        (r, c),
                        &field.path(),
                        field.is_document_level(),
                        index,
                    );
                }
                _ => {
                    let text = placed.cell.unformatted(&cell.display());
                    self.store_text(sheet, (r, c), field, text, project, index);
                }
            }
        }
        if !line_columns.is_empty() {
            last_row = last_row.max(self.read_lines(sheet, region, &line_columns, project, index));
        }
        last_row
    }

    /// Reads the lines of a repeated row (支出 lines) below their column labels until
    /// a row whose first column is blank or a label.
    fn read_lines(
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
            let j = list.push(&mut self.doc, project);
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
                    let path = list.line_path(j, field);
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
            row += 1;
        }
        row.saturating_sub(1)
    }

    /// Reads a cell printed from a pattern of several fields ("[079]六安…",
    /// "王某/0515-…"): each part goes to its field; the cell is recorded under the
    /// fields' common parent path ("doc.department"), or their names joined by "_".
    fn store_pattern(
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

    fn store_text(
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

    fn keep_unplaced(
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

    /// Records the cell a value came from under its model path (the first wins).
    fn note_origin(
        &mut self,
        sheet: &Sheet,
        at: (usize, usize),
        path: &str,
        document_level: bool,
        index: usize,
    ) {
        let key = if document_level {
            path.to_string()
        } else {
            format!("projects[{index}].{path}")
        };
        self.doc
            .source
            .cells
            .entry(key)
            .or_insert_with(|| sheet.origin(at.0, at.1));
    }

    /// Normalizes extraction artifacts, with a warning naming the cell.
    pub(super) fn clean(&mut self, sheet: &Sheet, row: usize, col: usize, text: &str) -> String {
        let cleaned = clean_text(text);
        for change in &cleaned.changes {
            self.warnings.push(Warning::at(
                sheet.origin(row, col),
                format!("normalized: {change}"),
            ));
        }
        cleaned.text
    }

    /// Reads the indicator rows under the header; returns the last row read.
    fn read_indicators<'s>(
        &mut self,
        sheet: &'s Sheet,
        region: Region,
        spec: &IndicatorSpec,
        header: &Header,
        project: &mut Project,
        index: usize,
    ) -> usize {
        let sides: Vec<Option<Period>> = if spec.sides.is_empty() {
            vec![None]
        } else {
            spec.sides.iter().copied().map(Some).collect()
        };
        let mut lists: Vec<Vec<(Indicator, usize)>> = vec![Vec::new(); sides.len()];
        let mut level1: Option<String> = None;
        let mut level2: Vec<Option<String>> = vec![None; sides.len()];
        let mut last_row = header.row;
        // A blank class cell means "as above" where the table does not merge its class
        // cells (a CSV, or a clerk who never merges); where it does, blank is blank.
        let class_columns: Vec<usize> = spec
            .columns
            .iter()
            .zip(&header.columns)
            .filter(|(c, _)| c.field.is_class())
            .filter_map(|(_, at)| *at)
            .collect();
        // Only the merges that start in this table's rows, found through the sheet's
        // cell index rather than by scanning every merge of the sheet (quadratic when
        // thousands of projects are stacked on one sheet).
        let merges_classes = (header.row + 1..region.end_row).any(|r| {
            class_columns.iter().any(|&c| {
                sheet.merge_at(r, c).is_some_and(|m| {
                    m.first_row as usize == r
                        && m.first_col as usize == c
                        && m.last_row > m.first_row
                })
            })
        });
        let carries = |_col: usize| !merges_classes;
        // Value provenance by sheet row, in the order first read (re-keyed by indicator
        // index below, without touching the document's growing map for every value).
        let mut pending: IndexMap<(usize, Period), String> = IndexMap::new();
        // Each template column's side (中期/年度), parsed once per table.
        let column_sides: Vec<Option<Period>> = spec.columns.iter().map(|c| c.side).collect();
        // The trimmed text of each table column, read once per row (borrowed from the
        // sheet: a province's table has hundreds of thousands of cells).
        let trimmed = |cell: &'s Cell| match cell.shown() {
            Cow::Borrowed(t) => Cow::Borrowed(t.trim()),
            Cow::Owned(t) => Cow::Owned(t.trim().to_string()),
        };
        let mut row_texts: Vec<(usize, Cow<'s, str>)> = Vec::new();
        for row in header.row + 1..region.end_row {
            row_texts.clear();
            for &c in header.columns.iter().flatten() {
                if !row_texts.iter().any(|(k, _)| *k == c) {
                    row_texts.push((c, trimmed(sheet.value(row, c))));
                }
            }
            let text_at = |col: usize| match row_texts.iter().find(|(k, _)| *k == col) {
                Some((_, t)) => t.clone(),
                None => trimmed(sheet.value(row, col)),
            };
            let in_table = row_texts.iter().any(|(_, t)| !t.is_empty());
            if self.is_heading_row(sheet, row) {
                break;
            }
            if !in_table {
                let anything = (0..sheet.rows.get(row).map_or(0, Vec::len))
                    .any(|c| !sheet.raw(row, c).is_empty());
                if anything {
                    break;
                }
                continue;
            }
            last_row = row;
            let column = |field: IndicatorField, side: Option<Period>| -> Option<usize> {
                spec.columns
                    .iter()
                    .zip(&header.columns)
                    .zip(&column_sides)
                    .find_map(|((col, at), col_side)| {
                        let same_side = spec.sides.is_empty() || *col_side == side;
                        (col.field == field && same_side).then_some(*at).flatten()
                    })
            };
            if let Some(c) = column(IndicatorField::Level1, None)
                .or_else(|| column(IndicatorField::Level1, sides[0]))
            {
                let t = text_at(c);
                if t.is_empty() && !carries(c) {
                    level1 = None;
                    level2.iter_mut().for_each(|l| *l = None);
                } else if !t.is_empty() && Some(t.as_ref()) != level1.as_deref() {
                    level1 = Some(t.into_owned());
                    level2.iter_mut().for_each(|l| *l = None);
                }
            }
            for (s, side) in sides.iter().enumerate() {
                if let Some(c) = column(IndicatorField::Level2, *side) {
                    let t = text_at(c);
                    if !t.is_empty() {
                        level2[s] = Some(t.into_owned());
                    } else if !carries(c) {
                        level2[s] = None;
                    }
                }
                let Some(name_col) = column(IndicatorField::Name, *side) else {
                    continue;
                };
                let name = text_at(name_col);
                if name.is_empty() {
                    continue;
                }
                let mut ind = Indicator {
                    level1: level1.clone(),
                    level2: level2[s].clone(),
                    name: self.clean(sheet, row, name_col, &name),
                    ..Indicator::default()
                };
                for ((col, at), own_side) in
                    spec.columns.iter().zip(&header.columns).zip(&column_sides)
                {
                    let Some(c) = *at else { continue };
                    if !spec.sides.is_empty() && col.side.is_some() && *own_side != *side {
                        continue;
                    }
                    if !spec.sides.is_empty() && col.side.is_none() && s > 0 {
                        continue;
                    }
                    // The classes and the name are read above.
                    if col.field.is_class() || col.field == IndicatorField::Name {
                        continue;
                    }
                    let raw = text_at(c);
                    if raw.is_empty() {
                        continue;
                    }
                    let text = self.clean(sheet, row, c, &raw);
                    let period = col.value_period();
                    if col.field == IndicatorField::Value {
                        let Some(period) = period else { continue };
                        pending.insert((row, period), sheet.origin(row, c));
                    }
                    col.field.set(&mut ind, period, text);
                }
                lists[s].push((ind, row));
            }
        }
        // Sides list the same indicators: match by (level1, level2, name).
        let mut merged: Vec<(Indicator, usize)> = Vec::new();
        for list in lists {
            let mut taken = vec![false; merged.len()];
            for (ind, row) in list {
                let existing = merged.iter().enumerate().position(|(i, (m, _))| {
                    !taken[i]
                        && m.level1 == ind.level1
                        && m.level2 == ind.level2
                        && m.name == ind.name
                });
                match existing {
                    Some(i) => {
                        taken[i] = true;
                        for period in Period::ALL {
                            if let Some(v) = ind.values.get(period) {
                                merged[i].0.values.set(period, Some(v.clone()));
                            }
                        }
                    }
                    None => {
                        merged.push((ind, row));
                        taken.push(true);
                    }
                }
            }
        }
        // Provenance was keyed by sheet row; re-key it by indicator index. A value whose
        // row is not its indicator's (a side matched to another row) keeps its row key,
        // ahead of the re-keyed ones.
        let mut rekeyed = Vec::new();
        for (j, (_, row)) in merged.iter().enumerate() {
            for period in Period::ALL {
                if let Some(cell) = pending.shift_remove(&(*row, period)) {
                    rekeyed.push((
                        format!("projects[{index}].indicators[{j}].values.{}", period.key()),
                        cell,
                    ));
                }
            }
        }
        let cells = &mut self.doc.source.cells;
        for ((row, period), cell) in pending {
            cells.insert(
                format!(
                    "projects[{index}].indicators[@{row}].values.{}",
                    period.key()
                ),
                cell,
            );
        }
        cells.extend(rekeyed);
        project.indicators = merged.into_iter().map(|(i, _)| i).collect();
        last_row
    }
}

/// The label keys of a template's form, made once per read rather than per project.
struct FormKeys {
    /// Every form label's keys.
    labels: Vec<String>,
    /// The keys of labels that carry a value after themselves ("中期目标(2023年—2025年)").
    captures: Vec<String>,
    /// The byte length of the longest key in `labels`.
    longest: usize,
}

impl FormKeys {
    fn of(form: &[Placed]) -> FormKeys {
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

/// The indicator header row and the sheet column of each template column.
#[derive(Debug)]
pub(super) struct Header {
    pub(super) row: usize,
    pub(super) columns: Vec<Option<usize>>,
}

/// Finds the row holding the indicator column labels, and maps each column in order.
fn find_header(sheet: &Sheet, region: Region, spec: &IndicatorSpec) -> Option<Header> {
    let wanted: Vec<Vec<String>> = spec.columns.iter().map(|c| c.keys()).collect();
    find_header_row(sheet, region, &wanted)
}

/// Finds the row holding most of the wanted column labels (in order), and maps them.
pub(super) fn find_header_row(
    sheet: &Sheet,
    region: Region,
    wanted: &[Vec<String>],
) -> Option<Header> {
    let mut best: Option<(usize, Header)> = None;
    let longest = wanted.iter().flatten().map(String::len).max().unwrap_or(0);
    let mut row_keys: Vec<Option<String>> = Vec::new();
    for row in region.first_row..region.end_row {
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        // Each cell's key once per row, not once per wanted column; a text longer
        // than every label is no label.
        row_keys.clear();
        row_keys.extend((0..width).map(|c| label_key_within(&sheet.raw(row, c).shown(), longest)));
        let mut columns = Vec::with_capacity(wanted.len());
        let mut next = 0;
        let mut hits = 0;
        for keys in wanted {
            let at =
                (next..width).find(|&c| row_keys[c].as_ref().is_some_and(|k| keys.contains(k)));
            if let Some(c) = at {
                next = c + 1;
                hits += 1;
            }
            columns.push(at);
        }
        // The first two columns and most of the rest must be there.
        let enough = hits * 3 >= wanted.len() * 2 && columns.iter().take(2).all(Option::is_some);
        if enough && best.as_ref().is_none_or(|(h, _)| hits > *h) {
            best = Some((hits, Header { row, columns }));
            if hits == wanted.len() {
                break;
            }
        }
    }
    best.map(|(_, h)| h)
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

/// The first four-digit year followed by 年 ("2023年…" → 2023).
pub fn find_year(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().map(crate::text::fold_width).collect();
    chars.windows(5).find_map(|w| {
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// Non-empty text cells of a sheet as (row, col, text), in reading order.
fn cells(sheet: &Sheet) -> impl Iterator<Item = (usize, usize, &str)> + '_ {
    sheet.rows.iter().enumerate().flat_map(|(r, row)| {
        row.iter()
            .enumerate()
            .filter_map(move |(c, cell)| match cell {
                Cell::Text(t) if !t.trim().is_empty() => Some((r, c, t.as_str())),
                _ => None,
            })
    })
}

/// The first non-empty cell of a row, with its column.
fn first_text(sheet: &Sheet, row: usize) -> Option<(usize, String)> {
    let width = sheet.rows.get(row).map_or(0, Vec::len);
    (0..width).find_map(|c| {
        let t = sheet.raw(row, c).display();
        (!t.trim().is_empty()).then_some((c, t))
    })
}

/// A short line that does not end like a sentence is a heading: "一、总体绩效目标",
/// "（一）做好公积金归集工作", "第一部分".
fn is_heading(text: &str) -> bool {
    let t = text.trim();
    let sentence_end = t.ends_with(['。', '；', ';', '.', '：', ':']);
    t.chars().count() <= 30 && !sentence_end && !t.contains('：')
}

/// An amount from a cell: a number at its format's scale, or text such as "12,748.27".
pub(super) fn cell_money(cell: &Cell) -> Option<Money> {
    match cell {
        Cell::Number {
            value, decimals, ..
        } => Money::from_f64(*value, *decimals),
        other => Money::parse(&other.display()),
    }
}
