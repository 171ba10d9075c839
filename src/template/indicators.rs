//! The indicator table: its column vocabulary.

use crate::model::{Indicator, Period, Value};

use super::field::FieldKind;
use super::names::{Named, deserialize_named};

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
];

impl Named for IndicatorField {
    const KEY: &'static str = "field";
    const WHAT: &'static str = "indicator column";
    fn all() -> &'static [(&'static str, Self)] {
        &[
            ("level1", IndicatorField::Level1),
            ("level2", IndicatorField::Level2),
            ("name", IndicatorField::Name),
            ("description", IndicatorField::Description),
            ("explanation", IndicatorField::Explanation),
            ("basis", IndicatorField::Basis),
            ("activity", IndicatorField::Activity),
            ("value", IndicatorField::Value),
        ]
    }
}
deserialize_named!(IndicatorField);

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

    /// The column's text for an indicator (`period` for a value column).
    pub fn get(self, indicator: &Indicator, period: Option<Period>) -> Option<String> {
        match self {
            IndicatorField::Name => Some(indicator.name.clone()),
            IndicatorField::Value => period
                .and_then(|p| indicator.values.get(p))
                .map(|v| v.text.clone()),
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
}
