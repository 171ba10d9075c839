//! Templates (SPEC §6): one declarative file per layout, used by both the reader
//! (labels to look for, block structure) and the writer (grid, merges, widths).
//!
//! A template is parsed once, at load, into typed values: field paths ([`Field`]),
//! indicator and duty columns ([`IndicatorField`], [`DutyField`]), patterns
//! ([`Pattern`]) and the names of styles, codecs and repeated lists. A name that is
//! not one of them is refused with the file, the key and the nearest valid name.

pub mod detect;
mod duties;
mod field;
mod footer;
mod form;
mod indicators;
mod list;
mod load;
mod locate;
mod names;
pub(crate) mod order;
mod pattern;
pub(crate) mod read;
mod sections;
mod title;
pub mod vocabulary;
pub(crate) mod write;

use serde::Deserialize;

use crate::error::Result;
use crate::model::Kind;
use crate::text::label_key;
pub use duties::{DutiesSpec, DutyColumn, DutyField};
pub use field::{Field, FieldKind, Repeat, Scope};
pub use footer::{FooterSpec, SIGNATURE_WORDS, printed_signatures, signature_word, starts_footer};
pub use form::{CellStyle, FormCell, FormField, FormRow, FromSide, Placed, heading_key};
pub use indicators::{
    INDICATOR_FIELDS, IndicatorColumn, IndicatorField, IndicatorScope, IndicatorSpec,
};
pub use list::{Codec, ListColumn, ListField, ListSpec};
pub use load::{builtin_ids, resolve};
pub use names::Named;
pub use pattern::{Context, Pattern, Slot};
pub use sections::SectionsSpec;

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
    /// The money unit the form's amounts are in ("万元", "元"); a workbook that states
    /// its own ("单位：元") is read in that one.
    #[serde(default = "wan_yuan")]
    pub money_unit: String,
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
    /// The notes and signature slots the form prints under its table (under each
    /// project's table, or under the document's list or duties table).
    #[serde(default)]
    pub footer: Option<FooterSpec>,
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

names::named!(
    Arrangement,
    key = "arrangement",
    what = "arrangement",
    [
        ("sheet-per-project", Arrangement::SheetPerProject),
        ("stacked", Arrangement::Stacked),
        ("table", Arrangement::Table),
    ]
);

fn wan_yuan() -> String {
    "万元".to_string()
}

fn title_pattern<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Pattern, D::Error> {
    pattern::deserialize(d, "text", pattern::Context::Title)
}

fn title_pattern_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    pattern::deserialize(d, "subtitle", pattern::Context::Title).map(Some)
}

fn heading_pattern<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    pattern::deserialize(d, "heading", pattern::Context::Project).map(Some)
}

fn sheet_pattern<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Pattern>, D::Error> {
    pattern::deserialize(d, "sheet_name", pattern::Context::Project).map(Some)
}

impl Template {
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
        let document = self.document_indicators().is_some();
        Holds {
            projects: (self.indicators.is_some() && !document) || self.list.is_some(),
            duties: self.duties.is_some(),
            sections: self.sections.is_some(),
            section_cells: !self.section_keys().is_empty(),
            indicators: document,
        }
    }

    /// The indicator table, when it is the document's own (`scope = "document"`).
    pub fn document_indicators(&self) -> Option<&IndicatorSpec> {
        self.indicators
            .as_ref()
            .filter(|i| i.scope == IndicatorScope::Document)
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

    /// The labels the template prints (form labels, then indicator, list and duty
    /// column labels), as spelled in it.
    pub fn printed_labels(&self) -> Vec<String> {
        self.own_labels()
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
}

/// The parts of a document a layout has a place for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holds {
    /// Project tables (an indicator table or a flat list).
    pub projects: bool,
    /// A department duties table.
    pub duties: bool,
    /// Department text in sections.
    pub sections: bool,
    /// Form cells holding sections of given headings (ningde's 年度总体目标).
    pub section_cells: bool,
    /// A department-level indicator table.
    pub indicators: bool,
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
            .find(|p| p.cell.field() == Field::parse("funding.mid_term.fiscal"))
            .unwrap();
        assert_eq!((fiscal.row, fiscal.col), (4, 4));
        let goal = placed
            .iter()
            .find(|p| p.cell.field() == Field::parse("goals.annual.text"))
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
