//! J510–J511: rows that are not content but were read as such — a merged note row whose
//! every cell holds the same text, or a note or signature line (注：…, 填表人：…) read
//! as an indicator, a duty or a project.
//!
//! A row flagged as a project or a duty is flagged once: the indicators read from the
//! same row are not flagged again by the same rule.

use super::{Ctx, IndicatorRef};
use crate::model::{Duty, Indicator, Period, Project};
use crate::parse::notes::note_word;

/// An indicator name may also start with 项目负责人: the project form's label, never an
/// indicator.
const INDICATOR_WORDS: &[&str] = &["项目负责人"];

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    let mut same_parents: Vec<String> = Vec::new();
    let mut note_parents: Vec<String> = Vec::new();
    for (pi, p) in doc.projects.iter().enumerate() {
        let cell = ctx.cell(&format!("projects[{pi}].name"));
        let path = format!("projects[{pi}]");
        if let Some(text) = all_same(project_texts(p)) {
            let message = format!(
                "项目「{}」的各栏都是同一段文字「{}」，多半是合并单元格的注释行被读成了项目",
                short(&p.name),
                short(text)
            );
            ctx.report("J510", Some(pi), cell.clone(), message);
            same_parents.push(path.clone());
        }
        if let Some(word) = note_word(&p.name) {
            let message = format!(
                "项目「{}」以「{word}」开头，多半是表格下方的注释或签署栏被读成了项目",
                short(&p.name)
            );
            ctx.report("J511", Some(pi), cell, message);
            note_parents.push(path);
        }
    }
    if let Some(overall) = &doc.overall {
        for (di, duty) in overall.duties.iter().enumerate() {
            let path = format!("overall.duties[{di}]");
            let cell = duty_cell(ctx, &path, duty);
            let label = duty_label(duty);
            if let Some(text) = all_same(duty_texts(duty)) {
                let message = format!(
                    "职责「{label}」的各栏都是同一段文字「{}」，多半是合并单元格的注释行被读成了职责",
                    short(text)
                );
                ctx.report("J510", None, cell.clone(), message);
                same_parents.push(path.clone());
            }
            if let Some(word) = duty_texts(duty).find_map(note_word) {
                let message = format!(
                    "职责「{label}」以「{word}」开头，多半是表格下方的注释或签署栏被读成了职责"
                );
                ctx.report("J511", None, cell, message);
                note_parents.push(path);
            }
        }
    }
    let under = |parents: &[String], r: &IndicatorRef<'_>| {
        parents.iter().any(|p| r.path.starts_with(&format!("{p}.")))
    };
    for r in ctx.indicators() {
        let name = short(&r.ind.name);
        if !under(&same_parents, &r)
            && let Some(text) = all_same(indicator_texts(r.ind))
        {
            let cell = ctx.value_cells(&r, &[]);
            let message = format!(
                "指标「{name}」的各栏（分类、名称、指标值）都是同一段文字「{}」，多半是合并单元格的注释行被读成了指标",
                short(text)
            );
            ctx.report("J510", r.project, cell, message);
        }
        if !under(&note_parents, &r)
            && let Some(word) = indicator_note_word(r.ind)
        {
            let cell = ctx.value_cells(&r, &[]);
            let message =
                format!("指标「{name}」以「{word}」开头，多半是表格下方的注释或签署栏被读成了指标");
            ctx.report("J511", r.project, cell, message);
        }
    }
}

/// The one text all the given non-empty texts are, when there are at least two of them.
fn all_same<'a>(texts: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut first: Option<&str> = None;
    let mut count = 0;
    for t in texts.map(str::trim).filter(|t| !t.is_empty()) {
        match first {
            None => first = Some(t),
            Some(f) if f != t => return None,
            Some(_) => {}
        }
        count += 1;
    }
    first.filter(|_| count >= 2)
}

/// The cells of an indicator's row: classes, name, text columns and values.
fn indicator_texts(i: &Indicator) -> impl Iterator<Item = &str> {
    let texts = [
        i.level1.as_deref(),
        i.level2.as_deref(),
        Some(i.name.as_str()),
        i.description.as_deref(),
        i.explanation.as_deref(),
        i.basis.as_deref(),
        i.activity.as_deref(),
    ];
    let values = [&i.values.mid_term, &i.values.half_year, &i.values.annual]
        .into_iter()
        .map(|v| v.as_ref().map(|v| v.text.as_str()));
    texts.into_iter().chain(values).flatten()
}

/// The text cells of a project's form (amounts are numbers, never a note).
fn project_texts(p: &Project) -> impl Iterator<Item = &str> {
    let fields = [
        Some(p.name.as_str()),
        p.code.as_deref(),
        p.unit.as_deref(),
        p.department.as_deref(),
        p.implementer.as_deref(),
        p.category.as_deref(),
        p.level.as_deref(),
        p.manager.as_deref(),
        p.phone.as_deref(),
        p.necessity.as_deref(),
        p.feasibility.as_deref(),
        p.content.as_deref(),
        p.fund_use.as_deref(),
    ];
    let goals = [&p.goals.mid_term, &p.goals.half_year, &p.goals.annual]
        .into_iter()
        .map(|g| g.as_ref().map(|g| g.text.as_str()));
    fields
        .into_iter()
        .chain(goals)
        .flatten()
        .chain(p.extras.values().map(String::as_str))
}

/// The cells of a duty's rows: 职责序号, 部门职责, each objective's two columns.
fn duty_texts(d: &Duty) -> impl Iterator<Item = &str> {
    [d.seq.as_str(), d.name.as_str()]
        .into_iter()
        .chain(d.objectives.iter().flat_map(|o| {
            [o.detail.as_deref(), Some(o.name.as_str())]
                .into_iter()
                .flatten()
        }))
}

/// The note or signature word an indicator's name (or class cell) starts with.
fn indicator_note_word(i: &Indicator) -> Option<&'static str> {
    let texts = [
        Some(i.name.as_str()),
        i.level1.as_deref(),
        i.level2.as_deref(),
    ];
    texts.into_iter().flatten().find_map(|t| {
        note_word(t).or_else(|| {
            let t = t.trim_start();
            INDICATOR_WORDS.iter().copied().find(|w| t.starts_with(w))
        })
    })
}

/// A duty has no cells of its own in the provenance: the first value cell of its rows.
fn duty_cell(ctx: &Ctx<'_>, path: &str, duty: &Duty) -> Option<String> {
    duty.objectives.iter().enumerate().find_map(|(oi, o)| {
        (0..o.indicators.len()).find_map(|ii| {
            [Period::Annual, Period::HalfYear, Period::MidTerm]
                .iter()
                .find_map(|p| {
                    let key = p.key();
                    ctx.cell(&format!(
                        "{path}.objectives[{oi}].indicators[{ii}].values.{key}"
                    ))
                })
        })
    })
}

/// "职责3·服务保障" as other findings name a duty; the name alone where the number is
/// missing or the same text.
fn duty_label(d: &Duty) -> String {
    match (d.seq.trim(), short(&d.name)) {
        ("", name) => name,
        (seq, name) if seq == d.name.trim() => name,
        (seq, name) => format!("职责{}·{name}", short(seq)),
    }
}

/// A long text cut for a message: its first 20 characters and "…".
fn short(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= 20 {
        t.to_string()
    } else {
        let head: String = t.chars().take(20).collect();
        format!("{head}…")
    }
}
