//! Grid → model: finds a template's tables in a workbook by their labels.
//!
//! Nothing here depends on fixed coordinates. A project starts at its first form label
//! ("项目名称"); each field is read next to (or below) its label; the indicator table
//! starts at the row holding its column labels. Blank cells that follow a label are
//! skipped when the file lost its merges (CSV), and blank class cells carry the class
//! from the row above, which is what a vertical merge means.

use crate::error::{Error, Result};
use crate::grid::{Cell, Sheet, Workbook};
use crate::model::{Document, Kind, Project};
use crate::parse::clean::clean_text;
use crate::text::{has_label_key, label_key, label_key_within};
use crate::warning::Warning;

use super::form::FormKeys;
use super::indicators::find_header;
use super::locate::{Region, cells, find_year};
use super::{Placed, Template};

/// A document read from a workbook, with what the reader noticed on the way.
#[derive(Debug, Clone)]
pub struct ReadResult {
    /// The document read.
    pub document: Document,
    /// What the reader noticed (normalized text, values kept in extras, …), each
    /// naming its cell.
    pub warnings: Vec<Warning>,
    /// The form prints no fiscal year; the document's was inferred from its dates.
    pub fiscal_year_inferred: bool,
}

/// Reads every table of the template's layout from every visible sheet.
pub fn read_workbook(book: &Workbook, template: &Template) -> Result<ReadResult> {
    read(book, template).map(|(read, _)| read)
}

/// [`read_workbook`], and whether sheets or stacked tables were read in runs, in parallel.
fn read(book: &Workbook, template: &Template) -> Result<(ReadResult, bool)> {
    let labels = template.label_keys();
    let form = template.placed_form();
    let mut reader = Reader {
        stated_unit: None,
        fiscal_year_inferred: false,
        template,
        first_index: 0,
        read_in_runs: false,
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
    let mut sheets = book.sheets.iter().filter(|s| !s.hidden);
    if let Some(first) = sheets.next() {
        reader.read_sheet(first);
    }
    reader.read_rest(&sheets.collect::<Vec<_>>());
    reader.settle_fiscal_year();
    reader.settle_money_unit();
    let has_overall = reader.doc.overall.as_ref().is_some_and(|o| !o.is_empty());
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
    let read = ReadResult {
        fiscal_year_inferred: reader.fiscal_year_inferred,
        document: reader.doc,
        warnings: reader.warnings,
    };
    Ok((read, reader.read_in_runs))
}

/// Below this many sheets after the first, reading them on several threads does not pay.
const PARALLEL_SHEETS: usize = 64;

/// Up to this many tables stacked on a sheet, reading them on several threads does not pay.
const PARALLEL_TABLES: usize = 64;

/// The project tables stacked on one sheet: where each starts (its start label's
/// cell), and how many of its form's rows stand above that label.
#[derive(Clone, Copy)]
struct Tables<'s> {
    sheet: &'s Sheet,
    starts: &'s [(usize, usize)],
    above: usize,
}

#[derive(Clone)]
pub(super) struct Reader<'t> {
    /// The money unit the workbook states, once found.
    pub(super) stated_unit: Option<&'static str>,
    fiscal_year_inferred: bool,
    pub(super) template: &'t Template,
    /// The document's index of the first project this reader reads: 0, or for a
    /// run of sheets read in parallel, a guess made before the runs before it are
    /// read (so that a right guess leaves the merge nothing to renumber).
    first_index: usize,
    /// Whether sheets or stacked tables were read in runs, in parallel.
    read_in_runs: bool,
    pub(super) doc: Document,
    pub(super) warnings: Vec<Warning>,
    /// Keys of every label the template knows: a value cell never holds one.
    pub(super) labels: Vec<String>,
    /// The byte length of the longest label key: a longer text is no label.
    pub(super) longest_label: usize,
    pub(super) form: Vec<Placed<'t>>,
    pub(super) form_keys: FormKeys,
    /// The fixed parts of the project heading and of the title lines, for
    /// [`Reader::is_heading_row`] (computed once, not once per row).
    heading_parts: HeadingParts,
}

/// The fixed (placeholder-free) parts of a template's heading and title patterns.
#[derive(Clone)]
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

/// A provenance key of a project's value: `projects[<index>]…` (see
/// [`Reader::note_origin`], [`Reader::read_project`], `settle_line_totals`).
fn project_key(key: &str) -> Option<(usize, &str)> {
    let rest = key.strip_prefix("projects[")?;
    let end = rest.find(']')?;
    Some((rest[..end].parse().ok()?, &rest[end..]))
}

impl<'t> Reader<'t> {
    /// Reads the sheets after the first, in order: serially, or — for a template
    /// read one project table per sheet, on a pool of several threads, with enough
    /// sheets — in one contiguous run of sheets per thread ([`Reader::in_runs`]).
    fn read_rest(&mut self, sheets: &[&Sheet]) {
        if sheets.len() >= PARALLEL_SHEETS
            && let Some(runs) = self.in_runs(sheets.len(), |run, range| {
                for sheet in &sheets[range] {
                    run.read_sheet(sheet);
                }
            })
        {
            for (run, ()) in runs {
                self.absorb(run);
            }
            self.read_in_runs = true;
            return;
        }
        for sheet in sheets {
            self.read_sheet(sheet);
        }
    }

    /// Reads `count` items (sheets, or the tables stacked on one sheet) in one
    /// contiguous run per thread, merged in order — on a pool of several threads, for
    /// a template read one project table at a time; `None` where that does not apply
    /// or a run changed the document, and the caller reads them serially.
    ///
    /// A run starts from the state the reader is in now, so it reads its items as the
    /// serial loop would only if the items before it left the document-wide state
    /// (title, year, department, unit, notes, extras, sections, units, the document's
    /// provenance, …) as it is now. Reading depends on the document only through that
    /// state and the project count (which the merge renumbers), so that is checked
    /// after the fact on every run. One project an item is guessed for the indices.
    fn in_runs<T: Send>(
        &self,
        count: usize,
        read: impl Fn(&mut Reader<'t>, std::ops::Range<usize>) -> T + Sync,
    ) -> Option<Vec<(Reader<'t>, T)>> {
        use rayon::prelude::*;
        let threads = rayon::current_num_threads();
        let table_at_a_time = self.template.list.is_none()
            && self.template.duties.is_none()
            && self.template.document_indicators().is_none();
        if threads <= 1 || !table_at_a_time || count == 0 {
            return None;
        }
        let start = self.run_start();
        let per_run = count.div_ceil(threads);
        let done = self.doc.projects.len();
        let runs: Vec<(Reader<'t>, T)> = (0..count)
            .step_by(per_run)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|first| {
                let mut run = Reader {
                    first_index: done + first,
                    ..start.clone()
                };
                let got = read(&mut run, first..count.min(first + per_run));
                (run, got)
            })
            .collect();
        runs.iter()
            .all(|(run, _)| run.same_document_wide(&start))
            .then_some(runs)
    }

    /// The state a run starts from: this one without its projects, their
    /// provenance and the warnings (what a run adds, the merge appends). A run's
    /// projects keep no `projects[…]` key of the projects before it, so its own
    /// first-wins inserts of them behave as the serial loop's.
    fn run_start(&self) -> Reader<'t> {
        let mut doc = self.doc.without_projects();
        // The document's own provenance stays: its keys are first-wins (`or_insert`).
        doc.source.cells = (self.doc.source.cells.iter())
            .filter(|(k, _)| project_key(k).is_none())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Reader {
            doc,
            warnings: Vec::new(),
            ..self.clone_without_document()
        }
    }

    /// The reader's own state with an empty document (not cloning the projects).
    fn clone_without_document(&self) -> Reader<'t> {
        Reader {
            stated_unit: self.stated_unit,
            fiscal_year_inferred: self.fiscal_year_inferred,
            template: self.template,
            first_index: self.first_index,
            read_in_runs: false,
            doc: Document::new(self.doc.kind),
            warnings: Vec::new(),
            labels: self.labels.clone(),
            longest_label: self.longest_label,
            form: self.form.clone(),
            form_keys: self.form_keys.clone(),
            heading_parts: self.heading_parts.clone(),
        }
    }

    /// Whether a run left everything but its projects, their provenance and its
    /// warnings as it found it (`start`): the document-wide part of the document
    /// ([`Document::without_projects`], which names every field of `Document`), the
    /// document's own provenance, the stated unit and the inferred-year flag.
    fn same_document_wide(&self, start: &Reader) -> bool {
        fn document_cells<'r>(
            reader: &'r Reader,
        ) -> impl Iterator<Item = (&'r String, &'r String)> {
            (reader.doc.source.cells.iter()).filter(|(k, _)| project_key(k).is_none())
        }
        self.stated_unit == start.stated_unit
            && self.fiscal_year_inferred == start.fiscal_year_inferred
            && self.doc.without_projects() == start.doc.without_projects()
            && document_cells(self).eq(document_cells(start))
    }

    /// Appends a run's projects, their provenance (renumbered after the projects
    /// before the run, in the run's order) and its warnings: what the serial loop
    /// would have added, given that the run changed nothing else.
    fn absorb(&mut self, run: Reader<'t>) {
        let before = self.doc.projects.len();
        let cells = &mut self.doc.source.cells;
        cells.reserve(run.doc.source.cells.len());
        for (key, cell) in run.doc.source.cells {
            match project_key(&key) {
                Some(_) if run.first_index == before => {
                    cells.insert(key, cell);
                }
                Some((i, rest)) => {
                    let key = format!("projects[{}{rest}", i - run.first_index + before);
                    cells.insert(key, cell);
                }
                None => {}
            }
        }
        self.doc.projects.extend(run.doc.projects);
        self.warnings.extend(run.warnings);
    }

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

    /// The money unit: the one the workbook states (a form label "项目资金（元）", a
    /// line "单位：万元", a note "本表金额单位为元"), else the template's.
    fn settle_money_unit(&mut self) {
        let noted = || {
            let notes = self.doc.notes.iter();
            let project_notes = self.doc.projects.iter().flat_map(|p| &p.notes);
            notes
                .chain(project_notes)
                .find_map(|n| crate::units::stated_unit(n))
        };
        let unit = self
            .stated_unit
            .or_else(noted)
            .unwrap_or(self.template.money_unit.as_str());
        self.doc.money_unit = unit.to_string();
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

    /// A duties table, and the department's indicator table after it where the
    /// template has one (宁德): the duty rows end where the indicator header starts,
    /// what stands between the two is the document's notes, and the footer follows
    /// the last table.
    fn read_duties_and_indicators(&mut self, sheet: &Sheet, spec: &super::DutiesSpec) {
        let whole = Region {
            first_row: 0,
            end_row: sheet.height(),
        };
        let indicators = self
            .template
            .document_indicators()
            .and_then(|spec| find_header(sheet, whole, spec).map(|h| (spec, h)));
        let limit = indicators.as_ref().map_or(sheet.height(), |(_, h)| h.row);
        let Some(end) = self.read_duties(sheet, spec, limit) else {
            return;
        };
        match indicators {
            Some((spec, header)) if header.row >= end => {
                self.read_document_footer(sheet, end, header.row);
                self.read_document_indicator_rows(sheet, spec, header);
            }
            _ => self.read_document_footer(sheet, end, sheet.height()),
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
            return self.read_duties_and_indicators(sheet, spec);
        }
        if let Some(spec) = self.template.document_indicators() {
            return self.read_document_indicators(sheet, spec);
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
        let previous_end = self.read_sections(sheet, starts.first().map(|s| s.0));
        let tables = Tables {
            sheet,
            starts: &starts,
            above,
        };
        if starts.len() > PARALLEL_TABLES {
            self.read_tables_after_first(&tables, previous_end);
        } else {
            self.read_tables(&tables, 0..starts.len(), previous_end);
        }
    }

    /// Reads the stacked tables `range` of a sheet, the first after a table (or the
    /// sections) that ended at `previous_end`; returns where the last one ends.
    fn read_tables(
        &mut self,
        tables: &Tables,
        range: std::ops::Range<usize>,
        mut previous_end: usize,
    ) -> usize {
        let Tables {
            sheet,
            starts,
            above,
        } = *tables;
        for i in range {
            let first_row = starts[i].0.saturating_sub(above).max(previous_end);
            let end_row = starts.get(i + 1).map_or(sheet.height(), |s| {
                s.0.saturating_sub(above).max(first_row + 1)
            });
            self.read_title(sheet, previous_end, first_row);
            let region = Region { first_row, end_row };
            previous_end = self.read_project(sheet, region);
        }
        previous_end
    }

    /// A province's stacked sheet holds thousands of tables: the first is read here,
    /// as it sets the document-wide state (title, year, department), and the rest in
    /// runs ([`Reader::in_runs`]). A run after the first starts as if the table before
    /// it ended on the row its own table starts; the runs are kept only where the
    /// table before did end there, or above it on rows the serial loop reads nothing
    /// from (blank rows, a heading line); if not, every table after the first is read
    /// serially here.
    fn read_tables_after_first(&mut self, tables: &Tables, previous_end: usize) {
        let Tables { sheet, starts, .. } = *tables;
        let previous_end = self.read_tables(tables, 0..1, previous_end);
        let rest = 1..starts.len();
        let guess = |first: usize| match first {
            1 => previous_end,
            _ => starts[first].0.saturating_sub(tables.above),
        };
        let runs = self.in_runs(rest.len(), |run, range| {
            let range = range.start + 1..range.end + 1;
            let start = guess(range.start);
            (start, run.read_tables(tables, range, start))
        });
        // Where a run guessed wrong, the serial loop reads the rows between the table
        // before and its own first as a title's: kept only if that reads nothing.
        let kept = runs.filter(|runs| {
            let start = self.run_start();
            let reads_nothing = |from: usize, to: usize| {
                let mut seam = start.clone();
                seam.read_title(sheet, from, to);
                seam.warnings.is_empty() && seam.same_document_wide(&start)
            };
            runs.windows(2).all(|pair| {
                let (ended, guessed) = (pair[0].1.1, pair[1].1.0);
                ended <= guessed && reads_nothing(ended, guessed)
            })
        });
        match kept {
            Some(runs) => {
                for (run, _) in runs {
                    self.absorb(run);
                }
                self.read_in_runs = true;
            }
            None => {
                self.read_tables(tables, rest, previous_end);
            }
        }
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
        // Lines above the title ("附件2") are kept as the document's notes.
        if let Some((title_row, _, _)) = title {
            for (r, c, text) in texts.iter().filter(|(r, _, _)| r < title_row) {
                let known = self.is_label(text) || self.is_heading_row(sheet, *r);
                if !known && !self.doc.notes.contains(text) {
                    let note = self.clean(sheet, *r, *c, text);
                    self.doc.notes.push(note);
                }
            }
        }
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

    /// The head of a sheet that holds one table for the document (a list, the
    /// document's indicators): the row of the table's column labels, with the title
    /// and the form above it read once for the document.
    pub(super) fn read_table_head(
        &mut self,
        sheet: &Sheet,
        wanted: &[Vec<String>],
    ) -> Option<super::locate::Header> {
        let whole = Region {
            first_row: 0,
            end_row: sheet.height(),
        };
        let header = super::locate::find_header_row(sheet, whole, wanted)?;
        self.read_title(sheet, 0, header.row);
        let above = Region {
            first_row: 0,
            end_row: header.row,
        };
        self.read_form(sheet, above, &mut Project::default(), 0);
        Some(header)
    }

    /// Reads one project's form and indicator table; returns the row after its last.
    fn read_project(&mut self, sheet: &Sheet, region: Region) -> usize {
        let index = self.first_index + self.doc.projects.len();
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
            let owner = format!("projects[{index}]");
            last_row = self.read_indicators(sheet, region, spec, &header, &mut project, &owner);
            // What the project prints under its table: notes and signature slots.
            let (notes, signatures, end) = self.read_footer(sheet, last_row + 1, region.end_row);
            project.notes.extend(notes);
            project.signatures.extend(signatures);
            last_row = last_row.max(end.saturating_sub(1));
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

    /// Records the cell a value came from under its model path (the first wins).
    pub(super) fn note_origin(
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{Format, ReadOptions, WriteOptions};

    /// A luan workbook of a fixture's projects repeated to `n`, one sheet each.
    fn many_sheets(file: &str, n: usize) -> Workbook {
        many_projects(file, n, "luan")
    }

    /// A workbook in a layout of a fixture's projects repeated to `n`.
    fn many_projects(file: &str, n: usize, layout: &str) -> Workbook {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(file);
        let mut doc = crate::convert::load(&path, &ReadOptions::default())
            .unwrap()
            .document;
        let base = std::mem::take(&mut doc.projects);
        doc.projects = (0..n)
            .map(|i| Project {
                name: format!("{:05}{}", i + 1, base[i % base.len()].name),
                ..base[i % base.len()].clone()
            })
            .collect();
        let options = WriteOptions {
            format: Format::Xlsx,
            template: Some(Template::builtin(layout).unwrap()),
            embed: false,
            csv_encoding: Default::default(),
        };
        let out = crate::convert::render_outputs(&doc, &options).unwrap();
        crate::read::read_bytes("many.xlsx", &out.outputs[0].bytes).unwrap()
    }

    /// The parallel path is taken where it should be (tests/parallel.rs checks that
    /// it reads what the serial one does), and not on one thread.
    #[test]
    fn one_table_per_sheet_is_read_in_parallel_on_several_threads_only() {
        let luan = Template::builtin("luan").unwrap();
        for file in ["luan_2023.xlsx", "guangzhou.xlsx"] {
            let book = many_sheets(file, 100);
            assert!(on(2, &book, &luan).1, "{file}: read serially on 2 threads");
            assert!(
                !on(1, &book, &luan).1,
                "{file}: read in parallel on 1 thread"
            );
        }
        // Too few sheets to pay.
        let book = many_sheets("luan_2023.xlsx", PARALLEL_SHEETS);
        assert!(!on(2, &book, &luan).1);
    }

    /// A later sheet that changes the document (a department's form is last-wins):
    /// where the next sheets change it back, a run ends as it started and is kept;
    /// the last sheet's change sends the read down the serial path.
    #[test]
    fn a_sheet_that_changes_the_document_is_read_as_the_serial_path_reads_it() {
        let luan = Template::builtin("luan").unwrap();
        let name = |d: &Document| d.department.as_ref().map(|d| d.name.clone());
        for (sheet, kept, department) in [
            (80, true, "六安市住房公积金中心"),
            (99, false, "另一个中心"),
        ] {
            let mut book = many_sheets("luan_2023.xlsx", 100);
            book.sheets[sheet].rows[3][2] = Cell::Text("[080]另一个中心".into());
            let ((serial, _), (parallel, was_parallel)) =
                (on(1, &book, &luan), on(2, &book, &luan));
            assert_eq!(was_parallel, kept, "sheet {sheet}");
            assert_eq!(serial.document, parallel.document, "sheet {sheet}");
            assert_eq!(serial.warnings, parallel.warnings, "sheet {sheet}");
            assert_eq!(name(&serial.document).as_deref(), Some(department));
        }
    }

    /// A sheet without a project table: the runs after it guessed their projects'
    /// indices one too high, and the merge renumbers their provenance.
    #[test]
    fn a_sheet_without_a_project_shifts_the_indices_of_the_runs_after_it() {
        let luan = Template::builtin("luan").unwrap();
        let mut book = many_sheets("luan_2023.xlsx", 100);
        book.sheets[30].rows[2][0] = Cell::Empty;
        let ((serial, _), (parallel, was_parallel)) = (on(1, &book, &luan), on(4, &book, &luan));
        assert!(was_parallel);
        assert_eq!(serial.document.projects.len(), 99);
        assert_eq!(serial.document, parallel.document);
        assert_eq!(serial.warnings, parallel.warnings);
        let key = "projects[98].name";
        assert!(serial.document.source.cells.contains_key(key));
    }

    /// Reads a workbook on a pool of `threads`: the result, and whether runs were kept.
    fn on(threads: usize, book: &Workbook, template: &Template) -> (ReadResult, bool) {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
        pool.build()
            .unwrap()
            .install(|| read(book, template).unwrap())
    }

    /// The sheet of tangshan's stacked tables (after its sheet of text sections,
    /// where the document has them), and the rows of their heading lines.
    fn table_rows(book: &Workbook) -> (usize, Vec<usize>) {
        let heading_rows = |sheet: &Sheet| -> Vec<usize> {
            (0..sheet.height())
                .filter(|&r| sheet.raw(r, 0).display().ends_with("绩效目标表"))
                .collect()
        };
        let i = book.sheets.len() - 1;
        (i, heading_rows(&book.sheets[i]))
    }

    fn put_note(sheet: &mut Sheet, row: usize) {
        let cells = &mut sheet.rows[row];
        if cells.is_empty() {
            cells.push(Cell::Empty);
        }
        cells[0] = Cell::Text("注：本表金额单位为万元".into());
    }

    /// Tables stacked on one sheet are read in runs on several threads (past
    /// PARALLEL_TABLES of them), as the serial loop reads them.
    #[test]
    fn stacked_tables_are_read_in_runs_as_the_serial_loop_reads_them() {
        let tangshan = Template::builtin("tangshan").unwrap();
        let book = many_projects("tangshan_2025.xlsx", 200, "tangshan");
        assert_eq!(table_rows(&book).1.len(), 200);
        let ((serial, in_runs_1), (parallel, in_runs_2)) =
            (on(1, &book, &tangshan), on(2, &book, &tangshan));
        assert!(!in_runs_1 && in_runs_2);
        assert_eq!(serial.document.projects.len(), 200);
        assert_eq!(serial.document, parallel.document);
        assert_eq!(serial.warnings, parallel.warnings);
        let (three, in_runs_3) = on(3, &book, &tangshan);
        assert!(in_runs_3);
        assert_eq!(serial.document, three.document);
        // Too few tables to pay.
        let book = many_projects("tangshan_2025.xlsx", PARALLEL_TABLES, "tangshan");
        assert!(!on(2, &book, &tangshan).1);
    }

    /// guangzhou's projects stacked in tangshan's form: the first table names no
    /// year and the second does, so every run changes the document — the tables are
    /// read serially, and the year is the serial loop's.
    #[test]
    fn a_later_table_that_changes_the_document_sends_the_read_down_the_serial_path() {
        let tangshan = Template::builtin("tangshan").unwrap();
        let book = many_projects("guangzhou.xlsx", 200, "tangshan");
        let ((serial, _), (parallel, in_runs)) = (on(1, &book, &tangshan), on(2, &book, &tangshan));
        assert!(!in_runs);
        assert_eq!(serial.document.projects.len(), 200);
        assert_eq!(serial.document, parallel.document);
        assert_eq!(serial.warnings, parallel.warnings);
        assert_eq!(parallel.document.fiscal_year, Some(2020));
    }

    /// A run's guess of where the table before it ended can be wrong and still hold:
    /// a note line under the last table of a run is that table's, so the table ends
    /// a row later than guessed, on the heading line above the next table, which the
    /// serial loop reads as nothing. Inside a run the same line is read alike.
    #[test]
    fn a_note_under_the_last_table_of_a_run_keeps_the_runs() {
        let tangshan = Template::builtin("tangshan").unwrap();
        for seam in [true, false] {
            let mut book = many_projects("tangshan_2025.xlsx", 200, "tangshan");
            let (sheet, rows) = table_rows(&book);
            // On 2 threads the second run starts with table 101 (the first is read
            // first; the 199 others split in two).
            let table = if seam { 1 + 199usize.div_ceil(2) } else { 50 };
            let gap = rows[table] - 1;
            assert!(book.sheets[sheet].raw(gap, 0).display().is_empty());
            put_note(&mut book.sheets[sheet], gap);
            let ((serial, _), (parallel, in_runs)) =
                (on(1, &book, &tangshan), on(2, &book, &tangshan));
            assert!(in_runs, "seam {seam}");
            assert_eq!(serial.document, parallel.document, "seam {seam}");
            assert_eq!(serial.warnings, parallel.warnings, "seam {seam}");
            let noted = &serial.document.projects[table - 1].notes;
            assert!(noted.iter().any(|n| n.contains("本表金额")), "seam {seam}");
        }
    }
}
