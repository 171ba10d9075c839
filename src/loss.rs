//! The loss report: what a conversion cannot place in the target layout, what it
//! inferred, and what the target form leaves blank. Computed from the same knowledge
//! the writer uses, so `carried` is exactly what reading the written form gives back.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

pub use crate::infer::Inferred;
use crate::model::{Document, Fund, Kind, Period};
use crate::template::field::ExpenseColumn;
use crate::template::{Field, Template};

/// Everything a conversion to one layout did to a document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LossReport {
    pub source: String,
    pub target: String,
    /// Values the target has no place for (kept only in the embedded copy).
    pub dropped: Vec<Dropped>,
    /// Values the converter inferred because the target requires them.
    pub inferred: Vec<Inferred>,
    /// Slots the target form prints that the source has no value for (left blank).
    pub blank: Vec<Blank>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    pub field: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blank {
    pub project: String,
    pub field: String,
    /// How many indicators lack it, for indicator fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicators: Option<usize>,
}

impl LossReport {
    pub fn is_empty(&self) -> bool {
        self.dropped.is_empty() && self.inferred.is_empty() && self.blank.is_empty()
    }

    /// A few lines for stderr: counts by field.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let count = |fields: Vec<&str>| {
            let mut by: BTreeMap<&str, usize> = BTreeMap::new();
            for f in fields {
                *by.entry(f).or_default() += 1;
            }
            by.iter()
                .map(|(f, n)| {
                    if *n > 1 {
                        format!("{f} ×{n}")
                    } else {
                        f.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let lines = [
            (
                "loss",
                self.dropped
                    .iter()
                    .map(|d| d.field.as_str())
                    .collect::<Vec<_>>(),
                "value(s) have no place in",
            ),
            (
                "inferred",
                self.inferred.iter().map(|d| d.field.as_str()).collect(),
                "value(s) inferred for",
            ),
            (
                "blank",
                self.blank.iter().map(|d| d.field.as_str()).collect(),
                "slot(s) left blank in",
            ),
        ];
        for (tag, fields, what) in lines {
            if !fields.is_empty() {
                let _ = writeln!(
                    out,
                    "{tag}: {} {what} {}: {}",
                    fields.len(),
                    self.target,
                    count(fields)
                );
            }
        }
        out
    }
}

/// What a layout can hold. The one place that reads the target's fields and indicator
/// columns, for the inference and the pruning alike.
pub(crate) struct Capacity {
    fields: Vec<Field>,
    indicator_fields: Vec<String>,
    periods: Vec<Period>,
    /// The funds a list has amount columns for.
    list_funds: Vec<Fund>,
    indicator_table: bool,
    sections: bool,
    /// A 合计 row and unit subtotal rows.
    list: bool,
    duties: bool,
    fiscal_year: bool,
}

impl Capacity {
    pub(crate) fn of(t: &Template) -> Capacity {
        let (indicator_fields, periods) = Capacity::indicator_columns(t);
        let list_funds = t
            .list
            .iter()
            .flat_map(|l| &l.columns)
            .filter_map(|c| match Field::parse(&c.field) {
                Some(Field::Amount(_, fund)) => Some(fund),
                _ => None,
            })
            .collect();
        let fiscal_year = t.title.text.contains("{fiscal_year}")
            || t.title
                .subtitle
                .as_deref()
                .is_some_and(|s| s.contains("{fiscal_year}"));
        Capacity {
            fields: Capacity::form_fields(t),
            indicator_fields,
            periods,
            list_funds,
            indicator_table: t.indicators.is_some(),
            sections: t.sections.is_some(),
            list: t.list.as_ref().is_some_and(|l| l.total.is_some()),
            duties: t.duties.is_some(),
            fiscal_year,
        }
    }

    /// The fields of the form, the list and the title; a joined cell holds its parts.
    fn form_fields(t: &Template) -> Vec<Field> {
        let mut fields = t.fields();
        if fields.contains(&Field::ManagerPhone) {
            fields.extend([Field::Manager, Field::Phone]);
        }
        if fields.contains(&Field::DocDepartment) || fields.contains(&Field::DocDepartmentJoined) {
            fields.extend([Field::DocDepartmentName, Field::DocDepartmentCode]);
        }
        if let Some(list) = &t.list {
            fields.extend(list.columns.iter().filter_map(|c| Field::parse(&c.field)));
            fields.push(Field::Unit);
        }
        if t.title.text.contains("{department}") {
            fields.push(Field::DocDepartmentName);
        }
        fields
    }

    /// The indicator table's columns and value periods, then those of a list's
    /// numbered column (一级 class, name and annual value in one cell).
    fn indicator_columns(t: &Template) -> (Vec<String>, Vec<Period>) {
        let (mut fields, mut periods): (Vec<String>, Vec<Period>) = match &t.indicators {
            Some(spec) => (
                spec.columns.iter().map(|c| c.field.clone()).collect(),
                spec.columns
                    .iter()
                    .filter(|c| c.field == "value")
                    .filter_map(|c| c.value_period())
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let mut list_columns = t.list.iter().flat_map(|l| &l.columns);
        if list_columns.any(|c| c.codec.as_deref() == Some("numbered")) {
            fields.extend(["level1", "name", "value"].map(str::to_string));
            periods.push(Period::Annual);
        }
        (fields, periods)
    }

    fn holds(&self, field: Field) -> bool {
        match field {
            Field::Expense(_) => self.fields.iter().any(|f| matches!(f, Field::Expense(_))),
            f => self.fields.contains(&f),
        }
    }

    /// Whether the form prints a column for an indicator field ("level1", "value", …).
    pub(crate) fn has_indicator_column(&self, field: &str) -> bool {
        self.indicator_fields.iter().any(|f| f == field)
    }

    /// Whether the form has an indicator table (not only a list's numbered column).
    pub(crate) fn has_indicator_table(&self) -> bool {
        self.indicator_table
    }

    /// Whether the form prints a list with a 合计 row and unit subtotals.
    pub(crate) fn has_list_total(&self) -> bool {
        self.list
    }

    /// The funds the form's list has amount columns for.
    pub(crate) fn list_funds(&self) -> &[Fund] {
        &self.list_funds
    }

    /// Whether the form has a department duties table.
    pub(crate) fn has_duties_table(&self) -> bool {
        self.duties
    }

    /// Whether the form has rows for the 支出明细 (expense lines).
    fn holds_expenses(&self) -> bool {
        self.holds(Field::Expense(ExpenseColumn::Name))
    }
}

/// Prepares a document for a layout: infers what the layout requires, and works out
/// what it cannot hold. Returns the document to write (with inferred fields, nothing
/// removed, and without `source.cells`: those name cells of the file read), the part
/// the written form itself will carry, and the report.
pub fn prepare(doc: &Document, target: &Template) -> (Document, Document, LossReport) {
    prepare_owned(doc.without_provenance(), target)
}

/// [`prepare`] for a document that is no longer needed: it becomes the one to write,
/// with no copy made.
pub fn prepare_owned(doc: Document, target: &Template) -> (Document, Document, LossReport) {
    let cap = Capacity::of(target);
    let mut report = LossReport {
        source: doc.source.layout.clone(),
        target: target.id.clone(),
        ..Default::default()
    };
    let mut to_write = doc;
    to_write.source.cells = Default::default();

    report.inferred = crate::infer::for_layout(&mut to_write, target);

    let mut carried = to_write.clone();
    carried.extras.clear();
    let mut dropped: Vec<Dropped> = Vec::new();
    let mut blanks: Vec<Blank> = Vec::new();
    let mut drop =
        |project: Option<&str>, indicator: Option<&str>, field: String, value: String| {
            dropped.push(Dropped {
                project: project.map(str::to_string),
                indicator: indicator.map(str::to_string),
                field,
                value,
            });
        };
    for (k, v) in &to_write.extras {
        drop(None, None, format!("extras.{k}"), v.clone());
    }
    if !cap.fiscal_year
        && let Some(y) = to_write.fiscal_year
    {
        drop(None, None, "fiscal_year".into(), y.to_string());
        carried.fiscal_year = None;
    }
    let empty = crate::model::Project::default();
    for field in [Field::DocDepartmentName, Field::DocDepartmentCode] {
        if !cap.holds(field)
            && let Some(v) = field.get(&to_write, &empty).filter(|v| !v.is_empty())
        {
            drop(None, None, field.path(), v);
            let mut scratch = empty.clone();
            field.clear(&mut carried, &mut scratch);
        }
    }
    if carried
        .department
        .as_ref()
        .is_some_and(|d| d.name.is_empty() && d.code.is_none())
    {
        carried.department = None;
    }
    if let Some(total) = to_write.total.as_ref().filter(|_| !cap.list) {
        drop(None, None, "total".into(), format!("{total:?}"));
        carried.total = None;
    }
    if !cap.list {
        for unit in &to_write.units {
            drop(None, None, "units".into(), unit.name.clone());
        }
        carried.units.clear();
    }
    if let Some(overall) = &to_write.overall {
        if !cap.sections && !overall.sections.is_empty() {
            drop(
                None,
                None,
                "overall.sections".into(),
                format!("{} section(s)", overall.sections.len()),
            );
        }
        if !cap.duties && !overall.duties.is_empty() {
            drop(
                None,
                None,
                "overall.duties".into(),
                format!("{} duty(ies)", overall.duties.len()),
            );
        }
        let kept = crate::model::Overall {
            sections: if cap.sections {
                overall.sections.clone()
            } else {
                Vec::new()
            },
            duties: if cap.duties {
                overall.duties.clone()
            } else {
                Vec::new()
            },
        };
        carried.overall = (!kept.sections.is_empty() || !kept.duties.is_empty()).then_some(kept);
    }

    for (source, kept) in to_write.projects.iter().zip(carried.projects.iter_mut()) {
        let name = Some(source.name.as_str());
        for field in Field::all_project_fields() {
            if let Some(v) = field.get(&to_write, source) {
                if !cap.holds(field) {
                    drop(name, None, field.path(), v);
                    field.clear(&mut Document::new(Kind::Project), kept);
                }
            } else if cap.holds(field) && !matches!(field, Field::GoalPeriod(_)) {
                blanks.push(Blank {
                    project: source.name.clone(),
                    field: field.path(),
                    indicators: None,
                });
            }
        }
        if !cap.holds_expenses() {
            for e in &source.funding.expenses {
                drop(name, None, "funding.expenses".into(), e.name.clone());
            }
            kept.funding.expenses.clear();
        }
        for (k, v) in &source.extras {
            drop(name, None, format!("extras.{k}"), v.clone());
        }
        kept.extras.clear();
        for (ind, kept_ind) in source.indicators.iter().zip(kept.indicators.iter_mut()) {
            let iname = Some(ind.name.as_str());
            let has = |f: &str| cap.indicator_fields.iter().any(|c| c == f);
            let mut check = |field: &str, value: &mut Option<String>| {
                if !has(field)
                    && let Some(v) = value.take()
                {
                    drop(name, iname, field.to_string(), v);
                }
            };
            check("level1", &mut kept_ind.level1);
            check("level2", &mut kept_ind.level2);
            check("description", &mut kept_ind.description);
            check("explanation", &mut kept_ind.explanation);
            check("basis", &mut kept_ind.basis);
            check("activity", &mut kept_ind.activity);
            if let Some(r) = kept_ind.reference.take() {
                drop(name, iname, "reference".into(), format!("{r:?}"));
            }
            for period in Period::ALL {
                if !cap.periods.contains(&period)
                    && let Some(v) = ind.values.get(period)
                {
                    drop(
                        name,
                        iname,
                        format!("values.{}", period.key()),
                        v.text.clone(),
                    );
                    kept_ind.values.set(period, None);
                }
            }
            // The `inferred` flags live only in the embedded copy.
            kept_ind.inferred.clear();
        }
        for field in ["level1", "level2"] {
            let has_column = cap.indicator_fields.iter().any(|f| f == field);
            let missing = source
                .indicators
                .iter()
                .filter(|i| {
                    if field == "level1" {
                        i.level1.is_none()
                    } else {
                        i.level2.is_none()
                    }
                })
                .count();
            if has_column && missing > 0 {
                blanks.push(Blank {
                    project: source.name.clone(),
                    field: field.into(),
                    indicators: Some(missing),
                });
            }
        }
        for period in &cap.periods {
            let missing = source
                .indicators
                .iter()
                .filter(|i| i.values.get(*period).is_none())
                .count();
            if missing > 0 {
                blanks.push(Blank {
                    project: source.name.clone(),
                    field: format!("values.{}", period.key()),
                    indicators: Some(missing),
                });
            }
        }
    }
    // The form groups indicators by class: what it gives back comes in that order.
    if let Some(spec) = &target.indicators {
        for project in &mut carried.projects {
            let order = crate::template::order::printed_order(project, spec);
            let mut by_index: Vec<Option<crate::model::Indicator>> =
                project.indicators.drain(..).map(Some).collect();
            project.indicators = order
                .into_iter()
                .filter_map(|i| by_index[i].take())
                .collect();
        }
    }
    report.dropped = dropped;
    report.blank = blanks;
    let has_overall = carried
        .overall
        .as_ref()
        .is_some_and(|o| !o.sections.is_empty() || !o.duties.is_empty());
    carried.kind = match (carried.projects.is_empty(), has_overall) {
        (false, true) => Kind::Mixed,
        (true, true) => Kind::Department,
        _ => Kind::Project,
    };
    (to_write, carried, report)
}
