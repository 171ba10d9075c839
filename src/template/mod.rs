//! Templates (SPEC §6): one declarative file per layout, used by both the reader
//! (labels to look for, block structure) and the writer (grid, merges, widths).

pub mod detect;
mod duties;
pub mod field;
mod list;
pub(crate) mod order;
pub mod read;
pub mod title;
pub mod write;

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{Kind, Period};
use crate::text::label_key;
pub use field::Field;

/// The layouts shipped in the binary: (id, template text).
const BUILTIN: &[(&str, &str)] = &[
    ("luan", include_str!("../../templates/luan.toml")),
    ("national", include_str!("../../templates/national.toml")),
    ("yancheng", include_str!("../../templates/yancheng.toml")),
    ("tangshan", include_str!("../../templates/tangshan.toml")),
    ("guangzhou", include_str!("../../templates/guangzhou.toml")),
    ("linyi", include_str!("../../templates/linyi.toml")),
];

/// A layout: how its tables look and where each field sits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub region: String,
    /// Another template this one starts from (already merged in when loaded).
    #[serde(default)]
    pub extends: Option<String>,
    pub kind: Kind,
    /// Width of the form in columns.
    pub columns: u32,
    /// Column widths in Excel character units; 0 or missing = fit to content.
    #[serde(default)]
    pub column_widths: Vec<f64>,
    #[serde(default)]
    pub arrangement: Arrangement,
    /// Sheet name pattern for one sheet per project: "{name}".
    #[serde(default)]
    pub sheet_name: Option<String>,
    #[serde(default)]
    pub landscape: bool,
    /// The label that starts a project; the first form label when not given.
    #[serde(default)]
    pub start: Option<String>,
    pub title: TitleSpec,
    /// What stands before each project on a stacked sheet.
    #[serde(default)]
    pub project: ProjectSpec,
    /// Department-level text in headed sections (tangshan part 1).
    #[serde(default)]
    pub sections: Option<SectionsSpec>,
    /// The flat project list (arrangement = "table").
    #[serde(default)]
    pub list: Option<ListSpec>,
    /// The department duties table (arrangement = "table").
    #[serde(default)]
    pub duties: Option<DutiesSpec>,
    #[serde(default)]
    pub detect: DetectSpec,
    /// The label/value grid of a project's header, row by row.
    #[serde(default)]
    pub form: Vec<FormRow>,
    #[serde(default)]
    pub indicators: Option<IndicatorSpec>,
}

/// How projects are placed when written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arrangement {
    /// One sheet per project, named by `sheet_name`.
    #[default]
    SheetPerProject,
    /// All projects one after another on one sheet.
    Stacked,
    /// One sheet: the title, the form as its header, then the `[list]` or `[duties]`
    /// table (guangzhou's flat list, linyi's department duties).
    Table,
}

/// A flat list of projects grouped under unit subtotal rows (guangzhou).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSpec {
    pub columns: Vec<ListColumn>,
    /// The label of the grand-total row ("合计").
    #[serde(default)]
    pub total: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListColumn {
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A project field path, or "indicators" for a column of indicator text.
    pub field: String,
    /// How an "indicators" column encodes its indicators: "numbered"
    /// ("1、产出指标：X，年度指标值：Y。2、…").
    #[serde(default)]
    pub codec: Option<String>,
}

impl ListColumn {
    pub fn keys(&self) -> Vec<String> {
        std::iter::once(&self.label)
            .chain(&self.aliases)
            .map(|l| label_key(l))
            .collect()
    }
}

/// A department's duties table: one row per indicator under its duty and objective
/// (linyi). The header is the template's form; columns are found by their labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutiesSpec {
    pub columns: Vec<DutyColumn>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyColumn {
    /// The lowest header label over the column.
    pub label: String,
    /// A label higher up in the header that tells two same-named columns apart
    /// ("来源" under "标准值" or under "历史值").
    #[serde(default)]
    pub under: Option<String>,
    /// duty.seq, duty.name, objective.detail, objective.name, name, explanation,
    /// value, activity, reference.planned, reference.standard.value,
    /// reference.standard.source, reference.history.avg_3y,
    /// reference.history.last_year, reference.history.source.
    pub field: String,
}

/// The duty-table fields a template may name.
pub const DUTY_FIELDS: [&str; 14] = [
    "duty.seq",
    "duty.name",
    "objective.detail",
    "objective.name",
    "name",
    "explanation",
    "value",
    "activity",
    "reference.planned",
    "reference.standard.value",
    "reference.standard.source",
    "reference.history.avg_3y",
    "reference.history.last_year",
    "reference.history.source",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleSpec {
    /// "表十四、{fiscal_year}年项目支出绩效目标表"
    pub text: String,
    #[serde(default)]
    pub subtitle: Option<String>,
}

/// What stands before each project on a stacked sheet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    /// A heading line, "{no}.{name}绩效目标表" ({no} counts from 1).
    #[serde(default)]
    pub heading: Option<String>,
    /// Blank rows before each project.
    #[serde(default)]
    pub gap: u32,
}

/// A sheet of department-level text: one heading or paragraph per row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionsSpec {
    pub sheet_name: String,
    /// The first lines of the part; reading starts at the first one found.
    pub begin: Vec<String>,
    /// Lines that end the part (the next part's heading).
    #[serde(default)]
    pub end: Vec<String>,
}

/// What identifies the layout when a file is detected.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectSpec {
    /// Labels this layout prints; the share found scores the layout.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Words in the title that tell this layout from one with the same grid.
    #[serde(default)]
    pub title: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRow {
    pub cells: Vec<FormCell>,
    /// "expenses": the row is printed once per 支出 line; cells above that span it grow.
    #[serde(default)]
    pub repeat: Option<String>,
}

/// One cell of the form: a label, a field, or fixed text. Cells are placed left to
/// right, skipping columns still covered by a cell above that spans several rows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormCell {
    #[serde(default)]
    pub label: Option<String>,
    /// Other spellings of the label that the reader accepts.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub field: Option<String>,
    /// For a label that carries a value in itself ("中期目标(2023年—2025年)"): the field.
    #[serde(default)]
    pub capture: Option<String>,
    /// How the value is printed, "{}" standing for it ("{}年", "中期目标({})").
    #[serde(default)]
    pub format: Option<String>,
    /// Where a field's label is: "left" (default), "above", or "right" (the value
    /// stands before its label, as in "603001唐山市… | 单位：万元").
    #[serde(default)]
    pub from: FromSide,
    #[serde(default = "one")]
    pub cols: u32,
    #[serde(default = "one")]
    pub rows: u32,
    /// "text" for running text (left aligned), "value" for short values, "note" and
    /// "note-right" for unbordered lines above the table.
    #[serde(default)]
    pub style: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FromSide {
    #[default]
    Left,
    Above,
    Right,
}

/// The indicator table: a header row of column labels, then one row per indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// A label in the column before the table, merged down over it ("绩效指标").
    #[serde(default)]
    pub caption: Option<String>,
    /// Periods shown side by side, each with its own 二级/三级/value columns (luan).
    #[serde(default)]
    pub sides: Vec<String>,
    pub columns: Vec<IndicatorColumn>,
    /// Every 二级 class of each 一级 class, printed as empty rows when unused.
    #[serde(default)]
    pub classes: IndexMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumn {
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// level1, level2, name, description, explanation, basis, activity, or value.
    pub field: String,
    /// The side (period) this column belongs to, when the table has sides.
    #[serde(default)]
    pub side: Option<String>,
    /// For a value column outside sides: its period ("annual", "half_year").
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default = "one")]
    pub cols: u32,
}

impl IndicatorColumn {
    /// The period of a value column.
    pub fn value_period(&self) -> Option<Period> {
        self.period
            .as_deref()
            .or(self.side.as_deref())
            .and_then(Period::from_key)
    }

    pub fn keys(&self) -> Vec<String> {
        std::iter::once(&self.label)
            .chain(&self.aliases)
            .map(|l| label_key(l))
            .collect()
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

    pub fn field(&self) -> Option<Field> {
        self.field.as_deref().and_then(Field::parse)
    }

    pub fn capture_field(&self) -> Option<Field> {
        self.capture.as_deref().and_then(Field::parse)
    }

    /// Applies `format` to a value for writing.
    pub fn formatted(&self, value: &str) -> String {
        match &self.format {
            Some(f) => f.replace("{}", value),
            None => value.to_string(),
        }
    }

    /// Undoes `format` on text read from a cell ("3年" → "3").
    pub fn unformatted(&self, text: &str) -> String {
        let t = text.trim();
        if let Some(f) = &self.format
            && let Some((pre, post)) = f.split_once("{}")
        {
            let pre_k = label_key(pre);
            let post_k = label_key(post);
            let k = label_key(t);
            if k.starts_with(&pre_k)
                && k.ends_with(&post_k)
                && k.len() >= pre_k.len() + post_k.len()
            {
                return k[pre_k.len()..k.len() - post_k.len()].to_string();
            }
        }
        t.to_string()
    }
}

/// A cell placed on the form grid: template row, column, rows spanned, and the spec.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub row: u32,
    pub col: u32,
    /// Rows spanned once repeated rows are counted.
    pub rows: u32,
    pub cell: &'a FormCell,
    /// For a cell of a repeated row: which repetition.
    pub repeat: Option<u32>,
}

impl Template {
    /// Parses a template from TOML; `extends` is resolved against the built-ins.
    pub fn from_toml(name: &str, text: &str) -> Result<Template> {
        let bad = |message: String| Error::Template {
            name: name.to_string(),
            message,
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if let Some(base) = table
            .get("extends")
            .and_then(|v| v.as_str())
            .map(str::to_string)
        {
            let (_, base_text) = BUILTIN
                .iter()
                .find(|(id, _)| *id == base)
                .ok_or_else(|| bad(format!("extends unknown built-in layout {base:?}")))?;
            let mut merged: toml::Table =
                toml::from_str(base_text).map_err(|e| bad(e.to_string()))?;
            merge_tables(&mut merged, table);
            table = merged;
        }
        let template: Template = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| bad(e.to_string()))?;
        template.validate().map_err(bad)?;
        Ok(template)
    }

    /// Loads a user's template file.
    pub fn from_file(path: &Path) -> Result<Template> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Template::from_toml(&path.display().to_string(), &text)
    }

    /// A built-in layout by id.
    pub fn builtin(id: &str) -> Result<Template> {
        match BUILTIN.iter().find(|(name, _)| *name == id) {
            Some((name, text)) => Template::from_toml(name, text),
            None => Err(Error::UnknownLayout {
                name: id.to_string(),
                known: builtin_ids().join(", "),
            }),
        }
    }

    /// All built-in layouts.
    pub fn builtins() -> Vec<Template> {
        BUILTIN
            .iter()
            .map(|(name, text)| {
                Template::from_toml(name, text).expect("built-in templates are valid")
            })
            .collect()
    }

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

    /// The label a project starts at.
    pub fn start_label(&self) -> Option<&str> {
        self.start.as_deref().or_else(|| {
            self.form
                .iter()
                .flat_map(|r| &r.cells)
                .find_map(|c| c.label.as_deref().filter(|l| !l.is_empty()))
        })
    }

    /// Whether the layout has a place for projects, department duties and department text.
    pub fn holds(&self) -> Holds {
        Holds {
            projects: self.indicators.is_some() || self.list.is_some(),
            duties: self.duties.is_some(),
            sections: self.sections.is_some(),
        }
    }

    /// Every field the template carries, for loss reports.
    pub fn fields(&self) -> Vec<Field> {
        self.form
            .iter()
            .flat_map(|r| &r.cells)
            .flat_map(|c| c.field().into_iter().chain(c.capture_field()))
            .collect()
    }

    /// The label keys a reader treats as labels (a value cell never holds one).
    pub fn label_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .form
            .iter()
            .flat_map(|r| &r.cells)
            .flat_map(FormCell::keys)
            .collect();
        if let Some(list) = &self.list {
            keys.extend(list.columns.iter().flat_map(ListColumn::keys));
        }
        if let Some(duties) = &self.duties {
            keys.extend(duties.columns.iter().map(|c| label_key(&c.label)));
        }
        if let Some(ind) = &self.indicators {
            keys.extend(ind.columns.iter().flat_map(IndicatorColumn::keys));
            keys.extend(ind.caption.iter().map(|c| label_key(c)));
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.columns == 0 || self.columns > 256 {
            return Err(format!("columns must be 1..=256, not {}", self.columns));
        }
        for (i, row) in self.form.iter().enumerate() {
            for cell in &row.cells {
                let kinds = [cell.label.is_some(), cell.field.is_some()];
                if kinds.iter().filter(|k| **k).count() != 1 {
                    return Err(format!(
                        "form row {}: a cell needs exactly one of label or field",
                        i + 1
                    ));
                }
                for path in cell.field.iter().chain(&cell.capture) {
                    if Field::parse(path).is_none() {
                        return Err(format!("form row {}: unknown field {path:?}", i + 1));
                    }
                }
                if cell.cols == 0 || cell.rows == 0 {
                    return Err(format!(
                        "form row {}: cols and rows must be at least 1",
                        i + 1
                    ));
                }
            }
        }
        for (i, row) in self.form.iter().enumerate() {
            let in_repeat = row.repeat.is_some();
            if let Some(what) = &row.repeat
                && what != "expenses"
            {
                return Err(format!(
                    "form row {}: only \"expenses\" rows repeat, not {what:?}",
                    i + 1
                ));
            }
            for cell in &row.cells {
                let is_expense = matches!(cell.field(), Some(Field::Expense(_)));
                if is_expense != in_repeat && cell.field.is_some() {
                    return Err(format!(
                        "form row {}: expenses.* fields belong in the repeat = \"expenses\" row, and only they",
                        i + 1
                    ));
                }
            }
        }
        if self.form.iter().filter(|r| r.repeat.is_some()).count() > 1 {
            return Err("only one form row may repeat".into());
        }
        let placed = self.placed_form();
        if let Some(p) = placed.iter().find(|p| p.col + p.cell.cols > self.columns) {
            return Err(format!(
                "form row {}: cells reach column {} but the form has {} columns",
                p.row + 1,
                p.col + p.cell.cols,
                self.columns
            ));
        }
        if self.arrangement == Arrangement::Table && (self.list.is_some() == self.duties.is_some())
        {
            return Err("arrangement = \"table\" needs exactly one of [list] or [duties]".into());
        }
        if let Some(list) = &self.list {
            for col in &list.columns {
                let known = col.field == "indicators" || Field::parse(&col.field).is_some();
                if !known {
                    return Err(format!(
                        "list: column {:?} has unknown field {:?}",
                        col.label, col.field
                    ));
                }
                if col.field == "indicators" && col.codec.as_deref() != Some("numbered") {
                    return Err(format!(
                        "list: column {:?} needs codec = \"numbered\"",
                        col.label
                    ));
                }
            }
        }
        if let Some(duties) = &self.duties {
            for col in &duties.columns {
                if !DUTY_FIELDS.contains(&col.field.as_str()) {
                    return Err(format!(
                        "duties: column {:?} has unknown field {:?}",
                        col.label, col.field
                    ));
                }
            }
        }
        if let Some(ind) = &self.indicators {
            for side in &ind.sides {
                if Period::from_key(side).is_none() {
                    return Err(format!(
                        "indicators: unknown side {side:?} (mid_term, annual, half_year)"
                    ));
                }
            }
            for col in &ind.columns {
                const FIELDS: [&str; 8] = [
                    "level1",
                    "level2",
                    "name",
                    "description",
                    "explanation",
                    "basis",
                    "activity",
                    "value",
                ];
                if !FIELDS.contains(&col.field.as_str()) {
                    return Err(format!(
                        "indicators: column {:?} has unknown field {:?}",
                        col.label, col.field
                    ));
                }
                if col.field == "value" && col.value_period().is_none() {
                    return Err(format!(
                        "indicators: value column {:?} needs a period or side",
                        col.label
                    ));
                }
            }
            let width: u32 =
                ind.columns.iter().map(|c| c.cols).sum::<u32>() + u32::from(ind.caption.is_some());
            if width > self.columns {
                return Err(format!(
                    "indicators: {width} columns but the form has {}",
                    self.columns
                ));
            }
        }
        Ok(())
    }
}

/// The parts of a document a layout has a place for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holds {
    pub projects: bool,
    pub duties: bool,
    pub sections: bool,
}

/// The ids of the built-in layouts.
pub fn builtin_ids() -> Vec<&'static str> {
    BUILTIN.iter().map(|(id, _)| *id).collect()
}

/// Resolves `--to`/`--from`: a built-in id, or a path to a template file.
pub fn resolve(name_or_path: &str) -> Result<Template> {
    let path = Path::new(name_or_path);
    if name_or_path.ends_with(".toml") || path.is_file() {
        Template::from_file(path)
    } else {
        Template::builtin(name_or_path)
    }
}

/// Child keys replace the base's; tables merge recursively.
fn merge_tables(base: &mut toml::Table, child: toml::Table) {
    for (key, value) in child {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(c)) => merge_tables(b, c),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load() {
        let all = Template::builtins();
        assert!(all.iter().any(|t| t.id == "luan"));
        let national = Template::builtin("national").unwrap();
        assert_eq!(national.title.text, "项目支出绩效目标申报表");
        assert_eq!(national.columns, 8, "inherited from luan");
    }

    #[test]
    fn row_spans_push_later_cells_right() {
        let t = Template::builtin("luan").unwrap();
        let placed = t.placed_form();
        let fiscal = placed
            .iter()
            .find(|p| p.cell.field.as_deref() == Some("funding.mid_term.fiscal"))
            .unwrap();
        assert_eq!((fiscal.row, fiscal.col), (4, 4));
        let goal = placed
            .iter()
            .find(|p| p.cell.field.as_deref() == Some("goals.annual.text"))
            .unwrap();
        assert_eq!((goal.row, goal.col), (7, 5));
    }

    #[test]
    fn bad_templates_say_why() {
        let err = Template::from_toml("t", "id='x'\nname='x'\nkind='project'\ncolumns=2\n[title]\ntext='t'\n[[form]]\ncells=[{field='nope'}]").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = Template::from_toml("t", "id='x'\nname='x'\nkind='project'\ncolumns=2\n[title]\ntext='t'\n[[form]]\ncells=[{label='a', cols=3}]").unwrap_err();
        assert!(err.to_string().contains("reach column"), "{err}");
    }
}
