//! The indicator table: its column vocabulary, the reader (header row found by its
//! labels, one indicator per row, sides matched by class and name) and the renderer
//! (class cells merged down over their rows).

use std::borrow::Cow;

use serde::Deserialize;

use indexmap::IndexMap;

use crate::grid::{Cell, Sheet};
use crate::model::{Indicator, Period, Project, Value};
use crate::parse::value_parts::{join, split};
use crate::render::{Content, RenderedSheet, Style};
use crate::text::label_key;

use super::locate::{Header, Region, find_header_row};
use super::names;
use super::order::{IndicatorRow, indicator_rows};
use super::read::Reader;
use super::{Placed, Template};

use super::field::FieldKind;

/// The indicator table: a header row of column labels, then one row per indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Whose indicators the table holds: each project's (default), or the document's
    /// as a whole (`scope = "document"`, with `arrangement = "table"`: ningde).
    #[serde(default)]
    pub scope: IndicatorScope,
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
    #[serde(default = "super::form::one")]
    pub cols: u32,
}

/// Whose indicators an indicator table holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IndicatorScope {
    /// One table per project, under its form.
    #[default]
    Project,
    /// One table for the whole document (department-level indicators of no duty).
    Document,
}

super::names::named!(
    IndicatorScope,
    key = "scope",
    what = "indicator scope",
    [
        ("project", IndicatorScope::Project),
        ("document", IndicatorScope::Document),
    ]
);

impl IndicatorColumn {
    /// The column's text for an indicator, as written: an `extras` column gives the
    /// indicator's extra under the column's label.
    pub fn text(&self, indicator: &Indicator) -> Option<String> {
        match self.field {
            IndicatorField::Extras => indicator.extras.get(&self.label).cloned(),
            field => field.get(indicator, self.value_period()),
        }
    }

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

/// What an indicator table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorField {
    /// 一级指标
    Level1,
    /// 二级指标
    Level2,
    /// 三级指标 / 绩效指标: the indicator's name.
    Name,
    /// 绩效指标描述 (tangshan)
    Description,
    /// 指标解释 (linyi)
    Explanation,
    /// 指标值确定依据 (tangshan)
    Basis,
    /// 工作活动 (linyi)
    Activity,
    /// 指标值 of the column's period.
    Value,
    /// The comparison of the column's period's value (指标性质: ≥ ≤ = > <, or 定性).
    ValueOp,
    /// The number of the column's period's value (指标值 beside a 指标性质 column), or
    /// the text of a value not split.
    ValueNumber,
    /// The unit of the column's period's value (度量单位, 计量单位).
    ValueUnit,
    /// A column the model has no name for: its text goes to `extras[<label>]`.
    Extras,
}

/// One row of the indicator column vocabulary.
pub struct IndicatorFieldDef {
    /// The name templates use.
    pub name: &'static str,
    /// The column's value.
    pub field: IndicatorField,
    /// The kind of cell.
    pub kind: FieldKind,
    /// One line for the vocabulary table.
    pub about: &'static str,
    /// The text slot of a text column (all but `name` and `value`).
    slot: Option<fn(&mut Indicator) -> &mut Option<String>>,
    /// The same slot, to read.
    text: Option<fn(&Indicator) -> &Option<String>>,
}

/// Every indicator column a template may name.
pub static INDICATOR_FIELDS: &[IndicatorFieldDef] = &[
    IndicatorFieldDef {
        name: "level1",
        field: IndicatorField::Level1,
        kind: FieldKind::Text,
        about: "一级指标 (产出指标, 效益指标 …); merged down over its rows",
        slot: Some(|i| &mut i.level1),
        text: Some(|i| &i.level1),
    },
    IndicatorFieldDef {
        name: "level2",
        field: IndicatorField::Level2,
        kind: FieldKind::Text,
        about: "二级指标 (数量指标, 质量指标 …); merged down over its rows",
        slot: Some(|i| &mut i.level2),
        text: Some(|i| &i.level2),
    },
    IndicatorFieldDef {
        name: "name",
        field: IndicatorField::Name,
        kind: FieldKind::Text,
        about: "三级指标: the indicator's name; a row without one is no indicator",
        slot: None,
        text: None,
    },
    IndicatorFieldDef {
        name: "description",
        field: IndicatorField::Description,
        kind: FieldKind::Text,
        about: "绩效指标描述",
        slot: Some(|i| &mut i.description),
        text: Some(|i| &i.description),
    },
    IndicatorFieldDef {
        name: "explanation",
        field: IndicatorField::Explanation,
        kind: FieldKind::Text,
        about: "指标解释",
        slot: Some(|i| &mut i.explanation),
        text: Some(|i| &i.explanation),
    },
    IndicatorFieldDef {
        name: "basis",
        field: IndicatorField::Basis,
        kind: FieldKind::Text,
        about: "指标值确定依据",
        slot: Some(|i| &mut i.basis),
        text: Some(|i| &i.basis),
    },
    IndicatorFieldDef {
        name: "activity",
        field: IndicatorField::Activity,
        kind: FieldKind::Text,
        about: "工作活动",
        slot: Some(|i| &mut i.activity),
        text: Some(|i| &i.activity),
    },
    IndicatorFieldDef {
        name: "value",
        field: IndicatorField::Value,
        kind: FieldKind::Value,
        about: "指标值 of the column's `period` (or its side's)",
        slot: None,
        text: None,
    },
    IndicatorFieldDef {
        name: "value.op",
        field: IndicatorField::ValueOp,
        kind: FieldKind::Text,
        about: "指标性质 of the value of the column's `period` (or its side's): ≥ ≤ = > < (full width too), or 定性; read with `value.number` and `value.unit` into one value",
        slot: None,
        text: None,
    },
    IndicatorFieldDef {
        name: "value.number",
        field: IndicatorField::ValueNumber,
        kind: FieldKind::Text,
        about: "指标值 beside a `value.op` column: the value's number, or the text of a qualitative value",
        slot: None,
        text: None,
    },
    IndicatorFieldDef {
        name: "value.unit",
        field: IndicatorField::ValueUnit,
        kind: FieldKind::Text,
        about: "度量单位 / 计量单位 of the value of the column's `period` (or its side's)",
        slot: None,
        text: None,
    },
    IndicatorFieldDef {
        name: "extras",
        field: IndicatorField::Extras,
        kind: FieldKind::Text,
        about: "a column the model has no name for (权重, 分值, 备注 …): the indicator's `extras[<the column's label>]`",
        slot: None,
        text: None,
    },
];

super::names::named!(
    IndicatorField,
    key = "field",
    what = "indicator column",
    [
        ("level1", IndicatorField::Level1),
        ("level2", IndicatorField::Level2),
        ("name", IndicatorField::Name),
        ("description", IndicatorField::Description),
        ("explanation", IndicatorField::Explanation),
        ("basis", IndicatorField::Basis),
        ("activity", IndicatorField::Activity),
        ("value", IndicatorField::Value),
        ("value.op", IndicatorField::ValueOp),
        ("value.number", IndicatorField::ValueNumber),
        ("value.unit", IndicatorField::ValueUnit),
        ("extras", IndicatorField::Extras),
    ]
);

impl IndicatorField {
    fn def(self) -> &'static IndicatorFieldDef {
        INDICATOR_FIELDS
            .iter()
            .find(|d| d.field == self)
            .expect("every indicator field has a row")
    }

    /// Whether the column is one of the class columns, merged down when written.
    pub fn is_class(self) -> bool {
        matches!(self, IndicatorField::Level1 | IndicatorField::Level2)
    }

    /// Whether the column holds a value of its period, whole or in part.
    pub fn is_value(self) -> bool {
        matches!(
            self,
            IndicatorField::Value
                | IndicatorField::ValueOp
                | IndicatorField::ValueNumber
                | IndicatorField::ValueUnit
        )
    }

    /// The part of a split value the column holds (0 op, 1 number, 2 unit).
    fn value_part(self) -> Option<usize> {
        match self {
            IndicatorField::ValueOp => Some(0),
            IndicatorField::ValueNumber => Some(1),
            IndicatorField::ValueUnit => Some(2),
            _ => None,
        }
    }

    /// The column's text for an indicator (`period` for a value column; none for an
    /// `extras` column, whose key is its label: see [`IndicatorColumn::text`]).
    pub fn get(self, indicator: &Indicator, period: Option<Period>) -> Option<String> {
        let value = || period.and_then(|p| indicator.values.get(p));
        match self {
            IndicatorField::Name => Some(indicator.name.clone()),
            IndicatorField::Value => value().map(|v| v.text.clone()),
            IndicatorField::ValueOp => value().map(|v| split(v).op),
            IndicatorField::ValueNumber => value().map(|v| split(v).number),
            IndicatorField::ValueUnit => value().map(|v| split(v).unit),
            IndicatorField::Extras => None,
            _ => self.def().text.and_then(|text| text(indicator).clone()),
        }
    }

    /// Stores a cell's text: a value is parsed for the column's period.
    pub fn set(self, indicator: &mut Indicator, period: Option<Period>, text: String) {
        match self {
            IndicatorField::Name => indicator.name = text,
            IndicatorField::Value => {
                if let Some(p) = period {
                    indicator.values.set(p, Some(Value::parse(&text)));
                }
            }
            _ => {
                if let Some(slot) = self.text_slot(indicator) {
                    *slot = Some(text);
                }
            }
        }
    }

    /// The optional text slot of a text column (not `name`, not `value`).
    pub fn text_slot(self, indicator: &mut Indicator) -> Option<&mut Option<String>> {
        self.def().slot.map(|slot| slot(indicator))
    }

    /// The text [`IndicatorField::text_slot`] holds, read without taking it.
    pub fn slot_text(self, indicator: &Indicator) -> Option<String> {
        self.def().text.and_then(|text| text(indicator).clone())
    }
}

impl Reader<'_> {
    /// Reads the indicator rows under the header; returns the last row read.
    pub(super) fn read_indicators(
        &mut self,
        sheet: &Sheet,
        region: Region,
        spec: &IndicatorSpec,
        header: &Header,
        project: &mut Project,
        owner: &str,
    ) -> usize {
        let table = Table::new(sheet, region, spec, header);
        let mut classes = Classes {
            level1: None,
            level2: vec![None; table.sides.len()],
        };
        let mut lists: Vec<Vec<(Indicator, usize)>> = vec![Vec::new(); table.sides.len()];
        // Value provenance by sheet row, in the order first read (re-keyed by indicator
        // index below, without touching the document's growing map for every value).
        let mut pending: IndexMap<(usize, Period), String> = IndexMap::new();
        let mut texts = RowTexts::default();
        let mut last_row = header.row;
        let (first, last) = header.span();
        for row in header.row + 1..region.end_row {
            texts.read(sheet, header, row);
            if self.is_heading_row(sheet, row) || self.ends_table(sheet, row, first, last) {
                break;
            }
            if texts.all_empty() {
                // A blank row inside the table is skipped; text elsewhere ends it.
                let anything = (0..sheet.rows.get(row).map_or(0, Vec::len))
                    .any(|c| !sheet.raw(row, c).is_empty());
                if anything {
                    break;
                }
                continue;
            }
            last_row = row;
            table.read_level1(&texts, sheet, row, &mut classes);
            for (s, list) in lists.iter_mut().enumerate() {
                table.read_level2(s, &texts, sheet, row, &mut classes);
                if let Some(ind) =
                    self.read_indicator(&table, s, &texts, row, &classes, &mut pending)
                {
                    list.push((ind, row));
                }
            }
        }
        let merged = merge_sides(lists);
        self.rekey_values(pending, &merged, owner);
        project.indicators = merged.into_iter().map(|(i, _)| i).collect();
        last_row
    }

    /// The document's own indicator table (`scope = "document"`): the form above its
    /// header is read once for the document, the table into `overall.indicators`,
    /// and what stands under it into the document's notes and signatures.
    pub(super) fn read_document_indicators(&mut self, sheet: &Sheet, spec: &IndicatorSpec) {
        let wanted: Vec<Vec<String>> = spec.columns.iter().map(|c| c.keys()).collect();
        let Some(header) = self.read_table_head(sheet, &wanted) else {
            return;
        };
        self.read_document_indicator_rows(sheet, spec, header);
    }

    /// The rows of the document's indicator table under its header, into
    /// `overall.indicators`, then the footer under it.
    pub(super) fn read_document_indicator_rows(
        &mut self,
        sheet: &Sheet,
        spec: &IndicatorSpec,
        header: Header,
    ) {
        let whole = Region {
            first_row: 0,
            end_row: sheet.height(),
        };
        let mut scratch = Project::default();
        let last = self.read_indicators(sheet, whole, spec, &header, &mut scratch, "overall");
        self.read_document_footer(sheet, last + 1, sheet.height());
        if !scratch.indicators.is_empty() {
            if self.doc.source.sheet.is_none() {
                self.doc.source.sheet = Some(sheet.name.clone());
            }
            let overall = self.doc.overall.get_or_insert_with(Default::default);
            overall.indicators.extend(scratch.indicators);
        }
    }

    /// One side's indicator on a row: its name, classes and the other columns of
    /// that side; none when the side's name cell is blank.
    fn read_indicator<'s>(
        &mut self,
        table: &Table<'s, '_>,
        s: usize,
        texts: &RowTexts<'s>,
        row: usize,
        classes: &Classes,
        pending: &mut IndexMap<(usize, Period), String>,
    ) -> Option<Indicator> {
        let (sheet, spec, side) = (table.sheet, table.spec, table.sides[s]);
        let name_col = table.column(IndicatorField::Name, side)?;
        let name = texts.at(sheet, row, name_col);
        if name.is_empty() {
            return None;
        }
        let mut ind = Indicator {
            level1: classes.level1.clone(),
            level2: classes.level2[s].clone(),
            name: self.clean(sheet, row, name_col, &name),
            ..Indicator::default()
        };
        let mut parts: Vec<SplitValue> = Vec::new();
        for (col, at) in spec.columns.iter().zip(&table.header.columns) {
            let Some(c) = *at else { continue };
            // With sides, a column of another side is not this one's, and a column
            // of no side is read with the first.
            if !spec.sides.is_empty() && col.side.is_some() && col.side != side {
                continue;
            }
            if !spec.sides.is_empty() && col.side.is_none() && s > 0 {
                continue;
            }
            // The classes and the name are read above.
            if col.field.is_class() || col.field == IndicatorField::Name {
                continue;
            }
            let raw = texts.at(sheet, row, c);
            if raw.is_empty() {
                continue;
            }
            let text = self.clean(sheet, row, c, &raw);
            let period = col.value_period();
            if col.field == IndicatorField::Extras {
                ind.extras.insert(col.label.clone(), text);
                continue;
            }
            if let Some(part) = col.field.value_part() {
                let Some(period) = period else { continue };
                let at = match parts.iter().position(|(p, _, _)| *p == period) {
                    Some(at) => at,
                    None => {
                        parts.push((period, Default::default(), None));
                        parts.len() - 1
                    }
                };
                let entry = &mut parts[at];
                entry.1[part] = text;
                // The 指标值 cell is the value's; another part stands in without one.
                if entry.2.as_ref().is_none_or(|(p, _)| part == 1 && *p != 1) {
                    entry.2 = Some((part, sheet.origin(row, c)));
                }
                continue;
            }
            if col.field == IndicatorField::Value {
                let Some(period) = period else { continue };
                pending.insert((row, period), sheet.origin(row, c));
            }
            col.field.set(&mut ind, period, text);
        }
        for (period, [op, number, unit], cell) in parts {
            let text = join(&op, &number, &unit);
            if text.is_empty() {
                continue;
            }
            ind.values.set(period, Some(Value::parse(&text)));
            if let Some((_, cell)) = cell {
                pending.insert((row, period), cell);
            }
        }
        Some(ind)
    }

    /// Records where each value came from. Provenance was keyed by sheet row; it is
    /// re-keyed by indicator index. A value whose row is not its indicator's (a side
    /// matched to another row) keeps its row key, ahead of the re-keyed ones.
    fn rekey_values(
        &mut self,
        mut pending: IndexMap<(usize, Period), String>,
        merged: &[(Indicator, usize)],
        owner: &str,
    ) {
        let mut rekeyed = Vec::new();
        for (j, (_, row)) in merged.iter().enumerate() {
            for period in Period::ALL {
                if let Some(cell) = pending.shift_remove(&(*row, period)) {
                    rekeyed.push((
                        format!("{owner}.indicators[{j}].values.{}", period.key()),
                        cell,
                    ));
                }
            }
        }
        let cells = &mut self.doc.source.cells;
        for ((row, period), cell) in pending {
            cells.insert(
                format!("{owner}.indicators[@{row}].values.{}", period.key()),
                cell,
            );
        }
        cells.extend(rekeyed);
    }
}

/// An indicator table found on a sheet: its columns and how its class cells behave.
struct Table<'s, 't> {
    sheet: &'s Sheet,
    spec: &'t IndicatorSpec,
    header: &'t Header,
    /// The periods read side by side (one `None` when the table has no sides).
    sides: Vec<Option<Period>>,
    /// A blank class cell means "as above" where the table does not merge its class
    /// cells (a CSV, or a clerk who never merges); where it does, blank is blank.
    carries: bool,
}

impl<'s, 't> Table<'s, 't> {
    fn new(sheet: &'s Sheet, region: Region, spec: &'t IndicatorSpec, header: &'t Header) -> Self {
        let sides = if spec.sides.is_empty() {
            vec![None]
        } else {
            spec.sides.iter().copied().map(Some).collect()
        };
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
        Table {
            sheet,
            spec,
            header,
            sides,
            carries: !merges_classes,
        }
    }

    /// The sheet column of a field on a side.
    fn column(&self, field: IndicatorField, side: Option<Period>) -> Option<usize> {
        self.spec
            .columns
            .iter()
            .zip(&self.header.columns)
            .find_map(|(col, at)| {
                let same_side = self.spec.sides.is_empty() || col.side == side;
                (col.field == field && same_side).then_some(*at).flatten()
            })
    }

    /// A new 一级 class starts its 二级 classes afresh.
    fn read_level1(
        &self,
        texts: &RowTexts<'s>,
        sheet: &'s Sheet,
        row: usize,
        classes: &mut Classes,
    ) {
        let Some(c) = self
            .column(IndicatorField::Level1, None)
            .or_else(|| self.column(IndicatorField::Level1, self.sides[0]))
        else {
            return;
        };
        let t = texts.at(sheet, row, c);
        if t.is_empty() && !self.carries {
            classes.level1 = None;
            classes.level2.iter_mut().for_each(|l| *l = None);
        } else if !t.is_empty() && Some(t.as_ref()) != classes.level1.as_deref() {
            classes.level1 = Some(t.into_owned());
            classes.level2.iter_mut().for_each(|l| *l = None);
        }
    }

    fn read_level2(
        &self,
        s: usize,
        texts: &RowTexts<'s>,
        sheet: &'s Sheet,
        row: usize,
        classes: &mut Classes,
    ) {
        if let Some(c) = self.column(IndicatorField::Level2, self.sides[s]) {
            let t = texts.at(sheet, row, c);
            if !t.is_empty() {
                classes.level2[s] = Some(t.into_owned());
            } else if !self.carries {
                classes.level2[s] = None;
            }
        }
    }
}

/// The parts of a split value read on a row: its period, the op, number and unit texts,
/// and the cell recorded as the value's (the 指标值 cell, part 1, when there is one).
type SplitValue = (Period, [String; 3], Option<(usize, String)>);

/// The classes in force on a row: 一级 for the table, 二级 per side.
struct Classes {
    level1: Option<String>,
    level2: Vec<Option<String>>,
}

/// The trimmed text of each table column on one row, read once per row and borrowed
/// from the sheet (a province's table has hundreds of thousands of cells).
#[derive(Default)]
struct RowTexts<'s> {
    texts: Vec<(usize, Cow<'s, str>)>,
}

impl<'s> RowTexts<'s> {
    fn read(&mut self, sheet: &'s Sheet, header: &Header, row: usize) {
        self.texts.clear();
        for &c in header.columns.iter().flatten() {
            if !self.texts.iter().any(|(k, _)| *k == c) {
                self.texts.push((c, trimmed(sheet.value(row, c))));
            }
        }
    }

    fn all_empty(&self) -> bool {
        self.texts.iter().all(|(_, t)| t.is_empty())
    }

    fn at(&self, sheet: &'s Sheet, row: usize, col: usize) -> Cow<'s, str> {
        match self.texts.iter().find(|(k, _)| *k == col) {
            Some((_, t)) => t.clone(),
            None => trimmed(sheet.value(row, col)),
        }
    }
}

fn trimmed(cell: &Cell) -> Cow<'_, str> {
    match cell.shown() {
        Cow::Borrowed(t) => Cow::Borrowed(t.trim()),
        Cow::Owned(t) => Cow::Owned(t.trim().to_string()),
    }
}

/// Sides list the same indicators: rows are matched by (level1, level2, name), so each
/// indicator carries every period it has.
fn merge_sides(lists: Vec<Vec<(Indicator, usize)>>) -> Vec<(Indicator, usize)> {
    let mut merged: Vec<(Indicator, usize)> = Vec::new();
    for list in lists {
        let mut taken = vec![false; merged.len()];
        for (ind, row) in list {
            let existing = merged.iter().enumerate().position(|(i, (m, _))| {
                !taken[i] && m.level1 == ind.level1 && m.level2 == ind.level2 && m.name == ind.name
            });
            match existing {
                Some(i) => {
                    taken[i] = true;
                    for period in Period::ALL {
                        if let Some(v) = ind.values.get(period) {
                            merged[i].0.values.set(period, Some(v.clone()));
                        }
                    }
                    for (label, text) in ind.extras {
                        merged[i].0.extras.entry(label).or_insert(text);
                    }
                }
                None => {
                    merged.push((ind, row));
                    taken.push(true);
                }
            }
        }
    }
    merged
}

/// Finds the row holding the indicator column labels, and maps each column in order.
pub(super) fn find_header(sheet: &Sheet, region: Region, spec: &IndicatorSpec) -> Option<Header> {
    let wanted: Vec<Vec<String>> = spec.columns.iter().map(|c| c.keys()).collect();
    find_header_row(sheet, region, &wanted)
}

/// An indicator column whose label the form's last row already prints over it, in the
/// same sheet columns: a band row above the header (鄂州 prints 保障绩效目标实现措施 there,
/// beside 绩效指标 over the other columns). The form's label cell is merged down over
/// the header row, which then prints no label of its own in those columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Band {
    /// The indicator column: its index in `columns`.
    pub(super) column: usize,
    /// Its first sheet column.
    pub(super) col: u32,
}

impl Template {
    /// The indicator columns labelled by the form's last row (see [`Band`]).
    pub(super) fn bands(&self) -> Vec<Band> {
        let Some(spec) = &self.indicators else {
            return Vec::new();
        };
        // Only an indicator table stands right under the form (not a list, not duties).
        if self.list.is_some() || self.duties.is_some() {
            return Vec::new();
        }
        let form = self.placed_form();
        let end = form.iter().map(|p| p.row + p.rows).max().unwrap_or(0);
        let last: Vec<&Placed> = form
            .iter()
            .filter(|p| p.row + p.rows == end && p.cell.label.is_some() && p.cell.capture.is_none())
            .collect();
        let mut col = u32::from(spec.caption.is_some());
        let mut bands = Vec::new();
        for (i, column) in spec.columns.iter().enumerate() {
            let key = label_key(&column.label);
            let over = |p: &&&Placed| {
                p.col == col && p.cell.cols == column.cols && p.cell.keys().contains(&key)
            };
            if last.iter().any(|p| over(&p)) {
                bands.push(Band { column: i, col });
            }
            col += column.cols;
        }
        bands
    }
}

/// Lays out the indicator table from its header row; returns its last row. The columns
/// in `bands` leave their header cell to the form's label above them.
pub(super) fn render_indicators(
    sheet: &mut RenderedSheet,
    header_row: u32,
    project: &Project,
    spec: &IndicatorSpec,
    bands: &[Band],
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
    for (index, column) in spec.columns.iter().enumerate() {
        if !bands.iter().any(|b| b.column == index) {
            sheet.put(
                header_row,
                col,
                1,
                column.cols,
                Content::text(&column.label.clone()),
                Style::Label,
            );
        }
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
                    // A 二级 column merges its runs also where no 一级 is stated (鄂州
                    // prints no 一级 column: its first column holds the 二级 class).
                    let classed = k.0.is_some() || (!by_level1 && k.1.is_some());
                    while j < rows.len() && key(&rows[j]) == k && classed {
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
            // A measure labelled in the band row stands beside the whole table, written
            // once beside the indicators it serves: each run of equal texts (blank
            // included) is one merged cell, read back for every row. An ordinary
            // extra column (分值, 权重) keeps one cell per indicator.
            IndicatorField::Extras if bands.iter().any(|b| b.column == index) => {
                let texts: Vec<String> = rows
                    .iter()
                    .map(|r| r.indicator.and_then(|ind| column.text(ind)))
                    .map(Option::unwrap_or_default)
                    .collect();
                let mut i = 0;
                while i < texts.len() {
                    let j = (i + 1..texts.len())
                        .find(|&j| texts[j] != texts[i])
                        .unwrap_or(texts.len());
                    let (at, span) = (first + i as u32, (j - i) as u32);
                    let content = Content::text(&texts[i]);
                    sheet.put(at, col, span, column.cols, content, Style::Text);
                    i = j;
                }
            }
            field => {
                for (i, r) in rows.iter().enumerate() {
                    let content = r.indicator.and_then(|ind| column.text(ind));
                    let style = if field.is_value() {
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
