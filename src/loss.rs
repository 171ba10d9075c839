//! The loss report: what a conversion cannot place in the target layout, what it
//! inferred, and what the target form leaves blank. Computed from the same knowledge
//! the writer uses, so `carried` is exactly what reading the written form gives back.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{Amounts, Document, Duty, Indicator, Kind, Period, Section};
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
pub struct Inferred {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    pub field: String,
    pub value: String,
    pub rule: String,
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

/// What a layout can hold.
struct Capacity {
    fields: Vec<Field>,
    indicator_fields: Vec<String>,
    periods: Vec<Period>,
    sections: bool,
    /// A 合计 row and unit subtotal rows.
    list: bool,
    duties: bool,
    fiscal_year: bool,
}

impl Capacity {
    fn of(t: &Template) -> Capacity {
        let mut fields = t.fields();
        if fields.contains(&Field::ManagerPhone) {
            fields.extend([Field::Manager, Field::Phone]);
        }
        if fields.contains(&Field::DocDepartment) || fields.contains(&Field::DocDepartmentJoined) {
            fields.extend([Field::DocDepartmentName, Field::DocDepartmentCode]);
        }
        let (indicator_fields, periods) = match &t.indicators {
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
        let mut indicator_fields: Vec<String> = indicator_fields;
        let mut periods: Vec<Period> = periods;
        if let Some(list) = &t.list {
            fields.extend(list.columns.iter().filter_map(|c| Field::parse(&c.field)));
            fields.push(Field::Unit);
            if list
                .columns
                .iter()
                .any(|c| c.codec.as_deref() == Some("numbered"))
            {
                indicator_fields.extend([
                    "level1".to_string(),
                    "name".to_string(),
                    "value".to_string(),
                ]);
                periods.push(Period::Annual);
            }
        }
        if t.title.text.contains("{department}") {
            fields.push(Field::DocDepartmentName);
        }
        let fiscal_year = t.title.text.contains("{fiscal_year}")
            || t.title
                .subtitle
                .as_deref()
                .is_some_and(|s| s.contains("{fiscal_year}"));
        Capacity {
            fields,
            indicator_fields,
            periods,
            sections: t.sections.is_some(),
            list: t.list.as_ref().is_some_and(|l| l.total.is_some()),
            duties: t.duties.is_some(),
            fiscal_year,
        }
    }

    fn holds(&self, field: Field) -> bool {
        match field {
            Field::Expense(_) => self.fields.iter().any(|f| matches!(f, Field::Expense(_))),
            f => self.fields.contains(&f),
        }
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

    // Infer 二级指标, then 一级指标 from it, where the form has a column for them.
    if cap.indicator_fields.iter().any(|f| f == "level2") {
        infer_class(
            &mut to_write,
            "level2",
            crate::infer::level2,
            |i| &mut i.level2,
            &mut report.inferred,
        );
    }
    if cap.indicator_fields.iter().any(|f| f == "level1") && target.indicators.is_some() {
        infer_class(
            &mut to_write,
            "level1",
            crate::infer::level1,
            |i| &mut i.level1,
            &mut report.inferred,
        );
    }

    // A list form prints 合计 and unit subtotals: computed where the source states none.
    if let Some(list) = target.list.as_ref().filter(|l| l.total.is_some())
        && !to_write.projects.is_empty()
    {
        // Only the funds the list has columns for are added up.
        let funds: Vec<crate::model::Fund> = list
            .columns
            .iter()
            .filter_map(|c| match Field::parse(&c.field) {
                Some(Field::Amount(_, fund)) => Some(fund),
                _ => None,
            })
            .collect();
        let annual = |p: &crate::model::Project| {
            p.funding.annual.as_ref().map(|a| {
                let mut kept = Amounts::default();
                for f in &funds {
                    kept.set(*f, a.get(*f));
                }
                kept
            })
        };
        if to_write.total.is_none() {
            let parts: Vec<Amounts> = to_write.projects.iter().filter_map(annual).collect();
            let total = Amounts::sum(&parts);
            report.inferred.push(Inferred {
                project: None,
                indicator: None,
                field: "total".into(),
                value: total.total.map(|m| m.to_string()).unwrap_or_default(),
                rule: "the sum of the projects (the source states no 合计)".into(),
            });
            to_write.total = Some(total);
        }
        let mut named: Vec<String> = Vec::new();
        for p in &to_write.projects {
            if let Some(u) = &p.unit
                && !named.contains(u)
                && !to_write.units.iter().any(|x| &x.name == u)
            {
                named.push(u.clone());
            }
        }
        for name in named {
            let members: Vec<Amounts> = to_write
                .projects
                .iter()
                .filter(|p| p.unit.as_ref() == Some(&name))
                .filter_map(annual)
                .collect();
            let amounts = Amounts::sum(&members);
            report.inferred.push(Inferred {
                project: None,
                indicator: None,
                field: "units".into(),
                value: format!(
                    "{name} {}",
                    amounts.total.map(|m| m.to_string()).unwrap_or_default()
                ),
                rule: "the sum of the unit's projects (the source states no subtotal)".into(),
            });
            to_write.units.push(crate::model::Unit { name, amounts });
        }
    }

    // A form with department text but no duties table prints duties as text.
    if target.sections.is_some()
        && target.duties.is_none()
        && let Some(overall) = to_write.overall.as_mut()
        && !overall.duties.is_empty()
    {
        let mut text = duties_as_sections(&overall.duties);
        // The part's own heading lines come first, as the form prints them.
        if overall.sections.is_empty()
            && let Some(spec) = &target.sections
        {
            let headings = spec.begin.iter().map(|h| Section {
                heading: h.clone(),
                text: String::new(),
            });
            text.splice(0..0, headings);
        }
        report.inferred.push(Inferred {
            project: None,
            indicator: None,
            field: "overall.sections".into(),
            value: format!("{} section(s)", text.len()),
            rule: "the duties table written out as text, one section per duty".into(),
        });
        overall.sections.extend(text);
    }

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
        if !cap.holds(Field::Expense(crate::template::field::ExpenseColumn::Name)) {
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

/// Duties as department text: a heading per duty, a line per indicator.
fn duties_as_sections(duties: &[Duty]) -> Vec<Section> {
    duties
        .iter()
        .map(|d| {
            let mut lines = Vec::new();
            for o in &d.objectives {
                for i in &o.indicators {
                    let value = i
                        .values
                        .annual
                        .as_ref()
                        .map_or(String::new(), |v| format!("，年度指标值：{}", v.text));
                    lines.push(format!(
                        "职责目标：{}；绩效指标：{}{value}。",
                        o.name, i.name
                    ));
                }
            }
            Section {
                heading: format!("{}、{}", d.seq, d.name),
                text: lines.join("\n"),
            }
        })
        .collect()
}

/// A class rule: the class and why, or nothing to say.
type ClassRule = fn(&Indicator) -> Option<(&'static str, &'static str)>;

/// Fills one class field of every indicator that lacks it, flags it and reports it.
fn infer_class(
    doc: &mut Document,
    field: &str,
    rule: ClassRule,
    slot: fn(&mut Indicator) -> &mut Option<String>,
    report: &mut Vec<Inferred>,
) {
    for project in &mut doc.projects {
        for ind in &mut project.indicators {
            if slot(ind).is_some() {
                continue;
            }
            let Some((class, why)) = rule(ind) else {
                continue;
            };
            *slot(ind) = Some(class.to_string());
            ind.inferred.push(field.into());
            report.push(Inferred {
                project: Some(project.name.clone()),
                indicator: Some(ind.name.clone()),
                field: field.into(),
                value: class.into(),
                rule: why.into(),
            });
        }
    }
}
