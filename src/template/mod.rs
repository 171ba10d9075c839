//! Templates (SPEC §6): one declarative file per layout, used by both the reader
//! (labels to look for, block structure) and the writer (grid, merges, widths).
//!
//! A template is parsed once, at load, into typed values: field paths ([`Field`]),
//! indicator and duty columns ([`IndicatorField`], [`DutyField`]), patterns
//! ([`Pattern`]) and the names of styles, codecs and repeated lists. A name that is
//! not one of them is refused with the file, the key and the nearest valid name.

pub mod detect;
mod duties;
pub mod field;
mod indicators;
mod list;
pub mod names;
pub(crate) mod order;
pub mod pattern;
pub mod read;
pub mod title;
pub mod vocabulary;
pub mod write;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{Kind, Period};
use crate::text::label_key;
pub use duties::DutyField;
pub use field::{Field, Repeat};
pub use indicators::IndicatorField;
pub use pattern::Pattern;

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
    /// Short name used to choose it (`--to luan`) and in `source.layout`.
    pub id: String,
    /// Its full name, for `jixiao layouts`.
    pub name: String,
    /// The region that publishes it.
    #[serde(default)]
    pub region: String,
    /// Another template this one starts from (already merged in when loaded): a
    /// built-in id or a template file, relative to this one.
    #[serde(default)]
    pub extends: Option<String>,
    /// What the layout holds: project tables, department tables, or both.
    pub kind: Kind,
    /// Width of the form in columns.
    pub columns: u32,
    /// Column widths in Excel character units; 0 or missing = fit to content.
    #[serde(default)]
    pub column_widths: Vec<f64>,
    /// How projects are placed on sheets.
    #[serde(default)]
    pub arrangement: Arrangement,
    /// Sheet name pattern ("{name}").
    #[serde(default, deserialize_with = "sheet_pattern")]
    pub sheet_name: Option<Pattern>,
    /// Print landscape.
    #[serde(default)]
    pub landscape: bool,
    /// The label that starts a project; the first form label when not given.
    #[serde(default)]
    pub start: Option<String>,
    /// The title lines.
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
    /// How the layout is recognised.
    #[serde(default)]
    pub detect: DetectSpec,
    /// The label/value grid of a project's header, row by row.
    #[serde(default)]
    pub form: Vec<FormRow>,
    /// The indicator table under each project's form.
    #[serde(default)]
    pub indicators: Option<IndicatorSpec>,
}

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

impl names::Named for Codec {
    const KEY: &'static str = "codec";
    const WHAT: &'static str = "codec";
    fn all() -> &'static [(&'static str, Self)] {
        &[("numbered", Codec::Numbered)]
    }
}
names::deserialize_named!(Codec);

impl ListColumn {
    /// The match keys of the column: its label and aliases.
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

/// The title lines at the top of each sheet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleSpec {
    /// "表十四、{fiscal_year}年项目支出绩效目标表"
    #[serde(deserialize_with = "title_pattern")]
    pub text: Pattern,
    /// A second line ("({fiscal_year}年度)").
    #[serde(default, deserialize_with = "title_pattern_opt")]
    pub subtitle: Option<Pattern>,
}

/// What stands before each project on a stacked sheet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    /// A heading line, "{no}.{name}绩效目标表" ({no} counts from 1).
    #[serde(default, deserialize_with = "heading_pattern")]
    pub heading: Option<Pattern>,
    /// Blank rows before each project.
    #[serde(default)]
    pub gap: u32,
}

/// A sheet of department-level text: one heading or paragraph per row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionsSpec {
    /// The sheet's name when written.
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
    /// Labels this layout prints; the share found scores the layout. Defaults to the
    /// template's own labels (form, indicator, list and duty columns).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Words in the title that tell this layout from one with the same grid.
    #[serde(default)]
    pub title: Vec<String>,
}

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
    /// The model slot shown in this cell.
    #[serde(default)]
    pub field: Option<Field>,
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

fn one() -> u32 {
    1
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

impl names::Named for FromSide {
    const KEY: &'static str = "from";
    const WHAT: &'static str = "side";
    fn all() -> &'static [(&'static str, Self)] {
        &[
            ("left", FromSide::Left),
            ("above", FromSide::Above),
            ("right", FromSide::Right),
        ]
    }
}
names::deserialize_named!(FromSide);

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

impl names::Named for CellStyle {
    const KEY: &'static str = "style";
    const WHAT: &'static str = "style";
    fn all() -> &'static [(&'static str, Self)] {
        &[
            ("text", CellStyle::Text),
            ("value", CellStyle::Value),
            ("label", CellStyle::Label),
            ("note", CellStyle::Note),
            ("note-right", CellStyle::NoteRight),
        ]
    }
}
names::deserialize_named!(CellStyle);

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

/// How projects are placed when written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

impl names::Named for Arrangement {
    const KEY: &'static str = "arrangement";
    const WHAT: &'static str = "arrangement";
    fn all() -> &'static [(&'static str, Self)] {
        &[
            ("sheet-per-project", Arrangement::SheetPerProject),
            ("stacked", Arrangement::Stacked),
            ("table", Arrangement::Table),
        ]
    }
}
names::deserialize_named!(Arrangement);

/// The indicator table: a header row of column labels, then one row per indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// A label in the column before the table, merged down over it ("绩效指标").
    #[serde(default)]
    pub caption: Option<String>,
    /// Periods shown side by side, each with its own 二级/三级/value columns (luan).
    #[serde(default, deserialize_with = "periods")]
    pub sides: Vec<Period>,
    /// The header labels in order.
    pub columns: Vec<IndicatorColumn>,
    /// Every 二级 class of each 一级 class, printed as empty rows when unused.
    #[serde(default)]
    pub classes: IndexMap<String, Vec<String>>,
}

/// A column of the indicator table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumn {
    /// The header label.
    pub label: String,
    /// Other spellings of the label that the reader accepts.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What the column holds.
    pub field: IndicatorField,
    /// The side (period) this column belongs to, when the table has sides.
    #[serde(default, deserialize_with = "side")]
    pub side: Option<Period>,
    /// For a value column outside sides: its period ("annual", "half_year").
    #[serde(default, deserialize_with = "period")]
    pub period: Option<Period>,
    /// Columns the column spans.
    #[serde(default = "one")]
    pub cols: u32,
}

impl IndicatorColumn {
    /// The period of a value column.
    pub fn value_period(&self) -> Option<Period> {
        self.period.or(self.side)
    }

    /// The match keys of the column: its label and aliases.
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

    /// The cell's own field.
    pub fn field(&self) -> Option<Field> {
        self.field
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
        self.field
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

fn title_pattern<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Pattern, D::Error> {
    let text = String::deserialize(d)?;
    Pattern::parse("text", &text, pattern::Context::Title).map_err(serde::de::Error::custom)
}

fn title_pattern_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    let text = String::deserialize(d)?;
    Pattern::parse("subtitle", &text, pattern::Context::Title)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn heading_pattern<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    let text = String::deserialize(d)?;
    Pattern::parse("heading", &text, pattern::Context::Project)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn sheet_pattern<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    let text = String::deserialize(d)?;
    Pattern::parse("sheet_name", &text, pattern::Context::Project)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn cell_pattern<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    let text = String::deserialize(d)?;
    Pattern::parse("format", &text, pattern::Context::Cell)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn capture_field<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Field>, D::Error> {
    let path = String::deserialize(d)?;
    Field::parse_or_suggest("capture", &path)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A period named under `key`, with a suggestion when it is not one.
fn period_named(key: &str, name: &str) -> std::result::Result<Period, String> {
    Period::from_key(name).ok_or_else(|| {
        names::unknown(
            key,
            name,
            "period",
            Period::ALL.iter().map(|p| p.key().to_string()),
        )
    })
}

fn side<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Period>, D::Error> {
    let name = String::deserialize(d)?;
    period_named("side", &name)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn period<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Period>, D::Error> {
    let name = String::deserialize(d)?;
    period_named("period", &name)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn periods<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<Period>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    names
        .iter()
        .map(|n| period_named("sides", n))
        .collect::<std::result::Result<_, _>>()
        .map_err(serde::de::Error::custom)
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
        Template::load(name, text, None)
    }

    /// Parses a template; `extends` names a built-in or a file relative to `dir`.
    fn load(name: &str, text: &str, dir: Option<&Path>) -> Result<Template> {
        let bad = |message: String| Error::Template {
            name: name.to_string(),
            message,
        };
        let table = resolve_extends(name, text, dir, 0).map_err(bad)?;
        let mut template: Template = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| bad(one_line(&e.to_string())))?;
        template.validate().map_err(bad)?;
        if template.detect.labels.is_empty() {
            template.detect.labels = template.own_labels();
        }
        Ok(template)
    }

    /// Loads a user's template file.
    pub fn from_file(path: &Path) -> Result<Template> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Template::load(&path.display().to_string(), &text, path.parent())
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

    /// The list the form's repeated row prints, if it has one.
    pub fn repeat(&self) -> Option<Repeat> {
        self.form.iter().find_map(|r| r.repeat)
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

    /// Every field the form carries (cells, captures and pattern placeholders), for
    /// loss reports.
    pub fn fields(&self) -> Vec<Field> {
        self.form
            .iter()
            .flat_map(|r| &r.cells)
            .flat_map(FormCell::fields)
            .collect()
    }

    /// The labels the template prints: form labels, then indicator, list and duty
    /// column labels (the default `[detect] labels`).
    fn own_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        let form = self.form.iter().flat_map(|r| &r.cells);
        let columns = self
            .indicators
            .iter()
            .flat_map(|i| i.columns.iter().map(|c| &c.label));
        let list = self
            .list
            .iter()
            .flat_map(|l| l.columns.iter().map(|c| &c.label));
        let duties = self
            .duties
            .iter()
            .flat_map(|d| d.columns.iter().map(|c| &c.label));
        for label in form
            .filter_map(|c| c.label.as_ref())
            .chain(columns)
            .chain(list)
            .chain(duties)
        {
            if !label.trim().is_empty() && !labels.contains(label) {
                labels.push(label.clone());
            }
        }
        labels
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

    /// What the typed values cannot say on their own: shapes that fit together.
    fn validate(&self) -> std::result::Result<(), String> {
        if self.columns == 0 || self.columns > 256 {
            return Err(format!("`columns = {}`: must be 1 to 256", self.columns));
        }
        self.validate_form()?;
        self.validate_blocks()?;
        self.validate_kind()
    }

    fn validate_form(&self) -> std::result::Result<(), String> {
        for (i, row) in self.form.iter().enumerate() {
            let at = |key: &str| format!("form row {}: {key}", i + 1);
            for cell in &row.cells {
                let kinds = [
                    cell.label.is_some(),
                    cell.field.is_some(),
                    cell.is_pattern(),
                ];
                if kinds.iter().filter(|k| **k).count() != 1 {
                    return Err(format!(
                        "form row {}: a cell needs exactly one of `label`, `field` or a `format` naming fields",
                        i + 1
                    ));
                }
                if let Some(format) = &cell.format {
                    let own = format.slots().any(|s| s == pattern::Slot::Own);
                    let named = format.fields().next().is_some();
                    if cell.label.is_some() && cell.capture.is_none() {
                        return Err(at(&format!(
                            "`format = {:?}`: a label's format needs a `capture` field",
                            format.text
                        )));
                    }
                    if own && named {
                        return Err(at(&format!(
                            "`format = {:?}`: use either `{{}}` or field names, not both",
                            format.text
                        )));
                    }
                    if own && cell.field.is_none() && cell.capture.is_none() {
                        return Err(at(&format!(
                            "`format = {:?}`: `{{}}` needs the cell's `field`",
                            format.text
                        )));
                    }
                }
                if cell.cols == 0 || cell.rows == 0 {
                    return Err(at("`cols` and `rows` must be at least 1"));
                }
                for field in cell.fields() {
                    let line_of = match field.scope() {
                        field::Scope::Line(list) => Some(list),
                        _ => None,
                    };
                    if line_of != row.repeat && (line_of.is_some() || cell.label.is_none()) {
                        let path = field.path();
                        return Err(match (line_of, row.repeat) {
                            (Some(list), _) => at(&format!(
                                "`field = {path:?}`: a line field belongs in a row with `repeat = {:?}`",
                                names::Named::name(list)
                            )),
                            (None, Some(list)) => at(&format!(
                                "`field = {path:?}`: a row with `repeat = {:?}` holds only {0}.* fields",
                                names::Named::name(list)
                            )),
                            (None, None) => unreachable!("line_of != repeat"),
                        });
                    }
                }
            }
        }
        if self.form.iter().filter(|r| r.repeat.is_some()).count() > 1 {
            return Err("only one form row may have `repeat`".into());
        }
        let placed = self.placed_form();
        if let Some(p) = placed.iter().find(|p| p.col + p.cell.cols > self.columns) {
            return Err(format!(
                "form row {}: cells reach column {} but `columns = {}`",
                p.row + 1,
                p.col + p.cell.cols,
                self.columns
            ));
        }
        Ok(())
    }

    fn validate_blocks(&self) -> std::result::Result<(), String> {
        if self.arrangement == Arrangement::Table && (self.list.is_some() == self.duties.is_some())
        {
            return Err("`arrangement = \"table\"` needs exactly one of [list] or [duties]".into());
        }
        if let Some(list) = &self.list {
            for col in &list.columns {
                let indicators = col.field == ListField::Indicators;
                if indicators != col.codec.is_some() {
                    return Err(format!(
                        "list: column {:?}: `field = \"indicators\"` goes with `codec = \"numbered\"`, and only it",
                        col.label
                    ));
                }
            }
        }
        if let Some(ind) = &self.indicators {
            for col in &ind.columns {
                if col.field == IndicatorField::Value && col.value_period().is_none() {
                    return Err(format!(
                        "indicators: value column {:?} needs a `period` or `side`",
                        col.label
                    ));
                }
            }
            let width: u32 =
                ind.columns.iter().map(|c| c.cols).sum::<u32>() + u32::from(ind.caption.is_some());
            if width > self.columns {
                return Err(format!(
                    "indicators: {width} columns but `columns = {}`",
                    self.columns
                ));
            }
        }
        Ok(())
    }

    /// `kind` must say what the blocks hold.
    fn validate_kind(&self) -> std::result::Result<(), String> {
        let holds = self.holds();
        let department = holds.duties || holds.sections;
        let fits = match self.kind {
            Kind::Project => holds.projects,
            Kind::Department => department,
            Kind::Mixed => holds.projects && department,
        };
        if fits {
            return Ok(());
        }
        let suggested = match (holds.projects, department) {
            (true, true) => Some("mixed"),
            (true, false) => Some("project"),
            (false, true) => Some("department"),
            (false, false) => None,
        };
        let kind = serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let needs = match self.kind {
            Kind::Project => "an [indicators] or [list] block",
            Kind::Department => "a [duties] or [sections] block",
            Kind::Mixed => {
                "project blocks ([indicators] or [list]) and department blocks ([duties] or [sections])"
            }
        };
        Err(match suggested {
            Some(s) => {
                format!("`kind = {kind:?}`: the template has no {needs}; did you mean `{s}`?")
            }
            None => format!(
                "`kind = {kind:?}`: the template has no {needs}; add [indicators], [list], [duties] or [sections]"
            ),
        })
    }
}

/// A TOML error on one line, its place first: toml prints the position ("TOML parse
/// error at line 3, column 5"), the source line and a caret, or the key path ("in
/// `form.cells.style`"), around the message.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^'))
        .collect();
    let mut place = Vec::new();
    let mut said = Vec::new();
    for line in lines {
        if let Some(at) = line.strip_prefix("TOML parse error at ") {
            place.push(at.to_string());
        } else if let Some(key) = line.strip_prefix("in `").and_then(|k| k.strip_suffix('`')) {
            place.push(key.to_string());
        } else if !line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start()
            .starts_with('|')
        {
            // Not the quoted source line ("2 | name ="): the message itself.
            said.push(line.to_string());
        }
    }
    place.extend(said);
    place.join(": ")
}

/// The template's table with its `extends` chain merged in (child keys win).
fn resolve_extends(
    name: &str,
    text: &str,
    dir: Option<&Path>,
    depth: usize,
) -> std::result::Result<toml::Table, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    let Some(base) = table
        .get("extends")
        .and_then(|v| v.as_str())
        .map(str::to_string)
    else {
        return Ok(table);
    };
    if depth > 8 {
        return Err(format!(
            "`extends = {base:?}`: templates extend each other in a loop"
        ));
    }
    let mut merged = match BUILTIN.iter().find(|(id, _)| *id == base) {
        Some((id, base_text)) => resolve_extends(id, base_text, None, depth + 1)?,
        None => {
            let path: PathBuf = match dir {
                Some(d) => d.join(&base),
                None => PathBuf::from(&base),
            };
            let base_text = std::fs::read_to_string(&path).map_err(|e| {
                let valid: Vec<String> = builtin_ids().iter().map(|s| s.to_string()).collect();
                let mut m = format!(
                    "`extends = {base:?}`: no built-in layout of that name and no template file {} ({e})",
                    path.display()
                );
                if let Some(best) = names::nearest(&base, &valid) {
                    m.push_str(&format!("; did you mean `{best}`?"));
                } else {
                    m.push_str(&format!("; built-in layouts: {}", valid.join(", ")));
                }
                m
            })?;
            let _ = name;
            resolve_extends(
                &path.display().to_string(),
                &base_text,
                path.parent(),
                depth + 1,
            )
            .map_err(|e| format!("in {}: {e}", path.display()))?
        }
    };
    merge_tables(&mut merged, table);
    Ok(merged)
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

/// A layout by name: a built-in id, or a path to a template file.
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
        assert_eq!(national.title.text.text, "项目支出绩效目标申报表");
        assert_eq!(national.columns, 8, "inherited from luan");
    }

    #[test]
    fn row_spans_push_later_cells_right() {
        let t = Template::builtin("luan").unwrap();
        let placed = t.placed_form();
        let fiscal = placed
            .iter()
            .find(|p| p.cell.field == Field::parse("funding.mid_term.fiscal"))
            .unwrap();
        assert_eq!((fiscal.row, fiscal.col), (4, 4));
        let goal = placed
            .iter()
            .find(|p| p.cell.field == Field::parse("goals.annual.text"))
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
