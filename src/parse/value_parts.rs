//! An indicator value spread over several columns, as budget systems export it:
//! 指标性质 (the comparison, or 定性) | 指标值 | 度量单位.
//!
//! Reading joins the parts into the text a user would write ([`join`]): the op symbol
//! (`≥ ≤ = > <`, full-width and ASCII spellings folded), then the number, then the
//! unit — `"≥" "95" "%"` → `"≥95%"`. 定性 (qualitative) stands for no op: the 指标值 text
//! is the value (`"定性" "较高" ""` → `"较高"`), as is a blank op (`"" "95" "%"` →
//! `"95%"`); 定量 (quantitative) is a blank op too. A 度量单位 is never dropped: it follows
//! the 指标值 text in every case. An op this module does not know is kept as written,
//! before the number.
//!
//! Writing splits a value back ([`split`]): a number with no date goes to its three
//! columns when joining them gives back exactly the value's text (`"≤23.42万元"` →
//! `"≤" "23.42" "万元"`); a value without a number (qualitative text, a date) is
//! `"定性"` and its text; a number written some other way (`"不低于95%"`, `"＝100%"`) is a
//! blank op and the whole text. So `join(split(v))` is always `v.text`, and a value
//! written and read again is the same value.

use crate::model::{Op, Value};

/// The 指标性质 of a qualitative value.
pub const QUALITATIVE: &str = "定性";

/// The 指标性质 of a quantitative value with no comparison written.
pub const QUANTITATIVE: &str = "定量";

/// A value's three columns: 指标性质, 指标值, 度量单位.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueParts {
    /// The comparison symbol (`≥ ≤ = > <`), `定性`, or empty.
    pub op: String,
    /// The number, or the whole text of a value not split.
    pub number: String,
    /// The unit, or empty.
    pub unit: String,
}

/// The symbol written for an op in a 指标性质 column.
pub fn op_symbol(op: Op) -> &'static str {
    match op {
        Op::Ge => "≥",
        Op::Le => "≤",
        Op::Eq => "=",
        Op::Gt => ">",
        Op::Lt => "<",
    }
}

/// The symbol an op cell stands for ("＝" → "=", ">=" → "≥"), empty for a blank cell,
/// 定性 or 定量; an op not known here is kept as written.
fn fold_op(op: &str) -> String {
    let folded: String = op
        .trim()
        .chars()
        .map(crate::text::fold_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    match folded.as_str() {
        "" | QUALITATIVE | QUANTITATIVE => String::new(),
        ">=" | "=>" | "≥" | "≧" | "⩾" => "≥".into(),
        "<=" | "=<" | "≤" | "≦" | "⩽" => "≤".into(),
        "=" | "==" => "=".into(),
        ">" => ">".into(),
        "<" => "<".into(),
        _ => op.trim().to_string(),
    }
}

/// The value text the three columns stand for (see the module docs).
pub fn join(op: &str, number: &str, unit: &str) -> String {
    let (number, unit) = (number.trim(), unit.trim());
    if number.is_empty() && unit.is_empty() {
        return String::new();
    }
    format!("{}{number}{unit}", fold_op(op))
}

/// The three columns of a value (see the module docs).
pub fn split(value: &Value) -> ValueParts {
    if let Some(number) = value.number.as_deref().filter(|_| value.date.is_none()) {
        let parts = ValueParts {
            op: value.op.map(op_symbol).unwrap_or_default().to_string(),
            number: number.to_string(),
            unit: value.unit.clone().unwrap_or_default(),
        };
        if join(&parts.op, &parts.number, &parts.unit) == value.text {
            return parts;
        }
        return ValueParts {
            number: value.text.clone(),
            ..ValueParts::default()
        };
    }
    ValueParts {
        op: if value.text.trim().is_empty() {
            String::new()
        } else {
            QUALITATIVE.to_string()
        },
        number: value.text.clone(),
        unit: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(op: &str, number: &str, unit: &str) -> ValueParts {
        ValueParts {
            op: op.into(),
            number: number.into(),
            unit: unit.into(),
        }
    }

    #[test]
    fn joins_as_a_user_writes() {
        assert_eq!(join("≥", "95", "%"), "≥95%");
        assert_eq!(join("＞＝", "95", "%"), "≥95%");
        assert_eq!(join(">=", "6", "次"), "≥6次");
        assert_eq!(join("≤", "23.42", "万元"), "≤23.42万元");
        assert_eq!(join("＝", "100", "%"), "=100%");
        assert_eq!(join("＞", "3", "个"), ">3个");
        assert_eq!(join("<", "0.3", "%"), "<0.3%");
        assert_eq!(join("定性", "较高", ""), "较高");
        assert_eq!(join(" 定性 ", "2025年12月", ""), "2025年12月");
        assert_eq!(join("", "95", "%"), "95%");
        assert_eq!(join("定量", "95", "%"), "95%");
        assert_eq!(join("约", "95", "%"), "约95%");
        // A unit is never dropped, and an op alone is no value.
        assert_eq!(join("定性", "好", "评级"), "好评级");
        assert_eq!(join("≥", "", ""), "");
        assert_eq!(join("定性", "", ""), "");
    }

    #[test]
    fn joined_text_parses_to_op_number_unit() {
        let v = Value::parse(&join("≥", "95", "%"));
        assert_eq!(v.op, Some(Op::Ge));
        assert_eq!(v.number.as_deref(), Some("95"));
        assert_eq!(v.unit.as_deref(), Some("%"));
        let v = Value::parse(&join("＝", "100", "%"));
        assert_eq!(v.op, Some(Op::Eq));
    }

    #[test]
    fn splits_into_the_three_columns() {
        let s = |t: &str| split(&Value::parse(t));
        assert_eq!(s("≥95%"), parts("≥", "95", "%"));
        assert_eq!(s("≤23.42万元"), parts("≤", "23.42", "万元"));
        assert_eq!(s("=100%"), parts("=", "100", "%"));
        assert_eq!(s("≥6次"), parts("≥", "6", "次"));
        assert_eq!(s(">3个"), parts(">", "3", "个"));
        assert_eq!(s("100%"), parts("", "100", "%"));
        assert_eq!(s("较高"), parts("定性", "较高", ""));
        assert_eq!(s("2025年12月"), parts("定性", "2025年12月", ""));
        // A number written otherwise keeps its text whole.
        assert_eq!(s("不低于95%"), parts("", "不低于95%", ""));
        assert_eq!(s("＝100%"), parts("", "＝100%", ""));
        assert_eq!(s("≥ 95 %"), parts("", "≥ 95 %", ""));
        assert_eq!(split(&Value::default()), parts("", "", ""));
    }

    #[test]
    fn split_then_join_round_trips_exactly() {
        for text in [
            "≥95%",
            "≤23.42万元",
            "=100%",
            "≥6次",
            "较高",
            "2025年12月",
            "100%",
            "90%以上",
            "不低于95%",
            "＝100%",
            "≥210 平方米（等候区除外）",
            "1-3个",
            "2025年12月15日前",
            "≤1.50元/人*天",
        ] {
            let v = Value::parse(text);
            let p = split(&v);
            let back = join(&p.op, &p.number, &p.unit);
            assert_eq!(back, text, "{text}: {p:?}");
            assert_eq!(Value::parse(&back), v, "{text}");
        }
    }
}
