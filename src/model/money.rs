//! Exact money amounts: a decimal that keeps the scale it was published with.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in the document's `money_unit`, exactly as published.
///
/// `"0.00"` stays `"0.00"` and `"12,748.27"` reads as `"12748.27"`: the scale is
/// part of the value because a round trip must reproduce what was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money(pub Decimal);

impl Money {
    /// Parses money as published in a form whose unit is 万元, typed as text or read
    /// from a cell:
    ///
    /// - white space anywhere is dropped: `" 77.03 "`, `"77.03　"` (a full-width space);
    /// - full-width digits and signs fold: `"７７.０３"`;
    /// - thousands separators are dropped: `"1,003.82"`, `"1，003.82"`;
    /// - a currency sign in front is dropped: `"¥77.03"`, `"￥77.03"`;
    /// - the form's own unit behind is dropped: `"77.03万元"`, `"77.03万"`;
    /// - the scale is kept as published: `"77.030"` stays `"77.030"`.
    ///
    /// An amount in 元 (`"77.03元"`) is not the same number in a 万元 form: it is not
    /// an amount here (None), so the reader keeps the text in extras with a warning
    /// rather than silently storing a number ten thousand times too large.
    pub fn parse(text: &str) -> Option<Money> {
        let folded: String = text
            .chars()
            .map(|c| match c {
                '\u{FFE5}' => '¥',
                c => crate::text::fold_width(c),
            })
            .filter(|c| !c.is_whitespace() && *c != ',')
            .collect();
        let number = folded.strip_prefix('¥').unwrap_or(&folded);
        let number = number
            .strip_suffix("万元")
            .or_else(|| number.strip_suffix('万'))
            .unwrap_or(number);
        // Only a sign, digits and one point are left of an amount.
        if number.is_empty()
            || !number
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        {
            return None;
        }
        Decimal::from_str_exact(number).ok().map(Money)
    }

    /// A number read from a spreadsheet cell, rounded to `decimals` places (the
    /// cell's number format); without a format, the shortest exact form.
    pub fn from_f64(value: f64, decimals: Option<u32>) -> Option<Money> {
        if !value.is_finite() {
            return None;
        }
        let mut d = Decimal::from_f64_retain(value)?;
        match decimals {
            Some(dp) => {
                d = d.round_dp(dp);
                d.rescale(dp);
            }
            None => {
                // f64 noise such as 77.03000000000001: no published amount has 9+ places.
                d = d.round_dp(9).normalize();
            }
        }
        Some(Money(d))
    }

    /// Whether the amount is zero, whatever its scale ("0", "0.00").
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// The amount as a float, for a spreadsheet cell (0.0 if it cannot be one).
    pub fn to_f64(&self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        self.0.to_f64().unwrap_or(0.0)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(d)?;
        Money::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a decimal amount: {text:?}")))
    }
}

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A decimal amount in the document's money_unit, exactly as published (scale kept, no thousands separators).",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_scale_and_drops_separators() {
        assert_eq!(Money::parse("0.00").unwrap().to_string(), "0.00");
        assert_eq!(Money::parse("12,748.27").unwrap().to_string(), "12748.27");
        assert_eq!(Money::parse(" 1003.82 ").unwrap().to_string(), "1003.82");
        assert_eq!(Money::parse("１２３.５").unwrap().to_string(), "123.5");
        assert!(Money::parse("").is_none());
        assert!(Money::parse("abc").is_none());
    }

    fn parsed(text: &str) -> Option<String> {
        Money::parse(text).map(|m| m.to_string())
    }

    #[test]
    fn text_with_the_forms_unit() {
        assert_eq!(parsed("77.03万元").as_deref(), Some("77.03"));
        assert_eq!(parsed("77.03 万元").as_deref(), Some("77.03"));
        assert_eq!(parsed("77.03万").as_deref(), Some("77.03"));
    }

    #[test]
    fn text_with_thousands_separators() {
        assert_eq!(parsed("1,003.82").as_deref(), Some("1003.82"));
        assert_eq!(parsed("1，003.82").as_deref(), Some("1003.82"));
        assert_eq!(parsed("12,748.27万元").as_deref(), Some("12748.27"));
    }

    #[test]
    fn text_with_a_currency_sign() {
        assert_eq!(parsed("¥77.03").as_deref(), Some("77.03"));
        assert_eq!(parsed("￥77.03").as_deref(), Some("77.03"));
        assert_eq!(parsed("￥1,003.82").as_deref(), Some("1003.82"));
    }

    #[test]
    fn text_with_spaces_around() {
        assert_eq!(parsed("77.03\u{3000}").as_deref(), Some("77.03"));
        assert_eq!(parsed("\u{3000}77.03").as_deref(), Some("77.03"));
        assert_eq!(parsed(" 77.03 ").as_deref(), Some("77.03"));
        assert_eq!(parsed("\t77.03\n").as_deref(), Some("77.03"));
        assert_eq!(parsed("77.03\u{a0}").as_deref(), Some("77.03"));
    }

    #[test]
    fn text_keeps_its_scale() {
        assert_eq!(parsed("77.030").as_deref(), Some("77.030"));
        assert_eq!(parsed("0.00").as_deref(), Some("0.00"));
        assert_eq!(parsed("５００").as_deref(), Some("500"));
    }

    #[test]
    fn yuan_is_not_an_amount_in_wanyuan() {
        assert_eq!(parsed("77.03元"), None);
        assert_eq!(parsed("770300元"), None);
        assert_eq!(parsed("¥770,300元"), None);
        assert_eq!(parsed("77.03美元"), None);
        assert_eq!(parsed("约77.03"), None);
        assert_eq!(parsed("77.03万元万元"), None);
        assert_eq!(parsed("¥"), None);
        assert_eq!(parsed("万元"), None);
    }

    #[test]
    fn floats_take_the_cell_format_scale() {
        assert_eq!(
            Money::from_f64(77.03, Some(2)).unwrap().to_string(),
            "77.03"
        );
        assert_eq!(Money::from_f64(0.0, Some(2)).unwrap().to_string(), "0.00");
        assert_eq!(
            Money::from_f64(77.030_000_000_000_01, None)
                .unwrap()
                .to_string(),
            "77.03"
        );
        assert_eq!(Money::from_f64(500.0, None).unwrap().to_string(), "500");
        assert!(Money::from_f64(f64::NAN, None).is_none());
    }
}
