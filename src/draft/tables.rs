//! Forms whose data is one table under a header of short labels: a department's
//! duties table (职责序号 | 部门职责 | 职责目标 …, or 部门职能 | 年度目标任务 | 支出项目名称 …)
//! and a flat list of projects (项目名称 | 总计 | 财政拨款 … | 绩效指标).

use std::fmt::Write;

use super::labels::Knowledge;
use super::values::{DraftCell, DraftRow, Kind};
use super::{row_cells, synonyms};
use crate::grid::Sheet;
use crate::text::label_key;

/// A duties column label's field, `under` a label higher up when it needs one.
fn duty_field(leaf: &str, stack: &[String]) -> Option<(&'static str, Option<String>, String)> {
    let key = label_key(leaf);
    if key == "来源" {
        // 来源 tells its values by the label over it: 当年标准值 or 历史值.
        let parent = stack.iter().rev().nth(1)?;
        let under = short(parent);
        let field = if label_key(parent).contains("历史") {
            "reference.history.source"
        } else {
            "reference.standard.source"
        };
        return Some((field, Some(under.clone()), format!("来源 under {under}")));
    }
    synonyms::DUTIES
        .iter()
        .find(|s| label_key(s.label) == key)
        .map(|s| (s.field, None, format!("synonym {}", s.label)))
}

/// A label up to its bracketed note: 历史值(统计年鉴/…) → 历史值.
fn short(text: &str) -> String {
    text.split(['(', '（'])
        .next()
        .unwrap_or(text)
        .trim()
        .to_string()
}

/// Whether a label names a duty or an objective (what makes a duties header).
fn duty_label(text: &str) -> bool {
    duty_field(text, &[])
        .is_some_and(|(f, _, _)| f.starts_with("duty.") || f.starts_with("objective."))
}

/// The first row that labels at least two duty or objective columns.
pub fn duties_header(sheet: &Sheet) -> Option<usize> {
    (0..sheet.height()).find(|&r| {
        row_cells(sheet, r)
            .iter()
            .filter(|c| duty_label(&c.text))
            .count()
            >= 2
    })
}

/// A drafted duties table: its header rows (as form rows) and the `[duties]` block.
pub struct Duties {
    /// The first data row.
    pub end: usize,
    pub rows: Vec<DraftRow>,
    pub block: String,
}

/// Reads the duties header at `header`: its rows reach as far down as its duty labels.
pub fn duties(sheet: &Sheet, header: usize) -> Duties {
    let depth = row_cells(sheet, header)
        .iter()
        .filter(|c| duty_label(&c.text))
        .map(|c| c.rows)
        .max()
        .unwrap_or(1);
    let end = header + depth;
    let mut rows = Vec::new();
    for r in header..end {
        let cells: Vec<DraftCell> = row_cells(sheet, r)
            .into_iter()
            .filter(|c| !c.text.is_empty() || r == header)
            .map(|c| DraftCell {
                cols: c.cols,
                rows: c.rows.min(end - r),
                kind: Kind::Label {
                    text: c.text.clone(),
                    capture: None,
                },
                reason: "a label of the duties table's header".into(),
            })
            .collect();
        if !cells.is_empty() {
            rows.push(DraftRow {
                cells,
                repeat: false,
            });
        }
    }
    // Each data column of the first row under the header (a caption merged down from
    // the header covers its own column: not a data column).
    let mut block = String::from("\n[duties]\ncolumns = [\n");
    let mut prev: Option<(usize, &'static str)> = None;
    for c in row_cells(sheet, end) {
        // The labels over this column, top to bottom.
        let mut stack: Vec<String> = Vec::new();
        let mut leaf_at = None;
        for r in header..end {
            let (tr, tc) = sheet
                .merge_at(r, c.col)
                .map_or((r, c.col), |m| (m.first_row as usize, m.first_col as usize));
            let t = sheet.raw(tr, tc).display().trim().to_string();
            if !t.is_empty() && stack.last() != Some(&t) {
                stack.push(t);
                leaf_at = Some((tr, tc));
            }
        }
        let Some(leaf) = stack.last().cloned() else {
            continue;
        };
        let Some((mut field, under, mut why)) = duty_field(&leaf, &stack) else {
            let _ = writeln!(
                block,
                "  # {}: no duties field known for this label",
                one_line(&leaf)
            );
            continue;
        };
        // A second column under one 部门职责: the objective's detailed duty.
        if let (Some((col, f)), Some((_, lc))) = (prev, leaf_at)
            && col == lc
            && f == "duty.name"
        {
            field = "objective.detail";
            why = format!(
                "the second column under {}: the detailed duty",
                one_line(&leaf)
            );
        }
        prev = leaf_at.map(|(_, lc)| (lc, field));
        let mut parts = vec![format!("label = {}", q(&leaf))];
        if let Some(u) = under {
            parts.push(format!("under = {}", q(&u)));
        }
        parts.push(format!("field = {}", q(field)));
        let _ = writeln!(block, "  {{ {} }}, # {}", parts.join(", "), one_line(&why));
    }
    block.push_str("]\n");
    Duties { end, rows, block }
}

/// A flat list's header row: at least four short labels, three of them known fields
/// or a numbered-indicator column, over at least two rows of data.
pub fn list_header(sheet: &Sheet, known: &Knowledge) -> Option<usize> {
    (0..sheet.height()).find(|&r| {
        let cells: Vec<_> = row_cells(sheet, r)
            .into_iter()
            .filter(|c| !c.text.is_empty())
            .collect();
        let fields = cells
            .iter()
            .filter(|c| known.form(&c.text).is_some() || numbered_column(sheet, r, c.col))
            .count();
        cells.len() >= 4
            && fields >= 3
            && cells.iter().all(|c| c.text.chars().count() <= 20)
            && (r + 1..sheet.height().min(r + 4))
                .filter(|&d| !sheet.value(d, 0).display().trim().is_empty())
                .count()
                >= 2
    })
}

/// Whether a column's cells under the header hold numbered text (1、… 2、…).
fn numbered_column(sheet: &Sheet, header: usize, col: usize) -> bool {
    (header + 1..sheet.height()).any(|r| {
        let t = sheet.value(r, col).display();
        let t = t.trim();
        t.starts_with("1、") && t.contains("2、")
    })
}

/// The `[list]` block for the header at `header`.
pub fn list(sheet: &Sheet, header: usize, known: &Knowledge) -> String {
    let mut out = String::from("\n[list]\n");
    let first = sheet.value(header + 1, 0).display();
    if matches!(label_key(&first).as_str(), "合计" | "总计") {
        let _ = writeln!(
            out,
            "total = {} # the first row under the header: the grand total",
            q(first.trim())
        );
    }
    out.push_str("columns = [\n");
    let mut used: Vec<String> = Vec::new();
    for c in row_cells(sheet, header)
        .into_iter()
        .filter(|c| !c.text.is_empty())
    {
        let (field, why, codec) = if numbered_column(sheet, header, c.col) {
            (
                "indicators".to_string(),
                "its cells are numbered indicator text (1、… 2、…)".to_string(),
                true,
            )
        } else if let Some(k) = known.form(&c.text).filter(|k| !used.contains(&k.field)) {
            (k.field, k.reason, false)
        } else if let Some(k) = known
            .form(&short(&c.text))
            .filter(|k| !used.contains(&k.field))
        {
            (
                k.field,
                format!("{} before its bracketed note", k.reason),
                false,
            )
        } else {
            let _ = writeln!(
                out,
                "  # {}: no list field known for this label",
                one_line(&c.text)
            );
            continue;
        };
        // A list prints one year's amounts: a fund learnt in another period is the year's.
        let field = match field
            .strip_prefix("funding.")
            .and_then(|r| r.split_once('.'))
        {
            Some((_, fund)) => format!("funding.annual.{fund}"),
            None => field,
        };
        used.push(field.clone());
        let mut parts = vec![
            format!("label = {}", q(&c.text)),
            format!("field = {}", q(&field)),
        ];
        if codec {
            parts.push("codec = \"numbered\"".into());
        }
        let _ = writeln!(out, "  {{ {} }}, # {}", parts.join(", "), one_line(&why));
    }
    out.push_str("]\n");
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn q(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A printed "部门名称：X" line cell: the label captures its value
/// (`label = "部门名称", capture = "doc.department.name", format = "部门名称：{}"`).
pub fn captures(rows: &mut [DraftRow], known: &Knowledge) {
    for c in rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
        let Kind::Label { text, capture } = &mut c.kind else {
            continue;
        };
        let Some(i) = text.find(['：', ':']) else {
            continue;
        };
        let (label, rest) = text.split_at(i);
        let colon = rest.chars().next().unwrap_or(':');
        let Some(k) = known.form(label).filter(|k| k.field.starts_with("doc.")) else {
            continue;
        };
        if rest.chars().count() <= 1 {
            continue;
        }
        c.reason = format!("{label} and its value in one cell: {}", k.reason);
        *capture = Some((k.field.clone(), format!("{label}{colon}{{}}")));
        *text = label.to_string();
    }
}
