//! The flat project list (guangzhou): a 合计 row, each unit's subtotal row followed by
//! its projects, indicators as numbered text in one cell.

use serde::Deserialize;

use crate::grid::Sheet;
use crate::model::{Amounts, Document, Indicator, Period, Project, Unit, Value};
use crate::parse::numbered::{NumberedIndicator, format_numbered, parse_numbered};
use crate::render::{Content, RenderedSheet, Style};
use crate::text::label_key;
use crate::warning::Warning;

use super::field::FieldKind;
use super::locate::cell_money;
use super::read::Reader;
use super::{Field, field, names};

/// A flat list of projects grouped under unit subtotal rows (guangzhou).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    /// The columns, left to right.
    pub columns: Vec<ListColumn>,
    /// The label of the grand-total row ("合计").
    #[serde(default)]
    pub total: Option<String>,
}

/// A column of a flat list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListColumn {
    /// The header label.
    pub label: String,
    /// Other spellings of the label that the reader accepts.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What the column holds.
    pub field: ListField,
    /// How an `indicators` column encodes its indicators.
    #[serde(default)]
    pub codec: Option<Codec>,
}

/// What a list column holds: a project field, or the project's indicators as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListField {
    /// A project field path (`name`, `funding.annual.total` …).
    Field(Field),
    /// The indicators, encoded by the column's `codec`.
    Indicators,
}

impl<'de> Deserialize<'de> for ListField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let path = String::deserialize(d)?;
        if path == "indicators" {
            return Ok(ListField::Indicators);
        }
        match Field::parse(&path).filter(|f| f.scope() == field::Scope::Project) {
            Some(f) => Ok(ListField::Field(f)),
            None => {
                let valid = Field::all()
                    .filter(|f| f.scope() == field::Scope::Project)
                    .map(|f| f.path())
                    .chain(["indicators".to_string()]);
                Err(serde::de::Error::custom(names::unknown(
                    "field",
                    &path,
                    "list field",
                    valid,
                )))
            }
        }
    }
}

/// The special encodings a template can name for a column of indicator text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// guangzhou's "1、产出指标：X，年度指标值：Y。2、…".
    Numbered,
}

names::named!(
    Codec,
    key = "codec",
    what = "codec",
    [("numbered", Codec::Numbered),]
);

impl ListColumn {
    /// The match keys of the column: its label and aliases.
    pub fn keys(&self) -> Vec<String> {
        std::iter::once(&self.label)
            .chain(&self.aliases)
            .map(|l| label_key(l))
            .collect()
    }
}

/// The sheet columns of a list's name, goal and indicator text.
struct ListColumns {
    name: usize,
    goal: Option<usize>,
    indicators: Option<usize>,
}

/// The kind of a list row.
enum Row {
    Total,
    Unit,
    Project,
}

impl Reader<'_> {
    /// Reads the list: the form above its header, then 合计, unit and project rows.
    pub(super) fn read_list(&mut self, sheet: &Sheet, spec: &ListSpec) {
        let wanted: Vec<Vec<String>> = spec.columns.iter().map(|c| c.keys()).collect();
        let Some(header) = self.read_table_head(sheet, &wanted) else {
            return;
        };
        let column = |field: ListField| {
            spec.columns
                .iter()
                .zip(&header.columns)
                .find_map(|(c, at)| (c.field == field).then_some(*at).flatten())
        };
        let Some(name_col) = column(ListField::Field(Field::NAME)) else {
            return;
        };
        let columns = ListColumns {
            name: name_col,
            goal: column(ListField::Field(Field::ANNUAL_GOAL)),
            indicators: column(ListField::Indicators),
        };
        let total_key = spec.total.as_deref().map(label_key);
        let mut unit: Option<String> = None;
        let (first, last) = header.span();
        let mut end = sheet.height();
        for row in header.row + 1..sheet.height() {
            if self.ends_table(sheet, row, first, last) {
                end = row;
                break;
            }
            let name = sheet.raw(row, name_col).display().trim().to_string();
            if name.is_empty() {
                continue;
            }
            let text_at = |c: Option<usize>| {
                c.map(|c| sheet.value(row, c).display().trim().to_string())
                    .unwrap_or_default()
            };
            let (goal, coded) = (text_at(columns.goal), text_at(columns.indicators));
            let kind = if total_key.as_deref() == Some(label_key(&name).as_str()) {
                Row::Total
            } else if goal.is_empty() && coded.is_empty() {
                // A row with amounts but no goal and no indicators is a unit's subtotal.
                Row::Unit
            } else {
                Row::Project
            };
            let amounts = self.read_amounts(sheet, row, spec, &header.columns, &kind);
            let name = self.clean(sheet, row, name_col, &name);
            match kind {
                Row::Total => self.doc.total = Some(amounts),
                Row::Unit => {
                    unit = Some(name.clone());
                    self.doc.units.push(Unit { name, amounts });
                }
                Row::Project => {
                    let project = Project {
                        name,
                        unit: unit.clone(),
                        ..Project::default()
                    };
                    let texts = (goal.as_str(), coded.as_str());
                    self.read_list_project(sheet, row, &columns, project, amounts, texts);
                }
            }
        }
        self.read_document_footer(sheet, end, sheet.height());
    }

    /// The amount columns of a list row, each recorded under the row's model path.
    fn read_amounts(
        &mut self,
        sheet: &Sheet,
        row: usize,
        spec: &ListSpec,
        at: &[Option<usize>],
        kind: &Row,
    ) -> Amounts {
        let prefix = match kind {
            Row::Total => "total".to_string(),
            Row::Unit => format!("units[{}].amounts", self.doc.units.len()),
            Row::Project => format!("projects[{}].funding.annual", self.doc.projects.len()),
        };
        let mut amounts = Amounts::default();
        for (col, at) in spec.columns.iter().zip(at) {
            let (Some(fund), Some(c)) = (amount_fund(col.field), *at) else {
                continue;
            };
            let cell = sheet.value(row, c);
            match cell_money(cell) {
                Some(m) => {
                    amounts.set(fund, Some(m));
                    self.doc
                        .source
                        .cells
                        .insert(format!("{prefix}.{}", fund.key()), sheet.origin(row, c));
                }
                None if !cell.is_empty() => self.warnings.push(Warning::at(
                    sheet.origin(row, c),
                    format!("{}: {:?} is not an amount", col.label, cell.display()),
                )),
                None => {}
            }
        }
        amounts
    }

    /// A project row: its amounts, its goal and its numbered indicators.
    fn read_list_project(
        &mut self,
        sheet: &Sheet,
        row: usize,
        columns: &ListColumns,
        mut project: Project,
        amounts: Amounts,
        (goal, coded): (&str, &str),
    ) {
        let index = self.doc.projects.len();
        self.doc.source.cells.insert(
            format!("projects[{index}].name"),
            sheet.origin(row, columns.name),
        );
        project.funding.annual = Some(amounts);
        if let Some(c) = columns.goal.filter(|_| !goal.is_empty()) {
            project.goals.get_mut(Period::Annual).text = self.clean(sheet, row, c, goal);
            self.doc.source.cells.insert(
                format!("projects[{index}].goals.annual.text"),
                sheet.origin(row, c),
            );
        }
        if let Some(c) = columns.indicators.filter(|_| !coded.is_empty()) {
            self.read_numbered(sheet, (row, c), coded, &mut project, index);
        }
        if self.doc.source.sheet.is_none() {
            self.doc.source.sheet = Some(sheet.name.clone());
        }
        self.doc.projects.push(project);
    }

    /// Splits a numbered indicator cell; what cannot be parsed is kept verbatim.
    fn read_numbered(
        &mut self,
        sheet: &Sheet,
        at: (usize, usize),
        text: &str,
        project: &mut Project,
        index: usize,
    ) {
        let cell = sheet.origin(at.0, at.1);
        let text = self.clean(sheet, at.0, at.1, text);
        let parsed = parse_numbered(&text);
        for note in &parsed.notes {
            self.warnings.push(Warning::at(
                cell.clone(),
                format!("{}: {note}", project.name),
            ));
        }
        for (j, item) in parsed.items.into_iter().enumerate() {
            project.indicators.push(Indicator {
                level1: item.level1,
                name: item.name,
                values: crate::model::Values {
                    annual: item.value.as_deref().map(Value::parse),
                    ..Default::default()
                },
                ..Indicator::default()
            });
            self.doc.source.cells.insert(
                format!("projects[{index}].indicators[{j}].values.annual"),
                cell.clone(),
            );
        }
        if !parsed.unparsed.is_empty() {
            let kept = parsed.unparsed.join("");
            self.warnings.push(Warning::at(
                cell,
                format!(
                    "{}: indicator text not understood, kept verbatim: {kept:?}",
                    project.name
                ),
            ));
            project.extras.insert("绩效指标".into(), kept);
        }
    }
}

/// Lays the list out from `row`: header, 合计, then each unit and its projects.
pub(super) fn render_list(
    sheet: &mut RenderedSheet,
    row: u32,
    doc: &Document,
    spec: &ListSpec,
) -> u32 {
    let mut r = row;
    for (col, c) in spec.columns.iter().enumerate() {
        sheet.put(r, col as u32, 1, 1, Content::text(&c.label), Style::Label);
    }
    let amounts_row =
        |sheet: &mut RenderedSheet, r: u32, name: &str, amounts: Option<&Amounts>, style: Style| {
            for (i, c) in spec.columns.iter().enumerate() {
                let is_name = c.field == ListField::Field(Field::NAME);
                let content = match amount_fund(c.field) {
                    _ if is_name => Content::text(name),
                    Some(fund) => amounts
                        .and_then(|a| a.get(fund))
                        .map_or(Content::Empty, Content::Money),
                    _ => Content::Empty,
                };
                let cell_style =
                    if matches!(content, Content::Money(_)) || amount_fund(c.field).is_some() {
                        Style::Money
                    } else {
                        style
                    };
                sheet.put(r, i as u32, 1, 1, content, cell_style);
            }
        };
    if let Some(label) = &spec.total {
        r += 1;
        amounts_row(sheet, r, label, doc.total.as_ref(), Style::Strong);
    }
    // Units in stated order, then units only named by projects; projects without a unit first.
    let mut units: Vec<Option<&str>> = vec![None];
    units.extend(doc.units.iter().map(|u| Some(u.name.as_str())));
    for p in &doc.projects {
        if let Some(u) = p.unit.as_deref()
            && !units.contains(&Some(u))
        {
            units.push(Some(u));
        }
    }
    for unit in units {
        let members: Vec<&Project> = doc
            .projects
            .iter()
            .filter(|p| p.unit.as_deref() == unit)
            .collect();
        if let Some(name) = unit {
            let stated = doc
                .units
                .iter()
                .find(|u| u.name == name)
                .map(|u| u.amounts.clone());
            let amounts = stated.unwrap_or_else(|| {
                Amounts::sum(members.iter().filter_map(|p| p.funding.annual.as_ref()))
            });
            r += 1;
            amounts_row(sheet, r, name, Some(&amounts), Style::Strong);
        }
        for p in members {
            r += 1;
            for (i, c) in spec.columns.iter().enumerate() {
                let (content, style) = match c.field {
                    ListField::Indicators => {
                        (Content::text(&format_numbered(&numbered(p))), Style::Text)
                    }
                    ListField::Field(f) if f.kind() == FieldKind::Money => (
                        f.money(doc, p, 0).map_or(Content::Empty, Content::Money),
                        Style::Money,
                    ),
                    ListField::Field(f) => (
                        Content::text(&f.get(doc, p).unwrap_or_default()),
                        Style::Text,
                    ),
                };
                sheet.put(r, i as u32, 1, 1, content, style);
            }
        }
    }
    r
}

/// The fund of a `funding.<period>.<fund>` column.
fn amount_fund(field: ListField) -> Option<crate::model::Fund> {
    match field {
        ListField::Field(f) if f.kind() == FieldKind::Money => f.fund(),
        _ => None,
    }
}

/// A project's indicators as numbered items (level1, name and 年度 value).
fn numbered(p: &Project) -> Vec<NumberedIndicator> {
    p.indicators
        .iter()
        .map(|i| NumberedIndicator {
            level1: i.level1.clone(),
            name: i.name.clone(),
            value: i.values.annual.as_ref().map(|v| v.text.clone()),
        })
        .collect()
}
