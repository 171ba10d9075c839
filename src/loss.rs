//! The loss report: what a conversion cannot place in the target layout, what it
//! inferred, and what the target form leaves blank. Computed from the same knowledge
//! the writer uses, so `carried` is exactly what reading the written form gives back.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

pub use crate::infer::Inferred;
use crate::model::{Document, Fund, Indicator, Kind, Overall, Period, Project, Signature};
use crate::template::Named;
use crate::template::{Codec, Field, IndicatorField, IndicatorSpec, ListField, Template};
use crate::template::{FieldKind, Scope};

/// What the report names as the owner of a department-level indicator.
const DOCUMENT: &str = "部门整体";

/// The decimals the forms' money format (`#,##0.00`) shows.
const MONEY_DECIMALS: u32 = 2;

/// Everything a conversion to one layout did to a document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LossReport {
    /// The layout read from.
    pub source: String,
    /// The layout written to.
    pub target: String,
    /// Values the target has no place for (kept only in the embedded copy).
    pub dropped: Vec<Dropped>,
    /// Values the converter inferred because the target requires them.
    pub inferred: Vec<Inferred>,
    /// Slots the target form prints that the source has no value for (left blank).
    pub blank: Vec<Blank>,
    /// Amounts converted into the target's money unit whose figure the form shows
    /// rounded (the cell holds the exact value).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rounded: Vec<Rounded>,
}

/// An amount the target form shows rounded after a change of money unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rounded {
    /// The model path, e.g. `projects[0].funding.annual.total`.
    pub field: String,
    /// The exact amount in the target's unit, e.g. "0.123456".
    pub value: String,
    /// What the form shows, e.g. "0.12".
    pub shown: String,
    /// The target's unit.
    pub unit: String,
}

/// A value the target layout has no place for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// The project's name, for a project's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The indicator's name, for an indicator's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// The field's path ("funding.mid_term.total", "values.half_year", "extras.备注").
    pub field: String,
    /// The value as text.
    pub value: String,
}

/// A slot the target form prints that the source has no value for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blank {
    /// The project's name.
    pub project: String,
    /// The field's path.
    pub field: String,
    /// How many indicators lack it, for indicator fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicators: Option<usize>,
}

impl LossReport {
    /// Whether nothing was dropped, inferred or left blank.
    pub fn is_empty(&self) -> bool {
        self.dropped.is_empty()
            && self.inferred.is_empty()
            && self.blank.is_empty()
            && self.rounded.is_empty()
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
            (
                "rounded",
                self.rounded
                    .iter()
                    .map(|r| r.field.rsplit('.').next().unwrap_or(&r.field))
                    .collect(),
                "amount(s) exact in the cell but shown rounded in",
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
    /// Where the form prints notes and signature slots, if it does.
    footer: Option<Footer>,
    /// The signature slots the footer prints whether or not the document fills them.
    footer_slots: Vec<String>,
    fields: Vec<Field>,
    /// The periods whose total the 支出 list's 合计 line holds (the form has no other
    /// cell for it).
    line_totals: Vec<Period>,
    /// Whether the repeated 支出 row has a column for the half-year plan, the annual
    /// budget and the 测算依据 (worked out once, not per project).
    expense_columns: (bool, bool, bool),
    indicator_fields: Vec<IndicatorField>,
    periods: Vec<Period>,
    /// The labels of the indicator table's `extras` columns.
    indicator_extras: Vec<String>,
    /// Whether the indicator table is the document's (department-level) one.
    document_indicators: bool,
    /// Whether the duties table has spending columns.
    duty_spending: bool,
    /// Whether the duties table has an indicator-name column (linyi), so that it
    /// prints the duties' indicators.
    duty_indicators: bool,
    /// Whether the duties table prints 职责序号 and the objectives' detailed duty.
    duty_seq: bool,
    duty_detail: bool,
    /// The labels of the form's `extras` cells, and whether the form is read once for
    /// the document (a list or duties layout) rather than once per project.
    form_extras: (Vec<String>, bool),
    /// The funds a list has amount columns for.
    list_funds: Vec<Fund>,
    indicator_table: bool,
    sections: bool,
    /// The label keys of the form's `section` cells: the headings it prints.
    form_sections: Vec<Vec<String>>,
    /// A 合计 row and unit subtotal rows.
    list: bool,
    duties: bool,
    fiscal_year: bool,
}

/// Whose notes and signatures a form's footer prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Footer {
    /// Under each project's table.
    Project,
    /// Under the document's list or duties table.
    Document,
}

impl Capacity {
    pub(crate) fn of(t: &Template) -> Capacity {
        let (indicator_fields, periods) = Capacity::indicator_columns(t);
        let list_funds = t
            .list
            .iter()
            .flat_map(|l| &l.columns)
            .filter_map(|c| match c.field {
                ListField::Field(f) if f.kind() == FieldKind::Money => f.fund(),
                _ => None,
            })
            .collect();
        let fields = Capacity::form_fields(t);
        let indicator_extras = t
            .indicators
            .iter()
            .flat_map(|spec| &spec.columns)
            .filter(|c| c.field == IndicatorField::Extras)
            .map(|c| c.label.clone())
            .collect();
        let fiscal_year = std::iter::once(&t.title.text)
            .chain(&t.title.subtitle)
            .any(|p| p.names(Field::FISCAL_YEAR))
            || fields.contains(&Field::FISCAL_YEAR);
        let footer = t.footer.as_ref().map(|_| match t.arrangement {
            crate::template::Arrangement::Table => Footer::Document,
            _ => Footer::Project,
        });
        let form_extras = t.extras_labels();
        let document_form = t.arrangement == crate::template::Arrangement::Table;
        let document_indicators = t
            .indicators
            .as_ref()
            .is_some_and(|i| i.scope == crate::template::IndicatorScope::Document);
        // Which columns the duties table prints (none without one).
        let duty_column = |field| {
            t.duties
                .iter()
                .flat_map(|d| &d.columns)
                .any(|c| c.field == field)
        };
        use crate::template::DutyField;
        let duty_spending = duty_column(DutyField::SpendingProject);
        let duty_indicators = duty_column(DutyField::Name);
        let (duty_seq, duty_detail) = (
            duty_column(DutyField::DutySeq),
            duty_column(DutyField::ObjectiveDetail),
        );
        let footer_slots = t
            .footer
            .as_ref()
            .map(|f| f.signatures.clone())
            .unwrap_or_default();
        let expense_columns = (
            holds_path(&fields, "expenses.half_year"),
            holds_path(&fields, "expenses.annual"),
            holds_path(&fields, "expenses.basis"),
        );
        Capacity {
            expense_columns,
            footer_slots,
            duty_seq,
            duty_detail,
            duty_spending,
            duty_indicators,
            document_indicators,
            form_extras: (form_extras, document_form),
            footer,
            fields,
            line_totals: t.line_totals(),
            indicator_fields,
            periods,
            indicator_extras,
            list_funds,
            indicator_table: t.indicators.is_some(),
            sections: t.sections.is_some(),
            form_sections: t.section_keys(),
            list: t.list.as_ref().is_some_and(|l| l.total.is_some()),
            duties: t.duties.is_some(),
            fiscal_year,
        }
    }

    /// The fields of the form (pattern cells hold each of their parts, a 支出 合计 line
    /// the totals it is the only place for), the list and the title.
    fn form_fields(t: &Template) -> Vec<Field> {
        let mut fields = t.fields();
        fields.extend(t.line_totals().into_iter().map(Capacity::total_field));
        if let Some(list) = &t.list {
            fields.extend(list.columns.iter().filter_map(|c| match c.field {
                ListField::Field(f) => Some(f),
                ListField::Indicators => None,
            }));
            fields.push(Field::UNIT);
        }
        if t.title.text.names(Field::DEPARTMENT_NAME) {
            fields.push(Field::DEPARTMENT_NAME);
        }
        fields
    }

    /// The indicator table's columns and value periods, then those of a list's
    /// numbered column (一级 class, name and annual value in one cell).
    fn indicator_columns(t: &Template) -> (Vec<IndicatorField>, Vec<Period>) {
        let (mut fields, mut periods): (Vec<IndicatorField>, Vec<Period>) = match &t.indicators {
            Some(spec) => (
                spec.columns.iter().map(|c| c.field).collect(),
                spec.columns
                    .iter()
                    .filter(|c| c.field.is_value())
                    .filter_map(|c| c.value_period())
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let mut list_columns = t.list.iter().flat_map(|l| &l.columns);
        if list_columns.any(|c| c.codec == Some(Codec::Numbered)) {
            fields.extend([
                IndicatorField::Level1,
                IndicatorField::Name,
                IndicatorField::Value,
            ]);
            periods.push(Period::Annual);
        }
        (fields, periods)
    }

    /// `funding.<period>.total`
    fn total_field(period: Period) -> Field {
        Field::parse(&format!("funding.{}.total", period.key())).expect("a field of the table")
    }

    /// Whether the form holds a field; a line field stands for its whole list.
    fn holds(&self, field: Field) -> bool {
        match field.scope() {
            Scope::Line(_) => self.fields.iter().any(|f| f.scope() == field.scope()),
            _ => self.fields.contains(&field),
        }
    }

    /// Whether the form holds this very field (for a line field: this column).
    fn holds_exactly(&self, field: Field) -> bool {
        self.fields.contains(&field)
    }

    /// Whether the form prints a column for an indicator field.
    pub(crate) fn has_indicator_column(&self, field: IndicatorField) -> bool {
        self.indicator_fields.contains(&field)
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

    /// Whether the form's duties table prints indicators (has a name column).
    pub(crate) fn has_duty_indicators(&self) -> bool {
        self.duty_indicators
    }

    /// Whether the form has the department's own indicator table.
    pub(crate) fn has_document_indicators(&self) -> bool {
        self.document_indicators
    }

    /// The document-level fields the form has no place for, in report order.
    fn unheld_document_fields(&self) -> impl Iterator<Item = Field> + '_ {
        [Field::DEPARTMENT_NAME, Field::DEPARTMENT_CODE]
            .into_iter()
            .filter(|f| !self.holds(*f))
    }

    /// Every project field, whether the form holds it, and whether an empty slot is
    /// worth reporting (a goal's period is printed in the label, not filled in; a 合计
    /// line is printed only for a total there is).
    fn project_fields(&self) -> impl Iterator<Item = (Field, bool, bool)> + '_ {
        let in_line: Vec<Field> = self
            .line_totals
            .iter()
            .map(|p| Capacity::total_field(*p))
            .collect();
        Field::all_project_fields().into_iter().map(move |f| {
            let held = self.holds(f);
            (
                f,
                held,
                held && !f.is_goal_period() && !in_line.contains(&f),
            )
        })
    }

    /// Whether the form has rows for the 支出 lines.
    fn holds_expenses(&self) -> bool {
        self.holds(Field::EXPENSE_NAME)
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
    let ready = ready_owned(doc, target);
    let (carried, report) = ready.report(target);
    (ready.document, carried, report)
}

/// A document made ready for a layout — inferred fields filled, amounts in the layout's
/// unit — before its loss report is worked out. The report reads the document only, so
/// it can be worked out beside the rendering of the same document.
#[derive(Debug)]
pub struct Ready {
    /// The document to write.
    pub document: Document,
    rounded: Vec<Rounded>,
    inferred: Vec<Inferred>,
}

/// The first half of [`prepare_owned`]: the document to write, without its report.
pub fn ready_owned(doc: Document, target: &Template) -> Ready {
    let mut to_write = doc;
    // Where each value was read from: cells of the old file (a province's are freed on
    // the side).
    let count = to_write.projects.len();
    crate::convert::drop_aside(std::mem::take(&mut to_write.source.cells), count);
    // Amounts move into the target's unit exactly; the form shows two decimals.
    let rounded: Vec<Rounded> =
        crate::units::convert_document(&mut to_write, &target.money_unit, MONEY_DECIMALS)
            .into_iter()
            .map(|c| {
                let mut shown = c.value.0;
                shown.rescale(MONEY_DECIMALS);
                Rounded {
                    field: c.path,
                    value: c.value.to_string(),
                    shown: shown.to_string(),
                    unit: target.money_unit.clone(),
                }
            })
            .collect();
    let inferred = crate::infer::for_layout(&mut to_write, target);
    Ready {
        document: to_write,
        rounded,
        inferred,
    }
}

impl Ready {
    /// The second half of [`prepare_owned`]: the part the written form carries, and the
    /// report of what it drops, infers and leaves blank.
    pub fn report(&self, target: &Template) -> (Document, LossReport) {
        self.prune(target, true)
    }

    /// The report alone, as [`Ready::report`] gives it: the projects' indicators —
    /// the bulk of a province's document — are read, not copied and pruned.
    pub fn loss_report(&self, target: &Template) -> LossReport {
        self.prune(target, false).1
    }

    fn prune(&self, target: &Template, carry: bool) -> (Document, LossReport) {
        let cap = Capacity::of(target);
        let mut prune = Pruning {
            cap: &cap,
            carry,
            dropped: Vec::new(),
            blank: Vec::new(),
        };
        let carried = prune.document(&self.document, target);
        let report = LossReport {
            source: self.document.source.layout.clone(),
            target: target.id.clone(),
            dropped: prune.dropped,
            inferred: self.inferred.clone(),
            blank: prune.blank,
            rounded: self.rounded.clone(),
        };
        (carried, report)
    }
}

/// Works out the part of a document a form carries, noting what is dropped on the way
/// and which printed slots stay blank, in the order the report lists them.
struct Pruning<'a> {
    cap: &'a Capacity,
    /// Whether the carried document keeps the projects' indicators (else it is only
    /// the report that is wanted, and they are read where they stand).
    carry: bool,
    dropped: Vec<Dropped>,
    blank: Vec<Blank>,
}

impl Pruning<'_> {
    /// Notes a value the form has no place for.
    fn record_drop(
        &mut self,
        project: Option<&str>,
        indicator: Option<&str>,
        field: String,
        value: String,
    ) {
        self.dropped.push(Dropped {
            project: project.map(str::to_string),
            indicator: indicator.map(str::to_string),
            field,
            value,
        });
    }

    /// The whole document, part by part; the kind follows what is left.
    fn document(&mut self, source: &Document, target: &Template) -> Document {
        // `source.cells` is empty here (`ready_owned`): this is all but the projects.
        let mut carried = source.without_projects();
        self.document_fields(source, &mut carried);
        let printed = self.cap.footer == Some(Footer::Document);
        self.footer(None, printed, (&source.notes, &source.signatures));
        if printed {
            // Blank slots read back as blank signatures.
            carried.signatures =
                crate::template::printed_signatures(&self.cap.footer_slots, &source.signatures);
        } else {
            carried.notes.clear();
            carried.signatures.clear();
        }
        self.list_sums(source, &mut carried);
        if let Some(overall) = &source.overall {
            carried.overall = self.overall(overall);
        }
        if let (Some(spec), Some(source), Some(kept)) = (
            target.document_indicators(),
            source.overall.as_ref(),
            carried.overall.as_mut(),
        ) {
            // The document's own indicators: the columns the table lacks are dropped,
            // and the form gives them back grouped by class.
            for (ind, kept_ind) in source.indicators.iter().zip(kept.indicators.iter_mut()) {
                self.indicator(DOCUMENT, ind, Some(kept_ind));
            }
            let mut holder = Project {
                indicators: std::mem::take(&mut kept.indicators),
                ..Project::default()
            };
            in_printed_order(&mut holder, spec);
            kept.indicators = holder.indicators;
        }
        carried.projects = (source.projects.iter())
            .map(|project| {
                let mut kept = match self.carry {
                    true => project.clone(),
                    false => project.without_indicators(),
                };
                self.project(source, project, &mut kept);
                if let (true, Some(spec)) = (self.carry, &target.indicators) {
                    in_printed_order(&mut kept, spec);
                }
                kept
            })
            .collect();
        carried.kind = kind_of(&carried);
        carried
    }

    /// Document-level values: extras live only in the embedded copy unless the form
    /// has a cell of their label; the fiscal year and the department need a place in
    /// the title or the form.
    fn document_fields(&mut self, source: &Document, carried: &mut Document) {
        let (labels, document) = &self.cap.form_extras;
        let held = |k: &String| *document && labels.contains(k);
        carried.extras.retain(|k, _| held(k));
        for (k, v) in source.extras.iter().filter(|(k, _)| !held(k)) {
            self.record_drop(None, None, format!("extras.{k}"), v.clone());
        }
        if !self.cap.fiscal_year
            && let Some(y) = source.fiscal_year
        {
            self.record_drop(None, None, "fiscal_year".into(), y.to_string());
            carried.fiscal_year = None;
        }
        let empty = Project::default();
        // A form printed once per project shows the department only beside a project.
        let no_form = !self.cap.form_extras.1 && source.projects.is_empty();
        let unheld: Vec<Field> = if no_form {
            vec![Field::DEPARTMENT_NAME, Field::DEPARTMENT_CODE]
        } else {
            self.cap.unheld_document_fields().collect()
        };
        for field in unheld {
            if let Some(v) = field.get(source, &empty).filter(|v| !v.is_empty()) {
                self.record_drop(None, None, field.path(), v);
                field.clear(carried, &mut empty.clone());
            }
        }
        // A department with neither name nor code left is no department.
        if carried
            .department
            .as_ref()
            .is_some_and(|d| d.name.is_empty() && d.code.is_none())
        {
            carried.department = None;
        }
    }

    /// 合计 and unit subtotals: only a list form prints them.
    fn list_sums(&mut self, source: &Document, carried: &mut Document) {
        if self.cap.list {
            return;
        }
        let total_fields: Vec<Field> = Fund::ALL
            .into_iter()
            .map(|f| Field::parse(&format!("total.{}", f.key())).expect("a field of the table"))
            .collect();
        if total_fields.iter().any(|f| self.cap.holds(*f)) {
            // A form with cells for the stated total: the funds without one are dropped.
            let held: Vec<Field> = total_fields
                .into_iter()
                .filter(|f| self.cap.holds(*f))
                .collect();
            if let Some(total) = carried.total.as_mut() {
                for fund in Fund::ALL {
                    let path = format!("total.{}", fund.key());
                    let has_cell = held.iter().any(|f| f.path() == path);
                    if let Some(m) = total.get(fund).filter(|_| !has_cell) {
                        self.record_drop(None, None, path, m.to_string());
                        total.set(fund, None);
                    }
                }
                if total.is_empty() {
                    carried.total = None;
                }
            }
        } else if let Some(total) = &source.total {
            self.record_drop(None, None, "total".into(), amounts_text(total));
            carried.total = None;
        }
        if self.cap.holds(Field::UNIT_NAME) {
            // A form row repeated over the units prints the funds it has columns for.
            for (unit, kept) in source.units.iter().zip(&mut carried.units) {
                for fund in Fund::ALL {
                    let field = Field::unit_amount(fund);
                    if let Some(m) = unit
                        .amounts
                        .get(fund)
                        .filter(|_| !self.cap.holds_exactly(field))
                    {
                        let value = format!("{} {m}", unit.name);
                        self.record_drop(None, None, field.path(), value);
                        kept.amounts.set(fund, None);
                    }
                }
            }
            return;
        }
        for unit in &source.units {
            self.record_drop(None, None, "units".into(), unit.name.clone());
        }
        carried.units.clear();
    }

    /// Department text and duties: each needs its own part of the form. Nothing is
    /// left when the form holds neither.
    fn overall(&mut self, overall: &Overall) -> Option<Overall> {
        let cap = self.cap;
        let mut kept = overall.clone();
        if !cap.sections {
            // A form's `section` cells print the first section of their heading each.
            let mut printed = vec![false; cap.form_sections.len()];
            let mut held = |s: &crate::model::Section| {
                let key = crate::template::heading_key(&s.heading);
                let cell = cap
                    .form_sections
                    .iter()
                    .enumerate()
                    .position(|(i, keys)| !printed[i] && keys.contains(&key));
                cell.inspect(|&i| printed[i] = true).is_some()
            };
            kept.sections.retain(|s| held(s));
            let n = overall.sections.len() - kept.sections.len();
            if n > 0 {
                self.record_drop(
                    None,
                    None,
                    "overall.sections".into(),
                    format!("{n} section(s)"),
                );
            }
        }
        if cap.duties && !cap.duty_spending {
            for o in overall.duties.iter().flat_map(|d| &d.objectives) {
                for s in &o.spending {
                    let value = match s.amount {
                        Some(m) => format!("{}: {} {m}", o.name, s.project),
                        None => format!("{}: {}", o.name, s.project),
                    };
                    self.record_drop(None, None, "overall.duties.spending".into(), value);
                }
            }
        }
        if cap.duties && !cap.duty_indicators {
            for o in overall.duties.iter().flat_map(|d| &d.objectives) {
                for i in &o.indicators {
                    let value = format!("{}: {}", o.name, i.name);
                    self.record_drop(None, None, "overall.duties.indicators".into(), value);
                }
            }
        }
        if !cap.duties && !overall.duties.is_empty() {
            let n = overall.duties.len();
            self.record_drop(
                None,
                None,
                "overall.duties".into(),
                format!("{n} duty(ies)"),
            );
        }
        if !cap.duties {
            kept.duties.clear();
        }
        if !cap.duty_indicators {
            for o in kept.duties.iter_mut().flat_map(|d| &mut d.objectives) {
                o.indicators.clear();
            }
        }
        if cap.duties {
            self.duty_columns(&mut kept.duties);
        }
        if !cap.duty_spending {
            // The duty and objective stay: the form prints a row for them.
            for o in kept.duties.iter_mut().flat_map(|d| &mut d.objectives) {
                o.spending.clear();
            }
        }
        if !cap.document_indicators && !overall.indicators.is_empty() {
            let n = overall.indicators.len();
            let value = format!("{n} indicator(s)");
            self.record_drop(None, None, "overall.indicators".into(), value);
            kept.indicators.clear();
        }
        (!kept.is_empty()).then_some(kept)
    }

    /// The 职责序号 and detailed duty texts a duties table has no column for.
    fn duty_columns(&mut self, duties: &mut [crate::model::Duty]) {
        for d in duties {
            if !self.cap.duty_seq && !d.seq.is_empty() {
                let value = format!("{} {}", d.seq, d.name);
                self.record_drop(None, None, "overall.duties.seq".into(), value);
                d.seq.clear();
            }
            for o in &mut d.objectives {
                if let Some(detail) = o.detail.take_if(|_| !self.cap.duty_detail) {
                    let value = format!("{}: {detail}", o.name);
                    self.record_drop(None, None, "overall.duties.objectives.detail".into(), value);
                }
            }
        }
    }

    /// One project: its form fields, expense lines and extras, then each indicator, then
    /// the indicator columns the form prints that the project leaves empty.
    fn project(&mut self, doc: &Document, source: &Project, kept: &mut Project) {
        self.project_fields(doc, source, kept);
        let name = Some(source.name.as_str());
        if !self.cap.holds_expenses() {
            for e in &source.funding.expenses {
                self.record_drop(name, None, "funding.expenses".into(), e.name.clone());
            }
            if let Some(e) = &source.funding.expenses_total {
                self.record_drop(name, None, "funding.expenses_total".into(), e.name.clone());
            }
            kept.funding.expenses.clear();
            kept.funding.expenses_total = None;
        } else {
            self.expense_columns(name, kept);
            self.line_totals(name, kept);
        }
        let (labels, document) = &self.cap.form_extras;
        let held = |k: &String| !*document && labels.contains(k) && !kept.extras[k].is_empty();
        let kept_keys: Vec<String> = kept.extras.keys().filter(|k| held(k)).cloned().collect();
        for (k, v) in source.extras.iter().filter(|(k, _)| !kept_keys.contains(k)) {
            self.record_drop(name, None, format!("extras.{k}"), v.clone());
        }
        kept.extras.retain(|k, _| kept_keys.contains(k));
        let printed = self.cap.footer == Some(Footer::Project);
        self.footer(name, printed, (&source.notes, &source.signatures));
        if printed {
            kept.signatures =
                crate::template::printed_signatures(&self.cap.footer_slots, &source.signatures);
        } else {
            kept.notes.clear();
            kept.signatures.clear();
        }
        if self.carry {
            for (ind, kept_ind) in source.indicators.iter().zip(kept.indicators.iter_mut()) {
                self.indicator(&source.name, ind, Some(kept_ind));
            }
        } else {
            for ind in &source.indicators {
                self.indicator(&source.name, ind, None);
            }
        }
        self.indicator_blanks(source);
    }

    /// The columns of 支出 lines (and their 合计) the form's repeated row has no cell for:
    /// a half-year plan, an annual budget, a 测算依据, a year's actuals.
    fn expense_columns(&mut self, project: Option<&str>, kept: &mut Project) {
        let held = |path: &str| holds_path(&self.cap.fields, path);
        let (hold_half, hold_annual, hold_basis) = self.cap.expense_columns;
        let mut drops: Vec<(String, String)> = Vec::new();
        let f = &mut kept.funding;
        for e in f.expenses.iter_mut().chain(f.expenses_total.as_mut()) {
            let line = e.name.clone();
            let mut note =
                |field: &str, v: String| drops.push((field.into(), format!("{line} {v}")));
            if !hold_half && let Some(m) = e.half_year.take() {
                note("expenses.half_year", m.to_string());
            }
            if !hold_annual && let Some(m) = e.annual.take() {
                note("expenses.annual", m.to_string());
            }
            if !hold_basis && let Some(b) = e.basis.take() {
                note("expenses.basis", b);
            }
            e.actuals.retain(|year, m| {
                let path = format!("expenses.actuals.{year}");
                let keep = held(&path);
                if !keep {
                    note(&path, m.to_string());
                }
                keep
            });
        }
        for (field, value) in drops {
            self.record_drop(project, None, field, value);
        }
    }

    /// Where the 合计 line is the only place for a period's total, the form shows the
    /// line's figure (a stated total that differs from it is dropped), and reading it
    /// gives what [`crate::model::Funding::take_line_totals`] makes of the line.
    fn line_totals(&mut self, project: Option<&str>, kept: &mut Project) {
        let periods = self.cap.line_totals.clone();
        if periods.is_empty() {
            return;
        }
        let line = kept.funding.printed_total_line(&periods);
        for &p in &periods {
            let shown = line.as_ref().and_then(|l| l.amount(p));
            if let Some(stated) = kept.funding.total(p)
                && shown.map(|m| m.to_string()) != Some(stated.to_string())
            {
                let field = Capacity::total_field(p).path();
                self.record_drop(project, None, field, stated.to_string());
            }
            kept.funding.set_total(p, None);
        }
        kept.funding.expenses_total = line;
        kept.funding.take_line_totals(&periods);
    }

    /// Notes and signature slots: dropped unless the form prints a footer where they
    /// stand (under each project, or under the document's table).
    fn footer(
        &mut self,
        project: Option<&str>,
        printed: bool,
        (notes, signatures): (&[String], &[Signature]),
    ) {
        if printed {
            return;
        }
        for note in notes {
            self.record_drop(project, None, "notes".into(), note.clone());
        }
        for s in signatures {
            let value = format!("{}：{}", s.role, s.value);
            self.record_drop(project, None, "signatures".into(), value);
        }
    }

    /// The form's project fields: a value with no place is dropped, a place with no
    /// value is reported blank.
    fn project_fields(&mut self, doc: &Document, source: &Project, kept: &mut Project) {
        let fields: Vec<(Field, bool, bool)> = self.cap.project_fields().collect();
        // Clearing a project field leaves the document alone: one stand-in serves all.
        let mut no_document = Document::new(Kind::Project);
        for (field, held, report_blank) in fields {
            if let Some(v) = field.get(doc, source) {
                if !held {
                    self.record_drop(Some(&source.name), None, field.path(), v);
                    field.clear(&mut no_document, kept);
                }
            } else if report_blank {
                self.blank.push(Blank {
                    project: source.name.clone(),
                    field: field.path(),
                    indicators: None,
                });
            }
        }
    }

    /// One indicator: the text fields, extras and periods the form has no column for are
    /// dropped; a reference and the `inferred` flags live only in the embedded copy.
    /// `kept` is its copy in the carried document, pruned here (none: report only).
    fn indicator(&mut self, project: &str, source: &Indicator, mut kept: Option<&mut Indicator>) {
        let (name, iname) = (Some(project), Some(source.name.as_str()));
        // The text columns, in the report's order (not name and value: read below).
        for &(key, field) in IndicatorField::all() {
            if self.cap.has_indicator_column(field) {
                continue;
            }
            let dropped = match kept.as_deref_mut() {
                Some(kept) => field.text_slot(kept).and_then(Option::take),
                None => field.slot_text(source),
            };
            if let Some(v) = dropped {
                self.record_drop(name, iname, key.to_string(), v);
            }
        }
        // Extras go back to the column with their label; an empty one reads as none.
        for (k, v) in &source.extras {
            if !self.cap.indicator_extras.contains(k) {
                self.record_drop(name, iname, format!("extras.{k}"), v.clone());
            }
        }
        if let Some(kept) = kept.as_deref_mut() {
            kept.extras
                .retain(|k, v| self.cap.indicator_extras.contains(k) && !v.trim().is_empty());
        }
        let reference = match kept.as_deref_mut() {
            Some(kept) => kept.reference.take().map(|r| reference_text(&r)),
            None => source.reference.as_ref().map(reference_text),
        };
        if let Some(r) = reference {
            self.record_drop(name, iname, "reference".into(), r);
        }
        for period in Period::ALL {
            if !self.cap.periods.contains(&period)
                && let Some(v) = source.values.get(period)
            {
                let field = format!("values.{}", period.key());
                self.record_drop(name, iname, field, v.text.clone());
                if let Some(kept) = kept.as_deref_mut() {
                    kept.values.set(period, None);
                }
            }
        }
        if let Some(kept) = kept {
            kept.inferred.clear();
        }
    }

    /// The class and value columns the form prints, with how many indicators leave
    /// each empty.
    fn indicator_blanks(&mut self, source: &Project) {
        let count =
            |empty: fn(&Indicator) -> bool| source.indicators.iter().filter(|i| empty(i)).count();
        let classes = [
            (IndicatorField::Level1, count(|i| i.level1.is_none())),
            (IndicatorField::Level2, count(|i| i.level2.is_none())),
        ];
        let classes = classes
            .into_iter()
            .filter(|(field, _)| self.cap.has_indicator_column(*field))
            .map(|(field, n)| (field.name().to_string(), n));
        let values = self.cap.periods.iter().map(|p| {
            let missing = source
                .indicators
                .iter()
                .filter(|i| i.values.get(*p).is_none())
                .count();
            (format!("values.{}", p.key()), missing)
        });
        let blanks: Vec<(String, usize)> = classes.chain(values).collect();
        for (field, missing) in blanks {
            if missing > 0 {
                self.blank.push(Blank {
                    project: source.name.clone(),
                    field,
                    indicators: Some(missing),
                });
            }
        }
    }
}

/// Whether `fields` hold the field at `path` exactly (a path that names no field: no).
fn holds_path(fields: &[Field], path: &str) -> bool {
    Field::parse(path).is_some_and(|f| fields.contains(&f))
}

/// The form groups indicators by class: what reading it gives back comes in that order.
fn in_printed_order(project: &mut Project, spec: &IndicatorSpec) {
    let order = crate::template::order::printed_order(project, spec);
    let mut by_index: Vec<Option<Indicator>> = project.indicators.drain(..).map(Some).collect();
    project.indicators = order
        .into_iter()
        .filter_map(|i| by_index[i].take())
        .collect();
}

/// The kind of what a form carries: projects, department text or duties, or both.
fn kind_of(carried: &Document) -> Kind {
    let has_overall = carried.overall.as_ref().is_some_and(|o| !o.is_empty());
    match (carried.projects.is_empty(), has_overall) {
        (false, true) => Kind::Mixed,
        (true, true) => Kind::Department,
        _ => Kind::Project,
    }
}

/// Amounts as the report prints them: "total 12748.27, fiscal 12748.27".
fn amounts_text(a: &crate::model::Amounts) -> String {
    crate::model::Fund::ALL
        .into_iter()
        .filter_map(|f| a.get(f).map(|m| format!("{} {m}", f.key())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reference values as the report prints them: "planned 95%; standard 90% (source …)".
fn reference_text(r: &crate::model::Reference) -> String {
    let with_source = |value: &str, source: &Option<String>| match source {
        Some(s) => format!("{value} (source {s})"),
        None => value.to_string(),
    };
    let mut parts = Vec::new();
    if let Some(p) = &r.planned {
        parts.push(format!("planned {p}"));
    }
    if let Some(s) = &r.standard {
        parts.push(format!("standard {}", with_source(&s.value, &s.source)));
    }
    if let Some(h) = &r.history {
        if let Some(v) = &h.avg_3y {
            parts.push(format!("avg_3y {v}"));
        }
        if let Some(v) = &h.last_year {
            parts.push(format!("last_year {v}"));
        }
        if let Some(s) = &h.source {
            parts.push(format!("history source {s}"));
        }
    }
    parts.join("; ")
}
