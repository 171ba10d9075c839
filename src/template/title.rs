//! Title patterns: "{fiscal_year}年{department}部门预算整体绩效目标表" both prints a
//! title and recognises one, giving back the year and department it names.

use crate::model::{Document, Project};

use super::Field;
use super::pattern::{Pattern, Slot};

/// What a title names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleParts {
    /// The year in `{fiscal_year}`.
    pub fiscal_year: Option<i32>,
    /// The name in `{department}`.
    pub department: Option<String>,
}

/// Prints a title pattern for a document: a missing year prints as blanks to fill in.
pub fn render(pattern: &Pattern, doc: &Document) -> String {
    pattern.fill(|slot| match slot {
        Slot::Field(Field::FISCAL_YEAR) => doc
            .fiscal_year
            .map_or_else(|| "    ".to_string(), |y| y.to_string()),
        Slot::Field(f) => f.get(doc, &Project::default()).unwrap_or_default(),
        _ => String::new(),
    })
}

/// Matches a title against a pattern (widths, spaces and bracket styles aside). Text
/// after the pattern's end is allowed: "…目标表（10）" still matches "…目标表".
pub fn matches(pattern: &Pattern, text: &str) -> Option<TitleParts> {
    let mut parts = TitleParts::default();
    for (slot, value) in pattern.match_key(text)? {
        match slot {
            Slot::Field(Field::FISCAL_YEAR) => {
                parts.fiscal_year = Some(value.parse().ok().filter(|y| (1900..2200).contains(y))?)
            }
            Slot::Field(Field::DEPARTMENT_NAME) if !value.is_empty() => {
                parts.department = Some(value)
            }
            _ => return None,
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(text: &str) -> Pattern {
        Pattern::parse("text", text, super::super::pattern::Context::Title).unwrap()
    }

    #[test]
    fn recognises_year_and_department() {
        let p = matches(
            &title("{fiscal_year}年{department}部门预算整体绩效目标表"),
            "2023年临沂市住房公积金中心部门预算整体绩效目标表（10）",
        )
        .unwrap();
        assert_eq!(p.fiscal_year, Some(2023));
        assert_eq!(p.department.as_deref(), Some("临沂市住房公积金中心"));
        let p = matches(
            &title("表十四、{fiscal_year}年项目支出绩效目标表"),
            "表十四、2023年项目支出绩效目标表",
        )
        .unwrap();
        assert_eq!(p.fiscal_year, Some(2023));
        assert!(
            matches(
                &title("项目支出绩效目标申报表"),
                "表十四、2023年项目支出绩效目标表"
            )
            .is_none()
        );
        assert!(matches(&title("{fiscal_year}年度"), "二〇二三年度").is_none());
    }
}
