//! Indicator values: the published text plus the meaning parsed from it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A target value such as "≥6次", "100%", "2025年12月" or "较高".
///
/// `text` is what was published; `op`, `number`, `unit` and `date` are parsed from it.
/// A value with neither number nor date is qualitative text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Value {
    /// The published text, e.g. "≥6次" (after clear extraction artifacts are mended).
    pub text: String,
    /// The comparison before the number, e.g. `">="` for "≥6次".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    /// A decimal string, e.g. "6", "1.146".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// "次", "%", "万元", "元/人*天" …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The date, for values such as "2025年12月15日".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateParts>,
}

/// A comparison written before a number. JSON: `">="`, `"<="`, `"="`, `">"` or `"<"`.
// The variants' docs are for rustdoc only (`cfg_attr(doc, …)`): a documented variant
// would turn this type's JSON Schema from `"enum": [...]` into `"oneOf": [...]`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Op {
    #[cfg_attr(doc, doc = r#"At least: "≥" or ">=" (JSON `">="`)."#)]
    #[serde(rename = ">=")]
    Ge,
    #[cfg_attr(doc, doc = r#"At most: "≤" or "<=" (JSON `"<="`)."#)]
    #[serde(rename = "<=")]
    Le,
    #[cfg_attr(doc, doc = r#"Exactly: "=" (JSON `"="`)."#)]
    #[serde(rename = "=")]
    Eq,
    #[cfg_attr(doc, doc = r#"More than: ">" (JSON `">"`)."#)]
    #[serde(rename = ">")]
    Gt,
    #[cfg_attr(doc, doc = r#"Less than: "<" (JSON `"<"`)."#)]
    #[serde(rename = "<")]
    Lt,
}

impl Op {
    /// The JSON form: ">=", "<=", "=", ">" or "<".
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Gt => ">",
            Op::Lt => "<",
        }
    }
}

/// A calendar date as far as it was written ("2025年12月" has no day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DateParts {
    /// The year, e.g. `2025`.
    pub year: i32,
    /// The month, 1 to 12, where written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    /// The day of the month, where written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
}
