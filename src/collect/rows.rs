//! A document as rows of the collected tables. Each row is written through `Sink`, which
//! returns the new row's id so that children can point at their parent.

use rusqlite::types::Value as Sql;

use super::Collected;
use super::schema::amount_column;
use crate::check::Finding;
use crate::error::Result;
use crate::model::{Document, Fund, Indicator, Money, Period, Value};

/// Where rows go: `insert(table, [(column, value)])` → the new row's id.
pub(crate) trait Sink {
    fn insert(&mut self, table: &str, row: &[(&str, Sql)]) -> Result<i64>;
}

fn text(s: impl AsRef<str>) -> Sql {
    let s = s.as_ref();
    if s.is_empty() {
        Sql::Null
    } else {
        Sql::Text(s.to_string())
    }
}

fn opt_text(s: Option<&str>) -> Sql {
    s.map_or(Sql::Null, text)
}

fn int(n: impl TryInto<i64>) -> Sql {
    n.try_into().map_or(Sql::Null, Sql::Integer)
}

fn opt_int(n: Option<impl TryInto<i64>>) -> Sql {
    n.map_or(Sql::Null, int)
}

fn money(m: Option<Money>) -> Sql {
    m.map_or(Sql::Null, |m| Sql::Real(m.to_f64()))
}

/// A decimal string ("85", "0.5") as a number, where it is one.
fn number(s: Option<&str>) -> Sql {
    s.and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|n| n.is_finite())
        .map_or(Sql::Null, Sql::Real)
}

/// Writes one collected file: its `documents` row and, when it was read, everything in it.
pub(crate) fn insert_collected(sink: &mut dyn Sink, c: &Collected) -> Result<()> {
    let mut row = vec![("file", text(&c.file)), ("sha256", text(&c.sha256))];
    let read = match &c.outcome {
        Ok(read) => read,
        Err(reason) => {
            row.push(("error", text(reason)));
            sink.insert("documents", &row)?;
            return Ok(());
        }
    };
    let doc = &read.document;
    let counts = crate::check::Counts::of(&read.findings);
    row.extend([
        ("layout", text(doc.source.layout_name())),
        ("confidence", read.confidence.map_or(Sql::Null, Sql::Real)),
        ("kind", text(doc.kind.as_str())),
        ("fiscal_year", opt_int(doc.fiscal_year)),
        (
            "department_code",
            opt_text(doc.department.as_ref().and_then(|d| d.code.as_deref())),
        ),
        ("department", opt_text(department(doc))),
        ("money_unit", text(&read.money_unit)),
        ("total", money(doc.total.as_ref().and_then(|t| t.total))),
        ("project_count", int(doc.projects.len())),
        ("indicator_count", int(doc.indicator_count())),
        ("read_warnings", int(read.warnings.len())),
        ("warnings", text(read.warnings.join("\n"))),
        ("check_errors", int(counts.errors)),
        ("check_warnings", int(counts.warnings)),
        ("check_notes", int(counts.notes)),
    ]);
    let document_id = sink.insert("documents", &row)?;
    insert_content(sink, document_id, doc)?;
    for finding in &read.findings {
        insert_finding(sink, document_id, finding)?;
    }
    Ok(())
}

/// The department a document is from: the one it states, else the 主管部门 its projects
/// all name (a project table states it per project).
fn department(doc: &Document) -> Option<&str> {
    if let Some(d) = &doc.department {
        return Some(d.name.as_str());
    }
    let mut named = doc.projects.iter().map(|p| p.department.as_deref());
    let first = named.next()??;
    named.all(|d| d == Some(first)).then_some(first)
}

fn insert_content(sink: &mut dyn Sink, document_id: i64, doc: &Document) -> Result<()> {
    let doc_ref = ("document_id", Sql::Integer(document_id));
    for (seq, project) in doc.projects.iter().enumerate() {
        let mut row = vec![
            doc_ref.clone(),
            ("seq", int(seq + 1)),
            ("name", text(&project.name)),
            ("code", opt_text(project.code.as_deref())),
            ("unit", opt_text(project.unit.as_deref())),
            ("department", opt_text(project.department.as_deref())),
            ("implementer", opt_text(project.implementer.as_deref())),
            ("category", opt_text(project.category.as_deref())),
            ("level", opt_text(project.level.as_deref())),
            ("start_year", opt_int(project.period.start_year)),
            ("end_year", opt_int(project.period.end_year)),
            ("years", opt_int(project.period.years)),
            ("manager", opt_text(project.manager.as_deref())),
            ("phone", opt_text(project.phone.as_deref())),
            (
                "goal_mid_term",
                opt_text(project.goals.mid_term.as_ref().map(|g| g.text.as_str())),
            ),
            (
                "goal_annual",
                opt_text(project.goals.annual.as_ref().map(|g| g.text.as_str())),
            ),
            (
                "goal_half_year",
                opt_text(project.goals.half_year.as_ref().map(|g| g.text.as_str())),
            ),
            ("necessity", opt_text(project.necessity.as_deref())),
            ("feasibility", opt_text(project.feasibility.as_deref())),
            ("content", opt_text(project.content.as_deref())),
            ("fund_use", opt_text(project.fund_use.as_deref())),
        ];
        let mut amounts: Vec<(String, Sql)> = Vec::new();
        for period in Period::ALL {
            if let Some(a) = project.funding.amounts(period) {
                for fund in Fund::ALL {
                    if let Some(m) = a.get(fund) {
                        amounts.push((amount_column(period, fund), money(Some(m))));
                    }
                }
            }
        }
        row.extend(amounts.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let project_id = sink.insert("projects", &row)?;
        let project_ref = ("project_id", Sql::Integer(project_id));
        for (seq, indicator) in project.indicators.iter().enumerate() {
            insert_indicator(
                sink,
                document_id,
                Some(project_id),
                None,
                None,
                seq,
                indicator,
            )?;
        }
        let funding = &project.funding;
        let lines = funding.expenses.iter().map(|e| (e, false));
        let total = funding.expenses_total.iter().map(|e| (e, true));
        for (seq, (expense, total_line)) in lines.chain(total).enumerate() {
            let actuals: Vec<String> = expense
                .actuals
                .iter()
                .map(|(year, m)| format!("{year}={m}"))
                .collect();
            sink.insert(
                "expenses",
                &[
                    doc_ref.clone(),
                    project_ref.clone(),
                    ("seq", int(seq + 1)),
                    ("name", text(&expense.name)),
                    ("half_year", money(expense.half_year)),
                    ("annual", money(expense.annual)),
                    ("basis", opt_text(expense.basis.as_deref())),
                    ("actuals", text(actuals.join("; "))),
                    ("total_line", int(u8::from(total_line))),
                ],
            )?;
        }
        for (seq, entry) in funding.schedule.iter().enumerate() {
            sink.insert(
                "schedule",
                &[
                    doc_ref.clone(),
                    project_ref.clone(),
                    ("seq", int(seq + 1)),
                    ("label", text(&entry.label)),
                    ("month", int(entry.month)),
                    ("percent", number(entry.percent.as_deref())),
                ],
            )?;
        }
    }
    let Some(overall) = &doc.overall else {
        return Ok(());
    };
    for (seq, indicator) in overall.indicators.iter().enumerate() {
        insert_indicator(sink, document_id, None, None, None, seq, indicator)?;
    }
    for duty in &overall.duties {
        let duty_id = sink.insert(
            "duties",
            &[
                doc_ref.clone(),
                ("seq", text(&duty.seq)),
                ("name", text(&duty.name)),
            ],
        )?;
        for (seq, objective) in duty.objectives.iter().enumerate() {
            let spent: Option<Money> = objective
                .spending
                .iter()
                .filter_map(|s| s.amount)
                .reduce(|a, b| Money(a.0 + b.0));
            let objective_id = sink.insert(
                "objectives",
                &[
                    doc_ref.clone(),
                    ("duty_id", Sql::Integer(duty_id)),
                    ("seq", int(seq + 1)),
                    ("name", text(&objective.name)),
                    ("detail", opt_text(objective.detail.as_deref())),
                    ("spending", money(spent)),
                ],
            )?;
            for line in &objective.spending {
                sink.insert(
                    "spending",
                    &[
                        doc_ref.clone(),
                        ("objective_id", Sql::Integer(objective_id)),
                        ("project", text(&line.project)),
                        ("amount", money(line.amount)),
                    ],
                )?;
            }
            for (seq, indicator) in objective.indicators.iter().enumerate() {
                let place = (Some(duty.name.as_str()), Some(objective.name.as_str()));
                insert_indicator(sink, document_id, None, place.0, place.1, seq, indicator)?;
            }
        }
    }
    Ok(())
}

fn insert_indicator(
    sink: &mut dyn Sink,
    document_id: i64,
    project_id: Option<i64>,
    duty: Option<&str>,
    objective: Option<&str>,
    seq: usize,
    ind: &Indicator,
) -> Result<()> {
    let reference = ind.reference.as_ref();
    let standard = reference.and_then(|r| r.standard.as_ref());
    let history = reference.and_then(|r| r.history.as_ref());
    let values: Vec<(Period, &Value)> = Period::ALL
        .into_iter()
        .filter_map(|p| ind.values.get(p).map(|v| (p, v)))
        .collect();
    let periods: Vec<&str> = values.iter().map(|(p, _)| p.key()).collect();
    let indicator_id = sink.insert(
        "indicators",
        &[
            ("document_id", Sql::Integer(document_id)),
            ("project_id", project_id.map_or(Sql::Null, Sql::Integer)),
            ("duty", opt_text(duty)),
            ("objective", opt_text(objective)),
            ("seq", int(seq + 1)),
            ("level1", opt_text(ind.level1.as_deref())),
            ("level2", opt_text(ind.level2.as_deref())),
            ("name", text(&ind.name)),
            ("description", opt_text(ind.description.as_deref())),
            ("explanation", opt_text(ind.explanation.as_deref())),
            ("basis", opt_text(ind.basis.as_deref())),
            ("activity", opt_text(ind.activity.as_deref())),
            (
                "reference_planned",
                opt_text(reference.and_then(|r| r.planned.as_deref())),
            ),
            (
                "reference_standard",
                opt_text(standard.map(|s| s.value.as_str())),
            ),
            (
                "reference_standard_source",
                opt_text(standard.and_then(|s| s.source.as_deref())),
            ),
            (
                "reference_last_year",
                opt_text(history.and_then(|h| h.last_year.as_deref())),
            ),
            (
                "reference_history_source",
                opt_text(history.and_then(|h| h.source.as_deref())),
            ),
            ("periods", text(periods.join(","))),
            ("inferred", text(ind.inferred.join(","))),
        ],
    )?;
    for (period, value) in values {
        let date = value.date.map(|d| match (d.month, d.day) {
            (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}", d.year),
            (Some(m), None) => format!("{:04}-{m:02}", d.year),
            _ => format!("{:04}", d.year),
        });
        sink.insert(
            "indicator_values",
            &[
                ("indicator_id", Sql::Integer(indicator_id)),
                ("document_id", Sql::Integer(document_id)),
                ("period", text(period.key())),
                ("text", text(&value.text)),
                ("op", opt_text(value.op.map(|o| o.as_str()))),
                ("number", number(value.number.as_deref())),
                ("unit", opt_text(value.unit.as_deref())),
                ("date", opt_text(date.as_deref())),
            ],
        )?;
    }
    Ok(())
}

fn insert_finding(sink: &mut dyn Sink, document_id: i64, f: &Finding) -> Result<()> {
    sink.insert(
        "findings",
        &[
            ("document_id", Sql::Integer(document_id)),
            ("project", opt_text(f.project.as_deref())),
            ("code", text(f.code)),
            ("severity", text(f.severity.as_str())),
            ("message", text(&f.message)),
            ("cell", opt_text(f.cell.as_deref())),
        ],
    )?;
    Ok(())
}
