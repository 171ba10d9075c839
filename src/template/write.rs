//! Model → rendered form: lays a document out on a template's grid.

use crate::error::{Error, Result};
use crate::model::{Document, Period, Project};
use crate::render::{Content, RenderedSheet, RenderedWorkbook, Style};

use super::footer::render_footer;
use super::form::render_form;
use super::indicators::{Band, render_indicators};
use super::pattern::{Pattern, Slot};
use super::sections::render_sections;
use super::{Arrangement, Template};

/// Renders a document in a template's layout. The caller decides about embedding.
pub fn render(doc: &Document, template: &Template) -> Result<RenderedWorkbook> {
    let sheets = FormSheets::new(doc, template)?;
    Ok(RenderedWorkbook {
        sheets: (0..sheets.len()).map(|i| sheets.render(i)).collect(),
        embedded_json: None,
    })
}

/// The sheets a document becomes in a layout, each rendered on demand: the xlsx writer
/// renders a province's thousands of sheets where it writes them, each on the thread
/// that writes it, and never holds them all at once.
pub struct FormSheets<'a> {
    doc: &'a Document,
    template: &'a Template,
    // The same for every project: worked out once, not per table.
    bands: Vec<Band>,
    line_totals: Vec<Period>,
    /// Whether the first sheet holds the department's text sections.
    sections: bool,
    /// How many sheets the arrangement lays the document on.
    tables: usize,
}

impl<'a> FormSheets<'a> {
    /// Fails if the layout holds none of what the document carries.
    pub fn new(doc: &'a Document, template: &'a Template) -> Result<FormSheets<'a>> {
        check_fits(doc, template)?;
        let sections = template.sections.is_some()
            && doc.overall.as_ref().is_some_and(|o| !o.sections.is_empty());
        let tables = match template.arrangement {
            Arrangement::SheetPerProject => doc.projects.len(),
            Arrangement::Stacked => usize::from(!doc.projects.is_empty()),
            Arrangement::Table => 1,
        };
        Ok(FormSheets {
            doc,
            template,
            bands: template.bands(),
            line_totals: template.line_totals(),
            sections,
            tables,
        })
    }

    pub fn len(&self) -> usize {
        usize::from(self.sections) + self.tables
    }

    /// The names the sheets ask for, in order.
    pub fn names(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.name(i)).collect()
    }

    /// The name sheet `i` asks for (the writer makes the names valid and unique).
    pub fn name(&self, i: usize) -> String {
        let (doc, template) = (self.doc, self.template);
        match (self.table(i), &template.sections) {
            (None, Some(spec)) => spec.sheet_name.clone(),
            (Some(t), _) if template.arrangement == Arrangement::SheetPerProject => {
                sheet_name(template, doc, &doc.projects[t], t)
            }
            _ => fixed_sheet_name(template, doc),
        }
    }

    /// Sheet `i` (below [`FormSheets::len`]).
    pub fn render(&self, i: usize) -> RenderedSheet {
        let (doc, template) = (self.doc, self.template);
        let table = self.table(i);
        if let (Some(t), Arrangement::SheetPerProject) = (table, &template.arrangement) {
            return self.render_taken(i, &doc.projects[t]);
        }
        let forms = (template, &self.bands[..], &self.line_totals[..]);
        let mut sheet = new_sheet(template, self.name(i));
        match (table, &template.arrangement) {
            (None, _) => {
                if let Some(overall) = &doc.overall {
                    sheet.repeat_rows = None;
                    render_sections(&mut sheet, &overall.sections, template.columns);
                }
            }
            (Some(_), Arrangement::Stacked) => {
                let mut row = render_title(&mut sheet, doc, template);
                for (i, project) in doc.projects.iter().enumerate() {
                    row += template.project.gap;
                    if let Some(heading) = &template.project.heading {
                        let line = fill_project(heading, doc, project, i);
                        sheet.put(
                            row,
                            0,
                            1,
                            template.columns,
                            Content::text(&line),
                            Style::Note,
                        );
                        row += 1;
                    }
                    row = render_project(&mut sheet, row, doc, project, forms) + 1;
                }
            }
            // A table for the whole document (a sheet per project returned above).
            (Some(_), _) => render_table(&mut sheet, doc, forms),
        }
        sheet
    }

    /// The same sheets (of the same `template`, passed again so that the document these
    /// were made over can be moved) over `head`, the document with its projects taken
    /// out, for [`FormSheets::render_taken`]: each project can then be freed as soon as
    /// its sheet is rendered.
    pub fn over<'b>(&self, head: &'b Document, template: &'b Template) -> FormSheets<'b> {
        FormSheets {
            doc: head,
            template,
            bands: self.bands.clone(),
            line_totals: self.line_totals.clone(),
            sections: self.sections,
            tables: self.tables,
        }
    }

    /// Whether each table is one project's sheet (what [`FormSheets::render_taken`] renders).
    pub fn sheet_per_project(&self) -> bool {
        self.template.arrangement == Arrangement::SheetPerProject
    }

    /// Sheet `i` of a layout with a sheet per project, for `project` (the one it is for,
    /// taken out of the document).
    pub fn render_taken(&self, i: usize, project: &Project) -> RenderedSheet {
        let (doc, template) = (self.doc, self.template);
        let table = self.table(i).unwrap_or_default();
        let mut sheet = new_sheet(template, sheet_name(template, doc, project, table));
        let row = render_title(&mut sheet, doc, template);
        let forms = (template, &self.bands[..], &self.line_totals[..]);
        render_project(&mut sheet, row, doc, project, forms);
        sheet
    }

    /// Which of the arrangement's sheets sheet `i` is; None for the sections sheet.
    fn table(&self, i: usize) -> Option<usize> {
        if self.sections {
            i.checked_sub(1)
        } else {
            Some(i)
        }
    }
}

/// A layout that is one table for the whole document: the department's form, its
/// list or duties, its own indicators and the footer.
fn render_table(
    sheet: &mut RenderedSheet,
    doc: &Document,
    (template, bands, line_totals): (&Template, &[Band], &[Period]),
) {
    let row = render_title(sheet, doc, template);
    let holder = Project::default();
    let row = render_form(sheet, row, doc, &holder, (template, bands, line_totals));
    let header_end = row.saturating_sub(1);
    let mut last = row;
    if let Some(spec) = &template.list {
        last = super::list::render_list(sheet, row, doc, spec);
        sheet.repeat_rows = Some((0, row));
    } else if let Some(spec) = &template.duties {
        last = super::duties::render_duties(sheet, row, doc, spec, template);
        sheet.repeat_rows = Some((0, header_end));
    }
    if let Some(spec) = template.document_indicators() {
        // The document's own indicators, laid out as a project's would be;
        // after a duties table, on the row below it.
        let header = if template.duties.is_some() {
            last + 1
        } else {
            sheet.repeat_rows = Some((0, row));
            row
        };
        let holder = Project {
            indicators: doc
                .overall
                .as_ref()
                .map(|o| o.indicators.clone())
                .unwrap_or_default(),
            ..Project::default()
        };
        last = render_indicators(sheet, header, &holder, spec, bands);
    }
    if let Some(spec) = &template.footer {
        let (notes, signatures) = (&doc.notes, &doc.signatures);
        render_footer(sheet, last + 1, template.columns, spec, notes, signatures);
    }
}

fn new_sheet(template: &Template, name: String) -> RenderedSheet {
    let subtitle_rows = u32::from(template.title.subtitle.is_some());
    RenderedSheet {
        name,
        cells: Vec::new(),
        columns: template.columns,
        column_widths: (0..template.columns as usize)
            .map(|c| template.column_widths.get(c).copied().filter(|w| *w > 0.0))
            .collect(),
        repeat_rows: Some((0, subtitle_rows)),
        landscape: template.landscape,
    }
}

/// Fills a pattern of project fields (`{no}` is the project's number from 1).
fn fill_project(pattern: &Pattern, doc: &Document, project: &Project, index: usize) -> String {
    pattern.fill(|slot| match slot {
        Slot::Number => (index + 1).to_string(),
        Slot::Field(f) => f.get(doc, project).unwrap_or_default(),
        Slot::Own => String::new(),
    })
}

/// The name of the one sheet of a stacked or table layout.
fn fixed_sheet_name(template: &Template, doc: &Document) -> String {
    match &template.sheet_name {
        Some(pattern) => fill_project(pattern, doc, &Project::default(), 0),
        None => template.name.clone(),
    }
}

fn sheet_name(template: &Template, doc: &Document, project: &Project, index: usize) -> String {
    let name = match &template.sheet_name {
        Some(pattern) => fill_project(pattern, doc, project, index),
        None => project.name.clone(),
    };
    if name.trim().is_empty() {
        format!("项目{}", index + 1)
    } else {
        name
    }
}

/// The title as the template prints it for a document.
pub fn title_text(pattern: &Pattern, doc: &Document) -> String {
    super::title::render(pattern, doc)
}

/// The title (and subtitle) rows at the top of a sheet; returns the next free row.
fn render_title(sheet: &mut RenderedSheet, doc: &Document, t: &Template) -> u32 {
    // A published title that fits the pattern (and names the same year) is kept as
    // published: "…整体绩效目标表（10）" keeps its table number.
    let published = doc.title.as_deref().filter(|p| {
        super::title::matches(&t.title.text, p).is_some_and(|parts| {
            parts.fiscal_year.is_none() || parts.fiscal_year == doc.fiscal_year
        })
    });
    let title =
        Content::text(&published.map_or_else(|| title_text(&t.title.text, doc), str::to_string));
    sheet.put(0, 0, 1, t.columns, title, Style::Title);
    match &t.title.subtitle {
        Some(sub) => {
            let subtitle = Content::text(&title_text(sub, doc));
            sheet.put(1, 0, 1, t.columns, subtitle, Style::Subtitle);
            2
        }
        None => 1,
    }
}

/// Lays out one project's form and indicators from `row`; returns the last row used.
fn render_project(
    sheet: &mut RenderedSheet,
    row: u32,
    doc: &Document,
    project: &Project,
    (t, bands, line_totals): (&Template, &[Band], &[Period]),
) -> u32 {
    let next = render_form(sheet, row, doc, project, (t, bands, line_totals));
    let last = match &t.indicators {
        Some(spec) => render_indicators(sheet, next, project, spec, bands),
        None => next.saturating_sub(1),
    };
    match &t.footer {
        Some(spec) => {
            let (notes, signatures) = (&project.notes, &project.signatures);
            render_footer(sheet, last + 1, t.columns, spec, notes, signatures) - 1
        }
        None => last,
    }
}

/// Refuses a document that has nothing the layout can hold, naming the layouts that can.
fn check_fits(doc: &Document, template: &Template) -> Result<()> {
    let holds = template.holds();
    let duties = doc.overall.as_ref().map_or(0, |o| o.duties.len());
    let sections = doc.overall.as_ref().map_or(0, |o| o.sections.len());
    let indicators = doc.overall.as_ref().map_or(0, |o| o.indicators.len());
    let projects = doc.projects.len();
    let fits = (projects > 0 && holds.projects)
        || (duties > 0 && (holds.duties || holds.sections))
        || (sections > 0 && (holds.sections || holds.section_cells))
        || (indicators > 0 && holds.indicators);
    if fits {
        return Ok(());
    }
    let layouts = |want: fn(&super::Holds) -> bool| {
        Template::builtins()
            .iter()
            .filter(|t| want(&t.holds()))
            .map(|t| t.id.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut has = Vec::new();
    if projects > 0 {
        has.push(format!(
            "{projects} project table(s) (layouts for projects: {})",
            layouts(|h| h.projects)
        ));
    }
    if duties > 0 {
        has.push(format!(
            "{duties} department duty(ies) (layouts for duties: {})",
            layouts(|h| h.duties || h.sections)
        ));
    }
    if sections > 0 {
        has.push(format!(
            "department text in {sections} section(s) (layouts for it: {})",
            layouts(|h| h.sections || h.section_cells)
        ));
    }
    if indicators > 0 {
        has.push(format!(
            "{indicators} department-level indicator(s) (layouts for them: {})",
            layouts(|h| h.indicators)
        ));
    }
    let what = match (holds.projects, holds.duties, holds.sections) {
        _ if holds.indicators => "department-level indicators",
        (true, _, true) => "project tables and department text",
        (true, _, _) => "project tables",
        (_, true, _) => "department duties",
        _ => "department text",
    };
    Err(Error::Unsupported {
        message: format!(
            "layout {} holds {what}, but the document has {}",
            template.id,
            if has.is_empty() {
                "nothing to write".to_string()
            } else {
                has.join(" and ")
            }
        ),
    })
}
