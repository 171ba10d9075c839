//! What a printed label means: looked up in the built-in templates not withheld, then
//! in the synonym table.

use std::collections::BTreeMap;

use super::synonyms;
use crate::template::{FormField, FromSide, INDICATOR_FIELDS, Template};
use crate::text::label_key;

/// A label's meaning and where it was learnt.
#[derive(Debug, Clone)]
pub struct Known {
    /// The field path (`extras`, `section` included) of the value it labels.
    pub field: String,
    /// The value's `format`, when the form decorates it.
    pub format: Option<String>,
    /// Why: "主管部门 of yancheng" or "synonym 主管部门".
    pub reason: String,
}

/// Every label the drafter recognises, by label key.
#[derive(Debug, Default)]
pub struct Knowledge {
    form: BTreeMap<String, Known>,
    expenses: BTreeMap<String, Known>,
    indicators: BTreeMap<String, Known>,
}

impl Knowledge {
    /// Learns the built-in templates whose id is not in `without`, then the synonyms
    /// (a template's own placement wins: it also knows the format).
    pub fn new(without: &[String]) -> Knowledge {
        let mut k = Knowledge::default();
        // Indicator headers are read by their ordinary meaning first: a template that
        // reads its 一级指标 column as the 二级 class (ezhou) says so of its own form only.
        learn(&mut k.indicators, synonyms::INDICATORS);
        for t in Template::builtins() {
            if !without.iter().any(|w| w == &t.id) {
                k.learn_template(&t);
            }
        }
        learn(&mut k.form, synonyms::FORM);
        learn(&mut k.expenses, synonyms::EXPENSES);
        k
    }

    fn learn_template(&mut self, t: &Template) {
        let placed = t.placed_form();
        for p in &placed {
            let cell = p.cell;
            if cell.label.is_some() {
                continue;
            }
            // The label a value cell reads from, as the template places it.
            let label = match cell.from {
                FromSide::Above => placed
                    .iter()
                    .find(|q| q.row + q.rows == p.row && q.col == p.col && q.cell.label.is_some()),
                _ => placed
                    .iter()
                    .filter(|q| q.row == p.row && q.col < p.col && q.cell.label.is_some())
                    .max_by_key(|q| q.col),
            };
            let Some(label) = label.and_then(|q| q.cell.label.clone()) else {
                continue;
            };
            let field = match cell.field {
                Some(FormField::Field(f)) => f.path(),
                Some(FormField::Extras) => "extras".into(),
                Some(FormField::Section) => "section".into(),
                None => match cell.fields().next() {
                    Some(f) => f.path(),
                    None => continue,
                },
            };
            // A department's totals (ningde) are no project's amounts.
            if field.starts_with("total.") {
                continue;
            }
            let target = if p.repeat.is_some() {
                &mut self.expenses
            } else {
                &mut self.form
            };
            target.entry(label_key(&label)).or_insert(Known {
                field,
                format: cell.format.as_ref().map(|f| f.text.clone()),
                reason: format!("matched {label} of {}", t.id),
            });
        }
        if let Some(ind) = &t.indicators {
            for c in &ind.columns {
                let name = INDICATOR_FIELDS
                    .iter()
                    .find(|d| d.field == c.field)
                    .map_or("extras", |d| d.name);
                self.indicators.entry(label_key(&c.label)).or_insert(Known {
                    field: name.into(),
                    format: None,
                    reason: format!("matched {} of {}", c.label, t.id),
                });
            }
        }
    }

    /// A form label's meaning.
    pub fn form(&self, text: &str) -> Option<Known> {
        let key = label_key(text);
        if let Some(k) = self.form.get(&key) {
            return Some(k.clone());
        }
        // "3月底": the share spent by the end of that month (资金支出计划).
        let month = key.strip_suffix("月底")?;
        let n: u32 = month.parse().ok().filter(|n| (1..=12).contains(n))?;
        Some(Known {
            field: format!("schedule.{n}"),
            format: None,
            reason: format!("{text}: the 资金支出计划 share of month {n}"),
        })
    }

    /// A 支出 column label's meaning.
    pub fn expense(&self, text: &str) -> Option<Known> {
        let key = label_key(text);
        if let Some(k) = self.expenses.get(&key) {
            return Some(k.clone());
        }
        // "2020年实际执行数": that year's actual spending.
        let year: String = key.chars().take_while(|c| c.is_ascii_digit()).collect();
        (year.len() == 4 && key.ends_with("实际执行数")).then(|| Known {
            field: format!("expenses.actuals.{year}"),
            format: None,
            reason: format!("{text}: a year's 实际执行数"),
        })
    }

    /// An indicator column label's meaning.
    pub fn indicator(&self, text: &str) -> Option<&Known> {
        self.indicators.get(&label_key(text))
    }
}

fn learn(map: &mut BTreeMap<String, Known>, table: &[synonyms::Synonym]) {
    for s in table {
        map.entry(label_key(s.label)).or_insert(Known {
            field: s.field.into(),
            format: s.format.map(str::to_string),
            reason: format!("synonym {}", s.label),
        });
    }
}
