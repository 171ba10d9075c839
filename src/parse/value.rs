//! Parses indicator value text into op / number / unit / date.

use crate::model::Value;

pub fn parse_value(text: &str) -> Value {
    Value {
        text: text.to_string(),
        ..Value::default()
    }
}
