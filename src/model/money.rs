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
    /// Parses published money text: thousands separators, full-width digits and
    /// surrounding spaces are accepted; a trailing "万元"/"元" unit is ignored.
    pub fn parse(text: &str) -> Option<Money> {
        let folded: String = text
            .chars()
            .map(crate::text::fold_width)
            .filter(|c| !c.is_whitespace() && *c != ',')
            .collect();
        let trimmed = folded
            .trim_end_matches("万元")
            .trim_end_matches('元')
            .trim_start_matches('¥');
        if trimmed.is_empty() {
            return None;
        }
        Decimal::from_str_exact(trimmed).ok().map(Money)
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
