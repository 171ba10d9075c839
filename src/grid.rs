//! The layer between files and templates: sheets of cells that know their merges.
//!
//! Every reader (xlsx, xls, ods, csv) produces a `Workbook`; nothing above this layer
//! cares where a file came from.

/// A spreadsheet read into memory.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    /// The file as the user named it, for messages.
    pub file: String,
    /// The sheets in workbook order, hidden ones included.
    pub sheets: Vec<Sheet>,
    /// Canonical JSON found in a hidden `jixiao` sheet written by this tool.
    pub embedded: Option<String>,
    /// Problems met while reading that did not stop it (bad encoding bytes, clipped merges …).
    pub warnings: Vec<String>,
}

/// One cell's content as the reader found it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// No value (or only a covered cell of a merge).
    #[default]
    Empty,
    /// Text as stored, e.g. "项目名称".
    Text(String),
    /// A numeric cell. `decimals` comes from the number format ("0.00" → 2);
    /// `percent` is set when the format shows the number as a percentage.
    Number {
        /// The stored number (0.5 for a cell showing "50%").
        value: f64,
        /// The decimals of the number format; `None` for General.
        decimals: Option<u32>,
        /// Whether the number format is a percentage.
        percent: bool,
    },
    /// A boolean cell.
    Bool(bool),
    /// An error cell such as `#REF!`.
    Error(String),
}

impl Cell {
    /// Whether the cell shows nothing: empty, or text of only whitespace.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// [`Cell::display`], borrowed where the cell holds text (the common case, and the
    /// one worth not copying on every look).
    pub fn shown(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(t) => std::borrow::Cow::Borrowed(t),
            other => std::borrow::Cow::Owned(other.display()),
        }
    }

    /// The text a user sees in the cell ("50%" for a 0.5 percent cell, "0.00" for a
    /// zero formatted with two decimals). Thousands separators are not reproduced.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number {
                value,
                decimals,
                percent,
            } => {
                let v = if *percent { value * 100.0 } else { *value };
                let number = match decimals {
                    Some(dp) => format!("{v:.prec$}", prec = *dp as usize),
                    None => {
                        // Shortest exact decimal, without float noise (0.1+0.2 style).
                        let rounded = (v * 1e9).round() / 1e9;
                        format!("{rounded}")
                    }
                };
                if *percent { number + "%" } else { number }
            }
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A merged area, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Merge {
    /// The top row.
    pub first_row: u32,
    /// The left column.
    pub first_col: u32,
    /// The bottom row.
    pub last_row: u32,
    /// The right column.
    pub last_col: u32,
}

impl Merge {
    /// Whether the area covers a cell.
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }
}

/// A sheet: dense rows of cells from A1 plus its merged areas.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// The sheet's name (for CSV, the file name without its extension).
    pub name: String,
    /// Whether the sheet is hidden in the workbook.
    pub hidden: bool,
    /// Row-major from A1; rows may be ragged (missing cells are empty).
    pub rows: Vec<Vec<Cell>>,
    merges: Vec<Merge>,
    /// Covered cell → index in `merges`.
    covered: CoverIndex,
    /// Whether merges are known from the file (xlsx, xls, ods) or were lost (csv).
    pub merges_known: bool,
}

/// Which merge covers each cell. Dense (one slot per cell of the sheet's bounding box)
/// where that is small enough: hashing every covered cell cost more than the rest of
/// reading a province's stacked sheet. Hashed for a huge, sparse box.
#[derive(Debug, Clone, Default)]
enum CoverIndex {
    #[default]
    None,
    Dense {
        width: usize,
        /// `NO_MERGE` or the index in `merges`, row-major.
        slots: Vec<u32>,
    },
    Sparse(std::collections::HashMap<(u32, u32), u32>),
}

const NO_MERGE: u32 = u32::MAX;
/// The largest bounding box indexed densely (64 MiB of slots).
const MAX_DENSE_SLOTS: usize = 1 << 24;

impl CoverIndex {
    fn new(height: usize, width: usize) -> CoverIndex {
        match height.checked_mul(width) {
            Some(n) if n <= MAX_DENSE_SLOTS => CoverIndex::Dense {
                width,
                slots: vec![NO_MERGE; n],
            },
            _ => CoverIndex::Sparse(Default::default()),
        }
    }

    fn get(&self, row: usize, col: usize) -> Option<usize> {
        let found = match self {
            CoverIndex::None => None,
            CoverIndex::Dense { width, slots } => (col < *width)
                .then(|| row.checked_mul(*width)?.checked_add(col))
                .flatten()
                .and_then(|i| slots.get(i).copied()),
            CoverIndex::Sparse(map) => {
                let key = (u32::try_from(row).ok()?, u32::try_from(col).ok()?);
                map.get(&key).copied()
            }
        };
        found.filter(|&m| m != NO_MERGE).map(|m| m as usize)
    }

    /// Marks the cells of `m` (inside the box) as covered by merge `index`.
    fn insert(&mut self, m: &Merge, index: u32) {
        for r in m.first_row..=m.last_row {
            match self {
                CoverIndex::None => {}
                CoverIndex::Dense { width, slots } => {
                    let start = r as usize * *width;
                    slots[start + m.first_col as usize..=start + m.last_col as usize].fill(index);
                }
                CoverIndex::Sparse(map) => {
                    for c in m.first_col..=m.last_col {
                        map.insert((r, c), index);
                    }
                }
            }
        }
    }
}

static EMPTY: Cell = Cell::Empty;

impl Sheet {
    /// A sheet of these rows with no merges (and `merges_known` false).
    pub fn new(name: impl Into<String>, rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: name.into(),
            rows,
            ..Sheet::default()
        }
    }

    /// Sets the merged areas, clipped to the rows and columns that exist so that a
    /// merge over a whole sheet costs nothing. Overlapping or one-cell merges are dropped.
    pub fn set_merges(&mut self, merges: impl IntoIterator<Item = Merge>) -> Vec<String> {
        let mut notes = Vec::new();
        let height = self.rows.len() as u32;
        let width = self.width() as u32;
        self.merges.clear();
        self.covered = CoverIndex::None;
        self.merges_known = true;
        if height == 0 || width == 0 {
            return notes;
        }
        for m in merges {
            if m.first_row >= height || m.first_col >= width {
                continue;
            }
            let clipped = Merge {
                first_row: m.first_row,
                first_col: m.first_col,
                last_row: m.last_row.min(height - 1),
                last_col: m.last_col.min(width - 1),
            };
            if clipped.first_row > clipped.last_row || clipped.first_col > clipped.last_col {
                continue;
            }
            if clipped.first_row == clipped.last_row && clipped.first_col == clipped.last_col {
                continue;
            }
            if matches!(self.covered, CoverIndex::None) {
                self.covered = CoverIndex::new(height as usize, width as usize);
            }
            let overlaps = (clipped.first_row..=clipped.last_row).any(|r| {
                (clipped.first_col..=clipped.last_col)
                    .any(|c| self.covered.get(r as usize, c as usize).is_some())
            });
            if overlaps {
                notes.push(format!(
                    "{}: merged area {} overlaps another and was ignored",
                    self.name,
                    range_ref(&clipped)
                ));
                continue;
            }
            self.covered.insert(&clipped, self.merges.len() as u32);
            self.merges.push(clipped);
        }
        notes
    }

    /// The merged areas, as kept by [`Sheet::set_merges`].
    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// The number of rows.
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// The number of columns of the longest row.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// The cell as stored (a covered cell of a merge is empty).
    pub fn raw(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    /// The merged area that covers a cell, if any.
    pub fn merge_at(&self, row: usize, col: usize) -> Option<&Merge> {
        self.covered.get(row, col).map(|i| &self.merges[i])
    }

    /// The cell's value: a merged area's value belongs to every cell it covers.
    pub fn value(&self, row: usize, col: usize) -> &Cell {
        match self.merge_at(row, col) {
            Some(m) => self.raw(m.first_row as usize, m.first_col as usize),
            None => self.raw(row, col),
        }
    }

    /// The last column of the cell's merged area (the cell itself when unmerged).
    pub fn extent_right(&self, row: usize, col: usize) -> usize {
        self.merge_at(row, col).map_or(col, |m| m.last_col as usize)
    }

    /// The last row of the cell's merged area (the cell itself when unmerged).
    pub fn extent_down(&self, row: usize, col: usize) -> usize {
        self.merge_at(row, col).map_or(row, |m| m.last_row as usize)
    }

    /// `Sheet!A1` for messages and provenance (built by hand: every value read gets one).
    pub fn origin(&self, row: usize, col: usize) -> String {
        let mut s = String::with_capacity(self.name.len() + 12);
        s.push_str(&self.name);
        s.push('!');
        push_a1(&mut s, row, col);
        s
    }
}

/// Column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(col: usize) -> String {
    let mut s = String::new();
    push_column_letters(&mut s, col);
    s
}

fn push_column_letters(s: &mut String, mut col: usize) {
    // At most 14 letters for a u64; spreadsheets stop at 3.
    let mut letters = [0u8; 16];
    let mut n = 0;
    loop {
        letters[n] = b'A' + (col % 26) as u8;
        n += 1;
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.extend(letters[..n].iter().rev().map(|&b| char::from(b)));
}

/// An A1 reference for a 0-based cell.
pub fn a1(row: usize, col: usize) -> String {
    let mut s = String::with_capacity(12);
    push_a1(&mut s, row, col);
    s
}

fn push_a1(s: &mut String, row: usize, col: usize) {
    push_column_letters(s, col);
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut r = row as u128 + 1;
    while r > 0 || n == 0 {
        digits[n] = b'0' + (r % 10) as u8;
        r /= 10;
        n += 1;
    }
    s.extend(digits[..n].iter().rev().map(|&b| char::from(b)));
}

/// `A1:B2` for a merged area.
pub fn range_ref(m: &Merge) -> String {
    format!(
        "{}:{}",
        a1(m.first_row as usize, m.first_col as usize),
        a1(m.last_row as usize, m.last_col as usize)
    )
}

/// A cell as (row, column), 0-based.
pub type Place = (usize, usize);

/// A reference as messages and provenance print it — `Sheet!B3`, or `Sheet!B3:C4` for an
/// area — as the sheet and the 0-based top-left and bottom-right cells.
pub fn parse_reference(reference: &str) -> Option<(&str, Place, Place)> {
    let (sheet, cells) = reference.rsplit_once('!')?;
    let sheet = sheet.trim_matches('\'');
    let (first, last) = cells.split_once(':').unwrap_or((cells, cells));
    Some((sheet, parse_a1(first)?, parse_a1(last)?))
}

/// "B3" → (2, 1), from 0.
pub fn parse_a1(a1: &str) -> Option<(usize, usize)> {
    let a1 = a1.trim_start_matches('$');
    let letters = a1.chars().take_while(char::is_ascii_alphabetic).count();
    let (col, row) = a1.split_at(letters);
    let row: usize = row.trim_start_matches('$').parse().ok()?;
    if letters == 0 || letters > 3 || row == 0 {
        return None;
    }
    let col = col.chars().fold(0usize, |acc, c| {
        acc * 26 + (c.to_ascii_uppercase() as usize - 'A' as usize + 1)
    });
    Some((row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(13, 7), "H14");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
        assert_eq!(a1(usize::MAX, 0), format!("A{}", usize::MAX as u128 + 1));
        assert_eq!(column_letters(usize::MAX).len(), 14);
    }

    #[test]
    fn merged_value_belongs_to_every_covered_cell() {
        let mut s = Sheet::new(
            "s",
            vec![
                vec![Cell::Text("x".into()), Cell::Empty],
                vec![Cell::Empty, Cell::Empty],
            ],
        );
        s.set_merges([Merge {
            first_row: 0,
            first_col: 0,
            last_row: 1,
            last_col: 1,
        }]);
        assert_eq!(s.value(1, 1), &Cell::Text("x".into()));
        assert_eq!(s.raw(1, 1), &Cell::Empty);
        assert_eq!(s.extent_right(0, 0), 1);
    }

    #[test]
    fn dense_and_sparse_cover_indexes_agree() {
        let merges = [
            Merge {
                first_row: 0,
                first_col: 0,
                last_row: 1,
                last_col: 2,
            },
            // Overlaps the first: ignored with a note.
            Merge {
                first_row: 1,
                first_col: 2,
                last_row: 3,
                last_col: 3,
            },
            Merge {
                first_row: 2,
                first_col: 1,
                last_row: 4,
                last_col: 1,
            },
        ];
        let small = vec![vec![Cell::Text("x".into()); 5]; 6];
        // 8,192 rows and one of 4,096 cells: too large a box for dense slots.
        let mut large = vec![Vec::new(); 8192];
        large[0] = vec![Cell::Text("x".into()); 4096];
        for rows in [small, large] {
            let mut s = Sheet::new("s", rows);
            let notes = s.set_merges(merges);
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert_eq!(s.merges().len(), 2);
            assert_eq!(s.merge_at(1, 2), Some(&merges[0]));
            assert_eq!(s.merge_at(3, 1), Some(&merges[2]));
            assert_eq!(s.merge_at(3, 3), None);
            assert_eq!(s.merge_at(0, 4), None);
            assert_eq!(s.merge_at(usize::MAX, usize::MAX), None);
        }
    }

    #[test]
    fn whole_sheet_merge_is_clipped() {
        let mut s = Sheet::new("s", vec![vec![Cell::Text("x".into()), Cell::Empty]]);
        s.set_merges([Merge {
            first_row: 0,
            first_col: 0,
            last_row: 1_048_575,
            last_col: 16_383,
        }]);
        assert_eq!(s.merges()[0].last_row, 0);
        assert_eq!(s.merges()[0].last_col, 1);
    }
}
