//! Model → rendered form: lays a document out on a template's grid.

use crate::error::{Error, Result};
use crate::model::{Document, Project};
use crate::render::{Content, RenderedSheet, RenderedWorkbook, Style};

use super::field::FieldKind;
use super::order::{IndicatorRow, indicator_rows};
use super::pattern::{Pattern, Slot};
use super::{Arrangement, IndicatorField, IndicatorSpec, Template};

/// Renders a document in a template's layout. The caller decides about embedding.
pub fn render(doc: &Document, template: &Template) -> Result<RenderedWorkbook> {
    check_fits(doc, template)?;
    let mut book = RenderedWorkbook::default();
    if let Some(spec) = &template.sections
        && let Some(overall) = doc.overall.as_ref().filter(|o| !o.sections.is_empty())
    {
        let mut sheet = new_sheet(template, spec.sheet_name.clone());
        sheet.repeat_rows = None;
        let mut row = 0;
        for section in &overall.sections {
            let lines = std::iter::once(section.heading.as_str())
                .filter(|h| !h.is_empty())
                .chain(section.text.split('\n').filter(|l| !l.is_empty()));
            for line in lines {
                sheet.put(
                    row,
                    0,
                    1,
                    template.columns,
                    Content::text(line),
                    Style::Note,
                );
                row += 1;
            }
        }
        book.sheets.push(sheet);
    }
    match template.arrangement {
        Arrangement::SheetPerProject => {
            for (i, project) in doc.projects.iter().enumerate() {
                let mut sheet = new_sheet(template, sheet_name(template, doc, project, i));
                let row = render_title(&mut sheet, doc, template);
                render_project(&mut sheet, row, doc, project, template);
                book.sheets.push(sheet);
            }
        }
        Arrangement::Stacked if !doc.projects.is_empty() => {
            let name = fixed_sheet_name(template, doc);
            let mut sheet = new_sheet(template, name);
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
                row = render_project(&mut sheet, row, doc, project, template) + 1;
            }
            book.sheets.push(sheet);
        }
        Arrangement::Stacked => {}
        Arrangement::Table => {
            let name = fixed_sheet_name(template, doc);
            let mut sheet = new_sheet(template, name);
            let row = render_title(&mut sheet, doc, template);
            let row = render_form(&mut sheet, row, doc, &Project::default(), template);
            let header_end = row.saturating_sub(1);
            if let Some(spec) = &template.list {
                super::list::render_list(&mut sheet, row, doc, spec);
                sheet.repeat_rows = Some((0, row));
            } else if let Some(spec) = &template.duties {
                super::duties::render_duties(&mut sheet, row, doc, spec);
                sheet.repeat_rows = Some((0, header_end));
            }
            book.sheets.push(sheet);
        }
    }
    Ok(book)
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

/// A template cell's `style`, or the default for its kind.
fn cell_style(style: Option<super::CellStyle>, default: Style) -> Style {
    style.map_or(default, super::CellStyle::style)
}

/// Lays out the form from `row`; returns the row after it.
fn render_form(
    sheet: &mut RenderedSheet,
    row: u32,
    doc: &Document,
    project: &Project,
    t: &Template,
) -> u32 {
    let repeats = project.funding.expenses.len().max(1) as u32;
    let form = t.layout_form(repeats);
    for placed in &form {
        let (r, c) = (row + placed.row, placed.col);
        let cell = placed.cell;
        if let Some(label) = &cell.label {
            let shown = match cell.capture_field().and_then(|f| f.get(doc, project)) {
                Some(v) => cell.formatted(&v),
                None => label.clone(),
            };
            let style = cell_style(cell.style, Style::Label);
            sheet.put(r, c, placed.rows, cell.cols, Content::text(&shown), style);
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

/// Lays out one project's form and indicators from `row`; returns the last row used.
fn render_project(
    sheet: &mut RenderedSheet,
    row: u32,
    doc: &Document,
    project: &Project,
    t: &Template,
) -> u32 {
    let next = render_form(sheet, row, doc, project, t);
    match &t.indicators {
        Some(spec) => render_indicators(sheet, next, project, spec),
        None => next.saturating_sub(1),
    }
}

fn render_indicators(
    sheet: &mut RenderedSheet,
    header_row: u32,
    project: &Project,
    spec: &IndicatorSpec,
) -> u32 {
    let rows = indicator_rows(project, spec);
    let n = rows.len() as u32;
    let mut col = 0;
    if let Some(caption) = &spec.caption {
        sheet.put(
            header_row,
            0,
            n + 1,
            1,
            Content::text(&caption.clone()),
            Style::Label,
        );
        col = 1;
    }
    let first = header_row + 1;
    for column in &spec.columns {
        sheet.put(
            header_row,
            col,
            1,
            column.cols,
            Content::text(&column.label.clone()),
            Style::Label,
        );
        match column.field {
            // Class columns merge vertically over each run of equal classes.
            IndicatorField::Level1 | IndicatorField::Level2 => {
                let by_level1 = column.field == IndicatorField::Level1;
                let key = |r: &IndicatorRow<'_>| -> (Option<String>, Option<String>) {
                    let l2 = if by_level1 {
                        None
                    } else {
                        r.level2.map(str::to_string)
                    };
                    (r.level1.map(str::to_string), l2)
                };
                let mut i = 0;
                while i < rows.len() {
                    let k = key(&rows[i]);
                    let mut j = i + 1;
                    while j < rows.len() && key(&rows[j]) == k && k.0.is_some() {
                        j += 1;
                    }
                    let shown = if by_level1 { k.0 } else { k.1 };
                    sheet.put(
                        first + i as u32,
                        col,
                        (j - i) as u32,
                        column.cols,
                        Content::text(&shown.unwrap_or_default()),
                        Style::Label,
                    );
                    i = j;
                }
            }
            field => {
                for (i, r) in rows.iter().enumerate() {
                    let content = r
                        .indicator
                        .and_then(|ind| field.get(ind, column.value_period()));
                    let style = if field == IndicatorField::Value {
                        Style::Value
                    } else {
                        Style::Text
                    };
                    sheet.put(
                        first + i as u32,
                        col,
                        1,
                        column.cols,
                        Content::text(&content.unwrap_or_default()),
                        style,
                    );
                }
            }
        }
        col += column.cols;
    }
    header_row + n
}

/// Refuses a document that has nothing the layout can hold, naming the layouts that can.
fn check_fits(doc: &Document, template: &Template) -> Result<()> {
    let holds = template.holds();
    let duties = doc.overall.as_ref().map_or(0, |o| o.duties.len());
    let sections = doc.overall.as_ref().map_or(0, |o| o.sections.len());
    let projects = doc.projects.len();
    let fits = (projects > 0 && holds.projects)
        || (duties > 0 && (holds.duties || holds.sections))
        || (sections > 0 && holds.sections);
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
            layouts(|h| h.sections)
        ));
    }
    let what = match (holds.projects, holds.duties, holds.sections) {
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
