//! Rolling last year's tables forward to a new budget year (SPEC §8).
//!
//! What moves: the fiscal year and the year in titles; dates inside the old year in
//! 时效指标 targets (by the difference, "2023年12月" → "2024年12月"); linyi's 上年值, which
//! takes the old 年度指标值. What is reported: a project whose period ended before the new
//! year, and a 前三年均值 that could not be recomputed. Nothing else changes.

use serde::Serialize;

use crate::model::{Document, Indicator, Period, Value};

/// One change (or notice) made by rolling a document forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The project's name, unless the change is to the document itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The indicator's name, for a change to an indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// What changed, e.g. "fiscal_year" or "values.annual".
    pub field: String,
    /// The value before (empty for a notice).
    pub from: String,
    /// The value after (empty for a notice).
    pub to: String,
    /// For notices that change nothing: why it needs a person's look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Moves a document to `year`. Returns every change and notice.
pub fn roll_forward(doc: &mut Document, year: i32) -> Vec<Change> {
    roll_forward_with(doc, year, &[])
}

/// As `roll_forward`, with earlier years' tables at hand: a linyi 前三年均值 is then
/// recomputed from the same indicator's 年度指标值 in the three years before `year`
/// (this table's year and the two before it, same department).
pub(crate) fn roll_forward_with(
    doc: &mut Document,
    year: i32,
    history: &[&Document],
) -> Vec<Change> {
    let older = |back: i32| {
        history.iter().copied().find(|h| {
            h.fiscal_year == doc.fiscal_year.map(|y| y - back)
                && h.department.as_ref().map(|d| &d.name)
                    == doc.department.as_ref().map(|d| &d.name)
        })
    };
    let earlier: Vec<&Document> = [older(1), older(2)].into_iter().flatten().collect();
    let earlier: Vec<Document> = earlier.into_iter().cloned().collect();
    roll(doc, year, &earlier)
}

fn roll(doc: &mut Document, year: i32, earlier: &[Document]) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(old) = doc.fiscal_year else {
        changes.push(notice(
            None,
            None,
            "fiscal_year",
            "the document states no fiscal year; only it is set",
        ));
        doc.fiscal_year = Some(year);
        return changes;
    };
    let delta = year - old;
    if delta == 0 {
        return changes;
    }
    doc.fiscal_year = Some(year);
    changes.push(change(
        None,
        None,
        "fiscal_year",
        old.to_string(),
        year.to_string(),
    ));
    if let Some(title) = &doc.title {
        let moved = title.replace(&format!("{old}年"), &format!("{year}年"));
        if &moved != title {
            changes.push(change(None, None, "title", title.clone(), moved.clone()));
            doc.title = Some(moved);
        }
    }
    for project in &mut doc.projects {
        let name = Some(project.name.as_str());
        for ind in &mut project.indicators {
            if is_timeliness(ind) {
                for period in Period::ALL {
                    if let Some(v) = ind
                        .values
                        .get(period)
                        .filter(|v| v.date.is_some_and(|d| d.year == old))
                    {
                        let moved = move_year(&v.text, old, year);
                        if moved != v.text {
                            changes.push(change(
                                name,
                                Some(&ind.name),
                                &format!("values.{}", period.key()),
                                v.text.clone(),
                                moved.clone(),
                            ));
                            ind.values.set(period, Some(Value::parse(&moved)));
                        }
                    }
                }
            }
        }
        let ended = project.period.end_year.or_else(|| {
            project
                .goals
                .mid_term
                .as_ref()
                .and_then(|g| g.period.as_deref())
                .and_then(last_year)
        });
        if let Some(end) = ended.filter(|e| *e < year) {
            changes.push(notice(
                name,
                None,
                "period",
                &format!(
                    "the project period ended in {end}, before {year}: check whether it continues"
                ),
            ));
        }
    }
    if let Some(overall) = &mut doc.overall {
        for duty in &mut overall.duties {
            for objective in &mut duty.objectives {
                for ind in &mut objective.indicators {
                    let past: Vec<&Indicator> = earlier
                        .iter()
                        .filter_map(|d| find_indicator(d, &ind.name))
                        .collect();
                    roll_reference(ind, &past, &mut changes);
                }
            }
        }
    }
    changes
}

/// The same-named indicator of a department table.
fn find_indicator<'a>(doc: &'a Document, name: &str) -> Option<&'a Indicator> {
    doc.overall
        .iter()
        .flat_map(|o| &o.duties)
        .flat_map(|d| &d.objectives)
        .flat_map(|o| &o.indicators)
        .find(|i| i.name == name)
}

/// The mean of three 年度指标值 with one unit ("85亿元", "77亿元", "55亿元" → "72.33亿元").
fn mean_of(values: &[&Value]) -> Option<String> {
    use std::str::FromStr;
    let unit = values.first()?.unit.clone();
    let mut sum = rust_decimal::Decimal::ZERO;
    for v in values {
        if v.unit != unit || v.date.is_some() {
            return None;
        }
        sum += rust_decimal::Decimal::from_str(v.number.as_deref()?).ok()?;
    }
    let mean = (sum / rust_decimal::Decimal::from(values.len() as u32))
        .round_dp(2)
        .normalize();
    Some(format!("{mean}{}", unit.unwrap_or_default()))
}

/// linyi: the old 年度指标值 becomes 上年值; 前三年均值 is recomputed from `past` (the
/// two years before this table's) when both are there, else kept and flagged.
fn roll_reference(ind: &mut Indicator, past: &[&Indicator], changes: &mut Vec<Change>) {
    let Some(annual) = ind.values.annual.as_ref().map(|v| v.text.clone()) else {
        return;
    };
    let reference = ind.reference.get_or_insert_with(Default::default);
    let history = reference.history.get_or_insert_with(Default::default);
    let before = history.last_year.clone().unwrap_or_default();
    if before != annual {
        changes.push(change(
            None,
            Some(&ind.name),
            "reference.history.last_year",
            before,
            annual.clone(),
        ));
        history.last_year = Some(annual);
    }
    let mut years: Vec<&Value> = ind.values.annual.iter().collect();
    years.extend(past.iter().filter_map(|p| p.values.annual.as_ref()));
    let recomputed = (years.len() == 3).then(|| mean_of(&years)).flatten();
    if let Some(mean) = recomputed {
        let before = history.avg_3y.clone().unwrap_or_default();
        if before != mean {
            changes.push(change(
                None,
                Some(&ind.name),
                "reference.history.avg_3y",
                before,
                mean.clone(),
            ));
            history.avg_3y = Some(mean);
        }
    } else if history.avg_3y.is_some() {
        changes.push(notice(
            None,
            Some(&ind.name),
            "reference.history.avg_3y",
            "前三年均值 kept from the old table: recompute it from the three previous years",
        ));
    }
}

/// Whether an indicator is a 时效指标 (by its class, or by a 时限/时间 name).
fn is_timeliness(ind: &Indicator) -> bool {
    ind.level2.as_deref().is_some_and(|l| l.contains("时效"))
        || ["时限", "时间", "及时", "按时"]
            .iter()
            .any(|w| ind.name.contains(w))
}

/// "2023年12月15日" → "2024年12月15日" (and "2023-12-15" style): only the old year moves.
fn move_year(text: &str, old: i32, new: i32) -> String {
    let old_s = old.to_string();
    let new_s = new.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&old_s) {
        let before_ok = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let after = &rest[at + old_s.len()..];
        let after_ok = !after.chars().next().is_some_and(|c| c.is_ascii_digit());
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok {
            &new_s
        } else {
            &old_s
        });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The last four-digit year in a period label ("2023年—2025年" → 2025).
fn last_year(label: &str) -> Option<i32> {
    let digits: Vec<char> = label.chars().collect();
    digits
        .windows(4)
        .rev()
        .find(|w| w.iter().all(char::is_ascii_digit))
        .and_then(|w| w.iter().collect::<String>().parse().ok())
}

fn change(
    project: Option<&str>,
    indicator: Option<&str>,
    field: &str,
    from: String,
    to: String,
) -> Change {
    Change {
        project: project.map(str::to_string),
        indicator: indicator.map(str::to_string),
        field: field.to_string(),
        from,
        to,
        note: None,
    }
}

fn notice(project: Option<&str>, indicator: Option<&str>, field: &str, note: &str) -> Change {
    Change {
        project: project.map(str::to_string),
        indicator: indicator.map(str::to_string),
        field: field.to_string(),
        from: String::new(),
        to: String::new(),
        note: Some(note.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_old_year_moves() {
        assert_eq!(move_year("2023年12月15日", 2023, 2024), "2024年12月15日");
        assert_eq!(move_year("2023-06-30", 2023, 2024), "2024-06-30");
        assert_eq!(move_year("20235年", 2023, 2024), "20235年");
        assert_eq!(move_year("2025年12月", 2023, 2024), "2025年12月");
        assert_eq!(last_year("2023年—2025年"), Some(2025));
    }
}
