//! Finders shared by the blocks' readers: where a table's rows are, which row holds
//! its column labels, what an amount cell says.

use crate::grid::{Cell, Sheet};
use crate::model::Money;
use crate::text::label_key_within;

/// A rectangle of rows on a sheet that holds one project.
#[derive(Debug, Clone, Copy)]
pub(super) struct Region {
    pub(super) first_row: usize,
    pub(super) end_row: usize,
}

/// The indicator header row and the sheet column of each template column.
#[derive(Debug)]
pub(super) struct Header {
    pub(super) row: usize,
    pub(super) columns: Vec<Option<usize>>,
}

impl Header {
    /// The first and last sheet columns of the table.
    pub(super) fn span(&self) -> (usize, usize) {
        let cols = self.columns.iter().flatten();
        let first = cols.clone().min().copied().unwrap_or(0);
        let last = cols.max().copied().unwrap_or(0);
        (first, last)
    }
}

/// Finds the row holding most of the wanted column labels (in order), and maps them.
pub(super) fn find_header_row(
    sheet: &Sheet,
    region: Region,
    wanted: &[Vec<String>],
) -> Option<Header> {
    let mut best: Option<(usize, Header)> = None;
    let longest = wanted.iter().flatten().map(String::len).max().unwrap_or(0);
    let mut row_keys: Vec<Option<String>> = Vec::new();
    for row in region.first_row..region.end_row {
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        // Each cell's key once per row, not once per wanted column; a text longer
        // than every label is no label.
        row_keys.clear();
        row_keys.extend((0..width).map(|c| label_key_within(&sheet.raw(row, c).shown(), longest)));
        let mut columns = Vec::with_capacity(wanted.len());
        let mut next = 0;
        let mut hits = 0;
        for keys in wanted {
            let at =
                (next..width).find(|&c| row_keys[c].as_ref().is_some_and(|k| keys.contains(k)));
            if let Some(c) = at {
                next = c + 1;
                hits += 1;
            }
            columns.push(at);
        }
        // The first two columns and most of the rest must be there.
        let enough = hits * 3 >= wanted.len() * 2 && columns.iter().take(2).all(Option::is_some);
        if enough && best.as_ref().is_none_or(|(h, _)| hits > *h) {
            best = Some((hits, Header { row, columns }));
            if hits == wanted.len() {
                break;
            }
        }
    }
    let mut header = best.map(|(_, h)| h)?;
    find_in_band(sheet, region, &mut header, wanted, longest);
    Some(header)
}

/// Looks for the wanted columns missing from the header row in the row directly above
/// it, a band row that labels a column over the header (鄂州 prints 保障绩效目标实现措施
/// there, beside 绩效指标 over the other columns), each between the columns found
/// before and after it. The header row is chosen first, so a band never changes it.
fn find_in_band(
    sheet: &Sheet,
    region: Region,
    header: &mut Header,
    wanted: &[Vec<String>],
    longest: usize,
) {
    if header.row <= region.first_row || header.columns.iter().all(Option::is_some) {
        return;
    }
    let band = header.row - 1;
    let width = sheet.rows.get(band).map_or(0, Vec::len);
    let mut from = 0;
    for (i, keys) in wanted.iter().enumerate().take(header.columns.len()) {
        if let Some(c) = header.columns[i] {
            from = c + 1;
            continue;
        }
        let to = header.columns[i + 1..]
            .iter()
            .flatten()
            .next()
            .copied()
            .unwrap_or(width)
            .min(width);
        let at = (from..to).find(|&c| {
            label_key_within(&sheet.raw(band, c).shown(), longest)
                .is_some_and(|k| keys.contains(&k))
        });
        if let Some(c) = at {
            header.columns[i] = Some(c);
            from = c + 1;
        }
    }
}

/// Non-empty text cells of a sheet as (row, col, text), in reading order.
pub(super) fn cells(sheet: &Sheet) -> impl Iterator<Item = (usize, usize, &str)> + '_ {
    sheet.rows.iter().enumerate().flat_map(|(r, row)| {
        row.iter()
            .enumerate()
            .filter_map(move |(c, cell)| match cell {
                Cell::Text(t) if !t.trim().is_empty() => Some((r, c, t.as_str())),
                _ => None,
            })
    })
}

/// The first non-empty cell of a row, with its column.
pub(super) fn first_text(sheet: &Sheet, row: usize) -> Option<(usize, String)> {
    let width = sheet.rows.get(row).map_or(0, Vec::len);
    (0..width).find_map(|c| {
        let t = sheet.raw(row, c).display();
        (!t.trim().is_empty()).then_some((c, t))
    })
}

/// The first four-digit year followed by 年 ("2023年…" → 2023).
pub fn find_year(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().map(crate::text::fold_width).collect();
    chars.windows(5).find_map(|w| {
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

/// An amount from a cell: a number at its format's scale, or text such as "12,748.27".
pub(super) fn cell_money(cell: &Cell) -> Option<Money> {
    match cell {
        Cell::Number {
            value, decimals, ..
        } => Money::from_f64(*value, *decimals),
        other => Money::parse(&other.display()),
    }
}
