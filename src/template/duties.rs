//! The department duties table (linyi): one row per indicator, under its duty
//! (职责序号 + 部门职责) and objective (detailed duty + 职责目标), with reference values.

use serde::Deserialize;

use crate::grid::Sheet;
use crate::model::{
    Document, Duty, History, Indicator, Objective, Overall, Reference, Sourced, Spending, Value,
};
use crate::render::{Content, RenderedSheet, Style};
use crate::text::label_key;

use super::Template;
use super::field::FieldKind;
use super::names::{Named, deserialize_named};
use super::read::Reader;

/// A department's duties table: one row per indicator under its duty and objective
/// (linyi). The header is the template's form; columns are found by their labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutiesSpec {
    /// The data columns, left to right.
    pub columns: Vec<DutyColumn>,
}

/// A column of the duties table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyColumn {
    /// The lowest header label over the column.
    pub label: String,
    /// A label higher up in the header that tells two same-named columns apart
    /// ("来源" under "标准值" or under "历史值").
    #[serde(default)]
    pub under: Option<String>,
    /// What the column holds.
    pub field: DutyField,
}

/// What a duties table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DutyField {
    /// 职责序号
    DutySeq,
    /// 部门职责 (the duty's short name)
    DutyName,
    /// The second 部门职责 column: the objective's detailed duty.
    ObjectiveDetail,
    /// 职责目标
    ObjectiveName,
    /// 绩效指标: the indicator's name.
    Name,
    /// 指标解释
    Explanation,
    /// 年度指标值
    Value,
    /// 工作活动
    Activity,
    /// 规划值
    ReferencePlanned,
    /// 当年标准值
    ReferenceStandardValue,
    /// 当年标准值's 来源
    ReferenceStandardSource,
    /// 前三年均值
    ReferenceHistoryAvg3y,
    /// 上年值
    ReferenceHistoryLastYear,
    /// 历史值's 来源
    ReferenceHistorySource,
    /// 支出项目名称: a spending line's project.
    SpendingProject,
    /// 预算金额: a spending line's amount.
    SpendingAmount,
}

/// Which run of rows a written column merges its equal cells over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    /// Never merged: one cell per indicator.
    None,
    /// Equal cells of one duty.
    Duty,
    /// Equal cells of one objective.
    Objective,
}

/// One row of the duty column vocabulary.
pub struct DutyFieldDef {
    /// The name templates use.
    pub name: &'static str,
    /// The column's value.
    pub field: DutyField,
    /// One line for the vocabulary table.
    pub about: &'static str,
    merge: Merge,
    get: fn(&Duty, &Objective, &Line) -> Option<String>,
}

/// What one printed row of an objective holds: its k-th indicator and k-th spending line.
pub struct Line<'a> {
    indicator: Option<&'a Indicator>,
    spending: Option<&'a Spending>,
}

fn reference(i: &Indicator) -> Option<&Reference> {
    i.reference.as_ref()
}

/// Every duties table column a template may name.
pub static DUTY_FIELDS: &[DutyFieldDef] = &[
    DutyFieldDef {
        name: "duty.seq",
        field: DutyField::DutySeq,
        about: "职责序号; merged over the duty's rows, carried down when read",
        merge: Merge::Duty,
        get: |d, _, _| Some(d.seq.clone()),
    },
    DutyFieldDef {
        name: "duty.name",
        field: DutyField::DutyName,
        about: "部门职责 (short name); merged over the duty's rows",
        merge: Merge::Duty,
        get: |d, _, _| Some(d.name.clone()),
    },
    DutyFieldDef {
        name: "objective.detail",
        field: DutyField::ObjectiveDetail,
        about: "the detailed 部门职责 of an objective",
        merge: Merge::Duty,
        get: |_, o, _| o.detail.clone(),
    },
    DutyFieldDef {
        name: "objective.name",
        field: DutyField::ObjectiveName,
        about: "职责目标; merged over the objective's rows",
        merge: Merge::Objective,
        get: |_, o, _| Some(o.name.clone()),
    },
    DutyFieldDef {
        name: "name",
        field: DutyField::Name,
        about: "绩效指标: the indicator's name; a row without one is no indicator",
        merge: Merge::None,
        get: |_, _, l| l.indicator.map(|i| i.name.clone()),
    },
    DutyFieldDef {
        name: "explanation",
        field: DutyField::Explanation,
        about: "指标解释",
        merge: Merge::None,
        get: |_, _, l| l.indicator.and_then(|i| i.explanation.clone()),
    },
    DutyFieldDef {
        name: "value",
        field: DutyField::Value,
        about: "年度指标值",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator
                .and_then(|i| i.values.annual.as_ref().map(|v| v.text.clone()))
        },
    },
    DutyFieldDef {
        name: "activity",
        field: DutyField::Activity,
        about: "工作活动",
        merge: Merge::None,
        get: |_, _, l| l.indicator.and_then(|i| i.activity.clone()),
    },
    DutyFieldDef {
        name: "reference.planned",
        field: DutyField::ReferencePlanned,
        about: "规划值",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator
                .and_then(|i| reference(i).and_then(|r| r.planned.clone()))
        },
    },
    DutyFieldDef {
        name: "reference.standard.value",
        field: DutyField::ReferenceStandardValue,
        about: "当年标准值",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator.and_then(|i| {
                reference(i)
                    .and_then(|r| r.standard.as_ref())
                    .map(|s| s.value.clone())
            })
        },
    },
    DutyFieldDef {
        name: "reference.standard.source",
        field: DutyField::ReferenceStandardSource,
        about: "the 来源 of 当年标准值",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator.and_then(|i| {
                reference(i)
                    .and_then(|r| r.standard.as_ref())
                    .and_then(|s| s.source.clone())
            })
        },
    },
    DutyFieldDef {
        name: "reference.history.avg_3y",
        field: DutyField::ReferenceHistoryAvg3y,
        about: "前三年均值",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator.and_then(|i| {
                reference(i)
                    .and_then(|r| r.history.as_ref())
                    .and_then(|h| h.avg_3y.clone())
            })
        },
    },
    DutyFieldDef {
        name: "reference.history.last_year",
        field: DutyField::ReferenceHistoryLastYear,
        about: "上年值",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator.and_then(|i| {
                reference(i)
                    .and_then(|r| r.history.as_ref())
                    .and_then(|h| h.last_year.clone())
            })
        },
    },
    DutyFieldDef {
        name: "reference.history.source",
        field: DutyField::ReferenceHistorySource,
        about: "the 来源 of the history values",
        merge: Merge::None,
        get: |_, _, l| {
            l.indicator.and_then(|i| {
                reference(i)
                    .and_then(|r| r.history.as_ref())
                    .and_then(|h| h.source.clone())
            })
        },
    },
    DutyFieldDef {
        name: "spending.project",
        field: DutyField::SpendingProject,
        about: "支出项目名称 of a spending line the objective's row carries",
        merge: Merge::None,
        get: |_, _, l| l.spending.map(|s| s.project.clone()),
    },
    DutyFieldDef {
        name: "spending.amount",
        field: DutyField::SpendingAmount,
        about: "预算金额 of that spending line (money)",
        merge: Merge::None,
        get: |_, _, l| l.spending.and_then(|s| s.amount).map(|m| m.to_string()),
    },
];

impl Named for DutyField {
    const KEY: &'static str = "field";
    const WHAT: &'static str = "duties column";
    fn all() -> &'static [(&'static str, Self)] {
        static ALL: std::sync::OnceLock<Vec<(&'static str, DutyField)>> =
            std::sync::OnceLock::new();
        ALL.get_or_init(|| DUTY_FIELDS.iter().map(|d| (d.name, d.field)).collect())
    }
}
deserialize_named!(DutyField);

impl DutyField {
    fn def(self) -> &'static DutyFieldDef {
        DUTY_FIELDS
            .iter()
            .find(|d| d.field == self)
            .expect("every duty field has a row")
    }

    /// The kind of cell (an indicator value, money, or text).
    pub fn kind(self) -> FieldKind {
        match self {
            DutyField::Value => FieldKind::Value,
            DutyField::SpendingAmount => FieldKind::Money,
            _ => FieldKind::Text,
        }
    }
}

impl Reader<'_> {
    /// Reads the duties table, the title and the form above it: one indicator a
    /// row, under the duty and objective its (carried) cells name. The rows end at
    /// `limit` (where another table starts) at the latest; returns the row after the
    /// last one read, or `None` when the sheet has no such table.
    pub(super) fn read_duties(
        &mut self,
        sheet: &Sheet,
        spec: &DutiesSpec,
        limit: usize,
    ) -> Option<usize> {
        let table = self.find_duties(sheet, spec)?;
        self.read_title(sheet, 0, table.top);
        let above = super::locate::Region {
            first_row: 0,
            end_row: table.top,
        };
        self.read_form(sheet, above, &mut crate::model::Project::default(), 0);
        let name_col = table.at(DutyField::Name);
        if name_col.is_none() && table.at(DutyField::SpendingProject).is_none() {
            return None;
        }
        let mut duties: Vec<Duty> = Vec::new();
        let mut carried: [String; 4] = Default::default();
        let last_col = table
            .columns
            .iter()
            .flatten()
            .max()
            .copied()
            .unwrap_or(table.left);
        let limit = if limit > table.top {
            limit.min(sheet.height())
        } else {
            sheet.height()
        };
        let mut end = limit;
        for row in table.data..limit {
            if self.is_heading_row(sheet, row) || self.ends_table(sheet, row, table.left, last_col)
            {
                end = row;
                break;
            }
            if (table.left..table.width).all(|c| sheet.raw(row, c).is_empty()) {
                continue;
            }
            // Blank duty and objective cells carry down from above (a vertical merge).
            for (k, field) in CARRIED.iter().enumerate() {
                let t = table.text(sheet, row, *field);
                if !t.is_empty() {
                    carried[k] = t;
                }
            }
            let (d, o) = place(&mut duties, &carried);
            self.read_spending(sheet, row, &table, &mut duties, (d, o));
            let name = table.text(sheet, row, DutyField::Name);
            let Some(name_col) = name_col.filter(|_| !name.is_empty()) else {
                continue;
            };
            let name = self.clean(sheet, row, name_col, &name);
            let indicator = table.indicator(sheet, row, name);
            let objective = &mut duties[d].objectives[o];
            let k = objective.indicators.len();
            if let Some(c) = table.at(DutyField::Value) {
                self.doc.source.cells.insert(
                    format!("overall.duties[{d}].objectives[{o}].indicators[{k}].values.annual"),
                    sheet.origin(row, c),
                );
            }
            objective.indicators.push(indicator);
        }
        // A row with a duty and objective but no indicator or spending line still
        // states them (a duties table written from a form that had neither).
        duties.iter_mut().for_each(|d| {
            d.objectives.retain(|o| {
                !o.indicators.is_empty() || !o.spending.is_empty() || !o.name.is_empty()
            })
        });
        duties.retain(|d| !d.objectives.is_empty());
        if !duties.is_empty() {
            if self.doc.source.sheet.is_none() {
                self.doc.source.sheet = Some(sheet.name.clone());
            }
            self.doc
                .overall
                .get_or_insert_with(Overall::default)
                .duties
                .extend(duties);
        }
        Some(end)
    }

    /// The spending line a row carries (支出项目名称 + 预算金额), into its objective.
    fn read_spending(
        &mut self,
        sheet: &Sheet,
        row: usize,
        table: &DutiesTable,
        duties: &mut [Duty],
        (d, o): (usize, usize),
    ) {
        let project = table.text(sheet, row, DutyField::SpendingProject);
        let Some(project_col) = table
            .at(DutyField::SpendingProject)
            .filter(|_| !project.is_empty())
        else {
            return;
        };
        let project = self.clean(sheet, row, project_col, &project);
        let spending = &mut duties[d].objectives[o].spending;
        let k = spending.len();
        let amount = table.at(DutyField::SpendingAmount).and_then(|c| {
            let cell = sheet.value(row, c);
            let money = super::locate::cell_money(cell);
            match money {
                Some(_) => {
                    let key = format!("overall.duties[{d}].objectives[{o}].spending[{k}].amount");
                    self.doc.source.cells.insert(key, sheet.origin(row, c));
                }
                None if !cell.is_empty() => self.warnings.push(crate::warning::Warning::at(
                    sheet.origin(row, c),
                    format!("{:?} is not an amount", cell.display()),
                )),
                None => {}
            }
            money
        });
        spending.push(Spending { project, amount });
    }

    /// The duties table's header: found by its first column's label, it ends at the
    /// first row holding something that is not a label.
    fn find_duties<'t>(&self, sheet: &Sheet, spec: &'t DutiesSpec) -> Option<DutiesTable<'t>> {
        let start_key = label_key(&spec.columns.first()?.label);
        let (top, left) = (0..sheet.height()).find_map(|r| {
            let width = sheet.rows.get(r).map_or(0, Vec::len);
            (0..width)
                .find(|&c| label_key(&sheet.raw(r, c).display()) == start_key)
                .map(|c| (r, c))
        })?;
        let width = sheet.width();
        let data = (sheet.extent_down(top, left) + 1..sheet.height())
            .find(|&r| {
                (left..width).any(|c| {
                    let t = sheet.raw(r, c).display();
                    !t.trim().is_empty() && !self.is_label(&t)
                })
            })
            .unwrap_or(sheet.height());
        let stacks = header_stacks(sheet, top, data, left, width);
        Some(DutiesTable {
            spec,
            columns: assign(spec, &stacks),
            top,
            left,
            data,
            width,
        })
    }
}

/// The columns whose blank cells carry the value above: duty, then objective.
const CARRIED: [DutyField; 4] = [
    DutyField::DutySeq,
    DutyField::DutyName,
    DutyField::ObjectiveDetail,
    DutyField::ObjectiveName,
];

/// A duties table found on a sheet.
struct DutiesTable<'t> {
    spec: &'t DutiesSpec,
    /// The sheet column of each template column.
    columns: Vec<Option<usize>>,
    /// The header's first row and column.
    top: usize,
    left: usize,
    /// The first data row.
    data: usize,
    width: usize,
}

impl DutiesTable<'_> {
    /// The sheet column of a field.
    fn at(&self, field: DutyField) -> Option<usize> {
        self.spec
            .columns
            .iter()
            .zip(&self.columns)
            .find_map(|(c, at)| (c.field == field).then_some(*at).flatten())
    }

    /// A field's trimmed text on a row ("" where the table has no such column).
    fn text(&self, sheet: &Sheet, row: usize, field: DutyField) -> String {
        self.at(field)
            .map(|c| sheet.value(row, c).display().trim().to_string())
            .unwrap_or_default()
    }

    /// The indicator of a row, with its reference values.
    fn indicator(&self, sheet: &Sheet, row: usize, name: String) -> Indicator {
        let opt = |field: DutyField| Some(self.text(sheet, row, field)).filter(|t| !t.is_empty());
        let standard = opt(DutyField::ReferenceStandardValue);
        let standard_source = opt(DutyField::ReferenceStandardSource);
        let history = History {
            avg_3y: opt(DutyField::ReferenceHistoryAvg3y),
            last_year: opt(DutyField::ReferenceHistoryLastYear),
            source: opt(DutyField::ReferenceHistorySource),
        };
        let reference = Reference {
            planned: opt(DutyField::ReferencePlanned),
            standard: (standard.is_some() || standard_source.is_some()).then(|| Sourced {
                value: standard.unwrap_or_default(),
                source: standard_source,
            }),
            history: (history != History::default()).then_some(history),
        };
        Indicator {
            name,
            explanation: opt(DutyField::Explanation),
            values: crate::model::Values {
                annual: opt(DutyField::Value).as_deref().map(Value::parse),
                ..Default::default()
            },
            reference: (reference != Reference::default()).then_some(reference),
            activity: opt(DutyField::Activity),
            ..Indicator::default()
        }
    }
}

/// The duty and objective a row's carried keys (seq, name, detail, objective) belong
/// to, started when they differ from the last ones; returns their indices.
fn place(duties: &mut Vec<Duty>, keys: &[String; 4]) -> (usize, usize) {
    let new_duty = duties
        .last()
        .is_none_or(|d| d.seq != keys[0] || d.name != keys[1]);
    if new_duty {
        duties.push(Duty {
            seq: keys[0].clone(),
            name: keys[1].clone(),
            objectives: Vec::new(),
        });
    }
    let d = duties.len() - 1;
    let duty = &mut duties[d];
    let detail = Some(keys[2].clone()).filter(|d| !d.is_empty());
    if duty
        .objectives
        .last()
        .is_none_or(|o| o.detail != detail || o.name != keys[3])
    {
        duty.objectives.push(Objective {
            detail,
            name: keys[3].clone(),
            indicators: Vec::new(),
            spending: Vec::new(),
        });
    }
    (d, duty.objectives.len() - 1)
}

/// For each column, the distinct header labels over it, top down. A CSV lost its
/// merges: a blank header cell there takes its left neighbour's label when both sit
/// under the same label in the row above.
fn header_stacks(
    sheet: &Sheet,
    top: usize,
    data: usize,
    left: usize,
    width: usize,
) -> Vec<Vec<String>> {
    let mut grid: Vec<Vec<String>> = (top..data)
        .map(|r| {
            (0..width)
                .map(|c| label_key(&sheet.value(r, c).display()))
                .collect()
        })
        .collect();
    if !sheet.merges_known {
        for r in 0..grid.len() {
            for c in left + 1..width {
                let same_parent = r == 0 || grid[r - 1][c] == grid[r - 1][c - 1];
                if grid[r][c].is_empty() && same_parent {
                    grid[r][c] = grid[r][c - 1].clone();
                }
            }
        }
    }
    (0..width)
        .map(|c| {
            let mut stack: Vec<String> = Vec::new();
            for row in &grid {
                let t = &row[c];
                if c >= left && !t.is_empty() && !stack.contains(t) {
                    stack.push(t.clone());
                }
            }
            stack
        })
        .collect()
}

/// Assigns template columns to sheet columns, left to right, each used once.
fn assign(spec: &DutiesSpec, stacks: &[Vec<String>]) -> Vec<Option<usize>> {
    let mut used = vec![false; stacks.len()];
    spec.columns
        .iter()
        .map(|col| {
            let label = label_key(&col.label);
            let under = col.under.as_deref().map(label_key);
            let hit = stacks.iter().enumerate().position(|(c, stack)| {
                !used[c]
                    && stack.last() == Some(&label)
                    && under
                        .as_ref()
                        .is_none_or(|u| stack.iter().any(|s| s.starts_with(u.as_str())))
            });
            if let Some(c) = hit {
                used[c] = true;
            }
            hit
        })
        .collect()
}

/// Where each duty column prints, as (sheet column, columns spanned): under its
/// header label in the form. Consecutive columns of one label share its cell, one
/// column each, the last taking the rest (linyi's two 部门职责 columns under one
/// label of two columns; 宁德's 部门职能 alone over two); a column whose label the
/// form lacks follows the previous one.
fn placement(spec: &DutiesSpec, t: &Template) -> Vec<(u32, u32)> {
    let form = t.placed_form();
    let columns = &spec.columns;
    let mut out = Vec::with_capacity(columns.len());
    let mut next = 0u32;
    let mut i = 0;
    while i < columns.len() {
        let key = label_key(&columns[i].label);
        let same = |c: &DutyColumn| label_key(&c.label) == key && c.under == columns[i].under;
        let k = columns[i..].iter().take_while(|c| same(c)).count();
        let cell = form
            .iter()
            .filter(|p| p.col >= next && p.cell.label.is_some() && p.cell.keys().contains(&key))
            .min_by_key(|p| (p.col, std::cmp::Reverse(p.row)));
        let k32 = k as u32;
        let (col, cols) = cell.map_or((next, k32), |p| (p.col, p.cell.cols.max(k32)));
        for m in 0..k32 {
            let width = if m + 1 == k32 { cols - m } else { 1 };
            out.push((col + m, width));
        }
        next = col + cols;
        i += k;
    }
    out
}

/// Lays out the duty rows from `row` (the header is the template's form, above it),
/// each column under its label; a label left of the table in the header's last row
/// (宁德's 年度履职目标) is merged down over the rows. Returns the last row.
pub(super) fn render_duties(
    sheet: &mut RenderedSheet,
    row: u32,
    doc: &Document,
    spec: &DutiesSpec,
    template: &Template,
) -> u32 {
    let placed = placement(spec, template);
    let duties = doc.overall.as_ref().map_or(&[][..], |o| &o.duties[..]);
    // One entry per printed row: (duty index, objective index, the duty, the
    // objective, and the row's indicator and spending line, k-th beside k-th).
    let mut rows: Vec<(usize, usize, &Duty, &Objective, Line)> = Vec::new();
    for (di, d) in duties.iter().enumerate() {
        for (oi, o) in d.objectives.iter().enumerate() {
            // An objective with neither indicators nor spending still prints its row.
            for k in 0..o.indicators.len().max(o.spending.len()).max(1) {
                let line = Line {
                    indicator: o.indicators.get(k),
                    spending: o.spending.get(k),
                };
                rows.push((di, oi, d, o, line));
            }
        }
    }
    for (col, &(c, cols)) in spec.columns.iter().zip(&placed) {
        // The text of this column on a row, and the group a merged run must stay in.
        let def = col.field.def();
        let value = |(di, oi, d, o, line): &(usize, usize, &Duty, &Objective, Line)| -> (String, (usize, usize)) {
            let (di, oi) = (*di, *oi);
            let group = match def.merge {
                Merge::Objective => (di, oi),
                Merge::Duty | Merge::None => (di, usize::MAX),
            };
            ((def.get)(d, o, line).unwrap_or_default(), group)
        };
        let merges = def.merge != Merge::None;
        let style = if merges { Style::Value } else { Style::Text };
        let mut i = 0;
        while i < rows.len() {
            let (text, group) = value(&rows[i]);
            let mut j = i + 1;
            // Equal text within the same group (duty or objective) prints as one merged cell.
            while merges && j < rows.len() && value(&rows[j]) == (text.clone(), group) {
                j += 1;
            }
            let money = (col.field.kind() == FieldKind::Money)
                .then(|| crate::model::Money::parse(&text))
                .flatten();
            let (content, style) = match money {
                Some(m) => (Content::Money(m), Style::Money),
                None => (Content::text(&text), style),
            };
            sheet.put(row + i as u32, c, (j - i) as u32, cols, content, style);
            i = j;
        }
    }
    let left = placed.iter().map(|p| p.0).min().unwrap_or(0);
    let end = row + rows.len() as u32;
    for caption in sheet
        .cells
        .iter_mut()
        .filter(|c| c.row < row && c.row + c.rows == row && c.col + c.cols <= left)
    {
        caption.rows = end.max(row) - caption.row;
    }
    row + rows.len().saturating_sub(1) as u32
}
