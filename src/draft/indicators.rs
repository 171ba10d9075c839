//! The indicator table: its header row, what each column holds, the sides of a
//! two-period table, and the footer under it.

use super::labels::Knowledge;
use super::synonyms::LEVEL2_CLASSES;
use super::values::Layout;
use super::{GridCell, Instance, row_cells, row_texts};
use crate::grid::Sheet;
use crate::template::starts_footer;
use crate::text::label_key;

/// A drafted indicator column.
#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    pub field: String,
    pub side: Option<&'static str>,
    pub period: Option<&'static str>,
    pub cols: usize,
    pub reason: String,
}

/// The drafted `[indicators]` block.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: Option<String>,
    pub sides: Vec<&'static str>,
    pub columns: Vec<Column>,
}

/// Rows whose labels name at least two indicator columns, one of them a class or name.
pub fn header_rows(sheet: &Sheet, known: &Knowledge) -> Vec<usize> {
    (0..sheet.height())
        .filter(|&r| {
            let fields: Vec<String> = row_texts(sheet, r)
                .iter()
                .filter_map(|t| known.indicator(t).map(|k| k.field.clone()))
                .collect();
            fields.len() >= 2 && fields.iter().any(|f| f == "level1" || f == "level2")
        })
        .collect()
}

/// The row after an indicator table: a blank row, a footer line, or the sheet's end.
pub fn table_end(sheet: &Sheet, header: usize, _known: &Knowledge) -> usize {
    (header + 1..sheet.height())
        .find(|&r| {
            let texts = row_texts(sheet, r);
            let starts_with_data = sheet
                .merge_at(r, 0)
                .is_some_and(|m| (m.first_row as usize) < r);
            texts.is_empty()
                || (!starts_with_data && texts.first().is_some_and(|t| starts_footer(t, &[])))
        })
        .unwrap_or(sheet.height())
}

/// The columns of the first table's header.
pub fn read(first: Instance, layout: &Layout, known: &Knowledge) -> Table {
    let sheet = first.sheet;
    let h = first.header;
    let mut cells = row_cells(sheet, h);
    let mut table = Table::default();
    // A first cell merged down the whole table, naming it: the caption.
    if let Some(c) = cells.first()
        && c.rows > 2
        && !c.text.is_empty()
        && known.indicator(&c.text).is_none_or(|k| k.field == "name")
    {
        table.caption = Some(c.text.clone());
        cells.remove(0);
    }
    for c in &cells {
        table.columns.push(column(c, h, layout, known));
    }
    let end = table_end(sheet, h, known);
    shift_levels(&mut table, sheet, h, end);
    split_sides(&mut table);
    table
}

fn column(c: &GridCell, h: usize, layout: &Layout, known: &Knowledge) -> Column {
    let band = || {
        layout
            .labels
            .iter()
            .filter(|(r, col, _)| *r + 1 == h && *col == c.col)
            .map(|(_, _, t)| t.clone())
            .next()
    };
    let (label, field, reason) = match known.indicator(&c.text) {
        Some(k) if !c.text.is_empty() => (c.text.clone(), k.field.clone(), k.reason.clone()),
        _ if c.text.is_empty() => match band() {
            Some(t) => (
                t,
                "extras".into(),
                "blank header under a band label: that label's column".into(),
            ),
            None => (String::new(), "extras".into(), "a blank header".into()),
        },
        _ => (
            c.text.clone(),
            "extras".into(),
            "a header no field is known for: kept in extras".into(),
        ),
    };
    let period = field.starts_with("value").then(|| period_of(&label));
    Column {
        label,
        field,
        side: None,
        period,
        cols: c.cols,
        reason,
    }
}

fn period_of(label: &str) -> &'static str {
    if label.contains("半年") {
        "half_year"
    } else if label.contains("中期") {
        "mid_term"
    } else {
        "annual"
    }
}

/// A table whose 一级指标 column holds 数量指标/质量指标 and that has no name column
/// prints its classes one level up: 一级 is the 二级 class, 二级 the indicator name.
fn shift_levels(table: &mut Table, sheet: &Sheet, header: usize, end: usize) {
    if table.columns.iter().any(|c| c.field == "name") {
        return;
    }
    let Some(l1) = table.columns.iter().position(|c| c.field == "level1") else {
        return;
    };
    let col = column_index(sheet, header, l1);
    let holds_level2 = (header + 1..end).any(|r| {
        let key = label_key(&sheet.value(r, col).display());
        LEVEL2_CLASSES.iter().any(|c| label_key(c) == key)
    });
    if !holds_level2 {
        return;
    }
    for c in &mut table.columns {
        let to = match c.field.as_str() {
            "level1" => "level2",
            "level2" => "name",
            _ => continue,
        };
        c.reason = format!(
            "printed {} but holds the {} (its cells are 数量指标, 质量指标 …)",
            c.label, to
        );
        c.field = to.into();
    }
}

fn column_index(sheet: &Sheet, header: usize, i: usize) -> usize {
    let cells = row_cells(sheet, header);
    let skip = usize::from(cells.first().is_some_and(|c| c.rows > 2));
    cells.get(i + skip).map_or(0, |c| c.col)
}

/// Columns printed twice (二级 | 三级 | 指标值 for 中期, then for 年度): two sides.
fn split_sides(table: &mut Table) {
    let dup = table.columns.iter().enumerate().find_map(|(i, c)| {
        table.columns[i + 1..]
            .iter()
            .position(|d| d.field == c.field && matches!(c.field.as_str(), "level2" | "name"))
            .map(|j| (i, i + 1 + j))
    });
    let Some((first, second)) = dup else {
        return;
    };
    table.sides = vec!["mid_term", "annual"];
    for (i, c) in table.columns.iter_mut().enumerate() {
        if i < first {
            continue;
        }
        let side = if i < second { "mid_term" } else { "annual" };
        c.side = Some(side);
        c.period = None;
        c.reason = format!("{}; printed twice: the {side} side", c.reason);
    }
}

/// The signature slots under the first table: rows starting with a signature role.
pub fn footer(first: Instance, known: &Knowledge) -> Vec<String> {
    let sheet = first.sheet;
    let end = table_end(sheet, first.header, known);
    let mut slots = Vec::new();
    for r in end..sheet.height() {
        let texts = row_texts(sheet, r);
        let Some(t) = texts.first() else { continue };
        if !starts_footer(t, &[]) || crate::parse::notes::note_word(t).is_some() {
            if header_rows_at(sheet, r, known) {
                break;
            }
            continue;
        }
        let slot = t.split([':', '：']).next().unwrap_or(t).trim().to_string();
        if !slot.is_empty() && !slots.contains(&slot) {
            slots.push(slot);
        }
    }
    slots
}

fn header_rows_at(sheet: &Sheet, r: usize, known: &Knowledge) -> bool {
    row_texts(sheet, r).iter().any(|t| known.form(t).is_some())
}
