//! Title patterns: "{fiscal_year}年{department}部门预算整体绩效目标表" both prints a
//! title and recognises one, giving back the year and department it names.

use crate::model::Document;
use crate::text::label_key;

/// What a title names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleParts {
    pub fiscal_year: Option<i32>,
    pub department: Option<String>,
}

/// Prints a title pattern for a document.
pub fn render(pattern: &str, doc: &Document) -> String {
    let year = doc
        .fiscal_year
        .map_or_else(|| "    ".to_string(), |y| y.to_string());
    let department = doc.department.as_ref().map_or("", |d| d.name.as_str());
    pattern
        .replace("{fiscal_year}", &year)
        .replace("{department}", department)
}

/// Matches a title against a pattern (widths, spaces and bracket styles aside). Text
/// after the pattern's end is allowed: "…目标表（10）" still matches "…目标表".
pub fn matches(pattern: &str, text: &str) -> Option<TitleParts> {
    let text = label_key(text);
    let mut parts = TitleParts::default();
    let mut rest = text.as_str();
    let mut pending: Option<&str> = None;
    for (i, piece) in pattern.split(['{', '}']).enumerate() {
        if i % 2 == 1 {
            pending = Some(piece);
            continue;
        }
        let literal = label_key(piece);
        if literal.is_empty() {
            continue;
        }
        let at = rest.find(&literal)?;
        match pending.take() {
            Some(name) => take(&mut parts, name, &rest[..at])?,
            None if at != 0 => return None,
            None => {}
        }
        rest = &rest[at + literal.len()..];
    }
    if let Some(name) = pending {
        take(&mut parts, name, rest)?;
    }
    Some(parts)
}

fn take(parts: &mut TitleParts, name: &str, value: &str) -> Option<()> {
    match name {
        "fiscal_year" => {
            parts.fiscal_year = Some(value.parse().ok().filter(|y| (1900..2200).contains(y))?)
        }
        "department" if !value.is_empty() => parts.department = Some(value.to_string()),
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_year_and_department() {
        let p = matches(
            "{fiscal_year}年{department}部门预算整体绩效目标表",
            "2023年临沂市住房公积金中心部门预算整体绩效目标表（10）",
        )
        .unwrap();
        assert_eq!(p.fiscal_year, Some(2023));
        assert_eq!(p.department.as_deref(), Some("临沂市住房公积金中心"));
        let p = matches(
            "表十四、{fiscal_year}年项目支出绩效目标表",
            "表十四、2023年项目支出绩效目标表",
        )
        .unwrap();
        assert_eq!(p.fiscal_year, Some(2023));
        assert!(matches("项目支出绩效目标申报表", "表十四、2023年项目支出绩效目标表").is_none());
        assert!(matches("{fiscal_year}年度", "二〇二三年度").is_none());
    }
}
